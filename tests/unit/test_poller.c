/*
 * Unit tests of the poller (drivers/mb_poller.c) and links (mb_link.c)
 * against a real libmodbus TCP server running in a thread of the test: read
 * planning (merging), values through a profile, a close that does not wait
 * for the read cycle, per-unit back-off of a dead unit, and the errors a
 * caller sees when the bus is down or a signal is missing.
 */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <modbus.h>

#include "log.h"
#include "mb.h"

/* ---- a small server: answers every unit but `dead_unit` ---------------- */

struct server {
	pthread_t thread;
	modbus_t *ctx;
	modbus_mapping_t *map;
	pthread_mutex_t lock;
	int listen_fd;
	int port;
	int dead_unit;
	int exception_unit; /* answers every request with exception 4 */
	int flaky_unit;     /* no answer and exception 4, turn about */
	int flaky_turn;
	volatile int stop;
	int requests[256];
	int write_seq[256]; /* order of the last write request per unit */
	int writes;
};

/* Serves any number of connections, as Modbus TCP gateways and gassim do:
 * the poller replaces its connection after a timeout. */
static void *
server_main(void *arg)
{
	struct server *s = arg;
	uint8_t req[MODBUS_TCP_MAX_ADU_LENGTH];
	int clients[8], nclients = 0;

	while (!s->stop) {
		fd_set rd;
		struct timeval tv = { 0, 20000 };
		int top = s->listen_fd;

		FD_ZERO(&rd);
		FD_SET(s->listen_fd, &rd);
		for (int i = 0; i < nclients; i++) {
			FD_SET(clients[i], &rd);
			if (clients[i] > top)
				top = clients[i];
		}
		if (select(top + 1, &rd, NULL, NULL, &tv) <= 0)
			continue;
		if (FD_ISSET(s->listen_fd, &rd)) {
			int fd = accept(s->listen_fd, NULL, NULL);
			if (fd >= 0 && nclients < 8)
				clients[nclients++] = fd;
			else if (fd >= 0)
				close(fd);
		}
		for (int i = 0; i < nclients; i++) {
			if (!FD_ISSET(clients[i], &rd))
				continue;
			modbus_set_socket(s->ctx, clients[i]);
			int n = modbus_receive(s->ctx, req);
			if (n < 0) {
				close(clients[i]);
				clients[i--] = clients[--nclients];
				continue;
			}
			if (n == 0)
				continue;
			pthread_mutex_lock(&s->lock);
			s->requests[req[6]]++;
			if (req[7] == 5 || req[7] == 6 || req[7] == 15 || req[7] == 16)
				s->write_seq[req[6]] = ++s->writes;
			if (req[6] == s->exception_unit ||
			    (req[6] == s->flaky_unit && s->flaky_turn++ % 2 == 1))
				modbus_reply_exception(s->ctx, req,
				    MODBUS_EXCEPTION_SLAVE_OR_SERVER_FAILURE);
			else if (req[6] == s->flaky_unit)
				; /* this turn: no answer (a time-out) */
			else if (req[6] != s->dead_unit)
				modbus_reply(s->ctx, req, n, s->map);
			pthread_mutex_unlock(&s->lock);
		}
	}
	for (int i = 0; i < nclients; i++)
		close(clients[i]);
	return NULL;
}

static int
server_start(void **state)
{
	struct server *s = calloc(1, sizeof(*s));
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	s->ctx = modbus_new_tcp("127.0.0.1", 0);
	s->listen_fd = modbus_tcp_listen(s->ctx, 8);
	if (s->listen_fd < 0)
		return -1;
	getsockname(s->listen_fd, (struct sockaddr *)&sa, &len);
	s->port = ntohs(sa.sin_port);
	s->map = modbus_mapping_new(16, 16, 200, 200);
	s->dead_unit = -1;
	s->exception_unit = -1;
	s->flaky_unit = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_create(&s->thread, NULL, server_main, s);
	*state = s;
	return 0;
}

static int
server_stop(void **state)
{
	struct server *s = *state;

	s->stop = 1;
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	modbus_mapping_free(s->map);
	modbus_free(s->ctx);
	pthread_mutex_destroy(&s->lock);
	free(s);
	return 0;
}

