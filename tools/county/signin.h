/*
 * signin: people's passwords, sign-in with lock-out, and the sessions of the
 * county console (gasweb), kept apart from HTTP so that they can be tested
 * alone.
 *
 * Who a person is comes from the same identities as the county's PSK file
 * (officer:NAME@TOWNSHIP, grid:NAME@TOWNSHIP, regulator:NAME; access.h
 * parses them); what they may do is decided by access.h, never here.  This
 * module only answers "is this the person they say" and "is this request
 * from the session it claims".
 *
 * Passwords are kept as argon2id hashes in the "PHC" text form
 * ($argon2id$v=19$m=...,t=...,p=...$salt$hash), one "IDENTITY HASH" a line
 * in a file of mode 0600 (signin_passwords_*).  A password is never stored,
 * logged or kept after the call that checks it.
 *
 * The store (struct signin_store) holds the sessions and the failure
 * counts in memory: a restart signs everyone out.  Every function on a store
 * takes its lock, so a store may be used from any thread; the argon2 check
 * of a sign-in runs outside the lock.  Tokens are 32 random bytes from
 * OpenSSL's generator, in hex; they are compared in constant time.
 */
#ifndef COUNTY_SIGNIN_H
#define COUNTY_SIGNIN_H

#include <stddef.h>
#include <stdint.h>

#include "access.h"

#define SIGNIN_TOKEN_LEN 64     /* hex characters of a session or CSRF token */
#define SIGNIN_HASH_MAX 128     /* characters of an encoded hash, NUL included */
#define SIGNIN_PASSWORD_MIN 8   /* characters a new password has at least */
#define SIGNIN_PASSWORD_MAX 256 /* bytes of a password at most */
/* live sessions of one person at most: another sign-in ends their least
 * recently used one (one password must not fill the store for everyone) */
#define SIGNIN_PER_IDENTITY 8

/* What the store enforces; every field is required (> 0). */
struct signin_policy {
	int idle_s;       /* a session unused this long is over */
	int max_s;        /* a session older than this is over, used or not */
	int failures;     /* this many bad passwords in a row lock the identity ... */
	int lockout_s;    /* ... for this long */
	int max_sessions; /* sessions held at once (anonymous ones give way first) */
	/* identities, addresses and device cookies whose wrong passwords are
	 * counted at once (0: SIGNIN_FAILURE_ROWS); an eighth of them kept for
	 * device cookies (at most 8 of those one person's).  A row goes to
	 * another name only once its count is spent; when every other row
	 * holds one, a sign-in without a valid device cookie is refused as
	 * locked (until a row is spent) rather than let its wrong password go
	 * uncounted. */
	int failure_rows;
};
#define SIGNIN_FAILURE_ROWS 1024

/* A session as the store holds it.  identity is "" for an anonymous one
 * (a visitor of the sign-in page, so that its form has a CSRF token too). */
struct signin_session {
	char token[SIGNIN_TOKEN_LEN + 1]; /* the cookie's value */
	char csrf[SIGNIN_TOKEN_LEN + 1];  /* every form's hidden field */
	char identity[ACCESS_MAX_IDENTITY];
	int64_t created_ms, used_ms;
};

/* ---- hashes ------------------------------------------------------------------ */

/* Hash len bytes of password with a fresh random salt into out.  Refuses a
 * password shorter than SIGNIN_PASSWORD_MIN characters or longer than
 * SIGNIN_PASSWORD_MAX bytes.  0, or -1 with err (out then empty). */
int signin_hash(const char *password, size_t len, char out[SIGNIN_HASH_MAX], char *err,
    size_t errlen);

/* 1 if password matches the encoded hash, 0 if not (or the hash is not an
 * argon2id hash). */
int signin_hash_matches(const char *encoded, const char *password, size_t len);

/* ---- the password file ---------------------------------------------------------- */

