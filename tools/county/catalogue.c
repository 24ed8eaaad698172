/*
 * catalogue: the county's outcomes, penalty powers, report kinds,
 * villages, deadlines and calendar, from CSV, and its township boundaries
 * from GeoJSON (geo.h) (catalogue.h says the formats).  The files come from the county's own
 * staff: every field is still measured before it is copied, and every
 * problem names FILE:LINE so that an edit can be fixed where it went wrong.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "catalogue.h"
#include "cborread.h"
#include "csv.h"
#include "timetext.h"
#include "util.h"
#include "wire.h"

/* Copy field i of row into dst (size bytes): -1 if too long or holding NUL
 * or a control character. */
static int
field(const struct csv_row *row, int i, char *dst, size_t size)
{
	size_t n, k;

	if (i >= row->nfields) {
		dst[0] = '\0';
		return 0;
	}
	n = row->lengths[i];
	if (n >= size)
		return -1;
	for (k = 0; k < n; k++)
		if ((unsigned char)row->fields[i][k] < 0x20 || row->fields[i][k] == 0x7f)
			return -1;
	memcpy(dst, row->fields[i], n);
	dst[n] = '\0';
	return 0;
}

/* A code: 1..CATALOGUE_CODE-1 of [A-Za-z0-9_.-]. */
static int
code_ok(const char *s)
{
	if (s[0] == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		        (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return 0;
	return 1;
}

static int
comment_or_blank(const struct csv_row *row)
{
	return row->nfields == 0 || (row->lengths[0] > 0 && row->fields[0][0] == '#') ||
	       (row->nfields == 1 && row->lengths[0] == 0);
}

typedef int (*row_fn)(const char *name, const struct csv_row *row, struct catalogue *cat, char *err,
    size_t errlen);

/* Read every row of buf after the header (which must be exactly header). */
static int
read_rows(const char *name, const char *buf, size_t len, const char *header, row_fn fn,
    struct catalogue *cat, char *err, size_t errlen)
{
	struct csv_reader *reader;
	struct csv_row row;
	char reason[160], got[256];
	int rc = -1, seen_header = 0, n;
	FILE *fp;

	char *text;
	size_t at, kept = 0;
	int bol = 1, skip = 0;

	if (len == 0)
		return err_set(err, errlen, "%s: empty file (the header is %s)", name, header);
	/* comment lines emptied before the CSV reader sees them (their line
	 * breaks kept, so that line numbers stay true): a comment may hold
	 * anything, quotes included */
	if ((text = malloc(len)) == NULL)
		return err_set(err, errlen, "out of memory");
	for (at = 0; at < len; at++) {
		if (bol)
			skip = buf[at] == '#';
		bol = buf[at] == '\n';
		if (!skip || bol)
			text[kept++] = buf[at];
	}
	if (kept == 0 || (fp = fmemopen(text, kept, "r")) == NULL) {
		free(text);
		return err_set(err, errlen, "%s: no header (it is %s)", name, header);
	}
	if ((reader = csv_open(fp)) == NULL) {
		fclose(fp);
		free(text);
		return err_set(err, errlen, "out of memory");
	}
	while ((n = csv_next(reader, &row, reason, sizeof(reason))) != 0) {
		if (n < 0) {
			err_set(err, errlen, "%s:%lu: %s", name, row.line, reason);
			goto out;
		}
		if (comment_or_blank(&row))
			continue;
		if (!seen_header) {
			size_t used = 0;
			int i;

			got[0] = '\0';
			for (i = 0; i < row.nfields && used < sizeof(got); i++)
				used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%.*s",
				    i > 0 ? "," : "", (int)row.lengths[i], row.fields[i]);
			if (strcmp(got, header) != 0) {
				err_set(err, errlen, "%s:%lu: the header must be %s", name,
				    row.line, header);
				goto out;
			}
			seen_header = 1;
			continue;
		}
		if (fn(name, &row, cat, err, errlen) == -1)
			goto out;
	}
	if (!seen_header) {
		err_set(err, errlen, "%s: no header (it is %s)", name, header);
		goto out;
	}
	rc = 0;
out:
	csv_close(reader);
	fclose(fp);
	free(text);
	return rc;
}

static void *
grow(void *array, size_t count, size_t size)
{
	/* doubling at powers of two keeps the copies few */
	if (count != 0 && (count & (count - 1)) != 0)
		return array;
	return realloc(array, (count == 0 ? 8 : count * 2) * size);
}

/* Fields 1 and 2 of an item: its code and its (Chinese) name. */
static int
code_and_name(const char *name, const struct csv_row *row, char code[CATALOGUE_CODE],
    char item_name[CATALOGUE_NAME], char *err, size_t errlen)
{
	if (field(row, 1, code, CATALOGUE_CODE) == -1 || !code_ok(code))
		return err_set(err, errlen,
		    "%s:%lu: code must be 1 to %d letters, digits, '_', '.' or '-'", name,
		    row->line, CATALOGUE_CODE - 1);
	if (field(row, 2, item_name, CATALOGUE_NAME) == -1 || item_name[0] == '\0')
		return err_set(err, errlen, "%s:%lu: name empty or longer than %d bytes", name,
		    row->line, CATALOGUE_NAME - 1);
	return 0;
}

static int
catalogue_row(const char *name, const struct csv_row *row, struct catalogue *cat, char *err,
    size_t errlen)
{
	char kind[16], applies[512], *save = NULL, *p;
	unsigned long line = row->line;

	if (row->nfields != 5)
		return err_set(err, errlen,
		    "%s:%lu: %d fields, expected 5 (kind,code,name,basis,applies)", name, line,
		    row->nfields);
	if (cat->noutcomes + cat->npowers + cat->nkinds >= CATALOGUE_MAX_ITEMS)
		return err_set(err, errlen, "%s:%lu: more than %d items", name, line,
		    CATALOGUE_MAX_ITEMS);
	if (field(row, 0, kind, sizeof(kind)) == -1 ||
	    field(row, 4, applies, sizeof(applies)) == -1)
		return err_set(err, errlen, "%s:%lu: kind or applies too long", name, line);
	if (strcmp(kind, "outcome") == 0) {
		struct catalogue_outcome *o, *grown;

		if (cat->noutcomes >= CATALOGUE_MAX_ITEMS / 2)
			return err_set(err, errlen, "%s:%lu: too many outcomes", name, line);
		if ((grown = grow(cat->outcomes, cat->noutcomes, sizeof(*o))) == NULL)
			return err_set(err, errlen, "out of memory");
		cat->outcomes = grown;
		o = &cat->outcomes[cat->noutcomes];
		memset(o, 0, sizeof(*o));
		if (code_and_name(name, row, o->code, o->name, err, errlen) == -1)
			return -1;
		if (strcmp(applies, "amount") == 0)
			o->amount = 1;
		else if (applies[0] != '\0')
			return err_set(err, errlen,
			    "%s:%lu: an outcome's applies is \"amount\" (a fine) or empty", name,
			    line);
		if (catalogue_outcome(cat, o->code) != NULL)
			return err_set(err, errlen, "%s:%lu: outcome %s twice", name, line,
			    o->code);
		cat->noutcomes++;
		return 0;
	}
	if (strcmp(kind, "power") == 0) {
		struct catalogue_power *pw, *grown;

		if ((grown = grow(cat->powers, cat->npowers, sizeof(*pw))) == NULL)
			return err_set(err, errlen, "out of memory");
		cat->powers = grown;
		pw = &cat->powers[cat->npowers];
		memset(pw, 0, sizeof(*pw));
		if (code_and_name(name, row, pw->code, pw->name, err, errlen) == -1)
			return -1;
		if (field(row, 3, pw->basis, sizeof(pw->basis)) == -1 || pw->basis[0] == '\0')
			return err_set(err, errlen,
			    "%s:%lu: a power needs its legal basis (at most %d bytes)", name, line,
			    CATALOGUE_BASIS - 1);
		if (catalogue_power(cat, pw->code) != NULL)
			return err_set(err, errlen, "%s:%lu: power %s twice", name, line, pw->code);
		for (p = strtok_r(applies, ";", &save); p != NULL; p = strtok_r(NULL, ";", &save)) {
			const struct catalogue_outcome *o = catalogue_outcome(cat, p);

			if (o == NULL)
				return err_set(err, errlen,
				    "%s:%lu: outcome '%s' is not defined above this line", name,
				    line, p);
			if (pw->noutcomes >= CATALOGUE_MAX_OUTCOMES)
				return err_set(err, errlen, "%s:%lu: more than %d outcomes", name,
				    line, CATALOGUE_MAX_OUTCOMES);
			pw->outcomes[pw->noutcomes++] = (int)(o - cat->outcomes);
			cat->outcomes[o - cat->outcomes].powered = 1;
		}
		if (pw->noutcomes == 0)
			return err_set(err, errlen, "%s:%lu: a power lists its outcomes (a;b;c)",
			    name, line);
		cat->npowers++;
		return 0;
	}
	if (strcmp(kind, "report") == 0) {
		struct catalogue_kind *k, *grown;

		if ((grown = grow(cat->kinds, cat->nkinds, sizeof(*k))) == NULL)
			return err_set(err, errlen, "out of memory");
		cat->kinds = grown;
		k = &cat->kinds[cat->nkinds];
		memset(k, 0, sizeof(*k));
		if (code_and_name(name, row, k->code, k->name, err, errlen) == -1)
			return -1;
		if (applies[0] != '\0')
			return err_set(err, errlen, "%s:%lu: a report kind's applies is empty",
			    name, line);
		if (catalogue_kind(cat, k->code) != NULL || catalogue_kind(cat, k->name) != NULL)
			return err_set(err, errlen, "%s:%lu: report kind %s twice", name, line,
			    k->code);
		cat->nkinds++;
		return 0;
	}
	return err_set(err, errlen, "%s:%lu: kind must be outcome, power or report, not '%s'", name,
	    line, kind);
}

static int
village_row(const char *name, const struct csv_row *row, struct catalogue *cat, char *err,
    size_t errlen)
{
	struct catalogue_village *v, *grown;

	if (row->nfields != 2)
		return err_set(err, errlen, "%s:%lu: %d fields, expected 2 (village,township)",
		    name, row->line, row->nfields);
	if (cat->nvillages >= 100000)
		return err_set(err, errlen, "%s:%lu: too many villages", name, row->line);
	if ((grown = grow(cat->villages, cat->nvillages, sizeof(*v))) == NULL)
		return err_set(err, errlen, "out of memory");
	cat->villages = grown;
	v = &cat->villages[cat->nvillages];
	memset(v, 0, sizeof(*v));
	if (field(row, 0, v->village, sizeof(v->village)) == -1 || v->village[0] == '\0')
		return err_set(err, errlen, "%s:%lu: village empty or longer than %d bytes", name,
		    row->line, CATALOGUE_NAME - 1);
	if (field(row, 1, v->township, sizeof(v->township)) == -1 || !code_ok(v->township))
		return err_set(err, errlen, "%s:%lu: township must be a code (letters, digits)",
		    name, row->line);
	if (catalogue_township_of(cat, v->village) != NULL)
		return err_set(err, errlen, "%s:%lu: village %s twice", name, row->line,
		    v->village);
	cat->nvillages++;
	return 0;
}

/* A span: N then m, h, d or wd (1 <= N, at most a year).  0 or -1. */
static int
span_parse(const char *text, struct catalogue_span *out)
{
	static const struct {
		const char *unit;
		int minutes, workdays, max;
	} units[] = { { "m", 1, 0, 525600 }, { "h", 60, 0, 8760 }, { "d", 1440, 0, 365 },
		{ "wd", 1, 1, 250 } };
	char *end;
	long n;
	size_t i;

	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	n = strtol(text, &end, 10);
	for (i = 0; errno == 0 && i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].unit) == 0 && n >= 1 && n <= units[i].max) {
			out->amount = (int)n * units[i].minutes;
			out->workdays = units[i].workdays;
			return 0;
		}
	return -1;
}

