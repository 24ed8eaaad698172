/*
 * gascounty db: everything the county server stores and reads.
 *
 * Idempotency is the point of this file.  libcoap does not de-duplicate a
 * retransmitted request (docs/design.md §7), and a station resends whatever it has
 * not seen acknowledged, so every write here is keyed: records by
 * (station, seq) and uuid, violations by uuid, alerts by their source.
 * Running the same batch twice leaves the database exactly as once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "db.h"
#include "history.h"
#include "registry.h"
#include "log.h"
#include "recordrows.h"
#include "store.h"
#include "timetext.h"
#include "util.h"

#define TEXT(stmt, i) ((const char *)sqlite3_column_text((stmt), (i)))

static int
db_error(struct county_db *c, char *err, size_t errlen, const char *what)
{
	return err_set(err, errlen, "%s: %s", what, sqlite3_errmsg(c->db));
}

/* ---- the audit log ---------------------------------------------------------- */

struct audit_row {
	const char *identity, *query, *key;
	int64_t from_ms, to_ms, results;
	const char *after; /* a trace page's cursor ("" or NULL: the first page) */
};

/*
 * The one path into the audit table: who read what, when, and how much
 * they saw.  Called before the answer is given; a read whose audit row
 * cannot be written fails with it (no audit row, no answer).
 */
