/*
 * store_workload: drives the station database through the transactions a
 * fill makes (start row committed before the valve opens; then the fill,
 * its violation and its outbox row in one transaction), printing each
 * commit only after it returned.  Run with the fault shim and
 * GAS_TEST_FAULT (tests/shim/faultvfs.c) by
 * tests/integration/t_store_faults.sh, which then runs `verify`.
 *
 *   store_workload run DB FILLS     perform FILLS fills
 *   store_workload run-weak-sync DB FILLS   the same with synchronous=NORMAL
 *   store_workload verify DB LOG    check the database against the printed log
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "util.h"

static int
exec_or_report(sqlite3 *db, const char *sql)
{
	char err[256];

	if (store_exec(db, sql, err, sizeof(err)) == -1) {
		fprintf(stderr, "store_workload: %s\n", err);
		return -1;
	}
	return 0;
}

static int
run(const char *path, int fills, int weak_sync)
{
	char err[512], sql[1024];
	sqlite3 *db;

	if (store_open(path, schema_station, 0, &db, err, sizeof(err)) == -1) {
		fprintf(stderr, "store_workload: %s\n", err);
		return 1;
	}
	/* The negative control: what the durability test must catch. */
	if (weak_sync && exec_or_report(db, "PRAGMA synchronous = NORMAL") == -1)
		return 1;
	if (exec_or_report(db,
	        "INSERT OR IGNORE INTO cylinders (serial, model, manufactured,"
	        " tare_kg, fill_kg, owner, updated_ms) VALUES ('C1', 'YSP35.5', '2020-01-01',"
	        " 15.0, 14.9, 'Acme', 0)") == -1)
		return 1;
	for (int i = 0; i < fills; i++) {
		char uuid[37];

		store_uuid(uuid);
		if (store_begin(db, err, sizeof(err)) == -1)
			goto failed;
		snprintf(sql, sizeof(sql),
		    "INSERT INTO fills (uuid, station, line, cylinder,"
		    " started_ms, tare_kg, target_kg) VALUES ('%s', 's1', 1, 'C1', %d, 15.0, 14.9)",
		    uuid, i);
		if (store_exec(db, sql, err, sizeof(err)) == -1 ||
		    store_commit(db, err, sizeof(err)) == -1) {
			store_rollback(db);
			goto failed;
		}
		printf("started %s\n", uuid);
		fflush(stdout);
		if (store_begin(db, err, sizeof(err)) == -1)
			goto failed;
		snprintf(sql, sizeof(sql),
		    "UPDATE fills SET result = 'flagged', ended_ms = %d, gross_kg = 29.5,"
		    " net_kg = 14.5 WHERE uuid = '%s';"
		    "INSERT INTO violations (uuid, event, rule, severity, township, fill, details,"
		    " at_ms) VALUES (lower(hex(randomblob(16))), '%s', 'R21', 'flag', 't1', '%s',"
		    " 'short weight', %d);"
		    "INSERT INTO outbox (uuid, kind, created_ms) VALUES ('%s', 'fill', %d);",
		    i, uuid, uuid, uuid, i, uuid, i);
		if (store_exec(db, sql, err, sizeof(err)) == -1 ||
		    store_commit(db, err, sizeof(err)) == -1) {
			store_rollback(db);
			goto failed;
		}
		printf("committed %s\n", uuid);
		fflush(stdout);
	}
	store_close(db);
	return 0;
failed:
	printf("failed %s\n", err);
	fflush(stdout);
	store_close(db);
	return 1;
}

/* The invariants, whatever happened: a finished fill has exactly its one
 * violation and one outbox row; a started one has neither; outbox seqs are
 * 1..n without gaps; and every fill the log says committed is there. */
static int
verify(const char *path, const char *log_path)
{
	char err[512], line[256];
	sqlite3 *db;
	FILE *log;
	int bad = 0;

	if (store_open(path, schema_station, 0, &db, err, sizeof(err)) == -1) {
		printf("verify: cannot open: %s\n", err);
		return 1;
	}
	if (store_query_int(db,
	        "SELECT count(*) FROM fills f WHERE result != 'filling' AND ("
	        " (SELECT count(*) FROM violations v WHERE v.event = f.uuid) != 1 OR"
	        " (SELECT count(*) FROM outbox o WHERE o.uuid = f.uuid) != 1)",
	        -1) != 0) {
		printf("verify: a finished fill lacks its violation or outbox row\n");
		bad = 1;
	}
	if (store_query_int(db,
	        "SELECT count(*) FROM fills f WHERE result = 'filling' AND ("
	        " EXISTS (SELECT 1 FROM violations v WHERE v.event = f.uuid) OR"
	        " EXISTS (SELECT 1 FROM outbox o WHERE o.uuid = f.uuid))",
	        -1) != 0) {
		printf("verify: an unfinished fill has a half-written outcome\n");
		bad = 1;
	}
	if (store_query_int(db, "SELECT count(*) FROM outbox", -1) !=
	    store_query_int(db, "SELECT coalesce(max(seq), 0) FROM outbox", -1)) {
		printf("verify: the outbox sequence has a gap\n");
		bad = 1;
	}
	log = fopen(log_path, "r");
	if (log == NULL) {
		printf("verify: cannot read %s\n", log_path);
		return 1;
	}
	while (fgets(line, sizeof(line), log) != NULL) {
		char uuid[64], sql[256];
		const char *want = NULL;

		if (sscanf(line, "committed %63s", uuid) == 1)
			want = "result = 'flagged'";
		else if (sscanf(line, "started %63s", uuid) == 1)
			want = "1";
		if (want == NULL)
			continue;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM fills WHERE uuid = '%s' AND %s",
		    uuid, want);
		if (store_query_int(db, sql, -1) != 1) {
			printf("verify: %s was reported committed but is not in the database\n",
			    uuid);
			bad = 1;
		}
	}
	fclose(log);
	store_close(db);
	return bad;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "run") == 0)
		return run(argv[2], atoi(argv[3]), 0);
	if (argc == 4 && strcmp(argv[1], "run-weak-sync") == 0)
		return run(argv[2], atoi(argv[3]), 1);
	if (argc == 4 && strcmp(argv[1], "verify") == 0)
		return verify(argv[2], argv[3]);
	fprintf(stderr, "usage: store_workload run DB FILLS | verify DB LOG\n");
	return 2;
}