static const struct catalogue_deadline *
deadline_row(const struct catalogue *cat, const char *kind, const char *severity)
{
	size_t i;

	for (i = 0; i < cat->ndeadlines; i++)
		if (strcmp(cat->deadlines[i].kind, kind) == 0 &&
		    strcmp(cat->deadlines[i].severity, severity) == 0)
			return &cat->deadlines[i];
	return NULL;
}

static int
deadlines_row(const char *name, const struct csv_row *row, struct catalogue *cat, char *err,
    size_t errlen)
{
	static const char *const stages[CATALOGUE_STAGES] = { "accept", "onsite", "close" };
	struct catalogue_deadline *d, *grown;
	char text[16];
	int i;

	if (row->nfields != 5)
		return err_set(err, errlen,
		    "%s:%lu: %d fields, expected 5 (kind,severity,accept,onsite,close)", name,
		    row->line, row->nfields);
	if (cat->ndeadlines >= CATALOGUE_MAX_ITEMS)
		return err_set(err, errlen, "%s:%lu: more than %d rows", name, row->line,
		    CATALOGUE_MAX_ITEMS);
	if ((grown = grow(cat->deadlines, cat->ndeadlines, sizeof(*d))) == NULL)
		return err_set(err, errlen, "out of memory");
	cat->deadlines = grown;
	d = &cat->deadlines[cat->ndeadlines];
	memset(d, 0, sizeof(*d));
	if (field(row, 0, d->kind, sizeof(d->kind)) == -1 ||
	    (strcmp(d->kind, "*") != 0 && !code_ok(d->kind)))
		return err_set(err, errlen,
		    "%s:%lu: kind is * or a rule or report kind code (R20, C01, stacked)", name,
		    row->line);
	if (field(row, 1, d->severity, sizeof(d->severity)) == -1 ||
	    (strcmp(d->severity, "alert") != 0 && strcmp(d->severity, "critical") != 0 &&
	        strcmp(d->severity, "*") != 0))
		return err_set(err, errlen, "%s:%lu: severity is alert, critical or *", name,
		    row->line);
	for (i = 0; i < CATALOGUE_STAGES; i++)
		if (field(row, 2 + i, text, sizeof(text)) == -1 ||
		    span_parse(text, &d->spans[i]) == -1)
			return err_set(err, errlen,
			    "%s:%lu: %s is N then m, h, d or wd (working days), as 30m, 2h, "
			    "1wd; at most a year",
			    name, row->line, stages[i]);
	/* the stages come in order: a later one due before an earlier (in the same unit, the
	 * only way they compare) is a typo that would mark a case overdue on arrival */
	for (i = 1; i < CATALOGUE_STAGES; i++)
		if (d->spans[i].workdays == d->spans[i - 1].workdays &&
		    d->spans[i].amount < d->spans[i - 1].amount)
			return err_set(err, errlen, "%s:%lu: %s is due before %s (%s,%s)", name,
			    row->line, stages[i], stages[i - 1], d->kind, d->severity);
	if (deadline_row(cat, d->kind, d->severity) != NULL)
		return err_set(err, errlen, "%s:%lu: %s,%s twice", name, row->line, d->kind,
		    d->severity);
	cat->ndeadlines++;
	return 0;
}

