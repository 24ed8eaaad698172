/*
 * command: gassim's control commands as one table (see command.h).  A row
 * says a command's arguments by type and range; command_run checks them all
 * and says which one is wrong before the row's handler runs, so a handler
 * only ever sees good values and a refused command changes nothing.  Most
 * commands set one member of a line or a unit: those share two setters and
 * name the member with offsetof.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <modbus.h>

#include "command.h"
#include "util.h"

static void say(struct command_out *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
say(struct command_out *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (out->used + 1 >= out->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out->text + out->used, out->size - out->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		out->used +=
		    (size_t)n < out->size - out->used ? (size_t)n : out->size - out->used - 1;
}

static int refuse(struct command_out *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int
refuse(struct command_out *out, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	say(out, "error: %s\n", message);
	return -1;
}

/* ---- the commands -------------------------------------------------------------- */

static int
run_place(struct sim *sim, const struct command *command, const struct command_value *v,
    struct command_out *out)
{
	struct sim_line *l = v[0].line;

	(void)command, (void)out;
	l->present = 1;
	l->tare = v[1].number;
	l->lpg = v[2].given ? v[2].number : 0;
	if (v[3].given)
		l->capacity = v[3].number;
	sim_event(sim, l->number, "place", "%.3f", l->tare + l->lpg);
	return 0;
}

static int
run_remove(struct sim *sim, const struct command *command, const struct command_value *v,
    struct command_out *out)
{
	struct sim_line *l = v[0].line;

	(void)command, (void)out;
	sim_event(sim, l->number, "remove", "%.3f", l->tare + l->lpg);
	l->present = 0;
	l->tare = l->lpg = 0;
	return 0;
}

/* UNITS VALUE: the int member command->field of each unit; the event is the
 * command's name with "UNIT_ID:VALUE". */
static int
set_unit(struct sim *sim, const struct command *command, const struct command_value *v,
    struct command_out *out)
{
	int value = (int)v[1].number;

	(void)out;
	for (int k = 0; k < v[0].nunits; k++) {
		struct sim_unit *u = v[0].units[k];
		*(int *)((char *)u + command->field) = value;
		sim_event(sim, u->line, command->name, "%d:%d", u->id, value);
	}
	return 0;
}

/* UNITS MS: each unit restarts (sim_unit_restart) */
static int
run_restart(struct sim *sim, const struct command *command, const struct command_value *v,
    struct command_out *out)
{
	(void)command, (void)out;
	for (int k = 0; k < v[0].nunits; k++)
		sim_unit_restart(sim, v[0].units[k], (int)v[1].number, time_mono_ms());
	return 0;
}

/* LINE VALUE: the member command->field of the line, a double for a NUMBER
 * argument, an int otherwise; the event is the command's name with VALUE. */
static int
set_line(struct sim *sim, const struct command *command, const struct command_value *v,
    struct command_out *out)
{
	char *member = (char *)v[0].line + command->field;

	(void)out;
	if (command->arg[1].type == COMMAND_ARG_NUMBER) {
		*(double *)member = v[1].number;
		sim_event(sim, v[0].line->number, command->name, "%g", v[1].number);
	} else {
		*(int *)member = (int)v[1].number;
		sim_event(sim, v[0].line->number, command->name, "%d", (int)v[1].number);
	}
	return 0;
}

static void
status_faults(struct command_out *out, const struct sim_line *l)
{
	say(out, " faults");
	if (l->weight_stuck)
		say(out, " stuck");
	if (l->valve_stuck)
		say(out, " valve-stuck");
	if (l->leak > 0)
		say(out, " leak=%.3f", l->leak);
	for (int k = 0; k < 2; k++) {
		const struct sim_unit *u = k == 0 ? l->scale : l->valve;
		if (k == 1 && u == l->scale)
			break;
		if (u->dead)
			say(out, " dead=%d", u->id);
		if (u->slow_ms)
			say(out, " slow=%d:%d", u->id, u->slow_ms);
		if (u->exception)
			say(out, " exception=%d:%d", u->id, u->exception);
		if (u->crc)
			say(out, " crc=%d", u->id);
		if (u->garbage)
			say(out, " garbage=%d", u->id);
	}
}

