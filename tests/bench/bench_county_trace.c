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
 * (overview_fills_since) beside the whole-table count it replaced, a
 * township's open-case list (in the scope access_decide gives the
 * township's officer), as gascounty answers it (CBOR) and as the console
 * reads it, and last gascounty's escalation sweep (cases_escalate) beside
 * the whole-table statements it replaced, among the county's cases and
 * among ten times as many (added to the copy), and a grid worker's report
 * by a worker with 10,000 past reports, beside the same without the index
 * of migration 015.
 *
 * county_trace is the county library's, as the server runs it.
 * The data are generated in SQL with synchronous=OFF and the indexes made
 * after the load (set-up only, see setup_county), kept between runs in
 * build/bench-cache/ (BENCH_CACHE_DIR, or BENCH_TRACE_CACHE=0 to keep
 * nothing) and copied for each run; the measured queries run on the copy
 * with the server's settings.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "access.h"
#include "cases.h"
#include "casemsg.h"
#include "catalogue.h"
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

/*
 * The disk's own syncs, timed while the traces run.  SQLite's unix VFS
 * makes a commit durable with fdatasync on Linux, through the C library;
 * this definition stands in front of the C library's (the executable's
 * symbols come first) and times each call while sync_us is set.  A trace
 * cannot answer before its audit row's sync returns, so the p99 of these
 * is the floor under the trace's p99 on this disk in this run.
 */
static int64_t *sync_us;
static int sync_n, sync_max;