static int
calendar_row(const char *name, const struct csv_row *row, struct catalogue *cat, char *err,
    size_t errlen)
{
	struct catalogue_day *grown, *d;
	char date[16], day[16], label[CATALOGUE_NAME];
	size_t i;

	if (row->nfields != 3)
		return err_set(err, errlen, "%s:%lu: %d fields, expected 3 (date,day,name)", name,
		    row->line, row->nfields);
	if (cat->ndays >= 20000)
		return err_set(err, errlen, "%s:%lu: too many days", name, row->line);
	if ((grown = grow(cat->days, cat->ndays, sizeof(*d))) == NULL)
		return err_set(err, errlen, "out of memory");
	cat->days = grown;
	d = &cat->days[cat->ndays];
	memset(d, 0, sizeof(*d));
	if (field(row, 0, date, sizeof(date)) == -1 || strlen(date) != 10 ||
	    date_parse(date, &d->day) == -1)
		return err_set(err, errlen, "%s:%lu: date must be YYYY-MM-DD", name, row->line);
	if (field(row, 1, day, sizeof(day)) == -1 ||
	    (strcmp(day, "holiday") != 0 && strcmp(day, "workday") != 0))
		return err_set(err, errlen,
		    "%s:%lu: day is holiday (a day off) or workday (a make-up working day)", name,
		    row->line);
	if (field(row, 2, label, sizeof(label)) == -1)
		return err_set(err, errlen, "%s:%lu: name longer than %d bytes", name, row->line,
		    CATALOGUE_NAME - 1);
	d->workday = strcmp(day, "workday") == 0;
	for (i = 0; i < cat->ndays; i++)
		if (cat->days[i].day == d->day)
			return err_set(err, errlen, "%s:%lu: %s twice", name, row->line, date);
	cat->ndays++;
	return 0;
}

