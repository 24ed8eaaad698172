/*
 * casedetail (tools/county/casedetail.c): a station's case carries its
 * station, the fill behind its alert with the decoded weight curve, the
 * cylinder's fills and registry history and the buyer masked with the
 * buyer's township, and reading it writes no audit row (cases.read is not
 * audited: access.c); a case of another township is out of scope
 * and reads (and audits) nothing; an unknown case is not found; a grid
 * report has none of the station's parts; the answer has a JSON form (the
 * wire refuses indefinite lengths); a step committed while a case is read
 * is in the answer whole or not at all.
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

#include <cbor.h>

#include "buyeraddr.h"
#include "casedetail.h"
#include "cborread.h"
#include "countydb_fixture.h"
#include "curve.h"
#include "stations.h"
#include "store.h"
#include "util.h"
#include "wire.h"

static struct county_config config = {
	.case_join_min = 60,
	.case_alert_accept_min = 60,
	.case_alert_onsite_min = 120,
	.case_alert_close_min = 600,
	.case_critical_accept_min = 10,
	.case_critical_onsite_min = 30,
	.case_critical_close_min = 300,
	.evidence_max_kb = 1,
};

static char dir[64];
static struct county_db cdb;
static struct catalogue cat;
static const int64_t T0 = 1800000000000;
static const struct access_scope town_a = { .reach = ACCESS_REACH_OWN, .township = "TA" };
static const struct access_scope town_b = { .reach = ACCESS_REACH_OWN, .township = "TB" };

static int
setup(void **state)
{
	static const char villages[] = "village,township\n东村,TA\n";
	static const char kinds[] = "kind,code,name,basis,applies\nreport,stacked,违规堆放气瓶,,\n";
	char err[256];
	struct curve *cv = calloc(1, sizeof(*cv));
	uint8_t buf[CURVE_MAX_ENCODED];
	size_t len = 0;
	sqlite3_stmt *st;
	int32_t t;

	(void)state;
	if (cv == NULL)
		return -1;
	if (countydb_catalogue(&cat, kinds, villages) == -1 ||
	    countydb_setup(dir, sizeof(dir), "test_casedetail", &config, &cdb) == -1)
		return -1;
	fixture_exec(cdb.db, "INSERT INTO stations (id, township, last_seen_ms, created_ms)"
	                     " VALUES ('S01', 'TA', 1800000000000, 1800000000000)");
	fixture_exec(cdb.db,
	    "INSERT INTO records (station, seq, uuid, kind, created_ms, received_ms) VALUES"
	    " ('S01', 1, 'F1', 'fill', 1799990000000, 1799990000000),"
	    " ('S01', 2, 'F2', 'fill', 1800000000000, 1800000000000)");
	fixture_exec(cdb.db,
	    "INSERT INTO fills (uuid, station, seq, line, cylinder, buyer_masked, buyer_township,"
	    " started_ms, target_kg, net_kg, result) VALUES"
	    " ('F1', 'S01', 1, 1, 'LY-1', '330***1234', 'TB', 1799990000000, 14.9, 14.9, 'ok'),"
	    " ('F2', 'S01', 2, 1, 'LY-1', '330***1234', 'TB', 1800000000000, 14.9, 15.8,"
	    " 'flagged')");
	fixture_exec(cdb.db,
	    "INSERT INTO violations (uuid, event, station, rule, severity, township, cylinder,"
	    " buyer_masked, at_ms) VALUES ('V2', 'F2', 'S01', 'R05', 'alert', 'TA', 'LY-1',"
	    " '330***1234', 1800000000000)");
	fixture_exec(cdb.db,
	    "INSERT INTO alerts (source, rule, severity, township, station, cylinder,"
	    " buyer_masked, text, at_ms, created_ms) VALUES ('station:S01:V2', 'R05', 'alert',"
	    " 'TA', 'S01', 'LY-1', '330***1234', 'overfilled', 1800000000000, 1800000000000)");
	curve_init(cv, 14900, 300);
	for (t = 0; t <= 30000; t += 1000)
		curve_add(cv, t, t / 2);
	curve_mark_cutoff(cv, 30000);
	curve_set_net(cv, 15800);
	if (curve_encode(cv, buf, sizeof(buf), &len) == -1 ||
	    store_prepare(cdb.db, "INSERT INTO fill_curves (uuid, curve) VALUES ('F2', ?)", &st,
	        err, sizeof(err)) == -1)
		return -1;
	free(cv);
	sqlite3_bind_blob(st, 1, buf, (int)len, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		return -1;
	sqlite3_finalize(st);
	if (county_registry_set(&cdb, "LY-1", "active", "2024-05-10", "2028-05-10",
	        "Longyou Gas Co.", "test", err, sizeof(err)) == -1)
		return -1;
	return cases_from_alerts(&cdb, &cat, T0, &(struct cases_news){ 0 }, err, sizeof(err));
}

static int
teardown(void **state)
{
	(void)state;
	catalogue_free(&cat);
	return countydb_teardown(dir, &cdb);
}

static int64_t
audit_rows(void)
{
	return store_query_int(cdb.db, "SELECT COUNT(*) FROM audit", -1);
}

/* The answer for case id under scope for who, loaded; NULL unless CASES_DONE. */
static cbor_item_t *
detail_as(const struct access_identity *who, const struct access_scope *scope, int64_t id,
    enum cases_result want)
{
	struct cbor_load_result lr;
	uint8_t *out = NULL;
	size_t len = 0;
	char err[256], *json = NULL;
	cbor_item_t *root;

