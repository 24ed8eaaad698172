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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>
#include <modbus.h>

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

static const char *const table_names[] = { "coil", "discrete", "input", "holding" };
static const char *const type_names[] = { "u16", "i16", "u32", "i32", "f32" };
static const char *const order_names[] = { "ABCD", "CDAB", "BADC", "DCBA" };
static const char *const kind_names[] = { "scale", "valve", "filler", "indicator" };

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

static int
lookup(const char *const *names, int count, const char *value, int fold)
{
	for (int i = 0; i < count; i++)
		if ((fold ? strcasecmp(names[i], value) : strcmp(names[i], value)) == 0)
			return i;
	return -1;
}

/* ---- the reader: bounded buffer, counted lines ------------------------- */

struct text_reader {
	const char *text;
	size_t len;
	size_t pos;
	int line;          /* number of the line last handed to inih */
	int at_line_start; /* the next piece starts a new line */
};

static char *
read_line(char *str, int num, void *stream)
{
	struct text_reader *r = stream;
	size_t n = 0;

	if (r->pos >= r->len || num < 2)
		return NULL;
	/* A line longer than inih's buffer arrives in pieces: count it once,
	 * when its first piece is handed over. */
	if (r->at_line_start)
		r->line++;
	while (r->pos < r->len && n < (size_t)num - 1) {
		char c = r->text[r->pos++];
		if (c == '\0')
			c = ' '; /* a NUL would cut the line short silently */
		str[n++] = c;
		if (c == '\n')
			break;
	}
	str[n] = '\0';
	r->at_line_start = str[n - 1] == '\n';
	return str;
}

struct parse_state {
	struct text_reader reader;
	const char *origin;
	struct mb_profile *profile;
	char *err;
	size_t errlen;
	int failed;
	uint32_t seen; /* signals with a section */
	int have_name;
};

static int
fail_at(struct parse_state *st, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (st->failed)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_set(st->err, st->errlen, "%s:%d: %s", st->origin, st->reader.line, msg);
	st->failed = 1;
	return 0;
}

