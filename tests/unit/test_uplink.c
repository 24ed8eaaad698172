/*
 * uplink: the gateway's side of the county link, against uplink processes
 * that misbehave on purpose.  uplink_start starts this test binary again
 * with --uplink-process, where a scripted uplink (TEST_UPLINK_MODE) does
 * one thing wrong; the real thread, channel and station database judge it:
 *   - an ACK claiming more than the batch it was given deletes only the
 *     outbox rows it was handed, never the others;
 *   - a malformed message, a count that does not match, an uplink that
 *     stays silent longer than it said, and one that exits are each ended
 *     and a new uplink process is started, with the outbox untouched;
 *   - a registry delta is applied through the registry module;
 *   - a county that refuses (4.00) every batch holding certain records:
 *     those are set aside with its reason, every other record leaves the
 *     outbox although the county's contiguous mark stops at the first gap;
 *   - a county that refuses without naming a record sets nothing aside;
 *   - an uplink that lies about which record was refused sets nothing
 *     aside unless the refused batch was that one record alone;
 *   - a county mark above every seq the station numbered (a station
 *     restored from a backup, or a lying uplink) takes nothing: the
 *     records waiting are renumbered after it and sent again.
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
#include "log.h"
#include "store.h"
#include "upchan.h"
#include "uplink.h"
#include "uplinkproc.h"
#include "util.h"
#include "wire.h"

/* ---- the scripted uplink process -------------------------------------------- */

static int fake_fd = UPCHAN_FD;

static void
fake_send(uint32_t type, const void *body, size_t len)
{
	char err[128];

	if (upchan_send(fake_fd, type, body, len, NULL, 0, 5000, err, sizeof(err)) == -1)
		exit(3);
}

/* The next message of this type from the gateway (exit 3 otherwise). */
static void
fake_expect(enum upchan_type type, struct upchan_msg *m, uint8_t *buf)
{
	char err[128];
	size_t len;

	do {
		if (upchan_recv(fake_fd, buf, &len, 5000, err, sizeof(err)) != 1 ||
		    upchan_parse(buf, len, UPCHAN_FROM_GATEWAY, m, err, sizeof(err)) == -1)
			exit(3);
	} while (m->type == UPCHAN_KICK);
	if (m->type != type)
		exit(3);
}

static void
fake_status(int quiet_ms)
{
	struct upchan_status s;

	memset(&s, 0, sizeof(s));
	s.quiet_ms = quiet_ms;
	fake_send(UPCHAN_STATUS, &s, sizeof(s));
}

/* Wait until the gateway closes the channel or kills us. */
static int
fake_linger(uint8_t *buf)
{
	char err[128];
	size_t len;

	while (upchan_recv(fake_fd, buf, &len, -1, err, sizeof(err)) == 1)
		;
	return 0;
}

static void
fake_row(const char *serial, const char *status)
{
	struct wire_registry_row r;

	memset(&r, 0, sizeof(r));
	str_copy(r.serial, serial, sizeof(r.serial));
	str_copy(r.status, status, sizeof(r.status));
	r.version = 8;
	fake_send(UPCHAN_REGISTRY_ROW, &r, sizeof(r));
}

/* Tell the test how the script ended (TEST_UPLINK_DONE names the file). */
static void
fake_done(const char *how)
{
	const char *path = getenv("TEST_UPLINK_DONE");
	char tmp[160];
	FILE *fp;

	/* written aside, then renamed: the test never reads it half written */
	if (path == NULL)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fp = fopen(tmp, "w")) != NULL) {
		fprintf(fp, "%s\n", how);
		fclose(fp);
		rename(tmp, path);
	}
}

/* Ask for a batch; its records decoded into *b (count 0: the outbox is empty). */
static void
fake_batch(struct wire_batch *b, uint8_t *buf)
{
	struct upchan_msg m;
	uint8_t *payload = NULL;
	size_t have = 0;
	char err[128];

	memset(b, 0, sizeof(*b));
	fake_send(UPCHAN_BATCH_REQ, NULL, 0);
	do {
		fake_expect(UPCHAN_BATCH, &m, buf);
		if (m.body.batch.count == 0)
			return;
		if (payload == NULL && (payload = malloc(m.body.batch.total)) == NULL)
			exit(3);
		memcpy(payload + have, m.data, m.data_len);
		have += m.data_len;
	} while (have < m.body.batch.total);
	if (wire_decode_batch(payload, have, b, err, sizeof(err)) == -1)
		exit(3);
	free(payload);
}

