/*
 * quota: how many records one source (a station, a delivery device) may
 * have stored in 24 hours (docs/county.md, "What a station cannot do").
 *
 * A source holding a real key can send records without end; each is
 * stored and kept for years.  So each source has a window of 24 hours by
 * the county's clock, starting with its first batch after the last window
 * ended, and the records stored in it are counted (new ones only: a
 * retransmission stores nothing).  The batch that takes the count beyond
 * the config's records_day_max is still stored (at most one batch over),
 * and raises C16 to the county's queue, once a window; until the window
 * ends every batch of the source is refused whole, nothing stored, and
 * answered 5.03: the station keeps them in its outbox and sends them
 * again, so nothing is lost.  records_day_max 0: no bound.
 *
 * Both calls run inside the caller's ingest transaction (db.h
 * county_ingest, lifeingest.h county_ingest_delivery), so the count moves
 * with what is stored.  Return conventions as db.h.
 */
#ifndef COUNTY_QUOTA_H
#define COUNTY_QUOTA_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

#define QUOTA_WINDOW_MS 86400000LL

/* May source store a batch at now?  COUNTY_DONE when it may; COUNTY_BUSY
 * when it is beyond its bound, err saying until when; COUNTY_ERROR with
 * err on a database error. */
enum county_result quota_check(struct county_db *c, const char *source, int64_t now, char *err,
    size_t errlen);

/* Count stored new records of source at now (a new window when the last
 * one ended), raising C16 (township county) the first time the window's
 * count passes the bound: *new_alerts += 1.  0, or -1 with err. */
int quota_count(struct county_db *c, const char *source, int64_t stored, int64_t now,
    int *new_alerts, char *err, size_t errlen);

#endif
