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
 * what it holds (every seq <= its mark, capped at the batch's highest, but
 * a set-aside row; the whole batch when it counted each as stored or held)
 * and keep the mark in meta.  An ack that counts a conflict (another event
 * held at a seq of the batch) deletes nothing: the caller finds out which
 * (review rev102).  *removed says how many went.  0 or -1. */
int outbox_acked(sqlite3 *db, const int64_t *seqs, size_t n, const struct wire_ack *ack,
    int64_t *removed, char *err, size_t errlen);

/* This device's own latest step of serial, the last it recorded (not by
 * its time: the device's clock may have been set back since): 1 with its
 * event, buyer and time, 0 when it recorded none, -1 with err. */
int outbox_last_step(sqlite3 *db, const char *serial, char event[WIRE_WORD], char buyer[WIRE_BUYER],
    int64_t *at_ms, char *err, size_t errlen);

/* Events waiting (not set aside), and the at_ms of the oldest (0: none). */
int64_t outbox_waiting(sqlite3 *db, int64_t *oldest_ms);

/* The highest seq this device ever numbered (0: none, or the database
 * cannot say). */
int64_t outbox_last_seq(sqlite3 *db);

/*
 * The county holds this device's events up to mark, above every seq the
 * device numbered (outbox_last_seq): a new phone under the same identity,
 * or its database lost or put back from a backup, numbered from an older
 * point again, and the county keeps the old phone's events at those seqs.
 * In one transaction every outbox row (waiting or set aside, uuid and all)
 * takes a seq after mark, mark + 1 on, in the order it had, and the
 * sequence goes on after them, as a station's does (gateway/records.c
 * records_outbox_renumber).  *count the rows renumbered.  0, or -1 with
 * err and nothing changed.
 */
int outbox_renumber(sqlite3 *db, int64_t mark, int64_t *count, char *err, size_t errlen);

/* The row of seq, which the county answered as a conflict (it holds another
 * event there), to a seq of its own after both mark and every seq the
 * device numbered, into *new_seq; the sequence goes on after it.  0, or -1
 * with err and nothing changed. */
int outbox_move(sqlite3 *db, int64_t seq, int64_t mark, int64_t *new_seq, char *err, size_t errlen);

/* ---- events the county refused: set aside, kept, shown (gasdeliver aside) ---- */

/* Set the row of seq aside with reason: 1 done, 0 no such row waiting, -1
 * with err.  outbox_read skips it; no mark deletes it. */
int outbox_set_aside(sqlite3 *db, int64_t seq, const char *reason, int64_t now_ms, char *err,
    size_t errlen);

/* Rows set aside (0 when the database cannot say). */
int64_t outbox_aside_count(sqlite3 *db);

/* Put the set-aside row of seq (0: every one) back to wait: how many, or
 * -1 with err. */
int64_t outbox_aside_retry(sqlite3 *db, int64_t seq, char *err, size_t errlen);

/* Delete the set-aside row of seq from the outbox (the event stays in
 * life_events, never sent): 1 done, 0 no such set-aside row, -1 with err. */
int outbox_aside_drop(sqlite3 *db, int64_t seq, char *err, size_t errlen);

/* A set-aside event as gasdeliver aside lists it. */
struct outbox_aside {
	int64_t seq, aside_ms;
	char uuid[WIRE_UUID];
	char reason[WIRE_TEXT];
	struct wire_life life;
};

/* fn for each set-aside row, by seq (stop and -1 when fn returns -1).  0 or
 * -1 with err. */
int outbox_aside_list(sqlite3 *db, int (*fn)(const struct outbox_aside *row, void *arg), void *arg,
    char *err, size_t errlen);

/* The last mark the county gave (0: never). */
int64_t outbox_last_ack(sqlite3 *db);

#endif
