/*
 * mb_profile: device profiles as data.  A profile file says, for each signal
 * a device offers (gross weight, valve command, ...), which Modbus table and
 * address holds it, its type, word order, scale and bit.  A new device model
 * is a new file in drivers/profiles/, never new C code.  Parsed with inih;
 * our own line reader counts lines so that errors name FILE:LINE (Debian's
 * inih is built without INI_HANDLER_LINENO).  Also the value codec (raw
 * registers <-> engineering values) shared by the poller and the simulator.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>
#include <modbus.h>

#include "conf.h"
#include "mb.h"
#include "util.h"

#define PROFILE_MAX_BYTES (64 * 1024)

static const char *const signal_names[MB_SIG_COUNT] = {
	[MB_SIG_GROSS] = "gross",
	[MB_SIG_NET] = "net",
	[MB_SIG_MOTION] = "motion",
	[MB_SIG_STABLE] = "stable",
	[MB_SIG_OVERLOAD] = "overload",
	[MB_SIG_ERROR] = "error",
	[MB_SIG_VALVE_CMD] = "valve_cmd",
	[MB_SIG_VALVE_FB] = "valve_fb",
	[MB_SIG_WATCHDOG] = "watchdog",
	[MB_SIG_HEARTBEAT] = "heartbeat",
	[MB_SIG_TARGET] = "target",
	[MB_SIG_START] = "start",
	[MB_SIG_ABORT] = "abort",
	[MB_SIG_FILLING] = "filling",
	[MB_SIG_FILL_DONE] = "fill_done",
	[MB_SIG_FILL_ALARM] = "fill_alarm",
};

static const char *const table_names[] = { "coil", "discrete", "input", "holding", NULL };
static const char *const type_names[] = { "u16", "i16", "u32", "i32", "f32", NULL };
/* 32-bit orders, in enum mb_order's order, then the 16-bit ones */
static const char *const order_names[] = { "ABCD", "CDAB", "BADC", "DCBA", "AB", "BA", NULL };
static const char *const kind_names[] = { "scale", "valve", "filler", "indicator", NULL };

const char *
mb_signal_name(enum mb_signal signal)
{
	if ((int)signal < 0 || signal >= MB_SIG_COUNT)
		return NULL;
	return signal_names[signal];
}

int
mb_signal_from_name(const char *name)
{
	for (int i = 0; i < MB_SIG_COUNT; i++)
		if (strcmp(signal_names[i], name) == 0)
			return i;
	return -1;
}

int
mb_signal_is_bit(enum mb_signal signal)
{
	switch (signal) {
	case MB_SIG_GROSS:
	case MB_SIG_NET:
	case MB_SIG_WATCHDOG:
	case MB_SIG_HEARTBEAT:
	case MB_SIG_TARGET:
	case MB_SIG_COUNT:
		return 0;
	default:
		return 1;
	}
}

const char *
mb_signal_unit(enum mb_signal signal)
{
	switch (signal) {
	case MB_SIG_GROSS:
	case MB_SIG_NET:
	case MB_SIG_TARGET:
		return "kg";
	case MB_SIG_WATCHDOG:
		return "ms";
	default:
		return "";
	}
}

static int
lookup(const char *const *names, const char *value)
{
	for (int i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], value) == 0)
			return i;
	return -1;
}

/* ---- the format, as configuration tables (conf.h) ----------------------- */

/* What the tables fill; turned into a struct mb_profile by profile_check. */
struct signal_text {
	char table[12];
	int address;
	char type[8];
	char order[8];
	double scale;
	int bit;
	int invert;
	int poll;
};

struct profile_text {
	char name[MB_NAME_MAX];
	char kind[16];
	char description[128];
	double capacity;
	int close_ms;
	struct signal_text signal[MB_SIG_COUNT];
};

#define DEV(field) offsetof(struct profile_text, field), sizeof(((struct profile_text *)0)->field)
#define SIG(field) offsetof(struct signal_text, field), sizeof(((struct signal_text *)0)->field)
#define SIGN(field) offsetof(struct signal_text, field), 0