static int
day_order(const void *a, const void *b)
{
	const struct catalogue_day *x = a, *y = b;

	return (x->day > y->day) - (x->day < y->day);
}

void
catalogue_free(struct catalogue *cat)
{
	if (cat == NULL)
		return;
	free(cat->outcomes);
	free(cat->powers);
	free(cat->villages);
	free(cat->kinds);
	free(cat->deadlines);
	free(cat->days);
	geo_free(&cat->map);
	code_key_free(cat->code_key);
	memset(cat, 0, sizeof(*cat));
}

int
catalogue_parse(const char *name, const char *buf, size_t len, struct catalogue *cat, char *err,
    size_t errlen)
{
	memset(cat, 0, sizeof(*cat));
	if (read_rows(name, buf, len, "kind,code,name,basis,applies", catalogue_row, cat, err,
	        errlen) == -1) {
		catalogue_free(cat);
		return -1;
	}
	return 0;
}

int
catalogue_parse_villages(const char *name, const char *buf, size_t len, struct catalogue *cat,
    char *err, size_t errlen)
{
	if (read_rows(name, buf, len, "village,township", village_row, cat, err, errlen) == -1) {
		catalogue_free(cat);
		return -1;
	}
	return 0;
}

int
catalogue_parse_deadlines(const char *name, const char *buf, size_t len, struct catalogue *cat,
    char *err, size_t errlen)
{
	if (read_rows(name, buf, len, "kind,severity,accept,onsite,close", deadlines_row, cat, err,
	        errlen) == -1) {
		catalogue_free(cat);
		return -1;
	}
	return 0;
}