struct signin_password {
	char identity[ACCESS_MAX_IDENTITY];
	char hash[SIGNIN_HASH_MAX];
};

struct signin_passwords {
	size_t count;
	struct signin_password *rows;
};

/*
 * Read the file at path: lines "IDENTITY HASH", '#' comments and blank
 * lines.  A line whose identity is not a person's or regulator's (access.h)
 * or whose hash is not argon2id is refused as "FILE:LINE: why", and so is
 * a file others may read.  A file that does not exist is an empty list.
 * On success the caller frees *out with signin_passwords_free; on failure
 * *out is empty.
 */
int signin_passwords_load(const char *path, struct signin_passwords *out, char *err, size_t errlen);
void signin_passwords_free(struct signin_passwords *p);

/* The hash of identity, or NULL. */
const char *signin_passwords_find(const struct signin_passwords *p, const char *identity);

/* Set identity's hash in the file at path (added or replaced), written to a
 * temporary file of mode 0600, fsynced and renamed, so that a crash leaves
 * the old file or the new one.  0, or -1 with err (the file unchanged). */
int signin_passwords_set(const char *path, const char *identity, const char *hash, char *err,
    size_t errlen);

/* Remove identity's line from the file at path, written anew the same way
 * (the other lines as they were).  0 when removed, 1 when the file holds
 * no line of identity (the file untouched), -1 with err (the file
 * unchanged). */
int signin_passwords_remove(const char *path, const char *identity, char *err, size_t errlen);

/* ---- the store: sign-in, lock-out, sessions -------------------------------------------- */

struct signin_store;

/* A new empty store with a copy of policy, or NULL (out of memory). */
struct signin_store *signin_store_new(const struct signin_policy *policy);
void signin_store_free(struct signin_store *s);

enum signin_result {
	SIGNIN_OK = 0,
	SIGNIN_BAD,    /* wrong identity or password (the caller cannot tell which) */
	SIGNIN_LOCKED, /* too many bad passwords: refused without checking */
	SIGNIN_FULL,   /* no room for another session */
};

/* Wrong passwords from one address (any accounts) that lock the address:
 * this many times policy.failures, so that guessing across many accounts is
 * slowed down as guessing one is. */
#define SIGNIN_ADDRESS_FACTOR 4

/*
 * Sign identity in with len bytes of password (passwords: the file as
 * loaded), asked from address (the client's IP address as text; NULL: no
 * limit per address).  SIGNIN_OK: *out is a new signed-in session (a fresh token: the
 * anonymous session of the form is not reused).  An unknown identity costs
 * the same hash as a known one and counts towards its own lock-out.
 * policy.failures bad passwords in a row lock the identity for
 * policy.lockout_s, during which even the right password gets
 * SIGNIN_LOCKED; a good one clears the count, and a count whose last
 * failure is older than policy.lockout_s starts again.  The address is
 * locked the same way after SIGNIN_ADDRESS_FACTOR * policy.failures wrong
 * passwords for any accounts (a good one does not clear that count: one
 * valid account must not reset a guesser's).  *locked_until_ms (when not
 * NULL) says until when the identity or address is locked, or 0.
 */
enum signin_result signin_attempt(struct signin_store *s, const struct signin_passwords *passwords,
    const char *identity, const char *address, const char *password, size_t len, int64_t now_ms,
    struct signin_session *out, int64_t *locked_until_ms);

/* ---- device cookies --------------------------------------------------------------- */

/*
 * A device cookie (OWASP, "Slow Down Online Guessing Attacks with Device
 * Cookies") is what a browser gets at a good sign-in: "NONCE.MAC", a random
 * nonce and HMAC-SHA256 under the store's device key over the identity, the
 * identity's stored password hash and the nonce.  Nothing of it is kept:
 * the key makes it, so it holds across a restart as long as the key does,
 * and a new password (a new hash, with a new salt) ends every cookie of
 * that identity.  A request whose cookie is valid for the identity it signs
 * into is a trusted device: not held by that identity's lock-out nor the
 * address's (a guesser elsewhere, or behind the same NAT, must not lock the
 * person out), but by its own count: policy.failures wrong passwords with
 * that cookie lock the cookie for policy.lockout_s, and a locked cookie is
 * then an untrusted client like any other.
 */
