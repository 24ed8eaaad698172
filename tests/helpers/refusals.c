/*
 * refusals: many requests that gascounty must refuse, of one kind, over one
 * real DTLS session, for the memory tests (tests/integration/t_county_rss.sh,
 * t_county_bounds.sh).
 *
 *   refusals -p PORT -u IDENTITY -k KEYFILE -K KIND [-n COUNT]
 *   refusals -l        list the kinds
 *
 * Each kind is one row of the table below: a method, a path, the options
 * and a body built from a valid batch (wire_encode_batch of a fill with an
 * 8 KiB curve) with one thing broken, so that the refusal comes from that
 * thing alone.  Prints one line, "KIND: N sent, 4.00 xN ..." (the answer
 * codes counted), and exits 0 when every request was answered 4.xx, 1
 * otherwise (an answer of another class, or none), 2 on bad usage.
 */
#include <cbor.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coaplink.h"
#include "log.h"
#include "util.h"
#include "wire.h"

/* ---- building broken payloads ----------------------------------------- */

/* A batch of one fill record of station S01, seq 1, with an 8 KiB curve. */
static cbor_item_t *
valid_batch(void)
{
	static uint8_t curve[WIRE_MAX_CURVE];
	struct cbor_load_result res;
	struct wire_record rec;
	struct wire_batch b;
	cbor_item_t *root;
	uint8_t *buf;
	size_t len;

	memset(&rec, 0, sizeof(rec));
	str_copy(rec.station, "S01", sizeof(rec.station));
	rec.seq = 1;
	str_copy(rec.uuid, "00000000-0000-4000-8000-00000000a001", sizeof(rec.uuid));
	str_copy(rec.kind, "fill", sizeof(rec.kind));
	rec.created_ms = 1795700000000;
	rec.has_fill = 1;
	rec.fill.line = 1;
	str_copy(rec.fill.cylinder, "ZJ2020-000123", sizeof(rec.fill.cylinder));
	rec.fill.started_ms = 1795700000000;
	rec.fill.ended_ms = 1795700090000;
	rec.fill.net_kg = 14.9;
	str_copy(rec.fill.result, "ok", sizeof(rec.fill.result));
	for (size_t i = 0; i < sizeof(curve); i++)
		curve[i] = (uint8_t)(i * 31);
	rec.fill.curve = curve;
	rec.fill.curve_len = sizeof(curve);
	memset(&b, 0, sizeof(b));
	str_copy(b.station, "S01", sizeof(b.station));
	b.count = 1;
	b.records = &rec;
	if (wire_encode_batch(&b, &buf, &len) == -1)
		return NULL;
	root = cbor_load(buf, len, &res);
	free(buf);
	return root;
}

static int
key_is(const cbor_item_t *k, const char *key)
{
	return cbor_isa_string(k) && cbor_string_length(k) == strlen(key) &&
	       memcmp(cbor_string_handle(k), key, strlen(key)) == 0;
}

/* A copy of map with key set to value (added when absent) or, for a NULL
 * value, removed.  Takes the caller's reference to value; map is kept. */
static cbor_item_t *
with_key(cbor_item_t *map, const char *key, cbor_item_t *value)
{
	struct cbor_pair *pairs = cbor_map_handle(map);
	size_t i, n = cbor_map_size(map);
	cbor_item_t *out = cbor_new_definite_map(n + 1), *k;
	int done = 0;

	for (i = 0; i < n; i++) {
		if (key_is(pairs[i].key, key)) {
			done = 1;
			if (value != NULL)
				cbor_map_add(out, (struct cbor_pair){ pairs[i].key, value });
		} else {
			cbor_map_add(out, pairs[i]);
		}
	}
	if (!done && value != NULL) {
		k = cbor_build_string(key);
		cbor_map_add(out, (struct cbor_pair){ k, value });
		cbor_decref(&k);
	}
	if (value != NULL)
		cbor_decref(&value);
	return out;
}

static cbor_item_t *
map_get(cbor_item_t *map, const char *key)
{
	struct cbor_pair *pairs = cbor_map_handle(map);

	for (size_t i = 0; i < cbor_map_size(map); i++)
		if (key_is(pairs[i].key, key))
			return pairs[i].value;
	return NULL;
}

/* The valid batch with its record's key (or, with in_fill, its fill's key)
 * set to value, serialized. */
