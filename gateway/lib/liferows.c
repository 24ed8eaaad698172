/*
 * liferows: see liferows.h.
 */
#include "liferows.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "buyer.h"
#include "store.h"
#include "termtext.h"
#include "util.h"

int
liferows_insert(sqlite3 *db, const char *uuid, const struct wire_life *l, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (store_prepare(db,
	        "INSERT INTO life_events (uuid, event, serial, code, actor, worker, buyer,"
	        " buyer_masked, buyer_township, buyer_kind, village, lat_e6, lon_e6, result,"
	        " next_due, reason, at_ms)"
	        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, l->event, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, l->serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, l->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, l->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, l->worker, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, l->buyer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, l->buyer_masked, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, l->buyer_township, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, l->buyer_kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 11, l->village, -1, SQLITE_STATIC);
	if (l->has_position) {
		sqlite3_bind_int64(st, 12, llround(l->lat * 1e6));
		sqlite3_bind_int64(st, 13, llround(l->lon * 1e6));
	}
	sqlite3_bind_text(st, 14, l->result, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 15, l->next_due, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 16, l->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 17, l->at_ms);
	if (sqlite3_step(st) != SQLITE_DONE)
		err_set(err, errlen, "life event %s: %s", uuid, sqlite3_errmsg(db));
	else
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

int
liferows_read(sqlite3_stmt *st, struct wire_record *r, char *err, size_t errlen)
{
	struct wire_life *l = &r->life;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, r->uuid, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		memset(l, 0, sizeof(*l));
		r->has_life = 1;
		store_column_copy(st, 0, l->event, sizeof(l->event));
		store_column_copy(st, 1, l->serial, sizeof(l->serial));
		store_column_copy(st, 2, l->code, sizeof(l->code));
		store_column_copy(st, 3, l->actor, sizeof(l->actor));
		store_column_copy(st, 4, l->worker, sizeof(l->worker));
		store_column_copy(st, 5, l->buyer, sizeof(l->buyer));
		store_column_copy(st, 6, l->buyer_masked, sizeof(l->buyer_masked));
		store_column_copy(st, 7, l->buyer_township, sizeof(l->buyer_township));
		store_column_copy(st, 8, l->buyer_kind, sizeof(l->buyer_kind));
		store_column_copy(st, 9, l->village, sizeof(l->village));
		if (sqlite3_column_type(st, 10) != SQLITE_NULL &&
		    sqlite3_column_type(st, 11) != SQLITE_NULL) {
			l->has_position = 1;
			l->lat = (double)sqlite3_column_int64(st, 10) / 1e6;
			l->lon = (double)sqlite3_column_int64(st, 11) / 1e6;
		}
		store_column_copy(st, 12, l->result, sizeof(l->result));
		store_column_copy(st, 13, l->next_due, sizeof(l->next_due));
		store_column_copy(st, 14, l->reason, sizeof(l->reason));
		l->at_ms = sqlite3_column_int64(st, 15);
		if (sqlite3_column_count(st) >= 18) {
			static const char *const chains[] = { "out", "in", "loose" };
			int counts = sqlite3_column_int(st, 17);

			l->taken_ms = sqlite3_column_int64(st, 16);
			str_copy(l->chain, counts >= 0 && counts <= 2 ? chains[counts] : "in",
			    sizeof(l->chain));
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(err, errlen, "life event: %s", sqlite3_errstr(rc));
	if (rc == SQLITE_DONE)
		return err_set(err, errlen, "record seq %lld: life event %s is missing",
		    (long long)r->seq, r->uuid);
	return 0;
}

char *
liferows_describe(const struct wire_life *l, char *out, size_t outlen)
{
	char who[160] = "";

	if (l->buyer_masked[0] != '\0')
		snprintf(who, sizeof(who), "%s (%s%s%s)", l->buyer_masked,
		    l->buyer_kind[0] ? l->buyer_kind : "buyer", l->buyer_township[0] ? ", " : "",
		    l->buyer_township);
	if (strcmp(l->event, "dispatched") == 0)
		snprintf(out, outlen, "dispatched to %s", l->worker);
	else if (strcmp(l->event, "received") == 0)
		snprintf(out, outlen, "received back%s%s", l->worker[0] ? " from " : "", l->worker);
	else if (strcmp(l->event, "handed_over") == 0)
		snprintf(out, outlen, "handed over to %s", who);
	else if (strcmp(l->event, "returned") == 0)
		snprintf(out, outlen, "returned empty%s%s to %s", who[0] ? " from " : "", who,
		    l->worker[0] ? l->worker : l->actor);
	else if (strcmp(l->event, "inspection_back") == 0)
		snprintf(out, outlen, "back from inspection: %s, next due %s", l->result,
		    l->next_due);
	else if (strcmp(l->event, "inspection_out") == 0)
		snprintf(out, outlen, "sent to inspection");
	else if (strcmp(l->event, "scrapped") == 0)
		snprintf(out, outlen, "scrapped: %s", l->reason);
	else
		snprintf(out, outlen, "%s", l->event);
	if (l->village[0] != '\0') {
		size_t n = strlen(out);

		if (n < outlen)
			snprintf(out + n, outlen - n, " at %s", l->village);
	}
	return out;
}

int
liferows_check_texts(const struct wire_life *l, const char *at, char *err, size_t errlen)
{
	const struct {
		const char *key; /* as docs/protocol.md names it */
		const char *value;
		int lines; /* line breaks and tabs allowed */
		int free;  /* written as the source likes: no person's number (V7) */
	} texts[] = {
		{ "life.serial", l->serial, 0, 0 },
		{ "life.code", l->code, 0, 0 },
		{ "life.actor", l->actor, 0, 0 },
		{ "life.worker", l->worker, 0, 0 },
		{ "life.buyer", l->buyer, 0, 0 },
		{ "life.masked", l->buyer_masked, 0, 1 },
		{ "life.btown", l->buyer_township, 0, 1 },
		{ "life.village", l->village, 1, 1 },
		{ "life.next_due", l->next_due, 0, 0 },
		{ "life.reason", l->reason, 1, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		if (!termtext_text_ok(texts[i].value, strlen(texts[i].value), texts[i].lines))
			return err_set(err, errlen, "%s: %s: not UTF-8 text%s", at, texts[i].key,
			    texts[i].lines ? "" : " on one line");
		/* the refusal names the field, never the value */
		if (texts[i].free && buyer_text_has_number(texts[i].value, strlen(texts[i].value)))
			return err_set(err, errlen, "%s: %s: holds what looks like an ID number",
			    at, texts[i].key);
	}
	if (!buyer_masked_ok(l->buyer_masked))
		return err_set(err, errlen, "%s: life.masked: not a masked number (3 + 11 '*' + 4)",
		    at);
	return 0;
}
