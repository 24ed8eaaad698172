/*
 * life: life events at the county and the rules over a cylinder's life
 * (life.h).
 *
 * Every alert key is made of facts the county holds ("county:C07:..."), so
 * storing an event twice, or judging it twice (at once and again in the
 * sweep), never raises the same alert twice.
 */
#include "life.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code.h"
#include "history.h"
#include "i18n.h"
#include "ingestcheck.h"
#include "psk.h"
#include "store.h"
#include "timetext.h"
#include "util.h"

#define TEXT(stmt, i) ((const char *)sqlite3_column_text((stmt), (i)))
#define DAY_MS 86400000LL

/*
 * The time a rule takes a life event at (SQL over a life_events row): its
 * rule time (rule_ms: a station's own, a delivery device's bounded, C17),
 * but a scrap's outside what any other event may carry (before 2000,
 * or more than a day past its arrival: ingest_time_ok takes a scrap at any
 * time a wrong clock gives it) is taken at its arrival.  A scrap stamped
 * 1970 would otherwise stand before every step of the cylinder's life
 * (C11 for each), and one stamped 9999 after every one (no C08 ever
 * again).
 */
#define WORK_MS                                                                                    \
	"CASE WHEN event = 'scrapped' AND (at_ms < 946684800000 OR at_ms > stored_ms + 86400000)"  \
	" THEN stored_ms ELSE rule_ms END"

const char *const life_event_names[] = { "dispatched", "handed_over", "returned", "received",
	"inspection_out", "inspection_back", "scrapped", NULL };

static int
is_event(const struct wire_life *l, const char *name)
{
	return strcmp(l->event, name) == 0;
}

/*
 * The chain's steps that start a cycle of C07 (c07_judge), as SQL over a
 * life_events row: the very expression of migration 027's partial index
 * life_events_cycle, so that SQLite reads that index alone.
 */
#define CYCLE_TERM                                                                                 \
	"counts <> 0 AND (event IN ('received', 'handed_over') OR (event = 'returned' AND buyer <> ''))"

/* A step at a household's door. */
static int
at_door(const struct wire_life *l)
{
	return is_event(l, "handed_over") || (is_event(l, "returned") && l->buyer[0] != '\0');
}

int
life_check(const struct wire_record *r, char *err, size_t errlen)
{
	static const char *const kinds[] = { "", "household", "business", NULL };
	static const char *const results[] = { "pass", "fail", NULL };
	const struct wire_life *l = &r->life;
	int32_t days;

	if (strcmp(r->kind, "life") != 0 || !r->has_life)
		return err_set(err, errlen, "life: a record of kind life needs its life part");
	if (!ingest_uuid_valid(r->uuid))
		return err_set(err, errlen, "uuid: '%s' is not a UUID", r->uuid);
	if (!ingest_one_of(l->event, life_event_names))
		return err_set(err, errlen, "life.event: '%s' is not a life event", l->event);
	if (l->serial[0] == '\0')
		return err_set(err, errlen, "life.serial: missing");
	/* as a station's record times: after 2000, at most a day ahead; a scrap at
	 * any time (ingest_time_ok): it takes the cylinder out of service whenever
	 * the station's clock says it happened */
	if (!ingest_time_ok(r, l->at_ms, time_wall_ms()))
		return err_set(err, errlen, "life.at: %lld is not a time this event can have",
		    (long long)l->at_ms);
	if (!ingest_one_of(l->buyer_kind, kinds))
		return err_set(err, errlen, "life.bkind: '%s' is not household or business",
		    l->buyer_kind);
	if (is_event(l, "handed_over") && l->buyer[0] == '\0')
		return err_set(err, errlen, "life.buyer: a hand-over needs the buyer");
	if (is_event(l, "inspection_back")) {
		if (!ingest_one_of(l->result, results))
			return err_set(err, errlen, "life.result: '%s' is not pass or fail",
			    l->result);
		if ((strcmp(l->result, "pass") == 0 || l->next_due[0] != '\0') &&
		    (date_parse(l->next_due, &days) == -1 || strlen(l->next_due) != 10))
			return err_set(err, errlen, "life.next_due: '%s' is not YYYY-MM-DD",
			    l->next_due);
		/* as a station's operator may type it (gateway/ctlreq.c), with a day to
		 * spare for a county whose local day is behind the station's: a date
		 * decades ahead would take a cylinder out of R05 and C10 for as long.
		 * Judged here, at ingest, not by the decoder, which also reads back
		 * the traces of what the county already holds. */
		if (l->next_due[0] != '\0' &&
		    days > timetext_day_number(l->at_ms) + WIRE_NEXT_DUE_YEARS * 366 + 1)
			return err_set(err, errlen,
			    "life.next_due: %s is more than %d years after the inspection",
			    l->next_due, WIRE_NEXT_DUE_YEARS);
	} else if (l->result[0] != '\0') {
		return err_set(err, errlen, "life.result: only an inspection_back has a result");
	}
	if (l->has_position && !(l->lat >= -90 && l->lat <= 90 && l->lon >= -180 && l->lon <= 180))
		return err_set(err, errlen, "life.lat/lon: not a place on Earth");
	return 0;
}

/*
 * Who records which event (docs/protocol.md, "Life events"): a delivery
 * device what happens at the door, a station the rest.  The source is
 * outside input like the event's fields: a device that sent a station's
 * inspection_back or scrapped would rewrite the registry every station
 * checks its fills against, and a station that sent a hand-over would
 * stand at a household's door.  A delivery source is a whole identity
 * "delivery:NAME@TOWNSHIP"; a station's id never holds a ':'.
 */
static const char *const door_events[] = { "handed_over", "returned", NULL };
static const char *const station_events[] = { "dispatched", "received", "inspection_out",
	"inspection_back", "scrapped", NULL };

int
life_source_check(const char *source, const struct wire_record *r, char *err, size_t errlen)
{
	const struct wire_life *l = &r->life;
	int device = strncmp(source, "delivery:", 9) == 0;

	if (!ingest_one_of(l->event, device ? door_events : station_events))
		return err_set(err, errlen,
		    device ? "life.event: '%s' is a station's to record: a delivery device records "
		             "handed_over and returned only"
		           : "life.event: '%s' is a delivery device's to record: a station records "
		             "dispatched, received, inspection_out, inspection_back and scrapped "
		             "only",
		    l->event);
	/* Who did it.  The actor and worker are what a trace shows (by whom,
	 * with whom the cylinder is now); the texts sent are not echoed here,
	 * only the proved identity is. */
	if (device) {
		/* a device speaks for its own worker only: naming another would
		 * put that worker at a door they never stood at */
		if (strcmp(l->actor, source) != 0)
			return err_set(err, errlen,
			    "life.actor: not this device's own identity %s: a delivery device "
			    "speaks only for itself",
			    source);
		if (l->worker[0] != '\0' && strcmp(l->worker, source) != 0)
			return err_set(err, errlen,
			    "life.worker: neither empty nor this device's own identity %s: a "
			    "delivery device speaks only for itself",
			    source);
		return 0;
	}
	/* a station's steps are done by its operators (gasgw takes only a
	 * registered operator's certificate); its worker names whom it
	 * dispatched to or received from, a delivery identity, and stays */
	if (psk_claimed_role(l->actor) != PSK_ROLE_NONE)
		return err_set(err, errlen,
		    "life.actor: an identity of the county link, not an operator's "
		    "certificate: a station's steps are recorded by its own operators");
	return 0;
}

int
life_code_check(const struct code_key *key, const char *source, const struct wire_record *r,
    char *err, size_t errlen)
{
	const struct wire_life *l = &r->life;
	struct code_record rec;
	char why[256];

	if (key == NULL || strncmp(source, "delivery:", 9) != 0)
		return 0;
	if (l->code[0] == '\0')
		return err_set(err, errlen,
		    "life.code: missing: a delivery device's event carries the cylinder's signed "
		    "code as scanned");
	if (code_decode(l->code, strlen(l->code), key, &rec, why, sizeof(why)) == -1)
		return err_set(err, errlen, "life.code: not a code of this county: %s", why);
	if (strcmp(rec.serial, l->serial) != 0)
		return err_set(err, errlen, "life.code: the code is cylinder %s's, not %s's",
		    rec.serial, l->serial);
	return 0;
}

/* ---- small queries ---------------------------------------------------------------- */

