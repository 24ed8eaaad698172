/*
 * coaplink: one client CoAP-over-DTLS-PSK session to the county, reopened
 * with back-off whenever it fails (see coaplink.h).
 *
 * libcoap calls us back from inside coap_io_process(): the handlers only
 * record what happened (a response for our token, a notification, a
 * failure); the session is released afterwards, outside libcoap, because
 * releasing it from inside its own callback is not safe.
 */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <coap3/coap.h>
#include <openssl/crypto.h>

#include "coaplink.h"
#include "i18n.h"
#include "log.h"
#include "termtext.h"
#include "util.h"

struct coaplink {
	struct coaplink_config config;
	coap_context_t *ctx;
	coap_session_t *session;
	coap_address_t dst;
	int failed;         /* the session failed; release it */
	int closed_by_peer; /* ... because the server closed it (idle) */
	char fail_reason[320];
	/* the one request in flight */
	int waiting;
	uint8_t token[8];
	size_t token_len;
	struct coaplink_response *resp;
	/* the observation, if any */
	int observing;
	uint8_t obs_token[8];
	size_t obs_token_len;
	int notified;
	/* reconnect back-off */
	int64_t backoff_ms;
	int64_t next_try_ms; /* monotonic */
	int64_t opened_ms;   /* when the current session was opened */
	int handshake_timeout_ms;
	uint64_t sessions;
};

static int coap_started;

static int
cancelled(const struct coaplink *link)
{
	return link->config.cancel != NULL &&
	       __atomic_load_n(link->config.cancel, __ATOMIC_RELAXED);
}

static int
response_code(const coap_pdu_t *pdu)
{
	int code = (int)coap_pdu_get_code(pdu);

	return (code >> 5) * 100 + (code & 0x1f);
}

static int
content_format(const coap_pdu_t *pdu)
{
	coap_opt_iterator_t it;
	coap_opt_t *opt;

	opt = coap_check_option(pdu, COAP_OPTION_CONTENT_FORMAT, &it);
	if (opt == NULL)
		return COAPLINK_NONE;
	return (int)coap_decode_var_bytes(coap_opt_value(opt), coap_opt_length(opt));
}

static int
token_is(const coap_pdu_t *pdu, const uint8_t *token, size_t len)
{
	coap_bin_const_t t = coap_pdu_get_token(pdu);

	return t.length == len && (len == 0 || memcmp(t.s, token, len) == 0);
}

static coap_response_t
on_response(coap_session_t *session, const coap_pdu_t *sent, const coap_pdu_t *received,
    const coap_mid_t mid)
{
	struct coaplink *link = coap_get_app_data(coap_session_get_context(session));
	const uint8_t *data = NULL;
	size_t len = 0, offset = 0, total = 0;

	(void)sent;
	(void)mid;
	if (link == NULL)
		return COAP_RESPONSE_OK;
	if (link->observing && token_is(received, link->obs_token, link->obs_token_len) &&
	    !(link->waiting && token_is(received, link->token, link->token_len))) {
		link->notified = 1;
		return COAP_RESPONSE_OK;
	}
	if (!link->waiting || !token_is(received, link->token, link->token_len))
		return COAP_RESPONSE_OK; /* late answer to an abandoned request */
	link->resp->code = response_code(received);
	link->resp->format = content_format(received);
	if (coap_get_data_large(received, &len, &data, &offset, &total) && len > 0) {
		link->resp->data = malloc(len);
		if (link->resp->data != NULL) {
			memcpy(link->resp->data, data, len);
			link->resp->len = len;
		}
	}
	link->waiting = 0;
	return COAP_RESPONSE_OK;
}

static void
mark_failed(struct coaplink *link, const char *why)
{
	if (!link->failed)
		str_copy(link->fail_reason, why, sizeof(link->fail_reason));
	link->failed = 1;
}

