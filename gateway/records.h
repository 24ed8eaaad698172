/*
 * records: the station database as the fill line sees it: registry,
 * operator and buyer look-ups for the pre-fill rules (registry.h's, under
 * this module's lock), the durable fill records (docs/fill-line.md,
 * "Records"), and what each line has learnt of its pre-act.
 *
 * This module owns the SQL of the tables fills, violations, life_events
 * (through liferows.h, whose rows it writes with their outbox rows), outbox (the
 * rows a commit adds; the uplink thread reads, trims and sets aside them
 * through records_outbox_*; gasctl aside lists and retries set-aside ones
 * through records_aside_*) and preact_samples: no other module reads or writes
 * them (docs/schema.md lists each table's owner).
 *
 * One struct records holds the gateway's one writing SQLite connection
 * (opened with store_open, so WAL + synchronous=FULL) and a mutex: every
 * function takes the mutex for its whole duration, so the bus threads and
 * the control thread may call them concurrently.  Each write is one BEGIN
 * IMMEDIATE transaction; on failure it is rolled back and the database is
 * as before.
 *
 * Durability contract (docs/fill-line.md):
 *  - records_fill_start() commits the fill row (result 'filling') before it
 *    returns RECORDS_WRITTEN; the line opens the valve only after that.
 *  - records_fill_finish() completes the row, writes its violations, its
 *    outbox row and its pre-act sample in one transaction, and only if the
 *    row is still 'filling': finishing twice (or after crash recovery)
 *    answers RECORDS_GONE and changes nothing, so a fill is never recorded
 *    twice.
 *  - A record that could not be written for a temporary cause is held
 *    back (records_hold) and written again by a thread of this module, off
 *    the interlock threads, with the same guarantees.
 *  - records_recover() turns every row left 'filling' by a crash into
 *    'interrupted', with an R24 violation and an outbox row, in one
 *    transaction.
 *
 * Look-ups follow store.h's convention (enum store_found).  Buyers are
 * identified by their HMAC id and masked form only.
 */
#ifndef GAS_RECORDS_H
#define GAS_RECORDS_H

#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "opauth.h"
#include "registry.h"
#include "rules.h"
#include "store.h"
#include "wire.h"

#define RECORDS_PREACT_SAMPLES 8   /* in-flight masses kept per line */
#define RECORDS_HOLD_RETRY_MS 1000 /* a held-back record is written again this often */
/*
 * Page cache per connection (store_cache_kb).  Chosen by measurement:
 * gasgw's private dirty memory after 96 fills through it (8 lines, a
 * 50,000-cylinder registry, a listing every 5 fills; 4 Dec 2026) was
 * 2.48 MB at 64 KiB, 2.51 at 128, 2.65 at 256, 2.99 at 512 and 3.11 at
 * SQLite's default 2 MiB, against 1.75 MB idle: each cache fills to its
 * bound, but below 256 KiB the rest of the heap dominates.  A smaller
 * bound would save at most 170 kB and make every fill's look-ups and
 * commit read their pages again (the registry's hot index pages, a fill's
 * tables and indexes fit in 256 KiB); what a busy spell fills is given
 * back at rest anyway (records_release_memory, once every line rests:
 * 1.87-1.93 MB after the same 96 fills and a minute at rest, 5 Dec 2026).
 */
#define RECORDS_CACHE_KB 256

struct records_held_queue;

struct records {
	sqlite3 *db;
	pthread_mutex_t lock;
	/* a second, read-only connection for listings (gasctl fills), so that
	 * a long read never holds the lock the interlock threads write under */
	sqlite3 *read_db;
	pthread_mutex_t read_lock;
	char station[32];
	char township[16]; /* station township: station violations */
	/* called (without the lock) after a commit that added outbox rows:
	 * the gateway wakes the uplink with it; may be NULL */
	void (*outbox_added)(void *arg);
	void *outbox_arg;
	/* held-back records and their writer thread (records_hold) */
	struct records_held_queue *held;
};

