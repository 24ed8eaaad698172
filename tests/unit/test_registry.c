/*
 * Unit tests of the registry: row validation with reasons, the inspection
 * date, and imports into a real station database file: rejected rows reported
 * with their line, valid rows upserted, re-import changing nothing, codes
 * checked against the key, and a failed transaction leaving nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "buyer.h"
#include "fixture.h"
#include "registry.h"
#include "store.h"
#include "util.h"
#include "wire.h"

static const char header[] =
    "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n";

struct fixture {
	char dir[64];
	char csv_path[96];
	sqlite3 *db;
	char rejects[4096];
	int nrejects;
	int told_in_transaction; /* rows told while the import's connection was in one */
	int progress_calls;
};

/* A case's station database in a folder of its own (fixture_db_setup),
 * and the path of its registry file there.  0, or -1 with the reason on
 * stderr and nothing left: no folder, nothing allocated (cmocka runs no
 * tear-down after a set-up that failed). */
static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL) {
		fprintf(stderr, "test_registry: out of memory\n");
		return -1;
	}
	if (fixture_db_setup(f->dir, sizeof(f->dir), "test_registry", "station.db", schema_station,
	        &f->db) == -1) {
		free(f);
		return -1;
	}
	snprintf(f->csv_path, sizeof(f->csv_path), "%s/registry.csv", f->dir);
	*state = f;
	return 0;
}

/* The tear-down of setup, after a case passed or failed: the database
 * closed, the folder removed with all in it, the fixture freed.  -1 (a
 * failure cmocka reports) if the folder could not be removed. */
static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc = fixture_db_teardown(f->dir, &f->db);

	free(f);
	return rc;
}

static void
write_csv(struct fixture *f, const char *text)
{
	FILE *fp = fopen(f->csv_path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* A row told: "LINE: reason", or "not imported LINE: reason" of an import
 * that failed. */
static void
on_reject(void *arg, const char *file, unsigned long line, const char *reason, int committed)
{
	struct fixture *f = arg;
	size_t used = strlen(f->rejects);

	(void)file;
	snprintf(f->rejects + used, sizeof(f->rejects) - used, "%s%lu: %s\n",
	    committed ? "" : "not imported ", line, reason);
	f->nrejects++;
	if (!sqlite3_get_autocommit(f->db))
		f->told_in_transaction++;
}

static void
on_progress(void *arg, unsigned long long done, unsigned long long total, unsigned long rows)
{
	(void)rows;
	struct fixture *f = arg;

	assert_true(done <= total);
	f->progress_calls++;
}

/* Parse one data line under a header line. */
static int
parse_under(const char *header_line, const char *line, const struct code_key *key,
    struct registry_row *row, char *err, size_t errlen)
{
	char text[1024];
	FILE *fp;
	struct csv_reader *r;
	struct csv_row csv;
	struct registry_columns cols;
	int rc = -1;

	snprintf(text, sizeof(text), "%s%s\n", header_line, line);
	fp = fmemopen(text, strlen(text), "r");
	r = csv_open(fp);
	if (csv_next(r, &csv, err, errlen) == 1 &&
	    registry_columns_parse(&csv, &cols, err, errlen) == 0 &&
	    csv_next(r, &csv, err, errlen) == 1)
		rc = registry_parse_row(&cols, &csv, key, 0, row, err, errlen);
	csv_close(r);
	fclose(fp);
	return rc;
}

/* Parse one data line under the standard header. */
static int
parse_line(const char *line, const struct code_key *key, struct registry_row *row, char *err,
    size_t errlen)
{
	return parse_under(header, line, key, row, err, errlen);
}

static void
parses_a_valid_row(void **state)
{
	struct registry_row row;
	char err[256], date[11];

	(void)state;
	assert_int_equal(parse_line("ZJ-000123,ysp35.5,2023-04,15.2,,Longyou Gas Co.,,active", NULL,
	                     &row, err, sizeof(err)),
	    0);
	assert_string_equal(row.serial, "ZJ-000123");
	assert_string_equal(row.model, "YSP35.5");
	date_format(row.manufactured, date);
	assert_string_equal(date, "2023-04-01");
	assert_int_equal(row.tare_g, 15200);
	assert_int_equal(row.fill_g, 14900); /* empty fill_kg: the model's default */
	assert_int_equal(row.last_inspection, -1);
	assert_string_equal(row.owner, "Longyou Gas Co.");
	assert_string_equal(row.status, "active");
}

static void
refuses_bad_rows_with_the_reason(void **state)
{
	static const struct {
		const char *line;
		const char *reason;
	} bad[] = {
		{ ",YSP35.5,2023-04,15.2,14.9,Co,,active", "serial is empty" },
		{ "A/1,YSP35.5,2023-04,15.2,14.9,Co,,active", "serial must be" },
		{ "A1,YSP50,2023-04,15.2,14.9,Co,,active", "model 'YSP50' is not one of" },
		{ "A1,YSP35.5,2023-4,15.2,14.9,Co,,active", "manufactured '2023-4' is not a date" },
		{ "A1,YSP35.5,2023-02-30,15.2,14.9,Co,,active", "is not a date" },
		{ "A1,YSP35.5,2099-01,15.2,14.9,Co,,active", "in the future" },
		{ "A1,YSP35.5,2023-04,15.205,14.9,Co,,active", "tare_kg '15.205'" },
		{ "A1,YSP35.5,2023-04,-1,14.9,Co,,active", "tare_kg" },
		{ "A1,YSP35.5,2023-04,0,14.9,Co,,active", "tare_kg" },
		{ "A1,YSP35.5,2023-04,15.2,15.0,Co,,active", "exceeds 14.9" },
		{ "A1,YSP35.5,2023-04,15.2,abc,Co,,active", "fill_kg 'abc'" },
		{ "A1,YSP35.5,2023-04,15.2,14.9,,,active", "owner is empty" },
		{ "A1,YSP35.5,2023-04,15.2,14.9,Co,2022-01-01,active", "before the manufacture" },
		{ "A1,YSP35.5,2023-04,15.2,14.9,Co,2099-01-01,active", "in the future" },
		{ "A1,YSP35.5,2023-04,15.2,14.9,Co,,lost", "status 'lost'" },
		{ "A1,YSP35.5,2023-04,15.2,14.9,Co", "status '' is not" },
		{ NULL, NULL },
	};
	struct registry_row row;
	char err[256];
	int i;

	(void)state;
	for (i = 0; bad[i].line != NULL; i++) {
		err[0] = '\0';
		if (parse_line(bad[i].line, NULL, &row, err, sizeof(err)) == 0)
			fail_msg("case %d accepted", i);
		if (strstr(err, bad[i].reason) == NULL)
			fail_msg("case %d: reason '%s' lacks '%s'", i, err, bad[i].reason);
	}
}

static void
refuses_nul_bytes_hidden_in_fields(void **state)
{
	static const char text[] =
	    "serial,model,manufactured,tare_kg,fill_kg,owner,"
	    "last_inspection,status\nA1,YSP35.5,2019-05,15.2,14.9,Co,,active\0x\n"
	    "A1\0B,YSP35.5,2019-05,15.2,14.9,Co,,active\n";
	struct registry_columns cols;
	struct registry_row row;
	struct csv_row csv;
	struct csv_reader *r;
	FILE *fp = fmemopen((void *)text, sizeof(text) - 1, "r");
	char err[256];

	(void)state;
	r = csv_open(fp);
	assert_int_equal(csv_next(r, &csv, NULL, 0), 1);
	assert_int_equal(registry_columns_parse(&csv, &cols, NULL, 0), 0);
	assert_int_equal(csv_next(r, &csv, NULL, 0), 1);
	assert_int_equal(registry_parse_row(&cols, &csv, NULL, 0, &row, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "status"));
	assert_int_equal(csv_next(r, &csv, NULL, 0), 1);
	assert_int_equal(registry_parse_row(&cols, &csv, NULL, 0, &row, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "serial"));
	csv_close(r);
	fclose(fp);
}

static void
refuses_headers_without_required_columns(void **state)
{
	static const char *headers[] = {
		"serial,model,manufactured,tare_kg,fill_kg,owner,status",
		"serial,model,serial,manufactured,tare_kg,fill_kg,owner,last_inspection,status",
		NULL,
	};
	struct registry_columns cols;
	struct csv_row row;
	char text[256], err[256];
	int i;

	(void)state;
	for (i = 0; headers[i] != NULL; i++) {
		FILE *fp;
		struct csv_reader *r;

		snprintf(text, sizeof(text), "%s\n", headers[i]);
		fp = fmemopen(text, strlen(text), "r");
		r = csv_open(fp);
		assert_int_equal(csv_next(r, &row, NULL, 0), 1);
		assert_int_equal(registry_columns_parse(&row, &cols, err, sizeof(err)), -1);
		csv_close(r);
		fclose(fp);
	}
}

static void
next_inspection_is_one_cycle_after_the_last(void **state)
{
	static const struct {
		const char *manufactured, *last;
		int cycle;
		const char *want;
	} cases[] = {
		{ "2019-05-01", "2022-03-15", 4, "2026-03-15" },
		{ "2019-05-01", NULL, 4, "2023-05-01" }, /* never inspected */
		{ "2010-01-01", "2020-02-29", 4, "2024-02-29" },
		{ "2010-01-01", "2020-02-29", 3, "2023-02-28" },
		{ "2010-01-01", "2020-06-30", 0, "2024-06-30" }, /* 0: default cycle */
		{ NULL, NULL, 0, NULL },
	};
	struct registry_row row;
	char got[11];
	int i;

	(void)state;
	for (i = 0; cases[i].manufactured != NULL; i++) {
		memset(&row, 0, sizeof(row));
		assert_int_equal(date_parse(cases[i].manufactured, &row.manufactured), 0);
		row.last_inspection = -1;
		if (cases[i].last != NULL)
			assert_int_equal(date_parse(cases[i].last, &row.last_inspection), 0);
		date_format(registry_next_inspection(&row, cases[i].cycle), got);
		assert_string_equal(got, cases[i].want);
	}
}

static void
imports_valid_rows_and_reports_rejected_lines(void **state)
{
	struct fixture *f = *state;
	struct registry_import_opts opts = { .reject = on_reject,
		.progress = on_progress,
		.arg = f };
	struct registry_import_result res;
	char err[256];

	write_csv(f, "\xef\xbb\xbf"
	             "serial,model,manufactured,tare_kg,fill_kg,owner,"
	             "last_inspection,status\n"
	             "A1,YSP35.5,2019-05,15.2,14.9,Longyou Gas,2022-03-15,active\n"
	             "A2,YSP50,2019-05,15.2,14.9,Longyou Gas,,active\n"
	             "\n"
	             "A3,YSP118,2018-01-20,48.5,49.5,\"Gas, Ltd\",,scrapped\n"
	             "A1,YSP35.5,2019-05,15.2,14.9,Longyou Gas,,active\n"
	             "A4,YSP12,2020-02,x,5,Co,,active\n"
	             "\"A5,YSP12\n");
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	assert_int_equal(res.rows, 6);
	assert_int_equal(res.rejected, 4);
	assert_int_equal(res.inserted, 2);
	assert_int_equal(res.updated, 0);
	assert_string_equal(f->rejects,
	    "3: model 'YSP50' is not one of YSP4.7, YSP12, YSP26.2, YSP35.5, YSP118\n"
	    "6: serial A1 appears again (first on line 2)\n"
	    "7: tare_kg 'x' is not a mass in kg (0.01 to 200, at most two decimals)\n"
	    "8: field 1: quoted field not closed before the end of the file\n");
	assert_true(f->progress_calls >= 1);
	assert_int_equal(store_query_int(f->db, "SELECT count(*) FROM cylinders", -1), 2);
	assert_int_equal(
	    store_query_int(f->db,
	        "SELECT count(*) FROM cylinders WHERE serial = "
	        "'A1' AND next_inspection = '2026-03-15' AND manufactured = '2019-05-01' AND "
	        "tare_kg = 15.2 AND last_inspection = '2022-03-15'",
	        -1),
	    1);
	assert_int_equal(
	    store_query_int(f->db,
	        "SELECT count(*) FROM cylinders WHERE serial = "
	        "'A3' AND owner = 'Gas, Ltd' AND status = 'scrapped' AND next_inspection = "
	        "'2022-01-20' AND last_inspection IS NULL",
	        -1),
	    1);
}

static void
reimport_changes_nothing_and_updates_changed_rows(void **state)
{
	struct fixture *f = *state;
	struct registry_import_result res;
	char err[256];
	int64_t stamp;

	write_csv(f, "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n"
	             "B1,YSP35.5,2019-05,15.2,14.9,Co,2022-03-15,active\n"
	             "B2,YSP12,2020-05,6.1,5,Co,,active\n");
	assert_int_equal(registry_import(f->db, f->csv_path, NULL, &res, err, sizeof(err)), 0);
	assert_int_equal(res.inserted, 2);
	stamp = store_query_int(f->db, "SELECT updated_ms FROM cylinders WHERE serial = 'B2'", 0);
	usleep(5000);
	assert_int_equal(registry_import(f->db, f->csv_path, NULL, &res, err, sizeof(err)), 0);
	assert_int_equal(res.inserted, 0);
	assert_int_equal(res.updated, 0);
	assert_int_equal(res.unchanged, 2);
	/* a new inspection date arrives; scrapped in the other row's column order */
	write_csv(f, "status,serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection\n"
	             "active,B1,YSP35.5,2019-05,15.2,14.9,Co,2025-03-15\n"
	             "active,B2,YSP12,2020-05,6.1,5,Co,\n");
	assert_int_equal(registry_import(f->db, f->csv_path, NULL, &res, err, sizeof(err)), 0);
	assert_int_equal(res.updated, 1);
	assert_int_equal(res.unchanged, 1);
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(*) FROM cylinders WHERE serial = "
	                     "'B1' AND next_inspection = '2029-03-15'",
	                     -1),
	    1);
	assert_int_equal(store_query_int(f->db,
	                     "SELECT updated_ms FROM cylinders WHERE serial = "
	                     "'B2'",
	                     0),
	    stamp);
}

