/*
 * county db: everything the county stores and reads (ingest, county rules,
 * alerts, dispositions, traces and their audit, the station list, the
 * registry).
 *
 * It never touches the network, so that the storage rules (idempotent by
 * (station, seq) and uuid, answer only after commit) can be tested and
 * benchmarked without DTLS.  Who may call what is not decided here but by
 * access.h; a function that must keep a caller inside its tenant takes the
 * access_scope access_decide gave that caller.
 *
 * Return conventions, the same for every function here:
 *   - an action returns 0 when done, -1 on a database error (err says why,
 *     and nothing was changed: every write is one transaction);
 *   - a look-up returns 1 when found (out filled), 0 when there is no such
 *     thing (out empty), -1 on a database error (err says why);
 *   - an action that can also be refused for what it names returns an
 *     enum county_result.
 * Out-parameters that own memory are freed with the wire_*_free of their
 * type; after a failure they hold nothing to free.
 */
#ifndef COUNTY_DB_H
#define COUNTY_DB_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "access.h"
#include "countyconf.h"
#include "history.h"
#include "wire.h"

struct county_db {
	sqlite3 *db;
	const struct county_config *config;
	/* The county's identities: a township is one of this county when it
	 * has an identity township:CODE here.  NULL: every township is (a
	 * library used without identities, as the benchmarks do). */
	const struct psk_table *identities;
};

/* The outcome of an action that names a thing (an alert, later a case). */
enum county_result {
	COUNTY_ERROR = -1,       /* the database failed: err says why; nothing changed */
	COUNTY_DONE = 0,         /* done and committed */
	COUNTY_NOT_FOUND = 1,    /* no such thing: nothing changed */
	COUNTY_OUT_OF_SCOPE = 2, /* it exists but outside the caller's scope: nothing changed */
	COUNTY_REFUSED = 3,      /* what the caller sent cannot be true: err names the
	                          * record and field; nothing changed */
	COUNTY_BUSY = 4,         /* the caller is over a bound for now (quota.h): err says
	                          * until when; nothing changed */
};

/*
 * Store a batch from station (the DTLS identity's name, never the payload's
 * claim) in one transaction: records by insert-or-ignore, their fills and
 * violations, alerts for alert/critical violations, county rules C01, C02
 * and C05 on new fills, C06 and a conflicts row for a resend that does not
 * match what is held, up to county_conflict's bound (session, a text
 * naming the DTLS session, goes into that row).  COUNTY_DONE: *ack holds
 * the station's highest contiguous seq after the commit and *new_alerts
 * how many alerts were raised.  COUNTY_REFUSED: a record cannot be true
 * (ingestcheck.h; a seq more than max_seq_jump beyond the station's mark;
 * a township this county does not know), err names it.  COUNTY_ERROR: the
 * database failed.  On either failure nothing is stored.
 *
 * Only station rules are taken from a station, each with the severity and
 * route of the county's table (ingestcheck.h); alerts go to the station's
 * township as the county holds it (fixed at its first contact) or to the
 * buyer's township as first registered in this county by a station
 * (COUNTY_BUYER_SET_SQL).
 *
 * COUNTY_BUSY: the station is over its records_day_max (quota.h) until the
 * time err names; nothing stored.  The batch that passes the bound is
 * stored, counted and raises C16.
 */
enum county_result county_ingest(struct county_db *c, const char *station, const char *session,
    const struct wire_batch *batch, struct wire_ack *ack, int *new_alerts, char *err,
    size_t errlen);

/* Look-up: the station's current high-water mark (*hwm 0 for a station
 * never seen, and 0 returned). */
int county_hwm(struct county_db *c, const char *station, int64_t *hwm, char *err, size_t errlen);

/* Look-up: how many of the station's records the county holds, counted as
 * its mark hwm (1..hwm are all held) and the rows above it (review rev96:
 * behind a record the station set aside the mark stops, and the station
 * learns from this whether the county lost records above it).  For the
 * station's own mark, read from its row (stations.held, migration 033:
 * kept by triggers as rows are stored), the mark alone when nothing is
 * held above it; for another mark, or a station without a row, counted
 * (O(rows above hwm)).  0, or -1 with err. */
int county_held(struct county_db *c, const char *station, int64_t hwm, int64_t *held, char *err,
    size_t errlen);

/* What the county wrote of a station's last written heartbeat, for
 * county_heartbeat_due. */
