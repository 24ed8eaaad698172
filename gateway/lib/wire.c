/*
 * wire: CBOR encoding and bounded decoding of the county-link messages
 * (see wire.h and docs/protocol.md for the keys).
 *
 * Decoding happens in two steps.  First a small walker of our own checks
 * the raw bytes: every declared length fits in what is left of the buffer,
 * nesting is shallow, items and strings are within their bounds, no
 * indefinite lengths or tags, nothing after the top item (wire.h, "what one
 * payload may cost").  Then the message's table (cbormap.h) reads the
 * bytes as a stream into fixed-size structs, building no tree: unknown keys
 * are skipped (newer peers may add some), missing required ones, wrong
 * types, a key given twice and anything over its field's bounds are
 * refused with the field's path.  Each message is described once, in step
 * 2; encoding and decoding are both driven from that table.
 */
#include <cbor.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cbormap.h"
#include "util.h"
#include "weight.h"
#include "wire.h"

/* a field's own limit, which names the field, must be met before the walk's */
_Static_assert(WIRE_MAX_STRING > WIRE_MAX_CURVE && WIRE_MAX_STRING > WIRE_TEXT,
    "WIRE_MAX_STRING below a field's size");

/* ---- step 1: structural check of the raw bytes --------------------------- */

/* What the walk has seen so far, and why it stopped. */
struct walk {
	size_t items; /* data items, keys and values alike */
	const char *why;
};

static int
read_head(const uint8_t *buf, size_t len, size_t *pos, int *major, uint64_t *arg)
{
	uint8_t ib, info;
	size_t n, i;

	if (*pos >= len)
		return -1;
	ib = buf[(*pos)++];
	*major = ib >> 5;
	info = ib & 0x1f;
	if (info < 24) {
		*arg = info;
		return 0;
	}
	if (info > 27)
		return -1; /* reserved, or indefinite length (31): not used here */
	n = (size_t)1 << (info - 24);
	if (len - *pos < n)
		return -1;
	*arg = 0;
	for (i = 0; i < n; i++)
		*arg = (*arg << 8) | buf[(*pos)++];
	return 0;
}

static int
check_item(const uint8_t *buf, size_t len, size_t *pos, int depth, struct walk *w)
{
	int major;
	uint64_t arg, i, count;

	if (depth > WIRE_MAX_DEPTH)
		return w->why = "nesting is too deep", -1;
	if (++w->items > WIRE_MAX_ITEMS)
		return w->why = "too many items", -1;
	if (read_head(buf, len, pos, &major, &arg) == -1)
		return -1;
	switch (major) {
	case 0: /* unsigned */
	case 1: /* negative */
		return 0;
	case 2: /* bytes */
	case 3: /* text */
		if (arg > len - *pos)
			return -1;
		if (arg > WIRE_MAX_STRING)
			return w->why = "a string is too long", -1;
		*pos += (size_t)arg;
		return 0;
	case 4: /* array */
	case 5: /* map */
		/* every element takes at least one byte */
		count = major == 5 ? arg * 2 : arg;
		if (arg > len || count > len - *pos)
			return -1;
		for (i = 0; i < count; i++)
			if (check_item(buf, len, pos, depth + 1, w) == -1)
				return -1;
		return 0;
	case 7: /* simple values and floats: 20..22 false/true/null, 25..27 floats */
		return 0;
	default: /* 6: tags are not part of this protocol */
		return -1;
	}
}

/* Step 1 for (buf, len) (wire.h): 0, or -1 with the reason in err. */
int
wire_cbor_check(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	struct walk walk = { 0, NULL };
	size_t pos = 0;

	if (buf == NULL || len == 0)
		return err_set(err, errlen, "empty payload");
	if (len > WIRE_MAX_PAYLOAD)
		return err_set(err, errlen, "payload of %zu bytes is over %u", len,
		    WIRE_MAX_PAYLOAD);
	if (check_item(buf, len, &pos, 0, &walk) == -1) {
		if (walk.why != NULL)
			return err_set(err, errlen,
			    "%s near byte %zu (at most %u items, %u bytes a string, %d levels)",
			    walk.why, pos, WIRE_MAX_ITEMS, WIRE_MAX_STRING, WIRE_MAX_DEPTH);
		return err_set(err, errlen, "malformed CBOR near byte %zu", pos);
	}
	if (pos != len)
		return err_set(err, errlen, "%zu bytes after the message", len - pos);
	return 0;
}

/* ---- step 2: the messages, each described once ------------------------------ */

/*
 * Every message is a table of fields (cbormap.h): key, type, where it lives
 * in the struct, its bounds, required or not.  The table drives encoding,
 * decoding and releasing; docs/protocol.md lists the same keys.  The order
 * of a table is the order of the keys on the wire.
 */
