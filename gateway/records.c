/*
 * records: SQL of the fill line (see records.h for the durability
 * contract and the tables this module owns).  Every public function that
 * touches the writing connection locks rec->lock for its whole body and
 * leaves the database unchanged when it fails.
 *
 * A failed write is told apart by SQLite's extended result code, taken at
 * the statement or COMMIT that failed (before the rollback clears it): a
 * full disk and an I/O error are temporary, the line holds the record back
 * and the writer thread below tries it again; a fill row no longer open is
 * final.
 */
#include "records.h"
#include "recordrows.h"
#include "liferows.h"
#include "registry.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util.h"

/* A held-back fill record: a copy of everything records_fill_finish needs. */
struct records_held {
	struct records_held *next;
	struct records_fill fill; /* .curve points at curve[] */
	struct rules_verdict verdict;
	struct records_party party; /* strings point at the copies below */
	char cylinder[64];
	char buyer[65];
	char buyer_township[16];
	char operator_cert[REGISTRY_CERT_MAX + 1];
	enum records_write last; /* outcome of the latest write */
	unsigned tries;          /* writes tried since it was held */
	int busy;                /* a thread is writing it */
	int64_t due_ms;          /* monotonic: when to try it again */
	uint8_t curve[];
};

struct records_held_queue {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* the writer: a record held, a retry asked for, stop */
	pthread_cond_t idle; /* a write finished */
	pthread_t thread;
	int running;
	int stop;
	struct records_held *head;
};

static int
held_final(enum records_write w)
{
	return w == RECORDS_WRITTEN || w == RECORDS_GONE;
}

int
records_open(struct records *rec, const char *path, const char *station, const char *township,
    char *err, size_t errlen)
{
	memset(rec, 0, sizeof(*rec));
	if (store_open(path, schema_station, 0, &rec->db, err, errlen) == -1)
		return -1;
	/* a station's private memory is mostly SQLite's page caches: bound
	 * them (the registry's hot index pages fit) and drop what quick_check
	 * read at open */
	if (store_cache_kb(rec->db, RECORDS_CACHE_KB, err, errlen) == -1 ||
	    store_open(path, schema_station, STORE_READONLY | STORE_NO_CHECK, &rec->read_db, err,
	        errlen) == -1) {
		store_close(rec->db);
		rec->db = NULL;
		return -1;
	}
	if (store_cache_kb(rec->read_db, RECORDS_CACHE_KB, err, errlen) == -1) {
		store_close(rec->read_db);
		store_close(rec->db);
		rec->db = rec->read_db = NULL;
		return -1;
	}
	pthread_mutex_init(&rec->lock, NULL);
	pthread_mutex_init(&rec->read_lock, NULL);
	str_copy(rec->station, station, sizeof(rec->station));
	str_copy(rec->township, township, sizeof(rec->township));
	return 0;
}

static void
held_stop(struct records *rec)
{
	struct records_held_queue *q = rec->held;
	struct records_held *e;

	if (q == NULL)
		return;
	if (q->running) {
		pthread_mutex_lock(&q->lock);
		q->stop = 1;
		pthread_cond_broadcast(&q->wake);
		pthread_mutex_unlock(&q->lock);
		pthread_join(q->thread, NULL);
	}
	while ((e = q->head) != NULL) {
		q->head = e->next;
		free(e);
	}
	pthread_cond_destroy(&q->wake);
	pthread_cond_destroy(&q->idle);
	pthread_mutex_destroy(&q->lock);
	free(q);
	rec->held = NULL;
}

void
records_close(struct records *rec)
{
	if (rec->db == NULL)
		return;
	held_stop(rec);
	store_close(rec->db);
	store_close(rec->read_db);
	rec->db = NULL;
	rec->read_db = NULL;
	pthread_mutex_destroy(&rec->lock);
	pthread_mutex_destroy(&rec->read_lock);
}

void
records_release_memory(struct records *rec)
{
	pthread_mutex_lock(&rec->lock);
	sqlite3_db_release_memory(rec->db);
	pthread_mutex_unlock(&rec->lock);
	pthread_mutex_lock(&rec->read_lock);
	sqlite3_db_release_memory(rec->read_db);
	pthread_mutex_unlock(&rec->read_lock);
}

static void
notify_outbox(struct records *rec)
{
	if (rec->outbox_added != NULL)
		rec->outbox_added(rec->outbox_arg);
}

/* err from the connection's last error; its extended result code into
 * *code (before a rollback clears it) when code is not NULL. */
static int
sql_fail(struct records *rec, int *code, const char *what, char *err, size_t errlen)
{
	if (code != NULL)
		*code = sqlite3_extended_errcode(rec->db);
	return err_set(err, errlen, "%s: %s", what, sqlite3_errmsg(rec->db));
}

/* What a failed write's code says: a full disk, a failing one, or not the
 * disk's fault. */
static enum records_write
write_cause(int code)
{
	switch (store_disk_problem(code)) {
	case STORE_DISK_FULL:
		return RECORDS_NO_SPACE;
	case STORE_DISK_IOERR:
		return RECORDS_IO_ERROR;
	case STORE_DISK_OTHER:
		break;
	}
	return RECORDS_DB_ERROR;
}

/* The look-ups are registry.h's (the owner of the registry tables), under
 * this connection's lock, with dates turned into day numbers for the rules. */
static int32_t
day_of(const char *text)
{
	int32_t d;

	return text[0] != '\0' && date_parse(text, &d) == 0 ? d : 0;
}

enum store_found
records_cylinder_get(struct records *rec, const char *serial, struct records_cylinder *out,
    char *err, size_t errlen)
{
	struct registry_cylinder reg;
	enum store_found rc;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&rec->lock);
	rc = registry_cylinder_find(rec->db, serial, &reg, err, errlen);
	pthread_mutex_unlock(&rec->lock);
	if (rc == STORE_FOUND) {
		str_copy(out->serial, reg.serial, sizeof(out->serial));
		str_copy(out->model, reg.model, sizeof(out->model));
		out->manufactured = day_of(reg.manufactured);
		out->tare_kg = reg.tare_kg;
		out->fill_kg = reg.fill_kg;
		str_copy(out->owner, reg.owner, sizeof(out->owner));
		out->last_inspection = day_of(reg.last_inspection);
		out->next_inspection = day_of(reg.next_inspection);
		str_copy(out->status, reg.status, sizeof(out->status));
		str_copy(out->code, reg.code, sizeof(out->code));
	}
	return rc;
}

void
records_cylinder_label(const struct records_cylinder *cyl, struct rules_label *out)
{
	rules_label_of(out, cyl->code, cyl->model, cyl->manufactured, cyl->tare_kg, cyl->fill_kg);
}

enum store_found
records_operator_get(struct records *rec, const char *cert, struct records_operator *out, char *err,
    size_t errlen)
{
	struct registry_operator reg;
	enum store_found rc;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&rec->lock);
	rc = registry_operator_find(rec->db, cert, &reg, err, errlen);
	pthread_mutex_unlock(&rec->lock);
	if (rc == STORE_FOUND) {
		str_copy(out->cert, reg.cert, sizeof(out->cert));
		str_copy(out->name, reg.name, sizeof(out->name));
		out->expires = day_of(reg.expires);
		out->active = reg.active;
	}
	return rc;
}

static void
records_guard_lock(void *ctx)
{
	pthread_mutex_lock(&((struct records *)ctx)->lock);
}

static void
records_guard_unlock(void *ctx)
{
	pthread_mutex_unlock(&((struct records *)ctx)->lock);
}

enum opauth_proof
records_operator_prove(struct records *rec, const char *cert, const char *pin, int64_t now_ms,
    int64_t *locked_until_ms, char *err, size_t errlen)
{
	const struct opauth_guard guard = { records_guard_lock, records_guard_unlock, rec };

	return opauth_prove(rec->db, &guard, cert, pin, now_ms, locked_until_ms, err, errlen);
}

int
records_shift_open(struct records *rec, int line, const char *cert, int64_t now_ms, int64_t *id,
    char *err, size_t errlen)
{
	int rc;

	pthread_mutex_lock(&rec->lock);
	rc = opauth_shift_open(rec->db, line, cert, now_ms, id, err, errlen);
	pthread_mutex_unlock(&rec->lock);
	return rc;
}

int
records_shift_close(struct records *rec, int64_t id, enum opauth_shift_end how, int64_t now_ms,
    char *err, size_t errlen)
{
	int rc;

	pthread_mutex_lock(&rec->lock);
	rc = opauth_shift_close(rec->db, id, how, now_ms, err, errlen);
	pthread_mutex_unlock(&rec->lock);
	return rc;
}

