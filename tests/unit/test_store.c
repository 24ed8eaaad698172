/*
 * store: migrations, version refusal, corruption refusal, the durability
 * pragmas and the statement cache, all against real SQLite files in a temp
 * folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "store.h"

static const struct store_migration two_steps[] = {
	{ 1, "001_a.sql", "CREATE TABLE a (x INTEGER);" },
	{ 2, "002_b.sql", "CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1);" },
	{ 0, NULL, NULL },
};

static const struct store_migration broken_second[] = {
	{ 1, "001_a.sql", "CREATE TABLE a (x INTEGER);" },
	{ 2, "002_bad.sql", "CREATE TABLE b (y INTEGER); THIS IS NOT SQL;" },
	{ 0, NULL, NULL },
};

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	return fixture_dir_make(dir, sizeof(dir), "gastest-store");
}

static int
teardown(void **state)
{
	(void)state;
	return fixture_dir_remove(dir);
}

static void
path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static void
migrates_empty_file_to_latest(void **state)
{
	char path[128], err[256];
	sqlite3 *db;

	(void)state;
	path_of(path, sizeof(path), "new.db");
	assert_int_equal(store_open(path, two_steps, 0, &db, err, sizeof(err)), 0);
	assert_int_equal(store_user_version(db), 2);
	assert_int_equal(store_query_int(db, "SELECT count(*) FROM a", -1), 1);
	store_close(db);
}

static mode_t
mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* Buyers' masked numbers and addresses: no other local user reads them,
 * whatever the umask the daemon was started with. */
static void
database_files_are_owner_only_whatever_the_umask(void **state)
{
	char path[128], wal[140], shm[140], err[256];
	sqlite3 *db;
	mode_t old;

	(void)state;
	path_of(path, sizeof(path), "private.db");
	old = umask(0);
	assert_int_equal(store_open(path, two_steps, 0, &db, err, sizeof(err)), 0);
	assert_int_equal(store_exec(db, "INSERT INTO a VALUES (2)", err, sizeof(err)), 0);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	snprintf(shm, sizeof(shm), "%s-shm", path);
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(mode_of(wal), 0600);
	assert_int_equal(mode_of(shm), 0600);
	store_close(db);
	/* a file left readable by everyone (an older version, a copy) is
	 * narrowed at the next open: group read at most */
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(store_open(path, two_steps, 0, &db, err, sizeof(err)), 0);
	assert_int_equal(mode_of(path), 0640);
	store_close(db);
	umask(old);
}

static void
second_open_changes_nothing(void **state)
{
	char path[128], err[256];
	sqlite3 *db;

	(void)state;
	path_of(path, sizeof(path), "again.db");
	assert_int_equal(store_open(path, two_steps, 0, &db, err, sizeof(err)), 0);
	store_close(db);
	assert_int_equal(store_open(path, two_steps, 0, &db, err, sizeof(err)), 0);
	/* Migration 2's INSERT ran once, not twice. */
	assert_int_equal(store_query_int(db, "SELECT count(*) FROM a", -1), 1);
	assert_int_equal(store_user_version(db), 2);
	store_close(db);
}

static void
refuses_database_from_newer_program(void **state)
{
	char path[128], err[256];
	sqlite3 *db;

	(void)state;
	path_of(path, sizeof(path), "newer.db");
	assert_int_equal(store_open(path, two_steps, 0, &db, err, sizeof(err)), 0);
	assert_int_equal(store_exec(db, "PRAGMA user_version = 7", err, sizeof(err)), 0);
	store_close(db);
	assert_int_equal(store_open(path, two_steps, 0, &db, err, sizeof(err)), -1);
	assert_null(db);
	assert_non_null(strstr(err, "version 7"));
	assert_non_null(strstr(err, "program's 2"));
}

static void
failed_migration_leaves_file_unchanged(void **state)
{
	char path[128], err[256];
	sqlite3 *db;

	(void)state;
	path_of(path, sizeof(path), "broken.db");
	assert_int_equal(store_open(path, broken_second, 0, &db, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "002_bad.sql"));
	/* Nothing of either migration is left: they ran in one transaction. */
	assert_int_equal(store_open(path, NULL, 0, &db, err, sizeof(err)), 0);
	assert_int_equal(store_user_version(db), 0);
	assert_int_equal(store_query_int(db, "SELECT count(*) FROM sqlite_master", -1), 0);
	store_close(db);
}

