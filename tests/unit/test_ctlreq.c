/*
 * Unit tests of gateway/ctlreq.c's parsing: what a control request may
 * hold (ctlreq.h), and that every refusal names what is wrong.  Carrying
 * requests out is covered by integration/t_fill_*, t_operators and
 * fuzz/fuzz_ctl; the end of a shift by time (hours a test cannot wait) is
 * carried out here on a gw with lines and a real station database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctlreq.h"
#include "fixture.h"
#include "opauth.h"
#include "stationdb_fixture.h"
#include "timetext.h"
#include "util.h"

static void
accepts_every_request_of_the_protocol(void **state)
{
	static const struct {
		const char *line;
		enum ctl_command command;
		int line_number;
		int wait;
	} rows[] = {
		{ "{\"cmd\":\"status\"}", CTL_STATUS, 0, 0 },
		{ "{\"cmd\":\"login\",\"line\":1,\"cert\":\"OP-7\",\"pin\":\"2468\"}", CTL_LOGIN, 1,
		    0 },
		{ "{\"cmd\":\"logout\",\"line\":4}", CTL_LOGOUT, 4, 0 },
		{ "{\"cmd\":\"scan\",\"line\":2,\"code\":\"GC1:x\"}", CTL_SCAN, 2, 0 },
		{ "{\"cmd\":\"buyer\",\"line\":3,\"number\":\"11010519491231002X\"}", CTL_BUYER, 3,
		    0 },
		{ "{\"cmd\":\"start\",\"line\":1,\"wait\":true}", CTL_START, 1, 1 },
		{ "{\"cmd\":\"start\",\"line\":1}", CTL_START, 1, 0 },
		{ "{\"cmd\":\"stop\",\"line\":999}", CTL_STOP, 999, 0 },
		{ "{\"cmd\":\"fill\",\"line\":1,\"cylinder\":\"GC1:x\",\"buyer\":\"-\"}", CTL_FILL,
		    1, 1 },
		{ "{\"cmd\":\"fills\",\"since\":5,\"limit\":100000,\"extra\":[1]}", CTL_FILLS, 0,
		    0 },
		{ NULL, 0, 0, 0 },
	};
	struct ctl_request req;
	char err[256];

	(void)state;
	for (size_t i = 0; rows[i].line != NULL; i++) {
		if (ctl_request_parse(rows[i].line, strlen(rows[i].line), &req, err, sizeof(err)) !=
		    0)
			fail_msg("row %zu: refused: %s", i, err);
		assert_int_equal(req.command, rows[i].command);
		assert_int_equal(req.line, rows[i].line_number);
		assert_int_equal(req.wait, rows[i].wait);
		ctl_request_free(&req);
	}
}

static void
fills_takes_defaults_and_fill_an_optional_operator(void **state)
{
	const char *fills = "{\"cmd\":\"fills\"}";
	const char *fill = "{\"cmd\":\"fill\",\"line\":1,\"cylinder\":\"C\",\"buyer\":\"B\","
	                   "\"operator\":\"OP-7\"}";
	struct ctl_request req;
	char err[256];

	(void)state;
	assert_int_equal(ctl_request_parse(fills, strlen(fills), &req, err, sizeof(err)), 0);
	assert_int_equal(req.since_ms, 0);
	assert_int_equal(req.limit, CTL_FILLS_DEFAULT);
	ctl_request_free(&req);
	assert_int_equal(ctl_request_parse(fill, strlen(fill), &req, err, sizeof(err)), 0);
	assert_string_equal(req.code, "C");
	assert_string_equal(req.number, "B");
	assert_string_equal(req.cert, "OP-7");
	ctl_request_free(&req);
}

static void
aside_lists_or_retries_one_or_all(void **state)
{
	static const struct {
		const char *line;
		int64_t retry;
	} rows[] = {
		{ "{\"cmd\":\"aside\"}", -1 },
		{ "{\"cmd\":\"aside\",\"retry\":\"all\"}", 0 },
		{ "{\"cmd\":\"aside\",\"retry\":42}", 42 },
		{ NULL, 0 },
	};
	struct ctl_request req;
	char err[256];

	(void)state;
	for (size_t i = 0; rows[i].line != NULL; i++) {
		if (ctl_request_parse(rows[i].line, strlen(rows[i].line), &req, err, sizeof(err)) !=
		    0)
			fail_msg("row %zu: refused: %s", i, err);
		assert_int_equal(req.command, CTL_ASIDE);
		assert_int_equal(req.line, 0);
		assert_int_equal(req.retry, rows[i].retry);
		ctl_request_free(&req);
	}
}

/* "lang" is the operator's language when it is one locale name; anything else is not an
 * error, only not spoken (the reply is then in gasgw's own language). */
