/*
 * wire: every message that crosses the county link, as C structs and as
 * CBOR (RFC 8949, libcbor).  docs/protocol.md lists the same messages with
 * their keys; a message is a CBOR map with short text keys, so that the
 * generic JSON rendering (wire_cbor_to_json) reads well for people.
 *
 * Each message is described once, as a table of its fields in wire.c
 * (cbormap.h): the encoder, the decoder and the *_free function of a
 * message all follow that table.
 *
 * Encoders build a complete payload into a malloc'd buffer the caller frees
 * with free(); on failure nothing is allocated.  Decoders take (buf, len),
 * never read outside it, refuse anything malformed, too large or of the
 * wrong type with a reason in err that names the field by its path
 * ("records[3].viol[0].rule: missing"), and on success fill a struct whose
 * arrays the caller releases with the matching *_free function (safe on a
 * zeroed or partly filled struct; after a failed decode the struct is
 * already released and zeroed).
 */
#ifndef GAS_WIRE_H
#define GAS_WIRE_H

#include <stddef.h>
#include <stdint.h>

/*
 * What one payload may cost before any decoder looks at its fields: checked
 * on the raw bytes, before libcbor allocates anything, so that the work and
 * memory a request causes are bounded by these and not by what it claims
 * (docs/protocol.md, "Bounds").
 */
#define WIRE_MAX_PAYLOAD (4u << 20) /* largest payload a decoder accepts */
#define WIRE_MAX_ITEMS (1u << 19)   /* data items in one payload (keys and values) */
#define WIRE_MAX_STRING 16384u      /* bytes of one text or byte string (> any field) */
#define WIRE_MAX_DEPTH 8            /* nesting of arrays and maps */
/* What one decode may allocate (the structs its arrays fill, byte strings):
 * the largest legitimate message takes under half of it. */
#define WIRE_MAX_DECODED (16u << 20)
#define WIRE_MAX_RECORDS 5000  /* records in one batch or trace */
#define WIRE_MAX_VIOLATIONS 64 /* violations of one record */
#define WIRE_MAX_ALERTS 5000   /* alerts in one answer */
#define WIRE_MAX_ROWS 20000    /* registry rows in one delta, stations in a list */

/*
 * 0 when (buf, len) is one CBOR item within the bounds above (definite
 * lengths that fit the bytes, no tags, at most WIRE_MAX_ITEMS items,
 * WIRE_MAX_STRING bytes a string, WIRE_MAX_DEPTH levels), checked on the
 * raw bytes before libcbor allocates anything; else -1 with the reason in
 * err.  Every decoder here checks it first, and so does anything else that
 * gives a payload of this protocol to cbor_load (catalogue_decode).
 */
int wire_cbor_check(const uint8_t *buf, size_t len, char *err, size_t errlen);

#define WIRE_ID 64     /* station id, serial, identity, operator */
#define WIRE_UUID 37   /* 36 characters + NUL */
#define WIRE_BUYER 65  /* hex HMAC-SHA256 + NUL */
#define WIRE_MASKED 40 /* 330***********1234 */
#define WIRE_TOWNSHIP 16
#define WIRE_TEXT 256
#define WIRE_WORD 16    /* rule code, severity, kind, result, status */
#define WIRE_DATE 11    /* YYYY-MM-DD */
#define WIRE_CURSOR 176 /* a trace cursor as text (wire_cursor_format) + NUL */

/* A rule that fired at the station (or at the county, in a trace). */
struct wire_violation {
	char uuid[WIRE_UUID];
	char rule[WIRE_WORD];     /* R01..R25 (a station's), C01..C13 (the county's, in a trace) */
	char severity[WIRE_WORD]; /* flag, refuse, alert, critical */
	char township[WIRE_TOWNSHIP]; /* where the alert is routed */
	char details[WIRE_TEXT];
	char cylinder[WIRE_ID]; /* "" when unknown */
	char buyer[WIRE_BUYER]; /* HMAC hex, "" when unknown */
	char buyer_masked[WIRE_MASKED];
	int line; /* 0 when not tied to a line */
	int64_t at_ms;
};