#define TEXT(s, m, k, fl)                                                                          \
	{                                                                                          \
		.key = k, .type = CBORMAP_TEXT, .offset = offsetof(s, m),                          \
		.size = sizeof(((s *)0)->m), .flags = fl                                           \
	}
#define ONEOF(s, m, k, fl, set)                                                                    \
	{                                                                                          \
		.key = k, .type = CBORMAP_TEXT, .offset = offsetof(s, m),                          \
		.size = sizeof(((s *)0)->m), .flags = fl, .oneof = set                             \
	}
#define INT(s, m, k, fl)                                                                           \
	{                                                                                          \
		.key = k, .type = CBORMAP_INT, .offset = offsetof(s, m), .flags = fl               \
	}
#define INT_FROM(s, m, k, fl, lo)                                                                  \
	{                                                                                          \
		.key = k, .type = CBORMAP_INT, .offset = offsetof(s, m), .flags = fl, .min = lo,   \
		.max = INT64_MAX                                                                   \
	}
#define SMALL(s, m, k, fl)                                                                         \
	{                                                                                          \
		.key = k, .type = CBORMAP_SMALL, .offset = offsetof(s, m), .flags = fl             \
	}
#define KG(s, m, k)                                                                                \
	{                                                                                          \
		.key = k, .type = CBORMAP_KG, .offset = offsetof(s, m)                             \
	}
#define BOOL(s, m, k, fl)                                                                          \
	{                                                                                          \
		.key = k, .type = CBORMAP_BOOL, .offset = offsetof(s, m), .flags = fl              \
	}
#define BYTES(s, m, n, k, fl, max)                                                                 \
	{                                                                                          \
		.key = k, .type = CBORMAP_BYTES, .offset = offsetof(s, m), .aux = offsetof(s, n),  \
		.size = max, .flags = fl                                                           \
	}
#define MAP(s, m, has, k, msg)                                                                     \
	{                                                                                          \
		.key = k, .type = CBORMAP_MAP, .offset = offsetof(s, m), .aux = offsetof(s, has),  \
		.sub = &msg                                                                        \
	}
#define ARRAY(s, m, n, k, fl, max, msg)                                                            \
	{                                                                                          \
		.key = k, .type = CBORMAP_ARRAY, .offset = offsetof(s, m), .aux = offsetof(s, n),  \
		.size = max, .flags = fl, .sub = &msg                                              \
	}

#define REQ CBORMAP_REQUIRED
#define OPT 0

static const struct cbormap_field violation_fields[] = {
	TEXT(struct wire_violation, uuid, "uuid", REQ),
	TEXT(struct wire_violation, rule, "rule", REQ),
	TEXT(struct wire_violation, severity, "sev", REQ),
	TEXT(struct wire_violation, township, "town", OPT),
	TEXT(struct wire_violation, details, "details", OPT),
	TEXT(struct wire_violation, cylinder, "cyl", OPT),
	TEXT(struct wire_violation, buyer, "buyer", OPT),
	TEXT(struct wire_violation, buyer_masked, "masked", OPT),
	SMALL(struct wire_violation, line, "line", CBORMAP_OMIT_ZERO),
	INT(struct wire_violation, at_ms, "at", REQ),
};
static const struct cbormap_msg violation_msg = { "violation", sizeof(struct wire_violation),
	CBORMAP_FIELDS(violation_fields), NULL };

static const struct cbormap_field fill_fields[] = {
	SMALL(struct wire_fill, line, "line", REQ),
	TEXT(struct wire_fill, cylinder, "cyl", REQ),
	TEXT(struct wire_fill, buyer, "buyer", OPT),
	TEXT(struct wire_fill, buyer_masked, "masked", OPT),
	TEXT(struct wire_fill, buyer_township, "btown", OPT),
	TEXT(struct wire_fill, buyer_kind, "bkind", OPT),
	TEXT(struct wire_fill, buyer_address, "baddr", OPT),
	TEXT(struct wire_fill, operator_cert, "op", OPT),
	INT(struct wire_fill, started_ms, "start", REQ),
	INT(struct wire_fill, ended_ms, "end", OPT),
	KG(struct wire_fill, tare_kg, "tare"),
	KG(struct wire_fill, target_kg, "target"),
	KG(struct wire_fill, preact_kg, "preact"),
	KG(struct wire_fill, cutoff_kg, "cutoff"),
	KG(struct wire_fill, gross_kg, "gross"),
	KG(struct wire_fill, net_kg, "net"),
	TEXT(struct wire_fill, result, "result", REQ),
	BYTES(struct wire_fill, curve, curve_len, "curve", OPT, WIRE_MAX_CURVE),
};
static const struct cbormap_msg fill_msg = { "fill", sizeof(struct wire_fill),
	CBORMAP_FIELDS(fill_fields), NULL };