static void
fake_refuse(const char *reason, uint8_t *buf)
{
	struct upchan_refused r;
	struct upchan_msg m;

	memset(&r, 0, sizeof(r));
	r.code = 400;
	str_copy(r.reason, reason, sizeof(r.reason));
	fake_send(UPCHAN_REFUSED, &r, sizeof(r));
	fake_expect(UPCHAN_STATE, &m, buf);
}

/*
 * A county as gascounty judges a batch: refused (4.00, the first bad record
 * named; "unnamed": the station refused, no record named) when it holds a
 * seq of TEST_UPLINK_BAD, else stored, acknowledged with the contiguous mark.
 */
static int
fake_county(int unnamed, uint8_t *buf)
{
	const char *bad = getenv("TEST_UPLINK_BAD");
	struct wire_batch b;
	struct upchan_ack ack;
	struct upchan_msg m;
	char reason[160], key[32];
	int held[64] = { 0 }, round;
	size_t i;

	for (round = 0; round < 40; round++) {
		fake_batch(&b, buf);
		if (b.count == 0) {
			fake_done("drained");
			return fake_linger(buf);
		}
		for (i = 0; i < b.count; i++) {
			snprintf(key, sizeof(key), ",%lld,", (long long)b.records[i].seq);
			if (strstr(bad, key) != NULL)
				break;
		}
		if (i < b.count) {
			if (unnamed)
				snprintf(reason, sizeof(reason),
				    "township 'TZ' is not a township of this county");
			else
				snprintf(reason, sizeof(reason),
				    "record %zu (seq %lld): btown 'TZ' is not a township of this "
				    "county",
				    i, (long long)b.records[i].seq);
			wire_batch_free(&b);
			fake_refuse(reason, buf);
			continue;
		}
		memset(&ack, 0, sizeof(ack));
		for (i = 0; i < b.count; i++)
			held[b.records[i].seq] = 1;
		while (ack.hwm + 1 < 64 && held[ack.hwm + 1])
			ack.hwm++;
		ack.stored = (int64_t)b.count;
		wire_batch_free(&b);
		fake_send(UPCHAN_ACK, &ack, sizeof(ack));
		fake_expect(UPCHAN_STATE, &m, buf);
	}
	fake_done("rounds");
	return fake_linger(buf);
}

/* An uplink that names the wrong record each time; 0 if the gateway
 * handed out what it should. */
static int
fake_refusal_liar(uint8_t *buf)
{
	struct wire_batch b;

	fake_batch(&b, buf); /* 1..5: a record that is not in it */
	if (b.count != 5)
		return fake_done("first batch"), 4;
	wire_batch_free(&b);
	fake_refuse("record 7 (seq 99): made up", buf);
	fake_batch(&b, buf); /* halved: 1..2 */
	if (b.count != 2 || b.records[0].seq != 1)
		return fake_done("halved"), 4;
	wire_batch_free(&b);
	fake_refuse("record 0 (seq 1): made up", buf);
	fake_batch(&b, buf); /* the named first one alone */
	if (b.count != 1 || b.records[0].seq != 1)
		return fake_done("alone"), 4;
	wire_batch_free(&b);
	fake_refuse("record 0 (seq 5): not the record handed out", buf);
	fake_batch(&b, buf); /* nothing set aside: 1..5 again */
	if (b.count != 5 || b.records[0].seq != 1)
		return fake_done("again"), 4;
	wire_batch_free(&b);
	fake_done("ok");
	return fake_linger(buf);
}

/* Take a batch; 0 if it holds count records from first on, acknowledged
 * then with the mark hwm and (held > 0) held records of the station. */
static int
fake_take_held(int64_t first, size_t count, int64_t hwm, int64_t held, uint8_t *buf)
{
	struct upchan_ack ack = { hwm, 0, 0, held };
	struct wire_batch b;
	struct upchan_msg m;
	int ok;

	fake_batch(&b, buf);
	ok = b.count == count && (count == 0 || b.records[0].seq == first);
	ack.duplicates = (int64_t)b.count;
	wire_batch_free(&b);
	if (!ok || count == 0)
		return ok ? 0 : -1;
	fake_send(UPCHAN_ACK, &ack, sizeof(ack));
	fake_expect(UPCHAN_STATE, &m, buf);
	return 0;
}

