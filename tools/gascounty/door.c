/*
 * door: a per-address limit on DTLS handshakes in front of libcoap 4.3.1
 * (why it has to sit in front, and not behind, is in door.h).
 *
 * The table is a small array scanned linearly: it holds half-open sessions
 * only (at most per_address fresh ones per flooding address, plus stale ones
 * libcoap has not freed yet), and a scan of a few hundred entries per
 * ClientHello costs far less than the handshake libcoap would start.  A
 * datagram let through to a half-open session costs one more walk, over
 * libcoap's sessions (coap_session_get_by_peer() at the next read, door.h),
 * beside the DTLS work libcoap does with it.
 */
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <coap3/coap.h>

#include "door.h"
#include "log.h"
#include "util.h"

/* refused ClientHellos consumed in one read before libcoap gets a turn */
#define DOOR_DROP_BATCH 256
/* how often a running count of refused hellos is logged */
#define DOOR_REPORT_MS 10000
/* descriptors searched for libcoap's endpoint socket */
#define DOOR_MAX_FD 4096

/* the DTLS record and handshake bytes libcoap 4.3.1 checks before it
 * creates a session (coap_endpoint_get_session) */
#define DTLS_CT_HANDSHAKE 22
#define DTLS_HT_CLIENT_HELLO 1
#define DTLS_OFF_HANDSHAKE_TYPE 13

int
door_is_client_hello(const uint8_t *data, size_t len)
{
	return len > DTLS_OFF_HANDSHAKE_TYPE && data[0] == DTLS_CT_HANDSHAKE &&
	       data[DTLS_OFF_HANDSHAKE_TYPE] == DTLS_HT_CLIENT_HELLO;
}

/*
 * The part of an address one holder controls: an IPv4 address, an IPv6 /64
 * (one subscriber's prefix), or the IPv4 address inside an IPv4-mapped IPv6
 * one (a dual-stack endpoint sees every IPv4 peer that way).
 */
static int
same_holder(const struct sockaddr *a, const struct sockaddr *b)
{
	const struct sockaddr_in6 *a6, *b6;

	if (a->sa_family != b->sa_family)
		return 0;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->sa_family != AF_INET6)
		return 0;
	a6 = (const struct sockaddr_in6 *)a;
	b6 = (const struct sockaddr_in6 *)b;
	if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr) || IN6_IS_ADDR_V4MAPPED(&b6->sin6_addr))
		return memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
	return memcmp(&a6->sin6_addr, &b6->sin6_addr, 8) == 0;
}

/* Same address and port. */
static int
same_peer(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return 0;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *a4 = (const struct sockaddr_in *)a;
		const struct sockaddr_in *b4 = (const struct sockaddr_in *)b;

		return a4->sin_port == b4->sin_port && a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;
		const struct sockaddr_in6 *b6 = (const struct sockaddr_in6 *)b;

		return a6->sin6_port == b6->sin6_port &&
		       memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
	}
	return 0;
}

static size_t
sockaddr_size(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return sizeof(struct sockaddr_in);
	if (sa->sa_family == AF_INET6)
		return sizeof(struct sockaddr_in6);
	return 0;
}

void
door_forget(struct door *d, const void *session)
{
	size_t i;

	for (i = 0; i < d->count; i++) {
		if (d->entries[i].session == session) {
			d->entries[i] = d->entries[--d->count];
			return;
		}
	}
}

void
door_note(struct door *d, const void *session, const struct sockaddr *peer, int ifindex,
    int64_t now_ms)
{
	struct door_entry *e;
	size_t i, oldest = 0, size = sockaddr_size(peer);

	if (d->capacity == 0 || size == 0)
		return;
	/* libcoap may reuse the memory of a session freed without an event */
	door_forget(d, session);
	if (d->count == d->capacity) {
		/* Full: stop following the oldest.  It is stale or about to be,
		 * and at worst its address gets one admission too many, which
		 * libcoap's own max_handshakes still bounds. */
		for (i = 1; i < d->count; i++)
			if (d->entries[i].since_ms < d->entries[oldest].since_ms)
				oldest = i;
		d->entries[oldest] = d->entries[--d->count];
	}
	e = &d->entries[d->count++];
	memset(e, 0, sizeof(*e));
	e->session = session;
	memcpy(&e->peer, peer, size);
	e->ifindex = ifindex;
	e->since_ms = now_ms;
}