static int
run_status(struct sim *sim, const struct command *command, const struct command_value *v,
    struct command_out *out)
{
	(void)command, (void)v;
	for (int i = 0; i < sim->nlines; i++) {
		const struct sim_line *l = &sim->line[i];
		say(out,
		    "line %d units %d,%d present %d tare %.3f lpg %.3f gross %.3f shown %.3f "
		    "valve %s cmd %d flow %.3f motion %d watchdog_ms %d watchdog_trips %llu reads %llu,%llu "
		    "writes %llu",
		    l->number, l->scale->id, l->valve->id, l->present, l->tare, l->lpg,
		    l->present ? l->tare + l->lpg : 0.0, l->shown,
		    l->valve_open ? (l->close_at_ms ? "closing" : "open") : "closed", l->valve_cmd,
		    l->rate, l->motion, l->watchdog_ms, (unsigned long long)l->watchdog_trips,
		    (unsigned long long)l->scale->reads, (unsigned long long)l->valve->reads,
		    (unsigned long long)(l->valve->requests - l->valve->reads));
		if (l->valve->role == SIM_FILLER)
			say(out, " target %.3f filling %d done %d alarm %d", l->target, l->filling,
			    l->fill_done, l->fill_alarm);
		status_faults(out, l);
		say(out, "\n");
	}
	say(out,
	    "bus rtu_requests %llu rtu_gap_violations %llu rtu_bad_frames %llu "
	    "tcp_requests %llu\n",
	    (unsigned long long)sim->rtu_requests, (unsigned long long)sim->rtu_gap_violations,
	    (unsigned long long)sim->rtu_bad_frames, (unsigned long long)sim->tcp_requests);
	return 0;
}

static void list(struct command_out *out, int indent);
static void describe(const struct command *command, const struct sim *sim, struct command_out *out);

static int
run_help(struct sim *sim, const struct command *command, const struct command_value *v,
    struct command_out *out)
{
	(void)command;
	if (v[0].given)
		describe(v[0].command, sim, out);
	else
		list(out, 0);
	return 0;
}

#define LINE_ARG                                                                                   \
	{                                                                                          \
		.name = "LINE", .type = COMMAND_ARG_LINE                                           \
	}
#define UNITS_ARG                                                                                  \
	{                                                                                          \
		.name = "UNITS", .type = COMMAND_ARG_UNITS                                         \
	}
#define SWITCH_ARG                                                                                 \
	{                                                                                          \
		.name = "on|off", .type = COMMAND_ARG_SWITCH                                       \
	}

