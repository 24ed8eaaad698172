/*
 * bench_county_ingest: how fast gascounty stores station records, with the
 * county's own code (county_ingest: insert-or-ignore by (station, seq) and
 * uuid, violations, alerts, rules C01/C02, high-water mark) and
 * synchronous=FULL, beside plain batched SQLite inserts of the same rows
 * into the same tables on the same machine.  Aim: ratio >= 0.5.
 *
 * county_ingest is the county library's (tools/county/db.c, libcounty.a),
 * so the benchmark measures the very code the server runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define RECORDS 20000
#define BATCH 200

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

int
main(void)
{
	struct wire_batch *batches;
	struct county_db c;
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
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	return system(path) == 0 ? 0 : 1;
}