static int
batch_with(const char *key, cbor_item_t *value, int in_fill, uint8_t **out, size_t *len)
{
	cbor_item_t *root = valid_batch(), *rec, *rec2, *fill, *recs, *root2;
	size_t size = 0;

	if (root == NULL)
		return -1;
	rec = cbor_array_get(map_get(root, "records"), 0);
	if (in_fill) {
		fill = with_key(map_get(rec, "fill"), key, value);
		rec2 = with_key(rec, "fill", fill);
	} else {
		rec2 = with_key(rec, key, value);
	}
	cbor_decref(&rec);
	recs = cbor_new_definite_array(1);
	cbor_array_push(recs, rec2);
	cbor_decref(&rec2);
	root2 = with_key(root, "records", recs);
	cbor_decref(&root);
	*out = NULL;
	*len = cbor_serialize_alloc(root2, out, &size);
	cbor_decref(&root2);
	return *len > 0 ? 0 : -1;
}

static int
valid_bytes(uint8_t **out, size_t *len)
{
	cbor_item_t *root = valid_batch();
	size_t size = 0;

	if (root == NULL)
		return -1;
	*out = NULL;
	*len = cbor_serialize_alloc(root, out, &size);
	cbor_decref(&root);
	return *len > 0 ? 0 : -1;
}

/* { "records": [ x x x ... ] } of n copies of one byte, or over the
 * payload bound with any >= WIRE_MAX_PAYLOAD. */
static int
flat_array(uint8_t item, size_t n, uint8_t **out, size_t *len)
{
	uint8_t *b = malloc(n + 14);

	if (b == NULL)
		return -1;
	memcpy(b, "\xa1\x67records\x9a", 10);
	b[10] = (uint8_t)(n >> 24);
	b[11] = (uint8_t)(n >> 16);
	b[12] = (uint8_t)(n >> 8);
	b[13] = (uint8_t)n;
	memset(b + 14, item, n);
	*out = b;
	*len = n + 14;
	return 0;
}

/* Event records of 64 minimal violations each, as many as the item bound
 * lets through (585 items a record): about 1.3 MiB on the wire, each
 * violation 25 bytes there and over 500 as a decoded struct, 28 MiB in all. */
static int
violation_flood(uint8_t **out, size_t *len)
{
	static const uint8_t viol[] = { 0xa4, 0x64, 'u', 'u', 'i', 'd', 0x61, 'a', 0x64, 'r', 'u',
		'l', 'e', 0x61, 'R', 0x63, 's', 'e', 'v', 0x61, 'f', 0x62, 'a', 't', 0x00 };
	static const uint8_t rec[] = { 0x64, 'u', 'u', 'i', 'd', 0x61, 'u', 0x64, 'k', 'i', 'n',
		'd', 0x65, 'e', 'v', 'e', 'n', 't', 0x64, 'v', 'i', 'o', 'l', 0x98, 64 };
	size_t each = 6 + 2 + sizeof(rec) + 64 * sizeof(viol);
	size_t n = (WIRE_MAX_ITEMS - 16) / 585, i, j;
	uint8_t *b = malloc(12 + n * each), *p = b;

	if (b == NULL)
		return -1;
	memcpy(p, "\xa1\x67records\x99", 10);
	p += 10;
	*p++ = (uint8_t)(n >> 8);
	*p++ = (uint8_t)n;
	for (i = 0; i < n; i++) {
		memcpy(p, "\xa4\x63seq\x19", 6); /* {"seq": i + 1, ... */
		p += 6;
		*p++ = (uint8_t)((i + 1) >> 8);
		*p++ = (uint8_t)(i + 1);
		memcpy(p, rec, sizeof(rec));
		p += sizeof(rec);
		for (j = 0; j < 64; j++, p += sizeof(viol))
			memcpy(p, viol, sizeof(viol));
	}
	*out = b;
	*len = (size_t)(p - b);
	return 0;
}

static cbor_item_t *
text_of(size_t n, char c)
{
	char *s = malloc(n + 1);
	cbor_item_t *item;

	memset(s, c, n);
	s[n] = '\0';
	item = cbor_build_string(s);
	free(s);
	return item;
}