struct records_cylinder {
	char serial[64];
	char model[16];
	int32_t manufactured;
	double tare_kg;
	double fill_kg;
	char owner[128];
	int32_t last_inspection; /* 0: unknown */
	int32_t next_inspection; /* 0: unknown */
	char status[16];
	char code[CODE_MAX_LEN + 1]; /* the signed code the registry holds, "" none */
};

/* What R01 compares of a registry row with the scanned code (rules.h):
 * points into cyl. */
void records_cylinder_label(const struct records_cylinder *cyl, struct rules_label *out);

struct records_operator {
	char cert[REGISTRY_CERT_MAX + 1];
	char name[64];
	int32_t expires;
	int active;
};

struct records_buyer {
	char id[65]; /* hex HMAC */
	char masked[40];
	char kind[16]; /* "household" or "business" */
	char township[16];
	int delivery; /* a delivery company (gasctl buyers add --delivery): no R11 */
};

struct records_fill {
	char uuid[37];
	int line;
	char cylinder[64];                         /* serial */
	char buyer[65];                            /* buyer id, "" for none */
	char operator_cert[REGISTRY_CERT_MAX + 1]; /* "" for none */
	int64_t started_ms;
	int64_t ended_ms;
	double tare_kg;
	double target_kg;
	double preact_kg;
	double cutoff_kg;   /* NaN: never cut off */
	double gross_kg;    /* NaN: unknown */
	double net_kg;      /* NaN: unknown */
	double inflight_kg; /* what arrived after the close command, when the fill
	                     * teaches the line's pre-act; NaN: it teaches nothing */
	char result[16];    /* filling, ok, flagged, held, interrupted, emergency */
	const void *curve;  /* weight samples, may be NULL */
	size_t curve_len;
};

/* Who the record concerns: the township of an alert routed to the buyer. */
struct records_party {
	int line;
	const char *cylinder;       /* serial or NULL */
	const char *buyer;          /* id or NULL */
	const char *buyer_township; /* NULL: the station's */
	const char *operator_cert;  /* or NULL */
};

/* What became of a write, from SQLite's extended result code. */
enum records_write {
	RECORDS_WRITTEN = 0, /* committed */
	RECORDS_NO_SPACE,    /* SQLITE_FULL: the disk is full; temporary */
	RECORDS_IO_ERROR,    /* SQLITE_IOERR_*: the disk failed; temporary */
	RECORDS_DB_ERROR,    /* any other database error; temporary */
	RECORDS_GONE,        /* the fill's row is no longer open (recorded already,
	                      * or recovered as interrupted): nothing to write, ever */
};

/* Open the station database at path (migrating it) and init the lock. */
int records_open(struct records *rec, const char *path, const char *station, const char *township,
    char *err, size_t errlen);
/* Stop the writer of held records (what it still holds stays 'filling' in
 * the database: crash recovery records it at the next start) and close. */
void records_close(struct records *rec);
/* Give back what the two connections' page caches hold beyond their
 * pinned pages (sqlite3_db_release_memory), each under its lock: the next
 * look-ups read their pages again from the file.  Any thread; for a
 * gateway at rest (gasgw's control thread calls it when every line rests,
 * then malloc_trim: ctl.h, ctl_release_memory), so that what a busy hour
 * filled does not stay private memory. */
void records_release_memory(struct records *rec);

/* Look-ups: STORE_FOUND with *out, STORE_NOT_FOUND (*out zeroed), or
 * STORE_ERROR with err. */
enum store_found records_cylinder_get(struct records *rec, const char *serial,
    struct records_cylinder *out, char *err, size_t errlen);
enum store_found records_operator_get(struct records *rec, const char *cert,
    struct records_operator *out, char *err, size_t errlen);
enum store_found records_buyer_get(struct records *rec, const char *id, struct records_buyer *out,
    char *err, size_t errlen);

/*
 * Operators' logins and shifts (opauth.h's functions under the lock).  An
 * operator's PIN: opauth_prove with the lock held around its database steps
 * only, never the costly hash (a login does not hold up a fill's commit).
 */
enum opauth_proof records_operator_prove(struct records *rec, const char *cert, const char *pin,
    int64_t now_ms, int64_t *locked_until_ms, char *err, size_t errlen);
