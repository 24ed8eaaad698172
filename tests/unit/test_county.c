/*
 * county storage (tools/county/db.c): a batch stored twice changes
 * nothing; the high-water mark stops at a gap and moves over it once
 * filled; alerts are raised once and only for alert/critical violations; a
 * disposition belongs to the alert's township (as access scopes it);
 * look-ups say found / not found / error one way; every read of every
 * tenant's data leaves exactly one audit row, and none without an identity
 * to write it under; a buyer's address is kept only with an R11 fill; a
 * trace reads no whole table, so its cost does not grow with the county,
 * and reads no record for a fill that carries its record's time (012),
 * with the same answer as through the records; a refusal or an event that
 * came with a fill is in a trace once, where its fill puts it.
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

#include "cases.h"
#include "countydb_fixture.h"
#include "db.h"
#include "psk.h"
#include "history.h"
#include "log.h"
#include "store.h"
#include "util.h"

static struct county_config config = {
	.c01_minutes = 60,
	.c02_household_max = 3,
	.c02_business_max = 60,
	.c02_days = 30,
	.c03_silent_s = 900,
	.c04_gap_s = 86400,
	.c14_clock_skew_s = 600,
	.check_s = 30,
	.heartbeat_keep_days = 30,
	.max_trace = 2000,
};

static char dir[64];
static struct county_db cdb;

static int
setup(void **state)
{
	(void)state;
	return countydb_setup(dir, sizeof(dir), "test_county", &config, &cdb);
}

static int
teardown(void **state)
{
	(void)state;
	return countydb_teardown(dir, &cdb);
}

/* A case with a floor of 10 s on heartbeats (county_heartbeat_due), and
 * its tear-down: the others have none, as a config made in code. */
static int
floor_setup(void **state)
{
	(void)state;
	config.heartbeat_min_s = 10;
	return 0;
}

static int
floor_teardown(void **state)
{
	(void)state;
	config.heartbeat_min_s = 0;
	config.c03_silent_s = 900;
	return 0;
}

/* A batch of fills seq first..last of station st; every 2nd has a violation
 * of severity sev routed to township TA. */
static void
batch_of(struct wire_batch *b, int64_t first, int64_t last, const char *cyl_prefix, const char *sev)
{
	int64_t i;
	struct wire_record *r;

	memset(b, 0, sizeof(*b));
	str_copy(b->township, "TA", sizeof(b->township));
	b->count = (size_t)(last - first + 1);
	b->records = calloc(b->count, sizeof(*b->records));
	for (i = first; i <= last; i++) {
		r = &b->records[i - first];
		r->seq = i;
		{
			char id[64];

			snprintf(id, sizeof(id), "%08llx-%04x-4000-8000-000000000000", (long long)i,
			    (unsigned)cyl_prefix[0]);
			str_copy(r->uuid, id, sizeof(r->uuid));
		}
		str_copy(r->kind, "fill", sizeof(r->kind));
		r->created_ms = 1795700000000 + i;
		r->has_fill = 1;
		r->fill.line = 1;
		snprintf(r->fill.cylinder, sizeof(r->fill.cylinder), "%s%lld", cyl_prefix,
		    (long long)i);
		r->fill.started_ms = r->created_ms;
		r->fill.net_kg = 14.9;
		str_copy(r->fill.result, "ok", sizeof(r->fill.result));
		if (i % 2 == 0) {
			r->violation_count = 1;
			r->violations = calloc(1, sizeof(*r->violations));
			snprintf(r->violations[0].uuid, sizeof(r->violations[0].uuid),
			    "%08llx-%04x-4000-9000-000000000000", (long long)i,
			    (unsigned)cyl_prefix[0]);
			/* the county's table decides the severity: R05 alerts, R21 flags */
			str_copy(r->violations[0].rule, strcmp(sev, "flag") == 0 ? "R21" : "R05",
			    sizeof(r->violations[0].rule));
			str_copy(r->violations[0].severity, sev, sizeof(r->violations[0].severity));
			str_copy(r->violations[0].township, "TA",
			    sizeof(r->violations[0].township));
			r->violations[0].at_ms = r->created_ms;
		}
	}
}

/* The buyer's address a station sends is kept (buyer_addresses) only with
 * a violation the county routes to the buyer (R11), for the buyer's
 * township, and only as UTF-8 text without control characters, holding
 * nothing that looks like a person's number. */
static void
a_buyer_address_is_kept_with_r11_only(void **state)
{
	static const char *const rules[] = { "R11", "R05", "", "R11", "R11" };
	static const char *const addrs[] = { "南村12号", "南村12号", "南村12号", "南村\x1b[31m12号",
		"南村12号 110105194912310037" };
	struct wire_batch b;
	struct wire_ack ack;
	struct wire_record *r;
	char err[256];
	int alerts;
	size_t i;

	(void)state;
	memset(&b, 0, sizeof(b));
	str_copy(b.township, "TA", sizeof(b.township));
	b.count = 5;
	b.records = calloc(b.count, sizeof(*b.records));
	for (i = 0; i < b.count; i++) {
		r = &b.records[i];
		r->seq = (int64_t)i + 1;
		snprintf(r->uuid, sizeof(r->uuid), "%08llx-0000-4000-a000-000000000000",
		    (long long)i + 1);
		str_copy(r->kind, "fill", sizeof(r->kind));
		r->created_ms = 1795700000000 + (int64_t)i;
		r->has_fill = 1;
		r->fill.line = 1;
		str_copy(r->fill.cylinder, "BA1", sizeof(r->fill.cylinder));
		memset(r->fill.buyer, 'b', 64);
		str_copy(r->fill.buyer_masked, "330***********1234", sizeof(r->fill.buyer_masked));
		str_copy(r->fill.buyer_township, "TB", sizeof(r->fill.buyer_township));
		str_copy(r->fill.buyer_kind, "household", sizeof(r->fill.buyer_kind));
		str_copy(r->fill.buyer_address, addrs[i], sizeof(r->fill.buyer_address));
		r->fill.started_ms = r->created_ms;
		str_copy(r->fill.result, "ok", sizeof(r->fill.result));
		if (rules[i][0] != '\0') {
			r->violation_count = 1;
			r->violations = calloc(1, sizeof(*r->violations));
			snprintf(r->violations[0].uuid, sizeof(r->violations[0].uuid),
			    "%08llx-0000-4000-b000-000000000000", (long long)i + 1);
			str_copy(r->violations[0].rule, rules[i], sizeof(r->violations[0].rule));
			str_copy(r->violations[0].severity, "alert",
			    sizeof(r->violations[0].severity));
			r->violations[0].at_ms = r->created_ms;
		}
	}
	assert_int_equal(county_ingest(&cdb, "S77", "test", &b, &ack, &alerts, err, sizeof(err)),
	    0);
	assert_int_equal(ack.stored, 5);
	assert_int_equal(store_query_int(cdb.db, "SELECT count(*) FROM buyer_addresses", -1), 1);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM buyer_addresses WHERE fill ="
	                     " '00000001-0000-4000-a000-000000000000' AND township = 'TB'"
	                     " AND address = '南村12号'",
	                     -1),
	    1);
	wire_batch_free(&b);
}

static void
a_batch_stored_twice_changes_nothing(void **state)
{
	struct wire_batch b;
	struct wire_ack ack;
	char err[256];
	int alerts;

	(void)state;
	batch_of(&b, 1, 10, "A", "alert");
	assert_int_equal(county_ingest(&cdb, "S01", "test", &b, &ack, &alerts, err, sizeof(err)),
	    0);
	assert_int_equal(ack.hwm, 10);
	assert_int_equal(ack.stored, 10);
	assert_int_equal(alerts, 5);
	assert_int_equal(county_ingest(&cdb, "S01", "test", &b, &ack, &alerts, err, sizeof(err)),
	    0);
	assert_int_equal(ack.hwm, 10);
	assert_int_equal(ack.stored, 0);
	assert_int_equal(ack.duplicates, 10);
	assert_int_equal(alerts, 0);
	assert_int_equal(store_query_int(cdb.db, "SELECT count(*) FROM records", -1), 10);
	assert_int_equal(store_query_int(cdb.db, "SELECT count(*) FROM alerts", -1), 5);
	wire_batch_free(&b);
}

/*
 * records_day_max (quota.h): a station's new records in 24 hours are
 * counted; the batch that passes the bound is stored and raises one C16 to
 * the county's queue; after it every batch is refused whole (COUNTY_BUSY,
 * nothing stored, the time named) until the window ends.  A resend stores
 * nothing and counts nothing; each station has its own window.
 */
