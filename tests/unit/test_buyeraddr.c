/*
 * buyeraddr_expire (tools/county/buyeraddr.c): a buyer's address is kept
 * while a case that shows it is open, and address_keep_days after the last
 * such case closed; then erased, its row kept empty, and the case says so.
 *
 * The fixture: fill F1 carries two violations, R11 routed to the buyer's
 * township TB and R05 to the station's TA, which open cases 1 (TB) and 2
 * (TA), both showing F1 (the fill behind their first alert), only case 1
 * its address (the R11 case, the one it was kept for); fill F2's R11
 * joins case 1 later, so no case shows F2's address.  Both addresses
 * arrived at T0.  Real SQLite, the county's schema, the cases module's own
 * steps (a dismissal closes a case).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "buyeraddr.h"
#include "casedetail.h"
#include "cborread.h"
#include "cases.h"
#include "countydb_fixture.h"
#include "store.h"
#include "util.h"

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

#define DAY ((int64_t)86400000)
#define KEEP 30
#define ADDR1 "东村12号院"
#define ADDR2 "西村3号"

static char dir[64];
static struct county_db cdb;
static struct catalogue cat;
static const int64_t T0 = 1800000000000;

static int
setup(void **state)
{
	char err[256];

	(void)state;
	memset(&cat, 0, sizeof(cat));
	if (countydb_setup(dir, sizeof(dir), "test_buyeraddr", &config, &cdb) == -1)
		return -1;
	fixture_exec(cdb.db, "INSERT INTO stations (id, township, last_seen_ms, created_ms)"
	                     " VALUES ('S01', 'TA', 1800000000000, 1800000000000)");
	fixture_exec(cdb.db,
	    "INSERT INTO records (station, seq, uuid, kind, created_ms, received_ms) VALUES"
	    " ('S01', 1, 'F1', 'fill', 1800000000000, 1800000000000),"
	    " ('S01', 2, 'F2', 'fill', 1800000060000, 1800000060000)");
	fixture_exec(cdb.db,
	    "INSERT INTO fills (uuid, station, seq, line, cylinder, buyer_masked, buyer_township,"
	    " started_ms, target_kg, net_kg, result) VALUES"
	    " ('F1', 'S01', 1, 1, 'LY-1', '330***1234', 'TB', 1800000000000, 14.9, 15.8,"
	    " 'flagged'),"
	    " ('F2', 'S01', 2, 1, 'LY-1', '330***1234', 'TB', 1800000060000, 14.9, 14.9, 'ok')");
	fixture_exec(cdb.db,
	    "INSERT INTO violations (uuid, event, station, rule, severity, township, cylinder,"
	    " buyer_masked, at_ms) VALUES"
	    " ('V1', 'F1', 'S01', 'R11', 'alert', 'TB', 'LY-1', '330***1234', 1800000000000),"
	    " ('V1b', 'F1', 'S01', 'R05', 'alert', 'TA', 'LY-1', '330***1234', 1800000000000),"
	    " ('V2', 'F2', 'S01', 'R11', 'alert', 'TB', 'LY-1', '330***1234', 1800000060000)");
	fixture_exec(cdb.db,
	    "INSERT INTO alerts (source, rule, severity, township, station, cylinder,"
	    " buyer_masked, text, at_ms, created_ms) VALUES"
	    " ('station:S01:V1', 'R11', 'alert', 'TB', 'S01', 'LY-1', '330***1234', 'hoarding',"
	    " 1800000000000, 1800000000000),"
	    " ('station:S01:V1b', 'R05', 'alert', 'TA', 'S01', 'LY-1', '330***1234', 'overfilled',"
	    " 1800000000000, 1800000000000),"
	    " ('station:S01:V2', 'R11', 'alert', 'TB', 'S01', 'LY-1', '330***1234', 'hoarding',"
	    " 1800000060000, 1800000060000)");
	if (buyeraddr_store(&cdb, "F1", "TB", ADDR1, T0, err, sizeof(err)) == -1 ||
	    buyeraddr_store(&cdb, "F2", "TB", ADDR2, T0, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	return countydb_teardown(dir, &cdb);
}

/* The alerts into cases (case 1: F1's R11 and F2's; case 2: F1's R05). */
static void
to_cases(void)
{
	char err[256];

	assert_int_equal(
	    cases_from_alerts(&cdb, &cat, T0 + 120000, &(struct cases_news){ 0 }, err, sizeof(err)),
	    0);
	assert_int_equal(store_query_int(cdb.db, "SELECT count(*) FROM cases", -1), 2);
	assert_int_equal(store_query_int(cdb.db, "SELECT alerts FROM cases WHERE id = 1", -1), 2);
}

