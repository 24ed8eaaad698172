/*
 * bench_county_trace: latency of a cylinder trace in gascounty's database
 * holding 1,000,000 fills (BENCH_TRACE_FILLS sets another size, e.g.
 * 10000000; cylinders are fills / 20, 20 fills each, 2 % with a violation),
 * measured on county_trace itself: the indexed lookup, the violations of
 * each fill and the audit row written (synchronous=FULL) before the answer.
 * Prints p50 and p99 over 500 random cylinders, beside the reference
 * measured in the same run on the same database: one durable commit of one
 * audit-sized row (the flush a trace cannot answer before), and the ratio,
 * with what ten such rows in one commit cost (a group commit's floor);
 * and 500 more traces, in rounds alternated with those, on a connection
 * with a page cache of BIG_CACHE_MB instead of gascounty's cache_mb (the
 * candidate: every inner page a trace walks fits), to show what it buys.
 * Aim: p99 under 2 ms (issue 18).  Also the console map's "fills today"
 * (overview_fills_since) beside the whole-table count it replaced, and a
 * township's open-case list.
 *
 * county_trace is the county library's, as the server runs it.
 * The data are generated with batched inserts and synchronous=OFF (setup
 * only); the measured queries run with the server's settings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access.h"
#include "cases.h"
#include "db.h"
#include "log.h"
#include "overview.h"
#include "store.h"
#include "util.h"

#define FILLS_PER_CYLINDER 20
#define QUERIES 1000

static int64_t FILLS = 1000000, CYLINDERS = 1000000 / FILLS_PER_CYLINDER;

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

/* p50 and p99 of n latencies in microseconds (sorts them). */
static void
percentiles(int64_t *us, int n, double *p50, double *p99)
{
	qsort(us, (size_t)n, sizeof(us[0]), cmp64);
	*p50 = (double)us[n / 2] / 1000.0;
	*p99 = (double)us[n * 99 / 100] / 1000.0;
}

/* CPU microseconds this process has used (user and system). */
static int64_t
cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
	       ru.ru_stime.tv_usec;
}

static int64_t
elapsed_us(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000 + (b->tv_nsec - a->tv_nsec) / 1000;
}

#define GROUP_ROWS 10
#define BIG_CACHE_MB 64

/*
 * The reference: one durable commit of one row the size of an audit row,
 * in a table of its own in the same database (same file, same WAL, same
 * synchronous=FULL), QUERIES times.  A trace answered only once its audit
 * row is durable can be no faster than this.  Then what a group commit
 * would cost: GROUP_ROWS such rows in one durable commit, QUERIES / 10
 * times, each commit's time into group_us.
 */
static int
commit_reference(sqlite3 *db, int64_t *lat_us, int64_t *group_us, char *err, size_t errlen)
{
	struct timespec a, b;
	sqlite3_stmt *st = NULL;
	int i, j;

	if (store_exec(db, "CREATE TABLE bench_commit (at_ms INTEGER, who TEXT, what TEXT)", err,
	        errlen) == -1 ||
	    store_prepare(db, "INSERT INTO bench_commit VALUES (?, 'regulator:bench', 'cylinder')",
	        &st, err, errlen) == -1)
		return -1;
	for (i = 0; i < QUERIES; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, time_wall_ms());
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return err_set(err, errlen, "reference commit: %s", sqlite3_errmsg(db));
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		lat_us[i] = elapsed_us(&a, &b);
	}
	for (i = 0; i < QUERIES / 10; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (store_begin(db, err, errlen) == -1)
			goto fail;
		for (j = 0; j < GROUP_ROWS; j++) {
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, time_wall_ms());
			if (sqlite3_step(st) != SQLITE_DONE) {
				err_set(err, errlen, "group commit: %s", sqlite3_errmsg(db));
				store_rollback(db);
				goto fail;
			}
		}
		if (store_commit(db, err, errlen) == -1)
			goto fail;
		clock_gettime(CLOCK_MONOTONIC, &b);
		group_us[i] = elapsed_us(&a, &b);
	}
	sqlite3_finalize(st);
	return 0;
fail:
	sqlite3_finalize(st);
	return -1;
}