int records_shift_open(struct records *rec, int line, const char *cert, int64_t now_ms, int64_t *id,
    char *err, size_t errlen);
int records_shift_close(struct records *rec, int64_t id, enum opauth_shift_end how, int64_t now_ms,
    char *err, size_t errlen);

/* Start of this cylinder's latest completed fill (0 if none): R10. */
int records_last_fill_ms(struct records *rec, const char *serial, int64_t *out, char *err,
    size_t errlen);
/* The gas this station's fills put in cylinder serial and did not complete:
 * the net of its interrupted and emergency fills since its latest completed
 * one (stopped, cut off by a lost link, found open after a crash), summed in
 * *kg, and how many there were in *count (0: none, *kg 0).  *unknown is 1
 * when one of them has no net (a crash with no reading at the restart) or
 * a net below zero (the cylinder was off the scale when the restart read
 * it; review rev101): its gas is not known, and counts as the most R09
 * lets be in it (rules_residue_kg).
 * What a new fill of it counts as already in it (rules_residue_kg). */
int records_fill_left(struct records *rec, const char *serial, int *count, double *kg, int *unknown,
    char *err, size_t errlen);
/* Start of the station's newest fill, whatever its result (0 if none): how far
 * the clock may have gone back (rules_clock_check). */
int records_newest_fill_ms(struct records *rec, int64_t *out, char *err, size_t errlen);
/* The same, from the station database at path, opened read-only for this
 * alone and closed (gasgw -n: nothing is written, no migration run): 0 with
 * *out (0 when there is no fill, or no file yet), or -1 with err. */
int records_newest_fill_at(const char *path, int64_t *out, char *err, size_t errlen);
/* Completed fills of a buyer since since_ms: R11. */
int records_buyer_fills_since(struct records *rec, const char *buyer, int64_t since_ms, int *out,
    char *err, size_t errlen);

/*
 * Commit the start row (result 'filling') and, when buyer is not NULL and
 * its id is new (a buyer first seen at the counter), the buyer's row, in
 * one transaction.  The fill keeps a copy of its buyer as the record names
 * it (masked number, township, kind; migration 010), read from the buyers
 * row in that transaction (not the address: the station keeps one, the
 * buyer's, sent as registered at the send).  Anything but
 * RECORDS_WRITTEN: nothing was written (err says why).
 */
enum records_write records_fill_start(struct records *rec, const struct records_fill *fill,
    const struct records_buyer *buyer, char *err, size_t errlen);

/*
 * Complete a fill: row, violations (event = fill uuid), outbox 'fill', and
 * its pre-act sample (when fill->inflight_kg is a number; only the newest
 * RECORDS_PREACT_SAMPLES of a line are kept).  RECORDS_GONE when the row is
 * not 'filling' any more; another cause when the database refused (err
 * says why); either way nothing was written.
 */
enum records_write records_fill_finish(struct records *rec, const struct records_fill *fill,
    const struct rules_verdict *verdict, const struct records_party *party, char *err,
    size_t errlen);

/*
 * A fill record records_fill_finish() could not write for a temporary
 * cause, held back: records takes a copy (fill with its curve, verdict,
 * party) and its writer thread writes it again every RECORDS_HOLD_RETRY_MS,
 * and at once after records_held_retry(), until it is written or its row is
 * gone.  The interlock threads never wait for these writes.  cause is why
 * the first write failed (what records_held() answers until the next try).
 * Returns 0, or -1 with err (out of memory, no thread): then nothing is
 * held, the start row stays 'filling' and crash recovery records the fill
 * at the next start.
 */
int records_hold(struct records *rec, const struct records_fill *fill,
    const struct rules_verdict *verdict, const struct records_party *party,
    enum records_write cause, char *err, size_t errlen);

/*
 * Where the held record of fill uuid stands: RECORDS_WRITTEN once written,
 * RECORDS_GONE once its row was found no longer open (both final: the
 * record is forgotten, and so is a uuid never held: RECORDS_GONE), else the
 * cause of its last failed write (still held).  *tries (may be NULL)
 * counts the writes tried so far, so that a caller who asked for a try
 * with records_held_retry() sees when it has been made.
 */
