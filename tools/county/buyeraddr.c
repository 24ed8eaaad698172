/*
 * buyeraddr: see buyeraddr.h.
 */
#include "buyeraddr.h"

#include <stdio.h>
#include <string.h>

#include "casedetail.h"
#include "ingestcheck.h"
#include "store.h"
#include "util.h"

int
buyeraddr_store(struct county_db *c, const char *fill, const char *township, const char *address,
    int64_t now_ms, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (address[0] == '\0' || township[0] == '\0')
		return 0;
	if (store_prepare(c->db,
	        "INSERT OR IGNORE INTO buyer_addresses (fill, township, address, received_ms)"
	        " VALUES (?, ?, ?, ?)",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, fill, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, township, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return err_set(err, errlen, "buyer address: %s", sqlite3_errmsg(c->db));
	return 0;
}

/* 1 if the case is the one the address was kept for: its alert behind the fill is of a rule
 * routed to the buyer's township (R11; ingestcheck.c's table, as when the address was kept)
 * and was routed to the township the address was kept for.  Not the station's township's case
 * about the same fill (R05, R10...), even when the buyer lives in the station's township. */
static int
kept_here(const struct buyeraddr_case *k)
{
	const struct ingest_rule *rule;

	if (k == NULL || k->kept_for == NULL || k->alerted == NULL || k->rule == NULL ||
	    k->kept_for[0] == '\0' || strcmp(k->alerted, k->kept_for) != 0)
		return 0;
	rule = ingest_rule_find(k->rule);
	return rule != NULL && rule->route == INGEST_ROUTE_BUYER;
}

int
buyeraddr_may_see(const struct access_identity *who, const struct buyeraddr_case *k)
{
	return who != NULL && who->role == ACCESS_ROLE_OFFICER && kept_here(k) &&
	       k->assigned != NULL && strcmp(who->township, k->assigned) == 0;
}

/* The rules routed to the buyer's township as ",R11," (ingestcheck.c's table): EXPIRE_SQL's
 * ?2, so that the erasure judges which case needs an address as kept_here does. */
static void
buyer_rules(char *out, size_t size)
{
	const struct ingest_rule *row;
	size_t used = 0;

	out[0] = '\0';
	for (row = ingest_station_rules; row->rule != NULL; row++)
		if (row->route == INGEST_ROUTE_BUYER && used < size)
			used += (size_t)snprintf(out + used, size - used, ",%s", row->rule);
	if (used < size)
		snprintf(out + used, size - used, ",");
}

/*
 * The fill's kept address and where case ?2 stands towards it
 * (struct buyeraddr_case): the address's township and text, the case's
 * township now, and the township and rule of alert x, the case's alert
 * behind the fill it shows when that fill is ?1 (casedetail.h's
 * CASEDETAIL_FIRST_FILL, the query by which the case finds the fill it
 * shows), else none (NULL).
 */
#define SHOW_SQL                                                                                   \
	"SELECT b.township, b.address, k.township, x.township, x.rule"                             \
	" FROM (SELECT * FROM buyer_addresses WHERE fill = ?1) b"                                  \
	" LEFT JOIN cases k ON k.id = ?2 LEFT JOIN alerts x ON x.id ="                             \
	" (SELECT CASE f.uuid WHEN b.fill THEN a.id END" CASEDETAIL_FIRST_FILL("k.id") ")"

/* The townships and rule of a struct buyeraddr_case, as read. */
struct place {
	char kept_for[64], alerted[64], assigned[64], rule[16];
};

/* Read SHOW_SQL for fill on case_id: the address into out, the townships and rule into p; all ""
 * when no address is kept for fill (kept_for is never "" in a row: buyeraddr_store).  0, or
 * -1 with err. */
static int
show_read(struct county_db *c, const char *fill, int64_t case_id, char *out, size_t size,
    struct place *p, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	out[0] = p->kept_for[0] = p->alerted[0] = p->assigned[0] = p->rule[0] = '\0';
	if (store_prepare(c->db, SHOW_SQL, &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, fill, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, case_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		store_column_copy(st, 0, p->kept_for, sizeof(p->kept_for));
		store_column_copy(st, 1, out, size);
		store_column_copy(st, 2, p->assigned, sizeof(p->assigned));
		store_column_copy(st, 3, p->alerted, sizeof(p->alerted));
		store_column_copy(st, 4, p->rule, sizeof(p->rule));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(err, errlen, "buyer address: %s", sqlite3_errmsg(c->db));
	return 0;
}

int
buyeraddr_show(struct county_db *c, const struct access_identity *who, int64_t case_id,
    const char *fill, int64_t now_ms, char *out, size_t size, int *erased, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	struct place p;
	const struct buyeraddr_case k = { p.kept_for, p.alerted, p.assigned, p.rule };
	int own = 0, logged = 0, ret = -1, rc;

	out[0] = '\0';
	*erased = 0;
	if (who == NULL || fill == NULL || fill[0] == '\0' ||
	    (who->role != ACCESS_ROLE_OFFICER && who->role != ACCESS_ROLE_REGULATOR))
		return 0;
	if (show_read(c, fill, case_id, out, size, &p, err, errlen) == -1)
		goto out;
	ret = 0;
	/* a kept row with no text: erased after its keep time (buyeraddr_store keeps none empty);
	 * said on the case it was kept for only (another case never had it) */
	if (p.kept_for[0] != '\0' && out[0] == '\0')
		*erased = kept_here(&k) &&
		          (who->role == ACCESS_ROLE_REGULATOR || buyeraddr_may_see(who, &k));
	if (out[0] == '\0' || !buyeraddr_may_see(who, &k))
		goto out;
	/* to be shown: read again and log in one write transaction, so that the case's township
	 * that decides is the one it has when the row is written, whatever another connection
	 * (gasweb and gascounty share the file) committed meanwhile */
	ret = -1;
	if (sqlite3_get_autocommit(c->db)) {
		if (store_begin(c->db, err, errlen) == -1)
			goto out;
		own = 1;
		if (show_read(c, fill, case_id, out, size, &p, err, errlen) == -1)
			goto out;
		ret = 0;
		if (out[0] == '\0' || !buyeraddr_may_see(who, &k))
			goto out;
		ret = -1;
	}
	/* the showing is logged before the address is given: no row, no address */
	if (store_prepare(c->db,
	        "INSERT INTO buyer_address_views (case_id, fill, identity, at_ms)"
	        " VALUES (?, ?, ?, ?)",
	        &st, err, errlen) == -1)
		goto out;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_text(st, 2, fill, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, who->identity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		err_set(err, errlen, "buyer address log: %s", sqlite3_errmsg(c->db));
		goto out;
	}
	if (own) {
		own = 0;
		if (store_commit(c->db, err, errlen) == -1) /* rolled back: no row */
			goto out;
	}
	logged = 1;
	ret = 0;
out:
	if (own) /* nothing written that is to be kept */
		store_rollback(c->db);
	if (!logged)
		memset(out, 0, size);
	return ret;
}

/*
 * The addresses buyeraddr_expire erases (buyeraddr.h says which): ?1 is the
 * end of the keep time (now - keep_days), ?2 the rules routed to the buyer
 * (buyer_rules: ",R11,").  "The fill behind a case's first alert" is
 * casedetail.h's CASEDETAIL_FIRST_FILL, the very query by which a case
 * finds the fill (and so the address) it shows, and that alert must be the
 * one the address was kept for (of a rule in ?2, routed to the address's
 * township), as kept_here judges for the showing: the two cannot drift
 * apart, or an address a case shows could be erased while it is open, or
 * one no case shows be kept by a case about the same fill that never shows
 * it.  An address younger than the keep time is not read further
 * (received_ms).
 */
#define EXPIRE_SQL                                                                                 \
	"UPDATE buyer_addresses SET address = '' WHERE address <> '' AND received_ms <= ?1"        \
	" AND NOT EXISTS (SELECT 1 FROM violations v"                                              \
	" JOIN alerts a ON a.source = 'station:' || v.station || ':' || v.uuid"                    \
	" LEFT JOIN case_alerts ca ON ca.alert = a.id LEFT JOIN cases k ON k.id = ca.case_id"      \
	" WHERE v.event = buyer_addresses.fill"                                                    \
	" AND ((ca.case_id IS NULL AND a.severity IN ('alert', 'critical')"                        \
	" AND a.township = buyer_addresses.township AND instr(?2, ',' || a.rule || ',') > 0)"      \
	" OR (k.id IS NOT NULL AND (k.state NOT IN ('closed', 'dismissed') OR k.closed_ms > ?1)"   \
	" AND EXISTS (SELECT 1 FROM alerts x WHERE x.id = (SELECT CASE f.uuid"                     \
	" WHEN buyer_addresses.fill THEN a.id END" CASEDETAIL_FIRST_FILL(                          \
	    "k.id") ")"                                                                            \
	            " AND x.township = buyer_addresses.township AND instr(?2, ',' || x.rule || ',') > 0))))"

int
buyeraddr_expire(struct county_db *c, int keep_days, int64_t now_ms, int *erased, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char restore[48], rules[64];
	int ret = -1, n, rc;

	*erased = 0;
	if (keep_days < 1)
		return err_set(err, errlen, "address_keep_days %d: at least 1", keep_days);
	/* the erased text overwritten in the file, not left in a free block of its page: for
	 * this statement only (every delete of the connection would pay for it) */
	snprintf(restore, sizeof(restore), "PRAGMA secure_delete = %d",
	    (int)store_query_int(c->db, "PRAGMA secure_delete", 0));
	if (store_exec(c->db, "PRAGMA secure_delete = 1", err, errlen) == -1)
		return -1;
	if (store_begin(c->db, err, errlen) == -1)
		goto out;
	if (store_prepare(c->db, EXPIRE_SQL, &st, err, errlen) == -1) {
		store_rollback(c->db);
		goto out;
	}
	sqlite3_bind_int64(st, 1, now_ms - (int64_t)keep_days * 86400000);
	buyer_rules(rules, sizeof(rules));
	sqlite3_bind_text(st, 2, rules, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		err_set(err, errlen, "buyer address erasure: %s", sqlite3_errmsg(c->db));
		store_rollback(c->db);
		goto out;
	}
	n = sqlite3_changes(c->db);
	if (store_commit(c->db, err, errlen) == -1)
		goto out;
	*erased = n;
	ret = 0;
out:
	store_exec(c->db, restore, NULL, 0);
	return ret;
}