enum store_found
records_buyer_get(struct records *rec, const char *id, struct records_buyer *out, char *err,
    size_t errlen)
{
	struct registry_buyer reg;
	enum store_found rc;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&rec->lock);
	rc = registry_buyer_find(rec->db, id, &reg, err, errlen);
	pthread_mutex_unlock(&rec->lock);
	if (rc == STORE_FOUND) {
		str_copy(out->id, reg.id, sizeof(out->id));
		str_copy(out->masked, reg.masked, sizeof(out->masked));
		str_copy(out->kind, reg.kind, sizeof(out->kind));
		str_copy(out->township, reg.township, sizeof(out->township));
		out->delivery = reg.delivery;
	}
	return rc;
}

/* The fills the rules count: those that put gas in a cylinder. */
#define COUNTED_FILLS " AND result IN ('ok', 'flagged', 'held')"

/* The one number sql gives about the counted fills of key (?1), from
 * since_ms (?2, for a statement that has it), under the lock; what names
 * it in err. */
static int
fills_figure(struct records *rec, const char *sql, const char *key, int64_t since_ms,
    const char *what, int64_t *out, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	*out = 0;
	pthread_mutex_lock(&rec->lock);
	if (store_prepare(rec->db, sql, &st, err, errlen) == -1)
		goto out;
	if (sqlite3_bind_parameter_count(st) >= 1)
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) >= 2)
		sqlite3_bind_int64(st, 2, since_ms);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sql_fail(rec, NULL, what, err, errlen);
		goto out;
	}
	*out = sqlite3_column_int64(st, 0);
	rc = 0;
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rec->lock);
	return rc;
}

int
records_last_fill_ms(struct records *rec, const char *serial, int64_t *out, char *err,
    size_t errlen)
{
	return fills_figure(rec,
	    "SELECT max(started_ms) FROM fills WHERE cylinder = ?" COUNTED_FILLS, serial, 0,
	    "last fill", out, err, errlen);
}

int
records_fill_left(struct records *rec, const char *serial, int *count, double *kg, int *unknown,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	*count = 0;
	*kg = 0;
	*unknown = 0;
	pthread_mutex_lock(&rec->lock);
	if (store_prepare(rec->db,
	        /* a net below zero is no gas measured: the cylinder was off the
	         * scale when a restart read it (net = 0 - tare): unknown, as a
	         * missing net is, and never subtracted from another fill's gas */
	        "SELECT count(*), count(CASE WHEN net_kg >= -0.05 THEN 1 END),"
	        " total(CASE WHEN net_kg > 0 THEN net_kg END) FROM fills"
	        " WHERE cylinder = ?1 AND result IN ('interrupted', 'emergency')"
	        " AND started_ms > (SELECT coalesce(max(started_ms), 0) FROM fills"
	        " WHERE cylinder = ?1" COUNTED_FILLS ")",
	        &st, err, errlen) == -1)
		goto out;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sql_fail(rec, NULL, "gas left by interrupted fills", err, errlen);
		goto out;
	}
	*count = sqlite3_column_int(st, 0);
	*unknown = sqlite3_column_int(st, 1) < *count;
	*kg = sqlite3_column_double(st, 2);
	rc = 0;
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rec->lock);
	return rc;
}

/* any fill, whatever its result: the clock read its start (fills_started) */
#define NEWEST_FILL_SQL "SELECT max(started_ms) FROM fills"

int
records_newest_fill_ms(struct records *rec, int64_t *out, char *err, size_t errlen)
{
	return fills_figure(rec, NEWEST_FILL_SQL, NULL, 0, "newest fill", out, err, errlen);
}

int
records_newest_fill_at(const char *path, int64_t *out, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct stat sb;
	int rc = -1;

	*out = 0;
	if (stat(path, &sb) == -1 && errno == ENOENT)
		return 0;
	/* no migration run, no version asked (the fills table and its column
	 * are the first schema's), no quick_check (a large file would hold up
	 * a configuration check): nothing written, nothing judged but this */
	if (store_open(path, NULL, STORE_READONLY | STORE_NO_CHECK, &db, err, errlen) == -1)
		return -1;
	if (store_prepare(db, NEWEST_FILL_SQL, &st, err, errlen) == -1)
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW) {
		err_set(err, errlen, "%s: newest fill: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	*out = sqlite3_column_int64(st, 0);
	rc = 0;
out:
	sqlite3_finalize(st);
	store_close(db);
	return rc;
}

int
records_buyer_fills_since(struct records *rec, const char *buyer, int64_t since_ms, int *out,
    char *err, size_t errlen)
{
	int64_t count;
	int rc = fills_figure(rec,
	    "SELECT count(*) FROM fills WHERE buyer = ? AND started_ms >= ?" COUNTED_FILLS, buyer,
	    since_ms, "buyer fills", &count, err, errlen);

	*out = (int)count;
	return rc;
}

static void
bind_text_or_null(sqlite3_stmt *st, int col, const char *text)
{
	if (text == NULL || text[0] == '\0')
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_text(st, col, text, -1, SQLITE_STATIC);
}

static void
bind_real_or_null(sqlite3_stmt *st, int col, double v)
{
	if (isnan(v))
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_double(st, col, v);
}

enum records_write
records_fill_start(struct records *rec, const struct records_fill *f,
    const struct records_buyer *buyer, char *err, size_t errlen)
{
	struct registry_buyer b;
	sqlite3_stmt *st = NULL;
	int code = SQLITE_OK, began = 0;
	enum records_write rc = RECORDS_DB_ERROR;

	pthread_mutex_lock(&rec->lock);
	if (store_begin(rec->db, err, errlen) == -1) {
		code = sqlite3_extended_errcode(rec->db);
		goto out;
	}
	began = 1;
	if (buyer != NULL && buyer->id[0] != '\0') {
		memset(&b, 0, sizeof(b));
		str_copy(b.id, buyer->id, sizeof(b.id));
		str_copy(b.masked, buyer->masked, sizeof(b.masked));
		str_copy(b.kind, buyer->kind, sizeof(b.kind));
		str_copy(b.township, buyer->township, sizeof(b.township));
		if (registry_buyer_ensure(rec->db, &b, time_wall_ms(), err, errlen) == -1) {
			code = sqlite3_extended_errcode(rec->db);
			goto out;
		}
	}
	if (store_prepare(rec->db,
	        "INSERT INTO fills (uuid, station, line, cylinder, buyer, operator, started_ms,"
	        " tare_kg, target_kg, preact_kg, result, buyer_masked, buyer_township,"
	        " buyer_kind) SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'filling',"
	        " b.masked, b.township, CASE WHEN b.delivery = 1 THEN 'delivery' ELSE b.kind END"
	        " FROM (SELECT 1) LEFT JOIN buyers b ON b.id = ?5",
	        &st, err, errlen) == -1) {
		code = sqlite3_extended_errcode(rec->db);
		goto out;
	}
	sqlite3_bind_text(st, 1, f->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rec->station, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, f->line);
	sqlite3_bind_text(st, 4, f->cylinder, -1, SQLITE_STATIC);
	bind_text_or_null(st, 5, f->buyer);
	bind_text_or_null(st, 6, f->operator_cert);
	sqlite3_bind_int64(st, 7, f->started_ms);
	sqlite3_bind_double(st, 8, f->tare_kg);
	sqlite3_bind_double(st, 9, f->target_kg);
	sqlite3_bind_double(st, 10, f->preact_kg);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sql_fail(rec, &code, "fill start", err, errlen);
		goto out;
	}
	if (store_commit_code(rec->db, &code, err, errlen) == -1)
		goto out;
	began = 0;
	rc = RECORDS_WRITTEN;
out:
	sqlite3_finalize(st);
	if (began)
		store_rollback(rec->db);
	pthread_mutex_unlock(&rec->lock);
	return rc == RECORDS_WRITTEN ? rc : write_cause(code);
}

/* Insert the violations of verdict under event; caller holds the lock and
 * a transaction. */
