/*
 * lifeingest (tools/county/lifeingest.c): a delivery device's mark.  The
 * county keeps it in delivery_marks (migration 014) instead of walking all
 * of the device's seqs each batch; whatever the device sends (gaps, the
 * fills of gaps, duplicates, conflicts, a batch refused and rolled back,
 * events stored by life_store alone), the mark answered and the one kept
 * are the walk's result: the largest N such that seqs 1..N are all held.
 * Migration 014 gives the devices of an existing database their mark by
 * the same rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "countydb_fixture.h"
#include "db.h"
#include "life.h"
#include "lifeingest.h"
#include "store.h"
#include "util.h"

#define HOUR 3600000LL
#define DEVICE "delivery:W1@TB"

static struct county_config config = {
	.c01_minutes = 60,
	.c02_household_max = 3,
	.c02_business_max = 60,
	.c02_days = 30,
	.c03_silent_s = 900,
	.c04_gap_s = 86400,
	.check_s = 30,
	.max_seq_jump = 100000,
	.max_trace = 2000,
	.c07_grace_min = 0,
	.c08_days = 3,
	.c09_household_hold = 2,
	.c09_business_hold = 20,
};

static char dir[64];
static struct county_db cdb;
static int64_t t0;

static int
setup(void **state)
{
	(void)state;
	t0 = time_wall_ms() - 24 * HOUR;
	return countydb_setup(dir, sizeof(dir), "test_lifeingest", &config, &cdb);
}

static int
teardown(void **state)
{
	(void)state;
	return countydb_teardown(dir, &cdb);
}

/* A return of an empty at seq, its uuid numbered n, as an honest device
 * sends it: actor and worker its own identity. */
static struct wire_record
returned(int64_t seq, int n)
{
	struct wire_record r;

	memset(&r, 0, sizeof(r));
	r.seq = seq;
	snprintf(r.uuid, sizeof(r.uuid), "00000000-0000-4000-8000-%012d", n);
	str_copy(r.kind, "life", sizeof(r.kind));
	r.created_ms = t0 + n * 1000;
	r.has_life = 1;
	str_copy(r.life.event, "returned", sizeof(r.life.event));
	snprintf(r.life.serial, sizeof(r.life.serial), "CYL%d", n);
	str_copy(r.life.actor, DEVICE, sizeof(r.life.actor));
	str_copy(r.life.worker, DEVICE, sizeof(r.life.worker));
	r.life.at_ms = r.created_ms;
	return r;
}

/* The batch of records[0..count) from DEVICE through the ingest. */
static enum county_result
deliver(struct wire_record *records, size_t count, struct wire_ack *ack)
{
	struct wire_batch b;
	char err[256];
	int alerts;
	enum county_result rc;

	memset(&b, 0, sizeof(b));
	b.count = count;
	b.records = records;
	rc = county_ingest_delivery(&cdb, NULL, DEVICE, &b, ack, &alerts, err, sizeof(err));
	if (rc != COUNTY_DONE)
		print_message("ingest: %s\n", err);
	return rc;
}

/* The mark as the ingest found it before delivery_marks: every seq of the
 * source, in order, while each is the next one. */
static int64_t
walk(sqlite3 *db, const char *source)
{
	sqlite3_stmt *st = NULL;
	char err[256];
	int64_t hwm = 0;

	assert_int_equal(store_prepare(db,
	                     "SELECT DISTINCT seq FROM life_events WHERE source = ? ORDER BY seq",
	                     &st, err, sizeof(err)),
	    0);
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == hwm + 1)
		hwm++;
	sqlite3_finalize(st);
	return hwm;
}

/* The mark kept in delivery_marks (-1: no row). */
static int64_t
kept(sqlite3 *db, const char *source)
{
	char sql[160];

	snprintf(sql, sizeof(sql), "SELECT hwm FROM delivery_marks WHERE source = '%s'", source);
	return store_query_int(db, sql, -1);
}

/* The answer, the mark read and the mark kept are all the walk's, which is
 * expected. */