static void
keeps_the_language_only_when_it_is_a_locale_name(void **state)
{
	static const struct {
		const char *line;
		const char *lang; /* NULL: none kept */
	} rows[] = {
		{ "{\"cmd\":\"status\",\"lang\":\"zh_CN.UTF-8\"}", "zh_CN.UTF-8" },
		{ "{\"cmd\":\"stop\",\"line\":7,\"lang\":\"C\"}", "C" },
		{ "{\"cmd\":\"status\"}", NULL },
		{ "{\"cmd\":\"status\",\"lang\":\"zh_CN:en\"}", NULL },
		{ "{\"cmd\":\"status\",\"lang\":\"../../../tmp/x\"}", NULL },
		{ "{\"cmd\":\"status\",\"lang\":\"zh_CN\\u00e9\"}", NULL }, /* not ASCII */
		{ "{\"cmd\":\"status\",\"lang\":7}", NULL },
		{ "{\"cmd\":\"status\",\"lang\":\"\"}", NULL },
		{ "{\"cmd\":\"status\",\"lang\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "\"}",
		    NULL }, /* 64 bytes */
		{ NULL, NULL },
	};
	struct ctl_request req;
	char err[256];

	(void)state;
	for (size_t i = 0; rows[i].line != NULL; i++) {
		if (ctl_request_parse(rows[i].line, strlen(rows[i].line), &req, err, sizeof(err)) !=
		    0)
			fail_msg("row %zu: refused: %s", i, err);
		if (rows[i].lang == NULL && req.lang != NULL)
			fail_msg("row %zu: kept \"%s\"", i, req.lang);
		if (rows[i].lang != NULL &&
		    (req.lang == NULL || strcmp(req.lang, rows[i].lang) != 0))
			fail_msg("row %zu: lost the language", i);
		ctl_request_free(&req);
	}
}

static void
refuses_naming_the_field(void **state)
{
	static const struct {
		const char *line;
		const char *error; /* a part of the error sentence */
	} rows[] = {
		{ "not json", "not a JSON object" },
		{ "[1]", "not a JSON object" },
		{ "{\"line\":1}", "\"cmd\"" },
		{ "{\"cmd\":7}", "\"cmd\"" },
		{ "{\"cmd\":\"reboot\"}", "unknown command (one of status" },
		{ "{\"cmd\":\"stop\"}", "\"line\"" },
		{ "{\"cmd\":\"stop\",\"line\":\"1\"}", "\"line\"" },
		{ "{\"cmd\":\"stop\",\"line\":0}", "\"line\" must be a line number from 1 to 999" },
		{ "{\"cmd\":\"stop\",\"line\":1000}",
		    "\"line\" must be a line number from 1 to 999" },
		{ "{\"cmd\":\"login\",\"line\":1}", "\"cert\"" },
		{ "{\"cmd\":\"login\",\"line\":1,\"cert\":\"OP-7\"}", "\"pin\"" },
		{ "{\"cmd\":\"login\",\"line\":1,\"cert\":\"OP-7\",\"pin\":\"0123456789012345678901234567"
		  "8901234567890123456789012345678901234\"}",
		    "\"pin\" must be at most 64" },
		{ "{\"cmd\":\"logout\"}", "\"line\"" },
		{ "{\"cmd\":\"login\",\"line\":1,\"cert\":\"\"}", "\"cert\" must be 1 to 63" },
		{ "{\"cmd\":\"login\",\"line\":1,\"cert\":\"0123456789012345678901234567890123456789"
		  "012345678901234567890123\"}",
		    "\"cert\" must be 1 to 63" },
		{ "{\"cmd\":\"login\",\"line\":1,\"cert\":\"OP\\n7\"}", "control characters" },
		{ "{\"cmd\":\"scan\",\"line\":1,\"code\":null}", "\"code\"" },
		{ "{\"cmd\":\"buyer\",\"line\":1}", "\"number\"" },
		{ "{\"cmd\":\"start\",\"line\":1,\"wait\":1}", "\"wait\"" },
		{ "{\"cmd\":\"fill\",\"line\":1,\"cylinder\":\"C\"}", "\"buyer\"" },
		{ "{\"cmd\":\"fill\",\"line\":1,\"cylinder\":\"C\",\"buyer\":\"B\",\"operator\":5}",
		    "\"operator\"" },
		{ "{\"cmd\":\"fills\",\"limit\":0}", "\"limit\"" },
		{ "{\"cmd\":\"fills\",\"limit\":100001}", "\"limit\"" },
		{ "{\"cmd\":\"fills\",\"since\":-1}", "\"since\"" },
		{ "{\"cmd\":\"fills\",\"since\":1.5}", "\"since\"" },
		{ "{\"cmd\":\"aside\",\"retry\":0}", "\"retry\"" },
		{ "{\"cmd\":\"aside\",\"retry\":\"some\"}", "\"retry\"" },
		{ "{\"cmd\":\"aside\",\"retry\":\"2\"}", "\"retry\"" },
		{ NULL, NULL },
	};
	struct ctl_request req;
	char err[256];

	(void)state;
	for (size_t i = 0; rows[i].line != NULL; i++) {
		err[0] = '\0';
		if (ctl_request_parse(rows[i].line, strlen(rows[i].line), &req, err, sizeof(err)) ==
		    0)
			fail_msg("row %zu: accepted %s", i, rows[i].line);
		assert_null(req.json);
		if (strstr(err, rows[i].error) == NULL)
			fail_msg("row %zu: error \"%s\" lacks \"%s\"", i, err, rows[i].error);
	}
}