	assert_int_equal(casedetail_get(&cdb, scope, who, id, T0, &out, &len, err, sizeof(err)),
	    want);
	if (want != CASES_DONE) {
		assert_null(out);
		return NULL;
	}
	/* what the server sends as JSON on request */
	assert_int_equal(wire_cbor_to_json(out, len, &json, err, sizeof(err)), 0);
	free(json);
	root = cbor_load(out, len, &lr);
	free(out);
	assert_non_null(root);
	return root;
}

static cbor_item_t *
detail(const struct access_scope *scope, int64_t id, enum cases_result want)
{
	return detail_as(NULL, scope, id, want);
}

static struct access_identity
identity(const char *text)
{
	struct access_identity who;

	assert_int_equal(access_identity_parse((const uint8_t *)text, strlen(text), &who), 0);
	return who;
}

static int64_t
address_views(void)
{
	return store_query_int(cdb.db, "SELECT COUNT(*) FROM buyer_address_views", -1);
}

/* The buyer's address (kept for the fill, routed to TA) is on the case for
 * an officer of TA only, the R11 case (not one about the same fill's R05), and each showing writes
 * one log row, which a regulator reads on the case; TA's shared key, another township's officer, a
 * regulator and a caller with no identity do not get it. */
static void
the_buyer_address_goes_to_the_buyer_townships_officer_only(void **state)
{
	struct access_identity alice = identity("officer:alice@TA");
	struct access_identity bob = identity("officer:bob@TB");
	struct access_identity shared = identity("township:TA");
	struct access_identity reg = identity("regulator:county");
	const struct access_scope all = { .reach = ACCESS_REACH_ALL };
	const cbor_item_t *views;
	char text[64], err[256];
	cbor_item_t *root;

	(void)state;
	assert_int_equal(buyeraddr_store(&cdb, "F2", "TA", "东村12号", T0, err, sizeof(err)), 0);
	assert_int_equal(address_views(), 0);
	/* the fixture's case is F2's R05 (the station's township's, about the cylinder): even
	 * routed to TA, the township the address was kept for, it is not the case the address was
	 * kept for, and shows it to no one */
	root = detail_as(&alice, &town_a, 1, CASES_DONE);
	assert_null(cborread_find(cborread_find(root, "buyer"), "address"));
	cbor_decref(&root);
	assert_int_equal(address_views(), 0);
	/* the case's alert the hoarding one (R11, routed to the buyer's township TA) */
	fixture_exec(cdb.db, "UPDATE violations SET rule = 'R11' WHERE uuid = 'V2'");
	fixture_exec(cdb.db, "UPDATE alerts SET rule = 'R11' WHERE source = 'station:S01:V2'");

	root = detail_as(&alice, &town_a, 1, CASES_DONE);
	cborread_text(cborread_find(root, "buyer"), "address", text, sizeof(text));
	assert_string_equal(text, "东村12号");
	assert_null(cborread_find(root, "address_views")); /* the log is the regulator's */
	cbor_decref(&root);
	assert_int_equal(address_views(), 1);

	root = detail_as(&shared, &town_a, 1, CASES_DONE);
	assert_null(cborread_find(cborread_find(root, "buyer"), "address"));
	cbor_decref(&root);
	root = detail_as(NULL, &town_a, 1, CASES_DONE);
	assert_null(cborread_find(cborread_find(root, "buyer"), "address"));
	cbor_decref(&root);
	detail_as(&bob, &town_b, 1, CASES_OUT_OF_SCOPE);
	assert_int_equal(address_views(), 1);

	root = detail_as(&reg, &all, 1, CASES_DONE);
	assert_null(cborread_find(cborread_find(root, "buyer"), "address"));
	views = cborread_find(root, "address_views");
	assert_non_null(views);
	assert_int_equal(cbor_array_size(views), 1);
	cborread_text(cbor_array_handle(views)[0], "identity", text, sizeof(text));
	assert_string_equal(text, "officer:alice@TA");
	assert_int_equal(cborread_int(cbor_array_handle(views)[0], "at_ms", 0), T0);
	cbor_decref(&root);
	assert_int_equal(address_views(), 1);

	/* the one rule (kept for, alerted, assigned, the alert's rule): an officer of another
	 * township than the case's: never */
	assert_false(buyeraddr_may_see(&bob, &(struct buyeraddr_case){ "TA", "TA", "TA", "R11" }));
	assert_true(buyeraddr_may_see(&alice, &(struct buyeraddr_case){ "TA", "TA", "TA", "R11" }));
	assert_false(
	    buyeraddr_may_see(&shared, &(struct buyeraddr_case){ "TA", "TA", "TA", "R11" }));
	assert_false(buyeraddr_may_see(&reg, &(struct buyeraddr_case){ "TA", "TA", "TA", "R11" }));
	assert_false(buyeraddr_may_see(NULL, &(struct buyeraddr_case){ "TA", "TA", "TA", "R11" }));
	assert_false(buyeraddr_may_see(&alice, NULL));
}

