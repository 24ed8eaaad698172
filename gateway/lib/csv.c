/*
 * csv: RFC 4180 records from a stdio stream, one character at a time with a
 * small state machine.  A record is collected into one fixed buffer
 * (CSV_RECORD_MAX bytes, fields NUL-separated), so memory is bounded whatever
 * the input.  On a refused record the reader discards the rest of the record
 * as a spreadsheet reads it, quotes and all (csv_skip_record), and starts
 * again after it: never at a line feed inside a quoted field, whose text
 * would otherwise come back as rows nobody sees in the file.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct csv_reader {
	FILE *fp;
	unsigned long line;        /* current physical line */
	unsigned long long offset; /* bytes consumed */
	int started;               /* BOM check done */
	char buf[CSV_RECORD_MAX + CSV_FIELDS_MAX + 1];
};

struct csv_reader *
csv_open(FILE *fp)
{
	struct csv_reader *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->fp = fp;
	r->line = 1;
	return r;
}

void
csv_close(struct csv_reader *r)
{
	free(r);
}

unsigned long long
csv_offset(const struct csv_reader *r)
{
	return r->offset;
}

/* getc_unlocked: one reader reads its stream from one thread (csv.h), so the
 * stream's lock taken for every byte by getc is pure cost (a fifth of a
 * registry import's parsing). */
static int
csv_getc(struct csv_reader *r)
{
	int c = getc_unlocked(r->fp);

	if (c != EOF)
		r->offset++;
	return c;
}

/* Discard up to and including the next LF. */
static void
csv_skip_line(struct csv_reader *r)
{
	int c;

	while ((c = csv_getc(r)) != EOF && c != '\n')
		;
	if (c == '\n')
		r->line++;
}

/*
 * Discard the rest of a refused record, read leniently as a spreadsheet (or
 * Python's csv) reads it: a quote at a field's start opens a quoted field,
 * a doubled quote inside one is a quote, a closing quote followed by a quote
 * goes on with the field, and a quote anywhere else is text.  The record ends
 * at a line feed, a carriage return or the end of the file outside quotes.
 * quoted: the reader is inside a quoted field; field_start: the next
 * character starts a field.
 */
static void
csv_skip_record(struct csv_reader *r, int quoted, int field_start)
{
	int c, closed = 0;

	while ((c = csv_getc(r)) != EOF) {
		if (quoted) {
			if (c == '"')
				quoted = 0, closed = 1;
			else if (c == '\n')
				r->line++;
			continue;
		}
		if (c == '\n') {
			r->line++;
			return;
		}
		if (c == '\r') {
			int d = csv_getc(r);

			if (d != '\n' && d != EOF) {
				ungetc(d, r->fp);
				r->offset--;
			}
			r->line++;
			return;
		}
		if (c == '"' && (field_start || closed)) {
			quoted = 1;
			closed = field_start = 0;
			continue;
		}
		closed = 0;
		field_start = c == ',';
	}
}

int
csv_next(struct csv_reader *r, struct csv_row *row, char *err, size_t errlen)
{
	enum { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED } state = FIELD_START;
	size_t used = 0, field_start = 0;
	int c;

	memset(row, 0, sizeof(*row));
	if (!r->started) {
		r->started = 1;
		c = csv_getc(r);
		if (c == 0xef) {
			if (csv_getc(r) != 0xbb || csv_getc(r) != 0xbf) {
				row->line = r->line;
				csv_skip_line(r);
				return err_set(err, errlen, "broken UTF-8 byte order mark");
			}
		} else if (c != EOF) {
			ungetc(c, r->fp);
			r->offset--;
		}
	}
	/* Skip blank lines between records. */
	for (;;) {
		c = csv_getc(r);
		if (c == '\r') {
			int d = csv_getc(r);

			if (d == '\n') {
				r->line++;
				continue;
			}
			if (d != EOF) {
				ungetc(d, r->fp);
				r->offset--;
			}
			break;
		}
		if (c != '\n')
			break;
		r->line++;
	}
	if (c == EOF)
		return ferror(r->fp) ? err_set(err, errlen, "read error") - 1 : 0;
	row->line = r->line;

	for (;; c = csv_getc(r)) {
		int end_field = 0, end_record = 0;

		if (c == EOF && ferror(r->fp))
			return err_set(err, errlen, "read error") - 1;
		switch (state) {
		case FIELD_START:
			if (c == '"') {
				state = QUOTED;
				continue;
			}
			state = UNQUOTED;
			/* FALLTHROUGH */
		case UNQUOTED:
			if (c == ',')
				end_field = 1;
			else if (c == '\n' || c == EOF)
				end_field = end_record = 1;
			else if (c == '\r') {
				int d = csv_getc(r);

				if (d != '\n' && d != EOF) {
					ungetc(d, r->fp);
					r->offset--;
				}
				c = '\n';
				end_field = end_record = 1;
			} else if (c == '"') {
				csv_skip_record(r, 0, 0);
				return err_set(err, errlen,
				    "field %d: a quote inside an unquoted "
				    "field (quote the whole field and double the quote)",
				    row->nfields + 1);
			}
			break;
		case QUOTED:
			if (c == EOF)
				return err_set(err, errlen,
				    "field %d: quoted field not closed "
				    "before the end of the file",
				    row->nfields + 1);
			if (c == '"') {
				state = QUOTE_IN_QUOTED;
				continue;
			}
			if (c == '\n')
				r->line++;
			break;
		case QUOTE_IN_QUOTED:
			if (c == '"') {
				state = QUOTED;
				break;
			}
			if (c == ',')
				end_field = 1;
			else if (c == '\n' || c == EOF)
				end_field = end_record = 1;
			else if (c == '\r') {
				int d = csv_getc(r);

				if (d != '\n' && d != EOF) {
					ungetc(d, r->fp);
					r->offset--;
				}
				c = '\n';
				end_field = end_record = 1;
			} else {
				csv_skip_record(r, 0, 0);
				return err_set(err, errlen,
				    "field %d: text after the closing "
				    "quote",
				    row->nfields + 1);
			}
			break;
		}
		if (end_field) {
			if (row->nfields == CSV_FIELDS_MAX) {
				if (c == ',')
					csv_skip_record(r, 0, 1);
				else if (c == '\n')
					r->line++;
				return err_set(err, errlen, "more than %d fields", CSV_FIELDS_MAX);
			}
			r->buf[used++] = '\0';
			row->fields[row->nfields] = r->buf + field_start;
			row->lengths[row->nfields] = used - 1 - field_start;
			row->nfields++;
			field_start = used;
			state = FIELD_START;
			if (end_record) {
				if (c == '\n')
					r->line++;
				return 1;
			}
			continue;
		}
		if (used >= CSV_RECORD_MAX) {
			/* c is taken and is not a record's end (a line feed inside
			 * quotes is counted above) */
			csv_skip_record(r, state == QUOTED, 0);
			return err_set(err, errlen, "record longer than %d bytes", CSV_RECORD_MAX);
		}
		r->buf[used++] = (char)c;
	}
}
