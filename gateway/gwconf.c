/*
 * gwconf: the station gateway's configuration tables and the checks that
 * span several keys.  The [rules] defaults are written here and nowhere
 * else (docs/rules.md lists them).
 */
#include "gwconf.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "psk.h"
#include "util.h"

#define STR(field, st) offsetof(st, field), sizeof(((st *)0)->field)
#define NUM(field, st) offsetof(st, field), 0

static const char *const bus_types[] = { "rtu", "tcp", NULL };
static const char *const parities[] = { "none", "even", "odd", NULL };
static const char *const cutoff_modes[] = { "gateway", "controller", NULL };
static const char *const log_levels[] = { "warn", "info", "debug", NULL };

#define S struct gw_config
static const struct conf_key station_keys[] = {
	{ "id", CONF_STRING, STR(station_id, S), 1, 0, NULL,
	    "station id, as registered with the county (PSK identity station:ID)", NULL,
	    CONF_RESTART },
	{ "company", CONF_STRING, STR(company, S), 1, 0, NULL,
	    "company that runs the station; cylinders of other owners are refused (R03)", NULL,
	    CONF_RESTART },
	{ "township", CONF_STRING, STR(township, S), 1, 0, NULL,
	    "township code of the station (alerts about the station go there)", NULL,
	    CONF_RESTART },
	{ "county", CONF_STRING, STR(county, S), 6, 0, NULL,
	    "six-digit county code (GB/T 2260), e.g. 330825", NULL, CONF_RESTART },
	{ "database", CONF_STRING, STR(database, S), 1, 0, "/var/lib/gasgw/station.db",
	    "SQLite database of fills, registry and outbox", NULL, CONF_RESTART },
	{ "control_socket", CONF_STRING, STR(control_socket, S), 1, 0, "/run/gasgw/control.sock",
	    "Unix socket for gasctl (mode 0660)", NULL, CONF_RESTART },
	{ "profiles", CONF_STRING, STR(profiles_dir, S), 1, 0, "/usr/local/share/gasgw/profiles",
	    "folder of device profiles (NAME.ini)", NULL, CONF_RESTART },
	{ "code_public_key", CONF_STRING, STR(code_public_key, S), 1, 0, NULL,
	    "county public key (PEM) that signs cylinder codes", NULL, CONF_RESTART },
	{ "buyer_key", CONF_STRING, STR(buyer_key, S), 1, 0, NULL,
	    "county buyer key file (hex); buyer ids are HMAC-SHA256 under it", NULL, CONF_RESTART },
	{ "heartbeat_ms", CONF_INT, NUM(heartbeat_ms, S), 50, 5000, "200",
	    "period of the heartbeat that feeds each valve controller's watchdog (ms)", NULL,
	    CONF_RESTART },
	{ "watchdog_ms", CONF_INT, NUM(watchdog_ms, S), 200, 60000, "1000",
	    "watchdog timeout written to valve controllers: no heartbeat for this long closes the valve (ms)",
	    NULL, CONF_RESTART },
	{ "control_idle_s", CONF_INT, NUM(control_idle_s, S), 1, 3600, "30",
	    "a control socket connection that completes no request this long is closed", NULL,
	    CONF_RESTART },
	{ "shift_hours", CONF_INT, NUM(shift_hours, S), 1, 24, "12",
	    "an operator's login ends by itself this many hours after it began (end of shift)",
	    NULL, CONF_RESTART },
	{ "log_level", CONF_CHOICE, STR(log_level, S), 0, 0, "info", "logging detail", log_levels,
	    0 },
	{ "timezone", CONF_ZONE, STR(timezone, S), 0, 0, "Asia/Shanghai",
	    "time zone of the times people read (log, messages) and of \"today\" for the "
	    "inspection and service-life rules",
	    NULL, CONF_RESTART },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
};

