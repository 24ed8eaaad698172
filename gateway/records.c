/*
 * records: SQL of the fill line (see records.h for the durability
 * contract).  Every public function locks rec->lock for its whole body and
 * leaves the database unchanged when it fails.
 */
#include "records.h"
#include "registry.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "store.h"
#include "i18n.h"
#include "util.h"

int
records_open(struct records *rec, const char *path, const char *station, const char *township,
    char *err, size_t errlen)
{
	memset(rec, 0, sizeof(*rec));
	if (store_open(path, schema_station, 0, &rec->db, err, errlen) == -1)
		return -1;
	if (store_open(path, schema_station, STORE_READONLY | STORE_NO_CHECK, &rec->read_db, err,
	        errlen) == -1) {
		store_close(rec->db);
		rec->db = NULL;
		return -1;
	}
	pthread_mutex_init(&rec->lock, NULL);
	pthread_mutex_init(&rec->read_lock, NULL);
	str_copy(rec->station, station, sizeof(rec->station));
	str_copy(rec->township, township, sizeof(rec->township));
	return 0;
}

void
records_close(struct records *rec)
{
	if (rec->db == NULL)
		return;
	store_close(rec->db);
	store_close(rec->read_db);
	rec->db = NULL;
	rec->read_db = NULL;
	pthread_mutex_destroy(&rec->lock);
	pthread_mutex_destroy(&rec->read_lock);
}

static void
notify_outbox(struct records *rec)
{
	if (rec->outbox_added != NULL)
		rec->outbox_added(rec->outbox_arg);
}

static int
sql_fail(struct records *rec, const char *what, char *err, size_t errlen)
{
	return err_set(err, errlen, "%s: %s", what, sqlite3_errmsg(rec->db));
}

/* The look-ups are registry.h's (one reader of the registry tables for the
 * whole project), under this connection's lock, with dates turned into day
 * numbers for the rules. */
static int32_t
day_of(const char *text)
{
	int32_t d;

	return text[0] != '\0' && date_parse(text, &d) == 0 ? d : 0;
}

int
records_cylinder_get(struct records *rec, const char *serial, struct records_cylinder *out,
    int *found, char *err, size_t errlen)
{
	struct registry_cylinder reg;
	int rc;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&rec->lock);
	rc = registry_cylinder_find(rec->db, serial, &reg, err, errlen);
	pthread_mutex_unlock(&rec->lock);
	if (rc == -1)
		return -1;
	*found = rc;
	if (rc == 1) {
		str_copy(out->serial, reg.serial, sizeof(out->serial));
		str_copy(out->model, reg.model, sizeof(out->model));
		out->manufactured = day_of(reg.manufactured);
		out->tare_kg = reg.tare_kg;
		out->fill_kg = reg.fill_kg;
		str_copy(out->owner, reg.owner, sizeof(out->owner));
		out->last_inspection = day_of(reg.last_inspection);
		out->next_inspection = day_of(reg.next_inspection);
		str_copy(out->status, reg.status, sizeof(out->status));
	}
	return 0;
}

int
records_operator_get(struct records *rec, const char *cert, struct records_operator *out,
    int *found, char *err, size_t errlen)
{
	struct registry_operator reg;
	int rc;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&rec->lock);
	rc = registry_operator_find(rec->db, cert, &reg, err, errlen);
	pthread_mutex_unlock(&rec->lock);
	if (rc == -1)
		return -1;
	*found = rc;
	if (rc == 1) {
		str_copy(out->cert, reg.cert, sizeof(out->cert));
		str_copy(out->name, reg.name, sizeof(out->name));
		out->expires = day_of(reg.expires);
		out->active = reg.active;
	}
	return 0;
}

int
records_buyer_get(struct records *rec, const char *id, struct records_buyer *out, int *found,
    char *err, size_t errlen)
{
	struct registry_buyer reg;
	int rc;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&rec->lock);
	rc = registry_buyer_find(rec->db, id, &reg, err, errlen);
	pthread_mutex_unlock(&rec->lock);
	if (rc == -1)
		return -1;
	*found = rc;
	if (rc == 1) {
		str_copy(out->id, reg.id, sizeof(out->id));
		str_copy(out->masked, reg.masked, sizeof(out->masked));
		str_copy(out->kind, reg.kind, sizeof(out->kind));
		str_copy(out->township, reg.township, sizeof(out->township));
	}
	return 0;
}

int
records_buyer_ensure(struct records *rec, const struct records_buyer *buyer, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	pthread_mutex_lock(&rec->lock);
	if (store_prepare(rec->db,
	        "INSERT OR IGNORE INTO buyers (id, masked, kind, township, created_ms)"
	        " VALUES (?, ?, ?, ?, ?)",
	        &st, err, errlen) == -1)
		goto out;
	sqlite3_bind_text(st, 1, buyer->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, buyer->masked, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, buyer->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, buyer->township, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, time_wall_ms());
	if (sqlite3_step(st) != SQLITE_DONE) {
		sql_fail(rec, "buyer insert", err, errlen);
		goto out;
	}
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
	sqlite3_stmt *st = NULL;
	int rc = -1;

	*out = 0;
	pthread_mutex_lock(&rec->lock);
	if (store_prepare(rec->db,
	        "SELECT max(started_ms) FROM fills WHERE cylinder = ?"
	        " AND result IN ('ok', 'flagged', 'held')",
	        &st, err, errlen) == -1)
		goto out;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sql_fail(rec, "last fill", err, errlen);
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
records_buyer_fills_since(struct records *rec, const char *buyer, int64_t since_ms, int *out,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	*out = 0;
	pthread_mutex_lock(&rec->lock);
	if (store_prepare(rec->db,
	        "SELECT count(*) FROM fills WHERE buyer = ? AND started_ms >= ?"
	        " AND result IN ('ok', 'flagged', 'held')",
	        &st, err, errlen) == -1)
		goto out;
	sqlite3_bind_text(st, 1, buyer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since_ms);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sql_fail(rec, "buyer fills", err, errlen);
		goto out;
	}
	*out = sqlite3_column_int(st, 0);
	rc = 0;
out:
	sqlite3_finalize(st);
	pthread_mutex_unlock(&rec->lock);
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

int
records_fill_start(struct records *rec, const struct records_fill *f, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, began = 0;

	pthread_mutex_lock(&rec->lock);
	if (store_begin(rec->db, err, errlen) == -1)
		goto out;
	began = 1;
	if (store_prepare(rec->db,
	        "INSERT INTO fills (uuid, station, line, cylinder, buyer, operator, started_ms,"
	        " tare_kg, target_kg, preact_kg, result) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	        " 'filling')",
	        &st, err, errlen) == -1)
		goto out;
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
		sql_fail(rec, "fill start", err, errlen);
		goto out;
	}
	if (store_commit(rec->db, err, errlen) == -1)
		goto out;
	began = 0;
	rc = 0;
