/*
 * stationdb_fixture.h: test support, part of no program.  The station
 * database the records module (gateway/records.h) holds open, as the
 * gateway's unit tests make it (stationdb_setup / stationdb_teardown, for
 * a cmocka set-up and tear-down) and run SQL on it: on the records' own
 * connection and under its lock, because records' writer of held-back
 * records may be using that connection from its thread.  Static inline,
 * as fixture.h, on which it builds.
 */
#ifndef GAS_TESTS_STATIONDB_FIXTURE_H
#define GAS_TESTS_STATIONDB_FIXTURE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "fixture.h"
#include "records.h"
#include "store.h"

/* Runs sql on rec's connection under rec's lock, for a cmocka set-up
 * (where a failed assertion would leave its folder behind: no tear-down
 * follows a set-up that failed).  0, or -1 with the reason in err. */
static inline int
stationdb_try_exec(struct records *rec, const char *sql, char *err, size_t errlen)
{
	int rc;

	pthread_mutex_lock(&rec->lock);
	rc = store_exec(rec->db, sql, err, errlen);
	pthread_mutex_unlock(&rec->lock);
	return rc;
}

/* A cmocka set-up's station: a new folder /tmp/NAME.XXXXXX into dir (size
 * bytes), station S1 of township 330825101 open in rec on its station.db
 * (records_open), and sql run on it (stationdb_try_exec; NULL for none).
 * 0, or -1 with the reason on stderr and nothing left: rec closed, no
 * folder (cmocka runs no tear-down after a set-up that failed). */
static inline int
stationdb_setup(char *dir, size_t size, const char *name, struct records *rec, const char *sql)
{
	char path[256], err[256];
	int opened = 0, rc = -1;

	if (fixture_dir_make(dir, size, name) == -1) {
		fprintf(stderr, "%s: no folder: %s\n", name, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/station.db", dir);
	if (records_open(rec, path, "S1", "330825101", err, sizeof(err)) == -1)
		goto out;
	opened = 1;
	if (sql != NULL && stationdb_try_exec(rec, sql, err, sizeof(err)) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1) {
		fprintf(stderr, "%s: %s\n", name, err);
		if (opened)
			records_close(rec);
		if (fixture_dir_remove(dir) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return rc;
}

/* The tear-down of stationdb_setup, after a case passed or failed: rec
 * closed and the folder dir removed with all in it (WAL files too).  0, or
 * -1 with the reason on stderr (a failure cmocka reports) if the folder
 * could not be removed. */
static inline int
stationdb_teardown(const char *dir, struct records *rec)
{
	records_close(rec);
	if (fixture_dir_remove(dir) != 0) {
		fprintf(stderr, "could not remove %s\n", dir);
		return -1;
	}
	return 0;
}

/* Runs sql on rec's connection under rec's lock; if it cannot, the test
 * fails there, naming the SQL and the reason. */
static inline void
stationdb_exec(struct records *rec, const char *sql)
{
	char err[256];

	if (stationdb_try_exec(rec, sql, err, sizeof(err)) == -1)
		fail_msg("%s: %s", sql, err);
}

/* The first column of sql's first row as an integer, read on rec's
 * connection under rec's lock; -1 when there is no row, the value is NULL
 * or the query fails (store_query_int). */
static inline int64_t
stationdb_count(struct records *rec, const char *sql)
{
	int64_t n;

	pthread_mutex_lock(&rec->lock);
	n = store_query_int(rec->db, sql, -1);
	pthread_mutex_unlock(&rec->lock);
	return n;
}

#endif