int
catalogue_parse_calendar(const char *name, const char *buf, size_t len, struct catalogue *cat,
    char *err, size_t errlen)
{
	if (read_rows(name, buf, len, "date,day,name", calendar_row, cat, err, errlen) == -1) {
		catalogue_free(cat);
		return -1;
	}
	qsort(cat->days, cat->ndays, sizeof(*cat->days), day_order);
	return 0;
}

/* The whole of a small file, malloc'd (1 MiB at most). */
static int
slurp(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	size_t cap = 1u << 20;

	*buf = NULL;
	if (fp == NULL)
		return err_set(err, errlen, "%s: %s", path, strerror(errno));
	if ((*buf = malloc(cap + 1)) == NULL) {
		fclose(fp);
		return err_set(err, errlen, "out of memory");
	}
	*len = fread(*buf, 1, cap + 1, fp);
	if (ferror(fp) || *len > cap) {
		fclose(fp);
		free(*buf);
		*buf = NULL;
		return err_set(err, errlen, "%s: %s", path,
		    *len > cap ? "larger than 1 MiB" : "read error");
	}
	fclose(fp);
	return 0;
}

/* Read path (if named) with parse into cat; -1 leaves cat empty. */
static int
load_part(const char *path,
    int (*parse)(const char *, const char *, size_t, struct catalogue *, char *, size_t),
    struct catalogue *cat, char *err, size_t errlen)
{
	char *buf;
	size_t len = 0;
	int rc;

	if (path[0] == '\0')
		return 0;
	if (slurp(path, &buf, &len, err, errlen) == -1) {
		catalogue_free(cat);
		return -1;
	}
	rc = parse(path, buf, len, cat, err, errlen);
	free(buf);
	return rc;
}

int
catalogue_load(const char *catalogue_path, const char *villages_path, struct catalogue *cat,
    char *err, size_t errlen)
{
	memset(cat, 0, sizeof(*cat));
	if (catalogue_path != NULL &&
	    load_part(catalogue_path, catalogue_parse, cat, err, errlen) == -1)
		return -1;
	if (villages_path != NULL &&
	    load_part(villages_path, catalogue_parse_villages, cat, err, errlen) == -1)
		return -1;
	return 0;
}

/* err as "KEY: err", so that a file that does not open is named by the key that names it. */
static int
keyed(const char *key, char *err, size_t errlen)
{
	char was[512];

	str_copy(was, err, sizeof(was));
	return err_set(err, errlen, "%s: %s", key, was);
}

int
catalogue_load_county(const struct county_config *config, struct catalogue *cat, char *err,
    size_t errlen)
{
	memset(cat, 0, sizeof(*cat));
	if (load_part(config->catalogue, catalogue_parse, cat, err, errlen) == -1)
		return keyed("catalogue", err, errlen);
	if (load_part(config->villages, catalogue_parse_villages, cat, err, errlen) == -1)
		return keyed("villages", err, errlen);
	if (load_part(config->deadlines, catalogue_parse_deadlines, cat, err, errlen) == -1)
		return keyed("deadlines", err, errlen);
	if (load_part(config->calendar, catalogue_parse_calendar, cat, err, errlen) == -1)
		return keyed("calendar", err, errlen);
	if (config->township_map[0] != '\0' &&
	    geo_load(config->township_map, &cat->map, err, errlen) == -1) {
		catalogue_free(cat);
		return keyed("township_map", err, errlen);
	}
	if (config->code_key[0] != '\0' &&
	    (cat->code_key = code_key_load_public(config->code_key, err, errlen)) == NULL) {
		catalogue_free(cat);
		return keyed("code_key", err, errlen);
	}
	return 0;
}

const struct catalogue_kind *
catalogue_kind(const struct catalogue *cat, const char *text)
{
	size_t i;

	for (i = 0; text != NULL && i < cat->nkinds; i++)
		if (strcmp(cat->kinds[i].code, text) == 0 || strcmp(cat->kinds[i].name, text) == 0)
			return &cat->kinds[i];
	return NULL;
}