/* Prepare sql and bind its parameters from fmt: 't' text, 'i' int64. */
static int
prepare(struct county_db *c, sqlite3_stmt **st, char *err, size_t errlen, const char *sql,
    const char *fmt, ...)
{
	va_list ap;
	int i;

	if (store_prepare(c->db, sql, st, err, errlen) == -1)
		return -1;
	va_start(ap, fmt);
	for (i = 0; fmt[i] != '\0'; i++) {
		if (fmt[i] == 't')
			sqlite3_bind_text(*st, i + 1, va_arg(ap, const char *), -1,
			    SQLITE_TRANSIENT);
		else
			sqlite3_bind_int64(*st, i + 1, va_arg(ap, int64_t));
	}
	va_end(ap);
	return 0;
}

static int
db_error(struct county_db *c, char *err, size_t errlen, const char *what)
{
	return err_set(err, errlen, "%s: %s", what, sqlite3_errmsg(c->db));
}

/* Run a prepared statement to its end and finalize it. */
static int
run(struct county_db *c, sqlite3_stmt *st, char *err, size_t errlen, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(c, err, errlen, what);
}

/* The first column of the first row as an integer (dflt when no row). */
static int
one_int(struct county_db *c, sqlite3_stmt *st, int64_t dflt, int64_t *out, char *err, size_t errlen,
    const char *what)
{
	int rc = sqlite3_step(st);

	*out = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL
	           ? sqlite3_column_int64(st, 0)
	           : dflt;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(c, err, errlen, what);
}

/* ---- where it was seen ------------------------------------------------------------ */

/* The source's township: a delivery identity's after '@', a station's as
 * the county holds it; "" when none. */
static int
source_township(struct county_db *c, const char *source, char *out, size_t size, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	const char *at;
	int rc;

	out[0] = '\0';
	if (strncmp(source, "delivery:", 9) == 0) {
		if ((at = strchr(source, '@')) != NULL && county_township_known(c, at + 1))
			str_copy(out, at + 1, size);
		return 0;
	}
	if (prepare(c, &st, err, errlen, "SELECT township FROM stations WHERE id = ?", "t",
	        source) == -1)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_column_copy(st, 0, out, size);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(c, err, errlen, "station");
}

/*
 * The buyer's township as registered in this county; else, for this event
 * only, the one it names when the county knows it.  A station's event
 * registers the one it names when it is the first station's word
 * (COUNTY_BUYER_SET_SQL); a delivery device's registers nothing, so that
 * no device decides where another source's events about that household
 * go.
 */
static int
buyer_township(struct county_db *c, const char *source, const struct wire_life *l, char *out,
    size_t size, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc, named;

	out[0] = '\0';
	if (l->buyer[0] == '\0')
		return 0;
	named = l->buyer_township[0] != '\0' && county_township_known(c, l->buyer_township);
	if (named && strncmp(source, "delivery:", 9) != 0) {
		if (prepare(c, &st, err, errlen, COUNTY_BUYER_SET_SQL, "ttti", l->buyer,
		        l->buyer_township, source, time_wall_ms()) == -1 ||
		    run(c, st, err, errlen, "buyer") == -1)
			return -1;
	}
	if (prepare(c, &st, err, errlen, "SELECT township FROM buyers WHERE id = ?", "t",
	        l->buyer) == -1)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		store_column_copy(st, 0, out, size);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(c, err, errlen, "buyer");
	if (rc == SQLITE_DONE && named)
		str_copy(out, l->buyer_township, size);
	return 0;
}

/*
 * The household of a door step as a station registered it: the kind and
 * masked number of its latest fill at a station's counter (real-name
 * checked there), over what the device sent, for the rules and their
 * cases.  A device that called a registered household a business would
 * have it judged by a business's limits (C09), and its masked number names
 * the household on the case; the county holds no other register of buyers,
 * so one that never bought at a counter keeps the device's word.  l is the
 * rules' copy: the event is kept as sent.
 */
static int
buyer_as_registered(struct county_db *c, struct wire_life *l, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (l->buyer[0] == '\0')
		return 0;
	if (prepare(c, &st, err, errlen,
	        "SELECT buyer_kind, buyer_masked FROM fills WHERE buyer = ?"
	        " AND buyer_kind IN ('household', 'business') ORDER BY started_ms DESC LIMIT 1",
	        "t", l->buyer) == -1)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		store_column_copy(st, 0, l->buyer_kind, sizeof(l->buyer_kind));
		if (sqlite3_column_bytes(st, 1) > 0)
			store_column_copy(st, 1, l->buyer_masked, sizeof(l->buyer_masked));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_error(c, err, errlen, "buyer");
}

/* What the rules of one event need to know. */
struct seen {
	struct county_db *c;
	const char *source, *uuid;
	int64_t id; /* the event's row */
	const struct wire_life *l;
	int counts; /* in the cylinder's chain (step_counts): 0 outside, 1, 2 loose */
	char township[WIRE_TOWNSHIP]; /* where it was seen */
	char buyer_town[WIRE_TOWNSHIP];
	int alerts;
};

static int
raise(struct seen *s, const char *rule, const char *key, const char *township, const char *cylinder,
    const char *text, char *err, size_t errlen)
{
	const struct county_alert a = { key, rule, "alert", township, s->source, cylinder,
		s->l->buyer_masked, text, s->l->at_ms };
	int rc = county_raise_alert(s->c, &a, err, errlen);

	if (rc == -1)
		return -1;
	s->alerts += rc;
	return 0;
}

/* ---- C07: a black point ----------------------------------------------------------- */

/*
 * Is the step at row id (l as the rules take it, from source) the
 * cylinder's?  A delivery key says which device is talking, not that the
 * cylinder it names was ever in its hands, so a device's step joins the
 * cylinder's chain of steps (counts, migration 027) only where the chain's
 * latest step before it (by rule time; steps outside the chain unseen) puts
 * the cylinder in that device's reach:
 *
 *   a hand-over: a dispatch to that device (1), that device's own step
 *     (as that step), or else a licensed fill since the chain's latest step
 *     (the cylinder left a station: a delivery company buys at the counter,
 *     dispatched by no one) or no step at all (the county's first sight of
 *     it): 2, a cycle of C07 for that device's own later steps only, so
 *     that a stranger's step between a fill and its dispatch starts none for
 *     the worker it is dispatched to;
 *   a return naming a household: a hand-over to that household, as that
 *     hand-over when it was the same device's, else loosely (2: another
 *     worker may take the empty back, and so may a stranger who knows the
 *     household's number);
 *   a return naming none: that device's own hand-over (as it), or a
 *     dispatch to it (1: unsold, back on the truck).
 *
 * A station's step is always in the chain (1).  A step outside it (0) is
 * kept and traced, and counts for nothing: no cycle of C07 starts there,
 * C09 does not count it, and a return outside it is not judged.  *counts
 * is kept in the row.
 */