/* A life request (gasctl dispatch, receive, inspection out, inspection
 * back, scrap) takes what its event needs and is refused, naming the field,
 * when a member is missing, malformed or on the wrong event. */
static void
life_events_take_what_each_needs(void **state)
{
	int32_t today = timetext_day_number(time_wall_ms());
	char year[11], yesterday[11], far[11], line[512], err[256];
	struct ctl_request req;
	const char *pre =
	    "{\"cmd\":\"life\",\"operator\":\"OP-7\",\"pin\":\"2468\",\"codes\":[\"GC1:x\"],";
	static const struct {
		const char *members; /* after pre; %s: the date */
		int date;            /* 0 none, 1 a year ahead, 2 yesterday, 3 eleven years ahead */
		const char *error;   /* NULL: accepted */
	} rows[] = {
		{ "\"event\":\"dispatched\",\"worker\":\"delivery:wang@T1\"}", 0, NULL },
		{ "\"event\":\"dispatched\",\"worker\":\"wang\"}", 0,
		    "\"worker\" wang is not a delivery worker's identity" },
		{ "\"event\":\"dispatched\",\"worker\":\"delivery:wang\"}", 0,
		    "is not a delivery worker's identity" },
		{ "\"event\":\"received\"}", 0, NULL },
		{ "\"event\":\"received\",\"worker\":\"delivery:wang@T1\"}", 0, NULL },
		{ "\"event\":\"inspection_out\"}", 0, NULL },
		{ "\"event\":\"inspection_back\",\"result\":\"pass\",\"next_due\":\"%s\"}", 1,
		    NULL },
		{ "\"event\":\"inspection_back\",\"result\":\"fail\",\"next_due\":\"%s\"}", 2,
		    NULL },
		{ "\"event\":\"inspection_back\",\"result\":\"fail\"}", 0, NULL },
		{ "\"event\":\"scrapped\",\"reason\":\"报废：瓶体腐蚀\"}", 0, NULL },
		{ "\"event\":\"handed_over\"}", 0, "\"event\" must be dispatched, received" },
		{ "\"event\":\"dispatched\"}", 0, "dispatched needs \"worker\"" },
		{ "\"event\":\"inspection_out\",\"worker\":\"delivery:wang@T1\"}", 0,
		    "\"worker\" is only for dispatched and received" },
		{ "\"event\":\"inspection_back\",\"next_due\":\"%s\"}", 1,
		    "inspection_back needs \"result\"" },
		{ "\"event\":\"inspection_back\",\"result\":\"ok\",\"next_due\":\"%s\"}", 1,
		    "inspection_back needs \"result\": pass or fail" },
		{ "\"event\":\"inspection_back\",\"result\":\"pass\"}", 0,
		    "inspection_back needs \"next_due\" after a pass" },
		{ "\"event\":\"inspection_back\",\"result\":\"pass\",\"next_due\":\"2027-02-30\"}",
		    0, "\"next_due\" must be a date, YYYY-MM-DD" },
		/* against today only when carried out, once the clock is judged (next_due_fits) */
		{ "\"event\":\"inspection_back\",\"result\":\"pass\",\"next_due\":\"%s\"}", 2,
		    NULL },
		{ "\"event\":\"inspection_back\",\"result\":\"pass\",\"next_due\":\"%s\"}", 3,
		    NULL },
		{ "\"event\":\"inspection_back\",\"result\":\"fail\",\"next_due\":\"%s\"}", 3,
		    NULL },
		{ "\"event\":\"inspection_back\",\"result\":\"pass\",\"next_due\":5}", 0,
		    "\"next_due\": a string" },
		{ "\"event\":\"inspection_out\",\"result\":\"pass\"}", 0,
		    "\"result\" and \"next_due\" are only for inspection_back" },
		{ "\"event\":\"scrapped\"}", 0, "scrapped needs \"reason\"" },
		{ "\"event\":\"scrapped\",\"reason\":\"\"}", 0, "\"reason\" must be 1 to 127" },
		{ "\"event\":\"scrapped\",\"reason\":\"rust\\nand dents\"}", 0,
		    "\"reason\" must not hold control characters" },
		{ "\"event\":\"scrapped\",\"reason\":\"owner 11010519491231002X moved\"}", 0,
		    "\"reason\" looks like it holds an ID number" },
		{ "\"event\":\"received\",\"reason\":\"rust\"}", 0,
		    "\"reason\" is only for scrapped" },
		{ NULL, 0, NULL },
	};
	const char *dates[4];

	(void)state;
	date_format(today + 365, year);
	date_format(today - 1, yesterday);
	date_format(today + 11 * 366, far);
	dates[0] = "";
	dates[1] = year;
	dates[2] = yesterday;
	dates[3] = far;
	for (size_t i = 0; rows[i].members != NULL; i++) {
		int n = snprintf(line, sizeof(line), "%s", pre);

		snprintf(line + n, sizeof(line) - (size_t)n, rows[i].members, dates[rows[i].date]);
		err[0] = '\0';
		if (rows[i].error == NULL) {
			if (ctl_request_parse(line, strlen(line), &req, err, sizeof(err)) != 0)
				fail_msg("row %zu: refused: %s", i, err);
			assert_int_equal(req.command, CTL_LIFE);
			/* a fail may come without a date (gasgw gives one) */
			assert_true(req.result != NULL || req.next_due == NULL);
			if (req.result != NULL && strcmp(req.result, "pass") == 0)
				assert_non_null(req.next_due);
			if (req.next_due != NULL)
				assert_string_equal(req.next_due, dates[rows[i].date]);
			ctl_request_free(&req);
			continue;
		}
		if (ctl_request_parse(line, strlen(line), &req, err, sizeof(err)) == 0)
			fail_msg("row %zu: accepted %s", i, line);
		if (strstr(err, rows[i].error) == NULL)
			fail_msg("row %zu: error \"%s\" lacks \"%s\"", i, err, rows[i].error);
	}
}