static void
failed_transaction_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct registry_import_result res;
	char err[256];

	assert_int_equal(
	    store_exec(f->db,
	        "CREATE TEMP TRIGGER boom BEFORE INSERT ON cylinders "
	        "WHEN NEW.serial = 'C3' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
	        err, sizeof(err)),
	    0);
	write_csv(f, "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n"
	             "C1,YSP35.5,2019-05,15.2,14.9,Co,,active\n"
	             "C2,YSP35.5,2019-05,15.2,14.9,Co,,active\n"
	             "C3,YSP35.5,2019-05,15.2,14.9,Co,,active\n");
	assert_int_equal(registry_import(f->db, f->csv_path, NULL, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":4: database refused the row: disk on fire"));
	assert_int_equal(store_query_int(f->db, "SELECT count(*) FROM cylinders", -1), 0);
	/* and the database is usable afterwards */
	assert_int_equal(store_exec(f->db, "DROP TRIGGER boom", err, sizeof(err)), 0);
	assert_int_equal(registry_import(f->db, f->csv_path, NULL, &res, err, sizeof(err)), 0);
	assert_int_equal(res.inserted, 3);
}

/* An import the station's database will not take (another writer holds
 * it) says which database: gasctl opened it from its configuration, and
 * until 7 Dec 2026 the error was "database is locked" alone. */