static int
step_counts(struct county_db *c, const char *source, int64_t id, const struct wire_life *l,
    int *counts, char *err, size_t errlen)
{
	char event[WIRE_WORD] = "", by[WIRE_ID + 16] = "", worker[WIRE_ID + 16] = "",
	     buyer[WIRE_BUYER] = "";
	sqlite3_stmt *st = NULL;
	int64_t since = 0, filled = 0;
	int rc, found, level = 0;

	*counts = 1;
	if (strncmp(source, "delivery:", 9) != 0)
		return 0;
	if (prepare(c, &st, err, errlen,
	        "SELECT event, source, worker, buyer, rule_ms, counts FROM life_events"
	        " WHERE serial = ?1 AND counts <> 0 AND id <> ?2"
	        " AND (rule_ms < ?3 OR (rule_ms = ?3 AND id < ?2))"
	        " ORDER BY rule_ms DESC, id DESC LIMIT 1",
	        "tii", l->serial, id, l->at_ms) == -1)
		return -1;
	rc = sqlite3_step(st);
	if ((found = rc == SQLITE_ROW)) {
		store_column_copy(st, 0, event, sizeof(event));
		store_column_copy(st, 1, by, sizeof(by));
		store_column_copy(st, 2, worker, sizeof(worker));
		store_column_copy(st, 3, buyer, sizeof(buyer));
		since = sqlite3_column_int64(st, 4);
		level = sqlite3_column_int(st, 5);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(c, err, errlen, "chain");
	if (found && strcmp(event, "dispatched") == 0 && strcmp(worker, source) == 0 &&
	    (is_event(l, "handed_over") || l->buyer[0] == '\0'))
		*counts = 1;
	else if (is_event(l, "handed_over"))
		*counts = found && strcmp(by, source) == 0 ? level : -1;
	else if (l->buyer[0] != '\0' && strcmp(event, "handed_over") == 0 &&
	         strcmp(buyer, l->buyer) == 0)
		/* another worker's may take the empty back, but only loosely: a
		 * stranger who knows the household's number would otherwise start
		 * a cycle for everyone between a refill and its dispatch */
		*counts = strcmp(by, source) == 0 ? level : 2;
	else if (l->buyer[0] != '\0')
		*counts = 0;
	else
		*counts = strcmp(event, "handed_over") == 0 && strcmp(by, source) == 0 ? level : 0;
	if (*counts == -1) { /* not in the device's reach: its first sight, or a fill since */
		if (found &&
		    (prepare(c, &st, err, errlen,
		         "SELECT EXISTS (SELECT 1 FROM fills WHERE cylinder = ? AND started_ms > ?"
		         " AND started_ms <= ?)",
		         "tii", l->serial, since, l->at_ms) == -1 ||
		        one_int(c, st, 0, &filled, err, errlen, "chain") == -1))
			return -1;
		*counts = !found || filled ? 2 : 0;
	}
	if (prepare(c, &st, err, errlen, "UPDATE life_events SET counts = ? WHERE id = ?", "ii",
	        (int64_t)*counts, id) == -1)
		return -1;
	return run(c, st, err, errlen, "chain");
}

/*
 * A station's step at rule time at (row id) that arrived after a device's
 * steps of serial dated after it (its upload lagged: a fill and dispatch
 * sent after the worker's hand-over): those steps are judged again, in
 * their order, against the chain as it now stands, so that an honest
 * worker's hand-over is not left outside it for good.  At most REJUDGE_MAX
 * of them (a device has at most LIFE_SERIAL_DAY_MAX of one cylinder a day).
 * Alerts already raised stay.
 */
#define REJUDGE_MAX 1000

static int
rejudge_after(struct county_db *c, const char *serial, int64_t at, int64_t id, char *err,
    size_t errlen)
{
	struct later {
		int64_t id;
		char source[WIRE_ID + 16];
		struct wire_life l;
	} *rows = NULL, *more;
	sqlite3_stmt *st = NULL;
	int n = 0, i, rc = SQLITE_DONE, counts;

	if (prepare(c, &st, err, errlen,
	        "SELECT id, source, event, buyer, rule_ms FROM life_events WHERE serial = ?1"
	        " AND (rule_ms > ?2 OR (rule_ms = ?2 AND id > ?3)) AND source LIKE 'delivery:%'"
	        " ORDER BY rule_ms, id LIMIT ?4",
	        "tiii", serial, at, id, (int64_t)REJUDGE_MAX) == -1)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n % 16 == 0) {
			if ((more = realloc(rows, (size_t)(n + 16) * sizeof(*rows))) == NULL)
				break;
			rows = more;
		}
		memset(&rows[n], 0, sizeof(rows[n]));
		rows[n].id = sqlite3_column_int64(st, 0);
		store_column_copy(st, 1, rows[n].source, sizeof(rows[n].source));
		store_column_copy(st, 2, rows[n].l.event, sizeof(rows[n].l.event));
		store_column_copy(st, 3, rows[n].l.buyer, sizeof(rows[n].l.buyer));
		rows[n].l.at_ms = sqlite3_column_int64(st, 4);
		str_copy(rows[n].l.serial, serial, sizeof(rows[n].l.serial));
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(rows);
		return rc == SQLITE_ROW ? err_set(err, errlen, "chain: out of memory")
		                        : db_error(c, err, errlen, "chain");
	}
	for (i = 0; i < n; i++)
		if (step_counts(c, rows[i].source, rows[i].id, &rows[i].l, &counts, err, errlen) ==
		    -1)
			break;
	free(rows);
	return i < n ? -1 : 0;
}

/* What row id's counts says (the sweep's: life_store_counted has it). */
static int
step_counted(struct county_db *c, int64_t id, int *counts, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t n;

	if (prepare(c, &st, err, errlen, "SELECT counts FROM life_events WHERE id = ?", "i", id) ==
	        -1 ||
	    one_int(c, st, 0, &n, err, errlen, "chain") == -1)
		return -1;
	*counts = n != 0;
	return 0;
}

/*
 * Where the cylinder of l (at l->at_ms, its rule time; event row id) last
 * started a cycle before it, by the chain's steps (step_counts) and their
 * rule times (at the same time, one stored before row id: a device's event
 * dated before its previous one is taken at that one's time, C17), other
 * than row id: it came back (a station's receipt, or a return from a named
 * household) or, for a hand-over, it was handed over before (no return
 * between is no fill between: the cylinder went round once more unseen,
 * whichever worker hands it over next; gasdeliver refuses a second scan of
 * one hand-over, so an honest device sends none).  A return naming no
 * household starts nothing: it may be a full one back on the truck.
 * *since_id its row (0 if never); *filled 1 if a licensed station filled it
 * after that and no later than l->at_ms.
 */
#define C07_SINCE_SQL                                                                              \
	"SELECT id, rule_ms FROM life_events WHERE serial = ?1 AND " CYCLE_TERM                    \
	" AND (rule_ms < ?2 OR (rule_ms = ?2 AND id < ?3)) AND id <> ?3"                           \
	" AND (?4 OR event <> 'handed_over') AND (counts = 1 OR source = ?5)"                      \
	" ORDER BY rule_ms DESC, id DESC LIMIT 1"

static int
c07_judge(struct county_db *c, const char *source, const struct wire_life *l, int64_t id,
    int64_t *since_id, int *filled, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t since = 0, n;
	int rc;

	*since_id = 0;
	if (prepare(c, &st, err, errlen, C07_SINCE_SQL, "tiiit", l->serial, l->at_ms, id,
	        (int64_t)is_event(l, "handed_over"), source) == -1)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*since_id = sqlite3_column_int64(st, 0);
		since = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(c, err, errlen, "C07");
	if (prepare(c, &st, err, errlen,
	        "SELECT EXISTS (SELECT 1 FROM fills WHERE cylinder = ? AND started_ms > ?"
	        " AND started_ms <= ?)",
	        "tii", l->serial, since, l->at_ms) == -1 ||
	    one_int(c, st, 0, &n, err, errlen, "C07") == -1)
		return -1;
	*filled = n != 0;
	return 0;
}

static int
c07_raise(struct seen *s, int64_t since_id, char *err, size_t errlen)
{
	const struct wire_life *l = s->l;
	char key[128], text[WIRE_TEXT];

	/* once per cylinder and cycle; a hand-over outside the chain, a
	 * device's word alone, is its own alert, so that it never takes the
	 * cycle's key (and its case) from the hand-over that is the
	 * cylinder's */
	if (s->counts != 0)
		snprintf(key, sizeof(key), "county:C07:%s:%lld", l->serial, (long long)since_id);
	else
		snprintf(key, sizeof(key), "county:C07:%s:%lld:%lld", l->serial,
		    (long long)since_id, (long long)s->id);
	snprintf(text, sizeof(text),
	    is_event(l, "handed_over")
	        ? _("cylinder %s handed over to %s with no fill at a licensed station since it "
	            "last came back: filled at a black point?")
	        : _("cylinder %s returned from %s with no fill at a licensed station since it "
	            "last came back: filled at a black point?"),
	    l->serial, l->buyer_masked[0] != '\0' ? l->buyer_masked : _("a household"));
	return raise(s, "C07", key, s->buyer_town[0] != '\0' ? s->buyer_town : s->township,
	    l->serial, text, err, errlen);
}

/*
 * C07 for the event of s as it stands now: 1 when it is to be raised
 * (*since_id the cycle's start), 0 when not, 2 when it is a return outside
 * the cylinder's chain (step_counts): not judged, as the household it names
 * never had the cylinder as far as the county knows (a hand-over that
 * arrives after it is judged for itself; a cylinder the county first meets
 * at a household return has a past the county never saw).  Every
 * hand-over is judged, in the chain or not.
 */
static int
c07_due(struct seen *s, int64_t *since_id, char *err, size_t errlen)
{
	const struct wire_life *l = s->l;
	int filled = 0;

	*since_id = 0;
	if (!s->counts && is_event(l, "returned"))
		return 2;
	if (c07_judge(s->c, s->source, l, s->id, since_id, &filled, err, errlen) == -1)
		return -1;
	return !filled && (*since_id != 0 || is_event(l, "handed_over"));
}

