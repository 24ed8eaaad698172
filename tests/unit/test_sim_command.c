/*
 * Unit tests of gassim's control commands (drivers/sim/command.c): each
 * command does what its row says and logs its event, each refusal names
 * the argument and what was wrong and changes nothing, `help` follows the
 * table, -c files report FILE:LINE, and docs/simulator.md and gassim(1)
 * list exactly the commands of the table with the same arguments and text.
 * command.c and model.c are built into gassim only, so they are compiled
 * in here; the station is two lines built by hand (line 1 a scale and a
 * valve, units 1 and 2; line 2 a filler, unit 3) with no registers, so no
 * profile is needed.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../drivers/sim/command.c"
#include "../../drivers/sim/model.c"
#include "fixture.h"

static struct sim sim;
static struct sim_unit units[3];
static char *events; /* the event log, in memory */
static size_t events_len;
static char answer[32768];

static int
station(void **state)
{
	(void)state;
	memset(&sim, 0, sizeof(sim));
	memset(units, 0, sizeof(units));
	for (int i = 0; i < 3; i++) {
		units[i].id = i + 1;
		units[i].line = i < 2 ? 1 : 2;
		units[i].role = i == 0 ? SIM_SCALE : i == 1 ? SIM_VALVE : SIM_FILLER;
		sim.unit[sim.nunits++] = &units[i];
	}
	sim.nlines = 2;
	for (int i = 0; i < 2; i++) {
		sim.line[i].number = i + 1;
		sim.line[i].capacity = 15;
		sim.line[i].flow = 0.3;
		sim.line[i].close_delay_ms = 150;
	}
	sim.line[0].scale = &units[0];
	sim.line[0].valve = &units[1];
	sim.line[1].scale = sim.line[1].valve = &units[2];
	sim.last_tick_ms = time_mono_ms();
	events = NULL;
	events_len = 0;
	sim.events = open_memstream(&events, &events_len);
	return sim.events == NULL ? -1 : 0;
}

static int
station_gone(void **state)
{
	(void)state;
	fclose(sim.events);
	free(events);
	return 0;
}

/* The events logged so far without their time, "LINE EVENT VALUE\n"...,
 * leaving out the weights the physics logs as a cylinder settles. */
static const char *
logged(void)
{
	static char text[4096];
	size_t used = 0;

	fflush(sim.events);
	text[0] = '\0';
	for (const char *p = events; p != NULL && *p != '\0';) {
		const char *sp = strchr(p, ' '), *nl = strchr(p, '\n');
		if (sp == NULL || nl == NULL)
			break;
		if (strstr(sp, " weight ") != NULL && strstr(sp, " weight ") < nl) {
			p = nl + 1;
			continue;
		}
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%.*s\n",
		    (int)(nl - sp - 1), sp + 1);
		p = nl + 1;
	}
	return text;
}

