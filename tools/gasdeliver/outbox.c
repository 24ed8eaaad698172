/*
 * outbox: see outbox.h.
 */
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liferows.h"
#include "store.h"
#include "util.h"

/* The text of sql's first row (its column 0) into out; "" when none. */
static int
query_text(sqlite3 *db, const char *sql, char *out, size_t outlen, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	out[0] = '\0';
	if (store_prepare(db, sql, &st, err, errlen) == -1)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_column_copy(st, 0, out, outlen);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(err, errlen, "meta: %s", sqlite3_errmsg(db));
	return 0;
}

/* Write meta's key as value (over what it held when replace, else only
 * when it held nothing), inside the caller's transaction.  0 or -1. */
static int
meta_put(sqlite3 *db, const char *key, const char *value, int replace, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (store_prepare(db,
	        replace ? "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"
	                : "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return err_set(err, errlen, "meta: %s", sqlite3_errmsg(db));
	return 0;
}

int
outbox_bind(sqlite3 *db, const char *identity, char *err, size_t errlen)
{
	char bound[WIRE_ID];

	if (store_begin(db, err, errlen) == -1)
		return -1;
	if (query_text(db, "SELECT value FROM meta WHERE key = 'identity'", bound, sizeof(bound),
	        err, errlen) == -1)
		goto fail;
	/* from before the binding: whose the first recorded event was */
	if (bound[0] == '\0' &&
	    query_text(db, "SELECT actor FROM life_events ORDER BY rowid LIMIT 1", bound,
	        sizeof(bound), err, errlen) == -1)
		goto fail;
	if (bound[0] != '\0' && strcmp(bound, identity) != 0) {
		err_set(err, errlen,
		    "this database is %s's (the identity that first used it), not %s's: its events "
		    "carry %s as their actor and the county would refuse them under another "
		    "identity; use %s's own database (-d)",
		    bound, identity, bound, identity);
		goto fail;
	}
	if (meta_put(db, "identity", identity, 0, err, errlen) == -1)
		goto fail;
	return store_commit(db, err, errlen);
fail:
	store_rollback(db);
	return -1;
}

int
outbox_add(sqlite3 *db, const struct wire_life *l, char uuid_out[WIRE_UUID], char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char uuid[WIRE_UUID];
	int rc;

	store_uuid(uuid);
	if (store_begin(db, err, errlen) == -1)
		return -1;
	if (liferows_insert(db, uuid, l, err, errlen) == -1 ||
	    store_prepare(db, "INSERT INTO outbox (uuid, created_ms) VALUES (?, ?)", &st, err,
	        errlen) == -1)
		goto fail;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, l->at_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		err_set(err, errlen, "outbox: %s", sqlite3_errmsg(db));
		goto fail;
	}
	if (store_commit(db, err, errlen) == -1)
		return -1;
	if (uuid_out != NULL)
		memcpy(uuid_out, uuid, WIRE_UUID);
	return 0;
fail:
	store_rollback(db);
	return -1;
}

int
outbox_read(sqlite3 *db, const char *identity, const char *township, int limit,
    struct wire_batch *b, char *err, size_t errlen)
{
	sqlite3_stmt *ob = NULL, *ls = NULL;
	struct wire_record *r;
	int rc = -1, step;

	memset(b, 0, sizeof(*b));
	str_copy(b->station, identity, sizeof(b->station));
	str_copy(b->township, township, sizeof(b->township));
	if ((b->records = calloc((size_t)limit, sizeof(*b->records))) == NULL)
		return err_set(err, errlen, "out of memory");
	if (store_exec(db, "BEGIN", err, errlen) == -1)
		goto out;
	if (store_prepare(db,
	        "SELECT seq, uuid, created_ms FROM outbox WHERE aside_ms IS NULL"
	        " ORDER BY seq LIMIT ?",
	        &ob, err, errlen) == -1 ||
	    store_prepare(db, LIFEROWS_SELECT, &ls, err, errlen) == -1)
		goto done;
	sqlite3_bind_int(ob, 1, limit);
	while ((step = sqlite3_step(ob)) == SQLITE_ROW) {
		r = &b->records[b->count++];
		str_copy(r->station, identity, sizeof(r->station));
		r->seq = sqlite3_column_int64(ob, 0);
		store_column_copy(ob, 1, r->uuid, sizeof(r->uuid));
		str_copy(r->kind, "life", sizeof(r->kind));
		r->created_ms = sqlite3_column_int64(ob, 2);
		if (liferows_read(ls, r, err, errlen) == -1)
			goto done;
	}
	if (step != SQLITE_DONE) {
		err_set(err, errlen, "outbox: %s", sqlite3_errmsg(db));
		goto done;
	}
	rc = 0;
done:
	sqlite3_finalize(ob);
	sqlite3_finalize(ls);
	store_exec(db, "COMMIT", NULL, 0);
out:
	if (rc == -1)
		wire_batch_free(b);
	return rc;
}

/* Run sql (parameter 1: a seq) for each of n seqs, counting the changes. */
static int
each_seq(sqlite3 *db, const char *sql, const int64_t *seqs, size_t n, int64_t *changed, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	size_t i;

	if (store_prepare(db, sql, &st, err, errlen) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, seqs[i]);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return err_set(err, errlen, "outbox: %s", sqlite3_errmsg(db));
		}
		*changed += sqlite3_changes(db);
	}
	sqlite3_finalize(st);
	return 0;
}

