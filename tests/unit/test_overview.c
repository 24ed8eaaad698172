/*
 * overview (tools/county/overview.c), the map's "fills today": each station
 * with fills since the instant is counted (the largest first, ties by
 * station), a station with fills before it only is left out, the caller's
 * bound holds, and the count's work does not grow with the county's
 * history (a range read per station in fills_station, not a read of every
 * fill).
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

#include "countydb_fixture.h"
#include "db.h"
#include "overview.h"
#include "store.h"
#include "util.h"

#define DAY_MS 86400000LL
#define TODAY (1000 * DAY_MS)

static struct county_config config = { .timezone = "UTC" };
static char dir[64];
static struct county_db cdb;
static int64_t vm_steps;

static void
fill(const char *station, int seq, int64_t started_ms)
{
	countydb_fill_row(&cdb, station, seq, started_ms, "");
}

/* Adds up the virtual machine steps of each statement as it ends (SQLite's
 * own count of the work done, which grows with the rows read). */
static int
profile(unsigned type, void *ctx, void *p, void *x)
{
	(void)ctx;
	(void)x;
	if (type == SQLITE_TRACE_PROFILE)
		vm_steps += sqlite3_stmt_status((sqlite3_stmt *)p, SQLITE_STMTSTATUS_VM_STEP, 0);
	return 0;
}

static int
setup(void **state)
{
	int s, i;

	(void)state;
	if (countydb_setup(dir, sizeof(dir), "test_overview", &config, &cdb) == -1)
		return -1;
	fixture_execf(cdb.db, "BEGIN");
	fixture_execf(cdb.db,
	    "INSERT INTO stations (id, township, created_ms) VALUES ('S0', 'TA', 0), ('S1', 'TA', 0),"
	    " ('S2', 'TB', 0), ('S3', 'TB', 0), ('S4', 'TB', 0)");
	/* a history: 300 days of fills at five stations, none of them today */
	for (s = 0; s < 5; s++)
		for (i = 0; i < 300; i++) {
			char station[16];

			snprintf(station, sizeof(station), "S%d", s);
			fill(station, i + 1, TODAY - (300 - i) * DAY_MS + s * 1000);
		}
	/* today: S3 three fills, S1 and S4 one each (a tie), S0 and S2 none;
	 * one S2 fill a millisecond before the day began */
	fill("S3", 301, TODAY);
	fill("S3", 302, TODAY + 3600000);
	fill("S3", 303, TODAY + 7200000);
	fill("S4", 301, TODAY + 60000);
	fill("S1", 301, TODAY + 120000);
	fill("S2", 301, TODAY - 1);
	fixture_execf(cdb.db, "COMMIT");
	/* no ANALYZE: gascounty never runs it, and with its statistics SQLite
	 * may find the per-station reading by itself */
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return countydb_teardown(dir, &cdb);
}

static void
fills_today_are_counted_per_station(void **state)
{
	struct overview_count rows[8];
	size_t n = 99;
	char err[256];

	(void)state;
	assert_int_equal(overview_fills_since(&cdb, TODAY, rows, 8, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].name, "S3");
	assert_int_equal(rows[0].count, 3);
	assert_string_equal(rows[1].name, "S1");
	assert_int_equal(rows[1].count, 1);
	assert_string_equal(rows[2].name, "S4");
	assert_int_equal(rows[2].count, 1);

	/* the caller's bound */
	assert_int_equal(overview_fills_since(&cdb, TODAY, rows, 2, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[1].name, "S1");

	/* from a millisecond earlier S2's fill is in, and from the start all */
	assert_int_equal(overview_fills_since(&cdb, TODAY - 1, rows, 8, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 4);
	assert_string_equal(rows[2].name, "S2");
	assert_string_equal(rows[3].name, "S4");
	assert_int_equal(overview_fills_since(&cdb, -5, rows, 8, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 5);
	assert_string_equal(rows[0].name, "S3");
	assert_int_equal(rows[0].count, 303);
	assert_string_equal(rows[4].name, "S0");
	assert_int_equal(rows[4].count, 300);
}

/* The map's shading: a township's open cases, whatever became of the alerts behind them
 * (their dispositions are the pre-case way, and a closed case leaves none). */
static void
open_cases_are_counted_per_township(void **state)
{
	static const char *const states[] = { "new", "accepted", "onsite", "decided", "closed",
		"dismissed" };
	struct overview_count rows[8];
	size_t n = 99, i;
	char err[256];

	(void)state;
	fixture_execf(cdb.db, "BEGIN");
	/* TA: one of each state (four open); TB: two new; TC: only closed ones */
	for (i = 0; i < 6; i++)
		fixture_execf(cdb.db,
		    "INSERT INTO cases (township, severity, kind, title, state, opened_ms,"
		    " last_alert_ms, updated_ms) VALUES ('TA', 'alert', 'R05', 't', '%s', 1, 1, 1)",
		    states[i]);
	fixture_execf(cdb.db,
	    "INSERT INTO cases (township, severity, kind, title, state, opened_ms, last_alert_ms,"
	    " updated_ms) VALUES ('TB', 'critical', 'R23', 't', 'new', 1, 1, 1),"
	    " ('TB', 'alert', 'stacked', 't', 'new', 1, 1, 1),"
	    " ('TC', 'alert', 'R05', 't', 'closed', 1, 1, 1),"
	    " ('TC', 'alert', 'R05', 't', 'dismissed', 1, 1, 1)");
	fixture_execf(cdb.db, "COMMIT");
	assert_int_equal(overview_open_cases(&cdb, rows, 8, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].name, "TA");
	assert_int_equal(rows[0].count, 4);
	assert_string_equal(rows[1].name, "TB");
	assert_int_equal(rows[1].count, 2);
	fixture_execf(cdb.db, "DELETE FROM cases");
}

/* The work of one count (SQLite's virtual machine steps, summed over the
 * statements it ran). */
static int64_t
steps_of_fills_today(void)
{
	struct overview_count rows[8];
	size_t n;
	char err[256];

	vm_steps = 0;
	assert_int_equal(sqlite3_trace_v2(cdb.db, SQLITE_TRACE_PROFILE, profile, NULL), SQLITE_OK);
	assert_int_equal(overview_fills_since(&cdb, TODAY, rows, 8, &n, err, sizeof(err)), 0);
	sqlite3_trace_v2(cdb.db, 0, NULL, NULL);
	assert_int_equal(n, 3);
	return vm_steps;
}

static void
fills_today_cost_does_not_grow_with_history(void **state)
{
	int64_t before, after;
	int s, i;

	(void)state;
	before = steps_of_fills_today();
	assert_true(before > 0);
	/* another 300 days of history before the first, at the same stations */
	fixture_execf(cdb.db, "BEGIN");
	for (s = 0; s < 5; s++)
		for (i = 0; i < 300; i++) {
			char station[16];

			snprintf(station, sizeof(station), "S%d", s);
			fill(station, 1000 + i, TODAY - (600 - i) * DAY_MS + s * 1000);
		}
	fixture_execf(cdb.db, "COMMIT");
	after = steps_of_fills_today();
	assert_int_equal(after, before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fills_today_are_counted_per_station),
		cmocka_unit_test(open_cases_are_counted_per_township),
		cmocka_unit_test(fills_today_cost_does_not_grow_with_history),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