/* Each good command, what it logs, and what status then shows. */
static void
runs_each_command_and_logs_it(void **state)
{
	static const struct {
		const char *command, *event, *status;
	} rows[] = {
		{ "place 1 15.2", "1 place 15.200",
		    "line 1 units 1,2 present 1 tare 15.200 lpg 0.000" },
		{ "place 1 15 0.5 50", "1 place 15.500", "present 1 tare 15.000 lpg 0.500" },
		{ "place 2 10 1.25", "2 place 11.250", "line 2 units 3,3 present 1 tare 10.000" },
		{ "remove 1", "1 remove 0.000", "line 1 units 1,2 present 0" },
		{ "dead 1 on", "1 dead 1:1\n1 dead 2:1", "faults dead=1 dead=2" },
		{ "dead 1:valve 1", "1 dead 2:1", "faults dead=2\n" },
		{ "dead 2:scale on", "2 dead 3:1", "faults dead=3\n" },
		{ "dead 2:valve off", "2 dead 3:0", "line 2 units 3,3" },
		{ "slow 1:scale 150", "1 slow 1:150", "faults slow=1:150\n" },
		{ "exception 1 2", "1 exception 1:2\n1 exception 2:2",
		    "exception=1:2 exception=2:2" },
		{ "crc 1:valve on", "1 crc 2:1", "faults crc=2\n" },
		{ "garbage 2 on", "2 garbage 3:1", "faults garbage=3\n" },
		{ "stuck 1 on", "1 stuck 1", "faults stuck\n" },
		{ "valve-stuck 2 1", "2 valve-stuck 1", "faults valve-stuck\n" },
		{ "leak 1 0.05", "1 leak 0.05", "faults leak=0.050\n" },
		{ "flow 1 2.5", "1 flow 2.5", "line 1 units 1,2" },
		{ "noise 2 0", "2 noise 0", "line 2 units 3,3" },
		{ "close-delay 1 2500", "1 close-delay 2500", "line 1 units 1,2" },
		{ "  flow\t1   1  ", "1 flow 1", "line 1 units 1,2" },
		{ NULL },
	};
	char status[4096], want[256];

	(void)state;
	for (int i = 0; rows[i].command != NULL; i++) {
		assert_int_equal(station(NULL), 0);
		if (command_run(&sim, rows[i].command, answer, sizeof(answer)) != 0 ||
		    strcmp(answer, "ok\n") != 0)
			fail_msg("row %d (%s): answered %s", i, rows[i].command, answer);
		snprintf(want, sizeof(want), "%s\n", rows[i].event);
		if (strcmp(logged(), want) != 0)
			fail_msg("row %d (%s): logged\n%swant\n%s", i, rows[i].command, logged(),
			    want);
		assert_int_equal(command_run(&sim, "status", status, sizeof(status)), 0);
		if (strstr(status, rows[i].status) == NULL)
			fail_msg("row %d (%s): status lacks '%s':\n%s", i, rows[i].command,
			    rows[i].status, status);
		station_gone(NULL);
	}
}

static void
sets_the_members_the_commands_name(void **state)
{
	struct sim_line *l1 = &sim.line[0], *l2 = &sim.line[1];

	(void)state;
	assert_int_equal(command_run(&sim, "place 1 15 0.5 50", answer, sizeof(answer)), 0);
	assert_true(l1->present && l1->tare == 15 && l1->lpg == 0.5 && l1->capacity == 50);
	/* capacity stays until given again */
	assert_int_equal(command_run(&sim, "place 1 14", answer, sizeof(answer)), 0);
	assert_true(l1->tare == 14 && l1->lpg == 0 && l1->capacity == 50);
	assert_int_equal(command_run(&sim, "slow 1 150", answer, sizeof(answer)), 0);
	assert_int_equal(units[0].slow_ms, 150);
	assert_int_equal(units[1].slow_ms, 150);
	assert_int_equal(command_run(&sim, "exception 2 4", answer, sizeof(answer)), 0);
	assert_int_equal(units[2].exception, 4);
	assert_int_equal(command_run(&sim, "flow 2 1.5", answer, sizeof(answer)), 0);
	assert_true(l2->flow == 1.5);
	assert_int_equal(command_run(&sim, "noise 2 0.25", answer, sizeof(answer)), 0);
	assert_true(l2->noise == 0.25);
	assert_int_equal(command_run(&sim, "close-delay 2 2500", answer, sizeof(answer)), 0);
	assert_int_equal(l2->close_delay_ms, 2500);
	assert_int_equal(command_run(&sim, "stuck 2 on", answer, sizeof(answer)), 0);
	assert_int_equal(l2->weight_stuck, 1);
	assert_int_equal(command_run(&sim, "valve-stuck 1 on", answer, sizeof(answer)), 0);
	assert_int_equal(l1->valve_stuck, 1);
	assert_int_equal(command_run(&sim, "leak 1 0.5", answer, sizeof(answer)), 0);
	assert_true(l1->leak == 0.5);
}