static void
a_station_beyond_its_daily_bound_is_busy_until_the_day_ends(void **state)
{
	struct wire_batch b;
	struct wire_ack ack;
	char err[256];
	int alerts;

	(void)state;
	config.records_day_max = 5;
	batch_of(&b, 1, 3, "Q", "flag");
	assert_int_equal(county_ingest(&cdb, "Q1", "test", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	assert_int_equal(ack.stored, 3);
	/* the same batch again: nothing new, nothing counted */
	assert_int_equal(county_ingest(&cdb, "Q1", "test", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	assert_int_equal(ack.duplicates, 3);
	assert_int_equal(
	    store_query_int(cdb.db, "SELECT stored FROM ingest_quota WHERE source = 'Q1'", -1), 3);
	wire_batch_free(&b);
	/* 3 more: 6 passes 5, stored all the same, one C16 */
	batch_of(&b, 4, 6, "Q", "flag");
	assert_int_equal(county_ingest(&cdb, "Q1", "test", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	assert_int_equal(ack.stored, 3);
	assert_int_equal(ack.hwm, 6);
	assert_int_equal(
	    store_query_int(cdb.db,
	        "SELECT count(*) FROM alerts WHERE rule = 'C16' AND township = 'county'"
	        " AND station = 'Q1' AND text LIKE 'Q1 sent 6 new records in 24 hours,"
	        " beyond the county''s bound of 5: %'",
	        -1),
	    1);
	wire_batch_free(&b);
	/* beyond it: refused whole, nothing stored, the time named */
	batch_of(&b, 7, 8, "Q", "flag");
	assert_int_equal(county_ingest(&cdb, "Q1", "test", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_BUSY);
	assert_non_null(strstr(err, "over the county's bound of 5 new records in 24 h, until 20"));
	assert_int_equal(ack.hwm, 0);
	assert_int_equal(alerts, 0);
	assert_int_equal(
	    store_query_int(cdb.db, "SELECT count(*) FROM alerts WHERE rule = 'C16'", -1), 1);
	assert_int_equal(
	    store_query_int(cdb.db, "SELECT count(*) FROM records WHERE station = 'Q1'", -1), 6);
	/* another station has its own window */
	{
		struct wire_batch other;

		batch_of(&other, 1, 2, "q", "flag");
		assert_int_equal(
		    county_ingest(&cdb, "Q2", "test", &other, &ack, &alerts, err, sizeof(err)),
		    COUNTY_DONE);
		assert_int_equal(ack.stored, 2);
		wire_batch_free(&other);
	}
	/* the window over, Q1 is taken again, in a new window, with no C16 yet */
	assert_int_equal(store_exec(cdb.db,
	                     "UPDATE ingest_quota SET since_ms = since_ms - 86400000"
	                     " WHERE source = 'Q1'",
	                     err, sizeof(err)),
	    0);
	assert_int_equal(county_ingest(&cdb, "Q1", "test", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	assert_int_equal(ack.hwm, 8);
	assert_int_equal(
	    store_query_int(cdb.db, "SELECT stored FROM ingest_quota WHERE source = 'Q1'", -1), 2);
	assert_int_equal(
	    store_query_int(cdb.db, "SELECT alerted FROM ingest_quota WHERE source = 'Q1'", -1), 0);
	assert_int_equal(
	    store_query_int(cdb.db, "SELECT count(*) FROM alerts WHERE rule = 'C16'", -1), 1);
	wire_batch_free(&b);
	config.records_day_max = 0;
}

static void
the_mark_stops_at_a_gap_and_moves_once_it_is_filled(void **state)
{
	struct wire_batch b;
	struct wire_ack ack;
	char err[256];
	int alerts;

	(void)state;
	batch_of(&b, 14, 15, "B", "flag"); /* 11..13 missing */
	assert_int_equal(county_ingest(&cdb, "S01", "test", &b, &ack, &alerts, err, sizeof(err)),
	    0);
	assert_int_equal(ack.hwm, 10);
	/* and how many it holds: 1..10 and the two above the mark (review
	 * rev96: what tells the station the county lost some there) */
	assert_int_equal(ack.held, 12);
	assert_int_equal(alerts, 0); /* flags are stored, not alerted */
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT gap_since_ms IS NOT NULL FROM stations WHERE id = 'S01'", -1),
	    1);
	wire_batch_free(&b);
	batch_of(&b, 11, 13, "C", "flag");
	assert_int_equal(county_ingest(&cdb, "S01", "test", &b, &ack, &alerts, err, sizeof(err)),
	    0);
	assert_int_equal(ack.hwm, 15);
	assert_int_equal(ack.held, 15);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT gap_since_ms IS NULL FROM stations WHERE id = 'S01'", -1),
	    1);
	wire_batch_free(&b);
}

static void
stations_are_kept_apart(void **state)
{
	struct wire_batch b;
	struct wire_ack ack;
	char err[256];
	int alerts;

	(void)state;
	batch_of(&b, 1, 3, "D", "flag");
	assert_int_equal(county_ingest(&cdb, "S02", "test", &b, &ack, &alerts, err, sizeof(err)),
	    0);
	assert_int_equal(ack.hwm, 3);
	assert_int_equal(store_query_int(cdb.db, "SELECT hwm FROM stations WHERE id = 'S01'", -1),
	    15);
	wire_batch_free(&b);
}

/* The scope access gives identity for action (it must be allowed). */
static void
scope_of(const char *identity, enum access_action action, struct access_scope *scope)
{
	struct access_identity who;

	assert_int_equal(access_identity_parse((const uint8_t *)identity, strlen(identity), &who),
	    0);
	assert_int_equal(access_decide(&who, action, scope), 1);
}

static void
a_disposition_belongs_to_the_alerts_township(void **state)
{
	struct wire_disposition d = { 1, "seized" };
	struct access_scope ta, tb, all = { .reach = ACCESS_REACH_ALL }, none;
	struct wire_alert_list l;
	char err[256];

	(void)state;
	scope_of("township:TA", ACCESS_ALERTS_DISPOSE, &ta);
	scope_of("township:TB", ACCESS_ALERTS_DISPOSE, &tb);
	memset(&none, 0, sizeof(none));
	assert_int_equal(county_dispose(&cdb, &tb, "township:TB", &d, err, sizeof(err)),
	    COUNTY_OUT_OF_SCOPE);
	assert_int_equal(county_dispose(&cdb, &none, "township:TA", &d, err, sizeof(err)),
	    COUNTY_OUT_OF_SCOPE);
	assert_int_equal(county_dispose(&cdb, NULL, "township:TA", &d, err, sizeof(err)),
	    COUNTY_OUT_OF_SCOPE);
	/* a note that is not text (it would fail the township's alert list as JSON, or be an
	 * escape sequence on a terminal) is refused, naming the field, even on its own alert */
	str_copy(d.note, "seized \xff", sizeof(d.note));
	assert_int_equal(county_dispose(&cdb, &ta, "township:TA", &d, err, sizeof(err)),
	    COUNTY_REFUSED);
	assert_non_null(strstr(err, "note"));
	str_copy(d.note, "seized \x1b[2J", sizeof(d.note));
	assert_int_equal(county_dispose(&cdb, &ta, "township:TA", &d, err, sizeof(err)),
	    COUNTY_REFUSED);
	/* nor a buyer's number typed into it (red team, wave 9): stored and shown as it is */
	str_copy(d.note, "seized from 11010519491231002X", sizeof(d.note));
	assert_int_equal(county_dispose(&cdb, &ta, "township:TA", &d, err, sizeof(err)),
	    COUNTY_REFUSED);
	assert_non_null(strstr(err, "note"));
	assert_null(strstr(err, "1101051949"));
	assert_int_equal(store_query_int(cdb.db, "SELECT count(*) FROM dispositions", -1), 0);
	str_copy(d.note, "seized", sizeof(d.note));
	assert_int_equal(county_dispose(&cdb, &ta, "township:TA", &d, err, sizeof(err)),
	    COUNTY_DONE);
	d.id = 9999;
	assert_int_equal(county_dispose(&cdb, &ta, "township:TA", &d, err, sizeof(err)),
	    COUNTY_NOT_FOUND);
	assert_int_equal(county_alerts(&cdb, "TA", 0, 100, &l, err, sizeof(err)), 0);
	assert_int_equal(l.count, 5);
	assert_string_equal(l.alerts[0].disposition, "seized");
	assert_string_equal(l.alerts[0].disposed_by, "township:TA");
	assert_int_equal(l.last, l.alerts[4].id);
	wire_alerts_free(&l);
	assert_int_equal(county_alerts(&cdb, "TB", 0, 100, &l, err, sizeof(err)), 0);
	assert_int_equal(l.count, 0);
	wire_alerts_free(&l);
	/* a county-wide scope reaches every township's alert */
	d.id = 1;
	assert_int_equal(county_dispose(&cdb, &all, "regulator:alice", &d, err, sizeof(err)),
	    COUNTY_DONE);
	assert_int_equal(store_query_int(cdb.db, "SELECT count(*) FROM dispositions", -1), 2);
}

/* Look-ups: 1 found, 0 not found (out empty), the same for each. */
static void
lookups_say_found_or_not_found_one_way(void **state)
{
	static const uint8_t curve[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct wire_batch b;
	struct wire_ack ack;
	struct wire_curve c;
	int64_t hwm = -1;
	char err[256];
	int alerts;

	(void)state;
	assert_int_equal(county_hwm(&cdb, "S01", &hwm, err, sizeof(err)), 1);
	assert_int_equal(hwm, 15);
	assert_int_equal(county_hwm(&cdb, "S99", &hwm, err, sizeof(err)), 0);
	assert_int_equal(hwm, 0);
	assert_int_equal(county_held(&cdb, "S01", 15, &hwm, err, sizeof(err)), 0);
	assert_int_equal(hwm, 15);
	assert_int_equal(county_held(&cdb, "S01", 12, &hwm, err, sizeof(err)), 0);
	assert_int_equal(hwm, 15);
	assert_int_equal(county_held(&cdb, "S99", 0, &hwm, err, sizeof(err)), 0);
	assert_int_equal(hwm, 0);
	/* a station's life events count as held too (life_events, as the mark) */
	assert_int_equal(store_exec(cdb.db,
	                     "INSERT INTO life_events (source, seq, uuid, event, serial, at_ms,"
	                     " rule_ms, stored_ms) VALUES ('S-HELD', 3, 'held-3', 'returned',"
	                     " 'HELD-1', 5, 5, 5), ('S-HELD', 7, 'held-7', 'returned', 'HELD-1',"
	                     " 6, 6, 6)",
	                     err, sizeof(err)),
	    0);
	assert_int_equal(county_held(&cdb, "S-HELD", 0, &hwm, err, sizeof(err)), 0);
	assert_int_equal(hwm, 2);
	assert_int_equal(county_held(&cdb, "S-HELD", 5, &hwm, err, sizeof(err)), 0);
	assert_int_equal(hwm, 6);

	batch_of(&b, 1, 1, "K", "flag");
	b.records[0].fill.curve = malloc(sizeof(curve));
	memcpy(b.records[0].fill.curve, curve, sizeof(curve));
	b.records[0].fill.curve_len = sizeof(curve);
	assert_int_equal(county_ingest(&cdb, "S03", "test", &b, &ack, &alerts, err, sizeof(err)),
	    0);
	assert_int_equal(
	    county_curve(&cdb, "regulator:alice", b.records[0].uuid, &c, err, sizeof(err)), 1);
	assert_int_equal(c.curve_len, sizeof(curve));
	assert_memory_equal(c.curve, curve, sizeof(curve));
	assert_string_equal(c.station, "S03");
	wire_curve_free(&c);
	assert_int_equal(
	    county_curve(&cdb, "regulator:alice", "no-such-fill", &c, err, sizeof(err)), 0);
	assert_null(c.curve);
	assert_int_equal(c.curve_len, 0);
	/* both looks are audited, found or not */
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) || sum(results) FROM audit WHERE query = 'curve'",
	                     -1),
	    21);
	wire_batch_free(&b);
}

static void
registry_versions_grow_with_changes_only(void **state)
{
	struct wire_registry r;
	char err[256];

	(void)state;
	assert_int_equal(
	    county_registry_set(&cdb, "X1", "scrapped", NULL, NULL, NULL, "t", err, sizeof(err)),
	    0);
	assert_int_equal(county_registry_set(&cdb, "X2", NULL, "2024-01-01", "2028-01-01", "GasCo",
	                     "t", err, sizeof(err)),
	    0);
	assert_int_equal(county_registry_since(&cdb, NULL, 0, 10, &r, err, sizeof(err)), 0);
	assert_int_equal(r.count, 2);
	assert_int_equal(r.version, 2);
	assert_string_equal(r.rows[0].status, "scrapped");
	assert_string_equal(r.rows[1].status, "active");
	wire_registry_free(&r);
	assert_int_equal(county_registry_since(&cdb, NULL, 2, 10, &r, err, sizeof(err)), 0);
	assert_int_equal(r.count, 0);
	assert_int_equal(r.version, 2);
	wire_registry_free(&r);
	/* paging: more is set when rows remain */
	assert_int_equal(county_registry_since(&cdb, NULL, 0, 1, &r, err, sizeof(err)), 0);
	assert_int_equal(r.count, 1);
	assert_int_equal(r.more, 1);
	assert_int_equal(r.version, 1);
	wire_registry_free(&r);
}

/* A registry CSV of cylinders H2 (active) and H3 (with status h3). */
static void
write_h2_h3(const char *path, const char *h3)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fprintf(fp,
	    "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n"
	    "H2,YSP35.5,2019-05,15.2,,GasCo,2023-01-10,active\n"
	    "H3,YSP35.5,2019-05,15.2,,GasCo,2023-01-10,%s\n",
	    h3);
	fclose(fp);
}

/* The rows an import told: "LINE: reason", or "not imported LINE: reason"
 * of one that failed; and how many while the database was in a transaction. */
struct told {
	char text[2048];
	int in_transaction;
};

static void
told_row(void *arg, const char *file, unsigned long line, const char *reason, int committed)
{
	struct told *t = arg;
	size_t used = strlen(t->text);

	(void)file;
	snprintf(t->text + used, sizeof(t->text) - used, "%s%lu: %s\n",
	    committed ? "" : "not imported ", line, reason);
	if (!sqlite3_get_autocommit(cdb.db))
		t->in_transaction++;
}

/* History, not overwrite: every change of status, inspection and owner is a
 * row with who made it; the registry row holds only the newest state. */
static void
registry_keeps_every_change_as_history(void **state)
{
	struct history_row h[8];
	char err[256], csv[160];
	struct county_import_result res;
	struct told told = { .text = "" };
	const struct county_import_io io = { NULL, told_row, &told };
	FILE *fp;
	size_t n;

	(void)state;
	assert_int_equal(county_registry_set(&cdb, "H1", NULL, "2020-03-01", "2024-03-01",
	                     "龙游县燃气有限公司", "zhang", err, sizeof(err)),
	    0);
	assert_int_equal(county_registry_set(&cdb, "H1", NULL, "2024-02-20", "2028-02-20", NULL,
	                     "li", err, sizeof(err)),
	    0);
	assert_int_equal(county_registry_set(&cdb, "H1", NULL, NULL, NULL, "衢州液化气公司", "li",
	                     err, sizeof(err)),
	    0);
	assert_int_equal(
	    county_registry_set(&cdb, "H1", "scrapped", NULL, NULL, NULL, "wang", err, sizeof(err)),
	    0);
	assert_int_equal(history_list(cdb.db, "H1", h, 8, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 4);
	/* the first inspection is still there after the second */
	assert_string_equal(h[0].last_inspection, "2020-03-01");
	assert_string_equal(h[0].actor, "zhang");
	assert_string_equal(h[0].source, "set");
	assert_string_equal(h[1].last_inspection, "2024-02-20");
	assert_string_equal(h[1].next_inspection, "2028-02-20");
	assert_string_equal(h[1].owner, "龙游县燃气有限公司");
	assert_string_equal(h[2].owner, "衢州液化气公司");
	assert_string_equal(h[3].status, "scrapped");
	assert_string_equal(h[3].actor, "wang");
	assert_true(h[0].version < h[1].version && h[2].version < h[3].version);

	/* an import adds a row only for a cylinder it changes, naming FILE:LINE */
	snprintf(csv, sizeof(csv), "%s/reg.csv", dir);
	write_h2_h3(csv, "active");
	assert_int_equal(county_registry_import(&cdb, csv, 4, "zhao", NULL, &res, err, sizeof(err)),
	    0);
	assert_int_equal(county_registry_import(&cdb, csv, 4, "zhao", NULL, &res, err, sizeof(err)),
	    0);
	assert_int_equal(res.changed, 0);
	write_h2_h3(csv, "retired");
	assert_int_equal(county_registry_import(&cdb, csv, 4, "zhao", NULL, &res, err, sizeof(err)),
	    0);
	assert_int_equal(res.changed, 1);
	assert_int_equal(history_list(cdb.db, "H2", h, 8, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(history_list(cdb.db, "H3", h, 8, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(h[0].status, "active");
	assert_string_equal(h[0].next_inspection, "2027-01-10");
	assert_string_equal(h[1].status, "retired");
	assert_string_equal(h[1].source, "import");
	assert_string_equal(h[1].actor, "zhao");
	assert_non_null(strstr(h[1].detail, "reg.csv:3"));

	/* a scrapped cylinder stays scrapped whatever a file says; the rest of its row is taken,
	 * and registry set brings it back */
	assert_int_equal(
	    county_registry_set(&cdb, "H3", "scrapped", NULL, NULL, NULL, "wang", err, sizeof(err)),
	    0);
	write_h2_h3(csv, "active");
	assert_int_equal(county_registry_import(&cdb, csv, 4, "zhao", NULL, &res, err, sizeof(err)),
	    0);
	assert_int_equal(res.kept_scrapped, 1);
	assert_int_equal(res.rejected, 0);
	assert_int_equal(history_list(cdb.db, "H3", h, 8, &n, err, sizeof(err)), 0);
	assert_string_equal(h[n - 1].status, "scrapped");
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM registry WHERE serial = 'H3'"
	                     " AND status = 'scrapped'",
	                     -1),
	    1);

	/* the rows are told once the import is over: of one that failed (a later row
	 * the database refuses), no row kept scrapped, only the rows to fix, marked */
	assert_int_equal(store_exec(cdb.db,
	                     "CREATE TEMP TRIGGER boom BEFORE INSERT ON registry WHEN"
	                     " NEW.serial = 'H9' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
	                     err, sizeof(err)),
	    0);
	fp = fopen(csv, "w");
	assert_non_null(fp);
	fputs("serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n"
	      "H3,YSP35.5,2019-05,15.2,,New Co,2023-01-10,active\n"
	      "H4,YSP50,2019-05,15.2,,New Co,2023-01-10,active\n"
	      "H9,YSP35.5,2019-05,15.2,,New Co,2023-01-10,active\n",
	    fp);
	fclose(fp);
	assert_int_equal(county_registry_import(&cdb, csv, 4, "zhao", &io, &res, err, sizeof(err)),
	    -1);
	assert_string_equal(told.text,
	    "not imported 3: model 'YSP50' is not one of YSP4.7, YSP12, YSP26.2, YSP35.5, "
	    "YSP118\n");
	assert_int_equal(told.in_transaction, 0);
	assert_int_equal(
	    store_query_int(cdb.db, "SELECT count(*) FROM registry WHERE owner = 'New Co'", -1), 0);
	assert_int_equal(store_exec(cdb.db, "DROP TRIGGER boom", err, sizeof(err)), 0);
	told.text[0] = '\0';
	assert_int_equal(county_registry_import(&cdb, csv, 4, "zhao", &io, &res, err, sizeof(err)),
	    0);
	assert_int_equal(res.kept_scrapped, 1);
	assert_non_null(strstr(told.text, "2: H3 is scrapped in the registry and stays so"));
	assert_non_null(strstr(told.text, "\n3: model 'YSP50'"));
	assert_int_equal(told.in_transaction, 0);

	assert_int_equal(
	    county_registry_set(&cdb, "H3", "active", NULL, NULL, NULL, "wang", err, sizeof(err)),
	    0);
	assert_int_equal(
	    store_query_int(cdb.db,
	        "SELECT count(*) FROM registry WHERE serial = 'H3' AND status = 'active'", -1),
	    1);
}

static void
a_trace_is_audited(void **state)
{
	struct wire_trace t;
	char err[256];

	(void)state;
	assert_int_equal(county_trace(&cdb, "regulator:alice", "cylinder", "A2", 0, INT64_MAX, NULL,
	                     &t, err, sizeof(err)),
	    0);
	assert_int_equal(t.count, 1);
	assert_int_equal(t.records[0].violation_count, 1);
	assert_string_equal(t.records[0].violations[0].rule, "R05");
	wire_trace_free(&t);
	assert_int_equal(
	    store_query_int(cdb.db,
	        "SELECT count(*) FROM audit WHERE identity = 'regulator:alice' AND key = 'A2'"
	        " AND results = 1",
	        -1),
	    1);
}

/* One record of a trace test: a fill of cylinder cyl, or a refusal whose
 * violation names cyl, at time t. */
static void
trace_record(struct wire_record *r, int64_t seq, const char *uuid, int fill, int64_t t,
    const char *cyl)
{
	memset(r, 0, sizeof(*r));
	r->seq = seq;
	str_copy(r->uuid, uuid, sizeof(r->uuid));
	str_copy(r->kind, fill ? "fill" : "refusal", sizeof(r->kind));
	/* a fill's time is its start, not when its record was made */
	r->created_ms = fill ? t + 90000 : t;
	if (fill) {
		r->has_fill = 1;
		r->fill.line = 1;
		str_copy(r->fill.cylinder, cyl, sizeof(r->fill.cylinder));
		r->fill.started_ms = t;
		r->fill.net_kg = 14.841;
		str_copy(r->fill.result, "ok", sizeof(r->fill.result));
	}
	if (!fill || seq % 3 == 0) {
		r->violation_count = 2;
		r->violations = calloc(2, sizeof(*r->violations));
		for (int i = 0; i < 2; i++) {
			/* the record's uuid with its second group made the violation's own */
			str_copy(r->violations[i].uuid, uuid, sizeof(r->violations[i].uuid));
			r->violations[i].uuid[9] = (char)('a' + i);
			str_copy(r->violations[i].rule, i == 0 ? "R05" : "R06",
			    sizeof(r->violations[i].rule));
			str_copy(r->violations[i].severity, "refuse",
			    sizeof(r->violations[i].severity));
			str_copy(r->violations[i].cylinder, cyl, sizeof(r->violations[i].cylinder));
			r->violations[i].at_ms = t;
		}
	}
}

/*
 * A station's records, stored in an order that is neither their time nor
 * their uuid's, fills and refusals mixed, two of them at the same instant:
 * walked page by page (max_trace 3) they come in time order, then station,
 * then seq, each exactly once; every page but the last says there is more
 * and names its cursor; every page is in the audit log with its cursor.
 */
static void
a_trace_comes_in_pages_in_time_order(void **state)
{
	/* seq, uuid (random order), fill?, time */
	static const struct {
		int64_t seq;
		const char *uuid;
		int fill;
		int64_t t;
	} rows[] = {
		{ 1, "f0000000-0000-4000-8000-000000000001", 1, 5000 },
		{ 2, "10000000-0000-4000-8000-000000000002", 0, 1000 },
		{ 3, "a0000000-0000-4000-8000-000000000003", 1, 9000 },
		{ 4, "30000000-0000-4000-8000-000000000004", 1, 3000 },
		{ 5, "e0000000-0000-4000-8000-000000000005", 0, 3000 }, /* same instant as seq 4 */
		{ 6, "00000000-0000-4000-8000-000000000006", 1, 7000 },
		{ 7, "c0000000-0000-4000-8000-000000000007", 0, 2000 },
		{ 8, "50000000-0000-4000-8000-000000000008", 1, 8000 },
	};
	/* the order a regulator must see: by time, then seq */
	static const int64_t expected[] = { 2, 7, 4, 5, 1, 6, 8, 3 };
	const size_t n = sizeof(rows) / sizeof(rows[0]);
	struct wire_batch b;
	struct wire_ack ack;
	struct wire_trace t;
	struct wire_cursor cursor, *after = NULL;
	char err[256];
	size_t seen = 0, pages = 0, i;
	int alerts;

	(void)state;
	memset(&b, 0, sizeof(b));
	str_copy(b.township, "TA", sizeof(b.township));
	b.count = n;
	b.records = calloc(n, sizeof(*b.records));
	for (i = 0; i < n; i++)
		trace_record(&b.records[i], rows[i].seq, rows[i].uuid, rows[i].fill,
		    1796000000000 + rows[i].t, "PAGE-1");
	/* a cylinder the county registry knows (no C05 among its violations) */
	assert_int_equal(
	    county_registry_set(&cdb, "PAGE-1", "active", NULL, NULL, NULL, "t", err, sizeof(err)),
	    0);
	assert_int_equal(county_ingest(&cdb, "P1", "test", &b, &ack, &alerts, err, sizeof(err)), 0);
	wire_batch_free(&b);

	config.max_trace = 3;
	for (const char *query = "station"; query != NULL;
	     query = strcmp(query, "station") == 0 ? "cylinder" : NULL) {
		const char *key = strcmp(query, "station") == 0 ? "P1" : "PAGE-1";

		seen = pages = 0;
		after = NULL;
		do {
			if (county_trace(&cdb, "regulator:bob", query, key, 0, INT64_MAX, after, &t,
			        err, sizeof(err)) == -1)
				fail_msg("%s trace page %zu: %s", query, pages, err);
			pages++;
			for (i = 0; i < t.count; i++, seen++) {
				if (seen >= n || t.records[i].seq != expected[seen])
					fail_msg("%s: record %zu is seq %lld, expected %lld", query,
					    seen, (long long)t.records[i].seq,
					    seen < n ? (long long)expected[seen] : -1LL);
				/* both violations of a record travel with it */
				if (!t.records[i].has_fill || t.records[i].seq % 3 == 0)
					assert_int_equal(t.records[i].violation_count, 2);
			}
			if (seen < n && (!t.more || t.count != 3))
				fail_msg("%s: page %zu of 3 records says no more after %zu of %zu",
				    query, pages, seen, n);
			if (t.more)
				assert_int_equal(wire_cursor_parse(t.next, &cursor), 0);
			else
				assert_string_equal(t.next, "");
			after = t.more ? &cursor : NULL;
			wire_trace_free(&t);
		} while (after != NULL);
		if (seen != n || pages != 3)
			fail_msg("%s: %zu records in %zu pages, expected %zu in 3", query, seen,
			    pages, n);
	}
	config.max_trace = 2000;
	/* every page is audited, the later ones with the cursor they started after */
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM audit WHERE identity = 'regulator:bob'", -1),
	    6);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM audit WHERE identity = 'regulator:bob'"
	                     " AND after <> '' AND results > 0",
	                     -1),
	    4);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT sum(results) FROM audit WHERE identity = 'regulator:bob'", -1),
	    2 * (int64_t)n);
}

/* A time range takes the records whose time (a fill's start) lies in it. */
static void
a_trace_range_is_by_the_records_time(void **state)
{
	struct wire_trace t;
	char err[256];

	(void)state;
	/* P1's fill seq 4 started at +3000, refusal seq 5 at +3000, fill 1 at +5000 */
	assert_int_equal(county_trace(&cdb, "regulator:bob", "station", "P1", 1796000000000 + 3000,
	                     1796000000000 + 5000, NULL, &t, err, sizeof(err)),
	    0);
	assert_int_equal(t.count, 3);
	assert_int_equal(t.records[0].seq, 4);
	assert_int_equal(t.records[1].seq, 5);
	assert_int_equal(t.records[2].seq, 1);
	assert_int_equal(t.more, 0);
	wire_trace_free(&t);
}

/*
 * Reads of every tenant's data go through the one audit path: the station
 * list is audited when the resource asks for it (audit_as), and a trace or
 * curve with no identity to audit under is no answer at all.
 */
static void
every_tenants_data_is_read_under_an_audit_row(void **state)
{
	struct wire_station_list l;
	struct wire_trace t;
	struct wire_curve c;
	char err[256];
	int before = store_query_int(cdb.db, "SELECT count(*) FROM audit", -1);
	/* the stations earlier tests stored (the county knows each by now) */
	int64_t stations = store_query_int(cdb.db, "SELECT count(*) FROM stations", -1);

	(void)state;
	assert_true(stations >= 3);
	assert_int_equal(county_stations(&cdb, "regulator:alice", &l, err, sizeof(err)), 0);
	assert_int_equal(l.count, stations);
	wire_stations_free(&l);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT results FROM audit WHERE query = 'stations' AND identity ="
	                     " 'regulator:alice'",
	                     -1),
	    stations);
	assert_int_equal(county_stations(&cdb, NULL, &l, err, sizeof(err)), 0);
	assert_int_equal(l.count, stations);
	wire_stations_free(&l);
	assert_int_equal(
	    county_trace(&cdb, NULL, "cylinder", "A2", 0, INT64_MAX, NULL, &t, err, sizeof(err)),
	    -1);
	assert_int_equal(t.count, 0);
	assert_null(t.records);
	assert_int_equal(
	    county_trace(&cdb, "", "cylinder", "A2", 0, INT64_MAX, NULL, &t, err, sizeof(err)), -1);
	assert_int_equal(county_curve(&cdb, NULL, "no-such-fill", &c, err, sizeof(err)), -1);
	assert_int_equal(store_query_int(cdb.db, "SELECT count(*) FROM audit", -1), before + 1);
}

/*
 * A station trace of an id the county knows nothing of is "not found", not
 * an empty trace (a regulator who mistyped an id would take it for a
 * station that sent nothing), and the look is audited all the same; a
 * station the county registered or heard from, or a delivery device whose
 * life events it holds, is traced, with nothing in it or not.  Cylinders and buyers are
 * never "not found".  Each row ends with the connection out of its read.
 */
static void
a_station_the_county_never_knew_is_not_found(void **state)
{
	static const struct {
		const char *query, *key;
		enum county_result result;
	} rows[] = {
		{ "station", "NOPE", COUNTY_NOT_FOUND },
		{ "station", "REG-ONLY", COUNTY_DONE },       /* registered, never in contact */
		{ "station", "delivery:li@TA", COUNTY_DONE }, /* a delivery device's events */
		{ "station", "S01", COUNTY_DONE },            /* stored by the tests above */
		{ "cylinder", "NOPE", COUNTY_DONE },
		{ "buyer", "NOPE", COUNTY_DONE },
		{ NULL, NULL, COUNTY_DONE },
	};
	struct wire_trace t;
	char err[256];
	int64_t audited;
	int i;

	(void)state;
	assert_int_equal(store_exec(cdb.db,
	                     "INSERT INTO stations (id, township, created_ms) VALUES ('REG-ONLY',"
	                     " 'TA', 0);"
	                     "INSERT INTO life_events (source, seq, uuid, event, serial, at_ms,"
	                     " rule_ms, stored_ms) VALUES ('delivery:li@TA', 1, 'life-only-1',"
	                     " 'returned', 'L-1', 5, 5, 5)",
	                     err, sizeof(err)),
	    0);
	for (i = 0; rows[i].query != NULL; i++) {
		audited = store_query_int(cdb.db, "SELECT count(*) FROM audit", -1);
		memset(&t, 0xa5, sizeof(t));
		if (county_trace(&cdb, "regulator:alice", rows[i].query, rows[i].key, 0, INT64_MAX,
		        NULL, &t, err, sizeof(err)) != rows[i].result)
			fail_msg("row %d (%s %s): not %d: %s", i, rows[i].query, rows[i].key,
			    (int)rows[i].result, err);
		if (rows[i].result == COUNTY_NOT_FOUND && (t.count != 0 || t.records != NULL))
			fail_msg("row %d: not found, but a trace to free", i);
		if (store_query_int(cdb.db, "SELECT count(*) FROM audit", -1) != audited + 1)
			fail_msg("row %d (%s %s): not audited", i, rows[i].query, rows[i].key);
		if (!sqlite3_get_autocommit(cdb.db))
			fail_msg("row %d: a read left open", i);
		if (rows[i].result == COUNTY_DONE)
			wire_trace_free(&t);
	}
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM audit WHERE identity = 'regulator:alice' AND"
	                     " query = 'station' AND key = 'NOPE' AND results = 0",
	                     -1),
	    1);
}