const struct command command_table[] = {
	{ .name = "place",
	    .arg = { LINE_ARG,
	        { .name = "TARE_KG",
	            .type = COMMAND_ARG_NUMBER,
	            .max = 150,
	            .about = "the empty cylinder" },
	        { .name = "LPG_KG",
	            .type = COMMAND_ARG_NUMBER,
	            .max = 100,
	            .optional = 1,
	            .about = "the LPG in it, 0 if left out" },
	        { .name = "CAPACITY_KG",
	            .type = COMMAND_ARG_NUMBER,
	            .min = 0.1,
	            .max = 100,
	            .optional = 1,
	            .about = "what it holds; if left out, as before (15 at start)" } },
	    .run = run_place,
	    .help = "put a cylinder on the scale" },
	{ .name = "remove",
	    .arg = { LINE_ARG },
	    .run = run_remove,
	    .help = "take the cylinder off" },
	{ .name = "dead",
	    .arg = { UNITS_ARG, SWITCH_ARG },
	    .run = set_unit,
	    .field = offsetof(struct sim_unit, dead),
	    .help = "the unit(s) stop answering" },
	{ .name = "slow",
	    .arg = { UNITS_ARG,
	        {
	            .name = "MS",
	            .type = COMMAND_ARG_INTEGER,
	            .max = 60000,
	        } },
	    .run = set_unit,
	    .field = offsetof(struct sim_unit, slow_ms),
	    .help = "delay every reply by MS (0 = off)" },
	{ .name = "exception",
	    .arg = { UNITS_ARG,
	        {
	            .name = "CODE",
	            .type = COMMAND_ARG_INTEGER,
	            .max = MODBUS_EXCEPTION_MAX - 1,
	        } },
	    .run = set_unit,
	    .field = offsetof(struct sim_unit, exception),
	    .help = "answer with exception CODE (0 = off)" },
	{ .name = "restart",
	    .arg = { UNITS_ARG,
	        {
	            .name = "MS",
	            .type = COMMAND_ARG_INTEGER,
	            .max = 60000,
	        } },
	    .run = run_restart,
	    .help = "a power cut at the unit(s): silent for MS, a valve they drive closes, back "
	            "with the power-on watchdog timeout" },
	{ .name = "crc",
	    .arg = { UNITS_ARG, SWITCH_ARG },
	    .run = set_unit,
	    .field = offsetof(struct sim_unit, crc),
	    .help = "RTU: replies with a wrong CRC" },
	{ .name = "garbage",
	    .arg = { UNITS_ARG, SWITCH_ARG },
	    .run = set_unit,
	    .field = offsetof(struct sim_unit, garbage),
	    .help = "RTU: replies with random bytes" },
	{ .name = "stuck",
	    .arg = { LINE_ARG, SWITCH_ARG },
	    .run = set_line,
	    .field = offsetof(struct sim_line, weight_stuck),
	    .help = "the weight display freezes" },
	{ .name = "valve-stuck",
	    .arg = { LINE_ARG, SWITCH_ARG },
	    .run = set_line,
	    .field = offsetof(struct sim_line, valve_stuck),
	    .help = "the valve does not close" },
	{ .name = "leak",
	    .arg = { LINE_ARG,
	        {
	            .name = "KG_PER_S",
	            .type = COMMAND_ARG_NUMBER,
	            .max = 10,
	        } },
	    .run = set_line,
	    .field = offsetof(struct sim_line, leak),
	    .help = "weight rises whatever the valve (0 = off)" },
	{ .name = "flow",
	    .arg = { LINE_ARG, { .name = "KG_PER_S", .type = COMMAND_ARG_NUMBER, .max = 10 } },
	    .run = set_line,
	    .field = offsetof(struct sim_line, flow),
	    .help = "nominal flow with the valve open" },
	{ .name = "noise",
	    .arg = { LINE_ARG, { .name = "KG", .type = COMMAND_ARG_NUMBER, .max = 10 } },
	    .run = set_line,
	    .field = offsetof(struct sim_line, noise),
	    .help = "scale noise, uniform +/- KG" },
	{ .name = "close-delay",
	    .arg = { LINE_ARG, { .name = "MS", .type = COMMAND_ARG_INTEGER, .max = 60000 } },
	    .run = set_line,
	    .field = offsetof(struct sim_line, close_delay_ms),
	    .help = "the valve's closing time" },
	{ .name = "status",
	    .run = run_status,
	    .help = "every line's state and its units' read counts, the bus counters" },
	{ .name = "help",
	    .arg = { { .name = "COMMAND", .type = COMMAND_ARG_COMMAND, .optional = 1 } },
	    .run = run_help,
	    .help = "this list, or one command's details" },
	{ .name = NULL },
};

/* ---- the table's text ------------------------------------------------------- */