/* A life event's place: lat and lon of struct wire_life, side by side, read
 * and written as one nested map (present when has_position). */
struct life_position {
	double lat, lon;
};
_Static_assert(offsetof(struct wire_life, lon) - offsetof(struct wire_life, lat) ==
                   offsetof(struct life_position, lon),
    "wire_life's lat and lon are not laid out as struct life_position");

static const struct cbormap_field place_fields[] = {
	{ .key = "lat6",
	    .type = CBORMAP_E6,
	    .offset = offsetof(struct life_position, lat),
	    .flags = REQ,
	    .min = -90000000,
	    .max = 90000000 },
	{ .key = "lon6",
	    .type = CBORMAP_E6,
	    .offset = offsetof(struct life_position, lon),
	    .flags = REQ,
	    .min = -180000000,
	    .max = 180000000 },
};
static const struct cbormap_msg place_msg = { "place", sizeof(struct life_position),
	CBORMAP_FIELDS(place_fields), NULL };

static const char *const life_events[] = { "dispatched", "received", "handed_over", "returned",
	"inspection_out", "inspection_back", "scrapped", NULL };
static const char *const buyer_kinds[] = { "household", "business", NULL };
static const char *const inspection_results[] = { "pass", "fail", NULL };

/* A buyer id is the hex HMAC-SHA256 of the number (buyer.h), lower case. */
static int
buyer_id_ok(const char *s)
{
	size_t i;

	if (s[0] == '\0')
		return 1;
	if (strlen(s) != WIRE_BUYER - 1)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static const char *const life_chains[] = { "", "in", "loose", "out", NULL };

/* What each event needs beyond the fields every one has. */
static int
life_check(const void *obj, char *err, size_t errlen)
{
	const struct wire_life *l = obj;
	int32_t days;

	if (!buyer_id_ok(l->buyer))
		return err_set(err, errlen, "buyer: not a 64-digit lower-case hex id");
	if (strcmp(l->event, "dispatched") == 0 && l->worker[0] == '\0')
		return err_set(err, errlen, "worker: missing (dispatched to whom)");
	if (strcmp(l->event, "handed_over") == 0 &&
	    (l->buyer[0] == '\0' || l->buyer_masked[0] == '\0'))
		return err_set(err, errlen, "buyer: missing (handed over to whom)");
	if (strcmp(l->event, "inspection_back") == 0) {
		if (l->result[0] == '\0')
			return err_set(err, errlen, "result: missing (pass or fail)");
		if (strlen(l->next_due) != 10 || date_parse(l->next_due, &days) == -1)
			return err_set(err, errlen, "next_due: not YYYY-MM-DD");
	} else if (l->result[0] != '\0' || l->next_due[0] != '\0')
		return err_set(err, errlen, "result, next_due: only on inspection_back");
	if (strcmp(l->event, "scrapped") == 0 && l->reason[0] == '\0')
		return err_set(err, errlen, "reason: missing (why scrapped)");
	return 0;
}

static const struct cbormap_field life_fields[] = {
	ONEOF(struct wire_life, event, "event", REQ, life_events),
	TEXT(struct wire_life, serial, "serial", REQ),
	TEXT(struct wire_life, code, "code", OPT),
	TEXT(struct wire_life, actor, "actor", REQ),
	TEXT(struct wire_life, worker, "worker", OPT),
	TEXT(struct wire_life, buyer, "buyer", OPT),
	TEXT(struct wire_life, buyer_masked, "masked", OPT),
	TEXT(struct wire_life, buyer_township, "btown", OPT),
	ONEOF(struct wire_life, buyer_kind, "bkind", OPT, buyer_kinds),
	TEXT(struct wire_life, village, "village", OPT),
	MAP(struct wire_life, lat, has_position, "place", place_msg),
	ONEOF(struct wire_life, result, "result", OPT, inspection_results),
	TEXT(struct wire_life, next_due, "next_due", OPT),
	TEXT(struct wire_life, reason, "reason", OPT),
	INT_FROM(struct wire_life, at_ms, "at", REQ, 1),
	INT(struct wire_life, taken_ms, "taken", CBORMAP_OMIT_ZERO),
	ONEOF(struct wire_life, chain, "chain", OPT, life_chains),
};
static const struct cbormap_msg life_msg = { "life", sizeof(struct wire_life),
	CBORMAP_FIELDS(life_fields), life_check };

static const char *const record_kinds[] = { "fill", "refusal", "event", "life", NULL };

static int
record_check(const void *obj, char *err, size_t errlen)
{
	const struct wire_record *r = obj;

	if (strcmp(r->kind, "fill") == 0 && !r->has_fill)
		return err_set(err, errlen, "a fill record without its fill");
	if ((strcmp(r->kind, "life") == 0) != (r->has_life != 0))
		return err_set(err, errlen,
		    r->has_life ? "a life part on a record not of kind life"
		                : "a life record without its life part");
	if (r->has_life && r->has_fill)
		return err_set(err, errlen, "a life record with a fill");
	return 0;
}

static const struct cbormap_field record_fields[] = {
	TEXT(struct wire_record, station, "st", OPT),
	INT_FROM(struct wire_record, seq, "seq", REQ, 1),
	TEXT(struct wire_record, uuid, "uuid", REQ),
	ONEOF(struct wire_record, kind, "kind", REQ, record_kinds),
	INT(struct wire_record, created_ms, "at", OPT),
	MAP(struct wire_record, fill, has_fill, "fill", fill_msg),
	MAP(struct wire_record, life, has_life, "life", life_msg),
	ARRAY(struct wire_record, violations, violation_count, "viol", OPT, WIRE_MAX_VIOLATIONS,
	    violation_msg),
};
static const struct cbormap_msg record_msg = { "record", sizeof(struct wire_record),
	CBORMAP_FIELDS(record_fields), record_check };

static const struct cbormap_field batch_fields[] = {
	TEXT(struct wire_batch, station, "station", OPT),
	TEXT(struct wire_batch, township, "township", OPT),
	ARRAY(struct wire_batch, records, count, "records", REQ | CBORMAP_ALWAYS, WIRE_MAX_RECORDS,
	    record_msg),
};
static const struct cbormap_msg batch_msg = { "batch", sizeof(struct wire_batch),
	CBORMAP_FIELDS(batch_fields), NULL };

static const struct cbormap_field ack_fields[] = {
	INT_FROM(struct wire_ack, hwm, "hwm", REQ, 0),
	INT(struct wire_ack, stored, "stored", OPT),
	INT(struct wire_ack, duplicates, "dup", OPT),
	INT_FROM(struct wire_ack, held, "held", CBORMAP_OMIT_ZERO, 0),
	INT_FROM(struct wire_ack, conflicts, "conflict", CBORMAP_OMIT_ZERO, 0),
};
static const struct cbormap_msg ack_msg = { "ack", sizeof(struct wire_ack),
	CBORMAP_FIELDS(ack_fields), NULL };

static const struct cbormap_field heartbeat_fields[] = {
	TEXT(struct wire_heartbeat, station, "station", OPT),
	TEXT(struct wire_heartbeat, township, "township", OPT),
	INT(struct wire_heartbeat, at_ms, "at", REQ),
	INT(struct wire_heartbeat, backlog, "backlog", OPT),
	INT(struct wire_heartbeat, oldest_ms, "oldest", OPT),
	INT(struct wire_heartbeat, last_ack, "last_ack", OPT),
	INT(struct wire_heartbeat, registry_version, "regv", OPT),
	TEXT(struct wire_heartbeat, status, "status", OPT),
};
static const struct cbormap_msg heartbeat_msg = { "heartbeat", sizeof(struct wire_heartbeat),
	CBORMAP_FIELDS(heartbeat_fields), NULL };

static const char *const registry_statuses[] = { "active", "scrapped", "retired", NULL };

static int
date_ok(const char *s)
{
	int32_t days;

	return s[0] == '\0' || (strlen(s) == 10 && date_parse(s, &days) == 0);
}

static int
registry_row_check(const void *obj, char *err, size_t errlen)
{
	const struct wire_registry_row *row = obj;

	if (!date_ok(row->last_inspection) || !date_ok(row->next_inspection))
		return err_set(err, errlen, "inspection date is not YYYY-MM-DD");
	return 0;
}

static const struct cbormap_field registry_row_fields[] = {
	TEXT(struct wire_registry_row, serial, "serial", REQ),
	ONEOF(struct wire_registry_row, status, "status", REQ, registry_statuses),
	TEXT(struct wire_registry_row, last_inspection, "last", OPT),
	TEXT(struct wire_registry_row, next_inspection, "next", OPT),
	TEXT(struct wire_registry_row, owner, "owner", OPT),
	INT(struct wire_registry_row, version, "v", OPT),
};
static const struct cbormap_msg registry_row_msg = { "row", sizeof(struct wire_registry_row),
	CBORMAP_FIELDS(registry_row_fields), registry_row_check };

static const struct cbormap_field registry_fields[] = {
	INT(struct wire_registry, version, "version", REQ),
	BOOL(struct wire_registry, more, "more", OPT),
	ARRAY(struct wire_registry, rows, count, "rows", CBORMAP_ALWAYS, WIRE_MAX_ROWS,
	    registry_row_msg),
};
static const struct cbormap_msg registry_msg = { "registry delta", sizeof(struct wire_registry),
	CBORMAP_FIELDS(registry_fields), NULL };

static const struct cbormap_field alert_fields[] = {
	INT(struct wire_alert, id, "id", REQ),
	TEXT(struct wire_alert, rule, "rule", REQ),
	TEXT(struct wire_alert, severity, "sev", OPT),
	TEXT(struct wire_alert, township, "town", OPT),
	TEXT(struct wire_alert, station, "station", OPT),
	TEXT(struct wire_alert, cylinder, "cyl", OPT),
	TEXT(struct wire_alert, buyer_masked, "masked", OPT),
	TEXT(struct wire_alert, text, "text", OPT),
	INT(struct wire_alert, at_ms, "at", OPT),
	TEXT(struct wire_alert, disposition, "disp", OPT),
	TEXT(struct wire_alert, disposed_by, "by", OPT),
	INT(struct wire_alert, disposed_ms, "disp_at", CBORMAP_OMIT_ZERO),
};
static const struct cbormap_msg alert_msg = { "alert", sizeof(struct wire_alert),
	CBORMAP_FIELDS(alert_fields), NULL };

static const struct cbormap_field alert_list_fields[] = {
	INT(struct wire_alert_list, last, "last", REQ),
	ARRAY(struct wire_alert_list, alerts, count, "alerts", CBORMAP_ALWAYS, WIRE_MAX_ALERTS,
	    alert_msg),
};
static const struct cbormap_msg alert_list_msg = { "alert list", sizeof(struct wire_alert_list),
	CBORMAP_FIELDS(alert_list_fields), NULL };

static const struct cbormap_field disposition_fields[] = {
	INT_FROM(struct wire_disposition, id, "id", REQ, 1),
	TEXT(struct wire_disposition, note, "note", REQ),
};
static const struct cbormap_msg disposition_msg = { "disposition", sizeof(struct wire_disposition),
	CBORMAP_FIELDS(disposition_fields), NULL };

static int
trace_check(const void *obj, char *err, size_t errlen)
{
	const struct wire_trace *t = obj;
	struct wire_cursor cursor;

	/* an answer that says "more" must say where to go on from */
	if (t->more && wire_cursor_parse(t->next, &cursor) == -1)
		return err_set(err, errlen, "'more' without a cursor in 'next'");
	if (t->after[0] != '\0' && wire_cursor_parse(t->after, &cursor) == -1)
		return err_set(err, errlen, "'after' is not a cursor");
	return 0;
}

static const struct cbormap_field trace_fields[] = {
	TEXT(struct wire_trace, query, "query", REQ),
	TEXT(struct wire_trace, key, "key", OPT),
	INT(struct wire_trace, from_ms, "from", OPT),
	INT(struct wire_trace, to_ms, "to", OPT),
	TEXT(struct wire_trace, after, "after", OPT),
	BOOL(struct wire_trace, more, "more", OPT),
	TEXT(struct wire_trace, next, "next", OPT),
	ARRAY(struct wire_trace, records, count, "records", CBORMAP_ALWAYS, WIRE_MAX_RECORDS,
	    record_msg),
};
static const struct cbormap_msg trace_msg = { "trace", sizeof(struct wire_trace),
	CBORMAP_FIELDS(trace_fields), trace_check };

static const struct cbormap_field station_fields[] = {
	TEXT(struct wire_station, id, "id", REQ),
	TEXT(struct wire_station, township, "town", OPT),
	INT(struct wire_station, hwm, "hwm", REQ),
	INT(struct wire_station, max_seq, "max", OPT),
	INT(struct wire_station, gap_since_ms, "gap_since", OPT),
	INT(struct wire_station, last_seen_ms, "seen", OPT),
	INT(struct wire_station, backlog, "backlog", OPT),
	TEXT(struct wire_station, status, "status", OPT),
	INT(struct wire_station, clock_skew_ms, "clock_skew", CBORMAP_OMIT_ZERO),
	BOOL(struct wire_station, clock_wrong, "clock_wrong", CBORMAP_OMIT_ZERO),
};
static const struct cbormap_msg station_msg = { "station", sizeof(struct wire_station),
	CBORMAP_FIELDS(station_fields), NULL };

static const struct cbormap_field station_list_fields[] = {
	ARRAY(struct wire_station_list, stations, count, "stations", REQ | CBORMAP_ALWAYS,
	    WIRE_MAX_ROWS, station_msg),
};
static const struct cbormap_msg station_list_msg = { "station list",
	sizeof(struct wire_station_list), CBORMAP_FIELDS(station_list_fields), NULL };

static int
curve_check(const void *obj, char *err, size_t errlen)
{
	if (((const struct wire_curve *)obj)->curve == NULL)
		return err_set(err, errlen, "'curve' is empty");
	return 0;
}

static const struct cbormap_field curve_fields[] = {
	TEXT(struct wire_curve, fill, "fill", REQ),
	TEXT(struct wire_curve, station, "station", REQ),
	TEXT(struct wire_curve, cylinder, "cyl", OPT),
	SMALL(struct wire_curve, line, "line", OPT),
	BYTES(struct wire_curve, curve, curve_len, "curve", REQ, WIRE_MAX_CURVE),
};
static const struct cbormap_msg curve_msg = { "curve", sizeof(struct wire_curve),
	CBORMAP_FIELDS(curve_fields), curve_check };

/* Check the raw bytes (step 1), then decode with the message's table. */
static int
decode(const struct cbormap_msg *msg, const uint8_t *buf, size_t len, void *obj, char *err,
    size_t errlen)
{
	if (wire_cbor_check(buf, len, err, errlen) == -1) {
		memset(obj, 0, msg->size);
		return -1;
	}
	return cbormap_decode(msg, buf, len, WIRE_MAX_DECODED, obj, err, errlen);
}

/* ---- the public functions: one line each, the tables do the rest ------------ */

int
wire_encode_batch(const struct wire_batch *b, uint8_t **out, size_t *outlen)
{
	return cbormap_encode(&batch_msg, b, out, outlen);
}

int
wire_decode_batch(const uint8_t *buf, size_t len, struct wire_batch *b, char *err, size_t errlen)
{
	return decode(&batch_msg, buf, len, b, err, errlen);
}

void
wire_batch_free(struct wire_batch *b)
{
	if (b == NULL)
		return;
	cbormap_free(&batch_msg, b);
	memset(b, 0, sizeof(*b));
}

void
wire_record_clear(struct wire_record *r)
{
	if (r != NULL)
		cbormap_free(&record_msg, r);
}

int
wire_encode_ack(const struct wire_ack *a, uint8_t **out, size_t *outlen)
{
	return cbormap_encode(&ack_msg, a, out, outlen);
}

int
wire_decode_ack(const uint8_t *buf, size_t len, struct wire_ack *a, char *err, size_t errlen)
{
	return decode(&ack_msg, buf, len, a, err, errlen);
}

int
wire_encode_heartbeat(const struct wire_heartbeat *h, uint8_t **out, size_t *outlen)
{
	return cbormap_encode(&heartbeat_msg, h, out, outlen);
}

int
wire_decode_heartbeat(const uint8_t *buf, size_t len, struct wire_heartbeat *h, char *err,
    size_t errlen)
{
	return decode(&heartbeat_msg, buf, len, h, err, errlen);
}

int
wire_encode_registry(const struct wire_registry *r, uint8_t **out, size_t *outlen)
{
	return cbormap_encode(&registry_msg, r, out, outlen);
}

int
wire_decode_registry(const uint8_t *buf, size_t len, struct wire_registry *r, char *err,
    size_t errlen)
{
	return decode(&registry_msg, buf, len, r, err, errlen);
}

void
wire_registry_free(struct wire_registry *r)
{
	if (r == NULL)
		return;
	cbormap_free(&registry_msg, r);
	memset(r, 0, sizeof(*r));
}

int
wire_encode_alerts(const struct wire_alert_list *l, uint8_t **out, size_t *outlen)
{
	return cbormap_encode(&alert_list_msg, l, out, outlen);
}

int
wire_decode_alerts(const uint8_t *buf, size_t len, struct wire_alert_list *l, char *err,
    size_t errlen)
{
	return decode(&alert_list_msg, buf, len, l, err, errlen);
}

void
wire_alerts_free(struct wire_alert_list *l)
{
	if (l == NULL)
		return;
	cbormap_free(&alert_list_msg, l);
	memset(l, 0, sizeof(*l));
}

int
wire_encode_disposition(const struct wire_disposition *d, uint8_t **out, size_t *outlen)
{
	return cbormap_encode(&disposition_msg, d, out, outlen);
}

int
wire_decode_disposition(const uint8_t *buf, size_t len, struct wire_disposition *d, char *err,
    size_t errlen)
{
	return decode(&disposition_msg, buf, len, d, err, errlen);
}

int
wire_encode_trace(const struct wire_trace *t, uint8_t **out, size_t *outlen)
{
	return cbormap_encode(&trace_msg, t, out, outlen);
}

int
wire_decode_trace(const uint8_t *buf, size_t len, struct wire_trace *t, char *err, size_t errlen)
{
	return decode(&trace_msg, buf, len, t, err, errlen);
}

void
wire_trace_free(struct wire_trace *t)
{
	if (t == NULL)
		return;
	cbormap_free(&trace_msg, t);
	memset(t, 0, sizeof(*t));
}

int
wire_encode_stations(const struct wire_station_list *l, uint8_t **out, size_t *outlen)
{
	return cbormap_encode(&station_list_msg, l, out, outlen);
}

int
wire_decode_stations(const uint8_t *buf, size_t len, struct wire_station_list *l, char *err,
    size_t errlen)
{
	return decode(&station_list_msg, buf, len, l, err, errlen);
}

void
wire_stations_free(struct wire_station_list *l)
{
	if (l == NULL)
		return;
	cbormap_free(&station_list_msg, l);
	memset(l, 0, sizeof(*l));
}

int
wire_encode_curve(const struct wire_curve *c, uint8_t **out, size_t *outlen)
{
	return cbormap_encode(&curve_msg, c, out, outlen);
}

int
wire_decode_curve(const uint8_t *buf, size_t len, struct wire_curve *c, char *err, size_t errlen)
{
	return decode(&curve_msg, buf, len, c, err, errlen);
}

void
wire_curve_free(struct wire_curve *c)
{
	if (c != NULL)
		cbormap_free(&curve_msg, c);
}

/* ---- traces --------------------------------------------------------------------- */

int64_t
wire_record_time(const struct wire_record *r)
{
	if (r->has_fill)
		return r->fill.started_ms;
	if (r->has_life)
		return r->life.taken_ms != 0 ? r->life.taken_ms : r->life.at_ms;
	return r->created_ms;
}

void
wire_cursor_of(const struct wire_record *r, struct wire_cursor *c)
{
	memset(c, 0, sizeof(*c));
	c->at_ms = wire_record_time(r);
	str_copy(c->station, r->station, sizeof(c->station));
	c->seq = r->seq;
}

void
wire_cursor_format(const struct wire_cursor *c, char out[WIRE_CURSOR])
{
	char hex[2 * WIRE_ID + 1];
	int n;

	hex_encode((const uint8_t *)c->station, strnlen(c->station, WIRE_ID - 1), hex);
	n = snprintf(out, WIRE_CURSOR, "%lld.%lld.%s", (long long)c->at_ms, (long long)c->seq, hex);
	if (n < 0 || n >= WIRE_CURSOR)
		out[0] = '\0'; /* cannot happen: the sizes above leave room */
}

/* A signed decimal at *p up to the next '.'; advances past the dot. */
static int
cursor_number(const char **p, int64_t *out)
{
	char *end;
	long long v;

	if (!(**p == '-' || (**p >= '0' && **p <= '9')))
		return -1;
	errno = 0;
	v = strtoll(*p, &end, 10);
	if (errno != 0 || end == *p || *end != '.')
		return -1;
	*out = v;
	*p = end + 1;
	return 0;
}

int
wire_cursor_parse(const char *text, struct wire_cursor *c)
{
	struct wire_cursor tmp;
	const char *p = text;
	size_t n;

	memset(&tmp, 0, sizeof(tmp));
	if (strnlen(text, WIRE_CURSOR) >= WIRE_CURSOR || cursor_number(&p, &tmp.at_ms) == -1 ||
	    cursor_number(&p, &tmp.seq) == -1 || tmp.seq < 1)
		return -1;
	n = strlen(p);
	if (n == 0 || n % 2 != 0 || n / 2 >= sizeof(tmp.station) ||
	    hex_decode(p, (uint8_t *)tmp.station, n / 2) == -1)
		return -1;
	tmp.station[n / 2] = '\0';
	/* a station id is printable text: no NUL inside, nothing below a space */
	for (size_t i = 0; i < n / 2; i++)
		if ((unsigned char)tmp.station[i] <= ' ' || tmp.station[i] == 0x7f)
			return -1;
	*c = tmp;
	return 0;
}

/* ---- JSON ---------------------------------------------------------------------- */

/* Step 1, then libcbor's tree of the whole payload (for the generic JSON
 * rendering, which knows no message: its work is bounded by step 1). */
static cbor_item_t *
load(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	struct cbor_load_result result;
	cbor_item_t *item;

	if (wire_cbor_check(buf, len, err, errlen) == -1)
		return NULL;
	item = cbor_load(buf, len, &result);
	if (item == NULL)
		return err_set(err, errlen, "CBOR rejected (code %d at %zu)",
		           (int)result.error.code, result.error.position),
		       NULL;
	if (!cbor_isa_map(item)) {
		cbor_decref(&item);
		return err_set(err, errlen, "message is not a map"), NULL;
	}
	return item;
}

static int
item_int(const cbor_item_t *v, int64_t *out)
{
	uint64_t u;

	if (cbor_isa_uint(v)) {
		u = cbor_get_int(v);
		if (u > INT64_MAX)
			return -1;
		*out = (int64_t)u;
		return 0;
	}
	if (cbor_isa_negint(v)) {
		u = cbor_get_int(v);
		if (u > INT64_MAX)
			return -1;
		*out = -1 - (int64_t)u;
		return 0;
	}
	return -1;
}

/* libcbor asserts when asked whether a float is a boolean: ask only ctrls */
static int
is_ctrl(const cbor_item_t *v)
{
	return cbor_isa_float_ctrl(v) && cbor_float_get_width(v) == CBOR_FLOAT_0;
}

static json_t *
to_json(const cbor_item_t *item, int depth)
{
	json_t *j = NULL, *v;
	struct cbor_pair *pairs;
	cbor_item_t **items;
	size_t i, n;
	int64_t iv;
	char *s, key[WIRE_TEXT];

	if (depth > WIRE_MAX_DEPTH)
		return NULL;
	if (item_int(item, &iv) == 0)
		return json_integer(iv);
	switch (cbor_typeof(item)) {
	case CBOR_TYPE_UINT:
	case CBOR_TYPE_NEGINT:
		return json_real((double)cbor_get_int(item)); /* beyond int64: approximate */
	case CBOR_TYPE_STRING:
		if (!cbor_string_is_definite(item))
			return NULL;
		/* NULL for invalid UTF-8: JSON text must be valid */
		return json_stringn((const char *)cbor_string_handle(item),
		    cbor_string_length(item));
	case CBOR_TYPE_BYTESTRING:
		if (!cbor_bytestring_is_definite(item))
			return NULL;
		n = cbor_bytestring_length(item);
		if ((s = malloc(2 * n + 1)) == NULL)
			return NULL;
		hex_encode(cbor_bytestring_handle(item), n, s);
		j = json_string(s);
		free(s);
		return j;
	case CBOR_TYPE_ARRAY:
		j = json_array();
		items = cbor_array_handle(item);
		n = cbor_array_size(item);
		for (i = 0; j != NULL && i < n; i++) {
			if ((v = to_json(items[i], depth + 1)) == NULL ||
			    json_array_append_new(j, v) == -1) {
				json_decref(j);
				return NULL;
			}
		}
		return j;
	case CBOR_TYPE_MAP:
		j = json_object();
		pairs = cbor_map_handle(item);
		n = cbor_map_size(item);
		for (i = 0; j != NULL && i < n; i++) {
			if (!cbor_isa_string(pairs[i].key) ||
			    !cbor_string_is_definite(pairs[i].key) ||
			    cbor_string_length(pairs[i].key) >= sizeof(key)) {
				json_decref(j);
				return NULL;
			}
			memcpy(key, cbor_string_handle(pairs[i].key),
			    cbor_string_length(pairs[i].key));
			key[cbor_string_length(pairs[i].key)] = '\0';
			if (strlen(key) != cbor_string_length(pairs[i].key) ||
			    (v = to_json(pairs[i].value, depth + 1)) == NULL ||
			    json_object_set_new(j, key, v) == -1) {
				json_decref(j);
				return NULL;
			}
		}
		return j;
	case CBOR_TYPE_FLOAT_CTRL:
		if (is_ctrl(item)) {
			if (cbor_is_bool(item))
				return json_boolean(cbor_get_bool(item));
			if (cbor_is_null(item) || cbor_is_undef(item))
				return json_null();
			return NULL;
		}
		/* every float of this protocol is a weight in kg: to the gram */
		return weight_json(cbor_float_get_float(item));
	default:
		return NULL;
	}
}

int
wire_cbor_to_json(const uint8_t *buf, size_t len, char **out, char *err, size_t errlen)
{
	cbor_item_t *root;
	json_t *j;

	*out = NULL;
	if ((root = load(buf, len, err, errlen)) == NULL)
		return -1;
	j = to_json(root, 0);
	cbor_decref(&root);
	if (j == NULL)
		return err_set(err, errlen, "message has no JSON form (invalid UTF-8?)");
	*out = json_dumps(j, JSON_COMPACT | WEIGHT_JSON_PRECISION);
	json_decref(j);
	if (*out == NULL)
		return err_set(err, errlen, "JSON rendering failed");
	return 0;
}
