/*
 * door: a per-address limit on DTLS handshakes, in front of libcoap 4.3.1.
 *
 * libcoap 4.3.1 creates a session object for every ClientHello from an
 * address and port it does not know, before any cookie is checked, and
 * counts those sessions (and the ones still in handshake) against
 * max_handshakes.  Over the cap it ignores every new ClientHello, and it
 * frees a half-open session only 30 s after its last datagram
 * (COAP_PARTIAL_SESSION_TIMEOUT_TICKS), one per new datagram.  About 100
 * hellos from one host, each from another port, therefore locked every new
 * station out for up to 30 s.  None of those sessions can be freed through
 * the public API before then (a session still waiting for its cookie has no
 * handle to close), so the only remedy is to keep the datagram that would
 * create one from reaching libcoap.
 *
 * The door does that, inside the read: gascounty defines recvmsg(), which
 * the dynamic linker binds libcoap's calls to (see door.c), and on
 * libcoap's endpoint socket drops a ClientHello from an address:port with
 * no half-open session when that address already holds per_address
 * half-open sessions younger than libcoap's partial timeout.  Everything
 * else reaches libcoap unchanged.  The half-open sessions are counted from
 * libcoap's own events (SERVER_SESSION_NEW in; DTLS_CONNECTED, DTLS_CLOSED,
 * DTLS_ERROR and SERVER_SESSION_DEL out), and from one check for the case
 * libcoap 4.3.1 does not report: a handshake that fails at its cookie
 * round (a client offering only suites we refuse gets alert 40) is freed
 * with no event at all.  coap_session_new_dtls_session() (coap_session.c)
 * calls coap_session_free() when coap_dtls_new_server_session()
 * (coap_openssl.c) returns NULL; the DTLS_ERROR its alert callback notes
 * is never raised.  That is the only place a DTLS server session goes
 * silently before the context itself, and it runs only while libcoap
 * handles a datagram from that session's peer.  So after letting a
 * datagram of a half-open session through, the door asks at its next read,
 * before deciding anything, whether libcoap still holds that peer's
 * session half-open (coap_session_get_by_peer(), by the address and
 * interface of SERVER_SESSION_NEW, returns the same pointer, and what it
 * returned is of type HELLO or in handshake) and forgets it if not.
 * The count thus follows what libcoap really holds, and does not count on
 * a freed session's memory going to the next one.  (libcoap updates a
 * session's interface at each datagram: a peer that changes interface in
 * mid-handshake is forgotten early, one admission too many, which
 * max_handshakes still bounds.)  So one flooding address holds at most
 * per_address of the max_handshakes slots, and a station from any other
 * address finds one free.  An address's share also shrinks as the slots
 * fill (an address holding h needs more than 2h slots still free for one
 * more): at the defaults, about 50 addresses flooding together fill the
 * slots, not 10.  IPv6 peers are counted per
 * /64.  Spoofed source addresses are not stopped: libcoap creates the
 * session before any cookie proves the return path.
 */
#ifndef GASCOUNTY_DOOR_H
#define GASCOUNTY_DOOR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <coap3/coap.h>

/* libcoap 4.3.1's COAP_PARTIAL_SESSION_TIMEOUT_TICKS (an internal header) */
#define DOOR_PARTIAL_TIMEOUT_MS 30000

struct door_entry {
	const void *session; /* only compared, never dereferenced */
	struct sockaddr_storage peer;
	int ifindex; /* the interface libcoap received its first datagram on */
	int64_t since_ms;
};

/*
 * The session libcoap holds half-open for peer on interface ifindex, or
 * NULL (only compared).  door_open() puts one over libcoap's
 * coap_session_get_by_peer() here; unit tests put their own.
 */
typedef const void *door_lookup_fn(void *arg, const struct sockaddr *peer, int ifindex);

struct door {
	int fd;             /* libcoap's endpoint socket; -1: no screening */
	int per_address;    /* half-open sessions one address may hold */
	int max_handshakes; /* libcoap's cap on all of them */
	struct door_entry *entries;
	size_t count, capacity;
	door_lookup_fn *lookup; /* NULL: no check (events only) */
	void *lookup_arg;
	const void *passed;    /* the half-open session a datagram just went to, or NULL */
	unsigned long reads;   /* libcoap's reads of fd seen (proves the door is in the path) */
	unsigned long refused; /* ClientHellos dropped since the last report */
	int64_t reported_ms;   /* when the last "refused" line was logged */
};

/*
 * Find ctx's socket bound to bound (the endpoint just created), size the
 * table for capacity half-open sessions and put the door in libcoap's reads
 * (one door per process); ctx must outlive the door.  On failure err says
 * why, -1 is returned and every datagram goes to libcoap as without a door;
 * door_event() and door_report() still work.
 */
int door_open(struct door *d, coap_context_t *ctx, const coap_address_t *bound, int per_address,
    int max_handshakes, size_t capacity, char *err, size_t errsize);

/* Take the door out of libcoap's reads and free its table. */
void door_close(struct door *d);

/* Feed one libcoap event (from the context's event handler). */
void door_event(struct door *d, coap_session_t *session, coap_event_t event);

/* Log how many ClientHellos were refused, at most every 10 s. */
void door_report(struct door *d);

/* ---- the table, on its own (unit tests) ------------------------------------ */

/*
 * A new half-open session of peer, received on interface ifindex, at now_ms
 * (replaces a stale one of the same pointer).
 */
void door_note(struct door *d, const void *session, const struct sockaddr *peer, int ifindex,
    int64_t now_ms);

/* The session no longer holds a handshake slot (connected, failed or freed). */
void door_forget(struct door *d, const void *session);

/*
 * A datagram from peer goes to libcoap: if peer has a half-open session,
 * remember it for door_settle() (the one libcoap may free without an event
 * while it handles the datagram).
 */
void door_passed(struct door *d, const struct sockaddr *peer);

/*
 * libcoap is done with the datagram door_passed() saw (call before the
 * next door_admits()): forget its session if d->lookup says libcoap no
 * longer holds it half-open.  Without a lookup nothing is forgotten.
 */
void door_settle(struct door *d);

/*
 * 1 if a ClientHello from peer may reach libcoap at now_ms: peer has a
 * half-open session already (its cookie round), or its address holds h
 * half-open sessions younger than the partial timeout with h < per_address
 * and 2h < the slots of max_handshakes still free.
 */
int door_admits(const struct door *d, const struct sockaddr *peer, int64_t now_ms);

/* 1 if a datagram of len bytes would make libcoap 4.3.1 create a session. */
int door_is_client_hello(const uint8_t *data, size_t len);

#endif