static const struct conf_key county_keys[] = {
	{ "host", CONF_STRING, STR(county_host, S), 0, 0, "",
	    "county server host name or address; empty: no uplink (records wait in the outbox)",
	    NULL, CONF_RESTART },
	{ "port", CONF_INT, NUM(county_port, S), 1, 65535, "5684",
	    "county server UDP port (CoAP over DTLS)", NULL, CONF_RESTART },
	{ "psk_file", CONF_STRING, STR(psk_file, S), 0, 0, "",
	    "file holding this station's pre-shared key in hex (mode 0600)", NULL, CONF_RESTART },
	{ "batch", CONF_INT, NUM(uplink_batch, S), 1, 1000, "200", "records per uplink request",
	    NULL, CONF_RESTART },
	{ "rate", CONF_INT, NUM(uplink_rate, S), 1, 100000, "5000",
	    "records per second at most while draining a backlog", NULL, CONF_RESTART },
	{ "heartbeat_s", CONF_INT, NUM(heartbeat_s, S), 5, 3600, "60",
	    "station status report period (s)", NULL, CONF_RESTART },
	{ "registry_pull_s", CONF_INT, NUM(registry_pull_s, S), 5, 86400, "300",
	    "registry delta poll period (s)", NULL, CONF_RESTART },
	{ "acked_keep_days", CONF_INT, NUM(acked_keep_days, S), 1, 3650, "30",
	    "records the county acknowledged are kept this long (days), to be sent again if the "
	    "county loses them (its database restored from a backup)",
	    NULL, CONF_RESTART },
	{ "uplink_user", CONF_STRING, STR(uplink_user, S), 1, 0, "nobody",
	    "user the uplink process (DTLS, CBOR) runs as when gasgw starts as root or with "
	    "CAP_SETUID and CAP_SETGID; give it a user of its own",
	    NULL, CONF_RESTART },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
};
#undef S

#define R struct gw_rules
const struct conf_key gw_rules_keys[] = {
	{ "inspection_cycle_years", CONF_INT, NUM(inspection_cycle_years, R), 1, 10, "4",
	    "R05 periodic inspection cycle (years)", NULL, 0 },
	{ "life_years", CONF_INT, NUM(life_years, R), 1, 30, "8",
	    "R06 service life of cylinders made 2006 or later (years)", NULL, 0 },
	{ "life_years_before_2006", CONF_INT, NUM(life_years_before_2006, R), 1, 30, "15",
	    "R06 service life of cylinders made before 2006 (years)", NULL, 0 },
	{ "tare_over_kg", CONF_DOUBLE, NUM(tare_over_kg, R), 0, 5, "0.5",
	    "R09 empty weight may exceed the stamped tare by this much (kg)", NULL, 0 },
	{ "tare_under_kg", CONF_DOUBLE, NUM(tare_under_kg, R), 0, 5, "0.3",
	    "R09 empty weight may fall short of the stamped tare by this much (kg)", NULL, 0 },
	{ "refill_min_minutes", CONF_INT, NUM(refill_min_minutes, R), 0, 10080, "120",
	    "R10 the same cylinder filled again sooner than this is flagged (min)", NULL, 0 },
	{ "household_max", CONF_INT, NUM(household_max, R), 1, 1000, "3",
	    "R11 cylinders a household may take in the window", NULL, 0 },
	{ "business_max", CONF_INT, NUM(business_max, R), 1, 100000, "60",
	    "R11 cylinders a business may take in the window", NULL, 0 },
	{ "hoard_window_days", CONF_INT, NUM(hoard_window_days, R), 1, 365, "30",
	    "R11 window (days)", NULL, 0 },
	{ "short_kg", CONF_DOUBLE, NUM(short_kg, R), 0.01, 5, "0.4",
	    "R21 net below target by more than this is short weight (kg)", NULL, 0 },
	{ "max_fill_s", CONF_INT, NUM(max_fill_s, R), 10, 3600, "180",
	    "R22 longest a fill may take before the valve is closed (s)", NULL, 0 },
	{ "leak_rise_kg", CONF_DOUBLE, NUM(leak_rise_kg, R), 0.01, 5, "0.2",
	    "R23 weight rise with the valve commanded closed that is an emergency (kg)", NULL, 0 },
	{ "link_loss_ms", CONF_INT, NUM(link_loss_ms, R), 100, 60000, "1000",
	    "R24 scale or valve silent this long during a fill interrupts it (ms)", NULL, 0 },
	{ "checkweigh_pct", CONF_DOUBLE, NUM(checkweigh_pct, R), 0.001, 10, "0.1",
	    "R25 check-weigh may differ from the fill reading by this % of capacity", NULL, 0 },
	{ "overfill_kg", CONF_DOUBLE, NUM(overfill_kg, R), 0, 2, "0.1",
	    "R20 net above the stamped fill mass by more than this is an overfill (kg)", NULL, 0 },
	{ "clock_back_hours", CONF_INT, NUM(clock_back_hours, R), 1, 87600, "24",
	    "the valve stays shut while the clock reads more than this before the newest fill "
	    "(h): a clock set back (a reset real-time clock) would pass R05-R07",
	    NULL, 0 },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
};
#undef R

