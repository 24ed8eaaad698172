/*
 * opauth: operators' PINs and shifts on a real station database: only a
 * salted Argon2id hash is kept, a wrong PIN counts, five lock the operator
 * out, a new PIN lifts it, and shifts end once with how they ended.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "opauth.h"
#include "registry.h"
#include "store.h"

struct fixture {
	char dir[64];
	sqlite3 *db;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	if (f == NULL || fixture_db_setup(f->dir, sizeof(f->dir), "gastest-opauth", "station.db",
	                     schema_station, &f->db) == -1) {
		free(f);
		return -1;
	}
	if (registry_operator_add(f->db, "OP-7", "Wang Wei", "2099-01-01", err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "gastest-opauth: %s\n", err);
		fixture_db_teardown(f->dir, &f->db); /* no tear-down follows a failed set-up */
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc = fixture_db_teardown(f->dir, &f->db);

	free(f);
	return rc;
}

static void
keeps_only_a_salted_argon2id_hash(void **state)
{
	struct fixture *f = *state;
	struct opauth_credential a, b;
	char err[256];

	assert_int_equal(opauth_set_pin(f->db, "OP-7", "2468-pin", 1000, err, sizeof(err)), 0);
	assert_int_equal(opauth_fetch(f->db, "OP-7", &a, err, sizeof(err)), STORE_FOUND);
	assert_non_null(strstr(a.hash, "$argon2id$v=19$m=19456,t=2,p=1$"));
	assert_null(strstr(a.hash, "2468"));
	assert_true(opauth_pin_matches(&a, "2468-pin"));
	assert_false(opauth_pin_matches(&a, "2468-pim"));
	assert_false(opauth_pin_matches(&a, ""));
	/* the same PIN again: a new salt, so another hash */
	assert_int_equal(opauth_set_pin(f->db, "OP-7", "2468-pin", 2000, err, sizeof(err)), 0);
	assert_int_equal(opauth_fetch(f->db, "OP-7", &b, err, sizeof(err)), STORE_FOUND);
	assert_string_not_equal(a.hash, b.hash);
	assert_true(opauth_pin_matches(&b, "2468-pin"));
}

static void
refuses_unusable_pins_and_unknown_operators(void **state)
{
	static const struct {
		const char *cert, *pin, *error;
	} rows[] = {
		{ "OP-7", "123", "4 to 64" },
		{ "OP-7", "0123456789012345678901234567890123456789012345678901234567890123456789",
		    "4 to 64" },
		{ "OP-7", "12\n34", "control characters" },
		{ "OP-NOBODY", "2468", "not registered" },
		{ NULL, NULL, NULL },
	};
	struct fixture *f = *state;
	struct opauth_credential c;
	char err[256];

	for (size_t i = 0; rows[i].cert != NULL; i++) {
		err[0] = '\0';
		if (opauth_set_pin(f->db, rows[i].cert, rows[i].pin, 0, err, sizeof(err)) != -1)
			fail_msg("row %zu: accepted", i);
		if (strstr(err, rows[i].error) == NULL)
			fail_msg("row %zu: \"%s\" lacks \"%s\"", i, err, rows[i].error);
		if (strstr(err, rows[i].pin) != NULL)
			fail_msg("row %zu: the PIN is in the error", i);
	}
	assert_int_equal(opauth_fetch(f->db, "OP-7", &c, err, sizeof(err)), STORE_NOT_FOUND);
}

static void
five_wrong_pins_lock_out_and_a_new_pin_lifts_it(void **state)
{
	struct fixture *f = *state;
	struct opauth_credential c;
	int64_t until;
	char err[256];
	int failures, i;

	assert_int_equal(opauth_set_pin(f->db, "OP-7", "2468", 0, err, sizeof(err)), 0);
	for (i = 1; i < OPAUTH_MAX_FAILURES; i++) {
		assert_int_equal(
		    opauth_note(f->db, "OP-7", 0, 5000, &failures, &until, err, sizeof(err)), 0);
		assert_int_equal(failures, i);
		assert_int_equal(until, 0);
	}
	/* a good PIN in between starts the count again */
	assert_int_equal(opauth_note(f->db, "OP-7", 1, 5000, &failures, &until, err, sizeof(err)),
	    0);
	assert_int_equal(failures, 0);
	for (i = 1; i <= OPAUTH_MAX_FAILURES; i++)
		assert_int_equal(
		    opauth_note(f->db, "OP-7", 0, 5000, &failures, &until, err, sizeof(err)), 0);
	assert_int_equal(until, 5000 + OPAUTH_LOCK_MS);
	assert_int_equal(opauth_fetch(f->db, "OP-7", &c, err, sizeof(err)), STORE_FOUND);
	assert_int_equal(c.locked_until_ms, 5000 + OPAUTH_LOCK_MS);
	assert_int_equal(opauth_set_pin(f->db, "OP-7", "1357", 6000, err, sizeof(err)), 0);
	assert_int_equal(opauth_fetch(f->db, "OP-7", &c, err, sizeof(err)), STORE_FOUND);
	assert_int_equal(c.locked_until_ms, 0);
	assert_int_equal(c.failures, 0);
}