static void
a_database_that_will_not_take_it_is_named(void **state)
{
	struct fixture *f = *state;
	struct registry_import_result res;
	char err[256], path[160], want[200];
	sqlite3 *other = NULL;

	snprintf(path, sizeof(path), "%s/station.db", f->dir);
	assert_int_equal(store_open(path, schema_station, 0, &other, err, sizeof(err)), 0);
	assert_int_equal(store_exec(other, "BEGIN IMMEDIATE", err, sizeof(err)), 0);
	sqlite3_busy_timeout(f->db, 0);
	write_csv(f, "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n"
	             "C1,YSP35.5,2019-05,15.2,14.9,Co,,active\n");
	assert_int_equal(registry_import(f->db, f->csv_path, NULL, &res, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "database %s: ", path);
	assert_non_null(strstr(err, want));
	assert_non_null(strstr(err, "locked"));
	assert_int_equal(store_exec(other, "ROLLBACK", err, sizeof(err)), 0);
	store_close(other);
	assert_int_equal(store_query_int(f->db, "SELECT count(*) FROM cylinders", -1), 0);
}

/* The import's connection as a caller left it: no staging table, the
 * temp schema's cache size and journal mode as they were. */
static void
assert_connection_as_left(sqlite3 *db)
{
	assert_int_equal(
	    store_query_int(db,
	        "SELECT count(*) FROM temp.sqlite_master WHERE name = 'registry_stage'", -1),
	    0);
	assert_int_equal(store_query_int(db, "PRAGMA temp.cache_size", 0), -1234);
	assert_int_equal(store_query_int(db,
	                     "SELECT count(*) FROM pragma_journal_mode('temp') WHERE"
	                     " journal_mode = 'truncate'",
	                     -1),
	    1);
}

struct writer {
	sqlite3 *db; /* another connection to the station database */
	sqlite3 *importing;
	int during_staging; /* progress calls while the import had a transaction open */
	int written;        /* ... in which the other connection committed a write */
};

/* While pass 1 stages rows (its transaction on the temp schema open),
 * another connection writes the station database without waiting. */
static void
write_beside(void *arg, unsigned long long done, unsigned long long total, unsigned long rows)
{
	struct writer *w = arg;
	char err[256], sql[192];

	(void)done;
	(void)total;
	(void)rows;
	if (sqlite3_get_autocommit(w->importing))
		return;
	w->during_staging++;
	snprintf(sql, sizeof(sql),
	    "BEGIN IMMEDIATE; INSERT INTO operators (cert, name, expires, active, created_ms)"
	    " VALUES ('W%d', 'Beside', '2030-01-01', 1, 0); COMMIT",
	    w->during_staging);
	if (store_exec(w->db, sql, err, sizeof(err)) == 0) {
		w->written++;
	} else {
		fprintf(stderr, "write beside the import: %s\n", err);
		(void)store_exec(w->db, "ROLLBACK", err, sizeof(err));
	}
}

/* Pass 1 stages the accepted rows in the connection's temp schema: no lock
 * on the station database, so a fill line writes meanwhile (busy timeout 0
 * here: a lock would refuse it at once); and the staging leaves nothing
 * behind, whether the import commits or fails. */
static void
stages_rows_without_locking_the_station(void **state)
{
	struct fixture *f = *state;
	struct writer w = { .importing = f->db };
	struct registry_import_opts opts = { .progress = write_beside, .arg = &w };
	struct registry_import_result res;
	char err[256], path[160];
	FILE *fp;
	int i;

	snprintf(path, sizeof(path), "%s/station.db", f->dir);
	assert_int_equal(store_open(path, schema_station, 0, &w.db, err, sizeof(err)), 0);
	sqlite3_busy_timeout(w.db, 0);
	assert_int_equal(store_exec(f->db,
	                     "PRAGMA temp.cache_size = -1234; PRAGMA temp.journal_mode = truncate",
	                     err, sizeof(err)),
	    0);
	fp = fopen(f->csv_path, "w");
	assert_non_null(fp);
	fputs(header, fp);
	for (i = 0; i < 1000; i++) /* four batches of pass 1 */
		fprintf(fp, "S%04d,YSP12,2020-05,6.1,,Co,,active\n", i);
	fclose(fp);
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	assert_int_equal(res.inserted, 1000);
	assert_true(w.during_staging >= 3);
	assert_int_equal(w.written, w.during_staging);
	assert_int_equal(store_query_int(f->db, "SELECT count(*) FROM operators", -1), w.written);
	assert_connection_as_left(f->db);

	/* a refused import: the row named, nothing in, nothing left staged */
	assert_int_equal(
	    store_exec(f->db,
	        "CREATE TEMP TRIGGER boom BEFORE UPDATE ON cylinders "
	        "WHEN NEW.serial = 'S0700' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
	        err, sizeof(err)),
	    0);
	fp = fopen(f->csv_path, "a");
	assert_non_null(fp);
	fputs("S0700,YSP12,2020-05,6.1,,Other Co,,active\n", fp); /* line 1002, again */
	fclose(fp);
	opts.progress = NULL;
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	assert_int_equal(res.rejected, 1); /* S0700 twice: the second refused, no update */
	assert_int_equal(res.unchanged, 1000);
	fp = fopen(f->csv_path, "w");
	assert_non_null(fp);
	fprintf(fp,
	    "%sS0001,YSP12,2020-05,6.1,,Other Co,,active\n"
	    "S0700,YSP12,2020-05,6.1,,Other Co,,active\n",
	    header);
	fclose(fp);
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":3: database refused the row: disk on fire"));
	assert_int_equal(
	    store_query_int(f->db, "SELECT count(*) FROM cylinders WHERE owner = 'Other Co'", -1),
	    0);
	assert_connection_as_left(f->db);
	store_close(w.db);
}

static void
refuses_file_without_header_or_missing(void **state)
{
	struct fixture *f = *state;
	char err[256];

	write_csv(f, "A1,YSP35.5,2019-05,15.2,14.9,Co,,active\n");
	assert_int_equal(registry_import(f->db, f->csv_path, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: header lacks the column serial"));
	write_csv(f, "");
	assert_int_equal(registry_import(f->db, f->csv_path, NULL, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty file"));
	assert_int_equal(registry_import(f->db, "/nonexistent.csv", NULL, NULL, err, sizeof(err)),
	    -1);
}

static void
verifies_codes_against_the_key(void **state)
{
	struct fixture *f = *state;
	struct registry_import_opts opts = { .reject = on_reject, .arg = f };
	struct registry_import_result res;
	uint8_t seed[CODE_SEED_LEN];
	char err[256], text[2048];
	/* vector 1 of docs/code-format.md: 330825 ZJ-000123 YSP35.5 2023-04 15.20 14.90 */
	const char *code = "GC1: 50+O1 M0R2GKFU*OQTIB3W5646*96WN669DBIK+RC-RR8:U1IP2HR94V.98XGH"
	                   "85GQ6BMKCDFK5EULME/NLVU1O27UXHXLGEAEQTVJSOB%E$BNRMP7:GZY7SMNM:550";
	int i;

	for (i = 0; i < CODE_SEED_LEN; i++)
		seed[i] = (uint8_t)i;
	opts.key = code_key_from_seed(seed, NULL, 0);
	opts.county = 330825;
	snprintf(text, sizeof(text),
	    "%scode\n"
	    "ZJ-000123,YSP35.5,2023-04,15.20,14.90,Co,,active,%s\n"
	    "ZJ-000124,YSP35.5,2023-04,15.20,14.90,Co,,active,%s\n"
	    "ZJ-000123,YSP35.5,2023-04,15.30,14.90,Co,,active,%s\n"
	    "ZJ-000125,YSP35.5,2023-04,15.20,14.90,Co,,active,GC1:XXXX\n"
	    "ZJ-000126,YSP35.5,2023-04,15.20,14.90,Co,,active,\n",
	    "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status,", code, code,
	    code);
	write_csv(f, text);
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	assert_int_equal(res.inserted, 2);
	assert_int_equal(res.rejected, 3);
	assert_non_null(strstr(f->rejects, "3: code is for serial ZJ-000123, not this row's"));
	assert_non_null(strstr(f->rejects, "4: code's model, manufacture month, tare or fill"));
	assert_non_null(strstr(f->rejects, "5: code refused: damaged code"));
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(*) FROM cylinders WHERE serial = "
	                     "'ZJ-000123' AND code LIKE 'GC1: 50+O1%'",
	                     -1),
	    1);
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(*) FROM cylinders WHERE serial = "
	                     "'ZJ-000126' AND code IS NULL",
	                     -1),
	    1);
	/* another county's station refuses it */
	opts.county = 110105;
	f->rejects[0] = '\0';
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	assert_non_null(strstr(f->rejects, "2: code is of county 330825, not 110105"));
	code_key_free((struct code_key *)opts.key);
}

/* Every rejection of a large import, "LINE: reason" in the order given. */
struct reject_log {
	char *text;
	size_t len, cap;
	unsigned long last_line;
	int out_of_order;
};

static void
log_reject(void *arg, const char *file, unsigned long line, const char *reason, int committed)
{
	struct reject_log *log = arg;
	int n;

	(void)file;
	assert_true(committed);
	if (line <= log->last_line)
		log->out_of_order = 1;
	log->last_line = line;
	n = snprintf(log->text + log->len, log->cap - log->len, "%lu: %s\n", line, reason);
	assert_true(n > 0 && (size_t)n < log->cap - log->len);
	log->len += (size_t)n;
}

/* One data row of the large file: serial, then its code (NULL: none). */
static void
large_row(FILE *fp, const char *serial, const char *model, const char *owner, const char *code)
{
	fprintf(fp, "%s,%s,2019-05,15.20,14.90,%s,2022-03-15,active,%s\n", serial, model, owner,
	    code != NULL ? code : "");
}

/*
 * A large signed file (many batches, verified on every core) with bad rows
 * at a batch's edges, in its middle and at its end: each is reported with
 * the line it starts on (one of them, a quoted owner, spans two lines) and
 * the reason one row-by-row reading gives, in file order; a serial whose
 * first row was refused is not a duplicate; everything else is imported.
 */