#define B struct gw_bus
static const struct conf_key bus_keys[] = {
	{ "type", CONF_CHOICE, STR(type, B), 0, 0, NULL, "bus kind", bus_types, CONF_RESTART },
	{ "device", CONF_STRING, STR(device, B), 0, 0, "", "rtu: serial device, e.g. /dev/ttyUSB0",
	    NULL, CONF_RESTART },
	{ "baud", CONF_INT, NUM(baud, B), 1200, 921600, "19200", "rtu: baud rate", NULL,
	    CONF_RESTART },
	{ "parity", CONF_CHOICE, STR(parity, B), 0, 0, "even", "rtu: parity", parities,
	    CONF_RESTART },
	{ "data_bits", CONF_INT, NUM(data_bits, B), 7, 8, "8", "rtu: data bits", NULL,
	    CONF_RESTART },
	{ "stop_bits", CONF_INT, NUM(stop_bits, B), 1, 2, "1", "rtu: stop bits", NULL,
	    CONF_RESTART },
	{ "rs485", CONF_BOOL, NUM(rs485, B), 0, 0, "no",
	    "rtu: switch the port to RS-485 mode after connecting", NULL, CONF_RESTART },
	{ "host", CONF_STRING, STR(host, B), 0, 0, "", "tcp: host name or address", NULL,
	    CONF_RESTART },
	{ "port", CONF_INT, NUM(port, B), 1, 65535, "502", "tcp: port", NULL, CONF_RESTART },
	{ "response_timeout_ms", CONF_INT, NUM(response_timeout_ms, B), 10, 10000, "300",
	    "time to wait for a reply (ms)", NULL, CONF_RESTART },
	{ "byte_timeout_ms", CONF_INT, NUM(byte_timeout_ms, B), 1, 1000, "50",
	    "time allowed between bytes of one reply (ms)", NULL, CONF_RESTART },
	{ "poll_hz", CONF_INT, NUM(poll_hz, B), 1, 100, "20", "reads per second of each unit", NULL,
	    CONF_RESTART },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
};
#undef B

#define L struct gw_line
static const struct conf_key line_keys[] = {
	{ "bus", CONF_STRING, STR(bus, L), 1, 0, NULL, "name of the [bus] the units are on", NULL,
	    CONF_RESTART },
	{ "scale_unit", CONF_INT, NUM(scale_unit, L), 1, 247, NULL, "Modbus unit id of the scale",
	    NULL, CONF_RESTART },
	{ "scale_profile", CONF_STRING, STR(scale_profile, L), 1, 0, "sim-scale",
	    "device profile of the scale (kind scale or indicator), or of the filling controller "
	    "(kind filler) when scale_unit = valve_unit",
	    NULL, CONF_RESTART },
	{ "valve_unit", CONF_INT, NUM(valve_unit, L), 1, 247, NULL,
	    "Modbus unit id of the valve controller (may equal scale_unit)", NULL, CONF_RESTART },
	{ "valve_profile", CONF_STRING, STR(valve_profile, L), 1, 0, "sim-valve",
	    "device profile of the valve controller (kind valve); unused when scale_unit = "
	    "valve_unit",
	    NULL, CONF_RESTART },
	{ "cutoff", CONF_CHOICE, STR(cutoff, L), 0, 0, "gateway",
	    "who closes the valve at target: the gateway, or a filling controller", cutoff_modes,
	    CONF_RESTART },
	{ "scanner", CONF_STRING, STR(scanner, L), 0, 0, "",
	    "serial barcode scanner device (one code per line); empty for none", NULL,
	    CONF_RESTART },
	{ "preact_kg", CONF_DOUBLE, NUM(preact_kg, L), 0, 5, "0.1",
	    "initial pre-act: close this far below target until overshoot is learned (kg)", NULL,
	    CONF_RESTART },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
};
#undef L

