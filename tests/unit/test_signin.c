/*
 * signin (tools/county/signin.c): the console's passwords, lock-out,
 * sessions and CSRF tokens, as a person and an attacker would meet them:
 * the right and a wrong password, an unknown identity, a lock-out that
 * holds even for the right password and ends, sessions that end by idle
 * time, by age and by sign-out, tokens that differ by one character, and a
 * password file that is readable by others, malformed, or rewritten.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "signin.h"

static const struct signin_policy policy = { .idle_s = 60,
	.max_s = 600,
	.failures = 3,
	.lockout_s = 30,
	.max_sessions = 4 };

/* A password file in a fresh folder, with one officer and one regulator. */
struct fixture {
	char dir[64], path[128];
	struct signin_passwords passwords;
	struct signin_store *store;
};

/* A cmocka set-up's fixture in *state.  0, or -1 with the reason on stderr
 * and nothing left behind (no folder): cmocka runs no tear-down after a
 * set-up that failed, and an assertion here would leave the folder. */
static int
setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char hash[SIGNIN_HASH_MAX], err[256] = "no memory";
	int made = 0, loaded = 0, rc = -1;

	if (fx == NULL)
		goto out;
	if (fixture_dir_make(fx->dir, sizeof(fx->dir), "test_signin") == -1) {
		snprintf(err, sizeof(err), "no folder: %s", strerror(errno));
		goto out;
	}
	made = 1;
	snprintf(fx->path, sizeof(fx->path), "%s/passwords", fx->dir);
	if (signin_hash("correct horse", 13, hash, err, sizeof(err)) == -1 ||
	    signin_passwords_set(fx->path, "officer:li@TA", hash, err, sizeof(err)) == -1 ||
	    signin_hash("regulator pw", 12, hash, err, sizeof(err)) == -1 ||
	    signin_passwords_set(fx->path, "regulator:alice", hash, err, sizeof(err)) == -1 ||
	    signin_passwords_load(fx->path, &fx->passwords, err, sizeof(err)) == -1)
		goto out;
	loaded = 1;
	fx->store = signin_store_new(&policy);
	if (fx->store == NULL) {
		snprintf(err, sizeof(err), "no memory for the store");
		goto out;
	}
	*state = fx;
	rc = 0;
out:
	if (rc == -1) {
		fprintf(stderr, "test_signin: %s\n", err);
		if (loaded)
			signin_passwords_free(&fx->passwords);
		if (made && fixture_dir_remove(fx->dir) != 0)
			fprintf(stderr, "could not remove %s\n", fx->dir);
		free(fx);
	}
	return rc;
}

/* The tear-down of setup, after a case passed or failed.  0, or -1 (a
 * failure cmocka reports) if the folder could not be removed. */
static int
teardown(void **state)
{
	struct fixture *fx = *state;
	int rc = 0;

	signin_store_free(fx->store);
	signin_passwords_free(&fx->passwords);
	if (fixture_dir_remove(fx->dir) != 0) {
		fprintf(stderr, "could not remove %s\n", fx->dir);
		rc = -1;
	}
	free(fx);
	return rc;
}

static enum signin_result
attempt(struct fixture *fx, const char *id, const char *pw, int64_t now, struct signin_session *out)
{
	return signin_attempt(fx->store, &fx->passwords, id, "192.0.2.1", pw, strlen(pw), now, out,
	    NULL);
}

static void
hashes_are_salted_argon2id_and_refuse_short_passwords(void **state)
{
	char a[SIGNIN_HASH_MAX], b[SIGNIN_HASH_MAX], err[256];

	(void)state;
	assert_int_equal(signin_hash("same password", 13, a, err, sizeof(err)), 0);
	assert_int_equal(signin_hash("same password", 13, b, err, sizeof(err)), 0);
	assert_string_not_equal(a, b); /* each with its own salt */
	assert_true(strncmp(a, "$argon2id$", 10) == 0);
	assert_int_equal(signin_hash_matches(a, "same password", 13), 1);
	assert_int_equal(signin_hash_matches(a, "same passworD", 13), 0);
	assert_int_equal(signin_hash_matches("plain text", "plain text", 10), 0);
	assert_int_equal(signin_hash("short", 5, a, err, sizeof(err)), -1);
	assert_string_equal(a, "");
	assert_non_null(strstr(err, "at least"));
}

static void
the_right_password_opens_a_session_and_a_wrong_one_does_not(void **state)
{
	struct fixture *fx = *state;
	struct signin_session s, found;

	assert_int_equal(attempt(fx, "officer:li@TA", "wrong horse", 1000, &s), SIGNIN_BAD);
	assert_string_equal(s.token, "");
	assert_int_equal(attempt(fx, "officer:nobody@TA", "correct horse", 1000, &s), SIGNIN_BAD);
	assert_int_equal(attempt(fx, "officer:li@TA", "correct horse", 1000, &s), SIGNIN_OK);
	assert_int_equal(strlen(s.token), SIGNIN_TOKEN_LEN);
	assert_int_equal(strlen(s.csrf), SIGNIN_TOKEN_LEN);
	assert_string_not_equal(s.token, s.csrf);
	assert_string_equal(s.identity, "officer:li@TA");
	assert_int_equal(signin_session_find(fx->store, s.token, 2000, &found), 1);
	assert_string_equal(found.identity, "officer:li@TA");
}