static int
rule_c07(struct seen *s, char *err, size_t errlen)
{
	const struct wire_life *l = s->l;
	int64_t since_id, grace = (int64_t)s->c->config->c07_grace_min * 60000;
	sqlite3_stmt *st = NULL;
	int due;

	if (!at_door(l))
		return 0;
	/* a return that is not the cylinder's is not judged, now or later */
	if ((due = c07_due(s, &since_id, err, errlen)) != 1)
		return due == -1 ? -1 : 0;
	if (grace <= 0)
		return c07_raise(s, since_id, err, errlen);
	/* the station's fill may still be on its way: judged again when the
	 * grace is over */
	if (prepare(s->c, &st, err, errlen,
	        "INSERT OR IGNORE INTO life_pending (uuid, rule, serial, at_ms, due_ms)"
	        " VALUES (?, 'C07', ?, ?, ?)",
	        "ttii", s->uuid, l->serial, l->at_ms, time_wall_ms() + grace) == -1)
		return -1;
	return run(s->c, st, err, errlen, "C07");
}

/* ---- C08: dispatched and never delivered ------------------------------------------ */

static int
rule_c08(struct seen *s, char *err, size_t errlen)
{
	const struct wire_life *l = s->l;
	int64_t later, days = s->c->config->c08_days, now = time_wall_ms(), at = l->at_ms;
	sqlite3_stmt *st = NULL;

	/* a scrap at a time no other event may carry: at its arrival (WORK_MS) */
	if (is_event(l, "scrapped") && (at < INGEST_EARLIEST_MS || at > now + INGEST_AHEAD_MS))
		at = now;
	/* a later step settles the dispatches before it when it is a station's
	 * (the cylinder is at a station again) or the dispatched worker's own:
	 * another device's word that it handed over or took back a cylinder on
	 * someone else's truck says nothing of where that truck's load went */
	if (prepare(s->c, &st, err, errlen,
	        "DELETE FROM life_pending WHERE rule = 'C08' AND serial = ?1 AND at_ms <= ?2"
	        " AND uuid <> ?3 AND (?4 NOT LIKE 'delivery:%' OR uuid IN (SELECT uuid FROM"
	        " life_events WHERE serial = ?1 AND event = 'dispatched' AND worker = ?4))",
	        "titt", l->serial, at, s->uuid, s->source) == -1 ||
	    run(s->c, st, err, errlen, "C08") == -1)
		return -1;
	if (!is_event(l, "dispatched") || days <= 0)
		return 0;
	/* a later step already held (it came in first) settles this one, as
	 * above: a station's, or the worker's it was dispatched to */
	if (prepare(s->c, &st, err, errlen,
	        "SELECT EXISTS (SELECT 1 FROM life_events WHERE serial = ?1 AND rule_ms > ?2"
	        " AND event <> 'scrapped' AND (source NOT LIKE 'delivery:%' OR source = ?3))"
	        " OR EXISTS (SELECT 1 FROM life_events WHERE serial = ?1 AND event = 'scrapped'"
	        " AND " WORK_MS " > ?2)",
	        "tit", l->serial, l->at_ms, l->worker) == -1 ||
	    one_int(s->c, st, 0, &later, err, errlen, "C08") == -1)
		return -1;
	if (later)
		return 0;
	if (prepare(s->c, &st, err, errlen,
	        "INSERT OR IGNORE INTO life_pending (uuid, rule, serial, at_ms, due_ms)"
	        " VALUES (?, 'C08', ?, ?, ?)",
	        "ttii", s->uuid, l->serial, l->at_ms, l->at_ms + days * DAY_MS) == -1)
		return -1;
	return run(s->c, st, err, errlen, "C08");
}

/* ---- C09: a household over its limits at the door --------------------------------- */

/* How many of a household's latest hand-overs C09 looks through for what
 * it holds now. */
#define HOLD_LOOK_MAX 1000

static int
rule_c09(struct seen *s, char *err, size_t errlen)
{
	const struct county_config *cf = s->c->config;
	const struct wire_life *l = s->l;
	int business = strcmp(l->buyer_kind, "business") == 0;
	int hold = business ? cf->c09_business_hold : cf->c09_household_hold;
	int max = business ? cf->c02_business_max : cf->c02_household_max;
	int64_t held, recent;
	sqlite3_stmt *st = NULL;
	char key[160], text[WIRE_TEXT];
	const char *town = s->buyer_town[0] != '\0' ? s->buyer_town : s->township;

	/* a hand-over outside the cylinder's chain is a device's word alone:
	 * it is kept, and C07 judges it, but it counts for no household */
	if (!is_event(l, "handed_over") || !s->counts)
		return 0;
	if (hold > 0) {
		/* what the household holds now: the cylinders whose chain's
		 * latest step (step_counts) is a hand-over to it; one taken back,
		 * received at a station's counter, or handed over to another
		 * household since, is no longer its, nor one any device says it
		 * took back from it (a return that arrived before the hand-over
		 * it follows stays outside the chain, and would keep the
		 * cylinder the household's).  Among its latest
		 * HOLD_LOOK_MAX hand-overs: a household takes tens a year, and
		 * each is one look-up here. */
		if (prepare(s->c, &st, err, errlen,
		        "SELECT count(*) FROM (SELECT DISTINCT serial FROM (SELECT serial FROM"
		        " life_events WHERE buyer = ?1 AND buyer <> '' AND event = 'handed_over'"
		        " AND counts <> 0 ORDER BY rule_ms DESC LIMIT ?2)) h"
		        " WHERE (SELECT q.event = 'handed_over' AND q.buyer = ?1 FROM life_events q"
		        " WHERE q.serial = h.serial"
		        " AND (q.counts <> 0 OR (q.event = 'returned' AND q.buyer = ?1))"
		        " ORDER BY q.rule_ms DESC, q.id DESC LIMIT 1)",
		        "ti", l->buyer, (int64_t)HOLD_LOOK_MAX) == -1 ||
		    one_int(s->c, st, 0, &held, err, errlen, "C09") == -1)
			return -1;
		if (held > hold) {
			snprintf(key, sizeof(key), "county:C09:hold:%s:%lld", s->source,
			    (long long)s->id);
			snprintf(text, sizeof(text),
			    business
			        ? _("business %s holds %lld cylinders handed over at its door "
			            "and not taken back (at most %d)")
			        : _("household %s holds %lld cylinders handed over at its door "
			            "and not taken back (at most %d)"),
			    l->buyer_masked[0] != '\0' ? l->buyer_masked : _("(no masked form)"),
			    (long long)held, hold);
			if (raise(s, "C09", key, town, "", text, err, errlen) == -1)
				return -1;
		}
	}
	if (max > 0 && cf->c02_days > 0) {
		if (prepare(s->c, &st, err, errlen,
		        "SELECT count(*) FROM (SELECT 1 FROM life_events WHERE buyer = ? AND buyer <> ''"
		        " AND event = 'handed_over' AND counts <> 0 AND rule_ms > ? AND rule_ms <= ? LIMIT ?)",
		        "tiii", l->buyer, l->at_ms - (int64_t)cf->c02_days * DAY_MS, l->at_ms,
		        (int64_t)max + 1) == -1 ||
		    one_int(s->c, st, 0, &recent, err, errlen, "C09") == -1)
			return -1;
		if (recent > max) {
			snprintf(key, sizeof(key), "county:C09:door:%s:%lld", s->source,
			    (long long)s->id);
			snprintf(text, sizeof(text),
			    business
			        ? _("business %s took more than %d cylinders at the door in %d "
			            "days")
			        : _("household %s took more than %d cylinders at the door in %d "
			            "days"),
			    l->buyer_masked[0] != '\0' ? l->buyer_masked : _("(no masked form)"),
			    max, cf->c02_days);
			if (raise(s, "C09", key, town, "", text, err, errlen) == -1)
				return -1;
		}
	}
	return 0;
}

/* ---- C10, C11: seen past inspection, seen after scrap ----------------------------- */