const struct conf_section gw_config_sections[] = {
	{ "station", 0, 1, 0, 0, 0, 0, 0, "This station", station_keys, 0 },
	{ "county", 0, 1, 0, 0, 0, 0, 0, "The county supervision server (uplink)", county_keys, 0 },
	{ "rules", 0, 1, offsetof(struct gw_config, rules), 0, 0, 0, 0,
	    "Rule thresholds (codes as in docs/rules.md)", gw_rules_keys, 0 },
	{ "bus", 1, GW_MAX_BUSES, offsetof(struct gw_config, buses), sizeof(struct gw_bus),
	    offsetof(struct gw_config, bus_count), offsetof(struct gw_bus, name),
	    sizeof(((struct gw_bus *)0)->name), "A Modbus bus: RS-485 (rtu) or Modbus TCP",
	    bus_keys, 0 },
	{ "line", 1, GW_MAX_LINES, offsetof(struct gw_config, lines), sizeof(struct gw_line),
	    offsetof(struct gw_config, line_count), offsetof(struct gw_line, name),
	    sizeof(((struct gw_line *)0)->name),
	    "A fill line: one scale and one valve controller (or one filling controller)",
	    line_keys, 0 },
	{ NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, 0 },
};

/* What the check of a configuration needs besides the tables. */
struct gw_check {
	int check_only;                  /* gasgw -n: what a start meets only as it runs, too */
	struct conf_report *notes;       /* warnings, or NULL (a reload: said at start) */
	const struct gw_config *current; /* a reload: the configuration in force, or NULL */
	struct conf_report *changed;     /* a reload: profiles changed under their name */
	struct gw_profile_seen {         /* each profile checked once per role */
		char name[64];
		enum mb_role role;
		int ok, missing;
		struct mb_profile profile;
	} seen[2 * GW_MAX_LINES];
	size_t nseen;
	struct conf_report found, lost; /* scratch: one profile's errors and notes */
};

static const char *const role_words[] = { "scale", "valve controller", "filling controller" };

/*
 * Load a line's profile (key: scale_profile or valve_profile) into out and
 * check it for role.  Errors name the configuration's line, then give the
 * profile's own FILE:LINE messages; each profile and role is checked once.
 */
static void
line_profile(const struct conf_where *where, struct conf_report *report, struct gw_check *gc,
    const struct gw_config *c, const struct gw_line *l, const char *key, const char *name,
    enum mb_role role, struct mb_profile *out)
{
	const char *file = conf_where_name(where);
	int line = conf_where_line(where, l, key);
	struct gw_profile_seen *seen;
	char why[128] = "";
	int missing = 0;
	size_t i;

