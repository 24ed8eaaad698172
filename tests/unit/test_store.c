/*
 * store: migrations, version refusal, corruption refusal and the
 * durability pragmas, all against real SQLite files in a temp folder.
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
	snprintf(dir, sizeof(dir), "/tmp/gastest-store.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
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
	};
	return cmocka_run_group_tests_name("store", tests, setup, teardown);
}
