/*
 * gascounty's door (tools/gascounty/door.c, compiled in: it is private to
 * gascounty): which ClientHellos may reach libcoap.  An address gets up to
 * its share of half-open sessions and no more, other addresses are not
 * affected, a held peer's cookie round always passes, sessions that
 * connected or aged past libcoap's partial timeout stop counting, IPv6 is
 * counted per /64, the share shrinks as the slots fill, and a session
 * libcoap freed without an event (a handshake failed at its cookie round)
 * stops counting once libcoap is done with the datagram that failed it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/gascounty/door.c"

/* an IPv4 or IPv6 peer "ADDR" with port */
static struct sockaddr_storage
peer(const char *addr, int port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
	} else {
		assert_int_equal(inet_pton(AF_INET6, addr, &in6->sin6_addr), 1);
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
	}
	return ss;
}

#define SA(ss) ((const struct sockaddr *)&(ss))

static struct door door;
static char sessions[1000]; /* distinct fake session pointers: &sessions[i] */

/* what a fake libcoap holds: libcoap_holds[i] is 1 while it holds &sessions[i] for peers[i] */
static int libcoap_holds[1000];
static struct sockaddr_storage peers[1000];
static int lookups;

/* door_lookup_fn over the fake libcoap (interface 1 only) */
static const void *
fake_session_of(void *arg, const struct sockaddr *p, int ifindex)
{
	size_t i;

	(void)arg;
	lookups++;
	for (i = 0; i < sizeof(libcoap_holds) / sizeof(libcoap_holds[0]); i++)
		if (libcoap_holds[i] && ifindex == 1 &&
		    same_peer((const struct sockaddr *)&peers[i], p))
			return &sessions[i];
	return NULL;
}

static int
setup(void **state)
{
	(void)state;
	memset(&door, 0, sizeof(door));
	door.fd = -1;
	door.per_address = 4;
	door.max_handshakes = 100;
	door.capacity = 400;
	door.lookup = fake_session_of;
	memset(libcoap_holds, 0, sizeof(libcoap_holds));
	lookups = 0;
	door.entries = calloc(door.capacity, sizeof(*door.entries));
	return door.entries == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	door_close(&door);
	return 0;
}

/* admit and note sessions from addr, ports port.. port+n-1, at now (the
 * fake libcoap then holds them) */
static int
fill(const char *addr, int port, int n, int first_session, int64_t now)
{
	struct sockaddr_storage p;
	int i, admitted = 0;

	for (i = 0; i < n; i++) {
		p = peer(addr, port + i);
		if (door_admits(&door, SA(p), now)) {
			door_note(&door, &sessions[first_session + i], SA(p), 1, now);
			libcoap_holds[first_session + i] = 1;
			peers[first_session + i] = p;
			admitted++;
		}
	}
	return admitted;
}

static void
refuses_an_address_over_its_share(void **state)
{
	struct sockaddr_storage p = peer("192.0.2.7", 9000);

	(void)state;
	assert_int_equal(fill("192.0.2.7", 1000, 10, 0, 0), 4);
	assert_false(door_admits(&door, SA(p), 10));
}

static void
admits_other_addresses_while_one_floods(void **state)
{
	struct sockaddr_storage other = peer("192.0.2.8", 1000);

	(void)state;
	fill("192.0.2.7", 1000, 50, 0, 0);
	assert_true(door_admits(&door, SA(other), 10));
	assert_int_equal(fill("192.0.2.8", 2000, 4, 100, 10), 4);
}

static void
admits_the_cookie_round_of_a_held_peer(void **state)
{
	struct sockaddr_storage held = peer("192.0.2.7", 1000);

	(void)state;
	fill("192.0.2.7", 1000, 4, 0, 0);
	assert_true(door_admits(&door, SA(held), 100)); /* same address and port */
}

