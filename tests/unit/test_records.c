/*
 * Unit tests of gateway/records.c on a real SQLite file: what a failed
 * write is told apart by (SQLite's result code, never its text), the
 * held-back record written once by records' own thread when space
 * returns, the pre-act samples each line keeps, a new buyer committed with
 * the start row, the fill gasctl plot looks up by a uuid prefix, and the
 * outbox as the uplink thread reads and trims it.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include "records.h"
#include "registry.h"
#include "stationdb_fixture.h"
#include "store.h"
#include "util.h"

struct fixture {
	char dir[64];
	char path[96];
	struct records rec;
	unsigned serial; /* uuids made so far */
};

/* A cmocka set-up's fixture in *state: station S1's records open on a new
 * folder /tmp/test_records.XXXXXX, with cylinder C-1.  0, or -1 with the
 * reason on stderr and nothing left behind (no folder): cmocka runs no
 * tear-down after a set-up that failed. */
static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		fprintf(stderr, "test_records: no memory for the fixture\n");
		return -1;
	}
	if (stationdb_setup(f->dir, sizeof(f->dir), "test_records", &f->rec,
	        "INSERT INTO cylinders (serial, model, manufactured, tare_kg, fill_kg, owner,"
	        " updated_ms) VALUES ('C-1', 'YSP35.5', '2024-01-01', 15.2, 14.9, 'Gas', 0)") ==
	    -1) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/station.db", f->dir);
	*state = f;
	return 0;
}

/* The tear-down of setup, after a case passed or failed: the records
 * closed and the folder removed with all in it.  0, or -1 (a failure
 * cmocka reports) if the folder could not be removed. */
static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc = stationdb_teardown(f->dir, &f->rec);

	free(f);
	return rc;
}

/* The database cannot grow any more: a real SQLITE_FULL for every write
 * that needs a new page. */
static void
fill_the_disk(struct fixture *f)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
	    (long long)stationdb_count(&f->rec, "PRAGMA page_count"));
	stationdb_exec(&f->rec, sql);
}

static void
free_the_disk(struct fixture *f)
{
	stationdb_exec(&f->rec, "PRAGMA max_page_count = 1073741823");
}

static uint8_t big_curve[20000]; /* needs pages of its own */

/* A fill on line `line` with a uuid of its own, ended, teaching inflight. */
static void
new_fill(struct fixture *f, struct records_fill *fill, int line, double inflight)
{
	memset(fill, 0, sizeof(*fill));
	snprintf(fill->uuid, sizeof(fill->uuid), "00000000-0000-4000-8000-%012u", ++f->serial);
	fill->line = line;
	str_copy(fill->cylinder, "C-1", sizeof(fill->cylinder));
	fill->started_ms = 1000 * (int64_t)f->serial;
	fill->ended_ms = fill->started_ms + 500;
	fill->tare_kg = 15.3;
	fill->target_kg = 14.9;
	fill->preact_kg = 0.1;
	fill->cutoff_kg = 14.8;
	fill->gross_kg = 30.2;
	fill->net_kg = 14.9;
	fill->inflight_kg = inflight;
	str_copy(fill->result, "ok", sizeof(fill->result));
	fill->curve = big_curve;
	fill->curve_len = sizeof(big_curve);
}

static enum records_write
finish(struct fixture *f, const struct records_fill *fill)
{
	struct rules_verdict v;
	struct records_party p;
	char err[256];

	rules_verdict_init(&v);
	memset(&p, 0, sizeof(p));
	p.line = fill->line;
	return records_fill_finish(&f->rec, fill, &v, &p, err, sizeof(err));
}

static void
started(struct fixture *f, const struct records_fill *fill)
{
	char err[256];

	if (records_fill_start(&f->rec, fill, NULL, err, sizeof(err)) != RECORDS_WRITTEN)
		fail_msg("start: %s", err);
}

/* The fill of buyer b-far (township 330825102, an address) finished with
 * one violation of rules_table row `which` (none when RULES_CASE_COUNT). */
static void
finish_for_far_buyer(struct fixture *f, struct records_fill *fill, enum rules_case which)
{
	struct rules_verdict v;
	struct records_party p;
	char err[256];

	new_fill(f, fill, 1, NAN);
	str_copy(fill->buyer, "b-far", sizeof(fill->buyer));
	started(f, fill);
	rules_verdict_init(&v);
	if (which != RULES_CASE_COUNT) {
		str_copy(v.items[0].rule, rules_table[which].rule, sizeof(v.items[0].rule));
		v.items[0].severity = rules_table[which].severity;
		v.items[0].route = rules_table[which].route;
		str_copy(v.items[0].text, "test", sizeof(v.items[0].text));
		v.count = 1;
	}
	memset(&p, 0, sizeof(p));
	p.line = fill->line;
	p.buyer = "b-far";
	p.buyer_township = "330825102";
	assert_int_equal(records_fill_finish(&f->rec, fill, &v, &p, err, sizeof(err)),
	    RECORDS_WRITTEN);
}

/* The buyer's address goes up only with a fill whose violation is routed
 * to the buyer's township (R11); a station-routed violation (R04) or none
 * leaves it at the station. */