enum body {
	B_NONE,
	B_TRUNCATED,
	B_TRAILING,
	B_NOT_MAP,
	B_TAG,
	B_INDEFINITE,
	B_RECORDS_NOT_ARRAY,
	B_SEQ_TEXT,
	B_NO_UUID,
	B_BAD_KIND,
	B_FILL_MISSING,
	B_VIOL_NOT_ARRAY,
	B_VIOL_BAD_ITEM,
	B_VIOL_TOO_MANY,
	B_UUID_TOO_LONG,
	B_CURVE_TOO_LONG,
	B_NET_TEXT,
	B_TOO_DEEP,
	B_STRING_OVER,
	B_JSON,
	B_HEARTBEAT_NO_AT,
	B_DISPOSITION,
	B_ZEROS_4M,
	B_MAPS_4M,
	B_ITEMS_AT_BOUND,
	B_OVER_PAYLOAD,
	B_VIOL_FLOOD,
};

static int
make_body(enum body kind, uint8_t **out, size_t *len)
{
	cbor_item_t *a, *v;
	uint8_t *b;
	size_t i;

	*out = NULL;
	*len = 0;
	switch (kind) {
	case B_NONE:
		return 0;
	case B_TRUNCATED:
		if (valid_bytes(out, len) == -1)
			return -1;
		*len /= 2;
		return 0;
	case B_TRAILING:
		if (valid_bytes(&b, len) == -1)
			return -1;
		*out = realloc(b, *len + 1);
		(*out)[(*len)++] = 0x00;
		return 0;
	case B_NOT_MAP:
		*out = (uint8_t *)strdup("\x83\x01\x02\x03");
		*len = 4;
		return 0;
	case B_TAG:
		*out = (uint8_t *)strdup("\xc1\xa0");
		*len = 2;
		return 0;
	case B_INDEFINITE:
		*out = (uint8_t *)strdup("\xbf\x63seq\x01\xff");
		*len = 6;
		return 0;
	case B_RECORDS_NOT_ARRAY:
		*out = (uint8_t *)strdup("\xa1\x67records\x05");
		*len = 10;
		return 0;
	case B_SEQ_TEXT:
		return batch_with("seq", cbor_build_string("1"), 0, out, len);
	case B_NO_UUID:
		return batch_with("uuid", NULL, 0, out, len);
	case B_BAD_KIND:
		return batch_with("kind", cbor_build_string("bogus"), 0, out, len);
	case B_FILL_MISSING:
		return batch_with("fill", NULL, 0, out, len);
	case B_VIOL_NOT_ARRAY: /* issue 14 item 2: the curve read before was kept */
		return batch_with("viol", cbor_build_uint8(5), 0, out, len);
	case B_VIOL_BAD_ITEM:
		a = cbor_new_definite_array(2);
		v = cbor_new_definite_map(0);
		cbor_array_push(a, v);
		cbor_array_push(a, v);
		cbor_decref(&v);
		return batch_with("viol", a, 0, out, len);
	case B_VIOL_TOO_MANY:
		a = cbor_new_definite_array(WIRE_MAX_VIOLATIONS + 1);
		v = cbor_build_uint8(0);
		for (i = 0; i <= WIRE_MAX_VIOLATIONS; i++)
			cbor_array_push(a, v);
		cbor_decref(&v);
		return batch_with("viol", a, 0, out, len);
	case B_UUID_TOO_LONG:
		return batch_with("uuid", text_of(WIRE_UUID + 10, 'u'), 0, out, len);
	case B_CURVE_TOO_LONG:
		b = calloc(1, WIRE_MAX_CURVE + 1);
		v = cbor_build_bytestring(b, WIRE_MAX_CURVE + 1);
		free(b);
		return batch_with("curve", v, 1, out, len);
	case B_NET_TEXT:
		return batch_with("net", cbor_build_string("14.9"), 1, out, len);
	case B_TOO_DEEP:
		*out = malloc(3 + WIRE_MAX_DEPTH + 1);
		memcpy(*out, "\xa1\x61x", 3);
		memset(*out + 3, 0x81, WIRE_MAX_DEPTH);
		(*out)[3 + WIRE_MAX_DEPTH] = 0x80;
		*len = 3 + WIRE_MAX_DEPTH + 1;
		return 0;
	case B_STRING_OVER:
		return batch_with("note", text_of(WIRE_MAX_STRING + 1, 'n'), 0, out, len);
	case B_JSON: /* a JSON batch: the body is CBOR or nothing */
		*out = (uint8_t *)strdup("{\"records\":[{\"seq\":1}]}");
		*len = strlen((char *)*out);
		return 0;
	case B_HEARTBEAT_NO_AT:
		*out = (uint8_t *)strdup("\xa1\x66status\x62ok");
		*len = 10;
		return 0;
	case B_DISPOSITION: /* valid, but a station may not dispose of alerts */
		*out = (uint8_t *)strdup("\xa2\x62id\x01\x64note\x62ok");
		*len = 12;
		return 0;
	case B_ZEROS_4M: /* issue 14 item 5: four million zeros */
		return flat_array(0x00, WIRE_MAX_PAYLOAD - 14, out, len);
	case B_MAPS_4M: /* ... or empty maps */
		return flat_array(0xa0, WIRE_MAX_PAYLOAD - 14, out, len);
	case B_ITEMS_AT_BOUND: /* as many empty maps as the walk lets through */
		return flat_array(0xa0, WIRE_MAX_ITEMS - 3, out, len);
	case B_OVER_PAYLOAD:
		return flat_array(0x00, WIRE_MAX_PAYLOAD - 13, out, len);
	case B_VIOL_FLOOD:
		return violation_flood(out, len);
	}
	return -1;
}

