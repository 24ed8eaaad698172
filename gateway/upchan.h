/*
 * upchan: the channel between gasgw and its uplink process (uplink.h).
 *
 * The uplink process parses everything that comes from the network (DTLS,
 * CoAP, CBOR) and is trusted with nothing; this channel is the only way
 * it reaches the gateway.  It is one AF_UNIX SOCK_SEQPACKET socket pair,
 * so every send is one whole message.  A message is a header (type, body
 * length) and a body of fixed layout per type; only a BATCH part carries
 * variable bytes (an encoded batch of records, opaque to the uplink, which
 * forwards it).  The whole message is at most UPCHAN_MAX_MSG bytes.
 *
 * Who sends what (upchan_parse refuses a type from the wrong side):
 *
 *   gateway -> uplink                  uplink -> gateway
 *   CONFIG (once, first)               STATUS (link state; how long it may be
 *   KICK   (a record was committed)            silent before it counts as hung)
 *   STATE  (answers STATE_REQ, ACK)    STATE_REQ
 *   BATCH  (parts; answers BATCH_REQ)  BATCH_REQ
 *   REGISTRY_DONE (answers             ACK (the county's mark for the batch)
 *          REGISTRY_END)               REFUSED (the county answered 4.00 to it)
 *                                      REGISTRY_ROW ... REGISTRY_END
 *                                      MARK (the county's mark, answering
 *                                            a heartbeat; not answered)
 *
 * upchan_parse checks one message on its own: length exact for the type,
 * every text field NUL-terminated inside its array and free of control
 * characters, every number in its range.  The order of messages (an ACK
 * only for a batch handed out, REGISTRY_END counting its rows) is checked
 * by the receiver (uplink.c, uplinkproc.c).
 */
#ifndef GAS_UPCHAN_H
#define GAS_UPCHAN_H

#include <stddef.h>
#include <stdint.h>

#include "psk.h"
#include "wire.h"

#define UPCHAN_FD 3                 /* the channel's descriptor in the uplink process */
#define UPCHAN_VERSION 1            /* in CONFIG: both ends are the same binary */
#define UPCHAN_MAX_MSG 16384        /* header + body */
#define UPCHAN_MAX_BATCH (4u << 20) /* bytes of one encoded batch (WIRE_MAX_PAYLOAD) */
#define UPCHAN_MAX_QUIET_MS 150000  /* longest silence an uplink may announce */
#define UPCHAN_TEXT 128

enum upchan_type {
	/* gateway -> uplink */
	UPCHAN_CONFIG = 1,
	UPCHAN_KICK = 2,
	UPCHAN_STATE = 3,
	UPCHAN_BATCH = 4,
	UPCHAN_REGISTRY_DONE = 5,
	/* uplink -> gateway */
	UPCHAN_STATUS = 16,
	UPCHAN_STATE_REQ = 17,
	UPCHAN_BATCH_REQ = 18,
	UPCHAN_ACK = 19,
	UPCHAN_REGISTRY_ROW = 20,
	UPCHAN_REGISTRY_END = 21,
	UPCHAN_REFUSED = 22,
	UPCHAN_MARK = 23,
};

/* Which end sent a message (what the receiver expects). */
enum upchan_from {
	UPCHAN_FROM_GATEWAY,
	UPCHAN_FROM_UPLINK,
};

struct upchan_header {
	uint32_t type; /* enum upchan_type */
	uint32_t len;  /* body bytes after the header */
};

/* CONFIG: everything the uplink process needs; it reads no file. */
struct upchan_config {
	uint32_t version;    /* UPCHAN_VERSION */
	int32_t log_level;   /* enum log_level */
	int32_t foreground;  /* 1: log to stderr, 0: syslog */
	int32_t switch_user; /* 1: become uid/gid (gasgw may change users) */
	uint32_t uid, gid;
	char user[64]; /* their name, for the log */
	char host[128];
	int32_t port; /* 1..65535 */
	char station_id[48];
	char township[16];
	char identity[PSK_MAX_IDENTITY];
	uint8_t key[PSK_MAX_KEY];
	uint32_t key_len;        /* 1..PSK_MAX_KEY */
	int32_t rate;            /* records per second (0: unlimited) */
	int32_t heartbeat_s;     /* 0: none */
	int32_t registry_pull_s; /* 0: none */
	int32_t ack_timeout_ms;  /* CoAP ACK_TIMEOUT (0: default) */
	int32_t max_retransmit;  /* 0: default */
	int32_t backoff_max_ms;  /* 0: default */
};

/* STATE: the outbox and the registry as the gateway sees them (oldest_ms
 * only in answer to STATE_REQ). */
struct upchan_state {
	int64_t backlog;          /* outbox rows waiting */
	int64_t oldest_ms;        /* created_ms of the oldest (0: none, or not asked) */
	int64_t last_ack;         /* highest seq the county confirmed */
	int64_t registry_version; /* last delta applied */
	int32_t log_level;        /* the gateway's, after a reload */
	int32_t aside;            /* records set aside (the county refused them) */
};