/* Every life request carries the operator's PIN, as a login does: one
 * without it, or with one no PIN can be, is refused as it is parsed, and
 * the PIN is not echoed. */
static void
a_life_request_needs_the_operators_pin(void **state)
{
	static const struct {
		const char *line;
		const char *error;
	} rows[] = {
		{ "{\"cmd\":\"life\",\"event\":\"inspection_out\",\"operator\":\"OP-7\","
		  "\"codes\":[\"GC1:x\"]}",
		    "life needs \"pin\": a string" },
		{ "{\"cmd\":\"life\",\"event\":\"inspection_out\",\"operator\":\"OP-7\","
		  "\"pin\":2468,\"codes\":[\"GC1:x\"]}",
		    "life needs \"pin\": a string" },
		{ "{\"cmd\":\"life\",\"event\":\"inspection_out\",\"operator\":\"OP-7\","
		  "\"pin\":\"SECRET-SECRET-SECRET-SECRET-SECRET-SECRET-SECRET-SECRET-SECRET-SE\","
		  "\"codes\":[\"GC1:x\"]}",
		    "\"pin\" must be at most 64 bytes" },
	};
	struct ctl_request req;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		err[0] = '\0';
		if (ctl_request_parse(rows[i].line, strlen(rows[i].line), &req, err, sizeof(err)) ==
		    0)
			fail_msg("row %zu: accepted", i);
		if (strstr(err, rows[i].error) == NULL || strstr(err, "SECRET") != NULL)
			fail_msg("row %zu: error \"%s\"", i, err);
	}
}

/*
 * Nothing that looks like a person's ID number is echoed from any field:
 * an unknown command, a line number out of range, a certificate (which
 * would otherwise be logged, stored with the refusal and shown by status)
 * are refused without repeating what was typed.
 */
static void
never_echoes_an_id_number(void **state)
{
	static const char *const rows[] = {
		"{\"cmd\":\"11010519491231002X\"}",
		"{\"cmd\":\"stop\",\"line\":110105194912310038}",
		"{\"cmd\":\"login\",\"line\":1,\"cert\":\"11010519491231002X\",\"pin\":\"1234\"}",
		"{\"cmd\":\"login\",\"line\":1,\"cert\":\"11010519491231002x\",\"pin\":\"1234\"}",
		"{\"cmd\":\"login\",\"line\":1,\"cert\":\"OP 110105194912310 \",\"pin\":\"1234\"}",
		"{\"cmd\":\"fill\",\"line\":1,\"cylinder\":\"C\",\"buyer\":\"B\","
		"\"operator\":\"ID:110105194912310038\"}",
		/* a unified social credit code (GB 32100) */
		"{\"cmd\":\"login\",\"line\":1,\"cert\":\"91350100M000100Y43\",\"pin\":\"1234\"}",
		NULL,
	};
	struct ctl_request req;
	char err[256];

	(void)state;
	for (size_t i = 0; rows[i] != NULL; i++) {
		err[0] = '\0';
		if (ctl_request_parse(rows[i], strlen(rows[i]), &req, err, sizeof(err)) == 0)
			fail_msg("row %zu: accepted %s", i, rows[i]);
		if (strstr(err, "1101051949") != NULL || strstr(err, "M000100") != NULL)
			fail_msg("row %zu: echoed: %s", i, err);
	}
	/* an ordinary certificate still passes */
	const char *fine =
	    "{\"cmd\":\"login\",\"line\":1,\"cert\":\"ZJ-OP-2024-0188\",\"pin\":\"1234\"}";
	assert_int_equal(ctl_request_parse(fine, strlen(fine), &req, err, sizeof(err)), 0);
	ctl_request_free(&req);
}