/* buyeraddr_may_see: the township a case is assigned to now, on the case the address was kept
 * for (its alert behind the fill of a rule routed to the buyer, R11, and routed to the
 * address's township), and an officer's only. */
static void
the_address_goes_with_its_case_to_the_township_it_is_assigned_to(void **state)
{
	struct access_identity alice = identity("officer:alice@TA");
	struct access_identity bob = identity("officer:bob@TB");
	struct access_identity shared = identity("township:TB");
	struct access_identity grid = identity("grid:dan@TB");
	struct access_identity reg = identity("regulator:county");
	/* kept for TA, its case opened in TA and reassigned to TB */
	const struct buyeraddr_case moved = { "TA", "TA", "TB", "R11" };
	/* kept for TB (the buyer's), on the station's township's case (TA) about the same fill,
	 * in TA or reassigned to TB */
	const struct buyeraddr_case other = { "TB", "TA", "TA", "R05" },
	                            other_moved = { "TB", "TA", "TB", "R05" };
	/* the buyer lives in the station's township TA: the fill's R11 and its R10 both go to TA;
	 * the R10 case (about the cylinder) is not the one the address was kept for, in TA or
	 * reassigned to TB */
	const struct buyeraddr_case same = { "TA", "TA", "TA", "R10" },
	                            same_moved = { "TA", "TA", "TB", "R10" };

	(void)state;
	assert_true(buyeraddr_may_see(&bob, &moved));
	assert_false(buyeraddr_may_see(&alice, &moved)); /* the township it was moved from */
	assert_false(buyeraddr_may_see(&shared, &moved));
	assert_false(buyeraddr_may_see(&grid, &moved));
	assert_false(buyeraddr_may_see(&reg, &moved));
	assert_false(buyeraddr_may_see(&alice, &other));
	assert_false(buyeraddr_may_see(&bob, &other));
	assert_false(buyeraddr_may_see(&bob, &other_moved));
	assert_false(buyeraddr_may_see(&alice, &same));
	assert_false(buyeraddr_may_see(&bob, &same_moved));
	assert_true(buyeraddr_may_see(&alice, &(struct buyeraddr_case){ "TA", "TA", "TA", "R11" }));
	assert_false(buyeraddr_may_see(&alice, &(struct buyeraddr_case){ "TA", "TA", "TA", "" }));
	assert_false(buyeraddr_may_see(&alice, &(struct buyeraddr_case){ "TA", "TA", "TA", NULL }));
	assert_false(
	    buyeraddr_may_see(&alice, &(struct buyeraddr_case){ "TA", "TA", "TA", "C04" }));
	assert_false(buyeraddr_may_see(&bob, &(struct buyeraddr_case){ "", "", "TB", "R11" }));
	assert_false(buyeraddr_may_see(&bob, &(struct buyeraddr_case){ "TB", "", "TB", "R11" }));
}

