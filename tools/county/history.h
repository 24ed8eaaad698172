/*
 * history: the county registry's history, not overwrite (docs/registry.md,
 * "History at the county").  Every change of a cylinder's registry row
 * (status, last and next inspection, owner) is kept as one row of
 * registry_history (schema/county/006_registry_history.sql) with the facts
 * after the change, who made it and how; the registry functions of db.c call
 * history_note inside their own transaction, so a change and its history row
 * are committed together or not at all.
 */
#ifndef COUNTY_HISTORY_H
#define COUNTY_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#define HISTORY_ACTOR_MAX 64
#define HISTORY_DETAIL_MAX 160

/* Who or what made a change. */
struct history_by {
	const char *source; /* "set" or "import" */
	const char *actor;  /* the account that ran the command, e.g. "zhang" */
	const char *detail; /* e.g. "reg.csv:12"; NULL or "" for none */
};

/*
 * Append the registry row of serial as it now stands, with by and the wall
 * clock, to the history.  Call it inside the transaction that changed the
 * row, after the change.  0, or -1 with err.
 */
int history_note(sqlite3 *db, const char *serial, const struct history_by *by, char *err,
    size_t errlen);

/* The name of the account running this process ("uid 1000" if it has none),
 * for history_by.actor. */
const char *history_actor(char *buf, size_t buflen);

/* One change, as history_list returns it. */
struct history_row {
	int64_t version, changed_ms;
	char status[12], last_inspection[11], next_inspection[11];
	char owner[129];
	char source[16], actor[HISTORY_ACTOR_MAX + 1], detail[HISTORY_DETAIL_MAX + 1];
};

/* The changes of serial, oldest first, at most max (more are not read);
 * *n says how many.  0, or -1 with err. */
int history_list(sqlite3 *db, const char *serial, struct history_row *rows, size_t max, size_t *n,
    char *err, size_t errlen);

/* The newest max changes of serial, oldest first (a case page's: the change
 * that matters now is the newest, however long the past); *older counts
 * those before them.  0, or -1 with err. */
int history_list_newest(sqlite3 *db, const char *serial, struct history_row *rows, size_t max,
    size_t *n, int64_t *older, char *err, size_t errlen);

#endif