static void
reports_bad_codes_of_a_large_file_at_their_lines(void **state)
{
	enum { ROWS = 2000 };
	struct fixture *f = *state;
	struct registry_import_opts opts = { .county = 330825 };
	struct registry_import_result res;
	struct registry_row row;
	struct reject_log log = { .cap = 1 << 16 };
	struct code_key *key;
	uint8_t seed[CODE_SEED_LEN];
	char(*codes)[CODE_MAX_LEN + 1] = calloc(ROWS, CODE_MAX_LEN + 1);
	char serial[32], tampered[CODE_MAX_LEN + 1], text[512], why[256], err[256];
	char *want = calloc(1, 1 << 16);
	unsigned long line = 2;
	size_t want_len = 0;
	FILE *fp;
	int i;

	assert_non_null(codes);
	assert_non_null(want);
	assert_non_null(log.text = calloc(1, log.cap));
	for (i = 0; i < CODE_SEED_LEN; i++)
		seed[i] = (uint8_t)i;
	key = code_key_from_seed(seed, NULL, 0);
	assert_non_null(key);
	for (i = 0; i < ROWS; i++) {
		struct code_record rec = { .county = 330825,
			.model = code_model_by_name("YSP35.5")->id,
			.year = 2019,
			.month = 5,
			.tare_g = 15200,
			.fill_g = 14900 };

		snprintf(rec.serial, sizeof(rec.serial), "T%08d", i);
		assert_int_equal(
		    code_encode(&rec, key, codes[i], CODE_MAX_LEN + 1, err, sizeof(err)), 0);
	}
	/* row 1000's code with one character changed: the reason a single
	 * reading of that row gives is the one the import must give */
	str_copy(tampered, codes[1000], sizeof(tampered));
	tampered[20] = tampered[20] == 'A' ? 'B' : 'A';
	snprintf(text, sizeof(text), "T%08d,YSP35.5,2019-05,15.20,14.90,Co,2022-03-15,active,%s",
	    1000, tampered);
	assert_int_equal(parse_under("serial,model,manufactured,tare_kg,fill_kg,owner,"
	                             "last_inspection,status,code\n",
	                     text, key, &row, why, sizeof(why)),
	    -1);
	assert_non_null(strstr(why, "code refused: "));

	fp = fopen(f->csv_path, "w");
	assert_non_null(fp);
	fprintf(fp,
	    "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status,code\n");
	for (i = 0; i < ROWS; i++, line++) {
		const char *reason = NULL;
		char reason_text[256];

		snprintf(serial, sizeof(serial), "T%08d", i);
		if (i == 255) { /* the last row of a batch */
			large_row(fp, serial, "YSP50", "Co", codes[i]);
			reason =
			    "model 'YSP50' is not one of YSP4.7, YSP12, YSP26.2, YSP35.5, YSP118";
		} else if (i == 256) { /* the first of the next: another row's code */
			large_row(fp, serial, "YSP35.5", "Co", codes[5]);
			reason = "code is for serial T00000005, not this row's";
		} else if (i == 300) { /* a quoted owner over two lines */
			large_row(fp, serial, "YSP35.5", "\"Longyou\nGas\"", codes[i]);
			reason =
			    "owner is longer than 128 bytes, or is not UTF-8 text without control "
			    "characters";
		} else if (i == 1000) { /* the middle: a tampered code */
			large_row(fp, serial, "YSP35.5", "Co", tampered);
			reason = why;
		} else if (i == 1001) { /* a duplicate of an accepted row */
			large_row(fp, "T00000010", "YSP35.5", "Co", codes[10]);
			snprintf(reason_text, sizeof(reason_text),
			    "serial T00000010 appears again (first on line 12)");
			reason = reason_text;
		} else if (i == 1500) { /* row 1000's serial: its first row was refused */
			large_row(fp, "T00001000", "YSP35.5", "Co", codes[1000]);
		} else if (i == ROWS - 1) { /* the very end */
			large_row(fp, serial, "YSP35.5", "Co", "GC1:!!");
			reason = "code refused: damaged code: character '!' at position 5 is not "
			         "allowed";
		} else {
			large_row(fp, serial, "YSP35.5", "Co", codes[i]);
		}
		if (reason != NULL)
			want_len += (size_t)snprintf(want + want_len, (1 << 16) - want_len,
			    "%lu: %s\n", line, reason);
		if (i == 300)
			line++; /* the rows after it start a line further on */
	}
	assert_int_equal(fclose(fp), 0);

	opts.key = key;
	opts.reject = log_reject;
	opts.arg = &log;
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	assert_string_equal(log.text, want);
	assert_int_equal(log.out_of_order, 0);
	assert_int_equal(res.rows, ROWS);
	assert_int_equal(res.rejected, 6);
	assert_int_equal(res.inserted, ROWS - 6);
	assert_int_equal(store_query_int(f->db, "SELECT count(*) FROM cylinders", -1), ROWS - 6);
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(*) FROM cylinders WHERE serial = 'T00001000'"
	                     " AND code LIKE 'GC1:%'",
	                     -1),
	    1);
	code_key_free(key);
	free(codes);
	free(want);
	free(log.text);
}

static void
adds_operators_and_buyers_without_raw_numbers(void **state)
{
	struct fixture *f = *state;
	struct buyer_key key;
	struct buyer_number n;
	char err[256], id[65], id2[65];

	assert_int_equal(registry_operator_add(f->db, "TS-2024-0042", "Wang Fang", "2027-06-30",
	                     err, sizeof(err)),
	    0);
	assert_int_equal(registry_operator_add(f->db, "TS-2024-0042", "Wang Fang", "2028-06-30",
	                     err, sizeof(err)),
	    0);
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(*) FROM operators WHERE expires = "
	                     "'2028-06-30'",
	                     -1),
	    1);
	assert_int_equal(registry_operator_add(f->db, "TS 1", "X", "2027-06-30", err, sizeof(err)),
	    -1);
	assert_int_equal(registry_operator_add(f->db, "TS1", "X", "2027-02-30", err, sizeof(err)),
	    -1);
	assert_int_equal(registry_operator_add(f->db, "TS1", "", "2027-01-30", err, sizeof(err)),
	    -1);

	memset(key.bytes, 0x11, sizeof(key.bytes));
	assert_int_equal(buyer_parse("11010519491231002X", 18, BUYER_ANY, &n, NULL, 0), 0);
	assert_int_equal(
	    registry_buyer_add(f->db, &key, &n, "33082510", "Somewhere", 0, id, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "township"));
	/* a number typed into the address (rev97): refused, not echoed, not kept */
	assert_int_equal(registry_buyer_add(f->db, &key, &n, "330825101",
	                     "No. 1 Long Rd, ID 110105194912310037", 0, id, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "ID number"));
	assert_null(strstr(err, "110105"));
	assert_int_equal(store_query_int(f->db, "SELECT count(*) FROM buyers", -1), 0);
	assert_int_equal(registry_buyer_add(f->db, &key, &n, "330825101", "No. 1 Long Rd", 0, id,
	                     err, sizeof(err)),
	    0);
	assert_string_equal(id, "9dc6f8e7a9fd6247558c1106752ef926f8904ad15c497e0bf6ecec65d86a869c");
	assert_int_equal(registry_buyer_add(f->db, &key, &n, "330825102", "No. 2 Long Rd", 0, id2,
	                     err, sizeof(err)),
	    0);
	assert_string_equal(id, id2);
	/* a delivery company: marked when added so, unmarked when added again
	 * without it */
	assert_int_equal(registry_buyer_add(f->db, &key, &n, "330825102", "No. 2 Long Rd", 1, id2,
	                     err, sizeof(err)),
	    0);
	assert_int_equal(store_query_int(f->db, "SELECT delivery FROM buyers", -1), 1);
	assert_int_equal(registry_buyer_add(f->db, &key, &n, "330825102", "No. 2 Long Rd", 0, id2,
	                     err, sizeof(err)),
	    0);
	assert_int_equal(store_query_int(f->db, "SELECT delivery FROM buyers", -1), 0);
	buyer_number_clear(&n);
	assert_int_equal(
	    store_query_int(f->db,
	        "SELECT count(*) FROM buyers WHERE masked = "
	        "'110***********002X' AND kind = 'household' AND township = '330825102'",
	        -1),
	    1);
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(*) FROM buyers WHERE id || masked "
	                     "|| township || address LIKE '%19491231%'",
	                     -1),
	    0);
}

struct listed {
	char what[4][512];
	int count, stop_after;
};

static int
list_operator(const struct registry_operator *op, void *arg)
{
	struct listed *l = arg;

	snprintf(l->what[l->count++], sizeof(l->what[0]), "%s %s %s %d", op->cert, op->name,
	    op->expires, op->active);
	return l->count == l->stop_after ? -1 : 0;
}

static int
list_buyer(const struct registry_buyer *b, void *arg)
{
	struct listed *l = arg;

	snprintf(l->what[l->count++], sizeof(l->what[0]), "%s %s %s", b->masked, b->kind,
	    b->township);
	return l->count == l->stop_after ? -1 : 0;
}

/* gasctl's listings: operators by certificate, buyers oldest first; the
 * caller may stop the walk. */
/* An operator whose certificate number reads as an identity of the county
 * link would have every life record refused by the county (life.c
 * life_source_check): refused at registration, naming the number, in any
 * case, and nothing written; a number that only holds such a word stays. */