/* ---- what a station cannot do (issue 14) ------------------------------------- */

/* One record of station st's own making: an event (or a fill of cyl, when
 * cyl is not NULL) at seq, its uuid made of tag and seq. */
static void
own_record(struct wire_record *r, int64_t seq, unsigned tag, const char *cyl)
{
	memset(r, 0, sizeof(*r));
	r->seq = seq;
	snprintf(r->uuid, sizeof(r->uuid), "%08x-0000-4000-8000-%012llx", tag,
	    (unsigned long long)seq);
	str_copy(r->kind, cyl != NULL ? "fill" : "event", sizeof(r->kind));
	r->created_ms = time_wall_ms();
	if (cyl == NULL)
		return;
	r->has_fill = 1;
	r->fill.line = 1;
	str_copy(r->fill.cylinder, cyl, sizeof(r->fill.cylinder));
	r->fill.started_ms = r->fill.ended_ms = r->created_ms;
	r->fill.net_kg = 14.9;
	str_copy(r->fill.result, "ok", sizeof(r->fill.result));
}

/* Give r n violations of rule (uuids from fmt with the index, or made of
 * the record's uuid when fmt is NULL). */
static void
own_violations(struct wire_record *r, size_t n, const char *rule, const char *sev, const char *town,
    const char *fmt)
{
	size_t i;

	r->violation_count = n;
	r->violations = calloc(n, sizeof(*r->violations));
	for (i = 0; i < n; i++) {
		struct wire_violation *v = &r->violations[i];

		if (fmt != NULL)
			snprintf(v->uuid, sizeof(v->uuid), fmt, (int)i);
		else {
			str_copy(v->uuid, r->uuid, sizeof(v->uuid));
			v->uuid[9] = (char)('a' + i);
		}
		str_copy(v->rule, rule, sizeof(v->rule));
		str_copy(v->severity, sev, sizeof(v->severity));
		str_copy(v->township, town, sizeof(v->township));
		v->at_ms = r->created_ms;
	}
}

static void
one_batch(struct wire_batch *b, const char *township, size_t n)
{
	memset(b, 0, sizeof(*b));
	str_copy(b->township, township, sizeof(b->township));
	b->count = n;
	b->records = calloc(n, sizeof(*b->records));
}

static enum county_result
ingest(const char *station, struct wire_batch *b, char *err, size_t errlen)
{
	struct wire_ack ack;
	enum county_result rc;
	int alerts;

	rc = county_ingest(&cdb, station, "test", b, &ack, &alerts, err, errlen);
	wire_batch_free(b);
	return rc;
}

/*
 * Item 1: the keys of C04 and C01 are the county's.  Violations named like
 * them (in the old shape and in the county's namespace) are refused, and
 * C04 and C01 still fire.
 */
static void
a_station_cannot_take_the_key_of_a_county_alert(void **state)
{
	static const char *const shapes[] = { "C04:G2:%d", "county:C04:G2:%d", "C01:%d",
		"county:C01:G1:%d", NULL };
	struct wire_batch b;
	char err[256];
	int alerts, i;

	(void)state;
	/* G2 holds 1, 2 and 4: a gap at 3 */
	one_batch(&b, "TB", 3);
	own_record(&b.records[0], 1, 0x62, NULL);
	own_record(&b.records[1], 2, 0x62, NULL);
	own_record(&b.records[2], 4, 0x62, NULL);
	assert_int_equal(ingest("G2", &b, err, sizeof(err)), COUNTY_DONE);
	for (i = 0; shapes[i] != NULL; i++) {
		one_batch(&b, "TA", 1);
		own_record(&b.records[0], 1, 0x61, NULL);
		own_violations(&b.records[0], 64, "R05", "alert", "TA", shapes[i]);
		if (ingest("G1", &b, err, sizeof(err)) != COUNTY_REFUSED)
			fail_msg("violations named %s were not refused", shapes[i]);
		assert_non_null(strstr(err, "uuid is not a UUID"));
	}
	/* G1 fills a cylinder G2 filled: C01; a day later G2's gap: C04 */
	one_batch(&b, "TB", 1);
	own_record(&b.records[0], 3, 0x62, "TWIN-U");
	assert_int_equal(ingest("G2", &b, err, sizeof(err)), COUNTY_DONE);
	one_batch(&b, "TB", 1);
	own_record(&b.records[0], 6, 0x62, NULL); /* 5 missing now */
	assert_int_equal(ingest("G2", &b, err, sizeof(err)), COUNTY_DONE);
	one_batch(&b, "TA", 1);
	own_record(&b.records[0], 1, 0x61, "TWIN-U");
	assert_int_equal(ingest("G1", &b, err, sizeof(err)), COUNTY_DONE);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM alerts WHERE source = 'county:C01:G1:1'"
	                     " AND township = 'TA'",
	                     -1),
	    1);
	assert_int_equal(
	    county_sweep(&cdb, time_wall_ms() + 2 * 86400000LL, &alerts, err, sizeof(err)), 0);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM alerts WHERE source = 'county:C04:G2:4'"
	                     " AND township = 'TB'",
	                     -1),
	    1);
	/* no station's alert is outside its own namespace */
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM alerts WHERE rule LIKE 'R%'"
	                     " AND source NOT LIKE 'station:' || station || ':%'",
	                     -1),
	    0);
}

/*
 * Item 3: a station may report only station rules; the severity is the
 * county's; the alert goes to the station's township as the county holds
 * it, a buyer rule to the buyer's township as first registered; unknown
 * townships are refused.
 */
static void
alerts_are_graded_and_routed_by_the_county(void **state)
{
	static const char ids[] = "township:TA 00112233445566778899aabbccddeeff\n"
	                          "township:TB 00112233445566778899aabbccddeeff\n";
	static const char buyer[] =
	    "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";
	static struct psk_table townships; /* outlives a failed assertion */
	struct wire_batch b;
	char err[256];

	(void)state;
	assert_int_equal(
	    psk_parse_identities("ids", ids, strlen(ids), &townships, err, sizeof(err)), 0);
	cdb.identities = &townships;
	one_batch(&b, "TA", 1);
	own_record(&b.records[0], 1, 0x71, NULL);
	own_violations(&b.records[0], 1, "C03", "critical", "TB", NULL);
	assert_int_equal(ingest("H1", &b, err, sizeof(err)), COUNTY_REFUSED);
	assert_non_null(strstr(err, "rule 'C03' is not a station rule"));
	/* R10 claimed critical, for TB, in a batch claiming TB: the county's
	 * alert, in H1's township TA (held from its first contact) */
	one_batch(&b, "TA", 1);
	own_record(&b.records[0], 1, 0x71, NULL);
	assert_int_equal(ingest("H1", &b, err, sizeof(err)), COUNTY_DONE);
	one_batch(&b, "TB", 2);
	own_record(&b.records[0], 2, 0x71, NULL);
	own_violations(&b.records[0], 1, "R10", "critical", "TB", NULL);
	own_record(&b.records[1], 3, 0x71, NULL);
	own_violations(&b.records[1], 1, "R21", "critical", "TB", NULL);
	assert_int_equal(ingest("H1", &b, err, sizeof(err)), COUNTY_DONE);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM alerts WHERE station = 'H1' AND rule = 'R10'"
	                     " AND severity = 'alert' AND township = 'TA'",
	                     -1),
	    1);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM alerts WHERE station = 'H1' AND rule = 'R21'",
	                     -1),
	    0);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM violations WHERE station = 'H1' AND rule = 'R21'"
	                     " AND severity = 'flag' AND township = 'TA'",
	                     -1),
	    1);
	/* the buyer registered in TB by H2; H1's R11 naming TA goes to TB */
	one_batch(&b, "TB", 1);
	own_record(&b.records[0], 1, 0x72, "BUY-1");
	str_copy(b.records[0].fill.buyer, buyer, sizeof(b.records[0].fill.buyer));
	str_copy(b.records[0].fill.buyer_township, "TB", sizeof(b.records[0].fill.buyer_township));
	assert_int_equal(ingest("H2", &b, err, sizeof(err)), COUNTY_DONE);
	one_batch(&b, "TA", 1);
	own_record(&b.records[0], 4, 0x71, "BUY-2");
	str_copy(b.records[0].fill.buyer, buyer, sizeof(b.records[0].fill.buyer));
	str_copy(b.records[0].fill.buyer_township, "TA", sizeof(b.records[0].fill.buyer_township));
	own_violations(&b.records[0], 1, "R11", "alert", "TA", NULL);
	assert_int_equal(ingest("H1", &b, err, sizeof(err)), COUNTY_DONE);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM alerts WHERE station = 'H1' AND rule = 'R11'"
	                     " AND township = 'TB'",
	                     -1),
	    1);
	/* unknown townships: a new station's, a buyer's, the county's queue */
	one_batch(&b, "TZ", 1);
	own_record(&b.records[0], 1, 0x73, NULL);
	assert_int_equal(ingest("H3", &b, err, sizeof(err)), COUNTY_REFUSED);
	assert_non_null(strstr(err, "township 'TZ' is not a township of this county"));
	one_batch(&b, "county", 1);
	own_record(&b.records[0], 1, 0x73, NULL);
	assert_int_equal(ingest("H3", &b, err, sizeof(err)), COUNTY_REFUSED);
	{
		struct wire_heartbeat h = { .township = "TZ", .at_ms = 1 };
		int alerts, written;

		assert_int_equal(
		    county_heartbeat(&cdb, "H3", &h, &alerts, &written, err, sizeof(err)),
		    COUNTY_REFUSED);
	}
	assert_int_equal(
	    store_query_int(cdb.db, "SELECT count(*) FROM stations WHERE id = 'H3'", -1), 0);
	one_batch(&b, "TA", 1);
	own_record(&b.records[0], 5, 0x71, "BUY-3");
	str_copy(b.records[0].fill.buyer_township, "TZ", sizeof(b.records[0].fill.buyer_township));
	assert_int_equal(ingest("H1", &b, err, sizeof(err)), COUNTY_REFUSED);
	assert_non_null(strstr(err, "btown 'TZ'"));
	cdb.identities = NULL;
	psk_table_free(&townships);
}

/* A heartbeat of station (township TA) made at at_ms by its clock; the
 * test fails unless it is stored.  The alerts it raised. */
static int
beat(const char *station, int64_t at_ms)
{
	struct wire_heartbeat hb;
	char err[256];
	int alerts = -1, written;

	memset(&hb, 0, sizeof(hb));
	str_copy(hb.township, "TA", sizeof(hb.township));
	hb.at_ms = at_ms;
	if (county_heartbeat(&cdb, station, &hb, &alerts, &written, err, sizeof(err)) !=
	    COUNTY_DONE)
		fail_msg("heartbeat of %s at %lld: %s", station, (long long)at_ms, err);
	return alerts;
}

static int64_t
station_int(const char *station, const char *column)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT %s FROM stations WHERE id = '%s'", column, station);
	return store_query_int(cdb.db, sql, -1);
}

static int64_t
c14_alerts(const char *station, const char *like)
{
	char sql[200];

	snprintf(sql, sizeof(sql),
	    "SELECT count(*) FROM alerts WHERE rule = 'C14' AND station = '%s'"
	    " AND severity = 'alert' AND township = 'TA' AND text LIKE '%s'",
	    station, like);
	return store_query_int(cdb.db, sql, -1);
}

/*
 * C14: a heartbeat whose time is further than c14_clock_skew_s (600 s here)
 * from the county's clock raises one alert per episode, ahead or behind,
 * whatever the heartbeats in between; the episode ends only once the clock is
 * back within half the bound, so one hovering at the bound raises no more; a
 * new episode after that is a new alert, unless it starts within the hour of
 * the last (a clock flipping at each heartbeat is one alert an hour).  Rows
 * are heartbeats, their time as an offset from the county's clock now.
 */
