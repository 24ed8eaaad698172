/*
 * gascounty server: the CoAP-over-DTLS-PSK resources of docs/protocol.md.
 *
 * The resources are one table (resources[] below: path, method, the
 * access.h action that says who may call it and whether it is audited,
 * handler, answer formats, Observe), registered with libcoap by one loop
 * and served by one dispatcher.  Who is asking comes only from the DTLS
 * session (the PSK identity the handshake proved); a payload's own
 * "station" or "township" is never believed.  The dispatcher puts the
 * caller and the row's action to access_decide before the handler runs and
 * answers 4.03 outside it; handlers never check a role, and take the
 * tenant they act for from the scope access gave.  An identity removed
 * from the identities file (SIGHUP) loses its rights at once, even on a
 * session that is still open.  `gascounty --resources` prints the table as
 * docs/protocol.md carries it.
 *
 * SIGHUP re-reads the configuration file and the identities together and
 * puts both in force or neither (reload below).
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cbor.h>
#include <coap3/coap.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "access.h"
#include "buyeraddr.h"
#include "casedetail.h"
#include "cases.h"
#include "catalogue.h"
#include "code.h"
#include "county.h"
#include "daemon.h"
#include "door.h"
#include "figures.h"
#include "histwire.h"
#include "life.h"
#include "lifeingest.h"
#include "log.h"
#include "people.h"
#include "timetext.h"
#include "util.h"

static struct {
	struct county_config config; /* in force; a reload replaces it whole */
	const char *config_path;     /* NULL: built-in defaults, nothing to re-read */
	int verbose;                 /* -v given this many times (wins over log_level) */
	struct county_db cdb;
	struct psk_table keys;
	coap_context_t *ctx;
	coap_resource_t *alerts;
	coap_resource_t *cases;     /* Observe: "a case changed" */
	struct catalogue catalogue; /* outcomes, powers, villages; a reload swaps it whole */
	uint8_t nobody_key[32];     /* default key no client knows */
	SSL_CTX *narrowed;          /* the TLS context whose suites we narrowed */
	coap_bin_const_t found_key;
	struct door door; /* per-address handshake limit (door.h) */
} S;

/* RFC 7925 §4.2: TLS_PSK_WITH_AES_128_CCM_8 (OpenSSL's name) */
#define COUNTY_CIPHERS "PSK-AES128-CCM8"
/* the identity of gascounty's handshake with itself (prime_suites) */
#define PRIME_ID "gascounty:prime"

/* Printable copy of untrusted bytes for the log. */
static void
printable(const uint8_t *s, size_t n, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 1 < size; i++)
		out[o++] = (s[i] >= 0x21 && s[i] < 0x7f) ? (char)s[i] : '?';
	out[o] = '\0';
}

/*
 * RFC 7925 profile.  libcoap 4.3.1 gives every DTLS session the suites
 * "PSK:!NULL" and has no setting for them; OpenSSL's client-hello callback
 * runs before the suite is chosen, so it narrows each new session to
 * COUNTY_CIPHERS, chosen by the server (every libcoap client offers it).
 */
static int
on_client_hello(SSL *ssl, int *alert, void *arg)
{
	(void)arg;
	if (SSL_set_cipher_list(ssl, COUNTY_CIPHERS) != 1) {
		*alert = SSL_AD_INTERNAL_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	SSL_set_options(ssl, SSL_OP_CIPHER_SERVER_PREFERENCE);
	return SSL_CLIENT_HELLO_SUCCESS;
}

/*
 * The shared TLS context is reachable only through a session: the first
 * handshake installs on_client_hello on it, and a handshake that already
 * picked another suite is refused (its client tries again, and gets the
 * narrowed list).  Returns 0 if the session's suite is allowed.
 */
static int
narrow_suites(coap_session_t *session, int verbose)
{
	coap_tls_library_t lib;
	SSL *ssl = coap_session_get_tls(session, &lib);
	const SSL_CIPHER *c;

	if (ssl == NULL || lib != COAP_TLS_LIBRARY_OPENSSL)
		return -1;
	if (S.narrowed != SSL_get_SSL_CTX(ssl)) {
		S.narrowed = SSL_get_SSL_CTX(ssl);
		SSL_CTX_set_client_hello_cb(S.narrowed, on_client_hello, NULL);
	}
	c = SSL_get_pending_cipher(ssl);
	if (c == NULL || strcmp(SSL_CIPHER_get_name(c), COUNTY_CIPHERS) != 0) {
		if (verbose)
			log_info("refused handshake: cipher suite %s is not RFC 7925's",
			    c != NULL ? SSL_CIPHER_get_name(c) : "(none)");
		return -1;
	}
	return 0;
}

/*
 * Prime the narrowing before the first station comes: one handshake with
 * ourselves over loopback (an identity no file holds, so it is refused
 * after on_identity has run).  If it does not happen, the first real
 * handshake primes it instead (and is refused if it picked another suite).
 */
static void
prime_suites(const coap_address_t *listen_addr)
{
	coap_dtls_cpsk_t cpsk;
	coap_session_t *self;
	coap_address_t to = *listen_addr;
	int64_t end;

	if (to.addr.sa.sa_family == AF_INET && to.addr.sin.sin_addr.s_addr == htonl(INADDR_ANY))
		to.addr.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (to.addr.sa.sa_family == AF_INET6 &&
	         IN6_IS_ADDR_UNSPECIFIED(&to.addr.sin6.sin6_addr))
		to.addr.sin6.sin6_addr = in6addr_loopback;
	memset(&cpsk, 0, sizeof(cpsk));
	cpsk.version = COAP_DTLS_CPSK_SETUP_VERSION;
	cpsk.psk_info.identity.s = (const uint8_t *)PRIME_ID;
	cpsk.psk_info.identity.length = strlen(PRIME_ID);
	cpsk.psk_info.key.s = S.nobody_key;
	cpsk.psk_info.key.length = sizeof(S.nobody_key);
	self = coap_new_client_session_psk2(S.ctx, NULL, &to, COAP_PROTO_DTLS, &cpsk);
	end = time_mono_ms() + 2000;
	while (self != NULL && S.narrowed == NULL && time_mono_ms() < end)
		coap_io_process(S.ctx, 100);
	if (self != NULL)
		coap_session_release(self);
	if (S.narrowed == NULL)
		log_warnx("DTLS cipher suites not narrowed yet: the first handshake will do it");
}

static const coap_bin_const_t *
on_identity(coap_bin_const_t *identity, coap_session_t *session, void *arg)
{
	const struct psk_entry *e;
	char shown[PSK_MAX_IDENTITY];

	(void)arg;
	if (identity->length == strlen(PRIME_ID) &&
	    memcmp(identity->s, PRIME_ID, identity->length) == 0) {
		narrow_suites(session, 0);
		return NULL; /* our own priming handshake: it has done its job */
	}
	if (narrow_suites(session, 1) == -1)
		return NULL;
	e = psk_find(&S.keys, identity->s, identity->length);
	if (e == NULL) {
		printable(identity->s, identity->length, shown, sizeof(shown));
		log_info("refused handshake: unknown identity '%s'", shown);
		return NULL;
	}
	/* libcoap copies the key it is given */
	S.found_key.s = e->key;
	S.found_key.length = e->key_len;
	return &S.found_key;
}

/* Who is asking, from the DTLS session only; -1 (role none) if unknown. */
static int
caller(coap_session_t *session, struct access_identity *who)
{
	const coap_bin_const_t *id = coap_session_get_psk_identity(session);

	memset(who, 0, sizeof(*who));
	if (id == NULL || psk_find(&S.keys, id->s, id->length) == NULL)
		return -1; /* no identity, or removed from the identities file since */
	return access_identity_parse(id->s, id->length, who);
}

static void
reply_text(coap_pdu_t *response, coap_pdu_code_t code, const char *text)
{
	coap_pdu_set_code(response, code);
	if (text != NULL)
		coap_add_data(response, strlen(text), (const uint8_t *)text);
}

static int
request_accept(const coap_pdu_t *request)
{
	coap_opt_iterator_t it;
	coap_opt_t *opt = coap_check_option(request, COAP_OPTION_ACCEPT, &it);

	if (opt == NULL)
		return COAP_MEDIATYPE_APPLICATION_CBOR;
	return (int)coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt));
}

/*
 * One request as the dispatcher hands it to a handler: libcoap's exchange
 * (the resource, the session, the request's PDU and query, the response
 * to fill), and the caller, allowed the row's action (access_decide)
 * within scope.  Handlers take the tenant they act for from scope, never
 * from the payload, and pass audit_as to the reads they audit.
 */
struct resource;

struct request {
	coap_resource_t *resource;
	coap_session_t *session;
	const coap_pdu_t *pdu; /* the request */
	const coap_string_t *query;
	coap_pdu_t *response;
	const struct resource *row;
	const struct access_identity *who;
	const struct access_scope *scope;
	const char *audit_as; /* the caller's identity on audited rows, NULL elsewhere */
};

/*
 * Large answers held for their client.  libcoap 4.3.1 keeps an answer larger
 * than one block whole (its lg_xmit) until the client has fetched the last
 * block and 8 s more, or ~93 s pass, and replaces a kept answer only for the
 * same resource and query: a client that asks again and again with another
 * query and never fetches block 2 would pin one whole answer per request.
 * The bytes of held answers are counted per session, per identity and for
 * the county, and an answer over a bound is refused with 5.03 and a Max-Age
 * (docs/county.md "Bounds of a session").  A session with nothing held is
 * always answered, whatever the size, while its identity's and the county's
 * bounds allow; an identity's new session is served while its old one still
 * holds answers no one will fetch.
 *
 * A session is known by a number of ours kept in its app data, never by its
 * pointer: libcoap releases a session's answers as it frees the session.
 */
#define HELD_PER_SESSION (8u << 20) /* bytes */
#define HELD_PER_IDENTITY (32u << 20)
#define HELD_COUNTY (256u << 20)
#define HELD_RETRY_S 5      /* the 5.03's Max-Age */
#define HELD_ONE_BLOCK 1024 /* an answer of at most one block is never held */