static int
rule_c10_c11(struct seen *s, char *err, size_t errlen)
{
	const struct wire_life *l = s->l;
	sqlite3_stmt *st = NULL;
	char status[WIRE_WORD] = "", next[WIRE_DATE] = "", today[WIRE_DATE], key[160],
	     text[WIRE_TEXT];
	const char *town = at_door(l) && s->buyer_town[0] != '\0' ? s->buyer_town : s->township;
	int64_t updated = 0, scrapped_ms = -1;
	int rc;

	if (is_event(l, "scrapped"))
		return 0;
	if (prepare(s->c, &st, err, errlen,
	        "SELECT status, next_inspection, updated_ms FROM registry WHERE serial = ?", "t",
	        l->serial) == -1)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		store_column_copy(st, 0, status, sizeof(status));
		store_column_copy(st, 1, next, sizeof(next));
		updated = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(s->c, err, errlen, "registry");

	/* C11: scrapped before this step happened; a scrap at the time it carries,
	 * or at its arrival when that time is one no other event may carry
	 * (WORK_MS: a clock far ahead would otherwise hide every step until
	 * then, one reset to 1970 make every step a C11) */
	if (prepare(s->c, &st, err, errlen,
	        "SELECT min(" WORK_MS ") FROM life_events WHERE serial = ? AND event = 'scrapped'",
	        "t", l->serial) == -1 ||
	    one_int(s->c, st, -1, &scrapped_ms, err, errlen, "C11") == -1)
		return -1;
	if (scrapped_ms < 0 && strcmp(status, "scrapped") == 0)
		scrapped_ms = updated; /* scrapped in the registry, not by an event */
	if (scrapped_ms >= 0 && scrapped_ms < l->at_ms) {
		snprintf(key, sizeof(key), "county:C11:%s:%lld", s->source, (long long)s->id);
		snprintf(text, sizeof(text), _("scrapped cylinder %s seen again (%s by %s)"),
		    l->serial, l->event, s->source);
		if (raise(s, "C11", key, town, l->serial, text, err, errlen) == -1)
			return -1;
	}

	/* C10: past its inspection date, except on its way to or back from it */
	if (is_event(l, "inspection_out") || is_event(l, "inspection_back") || next[0] == '\0')
		return 0;
	date_format(timetext_day_number(l->at_ms), today);
	if (strcmp(next, today) >= 0)
		return 0;
	snprintf(key, sizeof(key), "county:C10:%s:%s", l->serial, next);
	snprintf(text, sizeof(text), _("cylinder %s past its inspection date %s, %s on %s by %s"),
	    l->serial, next, l->event, today, s->source);
	return raise(s, "C10", key, town, l->serial, text, err, errlen);
}

/* ---- C12: next inspection beyond the cycle ------------------------------------------- */

/*
 * A passed inspection_back whose next due date lies more than the county's
 * inspection cycle after the inspection's own local date (a day to spare,
 * as for the hard bound in life_check: the station's day may be ahead of
 * the county's).  Only alerted: the event is stored and the registry
 * follows it, so an honest station's upload never stops on it.
 */
static int
rule_c12(struct seen *s, char *err, size_t errlen)
{
	const struct wire_life *l = s->l;
	int years = s->c->config->inspection_cycle_years;
	char key[160], text[WIRE_TEXT], day[WIRE_DATE], bound[WIRE_DATE];
	int32_t due, inspected;

	if (!is_event(l, "inspection_back") || strcmp(l->result, "pass") != 0 ||
	    l->next_due[0] == '\0' || years <= 0 || date_parse(l->next_due, &due) == -1)
		return 0; /* a fail's date is not taken: it scraps the cylinder */
	inspected = timetext_day_number(l->at_ms);
	if (!date_beyond_years(inspected, years, due))
		return 0;
	date_format(inspected, day);
	date_format(date_add_years(inspected, years), bound);
	snprintf(key, sizeof(key), "county:C12:%s:%lld", s->source, (long long)s->id);
	snprintf(text, sizeof(text),
	    _("cylinder %s back from inspection on %s with its next inspection due %s, beyond "
	      "the county's %d-year cycle (%s), sent by %s"),
	    l->serial, day, l->next_due, years, bound, s->source);
	return raise(s, "C12", key, s->township, l->serial, text, err, errlen);
}

/* ---- C13: back from inspection without having been sent there ----------------------- */

/*
 * An inspection_back is only what follows this station's own
 * inspection_out of the cylinder: the cylinder's inspection step before it
 * (by its time, then by arrival) must be an inspection_out from the same
 * source.  Anything else (no inspection_out on record, another station's,
 * or a second return) is a station vouching for an inspection it never
 * sent the cylinder to, which keeps the cylinder out of R05 and C10 at
 * every station: an alert to the sending station's township.  Stored and
 * followed by the registry all the same, as for C12, so an honest station
 * (a cylinder sent out before its gateway was installed) never stops its
 * upload; the case is where a person looks.
 */
static int
rule_c13(struct seen *s, char *err, size_t errlen)
{
	const struct wire_life *l = s->l;
	sqlite3_stmt *st = NULL;
	char key[160], text[WIRE_TEXT], before[WIRE_WORD] = "", by[WIRE_ID] = "";
	int rc;

	if (!is_event(l, "inspection_back"))
		return 0;
	if (prepare(s->c, &st, err, errlen,
	        /* the cylinder's inspection steps alone, not every step it had
	         * (a device's returns of it may be many: migration 026) */
	        "SELECT event, source FROM life_events INDEXED BY life_events_serial_event"
	        " WHERE serial = ? AND id <> ? AND rule_ms <= ?"
	        " AND event IN ('inspection_out', 'inspection_back')"
	        " ORDER BY rule_ms DESC, id DESC LIMIT 1",
	        "tii", l->serial, s->id, l->at_ms) == -1)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		store_column_copy(st, 0, before, sizeof(before));
		store_column_copy(st, 1, by, sizeof(by));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(s->c, err, errlen, "C13");
	if (strcmp(before, "inspection_out") == 0 && strcmp(by, s->source) == 0)
		return 0;
	snprintf(key, sizeof(key), "county:C13:%s:%lld", s->source, (long long)s->id);
	if (before[0] == '\0')
		snprintf(text, sizeof(text),
		    _("cylinder %s back from inspection at %s, which the county never saw send it "
		      "there (no inspection_out on record)"),
		    l->serial, s->source);
	else
		snprintf(text, sizeof(text),
		    _("cylinder %s back from inspection at %s, which did not send it there (its "
		      "last inspection step: %s by %s)"),
		    l->serial, s->source, before, by);
	return raise(s, "C13", key, s->township, l->serial, text, err, errlen);
}

/* ---- the registry ------------------------------------------------------------------ */

/*
 * C15: may the registry follow this event's taking its cylinder out of
 * service?  1 when it may, 0 when the source has taken more than
 * c15_scraps_day cylinders out in the 24 hours before it arrived (this one
 * counted): the event is kept, the registry is left as it was, and an alert
 * to the county names the cylinder for a person to confirm (gascounty
 * registry set).  A station holding a real key could otherwise scrap every
 * cylinder the county registered, and every station would refuse to fill
 * them at its next registry pull: a county's supply stopped by one key.
 * The station's own valve is not the county's to open: gasgw keeps a
 * cylinder it scrapped shut until a registry row it pulls after the county
 * took the event says active (records_life_stopped), and the county serves
 * that station the cylinder as scrapped (registry_holds) until a person
 * sets its status (gascounty registry set), whatever else of the row
 * changes meanwhile.
 * Counted by arrival, the county's clock: the event's own time is the
 * station's word.
 */
static int
scrap_within_bound(struct seen *s, char *err, size_t errlen)
{
	const struct wire_life *l = s->l;
	int bound = s->c->config->c15_scraps_day;
	int64_t now = time_wall_ms(), outs = 0;
	sqlite3_stmt *st = NULL;
	char key[160], text[WIRE_TEXT];
	int rc;

	if (bound > 0) {
		if (prepare(s->c, &st, err, errlen,
		        "SELECT count(*) FROM life_events WHERE source = ? AND stored_ms > ?"
		        " AND took_out = 1",
		        "ti", s->source, now - DAY_MS) == -1 ||
		    one_int(s->c, st, 0, &outs, err, errlen, "C15") == -1)
			return -1;
		if (++outs > bound) { /* this one too */
			snprintf(key, sizeof(key), "county:C15:%s:%lld", s->source,
			    (long long)s->id);
			snprintf(text, sizeof(text),
			    _("%s took cylinder %s out of service (%s): %lld cylinders in 24 hours, "
			      "beyond the county's bound of %d; the registry is left as it was until "
			      "the county confirms it (gascounty registry set %s --status scrapped)"),
			    s->source, l->serial,
			    is_event(l, "scrapped") ? _("scrapped") : _("failed inspection"),
			    (long long)outs, bound, l->serial);
			/* dated by the county's clock, as counted: the event's time is
			 * the station's word (a scrap is taken at any time it gives) */
			const struct county_alert a = { key, "C15", "alert", "county", s->source,
				"", "", text, now };

			if ((rc = county_raise_alert(s->c, &a, err, errlen)) == -1)
				return -1;
			s->alerts += rc;
			/* the scrapping station is served it as scrapped until the
			 * county decides (registry_holds) */
			if (prepare(s->c, &st, err, errlen,
			        "INSERT OR IGNORE INTO registry_holds (serial, source, event, at_ms)"
			        " VALUES (?, ?, ?, ?)",
			        "ttii", l->serial, s->source, s->id, now) == -1 ||
			    run(s->c, st, err, errlen, "C15 hold") == -1)
				return -1;
			return 0;
		}
	}
	/* followed: it counts from now on */
	if (prepare(s->c, &st, err, errlen, "UPDATE life_events SET took_out = 1 WHERE id = ?", "i",
	        s->id) == -1 ||
	    run(s->c, st, err, errlen, "C15") == -1)
		return -1;
	return 1;
}

