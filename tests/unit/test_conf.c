/*
 * conf + gwconf: what an operator sees when the configuration is right,
 * and every kind of mistake reported with its file and line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "fixture.h"
#include "gwconf.h"
#include "line.h"

static const char good[] = "[station]\n"
                           "id = s1\n"
                           "company = Acme Gas\n"
                           "township = 330825101\n"
                           "county = 330825\n"
                           "code_public_key = /k.pub\n"
                           "buyer_key = /b.key\n"
                           "\n"
                           "[bus a]\n"
                           "type = tcp\n"
                           "host = 127.0.0.1\n"
                           "port = 1502\n"
                           "\n"
                           "[line 1]\n"
                           "bus = a\n"
                           "scale_unit = 1\n"
                           "valve_unit = 2\n";

static int
load(const char *text, struct gw_config *config, struct conf_report *report)
{
	memset(config, 0, sizeof(*config));
	return conf_load_string("test.conf", text, gw_config_sections, config, report);
}

/* 1 if some error of the report contains needle. */
static int
has_error(const struct conf_report *report, const char *needle)
{
	for (size_t i = 0; i < report->count; i++)
		if (strstr(report->errors[i], needle) != NULL)
			return 1;
	return 0;
}

static void
good_file_fills_values_and_defaults(void **state)
{
	struct gw_config *c = calloc(1, sizeof(*c));
	struct conf_report r;

	(void)state;
	assert_int_equal(load(good, c, &r), 0);
	assert_string_equal(c->station_id, "s1");
	assert_string_equal(c->company, "Acme Gas");
	assert_int_equal(c->bus_count, 1);
	assert_string_equal(c->buses[0].name, "a");
	assert_int_equal(c->buses[0].port, 1502);
	assert_int_equal(c->line_count, 1);
	assert_int_equal(c->lines[0].valve_unit, 2);
	/* Defaults of the [rules] rows (docs/rules.md). */
	assert_int_equal(c->rules.max_fill_s, 180);
	assert_int_equal(c->rules.household_max, 3);
	assert_true(c->rules.short_kg > 0.399 && c->rules.short_kg < 0.401);
	assert_string_equal(c->lines[0].cutoff, "gateway");
	free(c);
}

struct bad_case {
	const char *name;
	const char *text;
	const char *expect; /* substring of one error, including the line */
};

static const struct bad_case bad_cases[] = {
	{ "misspelled key", "[station]\nid = s\nflavour = x\n",
	    "test.conf:3: unknown key 'flavour'" },
	{ "suggests near key", "[bus a]\ntype = tcp\nhost = h\npoll_hzz = 3\n",
	    "did you mean 'poll_hz'" },
	{ "number out of range", "[rules]\nmax_fill_s = 99999\n",
	    "test.conf:2: 'max_fill_s' = 99999 is out of range" },
	{ "not a number", "[rules]\nhousehold_max = three\n",
	    "test.conf:2: 'household_max' must be a whole number" },
	{ "bad choice", "[bus a]\ntype = can\n", "test.conf:2: 'type' must be one of rtu, tcp" },
	{ "bad bool", "[bus a]\ntype = rtu\nrs485 = maybe\n",
	    "test.conf:3: 'rs485' must be yes or no" },
	{ "unknown section", "[stattion]\nid = s\n", "test.conf:1: unknown section [stattion]" },
	{ "repeated section needs a name", "[line]\nbus = a\n",
	    "test.conf:1: section [line] needs a name" },
	{ "section given twice", "[rules]\n[rules]\n", "test.conf:2: section [rules] given twice" },
	{ "key set twice", "[rules]\nshort_kg = 0.3\nshort_kg = 0.2\n",
	    "test.conf:3: 'short_kg' set twice" },
	{ "missing required key in section", "[line 4]\nbus = a\n",
	    "test.conf:1: [line 4]: missing required key 'scale_unit'" },
	{ "missing required section", "[rules]\n", "missing section [station]" },
	{ "garbage line", "[rules]\nthis line is nonsense\n", "test.conf:2:" },
	{ "key before any section", "id = s\n", "test.conf:1: key 'id' outside any section" },
	{ NULL, NULL, NULL },
};