	if (line == 0)
		line = conf_where_line(where, l, NULL);
	for (i = 0; i < gc->nseen; i++)
		if (gc->seen[i].role == role && strcmp(gc->seen[i].name, name) == 0)
			break;
	/* a filling controller is no role a key names: say what made it one */
	if (role == MB_ROLE_FILLER)
		snprintf(why, sizeof(why),
		    " (scale_unit = valve_unit = %d: one unit weighs and "
		    "closes the valve)",
		    l->scale_unit);
	if (i < gc->nseen) {
		*out = gc->seen[i].profile;
		if (gc->seen[i].missing)
			conf_report_add(report, file, line, "[line %s] %s: profile '%s' not found",
			    l->name, key, name);
		else if (!gc->seen[i].ok)
			conf_report_add(report, file, line,
			    "[line %s] %s '%s' cannot be the line's %s%s (as above)", l->name, key,
			    name, role_words[role], why);
		return;
	}
	memset(&gc->found, 0, sizeof(gc->found));
	memset(&gc->lost, 0, sizeof(gc->lost));
	if (mb_profile_load_report(name, c->profiles_dir, out, &gc->found) == -1) {
		/* not found: one message, at the line that names it */
		missing = errno == ENOENT || gc->found.count == 0;
		if (missing)
			conf_report_add(report, file, line, "[line %s] %s: profile %s", l->name,
			    key,
			    gc->found.count > 0 ? gc->found.errors[0] + gc->found.text_at[0]
			                        : "not found");
		else
			conf_report_add(report, file, line,
			    "[line %s] %s '%s' does not load:", l->name, key, name);
	} else if (mb_profile_check(out, role, &gc->found, &gc->lost) == -1) {
		conf_report_add(report, file, line,
		    "[line %s] %s '%s' cannot be the line's %s%s:", l->name, key, name,
		    role_words[role], why);
	}
	if (!missing)
		conf_report_append(report, &gc->found);
	if (gc->notes != NULL && gc->found.count == 0)
		conf_report_append(gc->notes, &gc->lost); /* a refused one: its errors say enough */
	if (gc->nseen < sizeof(gc->seen) / sizeof(gc->seen[0])) {
		seen = &gc->seen[gc->nseen++];
		str_copy(seen->name, name, sizeof(seen->name));
		seen->role = role;
		seen->ok = gc->found.count == 0 && !missing;
		seen->missing = missing;
		seen->profile = *out;
	}
}

/* 1 if two loaded profiles say the same of the device (where in their files
 * they say it aside). */
static int
profile_same(const struct mb_profile *a, const struct mb_profile *b)
{
	if (strcmp(a->name, b->name) != 0 || strcmp(a->kind, b->kind) != 0 ||
	    strcmp(a->description, b->description) != 0 || a->capacity_kg != b->capacity_kg ||
	    a->close_ms != b->close_ms)
		return 0;
	for (int s = 0; s < MB_SIG_COUNT; s++) {
		const struct mb_field *x = &a->field[s], *y = &b->field[s];

		if (x->present != y->present)
			return 0;
		if (x->present &&
		    (x->table != y->table || x->address != y->address || x->type != y->type ||
		        x->order != y->order || x->scale != y->scale || x->bit != y->bit ||
		        x->invert != y->invert || x->poll != y->poll))
			return 0;
	}
	return 1;
}

/* A reload: a line's profile file no longer reads as the one in force. */
static void
profile_changed(const struct conf_where *where, struct gw_check *gc, const struct gw_line *l,
    const char *key, const struct mb_profile *now)
{
	const struct gw_config *cur = gc->current;

	for (size_t i = 0; i < cur->line_count; i++) {
		const struct gw_line *was = &cur->lines[i];
		const struct mb_profile *p =
		    strcmp(key, "scale_profile") == 0 ? &was->scale : &was->valve;

		if (strcmp(was->name, l->name) != 0)
			continue;
		if (strcmp(p->origin, now->origin) == 0 && !profile_same(p, now))
			conf_report_add(gc->changed, now->origin, 0,
			    "changed since [line %s] (%s:%d) read it: read again only on restart",
			    l->name, conf_where_name(where), conf_where_line(where, l, key));
	}
}

/*
 * The station's township, in the form the county can know: the county
 * knows a township by its identity township:CODE (gascounty's identities
 * file; it refuses a station's claim of a township it has no identity for),
 * and psk_identity_role is the rule such an identity's CODE is held to.  Which
 * townships exist is the county's word, not this file's: a code of the right
 * form the county does not know is refused by the county at first contact.
 */
static void
township_check(const struct conf_where *where, struct conf_report *report,
    const struct gw_config *config)
{
	char identity[sizeof("township:") + sizeof(config->township)];

	if (config->township[0] == '\0')
		return; /* required: said by the tables */
	snprintf(identity, sizeof(identity), "township:%s", config->township);
	if (psk_identity_role(identity, NULL, 0) != PSK_ROLE_TOWNSHIP)
		conf_report_add(report, conf_where_name(where),
		    conf_where_line(where, config, "township"),
		    "[station] township '%s' cannot be a township of the county: the county names "
		    "each by an identity township:CODE, a CODE without spaces, control characters "
		    "or ':'",
		    config->township);
}

