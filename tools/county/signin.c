/*
 * signin: argon2id password hashes, the password file, sign-in with
 * lock-out and the console's sessions (signin.h says what each promises).
 *
 * The hard spots: a wrong identity must cost the same as a wrong password
 * (else the timing tells which identities exist), so an unknown one is
 * checked against the hash of a random password made at start; a lock-out must hold before the
 * expensive check, so the count is read and raised under the lock while the
 * check runs outside it; and tokens are compared in constant time.  A device
 * cookie is checked before the lock is read (which lock holds depends on
 * it), its MAC worked out for an unknown identity too, so that a cookie
 * tells nothing of who exists.
 */
#include <argon2.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "people.h"
#include "signin.h"
#include "util.h"

/* OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): a second of work per
 * guess on a county server would lock out its own users under load. */
#define HASH_T_COST 2
#define HASH_M_COST (19 * 1024)
#define HASH_LANES 1
#define HASH_SALT 16
#define HASH_LEN 32

#define PASSWORD_ROWS 100000 /* lines of a password file at most */

struct failure {
	char identity[ACCESS_MAX_IDENTITY]; /* the name counted: identity, address, cookie */
	char owner[ACCESS_MAX_IDENTITY];    /* a device cookie's row: whose cookie; else "" */
	int count;
	int64_t locked_until_ms, last_ms;
};

struct signin_store {
	pthread_mutex_t lock;
	struct signin_policy policy;
	struct signin_session *sessions; /* token[0] == '\0': a free slot */
	struct failure *failures;        /* nfailures rows: the device cookies' the last eighth */
	int nfailures;
	/* A hash of a random password no one knows: an unknown identity is
	 * checked against it, so that it costs what a known one costs. */
	char dummy[SIGNIN_HASH_MAX];
	uint8_t device_key[SIGNIN_DEVICE_KEY]; /* device cookies' (signin_store_device_key) */
	int have_device_key;
};

/* ---- hashes ---------------------------------------------------------------- */

int
signin_hash(const char *password, size_t len, char out[SIGNIN_HASH_MAX], char *err, size_t errlen)
{
	uint8_t salt[HASH_SALT];

	out[0] = '\0';
	if (len < SIGNIN_PASSWORD_MIN)
		return err_set(err, errlen, "a password has at least %d characters",
		    SIGNIN_PASSWORD_MIN);
	if (len > SIGNIN_PASSWORD_MAX)
		return err_set(err, errlen, "a password has at most %d bytes", SIGNIN_PASSWORD_MAX);
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return err_set(err, errlen, "no random salt");
	if (argon2id_hash_encoded(HASH_T_COST, HASH_M_COST, HASH_LANES, password, len, salt,
	        sizeof(salt), HASH_LEN, out, SIGNIN_HASH_MAX) != ARGON2_OK) {
		out[0] = '\0';
		return err_set(err, errlen, "argon2id failed");
	}
	return 0;
}

int
signin_hash_matches(const char *encoded, const char *password, size_t len)
{
	if (encoded == NULL || strncmp(encoded, "$argon2id$", 10) != 0 || len > SIGNIN_PASSWORD_MAX)
		return 0;
	return argon2id_verify(encoded, password, len) == ARGON2_OK;
}

/* ---- the password file --------------------------------------------------------- */

/* 1 if identity may have a password: a person or a regulator (people.h). */
static int
person_identity(const char *identity)
{
	return people_is_person(identity);
}

void
signin_passwords_free(struct signin_passwords *p)
{
	if (p->rows != NULL)
		explicit_bzero(p->rows, p->count * sizeof(*p->rows));
	free(p->rows);
	p->rows = NULL;
	p->count = 0;
}