static int
audit_write(struct county_db *c, const struct audit_row *a, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (a->identity == NULL || a->identity[0] == '\0')
		return err_set(err, errlen, "audit: no identity to record the %s read under",
		    a->query);
	if (store_prepare(c->db,
	        "INSERT INTO audit (at_ms, identity, query, key, from_ms, to_ms, results, after)"
	        " VALUES (?,?,?,?,?,?,?,?)",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, time_wall_ms());
	sqlite3_bind_text(st, 2, a->identity, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->query, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, a->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, a->from_ms);
	sqlite3_bind_int64(st, 6, a->to_ms);
	sqlite3_bind_int64(st, 7, a->results);
	sqlite3_bind_text(st, 8, a->after != NULL ? a->after : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(c, err, errlen, "audit");
}

/* ---- alerts --------------------------------------------------------------- */

struct alert_in {
	const char *source, *rule, *severity, *township, *station, *cylinder, *masked, *text;
	int64_t at_ms;
};

/* Insert an alert unless one with the same source exists; 1 if new. */
static int
raise_alert(struct county_db *c, const struct alert_in *a, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (store_prepare(c->db,
	        "INSERT OR IGNORE INTO alerts (source, rule, severity, township, station, cylinder,"
	        " buyer_masked, text, at_ms, created_ms) VALUES (?,?,?,?,?,?,?,?,?,?)",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, a->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, a->severity, -1, SQLITE_STATIC);
	/* an alert must reach someone: an unknown township goes to "county" */
	sqlite3_bind_text(st, 4, a->township[0] != '\0' ? a->township : "county", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a->station ? a->station : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, a->cylinder ? a->cylinder : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, a->masked ? a->masked : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, a->text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, a->at_ms);
	sqlite3_bind_int64(st, 10, time_wall_ms());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(c, err, errlen, "alert");
	return sqlite3_changes(c->db) > 0 ? 1 : 0;
}

static int
county_violation(struct county_db *c, const char *uuid, const char *event, const char *station,
    const char *rule, const char *township, const char *details, const char *cylinder,
    const char *buyer, const char *masked, int64_t at_ms, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (store_prepare(c->db,
	        "INSERT OR IGNORE INTO violations (uuid, event, station, rule, severity, township,"
	        " details, cylinder, buyer, buyer_masked, at_ms) VALUES "
	        "(?,?,?,?,'alert',?,?,?,?,?,?)",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, event, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, township, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, details, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, cylinder, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, buyer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, masked, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, at_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(c, err, errlen, "county violation");
}

/* ---- county rules on a new fill ------------------------------------------- */

/* C01: the same cylinder filled at another station within c01_minutes. */
static int
rule_c01(struct county_db *c, sqlite3_stmt *st, const char *station, const char *township,
    const char *uuid, const struct wire_fill *f, char *err, size_t errlen)
{
	int64_t window = (int64_t)c->config->c01_minutes * 60000, other_ms;
	char other[WIRE_ID], text[WIRE_TEXT], source[64], a[TIMETEXT_MAX], b[TIMETEXT_MAX];
	struct alert_in al;
	int rc, raised = 0;

	if (window <= 0)
		return 0;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, f->cylinder, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, station, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, f->started_ms - window);
	sqlite3_bind_int64(st, 4, f->started_ms + window);
	sqlite3_bind_int64(st, 5, f->started_ms);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		store_column_copy(st, 0, other, sizeof(other));
		other_ms = sqlite3_column_int64(st, 1);
		sqlite3_reset(st);
		timetext_format(other_ms, TIMETEXT_PERSON, a);
		timetext_format(f->started_ms, TIMETEXT_PERSON, b);
		snprintf(text, sizeof(text),
		    "cylinder %s filled at %s (%s) and at %s (%s): cloned code?", f->cylinder,
		    other, a, station, b);
		snprintf(source, sizeof(source), "C01:%s", uuid);
		if (county_violation(c, source, uuid, station, "C01", township, text, f->cylinder,
		        f->buyer, f->buyer_masked, f->started_ms, err, errlen) == -1)
			return -1;
		al = (struct alert_in){ source, "C01", "alert", township, station, f->cylinder,
			f->buyer_masked, text, f->started_ms };
		return raise_alert(c, &al, err, errlen);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_error(c, err, errlen, "C01");
	return raised;
}

/*
 * C02: one buyer took more cylinders than allowed, across stations.  Both
 * queries stop early (LIMIT), so a buyer with thousands of fills costs no
 * more than one with a few.
 */
static int
rule_c02(struct county_db *c, sqlite3_stmt **st, const char *station, const char *township,
    const char *uuid, const struct wire_fill *f, char *err, size_t errlen)
{
	int64_t window = (int64_t)c->config->c02_days * 86400000, count;
	int max = strcmp(f->buyer_kind, "business") == 0 ? c->config->c02_business_max
	                                                 : c->config->c02_household_max;
	char text[WIRE_TEXT], source[64];
	struct alert_in al;
	int rc;

	if (f->buyer[0] == '\0' || max <= 0)
		return 0;
	sqlite3_reset(st[0]);
	sqlite3_bind_text(st[0], 1, f->buyer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st[0], 2, f->started_ms - window);
	sqlite3_bind_int64(st[0], 3, f->started_ms);
	sqlite3_bind_int(st[0], 4, max + 1);
	rc = sqlite3_step(st[0]);
	count = rc == SQLITE_ROW ? sqlite3_column_int64(st[0], 0) : 0;
	sqlite3_reset(st[0]);
	if (rc != SQLITE_ROW)
		return db_error(c, err, errlen, "C02");
	if (count <= max)
		return 0;
	/* one station alone is that station's R11; C02 is the pattern only the
	 * county sees: the same buyer at another station in the window */
	sqlite3_reset(st[1]);
	sqlite3_bind_text(st[1], 1, f->buyer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st[1], 2, f->started_ms - window);
	sqlite3_bind_int64(st[1], 3, f->started_ms);
	sqlite3_bind_text(st[1], 4, station, -1, SQLITE_STATIC);
	rc = sqlite3_step(st[1]);
	sqlite3_reset(st[1]);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return db_error(c, err, errlen, "C02");
	snprintf(text, sizeof(text),
	    "buyer %s took more than %d cylinders in %d days, at %s and other stations",
	    f->buyer_masked[0] != '\0' ? f->buyer_masked : "(no masked form)", max,
	    c->config->c02_days, station);
	snprintf(source, sizeof(source), "C02:%s", uuid);
	/* routed to the buyer's township (the station's when unknown) */
	if (county_violation(c, source, uuid, station, "C02",
	        f->buyer_township[0] != '\0' ? f->buyer_township : township, text, f->cylinder,
	        f->buyer, f->buyer_masked, f->started_ms, err, errlen) == -1)
		return -1;
	al = (struct alert_in){ source, "C02", "alert",
		f->buyer_township[0] != '\0' ? f->buyer_township : township, station, f->cylinder,
		f->buyer_masked, text, f->started_ms };
	return raise_alert(c, &al, err, errlen);
}

/* ---- ingest ------------------------------------------------------------------ */

enum {
	ST_RECORD,
	ST_FILL,
	ST_CURVE,
	ST_VIOLATION,
	ST_SAME,
	ST_C01,
	ST_C02,
	ST_C02_OTHER,
	ST_COUNT,
};

static const char *const ingest_sql[ST_COUNT] = {
	[ST_RECORD] = "INSERT OR IGNORE INTO records (station, seq, uuid, kind, created_ms,"
	              " received_ms) VALUES (?,?,?,?,?,?)",
	[ST_FILL] = "INSERT OR IGNORE INTO fills (uuid, station, seq, line, cylinder, buyer,"
	            " buyer_masked, buyer_township, buyer_kind, operator, started_ms, ended_ms,"
	            " tare_kg, target_kg, preact_kg, cutoff_kg, gross_kg, net_kg, result)"
	            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_CURVE] = "INSERT OR IGNORE INTO fill_curves (uuid, curve) VALUES (?, ?)",
	[ST_VIOLATION] = "INSERT OR IGNORE INTO violations (uuid, event, station, rule, severity,"
	                 " township, details, cylinder, buyer, buyer_masked, line, at_ms)"
	                 " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_SAME] = "SELECT uuid FROM records WHERE station = ? AND seq = ?",
	[ST_C01] = "SELECT station, started_ms FROM fills WHERE cylinder = ? AND station <> ?"
	           " AND started_ms BETWEEN ? AND ? ORDER BY abs(started_ms - ?) LIMIT 1",
	[ST_C02] = "SELECT count(*) FROM (SELECT 1 FROM fills WHERE buyer = ?"
	           " AND started_ms BETWEEN ? AND ? LIMIT ?)",
	/* two index ranges around this station (fills_buyer_station), so the
	 * buyer's many fills here are never scanned */
	[ST_C02_OTHER] = "SELECT 1 FROM fills WHERE buyer = ?1 AND station < ?4"
	                 " AND started_ms BETWEEN ?2 AND ?3 UNION ALL"
	                 " SELECT 1 FROM fills WHERE buyer = ?1 AND station > ?4"
	                 " AND started_ms BETWEEN ?2 AND ?3 LIMIT 1",
};

static int
store_record(struct county_db *c, sqlite3_stmt **st, const char *station, const char *township,
    const struct wire_record *r, int64_t now, int *is_new, int *alerts, char *err, size_t errlen)
{
	const struct wire_fill *f = &r->fill;
	const struct wire_violation *v;
	struct alert_in al;
	size_t i;
	int rc;

	*is_new = 0;
	sqlite3_reset(st[ST_RECORD]);
	sqlite3_bind_text(st[ST_RECORD], 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st[ST_RECORD], 2, r->seq);
	sqlite3_bind_text(st[ST_RECORD], 3, r->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st[ST_RECORD], 4, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st[ST_RECORD], 5, r->created_ms);
	sqlite3_bind_int64(st[ST_RECORD], 6, now);
	if (sqlite3_step(st[ST_RECORD]) != SQLITE_DONE)
		return db_error(c, err, errlen, "record");
	if (sqlite3_changes(c->db) == 0) {
		/* already held: a retransmission, or a station that reuses a seq */
		sqlite3_reset(st[ST_SAME]);
		sqlite3_bind_text(st[ST_SAME], 1, station, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st[ST_SAME], 2, r->seq);
		if (sqlite3_step(st[ST_SAME]) == SQLITE_ROW &&
		    strcmp(TEXT(st[ST_SAME], 0), r->uuid) != 0)
			log_warnx("station %s seq %lld: held with uuid %s, now sent with %s; kept "
			          "the first",
			    station, (long long)r->seq, TEXT(st[ST_SAME], 0), r->uuid);
		sqlite3_reset(st[ST_SAME]);
		return 0;
	}
	*is_new = 1;
	if (r->has_fill) {
		sqlite3_stmt *s = st[ST_FILL];

		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, r->uuid, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, station, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, r->seq);
		sqlite3_bind_int(s, 4, f->line);
		sqlite3_bind_text(s, 5, f->cylinder, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, f->buyer, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, f->buyer_masked, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, f->buyer_township, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 9, f->buyer_kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 10, f->operator_cert, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 11, f->started_ms);
		sqlite3_bind_int64(s, 12, f->ended_ms);
		sqlite3_bind_double(s, 13, f->tare_kg);
		sqlite3_bind_double(s, 14, f->target_kg);
		sqlite3_bind_double(s, 15, f->preact_kg);
		sqlite3_bind_double(s, 16, f->cutoff_kg);
		sqlite3_bind_double(s, 17, f->gross_kg);
		sqlite3_bind_double(s, 18, f->net_kg);
		sqlite3_bind_text(s, 19, f->result, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			return db_error(c, err, errlen, "fill");
		if (f->curve != NULL && f->curve_len > 0) {
			s = st[ST_CURVE];
			sqlite3_reset(s);
			sqlite3_bind_text(s, 1, r->uuid, -1, SQLITE_STATIC);
			sqlite3_bind_blob(s, 2, f->curve, (int)f->curve_len, SQLITE_STATIC);
			if (sqlite3_step(s) != SQLITE_DONE)
				return db_error(c, err, errlen, "fill curve");
		}
	}
	for (i = 0; i < r->violation_count; i++) {
		sqlite3_stmt *s = st[ST_VIOLATION];

		v = &r->violations[i];
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, v->uuid, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, r->uuid, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, station, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, v->rule, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, v->severity, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, v->township[0] != '\0' ? v->township : township, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(s, 7, v->details, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 8, v->cylinder, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 9, v->buyer, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 10, v->buyer_masked, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 11, v->line);
		sqlite3_bind_int64(s, 12, v->at_ms);
		if (sqlite3_step(s) != SQLITE_DONE)
			return db_error(c, err, errlen, "violation");
		if (strcmp(v->severity, "alert") != 0 && strcmp(v->severity, "critical") != 0)
			continue;
		/* the station names the township in each violation: its own for
		 * station violations, the buyer's for buyer violations (R11) */
		al = (struct alert_in){ v->uuid, v->rule, v->severity,
			v->township[0] != '\0' ? v->township : township, station, v->cylinder,
			v->buyer_masked, v->details[0] != '\0' ? v->details : v->rule, v->at_ms };
		if ((rc = raise_alert(c, &al, err, errlen)) == -1)
			return -1;
		*alerts += rc;
	}
	if (r->has_fill) {
		if ((rc = rule_c01(c, st[ST_C01], station, township, r->uuid, f, err, errlen)) ==
		    -1)
			return -1;
		*alerts += rc;
		if ((rc = rule_c02(c, &st[ST_C02], station, township, r->uuid, f, err, errlen)) ==
		    -1)
			return -1;
		*alerts += rc;
	}
	return 0;
}

/* Move the station's high-water mark over every contiguous seq now held. */
static int
advance_hwm(struct county_db *c, const char *station, int64_t now, int64_t *hwm_out, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t hwm, max_seq, seq;
	int rc;

	if (store_prepare(c->db, "SELECT hwm, max_seq FROM stations WHERE id = ?", &st, err,
	        errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		return db_error(c, err, errlen, "station");
	}
	hwm = sqlite3_column_int64(st, 0);
	max_seq = sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);

	if (store_prepare(c->db,
	        "SELECT seq FROM records WHERE station = ? AND seq > ? ORDER BY seq", &st, err,
	        errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, hwm);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		if (seq > max_seq)
			max_seq = seq;
		if (seq == hwm + 1)
			hwm = seq;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(c, err, errlen, "hwm");

	if (store_prepare(c->db,
	        "UPDATE stations SET hwm = ?1, max_seq = ?2, last_seen_ms = ?3, silent_alerted = 0,"
	        " gap_since_ms = CASE WHEN ?2 > ?1 THEN coalesce(gap_since_ms, ?3) END,"
	        " gap_alerted = CASE WHEN ?2 > ?1 THEN gap_alerted ELSE 0 END WHERE id = ?4",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, hwm);
	sqlite3_bind_int64(st, 2, max_seq);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_text(st, 4, station, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(c, err, errlen, "station update");
	if (max_seq > hwm)
		log_info("station %s: records %lld..%lld not held yet (gap)", station,
		    (long long)hwm + 1, (long long)max_seq);
	*hwm_out = hwm;
	return 0;
}

static int
ensure_station(struct county_db *c, const char *station, const char *township, int64_t now,
    char *township_out, size_t township_size, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (store_prepare(c->db,
	        "INSERT INTO stations (id, township, created_ms) VALUES (?1, ?2, ?3)"
	        " ON CONFLICT (id) DO UPDATE SET township = ?2 WHERE township = '' AND ?2 <> ''",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, township, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(c, err, errlen, "station");
	if (store_prepare(c->db, "SELECT township FROM stations WHERE id = ?", &st, err, errlen) ==
	    -1)
		return -1;
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	township_out[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW)
		store_column_copy(st, 0, township_out, township_size);
	sqlite3_finalize(st);
	return 0;
}

int
county_ingest(struct county_db *c, const char *station, const struct wire_batch *batch,
    struct wire_ack *ack, int *new_alerts, char *err, size_t errlen)
{
	sqlite3_stmt *st[ST_COUNT] = { 0 };
	char township[WIRE_TOWNSHIP];
	int64_t now = time_wall_ms();
	int is_new, alerts = 0, i;
	size_t r;

	memset(ack, 0, sizeof(*ack));
	*new_alerts = 0;
	if (store_begin(c->db, err, errlen) == -1)
		return -1;
	if (ensure_station(c, station, batch->township, now, township, sizeof(township), err,
	        errlen) == -1)
		goto fail;
	for (i = 0; i < ST_COUNT; i++)
		if (store_prepare(c->db, ingest_sql[i], &st[i], err, errlen) == -1)
			goto fail;
	for (r = 0; r < batch->count; r++) {
		if (store_record(c, st, station, township, &batch->records[r], now, &is_new,
		        &alerts, err, errlen) == -1)
			goto fail;
		if (is_new)
			ack->stored++;
		else
			ack->duplicates++;
	}
	for (i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(st[i]);
		st[i] = NULL;
	}
	if (advance_hwm(c, station, now, &ack->hwm, err, errlen) == -1)
		goto fail;
	/* the answer is given only after this commit (docs/design.md, V5) */
	if (store_commit(c->db, err, errlen) == -1)
		goto fail;
	*new_alerts = alerts;
	return 0;
fail:
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(st[i]);
	store_rollback(c->db);
	memset(ack, 0, sizeof(*ack));
	return -1;
}

int
county_hwm(struct county_db *c, const char *station, int64_t *hwm, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*hwm = 0;
	if (store_prepare(c->db, "SELECT hwm FROM stations WHERE id = ?", &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*hwm = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(c, err, errlen, "hwm");
	return rc == SQLITE_ROW ? 1 : 0;
}

int
county_heartbeat(struct county_db *c, const char *station, const struct wire_heartbeat *h,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char township[WIRE_TOWNSHIP];
	int64_t now = time_wall_ms();
	int rc;

	if (store_begin(c->db, err, errlen) == -1)
		return -1;
	if (ensure_station(c, station, h->township, now, township, sizeof(township), err, errlen) ==
	    -1)
		goto fail;
	if (store_prepare(c->db,
	        "INSERT INTO heartbeats (station, at_ms, received_ms, backlog, oldest_ms, last_ack,"
	        " registry_version, status) VALUES (?,?,?,?,?,?,?,?)",
	        &st, err, errlen) == -1)
		goto fail;
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, h->at_ms);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, h->backlog);
	sqlite3_bind_int64(st, 5, h->oldest_ms);
	sqlite3_bind_int64(st, 6, h->last_ack);
	sqlite3_bind_int64(st, 7, h->registry_version);
	sqlite3_bind_text(st, 8, h->status, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_error(c, err, errlen, "heartbeat");
		goto fail;
	}
	if (store_prepare(c->db,
	        "UPDATE stations SET last_seen_ms = ?, silent_alerted = 0, backlog = ?, status = ?,"
	        " registry_version = ? WHERE id = ?",
	        &st, err, errlen) == -1)
		goto fail;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, h->backlog);
	sqlite3_bind_text(st, 3, h->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, h->registry_version);
	sqlite3_bind_text(st, 5, station, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_error(c, err, errlen, "station");
		goto fail;
	}
	return store_commit(c->db, err, errlen) == -1 ? (store_rollback(c->db), -1) : 0;
fail:
	store_rollback(c->db);
	return -1;
}

int
county_sweep(struct county_db *c, int64_t now, int *new_alerts, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char station[WIRE_ID], township[WIRE_TOWNSHIP], text[WIRE_TEXT], source[128],
	    when[TIMETEXT_MAX];
	int64_t seen, hwm, max_seq, since;
	struct alert_in al;
	int rc, raised = 0;

	*new_alerts = 0;
	if (store_begin(c->db, err, errlen) == -1)
		return -1;
	/* C03: a station silent beyond its heartbeat */
	if (store_prepare(c->db,
	        "SELECT id, township, last_seen_ms FROM stations WHERE silent_alerted = 0"
	        " AND last_seen_ms > 0 AND last_seen_ms < ?",
	        &st, err, errlen) == -1)
		goto fail;
	sqlite3_bind_int64(st, 1, now - (int64_t)c->config->c03_silent_s * 1000);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_column_copy(st, 0, station, sizeof(station));
		store_column_copy(st, 1, township, sizeof(township));
		seen = sqlite3_column_int64(st, 2);
		timetext_format(seen, TIMETEXT_PERSON, when);
		snprintf(text, sizeof(text), "station %s silent since %s", station, when);
		snprintf(source, sizeof(source), "C03:%s:%lld", station, (long long)seen);
		al = (struct alert_in){ source, "C03", "alert", township, station, "", "", text,
			now };
		if ((rc = raise_alert(c, &al, err, errlen)) == -1) {
			sqlite3_finalize(st);
			goto fail;
		}
		raised += rc;
	}
	sqlite3_finalize(st);
	if (store_exec(c->db,
	        "UPDATE stations SET silent_alerted = 1 WHERE silent_alerted = 0"
	        " AND last_seen_ms > 0 AND EXISTS (SELECT 1 FROM alerts WHERE source ="
	        " 'C03:' || stations.id || ':' || stations.last_seen_ms)",
	        err, errlen) == -1)
		goto fail;

	/* C04: a gap in a station's sequence not filled in time */
	if (store_prepare(c->db,
	        "SELECT id, township, hwm, max_seq, gap_since_ms FROM stations WHERE gap_alerted = "
	        "0"
	        " AND gap_since_ms IS NOT NULL AND gap_since_ms < ?",
	        &st, err, errlen) == -1)
		goto fail;
	sqlite3_bind_int64(st, 1, now - (int64_t)c->config->c04_gap_s * 1000);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_column_copy(st, 0, station, sizeof(station));
		store_column_copy(st, 1, township, sizeof(township));
		hwm = sqlite3_column_int64(st, 2);
		max_seq = sqlite3_column_int64(st, 3);
		since = sqlite3_column_int64(st, 4);
		timetext_format(since, TIMETEXT_PERSON, when);
		snprintf(text, sizeof(text),
		    "station %s: record %lld missing since %s (held up to %lld)", station,
		    (long long)hwm + 1, when, (long long)max_seq);
		snprintf(source, sizeof(source), "C04:%s:%lld", station, (long long)hwm);
		al = (struct alert_in){ source, "C04", "alert", township, station, "", "", text,
			now };
		if ((rc = raise_alert(c, &al, err, errlen)) == -1) {
			sqlite3_finalize(st);
			goto fail;
		}
		raised += rc;
	}
	sqlite3_finalize(st);
	if (store_prepare(c->db,
	        "UPDATE stations SET gap_alerted = 1 WHERE gap_alerted = 0"
	        " AND gap_since_ms IS NOT NULL AND gap_since_ms < ?",
	        &st, err, errlen) == -1)
		goto fail;
	sqlite3_bind_int64(st, 1, now - (int64_t)c->config->c04_gap_s * 1000);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_error(c, err, errlen, "C04");
		goto fail;
	}
	if (store_commit(c->db, err, errlen) == -1)
		goto fail;
	*new_alerts = raised;
	return 0;
fail:
	store_rollback(c->db);
	return -1;
}

/* ---- reads ------------------------------------------------------------------- */

int
county_alerts(struct county_db *c, const char *township, int64_t since, size_t max,
    struct wire_alert_list *out, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	struct wire_alert *a;
	int rc;

	memset(out, 0, sizeof(*out));
	if (max == 0 || max > WIRE_MAX_ALERTS)
		max = WIRE_MAX_ALERTS;
	if ((out->alerts = calloc(max, sizeof(*out->alerts))) == NULL)
		return err_set(err, errlen, "out of memory");
	if (store_prepare(c->db,
	        "SELECT a.id, a.rule, a.severity, a.township, a.station, a.cylinder, "
	        "a.buyer_masked,"
	        " a.text, a.at_ms, d.note, d.identity, d.at_ms FROM alerts a"
	        " LEFT JOIN dispositions d ON d.id ="
	        "  (SELECT max(id) FROM dispositions WHERE alert = a.id)"
	        " WHERE a.township = ? AND a.id > ? ORDER BY a.id LIMIT ?",
	        &st, err, errlen) == -1)
		goto fail;
	sqlite3_bind_text(st, 1, township, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, (int64_t)max);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		a = &out->alerts[out->count++];
		a->id = sqlite3_column_int64(st, 0);
		store_column_copy(st, 1, a->rule, sizeof(a->rule));
		store_column_copy(st, 2, a->severity, sizeof(a->severity));
		store_column_copy(st, 3, a->township, sizeof(a->township));
		store_column_copy(st, 4, a->station, sizeof(a->station));
		store_column_copy(st, 5, a->cylinder, sizeof(a->cylinder));
		store_column_copy(st, 6, a->buyer_masked, sizeof(a->buyer_masked));
		store_column_copy(st, 7, a->text, sizeof(a->text));
		a->at_ms = sqlite3_column_int64(st, 8);
		store_column_copy(st, 9, a->disposition, sizeof(a->disposition));
		store_column_copy(st, 10, a->disposed_by, sizeof(a->disposed_by));
		a->disposed_ms = sqlite3_column_int64(st, 11);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_error(c, err, errlen, "alerts");
		goto fail;
	}
	out->last = store_query_int(c->db, "SELECT 0", 0);
	if (store_prepare(c->db, "SELECT coalesce(max(id), 0) FROM alerts WHERE township = ?", &st,
	        err, errlen) == -1)
		goto fail;
	sqlite3_bind_text(st, 1, township, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		out->last = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
fail:
	wire_alerts_free(out);
	return -1;
}

enum county_result
county_dispose(struct county_db *c, const struct access_scope *scope, const char *identity,
    const struct wire_disposition *d, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char owner[WIRE_TOWNSHIP];
	enum county_result result = COUNTY_ERROR;
	int rc;

	if (store_begin(c->db, err, errlen) == -1)
		return -1;
	if (store_prepare(c->db, "SELECT township FROM alerts WHERE id = ?", &st, err, errlen) ==
	    -1)
		goto out;
	sqlite3_bind_int64(st, 1, d->id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_column_copy(st, 0, owner, sizeof(owner));
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		result = COUNTY_NOT_FOUND;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		db_error(c, err, errlen, "alert");
		goto out;
	}
	if (!access_scope_covers(scope, NULL, owner)) {
		result = COUNTY_OUT_OF_SCOPE;
		goto out;
	}
	if (store_prepare(c->db,
	        "INSERT INTO dispositions (alert, note, identity, at_ms) VALUES (?,?,?,?)", &st,
	        err, errlen) == -1)
		goto out;
	sqlite3_bind_int64(st, 1, d->id);
	sqlite3_bind_text(st, 2, d->note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, identity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, time_wall_ms());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_error(c, err, errlen, "disposition");
		goto out;
	}
	if (store_commit(c->db, err, errlen) == -1)
		goto out;
	return COUNTY_DONE;
out:
	store_rollback(c->db);
	return result;
}

/* ---- traces ---------------------------------------------------------------------- */

/*
 * One trace query: the fills and the other records (refusals, events) that
 * match, merged in the order every trace has (time, station, seq) and cut
 * after the cursor.  Each half is ordered and cut on its own first, so that
 * an index walks only the rows a page needs; the union is ordered again.
 * Parameters: ?1 key, ?2 from, ?3 to, ?4 ?5 ?6 the cursor (time, station,
 * seq), ?7 how many rows.
 */
static const char trace_fills[] =
    "SELECT * FROM (SELECT r.uuid, r.station, r.seq, r.kind, f.started_ms AS t, r.created_ms,"
    " f.line, f.cylinder, f.buyer, f.buyer_masked, f.buyer_township, f.buyer_kind, f.operator,"
    " f.started_ms, f.ended_ms, f.tare_kg, f.target_kg, f.preact_kg, f.cutoff_kg, f.gross_kg,"
    " f.net_kg, f.result FROM fills f JOIN records r ON r.uuid = f.uuid WHERE %s"
    " AND f.started_ms >= max(?2, ?4) AND f.started_ms <= ?3"
    " AND (f.started_ms, f.station, f.seq) > (?4, ?5, ?6) ORDER BY 5, 2, 3 LIMIT ?7)";
static const char trace_others[] =
    "SELECT * FROM (SELECT r.uuid, r.station, r.seq, r.kind, r.created_ms AS t, r.created_ms,"
    " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
    " NULL FROM records r WHERE r.kind <> 'fill' AND %s"
    " AND r.created_ms >= max(?2, ?4) AND r.created_ms <= ?3"
    " AND (r.created_ms, r.station, r.seq) > (?4, ?5, ?6) ORDER BY 5, 2, 3 LIMIT ?7)";

static const struct {
	const char *query;
	const char *fills_where;  /* over fills f */
	const char *others_where; /* over records r */
} trace_kinds[] = {
	{ "cylinder", "f.cylinder = ?1",
	    "r.uuid IN (SELECT event FROM violations WHERE cylinder = ?1)" },
	{ "buyer", "f.buyer = ?1", "r.uuid IN (SELECT event FROM violations WHERE buyer = ?1)" },
	{ "station", "f.station = ?1", "r.station = ?1" },
};

static void
trace_row(sqlite3_stmt *st, struct wire_record *r)
{
	store_column_copy(st, 0, r->uuid, sizeof(r->uuid));
	store_column_copy(st, 1, r->station, sizeof(r->station));
	r->seq = sqlite3_column_int64(st, 2);
	store_column_copy(st, 3, r->kind, sizeof(r->kind));
	r->created_ms = sqlite3_column_int64(st, 5);
	if (sqlite3_column_type(st, 13) == SQLITE_NULL)
		return; /* not a fill */
	r->has_fill = 1;
	recordrows_fill(st, 6, &r->fill);
}

int
county_trace(struct county_db *c, const char *identity, const char *query, const char *key,
    int64_t from_ms, int64_t to_ms, const struct wire_cursor *after, struct wire_trace *out,
    char *err, size_t errlen)
{
	char fills_sql[1024], others_sql[1024], sql[sizeof(fills_sql) + sizeof(others_sql) + 64];
	sqlite3_stmt *st = NULL, *vst = NULL;
	struct audit_row audit;
	size_t max = (size_t)c->config->max_trace, i, kind;
	int rc;

	memset(out, 0, sizeof(*out));
	str_copy(out->query, query, sizeof(out->query));
	str_copy(out->key, key, sizeof(out->key));
	out->from_ms = from_ms;
	out->to_ms = to_ms;
	if (after != NULL)
		wire_cursor_format(after, out->after);
	if (max == 0 || max > WIRE_MAX_RECORDS)
		max = WIRE_MAX_RECORDS;
	for (kind = 0; kind < sizeof(trace_kinds) / sizeof(trace_kinds[0]); kind++)
		if (strcmp(trace_kinds[kind].query, query) == 0)
			break;
	if (kind == sizeof(trace_kinds) / sizeof(trace_kinds[0]))
		return err_set(err, errlen, "unknown trace '%s'", query);
	/* one row more than an answer holds: it says whether there is more */
	if ((out->records = calloc(max + 1, sizeof(*out->records))) == NULL)
		return err_set(err, errlen, "out of memory");
	snprintf(fills_sql, sizeof(fills_sql), trace_fills, trace_kinds[kind].fills_where);
	snprintf(others_sql, sizeof(others_sql), trace_others, trace_kinds[kind].others_where);
	snprintf(sql, sizeof(sql), "%s UNION ALL %s ORDER BY 5, 2, 3 LIMIT ?7", fills_sql,
	    others_sql);
	if (store_prepare(c->db, sql, &st, err, errlen) == -1)
		goto fail;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from_ms);
	sqlite3_bind_int64(st, 3, to_ms);
	sqlite3_bind_int64(st, 4, after != NULL ? after->at_ms : INT64_MIN);
	sqlite3_bind_text(st, 5, after != NULL ? after->station : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, after != NULL ? after->seq : 0);
	sqlite3_bind_int64(st, 7, (int64_t)max + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && out->count <= max)
		trace_row(st, &out->records[out->count++]);
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_error(c, err, errlen, "trace");
		goto fail;
	}
	if (out->count > max) {
		/* the extra row is not sent: it only proves there is more */
		out->count = max;
		memset(&out->records[max], 0, sizeof(out->records[max]));
		out->more = 1;
		{
			struct wire_cursor next;

			wire_cursor_of(&out->records[max - 1], &next);
			wire_cursor_format(&next, out->next);
		}
	}
	if (store_prepare(c->db,
	        "SELECT uuid, rule, severity, township, details, cylinder, buyer, buyer_masked,"
	        " line, at_ms FROM violations WHERE event = ? ORDER BY at_ms, uuid",
	        &vst, err, errlen) == -1)
		goto fail;
	for (i = 0; i < out->count; i++)
		if (recordrows_violations(vst, &out->records[i], err, errlen) == -1)
			goto fail;
	sqlite3_finalize(vst);
	vst = NULL;

	/* the audit row: who asked what, when, from where on, and how much they saw */
	audit = (struct audit_row){ identity, query, key, from_ms, to_ms, (int64_t)out->count,
		out->after };
	if (audit_write(c, &audit, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	sqlite3_finalize(st);
	sqlite3_finalize(vst);
	wire_trace_free(out);
	return -1;
}

int
county_stations(struct county_db *c, const char *audit_as, struct wire_station_list *out, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	struct audit_row audit;
	struct wire_station *s;
	size_t cap;
	int rc;

	memset(out, 0, sizeof(*out));
	cap = (size_t)store_query_int(c->db, "SELECT count(*) FROM stations", 0);
	if (cap > WIRE_MAX_ROWS)
		cap = WIRE_MAX_ROWS;
	if (cap == 0)
		goto audit; /* nothing to list, but the look was taken */
	if ((out->stations = calloc(cap, sizeof(*out->stations))) == NULL)
		return err_set(err, errlen, "out of memory");
	if (store_prepare(c->db,
	        "SELECT id, township, hwm, max_seq, coalesce(gap_since_ms, 0), last_seen_ms, "
	        "backlog,"
	        " status FROM stations ORDER BY id LIMIT ?",
	        &st, err, errlen) == -1)
		goto fail;
	sqlite3_bind_int64(st, 1, (int64_t)cap);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		s = &out->stations[out->count++];
		store_column_copy(st, 0, s->id, sizeof(s->id));
		store_column_copy(st, 1, s->township, sizeof(s->township));
		s->hwm = sqlite3_column_int64(st, 2);
		s->max_seq = sqlite3_column_int64(st, 3);
		s->gap_since_ms = sqlite3_column_int64(st, 4);
		s->last_seen_ms = sqlite3_column_int64(st, 5);
		s->backlog = sqlite3_column_int64(st, 6);
		store_column_copy(st, 7, s->status, sizeof(s->status));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_error(c, err, errlen, "stations");
		goto fail;
	}
audit:
	/* every station's marks are every tenant's data: who looked, and when */
	audit = (struct audit_row){ audit_as, "stations", "", 0, 0, (int64_t)out->count, NULL };
	if (audit_as != NULL && audit_write(c, &audit, err, errlen) == -1)
		goto fail;
	return 0;
fail:
	wire_stations_free(out);
	return -1;
}

/* ---- registry --------------------------------------------------------------------- */

int
county_registry_since(struct county_db *c, int64_t since, size_t max, struct wire_registry *out,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	struct wire_registry_row *row;
	int rc;

	memset(out, 0, sizeof(*out));
	if (max == 0 || max > WIRE_MAX_ROWS)
		max = WIRE_MAX_ROWS;
	if ((out->rows = calloc(max, sizeof(*out->rows))) == NULL)
		return err_set(err, errlen, "out of memory");
	if (store_prepare(c->db,
	        "SELECT serial, status, last_inspection, next_inspection, owner, version"
	        " FROM registry WHERE version > ? ORDER BY version LIMIT ?",
	        &st, err, errlen) == -1)
		goto fail;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, (int64_t)max + 1);
	out->version = since;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (out->count == max) {
			out->more = 1;
			break;
		}
		row = &out->rows[out->count++];
		store_column_copy(st, 0, row->serial, sizeof(row->serial));
		store_column_copy(st, 1, row->status, sizeof(row->status));
		store_column_copy(st, 2, row->last_inspection, sizeof(row->last_inspection));
		store_column_copy(st, 3, row->next_inspection, sizeof(row->next_inspection));
		store_column_copy(st, 4, row->owner, sizeof(row->owner));
		row->version = sqlite3_column_int64(st, 5);
		out->version = row->version;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_error(c, err, errlen, "registry");
		goto fail;
	}
	return 0;
fail:
	wire_registry_free(out);
	return -1;
}