static const struct conf_key device_keys[] = {
	{ "name", CONF_STRING, DEV(name), 1, 0, NULL, "the profile's name", NULL, 0 },
	{ "kind", CONF_CHOICE, DEV(kind), 0, 0, NULL, "what the device is", kind_names, 0 },
	{ "description", CONF_STRING, DEV(description), 0, 0, "", "one line about the device", NULL,
	    0 },
	{ "capacity", CONF_DOUBLE, offsetof(struct profile_text, capacity), 0, 0, 1e6, "0",
	    "weighing range (maximum load) in kg; a scale, indicator or filler needs it", NULL, 0 },
	{ "close_ms", CONF_INT, offsetof(struct profile_text, close_ms), 0, 0, 10000, "0",
	    "a valve's closing time in ms (close command to no more flow); 0: not known", NULL, 0 },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
};

static const struct conf_key signal_keys[] = {
	{ "table", CONF_CHOICE, SIG(table), 0, 0, NULL, "the Modbus table that holds the signal",
	    table_names, 0 },
	{ "address", CONF_INT, SIGN(address), 0, 65535, "0", "protocol (0-based) address", NULL,
	    0 },
	{ "type", CONF_CHOICE, SIG(type), 0, 0, "u16", "register type", type_names, 0 },
	{ "order", CONF_CHOICE, SIG(order), 0, 0, "ABCD", "byte order (A: most significant)",
	    order_names, 0 },
	{ "scale", CONF_DOUBLE, SIGN(scale), -1e12, 1e12, "1", "engineering value = raw x scale",
	    NULL, 0 },
	{ "bit", CONF_INT, SIGN(bit), 0, 15, "0", "the signal is this bit of a register", NULL, 0 },
	{ "invert", CONF_BOOL, SIGN(invert), 0, 0, "no",
	    "polarity: the device's 1 means the signal's 0", NULL, 0 },
	{ "poll", CONF_BOOL, SIGN(poll), 0, 0, "yes", "read by the poller (no: write-only)", NULL,
	    0 },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
};

/*
 * The sections: [device], then one per signal, named as signal_names[]
 * names it, each filling its struct signal_text; built once.
 */
static struct conf_section profile_sections[1 + MB_SIG_COUNT + 1];
static pthread_once_t profile_sections_once = PTHREAD_ONCE_INIT;

static void
profile_sections_init(void)
{
	profile_sections[0] = (struct conf_section){ .name = "device",
		.max_items = 1,
		.help = "the device",
		.keys = device_keys };
	for (int s = 0; s < MB_SIG_COUNT; s++)
		profile_sections[1 + s] = (struct conf_section){ .name = signal_names[s],
			.max_items = 1,
			.offset = offsetof(struct profile_text, signal) +
			          (size_t)s * sizeof(struct signal_text),
			.help = "a signal",
			.keys = signal_keys,
			.optional = 1 };
}

/* What the written signals are: the gateway writes them, so they must be
 * in a table Modbus can write. */
static int
signal_is_written(int s)
{
	return s == MB_SIG_VALVE_CMD || s == MB_SIG_WATCHDOG || s == MB_SIG_HEARTBEAT ||
	       s == MB_SIG_TARGET || s == MB_SIG_START || s == MB_SIG_ABORT;
}

struct profile_parse {
	struct profile_text *text;
	struct mb_profile *profile;
};

/*
 * One signal section, as parsed, into its struct mb_field: the checks that
 * span its keys, each with the line of the key at fault.
 */