/* Case id dismissed (closed) by its township at now. */
static void
dismiss(int64_t id, const char *identity, const char *township, int64_t now)
{
	struct access_scope scope = { .reach = ACCESS_REACH_OWN };
	struct case_request r;
	char err[256];

	str_copy(scope.township, township, sizeof(scope.township));
	memset(&r, 0, sizeof(r));
	r.id = id;
	casemsg_set(&r, CASEMSG_ID);
	str_copy(r.step, "dismiss", sizeof(r.step));
	casemsg_set(&r, CASEMSG_STEP);
	str_copy(r.note, "no hoarding found", sizeof(r.note));
	casemsg_set(&r, CASEMSG_NOTE_F);
	assert_int_equal(cases_step(&cdb, &cat, &scope, identity, &r, now, err, sizeof(err)),
	    CASES_DONE);
}

static void
dismiss_both(int64_t first, int64_t second)
{
	dismiss(1, "officer:li@TB", "TB", first);
	dismiss(2, "officer:wu@TA", "TA", second);
}

/* The sweep's erasure at now with the default keep; how many it erased. */
static int
expire(int64_t now)
{
	char err[256];
	int n = -1;

	assert_int_equal(buyeraddr_expire(&cdb, KEEP, now, &n, err, sizeof(err)), 0);
	return n;
}