/*
 * gasgw -n: what a start meets only as it runs, named at its line.  The
 * uplink's user: at a start a wrong one keeps only the uplink from starting
 * (the lines fill on), so -n reports it as the error it is.  A scanner that
 * is not there: ctl.c opens a line's scanner when it appears (it is tried
 * again every 2 s, as one is plugged in) and the line works without it, so
 * a warning.
 */
static void
host_check(const struct conf_where *where, struct conf_report *report, struct conf_report *notes,
    const struct gw_config *config)
{
	const char *file = conf_where_name(where);
	const struct passwd *pw;
	struct stat st;
	int line;

	if (config->county_host[0] != '\0' &&
	    ((pw = getpwnam(config->uplink_user)) == NULL || pw->pw_uid == 0)) {
		line = conf_where_line(where, config, "uplink_user");
		conf_report_add(report, file,
		    line > 0 ? line : conf_where_line(where, config, "host"),
		    "[county] uplink_user '%s'%s: %s", config->uplink_user,
		    line > 0 ? "" : " (the default)",
		    pw == NULL ? "no such user" : "is root; the uplink must run unprivileged");
	}
	for (size_t i = 0; notes != NULL && i < config->line_count; i++) {
		const struct gw_line *l = &config->lines[i];

		if (l->scanner[0] == '\0' || stat(l->scanner, &st) == 0)
			continue;
		conf_report_add(notes, file, conf_where_line(where, l, "scanner"),
		    "[line %s] scanner %s: %s; the line works without it, and gasgw opens it "
		    "when it appears",
		    l->name, l->scanner, strerror(errno));
	}
}

/*
 * Whether two [bus] sections name one physical link: the same serial
 * device (by name, or the same character device under two names such as
 * /dev/ttyUSB0 and a /dev/serial/by-id link), or the same TCP host and
 * port.  Unit ids are one space on a link, and the clash check between
 * lines is per [bus]: two sections for one link would let two lines
 * address one unit (review rev99).  what receives the link, for the
 * message.
 */
static int
same_link(const struct gw_bus *a, const struct gw_bus *b, char *what, size_t whatlen)
{
	struct stat sa, sb;

	if (strcmp(a->type, b->type) != 0)
		return 0;
	if (strcmp(a->type, "tcp") == 0) {
		if (a->host[0] == '\0' || a->port != b->port || strcasecmp(a->host, b->host) != 0)
			return 0;
		snprintf(what, whatlen, "tcp %s port %d", b->host, b->port);
		return 1;
	}
	if (a->device[0] == '\0' || b->device[0] == '\0')
		return 0;
	if (strcmp(a->device, b->device) != 0 &&
	    (stat(a->device, &sa) != 0 || stat(b->device, &sb) != 0 || !S_ISCHR(sa.st_mode) ||
	        !S_ISCHR(sb.st_mode) || sa.st_rdev != sb.st_rdev))
		return 0;
	snprintf(what, whatlen, "rtu %s", b->device);
	return 1;
}

/* The index of the first [bus] that is the link of [bus name] (its own
 * index when none before it is), or -1 for no such bus: lines whose buses
 * have one link share one space of unit ids. */
static long
link_of(const struct gw_config *config, const char *name)
{
	char what[GW_PATH + 160];

	for (size_t i = 0; i < config->bus_count; i++) {
		if (strcmp(config->buses[i].name, name) != 0)
			continue;
		for (size_t j = 0; j < i; j++)
			if (same_link(&config->buses[j], &config->buses[i], what, sizeof(what)))
				return (long)j;
		return (long)i;
	}
	return -1;
}

/* No serial device named by two [bus] sections (two openings of one
 * RS-485 port would mix their frames): refused, naming the first.  Two
 * [bus] for one TCP address are two connections to one Modbus gateway,
 * which is honest; their lines share its unit ids (the check of the lines
 * below). */