static int
fake_take(int64_t first, size_t count, int64_t hwm, uint8_t *buf)
{
	return fake_take_held(first, count, hwm, 0, buf);
}

/* A county that lost what it acknowledged: its heartbeat answers a mark
 * below it (MARK), and the gateway hands those records out again. */
static int
fake_lost_county(uint8_t *buf)
{
	struct upchan_mark mark = { 1000000000, 0 };

	if (fake_take(1, 5, 5, buf) == -1 || fake_take(6, 5, 10, buf) == -1)
		return fake_done("first batches"), 4;
	/* a mark far above everything (a lying uplink: more than AHEAD_MAX
	 * above the last seq, not believed) puts nothing back, renumbers
	 * nothing */
	fake_send(UPCHAN_MARK, &mark, sizeof(mark));
	if (fake_take(11, 2, 12, buf) == -1)
		return fake_done("a high mark put records back"), 4;
	if (fake_take(0, 0, 0, buf) == -1)
		return fake_done("not drained"), 4;
	/* the county holds 1..3 only */
	mark.hwm = 3;
	fake_send(UPCHAN_MARK, &mark, sizeof(mark));
	if (fake_take(4, 5, 8, buf) == -1 || fake_take(9, 4, 12, buf) == -1 ||
	    fake_take(0, 0, 0, buf) == -1)
		return fake_done("not sent again"), 4;
	fake_done("ok");
	return fake_linger(buf);
}

/* Seq 6 set aside (the test sets it before): the county's mark stays at 5,
 * and only its count of the records it holds (held: 5 and those above)
 * tells that it lost some above 6 (review rev96: its database restored
 * from a backup).  A count below the mark is not believed; one that says
 * it holds them all puts nothing back; once it held them again, a later
 * loss at the same mark is sent again too. */
static int
fake_aside_lost_county(uint8_t *buf)
{
	struct upchan_mark mark = { 5, 3 };

	if (fake_take_held(1, 5, 5, 5, buf) == -1 || fake_take_held(7, 5, 5, 10, buf) == -1 ||
	    fake_take_held(12, 1, 5, 11, buf) == -1 || fake_take(0, 0, 0, buf) == -1)
		return fake_done("first batches"), 4;
	fake_send(UPCHAN_MARK, &mark, sizeof(mark)); /* 3, below its mark of 5 */
	if (fake_take(0, 0, 0, buf) == -1)
		return fake_done("a count below the mark put records back"), 4;
	mark.held = 11; /* all of them */
	fake_send(UPCHAN_MARK, &mark, sizeof(mark));
	if (fake_take(0, 0, 0, buf) == -1)
		return fake_done("a county holding all got records again"), 4;
	mark.held = 7; /* 1..5, 7, 8: it lost 9..12 */
	fake_send(UPCHAN_MARK, &mark, sizeof(mark));
	if (fake_take_held(7, 5, 5, 11, buf) == -1 || fake_take_held(12, 1, 5, 11, buf) == -1)
		return fake_done("not sent again"), 4;
	mark.held = 11;
	fake_send(UPCHAN_MARK, &mark, sizeof(mark));
	if (fake_take(0, 0, 0, buf) == -1)
		return fake_done("sent again with the county holding all"), 4;
	mark.held = 6; /* restored once more: 7..12 lost but for one */
	fake_send(UPCHAN_MARK, &mark, sizeof(mark));
	if (fake_take_held(7, 5, 5, 11, buf) == -1 || fake_take_held(12, 1, 5, 11, buf) == -1 ||
	    fake_take(0, 0, 0, buf) == -1)
		return fake_done("a second loss not sent again"), 4;
	fake_done("ok");
	return fake_linger(buf);
}

/* A restored county stopped behind set-aside seq 6 (the test keeps 6 aside,
 * 1..5 and 9..12 acknowledged, 7 and 8 forgotten: acked_keep_days): it
 * holds one of the six acknowledged above its mark, so it lacks five, more
 * than the two forgotten.  9..12 go back once; the county takes them again
 * without counting them (it holds their uuids at other seqs: C06), and
 * however many heartbeats say the same mark and count, they are not sent
 * again (review of branch held: every other heartbeat, for ever). */