static void
refuses_corrupt_file_without_recreating_it(void **state)
{
	char path[128], err[256];
	sqlite3 *db;
	int fd;
	off_t size;

	(void)state;
	path_of(path, sizeof(path), "corrupt.db");
	assert_int_equal(store_open(path, two_steps, 0, &db, err, sizeof(err)), 0);
	for (int i = 0; i < 200; i++)
		assert_int_equal(
		    store_exec(db, "INSERT INTO a VALUES (randomblob(500))", err, sizeof(err)), 0);
	assert_int_equal(store_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", err, sizeof(err)), 0);
	store_close(db);

	/* Damage the headers of pages 2 to 9 (page 1 stays, so the file still
	 * looks like SQLite): what a torn write or bad flash does. */
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	for (int page = 1; page < 9; page++) {
		assert_int_equal(lseek(fd, 4096 * page, SEEK_SET), 4096 * page);
		assert_int_equal(write(fd, "garbage!garbage!", 16), 16);
	}
	size = lseek(fd, 0, SEEK_END);
	close(fd);

	assert_int_equal(store_open(path, two_steps, 0, &db, err, sizeof(err)), -1);
	assert_null(db);
	assert_true(strstr(err, "corrupt") != NULL || strstr(err, "refusing") != NULL);
	/* The file is still there and not shrunk to an empty database. */
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 0, SEEK_END), size);
	close(fd);
}

static void
refuses_truncated_file(void **state)
{
	char path[128], err[256];
	sqlite3 *db;

	(void)state;
	path_of(path, sizeof(path), "truncated.db");
	assert_int_equal(store_open(path, two_steps, 0, &db, err, sizeof(err)), 0);
	for (int i = 0; i < 200; i++)
		assert_int_equal(
		    store_exec(db, "INSERT INTO a VALUES (randomblob(500))", err, sizeof(err)), 0);
	assert_int_equal(store_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", err, sizeof(err)), 0);
	store_close(db);
	assert_int_equal(truncate(path, 4096 * 3 + 17), 0);
	assert_int_equal(store_open(path, two_steps, 0, &db, err, sizeof(err)), -1);
	assert_null(db);
}

static void
refuses_file_that_is_not_sqlite(void **state)
{
	char path[128], err[256];
	sqlite3 *db;
	FILE *f;

	(void)state;
	path_of(path, sizeof(path), "text.db");
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("this is a configuration file, not a database\n", f);
	fclose(f);
	assert_int_equal(store_open(path, two_steps, 0, &db, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
}

static void
opens_with_durable_settings(void **state)
{
	char path[128], err[256];
	sqlite3 *db;
	sqlite3_stmt *stmt;

	(void)state;
	path_of(path, sizeof(path), "pragmas.db");
	assert_int_equal(store_open(path, schema_station, 0, &db, err, sizeof(err)), 0);
	assert_int_equal(store_query_int(db, "PRAGMA synchronous", -1), 2); /* FULL */
	assert_int_equal(store_query_int(db, "PRAGMA foreign_keys", -1), 1);
	assert_int_equal(store_prepare(db, "PRAGMA journal_mode", &stmt, err, sizeof(err)), 0);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "wal");
	sqlite3_finalize(stmt);
	/* Foreign keys are enforced: a fill of an unknown cylinder is refused. */
	assert_int_equal(
	    store_exec(db,
	        "INSERT INTO fills (uuid, station, line, cylinder, started_ms, tare_kg, target_kg)"
	        " VALUES ('u', 's', 1, 'NO-SUCH-CYLINDER', 0, 15, 14.9)",
	        err, sizeof(err)),
	    -1);
	store_close(db);
}

/* A database of several MiB read whole at open (quick_check) leaves at most
 * the bound in the connection's cache once store_cache_kb has run, and
 * later reads stay under it. */
static void
cache_bound_holds_after_a_whole_file_read(void **state)
{
	char path[128], err[256];
	int used, high, n;
	sqlite3 *db;

	(void)state;
	path_of(path, sizeof(path), "cache.db");
	assert_int_equal(store_open(path, two_steps, 0, &db, err, sizeof(err)), 0);
	assert_int_equal(
	    store_exec(db,
	        "CREATE TABLE big (k INTEGER PRIMARY KEY, v TEXT);"
	        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
	        " WHERE i < 20000) INSERT INTO big SELECT i, printf('%0200d', i) FROM n",
	        err, sizeof(err)),
	    0);
	store_close(db);
	/* the open reads every page (quick_check): beyond 2 MiB of cache */
	assert_int_equal(store_open(path, two_steps, 0, &db, err, sizeof(err)), 0);
	sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_USED, &used, &high, 0);
	assert_true(used > 1024 * 1024);
	assert_int_equal(store_cache_kb(db, 256, err, sizeof(err)), 0);
	assert_int_equal(store_query_int(db, "PRAGMA cache_size", 0), -256);
	sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_USED, &used, &high, 0);
	assert_true(used <= 300 * 1024);
	n = (int)store_query_int(db, "SELECT count(*) FROM big WHERE v LIKE '%7'", -1);
	assert_int_equal(n, 2000);
	sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_USED, &used, &high, 0);
	assert_true(used <= 300 * 1024);
	store_close(db);
}

