/*
 * Unit tests of gateway/ctl.c's memory release (ctl.h): when the control
 * thread gives the SQLite caches and the heap's free pages back.  Only
 * when every line rests and a minute has passed; on a station whose lines
 * never all rest, after CTL_RELEASE_MAX_MS, and then never while a fill's
 * valve is open or just closed (its cut-off's timing is a quantity of
 * gas).  The decision as a table of cases, and the control loop's step on
 * real lines' statuses and a real station database.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl.h"
#include "fixture.h"
#include "gw.h"
#include "line.h"
#include "records.h"
#include "stationdb_fixture.h"
#include "store.h"

static const char *
release_name(enum ctl_release r)
{
	switch (r) {
	case CTL_RELEASE_NOT_NOW:
		return "not now";
	case CTL_RELEASE_AT_REST:
		return "at rest";
	case CTL_RELEASE_OVERDUE:
		return "overdue";
	}
	return "?";
}

static const char *
activity_name(enum ctl_line_activity a)
{
	switch (a) {
	case CTL_LINE_AT_REST:
		return "at rest";
	case CTL_LINE_BUSY:
		return "busy";
	case CTL_LINE_TIMED:
		return "timed";
	}
	return "?";
}

/* A line's status says whether it rests: no fill in progress, no start
 * waiting for its outcome, no emergency. */
static void
a_line_rests_only_without_a_fill_a_start_or_an_emergency(void **state)
{
	static const struct {
		enum line_state state;
		unsigned attempt, finished;
		enum ctl_line_activity want;
	} cases[] = {
		{ LINE_IDLE, 0, 0, CTL_LINE_AT_REST },
		{ LINE_IDLE, 4, 4, CTL_LINE_AT_REST },
		{ LINE_IDENTIFIED, 2, 2, CTL_LINE_AT_REST },
		{ LINE_REFUSED, 3, 3, CTL_LINE_AT_REST },
		{ LINE_RECORDED, 5, 5, CTL_LINE_AT_REST },
		{ LINE_INTERRUPTED, 5, 5, CTL_LINE_AT_REST },
		/* a start taken: its checks wait for a stable weight, then open */
		{ LINE_IDLE, 5, 4, CTL_LINE_BUSY },
		{ LINE_IDENTIFIED, 1, 0, CTL_LINE_BUSY },
		{ LINE_RECORDED, 6, 5, CTL_LINE_BUSY },
		{ LINE_EMERGENCY, 2, 2, CTL_LINE_BUSY },
		/* from the checks to the check-weighing: the timed part */
		{ LINE_CHECKED, 1, 0, CTL_LINE_TIMED },
		{ LINE_ARMED, 1, 0, CTL_LINE_TIMED },
		{ LINE_FILLING, 1, 0, CTL_LINE_TIMED },
		{ LINE_CUTOFF, 1, 0, CTL_LINE_TIMED },
		{ LINE_SETTLING, 1, 0, CTL_LINE_TIMED },
		{ LINE_CHECKWEIGHED, 1, 0, CTL_LINE_TIMED },
		/* whatever the counters say while the valve is open or just closed */
		{ LINE_FILLING, 1, 1, CTL_LINE_TIMED },
		{ LINE_CHECKWEIGHED, 7, 7, CTL_LINE_TIMED },
	};
	struct line_status s;
	enum ctl_line_activity got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&s, 0, sizeof(s));
		s.state = cases[i].state;
		s.attempt = cases[i].attempt;
		s.finished = cases[i].finished;
		got = ctl_line_activity(&s);
		if (got != cases[i].want)
			fail_msg("case %zu (%s, attempt %u, finished %u): %s, expected %s", i,
			    line_state_name(cases[i].state), cases[i].attempt, cases[i].finished,
			    activity_name(got), activity_name(cases[i].want));
	}
}

/* The release waits for every line at rest and a minute since the last;
 * lines that never all rest get one after CTL_RELEASE_MAX_MS, but never
 * while any line is in the timed part of a fill. */