int
county_registry_set(struct county_db *c, const char *serial, const char *status,
    const char *last_inspection, const char *next_inspection, const char *owner, const char *actor,
    char *err, size_t errlen)
{
	const struct history_by by = { "set", actor, NULL };
	sqlite3_stmt *st = NULL;
	int rc;

	if (store_begin(c->db, err, errlen) == -1)
		return -1;
	if (store_prepare(c->db,
	        "INSERT INTO registry (serial, status, last_inspection, next_inspection, owner,"
	        " version, updated_ms) VALUES (?1, coalesce(?2, 'active'), coalesce(?3, ''),"
	        " coalesce(?4, ''), coalesce(?5, ''),"
	        " (SELECT coalesce(max(version), 0) + 1 FROM registry), ?6)"
	        " ON CONFLICT (serial) DO UPDATE SET status = coalesce(?2, status),"
	        " last_inspection = coalesce(?3, last_inspection),"
	        " next_inspection = coalesce(?4, next_inspection), owner = coalesce(?5, owner),"
	        " version = (SELECT coalesce(max(version), 0) + 1 FROM registry), updated_ms = ?6",
	        &st, err, errlen) == -1)
		goto fail;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	if (status != NULL)
		sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	if (last_inspection != NULL)
		sqlite3_bind_text(st, 3, last_inspection, -1, SQLITE_STATIC);
	if (next_inspection != NULL)
		sqlite3_bind_text(st, 4, next_inspection, -1, SQLITE_STATIC);
	if (owner != NULL)
		sqlite3_bind_text(st, 5, owner, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, time_wall_ms());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_error(c, err, errlen, "registry");
		goto fail;
	}
	if (history_note(c->db, serial, &by, err, errlen) == -1)
		goto fail;
	return store_commit(c->db, err, errlen) == -1 ? (store_rollback(c->db), -1) : 0;
