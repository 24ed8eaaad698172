/*
 * opauth: operators prove who they are, and their shifts
 * (docs/fill-line.md, "Operators and shifts").  This module owns the SQL of
 * the tables operator_credentials and shifts (schema/station/
 * 003_operator_login.sql; docs/schema.md lists each table's owner).
 *
 * A credential is a PIN or password of OPAUTH_PIN_MIN..OPAUTH_PIN_MAX
 * printable bytes, kept only as an Argon2id encoded hash with a random
 * salt (libargon2: memory-hard, so a stolen database does not give the
 * PINs away to a graphics card in minutes).  OPAUTH_MAX_FAILURES wrong
 * PINs in a row lock the operator out for OPAUTH_LOCK_MS, each further
 * OPAUTH_MAX_FAILURES in a row for twice as long as the lock before, up to
 * OPAUTH_LOCK_MAX_MS (so a guesser gets about 35 tries the first day and 5
 * a day after, not 480 a day); a good PIN resets the count; an
 * administrator setting a new PIN lifts the lock.
 *
 * Checking a PIN costs tens of milliseconds and OPAUTH_MEMORY_KIB of
 * memory on purpose: opauth_fetch and opauth_note touch the database,
 * opauth_pin_matches does not, so a caller that serialises database access
 * (records.h) holds its lock only around the first and the last.
 *
 * Functions take an open station database, return 0 / -1 (or the enums
 * below) and write errors into (err, errlen).  No function logs a PIN, and
 * none keeps one: the caller wipes its own copy.
 */
#ifndef GAS_OPAUTH_H
#define GAS_OPAUTH_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "store.h"

#define OPAUTH_PIN_MIN 4
#define OPAUTH_PIN_MAX 64
#define OPAUTH_MAX_FAILURES 5
#define OPAUTH_LOCK_MS (15 * 60 * 1000)          /* the first lock-out */
#define OPAUTH_LOCK_MAX_MS (24 * 60 * 60 * 1000) /* the longest */
#define OPAUTH_HASH_MAX 160                      /* an encoded Argon2id hash, with the NUL */
#define OPAUTH_MEMORY_KIB 19456                  /* 19 MiB, 2 passes: RFC 9106's second choice */
#define OPAUTH_PASSES 2

/* Why a PIN is unusable (too short, too long, a control character): 0 when
 * it will do, -1 with a sentence in err that does not quote it. */
int opauth_pin_check(const char *pin, char *err, size_t errlen);

/* Set (or replace) the PIN of a registered operator: hashed with a fresh
 * salt, failures and lock-out cleared, in one transaction.  -1 when the
 * operator is not registered, the PIN unusable, or the database failed
 * (then nothing changed). */
int opauth_set_pin(sqlite3 *db, const char *cert, const char *pin, int64_t now_ms, char *err,
    size_t errlen);

/* What the database holds of an operator's credential. */
struct opauth_credential {
	char hash[OPAUTH_HASH_MAX];
	int failures; /* wrong PINs in a row, since the last good one or PIN set */
	int64_t locked_until_ms;
};

/* The credential of cert: STORE_FOUND, STORE_NOT_FOUND (no PIN set; *out
 * zeroed), or STORE_ERROR. */
enum store_found opauth_fetch(sqlite3 *db, const char *cert, struct opauth_credential *out,
    char *err, size_t errlen);

/* 1 if pin matches the encoded hash, 0 if not (or the hash is unreadable). */
int opauth_pin_matches(const struct opauth_credential *cred, const char *pin);

/*
 * Count an attempt: a good one clears failures and the lock; a wrong one
 * adds a failure and, at each OPAUTH_MAX_FAILURES-th in a row, locks the
 * operator out until now_ms + OPAUTH_LOCK_MS for the first lock-out, twice
 * as long for each one after it, at most OPAUTH_LOCK_MAX_MS.  *failures
 * receives the wrong PINs toward the next lock-out (0 just after one),
 * *locked_until_ms the lock.  -1 on a database error (nothing changed).
 */
int opauth_note(sqlite3 *db, const char *cert, int good, int64_t now_ms, int *failures,
    int64_t *locked_until_ms, char *err, size_t errlen);

/* Held around each database step of opauth_prove, never around the costly
 * hash: gasgw's records lock (records.h).  NULL: the caller has the
 * database to itself (gasctl). */
struct opauth_guard {
	void (*lock)(void *ctx);
	void (*unlock)(void *ctx);
	void *ctx;
};

/* What opauth_prove found. */
enum opauth_proof {
	OPAUTH_PROVEN = 0, /* the PIN matched: the count starts again */
	OPAUTH_REFUSED,    /* no PIN set yet, or locked out already: no try was made */
	OPAUTH_WRONG,      /* a wrong PIN, counted; it may have locked the operator out */
	OPAUTH_FAILED,     /* the database failed: nothing was counted */
};

/*
 * The one check of an operator's PIN, whoever asks (a login and every life
 * event at gasgw, ctlreq.c; gasctl registry reinstate): the operator must
 * have a PIN, must not be locked out, and pin must match; each try is
 * counted on the operator's one credential row (opauth_note), so wrong PINs
 * add up to one lock-out whichever request gave them, and the lock-out
 * keeps the operator from every one.  Whether cert is registered and
 * current is the caller's to judge first.  err receives the refusal, in
 * the language being spoken (i18n.h), naming why and never the PIN, or the
 * database's error; *locked_until_ms the lock-out's end (0: none).
 */
enum opauth_proof opauth_prove(sqlite3 *db, const struct opauth_guard *guard, const char *cert,
    const char *pin, int64_t now_ms, int64_t *locked_until_ms, char *err, size_t errlen);

/* How a shift ended (shifts.ended_by). */
enum opauth_shift_end {
	OPAUTH_LOGOUT = 0, /* the operator logged out */
	OPAUTH_TIME,       /* the shift's hours ran out */
	OPAUTH_REPLACED,   /* another operator logged in on the line */
	OPAUTH_STOP,       /* gasgw stopped (or had stopped: a restart closes them) */
};
const char *opauth_shift_end_name(enum opauth_shift_end how);

/* A new shift of cert on line from now_ms; its id to *id. */
int opauth_shift_open(sqlite3 *db, int line, const char *cert, int64_t now_ms, int64_t *id,
    char *err, size_t errlen);
/* End shift id (a shift already ended is left as it is).  id 0 ends every
 * shift still open (gasgw starting after a crash, or stopping). */
int opauth_shift_close(sqlite3 *db, int64_t id, enum opauth_shift_end how, int64_t now_ms,
    char *err, size_t errlen);

#endif
