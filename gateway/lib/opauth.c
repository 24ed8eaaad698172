/*
 * opauth: operator credentials (Argon2id, lock-out) and shifts (opauth.h).
 */
#include "opauth.h"

#include <stdio.h>
#include <string.h>

#include <argon2.h>
#include <openssl/rand.h>

#include "i18n.h"
#include "registry.h"
#include "util.h"

#define SALT_LEN 16
#define HASH_LEN 32

int
opauth_pin_check(const char *pin, char *err, size_t errlen)
{
	size_t n = strlen(pin), i;

	if (n < OPAUTH_PIN_MIN || n > OPAUTH_PIN_MAX)
		return err_set(err, errlen, "a PIN must be %d to %d characters", OPAUTH_PIN_MIN,
		    OPAUTH_PIN_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)pin[i] < 0x20 || pin[i] == 0x7f)
			return err_set(err, errlen, "a PIN must not hold control characters");
	return 0;
}

int
opauth_set_pin(sqlite3 *db, const char *cert, const char *pin, int64_t now_ms, char *err,
    size_t errlen)
{
	struct registry_operator op;
	uint8_t salt[SALT_LEN];
	char hash[OPAUTH_HASH_MAX], msg[256];
	sqlite3_stmt *stmt = NULL;
	enum store_found found;
	int rc;

	if (opauth_pin_check(pin, err, errlen) == -1)
		return -1;
	found = registry_operator_find(db, cert, &op, msg, sizeof(msg));
	if (found == STORE_ERROR)
		return err_set(err, errlen, "%s", msg);
	if (found == STORE_NOT_FOUND)
		return err_set(err, errlen,
		    "operator %s is not registered at this station (gasctl operators add)", cert);
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return err_set(err, errlen, "no random salt (OpenSSL RAND_bytes failed)");
	rc = argon2id_hash_encoded(OPAUTH_PASSES, OPAUTH_MEMORY_KIB, 1, pin, strlen(pin), salt,
	    sizeof(salt), HASH_LEN, hash, sizeof(hash));
	if (rc != ARGON2_OK)
		return err_set(err, errlen, "hashing the PIN: %s", argon2_error_message(rc));
	if (store_prepare(db,
	        "INSERT INTO operator_credentials (cert, hash, failures, locked_until_ms, set_ms)"
	        " VALUES (?1, ?2, 0, 0, ?3) ON CONFLICT (cert) DO UPDATE SET"
	        " hash = excluded.hash, failures = 0, locked_until_ms = 0, set_ms = excluded.set_ms",
	        &stmt, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(stmt, 1, cert, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, now_ms);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : err_set(err, errlen, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	explicit_bzero(hash, sizeof(hash));
	return rc;
}

enum store_found
opauth_fetch(sqlite3 *db, const char *cert, struct opauth_credential *out, char *err, size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	enum store_found found = STORE_ERROR;
	int rc;

	memset(out, 0, sizeof(*out));
	if (store_prepare(db,
	        "SELECT hash, failures, locked_until_ms FROM operator_credentials WHERE cert = ?1",
	        &stmt, err, errlen) == -1)
		return STORE_ERROR;
	sqlite3_bind_text(stmt, 1, cert, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		store_column_copy(stmt, 0, out->hash, sizeof(out->hash));
		out->failures = sqlite3_column_int(stmt, 1);
		out->locked_until_ms = sqlite3_column_int64(stmt, 2);
		found = STORE_FOUND;
	} else if (rc == SQLITE_DONE) {
		found = STORE_NOT_FOUND;
	} else {
		err_set(err, errlen, "%s", sqlite3_errmsg(db));
	}
	sqlite3_finalize(stmt);
	return found;
}

int
opauth_pin_matches(const struct opauth_credential *cred, const char *pin)
{
	if (cred->hash[0] == '\0')
		return 0;
	return argon2id_verify(cred->hash, pin, strlen(pin)) == ARGON2_OK;
}

int
opauth_note(sqlite3 *db, const char *cert, int good, int64_t now_ms, int *failures,
    int64_t *locked_until_ms, char *err, size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	/* one statement: the count and the lock move together.  The column counts
	 * every wrong PIN since the last good one (or the last PIN set), so that
	 * the n-th lock-out in a row lasts OPAUTH_LOCK_MS << (n - 1), at most
	 * OPAUTH_LOCK_MAX_MS; the caller is told the count toward the next one */
	if (store_prepare(db,
	        good ? "UPDATE operator_credentials SET failures = 0, locked_until_ms = 0"
	               " WHERE cert = ?1 RETURNING failures, locked_until_ms"
	             : "UPDATE operator_credentials SET failures = failures + 1,"
	               " locked_until_ms = CASE WHEN (failures + 1) % ?3 = 0"
	               " THEN ?2 + min(?4 << min((failures + 1) / ?3 - 1, 30), ?5)"
	               " ELSE locked_until_ms END"
	               " WHERE cert = ?1 RETURNING failures % ?3, locked_until_ms",
	        &stmt, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(stmt, 1, cert, -1, SQLITE_TRANSIENT);
	if (!good) {
		sqlite3_bind_int64(stmt, 2, now_ms);
		sqlite3_bind_int(stmt, 3, OPAUTH_MAX_FAILURES);
		sqlite3_bind_int64(stmt, 4, OPAUTH_LOCK_MS);
		sqlite3_bind_int64(stmt, 5, OPAUTH_LOCK_MAX_MS);
	}
	*failures = 0;
	*locked_until_ms = 0;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		*failures = sqlite3_column_int(stmt, 0);
		*locked_until_ms = sqlite3_column_int64(stmt, 1);
		rc = 0;
	} else {
		err_set(err, errlen, "%s", sqlite3_errmsg(db));
	}
	if (sqlite3_step(stmt) != SQLITE_DONE && rc == 0)
		rc = err_set(err, errlen, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

static void
guard_lock(const struct opauth_guard *guard)
{
	if (guard != NULL)
		guard->lock(guard->ctx);
}

static void
guard_unlock(const struct opauth_guard *guard)
{
	if (guard != NULL)
		guard->unlock(guard->ctx);
}

enum opauth_proof
opauth_prove(sqlite3 *db, const struct opauth_guard *guard, const char *cert, const char *pin,
    int64_t now_ms, int64_t *locked_until_ms, char *err, size_t errlen)
{
	struct opauth_credential cred;
	enum store_found found;
	char when[32];
	int failures, good, rc;

	*locked_until_ms = 0;
	guard_lock(guard);
	found = opauth_fetch(db, cert, &cred, err, errlen);
	guard_unlock(guard);
	if (found == STORE_ERROR)
		return OPAUTH_FAILED;
	if (found == STORE_NOT_FOUND) {
		err_set(err, errlen,
		    _("operator %s has no PIN yet: a station administrator sets one with gasctl "
		      "operators pin %s"),
		    cert, cert);
		return OPAUTH_REFUSED;
	}
	if (cred.locked_until_ms > now_ms) {
		/* the count runs on through the lock-outs in a row: the tenth
		 * wrong PIN is the second lock-out's */
		failures = cred.failures;
		*locked_until_ms = cred.locked_until_ms;
		time_format_iso(cred.locked_until_ms, when);
		explicit_bzero(&cred, sizeof(cred));
		err_set(err, errlen,
		    _("operator %s is locked out after %d wrong PINs until %s; a station "
		      "administrator can set a new PIN"),
		    cert, failures, when);
		return OPAUTH_REFUSED;
	}
	/* the costly part, outside the guard */
	good = opauth_pin_matches(&cred, pin);
	explicit_bzero(&cred, sizeof(cred));
	guard_lock(guard);
	rc = opauth_note(db, cert, good, now_ms, &failures, locked_until_ms, err, errlen);
	guard_unlock(guard);
	if (rc == -1)
		return OPAUTH_FAILED;
	if (good) {
		*locked_until_ms = 0;
		return OPAUTH_PROVEN;
	}
	if (*locked_until_ms > now_ms) {
		time_format_iso(*locked_until_ms, when);
		err_set(err, errlen, _("wrong PIN; operator %s is locked out until %s"), cert,
		    when);
	} else {
		*locked_until_ms = 0;
		err_set(err, errlen,
		    _("wrong PIN for operator %s (%d more tries before a lock-out)"), cert,
		    OPAUTH_MAX_FAILURES - failures);
	}
	return OPAUTH_WRONG;
}

const char *
opauth_shift_end_name(enum opauth_shift_end how)
{
	switch (how) {
	case OPAUTH_LOGOUT:
		return "logout";
	case OPAUTH_TIME:
		return "time";
	case OPAUTH_REPLACED:
		return "replaced";
	case OPAUTH_STOP:
		return "stop";
	}
	return "stop";
}

int
opauth_shift_open(sqlite3 *db, int line, const char *cert, int64_t now_ms, int64_t *id, char *err,
    size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (store_prepare(db, "INSERT INTO shifts (line, operator, started_ms) VALUES (?1, ?2, ?3)",
	        &stmt, err, errlen) == -1)
		return -1;
	sqlite3_bind_int(stmt, 1, line);
	sqlite3_bind_text(stmt, 2, cert, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, now_ms);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : err_set(err, errlen, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	*id = rc == 0 ? sqlite3_last_insert_rowid(db) : 0;
	return rc;
}

int
opauth_shift_close(sqlite3 *db, int64_t id, enum opauth_shift_end how, int64_t now_ms, char *err,
    size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (store_prepare(db,
	        "UPDATE shifts SET ended_ms = ?2, ended_by = ?3"
	        " WHERE ended_ms IS NULL AND (?1 = 0 OR id = ?1)",
	        &stmt, err, errlen) == -1)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, now_ms);
	sqlite3_bind_text(stmt, 3, opauth_shift_end_name(how), -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : err_set(err, errlen, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}