int
fdatasync(int fd)
{
	static int (*real)(int);
	struct timespec a, b;
	int rc;

	if (real == NULL && (real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync")) == NULL) {
		errno = ENOSYS;
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = real(fd);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (sync_us != NULL && sync_n < sync_max)
		sync_us[sync_n++] = elapsed_us(&a, &b);
	return rc;
}

#define GROUP_ROWS 10
#define ESCALATIONS 50 /* sweeps of escalation_figures at each size */
#define BIG_CACHE_MB 64

/*
 * Bring the copy's WAL to the size it keeps in a server that has run a
 * while: the set-up's checkpoint truncated it, and until it has grown to
 * the automatic checkpoint's size (1,000 pages) each commit extends the
 * file, which the filesystem must record too, so the commit's sync is
 * dearer; afterwards SQLite writes the WAL again from its start.  WARM
 * one-row durable commits, in a table of their own, pass that point.
 */
#define WARM 1500

static int
wal_warm(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int i;

	if (store_exec(db, "CREATE TABLE bench_warm (at_ms INTEGER)", err, errlen) == -1 ||
	    store_prepare(db, "INSERT INTO bench_warm VALUES (?)", &st, err, errlen) == -1)
		return -1;
	for (i = 0; i < WARM; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, time_wall_ms());
		if (sqlite3_step(st) != SQLITE_DONE) {
			err_set(err, errlen, "warming the WAL: %s", sqlite3_errmsg(db));
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return 0;
}

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

/*
 * The set-up: a county file of FILLS fills generated in SQL and kept
 * between runs.  The file is made by store_open with the real migrations
 * (the schema gascounty writes), then filled with its journal off,
 * synchronous=OFF, foreign keys off, a large page cache, and the secondary
 * indexes of records, fills and violations dropped during the load and
 * created again after it with their own SQL (one sort each instead of a
 * random insert per row); the journal mode is WAL again at the end, as
 * gascounty leaves it.  Built as NAME.tmp and renamed when complete, so a
 * cache file present is a whole one.
 */
#define GEN_FORMAT 2     /* bump when the generated rows change */
#define GEN_CHUNK 100000 /* fills per INSERT ... SELECT */

/* A uuid in store_uuid's form (version 4, lower-case hex), the same for
 * the same (n, stream): records, fills and violations each compute their
 * fill's uuid instead of carrying it between statements.  splitmix64. */
static uint64_t
mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void
sql_bench_uuid(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	uint64_t n = (uint64_t)sqlite3_value_int64(argv[0]),
	         stream = (uint64_t)sqlite3_value_int64(argv[1]);
	uint64_t a = mix64(n * 2 + stream * 0x632be59bd9b4e019ULL),
	         b = mix64(a ^ 0xd1b54a32d192ed03ULL);
	uint8_t raw[16];
	char hex[33], out[37];
	int i;

	(void)argc;
	for (i = 0; i < 8; i++) {
		raw[i] = (uint8_t)(a >> (8 * i));
		raw[8 + i] = (uint8_t)(b >> (8 * i));
	}
	raw[6] = (uint8_t)((raw[6] & 0x0f) | 0x40);
	raw[8] = (uint8_t)((raw[8] & 0x3f) | 0x80);
	hex_encode(raw, sizeof(raw), hex);
	snprintf(out, sizeof(out), "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
	    hex + 20);
	sqlite3_result_text(ctx, out, 36, SQLITE_TRANSIENT);
}

/* The fills FROM..TO-1 of the county: their records, the fills, and a
 * violation for one in 50; ?1 is the first, ?2 the end, ?3 CYLINDERS.
 * Time, station, seq, cylinder and buyer are what the row-by-row set-up
 * gave fill i.  Each fill carries its record's kind and created_ms, as the
 * ingest writes them since migration 012 (generator format 2). */
#define GEN_ROWS                                                                                   \
	"WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2) "
static const char *const gen_sql[] = {
	GEN_ROWS "INSERT INTO records (station, seq, uuid, kind, created_ms, received_ms)"
	         " SELECT 'S0' || (i % 4 + 1), i / 4 + 1, bench_uuid(i, 0), 'fill',"
	         " 1700000000000 + i * 60000, 1700000000000 + i * 60000 FROM n",
	GEN_ROWS "INSERT INTO fills (uuid, station, seq, line, cylinder, buyer, buyer_masked,"
	         " started_ms, ended_ms, tare_kg, target_kg, gross_kg, net_kg, result,"
	         " record_kind, record_created_ms)"
	         " SELECT bench_uuid(i, 0), 'S0' || (i % 4 + 1), i / 4 + 1, 1, 'CYL' || (i % ?3),"
	         " i % 7919, '330***********1234', 1700000000000 + i * 60000 - 90000,"
	         " 1700000000000 + i * 60000, 15.5, 14.9, 30.4, 14.9, 'ok', 'fill',"
	         " 1700000000000 + i * 60000 FROM n",
	GEN_ROWS
	"INSERT INTO violations (uuid, event, station, rule, severity, township, details,"
	" cylinder, at_ms)"
	" SELECT bench_uuid(i, 1), bench_uuid(i, 0), 'S0' || (i % 4 + 1), 'R21', 'flag', 'TA',"
	" 'short weight', 'CYL' || (i % ?3), 1700000000000 + i * 60000 FROM n WHERE i % 50 = 0",
};

/* The secondary indexes of the bulk-loaded tables, in schema order: their
 * names and SQL into *names / *sqls (n entries), to drop and make again. */
struct gen_indexes {
	char **name, **sql;
	int n;
};

static void
gen_indexes_free(struct gen_indexes *x)
{
	for (int i = 0; i < x->n; i++) {
		free(x->name[i]);
		free(x->sql[i]);
	}
	free(x->name);
	free(x->sql);
	memset(x, 0, sizeof(*x));
}

static int
gen_indexes_take(sqlite3 *db, struct gen_indexes *x, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char sql[160];
	int i;

	memset(x, 0, sizeof(*x));
	if (store_prepare(db,
	        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
	        " AND tbl_name IN ('records', 'fills', 'violations') ORDER BY rowid",
	        &st, err, errlen) == -1)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		char **nn = realloc(x->name, sizeof(char *) * (size_t)(x->n + 1)),
		     **ns = nn ? realloc(x->sql, sizeof(char *) * (size_t)(x->n + 1)) : NULL;

		if (nn != NULL)
			x->name = nn;
		if (ns == NULL) {
			sqlite3_finalize(st);
			gen_indexes_free(x);
			return err_set(err, errlen, "set-up: out of memory");
		}
		x->sql = ns;
		x->name[x->n] = strdup((const char *)sqlite3_column_text(st, 0));
		x->sql[x->n] = strdup((const char *)sqlite3_column_text(st, 1));
		x->n++;
	}
	sqlite3_finalize(st);
	for (i = 0; i < x->n; i++) {
		snprintf(sql, sizeof(sql), "DROP INDEX \"%s\"", x->name[i]);
		if (store_exec(db, sql, err, errlen) == -1)
			return -1;
	}
	return 0;
}

static int
generate(sqlite3 *db, char *err, size_t errlen)
{
	sqlite3_stmt *st[3] = { NULL, NULL, NULL };
	struct gen_indexes idx;
	int64_t from, t0 = time_mono_ms(), step = FILLS / 10;
	int i, rc = -1;

	if (sqlite3_create_function(db, "bench_uuid", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
	        sql_bench_uuid, NULL, NULL) != SQLITE_OK)
		return err_set(err, errlen, "set-up: %s", sqlite3_errmsg(db));
	if (store_exec(db,
	        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF;"
	        " PRAGMA cache_size = -4194304; PRAGMA temp_store = FILE",
	        err, errlen) == -1 ||
	    store_exec(db,
	        "INSERT INTO stations (id, township, created_ms) VALUES"
	        " ('S01','TA',0), ('S02','TA',0), ('S03','TB',0), ('S04','TB',0)",
	        err, errlen) == -1 ||
	    gen_indexes_take(db, &idx, err, errlen) == -1)
		return -1;
	for (i = 0; i < 3; i++)
		if (store_prepare(db, gen_sql[i], &st[i], err, errlen) == -1)
			goto out;
	for (from = 0; from < FILLS; from += GEN_CHUNK) {
		int64_t to = from + GEN_CHUNK < FILLS ? from + GEN_CHUNK : FILLS;

		if (store_begin(db, err, errlen) == -1)
			goto out;
		for (i = 0; i < 3; i++) {
			sqlite3_reset(st[i]);
			sqlite3_bind_int64(st[i], 1, from);
			sqlite3_bind_int64(st[i], 2, to);
			if (sqlite3_bind_parameter_count(st[i]) >= 3)
				sqlite3_bind_int64(st[i], 3, CYLINDERS);
			if (sqlite3_step(st[i]) != SQLITE_DONE) {
				err_set(err, errlen, "set-up: %s", sqlite3_errmsg(db));
				store_rollback(db);
				goto out;
			}
		}
		if (store_commit(db, err, errlen) == -1)
			goto out;
		if (step > 0 && to / step != from / step)
			fprintf(stderr, "  set-up: %lld of %lld fills (%.0f s)\n", (long long)to,
			    (long long)FILLS, (double)(time_mono_ms() - t0) / 1000.0);
	}
	for (i = 0; i < idx.n; i++) {
		fprintf(stderr, "  set-up: index %s (%.0f s)\n", idx.name[i],
		    (double)(time_mono_ms() - t0) / 1000.0);
		if (store_exec(db, idx.sql[i], err, errlen) == -1)
			goto out;
	}
	rc = 0;
out:
	for (i = 0; i < 3; i++)
		sqlite3_finalize(st[i]);
	gen_indexes_free(&idx);
	return rc;
}

/*
 * The cases: one for every 100 fills (10,000 among 1,000,000), half in each
 * of two townships, one in ten still open (the rest closed), opened over
 * the fills' months; numbers from to to - 1 of them (escalation_latency adds
 * more).  Then the journal back to WAL, as gascounty keeps it.
 */
static int
generate_cases(sqlite3 *db, int64_t from, int64_t to, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;

	if (store_begin(db, err, errlen) == -1 ||
	    store_prepare(db,
	        GEN_ROWS "INSERT INTO cases (township, severity, kind, join_key, station, cylinder,"
	                 " title, state, opened_ms, last_alert_ms, closed_ms, updated_ms)"
	                 " SELECT CASE WHEN i % 2 THEN 'TB' ELSE 'TA' END,"
	                 " CASE WHEN i % 7 THEN 'alert' ELSE 'critical' END, 'R21',"
	                 " 'CYL' || (i % ?3), 'S01', 'CYL' || (i % ?3), 'short weight',"
	                 " CASE WHEN i % 10 THEN 'closed' ELSE 'new' END,"
	                 " 1700000000000 + i * 6000000, 1700000000000 + i * 6000000,"
	                 " CASE WHEN i % 10 THEN 1700000000000 + i * 6000000 + 86400000 ELSE 0 END,"
	                 " 1700000000000 + i * 6000000 FROM n",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	sqlite3_bind_int64(st, 3, CYLINDERS);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		store_rollback(db);
		return err_set(err, errlen, "cases: %s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	if (store_commit(db, err, errlen) == -1)
		return -1;
	return store_exec(db, "PRAGMA journal_mode = WAL", err, errlen);
}

/* Copy the file src to dst (created, mode 0600), in the kernel where it can. */
static int
copy_file(const char *src, const char *dst, char *err, size_t errlen)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1;
	char buf[1 << 16];
	ssize_t n = 0;

	if (in == -1)
		return err_set(err, errlen, "%s: %s", src, strerror(errno));
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out == -1) {
		close(in);
		return err_set(err, errlen, "%s: %s", dst, strerror(errno));
	}
	while ((n = copy_file_range(in, NULL, out, NULL, (size_t)1 << 30, 0)) > 0)
		;
	if (n == -1 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL)) {
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n) {
				n = -1;
				break;
			}
	}
	if (n == -1)
		err_set(err, errlen, "copying %s to %s: %s", src, dst, strerror(errno));
	else if (fsync(out) == -1)
		n = err_set(err, errlen, "%s: %s", dst, strerror(errno));
	close(in);
	if (close(out) == -1 && n != -1)
		n = err_set(err, errlen, "%s: %s", dst, strerror(errno));
	return n == -1 ? -1 : 0;
}

/* Remove a database file and its companions (journal, WAL, shared memory). */
static void
remove_db(const char *path)
{
	static const char *const tails[] = { "", "-journal", "-wal", "-shm" };
	char p[PATH_MAX + 16];

	for (size_t i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, tails[i]);
		unlink(p);
	}
}