struct county_beat_last {
	int64_t written_ms;       /* the county's clock as it was written (0: none yet) */
	int64_t early_ms;         /* the last one written early (0: none) */
	int64_t registry_version; /* what it said */
	char status[WIRE_TEXT];
};

enum county_beat {
	COUNTY_BEAT_WRITE, /* written: none within the floor */
	COUNTY_BEAT_EARLY, /* written within the floor: what matters changed */
	COUNTY_BEAT_SKIP,  /* answered without a write */
};

/* Whether heartbeat h, arriving at now (the county's clock), is written,
 * after `last` and with a floor of floor_ms (0: every one written).  Written
 * when nothing was written within the floor before it (or the county's clock
 * went back past the last write); else written early when `changes` (the
 * clock's episode would end or begin without an alert; county_heartbeat
 * writes a heartbeat that raises C14 whatever this says), its
 * registry version or its status beyond the leading "backlog N" differ
 * from the last written ones, unless an early write was made within the
 * floor already; else not written.  A pure function. */
enum county_beat county_heartbeat_due(const struct county_beat_last *last,
    const struct wire_heartbeat *h, int changes, int64_t now, int64_t floor_ms);

/*
 * Store a heartbeat and judge the station's clock by it (C14): the time the
 * station says it made it (at) less the county's clock as it arrives is
 * kept as the station's clock skew, and a skew beyond c14_clock_skew_s
 * raises one C14 alert for the station's township per episode (the episode
 * ends once the skew is back within half the bound; one starting within
 * COUNTY_C14_REPEAT_MS of the station's last C14 raises none).  Any at is
 * taken, 0 and the int64 bounds included: a clock reset to 1970 is what
 * C14 is for.  The station's row (last contact, backlog, status, clock) is
 * written by one statement; the heartbeat itself is kept in `heartbeats`
 * as the newest of its station's minute of the county's clock
 * (COUNTY_HEARTBEAT_SLOT_MS: a heartbeat in a minute that already has one
 * replaces it), so however many a station sends, it holds at most one row
 * a minute (and county_sweep drops rows older than heartbeat_keep_days).
 * One write transaction (judged first in a read one).  A heartbeat that
 * arrives within heartbeat_min_s of the last one written for its station
 * (county_heartbeat_due) is judged and
 * checked as any other, then answered without a write (*written 0): the
 * station's row and its minute keep the last written one's figures, at most
 * that floor stale; one whose status beyond its backlog, registry version or
 * clock's verdict changed is written at once, at most one such early write a
 * floor, and one that raises C14 always.  COUNTY_DONE with *new_alerts the alerts raised (0 or 1)
 * and *written 1 when it was written; COUNTY_REFUSED (nothing stored, *new_alerts 0) when the
 * station is new and names a township this county does not know, or a text of it is not UTF-8 text
 * (ingest_check_heartbeat); COUNTY_ERROR (-1), nothing stored.
 */
#define COUNTY_C14_REPEAT_MS 3600000LL
#define COUNTY_HEARTBEAT_SLOT_MS 60000LL /* gasgw's default heartbeat_s */
enum county_result county_heartbeat(struct county_db *c, const char *station,
    const struct wire_heartbeat *h, int *new_alerts, int *written, char *err, size_t errlen);

/* station_ms - county_ms, saturated at INT64_MIN and INT64_MAX instead of
 * overflowing: a station's clock skew (> 0: ahead of the county's). */
int64_t county_clock_skew(int64_t station_ms, int64_t county_ms);

/* C03 (silent stations) and C04 (old sequence gaps); *new_alerts raised.
 * Also drops heartbeats received more than heartbeat_keep_days before
 * now_ms (at most COUNTY_HEARTBEAT_PRUNE rows a sweep; 0 days: none). */
#define COUNTY_HEARTBEAT_PRUNE 10000
int county_sweep(struct county_db *c, int64_t now_ms, int *new_alerts, char *err, size_t errlen);

/* Alerts of township with id > since (at most max); caller frees with wire_alerts_free. */
int county_alerts(struct county_db *c, const char *township, int64_t since, size_t max,
    struct wire_alert_list *out, char *err, size_t errlen);

/* The county's own queue: the alerts routed to township "county" (C06
 * conflicting resends; alerts no township owns) with id > since, written to
 * the audit log under identity (query "queue"; never NULL) before they are
 * returned.  Caller frees with wire_alerts_free. */