void
door_passed(struct door *d, const struct sockaddr *peer)
{
	size_t i;

	d->passed = NULL;
	for (i = 0; i < d->count; i++) {
		if (same_peer((const struct sockaddr *)&d->entries[i].peer, peer)) {
			d->passed = d->entries[i].session;
			return;
		}
	}
}

void
door_settle(struct door *d)
{
	const struct door_entry *e;
	const void *session = d->passed;
	size_t i;

	d->passed = NULL;
	if (session == NULL || d->lookup == NULL)
		return;
	for (i = 0; i < d->count; i++) {
		e = &d->entries[i];
		if (e->session != session)
			continue;
		/* freed without an event (door.h), or no longer half-open; a
		 * session of another pointer for the peer would be a new one,
		 * noted on its own */
		if (d->lookup(d->lookup_arg, (const struct sockaddr *)&e->peer, e->ifindex) !=
		    session)
			door_forget(d, session);
		return;
	}
}

int
door_admits(const struct door *d, const struct sockaddr *peer, int64_t now_ms)
{
	const struct door_entry *e;
	int held = 0, total = 0;
	size_t i;

	for (i = 0; i < d->count; i++) {
		e = &d->entries[i];
		if (same_peer((const struct sockaddr *)&e->peer, peer))
			return 1; /* its cookie round, or a retransmitted hello */
		/* libcoap frees a session this old at the next new datagram, which
		 * must be let through for that to happen */
		if (now_ms - e->since_ms >= DOOR_PARTIAL_TIMEOUT_MS)
			continue;
		total++;
		if (same_holder((const struct sockaddr *)&e->peer, peer))
			held++;
	}
	/* The share shrinks as the slots fill: an address holding h may take
	 * another only while twice h slots are still free, so that many
	 * flooding addresses together leave room for a newcomer's first. */
	return held < d->per_address && 2 * held < d->max_handshakes - total;
}

void
door_event(struct door *d, coap_session_t *session, coap_event_t event)
{
	const coap_address_t *remote;

	switch (event) {
	case COAP_EVENT_SERVER_SESSION_NEW:
		remote = coap_session_get_addr_remote(session);
		if (remote != NULL)
			door_note(d, session, &remote->addr.sa, coap_session_get_ifindex(session),
			    time_mono_ms());
		break;
	case COAP_EVENT_DTLS_CONNECTED:
	case COAP_EVENT_DTLS_CLOSED:
	case COAP_EVENT_DTLS_ERROR:
	case COAP_EVENT_SERVER_SESSION_DEL:
		door_forget(d, session);
		break;
	default:
		break;
	}
}

/* The descriptor of our UDP socket bound to bound, or -1. */
static int
find_endpoint_socket(const coap_address_t *bound)
{
	struct sockaddr_storage ss;
	struct rlimit rl;
	socklen_t len, tlen;
	int fd, type, found = -1, max = DOOR_MAX_FD;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)max)
		max = (int)rl.rlim_cur;
	for (fd = 0; fd < max; fd++) {
		len = sizeof(ss);
		tlen = sizeof(type);
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == -1 || type != SOCK_DGRAM)
			continue;
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
			continue;
		if (!same_peer((const struct sockaddr *)&ss, &bound->addr.sa))
			continue;
		if (found != -1)
			return -1; /* two candidates: do not guess */
		found = fd;
	}
	return found;
}

/*
 * door_lookup_fn over libcoap: the session it holds for peer if that is
 * half-open as libcoap counts them (coap_endpoint_get_session: a HELLO
 * session, or one in handshake), else NULL.  The session is read only once
 * libcoap has returned it from its own table, alive.
 */
static const void *
libcoap_half_open(void *arg, const struct sockaddr *peer, int ifindex)
{
	coap_session_t *s;
	coap_address_t a;
	size_t size = sockaddr_size(peer);

	if (size == 0 || size > sizeof(a.addr))
		return NULL;
	coap_address_init(&a);
	a.size = (socklen_t)size;
	memcpy(&a.addr, peer, size);
	s = coap_session_get_by_peer(arg, &a, ifindex);
	if (s == NULL || (coap_session_get_type(s) != COAP_SESSION_TYPE_HELLO &&
	                     coap_session_get_state(s) != COAP_SESSION_STATE_HANDSHAKE))
		return NULL;
	return s;
}

/* the door libcoap's reads go through (recvmsg below); one per process */
static struct door *active;