/* Build a county file of FILLS fills at path (made anew). */
static int
build_county(const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;

	remove_db(path);
	if (store_open(path, schema_county, 0, &db, err, errlen) == -1)
		return -1;
	if (generate(db, err, errlen) == -1 ||
	    generate_cases(db, 0, FILLS / 100, err, errlen) == -1) {
		store_close(db);
		return -1;
	}
	store_close(db);
	return 0;
}

/*
 * The cache folder: BENCH_CACHE_DIR, or bench-cache/ beside the folder
 * this binary is in (build/bench-cache for build/bench/bench_county_trace).
 */
static int
cache_dir(char *out, size_t outlen)
{
	const char *env = getenv("BENCH_CACHE_DIR");
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (env != NULL && env[0] != '\0')
		return snprintf(out, outlen, "%s", env) < (int)outlen ? 0 : -1;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return -1;
	exe[n] = '\0';
	for (int up = 0; up < 2; up++) {
		if ((slash = strrchr(exe, '/')) == NULL)
			return -1;
		*slash = '\0';
	}
	return snprintf(out, outlen, "%s/bench-cache", exe) < (int)outlen ? 0 : -1;
}

/*
 * The set-up: the county file of FILLS fills at path.  Copied from the
 * cache file for this schema version, generator and size when one is
 * there; otherwise generated into the cache (cache files of the same size
 * made for another schema version or generator are removed first, they
 * are as large) and then copied.  BENCH_TRACE_CACHE=0 generates at path and
 * keeps nothing.  Says on stdout which it did and how long it took.
 */
