/*
 * figures: the county's figures over whole local days (figures.h).
 *
 * Fills are counted per station through the index fills_station (station,
 * started_ms) and, for those without a buyer, fills_buyer_station (buyer,
 * station, started_ms): both read only the index, in time order, and are
 * cut into local days here, in C, against each day's own start (a zone's
 * offset may change within a period; SQLite's date functions would need
 * the process's zone and a scan of every row).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cases.h"
#include "cbormap.h"
#include "figures.h"
#include "store.h"
#include "timetext.h"
#include "util.h"

#define DAY_MS 86400000LL
#define DEFAULT_DAYS 30
#define SOON_DAYS 30
#define MAX_DECODED (64u << 20) /* bytes a decoded answer may allocate */

const char *const figures_names[] = { "fills", "realname", "violations", "cases", "inspections",
	NULL };

int
figures_known(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && figures_names[i] != NULL; i++)
		if (strcmp(name, figures_names[i]) == 0)
			return 1;
	return 0;
}

/* ---- the period ------------------------------------------------------------------- */

static void
day_text(int64_t day_start_ms, char out[FIGURES_DAY])
{
	char text[TIMETEXT_MAX];

	timetext_format(day_start_ms, TIMETEXT_MACHINE, text);
	memcpy(out, text, FIGURES_DAY - 1);
	out[FIGURES_DAY - 1] = '\0';
}

/* The start of the local day n days before the one that starts at start. */
static int64_t
days_before(int64_t start, int n)
{
	while (n-- > 0)
		start = timetext_day_start(start - 1);
	return start;
}

static int64_t
days_after(int64_t start, int n)
{
	while (n-- > 0)
		start = timetext_next_day(start);
	return start;
}

static int
date_only(const char *text, int64_t *out, char *err, size_t errlen)
{
	int whole = 0;

	if (timetext_parse(text, out, &whole, err, errlen) == -1)
		return -1;
	if (!whole)
		return err_set(err, errlen, "'%s': a day is YYYY-MM-DD", text);
	*out = timetext_day_start(*out);
	return 0;
}

static int
day_count(int64_t from_ms, int64_t to_ms)
{
	return (int)(timetext_day_number(to_ms - 1) - timetext_day_number(from_ms)) + 1;
}

int
figures_period(const char *from, const char *to, int64_t now_ms, int64_t *from_ms, int64_t *to_ms,
    char *err, size_t errlen)
{
	int64_t first, last;
	int has_from = from != NULL && from[0] != '\0', has_to = to != NULL && to[0] != '\0';

	if (has_from && date_only(from, &first, err, errlen) == -1)
		return -1;
	if (has_to && date_only(to, &last, err, errlen) == -1)
		return -1;
	if (!has_to)
		last = has_from ? days_after(first, DEFAULT_DAYS - 1) : timetext_day_start(now_ms);
	if (!has_from)
		first = days_before(last, DEFAULT_DAYS - 1);
	if (last < first)
		return err_set(err, errlen, "the period ends before it begins");
	*from_ms = first;
	*to_ms = timetext_next_day(last);
	if (day_count(*from_ms, *to_ms) > FIGURES_MAX_DAYS)
		return err_set(err, errlen, "a period is at most %d days", FIGURES_MAX_DAYS);
	return 0;
}

/* ---- computing -------------------------------------------------------------------- */

static int
grow(void **array, size_t *cap, size_t count, size_t size, char *err, size_t errlen)
{
	void *grown;
	size_t want;

	if (count < *cap)
		return 0;
	if (count >= FIGURES_MAX_ROWS)
		return err_set(err, errlen, "more than %d rows in one figure", FIGURES_MAX_ROWS);
	want = *cap == 0 ? 64 : *cap * 2;
	if ((grown = realloc(*array, want * size)) == NULL)
		return err_set(err, errlen, "out of memory");
	*array = grown;
	*cap = want;
	return 0;
}

static int
step_error(struct county_db *c, sqlite3_stmt *st, int rc, const char *what, char *err,
    size_t errlen)
{
	if (rc == SQLITE_DONE)
		return 0;
	err_set(err, errlen, "%s: %s", what, sqlite3_errmsg(c->db));
	sqlite3_finalize(st);
	return -1;
}

/*
 * Count what st selects (started_ms in order, bound to station, from, to)
 * into counts[day] against starts[] (day_count + 1 boundaries).
 */