static void
bus_links_check(const struct conf_where *where, struct conf_report *report,
    const struct gw_config *config)
{
	const char *file = conf_where_name(where);
	char what[GW_PATH + 160];

	for (size_t i = 1; i < config->bus_count; i++) {
		const struct gw_bus *b = &config->buses[i];

		if (strcmp(b->type, "rtu") != 0)
			continue;
		for (size_t j = 0; j < i; j++) {
			const struct gw_bus *o = &config->buses[j];

			if (!same_link(o, b, what, sizeof(what)))
				continue;
			conf_report_add(report, file, conf_where_line(where, b, NULL),
			    "[bus %s] is the link of [bus %s] (line %d), %s: put all the lines "
			    "of one link under one [bus]",
			    b->name, o->name, conf_where_line(where, o, NULL), what);
			break;
		}
	}
}

/* conf_input.check: what spans keys, then the profiles. */
static void
gw_config_check(void *root, const struct conf_where *where, struct conf_report *report, void *arg)
{
	struct gw_config *config = root;
	struct gw_check *gc = arg;
	const char *file = conf_where_name(where);

	if (config->county[0] != '\0' &&
	    (strspn(config->county, "0123456789") != 6 || config->county[6] != '\0'))
		conf_report_add(report, file, conf_where_line(where, config, "county"),
		    "[station] county '%s' is not a six-digit code", config->county);
	township_check(where, report, config);
	/* a heartbeat slower than the watchdog lets every valve's watchdog shut
	 * it between two heartbeats: every fill would end in R24 */
	if (config->heartbeat_ms >= config->watchdog_ms) {
		int line = conf_where_line(where, config, "heartbeat_ms");

		conf_report_add(report, file,
		    line > 0 ? line : conf_where_line(where, config, "watchdog_ms"),
		    "[station] heartbeat_ms %d must be less than watchdog_ms %d: the valves' "
		    "watchdogs would close them between two heartbeats",
		    config->heartbeat_ms, config->watchdog_ms);
	}
	for (size_t i = 0; i < config->bus_count; i++) {
		struct gw_bus *b = &config->buses[i];
		int line = conf_where_line(where, b, NULL);

		if (strcmp(b->type, "rtu") == 0 && b->device[0] == '\0')
			conf_report_add(report, file, line, "[bus %s] is rtu but has no device",
			    b->name);
		if (strcmp(b->type, "tcp") == 0 && b->host[0] == '\0')
			conf_report_add(report, file, line, "[bus %s] is tcp but has no host",
			    b->name);
	}
	bus_links_check(where, report, config);
	for (size_t i = 0; i < config->line_count; i++) {
		struct gw_line *l = &config->lines[i];
		int header = conf_where_line(where, l, NULL), bus_line;
		char *end;
		long number = strtol(l->name, &end, 10);
		int found = 0;

		if (l->name[0] == '\0' || *end != '\0' || number < 1 || number > GW_LINE_NUMBER_MAX)
			conf_report_add(report, file, header,
			    "[line %s]: a line's name is its number (1 to 999)", l->name);
		l->number = (int)number;
		for (size_t j = 0; j < config->bus_count; j++)
			if (strcmp(config->buses[j].name, l->bus) == 0)
				found = 1;
		bus_line = conf_where_line(where, l, "bus");
		if (!found && l->bus[0] != '\0')
			conf_report_add(report, file, bus_line ? bus_line : header,
			    "[line %s]: no [bus %s] is configured", l->name, l->bus);
		for (size_t j = 0; j < i; j++) {
			struct gw_line *o = &config->lines[j];
			int same_bus = strcmp(o->bus, l->bus) == 0;

			if (!(o->scale_unit == l->scale_unit || o->valve_unit == l->valve_unit ||
			        o->scale_unit == l->valve_unit || o->valve_unit == l->scale_unit))
				continue;
			if (same_bus)
				conf_report_add(report, file, header,
				    "[line %s]: uses a unit id that [line %s] already uses on its bus",
				    l->name, o->name);
			else if (link_of(config, o->bus) >= 0 &&
			         link_of(config, o->bus) == link_of(config, l->bus))
				conf_report_add(report, file, header,
				    "[line %s]: uses a unit id that [line %s] already uses on the same "
				    "link ([bus %s] and [bus %s] reach one address)",
				    l->name, o->name, l->bus, o->bus);
		}
		l->preact_given = conf_where_line(where, l, "preact_kg") > 0;
		/* The profiles: one filling controller, or a scale and a valve. */
		l->filler = l->scale_unit == l->valve_unit;
		if (l->scale_profile[0] == '\0' || (!l->filler && l->valve_profile[0] == '\0'))
			continue; /* said by the tables */
		line_profile(where, report, gc, config, l, "scale_profile", l->scale_profile,
		    l->filler ? MB_ROLE_FILLER : MB_ROLE_SCALE, &l->scale);
		if (!l->filler)
			line_profile(where, report, gc, config, l, "valve_profile",
			    l->valve_profile, MB_ROLE_VALVE, &l->valve);
		else if (gc->notes != NULL && conf_where_line(where, l, "valve_profile") > 0 &&
		         strcmp(l->valve_profile, l->scale_profile) != 0)
			conf_report_add(gc->notes, file, conf_where_line(where, l, "valve_profile"),
			    "[line %s] valve_profile is not used: scale_unit = valve_unit makes the "
			    "line one filling controller, described by scale_profile",
			    l->name);
		if (gc->current != NULL) {
			profile_changed(where, gc, l, "scale_profile", &l->scale);
			if (!l->filler)
				profile_changed(where, gc, l, "valve_profile", &l->valve);
		}
	}
	if (config->line_count == 0)
		conf_report_add(report, file, 0, "no [line] is configured");
	if (config->county_host[0] != '\0' && config->psk_file[0] == '\0')
		conf_report_add(report, file, conf_where_line(where, config, "host"),
		    "[county] host is set but psk_file is not");
	/* a key with nowhere to send: the records wait in the outbox, said at once */
	if (config->county_host[0] == '\0' && config->psk_file[0] != '\0' && gc->notes != NULL)
		conf_report_add(gc->notes, file, conf_where_line(where, config, "psk_file"),
		    "[county] psk_file is set but host is not: the uplink is off, and the "
		    "station's records wait in its outbox");
	if (gc->check_only)
		host_check(where, report, gc->notes, config);
}