/* A syntax error must not echo the request: it may hold a buyer number. */
static void
syntax_error_does_not_quote_the_request(void **state)
{
	const char *line = "{\"cmd\":\"buyer\",\"line\":1,\"number\":\"11010519491231002X";
	struct ctl_request req;
	char err[256];

	(void)state;
	assert_int_equal(ctl_request_parse(line, strlen(line), &req, err, sizeof(err)), -1);
	assert_null(strstr(err, "1101051949"));
	assert_non_null(strstr(err, "not a JSON object"));
}

/* A gw of one line whose hardware is never called, on a fresh database
 * with OP-7 registered and given the PIN 2468. */
static struct gw shift_gw;
static struct gw_config shift_config;
static struct gw_line shift_line;
static char shift_dir[64];

static int
no_read(void *ctx, struct line_reading *out)
{
	(void)ctx;
	memset(out, 0, sizeof(*out));
	return -1;
}

static int
no_valve(void *ctx, int open)
{
	(void)ctx;
	(void)open;
	return -1;
}

static int
no_heartbeat(void *ctx)
{
	(void)ctx;
	return -1;
}

static int
shift_setup(void **state)
{
	struct line_io io = { .read = no_read, .valve = no_valve, .heartbeat = no_heartbeat };
	char err[256];

	(void)state;
	if (stationdb_setup(shift_dir, sizeof(shift_dir), "gastest-ctlreq", &shift_gw.records,
	        "INSERT INTO operators VALUES ('OP-7', 'Wang Wei', '2099-01-01', 1, 0)") == -1)
		return -1;
	if (opauth_set_pin(shift_gw.records.db, "OP-7", "2468", 0, err, sizeof(err)) == -1) {
		fprintf(stderr, "set-up: %s\n", err);
		stationdb_teardown(shift_dir, &shift_gw.records);
		return -1;
	}
	rules_defaults(&shift_config.rules);
	str_copy(shift_config.station_id, "S1", sizeof(shift_config.station_id));
	shift_config.shift_hours = 12;
	shift_gw.config = &shift_config;
	shift_line.number = 1;
	str_copy(shift_line.cutoff, "gateway", sizeof(shift_line.cutoff));
	shift_line.preact_kg = 0.1;
	line_init(&shift_gw.lines[0], &shift_config, &shift_line, &shift_gw.records, &io);
	shift_gw.line_count = 1;
	return 0;
}

static int
shift_teardown(void **state)
{
	(void)state;
	line_free(&shift_gw.lines[0]);
	return stationdb_teardown(shift_dir, &shift_gw.records);
}

static json_t *
handle(const char *text)
{
	struct ctl_wait wait;

	return ctl_handle_line(&shift_gw, text, strlen(text), &wait);
}

/* The line's mailbox (no stepping thread runs here to copy it to the
 * status). */
static const char *
operator_on_line(void)
{
	return shift_gw.lines[0].operator_cert;
}

/* The line takes the operator only with the right PIN, and the shift ends
 * by itself when shift_hours have passed since the login. */
static void
a_shift_ends_when_its_hours_are_over(void **state)
{
	json_t *reply;
	int64_t start = time_wall_ms();

	(void)state;
	reply = handle("{\"cmd\":\"login\",\"line\":1,\"cert\":\"OP-7\",\"pin\":\"1111\"}");
	assert_false(json_is_true(json_object_get(reply, "ok")));
	json_decref(reply);
	assert_string_equal(operator_on_line(), "");
	reply = handle("{\"cmd\":\"login\",\"line\":1,\"cert\":\"OP-7\",\"pin\":\"2468\"}");
	assert_true(json_is_true(json_object_get(reply, "ok")));
	json_decref(reply);
	assert_string_equal(operator_on_line(), "OP-7");
	ctl_shifts_expire(&shift_gw, start + 11 * 3600 * 1000LL);
	assert_string_equal(operator_on_line(), "OP-7");
	ctl_shifts_expire(&shift_gw, time_wall_ms() + 12 * 3600 * 1000LL);
	assert_string_equal(operator_on_line(), "");
	assert_int_equal(store_query_int(shift_gw.records.db,
	                     "SELECT count(*) FROM shifts WHERE operator = 'OP-7'"
	                     " AND ended_by = 'time'",
	                     -1),
	    1);
	/* nobody left to log out */
	reply = handle("{\"cmd\":\"logout\",\"line\":1}");
	assert_false(json_is_true(json_object_get(reply, "ok")));
	json_decref(reply);
}

/* A clock the fill line would not trust, told ahead: gasctl status names it
 * ("clock", the times, the sentence with what to do), and an inspection return,
 * whose next due date is judged against today, is refused with the same
 * sentence and nothing recorded.  The clock here is the real one; the newest
 * fill is put three days ahead of it (as a clock set back three days sees it). */