static int
parse_long(const char *value, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 0);
	if (errno != 0 || end == value || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int
handle(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;
	struct mb_field *f;
	long n;
	int sig, i;

	if (st->failed)
		return 0;
	if (strcmp(section, "device") == 0) {
		if (strcmp(name, "name") == 0) {
			if (strlen(value) == 0 || strlen(value) >= sizeof(st->profile->name))
				return fail_at(st, "name: 1 to %zu characters",
				    sizeof(st->profile->name) - 1);
			strcpy(st->profile->name, value);
			st->have_name = 1;
		} else if (strcmp(name, "kind") == 0) {
			if (lookup(kind_names, 4, value, 0) < 0)
				return fail_at(st,
				    "kind: '%s' is not scale, valve, filler or indicator", value);
			strcpy(st->profile->kind, value);
		} else if (strcmp(name, "description") == 0) {
			snprintf(st->profile->description, sizeof(st->profile->description), "%s",
			    value);
		} else {
			return fail_at(st, "unknown key '%s' in [device]", name);
		}
		return 1;
	}
	sig = mb_signal_from_name(section);
	if (sig < 0)
		return fail_at(st, "unknown section [%s] (not a signal)", section);
	f = &st->profile->field[sig];
	if (!(st->seen & (1u << sig))) {
		st->seen |= 1u << sig;
		f->present = 1;
		f->scale = 1.0;
		f->bit = -1;
		f->poll = 1;
		f->table = (enum mb_table) - 1;
		f->address = 0;
		f->type = MB_U16;
		f->order = MB_ABCD;
	}
	if (strcmp(name, "table") == 0) {
		if ((i = lookup(table_names, 4, value, 0)) < 0)
			return fail_at(st, "table: '%s' is not coil, discrete, input or holding",
			    value);
		f->table = (enum mb_table)i;
	} else if (strcmp(name, "address") == 0) {
		if (parse_long(value, 0, 65535, &n) < 0)
			return fail_at(st, "address: '%s' is not 0..65535", value);
		f->address = (uint16_t)n;
	} else if (strcmp(name, "type") == 0) {
		if ((i = lookup(type_names, 5, value, 1)) < 0)
			return fail_at(st, "type: '%s' is not u16, i16, u32, i32 or f32", value);
		f->type = (enum mb_type)i;
	} else if (strcmp(name, "order") == 0) {
		if ((i = lookup(order_names, 4, value, 1)) < 0)
			return fail_at(st, "order: '%s' is not ABCD, CDAB, BADC or DCBA", value);
		f->order = (enum mb_order)i;
	} else if (strcmp(name, "scale") == 0) {
		char *end;
		double d = strtod(value, &end);
		if (end == value || *end != '\0' || !isfinite(d) || d == 0.0)
			return fail_at(st, "scale: '%s' is not a non-zero number", value);
		f->scale = d;
	} else if (strcmp(name, "bit") == 0) {
		if (parse_long(value, 0, 15, &n) < 0)
			return fail_at(st, "bit: '%s' is not 0..15", value);
		f->bit = (int)n;
	} else if (strcmp(name, "poll") == 0) {
		if (strcmp(value, "yes") == 0)
			f->poll = 1;
		else if (strcmp(value, "no") == 0)
			f->poll = 0;
		else
			return fail_at(st, "poll: '%s' is not yes or no", value);
	} else {
		return fail_at(st, "unknown key '%s' in [%s]", name, section);
	}
	return 1;
}

int
mb_profile_parse(const char *text, size_t len, const char *origin, struct mb_profile *profile,
    char *err, size_t errlen)
{
	struct parse_state st;
	int rc;

	memset(profile, 0, sizeof(*profile));
	memset(&st, 0, sizeof(st));
	st.reader.text = text;
	st.reader.len = len;
	st.reader.at_line_start = 1;
	st.origin = origin ? origin : "profile";
	st.profile = profile;
	st.err = err;
	st.errlen = errlen;
	if (len > PROFILE_MAX_BYTES) {
		err_set(err, errlen, "%s: larger than %d bytes", st.origin, PROFILE_MAX_BYTES);
		errno = EFBIG;
		return -1;
	}
	rc = ini_parse_stream(read_line, &st.reader, handle, &st);
	if (st.failed)
		goto bad;
	if (rc != 0) {
		err_set(err, errlen, "%s:%d: syntax error", st.origin, rc > 0 ? rc : 0);
		goto bad;
	}
	if (!st.have_name) {
		err_set(err, errlen, "%s: [device] has no name", st.origin);
		goto bad;
	}
	if (profile->kind[0] == '\0') {
		err_set(err, errlen, "%s: [device] has no kind", st.origin);
		goto bad;
	}
	for (int s = 0; s < MB_SIG_COUNT; s++) {
		struct mb_field *f = &profile->field[s];
		int bits, width;

		if (!f->present)
			continue;
		if ((int)f->table < 0) {
			err_set(err, errlen, "%s: [%s] has no table", st.origin, signal_names[s]);
			goto bad;
		}
		bits = f->table == MB_COIL || f->table == MB_DISCRETE;
		if (bits && (f->type != MB_U16 || f->bit >= 0)) {
			err_set(err, errlen, "%s: [%s] is a %s: no type or bit", st.origin,
			    signal_names[s], table_names[f->table]);
			goto bad;
		}
		if (f->bit >= 0 && f->type != MB_U16 && f->type != MB_I16) {
			err_set(err, errlen, "%s: [%s] bit needs a 16-bit type", st.origin,
			    signal_names[s]);
			goto bad;
		}
		width = mb_field_width(f);
		if ((long)f->address + width > 65536) {
			err_set(err, errlen, "%s: [%s] runs past address 65535", st.origin,
			    signal_names[s]);
			goto bad;
		}
		if ((s == MB_SIG_VALVE_CMD || s == MB_SIG_WATCHDOG || s == MB_SIG_HEARTBEAT ||
		        s == MB_SIG_TARGET || s == MB_SIG_START || s == MB_SIG_ABORT) &&
		    f->table != MB_COIL && f->table != MB_HOLDING) {
			err_set(err, errlen,
			    "%s: [%s] is written: it must be a coil or holding register", st.origin,
			    signal_names[s]);
			goto bad;
		}
	}
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

static int
read_file(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	struct stat sb;
	char *buf = NULL;
	size_t got = 0;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		err_set(err, errlen, "%s: %s", path, strerror(errno));
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
	err_set(err, errlen, "%s: %s", path, strerror(saved));
	free(buf);
	close(fd);
	errno = saved;
	return -1;
}

int
mb_profile_load(const char *name, const char *dir, struct mb_profile *profile, char *err,
    size_t errlen)
{
	char path[512];
	const char *dirs[4];
	const char *base;
	char *text = NULL;
	size_t len = 0, nlen = strlen(name);
	int ndirs = 0, rc;

	if (strchr(name, '/') != NULL || (nlen > 4 && strcmp(name + nlen - 4, ".ini") == 0)) {
		snprintf(path, sizeof(path), "%s", name);
	} else {
		if (nlen == 0 || strspn(name, "abcdefghijklmnopqrstuvwxyz"
		                              "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != nlen) {
			err_set(err, errlen,
			    "profile name '%s': letters, digits, '-', '_', '.' only", name);
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
			err_set(err, errlen, "profile '%s' not found (looked in %s%s%s)", name,
			    dirs[0], ndirs > 1 ? " and " : "",
			    ndirs > 1 ? "the default folders" : "");
			errno = ENOENT;
			return -1;
		}
	}
	if (read_file(path, &text, &len, err, errlen) < 0)
		return -1;
	base = strrchr(path, '/');
	rc = mb_profile_parse(text, len, base ? base + 1 : path, profile, err, errlen);
	free(text);
	return rc;
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

double
mb_field_decode(const struct mb_field *field, const uint16_t *regs)
{
	uint32_t u;
	float fl;

	if (field->table == MB_COIL || field->table == MB_DISCRETE)
		return regs[0] ? 1.0 : 0.0;
	if (field->bit >= 0)
		return (regs[0] >> field->bit) & 1u ? 1.0 : 0.0;
	switch (field->type) {
	case MB_I16:
		return (int16_t)regs[0] * field->scale;
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
		return regs[0] * field->scale;
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
		regs[0] = value != 0.0;
		return 0;
	}
	if (field->bit >= 0) {
		if (value != 0.0)
			regs[0] = (uint16_t)(regs[0] | 1u << field->bit);
		else
			regs[0] = (uint16_t)(regs[0] & ~(1u << field->bit));
		return 0;
	}
	raw = value / field->scale;
	if (field->type != MB_F32)
		raw = round(raw);
	switch (field->type) {
	case MB_U16:
		if (raw < 0 || raw > 65535)
			goto range;
		regs[0] = (uint16_t)raw;
		return 0;
	case MB_I16:
		if (raw < -32768 || raw > 32767)
			goto range;
		regs[0] = (uint16_t)(int16_t)raw;
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