static int
setup_county(const char *path, char *err, size_t errlen)
{
	const char *use = getenv("BENCH_TRACE_CACHE");
	int version = store_latest_version(schema_county),
	    off = use != NULL && strcmp(use, "0") == 0;
	char dir[PATH_MAX], cache[PATH_MAX + 64], tmp[PATH_MAX + 80], suffix[40],
	    prefix[] = "county-trace-";
	struct dirent *e;
	int64_t t0 = time_mono_ms(), t1;
	DIR *d;

	if (off || cache_dir(dir, sizeof(dir)) == -1) {
		if (build_county(path, err, errlen) == -1)
			return -1;
		printf("set-up: generated %lld fills of %lld cylinders and %lld cases in %.1f s "
		       "(not kept: %s)\n",
		    (long long)FILLS, (long long)CYLINDERS, (long long)(FILLS / 100),
		    (double)(time_mono_ms() - t0) / 1000.0,
		    off ? "BENCH_TRACE_CACHE=0" : "no cache folder found; set BENCH_CACHE_DIR");
		fflush(stdout);
		return 0;
	}
	snprintf(suffix, sizeof(suffix), "-%lld.db", (long long)FILLS);
	snprintf(cache, sizeof(cache), "%s/%sschema%d-gen%d%s", dir, prefix, version, GEN_FORMAT,
	    suffix);
	if (access(cache, R_OK) != 0) {
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			return err_set(err, errlen, "%s: %s", dir, strerror(errno));
		if ((d = opendir(dir)) != NULL) {
			while ((e = readdir(d)) != NULL) {
				size_t len = strlen(e->d_name), sl = strlen(suffix);

				if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && len > sl &&
				    strcmp(e->d_name + len - sl, suffix) == 0) {
					snprintf(tmp, sizeof(tmp), "%s/%s", dir, e->d_name);
					printf("set-up: removing %s (another schema version or "
					       "generator)\n",
					    tmp);
					remove_db(tmp);
				}
			}
			closedir(d);
		}
		printf("set-up: no cached county file for schema version %d and %lld fills: "
		       "generating %s (progress on stderr)\n",
		    version, (long long)FILLS, cache);
		fflush(stdout);
		snprintf(tmp, sizeof(tmp), "%s.tmp", cache);
		if (build_county(tmp, err, errlen) == -1) {
			remove_db(tmp);
			return -1;
		}
		if (rename(tmp, cache) == -1) {
			remove_db(tmp);
			return err_set(err, errlen, "%s: %s", cache, strerror(errno));
		}
		printf("set-up: generated %lld fills of %lld cylinders and %lld cases in %.1f s "
		       "(SQL, synchronous=OFF, indexes after the load; set-up only), kept for "
		       "the next run\n",
		    (long long)FILLS, (long long)CYLINDERS, (long long)(FILLS / 100),
		    (double)(time_mono_ms() - t0) / 1000.0);
	} else
		printf("set-up: reusing %s (schema version %d, %lld fills, %lld cases; remove it "
		       "to generate it anew)\n",
		    cache, version, (long long)FILLS, (long long)(FILLS / 100));
	fflush(stdout); /* shown now, when the output goes to a file or pipe */
	t1 = time_mono_ms();
	if (copy_file(cache, path, err, errlen) == -1)
		return -1;
	printf("set-up: copied it to %s in %.1f s (the runs write audit rows into the copy)\n",
	    path, (double)(time_mono_ms() - t1) / 1000.0);
	fflush(stdout);
	return 0;
}

/*
 * The set-up's file must have the schema gascounty makes: its tables,
 * indexes and their SQL against those of a database made by store_open at
 * fresh (a path in the run's folder), both ways.
 */
