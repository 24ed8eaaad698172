/*
 * overview: the console's read-only look-ups (overview.h).  Plain SELECTs
 * on db.c's tables, each bounded by the caller's array.
 */
#include <string.h>

#include "overview.h"
#include "store.h"
#include "util.h"

static int
counts(struct county_db *c, const char *sql, int64_t bind, struct overview_count *rows, size_t max,
    size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*n = 0;
	if (store_prepare(c->db, sql, &st, err, errlen) == -1)
		return -1;
	if (bind >= 0)
		sqlite3_bind_int64(st, 1, bind);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < max) {
		store_column_copy(st, 0, rows[*n].name, sizeof(rows[*n].name));
		rows[*n].count = sqlite3_column_int64(st, 1);
		(*n)++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		err_set(err, errlen, "%s", sqlite3_errmsg(c->db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

int
overview_open_cases(struct county_db *c, struct overview_count *rows, size_t max, size_t *n,
    char *err, size_t errlen)
{
	/* is_open (011) is the state's open half; a township's by cases_township_urgency */
	return counts(c,
	    "SELECT township, COUNT(*) AS n FROM cases WHERE is_open = 1"
	    " GROUP BY township ORDER BY n DESC, township",
	    -1, rows, max, n, err, errlen);
}

int
overview_fills_since(struct county_db *c, int64_t since_ms, struct overview_count *rows, size_t max,
    size_t *n, char *err, size_t errlen)
{
	/* No index starts with started_ms, and a WHERE on it alone reads every
	 * fill.  fills_station(station, started_ms) answers it per station
	 * instead: the stations that have fills are walked by a skip scan of
	 * that index (the next station greater than the last, one seek each),
	 * and each station's fills since the instant are a range count in the
	 * same index.  Cost: stations x log(fills) + the day's fills, whatever
	 * the table's size, with no index more to keep up at each ingest. */
	return counts(c,
	    "WITH RECURSIVE s(station) AS ("
	    " SELECT (SELECT MIN(station) FROM fills)"
	    " UNION ALL SELECT (SELECT MIN(station) FROM fills f WHERE f.station > s.station)"
	    " FROM s WHERE s.station IS NOT NULL),"
	    " c(station, n) AS (SELECT station, (SELECT COUNT(*) FROM fills f"
	    " WHERE f.station = s.station AND f.started_ms >= ?1) FROM s"
	    " WHERE station IS NOT NULL)"
	    " SELECT station, n FROM c WHERE n > 0 ORDER BY n DESC, station",
	    since_ms < 0 ? 0 : since_ms, rows, max, n, err, errlen);
}

int
overview_cylinder(struct county_db *c, const char *serial, struct overview_cylinder *out, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (store_prepare(c->db,
	        "SELECT status, owner, next_inspection FROM registry WHERE serial = ?", &st, err,
	        errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->registered = 1;
		store_column_copy(st, 0, out->status, sizeof(out->status));
		store_column_copy(st, 1, out->owner, sizeof(out->owner));
		store_column_copy(st, 2, out->next_inspection, sizeof(out->next_inspection));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(err, errlen, "%s", sqlite3_errmsg(c->db));
	if (store_prepare(c->db,
	        "SELECT started_ms, station FROM fills WHERE cylinder = ?"
	        " ORDER BY started_ms DESC LIMIT 1",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->has_fill = 1;
		out->last_fill_ms = sqlite3_column_int64(st, 0);
		store_column_copy(st, 1, out->last_station, sizeof(out->last_station));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(err, errlen, "%s", sqlite3_errmsg(c->db));
	return 0;
}
