/*
 * bench_county_ingest: how fast gascounty stores station records, with the
 * county's own code (county_ingest: insert-or-ignore by (station, seq) and
 * uuid, violations, alerts, rules C01/C02, high-water mark) and
 * synchronous=FULL, beside plain batched SQLite inserts of the same rows
 * into the same tables on the same machine.  Aim: ratio >= 0.5.
 *
 * county_ingest is the county library's (tools/county/db.c, libcounty.a),
 * so the benchmark measures the very code the server runs.
 *
 * Then a delivery device's batch (county_ingest_delivery, lifeingest.c)
 * when the device already holds DELIVERY_EVENTS life events (100,000,
 * BENCH_DELIVERY_EVENTS sets another number): the county reads the
 * device's mark from delivery_marks (migration 014).  The reference, in
 * the same run and the same database, is the ingest as it was before,
 * which walked every seq the device ever sent, before and after storing
 * the batch; a second device holding as many events takes its batches,
 * rounds alternated.  Printed: median per batch of each, their ratio, and
 * the mark's read alone beside the walk alone.
 *
 * Then a cylinder's step after a flood of stray returns of it (bench_flood,
 * below), beside the same step of a cylinder no one flooded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "ingestcheck.h"
#include "life.h"
#include "lifeingest.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define RECORDS 20000
#define BATCH 200
#define DELIVERY_EVENTS 100000
#define DELIVERY_BATCH 10 /* a device sends tens of events a day */
#define DELIVERY_ROUNDS 41
#define WALK_ROUNDS 41
#define HOUR_MS 3600000LL

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
	.c07_grace_min = 60,
	.c08_days = 3,
	.c09_household_hold = 2,
	.c09_business_hold = 20,
};

static void
make_batch(struct wire_batch *b, int64_t first)
{
	struct wire_record *r;
	int i;

	memset(b, 0, sizeof(*b));
	str_copy(b->station, "S01", sizeof(b->station));
	str_copy(b->township, "TA", sizeof(b->township));
	b->count = BATCH;
	b->records = calloc(BATCH, sizeof(*b->records));
	for (i = 0; i < BATCH; i++) {
		r = &b->records[i];
		r->seq = first + i;
		store_uuid(r->uuid);
		str_copy(r->kind, "fill", sizeof(r->kind));
		r->created_ms = 1795700000000 + r->seq * 1000;
		r->has_fill = 1;
		r->fill.line = 1 + i % 4;
		snprintf(r->fill.cylinder, sizeof(r->fill.cylinder), "CYL%lld",
		    (long long)(r->seq % 50000));
		snprintf(r->fill.buyer, sizeof(r->fill.buyer), "%064lld",
		    (long long)(r->seq % 3000));
		str_copy(r->fill.buyer_masked, "330***********1234", sizeof(r->fill.buyer_masked));
		str_copy(r->fill.buyer_township, "TB", sizeof(r->fill.buyer_township));
		str_copy(r->fill.buyer_kind, "household", sizeof(r->fill.buyer_kind));
		str_copy(r->fill.operator_cert, "OP1", sizeof(r->fill.operator_cert));
		r->fill.started_ms = r->created_ms - 90000;
		r->fill.ended_ms = r->created_ms;
		r->fill.tare_kg = 15.5;
		r->fill.target_kg = 14.9;
		r->fill.gross_kg = 30.4;
		r->fill.net_kg = 14.9;
		str_copy(r->fill.result, "ok", sizeof(r->fill.result));
		if (r->seq % 50 == 0) {
			r->violations = calloc(1, sizeof(*r->violations));
			r->violation_count = 1;
			store_uuid(r->violations[0].uuid);
			str_copy(r->violations[0].rule, "R05", sizeof(r->violations[0].rule));
			str_copy(r->violations[0].severity, "alert",
			    sizeof(r->violations[0].severity));
			str_copy(r->violations[0].township, "TA",
			    sizeof(r->violations[0].township));
			str_copy(r->violations[0].details, "inspection overdue",
			    sizeof(r->violations[0].details));
			r->violations[0].at_ms = r->created_ms;
		}
	}
}

