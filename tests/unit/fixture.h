/*
 * fixture.h: test support, part of no program.  The set-up the unit tests
 * share, so that each says it once: a fresh folder of the test's own under
 * /tmp and its removal, a database file in such a folder opened through a
 * schema's migrations, a schema's migrations up to a version (to make a
 * database as an older program left it), and SQL run on a test's database
 * that fails the test, saying why, when it cannot run; and cmocka set-ups
 * and tear-downs of a folder alone and of a database in its folder.  Every
 * unit test is one .c file built alone, so these are static inline: a test
 * takes what it uses and no program links any of it.  countydb_fixture.h
 * and stationdb_fixture.h build the county's and the station's database
 * on these.
 */
#ifndef GAS_TESTS_FIXTURE_H
#define GAS_TESTS_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

/* Makes a new folder /tmp/NAME.XXXXXX (mkdtemp makes the X's unique) and
 * writes its path into dir (size bytes).  0, or -1 with errno set and no
 * folder made (a path that does not fit is ENAMETOOLONG). */
static inline int
fixture_dir_make(char *dir, size_t size, const char *name)
{
	int n = snprintf(dir, size, "/tmp/%s.XXXXXX", name);

	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return mkdtemp(dir) == NULL ? -1 : 0;
}

/* Removes the folder dir and everything in it (rm -rf).  0, or -1 if the
 * removal failed (what is left of the folder stays). */
static inline int
fixture_dir_remove(const char *dir)
{
	char cmd[160];
	int n = snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);

	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

/* Room for the path fixture_dir_setup makes: /tmp/NAME.XXXXXX. */
#define FIXTURE_DIR_MAX 64

/* A cmocka set-up's folder, for a case that needs nothing but a folder of
 * its own: a new folder /tmp/NAME.XXXXXX, its path (a string of
 * FIXTURE_DIR_MAX bytes the set-up owns) in *state.  Give the case
 * fixture_dir_teardown as its tear-down, which cmocka runs whether the case
 * passed or failed, so a failing case leaves no folder behind.  0, or -1
 * with the reason on stderr and nothing made. */
static inline int
fixture_dir_setup(void **state, const char *name)
{
	char *dir = malloc(FIXTURE_DIR_MAX);

	if (dir == NULL || fixture_dir_make(dir, FIXTURE_DIR_MAX, name) == -1) {
		fprintf(stderr, "%s: no folder: %s\n", name, strerror(errno));
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

/* The tear-down of fixture_dir_setup: the folder *state removed with all in
 * it and its path freed.  0, or -1 (a failure cmocka reports) if the folder
 * could not be removed. */
static inline int
fixture_dir_teardown(void **state)
{
	char *dir = *state;
	int rc = fixture_dir_remove(dir);

	if (rc == -1)
		fprintf(stderr, "could not remove %s\n", dir);
	free(dir);
	return rc;
}

/* Opens the database FILE in folder dir, made if missing, through the
 * migrations of schema (store_open) into *db.  0, or -1 with the reason in
 * err and *db NULL (nothing to close). */
static inline int
fixture_db_open(const char *dir, const char *file, const struct store_migration *schema,
    sqlite3 **db, char *err, size_t errlen)
{
	char path[256];
	int n = snprintf(path, sizeof(path), "%s/%s", dir, file);

	*db = NULL;
	if (n < 0 || (size_t)n >= sizeof(path)) {
		snprintf(err, errlen, "%s/%s: path too long", dir, file);
		return -1;
	}
	return store_open(path, schema, 0, db, err, errlen);
}

/* A cmocka set-up's database: a new folder /tmp/NAME.XXXXXX into dir (size
 * bytes) and its FILE opened through schema's migrations into *db
 * (fixture_db_open).  0, or -1 with the reason on stderr and nothing left:
 * no folder, *db NULL (cmocka runs no tear-down after a set-up that
 * failed; a set-up that fails later calls fixture_db_teardown itself). */
static inline int
fixture_db_setup(char *dir, size_t size, const char *name, const char *file,
    const struct store_migration *schema, sqlite3 **db)
{
	char err[256];

	*db = NULL;
	if (fixture_dir_make(dir, size, name) == -1) {
		fprintf(stderr, "%s: no folder: %s\n", name, strerror(errno));
		return -1;
	}
	if (fixture_db_open(dir, file, schema, db, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", name, err);
		if (fixture_dir_remove(dir) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
		return -1;
	}
	return 0;
}

/* The tear-down of fixture_db_setup, after a case passed or failed: *db
 * closed (NULL after) and the folder dir removed with all in it (WAL files
 * too).  0, or -1 with the reason on stderr (a failure cmocka reports) if
 * the folder could not be removed. */
static inline int
fixture_db_teardown(const char *dir, sqlite3 **db)
{
	store_close(*db);
	*db = NULL;
	if (fixture_dir_remove(dir) != 0) {
		fprintf(stderr, "could not remove %s\n", dir);
		return -1;
	}
	return 0;
}

/* The migrations of schema up to and including version into out (room for
 * cap entries), ended by a zero entry as schema is: store_open on them
 * makes the database an older program made.  0, or -1 if out is too small
 * (out's content then means nothing). */
static inline int
fixture_schema_upto(const struct store_migration *schema, int version, struct store_migration *out,
    size_t cap)
{
	size_t n;

	for (n = 0; schema[n].version != 0 && schema[n].version <= version; n++) {
		if (n + 1 >= cap)
			return -1;
		out[n] = schema[n];
	}
	if (n >= cap)
		return -1;
	memset(&out[n], 0, sizeof(out[n]));
	return 0;
}

/* Runs sql (one statement or more) on db; if it cannot, the test fails
 * there, naming the SQL and the reason. */
static inline void
fixture_exec(sqlite3 *db, const char *sql)
{
	char err[256];

	if (store_exec(db, sql, err, sizeof(err)) != 0)
		fail_msg("%s: %s", sql, err);
}

/* fixture_exec of the text fmt and what follows make (printf); a text
 * longer than 4095 bytes fails the test. */
static inline void fixture_execf(sqlite3 *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline void
fixture_execf(sqlite3 *db, const char *fmt, ...)
{
	char text[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(text))
		fail_msg("SQL too long for fixture_execf: %.60s...", text);
	fixture_exec(db, text);
}

#endif