/* The address kept for fill ("" once erased, "-" when it has no row). */
static const char *
kept(const char *fill)
{
	static char text[128];
	char err[256];
	sqlite3_stmt *st;

	assert_int_equal(store_prepare(cdb.db, "SELECT address FROM buyer_addresses WHERE fill = ?",
	                     &st, err, sizeof(err)),
	    0);
	sqlite3_bind_text(st, 1, fill, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		store_column_copy(st, 0, text, sizeof(text));
	else
		strcpy(text, "-");
	sqlite3_finalize(st);
	return text;
}

static int64_t
views(void)
{
	return store_query_int(cdb.db, "SELECT count(*) FROM buyer_address_views", -1);
}

/* Every row of table, every column, as one text: what "changed nothing" compares. */
static char *
table_text(const char *table)
{
	char sql[128], err[256];
	sqlite3_stmt *st;
	size_t used = 0, size = 1;
	char *out = calloc(1, 1);
	const char *v;
	int i;

	snprintf(sql, sizeof(sql), "SELECT * FROM %s ORDER BY 1, 2", table);
	assert_int_equal(store_prepare(cdb.db, sql, &st, err, sizeof(err)), 0);
	while (out != NULL && sqlite3_step(st) == SQLITE_ROW)
		for (i = 0; out != NULL && i < sqlite3_column_count(st); i++) {
			v = (const char *)sqlite3_column_text(st, i);
			v = v != NULL ? v : "(null)";
			size = used + strlen(v) + 2;
			out = realloc(out, size);
			if (out != NULL)
				used += (size_t)snprintf(out + used, size - used, "%s|", v);
		}
	sqlite3_finalize(st);
	assert_non_null(out);
	return out;
}

/* The case id as who reads it in scope; NULL unless found. */
static cbor_item_t *
detail(const char *identity, const struct access_scope *scope, int64_t id)
{
	struct access_identity who;
	struct cbor_load_result lr;
	uint8_t *out = NULL;
	size_t len = 0;
	char err[256];
	cbor_item_t *root;

	assert_int_equal(access_identity_parse((const uint8_t *)identity, strlen(identity), &who),
	    0);
	assert_int_equal(
	    casedetail_get(&cdb, scope, &who, id, T0 + 200 * DAY, &out, &len, err, sizeof(err)),
	    CASES_DONE);
	root = cbor_load(out, len, &lr);
	free(out);
	assert_non_null(root);
	return root;
}

static int
erased_on(const cbor_item_t *root)
{
	return cborread_bool(cborread_find(root, "buyer"), "address_erased", 0);
}

/* Years after it came, an address stays while a case that shows it is
 * open; the address no case shows (F2's alert joined a case showing F1)
 * is erased keep_days after it came, not before. */
static void
kept_while_a_case_that_shows_it_is_open(void **state)
{
	const struct access_scope all = { .reach = ACCESS_REACH_ALL };
	cbor_item_t *root;
	char text[64];
	int64_t id;

	(void)state;
	to_cases();
	/* what "shows" means here is casedetail's: both cases show F1, none F2 */
	for (id = 1; id <= 2; id++) {
		root = detail("regulator:county", &all, id);
		cborread_text(cborread_find(root, "fill"), "uuid", text, sizeof(text));
		assert_string_equal(text, "F1");
		cbor_decref(&root);
	}
	assert_int_equal(expire(T0 + KEEP * DAY - 1), 0);
	assert_string_equal(kept("F2"), ADDR2);
	assert_int_equal(expire(T0 + KEEP * DAY), 1);
	assert_string_equal(kept("F2"), "");
	assert_int_equal(expire(T0 + 3650 * DAY), 0);
	assert_string_equal(kept("F1"), ADDR1);
}

/* Kept until keep_days after the last of its cases closed, to the
 * millisecond, then erased once. */
static void
kept_until_keep_days_after_the_last_close(void **state)
{
	const int64_t last = T0 + 5 * DAY;

	(void)state;
	to_cases();
	dismiss(2, "officer:wu@TA", "TA", T0 + 2 * DAY);
	dismiss(1, "officer:li@TB", "TB", last);
	assert_int_equal(expire(last + KEEP * DAY - 1), 1); /* F2's, which no case shows */
	assert_string_equal(kept("F1"), ADDR1);
	assert_int_equal(expire(last + KEEP * DAY), 1);
	assert_string_equal(kept("F1"), "");
	assert_int_equal(expire(last + 2 * KEEP * DAY), 0);
	assert_string_equal(kept("F1"), "");
}

/* The station's township's case about the same fill (case 2, F1's R05) never shows the
 * address: open for ten years, it does not keep it once the case it was kept for (case 1, the
 * R11) closed and its keep time is over. */
static void
not_kept_by_the_station_townships_case_on_the_fill(void **state)
{
	(void)state;
	to_cases();
	dismiss(1, "officer:li@TB", "TB", T0 + DAY);
	assert_int_equal(expire(T0 + (1 + KEEP) * DAY - 1), 1); /* F2's */
	assert_string_equal(kept("F1"), ADDR1);
	assert_int_equal(expire(T0 + (1 + KEEP) * DAY), 1);
	assert_string_equal(kept("F1"), "");
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM cases WHERE id = 2 AND"
	                     " state NOT IN ('closed', 'dismissed')",
	                     -1),
	    1);
}

/* The same when the buyer lives in the station's township, so that the fill's R11 and its
 * R05 both go to TB (the station moved to TB here): the R05 case is TB's too, but not the one
 * the address was kept for: it shows the address to no one, TB's officer included, and does
 * not keep it. */
static void
the_station_townships_case_in_the_buyers_township_neither_shows_nor_keeps_it(void **state)
{
	const struct access_scope tb = { .reach = ACCESS_REACH_OWN, .township = "TB" };
	cbor_item_t *root;
	char text[64];

	(void)state;
	fixture_exec(cdb.db, "UPDATE stations SET township = 'TB' WHERE id = 'S01'");
	fixture_exec(cdb.db, "UPDATE violations SET township = 'TB' WHERE uuid = 'V1b'");
	fixture_exec(cdb.db, "UPDATE alerts SET township = 'TB' WHERE source = 'station:S01:V1b'");
	to_cases();
	root = detail("officer:li@TB", &tb, 2);
	cborread_text(cborread_find(root, "case"), "township", text, sizeof(text));
	assert_string_equal(text, "TB");
	cborread_text(cborread_find(root, "fill"), "uuid", text, sizeof(text));
	assert_string_equal(text, "F1");
	assert_null(cborread_find(cborread_find(root, "buyer"), "address"));
	cbor_decref(&root);
	assert_int_equal(views(), 0);
	root = detail("officer:li@TB", &tb, 1); /* the R11 case does */
	cborread_text(cborread_find(root, "buyer"), "address", text, sizeof(text));
	assert_string_equal(text, ADDR1);
	cbor_decref(&root);
	assert_int_equal(views(), 1);
	dismiss(1, "officer:li@TB", "TB", T0 + DAY);
	assert_int_equal(expire(T0 + (1 + KEEP) * DAY), 2);
	assert_string_equal(kept("F1"), "");
}