int
catalogue_workday(const struct catalogue *cat, int32_t day)
{
	size_t lo = 0, hi = cat->ndays, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (cat->days[mid].day == day)
			return cat->days[mid].workday;
		if (cat->days[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays */
	return ((day % 7 + 7 + 3) % 7) < 5;
}

/* The end of the n-th working day after the local day of from. */
static int64_t
add_workdays(const struct catalogue *cat, int64_t from, int n)
{
	int64_t t = timetext_next_day(from);
	int counted = 0, guard;

	/* ten years of days: a calendar that lists no working day at all
	 * still ends (at the last day looked at) */
	for (guard = 0; guard < 3660; guard++) {
		int workday = catalogue_workday(cat, timetext_day_number(t));

		t = timetext_next_day(t);
		if (workday && ++counted == n)
			break;
	}
	return t;
}

void
catalogue_due(const struct catalogue *cat, const struct county_config *config, const char *kind,
    const char *severity, int64_t opened, int64_t due[CATALOGUE_STAGES])
{
	const struct catalogue_deadline *d = NULL;
	int critical = strcmp(severity, "critical") == 0, i;
	int minutes[CATALOGUE_STAGES] = {
		critical ? config->case_critical_accept_min : config->case_alert_accept_min,
		critical ? config->case_critical_onsite_min : config->case_alert_onsite_min,
		critical ? config->case_critical_close_min : config->case_alert_close_min,
	};

	if (cat != NULL && (d = deadline_row(cat, kind, severity)) == NULL &&
	    (d = deadline_row(cat, kind, "*")) == NULL &&
	    (d = deadline_row(cat, "*", severity)) == NULL)
		d = deadline_row(cat, "*", "*");
	for (i = 0; i < CATALOGUE_STAGES; i++) {
		if (d == NULL)
			due[i] = opened + (int64_t)minutes[i] * 60000;
		else if (d->spans[i].workdays)
			due[i] = add_workdays(cat, opened, d->spans[i].amount);
		else
			due[i] = opened + (int64_t)d->spans[i].amount * 60000;
	}
}

const struct catalogue_outcome *
catalogue_outcome(const struct catalogue *cat, const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < cat->noutcomes; i++)
		if (strcmp(cat->outcomes[i].code, code) == 0)
			return &cat->outcomes[i];
	return NULL;
}

const struct catalogue_power *
catalogue_power(const struct catalogue *cat, const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < cat->npowers; i++)
		if (strcmp(cat->powers[i].code, code) == 0)
			return &cat->powers[i];
	return NULL;
}

const char *
catalogue_township_of(const struct catalogue *cat, const char *village)
{
	size_t i;

	for (i = 0; village != NULL && i < cat->nvillages; i++)
		if (strcmp(cat->villages[i].village, village) == 0)
			return cat->villages[i].township;
	return NULL;
}

const char *
catalogue_township(const struct catalogue *cat, size_t i)
{
	size_t j, k;

	if (i < cat->map.township_count)
		return cat->map.townships[i].code;
	i -= cat->map.township_count;
	for (j = 0; j < cat->nvillages; j++) {
		const char *t = cat->villages[j].township;

		if (geo_township(&cat->map, t) != NULL)
			continue;
		for (k = 0; k < j; k++)
			if (strcmp(cat->villages[k].township, t) == 0)
				break;
		if (k == j && i-- == 0)
			return t;
	}
	return NULL;
}

int
catalogue_township_listed(const struct catalogue *cat, const char *code)
{
	size_t i;

	/* the same set as catalogue_township's, asked directly: walking that list
	 * costs villages squared a step, and gascounty asks this for every identity */
	if (code[0] == '\0')
		return 0;
	if (geo_township(&cat->map, code) != NULL)
		return 1;
	for (i = 0; i < cat->nvillages; i++)
		if (strcmp(cat->villages[i].township, code) == 0)
			return 1;
	return 0;
}

enum catalogue_decision
catalogue_check_decision(const struct catalogue *cat, const char *outcome, const char *power,
    long long fine, char *err, size_t errlen)
{
	const struct catalogue_outcome *o = catalogue_outcome(cat, outcome);
	const struct catalogue_power *p;
	size_t i;

	if (cat->noutcomes == 0) {
		err_set(err, errlen, "the county has no catalogue of outcomes loaded");
		return CATALOGUE_NO_OUTCOMES;
	}
	if (o == NULL) {
		err_set(err, errlen, "outcome '%s' is not in the catalogue",
		    outcome != NULL ? outcome : "");
		return CATALOGUE_UNKNOWN_OUTCOME;
	}
	if (o->amount && fine <= 0) {
		err_set(err, errlen, "outcome %s needs a fine amount (yuan)", o->code);
		return CATALOGUE_NEEDS_FINE;
	}
	if (!o->amount && fine != 0) {
		err_set(err, errlen, "outcome %s takes no fine amount", o->code);
		return CATALOGUE_TAKES_NO_FINE;
	}
	if (power == NULL || power[0] == '\0') {
		if (!o->powered)
			return CATALOGUE_DECISION_OK;
		err_set(err, errlen, "outcome %s needs the penalty power it is based on", o->code);
		return CATALOGUE_NEEDS_POWER;
	}
	if ((p = catalogue_power(cat, power)) == NULL) {
		err_set(err, errlen, "penalty power '%s' is not in the catalogue", power);
		return CATALOGUE_UNKNOWN_POWER;
	}
	for (i = 0; i < p->noutcomes; i++)
		if (&cat->outcomes[p->outcomes[i]] == o)
			return CATALOGUE_DECISION_OK;
	err_set(err, errlen, "penalty power %s does not end in outcome %s", p->code, o->code);
	return CATALOGUE_POWER_MISMATCH;
}