static void
signal_check(const struct conf_where *where, struct conf_report *report, int s,
    const struct signal_text *t, struct mb_field *f)
{
	const char *name = conf_where_name(where), *sig = signal_names[s];
	int header = conf_where_line(where, t, NULL);
	int bits, order, order_line = conf_where_line(where, t, "order");
	int bit_line = conf_where_line(where, t, "bit");
	int type_line = conf_where_line(where, t, "type");
	int invert_line = conf_where_line(where, t, "invert");
	int scale_line = conf_where_line(where, t, "scale");

	if (header == 0)
		return; /* not in the file */
	f->present = 1;
	f->line = header;
	f->table = (enum mb_table)lookup(table_names, t->table);
	f->address = (uint16_t)t->address;
	f->type =
	    lookup(type_names, t->type) >= 0 ? (enum mb_type)lookup(type_names, t->type) : MB_U16;
	f->scale = t->scale;
	f->bit = bit_line > 0 ? t->bit : -1;
	f->invert = t->invert;
	f->poll = t->poll;
	if ((int)f->table < 0)
		return; /* missing or bad: said by the tables */
	bits = f->table == MB_COIL || f->table == MB_DISCRETE;
	if (bits && type_line > 0)
		conf_report_add(report, name, type_line, "[%s] is a %s: it has no type", sig,
		    table_names[f->table]);
	if (bits && bit_line > 0)
		conf_report_add(report, name, bit_line, "[%s] is a %s: it has no bit", sig,
		    table_names[f->table]);
	if (bits && order_line > 0)
		conf_report_add(report, name, order_line, "[%s] is a %s: it has no byte order", sig,
		    table_names[f->table]);
	if (bits)
		f->type = MB_U16;
	if (!bits && f->bit >= 0 && f->type != MB_U16 && f->type != MB_I16)
		conf_report_add(report, name, bit_line,
		    "[%s] bit: a bit is of a 16-bit register (type u16 or i16), not %s", sig,
		    t->type);
	/* order: 4 letters for 32-bit types, AB or BA for 16-bit ones */
	order = lookup(order_names, t->order);
	if (order < 0) {
		order = 0; /* said by the tables */
	} else if (mb_field_width(f) == 2 && order >= 4) {
		conf_report_add(report, name, order_line,
		    "[%s] order: '%s' is for a 16-bit register; a %s value is ABCD, CDAB, BADC "
		    "or DCBA",
		    sig, t->order, t->type);
	} else if (!bits && mb_field_width(f) == 1 && order < 4 && order_line > 0) {
		conf_report_add(report, name, order_line,
		    "[%s] order: '%s' is for a 32-bit value; a 16-bit register is AB or BA", sig,
		    t->order);
	}
	f->order = order == 5 ? MB_BADC : order == 4 ? MB_ABCD : (enum mb_order)order;
	if (mb_field_width(f) == 1 && f->order != MB_BADC)
		f->order = MB_ABCD;
	if (t->scale == 0.0 || !isfinite(t->scale))
		conf_report_add(report, name, scale_line, "[%s] scale: must not be 0", sig);
	if (invert_line > 0 && !bits && f->bit < 0)
		conf_report_add(report, name, invert_line,
		    "[%s] invert: only a coil, a discrete input or a bit has a polarity", sig);
	if (invert_line > 0 && !mb_signal_is_bit((enum mb_signal)s))
		conf_report_add(report, name, invert_line,
		    "[%s] invert: %s is a value, not a bit: it has no polarity", sig, sig);
	if ((long)f->address + mb_field_width(f) > 65536)
		conf_report_add(report, name, header, "[%s] runs past address 65535", sig);
	if (signal_is_written(s) && f->table != MB_COIL && f->table != MB_HOLDING)
		conf_report_add(report, name, conf_where_line(where, t, "table"),
		    "[%s] is written by the gateway: it must be a coil or holding register, not %s",
		    sig, table_names[f->table]);
}

/* conf_input.check: the tables are applied; build the profile. */
static void
profile_check(void *root, const struct conf_where *where, struct conf_report *report, void *arg)
{
	struct profile_text *t = root;
	struct profile_parse *pp = arg;
	struct mb_profile *p = pp->profile;

	str_copy(p->name, t->name, sizeof(p->name));
	str_copy(p->kind, t->kind, sizeof(p->kind));
	str_copy(p->description, t->description, sizeof(p->description));
	p->capacity_kg = t->capacity;
	p->close_ms = t->close_ms;
	p->kind_line = conf_where_line(where, t, "kind");
	p->capacity_line = conf_where_line(where, t, "capacity");
	for (int s = 0; s < MB_SIG_COUNT; s++)
		signal_check(where, report, s, &t->signal[s], &p->field[s]);
}