/* ---- helpers ----------------------------------------------------------------- */

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

static void
parse(const char *text, struct mb_profile *p)
{
	char err[256];

	if (mb_profile_parse(text, strlen(text), "test.ini", p, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static const char scale_valve_ini[] =
    "[device]\nname = t\nkind = filler\n"
    "[gross]\ntable = input\naddress = 0\ntype = i32\nscale = 0.001\n"
    "[net]\ntable = input\naddress = 2\ntype = i32\nscale = 0.001\n"
    "[motion]\ntable = input\naddress = 4\nbit = 0\n"
    "[valve_cmd]\ntable = coil\naddress = 3\n"
    "[watchdog]\ntable = holding\naddress = 10\n"
    "[heartbeat]\ntable = holding\naddress = 13\n"                         /* hole of 2: merged */
    "[target]\ntable = holding\naddress = 40\ntype = u32\nscale = 0.001\n" /* apart */
    "[start]\ntable = holding\naddress = 50\nbit = 0\npoll = no\n";

static struct mb_poller *
poller_for(struct server *s, int interval_ms, const struct mb_profile *p, int nunits,
    const int *ids)
{
	struct mb_bus_config bus;
	struct mb_poller *poller;
	char err[256];
	int index;

	mb_bus_config_defaults(&bus);
	bus.kind = MB_BUS_TCP;
	snprintf(bus.host, sizeof(bus.host), "127.0.0.1");
	bus.port = s ? s->port : 1; /* port 1: nothing listens */
	bus.response_timeout_ms = 100;
	bus.poll_interval_ms = interval_ms;
	assert_int_equal(mb_poller_new(&bus, NULL, NULL, &poller, err, sizeof(err)), 0);
	for (int i = 0; i < nunits; i++)
		assert_int_equal(mb_poller_add_unit(poller, ids[i], p, &index, err, sizeof(err)),
		    0);
	return poller;
}

static void
wait_seq(struct mb_poller *p, int index, uint64_t seq)
{
	struct mb_snapshot snap;
	int64_t until = mono_ms() + 3000;

	do {
		assert_int_equal(mb_poller_snapshot(p, index, &snap), 0);
		if (snap.seq >= seq)
			return;
		sleep_ms(5);
	} while (mono_ms() < until);
	fail_msg("unit %d never reached read %llu", index, (unsigned long long)seq);
}

/* ---- tests --------------------------------------------------------------------- */

static void
merges_adjacent_registers_into_one_request(void **state)
{
	struct mb_profile p;
	struct mb_read_plan plan[8];
	struct mb_poller *poller;
	int id = 1;

	(void)state;
	parse(scale_valve_ini, &p);
	poller = poller_for(NULL, 0, &p, 1, &id);
	assert_int_equal(mb_poller_plan(poller, 0, plan, 8), 4);
	/* coil 3; input 0..4 (gross, net, status); holding 10..13; holding 40..41.
	 * start (poll = no) is not read. */
	assert_int_equal(plan[0].table, MB_COIL);
	assert_int_equal(plan[1].table, MB_INPUT);
	assert_int_equal(plan[1].address, 0);
	assert_int_equal(plan[1].count, 5);
	assert_int_equal(plan[2].table, MB_HOLDING);
	assert_int_equal(plan[2].address, 10);
	assert_int_equal(plan[2].count, 4);
	assert_int_equal(plan[3].address, 40);
	assert_int_equal(plan[3].count, 2);
	mb_poller_free(poller);
}

static const char valve_ini[] = "[device]\nname = v\nkind = valve\n"
                                "[valve_cmd]\ntable = coil\naddress = 0\n"
                                "[valve_fb]\ntable = discrete\naddress = 0\n"
                                "[watchdog]\ntable = holding\naddress = 0\n"
                                "[heartbeat]\ntable = holding\naddress = 1\n";

/* A valve profile spread over three tables is one request when its user
 * reads only the feedback; a mask that leaves nothing still reads one
 * signal (the link state must stay known); the plan is fixed once started. */
static void
plans_only_the_signals_its_user_reads(void **state)
{
	struct server *s = *state;
	struct mb_profile p;
	struct mb_read_plan plan[8];
	struct mb_poller *poller;
	struct mb_snapshot snap;
	char err[256];
	int ids[2] = { 1, 2 };

	parse(valve_ini, &p);
	poller = poller_for(s, 0, &p, 2, ids);
	assert_int_equal(mb_poller_plan(poller, 0, plan, 8), 3);
	assert_int_equal(mb_poller_set_signals(poller, 0, 1u << MB_SIG_VALVE_FB), 0);
	assert_int_equal(mb_poller_plan(poller, 0, plan, 8), 1);
	assert_int_equal(plan[0].table, MB_DISCRETE);
	assert_int_equal(plan[0].address, 0);
	assert_int_equal(plan[0].count, 1);
	assert_int_equal(mb_poller_set_signals(poller, 1, 1u << MB_SIG_GROSS), 0);
	assert_int_equal(mb_poller_plan(poller, 1, plan, 8), 1);
	assert_int_equal(mb_poller_set_signals(poller, 2, 1u << MB_SIG_VALVE_FB), -1);
	assert_int_equal(errno, EINVAL);
	pthread_mutex_lock(&s->lock);
	s->map->tab_input_bits[0] = 1;
	pthread_mutex_unlock(&s->lock);
	assert_int_equal(mb_poller_start(poller, err, sizeof(err)), 0);
	assert_int_equal(mb_poller_set_signals(poller, 0, 1u << MB_SIG_VALVE_CMD), -1);
	assert_int_equal(errno, EBUSY);
	wait_seq(poller, 0, 1);
	assert_int_equal(mb_poller_snapshot(poller, 0, &snap), 0);
	assert_int_equal(snap.present, 1u << MB_SIG_VALVE_FB);
	assert_float_equal(snap.value[MB_SIG_VALVE_FB], 1, 0);
	mb_poller_free(poller);
	pthread_mutex_lock(&s->lock);
	s->map->tab_input_bits[0] = 0;
	pthread_mutex_unlock(&s->lock);
}

/* A unit slowed down is not read at its old rate; asked for the full rate
 * again it is read at once, not when its long interval ends. */
static void
slowed_unit_is_read_again_at_once_when_needed(void **state)
{
	struct server *s = *state;
	struct mb_profile p;
	struct mb_poller *poller;
	struct mb_snapshot snap;
	char err[256];
	int id = 1;
	uint64_t seq;

	parse(valve_ini, &p);
	poller = poller_for(s, 20, &p, 1, &id);
	assert_int_equal(mb_poller_start(poller, err, sizeof(err)), 0);
	wait_seq(poller, 0, 2);
	assert_int_equal(mb_poller_set_interval(poller, 0, 60000), 0);
	sleep_ms(100); /* the read scheduled before the change may still run */
	assert_int_equal(mb_poller_snapshot(poller, 0, &snap), 0);
	seq = snap.seq;
	sleep_ms(300); /* 15 reads at the bus's rate */
	assert_int_equal(mb_poller_snapshot(poller, 0, &snap), 0);
	assert_true(snap.seq <= seq + 1);
	assert_int_equal(mb_poller_set_interval(poller, 0, 0), 0);
	wait_seq(poller, 0, snap.seq + 3); /* within 3 s, not 60 */
	assert_int_equal(mb_poller_set_interval(poller, 1, 0), -1);
	mb_poller_free(poller);
}

static void
reads_values_through_the_profile(void **state)
{
	struct server *s = *state;
	struct mb_profile p;
	struct mb_poller *poller;
	struct mb_snapshot snap;
	char err[256];
	int id = 1;

	parse(scale_valve_ini, &p);
	pthread_mutex_lock(&s->lock);
	s->map->tab_input_registers[0] = 0;
	s->map->tab_input_registers[1] = 15750; /* 15.750 kg */
	s->map->tab_input_registers[2] = 0xffff;
	s->map->tab_input_registers[3] = 0xfffb; /* -0.005 kg */
	s->map->tab_input_registers[4] = 1;      /* motion */
	s->map->tab_bits[3] = 1;
	s->map->tab_registers[10] = 1000;
	pthread_mutex_unlock(&s->lock);
	poller = poller_for(s, 0, &p, 1, &id);
	assert_int_equal(mb_poller_start(poller, err, sizeof(err)), 0);
	wait_seq(poller, 0, 2);
	assert_int_equal(mb_poller_snapshot(poller, 0, &snap), 0);
	assert_int_equal(snap.link, MB_LINK_UP);
	assert_true(snap.updated_ms > 0 && snap.updated_wall_ms > 0);
	assert_float_equal(snap.value[MB_SIG_GROSS], 15.75, 1e-9);
	assert_float_equal(snap.value[MB_SIG_NET], -0.005, 1e-9);
	assert_float_equal(snap.value[MB_SIG_MOTION], 1, 0);
	assert_float_equal(snap.value[MB_SIG_VALVE_CMD], 1, 0);
	assert_float_equal(snap.value[MB_SIG_WATCHDOG], 1000, 0);
	assert_false(snap.present & (1u << MB_SIG_START));
	mb_poller_free(poller);
}

/* A unit that sends a float that is no number (here a quiet NaN) has sent
 * no weight: the read fails as a bad reply and the last good value stays. */
static void
float_that_is_no_number_is_a_bad_reply(void **state)
{
	struct server *s = *state;
	struct mb_profile p;
	struct mb_poller *poller;
	struct mb_snapshot snap;
	char err[256];
	int id = 1;
	int64_t until;

	parse("[device]\nname = f\nkind = scale\n"
	      "[gross]\ntable = holding\naddress = 60\ntype = f32\n",
	    &p);
	pthread_mutex_lock(&s->lock);
	s->map->tab_registers[60] = 0x4174; /* 15.3 */
	s->map->tab_registers[61] = 0xcccd;
	pthread_mutex_unlock(&s->lock);
	poller = poller_for(s, 0, &p, 1, &id);
	assert_int_equal(mb_poller_start(poller, err, sizeof(err)), 0);
	wait_seq(poller, 0, 1);
	pthread_mutex_lock(&s->lock);
	s->map->tab_registers[60] = 0x7fc0;
	s->map->tab_registers[61] = 0x0000;
	pthread_mutex_unlock(&s->lock);
	until = mono_ms() + 3000;
	do {
		assert_int_equal(mb_poller_snapshot(poller, 0, &snap), 0);
		if (snap.link != MB_LINK_UP)
			break;
		sleep_ms(5);
	} while (mono_ms() < until);
	assert_int_not_equal(snap.link, MB_LINK_UP);
	assert_int_equal(snap.last_errno, MB_EBADREPLY);
	assert_float_equal(snap.value[MB_SIG_GROSS], 15.3, 1e-5);
	mb_poller_free(poller);
}

static void
close_runs_before_the_next_read_cycle(void **state)
{
	struct server *s = *state;
	struct mb_profile p;
	struct mb_poller *poller;
	char err[256];
	int id = 1;
	int64_t t0, took;

	parse(scale_valve_ini, &p);
	pthread_mutex_lock(&s->lock);
	s->map->tab_bits[3] = 1;
	pthread_mutex_unlock(&s->lock);
	/* reads every 5 s: a write that waited for the next cycle would take seconds */
	poller = poller_for(s, 5000, &p, 1, &id);
	assert_int_equal(mb_poller_start(poller, err, sizeof(err)), 0);
	wait_seq(poller, 0, 1);
	t0 = mono_ms();
	assert_int_equal(mb_poller_write(poller, 0, MB_SIG_VALVE_CMD, 0, 0, 1000, err, sizeof(err)),
	    0);
	took = mono_ms() - t0;
	pthread_mutex_lock(&s->lock);
	assert_int_equal(s->map->tab_bits[3], 0);
	pthread_mutex_unlock(&s->lock);
	if (took > 200)
		fail_msg("close took %lld ms", (long long)took);
	/* a bit of a holding register: read-modify-write keeps the other bits */
	pthread_mutex_lock(&s->lock);
	s->map->tab_registers[50] = 0x8000;
	pthread_mutex_unlock(&s->lock);
	assert_int_equal(mb_poller_write(poller, 0, MB_SIG_START, 1, 0, 1000, err, sizeof(err)), 0);
	pthread_mutex_lock(&s->lock);
	assert_int_equal(s->map->tab_registers[50], 0x8001);
	pthread_mutex_unlock(&s->lock);
	/* heartbeat changes the register each time */
	assert_int_equal(mb_poller_heartbeat(poller, 0, 0, err, sizeof(err)), 0);
	assert_int_equal(mb_poller_heartbeat(poller, 0, 0, err, sizeof(err)), 0);
	pthread_mutex_lock(&s->lock);
	assert_int_equal(s->map->tab_registers[13], 2);
	pthread_mutex_unlock(&s->lock);
	mb_poller_free(poller);
}

/* A register its poll does not read (a valve unit's watchdog timeout, which
 * a unit that restarted has lost) is read on request: waited for, or queued
 * and found in the snapshot; a signal the profile lacks is refused. */
static void
reads_once_a_signal_its_poll_does_not_read(void **state)
{
	struct server *s = *state;
	struct mb_profile p;
	struct mb_poller *poller;
	struct mb_snapshot snap;
	char err[256];
	int id = 1;
	double v = -1;
	int64_t until;

	parse(scale_valve_ini, &p);
	pthread_mutex_lock(&s->lock);
	s->map->tab_registers[10] = 1000;
	pthread_mutex_unlock(&s->lock);
	/* reads every 5 s: a read that waited for the next cycle would take seconds */
	poller = poller_for(s, 5000, &p, 1, &id);
	assert_int_equal(mb_poller_set_signals(poller, 0, 1u << MB_SIG_VALVE_CMD), 0);
	assert_int_equal(mb_poller_start(poller, err, sizeof(err)), 0);
	wait_seq(poller, 0, 1);
	assert_int_equal(mb_poller_snapshot(poller, 0, &snap), 0);
	assert_false(snap.present & (1u << MB_SIG_WATCHDOG));
	assert_int_equal(snap.once_ms, 0);
	assert_int_equal(
	    mb_poller_read_once(poller, 0, MB_SIG_WATCHDOG, &v, 0, 1000, err, sizeof(err)), 0);
	assert_true(v == 1000);
	/* the unit restarted: the register is back to its power-on 0 */
	pthread_mutex_lock(&s->lock);
	s->map->tab_registers[10] = 0;
	pthread_mutex_unlock(&s->lock);
	assert_int_equal(mb_poller_read_once(poller, 0, MB_SIG_WATCHDOG, NULL, MB_WRITE_NOWAIT, 0,
	                     err, sizeof(err)),
	    0);
	until = mono_ms() + 2000;
	do {
		sleep_ms(10);
		assert_int_equal(mb_poller_snapshot(poller, 0, &snap), 0);
	} while (snap.once_value != 0 && mono_ms() < until);
	assert_int_equal(snap.once_signal, MB_SIG_WATCHDOG);
	assert_int_equal(snap.once_errno, 0);
	assert_true(snap.once_value == 0);
	assert_true(snap.once_ms > 0);
	/* counted, so a caller knows its own answer from the one before */
	assert_true(snap.once_seq == 2);
	assert_int_equal(
	    mb_poller_read_once(poller, 0, MB_SIG_VALVE_FB, &v, 0, 1000, err, sizeof(err)), -1);
	assert_int_equal(errno, MB_ENOSIGNAL);
	mb_poller_free(poller);
}

static void
dead_unit_backs_off_alone(void **state)
{
	struct server *s = *state;
	struct mb_profile p;
	struct mb_poller *poller;
	struct mb_snapshot live, dead;
	char err[256];
	int ids[2] = { 1, 7 };

	parse(scale_valve_ini, &p);
	s->dead_unit = 7;
	poller = poller_for(s, 0, &p, 2, ids);
	assert_int_equal(mb_poller_start(poller, err, sizeof(err)), 0);
	sleep_ms(1500);
	assert_int_equal(mb_poller_snapshot(poller, 0, &live), 0);
	assert_int_equal(mb_poller_snapshot(poller, 1, &dead), 0);
	assert_int_equal(live.link, MB_LINK_UP);
	assert_int_equal(dead.link, MB_LINK_BACKOFF);
	assert_int_equal(mb_error_kind(dead.last_errno), MB_ERR_TIMEOUT);
	/* 100 ms timeouts: without back-off ~15 failures in 1.5 s; with it 2 + 1 */
	if (dead.polls_failed > 4)
		fail_msg("dead unit asked %llu times", (unsigned long long)dead.polls_failed);
	assert_true(live.polls_ok > 100);
	/* a write to the dead unit in back-off fails at once: it would cost the
	 * live unit a response timeout */
	assert_int_equal(mb_poller_write(poller, 1, MB_SIG_VALVE_CMD, 0, 0, 2000, err, sizeof(err)),
	    -1);
	assert_int_equal(errno, MB_EBACKOFF);
	mb_poller_free(poller);
	s->dead_unit = -1;
}

/* A unit that answers, if wrongly (exception here; a CRC error on RTU),
 * costs the bus no more than a good one: it is not backed off, so its
 * heartbeats go on being tried and its first good answer after a short
 * burst is seen at once. */
static void
wrong_answers_are_not_backed_off(void **state)
{
	struct server *s = *state;
	struct mb_profile p;
	struct mb_poller *poller;
	struct mb_snapshot snap;
	char err[256];
	int id = 3;
	uint64_t seq;
	int64_t t0;

	parse(scale_valve_ini, &p);
	s->exception_unit = 3;
	poller = poller_for(s, 20, &p, 1, &id);
	assert_int_equal(mb_poller_start(poller, err, sizeof(err)), 0);
	sleep_ms(1000);
	assert_int_equal(mb_poller_snapshot(poller, 0, &snap), 0);
	assert_int_equal(snap.link, MB_LINK_FAILING);
	assert_int_equal(mb_error_kind(snap.last_errno), MB_ERR_EXCEPTION);
	/* every 20 ms: about 50 polls; backed off (1 s) it would be 2 or 3 */
	if (snap.polls_failed < 20)
		fail_msg("unit asked %llu times", (unsigned long long)snap.polls_failed);
	/* a heartbeat is tried, not refused for a back-off */
	assert_int_equal(mb_poller_heartbeat(poller, 0, 0, err, sizeof(err)), -1);
	assert_int_equal(mb_error_kind(errno), MB_ERR_EXCEPTION);
	seq = snap.seq;
	pthread_mutex_lock(&s->lock);
	s->exception_unit = -1;
	pthread_mutex_unlock(&s->lock);
	t0 = mono_ms();
	wait_seq(poller, 0, seq + 1);
	if (mono_ms() - t0 > 900)
		fail_msg("read again only after %lld ms", (long long)(mono_ms() - t0));
	mb_poller_free(poller);
}

/* A heartbeat sent without waiting (MB_WRITE_NOWAIT, as the gateway sends
 * them) that the unit refuses is counted in the snapshot and leaves the
 * bus up.  The poller freed such a request and then read its unit number
 * (a use after free that the sanitizer build's integration tests caught
 * in CI; this test fails there without the fix). */
static void
refused_heartbeat_without_waiting_is_counted(void **state)
{
	struct server *s = *state;
	struct mb_profile p;
	struct mb_poller *poller;
	struct mb_snapshot snap;
	char err[256];
	int id = 4;
	int64_t until;

	parse(scale_valve_ini, &p);
	pthread_mutex_lock(&s->lock);
	s->exception_unit = 4;
	pthread_mutex_unlock(&s->lock);
	poller = poller_for(s, 20, &p, 1, &id);
	assert_int_equal(mb_poller_start(poller, err, sizeof(err)), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(mb_poller_heartbeat(poller, 0, MB_WRITE_NOWAIT, err, sizeof(err)),
		    0);
	until = mono_ms() + 3000;
	do {
		assert_int_equal(mb_poller_snapshot(poller, 0, &snap), 0);
		if (snap.writes_failed >= 5)
			break;
		sleep_ms(10);
	} while (mono_ms() < until);
	assert_int_equal(snap.writes_failed, 5);
	assert_int_equal(snap.writes_ok, 0);
	assert_int_equal(mb_error_kind(snap.last_write_errno), MB_ERR_EXCEPTION);
	assert_int_not_equal(snap.link, MB_LINK_BUS_DOWN);
	mb_poller_free(poller);
	pthread_mutex_lock(&s->lock);
	s->exception_unit = -1;
	pthread_mutex_unlock(&s->lock);
}

/* A unit that times out and answers wrongly by turns (a time-out, then a
 * CRC error on RTU, an exception here) still costs its neighbours a
 * response time-out every other try unless it backs off: a wrong answer
 * does not count as a time-out, but it does not undo the ones before it. */
static void
timeouts_between_wrong_answers_still_back_off(void **state)
{
	struct server *s = *state;
	struct mb_profile p;
	struct mb_poller *poller;
	struct mb_snapshot live, flaky;
	char err[256];
	int ids[2] = { 1, 9 }, asked;

	parse(scale_valve_ini, &p);
	pthread_mutex_lock(&s->lock);
	s->flaky_unit = 9;
	s->flaky_turn = 0;
	s->requests[9] = 0;
	pthread_mutex_unlock(&s->lock);
	poller = poller_for(s, 0, &p, 2, ids);
	assert_int_equal(mb_poller_start(poller, err, sizeof(err)), 0);
	sleep_ms(1500);
	assert_int_equal(mb_poller_snapshot(poller, 0, &live), 0);
	assert_int_equal(mb_poller_snapshot(poller, 1, &flaky), 0);
	pthread_mutex_lock(&s->lock);
	asked = s->requests[9];
	s->flaky_unit = -1;
	pthread_mutex_unlock(&s->lock);
	/* 100 ms time-outs every other try: about 30 tries in 1.5 s without a
	 * back-off; with it (two time-outs, then 1 s) about 4 */
	if (asked > 8)
		fail_msg("the flaky unit was asked %d times", asked);
	assert_int_equal(flaky.link, MB_LINK_BACKOFF);
	assert_int_equal(live.link, MB_LINK_UP);
	assert_true(live.polls_ok > 100);
	mb_poller_free(poller);
}

static void
close_all_closes_live_valves_before_a_dead_one(void **state)
{
	struct server *s = *state;
	struct mb_profile p;
	struct mb_poller *poller;
	struct mb_snapshot snap;
	char err[256];
	int ids[2] = { 7, 1 }; /* the dead unit comes first on the bus */
	int64_t until;

	parse(scale_valve_ini, &p);
	s->dead_unit = 7;
	poller = poller_for(s, 0, &p, 2, ids);
	assert_int_equal(mb_poller_start(poller, err, sizeof(err)), 0);
	until = mono_ms() + 2000;
	do {
		sleep_ms(10);
		assert_int_equal(mb_poller_snapshot(poller, 0, &snap), 0);
	} while (snap.link != MB_LINK_BACKOFF && mono_ms() < until);
	wait_seq(poller, 1, 2);
	pthread_mutex_lock(&s->lock);
	s->map->tab_bits[3] = 1;
	s->write_seq[1] = s->write_seq[7] = 0;
	pthread_mutex_unlock(&s->lock);
	assert_int_equal(mb_poller_close_all(poller, 2000), -1);
	/* the dead one: not answering, in back-off */
	assert_true(errno == ETIMEDOUT || errno == MB_EBACKOFF);
	/* Read under the lock, assert after it: a failed assertion must not
	 * leave the server thread locked out. */
	pthread_mutex_lock(&s->lock);
	int valve = s->map->tab_bits[3], live_seq = s->write_seq[1], dead_seq = s->write_seq[7];
	pthread_mutex_unlock(&s->lock);
	assert_int_equal(valve, 0);
	/* the live valve was closed first; the dead unit, in back-off, was
	 * either tried after it or not at all */
	assert_true(live_seq > 0 && (dead_seq == 0 || live_seq < dead_seq));
	mb_poller_free(poller);
	s->dead_unit = -1;
}

static void
write_fails_at_once_while_the_bus_is_down(void **state)
{
	struct mb_profile p;
	struct mb_poller *poller;
	struct mb_snapshot snap;
	char err[256];
	int id = 1;
	int64_t t0;

	(void)state;
	parse(scale_valve_ini, &p);
	poller = poller_for(NULL, 0, &p, 1, &id);
	assert_int_equal(mb_poller_start(poller, err, sizeof(err)), 0);
	sleep_ms(100);
	assert_int_equal(mb_poller_snapshot(poller, 0, &snap), 0);
	assert_int_equal(snap.link, MB_LINK_BUS_DOWN);
	t0 = mono_ms();
	assert_int_equal(mb_poller_write(poller, 0, MB_SIG_VALVE_CMD, 0, 0, 2000, err, sizeof(err)),
	    -1);
	assert_int_equal(errno, MB_ENOTCONN);
	assert_true(mono_ms() - t0 < 50);
	assert_non_null(strstr(err, "not open"));
	mb_poller_free(poller);
}

static void
refuses_signals_the_profile_lacks(void **state)
{
	struct mb_profile p;
	struct mb_poller *poller;
	char err[256];
	int id = 1;

	(void)state;
	parse("[device]\nname = s\nkind = scale\n[gross]\ntable = input\n", &p);
	poller = poller_for(NULL, 0, &p, 1, &id);
	assert_int_equal(mb_poller_start(poller, err, sizeof(err)), 0);
	assert_int_equal(mb_poller_write(poller, 0, MB_SIG_VALVE_CMD, 0, 0, 100, err, sizeof(err)),
	    -1);
	assert_int_equal(errno, MB_ENOSIGNAL);
	assert_int_equal(mb_poller_write(poller, 0, MB_SIG_GROSS, 0, 0, 100, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL); /* input registers are read-only */
	assert_int_equal(mb_poller_write(poller, 5, MB_SIG_GROSS, 0, 0, 100, err, sizeof(err)), -1);
	mb_poller_free(poller);
}

static void
refuses_bad_units(void **state)
{
	struct mb_profile p;
	struct mb_bus_config bus;
	struct mb_poller *poller;
	char err[256];
	int index;

	(void)state;
	parse(scale_valve_ini, &p);
	mb_bus_config_defaults(&bus);
	snprintf(bus.device, sizeof(bus.device), "/dev/null");
	assert_int_equal(mb_poller_new(&bus, NULL, NULL, &poller, err, sizeof(err)), 0);
	assert_int_equal(mb_poller_add_unit(poller, 0, &p, &index, err, sizeof(err)), -1);
	assert_int_equal(mb_poller_add_unit(poller, 248, &p, &index, err, sizeof(err)), -1);
	assert_int_equal(mb_poller_add_unit(poller, 5, &p, &index, err, sizeof(err)), 0);
	assert_int_equal(mb_poller_add_unit(poller, 5, &p, &index, err, sizeof(err)), -1);
	assert_int_equal(errno, EEXIST);
	mb_poller_free(poller);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(merges_adjacent_registers_into_one_request),
		cmocka_unit_test(plans_only_the_signals_its_user_reads),
		cmocka_unit_test(slowed_unit_is_read_again_at_once_when_needed),
		cmocka_unit_test(reads_values_through_the_profile),
		cmocka_unit_test(float_that_is_no_number_is_a_bad_reply),
		cmocka_unit_test(close_runs_before_the_next_read_cycle),
		cmocka_unit_test(reads_once_a_signal_its_poll_does_not_read),
		cmocka_unit_test(dead_unit_backs_off_alone),
		cmocka_unit_test(wrong_answers_are_not_backed_off),
		cmocka_unit_test(refused_heartbeat_without_waiting_is_counted),
		cmocka_unit_test(timeouts_between_wrong_answers_still_back_off),
		cmocka_unit_test(close_all_closes_live_valves_before_a_dead_one),
		cmocka_unit_test(write_fails_at_once_while_the_bus_is_down),
		cmocka_unit_test(refuses_signals_the_profile_lacks),
		cmocka_unit_test(refuses_bad_units),
	};
	log_init("test_poller", 1, LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, server_start, server_stop);
}