enum records_write records_held(struct records *rec, const char *uuid, unsigned *tries);

/* Try every held record again now; never blocks. */
void records_held_retry(struct records *rec);

/* Write the held record of uuid once more, now, in the caller's thread
 * (a shutdown, when no interlock thread runs); answers as records_held(). */
enum records_write records_held_write_now(struct records *rec, const char *uuid, char *err,
    size_t errlen);

/* The in-flight masses a line's recent fills taught (newest first, at most
 * max, *count of them), for its pre-act after a restart. */
int records_preact_samples(struct records *rec, int line, double *out, size_t max, size_t *count,
    char *err, size_t errlen);

/*
 * R23 emergencies and their acknowledgements (emergency_acks, migration
 * 012).  records_emergency_ack records that line's emergencies, up to its
 * newest R23 violation, acknowledged now.  records_emergency_open: 1 when
 * line's newest R23 violation is later than its newest acknowledgement
 * (*at_ms its time), 0 when none is open; -1 with err.
 */
int records_emergency_ack(struct records *rec, int line, char *err, size_t errlen);
int records_emergency_open(struct records *rec, int line, int64_t *at_ms, char *err, size_t errlen);

/*
 * A refusal or an incident outside a fill: the violations of verdict under
 * a new event uuid (written to event_out when not NULL), plus an outbox row
 * of kind ("refusal" or "event") when any violation alerts.  0 or -1.
 */
int records_incident(struct records *rec, const char *kind, const struct rules_verdict *verdict,
    const struct records_party *party, char event_out[37], char *err, size_t errlen);

/*
 * Life events the station records (gasctl dispatch, receive; docs/protocol.md,
 * "Life events"): n events, each a life_events row and an outbox row of kind
 * 'life', all in one transaction: a truck's load is recorded whole or not at
 * all.  The uuid of each is written to uuids[i] when uuids is not NULL.  The
 * events are taken as given (the caller checked the codes).  0, or -1 with
 * err and nothing written.
 */
int records_life_add(struct records *rec, const struct wire_life *events, size_t n,
    char (*uuids)[37], char *err, size_t errlen);

/*
 * Whether serial's newest inspection step recorded at this station (by its
 * time) is an inspection_out: 1 when it is, 0 when there is none or the
 * cylinder came back already, so that an inspection_back now is what the
 * county raises C13 for (docs/county.md, "County rules").  -1 with err.
 */
int records_life_sent_out(struct records *rec, const char *serial, char *err, size_t errlen);

/*
 * Whether serial's newest dispatch or receipt recorded at this station is a
 * dispatch with no fill of the cylinder here since: 1 with worker (whom it
 * went with) when it is, 0 when not, -1 with err.
 */
int records_life_out_with(struct records *rec, const char *serial, char *worker, size_t wlen,
    char *err, size_t errlen);

/* How this station last took serial out of service (records_life_stopped). */
struct records_life_stop {
	int failed;    /* 1: a return from inspection with result fail; 0: scrapped */
	int64_t at_ms; /* when it was recorded */
	int64_t id;    /* its row in life_events: a later one has a higher id, whatever
	                * the clock said (gasctl registry reinstate lifts up to it) */
};

/*
 * Whether this station scrapped serial, or recorded its return from
 * inspection as failed, and nothing has lifted it since: 1 with the newest
 * such event recorded in *out, 0 when there is none, -1 with err.  An event stands
 * until the county took it (its outbox row went: while it waits, or is set
 * aside, it stands) and a registry pull wrote the cylinder's row again after
 * that saying active (a delta the county served after it had the event:
 * cylinders.pulled_status and pulled_ms, which a local gasctl registry
 * import never writes, so a stale company file lifts nothing); a row pulled
 * earlier, even after the event was recorded, says nothing of it.  At a
 * station with no county, gasctl registry reinstate lifts it (a row of
 * reinstatements whose lifts_id is the event's row or a later one: by the
 * order they were recorded, never by their times).  A pass recorded
 * after a fail lifts nothing: the county keeps a cylinder that failed
 * scrapped, its later inspections noted (docs/rules.md, R04).
 */