static void
repeated_bad_passwords_lock_the_identity_even_for_the_right_one(void **state)
{
	struct fixture *fx = *state;
	struct signin_session s;
	int64_t until = 0;
	int i;

	for (i = 0; i < policy.failures; i++)
		assert_int_equal(attempt(fx, "officer:li@TA", "guess guess", 1000 + i, &s),
		    SIGNIN_BAD);
	assert_int_equal(signin_attempt(fx->store, &fx->passwords, "officer:li@TA", "192.0.2.1",
	                     "correct horse", 13, 5000, &s, &until),
	    SIGNIN_LOCKED);
	assert_true(until > 5000);
	/* another person is not locked by it */
	assert_int_equal(attempt(fx, "regulator:alice", "regulator pw", 5000, &s), SIGNIN_OK);
	/* the lock ends, and the right password works again */
	assert_int_equal(attempt(fx, "officer:li@TA", "correct horse",
	                     1000 + policy.failures + policy.lockout_s * 1000, &s),
	    SIGNIN_OK);
	/* unknown identities are locked too (guessing names costs the same) */
	for (i = 0; i < policy.failures; i++)
		attempt(fx, "officer:ghost@TA", "guess guess", 100000, &s);
	assert_int_equal(attempt(fx, "officer:ghost@TA", "guess guess", 100001, &s), SIGNIN_LOCKED);
}

static void
guessing_across_accounts_locks_the_address_not_the_accounts(void **state)
{
	struct fixture *fx = *state;
	struct signin_session s;
	char id[64];
	int i, n = policy.failures * SIGNIN_ADDRESS_FACTOR;

	/* one wrong password each for many accounts: no account reaches its
	 * own limit, the address does */
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "officer:guess%d@TA", i);
		assert_int_equal(signin_attempt(fx->store, &fx->passwords, id, "198.51.100.7",
		                     "guess guess", 11, 1000 + i, &s, NULL),
		    SIGNIN_BAD);
		if (i == 0) /* a good sign-in in between does not reset the address */
			assert_int_equal(signin_attempt(fx->store, &fx->passwords,
			                     "regulator:alice", "198.51.100.7", "regulator pw", 12,
			                     1000, &s, NULL),
			    SIGNIN_OK);
	}
	assert_int_equal(signin_attempt(fx->store, &fx->passwords, "officer:li@TA", "198.51.100.7",
	                     "correct horse", 13, 2000, &s, NULL),
	    SIGNIN_LOCKED);
	/* the same account from another address is not locked */
	assert_int_equal(attempt(fx, "officer:li@TA", "correct horse", 2000, &s), SIGNIN_OK);
}

static void
old_failures_are_forgotten(void **state)
{
	struct fixture *fx = *state;
	struct signin_session s;
	int i;

	for (i = 0; i < policy.failures - 1; i++)
		attempt(fx, "officer:li@TA", "guess guess", 1000, &s);
	/* long after: the count starts again, so one more wrong one does not lock */
	assert_int_equal(
	    attempt(fx, "officer:li@TA", "guess guess", 1000 + policy.lockout_s * 1000LL + 1, &s),
	    SIGNIN_BAD);
	assert_int_equal(
	    attempt(fx, "officer:li@TA", "correct horse", 1000 + policy.lockout_s * 1000LL + 2, &s),
	    SIGNIN_OK);
}

static void
a_good_password_clears_the_count(void **state)
{
	struct fixture *fx = *state;
	struct signin_session s;
	int i;

	for (i = 0; i < policy.failures - 1; i++)
		attempt(fx, "officer:li@TA", "guess guess", 1000, &s);
	assert_int_equal(attempt(fx, "officer:li@TA", "correct horse", 1000, &s), SIGNIN_OK);
	for (i = 0; i < policy.failures - 1; i++)
		attempt(fx, "officer:li@TA", "guess guess", 1000, &s);
	assert_int_equal(attempt(fx, "officer:li@TA", "correct horse", 1000, &s), SIGNIN_OK);
}