static void
on_nack(coap_session_t *session, const coap_pdu_t *sent, const coap_nack_reason_t reason,
    const coap_mid_t mid)
{
	struct coaplink *link = coap_get_app_data(coap_session_get_context(session));

	(void)sent;
	(void)mid;
	if (link == NULL)
		return;
	switch (reason) {
	case COAP_NACK_TOO_MANY_RETRIES:
		mark_failed(link, "no answer (retransmissions exhausted)");
		break;
	case COAP_NACK_TLS_FAILED:
		mark_failed(link, "DTLS handshake failed (unknown identity or wrong key?)");
		break;
	case COAP_NACK_ICMP_ISSUE:
		mark_failed(link, "ICMP error (server down?)");
		break;
	case COAP_NACK_RST:
		mark_failed(link, "reset by the server");
		break;
	default:
		mark_failed(link, "request not deliverable");
		break;
	}
}

static int
on_event(coap_session_t *session, const coap_event_t event)
{
	struct coaplink *link = coap_get_app_data(coap_session_get_context(session));

	if (link == NULL || session != link->session)
		return 0;
	switch (event) {
	case COAP_EVENT_DTLS_CLOSED:
		link->closed_by_peer = !link->failed;
		if (coap_session_get_state(session) != COAP_SESSION_STATE_ESTABLISHED &&
		    !link->failed) {
			char why[sizeof(link->fail_reason)];

			/* before the handshake ended: nothing listens there (ICMP refused) */
			snprintf(why, sizeof(why), "no county answering at %s port %d",
			    link->config.host, link->config.port != 0 ? link->config.port : 5684);
			mark_failed(link, why);
		} else {
			mark_failed(link, "DTLS session closed");
		}
		break;
	case COAP_EVENT_DTLS_ERROR:
		/* in the handshake, the county's alert: it did not take this identity's key
		 * (a key that is not the county's is met with silence instead: a timeout) */
		if (coap_session_get_state(session) != COAP_SESSION_STATE_ESTABLISHED) {
			char why[sizeof(link->fail_reason)];

			snprintf(why, sizeof(why),
			    "the county refused the secure session for %s: its identities file "
			    "does not hold that identity, or not with this key",
			    link->config.identity);
			mark_failed(link, why);
		} else {
			mark_failed(link, "DTLS error");
		}
		break;
	case COAP_EVENT_SESSION_FAILED:
		mark_failed(link, "session failed");
		break;
	case COAP_EVENT_SESSION_CLOSED:
		mark_failed(link, "session closed");
		break;
	case COAP_EVENT_XMIT_BLOCK_FAIL:
		mark_failed(link, "block transfer failed");
		break;
	default:
		break;
	}
	return 0;
}

int
coaplink_new(const struct coaplink_config *config, struct coaplink **out, char *err, size_t errlen)
{
	struct coaplink *link;
	struct addrinfo hints, *res = NULL;
	char port[16];
	int gai;

	*out = NULL;
	if (config->key_len == 0 || config->identity[0] == '\0')
		return err_set(err, errlen, "no PSK identity or key");
	if (!coap_started) {
		coap_startup();
		coap_started = 1;
		/* libcoap's own trace, for diagnosing the link by hand */
		if (getenv("GAS_COAP_DEBUG") != NULL) {
			coap_set_log_level(LOG_DEBUG);
			coap_dtls_set_log_level(LOG_DEBUG);
		} else {
			/* its warnings ("ICMP: Connection refused") reach a person's terminal
			 * raw; the link says each failure in its own words (fail_reason) */
			coap_set_log_level(LOG_ERR);
		}
	}
	if (!coap_dtls_is_supported())
		return err_set(err, errlen, "libcoap has no DTLS support");
	if ((link = calloc(1, sizeof(*link))) == NULL)
		return err_set(err, errlen, "out of memory");
	link->config = *config;
	if (link->config.port == 0)
		link->config.port = 5684;
	if (link->config.ack_timeout_ms <= 0)
		link->config.ack_timeout_ms = 2000;
	/* libcoap 4.3.1 ignores an ACK_TIMEOUT whose integer part is 0 */
	if (link->config.ack_timeout_ms < 1000)
		link->config.ack_timeout_ms = 1000;
	if (link->config.max_retransmit <= 0)
		link->config.max_retransmit = 4;
	if (link->config.backoff_min_ms <= 0)
		link->config.backoff_min_ms = 500;
	if (link->config.backoff_max_ms <= 0)
		link->config.backoff_max_ms = 60000;
	link->backoff_ms = link->config.backoff_min_ms;
	/* OpenSSL doubles its DTLS retransmission timer up to a minute: on a
	 * lossy link a fresh handshake is faster than waiting one out */
	link->handshake_timeout_ms = 5 * link->config.ack_timeout_ms;
	if (link->handshake_timeout_ms < 3000)
		link->handshake_timeout_ms = 3000;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	snprintf(port, sizeof(port), "%d", link->config.port);
	if ((gai = getaddrinfo(link->config.host, port, &hints, &res)) != 0) {
		err_set(err, errlen, "%s: %s", link->config.host, gai_strerror(gai));
		goto fail;
	}
	coap_address_init(&link->dst);
	link->dst.size = res->ai_addrlen;
	memcpy(&link->dst.addr, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);

	if ((link->ctx = coap_new_context(NULL)) == NULL) {
		err_set(err, errlen, "cannot create a CoAP context");
		goto fail;
	}
	/* before any session exists (docs/design.md §7): libcoap then does Block1/Block2 */
	coap_context_set_block_mode(link->ctx, COAP_BLOCK_USE_LIBCOAP | COAP_BLOCK_SINGLE_BODY);
	coap_set_app_data(link->ctx, link);
	coap_register_response_handler(link->ctx, on_response);
	coap_register_nack_handler(link->ctx, on_nack);
	coap_register_event_handler(link->ctx, on_event);
	*out = link;
	return 0;
fail:
	OPENSSL_cleanse(&link->config, sizeof(link->config));
	free(link);
	return -1;
}

