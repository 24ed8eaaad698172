/*
 * dbpool (tools/county/dbpool.c): the console's database handles.  Each
 * taken handle is a connection of its own; a handle taken with a snapshot
 * sees a write that another handle commits meanwhile not at all (nor any
 * part of it) until it is given back, and cannot write (a write there
 * would be lost at the give: it fails at once); a handle given back with a write
 * still open has it rolled back and the write lock freed; the pool counts
 * the most handles taken at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbpool.h"
#include "fixture.h"
#include "store.h"

static struct county_config config = { .timezone = "UTC" };
static char dir[64], path[128];
static struct county_pool pool;

static int
setup(void **state)
{
	char err[256];

	(void)state;
	if (fixture_dir_make(dir, sizeof(dir), "test_dbpool") == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/county.db", dir);
	if (county_pool_open(&pool, path, 3, &config, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	county_pool_close(&pool);
	return fixture_dir_remove(dir);
}

static long long
audit_rows(struct county_db *c)
{
	return store_query_int(c->db, "SELECT count(*) FROM audit", -1);
}

static void
audit_write_two(struct county_db *c, int commit)
{
	char err[256];

	assert_int_equal(store_begin(c->db, err, sizeof(err)), 0);
	assert_int_equal(store_exec(c->db,
	                     "INSERT INTO audit (at_ms, identity, query, key, from_ms, to_ms,"
	                     " results, after) VALUES (1, 'regulator:a', 'cylinder', 'X', 0, 0, 0,"
	                     " ''), (2, 'regulator:a', 'cylinder', 'Y', 0, 0, 0, '')",
	                     err, sizeof(err)),
	    0);
	if (commit)
		assert_int_equal(store_commit(c->db, err, sizeof(err)), 0);
}

static void
a_snapshot_sees_a_write_whole_or_not_at_all(void **state)
{
	struct county_db *reader, *writer;
	long long before;

	(void)state;
	reader = county_pool_take(&pool, 1);
	before = audit_rows(reader); /* the snapshot starts with this read */
	writer = county_pool_take(&pool, 0);
	assert_ptr_not_equal(reader, writer);
	assert_ptr_not_equal(reader->db, writer->db);
	/* the writer is not held up by the reader (WAL), and commits */
	audit_write_two(writer, 1);
	assert_int_equal(audit_rows(writer), before + 2);
	/* the reader's next read is of the same state: none of the two rows */
	assert_int_equal(audit_rows(reader), before);
	county_pool_give(&pool, writer);
	county_pool_give(&pool, reader);
	/* taken again, it sees both */
	reader = county_pool_take(&pool, 1);
	assert_int_equal(audit_rows(reader), before + 2);
	county_pool_give(&pool, reader);
}

static void
a_handle_given_back_mid_write_is_rolled_back_and_unlocked(void **state)
{
	struct county_db *a, *b;
	long long before;
	char err[256];

	(void)state;
	a = county_pool_take(&pool, 0);
	before = audit_rows(a);
	audit_write_two(a, 0); /* the write lock held, nothing committed */
	county_pool_give(&pool, a);
	b = county_pool_take(&pool, 0);
	assert_int_equal(audit_rows(b), before);
	/* the lock is free: another write begins at once (no busy wait) */
	assert_int_equal(store_exec(b->db, "BEGIN IMMEDIATE", err, sizeof(err)), 0);
	assert_int_equal(store_exec(b->db, "ROLLBACK", err, sizeof(err)), 0);
	county_pool_give(&pool, b);
}

static void
a_snapshot_refuses_a_write_and_the_handle_writes_again_once_given_back(void **state)
{
	struct county_db *c;
	long long before;
	char err[256];

	(void)state;
	c = county_pool_take(&pool, 1);
	before = audit_rows(c);
	assert_int_equal(store_exec(c->db,
	                     "INSERT INTO audit (at_ms, identity, query, key, from_ms, to_ms,"
	                     " results, after) VALUES (3, 'regulator:a', 'cylinder', 'Z', 0, 0, 0,"
	                     " '')",
	                     err, sizeof(err)),
	    -1);
	county_pool_give(&pool, c);
	/* every handle, that one included, writes once taken without one */
	c = county_pool_take(&pool, 0);
	audit_write_two(c, 1);
	assert_int_equal(audit_rows(c), before + 2);
	county_pool_give(&pool, c);
}

static void
handles_are_distinct_and_the_most_taken_at_once_is_counted(void **state)
{
	struct county_db *h[3];
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		h[i] = county_pool_take(&pool, i == 1);
		assert_non_null(h[i]);
		assert_ptr_equal(h[i]->config, &config);
	}
	assert_ptr_not_equal(h[0], h[1]);
	assert_ptr_not_equal(h[1], h[2]);
	assert_ptr_not_equal(h[0], h[2]);
	assert_int_equal(county_pool_most(&pool), 3);
	for (i = 0; i < 3; i++)
		county_pool_give(&pool, h[i]);
	h[0] = county_pool_take(&pool, 0);
	county_pool_give(&pool, h[0]);
	assert_int_equal(county_pool_most(&pool), 3);
}

static void
an_empty_pool_is_refused(void **state)
{
	struct county_pool none;
	char err[256] = "";

	(void)state;
	assert_int_equal(county_pool_open(&none, path, 0, &config, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no database handles"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		/* first: a failure below may leave a handle taken */
		cmocka_unit_test(handles_are_distinct_and_the_most_taken_at_once_is_counted),
		cmocka_unit_test(an_empty_pool_is_refused),
		cmocka_unit_test(a_snapshot_sees_a_write_whole_or_not_at_all),
		cmocka_unit_test(a_handle_given_back_mid_write_is_rolled_back_and_unlocked),
		cmocka_unit_test(
		    a_snapshot_refuses_a_write_and_the_handle_writes_again_once_given_back),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
