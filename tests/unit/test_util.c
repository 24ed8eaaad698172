/*
 * util: calendar arithmetic (inspection due dates and service life depend
 * on it), ISO UTC text and hex, as tables of {input, expected}.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "log.h"
#include "util.h"

static void
dates_round_trip_through_day_numbers(void **state)
{
	static const struct {
		const char *text;
		int32_t days;
	} rows[] = {
		{ "1970-01-01", 0 },
		{ "2000-02-29", 11016 },
		{ "2021-03-02", 18688 },
		{ "2025-03-02", 20149 },
		{ "1969-12-31", -1 },
		{ NULL, 0 },
	};

	(void)state;
	for (int i = 0; rows[i].text != NULL; i++) {
		int32_t d;
		char back[11];

		assert_int_equal(date_parse(rows[i].text, &d), 0);
		assert_int_equal(d, rows[i].days);
		date_format(d, back);
		assert_string_equal(back, rows[i].text);
	}
}

static void
refuses_dates_that_do_not_exist(void **state)
{
	static const char *bad[] = { "2023-02-29", "2021-13-01", "2021-04-31", "2021-4-1",
		"20210401", "2021-04-01x", "", "abcd-ef-gh", NULL };
	int32_t d;

	(void)state;
	for (int i = 0; bad[i] != NULL; i++)
		if (date_parse(bad[i], &d) != -1)
			fail_msg("accepted '%s'", bad[i]);
}

static void
month_only_dates_mean_the_first(void **state)
{
	int32_t a, b;

	(void)state;
	assert_int_equal(date_parse("2019-07", &a), 0);
	assert_int_equal(date_parse("2019-07-01", &b), 0);
	assert_int_equal(a, b);
}

static void
iso_utc_text_for_programs(void **state)
{
	char text[32];

	(void)state;
	/* 2026-11-26T13:43:17Z */
	time_format_iso(INT64_C(1795700597000) + 123, text);
	assert_string_equal(text, "2026-11-26T13:43:17.123Z");
	time_format_iso(INT64_C(1795651200000), text);
	assert_string_equal(text, "2026-11-26T00:00:00.000Z");
	time_format_iso(-1, text);
	assert_string_equal(text, "1969-12-31T23:59:59.999Z");
}

static void
hex_round_trips_and_refuses_bad_digits(void **state)
{
	const uint8_t in[] = { 0x00, 0x7f, 0xab, 0xff };
	uint8_t out[4];
	char text[9];

	(void)state;
	hex_encode(in, sizeof(in), text);
	assert_string_equal(text, "007fabff");
	assert_int_equal(hex_decode("007FABFF", out, sizeof(out)), 0);
	assert_memory_equal(in, out, sizeof(in));
	assert_int_equal(hex_decode("007fabf", out, sizeof(out)), -1);
	assert_int_equal(hex_decode("007fabffee", out, sizeof(out)), -1);
	assert_int_equal(hex_decode("007fabfg", out, sizeof(out)), -1);
}

static void
bounded_copy_always_terminates(void **state)
{
	char small[4];

	(void)state;
	assert_int_equal(str_copy(small, "abcdef", sizeof(small)), 6);
	assert_string_equal(small, "abc");
}

/*
 * A log message is one line whatever it quotes: a station's text with a line break or an
 * escape sequence, quoted in a refusal ("refused batch: ... result '...'"), cannot forge
 * another line of the log (journald splits a daemon's standard error at each line break)
 * or reach the terminal of whoever reads it; UTF-8 text is kept as it is.
 */
static void
a_log_message_is_one_line(void **state)
{
	char buf[512];
	FILE *f = tmpfile();
	int saved = dup(2), lines = 0;
	size_t n, i;

	(void)state;
	assert_non_null(f);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(f), 2) >= 0);
	log_init("test_util", 1, LOG_LEVEL_INFO);
	log_warnx("refused batch: result '%s'",
	    "ok\n06:00:00 gascounty: reload: in force\x1b[2K\r\tx\x7f");
	log_info("fine: %s", "检验过期");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	for (i = 0; i < n; i++) {
		lines += buf[i] == '\n';
		assert_false(buf[i] != '\n' && ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f));
	}
	assert_int_equal(lines, 2);
	assert_non_null(strstr(buf, "result 'ok?06:00:00 gascounty: reload: in force?[2K??x?'"));
	assert_non_null(strstr(buf, "fine: 检验过期\n"));
}

/* A table's columns by what a terminal draws: a Chinese word two columns a character. */
static void
text_width_counts_wide_characters_twice(void **state)
{
	char buf[64];
	FILE *f;
	size_t n;

	(void)state;
	assert_int_equal(i18n_width(""), 0);
	assert_int_equal(i18n_width("ID"), 2);
	assert_int_equal(i18n_width("待受理"), 6);
	assert_int_equal(i18n_width("告警 R05"), 8);
	assert_int_equal(i18n_width("（全角）"), 8);   /* fullwidth brackets */
	assert_int_equal(i18n_width("café"), 4);       /* two bytes, one column */
	assert_int_equal(i18n_width("\xff\xfeok"), 4); /* no UTF-8: a column a byte */
	assert_int_equal(i18n_width("\xe5\xbe"), 2);   /* cut short */
	f = tmpfile();
	assert_non_null(f);
	i18n_pad(f, "状态", 6);
	fputc('|', f);
	i18n_pad(f, "longer than it", 4);
	fputc('|', f);
	i18n_pad_left(f, "开", 4);
	fputc('|', f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_string_equal(buf, "状态  |longer than it|  开|");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dates_round_trip_through_day_numbers),
		cmocka_unit_test(refuses_dates_that_do_not_exist),
		cmocka_unit_test(month_only_dates_mean_the_first),
		cmocka_unit_test(iso_utc_text_for_programs),
		cmocka_unit_test(hex_round_trips_and_refuses_bad_digits),
		cmocka_unit_test(bounded_copy_always_terminates),
		cmocka_unit_test(a_log_message_is_one_line),
		cmocka_unit_test(text_width_counts_wide_characters_twice),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
