/*
 * figures (tools/county/figures.c): a period is whole local days (defaults,
 * bad dates, a period too long); fills are counted per local day per
 * station with the day cut at local midnight, not UTC's; the real-name
 * share per day; violations per rule and township; case figures per
 * township as cases.c counts them; cylinders past or near their inspection
 * per owner; a township's scope keeps its own rows only; the CBOR round
 * trip keeps every row and a damaged answer is refused; each figure reads
 * as a table with its header first.
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

#include "access.h"
#include "countydb_fixture.h"
#include "db.h"
#include "figures.h"
#include "store.h"
#include "timetext.h"
#include "util.h"

static struct county_config config = {
	.case_alert_accept_min = 60,
	.case_alert_onsite_min = 120,
	.case_alert_close_min = 600,
	.case_critical_accept_min = 10,
	.case_critical_onsite_min = 30,
	.case_critical_close_min = 300,
	.timezone = "Asia/Shanghai",
};

static char dir[64];
static struct county_db cdb;
static const struct access_scope all = { .reach = ACCESS_REACH_ALL };
static const struct access_scope town_a = { .reach = ACCESS_REACH_OWN, .township = "TA" };
static const struct access_scope grid_dan = { .reach = ACCESS_REACH_OWN, .person = "grid:dan@TA" };

static int64_t
at(const char *local)
{
	int64_t ms;
	int whole;
	char err[128];

	assert_int_equal(timetext_parse(local, &ms, &whole, err, sizeof(err)), 0);
	return ms;
}

static void
fill(const char *station, int seq, const char *when, const char *buyer)
{
	countydb_fill_row(&cdb, station, seq, at(when), buyer);
}

static int
setup(void **state)
{
	char err[256];

	(void)state;
	if (timetext_set_zone("Asia/Shanghai", err, sizeof(err)) == -1)
		return -1;
	return countydb_setup(dir, sizeof(dir), "test_figures", &config, &cdb);
}

static int
teardown(void **state)
{
	(void)state;
	return countydb_teardown(dir, &cdb);
}

/* The data every test reads (written once, by the first test). */
static void
known_data(void)
{
	static int done;
	int64_t open1 = at("2026-12-02 09:00"), open2 = at("2026-12-02 10:00");

	if (done++)
		return;
	fixture_execf(cdb.db,
	    "INSERT INTO stations (id, township, created_ms) VALUES ('S01', 'TA', 0),"
	    " ('S02', 'TB', 0)");
	/* S01: two on Dec 1, the second a second before local midnight; the
	 * one at 00:30 on Dec 2 is still Dec 1 in UTC (16:30Z): a cut at UTC
	 * midnight would count it a day early */
	fill("S01", 1, "2026-12-01 10:00", "b1");
	fill("S01", 2, "2026-12-01 23:59:59", "");
	fill("S01", 3, "2026-12-02 00:30", "b2");
	fill("S01", 4, "2026-12-03 12:00", "b3");
	fill("S02", 1, "2026-12-02 08:00", "b4");
	fill("S02", 2, "2026-12-02 09:00", "b5");
	/* outside the period: before and after */
	fill("S01", 5, "2026-11-30 23:59", "b6");
	fill("S02", 3, "2026-12-04 00:00", "b7");
	fixture_execf(cdb.db,
	    "INSERT INTO violations (uuid, event, station, rule, severity, township, at_ms) VALUES"
	    " ('v1', 'S01-2', 'S01', 'R08', 'info', 'TA', %lld),"
	    " ('v2', 'S01-3', 'S01', 'R20', 'alert', 'TA', %lld),"
	    " ('v3', 'S01-4', 'S01', 'R20', 'alert', 'TA', %lld),"
	    " ('v4', 'S02-1', 'S02', 'R20', 'alert', 'TB', %lld),"
	    " ('v5', 'S02-3', 'S02', 'R05', 'alert', 'TB', %lld)",
	    (long long)at("2026-12-01 23:59:59"), (long long)at("2026-12-02 00:30"),
	    (long long)at("2026-12-03 12:00"), (long long)at("2026-12-02 08:00"),
	    (long long)at("2026-12-04 00:00"));
	/* cases: TA one closed (accepted after 60 s, closed after 600 s), one
	 * new and overdue by now; TB one new, not yet due */
	fixture_execf(cdb.db,
	    "INSERT INTO cases (township, severity, kind, title, state, opened_ms, last_alert_ms,"
	    " accepted_ms, closed_ms, updated_ms) VALUES"
	    " ('TA', 'alert', 'R20', 't', 'closed', %lld, %lld, %lld, %lld, %lld),"
	    " ('TA', 'alert', 'R20', 't', 'new', %lld, %lld, 0, 0, %lld)",
	    (long long)open1, (long long)open1, (long long)(open1 + 60000),
	    (long long)(open1 + 600000), (long long)open1, (long long)open2, (long long)open2,
	    (long long)open2);
	fixture_execf(cdb.db,
	    "INSERT INTO cases (township, severity, kind, title, state, opened_ms, last_alert_ms,"
	    " updated_ms) VALUES ('TB', 'alert', 'R20', 't', 'new', %lld, %lld, %lld)",
	    (long long)at("2026-12-03 23:00"), (long long)at("2026-12-03 23:00"),
	    (long long)at("2026-12-03 23:00"));
	/* deadlines are stored on a case when it opens: the alert minutes above */
	fixture_execf(cdb.db,
	    "UPDATE cases SET accept_due_ms = opened_ms + %d, onsite_due_ms = opened_ms + %d,"
	    " close_due_ms = opened_ms + %d",
	    60 * 60000, 120 * 60000, 600 * 60000);
	/* the registry, seen on Dec 3: one past its inspection, one due in 10
	 * days, one in a year, one scrapped and past (not counted) */
	fixture_execf(cdb.db,
	    "INSERT INTO registry (serial, status, next_inspection, owner, version, updated_ms)"
	    " VALUES ('CY1', 'active', '2026-11-30', 'Gas Co', 1, 0),"
	    " ('CY2', 'active', '2026-12-13', 'Gas Co', 2, 0),"
	    " ('CY3', 'active', '2027-12-01', 'Gas Co', 3, 0),"
	    " ('CY4', 'scrapped', '2020-01-01', 'Gas Co', 4, 0),"
	    " ('CY5', 'active', '2026-12-20', 'Other Co', 5, 0)");
}

