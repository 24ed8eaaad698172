/*
 * wire: every county-link message survives encode -> decode unchanged, and
 * the decoders refuse malformed, oversized or mistyped input with a reason
 * instead of reading past the buffer or allocating what a header claims.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "wire.h"

static void
sample_record(struct wire_record *r, int64_t seq, int with_violation)
{
	memset(r, 0, sizeof(*r));
	str_copy(r->station, "S01", sizeof(r->station));
	r->seq = seq;
	snprintf(r->uuid, sizeof(r->uuid), "00000000-0000-4000-8000-%012llu",
	    (unsigned long long)seq % 1000000000000u);
	str_copy(r->kind, "fill", sizeof(r->kind));
	r->created_ms = 1795700000000 + seq;
	r->has_fill = 1;
	r->fill.line = 2;
	str_copy(r->fill.cylinder, "ZJ2020-000123", sizeof(r->fill.cylinder));
	memset(r->fill.buyer, 'a', 64);
	str_copy(r->fill.buyer_masked, "330***********1234", sizeof(r->fill.buyer_masked));
	str_copy(r->fill.buyer_township, "T2", sizeof(r->fill.buyer_township));
	str_copy(r->fill.buyer_kind, "household", sizeof(r->fill.buyer_kind));
	str_copy(r->fill.operator_cert, "OP1", sizeof(r->fill.operator_cert));
	r->fill.started_ms = 1795700000000;
	r->fill.ended_ms = 1795700090000;
	r->fill.tare_kg = 15.5;
	r->fill.target_kg = 14.9;
	r->fill.preact_kg = 0.21;
	r->fill.cutoff_kg = 14.69;
	r->fill.gross_kg = 30.41;
	r->fill.net_kg = 14.91;
	str_copy(r->fill.result, "ok", sizeof(r->fill.result));
	if (with_violation) {
		r->violations = calloc(1, sizeof(*r->violations));
		r->violation_count = 1;
		str_copy(r->violations[0].uuid, "11111111-0000-4000-8000-000000000001",
		    sizeof(r->violations[0].uuid));
		str_copy(r->violations[0].rule, "R11", sizeof(r->violations[0].rule));
		str_copy(r->violations[0].severity, "alert", sizeof(r->violations[0].severity));
		str_copy(r->violations[0].township, "T2", sizeof(r->violations[0].township));
		str_copy(r->violations[0].details, "buyer took 4 cylinders in 30 days",
		    sizeof(r->violations[0].details));
		r->violations[0].line = 2;
		r->violations[0].at_ms = -5; /* negative integers too */
		/* an R11 record carries the buyer's address ("baddr") */
		str_copy(r->fill.buyer_address, "东村12号", sizeof(r->fill.buyer_address));
	}
}

static void
batch_round_trips_with_fills_and_violations(void **state)
{
	struct wire_batch in, out;
	uint8_t *buf;
	size_t len, i;
	char err[128];

	(void)state;
	memset(&in, 0, sizeof(in));
	str_copy(in.station, "S01", sizeof(in.station));
	str_copy(in.township, "T1", sizeof(in.township));
	in.count = 3;
	in.records = calloc(3, sizeof(*in.records));
	for (i = 0; i < 3; i++)
		sample_record(&in.records[i], (int64_t)i + 1, i == 1);
	str_copy(in.records[2].kind, "event", sizeof(in.records[2].kind));
	in.records[2].has_fill = 0;
	memset(&in.records[2].fill, 0, sizeof(in.records[2].fill));

	assert_int_equal(wire_encode_batch(&in, &buf, &len), 0);
	assert_int_equal(wire_decode_batch(buf, len, &out, err, sizeof(err)), 0);
	assert_string_equal(out.station, "S01");
	assert_string_equal(out.township, "T1");
	assert_int_equal(out.count, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(out.records[i].seq, in.records[i].seq);
		assert_string_equal(out.records[i].uuid, in.records[i].uuid);
		assert_string_equal(out.records[i].kind, in.records[i].kind);
		assert_int_equal(out.records[i].has_fill, in.records[i].has_fill);
		assert_memory_equal(&out.records[i].fill, &in.records[i].fill,
		    sizeof(struct wire_fill));
		assert_int_equal(out.records[i].violation_count, in.records[i].violation_count);
	}
	assert_memory_equal(out.records[1].violations, in.records[1].violations,
	    sizeof(struct wire_violation));
	free(buf);
	wire_batch_free(&out);
	wire_batch_free(&in);
}

static void
small_messages_round_trip(void **state)
{
	struct wire_ack ack = { 123456789, 7, 3, 123456800, 2 }, ack2;
	struct wire_heartbeat hb, hb2;
	struct wire_disposition d = { 42, "visited; cylinders seized" }, d2;
	uint8_t *buf;
	size_t len;
	char err[128];

	(void)state;
	assert_int_equal(wire_encode_ack(&ack, &buf, &len), 0);
	assert_int_equal(wire_decode_ack(buf, len, &ack2, err, sizeof(err)), 0);
	assert_memory_equal(&ack, &ack2, sizeof(ack));
	free(buf);

	memset(&hb, 0, sizeof(hb));
	str_copy(hb.station, "S01", sizeof(hb.station));
	str_copy(hb.township, "T1", sizeof(hb.township));
	hb.at_ms = 1795700000000;
	hb.backlog = 70000;
	hb.oldest_ms = 1795600000000;
	hb.last_ack = 99;
	hb.registry_version = 5;
	str_copy(hb.status, "2 lines, 0 faults", sizeof(hb.status));
	assert_int_equal(wire_encode_heartbeat(&hb, &buf, &len), 0);
	assert_int_equal(wire_decode_heartbeat(buf, len, &hb2, err, sizeof(err)), 0);
	assert_memory_equal(&hb, &hb2, sizeof(hb));
	free(buf);

	assert_int_equal(wire_encode_disposition(&d, &buf, &len), 0);
	assert_int_equal(wire_decode_disposition(buf, len, &d2, err, sizeof(err)), 0);
	assert_memory_equal(&d, &d2, sizeof(d));
	free(buf);
}