int records_life_stopped(struct records *rec, const char *serial, struct records_life_stop *out,
    char *err, size_t errlen);
/* The same on a connection of the caller's (gasctl registry reinstate), no
 * lock taken. */
int records_life_stopped_db(sqlite3 *db, const char *serial, struct records_life_stop *out,
    char *err, size_t errlen);

/*
 * Crash recovery, at start-up after every valve is closed: every row left
 * 'filling' becomes 'interrupted'.  gross_of_line(line, arg, &gross) gives
 * the weight read at restart (returns 0, or -1 when unknown).  *count is
 * the number of rows recovered.  0 or -1.
 */
int records_recover(struct records *rec, int (*gross_of_line)(int line, void *arg, double *gross),
    void *arg, int *count, char *err, size_t errlen);

/* A fill as listed by gasctl fills. */
struct records_fill_row {
	char uuid[37];
	int line;
	char cylinder[64];
	char buyer_masked[40];
	char operator_cert[REGISTRY_CERT_MAX + 1];
	int64_t started_ms;
	int64_t ended_ms;
	double target_kg;
	double net_kg; /* NaN when unknown */
	char result[16];
	char rules[64]; /* "R10,R21" */
};

/* Call fn for each fill started at or after since_ms, oldest first, at most
 * limit rows; fn returning -1 stops the walk.  Reads through read_db (WAL:
 * it sees every committed fill and never blocks a writer).  0 or -1. */
int records_fills_since(struct records *rec, int64_t since_ms, int limit,
    int (*fn)(const struct records_fill_row *row, void *arg), void *arg, char *err, size_t errlen);

/* A fill with its weight curve, as gasctl plot draws it. */
struct records_fill_curve {
	char uuid[37];
	int line;
	char cylinder[64];
	int64_t started_ms;
	char result[16];
	uint8_t *curve; /* the stored bytes (malloc'd, the caller frees them);
	                 * NULL: no curve recorded */
	size_t curve_len;
};

#define RECORDS_PREFIX_OTHERS 5 /* uuids listed beside the first of an ambiguous prefix */

/* What a uuid prefix names. */
enum records_match {
	RECORDS_MATCH_ERROR = -1, /* err says why */
	RECORDS_MATCH_NONE = 0,   /* no fill */
	RECORDS_MATCH_ONE = 1,    /* *out is the fill */
	RECORDS_MATCH_MANY = 2,   /* *out is the first; others[] the uuids of up to
	                           * RECORDS_PREFIX_OTHERS more, *nothers of them */
};

/*
 * The fill whose uuid starts with prefix (lower-case hexadecimal digits and
 * dashes), through db: any connection to a station database, read-only
 * included (gasctl plot opens one beside a running gasgw).  On
 * RECORDS_MATCH_ERROR nothing is allocated.
 */
enum records_match records_fill_by_prefix(sqlite3 *db, const char *prefix,
    struct records_fill_curve *out, char others[RECORDS_PREFIX_OTHERS][37], size_t *nothers,
    char *err, size_t errlen);

/* ---- the outbox, as the uplink thread reads and trims it ------------------------------ */

/*
 * These take a connection of the caller's own to the station database (the
 * uplink thread opens one with store_open), not a struct records: reading a
 * batch for the county never waits for the fill line's lock, and the fill
 * line never waits for the network.
 */

/*
 * The oldest `limit` outbox records (oldest seq first), each with its fill
 * (curve included when it fits WIRE_MAX_CURVE; a larger one stays at the
 * station) or its life event, and its violations, read in one read transaction, so the batch
 * is a consistent snapshot and no writer is blocked.  The buyer comes from
 * the fill's and the violations' own copies, never from the buyers row as
 * it is now, so a record read again is the same record (but for the
 * address an R11 record carries: the buyer's as registered now, which the
 * county's digest leaves out).  b is filled for
 * station and township (b->count may be 0); the caller frees it with
 * wire_batch_free.  Returns 0, or -1 with err and b released.
 */