static int
registry_update(struct seen *s, char *err, size_t errlen)
{
	const struct wire_life *l = s->l;
	const struct history_by by = { "life", s->source, s->uuid };
	char day[WIRE_DATE], held[WIRE_DATE] = "";
	sqlite3_stmt *st = NULL;
	int rc, scrapped = 0;

	if (!is_event(l, "scrapped") && !is_event(l, "inspection_back"))
		return 0;
	if (prepare(s->c, &st, err, errlen,
	        "SELECT last_inspection, status = 'scrapped' FROM registry WHERE serial = ?", "t",
	        l->serial) == -1)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		store_column_copy(st, 0, held, sizeof(held));
		scrapped = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(s->c, err, errlen, "registry");
	/* the registry is the county's to fill (registry set, import): an event
	 * changes a cylinder it holds and adds none, or a station's word would
	 * register a cylinder (no C05 for its fills) or, as a county's first
	 * row, turn C05 on for every fill of every station */
	if (rc == SQLITE_DONE)
		return 0;
	if (is_event(l, "scrapped")) {
		if (!scrapped && (rc = scrap_within_bound(s, err, errlen)) <= 0)
			return rc;
		return county_registry_write(s->c, l->serial, "scrapped", NULL, NULL, NULL, &by,
		    err, errlen);
	}
	date_format(timetext_day_number(l->at_ms), day);
	if (strcmp(held, day) > 0)
		return 0; /* a later inspection is held already: this one came in late */
	/* a cylinder that failed is out of service: scrapped, and the next due
	 * date its return carries (gasctl asks one of every return) is not
	 * believed, or it would fill at every station until that date */
	if (strcmp(l->result, "fail") == 0) {
		if (!scrapped && (rc = scrap_within_bound(s, err, errlen)) <= 0)
			return rc;
		return county_registry_write(s->c, l->serial, "scrapped", day, NULL, NULL, &by, err,
		    errlen);
	}
	return county_registry_write(s->c, l->serial, NULL, day, l->next_due, NULL, &by, err,
	    errlen);
}

/* ---- transactions ------------------------------------------------------------------- */

/*
 * Open a transaction for name: the caller's, through a savepoint, when one
 * is open (county_ingest's), else a new one (store_begin: a writer's).
 * *own says which, for txn_end.
 */
static int
txn_begin(struct county_db *c, const char *name, int *own, char *err, size_t errlen)
{
	char sql[64];

	*own = sqlite3_get_autocommit(c->db) != 0;
	if (*own)
		return store_begin(c->db, err, errlen);
	snprintf(sql, sizeof(sql), "SAVEPOINT %s", name);
	return store_exec(c->db, sql, err, errlen);
}

/* Commit (ok) or undo everything since txn_begin. */
static int
txn_end(struct county_db *c, const char *name, int own, int ok, char *err, size_t errlen)
{
	char sql[96];

	if (own) {
		if (ok && store_commit(c->db, err, errlen) == 0)
			return 0;
		store_rollback(c->db);
		return -1;
	}
	if (ok) {
		snprintf(sql, sizeof(sql), "RELEASE %s", name);
		if (store_exec(c->db, sql, err, errlen) == 0)
			return 0;
	}
	snprintf(sql, sizeof(sql), "ROLLBACK TO %s; RELEASE %s", name, name);
	store_exec(c->db, sql, NULL, 0);
	return -1;
}

/* ---- C17: a delivery device's time --------------------------------------------------- */

/* How far before its previous event a device's event may be dated: a
 * clock set back a little (the network's time taken again) is no fault. */
#define ORDER_SLACK_MS (10 * 60000LL)

enum { TIME_IN_BOUND, TIME_TOO_OLD, TIME_OUT_OF_ORDER };

/* The time the rules take an event at, and why (device_time). */
struct device_time {
	int64_t now;               /* when the county received it (its stored_ms) */
	int64_t rule_ms;           /* the time the rules take it at (its rule_ms) */
	int64_t prev_seq, prev_ms; /* the source's latest event held: highest seq (0: none) */
	int why;                   /* TIME_... */
};

/*
 * The time the rules take r at, from source (migration 023, C17).  A
 * station's: its own, as sent (C14 judges a station's clock at every
 * heartbeat, and a station's backlog may honestly be weeks old).  A
 * delivery device's time is what the worker's phone says, and a device
 * that dates a hand-over back to just after the cylinder's last licensed
 * fill keeps C07 quiet, one that spreads hand-overs into the past keeps
 * them out of C09's window.  So, with life_max_delay_h set, the rules take
 * it at its own time bounded: not before life_max_delay_h before the
 * county received it (older: TIME_TOO_OLD, taken at that bound, so that
 * an honest device offline a little longer does not put its next events
 * out of order); not before the device's floor, the latest rule time
 * given any of its events (delivery_marks floor_ms, migration 025: a
 * device that left a gap in its seqs, or sent one seq far ahead, is held
 * to all it sent since; more than ORDER_SLACK_MS before it:
 * TIME_OUT_OF_ORDER; within the slack it is taken at the floor, so that a
 * device's rule times only run forward and cannot be walked back a few
 * minutes an event); never after its arrival (a clock ahead is taken
 * at the arrival, so that it does not put the device's next honest events
 * out of order).  An honest device offline for a day or two sends its
 * events in order and well within the bound: taken at their own times.
 */
static int
device_time(struct county_db *c, const char *source, const struct wire_record *r,
    struct device_time *dt, char *err, size_t errlen)
{
	int64_t at = r->life.at_ms, delay = (int64_t)c->config->life_max_delay_h * 3600000;
	sqlite3_stmt *st = NULL;
	int rc;

	memset(dt, 0, sizeof(*dt));
	dt->now = time_wall_ms();
	dt->rule_ms = at;
	if (strncmp(source, "delivery:", 9) != 0 || delay <= 0)
		return 0;
	/* the device's floor, whatever this one's seq: a device that left a gap
	 * in its seqs and fills it later, or sent one seq far ahead and goes on
	 * below it, is held to the latest rule time it was given (until 7 Dec
	 * 2026 the highest seq's, which that one event kept in the past) */
	if (prepare(c, &st, err, errlen,
	        "SELECT floor_seq, floor_ms FROM delivery_marks WHERE source = ? AND floor_seq > 0",
	        "t", source) == -1)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		dt->prev_seq = sqlite3_column_int64(st, 0);
		dt->prev_ms = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(c, err, errlen, "C17");
	if (at < dt->now - delay) {
		dt->why = TIME_TOO_OLD;
		dt->rule_ms = dt->now - delay;
	} else if (dt->prev_seq > 0 && at < dt->prev_ms - ORDER_SLACK_MS) {
		dt->why = TIME_OUT_OF_ORDER;
	}
	/* never before the device's latest: the rule times of a device run
	 * forward, so that events a few minutes apart (within the slack) cannot
	 * walk its time back step by step */
	if (dt->prev_seq > 0 && dt->rule_ms < dt->prev_ms)
		dt->rule_ms = dt->prev_ms;
	if (dt->rule_ms > dt->now)
		dt->rule_ms = dt->now;
	return 0;
}

/* A delivery device's floor (device_time) raised to the rule time of the
 * event just stored at seq, in the same transaction: never lowered. */
static int
device_floor_raise(struct county_db *c, const char *source, int64_t seq, int64_t rule_ms, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;

	if (strncmp(source, "delivery:", 9) != 0)
		return 0;
	if (prepare(c, &st, err, errlen,
	        "INSERT INTO delivery_marks (source, hwm, floor_ms, floor_seq) VALUES (?1, 0, ?2, ?3)"
	        " ON CONFLICT (source) DO UPDATE SET floor_ms = ?2, floor_seq = ?3"
	        " WHERE ?2 >= floor_ms",
	        "tii", source, rule_ms, seq) == -1)
		return -1;
	return run(c, st, err, errlen, "C17");
}

/*
 * C17: a delivery device's event dated outside its bound (device_time),
 * to the county's queue as C16 (a device's doing, not a township's), at
 * most once per device in 24 hours of the county's clock (delivery_marks
 * c17_ms): one case for a device whose clock is wrong, not one per event.
 * The event is stored as sent and judged at its bounded time all the same.
 */