/* ---- the kinds ----------------------------------------------------------- */

struct kind {
	const char *name;
	const char *method;
	const char *path;
	const char *query;
	int format; /* content format of the body */
	int accept;
	enum body body;
	const char *what;
};

#define CBOR COAPLINK_FORMAT_CBOR
#define NONE COAPLINK_NONE

static const struct kind kinds[] = {
	{ "truncated", "POST", "records", NULL, CBOR, NONE, B_TRUNCATED, "a batch cut in half" },
	{ "trailing", "POST", "records", NULL, CBOR, NONE, B_TRAILING, "a byte after the batch" },
	{ "not-map", "POST", "records", NULL, CBOR, NONE, B_NOT_MAP, "an array, not a map" },
	{ "tag", "POST", "records", NULL, CBOR, NONE, B_TAG, "a tagged map" },
	{ "indefinite", "POST", "records", NULL, CBOR, NONE, B_INDEFINITE,
	    "an indefinite-length map" },
	{ "records-not-array", "POST", "records", NULL, CBOR, NONE, B_RECORDS_NOT_ARRAY,
	    "records: 5" },
	{ "seq-text", "POST", "records", NULL, CBOR, NONE, B_SEQ_TEXT, "seq as text" },
	{ "no-uuid", "POST", "records", NULL, CBOR, NONE, B_NO_UUID, "a record without its uuid" },
	{ "bad-kind", "POST", "records", NULL, CBOR, NONE, B_BAD_KIND, "record kind 'bogus'" },
	{ "fill-missing", "POST", "records", NULL, CBOR, NONE, B_FILL_MISSING,
	    "a fill record without its fill" },
	{ "viol-not-array", "POST", "records", NULL, CBOR, NONE, B_VIOL_NOT_ARRAY,
	    "an 8 KiB curve and viol: 5" },
	{ "viol-bad-item", "POST", "records", NULL, CBOR, NONE, B_VIOL_BAD_ITEM,
	    "an 8 KiB curve and an empty violation" },
	{ "viol-too-many", "POST", "records", NULL, CBOR, NONE, B_VIOL_TOO_MANY,
	    "65 violations in one record" },
	{ "uuid-too-long", "POST", "records", NULL, CBOR, NONE, B_UUID_TOO_LONG,
	    "a uuid longer than its field" },
	{ "curve-too-long", "POST", "records", NULL, CBOR, NONE, B_CURVE_TOO_LONG,
	    "a curve of 8193 bytes" },
	{ "net-text", "POST", "records", NULL, CBOR, NONE, B_NET_TEXT, "a weight as text" },
	{ "too-deep", "POST", "records", NULL, CBOR, NONE, B_TOO_DEEP, "nesting 9 levels deep" },
	{ "string-over", "POST", "records", NULL, CBOR, NONE, B_STRING_OVER,
	    "a 16 KiB + 1 string under an unknown key" },
	{ "json-body", "POST", "records", NULL, COAPLINK_FORMAT_JSON, NONE, B_JSON,
	    "a JSON body (content format 50)" },
	{ "unknown-format", "POST", "records", NULL, 9999, NONE, B_TRUNCATED,
	    "content format 9999" },
	{ "bad-heartbeat", "POST", "heartbeat", NULL, CBOR, NONE, B_HEARTBEAT_NO_AT,
	    "a heartbeat without 'at'" },
	{ "not-my-role", "POST", "alerts/ack", NULL, CBOR, NONE, B_DISPOSITION,
	    "a disposition from a station" },
	{ "wrong-method", "GET", "records", NULL, NONE, NONE, B_NONE, "GET /records" },
	{ "unknown-path", "POST", "nosuch", NULL, CBOR, NONE, B_TRUNCATED, "POST /nosuch" },
	{ "bad-accept", "GET", "registry", "since=0", NONE, 9999, B_NONE, "Accept: 9999" },
	/* the bounds of docs/protocol.md, "Bounds" (t_county_bounds.sh) */
	{ "zeros-4m", "POST", "records", NULL, CBOR, NONE, B_ZEROS_4M, "4 MiB of zeros" },
	{ "maps-4m", "POST", "records", NULL, CBOR, NONE, B_MAPS_4M, "4 MiB of empty maps" },
	{ "items-at-bound", "POST", "records", NULL, CBOR, NONE, B_ITEMS_AT_BOUND,
	    "WIRE_MAX_ITEMS items" },
	{ "over-payload", "POST", "records", NULL, CBOR, NONE, B_OVER_PAYLOAD,
	    "one byte over 4 MiB" },
	{ "violation-flood", "POST", "records", NULL, CBOR, NONE, B_VIOL_FLOOD,
	    "minimal violations (28 MiB as structs)" },
	{ NULL, NULL, NULL, NULL, 0, 0, B_NONE, NULL },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: refusals -p PORT -u IDENTITY -k KEYFILE -K KIND [-n COUNT]\n"
	           "       refusals -l   (list the kinds)\n");
}