static void
a_station_case_carries_what_the_officer_needs(void **state)
{
	const cbor_item_t *fill, *curve, *fills, *hist;
	char text[64];
	int64_t audits = audit_rows();
	cbor_item_t *root;

	(void)state;
	root = detail(&town_a, 1, CASES_DONE);
	cborread_text(cborread_find(root, "station"), "id", text, sizeof(text));
	assert_string_equal(text, "S01");
	cborread_text(cborread_find(root, "station"), "township", text, sizeof(text));
	assert_string_equal(text, "TA");
	fill = cborread_find(root, "fill");
	cborread_text(fill, "uuid", text, sizeof(text));
	assert_string_equal(text, "F2"); /* the alert's fill, not the cylinder's other one */
	assert_true(cborread_real(fill, "net_kg", 0) > 15.7);
	curve = cborread_find(fill, "curve");
	assert_int_equal(cborread_int(curve, "target_g", 0), 14900);
	assert_int_equal(cborread_int(curve, "cutoff_ms", -1), 30000);
	assert_int_equal(cborread_int(curve, "net_g", 0), 15800);
	assert_int_equal(cbor_array_size(cborread_find(curve, "t_ms")), 31);
	assert_int_equal(cbor_array_size(cborread_find(curve, "grams")), 31);
	fills = cborread_find(root, "fills");
	assert_int_equal(cbor_array_size(fills), 2);
	cborread_text(cbor_array_handle(fills)[0], "uuid", text, sizeof(text));
	assert_string_equal(text, "F2"); /* newest first */
	hist = cborread_find(root, "history");
	assert_int_equal(cbor_array_size(hist), 1);
	cborread_text(cbor_array_handle(hist)[0], "owner", text, sizeof(text));
	assert_string_equal(text, "Longyou Gas Co.");
	cborread_text(cborread_find(root, "buyer"), "masked", text, sizeof(text));
	assert_string_equal(text, "330***1234");
	cborread_text(cborread_find(root, "buyer"), "township", text, sizeof(text));
	assert_string_equal(text, "TB");
	assert_int_equal(cbor_array_size(cborread_find(root, "steps")), 1);
	cbor_decref(&root);
	assert_int_equal(audit_rows(), audits); /* cases.read is not an audited action */
}

static void
another_townships_case_reads_nothing(void **state)
{
	int64_t audits = audit_rows();

	(void)state;
	detail(&town_b, 1, CASES_OUT_OF_SCOPE);
	detail(&town_a, 999, CASES_NOT_FOUND);
	assert_int_equal(audit_rows(), audits);
}

static void
a_report_has_no_station_parts(void **state)
{
	struct case_request rq;
	cbor_item_t *root;
	char err[256];
	int64_t id = 0;

	(void)state;
	memset(&rq, 0, sizeof(rq));
	str_copy(rq.kind, "stacked", sizeof(rq.kind));
	str_copy(rq.village, "东村", sizeof(rq.village));
	str_copy(rq.note, "院内堆放", sizeof(rq.note));
	casemsg_set(&rq, CASEMSG_KIND);
	casemsg_set(&rq, CASEMSG_VILLAGE);
	casemsg_set(&rq, CASEMSG_NOTE_F);
	assert_int_equal(cases_report(&cdb, &cat, "grid:dan@TA", &rq, T0, &id, err, sizeof(err)),
	    CASES_DONE);
	root = detail(&town_a, id, CASES_DONE);
	assert_non_null(cborread_find(root, "case"));
	assert_null(cborread_find(root, "station"));
	assert_null(cborread_find(root, "fill"));
	assert_null(cborread_find(root, "fills"));
	assert_null(cborread_find(root, "history"));
	assert_null(cborread_find(root, "buyer"));
	cbor_decref(&root);
}