static void
the_buyer_address_goes_up_only_with_a_buyer_routed_violation(void **state)
{
	struct fixture *f = *state;
	struct records_fill fill[3];
	struct wire_batch b;
	char err[256];
	sqlite3 *db;

	stationdb_exec(&f->rec,
	    "INSERT INTO buyers (id, masked, kind, township, address, created_ms) VALUES"
	    " ('b-far', '330***********1234', 'household', '330825102', '东村12号', 0)");
	finish_for_far_buyer(f, &fill[0], RULES_R11_HOARDING);
	finish_for_far_buyer(f, &fill[1], RULES_R04_NOT_ACTIVE);
	finish_for_far_buyer(f, &fill[2], RULES_CASE_COUNT);
	if (store_open(f->path, schema_station, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(records_outbox_read(db, "S1", "330825101", 10, &b, err, sizeof(err)), 0);
	assert_int_equal(b.count, 3);
	assert_string_equal(b.records[0].violations[0].rule, "R11");
	assert_string_equal(b.records[0].fill.buyer_address, "东村12号");
	assert_string_equal(b.records[1].violations[0].rule, "R04");
	assert_string_equal(b.records[1].fill.buyer_address, "");
	assert_int_equal(b.records[2].violation_count, 0);
	assert_string_equal(b.records[2].fill.buyer_address, "");
	wire_batch_free(&b);
	store_close(db);
}

/* The waiting records (at most 4) read as the uplink reads them, encoded
 * into *out (the caller frees it), and decoded back into *b. */
static size_t
read_batch(sqlite3 *db, struct wire_batch *b, uint8_t **out)
{
	char err[256];
	size_t len = 0;

	assert_int_equal(records_outbox_read(db, "S1", "330825101", 4, b, err, sizeof(err)), 0);
	assert_int_equal(wire_encode_batch(b, out, &len), 0);
	return len;
}

/*
 * A record sent again is the record sent the first time: the buyer as it
 * was when the fill was written, not as gasctl buyers add has made it
 * since (another township, kind, delivery flag).  Before migration 010 the
 * send joined the buyer's row as it was at each send, and the county
 * raised C06 (conflict) against an honest station.  The address alone is
 * the one registered now (the station keeps one; the county's digest
 * leaves it out): a new one goes with the next send, an erased one with
 * none, and none once the buyer has moved out of the township the record
 * goes to (its officers must not learn where the buyer lives now).
 */
static void
a_record_sent_again_names_the_buyer_as_at_the_fill(void **state)
{
	struct fixture *f = *state;
	struct records_fill fill[2];
	struct wire_batch first, again;
	uint8_t *bytes1 = NULL, *bytes2 = NULL;
	size_t len1, len2;
	char err[256];
	sqlite3 *db;

	stationdb_exec(&f->rec,
	    "INSERT INTO buyers (id, masked, kind, township, address, created_ms) VALUES"
	    " ('b-far', '330***********1234', 'household', '330825102', '东村12号', 0)");
	finish_for_far_buyer(f, &fill[0], RULES_R11_HOARDING);
	finish_for_far_buyer(f, &fill[1], RULES_R04_NOT_ACTIVE);
	if (store_open(f->path, schema_station, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	len1 = read_batch(db, &first, &bytes1);
	assert_int_equal(first.count, 2);
	assert_string_equal(first.records[0].fill.buyer_township, "330825102");
	assert_string_equal(first.records[0].fill.buyer_kind, "household");
	assert_string_equal(first.records[0].fill.buyer_masked, "330***********1234");
	assert_string_equal(first.records[0].fill.buyer_address, "东村12号");
	assert_string_equal(first.records[0].violations[0].buyer_masked, "330***********1234");

	stationdb_exec(&f->rec,
	    "UPDATE buyers SET kind = 'business', delivery = 1 WHERE id = 'b-far'");
	len2 = read_batch(db, &again, &bytes2);
	assert_int_equal(again.count, 2);
	assert_string_equal(again.records[0].fill.buyer_township, "330825102");
	assert_string_equal(again.records[0].fill.buyer_kind, "household");
	assert_string_equal(again.records[0].fill.buyer_address, "东村12号");
	assert_string_equal(again.records[1].fill.buyer_township, "330825102");
	assert_string_equal(again.records[1].fill.buyer_address, "");
	assert_int_equal(len2, len1);
	assert_memory_equal(bytes2, bytes1, len1);
	free(bytes2);
	wire_batch_free(&again);

	/* the address: as registered now, the rest as at the fill */
	stationdb_exec(&f->rec, "UPDATE buyers SET address = '西村3号' WHERE id = 'b-far'");
	read_batch(db, &again, &bytes2);
	assert_string_equal(again.records[0].fill.buyer_address, "西村3号");
	assert_string_equal(again.records[0].fill.buyer_township, "330825102");
	assert_string_equal(again.records[0].fill.buyer_kind, "household");
	free(bytes2);
	wire_batch_free(&again);
	/* moved to another township: the record still goes to 330825102, as
	 * at the fill, and no longer with where the buyer lives now */
	stationdb_exec(&f->rec, "UPDATE buyers SET township = '330825109' WHERE id = 'b-far'");
	read_batch(db, &again, &bytes2);
	assert_string_equal(again.records[0].fill.buyer_township, "330825102");
	assert_string_equal(again.records[0].violations[0].township, "330825102");
	assert_string_equal(again.records[0].fill.buyer_address, "");
	free(bytes2);
	wire_batch_free(&again);
	stationdb_exec(&f->rec, "UPDATE buyers SET township = '330825102' WHERE id = 'b-far'");
	stationdb_exec(&f->rec, "UPDATE buyers SET address = '' WHERE id = 'b-far'");
	read_batch(db, &again, &bytes2);
	assert_string_equal(again.records[0].fill.buyer_address, "");
	assert_string_equal(again.records[0].fill.buyer_township, "330825102");
	free(bytes1);
	free(bytes2);
	wire_batch_free(&first);
	wire_batch_free(&again);
	store_close(db);
}

static void
write_failures_are_told_by_their_code(void **state)
{
	struct fixture *f = *state;
	struct records_fill fill;

	new_fill(f, &fill, 1, NAN);
	started(f, &fill);
	fill_the_disk(f);
	assert_int_equal(finish(f, &fill), RECORDS_NO_SPACE);
	free_the_disk(f);

	/* the words of a full disk, from a trigger: not a full disk */
	stationdb_exec(&f->rec, "CREATE TRIGGER says_full BEFORE INSERT ON outbox"
	                        " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
	assert_int_equal(finish(f, &fill), RECORDS_DB_ERROR);
	stationdb_exec(&f->rec, "DROP TRIGGER says_full");

	assert_int_equal(finish(f, &fill), RECORDS_WRITTEN);
	assert_int_equal(finish(f, &fill), RECORDS_GONE);
	assert_int_equal(stationdb_count(&f->rec, "SELECT count(*) FROM outbox"), 1);
}

/* A new buyer's row and the start row are one transaction: both or none. */
static void
new_buyer_commits_with_the_start_row(void **state)
{
	struct fixture *f = *state;
	struct records_fill fill;
	struct records_buyer buyer;
	char err[256];

	memset(&buyer, 0, sizeof(buyer));
	str_copy(buyer.id, "b-first", sizeof(buyer.id));
	str_copy(buyer.masked, "330***********1234", sizeof(buyer.masked));
	str_copy(buyer.kind, "household", sizeof(buyer.kind));
	str_copy(buyer.township, "330825101", sizeof(buyer.township));
	new_fill(f, &fill, 1, NAN);
	str_copy(fill.buyer, buyer.id, sizeof(fill.buyer));
	stationdb_exec(&f->rec, "CREATE TRIGGER no_fill BEFORE INSERT ON fills"
	                        " BEGIN SELECT RAISE(ABORT, 'no'); END");
	assert_int_equal(records_fill_start(&f->rec, &fill, &buyer, err, sizeof(err)),
	    RECORDS_DB_ERROR);
	assert_int_equal(stationdb_count(&f->rec, "SELECT count(*) FROM buyers"), 0);
	stationdb_exec(&f->rec, "DROP TRIGGER no_fill");
	assert_int_equal(records_fill_start(&f->rec, &fill, &buyer, err, sizeof(err)),
	    RECORDS_WRITTEN);
	assert_int_equal(
	    stationdb_count(&f->rec, "SELECT count(*) FROM buyers WHERE id = 'b-first'"), 1);
	assert_int_equal(
	    stationdb_count(&f->rec, "SELECT count(*) FROM fills WHERE buyer = 'b-first'"), 1);
}

/* Wait (real time, at most 5 s) until the held record of uuid is settled. */
static enum records_write
settled(struct fixture *f, const char *uuid, unsigned *tries)
{
	int64_t until = time_mono_ms() + 5000;
	enum records_write w;

	while ((w = records_held(&f->rec, uuid, tries)) != RECORDS_WRITTEN && w != RECORDS_GONE &&
	       time_mono_ms() < until)
		time_sleep_ms(10);
	return w;
}

/* A record held back on a full disk is written by records' writer once the
 * disk takes it, exactly once, without anyone asking again. */
static void
held_record_is_written_once_when_space_returns(void **state)
{
	struct fixture *f = *state;
	struct records_fill fill;
	struct rules_verdict v;
	struct records_party p;
	enum records_write w;
	unsigned tries = 0;
	char err[256];

	new_fill(f, &fill, 3, 0.05);
	started(f, &fill);
	fill_the_disk(f);
	w = finish(f, &fill);
	assert_int_equal(w, RECORDS_NO_SPACE);
	rules_verdict_init(&v);
	memset(&p, 0, sizeof(p));
	p.line = 3;
	p.cylinder = "C-1";
	assert_int_equal(records_hold(&f->rec, &fill, &v, &p, w, err, sizeof(err)), 0);
	memset(big_curve, 'x', sizeof(big_curve)); /* records holds its own copy */
	assert_int_equal(records_held(&f->rec, fill.uuid, NULL), RECORDS_NO_SPACE);
	records_held_retry(&f->rec);
	while (records_held(&f->rec, fill.uuid, &tries) == RECORDS_NO_SPACE && tries == 0)
		time_sleep_ms(10);
	assert_int_equal(records_held(&f->rec, fill.uuid, NULL), RECORDS_NO_SPACE);
	free_the_disk(f);
	assert_int_equal(settled(f, fill.uuid, &tries), RECORDS_WRITTEN);
	assert_true(tries >= 2);
	assert_int_equal(records_held(&f->rec, fill.uuid, NULL), RECORDS_GONE); /* forgotten */
	assert_int_equal(stationdb_count(&f->rec, "SELECT count(*) FROM fills WHERE result = 'ok'"
	                                          " AND curve = zeroblob(20000)"),
	    1);
	memset(big_curve, 0, sizeof(big_curve));
	assert_int_equal(stationdb_count(&f->rec, "SELECT count(*) FROM outbox"), 1);
	assert_int_equal(
	    stationdb_count(&f->rec, "SELECT count(*) FROM preact_samples WHERE line = 3"), 1);
	time_sleep_ms(RECORDS_HOLD_RETRY_MS + 200); /* the writer has nothing more to write */
	assert_int_equal(stationdb_count(&f->rec, "SELECT count(*) FROM outbox"), 1);
}

/* A held record whose row is closed meanwhile is settled as gone. */
static void
held_record_whose_row_is_gone_is_settled(void **state)
{
	struct fixture *f = *state;
	struct records_fill fill;
	struct rules_verdict v;
	struct records_party p;
	char err[256];

	new_fill(f, &fill, 1, NAN);
	started(f, &fill);
	fill_the_disk(f);
	rules_verdict_init(&v);
	memset(&p, 0, sizeof(p));
	assert_int_equal(records_hold(&f->rec, &fill, &v, &p, finish(f, &fill), err, sizeof(err)),
	    0);
	free_the_disk(f);
	stationdb_exec(&f->rec, "UPDATE fills SET result = 'interrupted' WHERE result = 'filling'");
	assert_int_equal(records_held_write_now(&f->rec, fill.uuid, err, sizeof(err)),
	    RECORDS_GONE);
	assert_int_equal(stationdb_count(&f->rec, "SELECT count(*) FROM outbox"), 0);
}

/* Each line keeps the in-flight masses of its newest 8 teaching fills,
 * committed with the fill; a fill that teaches nothing adds none. */
static void
preact_samples_keep_the_newest_of_each_line(void **state)
{
	struct fixture *f = *state;
	struct records_fill fill;
	double got[RECORDS_PREACT_SAMPLES + 2];
	size_t n, i;
	char err[256];

	for (i = 1; i <= 10; i++) {
		new_fill(f, &fill, 1, 0.01 * (double)i);
		started(f, &fill);
		assert_int_equal(finish(f, &fill), RECORDS_WRITTEN);
	}
	new_fill(f, &fill, 1, NAN);
	started(f, &fill);
	assert_int_equal(finish(f, &fill), RECORDS_WRITTEN);
	new_fill(f, &fill, 2, 0.2);
	started(f, &fill);
	assert_int_equal(finish(f, &fill), RECORDS_WRITTEN);

	assert_int_equal(records_preact_samples(&f->rec, 1, got, RECORDS_PREACT_SAMPLES + 2, &n,
	                     err, sizeof(err)),
	    0);
	assert_int_equal(n, RECORDS_PREACT_SAMPLES);
	for (i = 0; i < n; i++)
		assert_true(fabs(got[i] - 0.01 * (double)(10 - i)) < 1e-9);
	assert_int_equal(records_preact_samples(&f->rec, 2, got, 4, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_true(fabs(got[0] - 0.2) < 1e-9);
	assert_int_equal(records_preact_samples(&f->rec, 9, got, 4, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
}

/* gasctl plot's look-up: one fill, several, none; the curve's own bytes. */
static void
fill_is_found_by_a_uuid_prefix(void **state)
{
	struct fixture *f = *state;
	struct records_fill a, b;
	struct records_fill_curve got;
	char others[RECORDS_PREFIX_OTHERS][37], err[256];
	size_t n;

	new_fill(f, &a, 1, NAN);
	started(f, &a);
	assert_int_equal(finish(f, &a), RECORDS_WRITTEN);
	new_fill(f, &b, 1, NAN);
	started(f, &b);
	assert_int_equal(
	    records_fill_by_prefix(f->rec.db, a.uuid, &got, others, &n, err, sizeof(err)),
	    RECORDS_MATCH_ONE);
	assert_string_equal(got.uuid, a.uuid);
	assert_int_equal(got.curve_len, sizeof(big_curve));
	assert_string_equal(got.result, "ok");
	free(got.curve);
	assert_int_equal(
	    records_fill_by_prefix(f->rec.db, "00000000", &got, others, &n, err, sizeof(err)),
	    RECORDS_MATCH_MANY);
	assert_string_equal(got.uuid, a.uuid);
	assert_int_equal(n, 1);
	assert_string_equal(others[0], b.uuid);
	free(got.curve);
	assert_int_equal(
	    records_fill_by_prefix(f->rec.db, b.uuid, &got, others, &n, err, sizeof(err)),
	    RECORDS_MATCH_ONE);
	assert_null(got.curve); /* still filling: no curve yet */
	assert_int_equal(
	    records_fill_by_prefix(f->rec.db, "ffff", &got, others, &n, err, sizeof(err)),
	    RECORDS_MATCH_NONE);
	assert_int_equal(
	    records_fill_by_prefix(f->rec.db, "00'--", &got, others, &n, err, sizeof(err)),
	    RECORDS_MATCH_ERROR);
}

/* The uplink thread's view of the outbox, on a connection of its own: the
 * oldest records first with their fills, and a trim that stops at the mark. */
static void
outbox_is_read_oldest_first_and_trimmed_to_the_mark(void **state)
{
	struct fixture *f = *state;
	struct records_fill fill[3];
	struct wire_batch b;
	int64_t oldest = -1, first_seq;
	char err[256];
	sqlite3 *db;
	int i;

	for (i = 0; i < 3; i++) {
		new_fill(f, &fill[i], 1, NAN);
		started(f, &fill[i]);
		assert_int_equal(finish(f, &fill[i]), RECORDS_WRITTEN);
	}
	if (store_open(f->path, schema_station, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(records_outbox_count(db, &oldest), 3);
	assert_true(oldest > 0);

	assert_int_equal(records_outbox_read(db, "S1", "330825101", 2, &b, err, sizeof(err)), 0);
	assert_int_equal(b.count, 2);
	assert_string_equal(b.station, "S1");
	assert_string_equal(b.records[0].uuid, fill[0].uuid);
	assert_string_equal(b.records[1].uuid, fill[1].uuid);
	assert_true(b.records[0].seq < b.records[1].seq);
	assert_true(b.records[0].has_fill);
	assert_string_equal(b.records[0].fill.cylinder, "C-1");
	assert_string_equal(b.records[0].fill.result, "ok");
	first_seq = b.records[0].seq;
	wire_batch_free(&b);

	/* the mark covers the first record only: the other two stay */
	assert_int_equal(records_outbox_trim(db, first_seq, err, sizeof(err)), 0);
	assert_int_equal(records_outbox_count(db, NULL), 2);
	assert_int_equal(records_outbox_read(db, "S1", "330825101", 10, &b, err, sizeof(err)), 0);
	assert_int_equal(b.count, 2);
	assert_string_equal(b.records[0].uuid, fill[1].uuid);
	assert_string_equal(b.records[1].uuid, fill[2].uuid);
	wire_batch_free(&b);
	/* the fills themselves are never trimmed */
	assert_int_equal(stationdb_count(&f->rec, "SELECT count(*) FROM fills"), 3);
	store_close(db);
}

/* The oldest n waiting records, encoded as the uplink sends them. */
static size_t
encoded_batch(sqlite3 *db, int n, uint8_t **out)
{
	struct wire_batch b;
	char err[256];
	size_t len = 0;

	assert_int_equal(records_outbox_read(db, "S1", "330825101", n, &b, err, sizeof(err)), 0);
	assert_int_equal(b.count, (size_t)n);
	assert_int_equal(wire_encode_batch(&b, out, &len), 0);
	wire_batch_free(&b);
	return len;
}

/*
 * Acknowledged records are kept (out of the outbox, at their seq); a
 * county mark below one of them puts every acknowledged one above it back,
 * and they go out again as the same bytes; past the keep time they are
 * forgotten, and a mark below them then puts nothing back.
 */
/* n fills written (at most 8), and the seqs the outbox hands them out at,
 * read on a connection of the uplink thread's own (returned; the caller
 * closes it). */
static sqlite3 *
fills_handed_out(struct fixture *f, int n, int64_t *seq)
{
	struct records_fill fill[8];
	struct wire_batch b;
	char err[256];
	sqlite3 *db;
	int i;

	assert_true(n <= 8);
	for (i = 0; i < n; i++) {
		new_fill(f, &fill[i], 1, NAN);
		started(f, &fill[i]);
		assert_int_equal(finish(f, &fill[i]), RECORDS_WRITTEN);
	}
	if (store_open(f->path, schema_station, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(records_outbox_read(db, "S1", "330825101", n, &b, err, sizeof(err)), 0);
	assert_int_equal(b.count, n);
	for (i = 0; i < n; i++)
		seq[i] = b.records[i].seq;
	wire_batch_free(&b);
	return db;
}

static void
acknowledged_records_are_kept_resent_and_forgotten(void **state)
{
	struct fixture *f = *state;
	struct records_reack back;
	int64_t seq[5];
	uint8_t *first = NULL, *again = NULL;
	size_t first_len, again_len;
	char err[256];
	sqlite3 *db = fills_handed_out(f, 5, seq);
	assert_int_equal(records_outbox_last_seq(db), seq[4]);

	/* two acknowledged by a mark, the last three by a batch's 2.04 */
	assert_int_equal(records_outbox_trim(db, seq[1], err, sizeof(err)), 0);
	first_len = encoded_batch(db, 3, &first);
	assert_int_equal(records_outbox_delivered(db, &seq[2], 3, err, sizeof(err)), 0);
	assert_int_equal(records_outbox_count(db, NULL), 0);
	assert_int_equal(records_outbox_holds(db, seq[0]), 0);
	assert_int_equal(records_outbox_acked_holds(db, seq[0]), 1);
	assert_int_equal(stationdb_count(&f->rec, "SELECT count(*) FROM outbox_acked"), 5);

	/* a mark at or above every acknowledged record: nothing lost */
	assert_int_equal(records_outbox_reack(db, seq[4], -1, &back, err, sizeof(err)), 0);
	assert_int_equal(records_outbox_reack(db, seq[4] + 7, -1, &back, err, sizeof(err)), 0);
	assert_int_equal(records_outbox_count(db, NULL), 0);

	/* the county lost seq[2]..seq[4]: back in the outbox, the same bytes */
	assert_int_equal(records_outbox_reack(db, seq[1], -1, &back, err, sizeof(err)), 1);
	assert_int_equal(back.first, seq[2]);
	assert_int_equal(back.last, seq[4]);
	assert_int_equal(back.count, 3);
	assert_int_equal(records_outbox_count(db, NULL), 3);
	assert_int_equal(stationdb_count(&f->rec, "SELECT count(*) FROM outbox_acked"), 2);
	again_len = encoded_batch(db, 3, &again);
	assert_int_equal(again_len, first_len);
	assert_memory_equal(again, first, first_len);
	free(first);
	free(again);
	/* and the sequence goes on: a new record takes the next seq */
	assert_int_equal(records_outbox_last_seq(db), seq[4]);

	/* acknowledged again; forgotten past the keep time, oldest first, in bounded steps */
	assert_int_equal(records_outbox_trim(db, seq[4], err, sizeof(err)), 0);
	assert_int_equal(records_outbox_forget(db, 0, 2, err, sizeof(err)), 0);
	assert_int_equal(records_outbox_forget(db, time_wall_ms() + 1000, 2, err, sizeof(err)), 2);
	assert_int_equal(records_outbox_acked_holds(db, seq[0]), 0);
	assert_int_equal(records_outbox_acked_holds(db, seq[2]), 1);
	assert_int_equal(records_outbox_forget(db, time_wall_ms() + 1000, 2, err, sizeof(err)), 2);
	assert_int_equal(records_outbox_forget(db, time_wall_ms() + 1000, 2, err, sizeof(err)), 1);
	assert_int_equal(records_outbox_forget(db, time_wall_ms() + 1000, 2, err, sizeof(err)), 0);
	/* forgotten: the county lacks them for good, nothing comes back */
	assert_int_equal(records_outbox_reack(db, seq[1], -1, &back, err, sizeof(err)), 0);
	assert_int_equal(records_outbox_count(db, NULL), 0);
	assert_int_equal(stationdb_count(&f->rec, "SELECT count(*) FROM fills"), 5);
	store_close(db);
}

/*
 * Review rev96: seq[1] set aside, so the county's mark stays at seq[0]
 * whatever it holds after it.  Only its count of what it holds above the
 * mark (held_above) tells that it lost records there: when fewer than
 * outbox_acked keeps above the mark, all of those go back to the outbox;
 * as many or more (or not said, -1), none.
 */
static void
records_lost_above_a_stopped_mark_are_put_back(void **state)
{
	struct fixture *f = *state;
	struct records_reack back;
	int64_t seq[5];
	char err[256];
	sqlite3 *db = fills_handed_out(f, 5, seq);

	assert_int_equal(records_outbox_trim(db, seq[0], err, sizeof(err)), 0);
	assert_int_equal(records_outbox_set_aside(db, seq[1], "test", 1, err, sizeof(err)), 1);
	assert_int_equal(records_outbox_delivered(db, &seq[2], 3, err, sizeof(err)), 0);
	assert_int_equal(stationdb_count(&f->rec, "SELECT count(*) FROM outbox_acked"), 4);

	/* not said, or the county holds all three (or more): nothing */
	assert_int_equal(records_outbox_county_lacks(db, seq[0], -1), 0);
	assert_int_equal(records_outbox_reack(db, seq[0], -1, &back, err, sizeof(err)), 0);
	assert_int_equal(records_outbox_county_lacks(db, seq[0], 3), 0);
	assert_int_equal(records_outbox_reack(db, seq[0], 3, &back, err, sizeof(err)), 0);
	assert_int_equal(records_outbox_reack(db, seq[0], INT64_MAX, &back, err, sizeof(err)), 0);
	assert_int_equal(records_outbox_count(db, NULL), 0);

	/* it holds one of them: all three go back, the set-aside one stays */
	assert_int_equal(records_outbox_county_lacks(db, seq[0], 1), 1);
	assert_int_equal(records_outbox_reack(db, seq[0], 1, &back, err, sizeof(err)), 1);
	assert_int_equal(back.first, seq[2]);
	assert_int_equal(back.last, seq[4]);
	assert_int_equal(back.count, 3);
	assert_int_equal(records_outbox_count(db, NULL), 3);
	assert_int_equal(records_outbox_aside_count(db), 1);
	assert_int_equal(stationdb_count(&f->rec, "SELECT count(*) FROM outbox_acked"), 1);
	/* nothing above the mark acknowledged any more: nothing to put back */
	assert_int_equal(records_outbox_county_lacks(db, seq[0], 0), 0);
	assert_int_equal(records_outbox_reack(db, seq[0], 0, &back, err, sizeof(err)), 0);
	store_close(db);
}

/*
 * Review rev101: behind set-aside seq[1] the mark stays at seq[0], and the
 * station forgets its oldest acknowledged rows (acked_keep_days) while
 * the county keeps them.  A county restored from a backup that lost one
 * record above the mark still holds more than the station keeps there:
 * compared with the rows kept, the loss was never seen.  By the
 * station's numbering it had acknowledged four there: the county lacks
 * one, the two kept go out again, the two forgotten are named.
 */
static void
records_lost_behind_forgotten_rows_are_seen(void **state)
{
	struct fixture *f = *state;
	struct records_reack back;
	struct records_above ab;
	int64_t seq[6];
	char err[256], sql[200];
	sqlite3 *db = fills_handed_out(f, 6, seq);

	assert_int_equal(records_outbox_trim(db, seq[0], err, sizeof(err)), 0);
	assert_int_equal(records_outbox_set_aside(db, seq[1], "test", 1, err, sizeof(err)), 1);
	assert_int_equal(records_outbox_delivered(db, &seq[2], 4, err, sizeof(err)), 0);
	snprintf(sql, sizeof(sql), "UPDATE outbox_acked SET acked_ms = 1 WHERE seq IN (%lld, %lld)",
	    (long long)seq[2], (long long)seq[3]);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(records_outbox_forget(db, 2, 100, err, sizeof(err)), 2);

	assert_int_equal(records_outbox_above(db, seq[0], 1, &ab), 0);
	assert_int_equal(ab.acked, 4);
	assert_int_equal(ab.kept, 2);
	assert_int_equal(ab.gone, 2);
	assert_int_equal(ab.gone_first, seq[2]);
	assert_int_equal(ab.gone_last, seq[3]);

	/* it holds all four: nothing; it holds three: the two kept go back */
	assert_int_equal(records_outbox_county_lacks(db, seq[0], 4), 0);
	assert_int_equal(records_outbox_county_lacks(db, seq[0], 3), 1);
	assert_int_equal(records_outbox_reack(db, seq[0], 3, &back, err, sizeof(err)), 1);
	assert_int_equal(back.first, seq[4]);
	assert_int_equal(back.last, seq[5]);
	assert_int_equal(back.count, 2);
	assert_int_equal(records_outbox_waiting(db, back.first, back.last), 2);
	assert_int_equal(records_outbox_aside_count(db), 1);
	store_close(db);
}

/*
 * A station restored from an older backup: the county's mark is above its
 * last seq.  Every row not yet acknowledged (waiting or set aside) takes a
 * seq after the mark, in its order, with its uuid; the acknowledged ones
 * stay; the next record is numbered after them.  A mark not above the last
 * seq changes nothing.
 */
static void
a_county_ahead_renumbers_what_waits_after_its_mark(void **state)
{
	struct fixture *f = *state;
	struct records_renumber r;
	struct records_fill more;
	struct wire_batch b;
	int64_t seq[4];
	char err[256], uuid[2][37];
	sqlite3 *db = fills_handed_out(f, 4, seq);

	assert_int_equal(records_outbox_trim(db, seq[0], err, sizeof(err)), 0);
	assert_int_equal(records_outbox_set_aside(db, seq[2], "refused", 1000, err, sizeof(err)),
	    1);
	assert_int_equal(records_outbox_read(db, "S1", "330825101", 2, &b, err, sizeof(err)), 0);
	assert_int_equal(b.count, 2);
	str_copy(uuid[0], b.records[0].uuid, sizeof(uuid[0]));
	str_copy(uuid[1], b.records[1].uuid, sizeof(uuid[1]));
	wire_batch_free(&b);

	/* at or below the last seq: nothing */
	assert_int_equal(records_outbox_renumber(db, seq[3], &r, err, sizeof(err)), 0);
	assert_int_equal(records_outbox_renumber(db, seq[1], &r, err, sizeof(err)), 0);
	assert_int_equal(stationdb_count(&f->rec, "SELECT min(seq) FROM outbox"), seq[1]);

	/* the county holds up to seq[3] + 10 */
	assert_int_equal(records_outbox_renumber(db, seq[3] + 10, &r, err, sizeof(err)), 1);
	assert_int_equal(r.was_last, seq[3]);
	assert_int_equal(r.count, 3);
	assert_int_equal(r.first, seq[3] + 11);
	assert_int_equal(r.last, seq[3] + 13);
	assert_int_equal(records_outbox_count(db, NULL), 2);
	assert_int_equal(records_outbox_aside_count(db), 1);
	assert_int_equal(records_outbox_holds(db, seq[3] + 12), 1); /* the set-aside one */
	assert_int_equal(stationdb_count(&f->rec,
	                     "SELECT count(*) FROM outbox WHERE aside_ms IS NOT NULL AND seq ="
	                     " (SELECT max(seq) - 1 FROM outbox)"),
	    1);
	assert_int_equal(records_outbox_acked_holds(db, seq[0]), 1);
	assert_int_equal(records_outbox_last_seq(db), seq[3] + 13);
	/* the same records, in their order, at the new seqs */
	assert_int_equal(records_outbox_read(db, "S1", "330825101", 5, &b, err, sizeof(err)), 0);
	assert_int_equal(b.count, 2);
	assert_int_equal(b.records[0].seq, seq[3] + 11);
	assert_string_equal(b.records[0].uuid, uuid[0]);
	assert_int_equal(b.records[1].seq, seq[3] + 13);
	assert_string_equal(b.records[1].uuid, uuid[1]);
	wire_batch_free(&b);

	/* the next record is numbered after them */
	new_fill(f, &more, 1, NAN);
	started(f, &more);
	assert_int_equal(finish(f, &more), RECORDS_WRITTEN);
	assert_int_equal(records_outbox_last_seq(db), seq[3] + 14);

	/* nothing waiting: the numbering still goes on after the mark */
	assert_int_equal(records_outbox_trim(db, seq[3] + 14, err, sizeof(err)), 0);
	assert_int_equal(records_outbox_aside_count(db), 1);
	stationdb_exec(&f->rec, "DELETE FROM outbox WHERE aside_ms IS NOT NULL");
	assert_int_equal(records_outbox_count(db, NULL) + records_outbox_aside_count(db), 0);
	assert_int_equal(records_outbox_renumber(db, seq[3] + 100, &r, err, sizeof(err)), 1);
	assert_int_equal(r.count, 0);
	assert_int_equal(records_outbox_last_seq(db), seq[3] + 100);
	store_close(db);
}

/* Behind a set-aside record the county's mark stops, and the records after
 * it were taken all the same: that is no loss, nothing is sent again. */
static void
a_mark_stopped_by_a_set_aside_record_resends_nothing(void **state)
{
	struct fixture *f = *state;
	struct records_reack back;
	int64_t seq[3];
	char err[256];
	sqlite3 *db = fills_handed_out(f, 3, seq);
	assert_int_equal(records_outbox_set_aside(db, seq[1], "refused", 1000, err, sizeof(err)),
	    1);
	assert_int_equal(records_outbox_trim(db, seq[0], err, sizeof(err)), 0);
	assert_int_equal(records_outbox_delivered(db, &seq[2], 1, err, sizeof(err)), 0);
	assert_int_equal(records_outbox_reack(db, seq[0], -1, &back, err, sizeof(err)), 0);
	assert_int_equal(records_outbox_count(db, NULL), 0);
	assert_int_equal(records_outbox_aside_count(db), 1);
	assert_int_equal(records_outbox_acked_holds(db, seq[2]), 1);
	/* a county that lost everything: both acknowledged ones go again, the
	 * set-aside one stays aside */
	assert_int_equal(records_outbox_reack(db, 0, -1, &back, err, sizeof(err)), 1);
	assert_int_equal(back.count, 2);
	assert_int_equal(records_outbox_count(db, NULL), 2);
	assert_int_equal(records_outbox_aside_count(db), 1);
	store_close(db);
}

static void
a_set_aside_record_is_kept_skipped_and_retried(void **state)
{
	struct fixture *f = *state;
	struct records_fill fill[4];
	struct wire_batch b;
	int64_t seq[4], n = -1;
	char err[256];
	sqlite3 *db;
	int i;

	for (i = 0; i < 4; i++) {
		new_fill(f, &fill[i], 1, NAN);
		started(f, &fill[i]);
		assert_int_equal(finish(f, &fill[i]), RECORDS_WRITTEN);
	}
	if (store_open(f->path, schema_station, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(records_outbox_read(db, "S1", "330825101", 4, &b, err, sizeof(err)), 0);
	for (i = 0; i < 4; i++)
		seq[i] = b.records[i].seq;
	wire_batch_free(&b);

	assert_int_equal(
	    records_outbox_set_aside(db, seq[1], "record 0: btown 'TZ'", 1000, err, sizeof(err)),
	    1);
	/* twice: nothing more to do */
	assert_int_equal(records_outbox_set_aside(db, seq[1], "again", 2000, err, sizeof(err)), 0);
	assert_int_equal(records_outbox_count(db, NULL), 3);
	assert_int_equal(records_outbox_aside_count(db), 1);
	assert_int_equal(records_outbox_holds(db, seq[1]), 1);
	assert_int_equal(records_outbox_holds(db, seq[3] + 1), 0);
	/* it is not sent ... */
	assert_int_equal(records_outbox_read(db, "S1", "330825101", 10, &b, err, sizeof(err)), 0);
	assert_int_equal(b.count, 3);
	assert_int_equal(b.records[0].seq, seq[0]);
	assert_int_equal(b.records[1].seq, seq[2]);
	wire_batch_free(&b);
	/* ... and neither a mark past it nor a delivered batch deletes it */
	assert_int_equal(records_outbox_trim(db, seq[2], err, sizeof(err)), 0);
	assert_int_equal(records_outbox_delivered(db, &seq[1], 3, err, sizeof(err)), 0);
	assert_int_equal(records_outbox_count(db, NULL), 0);
	assert_int_equal(records_outbox_aside_count(db), 1);
	assert_int_equal(records_aside_total(&f->rec), 1);

	/* retrying another seq changes nothing; retrying all puts it back */
	assert_int_equal(records_aside_retry(&f->rec, seq[0], &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(records_aside_retry(&f->rec, 0, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(records_outbox_aside_count(db), 0);
	assert_int_equal(records_outbox_read(db, "S1", "330825101", 10, &b, err, sizeof(err)), 0);
	assert_int_equal(b.count, 1);
	assert_int_equal(b.records[0].seq, seq[1]);
	assert_string_equal(b.records[0].uuid, fill[1].uuid);
	wire_batch_free(&b);
	store_close(db);
}

static int
aside_row(const struct records_aside *row, void *arg)
{
	struct records_aside *out = arg;

	*out = *row;
	return 0;
}

static void
a_set_aside_record_is_listed_with_its_reason(void **state)
{
	struct fixture *f = *state;
	struct records_fill fill;
	struct records_aside row;
	struct wire_batch b;
	char err[256];
	sqlite3 *db;
	int64_t n;

	new_fill(f, &fill, 1, NAN);
	started(f, &fill);
	assert_int_equal(finish(f, &fill), RECORDS_WRITTEN);
	if (store_open(f->path, schema_station, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(records_outbox_read(db, "S1", "330825101", 1, &b, err, sizeof(err)), 0);
	assert_int_equal(records_outbox_set_aside(db, b.records[0].seq,
	                     "record 0 (seq 1): end is not a possible time", 1234, err,
	                     sizeof(err)),
	    1);
	memset(&row, 0, sizeof(row));
	assert_int_equal(records_aside_list(&f->rec, aside_row, &row, err, sizeof(err)), 0);
	assert_int_equal(row.seq, b.records[0].seq);
	assert_string_equal(row.uuid, fill.uuid);
	assert_string_equal(row.kind, "fill");
	assert_int_equal(row.aside_ms, 1234);
	assert_string_equal(row.reason, "record 0 (seq 1): end is not a possible time");
	assert_int_equal(row.line, 1);
	assert_string_equal(row.cylinder, "C-1");
	wire_batch_free(&b);
	assert_int_equal(records_aside_retry(&f->rec, row.seq, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	store_close(db);
}

/* A truck's load: every life event and its outbox row in one transaction,
 * read back for the county with its life part, after the fills, in seq
 * order. */
static void
life_events_go_out_with_the_fills(void **state)
{
	struct fixture *f = *state;
	struct records_fill fill;
	struct wire_life ev[2];
	struct wire_batch b;
	char uuids[2][37], err[256];
	sqlite3 *db;

	new_fill(f, &fill, 1, NAN);
	started(f, &fill);
	assert_int_equal(finish(f, &fill), RECORDS_WRITTEN);
	memset(ev, 0, sizeof(ev));
	snprintf(ev[0].event, sizeof(ev[0].event), "dispatched");
	snprintf(ev[0].serial, sizeof(ev[0].serial), "C-1");
	snprintf(ev[0].code, sizeof(ev[0].code), "GC1:CODE1");
	snprintf(ev[0].actor, sizeof(ev[0].actor), "OP1");
	snprintf(ev[0].worker, sizeof(ev[0].worker), "wang");
	ev[0].at_ms = 1795700000000;
	ev[1] = ev[0];
	snprintf(ev[1].serial, sizeof(ev[1].serial), "C-2");
	ev[1].has_position = 1;
	ev[1].lat = 29.5;
	ev[1].lon = -0.25;
	assert_int_equal(records_life_add(&f->rec, ev, 2, uuids, err, sizeof(err)), 0);
	assert_int_equal(stationdb_count(&f->rec, "SELECT count(*) FROM life_events"), 2);

	if (store_open(f->path, schema_station, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(records_outbox_read(db, "S1", "330825101", 10, &b, err, sizeof(err)), 0);
	assert_int_equal(b.count, 3);
	assert_true(b.records[0].has_fill);
	assert_string_equal(b.records[1].kind, "life");
	assert_string_equal(b.records[1].uuid, uuids[0]);
	assert_true(b.records[1].has_life);
	assert_memory_equal(&b.records[1].life, &ev[0], sizeof(ev[0]));
	assert_memory_equal(&b.records[2].life, &ev[1], sizeof(ev[1]));
	assert_int_equal(b.records[1].seq + 1, b.records[2].seq);
	wire_batch_free(&b);
	store_close(db);

	/* one event the table refuses (an unknown event) and none of the load
	 * is kept */
	snprintf(ev[1].event, sizeof(ev[1].event), "stolen");
	assert_int_equal(records_life_add(&f->rec, ev, 2, NULL, err, sizeof(err)), -1);
	assert_int_equal(stationdb_count(&f->rec, "SELECT count(*) FROM life_events"), 2);
	assert_int_equal(stationdb_count(&f->rec, "SELECT count(*) FROM outbox"), 3);
}

/* Record serial's life event (a result for inspection_back) at at_ms. */
static void
life_here(struct fixture *f, const char *event, const char *serial, const char *result,
    int64_t at_ms)
{
	struct wire_life ev;
	char err[256];

	memset(&ev, 0, sizeof(ev));
	str_copy(ev.event, event, sizeof(ev.event));
	str_copy(ev.serial, serial, sizeof(ev.serial));
	str_copy(ev.code, "GC1:CODE", sizeof(ev.code));
	str_copy(ev.actor, "OP1", sizeof(ev.actor));
	str_copy(ev.result, result, sizeof(ev.result));
	if (result[0] != '\0')
		str_copy(ev.next_due, "2030-01-01", sizeof(ev.next_due));
	if (strcmp(event, "scrapped") == 0)
		str_copy(ev.reason, "corroded", sizeof(ev.reason));
	ev.at_ms = at_ms;
	if (records_life_add(&f->rec, &ev, 1, NULL, err, sizeof(err)) == -1)
		fail_msg("%s", err);
}

/* C-1's registry row written by a county pull (a delta) at updated_ms, as
 * registry_apply_delta writes it: the status and time pulled too. */
static void
registry_row(struct fixture *f, const char *status, int64_t updated_ms)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
	    "UPDATE cylinders SET status = '%s', updated_ms = %lld, pulled_status = '%s',"
	    " pulled_ms = %lld WHERE serial = 'C-1'",
	    status, (long long)updated_ms, status, (long long)updated_ms);
	stationdb_exec(&f->rec, sql);
}

/* records_life_stopped of C-1: 1 or 0 (-1 fails the test), *failed and
 * *at_ms from the event when 1. */
static int
stopped(struct fixture *f, int *failed, int64_t *at_ms)
{
	struct records_life_stop stop;
	char err[256];
	int rc = records_life_stopped(&f->rec, "C-1", &stop, err, sizeof(err));

	if (rc == -1)
		fail_msg("records_life_stopped: %s", err);
	*failed = stop.failed;
	*at_ms = stop.at_ms;
	return rc;
}

/* The county takes every record in the outbox (the uplink thread trims to
 * its mark, on a connection of its own).  Returns now, as it was before. */
static int64_t
county_takes_all(struct fixture *f)
{
	int64_t before = time_wall_ms();
	char err[256];
	sqlite3 *db;

	if (store_open(f->path, schema_station, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	if (records_outbox_trim(db, INT64_MAX, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	store_close(db);
	return before;
}

/*
 * A scrap or a failed inspection recorded here stops the cylinder until the
 * county took the event and its registry says active in a row written
 * after that: a row written between the event and the county's taking it
 * (a delta the county served before it had the event) lifts nothing, nor
 * does a row saying scrapped, nor a pass recorded after a fail, nor a
 * clock stepped back between the delivery and the next row.
 */
static void
a_stop_here_holds_until_the_county_says_active_after_taking_it(void **state)
{
	struct fixture *f = *state;
	int64_t now = time_wall_ms(), at = 0, delivered;
	int failed = -1;

	assert_int_equal(stopped(f, &failed, &at), 0);
	life_here(f, "inspection_back", "C-1", "pass", now - 60000);
	life_here(f, "scrapped", "C-2", "", now - 50000);
	assert_int_equal(stopped(f, &failed, &at), 0); /* a pass; another's scrap */

	life_here(f, "scrapped", "C-1", "", now - 40000);
	assert_int_equal(stopped(f, &failed, &at), 1);
	assert_int_equal(failed, 0);
	assert_int_equal(at, now - 40000);
	/* the county's row served before it had the scrap, written after it */
	registry_row(f, "active", now - 30000);
	assert_int_equal(stopped(f, &failed, &at), 1);
	delivered = county_takes_all(f);
	assert_true(
	    stationdb_count(&f->rec,
	        "SELECT min(delivered_ms) FROM life_events WHERE serial = 'C-1'") >= delivered);
	assert_int_equal(stopped(f, &failed, &at), 1); /* no row written since */
	registry_row(f, "scrapped", time_wall_ms() + 1);
	assert_int_equal(stopped(f, &failed, &at), 1);
	registry_row(f, "active", time_wall_ms() + 2);
	assert_int_equal(stopped(f, &failed, &at), 0); /* the county's word after */

	/* a failed inspection, and a pass after it */
	life_here(f, "inspection_back", "C-1", "fail", now - 20000);
	assert_int_equal(stopped(f, &failed, &at), 1);
	assert_int_equal(failed, 1);
	assert_int_equal(at, now - 20000);
	life_here(f, "inspection_back", "C-1", "pass", now - 10000);
	assert_int_equal(stopped(f, &failed, &at), 1);
	assert_int_equal(failed, 1);

	/* delivered with the registry row ahead of the clock (the clock stepped
	 * back since the row was written): a row written later by the clock,
	 * earlier than that row, does not count as after the delivery */
	registry_row(f, "active", time_wall_ms() + 3600000);
	county_takes_all(f);
	registry_row(f, "active", time_wall_ms() + 60000);
	assert_int_equal(stopped(f, &failed, &at), 1);
	registry_row(f, "active", time_wall_ms() + 3600000 + 1);
	assert_int_equal(stopped(f, &failed, &at), 0);
}

/* A connection of the test's own on the fixture's database (gasctl's). */
static sqlite3 *
own_connection(struct fixture *f)
{
	char err[256];
	sqlite3 *db;

	if (store_open(f->path, schema_station, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	return db;
}

/*
 * The hole a stale company file opened: a scrap here, the county takes it,
 * then a local gasctl registry import rewrites C-1's row (active, a new
 * owner) after the delivery.  Its updated_ms is after the delivery, but an
 * import is not the county's word: the stop stands.  A county pull saying
 * active afterwards lifts it.
 */
static void
a_local_import_after_the_delivery_lifts_nothing(void **state)
{
	struct fixture *f = *state;
	struct registry_import_result res;
	struct wire_registry_row row;
	struct wire_registry delta = { .version = 9, .count = 1, .rows = &row };
	char csv[160], err[256];
	int64_t now = time_wall_ms(), at = 0;
	int failed = -1;
	size_t unknown;
	sqlite3 *db;
	FILE *fp;

	life_here(f, "scrapped", "C-1", "", now - 40000);
	registry_row(f, "active", now - 30000); /* served before the county had it */
	county_takes_all(f);
	assert_int_equal(stopped(f, &failed, &at), 1);
	snprintf(csv, sizeof(csv), "%s/company.csv", f->dir);
	fp = fopen(csv, "w");
	assert_non_null(fp);
	fputs("serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n"
	      "C-1,YSP35.5,2024-01,15.2,14.9,Other Gas,2024-06-01,active\n",
	    fp);
	fclose(fp);
	usleep(2000);
	db = own_connection(f);
	assert_int_equal(registry_import(db, csv, NULL, &res, err, sizeof(err)), 0);
	assert_int_equal(res.updated, 1);
	assert_int_equal(stationdb_count(&f->rec,
	                     "SELECT c.updated_ms > l.delivered_ms AND c.status = 'active' FROM"
	                     " cylinders c JOIN life_events l ON l.serial = c.serial"),
	    1);
	assert_int_equal(stopped(f, &failed, &at), 1); /* an import is not the county */
	assert_int_equal(at, now - 40000);

	/* the county's pull saying active, after it had the scrap: lifted */
	memset(&row, 0, sizeof(row));
	str_copy(row.serial, "C-1", sizeof(row.serial));
	str_copy(row.status, "active", sizeof(row.status));
	row.version = 9;
	usleep(2000);
	assert_int_equal(registry_apply_delta(db, &delta, &unknown, err, sizeof(err)), 0);
	store_close(db);
	assert_int_equal(stopped(f, &failed, &at), 0);
}

/*
 * gasctl registry reinstate at a station with no county: the stop it was
 * shown (records_life_stopped_db) and every one before it are lifted; a
 * scrap or a failed inspection recorded after it stands.
 */
static void
a_reinstatement_lifts_the_stops_before_it(void **state)
{
	struct fixture *f = *state;
	struct records_life_stop stop;
	struct registry_reinstatement r = { .serial = "C-1",
		.actor = "OP1",
		.login = "root",
		.reason = "typed the wrong code" };
	char err[256], was[16];
	int64_t now = time_wall_ms(), at = 0;
	int failed = -1;
	sqlite3 *db;

	life_here(f, "scrapped", "C-1", "", now - 40000);
	life_here(f, "inspection_back", "C-1", "fail", now - 30000);
	db = own_connection(f);
	assert_int_equal(registry_operator_add(db, "OP1", "Wang", "2099-01-01", err, sizeof(err)),
	    0);
	assert_int_equal(records_life_stopped_db(db, "C-1", &stop, err, sizeof(err)), 1);
	assert_int_equal(stop.failed, 1);
	assert_int_equal(stop.at_ms, now - 30000);
	r.lifts_id = stop.id;
	r.now_ms = now;
	assert_int_equal(registry_reinstate(db, &r, was, sizeof(was), err, sizeof(err)), 1);
	assert_string_equal(was, "active");
	store_close(db);
	assert_int_equal(stopped(f, &failed, &at), 0);

	life_here(f, "scrapped", "C-1", "", now - 20000);
	assert_int_equal(stopped(f, &failed, &at), 1);
	assert_int_equal(at, now - 20000);

	/* reinstated again; then a scrap recorded under a clock that reads an
	 * hour back (or 1970): before the reinstatement by its time, after it
	 * by its row, and it stands */
	db = own_connection(f);
	assert_int_equal(records_life_stopped_db(db, "C-1", &stop, err, sizeof(err)), 1);
	r.lifts_id = stop.id;
	r.now_ms = now + 1000;
	assert_int_equal(registry_reinstate(db, &r, was, sizeof(was), err, sizeof(err)), 1);
	store_close(db);
	assert_int_equal(stopped(f, &failed, &at), 0);
	life_here(f, "scrapped", "C-1", "", now - 3600000);
	assert_int_equal(stopped(f, &failed, &at), 1);
	assert_int_equal(at, now - 3600000);
	life_here(f, "scrapped", "C-1", "", 0);
	assert_int_equal(stopped(f, &failed, &at), 1);
	assert_int_equal(at, 0);
}

/* A scrap the county set aside (it refused the record) was never taken:
 * it stands whatever the registry says later. */
static void
a_stop_the_county_set_aside_stands(void **state)
{
	struct fixture *f = *state;
	struct wire_batch b;
	int64_t at = 0;
	int failed = -1;
	char err[256];
	sqlite3 *db;

	life_here(f, "scrapped", "C-1", "", time_wall_ms() - 1000);
	if (store_open(f->path, schema_station, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(records_outbox_read(db, "S1", "330825101", 1, &b, err, sizeof(err)), 0);
	assert_int_equal(
	    records_outbox_set_aside(db, b.records[0].seq, "refused", 1000, err, sizeof(err)), 1);
	assert_int_equal(records_outbox_trim(db, b.records[0].seq, err, sizeof(err)), 0);
	assert_int_equal(records_outbox_delivered(db, &b.records[0].seq, 1, err, sizeof(err)), 0);
	wire_batch_free(&b);
	store_close(db);
	registry_row(f, "active", time_wall_ms() + 1000);
	assert_int_equal(stopped(f, &failed, &at), 1);
	assert_int_equal(
	    stationdb_count(&f->rec, "SELECT count(*) FROM life_events WHERE delivered_ms IS NULL"),
	    1);
}

/* A batch the county answered 2.04 to notes its life events delivered as a
 * mark does; the fills among them change nothing. */
static void
a_delivered_batch_notes_its_life_events(void **state)
{
	struct fixture *f = *state;
	struct records_reack back;
	struct records_fill fill;
	struct wire_batch b;
	int64_t seqs[2];
	char err[256];
	sqlite3 *db;

	new_fill(f, &fill, 1, NAN);
	started(f, &fill);
	assert_int_equal(finish(f, &fill), RECORDS_WRITTEN);
	life_here(f, "inspection_back", "C-1", "fail", time_wall_ms() - 1000);
	if (store_open(f->path, schema_station, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(records_outbox_read(db, "S1", "330825101", 2, &b, err, sizeof(err)), 0);
	assert_int_equal(b.count, 2);
	seqs[0] = b.records[0].seq;
	seqs[1] = b.records[1].seq;
	wire_batch_free(&b);
	assert_int_equal(
	    stationdb_count(&f->rec, "SELECT count(*) FROM life_events WHERE delivered_ms > 0"), 0);
	assert_int_equal(records_outbox_delivered(db, seqs, 2, err, sizeof(err)), 0);
	assert_int_equal(
	    stationdb_count(&f->rec, "SELECT count(*) FROM life_events WHERE delivered_ms > 0"), 1);
	assert_int_equal(stationdb_count(&f->rec, "SELECT count(*) FROM outbox"), 0);
	/* a county that lost them: the event is no longer taken as delivered
	 * (its stop stands) until the county has it again */
	assert_int_equal(records_outbox_reack(db, seqs[0] - 1, -1, &back, err, sizeof(err)), 1);
	assert_int_equal(back.count, 2);
	assert_int_equal(
	    stationdb_count(&f->rec, "SELECT count(*) FROM life_events WHERE delivered_ms > 0"), 0);
	assert_int_equal(records_outbox_trim(db, seqs[1], err, sizeof(err)), 0);
	assert_int_equal(
	    stationdb_count(&f->rec, "SELECT count(*) FROM life_events WHERE delivered_ms > 0"), 1);
	store_close(db);
}

/* A folder of the case's own for a database made by older migrations
 * (fixture_dir_setup). */
static int
migration_folder_setup(void **state)
{
	return fixture_dir_setup(state, "test_records_mig");
}

/* Migration 005 rebuilds the outbox: a station whose outbox the county had
 * emptied goes on from its last seq, never from 1 again. */
static void
the_outbox_rebuild_keeps_the_sequence(void **state)
{
	const char *dir = *state;
	struct store_migration upto4[8];
	char path[128], err[256];
	sqlite3 *db;

	assert_int_equal(fixture_schema_upto(schema_station, 4, upto4, 8), 0);
	snprintf(path, sizeof(path), "%s/station.db", dir);
	if (store_open(path, upto4, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(store_exec(db,
	                     "INSERT INTO outbox (uuid, kind, created_ms) VALUES ('a', 'event', 1),"
	                     " ('b', 'event', 2), ('c', 'event', 3); DELETE FROM outbox",
	                     err, sizeof(err)),
	    0);
	store_close(db);
	if (store_open(path, schema_station, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(store_exec(db,
	                     "INSERT INTO outbox (uuid, kind, created_ms) VALUES ('d', 'life', 4)",
	                     err, sizeof(err)),
	    0);
	assert_int_equal(store_query_int(db, "SELECT seq FROM outbox WHERE uuid = 'd'", -1), 4);
	assert_int_equal(store_exec(db,
	                     "INSERT INTO outbox (uuid, kind, created_ms) VALUES ('e', 'gift', 5)",
	                     NULL, 0),
	    -1);
	store_close(db);
}

/* Migration 007 notes the life events the county already took (their
 * outbox rows gone) as taken at their own time, and the waiting ones (set
 * aside included) as not taken: an old scrap of a cylinder whose registry
 * row was not written since stands, one the county's row followed later
 * does not, and one still waiting stands whatever the row says.  Migration
 * 008 takes a row with a county version as pulled, at a station that ever
 * pulled, one without as imported: C-D's row, written after its scrap by an
 * import, lifts nothing. */
static void
migration_notes_the_life_events_the_county_took(void **state)
{
	const char *dir = *state;
	struct store_migration upto6[8];
	struct records_life_stop stop;
	struct records rec;
	char path[128], err[256];
	sqlite3 *db;

	assert_int_equal(fixture_schema_upto(schema_station, 6, upto6, 8), 0);
	snprintf(path, sizeof(path), "%s/station.db", dir);
	if (store_open(path, upto6, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(
	    store_exec(db,
	        "INSERT INTO cylinders (serial, model, manufactured, tare_kg, fill_kg,"
	        " owner, status, registry_version, updated_ms) VALUES"
	        " ('C-A', 'YSP35.5', '2024-01-01', 15.2, 14.9, 'Gas', 'active', 3, 500),"
	        " ('C-B', 'YSP35.5', '2024-01-01', 15.2, 14.9, 'Gas', 'active', 3, 2500),"
	        " ('C-C', 'YSP35.5', '2024-01-01', 15.2, 14.9, 'Gas', 'active', 3, 9000),"
	        " ('C-D', 'YSP35.5', '2024-01-01', 15.2, 14.9, 'Gas', 'active', 0, 2500);"
	        " INSERT INTO life_events (uuid, event, serial, code, actor, reason,"
	        " at_ms) VALUES ('a', 'scrapped', 'C-A', 'GC1:A', 'OP1', 'rust', 1000),"
	        " ('b', 'scrapped', 'C-B', 'GC1:B', 'OP1', 'rust', 2000),"
	        " ('c', 'scrapped', 'C-C', 'GC1:C', 'OP1', 'rust', 3000),"
	        " ('d', 'scrapped', 'C-D', 'GC1:D', 'OP1', 'rust', 2000);"
	        " INSERT INTO outbox (uuid, kind, created_ms, aside_ms, aside_reason)"
	        " VALUES ('c', 'life', 3000, 4000, 'refused');"
	        " INSERT INTO meta (key, value) VALUES ('registry_version', '3')",
	        err, sizeof(err)),
	    0);
	store_close(db);
	if (store_open(path, schema_station, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(store_query_int(db,
	                     "SELECT group_concat(uuid || ':' || coalesce(delivered_ms, 'waits'),"
	                     " ' ') = 'a:1000 b:2000 c:waits d:2000' FROM"
	                     " (SELECT * FROM life_events ORDER BY uuid)",
	                     -1),
	    1);
	store_close(db);
	if (records_open(&rec, path, "S1", "330825101", err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(records_life_stopped(&rec, "C-A", &stop, err, sizeof(err)), 1);
	assert_int_equal(records_life_stopped(&rec, "C-B", &stop, err, sizeof(err)), 0);
	assert_int_equal(records_life_stopped(&rec, "C-C", &stop, err, sizeof(err)), 1);
	/* migration 008: a row without a county version was last written by an
	 * import, which lifts nothing (C-B's, with one, came from a pull) */
	assert_int_equal(records_life_stopped(&rec, "C-D", &stop, err, sizeof(err)), 1);
	records_close(&rec);

	/* a station that never pulled (no meta registry_version): C-B's row,
	 * versioned by an import --version, is no county's word either */
	snprintf(path, sizeof(path), "%s/station2.db", dir);
	if (store_open(path, upto6, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(store_exec(db,
	                     "INSERT INTO cylinders (serial, model, manufactured, tare_kg, fill_kg,"
	                     " owner, status, registry_version, updated_ms) VALUES"
	                     " ('C-B', 'YSP35.5', '2024-01-01', 15.2, 14.9, 'Gas', 'active', 3,"
	                     " 2500); INSERT INTO life_events (uuid, event, serial, code, actor,"
	                     " reason, at_ms) VALUES ('b', 'scrapped', 'C-B', 'GC1:B', 'OP1',"
	                     " 'rust', 2000)",
	                     err, sizeof(err)),
	    0);
	store_close(db);
	if (records_open(&rec, path, "S1", "330825101", err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(records_life_stopped(&rec, "C-B", &stop, err, sizeof(err)), 1);
	records_close(&rec);
}

/* Bytes of page cache a connection holds now. */
static int
cache_used(sqlite3 *db)
{
	int cur = 0, hi = 0;

	sqlite3_db_status(db, SQLITE_DBSTATUS_CACHE_USED, &cur, &hi, 0);
	return cur;
}

static int
masked_of_pre010(const struct records_fill_row *row, void *arg)
{
	if (strcmp(row->uuid, "f-pre010") == 0)
		str_copy(arg, row->buyer_masked, 40);
	return 0;
}

/* A fill the outbox had forgotten before migration 010 keeps NULL copies:
 * gasctl fills (records_fills_since) still shows its buyer's masked
 * number, from the buyer's row. */
static void
fills_list_shows_a_fill_from_before_010_with_its_buyer(void **state)
{
	struct fixture *f = *state;
	char masked[40] = "", err[256];

	stationdb_exec(&f->rec,
	    "INSERT INTO buyers (id, masked, kind, township, created_ms) VALUES"
	    " ('b-old', '330***********9999', 'household', '330825101', 0);"
	    "INSERT INTO fills (uuid, station, line, cylinder, buyer, started_ms, tare_kg,"
	    " target_kg, result) VALUES ('f-pre010', 'S1', 1, 'C-1', 'b-old', 5, 15.2, 14.9,"
	    " 'ok')");
	assert_int_equal(
	    records_fills_since(&f->rec, 0, 100, masked_of_pre010, masked, err, sizeof(err)), 0);
	assert_string_equal(masked, "330***********9999");
}

/* Migration 010 copies the buyer into the rows written before that may
 * still be sent (waiting, kept acknowledged, or open), as the station holds
 * it then (the best that is known); a fill long forgotten by the outbox
 * keeps NULL (the upgrade does not rewrite the station's history), and the
 * fills list still shows its masked number, from the buyer's row. */
static void
migration_copies_the_buyer_into_the_rows_before(void **state)
{
	const char *dir = *state;
	struct store_migration upto9[16];
	char path[128], err[256];
	sqlite3 *db;

	assert_int_equal(fixture_schema_upto(schema_station, 9, upto9, 16), 0);
	snprintf(path, sizeof(path), "%s/station.db", dir);
	if (store_open(path, upto9, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(store_exec(db,
	                     "INSERT INTO cylinders (serial, model, manufactured, tare_kg,"
	                     " fill_kg, owner, updated_ms) VALUES ('C-1', 'YSP35.5', '2024-01-01',"
	                     " 15.2, 14.9, 'Gas', 0);"
	                     "INSERT INTO buyers (id, masked, kind, township, address,"
	                     " created_ms, delivery) VALUES ('b-d', '913***********0Y43',"
	                     " 'business', '330825102', '东村12号', 0, 1);"
	                     "INSERT INTO fills (uuid, station, line, cylinder, buyer, started_ms,"
	                     " tare_kg, target_kg, result) VALUES ('f-r11', 'S1', 1, 'C-1', 'b-d',"
	                     " 1, 15.2, 14.9, 'ok'), ('f-r04', 'S1', 1, 'C-1', 'b-d', 2, 15.2,"
	                     " 14.9, 'ok'), ('f-none', 'S1', 1, 'C-1', NULL, 3, 15.2, 14.9, 'ok'),"
	                     " ('f-old', 'S1', 1, 'C-1', 'b-d', 4, 15.2, 14.9, 'ok'),"
	                     " ('f-open', 'S1', 1, 'C-1', 'b-d', 5, 15.2, 14.9, 'filling');"
	                     "INSERT INTO outbox (uuid, kind, created_ms) VALUES ('f-r11', 'fill',"
	                     " 1), ('f-none', 'fill', 3);"
	                     "INSERT INTO outbox_acked (seq, uuid, kind, created_ms, acked_ms)"
	                     " VALUES (90, 'f-r04', 'fill', 2, 2);"
	                     "INSERT INTO violations (uuid, event, rule, severity, township, fill,"
	                     " buyer, details, at_ms) VALUES ('v1', 'f-r11', 'R11', 'alert',"
	                     " '330825102', 'f-r11', 'b-d', 't', 1), ('v2', 'f-r04', 'R04',"
	                     " 'refuse', '330825101', 'f-r04', 'b-d', 't', 2), ('v3', 'e-refusal',"
	                     " 'R04', 'refuse', '330825101', NULL, 'b-d', 't', 6), ('v4', 'f-old',"
	                     " 'R05', 'alert', '330825101', 'f-old', 'b-d', 't', 4);"
	                     "INSERT INTO outbox (uuid, kind, created_ms) VALUES ('e-refusal',"
	                     " 'refusal', 6)",
	                     err, sizeof(err)),
	    0);
	store_close(db);
	if (store_open(path, schema_station, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(store_query_int(db,
	                     "SELECT (SELECT group_concat(uuid) FROM (SELECT uuid FROM fills"
	                     " WHERE buyer = 'b-d' AND buyer_masked = '913***********0Y43' AND"
	                     " buyer_township = '330825102' AND buyer_kind = 'delivery'"
	                     " ORDER BY uuid)) = 'f-open,f-r04,f-r11'",
	                     -1),
	    1);
	assert_int_equal(store_query_int(db,
	                     "SELECT count(*) FROM fills WHERE uuid IN ('f-none', 'f-old') AND"
	                     " buyer_masked IS NULL AND buyer_township IS NULL",
	                     -1),
	    2);
	assert_int_equal(store_query_int(db,
	                     "SELECT (SELECT group_concat(uuid) FROM (SELECT uuid FROM"
	                     " violations WHERE buyer_masked = '913***********0Y43' ORDER BY"
	                     " uuid)) = 'v1,v2,v3'",
	                     -1),
	    1);
	assert_int_equal(store_query_int(db,
	                     "SELECT count(*) FROM violations WHERE uuid = 'v4' AND buyer_masked"
	                     " IS NULL",
	                     -1),
	    1);
	store_close(db);
}

/* What a busy spell read into the page caches (look-ups on the writing
 * connection, a listing on the reading one) is given back at rest, and
 * the look-ups still work after. */
static void
release_memory_empties_both_page_caches(void **state)
{
	struct fixture *f = *state;
	struct records_cylinder c;
	char err[256], serial[32];
	int before_w, before_r;

	stationdb_exec(&f->rec,
	    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)"
	    " INSERT INTO cylinders (serial, model, manufactured, tare_kg, fill_kg, owner,"
	    " updated_ms) SELECT printf('R-%05d', i), 'YSP35.5', '2024-01-01', 15.2, 14.9,"
	    " 'Gas', 0 FROM n");
	for (int i = 1; i <= 3000; i += 7) {
		snprintf(serial, sizeof(serial), "R-%05d", i);
		assert_int_equal(records_cylinder_get(&f->rec, serial, &c, err, sizeof(err)),
		    STORE_FOUND);
	}
	pthread_mutex_lock(&f->rec.read_lock);
	assert_true(store_query_int(f->rec.read_db, "SELECT count(*) FROM cylinders", -1) > 3000);
	pthread_mutex_unlock(&f->rec.read_lock);
	before_w = cache_used(f->rec.db);
	before_r = cache_used(f->rec.read_db);
	assert_true(before_w > 32 * 1024 && before_r > 32 * 1024);

	records_release_memory(&f->rec);
	assert_true(cache_used(f->rec.db) < before_w / 4);
	assert_true(cache_used(f->rec.read_db) < before_r / 4);
	assert_int_equal(records_cylinder_get(&f->rec, "R-02999", &c, err, sizeof(err)),
	    STORE_FOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(write_failures_are_told_by_their_code, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    the_buyer_address_goes_up_only_with_a_buyer_routed_violation, setup, teardown),
		cmocka_unit_test_setup_teardown(new_buyer_commits_with_the_start_row, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_record_sent_again_names_the_buyer_as_at_the_fill,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    fills_list_shows_a_fill_from_before_010_with_its_buyer, setup, teardown),
		cmocka_unit_test_setup_teardown(migration_copies_the_buyer_into_the_rows_before,
		    migration_folder_setup, fixture_dir_teardown),
		cmocka_unit_test_setup_teardown(held_record_is_written_once_when_space_returns,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(held_record_whose_row_is_gone_is_settled, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(preact_samples_keep_the_newest_of_each_line, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(fill_is_found_by_a_uuid_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(outbox_is_read_oldest_first_and_trimmed_to_the_mark,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_set_aside_record_is_kept_skipped_and_retried,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_county_ahead_renumbers_what_waits_after_its_mark,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(acknowledged_records_are_kept_resent_and_forgotten,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(records_lost_behind_forgotten_rows_are_seen, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(records_lost_above_a_stopped_mark_are_put_back,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_mark_stopped_by_a_set_aside_record_resends_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(life_events_go_out_with_the_fills, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_stop_here_holds_until_the_county_says_active_after_taking_it, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_local_import_after_the_delivery_lifts_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_reinstatement_lifts_the_stops_before_it, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_stop_the_county_set_aside_stands, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_delivered_batch_notes_its_life_events, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(the_outbox_rebuild_keeps_the_sequence,
		    migration_folder_setup, fixture_dir_teardown),
		cmocka_unit_test_setup_teardown(migration_notes_the_life_events_the_county_took,
		    migration_folder_setup, fixture_dir_teardown),
		cmocka_unit_test_setup_teardown(a_set_aside_record_is_listed_with_its_reason, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(release_memory_empties_both_page_caches, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
