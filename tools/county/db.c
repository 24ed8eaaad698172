/*
 * gascounty db: everything the county server stores and reads.
 *
 * Idempotency is the point of this file.  libcoap does not de-duplicate a
 * retransmitted request (docs/design.md §7), and a station resends
 * whatever it has not seen acknowledged, so every write here is keyed:
 * records by (station, seq) and uuid, violations by uuid, alerts by their
 * source.  Running the same batch twice leaves the database exactly as
 * once; a resend whose content differs from the copy held is a conflict,
 * recorded and alerted (C06), a bounded number of versions of each held
 * record (county_conflict).
 *
 * The keys are split in two namespaces that cannot meet: a station's
 * uuids are UUIDs (ingestcheck.h refuses anything else), the county's own
 * begin with "county:" and are built from facts the county holds (the DTLS
 * identity's station, the record's (station, seq), the station's mark), so
 * nothing a station sends can take the key of a county rule's alert and
 * keep that rule from firing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "buyer.h"
#include "csv.h"
#include "db.h"
#include "buyeraddr.h"
#include "casemsg.h"
#include "ingestcheck.h"
#include "life.h"
#include "quota.h"
#include "liferows.h"
#include "history.h"
#include "i18n.h"
#include "registry.h"
#include "log.h"
#include "recordrows.h"
#include "stations.h"
#include "store.h"
#include "timetext.h"
#include "util.h"
#include "writequota.h"

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
	if (store_cached(c->db,
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
	if (rc != SQLITE_DONE)
		db_error(c, err, errlen, "audit"); /* before the reset clears the message */
	store_release(st);
	return rc == SQLITE_DONE ? 0 : -1;
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

/* A county rule's key for a record: "county:C01:S01:42", from the DTLS
 * identity's station and the record's seq only. */
static void
county_key(char *out, size_t size, const char *rule, const char *station, int64_t n)
{
	snprintf(out, size, "county:%s:%s:%lld", rule, station, (long long)n);
}

/* C01: the same cylinder filled at another station within c01_minutes. */
static int
rule_c01(struct county_db *c, sqlite3_stmt *st, const char *station, const char *township,
    const struct wire_record *r, char *err, size_t errlen)
{
	const struct wire_fill *f = &r->fill;
	int64_t window = (int64_t)c->config->c01_minutes * 60000, other_ms;
	char other[WIRE_ID], text[WIRE_TEXT], source[128], a[TIMETEXT_MAX], b[TIMETEXT_MAX];
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
		    _("cylinder %s filled at %s (%s) and at %s (%s): cloned code?"), f->cylinder,
		    other, a, station, b);
		county_key(source, sizeof(source), "C01", station, r->seq);
		if (county_violation(c, source, r->uuid, station, "C01", township, text,
		        f->cylinder, f->buyer, f->buyer_masked, f->started_ms, err, errlen) == -1)
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
    const char *buyer_township, const struct wire_record *r, char *err, size_t errlen)
{
	const struct wire_fill *f = &r->fill;
	int64_t window = (int64_t)c->config->c02_days * 86400000, count;
	int max = strcmp(f->buyer_kind, "business") == 0 ? c->config->c02_business_max
	                                                 : c->config->c02_household_max;
	char text[WIRE_TEXT], source[128];
	struct alert_in al;
	int rc;

	/* a delivery company is the counter buyer for the households it serves:
	 * their hand-overs are counted, per household (life.h, C09), not its fills */
	if (f->buyer[0] == '\0' || max <= 0 || strcmp(f->buyer_kind, "delivery") == 0)
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
	    _("buyer %s took more than %d cylinders in %d days, at %s and other stations"),
	    f->buyer_masked[0] != '\0' ? f->buyer_masked : _("(no masked form)"), max,
	    c->config->c02_days, station);
	county_key(source, sizeof(source), "C02", station, r->seq);
	/* routed to the buyer's township as registered here (the station's when
	 * none is) */
	if (buyer_township[0] == '\0')
		buyer_township = township;
	if (county_violation(c, source, r->uuid, station, "C02", buyer_township, text, f->cylinder,
	        f->buyer, f->buyer_masked, f->started_ms, err, errlen) == -1)
		return -1;
	al = (struct alert_in){ source, "C02", "alert", buyer_township, station, f->cylinder,
		f->buyer_masked, text, f->started_ms };
	return raise_alert(c, &al, err, errlen);
}

/* ---- ingest ------------------------------------------------------------------ */

enum {
	ST_RECORD,
	ST_FILL,
	ST_CURVE,
	ST_VIOLATION,
	ST_HELD_SEQ,
	ST_HELD_UUID,
	ST_BUYER_SET,
	ST_BUYER_GET,
	ST_REGISTERED,
	ST_C01,
	ST_C02,
	ST_C02_OTHER,
	ST_COUNT,
};

static const char *const ingest_sql[ST_COUNT] = {
	[ST_RECORD] = "INSERT OR IGNORE INTO records (station, seq, uuid, kind, created_ms,"
	              " received_ms, digest) VALUES (?,?,?,?,?,?,?)",
	/* record_kind and record_created_ms (012): the record's, stored just
	 * before with the same uuid, station and seq, read by every trace */
	[ST_FILL] = "INSERT OR IGNORE INTO fills (uuid, station, seq, line, cylinder, buyer,"
	            " buyer_masked, buyer_township, buyer_kind, operator, started_ms, ended_ms,"
	            " tare_kg, target_kg, preact_kg, cutoff_kg, gross_kg, net_kg, result,"
	            " record_kind, record_created_ms)"
	            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	[ST_CURVE] = "INSERT OR IGNORE INTO fill_curves (uuid, curve) VALUES (?, ?)",
	[ST_VIOLATION] = "INSERT OR IGNORE INTO violations (uuid, event, station, rule, severity,"
	                 " township, details, cylinder, buyer, buyer_masked, line, at_ms)"
	                 " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
	/* the held copy: seq, uuid, digest, and whose it is (a uuid may be
	 * another station's) */
	[ST_HELD_SEQ] = "SELECT seq, uuid, coalesce(digest, ''), station FROM records"
	                " WHERE station = ? AND seq = ?",
	[ST_HELD_UUID] = "SELECT seq, uuid, coalesce(digest, ''), station FROM records"
	                 " WHERE uuid = ?",
	[ST_BUYER_SET] = COUNTY_BUYER_SET_SQL,
	[ST_BUYER_GET] = "SELECT township FROM buyers WHERE id = ?",
	[ST_REGISTERED] = "SELECT 1 FROM registry WHERE serial = ?",
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

/* What one batch is stored with: the station as the county holds it. */
struct ingest {
	struct county_db *c;
	sqlite3_stmt *st[ST_COUNT];
	const char *station;          /* the DTLS identity's station */
	const char *session;          /* names the DTLS session, for conflicts */
	char township[WIRE_TOWNSHIP]; /* the station's own, as the county holds it */
	int registry_held;            /* the county holds a registry: C05 is judged */
	int64_t now;
	int alerts;
};

/*
 * 1 if code is a township of this county: one with an identity
 * township:CODE (or any, without identities).  "county" is the county's
 * own queue, never a station's or a buyer's township.
 */
static int
township_known(const struct county_db *c, const char *code)
{
	char id[ACCESS_MAX_IDENTITY];
	int n;

	if (code[0] == '\0' || strcmp(code, "county") == 0)
		return 0;
	if (c->identities == NULL)
		return 1;
	n = snprintf(id, sizeof(id), "township:%s", code);
	if (n < 0 || (size_t)n >= sizeof(id))
		return 0;
	return psk_find(c->identities, (const uint8_t *)id, (size_t)n) != NULL;
}

/* One field into a record's digest: its text and a NUL, so that no two
 * sequences of fields hash the same. */
static void
digest_text(EVP_MD_CTX *md, const char *text)
{
	EVP_DigestUpdate(md, text, strlen(text) + 1);
}

static void
digest_int(EVP_MD_CTX *md, int64_t v)
{
	char text[24];

	snprintf(text, sizeof(text), "%lld", (long long)v);
	digest_text(md, text);
}

static void
digest_double(EVP_MD_CTX *md, double v)
{
	char text[40];

	snprintf(text, sizeof(text), "%a", v); /* exact: every bit of the double */
	digest_text(md, text);
}

/*
 * The record's digest: SHA-256 (hex) of every field the county keeps, in
 * a fixed order, each as text ended by a NUL; the fields the county never
 * believes (the batch's station and township, the record's "st") are left
 * out.  Defined here rather than as the wire encoding, so that a change of
 * encoding never makes a retransmission look like a conflict.
 */
static EVP_MD_CTX *
digest_begin(void)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return NULL;
	}
	return md;
}