static void
release_session(struct coaplink *link)
{
	coap_session_t *session = link->session;

	link->session = NULL; /* events raised while releasing are not ours */
	if (session != NULL)
		coap_session_release(session);
	link->observing = 0;
	link->waiting = 0;
}

static void
schedule_retry(struct coaplink *link)
{
	int64_t jittered;

	/* full back-off in [backoff/2, backoff*3/2): stations that lost the
	 * link together do not all come back in the same second */
	jittered = link->backoff_ms / 2 + (int64_t)(random() % (link->backoff_ms + 1));
	link->next_try_ms = time_mono_ms() + jittered;
	link->backoff_ms *= 2;
	if (link->backoff_ms > link->config.backoff_max_ms)
		link->backoff_ms = link->config.backoff_max_ms;
}

void
coaplink_free(struct coaplink *link)
{
	if (link == NULL)
		return;
	release_session(link);
	if (link->ctx != NULL)
		coap_free_context(link->ctx);
	OPENSSL_cleanse(&link->config, sizeof(link->config));
	free(link);
}

static int
open_session(struct coaplink *link, char *err, size_t errlen)
{
	coap_dtls_cpsk_t setup;
	coap_fixed_point_t ack;

	if (link->session != NULL && !link->failed)
		return 0;
	if (link->session != NULL) {
		log_info("county link: %s", link->fail_reason);
		release_session(link);
		schedule_retry(link);
	}
	if (time_mono_ms() < link->next_try_ms)
		return err_set(err, errlen, "backing off (%s)",
		    link->fail_reason[0] != '\0' ? link->fail_reason : "previous failure");
	link->failed = 0;
	link->closed_by_peer = 0;
	link->fail_reason[0] = '\0';
	memset(&setup, 0, sizeof(setup));
	setup.version = COAP_DTLS_CPSK_SETUP_VERSION;
	setup.psk_info.identity.s = (const uint8_t *)link->config.identity;
	setup.psk_info.identity.length = strlen(link->config.identity);
	setup.psk_info.key.s = link->config.key;
	setup.psk_info.key.length = link->config.key_len;
	link->session =
	    coap_new_client_session_psk2(link->ctx, NULL, &link->dst, COAP_PROTO_DTLS, &setup);
	if (link->session == NULL) {
		schedule_retry(link);
		return err_set(err, errlen, "cannot open a DTLS session to %s:%d",
		    link->config.host, link->config.port);
	}
	ack.integer_part = (uint16_t)(link->config.ack_timeout_ms / 1000);
	ack.fractional_part = (uint16_t)(link->config.ack_timeout_ms % 1000);
	coap_session_set_ack_timeout(link->session, ack);
	coap_session_set_max_retransmit(link->session, (uint16_t)link->config.max_retransmit);
	link->sessions++;
	link->opened_ms = time_mono_ms();
	return 0;
}