static int
insert_violations(struct records *rec, const char *event, const char *fill,
    const struct rules_verdict *v, const struct records_party *party, int64_t at_ms, int *code,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char uuid[37];
	const char *township;
	size_t i;
	int rc = -1;

	if (v == NULL || v->count == 0)
		return 0;
	if (store_prepare(rec->db,
	        "INSERT INTO violations (uuid, event, rule, severity, township, fill, line,"
	        " cylinder, buyer, operator, details, at_ms, buyer_masked) VALUES (?1, ?2, ?3,"
	        " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, (SELECT masked FROM buyers WHERE id ="
	        " ?9))",
	        &st, err, errlen) == -1) {
		*code = sqlite3_extended_errcode(rec->db);
		return -1;
	}
	for (i = 0; i < v->count; i++) {
		const struct rules_violation *item = &v->items[i];

		township = rec->township;
		if (item->route == RULES_ROUTE_BUYER && party->buyer_township != NULL &&
		    party->buyer_township[0] != '\0')
			township = party->buyer_township;
		store_uuid(uuid);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, event, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, item->rule, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, rules_severity_name(item->severity), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, township, -1, SQLITE_STATIC);
		bind_text_or_null(st, 6, fill);
		sqlite3_bind_int(st, 7, party->line);
		bind_text_or_null(st, 8, party->cylinder);
		bind_text_or_null(st, 9, party->buyer);
		bind_text_or_null(st, 10, party->operator_cert);
		sqlite3_bind_text(st, 11, item->text, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 12, at_ms);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sql_fail(rec, code, "violation insert", err, errlen);
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
insert_outbox(struct records *rec, const char *uuid, const char *kind, int64_t at_ms, int *code,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (store_prepare(rec->db, "INSERT INTO outbox (uuid, kind, created_ms) VALUES (?, ?, ?)",
	        &st, err, errlen) == -1) {
		*code = sqlite3_extended_errcode(rec->db);
		return -1;
	}
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, at_ms);
	if (sqlite3_step(st) != SQLITE_DONE)
		sql_fail(rec, code, "outbox insert", err, errlen);
	else
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

/* The fill's in-flight mass as its line's newest pre-act sample, keeping
 * the newest RECORDS_PREACT_SAMPLES of the line; caller holds the lock and
 * a transaction. */
static int
insert_preact_sample(struct records *rec, const struct records_fill *f, int *code, char *err,
    size_t errlen)
{
	sqlite3_stmt *ins = NULL, *del = NULL;
	int rc = -1;

	if (store_prepare(rec->db,
	        "INSERT INTO preact_samples (fill, line, inflight_kg, at_ms) VALUES (?, ?, ?, ?)",
	        &ins, err, errlen) == -1 ||
	    store_prepare(rec->db,
	        "DELETE FROM preact_samples WHERE line = ?1 AND rowid NOT IN"
	        " (SELECT rowid FROM preact_samples WHERE line = ?1 ORDER BY rowid DESC LIMIT ?2)",
	        &del, err, errlen) == -1) {
		*code = sqlite3_extended_errcode(rec->db);
		goto out;
	}
	sqlite3_bind_text(ins, 1, f->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int(ins, 2, f->line);
	sqlite3_bind_double(ins, 3, f->inflight_kg);
	sqlite3_bind_int64(ins, 4, f->ended_ms);
	if (sqlite3_step(ins) != SQLITE_DONE) {
		sql_fail(rec, code, "pre-act sample", err, errlen);
		goto out;
	}
	sqlite3_bind_int(del, 1, f->line);
	sqlite3_bind_int(del, 2, RECORDS_PREACT_SAMPLES);
	if (sqlite3_step(del) != SQLITE_DONE) {
		sql_fail(rec, code, "pre-act samples", err, errlen);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(del);
	return rc;
}

enum records_write
records_fill_finish(struct records *rec, const struct records_fill *f,
    const struct rules_verdict *verdict, const struct records_party *party, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int code = SQLITE_OK, began = 0;
	enum records_write rc = RECORDS_DB_ERROR;

	pthread_mutex_lock(&rec->lock);
	if (store_begin(rec->db, err, errlen) == -1) {
		code = sqlite3_extended_errcode(rec->db);
		goto out;
	}
	began = 1;
	if (store_prepare(rec->db,
	        "UPDATE fills SET ended_ms = ?, preact_kg = ?, cutoff_kg = ?, gross_kg = ?,"
	        " net_kg = ?, result = ?, curve = ? WHERE uuid = ? AND result = 'filling'",
	        &st, err, errlen) == -1) {
		code = sqlite3_extended_errcode(rec->db);
		goto out;
	}
	sqlite3_bind_int64(st, 1, f->ended_ms);
	sqlite3_bind_double(st, 2, f->preact_kg);
	bind_real_or_null(st, 3, f->cutoff_kg);
	bind_real_or_null(st, 4, f->gross_kg);
	bind_real_or_null(st, 5, f->net_kg);
	sqlite3_bind_text(st, 6, f->result, -1, SQLITE_STATIC);
	if (f->curve != NULL && f->curve_len > 0)
		sqlite3_bind_blob(st, 7, f->curve, (int)f->curve_len, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 7);
	sqlite3_bind_text(st, 8, f->uuid, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sql_fail(rec, &code, "fill finish", err, errlen);
		goto out;
	}
	if (sqlite3_changes(rec->db) != 1) {
		/* Already finished (or recovered after a crash): recording it
		 * again would duplicate it. */
		err_set(err, errlen, "fill %s is not open", f->uuid);
		rc = RECORDS_GONE;
		goto out;
	}
	if (insert_violations(rec, f->uuid, f->uuid, verdict, party, f->ended_ms, &code, err,
	        errlen) == -1)
		goto out;
	if (insert_outbox(rec, f->uuid, "fill", f->ended_ms, &code, err, errlen) == -1)
		goto out;
	if (!isnan(f->inflight_kg) && insert_preact_sample(rec, f, &code, err, errlen) == -1)
		goto out;
	if (store_commit_code(rec->db, &code, err, errlen) == -1)
		goto out;
	began = 0;
	rc = RECORDS_WRITTEN;
out:
	sqlite3_finalize(st);
	if (began)
		store_rollback(rec->db);
	pthread_mutex_unlock(&rec->lock);
	if (rc == RECORDS_WRITTEN)
		notify_outbox(rec);
	return rc == RECORDS_WRITTEN || rc == RECORDS_GONE ? rc : write_cause(code);
}

/* ---- held-back records ------------------------------------------------------- */

/* Until when a condition wait lasts: monotonic ms as the clock of the
 * queue's condition variables. */
static void
deadline_of(struct timespec *ts, int64_t at_ms)
{
	ts->tv_sec = at_ms / 1000;
	ts->tv_nsec = (long)(at_ms % 1000) * 1000000;
}

/*
 * Write e, with the queue locked on entry and on return.  e is marked busy
 * and the queue unlocked while it is written (the writer thread and a
 * line's records_held_write_now never write one entry at once); then its
 * outcome (e->last) and tries are noted and every waiter for a write is
 * woken.
 */
static void
held_write(struct records *rec, struct records_held *e, char *err, size_t errlen)
{
	struct records_held_queue *q = rec->held;
	enum records_write w;

	e->busy = 1;
	pthread_mutex_unlock(&q->lock);
	w = records_fill_finish(rec, &e->fill, &e->verdict, &e->party, err, errlen);
	pthread_mutex_lock(&q->lock);
	e->busy = 0;
	e->tries++;
	e->last = w;
	pthread_cond_broadcast(&q->idle);
}

static void *
held_writer(void *arg)
{
	struct records *rec = arg;
	struct records_held_queue *q = rec->held;
	struct records_held *e, *due;
	struct timespec until;
	int64_t now, next;
	char err[256];

	pthread_mutex_lock(&q->lock);
	while (!q->stop) {
		now = time_mono_ms();
		next = now + RECORDS_HOLD_RETRY_MS;
		due = NULL;
		for (e = q->head; e != NULL && due == NULL; e = e->next) {
			if (e->busy || held_final(e->last))
				continue;
			if (e->due_ms <= now)
				due = e;
			else if (e->due_ms < next)
				next = e->due_ms;
		}
		if (due == NULL) {
			deadline_of(&until, next);
			pthread_cond_timedwait(&q->wake, &q->lock, &until);
			continue;
		}
		held_write(rec, due, err, sizeof(err));
		due->due_ms = time_mono_ms() + RECORDS_HOLD_RETRY_MS;
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

/* The queue and its writer thread, made at the first record held back. */
static int
held_queue(struct records *rec, char *err, size_t errlen)
{
	struct records_held_queue *q;
	pthread_condattr_t ca;

	if (rec->held != NULL)
		return 0;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return err_set(err, errlen, "out of memory");
	pthread_mutex_init(&q->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->wake, &ca);
	pthread_cond_init(&q->idle, &ca);
	pthread_condattr_destroy(&ca);
	rec->held = q;
	if (pthread_create(&q->thread, NULL, held_writer, rec) != 0) {
		held_stop(rec);
		return err_set(err, errlen, "cannot start the writer of held-back records");
	}
	q->running = 1;
	return 0;
}

static void
copy_or_null(const char **dst, char *buf, size_t buflen, const char *src)
{
	if (src == NULL) {
		*dst = NULL;
		return;
	}
	str_copy(buf, src, buflen);
	*dst = buf;
}

int
records_hold(struct records *rec, const struct records_fill *fill,
    const struct rules_verdict *verdict, const struct records_party *party,
    enum records_write cause, char *err, size_t errlen)
{
	struct records_held *e;
	size_t curve_len = fill->curve != NULL ? fill->curve_len : 0;

	if (held_queue(rec, err, errlen) == -1)
		return -1;
	if ((e = calloc(1, sizeof(*e) + curve_len)) == NULL)
		return err_set(err, errlen, "out of memory");
	e->fill = *fill;
	if (curve_len > 0)
		memcpy(e->curve, fill->curve, curve_len);
	e->fill.curve = curve_len > 0 ? e->curve : NULL;
	e->fill.curve_len = curve_len;
	if (verdict != NULL)
		e->verdict = *verdict;
	e->party.line = party->line;
	copy_or_null(&e->party.cylinder, e->cylinder, sizeof(e->cylinder), party->cylinder);
	copy_or_null(&e->party.buyer, e->buyer, sizeof(e->buyer), party->buyer);
	copy_or_null(&e->party.buyer_township, e->buyer_township, sizeof(e->buyer_township),
	    party->buyer_township);
	copy_or_null(&e->party.operator_cert, e->operator_cert, sizeof(e->operator_cert),
	    party->operator_cert);
	e->last = cause;
	e->due_ms = time_mono_ms() + RECORDS_HOLD_RETRY_MS;
	pthread_mutex_lock(&rec->held->lock);
	e->next = rec->held->head;
	rec->held->head = e;
	pthread_cond_broadcast(&rec->held->wake);
	pthread_mutex_unlock(&rec->held->lock);
	return 0;
}

/* The entry of uuid and the link that points at it; queue locked. */
static struct records_held **
held_find(struct records_held_queue *q, const char *uuid)
{
	struct records_held **p;

	for (p = &q->head; *p != NULL; p = &(*p)->next)
		if (strcmp((*p)->fill.uuid, uuid) == 0)
			return p;
	return NULL;
}

/* Answer for the entry at p and forget it once its outcome is final;
 * queue locked. */
static enum records_write
held_answer(struct records_held **p, unsigned *tries)
{
	struct records_held *e = *p;
	enum records_write w = e->last;

	if (tries != NULL)
		*tries = e->tries;
	if (held_final(w) && !e->busy) {
		*p = e->next;
		free(e);
	}
	return w;
}

enum records_write
records_held(struct records *rec, const char *uuid, unsigned *tries)
{
	struct records_held **p;
	enum records_write w = RECORDS_GONE;

	if (tries != NULL)
		*tries = 0;
	if (rec->held == NULL)
		return w;
	pthread_mutex_lock(&rec->held->lock);
	if ((p = held_find(rec->held, uuid)) != NULL)
		w = held_answer(p, tries);
	pthread_mutex_unlock(&rec->held->lock);
	return w;
}

void
records_held_retry(struct records *rec)
{
	struct records_held *e;

	if (rec->held == NULL)
		return;
	pthread_mutex_lock(&rec->held->lock);
	for (e = rec->held->head; e != NULL; e = e->next)
		e->due_ms = 0;
	pthread_cond_broadcast(&rec->held->wake);
	pthread_mutex_unlock(&rec->held->lock);
}

enum records_write
records_held_write_now(struct records *rec, const char *uuid, char *err, size_t errlen)
{
	struct records_held_queue *q = rec->held;
	struct records_held **p, *e;
	enum records_write w;

	if (q == NULL)
		return RECORDS_GONE;
	pthread_mutex_lock(&q->lock);
	while ((p = held_find(q, uuid)) != NULL && (*p)->busy)
		pthread_cond_wait(&q->idle, &q->lock);
	if (p == NULL) {
		pthread_mutex_unlock(&q->lock);
		return RECORDS_GONE;
	}
	e = *p;
	if (!held_final(e->last)) {
		held_write(rec, e, err, errlen);
		p = held_find(q, uuid);
	}
	w = held_answer(p, NULL);
	pthread_mutex_unlock(&q->lock);
	return w;
}

int
records_preact_samples(struct records *rec, int line, double *out, size_t max, size_t *count,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, step;

	*count = 0;
	pthread_mutex_lock(&rec->lock);
	if (store_prepare(rec->db,
	        "SELECT inflight_kg FROM preact_samples WHERE line = ? ORDER BY rowid DESC"
	        " LIMIT ?",
	        &st, err, errlen) == -1)
		goto out;
	sqlite3_bind_int(st, 1, line);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while ((step = sqlite3_step(st)) == SQLITE_ROW && *count < max)
		out[(*count)++] = sqlite3_column_double(st, 0);
	if (step != SQLITE_DONE && step != SQLITE_ROW) {
		sql_fail(rec, NULL, "pre-act samples", err, errlen);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rec->lock);
	return rc;
}

int
records_emergency_ack(struct records *rec, int line, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	pthread_mutex_lock(&rec->lock);
	if (store_prepare(rec->db,
	        "INSERT INTO emergency_acks (line, violation, at_ms)"
	        " SELECT ?1, coalesce(max(rowid), 0), ?2 FROM violations"
	        " WHERE rule = 'R23' AND line = ?1",
	        &st, err, errlen) == -1)
		goto out;
	sqlite3_bind_int(st, 1, line);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)time_wall_ms());
	if (sqlite3_step(st) != SQLITE_DONE) {
		sql_fail(rec, NULL, "emergency acknowledgement", err, errlen);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rec->lock);
	return rc;
}

int
records_emergency_open(struct records *rec, int line, int64_t *at_ms, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, step;

	*at_ms = 0;
	pthread_mutex_lock(&rec->lock);
	if (store_prepare(rec->db,
	        "SELECT v.at_ms FROM violations AS v"
	        " WHERE v.rule = 'R23' AND v.line = ?1"
	        "  AND v.rowid > (SELECT coalesce(max(violation), 0) FROM emergency_acks"
	        "   WHERE line = ?1)"
	        " ORDER BY v.rowid DESC LIMIT 1",
	        &st, err, errlen) == -1)
		goto out;
	sqlite3_bind_int(st, 1, line);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*at_ms = sqlite3_column_int64(st, 0);
		rc = 1;
	} else if (step == SQLITE_DONE) {
		rc = 0;
	} else {
		sql_fail(rec, NULL, "open emergencies", err, errlen);
	}
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rec->lock);
	return rc;
}

int
records_incident(struct records *rec, const char *kind, const struct rules_verdict *verdict,
    const struct records_party *party, char event_out[37], char *err, size_t errlen)
{
	char event[37];
	int64_t now = time_wall_ms();
	int rc = -1, began = 0, code;

	store_uuid(event);
	if (event_out != NULL)
		memcpy(event_out, event, sizeof(event));
	pthread_mutex_lock(&rec->lock);
	if (store_begin(rec->db, err, errlen) == -1)
		goto out;
	began = 1;
	if (insert_violations(rec, event, NULL, verdict, party, now, &code, err, errlen) == -1)
		goto out;
	if (verdict->alert && insert_outbox(rec, event, kind, now, &code, err, errlen) == -1)
		goto out;
	if (store_commit(rec->db, err, errlen) == -1)
		goto out;
	began = 0;
	rc = 0;
out:
	if (began)
		store_rollback(rec->db);
	pthread_mutex_unlock(&rec->lock);
	if (rc == 0 && verdict->alert)
		notify_outbox(rec);
	return rc;
}

int
records_life_add(struct records *rec, const struct wire_life *events, size_t n, char (*uuids)[37],
    char *err, size_t errlen)
{
	char uuid[37];
	int rc = -1, began = 0, code;
	size_t i;

	pthread_mutex_lock(&rec->lock);
	if (store_begin(rec->db, err, errlen) == -1)
		goto out;
	began = 1;
	for (i = 0; i < n; i++) {
		store_uuid(uuid);
		if (liferows_insert(rec->db, uuid, &events[i], err, errlen) == -1 ||
		    insert_outbox(rec, uuid, "life", events[i].at_ms, &code, err, errlen) == -1)
			goto out;
		if (uuids != NULL)
			memcpy(uuids[i], uuid, sizeof(uuid));
	}
	if (store_commit(rec->db, err, errlen) == -1)
		goto out;
	began = 0;
	rc = 0;
out:
	if (began)
		store_rollback(rec->db);
	pthread_mutex_unlock(&rec->lock);
	if (rc == 0 && n > 0)
		notify_outbox(rec);
	return rc;
}

int
records_life_sent_out(struct records *rec, const char *serial, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc, out = 0;

	pthread_mutex_lock(&rec->lock);
	if (store_prepare(rec->db,
	        "SELECT event = 'inspection_out' FROM life_events WHERE serial = ?"
	        " AND event IN ('inspection_out', 'inspection_back')"
	        " ORDER BY at_ms DESC, rowid DESC LIMIT 1",
	        &st, err, errlen) == -1) {
		pthread_mutex_unlock(&rec->lock);
		return -1;
	}
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		out = sqlite3_column_int(st, 0);
	else if (rc != SQLITE_DONE)
		err_set(err, errlen, "life events: %s", sqlite3_errmsg(rec->db));
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rec->lock);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? out : -1;
}