int
door_open(struct door *d, coap_context_t *ctx, const coap_address_t *bound, int per_address,
    int max_handshakes, size_t capacity, char *err, size_t errsize)
{
	memset(d, 0, sizeof(*d));
	d->fd = -1;
	d->per_address = per_address;
	d->max_handshakes = max_handshakes;
	d->lookup = libcoap_half_open;
	d->lookup_arg = ctx;
	d->reported_ms = time_mono_ms();
	if ((d->entries = calloc(capacity, sizeof(*d->entries))) == NULL) {
		snprintf(err, errsize, "no memory for %zu handshake entries", capacity);
		return -1;
	}
	d->capacity = capacity;
	if ((d->fd = find_endpoint_socket(bound)) == -1) {
		snprintf(err, errsize, "cannot find libcoap's endpoint socket");
		return -1;
	}
	active = d;
	return 0;
}

void
door_close(struct door *d)
{
	if (active == d)
		active = NULL;
	free(d->entries);
	d->entries = NULL;
	d->count = d->capacity = 0;
	d->passed = NULL;
	d->fd = -1;
}

void
door_report(struct door *d)
{
	int64_t now = time_mono_ms();

	if (d->refused == 0 || now - d->reported_ms < DOOR_REPORT_MS)
		return;
	log_info("refused %lu DTLS ClientHellos in %lld s: their address had its share of "
	         "handshakes in progress (at most %d)",
	    d->refused, (long long)((now - d->reported_ms) / 1000), d->per_address);
	d->refused = 0;
	d->reported_ms = now;
}

/*
 * 1 if the datagram recvmsg() just read into msg (n bytes) may go to
 * libcoap; then its session, if half-open, is the one to settle next.
 */
static int
admitted(struct door *d, const struct msghdr *msg, ssize_t n)
{
	size_t len = (size_t)n;

	if (msg->msg_name == NULL || msg->msg_iovlen < 1)
		return 1;
	if (len > msg->msg_iov[0].iov_len)
		len = msg->msg_iov[0].iov_len;
	if (door_is_client_hello(msg->msg_iov[0].iov_base, len) &&
	    !door_admits(d, msg->msg_name, time_mono_ms()))
		return 0;
	door_passed(d, msg->msg_name);
	return 1;
}

/*
 * The door itself.  libcoap 4.3.1 reads its endpoint socket with one
 * recvmsg() per datagram (coap_network_read), through the dynamic linker,
 * so this definition in gascounty's executable is the one it calls; every
 * other descriptor goes straight to the C library's.  Screening inside the
 * read, rather than peeking before coap_io_process(), leaves no moment in
 * which a datagram could reach libcoap unscreened.
 *
 * A refused ClientHello is consumed and the next datagram read in its place
 * without waiting.  When none is left, the call fails with ECONNREFUSED,
 * which coap_network_read() takes silently as "nothing read" (its path for
 * an ICMP error).
 */
ssize_t
recvmsg(int fd, struct msghdr *msg, int flags)
{
	static ssize_t (*libc_recvmsg)(int, struct msghdr *, int);
	struct door *d = active;
	socklen_t namelen;
	size_t controllen;
	ssize_t n;
	int dropped;

	if (libc_recvmsg == NULL) {
		*(void **)&libc_recvmsg = dlsym(RTLD_NEXT, "recvmsg");
		if (libc_recvmsg == NULL) {
			errno = ENOSYS;
			return -1;
		}
	}
	if (d == NULL || fd != d->fd || (flags & MSG_PEEK) != 0)
		return libc_recvmsg(fd, msg, flags);
	d->reads++;
	/* libcoap has handled the datagram before this one (each read is
	 * followed by its handling, coap_read_endpoint): see what it kept */
	door_settle(d);
	namelen = msg->msg_namelen;
	controllen = msg->msg_controllen;
	for (dropped = 0; dropped < DOOR_DROP_BATCH; dropped++) {
		n = libc_recvmsg(fd, msg, flags | (dropped > 0 ? MSG_DONTWAIT : 0));
		if (n == -1 && dropped > 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n == -1 || admitted(d, msg, n))
			return n;
		d->refused++;
		/* recvmsg() shortened these to what the refused datagram used */
		msg->msg_namelen = namelen;
		msg->msg_controllen = controllen;
		msg->msg_flags = 0;
	}
	errno = ECONNREFUSED;
	return -1;
}
