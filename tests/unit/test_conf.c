/*
 * conf + gwconf: what an operator sees when the configuration is right,
 * and every kind of mistake reported with its file and line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "gwconf.h"

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
	/* Defaults of shared/DESIGN.md §7. */
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

static void
gateway_checks_that_lines_name_real_buses(void **state)
{
	struct gw_config *c = calloc(1, sizeof(*c));
	struct conf_report r;
	char path[] = "/tmp/gastest-conf.XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	char text[2048];

	(void)state;
	snprintf(text, sizeof(text),
	    "%s\n[line 2]\nbus = nowhere\nscale_unit = 3\nvalve_unit = 4\n", good);
	fputs(text, f);
	fclose(f);
	assert_int_equal(gw_config_load(path, c, &r), -1);
	assert_true(has_error(&r, "[line 2]: no [bus nowhere] is configured"));
	unlink(path);
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

static void
reload_keeps_fixed_keys_and_names_their_line(void **state)
{
	static const char *const fixed[] = { "id", "county", NULL };
	struct gw_config *now = calloc(1, sizeof(*now)), *fresh = calloc(1, sizeof(*fresh));
	struct conf_report notes, r;
	char path[] = "/tmp/gastest-conf.XXXXXX", text[2048], needle[128];
	const char *edited = "[station]\nid = s2\ncompany = Other Gas\ntownship = 330825101\n"
	                     "county = 330825\ncode_public_key = /k.pub\nbuyer_key = /b.key\n"
	                     "[rules]\nmax_fill_s = 200\n";

	(void)state;
	assert_int_equal(load(good, now, &r), 0);
	write_temp(path, edited);
	assert_int_equal(conf_reload(path, gw_config_sections, now, fresh, fixed, &notes, &r), 0);
	/* the fixed key that changed keeps its value and is named with its line */
	assert_string_equal(fresh->station_id, "s1");
	assert_int_equal(notes.count, 1);
	snprintf(needle, sizeof(needle), "%s:2: 'id' changes only on restart", path);
	assert_string_equal(notes.errors[0], needle);
	/* everything else is the new file's */
	assert_string_equal(fresh->company, "Other Gas");
	assert_int_equal(fresh->rules.max_fill_s, 200);
	unlink(path);

	/* a file with an error: -1, the error with its line, no notes */
	strcpy(path, "/tmp/gastest-conf.XXXXXX");
	snprintf(text, sizeof(text), "%s[rules]\nmax_fill_s = nine\n", edited);
	write_temp(path, text);
	assert_int_equal(conf_reload(path, gw_config_sections, now, fresh, fixed, &notes, &r), -1);
	assert_int_equal(notes.count, 0);
	snprintf(needle, sizeof(needle), "%s:10: section [rules] given twice", path);
	assert_true(has_error(&r, needle));
	unlink(path);
	free(now);
	free(fresh);
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
		cmocka_unit_test(gateway_checks_that_lines_name_real_buses),
		cmocka_unit_test(reload_keeps_fixed_keys_and_names_their_line),
		cmocka_unit_test(example_file_covers_every_key),
	};
	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
