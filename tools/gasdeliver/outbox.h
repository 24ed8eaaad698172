/*
 * outbox: a delivery device's store-and-forward (gasdeliver), in its own
 * SQLite database (schema/delivery/).  Every life event is committed with
 * its outbox row before the worker is told it is recorded; a row leaves
 * only when the county's answer covers it, so an event is never lost and,
 * sent again after a lost answer, is stored once (the county keeps it by
 * uuid and by the device's seq).
 */
#ifndef GASDELIVER_OUTBOX_H
#define GASDELIVER_OUTBOX_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/*
 * Bind the database to identity, the device's -u, for good: a database
 * speaks for one worker only, since the events it holds carry its
 * identity as their actor and its seqs are that identity's at the county
 * (another identity's sends would all be refused, 4.00, and stay stuck).
 * The first use writes identity into meta ('identity'); a database from
 * before the binding is bound to the actor of the first event it recorded,
 * or to identity when it holds none.  -1 with err naming both identities
 * when the database is bound to another (nothing written), or on a database
 * error; 0 otherwise.
 */
int outbox_bind(sqlite3 *db, const char *identity, char *err, size_t errlen);

/* Record l (its uuid into uuid_out when not NULL) and its outbox row, in one
 * transaction.  0, or -1 with err and nothing written. */
int outbox_add(sqlite3 *db, const struct wire_life *l, char uuid_out[WIRE_UUID], char *err,
    size_t errlen);

/* The oldest limit waiting events as a batch from identity (township: the
 * identity's).  The caller frees b with wire_batch_free.  0 or -1. */
int outbox_read(sqlite3 *db, const char *identity, const char *township, int limit,
    struct wire_batch *b, char *err, size_t errlen);

/* The county answered a batch of these n seqs (ascending) with ack: delete
 * what it holds (every seq <= its mark, capped at the batch's highest;
 * the whole batch when it counted each as stored or held) and keep the mark
 * in meta.  *removed says how many went.  0 or -1. */
int outbox_acked(sqlite3 *db, const int64_t *seqs, size_t n, const struct wire_ack *ack,
    int64_t *removed, char *err, size_t errlen);

/* This device's own latest step of serial (by its time, then as recorded):
 * 1 with its event, buyer and time, 0 when it recorded none, -1 with err. */
int outbox_last_step(sqlite3 *db, const char *serial, char event[WIRE_WORD], char buyer[WIRE_BUYER],
    int64_t *at_ms, char *err, size_t errlen);

/* Events waiting, and the at_ms of the oldest (0: none). */
int64_t outbox_waiting(sqlite3 *db, int64_t *oldest_ms);

/* The last mark the county gave (0: never). */
int64_t outbox_last_ack(sqlite3 *db);

#endif