static int
schema_check(sqlite3 *db, const char *fresh, char *err, size_t errlen)
{
	static const char *const diff =
	    "SELECT (SELECT COUNT(*) FROM (SELECT type, name, tbl_name, sql FROM main.sqlite_master"
	    " EXCEPT SELECT type, name, tbl_name, sql FROM fresh.sqlite_master))"
	    " + (SELECT COUNT(*) FROM (SELECT type, name, tbl_name, sql FROM fresh.sqlite_master"
	    " EXCEPT SELECT type, name, tbl_name, sql FROM main.sqlite_master))";
	sqlite3 *f = NULL;
	char sql[PATH_MAX + 32];
	int64_t n;

	if (store_open(fresh, schema_county, 0, &f, err, errlen) == -1)
		return -1;
	store_close(f);
	snprintf(sql, sizeof(sql), "ATTACH '%s' AS fresh", fresh);
	if (store_exec(db, sql, err, errlen) == -1)
		return -1;
	n = store_query_int(db, diff, -1);
	if (store_exec(db, "DETACH fresh", err, errlen) == -1)
		return -1;
	if (n != 0)
		return err_set(err, errlen,
		    "set-up: the generated file's schema differs from a new county database's in "
		    "%lld entries (remove the cached file)",
		    (long long)n);
	return 0;
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
 * the server lists them), n times; the answer's size in *bytes.  brief: as
 * the console reads it (cases_list_brief: the same cases without the CBOR
 * answer), else as gascounty answers it (cases_list).  The scope is the one
 * access_decide gives TA's officer: the township's cases. */
static int
case_list_latency(struct county_db *c, int brief, int64_t *lat_us, int n, size_t *bytes, char *err,
    size_t errlen)
{
	static const char officer[] = "officer:bench@TA";
	struct access_identity who;
	struct access_scope scope;
	struct cases_brief *rows;
	struct timespec a, b;
	uint8_t *out;
	size_t len;
	int i;

	if (access_identity_parse((const uint8_t *)officer, strlen(officer), &who) == -1 ||
	    !access_decide(&who, ACCESS_CASES_READ, &scope) || strcmp(scope.township, "TA") != 0)
		return err_set(err, errlen, "%s: not TA's officer", officer);
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (brief) {
			if (cases_list_brief(c, &scope, officer, CASES_VIEW_OPEN, NULL,
			        time_wall_ms(), 500, &rows, &len, err, errlen) == -1)
				return -1;
			free(rows);
		} else {
			if (cases_list(c, &scope, officer, CASES_VIEW_OPEN, time_wall_ms(), 500,
			        &out, &len, err, errlen) == -1)
				return -1;
			free(out);
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		*bytes = len;
		lat_us[i] = elapsed_us(&a, &b);
	}
	return 0;
}

/* The sweep as it was before migration 013: two statements over the whole cases table, in
 * one transaction as cases_escalate runs its own; *n the cases escalated. */
static int
old_escalate(sqlite3 *db, int64_t now, int *n, char *err, size_t errlen)
{
	static const char *const sql[] = {
		"INSERT INTO case_steps (case_id, at_ms, identity, action, note, state)"
		" SELECT id, ?1, 'county', 'escalate', CASE state WHEN 'new' THEN 'accept'"
		" WHEN 'accepted' THEN 'on site' ELSE 'close' END || ' overdue by ' ||"
		" ((?1 - stage_due_ms) / 60000) || ' min', state FROM cases"
		" WHERE state IN ('new', 'accepted', 'onsite', 'decided') AND escalated_ms = 0"
		" AND ?1 > stage_due_ms",
		"UPDATE cases SET escalated_ms = ?1 WHERE state IN ('new', 'accepted', 'onsite',"
		" 'decided') AND escalated_ms = 0 AND ?1 > stage_due_ms",
	};
	sqlite3_stmt *st;
	size_t i;

	if (store_begin(db, err, errlen) == -1)
		return -1;
	for (i = 0; i < 2; i++) {
		if (store_prepare(db, sql[i], &st, err, errlen) == -1) {
			store_rollback(db);
			return -1;
		}
		sqlite3_bind_int64(st, 1, now);
		if (sqlite3_step(st) != SQLITE_DONE) {
			err_set(err, errlen, "old sweep: %s", sqlite3_errmsg(db));
			sqlite3_finalize(st);
			store_rollback(db);
			return -1;
		}
		sqlite3_finalize(st);
		if (i == 0)
			*n = sqlite3_changes(db);
	}
	return store_commit(db, err, errlen);
}

/*
 * gascounty's escalation sweep (cases_escalate, which its timer runs every check_s) over the
 * county's cases: a first sweep escalates the open cases past their deadline (the generator's
 * have none: every open one is due) into *first, in *first_ms; then n sweeps a second apart,
 * with nothing newly due, as the timer runs them most of the time, alternated with the
 * whole-table statements they replaced (old_escalate), which must find as many (none).
 */
