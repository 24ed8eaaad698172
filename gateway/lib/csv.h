/*
 * csv: a small RFC 4180 reader for the registry files counties hand out.
 *
 * Fields are separated by commas, records by LF or CRLF; a field in double
 * quotes may hold commas, line breaks and doubled quotes.  A UTF-8 byte order
 * mark at the start is skipped; blank lines are skipped.  Each record reports
 * the line it starts on.  A record longer than CSV_RECORD_MAX bytes or with
 * more than CSV_FIELDS_MAX fields is refused, and so is bad quoting; after a
 * refused record the reader carries on after the record's end as a
 * spreadsheet sees it (a line break inside quotes is not one), so a caller
 * can report the bad record and go on, and text inside a refused record's
 * quotes never comes back as rows of its own.
 *
 * The reader reads from a stdio stream it does not own (fmemopen() gives one
 * over a buffer), without taking the stream's lock: while a reader is open,
 * only the thread calling csv_next() may use the stream.  Fields point into
 * the reader and are valid until the next csv_next() or csv_close().
 */
#ifndef GAS_CSV_H
#define GAS_CSV_H

#include <stddef.h>
#include <stdio.h>

#define CSV_RECORD_MAX 4096
#define CSV_FIELDS_MAX 32

struct csv_reader;

struct csv_row {
	unsigned long line; /* line the record starts on (1-based) */
	int nfields;
	const char *fields[CSV_FIELDS_MAX];
	size_t lengths[CSV_FIELDS_MAX]; /* fields may hold NUL bytes; lengths say */
};

/* A reader over fp (not closed by csv_close).  NULL only when out of memory. */
struct csv_reader *csv_open(FILE *fp);
void csv_close(struct csv_reader *r);

/*
 * Read the next record into *row.  Returns 1 for a record, 0 at the end of the
 * input, -1 for a refused record (row->line says where; err why; the next call
 * goes on after it) and -2 for a read error of the stream.
 */
int csv_next(struct csv_reader *r, struct csv_row *row, char *err, size_t errlen);

/* Bytes consumed so far (for progress). */
unsigned long long csv_offset(const struct csv_reader *r);

#endif