int
records_life_out_with(struct records *rec, const char *serial, char *worker, size_t wlen, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc, out = 0;

	pthread_mutex_lock(&rec->lock);
	if (store_prepare(rec->db,
	        "SELECT l.worker FROM (SELECT event, worker, at_ms FROM life_events"
	        " WHERE serial = ?1 AND event IN ('dispatched', 'received')"
	        " ORDER BY at_ms DESC, rowid DESC LIMIT 1) l"
	        " WHERE l.event = 'dispatched' AND NOT EXISTS (SELECT 1 FROM fills"
	        " WHERE cylinder = ?1 AND started_ms > l.at_ms)",
	        &st, err, errlen) == -1) {
		pthread_mutex_unlock(&rec->lock);
		return -1;
	}
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out = 1;
		str_copy(worker, (const char *)sqlite3_column_text(st, 0), wlen);
	} else if (rc != SQLITE_DONE) {
		err_set(err, errlen, "life events: %s", sqlite3_errmsg(rec->db));
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rec->lock);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? out : -1;
}

int
records_life_stopped_db(sqlite3 *db, const char *serial, struct records_life_stop *out, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc, found = 0;

	memset(out, 0, sizeof(*out));
	/* coalesce: no registry row (or no delivery, or no pull) is no lift,
	 * where a bare NOT would turn the unknown into no event at all.  Only
	 * what a county pull wrote lifts (pulled_status, pulled_ms: a local
	 * import writes neither), or a reinstatement made after the event was
	 * recorded (by row, not by time: a clock not trusted may stamp a later
	 * scrap before an earlier one) */
	if (store_prepare(db,
	        "SELECT l.event = 'inspection_back', l.at_ms, l.rowid FROM life_events l"
	        " LEFT JOIN cylinders c ON c.serial = l.serial WHERE l.serial = ?1"
	        " AND (l.event = 'scrapped' OR (l.event = 'inspection_back' AND l.result = 'fail'))"
	        " AND NOT coalesce(l.delivered_ms IS NOT NULL AND c.status = 'active'"
	        " AND c.pulled_status = 'active' AND c.pulled_ms > l.delivered_ms, 0)"
	        " AND NOT EXISTS (SELECT 1 FROM reinstatements r WHERE r.serial = l.serial"
	        " AND r.lifts_id >= l.rowid)"
	        " ORDER BY l.rowid DESC LIMIT 1",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		found = 1;
		out->failed = sqlite3_column_int(st, 0);
		out->at_ms = sqlite3_column_int64(st, 1);
		out->id = sqlite3_column_int64(st, 2);
	} else if (rc != SQLITE_DONE) {
		err_set(err, errlen, "life events: %s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : -1;
}

int
records_life_stopped(struct records *rec, const char *serial, struct records_life_stop *out,
    char *err, size_t errlen)
{
	int rc;

	pthread_mutex_lock(&rec->lock);
	rc = records_life_stopped_db(rec->db, serial, out, err, errlen);
	pthread_mutex_unlock(&rec->lock);
	return rc;
}

int
records_recover(struct records *rec, int (*gross_of_line)(int line, void *arg, double *gross),
    void *arg, int *count, char *err, size_t errlen)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	struct rules_verdict verdict;
	struct records_party party;
	char uuid[37], cylinder[64], buyer[65], op[64];
	int64_t now = time_wall_ms();
	double tare, gross, net;
	int rc = -1, began = 0, line, step, have, code;

	*count = 0;
	pthread_mutex_lock(&rec->lock);
	if (store_begin(rec->db, err, errlen) == -1)
		goto out;
	began = 1;
	if (store_prepare(rec->db,
	        "SELECT uuid, line, cylinder, coalesce(buyer, ''), coalesce(operator, ''), tare_kg"
	        " FROM fills WHERE result = 'filling' ORDER BY started_ms",
	        &sel, err, errlen) == -1)
		goto out;
	if (store_prepare(rec->db,
	        "UPDATE fills SET ended_ms = ?, gross_kg = ?, net_kg = ?, result = 'interrupted'"
	        " WHERE uuid = ? AND result = 'filling'",
	        &upd, err, errlen) == -1)
		goto out;
	while ((step = sqlite3_step(sel)) == SQLITE_ROW) {
		store_column_copy(sel, 0, uuid, sizeof(uuid));
		line = sqlite3_column_int(sel, 1);
		store_column_copy(sel, 2, cylinder, sizeof(cylinder));
		store_column_copy(sel, 3, buyer, sizeof(buyer));
		store_column_copy(sel, 4, op, sizeof(op));
		tare = sqlite3_column_double(sel, 5);
		have = gross_of_line != NULL && gross_of_line(line, arg, &gross) == 0;
		net = have ? gross - tare : NAN;
		sqlite3_reset(upd);
		sqlite3_bind_int64(upd, 1, now);
		bind_real_or_null(upd, 2, have ? gross : NAN);
		bind_real_or_null(upd, 3, net);
		sqlite3_bind_text(upd, 4, uuid, -1, SQLITE_STATIC);
		if (sqlite3_step(upd) != SQLITE_DONE) {
			sql_fail(rec, NULL, "recover", err, errlen);
			goto out;
		}
		rules_recovered(have, net, &verdict);
		memset(&party, 0, sizeof(party));
		party.line = line;
		party.cylinder = cylinder;
		party.buyer = buyer;
		party.operator_cert = op;
		if (insert_violations(rec, uuid, uuid, &verdict, &party, now, &code, err, errlen) ==
		    -1)
			goto out;
		if (insert_outbox(rec, uuid, "fill", now, &code, err, errlen) == -1)
			goto out;
		(*count)++;
	}
	if (step != SQLITE_DONE) {
		sql_fail(rec, NULL, "recover scan", err, errlen);
		goto out;
	}
	sqlite3_finalize(sel);
	sel = NULL;
	if (store_commit(rec->db, err, errlen) == -1)
		goto out;
	began = 0;
	rc = 0;
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	if (began)
		store_rollback(rec->db);
	pthread_mutex_unlock(&rec->lock);
	if (rc == 0 && *count > 0)
		notify_outbox(rec);
	return rc;
}

int
records_fills_since(struct records *rec, int64_t since_ms, int limit,
    int (*fn)(const struct records_fill_row *row, void *arg), void *arg, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	struct records_fill_row row;
	int rc = -1, step;

	pthread_mutex_lock(&rec->read_lock);
	if (store_prepare(rec->read_db,
	        "SELECT f.uuid, f.line, f.cylinder, coalesce(f.buyer_masked, b.masked, ''),"
	        " coalesce(f.operator, ''), f.started_ms, coalesce(f.ended_ms, 0), f.target_kg,"
	        " f.net_kg, f.result,"
	        " coalesce((SELECT group_concat(rule, ',') FROM (SELECT rule FROM violations v"
	        "   WHERE v.event = f.uuid ORDER BY rule)), '')"
	        " FROM fills f LEFT JOIN buyers b ON b.id = f.buyer"
	        " WHERE f.started_ms >= ? ORDER BY f.started_ms LIMIT ?",
	        &st, err, errlen) == -1)
		goto out;
	sqlite3_bind_int64(st, 1, since_ms);
	sqlite3_bind_int(st, 2, limit);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		store_column_copy(st, 0, row.uuid, sizeof(row.uuid));
		row.line = sqlite3_column_int(st, 1);
		store_column_copy(st, 2, row.cylinder, sizeof(row.cylinder));
		store_column_copy(st, 3, row.buyer_masked, sizeof(row.buyer_masked));
		store_column_copy(st, 4, row.operator_cert, sizeof(row.operator_cert));
		row.started_ms = sqlite3_column_int64(st, 5);
		row.ended_ms = sqlite3_column_int64(st, 6);
		row.target_kg = sqlite3_column_double(st, 7);
		row.net_kg =
		    sqlite3_column_type(st, 8) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 8);
		store_column_copy(st, 9, row.result, sizeof(row.result));
		store_column_copy(st, 10, row.rules, sizeof(row.rules));
		if (fn(&row, arg) == -1)
			break;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		err_set(err, errlen, "fills list: %s", sqlite3_errmsg(rec->read_db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rec->read_lock);
	return rc;
}

enum records_match
records_fill_by_prefix(sqlite3 *db, const char *prefix, struct records_fill_curve *out,
    char others[RECORDS_PREFIX_OTHERS][37], size_t *nothers, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char upper[40];
	enum records_match rc = RECORDS_MATCH_ERROR;
	int rows = 0, step;

	memset(out, 0, sizeof(*out));
	*nothers = 0;
	/* A prefix range on the primary key: every uuid starting with the
	 * prefix sorts between it and the prefix followed by '~' (above the hex
	 * digits and '-'). */
	if (strlen(prefix) > 36 || strspn(prefix, "0123456789abcdef-") != strlen(prefix)) {
		err_set(err, errlen, "a fill uuid prefix is lower-case hexadecimal digits and '-'");
		return RECORDS_MATCH_ERROR;
	}
	snprintf(upper, sizeof(upper), "%s~", prefix);
	if (store_prepare(db,
	        "SELECT uuid, line, cylinder, started_ms, result, curve"
	        " FROM fills WHERE uuid >= ?1 AND uuid < ?2 ORDER BY uuid LIMIT ?3",
	        &st, err, errlen) == -1)
		return RECORDS_MATCH_ERROR;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, upper, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, RECORDS_PREFIX_OTHERS + 1);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (rows++ > 0) {
			store_column_copy(st, 0, others[(*nothers)++], 37);
			continue;
		}
		store_column_copy(st, 0, out->uuid, sizeof(out->uuid));
		out->line = sqlite3_column_int(st, 1);
		store_column_copy(st, 2, out->cylinder, sizeof(out->cylinder));
		out->started_ms = sqlite3_column_int64(st, 3);
		store_column_copy(st, 4, out->result, sizeof(out->result));
		if (sqlite3_column_type(st, 5) == SQLITE_BLOB && sqlite3_column_bytes(st, 5) > 0) {
			out->curve_len = (size_t)sqlite3_column_bytes(st, 5);
			if ((out->curve = malloc(out->curve_len)) == NULL) {
				err_set(err, errlen, "out of memory");
				goto out;
			}
			memcpy(out->curve, sqlite3_column_blob(st, 5), out->curve_len);
		}
	}
	if (step != SQLITE_DONE) {
		err_set(err, errlen, "fills: %s", sqlite3_errmsg(db));
		goto out;
	}
	rc = rows == 0 ? RECORDS_MATCH_NONE : rows == 1 ? RECORDS_MATCH_ONE : RECORDS_MATCH_MANY;
out:
	sqlite3_finalize(st);
	if (rc == RECORDS_MATCH_ERROR) {
		free(out->curve);
		out->curve = NULL;
		out->curve_len = 0;
	}
	return rc;
}