static void
mark_is(const struct wire_ack *ack, int64_t expected)
{
	char err[256];
	int64_t read = -1;

	assert_int_equal(walk(cdb.db, DEVICE), expected);
	assert_int_equal(ack->hwm, expected);
	assert_int_equal(county_delivery_hwm(&cdb, DEVICE, &read, err, sizeof(err)), 0);
	assert_int_equal(read, expected);
	assert_int_equal(kept(cdb.db, DEVICE), expected);
}

/*
 * A gap keeps the mark until it is filled, then the mark jumps over what
 * was held beyond it; a duplicate and two conflicts (another event at a
 * held seq, a held uuid at a new seq: neither stored) change nothing, and
 * the seq of the conflicting uuid stays a gap until an event of its own
 * fills it.
 */
static void
the_mark_is_the_walks_through_gaps_fills_duplicates_and_conflicts(void **state)
{
	struct wire_record r[3];
	struct wire_ack ack;

	(void)state;
	r[0] = returned(1, 1), r[1] = returned(2, 2), r[2] = returned(3, 3);
	assert_int_equal(deliver(r, 3, &ack), COUNTY_DONE);
	assert_int_equal(ack.stored, 3);
	mark_is(&ack, 3);

	/* 4 lost on the way: 5 and 6 are held beyond the gap */
	r[0] = returned(5, 5), r[1] = returned(6, 6);
	assert_int_equal(deliver(r, 2, &ack), COUNTY_DONE);
	assert_int_equal(ack.stored, 2);
	mark_is(&ack, 3);

	/* 4 comes: the mark goes over 5 and 6 */
	r[0] = returned(4, 4);
	assert_int_equal(deliver(r, 1, &ack), COUNTY_DONE);
	mark_is(&ack, 6);

	/* 2 again, as it was: a duplicate */
	r[0] = returned(2, 2);
	assert_int_equal(deliver(r, 1, &ack), COUNTY_DONE);
	assert_int_equal(ack.duplicates, 1);
	assert_int_equal(ack.conflicts, 0);
	mark_is(&ack, 6);

	/* another event at the held seq 3, and the held uuid of 1 at seq 7:
	 * conflicts, answered as held, neither stored; the first alone is
	 * counted a conflict in the ack (the event sent is nowhere here: a
	 * device must not take it as delivered, review rev102), the second
	 * is the county's event 1 */
	r[0] = returned(3, 30), r[1] = returned(7, 1);
	assert_int_equal(deliver(r, 2, &ack), COUNTY_DONE);
	assert_int_equal(ack.stored, 0);
	assert_int_equal(ack.duplicates, 2);
	assert_int_equal(ack.conflicts, 1);
	assert_int_equal(store_query_int(cdb.db, "SELECT count(*) FROM conflicts", -1), 2);
	mark_is(&ack, 6);

	/* 8 beyond the seq 7 the conflict did not fill, then 7 of its own */
	r[0] = returned(8, 8);
	assert_int_equal(deliver(r, 1, &ack), COUNTY_DONE);
	mark_is(&ack, 6);
	r[0] = returned(7, 7);
	assert_int_equal(deliver(r, 1, &ack), COUNTY_DONE);
	mark_is(&ack, 8);
	assert_int_equal(store_query_int(cdb.db, "SELECT count(*) FROM life_events", -1), 8);
}

/*
 * A batch refused after some of its events were stored (the second is a
 * station's event, refused by the life module) is rolled back whole: its
 * first event and the mark it would have moved are gone, in the table as
 * in the answer; so is a batch refused before anything was stored (a seq
 * beyond max_seq_jump).
 */