static void
release_waits_for_rest_and_never_disturbs_a_fill(void **state)
{
	static const struct {
		int64_t since_ms;
		size_t busy, timed;
		enum ctl_release want;
	} cases[] = {
		{ 0, 0, 0, CTL_RELEASE_NOT_NOW },
		{ CTL_RELEASE_MS - 1, 0, 0, CTL_RELEASE_NOT_NOW },
		{ CTL_RELEASE_MS, 0, 0, CTL_RELEASE_AT_REST },
		{ 3 * CTL_RELEASE_MS, 0, 0, CTL_RELEASE_AT_REST },
		/* a minute passed, but a line works */
		{ CTL_RELEASE_MS, 1, 0, CTL_RELEASE_NOT_NOW },
		{ CTL_RELEASE_MS, 0, 1, CTL_RELEASE_NOT_NOW },
		{ CTL_RELEASE_MAX_MS - 1, 8, 0, CTL_RELEASE_NOT_NOW },
		{ CTL_RELEASE_MAX_MS - 1, 0, 1, CTL_RELEASE_NOT_NOW },
		/* never all at rest: once overdue, when no valve is open */
		{ CTL_RELEASE_MAX_MS, 1, 0, CTL_RELEASE_OVERDUE },
		{ CTL_RELEASE_MAX_MS, 8, 0, CTL_RELEASE_OVERDUE },
		{ CTL_RELEASE_MAX_MS, 0, 1, CTL_RELEASE_NOT_NOW },
		{ CTL_RELEASE_MAX_MS, 7, 1, CTL_RELEASE_NOT_NOW },
		{ 24 * 3600 * 1000LL, 0, 8, CTL_RELEASE_NOT_NOW },
		{ 24 * 3600 * 1000LL, 3, 0, CTL_RELEASE_OVERDUE },
	};
	enum ctl_release got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = ctl_release_due(cases[i].since_ms, cases[i].busy, cases[i].timed);
		if (got != cases[i].want)
			fail_msg("case %zu (%lld ms since, %zu busy, %zu timed): %s, expected %s",
			    i, (long long)cases[i].since_ms, cases[i].busy, cases[i].timed,
			    release_name(got), release_name(cases[i].want));
	}
}

/* ---- the control loop's step, on a station database and lines' statuses --------- */

struct fixture {
	char dir[64];
	struct gw *gw;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	size_t i;