static void
frees_the_share_when_a_session_connects_or_fails(void **state)
{
	struct sockaddr_storage p = peer("192.0.2.7", 5000);

	(void)state;
	fill("192.0.2.7", 1000, 4, 0, 0);
	assert_false(door_admits(&door, SA(p), 10));
	door_forget(&door, &sessions[2]);
	assert_true(door_admits(&door, SA(p), 10));
	door_forget(&door, &sessions[999]); /* never noted: nothing happens */
	assert_int_equal(door.count, 3);
}

static void
stops_counting_sessions_past_the_partial_timeout(void **state)
{
	struct sockaddr_storage p = peer("192.0.2.7", 5000);

	(void)state;
	fill("192.0.2.7", 1000, 4, 0, 0);
	assert_false(door_admits(&door, SA(p), DOOR_PARTIAL_TIMEOUT_MS - 1));
	assert_true(door_admits(&door, SA(p), DOOR_PARTIAL_TIMEOUT_MS));
}

static void
counts_ipv6_per_64_and_mapped_ipv4_per_address(void **state)
{
	static const struct {
		const char *holder, *other;
		int same;
	} cases[] = {
		{ "2001:db8:1:2::1", "2001:db8:1:2:ffff::9", 1 },
		{ "2001:db8:1:2::1", "2001:db8:1:3::1", 0 },
		{ "::ffff:192.0.2.7", "::ffff:192.0.2.7", 1 },
		{ "::ffff:192.0.2.7", "::ffff:192.0.2.8", 0 },
		{ "192.0.2.7", "::ffff:192.0.2.7", 0 }, /* one endpoint sees one family */
		{ NULL, NULL, 0 },
	};
	struct sockaddr_storage p;
	int i;

	(void)state;
	for (i = 0; cases[i].holder != NULL; i++) {
		door.count = 0;
		fill(cases[i].holder, 1000, 4, 0, 0);
		p = peer(cases[i].other, 7000);
		assert_int_equal(door_admits(&door, SA(p), 10), !cases[i].same);
	}
}

static void
shrinks_the_share_as_the_slots_fill(void **state)
{
	struct sockaddr_storage p;
	char addr[32];
	int round, i, session = 0;

	(void)state;
	/* 40 addresses flooding in turn, far past their full shares (4 x 40
	 * would be 160 of the 100 slots) */
	for (round = 0; round < 10; round++) {
		for (i = 0; i < 40; i++) {
			snprintf(addr, sizeof(addr), "198.51.100.%d", i + 1);
			p = peer(addr, 1000 + round);
			if (door_admits(&door, SA(p), 0))
				door_note(&door, &sessions[session++], SA(p), 1, 0);
		}
	}
	assert_true(door.count < (size_t)door.max_handshakes);
	p = peer("203.0.113.1", 1000);
	assert_true(door_admits(&door, SA(p), 0)); /* a newcomer still gets in */
}

static void
a_full_table_forgets_its_oldest_entry(void **state)
{
	struct sockaddr_storage p = peer("192.0.2.9", 1);
	size_t i;

	(void)state;
	door.capacity = 8;
	for (i = 0; i < 8; i++) {
		struct sockaddr_storage q = peer("192.0.2.1", 100 + (int)i);

		door_note(&door, &sessions[i], SA(q), 1, (int64_t)(i + 1));
	}
	door_note(&door, &sessions[8], SA(p), 1, 100);
	assert_int_equal(door.count, 8);
	for (i = 0; i < door.count; i++)
		assert_ptr_not_equal(door.entries[i].session, &sessions[0]);
}

static void
forgets_a_session_libcoap_freed_without_an_event(void **state)
{
	struct sockaddr_storage p = peer("192.0.2.7", 5000), failed = peer("192.0.2.7", 1002);

	(void)state;
	fill("192.0.2.7", 1000, 4, 0, 0);
	assert_false(door_admits(&door, SA(p), 10));
	/* the cookie round of port 1002 goes to libcoap, which fails the
	 * handshake (alert 40) and frees the session with no event */
	assert_true(door_admits(&door, SA(failed), 10));
	door_passed(&door, SA(failed));
	libcoap_holds[2] = 0;
	door_settle(&door); /* the next read */
	assert_int_equal(door.count, 3);
	assert_true(door_admits(&door, SA(p), 10));
}