static void
registry_and_alerts_round_trip(void **state)
{
	struct wire_registry_row rows[2] = {
		{ "ZJ1", "scrapped", "2020-01-02", "2024-01-02", "GasCo", 7 },
		{ "ZJ2", "active", "", "", "", 8 },
	};
	struct wire_registry reg = { 8, 1, 2, rows }, reg2;
	struct wire_alert alerts[1];
	struct wire_alert_list list = { 9, 1, alerts }, list2;
	uint8_t *buf;
	size_t len;
	char err[128];

	(void)state;
	assert_int_equal(wire_encode_registry(&reg, &buf, &len), 0);
	assert_int_equal(wire_decode_registry(buf, len, &reg2, err, sizeof(err)), 0);
	assert_int_equal(reg2.version, 8);
	assert_int_equal(reg2.more, 1);
	assert_int_equal(reg2.count, 2);
	assert_memory_equal(reg2.rows, rows, sizeof(rows));
	free(buf);
	wire_registry_free(&reg2);

	memset(alerts, 0, sizeof(alerts));
	alerts[0].id = 9;
	str_copy(alerts[0].rule, "C01", sizeof(alerts[0].rule));
	str_copy(alerts[0].severity, "alert", sizeof(alerts[0].severity));
	str_copy(alerts[0].township, "T1", sizeof(alerts[0].township));
	str_copy(alerts[0].text, "cloned code?", sizeof(alerts[0].text));
	alerts[0].at_ms = 1;
	str_copy(alerts[0].disposition, "checked", sizeof(alerts[0].disposition));
	str_copy(alerts[0].disposed_by, "township:T1", sizeof(alerts[0].disposed_by));
	alerts[0].disposed_ms = 2;
	assert_int_equal(wire_encode_alerts(&list, &buf, &len), 0);
	assert_int_equal(wire_decode_alerts(buf, len, &list2, err, sizeof(err)), 0);
	assert_int_equal(list2.last, 9);
	assert_int_equal(list2.count, 1);
	assert_memory_equal(list2.alerts, alerts, sizeof(alerts));
	free(buf);
	wire_alerts_free(&list2);
}

static void
trace_round_trips_and_renders_as_json(void **state)
{
	struct wire_trace t, t2;
	uint8_t *buf;
	size_t len;
	char err[128], *json;

	(void)state;
	memset(&t, 0, sizeof(t));
	str_copy(t.query, "cylinder", sizeof(t.query));
	str_copy(t.key, "ZJ2020-000123", sizeof(t.key));
	t.to_ms = INT64_MAX;
	t.count = 1;
	t.records = calloc(1, sizeof(*t.records));
	sample_record(&t.records[0], 5, 1);
	assert_int_equal(wire_encode_trace(&t, &buf, &len), 0);
	assert_int_equal(wire_decode_trace(buf, len, &t2, err, sizeof(err)), 0);
	assert_int_equal(t2.to_ms, INT64_MAX);
	assert_int_equal(t2.count, 1);
	assert_string_equal(t2.records[0].violations[0].rule, "R11");
	assert_int_equal(wire_cbor_to_json(buf, len, &json, err, sizeof(err)), 0);
	assert_non_null(strstr(json, "\"query\":\"cylinder\""));
	assert_non_null(strstr(json, "\"rule\":\"R11\""));
	assert_non_null(strstr(json, "\"more\":false"));
	/* weights are written to the gram, not with a double's noise */
	assert_non_null(strstr(json, "\"net\":14.91,"));
	assert_non_null(strstr(json, "\"target\":14.9,"));
	free(json);
	free(buf);
	wire_trace_free(&t2);
	wire_trace_free(&t);
}

/* An answer with more to come carries the cursor to go on from, and a
 * decoder refuses "more" without one. */
static void
trace_pages_carry_their_cursor(void **state)
{
	struct wire_cursor c = { 1796359091123, "S01&x=1", 42 }, back;
	struct wire_trace t, t2;
	char text[WIRE_CURSOR], err[128], *json;
	uint8_t *buf;
	size_t len;

	(void)state;
	/* a station id of any printable text travels safely in a query string */
	wire_cursor_format(&c, text);
	assert_string_equal(text, "1796359091123.42.53303126783d31");
	assert_int_equal(wire_cursor_parse(text, &back), 0);
	assert_int_equal(back.at_ms, c.at_ms);
	assert_int_equal(back.seq, 42);
	assert_string_equal(back.station, "S01&x=1");
	assert_int_equal(wire_cursor_parse("-5.1.5331", &back), 0);
	assert_int_equal(back.at_ms, -5);
	for (const char *const *bad = (const char *const[]){ "", "1.2", "1.2.", "1.0.5331",
	         "x.2.5331", "1.2.533", "1.2.53zz", "1.2.5300", "1.2.0a31", "1..5331", NULL };
	     *bad != NULL; bad++)
		if (wire_cursor_parse(*bad, &back) != -1)
			fail_msg("cursor '%s' accepted", *bad);

	memset(&t, 0, sizeof(t));
	str_copy(t.query, "station", sizeof(t.query));
	str_copy(t.key, "S01", sizeof(t.key));
	t.to_ms = INT64_MAX;
	t.count = 1;
	t.records = calloc(1, sizeof(*t.records));
	sample_record(&t.records[0], 7, 0);
	t.more = 1;
	wire_cursor_of(&t.records[0], &c);
	wire_cursor_format(&c, t.next);
	str_copy(t.after, "1795700000000.6.533031", sizeof(t.after));
	assert_int_equal(wire_encode_trace(&t, &buf, &len), 0);
	assert_int_equal(wire_decode_trace(buf, len, &t2, err, sizeof(err)), 0);
	assert_int_equal(t2.more, 1);
	assert_string_equal(t2.next, "1795700000000.7.533031");
	assert_string_equal(t2.after, "1795700000000.6.533031");
	assert_int_equal(wire_cbor_to_json(buf, len, &json, err, sizeof(err)), 0);
	assert_non_null(strstr(json, "\"more\":true"));
	assert_non_null(strstr(json, "\"next\":\"1795700000000.7.533031\""));
	free(json);
	free(buf);
	wire_trace_free(&t2);

	/* "more" and no cursor: refused */
	t.next[0] = '\0';
	assert_int_equal(wire_encode_trace(&t, &buf, &len), 0);
	assert_int_equal(wire_decode_trace(buf, len, &t2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "more"));
	free(buf);
	wire_trace_free(&t);
}

