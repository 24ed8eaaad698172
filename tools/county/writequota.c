/*
 * writequota: see writequota.h.
 */
#include "writequota.h"

#include <stdio.h>

#include "store.h"
#include "timetext.h"
#include "util.h"

/* The window of identity: its start (0: none yet), writes and bytes. */
static int
window_of(struct county_db *c, const char *identity, int64_t *since, int64_t *writes,
    int64_t *bytes, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*since = *writes = *bytes = 0;
	if (store_prepare(c->db,
	        "SELECT since_ms, writes, bytes FROM write_quota WHERE identity = ?", &st, err,
	        errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, identity, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*since = sqlite3_column_int64(st, 0);
		*writes = sqlite3_column_int64(st, 1);
		*bytes = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(err, errlen, "write quota: %s", sqlite3_errmsg(c->db));
	return 0;
}

/* A window still running at now?  A clock stepped back keeps the one held
 * (a start after now is still running) rather than opening a new one, as
 * quota.c's. */
static int
running(int64_t since, int64_t now)
{
	return since > 0 && now - since < WRITEQUOTA_WINDOW_MS;
}

/* Read identity's window as it stands at now (a new one when the last
 * ended) and judge use against the bounds: 0 within, 1 beyond (*over and
 * err said), -1 with err. */
static int
judge(struct county_db *c, const char *identity, const struct writequota_use *use, int64_t now,
    int64_t *since, int64_t *writes, int64_t *bytes, struct writequota_over *over, char *err,
    size_t errlen)
{
	int wmax = c->config->person_writes_day_max, mbmax = c->config->person_evidence_day_mb;
	struct writequota_over o = { NULL, 0, 0 };
	char until[TIMETEXT_MAX];
	int too_many = 0;

	if (window_of(c, identity, since, writes, bytes, err, errlen) == -1)
		return -1;
	if (!running(*since, now)) {
		*since = now;
		*writes = *bytes = 0;
	}
	if (wmax > 0 && use->writes > 0 && *writes + use->writes > wmax) {
		o.setting = "person_writes_day_max";
		o.bound = wmax;
		too_many = 1;
	} else if (mbmax > 0 && use->bytes > 0 &&
	           *bytes + use->bytes > (int64_t)mbmax * 1000 * 1000) {
		o.setting = "person_evidence_day_mb";
		o.bound = mbmax;
	}
	if (o.setting == NULL)
		return 0;
	o.until_ms = *since + WRITEQUOTA_WINDOW_MS;
	timetext_format(o.until_ms, TIMETEXT_PERSON, until);
	if (too_many)
		err_set(err, errlen,
		    "too many writes: %lld case steps and dispositions from %s in 24 hours, at most "
		    "%d (person_writes_day_max); nothing stored; try again after %s",
		    (long long)*writes, identity, wmax, until);
	else
		err_set(err, errlen,
		    "too much evidence: %lld MB from %s in 24 hours, at most %d MB "
		    "(person_evidence_day_mb); nothing stored; try again after %s",
		    (long long)(*bytes / 1000000), identity, mbmax, until);
	if (over != NULL)
		*over = o;
	return 1;
}

enum county_result
writequota_refusal(struct county_db *c, const char *identity, int64_t now,
    struct writequota_over *over, char *err, size_t errlen)
{
	/* one more write; else any evidence at all (the smallest file passes a
	 * bound the count is within a byte of) */
	const struct writequota_use write = { 1, 0 }, file = { 0, INT64_MAX / 4 };
	int64_t since, writes, bytes;
	int rc;

	rc = judge(c, identity, &write, now, &since, &writes, &bytes, over, err, errlen);
	if (rc == 0 && c->config->person_evidence_day_mb > 0)
		rc = judge(c, identity, &file, now, &since, &writes, &bytes, over, err, errlen);
	return rc == 0 ? COUNTY_DONE : rc == 1 ? COUNTY_BUSY : COUNTY_ERROR;
}

enum county_result
writequota_take(struct county_db *c, const char *identity, const struct writequota_use *use,
    int64_t now, struct writequota_over *over, char *err, size_t errlen)
{
	int64_t since, writes, bytes;
	sqlite3_stmt *st = NULL;
	int rc;

	if (use->writes <= 0 && use->bytes <= 0)
		return COUNTY_DONE;
	if (c->config->person_writes_day_max <= 0 && c->config->person_evidence_day_mb <= 0)
		return COUNTY_DONE;
	rc = judge(c, identity, use, now, &since, &writes, &bytes, over, err, errlen);
	if (rc != 0)
		return rc == 1 ? COUNTY_BUSY : COUNTY_ERROR;
	if (store_prepare(c->db,
	        "INSERT INTO write_quota (identity, since_ms, writes, bytes) VALUES (?, ?, ?, ?)"
	        " ON CONFLICT (identity) DO UPDATE SET since_ms = excluded.since_ms,"
	        " writes = excluded.writes, bytes = excluded.bytes",
	        &st, err, errlen) == -1)
		return COUNTY_ERROR;
	sqlite3_bind_text(st, 1, identity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, writes + (use->writes > 0 ? use->writes : 0));
	sqlite3_bind_int64(st, 4, bytes + (use->bytes > 0 ? use->bytes : 0));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		err_set(err, errlen, "write quota: %s", sqlite3_errmsg(c->db));
		return COUNTY_ERROR;
	}
	return COUNTY_DONE;
}
