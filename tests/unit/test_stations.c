/*
 * the county's register of stations (tools/county/stations.c): an entry is
 * refused with the field named when its id, name, address, township or
 * place cannot be right; a registered station's township is the county's
 * (a batch or heartbeat naming another is refused, one naming the same or
 * none is stored under it, and registering a station that already spoke
 * moves it); a station nobody registered keeps the township of its first
 * contact; the list holds both kinds.
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

#include "countydb_fixture.h"
#include "db.h"
#include "psk.h"
#include "stations.h"
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
	.max_seq_jump = 100000,
};

static char dir[64];
static struct county_db cdb;
static struct psk_table townships;
static const int64_t T0 = 1800000000000;

static int
setup(void **state)
{
	static const char ids[] = "township:TA 00112233445566778899aabbccddeeff\n"
	                          "township:TB 00112233445566778899aabbccddeeff\n";
	char err[256];

	(void)state;
	if (psk_parse_identities("ids", ids, strlen(ids), &townships, err, sizeof(err)) == -1)
		return -1;
	cdb.identities = &townships;
	return countydb_setup(dir, sizeof(dir), "test_stations", &config, &cdb);
}

static int
teardown(void **state)
{
	(void)state;
	psk_table_free(&townships);
	return countydb_teardown(dir, &cdb);
}

static struct station_entry
entry(const char *id, const char *town, const char *name, const char *address)
{
	struct station_entry e;

	memset(&e, 0, sizeof(e));
	str_copy(e.id, id, sizeof(e.id));
	str_copy(e.township, town, sizeof(e.township));
	str_copy(e.name, name, sizeof(e.name));
	str_copy(e.address, address, sizeof(e.address));
	return e;
}

/* One fill (seq) of station, in a batch naming town. */
static enum county_result
send(const char *station, const char *town, int64_t seq, char *err, size_t errlen)
{
	struct wire_batch b;
	struct wire_ack ack;
	struct wire_record *r;
	enum county_result res;
	int alerts = 0;

	memset(&b, 0, sizeof(b));
	str_copy(b.township, town, sizeof(b.township));
	b.count = 1;
	b.records = r = calloc(1, sizeof(*r));
	r->seq = seq;
	snprintf(r->uuid, sizeof(r->uuid), "%08llx-%04x-4000-8000-000000000000", (long long)seq,
	    (unsigned)station[2]);
	str_copy(r->kind, "fill", sizeof(r->kind));
	r->created_ms = time_wall_ms() - 1000;
	r->has_fill = 1;
	r->fill.line = 1;
	snprintf(r->fill.cylinder, sizeof(r->fill.cylinder), "LY-%lld", (long long)seq);
	r->fill.started_ms = r->created_ms;
	r->fill.net_kg = 14.9;
	str_copy(r->fill.result, "ok", sizeof(r->fill.result));
	res = county_ingest(&cdb, station, "test", &b, &ack, &alerts, err, errlen);
	wire_batch_free(&b);
	return res;
}

