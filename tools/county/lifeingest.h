/*
 * lifeingest: a delivery device's batch (POST /records from an identity
 * delivery:NAME@TOWNSHIP; docs/protocol.md, "Life events").  A device sends
 * records of kind "life" only, with its own gap-free seq; each is kept once
 * by the life module (life.h: life_events, the rules) under the whole
 * identity as its source, and the device's mark (delivery_marks, which
 * this module owns) is advanced in the same transaction.  A device is not
 * a station: it has no row in stations, no heartbeat and no silence alert
 * (C03): it may be offline for a day.
 */
#ifndef COUNTY_LIFEINGEST_H
#define COUNTY_LIFEINGEST_H

#include <stddef.h>
#include <stdint.h>

#include "code.h"
#include "db.h"
#include "wire.h"

/* How many events of one cylinder a device may have stored in 24 hours (by
 * the county's clock): a worker hands a cylinder over and takes it back a
 * few times a week.  Each event of a cylinder is judged against its rows
 * under the write lock; a device sending records_day_max events of one
 * serial would make every step of that cylinder slower for everyone. */
#define LIFE_SERIAL_DAY_MAX 24

/*
 * Store batch from source (the proved identity) in one transaction.
 * COUNTY_DONE: *ack holds the device's highest contiguous seq after the
 * commit, the new and already-held counts, *new_alerts the alerts the rules
 * raised.  COUNTY_REFUSED (nothing stored, err names the record and field):
 * a record not of kind life, one that cannot be true (ingestcheck.h), one
 * that is not the device's to record or names another worker as its actor
 * or worker (life.h life_source_check), one whose code is missing, not
 * signed by code_key or another cylinder's (life.h life_code_check; not
 * checked when code_key is NULL), a seq more than max_seq_jump beyond the
 * device's mark.  COUNTY_BUSY (nothing stored, err says until when):
 * the device is over its records_day_max (quota.h), or the batch's first
 * new record would be its LIFE_SERIAL_DAY_MAX + 1st new event of one
 * cylinder in 24 hours (err names the record and the cylinder).  A record
 * further on that would be is not refused with its batch: the records
 * before it are stored and answered (COUNTY_DONE, the mark short of it),
 * so that a device's backlog drains a day at a time.  COUNTY_ERROR: the
 * database failed, nothing stored.
 */
enum county_result county_ingest_delivery(struct county_db *c, const struct code_key *code_key,
    const char *source, const struct wire_batch *batch, struct wire_ack *ack, int *new_alerts,
    char *err, size_t errlen);

/*
 * The device's highest contiguous seq held (0: none): the largest N such
 * that its seqs 1..N are all in life_events.  Read from its mark
 * (delivery_marks) and the seqs held just beyond it, so it costs the same
 * whatever the device holds; it writes nothing (it may run outside a
 * transaction).  0, or -1 with err (*hwm then means nothing).
 */
int county_delivery_hwm(struct county_db *c, const char *source, int64_t *hwm, char *err,
    size_t errlen);

#endif