struct held_owner { /* one session that holds answers */
	struct held_owner *next;
	uintptr_t session; /* session_number() */
	size_t bytes, answers;
	char identity[ACCESS_MAX_IDENTITY];
};

struct held_answer {
	struct held_owner *owner;
	size_t len;
	uint8_t *buf;
};

static struct {
	struct held_owner *owners;
	size_t bytes;
	uintptr_t sessions; /* the last session number given */
	int64_t told_ms;    /* a refusal logged at info at most once a minute */
} H;

static uintptr_t
session_number(coap_session_t *session)
{
	uintptr_t n = (uintptr_t)coap_session_get_app_data(session);

	if (n == 0) {
		n = ++H.sessions;
		coap_session_set_app_data(session, (void *)n);
	}
	return n;
}

static struct held_owner *
held_owner(uintptr_t session, const char *identity, int create)
{
	struct held_owner *o;

	for (o = H.owners; o != NULL; o = o->next)
		if (o->session == session)
			return o;
	if (!create || (o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->session = session;
	str_copy(o->identity, identity, sizeof(o->identity));
	o->next = H.owners;
	H.owners = o;
	return o;
}

static size_t
held_by_identity(const char *identity)
{
	const struct held_owner *o;
	size_t n = 0;

	for (o = H.owners; o != NULL; o = o->next)
		if (strcmp(o->identity, identity) == 0)
			n += o->bytes;
	return n;
}

/* libcoap's release callback: the answer was sent whole, replaced, timed
 * out, or its session closed (the session pointer is not used). */
static void
release_held(coap_session_t *session, void *app_ptr)
{
	struct held_answer *a = app_ptr;
	struct held_owner *o = a->owner, **pp;

	(void)session;
	o->bytes -= a->len;
	H.bytes -= a->len;
	if (--o->answers == 0) {
		for (pp = &H.owners; *pp != o; pp = &(*pp)->next)
			;
		*pp = o->next;
		free(o);
	}
	free(a->buf);
	free(a);
}

/* 0 if an answer of len bytes may be held for the request's session; -1 if
 * over a bound (logged at info at most once a minute). */
static int
held_allowed(const struct request *rq, size_t len)
{
	const struct held_owner *o;
	const char *identity = rq->who->identity;
	coap_block_b_t block;
	size_t mine, theirs;

	if (len <= HELD_ONE_BLOCK)
		return 0;
	/* a later block asked for on its own: libcoap sends it and keeps nothing */
	if (coap_get_block_b(rq->session, rq->pdu, COAP_OPTION_BLOCK2, &block) && block.num != 0)
		return 0;
	o = held_owner(session_number(rq->session), identity, 0);
	mine = o != NULL ? o->bytes : 0;
	theirs = held_by_identity(identity);
	if (H.bytes + len <= HELD_COUNTY && (theirs == 0 || theirs + len <= HELD_PER_IDENTITY) &&
	    (mine == 0 || mine + len <= HELD_PER_SESSION))
		return 0;
	if (H.told_ms == 0 || time_mono_ms() - H.told_ms >= 60000) {
		H.told_ms = time_mono_ms();
		log_info(
		    "%s: answers not yet fetched hold %zu KiB on its session (at most %u), %zu "
		    "KiB for the identity (%u), %zu KiB in the county (%u): 5.03 until they "
		    "are fetched or expire",
		    identity, mine >> 10, HELD_PER_SESSION >> 10, theirs >> 10,
		    HELD_PER_IDENTITY >> 10, H.bytes >> 10, HELD_COUNTY >> 10);
	} else {
		log_debug("%s: answer of %zu bytes refused: %zu KiB held on its session, %zu KiB "
		          "for the identity, %zu KiB in the county",
		    identity, len, mine >> 10, theirs >> 10, H.bytes >> 10);
	}
	return -1;
}

/* Send a CBOR body (taking ownership of buf), as JSON if the client asked. */
static void
reply_body(const struct request *rq, coap_pdu_code_t code, uint8_t *buf, size_t len)
{
	int accept = request_accept(rq->pdu);
	uint16_t media = COAP_MEDIATYPE_APPLICATION_CBOR;
	struct held_answer *held;
	char *json = NULL, err[160];

	if (accept == COAP_MEDIATYPE_APPLICATION_JSON) {
		if (wire_cbor_to_json(buf, len, &json, err, sizeof(err)) == -1) {
			free(buf);
			log_warnx("JSON rendering: %s", err);
			reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR,
			    "rendering failed");
			return;
		}
		free(buf);
		buf = (uint8_t *)json;
		len = strlen(json);
		media = COAP_MEDIATYPE_APPLICATION_JSON;
	} else if (accept != COAP_MEDIATYPE_APPLICATION_CBOR) {
		free(buf);
		reply_text(rq->response, COAP_RESPONSE_CODE_NOT_ACCEPTABLE,
		    "CBOR (60) or JSON (50)");
		return;
	}
	if (held_allowed(rq, len) == -1) {
		uint8_t age[4];

		free(buf);
		coap_add_option(rq->response, COAP_OPTION_MAXAGE,
		    coap_encode_var_safe(age, sizeof(age), HELD_RETRY_S), age);
		reply_text(rq->response, COAP_RESPONSE_CODE_SERVICE_UNAVAILABLE,
		    "too many answers not yet fetched: fetch them, or ask again later");
		return;
	}
	if ((held = malloc(sizeof(*held))) == NULL ||
	    (held->owner = held_owner(session_number(rq->session), rq->who->identity, 1)) == NULL) {
		free(held);
		free(buf);
		reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
		return;
	}
	held->len = len;
	held->buf = buf;
	held->owner->bytes += len;
	held->owner->answers++;
	H.bytes += len;
	coap_pdu_set_code(rq->response, code);
	/* libcoap 4.3.1 calls release_held on every path, failure included:
	 * at once for an answer of one block or a failure, later for a held one */
	if (!coap_add_data_large_response(rq->resource, rq->session, rq->pdu, rq->response,
	        rq->query, media, -1, 0, len, buf, release_held, held))
		reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
}

/* 2.05 with an encoded answer (taking ownership of buf); encoded -1: the
 * encoder failed and gave no buffer, 5.00 without a text. */
static void
reply_content(const struct request *rq, int encoded, uint8_t *buf, size_t len)
{
	if (encoded == -1) {
		reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
		return;
	}
	reply_body(rq, COAP_RESPONSE_CODE_CONTENT, buf, len);
}

/* The value of key in "a=1&b=2" into out: 0 when present, -1 when absent,
 * -2 when present but not shorter than size (out is then untouched). */
static int
query_get(const coap_string_t *query, const char *key, char *out, size_t size)
{
	const char *p, *end, *amp, *eq;
	size_t klen = strlen(key), vlen;

	if (query == NULL)
		return -1;
	p = (const char *)query->s;
	end = p + query->length;
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq != NULL && (size_t)(eq - p) == klen && memcmp(p, key, klen) == 0) {
			vlen = (size_t)(amp - eq - 1);
			if (vlen >= size)
				return -2;
			memcpy(out, eq + 1, vlen);
			out[vlen] = '\0';
			return 0;
		}
		p = amp + 1;
	}
	return -1;
}

/* A "since" mark: absent -> 0; a whole number 0..INT64_MAX -> it; anything
 * else (text, a sign, too long) -> -1, for a 4.00 that names it. */