/* ---- the outbox, as the uplink thread reads and trims it ---------------------------- */

/* The fill r->uuid names, into r->fill (st: the fill query of records_outbox_read). */
static int
outbox_read_fill(sqlite3_stmt *st, struct wire_record *r, char *err, size_t errlen)
{
	struct wire_fill *f = &r->fill;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, r->uuid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r->has_fill = 1;
		recordrows_fill(st, 0, f);
		/* The curve goes with the record so the regulator can see it;
		 * one that does not fit the protocol's bound stays at the
		 * station (gasctl plot) rather than block the record. */
		if (sqlite3_column_type(st, 16) == SQLITE_BLOB) {
			int n = sqlite3_column_bytes(st, 16);

			if (n > 0 && (size_t)n <= WIRE_MAX_CURVE &&
			    (f->curve = malloc((size_t)n)) != NULL) {
				memcpy(f->curve, sqlite3_column_blob(st, 16), (size_t)n);
				f->curve_len = (size_t)n;
			}
		}
		/* the buyer's address as registered now, only while the buyer
		 * still lives in the township the fill names (a new one's
		 * officers visit, not the old one's); kept only if a violation
		 * routes the record there (outbox_keep_address) */
		store_column_copy(st, 17, f->buyer_address, sizeof(f->buyer_address));
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(err, errlen, "fill: %s", sqlite3_errstr(rc));
	if (rc == SQLITE_DONE)
		return err_set(err, errlen, "outbox seq %lld: fill %s is missing",
		    (long long)r->seq, r->uuid);
	return 0;
}