static int
gw_config_parse(const char *path, int check_only, const struct gw_config *current,
    struct gw_config *fresh, struct conf_report *notes, struct conf_report *report)
{
	struct gw_check *gc = calloc(1, sizeof(*gc));
	struct conf_input input = { .path = path, .check = gw_config_check };
	int rc;

	if (notes != NULL)
		memset(notes, 0, sizeof(*notes));
	memset(fresh, 0, sizeof(*fresh));
	if (gc == NULL) {
		memset(report, 0, sizeof(*report));
		conf_report_add(report, path, 0, "out of memory");
		return -1;
	}
	input.arg = gc;
	gc->check_only = check_only;
	if (current == NULL) {
		gc->notes = notes;
		rc = conf_parse(&input, gw_config_sections, fresh, report);
	} else {
		struct conf_report changed;

		memset(&changed, 0, sizeof(changed));
		gc->current = current;
		gc->changed = &changed;
		rc = conf_reload(&input, gw_config_sections, current, fresh, notes, report);
		if (rc == 0)
			conf_report_append(notes, &changed);
	}
	free(gc);
	return rc;
}

int
gw_config_load(const char *path, int check_only, struct gw_config *config,
    struct conf_report *report, struct conf_report *notes)
{
	return gw_config_parse(path, check_only, NULL, config, notes, report);
}

int
gw_config_reload(const char *path, const struct gw_config *current, struct gw_config *fresh,
    struct conf_report *notes, struct conf_report *report)
{
	return gw_config_parse(path, 0, current, fresh, notes, report);
}

enum log_level
gw_log_level(const struct gw_config *config)
{
	if (config->log_verbose >= 2 || strcmp(config->log_level, "debug") == 0)
		return LOG_LEVEL_DEBUG;
	if (config->log_verbose == 1 || strcmp(config->log_level, "info") == 0)
		return LOG_LEVEL_INFO;
	return LOG_LEVEL_WARN;
}