int county_queue(struct county_db *c, const char *identity, int64_t since, size_t max,
    struct wire_alert_list *out, char *err, size_t errlen);

/*
 * Record a disposition of alert d->id under identity, if the alert lies
 * inside scope (the township it was routed to; an alert's township never
 * changes).  COUNTY_NOT_FOUND for an unknown id, COUNTY_OUT_OF_SCOPE for
 * another township's alert, COUNTY_REFUSED (err names the field) for a note
 * that is not UTF-8 text (casemsg_text_ok; line breaks allowed),
 * COUNTY_BUSY (err names the setting and until when; nothing kept) when
 * identity's writes of 24 hours are at person_writes_day_max (writequota.h).
 */
enum county_result county_dispose(struct county_db *c, const struct access_scope *scope,
    const char *identity, const struct wire_disposition *d, char *err, size_t errlen);

/*
 * A trace (query "cylinder", "buyer" or "station") of the records whose
 * time lies in from_ms..to_ms, in time order (then station, then seq),
 * starting after the cursor after (NULL: from the start), at most
 * max_trace of them; out->more and out->next say whether more match and
 * where to go on from.  The records, their violations and life events
 * are read in one snapshot (one read transaction, unless the caller holds
 * one).  Written to the audit log under identity (never NULL, with the
 * cursor and the number of records sent) after those reads, in a
 * transaction of its own, before it is returned: no audit row, no answer.
 * COUNTY_DONE: caller frees out with wire_trace_free.  COUNTY_NOT_FOUND
 * (audited all the same): a station trace of an id the county knows
 * nothing of (never registered, never in contact, no record or life event
 * of its), so that a mistyped id is not taken for a station that sent
 * nothing; cylinders and buyers are never "not found".  COUNTY_ERROR (-1)
 * with err.  After either of these there is nothing to free.
 */
enum county_result county_trace(struct county_db *c, const char *identity, const char *query,
    const char *key, int64_t from_ms, int64_t to_ms, const struct wire_cursor *after,
    struct wire_trace *out, char *err, size_t errlen);

/* Look-up: one fill's weight curve, written to the audit log under
 * identity (query "curve"; never NULL), found or not.  Caller frees with
 * wire_curve_free. */
int county_curve(struct county_db *c, const char *identity, const char *fill,
    struct wire_curve *out, char *err, size_t errlen);

/* Every station with its high-water mark, gap, last contact and clock
 * (the last skew measured, and whether C14 holds it wrong); written to
 * the audit log under audit_as (query "stations") unless that is NULL.
 * Caller frees with wire_stations_free. */
int county_stations(struct county_db *c, const char *audit_as, struct wire_station_list *out,
    char *err, size_t errlen);

/* Registry rows changed after since (at most max), as station (NULL: none)
 * is served them: a cylinder whose scrap by station C15 held back reads
 * scrapped to it alone (registry_holds, life.c), until a person sets its
 * status (county_registry_set removes the cylinder's holds). */
int county_registry_since(struct county_db *c, const char *station, int64_t since, size_t max,
    struct wire_registry *out, char *err, size_t errlen);
/* Insert or change one registry row; fields that are NULL stay as they are.
 * The row gets the next registry version, and its new state a row of the
 * registry history (history.h) by actor, in the same transaction. */
int county_registry_set(struct county_db *c, const char *serial, const char *status,
    const char *last_inspection, const char *next_inspection, const char *owner, const char *actor,
    char *err, size_t errlen);

/* The registry history of serial, oldest first, at most max rows (rows
 * must hold max + 1; *more says the county holds more), written to the
 * audit log under audit_as (query "history"). */
int county_registry_history(struct county_db *c, const char *audit_as, const char *serial,
    struct history_row *rows, size_t max, size_t *n, int *more, char *err, size_t errlen);

/* The same change inside a transaction the caller holds (life.h: an
 * inspection or a scrap recorded by a life event), with its history row by
 * by.  0, or -1 with err (the caller rolls back). */
int county_registry_write(struct county_db *c, const char *serial, const char *status,
    const char *last_inspection, const char *next_inspection, const char *owner,
    const struct history_by *by, char *err, size_t errlen);

/* An alert of a county rule, raised inside a transaction the caller holds
 * (life.h's rules C07..C13): source is its unique key, made of facts the
 * county holds and beginning with "county:"; an unknown township goes to
 * "county".  1 if new, 0 if an alert with that source exists, -1 with err. */