static int
plain_insert(sqlite3 *db, const struct wire_batch *b)
{
	sqlite3_stmt *rec = NULL, *fill = NULL;
	char err[256];
	size_t i;

	if (store_begin(db, err, sizeof(err)) == -1 ||
	    store_prepare(db,
	        "INSERT INTO records (station, seq, uuid, kind, created_ms,"
	        " received_ms) VALUES ('S01', ?, ?, 'fill', ?, ?)",
	        &rec, err, sizeof(err)) == -1 ||
	    store_prepare(db,
	        "INSERT INTO fills (uuid, station, seq, line, cylinder, buyer,"
	        " buyer_masked, started_ms, ended_ms, tare_kg, target_kg, gross_kg, net_kg,"
	        " result) VALUES (?, 'S01', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	        &fill, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	for (i = 0; i < b->count; i++) {
		const struct wire_record *r = &b->records[i];

		sqlite3_reset(rec);
		sqlite3_bind_int64(rec, 1, r->seq);
		sqlite3_bind_text(rec, 2, r->uuid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(rec, 3, r->created_ms);
		sqlite3_bind_int64(rec, 4, r->created_ms);
		sqlite3_step(rec);
		sqlite3_reset(fill);
		sqlite3_bind_text(fill, 1, r->uuid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(fill, 2, r->seq);
		sqlite3_bind_int(fill, 3, r->fill.line);
		sqlite3_bind_text(fill, 4, r->fill.cylinder, -1, SQLITE_STATIC);
		sqlite3_bind_text(fill, 5, r->fill.buyer, -1, SQLITE_STATIC);
		sqlite3_bind_text(fill, 6, r->fill.buyer_masked, -1, SQLITE_STATIC);
		sqlite3_bind_int64(fill, 7, r->fill.started_ms);
		sqlite3_bind_int64(fill, 8, r->fill.ended_ms);
		sqlite3_bind_double(fill, 9, r->fill.tare_kg);
		sqlite3_bind_double(fill, 10, r->fill.target_kg);
		sqlite3_bind_double(fill, 11, r->fill.gross_kg);
		sqlite3_bind_double(fill, 12, r->fill.net_kg);
		sqlite3_bind_text(fill, 13, r->fill.result, -1, SQLITE_STATIC);
		if (sqlite3_step(fill) != SQLITE_DONE) {
			fprintf(stderr, "plain insert: %s\n", sqlite3_errmsg(db));
			return -1;
		}
	}
	sqlite3_finalize(rec);
	sqlite3_finalize(fill);
	return store_commit(db, err, sizeof(err));
}

/* ---- a delivery device's batch ------------------------------------------------------ */

/* The device's mark as the ingest found it before delivery_marks (the
 * reference): every seq the device ever sent, in order. */
static int
walk_hwm(struct county_db *c, const char *source, int64_t *hwm, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t seq;
	int rc;

	*hwm = 0;
	if (store_prepare(c->db,
	        "SELECT DISTINCT seq FROM life_events WHERE source = ? ORDER BY seq", &st, err,
	        errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		if (seq != *hwm + 1)
			break;
		*hwm = seq;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(err, errlen, "walk: %s", sqlite3_errmsg(c->db));
	return 0;
}

/* county_ingest_delivery as it was before delivery_marks (the reference):
 * the same checks and stores, the mark walked before and after. */
static enum county_result
walked_ingest(struct county_db *c, const char *source, const struct wire_batch *batch,
    struct wire_ack *ack, char *err, size_t errlen)
{
	int64_t now = time_wall_ms(), hwm = 0;
	const struct wire_record *r;
	int alerts, rc;
	size_t i;

	memset(ack, 0, sizeof(*ack));
	if (store_begin(c->db, err, errlen) == -1)
		return COUNTY_ERROR;
	if (walk_hwm(c, source, &hwm, err, errlen) == -1)
		goto fail;
	for (i = 0; i < batch->count; i++) {
		r = &batch->records[i];
		if (strcmp(r->kind, "life") != 0 ||
		    ingest_check_record(r, i, now, err, errlen) == -1 ||
		    r->seq - hwm > c->config->max_seq_jump)
			goto fail;
	}
	for (i = 0; i < batch->count; i++) {
		rc = life_store_counted(c, source, &batch->records[i], &alerts, err, errlen);
		if (rc < 0)
			goto fail;
		if (rc == 1)
			ack->stored++;
		else
			ack->duplicates++;
	}
	if (walk_hwm(c, source, &ack->hwm, err, errlen) == -1)
		goto fail;
	if (store_commit(c->db, err, errlen) == -1)
		goto fail;
	return COUNTY_DONE;
fail:
	store_rollback(c->db);
	return COUNTY_ERROR;
}

/* A batch of returns from device (actor and worker itself, as gasdeliver
 * fills them) at seqs first.., uuids numbered from tag. */
static void
delivery_batch(struct wire_batch *b, struct wire_record *records, const char *device, int64_t first,
    int tag)
{
	struct wire_record *r;
	int64_t at = time_wall_ms() - HOUR_MS;
	int i;

	memset(b, 0, sizeof(*b));
	b->count = DELIVERY_BATCH;
	b->records = records;
	for (i = 0; i < DELIVERY_BATCH; i++) {
		r = &records[i];
		memset(r, 0, sizeof(*r));
		r->seq = first + i;
		snprintf(r->uuid, sizeof(r->uuid), "%08x-0000-4000-8000-%012llx", (unsigned)tag,
		    (unsigned long long)r->seq & 0xffffffffffffULL);
		str_copy(r->kind, "life", sizeof(r->kind));
		r->created_ms = at + i;
		r->has_life = 1;
		str_copy(r->life.event, "returned", sizeof(r->life.event));
		snprintf(r->life.serial, sizeof(r->life.serial), "CYL%lld",
		    (long long)(r->seq % 50000));
		str_copy(r->life.actor, device, sizeof(r->life.actor));
		str_copy(r->life.worker, device, sizeof(r->life.worker));
		r->life.at_ms = r->created_ms;
	}
}

/* events life events of device at seqs 1..events, straight as rows (no
 * rule run: the history the batches come after), uuids tagged tag. */
static int
delivery_history(sqlite3 *db, const char *device, int64_t events, int tag, char *err, size_t errlen)
{
	char sql[1024];
	int64_t at = time_wall_ms() - 400LL * 24 * HOUR_MS;

	snprintf(sql, sizeof(sql),
	    "BEGIN IMMEDIATE;"
	    " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %lld)"
	    " INSERT INTO life_events (source, seq, uuid, event, serial, actor, worker, at_ms,"
	    " rule_ms, stored_ms) SELECT '%s', i, printf('%08x-0000-4000-8000-%%012d', i),"
	    " 'returned', 'CYL' || (i %% 50000), '%s', '%s', %lld + i * 300000,"
	    " %lld + i * 300000, %lld + i * 300000 FROM n;"
	    " COMMIT",
	    (long long)events, device, (unsigned)tag, device, device, (long long)at, (long long)at,
	    (long long)at);
	return store_exec(db, sql, err, errlen);
}

static int64_t
time_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static double
median_ms(int64_t *us, int n)
{
	qsort(us, (size_t)n, sizeof(*us), cmp_i64);
	return (double)us[n / 2] / 1000.0;
}

/* The delivery part; 0, or -1 with the reason on stderr. */
static int
bench_delivery(const char *dir)
{
	static const char marked[] = "delivery:W1@TB", walked[] = "delivery:W2@TB";
	static int64_t mark_us[DELIVERY_ROUNDS], walk_us[DELIVERY_ROUNDS], read_us[WALK_ROUNDS],
	    scan_us[WALK_ROUNDS];
	struct wire_record records[DELIVERY_BATCH];
	struct county_db c = { .config = &config };
	struct wire_batch b;
	struct wire_ack ack;
	char path[128], err[256];
	const char *env = getenv("BENCH_DELIVERY_EVENTS");
	int64_t events = env != NULL && atoll(env) > 0 ? atoll(env) : DELIVERY_EVENTS, next, t, hwm;
	int alerts, i, round;
	double mark_med, walk_med;

	snprintf(path, sizeof(path), "%s/delivery.db", dir);
	if (store_open(path, schema_county, 0, &c.db, err, sizeof(err)) == -1 ||
	    delivery_history(c.db, marked, events, 1, err, sizeof(err)) == -1 ||
	    delivery_history(c.db, walked, events, 2, err, sizeof(err)) == -1) {
		fprintf(stderr, "delivery: %s\n", err);
		return -1;
	}
	c.config = &config;
	/* one batch each before measuring: the device's first batch after the
	 * history brings its mark up to it (as migration 014 would have) */
	next = events + 1;
	for (round = -1; round < DELIVERY_ROUNDS; round++) {
		for (i = 0; i < 2; i++) {
			int marking = (i == 0) == (round % 2 == 0);
			enum county_result rc;

			delivery_batch(&b, records, marking ? marked : walked, next,
			    marking ? 3 : 4);
			t = time_mono_us();
			rc = marking ? county_ingest_delivery(&c, NULL, marked, &b, &ack, &alerts,
			                   err, sizeof(err))
			             : walked_ingest(&c, walked, &b, &ack, err, sizeof(err));
			t = time_mono_us() - t;
			if (rc != COUNTY_DONE || ack.hwm != next + DELIVERY_BATCH - 1) {
				fprintf(stderr, "delivery: %s batch at %lld: %s (mark %lld)\n",
				    marking ? "marked" : "walked", (long long)next,
				    rc != COUNTY_DONE ? err : "wrong mark", (long long)ack.hwm);
				return -1;
			}
			if (round >= 0)
				(marking ? mark_us : walk_us)[round] = t;
		}
		next += DELIVERY_BATCH;
	}
	for (round = 0; round < WALK_ROUNDS; round++) {
		t = time_mono_us();
		if (county_delivery_hwm(&c, marked, &hwm, err, sizeof(err)) == -1)
			goto fail;
		read_us[round] = time_mono_us() - t;
		t = time_mono_us();
		if (walk_hwm(&c, walked, &hwm, err, sizeof(err)) == -1)
			goto fail;
		scan_us[round] = time_mono_us() - t;
	}
	store_close(c.db);
	mark_med = median_ms(mark_us, DELIVERY_ROUNDS);
	walk_med = median_ms(walk_us, DELIVERY_ROUNDS);
	printf("delivery batch of %d events, the device holding %lld, synchronous=FULL: median "
	       "%.3f ms with its mark (delivery_marks), %.3f ms walking its seqs (the ingest "
	       "before 014), %d batches each\n",
	    DELIVERY_BATCH, (long long)events, mark_med, walk_med, DELIVERY_ROUNDS);
	printf("delivery ratio walked / marked %.1f (the reference's time over the mark's)\n",
	    walk_med / (mark_med > 0 ? mark_med : 0.001));
	printf("the mark alone: read %.3f ms, walk %.3f ms (median of %d)\n",
	    median_ms(read_us, WALK_ROUNDS), median_ms(scan_us, WALK_ROUNDS), WALK_ROUNDS);
	return 0;
fail:
	fprintf(stderr, "delivery: %s\n", err);
	store_close(c.db);
	return -1;
}

/*
 * A cylinder's step after a flood of stray returns: FLOOD_RETURNS
 * (5,000; BENCH_FLOOD_RETURNS sets another number) returns of one cylinder
 * from a device it was never dispatched to (none counts, migration 026),
 * then its worker's hand-overs and returns of it, each judged (C07's look
 * back, C09's holding) in its own transaction; the reference, in the same
 * run and database, is the same steps of a cylinder no one flooded.
 * Before counts was kept (7 Dec 2026), each look back judged every stray
 * again, twice over: 2.6 s a step at 5,000 (the audit's measurement).
 */
#define FLOOD_RETURNS 5000
#define FLOOD_ROUNDS 21

static int
flood_step(struct county_db *c, const char *serial, int n, const char *event, int64_t at,
    int64_t *us, char *err, size_t errlen)
{
	struct wire_record r;
	int64_t t;

	memset(&r, 0, sizeof(r));
	r.seq = n;
	snprintf(r.uuid, sizeof(r.uuid), "f1000000-0000-4000-8000-%012d", n);
	str_copy(r.kind, "life", sizeof(r.kind));
	r.has_life = 1;
	str_copy(r.life.event, event, sizeof(r.life.event));
	str_copy(r.life.serial, serial, sizeof(r.life.serial));
	str_copy(r.life.actor, "delivery:W1@TB", sizeof(r.life.actor));
	str_copy(r.life.worker, "delivery:W1@TB", sizeof(r.life.worker));
	snprintf(r.life.buyer, sizeof(r.life.buyer), "%064d", 1);
	str_copy(r.life.buyer_masked, "330***********0001", sizeof(r.life.buyer_masked));
	str_copy(r.life.buyer_kind, "household", sizeof(r.life.buyer_kind));
	r.created_ms = r.life.at_ms = at;
	t = time_mono_us();
	if (life_store(c, "delivery:W1@TB", &r, err, errlen) != 1)
		return -1;
	*us = time_mono_us() - t;
	return 0;
}

static int
bench_flood(const char *dir)
{
	static int64_t flood_us[FLOOD_ROUNDS], clean_us[FLOOD_ROUNDS];
	const char *env = getenv("BENCH_FLOOD_RETURNS");
	int64_t strays = env != NULL && atoll(env) > 0 ? atoll(env) : FLOOD_RETURNS,
	        at = time_wall_ms() - 2 * HOUR_MS;
	struct county_db c = { .config = &config };
	char path[128], sql[1024], err[256];
	int round, n = 0;
	double flood_med, clean_med;

	snprintf(path, sizeof(path), "%s/flood.db", dir);
	snprintf(sql, sizeof(sql),
	    "BEGIN IMMEDIATE;"
	    " INSERT INTO life_events (source, seq, uuid, event, serial, worker, at_ms, rule_ms,"
	    " stored_ms) VALUES ('S01', 1, 'd1', 'dispatched', 'FLOOD', 'delivery:W1@TB', %lld,"
	    " %lld, %lld), ('S01', 2, 'd2', 'dispatched', 'CLEAN', 'delivery:W1@TB', %lld, %lld,"
	    " %lld);"
	    " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %lld)"
	    " INSERT INTO life_events (source, seq, uuid, event, serial, actor, worker, buyer,"
	    " at_ms, rule_ms, stored_ms, counts) SELECT 'delivery:EV@TD', i,"
	    " printf('e0000000-0000-4000-8000-%%012d', i), 'returned', 'FLOOD', 'delivery:EV@TD',"
	    " 'delivery:EV@TD', printf('%%064d', i %% 7), %lld + i, %lld + i, %lld + i, 0 FROM n;"
	    " COMMIT",
	    (long long)at, (long long)at, (long long)at, (long long)at, (long long)at,
	    (long long)at, (long long)strays, (long long)at, (long long)at, (long long)at);
	if (store_open(path, schema_county, 0, &c.db, err, sizeof(err)) == -1 ||
	    store_exec(c.db, sql, err, sizeof(err)) == -1) {
		fprintf(stderr, "flood: %s\n", err);
		return -1;
	}
	c.config = &config;
	c.identities = NULL;
	at += HOUR_MS;
	for (round = 0; round < FLOOD_ROUNDS; round++) {
		const char *event = round % 2 == 0 ? "handed_over" : "returned";

		at += 1000;
		if (flood_step(&c, "FLOOD", ++n, event, at, &flood_us[round], err, sizeof(err)) ==
		        -1 ||
		    flood_step(&c, "CLEAN", ++n, event, at, &clean_us[round], err, sizeof(err)) ==
		        -1) {
			fprintf(stderr, "flood: %s\n", err);
			store_close(c.db);
			return -1;
		}
	}
	store_close(c.db);
	flood_med = median_ms(flood_us, FLOOD_ROUNDS);
	clean_med = median_ms(clean_us, FLOOD_ROUNDS);
	printf("a cylinder's step after %lld stray returns of it, synchronous=FULL: median %.3f "
	       "ms; the same step of a cylinder no one flooded %.3f ms (%d steps each)\n",
	    (long long)strays, flood_med, clean_med, FLOOD_ROUNDS);
	printf("flood ratio flooded / clean %.2f (the reference is the clean cylinder's step)\n",
	    flood_med / (clean_med > 0 ? clean_med : 0.001));
	return 0;
}

int
main(void)
{
	struct wire_batch *batches;
	struct county_db c = { .config = &config };
	struct wire_ack ack;
	sqlite3 *db;
	char dir[64], path[128], err[256];
	int64_t t0, county_ms, plain_ms;
	int n = RECORDS / BATCH, i, alerts;
	double county_rate, plain_rate;

	log_init("bench_county_ingest", 1, LOG_LEVEL_WARN);
	snprintf(dir, sizeof(dir), "%s/gasbench.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 1;
	batches = calloc((size_t)n, sizeof(*batches));
	for (i = 0; i < n; i++)
		make_batch(&batches[i], (int64_t)i * BATCH + 1);

	snprintf(path, sizeof(path), "%s/county.db", dir);
	if (store_open(path, schema_county, 0, &db, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	c.db = db;
	c.config = &config;
	t0 = time_mono_ms();
	for (i = 0; i < n; i++)
		if (county_ingest(&c, "S01", "bench", &batches[i], &ack, &alerts, err,
		        sizeof(err)) != COUNTY_DONE) {
			fprintf(stderr, "ingest: %s\n", err);
			return 1;
		}
	county_ms = time_mono_ms() - t0;
	if (ack.hwm != RECORDS) {
		fprintf(stderr, "ingest: hwm %lld, expected %d\n", (long long)ack.hwm, RECORDS);
		return 1;
	}
	store_close(db);

	snprintf(path, sizeof(path), "%s/plain.db", dir);
	if (store_open(path, schema_county, 0, &db, err, sizeof(err)) == -1 ||
	    store_exec(db, "INSERT INTO stations (id, created_ms) VALUES ('S01', 0)", err,
	        sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t0 = time_mono_ms();
	for (i = 0; i < n; i++)
		if (plain_insert(db, &batches[i]) == -1)
			return 1;
	plain_ms = time_mono_ms() - t0;
	store_close(db);

	county_rate = RECORDS * 1000.0 / (double)(county_ms > 0 ? county_ms : 1);
	plain_rate = RECORDS * 1000.0 / (double)(plain_ms > 0 ? plain_ms : 1);
	printf("county ingest: %d records in batches of %d, synchronous=FULL: %.0f records/s "
	       "(%lld ms)\n",
	    RECORDS, BATCH, county_rate, (long long)county_ms);
	printf("plain batched inserts of the same rows: %.0f records/s (%lld ms)\n", plain_rate,
	    (long long)plain_ms);
	printf("ratio %.2f (aim >= 0.5: %s)\n", county_rate / plain_rate,
	    county_rate / plain_rate >= 0.5 ? "met" : "NOT met");
	for (i = 0; i < n; i++)
		wire_batch_free(&batches[i]);
	free(batches);
	if (bench_delivery(dir) == -1 || bench_flood(dir) == -1)
		return 1;
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	return system(path) == 0 ? 0 : 1;
}