/* The fill part of a record of kind "fill". */
struct wire_fill {
	int line;
	char cylinder[WIRE_ID];
	char buyer[WIRE_BUYER];
	char buyer_masked[WIRE_MASKED];
	char buyer_township[WIRE_TOWNSHIP];
	char buyer_kind[WIRE_WORD]; /* household, business, "" */
	char operator_cert[WIRE_ID];
	int64_t started_ms;
	int64_t ended_ms;
	double tare_kg, target_kg, preact_kg, cutoff_kg, gross_kg, net_kg;
	char result[WIRE_WORD];
	/* The fill's weight curve in curve.h's stored form, or NULL: sent with
	 * the record, kept by the county, not part of traces (fetched one at a
	 * time).  Owned by the record; freed by wire_record_clear. */
	uint8_t *curve;
	size_t curve_len;
	/* The buyer's registered address: sent only with a record one of whose
	 * violations is routed to the buyer's township (R11), for that
	 * township's officers to visit; "" otherwise.  Never in traces. */
	char buyer_address[WIRE_TEXT];
};

#define WIRE_MAX_CURVE 8192 /* bytes of one stored curve (curve.h: CURVE_MAX_ENCODED) */

/*
 * The life part of a record of kind "life": one step of a cylinder's life
 * outside the filling line (docs/county.md, "A cylinder's life"; on the wire:
 * docs/protocol.md, "Life events"), sent by a
 * station (dispatched, received, inspection_out/back, scrapped) or by a
 * delivery device (handed_over, returned), with its own seq space.
 */
#define WIRE_LIFE_TEXT 128 /* village, reason */
#define WIRE_NEXT_DUE_YEARS                                                                        \
	10                 /* inspection_back: next_due at most this after at_ms                   \
	                      (gateway/ctlreq.c, tools/county/life.c) */
#define WIRE_LIFE_CODE 161 /* the signed code as scanned (code.h: CODE_MAX_LEN + 1) */

struct wire_life {
	char event[WIRE_WORD]; /* dispatched, received, handed_over, returned,
	                          inspection_out, inspection_back, scrapped */
	char serial[WIRE_ID];
	char code[WIRE_LIFE_CODE]; /* "" when the serial was typed, not scanned */
	char actor[WIRE_ID];       /* the operator or delivery identity that scanned it */
	char worker[WIRE_ID];      /* the delivery worker it went to / came from; "" if none */
	char buyer[WIRE_BUYER];    /* household: HMAC hex, "" if none */
	char buyer_masked[WIRE_MASKED];
	char buyer_township[WIRE_TOWNSHIP];
	char buyer_kind[WIRE_WORD]; /* household, business, "" */
	char village[WIRE_LIFE_TEXT];
	int has_position; /* lat and lon hold a place */
	double lat, lon;
	char result[WIRE_WORD];      /* inspection_back: pass, fail; else "" */
	char next_due[WIRE_DATE];    /* inspection_back: YYYY-MM-DD; else "" */
	char reason[WIRE_LIFE_TEXT]; /* scrapped: why */
	int64_t at_ms;
	/* a county's trace only (a batch's are not read): the time the county
	 * took the step at (its rule time: a device's at_ms bounded, C17), 0
	 * when not said; and whether the step is in the cylinder's chain:
	 * "in", "loose" or "out" (docs/county.md, "A device's word at the
	 * door"), "" when not said */
	int64_t taken_ms;
	char chain[WIRE_WORD];
};

/* One record: a fill, a refusal, another event or a life event, with the
 * violations whose event is its uuid.  A station's records and a delivery
 * device's share this form; each source has its own gap-free seq. */
struct wire_record {
	char station[WIRE_ID]; /* the source: station id or delivery identity */
	int64_t seq;           /* the source's gap-free sequence, from 1 */
	char uuid[WIRE_UUID];
	char kind[WIRE_WORD]; /* fill, refusal, event, life */
	int64_t created_ms;
	int has_fill;
	struct wire_fill fill;
	size_t violation_count;
	struct wire_violation *violations;
	int has_life; /* kind "life" */
	struct wire_life life;
};

/* POST /records: a batch, oldest first. */
struct wire_batch {
	char station[WIRE_ID];        /* informative; the server uses the DTLS identity */
	char township[WIRE_TOWNSHIP]; /* the station's own township */
	size_t count;
	struct wire_record *records;
};