static int
generate(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *rec = NULL, *fill = NULL, *viol = NULL;
	char uuid[37], cyl[24], vuuid[37], station[8];
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
	return 0;
}

/*
 * The cases: one for every 100 fills (10,000 among 1,000,000), half in each
 * of two townships, one in ten still open (the rest closed), opened over
 * the fills' months.
 */
static int
generate_cases(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t i, n = FILLS / 100, t;
	char cyl[24];

	if (store_begin(db, err, errlen) == -1 ||
	    store_prepare(db,
	        "INSERT INTO cases (township, severity, kind, join_key, station, cylinder, title,"
	        " state, opened_ms, last_alert_ms, closed_ms, updated_ms)"
	        " VALUES (?1, ?2, 'R21', ?3, 'S01', ?3, 'short weight', ?4, ?5, ?5, ?6, ?5)",
	        &st, err, errlen) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		t = 1700000000000 + i * 6000000;
		snprintf(cyl, sizeof(cyl), "CYL%lld", (long long)(i % CYLINDERS));
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, i % 2 ? "TB" : "TA", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, i % 7 ? "alert" : "critical", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, cyl, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, i % 10 ? "closed" : "new", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, t);
		sqlite3_bind_int64(st, 6, i % 10 ? t + 86400000 : 0);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return err_set(err, errlen, "cases: %s", sqlite3_errmsg(db));
		}
	}
	sqlite3_finalize(st);
	if (store_commit(db, err, errlen) == -1)
		return -1;
	return store_exec(db, "PRAGMA synchronous = FULL; ANALYZE", err, errlen);
}

/*
 * The console map's "fills today" (fills per station since the day began,
 * the last day of the generated fills), n times with overview_fills_since
 * as gasweb runs it, alternating with the whole-table GROUP BY it replaced
 * (the reference, in the same run on the same database), before any
 * ANALYZE: gascounty never runs one, so a county's file has no statistics.
 */
static int
fills_today_latency(struct county_db *c, int64_t *new_us, int64_t *old_us, int n, size_t *stations,
    char *err, size_t errlen)
{
	struct overview_count rows[64];
	struct timespec a, b;
	sqlite3_stmt *st = NULL;
	int64_t since = 1700000000000 + (FILLS - 1) * 60000 - 86400000;
	size_t old_n;
	int i;

	if (store_prepare(c->db,
	        "SELECT station, COUNT(*) AS n FROM fills WHERE started_ms >= ?"
	        " GROUP BY station ORDER BY n DESC, station",
	        &st, err, errlen) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (overview_fills_since(c, since, rows, 64, stations, err, errlen) == -1) {
			sqlite3_finalize(st);
			return -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		new_us[i] = elapsed_us(&a, &b);
		clock_gettime(CLOCK_MONOTONIC, &a);
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, since);
		for (old_n = 0; sqlite3_step(st) == SQLITE_ROW; old_n++)
			;
		clock_gettime(CLOCK_MONOTONIC, &b);
		old_us[i] = elapsed_us(&a, &b);
		if (old_n != *stations) {
			sqlite3_finalize(st);
			return err_set(err, errlen, "fills today: %zu stations, the reference %zu",
			    *stations, old_n);
		}
	}
	sqlite3_finalize(st);
	return 0;
}

/* n random cylinders' traces (as the server runs them, audit row and all):
 * each latency into lat_us, the CPU they used added to *cpu, the fills
 * they returned to *total. */
static int
trace_round(struct county_db *c, int64_t *lat_us, int n, int64_t *cpu, int64_t *total, char *err,
    size_t errlen)
{
	struct wire_trace t;
	struct timespec a, b;
	int64_t cpu0 = cpu_us();
	char key[24];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "CYL%lld", (long long)(random() % CYLINDERS));
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (county_trace(c, "regulator:bench", "cylinder", key, 0, INT64_MAX, NULL, &t, err,
		        errlen) == -1)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (t.count != FILLS_PER_CYLINDER) {
			wire_trace_free(&t);
			return err_set(err, errlen, "trace %s: %zu fills, expected %d", key,
			    t.count, FILLS_PER_CYLINDER);
		}
		*total += (int64_t)t.count;
		wire_trace_free(&t);
		lat_us[i] = elapsed_us(&a, &b);
	}
	*cpu += cpu_us() - cpu0;
	return 0;
}

