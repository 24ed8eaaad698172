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

/* Delete the rows whose identity keys no longer hold as a person's: the
 * rows are read whole first, then deleted (never while being read). */
static int
people_prune(sqlite3 *db, const struct psk_table *keys, int *removed, char *err, size_t errlen)
{
	sqlite3_stmt *list = NULL, *del = NULL;
	char **gone = NULL, **grown;
	size_t n = 0, cap = 0, i;
	int rc, ret = -1;

	if (store_prepare(db, "SELECT identity FROM people", &list, err, errlen) == -1)
		goto out;
	while ((rc = sqlite3_step(list)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(list, 0);

		if (id == NULL)
			id = "";
		if (people_is_person(id) && psk_find(keys, (const uint8_t *)id, strlen(id)) != NULL)
			continue;
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((grown = realloc(gone, cap * sizeof(*gone))) == NULL) {
				err_set(err, errlen, "people: out of memory");
				goto out;
			}
			gone = grown;
		}
		if ((gone[n] = strdup(id)) == NULL) {
			err_set(err, errlen, "people: out of memory");
			goto out;
		}
		n++;
	}
	if (rc != SQLITE_DONE) {
		err_set(err, errlen, "people: %s", sqlite3_errmsg(db));
		goto out;
	}
	if (n > 0 &&
	    store_prepare(db, "DELETE FROM people WHERE identity = ?", &del, err, errlen) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(del, 1, gone[i], -1, SQLITE_STATIC);
		if (sqlite3_step(del) != SQLITE_DONE) {
			err_set(err, errlen, "people: %s", sqlite3_errmsg(db));
			goto out;
		}
		sqlite3_reset(del);
	}
	*removed = (int)n;
	ret = 0;
out:
	for (i = 0; i < n; i++)
		free(gone[i]);
	free(gone);
	sqlite3_finalize(list);
	sqlite3_finalize(del);
	return ret;
}

int
people_write(sqlite3 *db, const struct psk_table *keys, int64_t now_ms, int *added, int *removed,
    char *err, size_t errlen)
{
	sqlite3_stmt *ins = NULL;
	int n_added = 0, n_removed = 0;
	size_t i;

	if (store_begin(db, err, errlen) == -1)
		return -1;
	if (people_prune(db, keys, &n_removed, err, errlen) == -1)
		goto fail;
	if (store_prepare(db, "INSERT OR IGNORE INTO people(identity, since_ms) VALUES (?, ?)",
	        &ins, err, errlen) == -1)
		goto fail;
	for (i = 0; i < keys->count; i++) {
		const char *id = keys->entries[i].identity;

		if (!people_is_person(id))
			continue;
		sqlite3_bind_text(ins, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 2, now_ms);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			err_set(err, errlen, "people: %s", sqlite3_errmsg(db));
			goto fail;
		}
		n_added += sqlite3_changes(db);
		sqlite3_reset(ins);
	}
	sqlite3_finalize(ins);
	ins = NULL;
	if (store_commit(db, err, errlen) == -1)
		return -1;
	if (added != NULL)
		*added = n_added;
	if (removed != NULL)
		*removed = n_removed;
	return 0;
fail:
	sqlite3_finalize(ins);
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