out:
	sqlite3_finalize(st);
	if (began)
		store_rollback(rec->db);
	pthread_mutex_unlock(&rec->lock);
	return rc;
}

/* Insert the violations of verdict under event; caller holds the lock and
 * a transaction. */
static int
insert_violations(struct records *rec, const char *event, const char *fill,
    const struct rules_verdict *v, const struct records_party *party, int64_t at_ms, char *err,
    size_t errlen)
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
	        " cylinder, buyer, operator, details, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
	        " ?, ?, ?)",
	        &st, err, errlen) == -1)
		return -1;
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
			sql_fail(rec, "violation insert", err, errlen);
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static int
insert_outbox(struct records *rec, const char *uuid, const char *kind, int64_t at_ms, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (store_prepare(rec->db, "INSERT INTO outbox (uuid, kind, created_ms) VALUES (?, ?, ?)",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, at_ms);
	if (sqlite3_step(st) != SQLITE_DONE)
		sql_fail(rec, "outbox insert", err, errlen);
	else
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

int
records_fill_finish(struct records *rec, const struct records_fill *f,
    const struct rules_verdict *verdict, const struct records_party *party, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1, began = 0;

	pthread_mutex_lock(&rec->lock);
	if (store_begin(rec->db, err, errlen) == -1)
		goto out;
	began = 1;
	if (store_prepare(rec->db,
	        "UPDATE fills SET ended_ms = ?, preact_kg = ?, cutoff_kg = ?, gross_kg = ?,"
	        " net_kg = ?, result = ?, curve = ? WHERE uuid = ? AND result = 'filling'",
	        &st, err, errlen) == -1)
		goto out;
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
		sql_fail(rec, "fill finish", err, errlen);
		goto out;
	}
	if (sqlite3_changes(rec->db) != 1) {
		/* Already finished (or recovered after a crash): recording it
		 * again would duplicate it. */
		err_set(err, errlen, "fill %s is not open", f->uuid);
		goto out;
	}
	if (insert_violations(rec, f->uuid, f->uuid, verdict, party, f->ended_ms, err, errlen) ==
	    -1)
		goto out;
	if (insert_outbox(rec, f->uuid, "fill", f->ended_ms, err, errlen) == -1)
		goto out;
	if (store_commit(rec->db, err, errlen) == -1)
		goto out;
	began = 0;
	rc = 0;
out:
	sqlite3_finalize(st);
	if (began)
		store_rollback(rec->db);
	pthread_mutex_unlock(&rec->lock);
	if (rc == 0)
		notify_outbox(rec);
	return rc;
}

int
records_incident(struct records *rec, const char *kind, const struct rules_verdict *verdict,
    const struct records_party *party, char event_out[37], char *err, size_t errlen)
{
	char event[37];
	int64_t now = time_wall_ms();
	int rc = -1, began = 0;

	store_uuid(event);
	if (event_out != NULL)
		memcpy(event_out, event, sizeof(event));
	pthread_mutex_lock(&rec->lock);
	if (store_begin(rec->db, err, errlen) == -1)
		goto out;
	began = 1;
	if (insert_violations(rec, event, NULL, verdict, party, now, err, errlen) == -1)
		goto out;
	if (verdict->alert && insert_outbox(rec, event, kind, now, err, errlen) == -1)
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
records_recover(struct records *rec, int (*gross_of_line)(int line, void *arg, double *gross),
    void *arg, int *count, char *err, size_t errlen)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	struct rules_verdict verdict;
	struct records_party party;
	char uuid[37], cylinder[64], buyer[65], op[64];
	int64_t now = time_wall_ms();
	double tare, gross, net;
	int rc = -1, began = 0, line, step, have;

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
			sql_fail(rec, "recover", err, errlen);
			goto out;
		}
		rules_recovered(have, net, &verdict);
		memset(&party, 0, sizeof(party));
		party.line = line;
		party.cylinder = cylinder;
		party.buyer = buyer;
		party.operator_cert = op;
		if (insert_violations(rec, uuid, uuid, &verdict, &party, now, err, errlen) == -1)
			goto out;
		if (insert_outbox(rec, uuid, "fill", now, err, errlen) == -1)
			goto out;
		(*count)++;
	}
	if (step != SQLITE_DONE) {
		sql_fail(rec, "recover scan", err, errlen);
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
	        "SELECT f.uuid, f.line, f.cylinder, coalesce(b.masked, ''),"
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