/* Each lock-out in a row lasts twice the one before, up to a day: a guesser
 * of a four-digit PIN gets about 35 tries the first day and 5 a day after,
 * not 480 a day for ever (until 7 Dec 2026 every lock-out was 15 minutes).
 * A good PIN, or a new one, starts again from 15 minutes. */
static void
lock_outs_in_a_row_grow_to_a_day(void **state)
{
	struct fixture *f = *state;
	static const int64_t minutes[] = { 15, 30, 60, 120, 240, 480, 960, 1440, 1440 };
	int64_t until = 0, now = 1000;
	char err[256];
	int failures, lock, i, tries = 0;

	assert_int_equal(opauth_set_pin(f->db, "OP-7", "2468", 0, err, sizeof(err)), 0);
	for (lock = 0; lock < (int)(sizeof(minutes) / sizeof(minutes[0])); lock++) {
		for (i = 1; i <= OPAUTH_MAX_FAILURES; i++) {
			assert_int_equal(
			    opauth_note(f->db, "OP-7", 0, now, &failures, &until, err, sizeof(err)),
			    0);
			assert_int_equal(failures, i % OPAUTH_MAX_FAILURES);
			if (now < 24LL * 3600 * 1000)
				tries++;
		}
		if (until - now != minutes[lock] * 60 * 1000)
			fail_msg("lock-out %d: %lld min, not %lld", lock + 1,
			    (long long)((until - now) / 60000), (long long)minutes[lock]);
		now = until; /* the guesser waits it out */
	}
	assert_true(tries <= 40);
	/* the right PIN starts again from the first lock-out's length */
	assert_int_equal(opauth_note(f->db, "OP-7", 1, now, &failures, &until, err, sizeof(err)),
	    0);
	for (i = 1; i <= OPAUTH_MAX_FAILURES; i++)
		assert_int_equal(
		    opauth_note(f->db, "OP-7", 0, now, &failures, &until, err, sizeof(err)), 0);
	assert_int_equal(until - now, OPAUTH_LOCK_MS);
}

static void
shifts_end_once_with_how(void **state)
{
	struct fixture *f = *state;
	int64_t a, b;
	char err[256];

	assert_int_equal(opauth_shift_open(f->db, 1, "OP-7", 100, &a, err, sizeof(err)), 0);
	assert_int_equal(opauth_shift_open(f->db, 2, "OP-7", 200, &b, err, sizeof(err)), 0);
	assert_int_equal(opauth_shift_close(f->db, a, OPAUTH_LOGOUT, 300, err, sizeof(err)), 0);
	/* a second end of the same shift changes nothing */
	assert_int_equal(opauth_shift_close(f->db, a, OPAUTH_TIME, 400, err, sizeof(err)), 0);
	/* 0: every shift still open (gasgw stopping) */
	assert_int_equal(opauth_shift_close(f->db, 0, OPAUTH_STOP, 500, err, sizeof(err)), 0);
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(*) FROM shifts WHERE id = 1 AND ended_ms = 300"
	                     " AND ended_by = 'logout'",
	                     -1),
	    1);
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(*) FROM shifts WHERE id = 2 AND ended_ms = 500"
	                     " AND ended_by = 'stop'",
	                     -1),
	    1);
}

/* The guard opauth_prove holds around its database steps (gasgw's records
 * lock): counted, and never held across the hash. */
static int guard_held, guard_taken;

static void
guard_lock(void *ctx)
{
	(void)ctx;
	assert_int_equal(guard_held, 0);
	guard_held = 1;
	guard_taken++;
}