static void
a_station_clock_far_off_is_one_c14_an_episode(void **state)
{
	static const struct {
		int64_t offset_ms;
		int raised, alerted;   /* the heartbeat's alerts; the station's episode after it */
		int64_t ahead, behind; /* C14 alerts so far saying so */
		int age_last_alert;    /* before the heartbeat: the last C14 an hour older */
	} rows[] = {
		{ 0, 0, 0, 0, 0, 0 },
		{ 590000, 0, 0, 0, 0, 0 },  /* within the bound */
		{ -590000, 0, 0, 0, 0, 0 }, /* either way */
		{ 700000, 1, 1, 1, 0, 0 },  /* ahead: the episode's alert */
		{ 700000, 0, 1, 1, 0, 0 },  /* no more while it lasts */
		{ 86400000, 0, 1, 1, 0, 0 },
		{ 590000, 0, 1, 1, 0, 0 }, /* hovering at the bound: the episode goes on */
		{ 610000, 0, 1, 1, 0, 0 },
		{ 310000, 0, 1, 1, 0, 0 },
		{ -700000, 0, 1, 1, 0, 0 }, /* now behind: the same wrong clock */
		{ 290000, 0, 0, 1, 0, 0 },  /* within half the bound: over */
		{ 0, 0, 0, 1, 0, 0 },
		{ -700000, 1, 1, 1, 1, 1 }, /* an hour later, behind: a new episode, a new alert */
		{ -310000, 0, 1, 1, 1, 0 },
		{ -290000, 0, 0, 1, 1, 0 },
		{ 700000, 0, 1, 1, 1, 0 }, /* again within the hour: the episode, no alert */
		{ 0, 0, 0, 1, 1, 0 },
		{ 700000, 1, 1, 2, 1, 1 }, /* and an hour after: alerted */
		{ 1, -1, 0, 0, 0, 0 },
	};
	char text[WIRE_TEXT];
	sqlite3_stmt *st = NULL;

	(void)state;
	for (int i = 0; rows[i].raised != -1; i++) {
		if (rows[i].age_last_alert)
			assert_int_equal(
			    store_exec(cdb.db,
			        "UPDATE stations SET clock_alert_ms = clock_alert_ms - 3600000"
			        " WHERE id = 'K14'",
			        text, sizeof(text)),
			    0);
		if (beat("K14", time_wall_ms() + rows[i].offset_ms) != rows[i].raised)
			fail_msg("row %d (%+lld ms): raised is not %d", i,
			    (long long)rows[i].offset_ms, rows[i].raised);
		if (station_int("K14", "clock_alerted") != rows[i].alerted)
			fail_msg("row %d (%+lld ms): the episode is not %s", i,
			    (long long)rows[i].offset_ms, rows[i].alerted ? "on" : "over");
		if (c14_alerts("K14", "%ahead of the county%") != rows[i].ahead ||
		    c14_alerts("K14", "%behind the county%") != rows[i].behind)
			fail_msg("row %d (%+lld ms): %lld ahead, %lld behind; expected %lld, %lld",
			    i, (long long)rows[i].offset_ms,
			    (long long)c14_alerts("K14", "%ahead%"),
			    (long long)c14_alerts("K14", "%behind%"), (long long)rows[i].ahead,
			    (long long)rows[i].behind);
		/* the skew kept: the heartbeat's time less the county's, the way there aside */
		if (llabs(station_int("K14", "clock_skew_ms") - rows[i].offset_ms) > 5000)
			fail_msg("row %d: skew %lld kept for %+lld", i,
			    (long long)station_int("K14", "clock_skew_ms"),
			    (long long)rows[i].offset_ms);
	}
	/* the first alert names the station, its clock and how far off, in its key the
	 * county's clock at the episode's start */
	assert_int_equal(
	    store_prepare(cdb.db,
	        "SELECT text, source FROM alerts WHERE rule = 'C14' ORDER BY id LIMIT 1", &st, text,
	        sizeof(text)),
	    0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	if (strstr((const char *)sqlite3_column_text(st, 0), "station K14: its clock reads 20") ==
	        NULL ||
	    strstr((const char *)sqlite3_column_text(st, 0),
	        ", 11 min 40 s ahead of the county's") == NULL)
		fail_msg("C14 says '%s'", (const char *)sqlite3_column_text(st, 0));
	assert_non_null(strstr((const char *)sqlite3_column_text(st, 1), "county:C14:K14:"));
	sqlite3_finalize(st);
	/* and a station whose clock is right raises none */
	for (int i = 0; i < 5; i++)
		assert_int_equal(beat("K15", time_wall_ms()), 0);
	assert_int_equal(
	    store_query_int(cdb.db, "SELECT count(*) FROM alerts WHERE station = 'K15'", -1), 0);
	assert_int_equal(station_int("K15", "clock_alerted"), 0);
}

/* county_heartbeat_due: which heartbeat within the floor (10 s) of the last
 * written one is written.  The last written at 100000 ms said "backlog 3",
 * registry 7, no early write. */
static void
heartbeat_within_the_floor_is_written_only_when_what_matters_changed(void **state)
{
	static const struct {
		int64_t now, early_ms, floor_ms, registry;
		int changes;
		const char *status;
		enum county_beat want;
	} cases[] = {
		/* the floor passed, or none: written */
		{ 110000, 0, 10000, 7, 0, "backlog 3", COUNTY_BEAT_WRITE },
		{ 100001, 0, 0, 7, 0, "backlog 3", COUNTY_BEAT_WRITE },
		/* the county's clock went back past the last write: written */
		{ 99000, 0, 10000, 7, 0, "backlog 3", COUNTY_BEAT_WRITE },
		/* within it, nothing that matters changed: not written */
		{ 100001, 0, 10000, 7, 0, "backlog 3", COUNTY_BEAT_SKIP },
		{ 109999, 0, 10000, 7, 0, "backlog 9000", COUNTY_BEAT_SKIP },
		/* what matters changed: written early */
		{ 100001, 0, 10000, 7, 0, "backlog 3, 2 set aside", COUNTY_BEAT_EARLY },
		{ 100001, 0, 10000, 8, 0, "backlog 3", COUNTY_BEAT_EARLY },
		{ 100001, 0, 10000, 7, 1, "backlog 3", COUNTY_BEAT_EARLY },
		{ 100001, 0, 10000, 7, 0, "valves closed", COUNTY_BEAT_EARLY },
		/* but one early write a floor: a station flipping its status */
		{ 100001, 95000, 10000, 7, 1, "backlog 3, 2 set aside", COUNTY_BEAT_SKIP },
		{ 105000, 95000, 10000, 7, 1, "backlog 3, 2 set aside", COUNTY_BEAT_EARLY },
		{ 100001, 200000, 10000, 7, 1, "backlog 3", COUNTY_BEAT_EARLY },
	};
	struct county_beat_last last;
	struct wire_heartbeat h;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&last, 0, sizeof(last));
		last.written_ms = 100000;
		last.early_ms = cases[i].early_ms;
		last.registry_version = 7;
		str_copy(last.status, "backlog 3", sizeof(last.status));
		memset(&h, 0, sizeof(h));
		h.registry_version = cases[i].registry;
		str_copy(h.status, cases[i].status, sizeof(h.status));
		if (county_heartbeat_due(&last, &h, cases[i].changes, cases[i].now,
		        cases[i].floor_ms) != cases[i].want)
			fail_msg("case %zu (at %lld, \"%s\"): not %d", i, (long long)cases[i].now,
			    cases[i].status, (int)cases[i].want);
	}
	/* nothing written yet: written */
	memset(&last, 0, sizeof(last));
	assert_int_equal(county_heartbeat_due(&last, &h, 0, 100, 10000), COUNTY_BEAT_WRITE);
}

/* A heartbeat of station (township TA) saying backlog and status; *written. */
static void
beat_says(const char *station, int64_t backlog, const char *status, int *written)
{
	struct wire_heartbeat hb;
	char err[256];
	int alerts;

	memset(&hb, 0, sizeof(hb));
	str_copy(hb.township, "TA", sizeof(hb.township));
	hb.at_ms = time_wall_ms();
	hb.backlog = backlog;
	str_copy(hb.status, status, sizeof(hb.status));
	if (county_heartbeat(&cdb, station, &hb, &alerts, written, err, sizeof(err)) != COUNTY_DONE)
		fail_msg("heartbeat: %s", err);
}

/* A station's heartbeats back to back with the floor at 10 s: the first
 * written, the rest answered without a write (its row keeps the first's
 * backlog), a change of status written at once, a second change within the
 * floor not; once the floor has passed, written again. */
static void
heartbeats_back_to_back_cost_one_write_a_floor(void **state)
{
	int written = -1;

	(void)state;
	beat_says("B1", 1, "backlog 1", &written);
	assert_int_equal(written, 1);
	for (int64_t i = 2; i <= 50; i++) {
		char status[32];

		snprintf(status, sizeof(status), "backlog %lld", (long long)i);
		beat_says("B1", i, status, &written);
		assert_int_equal(written, 0);
	}
	assert_int_equal(station_int("B1", "backlog"), 1);
	assert_int_equal(
	    store_query_int(cdb.db, "SELECT backlog FROM heartbeats WHERE station = 'B1'", -1), 1);
	/* records set aside: written at once */
	beat_says("B1", 51, "backlog 51, 2 set aside", &written);
	assert_int_equal(written, 1);
	assert_int_equal(station_int("B1", "backlog"), 51);
	/* back again within the floor of that early write: not yet */
	beat_says("B1", 52, "backlog 52", &written);
	assert_int_equal(written, 0);
	assert_int_equal(station_int("B1", "backlog"), 51);
	/* a clock an hour behind, still within that floor: C14 is raised and
	 * written at once, not dropped until a heartbeat it may never see */
	{
		struct wire_heartbeat hb;
		char err[256];
		int alerts = 0;

		memset(&hb, 0, sizeof(hb));
		str_copy(hb.township, "TA", sizeof(hb.township));
		hb.at_ms = time_wall_ms() - 3600 * 1000;
		hb.backlog = 52;
		str_copy(hb.status, "backlog 52", sizeof(hb.status));
		assert_int_equal(
		    county_heartbeat(&cdb, "B1", &hb, &alerts, &written, err, sizeof(err)),
		    COUNTY_DONE);
		assert_int_equal(written, 1);
		assert_int_equal(alerts, 1);
		assert_int_equal(c14_alerts("B1", "%behind the county%"), 1);
	}
	/* the floor passed (the last write moved 11 s back) */
	assert_int_equal(store_exec(cdb.db,
	                     "UPDATE heartbeats SET received_ms = received_ms - 11000 WHERE"
	                     " station = 'B1'; UPDATE stations SET heartbeat_early_ms ="
	                     " heartbeat_early_ms - 11000 WHERE id = 'B1'",
	                     NULL, 0),
	    0);
	beat_says("B1", 53, "backlog 53", &written);
	assert_int_equal(written, 1);
	assert_int_equal(station_int("B1", "backlog"), 53);
}

/* A heartbeat answered from memory takes no write lock: while another
 * connection (gasweb writing an audit row, the sweep) holds it, a station's
 * heartbeats within the floor are still answered at once, and a flood of
 * them never makes those writers wait for the lock.  Once the lock is
 * free, one that must be written is. */
static void
heartbeats_within_the_floor_take_no_write_lock(void **state)
{
	char path[128];
	sqlite3 *other = NULL;
	int written = -1;

	(void)state;
	beat_says("B3", 1, "backlog 1", &written);
	assert_int_equal(written, 1);
	snprintf(path, sizeof(path), "%s/county.db", dir);
	assert_int_equal(sqlite3_open_v2(path, &other, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_busy_timeout(cdb.db, 50); /* a refusal, not a long wait, without the fix */
	for (int64_t i = 2; i <= 20; i++) {
		beat_says("B3", i, "backlog 2", &written);
		assert_int_equal(written, 0);
	}
	assert_int_equal(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(other);
	sqlite3_busy_timeout(cdb.db, 5000); /* store.c's */
	beat_says("B3", 21, "backlog 21, 1 set aside", &written);
	assert_int_equal(written, 1);
	assert_int_equal(station_int("B3", "backlog"), 21);
}

/* The floor is never more than half of c03_silent_s: a station heartbeating
 * within it must not look silent to C03. */
static void
heartbeat_floor_is_at_most_half_the_silence(void **state)
{
	int written = -1;

	(void)state;
	config.heartbeat_min_s = 60;
	config.c03_silent_s = 10;
	beat_says("B2", 1, "backlog 1", &written);
	assert_int_equal(written, 1);
	assert_int_equal(store_exec(cdb.db,
	                     "UPDATE heartbeats SET received_ms = received_ms - 5000 WHERE"
	                     " station = 'B2'",
	                     NULL, 0),
	    0);
	beat_says("B2", 2, "backlog 2", &written);
	assert_int_equal(written, 1);
	assert_int_equal(station_int("B2", "backlog"), 2);
}

/*
 * A station holding a real key may send any time in a heartbeat: 0 (a clock
 * reset to 1970), INT64_MAX, INT64_MIN, -1.  The skew saturates instead of
 * overflowing (the sanitizers' build would stop at the overflow), every
 * heartbeat is stored, and one episode of them all is one alert.
 */
static void
absurd_heartbeat_times_are_one_c14_and_no_overflow(void **state)
{
	static const struct {
		int64_t station, county, skew;
	} rows[] = {
		{ 0, 0, 0 },
		{ 5, 7, -2 },
		{ INT64_MAX, 1, INT64_MAX - 1 },
		{ INT64_MAX, -1, INT64_MAX },
		{ INT64_MIN, 1, INT64_MIN },
		{ INT64_MIN + 1, 1, INT64_MIN },
		{ INT64_MIN, -1, INT64_MIN + 1 },
		{ 0, INT64_MIN, INT64_MAX },
		{ -1, INT64_MIN, INT64_MAX },
		{ -2, INT64_MIN, INT64_MAX - 1 },
		{ INT64_MAX, INT64_MIN, INT64_MAX },
		{ INT64_MIN, INT64_MAX, INT64_MIN },
		{ 1796359091123, 1796359091000, 123 },
	};
	static const int64_t absurd[] = { 0, INT64_MAX, INT64_MIN, -1, INT64_MIN + 1,
		INT64_MAX - 1 };
	sqlite3_stmt *st = NULL;
	char text[WIRE_TEXT];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (county_clock_skew(rows[i].station, rows[i].county) != rows[i].skew)
			fail_msg("row %zu: %lld - %lld gave %lld", i, (long long)rows[i].station,
			    (long long)rows[i].county,
			    (long long)county_clock_skew(rows[i].station, rows[i].county));
	assert_int_equal(beat("X14", 0), 1);
	for (i = 0; i < sizeof(absurd) / sizeof(absurd[0]); i++) {
		assert_int_equal(beat("X14", absurd[i]), 0);
		assert_int_equal(station_int("X14", "clock_alerted"), 1);
	}
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM alerts WHERE station = 'X14' AND rule = 'C14'",
	                     -1),
	    1);
	/* every one taken, the newest of its minute kept (a flood's bound: below) */
	assert_in_range(
	    store_query_int(cdb.db, "SELECT count(*) FROM heartbeats WHERE station = 'X14'", -1), 1,
	    2);
	assert_true(store_query_int(cdb.db,
	                "SELECT at_ms FROM heartbeats WHERE station = 'X14' ORDER BY slot DESC"
	                " LIMIT 1",
	                0) == INT64_MAX - 1);
	assert_true(station_int("X14", "clock_skew_ms") > INT64_MAX / 2);
	/* the alert says what the clock read: 1970 */
	assert_int_equal(store_prepare(cdb.db,
	                     "SELECT text FROM alerts WHERE station = 'X14' AND rule = 'C14'", &st,
	                     text, sizeof(text)),
	    0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	str_copy(text, (const char *)sqlite3_column_text(st, 0), sizeof(text));
	sqlite3_finalize(st);
	if (strstr(text, "station X14: its clock reads 1970-01-01 ") == NULL ||
	    strstr(text, " d ") == NULL || strstr(text, "behind the county's") == NULL)
		fail_msg("C14 says '%s'", text);
}

/* Writes of the stations table (inserts and updates, as its triggers see
 * them) since station_writes_count began counting: a temporary trigger of
 * the test's own connection, gone when it closes. */
static void
station_writes_count(void)
{
	fixture_exec(cdb.db,
	    "CREATE TEMP TABLE IF NOT EXISTS station_writes (id TEXT);"
	    "DELETE FROM station_writes;"
	    "CREATE TEMP TRIGGER IF NOT EXISTS station_inserted AFTER INSERT ON main.stations"
	    " BEGIN INSERT INTO station_writes VALUES (new.id); END;"
	    "CREATE TEMP TRIGGER IF NOT EXISTS station_updated AFTER UPDATE ON main.stations"
	    " BEGIN INSERT INTO station_writes VALUES (new.id); END;");
}

/*
 * A station holding a real key may send heartbeats as fast as the county
 * answers.  Each still moves the station's last contact, status and clock
 * (C14 judged at the last as at any), writing the station's row once (one
 * statement: its first contact included), but the heartbeats table keeps
 * one row a minute of the county's clock, the newest of it: 10,000
 * heartbeats cost no more rows than the minutes they took.  Before, each
 * was a row, and each wrote the station's row twice.
 */
static void
a_flood_of_heartbeats_keeps_one_row_a_minute(void **state)
{
	enum { FLOOD = 10000 };
	struct wire_heartbeat hb;
	char err[256];
	int64_t first, last_sent, done, rows, writes;
	int alerts, raised = 0, written;

	(void)state;
	station_writes_count();
	/* what is counted here is rows, not durability: 10,000 syncs would take
	 * half a minute (the county's own settings come back at the end) */
	fixture_exec(cdb.db, "PRAGMA synchronous = OFF");
	memset(&hb, 0, sizeof(hb));
	str_copy(hb.township, "TA", sizeof(hb.township));
	first = time_wall_ms();
	for (int i = 0; i < FLOOD; i++) {
		last_sent = time_wall_ms();
		/* the clock right, then 700 s ahead at the very last heartbeat */
		hb.at_ms = last_sent + (i == FLOOD - 1 ? 700000 : 0);
		hb.backlog = i;
		snprintf(hb.status, sizeof(hb.status), "beat %d", i);
		if (county_heartbeat(&cdb, "F16", &hb, &alerts, &written, err, sizeof(err)) !=
		    COUNTY_DONE)
			fail_msg("heartbeat %d: %s", i, err);
		raised += alerts;
	}
	done = time_wall_ms();
	rows = store_query_int(cdb.db, "SELECT count(*) FROM heartbeats WHERE station = 'F16'", -1);
	writes = store_query_int(cdb.db,
	    "SELECT count(*) FROM temp.station_writes WHERE id = 'F16'", -1);
	if (rows < 1 ||
	    rows > done / COUNTY_HEARTBEAT_SLOT_MS - first / COUNTY_HEARTBEAT_SLOT_MS + 1 ||
	    writes != FLOOD)
		fail_msg("%d heartbeats in %lld ms kept %lld rows and wrote the station's row %lld "
		         "times",
		    FLOOD, (long long)(done - first), (long long)rows, (long long)writes);
	/* the station's row is the newest heartbeat's */
	assert_true(station_int("F16", "last_seen_ms") >= last_sent &&
	            station_int("F16", "last_seen_ms") <= done);
	assert_int_equal(station_int("F16", "backlog"), FLOOD - 1);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT status = 'beat 9999' FROM stations WHERE id = 'F16'", -1),
	    1);
	assert_int_equal(station_int("F16", "silent_alerted"), 0);
	/* the clock's verdict, once, at the last */
	assert_int_equal(raised, 1);
	assert_int_equal(station_int("F16", "clock_alerted"), 1);
	assert_in_range(station_int("F16", "clock_skew_ms"), 695000, 700000);
	assert_int_equal(c14_alerts("F16", "%ahead of the county%"), 1);
	/* the heartbeats' newest row is the last heartbeat, as sent */
	assert_int_equal(
	    store_query_int(cdb.db,
	        "SELECT backlog = 9999 AND status = 'beat 9999' AND received_ms >= at_ms"
	        " - 700000 FROM heartbeats WHERE station = 'F16'"
	        " ORDER BY slot DESC LIMIT 1",
	        -1),
	    1);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM heartbeats WHERE station = 'F16'"
	                     " AND slot <> received_ms / 60000",
	                     -1),
	    0);
	/* and a new station's first heartbeat makes its row in one write too */
	fixture_exec(cdb.db, "DELETE FROM temp.station_writes");
	assert_int_equal(beat("F17", time_wall_ms()), 0);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM temp.station_writes WHERE id = 'F17'", -1),
	    1);
	assert_int_equal(
	    store_query_int(cdb.db, "SELECT township = 'TA' FROM stations WHERE id = 'F17'", -1),
	    1);
	fixture_exec(cdb.db,
	    "DROP TRIGGER temp.station_inserted; DROP TRIGGER temp.station_updated;"
	    " DROP TABLE temp.station_writes; PRAGMA synchronous = FULL");
}