static int
query_since(const coap_string_t *query, int64_t *out)
{
	char text[24], *end;
	long long v;

	*out = 0;
	switch (query_get(query, "since", text, sizeof(text))) {
	case -1:
		return 0;
	case -2:
		return -1;
	}
	if (text[0] < '0' || text[0] > '9')
		return -1;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* A time bound: integer ms, or ISO 8601 text (timetext.h: without an offset,
 * the county's time zone; a bare date as the end of a range takes the whole
 * day); absent -> dflt. */
static int
query_time(const coap_string_t *query, const char *key, int range_end, int64_t dflt, int64_t *out)
{
	char text[48], *end;
	long long v;
	int whole_day;

	*out = dflt;
	switch (query_get(query, key, text, sizeof(text))) {
	case -1:
		return 0;
	case -2:
		return -1;
	}
	v = strtoll(text, &end, 10);
	if (end != text && *end == '\0') {
		*out = v;
		return 0;
	}
	if (timetext_parse(text, out, &whole_day, NULL, 0) == -1)
		return -1;
	if (range_end && whole_day)
		*out = timetext_next_day(*out) - 1;
	return 0;
}

/* The request's whole body: 0; no body at all: -2; only a part: -1. */
static int
body(const coap_pdu_t *request, const uint8_t **data, size_t *len)
{
	size_t offset = 0, total = 0;

	*data = NULL;
	*len = 0;
	if (!coap_get_data_large(request, len, data, &offset, &total))
		return -2;
	if (offset != 0 || *len != total)
		log_debug("partial body: %zu bytes at %zu of %zu", *len, offset, total);
	/* SINGLE_BODY: libcoap hands us the whole reassembled body */
	return offset == 0 && *len == total ? 0 : -1;
}

/* "station:S01 from 127.0.0.1:40123": which session a request came on,
 * for the rows that must say so (conflicts). */
static void
session_name(coap_session_t *session, const char *identity, char *out, size_t size)
{
	const coap_address_t *peer = coap_session_get_addr_remote(session);
	unsigned char addr[INET6_ADDRSTRLEN + 16];
	size_t n = 0;

	addr[0] = '\0';
	if (peer != NULL)
		n = coap_print_addr(peer, addr, sizeof(addr) - 1);
	addr[n] = '\0';
	snprintf(out, size, "%s from %s", identity, n > 0 ? (const char *)addr : "?");
}

static void
notify_cases(void)
{
	if (S.cases != NULL)
		coap_resource_notify_observers(S.cases, NULL);
}

/* Turn alerts not yet seen into cases (cases.h); a critical one is told to
 * its township at once (the log, and Observe on /cases). */
static void
alerts_to_cases(void)
{
	struct cases_news news;
	char err[256];

	if (cases_from_alerts(&S.cdb, &S.catalogue, time_wall_ms(), &news, err, sizeof(err)) ==
	    -1) {
		log_warnx("cases: %s", err);
		return;
	}
	if (news.critical > 0)
		log_warnx("%d new critical case(s), the last for township %s", news.critical,
		    news.critical_township);
	if (news.opened + news.joined > 0) {
		log_info("cases: %d opened, %d alerts joined open cases", news.opened, news.joined);
		notify_cases();
	}
}

static void
notify_alerts(int new_alerts)
{
	if (new_alerts > 0) {
		coap_resource_notify_observers(S.alerts, NULL);
		alerts_to_cases();
	}
}

/* ---- handlers --------------------------------------------------------------- */

static void
post_records(const struct request *rq)
{
	const char *identity = rq->who->identity, *station = rq->scope->station;
	char err[256], where[160];
	struct wire_batch batch;
	struct wire_ack ack;
	const uint8_t *data;
	uint8_t *out;
	size_t len, outlen;
	int alerts = 0, got = body(rq->pdu, &data, &len);
	/* a delivery device: life events only, its own seq space (lifeingest.h) */
	int delivery = rq->who->role == ACCESS_ROLE_DELIVERY;
	enum county_result stored;

	if (got == -2) {
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST, "a batch needs a body");
		return;
	}
	if (got == -1) {
		/*
		 * libcoap 4.3.1 hands a retransmitted last block of a request it
		 * already finished to the handler on its own.  The batch itself
		 * was stored (or not) before; the truthful answer is the current
		 * mark, which is all the station acts on.
		 */
		memset(&ack, 0, sizeof(ack));
		if (delivery
		        ? county_delivery_hwm(&S.cdb, identity, &ack.hwm, err, sizeof(err)) == -1
		        : county_hwm(&S.cdb, station, &ack.hwm, err, sizeof(err)) == -1 ||
		              county_held(&S.cdb, station, ack.hwm, &ack.held, err, sizeof(err)) ==
		                  -1) {
			log_warnx("%s: %s", identity, err);
			reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
			return;
		}
		log_debug("%s: partial body (a retransmitted last block?): mark %lld", identity,
		    (long long)ack.hwm);
		goto answer;
	}
	if (wire_decode_batch(data, len, &batch, err, sizeof(err)) == -1) {
		log_info("%s: refused batch: %s", identity, err);
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST, err);
		return;
	}
	session_name(rq->session, identity, where, sizeof(where));
	stored = delivery ? county_ingest_delivery(&S.cdb, S.catalogue.code_key, identity, &batch,
	                        &ack, &alerts, err, sizeof(err))
	                  : county_ingest(&S.cdb, station, where, &batch, &ack, &alerts, err,
	                        sizeof(err));
	switch (stored) {
	case COUNTY_DONE:
		break;
	case COUNTY_REFUSED:
		/* what cannot be true: nothing stored, the field named */
		wire_batch_free(&batch);
		log_warnx("%s: refused batch: %s", identity, err);
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST, err);
		return;
	case COUNTY_BUSY:
		/* over its bound for now (quota.h): nothing stored, sent again
		 * later; logged at debug, as a refused source sends again every
		 * second (its C16 alert said it once) */
		wire_batch_free(&batch);
		log_debug("%s: batch not taken: %s", identity, err);
		reply_text(rq->response, COAP_RESPONSE_CODE_SERVICE_UNAVAILABLE, err);
		return;
	default:
		wire_batch_free(&batch);
		log_warnx("%s: batch not stored: %s", identity, err);
		reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, "not stored");
		return;
	}
	log_debug("%s: %zu records, %lld new, hwm %lld", identity, batch.count,
	    (long long)ack.stored, (long long)ack.hwm);
	wire_batch_free(&batch);
answer:
	if (wire_encode_ack(&ack, &out, &outlen) == -1) {
		reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
		return;
	}
	reply_body(rq, COAP_RESPONSE_CODE_CHANGED, out, outlen);
	notify_alerts(alerts);
}

static void
post_heartbeat(const struct request *rq)
{
	const char *identity = rq->who->identity, *station = rq->scope->station;
	char err[256];
	struct wire_heartbeat hb;
	struct wire_ack ack;
	const uint8_t *data;
	uint8_t *out;
	size_t len, outlen;
	int alerts = 0, accept, written = 0;

	if (body(rq->pdu, &data, &len) != 0 ||
	    wire_decode_heartbeat(data, len, &hb, err, sizeof(err)) == -1) {
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST, "bad heartbeat");
		return;
	}
	/* the station's clock is judged here (C14): its alert, like a batch's */
	switch (county_heartbeat(&S.cdb, station, &hb, &alerts, &written, err, sizeof(err))) {
	case COUNTY_DONE:
		/* one too soon after the last written (heartbeat_min_s): its
		 * answer is the same, the mark read below */
		if (!written)
			log_debug("%s: heartbeat answered without a write", identity);
		break;
	case COUNTY_REFUSED:
		log_warnx("%s: refused heartbeat: %s", identity, err);
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST, err);
		return;
	default:
		log_warnx("%s: heartbeat: %s", identity, err);
		reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
		return;
	}
	/*
	 * Answered with the station's mark, as a batch's ACK (stored and
	 * duplicates 0): a station with nothing new to send learns from it
	 * that this county lost records it had acknowledged (its database
	 * restored from an older backup) and sends them again.  With it, how
	 * many of the station's records the county holds (held: the mark and
	 * those above it), which the mark alone cannot say when it stopped
	 * behind a record the station set aside (review rev96).  Without a
	 * mark (or asked for a form other than CBOR or JSON: the heartbeat is
	 * stored, a 4.06 now would say it was not), an empty 2.04, as before.
	 */
	memset(&ack, 0, sizeof(ack));
	accept = request_accept(rq->pdu);
	if (accept != COAP_MEDIATYPE_APPLICATION_CBOR &&
	    accept != COAP_MEDIATYPE_APPLICATION_JSON) {
		/* the empty 2.04 below */
	} else if (county_hwm(&S.cdb, station, &ack.hwm, err, sizeof(err)) == -1 ||
	           county_held(&S.cdb, station, ack.hwm, &ack.held, err, sizeof(err)) == -1) {
		log_warnx("%s: heartbeat: mark: %s", identity, err);
	} else if (wire_encode_ack(&ack, &out, &outlen) == 0) {
		reply_body(rq, COAP_RESPONSE_CODE_CHANGED, out, outlen);
		notify_alerts(alerts);
		return;
	}
	reply_text(rq->response, COAP_RESPONSE_CODE_CHANGED, NULL);
	notify_alerts(alerts);
}

static void
get_registry(const struct request *rq)
{
	char err[256];
	struct wire_registry reg;
	int64_t since = 0;
	uint8_t *out;
	size_t outlen;
	int encoded;

	if (query_since(rq->query, &since) == -1) {
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST,
		    "since= takes a registry version: a whole number, 0 or more");
		return;
	}
	/* a station is served the scraps of its own C15 held back as scrapped */
	if (county_registry_since(&S.cdb,
	        rq->who->role == ACCESS_ROLE_STATION ? rq->who->tenant_id : NULL, since, 2000, &reg,
	        err, sizeof(err)) == -1) {
		log_warnx("registry: %s", err);
		reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
		return;
	}
	encoded = wire_encode_registry(&reg, &out, &outlen);
	wire_registry_free(&reg);
	reply_content(rq, encoded, out, outlen);
}

/* GET /alerts (a township's own) and GET /alerts/county (the county's
 * queue, regulators, audited): one answer, two sources. */
static void
alerts_answer(const struct request *rq, int queue)
{
	const char *township = rq->scope->township;
	char err[256];
	struct wire_alert_list list;
	coap_opt_iterator_t it;
	int64_t since = 0;
	uint8_t *out;
	size_t outlen, max = 500;
	int encoded;

	if (query_since(rq->query, &since) == -1) {
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST,
		    "since= takes an alert id: a whole number, 0 or more");
		return;
	}
	/* an Observe registration or notification says only "something new":
	 * the body carries the newest id, and the client fetches since=N */
	if (coap_check_option(rq->pdu, COAP_OPTION_OBSERVE, &it) != NULL)
		max = 1, since = INT64_MAX - 1;
	/* a regulator reads the county's own queue, under an audit row */
	if ((queue ? county_queue(&S.cdb, rq->audit_as, since, max, &list, err, sizeof(err))
	           : county_alerts(&S.cdb, township, since, max, &list, err, sizeof(err))) == -1) {
		log_warnx("alerts: %s", err);
		reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
		return;
	}
	encoded = wire_encode_alerts(&list, &out, &outlen);
	wire_alerts_free(&list);
	reply_content(rq, encoded, out, outlen);
}

static void
get_alerts(const struct request *rq)
{
	alerts_answer(rq, 0);
}

static void
get_county_alerts(const struct request *rq)
{
	alerts_answer(rq, 1);
}

static void
post_ack(const struct request *rq)
{
	const char *identity = rq->who->identity;
	char err[256];
	struct wire_disposition d;
	const uint8_t *data;
	size_t len;

	if (body(rq->pdu, &data, &len) != 0 ||
	    wire_decode_disposition(data, len, &d, err, sizeof(err)) == -1) {
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST, "bad disposition");
		return;
	}
	switch (county_dispose(&S.cdb, rq->scope, identity, &d, err, sizeof(err))) {
	case COUNTY_DONE:
		log_info("%s: disposition of alert %lld", identity, (long long)d.id);
		reply_text(rq->response, COAP_RESPONSE_CODE_CHANGED, NULL);
		break;
	case COUNTY_NOT_FOUND:
		reply_text(rq->response, COAP_RESPONSE_CODE_NOT_FOUND, "no such alert");
		break;
	case COUNTY_OUT_OF_SCOPE:
		reply_text(rq->response, COAP_RESPONSE_CODE_FORBIDDEN, "alert of another township");
		break;
	case COUNTY_REFUSED:
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST, err);
		break;
	case COUNTY_BUSY: /* writequota.h: the key's writes of 24 hours are at their bound */
		log_info("%s: disposition not kept: %s", identity, err);
		reply_text(rq->response, COAP_RESPONSE_CODE_TOO_MANY_REQUESTS, err);
		break;
	case COUNTY_ERROR:
	default:
		log_warnx("disposition: %s", err);
		reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
		break;
	}
}