static int
fake_aside_refusing_county(uint8_t *buf)
{
	struct upchan_mark mark = { 5, 6 };
	int beat;

	fake_send(UPCHAN_MARK, &mark, sizeof(mark));
	if (fake_take_held(9, 4, 5, 6, buf) == -1 || fake_take(0, 0, 0, buf) == -1)
		return fake_done("not sent again once"), 4;
	for (beat = 0; beat < 6; beat++) {
		fake_send(UPCHAN_MARK, &mark, sizeof(mark));
		if (fake_take(0, 0, 0, buf) == -1)
			return fake_done("sent again for ever"), 4;
	}
	/* the county holds fewer still: a new loss, sent again once more */
	mark.held = 5;
	fake_send(UPCHAN_MARK, &mark, sizeof(mark));
	if (fake_take_held(9, 4, 5, 5, buf) == -1 || fake_take(0, 0, 0, buf) == -1)
		return fake_done("a new loss not sent again"), 4;
	for (beat = 0; beat < 6; beat++) {
		fake_send(UPCHAN_MARK, &mark, sizeof(mark));
		if (fake_take(0, 0, 0, buf) == -1)
			return fake_done("sent again for ever after a new loss"), 4;
	}
	fake_done("ok");
	return fake_linger(buf);
}

/* A station restored from an older backup: the county's mark (an ACK's,
 * then a heartbeat's) is above every seq the station numbered.  Nothing of
 * the batch is taken; the records waiting are renumbered after the mark
 * and sent again.  The second mark, above the renumbered ones, is what a
 * forged one from a lying uplink looks like: a renumbering, nothing lost. */
static int
fake_restored_station(uint8_t *buf)
{
	struct upchan_mark mark = { 40, 0 };

	/* a mark more than AHEAD_MAX above: nothing taken, nothing renumbered */
	if (fake_take(1, 5, 1000000000, buf) == -1)
		return fake_done("an absurd mark"), 4;
	/* 1..5 counted held (the county holds other records there: C06) */
	if (fake_take(1, 5, 20, buf) == -1)
		return fake_done("first batch"), 4;
	if (fake_take(21, 5, 25, buf) == -1)
		return fake_done("not renumbered after the ACK's mark"), 4;
	fake_send(UPCHAN_MARK, &mark, sizeof(mark));
	if (fake_take(41, 5, 45, buf) == -1 || fake_take(46, 2, 47, buf) == -1)
		return fake_done("not renumbered after the heartbeat's mark"), 4;
	if (fake_take(0, 0, 0, buf) == -1)
		return fake_done("not drained"), 4;
	fake_done("ok");
	return fake_linger(buf);
}

/* A county that takes seq 4 again and again without counting it (it holds
 * that record's uuid at another seq: a conflict, C06): its mark stays at 3.
 * The gateway sends 4.. once more, then no more, whatever it is told. */
static int
fake_stuck_county(uint8_t *buf)
{
	struct upchan_mark mark = { 3, 0 };

	if (fake_take(1, 5, 3, buf) == -1) /* 1..5 taken, the mark at 3: 4.. put back */
		return fake_done("first batch"), 4;
	if (fake_take(4, 5, 3, buf) == -1) /* 4..8: once more, still at 3 */
		return fake_done("not sent again once"), 4;
	if (fake_take(9, 4, 3, buf) == -1) /* and on: 4.. not a third time */
		return fake_done("sent again for ever"), 4;
	if (fake_take(0, 0, 0, buf) == -1)
		return fake_done("not drained"), 4;
	fake_send(UPCHAN_MARK, &mark, sizeof(mark)); /* a heartbeat's answer: the same */
	if (fake_take(0, 0, 0, buf) == -1)
		return fake_done("a heartbeat's mark sent them again"), 4;
	fake_done("ok");
	return fake_linger(buf);
}

