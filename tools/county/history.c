/*
 * history: rows of registry_history (history.h).
 */
#include "history.h"

#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "util.h"

int
history_note(sqlite3 *db, const char *serial, const struct history_by *by, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (store_prepare(db,
	        "INSERT INTO registry_history (serial, version, status, last_inspection,"
	        " next_inspection, owner, changed_ms, source, actor, detail)"
	        " SELECT serial, version, status, last_inspection, next_inspection, owner, ?2,"
	        " ?3, ?4, ?5 FROM registry WHERE serial = ?1",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, time_wall_ms());
	sqlite3_bind_text(st, 3, by->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, by->actor != NULL ? by->actor : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, by->detail != NULL ? by->detail : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return err_set(err, errlen, "registry history: %s", sqlite3_errmsg(db));
	if (sqlite3_changes(db) != 1)
		return err_set(err, errlen, "registry history: no registry row for %s", serial);
	return 0;
}

const char *
history_actor(char *buf, size_t buflen)
{
	struct passwd *pw = getpwuid(getuid());

	if (pw != NULL && pw->pw_name != NULL && pw->pw_name[0] != '\0')
		str_copy(buf, pw->pw_name, buflen);
	else
		snprintf(buf, buflen, "uid %u", (unsigned)getuid());
	return buf;
}

/* The rows sql selects (serial ?1, at most ?2) into rows, *n of them. */
static int
rows_read(sqlite3 *db, const char *sql, const char *serial, struct history_row *rows, size_t max,
    size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = SQLITE_DONE;

	*n = 0;
	if (store_prepare(db, sql, &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct history_row *r = &rows[*n];

		memset(r, 0, sizeof(*r));
		r->version = sqlite3_column_int64(st, 0);
		r->changed_ms = sqlite3_column_int64(st, 1);
		store_column_copy(st, 2, r->status, sizeof(r->status));
		store_column_copy(st, 3, r->last_inspection, sizeof(r->last_inspection));
		store_column_copy(st, 4, r->next_inspection, sizeof(r->next_inspection));
		store_column_copy(st, 5, r->owner, sizeof(r->owner));
		store_column_copy(st, 6, r->source, sizeof(r->source));
		store_column_copy(st, 7, r->actor, sizeof(r->actor));
		store_column_copy(st, 8, r->detail, sizeof(r->detail));
		(*n)++;
	}
	if (*n == max) /* as many as asked for: the rest is not read */
		rc = SQLITE_DONE;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return err_set(err, errlen, "registry history: %s", sqlite3_errmsg(db));
	return 0;
}

#define HISTORY_COLUMNS                                                                            \
	"version, changed_ms, status, last_inspection, next_inspection, owner, source, actor, detail"

int
history_list(sqlite3 *db, const char *serial, struct history_row *rows, size_t max, size_t *n,
    char *err, size_t errlen)
{
	return rows_read(db,
	    "SELECT " HISTORY_COLUMNS " FROM registry_history WHERE serial = ?1 ORDER BY id"
	    " LIMIT ?2",
	    serial, rows, max, n, err, errlen);
}

int
history_list_newest(sqlite3 *db, const char *serial, struct history_row *rows, size_t max,
    size_t *n, int64_t *older, char *err, size_t errlen)
{
	*older = 0;
	if (max == 0 || rows_read(db,
	                    "SELECT " HISTORY_COLUMNS " FROM (SELECT id, " HISTORY_COLUMNS
	                    " FROM registry_history WHERE serial = ?1 ORDER BY id DESC LIMIT ?2)"
	                    " ORDER BY id",
	                    serial, rows, max, n, err, errlen) == -1)
		return max == 0 ? 0 : -1;
	if (*n == max) { /* the older ones, counted */
		sqlite3_stmt *st = NULL;
		int rc;

		if (store_prepare(db, "SELECT count(*) FROM registry_history WHERE serial = ?", &st,
		        err, errlen) == -1)
			return -1;
		sqlite3_bind_text(st, 1, serial, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*older = sqlite3_column_int64(st, 0) - (int64_t)max;
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW)
			return err_set(err, errlen, "registry history: %s", sqlite3_errmsg(db));
		if (*older < 0)
			*older = 0;
	}
	return 0;
}
