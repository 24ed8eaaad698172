/*
 * Unit tests of gateway/ctlreq.c's parsing: what a control request may
 * hold (ctlreq.h), and that every refusal names what is wrong.  Carrying
 * requests out is covered by integration/t_fill_* and fuzz/fuzz_ctl.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ctlreq.h"

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
		{ "{\"cmd\":\"login\",\"line\":1,\"cert\":\"OP-7\"}", CTL_LOGIN, 1, 0 },
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
		{ "{\"cmd\":\"reboot\"}", "unknown command \"reboot\"" },
		{ "{\"cmd\":\"stop\"}", "\"line\"" },
		{ "{\"cmd\":\"stop\",\"line\":\"1\"}", "\"line\"" },
		{ "{\"cmd\":\"stop\",\"line\":0}", "no line 0" },
		{ "{\"cmd\":\"stop\",\"line\":1000}", "no line 1000" },
		{ "{\"cmd\":\"login\",\"line\":1}", "\"cert\"" },
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_every_request_of_the_protocol),
		cmocka_unit_test(fills_takes_defaults_and_fill_an_optional_operator),
		cmocka_unit_test(aside_lists_or_retries_one_or_all),
		cmocka_unit_test(refuses_naming_the_field),
		cmocka_unit_test(syntax_error_does_not_quote_the_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