static int
fake_uplink(void)
{
	static uint8_t buf[UPCHAN_MAX_MSG];
	const char *mode = getenv("TEST_UPLINK_MODE");
	struct upchan_msg m;
	size_t have = 0;

	fake_expect(UPCHAN_CONFIG, &m, buf);
	if (mode == NULL)
		return 3;
	if (strcmp(mode, "exit") == 0)
		return 7;
	if (strcmp(mode, "silent") == 0) {
		fake_status(100); /* and then say nothing */
		sleep(60);
		return 0;
	}
	fake_status(UPCHAN_MAX_QUIET_MS);
	if (strcmp(mode, "liar") == 0) {
		/* the station's last seq, above the batch it was handed */
		struct upchan_ack ack = { 12, 5, 0, 0 };

		fake_send(UPCHAN_BATCH_REQ, NULL, 0);
		do {
			fake_expect(UPCHAN_BATCH, &m, buf);
			have += m.data_len;
		} while (have < m.body.batch.total);
		fake_send(UPCHAN_ACK, &ack, sizeof(ack));
		fake_expect(UPCHAN_STATE, &m, buf);
	} else if (strcmp(mode, "county") == 0 || strcmp(mode, "county-unnamed") == 0) {
		return fake_county(strcmp(mode, "county-unnamed") == 0, buf);
	} else if (strcmp(mode, "refusal-liar") == 0) {
		return fake_refusal_liar(buf);
	} else if (strcmp(mode, "lost") == 0) {
		return fake_lost_county(buf);
	} else if (strcmp(mode, "aside-refusing") == 0) {
		return fake_aside_refusing_county(buf);
	} else if (strcmp(mode, "aside-lost") == 0) {
		return fake_aside_lost_county(buf);
	} else if (strcmp(mode, "stuck") == 0) {
		return fake_stuck_county(buf);
	} else if (strcmp(mode, "restored") == 0) {
		return fake_restored_station(buf);
	} else if (strcmp(mode, "malformed") == 0) {
		struct upchan_ack ack = { 5, 5, 0, 0 };

		fake_send(UPCHAN_ACK, &ack, 7);
	} else if (strcmp(mode, "registry") == 0) {
		struct upchan_registry_end end = { 8, 2, 0 };

		fake_row("C1", "scrapped");
		fake_row("C2", "retired");
		fake_send(UPCHAN_REGISTRY_END, &end, sizeof(end));
		fake_expect(UPCHAN_REGISTRY_DONE, &m, buf);
		if (!m.body.registry_done.ok || m.body.registry_done.version != 8)
			return 4;
		/* then a delta whose count does not match its rows */
		end.version = 9;
		end.count = 5;
		fake_row("C1", "active");
		fake_send(UPCHAN_REGISTRY_END, &end, sizeof(end));
	}
	return fake_linger(buf);
}

/* ---- the gateway side -------------------------------------------------------- */

struct fixture {
	char dir[64];
	char db_path[96];
	sqlite3 *db;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];
	int i;

	if (f == NULL || fixture_db_setup(f->dir, sizeof(f->dir), "test_uplink", "station.db",
	                     schema_station, &f->db) == -1) {
		free(f);
		return -1;
	}
	snprintf(f->db_path, sizeof(f->db_path), "%s/station.db", f->dir);
	/* twelve records waiting (events: no fill row needed) and two cylinders */
	for (i = 1; i <= 12; i++) {
		char sql[200];

		snprintf(sql, sizeof(sql),
		    "INSERT INTO outbox (uuid, kind, created_ms) VALUES"
		    " ('00000000-0000-4000-8000-%012d', 'event', %d)",
		    i, i);
		if (store_exec(f->db, sql, err, sizeof(err)) == -1)
			goto fail;
	}
	if (store_exec(f->db,
	        "INSERT INTO cylinders (serial, model, manufactured, tare_kg, fill_kg, owner,"
	        " updated_ms) VALUES ('C1', 'YSP35.5', '2024-01-01', 15.2, 14.9, 'Gas', 0),"
	        " ('C2', 'YSP35.5', '2024-01-01', 15.2, 14.9, 'Gas', 0)",
	        err, sizeof(err)) == -1)
		goto fail;
	*state = f;
	return 0;
fail:
	fprintf(stderr, "test_uplink: %s\n", err);
	fixture_db_teardown(f->dir, &f->db); /* no tear-down follows a failed set-up */
	free(f);
	return -1;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc = fixture_db_teardown(f->dir, &f->db);

	free(f);
	return rc;
}

static struct uplink *
start(struct fixture *f, const char *mode)
{
	struct uplink_config c;
	struct uplink *u = NULL;
	char err[256];

	setenv("TEST_UPLINK_MODE", mode, 1);
	memset(&c, 0, sizeof(c));
	str_copy(c.host, "127.0.0.1", sizeof(c.host));
	c.port = 9;
	str_copy(c.station_id, "S01", sizeof(c.station_id));
	memset(c.psk_key, 7, 16);
	c.psk_key_len = 16;
	c.batch = 5;
	str_copy(c.db_path, f->db_path, sizeof(c.db_path));
	str_copy(c.user, "nobody", sizeof(c.user));
	c.log_foreground = 1;
	if (uplink_start(&c, &u, err, sizeof(err)) == -1)
		fail_msg("uplink_start: %s", err);
	return u;
}