/*
 * The buyer's address goes to the county only with a record that has a
 * violation routed to the buyer's township (rules_table: R11), so that
 * township's officers can visit; every other record leaves it at the
 * station (docs/buyers.md, "The address").
 */
static void
outbox_keep_address(struct wire_record *r)
{
	size_t i, k;

	for (i = 0; i < r->violation_count; i++)
		for (k = 0; k < RULES_CASE_COUNT; k++)
			if (rules_table[k].route == RULES_ROUTE_BUYER &&
			    strcmp(rules_table[k].rule, r->violations[i].rule) == 0 &&
			    r->fill.buyer_township[0] != '\0' &&
			    strcmp(r->violations[i].township, r->fill.buyer_township) == 0)
				return;
	r->fill.buyer_address[0] = '\0';
}

int
records_outbox_read(sqlite3 *db, const char *station, const char *township, int limit,
    struct wire_batch *b, char *err, size_t errlen)
{
	sqlite3_stmt *ob = NULL, *fs = NULL, *vs = NULL, *ls = NULL;
	struct wire_record *r;
	int rc = -1, step;

	memset(b, 0, sizeof(*b));
	str_copy(b->station, station, sizeof(b->station));
	str_copy(b->township, township, sizeof(b->township));
	if ((b->records = calloc((size_t)limit, sizeof(*b->records))) == NULL)
		return err_set(err, errlen, "out of memory");
	/* one read transaction: a consistent snapshot, no writer blocked */
	if (store_exec(db, "BEGIN", err, errlen) == -1)
		goto out;
	if (store_prepare(db,
	        "SELECT seq, uuid, kind, created_ms FROM outbox WHERE aside_ms IS NULL"
	        " ORDER BY seq LIMIT ?",
	        &ob, err, errlen) == -1 ||
	    store_prepare(db,
	        "SELECT f.line, f.cylinder, coalesce(f.buyer, ''), coalesce(f.buyer_masked, ''),"
	        " coalesce(f.buyer_township, ''), coalesce(f.buyer_kind, ''),"
	        " coalesce(f.operator, ''),"
	        " f.started_ms, coalesce(f.ended_ms, 0), f.tare_kg, f.target_kg,"
	        " coalesce(f.preact_kg, 0), coalesce(f.cutoff_kg, 0), coalesce(f.gross_kg, 0),"
	        " coalesce(f.net_kg, 0), f.result, f.curve,"
	        " CASE WHEN b.township = f.buyer_township THEN b.address ELSE '' END"
	        " FROM fills f LEFT JOIN buyers b ON b.id = f.buyer WHERE f.uuid = ?",
	        &fs, err, errlen) == -1 ||
	    store_prepare(db,
	        "SELECT v.uuid, v.rule, v.severity, v.township, v.details, coalesce(v.cylinder, "
	        "''),"
	        " coalesce(v.buyer, ''), coalesce(v.buyer_masked, ''), coalesce(v.line, 0),"
	        " v.at_ms FROM violations v WHERE v.event = ?"
	        " ORDER BY v.at_ms, v.uuid",
	        &vs, err, errlen) == -1 ||
	    store_prepare(db, LIFEROWS_SELECT, &ls, err, errlen) == -1)
		goto rollback;
	sqlite3_bind_int(ob, 1, limit);
	while ((step = sqlite3_step(ob)) == SQLITE_ROW) {
		r = &b->records[b->count++];
		str_copy(r->station, station, sizeof(r->station));
		r->seq = sqlite3_column_int64(ob, 0);
		store_column_copy(ob, 1, r->uuid, sizeof(r->uuid));
		store_column_copy(ob, 2, r->kind, sizeof(r->kind));
		r->created_ms = sqlite3_column_int64(ob, 3);
		if (strcmp(r->kind, "fill") == 0 && outbox_read_fill(fs, r, err, errlen) == -1)
			goto rollback;
		if (strcmp(r->kind, "life") == 0 && liferows_read(ls, r, err, errlen) == -1)
			goto rollback;
		if (recordrows_violations(vs, r, err, errlen) == -1)
			goto rollback;
		if (r->has_fill)
			outbox_keep_address(r);
	}
	if (step != SQLITE_DONE) {
		err_set(err, errlen, "outbox: %s", sqlite3_errmsg(db));
		goto rollback;
	}
	rc = 0;
rollback:
	sqlite3_finalize(ob);
	sqlite3_finalize(fs);
	sqlite3_finalize(vs);
	sqlite3_finalize(ls);
	store_exec(db, "COMMIT", NULL, 0);
out:
	if (rc == -1)
		wire_batch_free(b);
	return rc;
}

int64_t
records_outbox_count(sqlite3 *db, int64_t *oldest_ms)
{
	int64_t count =
	    store_query_int(db, "SELECT count(*) FROM outbox WHERE aside_ms IS NULL", 0);

	if (oldest_ms != NULL)
		*oldest_ms = store_query_int(db,
		    "SELECT coalesce(min(created_ms), 0) FROM outbox WHERE aside_ms IS NULL", 0);
	return count;
}

/* Run the statements sql[0..] (up to three, NULL-terminated) binding the
 * int64 values v[0..n-1] to ?1, once per value, in one transaction (?2 the
 * text, ?3 now); *changed (may be NULL) adds up the rows the last statement
 * changed.  0, or -1 with err and nothing changed. */
