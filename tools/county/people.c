/*
 * people: the table of the console's people, written by gascounty from its
 * identities file and read by gasweb (people.h).
 */
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "people.h"
#include "store.h"
#include "util.h"

int
people_is_person(const char *identity)
{
	struct access_identity who;

	if (identity == NULL ||
	    access_identity_parse((const uint8_t *)identity, strlen(identity), &who) == -1)
		return 0;
	return who.role == ACCESS_ROLE_OFFICER || who.role == ACCESS_ROLE_GRID ||
	       who.role == ACCESS_ROLE_REGULATOR;
}

/* Run one statement that takes no parameters. */
static int
people_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		err_set(err, errlen, "people: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

/*
 * The file's people go into a temporary table first; then one statement
 * deletes the rows no longer among them and one adds the new ones, all in
 * one transaction (the temporary table is the connection's own).
 */
int
people_write(sqlite3 *db, const struct psk_table *keys, int64_t now_ms, int *added, int *removed,
    char *err, size_t errlen)
{
	sqlite3_stmt *ins = NULL, *add = NULL;
	int n_added, n_removed;
	size_t i;

	if (store_begin(db, err, errlen) == -1)
		return -1;
	if (people_exec(db,
	        "CREATE TEMP TABLE IF NOT EXISTS people_now(identity TEXT PRIMARY KEY);"
	        "DELETE FROM temp.people_now",
	        err, errlen) == -1 ||
	    store_prepare(db, "INSERT OR IGNORE INTO temp.people_now(identity) VALUES (?)", &ins,
	        err, errlen) == -1)
		goto fail;
	for (i = 0; i < keys->count; i++) {
		const char *id = keys->entries[i].identity;

		if (!people_is_person(id))
			continue;
		sqlite3_bind_text(ins, 1, id, -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			err_set(err, errlen, "people: %s", sqlite3_errmsg(db));
			goto fail;
		}
		sqlite3_reset(ins);
	}
	if (people_exec(db,
	        "DELETE FROM main.people WHERE identity NOT IN "
	        "(SELECT identity FROM temp.people_now)",
	        err, errlen) == -1)
		goto fail;
	n_removed = sqlite3_changes(db);
	if (store_prepare(db,
	        "INSERT OR IGNORE INTO main.people(identity, since_ms) "
	        "SELECT identity, ? FROM temp.people_now",
	        &add, err, errlen) == -1)
		goto fail;
	sqlite3_bind_int64(add, 1, now_ms);
	if (sqlite3_step(add) != SQLITE_DONE) {
		err_set(err, errlen, "people: %s", sqlite3_errmsg(db));
		goto fail;
	}
	n_added = sqlite3_changes(db);
	if (people_exec(db, "DELETE FROM temp.people_now", err, errlen) == -1)
		goto fail;
	sqlite3_finalize(ins);
	sqlite3_finalize(add);
	if (store_commit(db, err, errlen) == -1)
		return -1;
	if (added != NULL)
		*added = n_added;
	if (removed != NULL)
		*removed = n_removed;
	return 0;
fail:
	sqlite3_finalize(ins);
	sqlite3_finalize(add);
	store_rollback(db);
	return -1;
}

int
people_present(sqlite3 *db, const char *identity, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	if (store_cached(db, "SELECT 1 FROM people WHERE identity = ?", &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, identity, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		err_set(err, errlen, "people: %s", sqlite3_errmsg(db));
		store_release(st);
		return -1;
	}
	store_release(st);
	return rc == SQLITE_ROW;
}