static int
rule_c17(struct seen *s, const struct wire_record *r, const struct device_time *dt, char *err,
    size_t errlen)
{
	char key[160], text[WIRE_TEXT], sent[TIMETEXT_MAX], got[TIMETEXT_MAX], prev[TIMETEXT_MAX],
	    judged[TIMETEXT_MAX];
	const struct wire_life *l = &r->life;
	sqlite3_stmt *st = NULL;
	int64_t last;
	int rc;

	if (dt->why == TIME_IN_BOUND)
		return 0;
	if (prepare(s->c, &st, err, errlen, "SELECT c17_ms FROM delivery_marks WHERE source = ?",
	        "t", s->source) == -1 ||
	    one_int(s->c, st, 0, &last, err, errlen, "C17") == -1)
		return -1;
	/* a clock stepped back keeps the one raised (as quota.c's window) */
	if (last > 0 && dt->now - last < DAY_MS)
		return 0;
	timetext_format(l->at_ms, TIMETEXT_PERSON, sent);
	timetext_format(dt->now, TIMETEXT_PERSON, got);
	timetext_format(dt->rule_ms, TIMETEXT_PERSON, judged);
	if (dt->why == TIME_TOO_OLD) {
		snprintf(text, sizeof(text),
		    _("delivery device %s sent a %s of cylinder %s (seq %lld) dated %s, received %s: "
		      "more than %d hours before it arrived; stored as sent, judged by the county's "
		      "rules at %s"),
		    s->source, l->event, l->serial, (long long)r->seq, sent, got,
		    s->c->config->life_max_delay_h, judged);
	} else {
		timetext_format(dt->prev_ms, TIMETEXT_PERSON, prev);
		snprintf(text, sizeof(text),
		    _("delivery device %s sent a %s of cylinder %s (seq %lld) dated %s, received %s: "
		      "before its previous event (seq %lld, %s); stored as sent, judged by the "
		      "county's rules at %s"),
		    s->source, l->event, l->serial, (long long)r->seq, sent, got,
		    (long long)dt->prev_seq, prev, judged);
	}
	snprintf(key, sizeof(key), "county:C17:%s:%lld", s->source, (long long)r->seq);
	const struct county_alert a = { key, "C17", "alert", "county", s->source, "", "", text,
		dt->now };

	if ((rc = county_raise_alert(s->c, &a, err, errlen)) == -1)
		return -1;
	s->alerts += rc;
	if (prepare(s->c, &st, err, errlen,
	        "INSERT INTO delivery_marks (source, hwm, c17_ms) VALUES (?1, 0, ?2)"
	        " ON CONFLICT (source) DO UPDATE SET c17_ms = ?2",
	        "ti", s->source, dt->now) == -1)
		return -1;
	return run(s->c, st, err, errlen, "C17");
}

/* ---- storing ------------------------------------------------------------------------ */

/* A life_events row as read_event takes it. */
#define EVENT_COLUMNS                                                                              \
	"id, source, seq, uuid, event, serial, code, actor, worker, buyer, buyer_masked,"          \
	" buyer_township, buyer_kind, village, lat, lon, result, next_due, reason, at_ms,"         \
	" stored_ms"

static void
read_event(sqlite3_stmt *st, struct life_event *ev)
{
	struct wire_life *l = &ev->life;

	memset(ev, 0, sizeof(*ev));
	ev->id = sqlite3_column_int64(st, 0);
	store_column_copy(st, 1, ev->source, sizeof(ev->source));
	ev->seq = sqlite3_column_int64(st, 2);
	store_column_copy(st, 3, ev->uuid, sizeof(ev->uuid));
	store_column_copy(st, 4, l->event, sizeof(l->event));
	store_column_copy(st, 5, l->serial, sizeof(l->serial));
	store_column_copy(st, 6, l->code, sizeof(l->code));
	store_column_copy(st, 7, l->actor, sizeof(l->actor));
	store_column_copy(st, 8, l->worker, sizeof(l->worker));
	store_column_copy(st, 9, l->buyer, sizeof(l->buyer));
	store_column_copy(st, 10, l->buyer_masked, sizeof(l->buyer_masked));
	store_column_copy(st, 11, l->buyer_township, sizeof(l->buyer_township));
	store_column_copy(st, 12, l->buyer_kind, sizeof(l->buyer_kind));
	store_column_copy(st, 13, l->village, sizeof(l->village));
	if (sqlite3_column_type(st, 14) != SQLITE_NULL &&
	    sqlite3_column_type(st, 15) != SQLITE_NULL) {
		l->has_position = 1;
		l->lat = sqlite3_column_double(st, 14);
		l->lon = sqlite3_column_double(st, 15);
	}
	store_column_copy(st, 16, l->result, sizeof(l->result));
	store_column_copy(st, 17, l->next_due, sizeof(l->next_due));
	store_column_copy(st, 18, l->reason, sizeof(l->reason));
	l->at_ms = sqlite3_column_int64(st, 19);
	ev->stored_ms = sqlite3_column_int64(st, 20);
}

/*
 * The event held at (source, seq) or, when none is, the one holding uuid
 * (uuid NULL: only the first): 1 with it in *ev and its digest
 * (county_life_digest) in digest, 0 when none.
 */
