/*
 * county storage (tools/county/db.c): a batch stored twice changes
 * nothing; the high-water mark stops at a gap and moves over it once
 * filled; alerts are raised once and only for alert/critical violations; a
 * disposition belongs to the alert's township (as access scopes it);
 * look-ups say found / not found / error one way; every read of every
 * tenant's data leaves exactly one audit row, and none without an identity
 * to write it under.
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

#include "db.h"
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
	.check_s = 30,
	.max_trace = 2000,
};

static char dir[64];
static struct county_db cdb;

static int
setup(void **state)
{
	char path[128], err[256];

	(void)state;
	strcpy(dir, "/tmp/test_county.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/county.db", dir);
	cdb.config = &config;
	return store_open(path, schema_county, 0, &cdb.db, err, sizeof(err));
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	store_close(cdb.db);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
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

			snprintf(id, sizeof(id), "%s-%08lld-0000-4000-8000-0000000000", cyl_prefix,
			    (long long)i);
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
			snprintf(r->violations[0].uuid, sizeof(r->violations[0].uuid), "v-%s-%lld",
			    cyl_prefix, (long long)i);
			str_copy(r->violations[0].rule, "R05", sizeof(r->violations[0].rule));
			str_copy(r->violations[0].severity, sev, sizeof(r->violations[0].severity));
			str_copy(r->violations[0].township, "TA",
			    sizeof(r->violations[0].township));
			r->violations[0].at_ms = r->created_ms;
		}
	}
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
	assert_int_equal(county_ingest(&cdb, "S01", &b, &ack, &alerts, err, sizeof(err)), 0);
	assert_int_equal(ack.hwm, 10);
	assert_int_equal(ack.stored, 10);
	assert_int_equal(alerts, 5);
	assert_int_equal(county_ingest(&cdb, "S01", &b, &ack, &alerts, err, sizeof(err)), 0);
	assert_int_equal(ack.hwm, 10);
	assert_int_equal(ack.stored, 0);
	assert_int_equal(ack.duplicates, 10);
	assert_int_equal(alerts, 0);
	assert_int_equal(store_query_int(cdb.db, "SELECT count(*) FROM records", -1), 10);
	assert_int_equal(store_query_int(cdb.db, "SELECT count(*) FROM alerts", -1), 5);
	wire_batch_free(&b);
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
	assert_int_equal(county_ingest(&cdb, "S01", &b, &ack, &alerts, err, sizeof(err)), 0);
	assert_int_equal(ack.hwm, 10);
	assert_int_equal(alerts, 0); /* flags are stored, not alerted */
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT gap_since_ms IS NOT NULL FROM stations WHERE id = 'S01'", -1),
	    1);
	wire_batch_free(&b);
	batch_of(&b, 11, 13, "C", "flag");
	assert_int_equal(county_ingest(&cdb, "S01", &b, &ack, &alerts, err, sizeof(err)), 0);
	assert_int_equal(ack.hwm, 15);
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
	assert_int_equal(county_ingest(&cdb, "S02", &b, &ack, &alerts, err, sizeof(err)), 0);
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
	assert_int_equal(store_query_int(cdb.db, "SELECT count(*) FROM dispositions", -1), 0);
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

	batch_of(&b, 1, 1, "K", "flag");
	b.records[0].fill.curve = malloc(sizeof(curve));
	memcpy(b.records[0].fill.curve, curve, sizeof(curve));
	b.records[0].fill.curve_len = sizeof(curve);
	assert_int_equal(county_ingest(&cdb, "S03", &b, &ack, &alerts, err, sizeof(err)), 0);
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
	assert_int_equal(county_registry_since(&cdb, 0, 10, &r, err, sizeof(err)), 0);
	assert_int_equal(r.count, 2);
	assert_int_equal(r.version, 2);
	assert_string_equal(r.rows[0].status, "scrapped");
	assert_string_equal(r.rows[1].status, "active");
	wire_registry_free(&r);
	assert_int_equal(county_registry_since(&cdb, 2, 10, &r, err, sizeof(err)), 0);
	assert_int_equal(r.count, 0);
	assert_int_equal(r.version, 2);
	wire_registry_free(&r);
	/* paging: more is set when rows remain */
	assert_int_equal(county_registry_since(&cdb, 0, 1, &r, err, sizeof(err)), 0);
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

/* History, not overwrite: every change of status, inspection and owner is a
 * row with who made it; the registry row holds only the newest state. */
static void
registry_keeps_every_change_as_history(void **state)
{
	struct history_row h[8];
	char err[256], csv[160];
	struct county_import_result res;
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
	assert_int_equal(county_registry_import(&cdb, csv, 4, "zhao", &res, err, sizeof(err)), 0);
	assert_int_equal(county_registry_import(&cdb, csv, 4, "zhao", &res, err, sizeof(err)), 0);
	assert_int_equal(res.changed, 0);
	write_h2_h3(csv, "retired");
	assert_int_equal(county_registry_import(&cdb, csv, 4, "zhao", &res, err, sizeof(err)), 0);
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
			snprintf(r->violations[i].uuid, sizeof(r->violations[i].uuid), "v%d-%s", i,
			    uuid);
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
	b.count = n;
	b.records = calloc(n, sizeof(*b.records));
	for (i = 0; i < n; i++)
		trace_record(&b.records[i], rows[i].seq, rows[i].uuid, rows[i].fill,
		    1796000000000 + rows[i].t, "PAGE-1");
	assert_int_equal(county_ingest(&cdb, "P1", &b, &ack, &alerts, err, sizeof(err)), 0);
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
	};
	log_init("test_county", 1, LOG_LEVEL_WARN);
	return cmocka_run_group_tests_name("county", tests, setup, teardown);
}
