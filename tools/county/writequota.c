/*
 * writequota: see writequota.h.
 */
#include "writequota.h"

#include <stdio.h>

#include "i18n.h"
#include "store.h"
#include "timetext.h"
#include "util.h"
#include "wire.h"

/* The window of identity: its start (0: none yet), writes and bytes. */
static int
window_of(struct county_db *c, const char *identity, int64_t *since, int64_t *writes,
    int64_t *bytes, int *alerted, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*since = *writes = *bytes = 0;
	*alerted = 0;
	if (store_prepare(c->db,
	        "SELECT since_ms, writes, bytes, alerted FROM write_quota WHERE identity = ?", &st,
	        err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, identity, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*since = sqlite3_column_int64(st, 0);
		*writes = sqlite3_column_int64(st, 1);
		*bytes = sqlite3_column_int64(st, 2);
		*alerted = sqlite3_column_int(st, 3);
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
    int64_t *since, int64_t *writes, int64_t *bytes, int *alerted, struct writequota_over *over,
    char *err, size_t errlen)
{
	int wmax = c->config->person_writes_day_max, mbmax = c->config->person_evidence_day_mb;
	struct writequota_over o = { NULL, 0, 0 };
	char until[TIMETEXT_MAX];
	int too_many = 0;

	if (window_of(c, identity, since, writes, bytes, alerted, err, errlen) == -1)
		return -1;
	if (!running(*since, now)) {
		*since = now;
		*writes = *bytes = 0;
		*alerted = 0;
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

/* Write identity's window. */
static int
put_window(struct county_db *c, const char *identity, int64_t since, int64_t writes, int64_t bytes,
    int alerted, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (store_prepare(c->db,
	        "INSERT INTO write_quota (identity, since_ms, writes, bytes, alerted)"
	        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (identity) DO UPDATE SET"
	        " since_ms = excluded.since_ms, writes = excluded.writes, bytes = excluded.bytes,"
	        " alerted = excluded.alerted",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, identity, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, writes);
	sqlite3_bind_int64(st, 4, bytes);
	sqlite3_bind_int(st, 5, alerted);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return err_set(err, errlen, "write quota: %s", sqlite3_errmsg(c->db));
	return 0;
}

enum county_result
writequota_refusal(struct county_db *c, const char *identity, int64_t now,
    struct writequota_over *over, char *err, size_t errlen)
{
	/* one more write; else any evidence at all (the smallest file passes a
	 * bound the count is within a byte of) */
	const struct writequota_use write = { 1, 0 }, file = { 0, INT64_MAX / 4 };
	int64_t since, writes, bytes;
	int rc, alerted;

	rc = judge(c, identity, &write, now, &since, &writes, &bytes, &alerted, over, err, errlen);
	if (rc == 0 && c->config->person_evidence_day_mb > 0)
		rc = judge(c, identity, &file, now, &since, &writes, &bytes, &alerted, over, err,
		    errlen);
	return rc == 0 ? COUNTY_DONE : rc == 1 ? COUNTY_BUSY : COUNTY_ERROR;
}

enum county_result
writequota_take(struct county_db *c, const char *identity, const struct writequota_use *use,
    int64_t now, struct writequota_over *over, char *err, size_t errlen)
{
	int64_t since, writes, bytes;
	int rc, alerted;

	if (use->writes <= 0 && use->bytes <= 0)
		return COUNTY_DONE;
	if (c->config->person_writes_day_max <= 0 && c->config->person_evidence_day_mb <= 0)
		return COUNTY_DONE;
	rc = judge(c, identity, use, now, &since, &writes, &bytes, &alerted, over, err, errlen);
	if (rc != 0)
		return rc == 1 ? COUNTY_BUSY : COUNTY_ERROR;
	if (put_window(c, identity, since, writes + (use->writes > 0 ? use->writes : 0),
	        bytes + (use->bytes > 0 ? use->bytes : 0), alerted, err, errlen) == -1)
		return COUNTY_ERROR;
	return COUNTY_DONE;
}

int
writequota_refused(struct county_db *c, const char *identity, int64_t now, char *err, size_t errlen)
{
	const struct writequota_use none = { 0, 0 };
	struct writequota_over over;
	char key[200], text[WIRE_TEXT], until[TIMETEXT_MAX], why[256];
	int64_t since, writes, bytes;
	int alerted, rc = 0;

	if (store_begin(c->db, err, errlen) == -1)
		return -1;
	if (judge(c, identity, &none, now, &since, &writes, &bytes, &alerted, NULL, err, errlen) ==
	    -1)
		goto fail;
	if (alerted ||
	    writequota_refusal(c, identity, now, &over, why, sizeof(why)) != COUNTY_BUSY) {
		store_rollback(c->db);
		return 0;
	}
	{
		const struct county_alert a = { key, "C18", "alert", "county", identity, "", "",
			text, now };

		timetext_format(over.until_ms, TIMETEXT_PERSON, until);
		snprintf(key, sizeof(key), "county:C18:%s:%lld", identity, (long long)since);
		snprintf(text, sizeof(text),
		    _("%s wrote %lld case steps and dispositions and %lld MB of evidence in 24 "
		      "hours, at the county's bound (%s = %d): its writes are refused (4.29) until %s"),
		    identity, (long long)writes, (long long)(bytes / 1000000), over.setting,
		    over.bound, until);
		if ((rc = county_raise_alert(c, &a, err, errlen)) == -1)
			goto fail;
	}
	if (put_window(c, identity, since, writes, bytes, 1, err, errlen) == -1 ||
	    store_commit(c->db, err, errlen) == -1)
		goto fail;
	return rc > 0 ? 1 : 0;
fail:
	store_rollback(c->db);
	return -1;
}