const struct command *
command_find(const char *name)
{
	for (const struct command *c = command_table; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static int
nargs(const struct command *command)
{
	int n = 0;

	while (n < COMMAND_MAX_ARGS && command->arg[n].name != NULL)
		n++;
	return n;
}

void
command_usage(const struct command *command, char *buf, size_t size)
{
	struct command_out out = { buf, size, 0 };
	int open = 0;

	buf[0] = '\0';
	say(&out, "%s", command->name);
	for (int i = 0; i < nargs(command); i++) {
		if (command->arg[i].optional) {
			say(&out, " [%s", command->arg[i].name);
			open++;
		} else {
			say(&out, " %s", command->arg[i].name);
		}
	}
	while (open-- > 0)
		say(&out, "]");
}

static const char units_note[] = "UNITS is LINE (its units), LINE:scale or LINE:valve.";

static void
list(struct command_out *out, int indent)
{
	char usage[128];

	for (const struct command *c = command_table; c->name != NULL; c++) {
		command_usage(c, usage, sizeof(usage));
		say(out, "%*s%-44s %s\n", indent, "", usage, c->help);
	}
	say(out, "%*s%s\n", indent, "", units_note);
}

void
command_list(FILE *f, int indent)
{
	char text[8192];
	struct command_out out = { text, sizeof(text), 0 };

	text[0] = '\0';
	list(&out, indent);
	fputs(text, f);
}

/* What an argument takes, for `help COMMAND` and for errors. */
static void
takes(const struct command_arg *arg, const struct sim *sim, char *buf, size_t size)
{
	switch (arg->type) {
	case COMMAND_ARG_LINE:
		snprintf(buf, size, "a fill line, 1 to %d", sim->nlines);
		break;
	case COMMAND_ARG_UNITS:
		snprintf(buf, size, "LINE, LINE:scale or LINE:valve, lines 1 to %d", sim->nlines);
		break;
	case COMMAND_ARG_NUMBER:
		snprintf(buf, size, "a number from %.15g to %.15g", arg->min, arg->max);
		break;
	case COMMAND_ARG_INTEGER:
		snprintf(buf, size, "a whole number from %.15g to %.15g", arg->min, arg->max);
		break;
	case COMMAND_ARG_SWITCH:
		snprintf(buf, size, "on or off (1 or 0)");
		break;
	case COMMAND_ARG_COMMAND:
		snprintf(buf, size, "a command (try help)");
		break;
	}
}

static void
describe(const struct command *command, const struct sim *sim, struct command_out *out)
{
	char usage[128], what[96];

	command_usage(command, usage, sizeof(usage));
	say(out, "usage: %s\n%s\n", usage, command->help);
	for (int i = 0; i < nargs(command); i++) {
		takes(&command->arg[i], sim, what, sizeof(what));
		say(out, "  %-12s %s%s%s\n", command->arg[i].name, what,
		    command->arg[i].about ? ": " : "",
		    command->arg[i].about ? command->arg[i].about : "");
	}
}

/* ---- parsing --------------------------------------------------------------- */

static int
parse_line(struct sim *sim, const char *text, struct sim_line **line)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || n < 1 || n > sim->nlines)
		return -1;
	*line = &sim->line[n - 1];
	return 0;
}

/* "N", "N:scale", "N:valve": the line and the units selected.  A filler is
 * one unit, which N:scale and N:valve both name. */
static int
parse_units(struct sim *sim, const char *text, struct command_value *v)
{
	char buf[32];
	char *colon;
	struct sim_line *l;

	if (strlen(text) >= sizeof(buf))
		return -1;
	memcpy(buf, text, strlen(text) + 1);
	if ((colon = strchr(buf, ':')) != NULL)
		*colon++ = '\0';
	if (parse_line(sim, buf, &l) < 0)
		return -1;
	if (colon != NULL && strcmp(colon, "scale") != 0 && strcmp(colon, "valve") != 0)
		return -1;
	v->line = l;
	if (colon == NULL || l->scale == l->valve) {
		v->units[0] = l->scale;
		v->units[1] = l->valve;
		v->nunits = l->scale == l->valve ? 1 : 2;
	} else {
		v->units[0] = strcmp(colon, "scale") == 0 ? l->scale : l->valve;
		v->nunits = 1;
	}
	return 0;
}

static int
parse_number(const char *text, const struct command_arg *arg, double *out)
{
	char *end;
	double d;

	errno = 0;
	if (arg->type == COMMAND_ARG_INTEGER) {
		long n = strtol(text, &end, 10);
		d = (double)n;
	} else {
		d = strtod(text, &end);
	}
	if (errno != 0 || end == text || *end != '\0' || !isfinite(d) || d < arg->min ||
	    d > arg->max)
		return -1;
	*out = d;
	return 0;
}