static void
a_clock_behind_the_newest_fill_is_said_in_status_and_refuses_an_inspection_return_and_a_dispatch(
    void **state)
{
	static const char *const back =
	    "{\"cmd\":\"life\",\"event\":\"inspection_back\",\"result\":\"pass\","
	    "\"next_due\":\"%s\",\"operator\":\"OP-7\",\"pin\":\"2468\",\"codes\":[\"GC1:x\"]}";
	static const struct {
		const char *request;
		int refused; /* for the clock */
	} others[] = {
		{ "{\"cmd\":\"life\",\"event\":\"dispatched\",\"worker\":\"delivery:W1@330825101\","
		  "\"operator\":\"OP-NONE\",\"pin\":\"2468\",\"codes\":[\"GC1:x\"]}",
		    1 },
		{ "{\"cmd\":\"life\",\"event\":\"received\",\"operator\":\"OP-NONE\",\"pin\":\"2468\",\"codes\":[\"GC1:x\"]}",
		    1 },
		{ "{\"cmd\":\"life\",\"event\":\"inspection_out\",\"operator\":\"OP-NONE\",\"pin\":\"2468\","
		  "\"codes\":[\"GC1:x\"]}",
		    1 },
		{ "{\"cmd\":\"life\",\"event\":\"scrapped\",\"reason\":\"valve damaged\","
		  "\"operator\":\"OP-NONE\",\"pin\":\"2468\",\"codes\":[\"GC1:x\"]}",
		    0 },
	};
	int32_t today = timetext_day_number(time_wall_ms());
	char sql[512], line[512], year[11], yesterday[11];
	const char *error;
	json_t *reply;

	(void)state;
	date_format(today + 365, year);
	date_format(today - 1, yesterday);
	snprintf(sql, sizeof(sql),
	    "INSERT INTO cylinders (serial, model, manufactured, tare_kg, fill_kg, owner,"
	    " updated_ms) VALUES ('C-AHEAD', 'YSP35.5', '2024-01-01', 15.0, 14.9, 'C', 0);"
	    "INSERT INTO fills (uuid, station, line, cylinder, started_ms, tare_kg, target_kg,"
	    " result) VALUES ('u-ahead', 'S1', 1, 'C-AHEAD', %lld, 15.0, 14.9, 'ok')",
	    (long long)(time_wall_ms() + 72 * 3600000LL));
	stationdb_exec(&shift_gw.records, sql);

	reply = handle("{\"cmd\":\"status\"}");
	assert_true(json_is_true(json_object_get(reply, "ok")));
	assert_string_equal(json_string_value(json_object_get(reply, "clock")), "behind_records");
	assert_true(json_is_string(json_object_get(reply, "clock_reads")));
	assert_true(json_is_string(json_object_get(reply, "newest_fill")));
	assert_int_equal(json_integer_value(json_object_get(reply, "clock_back_hours")), 24);
	error = json_string_value(json_object_get(reply, "clock_warning"));
	if (error == NULL || strstr(error, "72 h before its newest fill") == NULL ||
	    strstr(error, "set the date and time") == NULL)
		fail_msg("clock_warning: %s", error ? error : "(none)");
	json_decref(reply);

	snprintf(line, sizeof(line), back, year);
	reply = handle(line);
	assert_false(json_is_true(json_object_get(reply, "ok")));
	error = json_string_value(json_object_get(reply, "error"));
	if (strstr(error, "a next due date is not judged against this clock, nothing was "
	                  "recorded: the station's clock reads ") == NULL ||
	    strstr(error, "72 h before its newest fill") == NULL)
		fail_msg("inspection back: %s", error);
	json_decref(reply);
	assert_int_equal(stationdb_count(&shift_gw.records, "SELECT count(*) FROM life_events"), 0);

	/* the other events whose time is the trace's: refused with the same sentence,
	 * before anything else is judged; a scrap is not refused for the clock (it
	 * stops at its operator, not registered here, as the others would) */
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		reply = handle(others[i].request);
		assert_false(json_is_true(json_object_get(reply, "ok")));
		error = json_string_value(json_object_get(reply, "error"));
		if (error == NULL ||
		    (strstr(error, "nothing was recorded, as it would carry this clock's time: the "
		                   "station's clock reads ") != NULL &&
		        strstr(error, "72 h before its newest fill") != NULL) != others[i].refused)
			fail_msg("%s: %s", others[i].request, error ? error : "(none)");
		json_decref(reply);
	}
	assert_int_equal(stationdb_count(&shift_gw.records, "SELECT count(*) FROM life_events"), 0);

	/* a reload that raised clock_back_hours to 100: trusted, as the lines will be */
	shift_gw.rules_reloaded = shift_config.rules;
	shift_gw.rules_reloaded.clock_back_hours = 100;
	shift_gw.rules_were_reloaded = 1;
	reply = handle("{\"cmd\":\"status\"}");
	assert_string_equal(json_string_value(json_object_get(reply, "clock")), "ok");
	assert_int_equal(json_integer_value(json_object_get(reply, "clock_back_hours")), 100);
	assert_null(json_object_get(reply, "clock_warning"));
	json_decref(reply);
	shift_gw.rules_were_reloaded = 0;

	/* the clock right again (no fill ahead of it): no warning, and today judges the date */
	stationdb_exec(&shift_gw.records, "DELETE FROM fills");
	reply = handle("{\"cmd\":\"status\"}");
	assert_string_equal(json_string_value(json_object_get(reply, "clock")), "ok");
	assert_true(json_is_null(json_object_get(reply, "newest_fill")));
	assert_null(json_object_get(reply, "clock_warning"));
	json_decref(reply);
	snprintf(line, sizeof(line), back, yesterday);
	reply = handle(line);
	error = json_string_value(json_object_get(reply, "error"));
	if (error == NULL || strstr(error, "is not after today") == NULL)
		fail_msg("yesterday: %s", error ? error : "(accepted)");
	json_decref(reply);
	date_format(today + 11 * 366, year);
	snprintf(line, sizeof(line), back, year);
	reply = handle(line);
	error = json_string_value(json_object_get(reply, "error"));
	if (error == NULL || strstr(error, "is more than 10 years ahead") == NULL)
		fail_msg("eleven years: %s", error ? error : "(accepted)");
	json_decref(reply);
	/* a fail's date too: the county would set the record aside, and never learn of the fail */
	snprintf(line, sizeof(line),
	    "{\"cmd\":\"life\",\"event\":\"inspection_back\",\"result\":\"fail\","
	    "\"next_due\":\"%s\",\"operator\":\"OP-7\",\"pin\":\"2468\",\"codes\":[\"GC1:x\"]}",
	    year);
	reply = handle(line);
	error = json_string_value(json_object_get(reply, "error"));
	if (error == NULL || strstr(error, "is more than 10 years ahead") == NULL)
		fail_msg("a fail eleven years ahead: %s", error ? error : "(accepted)");
	json_decref(reply);
}