static void
reports_each_mistake_with_its_line(void **state)
{
	struct gw_config *c = calloc(1, sizeof(*c));
	struct conf_report r;

	(void)state;
	for (const struct bad_case *t = bad_cases; t->name != NULL; t++) {
		int rc = load(t->text, c, &r);
		if (rc != -1 || !has_error(&r, t->expect)) {
			print_error("case '%s': expected an error containing \"%s\"; got %zu:\n",
			    t->name, t->expect, r.count);
			conf_report_print(&r, stderr);
			fail();
		}
	}
	free(c);
}

/* A folder given as the file (gasgw -c /etc/gasgw) opens, and would read as an empty
 * file: every key its default, the errors about what is missing, none about why. */
static void
a_folder_is_not_a_configuration_file(void **state)
{
	struct gw_config *c = calloc(1, sizeof(*c));
	struct conf_report r;

	(void)state;
	assert_int_equal(conf_load("/", gw_config_sections, c, &r), -1);
	assert_int_equal(r.count, 1);
	assert_true(has_error(&r, "/: a folder, not a configuration file"));
	free(c);
}

static void
reports_every_error_not_just_the_first(void **state)
{
	struct gw_config *c = calloc(1, sizeof(*c));
	struct conf_report r;
	char text[2048];

	(void)state;
	snprintf(text, sizeof(text), "%s\n[rules]\nmax_fill_s = 1\nleak_rise_kgg = 3\n", good);
	assert_int_equal(load(text, c, &r), -1);
	assert_int_equal(r.count, 2);
	assert_true(has_error(&r, "test.conf:20: 'max_fill_s' = 1 is out of range"));
	assert_true(has_error(&r, "test.conf:21: unknown key 'leak_rise_kgg'"));
	free(c);
}

