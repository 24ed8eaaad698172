/*
 * timetext: instants shown and read in local time with the offset visible,
 * days cut at local midnight, in Asia/Shanghai (no summer time), UTC and
 * zones with summer time (Europe/Berlin, America/New_York), and spans in
 * their two largest units, as tables of {zone, input, expected} ending in a
 * sentinel.  Each failure names its row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timetext.h"
#include "util.h"

/* 2026-12-04T04:38:11.123Z */
#define DEC4 INT64_C(1796359091123)
#define HOUR INT64_C(3600000)
#define FAILS INT64_MIN

static void
zone(const char *name)
{
	char err[256];

	if (timetext_set_zone(name, err, sizeof(err)) == -1)
		fail_msg("zone %s: %s", name, err);
}

/* Unix ms of a UTC date and time (the test's own arithmetic, util.h's days). */
static int64_t
utc(int y, int mo, int d, int h, int mi, int s)
{
	return ((int64_t)date_to_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * 1000;
}

static void
shows_local_time_with_the_offset(void **state)
{
	const struct {
		const char *zone;
		int64_t ms;
		enum timetext_form form;
		const char *expected;
	} rows[] = {
		{ "Asia/Shanghai", DEC4, TIMETEXT_PERSON, "2026-12-04 12:38:11+08:00" },
		{ "Asia/Shanghai", DEC4, TIMETEXT_MINUTE, "2026-12-04 12:38+08:00" },
		{ "Asia/Shanghai", DEC4, TIMETEXT_CLOCK, "12:38:11.123+08:00" },
		{ "Asia/Shanghai", DEC4, TIMETEXT_MACHINE, "2026-12-04T12:38:11.123+08:00" },
		/* 16:38 UTC is already the next day in Beijing */
		{ "Asia/Shanghai", DEC4 + 12 * HOUR, TIMETEXT_PERSON, "2026-12-05 00:38:11+08:00" },
		{ "UTC", DEC4, TIMETEXT_PERSON, "2026-12-04 04:38:11+00:00" },
		{ "UTC", DEC4, TIMETEXT_MACHINE, "2026-12-04T04:38:11.123+00:00" },
		{ "UTC", -1, TIMETEXT_MACHINE, "1969-12-31T23:59:59.999+00:00" },
		{ "Europe/Berlin", utc(2026, 1, 15, 12, 0, 0), TIMETEXT_PERSON,
		    "2026-01-15 13:00:00+01:00" },
		{ "Europe/Berlin", utc(2026, 7, 15, 12, 0, 0), TIMETEXT_PERSON,
		    "2026-07-15 14:00:00+02:00" },
		/* the hour that happens twice when summer time ends: the offset tells them apart */
		{ "Europe/Berlin", utc(2026, 10, 25, 0, 30, 0), TIMETEXT_PERSON,
		    "2026-10-25 02:30:00+02:00" },
		{ "Europe/Berlin", utc(2026, 10, 25, 1, 30, 0), TIMETEXT_PERSON,
		    "2026-10-25 02:30:00+01:00" },
		{ "America/New_York", utc(2026, 12, 4, 4, 38, 11), TIMETEXT_PERSON,
		    "2026-12-03 23:38:11-05:00" },
		{ "America/New_York", utc(2026, 7, 4, 16, 0, 0), TIMETEXT_MINUTE,
		    "2026-07-04 12:00-04:00" },
		{ "Asia/Kolkata", DEC4, TIMETEXT_PERSON, "2026-12-04 10:08:11+05:30" },
		{ NULL, 0, 0, NULL },
	};
	char text[TIMETEXT_MAX];

	(void)state;
	for (int i = 0; rows[i].zone != NULL; i++) {
		zone(rows[i].zone);
		timetext_format(rows[i].ms, rows[i].form, text);
		if (strcmp(text, rows[i].expected) != 0)
			fail_msg("row %d (%s): '%s', expected '%s'", i, rows[i].zone, text,
			    rows[i].expected);
	}
}

static void
reads_what_people_type_in_local_time(void **state)
{
	const struct {
		const char *zone;
		const char *text;
		int64_t expected; /* FAILS: refused */
		int whole_day;
	} rows[] = {
		/* a bare date is local midnight: 16:00 UTC the day before in Beijing */
		{ "Asia/Shanghai", "2026-12-04", utc(2026, 12, 3, 16, 0, 0), 1 },
		{ "UTC", "2026-12-04", utc(2026, 12, 4, 0, 0, 0), 1 },
		{ "America/New_York", "2026-12-04", utc(2026, 12, 4, 5, 0, 0), 1 },
		{ "Asia/Shanghai", "2026-12-04 08:00", utc(2026, 12, 4, 0, 0, 0), 0 },
		{ "Asia/Shanghai", "2026-12-04T08:00:30", utc(2026, 12, 4, 0, 0, 30), 0 },
		{ "Asia/Shanghai", "2026-12-04T12:38:11.123", DEC4, 0 },
		{ "Asia/Shanghai", "2026-12-04T12:38:11.1234567", DEC4, 0 },
		/* an offset in the text wins over the local zone */
		{ "Asia/Shanghai", "2026-12-04T08:00:30Z", utc(2026, 12, 4, 8, 0, 30), 0 },
		{ "UTC", "2026-12-04T12:38:11.123+08:00", DEC4, 0 },
		{ "UTC", "2026-12-04 12:38:11.123+0800", DEC4, 0 },
		{ "UTC", "2026-12-04T12:38:11.123+08", DEC4, 0 },
		{ "UTC", "2026-12-03T23:38:11.123-05:00", DEC4, 0 },
		{ "Europe/Berlin", "2026-07-15 14:00", utc(2026, 7, 15, 12, 0, 0), 0 },
		{ "Europe/Berlin", "2026-01-15 13:00", utc(2026, 1, 15, 12, 0, 0), 0 },
		/* the hour skipped when summer time begins does not exist */
		{ "Europe/Berlin", "2026-03-29 02:30", FAILS, 0 },
		/* the hour repeated when it ends: the earlier (still summer time) */
		{ "Europe/Berlin", "2026-10-25 02:30", utc(2026, 10, 25, 0, 30, 0), 0 },
		{ "Europe/Berlin", "2026-10-25 02:30+01:00", utc(2026, 10, 25, 1, 30, 0), 0 },
		{ "Europe/Berlin", "2026-03-29", utc(2026, 3, 28, 23, 0, 0), 1 },
		{ "UTC", "2026-02-30", FAILS, 0 },
		{ "UTC", "2026-1-04", FAILS, 0 },
		{ "UTC", "yesterday", FAILS, 0 },
		{ "UTC", "", FAILS, 0 },
		{ "UTC", "2026-12-04 25:00", FAILS, 0 },
		{ "UTC", "2026-12-04 12:60", FAILS, 0 },
		{ "UTC", "2026-12-04 12:38:61", FAILS, 0 },
		{ "UTC", "2026-12-04 12", FAILS, 0 },
		{ "UTC", "2026-12-04T12:38:11+25:00", FAILS, 0 },
		{ "UTC", "2026-12-04T12:38:11+08:0", FAILS, 0 },
		{ "UTC", "2026-12-04 12:38 UTC", FAILS, 0 },
		{ "UTC", "2026-12-04x", FAILS, 0 },
		{ NULL, NULL, 0, 0 },
	};
	char err[256];
	int64_t ms;
	int whole;

	(void)state;
	for (int i = 0; rows[i].zone != NULL; i++) {
		zone(rows[i].zone);
		ms = 42;
		whole = -1;
		err[0] = '\0';
		if (timetext_parse(rows[i].text, &ms, &whole, err, sizeof(err)) == -1) {
			if (rows[i].expected != FAILS)
				fail_msg("row %d (%s '%s') refused: %s", i, rows[i].zone,
				    rows[i].text, err);
			if (ms != 42 || err[0] == '\0')
				fail_msg("row %d: a refusal changed the instant or gave no reason",
				    i);
			continue;
		}
		if (rows[i].expected == FAILS)
			fail_msg("row %d (%s '%s') accepted as %lld", i, rows[i].zone, rows[i].text,
			    (long long)ms);
		if (ms != rows[i].expected || whole != rows[i].whole_day)
			fail_msg("row %d (%s '%s'): %lld whole %d, expected %lld whole %d", i,
			    rows[i].zone, rows[i].text, (long long)ms, whole,
			    (long long)rows[i].expected, rows[i].whole_day);
	}
}

/* What a program writes (the machine form) reads back to the same instant,
 * in every zone, including both instants of a repeated hour. */
static void
machine_form_reads_back_exactly(void **state)
{
	static const char *zones[] = { "Asia/Shanghai", "UTC", "Europe/Berlin", "America/New_York",
		NULL };
	const int64_t instants[] = { DEC4, 0, -1, utc(2026, 10, 25, 0, 30, 0) + 5,
		utc(2026, 10, 25, 1, 30, 0) + 7, utc(2026, 3, 29, 1, 0, 0),
		utc(2038, 1, 19, 3, 14, 8), FAILS };
	char text[TIMETEXT_MAX], err[256];
	int64_t back;

	(void)state;
	for (int z = 0; zones[z] != NULL; z++) {
		zone(zones[z]);
		for (int i = 0; instants[i] != FAILS; i++) {
			timetext_format(instants[i], TIMETEXT_MACHINE, text);
			if (timetext_parse(text, &back, NULL, err, sizeof(err)) == -1)
				fail_msg("%s: '%s' refused: %s", zones[z], text, err);
			if (back != instants[i])
				fail_msg("%s: %lld -> '%s' -> %lld", zones[z],
				    (long long)instants[i], text, (long long)back);
		}
	}
}

static void
days_are_cut_at_local_midnight(void **state)
{
	const struct {
		const char *zone;
		int64_t at;
		int64_t start, next;
		const char *date;
	} rows[] = {
		/* 23:59:59 in Beijing is still 4 December; 00:00 is the 5th */
		{ "Asia/Shanghai", utc(2026, 12, 4, 15, 59, 59), utc(2026, 12, 3, 16, 0, 0),
		    utc(2026, 12, 4, 16, 0, 0), "2026-12-04" },
		{ "Asia/Shanghai", utc(2026, 12, 4, 16, 0, 0), utc(2026, 12, 4, 16, 0, 0),
		    utc(2026, 12, 5, 16, 0, 0), "2026-12-05" },
		{ "UTC", utc(2026, 12, 4, 15, 59, 59), utc(2026, 12, 4, 0, 0, 0),
		    utc(2026, 12, 5, 0, 0, 0), "2026-12-04" },
		/* the day summer time begins has 23 hours, the day it ends 25 */
		{ "Europe/Berlin", utc(2026, 3, 29, 12, 0, 0), utc(2026, 3, 28, 23, 0, 0),
		    utc(2026, 3, 29, 22, 0, 0), "2026-03-29" },
		{ "Europe/Berlin", utc(2026, 10, 25, 12, 0, 0), utc(2026, 10, 24, 22, 0, 0),
		    utc(2026, 10, 25, 23, 0, 0), "2026-10-25" },
		{ "America/New_York", utc(2026, 12, 4, 4, 38, 11), utc(2026, 12, 3, 5, 0, 0),
		    utc(2026, 12, 4, 5, 0, 0), "2026-12-03" },
		{ NULL, 0, 0, 0, NULL },
	};
	char date[11];

	(void)state;
	for (int i = 0; rows[i].zone != NULL; i++) {
		zone(rows[i].zone);
		if (timetext_day_start(rows[i].at) != rows[i].start ||
		    timetext_next_day(rows[i].at) != rows[i].next)
			fail_msg("row %d (%s): day %lld..%lld, expected %lld..%lld", i,
			    rows[i].zone, (long long)timetext_day_start(rows[i].at),
			    (long long)timetext_next_day(rows[i].at), (long long)rows[i].start,
			    (long long)rows[i].next);
		date_format(timetext_day_number(rows[i].at), date);
		if (strcmp(date, rows[i].date) != 0)
			fail_msg("row %d (%s): date %s, expected %s", i, rows[i].zone, date,
			    rows[i].date);
	}
}

/* "Today" (inspection due, service life) is the local date: UTC+14 and
 * UTC-12 are 26 hours apart, so their dates always differ. */
static void
today_is_the_local_date(void **state)
{
	int32_t east, west;

	(void)state;
	zone("Etc/GMT-14");
	east = date_today();
	zone("Etc/GMT+12");
	west = date_today();
	if (east - west < 1 || east - west > 2)
		fail_msg("today at UTC+14 is day %d, at UTC-12 day %d", east, west);
	zone("Asia/Shanghai");
	assert_int_equal(date_today(), timetext_day_number(time_wall_ms()));
}

static void
refuses_zones_the_tz_database_does_not_hold(void **state)
{
	static const struct {
		const char *name;
		int ok;
	} rows[] = {
		{ "Asia/Shanghai", 1 },
		{ "UTC", 1 },
		{ "", 1 }, /* the environment's zone */
		{ "Asia/Shangai", 0 },
		{ "Asia", 0 },
		{ "../../etc/passwd", 0 },
		{ "/etc/localtime", 0 },
		{ ":Asia/Shanghai", 0 },
		{ "Asia/Shanghai;rm", 0 },
		{ NULL, 0 },
	};
	char err[256];

	(void)state;
	zone("UTC");
	for (int i = 0; rows[i].name != NULL; i++) {
		err[0] = '\0';
		if ((timetext_zone_check(rows[i].name, err, sizeof(err)) == 0) != rows[i].ok)
			fail_msg("row %d '%s': %s", i, rows[i].name, rows[i].ok ? err : "accepted");
		if (!rows[i].ok && timetext_set_zone(rows[i].name, err, sizeof(err)) != -1)
			fail_msg("row %d '%s': set_zone accepted it", i, rows[i].name);
		if (!rows[i].ok && strstr(err, "time zone") == NULL)
			fail_msg("row %d: the reason does not say what is wrong: %s", i, err);
	}
	/* a refused zone left the one in force alone */
	assert_string_equal(getenv("TZ"), "UTC");
}

/* A span's length to the nearest second, in its two largest units, either
 * sign, any int64 (a station may send any time: docs/county.md, C14). */
static void
says_how_long_a_span_is(void **state)
{
	static const struct {
		int64_t ms;
		const char *expected;
	} rows[] = {
		{ 0, "0 s" },
		{ 499, "0 s" },
		{ 500, "1 s" },
		{ -999, "1 s" },
		{ 45000, "45 s" },
		{ 60000, "1 min" },
		{ 125499, "2 min 5 s" },
		{ -125500, "2 min 6 s" },
		{ HOUR, "1 h" },
		{ 2 * HOUR + 5 * 60000 + 59499, "2 h 5 min" },
		{ 2 * HOUR - 1, "2 h" }, /* 2 h ahead, less the heartbeat's way: not 1 h 59 min */
		{ -3 * HOUR - 700, "3 h" },
		{ 24 * HOUR - 501, "23 h 59 min" },
		{ 24 * HOUR - 500, "1 d" },
		{ -(3 * 24 + 4) * HOUR - 1, "3 d 4 h" },
		{ -DEC4, "20791 d 4 h" }, /* a clock of 1970 against one of 2026 */
		{ INT64_MAX, "106751991167 d 7 h" },
		{ INT64_MIN, "106751991167 d 7 h" },
		{ INT64_MIN + 1, "106751991167 d 7 h" },
		{ 1, NULL },
	};
	char text[TIMETEXT_MAX];

	(void)state;
	for (int i = 0; rows[i].expected != NULL; i++) {
		timetext_span(rows[i].ms, text);
		if (strcmp(text, rows[i].expected) != 0)
			fail_msg("row %d (%lld ms): '%s', expected '%s'", i, (long long)rows[i].ms,
			    text, rows[i].expected);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shows_local_time_with_the_offset),
		cmocka_unit_test(reads_what_people_type_in_local_time),
		cmocka_unit_test(machine_form_reads_back_exactly),
		cmocka_unit_test(days_are_cut_at_local_midnight),
		cmocka_unit_test(today_is_the_local_date),
		cmocka_unit_test(refuses_zones_the_tz_database_does_not_hold),
		cmocka_unit_test(says_how_long_a_span_is),
	};
	return cmocka_run_group_tests_name("timetext", tests, NULL, NULL);
}