static void
station_and_county_schemas_apply(void **state)
{
	char path[128], err[256];
	sqlite3 *db;

	(void)state;
	path_of(path, sizeof(path), "station.db");
	assert_int_equal(store_open(path, schema_station, 0, &db, err, sizeof(err)), 0);
	assert_int_equal(store_user_version(db), store_latest_version(schema_station));
	store_close(db);
	path_of(path, sizeof(path), "county.db");
	assert_int_equal(store_open(path, schema_county, 0, &db, err, sizeof(err)), 0);
	assert_int_equal(store_user_version(db), store_latest_version(schema_county));
	store_close(db);
}

static void
outbox_sequence_has_no_gap_after_rollback(void **state)
{
	char path[128], err[256];
	sqlite3 *db;

	(void)state;
	path_of(path, sizeof(path), "seq.db");
	assert_int_equal(store_open(path, schema_station, 0, &db, err, sizeof(err)), 0);
	assert_int_equal(store_begin(db, err, sizeof(err)), 0);
	assert_int_equal(store_exec(db,
	                     "INSERT INTO outbox (uuid, kind, created_ms)"
	                     " VALUES ('a', 'event', 1)",
	                     err, sizeof(err)),
	    0);
	assert_int_equal(store_commit(db, err, sizeof(err)), 0);
	assert_int_equal(store_begin(db, err, sizeof(err)), 0);
	assert_int_equal(store_exec(db,
	                     "INSERT INTO outbox (uuid, kind, created_ms)"
	                     " VALUES ('b', 'event', 2)",
	                     err, sizeof(err)),
	    0);
	store_rollback(db);
	assert_int_equal(store_begin(db, err, sizeof(err)), 0);
	assert_int_equal(store_exec(db,
	                     "INSERT INTO outbox (uuid, kind, created_ms)"
	                     " VALUES ('c', 'event', 3)",
	                     err, sizeof(err)),
	    0);
	assert_int_equal(store_commit(db, err, sizeof(err)), 0);
	assert_int_equal(store_query_int(db, "SELECT seq FROM outbox WHERE uuid = 'c'", -1), 2);
	store_close(db);
}

/* The words the fill line shows an operator come from these: a real
 * SQLITE_FULL (a database at its max_page_count), the extended codes of
 * I/O errors, and errors that are not the disk's even when their text says
 * so (a trigger's message is no SQLite result code). */