/* Wait (up to 10 s) until the uplink process has been replaced once. */
static void
wait_restarted(struct uplink *u, struct uplink_status *st)
{
	int64_t end = time_mono_ms() + 10000;

	do {
		time_sleep_ms(20);
		uplink_get_status(u, st);
	} while (st->restarts < 1 && time_mono_ms() < end);
	assert_true(st->restarts >= 1);
}

static int64_t
outbox(struct fixture *f, const char *what)
{
	char sql[80];

	snprintf(sql, sizeof(sql), "SELECT %s FROM outbox", what);
	return store_query_int(f->db, sql, -1);
}

static void
an_ack_deletes_only_what_was_handed_out(void **state)
{
	struct fixture *f = *state;
	struct uplink *u = start(f, "liar");
	int64_t end = time_mono_ms() + 10000;

	while (outbox(f, "count(*)") == 12 && time_mono_ms() < end)
		time_sleep_ms(20);
	/* the liar claimed seq 12 for a batch of 1..5 */
	assert_int_equal(outbox(f, "count(*)"), 7);
	assert_int_equal(outbox(f, "min(seq)"), 6);
	assert_true(uplink_healthy(u, time_mono_ms()));
	uplink_stop(u);
	assert_int_equal(outbox(f, "count(*)"), 7);
}

/* The control thread gives the uplink thread's page cache back between
 * the thread's passes, and the uplink goes on. */
static void
the_connection_is_released_without_waiting_for_the_thread(void **state)
{
	struct fixture *f = *state;
	struct uplink *u = start(f, "liar");
	int64_t end = time_mono_ms() + 10000;
	int released = 0;

	while (outbox(f, "count(*)") == 12 && time_mono_ms() < end)
		time_sleep_ms(20);
	assert_int_equal(outbox(f, "count(*)"), 7);
	while (!released && time_mono_ms() < end) {
		released = uplink_release_memory(u);
		if (!released)
			time_sleep_ms(20);
	}
	assert_true(released);
	time_sleep_ms(300); /* a pass of the thread after the release */
	assert_true(uplink_healthy(u, time_mono_ms()));
	uplink_stop(u);
	assert_int_equal(outbox(f, "count(*)"), 7);
}

static void
a_malformed_message_ends_the_uplink_and_a_new_one_starts(void **state)
{
	struct fixture *f = *state;
	struct uplink *u = start(f, "malformed");
	struct uplink_status st;

	wait_restarted(u, &st);
	assert_string_equal(st.last_exit, "killed by signal 9");
	assert_int_equal(outbox(f, "count(*)"), 12);
	assert_true(uplink_healthy(u, time_mono_ms()));
	uplink_stop(u);
}

static void
a_silent_uplink_is_killed_after_the_time_it_announced(void **state)
{
	struct fixture *f = *state;
	struct uplink *u = start(f, "silent");
	struct uplink_status st;

	wait_restarted(u, &st);
	assert_string_equal(st.last_exit, "killed by signal 9");
	uplink_stop(u);
}

static void
an_uplink_that_exits_is_started_again(void **state)
{
	struct fixture *f = *state;
	struct uplink *u = start(f, "exit");
	struct uplink_status st;

	wait_restarted(u, &st);
	assert_string_equal(st.last_exit, "exited with status 7");
	uplink_stop(u);
}

static void
a_registry_delta_goes_through_the_registry_module(void **state)
{
	struct fixture *f = *state;
	struct uplink *u = start(f, "registry");
	struct uplink_status st;

	wait_restarted(u, &st);
	/* the first delta was applied; the one with a wrong count ended it */
	assert_string_equal(st.last_exit, "killed by signal 9");
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(*) FROM cylinders WHERE (serial = 'C1' AND status ="
	                     " 'scrapped') OR (serial = 'C2' AND status = 'retired')",
	                     -1),
	    2);
	assert_int_equal(
	    store_query_int(f->db,
	        "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'registry_version'", -1),
	    8);
	uplink_stop(u);
}

/* Wait (up to 20 s) for the scripted uplink's TEST_UPLINK_DONE file. */
static void
wait_done(struct fixture *f, const char *expected)
{
	int64_t end = time_mono_ms() + 20000;
	char path[128], line[64] = "";
	FILE *fp = NULL;

	snprintf(path, sizeof(path), "%s/done", f->dir);
	while (time_mono_ms() < end && (fp = fopen(path, "r")) == NULL)
		time_sleep_ms(20);
	assert_non_null(fp);
	if (fgets(line, sizeof(line), fp) == NULL)
		line[0] = '\0';
	fclose(fp);
	line[strcspn(line, "\n")] = '\0';
	assert_string_equal(line, expected);
}