/* Fail a session whose handshake has not finished in time. */
static void
check_handshake(struct coaplink *link)
{
	char why[sizeof(link->fail_reason)];

	if (link->session != NULL && !link->failed &&
	    coap_session_get_state(link->session) != COAP_SESSION_STATE_ESTABLISHED &&
	    time_mono_ms() - link->opened_ms > link->handshake_timeout_ms) {
		/* DTLS drops a record it cannot authenticate: a wrong key looks like this too */
		snprintf(why, sizeof(why),
		    "no answer from the county at %s port %d within %d s (down or unreachable, "
		    "or the key for %s is not the county's)",
		    link->config.host, link->config.port != 0 ? link->config.port : 5684,
		    (int)(link->handshake_timeout_ms / 1000), link->config.identity);
		mark_failed(link, why);
	}
}

static int
add_segments(coap_optlist_t **opts, uint16_t number, const char *text, char sep)
{
	const char *p = text, *end;
	size_t n;

	while (p != NULL && *p != '\0') {
		end = strchr(p, sep);
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n > 0 &&
		    !coap_insert_optlist(opts, coap_new_optlist(number, n, (const uint8_t *)p)))
			return -1;
		p = end != NULL ? end + 1 : NULL;
	}
	return 0;
}

static void
release_copy(coap_session_t *session, void *app_ptr)
{
	(void)session;
	free(app_ptr);
}

static int
send_request(struct coaplink *link, coap_pdu_code_t code, const char *path, const char *query,
    int format, int accept, int observe, const uint8_t *payload, size_t len, uint8_t *token,
    size_t *token_len, char *err, size_t errlen)
{
	coap_optlist_t *opts = NULL;
	coap_pdu_t *pdu;
	uint8_t buf[4], *copy;
	int rc = -1;

	pdu = coap_new_pdu(COAP_MESSAGE_CON, code, link->session);
	if (pdu == NULL)
		return err_set(err, errlen, "cannot build a request");
	coap_session_new_token(link->session, token_len, token);
	if (!coap_add_token(pdu, *token_len, token)) {
		err_set(err, errlen, "cannot add a token");
		goto out;
	}
	if (observe &&
	    !coap_insert_optlist(&opts,
	        coap_new_optlist(COAP_OPTION_OBSERVE,
	            coap_encode_var_safe(buf, sizeof(buf), COAP_OBSERVE_ESTABLISH), buf)))
		goto optfail;
	if (add_segments(&opts, COAP_OPTION_URI_PATH, path, '/') == -1)
		goto optfail;
	if (format != COAPLINK_NONE && payload != NULL &&
	    !coap_insert_optlist(&opts,
	        coap_new_optlist(COAP_OPTION_CONTENT_FORMAT,
	            coap_encode_var_safe(buf, sizeof(buf), (unsigned)format), buf)))
		goto optfail;
	if (query != NULL && add_segments(&opts, COAP_OPTION_URI_QUERY, query, '&') == -1)
		goto optfail;
	if (accept != COAPLINK_NONE &&
	    !coap_insert_optlist(&opts,
	        coap_new_optlist(COAP_OPTION_ACCEPT,
	            coap_encode_var_safe(buf, sizeof(buf), (unsigned)accept), buf)))
		goto optfail;
	if (opts != NULL && !coap_add_optlist_pdu(pdu, &opts))
		goto optfail;
	if (payload != NULL && len > 0) {
		/* libcoap keeps the pointer until the last block is acknowledged */
		if ((copy = malloc(len)) == NULL) {
			err_set(err, errlen, "out of memory");
			goto out;
		}
		memcpy(copy, payload, len);
		if (!coap_add_data_large_request(link->session, pdu, len, copy, release_copy,
		        copy)) {
			free(copy);
			err_set(err, errlen, "cannot attach the payload");
			goto out;
		}
	}
	if (coap_send(link->session, pdu) == COAP_INVALID_MID) {
		pdu = NULL; /* coap_send released it */
		mark_failed(link, "send failed");
		err_set(err, errlen, "send failed");
		goto out;
	}
	pdu = NULL;
	rc = 0;
	goto out;
optfail:
	err_set(err, errlen, "cannot add the request options");
out:
	coap_delete_optlist(opts);
	if (pdu != NULL)
		coap_delete_pdu(pdu);
	return rc;
}

