/*
 * life: a cylinder's life outside the filling line, at the county
 * (docs/county.md, "A cylinder's life").
 *
 * A station (dispatched to a delivery worker, received back, sent to and
 * back from inspection, scrapped) and a delivery device (handed over at
 * the door, returned empty from a household) each send a record of kind
 * "life" (wire.h, struct wire_life).  life_store keeps each one exactly
 * once in life_events (schema/county/008_life_events.sql) and, in the same
 * transaction, runs the county rules over the life, each raising an alert
 * that the cases module turns into a case for the right township
 * (cases_from_alerts):
 *
 *   C07  handed over, or returned from a household, with no fill at a
 *        licensed station since the cylinder last started a cycle (a black
 *        point, 黑气点): the chain's (below) latest receipt, return from a
 *        named household or, for a hand-over, hand-over before it; the
 *        buyer's township.  Every hand-over is judged, a return only in
 *        the chain.  Judged c07_grace_min after the county stored the event
 *        (the station's fill may still be on its way), at once when 0.
 *   C08  dispatched, and neither handed over nor returned by the worker it
 *        was dispatched to, nor seen in any later step of a station, within
 *        c08_days (judged by life_sweep); the dispatching station's
 *        township.
 *   C09  a household (or business) at the door over its limits: holding
 *        more than c09_household_hold (c09_business_hold) cylinders (those
 *        whose chain's latest step is a hand-over to it), or more than
 *        c02_household_max (c02_business_max) hand-overs in c02_days; the
 *        buyer's township.  A household's kind and masked number are a
 *        station's (its latest counter fill) when the county holds one,
 *        the device's word otherwise.  A counter buyer of kind "delivery"
 *        (a delivery company buying for a whole village) is exempt from C02
 *        and R11-like counts: its hand-overs are what is counted, per
 *        household.
 *   C10  seen anywhere in the chain past its next inspection date (the
 *        registry's), except on its way to or back from inspection or to
 *        scrap; the township where it was seen.
 *   C11  seen in any step after it was scrapped; the township where it was
 *        seen.
 *   C12  back from inspection with a next_due more than the county's
 *        inspection_cycle_years (and a day for time zones) after the
 *        event's local date; the sending station's township.  Stored and
 *        followed by the registry all the same (life_check refuses only
 *        beyond WIRE_NEXT_DUE_YEARS); not judged when the cycle is 0.
 *   C13  back from inspection at a station that did not send it there: the
 *        cylinder's inspection step before it (by time) is not an
 *        inspection_out from the same source (none on record, another
 *        station's, or a return already); the sending station's township.
 *        Stored and followed by the registry all the same, as C12.
 *   C17  a delivery device's event dated more than 10 minutes before the
 *        device's previous event (by seq), or more than life_max_delay_h
 *        before the county received it: kept exactly as sent (at_ms), the
 *        rules above take it at the bounded time (life_events.rule_ms: the
 *        previous event's, or its arrival; never after its arrival); the
 *        county's queue, at most once per device in 24 hours.  A station's
 *        events are taken at their own times (C14 judges its clock).
 *
 * The chain: each step is judged when it arrives (life_events counts,
 * migration 027), and a device's again when a station's step dated before
 * it arrives later.  A station's step is in the cylinder's chain; a
 * delivery device's only where the chain's latest step before it puts the
 * cylinder in that device's reach: for a hand-over a dispatch to it or its
 * own step (or, loosely, a licensed fill since or no step at all: a cycle
 * for its own later steps only); for a return naming a household a
 * hand-over to that household (another worker's, loosely); for one naming
 * none its own hand-over or a dispatch to it.  A step outside the chain is kept and traced, and
 * counts for nothing (docs/county.md, "A device's word at the door").
 *
 * And the registry, through its history (history.h, source "life"):
 * inspection_back sets the last inspection (the event's local date) and the
 * next (its next_due), or, when it failed, the status scrapped (its next_due
 * not believed); scrapped sets the status scrapped.  Only a cylinder the
 * registry holds: a life event adds no row.
 *
 * Where it was seen: a household step (handed_over, returned) belongs to the
 * buyer's township as a station registered it in this county (the buyers
 * table: COUNTY_BUYER_SET_SQL; a delivery device's word is never kept),
 * else the one it names if the county knows it, else the source's; any other
 * step to the source's: a station's township as the county holds it, or a
 * delivery identity's "delivery:NAME@TOWNSHIP".
 *
 * Return conventions as db.h.
 */
#ifndef COUNTY_LIFE_H
#define COUNTY_LIFE_H

#include <stddef.h>
#include <stdint.h>

#include "code.h"
#include "db.h"
#include "wire.h"

/* Every life event kind, in the order of a cylinder's cycle. */
extern const char *const life_event_names[];

