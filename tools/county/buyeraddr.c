/*
 * buyeraddr: see buyeraddr.h.
 */
#include "buyeraddr.h"

#include <string.h>

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

int
buyeraddr_may_see(const struct access_identity *who, const char *township)
{
	return who != NULL && who->role == ACCESS_ROLE_OFFICER && township != NULL &&
	       township[0] != '\0' && strcmp(who->township, township) == 0;
}

int
buyeraddr_show(struct county_db *c, const struct access_identity *who, int64_t case_id,
    const char *fill, int64_t now_ms, char *out, size_t size, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char township[64] = "";
	int rc;

	out[0] = '\0';
	if (who == NULL || who->role != ACCESS_ROLE_OFFICER || fill == NULL || fill[0] == '\0')
		return 0;
	if (store_prepare(c->db, "SELECT township, address FROM buyer_addresses WHERE fill = ?",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, fill, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		store_column_copy(st, 0, township, sizeof(township));
		store_column_copy(st, 1, out, size);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(err, errlen, "buyer address: %s", sqlite3_errmsg(c->db));
	if (out[0] == '\0' || !buyeraddr_may_see(who, township)) {
		memset(out, 0, size);
		return 0;
	}
	/* the showing is logged before the address is given: no row, no address */
	if (store_prepare(c->db,
	        "INSERT INTO buyer_address_views (case_id, fill, identity, at_ms)"
	        " VALUES (?, ?, ?, ?)",
	        &st, err, errlen) == -1) {
		memset(out, 0, size);
		return -1;
	}
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_text(st, 2, fill, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, who->identity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		memset(out, 0, size);
		return err_set(err, errlen, "buyer address log: %s", sqlite3_errmsg(c->db));
	}
	return 0;
}
