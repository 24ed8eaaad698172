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
	struct wire_ack ack = { 123456789, 7, 3 }, ack2;
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
	struct wire_station st[2] = {
		{ "S01", "TA", 100, 100, 0, 1795700000000, 0, "backlog 0" },
		{ "S02", "TB", 7, 9, 1795700000001, 1795700000002, 12, "" },
	};
	struct wire_station_list l = { 2, st }, l2;
	uint8_t *buf;
	size_t len;
	char err[128];

	(void)state;
	assert_int_equal(wire_encode_stations(&l, &buf, &len), 0);
	assert_int_equal(wire_decode_stations(buf, len, &l2, err, sizeof(err)), 0);
	assert_int_equal(l2.count, 2);
	assert_memory_equal(l2.stations, st, sizeof(st));
	free(buf);
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
	};
	return cmocka_run_group_tests_name("wire", tests, NULL, NULL);
}