/* Each refusal, word for word, and that nothing changed. */
static void
refuses_saying_what_was_wrong(void **state)
{
	static const struct {
		const char *command, *error;
	} rows[] = {
		{ "frob 1", "unknown command 'frob' (try help)" },
		{ "PLACE 1 15", "unknown command 'PLACE' (try help)" },
		{ "place",
		    "place: LINE missing (usage: place LINE TARE_KG [LPG_KG [CAPACITY_KG]])" },
		{ "place 1",
		    "place: TARE_KG missing (usage: place LINE TARE_KG [LPG_KG [CAPACITY_KG]])" },
		{ "place 3 15", "place: LINE '3' is not a fill line, 1 to 2" },
		{ "place 0 15", "place: LINE '0' is not a fill line, 1 to 2" },
		{ "place 1x 15", "place: LINE '1x' is not a fill line, 1 to 2" },
		{ "place 99999999999999999999 15",
		    "place: LINE '99999999999999999999' is not a fill line, 1 to 2" },
		{ "place 1 151", "place: TARE_KG '151' is not a number from 0 to 150" },
		{ "place 1 -1", "place: TARE_KG '-1' is not a number from 0 to 150" },
		{ "place 1 nan", "place: TARE_KG 'nan' is not a number from 0 to 150" },
		{ "place 1 1e400", "place: TARE_KG '1e400' is not a number from 0 to 150" },
		{ "place 1 15kg", "place: TARE_KG '15kg' is not a number from 0 to 150" },
		{ "place 1 15 101", "place: LPG_KG '101' is not a number from 0 to 100" },
		{ "place 1 15 0 0", "place: CAPACITY_KG '0' is not a number from 0.1 to 100" },
		{ "place 1 15 0 15 1",
		    "place: too many arguments (usage: place LINE TARE_KG [LPG_KG [CAPACITY_KG]])" },
		{ "remove 1 2", "remove: too many arguments (usage: remove LINE)" },
		{ "dead 1:pump on",
		    "dead: UNITS '1:pump' is not LINE, LINE:scale or LINE:valve, lines 1 to 2" },
		{ "dead 3:valve on",
		    "dead: UNITS '3:valve' is not LINE, LINE:scale or LINE:valve, lines 1 to 2" },
		{ "dead 1 maybe", "dead: 'maybe' is not on or off (1 or 0)" },
		{ "dead 1", "dead: on|off missing (usage: dead UNITS on|off)" },
		{ "slow 1 1.5", "slow: MS '1.5' is not a whole number from 0 to 60000" },
		{ "slow 1 60001", "slow: MS '60001' is not a whole number from 0 to 60000" },
		{ "exception 1 12", "exception: CODE '12' is not a whole number from 0 to 11" },
		{ "stuck 2 yes", "stuck: 'yes' is not on or off (1 or 0)" },
		{ "leak 1 11", "leak: KG_PER_S '11' is not a number from 0 to 10" },
		{ "close-delay 1 -5",
		    "close-delay: MS '-5' is not a whole number from 0 to 60000" },
		{ "status now", "status: too many arguments (usage: status)" },
		{ "help frob", "help: COMMAND 'frob' is not a command (try help)" },
		{ NULL },
	};
	char want[512], before[4096], after[4096];

	(void)state;
	assert_int_equal(command_run(&sim, "status", before, sizeof(before)), 0);
	for (int i = 0; rows[i].command != NULL; i++) {
		snprintf(want, sizeof(want), "error: %s\n", rows[i].error);
		if (command_run(&sim, rows[i].command, answer, sizeof(answer)) != -1 ||
		    strcmp(answer, want) != 0)
			fail_msg("row %d (%s): answered\n%swant\n%s", i, rows[i].command, answer,
			    want);
	}
	assert_string_equal(logged(), "");
	assert_int_equal(command_run(&sim, "status", after, sizeof(after)), 0);
	/* the shown weights carry no noise here: the station is the same */
	assert_string_equal(after, before);
}

static void
refuses_a_command_longer_than_it_takes(void **state)
{
	char line[COMMAND_MAX_LEN + 2];

	(void)state;
	memset(line, ' ', sizeof(line));
	memcpy(line, "status", 6);
	line[COMMAND_MAX_LEN] = '\0'; /* the longest taken */
	assert_int_equal(command_run(&sim, line, answer, sizeof(answer)), 0);
	line[COMMAND_MAX_LEN] = ' ';
	line[COMMAND_MAX_LEN + 1] = '\0';
	assert_int_equal(command_run(&sim, line, answer, sizeof(answer)), -1);
	assert_string_equal(answer, "error: command longer than 511 bytes\n");
}