/* Alerts not yet turned into cases may open a case that shows the
 * address: nothing is erased until they are in their cases. */
static void
an_alert_not_yet_in_a_case_keeps_it(void **state)
{
	(void)state;
	assert_int_equal(expire(T0 + 3650 * DAY), 0);
	assert_string_equal(kept("F1"), ADDR1);
	assert_string_equal(kept("F2"), ADDR2);
	to_cases();
	assert_int_equal(expire(T0 + 3650 * DAY), 1);
	assert_string_equal(kept("F1"), ADDR1);
	assert_string_equal(kept("F2"), "");
}

/* A case closed and opened again is open, whatever its old close time. */
static void
a_case_opened_again_counts_as_open(void **state)
{
	(void)state;
	to_cases();
	dismiss_both(T0 + DAY, T0 + DAY);
	fixture_exec(cdb.db,
	    "UPDATE cases SET state = 'accepted' WHERE id = 1"); /* closed_ms stays */
	assert_int_equal(expire(T0 + 3650 * DAY), 1);
	assert_string_equal(kept("F1"), ADDR1);
}

/* The erasure empties the address and nothing else: fills, violations,
 * alerts, cases, their steps and alerts, the log of showings, and the
 * address's row but its text. */
static void
the_erasure_changes_nothing_else(void **state)
{
	static const char *const tables[] = { "fills", "records", "violations", "alerts", "cases",
		"case_steps", "case_alerts", "buyer_address_views", NULL };
	const struct access_scope tb = { .reach = ACCESS_REACH_OWN, .township = "TB" };
	char *before[8], *after, *row;
	cbor_item_t *root;
	int i;

	(void)state;
	to_cases();
	root = detail("officer:li@TB", &tb, 1); /* one showing logged */
	cbor_decref(&root);
	dismiss_both(T0 + DAY, T0 + DAY);
	assert_int_equal(views(), 1);
	for (i = 0; tables[i] != NULL; i++)
		before[i] = table_text(tables[i]);
	row = table_text("buyer_addresses");
	assert_non_null(strstr(row, "F1|TB|" ADDR1 "|1800000000000|"));
	free(row);
	assert_int_equal(expire(T0 + (1 + KEEP) * DAY), 2);
	for (i = 0; tables[i] != NULL; i++) {
		after = table_text(tables[i]);
		assert_string_equal(after, before[i]);
		free(after);
		free(before[i]);
	}
	row = table_text("buyer_addresses");
	assert_string_equal(row, "F1|TB||1800000000000|F2|TB||1800000000000|");
	free(row);
	assert_int_equal(views(), 1);
}

/* After the erasure the township's officer gets no address and is told
 * it was erased, and no showing is logged; a regulator is told too and
 * still reads who saw it; the township's shared key is told nothing.  A
 * record sent again does not bring the address back. */