static void
refuses_an_operator_named_like_a_county_identity(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = { "delivery:wang@330825101", "Delivery:wang@330825101", "station:S01",
		"TOWNSHIP:330825101", "officer:li@330825101", "grid:x", "regulator:county" };
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(registry_operator_add(f->db, bad[i], "Wang Fang", "2027-06-30",
		                     err, sizeof(err)),
		    -1);
		if (strstr(err, bad[i]) == NULL ||
		    strstr(err, "identity of the county link") == NULL)
			fail_msg("%s: %s", bad[i], err);
	}
	assert_int_equal(store_query_int(f->db, "SELECT count(*) FROM operators", -1), 0);
	assert_int_equal(registry_operator_add(f->db, "TS-delivery:1", "Wang Fang", "2027-06-30",
	                     err, sizeof(err)),
	    0);
	assert_int_equal(store_query_int(f->db, "SELECT count(*) FROM operators", -1), 1);
}

static void
lists_operators_and_buyers_in_order(void **state)
{
	struct fixture *f = *state;
	struct listed l;
	struct buyer_key key;
	struct buyer_number n;
	char err[256];

	assert_int_equal(
	    registry_operator_add(f->db, "TS-B", "Li Lei", "2027-06-30", err, sizeof(err)), 0);
	assert_int_equal(
	    registry_operator_add(f->db, "TS-A", "Wang Fang", "2026-01-31", err, sizeof(err)), 0);
	memset(&l, 0, sizeof(l));
	assert_int_equal(registry_operators_list(f->db, list_operator, &l, err, sizeof(err)), 0);
	assert_int_equal(l.count, 2);
	assert_string_equal(l.what[0], "TS-A Wang Fang 2026-01-31 1");
	assert_string_equal(l.what[1], "TS-B Li Lei 2027-06-30 1");
	memset(&l, 0, sizeof(l));
	l.stop_after = 1;
	assert_int_equal(registry_operators_list(f->db, list_operator, &l, err, sizeof(err)), 0);
	assert_int_equal(l.count, 1);

	memset(key.bytes, 0x11, sizeof(key.bytes));
	assert_int_equal(buyer_parse("11010519491231002X", 18, BUYER_ANY, &n, NULL, 0), 0);
	assert_int_equal(
	    registry_buyer_add(f->db, &key, &n, "330825102", "", 0, NULL, err, sizeof(err)), 0);
	buyer_number_clear(&n);
	assert_int_equal(store_exec(f->db, "UPDATE buyers SET created_ms = 2000", err, sizeof(err)),
	    0);
	assert_int_equal(store_exec(f->db,
	                     "INSERT INTO buyers (id, masked, kind, township, created_ms) VALUES"
	                     " ('ff', '913***********0001', 'business', '330825101', 1000)",
	                     err, sizeof(err)),
	    0);
	memset(&l, 0, sizeof(l));
	assert_int_equal(registry_buyers_list(f->db, list_buyer, &l, err, sizeof(err)), 0);
	assert_int_equal(l.count, 2);
	assert_string_equal(l.what[0], "913***********0001 business 330825101");
	assert_string_equal(l.what[1], "110***********002X household 330825102");
}

/* An operator's certificate number is held to what a fill line keeps and
 * the control protocol takes (one limit, REGISTRY_CERT_MAX): a number the
 * registry accepts can always log in, whole. */
static void
certificate_numbers_fit_what_a_line_keeps(void **state)
{
	struct fixture *f = *state;
	struct registry_operator op;
	char err[256], cert[REGISTRY_CERT_MAX + 2];

	memset(cert, 'C', sizeof(cert) - 1);
	cert[sizeof(cert) - 1] = '\0';
	assert_int_equal(strlen(cert), REGISTRY_CERT_MAX + 1);
	assert_int_equal(
	    registry_operator_add(f->db, cert, "Too Long", "2027-06-30", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "1 to 63"));
	cert[REGISTRY_CERT_MAX] = '\0';
	assert_int_equal(
	    registry_operator_add(f->db, cert, "Just Fits", "2027-06-30", err, sizeof(err)), 0);
	assert_int_equal(registry_operator_find(f->db, cert, &op, err, sizeof(err)), STORE_FOUND);
	assert_string_equal(op.cert, cert);
}

