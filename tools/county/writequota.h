/*
 * writequota: how much one person or township key may write to the county
 * in 24 hours (docs/county.md, "What a person's key cannot do").
 *
 * A station's records are bounded by quota.h and a grid worker's reports by
 * report_max_per_hour; an officer's case steps, a township's alert
 * dispositions and the evidence files attached to cases are each kept for
 * years, so a key that writes them without end fills the county's disk and
 * stops every station's ingest.  So each identity has a window of 24 hours
 * by the county's clock, starting with its first write after the last
 * window ended, and what it stored in it is counted: case steps of every
 * kind a person writes (report, accept ... comment, attach, reassign) and
 * dispositions together against person_writes_day_max, and the bytes of
 * evidence against person_evidence_day_mb.  A resend the county
 * recognises stores nothing and counts nothing.  A write that would take
 * either count beyond its bound is refused whole, nothing stored, until the
 * window ends (CASES_DAY_BOUND / COUNTY_BUSY: 4.29 over CoAP, 429 in the
 * console).  Another identity's window is its own: one key's flood never
 * holds another person back.  The first refusal of a window raises C18 to
 * the county's queue (writequota_refused).  A bound of 0: no bound.
 *
 * writequota_take runs inside the caller's write transaction, after the
 * rows are written and before the commit, so the count moves with what is
 * stored and a refusal rolls back both.  Return conventions as db.h.
 */
#ifndef COUNTY_WRITEQUOTA_H
#define COUNTY_WRITEQUOTA_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

#define WRITEQUOTA_WINDOW_MS 86400000LL

/* What one write stores: rows (case steps, dispositions) and evidence bytes. */
struct writequota_use {
	int64_t writes;
	int64_t bytes;
};

/* Why an identity is refused: the setting it is over and until when. */
struct writequota_over {
	const char *setting; /* "person_writes_day_max" or "person_evidence_day_mb" */
	int bound;           /* that setting's value */
	int64_t until_ms;    /* the window's end */
};

/*
 * Which bound refused identity's write just now, for a client to word in
 * the person's own language: COUNTY_BUSY with *over (the writes' bound when
 * they are at it, else the evidence's) and err; COUNTY_DONE when neither
 * is at its bound any more (the window ended); COUNTY_ERROR with err.
 * Writes nothing.
 */
enum county_result writequota_refusal(struct county_db *c, const char *identity, int64_t now,
    struct writequota_over *over, char *err, size_t errlen);

/*
 * Count use of identity at now (a new window when the last one ended).
 * COUNTY_DONE: counted; COUNTY_BUSY: it would pass a bound, nothing
 * counted, err names the setting and says until when, *over (when not
 * NULL) says the same for a client to word; COUNTY_ERROR with err.  The
 * caller rolls back on anything but COUNTY_DONE.
 */
enum county_result writequota_take(struct county_db *c, const char *identity,
    const struct writequota_use *use, int64_t now, struct writequota_over *over, char *err,
    size_t errlen);

/*
 * After a write of identity was refused (COUNTY_BUSY above) and its
 * transaction rolled back: raise C18 (township county) naming the
 * identity, its counts and the setting, once a window, in a transaction
 * of its own.  1 when raised now, 0 when raised before in this window (or
 * the refusal no longer holds), -1 with err.
 */
int writequota_refused(struct county_db *c, const char *identity, int64_t now, char *err,
    size_t errlen);

#endif
