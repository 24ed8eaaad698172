/*
 * liferows: a cylinder's life events (struct wire_life) in SQLite, the same
 * way in every database that keeps them before they go to the county: the
 * station's (gateway/records.c, gasctl dispatch and receive) and a delivery
 * worker's device (gasdeliver).  Both hold a table life_events of the same
 * columns (schema/station/005_life.sql, schema/delivery/001_init.sql);
 * this module is the one that writes and reads its rows.
 *
 * The caller owns the transaction (the life row and its outbox row are
 * written together by the module that owns the outbox).
 */
#ifndef GAS_LIFEROWS_H
#define GAS_LIFEROWS_H

#include <stddef.h>
#include <sqlite3.h>

#include "wire.h"

/* Insert the life event l under uuid.  0, or -1 with err. */
int liferows_insert(sqlite3 *db, const char *uuid, const struct wire_life *l, char *err,
    size_t errlen);

/* The SELECT liferows_read expects to be given (prepared by the caller, so
 * that a batch prepares it once): the event of one uuid, parameter 1. */
#define LIFEROWS_SELECT                                                                            \
	"SELECT event, serial, code, actor, worker, buyer, buyer_masked, buyer_township,"          \
	" buyer_kind, village, lat_e6, lon_e6, result, next_due, reason, at_ms"                    \
	" FROM life_events WHERE uuid = ?"

/* Read r->uuid's life event through st (LIFEROWS_SELECT, or a statement
 * giving the same columns: the county's trace reads its life_events so,
 * with two more: the rule time as taken_ms and counts, 0 1 2, as chain)
 * into r->life and set r->has_life.  0, or -1 with err (no such row
 * included). */
int liferows_read(sqlite3_stmt *st, struct wire_record *r, char *err, size_t errlen);

/*
 * l's texts as the county checks them at its door (tools/county/ingestcheck.c
 * runs this very check on every life record it takes): each one UTF-8 with
 * no control character (termtext_text_ok; in village and reason, line
 * breaks and tabs); no person's number in the texts a source writes as it
 * likes (masked, btown, village, reason: buyer_text_has_number, V7), and a
 * masked form of the mask's shape (buyer_masked_ok).  0, or -1 with err
 * "AT: life.FIELD: ..." naming the wire field (docs/protocol.md), AT
 * first, never the value.  A device runs it
 * before it records an event (gasdeliver): what the county would refuse is
 * refused at the door, never recorded to wait at the head of the outbox.
 */
int liferows_check_texts(const struct wire_life *l, const char *at, char *err, size_t errlen);

/* A life event a person reads: "dispatched to wang", "handed over to
 * 330***1234 (household, T2) at 下宅村", into out.  Returns out. */
char *liferows_describe(const struct wire_life *l, char *out, size_t outlen);

#endif
