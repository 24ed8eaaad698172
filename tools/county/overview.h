/*
 * overview: the read-only look-ups of the county console (gasweb) that db.h
 * does not already answer: open alerts per township, fills per station
 * since an instant, and the public facts of one cylinder.
 *
 * Only SELECTs: the tables stay db.c's to write (docs/county.md).  Who may
 * see what is decided before these are called (access.h); the cylinder
 * check is the one public look-up and returns nothing about a buyer.
 * Every function returns 0, or -1 with err (a database error); results go
 * into caller-owned arrays or structs, never allocated here.
 */
#ifndef COUNTY_OVERVIEW_H
#define COUNTY_OVERVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* A count for one name (a township's open alerts, a station's fills). */
struct overview_count {
	char name[ACCESS_MAX_IDENTITY];
	int64_t count;
};

/* Open cases (new, accepted, on site, decided: not yet closed or dismissed) per township, at
 * most max rows (the largest first): what the township's team still has to see to its end,
 * which the console's map shades (an alert's case closes it; its disposition row, the
 * pre-case way, is rarely written). */
int overview_open_cases(struct county_db *c, struct overview_count *rows, size_t max, size_t *n,
    char *err, size_t errlen);

/* Fills that started at or after since_ms, per station, at most max rows;
 * *n how many were written. */
int overview_fills_since(struct county_db *c, int64_t since_ms, struct overview_count *rows,
    size_t max, size_t *n, char *err, size_t errlen);

/* What a cylinder's public check page may say: the registry's facts and the
 * last fill's day and station; never a buyer. */
struct overview_cylinder {
	int registered; /* 1: the registry holds the serial */
	char status[16];
	char owner[128];
	char next_inspection[11];
	int has_fill;
	int64_t last_fill_ms;
	char last_station[ACCESS_MAX_IDENTITY];
};

/* The facts of serial (any text; an unknown serial gives registered 0 and
 * has_fill 0). */
int overview_cylinder(struct county_db *c, const char *serial, struct overview_cylinder *out,
    char *err, size_t errlen);

#endif