static void
trace(const char *kind, const char *param, const struct request *rq)
{
	const char *identity = rq->who->identity;
	char err[256], key[WIRE_ID + 8], cursor_text[WIRE_CURSOR];
	struct wire_cursor cursor, *after = NULL;
	struct wire_trace t;
	int64_t from, to;
	uint8_t *out;
	size_t outlen;
	int encoded;

	if (query_get(rq->query, param, key, sizeof(key)) != 0 || key[0] == '\0' ||
	    query_time(rq->query, "from", 0, 0, &from) == -1 ||
	    query_time(rq->query, "to", 1, INT64_MAX, &to) == -1) {
		snprintf(err, sizeof(err), "need %s=..., optional from=, to= and after=", param);
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST, err);
		return;
	}
	/* the next page: after= the cursor the previous answer named */
	switch (query_get(rq->query, "after", cursor_text, sizeof(cursor_text))) {
	case -2:
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST,
		    "after= takes the 'next' cursor of a trace answer");
		return;
	case 0:
		if (wire_cursor_parse(cursor_text, &cursor) == -1) {
			reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST,
			    "after= takes the 'next' cursor of a trace answer");
			return;
		}
		after = &cursor;
		break;
	}
	switch (
	    county_trace(&S.cdb, rq->audit_as, kind, key, from, to, after, &t, err, sizeof(err))) {
	case COUNTY_DONE:
		break;
	case COUNTY_NOT_FOUND: /* a fixed reason: gastrace says it in the person's language */
		log_info("%s: trace %s %s: no such station", identity, kind, key);
		reply_text(rq->response, COAP_RESPONSE_CODE_NOT_FOUND, "no such station");
		return;
	default:
		log_warnx("trace: %s", err);
		reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
		return;
	}
	log_info("%s: trace %s %s: %zu records%s%s%s", identity, kind, key, t.count,
	    after != NULL ? " after " : "", after != NULL ? t.after : "",
	    t.more ? ", more to come" : "");
	encoded = wire_encode_trace(&t, &out, &outlen);
	wire_trace_free(&t);
	reply_content(rq, encoded, out, outlen);
}

static void
get_trace_cylinder(const struct request *rq)
{
	trace("cylinder", "serial", rq);
}

static void
get_trace_buyer(const struct request *rq)
{
	trace("buyer", "id", rq);
}

static void
get_trace_station(const struct request *rq)
{
	trace("station", "id", rq);
}

/* GET /trace/curve?fill=UUID: one fill's weight curve, audited like the
 * traces. */
static void
get_trace_curve(const struct request *rq)
{
	const char *identity = rq->who->identity;
	char err[256], fill[WIRE_UUID];
	struct wire_curve curve;
	uint8_t *out;
	size_t outlen;
	int rc;

	if (query_get(rq->query, "fill", fill, sizeof(fill)) != 0 || fill[0] == '\0') {
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST, "need fill=UUID");
		return;
	}
	rc = county_curve(&S.cdb, rq->audit_as, fill, &curve, err, sizeof(err));
	if (rc == -1) {
		log_warnx("trace curve: %s", err);
		reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
		return;
	}
	log_info("%s: trace curve %s: %s", identity, fill, rc == 1 ? "sent" : "none held");
	if (rc == 0) {
		reply_text(rq->response, COAP_RESPONSE_CODE_NOT_FOUND,
		    "no curve held for that fill");
		return;
	}
	rc = wire_encode_curve(&curve, &out, &outlen);
	wire_curve_free(&curve);
	reply_content(rq, rc, out, outlen);
}

static void
get_stations(const struct request *rq)
{
	char err[256];
	struct wire_station_list list;
	uint8_t *out;
	size_t outlen;
	int encoded;

	if (county_stations(&S.cdb, rq->audit_as, &list, err, sizeof(err)) == -1) {
		log_warnx("stations: %s", err);
		reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
		return;
	}
	encoded = wire_encode_stations(&list, &out, &outlen);
	wire_stations_free(&list);
	reply_content(rq, encoded, out, outlen);
}

/* GET /registry/history?serial=S: every change of a cylinder's registry row
 * (histwire.h), audited like a trace. */
#define HISTORY_MAX 2000
static void
get_history(const struct request *rq)
{
	static struct history_row rows[HISTORY_MAX + 1]; /* one request at a time */
	char err[256], serial[CODE_SERIAL_MAX + 1];
	uint8_t *out;
	size_t n, outlen;
	int more;
	int encoded;

	if (query_get(rq->query, "serial", serial, sizeof(serial)) != 0 ||
	    !code_serial_valid(serial)) {
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST, "need serial=SERIAL");
		return;
	}
	if (county_registry_history(&S.cdb, rq->audit_as, serial, rows, HISTORY_MAX, &n, &more, err,
	        sizeof(err)) == -1) {
		log_warnx("registry history: %s", err);
		reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
		return;
	}
	log_info("%s: registry history %s: %zu changes", rq->who->identity, serial, n);
	encoded = histwire_encode(serial, rows, n, more, &out, &outlen);
	reply_content(rq, encoded, out, outlen);
}

/* ---- cases (cases.h): handlers ------------------------------------------------ */

/* Reply to an enum cases_result that is not CASES_DONE. */
static void
reply_case_result(coap_pdu_t *response, enum cases_result res, const char *what, const char *err)
{
	switch (res) {
	case CASES_NOT_FOUND:
		reply_text(response, COAP_RESPONSE_CODE_NOT_FOUND, "no such case");
		break;
	case CASES_OUT_OF_SCOPE:
		reply_text(response, COAP_RESPONSE_CODE_FORBIDDEN, "case of another township");
		break;
	case CASES_REFUSED:
		reply_text(response, COAP_RESPONSE_CODE_BAD_REQUEST, err);
		break;
	case CASES_RID_REUSED: /* the key of another request: this one is not a resend */
		reply_text(response, COAP_RESPONSE_CODE_CONFLICT, err);
		break;
	case CASES_TOO_MANY: /* RFC 8516: the same request may be taken later */
	case CASES_DAY_BOUND:
		reply_text(response, COAP_RESPONSE_CODE_TOO_MANY_REQUESTS, err);
		break;
	default:
		log_warnx("%s: %s", what, err);
		reply_text(response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
		break;
	}
}

/* The request's Content-Format (none: CBOR). */
static unsigned
body_format(const coap_pdu_t *request)
{
	coap_opt_iterator_t it;
	coap_opt_t *opt = coap_check_option(request, COAP_OPTION_CONTENT_FORMAT, &it);

	return opt == NULL ? COAP_MEDIATYPE_APPLICATION_CBOR
	                   : coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt));
}

/* The request body (CBOR, or JSON when it says so: the dispatcher let
 * only those through) as a case request; 4.00 answered when it is not one. */
static int
case_body(const struct request *rq, struct case_request *cr)
{
	const uint8_t *data;
	size_t len;
	char err[200];
	int rc;

	if (body(rq->pdu, &data, &len) != 0) {
		memset(cr, 0, sizeof(*cr));
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST, "no body");
		return -1;
	}
	if (body_format(rq->pdu) == COAP_MEDIATYPE_APPLICATION_JSON)
		rc = casemsg_decode_json(data, len, cr, err, sizeof(err));
	else
		rc = casemsg_decode(data, len, cr, err, sizeof(err));
	if (rc == -1) {
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST, err);
		return -1;
	}
	return 0;
}

static int
query_id(const coap_string_t *query, int64_t *id)
{
	char text[24], *end;

	if (query_get(query, "id", text, sizeof(text)) != 0)
		return -1;
	*id = strtoll(text, &end, 10);
	return end != text && *end == '\0' && *id > 0 ? 0 : -1;
}

static void
list_cases(enum cases_view view, const struct request *rq)
{
	char err[256], text[16];
	coap_opt_iterator_t it;
	size_t max = 500;
	uint8_t *out;
	size_t len;
	int got;

	got = query_get(rq->query, "view", text, sizeof(text));
	if (got == -2 || (got == 0 && cases_view_parse(text, &view) == -1)) {
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST,
		    "view is open, mine, all or overdue");
		return;
	}
	/* Observe says only "a case changed": the client fetches the list */
	if (coap_check_option(rq->pdu, COAP_OPTION_OBSERVE, &it) != NULL)
		max = 0;
	if (cases_list(&S.cdb, rq->scope, rq->who->identity, view, time_wall_ms(), max, &out, &len,
	        err, sizeof(err)) == -1) {
		log_warnx("cases: %s", err);
		reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
		return;
	}
	reply_body(rq, COAP_RESPONSE_CODE_CONTENT, out, len);
}

static void
get_cases(const struct request *rq)
{
	list_cases(CASES_VIEW_OPEN, rq);
}

static void
get_cases_overdue(const struct request *rq)
{
	list_cases(CASES_VIEW_OVERDUE, rq);
}

static void
get_case(const struct request *rq)
{
	enum cases_result res;
	char err[256];
	uint8_t *out;
	size_t len;
	int64_t id;

	if (query_id(rq->query, &id) == -1) {
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST, "need id=N");
		return;
	}
	/* with what the officer needs to act: the one function the console uses too */
	res = casedetail_get(&S.cdb, rq->scope, rq->who, id, time_wall_ms(), &out, &len, err,
	    sizeof(err));
	if (res != CASES_DONE) {
		reply_case_result(rq->response, res, "case", err);
		return;
	}
	reply_body(rq, COAP_RESPONSE_CODE_CONTENT, out, len);
}