/* The county's answer to a batch: every seq <= hwm is stored. */
struct wire_ack {
	int64_t hwm;        /* highest contiguous seq held */
	int64_t stored;     /* records new in this batch */
	int64_t duplicates; /* records already held */
	/* how many of the station's records the county holds: hwm and those
	 * above it (review rev96); 0: not said (a county of before, or one
	 * holding none) */
	int64_t held;
	/* of the duplicates, how many met another event (another uuid) held
	 * at the record's seq: a conflict (C06), the record itself nowhere at
	 * the county, never to be taken as delivered (review rev102).  Sent for
	 * a delivery device's batch only; 0: none, or a county of before */
	int64_t conflicts;
};

/* POST /heartbeat */
struct wire_heartbeat {
	char station[WIRE_ID];
	char township[WIRE_TOWNSHIP];
	int64_t at_ms;
	int64_t backlog;   /* outbox rows waiting */
	int64_t oldest_ms; /* created_ms of the oldest, 0 if none */
	int64_t last_ack;  /* last hwm the county gave */
	int64_t registry_version;
	char status[WIRE_TEXT]; /* one line, e.g. "2 lines, 0 faults" */
};

struct wire_registry_row {
	char serial[WIRE_ID];
	char status[WIRE_WORD]; /* active, scrapped, retired */
	char last_inspection[WIRE_DATE];
	char next_inspection[WIRE_DATE];
	char owner[WIRE_TEXT];
	int64_t version;
};

/* GET /registry?since=V: rows changed after V, up to version. */
struct wire_registry {
	int64_t version; /* apply, then store this as registry_version */
	int more;        /* 1: ask again with since=version */
	size_t count;
	struct wire_registry_row *rows;
};

struct wire_alert {
	int64_t id; /* county-wide sequence */
	char rule[WIRE_WORD];
	char severity[WIRE_WORD];
	char township[WIRE_TOWNSHIP];
	char station[WIRE_ID];
	char cylinder[WIRE_ID];
	char buyer_masked[WIRE_MASKED];
	char text[WIRE_TEXT];
	int64_t at_ms;
	char disposition[WIRE_TEXT]; /* "" while open */
	char disposed_by[WIRE_ID];
	int64_t disposed_ms;
};

/* GET /alerts?since=N */
struct wire_alert_list {
	int64_t last; /* highest alert id of this township */
	size_t count;
	struct wire_alert *alerts;
};

/* POST /alerts/ack */
struct wire_disposition {
	int64_t id;
	char note[WIRE_TEXT];
};

/*
 * A place in a trace.  Traces are ordered by time (a fill's start, another
 * record's creation), then station, then seq, which no two records share;
 * a cursor names the last record of an answer, and the next answer starts
 * after it.  As text it is "MS.SEQ.HEX" (the station id in hex), so that it
 * travels in a query string whatever the station id holds.
 */
struct wire_cursor {
	int64_t at_ms;
	char station[WIRE_ID];
	int64_t seq;
};

/* GET /trace/...?...&after=CURSOR: records matching one query, in the order
 * above, at most the county's max_trace of them. */
struct wire_trace {
	char query[WIRE_WORD]; /* cylinder, buyer, station */
	char key[WIRE_ID + 8];
	int64_t from_ms, to_ms;
	char after[WIRE_CURSOR]; /* the cursor this answer starts after; "" from the start */
	int more;                /* 1: more records match after this answer */
	char next[WIRE_CURSOR];  /* with more: ask again with after=next ("" otherwise) */
	size_t count;
	struct wire_record *records;
};

/* GET /trace/curve?fill=UUID (regulators): one fill's weight curve. */
struct wire_curve {
	char fill[WIRE_UUID];
	char station[WIRE_ID];
	char cylinder[WIRE_ID];
	int line;
	uint8_t *curve; /* owned; freed by wire_curve_free */
	size_t curve_len;
};