static int
escalation_latency(struct county_db *c, int64_t *new_us, int64_t *old_us, int n, int *first,
    double *first_ms, char *err, size_t errlen)
{
	struct timespec a, b;
	int64_t now = time_wall_ms();
	int i, got, old_got;

	clock_gettime(CLOCK_MONOTONIC, &a);
	if (cases_escalate(c, now, first, err, errlen) == -1)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	*first_ms = (double)elapsed_us(&a, &b) / 1000.0;
	for (i = 0; i < n; i++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (cases_escalate(c, now + 1000 * (i + 1), &got, err, errlen) == -1)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		new_us[i] = elapsed_us(&a, &b);
		clock_gettime(CLOCK_MONOTONIC, &a);
		if (old_escalate(c->db, now + 1000 * (i + 1) + 500, &old_got, err, errlen) == -1)
			return -1;
		clock_gettime(CLOCK_MONOTONIC, &b);
		old_us[i] = elapsed_us(&a, &b);
		if (got != 0 || old_got != 0)
			return err_set(err, errlen, "sweep %d escalated %d, the old one %d", i, got,
			    old_got);
	}
	return 0;
}

/* escalation_latency at the county's cases, and then at ten times as many (the cases of
 * 10,000,000 fills, added to the copy); its figures printed. */
static int
escalation_figures(struct county_db *c, char *err, size_t errlen)
{
	static int64_t new_us[ESCALATIONS], old_us[ESCALATIONS];
	double p50, p99, r50, r99, first_ms;
	int64_t cases = FILLS / 100;
	int round, first;

	for (round = 0; round < 2; round++) {
		if (round == 1) {
			if (generate_cases(c->db, cases, cases * 10, err, errlen) == -1)
				return -1;
			cases *= 10;
		}
		if (escalation_latency(c, new_us, old_us, ESCALATIONS, &first, &first_ms, err,
		        errlen) == -1)
			return -1;
		percentiles(new_us, ESCALATIONS, &p50, &p99);
		percentiles(old_us, ESCALATIONS, &r50, &r99);
		printf(
		    "escalation sweep (cases_escalate) among %lld cases, %d open escalated by the "
		    "first sweep in %.2f ms, then nothing newly due: p50 %.3f ms, p99 %.3f ms over "
		    "%d sweeps; reference, the whole-table statements it replaced: p50 %.3f ms, "
		    "p99 %.3f ms; ratio p50 %.3f\n",
		    (long long)cases, first, first_ms, p50, p99, ESCALATIONS, r50, r99,
		    r50 > 0 ? p50 / r50 : 0);
	}
	return 0;
}

/*
 * A grid worker's report (cases_report) by a worker who already filed PAST_REPORTS over
 * about three years: before it stores anything, a report looks for itself resent (the same
 * report within ten minutes) and counts the person's reports of the last hour
 * (report_max_per_hour, set here so that the count runs).  REPORTS reports a round, each a
 * new case with its durable commit, in four rounds: with 015's index cases(reporter,
 * opened_ms), then the reference without it (as before 015: 011's index that starts with
 * reporter), then with it made again, then without; *with_us and *without_us get
 * REPORTS * 2 latencies each.  Last in the run: it adds cases and drops an index.
 */