static int
outbox_each(sqlite3 *db, const char *const *sql, const int64_t *v, size_t n, const char *text,
    int64_t now, int64_t *changed, char *err, size_t errlen)
{
	sqlite3_stmt *st[3] = { NULL, NULL, NULL };
	size_t i, k, m = 0;
	int rc = -1;

	if (changed != NULL)
		*changed = 0;
	if (store_begin(db, err, errlen) == -1)
		return -1;
	for (m = 0; m < 3 && sql[m] != NULL; m++)
		if (store_prepare(db, sql[m], &st[m], err, errlen) == -1)
			goto out;
	for (i = 0; i < n; i++) {
		for (k = 0; k < m; k++) {
			sqlite3_reset(st[k]);
			sqlite3_bind_int64(st[k], 1, v[i]);
			if (text != NULL)
				sqlite3_bind_text(st[k], 2, text, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st[k], 3, now);
			if (sqlite3_step(st[k]) != SQLITE_DONE) {
				err_set(err, errlen, "%s", sqlite3_errmsg(db));
				goto out;
			}
		}
		if (changed != NULL)
			*changed += sqlite3_changes(db);
	}
	if (store_commit(db, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	for (k = 0; k < 3; k++)
		sqlite3_finalize(st[k]);
	if (rc == -1)
		store_rollback(db);
	return rc;
}

/*
 * A life event the county took, noted as its outbox row goes (?1 as the
 * delete's, ?3 now), for records_life_stopped: the county answers its mark
 * only after its commit, so a registry row written later than this was
 * served by a county that had the event.  The later of now and the
 * cylinder's registry row as the county's last pull wrote it, so that a row written before never
 * counts as after, even across a wall clock stepped back.
 */
#define LIFE_DELIVERED(which)                                                                      \
	"UPDATE life_events SET delivered_ms = max(?3, coalesce((SELECT pulled_ms FROM"            \
	" cylinders WHERE serial = life_events.serial), 0)) WHERE uuid IN (SELECT uuid FROM"       \
	" outbox WHERE kind = 'life' AND aside_ms IS NULL AND " which ")"

/*
 * The rows the county took (which: the condition on seq), as an ACK moves
 * them: life events noted delivered, rows kept in outbox_acked with when
 * (?3), then gone from the outbox.  Set-aside rows stay.
 */
#define OUTBOX_ACKED(which)                                                                        \
	{                                                                                          \
		LIFE_DELIVERED(which),                                                             \
		    "INSERT OR REPLACE INTO outbox_acked (seq, uuid, kind, created_ms, acked_ms)"  \
		    " SELECT seq, uuid, kind, created_ms, ?3 FROM outbox WHERE aside_ms IS NULL"   \
		    " AND " which " ORDER BY seq",                                                 \
		    "DELETE FROM outbox WHERE aside_ms IS NULL AND " which, NULL                   \
	}

int
records_outbox_trim(sqlite3 *db, int64_t mark, char *err, size_t errlen)
{
	static const char *const sql[] = OUTBOX_ACKED("seq <= ?1");

	return outbox_each(db, sql, &mark, 1, NULL, time_wall_ms(), NULL, err, errlen);
}

int
records_outbox_delivered(sqlite3 *db, const int64_t *seqs, size_t n, char *err, size_t errlen)
{
	static const char *const sql[] = OUTBOX_ACKED("seq = ?1");

	return outbox_each(db, sql, seqs, n, NULL, time_wall_ms(), NULL, err, errlen);
}

/*
 * What the station had acknowledged above mark.  Its seqs have no gaps
 * (handed out by the outbox's AUTOINCREMENT, never reused, and a row
 * leaves the outbox only into outbox_acked): every seq above mark up to
 * the last one handed out is still in the outbox (waiting, put back or
 * set aside: not acknowledged), kept in outbox_acked, or acknowledged and
 * forgotten since (past acked_keep_days, or from before the station kept
 * them).  So the county should hold `acked` of them: the last seq handed
 * out, less mark, less the outbox's rows above mark.  0, or -1.
 */
static int
acked_tally(sqlite3 *db, int64_t mark, struct records_above *out)
{
	static const char *const sql =
	    "SELECT count(*), coalesce(min(seq), 0), coalesce(max(seq), 0),"
	    " EXISTS (SELECT 1 FROM outbox_acked WHERE seq = ?1 + 1),"
	    " coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0) - ?1"
	    " - (SELECT count(*) FROM outbox WHERE seq > ?1)"
	    " FROM outbox_acked WHERE seq > ?1";
	sqlite3_stmt *st = NULL;
	int step;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, mark);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		out->kept = sqlite3_column_int64(st, 0);
		out->kept_first = sqlite3_column_int64(st, 1);
		out->kept_last = sqlite3_column_int64(st, 2);
		out->next_kept = sqlite3_column_int(st, 3) != 0;
		out->acked = sqlite3_column_int64(st, 4);
		if (out->acked < out->kept)
			out->acked = out->kept; /* never fewer than those kept */
		out->gone = out->acked - out->kept;
	}
	sqlite3_finalize(st);
	return step == SQLITE_ROW ? 0 : -1;
}

/* The first and last of the seqs acknowledged above mark and forgotten
 * since: above mark, at most the last handed out, in neither table. */
static int
gone_range(sqlite3 *db, int64_t mark, struct records_above *out)
{
	static const char *const sql =
	    "WITH last(n) AS (SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name ="
	    " 'outbox'), 0)), cand(s) AS (SELECT ?1 + 1 UNION SELECT seq + 1 FROM outbox WHERE"
	    " seq > ?1 UNION SELECT seq + 1 FROM outbox_acked WHERE seq > ?1 UNION SELECT n FROM"
	    " last UNION SELECT seq - 1 FROM outbox WHERE seq > ?1 UNION SELECT seq - 1 FROM"
	    " outbox_acked WHERE seq > ?1) SELECT coalesce(min(s), 0), coalesce(max(s), 0) FROM"
	    " cand WHERE s > ?1 AND s <= (SELECT n FROM last) AND NOT EXISTS (SELECT 1 FROM"
	    " outbox WHERE seq = s) AND NOT EXISTS (SELECT 1 FROM outbox_acked WHERE seq = s)";
	sqlite3_stmt *st = NULL;
	int step;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, mark);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		out->gone_first = sqlite3_column_int64(st, 0);
		out->gone_last = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return step == SQLITE_ROW ? 0 : -1;
}

int
records_outbox_above(sqlite3 *db, int64_t mark, int range, struct records_above *out)
{
	memset(out, 0, sizeof(*out));
	if (mark < 0 || mark == INT64_MAX)
		return 0;
	if (acked_tally(db, mark, out) == -1 ||
	    (range && out->gone > 0 && gone_range(db, mark, out) == -1)) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}

/*
 * What outbox_acked holds above mark: *count rows, seqs *first..*last, and
 * whether the county lacks one of them: it had acknowledged seq mark + 1,
 * or (held_above >= 0: the county said how many of this station's records
 * it holds above its mark) it holds fewer than the station had
 * acknowledged there, those forgotten since included (acked_tally: before
 * review rev101 the count was compared with the rows kept only, and
 * records the county holds that the station no longer keeps hid a loss as
 * large).  0, or -1.
 */
static int
acked_above(sqlite3 *db, int64_t mark, int64_t held_above, struct records_reack *out, int *lacks)
{
	struct records_above t;

	memset(out, 0, sizeof(*out));
	*lacks = 0;
	if (acked_tally(db, mark, &t) == -1)
		return -1;
	out->count = t.kept;
	out->first = t.kept_first;
	out->last = t.kept_last;
	*lacks = t.kept > 0 && (t.next_kept || (held_above >= 0 && t.acked > held_above));
	return 0;
}

int
records_outbox_county_lacks(sqlite3 *db, int64_t mark, int64_t held_above)
{
	struct records_reack seen;
	int lacks;

	if (mark < 0 || mark == INT64_MAX)
		return 0;
	if (acked_above(db, mark, held_above, &seen, &lacks) == -1)
		return -1;
	return lacks;
}