/*
 * The sweep drops heartbeats received more than heartbeat_keep_days (30
 * here) ago, at most COUNTY_HEARTBEAT_PRUNE a sweep so that a large
 * backlog of them never holds the county's loop for long; newer ones and
 * the station's own row stay.
 */
static void
heartbeats_past_their_keep_time_are_dropped(void **state)
{
	int64_t now = time_wall_ms(), keep_slot, alerts_before;
	char err[256];
	int alerts;

	(void)state;
	assert_int_equal(beat("P18", now), 0);
	keep_slot = (now - 30 * 86400000LL) / COUNTY_HEARTBEAT_SLOT_MS;
	/* 5 more than one sweep drops, each a minute older than the keep time,
	 * and one in the keep time's own minute */
	fixture_execf(cdb.db,
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
	    " INSERT INTO heartbeats (station, slot, at_ms, received_ms, backlog, oldest_ms,"
	    " last_ack, registry_version, status)"
	    " SELECT 'P18', %lld - i, 0, (%lld - i) * 60000, 0, 0, 0, 0, 'old' FROM n",
	    COUNTY_HEARTBEAT_PRUNE + 5, (long long)keep_slot, (long long)keep_slot);
	fixture_execf(cdb.db,
	    "INSERT INTO heartbeats (station, slot, at_ms, received_ms, backlog, oldest_ms,"
	    " last_ack, registry_version, status) VALUES ('P18', %lld, 0, %lld, 0, 0, 0, 0, 'kept')",
	    (long long)keep_slot, (long long)keep_slot * 60000);
	alerts_before = store_query_int(cdb.db, "SELECT count(*) FROM alerts", -1);
	assert_int_equal(county_sweep(&cdb, now, &alerts, err, sizeof(err)), 0);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM heartbeats WHERE station = 'P18'"
	                     " AND status = 'old'",
	                     -1),
	    5);
	assert_int_equal(county_sweep(&cdb, now, &alerts, err, sizeof(err)), 0);
	/* left: the one in the keep time's own minute, and the heartbeat of now */
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) = 2 AND sum(status = 'kept') = 1"
	                     " AND sum(status = '') = 1 FROM heartbeats WHERE station = 'P18'",
	                     -1),
	    1);
	assert_true(station_int("P18", "last_seen_ms") >= now);
	assert_int_equal(store_query_int(cdb.db, "SELECT count(*) FROM alerts", -1), alerts_before);
}

/* county_held, and the same counted row by row (another mark than the
 * station's is always counted). */
static int64_t
held_kept(struct county_db *c, const char *station, int64_t *counted)
{
	int64_t hwm = -1, held = -1;
	char err[256];

	assert_int_equal(county_hwm(c, station, &hwm, err, sizeof(err)), 1);
	assert_int_equal(county_held(c, station, hwm, &held, err, sizeof(err)), 0);
	assert_int_equal(county_held(c, station, 0, counted, err, sizeof(err)), 0);
	return held;
}

static int
count_step(void *arg)
{
	++*(int64_t *)arg;
	return 0;
}

/* The virtual machine steps county_held takes for the station's own mark. */
static int64_t
held_steps(struct county_db *c, const char *station, int64_t *held)
{
	int64_t hwm = -1, steps = 0;
	char err[256];

	assert_int_equal(county_hwm(c, station, &hwm, err, sizeof(err)), 1);
	sqlite3_progress_handler(c->db, 1, count_step, &steps);
	assert_int_equal(county_held(c, station, hwm, held, err, sizeof(err)), 0);
	sqlite3_progress_handler(c->db, 0, NULL, NULL);
	return steps;
}

/*
 * Review rev101: behind a record the station set aside (seq 4 never
 * arrives) the mark stays at 3, and each heartbeat counted every row
 * above it.  The count is kept in the station's row as records and life
 * events are stored (migration 033): the same as counted through new
 * records, duplicates, conflicts at a held seq, a life event at a seq of
 * its own or at a held one, and a database from before (computed).
 */