static int
put(cbor_item_t *map, const char *key, cbor_item_t *value)
{
	int ok;

	if (value == NULL)
		return 0;
	ok = cbor_map_add(map, (struct cbor_pair){ .key = cbor_move(cbor_build_string(key)),
	                           .value = cbor_move(value) });
	return ok;
}

/* A span as the deadlines file writes it (30m, 2h, 1wd). */
static cbor_item_t *
span_item(const struct catalogue_span *sp)
{
	char text[24];

	if (sp->workdays)
		snprintf(text, sizeof(text), "%dwd", sp->amount);
	else if (sp->amount % 1440 == 0)
		snprintf(text, sizeof(text), "%dd", sp->amount / 1440);
	else if (sp->amount % 60 == 0)
		snprintf(text, sizeof(text), "%dh", sp->amount / 60);
	else
		snprintf(text, sizeof(text), "%dm", sp->amount);
	return cbor_build_string(text);
}

int
catalogue_encode(const struct catalogue *cat, unsigned char **out, size_t *len)
{
	cbor_item_t *root = cbor_new_definite_map(4), *outs, *pows, *kinds, *dls, *m, *list;
	size_t i, j, size = 0;
	int ok = root != NULL;

	*out = NULL;
	outs = cbor_new_definite_array(cat->noutcomes);
	pows = cbor_new_definite_array(cat->npowers);
	kinds = cbor_new_definite_array(cat->nkinds);
	dls = cbor_new_definite_array(cat->ndeadlines);
	ok = ok && outs != NULL && pows != NULL && kinds != NULL && dls != NULL;
	for (i = 0; ok && i < cat->nkinds; i++) {
		m = cbor_new_definite_map(2);
		ok = m != NULL && put(m, "code", cbor_build_string(cat->kinds[i].code)) &&
		     put(m, "name", cbor_build_string(cat->kinds[i].name)) &&
		     cbor_array_push(kinds, cbor_move(m));
	}
	for (i = 0; ok && i < cat->ndeadlines; i++) {
		const struct catalogue_deadline *d = &cat->deadlines[i];

		m = cbor_new_definite_map(5);
		ok = m != NULL && put(m, "kind", cbor_build_string(d->kind)) &&
		     put(m, "severity", cbor_build_string(d->severity)) &&
		     put(m, "accept", span_item(&d->spans[CATALOGUE_ACCEPT])) &&
		     put(m, "onsite", span_item(&d->spans[CATALOGUE_ONSITE])) &&
		     put(m, "close", span_item(&d->spans[CATALOGUE_CLOSE])) &&
		     cbor_array_push(dls, cbor_move(m));
	}
	ok = ok && put(root, "kinds", kinds) && put(root, "deadlines", dls);
	for (i = 0; ok && i < cat->noutcomes; i++) {
		m = cbor_new_definite_map(3);
		ok = m != NULL && put(m, "code", cbor_build_string(cat->outcomes[i].code)) &&
		     put(m, "name", cbor_build_string(cat->outcomes[i].name)) &&
		     put(m, "amount", cbor_build_bool(cat->outcomes[i].amount)) &&
		     cbor_array_push(outs, cbor_move(m));
	}
	for (i = 0; ok && i < cat->npowers; i++) {
		m = cbor_new_definite_map(4);
		list = cbor_new_definite_array(cat->powers[i].noutcomes);
		ok = m != NULL && list != NULL;
		for (j = 0; ok && j < cat->powers[i].noutcomes; j++)
			ok = cbor_array_push(list,
			    cbor_move(
			        cbor_build_string(cat->outcomes[cat->powers[i].outcomes[j]].code)));
		ok = ok && put(m, "code", cbor_build_string(cat->powers[i].code)) &&
		     put(m, "name", cbor_build_string(cat->powers[i].name)) &&
		     put(m, "basis", cbor_build_string(cat->powers[i].basis)) &&
		     put(m, "outcomes", list) && cbor_array_push(pows, cbor_move(m));
	}
	ok = ok && put(root, "outcomes", outs) && put(root, "powers", pows);
	if (ok)
		*len = cbor_serialize_alloc(root, out, &size);
	if (root != NULL)
		cbor_decref(&root);
	if (!ok || *out == NULL || *len == 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* The codes and names of one decoded item: 0, or -1 when either is missing, too long or
 * (a code) not a code. */
static int
decoded_code_name(const cbor_item_t *m, char code[CATALOGUE_CODE], char name[CATALOGUE_NAME])
{
	cborread_text(m, "code", code, CATALOGUE_CODE);
	cborread_text(m, "name", name, CATALOGUE_NAME);
	return code_ok(code) && name[0] != '\0' ? 0 : -1;
}

/* The array under key of root, at most max items: its size, or -1 (an absent key is empty). */
static long
decoded_array(const cbor_item_t *root, const char *key, size_t max)
{
	const cbor_item_t *a = cborread_find(root, key);

	if (a == NULL)
		return 0;
	if (!cbor_isa_array(a) || !cbor_array_is_definite(a) || cbor_array_size(a) > max)
		return -1;
	return (long)cbor_array_size(a);
}

/* One power of the answer into cat->powers[cat->npowers]: 0 or -1. */
static int
decoded_power(const cbor_item_t *m, struct catalogue *cat)
{
	struct catalogue_power *pw = &cat->powers[cat->npowers];
	const cbor_item_t *list = cborread_find(m, "outcomes");
	const struct catalogue_outcome *o;
	char code[CATALOGUE_CODE];
	size_t i, n;

	memset(pw, 0, sizeof(*pw));
	if (decoded_code_name(m, pw->code, pw->name) == -1 || catalogue_power(cat, pw->code))
		return -1;
	cborread_text(m, "basis", pw->basis, sizeof(pw->basis));
	if (list == NULL || !cbor_isa_array(list) || !cbor_array_is_definite(list) ||
	    (n = cbor_array_size(list)) == 0 || n > CATALOGUE_MAX_OUTCOMES)
		return -1;
	for (i = 0; i < n; i++) {
		cbor_item_t *v = cbor_array_handle(list)[i];

		if (!cbor_isa_string(v) || !cbor_string_is_definite(v) ||
		    cbor_string_length(v) >= sizeof(code))
			return -1;
		memcpy(code, cbor_string_handle(v), cbor_string_length(v));
		code[cbor_string_length(v)] = '\0';
		if ((o = catalogue_outcome(cat, code)) == NULL)
			return -1;
		pw->outcomes[pw->noutcomes++] = (int)(o - cat->outcomes);
		cat->outcomes[o - cat->outcomes].powered = 1;
	}
	cat->npowers++;
	return 0;
}

int
catalogue_decode(const uint8_t *buf, size_t len, struct catalogue *cat, char *err, size_t errlen)
{
	struct cbor_load_result lr;
	cbor_item_t *root;
	const cbor_item_t *outs, *pows, *kinds;
	long no, np, nk, i;
	int ok;

	memset(cat, 0, sizeof(*cat));
	if (wire_cbor_check(buf, len, err, errlen) == -1)
		return -1;
	root = cbor_load(buf, len, &lr);
	no = decoded_array(root, "outcomes", CATALOGUE_MAX_ITEMS / 2);
	np = decoded_array(root, "powers", CATALOGUE_MAX_ITEMS);
	nk = decoded_array(root, "kinds", CATALOGUE_MAX_ITEMS);
	ok = root != NULL && cbor_isa_map(root) && no >= 0 && np >= 0 && nk >= 0;
	outs = cborread_find(root, "outcomes");
	pows = cborread_find(root, "powers");
	kinds = cborread_find(root, "kinds");
	if (ok &&
	    ((no > 0 && (cat->outcomes = calloc((size_t)no, sizeof(*cat->outcomes))) == NULL) ||
	        (np > 0 && (cat->powers = calloc((size_t)np, sizeof(*cat->powers))) == NULL) ||
	        (nk > 0 && (cat->kinds = calloc((size_t)nk, sizeof(*cat->kinds))) == NULL))) {
		cbor_decref(&root);
		catalogue_free(cat);
		return err_set(err, errlen, "out of memory");
	}
	for (i = 0; ok && i < no; i++) {
		const cbor_item_t *m = cbor_array_handle(outs)[i];
		struct catalogue_outcome *o = &cat->outcomes[i];

		ok =
		    decoded_code_name(m, o->code, o->name) == 0 && !catalogue_outcome(cat, o->code);
		o->amount = ok && cborread_bool(m, "amount", 0);
		cat->noutcomes += ok;
	}
	for (i = 0; ok && i < np; i++)
		ok = decoded_power(cbor_array_handle(pows)[i], cat) == 0;
	for (i = 0; ok && i < nk; i++) {
		struct catalogue_kind *k = &cat->kinds[i];

		ok = decoded_code_name(cbor_array_handle(kinds)[i], k->code, k->name) == 0;
		cat->nkinds += ok;
	}
	if (root != NULL)
		cbor_decref(&root);
	if (!ok) {
		catalogue_free(cat);
		return err_set(err, errlen,
		    "the county's catalogue answer is not one it would send");
	}
	return 0;
}