static void
sessions_end_by_idle_time_by_age_and_by_sign_out(void **state)
{
	struct fixture *fx = *state;
	struct signin_session s, found;
	int64_t t = 1000;
	char other[SIGNIN_TOKEN_LEN + 1];

	assert_int_equal(attempt(fx, "regulator:alice", "regulator pw", t, &s), SIGNIN_OK);
	/* used within the idle time, again and again: alive until max_s */
	for (t = 1000; t < 1000 + (policy.max_s - 1) * 1000LL; t += 50000)
		assert_int_equal(signin_session_find(fx->store, s.token, t, &found), 1);
	assert_int_equal(
	    signin_session_find(fx->store, s.token, 1000 + policy.max_s * 1000LL, &found), 0);
	assert_int_equal(signin_session_find(fx->store, s.token, 1000, &found), 0); /* forgotten */

	assert_int_equal(attempt(fx, "regulator:alice", "regulator pw", 1000, &s), SIGNIN_OK);
	assert_int_equal(
	    signin_session_find(fx->store, s.token, 1000 + policy.idle_s * 1000LL, &found), 0);

	assert_int_equal(attempt(fx, "regulator:alice", "regulator pw", 1000, &s), SIGNIN_OK);
	/* one character off is no session */
	strcpy(other, s.token);
	other[0] = other[0] == 'a' ? 'b' : 'a';
	assert_int_equal(signin_session_find(fx->store, other, 1001, &found), 0);
	assert_int_equal(signin_session_find(fx->store, "", 1001, &found), 0);
	assert_int_equal(signin_session_find(fx->store, NULL, 1001, &found), 0);
	signin_session_end(fx->store, s.token);
	assert_int_equal(signin_session_find(fx->store, s.token, 1002, &found), 0);
}

/* A page's own poll (signin_session_peek) finds the session without using
 * it: a browser left open on the case list idles out as any other. */
static void
a_poll_finds_the_session_but_does_not_keep_it_alive(void **state)
{
	struct fixture *fx = *state;
	struct signin_session s, found;
	int64_t t, idle = policy.idle_s * 1000LL;

	assert_int_equal(attempt(fx, "regulator:alice", "regulator pw", 1000, &s), SIGNIN_OK);
	for (t = 1000; t < 1000 + idle; t += idle / 4) {
		assert_int_equal(signin_session_peek(fx->store, s.token, t, &found), 1);
		assert_string_equal(found.identity, "regulator:alice");
	}
	/* the last use was the sign-in: over at idle_s after it, polls or not */
	assert_int_equal(signin_session_peek(fx->store, s.token, 1000 + idle, &found), 0);
	assert_int_equal(signin_session_find(fx->store, s.token, 1000 + idle - 1, &found),
	    0); /* forgotten */

	/* a person's request in between moves the idle time on */
	assert_int_equal(attempt(fx, "regulator:alice", "regulator pw", 1000, &s), SIGNIN_OK);
	assert_int_equal(signin_session_peek(fx->store, s.token, 1000 + idle / 2, &found), 1);
	assert_int_equal(signin_session_find(fx->store, s.token, 1000 + idle / 2, &found), 1);
	assert_int_equal(signin_session_peek(fx->store, s.token, 1000 + idle, &found), 1);
	assert_int_equal(signin_session_peek(fx->store, s.token, 1000 + idle / 2 + idle, &found),
	    0);
}

static void
csrf_tokens_match_only_their_own_session(void **state)
{
	struct fixture *fx = *state;
	struct signin_session a, b;
	char forged[SIGNIN_TOKEN_LEN + 1];

	assert_int_equal(attempt(fx, "regulator:alice", "regulator pw", 1000, &a), SIGNIN_OK);
	assert_int_equal(signin_anonymous(fx->store, 1000, &b), 0);
	assert_string_equal(b.identity, "");
	assert_int_equal(signin_csrf_ok(&a, a.csrf), 1);
	assert_int_equal(signin_csrf_ok(&a, b.csrf), 0);
	assert_int_equal(signin_csrf_ok(&a, a.token), 0);
	assert_int_equal(signin_csrf_ok(&a, NULL), 0);
	assert_int_equal(signin_csrf_ok(&a, ""), 0);
	strcpy(forged, a.csrf);
	forged[SIGNIN_TOKEN_LEN - 1] = forged[SIGNIN_TOKEN_LEN - 1] == '0' ? '1' : '0';
	assert_int_equal(signin_csrf_ok(&a, forged), 0);
}

static void
anonymous_visitors_give_way_to_people_and_a_full_store_says_so(void **state)
{
	struct fixture *fx = *state;
	struct signin_session s[6], found;
	int i;

	for (i = 0; i < policy.max_sessions; i++)
		assert_int_equal(signin_anonymous(fx->store, 1000 + i, &s[i]), 0);
	/* a sign-in takes the oldest anonymous slot */
	assert_int_equal(attempt(fx, "regulator:alice", "regulator pw", 2000, &s[4]), SIGNIN_OK);
	assert_int_equal(signin_session_find(fx->store, s[0].token, 2001, &found), 0);
	assert_int_equal(signin_session_find(fx->store, s[1].token, 2001, &found), 1);
	for (i = 0; i < policy.max_sessions - 1; i++)
		assert_int_equal(attempt(fx, "officer:li@TA", "correct horse", 3000, &s[5]),
		    SIGNIN_OK);
	/* every slot a live signed-in session: no room, and no one thrown out */
	assert_int_equal(attempt(fx, "officer:li@TA", "correct horse", 3000, &s[5]), SIGNIN_FULL);
	assert_int_equal(signin_anonymous(fx->store, 3000, &s[5]), -1);
	assert_int_equal(signin_session_find(fx->store, s[4].token, 3001, &found), 1);
	assert_int_equal(signin_end_identity(fx->store, "officer:li@TA"), policy.max_sessions - 1);
}

