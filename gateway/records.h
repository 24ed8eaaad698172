/*
 * records: the station database as the fill line sees it: registry,
 * operator and buyer look-ups for the pre-fill rules, and the durable fill
 * records of shared/DESIGN.md §4 and §8.
 *
 * One struct records holds the gateway's one SQLite connection (opened with
 * store_open, so WAL + synchronous=FULL) and a mutex: every function takes
 * the mutex for its whole duration, so the bus threads and the control
 * thread may call them concurrently.  Each write is one BEGIN IMMEDIATE
 * transaction; on failure it is rolled back and the database is as before.
 *
 * Durability contract (DESIGN §4 invariants 1 and 3):
 *  - records_fill_start() commits the fill row (result 'filling') before it
 *    returns 0; the line opens the valve only after that.
 *  - records_fill_finish() completes the row, writes its violations and its
 *    outbox row in one transaction, and only if the row is still 'filling':
 *    finishing twice (or after crash recovery) fails and changes nothing,
 *    so a fill is never recorded twice.
 *  - records_recover() turns every row left 'filling' by a crash into
 *    'interrupted', with an R24 violation and an outbox row, in one
 *    transaction.
 *
 * Buyers are identified by their HMAC id and masked form only.
 */
#ifndef GAS_RECORDS_H
#define GAS_RECORDS_H

#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "rules.h"

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
};

struct records_operator {
	char cert[64];
	char name[64];
	int32_t expires;
	int active;
};

struct records_buyer {
	char id[65]; /* hex HMAC */
	char masked[40];
	char kind[16]; /* "household" or "business" */
	char township[16];
};

struct records_fill {
	char uuid[37];
	int line;
	char cylinder[64];      /* serial */
	char buyer[65];         /* buyer id, "" for none */
	char operator_cert[64]; /* "" for none */
	int64_t started_ms;
	int64_t ended_ms;
	double tare_kg;
	double target_kg;
	double preact_kg;
	double cutoff_kg;  /* NaN: never cut off */
	double gross_kg;   /* NaN: unknown */
	double net_kg;     /* NaN: unknown */
	char result[16];   /* filling, ok, flagged, held, interrupted, emergency */
	const void *curve; /* weight samples, may be NULL */
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

/* Open the station database at path (migrating it) and init the lock. */
int records_open(struct records *rec, const char *path, const char *station, const char *township,
    char *err, size_t errlen);
void records_close(struct records *rec);

/* Look-ups: *found is 0 when there is no such row (and 0 is returned). */
int records_cylinder_get(struct records *rec, const char *serial, struct records_cylinder *out,
    int *found, char *err, size_t errlen);
int records_operator_get(struct records *rec, const char *cert, struct records_operator *out,
    int *found, char *err, size_t errlen);
int records_buyer_get(struct records *rec, const char *id, struct records_buyer *out, int *found,
    char *err, size_t errlen);
/* Insert a buyer when its id is new (buyers seen at the counter for the
 * first time); an existing row is left as it is. */
int records_buyer_ensure(struct records *rec, const struct records_buyer *buyer, char *err,
    size_t errlen);

/* Start of this cylinder's latest completed fill (0 if none): R10. */
int records_last_fill_ms(struct records *rec, const char *serial, int64_t *out, char *err,
    size_t errlen);
/* Completed fills of a buyer since since_ms: R11. */
int records_buyer_fills_since(struct records *rec, const char *buyer, int64_t since_ms, int *out,
    char *err, size_t errlen);

/* Commit the start row (result 'filling'). */
int records_fill_start(struct records *rec, const struct records_fill *fill, char *err,
    size_t errlen);

/* Complete a fill: row, violations (event = fill uuid), outbox 'fill'. */
int records_fill_finish(struct records *rec, const struct records_fill *fill,
    const struct rules_verdict *verdict, const struct records_party *party, char *err,
    size_t errlen);

/*
 * A refusal or an incident outside a fill: the violations of verdict under
 * a new event uuid (written to event_out when not NULL), plus an outbox row
 * of kind ("refusal" or "event") when any violation alerts.
 */
int records_incident(struct records *rec, const char *kind, const struct rules_verdict *verdict,
    const struct records_party *party, char event_out[37], char *err, size_t errlen);

/*
 * Crash recovery, at start-up after every valve is closed: every row left
 * 'filling' becomes 'interrupted'.  gross_of_line(line, arg, &gross) gives
 * the weight read at restart (returns 0, or -1 when unknown).  *count is
 * the number of rows recovered.
 */
int records_recover(struct records *rec, int (*gross_of_line)(int line, void *arg, double *gross),
    void *arg, int *count, char *err, size_t errlen);

/* A fill as listed by gasctl fills. */
struct records_fill_row {
	char uuid[37];
	int line;
	char cylinder[64];
	char buyer_masked[40];
	char operator_cert[64];
	int64_t started_ms;
	int64_t ended_ms;
	double target_kg;
	double net_kg; /* NaN when unknown */
	char result[16];
	char rules[64]; /* "R10,R21" */
};

/* Call fn for each fill started at or after since_ms, oldest first, at most
 * limit rows; fn returning -1 stops the walk.  Reads through read_db (WAL:
 * it sees every committed fill and never blocks a writer). */
int records_fills_since(struct records *rec, int64_t since_ms, int limit,
    int (*fn)(const struct records_fill_row *row, void *arg), void *arg, char *err, size_t errlen);

#endif