static coap_pdu_code_t
method_code(const char *method)
{
	if (strcmp(method, "GET") == 0)
		return COAP_REQUEST_CODE_GET;
	if (strcmp(method, "POST") == 0)
		return COAP_REQUEST_CODE_POST;
	if (strcmp(method, "PUT") == 0)
		return COAP_REQUEST_CODE_PUT;
	if (strcmp(method, "DELETE") == 0)
		return COAP_REQUEST_CODE_DELETE;
	return 0;
}

static int
exchange(struct coaplink *link, const char *method, const char *path, const char *query, int format,
    int accept, int observe, const uint8_t *payload, size_t len, int timeout_ms,
    struct coaplink_response *resp, char *err, size_t errlen)
{
	coap_pdu_code_t code = method_code(method);
	int64_t deadline, left;

	memset(resp, 0, sizeof(*resp));
	resp->format = COAPLINK_NONE;
	if (code == 0)
		return err_set(err, errlen, "unknown method %s", method);
	/*
	 * The server closes idle sessions (and says so).  Read what is already
	 * waiting first: a session it closed is replaced at once, without the
	 * back-off meant for failures, and without losing this request.
	 */
	if (link->session != NULL && !link->failed) {
		coap_io_process(link->ctx, COAP_IO_NO_WAIT);
		if (link->failed && link->closed_by_peer) {
			log_debug("county link: the server closed the idle session");
			release_session(link);
			link->failed = 0;
			link->closed_by_peer = 0;
			link->fail_reason[0] = '\0';
		}
	}
	if (open_session(link, err, errlen) == -1)
		return -1;
	/*
	 * Finish the handshake before sending: a request queued on a session
	 * that never connects (server down: ICMP) is leaked by libcoap 4.3.1
	 * when the session is released, and a gateway may retry for days.
	 */
	deadline = time_mono_ms() + timeout_ms;
	while (coap_session_get_state(link->session) != COAP_SESSION_STATE_ESTABLISHED &&
	       !link->failed && !cancelled(link)) {
		left = deadline - time_mono_ms();
		if (left <= 0) {
			mark_failed(link, "no answer in time");
			break;
		}
		coap_io_process(link->ctx, (uint32_t)(left < 100 ? left : 100));
		check_handshake(link);
	}
	if (link->failed || cancelled(link)) {
		if (!link->failed)
			mark_failed(link, "cancelled");
		err_set(err, errlen, "%s", link->fail_reason);
		goto failed;
	}
	link->resp = resp;
	if (send_request(link, code, path, query, format, accept, observe, payload, len,
	        link->token, &link->token_len, err, errlen) == -1)
		goto failed;
	if (observe) {
		memcpy(link->obs_token, link->token, link->token_len);
		link->obs_token_len = link->token_len;
		link->observing = 1;
		link->notified = 0;
	}
	link->waiting = 1;
	deadline = time_mono_ms() + timeout_ms;
	while (link->waiting && !link->failed && !cancelled(link)) {
		left = deadline - time_mono_ms();
		if (left <= 0)
			break;
		coap_io_process(link->ctx, (uint32_t)(left < 100 ? left : 100));
		check_handshake(link);
	}
	if (!link->waiting) {
		link->resp = NULL;
		link->backoff_ms = link->config.backoff_min_ms;
		if (observe && resp->code / 100 != 2)
			link->observing = 0;
		return 0;
	}
	if (!link->failed)
		mark_failed(link, "no answer in time");
	err_set(err, errlen, "%s", link->fail_reason);
failed:
	link->resp = NULL;
	link->waiting = 0;
	link->observing = 0;
	/* release now (outside libcoap's callbacks) and wait before the next try */
	log_info("county link: %s", link->fail_reason[0] != '\0' ? link->fail_reason : err);
	release_session(link);
	schedule_retry(link);
	return -1;
}

int
coaplink_request(struct coaplink *link, const char *method, const char *path, const char *query,
    int format, int accept, const uint8_t *payload, size_t len, int timeout_ms,
    struct coaplink_response *resp, char *err, size_t errlen)
{
	return exchange(link, method, path, query, format, accept, 0, payload, len, timeout_ms,
	    resp, err, errlen);
}

