/*
 * quota: see quota.h.
 */
#include "quota.h"

#include <stdio.h>

#include "i18n.h"
#include "store.h"
#include "timetext.h"
#include "util.h"
#include "wire.h"

/* The window of source: its start (0: none yet), stored and alerted. */
static int
window_of(struct county_db *c, const char *source, int64_t *since, int64_t *stored, int *alerted,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*since = *stored = 0;
	*alerted = 0;
	if (store_prepare(c->db,
	        "SELECT since_ms, stored, alerted FROM ingest_quota WHERE source = ?", &st, err,
	        errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*since = sqlite3_column_int64(st, 0);
		*stored = sqlite3_column_int64(st, 1);
		*alerted = sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(err, errlen, "ingest quota: %s", sqlite3_errmsg(c->db));
	return 0;
}

/* A window still running at now?  A clock stepped back keeps the one held
 * (a start after now is still running) rather than opening a new one. */
static int
running(int64_t since, int64_t now)
{
	return since > 0 && now - since < QUOTA_WINDOW_MS;
}

enum county_result
quota_check(struct county_db *c, const char *source, int64_t now, char *err, size_t errlen)
{
	int bound = c->config->records_day_max, alerted;
	char until[TIMETEXT_MAX];
	int64_t since, stored;

	if (bound <= 0)
		return COUNTY_DONE;
	if (window_of(c, source, &since, &stored, &alerted, err, errlen) == -1)
		return COUNTY_ERROR;
	if (!running(since, now) || stored <= bound)
		return COUNTY_DONE;
	timetext_format(since + QUOTA_WINDOW_MS, TIMETEXT_PERSON, until);
	/* short: the station's status shows it after "county answered 5.03
	 * to a batch: " in 128 bytes */
	err_set(err, errlen, "over the county's bound of %d new records in 24 h, until %s", bound,
	    until);
	return COUNTY_BUSY;
}

int
quota_count(struct county_db *c, const char *source, int64_t stored, int64_t now, int *new_alerts,
    char *err, size_t errlen)
{
	int bound = c->config->records_day_max, alerted, rc;
	char key[160], text[WIRE_TEXT], until[TIMETEXT_MAX];
	int64_t since, held;
	sqlite3_stmt *st = NULL;

	if (bound <= 0 || stored <= 0)
		return 0;
	if (window_of(c, source, &since, &held, &alerted, err, errlen) == -1)
		return -1;
	if (!running(since, now)) {
		since = now;
		held = 0;
		alerted = 0;
	}
	held += stored;
	if (held > bound && !alerted) {
		const struct county_alert a = { key, "C16", "alert", "county", source, "", "", text,
			now };

		timetext_format(since + QUOTA_WINDOW_MS, TIMETEXT_PERSON, until);
		snprintf(key, sizeof(key), "county:C16:%s:%lld", source, (long long)since);
		snprintf(text, sizeof(text),
		    _("%s sent %lld new records in 24 hours, beyond the county's bound of %d: its "
		      "batches are refused (5.03) until %s and wait in its outbox"),
		    source, (long long)held, bound, until);
		if ((rc = county_raise_alert(c, &a, err, errlen)) == -1)
			return -1;
		*new_alerts += rc;
		alerted = 1;
	}
	if (store_prepare(c->db,
	        "INSERT INTO ingest_quota (source, since_ms, stored, alerted) VALUES (?, ?, ?, ?)"
	        " ON CONFLICT (source) DO UPDATE SET since_ms = excluded.since_ms,"
	        " stored = excluded.stored, alerted = excluded.alerted",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, since);
	sqlite3_bind_int64(st, 3, held);
	sqlite3_bind_int(st, 4, alerted);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return err_set(err, errlen, "ingest quota: %s", sqlite3_errmsg(c->db));
	return 0;
}