	if (f == NULL || (f->gw = calloc(1, sizeof(*f->gw))) == NULL) {
		fprintf(stderr, "test_ctl: no memory for the fixture\n");
		free(f);
		return -1;
	}
	if (stationdb_setup(f->dir, sizeof(f->dir), "test_ctl", &f->gw->records,
	        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
	        " INSERT INTO cylinders (serial, model, manufactured, tare_kg, fill_kg, owner,"
	        " updated_ms) SELECT printf('R-%05d', i), 'YSP35.5', '2024-01-01', 15.2, 14.9,"
	        " 'Gas', 0 FROM n") == -1) {
		free(f->gw);
		free(f);
		return -1;
	}
	/* what ctl_release_memory reads of a line: its status, under its lock */
	f->gw->line_count = 2;
	for (i = 0; i < f->gw->line_count; i++) {
		f->gw->lines[i].number = (int)i + 1;
		pthread_mutex_init(&f->gw->lines[i].lock, NULL);
		f->gw->lines[i].status.number = (int)i + 1;
		f->gw->lines[i].status.state = LINE_IDLE;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	size_t i;
	int rc;

	for (i = 0; i < f->gw->line_count; i++)
		pthread_mutex_destroy(&f->gw->lines[i].lock);
	rc = stationdb_teardown(f->dir, &f->gw->records);
	free(f->gw);
	free(f);
	return rc;
}

/* Bytes of page cache the writing connection holds now. */
static int
cache_used(struct records *rec)
{
	int cur = 0, hi = 0;

	pthread_mutex_lock(&rec->lock);
	sqlite3_db_status(rec->db, SQLITE_DBSTATUS_CACHE_USED, &cur, &hi, 0);
	pthread_mutex_unlock(&rec->lock);
	return cur;
}

/* Look-ups as a busy spell makes them: the registry's pages in the cache. */
static void
busy_spell(struct records *rec)
{
	struct records_cylinder c;
	char err[256], serial[32];

	for (int i = 1; i <= 3000; i += 7) {
		snprintf(serial, sizeof(serial), "R-%05d", i);
		assert_int_equal(records_cylinder_get(rec, serial, &c, err, sizeof(err)),
		    STORE_FOUND);
	}
	assert_true(cache_used(rec) > 32 * 1024);
}

static void
set_line(struct gw *gw, size_t i, enum line_state st, unsigned attempt, unsigned finished)
{
	pthread_mutex_lock(&gw->lines[i].lock);
	gw->lines[i].status.state = st;
	gw->lines[i].status.attempt = attempt;
	gw->lines[i].status.finished = finished;
	pthread_mutex_unlock(&gw->lines[i].lock);
}

/* The control loop gives the caches back once both lines rest, not while
 * one fills, whatever the time since the last release; not again within
 * a minute; and on lines that never all rest only once overdue, with no
 * valve open. */
static void
the_control_loop_releases_only_when_the_lines_rest(void **state)
{
	struct fixture *f = *state;
	struct gw *gw = f->gw;
	int64_t now = 10 * 24 * 3600 * 1000LL, released = now - CTL_RELEASE_MS, full;

	busy_spell(&gw->records);
	full = cache_used(&gw->records);

	/* line 2 fills: nothing given back, however long since the last */
	set_line(gw, 1, LINE_FILLING, 1, 0);
	assert_int_equal(ctl_release_memory(gw, now, &released), CTL_RELEASE_NOT_NOW);
	assert_int_equal(released, now - CTL_RELEASE_MS);
	released = now - CTL_RELEASE_MAX_MS;
	assert_int_equal(ctl_release_memory(gw, now, &released), CTL_RELEASE_NOT_NOW);
	assert_int_equal(released, now - CTL_RELEASE_MAX_MS);
	assert_int_equal(cache_used(&gw->records), full);

	/* line 2's fill recorded, line 1 at rest: released now */
	released = now - CTL_RELEASE_MS;
	set_line(gw, 1, LINE_RECORDED, 1, 1);
	assert_int_equal(ctl_release_memory(gw, now, &released), CTL_RELEASE_AT_REST);
	assert_int_equal(released, now);
	assert_true(cache_used(&gw->records) < full / 4);

	/* a busy spell again, the lines at rest, within the minute: kept */
	busy_spell(&gw->records);
	full = cache_used(&gw->records);
	now += CTL_RELEASE_MS - 1;
	assert_int_equal(ctl_release_memory(gw, now, &released), CTL_RELEASE_NOT_NOW);
	assert_int_equal(cache_used(&gw->records), full);

	/* line 1 in emergency, line 2's next start waiting for its checks:
	 * not at rest, so only once overdue */
	set_line(gw, 0, LINE_EMERGENCY, 3, 3);
	set_line(gw, 1, LINE_IDENTIFIED, 2, 1);
	now = released + CTL_RELEASE_MAX_MS - 1;
	assert_int_equal(ctl_release_memory(gw, now, &released), CTL_RELEASE_NOT_NOW);
	assert_int_equal(cache_used(&gw->records), full);
	now++;
	assert_int_equal(ctl_release_memory(gw, now, &released), CTL_RELEASE_OVERDUE);
	assert_int_equal(released, now);
	assert_true(cache_used(&gw->records) < full / 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_line_rests_only_without_a_fill_a_start_or_an_emergency),
		cmocka_unit_test(release_waits_for_rest_and_never_disturbs_a_fill),
		cmocka_unit_test_setup_teardown(the_control_loop_releases_only_when_the_lines_rest,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