/*
 * Red team, wave 9: one person's password, signed in again and again (only
 * wrong passwords count towards a lock-out), filled every slot with live
 * sessions of their own, and nobody else could sign in ("too many people
 * signed in") for as long as the script went on.  A person holds at most
 * SIGNIN_PER_IDENTITY sessions: another sign-in ends their least recently
 * used one, and the rest of the store stays open to everyone else.
 */
static void
one_person_cannot_take_every_session(void **state)
{
	struct fixture *fx = *state;
	const struct signin_policy wide = { .idle_s = 60,
		.max_s = 600,
		.failures = 3,
		.lockout_s = 30,
		.max_sessions = 2 * SIGNIN_PER_IDENTITY };
	struct signin_session li[2 * SIGNIN_PER_IDENTITY], alice, found;
	int i, live = 0;

	signin_store_free(fx->store);
	fx->store = signin_store_new(&wide);
	assert_non_null(fx->store);
	for (i = 0; i < wide.max_sessions; i++)
		assert_int_equal(attempt(fx, "officer:li@TA", "correct horse", 1000 + i, &li[i]),
		    SIGNIN_OK);
	assert_int_equal(attempt(fx, "regulator:alice", "regulator pw", 2000, &alice), SIGNIN_OK);
	assert_int_equal(signin_session_find(fx->store, alice.token, 2001, &found), 1);
	assert_string_equal(found.identity, "regulator:alice");
	/* li keeps the newest sessions, SIGNIN_PER_IDENTITY of them */
	for (i = 0; i < wide.max_sessions; i++)
		live += signin_session_find(fx->store, li[i].token, 2002, &found);
	assert_int_equal(live, SIGNIN_PER_IDENTITY);
	assert_int_equal(
	    signin_session_find(fx->store, li[wide.max_sessions - 1].token, 2003, &found), 1);
	assert_int_equal(signin_session_find(fx->store, li[0].token, 2003, &found), 0);
	/* and the rest of the store is open: anonymous visitors get a form */
	for (i = 0; i < wide.max_sessions - SIGNIN_PER_IDENTITY - 1; i++)
		assert_int_equal(signin_anonymous(fx->store, 3000 + i, &found), 0);
}

/* Sign-ins hash for a while after reading the clock: one that read it
 * before another's session was made must not take that session's slot
 * (it looked "made in the future", so expired, and was thrown out). */
static void
a_sign_in_that_read_the_clock_earlier_keeps_newer_sessions(void **state)
{
	struct fixture *fx = *state;
	struct signin_session newer, older, found;

	assert_int_equal(attempt(fx, "regulator:alice", "regulator pw", 2000, &newer), SIGNIN_OK);
	assert_int_equal(attempt(fx, "officer:li@TA", "correct horse", 1990, &older), SIGNIN_OK);
	assert_int_equal(signin_anonymous(fx->store, 1980, &found), 0);
	assert_int_equal(signin_session_find(fx->store, newer.token, 2001, &found), 1);
	assert_int_equal(signin_session_find(fx->store, older.token, 2001, &found), 1);
}