int
signin_passwords_load(const char *path, struct signin_passwords *out, char *err, size_t errlen)
{
	char line[512], *id, *hash, *extra, *save;
	struct signin_password *grown;
	size_t lineno = 0, cap = 0;
	struct stat st;
	FILE *f;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		return err_set(err, errlen, "%s: %s", path, strerror(errno));
	}
	if (fstat(fileno(f), &st) == -1 || (st.st_mode & 0077) != 0) {
		err_set(err, errlen, "%s: group or others may read it (chmod 600)", path);
		goto out;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			err_set(err, errlen, "%s:%zu: line too long", path, lineno);
			goto out;
		}
		id = strtok_r(line, " \t\r\n", &save);
		if (id == NULL || id[0] == '#')
			continue;
		hash = strtok_r(NULL, " \t\r\n", &save);
		extra = strtok_r(NULL, " \t\r\n", &save);
		if (!person_identity(id)) {
			err_set(err, errlen,
			    "%s:%zu: identity must be officer:NAME@TOWNSHIP, grid:NAME@TOWNSHIP or "
			    "regulator:NAME",
			    path, lineno);
			goto out;
		}
		if (hash == NULL || extra != NULL || strncmp(hash, "$argon2id$", 10) != 0 ||
		    strlen(hash) >= SIGNIN_HASH_MAX) {
			err_set(err, errlen, "%s:%zu: expected 'IDENTITY ARGON2ID-HASH'", path,
			    lineno);
			goto out;
		}
		if (signin_passwords_find(out, id) != NULL) {
			err_set(err, errlen, "%s:%zu: %s appears twice", path, lineno, id);
			goto out;
		}
		if (out->count == cap) {
			if (cap >= PASSWORD_ROWS) {
				err_set(err, errlen, "%s:%zu: more than %d people", path, lineno,
				    PASSWORD_ROWS);
				goto out;
			}
			cap = cap ? cap * 2 : 16;
			grown = realloc(out->rows, cap * sizeof(*grown));
			if (grown == NULL) {
				err_set(err, errlen, "out of memory");
				goto out;
			}
			out->rows = grown;
		}
		str_copy(out->rows[out->count].identity, id, ACCESS_MAX_IDENTITY);
		str_copy(out->rows[out->count].hash, hash, SIGNIN_HASH_MAX);
		out->count++;
	}
	if (ferror(f)) {
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(line, sizeof(line));
	fclose(f);
	if (rc == -1)
		signin_passwords_free(out);
	return rc;
}

const char *
signin_passwords_find(const struct signin_passwords *p, const char *identity)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		if (strcmp(p->rows[i].identity, identity) == 0)
			return p->rows[i].hash;
	return NULL;
}

/*
 * Write the file at path anew from p, identity's line set to hash (added
 * when p has none) or, hash NULL, left out.  0, or -1 with err (the file
 * unchanged).
 */
static int
passwords_write(const char *path, const struct signin_passwords *p, const char *identity,
    const char *hash, char *err, size_t errlen)
{
	char tmp[1024];
	size_t i;
	int fd = -1, rc = -1, found = 0;
	FILE *f = NULL;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		err_set(err, errlen, "%s: path too long", path);
		goto out;
	}
	/* A new file of mode 0600, fsynced and renamed over the old one: a crash
	 * leaves one whole file, never a half-written list of hashes. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
		err_set(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	fprintf(f, "# gasweb passwords: IDENTITY ARGON2ID-HASH (gasweb passwd sets them)\n");
	for (i = 0; i < p->count; i++) {
		int mine = strcmp(p->rows[i].identity, identity) == 0;

		found |= mine;
		if (mine && hash == NULL)
			continue;
		fprintf(f, "%s %s\n", p->rows[i].identity, mine ? hash : p->rows[i].hash);
	}
	if (!found && hash != NULL)
		fprintf(f, "%s %s\n", identity, hash);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		err_set(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		err_set(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) == -1) {
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	if (fd != -1)
		close(fd);
	if (rc == -1)
		unlink(tmp);
	return rc;
}

int
signin_passwords_set(const char *path, const char *identity, const char *hash, char *err,
    size_t errlen)
{
	struct signin_passwords p;
	int rc;

	if (!person_identity(identity))
		return err_set(err, errlen,
		    "identity must be officer:NAME@TOWNSHIP, grid:NAME@TOWNSHIP or regulator:NAME");
	if (strncmp(hash, "$argon2id$", 10) != 0 || strlen(hash) >= SIGNIN_HASH_MAX)
		return err_set(err, errlen, "not an argon2id hash");
	if (signin_passwords_load(path, &p, err, errlen) == -1)
		return -1;
	rc = passwords_write(path, &p, identity, hash, err, errlen);
	signin_passwords_free(&p);
	return rc;
}

int
signin_passwords_remove(const char *path, const char *identity, char *err, size_t errlen)
{
	struct signin_passwords p;
	int rc;

	if (signin_passwords_load(path, &p, err, errlen) == -1)
		return -1;
	if (signin_passwords_find(&p, identity) == NULL) {
		signin_passwords_free(&p);
		return 1;
	}
	rc = passwords_write(path, &p, identity, NULL, err, errlen);
	signin_passwords_free(&p);
	return rc;
}

/* ---- the store ------------------------------------------------------------------ */