int records_outbox_read(sqlite3 *db, const char *station, const char *township, int limit,
    struct wire_batch *b, char *err, size_t errlen);

/* Rows waiting in the outbox (0 when the database cannot say), and when
 * oldest_ms is not NULL the created_ms of the oldest (0: none). */
int64_t records_outbox_count(sqlite3 *db, int64_t *oldest_ms);

/* Take every outbox row whose seq is at most mark out of the outbox, in one
 * transaction: the county holds them.  Each is kept, at its seq, in
 * outbox_acked with the time now (records_outbox_reack, _forget).
 * Set-aside rows stay (a mark never covers one the county lacks; one it
 * covers anyway goes when it is retried).  The life events among them are
 * noted delivered (records_life_stopped), in the same transaction.  0, or
 * -1 with err and nothing changed. */
int records_outbox_trim(sqlite3 *db, int64_t mark, char *err, size_t errlen);

/* The same for the outbox rows of these n seqs (set-aside ones stay), in
 * one transaction: the county answered 2.04 to a batch of exactly these,
 * so it holds each, whatever its contiguous mark.  0, or -1 with err. */
int records_outbox_delivered(sqlite3 *db, const int64_t *seqs, size_t n, char *err, size_t errlen);

/* What records_outbox_reack put back: seqs first..last, count rows. */
struct records_reack {
	int64_t first, last, count;
};

/*
 * The county's contiguous mark is `mark` (an ACK's, or a heartbeat's
 * answer), and held_above how many of this station's records it holds
 * above it (-1: not said, a county of before).  When the county lacks a
 * record it had acknowledged above mark, it has lost what it held (its
 * database restored from an older backup): it had acknowledged seq
 * mark + 1 (kept in outbox_acked), or it holds fewer above mark than the
 * station had acknowledged there (review rev96: behind a set-aside record
 * the mark stops, and the records after it were lost unseen; those
 * forgotten since count too, review rev101: records_outbox_above).  Then every
 * acknowledged row above mark goes back into the outbox at its seq, in
 * one transaction, and is sent again in seq order (those the county still
 * holds are answered as duplicates), built from the same rows (the same
 * records, the buyer too: the fills' copies of it, migration 010; but for
 * the address, the buyer's as registered now, none once erased or the
 * buyer moved); their life events are no longer noted delivered.  1 with
 * *out when rows went back, 0 when none (the county lacks none of them,
 * as far as it says; mark + 1 waits, is set aside, is not yet written, or
 * was forgotten: the county then lacks it for good), -1 with err.
 *
 * held_above comes from the uplink process, which the gateway does not
 * trust (docs/design.md, V8): a small one puts back rows the county
 * holds (sent again, answered as duplicates), a large one puts back
 * nothing (as a county of before); no row leaves outbox_acked but into
 * the outbox, and no more than outbox_acked keeps (acked_keep_days).
 */
int records_outbox_reack(sqlite3 *db, int64_t mark, int64_t held_above, struct records_reack *out,
    char *err, size_t errlen);

/*
 * What the station had acknowledged above the county's mark: `acked`
 * seqs (its numbering has no gaps: every seq above mark handed out and no
 * longer in the outbox was acknowledged), `kept` of them still in
 * outbox_acked (seqs kept_first..kept_last; next_kept: mark + 1 is one of
 * them), and `gone` = acked - kept forgotten since (past acked_keep_days,
 * or from before the station kept them), between gone_first and
 * gone_last (looked for only with range: a walk of the rows above mark;
 * else 0).  What the county should hold above its mark is `acked`
 * (review rev101).  0, or -1 when the database cannot say.  Nothing
 * changed.
 */
struct records_above {
	int64_t acked, kept, kept_first, kept_last, gone, gone_first, gone_last;
	int next_kept;
};
int records_outbox_above(sqlite3 *db, int64_t mark, int range, struct records_above *out);

/* How many of seqs first..last wait in the outbox (not set aside), -1 when
 * the database cannot say. */
int64_t records_outbox_waiting(sqlite3 *db, int64_t first, int64_t last);