static void
get_case_evidence(const struct request *rq)
{
	char err[256], hash[72], type[80];
	enum cases_result res;
	uint8_t *data, *out = NULL;
	size_t len, outlen = 0, size = 0;
	cbor_item_t *m;
	int64_t id;

	if (query_id(rq->query, &id) == -1 ||
	    query_get(rq->query, "hash", hash, sizeof(hash)) != 0) {
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST, "need id=N&hash=SHA256");
		return;
	}
	res = cases_evidence(&S.cdb, rq->scope, id, hash, &data, &len, type, sizeof(type), err,
	    sizeof(err));
	if (res == CASES_NOT_FOUND) {
		reply_text(rq->response, COAP_RESPONSE_CODE_NOT_FOUND, "no such case or evidence");
		return;
	}
	if (res != CASES_DONE) {
		reply_case_result(rq->response, res, "evidence", err);
		return;
	}
	if ((m = cbor_new_definite_map(2)) != NULL &&
	    cbor_map_add(m, (struct cbor_pair){ .key = cbor_move(cbor_build_string("type")),
	                        .value = cbor_move(cbor_build_string(type)) }) &&
	    cbor_map_add(m, (struct cbor_pair){ .key = cbor_move(cbor_build_string("data")),
	                        .value = cbor_move(cbor_build_bytestring(data, len)) }))
		outlen = cbor_serialize_alloc(m, &out, &size);
	if (m != NULL)
		cbor_decref(&m);
	free(data);
	if (out == NULL || outlen == 0) {
		free(out);
		reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
		return;
	}
	reply_body(rq, COAP_RESPONSE_CODE_CONTENT, out, outlen);
}

static void
post_case_step(const struct request *rq)
{
	struct case_request cr;
	enum cases_result res;
	char err[256];

	if (case_body(rq, &cr) == -1)
		return;
	res = cases_step(&S.cdb, &S.catalogue, rq->scope, rq->who->identity, &cr, time_wall_ms(),
	    err, sizeof(err));
	if (res == CASES_DONE) {
		log_info("%s: case %lld: %s", rq->who->identity, (long long)cr.id, cr.step);
		reply_text(rq->response, COAP_RESPONSE_CODE_CHANGED, NULL);
		notify_cases();
	} else {
		/* the answer's reason is fixed text for clients to know; the log keeps
		 * the request's values */
		if (res == CASES_REFUSED && CASEMSG_HAS(&cr, CASEMSG_DATA))
			log_info("%s: case %lld: %s refused: %s (evidence of %zu bytes, at most %d "
			         "KiB)",
			    rq->who->identity, (long long)cr.id, cr.step, err, cr.data_len,
			    S.config.evidence_max_kb);
		else if (res == CASES_REFUSED)
			log_info("%s: case %lld: %s refused: %s", rq->who->identity,
			    (long long)cr.id, cr.step, err);
		reply_case_result(rq->response, res, "case step", err);
	}
	casemsg_free(&cr);
}

static void
post_case_report(const struct request *rq)
{
	struct case_request cr;
	enum cases_result res;
	char err[256], answer[96];
	int64_t id = 0;

	if (case_body(rq, &cr) == -1)
		return;
	res = cases_report(&S.cdb, &S.catalogue, rq->who->identity, &cr, time_wall_ms(), &id, err,
	    sizeof(err));
	if (res == CASES_DONE) {
		log_info("%s: report: case %lld for %s", rq->who->identity, (long long)id,
		    catalogue_township_of(&S.catalogue, cr.village));
		/* the new case's id, as text: the one thing the reporter needs */
		snprintf(answer, sizeof(answer), "%lld", (long long)id);
		reply_text(rq->response, COAP_RESPONSE_CODE_CREATED, answer);
		notify_cases();
	} else {
		reply_case_result(rq->response, res, "report", err);
	}
	casemsg_free(&cr);
}

static void
post_case_reassign(const struct request *rq)
{
	struct case_request cr;
	enum cases_result res;
	char err[256];

	if (case_body(rq, &cr) == -1)
		return;
	res = cases_reassign(&S.cdb, &S.catalogue, rq->who->identity, &cr, time_wall_ms(), err,
	    sizeof(err));
	if (res == CASES_DONE) {
		log_info("%s: case %lld reassigned to %s", rq->who->identity, (long long)cr.id,
		    cr.township);
		reply_text(rq->response, COAP_RESPONSE_CODE_CHANGED, NULL);
		notify_cases();
	} else {
		if (res == CASES_REFUSED) /* the answer's reason is fixed text: the values here */
			log_info("%s: case %lld: reassignment to %s refused: %s", rq->who->identity,
			    (long long)cr.id, cr.township, err);
		reply_case_result(rq->response, res, "reassign", err);
	}
	casemsg_free(&cr);
}

static void
get_case_figures(const struct request *rq)
{
	int64_t now = time_wall_ms(), from, to;
	char err[256];
	uint8_t *out;
	size_t len;

	if (query_time(rq->query, "from", 0, now - 30LL * 86400000, &from) == -1 ||
	    query_time(rq->query, "to", 1, now, &to) == -1) {
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST,
		    "from= and to= are ms or ISO 8601 times");
		return;
	}
	if (to < from) {
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST,
		    "the period ends before it begins");
		return;
	}
	if (cases_figures(&S.cdb, rq->scope, from, to, now, &out, &len, err, sizeof(err)) == -1) {
		log_warnx("figures: %s", err);
		reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
		return;
	}
	reply_body(rq, COAP_RESPONSE_CODE_CONTENT, out, len);
}

/* The county's figures over whole local days (figures.h). */
static void
get_figures(const struct request *rq)
{
	char from[16] = "", to[16] = "", err[256];
	int64_t now = time_wall_ms(), from_ms, to_ms;
	struct figures f;
	uint8_t *out;
	size_t len;
	int encoded;

	if (query_get(rq->query, "from", from, sizeof(from)) == -2 ||
	    query_get(rq->query, "to", to, sizeof(to)) == -2 ||
	    figures_period(from, to, now, &from_ms, &to_ms, err, sizeof(err)) == -1) {
		reply_text(rq->response, COAP_RESPONSE_CODE_BAD_REQUEST,
		    "from= and to= are days YYYY-MM-DD, at most 366 of them");
		return;
	}
	if (figures_compute(&S.cdb, rq->scope, from_ms, to_ms, now, &f, err, sizeof(err)) == -1) {
		log_warnx("figures: %s", err);
		reply_text(rq->response, COAP_RESPONSE_CODE_INTERNAL_ERROR, NULL);
		return;
	}
	encoded = figures_encode(&f, &out, &len);
	figures_free(&f);
	reply_content(rq, encoded, out, len);
}

static void
get_case_catalogue(const struct request *rq)
{
	uint8_t *out;
	size_t len;
	int encoded;

	encoded = catalogue_encode(&S.catalogue, &out, &len);
	reply_content(rq, encoded, out, len);
}

/* ---- the resource table ---------------------------------------------------------- */

/* Formats an answer body may be asked for in (Accept). */
#define ANSWER_CBOR 0x1u
#define ANSWER_JSON 0x2u

/*
 * One row per method and path.  Who may call it, how far (own tenant or
 * the whole county) and whether it is audited come from the row's action
 * in access.c; the rest is here.  docs/protocol.md carries this table as
 * `gascounty --resources` prints it, and t_tenants walks it cell by cell.
 */
struct resource {
	coap_request_t method;
	const char *path;
	enum access_action action;
	void (*handler)(const struct request *rq);
	unsigned
	    answers;    /* ANSWER_*: an Accept outside them is 4.06; 0: no body, Accept not read */
	int observable; /* GET with Observe: "something new" only (docs/protocol.md) */
	int json_body;  /* 1: the body may be JSON (Content-Format 50) as well as CBOR */
	const char *keys; /* the query keys it takes, by spaces; any other is 4.00 */
	const char *query, *body, *answer; /* as docs/protocol.md shows them */
};

/* the limit the /cases/step answer below names */
_Static_assert(CASES_NOTES_PER_HOUR == 60, "say the new limit in cases/step's answer");

