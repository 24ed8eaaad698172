/*
 * test_people: the table of the console's people (people.h), which
 * gascounty writes from its identities file and gasweb reads at every
 * sign-in and request.  Until 7 Dec 2026 there was none: an identity the
 * county removed kept the console.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "people.h"
#include "psk.h"
#include "store.h"

#define KEY "00112233445566778899aabbccddeeff"

struct people_test {
	char dir[64];
	sqlite3 *db;
};

static int
setup(void **state)
{
	static struct people_test t;

	memset(&t, 0, sizeof(t));
	*state = &t;
	return fixture_db_setup(t.dir, sizeof(t.dir), "test_people", "county.db", schema_county,
	    &t.db);
}

static int
teardown(void **state)
{
	struct people_test *t = *state;

	return fixture_db_teardown(t->dir, &t->db);
}

/* keys parsed from text (identities file lines, KEY for each) */
static void
keys_of(struct psk_table *keys, const char *text)
{
	char err[256];

	assert_int_equal(psk_parse_identities("ids", text, strlen(text), keys, err, sizeof(err)),
	    0);
}

/* The table's identities, one space between, in order. */
static void
people_text(sqlite3 *db, char *out, size_t size)
{
	sqlite3_stmt *st;
	size_t n = 0;

	out[0] = '\0';
	assert_int_equal(
	    sqlite3_prepare_v2(db, "SELECT identity FROM people ORDER BY identity", -1, &st, NULL),
	    SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		n += (size_t)snprintf(out + n, size - n, "%s%s", n > 0 ? " " : "",
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static int64_t
since_of(sqlite3 *db, const char *identity)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	assert_int_equal(
	    sqlite3_prepare_v2(db, "SELECT since_ms FROM people WHERE identity = ?", -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(st, 1, identity, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Only people are written (no station, township or device), names only. */
static void
the_people_of_the_identities_file_are_written_without_keys(void **state)
{
	struct people_test *t = *state;
	struct psk_table keys;
	char err[256], list[512];
	int added = -1, removed = -1;

	keys_of(&keys, "station:S01 " KEY "\n"
	               "township:TA " KEY "\n"
	               "officer:wang@TA " KEY "\n"
	               "grid:eve@TA " KEY "\n"
	               "regulator:alice " KEY "\n"
	               "delivery:li@TA " KEY "\n");
	assert_int_equal(people_write(t->db, &keys, 1000, &added, &removed, err, sizeof(err)), 0);
	people_text(t->db, list, sizeof(list));
	assert_string_equal(list, "grid:eve@TA officer:wang@TA regulator:alice");
	assert_int_equal(added, 3);
	assert_int_equal(removed, 0);
	assert_int_equal(
	    store_query_int(t->db, "SELECT count(*) FROM pragma_table_info('people')", -1), 2);
	assert_int_equal(people_present(t->db, "officer:wang@TA", err, sizeof(err)), 1);
	assert_int_equal(people_present(t->db, "station:S01", err, sizeof(err)), 0);
	assert_int_equal(people_present(t->db, "delivery:li@TA", err, sizeof(err)), 0);
	assert_int_equal(people_present(t->db, "officer:nobody@TA", err, sizeof(err)), 0);
	assert_int_equal(people_present(t->db, "", err, sizeof(err)), 0);
	psk_table_free(&keys);
}

/* A reload: the one removed goes, a new one comes, one still there keeps
 * its since_ms; the same file again changes nothing. */
static void
a_reload_writes_the_people_now_in_the_file(void **state)
{
	struct people_test *t = *state;
	struct psk_table keys;
	char err[256], list[512];
	int added, removed;

	keys_of(&keys, "officer:wang@TA " KEY "\nofficer:li@TA " KEY "\nregulator:alice " KEY "\n");
	assert_int_equal(people_write(t->db, &keys, 1000, NULL, NULL, err, sizeof(err)), 0);
	psk_table_free(&keys);

	keys_of(&keys, "officer:li@TA " KEY "\ngrid:eve@TA " KEY "\nregulator:alice " KEY "\n");
	assert_int_equal(people_write(t->db, &keys, 2000, &added, &removed, err, sizeof(err)), 0);
	assert_int_equal(added, 1);
	assert_int_equal(removed, 1);
	people_text(t->db, list, sizeof(list));
	assert_string_equal(list, "grid:eve@TA officer:li@TA regulator:alice");
	assert_int_equal(people_present(t->db, "officer:wang@TA", err, sizeof(err)), 0);
	assert_int_equal(since_of(t->db, "officer:li@TA"), 1000);
	assert_int_equal(since_of(t->db, "grid:eve@TA"), 2000);

	assert_int_equal(people_write(t->db, &keys, 3000, &added, &removed, err, sizeof(err)), 0);
	assert_int_equal(added, 0);
	assert_int_equal(removed, 0);
	assert_int_equal(since_of(t->db, "grid:eve@TA"), 2000);
	psk_table_free(&keys);

	/* a file without people empties the table */
	keys_of(&keys, "station:S01 " KEY "\n");
	assert_int_equal(people_write(t->db, &keys, 4000, &added, &removed, err, sizeof(err)), 0);
	assert_int_equal(removed, 3);
	assert_int_equal(store_query_int(t->db, "SELECT count(*) FROM people", -1), 0);
	psk_table_free(&keys);
}

/* A row that is no person's (written by hand, or an older program) goes
 * at the next write, even when the file holds it: only people are kept. */
static void
a_row_that_is_no_persons_goes(void **state)
{
	struct people_test *t = *state;
	struct psk_table keys;
	char err[256], list[512];

	assert_int_equal(store_exec(t->db,
	                     "INSERT INTO people VALUES ('station:S01', 1), ('junk', 1),"
	                     " ('officer:wang@TA', 5)",
	                     err, sizeof(err)),
	    0);
	keys_of(&keys, "station:S01 " KEY "\nofficer:wang@TA " KEY "\n");
	assert_int_equal(people_write(t->db, &keys, 9000, NULL, NULL, err, sizeof(err)), 0);
	people_text(t->db, list, sizeof(list));
	assert_string_equal(list, "officer:wang@TA");
	assert_int_equal(since_of(t->db, "officer:wang@TA"), 5);
	psk_table_free(&keys);
}

/* A write that fails leaves the table as it was (one transaction). */
static void
a_failed_write_changes_nothing(void **state)
{
	struct people_test *t = *state;
	struct psk_table keys;
	char err[256], list[512];

	keys_of(&keys, "officer:wang@TA " KEY "\n");
	assert_int_equal(people_write(t->db, &keys, 1000, NULL, NULL, err, sizeof(err)), 0);
	psk_table_free(&keys);
	/* a trigger that refuses the second insert: the delete before it is undone */
	assert_int_equal(store_exec(t->db,
	                     "CREATE TEMP TRIGGER refuse BEFORE INSERT ON people"
	                     " WHEN NEW.identity = 'grid:eve@TA'"
	                     " BEGIN SELECT RAISE(ABORT, 'refused'); END",
	                     err, sizeof(err)),
	    0);
	keys_of(&keys, "officer:li@TA " KEY "\ngrid:eve@TA " KEY "\n");
	assert_int_equal(people_write(t->db, &keys, 2000, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "refused"));
	people_text(t->db, list, sizeof(list));
	assert_string_equal(list, "officer:wang@TA");
	assert_int_equal(sqlite3_get_autocommit(t->db), 1);
	psk_table_free(&keys);
}

/* A county database of migration 027 (before the table) takes 028: an
 * empty table (nobody signs in to the console until gascounty writes it),
 * every older row kept. */
static void
a_database_of_027_takes_the_table(void **state)
{
	struct people_test *t = *state;
	struct store_migration upto27[64];
	struct psk_table keys;
	sqlite3 *db;
	char err[256];

	assert_int_equal(
	    fixture_schema_upto(schema_county, 27, upto27, sizeof(upto27) / sizeof(upto27[0])), 0);
	assert_int_equal(fixture_db_open(t->dir, "county27.db", upto27, &db, err, sizeof(err)), 0);
	assert_int_equal(store_user_version(db), 27);
	assert_int_equal(
	    store_query_int(db, "SELECT count(*) FROM sqlite_master WHERE name = 'people'", -1), 0);
	assert_int_equal(store_exec(db,
	                     "INSERT INTO stations (id, township, created_ms)"
	                     " VALUES ('S01', 'TA', 1)",
	                     err, sizeof(err)),
	    0);
	store_close(db);

	assert_int_equal(
	    fixture_db_open(t->dir, "county27.db", schema_county, &db, err, sizeof(err)), 0);
	assert_true(store_user_version(db) >= 28);
	assert_int_equal(store_query_int(db, "SELECT count(*) FROM people", -1), 0);
	assert_int_equal(store_query_int(db, "SELECT count(*) FROM stations", -1), 1);
	assert_int_equal(people_present(db, "officer:wang@TA", err, sizeof(err)), 0);
	keys_of(&keys, "officer:wang@TA " KEY "\n");
	assert_int_equal(people_write(db, &keys, 1000, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(people_present(db, "officer:wang@TA", err, sizeof(err)), 1);
	psk_table_free(&keys);
	store_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    the_people_of_the_identities_file_are_written_without_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(a_reload_writes_the_people_now_in_the_file, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_row_that_is_no_persons_goes, setup, teardown),
		cmocka_unit_test_setup_teardown(a_failed_write_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(a_database_of_027_takes_the_table, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