static void
finds_cylinders_operators_and_buyers(void **state)
{
	struct fixture *f = *state;
	struct registry_cylinder cyl;
	struct registry_operator op;
	struct registry_buyer buyer, seen;
	struct buyer_key key;
	struct buyer_number n;
	char err[256], id[65];

	write_csv(f, "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n"
	             "D1,YSP118,2019-05,48.5,49.5,Longyou Gas,2022-03-15,scrapped\n"
	             "D2,YSP12,2020-05,6.1,5,Co,,active\n");
	assert_int_equal(registry_import(f->db, f->csv_path, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(registry_cylinder_find(f->db, "D1", &cyl, err, sizeof(err)), STORE_FOUND);
	assert_string_equal(cyl.model, "YSP118");
	assert_string_equal(cyl.manufactured, "2019-05-01");
	assert_true(cyl.tare_kg == 48.5 && cyl.fill_kg == 49.5);
	assert_string_equal(cyl.owner, "Longyou Gas");
	assert_string_equal(cyl.last_inspection, "2022-03-15");
	assert_string_equal(cyl.next_inspection, "2026-03-15");
	assert_string_equal(cyl.status, "scrapped");
	assert_string_equal(cyl.code, "");
	assert_int_equal(registry_cylinder_find(f->db, "D2", &cyl, err, sizeof(err)), STORE_FOUND);
	assert_string_equal(cyl.last_inspection, "");
	assert_int_equal(registry_cylinder_find(f->db, "D3", &cyl, err, sizeof(err)),
	    STORE_NOT_FOUND);
	assert_string_equal(cyl.serial, "");

	assert_int_equal(
	    registry_operator_add(f->db, "TS-9", "Li Lei", "2027-06-30", err, sizeof(err)), 0);
	assert_int_equal(registry_operator_find(f->db, "TS-9", &op, err, sizeof(err)), STORE_FOUND);
	assert_string_equal(op.name, "Li Lei");
	assert_string_equal(op.expires, "2027-06-30");
	assert_int_equal(op.active, 1);
	assert_int_equal(registry_operator_find(f->db, "TS-10", &op, err, sizeof(err)),
	    STORE_NOT_FOUND);

	memset(key.bytes, 7, sizeof(key.bytes));
	assert_int_equal(buyer_parse("91350100M000100Y43", 18, BUYER_ANY, &n, NULL, 0), 0);
	assert_int_equal(
	    registry_buyer_add(f->db, &key, &n, "330825101", "Depot 3", 0, id, err, sizeof(err)),
	    0);
	assert_int_equal(registry_buyer_find(f->db, id, &buyer, err, sizeof(err)), STORE_FOUND);
	assert_string_equal(buyer.masked, "913***********0Y43");
	assert_string_equal(buyer.kind, "business");
	assert_string_equal(buyer.township, "330825101");
	assert_string_equal(buyer.address, "Depot 3");
	assert_int_equal(registry_buyer_find(f->db, "00", &buyer, err, sizeof(err)),
	    STORE_NOT_FOUND);

	/* a buyer first seen at the counter: inserted once, an existing row kept */
	memset(&seen, 0, sizeof(seen));
	str_copy(seen.id, id, sizeof(seen.id));
	str_copy(seen.masked, "913***********0Y43", sizeof(seen.masked));
	str_copy(seen.kind, "business", sizeof(seen.kind));
	str_copy(seen.township, "330825999", sizeof(seen.township));
	assert_int_equal(registry_buyer_ensure(f->db, &seen, 1, err, sizeof(err)), 0);
	assert_int_equal(registry_buyer_find(f->db, id, &buyer, err, sizeof(err)), STORE_FOUND);
	assert_string_equal(buyer.township, "330825101");
	str_copy(seen.id, "ab", sizeof(seen.id));
	assert_int_equal(registry_buyer_ensure(f->db, &seen, 1, err, sizeof(err)), 0);
	assert_int_equal(registry_buyer_find(f->db, "ab", &buyer, err, sizeof(err)), STORE_FOUND);
	assert_string_equal(buyer.township, "330825999");
	assert_string_equal(buyer.address, "");
}

/* ---- registry deltas from the county ------------------------------------------ */

static void
delta_row(struct wire_registry_row *r, const char *serial, const char *status, const char *next,
    int64_t version)
{
	memset(r, 0, sizeof(*r));
	str_copy(r->serial, serial, sizeof(r->serial));
	str_copy(r->status, status, sizeof(r->status));
	str_copy(r->last_inspection, "2024-06-01", sizeof(r->last_inspection));
	str_copy(r->next_inspection, next, sizeof(r->next_inspection));
	r->version = version;
}

/* C1, active, held by this station */
static void
held_cylinder(struct fixture *f)
{
	char err[256];

	assert_int_equal(store_exec(f->db,
	                     "INSERT INTO cylinders (serial, model, manufactured, tare_kg, fill_kg,"
	                     " owner, status, updated_ms) VALUES ('C1', 'YSP35.5', '2024-01-01',"
	                     " 15.2, 14.9, 'Longyou Gas', 'active', 0)",
	                     err, sizeof(err)),
	    0);
}

/*
 * A file does not bring back a cylinder the station's copy holds scrapped
 * (a file older than the scrap, as at the county): the rest of its row is
 * taken, the line is named among the rejected ones in file order and
 * counted, and the import writes nothing of the county's pull (pulled_*).
 * Only the county's pull, or registry_reinstate at a station with no
 * county, brings it back; the reinstatement keeps who, when and why.
 */
static void
an_import_keeps_a_scrapped_cylinder_scrapped(void **state)
{
	struct fixture *f = *state;
	struct registry_import_opts opts = { .reject = on_reject, .arg = f };
	struct registry_import_result res;
	struct wire_registry_row rows[1];
	struct wire_registry delta = { .version = 7, .count = 1, .rows = rows };
	struct registry_reinstatement r = { .serial = "K2",
		.actor = "OP-1",
		.login = "root",
		.reason = "scrapped by mistake",
		.lifts_id = -1,
		.now_ms = 1234 };
	char err[256], was[16];
	size_t unknown;

	write_csv(f, "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n"
	             "K1,YSP35.5,2019-05,15.2,14.9,Co,2022-03-15,active\n"
	             "K2,YSP35.5,2019-05,15.2,14.9,Co,2022-03-15,scrapped\n"
	             "K3,YSP35.5,2019-05,15.2,14.9,Co,2022-03-15,scrapped\n");
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	assert_int_equal(res.kept_scrapped, 0);
	/* the company's older file: all active, a new owner, a bad row between */
	write_csv(f, "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n"
	             "K1,YSP35.5,2019-05,15.2,14.9,New Co,2022-03-15,active\n"
	             "K2,YSP35.5,2019-05,15.2,14.9,New Co,2022-03-15,active\n"
	             "K4,YSP50,2019-05,15.2,14.9,New Co,,active\n"
	             "K3,YSP35.5,2019-05,15.2,14.9,Co,2022-03-15,retired\n");
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	assert_int_equal(res.rows, 4);
	assert_int_equal(res.rejected, 1);
	assert_int_equal(res.kept_scrapped, 2);
	assert_int_equal(res.updated, 2); /* K1's and K2's owner */
	assert_int_equal(res.unchanged, 1);
	assert_string_equal(f->rejects,
	    "3: K2 is scrapped in the station's registry and stays so (the file says active); "
	    "the rest of the row is taken: only the county's registry, or gasctl registry "
	    "reinstate at a station with no county, brings it back\n"
	    "4: model 'YSP50' is not one of YSP4.7, YSP12, YSP26.2, YSP35.5, YSP118\n"
	    "5: K3 is scrapped in the station's registry and stays so (the file says retired); "
	    "the rest of the row is taken: only the county's registry, or gasctl registry "
	    "reinstate at a station with no county, brings it back\n");
	assert_int_equal(store_query_int(f->db,
	                     "SELECT group_concat(serial || ' ' || status || ' ' || owner, ', ')"
	                     " = 'K1 active New Co, K2 scrapped New Co, K3 scrapped Co' FROM"
	                     " (SELECT * FROM cylinders ORDER BY serial)",
	                     -1),
	    1);
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(*) FROM cylinders WHERE pulled_ms IS NOT NULL"
	                     " OR pulled_status IS NOT NULL",
	                     -1),
	    0);

	/* a reinstatement: a registered operator, a reason a person can keep */
	assert_int_equal(
	    registry_operator_add(f->db, "OP-1", "Wang", "2099-01-01", err, sizeof(err)), 0);
	r.actor = "OP-9";
	assert_int_equal(registry_reinstate(f->db, &r, was, sizeof(was), err, sizeof(err)), -1);
	assert_string_equal(err, "operator certificate OP-9 is not registered at this station");
	/* a certificate past its date may not, as it may not fill */
	assert_int_equal(
	    registry_operator_add(f->db, "OP-OLD", "Li", "2020-01-01", err, sizeof(err)), 0);
	r.actor = "OP-OLD";
	r.serial = "K2";
	assert_int_equal(registry_reinstate(f->db, &r, was, sizeof(was), err, sizeof(err)), -1);
	assert_string_equal(err, "operator certificate OP-OLD expired on 2020-01-01");
	r.actor = "OP-1";
	r.reason = "ID 11010519491231002X";
	assert_int_equal(registry_reinstate(f->db, &r, was, sizeof(was), err, sizeof(err)), -1);
	r.reason = "";
	assert_int_equal(registry_reinstate(f->db, &r, was, sizeof(was), err, sizeof(err)), -1);
	r.reason = "scrapped by mistake";
	r.serial = "K9";
	assert_int_equal(registry_reinstate(f->db, &r, was, sizeof(was), err, sizeof(err)), -1);
	r.serial = "K1"; /* active, no stop given: nothing to undo, nothing written */
	assert_int_equal(registry_reinstate(f->db, &r, was, sizeof(was), err, sizeof(err)), 0);
	assert_string_equal(was, "active");
	assert_int_equal(store_query_int(f->db, "SELECT count(*) FROM reinstatements", -1), 0);
	assert_int_equal(registry_county_pulled(f->db), 0);
	r.serial = "K2";
	assert_int_equal(registry_reinstate(f->db, &r, was, sizeof(was), err, sizeof(err)), 1);
	assert_string_equal(was, "scrapped");
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(*) FROM reinstatements WHERE serial = 'K2' AND"
	                     " actor = 'OP-1' AND login = 'root' AND reason = 'scrapped by mistake'"
	                     " AND was_status = 'scrapped' AND lifts_id IS NULL AND at_ms = 1234",
	                     -1),
	    1);
	assert_int_equal(store_query_int(f->db,
	                     "SELECT status = 'active' FROM cylinders WHERE serial = 'K2'", -1),
	    1);

	/* the county's pull brings K3 back and says so in pulled_* */
	delta_row(&rows[0], "K3", "active", "2026-03-15", 7);
	assert_int_equal(registry_apply_delta(f->db, &delta, &unknown, err, sizeof(err)), 0);
	assert_int_equal(store_query_int(f->db,
	                     "SELECT status = 'active' AND pulled_status = 'active' AND"
	                     " pulled_ms = updated_ms FROM cylinders WHERE serial = 'K3'",
	                     -1),
	    1);
	assert_int_equal(registry_county_pulled(f->db), 1);
}

/*
 * The rows are told only once the import's outcome is known, never under
 * its transaction: a row kept scrapped only by an import that committed;
 * of one that failed (here a later row the database refuses), only the
 * rows found wrong, each marked as of an import that brought nothing in.
 * Before 7 Dec 2026 both were told inside the transaction, before the
 * upsert: "K2 ... stays so" of an import then rolled back.
 */
static void
a_failed_import_tells_no_row_kept_scrapped(void **state)
{
	struct fixture *f = *state;
	struct registry_import_opts opts = { .reject = on_reject, .arg = f };
	struct registry_import_result res;
	char err[256];

	write_csv(f, "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n"
	             "K2,YSP35.5,2019-05,15.2,14.9,Co,2022-03-15,scrapped\n");
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	assert_int_equal(
	    store_exec(f->db,
	        "CREATE TEMP TRIGGER boom BEFORE INSERT ON cylinders "
	        "WHEN NEW.serial = 'K9' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
	        err, sizeof(err)),
	    0);
	write_csv(f, "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n"
	             "K2,YSP35.5,2019-05,15.2,14.9,New Co,2022-03-15,active\n"
	             "K4,YSP50,2019-05,15.2,14.9,New Co,,active\n"
	             "K9,YSP35.5,2019-05,15.2,14.9,New Co,2022-03-15,active\n");
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":4: database refused the row: disk on fire"));
	assert_string_equal(f->rejects,
	    "not imported 3: model 'YSP50' is not one of YSP4.7, YSP12, YSP26.2, YSP35.5, "
	    "YSP118\n");
	assert_int_equal(f->told_in_transaction, 0);
	assert_int_equal(
	    store_query_int(f->db, "SELECT count(*) FROM cylinders WHERE owner = 'New Co'", -1), 0);

	/* the same file once the database takes it: both told, in file order, after the commit */
	assert_int_equal(store_exec(f->db, "DROP TRIGGER boom", err, sizeof(err)), 0);
	f->rejects[0] = '\0';
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	assert_int_equal(res.kept_scrapped, 1);
	assert_string_equal(f->rejects,
	    "2: K2 is scrapped in the station's registry and stays so (the file says active); "
	    "the rest of the row is taken: only the county's registry, or gasctl registry "
	    "reinstate at a station with no county, brings it back\n"
	    "3: model 'YSP50' is not one of YSP4.7, YSP12, YSP26.2, YSP35.5, YSP118\n");
	assert_int_equal(f->told_in_transaction, 0);
}

