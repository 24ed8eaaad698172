/*
 * store: every SQLite database of the project is opened, migrated and
 * written through here, so that the durability settings of docs/design.md
 * §6 hold everywhere: journal_mode=WAL, synchronous=FULL, foreign_keys=ON,
 * busy_timeout, writes in BEGIN IMMEDIATE.
 *
 * Errors are written into the caller's buffer (err, errlen), never logged
 * here; every function returns 0 on success and -1 on failure.
 */
#ifndef GAS_STORE_H
#define GAS_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

/* One numbered migration (schema/NAME/NNN_*.sql, embedded at build time).
 * A table of these ends with a row whose version is 0. */
struct store_migration {
	int version;
	const char *name;
	const char *sql;
};

/* The embedded migration tables (build/gen/schema_*.c). */
extern const struct store_migration schema_station[];
extern const struct store_migration schema_county[];
extern const struct store_migration schema_delivery[]; /* gasdeliver's device database */

enum store_flags {
	STORE_READONLY = 1 << 0, /* open read-only; no migration is run */
	STORE_NO_CHECK = 1 << 1, /* skip quick_check (benchmarks of huge files) */
};

/* Modes of the database files (store.c says why): a new database is created
 * STORE_FILE_MODE whatever the umask; a writable open takes from the
 * database and its -wal, -shm and -journal files any bit beyond
 * STORE_FILE_MODE_MAX (group read at most). */
#define STORE_FILE_MODE 0600
#define STORE_FILE_MODE_MAX 0640

/*
 * Open (creating if absent, unless read-only) the database at path, check it
 * with PRAGMA quick_check, and bring it to the latest migration in one
 * transaction.  Refuses a corrupt file and a file whose user_version is newer
 * than the newest migration (naming both versions); never recreates a file.
 * On success *out is an open handle the caller closes with store_close().
 * On failure *out is NULL and nothing in the file has changed (a database
 * that did not exist may be left as an empty file of STORE_FILE_MODE, which
 * the next open takes for a new database).  File modes: see STORE_FILE_MODE.
 */
int store_open(const char *path, const struct store_migration *migrations, int flags, sqlite3 **out,
    char *err, size_t errlen);
/* Close a handle of store_open, finalizing its cached statements
 * (store_cached) first.  NULL is ignored. */
void store_close(sqlite3 *db);

/*
 * Bound the connection's page cache to kb KiB (SQLite's default is 2 MiB per
 * connection) and give back what it holds above that now, e.g. the pages
 * store_open's quick_check read.  For small processes with large files
 * (gasgw beside a county's registry): the hot index pages fit in far less.
 */
int store_cache_kb(sqlite3 *db, int kb, char *err, size_t errlen);

/* The newest version in a migration table. */
int store_latest_version(const struct store_migration *migrations);
/* PRAGMA user_version of an open database, or -1. */
int store_user_version(sqlite3 *db);

/* Transactions: BEGIN IMMEDIATE, COMMIT, ROLLBACK.  A COMMIT that fails is
 * rolled back (the next writer starts clean); store_commit_code also gives
 * its SQLite extended result code in *code, which that rollback clears from
 * the connection. */
int store_begin(sqlite3 *db, char *err, size_t errlen);
int store_commit(sqlite3 *db, char *err, size_t errlen);
int store_commit_code(sqlite3 *db, int *code, char *err, size_t errlen);
void store_rollback(sqlite3 *db);

/* Run SQL without results. */
int store_exec(sqlite3 *db, const char *sql, char *err, size_t errlen);

/* Prepare one statement; on failure *stmt is NULL and err says why. */
int store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, char *err, size_t errlen);

/*
 * Statements prepared once per connection.  store_cached gives the
 * connection's statement for sql, prepared the first time it is asked for
 * (sqlite3_prepare_v3 with SQLITE_PREPARE_PERSISTENT) and kept, keyed by
 * the text, for every later call on that connection; the caller binds and
 * steps it and gives it back with store_release, which resets it and clears
 * its bindings (so it holds no read transaction and no pointer of the
 * caller's).  A statement asked for again before it was given back (a
 * nested use of the same SQL) is prepared anew for that use and finalized
 * by its store_release.  The cache holds at most STORE_CACHE_STATEMENTS
 * statements a connection, giving up the least recently used; store_close
 * finalizes them.  So a connection that has used store_cached must be
 * closed with store_close, and, like every use of a connection opened here,
 * used by one thread at a time.
 * On failure *stmt is NULL, err says why, and the cache is as it was.
 */
#define STORE_CACHE_STATEMENTS 32
int store_cached(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, char *err, size_t errlen);
/* Give back a statement of store_cached (reset, bindings cleared); any
 * other statement is finalized.  NULL is ignored. */
void store_release(sqlite3_stmt *stmt);

/*
 * Number the rows of an outbox (a table `outbox` keyed by `seq`, 1 or more:
 * the station's and a delivery device's) mark + 1, mark + 2, ..., oldest
 * first, inside the caller's write transaction: what waits after a county
 * that is ahead of the numbering (docs/protocol.md).  *n the rows moved.
 * 0, or -1 with err (the caller rolls back).  The sequence is the caller's.
 */
int store_outbox_renumber(sqlite3 *db, int64_t mark, size_t *n, char *err, size_t errlen);

/* Single-value queries: the first column of the first row (default when no row). */
int64_t store_query_int(sqlite3 *db, const char *sql, int64_t default_value);

/*
 * What a look-up of one row found.  Every find/get of the station's tables
 * (registry.h, records.h) returns one of these, with the row in an
 * out-parameter when STORE_FOUND (zeroed otherwise) and the reason in the
 * caller's err buffer when STORE_ERROR.
 */
enum store_found {
	STORE_ERROR = -1,
	STORE_NOT_FOUND = 0,
	STORE_FOUND = 1,
};

/* Copy a text column into a bounded buffer ("" for NULL; truncated to fit,
 * always NUL-terminated). */
void store_column_copy(sqlite3_stmt *stmt, int column, char *out, size_t outlen);

/*
 * What a failed write says about the disk, from its SQLite (extended)
 * result code (sqlite3_extended_errcode, store_commit_code): SQLITE_FULL,
 * or any SQLITE_IOERR_*.  The fill line tells the operator which one it
 * is: a full disk needs space, a failing one a technician.
 */
enum store_disk {
	STORE_DISK_OTHER, /* not a disk problem (or not known to be) */
	STORE_DISK_FULL,
	STORE_DISK_IOERR,
};
enum store_disk store_disk_problem(int code);

/* A new random UUID (version 4) as 36 characters plus NUL. */
void store_uuid(char out[37]);

#endif