/* Write text to a fresh temporary file; its path into path. */
static void
write_temp(char *path, const char *text)
{
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A folder of device profiles for gw_config_load, made by profiles_setup
 * and removed by profiles_teardown. */
static char profiles[] = "/tmp/gastest-profiles.XXXXXX";
/* The configuration file load_gw wrote last ("" before any): a case
 * removes its own, profiles_teardown the one a failing case could not. */
static char last_conf[64];

static const struct {
	const char *name, *text;
} profile_files[] = {
	{ "scale", "[device]\nname = scale\nkind = scale\ncapacity = 30\n"
	           "[gross]\ntable = input\ntype = i32\nscale = 0.001\n"
	           "[stable]\ntable = input\naddress = 4\nbit = 1\n"
	           "[error]\ntable = input\naddress = 4\nbit = 3\n" },
	{ "valve", "[device]\nname = valve\nkind = valve\n[valve_cmd]\ntable = coil\n"
	           "[valve_fb]\ntable = discrete\ninvert = yes\n"
	           "[watchdog]\ntable = holding\n[heartbeat]\ntable = holding\naddress = 1\n" },
	/* no feedback: it may serve, with a warning */
	{ "blind-valve",
	    "[device]\nname = blind-valve\nkind = valve\n[valve_cmd]\ntable = coil\n"
	    "[watchdog]\ntable = holding\n[heartbeat]\ntable = holding\naddress = 1\n" },
	/* no watchdog: refused */
	{ "relay", "[device]\nname = relay\nkind = valve\n[valve_cmd]\ntable = coil\n"
	           "[valve_fb]\ntable = discrete\n" },
	/* an unknown key and a bad value: both said */
	{ "broken", "[device]\nname = broken\nkind = valve\n[valve_cmd]\ntable = coil\n"
	            "colour = red\n[watchdog]\ntable = holding\naddress = lots\n" },
	{ NULL, NULL },
};

/* [line 1]'s keys from line 15: the scale profile, unit 2 with this valve profile */
#define LINE_KEYS(valve) "scale_profile = scale\nvalve_unit = 2\nvalve_profile = " valve "\n"

/* A cmocka set-up: the folder of device profiles, with profile_files in
 * it.  0, or -1 with the reason on stderr and no folder left (cmocka runs
 * no tear-down after a set-up that failed). */
static int
profiles_setup(void **state)
{
	char path[128];
	int rc = -1;

	(void)state;
	last_conf[0] = '\0';
	if (fixture_dir_make(profiles, sizeof(profiles), "gastest-profiles") == -1) {
		fprintf(stderr, "gastest-profiles: no folder: %s\n", strerror(errno));
		return -1;
	}
	for (int i = 0; profile_files[i].name != NULL; i++) {
		FILE *f;
		int bad;

		snprintf(path, sizeof(path), "%s/%s.ini", profiles, profile_files[i].name);
		f = fopen(path, "w");
		bad = f == NULL || fputs(profile_files[i].text, f) == EOF;
		if ((f != NULL && fclose(f) == EOF) || bad) {
			fprintf(stderr, "%s: %s\n", path, strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	if (rc == -1 && fixture_dir_remove(profiles) != 0)
		fprintf(stderr, "could not remove %s\n", profiles);
	return rc;
}

/* The tear-down of profiles_setup, after a case passed or failed: the
 * folder removed with all in it, and the last configuration file load_gw
 * wrote (gone already when its case ended normally).  0, or -1 (a failure
 * cmocka reports) if the folder could not be removed. */
static int
profiles_teardown(void **state)
{
	(void)state;
	if (last_conf[0] != '\0')
		unlink(last_conf);
	last_conf[0] = '\0';
	if (fixture_dir_remove(profiles) != 0) {
		fprintf(stderr, "could not remove %s\n", profiles);
		return -1;
	}
	return 0;
}

/* gw_config_load of a file whose [line 1] (line 12) has bus and
 * scale_unit, then line_keys from line 15, then more; the path of the file
 * into path (removed by the caller). */
static int
load_gw(char *path, const char *line_keys, const char *more, struct gw_config *c,
    struct conf_report *r, struct conf_report *notes)
{
	char text[4096];

	snprintf(text, sizeof(text),
	    "[station]\nid = s1\ncompany = Acme Gas\ntownship = 330825101\ncounty = 330825\n"
	    "code_public_key = /k.pub\nbuyer_key = /b.key\nprofiles = %s\n"
	    "[bus a]\ntype = tcp\nhost = 127.0.0.1\n"
	    "[line 1]\nbus = a\nscale_unit = 1\n%s%s",
	    profiles, line_keys, more);
	strcpy(path, "/tmp/gastest-conf.XXXXXX");
	write_temp(path, text);
	snprintf(last_conf, sizeof(last_conf), "%s", path);
	return gw_config_load(path, 0, c, r, notes);
}

static void
gateway_checks_that_lines_name_real_buses(void **state)
{
	struct gw_config *c = calloc(1, sizeof(*c));
	struct conf_report r;
	char path[64], needle[128];

	(void)state;
	assert_int_equal(load_gw(path, LINE_KEYS("valve"),
	                     "[line 2]\nbus = nowhere\nscale_unit = 3\nvalve_unit = 4\n"
	                     "scale_profile = scale\nvalve_profile = valve\n",
	                     c, &r, NULL),
	    -1);
	snprintf(needle, sizeof(needle), "%s:19: [line 2]: no [bus nowhere] is configured", path);
	assert_true(has_error(&r, needle));
	unlink(path);
	free(c);
}

/* Two [bus] for one link (review rev99): the same serial device, under
 * another name too, is refused (two openings of one port mix their
 * frames); two [bus] for one TCP address are two connections to one Modbus
 * gateway (review rev101), whose lines share its unit ids: a line on one
 * using a unit id of a line on the other is refused.  The same host on
 * another port, and another device, are other links. */
static void
gateway_refuses_a_second_bus_for_one_link(void **state)
{
	struct gw_config *c = calloc(1, sizeof(*c));
	struct conf_report r;
	char path[64], more[1024], needle[256], link[64];

	(void)state;
	snprintf(link, sizeof(link), "%s/null-link", profiles);
	assert_int_equal(symlink("/dev/null", link), 0);
	snprintf(more, sizeof(more),
	    "[bus b]\ntype = tcp\nhost = 127.0.0.1\n"
	    "[bus r1]\ntype = rtu\ndevice = /dev/null\n"
	    "[bus r2]\ntype = rtu\ndevice = %s\n"
	    "[bus c]\ntype = tcp\nhost = 127.0.0.1\nport = 1502\n"
	    "[bus r3]\ntype = rtu\ndevice = /dev/zero\n"
	    "[line 2]\nbus = b\nscale_unit = 3\n" LINE_KEYS(
	        "valve") "[line 4]\nbus = c\nscale_unit = 1\n" LINE_KEYS("valve"),
	    link);
	assert_int_equal(load_gw(path, LINE_KEYS("valve"), more, c, &r, NULL), -1);
	snprintf(needle, sizeof(needle),
	    "%s:24: [bus r2] is the link of [bus r1] (line 21), rtu %s", path, link);
	assert_true(has_error(&r, needle));
	/* line 2 (units 3 and 2) shares valve unit 2 with line 1 through [bus b] */
	snprintf(needle, sizeof(needle),
	    "%s:34: [line 2]: uses a unit id that [line 1] already uses on the same link "
	    "([bus b] and [bus a] reach one address)",
	    path);
	assert_true(has_error(&r, needle));
	/* not [bus b] itself, [bus c], [bus r3], nor line 4 on [bus c] */
	assert_int_equal(r.count, 2);
	unlink(link);
	unlink(path);
	free(c);
}

/* gasgw -n loads every profile a line uses and checks it for its role. */
static void
gateway_loads_and_checks_every_profile(void **state)
{
	static const struct {
		const char *name;
		const char *line_keys; /* from line 15 of the file (load_gw) */
		const char *errors[3]; /* substrings, in order; ":LINE" starts with PATH */
		const char *note;      /* a warning expected, or NULL */
	} cases[] = {
		{ "good scale and valve", LINE_KEYS("valve"), { NULL }, NULL },
		{ "a profile that does not exist", LINE_KEYS("nosuch"),
		    { ":17: [line 1] valve_profile: profile 'nosuch' not found (looked for "
		      "nosuch.ini in /tmp/gastest-profiles." },
		    NULL },
		{ "a profile with an unknown key: every error, with the profile's FILE:LINE",
		    LINE_KEYS("broken"),
		    { ":17: [line 1] valve_profile 'broken' does not load:",
		        "/broken.ini:6: unknown key 'colour' in [valve_cmd]",
		        "/broken.ini:9: 'address' must be a whole number, not 'lots'" },
		    NULL },
		{ "a scale profile as the valve", LINE_KEYS("scale"),
		    { ":17: [line 1] valve_profile 'scale' cannot be the line's valve controller:",
		        "/scale.ini:3: kind = scale cannot serve as a valve" },
		    NULL },
		{ "a valve profile as the scale",
		    "scale_profile = valve\nvalve_unit = 2\nvalve_profile = valve\n",
		    { ":15: [line 1] scale_profile 'valve' cannot be the line's scale:",
		        "/valve.ini:3: kind = valve cannot serve as a scale" },
		    NULL },
		{ "a scale as the filling controller (scale_unit = valve_unit)",
		    "scale_profile = scale\nvalve_unit = 1\n",
		    { ":15: [line 1] scale_profile 'scale' cannot be the line's filling controller "
		      "(scale_unit = valve_unit = 1: one unit weighs and closes the valve):",
		        "/scale.ini:3: kind = scale cannot serve as a filler" },
		    NULL },
		{ "a valve with no watchdog is refused", LINE_KEYS("relay"),
		    { ":17: [line 1] valve_profile 'relay' cannot be the line's valve controller:",
		        "/relay.ini:3: a valve needs [watchdog]: the unit must close the valve by "
		        "itself",
		        "/relay.ini:3: a valve needs [heartbeat]" },
		    NULL },
		{ "a valve with no feedback serves, and the loss is said", LINE_KEYS("blind-valve"),
		    { NULL },
		    "/blind-valve.ini:3: no [valve_fb]: a valve the unit shuts by itself during a "
		    "fill" },
		{ NULL, NULL, { NULL }, NULL },
	};
	struct gw_config *c = calloc(1, sizeof(*c));
	struct conf_report r, notes;
	char path[64];

	(void)state;
	for (int i = 0; cases[i].name != NULL; i++) {
		int rc = load_gw(path, cases[i].line_keys, "", c, &r, &notes);
		size_t at = 0;

		if (cases[i].errors[0] == NULL && rc != 0) {
			print_error("case '%s': refused:\n", cases[i].name);
			conf_report_print(&r, stderr);
			fail();
		}
		for (int e = 0; e < 3 && cases[i].errors[e] != NULL; e++) {
			while (at < r.count && strstr(r.errors[at], cases[i].errors[e]) == NULL)
				at++;
			if (rc != -1 || at == r.count) {
				print_error("case '%s': no error with \"%s\" in order; got:\n",
				    cases[i].name, cases[i].errors[e]);
				conf_report_print(&r, stderr);
				fail();
			}
		}
		if (cases[i].errors[0] != NULL && cases[i].errors[0][0] == ':')
			assert_int_equal(strncmp(r.errors[0], path, strlen(path)), 0);
		if (cases[i].note != NULL && !has_error(&notes, cases[i].note)) {
			print_error("case '%s': no warning with \"%s\"; got:\n", cases[i].name,
			    cases[i].note);
			conf_report_print(&notes, stderr);
			fail();
		}
		if (cases[i].note == NULL && cases[i].errors[0] == NULL)
			assert_int_equal(notes.count, 0);
		unlink(path);
	}
	/* what a start uses: the loaded profiles, and R25's base is the scale's
	 * capacity (30 kg here), not a fixed 60 kg */
	assert_int_equal(load_gw(path, LINE_KEYS("valve"), "", c, &r, &notes), 0);
	assert_string_equal(c->lines[0].scale.kind, "scale");
	assert_true(c->lines[0].valve.field[MB_SIG_VALVE_FB].invert);
	{
		struct line *line = calloc(1, sizeof(*line));
		struct line_io io;

		assert_non_null(line);
		memset(&io, 0, sizeof(io));
		line_init(line, c, &c->lines[0], NULL, &io);
		assert_float_equal(line->scale_capacity_kg, 30.0, 1e-9);
		line_free(line);
		free(line);
	}
	unlink(path);
	free(c);
}

/* A reload names a profile file that changed under a line (it is read
 * again only on restart), and not one that only gained a comment. */
static void
reload_names_a_profile_changed_under_a_line(void **state)
{
	struct gw_config *now = calloc(1, sizeof(*now)), *fresh = calloc(1, sizeof(*fresh));
	struct conf_report r, notes;
	char path[64], profile[96];
	FILE *f;

	(void)state;
	assert_int_equal(load_gw(path, LINE_KEYS("valve"), "", now, &r, &notes), 0);
	snprintf(profile, sizeof(profile), "%s/valve.ini", profiles);
	f = fopen(profile, "a");
	assert_non_null(f);
	fputs("; a comment changes nothing\n", f);
	fclose(f);
	assert_int_equal(gw_config_reload(path, now, fresh, &notes, &r), 0);
	assert_int_equal(notes.count, 0);
	f = fopen(profile, "a");
	assert_non_null(f);
	fputs("[error]\ntable = discrete\naddress = 7\n", f);
	fclose(f);
	assert_int_equal(gw_config_reload(path, now, fresh, &notes, &r), 0);
	assert_int_equal(notes.count, 1);
	assert_int_equal(strncmp(notes.errors[0], profile, strlen(profile)), 0);
	assert_non_null(strstr(notes.errors[0], ": changed since [line 1] (/tmp/gastest-conf."));
	assert_non_null(strstr(notes.errors[0], ":17) read it: read again only on restart"));
	/* and the line keeps the profile it started with */
	assert_false(fresh->lines[0].valve.field[MB_SIG_ERROR].present);
	unlink(path);
	free(now);
	free(fresh);
}

/* Every problem of a text is said, each with its line: the lines inih
 * cannot read (all of them, not the first), a NUL inside a line, and a
 * comment longer than inih's line buffer is no problem. */
static void
reports_every_line_that_is_not_ini(void **state)
{
	static const char text[] =
	    "[rules]\n"
	    "max_fill_s = 200\n"
	    "this line is nonsense\n"
	    "; a comment longer than inih's line buffer "
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
	    "and so is this\n"
	    "short_kg = 0.5\0junk\n"
	    "household_max = 7\n";
	struct conf_input in = { .name = "t.conf", .text = text, .len = sizeof(text) - 1 };
	struct gw_config *c = calloc(1, sizeof(*c));
	struct conf_report r;

	(void)state;
	assert_int_equal(conf_parse(&in, gw_config_sections, c, &r), -1);
	assert_true(has_error(&r, "t.conf:3: not a 'key = value' line"));
	assert_true(has_error(&r, "t.conf:5: not a 'key = value' line"));
	assert_true(has_error(&r, "t.conf:6: 'short_kg' must be a number, not '0.5 junk'"));
	assert_false(has_error(&r, "t.conf:4:"));
	/* the lines after all that are read, and counted right */
	assert_int_equal(c->rules.household_max, 7);
	assert_int_equal(c->rules.max_fill_s, 200);
	/* nothing past len is read */
	in.len = strlen("[rules]\nmax_fill_s = 200\n");
	assert_int_equal(conf_parse(&in, gw_config_sections, c, &r), -1);
	assert_false(has_error(&r, "nonsense"));
	free(c);
}

/* A caller's check runs after the tables, knows which line set what, and
 * adds its own FILE:LINE findings to the same report. */
struct where_seen {
	int county_line, rules_header, line_bus, unset;
};

static void
check_where(void *root, const struct conf_where *where, struct conf_report *report, void *arg)
{
	struct gw_config *c = root;
	struct where_seen *seen = arg;

	seen->county_line = conf_where_line(where, c, "county");
	seen->rules_header = conf_where_line(where, &c->rules, NULL);
	seen->line_bus = conf_where_line(where, &c->lines[0], "bus");
	seen->unset = conf_where_line(where, &c->lines[0], "preact_kg");
	conf_report_add(report, conf_where_name(where), seen->line_bus, "bus '%s' is not good",
	    c->lines[0].bus);
}

static void
a_check_sees_where_each_key_was_set(void **state)
{
	char text[2048];
	struct conf_input in = { .name = "w.conf", .check = check_where };
	struct gw_config *c = calloc(1, sizeof(*c));
	struct where_seen seen;
	struct conf_report r;

	(void)state;
	snprintf(text, sizeof(text), "%s[rules]\nshort_kg = 0.3\n", good);
	in.text = text;
	in.len = strlen(text);
	in.arg = &seen;
	assert_int_equal(conf_parse(&in, gw_config_sections, c, &r), -1);
	assert_int_equal(seen.county_line, 5);
	assert_int_equal(seen.rules_header, 18);
	assert_int_equal(seen.line_bus, 15);
	assert_int_equal(seen.unset, 0);
	assert_int_equal(r.count, 1);
	assert_string_equal(r.errors[0], "w.conf:15: bus 'a' is not good");
	free(c);
}

/* Optional sections (device profiles' signals): left out, nothing is said;
 * given, their required keys are required. */
static void
optional_sections_need_their_keys_only_when_given(void **state)
{
	struct opt {
		char name[16];
		int value;
	} root;
	static const struct conf_key keys[] = {
		{ "name", CONF_STRING, offsetof(struct opt, name), 16, 0, 0, NULL, "a name", NULL,
		    0 },
		{ NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
	};
	static const struct conf_key vkeys[] = {
		{ "value", CONF_INT, offsetof(struct opt, value), 0, 0, 99, NULL, "a value", NULL,
		    0 },
		{ NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
	};
	static const struct conf_section sections[] = {
		{ "main", 0, 1, 0, 0, 0, 0, 0, "", keys, 0 },
		{ "extra", 0, 1, 0, 0, 0, 0, 0, "", vkeys, 1 },
		{ NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, 0 },
	};
	struct conf_report r;

	(void)state;
	assert_int_equal(conf_load_string("o", "[main]\nname = x\n", sections, &root, &r), 0);
	assert_int_equal(conf_load_string("o", "[main]\nname = x\n[extra]\n", sections, &root, &r),
	    -1);
	assert_true(has_error(&r, "o:3: [extra]: missing required key 'value'"));
	assert_int_equal(conf_load_string("o", "[extra]\nvalue = 3\n", sections, &root, &r), -1);
	assert_true(has_error(&r, "missing section [main]"));
}

/* A folder of the case's own for its configuration files
 * (fixture_dir_setup). */
static int
conf_folder_setup(void **state)
{
	return fixture_dir_setup(state, "gastest-conf");
}

static void
reload_keeps_restart_keys_and_names_their_line(void **state)
{
	const char *dir = *state;
	struct gw_config *now = calloc(1, sizeof(*now)), *fresh = calloc(1, sizeof(*fresh));
	struct conf_report notes, r;
	struct conf_input in = { 0 };
	char path[96], text[2048], needle[160];
	const char *edited = "[station]\nid = s2\ncompany = Acme Gas\ntownship = 330825101\n"
	                     "county = 330825\ncode_public_key = /k.pub\nbuyer_key = /b.key\n"
	                     "log_level = debug\n"
	                     "[rules]\nmax_fill_s = 200\n"
	                     "[bus a]\ntype = tcp\nhost = 127.0.0.1\nport = 1502\n"
	                     "[line 1]\nbus = a\nscale_unit = 1\nvalve_unit = 3\n"
	                     "[line 2]\nbus = a\nscale_unit = 5\nvalve_unit = 6\n";

	assert_int_equal(load(good, now, &r), 0);
	snprintf(path, sizeof(path), "%s/gasgw.XXXXXX", dir);
	write_temp(path, edited);
	in.path = path;
	assert_int_equal(conf_reload(&in, gw_config_sections, now, fresh, &notes, &r), 0);
	/* the restart-only keys that changed keep their value, each named with its line */
	assert_string_equal(fresh->station_id, "s1");
	assert_int_equal(fresh->line_count, 1);
	assert_int_equal(fresh->lines[0].valve_unit, 2);
	assert_int_equal(notes.count, 3);
	snprintf(needle, sizeof(needle), "%s:2: 'id' changes only on restart", path);
	assert_string_equal(notes.errors[0], needle);
	snprintf(needle, sizeof(needle), "%s:18: [line 1] 'valve_unit' changes only on restart",
	    path);
	assert_string_equal(notes.errors[1], needle);
	snprintf(needle, sizeof(needle), "%s:19: [line 2] is new: it is added only on restart",
	    path);
	assert_string_equal(notes.errors[2], needle);
	/* the keys a running gateway takes are the new file's */
	assert_int_equal(fresh->rules.max_fill_s, 200);
	assert_string_equal(fresh->log_level, "debug");

	/* a line dropped from the file is named too, and stays */
	snprintf(path, sizeof(path), "%s/gasgw.XXXXXX", dir);
	write_temp(path, "[station]\nid = s1\ncompany = Acme Gas\ntownship = 330825101\n"
	                 "county = 330825\ncode_public_key = /k.pub\nbuyer_key = /b.key\n"
	                 "[bus a]\ntype = tcp\nhost = 127.0.0.1\nport = 1502\n");
	assert_int_equal(conf_reload(&in, gw_config_sections, now, fresh, &notes, &r), 0);
	assert_int_equal(fresh->line_count, 1);
	assert_true(
	    has_error(&notes, ": [line 1] is no longer in the file: it stays until restart"));

	/* a file with an error: -1, the error with its line, no notes */
	snprintf(path, sizeof(path), "%s/gasgw.XXXXXX", dir);
	snprintf(text, sizeof(text), "%s[rules]\nmax_fill_s = nine\n", edited);
	write_temp(path, text);
	assert_int_equal(conf_reload(&in, gw_config_sections, now, fresh, &notes, &r), -1);
	assert_int_equal(notes.count, 0);
	snprintf(needle, sizeof(needle), "%s:23: section [rules] given twice", path);
	assert_true(has_error(&r, needle));
	free(now);
	free(fresh);
}

/* The gateway's table: every key but the rule thresholds and the log level
 * waits for a restart (a running gateway takes only those). */
static void
gateway_table_marks_what_needs_a_restart(void **state)
{
	(void)state;
	for (const struct conf_section *s = gw_config_sections; s->name != NULL; s++)
		for (const struct conf_key *k = s->keys; k->name != NULL; k++) {
			int reloadable =
			    strcmp(s->name, "rules") == 0 || strcmp(k->name, "log_level") == 0;
			if (reloadable == !!(k->flags & CONF_RESTART))
				fail_msg("[%s] %s: CONF_RESTART is %s", s->name, k->name,
				    reloadable ? "set" : "missing");
		}
}

static void
example_file_covers_every_key(void **state)
{
	struct gw_config *c = calloc(1, sizeof(*c));
	struct conf_report r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	conf_write_example(f, "test", gw_config_sections);
	fclose(f);
	for (const struct conf_section *s = gw_config_sections; s->name != NULL; s++)
		for (const struct conf_key *k = s->keys; k->name != NULL; k++) {
			char needle[80];
			snprintf(needle, sizeof(needle), "\n%s = ", k->name);
			assert_non_null(strstr(buf, needle));
		}
	free(buf);
	(void)r;
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_file_fills_values_and_defaults),
		cmocka_unit_test(reports_each_mistake_with_its_line),
		cmocka_unit_test(reports_every_error_not_just_the_first),
		cmocka_unit_test_setup_teardown(gateway_refuses_a_second_bus_for_one_link,
		    profiles_setup, profiles_teardown),
		cmocka_unit_test_setup_teardown(gateway_checks_that_lines_name_real_buses,
		    profiles_setup, profiles_teardown),
		cmocka_unit_test_setup_teardown(gateway_loads_and_checks_every_profile,
		    profiles_setup, profiles_teardown),
		cmocka_unit_test(reports_every_line_that_is_not_ini),
		cmocka_unit_test(a_check_sees_where_each_key_was_set),
		cmocka_unit_test(optional_sections_need_their_keys_only_when_given),
		cmocka_unit_test_setup_teardown(reload_keeps_restart_keys_and_names_their_line,
		    conf_folder_setup, fixture_dir_teardown),
		cmocka_unit_test_setup_teardown(reload_names_a_profile_changed_under_a_line,
		    profiles_setup, profiles_teardown),
		cmocka_unit_test(gateway_table_marks_what_needs_a_restart),
		cmocka_unit_test(example_file_covers_every_key),
		cmocka_unit_test(a_folder_is_not_a_configuration_file),
	};
	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
