/*
 * bench_county_trace: latency of a cylinder trace in gascounty's database
 * holding 1,000,000 fills (50,000 cylinders, 20 fills each, 2 % with a
 * violation), measured on county_trace itself: the indexed lookup, the
 * violations of each fill and the audit row written (synchronous=FULL)
 * before the answer.  Prints p50 and p99 over 1,000 random cylinders.
 * Aim: p99 under 10 ms.
 *
 * county_trace is the county library's, as the server runs it.
 * The data are generated with batched inserts and synchronous=OFF (setup
 * only); the measured queries run with the server's settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "log.h"
#include "store.h"
#include "util.h"

#define FILLS 1000000
#define CYLINDERS 50000
#define QUERIES 1000

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

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int
generate(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *rec = NULL, *fill = NULL, *viol = NULL;
	char uuid[37], cyl[16], vuuid[37], station[8];
	int64_t i, t;

	if (store_exec(db, "PRAGMA synchronous = OFF", err, errlen) == -1 ||
	    store_exec(db,
	        "INSERT INTO stations (id, township, created_ms) VALUES"
	        " ('S01','TA',0), ('S02','TA',0), ('S03','TB',0), ('S04','TB',0)",
	        err, errlen) == -1 ||
	    store_prepare(db,
	        "INSERT INTO records (station, seq, uuid, kind, created_ms,"
	        " received_ms) VALUES (?, ?, ?, 'fill', ?, ?)",
	        &rec, err, errlen) == -1 ||
	    store_prepare(db,
	        "INSERT INTO fills (uuid, station, seq, line, cylinder, buyer,"
	        " buyer_masked, started_ms, ended_ms, tare_kg, target_kg, gross_kg, net_kg,"
	        " result) VALUES (?, ?, ?, 1, ?, ?, '330***********1234', ?, ?, 15.5, 14.9,"
	        " 30.4, 14.9, 'ok')",
	        &fill, err, errlen) == -1 ||
	    store_prepare(db,
	        "INSERT INTO violations (uuid, event, station, rule, severity,"
	        " township, details, cylinder, at_ms) VALUES (?, ?, ?, 'R21', 'flag',"
	        " 'TA', 'short weight', ?, ?)",
	        &viol, err, errlen) == -1)
		return -1;
	for (i = 0; i < FILLS; i++) {
		if (i % 100000 == 0) {
			if (i > 0 && store_commit(db, err, errlen) == -1)
				return -1;
			if (store_begin(db, err, errlen) == -1)
				return -1;
		}
		store_uuid(uuid);
		snprintf(station, sizeof(station), "S0%d", (int)(i % 4) + 1);
		snprintf(cyl, sizeof(cyl), "CYL%lld", (long long)(i % CYLINDERS));
		t = 1700000000000 + i * 60000;
		sqlite3_reset(rec);
		sqlite3_bind_text(rec, 1, station, -1, SQLITE_STATIC);
		sqlite3_bind_int64(rec, 2, i / 4 + 1);
		sqlite3_bind_text(rec, 3, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_int64(rec, 4, t);
		sqlite3_bind_int64(rec, 5, t);
		sqlite3_reset(fill);
		sqlite3_bind_text(fill, 1, uuid, -1, SQLITE_STATIC);
		sqlite3_bind_text(fill, 2, station, -1, SQLITE_STATIC);
		sqlite3_bind_int64(fill, 3, i / 4 + 1);
		sqlite3_bind_text(fill, 4, cyl, -1, SQLITE_STATIC);
		sqlite3_bind_int64(fill, 5, i % 7919);
		sqlite3_bind_int64(fill, 6, t - 90000);
		sqlite3_bind_int64(fill, 7, t);
		if (sqlite3_step(rec) != SQLITE_DONE || sqlite3_step(fill) != SQLITE_DONE)
			return err_set(err, errlen, "generate: %s", sqlite3_errmsg(db));
		if (i % 50 == 0) {
			store_uuid(vuuid);
			sqlite3_reset(viol);
			sqlite3_bind_text(viol, 1, vuuid, -1, SQLITE_STATIC);
			sqlite3_bind_text(viol, 2, uuid, -1, SQLITE_STATIC);
			sqlite3_bind_text(viol, 3, station, -1, SQLITE_STATIC);
			sqlite3_bind_text(viol, 4, cyl, -1, SQLITE_STATIC);
			sqlite3_bind_int64(viol, 5, t);
			if (sqlite3_step(viol) != SQLITE_DONE)
				return err_set(err, errlen, "generate: %s", sqlite3_errmsg(db));
		}
	}
	sqlite3_finalize(rec);
	sqlite3_finalize(fill);
	sqlite3_finalize(viol);
	if (store_commit(db, err, errlen) == -1)
		return -1;
	return store_exec(db, "PRAGMA synchronous = FULL; ANALYZE", err, errlen);
}

int
main(void)
{
	static int64_t lat_us[QUERIES];
	struct county_db c;
	struct wire_trace t;
	struct timespec a, b;
	sqlite3 *db;
	char dir[64], path[128], err[256], key[16];
	int64_t t0, total = 0;
	int i;

	log_init("bench_county_trace", 1, LOG_LEVEL_WARN);
	snprintf(dir, sizeof(dir), "%s/gasbench.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/county.db", dir);
	if (store_open(path, schema_county, 0, &db, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t0 = time_mono_ms();
	if (generate(db, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf("generated %d fills of %d cylinders in %.1f s\n", FILLS, CYLINDERS,
	    (double)(time_mono_ms() - t0) / 1000.0);
	c.db = db;
	c.config = &config;
	srandom(1);
	for (i = 0; i < QUERIES; i++) {
		snprintf(key, sizeof(key), "CYL%ld", random() % CYLINDERS);
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (county_trace(&c, "regulator:bench", "cylinder", key, 0, INT64_MAX, NULL, &t,
		        err, sizeof(err)) == -1) {
			fprintf(stderr, "trace: %s\n", err);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (t.count != FILLS / CYLINDERS) {
			fprintf(stderr, "trace %s: %zu fills, expected %d\n", key, t.count,
			    FILLS / CYLINDERS);
			return 1;
		}
		total += (int64_t)t.count;
		wire_trace_free(&t);
		lat_us[i] = (b.tv_sec - a.tv_sec) * 1000000 + (b.tv_nsec - a.tv_nsec) / 1000;
	}
	qsort(lat_us, QUERIES, sizeof(lat_us[0]), cmp64);
	printf("cylinder trace (20 fills, violations, audit row committed): p50 %.2f ms, "
	       "p99 %.2f ms, max %.2f ms over %d queries (aim p99 < 10 ms: %s)\n",
	    lat_us[QUERIES / 2] / 1000.0, lat_us[QUERIES * 99 / 100] / 1000.0,
	    lat_us[QUERIES - 1] / 1000.0, QUERIES,
	    lat_us[QUERIES * 99 / 100] < 10000 ? "met" : "NOT met");
	store_close(db);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	return system(path) == 0 && total > 0 ? 0 : 1;
}
