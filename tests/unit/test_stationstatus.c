/*
 * stationstatus: what gasgw writes in a heartbeat's status reads back as
 * what it says besides the backlog (the set-aside count), and any other
 * status is kept as it came, as tables of {input, expected}.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "stationstatus.h"

static void
what_gasgw_writes_reads_back(void **state)
{
	static const long long rows[][2] = { { 0, 0 }, { 3, 0 }, { 3, 1 }, { 0, 12 },
		{ 123456789012LL, 7 } };
	char text[128];
	const char *other;
	long long aside;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		station_status_format(text, sizeof(text), rows[i][0], rows[i][1]);
		assert_int_equal(station_status_rest(text, rows[i][0], &aside, &other),
		    rows[i][1] > 0 ? STATION_STATUS_ASIDE : STATION_STATUS_NOTHING);
		assert_true(aside == rows[i][1]);
		assert_string_equal(other, "");
	}
	station_status_format(text, sizeof(text), 3, 1);
	assert_string_equal(text, "backlog 3, 1 set aside");
}

static void
any_other_status_is_kept_as_it_came(void **state)
{
	static const struct {
		const char *status;
		long long backlog;
		enum station_status_rest rest;
		const char *other;
	} rows[] = {
		{ "", 0, STATION_STATUS_NOTHING, "" },
		/* another backlog than the station reports is not the one shown: kept */
		{ "backlog 4", 3, STATION_STATUS_OTHER, "backlog 4" },
		{ "backlog 30", 3, STATION_STATUS_OTHER, "backlog 30" },
		{ "backlog 3, disk 91% full", 3, STATION_STATUS_OTHER, "disk 91% full" },
		{ "2 lines, 0 faults", 0, STATION_STATUS_OTHER, "2 lines, 0 faults" },
		{ "backlog 3, 1 set aside, more", 3, STATION_STATUS_OTHER, "1 set aside, more" },
		{ "backlog 3, -1 set aside", 3, STATION_STATUS_OTHER, "-1 set aside" },
		{ "<b>bold</b>", 0, STATION_STATUS_OTHER, "<b>bold</b>" },
	};
	const char *other;
	long long aside;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(
		    station_status_rest(rows[i].status, rows[i].backlog, &aside, &other),
		    rows[i].rest);
		assert_string_equal(other, rows[i].other);
		assert_true(aside == 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(what_gasgw_writes_reads_back),
		cmocka_unit_test(any_other_status_is_kept_as_it_came),
	};
	return cmocka_run_group_tests_name("stationstatus", tests, NULL, NULL);
}