static int
token_new(char out[SIGNIN_TOKEN_LEN + 1])
{
	uint8_t raw[SIGNIN_TOKEN_LEN / 2];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	hex_encode(raw, sizeof(raw), out);
	return 0;
}

struct signin_store *
signin_store_new(const struct signin_policy *policy)
{
	struct signin_store *s;

	if (policy->max_sessions <= 0 || policy->failure_rows < 0 ||
	    (policy->failure_rows > 0 && policy->failure_rows < 16))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->nfailures = policy->failure_rows > 0 ? policy->failure_rows : SIGNIN_FAILURE_ROWS;
	s->sessions = calloc((size_t)policy->max_sessions, sizeof(*s->sessions));
	s->failures = calloc((size_t)s->nfailures, sizeof(*s->failures));
	if (s->sessions == NULL || s->failures == NULL) {
		free(s->sessions);
		free(s->failures);
		free(s);
		return NULL;
	}
	s->policy = *policy;
	{
		char pw[SIGNIN_TOKEN_LEN + 1], err[128];

		if (token_new(pw) == -1 ||
		    signin_hash(pw, strlen(pw), s->dummy, err, sizeof(err)) == -1) {
			free(s->sessions);
			free(s);
			return NULL;
		}
		explicit_bzero(pw, sizeof(pw));
	}
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

void
signin_store_free(struct signin_store *s)
{
	if (s == NULL)
		return;
	pthread_mutex_destroy(&s->lock);
	explicit_bzero(s->device_key, sizeof(s->device_key));
	explicit_bzero(s->sessions, (size_t)s->policy.max_sessions * sizeof(*s->sessions));
	free(s->sessions);
	free(s->failures);
	free(s);
}

static int
tokens_equal(const char *known, const char *given)
{
	if (given == NULL || strlen(given) != SIGNIN_TOKEN_LEN || known[0] == '\0')
		return 0;
	return CRYPTO_memcmp(known, given, SIGNIN_TOKEN_LEN) == 0;
}

static int
session_over(const struct signin_store *s, const struct signin_session *x, int64_t now_ms)
{
	return now_ms - x->used_ms >= (int64_t)s->policy.idle_s * 1000 ||
	       now_ms - x->created_ms >= (int64_t)s->policy.max_s * 1000 || now_ms < x->created_ms;
}

/* A free slot for a new session of identity ("" for an anonymous one),
 * under the lock: when that person already holds SIGNIN_PER_IDENTITY live
 * sessions, their least recently used one; else a free or expired one,
 * else the oldest anonymous one; NULL when every slot holds a live
 * signed-in session.  A session made after now_ms is live, not expired:
 * a sign-in reads the clock before it spends a while hashing, and other
 * threads make sessions meanwhile. */
static struct signin_session *
slot_for_new(struct signin_store *s, const char *identity, int64_t now_ms)
{
	struct signin_session *oldest = NULL, *free_slot = NULL, *own = NULL, *x;
	int i, held = 0;

	for (i = 0; i < s->policy.max_sessions; i++) {
		x = &s->sessions[i];
		if (x->token[0] == '\0' ||
		    (now_ms >= x->created_ms && session_over(s, x, now_ms))) {
			if (free_slot == NULL)
				free_slot = x;
			continue;
		}
		if (identity[0] != '\0' && strcmp(x->identity, identity) == 0) {
			held++;
			if (own == NULL || x->used_ms < own->used_ms)
				own = x;
		}
		if (x->identity[0] == '\0' && (oldest == NULL || x->used_ms < oldest->used_ms))
			oldest = x;
	}
	if (held >= SIGNIN_PER_IDENTITY)
		return own;
	return free_slot != NULL ? free_slot : oldest;
}

static int
session_new(struct signin_store *s, const char *identity, int64_t now_ms,
    struct signin_session *out)
{
	struct signin_session *x, fresh;
	int rc = -1;

	memset(&fresh, 0, sizeof(fresh));
	if (token_new(fresh.token) == -1 || token_new(fresh.csrf) == -1)
		return -1;
	str_copy(fresh.identity, identity, sizeof(fresh.identity));
	fresh.created_ms = fresh.used_ms = now_ms;
	pthread_mutex_lock(&s->lock);
	x = slot_for_new(s, identity, now_ms);
	if (x != NULL) {
		*x = fresh;
		*out = fresh;
		rc = 0;
	}
	pthread_mutex_unlock(&s->lock);
	explicit_bzero(&fresh, sizeof(fresh));
	return rc;
}

int
signin_anonymous(struct signin_store *s, int64_t now_ms, struct signin_session *out)
{
	return session_new(s, "", now_ms, out);
}

/* The rows a name's failures may take: a device cookie's ("device ...")
 * the last eighth, every other name the rest, so that a guesser, who has no
 * valid cookie, cannot take the rows of the people who have one. */
static void
failure_range(const struct signin_store *s, const char *name, int *lo, int *hi)
{
	int device = s->nfailures / 8;

	if (strncmp(name, "device ", 7) == 0) {
		*lo = s->nfailures - device;
		*hi = s->nfailures;
	} else {
		*lo = 0;
		*hi = s->nfailures - device;
	}
}

/* A row whose count is worth nothing any more (count_failure would start it
 * afresh): empty, its lock run out, or its last failure older than
 * lockout_s.  Only such a row is taken for another name, so that no count
 * that still holds is ever forgotten to make room. */
static int
failure_spent(const struct signin_store *s, const struct failure *f, int64_t now_ms)
{
	return f->identity[0] == '\0' ||
	       (f->locked_until_ms != 0 && f->locked_until_ms <= now_ms) ||
	       (f->locked_until_ms == 0 &&
	           now_ms - f->last_ms > (int64_t)s->policy.lockout_s * 1000);
}

/* Under the lock: the instant a row of name's range is spent again (the
 * first lock to end, or the first count to age), for a refusal to name. */
static int64_t
failure_free_at(const struct signin_store *s, const char *name)
{
	int64_t first = INT64_MAX, at;
	int lo, hi, i;

	failure_range(s, name, &lo, &hi);
	for (i = lo; i < hi; i++) {
		const struct failure *f = &s->failures[i];

		at = f->locked_until_ms != 0 ? f->locked_until_ms
		                             : f->last_ms + (int64_t)s->policy.lockout_s * 1000 + 1;
		if (at < first)
			first = at;
	}
	return first;
}

/* Device-cookie rows one person may hold at once: one person's cookies
 * (each good sign-in makes one) cannot take the rows of everyone else's. */
#define DEVICE_ROWS_PER_IDENTITY 8

/*
 * The failure row of name, under the lock; when create is set and it has
 * none, a new one (owner: the identity a device cookie's row is for), held
 * for lockout_s from now like a count, so that a sign-in's rows, taken
 * before its password is read, are still its own when it is counted.  A new
 * row is a spent one of the name's range (the least recently failed), or,
 * for an owner holding DEVICE_ROWS_PER_IDENTITY rows already, the least
 * recently failed of those that is not locked.  NULL when there is none.
 */
static struct failure *
failure_of(struct signin_store *s, const char *name, const char *owner, int64_t now_ms, int create)
{
	struct failure *reuse = NULL, *own = NULL, *f;
	int i, lo, hi, owned = 0;

	failure_range(s, name, &lo, &hi);
	for (i = lo; i < hi; i++) {
		f = &s->failures[i];
		if (f->identity[0] != '\0' && strcmp(f->identity, name) == 0)
			return f;
		if (owner != NULL && f->identity[0] != '\0' && strcmp(f->owner, owner) == 0) {
			owned++;
			if (f->locked_until_ms <= now_ms &&
			    (own == NULL || f->last_ms < own->last_ms))
				own = f;
		}
		if (!failure_spent(s, f, now_ms))
			continue;
		if (reuse == NULL || f->identity[0] == '\0' ||
		    (reuse->identity[0] != '\0' && f->last_ms < reuse->last_ms))
			reuse = f;
	}
	if (!create)
		return NULL;
	if (owner != NULL && owned >= DEVICE_ROWS_PER_IDENTITY)
		reuse = own;
	if (reuse == NULL)
		return NULL;
	memset(reuse, 0, sizeof(*reuse));
	str_copy(reuse->identity, name, sizeof(reuse->identity));
	if (owner != NULL)
		str_copy(reuse->owner, owner, sizeof(reuse->owner));
	reuse->last_ms = now_ms;
	return reuse;
}

/* Give back a row failure_of made for this attempt and nothing counted on:
 * a good sign-in's, or one taken for a sign-in refused for want of another. */
static void
failure_release(struct failure *f)
{
	if (f != NULL && f->count == 0 && f->locked_until_ms == 0)
		memset(f, 0, sizeof(*f));
}

/* Count one wrong password on row f (under the lock), locking it at limit;
 * the instant it is locked until, or 0. */
static int64_t
count_failure(struct signin_store *s, struct failure *f, int limit, int64_t now_ms)
{
	if (f == NULL)
		return 0;
	/* a lock that ran out, or failures long past, start a fresh count */
	if ((f->locked_until_ms != 0 && f->locked_until_ms <= now_ms) ||
	    now_ms - f->last_ms > (int64_t)s->policy.lockout_s * 1000) {
		f->count = 0;
		f->locked_until_ms = 0;
	}
	f->last_ms = now_ms;
	if (++f->count >= limit)
		f->locked_until_ms = now_ms + (int64_t)s->policy.lockout_s * 1000;
	return f->locked_until_ms;
}

/* ---- device cookies ---------------------------------------------------------------- */

/* The hex MAC of a device cookie: HMAC-SHA256 under key over "identity NUL
 * hash NUL nonce" (neither holds a NUL, so no two inputs read the same). */
static int
device_mac(const uint8_t key[SIGNIN_DEVICE_KEY], const char *identity, const char *hash,
    const char *nonce, char out[65])
{
	char text[ACCESS_MAX_IDENTITY + SIGNIN_HASH_MAX + SIGNIN_DEVICE_NONCE];
	size_t ilen = strlen(identity), hlen = strlen(hash);
	uint8_t mac[32];
	unsigned int got = 0;
	int ok;

	if (ilen >= ACCESS_MAX_IDENTITY || hlen >= SIGNIN_HASH_MAX)
		return -1;
	memcpy(text, identity, ilen + 1);
	memcpy(text + ilen + 1, hash, hlen + 1);
	memcpy(text + ilen + 1 + hlen + 1, nonce, SIGNIN_DEVICE_NONCE);
	ok = HMAC(EVP_sha256(), key, SIGNIN_DEVICE_KEY, (const uint8_t *)text,
	         ilen + 1 + hlen + 1 + SIGNIN_DEVICE_NONCE, mac, &got) != NULL &&
	     got == sizeof(mac);
	if (ok)
		hex_encode(mac, sizeof(mac), out);
	explicit_bzero(mac, sizeof(mac));
	return ok ? 0 : -1;
}

int
signin_device_make(const uint8_t key[SIGNIN_DEVICE_KEY], const char *identity, const char *hash,
    char out[SIGNIN_DEVICE_LEN + 1])
{
	uint8_t raw[SIGNIN_DEVICE_NONCE / 2];

	out[0] = '\0';
	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -1;
	hex_encode(raw, sizeof(raw), out);
	out[SIGNIN_DEVICE_NONCE] = '.';
	if (device_mac(key, identity, hash, out, out + SIGNIN_DEVICE_NONCE + 1) == -1) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

int
signin_device_valid(const uint8_t key[SIGNIN_DEVICE_KEY], const char *identity, const char *hash,
    const char *cookie)
{
	char mac[65];
	size_t i;
	int ok;

	if (cookie == NULL || identity == NULL || hash == NULL ||
	    strlen(cookie) != SIGNIN_DEVICE_LEN || cookie[SIGNIN_DEVICE_NONCE] != '.')
		return 0;
	for (i = 0; i < SIGNIN_DEVICE_NONCE; i++)
		if (!((cookie[i] >= '0' && cookie[i] <= '9') ||
		        (cookie[i] >= 'a' && cookie[i] <= 'f')))
			return 0;
	if (device_mac(key, identity, hash, cookie, mac) == -1)
		return 0;
	ok = CRYPTO_memcmp(mac, cookie + SIGNIN_DEVICE_NONCE + 1, 64) == 0;
	explicit_bzero(mac, sizeof(mac));
	return ok;
}

void
signin_store_device_key(struct signin_store *s, const void *secret, size_t len)
{
	static const char label[] = "gasweb device cookie key v1";
	unsigned int got = 0;

	pthread_mutex_lock(&s->lock);
	s->have_device_key = HMAC(EVP_sha256(), secret, (int)len, (const uint8_t *)label,
	                         sizeof(label) - 1, s->device_key, &got) != NULL &&
	                     got == SIGNIN_DEVICE_KEY;
	pthread_mutex_unlock(&s->lock);
}

/* ---- sign-in ------------------------------------------------------------------------- */

enum signin_result
signin_attempt(struct signin_store *s, const struct signin_passwords *passwords,
    const char *identity, const char *address, const char *password, size_t len, int64_t now_ms,
    struct signin_session *out, int64_t *locked_until_ms)
{
	return signin_attempt_device(s, passwords, identity, address, NULL, password, len, now_ms,
	    out, locked_until_ms);
}

enum signin_result
signin_attempt_device(struct signin_store *s, const struct signin_passwords *passwords,
    const char *identity, const char *address, struct signin_device *device, const char *password,
    size_t len, int64_t now_ms, struct signin_session *out, int64_t *locked_until_ms)
{
	const char *hash = passwords != NULL ? signin_passwords_find(passwords, identity) : NULL;
	char where[ACCESS_MAX_IDENTITY], cookie_row[ACCESS_MAX_IDENTITY];
	struct failure *fi = NULL, *fa = NULL, *fc = NULL;
	int64_t until = 0, t;
	int good, trusted = 0;

	memset(out, 0, sizeof(*out));
	if (locked_until_ms != NULL)
		*locked_until_ms = 0;
	if (device != NULL) {
		device->trusted = 0;
		device->fresh[0] = '\0';
	}
	if (identity == NULL || identity[0] == '\0' || strlen(identity) >= ACCESS_MAX_IDENTITY)
		return SIGNIN_BAD;
	/* an address's row and a cookie's: names no identity can have (identities
	 * hold no space); a cookie's row is named by its nonce */
	if (address != NULL)
		snprintf(where, sizeof(where), "address %s", address);
	/* the MAC is worked out for an unknown identity too (against the hash
	 * no one's password matches), so that it costs what a known one's
	 * does; it is never valid then */
	if (device != NULL && s->have_device_key && device->cookie != NULL) {
		trusted = signin_device_valid(s->device_key, identity,
		              hash != NULL ? hash : s->dummy, device->cookie) &&
		          hash != NULL;
		snprintf(cookie_row, sizeof(cookie_row), "device %.*s", SIGNIN_DEVICE_NONCE,
		    device->cookie);
	}
	/*
	 * The rows this attempt's wrong password would be counted on are taken
	 * now, before the password is read (held for lockout_s, released if it
	 * is good): with none to be had, every other row holding a count that
	 * still holds (guessers of many names from many addresses), it is
	 * refused as locked until one is spent, or the guess would go uncounted
	 * and guessing be unlimited.  A valid cookie's row is apart from them;
	 * a cookie locked, or with no row to be had (its owner's share or the
	 * cookies' rows all held), is an untrusted client like any other.
	 */
	pthread_mutex_lock(&s->lock);
	if (trusted) {
		fc = failure_of(s, cookie_row, identity, now_ms, 1);
		if (fc == NULL || fc->locked_until_ms > now_ms) {
			failure_release(fc);
			fc = NULL;
			trusted = 0;
		}
	}
	fa = address != NULL ? failure_of(s, where, NULL, now_ms, 1) : NULL;
	if (!trusted) {
		fi = failure_of(s, identity, NULL, now_ms, 1);
		if (fi == NULL || (address != NULL && fa == NULL)) {
			until = failure_free_at(s, identity);
		} else {
			if (fi->locked_until_ms > now_ms)
				until = fi->locked_until_ms;
			if (fa != NULL && fa->locked_until_ms > now_ms &&
			    fa->locked_until_ms > until)
				until = fa->locked_until_ms;
		}
		if (until != 0) {
			failure_release(fi);
			failure_release(fa);
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (device != NULL)
		device->trusted = trusted;
	if (until != 0) {
		if (locked_until_ms != NULL)
			*locked_until_ms = until;
		return SIGNIN_LOCKED;
	}
	good = signin_hash_matches(hash != NULL ? hash : s->dummy, password, len) && hash != NULL;
	/* the rows are found again by their names: another sign-in may have
	 * cleared one meanwhile (held, none was given to another name) */
	pthread_mutex_lock(&s->lock);
	fi = failure_of(s, trusted ? cookie_row : identity, trusted ? identity : NULL, now_ms,
	    !good);
	fa = address != NULL ? failure_of(s, where, NULL, now_ms, !good) : NULL;
	if (good) {
		/* a trusted sign-in leaves the identity's count alone: it is what
		 * untrusted clients guessed, and the person's good password must not
		 * give them a fresh start */
		if (fi != NULL)
			memset(fi, 0, sizeof(*fi));
		failure_release(fa);
	} else {
		until = count_failure(s, fi, s->policy.failures, now_ms);
		if (fa != NULL) {
			t = count_failure(s, fa, s->policy.failures * SIGNIN_ADDRESS_FACTOR,
			    now_ms);
			/* the address's lock does not hold a trusted cookie */
			if (t > until && !trusted)
				until = t;
		}
	}
	pthread_mutex_unlock(&s->lock);
	if (!good) {
		if (locked_until_ms != NULL)
			*locked_until_ms = until;
		return SIGNIN_BAD;
	}
	if (device != NULL && s->have_device_key)
		(void)signin_device_make(s->device_key, identity, hash, device->fresh);
	return session_new(s, identity, now_ms, out) == 0 ? SIGNIN_OK : SIGNIN_FULL;
}

static int
session_find(struct signin_store *s, const char *token, int64_t now_ms, int use,
    struct signin_session *out)
{
	struct signin_session *x;
	int i, found = 0;

	memset(out, 0, sizeof(*out));
	if (token == NULL || strlen(token) != SIGNIN_TOKEN_LEN)
		return 0;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->policy.max_sessions; i++) {
		x = &s->sessions[i];
		if (!tokens_equal(x->token, token))
			continue;
		if (session_over(s, x, now_ms)) {
			memset(x, 0, sizeof(*x));
			break;
		}
		if (use)
			x->used_ms = now_ms;
		*out = *x;
		found = 1;
		break;
	}
	pthread_mutex_unlock(&s->lock);
	return found;
}

int
signin_session_find(struct signin_store *s, const char *token, int64_t now_ms,
    struct signin_session *out)
{
	return session_find(s, token, now_ms, 1, out);
}

int
signin_session_peek(struct signin_store *s, const char *token, int64_t now_ms,
    struct signin_session *out)
{
	return session_find(s, token, now_ms, 0, out);
}

void
signin_session_end(struct signin_store *s, const char *token)
{
	int i;

	if (token == NULL || strlen(token) != SIGNIN_TOKEN_LEN)
		return;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->policy.max_sessions; i++)
		if (tokens_equal(s->sessions[i].token, token))
			memset(&s->sessions[i], 0, sizeof(s->sessions[i]));
	pthread_mutex_unlock(&s->lock);
}

int
signin_end_identity(struct signin_store *s, const char *identity)
{
	int i, n = 0;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->policy.max_sessions; i++)
		if (s->sessions[i].token[0] != '\0' &&
		    strcmp(s->sessions[i].identity, identity) == 0) {
			memset(&s->sessions[i], 0, sizeof(s->sessions[i]));
			n++;
		}
	pthread_mutex_unlock(&s->lock);
	return n;
}

int
signin_csrf_ok(const struct signin_session *session, const char *token)
{
	return session != NULL && tokens_equal(session->csrf, token);
}