static void
applies_a_delta_to_held_cylinders_only(void **state)
{
	struct fixture *f = *state;
	struct wire_registry_row rows[2];
	struct wire_registry delta = { .version = 42, .count = 2, .rows = rows };
	struct registry_cylinder c;
	char err[256];
	size_t unknown = 99;

	held_cylinder(f);
	delta_row(&rows[0], "C1", "scrapped", "2028-06-01", 41);
	delta_row(&rows[1], "NOT-HELD", "active", "", 42);
	assert_int_equal(registry_apply_delta(f->db, &delta, &unknown, err, sizeof(err)), 0);
	assert_int_equal(unknown, 1);
	assert_int_equal(registry_cylinder_find(f->db, "C1", &c, err, sizeof(err)), 1);
	assert_string_equal(c.status, "scrapped");
	assert_string_equal(c.next_inspection, "2028-06-01");
	assert_string_equal(c.owner, "Longyou Gas"); /* an empty owner keeps it */
	assert_int_equal(c.registry_version, 41);
	assert_int_equal(registry_cylinder_find(f->db, "NOT-HELD", &c, err, sizeof(err)), 0);
	assert_int_equal(
	    store_query_int(f->db,
	        "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'registry_version'", 0),
	    42);
}

static void
refuses_a_whole_delta_for_one_bad_row(void **state)
{
	static const struct {
		const char *name, *serial, *status, *next, *reason;
	} bad[] = {
		{ "unknown status", "C1", "stolen", "", "unknown status" },
		{ "date not a date", "C1", "active", "2028-13-40", "not YYYY-MM-DD" },
		{ "date of a month only", "C1", "active", "2028-06", "not YYYY-MM-DD" },
		{ "empty serial", "", "active", "", "serial is empty" },
		{ "serial with a newline", "C\n1", "active", "", "control characters" },
		{ NULL, NULL, NULL, NULL, NULL },
	};
	struct fixture *f = *state;
	struct wire_registry_row rows[2];
	struct wire_registry delta = { .version = 9, .count = 2, .rows = rows };
	struct registry_cylinder c;
	char err[256];
	size_t unknown, i;

	held_cylinder(f);
	for (i = 0; bad[i].name != NULL; i++) {
		/* a good row first: it must not be applied either */
		delta_row(&rows[0], "C1", "scrapped", "", 8);
		delta_row(&rows[1], bad[i].serial, bad[i].status, bad[i].next, 9);
		err[0] = '\0';
		if (registry_apply_delta(f->db, &delta, &unknown, err, sizeof(err)) != -1 ||
		    strstr(err, bad[i].reason) == NULL)
			fail_msg("case %zu (%s): '%s'", i, bad[i].name, err);
		assert_int_equal(registry_cylinder_find(f->db, "C1", &c, err, sizeof(err)), 1);
		assert_string_equal(c.status, "active");
		assert_int_equal(store_query_int(f->db,
		                     "SELECT count(*) FROM meta WHERE key = 'registry_version'",
		                     -1),
		    0);
	}
	/* a field that fills its whole array is not text */
	delta_row(&rows[0], "C1", "scrapped", "", 8);
	memset(rows[1].owner, 'x', sizeof(rows[1].owner));
	assert_int_equal(registry_apply_delta(f->db, &delta, &unknown, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not text"));
}

/* The company's file of C-9, C-8, C-6 and C-5, all active, last inspected
 * 2024-06-01 (C-5 on 2025-09-01). */
static const char company_file[] =
    "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n"
    "C-9,YSP35.5,2019-05,15.2,14.9,Longyou Gas,2024-06-01,active\n"
    "C-8,YSP35.5,2019-05,15.2,14.9,Longyou Gas,2024-06-01,active\n"
    "C-6,YSP35.5,2019-05,15.2,14.9,Longyou Gas,2024-06-01,scrapped\n"
    "C-5,YSP35.5,2019-05,15.2,14.9,Longyou Gas,2025-09-01,active\n";

/*
 * rev95 F1: a station joins the county (its first pull, nothing held yet),
 * then its administrator imports the gas company's file, older than the
 * county's word.  The pull's version moves past the rows (the county will
 * not serve them again), so the station keeps them until the import adds
 * the cylinders: C-9 the county scrapped stays scrapped (R04), C-8 it
 * retired stays retired, with the county's later inspection; the file may
 * still make one stricter (C-6) or bring a later inspection (C-5).  Before,
 * all four came in as the file said: C-9 and C-8 active, the valve open.
 */
static void
a_county_scrap_pulled_before_the_import_stays(void **state)
{
	struct fixture *f = *state;
	struct wire_registry_row rows[4];
	struct wire_registry delta = { .version = 10, .count = 4, .rows = rows };
	struct registry_import_opts opts = { .reject = on_reject, .arg = f };
	struct registry_import_result res;
	struct registry_cylinder c;
	char err[256];
	size_t unknown = 0;

	delta_row(&rows[0], "C-9", "scrapped", "2028-06-01", 9);
	delta_row(&rows[1], "C-8", "retired", "2029-03-01", 10);
	str_copy(rows[1].last_inspection, "2025-03-01", sizeof(rows[1].last_inspection));
	str_copy(rows[1].owner, "Jiangshan Gas", sizeof(rows[1].owner));
	delta_row(&rows[2], "C-6", "active", "2028-06-01", 7);
	delta_row(&rows[3], "C-5", "active", "2028-06-01", 8);
	assert_int_equal(registry_apply_delta(f->db, &delta, &unknown, err, sizeof(err)), 0);
	assert_int_equal(unknown, 4);
	assert_int_equal(registry_version_held(f->db), 10);
	assert_int_equal(registry_cylinder_find(f->db, "C-9", &c, err, sizeof(err)), 0);

	write_csv(f, company_file);
	opts.registry_version = registry_version_held(f->db);
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	assert_int_equal(res.inserted, 4);
	assert_int_equal(res.kept_county, 2);
	assert_int_equal(res.kept_scrapped, 0);
	assert_string_equal(f->rejects,
	    "2: C-9 is scrapped in the county's registry and stays so (the file says active); "
	    "the rest of the row is taken: a file does not loosen the county's word\n"
	    "3: C-8 is retired in the county's registry and stays so (the file says active); "
	    "the rest of the row is taken: a file does not loosen the county's word\n");
	assert_int_equal(registry_cylinder_find(f->db, "C-9", &c, err, sizeof(err)), 1);
	assert_string_equal(c.status, "scrapped");
	assert_int_equal(c.registry_version, 9);
	assert_int_equal(registry_cylinder_find(f->db, "C-8", &c, err, sizeof(err)), 1);
	assert_string_equal(c.status, "retired");
	assert_string_equal(c.last_inspection, "2025-03-01"); /* the county's, later */
	assert_string_equal(c.next_inspection, "2029-03-01");
	assert_string_equal(c.owner, "Jiangshan Gas");
	assert_string_equal(c.model, "YSP35.5"); /* the rest from the file */
	assert_int_equal(registry_cylinder_find(f->db, "C-6", &c, err, sizeof(err)), 1);
	assert_string_equal(c.status, "scrapped"); /* stricter than the county's */
	assert_int_equal(registry_cylinder_find(f->db, "C-5", &c, err, sizeof(err)), 1);
	assert_string_equal(c.status, "active");
	assert_string_equal(c.last_inspection, "2025-09-01"); /* the file's, later */
	assert_string_equal(c.next_inspection, "2029-09-01");
	/* noted as the county's word, pulled when the pull came; nothing waits */
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(*) FROM cylinders WHERE pulled_ms > 0 AND"
	                     " pulled_status IS status",
	                     -1),
	    3);
	assert_int_equal(store_query_int(f->db, "SELECT count(*) FROM registry_waiting", -1), 0);

	/* the same file again changes nothing */
	f->rejects[0] = '\0';
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	assert_int_equal(res.kept_scrapped, 1);
	assert_int_equal(res.kept_county, 1);
	assert_non_null(strstr(f->rejects, "2: C-9 is scrapped in the station's registry"));
	assert_non_null(strstr(f->rejects, "3: C-8 is retired in the county's registry"));
	assert_int_equal(registry_cylinder_find(f->db, "C-8", &c, err, sizeof(err)), 1);
	assert_string_equal(c.status, "retired");
	assert_string_equal(c.last_inspection, "2025-03-01");
	assert_string_equal(c.next_inspection, "2029-03-01");
	assert_int_equal(registry_cylinder_find(f->db, "C-9", &c, err, sizeof(err)), 1);
	assert_string_equal(c.status, "scrapped");
}