fail:
	store_rollback(c->db);
	return -1;
}

int
county_registry_history(struct county_db *c, const char *audit_as, const char *serial,
    struct history_row *rows, size_t max, size_t *n, int *more, char *err, size_t errlen)
{
	struct audit_row audit;

	*more = 0;
	if (history_list(c->db, serial, rows, max + 1, n, err, errlen) == -1)
		return -1;
	if (*n > max) {
		*n = max;
		*more = 1;
	}
	audit = (struct audit_row){ audit_as, "history", serial, 0, 0, (int64_t)*n, NULL };
	return audit_write(c, &audit, err, errlen);
}

/*
 * Import a registry CSV (registry.h's format; only the mutable facts are
 * kept by the county: status, inspections, owner).  One transaction; rows
 * that fail validation are reported (FILE:LINE: reason) and skipped; a row
 * whose facts did not change keeps its version, so importing the same file
 * twice sends stations nothing new.
 */
int
county_registry_import(struct county_db *c, const char *path, int cycle_years, const char *actor,
    struct county_import_result *res, char *err, size_t errlen)
{
	char where[HISTORY_DETAIL_MAX + 1];
	const struct history_by by = { "import", actor, where };
	struct registry_columns cols;
	struct registry_row row;
	struct csv_reader *reader = NULL;
	struct csv_row cr;
	sqlite3_stmt *st = NULL;
	char reason[256], last[11], next[11];
	FILE *fp;
	int rc = -1, got, header = 0;