static void
answers_ok_to_nothing_and_to_comments(void **state)
{
	(void)state;
	assert_int_equal(command_run(&sim, "", answer, sizeof(answer)), 0);
	assert_string_equal(answer, "ok\n");
	assert_int_equal(command_run(&sim, "  \t\r\n", answer, sizeof(answer)), 0);
	assert_string_equal(answer, "ok\n");
	assert_int_equal(command_run(&sim, "# dead 1 on", answer, sizeof(answer)), 0);
	assert_string_equal(answer, "ok\n");
	assert_int_equal(units[0].dead, 0);
}

/* help lists the rows in order, one line each, then the note on UNITS. */
static void
lists_every_command_in_help(void **state)
{
	char usage[128];
	const char *p = answer;

	(void)state;
	assert_int_equal(command_run(&sim, "help", answer, sizeof(answer)), 0);
	for (const struct command *c = command_table; c->name != NULL; c++) {
		command_usage(c, usage, sizeof(usage));
		if (strncmp(p, usage, strlen(usage)) != 0 || strstr(p, c->help) == NULL ||
		    strstr(p, c->help) > strchr(p, '\n'))
			fail_msg("help: the line for %s is not next:\n%s", c->name, p);
		p = strchr(p, '\n') + 1;
	}
	assert_string_equal(p, "UNITS is LINE (its units), LINE:scale or LINE:valve.\nok\n");
}

static void
describes_one_command(void **state)
{
	static const char want[] =
	    "usage: place LINE TARE_KG [LPG_KG [CAPACITY_KG]]\n"
	    "put a cylinder on the scale\n"
	    "  LINE         a fill line, 1 to 2\n"
	    "  TARE_KG      a number from 0 to 150: the empty cylinder\n"
	    "  LPG_KG       a number from 0 to 100: the LPG in it, 0 if left out\n"
	    "  CAPACITY_KG  a number from 0.1 to 100: what it holds; if left out, as before (15 "
	    "at start)\n"
	    "ok\n";

	(void)state;
	assert_int_equal(command_run(&sim, "help place", answer, sizeof(answer)), 0);
	assert_string_equal(answer, want);
	assert_int_equal(command_run(&sim, "place --help", answer, sizeof(answer)), 0);
	assert_string_equal(answer, want);
	assert_int_equal(command_run(&sim, "dead -h", answer, sizeof(answer)), 0);
	assert_string_equal(answer, "usage: dead UNITS on|off\n"
	                            "the unit(s) stop answering\n"
	                            "  UNITS        LINE, LINE:scale or LINE:valve, lines 1 to 2\n"
	                            "  on|off       on or off (1 or 0)\n"
	                            "ok\n");
	assert_string_equal(logged(), "");
}

/* Rows well formed: a name, a handler and help each; optional arguments
 * only at the end; bounds in order; names unique. */
static void
keeps_its_table_well_formed(void **state)
{
	(void)state;
	for (const struct command *c = command_table; c->name != NULL; c++) {
		int optional = 0;
		assert_non_null(c->run);
		assert_non_null(c->help);
		assert_true(c->help[0] != '\0' && strchr(c->help, '\n') == NULL);
		assert_ptr_equal(command_find(c->name), c);
		for (int i = 0; i < COMMAND_MAX_ARGS && c->arg[i].name != NULL; i++) {
			if (optional && !c->arg[i].optional)
				fail_msg("%s: %s is required after an optional argument", c->name,
				    c->arg[i].name);
			optional |= c->arg[i].optional;
			assert_true(c->arg[i].min <= c->arg[i].max);
		}
		if ((c->run == set_unit || c->run == set_line) && c->arg[1].name == NULL)
			fail_msg("%s: a setter without a value", c->name);
	}
}