static void
an_entry_that_cannot_be_right_is_refused_with_its_field(void **state)
{
	struct station_entry e;
	char err[256];

	(void)state;
	e = entry("S01", "TC", "龙游城南加气站", "龙游县城南路 1 号");
	assert_int_equal(stations_set(&cdb, &e, T0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--township 'TC'"));
	e = entry("S01", "county", "n", "a"); /* the county's own queue is no township */
	assert_int_equal(stations_set(&cdb, &e, T0, err, sizeof(err)), -1);
	e = entry("S01", "TA", "", "a");
	assert_int_equal(stations_set(&cdb, &e, T0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--name"));
	e = entry("S01", "TA", "n", "line\nbreak");
	assert_int_equal(stations_set(&cdb, &e, T0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--address: holds a control character"));
	e = entry("S 01", "TA", "n", "a");
	assert_int_equal(stations_set(&cdb, &e, T0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "station id"));
	e = entry("S:01", "TA", "n", "a"); /* no second role inside the identity */
	assert_int_equal(stations_set(&cdb, &e, T0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "station id"));
	e = entry("S01", "TA", "n", "a");
	e.has_place = 1;
	e.lat = 91;
	assert_int_equal(stations_set(&cdb, &e, T0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--lat"));
	/* nothing of these was written */
	assert_int_equal(store_query_int(cdb.db, "SELECT COUNT(*) FROM stations", -1), 0);
}

static void
a_registered_stations_township_is_the_countys(void **state)
{
	struct station_entry e, got;
	char err[256];

	(void)state;
	e = entry("S01", "TA", "龙游城南加气站 \"<b>\"", "龙游县城南路 1 号");
	e.has_place = 1;
	e.lat = 29.03;
	e.lon = 119.17;
	assert_int_equal(stations_set(&cdb, &e, T0, err, sizeof(err)), 0);
	assert_int_equal(stations_get(&cdb, "S01", &got, err, sizeof(err)), 1);
	assert_string_equal(got.name, "龙游城南加气站 \"<b>\"");
	assert_string_equal(got.address, "龙游县城南路 1 号");
	assert_string_equal(got.township, "TA");
	assert_true(got.has_place && got.lat > 29.02 && got.lon < 119.18);
	assert_int_equal(got.registered_ms, T0);
	/* a batch naming TB is refused, both townships named, nothing stored */
	assert_int_equal(send("S01", "TB", 1, err, sizeof(err)), COUNTY_REFUSED);
	assert_non_null(strstr(err, "registered in township TA"));
	assert_non_null(strstr(err, "not TB"));
	assert_int_equal(store_query_int(cdb.db, "SELECT COUNT(*) FROM records", -1), 0);
	/* so is a heartbeat naming TB */
	{
		struct wire_heartbeat hb = { .at_ms = time_wall_ms() };
		int alerts, written;

		str_copy(hb.station, "S01", sizeof(hb.station));
		str_copy(hb.township, "TB", sizeof(hb.township));
		assert_int_equal(
		    county_heartbeat(&cdb, "S01", &hb, &alerts, &written, err, sizeof(err)),
		    COUNTY_REFUSED);
		assert_int_equal(store_query_int(cdb.db,
		                     "SELECT last_seen_ms FROM stations WHERE id = 'S01'", -1),
		    0);
	}
	/* naming TA is stored, and the township stays TA */
	assert_int_equal(send("S01", "TA", 1, err, sizeof(err)), COUNTY_DONE);
	assert_int_equal(store_query_int(cdb.db, "SELECT COUNT(*) FROM records", -1), 1);
	/* a place left out clears it; the name can change */
	e = entry("S01", "TA", "城南站", "龙游县城南路 1 号");
	assert_int_equal(stations_set(&cdb, &e, T0 + 1, err, sizeof(err)), 0);
	assert_int_equal(stations_get(&cdb, "S01", &got, err, sizeof(err)), 1);
	assert_false(got.has_place);
	assert_string_equal(got.name, "城南站");
	assert_int_equal(stations_get(&cdb, "S99", &got, err, sizeof(err)), 0);
}

static void
an_unregistered_station_keeps_its_first_township_until_registered(void **state)
{
	struct station_entry e, got;
	char err[256];

	(void)state;
	assert_int_equal(send("S02", "TB", 1, err, sizeof(err)), COUNTY_DONE);
	assert_int_equal(stations_get(&cdb, "S02", &got, err, sizeof(err)), 1);
	assert_string_equal(got.township, "TB");
	assert_int_equal(got.registered_ms, 0);
	assert_string_equal(got.name, "");
	/* today's rule: a later claim changes nothing and is not refused */
	assert_int_equal(send("S02", "TA", 2, err, sizeof(err)), COUNTY_DONE);
	assert_int_equal(stations_get(&cdb, "S02", &got, err, sizeof(err)), 1);
	assert_string_equal(got.township, "TB");
	/* the county registers it in TA: from now on TB is refused */
	e = entry("S02", "TA", "湖镇站", "湖镇 2 号");
	assert_int_equal(stations_set(&cdb, &e, T0, err, sizeof(err)), 0);
	assert_int_equal(send("S02", "TB", 3, err, sizeof(err)), COUNTY_REFUSED);
	assert_int_equal(send("S02", "TA", 3, err, sizeof(err)), COUNTY_DONE);
	assert_int_equal(store_query_int(cdb.db, "SELECT hwm FROM stations WHERE id = 'S02'", -1),
	    3);
}

static int
count_each(const struct station_entry *e, void *arg)
{
	int *n = arg;

	(*n)++;
	if (strcmp(e->id, "S02") == 0)
		assert_int_not_equal(e->registered_ms, 0);
	return 0;
}

static void
the_list_holds_every_station(void **state)
{
	char err[256];
	int n = 0;

	(void)state;
	assert_int_equal(stations_each(&cdb, count_each, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_entry_that_cannot_be_right_is_refused_with_its_field),
		cmocka_unit_test(a_registered_stations_township_is_the_countys),
		cmocka_unit_test(an_unregistered_station_keeps_its_first_township_until_registered),
		cmocka_unit_test(the_list_holds_every_station),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