static struct uplink *
start_done(struct fixture *f, const char *mode)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/done", f->dir);
	setenv("TEST_UPLINK_DONE", path, 1);
	return start(f, mode);
}

static void
a_refused_record_is_set_aside_and_the_rest_goes_on(void **state)
{
	struct fixture *f = *state;
	struct uplink *u;
	struct uplink_status st;

	setenv("TEST_UPLINK_BAD", ",3,9,", 1);
	u = start_done(f, "county");
	wait_done(f, "drained");
	/* 3 and 9 stay, set aside with the county's reason; 4..8 and 10..12
	 * left the outbox although the county's mark stayed at 2 */
	assert_int_equal(outbox(f, "count(*)"), 2);
	assert_int_equal(outbox(f, "min(seq)"), 3);
	assert_int_equal(outbox(f, "max(seq)"), 9);
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(*) FROM outbox WHERE aside_ms IS NOT NULL AND"
	                     " ((seq = 3 AND aside_reason = 'record 0 (seq 3): btown ''TZ'' is"
	                     " not a township of this county') OR (seq = 9 AND aside_reason ="
	                     " 'record 0 (seq 9): btown ''TZ'' is not a township of this"
	                     " county'))",
	                     -1),
	    2);
	uplink_get_status(u, &st);
	assert_int_equal(st.restarts, 0);
	assert_int_equal(st.last_ack, 2);
	uplink_stop(u);
}

static void
a_refusal_naming_no_record_sets_nothing_aside(void **state)
{
	struct fixture *f = *state;
	struct uplink *u;

	setenv("TEST_UPLINK_BAD", ",3,", 1);
	u = start_done(f, "county-unnamed");
	wait_done(f, "rounds");
	/* 1..2 went; 3 is refused with the station, not set aside */
	assert_int_equal(outbox(f, "count(*)"), 10);
	assert_int_equal(outbox(f, "min(seq)"), 3);
	assert_int_equal(outbox(f, "count(aside_ms)"), 0);
	uplink_stop(u);
}

static void
a_lying_refusal_sets_nothing_aside(void **state)
{
	struct fixture *f = *state;
	struct uplink *u = start_done(f, "refusal-liar");

	wait_done(f, "ok");
	assert_int_equal(outbox(f, "count(*)"), 12);
	assert_int_equal(outbox(f, "count(aside_ms)"), 0);
	uplink_stop(u);
}

/* The county's mark in the answer to a heartbeat (MARK) below records it
 * had acknowledged puts them back in the outbox, sent again in seq order;
 * one above everything puts nothing back. */
static void
a_heartbeat_mark_below_what_was_acknowledged_sends_it_again(void **state)
{
	struct fixture *f = *state;
	struct uplink *u = start_done(f, "lost");

	wait_done(f, "ok");
	assert_int_equal(outbox(f, "count(*)"), 0);
	assert_int_equal(store_query_int(f->db, "SELECT count(*) FROM outbox_acked", -1), 12);
	uplink_stop(u);
}

/* A county restored from a backup while seq 6 is set aside: its mark
 * stays at 5 whatever it lost above it, and until rev96 (7 Dec 2026) the
 * records it lost there were never sent again (test: fake_aside_lost_county). */
static void
records_the_county_will_not_count_are_sent_again_once(void **state)
{
	struct fixture *f = *state;
	struct uplink *u;

	/* 6 set aside, 1..5 and 9..12 acknowledged, 7 and 8 forgotten */
	assert_int_equal(
	    sqlite3_exec(f->db,
	        "UPDATE outbox SET aside_ms = 1, aside_reason = 'test' WHERE seq = 6;"
	        "INSERT INTO outbox_acked (seq, uuid, kind, created_ms, acked_ms) SELECT seq,"
	        " uuid, kind, created_ms, CAST(strftime('%s', 'now') AS INTEGER) * 1000 FROM"
	        " outbox WHERE seq NOT IN (6, 7, 8);"
	        "DELETE FROM outbox WHERE seq <> 6",
	        NULL, NULL, NULL),
	    SQLITE_OK);
	u = start_done(f, "aside-refusing");
	wait_done(f, "ok");
	assert_int_equal(outbox(f, "count(*)"), 1);
	assert_int_equal(outbox(f, "count(aside_ms)"), 1);
	assert_int_equal(store_query_int(f->db, "SELECT count(*) FROM outbox_acked", -1), 9);
	uplink_stop(u);
}