static void
the_held_count_is_kept_as_records_are_stored(void **state)
{
	static const char *const old_rows[] = {
		"INSERT INTO stations (id, township, hwm, max_seq, created_ms) VALUES"
		" ('H1', 'TA', 2, 9, 0), ('H2', 'TA', 0, 0, 0)",
		"INSERT INTO records (station, seq, uuid, kind, created_ms, received_ms) VALUES"
		" ('H1', 1, 'h1-1', 'fill', 1, 1), ('H1', 2, 'h1-2', 'fill', 1, 1),"
		" ('H1', 5, 'h1-5', 'fill', 1, 1), ('H1', 9, 'h1-9', 'fill', 1, 1)",
		"INSERT INTO life_events (source, seq, uuid, event, serial, at_ms, rule_ms,"
		" stored_ms) VALUES ('H1', 7, 'h1-7', 'returned', 'HELD-2', 5, 5, 5)",
	};
	struct county_db c = { .config = &config }, n = { .config = &config };
	struct store_migration upto30[48];
	struct wire_batch b;
	struct wire_ack ack;
	int64_t counted = -1;
	char err[256];
	int alerts;
	size_t i;

	(void)state;
	assert_int_equal(countydb_open(&n, dir, "held.db", &config, err, sizeof(err)), 0);
	batch_of(&b, 1, 3, "N", "flag");
	assert_int_equal(county_ingest(&n, "S-CNT", "test", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	wire_batch_free(&b);
	assert_int_equal(held_kept(&n, "S-CNT", &counted), 3);
	assert_int_equal(counted, 3);
	/* seq 4 set aside at the station: 5..9 above the mark */
	batch_of(&b, 5, 9, "N", "flag");
	assert_int_equal(county_ingest(&n, "S-CNT", "test", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	assert_int_equal(ack.hwm, 3);
	assert_int_equal(ack.held, 8);
	/* sent again: duplicates */
	assert_int_equal(county_ingest(&n, "S-CNT", "test", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	wire_batch_free(&b);
	assert_int_equal(ack.held, 8);
	assert_int_equal(held_kept(&n, "S-CNT", &counted), 8);
	assert_int_equal(counted, 8);
	/* other records at held seqs (conflicts), and a new one at 11 */
	batch_of(&b, 8, 11, "Q", "flag");
	b.records[2].seq = 11; /* 8, 9, 11, 11: the last a conflict too */
	assert_int_equal(county_ingest(&n, "S-CNT", "test", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	wire_batch_free(&b);
	assert_int_equal(held_kept(&n, "S-CNT", &counted), 9);
	assert_int_equal(counted, 9);
	/* life events: at a seq of their own (12), at a held one (5) */
	assert_int_equal(store_exec(n.db,
	                     "INSERT INTO life_events (source, seq, uuid, event, serial, at_ms,"
	                     " rule_ms, stored_ms) VALUES ('S-CNT', 12, 'cnt-12', 'returned',"
	                     " 'HELD-3', 5, 5, 5), ('S-CNT', 5, 'cnt-5', 'returned', 'HELD-3',"
	                     " 6, 6, 6)",
	                     err, sizeof(err)),
	    0);
	assert_int_equal(store_exec(n.db, "UPDATE stations SET max_seq = 12 WHERE id = 'S-CNT'",
	                     err, sizeof(err)),
	    0);
	assert_int_equal(held_kept(&n, "S-CNT", &counted), 10);
	assert_int_equal(counted, 10);
	/* the answer costs no more with 5,000 rows more above the mark (before
	 * rev101 each heartbeat read them all): steps, not time */
	{
		int64_t held = 0, few = held_steps(&n, "S-CNT", &held), many;

		assert_int_equal(held, 10);
		assert_int_equal(
		    store_exec(n.db,
		        "WITH RECURSIVE s(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM s"
		        " WHERE i < 5099) INSERT INTO records (station, seq, uuid, kind,"
		        " created_ms, received_ms) SELECT 'S-CNT', i, 'cnt-r' || i,"
		        " 'event', 1, 1 FROM s; UPDATE stations SET max_seq = 5099 WHERE"
		        " id = 'S-CNT'",
		        err, sizeof(err)),
		    0);
		many = held_steps(&n, "S-CNT", &held);
		assert_int_equal(held, 5010);
		assert_true(many <= few + 8);
		assert_int_equal(store_exec(n.db,
		                     "DELETE FROM records WHERE station = 'S-CNT' AND seq >= 100;"
		                     " UPDATE stations SET max_seq = 12 WHERE id = 'S-CNT'",
		                     err, sizeof(err)),
		    0);
	}
	/* deleted by hand: the life event at 12 goes, the one at 5 leaves
	 * the record there */
	assert_int_equal(store_exec(n.db,
	                     "DELETE FROM life_events WHERE source = 'S-CNT' AND seq IN (5, 12)",
	                     err, sizeof(err)),
	    0);
	assert_int_equal(held_kept(&n, "S-CNT", &counted), 9);
	assert_int_equal(counted, 9);
	store_close(n.db);

	/* a database of before 033 (or restored from a backup of before) */
	assert_int_equal(
	    fixture_schema_upto(schema_county, 30, upto30, sizeof(upto30) / sizeof(upto30[0])), 0);
	assert_int_equal(fixture_db_open(dir, "held30.db", upto30, &c.db, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(old_rows) / sizeof(old_rows[0]); i++)
		fixture_exec(c.db, old_rows[i]);
	store_close(c.db);
	assert_int_equal(countydb_open(&c, dir, "held30.db", &config, err, sizeof(err)), 0);
	assert_true(store_user_version(c.db) >= 33);
	assert_int_equal(held_kept(&c, "H1", &counted), 5);
	assert_int_equal(counted, 5);
	assert_int_equal(held_kept(&c, "H2", &counted), 0);
	assert_int_equal(counted, 0);
	store_close(c.db);
}

/*
 * Migration 022 carries the heartbeats held before it over as the newest
 * of each station's minute (the highest id), and a heartbeat after it goes
 * into its minute's row.
 */
static void
heartbeats_held_before_022_keep_the_newest_of_each_minute(void **state)
{
	static const char *const old_rows[] = {
		"INSERT INTO stations (id, township, created_ms) VALUES ('M1', 'TA', 0)",
		/* M1: 500 in minute 29938333 (a flood), 1 in the next; M2: 1 in the first */
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)"
		" INSERT INTO heartbeats (station, at_ms, received_ms, backlog, oldest_ms, last_ack,"
		" registry_version, status)"
		" SELECT 'M1', 1796300000000 + i, 1796299980000 + i * 100, i, 0, 0, 0, 'flood ' || i"
		" FROM n",
		"INSERT INTO heartbeats (station, at_ms, received_ms, backlog, oldest_ms, last_ack,"
		" registry_version, status) VALUES"
		" ('M1', 1796300060000, 1796300040000, 0, 0, 0, 3, 'next minute'),"
		" ('M2', 1796299990000, 1796299990000, 0, 0, 0, 3, 'other station')",
	};
	struct county_db c = { .config = &config };
	struct store_migration upto19[32];
	struct wire_heartbeat hb;
	char err[256];
	int alerts, written;
	size_t i;

	(void)state;
	assert_int_equal(
	    fixture_schema_upto(schema_county, 19, upto19, sizeof(upto19) / sizeof(upto19[0])), 0);
	assert_int_equal(fixture_db_open(dir, "beats19.db", upto19, &c.db, err, sizeof(err)), 0);
	assert_int_equal(store_user_version(c.db), 19);
	for (i = 0; i < sizeof(old_rows) / sizeof(old_rows[0]); i++)
		fixture_exec(c.db, old_rows[i]);
	store_close(c.db);

	assert_int_equal(countydb_open(&c, dir, "beats19.db", &config, err, sizeof(err)), 0);
	assert_true(store_user_version(c.db) >= 22);
	assert_int_equal(store_query_int(c.db, "SELECT count(*) FROM heartbeats", -1), 3);
	assert_int_equal(store_query_int(c.db,
	                     "SELECT count(*) FROM heartbeats WHERE station = 'M1'"
	                     " AND slot = 29938333 AND status = 'flood 500' AND backlog = 500"
	                     " AND received_ms = 1796300030000",
	                     -1),
	    1);
	assert_int_equal(store_query_int(c.db,
	                     "SELECT count(*) FROM heartbeats WHERE (station, slot, status) IN"
	                     " (VALUES ('M1', 29938334, 'next minute'),"
	                     " ('M2', 29938333, 'other station'))",
	                     -1),
	    2);
	/* a heartbeat now: a row of its own minute, and again the same row */
	memset(&hb, 0, sizeof(hb));
	str_copy(hb.township, "TA", sizeof(hb.township));
	for (i = 0; i < 3; i++) {
		hb.at_ms = time_wall_ms();
		hb.backlog = (int64_t)i;
		assert_int_equal(
		    county_heartbeat(&c, "M1", &hb, &alerts, &written, err, sizeof(err)),
		    COUNTY_DONE);
	}
	assert_in_range(
	    store_query_int(c.db, "SELECT count(*) FROM heartbeats WHERE station = 'M1'", -1), 3,
	    4);
	assert_int_equal(store_query_int(c.db,
	                     "SELECT backlog FROM heartbeats WHERE station = 'M1'"
	                     " ORDER BY slot DESC LIMIT 1",
	                     -1),
	    2);
	store_close(c.db);
}

/*
 * Item 4: a resend that does not match what is held is recorded (both
 * digests, when, the session) once per version and raises C06 to the
 * county's queue, which the regulator reads under an audit row; the same
 * record again is only a duplicate.
 */
static void
a_conflicting_resend_is_recorded_and_alerted(void **state)
{
	struct wire_alert_list l;
	struct wire_batch b;
	struct wire_ack ack;
	char err[256];
	int alerts;

	(void)state;
	one_batch(&b, "TA", 1);
	own_record(&b.records[0], 1, 0x81, "CONF-9");
	assert_int_equal(
	    county_ingest(&cdb, "K1", "station:K1 from here", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	/* the same again: a duplicate, nothing else */
	assert_int_equal(
	    county_ingest(&cdb, "K1", "station:K1 from here", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	assert_int_equal(ack.duplicates, 1);
	assert_int_equal(store_query_int(cdb.db, "SELECT count(*) FROM conflicts", -1), 0);
	/* another net, twice: one conflict, one C06 */
	b.records[0].fill.net_kg = 11.2;
	for (int i = 0; i < 2; i++)
		assert_int_equal(county_ingest(&cdb, "K1", "station:K1 from there", &b, &ack,
		                     &alerts, err, sizeof(err)),
		    COUNTY_DONE);
	assert_int_equal(ack.duplicates, 1);
	assert_int_equal(
	    store_query_int(cdb.db,
	        "SELECT count(*) FROM conflicts c JOIN records r ON r.station = 'K1'"
	        " AND r.seq = 1 WHERE c.station = 'K1' AND c.seq = 1"
	        " AND c.held_digest = r.digest AND c.sent_digest <> r.digest"
	        " AND length(c.sent_digest) = 64 AND c.session = 'station:K1 from there'"
	        " AND c.at_ms > 0",
	        -1),
	    1);
	assert_true(store_query_int(cdb.db,
	                "SELECT net_kg = 14.9 FROM fills WHERE seq = 1 AND"
	                " station = 'K1'",
	                -1) == 1);
	/* its uuid again at seq 2 */
	b.records[0].seq = 2;
	assert_int_equal(county_ingest(&cdb, "K1", "s", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	assert_int_equal(alerts, 1);
	wire_batch_free(&b);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM conflicts WHERE station = 'K1' AND seq = 2"
	                     " AND held_seq = 1",
	                     -1),
	    1);
	assert_int_equal(county_queue(&cdb, "regulator:alice", 0, 100, &l, err, sizeof(err)), 0);
	assert_int_equal(l.count, 2);
	assert_string_equal(l.alerts[0].rule, "C06");
	assert_string_equal(l.alerts[0].township, "county");
	assert_non_null(strstr(l.alerts[0].text, "station:K1 from there"));
	assert_non_null(strstr(l.alerts[1].text, "sent with a held uuid"));
	wire_alerts_free(&l);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT results FROM audit WHERE query = 'queue'"
	                     " AND identity = 'regulator:alice'",
	                     -1),
	    2);
}

/* Version i of a fill of FLOOD-1 at seq (uuid made of tag 0x91 and seq, or
 * uuid when given; net 10.0 + i / 10), sent by station alone: answered as
 * held. */
static void
send_version(const char *station, int i, int64_t seq, const char *uuid)
{
	struct wire_batch b;
	struct wire_ack ack;
	char err[256];
	int alerts;

	one_batch(&b, "TA", 1);
	own_record(&b.records[0], seq, 0x91, "FLOOD-1");
	b.records[0].fill.net_kg = 10.0 + i * 0.1;
	if (uuid != NULL)
		str_copy(b.records[0].uuid, uuid, sizeof(b.records[0].uuid));
	assert_int_equal(
	    county_ingest(&cdb, station, "station flood", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	wire_batch_free(&b);
	/* answered as a retransmission is, within the bound or beyond it */
	assert_int_equal(ack.stored, 0);
	assert_int_equal(ack.duplicates, 1);
}

/*
 * A station with a real key sends version after version of one record the
 * county holds (other content, another uuid at its seq, its uuid at other
 * seqs): at most COUNTY_CONFLICT_VERSIONS_MAX are kept (a conflicts row and
 * a C06 alert each), the last saying further versions are not kept; the
 * rest store nothing and are still answered as held.  Its other record
 * keeps a bound of its own; versions of records another station holds are
 * bounded all together, however many of them it names.
 */
static void
a_flood_of_versions_of_one_record_keeps_at_most_the_bound(void **state)
{
	const int k = COUNTY_CONFLICT_VERSIONS_MAX;
	char held1[WIRE_UUID], held2[WIRE_UUID], text[WIRE_TEXT];
	struct wire_batch b;
	struct wire_ack ack;
	char err[256];
	int i;
	sqlite3_stmt *st;

	(void)state;
	one_batch(&b, "TA", 2);
	own_record(&b.records[0], 1, 0x91, "FLOOD-1");
	own_record(&b.records[1], 2, 0x91, "FLOOD-1");
	b.records[1].fill.net_kg = 12.0;
	str_copy(held1, b.records[0].uuid, sizeof(held1));
	str_copy(held2, b.records[1].uuid, sizeof(held2));
	assert_int_equal(ingest("K2", &b, err, sizeof(err)), COUNTY_DONE);
	for (i = 0; i < k + 5; i++) {
		char other[WIRE_UUID];

		snprintf(other, sizeof(other), "%08x-0000-4000-8000-%012x", 0x92, i);
		if (i % 3 == 0)
			send_version("K2", i, 1, NULL); /* other content */
		else if (i % 3 == 1)
			send_version("K2", i, 1, other); /* another uuid at seq 1 */
		else
			send_version("K2", i, 100 + i, held1); /* its uuid at another seq */
	}
	assert_int_equal(
	    store_query_int(cdb.db, "SELECT count(*) FROM conflicts WHERE station = 'K2'", -1), k);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM alerts WHERE rule = 'C06' AND station = 'K2'",
	                     -1),
	    k);
	/* the k-th says so; none before it */
	assert_int_equal(store_prepare(cdb.db,
	                     "SELECT text FROM alerts WHERE rule = 'C06' AND station = 'K2'"
	                     " ORDER BY id",
	                     &st, err, sizeof(err)),
	    0);
	for (i = 0; i < k; i++) {
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		str_copy(text, (const char *)sqlite3_column_text(st, 0), sizeof(text));
		if (i < k - 1)
			assert_null(strstr(text, "not kept"));
		else
			assert_non_null(
			    strstr(text, "further versions of this record are not kept"));
	}
	sqlite3_finalize(st);
	/* the first copy is kept; the mark did not move */
	assert_true(
	    store_query_int(cdb.db,
	        "SELECT net_kg = 14.9 FROM fills WHERE station = 'K2' AND seq = 1", -1) == 1);
	assert_int_equal(county_hwm(&cdb, "K2", &ack.hwm, err, sizeof(err)), 1);
	assert_int_equal(ack.hwm, 2);
	/* the bound is the record's: K2's seq 2 still has room */
	send_version("K2", 1, 2, held2);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM conflicts WHERE station = 'K2' AND held_seq = 2",
	                     -1),
	    1);
	/* K4 names K2's records again and again: k kept for all of them together */
	for (i = 0; i < k + 5; i++)
		send_version("K4", i, 1 + i, i % 2 == 0 ? held1 : held2);
	assert_int_equal(
	    store_query_int(cdb.db, "SELECT count(*) FROM conflicts WHERE station = 'K4'", -1), k);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM alerts WHERE rule = 'C06' AND station = 'K4'"
	                     " AND text LIKE '%another source holds%'",
	                     -1),
	    k);
	assert_int_equal(
	    store_query_int(cdb.db,
	        "SELECT count(*) FROM alerts WHERE rule = 'C06' AND station = 'K4'"
	        " AND text LIKE '%further versions of records other sources hold are not kept%'",
	        -1),
	    1);
}

/*
 * A station that sends another station's record exactly as that station
 * sent it (same uuid, same seq, same content) is not retransmitting: the
 * record is not its own.  It is a conflict with a record another source
 * holds (a conflicts row and a C06 alert, within the shared bound), and the
 * holder's copy is untouched.
 */
static void
another_stations_exact_record_is_no_retransmission(void **state)
{
	struct wire_batch b;
	struct wire_ack ack;
	char err[256];
	int alerts;

	(void)state;
	one_batch(&b, "TA", 1);
	own_record(&b.records[0], 1, 0xa1, "COPY-1");
	assert_int_equal(
	    county_ingest(&cdb, "K6", "station:K6", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	assert_int_equal(ack.stored, 1);
	assert_int_equal(
	    county_ingest(&cdb, "K7", "station:K7", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	assert_int_equal(ack.stored, 0);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM conflicts WHERE station = 'K7' AND seq = 1"
	                     " AND held_seq = 1 AND held_elsewhere = 'K6'",
	                     -1),
	    1);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM alerts WHERE rule = 'C06' AND station = 'K7'"
	                     " AND text LIKE '%another source holds%'",
	                     -1),
	    1);
	assert_int_equal(
	    store_query_int(cdb.db,
	        "SELECT count(*) FROM records WHERE seq = 1 AND station IN ('K6', 'K7')"
	        " AND uuid = (SELECT uuid FROM records WHERE station = 'K6')",
	        -1),
	    1);
	/* K6 sending it again is still only a duplicate */
	assert_int_equal(
	    county_ingest(&cdb, "K6", "station:K6", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	wire_batch_free(&b);
	assert_int_equal(ack.duplicates, 1);
	assert_int_equal(
	    store_query_int(cdb.db, "SELECT count(*) FROM conflicts WHERE station = 'K6'", -1), 0);
}

/*
 * Item 6: what cannot be true is refused with the record and field named,
 * nothing of the batch stored; under UBSan a start at INT64_MIN used to
 * overflow C01's window.
 */
static void
implausible_records_are_refused_with_the_field_named(void **state)
{
	static const struct {
		const char *field, *value; /* a key of the record as batchgen names it */
		const char *named;         /* what the refusal must say */
	} rows[] = {
		{ "net", "-14.9", "net -14.900 kg" },
		{ "net", "1e9", "net 1000000000.000 kg" },
		{ "net", "nan", "net nan kg" },
		{ "start", "2126", "start " },
		{ "start", "min", "start -9223372036854775808" },
		{ "end", "min", "end -9223372036854775808" },
		{ "at", "min", "at -9223372036854775808" },
		{ "result", "bogus", "result is not one of" },
		{ "bkind", "alien", "bkind is not household" },
		/* V7 (review rev102): the field named, the number never quoted (below) */
		{ "bkind", "110105491231002", "bkind is not household" },
		{ "masked", "110105194912310089", "masked: holds what looks like an ID number" },
		{ "masked", "110*0089", "masked: not a masked number" },
		{ "btown", "110105491231002", "btown: holds what looks like an ID number" },
		{ "line", "999999", "line 999999" },
		{ "seq", "max", "seq is more than 100000 beyond" },
		{ "seq", "100002", "seq is more than 100000 beyond" },
		{ "uuid", "u1", "uuid is not a UUID" },
		{ "kind", "bogus", "kind 'bogus'" },
		{ "viol.line", "-1", "viol 0: line -1" },
		{ "viol.at", "min", "viol 0: at -9223372036854775808" },
		{ NULL, NULL, NULL },
	};
	int64_t before = store_query_int(cdb.db, "SELECT count(*) FROM records", -1);
	struct wire_batch b;
	struct wire_record *r;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; rows[i].field != NULL; i++) {
		const char *f = rows[i].field, *v = rows[i].value;

		one_batch(&b, "TA", 1);
		r = &b.records[0];
		own_record(r, 1, 0x91, "BOUNDS-1");
		own_violations(r, 1, "R21", "flag", "", NULL);
		if (strcmp(f, "net") == 0)
			r->fill.net_kg = strtod(v, NULL);
		else if (strcmp(f, "start") == 0)
			r->fill.started_ms = strcmp(v, "min") == 0 ? INT64_MIN : 4955328000000LL;
		else if (strcmp(f, "end") == 0)
			r->fill.ended_ms = INT64_MIN;
		else if (strcmp(f, "at") == 0)
			r->created_ms = INT64_MIN;
		else if (strcmp(f, "result") == 0)
			str_copy(r->fill.result, v, sizeof(r->fill.result));
		else if (strcmp(f, "bkind") == 0)
			str_copy(r->fill.buyer_kind, v, sizeof(r->fill.buyer_kind));
		else if (strcmp(f, "masked") == 0)
			str_copy(r->fill.buyer_masked, v, sizeof(r->fill.buyer_masked));
		else if (strcmp(f, "btown") == 0)
			str_copy(r->fill.buyer_township, v, sizeof(r->fill.buyer_township));
		else if (strcmp(f, "line") == 0)
			r->fill.line = atoi(v);
		else if (strcmp(f, "seq") == 0)
			r->seq = strcmp(v, "max") == 0 ? INT64_MAX : atoll(v);
		else if (strcmp(f, "uuid") == 0)
			str_copy(r->uuid, v, sizeof(r->uuid));
		else if (strcmp(f, "kind") == 0)
			str_copy(r->kind, v, sizeof(r->kind));
		else if (strcmp(f, "viol.line") == 0)
			r->violations[0].line = atoi(v);
		else if (strcmp(f, "viol.at") == 0)
			r->violations[0].at_ms = INT64_MIN;
		err[0] = '\0';
		if (ingest("B1", &b, err, sizeof(err)) != COUNTY_REFUSED)
			fail_msg("row %zu (%s %s): not refused", i, f, v);
		if (strstr(err, rows[i].named) == NULL || strstr(err, "record 0 (seq ") == NULL)
			fail_msg("row %zu (%s %s): refusal '%s' does not name '%s'", i, f, v, err,
			    rows[i].named);
		if (strlen(v) >= 15 && strstr(err, v) != NULL)
			fail_msg("row %zu (%s): the refusal quotes the number", i, f);
	}
	assert_int_equal(store_query_int(cdb.db, "SELECT count(*) FROM records", -1), before);
	/* the same record, true, is stored */
	one_batch(&b, "TA", 1);
	own_record(&b.records[0], 1, 0x91, "BOUNDS-1");
	assert_int_equal(ingest("B1", &b, err, sizeof(err)), COUNTY_DONE);
}

/* The township's open cases as gascounty answers gaswatch (CBOR rendered as JSON): 0 when
 * the answer renders, -1 when it does not. */
static int
case_list_renders_as_json(const char *township)
{
	struct access_scope scope = { .reach = ACCESS_REACH_OWN };
	struct cases_news news;
	uint8_t *cbor = NULL;
	char *json = NULL, err[256];
	size_t len = 0;
	int rc;

	str_copy(scope.township, township, sizeof(scope.township));
	assert_int_equal(cases_from_alerts(&cdb, NULL, time_wall_ms(), &news, err, sizeof(err)), 0);
	assert_int_equal(cases_list(&cdb, &scope, "officer:o@TA", CASES_VIEW_OPEN, time_wall_ms(),
	                     500, &cbor, &len, err, sizeof(err)),
	    0);
	rc = wire_cbor_to_json(cbor, len, &json, err, sizeof(err));
	free(cbor);
	free(json);
	return rc;
}

/*
 * A station's texts are outside input too: a text of a record that is not UTF-8, or holds a
 * control character, is refused with the field named, and nothing of the batch is stored.
 * Taken in, one byte 0xff in an R05's details became its alert's text and its case's title,
 * and the JSON gascounty renders for gaswatch failed for the township's whole case list
 * (5.00): the station hid every case of its township from the officers' command line; an
 * escape sequence would have reached the officer's terminal.
 */
static void
texts_that_are_not_utf8_text_are_refused(void **state)
{
	static const struct {
		const char *field, *value; /* the wire key, as docs/protocol.md names it */
	} rows[] = {
		{ "cyl", "CYL\xff" },
		{ "op", "OP\x1b[2K" },
		{ "masked", "330\xc3(" },
		{ "masked", "330\xed\xa0\x80" }, /* a surrogate */
		{ "details", "over the \xff limit" },
		{ "details", "\x1b[1A\x1b[2Kall is well" },
		{ "viol cyl", "C\x7f" },
		{ "viol masked", "\xc0\xb0" }, /* an overlong '0' */
		{ NULL, NULL },
	};
	int64_t before = store_query_int(cdb.db, "SELECT count(*) FROM records", -1);
	struct wire_batch b;
	struct wire_record *r;
	char err[256], named[32];
	size_t i;

	(void)state;
	for (i = 0; rows[i].field != NULL; i++) {
		const char *f = rows[i].field, *v = rows[i].value;
		struct wire_violation *viol;

		one_batch(&b, "TA", 1);
		r = &b.records[0];
		own_record(r, 1, 0x95, "TEXT-1");
		own_violations(r, 1, "R05", "alert", "", NULL);
		viol = &r->violations[0];
		str_copy(viol->details, "inspection overdue", sizeof(viol->details));
		if (strcmp(f, "cyl") == 0)
			str_copy(r->fill.cylinder, v, sizeof(r->fill.cylinder));
		else if (strcmp(f, "op") == 0)
			str_copy(r->fill.operator_cert, v, sizeof(r->fill.operator_cert));
		else if (strcmp(f, "masked") == 0)
			str_copy(r->fill.buyer_masked, v, sizeof(r->fill.buyer_masked));
		else if (strcmp(f, "details") == 0)
			str_copy(viol->details, v, sizeof(viol->details));
		else if (strcmp(f, "viol cyl") == 0)
			str_copy(viol->cylinder, v, sizeof(viol->cylinder));
		else if (strcmp(f, "viol masked") == 0)
			str_copy(viol->buyer_masked, v, sizeof(viol->buyer_masked));
		err[0] = '\0';
		if (ingest("T1", &b, err, sizeof(err)) != COUNTY_REFUSED)
			fail_msg("row %zu (%s): not refused", i, f);
		snprintf(named, sizeof(named), "%s: not UTF-8 text",
		    strrchr(f, ' ') != NULL ? strrchr(f, ' ') + 1 : f);
		if (strstr(err, named) == NULL || strstr(err, "record 0 (seq ") == NULL)
			fail_msg("row %zu (%s): refusal '%s' does not name '%s'", i, f, err, named);
		assert_int_equal(case_list_renders_as_json("TA"), 0);
	}
	assert_int_equal(store_query_int(cdb.db, "SELECT count(*) FROM records", -1), before);
	assert_int_equal(
	    store_query_int(cdb.db, "SELECT count(*) FROM alerts WHERE station = 'T1'", -1), 0);
	/* a heartbeat's status is shown with the station: the same */
	{
		struct wire_heartbeat hb;
		int alerts, written;

		memset(&hb, 0, sizeof(hb));
		str_copy(hb.township, "TA", sizeof(hb.township));
		hb.at_ms = time_wall_ms();
		str_copy(hb.status, "2 lines\x1b]0;owned\x07", sizeof(hb.status));
		assert_int_equal(
		    county_heartbeat(&cdb, "T1", &hb, &alerts, &written, err, sizeof(err)),
		    COUNTY_REFUSED);
		assert_non_null(strstr(err, "status: not UTF-8 text"));
		assert_int_equal(store_query_int(cdb.db,
		                     "SELECT count(*) FROM heartbeats WHERE station = 'T1'", -1),
		    0);
		str_copy(hb.status, "2 lines, 0 faults", sizeof(hb.status));
		assert_int_equal(
		    county_heartbeat(&cdb, "T1", &hb, &alerts, &written, err, sizeof(err)),
		    COUNTY_DONE);
	}
	/* the same record with true text (Chinese, a line break in the details) is stored, and
	 * the list with its case renders */
	one_batch(&b, "TA", 1);
	r = &b.records[0];
	own_record(r, 1, 0x95, "TEXT-1");
	own_violations(r, 1, "R05", "alert", "", NULL);
	str_copy(r->fill.operator_cert, "操作员 01", sizeof(r->fill.operator_cert));
	str_copy(r->violations[0].details, "检验过期\n2023-01-01",
	    sizeof(r->violations[0].details));
	assert_int_equal(ingest("T1", &b, err, sizeof(err)), COUNTY_DONE);
	assert_int_equal(case_list_renders_as_json("TA"), 0);
	assert_int_equal(
	    store_query_int(cdb.db,
	        "SELECT count(*) FROM cases c JOIN case_alerts ca ON ca.case_id = c.id"
	        " JOIN alerts a ON a.id = ca.alert WHERE a.station = 'T1' AND a.rule = 'R05'",
	        -1),
	    1);
}

/* Item 6: suspicious, not impossible: a fill of a cylinder the county
 * registry does not know raises C05 to the station's township. */
static void
an_unregistered_cylinder_filled_is_a_county_alert(void **state)
{
	struct wire_batch b;
	char err[256];

	(void)state;
	assert_int_equal(
	    county_registry_set(&cdb, "REG-1", "active", NULL, NULL, NULL, "t", err, sizeof(err)),
	    0);
	one_batch(&b, "TA", 2);
	own_record(&b.records[0], 1, 0xa1, "REG-1");
	own_record(&b.records[1], 2, 0xa1, "NOREG-1");
	assert_int_equal(ingest("R1", &b, err, sizeof(err)), COUNTY_DONE);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM alerts WHERE rule = 'C05' AND station = 'R1'"
	                     " AND cylinder = 'NOREG-1' AND township = 'TA'"
	                     " AND source = 'county:C05:R1:2'",
	                     -1),
	    1);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM alerts WHERE rule = 'C05' AND station = 'R1'",
	                     -1),
	    1);
}

/* ---- what a trace costs (issue 18) --------------------------------------------- */

/* Fills first..last of station S1 as the county stores them (each
 * carrying its record's kind and time, 012), each with a violation naming
 * its cylinder: CYL0..CYL9 up to seq 200, one cylinder each after that
 * (the rest of a growing county). */
static void
insert_fills(sqlite3 *db, int first, int last)
{
	static const char *const steps[] = {
		"INSERT INTO records (station, seq, uuid, kind, created_ms, received_ms)"
		" SELECT 'S1', i, printf('%08x-0000-4000-8000-000000000000', i), 'fill',"
		" 1795700000000 + i * 1000 + 90000, 1795700000000 + i * 1000 FROM n",
		"INSERT INTO fills (uuid, station, seq, line, cylinder, started_ms, result,"
		" record_kind, record_created_ms)"
		" SELECT printf('%08x-0000-4000-8000-000000000000', i), 'S1', i, 1,"
		" CASE WHEN i <= 200 THEN 'CYL' || (i % 10) ELSE 'OTHER' || i END,"
		" 1795700000000 + i * 1000, 'ok', 'fill', 1795700000000 + i * 1000 + 90000 FROM n",
		"INSERT INTO violations (uuid, event, station, rule, severity, township, cylinder,"
		" at_ms) SELECT printf('%08x-0000-4000-9000-000000000000', i),"
		" printf('%08x-0000-4000-8000-000000000000', i), 'S1', 'R21', 'flag', 'TA',"
		" CASE WHEN i <= 200 THEN 'CYL' || (i % 10) ELSE 'OTHER' || i END,"
		" 1795700000000 + i * 1000 FROM n",
	};
	char err[256];
	size_t i;

	assert_int_equal(store_begin(db, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		fixture_execf(db,
		    "WITH RECURSIVE n(i) AS (SELECT %d UNION ALL SELECT i + 1 FROM n WHERE i < %d) %s",
		    first, last, steps[i]);
	assert_int_equal(store_commit(db, err, sizeof(err)), 0);
}

/* A new county database NAME in the test folder, open in c, holding
 * station S1's fills 1..fills (insert_fills). */
static void
filled_county(struct county_db *c, const char *name, int fills)
{
	char err[256];

	assert_int_equal(countydb_open(c, dir, name, &config, err, sizeof(err)), 0);
	fixture_exec(c->db,
	    "INSERT INTO stations (id, township, created_ms) VALUES ('S1', 'TA', 0)");
	insert_fills(c->db, 1, fills);
}

/* The pages (SQLite's page cache hits and misses) one trace of cyl takes,
 * checking it finds its 20 fills, each with its violation. */
static int
trace_pages(struct county_db *c, const char *cyl)
{
	int hit0, miss0, hit1, miss1, high;
	struct wire_trace t;
	char err[256];

	sqlite3_db_status(c->db, SQLITE_DBSTATUS_CACHE_HIT, &hit0, &high, 0);
	sqlite3_db_status(c->db, SQLITE_DBSTATUS_CACHE_MISS, &miss0, &high, 0);
	if (county_trace(c, "regulator:cost", "cylinder", cyl, 0, INT64_MAX, NULL, &t, err,
	        sizeof(err)) == -1)
		fail_msg("trace %s: %s", cyl, err);
	sqlite3_db_status(c->db, SQLITE_DBSTATUS_CACHE_HIT, &hit1, &high, 0);
	sqlite3_db_status(c->db, SQLITE_DBSTATUS_CACHE_MISS, &miss1, &high, 0);
	assert_int_equal(t.count, 20);
	assert_int_equal(t.records[19].violation_count, 1);
	wire_trace_free(&t);
	return (hit1 - hit0) + (miss1 - miss0);
}

/*
 * A trace walks indexes only: the pages it takes among 60,200 fills are
 * those it took among 20,200 (give or take a level of a B-tree for each of
 * its 20 fills), where a scan of the violations table took some 1,100
 * more; and the trace's statement, kept on the connection, finds each
 * fill's record by its primary key.
 */
static void
a_trace_reads_no_whole_table(void **state)
{
	char err[256];
	struct county_db c = { .config = &config };
	sqlite3_stmt *st = NULL;
	int small, large, by_key = 0, kept = 0;

	(void)state;
	filled_county(&c, "cost.db", 20200);
	trace_pages(&c, "CYL3"); /* the first one reads the schema */
	small = trace_pages(&c, "CYL3");
	insert_fills(c.db, 20201, 60200);
	large = trace_pages(&c, "CYL3");
	if (large > small + 60)
		fail_msg("a trace took %d pages among 20,200 fills and %d among 60,200", small,
		    large);

	/* a buyer's and a station's trace too: until review rev102 the buyer's
	 * life events were a whole-table scan (the partial index by buyer is
	 * taken only when the query says buyer <> '') */
	{
		struct wire_trace t;

		assert_int_equal(
		    county_trace(&c, "regulator:cost", "buyer",
		        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 0,
		        INT64_MAX, NULL, &t, err, sizeof(err)),
		    COUNTY_DONE);
		wire_trace_free(&t);
		assert_int_equal(county_trace(&c, "regulator:cost", "station", "S1", 0, INT64_MAX,
		                     NULL, &t, err, sizeof(err)),
		    COUNTY_DONE);
		wire_trace_free(&t);
	}
	/* the traces' statements (fills, other records, life events; by
	 * cylinder, buyer and station), kept on the connection: each walks
	 * indexes, the fills' records by key */
	while ((st = sqlite3_next_stmt(c.db, st)) != NULL) {
		const char *sql = sqlite3_sql(st);
		char plan_sql[4096];
		sqlite3_stmt *plan = NULL;

		if (strncmp(sql, "SELECT f.uuid", 13) != 0 &&
		    strncmp(sql, "SELECT r.uuid", 13) != 0 &&
		    strncmp(sql, "SELECT l.uuid", 13) != 0)
			continue;
		kept++;
		snprintf(plan_sql, sizeof(plan_sql), "EXPLAIN QUERY PLAN %s", sql);
		assert_int_equal(store_prepare(c.db, plan_sql, &plan, err, sizeof(err)), 0);
		while (sqlite3_step(plan) == SQLITE_ROW) {
			const char *step = (const char *)sqlite3_column_text(plan, 3);

			if (strncmp(step, "SCAN ", 5) == 0 && strncmp(step, "SCAN (", 6) != 0)
				fail_msg("the trace reads a whole table: %s", step);
			/* a fill stored before 012 (LEFT-JOIN) */
			if (strncmp(step, "SEARCH r USING PRIMARY KEY (station=? AND seq=?)", 48) ==
			    0)
				by_key = 1;
		}
		sqlite3_finalize(plan);
	}
	if (kept != 9)
		fail_msg("%d of the traces' 9 statements kept on the connection", kept);
	assert_true(by_key);
	store_close(c.db);
}

/* What a trace said of each record, in a form two traces can be compared
 * in: uuid, station, seq, kind, created_ms, the fill's cylinder, start and
 * net, and the violations' uuids; one line per record into out. */
static void
trace_text(struct county_db *c, const char *cyl, char *out, size_t outlen)
{
	struct wire_trace t;
	char err[256];
	size_t i, j, len = 0;

	if (county_trace(c, "regulator:carry", "cylinder", cyl, 0, INT64_MAX, NULL, &t, err,
	        sizeof(err)) == -1)
		fail_msg("trace %s: %s", cyl, err);
	out[0] = '\0';
	for (i = 0; i < t.count; i++) {
		const struct wire_record *r = &t.records[i];

		len += (size_t)snprintf(out + len, outlen - len, "%s %s %lld %s %lld", r->uuid,
		    r->station, (long long)r->seq, r->kind, (long long)r->created_ms);
		if (r->has_fill)
			len += (size_t)snprintf(out + len, outlen - len, " fill %s %lld %.3f",
			    r->fill.cylinder, (long long)r->fill.started_ms, r->fill.net_kg);
		for (j = 0; j < r->violation_count; j++)
			len +=
			    (size_t)snprintf(out + len, outlen - len, " %s", r->violations[j].uuid);
		len += (size_t)snprintf(out + len, outlen - len, "\n");
		assert_true(len < outlen);
	}
	wire_trace_free(&t);
}

/*
 * Migration 012 on a county that already has fills (made at version 11):
 * it fills nothing in, the fills stored before it are traced through
 * their records as before, and the fills the ingest stores after it carry
 * their record's kind and time.  A trace over both is the trace over the
 * same fills all read through their records (what every trace was before
 * 012), record for record: the same rows, in the same order, with the
 * same kind and time (a fill the ingest stored with the wrong record time
 * or kind would differ).  A fill whose (station, seq) holds another
 * record than the fill's own is still not shown.
 */
static void
a_trace_over_fills_old_and_new_is_the_same(void **state)
{
	static const char *const old_rows[] = {
		"INSERT INTO stations (id, township, created_ms) VALUES ('S1', 'TA', 0)",
		/* seq 1..10: fills of CARRY-1 stored before 012, made 90 s after
		 * their start, every third with a violation */
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)"
		" INSERT INTO records (station, seq, uuid, kind, created_ms, received_ms)"
		" SELECT 'S1', i, printf('0000%04d-0000-4000-8000-000000000000', i), 'fill',"
		" 1795700000000 + i * 60000 + 90000, 0 FROM n",
		"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)"
		" INSERT INTO fills (uuid, station, seq, line, cylinder, started_ms, net_kg, result)"
		" SELECT printf('0000%04d-0000-4000-8000-000000000000', i), 'S1', i, 1, 'CARRY-1',"
		" 1795700000000 + i * 60000, 14.5, 'ok' FROM n",
		"INSERT INTO violations (uuid, event, station, rule, severity, township, cylinder,"
		" at_ms) SELECT 'f' || substr(uuid, 2), uuid, 'S1', 'R21', 'flag', 'TA', 'CARRY-1', started_ms"
		" FROM fills WHERE seq % 3 = 0",
		/* seq 11 says it is the fill 0000-0012, whose record is seq 12:
		 * not the record at (S1, 11), so not shown */
		"INSERT INTO records (station, seq, uuid, kind, created_ms, received_ms) VALUES"
		" ('S1', 11, '00000011-0000-4000-8000-000000000000', 'event', 1795701000000, 0),"
		" ('S1', 12, '00000012-0000-4000-8000-000000000000', 'fill', 1795701000000, 0)",
		"INSERT INTO fills (uuid, station, seq, line, cylinder, started_ms, result) VALUES"
		" ('00000012-0000-4000-8000-000000000000', 'S1', 11, 1, 'CARRY-1', 1795700900000,"
		" 'ok')",
	};
	struct county_db c = { .config = &config };
	struct store_migration upto11[32];
	struct wire_batch b;
	struct wire_ack ack;
	char err[256], uuid[40], mixed[8192], joined[8192];
	int alerts;
	size_t n, i;

	(void)state;
	assert_int_equal(
	    fixture_schema_upto(schema_county, 11, upto11, sizeof(upto11) / sizeof(upto11[0])), 0);
	assert_int_equal(fixture_db_open(dir, "carry.db", upto11, &c.db, err, sizeof(err)), 0);
	assert_int_equal(store_user_version(c.db), 11);
	for (i = 0; i < sizeof(old_rows) / sizeof(old_rows[0]); i++)
		fixture_exec(c.db, old_rows[i]);
	store_close(c.db);

	assert_int_equal(countydb_open(&c, dir, "carry.db", &config, err, sizeof(err)), 0);
	assert_true(store_user_version(c.db) >= 12);
	assert_int_equal(store_query_int(c.db,
	                     "SELECT count(*) FROM fills WHERE record_kind IS NULL"
	                     " AND record_created_ms IS NULL",
	                     -1),
	    11);

	/* seq 13..22 through the ingest: fills of CARRY-1 (every third with
	 * violations), the last of them an event that came with a fill */
	one_batch(&b, "TA", 10);
	for (i = 0; i < b.count; i++) {
		snprintf(uuid, sizeof(uuid), "0000%04zu-0000-4000-8000-000000000000", i + 13);
		trace_record(&b.records[i], (int64_t)i + 13, uuid, 1,
		    1795700000000 + (int64_t)(i + 13) * 60000, "CARRY-1");
	}
	str_copy(b.records[9].kind, "event", sizeof(b.records[9].kind));
	assert_int_equal(county_ingest(&c, "S1", "test", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	wire_batch_free(&b);
	assert_int_equal(store_query_int(c.db,
	                     "SELECT count(*) FROM fills f JOIN records r ON r.uuid = f.uuid"
	                     " AND r.station = f.station AND r.seq = f.seq"
	                     " WHERE f.record_kind = r.kind AND f.record_created_ms = r.created_ms"
	                     " AND f.record_created_ms = f.started_ms + 90000",
	                     -1),
	    10);

	trace_text(&c, "CARRY-1", mixed, sizeof(mixed));
	fixture_exec(c.db, "UPDATE fills SET record_kind = NULL, record_created_ms = NULL");
	trace_text(&c, "CARRY-1", joined, sizeof(joined));
	assert_string_equal(mixed, joined);
	/* and it is the trace it should be: 20 fills, not the one at (S1, 11),
	 * each with its record's time, the last an event */
	for (n = 0, i = 0; mixed[i] != '\0'; i++)
		n += mixed[i] == '\n';
	assert_int_equal(n, 20);
	assert_null(strstr(mixed, " S1 11 "));
	assert_non_null(strstr(mixed, "00000001-0000-4000-8000-000000000000 S1 1 fill 1795700150000"
	                              " fill CARRY-1 1795700060000 14.500\n"));
	assert_non_null(strstr(mixed, " fill CARRY-1 1795700180000 14.500"
	                              " f0000003-0000-4000-8000-000000000000\n"));
	assert_non_null(
	    strstr(mixed, "00000015-0000-4000-8000-000000000000 S1 15 fill 1795700990000"
	                  " fill CARRY-1 1795700900000 14.841 00000015-a000"));
	assert_non_null(strstr(mixed, "00000022-0000-4000-8000-000000000000 S1 22 event"
	                              " 1795701410000 fill CARRY-1 1795701320000 14.841\n"));
	store_close(c.db);
}

/*
 * A fill that carries its record's kind and time is read alone: a trace of
 * 20 such fills takes at least a page fewer for each of them than the same
 * trace once they carry nothing (stored before 012), when each fill's
 * record is searched in the records' B-tree.
 */
static void
a_fill_carries_its_records_time(void **state)
{
	struct county_db c = { .config = &config };
	int carried, joined;

	(void)state;
	filled_county(&c, "carried.db", 20200);
	trace_pages(&c, "CYL3"); /* the first one reads the schema */
	carried = trace_pages(&c, "CYL3");
	fixture_exec(c.db, "UPDATE fills SET record_kind = NULL, record_created_ms = NULL"
	                   " WHERE cylinder = 'CYL3'");
	trace_pages(&c, "CYL3");
	joined = trace_pages(&c, "CYL3");
	if (carried + 20 > joined)
		fail_msg("a trace of 20 fills took %d pages with their records' time and %d"
		         " without",
		    carried, joined);
	store_close(c.db);
}

/*
 * A trace's three parts (fills, other records, life events) come as one
 * order: time, then station as text byte by byte ("S1" < "S10" < "S2"),
 * then seq; where a fill and a life event share all three the fill comes
 * first, then the life event, then another record.  Each part alone is in
 * order; only their merge makes this one.
 */
static void
a_trace_merges_fills_records_and_life_in_one_order(void **state)
{
	static const char *const rows[] = {
		"INSERT INTO stations (id, township, created_ms) VALUES ('S1', 'TA', 0),"
		" ('S10', 'TA', 0), ('S2', 'TA', 0), ('S9', 'TA', 0)",
		"INSERT INTO records (station, seq, uuid, kind, created_ms, received_ms) VALUES"
		" ('S9', 1, 'u-s9-1', 'fill', 5, 0), ('S1', 5, 'u-s1-5', 'fill', 7, 0),"
		" ('S1', 6, 'u-s1-6', 'refusal', 1000, 0), ('S10', 2, 'u-s10-2', 'fill', 9, 0),"
		" ('S2', 1, 'u-s2-1', 'event', 1000, 0), ('S1', 7, 'u-s1-7', 'refusal', 2000, 0)",
		"INSERT INTO fills (uuid, station, seq, line, cylinder, started_ms, result) VALUES"
		" ('u-s9-1', 'S9', 1, 1, 'MIX-1', 999, 'ok'), ('u-s1-5', 'S1', 5, 1, 'MIX-1', 1000, 'ok'),"
		" ('u-s10-2', 'S10', 2, 1, 'MIX-1', 1000, 'ok')",
		"INSERT INTO violations (uuid, event, station, rule, severity, cylinder, at_ms) VALUES"
		" ('v1', 'u-s1-6', 'S1', 'R05', 'alert', 'MIX-1', 1000),"
		" ('v2', 'u-s2-1', 'S2', 'R05', 'alert', 'MIX-1', 1000),"
		" ('v3', 'u-s1-7', 'S1', 'R05', 'alert', 'MIX-1', 2000)",
		"INSERT INTO life_events (source, seq, uuid, event, serial, at_ms, rule_ms,"
		" stored_ms) VALUES"
		" ('S1', 5, 'l-s1-5', 'handed_over', 'MIX-1', 1000, 1000, 0),"
		" ('S10', 1, 'l-s10-1', 'returned', 'MIX-1', 1000, 1000, 0),"
		" ('S1', 8, 'l-s1-8', 'returned', 'MIX-1', 1500, 1500, 0)",
	};
	static const char *const expected[] = { "u-s9-1", "u-s1-5", "l-s1-5", "u-s1-6", "l-s10-1",
		"u-s10-2", "u-s2-1", "l-s1-8", "u-s1-7" };
	const size_t n = sizeof(expected) / sizeof(expected[0]);
	struct county_db c = { .config = &config };
	struct wire_trace t;
	char err[256];
	size_t i;

	(void)state;
	assert_int_equal(countydb_open(&c, dir, "merge.db", &config, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		fixture_exec(c.db, rows[i]);
	assert_int_equal(county_trace(&c, "regulator:merge", "cylinder", "MIX-1", 0, INT64_MAX,
	                     NULL, &t, err, sizeof(err)),
	    0);
	if (t.count != n)
		fail_msg("%zu records, expected %zu", t.count, n);
	for (i = 0; i < n; i++)
		if (strcmp(t.records[i].uuid, expected[i]) != 0)
			fail_msg("record %zu is %s, expected %s", i, t.records[i].uuid,
			    expected[i]);
	assert_false(t.more);
	wire_trace_free(&t);
	/* cut at 4: the fourth is the first of the rest, the cursor its place */
	config.max_trace = 4;
	assert_int_equal(county_trace(&c, "regulator:merge", "cylinder", "MIX-1", 0, INT64_MAX,
	                     NULL, &t, err, sizeof(err)),
	    0);
	config.max_trace = 2000;
	assert_int_equal(t.count, 4);
	assert_true(t.more);
	assert_string_equal(t.records[3].uuid, "u-s1-6");
	wire_trace_free(&t);
	store_close(c.db);
}

#define DUP_T0 1796000000000LL /* the time the records below are made around */

/* A record of the test below at station D1's seq: kind, a fill of fill_cyl
 * for buyer BUYER-D started at start (none when fill_cyl is NULL), made at
 * made, with one violation naming cylinder DUP-1 and buyer BUYER-D when
 * named. */
static void
dup_record(struct wire_record *r, int64_t seq, const char *kind, const char *fill_cyl,
    int64_t start, int64_t made, int named)
{
	memset(r, 0, sizeof(*r));
	r->seq = seq;
	snprintf(r->uuid, sizeof(r->uuid), "d0000000-0000-4000-8000-%012lld", (long long)seq);
	str_copy(r->kind, kind, sizeof(r->kind));
	r->created_ms = made;
	if (fill_cyl != NULL) {
		r->has_fill = 1;
		r->fill.line = 1;
		str_copy(r->fill.cylinder, fill_cyl, sizeof(r->fill.cylinder));
		str_copy(r->fill.buyer, "BUYER-D", sizeof(r->fill.buyer));
		r->fill.started_ms = start;
		r->fill.net_kg = 14.5;
		str_copy(r->fill.result, "ok", sizeof(r->fill.result));
	}
	if (named) {
		r->violation_count = 1;
		r->violations = calloc(1, sizeof(*r->violations));
		snprintf(r->violations[0].uuid, sizeof(r->violations[0].uuid),
		    "d0000000-0000-4000-9000-%012lld", (long long)seq);
		str_copy(r->violations[0].rule, "R05", sizeof(r->violations[0].rule));
		str_copy(r->violations[0].severity, "refuse", sizeof(r->violations[0].severity));
		str_copy(r->violations[0].cylinder, "DUP-1", sizeof(r->violations[0].cylinder));
		str_copy(r->violations[0].buyer, "BUYER-D", sizeof(r->violations[0].buyer));
		r->violations[0].at_ms = made;
	}
}

/* A trace of key from from_ms on, walked in pages of page records (0: the
 * whole in one), as one line per record: seq, kind, "fill" and its
 * cylinder when it came with its fill, its violations' count; the records
 * it counted into *results (what the audit rows say). */
static void
dup_trace(struct county_db *c, const char *query, const char *key, int64_t from_ms, int page,
    char *out, size_t outlen, int64_t *results)
{
	struct wire_trace t;
	struct wire_cursor cursor, *after = NULL;
	char err[256];
	size_t i, len = 0;

	out[0] = '\0';
	*results = 0;
	config.max_trace = page > 0 ? page : 2000;
	do {
		if (county_trace(c, "regulator:dup", query, key, from_ms, INT64_MAX, after, &t, err,
		        sizeof(err)) == -1)
			fail_msg("%s trace %s: %s", query, key, err);
		for (i = 0; i < t.count; i++) {
			const struct wire_record *r = &t.records[i];

			len += (size_t)snprintf(out + len, outlen - len, "%lld %s%s%s %zu\n",
			    (long long)r->seq, r->kind, r->has_fill ? " fill " : "",
			    r->has_fill ? r->fill.cylinder : "", r->violation_count);
			assert_true(len < outlen);
		}
		*results += (int64_t)t.count;
		if (t.more)
			assert_int_equal(wire_cursor_parse(t.next, &cursor), 0);
		after = t.more ? &cursor : NULL;
		wire_trace_free(&t);
	} while (after != NULL);
	config.max_trace = 2000;
}

/*
 * A refusal or an event may come with a fill (the ingest keeps it, with
 * its record's kind) and with a violation naming the same cylinder and
 * buyer.  Such a record is in a trace once, where its fill puts it (the
 * fill's start), with its fill and its violation, not a second time at
 * its own time as a record a violation names: in a cylinder, a buyer and
 * a station trace, whole or page by page, and so counted in the audit.
 * Nothing else changes: a refusal whose fill is of another cylinder is in
 * this cylinder's trace by its violation (without the fill), and a range
 * that holds a record's own time but not its fill's start still shows the
 * record by its own time.  The same for fills stored before 012, read
 * through their records.
 */
static void
a_record_with_a_fill_and_a_violation_is_traced_once(void **state)
{
	static const struct {
		const char *query, *key, *expected;
		int64_t from;
	} traces[] = {
		{ "cylinder", "DUP-1",
		    "1 fill fill DUP-1 0\n2 refusal fill DUP-1 1\n3 event fill DUP-1 1\n"
		    "4 refusal 1\n5 refusal 1\n",
		    0 },
		{ "buyer", "BUYER-D",
		    "1 fill fill DUP-1 0\n2 refusal fill DUP-1 1\n3 event fill DUP-1 1\n"
		    "4 refusal 1\n5 refusal fill DUP-2 1\n",
		    0 },
		{ "station", "D1",
		    "1 fill fill DUP-1 0\n2 refusal fill DUP-1 1\n3 event fill DUP-1 1\n"
		    "4 refusal 1\n5 refusal fill DUP-2 1\n",
		    0 },
		{ "cylinder", "DUP-2", "5 refusal fill DUP-2 1\n", 0 },
		/* from after every fill's start: seq 2 by its own time, 5 by its
		 * violation (its fill is DUP-2's) */
		{ "cylinder", "DUP-1", "2 refusal 1\n5 refusal 1\n", DUP_T0 + 50000 },
	};
	struct county_db c = { .config = &config };
	struct wire_batch b;
	struct wire_ack ack;
	char path[128], err[256], whole[1024], paged[1024];
	int64_t results, audited;
	int alerts, pass;
	size_t i;

	(void)state;
	snprintf(path, sizeof(path), "%s/dup.db", dir);
	assert_int_equal(store_open(path, schema_county, 0, &c.db, err, sizeof(err)), 0);
	one_batch(&b, "TA", 5);
	/* made after their fills' start, seq 3 before seq 2 */
	dup_record(&b.records[0], 1, "fill", "DUP-1", DUP_T0 + 1000, DUP_T0 + 91000, 0);
	dup_record(&b.records[1], 2, "refusal", "DUP-1", DUP_T0 + 2000, DUP_T0 + 92000, 1);
	dup_record(&b.records[2], 3, "event", "DUP-1", DUP_T0 + 3000, DUP_T0 + 3500, 1);
	dup_record(&b.records[3], 4, "refusal", NULL, 0, DUP_T0 + 4000, 1);
	dup_record(&b.records[4], 5, "refusal", "DUP-2", DUP_T0 + 5000, DUP_T0 + 95000, 1);
	assert_int_equal(county_ingest(&c, "D1", "test", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	wire_batch_free(&b);
	assert_int_equal(store_query_int(c.db,
	                     "SELECT count(*) FROM fills WHERE record_kind IN ('refusal', 'event')",
	                     -1),
	    3);

	/* as the ingest stored them, then as fills stored before 012 (their
	 * records found by (station, seq)) */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1 &&
		    store_exec(c.db,
		        "UPDATE fills SET record_kind = NULL, record_created_ms = NULL", err,
		        sizeof(err)) == -1)
			fail_msg("%s", err);
		for (i = 0; i < sizeof(traces) / sizeof(traces[0]); i++) {
			dup_trace(&c, traces[i].query, traces[i].key, traces[i].from, 0, whole,
			    sizeof(whole), &results);
			if (strcmp(whole, traces[i].expected) != 0)
				fail_msg("pass %d, %s trace %s from %lld:\n%sexpected:\n%s", pass,
				    traces[i].query, traces[i].key, (long long)traces[i].from,
				    whole, traces[i].expected);
			audited = store_query_int(c.db, "SELECT sum(results) FROM audit", -1);
			dup_trace(&c, traces[i].query, traces[i].key, traces[i].from, 1, paged,
			    sizeof(paged), &results);
			assert_string_equal(paged, whole);
			/* every page audited, the records counted once */
			assert_int_equal(
			    store_query_int(c.db, "SELECT sum(results) FROM audit", -1) - audited,
			    results);
		}
	}
	store_close(c.db);
}

/* A trace's answer grows with what it finds: a station's 3,000 fills come
 * as max_trace (2000) of them in order, saying there is more, and the rest
 * after the cursor; a trace that finds nothing is an empty answer.  Each
 * trace reads in one transaction of its own: answered or refused, it
 * leaves none open on the connection (an open read would hold the file's
 * log from every checkpoint). */
static void
a_long_trace_comes_whole(void **state)
{
	char err[256];
	struct county_db c = { .config = &config };
	struct wire_cursor after;
	struct wire_trace t;
	size_t i;

	(void)state;
	filled_county(&c, "long.db", 3000);
	assert_int_equal(county_trace(&c, "regulator:long", "station", "S1", 0, INT64_MAX, NULL, &t,
	                     err, sizeof(err)),
	    0);
	assert_int_equal(t.count, 2000);
	assert_true(t.more);
	assert_true(sqlite3_get_autocommit(c.db));
	for (i = 0; i < t.count; i++)
		if (t.records[i].seq != (int64_t)i + 1 || t.records[i].violation_count != 1)
			fail_msg("record %zu: seq %lld, %zu violations", i,
			    (long long)t.records[i].seq, t.records[i].violation_count);
	assert_int_equal(wire_cursor_parse(t.next, &after), 0);
	wire_trace_free(&t);
	assert_int_equal(county_trace(&c, "regulator:long", "station", "S1", 0, INT64_MAX, &after,
	                     &t, err, sizeof(err)),
	    0);
	assert_int_equal(t.count, 1000);
	assert_false(t.more);
	assert_int_equal(t.records[0].seq, 2001);
	assert_int_equal(t.records[999].seq, 3000);
	wire_trace_free(&t);
	assert_int_equal(county_trace(&c, "regulator:long", "cylinder", "NONE", 0, INT64_MAX, NULL,
	                     &t, err, sizeof(err)),
	    0);
	assert_int_equal(t.count, 0);
	assert_false(t.more);
	wire_trace_free(&t);
	assert_true(sqlite3_get_autocommit(c.db));
	/* refused (no identity to audit under) after its reads */
	assert_int_equal(
	    county_trace(&c, NULL, "station", "S1", 0, INT64_MAX, NULL, &t, err, sizeof(err)), -1);
	assert_true(sqlite3_get_autocommit(c.db));
	store_close(c.db);
}

/*
 * Page through a cylinder's trace one row at a time (max_trace 1) and say
 * the seqs seen, at most `pages` pages: what gastrace --all and the
 * console's "next" do.
 */
static void
page_one_by_one(const char *serial, size_t pages, char *got, size_t gotlen)
{
	struct wire_trace t;
	struct wire_cursor cursor, *after = NULL;
	char err[256];
	size_t len = 0, page = 0, i;

	got[0] = '\0';
	config.max_trace = 1;
	do {
		if (county_trace(&cdb, "regulator:pager", "cylinder", serial, 0, INT64_MAX, after,
		        &t, err, sizeof(err)) == -1)
			fail_msg("page %zu: %s", page, err);
		for (i = 0; i < t.count && len < gotlen; i++)
			len += (size_t)snprintf(got + len, gotlen - len, "%lld ",
			    (long long)t.records[i].seq);
		if (t.more)
			assert_int_equal(wire_cursor_parse(t.next, &cursor), 0);
		after = t.more ? &cursor : NULL;
		wire_trace_free(&t);
	} while (after != NULL && ++page < pages && len < gotlen);
	config.max_trace = 2000;
}

/*
 * A trace is ordered by the county's time (a life step's rule_ms), and a
 * page that ends on a life step names its cursor by that time too (review
 * rev103): a phone ahead (at 9000, taken at 1000) ending page 1 made page 2
 * skip the steps taken at 2000 and 3000; a back-dated one (at 500, taken at
 * 4000) made every next page that step again, for ever.
 */
static void
a_trace_page_ending_on_a_life_step_goes_on_after_it(void **state)
{
	char err[256], got[128];

	(void)state;
	assert_int_equal(store_exec(cdb.db,
	                     "INSERT INTO life_events (source, seq, uuid, event, serial, at_ms,"
	                     " rule_ms, stored_ms) VALUES"
	                     " ('LT1', 1, 'lt-1', 'returned', 'PAGE-L', 9000, 1000, 1000),"
	                     " ('LT1', 2, 'lt-2', 'returned', 'PAGE-L', 2000, 2000, 2000),"
	                     " ('LT1', 3, 'lt-3', 'returned', 'PAGE-L', 3000, 3000, 3000),"
	                     " ('LT1', 4, 'lt-4', 'returned', 'PAGE-L', 500, 4000, 4000),"
	                     " ('LT1', 5, 'lt-5', 'returned', 'PAGE-L', 5000, 5000, 5000),"
	                     " ('LT2', 1, 'lt2-1', 'returned', 'PAGE-M', 500, 4000, 4000),"
	                     " ('LT2', 2, 'lt2-2', 'returned', 'PAGE-M', 5000, 5000, 5000)",
	                     err, sizeof(err)),
	    0);
	page_one_by_one("PAGE-L", 10, got, sizeof(got));
	assert_string_equal(got, "1 2 3 4 5 ");
	page_one_by_one("PAGE-M", 6, got, sizeof(got));
	assert_string_equal(got, "1 2 ");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_batch_stored_twice_changes_nothing),
		cmocka_unit_test(the_mark_stops_at_a_gap_and_moves_once_it_is_filled),
		cmocka_unit_test(stations_are_kept_apart),
		cmocka_unit_test(a_disposition_belongs_to_the_alerts_township),
		cmocka_unit_test(lookups_say_found_or_not_found_one_way),
		cmocka_unit_test(registry_versions_grow_with_changes_only),
		cmocka_unit_test(registry_keeps_every_change_as_history),
		cmocka_unit_test(a_trace_is_audited),
		cmocka_unit_test(a_trace_comes_in_pages_in_time_order),
		cmocka_unit_test(a_trace_range_is_by_the_records_time),
		cmocka_unit_test(every_tenants_data_is_read_under_an_audit_row),
		cmocka_unit_test(a_station_the_county_never_knew_is_not_found),
		cmocka_unit_test(a_station_cannot_take_the_key_of_a_county_alert),
		cmocka_unit_test(alerts_are_graded_and_routed_by_the_county),
		cmocka_unit_test(a_station_clock_far_off_is_one_c14_an_episode),
		cmocka_unit_test(absurd_heartbeat_times_are_one_c14_and_no_overflow),
		cmocka_unit_test(
		    heartbeat_within_the_floor_is_written_only_when_what_matters_changed),
		cmocka_unit_test_setup_teardown(heartbeats_back_to_back_cost_one_write_a_floor,
		    floor_setup, floor_teardown),
		cmocka_unit_test_setup_teardown(heartbeats_within_the_floor_take_no_write_lock,
		    floor_setup, floor_teardown),
		cmocka_unit_test_setup_teardown(heartbeat_floor_is_at_most_half_the_silence,
		    floor_setup, floor_teardown),
		cmocka_unit_test(a_flood_of_heartbeats_keeps_one_row_a_minute),
		cmocka_unit_test(heartbeats_past_their_keep_time_are_dropped),
		cmocka_unit_test(heartbeats_held_before_022_keep_the_newest_of_each_minute),
		cmocka_unit_test(the_held_count_is_kept_as_records_are_stored),
		cmocka_unit_test(a_conflicting_resend_is_recorded_and_alerted),
		cmocka_unit_test(another_stations_exact_record_is_no_retransmission),
		cmocka_unit_test(a_flood_of_versions_of_one_record_keeps_at_most_the_bound),
		cmocka_unit_test(implausible_records_are_refused_with_the_field_named),
		cmocka_unit_test(texts_that_are_not_utf8_text_are_refused),
		cmocka_unit_test(an_unregistered_cylinder_filled_is_a_county_alert),
		cmocka_unit_test(a_buyer_address_is_kept_with_r11_only),
		cmocka_unit_test(a_trace_reads_no_whole_table),
		cmocka_unit_test(a_trace_page_ending_on_a_life_step_goes_on_after_it),
		cmocka_unit_test(a_trace_over_fills_old_and_new_is_the_same),
		cmocka_unit_test(a_fill_carries_its_records_time),
		cmocka_unit_test(a_trace_merges_fills_records_and_life_in_one_order),
		cmocka_unit_test(a_record_with_a_fill_and_a_violation_is_traced_once),
		cmocka_unit_test(a_long_trace_comes_whole),
		/* last: its C16 is in the county's queue, which the conflict tests read */
		cmocka_unit_test(a_station_beyond_its_daily_bound_is_busy_until_the_day_ends),
	};
	log_init("test_county", 1, LOG_LEVEL_WARN);
	return cmocka_run_group_tests_name("county", tests, setup, teardown);
}