static int
count_days(struct county_db *c, sqlite3_stmt *st, const int64_t *starts, size_t ndays,
    int64_t *counts, char *err, size_t errlen)
{
	size_t d = 0;
	int64_t at;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		at = sqlite3_column_int64(st, 0);
		while (d + 1 < ndays && at >= starts[d + 1])
			d++;
		counts[d]++;
	}
	if (rc != SQLITE_DONE)
		return err_set(err, errlen, "fills: %s", sqlite3_errmsg(c->db));
	sqlite3_reset(st);
	return 0;
}

static int
compute_fills(struct county_db *c, const struct access_scope *scope, struct figures *f,
    const int64_t *starts, char *err, size_t errlen)
{
	sqlite3_stmt *stations = NULL, *all = NULL, *nameless = NULL;
	int64_t *counts = NULL, *anonymous = NULL;
	size_t nd = f->day_count, cap = 0, d;
	int rc = -1, step;

	counts = calloc(nd, sizeof(*counts));
	anonymous = calloc(nd, sizeof(*anonymous));
	if (counts == NULL || anonymous == NULL) {
		err_set(err, errlen, "out of memory");
		goto out;
	}
	if (store_prepare(c->db, "SELECT id, township FROM stations ORDER BY id", &stations, err,
	        errlen) == -1 ||
	    store_prepare(c->db,
	        "SELECT started_ms FROM fills INDEXED BY fills_station WHERE station = ?1"
	        " AND started_ms >= ?2 AND started_ms < ?3 ORDER BY started_ms",
	        &all, err, errlen) == -1 ||
	    store_prepare(c->db,
	        "SELECT started_ms FROM fills INDEXED BY fills_buyer_station WHERE buyer = ''"
	        " AND station = ?1 AND started_ms >= ?2 AND started_ms < ?3 ORDER BY started_ms",
	        &nameless, err, errlen) == -1)
		goto out;
	while ((step = sqlite3_step(stations)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(stations, 0);
		const char *town = (const char *)sqlite3_column_text(stations, 1);

		if (id == NULL || !access_scope_covers(scope, id, town))
			continue;
		memset(counts, 0, nd * sizeof(*counts));
		memset(anonymous, 0, nd * sizeof(*anonymous));
		sqlite3_bind_text(all, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(all, 2, f->from_ms);
		sqlite3_bind_int64(all, 3, f->to_ms);
		sqlite3_bind_text(nameless, 1, id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(nameless, 2, f->from_ms);
		sqlite3_bind_int64(nameless, 3, f->to_ms);
		if (count_days(c, all, starts, nd, counts, err, errlen) == -1 ||
		    count_days(c, nameless, starts, nd, anonymous, err, errlen) == -1)
			goto out;
		for (d = 0; d < nd; d++) {
			struct figures_fill *row;

			f->days[d].fills += counts[d];
			f->days[d].real_name += counts[d] - anonymous[d];
			if (counts[d] == 0)
				continue;
			if (grow((void **)&f->fills, &cap, f->fill_count, sizeof(*f->fills), err,
			        errlen) == -1)
				goto out;
			row = &f->fills[f->fill_count++];
			memset(row, 0, sizeof(*row));
			str_copy(row->day, f->days[d].day, sizeof(row->day));
			str_copy(row->station, id, sizeof(row->station));
			row->fills = counts[d];
			row->real_name = counts[d] - anonymous[d];
		}
	}
	if (step != SQLITE_DONE) {
		err_set(err, errlen, "stations: %s", sqlite3_errmsg(c->db));
		goto out;
	}
	for (d = 0; d < nd; d++)
		f->days[d].permille =
		    f->days[d].fills > 0 ? f->days[d].real_name * 1000 / f->days[d].fills : -1;
	rc = 0;
out:
	sqlite3_finalize(stations);
	sqlite3_finalize(all);
	sqlite3_finalize(nameless);
	free(counts);
	free(anonymous);
	return rc;
}

static int
compute_violations(struct county_db *c, const struct access_scope *scope, struct figures *f,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;

	if (store_prepare(c->db,
	        "SELECT rule, township, count(*) FROM violations WHERE at_ms >= ? AND at_ms < ?"
	        " GROUP BY rule, township ORDER BY rule, township",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, f->from_ms);
	sqlite3_bind_int64(st, 2, f->to_ms);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *town = (const char *)sqlite3_column_text(st, 1);
		struct figures_violation *row;

		if (!access_scope_covers(scope, NULL, town))
			continue;
		if (grow((void **)&f->violations, &cap, f->violation_count, sizeof(*f->violations),
		        err, errlen) == -1) {
			sqlite3_finalize(st);
			return -1;
		}
		row = &f->violations[f->violation_count++];
		memset(row, 0, sizeof(*row));
		store_column_copy(st, 0, row->rule, sizeof(row->rule));
		store_column_copy(st, 1, row->township, sizeof(row->township));
		row->count = sqlite3_column_int64(st, 2);
	}
	if (step_error(c, st, rc, "violations", err, errlen) == -1)
		return -1;
	sqlite3_finalize(st);
	return 0;
}

/* What cases_figures answers, read with the fields figures keeps (the
 * outcomes and the period are skipped: keys a table does not name). */
struct case_answer {
	struct figures_cases *townships;
	size_t count;
};

#define TEXT(s, m, k, fl)                                                                          \
	{                                                                                          \
		.key = k, .type = CBORMAP_TEXT, .offset = offsetof(s, m),                          \
		.size = sizeof(((s *)0)->m), .flags = fl                                           \
	}
#define INT(s, m, k, fl)                                                                           \
	{                                                                                          \
		.key = k, .type = CBORMAP_INT, .offset = offsetof(s, m), .flags = fl               \
	}
#define ARRAY(s, m, n, k, max, msg)                                                                \
	{                                                                                          \
		.key = k, .type = CBORMAP_ARRAY, .offset = offsetof(s, m), .aux = offsetof(s, n),  \
		.size = max, .flags = CBORMAP_ALWAYS, .sub = &msg                                  \
	}
#define REQ CBORMAP_REQUIRED

static const struct cbormap_field case_fields[] = {
	TEXT(struct figures_cases, township, "township", REQ),
	INT(struct figures_cases, opened, "opened", REQ),
	INT(struct figures_cases, closed, "closed", REQ),
	INT(struct figures_cases, dismissed, "dismissed", REQ),
	INT(struct figures_cases, open, "open", REQ),
	INT(struct figures_cases, overdue, "overdue", REQ),
	INT(struct figures_cases, escalated, "escalated", REQ),
	INT(struct figures_cases, median_accept_s, "median_accept_s", REQ),
	INT(struct figures_cases, median_close_s, "median_close_s", REQ),
};
static const struct cbormap_msg case_msg = { "township", sizeof(struct figures_cases),
	CBORMAP_FIELDS(case_fields), NULL };

static const struct cbormap_field case_answer_fields[] = {
	ARRAY(struct case_answer, townships, count, "townships", FIGURES_MAX_ROWS, case_msg),
};
static const struct cbormap_msg case_answer_msg = { "case figures", sizeof(struct case_answer),
	CBORMAP_FIELDS(case_answer_fields), NULL };

static int
compute_cases(struct county_db *c, const struct access_scope *scope, struct figures *f, char *err,
    size_t errlen)
{
	struct case_answer answer;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	/* cases_figures counts instants BETWEEN from AND to, both included */
	if (cases_figures(c, scope, f->from_ms, f->to_ms - 1, f->now_ms, &buf, &len, err, errlen) ==
	    -1)
		return -1;
	rc = cbormap_decode(&case_answer_msg, buf, len, MAX_DECODED, &answer, err, errlen);
	free(buf);
	if (rc == -1)
		return -1;
	f->cases = answer.townships;
	f->case_count = answer.count;
	return 0;
}

static int
compute_inspections(struct county_db *c, const struct access_scope *scope, struct figures *f,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char today[FIGURES_DAY], soon[FIGURES_DAY];
	int64_t start = timetext_day_start(f->now_ms);
	size_t cap = 0;
	int rc;

	/* the registry has no township: only a county-wide scope sees it */
	if (scope->reach != ACCESS_REACH_ALL)
		return 0;
	day_text(start, today);
	day_text(days_after(start, SOON_DAYS), soon);
	if (store_prepare(c->db,
	        "SELECT owner, count(*),"
	        " sum(next_inspection <> '' AND next_inspection < ?1),"
	        " sum(next_inspection >= ?1 AND next_inspection < ?2)"
	        " FROM registry WHERE status = 'active' GROUP BY owner ORDER BY owner",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, today, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, soon, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct figures_inspection *row;

		if (grow((void **)&f->inspections, &cap, f->inspection_count,
		        sizeof(*f->inspections), err, errlen) == -1) {
			sqlite3_finalize(st);
			return -1;
		}
		row = &f->inspections[f->inspection_count++];
		memset(row, 0, sizeof(*row));
		store_column_copy(st, 0, row->owner, sizeof(row->owner));
		row->active = sqlite3_column_int64(st, 1);
		row->overdue = sqlite3_column_int64(st, 2);
		row->due_soon = sqlite3_column_int64(st, 3);
	}
	if (step_error(c, st, rc, "registry", err, errlen) == -1)
		return -1;
	sqlite3_finalize(st);
	return 0;
}

int
figures_compute(struct county_db *c, const struct access_scope *scope, int64_t from_ms,
    int64_t to_ms, int64_t now_ms, struct figures *out, char *err, size_t errlen)
{
	int64_t *starts = NULL;
	size_t d;
	int n, rc = -1;

	memset(out, 0, sizeof(*out));
	if (to_ms <= from_ms || (n = day_count(from_ms, to_ms)) > FIGURES_MAX_DAYS || n < 1)
		return err_set(err, errlen, "a period is 1 to %d whole days", FIGURES_MAX_DAYS);
	out->from_ms = from_ms;
	out->to_ms = to_ms;
	out->now_ms = now_ms;
	str_copy(out->timezone, c->config != NULL ? c->config->timezone : "",
	    sizeof(out->timezone));
	day_text(from_ms, out->from_day);
	day_text(to_ms - 1, out->to_day);
	out->days = calloc((size_t)n, sizeof(*out->days));
	starts = calloc((size_t)n + 1, sizeof(*starts));
	if (out->days == NULL || starts == NULL) {
		err_set(err, errlen, "out of memory");
		goto out;
	}
	out->day_count = (size_t)n;
	starts[0] = from_ms;
	for (d = 0; d < (size_t)n; d++) {
		day_text(starts[d], out->days[d].day);
		starts[d + 1] = timetext_next_day(starts[d]);
	}
	if (compute_fills(c, scope, out, starts, err, errlen) == -1 ||
	    compute_violations(c, scope, out, err, errlen) == -1 ||
	    compute_cases(c, scope, out, err, errlen) == -1 ||
	    compute_inspections(c, scope, out, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	free(starts);
	if (rc == -1)
		figures_free(out);
	return rc;
}

/* ---- the wire --------------------------------------------------------------------- */

static const struct cbormap_field fill_fields[] = {
	TEXT(struct figures_fill, day, "day", REQ),
	TEXT(struct figures_fill, station, "station", REQ),
	INT(struct figures_fill, fills, "fills", REQ),
	INT(struct figures_fill, real_name, "real_name", REQ),
};
static const struct cbormap_msg fill_msg = { "fill", sizeof(struct figures_fill),
	CBORMAP_FIELDS(fill_fields), NULL };

static const struct cbormap_field day_fields[] = {
	TEXT(struct figures_day, day, "day", REQ),
	INT(struct figures_day, fills, "fills", REQ),
	INT(struct figures_day, real_name, "real_name", REQ),
	INT(struct figures_day, permille, "permille", REQ),
};
static const struct cbormap_msg day_msg = { "day", sizeof(struct figures_day),
	CBORMAP_FIELDS(day_fields), NULL };

static const struct cbormap_field violation_fields[] = {
	TEXT(struct figures_violation, rule, "rule", REQ),
	TEXT(struct figures_violation, township, "township", 0),
	INT(struct figures_violation, count, "count", REQ),
};
static const struct cbormap_msg violation_msg = { "violation", sizeof(struct figures_violation),
	CBORMAP_FIELDS(violation_fields), NULL };

static const struct cbormap_field inspection_fields[] = {
	TEXT(struct figures_inspection, owner, "owner", 0),
	INT(struct figures_inspection, active, "active", REQ),
	INT(struct figures_inspection, overdue, "overdue", REQ),
	INT(struct figures_inspection, due_soon, "due_30d", REQ),
};
static const struct cbormap_msg inspection_msg = { "owner", sizeof(struct figures_inspection),
	CBORMAP_FIELDS(inspection_fields), NULL };

static const struct cbormap_field figures_fields[] = {
	TEXT(struct figures, from_day, "from", REQ),
	TEXT(struct figures, to_day, "to", REQ),
	INT(struct figures, from_ms, "from_ms", REQ),
	INT(struct figures, to_ms, "to_ms", REQ),
	INT(struct figures, now_ms, "now_ms", REQ),
	TEXT(struct figures, timezone, "timezone", 0),
	ARRAY(struct figures, fills, fill_count, "fills", FIGURES_MAX_ROWS, fill_msg),
	ARRAY(struct figures, days, day_count, "realname", FIGURES_MAX_DAYS, day_msg),
	ARRAY(struct figures, violations, violation_count, "violations", FIGURES_MAX_ROWS,
	    violation_msg),
	ARRAY(struct figures, cases, case_count, "cases", FIGURES_MAX_ROWS, case_msg),
	ARRAY(struct figures, inspections, inspection_count, "inspections", FIGURES_MAX_ROWS,
	    inspection_msg),
};
static const struct cbormap_msg figures_msg = { "figures", sizeof(struct figures),
	CBORMAP_FIELDS(figures_fields), NULL };

int
figures_encode(const struct figures *f, uint8_t **out, size_t *len)
{
	return cbormap_encode(&figures_msg, f, out, len);
}

int
figures_decode(const uint8_t *buf, size_t len, struct figures *f, char *err, size_t errlen)
{
	return cbormap_decode(&figures_msg, buf, len, MAX_DECODED, f, err, errlen);
}

void
figures_free(struct figures *f)
{
	if (f == NULL)
		return;
	cbormap_free(&figures_msg, f);
}

/* ---- tables ----------------------------------------------------------------------- */

#define CELLS(...)                                                                                 \
	do {                                                                                       \
		const char *const cells_[] = { __VA_ARGS__ };                                      \
		row(ctx, cells_, sizeof(cells_) / sizeof(cells_[0]));                              \
	} while (0)

int
figures_table(const struct figures *f, const char *name,
    void (*row)(void *ctx, const char *const *cells, size_t n), void *ctx)
{
	char a[24], b[24], c[24], d[24], e[24], g[24], h[24], k[24];
	size_t i;

#define NUM(buf, v) (snprintf(buf, sizeof(buf), "%lld", (long long)(v)), buf)
	/* a median of nothing is an empty cell, as a percent of no fill is: not -1, which
	 * a reader (or a spreadsheet) would take for a time */
#define MEDIAN(buf, v) ((v) < 0 ? (str_copy(buf, "", sizeof(buf)), buf) : NUM(buf, v))
	if (name == NULL)
		return -1;
	if (strcmp(name, "fills") == 0) {
		CELLS("day", "station", "fills", "real_name");
		for (i = 0; i < f->fill_count; i++)
			CELLS(f->fills[i].day, f->fills[i].station, NUM(a, f->fills[i].fills),
			    NUM(b, f->fills[i].real_name));
	} else if (strcmp(name, "realname") == 0) {
		CELLS("day", "fills", "real_name", "real_name_percent");
		for (i = 0; i < f->day_count; i++) {
			const struct figures_day *dy = &f->days[i];

			if (dy->permille < 0)
				str_copy(c, "", sizeof(c));
			else
				snprintf(c, sizeof(c), "%lld.%lld", (long long)(dy->permille / 10),
				    (long long)(dy->permille % 10));
			CELLS(dy->day, NUM(a, dy->fills), NUM(b, dy->real_name), c);
		}
	} else if (strcmp(name, "violations") == 0) {
		CELLS("rule", "township", "count");
		for (i = 0; i < f->violation_count; i++)
			CELLS(f->violations[i].rule, f->violations[i].township,
			    NUM(a, f->violations[i].count));
	} else if (strcmp(name, "cases") == 0) {
		CELLS("township", "opened", "closed", "dismissed", "open", "overdue", "escalated",
		    "median_accept_s", "median_close_s");
		for (i = 0; i < f->case_count; i++) {
			const struct figures_cases *t = &f->cases[i];

			CELLS(t->township, NUM(a, t->opened), NUM(b, t->closed),
			    NUM(c, t->dismissed), NUM(d, t->open), NUM(e, t->overdue),
			    NUM(g, t->escalated), MEDIAN(h, t->median_accept_s),
			    MEDIAN(k, t->median_close_s));
		}
	} else if (strcmp(name, "inspections") == 0) {
		CELLS("owner", "active", "overdue", "due_30d");
		for (i = 0; i < f->inspection_count; i++)
			CELLS(f->inspections[i].owner, NUM(a, f->inspections[i].active),
			    NUM(b, f->inspections[i].overdue), NUM(c, f->inspections[i].due_soon));
	} else {
		return -1;
	}
#undef MEDIAN
#undef NUM
	return 0;
}