static void
failed_handshakes_leave_their_address_share_free(void **state)
{
	struct sockaddr_storage p;
	int i;

	(void)state;
	/* a full share of sessions from one address open at once (distinct
	 * pointers: no reuse of freed memory), then each fails at its cookie
	 * round */
	assert_int_equal(fill("192.0.2.7", 1000, 4, 0, 0), 4);
	for (i = 0; i < 4; i++) {
		p = peer("192.0.2.7", 1000 + i);
		assert_true(door_admits(&door, SA(p), 10));
		door_passed(&door, SA(p));
		libcoap_holds[i] = 0;
		door_settle(&door);
	}
	assert_int_equal(door.count, 0);
	p = peer("192.0.2.7", 6000);
	assert_true(door_admits(&door, SA(p), 10));
}

static void
keeps_a_session_libcoap_still_holds(void **state)
{
	struct sockaddr_storage p = peer("192.0.2.7", 5000), round = peer("192.0.2.7", 1001);
	struct sockaddr_storage other = peer("192.0.2.8", 1001);

	(void)state;
	fill("192.0.2.7", 1000, 4, 0, 0);
	/* a cookie round that libcoap took on (its session is in handshake) */
	door_passed(&door, SA(round));
	door_settle(&door);
	assert_int_equal(lookups, 1);
	assert_int_equal(door.count, 4);
	assert_false(door_admits(&door, SA(p), 10));
	/* a datagram from a peer with no half-open session: nothing to ask */
	door_passed(&door, SA(other));
	door_settle(&door);
	door_settle(&door); /* a second read with nothing let through between */
	assert_int_equal(lookups, 1);
	/* a session on another interface than the one noted is not that one */
	door.entries[0].ifindex = 2;
	door_passed(&door, SA(door.entries[0].peer));
	door_settle(&door);
	assert_int_equal(door.count, 3);
}

static void
without_a_lookup_only_events_count(void **state)
{
	struct sockaddr_storage failed = peer("192.0.2.7", 1002);

	(void)state;
	door.lookup = NULL;
	fill("192.0.2.7", 1000, 4, 0, 0);
	door_passed(&door, SA(failed));
	libcoap_holds[2] = 0;
	door_settle(&door);
	assert_int_equal(door.count, 4);
}

static void
knows_a_client_hello_as_libcoap_does(void **state)
{
	static const struct {
		uint8_t bytes[14];
		size_t len;
		int hello;
	} cases[] = {
		{ { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 60, 1 }, 14, 1 },
		{ { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 60, 1 }, 13, 0 },  /* short */
		{ { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 60, 16 }, 14, 0 }, /* key exchange */
		{ { 21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1 }, 14, 0 },   /* alert */
		{ { 23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 0, 0, 60, 1 }, 14, 0 },  /* data */
		{ { 0 }, 0, 0 },
	};
	int i;

	(void)state;
	for (i = 0; cases[i].len > 0; i++)
		assert_int_equal(door_is_client_hello(cases[i].bytes, cases[i].len),
		    cases[i].hello);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(refuses_an_address_over_its_share, setup, teardown),
		cmocka_unit_test_setup_teardown(admits_other_addresses_while_one_floods, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(admits_the_cookie_round_of_a_held_peer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(frees_the_share_when_a_session_connects_or_fails,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(stops_counting_sessions_past_the_partial_timeout,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(counts_ipv6_per_64_and_mapped_ipv4_per_address,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(shrinks_the_share_as_the_slots_fill, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(a_full_table_forgets_its_oldest_entry, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(forgets_a_session_libcoap_freed_without_an_event,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(failed_handshakes_leave_their_address_share_free,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(keeps_a_session_libcoap_still_holds, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(without_a_lookup_only_events_count, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(knows_a_client_hello_as_libcoap_does, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