/* The station of station, and a folder of the case's own for its files
 * (fixture_dir_setup): its path in *state. */
static int
station_and_folder(void **state)
{
	if (station(state) == -1)
		return -1;
	if (fixture_dir_setup(state, "test_sim_command") == -1) {
		station_gone(state);
		return -1;
	}
	return 0;
}

/* The tear-down of station_and_folder, after a case passed or failed. */
static int
station_and_folder_gone(void **state)
{
	int rc = fixture_dir_teardown(state);

	return station_gone(state) == -1 ? -1 : rc;
}

/* A -c file: good lines taken, every bad one reported as FILE:LINE. */
static void
reports_each_bad_line_of_a_file(void **state)
{
	const char *dir = *state;
	char path[96], want[2048];
	char *err_text = NULL;
	size_t err_len = 0;
	FILE *f, *err;

	snprintf(path, sizeof(path), "%s/station.cmd", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "# a station\n\nplace 1 15\nplace 9 15\n");
	for (int i = 0; i < COMMAND_MAX_LEN + 10; i++)
		fputc('x', f);
	fprintf(f, "\ndead 2 on\nfrob\nleak 1 0.01");
	fclose(f);
	err = open_memstream(&err_text, &err_len);
	assert_int_equal(command_run_file(&sim, path, err), -1);
	fclose(err);
	snprintf(want, sizeof(want),
	    "%s:4: place: LINE '9' is not a fill line, 1 to 2\n"
	    "%s:5: line longer than 511 bytes\n"
	    "%s:7: unknown command 'frob' (try help)\n",
	    path, path, path);
	assert_string_equal(err_text, want);
	free(err_text);
	/* the good lines, the last without a newline, were all taken */
	assert_true(sim.line[0].present && sim.line[0].tare == 15);
	assert_int_equal(units[2].dead, 1);
	assert_true(sim.line[0].leak == 0.01);
	unlink(path);

	err_text = NULL;
	err = open_memstream(&err_text, &err_len);
	assert_int_equal(command_run_file(&sim, path, err), -1);
	fclose(err);
	snprintf(want, sizeof(want), "%s: No such file or directory\n", path);
	assert_string_equal(err_text, want);
	free(err_text);
}

/* ---- the docs follow the table ------------------------------------------- */

/* The file at rel under the source tree: from the working folder (make
 * runs the tests from the top), or above the binary (build/tests/x,
 * build/asan/tests/x). */
static char *
source_text(const char *rel)
{
	char path[PATH_MAX + 64], exe[PATH_MAX];
	char *text = NULL;
	FILE *f = fopen(rel, "r");
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t len = 0;

	for (int up = 0; f == NULL && n > 0 && up < 5; up++) {
		char *slash;
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) == NULL)
			break;
		*slash = '\0';
		n = slash - exe;
		snprintf(path, sizeof(path), "%s/%s", exe, rel);
		f = fopen(path, "r");
	}
	if (f == NULL)
		fail_msg("%s not found from here or above the test binary", rel);
	text = calloc(1, 1 << 20);
	assert_non_null(text);
	len = fread(text, 1, (1 << 20) - 1, f);
	text[len] = '\0';
	fclose(f);
	return text;
}

/* text with each character of `special` preceded by a backslash. */
static void
escape(const char *text, const char *special, char *out, size_t size)
{
	size_t used = 0;

	for (; *text != '\0' && used + 3 < size; text++) {
		if (strchr(special, *text) != NULL)
			out[used++] = '\\';
		out[used++] = *text;
	}
	out[used] = '\0';
}

