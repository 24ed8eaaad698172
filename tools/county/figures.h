/*
 * figures: the county's figures over a period of whole local days, computed
 * once here and shown by every front (gasweb's /figures pages and their
 * CSV, gastrace figures over GET /figures):
 *
 *   fills        fills per local day per station, with how many were bound
 *                to a real-name buyer (a buyer id)
 *   realname     per local day over the stations in scope: fills, fills with
 *                a real-name buyer, and that share in per mille
 *   violations   the rules that fired (station rules R.., county rules C..)
 *                in the period, per rule and township they were routed to
 *   cases        per township: cases opened, closed, dismissed, still open,
 *                overdue, escalated, and the median time to accept and to
 *                close (the cases module's own figures, cases.h: one place
 *                decides what "overdue" is)
 *   inspections  per owner company: active cylinders of the registry, those
 *                past their next inspection date, and those due within 30
 *                days (the registry holds no township: county-wide scope
 *                only)
 *
 * A period is from_day..to_day inclusive, in the zone timetext_set_zone set
 * (the county's), at most FIGURES_MAX_DAYS days; instants are compared with
 * each day's own start, so a day is a local day whatever the offset.
 *
 * Only SELECTs, on tables other modules write (db.c, cases.c); who may ask
 * is access.h's (action figures.read) and the scope it gave is applied here
 * to every row: a township scope keeps that township's stations, rules and
 * cases, a person or station scope nothing.
 *
 * The same struct travels as CBOR (figures_encode/figures_decode, one
 * cbormap table: every key written once), and each figure reads as a table
 * of text cells (figures_table) that the web page, its CSV and gastrace
 * print alike.  Not thread-safe on one county_db.
 */
#ifndef COUNTY_FIGURES_H
#define COUNTY_FIGURES_H

#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "db.h"

#define FIGURES_MAX_DAYS 366
#define FIGURES_MAX_ROWS 200000 /* rows of one figure at most (per day per station) */
#define FIGURES_DAY 11          /* "YYYY-MM-DD" and its NUL */

struct figures_fill {
	char day[FIGURES_DAY];
	char station[ACCESS_MAX_IDENTITY];
	int64_t fills, real_name;
};

struct figures_day {
	char day[FIGURES_DAY];
	int64_t fills, real_name;
	int64_t permille; /* real_name * 1000 / fills; -1 when there was no fill */
};

struct figures_violation {
	char rule[16];
	char township[ACCESS_MAX_IDENTITY];
	int64_t count;
};

struct figures_cases {
	char township[ACCESS_MAX_IDENTITY];
	int64_t opened, closed, dismissed, open, overdue, escalated;
	int64_t median_accept_s, median_close_s; /* -1: nothing to take a median of */
};

struct figures_inspection {
	char owner[128];
	int64_t active, overdue, due_soon;
};

struct figures {
	char from_day[FIGURES_DAY], to_day[FIGURES_DAY]; /* inclusive */
	int64_t from_ms, to_ms;                          /* [from_ms, to_ms) */
	int64_t now_ms;
	char timezone[64];
	struct figures_fill *fills;
	size_t fill_count;
	struct figures_day *days;
	size_t day_count;
	struct figures_violation *violations;
	size_t violation_count;
	struct figures_cases *cases;
	size_t case_count;
	struct figures_inspection *inspections;
	size_t inspection_count;
};

/*
 * Parse a period: from and to as YYYY-MM-DD (either NULL or "": the last
 * 30 days up to today, or 30 days from from / up to to).  0 with *from_ms
 * the first day's start and *to_ms the start of the day after the last,
 * or -1 with err (not a date, to before from, longer than
 * FIGURES_MAX_DAYS).
 */
int figures_period(const char *from, const char *to, int64_t now_ms, int64_t *from_ms,
    int64_t *to_ms, char *err, size_t errlen);

/*
 * Compute every figure for [from_ms, to_ms) (day starts, as figures_period
 * gives) inside scope.  0 with *out filled (figures_free it), or -1 with err
 * (a database error, or a period figures_period would refuse) and *out
 * holding nothing.
 */
int figures_compute(struct county_db *c, const struct access_scope *scope, int64_t from_ms,
    int64_t to_ms, int64_t now_ms, struct figures *out, char *err, size_t errlen);

void figures_free(struct figures *f);

/* CBOR of f in *out (malloc'd, the caller frees): 0, or -1 out of memory. */
int figures_encode(const struct figures *f, uint8_t **out, size_t *len);

/* f from CBOR (untrusted: bounded as every wire message is): 0, or -1 with
 * err naming the field, f then holding nothing. */
int figures_decode(const uint8_t *buf, size_t len, struct figures *f, char *err, size_t errlen);

/* The figures by name, in the order pages show them: "fills", "realname",
 * "violations", "cases", "inspections"; NULL-terminated. */
extern const char *const figures_names[];

/* 1 if name is one of figures_names. */
int figures_known(const char *name);

/*
 * The figure name of f as a table: row(ctx, cells, n) once for the header
 * (machine column names, the CSV's), then once per row, cells as text
 * (numbers in decimal, medians in seconds, an empty cell for none).  0, or -1 for an
 * unknown name (row never called).
 */
int figures_table(const struct figures *f, const char *name,
    void (*row)(void *ctx, const char *const *cells, size_t n), void *ctx);

#endif