int
coaplink_observe(struct coaplink *link, const char *path, const char *query, int timeout_ms,
    struct coaplink_response *resp, char *err, size_t errlen)
{
	return exchange(link, "GET", path, query, COAPLINK_NONE, COAPLINK_FORMAT_CBOR, 1, NULL, 0,
	    timeout_ms, resp, err, errlen);
}

int
coaplink_wait(struct coaplink *link, int timeout_ms, int *notified)
{
	int64_t deadline = time_mono_ms() + timeout_ms, left;

	*notified = 0;
	if (link->session == NULL)
		return -1;
	while (!link->failed && !link->notified && !cancelled(link)) {
		left = deadline - time_mono_ms();
		if (left <= 0)
			break;
		coap_io_process(link->ctx, (uint32_t)(left < 100 ? left : 100));
	}
	*notified = link->notified;
	link->notified = 0;
	if (link->failed) {
		log_info("county link: %s", link->fail_reason);
		release_session(link);
		schedule_retry(link);
		return -1;
	}
	return 0;
}

void
coaplink_response_free(struct coaplink_response *resp)
{
	if (resp == NULL)
		return;
	free(resp->data);
	resp->data = NULL;
	resp->len = 0;
}

int
coaplink_connected(const struct coaplink *link)
{
	return link->session != NULL && !link->failed &&
	       coap_session_get_state(link->session) == COAP_SESSION_STATE_ESTABLISHED;
}

int64_t
coaplink_backoff_left_ms(const struct coaplink *link)
{
	int64_t left = link->next_try_ms - time_mono_ms();

	return left > 0 ? left : 0;
}

uint64_t
coaplink_sessions_opened(const struct coaplink *link)
{
	return link->sessions;
}

/*
 * Why a tool's key file cannot be used (f, as psk_load_key_fault found it),
 * in the person's language (a tool's message, where psk_load_key's are
 * English for gasgw's log); -1.  err is left as psk_load_key_fault wrote it
 * for a fault it does not name.
 */
static int
key_fault_said(const char *keyfile, const struct psk_key_fault *f, char *err, size_t errlen)
{
	switch (f->problem) {
	case PSK_KEY_UNREADABLE:
		return err_set(err, errlen, _("cannot read the key file %s: %s"), keyfile,
		    strerror(f->error));
	case PSK_KEY_NOT_A_FILE:
		return err_set(err, errlen, _("the key file %s is not a file"), keyfile);
	case PSK_KEY_SHARED:
		return err_set(err, errlen,
		    _("others may read the key file %s (mode %03o): make it yours alone with "
		      "chmod 600 %s"),
		    keyfile, f->mode, keyfile);
	case PSK_KEY_NOT_A_KEY:
		return err_set(err, errlen,
		    _("the key file %s holds no key: one line of hex, %d to %d bytes"), keyfile,
		    PSK_MIN_KEY, PSK_MAX_KEY);
	case PSK_KEY_USABLE:
	default:
		return -1;
	}
}

int
coaplink_open_tool(const char *host, int port, const char *identity, const char *keyfile,
    struct coaplink **out, char *err, size_t errlen)
{
	struct coaplink_config c;
	struct psk_key_fault fault;
	int rc;

	memset(&c, 0, sizeof(c));
	str_copy(c.host, host, sizeof(c.host));
	c.port = port;
	if (str_copy(c.identity, identity, sizeof(c.identity)) >= sizeof(c.identity))
		return err_set(err, errlen, "identity too long");
	if (psk_load_key_fault(keyfile, c.key, sizeof(c.key), &c.key_len, &fault, err, errlen) ==
	    -1)
		return key_fault_said(keyfile, &fault, err, errlen);
	c.backoff_max_ms = 5000;
	rc = coaplink_new(&c, out, err, errlen);
	OPENSSL_cleanse(&c, sizeof(c));
	return rc;
}

int
coaplink_parse_port(const char *text, int *port)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (text[0] == '\0' || *end != '\0' || errno != 0 || v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

void
coaplink_reason(const struct coaplink_response *resp, char *out, size_t size)
{
	termtext_copy_n(out, size, resp->data != NULL ? (const char *)resp->data : "", resp->len);
}