/* The mdoc line of a command: ".It Ic place Ar LINE ... Oo Ar LPG_KG Oo ... Oc Oc". */
static void
mdoc_item(const struct command *c, char *out, size_t size)
{
	char line[512];
	struct command_out o = { line, sizeof(line), 0 };
	int open = 0;

	say(&o, ".It Ic %s", c->name);
	for (int i = 0; i < COMMAND_MAX_ARGS && c->arg[i].name != NULL; i++) {
		if (c->arg[i].optional) {
			say(&o, " Oo");
			open++;
		}
		/* consecutive plain arguments share one Ar */
		if (c->arg[i].type == COMMAND_ARG_SWITCH)
			say(&o, " Cm %s", c->arg[i].name);
		else if (i > 0 && !c->arg[i].optional && c->arg[i - 1].type != COMMAND_ARG_SWITCH)
			say(&o, " %s", c->arg[i].name);
		else
			say(&o, " Ar %s", c->arg[i].name);
	}
	while (open-- > 0)
		say(&o, " Oc");
	escape(line, "-", out, size);
}

static void
documents_every_command_as_the_table_says(void **state)
{
	char *md = source_text("docs/simulator.md"), *man = source_text("docs/man/gassim.1");
	char usage[128], cell[256], help[256], want[1024];
	const char *start, *end;
	int rows = 0, items = 0;

	(void)state;
	for (const struct command *c = command_table; c->name != NULL; c++) {
		command_usage(c, usage, sizeof(usage));
		escape(usage, "|", cell, sizeof(cell));
		escape(c->help, "|", help, sizeof(help));
		snprintf(want, sizeof(want), "\n| `%s` | %s |\n", cell, help);
		if (strstr(md, want) == NULL)
			fail_msg("docs/simulator.md lacks the row%s", want);
		mdoc_item(c, want, sizeof(want));
		escape(c->help, "-", help, sizeof(help));
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "\n%s\n", help);
		if (strstr(man, want) == NULL)
			fail_msg("docs/man/gassim.1 lacks\n%s", want);
	}
	/* and nothing else: every row of the doc's table and every item of
	 * the man page's list is a command of the table */
	start = strstr(md, "| command | effect |");
	end = start != NULL ? strstr(start, "\n\n") : NULL;
	assert_non_null(end);
	for (const char *p = strstr(start, "\n| `"); p != NULL && p < end;
	     p = strstr(p + 1, "\n| `")) {
		char name[64];
		if (sscanf(p + 4, "%63[^ `]", name) != 1 || command_find(name) == NULL)
			fail_msg("docs/simulator.md lists '%s', no command", name);
		rows++;
	}
	start = strstr(man, ".Sh CONTROL COMMANDS");
	end = start != NULL ? strstr(start, "\n.El\n") : NULL;
	assert_non_null(end);
	for (const char *p = strstr(start, "\n.It Ic "); p != NULL && p < end;
	     p = strstr(p + 1, "\n.It Ic ")) {
		char name[64], plain[64];
		size_t k = 0;
		if (sscanf(p + 8, "%63s", name) != 1)
			fail_msg("gassim.1: an empty .It Ic");
		for (const char *q = name; *q != '\0'; q++)
			if (*q != '\\')
				plain[k++] = *q;
		plain[k] = '\0';
		if (command_find(plain) == NULL)
			fail_msg("gassim.1 lists '%s', no command", plain);
		items++;
	}
	assert_int_equal(rows, (int)(sizeof(command_table) / sizeof(command_table[0])) - 1);
	assert_int_equal(items, rows);
	free(md);
	free(man);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(runs_each_command_and_logs_it),
		cmocka_unit_test_setup_teardown(sets_the_members_the_commands_name, station,
		    station_gone),
		cmocka_unit_test_setup_teardown(refuses_saying_what_was_wrong, station,
		    station_gone),
		cmocka_unit_test_setup_teardown(refuses_a_command_longer_than_it_takes, station,
		    station_gone),
		cmocka_unit_test_setup_teardown(answers_ok_to_nothing_and_to_comments, station,
		    station_gone),
		cmocka_unit_test_setup_teardown(lists_every_command_in_help, station, station_gone),
		cmocka_unit_test_setup_teardown(describes_one_command, station, station_gone),
		cmocka_unit_test(keeps_its_table_well_formed),
		cmocka_unit_test_setup_teardown(reports_each_bad_line_of_a_file, station_and_folder,
		    station_and_folder_gone),
		cmocka_unit_test(documents_every_command_as_the_table_says),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
