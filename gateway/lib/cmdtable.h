/*
 * cmdtable: the commands of a command-line tool as a table of rows.
 *
 * Each tool describes its commands once, as an array of its own row struct
 * (name, usage, help, what to run, and whatever else it needs); its
 * overview, each command's --help and the dispatch are all read from that
 * array, so a command cannot exist without its help.  This module holds what
 * every such table needs the same way: finding a row by its name.
 *
 * A row struct must begin with `const char *name` (the command's words,
 * "registry import"); rows is the array, count its rows, size sizeof one row.
 */
#ifndef GAS_CMDTABLE_H
#define GAS_CMDTABLE_H

#include <stddef.h>

/* The row whose name is name exactly, or NULL; points into rows. */
const void *cmdtable_find(const void *rows, size_t count, size_t size, const char *name);

/* The same, typed: CMDTABLE_FIND(commands, "ack") on a static array. */
#define CMDTABLE_FIND(rows, name)                                                                  \
	((const __typeof__((rows)[0]) *)cmdtable_find((rows), sizeof(rows) / sizeof((rows)[0]),    \
	    sizeof((rows)[0]), (name)))

#endif