static const struct resource resources[] = {
	{ .method = COAP_REQUEST_POST,
	    .path = "records",
	    .keys = "",
	    .action = ACCESS_RECORDS_WRITE,
	    .handler = post_records,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .query = "",
	    .body = "batch",
	    .answer =
	        "2.04 + ack, 4.00 (what cannot be true, named), 5.03 (over `records_day_max`, or a delivery device's batch whose first new event is its 25th of one cylinder in 24 hours, until the time named: send again later; one found further on ends the batch there, the records before it stored and answered by the ack's `hwm`)" },
	{ .method = COAP_REQUEST_POST,
	    .path = "heartbeat",
	    .keys = "",
	    .action = ACCESS_HEARTBEAT_WRITE,
	    .handler = post_heartbeat,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .query = "",
	    .body = "heartbeat",
	    .answer = "2.04 + ack (the station's mark and `held`; `stored`, `dup` 0)" },
	{ .method = COAP_REQUEST_GET,
	    .path = "registry",
	    .keys = "since",
	    .action = ACCESS_REGISTRY_READ,
	    .handler = get_registry,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .query = "`since=V`",
	    .body = "",
	    .answer = "2.05 + registry delta" },
	{ .method = COAP_REQUEST_GET,
	    .path = "alerts",
	    .keys = "since",
	    .action = ACCESS_ALERTS_READ,
	    .handler = get_alerts,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .observable = 1,
	    .query = "`since=N`",
	    .body = "",
	    .answer = "2.05 + alert list" },
	{ .method = COAP_REQUEST_GET,
	    .path = "alerts/county",
	    .keys = "since",
	    .action = ACCESS_QUEUE_READ,
	    .handler = get_county_alerts,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .query = "`since=N`",
	    .body = "",
	    .answer = "2.05 + alert list (township `county`: C06)" },
	{ .method = COAP_REQUEST_POST,
	    .path = "alerts/ack",
	    .keys = "",
	    .action = ACCESS_ALERTS_DISPOSE,
	    .handler = post_ack,
	    .query = "",
	    .body = "disposition",
	    .answer =
	        "2.04, 4.04, 4.03 (another township's alert), 4.00 (a note that is not UTF-8 text or holds an ID number), 4.29 (the key's `person_writes_day_max` in 24 hours reached)" },
	{ .method = COAP_REQUEST_GET,
	    .path = "trace/cylinder",
	    .keys = "serial from to after",
	    .action = ACCESS_TRACE_READ,
	    .handler = get_trace_cylinder,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .query = "`serial=S[&from=T&to=T][&after=C]`",
	    .body = "",
	    .answer = "2.05 + trace" },
	{ .method = COAP_REQUEST_GET,
	    .path = "trace/buyer",
	    .keys = "id from to after",
	    .action = ACCESS_TRACE_READ,
	    .handler = get_trace_buyer,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .query = "`id=HEX[&from=T&to=T][&after=C]`",
	    .body = "",
	    .answer = "2.05 + trace" },
	{ .method = COAP_REQUEST_GET,
	    .path = "trace/station",
	    .keys = "id from to after",
	    .action = ACCESS_TRACE_READ,
	    .handler = get_trace_station,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .query = "`id=ID[&from=T&to=T][&after=C]`",
	    .body = "",
	    .answer = "2.05 + trace, 4.04 (no such station known to the county)" },
	{ .method = COAP_REQUEST_GET,
	    .path = "trace/curve",
	    .keys = "fill",
	    .action = ACCESS_TRACE_READ,
	    .handler = get_trace_curve,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .query = "`fill=UUID`",
	    .body = "",
	    .answer = "2.05 + curve, 4.04 if none held" },
	{ .method = COAP_REQUEST_GET,
	    .path = "stations",
	    .keys = "",
	    .action = ACCESS_STATIONS_READ,
	    .handler = get_stations,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .query = "",
	    .body = "",
	    .answer = "2.05 + station list" },
	{ .method = COAP_REQUEST_GET,
	    .path = "cases",
	    .keys = "view",
	    .action = ACCESS_CASES_READ,
	    .handler = get_cases,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .observable = 1,
	    .query = "`[view=V]`: open (default), mine, all, overdue",
	    .body = "",
	    .answer = "2.05 + case list" },
	{ .method = COAP_REQUEST_GET,
	    .path = "cases/show",
	    .keys = "id",
	    .action = ACCESS_CASES_READ,
	    .handler = get_case,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .query = "`id=N`",
	    .body = "",
	    .answer = "2.05 + case with timeline, 4.04, 4.03" },
	{ .method = COAP_REQUEST_GET,
	    .path = "cases/evidence",
	    .keys = "id hash",
	    .action = ACCESS_CASES_READ,
	    .handler = get_case_evidence,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .query = "`id=N&hash=SHA256`",
	    .body = "",
	    .answer = "2.05 + evidence file, 4.04, 4.03" },
	{ .method = COAP_REQUEST_GET,
	    .path = "cases/catalogue",
	    .keys = "",
	    .action = ACCESS_CASES_READ,
	    .handler = get_case_catalogue,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .query = "",
	    .body = "",
	    .answer = "2.05 + outcomes, penalty powers, report kinds, deadlines" },
	{ .method = COAP_REQUEST_POST,
	    .path = "cases/step",
	    .keys = "",
	    .action = ACCESS_CASES_ACT,
	    .handler = post_case_step,
	    .json_body = 1,
	    .query = "",
	    .body = "case step",
	    .answer =
	        "2.04, 4.00 (refused, with why), 4.04, 4.03, 4.09 (its `rid` already the key of another request of the person's), 4.29 (a comment or attach past "
	        "the 60 of the person's on the case in the last hour, or the person's "
	        "`person_writes_day_max` steps or `person_evidence_day_mb` of evidence in 24 "
	        "hours reached)" },
	{ .method = COAP_REQUEST_POST,
	    .path = "cases/report",
	    .keys = "",
	    .action = ACCESS_CASES_REPORT,
	    .handler = post_case_report,
	    .json_body = 1,
	    .query = "",
	    .body = "report",
	    .answer =
	        "2.01 + the case id, 4.00 (unknown kind or village, a place in no township...), 4.09 (its `rid` already the key of another request of the person's), 4.29 (more than `report_max_per_hour` reports from the person in the last hour, or its `person_writes_day_max` or `person_evidence_day_mb` in 24 hours reached)" },
	{ .method = COAP_REQUEST_POST,
	    .path = "cases/reassign",
	    .keys = "",
	    .action = ACCESS_CASES_REASSIGN,
	    .handler = post_case_reassign,
	    .json_body = 1,
	    .query = "",
	    .body = "reassignment",
	    .answer =
	        "2.04, 4.00, 4.04, 4.09 (its `rid` already the key of another request of the person's), 4.29 (the person's `person_writes_day_max` in 24 hours reached)" },
	{ .method = COAP_REQUEST_GET,
	    .path = "cases/overdue",
	    .keys = "",
	    .action = ACCESS_CASES_OVERDUE,
	    .handler = get_cases_overdue,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .query = "",
	    .body = "",
	    .answer = "2.05 + case list" },
	{ .method = COAP_REQUEST_GET,
	    .path = "cases/figures",
	    .keys = "from to",
	    .action = ACCESS_CASES_FIGURES,
	    .handler = get_case_figures,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .query = "`[from=T&to=T]`",
	    .body = "",
	    .answer = "2.05 + figures per township" },
	{ .method = COAP_REQUEST_GET,
	    .path = "figures",
	    .keys = "from to",
	    .action = ACCESS_FIGURES_READ,
	    .handler = get_figures,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .query = "`[from=DAY&to=DAY]` (local days; default the last 30)",
	    .body = "",
	    .answer = "2.05 + figures" },
	{ .method = COAP_REQUEST_GET,
	    .path = "registry/history",
	    .keys = "serial",
	    .action = ACCESS_HISTORY_READ,
	    .handler = get_history,
	    .answers = ANSWER_CBOR | ANSWER_JSON,
	    .query = "`serial=S`",
	    .body = "",
	    .answer = "2.05 + registry history" },
	{ .path = NULL },
};

/* The row of resource for a request's method; NULL if there is none. */
static const struct resource *
resource_row(coap_resource_t *resource, coap_pdu_code_t code)
{
	const coap_str_const_t *path = coap_resource_get_uri_path(resource);
	const struct resource *row;

	for (row = resources; path != NULL && row->path != NULL; row++)
		if ((coap_pdu_code_t)row->method == code && strlen(row->path) == path->length &&
		    memcmp(row->path, path->s, path->length) == 0)
			return row;
	return NULL;
}

static int
answer_acceptable(const struct resource *row, const coap_pdu_t *request)
{
	int accept = request_accept(request);

	if (row->answers == 0)
		return 1;
	return (accept == COAP_MEDIATYPE_APPLICATION_CBOR && (row->answers & ANSWER_CBOR)) ||
	       (accept == COAP_MEDIATYPE_APPLICATION_JSON && (row->answers & ANSWER_JSON));
}

/* Every body a station sends is CBOR, and a case request CBOR or JSON
 * (json_body): a request that names another Content-Format is refused
 * before its handler reads (or stores) anything.  No option means CBOR. */
static int
body_acceptable(const struct resource *row, const coap_pdu_t *request)
{
	unsigned format = body_format(request);

	return format == COAP_MEDIATYPE_APPLICATION_CBOR ||
	       (row->json_body && format == COAP_MEDIATYPE_APPLICATION_JSON);
}

/*
 * Every key of a request's query must be one its row takes, and once: a key
 * a resource ignored made each request new to libcoap, which keeps a large
 * answer (held_allowed) and an observer (observe_allowed) per query.  Empty
 * parts ("a=1&&b=2") are passed over.  0, or -1 with the 4.00's text.
 */
static int
query_acceptable(const struct resource *row, const coap_string_t *query, char *why, size_t size)
{
	const char *p, *end, *amp, *eq, *w, *q, *qamp;
	const char *keys = row->keys != NULL ? row->keys : ""; /* a row without: none */
	char shown[40];
	size_t klen, wlen;

	if (query == NULL)
		return 0;
	end = (const char *)query->s + query->length;
	for (p = (const char *)query->s; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (amp == p)
			continue;
		eq = memchr(p, '=', (size_t)(amp - p));
		klen = (size_t)((eq != NULL ? eq : amp) - p);
		printable((const uint8_t *)p, klen < 32 ? klen : 32, shown, sizeof(shown));
		for (w = keys; *w != '\0'; w += wlen) {
			w += strspn(w, " ");
			wlen = strcspn(w, " ");
			if (wlen == klen && memcmp(w, p, klen) == 0)
				break;
		}
		if (*w == '\0') {
			snprintf(why, size, "unknown query key '%s': /%s takes %s", shown,
			    row->path, keys[0] != '\0' ? keys : "no query");
			return -1;
		}
		if (eq == NULL) {
			snprintf(why, size, "query key '%s' without a value", shown);
			return -1;
		}
		for (q = (const char *)query->s; q < p; q = qamp + 1) {
			qamp = memchr(q, '&', (size_t)(p - q));
			if ((size_t)(qamp - q) > klen && q[klen] == '=' &&
			    memcmp(q, p, klen) == 0) {
				snprintf(why, size, "query key '%s' given twice", shown);
				return -1;
			}
		}
	}
	return 0;
}

static int
observe_registration(const coap_pdu_t *request)
{
	coap_opt_iterator_t it;
	coap_opt_t *opt = coap_check_option(request, COAP_OPTION_OBSERVE, &it);

	return opt != NULL && coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt)) ==
	                          COAP_OBSERVE_ESTABLISH;
}

/*
 * Observers.  libcoap 4.3.1 keeps one observer per session and distinct
 * request (its cache key: every option but ETag, the query and any
 * elective option a client makes up included), and runs the handler for
 * each one at every notification.  gascounty keeps the keys each session
 * registered (a SHA-256 of what libcoap's key is made of) and refuses a new one past
 * OBSERVE_PER_SESSION on the session or OBSERVE_PER_IDENTITY over the
 * identity's open sessions, with 4.29.  A session's keys are forgotten when
 * libcoap deletes the session (on_event).
 */
#define OBSERVE_PER_SESSION 8
#define OBSERVE_PER_IDENTITY 64

struct observing {
	struct observing *next;
	uintptr_t session; /* session_number() */
	size_t n;
	uint8_t keys[OBSERVE_PER_SESSION][32];
	char identity[ACCESS_MAX_IDENTITY];
};

static struct {
	struct observing *sessions;
	int64_t told_ms; /* a refusal logged at info at most once a minute */
} O;