static void
refuses_malformed_input_with_a_reason(void **state)
{
	static const struct {
		const char *name;
		const char *hex;
	} rows[] = {
		{ "empty", "" },
		{ "not a map", "83010203" },
		{ "truncated map", "a2" },
		{ "array claims 2^32 items in 6 bytes", "9affffffff00" },
		{ "text longer than the buffer", "a1637365717a" },
		{ "indefinite map", "bf6373657101ff" },
		{ "tag", "c1a0" },
		{ "trailing bytes", "a000" },
		{ "records not an array", "a167726563 6f726473 01" },
		{ NULL, NULL },
	};
	uint8_t buf[64];
	char hex[160], err[160];
	struct wire_batch b;
	size_t i, n, o;

	(void)state;
	for (i = 0; rows[i].name != NULL; i++) {
		/* hex without spaces */
		for (n = 0, o = 0; rows[i].hex[n] != '\0'; n++)
			if (rows[i].hex[n] != ' ')
				hex[o++] = rows[i].hex[n];
		hex[o] = '\0';
		assert_int_equal(hex_decode(hex, buf, o / 2), 0);
		err[0] = '\0';
		assert_int_equal(wire_decode_batch(buf, o / 2, &b, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
		assert_int_equal(b.count, 0);
		assert_null(b.records);
	}
}

static void
refuses_wrong_types_and_missing_fields(void **state)
{
	struct wire_batch in, out;
	struct wire_ack ack;
	uint8_t *buf;
	size_t len;
	char err[160];

	(void)state;
	/* a record of an unknown kind */
	memset(&in, 0, sizeof(in));
	in.count = 1;
	in.records = calloc(1, sizeof(*in.records));
	sample_record(&in.records[0], 1, 0);
	str_copy(in.records[0].kind, "bogus", sizeof(in.records[0].kind));
	assert_int_equal(wire_encode_batch(&in, &buf, &len), 0);
	assert_int_equal(wire_decode_batch(buf, len, &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "kind"));
	free(buf);
	/* seq 0 is not a station sequence number */
	str_copy(in.records[0].kind, "fill", sizeof(in.records[0].kind));
	in.records[0].seq = 0;
	assert_int_equal(wire_encode_batch(&in, &buf, &len), 0);
	assert_int_equal(wire_decode_batch(buf, len, &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "seq"));
	free(buf);
	wire_batch_free(&in);
	/* an ack without its mark: {"stored": 1} */
	{
		uint8_t m[9];

		hex_decode("a16673746f72656401", m, 9);
		assert_int_equal(wire_decode_ack(m, 9, &ack, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "hwm"));
	}
	/* an ack whose mark is text: {"hwm": "5"} */
	{
		uint8_t m[7];

		hex_decode("a163687761", m, 5); /* prefix only: truncated */
		assert_int_equal(wire_decode_ack(m, 5, &ack, err, sizeof(err)), -1);
		hex_decode("a16368776d6135", m, 7);
		assert_int_equal(wire_decode_ack(m, 7, &ack, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "integer"));
	}
}

static void
refuses_every_truncation_of_a_valid_batch(void **state)
{
	struct wire_batch in, out;
	uint8_t *buf;
	size_t len, cut;
	char err[160];

	(void)state;
	memset(&in, 0, sizeof(in));
	in.count = 2;
	in.records = calloc(2, sizeof(*in.records));
	sample_record(&in.records[0], 1, 1);
	sample_record(&in.records[1], 2, 0);
	assert_int_equal(wire_encode_batch(&in, &buf, &len), 0);
	for (cut = 0; cut < len; cut++)
		assert_int_equal(wire_decode_batch(buf, cut, &out, err, sizeof(err)), -1);
	assert_int_equal(wire_decode_batch(buf, len, &out, err, sizeof(err)), 0);
	wire_batch_free(&out);
	free(buf);
	wire_batch_free(&in);
}

static void
refuses_registry_rows_with_bad_status_or_date(void **state)
{
	struct wire_registry_row bad_status[1] = { { "ZJ1", "melted", "", "", "", 1 } };
	struct wire_registry_row bad_date[1] = { { "ZJ1", "active", "2023-02-30", "", "", 1 } };
	struct wire_registry reg = { 1, 0, 1, bad_status }, out;
	uint8_t *buf;
	size_t len;
	char err[160];

	(void)state;
	assert_int_equal(wire_encode_registry(&reg, &buf, &len), 0);
	assert_int_equal(wire_decode_registry(buf, len, &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "status"));
	free(buf);
	reg.rows = bad_date;
	assert_int_equal(wire_encode_registry(&reg, &buf, &len), 0);
	assert_int_equal(wire_decode_registry(buf, len, &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "date"));
	free(buf);
}

static void
station_list_round_trips(void **state)
{
	/* S03: a clock the county holds wrong (C14), then one right, a skew at
	 * each int64 bound (a station may send any time) */
	static struct wire_station st[5] = {
		/* static: its padding is zero */
		{ "S01", "TA", 100, 100, 0, 1795700000000, 0, "backlog 0", 0, 0 },
		{ "S02", "TB", 7, 9, 1795700000001, 1795700000002, 12, "", 0, 0 },
		{ "S03", "TB", 7, 7, 0, 1795700000002, 0, "", -259200123, 1 },
		{ "S04", "TB", 7, 7, 0, 1795700000002, 0, "", 1500, 0 },
		{ "S05", "TB", 7, 7, 0, 1795700000002, 0, "", INT64_MIN, 1 },
	};
	struct wire_station_list l = { 5, st }, l2;
	uint8_t *buf;
	size_t len;
	char err[128];

	(void)state;
	assert_int_equal(wire_encode_stations(&l, &buf, &len), 0);
	assert_int_equal(wire_decode_stations(buf, len, &l2, err, sizeof(err)), 0);
	assert_int_equal(l2.count, 5);
	assert_memory_equal(l2.stations, st, sizeof(st));
	free(buf);
	wire_stations_free(&l2);
	/* the largest list (WIRE_MAX_ROWS stations, each with its clock wrong) is
	 * inside the bounds: 21 items a station (docs/protocol.md, "Bounds") */
	l.count = WIRE_MAX_ROWS;
	l.stations = calloc(l.count, sizeof(*l.stations));
	assert_non_null(l.stations);
	for (size_t i = 0; i < l.count; i++) {
		snprintf(l.stations[i].id, sizeof(l.stations[i].id), "S%05zu", i);
		str_copy(l.stations[i].township, "330825101", sizeof(l.stations[i].township));
		l.stations[i].hwm = l.stations[i].max_seq = 1234567;
		l.stations[i].gap_since_ms = l.stations[i].last_seen_ms = 1795700000000;
		l.stations[i].backlog = 12;
		str_copy(l.stations[i].status, "backlog 12", sizeof(l.stations[i].status));
		l.stations[i].clock_skew_ms = -259200123;
		l.stations[i].clock_wrong = 1;
	}
	assert_int_equal(wire_encode_stations(&l, &buf, &len), 0);
	assert_int_equal(wire_decode_stations(buf, len, &l2, err, sizeof(err)), 0);
	assert_int_equal(l2.count, WIRE_MAX_ROWS);
	assert_int_equal(l2.stations[WIRE_MAX_ROWS - 1].clock_skew_ms, -259200123);
	free(buf);
	free(l.stations);
	wire_stations_free(&l2);
}

/* A fill's curve goes up with its record (bytes, bounded) and comes back
 * alone for a regulator; an oversized one is refused. */
static void
fill_curves_travel_with_records_and_alone(void **state)
{
	struct wire_batch in, back;
	struct wire_record rec;
	struct wire_curve c = { 0 }, c2;
	uint8_t *buf, blob[300], *big;
	size_t len;
	char err[160];

	(void)state;
	for (size_t i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)(i * 7);
	sample_record(&rec, 1, 0);
	rec.fill.curve = malloc(sizeof(blob));
	memcpy(rec.fill.curve, blob, sizeof(blob));
	rec.fill.curve_len = sizeof(blob);
	memset(&in, 0, sizeof(in));
	in.count = 1;
	in.records = &rec;
	assert_int_equal(wire_encode_batch(&in, &buf, &len), 0);
	assert_int_equal(wire_decode_batch(buf, len, &back, err, sizeof(err)), 0);
	free(buf);
	assert_int_equal(back.records[0].fill.curve_len, sizeof(blob));
	assert_memory_equal(back.records[0].fill.curve, blob, sizeof(blob));
	wire_batch_free(&back);
	wire_record_clear(&rec);

	str_copy(c.fill, "00000000-0000-4000-8000-000000000001", sizeof(c.fill));
	str_copy(c.station, "S01", sizeof(c.station));
	str_copy(c.cylinder, "ZJ2020-000123", sizeof(c.cylinder));
	c.line = 3;
	c.curve = blob;
	c.curve_len = sizeof(blob);
	assert_int_equal(wire_encode_curve(&c, &buf, &len), 0);
	assert_int_equal(wire_decode_curve(buf, len, &c2, err, sizeof(err)), 0);
	free(buf);
	assert_string_equal(c2.station, "S01");
	assert_int_equal(c2.line, 3);
	assert_memory_equal(c2.curve, blob, sizeof(blob));
	wire_curve_free(&c2);

	big = calloc(1, WIRE_MAX_CURVE + 1);
	c.curve = big;
	c.curve_len = WIRE_MAX_CURVE + 1;
	assert_int_equal(wire_encode_curve(&c, &buf, &len), 0);
	assert_int_equal(wire_decode_curve(buf, len, &c2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));
	free(buf);
	free(big);
}

/* A payload is bounded before libcbor builds anything from it: four
 * million tiny items, deep nesting or an overlong string are refused with
 * the bound named, and a full legitimate batch still fits. */
static uint8_t *
map_of_array(uint8_t fill, size_t n, size_t *len)
{
	/* { "records": [ fill x n ] } with a 4-byte array length */
	uint8_t *buf = malloc(n + 14);

	memcpy(buf, "\xa1\x67records\x9a", 10);
	buf[10] = (uint8_t)(n >> 24);
	buf[11] = (uint8_t)(n >> 16);
	buf[12] = (uint8_t)(n >> 8);
	buf[13] = (uint8_t)n;
	memset(buf + 14, fill, n);
	*len = n + 14;
	return buf;
}

static void
bounds_work_before_decoding(void **state)
{
	static const struct {
		const char *name;
		uint8_t fill;
		size_t n;
		const char *why;
	} rows[] = {
		{ "4 MiB of zeros", 0x00, (4u << 20) - 14, "too many items" },
		{ "4 MiB of empty maps", 0xa0, (4u << 20) - 14, "too many items" },
		{ "one item over the bound", 0xf6, WIRE_MAX_ITEMS - 2, "too many items" },
		{ NULL, 0, 0, NULL },
	};
	struct wire_batch b, big;
	struct wire_trace t;
	uint8_t *buf, deep[3 + WIRE_MAX_DEPTH + 1], *text;
	size_t i, len;
	char err[256], *json;

	(void)state;
	for (i = 0; rows[i].name != NULL; i++) {
		buf = map_of_array(rows[i].fill, rows[i].n, &len);
		err[0] = '\0';
		if (wire_decode_batch(buf, len, &b, err, sizeof(err)) != -1 ||
		    strstr(err, rows[i].why) == NULL)
			fail_msg("%s: '%s'", rows[i].name, err);
		assert_int_equal(wire_decode_trace(buf, len, &t, err, sizeof(err)), -1);
		assert_int_equal(wire_cbor_to_json(buf, len, &json, err, sizeof(err)), -1);
		free(buf);
	}
	/* at the bound exactly the walk passes (the batch is then refused for
	 * its content, not its size) */
	buf = map_of_array(0xf6, WIRE_MAX_ITEMS - 3, &len); /* map, key, array */
	assert_int_equal(wire_decode_batch(buf, len, &b, err, sizeof(err)), -1);
	assert_null(strstr(err, "too many items"));
	free(buf);

	/* nesting: {"a": [[[[[[[[ ... ]]]]]]]]} one level too deep */
	deep[0] = 0xa1;
	deep[1] = 0x61;
	deep[2] = 'a';
	for (i = 3; i < sizeof(deep); i++)
		deep[i] = i + 1 < sizeof(deep) ? 0x81 : 0x80;
	assert_int_equal(wire_decode_batch(deep, sizeof(deep), &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nesting"));
	assert_int_equal(wire_decode_batch(deep, sizeof(deep) - 1, &b, err, sizeof(err)), -1);
	assert_null(strstr(err, "nesting"));

	/* a text string over WIRE_MAX_STRING under a key nobody reads */
	len = 3 + 5 + WIRE_MAX_STRING + 1;
	text = malloc(len);
	memcpy(text, "\xa1\x61x\x7a", 4);
	text[4] = 0;
	text[5] = 0;
	text[6] = (uint8_t)((WIRE_MAX_STRING + 1) >> 8);
	text[7] = (uint8_t)(WIRE_MAX_STRING + 1);
	memset(text + 8, 'a', WIRE_MAX_STRING + 1);
	assert_int_equal(wire_decode_batch(text, len, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "string"));
	free(text);

	/* the largest batch a station sends (1000 records, every field, a
	 * violation each) is far inside the bounds */
	memset(&big, 0, sizeof(big));
	big.count = 1000;
	big.records = calloc(big.count, sizeof(*big.records));
	for (i = 0; i < big.count; i++)
		sample_record(&big.records[i], (int64_t)i + 1, 1);
	assert_int_equal(wire_encode_batch(&big, &buf, &len), 0);
	assert_int_equal(wire_decode_batch(buf, len, &b, err, sizeof(err)), 0);
	assert_int_equal(b.count, 1000);
	wire_batch_free(&b);
	wire_batch_free(&big);
	free(buf);
}

/* ---- the bytes on the wire ------------------------------------------------ */

/* One message of each kind, every optional field both present and absent,
 * and the bytes the encoders wrote before the messages became tables
 * (cbormap.h): the tables must write exactly those bytes and read them
 * back to the same structs. */
static uint8_t curve4[4] = { 1, 2, 3, 250 };
static struct wire_violation viols[2] = {
	{ "11111111-0000-4000-8000-000000000001", "R11", "alert", "T2", "4 in 30 days", "ZJ1", "ab",
	    "330***1234", 0, -5 },
	{ "11111111-0000-4000-8000-000000000002", "R03", "refuse", "", "", "", "", "", 2,
	    1795700000000 },
};
static struct wire_record recs[2] = {
	{ "S01", 7, "00000000-0000-4000-8000-000000000007", "fill", 1795700000007, 1,
	    { 2, "ZJ2020-000123", "abcd", "330***********1234", "T2", "household", "OP1",
	        1795700000000, 1795700090000, 15.5, 14.9, 0.21, 14.69, 30.41, 14.91, "ok", curve4,
	        4, "" },
	    2, viols, .has_life = 0 },
	{ "S01", 8, "00000000-0000-4000-8000-000000000008", "event", 1795700000008, 0, { 0 }, 0,
	    NULL, .has_life = 0 },
};
static struct wire_batch batch = { "S01", "T1", 2, recs };
static struct wire_ack ack = { 123456789, 7, 3, 0, 0 };
static struct wire_heartbeat hb = { "S01", "T1", 1795700000000, 70000, 1795600000000, 99, 5,
	"2 lines, 0 faults" };
static struct wire_registry_row rows[2] = { { "ZJ1", "scrapped", "2020-01-02", "2024-01-02",
	                                        "GasCo", 7 },
	{ "ZJ2", "active", "", "", "", 8 } };
static struct wire_registry reg = { 8, 1, 2, rows };
static struct wire_registry reg0 = { 8, 0, 0, NULL };
static struct wire_alert alerts[2] = {
	{ 9, "C01", "alert", "T1", "S01", "ZJ1", "330***1234", "cloned code?", 1, "checked",
	    "township:T1", 2 },
	{ 10, "R11", "", "", "", "", "", "", 0, "", "", 0 },
};
static struct wire_alert_list al = { 10, 2, alerts };
static struct wire_alert_list al0 = { 10, 0, NULL };
static struct wire_disposition disp = { 42, "visited; cylinders seized" };
static struct wire_trace tr = { "station", "S01", 0, INT64_MAX, "1795700000000.6.533031", 1,
	"1795700000000.8.533031", 2, recs };
static struct wire_trace tr0 = { "cylinder", "ZJ1", -5, 5, "", 0, "", 0, NULL };
/* no clock measured: the bytes of before the clock fields (C14) */
static struct wire_station st[2] = { { "S01", "TA", 100, 100, 0, 1795700000000, 0, "backlog 0", 0,
	                                 0 },
	{ "S02", "TB", 7, 9, 1795700000001, 1795700000002, 12, "", 0, 0 } };
static struct wire_station_list sl = { 2, st };
static struct wire_station_list sl0 = { 0, NULL };
static struct wire_curve cv = { "00000000-0000-4000-8000-000000000001", "S01", "ZJ2020-000123", 3,
	curve4, 4 };

static const struct {
	const char *name;
	const char *hex;
} vectors[] = {
	{ "batch",
	    "a36773746174696f6e6353303168746f776e73686970625431677265636f72647382a76273746353303163736571076475756964782430303030303030302d303030302d343030302d383030302d303030303030303030303037646b696e646466696c6c6261741b000001a2180f85076466696c6cb1646c696e65026363796c6d5a4a323032302d3030303132336562757965726461626364666d61736b6564723333302a2a2a2a2a2a2a2a2a2a2a313233346562746f776e62543265626b696e6469686f757365686f6c64626f70634f50316573746172741b000001a2180f850063656e641b000001a21810e4906474617265fb402f00000000000066746172676574fb402dcccccccccccd66707265616374fb3fcae147ae147ae1666375746f6666fb402d6147ae147ae16567726f7373fb403e68f5c28f5c29636e6574fb402dd1eb851eb85266726573756c74626f6b65637572766544010203fa6476696f6c82a96475756964782431313131313131312d303030302d343030302d383030302d3030303030303030303030316472756c65635231316373657665616c65727464746f776e6254326764657461696c736c3420696e20333020646179736363796c635a4a31656275796572626162666d61736b65646a3333302a2a2a3132333462617424a56475756964782431313131313131312d303030302d343030302d383030302d3030303030303030303030326472756c65635230336373657666726566757365646c696e65026261741b000001a2180f8500a56273746353303163736571086475756964782430303030303030302d303030302d343030302d383030302d303030303030303030303038646b696e64656576656e746261741b000001a2180f8508" },
	{ "ack", "a36368776d1a075bcd156673746f726564076364757003" },
	{ "heartbeat",
	    "a86773746174696f6e6353303168746f776e736869706254316261741b000001a2180f8500676261636b6c6f671a00011170666f6c646573741b000001a21219a400686c6173745f61636b1863647265677605667374617475737132206c696e65732c2030206661756c7473" },
	{ "registry",
	    "a36776657273696f6e08646d6f7265f564726f777382a66673657269616c635a4a3166737461747573687363726170706564646c6173746a323032302d30312d3032646e6578746a323032342d30312d3032656f776e657265476173436f617607a36673657269616c635a4a326673746174757366616374697665617608" },
	{ "registry-empty", "a36776657273696f6e08646d6f7265f464726f777380" },
	{ "alerts",
	    "a2646c6173740a66616c6572747382ac626964096472756c65634330316373657665616c65727464746f776e6254316773746174696f6e635330316363796c635a4a31666d61736b65646a3333302a2a2a3132333464746578746c636c6f6e656420636f64653f62617401646469737067636865636b65646262796b746f776e736869703a543167646973705f617402a36269640a6472756c656352313162617400" },
	{ "alerts-empty", "a2646c6173740a66616c6572747380" },
	{ "disposition",
	    "a2626964182a646e6f74657819766973697465643b2063796c696e64657273207365697a6564" },
	{ "trace",
	    "a86571756572796773746174696f6e636b6579635330316466726f6d0062746f1b7fffffffffffffff65616674657276313739353730303030303030302e362e353333303331646d6f7265f5646e65787476313739353730303030303030302e382e353333303331677265636f72647382a76273746353303163736571076475756964782430303030303030302d303030302d343030302d383030302d303030303030303030303037646b696e646466696c6c6261741b000001a2180f85076466696c6cb1646c696e65026363796c6d5a4a323032302d3030303132336562757965726461626364666d61736b6564723333302a2a2a2a2a2a2a2a2a2a2a313233346562746f776e62543265626b696e6469686f757365686f6c64626f70634f50316573746172741b000001a2180f850063656e641b000001a21810e4906474617265fb402f00000000000066746172676574fb402dcccccccccccd66707265616374fb3fcae147ae147ae1666375746f6666fb402d6147ae147ae16567726f7373fb403e68f5c28f5c29636e6574fb402dd1eb851eb85266726573756c74626f6b65637572766544010203fa6476696f6c82a96475756964782431313131313131312d303030302d343030302d383030302d3030303030303030303030316472756c65635231316373657665616c65727464746f776e6254326764657461696c736c3420696e20333020646179736363796c635a4a31656275796572626162666d61736b65646a3333302a2a2a3132333462617424a56475756964782431313131313131312d303030302d343030302d383030302d3030303030303030303030326472756c65635230336373657666726566757365646c696e65026261741b000001a2180f8500a56273746353303163736571086475756964782430303030303030302d303030302d343030302d383030302d303030303030303030303038646b696e64656576656e746261741b000001a2180f8508" },
	{ "trace-empty",
	    "a66571756572796863796c696e646572636b6579635a4a316466726f6d2462746f05646d6f7265f4677265636f72647380" },
	{ "stations",
	    "a16873746174696f6e7382a86269646353303164746f776e6254416368776d1864636d61781864696761705f73696e636500647365656e1b000001a2180f8500676261636b6c6f670066737461747573696261636b6c6f672030a76269646353303264746f776e6254426368776d07636d617809696761705f73696e63651b000001a2180f8501647365656e1b000001a2180f8502676261636b6c6f670c" },
	{ "stations-empty", "a16873746174696f6e7380" },
	{ "curve",
	    "a56466696c6c782430303030303030302d303030302d343030302d383030302d3030303030303030303030316773746174696f6e635330316363796c6d5a4a323032302d303030313233646c696e650365637572766544010203fa" },
	{ NULL, NULL },
};

static int
encode_vector(size_t i, uint8_t **b, size_t *n)
{
	switch (i) {
	case 0:
		return wire_encode_batch(&batch, b, n);
	case 1:
		return wire_encode_ack(&ack, b, n);
	case 2:
		return wire_encode_heartbeat(&hb, b, n);
	case 3:
		return wire_encode_registry(&reg, b, n);
	case 4:
		return wire_encode_registry(&reg0, b, n);
	case 5:
		return wire_encode_alerts(&al, b, n);
	case 6:
		return wire_encode_alerts(&al0, b, n);
	case 7:
		return wire_encode_disposition(&disp, b, n);
	case 8:
		return wire_encode_trace(&tr, b, n);
	case 9:
		return wire_encode_trace(&tr0, b, n);
	case 10:
		return wire_encode_stations(&sl, b, n);
	case 11:
		return wire_encode_stations(&sl0, b, n);
	case 12:
		return wire_encode_curve(&cv, b, n);
	}
	return -1;
}

/* Decode the vector's bytes with its decoder and encode the result again. */
static int
reencode_vector(size_t i, const uint8_t *in, size_t len, uint8_t **b, size_t *n)
{
	struct wire_batch b1;
	struct wire_ack a1;
	struct wire_heartbeat h1;
	struct wire_registry r1;
	struct wire_alert_list l1;
	struct wire_disposition d1;
	struct wire_trace t1;
	struct wire_station_list s1;
	struct wire_curve c1;
	char err[256];
	int rc = -1;

	err[0] = '\0';
	switch (i) {
	case 0:
		if (wire_decode_batch(in, len, &b1, err, sizeof(err)) == 0)
			rc = wire_encode_batch(&b1, b, n), wire_batch_free(&b1);
		break;
	case 1:
		if (wire_decode_ack(in, len, &a1, err, sizeof(err)) == 0)
			rc = wire_encode_ack(&a1, b, n);
		break;
	case 2:
		if (wire_decode_heartbeat(in, len, &h1, err, sizeof(err)) == 0)
			rc = wire_encode_heartbeat(&h1, b, n);
		break;
	case 3:
	case 4:
		if (wire_decode_registry(in, len, &r1, err, sizeof(err)) == 0)
			rc = wire_encode_registry(&r1, b, n), wire_registry_free(&r1);
		break;
	case 5:
	case 6:
		if (wire_decode_alerts(in, len, &l1, err, sizeof(err)) == 0)
			rc = wire_encode_alerts(&l1, b, n), wire_alerts_free(&l1);
		break;
	case 7:
		if (wire_decode_disposition(in, len, &d1, err, sizeof(err)) == 0)
			rc = wire_encode_disposition(&d1, b, n);
		break;
	case 8:
	case 9:
		if (wire_decode_trace(in, len, &t1, err, sizeof(err)) == 0)
			rc = wire_encode_trace(&t1, b, n), wire_trace_free(&t1);
		break;
	case 10:
	case 11:
		if (wire_decode_stations(in, len, &s1, err, sizeof(err)) == 0)
			rc = wire_encode_stations(&s1, b, n), wire_stations_free(&s1);
		break;
	case 12:
		if (wire_decode_curve(in, len, &c1, err, sizeof(err)) == 0)
			rc = wire_encode_curve(&c1, b, n), wire_curve_free(&c1);
		break;
	}
	if (err[0] != '\0')
		print_error("%s: %s\n", vectors[i].name, err);
	return rc;
}

static void
every_message_keeps_its_bytes(void **state)
{
	uint8_t *buf, *again, want[2048];
	size_t i, len, len2, n;

	(void)state;
	for (i = 0; vectors[i].name != NULL; i++) {
		n = strlen(vectors[i].hex) / 2;
		assert_true(n <= sizeof(want));
		assert_int_equal(hex_decode(vectors[i].hex, want, n), 0);
		assert_int_equal(encode_vector(i, &buf, &len), 0);
		if (len != n || memcmp(buf, want, n) != 0)
			fail_msg("%s: the encoder's bytes changed", vectors[i].name);
		if (reencode_vector(i, want, n, &again, &len2) != 0 || len2 != n ||
		    memcmp(again, want, n) != 0)
			fail_msg("%s: decoded and encoded again, the bytes differ",
			    vectors[i].name);
		free(again);
		free(buf);
	}
	/* what the decoder filled is what was sent, field by field */
	{
		struct wire_batch b1;
		uint8_t *got;
		char err[128];

		n = strlen(vectors[0].hex) / 2;
		hex_decode(vectors[0].hex, want, n);
		assert_int_equal(wire_decode_batch(want, n, &b1, err, sizeof(err)), 0);
		assert_int_equal(b1.count, 2);
		assert_int_equal(b1.records[0].fill.curve_len, 4);
		assert_memory_equal(b1.records[0].fill.curve, curve4, 4);
		got = b1.records[0].fill.curve;
		b1.records[0].fill.curve = curve4; /* the rest compared byte for byte */
		assert_memory_equal(&b1.records[0].fill, &recs[0].fill, sizeof(recs[0].fill));
		assert_memory_equal(b1.records[0].violations, viols, sizeof(viols));
		b1.records[0].fill.curve = got;
		wire_batch_free(&b1);
	}
}

/* A life record (kind "life") as a station or a delivery device sends it:
 * it travels whole, renders as JSON, and each event's own needs are
 * checked, naming the field. */
static void
fill_life(struct wire_record *r, int64_t seq, const char *event)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->station, sizeof(r->station), "delivery:wang");
	r->seq = seq;
	snprintf(r->uuid, sizeof(r->uuid), "00000000-0000-4000-8000-%012lld", (long long)seq);
	snprintf(r->kind, sizeof(r->kind), "life");
	r->created_ms = 1795700000000 + seq;
	r->has_life = 1;
	snprintf(r->life.event, sizeof(r->life.event), "%s", event);
	snprintf(r->life.serial, sizeof(r->life.serial), "ZJ2020-000123");
	snprintf(r->life.code, sizeof(r->life.code), "GC1:6BFOXN*TS0BI$ZD4N9:9S6RCN");
	snprintf(r->life.actor, sizeof(r->life.actor), "delivery:wang");
	r->life.at_ms = 1795700000000 + seq;
}

static void
life_records_round_trip_and_are_checked(void **state)
{
	static const char id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	struct wire_record r[2];
	struct wire_batch b = { "S01", "T1", 2, r }, got;
	uint8_t *buf;
	size_t len, i;
	char err[200], *json;
	static const struct {
		const char *event;
		const char *field; /* what is spoilt */
		const char *want;  /* in the reason */
	} bad[] = {
		{ "handed_over", "buyer", "buyer: missing" },
		{ "handed_over", "buyer-hex", "buyer: not a 64-digit" },
		{ "inspection_back", "next_due", "next_due: not YYYY-MM-DD" },
		{ "received", "result", "only on inspection_back" },
		{ "scrapped", "reason", "reason: missing" },
		{ "dispatched", "worker", "worker: missing" },
		{ "exploded", "event", "records[0].life.event" },
		{ "returned", "lat", "records[0].life.place.lat6" },
		{ "returned", "kind", "without its life part" },
		{ "returned", "fill", "not of kind life" },
		/* the value not quoted: the county answers and logs this text (rev102) */
		{ "handed_over", "bkind", "records[0].life.bkind: not one of its values (" },
	};

	(void)state;
	fill_life(&r[0], 1, "handed_over");
	snprintf(r[0].life.worker, sizeof(r[0].life.worker), "delivery:wang");
	snprintf(r[0].life.buyer, sizeof(r[0].life.buyer), "%s", id);
	snprintf(r[0].life.buyer_masked, sizeof(r[0].life.buyer_masked), "330***********1234");
	snprintf(r[0].life.buyer_township, sizeof(r[0].life.buyer_township), "T2");
	snprintf(r[0].life.buyer_kind, sizeof(r[0].life.buyer_kind), "household");
	snprintf(r[0].life.village, sizeof(r[0].life.village), "下宅村 3号");
	r[0].life.has_position = 1;
	r[0].life.lat = 29.028123;
	r[0].life.lon = 119.171456;
	/* what a county's trace adds: the time it took the step at, and the chain */
	r[0].life.taken_ms = r[0].life.at_ms + 72000000;
	snprintf(r[0].life.chain, sizeof(r[0].life.chain), "out");
	fill_life(&r[1], 2, "inspection_back");
	snprintf(r[1].life.result, sizeof(r[1].life.result), "pass");
	/* far beyond what the county takes at ingest (tools/county/life.c): the
	 * decoder does not judge it, so a trace of what the county already
	 * holds always reads back */
	snprintf(r[1].life.next_due, sizeof(r[1].life.next_due), "2099-12-04");

	assert_int_equal(wire_encode_batch(&b, &buf, &len), 0);
	assert_int_equal(wire_decode_batch(buf, len, &got, err, sizeof(err)), 0);
	assert_int_equal(got.count, 2);
	for (i = 0; i < 2; i++) {
		assert_true(got.records[i].has_life);
		assert_false(got.records[i].has_fill);
		assert_memory_equal(&got.records[i].life, &r[i].life, sizeof(r[i].life));
		/* a trace places a step at the county's time when it says one */
		assert_int_equal(wire_record_time(&got.records[i]),
		    r[i].life.taken_ms != 0 ? r[i].life.taken_ms : r[i].life.at_ms);
	}
	wire_batch_free(&got);
	assert_int_equal(wire_cbor_to_json(buf, len, &json, err, sizeof(err)), 0);
	assert_non_null(strstr(json, "\"event\":\"handed_over\""));
	assert_non_null(strstr(json, "\"lat6\":29028123"));
	assert_non_null(strstr(json, "\"next_due\":\"2099-12-04\""));
	free(json);
	free(buf);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fill_life(&r[0], 1, bad[i].event);
		snprintf(r[0].life.worker, sizeof(r[0].life.worker), "delivery:wang");
		snprintf(r[0].life.buyer, sizeof(r[0].life.buyer), "%s", id);
		snprintf(r[0].life.buyer_masked, sizeof(r[0].life.buyer_masked), "330***1234");
		snprintf(r[0].life.reason, sizeof(r[0].life.reason), "corroded");
		if (strcmp(bad[i].field, "buyer") == 0)
			r[0].life.buyer[0] = '\0';
		else if (strcmp(bad[i].field, "buyer-hex") == 0)
			r[0].life.buyer[5] = 'G';
		else if (strcmp(bad[i].field, "next_due") == 0) {
			snprintf(r[0].life.result, sizeof(r[0].life.result), "pass");
			snprintf(r[0].life.next_due, sizeof(r[0].life.next_due), "2030-13-01");
		} else if (strcmp(bad[i].field, "result") == 0)
			snprintf(r[0].life.result, sizeof(r[0].life.result), "pass");
		else if (strcmp(bad[i].field, "reason") == 0)
			r[0].life.reason[0] = '\0';
		else if (strcmp(bad[i].field, "worker") == 0)
			r[0].life.worker[0] = '\0';
		else if (strcmp(bad[i].field, "lat") == 0) {
			r[0].life.has_position = 1;
			r[0].life.lat = 90.000001;
		} else if (strcmp(bad[i].field, "kind") == 0)
			r[0].has_life = 0;
		else if (strcmp(bad[i].field, "fill") == 0)
			snprintf(r[0].kind, sizeof(r[0].kind), "event");
		else if (strcmp(bad[i].field, "bkind") == 0)
			snprintf(r[0].life.buyer_kind, sizeof(r[0].life.buyer_kind),
			    "110105491231002");
		b.count = 1;
		assert_int_equal(wire_encode_batch(&b, &buf, &len), 0);
		err[0] = '\0';
		if (wire_decode_batch(buf, len, &got, err, sizeof(err)) != -1)
			fail_msg("%s/%s: accepted", bad[i].event, bad[i].field);
		if (strstr(err, bad[i].want) == NULL)
			fail_msg("%s/%s: reason \"%s\" lacks \"%s\"", bad[i].event, bad[i].field,
			    err, bad[i].want);
		if (strstr(err, "110105491231002") != NULL)
			fail_msg("%s/%s: reason \"%s\" quotes the value", bad[i].event,
			    bad[i].field, err);
		free(buf);
	}
}

/* Errors name the field by its path; a key given twice is refused, a key
 * no table knows is skipped; a payload whose decoded structs would pass
 * WIRE_MAX_DECODED is refused before they do. */
static void
errors_name_the_field_by_its_path(void **state)
{
	struct wire_batch in, out;
	struct wire_ack a;
	uint8_t *buf, *p;
	size_t len, i, j, nrec, per;
	char err[256];

	(void)state;
	memset(&in, 0, sizeof(in));
	in.count = 2;
	in.records = calloc(2, sizeof(*in.records));
	sample_record(&in.records[0], 1, 0);
	sample_record(&in.records[1], 2, 1);
	in.records[1].violations[0].rule[0] = '\0'; /* left out: required */
	assert_int_equal(wire_encode_batch(&in, &buf, &len), 0);
	assert_int_equal(wire_decode_batch(buf, len, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "records[1].viol[0].rule: missing");
	free(buf);
	str_copy(in.records[1].violations[0].rule, "R11", sizeof(in.records[1].violations[0].rule));
	str_copy(in.records[0].fill.result, "", sizeof(in.records[0].fill.result));
	assert_int_equal(wire_encode_batch(&in, &buf, &len), 0);
	assert_int_equal(wire_decode_batch(buf, len, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "records[0].fill.result: missing");
	free(buf);
	wire_batch_free(&in);

	/* {"hwm": 1, "hwm": 2}: which one? neither */
	{
		uint8_t twice[] = { 0xa2, 0x63, 'h', 'w', 'm', 0x01, 0x63, 'h', 'w', 'm', 0x02 };
		uint8_t unknown[] = { 0xa2, 0x63, 'n', 'e', 'w', 0x82, 0xa0, 0x80, 0x63, 'h', 'w',
			'm', 0x05 };

		assert_int_equal(wire_decode_ack(twice, sizeof(twice), &a, err, sizeof(err)), -1);
		assert_string_equal(err, "hwm: given twice");
		assert_int_equal(wire_decode_ack(unknown, sizeof(unknown), &a, err, sizeof(err)),
		    0);
		assert_int_equal(a.hwm, 5);
	}
	{
		/* keys that are not text are no field's: {[1, {2: 3}]: 4, "hwm": 6} */
		uint8_t odd[] = { 0xa2, 0x82, 0x01, 0xa1, 0x02, 0x03, 0x04, 0x63, 'h', 'w', 'm',
			0x06 };

		assert_int_equal(wire_decode_ack(odd, sizeof(odd), &a, err, sizeof(err)), 0);
		assert_int_equal(a.hwm, 6);
	}

	/* 600 event records of 64 minimal violations each: under 1 MiB on the
	 * wire, over 16 MiB as structs */
	nrec = 600;
	per = 1 + 5 + 2 + 5 + 2 + 4 + 2 + 3 + 1; /* {"uuid":"a","rule":"R","sev":"f","at":0} */
	buf = malloc(12 + nrec * (33 + 64 * per));
	p = buf;
	memcpy(p, "\xa1\x67records\x99", 10);
	p += 10;
	*p++ = (uint8_t)(nrec >> 8);
	*p++ = (uint8_t)nrec;
	for (i = 0; i < nrec; i++) {
		memcpy(p, "\xa4\x63seq\x19", 6);
		p += 6;
		*p++ = (uint8_t)((i + 1) >> 8);
		*p++ = (uint8_t)(i + 1);
		memcpy(p,
		    "\x64uuid\x61u\x64kind\x65"
		    "event\x64viol\x98\x40",
		    25);
		p += 25;
		for (j = 0; j < 64; j++) {
			memcpy(p,
			    "\xa4\x64uuid\x61"
			    "a\x64rule\x61R\x63sev\x61"
			    "f\x62"
			    "at\x00",
			    per);
			p += per;
		}
	}
	len = (size_t)(p - buf);
	assert_true(len < (1u << 20));
	assert_int_equal(wire_decode_batch(buf, len, &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bytes decoded"));
	assert_null(out.records);
	/* the same with fewer records fits */
	buf[10] = 0;
	buf[11] = 20;
	len = 12 + 20 * (33 + 64 * per);
	assert_int_equal(wire_decode_batch(buf, len, &out, err, sizeof(err)), 0);
	assert_int_equal(out.count, 20);
	assert_int_equal(out.records[19].violation_count, 64);
	wire_batch_free(&out);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(batch_round_trips_with_fills_and_violations),
		cmocka_unit_test(small_messages_round_trip),
		cmocka_unit_test(registry_and_alerts_round_trip),
		cmocka_unit_test(trace_round_trips_and_renders_as_json),
		cmocka_unit_test(trace_pages_carry_their_cursor),
		cmocka_unit_test(refuses_malformed_input_with_a_reason),
		cmocka_unit_test(refuses_wrong_types_and_missing_fields),
		cmocka_unit_test(refuses_every_truncation_of_a_valid_batch),
		cmocka_unit_test(refuses_registry_rows_with_bad_status_or_date),
		cmocka_unit_test(station_list_round_trips),
		cmocka_unit_test(fill_curves_travel_with_records_and_alone),
		cmocka_unit_test(bounds_work_before_decoding),
		cmocka_unit_test(every_message_keeps_its_bytes),
		cmocka_unit_test(errors_name_the_field_by_its_path),
		cmocka_unit_test(life_records_round_trip_and_are_checked),
	};
	return cmocka_run_group_tests_name("wire", tests, NULL, NULL);
}