/* A file older than the county's pull of a cylinder the station holds does
 * not move its inspection dates back (before, every import of the company's
 * file wrote its own); a later inspection in a file is taken. */
static void
an_older_file_keeps_the_county_s_inspection(void **state)
{
	struct fixture *f = *state;
	struct wire_registry_row rows[1];
	struct wire_registry delta = { .version = 5, .count = 1, .rows = rows };
	struct registry_import_opts opts = { 0 };
	struct registry_import_result res;
	struct registry_cylinder c;
	char err[256];
	size_t unknown = 0;

	write_csv(f, "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n"
	             "C-7,YSP35.5,2019-05,15.2,14.9,Longyou Gas,2024-06-01,active\n");
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	delta_row(&rows[0], "C-7", "active", "2029-03-01", 5);
	str_copy(rows[0].last_inspection, "2025-03-01", sizeof(rows[0].last_inspection));
	assert_int_equal(registry_apply_delta(f->db, &delta, &unknown, err, sizeof(err)), 0);

	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	assert_int_equal(registry_cylinder_find(f->db, "C-7", &c, err, sizeof(err)), 1);
	assert_string_equal(c.last_inspection, "2025-03-01");
	assert_string_equal(c.next_inspection, "2029-03-01");

	write_csv(f, "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n"
	             "C-7,YSP35.5,2019-05,15.2,14.9,Longyou Gas,2025-09-01,active\n");
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	assert_int_equal(registry_cylinder_find(f->db, "C-7", &c, err, sizeof(err)), 1);
	assert_string_equal(c.last_inspection, "2025-09-01");
	assert_string_equal(c.next_inspection, "2029-09-01");
}

/* A folder of the case's own for a database made by older migrations. */
static int
migration_setup(void **state)
{
	return fixture_dir_setup(state, "test_registry_mig");
}

/* A pull keeps the county's newest word for a cylinder not held, and only
 * when its delta commits. */
static void
a_pull_keeps_the_newest_word_for_a_cylinder_not_held(void **state)
{
	struct fixture *f = *state;
	struct wire_registry_row rows[2];
	struct wire_registry delta = { .version = 5, .count = 1, .rows = rows };
	char err[256];
	size_t unknown = 0;

	delta_row(&rows[0], "C-4", "scrapped", "2028-06-01", 5);
	assert_int_equal(registry_apply_delta(f->db, &delta, &unknown, err, sizeof(err)), 0);
	/* an older row (a delta served again) does not overwrite it */
	delta_row(&rows[0], "C-4", "active", "2028-06-01", 3);
	assert_int_equal(registry_apply_delta(f->db, &delta, &unknown, err, sizeof(err)), 0);
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(*) FROM registry_waiting WHERE serial = 'C-4' AND"
	                     " status = 'scrapped' AND registry_version = 5 AND owner IS NULL",
	                     -1),
	    1);
	/* a newer one does; a refused delta keeps nothing of its rows */
	delta_row(&rows[0], "C-4", "active", "2028-06-01", 6);
	delta_row(&rows[1], "C-3", "stolen", "", 6);
	delta.count = 2;
	assert_int_equal(registry_apply_delta(f->db, &delta, &unknown, err, sizeof(err)), -1);
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(*) FROM registry_waiting WHERE status = 'scrapped'", -1),
	    1);
	delta.count = 1;
	assert_int_equal(registry_apply_delta(f->db, &delta, &unknown, err, sizeof(err)), 0);
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(*) FROM registry_waiting WHERE status = 'active'", -1),
	    1);
}

/* rev95 F1: the county retired C-7, the pull wrote it; the company's older
 * file, saying active, leaves it retired (before, only 'scrapped' was kept
 * and C-7 filled again).  Once the county says active again, the file's
 * active stands. */
static void
an_import_does_not_undo_a_county_retirement(void **state)
{
	struct fixture *f = *state;
	struct wire_registry_row rows[1];
	struct wire_registry delta = { .version = 5, .count = 1, .rows = rows };
	struct registry_import_opts opts = { 0 };
	struct registry_import_result res;
	struct registry_cylinder c;
	char err[256];
	size_t unknown = 0;

	write_csv(f, "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n"
	             "C-7,YSP35.5,2019-05,15.2,14.9,Longyou Gas,2024-06-01,active\n");
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	delta_row(&rows[0], "C-7", "retired", "2028-06-01", 5);
	assert_int_equal(registry_apply_delta(f->db, &delta, &unknown, err, sizeof(err)), 0);
	assert_int_equal(registry_cylinder_find(f->db, "C-7", &c, err, sizeof(err)), 1);
	assert_string_equal(c.status, "retired");

	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	assert_int_equal(registry_cylinder_find(f->db, "C-7", &c, err, sizeof(err)), 1);
	assert_string_equal(c.status, "retired");

	delta_row(&rows[0], "C-7", "active", "2028-06-01", 6);
	delta.version = 6;
	assert_int_equal(registry_apply_delta(f->db, &delta, &unknown, err, sizeof(err)), 0);
	write_csv(f, "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status\n"
	             "C-7,YSP35.5,2019-05,15.2,14.9,Longyou Gas,2024-06-01,retired\n");
	assert_int_equal(registry_import(f->db, f->csv_path, &opts, &res, err, sizeof(err)), 0);
	assert_int_equal(registry_cylinder_find(f->db, "C-7", &c, err, sizeof(err)), 1);
	assert_string_equal(c.status, "retired"); /* a file may make it stricter */
}

/* Migration 011 on a station made at version 10: its cylinders kept, the
 * table of the county's waiting word there and empty, and a pull keeps a
 * row in it. */
static void
migration_adds_the_waiting_table(void **state)
{
	const char *dir = *state;
	struct store_migration upto10[16];
	struct wire_registry_row rows[1];
	struct wire_registry delta = { .version = 2, .count = 1, .rows = rows };
	char path[128], err[256];
	size_t unknown = 0;
	sqlite3 *db;

	assert_int_equal(fixture_schema_upto(schema_station, 10, upto10, 16), 0);
	snprintf(path, sizeof(path), "%s/station.db", dir);
	if (store_open(path, upto10, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(store_exec(db,
	                     "INSERT INTO cylinders (serial, model, manufactured, tare_kg, fill_kg,"
	                     " owner, status, updated_ms) VALUES ('C1', 'YSP35.5', '2024-01-01',"
	                     " 15.2, 14.9, 'Longyou Gas', 'active', 0)",
	                     err, sizeof(err)),
	    0);
	store_close(db);
	if (store_open(path, schema_station, 0, &db, err, sizeof(err)) == -1)
		fail_msg("%s", err);
	assert_int_equal(store_user_version(db), 12);
	assert_int_equal(store_query_int(db, "SELECT count(*) FROM cylinders", -1), 1);
	assert_int_equal(store_query_int(db, "SELECT count(*) FROM registry_waiting", -1), 0);
	delta_row(&rows[0], "C2", "scrapped", "", 2);
	assert_int_equal(registry_apply_delta(db, &delta, &unknown, err, sizeof(err)), 0);
	assert_int_equal(store_query_int(db, "SELECT count(*) FROM registry_waiting", -1), 1);
	store_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_a_valid_row),
		cmocka_unit_test(refuses_bad_rows_with_the_reason),
		cmocka_unit_test(refuses_nul_bytes_hidden_in_fields),
		cmocka_unit_test(refuses_headers_without_required_columns),
		cmocka_unit_test(next_inspection_is_one_cycle_after_the_last),
		cmocka_unit_test_setup_teardown(imports_valid_rows_and_reports_rejected_lines,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(reimport_changes_nothing_and_updates_changed_rows,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(failed_transaction_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(a_database_that_will_not_take_it_is_named, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(stages_rows_without_locking_the_station, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(refuses_file_without_header_or_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(verifies_codes_against_the_key, setup, teardown),
		cmocka_unit_test_setup_teardown(reports_bad_codes_of_a_large_file_at_their_lines,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(adds_operators_and_buyers_without_raw_numbers,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_an_operator_named_like_a_county_identity,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(lists_operators_and_buyers_in_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(certificate_numbers_fit_what_a_line_keeps, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(finds_cylinders_operators_and_buyers, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(an_import_keeps_a_scrapped_cylinder_scrapped, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_failed_import_tells_no_row_kept_scrapped, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(applies_a_delta_to_held_cylinders_only, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_county_scrap_pulled_before_the_import_stays,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_pull_keeps_the_newest_word_for_a_cylinder_not_held, setup, teardown),
		cmocka_unit_test_setup_teardown(an_import_does_not_undo_a_county_retirement, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(an_older_file_keeps_the_county_s_inspection, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(migration_adds_the_waiting_table, migration_setup,
		    fixture_dir_teardown),
		cmocka_unit_test_setup_teardown(refuses_a_whole_delta_for_one_bad_row, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