#define PAST_REPORTS 10000
#define REPORTS 100
static int
report_latency(struct county_db *c, int64_t *with_us, int64_t *without_us, char *err, size_t errlen)
{
	static const char kinds[] = "kind,code,name,basis,applies\n"
	                            "report,stacked,违规堆放气瓶,,\n";
	static const char villages[] = "village,township\n东村,TA\n";
	struct catalogue cat;
	struct case_request rq;
	struct timespec a, b;
	sqlite3_stmt *st = NULL;
	int64_t now = time_wall_ms(), id;
	int round, i, rc = -1;

	memset(&cat, 0, sizeof(cat));
	if (catalogue_parse("bench.csv", kinds, strlen(kinds), &cat, err, errlen) == -1 ||
	    catalogue_parse_villages("villages.csv", villages, strlen(villages), &cat, err,
	        errlen) == -1)
		goto out;
	/* the worker's past reports, one every 2.6 hours back from an hour ago */
	if (store_begin(c->db, err, errlen) == -1 ||
	    store_prepare(c->db,
	        GEN_ROWS "INSERT INTO cases (township, severity, kind, title, reporter, village,"
	                 " state, opened_ms, last_alert_ms, closed_ms, updated_ms, routed_by)"
	                 " SELECT 'TA', 'alert', 'stacked', '违规堆放气瓶 @ 东村', 'grid:bench@TA',"
	                 " '东村', 'closed', ?3 - i * 9460800, ?3 - i * 9460800,"
	                 " ?3 - i * 9460800 + 86400000, ?3 - i * 9460800, 'village' FROM n",
	        &st, err, errlen) == -1)
		goto out;
	sqlite3_bind_int64(st, 1, 0);
	sqlite3_bind_int64(st, 2, PAST_REPORTS);
	sqlite3_bind_int64(st, 3, now - 3600000);
	if (sqlite3_step(st) != SQLITE_DONE) {
		err_set(err, errlen, "past reports: %s", sqlite3_errmsg(c->db));
		store_rollback(c->db);
		goto out;
	}
	if (store_commit(c->db, err, errlen) == -1)
		goto out;
	/* as gascounty's file: it never runs ANALYZE (the traces above were read with it) */
	if (store_exec(c->db, "DELETE FROM sqlite_stat1; ANALYZE sqlite_schema", err, errlen) == -1)
		goto out;
	config.report_max_per_hour = 10000;
	memset(&rq, 0, sizeof(rq));
	str_copy(rq.kind, "stacked", sizeof(rq.kind));
	str_copy(rq.village, "东村", sizeof(rq.village));
	casemsg_set(&rq, CASEMSG_KIND);
	casemsg_set(&rq, CASEMSG_VILLAGE);
	casemsg_set(&rq, CASEMSG_NOTE_F);
	for (round = 0; round < 4; round++) {
		int64_t *us = round % 2 ? without_us : with_us;

		/* the index made or dropped, and its pages checkpointed here rather than by the
		 * first report's commit (a bench's change, never a server's) */
		if (store_exec(c->db,
		        round % 2 ? "DROP INDEX cases_reporter_opened"
		                  : "CREATE INDEX IF NOT EXISTS cases_reporter_opened ON"
		                    " cases(reporter, opened_ms)",
		        err, errlen) == -1 ||
		    store_exec(c->db, "PRAGMA wal_checkpoint(PASSIVE)", err, errlen) == -1)
			goto out;
		for (i = 0; i < REPORTS; i++) {
			snprintf(rq.note, sizeof(rq.note), "村口堆放气瓶 第%d轮第%d处", round, i);
			clock_gettime(CLOCK_MONOTONIC, &a);
			if (cases_report(c, &cat, "grid:bench@TA", &rq, now + round * REPORTS + i,
			        &id, err, errlen) != CASES_DONE)
				goto out;
			clock_gettime(CLOCK_MONOTONIC, &b);
			us[round / 2 * REPORTS + i] = elapsed_us(&a, &b);
		}
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	catalogue_free(&cat);
	return rc;
}

static int
report_figures(struct county_db *c, char *err, size_t errlen)
{
	static int64_t with_us[REPORTS * 2], without_us[REPORTS * 2];
	double p50, p99, r50, r99;

	if (report_latency(c, with_us, without_us, err, errlen) == -1)
		return -1;
	percentiles(with_us, REPORTS * 2, &p50, &p99);
	percentiles(without_us, REPORTS * 2, &r50, &r99);
	printf("a grid worker's report (cases_report, a new case, committed) by a worker with %d "
	       "past reports, its resend check and hourly count on 015's index: p50 %.2f ms, "
	       "p99 %.2f ms over %d; reference, the same on the index before 015: p50 %.2f ms, "
	       "p99 %.2f ms; ratio p50 %.3f\n",
	    PAST_REPORTS, p50, p99, REPORTS * 2, r50, r99, r50 > 0 ? p50 / r50 : 0);
	return 0;
}

int
main(void)
{
	static int64_t lat_us[QUERIES / 2], big_lat_us[QUERIES / 2], ref_us[QUERIES],
	    group_us[QUERIES / 10], case_us[QUERIES / 5], brief_us[QUERIES / 5];
	static int64_t map_us[QUERIES / 10], map_ref_us[QUERIES / 10], disk_us[QUERIES];
	size_t case_bytes = 0, brief_rows = 0, map_stations = 0;
	double p50, p99, r50, r99, c50, c99, w50, w99, cold_max;
	const char *size = getenv("BENCH_TRACE_FILLS");
	struct county_db c, big_c;
	sqlite3 *db = NULL, *sdb = NULL, *big_db = NULL;
	char dir[64], path[128], fresh[128], err[256];
	int64_t total = 0, trace_cpu = 0, big_cpu = 0;
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
	snprintf(fresh, sizeof(fresh), "%s/fresh.db", dir);
	if (setup_county(path, err, sizeof(err)) == -1 ||
	    store_open(path, schema_county, STORE_NO_CHECK, &db, err, sizeof(err)) == -1 ||
	    schema_check(db, fresh, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		if (db != NULL)
			store_close(db);
		remove_db(path); /* as large as the county: not left in TMPDIR */
		remove_db(fresh);
		rmdir(dir);
		return 1;
	}
	c.db = db;
	c.config = &config;
	/* the map's fills today before any ANALYZE (see fills_today_latency),
	 * then the statistics the traces below are read with */
	if (fills_today_latency(&c, map_us, map_ref_us, QUERIES / 10, &map_stations, err,
	        sizeof(err)) == -1 ||
	    store_exec(db, "ANALYZE", err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
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
	if (wal_warm(sdb, err, sizeof(err)) == -1) {
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

		/* the syncs of the rounds read as gascounty reads */
		sync_us = big ? NULL : disk_us;
		sync_max = QUERIES;
		if (trace_round(big ? &big_c : &c, into, QUERIES / 20, big ? &big_cpu : &trace_cpu,
		        &total, err, sizeof(err)) == -1) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
	}
	sync_us = NULL;
	if (case_list_latency(&c, 0, case_us, QUERIES / 5, &case_bytes, err, sizeof(err)) == -1 ||
	    case_list_latency(&c, 1, brief_us, QUERIES / 5, &brief_rows, err, sizeof(err)) == -1 ||
	    commit_reference(sdb, ref_us, group_us, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	/* before the sort: the first trace of each round reads with a page
	 * cache the other connection's commits emptied (as a console trace
	 * does after any ingest), the rest with a warm one */
	{
		int64_t cold[10], warm[QUERIES / 2 - 10];
		int round, k, nc = 0, nw = 0;

		for (round = 0; round < 10; round++)
			for (k = 0; k < QUERIES / 20; k++) {
				int64_t v = lat_us[round * (QUERIES / 20) + k];

				if (k == 0)
					cold[nc++] = v;
				else
					warm[nw++] = v;
			}
		percentiles(cold, nc, &c50, &c99);
		percentiles(warm, nw, &w50, &w99);
		cold_max = (double)cold[nc - 1] / 1000.0;
	}
	percentiles(lat_us, QUERIES / 2, &p50, &p99);
	percentiles(ref_us, QUERIES, &r50, &r99);
	printf(
	    "cylinder trace among %lld fills (20 fills, violations, audit row committed; "
	    "read as gascounty reads it, cache_mb = %d): p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d "
	    "queries (aim p99 < 2 ms: %s)\n",
	    (long long)FILLS, cache_mb, p50, p99, lat_us[QUERIES / 2 - 1] / 1000.0, QUERIES / 2,
	    p99 < 2.0 ? "met" : "NOT met");
	printf(
	    "  of these, the first of each round (the other connection's commits emptied its page "
	    "cache, as any write by gascounty does to gasweb's): p50 %.2f ms, max %.2f ms over "
	    "10; the other %d: p50 %.2f ms, p99 %.2f ms\n",
	    c50, cold_max, QUERIES / 2 - 10, w50, w99);
	(void)c99;
	printf("  CPU per trace %.2f ms (user and system; the rest of the time is waiting: for the "
	       "disk, or for a core on a shared machine)\n",
	    (double)trace_cpu / (QUERIES / 2) / 1000.0);
	if (sync_n >= 100) {
		double d50, d99;

		percentiles(disk_us, sync_n, &d50, &d99);
		printf(
		    "  the disk's syncs during these traces (fdatasync, one per audit row): p50 %.2f "
		    "ms, p99 %.2f ms over %d; ratio trace / sync p99 %.2f, and the trace's p99 "
		    "above the sync's %.2f ms\n",
		    d50, d99, sync_n, d99 > 0 ? p99 / d99 : 0, p99 - d99);
	} else {
		printf("  the disk's syncs during these traces: not measured (%d fdatasync calls "
		       "seen; this SQLite syncs otherwise)\n",
		    sync_n);
	}
	printf("  reference, one durable one-row commit in the same database (after the traces): "
	       "p50 %.2f ms, p99 %.2f ms\n",
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
	percentiles(brief_us, QUERIES / 5, &r50, &r99);
	printf(
	    "  the same %zu cases as the console reads them (cases_list_brief, no CBOR): p50 %.2f "
	    "ms, p99 %.2f ms; ratio brief / CBOR list p50 %.2f\n",
	    brief_rows, r50, r99, p50 > 0 ? r50 / p50 : 0);
	percentiles(map_us, QUERIES / 10, &p50, &p99);
	percentiles(map_ref_us, QUERIES / 10, &r50, &r99);
	printf(
	    "map's fills today (%zu stations, 1,440 fills today, no ANALYZE): p50 %.2f ms, p99 %.2f ms;"
	    " reference, the whole-table GROUP BY it replaced: p50 %.2f ms, p99 %.2f ms;"
	    " ratio p50 %.3f\n",
	    map_stations, p50, p99, r50, r99, r50 > 0 ? p50 / r50 : 0);
	/* last: they add cases to the copy (and the reports drop an index) */
	if (escalation_figures(&c, err, sizeof(err)) == -1 ||
	    report_figures(&c, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	store_close(big_db);
	store_close(sdb);
	store_close(db);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	return system(path) == 0 && total > 0 ? 0 : 1;
}