static void
the_password_file_is_private_well_formed_and_rewritten_whole(void **state)
{
	struct fixture *fx = *state;
	struct signin_passwords p;
	char hash[SIGNIN_HASH_MAX], err[256], bad[160];
	struct stat st;
	FILE *f;

	assert_int_equal(stat(fx->path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(fx->passwords.count, 2);
	/* replacing a password keeps the others */
	assert_int_equal(signin_hash("new horse pw", 12, hash, err, sizeof(err)), 0);
	assert_int_equal(signin_passwords_set(fx->path, "officer:li@TA", hash, err, sizeof(err)),
	    0);
	assert_int_equal(signin_passwords_load(fx->path, &p, err, sizeof(err)), 0);
	assert_int_equal(p.count, 2);
	assert_string_equal(signin_passwords_find(&p, "officer:li@TA"), hash);
	assert_non_null(signin_passwords_find(&p, "regulator:alice"));
	signin_passwords_free(&p);
	/* stations and townships have keys, not passwords */
	assert_int_equal(signin_passwords_set(fx->path, "station:S01", hash, err, sizeof(err)), -1);
	assert_int_equal(signin_passwords_set(fx->path, "officer:li", hash, err, sizeof(err)), -1);
	/* others may read it: refused */
	chmod(fx->path, 0644);
	assert_int_equal(signin_passwords_load(fx->path, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "chmod 600"));
	/* a malformed line is named by its line */
	snprintf(bad, sizeof(bad), "%s/bad", fx->dir);
	f = fopen(bad, "w");
	assert_non_null(f);
	fprintf(f, "# comment\n\nregulator:bob plaintext\n");
	fclose(f);
	chmod(bad, 0600);
	assert_int_equal(signin_passwords_load(bad, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/bad:3:"));
	assert_int_equal(p.count, 0);
}

/* ---- device cookies ---------------------------------------------------------------- */

static const uint8_t key_a[SIGNIN_DEVICE_KEY] = { 1, 2, 3 }, key_b[SIGNIN_DEVICE_KEY] = { 1, 2, 4 };

static void
device_cookies_are_bound_to_the_key_the_identity_and_the_hash(void **state)
{
	const char *h1 = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
	           *h2 = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHU$aGFzaA";
	char c[SIGNIN_DEVICE_LEN + 1], d[SIGNIN_DEVICE_LEN + 1], bad[SIGNIN_DEVICE_LEN + 1];
	size_t i;

	(void)state;
	assert_int_equal(signin_device_make(key_a, "officer:li@TA", h1, c), 0);
	assert_int_equal(strlen(c), SIGNIN_DEVICE_LEN);
	assert_int_equal(c[SIGNIN_DEVICE_NONCE], '.');
	assert_int_equal(signin_device_make(key_a, "officer:li@TA", h1, d), 0);
	assert_string_not_equal(c, d); /* each with its own nonce */
	assert_int_equal(signin_device_valid(key_a, "officer:li@TA", h1, c), 1);
	assert_int_equal(signin_device_valid(key_a, "officer:li@TA", h1, d), 1);
	assert_int_equal(signin_device_valid(key_a, "officer:wang@TA", h1, c), 0);
	assert_int_equal(signin_device_valid(key_a, "officer:li@TA", h2, c), 0); /* new password */
	assert_int_equal(signin_device_valid(key_b, "officer:li@TA", h1, c), 0);
	/* one character changed anywhere, in the nonce or the MAC */
	for (i = 0; i < SIGNIN_DEVICE_LEN; i++) {
		if (i == SIGNIN_DEVICE_NONCE)
			continue;
		memcpy(bad, c, sizeof(bad));
		bad[i] = bad[i] == '0' ? '1' : '0';
		assert_int_equal(signin_device_valid(key_a, "officer:li@TA", h1, bad), 0);
	}
	/* the nonce of one with the MAC of another */
	memcpy(bad, c, SIGNIN_DEVICE_NONCE);
	memcpy(bad + SIGNIN_DEVICE_NONCE, d + SIGNIN_DEVICE_NONCE,
	    sizeof(bad) - SIGNIN_DEVICE_NONCE);
	assert_int_equal(signin_device_valid(key_a, "officer:li@TA", h1, bad), 0);
	/* not of the form */
	assert_int_equal(signin_device_valid(key_a, "officer:li@TA", h1, NULL), 0);
	assert_int_equal(signin_device_valid(key_a, "officer:li@TA", h1, ""), 0);
	memcpy(bad, c, sizeof(bad));
	bad[SIGNIN_DEVICE_LEN - 1] = '\0';
	assert_int_equal(signin_device_valid(key_a, "officer:li@TA", h1, bad), 0);
	memcpy(bad, c, sizeof(bad));
	bad[SIGNIN_DEVICE_NONCE] = '-';
	assert_int_equal(signin_device_valid(key_a, "officer:li@TA", h1, bad), 0);
}

/* A sign-in of id with pw and the device cookie cookie (NULL: none) from
 * address; *dev says what came of the cookie. */
static enum signin_result
attempt_dev(struct fixture *fx, const char *id, const char *address, const char *cookie,
    const char *pw, int64_t now, struct signin_device *dev)
{
	struct signin_session s;

	memset(dev, 0, sizeof(*dev));
	dev->cookie = cookie;
	return signin_attempt_device(fx->store, &fx->passwords, id, address, dev, pw, strlen(pw),
	    now, &s, NULL);
}

/* A good sign-in of officer:li@TA gives a device cookie into out. */
static void
li_signs_in_and_gets_a_cookie(struct fixture *fx, int64_t now, char out[SIGNIN_DEVICE_LEN + 1])
{
	struct signin_device dev;

	signin_store_device_key(fx->store, "a TLS key", 9);
	assert_int_equal(
	    attempt_dev(fx, "officer:li@TA", "192.0.2.1", NULL, "correct horse", now, &dev),
	    SIGNIN_OK);
	assert_int_equal(strlen(dev.fresh), SIGNIN_DEVICE_LEN);
	memcpy(out, dev.fresh, SIGNIN_DEVICE_LEN + 1);
}

/* An attacker elsewhere locks officer:li@TA with wrong passwords. */
static void
attacker_locks_li(struct fixture *fx, int64_t now)
{
	struct signin_device dev;
	int i;

	for (i = 0; i < policy.failures; i++)
		assert_int_equal(attempt_dev(fx, "officer:li@TA", "203.0.113.9", NULL,
		                     "guess guess", now + i, &dev),
		    SIGNIN_BAD);
	assert_int_equal(attempt_dev(fx, "officer:li@TA", "203.0.113.9", NULL, "correct horse",
	                     now + policy.failures, &dev),
	    SIGNIN_LOCKED);
}

static void
a_device_cookie_signs_in_through_the_account_lock_and_no_other_does(void **state)
{
	struct fixture *fx = *state;
	struct signin_device dev;
	char c[SIGNIN_DEVICE_LEN + 1], alice[SIGNIN_DEVICE_LEN + 1], forged[SIGNIN_DEVICE_LEN + 1];
	int i;

	li_signs_in_and_gets_a_cookie(fx, 1000, c);
	attacker_locks_li(fx, 2000);
	/* the browser that signed in before gets in, with the right password only */
	assert_int_equal(
	    attempt_dev(fx, "officer:li@TA", "192.0.2.1", c, "correct horse", 3000, &dev),
	    SIGNIN_OK);
	assert_int_equal(dev.trusted, 1);
	assert_int_equal(strlen(dev.fresh), SIGNIN_DEVICE_LEN);
	assert_int_equal(
	    attempt_dev(fx, "officer:li@TA", "192.0.2.1", c, "guess guess", 3001, &dev),
	    SIGNIN_BAD);
	/* ... and its sign-in did not lift the lock for everyone else */
	assert_int_equal(
	    attempt_dev(fx, "officer:li@TA", "192.0.2.1", NULL, "correct horse", 3002, &dev),
	    SIGNIN_LOCKED);
	/* a cookie changed by one character, or another person's, gives nothing */
	memcpy(forged, c, sizeof(forged));
	forged[SIGNIN_DEVICE_LEN - 1] = forged[SIGNIN_DEVICE_LEN - 1] == 'a' ? 'b' : 'a';
	assert_int_equal(
	    attempt_dev(fx, "officer:li@TA", "192.0.2.1", forged, "correct horse", 3003, &dev),
	    SIGNIN_LOCKED);
	assert_int_equal(dev.trusted, 0);
	assert_int_equal(
	    attempt_dev(fx, "regulator:alice", "192.0.2.1", NULL, "regulator pw", 3004, &dev),
	    SIGNIN_OK);
	memcpy(alice, dev.fresh, sizeof(alice));
	assert_int_equal(
	    attempt_dev(fx, "officer:li@TA", "192.0.2.1", alice, "correct horse", 3005, &dev),
	    SIGNIN_LOCKED);
	/* li's cookie for an identity no one has: the answer of any wrong password */
	for (i = 0; i < 2; i++) {
		assert_int_equal(attempt_dev(fx, "officer:ghost@TA", "192.0.2.1", c,
		                     "correct horse", 3006 + i, &dev),
		    SIGNIN_BAD);
		assert_int_equal(dev.trusted, 0);
		assert_string_equal(dev.fresh, "");
	}
}

static void
wrong_passwords_with_a_device_cookie_lock_that_cookie_not_the_account(void **state)
{
	struct fixture *fx = *state;
	struct signin_device dev;
	char c[SIGNIN_DEVICE_LEN + 1], other[SIGNIN_DEVICE_LEN + 1];
	int i;

	li_signs_in_and_gets_a_cookie(fx, 1000, c);
	li_signs_in_and_gets_a_cookie(fx, 1001, other);
	for (i = 0; i < policy.failures; i++)
		assert_int_equal(
		    attempt_dev(fx, "officer:li@TA", "192.0.2.1", c, "guess guess", 2000 + i, &dev),
		    SIGNIN_BAD);
	/* the account is not locked by them: a browser without a cookie gets in */
	assert_int_equal(
	    attempt_dev(fx, "officer:li@TA", "198.51.100.1", NULL, "correct horse", 2100, &dev),
	    SIGNIN_OK);
	/* the cookie is locked: untrusted now, so an account lock holds it */
	attacker_locks_li(fx, 2200);
	assert_int_equal(
	    attempt_dev(fx, "officer:li@TA", "192.0.2.1", c, "correct horse", 2300, &dev),
	    SIGNIN_LOCKED);
	assert_int_equal(dev.trusted, 0);
	/* another browser's cookie of li still gets in */
	assert_int_equal(
	    attempt_dev(fx, "officer:li@TA", "192.0.2.1", other, "correct horse", 2301, &dev),
	    SIGNIN_OK);
	/* the cookie's lock ends after lockout_s (li's sessions ended: the store
	 * holds 4) */
	signin_end_identity(fx->store, "officer:li@TA");
	assert_int_equal(attempt_dev(fx, "officer:li@TA", "192.0.2.1", c, "correct horse",
	                     2002 + policy.lockout_s * 1000, &dev),
	    SIGNIN_OK);
	assert_int_equal(dev.trusted, 1);
}

static void
an_address_lock_does_not_hold_a_device_cookie(void **state)
{
	struct fixture *fx = *state;
	struct signin_device dev;
	char c[SIGNIN_DEVICE_LEN + 1], id[64];
	int i;

	li_signs_in_and_gets_a_cookie(fx, 1000, c);
	/* a guesser behind the same address (a carrier's NAT) locks the address */
	for (i = 0; i < policy.failures * SIGNIN_ADDRESS_FACTOR; i++) {
		snprintf(id, sizeof(id), "officer:guess%d@TA", i);
		assert_int_equal(
		    attempt_dev(fx, id, "192.0.2.1", NULL, "guess guess", 2000 + i, &dev),
		    SIGNIN_BAD);
	}
	assert_int_equal(
	    attempt_dev(fx, "officer:li@TA", "192.0.2.1", NULL, "correct horse", 3000, &dev),
	    SIGNIN_LOCKED);
	assert_int_equal(
	    attempt_dev(fx, "officer:li@TA", "192.0.2.1", c, "correct horse", 3001, &dev),
	    SIGNIN_OK);
}

static void
a_new_password_ends_the_device_cookies(void **state)
{
	struct fixture *fx = *state;
	struct signin_device dev;
	char c[SIGNIN_DEVICE_LEN + 1], hash[SIGNIN_HASH_MAX], err[256];

	li_signs_in_and_gets_a_cookie(fx, 1000, c);
	/* the administrator sets the same password again: a new salt, a new hash */
	assert_int_equal(signin_hash("correct horse", 13, hash, err, sizeof(err)), 0);
	assert_int_equal(signin_passwords_set(fx->path, "officer:li@TA", hash, err, sizeof(err)),
	    0);
	signin_passwords_free(&fx->passwords);
	assert_int_equal(signin_passwords_load(fx->path, &fx->passwords, err, sizeof(err)), 0);
	attacker_locks_li(fx, 2000);
	assert_int_equal(
	    attempt_dev(fx, "officer:li@TA", "192.0.2.1", c, "correct horse", 3000, &dev),
	    SIGNIN_LOCKED);
	assert_int_equal(dev.trusted, 0);
}

/* Guessers of many names from many addresses hold every row the store
 * counts wrong passwords on (each a name no one has, each from an address
 * of its own: both rows keep their counts for lockout_s, and no row with a
 * count that still holds is given to another name).  Then a new guess
 * could not be counted: until a row is spent, a sign-in without a device
 * cookie is refused as locked before its password is looked at, also from
 * an address that holds a row (until 6 Dec 2026 its guesses went
 * uncounted, or the address and the account took the one row from each
 * other, and guessing was unlimited), while a browser with li's cookie
 * signs in. */
static void
a_store_full_of_locks_refuses_rather_than_forget_a_guess(void **state)
{
	const struct signin_policy small = { .idle_s = 60,
		.max_s = 600,
		.failures = 3,
		.lockout_s = 30,
		.max_sessions = 4,
		.failure_rows = 16 };
	struct fixture *fx = *state;
	struct signin_store *wide = fx->store;
	struct signin_device dev;
	char c[SIGNIN_DEVICE_LEN + 1], id[64], addr[32];
	int64_t until = 0, now = 1000;
	enum signin_result r = SIGNIN_BAD;
	int i, n;

	fx->store = signin_store_new(&small);
	assert_non_null(fx->store);
	li_signs_in_and_gets_a_cookie(fx, now, c);
	for (n = 0; n < 64 && r != SIGNIN_LOCKED; n++) {
		snprintf(id, sizeof(id), "officer:ghost%d@TA", n);
		snprintf(addr, sizeof(addr), "198.51.100.%d", n);
		for (i = 0; i < small.failures && r != SIGNIN_LOCKED; i++) {
			r = attempt_dev(fx, id, addr, NULL, "guess guess", ++now, &dev);
			assert_true(r == SIGNIN_BAD || r == SIGNIN_LOCKED);
		}
	}
	assert_int_equal(r, SIGNIN_LOCKED);
	/* 14 rows not kept for cookies, a name and an address each: the eighth
	 * guesser finds none */
	assert_int_equal(n, 8);
	/* guesses at li, from an address that holds a row and from a new one:
	 * refused unread, more than `failures` times */
	for (i = 0; i < 2 * small.failures; i++) {
		assert_int_equal(attempt_dev(fx, "officer:li@TA", "198.51.100.6", NULL,
		                     "guess guess", ++now, &dev),
		    SIGNIN_LOCKED);
		assert_int_equal(attempt_dev(fx, "officer:li@TA", "192.0.2.99", NULL, "guess guess",
		                     ++now, &dev),
		    SIGNIN_LOCKED);
	}
	{
		struct signin_session s;

		assert_int_equal(signin_attempt(fx->store, &fx->passwords, "officer:li@TA",
		                     "192.0.2.99", "correct horse", 13, ++now, &s, &until),
		    SIGNIN_LOCKED);
		assert_true(until > now && until <= now + small.lockout_s * 1000 + 1);
	}
	/* the browser that signed in before: in */
	assert_int_equal(
	    attempt_dev(fx, "officer:li@TA", "192.0.2.1", c, "correct horse", ++now, &dev),
	    SIGNIN_OK);
	assert_int_equal(dev.trusted, 1);
	/* once the guessers' counts are spent, li signs in from anywhere */
	assert_int_equal(attempt_dev(fx, "officer:li@TA", "192.0.2.99", NULL, "correct horse",
	                     until + 1000, &dev),
	    SIGNIN_OK);
	signin_store_free(fx->store);
	fx->store = wide;
}

/* Every good sign-in makes a new device cookie, and each cookie's wrong
 * passwords are counted on a row of the cookies' own: one person (here
 * alice, with sixteen cookies of her own, each locked by wrong passwords)
 * holds at most DEVICE_ROWS_PER_IDENTITY of them, so li's cookie still has
 * a row and gets li in through a stranger's lock on li's account (with
 * alice's cookies holding every row, li's was an untrusted browser and was
 * locked out). */
static void
one_persons_cookies_cannot_take_the_cookies_rows(void **state)
{
	const struct signin_policy mid = { .idle_s = 60,
		.max_s = 600,
		.failures = 3,
		.lockout_s = 30,
		.max_sessions = 64,
		.failure_rows = 128 }; /* 16 rows for cookies */
	struct fixture *fx = *state;
	struct signin_store *wide = fx->store;
	struct signin_device dev;
	char c[SIGNIN_DEVICE_LEN + 1], mine[16][SIGNIN_DEVICE_LEN + 1];
	int64_t now = 1000;
	int i, k;

	fx->store = signin_store_new(&mid);
	assert_non_null(fx->store);
	li_signs_in_and_gets_a_cookie(fx, now, c);
	for (k = 0; k < 16; k++) {
		assert_int_equal(attempt_dev(fx, "regulator:alice", "192.0.2.50", NULL,
		                     "regulator pw", ++now, &dev),
		    SIGNIN_OK);
		memcpy(mine[k], dev.fresh, sizeof(mine[k]));
	}
	/* (past her share, her cookies are untrusted and her account's lock holds them) */
	for (k = 0; k < 16; k++)
		for (i = 0; i < mid.failures; i++)
			assert_int_not_equal(attempt_dev(fx, "regulator:alice", "192.0.2.50",
			                         mine[k], "guess guess", ++now, &dev),
			    SIGNIN_OK);
	attacker_locks_li(fx, ++now);
	now += mid.failures + 1;
	assert_int_equal(
	    attempt_dev(fx, "officer:li@TA", "192.0.2.1", c, "correct horse", ++now, &dev),
	    SIGNIN_OK);
	assert_int_equal(dev.trusted, 1);
	signin_store_free(fx->store);
	fx->store = wide;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hashes_are_salted_argon2id_and_refuse_short_passwords),
		cmocka_unit_test_setup_teardown(
		    the_right_password_opens_a_session_and_a_wrong_one_does_not, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    repeated_bad_passwords_lock_the_identity_even_for_the_right_one, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_good_password_clears_the_count, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    guessing_across_accounts_locks_the_address_not_the_accounts, setup, teardown),
		cmocka_unit_test_setup_teardown(old_failures_are_forgotten, setup, teardown),
		cmocka_unit_test_setup_teardown(one_person_cannot_take_every_session, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(sessions_end_by_idle_time_by_age_and_by_sign_out,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_poll_finds_the_session_but_does_not_keep_it_alive,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_sign_in_that_read_the_clock_earlier_keeps_newer_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(csrf_tokens_match_only_their_own_session, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    anonymous_visitors_give_way_to_people_and_a_full_store_says_so, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    the_password_file_is_private_well_formed_and_rewritten_whole, setup, teardown),
		cmocka_unit_test(device_cookies_are_bound_to_the_key_the_identity_and_the_hash),
		cmocka_unit_test_setup_teardown(
		    a_device_cookie_signs_in_through_the_account_lock_and_no_other_does, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    wrong_passwords_with_a_device_cookie_lock_that_cookie_not_the_account, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(an_address_lock_does_not_hold_a_device_cookie,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_new_password_ends_the_device_cookies, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    a_store_full_of_locks_refuses_rather_than_forget_a_guess, setup, teardown),
		cmocka_unit_test_setup_teardown(one_persons_cookies_cannot_take_the_cookies_rows,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