/* The digest as hex into out, md freed (NULL: a failed digest_begin). */
static int
digest_end(EVP_MD_CTX *md, char out[65], char *err, size_t errlen)
{
	unsigned char sum[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	int ok = md != NULL && EVP_DigestFinal_ex(md, sum, &len) == 1 && len == 32;

	EVP_MD_CTX_free(md);
	if (!ok)
		return err_set(err, errlen, "SHA-256 failed");
	hex_encode(sum, 32, out);
	return 0;
}

static int
record_digest(const struct wire_record *r, char out[65], char *err, size_t errlen)
{
	const struct wire_fill *f = &r->fill;
	EVP_MD_CTX *md = digest_begin();
	size_t i;

	if (md == NULL)
		return digest_end(md, out, err, errlen);
	digest_int(md, r->seq);
	digest_text(md, r->uuid);
	digest_text(md, r->kind);
	digest_int(md, r->created_ms);
	digest_int(md, r->has_fill);
	if (r->has_fill) {
		digest_int(md, f->line);
		digest_text(md, f->cylinder);
		digest_text(md, f->buyer);
		digest_text(md, f->buyer_masked);
		digest_text(md, f->buyer_township);
		digest_text(md, f->buyer_kind);
		digest_text(md, f->operator_cert);
		digest_int(md, f->started_ms);
		digest_int(md, f->ended_ms);
		digest_double(md, f->tare_kg);
		digest_double(md, f->target_kg);
		digest_double(md, f->preact_kg);
		digest_double(md, f->cutoff_kg);
		digest_double(md, f->gross_kg);
		digest_double(md, f->net_kg);
		digest_text(md, f->result);
		digest_int(md, (int64_t)f->curve_len);
		if (f->curve != NULL && f->curve_len > 0)
			EVP_DigestUpdate(md, f->curve, f->curve_len);
	}
	digest_int(md, (int64_t)r->violation_count);
	for (i = 0; i < r->violation_count; i++) {
		const struct wire_violation *v = &r->violations[i];

		digest_text(md, v->uuid);
		digest_text(md, v->rule);
		digest_text(md, v->severity);
		digest_text(md, v->township);
		digest_text(md, v->details);
		digest_text(md, v->cylinder);
		digest_text(md, v->buyer);
		digest_text(md, v->buyer_masked);
		digest_int(md, v->line);
		digest_int(md, v->at_ms);
	}
	return digest_end(md, out, err, errlen);
}

int
county_life_digest(int64_t seq, const char *uuid, const struct wire_life *l, char out[65],
    char *err, size_t errlen)
{
	EVP_MD_CTX *md = digest_begin();

	if (md == NULL)
		return digest_end(md, out, err, errlen);
	digest_int(md, seq);
	digest_text(md, uuid);
	digest_text(md, "life");
	digest_text(md, l->event);
	digest_text(md, l->serial);
	digest_text(md, l->code);
	digest_text(md, l->actor);
	digest_text(md, l->worker);
	digest_text(md, l->buyer);
	digest_text(md, l->buyer_masked);
	digest_text(md, l->buyer_township);
	digest_text(md, l->buyer_kind);
	digest_text(md, l->village);
	digest_int(md, l->has_position);
	if (l->has_position) {
		digest_double(md, l->lat);
		digest_double(md, l->lon);
	}
	digest_text(md, l->result);
	digest_text(md, l->next_due);
	digest_text(md, l->reason);
	digest_int(md, l->at_ms);
	return digest_end(md, out, err, errlen);
}

static int
raise_counted(struct ingest *in, const struct alert_in *al, char *err, size_t errlen)
{
	int rc = raise_alert(in->c, al, err, errlen);

	if (rc == -1)
		return -1;
	in->alerts += rc;
	return 0;
}

/*
 * How many versions of k's held record its source has had recorded, up to
 * COUNTY_CONFLICT_VERSIONS_MAX: of its own copy (by its uuid), or, when
 * another source holds the copy (elsewhere), of every such copy together.
 * The key is the held copy, never anything the sender chose (a sent seq,
 * a sent uuid, a sent digest: new ones are free to make), so a source's
 * rows are at most COUNTY_CONFLICT_VERSIONS_MAX times the records and life
 * events it has stored itself, plus once more for all the others'.
 * Pooling the others' copies keeps that bound: one per copy would let a
 * station that learned other sources' uuids keep on adding to it.
 */
static int
conflict_versions(struct county_db *c, const struct county_conflict *k, const char *elsewhere,
    int *n, char *err, size_t errlen)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (store_cached(c->db,
	        elsewhere[0] == '\0'
	            ? "SELECT count(*) FROM (SELECT 1 FROM conflicts WHERE station = ?1"
	              " AND held_elsewhere = '' AND held_uuid = ?2 LIMIT ?3)"
	            : "SELECT count(*) FROM (SELECT 1 FROM conflicts WHERE station = ?1"
	              " AND held_elsewhere > '' LIMIT ?3)",
	        &s, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(s, 1, k->source, -1, SQLITE_STATIC);
	if (elsewhere[0] == '\0')
		sqlite3_bind_text(s, 2, k->held_uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, COUNTY_CONFLICT_VERSIONS_MAX);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int(s, 0);
	store_release(s);
	return rc == SQLITE_ROW ? 0 : db_error(c, err, errlen, "conflict versions");
}

int
county_conflict(struct county_db *c, const struct county_conflict *k, int *new_alerts, char *err,
    size_t errlen)
{
	sqlite3_stmt *s = NULL;
	char text[WIRE_TEXT], source[160];
	int elsewhere = k->held_source != NULL && strcmp(k->held_source, k->source) != 0;
	const char *how = elsewhere               ? N_("sent with a uuid another source holds")
	                  : k->held_seq != k->seq ? N_("sent with a held uuid")
	                  : strcmp(k->held_uuid, k->sent_uuid) == 0
	                      ? N_("resent with other content")
	                      : N_("sent with another uuid at a held seq");
	const char *held_digest = k->held_digest[0] != '\0' ? k->held_digest : "-";
	struct alert_in al;
	int64_t id;
	int rc, versions = 0, last;

	*new_alerts = 0;
	if (conflict_versions(c, k, elsewhere ? k->held_source : "", &versions, err, errlen) == -1)
		return -1;
	/* beyond the bound: nothing stored, answered as a retransmission is
	 * (an honest station that hit a bug must still drain its backlog);
	 * the last kept version said so, once */
	if (versions >= COUNTY_CONFLICT_VERSIONS_MAX)
		return 0;
	if (store_cached(c->db,
	        "INSERT OR IGNORE INTO conflicts (station, seq, held_seq, held_uuid, held_digest,"
	        " sent_uuid, sent_digest, session, at_ms, held_elsewhere)"
	        " VALUES (?,?,?,?,?,?,?,?,?,?)",
	        &s, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(s, 1, k->source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, k->seq);
	sqlite3_bind_int64(s, 3, k->held_seq);
	sqlite3_bind_text(s, 4, k->held_uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, k->held_digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, k->sent_uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, k->sent_digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, k->session != NULL ? k->session : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 9, k->at_ms);
	sqlite3_bind_text(s, 10, elsewhere ? k->held_source : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	store_release(s);
	if (rc != SQLITE_DONE)
		return db_error(c, err, errlen, "conflict");
	if (sqlite3_changes(c->db) == 0)
		return 0; /* this version was recorded before: a retransmission of it */
	id = sqlite3_last_insert_rowid(c->db);
	last = versions + 1 == COUNTY_CONFLICT_VERSIONS_MAX;
	log_warnx("%s seq %lld: %s (held seq %lld %.12s, sent %.12s); kept the first, "
	          "conflict %lld",
	    k->source, (long long)k->seq, how, (long long)k->held_seq, held_digest, k->sent_digest,
	    (long long)id);
	if (last && elsewhere)
		log_warnx("%s: %d conflicting versions of records other sources hold kept; "
		          "further ones are not kept",
		    k->source, COUNTY_CONFLICT_VERSIONS_MAX);
	else if (last)
		log_warnx("%s: %d conflicting versions of its record at seq %lld kept; further "
		          "versions are not kept",
		    k->source, COUNTY_CONFLICT_VERSIONS_MAX, (long long)k->held_seq);
	/* the whole conflict in the alert the regulator reads (conflicts has it
	 * too), and on the last one kept, that no more will be: before the
	 * digests, so that a text cut at WIRE_TEXT loses the session's tail,
	 * never that */
	snprintf(text, sizeof(text), _("record %lld %s%s: held (seq %lld) %s, sent %s%s%s"),
	    (long long)k->seq, _(how),
	    !last       ? ""
	    : elsewhere ? _(" (further versions of records other sources hold are not kept)")
	                : _(" (further versions of this record are not kept)"),
	    (long long)k->held_seq, held_digest, k->sent_digest,
	    k->session != NULL && k->session[0] != '\0' ? ", " : "",
	    k->session != NULL ? k->session : "");
	county_key(source, sizeof(source), "C06", k->source, id);
	al = (struct alert_in){ source, "C06", "alert", "county", k->station, "", "", text,
		k->at_ms };
	if ((rc = raise_alert(c, &al, err, errlen)) == -1)
		return -1;
	*new_alerts = rc;
	return 1;
}

/* A conflict of a station's record, counted in the ingest's alerts;
 * held_source holds the copy (NULL: the station itself). */
static int
record_conflict(struct ingest *in, const struct wire_record *r, const char *digest,
    const char *held_source, int64_t held_seq, const char *held_uuid, const char *held_digest,
    char *err, size_t errlen)
{
	const struct county_conflict k = { in->station, in->station, held_source, r->seq, held_seq,
		held_uuid, held_digest, r->uuid, digest, in->session, in->now };
	int alerts;

	if (county_conflict(in->c, &k, &alerts, err, errlen) == -1)
		return -1;
	in->alerts += alerts;
	return 0;
}

/* A record the county holds already (by (station, seq) or by uuid):
 * a retransmission when its digest matches, a conflict otherwise. */
static int
record_held(struct ingest *in, const struct wire_record *r, const char *digest, char *err,
    size_t errlen)
{
	sqlite3_stmt *s = in->st[ST_HELD_SEQ];
	char uuid[WIRE_UUID], held[65], holder[WIRE_ID];
	int64_t seq;
	int rc;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, in->station, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, r->seq);
	if ((rc = sqlite3_step(s)) == SQLITE_DONE) {
		/* not at this seq: its uuid is held at another one */
		s = in->st[ST_HELD_UUID];
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, r->uuid, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
	}
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return db_error(in->c, err, errlen, "held record");
	}
	seq = sqlite3_column_int64(s, 0);
	store_column_copy(s, 1, uuid, sizeof(uuid));
	store_column_copy(s, 2, held, sizeof(held));
	store_column_copy(s, 3, holder, sizeof(holder));
	sqlite3_reset(s);
	/* the same record again (or one held before digests: same uuid), from
	 * the station that holds it: another station's exact record is not
	 * that one's to resend */
	if (strcmp(holder, in->station) == 0 && seq == r->seq && strcmp(uuid, r->uuid) == 0 &&
	    (strcmp(held, digest) == 0 || held[0] == '\0'))
		return 0;
	return record_conflict(in, r, digest, holder, seq, uuid, held, err, errlen);
}

/* The buyer's township as registered in this county: the first known
 * township a record gave for it (registered here if this one is the
 * first); "" when none. */
static int
buyer_township(struct ingest *in, const struct wire_fill *f, char *out, size_t size, char *err,
    size_t errlen)
{
	sqlite3_stmt *s;
	int rc;

	out[0] = '\0';
	if (f->buyer[0] == '\0')
		return 0;
	if (f->buyer_township[0] != '\0') {
		s = in->st[ST_BUYER_SET];
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, f->buyer, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, f->buyer_township, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, in->station, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, in->now);
		if (sqlite3_step(s) != SQLITE_DONE)
			return db_error(in->c, err, errlen, "buyer");
	}
	s = in->st[ST_BUYER_GET];
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, f->buyer, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		store_column_copy(s, 0, out, size);
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(in->c, err, errlen, "buyer");
}

/* C05: a cylinder the county registry does not know was filled. */
static int
rule_c05(struct ingest *in, const struct wire_record *r, char *err, size_t errlen)
{
	sqlite3_stmt *s = in->st[ST_REGISTERED];
	const struct wire_fill *f = &r->fill;
	char text[WIRE_TEXT], source[128];
	struct alert_in al;
	int rc;

	if (!in->registry_held)
		return 0;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, f->cylinder, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return db_error(in->c, err, errlen, "C05");
	snprintf(text, sizeof(text), _("cylinder %s filled at %s is not in the county registry"),
	    f->cylinder, in->station);
	county_key(source, sizeof(source), "C05", in->station, r->seq);
	if (county_violation(in->c, source, r->uuid, in->station, "C05", in->township, text,
	        f->cylinder, f->buyer, f->buyer_masked, f->started_ms, err, errlen) == -1)
		return -1;
	al = (struct alert_in){ source, "C05", "alert", in->township, in->station, f->cylinder,
		f->buyer_masked, text, f->started_ms };
	return raise_counted(in, &al, err, errlen);
}

static int
store_fill(struct ingest *in, const struct wire_record *r, char *err, size_t errlen)
{
	const struct wire_fill *f = &r->fill;
	sqlite3_stmt *s = in->st[ST_FILL];

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, r->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, in->station, -1, SQLITE_STATIC);
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
	sqlite3_bind_text(s, 20, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 21, r->created_ms);
	if (sqlite3_step(s) != SQLITE_DONE)
		return db_error(in->c, err, errlen, "fill");
	if (f->curve != NULL && f->curve_len > 0) {
		s = in->st[ST_CURVE];
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, r->uuid, -1, SQLITE_STATIC);
		sqlite3_bind_blob(s, 2, f->curve, (int)f->curve_len, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			return db_error(in->c, err, errlen, "fill curve");
	}
	return 0;
}

/*
 * The buyer's address a station sent with a fill: kept (buyeraddr.h) only
 * when one of the record's violations is routed to the buyer's township
 * here, and for that township; otherwise dropped unread.
 */
static int
store_buyer_address(struct ingest *in, const struct wire_record *r, const char *buyer_town,
    char *err, size_t errlen)
{
	const struct ingest_rule *rule;
	size_t i;

	if (buyer_town[0] == '\0')
		return 0;
	/* shown to people as it is: UTF-8 without control characters only */
	if (!casemsg_text_ok(r->fill.buyer_address, strlen(r->fill.buyer_address), 0)) {
		log_warnx("station %s seq %lld: the buyer's address is not UTF-8 text without"
		          " control characters; not kept",
		    in->station, (long long)r->seq);
		return 0;
	}
	/* nor one holding a number: an officer is shown it as it is (a station
	 * before 7 Dec 2026 took any address) */
	if (buyer_text_has_number(r->fill.buyer_address, strlen(r->fill.buyer_address))) {
		log_warnx("station %s seq %lld: the buyer's address holds what looks like an ID "
		          "number or credit code; not kept",
		    in->station, (long long)r->seq);
		return 0;
	}
	for (i = 0; i < r->violation_count; i++) {
		rule = ingest_rule_find(r->violations[i].rule);
		if (rule != NULL && rule->route == INGEST_ROUTE_BUYER)
			return buyeraddr_store(in->c, r->uuid, buyer_town, r->fill.buyer_address,
			    in->now, err, errlen);
	}
	return 0;
}

/*
 * One station violation: stored with the county's severity for its rule
 * and the township the county routes it to (the station's own, or the
 * buyer's as registered here); the station's "sev" and "town" are not
 * believed.
 */
static int
store_violation(struct ingest *in, const struct wire_record *r, const struct wire_violation *v,
    const char *buyer_town, char *err, size_t errlen)
{
	const struct ingest_rule *rule = ingest_rule_find(v->rule); /* checked before */
	sqlite3_stmt *s = in->st[ST_VIOLATION];
	const char *township = in->township;
	char source[WIRE_ID + WIRE_UUID + 16];
	struct alert_in al;

	if (rule == NULL)
		return err_set(err, errlen, "violation %s: not a station rule", v->rule);
	if (rule->route == INGEST_ROUTE_BUYER && buyer_town[0] != '\0')
		township = buyer_town;
	if (v->township[0] != '\0' && strcmp(v->township, township) != 0)
		log_debug("station %s seq %lld: %s routed to %s, not to the %s it named",
		    in->station, (long long)r->seq, v->rule, township, v->township);
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, v->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, in->station, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, rule->rule, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, rule->severity, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, township, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, v->details, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 8, v->cylinder, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 9, v->buyer, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 10, v->buyer_masked, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 11, v->line);
	sqlite3_bind_int64(s, 12, v->at_ms);
	if (sqlite3_step(s) != SQLITE_DONE)
		return db_error(in->c, err, errlen, "violation");
	if (!ingest_severity_alerts(rule->severity))
		return 0;
	/* the station's own namespace: "station:S01:<uuid>" can never be a
	 * county key, whatever the uuid holds */
	snprintf(source, sizeof(source), "station:%s:%s", in->station, v->uuid);
	al = (struct alert_in){ source, rule->rule, rule->severity, township, in->station,
		v->cylinder, v->buyer_masked, v->details[0] != '\0' ? v->details : rule->rule,
		v->at_ms };
	return raise_counted(in, &al, err, errlen);
}