/* A township officer's open-case list (most urgent first, at most 500, as
 * the server lists them), n times; the answer's size in *bytes. */
static int
case_list_latency(struct county_db *c, int64_t *lat_us, int n, size_t *bytes, char *err,
    size_t errlen)
{
	struct access_scope scope = { .reach = ACCESS_REACH_OWN };
	struct timespec a, b;
	uint8_t *out;
	size_t len;
	int i;

	str_copy(scope.township, "TA", sizeof(scope.township));
	str_copy(scope.person, "officer:bench", sizeof(scope.person));
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (cases_list(c, &scope, "officer:bench", CASES_VIEW_OPEN, time_wall_ms(), 500,
		        &out, &len, err, errlen) == -1)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		free(out);
		*bytes = len;
		lat_us[i] = elapsed_us(&a, &b);
	}
	return 0;
}

int
main(void)
{
	static int64_t lat_us[QUERIES / 2], big_lat_us[QUERIES / 2], ref_us[QUERIES],
	    group_us[QUERIES / 10], case_us[QUERIES / 5];
	static int64_t map_us[QUERIES / 10], map_ref_us[QUERIES / 10];
	size_t case_bytes = 0, map_stations = 0;
	double p50, p99, r50, r99;
	const char *size = getenv("BENCH_TRACE_FILLS");
	struct county_db c, big_c;
	sqlite3 *db, *sdb = NULL, *big_db = NULL;
	char dir[64], path[128], err[256];
	int64_t t0, total = 0, trace_cpu = 0, big_cpu = 0;
	int i, cache_mb = atoi(COUNTY_CACHE_MB_DEFAULT);

	log_init("bench_county_trace", 1, LOG_LEVEL_WARN);
	if (size != NULL && size[0] != '\0') {
		FILLS = strtoll(size, NULL, 10);
		if (FILLS < FILLS_PER_CYLINDER * 100) {
			fprintf(stderr, "BENCH_TRACE_FILLS: %s: at least %d fills\n", size,
			    FILLS_PER_CYLINDER * 100);
			return 2;
		}
		CYLINDERS = FILLS / FILLS_PER_CYLINDER;
	}
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
	c.db = db;
	c.config = &config;
	if (generate(db, err, sizeof(err)) == -1 ||
	    fills_today_latency(&c, map_us, map_ref_us, QUERIES / 10, &map_stations, err,
	        sizeof(err)) == -1 ||
	    generate_cases(db, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	printf(
	    "generated %lld fills of %lld cylinders and %lld cases in %.1f s (synchronous=OFF, set-up only)\n",
	    (long long)FILLS, (long long)CYLINDERS, (long long)(FILLS / 100),
	    (double)(time_mono_ms() - t0) / 1000.0);
	{
		/* what the scaling arithmetic (docs/county.md) needs: bytes a fill
		 * takes in the county's file, indexes and violations included */
		struct stat st;

		if (store_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", err, sizeof(err)) == 0 &&
		    stat(path, &st) == 0)
			printf("county database %.1f MB: %.0f bytes per fill (with its record, "
			       "indexes, violations and cases)\n",
			    (double)st.st_size / 1e6, (double)st.st_size / (double)FILLS);
	}
	/* the traces in 20 rounds of 50, alternating between two fresh
	 * connections to the file: one as gascounty opens its own (store_open
	 * and a page cache of cache_mb), and one with a page cache of
	 * BIG_CACHE_MB, so that both see the same machine.  Each writes its audit rows, so each
	 * round begins with a page cache the other's commits emptied (SQLite drops a connection's
	 * cache when another changed the file), as gascounty's is whenever
	 * gasweb has written.  The case list and the commit reference then
	 * use the first. */
	if (store_open(path, schema_county, 0, &sdb, err, sizeof(err)) == -1 ||
	    store_cache_kb(sdb, cache_mb * 1024, err, sizeof(err)) == -1 ||
	    store_open(path, schema_county, 0, &big_db, err, sizeof(err)) == -1 ||
	    store_cache_kb(big_db, BIG_CACHE_MB * 1024, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	c.db = sdb;
	big_c = c;
	big_c.db = big_db;
	srandom(1);
	for (i = 0; i < 20; i++) {
		int big = i % 2;
		int64_t *into = (big ? big_lat_us : lat_us) + (i / 2) * (QUERIES / 20);

		if (trace_round(big ? &big_c : &c, into, QUERIES / 20, big ? &big_cpu : &trace_cpu,
		        &total, err, sizeof(err)) == -1) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
	}
	if (case_list_latency(&c, case_us, QUERIES / 5, &case_bytes, err, sizeof(err)) == -1 ||
	    commit_reference(sdb, ref_us, group_us, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	percentiles(lat_us, QUERIES / 2, &p50, &p99);
	percentiles(ref_us, QUERIES, &r50, &r99);
	printf(
	    "cylinder trace among %lld fills (20 fills, violations, audit row committed; "
	    "read as gascounty reads it, cache_mb = %d): p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d "
	    "queries (aim p99 < 2 ms: %s)\n",
	    (long long)FILLS, cache_mb, p50, p99, lat_us[QUERIES / 2 - 1] / 1000.0, QUERIES / 2,
	    p99 < 2.0 ? "met" : "NOT met");
	printf("  CPU per trace %.2f ms (user and system; the rest of the time is waiting: for the "
	       "disk, or for a core on a shared machine)\n",
	    (double)trace_cpu / (QUERIES / 2) / 1000.0);
	printf("  reference, one durable one-row commit in the same database: p50 %.2f ms, "
	       "p99 %.2f ms\n",
	    r50, r99);
	printf("  ratio trace / durable commit: p50 %.2f, p99 %.2f; the rest of a trace "
	       "(lookup, violations, answer) about %.2f ms at p50\n",
	    r50 > 0 ? p50 / r50 : 0, r99 > 0 ? p99 / r99 : 0, p50 - r50 > 0 ? p50 - r50 : 0);
	{
		double g50, g99;

		percentiles(group_us, QUERIES / 10, &g50, &g99);
		printf(
		    "  a group commit's floor: %d audit-sized rows in one durable commit p50 %.2f ms, "
		    "p99 %.2f ms, %.3f ms a row at p50; ratio group / one-row commit p50 %.2f\n",
		    GROUP_ROWS, g50, g99, g50 / GROUP_ROWS, r50 > 0 ? g50 / r50 : 0);
	}
	percentiles(big_lat_us, QUERIES / 2, &r50, &r99);
	printf(
	    "  the same traces on a connection with a %d MiB page cache instead of cache_mb = %d "
	    "(rounds alternated with the above): p50 %.2f ms, p99 %.2f ms, CPU per trace %.2f ms; "
	    "ratio big cache / as served: p50 %.2f, p99 %.2f, CPU %.2f\n",
	    BIG_CACHE_MB, cache_mb, r50, r99, (double)big_cpu / (QUERIES / 2) / 1000.0,
	    p50 > 0 ? r50 / p50 : 0, p99 > 0 ? r99 / p99 : 0,
	    trace_cpu > 0 ? (double)big_cpu / (double)trace_cpu : 0);
	percentiles(case_us, QUERIES / 5, &p50, &p99);
	printf("case list (a township's open cases, most urgent first, %lld cases in the county, "
	       "%zu bytes of CBOR): p50 %.2f ms, p99 %.2f ms over %d lists\n",
	    (long long)(FILLS / 100), case_bytes, p50, p99, QUERIES / 5);
	percentiles(map_us, QUERIES / 10, &p50, &p99);
	percentiles(map_ref_us, QUERIES / 10, &r50, &r99);
	printf(
	    "map's fills today (%zu stations, 1,440 fills today, no ANALYZE): p50 %.2f ms, p99 %.2f ms;"
	    " reference, the whole-table GROUP BY it replaced: p50 %.2f ms, p99 %.2f ms;"
	    " ratio p50 %.3f\n",
	    map_stations, p50, p99, r50, r99, r50 > 0 ? p50 / r50 : 0);
	store_close(big_db);
	store_close(sdb);
	store_close(db);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	return system(path) == 0 && total > 0 ? 0 : 1;
}