static void
the_case_says_the_address_was_erased(void **state)
{
	const struct access_scope tb = { .reach = ACCESS_REACH_OWN, .township = "TB" };
	const struct access_scope all = { .reach = ACCESS_REACH_ALL };
	const cbor_item_t *buyer;
	char err[256], text[64];
	cbor_item_t *root;

	(void)state;
	to_cases();
	root = detail("officer:li@TB", &tb, 1);
	buyer = cborread_find(root, "buyer");
	cborread_text(buyer, "address", text, sizeof(text));
	assert_string_equal(text, ADDR1);
	assert_false(erased_on(root));
	cbor_decref(&root);
	dismiss_both(T0 + DAY, T0 + DAY);
	assert_int_equal(expire(T0 + (1 + KEEP) * DAY), 2);
	assert_int_equal(views(), 1);

	root = detail("officer:li@TB", &tb, 1);
	buyer = cborread_find(root, "buyer");
	assert_null(cborread_find(buyer, "address"));
	assert_true(erased_on(root));
	cborread_text(buyer, "masked", text, sizeof(text));
	assert_string_equal(text, "330***1234"); /* the rest of the buyer as before */
	cbor_decref(&root);
	assert_int_equal(views(), 1);

	root = detail("regulator:county", &all, 1);
	assert_true(erased_on(root));
	assert_int_equal(cbor_array_size(cborread_find(root, "address_views")), 1);
	cbor_decref(&root);
	root = detail("regulator:county", &all, 2); /* the R05 case never had it */
	assert_false(erased_on(root));
	cbor_decref(&root);
	root = detail("township:TB", &tb, 1);
	assert_false(erased_on(root));
	assert_null(cborread_find(cborread_find(root, "buyer"), "address"));
	cbor_decref(&root);

	assert_int_equal(buyeraddr_store(&cdb, "F1", "TB", ADDR1, T0 + 40 * DAY, err, sizeof(err)),
	    0);
	assert_string_equal(kept("F1"), "");
}

/* The erased text is gone from the database file, not left in a free
 * block of its page, once the WAL is checkpointed: buyeraddr_expire turns
 * secure_delete on for itself (Debian's SQLite has it on by default, so
 * the connection's is turned off here first) and gives it back as it was. */
static void
the_erased_text_leaves_the_file(void **state)
{
	char path[128], *data;
	size_t n;
	FILE *f;

	(void)state;
	to_cases();
	dismiss_both(T0 + DAY, T0 + DAY);
	fixture_exec(cdb.db, "PRAGMA wal_checkpoint(TRUNCATE)");
	fixture_exec(cdb.db, "PRAGMA secure_delete = 0");
	assert_int_equal(expire(T0 + (1 + KEEP) * DAY), 2);
	fixture_exec(cdb.db, "PRAGMA wal_checkpoint(TRUNCATE)");
	assert_int_equal(store_query_int(cdb.db, "PRAGMA secure_delete", -1), 0); /* as it was */
	snprintf(path, sizeof(path), "%s/county.db", dir);
	data = malloc(16 << 20);
	assert_non_null(data);
	assert_non_null(f = fopen(path, "rb"));
	n = fread(data, 1, 16 << 20, f);
	fclose(f);
	assert_true(n > 0);
	assert_null(memmem(data, n, ADDR1, strlen(ADDR1)));
	assert_null(memmem(data, n, ADDR2, strlen(ADDR2)));
	free(data);
}

/* A keep time below a day is refused, and nothing is erased. */
static void
a_keep_time_below_a_day_is_refused(void **state)
{
	char err[256];
	int n = -1;

	(void)state;
	to_cases();
	assert_int_equal(buyeraddr_expire(&cdb, 0, T0 + 3650 * DAY, &n, err, sizeof(err)), -1);
	assert_int_equal(n, 0);
	assert_string_equal(kept("F2"), ADDR2);
}

/* Case id moved to township by the county, as gaswatch reassign and the console do. */
static void
reassign(int64_t id, const char *township)
{
	struct case_request r;
	char err[256];

	memset(&r, 0, sizeof(r));
	r.id = id;
	casemsg_set(&r, CASEMSG_ID);
	str_copy(r.township, township, sizeof(r.township));
	casemsg_set(&r, CASEMSG_TOWNSHIP);
	str_copy(r.note, "the household is visited from there", sizeof(r.note));
	casemsg_set(&r, CASEMSG_NOTE_F);
	assert_int_equal(
	    cases_reassign(&cdb, &cat, "regulator:county", &r, T0 + DAY, err, sizeof(err)),
	    CASES_DONE);
}

/* casedetail_get's result for identity on case id in scope (the answer is not kept). */
static enum cases_result
detail_result(const char *identity, const struct access_scope *scope, int64_t id)
{
	struct access_identity who;
	enum cases_result res;
	uint8_t *out = NULL;
	size_t len = 0;
	char err[256];

	assert_int_equal(access_identity_parse((const uint8_t *)identity, strlen(identity), &who),
	    0);
	res = casedetail_get(&cdb, scope, &who, id, T0 + 200 * DAY, &out, &len, err, sizeof(err));
	free(out);
	return res;
}