/* GET /stations (regulators): what the county holds of each station. */
struct wire_station {
	char id[WIRE_ID];
	char township[WIRE_TOWNSHIP];
	int64_t hwm;          /* every seq 1..hwm held */
	int64_t max_seq;      /* highest seq held (> hwm: a gap) */
	int64_t gap_since_ms; /* 0 when no gap */
	int64_t last_seen_ms;
	int64_t backlog; /* from the last heartbeat */
	char status[WIRE_TEXT];
	int64_t clock_skew_ms; /* the last heartbeat's time less the county's clock (0: none) */
	int clock_wrong;       /* 1 while the county holds the station's clock wrong (C14) */
};

struct wire_station_list {
	size_t count;
	struct wire_station *stations;
};

int wire_encode_batch(const struct wire_batch *b, uint8_t **out, size_t *outlen);
int wire_decode_batch(const uint8_t *buf, size_t len, struct wire_batch *b, char *err,
    size_t errlen);
void wire_batch_free(struct wire_batch *b);

int wire_encode_ack(const struct wire_ack *a, uint8_t **out, size_t *outlen);
int wire_decode_ack(const uint8_t *buf, size_t len, struct wire_ack *a, char *err, size_t errlen);

int wire_encode_heartbeat(const struct wire_heartbeat *h, uint8_t **out, size_t *outlen);
int wire_decode_heartbeat(const uint8_t *buf, size_t len, struct wire_heartbeat *h, char *err,
    size_t errlen);

int wire_encode_registry(const struct wire_registry *r, uint8_t **out, size_t *outlen);
int wire_decode_registry(const uint8_t *buf, size_t len, struct wire_registry *r, char *err,
    size_t errlen);
void wire_registry_free(struct wire_registry *r);

int wire_encode_alerts(const struct wire_alert_list *l, uint8_t **out, size_t *outlen);
int wire_decode_alerts(const uint8_t *buf, size_t len, struct wire_alert_list *l, char *err,
    size_t errlen);
void wire_alerts_free(struct wire_alert_list *l);

int wire_encode_disposition(const struct wire_disposition *d, uint8_t **out, size_t *outlen);
int wire_decode_disposition(const uint8_t *buf, size_t len, struct wire_disposition *d, char *err,
    size_t errlen);

int wire_encode_trace(const struct wire_trace *t, uint8_t **out, size_t *outlen);
int wire_decode_trace(const uint8_t *buf, size_t len, struct wire_trace *t, char *err,
    size_t errlen);
void wire_trace_free(struct wire_trace *t);

int wire_encode_stations(const struct wire_station_list *l, uint8_t **out, size_t *outlen);
int wire_decode_stations(const uint8_t *buf, size_t len, struct wire_station_list *l, char *err,
    size_t errlen);
void wire_stations_free(struct wire_station_list *l);

int wire_encode_curve(const struct wire_curve *c, uint8_t **out, size_t *outlen);
int wire_decode_curve(const uint8_t *buf, size_t len, struct wire_curve *c, char *err,
    size_t errlen);
void wire_curve_free(struct wire_curve *c);

/* Release a record's violations and curve (records inside batches/traces are
 * released by their container). */
void wire_record_clear(struct wire_record *r);

/* When a record happened, as traces order it: a fill's start, a life
 * event's time as the county took it (taken_ms; its at_ms when the answer
 * does not say), otherwise the record's creation. */
int64_t wire_record_time(const struct wire_record *r);

/* The cursor just after record r. */
void wire_cursor_of(const struct wire_record *r, struct wire_cursor *c);
/* A cursor as text (digits, '-', '.' and hex digits only), and back: 0, or
 * -1 for text that is not a cursor (*c then unchanged). */
void wire_cursor_format(const struct wire_cursor *c, char out[WIRE_CURSOR]);
int wire_cursor_parse(const char *text, struct wire_cursor *c);

/*
 * Render any CBOR payload of this protocol as JSON text (maps with text keys,
 * arrays, integers, floats, text, booleans, null; byte strings as hex).
 * Every float of the protocol is a weight in kg: it is written to the gram
 * (weight.h), 14.841 and never 14.840999999999999.
 * On success *out is a malloc'd NUL-terminated string the caller frees.
 */
int wire_cbor_to_json(const uint8_t *buf, size_t len, char **out, char *err, size_t errlen);

#endif