int
outbox_acked(sqlite3 *db, const int64_t *seqs, size_t n, const struct wire_ack *ack,
    int64_t *removed, char *err, size_t errlen)
{
	/* never above what was sent: a wrong mark can only make events go again */
	int64_t mark = n > 0 && ack->hwm > seqs[n - 1] ? seqs[n - 1] : ack->hwm;
	char text[32];

	*removed = 0;
	/* a conflict is another event held at a seq of the batch: the county's
	 * mark covers that seq and the batch's count it, but this device's event
	 * is not there (review rev102): nothing of the batch goes */
	if (ack->conflicts > 0)
		mark = 0;
	if (store_begin(db, err, errlen) == -1)
		return -1;
	if (each_seq(db, "DELETE FROM outbox WHERE seq <= ?1 AND aside_ms IS NULL", &mark, 1,
	        removed, err, errlen) == -1 ||
	    (ack->conflicts == 0 && (uint64_t)(ack->stored + ack->duplicates) == (uint64_t)n &&
	        each_seq(db, "DELETE FROM outbox WHERE seq = ?1", seqs, n, removed, err, errlen) ==
	            -1))
		goto fail;
	snprintf(text, sizeof(text), "%lld", (long long)ack->hwm);
	if (meta_put(db, "last_ack", text, 1, err, errlen) == -1)
		goto fail;
	return store_commit(db, err, errlen);
fail:
	store_rollback(db);
	*removed = 0;
	return -1;
}

