/*
 * stationdb_fixture.h: test support, part of no program.  SQL on the
 * station database the records module (gateway/records.h) holds open, as
 * the gateway's unit tests run it: on the records' own connection and
 * under its lock, because records' writer of held-back records may be
 * using that connection from its thread.  Static inline, as fixture.h, on
 * which it builds.
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
