/*
 * coaplink: the client side of the county link, shared by gasgw's uplink,
 * gaswatch and gastrace.  One coaplink holds one libcoap context and at most
 * one CoAP-over-DTLS-PSK session to the county.
 *
 * libcoap 4.3.1 never reconnects by itself (docs/design.md §7): when a
 * request times out, the handshake fails, ICMP reports the port closed or a
 * DTLS close/error event arrives, the session is released and the next
 * request opens a new one, no earlier than an exponential back-off with
 * jitter allows (backoff_min_ms doubling up to backoff_max_ms, reset by a
 * successful exchange).  NSTART is 1: requests are made one at a time.
 *
 * A coaplink is used by one thread.  Errors go into the caller's buffer.
 */
#ifndef GAS_COAPLINK_H
#define GAS_COAPLINK_H

#include <stddef.h>
#include <stdint.h>

#include "psk.h"

/* CoAP content formats used on the link. */
#define COAPLINK_FORMAT_JSON 50
#define COAPLINK_FORMAT_CBOR 60
#define COAPLINK_NONE -1

struct coaplink_config {
	char host[128];
	int port; /* 5684 when 0 */
	char identity[PSK_MAX_IDENTITY];
	uint8_t key[PSK_MAX_KEY];
	size_t key_len;
	int ack_timeout_ms; /* CoAP ACK_TIMEOUT, >= 1000 (libcoap 4.3.1); 2000 when 0 */
	int max_retransmit; /* CoAP MAX_RETRANSMIT; 4 when 0 */
	int backoff_min_ms; /* 500 when 0 */
	int backoff_max_ms; /* 60000 when 0 */
	const int *cancel;  /* optional: waits end early once *cancel != 0 */
};

struct coaplink_response {
	int code;      /* class*100+detail: 205, 204, 403...; 0: none */
	int format;    /* content format, or COAPLINK_NONE */
	uint8_t *data; /* malloc'd body (whole, block-wise reassembled) */
	size_t len;
};

struct coaplink;

/* The body of resp as a one-line reason for a person (a county's 4.xx text,
 * which may quote what a station or person sent): at most size - 1 bytes,
 * cleaned for a terminal by termtext.h's rule (UTF-8 kept, controls and C1
 * a space, bytes that are not UTF-8 a '?'). */
void coaplink_reason(const struct coaplink_response *resp, char *out, size_t size);

/* A new link (no session yet).  The config is copied. */
int coaplink_new(const struct coaplink_config *config, struct coaplink **out, char *err,
    size_t errlen);
/* Release the session and context, wiping the key. NULL is fine. */
void coaplink_free(struct coaplink *link);

/*
 * Send one request and wait up to timeout_ms for its whole response.
 * method is "GET", "POST", "PUT" or "DELETE"; path like "records"; query
 * "since=5" or NULL; format/accept a COAPLINK_FORMAT_* or COAPLINK_NONE.
 * Opens a session first if there is none (unless still backing off: then
 * fails at once with "backing off").  Returns 0 when a response arrived
 * (whatever its code; the caller owns resp->data), -1 when none did (and
 * then the session is released if it failed).
 */
int coaplink_request(struct coaplink *link, const char *method, const char *path, const char *query,
    int format, int accept, const uint8_t *payload, size_t len, int timeout_ms,
    struct coaplink_response *resp, char *err, size_t errlen);
void coaplink_response_free(struct coaplink_response *resp);

/*
 * Register an Observe on path?query (the answer to the registration is
 * returned in resp like coaplink_request).  Afterwards coaplink_wait()
 * reports notifications.
 */
int coaplink_observe(struct coaplink *link, const char *path, const char *query, int timeout_ms,
    struct coaplink_response *resp, char *err, size_t errlen);

/*
 * Run the link's I/O for up to timeout_ms.  *notified is set to 1 if a
 * notification of the observed resource arrived.  Returns -1 when the
 * session failed (observe again after reconnecting).
 */
int coaplink_wait(struct coaplink *link, int timeout_ms, int *notified);

/* Parse a UDP port given on a command line: 0, or -1 if text is not a
 * whole number from 1 to 65535. */
int coaplink_parse_port(const char *text, int *port);

/*
 * For the command-line tools: a link to host:port as identity, with the key
 * read from keyfile (psk_load_key rules).  ack_timeout/retransmit defaults.
 * A key file that cannot be used is said in err in the person's language
 * (i18n.h: the tool's locale), naming the file and what to do; other
 * errors are English.
 */
int coaplink_open_tool(const char *host, int port, const char *identity, const char *keyfile,
    struct coaplink **out, char *err, size_t errlen);

/* 1 while a session is established (handshake done, not failed). */
int coaplink_connected(const struct coaplink *link);
/* Milliseconds until a new session may be tried (0: now). */
int64_t coaplink_backoff_left_ms(const struct coaplink *link);
/* Sessions opened so far (for status and tests). */
uint64_t coaplink_sessions_opened(const struct coaplink *link);

#endif