/* A life event is recorded under a certificate the operator could log in
 * with, no other: one past its expiry is refused by name, as a login
 * refuses it, and nothing is recorded (redteam35: it was taken, and a scrap
 * under it stopped the cylinder).  The code is empty: the operator is
 * judged before any code. */
static void
a_life_event_under_an_expired_certificate_is_refused(void **state)
{
	static const char *const requests[] = {
		"{\"cmd\":\"life\",\"event\":\"scrapped\",\"reason\":\"valve damaged\","
		"\"operator\":\"OP-OLD\",\"pin\":\"2468\",\"codes\":[\"\"]}",
		"{\"cmd\":\"life\",\"event\":\"dispatched\",\"worker\":\"delivery:W1@330825101\","
		"\"operator\":\"OP-OLD\",\"pin\":\"2468\",\"codes\":[\"\"]}",
		"{\"cmd\":\"life\",\"event\":\"inspection_out\",\"operator\":\"OP-OLD\",\"pin\":\"2468\","
		"\"codes\":[\"\"]}",
	};
	const char *error;
	json_t *reply;

	(void)state;
	stationdb_exec(&shift_gw.records,
	    "INSERT INTO operators VALUES ('OP-OLD', 'Li Old', '2020-01-01', 1, 0)");
	reply = handle("{\"cmd\":\"login\",\"line\":1,\"cert\":\"OP-OLD\",\"pin\":\"2468\"}");
	error = json_string_value(json_object_get(reply, "error"));
	if (error == NULL || strstr(error, "expired on 2020-01-01") == NULL)
		fail_msg("login: %s", error ? error : "(accepted)");
	json_decref(reply);
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		reply = handle(requests[i]);
		assert_false(json_is_true(json_object_get(reply, "ok")));
		error = json_string_value(json_object_get(reply, "error"));
		if (error == NULL ||
		    strcmp(error, "operator certificate OP-OLD expired on 2020-01-01") != 0)
			fail_msg("%s: %s", requests[i], error ? error : "(none)");
		json_decref(reply);
	}
	assert_int_equal(stationdb_count(&shift_gw.records, "SELECT count(*) FROM life_events"), 0);
}

/* The PIN-proof a life event takes is the login's (ctlreq.c operator_proven):
 * its words, and the one count of wrong PINs per operator, whichever
 * request gave them, with the lock-out it leads to keeping the operator from
 * both.  Nothing is recorded under a PIN that did not match.  The code is
 * empty: with the right PIN the event goes on to refuse it, which is how
 * the test sees the PIN was taken. */