/*
 * Can the life part of r be true?  0, or -1 with err naming the field
 * ("life.event: 'lost' is not a life event"): an event of the list, a
 * serial, at_ms after 2000 and at most a day ahead, a buyer kind household/business/"", for
 * inspection_back a result pass/fail and a next_due date, for
 * handed_over a buyer.  Touches nothing; callers judging a whole batch
 * before writing call it first.
 */
int life_check(const struct wire_record *r, char *err, size_t errlen);

/*
 * May source (a station's id, or a whole delivery identity) record r's life
 * event as it says who did it?  0, or -1 with err naming the field, without
 * the record's place (the caller's to add): a delivery device records
 * handed_over and returned only, a station the rest (life.event); a device
 * speaks only for itself, so its actor must be its own identity and its
 * worker "" or that identity (life.actor, life.worker); a station's actor is
 * its operator's certificate, never what reads as an identity of the county
 * link (psk_claimed_role: "delivery:...", "station:..."; life.actor).  A
 * station's worker, whom it dispatched to or received from, is its to
 * name.  Touches nothing; life_store checks it too.
 */
int life_source_check(const char *source, const struct wire_record *r, char *err, size_t errlen);

/*
 * Is the code of r the cylinder's, as signed by the county?  A delivery
 * device's event (source "delivery:...") must carry the code it scanned
 * (gasdeliver records none without it), and it must verify under key and
 * name r's serial; 0, or -1 with err naming life.code.  A station's
 * event, and any event when key is NULL (a county without its code key),
 * is not checked.  Touches nothing.
 */
int life_code_check(const struct code_key *key, const char *source, const struct wire_record *r,
    char *err, size_t errlen);

/*
 * Store the life event of r (kind "life", has_life) from source (a
 * station's id as county_ingest takes it, or a whole delivery identity)
 * and run the rules above for it, in one transaction: a savepoint, so it
 * joins the caller's transaction when one is open (county_ingest) and is
 * its own otherwise.  Idempotent: the same event again (the same source,
 * seq, uuid and content) changes nothing; another at its seq, or its uuid
 * held with other content or at another place, is a conflicting resend:
 * the first is kept, the conflict is recorded once per version sent, up
 * to db.h's COUNTY_CONFLICT_VERSIONS_MAX, and raises C06 to the county
 * (db.h county_conflict), as a station's records do.  Returns 1 when
 * stored now, 0 when held already (or a conflict), -2 when life_check or
 * life_source_check refuses it (err names the field), -1 on a database
 * error (err says why); on -1 and -2 nothing was stored.
 */
int life_store(struct county_db *c, const char *source, const struct wire_record *r, char *err,
    size_t errlen);

/*
 * The life event source holds at seq (a station's life events share its
 * seq with its other records): 1 with its uuid and its digest
 * (county_life_digest), 0 when none, -1 with err on a database error.
 */
int life_held_at(struct county_db *c, const char *source, int64_t seq, char uuid[WIRE_UUID],
    char digest[65], char *err, size_t errlen);

/* The same, with *new_alerts the alerts raised (a conflict's C06 included),
 * and 2, not 0, for a conflict with another event (another uuid) held at
 * r's seq: r is nowhere at the county, and a device's ack counts those
 * apart (wire_ack.conflicts), so that it never takes one as delivered.  r's
 * uuid held with other content, or at another seq, is 0: the county holds
 * that event (its first copy). */
int life_store_counted(struct county_db *c, const char *source, const struct wire_record *r,
    int *new_alerts, char *err, size_t errlen);

/* One stored life event, as life_for_cylinder hands it over. */
struct life_event {
	int64_t id; /* the county's order of storing */
	char source[WIRE_ID + 16];
	int64_t seq;
	char uuid[WIRE_UUID];
	struct wire_life life;
	int64_t stored_ms;
};

/* Called once per event; a return other than 0 stops the walk and is
 * returned by life_for_cylinder. */
typedef int (*life_callback)(const struct life_event *ev, void *arg);

/*
 * The life events of serial in the order they happened (at_ms, then the
 * order stored), each handed to cb with arg.  0 when all were handed over,
 * -1 on a database error (err says why), or cb's non-zero return.
 */
int life_for_cylinder(struct county_db *c, const char *serial, life_callback cb, void *arg,
    char *err, size_t errlen);

/*
 * The county's periodic sweep over the life: C08 for every dispatch due by
 * now_ms and still pending, C07 for every hand-over or return whose grace
 * has run out and still has no licensed fill.  One transaction; *new_alerts
 * says how many alerts it raised.  0, or -1 with err (nothing changed).
 */
int life_sweep(struct county_db *c, int64_t now_ms, int *new_alerts, char *err, size_t errlen);

#endif