int
main(int argc, char **argv)
{
	const struct kind *k = NULL;
	struct coaplink_response resp;
	struct coaplink *link = NULL;
	const char *identity = NULL, *keyfile = NULL, *kindname = NULL;
	uint8_t *body = NULL;
	size_t len = 0;
	long count = 1, i, bycode[700] = { 0 }, none = 0, other = 0;
	char err[256];
	int ch, port = 0, c;

	while ((ch = getopt(argc, argv, "p:u:k:K:n:lh")) != -1) {
		switch (ch) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'u':
			identity = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'K':
			kindname = optarg;
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 'l':
			for (k = kinds; k->name != NULL; k++)
				printf("%-18s %s %s: %s\n", k->name, k->method, k->path, k->what);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	for (k = kinds; kindname != NULL && k->name != NULL; k++)
		if (strcmp(k->name, kindname) == 0)
			break;
	if (port <= 0 || identity == NULL || keyfile == NULL || kindname == NULL ||
	    k->name == NULL || count < 1) {
		usage(stderr);
		return 2;
	}
	log_init("refusals", 1, LOG_LEVEL_WARN);
	if (make_body(k->body, &body, &len) == -1) {
		fprintf(stderr, "refusals: cannot build the body of %s\n", k->name);
		return 2;
	}
	if (coaplink_open_tool("127.0.0.1", port, identity, keyfile, &link, err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "refusals: %s\n", err);
		free(body);
		return 1;
	}
	for (i = 0; i < count; i++) {
		memset(&resp, 0, sizeof(resp));
		if (coaplink_request(link, k->method, k->path, k->query, k->format, k->accept, body,
		        len, 30000, &resp, err, sizeof(err)) == -1) {
			none++;
			fprintf(stderr, "refusals: %s #%ld: %s\n", k->name, i, err);
			continue;
		}
		c = resp.code;
		if (c >= 400 && c < 500)
			bycode[c]++;
		else
			other++;
		if (c < 400 || c >= 500)
			fprintf(stderr, "refusals: %s #%ld: answered %d.%02d\n", k->name, i,
			    c / 100, c % 100);
		coaplink_response_free(&resp);
	}
	printf("%s: %ld sent,", k->name, count);
	for (c = 400; c < 500; c++)
		if (bycode[c] > 0)
			printf(" %d.%02d x%ld", c / 100, c % 100, bycode[c]);
	if (other > 0)
		printf(" other x%ld", other);
	if (none > 0)
		printf(" unanswered x%ld", none);
	printf("\n");
	coaplink_free(link);
	free(body);
	return other == 0 && none == 0 ? 0 : 1;
}