static int
store_record(struct ingest *in, const struct wire_record *r, int *is_new, char *err, size_t errlen)
{
	sqlite3_stmt *s = in->st[ST_RECORD];
	char digest[65], buyer_town[WIRE_TOWNSHIP] = "", held_uuid[WIRE_UUID], held_digest[65];
	size_t i;
	int held;

	*is_new = 0;
	if (record_digest(r, digest, err, errlen) == -1)
		return -1;
	/* a station's life events take seqs of the same space (life.c) */
	if ((held = life_held_at(in->c, in->station, r->seq, held_uuid, held_digest, err,
	         errlen)) != 0)
		return held == -1 ? -1
		                  : record_conflict(in, r, digest, NULL, r->seq, held_uuid,
		                        held_digest, err, errlen);
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, in->station, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, r->seq);
	sqlite3_bind_text(s, 3, r->uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, r->kind, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, r->created_ms);
	sqlite3_bind_int64(s, 6, in->now);
	sqlite3_bind_text(s, 7, digest, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return db_error(in->c, err, errlen, "record");
	if (sqlite3_changes(in->c->db) == 0)
		return record_held(in, r, digest, err, errlen);
	*is_new = 1;
	if (r->has_fill) {
		if (store_fill(in, r, err, errlen) == -1 ||
		    buyer_township(in, &r->fill, buyer_town, sizeof(buyer_town), err, errlen) == -1)
			return -1;
	}
	for (i = 0; i < r->violation_count; i++)
		if (store_violation(in, r, &r->violations[i], buyer_town, err, errlen) == -1)
			return -1;
	if (r->has_fill && r->fill.buyer_address[0] != '\0' &&
	    store_buyer_address(in, r, buyer_town, err, errlen) == -1)
		return -1;
	if (r->has_fill) {
		int rc;

		if ((rc = rule_c01(in->c, in->st[ST_C01], in->station, in->township, r, err,
		         errlen)) == -1)
			return -1;
		in->alerts += rc;
		if ((rc = rule_c02(in->c, &in->st[ST_C02], in->station, in->township, buyer_town, r,
		         err, errlen)) == -1)
			return -1;
		in->alerts += rc;
		if (rule_c05(in, r, err, errlen) == -1)
			return -1;
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

	/* a station's life events share its seq (life_events.source) */
	if (store_prepare(c->db,
	        "SELECT seq FROM records WHERE station = ?1 AND seq > ?2 UNION"
	        " SELECT seq FROM life_events WHERE source = ?1 AND seq > ?2 ORDER BY seq",
	        &st, err, errlen) == -1)
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

/*
 * The station's township.  A station in the county's register (stations.h)
 * is stored under its registered township, and one naming another is
 * refused.  Any other station's row is made at its first contact with the
 * township it names, which must be one of this county (a warning in the
 * log: trust on first use); from then on the county holds it: a later
 * claim of another township changes nothing (it is logged).
 *
 * station_township decides it and writes nothing: *fresh 1 when the
 * station has no township yet and the one it named is to be taken (the
 * caller writes the row, then says so with first_contact_logged);
 * ensure_station writes that row itself.
 */
static enum county_result
station_township(struct county_db *c, const char *station, const char *claimed, char *township_out,
    size_t township_size, int *fresh, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*fresh = 0;
	rc = stations_township(c, station, claimed, township_out, township_size, err, errlen);
	if (rc == -1)
		return COUNTY_ERROR;
	if (rc == 0)
		return COUNTY_DONE;
	if (rc == 2)
		return COUNTY_REFUSED; /* err names both townships; the server logs it */
	if (store_prepare(c->db, "SELECT township FROM stations WHERE id = ?", &st, err, errlen) ==
	    -1)
		return COUNTY_ERROR;
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	township_out[0] = '\0';
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_column_copy(st, 0, township_out, township_size);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(c, err, errlen, "station");
	if (township_out[0] != '\0') {
		if (claimed[0] != '\0' && strcmp(claimed, township_out) != 0)
			log_info("station %s names township %s; the county holds %s", station,
			    claimed, township_out);
		return COUNTY_DONE;
	}
	if (!township_known(c, claimed)) {
		err_set(err, errlen, "township '%s' is not a township of this county", claimed);
		return COUNTY_REFUSED;
	}
	str_copy(township_out, claimed, township_size);
	*fresh = 1;
	return COUNTY_DONE;
}

static void
first_contact_logged(const char *station, const char *township)
{
	log_warnx("station %s is not in the county's register: township %s taken from its first "
	          "contact (gascounty station set registers it)",
	    station, township);
}

static enum county_result
ensure_station(struct county_db *c, const char *station, const char *claimed, int64_t now,
    char *township_out, size_t township_size, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	enum county_result result;
	int rc, fresh;

	result =
	    station_township(c, station, claimed, township_out, township_size, &fresh, err, errlen);
	if (result != COUNTY_DONE || !fresh)
		return result;
	if (store_prepare(c->db,
	        "INSERT INTO stations (id, township, created_ms) VALUES (?1, ?2, ?3)"
	        " ON CONFLICT (id) DO UPDATE SET township = ?2 WHERE township = ''",
	        &st, err, errlen) == -1)
		return COUNTY_ERROR;
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, township_out, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(c, err, errlen, "station");
	first_contact_logged(station, township_out);
	return COUNTY_DONE;
}

/*
 * Everything that can be refused, judged before anything is written: each
 * record can be true (ingestcheck.h), a life event is the station's to
 * record as it says who did it (life.h life_source_check), its seq is at most max_seq_jump
 * beyond the station's mark (a seq the station can never fill up to would
 * be a gap that never closes), and a buyer's township is one of this
 * county.
 */
static int
batch_refused(struct county_db *c, const char *station, const struct wire_batch *batch, int64_t now,
    char *err, size_t errlen)
{
	const struct wire_record *r;
	int64_t hwm = 0, jump = c->config->max_seq_jump > 0 ? c->config->max_seq_jump : 100000;
	char why[256];
	size_t i;

	if (county_hwm(c, station, &hwm, err, errlen) == -1)
		return -1;
	for (i = 0; i < batch->count; i++) {
		r = &batch->records[i];
		if (ingest_check_record(r, i, now, err, errlen) == -1)
			return 1;
		/* judged here too, not only when stored, so that the refusal names
		 * the record and the station sets that one aside (uplink.c) */
		if (r->has_life && life_source_check(station, r, why, sizeof(why)) == -1)
			return err_set(err, errlen, "record %zu (seq %lld): %s", i,
			           (long long)r->seq, why),
			       1;
		if (r->seq - hwm > jump)
			return err_set(err, errlen,
			           "record %zu (seq %lld): seq is more than %lld beyond the county's "
			           "mark %lld for this station",
			           i, (long long)r->seq, (long long)jump, (long long)hwm),
			       1;
		if (r->has_fill && r->fill.buyer_township[0] != '\0' &&
		    !township_known(c, r->fill.buyer_township))
			return err_set(err, errlen,
			           "record %zu (seq %lld): btown '%s' is not a township of this "
			           "county",
			           i, (long long)r->seq, r->fill.buyer_township),
			       1;
	}
	return 0;
}

/*
 * A station's life event at a seq where the county holds another of its
 * records: the conflict recorded (record_conflict), 1; 0 when the seq is
 * free of records (life.c judges its own table), -1 with err.
 */
static int
life_at_held_seq(struct ingest *in, const struct wire_record *r, char *err, size_t errlen)
{
	sqlite3_stmt *s = in->st[ST_HELD_SEQ];
	char uuid[WIRE_UUID], held[65], digest[65];
	int rc;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, in->station, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, r->seq);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? 0 : db_error(in->c, err, errlen, "held record");
	}
	store_column_copy(s, 1, uuid, sizeof(uuid));
	store_column_copy(s, 2, held, sizeof(held));
	sqlite3_reset(s);
	if (county_life_digest(r->seq, r->uuid, &r->life, digest, err, errlen) == -1 ||
	    record_conflict(in, r, digest, NULL, r->seq, uuid, held, err, errlen) == -1)
		return -1;
	return 1;
}