static void
names_a_full_or_failing_disk(void **state)
{
	static const struct {
		const char *sql; /* run it and classify its error, or */
		int code;        /* classify this code */
		enum store_disk expected;
	} cases[] = {
		{ "INSERT INTO a VALUES (zeroblob(65536))", 0, STORE_DISK_FULL },
		{ "INSERT INTO a VALUES (1, 2)", 0, STORE_DISK_OTHER },
		{ "INSERT INTO says_full VALUES (1)", 0, STORE_DISK_OTHER },
		{ "INSERT INTO says_ioerr VALUES (1)", 0, STORE_DISK_OTHER },
		{ NULL, SQLITE_IOERR_FSYNC, STORE_DISK_IOERR },
		{ NULL, SQLITE_IOERR_WRITE, STORE_DISK_IOERR },
		{ NULL, SQLITE_IOERR, STORE_DISK_IOERR },
		{ NULL, SQLITE_FULL, STORE_DISK_FULL },
		{ NULL, SQLITE_BUSY, STORE_DISK_OTHER },
		{ NULL, SQLITE_CONSTRAINT_TRIGGER, STORE_DISK_OTHER },
		{ NULL, SQLITE_OK, STORE_DISK_OTHER },
		{ NULL, -1, STORE_DISK_OTHER },
	};
	char path[128], err[256];
	sqlite3 *db;
	size_t i;
	int code;

	(void)state;
	path_of(path, sizeof(path), "full.db");
	assert_int_equal(store_open(path, two_steps, 0, &db, err, sizeof(err)), 0);
	assert_int_equal(store_exec(db,
	                     "CREATE TABLE says_full (x); CREATE TABLE says_ioerr (x);"
	                     "CREATE TRIGGER b_says_full BEFORE INSERT ON says_full"
	                     " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;"
	                     "CREATE TRIGGER c_says_ioerr BEFORE INSERT ON says_ioerr"
	                     " BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;"
	                     "PRAGMA max_page_count = 1",
	                     err, sizeof(err)),
	    0);
	for (i = 0; cases[i].sql != NULL || cases[i].code != -1; i++) {
		code = cases[i].code;
		if (cases[i].sql != NULL) {
			assert_int_equal(store_exec(db, cases[i].sql, err, sizeof(err)), -1);
			code = sqlite3_extended_errcode(db);
		}
		if (store_disk_problem(code) != cases[i].expected)
			fail_msg("case %zu (code %d): got %d, expected %d", i + 1, code,
			    (int)store_disk_problem(code), (int)cases[i].expected);
	}
	store_close(db);
}

static void
uuids_are_version_4_and_distinct(void **state)
{
	char a[37], b[37];

	(void)state;
	store_uuid(a);
	store_uuid(b);
	assert_int_equal(strlen(a), 36);
	assert_int_equal(a[14], '4');
	assert_true(strchr("89ab", a[19]) != NULL);
	assert_string_not_equal(a, b);
}

/* ---- the statement cache (store_cached) ------------------------------------ */

/* How many statements the connection holds prepared now. */
static int
statements_of(sqlite3 *db)
{
	sqlite3_stmt *st = NULL;
	int n = 0;

	while ((st = sqlite3_next_stmt(db, st)) != NULL)
		n++;
	return n;
}

static sqlite3 *
cache_db(const char *name)
{
	char path[128], err[256];
	sqlite3 *db = NULL;

	path_of(path, sizeof(path), name);
	assert_int_equal(store_open(path, two_steps, 0, &db, err, sizeof(err)), 0);
	return db;
}

/* The same SQL asked for again is the statement prepared the first time,
 * given back reset with its bindings cleared: a parameter left unbound
 * reads NULL, not the last caller's value. */
static void
a_statement_is_prepared_once_per_connection(void **state)
{
	sqlite3 *db = cache_db("cache1.db");
	sqlite3_stmt *first = NULL, *again = NULL;
	char err[256];
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		assert_int_equal(store_cached(db, "SELECT ?1, x FROM a", &again, err, sizeof(err)),
		    0);
		if (first == NULL) {
			first = again;
			sqlite3_bind_int(again, 1, 42);
		} else {
			assert_ptr_equal(again, first);
		}
		assert_int_equal(sqlite3_step(again), SQLITE_ROW);
		/* only the first use bound ?1 */
		assert_int_equal(sqlite3_column_type(again, 0),
		    i == 0 ? SQLITE_INTEGER : SQLITE_NULL);
		store_release(again);
	}
	assert_int_equal(statements_of(db), 1);
	store_close(db);
}

/* A statement given back holds no read: a writer on another connection
 * can checkpoint the whole log into the file (a reader left open would
 * keep the log's frames it reads). */
static void
a_released_statement_holds_no_read(void **state)
{
	char path[128], err[256];
	sqlite3 *db = cache_db("cache2.db"), *writer = NULL;
	sqlite3_stmt *st = NULL;
	int log = -1, done = -1;

	(void)state;
	path_of(path, sizeof(path), "cache2.db");
	assert_int_equal(store_open(path, two_steps, 0, &writer, err, sizeof(err)), 0);
	assert_int_equal(store_exec(writer, "INSERT INTO a VALUES (2), (3)", err, sizeof(err)), 0);
	assert_int_equal(store_cached(db, "SELECT x FROM a", &st, err, sizeof(err)), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW); /* a read in progress, rows left */
	assert_int_equal(store_exec(writer, "INSERT INTO a VALUES (4)", err, sizeof(err)), 0);
	store_release(st);
	assert_int_equal(
	    sqlite3_wal_checkpoint_v2(writer, NULL, SQLITE_CHECKPOINT_TRUNCATE, &log, &done),
	    SQLITE_OK);
	assert_int_equal(log, 0); /* truncated: no reader held a frame */
	assert_int_equal(store_query_int(db, "SELECT count(*) FROM a", -1), 4);
	store_close(writer);
	store_close(db);
}