	memset(res, 0, sizeof(*res));
	if ((fp = fopen(path, "r")) == NULL)
		return err_set(err, errlen, "%s: %s", path, strerror(errno));
	if ((reader = csv_open(fp)) == NULL) {
		fclose(fp);
		return err_set(err, errlen, "out of memory");
	}
	if (store_begin(c->db, err, errlen) == -1)
		goto out;
	if (store_prepare(c->db,
	        "INSERT INTO registry (serial, status, last_inspection, next_inspection, owner,"
	        " version, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5,"
	        " (SELECT coalesce(max(version), 0) + 1 FROM registry), ?6)"
	        " ON CONFLICT (serial) DO UPDATE SET status = ?2, last_inspection = ?3,"
	        " next_inspection = ?4, owner = ?5,"
	        " version = (SELECT coalesce(max(version), 0) + 1 FROM registry), updated_ms = ?6"
	        " WHERE (status, last_inspection, next_inspection, owner) IS NOT (?2, ?3, ?4, ?5)",
	        &st, err, errlen) == -1)
		goto rollback;
	while ((got = csv_next(reader, &cr, reason, sizeof(reason))) != 0) {
		if (got == -2) {
			err_set(err, errlen, "%s: %s", path, reason);
			goto rollback;
		}
		if (got == -1) {
			if (!header) {
				err_set(err, errlen, "%s:%lu: %s", path, cr.line, reason);
				goto rollback;
			}
			fprintf(stderr, "%s:%lu: %s\n", path, cr.line, reason);
			res->rejected++;
			continue;
		}
		if (!header) {
			if (registry_columns_parse(&cr, &cols, reason, sizeof(reason)) == -1) {
				err_set(err, errlen, "%s:%lu: %s", path, cr.line, reason);
				goto rollback;
			}
			header = 1;
			continue;
		}
		res->rows++;
		if (registry_parse_row(&cols, &cr, NULL, 0, &row, reason, sizeof(reason)) == -1) {
			fprintf(stderr, "%s:%lu: %s\n", path, cr.line, reason);
			res->rejected++;
			continue;
		}
		last[0] = '\0';
		if (row.last_inspection >= 0)
			date_format(row.last_inspection, last);
		date_format(registry_next_inspection(&row, cycle_years), next);
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, row.serial, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, row.status, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, last, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, next, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, row.owner, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, time_wall_ms());
		if (sqlite3_step(st) != SQLITE_DONE) {
			db_error(c, err, errlen, "registry");
			goto rollback;
		}
		if (sqlite3_changes(c->db) > 0) {
			snprintf(where, sizeof(where), "%.120s:%lu", path, cr.line);
			if (history_note(c->db, row.serial, &by, err, errlen) == -1)
				goto rollback;
			res->changed++;
		}
	}
	if (!header) {
		err_set(err, errlen, "%s: empty file (no header row)", path);
		goto rollback;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (store_commit(c->db, err, errlen) == -1)
		goto rollback;
	rc = 0;
	goto out;
rollback:
	sqlite3_finalize(st);
	store_rollback(c->db);
out:
	csv_close(reader);
	fclose(fp);
	return rc;
}

