/*
 * conf: configuration files as tables.
 *
 * A configuration is INI text (parsed by inih).  What may appear in it is
 * described once, as a table of sections, each with a table of keys (name,
 * type, bounds, default, help); the parser fills a caller's struct at the
 * offsets the table gives.  A section may be single ([station]) or repeated
 * with an id ([line 1], [line 2]) into an array of structs.
 *
 * Every problem is collected, not just the first: an unknown section or key,
 * a value of the wrong type or out of bounds, a missing required key; each
 * as "FILE:LINE: message".  The same tables print a commented example file
 * (conf_write_example), so the example always covers every key.
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

struct conf_key {
	const char *name;
	enum conf_type type;
	size_t offset;              /* into the section's struct */
	size_t size;                /* CONF_STRING/CONF_CHOICE: buffer size */
	double min, max;            /* bounds (see enum conf_type) */
	const char *default_value;  /* text as in the file; NULL: required */
	const char *help;           /* one line for the example file and errors */
	const char *const *choices; /* CONF_CHOICE: NULL-terminated list */
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
};

#define CONF_MAX_ERRORS 64

/* Everything wrong with one file; messages are "FILE:LINE: text". */
struct conf_report {
	size_t count;
	char errors[CONF_MAX_ERRORS][256];
};

/*
 * Fill root from the file at path according to sections (ending with a row
 * whose name is NULL).  Defaults are applied first, so root is complete
 * whenever this returns 0.  Returns 0 when the report is empty, -1
 * otherwise (root then holds whatever could be parsed and must not be used).
 */
int conf_load(const char *path, const struct conf_section *sections, void *root,
    struct conf_report *report);

/* Same, from a NUL-terminated string; name is used in messages. */
int conf_load_string(const char *name, const char *text, const struct conf_section *sections,
    void *root, struct conf_report *report);

/*
 * A reload: conf_load of path into fresh, then a comparison with current,
 * a configuration loaded from the same sections before.  Every key of a
 * single section named in fixed (NULL-terminated; keys a running program
 * cannot take up) whose value differs is set back in fresh to current's
 * value and named in notes as "FILE:LINE: 'KEY' changes only on restart"
 * (no LINE when the file no longer sets it).  So on success fresh is
 * current with only the keys outside fixed changed, and the caller can put
 * it in force whole.  Returns 0, or -1 with report filled as conf_load's
 * (fresh must then not be used; notes is empty).
 */
int conf_reload(const char *path, const struct conf_section *sections, const void *current,
    void *fresh, const char *const *fixed, struct conf_report *notes, struct conf_report *report);

/* Print every error of a report to f, one per line. */
void conf_report_print(const struct conf_report *report, FILE *f);

/* Write a commented example configuration covering every key. */
void conf_write_example(FILE *f, const char *title, const struct conf_section *sections);

#endif