static void
a_refused_batch_leaves_the_mark_as_it_was(void **state)
{
	struct wire_record r[2];
	struct wire_ack ack;

	(void)state;
	r[0] = returned(1, 1), r[1] = returned(2, 2);
	assert_int_equal(deliver(r, 2, &ack), COUNTY_DONE);
	mark_is(&ack, 2);

	r[0] = returned(3, 3), r[1] = returned(4, 4);
	str_copy(r[1].life.event, "scrapped", sizeof(r[1].life.event));
	str_copy(r[1].life.reason, "dented", sizeof(r[1].life.reason));
	assert_int_equal(deliver(r, 2, &ack), COUNTY_REFUSED);
	assert_int_equal(ack.hwm, 0);
	assert_int_equal(store_query_int(cdb.db, "SELECT max(seq) FROM life_events", -1), 2);
	assert_int_equal(kept(cdb.db, DEVICE), 2);
	assert_int_equal(walk(cdb.db, DEVICE), 2);

	r[0] = returned(3, 3), r[1] = returned(2 + config.max_seq_jump + 1, 4);
	assert_int_equal(deliver(r, 2, &ack), COUNTY_REFUSED);
	assert_int_equal(kept(cdb.db, DEVICE), 2);

	/* the same 3 again, alone: taken */
	r[0] = returned(3, 3);
	assert_int_equal(deliver(r, 1, &ack), COUNTY_DONE);
	mark_is(&ack, 3);
}

/*
 * Events stored by life_store alone (as tests/helpers/lifemonth.c does)
 * do not move the kept mark, but the mark read counts them, and the
 * device's next batch keeps it; another device's mark is its own.
 */
static void
events_stored_without_the_ingest_are_counted(void **state)
{
	struct wire_record r[1];
	struct wire_ack ack;
	char err[256];
	int64_t read = -1;

	(void)state;
	r[0] = returned(1, 1);
	assert_int_equal(deliver(r, 1, &ack), COUNTY_DONE);
	mark_is(&ack, 1);
	r[0] = returned(2, 2);
	assert_int_equal(life_store(&cdb, DEVICE, &r[0], err, sizeof(err)), 1);
	r[0] = returned(3, 3);
	assert_int_equal(life_store(&cdb, DEVICE, &r[0], err, sizeof(err)), 1);
	assert_int_equal(kept(cdb.db, DEVICE), 1);
	assert_int_equal(county_delivery_hwm(&cdb, DEVICE, &read, err, sizeof(err)), 0);
	assert_int_equal(read, 3);

	r[0] = returned(4, 4);
	assert_int_equal(deliver(r, 1, &ack), COUNTY_DONE);
	mark_is(&ack, 4);
	assert_int_equal(county_delivery_hwm(&cdb, "delivery:W2@TB", &read, err, sizeof(err)), 0);
	assert_int_equal(read, 0);
	assert_int_equal(kept(cdb.db, "delivery:W2@TB"), -1);
}

/*
 * A county that ran 013 with devices' events held: 014 gives each device
 * the walk's mark (a gap, seq 1 missing, two rows at one seq as older
 * programs could store), no row to a station, and the ingest goes on from
 * there.
 */
