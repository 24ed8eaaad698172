/*
 * access (tools/county/access.c), probed as an attacker would: identities
 * that almost parse (case, spaces, a second role after a ':', NUL bytes
 * inside the measured length, one byte too long, bytes that are not
 * ASCII), every role against every action (the whole matrix stated here,
 * independently of access.c's table), callers and scopes that
 * access_identity_parse and access_decide never make (forged roles,
 * tenants, actions out of range), and names that differ from the scope's
 * only by a prefix or a case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "access.h"
#include "psk.h"

#define NO ACCESS_REACH_NO
#define OWN ACCESS_REACH_OWN
#define ALL ACCESS_REACH_ALL

static const struct parse_case {
	const char *bytes;
	size_t len; /* 0: strlen(bytes) */
	enum access_role role;
	const char *name;
	enum access_tenant tenant;
	const char *tenant_id;
} parse_cases[] = {
	/* 1 */ { "station:S01", 0, ACCESS_ROLE_STATION, "S01", ACCESS_TENANT_STATION, "S01" },
	/* 2 */
	{ "township:330825101", 0, ACCESS_ROLE_TOWNSHIP, "330825101", ACCESS_TENANT_TOWNSHIP,
	    "330825101" },
	/* 3 */ { "regulator:alice", 0, ACCESS_ROLE_REGULATOR, "alice", ACCESS_TENANT_NONE, "" },
	/* 4: the measured length wins over what follows */
	{ "station:S01", 9, ACCESS_ROLE_STATION, "S", ACCESS_TENANT_STATION, "S" },
	/* 5 */ { "station:", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 6 */ { "station", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 7 */ { "", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 8 */ { "Station:S01", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 9 */ { "STATION:S01", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 10 */ { " station:S01", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 11 */ { "station:S01 ", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 12 */ { "station:S 01", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 13: a second role hidden in the name */
	{ "station:S01:township:TA", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 14 */ { "township:TA:", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 15: a NUL inside the measured length, C strings would stop there */
	{ "township:TA\0", 12, ACCESS_ROLE_NONE, "", 0, "" },
	/* 16 */ { "station:S01\0regulator:x", 23, ACCESS_ROLE_NONE, "", 0, "" },
	/* 17 */ { "station:\0S01", 12, ACCESS_ROLE_NONE, "", 0, "" },
	/* 18 */ { "admin:root", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 19 */ { "regulators:alice", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 20 */ { ":station:S01", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 21 */ { "stationS01", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 22: gascounty's own priming handshake has no rights */
	{ "gascounty:prime", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 23 */ { "station:S\t1", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 24 */ { "township:TA\n", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 25 */ { "station:\x7f", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 26 */ { "station:\xff", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 27: UTF-8 (Chinese) is not printable ASCII */
	{ "township:\xe9\xbe\x99\xe6\xb8\xb8", 0, ACCESS_ROLE_NONE, "", 0, "" },
	/* 28: 63 bytes, the longest there is */
	{ "regulator:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0,
	    ACCESS_ROLE_REGULATOR, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    ACCESS_TENANT_NONE, "" },
	/* 29: 64 bytes, one too many */
	{ "regulator:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0, ACCESS_ROLE_NONE,
	    "", 0, "" },
	/* 30: the whole identity's length, not the name's, is bounded */
	{ "township:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    0, ACCESS_ROLE_NONE, "", 0, "" },
	{ NULL, 0, 0, NULL, 0, NULL },
};

static void
identities_parse_only_when_exactly_role_colon_name(void **state)
{
	const struct parse_case *c;
	struct access_identity who;
	size_t len;
	int row;

	(void)state;
	for (c = parse_cases, row = 1; c->bytes != NULL; c++, row++) {
		len = c->len != 0 ? c->len : strlen(c->bytes);
		memset(&who, 0x5a, sizeof(who)); /* nothing may be left from before */
		if (access_identity_parse((const uint8_t *)c->bytes, len, &who) !=
		        (c->role == ACCESS_ROLE_NONE ? -1 : 0) ||
		    who.role != c->role || strcmp(who.name, c->name) != 0 ||
		    who.tenant != c->tenant || strcmp(who.tenant_id, c->tenant_id) != 0)
			fail_msg("row %d (%.*s): role %d name '%.20s' tenant %d '%.20s'", row,
			    (int)len, c->bytes, who.role, who.name, who.tenant, who.tenant_id);
		if (c->role != ACCESS_ROLE_NONE &&
		    (strlen(who.identity) != len || memcmp(who.identity, c->bytes, len) != 0))
			fail_msg("row %d: identity '%s' is not the bytes proved", row,
			    who.identity);
		if (c->role == ACCESS_ROLE_NONE && who.identity[0] != '\0')
			fail_msg("row %d: a refused identity left '%s' behind", row, who.identity);
	}
	assert_int_equal(access_identity_parse(NULL, 5, &who), -1);
	assert_int_equal(who.role, ACCESS_ROLE_NONE);
}

/*
 * The identities file (psk.c) accepts exactly the identities access
 * understands: a role access knew and the file refused (or the other way)
 * would be a key that can never be used, or one that gets no rights.
 */
static void
the_identities_file_and_access_agree_on_roles(void **state)
{
	static const enum access_role from_psk[] = { [PSK_ROLE_NONE] = ACCESS_ROLE_NONE,
		[PSK_ROLE_STATION] = ACCESS_ROLE_STATION,
		[PSK_ROLE_TOWNSHIP] = ACCESS_ROLE_TOWNSHIP,
		[PSK_ROLE_REGULATOR] = ACCESS_ROLE_REGULATOR,
		[PSK_ROLE_OFFICER] = ACCESS_ROLE_OFFICER,
		[PSK_ROLE_GRID] = ACCESS_ROLE_GRID,
		[PSK_ROLE_DELIVERY] = ACCESS_ROLE_DELIVERY };
	const struct parse_case *c;
	struct access_identity who;
	int row;

	(void)state;
	for (c = parse_cases, row = 1; c->bytes != NULL; c++, row++) {
		if (c->len != 0)
			continue; /* not a C string: cannot be a line of the file */
		access_identity_parse((const uint8_t *)c->bytes, strlen(c->bytes), &who);
		if (from_psk[psk_identity_role(c->bytes, NULL, 0)] != who.role)
			fail_msg("row %d (%s): the identities file and access disagree", row,
			    c->bytes);
	}
}

/* The whole matrix, as docs/protocol.md states it: every action, every role. */
static const struct matrix_row {
	enum access_action action;
	enum access_reach station, township, regulator, officer, grid, delivery;
	int audited;
	const char *refusal;
} matrix[] = {
	{ ACCESS_RECORDS_WRITE, OWN, NO, NO, NO, NO, OWN, 0, "stations and delivery devices only" },
	{ ACCESS_HEARTBEAT_WRITE, OWN, NO, NO, NO, NO, NO, 0, "stations only" },
	{ ACCESS_REGISTRY_READ, ALL, NO, ALL, NO, NO, NO, 0, "stations and regulators only" },
	{ ACCESS_ALERTS_READ, NO, OWN, NO, NO, NO, NO, 0, "townships only" },
	{ ACCESS_ALERTS_DISPOSE, NO, OWN, NO, NO, NO, NO, 0, "townships only" },
	{ ACCESS_TRACE_READ, NO, NO, ALL, NO, NO, NO, 1, "regulators only" },
	{ ACCESS_STATIONS_READ, NO, NO, ALL, NO, NO, NO, 1, "regulators only" },
	{ ACCESS_QUEUE_READ, NO, NO, ALL, NO, NO, NO, 1, "regulators only" },
	{ ACCESS_CASES_READ, NO, NO, ALL, OWN, OWN, NO, 0,
	    "regulators, officers and grid workers only" },
	{ ACCESS_CASES_ACT, NO, NO, ALL, OWN, NO, NO, 0, "regulators and officers only" },
	{ ACCESS_CASES_REPORT, NO, NO, NO, NO, OWN, NO, 0, "grid workers only" },
	{ ACCESS_CASES_REASSIGN, NO, NO, ALL, NO, NO, NO, 0, "regulators only" },
	{ ACCESS_CASES_OVERDUE, NO, NO, ALL, OWN, NO, NO, 0, "regulators and officers only" },
	{ ACCESS_CASES_FIGURES, NO, NO, ALL, OWN, NO, NO, 0, "regulators and officers only" },
	{ ACCESS_HISTORY_READ, NO, NO, ALL, NO, NO, NO, 1, "regulators only" },
	{ ACCESS_MAP_READ, NO, NO, ALL, OWN, NO, NO, 1, "regulators and officers only" },
	{ ACCESS_FIGURES_READ, NO, NO, ALL, NO, NO, NO, 0, "regulators only" },
};

static void
every_role_reaches_each_action_as_the_matrix_says(void **state)
{
	static const char *const ids[ACCESS_ROLE_COUNT] = { [ACCESS_ROLE_STATION] = "station:S01",
		[ACCESS_ROLE_TOWNSHIP] = "township:TA",
		[ACCESS_ROLE_REGULATOR] = "regulator:alice",
		[ACCESS_ROLE_OFFICER] = "officer:wang@TA",
		[ACCESS_ROLE_GRID] = "grid:dan@TA",
		[ACCESS_ROLE_DELIVERY] = "delivery:li@TA" };
	const struct matrix_row *m;
	struct access_identity who;
	struct access_scope scope;
	enum access_reach want;
	char text[80];
	size_t i;
	int role, stated[ACCESS_ACTION_COUNT] = { 0 };

	(void)state;
	for (i = 0; i < sizeof(matrix) / sizeof(matrix[0]); i++) {
		m = &matrix[i];
		stated[m->action]++;
		for (role = ACCESS_ROLE_NONE; role < ACCESS_ROLE_COUNT; role++) {
			want = role == ACCESS_ROLE_STATION     ? m->station
			       : role == ACCESS_ROLE_TOWNSHIP  ? m->township
			       : role == ACCESS_ROLE_REGULATOR ? m->regulator
			       : role == ACCESS_ROLE_OFFICER   ? m->officer
			       : role == ACCESS_ROLE_GRID      ? m->grid
			       : role == ACCESS_ROLE_DELIVERY  ? m->delivery
			                                       : NO;
			if (access_reach_of(m->action, (enum access_role)role) != want)
				fail_msg("%s as role %d: reach %d, want %d",
				    access_action_name(m->action), role,
				    access_reach_of(m->action, (enum access_role)role), want);
			if (ids[role] == NULL)
				continue;
			assert_int_equal(access_identity_parse((const uint8_t *)ids[role],
			                     strlen(ids[role]), &who),
			    0);
			if (access_decide(&who, m->action, &scope) != (want != NO) ||
			    scope.reach != want)
				fail_msg("%s by %s: decided %d", access_action_name(m->action),
				    ids[role], scope.reach);
			/* own: exactly the caller's tenant, and nothing else */
			if (want == OWN &&
			    !(role == ACCESS_ROLE_STATION
			            ? strcmp(scope.station, "S01") == 0 && scope.township[0] == '\0'
			        : role == ACCESS_ROLE_GRID || role == ACCESS_ROLE_DELIVERY
			            ? strcmp(scope.person, ids[role]) == 0 &&
			                  scope.township[0] == '\0' && scope.station[0] == '\0'
			            : strcmp(scope.township, "TA") == 0 &&
			                  scope.station[0] == '\0' && scope.person[0] == '\0'))
				fail_msg("%s by %s: scope '%s' '%s'", access_action_name(m->action),
				    ids[role], scope.station, scope.township);
			if (want != OWN && (scope.station[0] != '\0' || scope.township[0] != '\0' ||
			                       scope.person[0] != '\0'))
				fail_msg("%s by %s: scope names a tenant",
				    access_action_name(m->action), ids[role]);
		}
		if (access_audited(m->action) != m->audited)
			fail_msg("%s: audited %d, want %d", access_action_name(m->action),
			    access_audited(m->action), m->audited);
		access_refusal(m->action, text, sizeof(text));
		if (strcmp(text, m->refusal) != 0)
			fail_msg("%s: refusal '%s'", access_action_name(m->action), text);
	}
	for (i = 0; i < ACCESS_ACTION_COUNT; i++)
		if (stated[i] != 1)
			fail_msg("action %zu (%s) is stated %d times in this test's matrix", i,
			    access_action_name((enum access_action)i), stated[i]);
}

/* Nobody reaches anything by a caller or an action that was never made. */
static void
forged_callers_and_unknown_actions_reach_nothing(void **state)
{
	struct access_identity who;
	struct access_scope scope;
	char text[80];
	size_t i;
	static const int bad_actions[] = { -1, ACCESS_ACTION_COUNT, 1000 };
	static const int bad_roles[] = { -1, ACCESS_ROLE_NONE, ACCESS_ROLE_COUNT, 99 };

	(void)state;
	memset(&scope, 0x5a, sizeof(scope));
	assert_int_equal(access_decide(NULL, ACCESS_TRACE_READ, &scope), 0);
	assert_int_equal(scope.reach, NO);

	assert_int_equal(access_identity_parse((const uint8_t *)"regulator:alice", 15, &who), 0);
	for (i = 0; i < sizeof(bad_actions) / sizeof(bad_actions[0]); i++) {
		assert_int_equal(access_decide(&who, (enum access_action)bad_actions[i], &scope),
		    0);
		assert_int_equal(access_audited((enum access_action)bad_actions[i]), 0);
		assert_string_equal(access_action_name((enum access_action)bad_actions[i]), "");
		access_refusal((enum access_action)bad_actions[i], text, sizeof(text));
		assert_string_equal(text, "nobody");
	}
	for (i = 0; i < sizeof(bad_roles) / sizeof(bad_roles[0]); i++) {
		who.role = (enum access_role)bad_roles[i];
		assert_int_equal(access_decide(&who, ACCESS_TRACE_READ, &scope), 0);
		assert_int_equal(access_decide(&who, ACCESS_RECORDS_WRITE, &scope), 0);
		assert_string_equal(access_role_name((enum access_role)bad_roles[i]), "");
	}

	/* a station with no tenant, or a township claiming a station's tenant */
	assert_int_equal(access_identity_parse((const uint8_t *)"station:S01", 11, &who), 0);
	who.tenant_id[0] = '\0';
	assert_int_equal(access_decide(&who, ACCESS_RECORDS_WRITE, &scope), 0);
	assert_int_equal(access_identity_parse((const uint8_t *)"township:TA", 11, &who), 0);
	who.tenant = ACCESS_TENANT_STATION;
	assert_int_equal(access_decide(&who, ACCESS_ALERTS_READ, &scope), 0);
	/* a regulator given a tenant gains no "own" reach */
	assert_int_equal(access_identity_parse((const uint8_t *)"regulator:alice", 15, &who), 0);
	who.tenant = ACCESS_TENANT_TOWNSHIP;
	assert_int_equal(access_decide(&who, ACCESS_ALERTS_READ, &scope), 0);
	assert_int_equal(access_decide(&who, ACCESS_TRACE_READ, &scope), 0);
	/* a tenant without its NUL */
	assert_int_equal(access_identity_parse((const uint8_t *)"station:S01", 11, &who), 0);
	memset(who.tenant_id, 'S', sizeof(who.tenant_id));
	assert_int_equal(access_decide(&who, ACCESS_RECORDS_WRITE, &scope), 0);
	assert_int_equal(scope.reach, NO);

	/* a refusal fits any buffer */
	access_refusal(ACCESS_REGISTRY_READ, text, 9);
	assert_string_equal(text, "stations");
	access_refusal(ACCESS_REGISTRY_READ, text, 1);
	assert_string_equal(text, "");
	text[0] = 'x';
	access_refusal(ACCESS_REGISTRY_READ, text, 0);
	assert_int_equal(text[0], 'x');
}

static const struct covers_case {
	const char *identity;
	enum access_action action;
	const char *station, *township;
	int covered;
} covers_cases[] = {
	/* 1 */ { "township:TA", ACCESS_ALERTS_DISPOSE, NULL, "TA", 1 },
	/* 2 */ { "township:TA", ACCESS_ALERTS_DISPOSE, "S01", "TA", 1 },
	/* 3 */ { "township:TA", ACCESS_ALERTS_DISPOSE, NULL, "TB", 0 },
	/* 4 */ { "township:TA", ACCESS_ALERTS_DISPOSE, NULL, "ta", 0 },
	/* 5 */ { "township:TA", ACCESS_ALERTS_DISPOSE, NULL, "TAB", 0 },
	/* 6 */ { "township:TA", ACCESS_ALERTS_DISPOSE, NULL, "T", 0 },
	/* 7 */ { "township:TA", ACCESS_ALERTS_DISPOSE, NULL, "TA ", 0 },
	/* 8 */ { "township:TA", ACCESS_ALERTS_DISPOSE, NULL, "", 0 },
	/* 9 */ { "township:TA", ACCESS_ALERTS_DISPOSE, NULL, NULL, 0 },
	/* 10: a station that happens to bear the township's name */
	{ "township:TA", ACCESS_ALERTS_DISPOSE, "TA", NULL, 0 },
	/* 11 */ { "station:S01", ACCESS_RECORDS_WRITE, "S01", NULL, 1 },
	/* 12 */ { "station:S01", ACCESS_RECORDS_WRITE, "S01", "TB", 1 },
	/* 13 */ { "station:S01", ACCESS_RECORDS_WRITE, "S011", NULL, 0 },
	/* 14 */ { "station:S01", ACCESS_RECORDS_WRITE, "S0", NULL, 0 },
	/* 15 */ { "station:S01", ACCESS_RECORDS_WRITE, "", NULL, 0 },
	/* 16: the township a station is in is not the station's */
	{ "station:S01", ACCESS_RECORDS_WRITE, NULL, "S01", 0 },
	/* 17 */ { "regulator:alice", ACCESS_TRACE_READ, "S01", "TA", 1 },
	/* 18 */ { "regulator:alice", ACCESS_TRACE_READ, NULL, NULL, 1 },
	{ NULL, 0, NULL, NULL, 0 },
};

static void
a_scope_covers_its_own_tenant_by_whole_name_only(void **state)
{
	const struct covers_case *c;
	struct access_identity who;
	struct access_scope scope;
	int row;

	(void)state;
	for (c = covers_cases, row = 1; c->identity != NULL; c++, row++) {
		assert_int_equal(
		    access_identity_parse((const uint8_t *)c->identity, strlen(c->identity), &who),
		    0);
		assert_int_equal(access_decide(&who, c->action, &scope), 1);
		if (access_scope_covers(&scope, c->station, c->township) != c->covered)
			fail_msg("row %d: %s over station %s township %s: want %d", row,
			    c->identity, c->station ? c->station : "(none)",
			    c->township ? c->township : "(none)", c->covered);
	}
	/* scopes nobody was given cover nothing */
	memset(&scope, 0, sizeof(scope));
	assert_int_equal(access_scope_covers(&scope, "S01", "TA"), 0);
	assert_int_equal(access_scope_covers(NULL, "S01", "TA"), 0);
	scope.reach = OWN; /* own, but of no tenant */
	assert_int_equal(access_scope_covers(&scope, "", ""), 0);
	scope.reach = (enum access_reach)7;
	assert_int_equal(access_scope_covers(&scope, "S01", "TA"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identities_parse_only_when_exactly_role_colon_name),
		cmocka_unit_test(the_identities_file_and_access_agree_on_roles),
		cmocka_unit_test(every_role_reaches_each_action_as_the_matrix_says),
		cmocka_unit_test(forged_callers_and_unknown_actions_reach_nothing),
		cmocka_unit_test(a_scope_covers_its_own_tenant_by_whole_name_only),
	};
	return cmocka_run_group_tests_name("access", tests, NULL, NULL);
}