static void
a_life_event_takes_the_pin_on_the_logins_count(void **state)
{
	static const char *const scrap =
	    "{\"cmd\":\"life\",\"event\":\"scrapped\",\"reason\":\"valve damaged\","
	    "\"operator\":\"%s\",\"pin\":\"%s\",\"codes\":[\"\"]}";
	static const struct {
		int login;         /* 1: a login, 0: a scrap */
		const char *pin;   /* OP-7's is 2468 */
		const char *error; /* what the refusal says */
	} steps[] = {
		{ 0, "1111", "wrong PIN for operator OP-7 (4 more tries before a lock-out)" },
		{ 1, "1112", "wrong PIN for operator OP-7 (3 more tries before a lock-out)" },
		{ 0, "1113", "wrong PIN for operator OP-7 (2 more tries before a lock-out)" },
		/* a right PIN starts the count again, at a life event as at a login */
		{ 0, "2468", "code 1 of 1: empty code; nothing was recorded" },
		{ 1, "1114", "wrong PIN for operator OP-7 (4 more tries before a lock-out)" },
		{ 0, "1115", "wrong PIN for operator OP-7 (3 more tries before a lock-out)" },
		{ 0, "1116", "wrong PIN for operator OP-7 (2 more tries before a lock-out)" },
		{ 1, "1117", "wrong PIN for operator OP-7 (1 more tries before a lock-out)" },
		{ 0, "1118", "wrong PIN; operator OP-7 is locked out until " },
		/* locked out: the right PIN opens neither */
		{ 1, "2468", "operator OP-7 is locked out after 5 wrong PINs until " },
		{ 0, "2468", "operator OP-7 is locked out after 5 wrong PINs until " },
	};
	char line[512], err[256];
	const char *error;
	json_t *reply;

	(void)state;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (steps[i].login)
			snprintf(line, sizeof(line),
			    "{\"cmd\":\"login\",\"line\":1,\"cert\":\"OP-7\",\"pin\":\"%s\"}",
			    steps[i].pin);
		else
			snprintf(line, sizeof(line), scrap, "OP-7", steps[i].pin);
		reply = handle(line);
		assert_false(json_is_true(json_object_get(reply, "ok")));
		error = json_string_value(json_object_get(reply, "error"));
		if (error == NULL || strstr(error, steps[i].error) != error ||
		    strstr(error, steps[i].pin) != NULL)
			fail_msg("step %zu: %s", i, error ? error : "(none)");
		json_decref(reply);
	}
	assert_string_equal(operator_on_line(), "");
	assert_int_equal(stationdb_count(&shift_gw.records, "SELECT count(*) FROM life_events"), 0);

	/* an operator with no PIN yet: the login's words */
	stationdb_exec(&shift_gw.records,
	    "INSERT INTO operators VALUES ('OP-NEW', 'Zhao Xin', '2099-01-01', 1, 0)");
	snprintf(line, sizeof(line), scrap, "OP-NEW", "2468");
	reply = handle(line);
	error = json_string_value(json_object_get(reply, "error"));
	if (error == NULL || strcmp(error, "operator OP-NEW has no PIN yet: a station "
	                                   "administrator sets one with gasctl operators pin "
	                                   "OP-NEW") != 0)
		fail_msg("no PIN: %s", error ? error : "(none)");
	json_decref(reply);

	/* a new PIN lifts the lock-out, for both */
	if (opauth_set_pin(shift_gw.records.db, "OP-7", "2468", 0, err, sizeof(err)) == -1)
		fail_msg("set-up: %s", err);
	snprintf(line, sizeof(line), scrap, "OP-7", "2468");
	reply = handle(line);
	error = json_string_value(json_object_get(reply, "error"));
	if (error == NULL || strcmp(error, "code 1 of 1: empty code; nothing was recorded") != 0)
		fail_msg("after a new PIN: %s", error ? error : "(none)");
	json_decref(reply);
	assert_int_equal(stationdb_count(&shift_gw.records, "SELECT count(*) FROM life_events"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_every_request_of_the_protocol),
		cmocka_unit_test(fills_takes_defaults_and_fill_an_optional_operator),
		cmocka_unit_test(aside_lists_or_retries_one_or_all),
		cmocka_unit_test(keeps_the_language_only_when_it_is_a_locale_name),
		cmocka_unit_test(refuses_naming_the_field),
		cmocka_unit_test(life_events_take_what_each_needs),
		cmocka_unit_test(a_life_request_needs_the_operators_pin),
		cmocka_unit_test(syntax_error_does_not_quote_the_request),
		cmocka_unit_test(never_echoes_an_id_number),
		cmocka_unit_test_setup_teardown(
		    a_clock_behind_the_newest_fill_is_said_in_status_and_refuses_an_inspection_return_and_a_dispatch,
		    shift_setup, shift_teardown),
		cmocka_unit_test_setup_teardown(a_shift_ends_when_its_hours_are_over, shift_setup,
		    shift_teardown),
		cmocka_unit_test_setup_teardown(
		    a_life_event_under_an_expired_certificate_is_refused, shift_setup,
		    shift_teardown),
		cmocka_unit_test_setup_teardown(a_life_event_takes_the_pin_on_the_logins_count,
		    shift_setup, shift_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
