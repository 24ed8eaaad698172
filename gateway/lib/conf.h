/*
 * conf: configuration files as tables.
 *
 * A configuration is INI text (parsed by inih).  What may appear in it is
 * described once, as a table of sections, each with a table of keys (name,
 * type, bounds, default, help, flags); the parser fills a caller's struct at
 * the offsets the table gives.  A section may be single ([station]) or
 * repeated with an id ([line 1], [line 2]) into an array of structs.
 *
 * Every problem is collected, not just the first: an unknown section or key,
 * a value of the wrong type or out of bounds, a missing required key, a line
 * that is not INI, and whatever the caller's own check (conf_input.check)
 * finds across keys; each as "FILE:LINE: message".  The same tables print a
 * commented example file (conf_write_example), so the example always covers
 * every key.  A key a running program cannot take up carries CONF_RESTART;
 * conf_reload keeps its old value and names it.
 */
#ifndef GAS_CONF_H
#define GAS_CONF_H

#include <stddef.h>
#include <stdio.h>

enum conf_type {
	CONF_STRING, /* char[size]; min/max bound the length */
	CONF_INT,    /* int; min/max bound the value */
	CONF_DOUBLE, /* double; min/max bound the value */
	CONF_BOOL,   /* int 0/1; yes/no, true/false, on/off, 1/0 */
	CONF_CHOICE, /* char[size]; one of choices[] */
	CONF_ZONE,   /* char[size]; a time zone of the tz database, or "" (timetext.h) */
};

/* conf_key.flags */
#define CONF_RESTART 0x1 /* a running program takes a new value only on restart */

struct conf_key {
	const char *name;
	enum conf_type type;
	size_t offset;              /* into the section's struct */
	size_t size;                /* CONF_STRING/CONF_CHOICE: buffer size */
	double min, max;            /* bounds (see enum conf_type) */
	const char *default_value;  /* text as in the file; NULL: required */
	const char *help;           /* one line for the example file and errors */
	const char *const *choices; /* CONF_CHOICE: NULL-terminated list */
	unsigned flags;             /* CONF_RESTART */
};

struct conf_section {
	const char *name; /* [name] or, when repeated, [name ID] */
	int repeated;     /* 1: [name ID] may appear up to max_items times */
	size_t max_items;
	size_t offset;       /* single: the struct; repeated: the array */
	size_t item_size;    /* repeated: array stride */
	size_t count_offset; /* repeated: size_t count in the root struct */
	size_t id_offset;    /* repeated: char[id_size] in each item */
	size_t id_size;
	const char *help;
	const struct conf_key *keys; /* ends with a row whose name is NULL */
	int optional;                /* single: may be left out, and its required keys are
	                              * required only when it is there */
};

#define CONF_MAX_ERRORS 64

/* Everything wrong with one file; messages are "FILE:LINE: text" (or
 * "FILE: text" when no line applies). */
struct conf_report {
	size_t count;
	char errors[CONF_MAX_ERRORS][256];
	unsigned short text_at[CONF_MAX_ERRORS]; /* where "text" starts in errors[i] */
};

/* Add "NAME:LINE: message" (LINE 0: "NAME: message") while there is room. */
void conf_report_add(struct conf_report *report, const char *name, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Append every message of from to report, while there is room. */
void conf_report_append(struct conf_report *report, const struct conf_report *from);

/*
 * Where a parse found things, for a check across keys.  Valid only during
 * the check call.
 */
struct conf_where;
/* The line that set key in the section whose struct is at base (the single
 * section's struct, or one item of a repeated section's array); key NULL:
 * the line of its [header].  0 when the file does not set it (a default),
 * or has no such section. */
int conf_where_line(const struct conf_where *where, const void *base, const char *key);
/* The name messages use for the file (conf_input.name). */
const char *conf_where_name(const struct conf_where *where);

/*
 * What to parse: a file (path) or len bytes of text (NUL bytes in it are read
 * as blanks, nothing past len is read); name is the file's name in messages
 * (default: path).  check, when set, runs after the tables have been applied
 * (also when they found errors: it must cope with what could be parsed) and
 * adds its own findings to report with conf_report_add.
 */
struct conf_input {
	const char *name;
	const char *path;
	const char *text;
	size_t len;
	void (*check)(void *root, const struct conf_where *where, struct conf_report *report,
	    void *arg);
	void *arg;
};

/*
 * Fill root from input according to sections (ending with a row whose name
 * is NULL).  Defaults are applied first, so root is complete whenever this
 * returns 0.  Returns 0 when the report is empty, -1 otherwise (root then
 * holds whatever could be parsed and must not be used).
 */
int conf_parse(const struct conf_input *input, const struct conf_section *sections, void *root,
    struct conf_report *report);

/* conf_parse of the file at path (no check). */
int conf_load(const char *path, const struct conf_section *sections, void *root,
    struct conf_report *report);

/* conf_parse of a NUL-terminated string; name is used in messages. */
int conf_load_string(const char *name, const char *text, const struct conf_section *sections,
    void *root, struct conf_report *report);

/*
 * A reload: conf_parse of input into fresh, then a comparison with current,
 * a configuration parsed from the same sections before.  Every CONF_RESTART
 * key whose value differs is set back in fresh to current's value and named
 * in notes as "FILE:LINE: 'KEY' changes only on restart" (in a repeated
 * section "FILE:LINE: [line 1] 'KEY' changes only on restart"; LINE is the
 * new value's, or the section's when the file no longer sets it).  Items of
 * a repeated section that has CONF_RESTART keys are matched by their id; an
 * item the file adds or drops is named too and waits for the restart (fresh
 * keeps current's items, and takes only their other keys from the file).
 * So on success fresh is current with only the keys a
 * running program can take changed, and the caller can put it in force
 * whole.  Returns 0, or -1 with report filled as conf_parse's (fresh must
 * then not be used; notes is empty).
 */
int conf_reload(const struct conf_input *input, const struct conf_section *sections,
    const void *current, void *fresh, struct conf_report *notes, struct conf_report *report);

/* Print every message of a report to f, one per line; with a label
 * ("error", "warning") as "FILE:LINE: LABEL: text". */
void conf_report_print(const struct conf_report *report, FILE *f);
void conf_report_print_as(const struct conf_report *report, const char *label, FILE *f);

/* Write a commented example configuration covering every key. */
void conf_write_example(FILE *f, const char *title, const struct conf_section *sections);

#endif