int
records_outbox_reack(sqlite3 *db, int64_t mark, int64_t held_above, struct records_reack *out,
    char *err, size_t errlen)
{
	static const char *const sql[] = {
		/* the county lost them: a stop stands again until it has them;
		 * a row the outbox holds already (at that seq) waits there */
		"UPDATE life_events SET delivered_ms = NULL WHERE uuid IN (SELECT uuid FROM"
		" outbox_acked WHERE kind = 'life' AND seq > ?1)",
		"INSERT OR IGNORE INTO outbox (seq, uuid, kind, created_ms) SELECT seq, uuid, kind,"
		" created_ms FROM outbox_acked WHERE seq > ?1 ORDER BY seq",
		"DELETE FROM outbox_acked WHERE seq > ?1",
	};
	sqlite3_stmt *st = NULL;
	size_t k;
	int rc = -1, step, lacks;

	memset(out, 0, sizeof(*out));
	if (mark < 0 || mark == INT64_MAX)
		return 0;
	/* looked at and moved in one write transaction */
	if (store_begin(db, err, errlen) == -1)
		return -1;
	if (acked_above(db, mark, held_above, out, &lacks) == -1) {
		err_set(err, errlen, "outbox_acked: %s", sqlite3_errmsg(db));
		goto out;
	}
	for (k = 0; lacks && k < sizeof(sql) / sizeof(sql[0]); k++) {
		if (store_prepare(db, sql[k], &st, err, errlen) == -1)
			goto out;
		sqlite3_bind_int64(st, 1, mark);
		step = sqlite3_step(st);
		sqlite3_finalize(st);
		st = NULL;
		if (step != SQLITE_DONE) {
			err_set(err, errlen, "outbox_acked: %s", sqlite3_errmsg(db));
			goto out;
		}
	}
	if (store_commit(db, err, errlen) == -1)
		goto out;
	if (!lacks)
		memset(out, 0, sizeof(*out));
	rc = lacks ? 1 : 0;
out:
	if (rc == -1) {
		store_rollback(db);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

int
records_outbox_renumber(sqlite3 *db, int64_t mark, struct records_renumber *out, char *err,
    size_t errlen)
{
	static const char *const last_sql =
	    "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)";
	sqlite3_stmt *st = NULL;
	int64_t now_last;
	size_t n = 0;
	int rc = -1, step;

	memset(out, 0, sizeof(*out));
	if (mark <= 0 || mark >= INT64_MAX / 2)
		return 0;
	/* most marks are not above: looked at without a write transaction */
	if (store_prepare(db, last_sql, &st, err, errlen) == -1)
		return -1;
	step = sqlite3_step(st);
	out->was_last = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	st = NULL;
	if (step != SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		return err_set(err, errlen, "outbox sequence: %s", sqlite3_errmsg(db));
	}
	if (mark <= out->was_last)
		return 0;
	/* renumbered in one write transaction; a record the fill line wrote
	 * since the look above (its seq from the old numbering too) moves
	 * with the others */
	if (store_begin(db, err, errlen) == -1)
		return -1;
	if (store_prepare(db, last_sql, &st, err, errlen) == -1)
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW) {
		err_set(err, errlen, "outbox sequence: %s", sqlite3_errmsg(db));
		goto out;
	}
	now_last = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	if (store_outbox_renumber(db, mark, &n, err, errlen) == -1)
		goto out;
	out->count = (int64_t)n;
	out->first = n > 0 ? mark + 1 : 0;
	out->last = n > 0 ? mark + (int64_t)n : 0;
	/* the sequence goes on after them (never below a seq it gave) */
	if (store_prepare(db,
	        "INSERT OR REPLACE INTO sqlite_sequence (rowid, name, seq) VALUES ((SELECT rowid"
	        " FROM sqlite_sequence WHERE name = 'outbox'), 'outbox', ?1)",
	        &st, err, errlen) == -1)
		goto out;
	sqlite3_bind_int64(st, 1, mark + (int64_t)n > now_last ? mark + (int64_t)n : now_last);
	if (sqlite3_step(st) != SQLITE_DONE) {
		err_set(err, errlen, "outbox sequence: %s", sqlite3_errmsg(db));
		goto out;
	}
	if (store_commit(db, err, errlen) == -1)
		goto out;
	rc = 1;
out:
	sqlite3_finalize(st);
	if (rc == -1) {
		store_rollback(db);
		memset(out, 0, sizeof(*out));
	}
	return rc;
}

int64_t
records_outbox_forget(sqlite3 *db, int64_t before_ms, int limit, char *err, size_t errlen)
{
	/* ?3, outbox_each's "now", is the limit here */
	static const char *const sql[] = {
		"DELETE FROM outbox_acked WHERE seq IN (SELECT seq FROM outbox_acked"
		" WHERE acked_ms < ?1 ORDER BY acked_ms, seq LIMIT ?3)",
		NULL
	};
	int64_t changed = 0;

	if (outbox_each(db, sql, &before_ms, 1, NULL, limit, &changed, err, errlen) == -1)
		return -1;
	return changed;
}

int64_t
records_outbox_last_seq(sqlite3 *db)
{
	return store_query_int(db,
	    "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0)", 0);
}

/* 1 if the query sql (a row for ?1) finds seq, 0 if not, -1 when the
 * database cannot say: the outbox's and outbox_acked's "holds". */
static int
seq_found(sqlite3 *db, const char *sql, int64_t seq)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (store_prepare(db, sql, &st, NULL, 0) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
records_outbox_acked_holds(sqlite3 *db, int64_t seq)
{
	return seq_found(db, "SELECT 1 FROM outbox_acked WHERE seq = ?1", seq);
}

int64_t
records_outbox_waiting(sqlite3 *db, int64_t first, int64_t last)
{
	sqlite3_stmt *st = NULL;
	int64_t n = -1;

	if (sqlite3_prepare_v2(db,
	        "SELECT count(*) FROM outbox WHERE seq BETWEEN ?1 AND ?2 AND aside_ms IS NULL", -1,
	        &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, first);
	sqlite3_bind_int64(st, 2, last);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int
records_outbox_set_aside(sqlite3 *db, int64_t seq, const char *reason, int64_t now_ms, char *err,
    size_t errlen)
{
	int64_t changed = 0;

	static const char *const sql[] = {
		"UPDATE outbox SET aside_ms = ?3, aside_reason = ?2 WHERE seq = ?1"
		" AND aside_ms IS NULL",
		NULL
	};

	if (outbox_each(db, sql, &seq, 1, reason, now_ms, &changed, err, errlen) == -1)
		return -1;
	return changed > 0 ? 1 : 0;
}

int64_t
records_outbox_aside_count(sqlite3 *db)
{
	return store_query_int(db, "SELECT count(*) FROM outbox WHERE aside_ms IS NOT NULL", 0);
}

int
records_outbox_holds(sqlite3 *db, int64_t seq)
{
	return seq_found(db, "SELECT 1 FROM outbox WHERE seq = ?1", seq);
}

int
records_aside_list(struct records *rec, int (*fn)(const struct records_aside *row, void *arg),
    void *arg, char *err, size_t errlen)
{
	struct records_aside row;
	sqlite3_stmt *st = NULL;
	int rc = -1, step;

	pthread_mutex_lock(&rec->read_lock);
	if (store_prepare(rec->read_db,
	        "SELECT o.seq, o.uuid, o.kind, o.created_ms, o.aside_ms,"
	        " coalesce(o.aside_reason, ''), coalesce(f.line, 0), coalesce(f.cylinder, ''),"
	        " coalesce(f.buyer_township, '') FROM outbox o LEFT JOIN fills f ON f.uuid ="
	        " o.uuid WHERE o.aside_ms IS NOT NULL"
	        " ORDER BY o.seq",
	        &st, err, errlen) == -1)
		goto out;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		row.seq = sqlite3_column_int64(st, 0);
		store_column_copy(st, 1, row.uuid, sizeof(row.uuid));
		store_column_copy(st, 2, row.kind, sizeof(row.kind));
		row.created_ms = sqlite3_column_int64(st, 3);
		row.aside_ms = sqlite3_column_int64(st, 4);
		store_column_copy(st, 5, row.reason, sizeof(row.reason));
		row.line = sqlite3_column_int(st, 6);
		store_column_copy(st, 7, row.cylinder, sizeof(row.cylinder));
		store_column_copy(st, 8, row.buyer_township, sizeof(row.buyer_township));
		if (fn(&row, arg) == -1)
			break;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		err_set(err, errlen, "outbox: %s", sqlite3_errmsg(rec->read_db));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rec->read_lock);
	return rc;
}

int64_t
records_aside_total(struct records *rec)
{
	int64_t n;

	pthread_mutex_lock(&rec->read_lock);
	n = records_outbox_aside_count(rec->read_db);
	pthread_mutex_unlock(&rec->read_lock);
	return n;
}

int
records_aside_retry(struct records *rec, int64_t seq, int64_t *count, char *err, size_t errlen)
{
	static const char *const one[] = {
		"UPDATE outbox SET aside_ms = NULL, aside_reason = NULL WHERE seq = ?1"
		" AND aside_ms IS NOT NULL",
		NULL
	};
	static const char *const all[] = {
		"UPDATE outbox SET aside_ms = NULL, aside_reason = NULL WHERE ?1 = 0"
		" AND aside_ms IS NOT NULL",
		NULL
	};
	int rc;

	pthread_mutex_lock(&rec->lock);
	rc = outbox_each(rec->db, seq > 0 ? one : all, &seq, 1, NULL, 0, count, err, errlen);
	pthread_mutex_unlock(&rec->lock);
	if (rc == 0 && *count > 0)
		notify_outbox(rec);
	return rc;
}