static int
held_event(struct county_db *c, const char *source, int64_t seq, const char *uuid,
    struct life_event *ev, char digest[65], char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	/* asked once per record a station sends: kept prepared (store_cached) */
	if (store_cached(c->db,
	        "SELECT " EVENT_COLUMNS " FROM life_events WHERE source = ? AND seq = ?"
	        " ORDER BY id LIMIT 1",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE && uuid != NULL) {
		store_release(st);
		if (store_cached(c->db, "SELECT " EVENT_COLUMNS " FROM life_events WHERE uuid = ?",
		        &st, err, errlen) == -1)
			return -1;
		sqlite3_bind_text(st, 1, uuid, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW)
		read_event(st, ev);
	store_release(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return db_error(c, err, errlen, "held life event");
	if (county_life_digest(ev->seq, ev->uuid, &ev->life, digest, err, errlen) == -1)
		return -1;
	return 1;
}

int
life_held_at(struct county_db *c, const char *source, int64_t seq, char uuid[WIRE_UUID],
    char digest[65], char *err, size_t errlen)
{
	struct life_event ev;
	int rc = held_event(c, source, seq, NULL, &ev, digest, err, errlen);

	if (rc == 1)
		str_copy(uuid, ev.uuid, WIRE_UUID);
	return rc;
}

/*
 * r against what source holds at its seq or by its uuid: 0 when nothing
 * is (store it), 1 when the same event is (a retransmission), 2 when
 * another is (a conflict, recorded once per version sent up to a bound,
 * C06 raised: db.h county_conflict; the first is kept): 3 when that other
 * is another event (another uuid) at r's seq, so r itself is nowhere here.
 */
static int
judge_resend(struct county_db *c, const char *source, const struct wire_record *r, int *new_alerts,
    char *err, size_t errlen)
{
	struct county_conflict k;
	struct life_event held;
	char held_digest[65], sent_digest[65];
	int rc;

	if ((rc = held_event(c, source, r->seq, r->uuid, &held, held_digest, err, errlen)) != 1)
		return rc;
	if (county_life_digest(r->seq, r->uuid, &r->life, sent_digest, err, errlen) == -1)
		return -1;
	if (strcmp(held.source, source) == 0 && strcmp(held_digest, sent_digest) == 0)
		return 1; /* seq and uuid are in the digest */
	k = (struct county_conflict){ source, strncmp(source, "delivery:", 9) == 0 ? "" : source,
		held.source, r->seq, held.seq, held.uuid, held_digest, r->uuid, sent_digest, NULL,
		time_wall_ms() };
	if (county_conflict(c, &k, new_alerts, err, errlen) == -1)
		return -1;
	return strcmp(held.uuid, r->uuid) != 0 ? 3 : 2;
}

static int
insert_event(struct county_db *c, const char *source, const struct wire_record *r, int64_t now,
    int64_t rule_ms, int64_t *id, char *err, size_t errlen)
{
	const struct wire_life *l = &r->life;
	sqlite3_stmt *st = NULL;
	int rc;

	if (prepare(c, &st, err, errlen,
	        "INSERT OR IGNORE INTO life_events (source, seq, uuid, event, serial, code, actor,"
	        " worker, buyer, buyer_masked, buyer_township, buyer_kind, village, result,"
	        " next_due, reason, at_ms, stored_ms, rule_ms, lat, lon)"
	        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
	        "tittttttttttttttiii", source, r->seq, r->uuid, l->event, l->serial, l->code,
	        l->actor, l->worker, l->buyer, l->buyer_masked, l->buyer_township, l->buyer_kind,
	        l->village, l->result, l->next_due, l->reason, l->at_ms, now, rule_ms) == -1)
		return -1;
	if (l->has_position) {
		sqlite3_bind_double(st, 20, l->lat);
		sqlite3_bind_double(st, 21, l->lon);
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(c, err, errlen, "life event");
	*id = sqlite3_changes(c->db) > 0 ? sqlite3_last_insert_rowid(c->db) : 0;
	return 0;
}

int
life_store_counted(struct county_db *c, const char *source, const struct wire_record *r,
    int *new_alerts, char *err, size_t errlen)
{
	struct device_time dt;
	struct wire_life judged;
	struct seen s;
	char why[256];
	int own, ok, held;

	*new_alerts = 0;
	if (life_check(r, err, errlen) == -1)
		return -2;
	if (life_source_check(source, r, why, sizeof(why)) == -1) {
		err_set(err, errlen, "seq %lld: %s", (long long)r->seq, why);
		return -2;
	}
	memset(&s, 0, sizeof(s));
	s.c = c;
	s.source = source;
	s.uuid = r->uuid;
	/* the rules take the event at its rule time (device_time); the row keeps
	 * the time as sent */
	judged = r->life;
	s.l = &judged;
	if (txn_begin(c, "life", &own, err, errlen) == -1)
		return -1;
	if ((held = judge_resend(c, source, r, new_alerts, err, errlen)) == -1)
		return txn_end(c, "life", own, 0, err, errlen);
	if (held > 0) { /* held already (or another at its place): nothing to judge again */
		if (txn_end(c, "life", own, 1, err, errlen) == -1)
			return -1;
		return held == 3 ? 2 : 0;
	}
	if (device_time(c, source, r, &dt, err, errlen) == -1)
		return txn_end(c, "life", own, 0, err, errlen);
	judged.at_ms = dt.rule_ms;
	if (insert_event(c, source, r, dt.now, dt.rule_ms, &s.id, err, errlen) == -1 ||
	    device_floor_raise(c, source, r->seq, dt.rule_ms, err, errlen) == -1)
		return txn_end(c, "life", own, 0, err, errlen);
	if (s.id == 0) /* judge_resend saw none: cannot be, but never judged twice */
		return txn_end(c, "life", own, 1, err, errlen);
	if (step_counts(c, source, s.id, &judged, &s.counts, err, errlen) == -1 ||
	    (strncmp(source, "delivery:", 9) != 0 &&
	        rejudge_after(c, judged.serial, judged.at_ms, s.id, err, errlen) == -1))
		return txn_end(c, "life", own, 0, err, errlen);
	ok = rule_c17(&s, r, &dt, err, errlen) == 0 &&
	     buyer_as_registered(c, &judged, err, errlen) == 0 &&
	     source_township(c, source, s.township, sizeof(s.township), err, errlen) == 0 &&
	     buyer_township(c, source, s.l, s.buyer_town, sizeof(s.buyer_town), err, errlen) == 0 &&
	     registry_update(&s, err, errlen) == 0 && rule_c07(&s, err, errlen) == 0 &&
	     rule_c08(&s, err, errlen) == 0 && rule_c09(&s, err, errlen) == 0 &&
	     rule_c10_c11(&s, err, errlen) == 0 && rule_c12(&s, err, errlen) == 0 &&
	     rule_c13(&s, err, errlen) == 0;
	if (txn_end(c, "life", own, ok, err, errlen) == -1)
		return -1;
	*new_alerts = s.alerts;
	return 1;
}

int
life_store(struct county_db *c, const char *source, const struct wire_record *r, char *err,
    size_t errlen)
{
	int alerts, rc = life_store_counted(c, source, r, &alerts, err, errlen);

	return rc == 2 ? 0 : rc;
}

/* ---- reading ------------------------------------------------------------------------- */

int
life_for_cylinder(struct county_db *c, const char *serial, life_callback cb, void *arg, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	struct life_event ev;
	int rc, stop = 0;

	if (prepare(c, &st, err, errlen,
	        "SELECT " EVENT_COLUMNS " FROM life_events WHERE serial = ? ORDER BY at_ms, id",
	        "t", serial) == -1)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_event(st, &ev);
		if ((stop = cb(&ev, arg)) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (stop != 0)
		return stop;
	return rc == SQLITE_DONE ? 0 : db_error(c, err, errlen, "life events");
}

/* ---- the sweep ----------------------------------------------------------------------- */

/* The pending row's event as it was stored, for judging it again: at its
 * rule time (rule_ms), as when it was stored. */
static int
pending_event(struct county_db *c, const char *uuid, char *source, size_t source_size,
    struct wire_life *l, int64_t *id, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	memset(l, 0, sizeof(*l));
	if (prepare(c, &st, err, errlen,
	        "SELECT id, source, event, serial, buyer, buyer_masked, buyer_township, rule_ms"
	        " FROM life_events WHERE uuid = ?",
	        "t", uuid) == -1)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		store_column_copy(st, 1, source, source_size);
		store_column_copy(st, 2, l->event, sizeof(l->event));
		store_column_copy(st, 3, l->serial, sizeof(l->serial));
		store_column_copy(st, 4, l->buyer, sizeof(l->buyer));
		store_column_copy(st, 5, l->buyer_masked, sizeof(l->buyer_masked));
		store_column_copy(st, 6, l->buyer_township, sizeof(l->buyer_township));
		l->at_ms = sqlite3_column_int64(st, 7);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(c, err, errlen, "life event");
	return rc == SQLITE_ROW;
}

static int
sweep_one(struct county_db *c, const char *uuid, const char *rule, int *alerts, char *err,
    size_t errlen)
{
	char source[WIRE_ID + 16], text[WIRE_TEXT], key[128], when[TIMETEXT_MAX];
	struct wire_life l;
	struct seen s;
	int64_t since_id, id = 0;
	int due, rc;

	if ((rc = pending_event(c, uuid, source, sizeof(source), &l, &id, err, errlen)) != 1)
		return rc;
	memset(&s, 0, sizeof(s));
	s.id = id;
	s.c = c;
	s.source = source;
	s.uuid = uuid;
	s.l = &l;
	if (buyer_as_registered(c, &l, err, errlen) == -1 ||
	    source_township(c, source, s.township, sizeof(s.township), err, errlen) == -1 ||
	    buyer_township(c, source, &l, s.buyer_town, sizeof(s.buyer_town), err, errlen) == -1)
		return -1;
	if (strcmp(rule, "C07") == 0) {
		if ((due = step_counted(c, id, &s.counts, err, errlen)) == -1 ||
		    (due = c07_due(&s, &since_id, err, errlen)) == -1 ||
		    (due == 1 && c07_raise(&s, since_id, err, errlen) == -1))
			return -1;
	} else {
		timetext_format(l.at_ms, TIMETEXT_PERSON, when);
		snprintf(key, sizeof(key), "county:C08:%s", uuid);
		snprintf(text, sizeof(text),
		    _("cylinder %s dispatched by %s on %s, neither handed over nor returned in %d "
		      "days"),
		    l.serial, source, when, c->config->c08_days);
		l.buyer_masked[0] = '\0';
		if (raise(&s, "C08", key, s.township, l.serial, text, err, errlen) == -1)
			return -1;
	}
	*alerts += s.alerts;
	return 0;
}

int
life_sweep(struct county_db *c, int64_t now_ms, int *new_alerts, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char uuid[WIRE_UUID], rule[8];
	int rc, alerts = 0, own;

	*new_alerts = 0;
	if (txn_begin(c, "life_sweep", &own, err, errlen) == -1)
		return -1;
	for (;;) {
		/* one at a time: judging a row reads the tables the walk would hold */
		if (prepare(c, &st, err, errlen,
		        "SELECT uuid, rule FROM life_pending WHERE due_ms <= ? ORDER BY due_ms"
		        " LIMIT 1",
		        "i", now_ms) == -1)
			goto fail;
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			store_column_copy(st, 0, uuid, sizeof(uuid));
			store_column_copy(st, 1, rule, sizeof(rule));
		}
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_ROW) {
			db_error(c, err, errlen, "life sweep");
			goto fail;
		}
		if (sweep_one(c, uuid, rule, &alerts, err, errlen) == -1)
			goto fail;
		if (prepare(c, &st, err, errlen, "DELETE FROM life_pending WHERE uuid = ?", "t",
		        uuid) == -1 ||
		    run(c, st, err, errlen, "life sweep") == -1)
			goto fail;
	}
	if (txn_end(c, "life_sweep", own, 1, err, errlen) == -1)
		return -1;
	*new_alerts = alerts;
	return 0;
fail:
	return txn_end(c, "life_sweep", own, 0, err, errlen);
}