static void
records_lost_above_a_set_aside_one_are_sent_again(void **state)
{
	struct fixture *f = *state;
	struct uplink *u;

	assert_int_equal(sqlite3_exec(f->db,
	                     "UPDATE outbox SET aside_ms = 1, aside_reason = 'test' WHERE seq = 6",
	                     NULL, NULL, NULL),
	    SQLITE_OK);
	assert_int_equal(outbox(f, "count(aside_ms)"), 1);
	u = start_done(f, "aside-lost");
	wait_done(f, "ok");
	assert_int_equal(outbox(f, "count(*)"), 1);
	assert_int_equal(outbox(f, "count(aside_ms)"), 1);
	assert_int_equal(store_query_int(f->db, "SELECT count(*) FROM outbox_acked", -1), 11);
	uplink_stop(u);
}

/* Records sent again that the county takes without its mark passing them
 * (test: fake_stuck_county) are sent again once, not at every ACK and
 * heartbeat for ever: until 7 Dec 2026 each ACK at the same mark put them
 * all back, a loop that grew with every record the station made. */
static void
records_sent_again_once_are_not_sent_again_for_ever(void **state)
{
	struct fixture *f = *state;
	struct uplink *u = start_done(f, "stuck");

	wait_done(f, "ok");
	assert_int_equal(outbox(f, "count(*)"), 0);
	assert_int_equal(store_query_int(f->db, "SELECT count(*) FROM outbox_acked", -1), 12);
	uplink_stop(u);
}

/* A county ahead of every seq the station numbered (fake_restored_station):
 * the station's database was restored from an older backup.  Until rev96
 * (7 Dec 2026) the batch was taken as delivered although the county kept
 * other records at those seqs, and the station's records were lost. */
static void
a_county_ahead_of_the_station_gets_its_records_renumbered(void **state)
{
	struct fixture *f = *state;
	struct uplink *u = start_done(f, "restored");
	struct uplink_status st;

	wait_done(f, "ok");
	assert_int_equal(outbox(f, "count(*)"), 0);
	/* all twelve, each once, at seqs the county did not hold before */
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(DISTINCT uuid) FROM outbox_acked WHERE uuid LIKE"
	                     " '00000000-0000-4000-8000-%' AND ((seq BETWEEN 21 AND 25) OR"
	                     " (seq BETWEEN 41 AND 47))",
	                     -1),
	    12);
	/* in the order they were written */
	assert_int_equal(store_query_int(f->db,
	                     "SELECT count(*) FROM outbox_acked a JOIN outbox_acked b ON"
	                     " a.seq < b.seq AND a.created_ms > b.created_ms",
	                     -1),
	    0);
	assert_int_equal(
	    store_query_int(f->db, "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'", -1),
	    47);
	uplink_get_status(u, &st);
	assert_int_equal(st.restarts, 0);
	uplink_stop(u);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(an_ack_deletes_only_what_was_handed_out, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    a_heartbeat_mark_below_what_was_acknowledged_sends_it_again, setup, teardown),
		cmocka_unit_test_setup_teardown(records_sent_again_once_are_not_sent_again_for_ever,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(records_lost_above_a_set_aside_one_are_sent_again,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    records_the_county_will_not_count_are_sent_again_once, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_county_ahead_of_the_station_gets_its_records_renumbered, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    the_connection_is_released_without_waiting_for_the_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_malformed_message_ends_the_uplink_and_a_new_one_starts, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    a_silent_uplink_is_killed_after_the_time_it_announced, setup, teardown),
		cmocka_unit_test_setup_teardown(an_uplink_that_exits_is_started_again, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_registry_delta_goes_through_the_registry_module,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_refused_record_is_set_aside_and_the_rest_goes_on,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_refusal_naming_no_record_sets_nothing_aside,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(a_lying_refusal_sets_nothing_aside, setup,
		    teardown),
	};

	if (argc > 1 && strcmp(argv[1], UPLINKPROC_FLAG) == 0)
		return fake_uplink();
	log_init("test_uplink", 1, getenv("TEST_VERBOSE") ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	return cmocka_run_group_tests_name("uplink", tests, NULL, NULL);
}