#define SIGNIN_DEVICE_KEY 32            /* bytes of the device key */
#define SIGNIN_DEVICE_NONCE 32          /* hex characters of a device cookie's nonce */
#define SIGNIN_DEVICE_LEN (32 + 1 + 64) /* characters of a device cookie: NONCE.MAC */

/* A new cookie for identity whose stored hash is hash, under key, into out.
 * 0, or -1 (no random bytes; out then empty). */
int signin_device_make(const uint8_t key[SIGNIN_DEVICE_KEY], const char *identity, const char *hash,
    char out[SIGNIN_DEVICE_LEN + 1]);

/* 1 if cookie (untrusted, may be NULL) was made by signin_device_make under
 * key for identity and hash, 0 if not; in constant time for a cookie of the
 * right form. */
int signin_device_valid(const uint8_t key[SIGNIN_DEVICE_KEY], const char *identity,
    const char *hash, const char *cookie);

/* Derive the store's device key from len bytes of secret (gasweb: its TLS
 * private key, so that the cookies outlive a restart and end with that key).
 * Until this is called a store makes no device cookies and trusts none. */
void signin_store_device_key(struct signin_store *s, const void *secret, size_t len);

/* What signin_attempt_device takes and says of the browser's device cookie. */
struct signin_device {
	const char *cookie;                /* in: the request's (untrusted; NULL: none) */
	int trusted;                       /* out: it was valid for identity and not locked */
	char fresh[SIGNIN_DEVICE_LEN + 1]; /* out, SIGNIN_OK: a new cookie to give, or "" */
};

/*
 * signin_attempt with a device cookie (device may be NULL: none).  Without
 * a valid, unlocked cookie for identity, exactly signin_attempt.  With one:
 * neither the identity's nor the address's lock holds it, only the
 * cookie's own (then it is untrusted, as above); a wrong password counts
 * towards the cookie's lock and the address's, not the identity's, and a
 * good one clears the cookie's count only (the identity's count is an
 * untrusted guesser's and stays).  An unknown identity has no valid cookie,
 * so the answers and the work are those of a known one with a wrong cookie.
 * SIGNIN_OK: device->fresh is a new cookie for identity (when the store has
 * a device key).
 */
enum signin_result signin_attempt_device(struct signin_store *s,
    const struct signin_passwords *passwords, const char *identity, const char *address,
    struct signin_device *device, const char *password, size_t len, int64_t now_ms,
    struct signin_session *out, int64_t *locked_until_ms);

/* A new anonymous session (for the sign-in form).  0, or -1 when full. */
int signin_anonymous(struct signin_store *s, int64_t now_ms, struct signin_session *out);

/* The live session of token (any string, untrusted): 1 with *out a copy
 * (and its use time moved to now), 0 when there is none or it is over
 * (then it is forgotten). */
int signin_session_find(struct signin_store *s, const char *token, int64_t now_ms,
    struct signin_session *out);
/* The same, for a request the browser makes on its own (the case list's
 * poll of its rows): the session is not used by it, so its idle time runs
 * on and a browser left open on a page still idles out. */
int signin_session_peek(struct signin_store *s, const char *token, int64_t now_ms,
    struct signin_session *out);

/* End the session of token (sign-out); nothing when there is none. */
void signin_session_end(struct signin_store *s, const char *token);

/* End every session of identity (its password changed); how many ended. */
int signin_end_identity(struct signin_store *s, const char *identity);

/* 1 if token (untrusted, may be NULL) is the session's CSRF token. */
int signin_csrf_ok(const struct signin_session *session, const char *token);

#endif