/* BATCH: one part of wire_encode_batch's payload, `data` bytes follow. */
struct upchan_batch {
	int64_t first_seq, last_seq; /* of the whole batch */
	uint32_t count;              /* records in it; 0: the outbox is empty */
	uint32_t total;              /* payload bytes, 0..UPCHAN_MAX_BATCH */
	uint32_t offset;             /* of this part within the payload */
	uint32_t reserved;
};
#define UPCHAN_BATCH_PART                                                                          \
	(UPCHAN_MAX_MSG - sizeof(struct upchan_header) - sizeof(struct upchan_batch))

/* REGISTRY_DONE: the delta was applied (ok 1) or refused (ok 0, error). */
struct upchan_registry_done {
	int64_t version; /* the registry version now held */
	int32_t ok;
	char error[UPCHAN_TEXT];
};

/* STATUS: the link as the uplink sees it. */
struct upchan_status {
	int32_t connected; /* 0 or 1 */
	int32_t quiet_ms;  /* the next message comes within this (0..UPCHAN_MAX_QUIET_MS) */
	uint64_t sessions; /* DTLS sessions opened */
	char last_error[UPCHAN_TEXT];
};

/* ACK: the county's answer to the batch last handed out. */
struct upchan_ack {
	int64_t hwm;        /* highest contiguous seq the county holds */
	int64_t stored;     /* records new there */
	int64_t duplicates; /* records it already held */
	int64_t held;       /* how many of this station's records it holds (its mark and
	                     * those above), 0: not said (wire_ack) */
};

/* MARK: the county's contiguous mark as its answer to a heartbeat said it
 * (a county of before that answers none, and no MARK is sent).  Only a
 * hint: a lying uplink can make acknowledged records be sent again, no
 * more (uplink.c). */
struct upchan_mark {
	int64_t hwm;  /* highest contiguous seq the county holds */
	int64_t held; /* as upchan_ack's */
};

/* REFUSED: the county answered 4.00 (Bad Request) to the batch last handed
 * out and stored none of it; reason is its diagnostic text (control
 * characters made spaces, cut to fit).  Answered with STATE, as an ACK.
 * Only a hint: the gateway decides what it means (uplink.c). */
#define UPCHAN_REASON 256
struct upchan_refused {
	int32_t code; /* 400: the only refusal sent */
	int32_t reserved;
	char reason[UPCHAN_REASON];
};

/* REGISTRY_ROW's body is a struct wire_registry_row. */

/* REGISTRY_END: the rows sent since the last REGISTRY_DONE are one delta. */
struct upchan_registry_end {
	int64_t version; /* store this as registry_version */
	uint32_t count;  /* rows sent, 0..WIRE_MAX_ROWS */
	int32_t more;    /* 0 or 1: the county has more */
};

struct upchan_msg {
	enum upchan_type type;
	union {
		struct upchan_config config;
		struct upchan_state state;
		struct upchan_batch batch;
		struct upchan_registry_done registry_done;
		struct upchan_status status;
		struct upchan_ack ack;
		struct upchan_mark mark;
		struct upchan_refused refused;
		struct wire_registry_row registry_row;
		struct upchan_registry_end registry_end;
	} body;
	const uint8_t *data; /* BATCH: the part's bytes, inside the parsed buffer */
	size_t data_len;
};

/* The type's name for the log ("ACK"), or "?" */
const char *upchan_type_name(uint32_t type);

/*
 * Check one message of len bytes as sent by `from` and copy it into *msg
 * (msg->data points into buf).  Returns 0, or -1 with the reason in err
 * (*msg is then zeroed).
 */
int upchan_parse(const uint8_t *buf, size_t len, enum upchan_from from, struct upchan_msg *msg,
    char *err, size_t errlen);

/*
 * Lay a message out in buf (at most buflen bytes): header, body (body_len
 * bytes), data.  Returns its length, or 0 if it does not fit in buflen or
 * UPCHAN_MAX_MSG.  The message is not checked (upchan_parse does that).
 */
size_t upchan_encode(uint32_t type, const void *body, size_t body_len, const void *data,
    size_t data_len, uint8_t *buf, size_t buflen);

/*
 * Send one message on fd, waiting up to timeout_ms for room (0: not at
 * all).  Returns 0, or -1 (peer gone, no room in time, too long: err).
 */
int upchan_send(int fd, uint32_t type, const void *body, size_t body_len, const void *data,
    size_t data_len, int timeout_ms, char *err, size_t errlen);

/*
 * Receive one message into buf (UPCHAN_MAX_MSG bytes), waiting up to
 * timeout_ms (-1: forever, 0: not at all).  Returns 1 with *len set, 0 if
 * none came in time, -1 when the peer has gone (err "closed") or a
 * message was longer than UPCHAN_MAX_MSG (err says so).
 */
int upchan_recv(int fd, uint8_t *buf, size_t *len, int timeout_ms, char *err, size_t errlen);

#endif