static void
compute(const struct access_scope *scope, struct figures *f)
{
	int64_t from, to;
	char err[256];

	known_data();
	assert_int_equal(
	    figures_period("2026-12-01", "2026-12-03", 0, &from, &to, err, sizeof(err)), 0);
	assert_int_equal(
	    figures_compute(&cdb, scope, from, to, at("2026-12-03 23:30"), f, err, sizeof(err)), 0);
}

static void
a_period_is_whole_local_days(void **state)
{
	int64_t from, to, now = at("2026-12-04 15:00");
	char err[256];
	static const struct {
		const char *from, *to, *why; /* why: NULL when accepted */
	} rows[] = {
		{ "2026-12-01", "2026-12-03", NULL },
		{ "2026-12-01 10:00", "2026-12-03", "a day is" },
		{ "2026-12-05", "2026-12-03", "ends before" },
		{ "2025-01-01", "2026-12-03", "at most 366" },
		{ "yesterday", NULL, "" },
		{ NULL, NULL, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; rows[i].from != NULL; i++) {
		int rc =
		    figures_period(rows[i].from, rows[i].to, now, &from, &to, err, sizeof(err));

		if (rows[i].why == NULL) {
			assert_int_equal(rc, 0);
		} else {
			if (rc != -1 || strstr(err, rows[i].why) == NULL)
				fail_msg("row %zu: rc %d, err '%s'", i, rc, err);
		}
	}
	assert_int_equal(
	    figures_period("2026-12-01", "2026-12-03", now, &from, &to, err, sizeof(err)), 0);
	assert_int_equal(from, at("2026-12-01"));
	assert_int_equal(to, at("2026-12-04"));
	/* no bounds: the last 30 days, today included */
	assert_int_equal(figures_period(NULL, "", now, &from, &to, err, sizeof(err)), 0);
	assert_int_equal(to, at("2026-12-05"));
	assert_int_equal(from, at("2026-11-05"));
}

static void
fills_are_counted_per_local_day_per_station(void **state)
{
	struct figures f;
	size_t i;
	static const struct {
		const char *day, *station;
		int64_t fills, real_name;
	} want[] = {
		{ "2026-12-01", "S01", 2, 1 },
		{ "2026-12-02", "S01", 1, 1 },
		{ "2026-12-03", "S01", 1, 1 },
		{ "2026-12-02", "S02", 2, 2 },
	};

	(void)state;
	compute(&all, &f);
	assert_string_equal(f.from_day, "2026-12-01");
	assert_string_equal(f.to_day, "2026-12-03");
	assert_int_equal(f.fill_count, 4);
	for (i = 0; i < 4; i++) {
		if (strcmp(f.fills[i].day, want[i].day) != 0 ||
		    strcmp(f.fills[i].station, want[i].station) != 0 ||
		    f.fills[i].fills != want[i].fills || f.fills[i].real_name != want[i].real_name)
			fail_msg("row %zu: %s %s %lld %lld", i, f.fills[i].day, f.fills[i].station,
			    (long long)f.fills[i].fills, (long long)f.fills[i].real_name);
	}
	/* the real-name share per day: 1 of 2, 3 of 3, 1 of 1 */
	assert_int_equal(f.day_count, 3);
	assert_int_equal(f.days[0].fills, 2);
	assert_int_equal(f.days[0].permille, 500);
	assert_int_equal(f.days[1].fills, 3);
	assert_int_equal(f.days[1].permille, 1000);
	assert_int_equal(f.days[2].permille, 1000);
	figures_free(&f);
}

static void
violations_cases_and_inspections_are_counted(void **state)
{
	struct figures f;

	(void)state;
	compute(&all, &f);
	/* R08 TA, R20 TA (2), R20 TB; R05 on Dec 4 is outside */
	assert_int_equal(f.violation_count, 3);
	assert_string_equal(f.violations[0].rule, "R08");
	assert_int_equal(f.violations[0].count, 1);
	assert_string_equal(f.violations[1].rule, "R20");
	assert_string_equal(f.violations[1].township, "TA");
	assert_int_equal(f.violations[1].count, 2);
	assert_string_equal(f.violations[2].township, "TB");
	assert_int_equal(f.case_count, 2);
	assert_string_equal(f.cases[0].township, "TA");
	assert_int_equal(f.cases[0].opened, 2);
	assert_int_equal(f.cases[0].closed, 1);
	assert_int_equal(f.cases[0].open, 1);
	assert_int_equal(f.cases[0].overdue, 1);
	assert_int_equal(f.cases[0].median_accept_s, 60);
	assert_int_equal(f.cases[0].median_close_s, 600);
	assert_string_equal(f.cases[1].township, "TB");
	assert_int_equal(f.cases[1].overdue, 0);
	assert_int_equal(f.cases[1].median_close_s, -1);
	/* seen on Dec 3: Gas Co has 3 active, 1 past, 1 due within 30 days */
	assert_int_equal(f.inspection_count, 2);
	assert_string_equal(f.inspections[0].owner, "Gas Co");
	assert_int_equal(f.inspections[0].active, 3);
	assert_int_equal(f.inspections[0].overdue, 1);
	assert_int_equal(f.inspections[0].due_soon, 1);
	assert_int_equal(f.inspections[1].overdue, 0);
	assert_int_equal(f.inspections[1].due_soon, 1);
	figures_free(&f);
}

static void
a_township_scope_keeps_its_own_rows(void **state)
{
	struct figures f;
	size_t i;

	(void)state;
	compute(&town_a, &f);
	for (i = 0; i < f.fill_count; i++)
		assert_string_equal(f.fills[i].station, "S01");
	assert_int_equal(f.fill_count, 3);
	assert_int_equal(f.days[1].fills, 1); /* S02's two are not counted */
	for (i = 0; i < f.violation_count; i++)
		assert_string_equal(f.violations[i].township, "TA");
	assert_int_equal(f.case_count, 1);
	assert_int_equal(f.inspection_count, 0);
	figures_free(&f);
	/* a person's scope (a grid worker's) reaches no station at all */
	compute(&grid_dan, &f);
	assert_int_equal(f.fill_count, 0);
	assert_int_equal(f.violation_count, 0);
	assert_int_equal(f.inspection_count, 0);
	figures_free(&f);
}

static void
the_cbor_round_trip_keeps_every_row(void **state)
{
	struct figures f, back;
	uint8_t *buf;
	size_t len;
	char err[256];

	(void)state;
	compute(&all, &f);
	assert_int_equal(figures_encode(&f, &buf, &len), 0);
	assert_int_equal(figures_decode(buf, len, &back, err, sizeof(err)), 0);
	assert_int_equal(back.fill_count, f.fill_count);
	assert_int_equal(back.day_count, f.day_count);
	assert_int_equal(back.violation_count, f.violation_count);
	assert_int_equal(back.case_count, f.case_count);
	assert_int_equal(back.inspection_count, f.inspection_count);
	assert_int_equal(back.cases[1].median_close_s, -1);
	assert_string_equal(back.fills[3].station, "S02");
	assert_int_equal(back.from_ms, f.from_ms);
	figures_free(&back);
	/* cut short: refused, nothing held */
	assert_int_equal(figures_decode(buf, len / 2, &back, err, sizeof(err)), -1);
	assert_null(back.fills);
	free(buf);
	figures_free(&f);
}

struct collected {
	size_t rows;
	char first[128], last[256];
};

static void
collect(void *ctx, const char *const *cells, size_t n)
{
	struct collected *c = ctx;
	size_t i, used = 0;

	c->last[0] = '\0';
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(c->last + used, sizeof(c->last) - used, "%s%s",
		    i ? "," : "", cells[i]);
	if (c->rows++ == 0)
		str_copy(c->first, c->last, sizeof(c->first));
}

static void
each_figure_reads_as_a_table(void **state)
{
	static const struct {
		const char *name, *header, *last;
		size_t rows;
	} want[] = {
		{ "fills", "day,station,fills,real_name", "2026-12-02,S02,2,2", 5 },
		{ "realname", "day,fills,real_name,real_name_percent", "2026-12-03,1,1,100.0", 4 },
		{ "violations", "rule,township,count", "R20,TB,1", 4 },
		{ "cases",
		    "township,opened,closed,dismissed,open,overdue,escalated,median_accept_s,"
		    "median_close_s",
		    "TB,1,0,0,1,0,0,,", 3 },
		{ "inspections", "owner,active,overdue,due_30d", "Other Co,1,0,1", 3 },
	};
	struct figures f;
	struct collected c;
	size_t i;

	(void)state;
	compute(&all, &f);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		memset(&c, 0, sizeof(c));
		assert_true(figures_known(want[i].name));
		assert_int_equal(figures_table(&f, want[i].name, collect, &c), 0);
		if (c.rows != want[i].rows || strcmp(c.first, want[i].header) != 0 ||
		    strcmp(c.last, want[i].last) != 0)
			fail_msg("%s: %zu rows, header '%s', last '%s'", want[i].name, c.rows,
			    c.first, c.last);
	}
	memset(&c, 0, sizeof(c));
	assert_false(figures_known("../etc/passwd"));
	assert_int_equal(figures_table(&f, "nonsense", collect, &c), -1);
	assert_int_equal(c.rows, 0);
	figures_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_period_is_whole_local_days),
		cmocka_unit_test(fills_are_counted_per_local_day_per_station),
		cmocka_unit_test(violations_cases_and_inspections_are_counted),
		cmocka_unit_test(a_township_scope_keeps_its_own_rows),
		cmocka_unit_test(the_cbor_round_trip_keeps_every_row),
		cmocka_unit_test(each_figure_reads_as_a_table),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
