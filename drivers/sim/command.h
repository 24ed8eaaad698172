/*
 * command: gassim's control commands ("place 1 15.2", "dead 2:valve on"),
 * one table of rows (name, typed arguments, handler, help text).  The table
 * is the one source for dispatch, for the `help` answer, for the list
 * `gassim --help` prints, and for the lists in docs/simulator.md and
 * gassim(1), which a unit test checks against it.
 *
 * A command comes from the control socket, from -e, or from a -c file; each
 * is answered the same way: zero or more lines of output, then one line
 * "ok" or "error: WHAT WAS WRONG".  Runs on gassim's one thread.
 */
#ifndef GAS_SIM_COMMAND_H
#define GAS_SIM_COMMAND_H

#include <stddef.h>
#include <stdio.h>

#include "sim.h"

/* The longest command line taken, without its newline. */
#define COMMAND_MAX_LEN 511
#define COMMAND_MAX_ARGS 4

enum command_arg_type {
	COMMAND_ARG_LINE,    /* a fill line's number */
	COMMAND_ARG_UNITS,   /* LINE (its units), LINE:scale or LINE:valve */
	COMMAND_ARG_NUMBER,  /* a decimal number within [min, max] */
	COMMAND_ARG_INTEGER, /* a whole number within [min, max] */
	COMMAND_ARG_SWITCH,  /* on|off (or 1|0) */
	COMMAND_ARG_COMMAND, /* a command's name */
};

struct command_arg {
	const char *name; /* as the usage shows it: "TARE_KG", "on|off" */
	enum command_arg_type type;
	double min, max;   /* NUMBER and INTEGER */
	int optional;      /* this one and every later one may be left out */
	const char *about; /* what it means, for `help COMMAND`, or NULL */
};

struct command;

/* An argument as parsed: which fields are set depends on its type. */
struct command_value {
	int given;
	struct sim_line *line;     /* LINE, and UNITS' line */
	struct sim_unit *units[2]; /* UNITS */
	int nunits;
	double number;                 /* NUMBER, INTEGER, SWITCH (1 or 0) */
	const struct command *command; /* COMMAND */
};

/* Where a command writes its answer: a bounded buffer that truncates. */
struct command_out {
	char *text;
	size_t size, used;
};

struct command {
	const char *name;
	struct command_arg arg[COMMAND_MAX_ARGS]; /* ends at the first without a name */
	/* Run with the parsed arguments; 0, or -1 after saying "error: ..." */
	int (*run)(struct sim *sim, const struct command *command, const struct command_value *v,
	    struct command_out *out);
	size_t field;     /* for the setters: offsetof the struct sim_line/sim_unit member set */
	const char *help; /* one line, no final stop */
};

/* The table, ended by a row without a name. */
extern const struct command command_table[];

/* The row named name, or NULL. */
const struct command *command_find(const char *name);

/* "place LINE TARE_KG [LPG_KG [CAPACITY_KG]]" into buf (always terminated). */
void command_usage(const struct command *command, char *buf, size_t size);

/*
 * Run one command line (a final newline is allowed) against sim.  The
 * answer, every line ending in '\n', the last "ok" or "error: ...", goes into
 * out (outlen bytes, always terminated; a longer answer is cut).  Returns 0,
 * or -1 if the command was refused (nothing changed in sim).  An empty line
 * or a comment ('#') is answered "ok".
 */
int command_run(struct sim *sim, const char *line, char *out, size_t outlen);

/*
 * Run the commands of the file at path, a line each (blank lines and '#'
 * comments skipped).  Each refused line is reported on err as
 * "PATH:LINE: what was wrong"; every line is tried.  Returns 0 if all were
 * taken, -1 otherwise (also when the file cannot be read, said on err).
 */
int command_run_file(struct sim *sim, const char *path, FILE *err);

/* The command list of `help` (and of `gassim --help`), ending with the
 * note on UNITS, written to f with every line indented by indent spaces. */
void command_list(FILE *f, int indent);

#endif