static void
the_migration_gives_held_devices_their_mark(void **state)
{
	static const struct {
		const char *source;
		int seq;
	} held[] = {
		{ "delivery:A@TB", 1 },
		{ "delivery:A@TB", 2 },
		{ "delivery:A@TB", 3 },
		{ "delivery:A@TB", 4 },
		{ "delivery:A@TB", 5 },
		{ "delivery:A@TB", 7 },
		{ "delivery:A@TB", 9 },
		{ "delivery:B@TB", 2 },
		{ "delivery:B@TB", 3 },
		{ "delivery:C@TB", 1 },
		{ "delivery:C@TB", 1 },
		{ "delivery:C@TB", 2 },
		{ DEVICE, 1 },
		{ "S01", 1 },
		{ "S01", 2 },
	};
	const char *device[] = { "delivery:A@TB", "delivery:B@TB", "delivery:C@TB", DEVICE };
	struct store_migration upto13[32];
	struct county_db c = { .config = &config };
	struct wire_record r[1];
	struct wire_batch b;
	struct wire_ack ack;
	int64_t expected[4], read;
	char err[256];
	int alerts;
	size_t i;

	(void)state;
	assert_int_equal(
	    fixture_schema_upto(schema_county, 13, upto13, sizeof(upto13) / sizeof(upto13[0])), 0);
	assert_int_equal(fixture_db_open(dir, "old.db", upto13, &c.db, err, sizeof(err)), 0);
	assert_int_equal(store_user_version(c.db), 13);
	for (i = 0; i < sizeof(held) / sizeof(held[0]); i++)
		fixture_execf(c.db,
		    "INSERT INTO life_events (source, seq, uuid, event, serial, at_ms, stored_ms)"
		    " VALUES ('%s', %d, '00000000-0000-4000-8000-%012zu', 'returned', 'CYL%zu',"
		    " %lld, %lld)",
		    held[i].source, held[i].seq, i + 100, i, (long long)t0, (long long)t0);
	for (i = 0; i < 4; i++)
		expected[i] = walk(c.db, device[i]);
	assert_int_equal(expected[0], 5);
	assert_int_equal(expected[1], 0);
	assert_int_equal(expected[2], 2);
	assert_int_equal(expected[3], 1);
	store_close(c.db);

	assert_int_equal(countydb_open(&c, dir, "old.db", &config, err, sizeof(err)), 0);
	assert_true(store_user_version(c.db) >= 14);
	for (i = 0; i < 4; i++) {
		assert_int_equal(kept(c.db, device[i]), expected[i]);
		assert_int_equal(county_delivery_hwm(&c, device[i], &read, err, sizeof(err)), 0);
		assert_int_equal(read, expected[i]);
	}
	assert_int_equal(store_query_int(c.db, "SELECT count(*) FROM delivery_marks", -1), 4);

	/* A's 6 fills its gap: the mark goes over 7, up to the next gap */
	memset(&b, 0, sizeof(b));
	r[0] = returned(6, 6);
	str_copy(r[0].life.actor, "delivery:A@TB", sizeof(r[0].life.actor));
	str_copy(r[0].life.worker, "delivery:A@TB", sizeof(r[0].life.worker));
	b.count = 1;
	b.records = r;
	assert_int_equal(
	    county_ingest_delivery(&c, NULL, "delivery:A@TB", &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	assert_int_equal(ack.hwm, 7);
	assert_int_equal(kept(c.db, "delivery:A@TB"), 7);
	assert_int_equal(walk(c.db, "delivery:A@TB"), 7);
	store_close(c.db);
}

/* A delivery device has records_day_max as a station has (quota.h): the
 * batch passing it is stored and raises C16, the next is refused whole. */
static void
a_device_beyond_its_daily_bound_is_busy(void **state)
{
	struct wire_record r[3];
	struct wire_ack ack;

	(void)state;
	config.records_day_max = 2;
	r[0] = returned(1, 1);
	r[1] = returned(2, 2);
	r[2] = returned(3, 3);
	assert_int_equal(deliver(r, 3, &ack), COUNTY_DONE);
	assert_int_equal(ack.stored, 3);
	assert_int_equal(store_query_int(cdb.db,
	                     "SELECT count(*) FROM alerts WHERE rule = 'C16' AND station = '" DEVICE
	                     "' AND township = 'county'",
	                     -1),
	    1);
	r[0] = returned(4, 4);
	assert_int_equal(deliver(r, 1, &ack), COUNTY_BUSY);
	assert_int_equal(kept(cdb.db, DEVICE), 3);
	config.records_day_max = 0;
}

/*
 * A device may have LIFE_SERIAL_DAY_MAX events of one cylinder stored in 24
 * hours: the next is answered busy (5.03, sent again later, nothing lost),
 * naming the cylinder, while its other cylinders and a retransmission of
 * what is held go through; a day later it is taken.  Each event of a
 * cylinder is judged against its rows under the write lock, and
 * records_day_max alone let a device pile 100,000 of them on one serial.
 */
static void
a_device_has_a_daily_bound_per_cylinder(void **state)
{
	struct wire_record r[LIFE_SERIAL_DAY_MAX + 1];
	struct wire_batch b;
	struct wire_ack ack;
	char err[256];
	int alerts, i;

	(void)state;
	for (i = 0; i <= LIFE_SERIAL_DAY_MAX; i++) {
		r[i] = returned(i + 1, i + 1);
		str_copy(r[i].life.serial, "SPAM", sizeof(r[i].life.serial));
	}
	/* the bound's worth in one batch, then one more */
	assert_int_equal(deliver(r, LIFE_SERIAL_DAY_MAX, &ack), COUNTY_DONE);
	assert_int_equal(ack.stored, LIFE_SERIAL_DAY_MAX);
	memset(&b, 0, sizeof(b));
	b.count = 1;
	b.records = &r[LIFE_SERIAL_DAY_MAX];
	assert_int_equal(
	    county_ingest_delivery(&cdb, NULL, DEVICE, &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_BUSY);
	assert_non_null(
	    strstr(err, "record 0 (seq 25): 24 events of cylinder SPAM from this device "
	                "in 24 h, the county's bound, until "));
	assert_int_equal(kept(cdb.db, DEVICE), LIFE_SERIAL_DAY_MAX);
	/* the same in a batch of its own with the held ones before it */
	assert_int_equal(deliver(r, LIFE_SERIAL_DAY_MAX + 1, &ack), COUNTY_BUSY);
	/* what is held, sent again, is answered; another cylinder is taken */
	assert_int_equal(deliver(r, LIFE_SERIAL_DAY_MAX, &ack), COUNTY_DONE);
	assert_int_equal(ack.duplicates, LIFE_SERIAL_DAY_MAX);
	r[0] = returned(LIFE_SERIAL_DAY_MAX + 2, 99);
	assert_int_equal(deliver(r, 1, &ack), COUNTY_DONE);
	assert_int_equal(ack.stored, 1);
	/* a batch sent again after a lost answer, its 12 held events of one
	 * cylinder before a 13th: the held ones are not counted twice */
	for (i = 0; i < 13; i++) {
		r[i] = returned(LIFE_SERIAL_DAY_MAX + 3 + i, 200 + i);
		str_copy(r[i].life.serial, "RESENT", sizeof(r[i].life.serial));
	}
	assert_int_equal(deliver(r, 12, &ack), COUNTY_DONE);
	assert_int_equal(deliver(r, 13, &ack), COUNTY_DONE);
	assert_int_equal(ack.stored, 1);
	assert_int_equal(ack.duplicates, 12);
	/* a day later the held seq 25 goes through */
	fixture_execf(cdb.db, "UPDATE life_events SET stored_ms = stored_ms - 86400001");
	assert_int_equal(
	    county_ingest_delivery(&cdb, NULL, DEVICE, &b, &ack, &alerts, err, sizeof(err)),
	    COUNTY_DONE);
	assert_int_equal(ack.stored, 1);
	assert_int_equal(ack.hwm, LIFE_SERIAL_DAY_MAX + 15);
}

/*
 * Migration 026 on a county that holds life events: the steps held were
 * taken under the rules of their day and keep counting, and the steps that
 * come after are judged against them: a device's return of a cylinder on
 * another worker's truck is outside the chain, the worker's own (unsold,
 * back on the truck) in it.
 */
static void
migration_026_keeps_the_steps_held_and_judges_new_ones(void **state)
{
	struct store_migration upto25[40];
	struct county_db c = { .config = &config };
	struct wire_record r;
	char err[256];

	(void)state;
	assert_int_equal(
	    fixture_schema_upto(schema_county, 25, upto25, sizeof(upto25) / sizeof(upto25[0])), 0);
	assert_int_equal(fixture_db_open(dir, "old.db", upto25, &c.db, err, sizeof(err)), 0);
	assert_int_equal(store_user_version(c.db), 25);
	/* held: A dispatched to the device; a return of B by another (a stray,
	 * by today's rule) */
	fixture_execf(c.db,
	    "INSERT INTO life_events (source, seq, uuid, event, serial, worker, buyer, at_ms,"
	    " stored_ms, rule_ms) VALUES"
	    " ('S01', 1, 'u1', 'dispatched', 'A', '" DEVICE "', '', %lld, %lld, %lld),"
	    " ('delivery:E@T', 1, 'u2', 'returned', 'B', '', 'x', %lld, %lld, %lld)",
	    (long long)t0, (long long)t0, (long long)t0, (long long)t0 + 1, (long long)t0 + 1,
	    (long long)t0 + 1);
	store_close(c.db);
	assert_int_equal(countydb_open(&c, dir, "old.db", &config, err, sizeof(err)), 0);
	assert_true(store_user_version(c.db) >= 26);
	assert_int_equal(
	    store_query_int(c.db, "SELECT count(*) FROM life_events WHERE counts = 1", -1), 2);
	/* E's return of A, on the device's truck: outside the chain */
	r = returned(2, 1);
	str_copy(r.life.serial, "A", sizeof(r.life.serial));
	str_copy(r.life.actor, "delivery:E@T", sizeof(r.life.actor));
	str_copy(r.life.worker, "delivery:E@T", sizeof(r.life.worker));
	r.life.at_ms = r.created_ms = t0 + HOUR;
	assert_int_equal(life_store(&c, "delivery:E@T", &r, err, sizeof(err)), 1);
	/* the device's own, unsold, back on the truck: in it */
	r = returned(1, 2);
	str_copy(r.life.serial, "A", sizeof(r.life.serial));
	r.life.at_ms = r.created_ms = t0 + 2 * HOUR;
	assert_int_equal(life_store(&c, DEVICE, &r, err, sizeof(err)), 1);
	assert_int_equal(store_query_int(c.db,
	                     "SELECT group_concat(counts, '') FROM (SELECT counts FROM life_events "
	                     "ORDER BY id)",
	                     -1),
	    1101);
	store_close(c.db);
}

/*
 * A device whose backlog holds more than the bound of one cylinder (weeks
 * offline) is not refused whole for ever: the events before the bound are
 * stored and answered, the rest is answered busy, and taken a day later.
 * Found by the third review: the whole batch was refused at every try,
 * the device's every event stuck behind it.
 */
static void
a_backlog_over_the_bound_drains_a_day_at_a_time(void **state)
{
	struct wire_record r[LIFE_SERIAL_DAY_MAX + 1];
	struct wire_ack ack;
	int i;

	(void)state;
	for (i = 0; i <= LIFE_SERIAL_DAY_MAX; i++) {
		r[i] = returned(i + 1, i + 1);
		str_copy(r[i].life.serial, "ONE", sizeof(r[i].life.serial));
	}
	assert_int_equal(deliver(r, LIFE_SERIAL_DAY_MAX + 1, &ack), COUNTY_DONE);
	assert_int_equal(ack.stored, LIFE_SERIAL_DAY_MAX);
	assert_int_equal(ack.hwm, LIFE_SERIAL_DAY_MAX);
	/* sent again, as gasdeliver does: the answered ones gone, the last busy */
	assert_int_equal(deliver(&r[LIFE_SERIAL_DAY_MAX], 1, &ack), COUNTY_BUSY);
	fixture_execf(cdb.db, "UPDATE life_events SET stored_ms = stored_ms - 86400001");
	assert_int_equal(deliver(&r[LIFE_SERIAL_DAY_MAX], 1, &ack), COUNTY_DONE);
	assert_int_equal(ack.hwm, LIFE_SERIAL_DAY_MAX + 1);
	assert_int_equal(kept(cdb.db, DEVICE), LIFE_SERIAL_DAY_MAX + 1);
}

static int
folder_setup(void **state)
{
	(void)state;
	t0 = time_wall_ms() - 24 * HOUR;
	if (fixture_dir_make(dir, sizeof(dir), "test_lifeingest") == -1) {
		fprintf(stderr, "test_lifeingest: no folder\n");
		return -1;
	}
	return 0;
}

static int
folder_teardown(void **state)
{
	(void)state;
	return fixture_dir_remove(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    the_mark_is_the_walks_through_gaps_fills_duplicates_and_conflicts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_refused_batch_leaves_the_mark_as_it_was, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(events_stored_without_the_ingest_are_counted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_device_beyond_its_daily_bound_is_busy, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(the_migration_gives_held_devices_their_mark,
		    folder_setup, folder_teardown),
		cmocka_unit_test_setup_teardown(a_device_has_a_daily_bound_per_cylinder, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_backlog_over_the_bound_drains_a_day_at_a_time,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    migration_026_keeps_the_steps_held_and_judges_new_ones, folder_setup,
		    folder_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