static void
guard_unlock(void *ctx)
{
	(void)ctx;
	assert_int_equal(guard_held, 1);
	guard_held = 0;
}

/* opauth_prove, the one PIN check of a login, a life event and a
 * reinstatement: no PIN set, wrong PINs counted to a lock-out that refuses
 * the right PIN too, each refusal's words without the PIN, and a right PIN
 * starting the count again. */
static void
proving_counts_every_try_and_locks_out(void **state)
{
	const struct opauth_guard guard = { guard_lock, guard_unlock, NULL };
	struct fixture *f = *state;
	int64_t until, now = 10000;
	char err[256];
	int i;

	assert_int_equal(opauth_prove(f->db, &guard, "OP-7", "2468", now, &until, err, sizeof(err)),
	    OPAUTH_REFUSED);
	assert_string_equal(err, "operator OP-7 has no PIN yet: a station administrator sets one "
	                         "with gasctl operators pin OP-7");
	assert_int_equal(opauth_set_pin(f->db, "OP-7", "2468", 0, err, sizeof(err)), 0);
	assert_int_equal(opauth_prove(f->db, NULL, "OP-7", "1111", now, &until, err, sizeof(err)),
	    OPAUTH_WRONG);
	assert_string_equal(err, "wrong PIN for operator OP-7 (4 more tries before a lock-out)");
	guard_taken = 0;
	assert_int_equal(opauth_prove(f->db, &guard, "OP-7", "2468", now, &until, err, sizeof(err)),
	    OPAUTH_PROVEN);
	assert_int_equal(guard_taken, 2); /* the fetch and the note, not the hash */
	assert_int_equal(until, 0);
	for (i = 1; i < OPAUTH_MAX_FAILURES; i++) {
		assert_int_equal(
		    opauth_prove(f->db, &guard, "OP-7", "0000", now, &until, err, sizeof(err)),
		    OPAUTH_WRONG);
		assert_int_equal(until, 0);
	}
	assert_string_equal(err, "wrong PIN for operator OP-7 (1 more tries before a lock-out)");
	assert_int_equal(opauth_prove(f->db, &guard, "OP-7", "0000", now, &until, err, sizeof(err)),
	    OPAUTH_WRONG);
	assert_int_equal(until, now + OPAUTH_LOCK_MS);
	if (strncmp(err, "wrong PIN; operator OP-7 is locked out until ", 45) != 0)
		fail_msg("the fifth: %s", err);
	assert_int_equal(
	    opauth_prove(f->db, &guard, "OP-7", "2468", now + 1, &until, err, sizeof(err)),
	    OPAUTH_REFUSED);
	assert_int_equal(until, now + OPAUTH_LOCK_MS);
	if (strstr(err, "operator OP-7 is locked out after 5 wrong PINs until ") != err ||
	    strstr(err, "2468") != NULL)
		fail_msg("locked out: %s", err);
	/* the lock-out over, five more wrong ones: the second lock-out says how
	 * many wrong PINs in a row it follows, not the first one's five */
	now += OPAUTH_LOCK_MS + 1;
	for (i = 1; i <= OPAUTH_MAX_FAILURES; i++)
		assert_int_equal(
		    opauth_prove(f->db, &guard, "OP-7", "0000", now, &until, err, sizeof(err)),
		    OPAUTH_WRONG);
	assert_int_equal(until, now + 2 * OPAUTH_LOCK_MS);
	assert_int_equal(
	    opauth_prove(f->db, &guard, "OP-7", "2468", now + 1, &until, err, sizeof(err)),
	    OPAUTH_REFUSED);
	if (strstr(err, "operator OP-7 is locked out after 10 wrong PINs until ") != err)
		fail_msg("the second lock-out: %s", err);
	/* that one over too, the right PIN again */
	assert_int_equal(opauth_prove(f->db, &guard, "OP-7", "2468", now + 2 * OPAUTH_LOCK_MS + 1,
	                     &until, err, sizeof(err)),
	    OPAUTH_PROVEN);
	assert_int_equal(guard_held, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(keeps_only_a_salted_argon2id_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_unusable_pins_and_unknown_operators, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(five_wrong_pins_lock_out_and_a_new_pin_lifts_it,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(lock_outs_in_a_row_grow_to_a_day, setup, teardown),
		cmocka_unit_test_setup_teardown(shifts_end_once_with_how, setup, teardown),
		cmocka_unit_test_setup_teardown(proving_counts_every_try_and_locks_out, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