static int
parse_switch(const char *text, double *out)
{
	if (strcmp(text, "on") == 0 || strcmp(text, "1") == 0)
		*out = 1;
	else if (strcmp(text, "off") == 0 || strcmp(text, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int
parse_arg(struct sim *sim, const struct command_arg *arg, const char *text, struct command_value *v)
{

	v->given = 1;
	switch (arg->type) {
	case COMMAND_ARG_LINE:
		if (parse_line(sim, text, &v->line) == 0)
			return 0;
		break;
	case COMMAND_ARG_UNITS:
		if (parse_units(sim, text, v) == 0)
			return 0;
		break;
	case COMMAND_ARG_NUMBER:
	case COMMAND_ARG_INTEGER:
		if (parse_number(text, arg, &v->number) == 0)
			return 0;
		break;
	case COMMAND_ARG_SWITCH:
		if (parse_switch(text, &v->number) == 0)
			return 0;
		break;
	case COMMAND_ARG_COMMAND:
		if ((v->command = command_find(text)) != NULL)
			return 0;
		break;
	}
	return -1;
}

/* argv[1..argc-1] checked against the row's arguments into v; -1 after
 * saying which one is wrong. */
static int
parse_args(struct sim *sim, const struct command *c, int argc, char **argv, struct command_value *v,
    struct command_out *out)
{
	char usage[128], what[96];
	int n = nargs(c);

	command_usage(c, usage, sizeof(usage));
	if (argc - 1 > n)
		return refuse(out, "%s: too many arguments (usage: %s)", c->name, usage);
	memset(v, 0, COMMAND_MAX_ARGS * sizeof(*v));
	for (int i = 0; i < n; i++) {
		const struct command_arg *arg = &c->arg[i];
		if (i + 1 >= argc) {
			if (arg->optional)
				return 0;
			return refuse(out, "%s: %s missing (usage: %s)", c->name, arg->name, usage);
		}
		if (parse_arg(sim, arg, argv[i + 1], &v[i]) == 0)
			continue;
		takes(arg, sim, what, sizeof(what));
		if (arg->type == COMMAND_ARG_SWITCH) /* its name says it all */
			return refuse(out, "%s: '%.64s' is not %s", c->name, argv[i + 1], what);
		return refuse(out, "%s: %s '%.64s' is not %s", c->name, arg->name, argv[i + 1],
		    what);
	}
	return 0;
}

int
command_run(struct sim *sim, const char *text, char *outbuf, size_t outlen)
{
	struct command_out out = { outbuf, outlen, 0 };
	struct command_value v[COMMAND_MAX_ARGS];
	const struct command *c;
	char buf[COMMAND_MAX_LEN + 1];
	char *argv[1 + COMMAND_MAX_ARGS + 1], *save = NULL, *tok;
	int argc = 0;
	size_t len = strcspn(text, "\r\n");

	outbuf[0] = '\0';
	if (len > COMMAND_MAX_LEN)
		return refuse(&out, "command longer than %d bytes", COMMAND_MAX_LEN);
	memcpy(buf, text, len);
	buf[len] = '\0';
	/* one word more than any command takes, to tell "too many" */
	for (tok = strtok_r(buf, " \t", &save);
	     tok != NULL && argc < (int)(sizeof(argv) / sizeof(argv[0]));
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	if (argc == 0 || argv[0][0] == '#') {
		say(&out, "ok\n");
		return 0;
	}
	if ((c = command_find(argv[0])) == NULL)
		return refuse(&out, "unknown command '%.64s' (try help)", argv[0]);
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		describe(c, sim, &out);
		say(&out, "ok\n");
		return 0;
	}
	if (parse_args(sim, c, argc, argv, v, &out) < 0)
		return -1;
	sim_tick(sim, time_mono_ms());
	if (c->run(sim, c, v, &out) < 0)
		return -1;
	sim_tick(sim, time_mono_ms());
	say(&out, "ok\n");
	return 0;
}

int
command_run_file(struct sim *sim, const char *path, FILE *err)
{
	char line[COMMAND_MAX_LEN + 2], answer[32768];
	FILE *f = fopen(path, "r");
	int lineno = 0, rc = 0;

	if (f == NULL) {
		fprintf(err, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t len = strlen(line);
		lineno++;
		if (len > 0 && line[len - 1] != '\n' && !feof(f)) {
			int ch;
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			fprintf(err, "%s:%d: line longer than %d bytes\n", path, lineno,
			    COMMAND_MAX_LEN);
			rc = -1;
			continue;
		}
		if (command_run(sim, line, answer, sizeof(answer)) < 0) {
			const char *why = strstr(answer, "error: ");
			why = why != NULL ? why + strlen("error: ") : answer;
			fprintf(err, "%s:%d: %.*s\n", path, lineno, (int)strcspn(why, "\n"), why);
			rc = -1;
		}
	}
	if (ferror(f)) {
		fprintf(err, "%s:%d: %s\n", path, lineno + 1, strerror(errno));
		rc = -1;
	}
	fclose(f);
	return rc;
}