int
county_curve(struct county_db *c, const char *identity, const char *fill, struct wire_curve *out,
    char *err, size_t errlen)
{
	struct audit_row audit;
	sqlite3_stmt *st = NULL;
	int rc, found = 0, n;

	memset(out, 0, sizeof(*out));
	if (store_prepare(c->db,
	        "SELECT f.uuid, f.station, f.cylinder, f.line, k.curve FROM fill_curves k"
	        " JOIN fills f ON f.uuid = k.uuid WHERE k.uuid = ?",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, fill, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (n = sqlite3_column_bytes(st, 4)) > 0 &&
	    (size_t)n <= WIRE_MAX_CURVE) {
		store_column_copy(st, 0, out->fill, sizeof(out->fill));
		store_column_copy(st, 1, out->station, sizeof(out->station));
		store_column_copy(st, 2, out->cylinder, sizeof(out->cylinder));
		out->line = sqlite3_column_int(st, 3);
		if ((out->curve = malloc((size_t)n)) == NULL) {
			sqlite3_finalize(st);
			return err_set(err, errlen, "out of memory");
		}
		memcpy(out->curve, sqlite3_column_blob(st, 4), (size_t)n);
		out->curve_len = (size_t)n;
		found = 1;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		sqlite3_finalize(st);
		return db_error(c, err, errlen, "curve");
	}
	sqlite3_finalize(st);

	/* who looked at which fill's curve, and when */
	audit = (struct audit_row){ identity, "curve", fill, 0, 0, found, NULL };
	if (audit_write(c, &audit, err, errlen) == -1) {
		wire_curve_free(out);
		return -1;
	}
	return found;
}