/* 1 when records_outbox_reack would put rows back (the county lacks one it
 * had acknowledged, as far as it says), 0 when not, -1 when the database
 * cannot say.  Nothing changed. */
int records_outbox_county_lacks(sqlite3 *db, int64_t mark, int64_t held_above);

/* What records_outbox_renumber did: the station's numbering had stopped
 * at was_last; its rows not yet acknowledged are now first..last (count of
 * them; 0 when none waited), and the next record takes last + 1. */
struct records_renumber {
	int64_t was_last, first, last, count;
};

/*
 * The county holds this station's records up to `mark`, above every seq
 * the station ever handed out: the station's database was restored from
 * an older backup (or put back empty), and its numbering went back, so
 * its next records take seqs the county already holds for others (which
 * it would keep, answering a conflict, C06, as held).  In one write
 * transaction every outbox row (waiting or set aside, with its uuid and
 * everything else; a row written since the look moves too) takes a seq
 * after mark, mark + 1 on, in the order it had, and the sequence goes on
 * from the last of them.  The seqs up to mark stay the county's;
 * outbox_acked keeps its rows (at or below the old numbering's end: the
 * county holds them).  1 with *out when renumbered (count may be 0: the
 * sequence still goes on after mark), 0 when mark is not above the last
 * seq (nothing changed), -1 with err and nothing changed.
 */
int records_outbox_renumber(sqlite3 *db, int64_t mark, struct records_renumber *out, char *err,
    size_t errlen);

/* Delete at most limit acknowledged rows taken before before_ms (the oldest
 * acknowledgement first, through its index: a look that finds none reads no
 * row), in one short transaction: how many, or -1 with err. */
int64_t records_outbox_forget(sqlite3 *db, int64_t before_ms, int limit, char *err, size_t errlen);

/* The highest seq ever written to the outbox (0: none, or the database
 * cannot say). */
int64_t records_outbox_last_seq(sqlite3 *db);

/* 1 if seq is kept as acknowledged, 0 if not, -1 when the database cannot
 * say. */
int records_outbox_acked_holds(sqlite3 *db, int64_t seq);

/* ---- records the county refused (docs/fill-line.md) --------------------------------- */

/*
 * A set-aside row stays in the outbox at its seq with when (aside_ms) and
 * why (aside_reason): records_outbox_read and _count skip it, no trim
 * deletes it, until records_aside_retry puts it back.
 */

/* Set the row of seq aside with the county's reason: 1 done, 0 no such row
 * waiting (gone, or aside already), -1 with err. */
int records_outbox_set_aside(sqlite3 *db, int64_t seq, const char *reason, int64_t now_ms,
    char *err, size_t errlen);

/* Rows set aside (0 when the database cannot say). */
int64_t records_outbox_aside_count(sqlite3 *db);

/* 1 if the outbox holds seq (waiting or set aside), 0 if not, -1 when the
 * database cannot say. */
int records_outbox_holds(sqlite3 *db, int64_t seq);

/* A set-aside record as gasctl aside lists it. */
struct records_aside {
	int64_t seq;
	char uuid[37];
	char kind[16];
	int64_t created_ms;
	int64_t aside_ms;
	char reason[256];
	int line;                /* of its fill, 0 for an event or refusal */
	char cylinder[64];       /* of its fill, "" otherwise */
	char buyer_township[16]; /* of its fill's buyer, "" otherwise */
};

/* Call fn for each set-aside record, oldest seq first (read_db); fn
 * returning -1 stops the walk.  0 or -1 with err. */
int records_aside_list(struct records *rec, int (*fn)(const struct records_aside *row, void *arg),
    void *arg, char *err, size_t errlen);

/* Rows set aside, through read_db (0 when the database cannot say). */
int64_t records_aside_total(struct records *rec);

/* Put the set-aside record seq (0: every one) back into the outbox, in one
 * transaction; *count says how many, and the uplink is woken when any.  0,
 * or -1 with err and nothing changed. */
int records_aside_retry(struct records *rec, int64_t seq, int64_t *count, char *err, size_t errlen);

#endif