/* The address case id's answer gives identity in scope ("" for none). */
static const char *
address_on(const char *identity, const struct access_scope *scope, int64_t id)
{
	static char text[128];
	cbor_item_t *root = detail(identity, scope, id);

	cborread_text(cborread_find(root, "buyer"), "address", text, sizeof(text));
	cbor_decref(&root);
	return text;
}

/* What buyeraddr_show gives identity for fill on case id, whatever the caller's scope ("" for
 * nothing). */
static const char *
shown_of(const char *identity, int64_t id, const char *fill)
{
	static char text[128];
	struct access_identity who;
	char err[256];
	int erased = -1;

	assert_int_equal(access_identity_parse((const uint8_t *)identity, strlen(identity), &who),
	    0);
	assert_int_equal(buyeraddr_show(&cdb, &who, id, fill, T0 + 200 * DAY, text, sizeof(text),
	                     &erased, err, sizeof(err)),
	    0);
	assert_int_equal(erased, 0);
	return text;
}

static const char *
shown_to(const char *identity, int64_t id)
{
	return shown_of(identity, id, "F1");
}

/* Every showing logged, as "identity@case;" in log order. */
static const char *
view_log(void)
{
	static char text[512];
	char err[256];
	sqlite3_stmt *st;
	size_t used = 0;

	text[0] = '\0';
	assert_int_equal(store_prepare(cdb.db,
	                     "SELECT identity, case_id FROM buyer_address_views ORDER BY id", &st,
	                     err, sizeof(err)),
	    0);
	while (sqlite3_step(st) == SQLITE_ROW && used < sizeof(text))
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s@%lld;",
		    (const char *)sqlite3_column_text(st, 0),
		    (long long)sqlite3_column_int64(st, 1));
	sqlite3_finalize(st);
	return text;
}

/* Case 1 (F1's R11, the buyer's township TB) reassigned to TC: TC's officer, who now visits
 * the household, gets the address on it, and the showing is logged under their name; TB's
 * officer no longer gets it (the case is out of their scope, and buyeraddr_show itself gives
 * it to no one whose township the case is not in).  Still nothing for TC's shared key, a grid
 * worker of TC, a regulator, TA's officer; nor for TA's officer on case 2 (F1's R05, TA's own
 * case, which shows the same fill: the address was not kept for TA's case). */
static void
a_reassigned_case_shows_the_address_to_its_new_township_only(void **state)
{
	const struct access_scope ta = { .reach = ACCESS_REACH_OWN, .township = "TA" };
	const struct access_scope tb = { .reach = ACCESS_REACH_OWN, .township = "TB" };
	const struct access_scope tc = { .reach = ACCESS_REACH_OWN, .township = "TC" };
	const struct access_scope dan = { .reach = ACCESS_REACH_OWN, .person = "grid:dan@TC" };
	const struct access_scope all = { .reach = ACCESS_REACH_ALL };
	cbor_item_t *root;
	char text[64];

	(void)state;
	to_cases();
	assert_string_equal(address_on("officer:li@TB", &tb, 1), ADDR1); /* before: TB's */
	/* F2's address, kept for TB too, is not the one case 1 shows: not on it */
	assert_string_equal(shown_of("officer:li@TB", 1, "F2"), "");
	reassign(1, "TC");
	assert_string_equal(view_log(), "officer:li@TB@1;");

	assert_string_equal(address_on("officer:zhao@TC", &tc, 1), ADDR1);
	assert_string_equal(view_log(), "officer:li@TB@1;officer:zhao@TC@1;");

	assert_int_equal(detail_result("officer:li@TB", &tb, 1), CASES_OUT_OF_SCOPE);
	assert_string_equal(shown_to("officer:li@TB", 1), "");
	assert_string_equal(address_on("township:TC", &tc, 1), "");
	assert_int_equal(detail_result("grid:dan@TC", &dan, 1), CASES_OUT_OF_SCOPE);
	assert_string_equal(shown_to("grid:dan@TC", 1), "");
	assert_string_equal(shown_to("officer:wu@TA", 1), "");
	assert_string_equal(address_on("officer:wu@TA", &ta, 2), "");
	root = detail("regulator:county", &all, 1);
	assert_null(cborread_find(cborread_find(root, "buyer"), "address"));
	assert_int_equal(cbor_array_size(cborread_find(root, "address_views")), 2);
	cbor_decref(&root);
	assert_string_equal(view_log(), "officer:li@TB@1;officer:zhao@TC@1;");

	/* the case follows the county's decisions: back to TB, TB's officer gets it again */
	reassign(1, "TB");
	assert_string_equal(shown_to("officer:zhao@TC", 1), "");
	assert_string_equal(address_on("officer:li@TB", &tb, 1), ADDR1);
	assert_string_equal(view_log(), "officer:li@TB@1;officer:zhao@TC@1;officer:li@TB@1;");

	/* a case not kept for the household (F1's R05, TA's) moved to the buyer's township does
	 * not bring the address with it: that team visits the station, not the household */
	reassign(2, "TB");
	root = detail("officer:li@TB", &tb, 2);
	cborread_text(cborread_find(root, "fill"), "uuid", text, sizeof(text));
	assert_string_equal(text, "F1");
	assert_null(cborread_find(cborread_find(root, "buyer"), "address"));
	cbor_decref(&root);
	assert_string_equal(view_log(), "officer:li@TB@1;officer:zhao@TC@1;officer:li@TB@1;");
}