enum county_result
county_ingest(struct county_db *c, const char *station, const char *session,
    const struct wire_batch *batch, struct wire_ack *ack, int *new_alerts, char *err, size_t errlen)
{
	struct ingest in;
	enum county_result result = COUNTY_ERROR;
	int is_new, i;
	size_t r;

	memset(ack, 0, sizeof(*ack));
	memset(&in, 0, sizeof(in));
	*new_alerts = 0;
	in.c = c;
	in.station = station;
	in.session = session;
	in.now = time_wall_ms();
	if (store_begin(c->db, err, errlen) == -1)
		return COUNTY_ERROR;
	if ((result = quota_check(c, station, in.now, err, errlen)) != COUNTY_DONE)
		goto fail;
	result = COUNTY_ERROR;
	switch (batch_refused(c, station, batch, in.now, err, errlen)) {
	case 0:
		break;
	case 1:
		result = COUNTY_REFUSED;
		/* fall through */
	default:
		goto fail;
	}
	if ((result = ensure_station(c, station, batch->township, in.now, in.township,
	         sizeof(in.township), err, errlen)) != COUNTY_DONE)
		goto fail;
	result = COUNTY_ERROR;
	in.registry_held = store_query_int(c->db, "SELECT EXISTS (SELECT 1 FROM registry)", 0) > 0;
	for (i = 0; i < ST_COUNT; i++)
		if (store_prepare(c->db, ingest_sql[i], &in.st[i], err, errlen) == -1)
			goto fail;
	for (r = 0; r < batch->count; r++) {
		if (strcmp(batch->records[r].kind, "life") == 0) {
			/* a life event takes the station's seq like any record; the
			 * life module keeps it (once) and judges it */
			int alerts, rc = life_at_held_seq(&in, &batch->records[r], err, errlen);

			if (rc == 0)
				rc = life_store_counted(c, station, &batch->records[r], &alerts,
				    err, errlen);
			else if (rc == 1)
				rc = alerts = 0; /* another record at its seq: a conflict */
			if (rc < 0) {
				result = rc == -2 ? COUNTY_REFUSED : COUNTY_ERROR;
				goto fail;
			}
			in.alerts += alerts;
			if (rc == 1)
				ack->stored++;
			else
				ack->duplicates++;
			continue;
		}
		if (store_record(&in, &batch->records[r], &is_new, err, errlen) == -1)
			goto fail;
		if (is_new)
			ack->stored++;
		else
			ack->duplicates++;
	}
	for (i = 0; i < ST_COUNT; i++) {
		sqlite3_finalize(in.st[i]);
		in.st[i] = NULL;
	}
	if (advance_hwm(c, station, in.now, &ack->hwm, err, errlen) == -1 ||
	    county_held(c, station, ack->hwm, &ack->held, err, errlen) == -1 ||
	    quota_count(c, station, ack->stored, in.now, &in.alerts, err, errlen) == -1)
		goto fail;
	/* the answer is given only after this commit (docs/design.md, V5) */
	if (store_commit(c->db, err, errlen) == -1)
		goto fail;
	*new_alerts = in.alerts;
	return COUNTY_DONE;
fail:
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(in.st[i]);
	store_rollback(c->db);
	memset(ack, 0, sizeof(*ack));
	return result;
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

/* The rows above hwm counted (the seqs advance_hwm counts; a station's
 * life events are kept in life_events), by their indexes: O(the rows
 * above hwm). */
static int
held_counted(struct county_db *c, const char *station, int64_t hwm, int64_t *held, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (store_prepare(c->db,
	        "SELECT count(*) FROM (SELECT seq FROM records WHERE station = ?1 AND seq > ?2"
	        " UNION SELECT seq FROM life_events WHERE source = ?1 AND seq > ?2)",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, hwm);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*held = hwm + sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return db_error(c, err, errlen, "held");
	return 0;
}

int
county_held(struct county_db *c, const char *station, int64_t hwm, int64_t *held, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t row_hwm = -1, max_seq = 0, kept = 0;
	int rc;

	*held = 0;
	/*
	 * The station's own row: nothing above its mark (max_seq), the mark
	 * itself; else the count its triggers keep (stations.held, migration
	 * 033), each seq once, so its mark and those above it.  Before
	 * (review rev101) every heartbeat counted the rows above the mark,
	 * which behind a set-aside record grow with the station's history.
	 */
	if (store_prepare(c->db, "SELECT hwm, max_seq, held FROM stations WHERE id = ?1", &st, err,
	        errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		row_hwm = sqlite3_column_int64(st, 0);
		max_seq = sqlite3_column_int64(st, 1);
		kept = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(c, err, errlen, "held");
	if (rc == SQLITE_ROW && row_hwm == hwm) {
		if (max_seq <= hwm) {
			*held = hwm;
			return 0;
		}
		/* never fewer than the mark, nor more than max_seq: else counted */
		if (kept >= hwm && kept <= max_seq) {
			*held = kept;
			return 0;
		}
	}
	/* another mark than the station's, or a station without a row */
	return held_counted(c, station, hwm, held, err, errlen);
}

int64_t
county_clock_skew(int64_t station_ms, int64_t county_ms)
{
	/* station_ms is whatever a station sent: the difference saturates at
	 * the int64 bounds instead of overflowing */
	if (county_ms > 0 && station_ms < INT64_MIN + county_ms)
		return INT64_MIN;
	if (county_ms < 0 && station_ms > INT64_MAX + county_ms)
		return INT64_MAX;
	return station_ms - county_ms;
}

/* What C14 makes of one heartbeat: the station's clock columns after it,
 * and the alert to raise (raise 1) with its key and text. */
struct c14_verdict {
	int64_t skew, alert_ms;
	int alerted, raise;
	char source[128], text[WIRE_TEXT];
};

/*
 * C14: the station's clock, judged at each heartbeat by how far the time it
 * says it made the heartbeat (at_ms) lies from the county's clock as the
 * heartbeat arrives (now).  A heartbeat is made just before it is sent and
 * never queued: a failed one is dropped and a new one made (gateway
 * uplinkproc.c), so it arrives within its request's 120 s or not at all, and
 * the bound's floor (300 s, countyconf.c) keeps a late but honest one from
 * ever raising C14, and half of it (150 s) from keeping an episode open.
 * One alert an episode: clock_alerted is set with the alert and cleared only
 * once the skew is back within half the bound; and none for an episode that
 * starts within COUNTY_C14_REPEAT_MS of the station's last C14 alert.  Reads
 * the station's episode (a station without a row yet has none) and writes
 * nothing: county_heartbeat writes the verdict with the station's row, in
 * the heartbeat's transaction.
 */
static int
judge_c14(struct county_db *c, const char *station, int64_t at_ms, int64_t now,
    struct c14_verdict *v, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t bound, size;
	char reads[TIMETEXT_MAX], span[TIMETEXT_MAX];
	int rc;

	memset(v, 0, sizeof(*v));
	v->skew = county_clock_skew(at_ms, now);
	if (store_prepare(c->db, "SELECT clock_alerted, clock_alert_ms FROM stations WHERE id = ?",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v->alerted = sqlite3_column_int(st, 0);
		v->alert_ms = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(c, err, errlen, "C14");
	bound = (int64_t)c->config->c14_clock_skew_s * 1000;
	size = v->skew == INT64_MIN ? INT64_MAX : v->skew < 0 ? -v->skew : v->skew;
	if (bound > 0 && size > bound && !v->alerted) {
		v->alerted = 1;
		if (v->alert_ms == 0 || now - v->alert_ms >= COUNTY_C14_REPEAT_MS) {
			timetext_format(at_ms, TIMETEXT_PERSON, reads);
			timetext_span(v->skew, span);
			snprintf(v->text, sizeof(v->text),
			    v->skew > 0
			        ? _("station %s: its clock reads %s, %s ahead of the county's")
			        : _("station %s: its clock reads %s, %s behind the county's"),
			    station, reads, span);
			county_key(v->source, sizeof(v->source), "C14", station, now);
			v->raise = 1;
			v->alert_ms = now;
		}
	} else if (bound > 0 && size <= bound / 2) {
		v->alerted = 0;
	}
	return 0;
}

/* The station's row after a heartbeat, in one statement: made at its first
 * contact with the township it named (fresh), else its township left as
 * held; its last contact, the end of a silence (C03), what the heartbeat
 * says, the clock's verdict (C14) and its last early write (early_ms,
 * county_heartbeat_due). */
static int
heartbeat_station_row(struct county_db *c, const char *station, const char *township,
    const struct wire_heartbeat *h, const struct c14_verdict *v, int64_t now, int64_t early_ms,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (store_prepare(c->db,
	        "INSERT INTO stations (id, township, created_ms, last_seen_ms, silent_alerted,"
	        " backlog, status, registry_version, clock_skew_ms, clock_alerted, clock_alert_ms,"
	        " heartbeat_early_ms) VALUES (?1, ?2, ?3, ?3, 0, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
	        " ON CONFLICT (id) DO UPDATE SET"
	        " township = CASE WHEN township = '' THEN ?2 ELSE township END,"
	        " last_seen_ms = ?3, silent_alerted = 0, backlog = ?4, status = ?5,"
	        " registry_version = ?6, clock_skew_ms = ?7, clock_alerted = ?8,"
	        " clock_alert_ms = ?9, heartbeat_early_ms = ?10",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, township, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, h->backlog);
	sqlite3_bind_text(st, 5, h->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, h->registry_version);
	sqlite3_bind_int64(st, 7, v->skew);
	sqlite3_bind_int(st, 8, v->alerted);
	sqlite3_bind_int64(st, 9, v->alert_ms);
	sqlite3_bind_int64(st, 10, early_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(c, err, errlen, "station");
}

/* The heartbeat as the newest of its station's minute (COUNTY_HEARTBEAT_SLOT_MS
 * of the county's clock, never the station's): one row a station a minute,
 * whatever it sends. */
static int
heartbeat_row(struct county_db *c, const char *station, const struct wire_heartbeat *h, int64_t now,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (store_prepare(c->db,
	        "INSERT INTO heartbeats (station, slot, at_ms, received_ms, backlog, oldest_ms,"
	        " last_ack, registry_version, status) VALUES (?,?,?,?,?,?,?,?,?)"
	        " ON CONFLICT (station, slot) DO UPDATE SET at_ms = excluded.at_ms,"
	        " received_ms = excluded.received_ms, backlog = excluded.backlog,"
	        " oldest_ms = excluded.oldest_ms, last_ack = excluded.last_ack,"
	        " registry_version = excluded.registry_version, status = excluded.status",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now / COUNTY_HEARTBEAT_SLOT_MS);
	sqlite3_bind_int64(st, 3, h->at_ms);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, h->backlog);
	sqlite3_bind_int64(st, 6, h->oldest_ms);
	sqlite3_bind_int64(st, 7, h->last_ack);
	sqlite3_bind_int64(st, 8, h->registry_version);
	sqlite3_bind_text(st, 9, h->status, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(c, err, errlen, "heartbeat");
}

/* A status without its leading "backlog N" (gasgw's station_status_format):
 * the backlog moves at every heartbeat and waits for the floor; what
 * follows it (records set aside, another text) is written at once. */
static const char *
status_rest(const char *s)
{
	if (strncmp(s, "backlog ", 8) != 0 || s[8] < '0' || s[8] > '9')
		return s;
	s += 8;
	while (*s >= '0' && *s <= '9')
		s++;
	return s + strspn(s, ", ");
}

enum county_beat
county_heartbeat_due(const struct county_beat_last *last, const struct wire_heartbeat *h,
    int changes, int64_t now, int64_t floor_ms)
{
	if (floor_ms <= 0 || last->written_ms <= 0 || now < last->written_ms ||
	    now - last->written_ms >= floor_ms)
		return COUNTY_BEAT_WRITE;
	if (!changes && h->registry_version == last->registry_version &&
	    strcmp(status_rest(h->status), status_rest(last->status)) == 0)
		return COUNTY_BEAT_SKIP;
	if (last->early_ms > 0 && now >= last->early_ms && now - last->early_ms < floor_ms)
		return COUNTY_BEAT_SKIP; /* one early write a floor: a flipping station */
	return COUNTY_BEAT_EARLY;
}

/* The station's last written heartbeat (county_beat_last) and its clock's
 * episode as held before this one (*alerted). */
static int
heartbeat_last(struct county_db *c, const char *station, struct county_beat_last *last,
    int *alerted, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(last, 0, sizeof(*last));
	*alerted = 0;
	if (store_prepare(c->db,
	        "SELECT heartbeat_early_ms, registry_version, status, clock_alerted FROM stations"
	        " WHERE id = ?",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		last->early_ms = sqlite3_column_int64(st, 0);
		last->registry_version = sqlite3_column_int64(st, 1);
		store_column_copy(st, 2, last->status, sizeof(last->status));
		*alerted = sqlite3_column_int(st, 3);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(c, err, errlen, "heartbeat");
	if (rc == SQLITE_DONE)
		return 0; /* no row: written_ms 0, written */
	if (store_prepare(c->db,
	        "SELECT received_ms FROM heartbeats WHERE station = ? ORDER BY slot DESC LIMIT 1",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, station, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		last->written_ms = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(c, err, errlen, "heartbeat");
	return 0;
}

/* The floor of county_heartbeat_due: heartbeat_min_s, never more than half
 * of c03_silent_s (a station answered from memory must not look silent). */
static int64_t
heartbeat_floor_ms(const struct county_config *cf)
{
	int64_t f = (int64_t)cf->heartbeat_min_s * 1000, half = (int64_t)cf->c03_silent_s * 500;

	return f < half ? f : half;
}

enum county_result
county_heartbeat(struct county_db *c, const char *station, const struct wire_heartbeat *h,
    int *new_alerts, int *written, char *err, size_t errlen)
{
	struct county_beat_last last;
	enum county_beat beat;
	int was_alerted;
	char township[WIRE_TOWNSHIP];
	int64_t now = time_wall_ms();
	enum county_result result;
	struct c14_verdict v;
	struct alert_in al;
	int raised = 0, fresh, pass;

	*new_alerts = 0;
	*written = 0;
	if (ingest_check_heartbeat(h, err, errlen) == -1)
		return COUNTY_REFUSED;
	/* judged first in a read transaction, which takes no write lock: a
	 * heartbeat answered without a write neither waits for gasweb's or the
	 * sweep's writes nor makes them wait (a flood would, at every one);
	 * one to be written is judged again under BEGIN IMMEDIATE, on what is
	 * held once the lock is ours */
	for (pass = heartbeat_floor_ms(c->config) > 0 ? 0 : 1;; pass++) {
		if (store_exec(c->db, pass == 0 ? "BEGIN" : "BEGIN IMMEDIATE", err, errlen) == -1)
			return COUNTY_ERROR;
		if ((result = station_township(c, station, h->township, township, sizeof(township),
		         &fresh, err, errlen)) != COUNTY_DONE) {
			store_rollback(c->db);
			return result;
		}
		if (heartbeat_last(c, station, &last, &was_alerted, err, errlen) == -1 ||
		    judge_c14(c, station, h->at_ms, now, &v, err, errlen) == -1)
			goto fail;
		/* a C14 raised is written whatever the floor: its next heartbeat
		 * may say a good clock and the episode would be lost (a raise
		 * comes at most once per COUNTY_C14_REPEAT_MS, so this costs a
		 * flood nothing) */
		beat = fresh || v.raise ? COUNTY_BEAT_WRITE
		                        : county_heartbeat_due(&last, h, v.alerted != was_alerted,
		                              now, heartbeat_floor_ms(c->config));
		if (beat == COUNTY_BEAT_SKIP) {
			/* judged and checked, nothing written: a rollback of
			 * reads costs the disk no sync */
			store_rollback(c->db);
			return COUNTY_DONE;
		}
		if (pass > 0)
			break;
		store_rollback(c->db);
	}
	if (heartbeat_station_row(c, station, township, h, &v, now,
	        beat == COUNTY_BEAT_EARLY ? now : last.early_ms, err, errlen) == -1)
		goto fail;
	if (v.raise) {
		al = (struct alert_in){ v.source, "C14", "alert", township, station, "", "", v.text,
			now };
		if ((raised = raise_alert(c, &al, err, errlen)) == -1)
			goto fail;
	}
	if (heartbeat_row(c, station, h, now, err, errlen) == -1)
		goto fail;
	if (store_commit(c->db, err, errlen) == -1)
		goto fail;
	if (fresh)
		first_contact_logged(station, township);
	*new_alerts = raised;
	*written = 1;
	return COUNTY_DONE;
fail:
	store_rollback(c->db);
	return -1;
}

/* A sweep's alert about a station (C03, C04), keyed by its rule, the
 * station and n, so that it is raised once: raise_alert's answer. */
static int
sweep_alert(struct county_db *c, const char *rule, const char *station, const char *township,
    int64_t n, const char *text, int64_t now, char *err, size_t errlen)
{
	char source[128];
	struct alert_in al;

	county_key(source, sizeof(source), rule, station, n);
	al = (struct alert_in){ source, rule, "alert", township, station, "", "", text, now };
	return raise_alert(c, &al, err, errlen);
}

int
county_sweep(struct county_db *c, int64_t now, int *new_alerts, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char station[WIRE_ID], township[WIRE_TOWNSHIP], text[WIRE_TEXT], when[TIMETEXT_MAX];
	int64_t seen, hwm, max_seq, since;
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
		snprintf(text, sizeof(text), _("station %s silent since %s"), station, when);
		if ((rc = sweep_alert(c, "C03", station, township, seen, text, now, err, errlen)) ==
		    -1) {
			sqlite3_finalize(st);
			goto fail;
		}
		raised += rc;
	}
	sqlite3_finalize(st);
	if (store_exec(c->db,
	        "UPDATE stations SET silent_alerted = 1 WHERE silent_alerted = 0"
	        " AND last_seen_ms > 0 AND EXISTS (SELECT 1 FROM alerts WHERE source ="
	        " 'county:C03:' || stations.id || ':' || stations.last_seen_ms)",
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
		    _("station %s: record %lld missing since %s (held up to %lld)"), station,
		    (long long)hwm + 1, when, (long long)max_seq);
		if ((rc = sweep_alert(c, "C04", station, township, hwm, text, now, err, errlen)) ==
		    -1) {
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

	/* heartbeats past their keep time, a bounded number a sweep */
	if (c->config->heartbeat_keep_days > 0) {
		if (store_prepare(c->db,
		        "DELETE FROM heartbeats WHERE id IN (SELECT id FROM heartbeats"
		        " WHERE slot < ? LIMIT ?)",
		        &st, err, errlen) == -1)
			goto fail;
		sqlite3_bind_int64(st, 1,
		    (now - (int64_t)c->config->heartbeat_keep_days * 86400000) /
		        COUNTY_HEARTBEAT_SLOT_MS);
		sqlite3_bind_int(st, 2, COUNTY_HEARTBEAT_PRUNE);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE) {
			db_error(c, err, errlen, "heartbeats");
			goto fail;
		}
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

int
county_queue(struct county_db *c, const char *identity, int64_t since, size_t max,
    struct wire_alert_list *out, char *err, size_t errlen)
{
	struct audit_row audit;

	if (county_alerts(c, "county", since, max, out, err, errlen) == -1)
		return -1;
	/* every station's conflicts are every tenant's data: who looked, and when */
	audit =
	    (struct audit_row){ identity, "queue", "county", since, 0, (int64_t)out->count, NULL };
	if (audit_write(c, &audit, err, errlen) == -1) {
		wire_alerts_free(out);
		return -1;
	}
	return 0;
}

/* A disposition's share of identity's bound of 24 hours (writequota.h), in
 * the disposition's transaction. */
static enum county_result
dispose_bound(struct county_db *c, const char *identity, int64_t now, char *err, size_t errlen)
{
	const struct writequota_use use = { 1, 0 };

	return writequota_take(c, identity, &use, now, NULL, err, errlen);
}

/* After a disposition refused by dispose_bound was rolled back: C18 once a
 * window (writequota_refused); a failure to raise it is logged. */
static void
dispose_bound_said(struct county_db *c, const char *identity, int64_t now)
{
	char why[256];

	if (writequota_refused(c, identity, now, why, sizeof(why)) == -1)
		log_warnx("%s: C18 not raised: %s", identity, why);
}

enum county_result
county_dispose(struct county_db *c, const struct access_scope *scope, const char *identity,
    const struct wire_disposition *d, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char owner[WIRE_TOWNSHIP];
	enum county_result result = COUNTY_ERROR;
	int64_t now = time_wall_ms();
	int rc;

	/* the note is shown with the alert and rendered as JSON for gaswatch, where bytes that
	 * are not UTF-8 would fail the whole list it is in: text, as a case's notes are */
	if (!casemsg_text_ok(d->note, strlen(d->note), 1)) {
		err_set(err, errlen, "note: not UTF-8 text");
		return COUNTY_REFUSED;
	}
	/* and stored and shown as it is: no buyer's number in it (as a case's notes) */
	if (buyer_text_has_number(d->note, strlen(d->note))) {
		err_set(err, errlen,
		    "note holds what looks like a resident ID or credit code: name a buyer by the "
		    "masked form, never the number");
		return COUNTY_REFUSED;
	}
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
	sqlite3_bind_int64(st, 4, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		db_error(c, err, errlen, "disposition");
		goto out;
	}
	/* each row is kept for years: one key's dispositions of 24 hours are
	 * bounded with its case steps (writequota.h; COUNTY_BUSY: nothing kept) */
	if ((result = dispose_bound(c, identity, now, err, errlen)) != COUNTY_DONE)
		goto out;
	result = COUNTY_ERROR;
	if (store_commit(c->db, err, errlen) == -1)
		goto out;
	return COUNTY_DONE;
out:
	store_rollback(c->db);
	if (result == COUNTY_BUSY)
		dispose_bound_said(c, identity, now);
	return result;
}

/* ---- traces ---------------------------------------------------------------------- */

/*
 * One trace query: the fills, the other records (refusals, events) and the
 * life events that match, merged in the order every trace has (time,
 * station, seq) and cut after the cursor.  Each part is its own statement,
 * ordered and cut on its own, so that an index walks only the rows a page
 * needs; trace_merge below merges the three as they are stepped.
 * Parameters: ?1 key, ?2 from, ?3 to, ?4 ?5 ?6 the cursor (time, station,
 * seq), ?7 how many rows.  Columns: uuid, station, seq, kind, the time the
 * order uses, created_ms, a fill's RECORDROWS_FILL_COLUMNS (NULL for the
 * others), then TRACE_MAY_HAVE_VIOLATIONS: 0 when the record has none.
 *
 * That last column spares a fill without violations (98 % of them in the
 * benchmark's county) the statement that reads a record's violations: the
 * fills' part asks the violations' event index in the same walk, and only
 * the fills it finds there, and every record of the other two parts (few,
 * and some parts are sorted whole before their first row, where a probe
 * per row would be paid for rows no page takes), are read for them.
 *
 * The parts were once one statement, their UNION ALL ordered again: SQLite
 * then copied every row of each part into a temporary B-tree of its own to
 * merge them (its plan: "USE TEMP B-TREE FOR ORDER BY" under each part's
 * scan), three such trees made and dropped for every trace, about an
 * eighth of a trace's CPU for rows already in order.
 *
 * A fill stored since migration 012 carries its record's kind and
 * created_ms (record_kind, record_created_ms), so the fills' part reads no
 * record for it: about half of that part's pages (docs/county.md, "A fill
 * carries its record's time").  What the join checked (that the fill is
 * shown with its own record: the one at its (station, seq) with its uuid)
 * holds for such a fill by how it was written: only the ingest writes the
 * columns, from the record it stored just before in the same transaction
 * with the same uuid, station and seq, and a record is never changed or
 * deleted.  A fill stored before 012 has NULL there, and its record is
 * joined as before, by its primary key (station, seq) and checked by its
 * uuid; one whose record is not found is not shown, as with the inner
 * join this was (test_county's a_trace_over_fills_old_and_new_is_the_same).
 * The join's key is NULL for a fill that carries its record's columns:
 * SQLite skips the search of a NULL key (an = never matches it), where a
 * condition on f alone in the ON clause is tested only after the search
 * (test_county's a_fill_carries_its_records_time counts the pages).
 *
 * A refusal or an event may come with a fill (the wire allows it, the
 * ingest keeps it); it is then one of the fills' part's rows, at its
 * fill's start and with its fill.  The other records' part leaves out a
 * record whose fill the fills' part shows in the same trace (the fill of
 * the query's key, started in from..to, with its record's columns or with
 * its record found at its (station, seq), as that part has it): without
 * that, such a record named by a violation too (or any such record in a
 * station trace) came twice, once at each of its two times
 * (test_county's a_record_with_a_fill_and_a_violation_is_traced_once).
 * The test is not bound to the cursor, so the record stays in one place
 * from page to page; the fill is searched by its uuid (the fills' primary
 * key index) for each row of that part, rows that are few in cylinder and
 * buyer traces.  A record whose fill the trace does not show (another
 * cylinder's, or started outside from..to) is still shown by its own time.
 *
 * What keeps a trace's cost flat as the county grows (test_county's
 * a_trace_reads_no_whole_table): a fill's record, when it is read, is
 * found by its primary key (station, seq), one B-tree walk, not through
 * the uuid index and then the key (two); and the violations' cylinder and
 * buyer indexes are partial (WHERE cylinder <> ''), which SQLite uses only
 * when the query itself says the key is not '' (a bound ?1 proves
 * nothing), so the conditions below say it: without them every trace read
 * the whole violations table, 20,000 rows among 1,000,000 fills.
 */
#define TRACE_FILLS(where)                                                                         \
	"SELECT f.uuid, f.station, f.seq, coalesce(f.record_kind, r.kind), f.started_ms AS t,"     \
	" coalesce(f.record_created_ms, r.created_ms), f.line,"                                    \
	" f.cylinder, f.buyer, f.buyer_masked, f.buyer_township, f.buyer_kind, f.operator,"        \
	" f.started_ms, f.ended_ms, f.tare_kg, f.target_kg, f.preact_kg, f.cutoff_kg, f.gross_kg," \
	" f.net_kg, f.result, EXISTS (SELECT 1 FROM violations v WHERE v.event = f.uuid)"          \
	" FROM fills f LEFT JOIN records r"                                                        \
	" ON r.station = CASE WHEN f.record_created_ms IS NULL THEN f.station END"                 \
	" AND r.seq = f.seq AND r.uuid = f.uuid"                                                   \
	" WHERE (f.record_created_ms IS NOT NULL OR r.station IS NOT NULL) AND " where             \
	" AND f.started_ms >= max(?2, ?4) AND f.started_ms <= ?3"                                  \
	" AND (f.started_ms, f.station, f.seq) > (?4, ?5, ?6) ORDER BY 5, 2, 3 LIMIT ?7"
#define TRACE_OTHERS(where, fill_where)                                                            \
	"SELECT r.uuid, r.station, r.seq, r.kind, r.created_ms AS t, r.created_ms, NULL, NULL,"    \
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1"   \
	" FROM records r WHERE r.kind <> 'fill' AND " where                                        \
	" AND r.created_ms >= max(?2, ?4) AND r.created_ms <= ?3"                                  \
	" AND (r.created_ms, r.station, r.seq) > (?4, ?5, ?6)"                                     \
	" AND NOT EXISTS (SELECT 1 FROM fills f WHERE f.uuid = r.uuid AND " fill_where             \
	" AND f.started_ms >= ?2 AND f.started_ms <= ?3 AND (f.record_created_ms IS NOT NULL"      \
	" OR (f.station = r.station AND f.seq = r.seq))) ORDER BY 5, 2, 3 LIMIT ?7"
/* A cylinder's life events (life.h) take their place in a trace as records
 * of kind life: source as the station, its seq, and as their time the one
 * the county took them at (rule_ms: a device's at_ms bounded, C17), which
 * the answer carries beside the device's at_ms (wire_life.taken_ms).
 * Until review rev102 the device's at_ms placed and filtered them: a phone
 * 20 hours ahead put its hand-over after the station's receipt of the
 * empty, and one back-dated to 2001, taken now, was missing from a trace
 * of the day it came.  The indexes by serial and by buyer hold rule_ms
 * (migration 023; the buyer's is partial, hence buyer <> ''). */
#define TRACE_LIFE(where)                                                                          \
	"SELECT l.uuid, l.source, l.seq, 'life', l.rule_ms AS t, l.at_ms, NULL, NULL, NULL, NULL," \
	" NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1"               \
	" FROM life_events l WHERE " where " AND l.rule_ms >= max(?2, ?4) AND l.rule_ms <= ?3"     \
	" AND (l.rule_ms, l.source, l.seq) > (?4, ?5, ?6) ORDER BY 5, 2, 3 LIMIT ?7"

#define TRACE_PARTS 3 /* fills, other records, life events: the order ties are broken in */
#define TRACE_MAY_HAVE_VIOLATIONS (6 + RECORDROWS_FILL_COLUMNS)

static const struct {
	const char *query;
	const char *sql[TRACE_PARTS];
} trace_kinds[] = {
	{ "cylinder", { TRACE_FILLS("f.cylinder = ?1"),
	                  TRACE_OTHERS("r.uuid IN (SELECT event FROM violations WHERE cylinder = ?1"
	                               " AND cylinder <> '')",
	                      "f.cylinder = ?1"),
	                  TRACE_LIFE("l.serial = ?1") } },
	{ "buyer", { TRACE_FILLS("f.buyer = ?1"),
	               TRACE_OTHERS("r.uuid IN (SELECT event FROM violations WHERE buyer = ?1"
	                            " AND buyer <> '')",
	                   "f.buyer = ?1"),
	               TRACE_LIFE("l.buyer = ?1 AND l.buyer <> ''") } },
	{ "station",
	    { TRACE_FILLS("f.station = ?1"), TRACE_OTHERS("r.station = ?1", "f.station = ?1"),
	        TRACE_LIFE("l.source = ?1") } },
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

/*
 * The order of two parts' current rows, as the statements' ORDER BY 5, 2, 3
 * has it: the time (an integer: every time column is NOT NULL INTEGER
 * milliseconds), then the station as text in SQLite's BINARY collation
 * (memcmp, then the shorter first), then seq.  < 0 when a comes first.
 */
static int
trace_order(sqlite3_stmt *a, sqlite3_stmt *b)
{
	int64_t x = sqlite3_column_int64(a, 4), y = sqlite3_column_int64(b, 4);
	const unsigned char *sa, *sb;
	int la, lb, d;

	if (x != y)
		return x < y ? -1 : 1;
	sa = sqlite3_column_text(a, 1);
	sb = sqlite3_column_text(b, 1);
	la = sqlite3_column_bytes(a, 1);
	lb = sqlite3_column_bytes(b, 1);
	d = memcmp(sa != NULL ? sa : (const unsigned char *)"",
	    sb != NULL ? sb : (const unsigned char *)"", (size_t)(la < lb ? la : lb));
	if (d != 0 || la != lb)
		return d != 0 ? d : la - lb;
	x = sqlite3_column_int64(a, 2);
	y = sqlite3_column_int64(b, 2);
	return x < y ? -1 : x > y;
}

/*
 * Merge the parts' rows into out->records, at most max + 1 of them, in the
 * order above; a tie between parts goes to the earlier part (as SQLite's
 * UNION ALL merge did).  Each part is stepped only as far as the merge
 * takes its rows.  The bit of each record known to have no violations is
 * set in clean (zeroed by the caller).  0, or -1 with err.
 */
static int
trace_merge(struct county_db *c, sqlite3_stmt *const st[TRACE_PARTS], size_t max,
    struct wire_trace *out, uint64_t *clean, char *err, size_t errlen)
{
	int live[TRACE_PARTS], rc, i, next;

	for (i = 0; i < TRACE_PARTS; i++) {
		rc = sqlite3_step(st[i]);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_error(c, err, errlen, "trace");
		live[i] = rc == SQLITE_ROW;
	}
	while (out->count <= max) {
		next = -1;
		for (i = 0; i < TRACE_PARTS; i++)
			if (live[i] && (next == -1 || trace_order(st[i], st[next]) < 0))
				next = i;
		if (next == -1)
			break;
		memset(&out->records[out->count], 0, sizeof(out->records[0]));
		if (sqlite3_column_int(st[next], TRACE_MAY_HAVE_VIOLATIONS) == 0)
			clean[out->count / 64] |= (uint64_t)1 << (out->count % 64);
		trace_row(st[next], &out->records[out->count++]);
		if (out->count > max)
			break; /* the row that says there is more: none after it is needed */
		rc = sqlite3_step(st[next]);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return db_error(c, err, errlen, "trace");
		live[next] = rc == SQLITE_ROW;
	}
	return 0;
}

/*
 * 1 if the county knows station id: it registered it or heard from it (a
 * stations row, which every record of its references), or holds a life
 * event it sent (a delivery device, traced by its identity, has no
 * stations row); 0 if not; -1 with err.  Both look-ups are by key
 * (stations' id, life_events_source).
 */
static int
station_known(struct county_db *c, const char *id, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc, known;

	if (store_cached(c->db,
	        "SELECT EXISTS (SELECT 1 FROM stations WHERE id = ?1)"
	        " OR EXISTS (SELECT 1 FROM life_events WHERE source = ?1)",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	known = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) != 0 : -1;
	store_release(st);
	if (known == -1)
		return db_error(c, err, errlen, "station");
	return known;
}

enum county_result
county_trace(struct county_db *c, const char *identity, const char *query, const char *key,
    int64_t from_ms, int64_t to_ms, const struct wire_cursor *after, struct wire_trace *out,
    char *err, size_t errlen)
{
	sqlite3_stmt *st[TRACE_PARTS] = { NULL, NULL, NULL }, *vst = NULL;
	uint64_t clean[(WIRE_MAX_RECORDS + 1 + 63) / 64] = { 0 };
	struct audit_row audit;
	size_t max = (size_t)c->config->max_trace, i, kind;
	int snapshot = 0, part, known = 1;

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
	/* one row more than an answer holds: it says whether there is more.
	 * Allocated whole (3 MB at max_trace 2000) but zeroed a record at a
	 * time as it is filled (wire_trace_free frees only the first count):
	 * an array grown from a few dozen was measured (1,000,000 fills) to
	 * take twice the CPU per trace, as glibc gave the smaller heap back to
	 * the kernel after each answer and the next faulted it in again, and
	 * zeroing the whole array took a tenth of a trace. */
	if ((out->records = malloc((max + 1) * sizeof(*out->records))) == NULL)
		return err_set(err, errlen, "out of memory");
	/* the reads in one snapshot (and one lock, not one per statement);
	 * the audit row is written after it, in its own transaction.  A
	 * caller's open transaction is used as it is. */
	if (sqlite3_get_autocommit(c->db)) {
		if (store_exec(c->db, "BEGIN", err, errlen) == -1)
			goto fail;
		snapshot = 1;
	}
	/* a station the county does not know is said to be unknown, not
	 * answered "0 records" as if it had sent nothing (a mistyped id) */
	if (strcmp(query, "station") == 0 && (known = station_known(c, key, err, errlen)) != 1) {
		if (known == -1)
			goto fail;
		goto looked;
	}
	/* the same texts every time: prepared once per connection */
	for (part = 0; part < TRACE_PARTS; part++) {
		if (store_cached(c->db, trace_kinds[kind].sql[part], &st[part], err, errlen) == -1)
			goto fail;
		sqlite3_bind_text(st[part], 1, key, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st[part], 2, from_ms);
		sqlite3_bind_int64(st[part], 3, to_ms);
		sqlite3_bind_int64(st[part], 4, after != NULL ? after->at_ms : INT64_MIN);
		sqlite3_bind_text(st[part], 5, after != NULL ? after->station : "", -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(st[part], 6, after != NULL ? after->seq : 0);
		sqlite3_bind_int64(st[part], 7, (int64_t)max + 1);
	}
	if (trace_merge(c, st, max, out, clean, err, errlen) == -1)
		goto fail;
	for (part = 0; part < TRACE_PARTS; part++) {
		store_release(st[part]);
		st[part] = NULL;
	}
	if (out->count > max) {
		/* the extra row is not sent: it only proves there is more */
		out->count = max;
		memset(&out->records[max], 0, sizeof(out->records[max]));
		out->more = 1;
	}
	if (store_cached(c->db,
	        "SELECT uuid, rule, severity, township, details, cylinder, buyer, buyer_masked,"
	        " line, at_ms FROM violations WHERE event = ? ORDER BY at_ms, uuid",
	        &vst, err, errlen) == -1)
		goto fail;
	for (i = 0; i < out->count; i++)
		if (!(clean[i / 64] & (uint64_t)1 << (i % 64)) &&
		    recordrows_violations(vst, &out->records[i], err, errlen) == -1)
			goto fail;
	store_release(vst);
	vst = NULL;
	/* the life part, read as a station reads its own (liferows.h: the
	 * county keeps the place in degrees, the rows' form in millionths) */
	if (store_cached(c->db,
	        "SELECT event, serial, code, actor, worker, buyer, buyer_masked, buyer_township,"
	        " buyer_kind, village, CAST(round(lat * 1e6) AS INTEGER),"
	        " CAST(round(lon * 1e6) AS INTEGER), result, next_due, reason, at_ms, rule_ms,"
	        " counts FROM life_events WHERE uuid = ?",
	        &vst, err, errlen) == -1)
		goto fail;
	for (i = 0; i < out->count; i++)
		if (strcmp(out->records[i].kind, "life") == 0 &&
		    liferows_read(vst, &out->records[i], err, errlen) == -1)
			goto fail;
	store_release(vst);
	vst = NULL;
	if (out->more) {
		/* named only now: a life step's place in the order is the county's
		 * time (taken_ms, read just above), not the device's at_ms */
		struct wire_cursor next;

		wire_cursor_of(&out->records[out->count - 1], &next);
		wire_cursor_format(&next, out->next);
	}
looked:
	if (snapshot) {
		snapshot = 0;
		if (store_exec(c->db, "COMMIT", err, errlen) == -1)
			goto fail;
	}

	/* the audit row: who asked what, when, from where on, and how much they saw
	 * (an unknown station's look too: what the county knows is tenants' data) */
	audit = (struct audit_row){ identity, query, key, from_ms, to_ms, (int64_t)out->count,
		out->after };
	if (audit_write(c, &audit, err, errlen) == -1)
		goto fail;
	if (!known) {
		wire_trace_free(out);
		return COUNTY_NOT_FOUND;
	}
	return COUNTY_DONE;
fail:
	for (part = 0; part < TRACE_PARTS; part++)
		store_release(st[part]);
	store_release(vst);
	if (snapshot)
		store_rollback(c->db);
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
	        " status, coalesce(clock_skew_ms, 0), clock_alerted FROM stations ORDER BY id"
	        " LIMIT ?",
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
		s->clock_skew_ms = sqlite3_column_int64(st, 8);
		s->clock_wrong = sqlite3_column_int(st, 9) != 0;
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
county_registry_since(struct county_db *c, const char *station, int64_t since, size_t max,
    struct wire_registry *out, char *err, size_t errlen)
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
	        "SELECT serial, CASE WHEN EXISTS (SELECT 1 FROM registry_holds h"
	        " WHERE h.serial = registry.serial AND h.source = ?3) THEN 'scrapped'"
	        " ELSE status END, last_inspection, next_inspection, owner, version"
	        " FROM registry WHERE version > ?1 ORDER BY version LIMIT ?2",
	        &st, err, errlen) == -1)
		goto fail;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, (int64_t)max + 1);
	/* a scrap of station's C15 held back: scrapped to it alone */
	sqlite3_bind_text(st, 3, station != NULL ? station : "", -1, SQLITE_STATIC);
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
	char stored[16] = "";

	if (store_begin(c->db, err, errlen) == -1)
		return -1;
	/* what an import would refuse is refused here too: stations pull this row */
	if (store_prepare(c->db, "SELECT last_inspection FROM registry WHERE serial = ?", &st, err,
	        errlen) == -1) {
		store_rollback(c->db);
		return -1;
	}
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
		str_copy(stored, (const char *)sqlite3_column_text(st, 0), sizeof(stored));
	sqlite3_finalize(st);
	if (registry_check_set(serial, status, last_inspection, next_inspection, stored, owner, err,
	        errlen) == -1) {
		store_rollback(c->db);
		return -1;
	}
	if (county_registry_write(c, serial, status, last_inspection, next_inspection, owner, &by,
	        err, errlen) == -1) {
		store_rollback(c->db);
		return -1;
	}
	/* a person set its status: the scraps C15 held back are decided */
	if (status != NULL) {
		if (store_prepare(c->db, "DELETE FROM registry_holds WHERE serial = ?", &st, err,
		        errlen) == -1) {
			store_rollback(c->db);
			return -1;
		}
		sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			store_rollback(c->db);
			return db_error(c, err, errlen, "registry holds");
		}
		sqlite3_finalize(st);
	}
	return store_commit(c->db, err, errlen) == -1 ? (store_rollback(c->db), -1) : 0;
}

int
county_registry_write(struct county_db *c, const char *serial, const char *status,
    const char *last_inspection, const char *next_inspection, const char *owner,
    const struct history_by *by, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

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
		return -1;
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
	if (rc != SQLITE_DONE)
		return db_error(c, err, errlen, "registry");
	return history_note(c->db, serial, by, err, errlen);
}

int
county_raise_alert(struct county_db *c, const struct county_alert *a, char *err, size_t errlen)
{
	const struct alert_in al = { a->source, a->rule, a->severity, a->township, a->station,
		a->cylinder, a->masked, a->text, a->at_ms };

	return raise_alert(c, &al, err, errlen);
}

int
county_township_known(const struct county_db *c, const char *code)
{
	return township_known(c, code);
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
/* The rows an import tells once it is over: each rejected or kept-scrapped
 * row's line and reason (at why in text), in file order. */
struct import_notes {
	struct import_note {
		unsigned long line;
		size_t why;
		int kept; /* kept scrapped: told only of an import that committed */
	} * rows;
	size_t n, cap;
	char *text;
	size_t len, text_cap;
};

/* Keep one row to tell.  0, or -1 (out of memory). */
static int
import_note(struct import_notes *notes, unsigned long line, const char *why, int kept)
{
	size_t need = strlen(why) + 1;

	if (notes->n == notes->cap) {
		size_t cap = notes->cap == 0 ? 64 : notes->cap * 2;
		struct import_note *rows = realloc(notes->rows, cap * sizeof(*rows));

		if (rows == NULL)
			return -1;
		notes->rows = rows;
		notes->cap = cap;
	}
	if (notes->len + need > notes->text_cap) {
		size_t cap = notes->text_cap == 0 ? 4096 : notes->text_cap;
		char *text;

		while (cap < notes->len + need)
			cap *= 2;
		if ((text = realloc(notes->text, cap)) == NULL)
			return -1;
		notes->text = text;
		notes->text_cap = cap;
	}
	memcpy(notes->text + notes->len, why, need);
	notes->rows[notes->n++] = (struct import_note){ line, notes->len, kept };
	notes->len += need;
	return 0;
}

/* Tell io the rows kept, once the import is over: all of them when it
 * committed; when it failed, only the rejected ones (committed 0: rows to
 * fix, not rows skipped; nothing was imported).  Without io->reject,
 * FILE:LINE: reason on stderr. */
static void
import_tell(const struct county_import_io *io, const char *path, const struct import_notes *notes,
    int committed)
{
	size_t i;

	for (i = 0; i < notes->n; i++) {
		const struct import_note *x = &notes->rows[i];

		if (x->kept && !committed)
			continue;
		if (io != NULL && io->reject != NULL)
			io->reject(io->arg, path, x->line, notes->text + x->why, committed);
		else
			fprintf(stderr, "%s:%lu: %s%s\n", path, x->line,
			    committed ? "" : "(not imported: the import failed) ",
			    notes->text + x->why);
	}
}

int
county_registry_import(struct county_db *c, const char *path, int cycle_years, const char *actor,
    const struct county_import_io *io, struct county_import_result *res, char *err, size_t errlen)
{
	char where[HISTORY_DETAIL_MAX + 1];
	const struct history_by by = { "import", actor, where };
	struct registry_columns cols;
	struct registry_row row;
	struct csv_reader *reader = NULL;
	struct csv_row cr;
	struct import_notes notes = { 0 };
	struct registry_serials *seen = NULL;
	sqlite3_stmt *st = NULL, *held = NULL;
	char reason[256], last[11], next[11], was[16];
	unsigned long first;
	const char *status;
	FILE *fp;
	struct stat sb;
	unsigned long long size = 0;
	int rc = -1, got, header = 0;

	memset(res, 0, sizeof(*res));
	if ((fp = fopen(path, "r")) == NULL)
		return err_set(err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode))
		size = (unsigned long long)sb.st_size;
	if ((reader = csv_open(fp)) == NULL || (seen = registry_serials_new()) == NULL) {
		csv_close(reader);
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
	        &st, err, errlen) == -1 ||
	    store_prepare(c->db, "SELECT status FROM registry WHERE serial = ?", &held, err,
	        errlen) == -1)
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
			if (import_note(&notes, cr.line, reason, 0) == -1)
				goto no_memory;
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
		if (io != NULL && io->progress != NULL)
			io->progress(io->arg, csv_offset(reader), size, res->rows);
		if (registry_parse_row(&cols, &cr, NULL, 0, &row, reason, sizeof(reason)) == -1) {
			if (import_note(&notes, cr.line, reason, 0) == -1)
				goto no_memory;
			res->rejected++;
			continue;
		}
		/* a serial twice in one file: the first row is taken and the
		 * second named, as a station's import does (registry.h) */
		switch (registry_serials_add(seen, row.serial, cr.line, &first)) {
		case REGISTRY_SERIAL_NO_MEMORY:
			goto no_memory;
		case REGISTRY_SERIAL_SEEN:
			snprintf(reason, sizeof(reason),
			    "serial %s appears again (first on line %lu)", row.serial, first);
			if (import_note(&notes, cr.line, reason, 0) == -1)
				goto no_memory;
			res->rejected++;
			continue;
		case REGISTRY_SERIAL_ADDED:
			break;
		}
		last[0] = '\0';
		if (row.last_inspection >= 0)
			date_format(row.last_inspection, last);
		date_format(registry_next_inspection(&row, cycle_years), next);
		/* a scrap is the county's decision about one cylinder (a station's
		 * scrap, a failed inspection, registry set): a file, perhaps older
		 * than it, does not undo it; the rest of the row is taken */
		sqlite3_reset(held);
		sqlite3_bind_text(held, 1, row.serial, -1, SQLITE_STATIC);
		was[0] = '\0';
		if ((got = sqlite3_step(held)) == SQLITE_ROW)
			store_column_copy(held, 0, was, sizeof(was));
		else if (got != SQLITE_DONE) {
			err_set(err, errlen, "%s:%lu: database refused the row: %s", path, cr.line,
			    sqlite3_errmsg(c->db));
			goto rollback;
		}
		status = row.status;
		if (strcmp(was, "scrapped") == 0 && strcmp(row.status, "scrapped") != 0) {
			status = "scrapped";
			res->kept_scrapped++;
			snprintf(reason, sizeof(reason),
			    "%s is scrapped in the registry and stays so (the file says %s; "
			    "gascounty registry set %s --status %s brings it back); the rest of "
			    "the row is taken",
			    row.serial, row.status, row.serial, row.status);
			if (import_note(&notes, cr.line, reason, 1) == -1)
				goto no_memory;
		}
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, row.serial, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, last, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, next, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, row.owner, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, time_wall_ms());
		if (sqlite3_step(st) != SQLITE_DONE) {
			err_set(err, errlen, "%s:%lu: database refused the row: %s", path, cr.line,
			    sqlite3_errmsg(c->db));
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
	sqlite3_finalize(held);
	st = held = NULL;
	if (store_commit(c->db, err, errlen) == -1)
		goto rollback;
	rc = 0;
	goto out;
no_memory:
	err_set(err, errlen, "%s:%lu: out of memory", path, cr.line);
rollback:
	sqlite3_finalize(st);
	sqlite3_finalize(held);
	store_rollback(c->db);
out:
	/* told once the outcome is known: a row said kept scrapped is in */
	import_tell(io, path, &notes, rc == 0);
	registry_serials_free(seen);
	free(notes.rows);
	free(notes.text);
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