int
mb_profile_parse_report(const char *text, size_t len, const char *origin,
    struct mb_profile *profile, struct conf_report *report)
{
	struct profile_text *t;
	struct profile_parse pp;
	struct conf_input input;
	int rc;

	memset(profile, 0, sizeof(*profile));
	memset(report, 0, sizeof(*report));
	origin = origin != NULL ? origin : "profile";
	str_copy(profile->origin, origin, sizeof(profile->origin));
	if (len > PROFILE_MAX_BYTES) {
		conf_report_add(report, origin, 0, "larger than %d bytes", PROFILE_MAX_BYTES);
		errno = EFBIG;
		return -1;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		conf_report_add(report, origin, 0, "out of memory");
		errno = ENOMEM;
		return -1;
	}
	pp.text = t;
	pp.profile = profile;
	memset(&input, 0, sizeof(input));
	input.name = origin;
	input.text = text;
	input.len = len;
	input.check = profile_check;
	input.arg = &pp;
	pthread_once(&profile_sections_once, profile_sections_init);
	rc = conf_parse(&input, profile_sections, t, report);
	free(t);
	if (rc != 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Every message of a report into err, one per line, as many as fit. */
static void
report_to_err(const struct conf_report *report, char *err, size_t errlen)
{
	size_t used = 0;

	if (err == NULL || errlen == 0)
		return;
	err[0] = '\0';
	for (size_t i = 0; i < report->count && used + 1 < errlen; i++) {
		int n = snprintf(err + used, errlen - used, "%s%s", i > 0 ? "\n" : "",
		    report->errors[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* mb_profile_load (name set) or mb_profile_parse, the report into err. */
static int
profile_err(const char *name, const char *dir, const char *text, size_t len, const char *origin,
    struct mb_profile *profile, char *err, size_t errlen)
{
	struct conf_report *report = calloc(1, sizeof(*report));
	int rc, saved;

	if (report == NULL)
		return err_set(err, errlen, "out of memory");
	if (name != NULL)
		rc = mb_profile_load_report(name, dir, profile, report);
	else
		rc = mb_profile_parse_report(text, len, origin, profile, report);
	saved = errno;
	if (rc != 0)
		report_to_err(report, err, errlen);
	free(report);
	errno = saved;
	return rc;
}

int
mb_profile_parse(const char *text, size_t len, const char *origin, struct mb_profile *profile,
    char *err, size_t errlen)
{
	return profile_err(NULL, NULL, text, len, origin, profile, err, errlen);
}

static int
read_file(const char *path, char **text, size_t *len, struct conf_report *report)
{
	struct stat sb;
	char *buf = NULL;
	size_t got = 0;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		saved = errno;
		conf_report_add(report, path, 0, "%s", strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &sb) < 0)
		goto fail;
	if (sb.st_size > PROFILE_MAX_BYTES) {
		errno = EFBIG;
		goto fail;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL)
		goto fail;
	while (got < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)sb.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	close(fd);
	*text = buf;
	*len = got;
	return 0;
fail:
	saved = errno;
	if (saved == EFBIG)
		conf_report_add(report, path, 0, "larger than %d bytes", PROFILE_MAX_BYTES);
	else
		conf_report_add(report, path, 0, "%s", strerror(saved));
	free(buf);
	close(fd);
	errno = saved;
	return -1;
}

int
mb_profile_load_report(const char *name, const char *dir, struct mb_profile *profile,
    struct conf_report *report)
{
	char path[512];
	const char *dirs[4];
	char *text = NULL;
	size_t len = 0, nlen = strlen(name);
	int ndirs = 0, rc, saved;

	memset(report, 0, sizeof(*report));
	memset(profile, 0, sizeof(*profile));
	if (strchr(name, '/') != NULL || (nlen > 4 && strcmp(name + nlen - 4, ".ini") == 0)) {
		snprintf(path, sizeof(path), "%s", name);
	} else {
		if (nlen == 0 || strspn(name, "abcdefghijklmnopqrstuvwxyz"
		                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != nlen) {
			conf_report_add(report, "profile", 0,
			    "name '%s': letters, digits, '-', '_', '.' only", name);
			errno = EINVAL;
			return -1;
		}
		if (dir != NULL && dir[0] != '\0') {
			dirs[ndirs++] = dir;
		} else {
			const char *env = getenv("GAS_PROFILES");
			if (env != NULL && env[0] != '\0')
				dirs[ndirs++] = env;
			dirs[ndirs++] = "drivers/profiles";
			dirs[ndirs++] = "/usr/local/share/gasgw/profiles";
		}
		path[0] = '\0';
		for (int i = 0; i < ndirs; i++) {
			snprintf(path, sizeof(path), "%s/%s.ini", dirs[i], name);
			if (access(path, R_OK) == 0)
				break;
		}
		if (access(path, R_OK) != 0) {
			conf_report_add(report, "profile", 0,
			    "'%s' not found (looked for %s.ini in %s%s)", name, name, dirs[0],
			    ndirs > 1 ? " and the default folders" : "");
			errno = ENOENT;
			return -1;
		}
	}
	if (read_file(path, &text, &len, report) < 0)
		return -1;
	rc = mb_profile_parse_report(text, len, path, profile, report);
	saved = errno;
	free(text);
	errno = saved;
	return rc;
}

int
mb_profile_load(const char *name, const char *dir, struct mb_profile *profile, char *err,
    size_t errlen)
{
	return profile_err(name, dir, NULL, 0, NULL, profile, err, errlen);
}

/* ---- roles: what a fill line needs of each profile ----------------------- */

static const char *const role_names[] = { "scale", "valve", "filler" };

const char *
mb_role_name(enum mb_role role)
{
	return (int)role >= 0 && role <= MB_ROLE_FILLER ? role_names[role] : "?";
}

enum mb_role
mb_role_of_kind(const char *kind)
{
	if (strcmp(kind, "valve") == 0)
		return MB_ROLE_VALVE;
	if (strcmp(kind, "filler") == 0)
		return MB_ROLE_FILLER;
	return MB_ROLE_SCALE;
}

/*
 * The signals each role needs (need = 1: the profile is refused without
 * it) or may have (need = 0: what a line loses without it, said as a
 * warning).  The gateway's uses are in gateway/bus.c (what it reads and
 * writes) and gateway/line.c (what it does with it).  Read signals must be
 * polled; written ones are checked to be writable when parsed.
 */
static const struct role_signal {
	enum mb_role role;
	enum mb_signal signal;
	int need;
	const char *why;
} role_signals[] = {
	{ MB_ROLE_SCALE, MB_SIG_GROSS, 1, "the weight the line fills by" },
	{ MB_ROLE_SCALE, MB_SIG_ERROR, 0,
	    "an instrument error is taken for a weight (with [error] the line sees no reading and "
	    "stops a fill, R24)" },
	{ MB_ROLE_VALVE, MB_SIG_VALVE_CMD, 1, "the gateway opens and closes the valve with it" },
	{ MB_ROLE_VALVE, MB_SIG_WATCHDOG, 1,
	    "the unit must close the valve by itself when the gateway stops feeding it (a hung "
	    "gateway, a cut cable); the gateway writes the timeout here" },
	{ MB_ROLE_VALVE, MB_SIG_HEARTBEAT, 1,
	    "the counter the gateway changes to feed the watchdog" },
	{ MB_ROLE_VALVE, MB_SIG_VALVE_FB, 0,
	    "a valve the unit shuts by itself during a fill (its watchdog, a hand at the line) is "
	    "noticed only by R22 or R24, and one stuck open after the close only by the weight "
	    "(R23)" },
	{ MB_ROLE_FILLER, MB_SIG_GROSS, 1, "the weight the fill is recorded with" },
	{ MB_ROLE_FILLER, MB_SIG_TARGET, 1, "the gateway gives the controller its target" },
	{ MB_ROLE_FILLER, MB_SIG_START, 1, "the gateway starts the fill with it" },
	{ MB_ROLE_FILLER, MB_SIG_ABORT, 1,
	    "the only way the gateway can close a filling controller's valve" },
	{ MB_ROLE_FILLER, MB_SIG_FILL_DONE, 1, "tells the gateway the controller cut off" },
	{ MB_ROLE_FILLER, MB_SIG_WATCHDOG, 1,
	    "the controller must stop the fill by itself when the gateway stops feeding it (a "
	    "hung gateway, a cut cable); the gateway writes the timeout here" },
	{ MB_ROLE_FILLER, MB_SIG_HEARTBEAT, 1,
	    "the counter the gateway changes to feed the watchdog" },
	{ MB_ROLE_FILLER, MB_SIG_ERROR, 0,
	    "an instrument error is taken for a weight (with [error] the line sees no reading and "
	    "stops a fill, R24)" },
};

/* A signal the gateway reads must be polled; one it writes need not be. */
static int
role_has(const struct mb_profile *p, enum mb_signal s)
{
	const struct mb_field *f = &p->field[s];

	return f->present && (f->poll || signal_is_written(s));
}

int
mb_profile_check(const struct mb_profile *p, enum mb_role role, struct conf_report *errors,
    struct conf_report *notes)
{
	size_t before = errors->count;
	const char *o = p->origin;
	int weighs = role == MB_ROLE_SCALE || role == MB_ROLE_FILLER;

	if (mb_role_of_kind(p->kind) != role) {
		conf_report_add(errors, o, p->kind_line,
		    "kind = %s cannot serve as a %s: a %s profile has kind = %s", p->kind,
		    mb_role_name(role), mb_role_name(role),
		    role == MB_ROLE_SCALE ? "scale or indicator" : mb_role_name(role));
		return -1; /* its signals are another role's: no use listing them */
	}
	for (size_t i = 0; i < sizeof(role_signals) / sizeof(role_signals[0]); i++) {
		const struct role_signal *r = &role_signals[i];
		const struct mb_field *f = &p->field[r->signal];

		if (r->role != role || role_has(p, r->signal))
			continue;
		if (r->need)
			conf_report_add(errors, o, f->present ? f->line : p->kind_line,
			    "a %s needs [%s]%s: %s", mb_role_name(role), signal_names[r->signal],
			    f->present ? " read (poll = yes)" : "", r->why);
		else
			conf_report_add(notes, o, f->present ? f->line : p->kind_line,
			    "no [%s]%s: %s", signal_names[r->signal],
			    f->present ? " read (poll = no)" : "", r->why);
	}
	if (role != MB_ROLE_SCALE && p->field[MB_SIG_WATCHDOG].present &&
	    !p->field[MB_SIG_WATCHDOG].poll)
		conf_report_add(notes, o, p->field[MB_SIG_WATCHDOG].line,
		    "[watchdog] has poll = no: the gateway cannot read the timeout back, so a "
		    "unit that restarts in less than 3 s is not seen to have lost it");
	if (weighs && !role_has(p, MB_SIG_STABLE) && !role_has(p, MB_SIG_MOTION))
		conf_report_add(errors, o, p->kind_line,
		    "a %s needs [stable] or [motion]: without them the weight is never seen to "
		    "settle, so every fill is refused (R09: no stable empty weight)",
		    mb_role_name(role));
	if (weighs && p->capacity_kg <= 0)
		conf_report_add(errors, o, p->capacity_line > 0 ? p->capacity_line : p->kind_line,
		    "a %s needs its capacity (capacity = the weighing range in kg): R25 allows the "
		    "check-weigh to differ by a share of it",
		    mb_role_name(role));
	return errors->count > before ? -1 : 0;
}

/* ---- value codec --------------------------------------------------------- */

int
mb_field_width(const struct mb_field *field)
{
	return field->type == MB_U32 || field->type == MB_I32 || field->type == MB_F32 ? 2 : 1;
}

/* The 32-bit pattern ABCD (A most significant) from two registers. */
static uint32_t
join32(const uint16_t *regs, enum mb_order order)
{
	uint16_t w0 = regs[0], w1 = regs[1];

	switch (order) {
	case MB_CDAB:
		return (uint32_t)w1 << 16 | w0;
	case MB_BADC:
		w0 = (uint16_t)(w0 >> 8 | w0 << 8);
		w1 = (uint16_t)(w1 >> 8 | w1 << 8);
		return (uint32_t)w0 << 16 | w1;
	case MB_DCBA:
		w0 = (uint16_t)(w0 >> 8 | w0 << 8);
		w1 = (uint16_t)(w1 >> 8 | w1 << 8);
		return (uint32_t)w1 << 16 | w0;
	case MB_ABCD:
	default:
		return (uint32_t)w0 << 16 | w1;
	}
}

static void
split32(uint32_t v, enum mb_order order, uint16_t *regs)
{
	uint16_t hi = (uint16_t)(v >> 16), lo = (uint16_t)v;

	switch (order) {
	case MB_CDAB:
		regs[0] = lo;
		regs[1] = hi;
		break;
	case MB_BADC:
		regs[0] = (uint16_t)(hi >> 8 | hi << 8);
		regs[1] = (uint16_t)(lo >> 8 | lo << 8);
		break;
	case MB_DCBA:
		regs[0] = (uint16_t)(lo >> 8 | lo << 8);
		regs[1] = (uint16_t)(hi >> 8 | hi << 8);
		break;
	case MB_ABCD:
	default:
		regs[0] = hi;
		regs[1] = lo;
		break;
	}
}

/* A 16-bit register as the device means it: bytes swapped for order BA. */
static uint16_t
word16(uint16_t reg, enum mb_order order)
{
	return order == MB_BADC ? (uint16_t)(reg >> 8 | reg << 8) : reg;
}

double
mb_field_decode(const struct mb_field *field, const uint16_t *regs)
{
	uint32_t u;
	float fl;
	int on;

	if (field->table == MB_COIL || field->table == MB_DISCRETE || field->bit >= 0) {
		if (field->table == MB_COIL || field->table == MB_DISCRETE)
			on = regs[0] != 0;
		else
			on = (word16(regs[0], field->order) >> field->bit) & 1u;
		return on != field->invert ? 1.0 : 0.0;
	}
	switch (field->type) {
	case MB_I16:
		return (int16_t)word16(regs[0], field->order) * field->scale;
	case MB_U32:
		return join32(regs, field->order) * field->scale;
	case MB_I32:
		return (int32_t)join32(regs, field->order) * field->scale;
	case MB_F32:
		/* A unit may send any 32 bits: NaN and infinity are no weight,
		 * and neither is a float the scale pushes past a double. */
		u = join32(regs, field->order);
		memcpy(&fl, &u, sizeof(fl));
		return isfinite(fl * field->scale) ? fl * field->scale : NAN;
	case MB_U16:
	default:
		return word16(regs[0], field->order) * field->scale;
	}
}

int
mb_field_encode(const struct mb_field *field, double value, uint16_t *regs)
{
	double raw;
	uint32_t u;
	float fl;

	if (!isfinite(value)) {
		errno = ERANGE;
		return -1;
	}
	if (field->table == MB_COIL || field->table == MB_DISCRETE) {
		regs[0] = (value != 0.0) != field->invert;
		return 0;
	}
	if (field->bit >= 0) {
		uint16_t w = word16(regs[0], field->order);

		if ((value != 0.0) != field->invert)
			w = (uint16_t)(w | 1u << field->bit);
		else
			w = (uint16_t)(w & ~(1u << field->bit));
		regs[0] = word16(w, field->order);
		return 0;
	}
	raw = value / field->scale;
	if (field->type != MB_F32)
		raw = round(raw);
	switch (field->type) {
	case MB_U16:
		if (raw < 0 || raw > 65535)
			goto range;
		regs[0] = word16((uint16_t)raw, field->order);
		return 0;
	case MB_I16:
		if (raw < -32768 || raw > 32767)
			goto range;
		regs[0] = word16((uint16_t)(int16_t)raw, field->order);
		return 0;
	case MB_U32:
		if (raw < 0 || raw > 4294967295.0)
			goto range;
		split32((uint32_t)raw, field->order, regs);
		return 0;
	case MB_I32:
		if (raw < -2147483648.0 || raw > 2147483647.0)
			goto range;
		split32((uint32_t)(int32_t)raw, field->order, regs);
		return 0;
	case MB_F32:
		fl = (float)raw;
		memcpy(&u, &fl, sizeof(u));
		split32(u, field->order, regs);
		return 0;
	}
range:
	errno = ERANGE;
	return -1;
}

/* ---- errors ---------------------------------------------------------------- */

static const char *const exception_names[] = {
	[1] = "illegal function",
	[2] = "illegal data address",
	[3] = "illegal data value",
	[4] = "server device failure",
	[5] = "acknowledge",
	[6] = "server device busy",
	[7] = "negative acknowledge",
	[8] = "memory parity error",
	[10] = "gateway path unavailable",
	[11] = "gateway target device failed to respond",
};

const char *
mb_strerror(int errnum)
{
	static _Thread_local char buf[96];

	if (errnum > MB_ERRBASE && errnum < MB_ERRBASE + 0x100) {
		int code = errnum - MB_ERRBASE;
		const char *name = code < (int)(sizeof(exception_names) / sizeof(*exception_names))
		                       ? exception_names[code]
		                       : NULL;
		snprintf(buf, sizeof(buf), "Modbus exception %d (%s)", code,
		    name ? name : "unknown");
		return buf;
	}
	switch (errnum) {
	case MB_ECRC:
		return "Modbus reply with a bad CRC (corrupted frame)";
	case MB_EBADREPLY:
		return "Modbus reply malformed or not matching the request";
	case MB_ENOTCONN:
		return "Modbus bus not open (reopening)";
	case MB_ENOSIGNAL:
		return "the device profile has no such signal";
	case MB_ESTOPPED:
		return "Modbus poller stopped";
	case MB_EBACKOFF:
		return "unit not answering (backing off): heartbeat not sent";
	case ETIMEDOUT:
		return "Modbus timeout: no reply from the unit";
	default:
		if (errnum >= MODBUS_ENOBASE && errnum < MODBUS_ENOBASE + 64)
			return modbus_strerror(errnum);
		return strerror(errnum);
	}
}

enum mb_error_kind
mb_error_kind(int errnum)
{
	if (errnum == 0)
		return MB_ERR_NONE;
	if (errnum > MB_ERRBASE && errnum < MB_ERRBASE + 0x100)
		return MB_ERR_EXCEPTION;
	switch (errnum) {
	case ETIMEDOUT:
	case MB_EBACKOFF: /* not asked: it timed out before and is backed off */
		return MB_ERR_TIMEOUT;
	case MB_ECRC:
		return MB_ERR_CRC;
	case MB_EBADREPLY:
		return MB_ERR_REPLY;
	case MB_ENOTCONN:
	case ECONNRESET:
	case ECONNREFUSED:
	case ECONNABORTED:
	case EPIPE:
	case EIO:
	case EBADF:
	case ENOTCONN:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case ENXIO:
	case ENOENT:
		return MB_ERR_LINK;
	default:
		return MB_ERR_OTHER;
	}
}