/* The case's township that decides is the one it has when the showing is logged, not the one
 * the answer's snapshot read: TB's officer, reading case 1 while it is moved to TC, gets the
 * case as it was (TB's) but not the address, and nothing is logged; TC's officer gets it. */
static void
a_case_moved_while_it_is_read_does_not_show_the_address_to_the_old_township(void **state)
{
	const struct access_scope tb = { .reach = ACCESS_REACH_OWN, .township = "TB" };
	const struct access_scope tc = { .reach = ACCESS_REACH_OWN, .township = "TC" };
	cbor_item_t *root;
	char text[64];

	/* the case moved from TB to TC by another connection (gasweb's reassign form, say) while
	 * casedetail_get reads case 1 in its snapshot (when it first prepares a read of the case's
	 * steps, after the case's row) */
	struct countydb_meanwhile moved = { .dir = dir,
		.table = "case_steps",
		.sql =
		    "BEGIN IMMEDIATE; UPDATE cases SET township = 'TC', state = 'new', officer = ''"
		    " WHERE id = 1; INSERT INTO case_steps (case_id, at_ms, identity, action, note,"
		    " state) VALUES (1, 1800000060000, 'regulator:county', 'reassign', 'TB -> TC: x',"
		    " 'new'); COMMIT" };

	(void)state;
	to_cases();
	sqlite3_set_authorizer(cdb.db, countydb_meanwhile_commit, &moved);
	root = detail("officer:li@TB", &tb, 1);
	sqlite3_set_authorizer(cdb.db, NULL, NULL);
	assert_int_equal(moved.fired, 1);
	cborread_text(cborread_find(root, "case"), "township", text, sizeof(text));
	assert_string_equal(text, "TB"); /* the snapshot's */
	assert_null(cborread_find(cborread_find(root, "buyer"), "address"));
	cbor_decref(&root);
	assert_int_equal(views(), 0);
	assert_string_equal(address_on("officer:zhao@TC", &tc, 1), ADDR1);
	assert_string_equal(view_log(), "officer:zhao@TC@1;");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(kept_while_a_case_that_shows_it_is_open, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(kept_until_keep_days_after_the_last_close, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(not_kept_by_the_station_townships_case_on_the_fill,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    the_station_townships_case_in_the_buyers_township_neither_shows_nor_keeps_it,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(an_alert_not_yet_in_a_case_keeps_it, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_case_opened_again_counts_as_open, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(the_erasure_changes_nothing_else, setup, teardown),
		cmocka_unit_test_setup_teardown(the_case_says_the_address_was_erased, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(the_erased_text_leaves_the_file, setup, teardown),
		cmocka_unit_test_setup_teardown(a_keep_time_below_a_day_is_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    a_reassigned_case_shows_the_address_to_its_new_township_only, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_case_moved_while_it_is_read_does_not_show_the_address_to_the_old_township,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
