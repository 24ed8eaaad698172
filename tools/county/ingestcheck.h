/*
 * ingestcheck: what the county believes of a station's record before it
 * stores anything, and the county's own table of the station rules.
 *
 * A station with a valid key is still outside input (docs/county.md,
 * "What a station cannot do").  So the county decides, not the station:
 *
 *   - which rules a station may report: only the station rules R01..R25
 *     of ingest_station_rules (a county rule code C.. or anything else is
 *     refused), with the severity and the route (the station's township or
 *     the buyer's) of this table, whatever the record says;
 *   - which records can be true: ingest_check_record refuses a record whose
 *     fields cannot be true (a uuid that is not a uuid, an unknown kind,
 *     result or buyer kind, a negative or absurd net, an instant before
 *     2000 or more than a day ahead of the county's clock, an absurd line
 *     number, a text that is not UTF-8 or holds a control character),
 *     naming the record and the wire field.
 *
 * Pure functions of their arguments: no database, no clock, no I/O; every
 * function may be called from any thread.  What depends on what the county
 * holds (a seq far beyond the station's mark, an unknown township, a
 * cylinder the registry does not know) is judged in db.c with these
 * bounds.
 */
#ifndef COUNTY_INGESTCHECK_H
#define COUNTY_INGESTCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* Where an alert of a station rule goes. */
enum ingest_route {
	INGEST_ROUTE_STATION, /* the station's own township (as the county holds it) */
	INGEST_ROUTE_BUYER,   /* the buyer's township as registered in this county */
};

/* One row of the county's table of station rules. */
struct ingest_rule {
	const char *rule;     /* "R05" */
	const char *severity; /* flag, refuse, alert, critical: the county's, not the station's */
	enum ingest_route route;
};

/* The station rules a station may report, in code order, ending in a row
 * whose rule is NULL. */
extern const struct ingest_rule ingest_station_rules[];

/* The row of a station rule code, NULL for anything else (a county rule
 * C.., an unknown or malformed code). */
const struct ingest_rule *ingest_rule_find(const char *rule);

/* The county's own rules are C01 .. C<INGEST_COUNTY_RULES> (docs/county.md: C01..C06 and
 * C14 in db.c, C07..C13, C15 and C17 in life.c, C16 in quota.c, C18 in writequota.c);
 * ingest_county_rule: 1 for one of their codes. */
#define INGEST_COUNTY_RULES 18
int ingest_county_rule(const char *rule);

/* 1 if severity makes an alert (alert, critical). */
int ingest_severity_alerts(const char *severity);

/* 1 if text is a UUID as stations make them: 36 characters, 8-4-4-4-12
 * hex digits.  Such a text never holds a ':', so it can never be one of
 * the county's own keys ("county:C04:S02:7"). */
int ingest_uuid_valid(const char *text);

/* 1 if text is one of words (a NULL-terminated list), else 0. */
int ingest_one_of(const char *text, const char *const *words);

/* Bounds of what can be true (docs/county.md lists them). */
#define INGEST_EARLIEST_MS 946684800000LL /* 2000-01-01T00:00Z */
#define INGEST_AHEAD_MS 86400000LL        /* a day ahead of the county's clock */
/* A station's scrap is taken at any time it carries up to the last instant a
 * time is written with four digits of year: the clock that stamped it may be
 * one its gateway did not trust (reset to 1970, far ahead), and a scrap refused
 * for its time would leave the cylinder active in the registry every station
 * fills by (ingest_time_ok). */
#define INGEST_SCRAP_LATEST_MS 253402300799999LL /* 9999-12-31T23:59:59.999Z */
#define INGEST_NET_MIN_KG (-1.0)                 /* a cut-short fill reads a little below 0 */
#define INGEST_NET_MAX_KG 200.0                  /* beyond the largest cylinder (YSP118: 49.5) */
#define INGEST_WEIGHT_MAX_KG 1000.0              /* any weight figure of a fill, in magnitude */
#define INGEST_MAX_LINE 999                      /* fill lines of one station */

/*
 * Check one record (index i of its batch, for the message) against the
 * bounds above, with now_ms the county's clock.  Returns 0 if it can be
 * true, -1 with err naming the record and the field ("record 3 (seq 7):
 * net -14.900 kg is outside -1..200 kg").  Violations are checked too:
 * uuid, rule (station rules only), line, time.
 */
int ingest_check_record(const struct wire_record *r, size_t i, int64_t now_ms, char *err,
    size_t errlen);

/*
 * Whether ms can be a time of record r (its "at", its life part's "at"),
 * with now_ms the county's clock: after 2000 and at most a day ahead, or,
 * for a station's scrap (a life record whose event is scrapped), any time
 * from 1970 to INGEST_SCRAP_LATEST_MS.  1 or 0.
 */
int ingest_time_ok(const struct wire_record *r, int64_t ms, int64_t now_ms);

/* The same for a heartbeat's texts (township, status): 0, or -1 with err
 * naming the field ("heartbeat: status: not UTF-8 text"). */
int ingest_check_heartbeat(const struct wire_heartbeat *h, char *err, size_t errlen);

#endif