/* The same SQL asked for while its statement is still out (a nested use)
 * gets a statement of its own, finalized when given back. */
static void
a_nested_use_gets_a_statement_of_its_own(void **state)
{
	sqlite3 *db = cache_db("cache3.db");
	sqlite3_stmt *outer = NULL, *inner = NULL;
	char err[256];

	(void)state;
	assert_int_equal(store_cached(db, "SELECT x FROM a", &outer, err, sizeof(err)), 0);
	assert_int_equal(store_cached(db, "SELECT x FROM a", &inner, err, sizeof(err)), 0);
	assert_ptr_not_equal(outer, inner);
	assert_int_equal(sqlite3_step(outer), SQLITE_ROW);
	assert_int_equal(sqlite3_step(inner), SQLITE_ROW);
	assert_int_equal(statements_of(db), 2);
	store_release(inner);
	assert_int_equal(statements_of(db), 1);
	store_release(outer);
	assert_int_equal(store_cached(db, "SELECT x FROM a", &inner, err, sizeof(err)), 0);
	assert_ptr_equal(inner, outer);
	store_release(inner);
	store_close(db);
}

/* The cache is bounded: more texts than it holds give up the least
 * recently used, and the one used a moment ago stays. */
static void
the_cache_keeps_at_most_its_bound(void **state)
{
	sqlite3 *db = cache_db("cache4.db");
	sqlite3_stmt *st = NULL, *kept = NULL;
	char sql[64], err[256];
	int i;

	(void)state;
	for (i = 0; i < STORE_CACHE_STATEMENTS * 2; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d", i);
		assert_int_equal(store_cached(db, sql, &st, err, sizeof(err)), 0);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), i);
		store_release(st);
		/* "SELECT 0" is asked for again each time: never the oldest */
		assert_int_equal(store_cached(db, "SELECT 0", &st, err, sizeof(err)), 0);
		if (kept == NULL)
			kept = st;
		assert_ptr_equal(st, kept);
		store_release(st);
	}
	assert_int_equal(statements_of(db), STORE_CACHE_STATEMENTS);
	store_close(db);
}

/* SQL that does not prepare: -1, no statement, the reason in err, and the
 * cache as it was. */
static void
a_bad_statement_is_refused_with_its_reason(void **state)
{
	sqlite3 *db = cache_db("cache5.db");
	sqlite3_stmt *st = NULL;
	char err[256] = "";

	(void)state;
	assert_int_equal(store_cached(db, "SELECT y FROM nowhere", &st, err, sizeof(err)), -1);
	assert_null(st);
	assert_non_null(strstr(err, "nowhere"));
	assert_int_equal(statements_of(db), 0);
	store_release(NULL); /* ignored */
	store_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(migrates_empty_file_to_latest),
		cmocka_unit_test(database_files_are_owner_only_whatever_the_umask),
		cmocka_unit_test(second_open_changes_nothing),
		cmocka_unit_test(refuses_database_from_newer_program),
		cmocka_unit_test(failed_migration_leaves_file_unchanged),
		cmocka_unit_test(refuses_corrupt_file_without_recreating_it),
		cmocka_unit_test(refuses_truncated_file),
		cmocka_unit_test(refuses_file_that_is_not_sqlite),
		cmocka_unit_test(opens_with_durable_settings),
		cmocka_unit_test(cache_bound_holds_after_a_whole_file_read),
		cmocka_unit_test(station_and_county_schemas_apply),
		cmocka_unit_test(outbox_sequence_has_no_gap_after_rollback),
		cmocka_unit_test(names_a_full_or_failing_disk),
		cmocka_unit_test(uuids_are_version_4_and_distinct),
		cmocka_unit_test(a_statement_is_prepared_once_per_connection),
		cmocka_unit_test(a_released_statement_holds_no_read),
		cmocka_unit_test(a_nested_use_gets_a_statement_of_its_own),
		cmocka_unit_test(the_cache_keeps_at_most_its_bound),
		cmocka_unit_test(a_bad_statement_is_refused_with_its_reason),
	};
	return cmocka_run_group_tests_name("store", tests, setup, teardown);
}
