/*
 * countydb_fixture.h: test support, part of no program.  The temporary
 * county database the county's unit tests run on: a real SQLite file at
 * the county's latest schema (every migration of schema_county run), in a
 * fresh folder of the test's own, with the test's county_config; and its
 * removal.  A test keeps its own folder name, config and county_db, and
 * calls countydb_setup / countydb_teardown from its cmocka set-up and
 * tear-down (adding its own rows or catalogue around them), or
 * countydb_open for a second county in the same folder;
 * countydb_catalogue parses a case test's catalogue and villages;
 * countydb_fill_row writes a plain fill straight into the tables;
 * countydb_meanwhile_commit, an SQLite authorizer, commits a statement from
 * another connection in the middle of a read.  Static inline, as
 * fixture.h, on which it builds.
 */
#ifndef GAS_TESTS_COUNTYDB_FIXTURE_H
#define GAS_TESTS_COUNTYDB_FIXTURE_H

#include <stdio.h>

#include "catalogue.h"
#include "db.h"
#include "fixture.h"
#include "store.h"

/* Opens the county database FILE in folder dir (made if missing, every
 * county migration run) into c, whose config becomes config (kept by
 * pointer: it must outlive c); c's identities are left as they are.  0, or
 * -1 with the reason in err and nothing to close. */
static inline int
countydb_open(struct county_db *c, const char *dir, const char *file,
    const struct county_config *config, char *err, size_t errlen)
{
	c->config = config;
	return fixture_db_open(dir, file, schema_county, &c->db, err, errlen);
}

/* A cmocka set-up's county: a new folder /tmp/NAME.XXXXXX into dir (size
 * bytes) and its county.db open in c (countydb_open).  0, or -1 with the
 * reason on stderr and no folder left. */
static inline int
countydb_setup(char *dir, size_t size, const char *name, const struct county_config *config,
    struct county_db *c)
{
	c->config = config;
	return fixture_db_setup(dir, size, name, "county.db", schema_county, &c->db);
}

/* The tear-down of countydb_setup: c's database closed (c->db NULL after)
 * and the folder dir removed with all in it.  0, or -1 if the folder could
 * not be removed. */
static inline int
countydb_teardown(const char *dir, struct county_db *c)
{
	return fixture_db_teardown(dir, &c->db);
}

/* A cmocka set-up's catalogue: cat parsed afresh from the text of a
 * catalogue (kinds, as cat.csv) and of villages (as villages.csv).  0, or
 * -1 with the reason on stderr and cat left empty. */
static inline int
countydb_catalogue(struct catalogue *cat, const char *kinds, const char *villages)
{
	char err[256];

	if (catalogue_parse("cat.csv", kinds, strlen(kinds), cat, err, sizeof(err)) == -1 ||
	    catalogue_parse_villages("villages.csv", villages, strlen(villages), cat, err,
	        sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

/* Into c, straight as rows (no ingest, no county rule run): station's
 * record seq, uuid STATION-SEQ, a fill made and received at started_ms,
 * and its fills row: line 1, cylinder CYseq, buyer (its hash, or ""),
 * started at started_ms, result ok.  The test fails there if either row
 * cannot be written. */
static inline void
countydb_fill_row(struct county_db *c, const char *station, int seq, int64_t started_ms,
    const char *buyer)
{
	fixture_execf(c->db,
	    "INSERT INTO records (station, seq, uuid, kind, created_ms, received_ms)"
	    " VALUES ('%s', %d, '%s-%d', 'fill', %lld, %lld)",
	    station, seq, station, seq, (long long)started_ms, (long long)started_ms);
	fixture_execf(c->db,
	    "INSERT INTO fills (uuid, station, seq, line, cylinder, buyer, started_ms, result)"
	    " VALUES ('%s-%d', '%s', %d, 1, 'CY%d', '%s', %lld, 'ok')",
	    station, seq, station, seq, seq, buyer, (long long)started_ms);
}

/* A commit another program makes while the county's connection reads: the
 * first time that connection prepares a read of table, sql is committed
 * from a second connection to dir/county.db (countydb_setup's database).
 * fired is 0 until then, 1 once sql is committed, -1 if it could not be:
 * a test asserts 1, which also proves the read it aimed at happened. */
struct countydb_meanwhile {
	const char *dir;   /* the folder of countydb_setup */
	const char *table; /* the table whose first read sets it off */
	const char *sql;   /* one transaction, BEGIN IMMEDIATE ... COMMIT */
	int fired;
};

/* The authorizer of countydb_meanwhile, arg a struct countydb_meanwhile
 * that outlives the hook: sqlite3_set_authorizer(c->db,
 * countydb_meanwhile_commit, &m) before the read, (c->db, NULL, NULL)
 * after.  It allows every statement; it fires once. */
static inline int
countydb_meanwhile_commit(void *arg, int action, const char *table, const char *column,
    const char *db, const char *trigger)
{
	struct countydb_meanwhile *m = arg;
	char path[256];
	sqlite3 *other = NULL;

	(void)column, (void)db, (void)trigger;
	if (action != SQLITE_READ || table == NULL || strcmp(table, m->table) != 0 || m->fired)
		return SQLITE_OK;
	m->fired = 1;
	snprintf(path, sizeof(path), "%s/county.db", m->dir);
	if (sqlite3_open(path, &other) != SQLITE_OK ||
	    sqlite3_exec(other, m->sql, NULL, NULL, NULL) != SQLITE_OK)
		m->fired = -1;
	sqlite3_close(other);
	return SQLITE_OK;
}

#endif