/*
 * A grid worker's report may name a cylinder (its code, as typed or scanned), and the case
 * then shows the officers who act on it that cylinder's newest fills and registry history.
 * The worker who reported it sees the case too, but not those: they are a cylinder's trace
 * (stations, times, weights, owner: regulators only, under an audit row), which a worker
 * would otherwise read for any serial by reporting it.
 */
static void
a_reporter_does_not_read_the_named_cylinders_trace(void **state)
{
	struct access_identity dan = identity("grid:dan@TA");
	struct access_identity alice = identity("officer:alice@TA");
	struct access_scope own = { .reach = ACCESS_REACH_OWN };
	struct case_request rq;
	cbor_item_t *root;
	char err[256], text[64];
	int64_t id = 0, audits = audit_rows();

	(void)state;
	assert_int_equal(access_decide(&dan, ACCESS_CASES_READ, &own), 1);
	memset(&rq, 0, sizeof(rq));
	str_copy(rq.kind, "stacked", sizeof(rq.kind));
	str_copy(rq.village, "东村", sizeof(rq.village));
	str_copy(rq.note, "院内堆放一只气瓶", sizeof(rq.note));
	str_copy(rq.code, "LY-1", sizeof(rq.code)); /* a cylinder filled at S01 */
	casemsg_set(&rq, CASEMSG_KIND);
	casemsg_set(&rq, CASEMSG_VILLAGE);
	casemsg_set(&rq, CASEMSG_NOTE_F);
	casemsg_set(&rq, CASEMSG_CODE);
	assert_int_equal(cases_report(&cdb, &cat, "grid:dan@TA", &rq, T0, &id, err, sizeof(err)),
	    CASES_DONE);
	/* the reporter: the case, with the code it gave, and nothing of the cylinder's past */
	root = detail_as(&dan, &own, id, CASES_DONE);
	cborread_text(cborread_find(root, "case"), "code", text, sizeof(text));
	assert_string_equal(text, "LY-1");
	assert_null(cborread_find(root, "fills"));
	assert_null(cborread_find(root, "history"));
	cbor_decref(&root);
	/* the officer who acts on it: the cylinder's fills and history */
	root = detail_as(&alice, &town_a, id, CASES_DONE);
	assert_int_equal(cbor_array_size(cborread_find(root, "fills")), 2);
	assert_int_equal(cbor_array_size(cborread_find(root, "history")), 1);
	cbor_decref(&root);
	assert_int_equal(audit_rows(), audits);
}

/* The station's name and address come from the county's register: none
 * before the station is registered, the registered ones after. */
static void
a_station_case_carries_the_registered_name_and_address(void **state)
{
	struct station_entry e = { .id = "S01",
		.township = "TA",
		.name = "龙游城南加气站",
		.address = "龙游县城南路 1 号",
		.has_place = 1,
		.lat = 29.03,
		.lon = 119.17 };
	const cbor_item_t *station;
	cbor_item_t *root;
	char text[128], err[256];

	(void)state;
	root = detail(&town_a, 1, CASES_DONE);
	station = cborread_find(root, "station");
	cborread_text(station, "name", text, sizeof(text));
	assert_string_equal(text, "");
	assert_int_equal(cborread_int(station, "registered", -1), 0);
	cbor_decref(&root);
	assert_int_equal(stations_set(&cdb, &e, T0, err, sizeof(err)), 0);
	root = detail(&town_a, 1, CASES_DONE);
	station = cborread_find(root, "station");
	cborread_text(station, "name", text, sizeof(text));
	assert_string_equal(text, "龙游城南加气站");
	cborread_text(station, "address", text, sizeof(text));
	assert_string_equal(text, "龙游县城南路 1 号");
	assert_int_equal(cborread_int(station, "registered", -1), 1);
	assert_true(cborread_real(station, "lat", 0) > 29.0);
	cbor_decref(&root);
}

/* A step committed while a case is being read is in the answer whole or
 * not at all: the case's state and its timeline agree (here the accept
 * lands after the case's row was read, so neither shows it), and the next
 * read shows both. */