static void
observing_forget(coap_session_t *session)
{
	uintptr_t n = (uintptr_t)coap_session_get_app_data(session);
	struct observing **pp, *o;

	for (pp = &O.sessions; n != 0 && *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->session == n) {
			o = *pp;
			*pp = o->next;
			free(o);
			return;
		}
}

/* What libcoap 4.3.1's observer key is made of (coap_cache_derive_key_w_ignore
 * with ETag ignored): every option but ETag and the NoCacheKey ones, number
 * and value.  The session is ours already.  0, or -1. */
static int
observe_key(const coap_pdu_t *request, uint8_t key[32])
{
	coap_opt_iterator_t it;
	coap_opt_t *opt;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok;

	ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	     coap_option_iterator_init(request, &it, COAP_OPT_ALL) != NULL;
	while (ok && (opt = coap_option_next(&it)) != NULL) {
		if (it.number == COAP_OPTION_ETAG || (it.number & 0x1e) == 0x1c)
			continue;
		ok = EVP_DigestUpdate(md, &it.number, sizeof(it.number)) == 1 &&
		     EVP_DigestUpdate(md, coap_opt_value(opt), coap_opt_length(opt)) == 1;
	}
	ok = ok && EVP_DigestFinal_ex(md, key, NULL) == 1;
	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

/* 0 if the registration may be kept (a key the session has, or a new one
 * within the bounds); -1 if not. */
static int
observe_allowed(coap_session_t *session, const char *identity, const coap_pdu_t *request)
{
	uintptr_t number = session_number(session);
	struct observing *o, *mine = NULL;
	uint8_t key[32];
	size_t i, theirs = 0;

	if (observe_key(request, key) == -1)
		return -1;
	for (o = O.sessions; o != NULL && mine == NULL; o = o->next)
		if (o->session == number)
			mine = o;
	/* a registration made again, and every notification, end here */
	for (i = 0; mine != NULL && i < mine->n; i++)
		if (memcmp(mine->keys[i], key, sizeof(key)) == 0)
			return 0;
	for (o = O.sessions; o != NULL; o = o->next)
		if (strcmp(o->identity, identity) == 0)
			theirs += o->n;
	if ((mine != NULL && mine->n >= OBSERVE_PER_SESSION) || theirs >= OBSERVE_PER_IDENTITY) {
		if (O.told_ms == 0 || time_mono_ms() - O.told_ms >= 60000) {
			O.told_ms = time_mono_ms();
			log_info(
			    "%s: Observe registration refused: %zu on its session (at most %d), "
			    "%zu for the identity (at most %d)",
			    identity, mine != NULL ? mine->n : 0, OBSERVE_PER_SESSION, theirs,
			    OBSERVE_PER_IDENTITY);
		}
		return -1;
	}
	if (mine == NULL) {
		if ((mine = calloc(1, sizeof(*mine))) == NULL)
			return -1;
		mine->session = number;
		str_copy(mine->identity, identity, sizeof(mine->identity));
		mine->next = O.sessions;
		O.sessions = mine;
	}
	memcpy(mine->keys[mine->n++], key, sizeof(key));
	return 0;
}

/*
 * Every request of every row comes here.  The caller is decided by access
 * from the session's identity and the row's action before the handler
 * runs, and an Accept the answer cannot meet, or a body in another format
 * than CBOR, is refused before anything is done, so that a refused request
 * never stored anything.
 */
static void
dispatch(coap_resource_t *resource, coap_session_t *session, const coap_pdu_t *request,
    const coap_string_t *query, coap_pdu_t *response)
{
	const struct resource *row = resource_row(resource, coap_pdu_get_code(request));
	struct access_identity who;
	struct access_scope scope;
	struct request rq;
	char refusal[80], why[160];

	if (row == NULL) {
		/* libcoap calls us only for the methods a row registered */
		reply_text(response, COAP_RESPONSE_CODE_NOT_ALLOWED, NULL);
		return;
	}
	caller(session, &who); /* on failure who is role none: refused below */
	if (!access_decide(&who, row->action, &scope)) {
		access_refusal(row->action, refusal, sizeof(refusal));
		reply_text(response, COAP_RESPONSE_CODE_FORBIDDEN, refusal);
		return;
	}
	if (!answer_acceptable(row, request)) {
		reply_text(response, COAP_RESPONSE_CODE_NOT_ACCEPTABLE, "CBOR (60) or JSON (50)");
		return;
	}
	if (!body_acceptable(row, request)) {
		reply_text(response, COAP_RESPONSE_CODE_UNSUPPORTED_CONTENT_FORMAT,
		    row->json_body ? "CBOR (60) or JSON (50)" : "CBOR (60)");
		return;
	}
	if (query_acceptable(row, query, why, sizeof(why)) == -1) {
		reply_text(response, COAP_RESPONSE_CODE_BAD_REQUEST, why);
		return;
	}
	if (row->observable && observe_registration(request)) {
		/* "something new" only: the client fetches since=N after it */
		if (query_get(query, "since", why, sizeof(why)) != -1) {
			reply_text(response, COAP_RESPONSE_CODE_BAD_REQUEST,
			    "since= is not taken with Observe: fetch since=N after a notification");
			return;
		}
		if (observe_allowed(session, who.identity, request) == -1) {
			reply_text(response, COAP_RESPONSE_CODE_TOO_MANY_REQUESTS,
			    "too many Observe registrations on this session or identity");
			return;
		}
	}
	rq = (struct request){ .resource = resource,
		.session = session,
		.pdu = request,
		.query = query,
		.response = response,
		.row = row,
		.who = &who,
		.scope = &scope,
		.audit_as = access_audited(row->action) ? who.identity : NULL };
	row->handler(&rq);
}

/* Register every row with libcoap: one resource per path, dispatch for each method. */
static void
add_resources(void)
{
	const struct resource *row;
	coap_resource_t *r;

	for (row = resources; row->path != NULL; row++) {
		r = coap_get_resource_from_uri_path(S.ctx, coap_make_str_const(row->path));
		if (r == NULL) {
			if ((r = coap_resource_init(coap_make_str_const(row->path), 0)) == NULL)
				fatalx("cannot create resource %s", row->path);
			coap_add_resource(S.ctx, r);
		}
		coap_register_request_handler(r, row->method, dispatch);
		if (row->observable)
			coap_resource_set_get_observable(r, 1);
	}
	S.alerts = coap_get_resource_from_uri_path(S.ctx, coap_make_str_const("alerts"));
	S.cases = coap_get_resource_from_uri_path(S.ctx, coap_make_str_const("cases"));
}

static const char *
method_name(coap_request_t method)
{
	switch (method) {
	case COAP_REQUEST_GET:
		return "GET";
	case COAP_REQUEST_POST:
		return "POST";
	case COAP_REQUEST_PUT:
		return "PUT";
	case COAP_REQUEST_DELETE:
		return "DELETE";
	default:
		return "?";
	}
}

void
county_resources_markdown(FILE *f)
{
	static const char *const reach[] = { [ACCESS_REACH_NO] = "no",
		[ACCESS_REACH_OWN] = "own",
		[ACCESS_REACH_ALL] = "all" };
	const struct resource *row;
	int role;

	fprintf(f, "| method | path | query | request body | answer | Accept |\n"
	           "|---|---|---|---|---|---|\n");
	for (row = resources; row->path != NULL; row++)
		fprintf(f, "| %s%s | `/%s` | %s | %s%s | %s | %s%s%s |\n", method_name(row->method),
		    row->observable ? " (Observe)" : "", row->path, row->query, row->body,
		    row->json_body ? " (CBOR, or JSON)" : "", row->answer,
		    (row->answers & ANSWER_CBOR) ? "CBOR" : "",
		    row->answers == (ANSWER_CBOR | ANSWER_JSON) ? ", " : "",
		    (row->answers & ANSWER_JSON) ? "JSON" : "");
	fprintf(f, "\n| method | path |");
	for (role = ACCESS_ROLE_NONE + 1; role < ACCESS_ROLE_COUNT; role++)
		fprintf(f, " %s |", access_role_name((enum access_role)role));
	fprintf(f, " audited |\n|---|---|");
	for (role = ACCESS_ROLE_NONE + 1; role < ACCESS_ROLE_COUNT; role++)
		fprintf(f, "---|");
	fprintf(f, "---|\n");
	for (row = resources; row->path != NULL; row++) {
		fprintf(f, "| %s | `/%s` |", method_name(row->method), row->path);
		for (role = ACCESS_ROLE_NONE + 1; role < ACCESS_ROLE_COUNT; role++)
			fprintf(f, " %s |",
			    reach[access_reach_of(row->action, (enum access_role)role)]);
		fprintf(f, " %s |\n", access_audited(row->action) ? "yes" : "no");
	}
}

/* ---- setup and loop ------------------------------------------------------------ */

/* Every sweep: alerts a crash left without a case, the buyers' addresses no case needs any
 * more (after those alerts are in their cases: buyeraddr.h), then deadlines. */
static void
sweep_cases(void)
{
	char err[256];
	int escalated, erased;

	alerts_to_cases();
	/* a count only: never an address in the log */
	if (buyeraddr_expire(&S.cdb, S.config.address_keep_days, time_wall_ms(), &erased, err,
	        sizeof(err)) == -1)
		log_warnx("buyer addresses: %s", err);
	else if (erased > 0)
		log_info("%d buyer address(es) erased after their keep time (address_keep_days %d)",
		    erased, S.config.address_keep_days);
	if (cases_escalate(&S.cdb, time_wall_ms(), &escalated, err, sizeof(err)) == -1) {
		log_warnx("escalate: %s", err);
		return;
	}
	if (escalated > 0) {
		log_warnx("%d case(s) past their deadline escalated to the county", escalated);
		notify_cases();
	}
}

/* libcoap's session events; the door counts half-open sessions from them */
static int
on_event(coap_session_t *session, const coap_event_t event)
{
	door_event(&S.door, session, event);
	if (event == COAP_EVENT_SERVER_SESSION_DEL)
		observing_forget(session);
	return 0;
}

/*
 * Put the per-address handshake limit in front of the endpoint just
 * created.  Without it gascounty still serves, as before, and says so.
 */
static void
open_door(const coap_address_t *bound)
{
	size_t capacity = (size_t)S.config.max_handshakes * 4;
	char err[160];

	if (S.config.handshakes_per_address == 0) {
		log_info("handshakes_per_address = 0: libcoap alone limits handshakes");
		return;
	}
	if (S.config.handshakes_per_address * 2 > S.config.max_handshakes)
		log_warnx("handshakes_per_address %d is over half of max_handshakes %d: two "
		          "flooding addresses can take every handshake slot",
		    S.config.handshakes_per_address, S.config.max_handshakes);
	if (door_open(&S.door, S.ctx, bound, S.config.handshakes_per_address,
	        S.config.max_handshakes, capacity < 64 ? 64 : capacity, err, sizeof(err)) == -1)
		log_warnx("no per-address handshake limit: %s", err);
}

static int
load_keys(void)
{
	struct psk_table fresh;
	char err[256];

	if (psk_load_identities(S.config.identities, &fresh, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	psk_table_free(&S.keys);
	S.keys = fresh;
	log_info("%zu identities from %s", S.keys.count, S.config.identities);
	return 0;
}

/*
 * The console's people (people.h) as keys holds them, written before keys
 * are put in force: a person removed from the identities file loses the
 * console (gasweb) when it loses CoAP.  0, or -1 with the log saying why.
 */
static int
write_people(const struct psk_table *keys, const char *identities)
{
	char err[256];
	int added = 0, removed = 0;

	if (people_write(S.cdb.db, keys, time_wall_ms(), &added, &removed, err, sizeof(err)) ==
	    -1) {
		log_warnx("the console's people from %s: %s", identities, err);
		return -1;
	}
	if (added > 0 || removed > 0)
		log_info("the console's people from %s: %d added, %d removed", identities, added,
		    removed);
	return 0;
}

/*
 * SIGHUP: read the configuration file and the identities file again and put
 * them in force together, or neither.  A file with any error, or identities
 * that do not load, leave the server exactly as it was (the log says why,
 * with FILE:LINE), so a bad edit never takes the county down or leaves it
 * half-changed.  Keys the running server cannot take up (CONF_RESTART in
 * the table: the socket, the database, the handshake door sized at start)
 * keep their value, each named with its line.  Everything
 * else is read where it is used (the rules, the sweep, traces), or handed
 * to libcoap here.
 */
static void
reload(void)
{
	struct conf_input input = { .path = S.config_path };
	struct conf_report notes, report;
	struct county_config fresh;
	struct psk_table keys;
	struct catalogue cat;
	char err[256];
	size_t i;

	memset(&fresh, 0, sizeof(fresh));
	if (S.config_path == NULL) {
		fresh = S.config;
		notes.count = 0;
	} else if (conf_reload(&input, county_config_sections, &S.config, &fresh, &notes,
	               &report) == -1) {
		for (i = 0; i < report.count; i++)
			log_warnx("%s", report.errors[i]);
		log_warnx("reload: %s does not load; the previous configuration and identities "
		          "stay in force",
		    S.config_path);
		return;
	}
	if (psk_load_identities(fresh.identities, &keys, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		log_warnx("reload: the previous configuration and identities stay in force");
		return;
	}
	if (catalogue_load_county(&fresh, &cat, err, sizeof(err)) == -1) {
		psk_table_free(&keys);
		log_warnx("%s", err);
		log_warnx("reload: the previous configuration, identities and catalogue stay in "
		          "force");
		return;
	}
	if (write_people(&keys, fresh.identities) == -1) {
		psk_table_free(&keys);
		catalogue_free(&cat);
		log_warnx("reload: the previous configuration, identities and catalogue stay in "
		          "force");
		return;
	}
	county_townships_check(&cat, &keys, fresh.identities);
	county_deadlines_check(&cat, fresh.deadlines);
	catalogue_free(&S.catalogue);
	S.catalogue = cat;
	for (i = 0; i < notes.count; i++)
		log_info("%s", notes.errors[i]);
	psk_table_free(&S.keys);
	S.keys = keys;
	S.config = fresh;
	coap_context_set_max_idle_sessions(S.ctx, (unsigned)S.config.max_idle);
	coap_context_set_session_timeout(S.ctx, (unsigned)S.config.idle_timeout_s);
	log_set_level(county_log_level(&S.config, S.verbose));
	log_info("reload: configuration from %s and %zu identities from %s in force",
	    S.config_path != NULL ? S.config_path : "(defaults)", S.keys.count,
	    S.config.identities);
}

int
county_serve(const struct county_config *config, const char *config_path, int verbose, sqlite3 *db)
{
	struct addrinfo hints, *res = NULL;
	coap_dtls_spsk_t psk;
	coap_address_t addr;
	char port[16], err[256];
	int64_t last_sweep = 0;
	int gai, alerts, swept = 0;

	memset(&S, 0, sizeof(S));
	S.door.fd = -1;
	S.config = *config;
	S.config_path = config_path;
	S.verbose = verbose;
	S.cdb.db = db;
	S.cdb.config = &S.config;
	S.cdb.identities = &S.keys; /* the townships of this county (a reload swaps it in place) */
	if (load_keys() == -1 || write_people(&S.keys, S.config.identities) == -1)
		return 1;
	if (catalogue_load_county(&S.config, &S.catalogue, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return 1;
	}
	county_townships_check(&S.catalogue, &S.keys, S.config.identities);
	county_deadlines_check(&S.catalogue, S.config.deadlines);
	if (S.catalogue.noutcomes == 0)
		log_warnx("no catalogue of outcomes (catalogue): cases cannot be decided");
	if (S.catalogue.nkinds == 0)
		log_warnx("no report kinds in the catalogue: grid workers' reports are refused");
	if (S.catalogue.code_key == NULL)
		log_warnx("no code_key: a delivery device's cylinder codes are not checked, and a "
		          "cylinder code in a grid worker's report is kept unchecked and names no "
		          "cylinder");

	if (daemon_signals_install() == -1)
		fatal("signals");

	coap_startup();
	if (getenv("GAS_COAP_DEBUG") != NULL) {
		coap_set_log_level(LOG_DEBUG);
		coap_dtls_set_log_level(LOG_DEBUG);
	}
	if (!coap_dtls_is_supported())
		fatalx("libcoap has no DTLS support");
	if ((S.ctx = coap_new_context(NULL)) == NULL)
		fatalx("cannot create a CoAP context");
	coap_context_set_block_mode(S.ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
	coap_context_set_max_handshake_sessions(S.ctx, (unsigned)config->max_handshakes);
	coap_context_set_max_idle_sessions(S.ctx, (unsigned)config->max_idle);
	coap_context_set_session_timeout(S.ctx, (unsigned)config->idle_timeout_s);
	coap_register_event_handler(S.ctx, on_event);

	/* The default key is random and never given out: a client whose
	 * identity the callback does not know cannot complete a handshake. */
	if (RAND_bytes(S.nobody_key, sizeof(S.nobody_key)) != 1)
		fatalx("no randomness");
	memset(&psk, 0, sizeof(psk));
	psk.version = COAP_DTLS_SPSK_SETUP_VERSION;
	psk.validate_id_call_back = on_identity;
	psk.psk_info.hint.s = (const uint8_t *)"gascounty";
	psk.psk_info.hint.length = strlen("gascounty");
	psk.psk_info.key.s = S.nobody_key;
	psk.psk_info.key.length = sizeof(S.nobody_key);
	/* before the endpoint exists (docs/design.md §7); the buffers above outlive S.ctx */
	if (!coap_context_set_psk2(S.ctx, &psk))
		fatalx("cannot set up PSK");

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
	snprintf(port, sizeof(port), "%d", config->port);
	if ((gai = getaddrinfo(config->listen, port, &hints, &res)) != 0)
		fatalx("listen %s: %s", config->listen, gai_strerror(gai));
	coap_address_init(&addr);
	addr.size = res->ai_addrlen;
	memcpy(&addr.addr, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (coap_new_endpoint(S.ctx, &addr, COAP_PROTO_DTLS) == NULL)
		fatalx("cannot listen on %s port %d (udp)", config->listen, config->port);
	open_door(&addr);
	prime_suites(&addr);
	/* the priming handshake came in through the endpoint: if the door saw
	 * none of it, libcoap does not read through gascounty's recvmsg() */
	if (S.door.fd != -1 && S.door.reads == 0)
		log_warnx("no per-address handshake limit: libcoap does not read through it");

	add_resources();

	log_info("listening on %s port %d (CoAP over DTLS-PSK)", config->listen, config->port);
	daemon_notify_ready();
	daemon_notify_status("listening on %s port %d", config->listen, config->port);
	while (!daemon_stop_requested) {
		/* The loop came round: requests, rules and sweeps are being
		 * served, so systemd's watchdog may be fed. */
		if (coap_io_process(S.ctx, 500) >= 0)
			daemon_watchdog_feed();
		if (daemon_reload_requested) {
			daemon_reload_requested = 0;
			daemon_notify_reloading();
			reload();
			daemon_notify_ready();
		}
		door_report(&S.door);
		/* check_s as now in force: a reload may have changed it */
		if (!swept || time_mono_ms() - last_sweep >= (int64_t)S.config.check_s * 1000) {
			swept = 1;
			last_sweep = time_mono_ms();
			if (county_sweep(&S.cdb, time_wall_ms(), &alerts, err, sizeof(err)) == -1)
				log_warnx("sweep: %s", err);
			else
				notify_alerts(alerts);
			/* the life rules that wait: C07 after its grace, C08 (life.h) */
			if (life_sweep(&S.cdb, time_wall_ms(), &alerts, err, sizeof(err)) == -1)
				log_warnx("life sweep: %s", err);
			else
				notify_alerts(alerts);
			sweep_cases();
		}
	}
	log_info("stopping");
	daemon_notify_stopping();
	coap_free_context(S.ctx);
	while (O.sessions != NULL) {
		struct observing *o = O.sessions;

		O.sessions = o->next;
		free(o);
	}
	door_close(&S.door);
	coap_cleanup();
	psk_table_free(&S.keys);
	catalogue_free(&S.catalogue);
	return 0;
}