struct county_alert {
	const char *source, *rule, *severity, *township, *station, *cylinder, *masked, *text;
	int64_t at_ms;
};
int county_raise_alert(struct county_db *c, const struct county_alert *a, char *err, size_t errlen);

/*
 * A resend that is not what the county holds (C06): a record or life event
 * of source sent again at seq with other content, another uuid at a held
 * seq, or a held uuid at another seq.  Recorded in conflicts once per
 * version sent (source, seq, sent_digest) and raised as C06 to the county's
 * own queue, inside the caller's transaction; the held copy is never
 * changed.  At most COUNTY_CONFLICT_VERSIONS_MAX versions are kept of each
 * record source holds, and as many of all the records other sources hold
 * together: so what a source can store here is bounded by what it has
 * stored itself, whatever it sends (db.c conflict_versions).  The last one
 * kept says, in its alert and in the log, that further ones are not; a
 * version beyond the bound stores nothing and is answered as a
 * retransmission (0), so that a station that hit a bug still drains its
 * backlog.  station is the alert's station ("" for a delivery device);
 * held_source the source of the copy held (NULL: source); session names
 * the DTLS session (NULL or "" when not known).  1 when recorded now
 * (*new_alerts the alerts raised), 0 when this version was recorded before
 * or is beyond the bound, -1 with err.
 */
#define COUNTY_CONFLICT_VERSIONS_MAX 8
struct county_conflict {
	const char *source, *station, *held_source;
	int64_t seq, held_seq;
	const char *held_uuid, *held_digest, *sent_uuid, *sent_digest, *session;
	int64_t at_ms;
};
int county_conflict(struct county_db *c, const struct county_conflict *k, int *new_alerts,
    char *err, size_t errlen);

/* A life event's digest (hex SHA-256 of its seq, uuid and every life field
 * the county keeps), comparable between a held row and a resend. */
int county_life_digest(int64_t seq, const char *uuid, const struct wire_life *l, char out[65],
    char *err, size_t errlen);

/* 1 if code is a township of this county (an identity township:CODE, or
 * any code without identities; never "county" or ""), else 0. */
int county_township_known(const struct county_db *c, const char *code);

/*
 * A buyer's township as registered in this county (table buyers): bound
 * (id, township, station, first_ms).  A station registers its buyers (the
 * real-name registration at its counter), so the first station's word
 * stands and a later one's is ignored; a delivery device only speaks for
 * its own events (life.h) and registers nobody, and a row a device wrote
 * before that (station 'delivery:...') gives way to the first station's.
 */
#define COUNTY_BUYER_SET_SQL                                                                       \
	"INSERT INTO buyers (id, township, station, first_ms) VALUES (?,?,?,?)"                    \
	" ON CONFLICT (id) DO UPDATE SET township = excluded.township,"                            \
	" station = excluded.station, first_ms = excluded.first_ms"                                \
	" WHERE buyers.station LIKE 'delivery:%'"

struct county_import_result {
	unsigned long rows, rejected, changed;
	unsigned long kept_scrapped; /* rows that would bring a scrapped cylinder back */
};

/* What an import tells its caller (io itself and each member may be NULL):
 * as it goes, how far it is (bytes of the file read, of its size; rows so
 * far); once it is over (committed or rolled back, before
 * county_registry_import returns), in file order, each row it rejected or
 * kept scrapped (without reject: FILE:LINE: reason on stderr).  Rows kept
 * scrapped are told only of an import that committed (committed 1); of one
 * that failed, only the rows found wrong before it did (committed 0: none
 * was skipped, nothing was imported, and a caller must say so). */
struct county_import_io {
	void (*progress)(void *arg, unsigned long long done, unsigned long long total,
	    unsigned long rows);
	void (*reject)(void *arg, const char *file, unsigned long line, const char *reason,
	    int committed);
	void *arg;
};

/* Import a registry CSV (registry.h format) into the county registry; each
 * row that changes a cylinder adds a history row by actor naming FILE:LINE.
 * A cylinder the registry holds scrapped stays scrapped whatever the file
 * says (counted in kept_scrapped and told through reject; the rest of its
 * row is taken): only registry set brings one back. */
int county_registry_import(struct county_db *c, const char *path, int cycle_years,
    const char *actor, const struct county_import_io *io, struct county_import_result *res,
    char *err, size_t errlen);

#endif