static void
a_step_committed_meanwhile_is_seen_whole_or_not_at_all(void **state)
{
	const cbor_item_t *steps;
	cbor_item_t *root;
	char text[64];

	/* the officer's accept, committed by another connection at the moment casedetail_get
	 * first prepares a read of the case's steps (after it has read the case's row) */
	struct countydb_meanwhile accepted = { .dir = dir,
		.table = "case_steps",
		.sql =
		    "BEGIN IMMEDIATE; UPDATE cases SET state = 'accepted', officer = 'officer:li@TA'"
		    " WHERE id = 1; INSERT INTO case_steps (case_id, at_ms, identity, action, state)"
		    " VALUES (1, 1800000060000, 'officer:li@TA', 'accept', 'accepted'); COMMIT" };

	(void)state;
	sqlite3_set_authorizer(cdb.db, countydb_meanwhile_commit, &accepted);
	root = detail(&town_a, 1, CASES_DONE);
	sqlite3_set_authorizer(cdb.db, NULL, NULL);
	assert_int_equal(accepted.fired, 1);
	cborread_text(cborread_find(root, "case"), "state", text, sizeof(text));
	steps = cborread_find(root, "steps");
	assert_string_equal(text, "new");
	assert_int_equal(cbor_array_size(steps), 1);
	cbor_decref(&root);
	root = detail(&town_a, 1, CASES_DONE);
	cborread_text(cborread_find(root, "case"), "state", text, sizeof(text));
	assert_string_equal(text, "accepted");
	assert_int_equal(cbor_array_size(cborread_find(root, "steps")), 2);
	cbor_decref(&root);
}

/* A cylinder whose registry changed more often than a case lists (a station's steps, a
 * company's imports, for years): the case lists the newest changes, the one that matters
 * now (it was scrapped) included, and counts the older ones.  Before 6 Dec 2026 it listed
 * the oldest 50 and said nothing of the rest: past 50 changes, a scrapping was on no case. */
static void
a_case_lists_the_cylinders_newest_registry_changes(void **state)
{
	const cbor_item_t *hist;
	char err[256], owner[32], text[64];
	cbor_item_t *root;
	size_t n;
	int i;

	(void)state;
	for (i = 0; i < 60; i++) {
		snprintf(owner, sizeof(owner), "Owner %d", i);
		assert_int_equal(county_registry_set(&cdb, "LY-1", NULL, NULL, NULL, owner, "test",
		                     err, sizeof(err)),
		    0);
	}
	assert_int_equal(county_registry_set(&cdb, "LY-1", "scrapped", NULL, NULL, NULL, "test",
	                     err, sizeof(err)),
	    0);
	root = detail(&town_a, 1, CASES_DONE);
	hist = cborread_find(root, "history");
	n = cbor_array_size(hist);
	assert_int_equal(n, CASEDETAIL_HISTORY);
	assert_int_equal(cborread_int(root, "history_left_out", -1), 62 - CASEDETAIL_HISTORY);
	cborread_text(cbor_array_handle(hist)[n - 1], "status", text, sizeof(text));
	assert_string_equal(text, "scrapped"); /* the newest, last */
	cborread_text(cbor_array_handle(hist)[n - 2], "owner", text, sizeof(text));
	assert_string_equal(text, "Owner 59");
	cborread_text(cbor_array_handle(hist)[0], "owner", text, sizeof(text));
	assert_string_equal(text, "Owner 11"); /* the first 12 (import and owners 0-10) counted */
	cbor_decref(&root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_station_case_carries_what_the_officer_needs),
		cmocka_unit_test(another_townships_case_reads_nothing),
		cmocka_unit_test(a_report_has_no_station_parts),
		cmocka_unit_test(a_reporter_does_not_read_the_named_cylinders_trace),
		cmocka_unit_test(a_station_case_carries_the_registered_name_and_address),
		cmocka_unit_test(the_buyer_address_goes_to_the_buyer_townships_officer_only),
		cmocka_unit_test(the_address_goes_with_its_case_to_the_township_it_is_assigned_to),
		cmocka_unit_test(a_step_committed_meanwhile_is_seen_whole_or_not_at_all),
		cmocka_unit_test(a_case_lists_the_cylinders_newest_registry_changes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