int
outbox_last_step(sqlite3 *db, const char *serial, char event[WIRE_WORD], char buyer[WIRE_BUYER],
    int64_t *at_ms, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	event[0] = buyer[0] = '\0';
	*at_ms = 0;
	if (store_prepare(db,
	        "SELECT event, buyer, at_ms FROM life_events WHERE serial = ?"
	        " ORDER BY rowid DESC LIMIT 1",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		store_column_copy(st, 0, event, WIRE_WORD);
		store_column_copy(st, 1, buyer, WIRE_BUYER);
		*at_ms = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(err, errlen, "%s", sqlite3_errmsg(db));
	return rc == SQLITE_ROW;
}

int64_t
outbox_waiting(sqlite3 *db, int64_t *oldest_ms)
{
	if (oldest_ms != NULL)
		*oldest_ms = store_query_int(db,
		    "SELECT coalesce(min(created_ms), 0) FROM outbox WHERE aside_ms IS NULL", 0);
	return store_query_int(db, "SELECT count(*) FROM outbox WHERE aside_ms IS NULL", 0);
}

int64_t
outbox_aside_count(sqlite3 *db)
{
	return store_query_int(db, "SELECT count(*) FROM outbox WHERE aside_ms IS NOT NULL", 0);
}

int64_t
outbox_last_seq(sqlite3 *db)
{
	return store_query_int(db,
	    "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0),"
	    " coalesce((SELECT max(seq) FROM outbox), 0))",
	    0);
}

/* The sequence goes on after last (never below a seq it gave), inside the
 * caller's transaction. */
static int
sequence_after(sqlite3 *db, int64_t last, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (store_prepare(db,
	        "INSERT OR REPLACE INTO sqlite_sequence (rowid, name, seq) VALUES ((SELECT rowid"
	        " FROM sqlite_sequence WHERE name = 'outbox'), 'outbox',"
	        " max(?1, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)))",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, last);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return err_set(err, errlen, "outbox sequence: %s", sqlite3_errmsg(db));
	return 0;
}

int
outbox_renumber(sqlite3 *db, int64_t mark, int64_t *count, char *err, size_t errlen)
{
	size_t n = 0;

	*count = 0;
	if (store_begin(db, err, errlen) == -1)
		return -1;
	if (store_outbox_renumber(db, mark, &n, err, errlen) == -1 ||
	    sequence_after(db, mark + (int64_t)n, err, errlen) == -1 ||
	    store_commit(db, err, errlen) == -1) {
		store_rollback(db);
		return -1;
	}
	*count = (int64_t)n;
	return 0;
}

int
outbox_move(sqlite3 *db, int64_t seq, int64_t mark, int64_t *new_seq, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t last;
	int rc;

	*new_seq = 0;
	if (store_begin(db, err, errlen) == -1)
		return -1;
	last = outbox_last_seq(db);
	*new_seq = (mark > last ? mark : last) + 1;
	if (store_prepare(db, "UPDATE outbox SET seq = ?2 WHERE seq = ?1", &st, err, errlen) == -1)
		goto fail;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, *new_seq);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		err_set(err, errlen, "outbox move: %s", sqlite3_errmsg(db));
		goto fail;
	}
	if (sqlite3_changes(db) == 0) {
		err_set(err, errlen, "outbox move: no event at seq %lld", (long long)seq);
		goto fail;
	}
	if (sequence_after(db, *new_seq, err, errlen) == -1 || store_commit(db, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	store_rollback(db);
	*new_seq = 0;
	return -1;
}

/* Run sql (?1 seq, ?2 text, ?3 a time) in its own transaction: the rows
 * changed, or -1 with err. */
static int64_t
change_rows(sqlite3 *db, const char *sql, int64_t seq, const char *text, int64_t ms, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (store_prepare(db, sql, &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	if (text != NULL)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return err_set(err, errlen, "outbox: %s", sqlite3_errmsg(db));
	return sqlite3_changes(db);
}

int
outbox_set_aside(sqlite3 *db, int64_t seq, const char *reason, int64_t now_ms, char *err,
    size_t errlen)
{
	int64_t n = change_rows(db,
	    "UPDATE outbox SET aside_ms = ?3, aside_reason = ?2 WHERE seq = ?1"
	    " AND aside_ms IS NULL",
	    seq, reason, now_ms, err, errlen);

	return n < 0 ? -1 : n > 0;
}

int64_t
outbox_aside_retry(sqlite3 *db, int64_t seq, char *err, size_t errlen)
{
	return change_rows(db,
	    "UPDATE outbox SET aside_ms = NULL, aside_reason = NULL WHERE aside_ms IS NOT NULL"
	    " AND (?1 = 0 OR seq = ?1)",
	    seq, NULL, 0, err, errlen);
}

int
outbox_aside_drop(sqlite3 *db, int64_t seq, char *err, size_t errlen)
{
	int64_t n = change_rows(db, "DELETE FROM outbox WHERE seq = ?1 AND aside_ms IS NOT NULL",
	    seq, NULL, 0, err, errlen);

	return n < 0 ? -1 : n > 0;
}

int
outbox_aside_list(sqlite3 *db, int (*fn)(const struct outbox_aside *row, void *arg), void *arg,
    char *err, size_t errlen)
{
	struct outbox_aside row;
	struct wire_record r;
	sqlite3_stmt *st = NULL, *ls = NULL;
	int rc = -1, step;

	if (store_prepare(db,
	        "SELECT seq, uuid, aside_ms, coalesce(aside_reason, '') FROM outbox"
	        " WHERE aside_ms IS NOT NULL ORDER BY seq",
	        &st, err, errlen) == -1 ||
	    store_prepare(db, LIFEROWS_SELECT, &ls, err, errlen) == -1)
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		memset(&r, 0, sizeof(r));
		row.seq = sqlite3_column_int64(st, 0);
		store_column_copy(st, 1, r.uuid, sizeof(r.uuid));
		row.aside_ms = sqlite3_column_int64(st, 2);
		store_column_copy(st, 3, row.reason, sizeof(row.reason));
		sqlite3_reset(ls);
		if (liferows_read(ls, &r, err, errlen) == -1)
			goto out;
		str_copy(row.uuid, r.uuid, sizeof(row.uuid));
		row.life = r.life;
		if (fn(&row, arg) == -1) {
			err_set(err, errlen, "cannot write the list");
			goto out;
		}
	}
	if (step != SQLITE_DONE) {
		err_set(err, errlen, "outbox: %s", sqlite3_errmsg(db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(ls);
	return rc;
}

int64_t
outbox_last_ack(sqlite3 *db)
{
	return store_query_int(db, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_ack'",
	    0);
}
