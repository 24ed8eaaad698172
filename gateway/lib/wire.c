/*
 * wire: CBOR encoding and bounded decoding of the county-link messages
 * (see wire.h and docs/protocol.md for the keys).
 *
 * Decoding happens in two steps.  First a small walker of our own checks
 * the raw bytes: every declared length fits in what is left of the buffer,
 * nesting is shallow, no indefinite lengths or tags, nothing after the top
 * item.  Only then does libcbor build its tree, so a 9-byte payload cannot
 * make it allocate gigabytes for an array it claims to have.  Then the
 * tree is read field by field into fixed-size structs: unknown keys are
 * ignored (newer peers may add some), missing required ones are refused.
 */
#include <cbor.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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

static cbor_item_t *
load(const uint8_t *buf, size_t len, char *err, size_t errlen)
{
	struct cbor_load_result result;
	struct walk walk = { 0, NULL };
	cbor_item_t *item;
	size_t pos = 0;

	if (buf == NULL || len == 0)
		return err_set(err, errlen, "empty payload"), NULL;
	if (len > WIRE_MAX_PAYLOAD)
		return err_set(err, errlen, "payload of %zu bytes is over %u", len,
		           WIRE_MAX_PAYLOAD),
		       NULL;
	if (check_item(buf, len, &pos, 0, &walk) == -1) {
		if (walk.why != NULL)
			return err_set(err, errlen,
			           "%s near byte %zu (at most %u items, %u bytes a string, %d "
			           "levels)",
			           walk.why, pos, WIRE_MAX_ITEMS, WIRE_MAX_STRING, WIRE_MAX_DEPTH),
			       NULL;
		return err_set(err, errlen, "malformed CBOR near byte %zu", pos), NULL;
	}
	if (pos != len)
		return err_set(err, errlen, "%zu bytes after the message", len - pos), NULL;
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

/* ---- step 2: reading fields ----------------------------------------------- */

static int
text_is(const cbor_item_t *item, const char *s)
{
	size_t n = strlen(s);

	return cbor_isa_string(item) && cbor_string_is_definite(item) &&
	       cbor_string_length(item) == n && memcmp(cbor_string_handle(item), s, n) == 0;
}

static cbor_item_t *
mget(const cbor_item_t *map, const char *key)
{
	struct cbor_pair *pairs = cbor_map_handle(map);
	size_t i, n = cbor_map_size(map);

	for (i = 0; i < n; i++)
		if (text_is(pairs[i].key, key))
			return pairs[i].value;
	return NULL;
}

/* Text field into out[size]; a missing optional field becomes "". */
static int
get_text(const cbor_item_t *map, const char *key, char *out, size_t size, int required, char *err,
    size_t errlen)
{
	cbor_item_t *v = mget(map, key);
	size_t n;

	out[0] = '\0';
	if (v == NULL)
		return required ? err_set(err, errlen, "missing '%s'", key) : 0;
	if (!cbor_isa_string(v) || !cbor_string_is_definite(v))
		return err_set(err, errlen, "'%s' is not text", key);
	n = cbor_string_length(v);
	if (n >= size)
		return err_set(err, errlen, "'%s' is longer than %zu bytes", key, size - 1);
	if (n > 0 && memchr(cbor_string_handle(v), '\0', n) != NULL)
		return err_set(err, errlen, "'%s' holds a NUL byte", key);
	if (n > 0)
		memcpy(out, cbor_string_handle(v), n);
	out[n] = '\0';
	if (required && n == 0)
		return err_set(err, errlen, "'%s' is empty", key);
	return 0;
}

/* An optional byte string of at most max bytes, copied into a malloc'd
 * buffer (*out NULL when absent). */
static int
get_bytes(const cbor_item_t *map, const char *key, uint8_t **out, size_t *outlen, size_t max,
    char *err, size_t errlen)
{
	cbor_item_t *v = mget(map, key);
	size_t n;

	*out = NULL;
	*outlen = 0;
	if (v == NULL)
		return 0;
	if (!cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v))
		return err_set(err, errlen, "'%s' is not bytes", key);
	n = cbor_bytestring_length(v);
	if (n > max)
		return err_set(err, errlen, "'%s' is longer than %zu bytes", key, max);
	if (n == 0)
		return 0;
	if ((*out = malloc(n)) == NULL)
		return err_set(err, errlen, "out of memory");
	memcpy(*out, cbor_bytestring_handle(v), n);
	*outlen = n;
	return 0;
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

static int
get_int(const cbor_item_t *map, const char *key, int64_t *out, int required, char *err,
    size_t errlen)
{
	cbor_item_t *v = mget(map, key);

	*out = 0;
	if (v == NULL)
		return required ? err_set(err, errlen, "missing '%s'", key) : 0;
	if (item_int(v, out) == -1)
		return err_set(err, errlen, "'%s' is not an integer in range", key);
	return 0;
}

static int
get_small(const cbor_item_t *map, const char *key, int *out, int required, char *err, size_t errlen)
{
	int64_t v;

	if (get_int(map, key, &v, required, err, errlen) == -1)
		return -1;
	if (v < 0 || v > 1000000)
		return err_set(err, errlen, "'%s' is out of range", key);
	*out = (int)v;
	return 0;
}

static int
get_double(const cbor_item_t *map, const char *key, double *out, char *err, size_t errlen)
{
	cbor_item_t *v = mget(map, key);
	int64_t i;

	*out = 0;
	if (v == NULL)
		return 0;
	if (item_int(v, &i) == 0) {
		*out = (double)i;
		return 0;
	}
	if (!cbor_isa_float_ctrl(v) || cbor_float_get_width(v) == CBOR_FLOAT_0)
		return err_set(err, errlen, "'%s' is not a number", key);
	*out = cbor_float_get_float(v);
	if (!isfinite(*out))
		return err_set(err, errlen, "'%s' is not finite", key);
	return 0;
}

/* libcbor asserts when asked whether a float is a boolean: ask only ctrls */
static int
is_ctrl(const cbor_item_t *v)
{
	return cbor_isa_float_ctrl(v) && cbor_float_get_width(v) == CBOR_FLOAT_0;
}

static int
get_bool(const cbor_item_t *map, const char *key, int *out, char *err, size_t errlen)
{
	cbor_item_t *v = mget(map, key);

	*out = 0;
	if (v == NULL)
		return 0;
	if (!is_ctrl(v) || !cbor_is_bool(v))
		return err_set(err, errlen, "'%s' is not a boolean", key);
	*out = cbor_get_bool(v) ? 1 : 0;
	return 0;
}

/* An optional array field: *items and *n (0 when missing). */
static int
get_array(const cbor_item_t *map, const char *key, cbor_item_t ***items, size_t *n, size_t max,
    char *err, size_t errlen)
{
	cbor_item_t *v = mget(map, key);

	*items = NULL;
	*n = 0;
	if (v == NULL)
		return 0;
	if (!cbor_isa_array(v) || !cbor_array_is_definite(v))
		return err_set(err, errlen, "'%s' is not an array", key);
	if (cbor_array_size(v) > max)
		return err_set(err, errlen, "'%s' has %zu items, over %zu", key, cbor_array_size(v),
		    max);
	*items = cbor_array_handle(v);
	*n = cbor_array_size(v);
	return 0;
}

/* ---- building ------------------------------------------------------------- */

struct builder {
	int bad;
};

/* Integers in their shortest form (libcbor's build_uint64 always takes 9 bytes). */
static cbor_item_t *
build_int(int64_t v)
{
	uint64_t u = v >= 0 ? (uint64_t)v : (uint64_t)(-1 - v);
	cbor_item_t *item;

	if (u <= UINT8_MAX)
		item = v >= 0 ? cbor_build_uint8((uint8_t)u) : cbor_build_negint8((uint8_t)u);
	else if (u <= UINT16_MAX)
		item = v >= 0 ? cbor_build_uint16((uint16_t)u) : cbor_build_negint16((uint16_t)u);
	else if (u <= UINT32_MAX)
		item = v >= 0 ? cbor_build_uint32((uint32_t)u) : cbor_build_negint32((uint32_t)u);
	else
		item = v >= 0 ? cbor_build_uint64(u) : cbor_build_negint64(u);
	return item;
}

static void
put(struct builder *b, cbor_item_t *map, const char *key, cbor_item_t *value)
{
	cbor_item_t *k;

	if (value == NULL) {
		b->bad = 1;
		return;
	}
	k = cbor_build_string(key);
	if (k == NULL || !cbor_map_add(map, (struct cbor_pair){ .key = k, .value = value }))
		b->bad = 1;
	if (k != NULL)
		cbor_decref(&k);
	cbor_decref(&value);
}

static void
put_text(struct builder *b, cbor_item_t *map, const char *key, const char *s)
{
	if (s[0] != '\0')
		put(b, map, key, cbor_build_string(s));
}

static void
put_int(struct builder *b, cbor_item_t *map, const char *key, int64_t v)
{
	put(b, map, key, build_int(v));
}

static void
put_bytes(struct builder *b, cbor_item_t *map, const char *key, const uint8_t *p, size_t n)
{
	if (p != NULL && n > 0)
		put(b, map, key, cbor_build_bytestring(p, n));
}

static void
put_double(struct builder *b, cbor_item_t *map, const char *key, double v)
{
	put(b, map, key, cbor_build_float8(v));
}

static void
push(struct builder *b, cbor_item_t *array, cbor_item_t *value)
{
	if (value == NULL) {
		b->bad = 1;
		return;
	}
	if (!cbor_array_push(array, value))
		b->bad = 1;
	cbor_decref(&value);
}

/* Serialize and release root. */
static int
finish(struct builder *b, cbor_item_t *root, uint8_t **out, size_t *outlen)
{
	unsigned char *buf = NULL;
	size_t size = 0, n;

	*out = NULL;
	*outlen = 0;
	if (root == NULL)
		return -1;
	if (b->bad) {
		cbor_decref(&root);
		return -1;
	}
	n = cbor_serialize_alloc(root, &buf, &size);
	cbor_decref(&root);
	if (n == 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = n;
	return 0;
}

/* ---- records ---------------------------------------------------------------- */

static cbor_item_t *
build_violation(struct builder *b, const struct wire_violation *v)
{
	cbor_item_t *m = cbor_new_definite_map(10);

	if (m == NULL)
		return NULL;
	put_text(b, m, "uuid", v->uuid);
	put_text(b, m, "rule", v->rule);
	put_text(b, m, "sev", v->severity);
	put_text(b, m, "town", v->township);
	put_text(b, m, "details", v->details);
	put_text(b, m, "cyl", v->cylinder);
	put_text(b, m, "buyer", v->buyer);
	put_text(b, m, "masked", v->buyer_masked);
	if (v->line != 0)
		put_int(b, m, "line", v->line);
	put_int(b, m, "at", v->at_ms);
	return m;
}

static cbor_item_t *
build_fill(struct builder *b, const struct wire_fill *f)
{
	cbor_item_t *m = cbor_new_definite_map(18);

	if (m == NULL)
		return NULL;
	put_int(b, m, "line", f->line);
	put_text(b, m, "cyl", f->cylinder);
	put_text(b, m, "buyer", f->buyer);
	put_text(b, m, "masked", f->buyer_masked);
	put_text(b, m, "btown", f->buyer_township);
	put_text(b, m, "bkind", f->buyer_kind);
	put_text(b, m, "op", f->operator_cert);
	put_int(b, m, "start", f->started_ms);
	put_int(b, m, "end", f->ended_ms);
	put_double(b, m, "tare", f->tare_kg);
	put_double(b, m, "target", f->target_kg);
	put_double(b, m, "preact", f->preact_kg);
	put_double(b, m, "cutoff", f->cutoff_kg);
	put_double(b, m, "gross", f->gross_kg);
	put_double(b, m, "net", f->net_kg);
	put_text(b, m, "result", f->result);
	put_bytes(b, m, "curve", f->curve, f->curve_len);
	return m;
}

static cbor_item_t *
build_record(struct builder *b, const struct wire_record *r)
{
	cbor_item_t *m = cbor_new_definite_map(8), *viol;
	size_t i;

	if (m == NULL)
		return NULL;
	put_text(b, m, "st", r->station);
	put_int(b, m, "seq", r->seq);
	put_text(b, m, "uuid", r->uuid);
	put_text(b, m, "kind", r->kind);
	put_int(b, m, "at", r->created_ms);
	if (r->has_fill)
		put(b, m, "fill", build_fill(b, &r->fill));
	if (r->violation_count > 0) {
		viol = cbor_new_definite_array(r->violation_count);
		if (viol != NULL)
			for (i = 0; i < r->violation_count; i++)
				push(b, viol, build_violation(b, &r->violations[i]));
		put(b, m, "viol", viol);
	}
	return m;
}

static cbor_item_t *
build_records(struct builder *b, const struct wire_record *records, size_t count)
{
	cbor_item_t *a = cbor_new_definite_array(count);
	size_t i;

	if (a == NULL)
		return NULL;
	for (i = 0; i < count; i++)
		push(b, a, build_record(b, &records[i]));
	return a;
}

static int
read_violation(const cbor_item_t *m, struct wire_violation *v, char *err, size_t errlen)
{
	if (!cbor_isa_map(m))
		return err_set(err, errlen, "violation is not a map");
	if (get_text(m, "uuid", v->uuid, sizeof(v->uuid), 1, err, errlen) == -1 ||
	    get_text(m, "rule", v->rule, sizeof(v->rule), 1, err, errlen) == -1 ||
	    get_text(m, "sev", v->severity, sizeof(v->severity), 1, err, errlen) == -1 ||
	    get_text(m, "town", v->township, sizeof(v->township), 0, err, errlen) == -1 ||
	    get_text(m, "details", v->details, sizeof(v->details), 0, err, errlen) == -1 ||
	    get_text(m, "cyl", v->cylinder, sizeof(v->cylinder), 0, err, errlen) == -1 ||
	    get_text(m, "buyer", v->buyer, sizeof(v->buyer), 0, err, errlen) == -1 ||
	    get_text(m, "masked", v->buyer_masked, sizeof(v->buyer_masked), 0, err, errlen) == -1 ||
	    get_small(m, "line", &v->line, 0, err, errlen) == -1 ||
	    get_int(m, "at", &v->at_ms, 1, err, errlen) == -1)
		return -1;
	return 0;
}

static int
read_fill(const cbor_item_t *m, struct wire_fill *f, char *err, size_t errlen)
{
	if (!cbor_isa_map(m))
		return err_set(err, errlen, "fill is not a map");
	if (get_small(m, "line", &f->line, 1, err, errlen) == -1 ||
	    get_text(m, "cyl", f->cylinder, sizeof(f->cylinder), 1, err, errlen) == -1 ||
	    get_text(m, "buyer", f->buyer, sizeof(f->buyer), 0, err, errlen) == -1 ||
	    get_text(m, "masked", f->buyer_masked, sizeof(f->buyer_masked), 0, err, errlen) == -1 ||
	    get_text(m, "btown", f->buyer_township, sizeof(f->buyer_township), 0, err, errlen) ==
	        -1 ||
	    get_text(m, "bkind", f->buyer_kind, sizeof(f->buyer_kind), 0, err, errlen) == -1 ||
	    get_text(m, "op", f->operator_cert, sizeof(f->operator_cert), 0, err, errlen) == -1 ||
	    get_int(m, "start", &f->started_ms, 1, err, errlen) == -1 ||
	    get_int(m, "end", &f->ended_ms, 0, err, errlen) == -1 ||
	    get_double(m, "tare", &f->tare_kg, err, errlen) == -1 ||
	    get_double(m, "target", &f->target_kg, err, errlen) == -1 ||
	    get_double(m, "preact", &f->preact_kg, err, errlen) == -1 ||
	    get_double(m, "cutoff", &f->cutoff_kg, err, errlen) == -1 ||
	    get_double(m, "gross", &f->gross_kg, err, errlen) == -1 ||
	    get_double(m, "net", &f->net_kg, err, errlen) == -1 ||
	    get_text(m, "result", f->result, sizeof(f->result), 1, err, errlen) == -1 ||
	    get_bytes(m, "curve", &f->curve, &f->curve_len, WIRE_MAX_CURVE, err, errlen) == -1)
		return -1;
	return 0;
}

void
wire_record_clear(struct wire_record *r)
{
	if (r == NULL)
		return;
	free(r->violations);
	r->violations = NULL;
	r->violation_count = 0;
	free(r->fill.curve);
	r->fill.curve = NULL;
	r->fill.curve_len = 0;
}

static int
read_record(const cbor_item_t *m, struct wire_record *r, char *err, size_t errlen)
{
	cbor_item_t **viol, *fill;
	size_t i, n;
	char sub[160];

	memset(r, 0, sizeof(*r));
	if (!cbor_isa_map(m))
		return err_set(err, errlen, "record is not a map");
	if (get_text(m, "st", r->station, sizeof(r->station), 0, err, errlen) == -1 ||
	    get_int(m, "seq", &r->seq, 1, err, errlen) == -1 ||
	    get_text(m, "uuid", r->uuid, sizeof(r->uuid), 1, err, errlen) == -1 ||
	    get_text(m, "kind", r->kind, sizeof(r->kind), 1, err, errlen) == -1 ||
	    get_int(m, "at", &r->created_ms, 0, err, errlen) == -1)
		return -1;
	if (r->seq < 1)
		return err_set(err, errlen, "seq %lld is not positive", (long long)r->seq);
	if (strcmp(r->kind, "fill") != 0 && strcmp(r->kind, "refusal") != 0 &&
	    strcmp(r->kind, "event") != 0)
		return err_set(err, errlen, "unknown record kind '%s'", r->kind);
	if ((fill = mget(m, "fill")) != NULL) {
		if (read_fill(fill, &r->fill, sub, sizeof(sub)) == -1)
			return err_set(err, errlen, "seq %lld: %s", (long long)r->seq, sub);
		r->has_fill = 1;
	}
	if (strcmp(r->kind, "fill") == 0 && !r->has_fill)
		return err_set(err, errlen, "seq %lld: fill record without its fill",
		    (long long)r->seq);
	if (get_array(m, "viol", &viol, &n, WIRE_MAX_VIOLATIONS, err, errlen) == -1)
		return -1;
	if (n > 0) {
		r->violations = calloc(n, sizeof(*r->violations));
		if (r->violations == NULL)
			return err_set(err, errlen, "out of memory");
		r->violation_count = n;
		for (i = 0; i < n; i++)
			if (read_violation(viol[i], &r->violations[i], sub, sizeof(sub)) == -1) {
				wire_record_clear(r);
				return err_set(err, errlen, "seq %lld violation %zu: %s",
				    (long long)r->seq, i, sub);
			}
	}
	return 0;
}

static int
read_records(const cbor_item_t *root, const char *key, int required, struct wire_record **out,
    size_t *count, char *err, size_t errlen)
{
	cbor_item_t **items;
	size_t i, n;
	char sub[200];

	*out = NULL;
	*count = 0;
	if (get_array(root, key, &items, &n, WIRE_MAX_RECORDS, err, errlen) == -1)
		return -1;
	if (items == NULL && required)
		return err_set(err, errlen, "missing '%s'", key);
	if (n == 0)
		return 0;
	*out = calloc(n, sizeof(**out));
	if (*out == NULL)
		return err_set(err, errlen, "out of memory");
	for (i = 0; i < n; i++) {
		if (read_record(items[i], &(*out)[i], sub, sizeof(sub)) == -1) {
			*count = i + 1; /* the record read in part is freed too */
			return err_set(err, errlen, "record %zu: %s", i, sub);
		}
	}
	*count = n;
	return 0;
}

static void
free_records(struct wire_record *records, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		wire_record_clear(&records[i]);
	free(records);
}

/* ---- batch ------------------------------------------------------------------ */

int
wire_encode_batch(const struct wire_batch *batch, uint8_t **out, size_t *outlen)
{
	struct builder b = { 0 };
	cbor_item_t *m = cbor_new_definite_map(3);

	if (m != NULL) {
		put_text(&b, m, "station", batch->station);
		put_text(&b, m, "township", batch->township);
		put(&b, m, "records", build_records(&b, batch->records, batch->count));
	}
	return finish(&b, m, out, outlen);
}

void
wire_batch_free(struct wire_batch *batch)
{
	if (batch == NULL)
		return;
	free_records(batch->records, batch->count);
	memset(batch, 0, sizeof(*batch));
}

int
wire_decode_batch(const uint8_t *buf, size_t len, struct wire_batch *batch, char *err,
    size_t errlen)
{
	cbor_item_t *root;
	int rc = -1;

	memset(batch, 0, sizeof(*batch));
	if ((root = load(buf, len, err, errlen)) == NULL)
		return -1;
	if (get_text(root, "station", batch->station, sizeof(batch->station), 0, err, errlen) ==
	        -1 ||
	    get_text(root, "township", batch->township, sizeof(batch->township), 0, err, errlen) ==
	        -1 ||
	    read_records(root, "records", 1, &batch->records, &batch->count, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		wire_batch_free(batch);
	cbor_decref(&root);
	return rc;
}

/* ---- ack -------------------------------------------------------------------- */

int
wire_encode_ack(const struct wire_ack *a, uint8_t **out, size_t *outlen)
{
	struct builder b = { 0 };
	cbor_item_t *m = cbor_new_definite_map(3);

	if (m != NULL) {
		put_int(&b, m, "hwm", a->hwm);
		put_int(&b, m, "stored", a->stored);
		put_int(&b, m, "dup", a->duplicates);
	}
	return finish(&b, m, out, outlen);
}

int
wire_decode_ack(const uint8_t *buf, size_t len, struct wire_ack *a, char *err, size_t errlen)
{
	cbor_item_t *root;
	int rc = -1;

	memset(a, 0, sizeof(*a));
	if ((root = load(buf, len, err, errlen)) == NULL)
		return -1;
	if (get_int(root, "hwm", &a->hwm, 1, err, errlen) == -1 ||
	    get_int(root, "stored", &a->stored, 0, err, errlen) == -1 ||
	    get_int(root, "dup", &a->duplicates, 0, err, errlen) == -1)
		goto out;
	if (a->hwm < 0) {
		err_set(err, errlen, "negative high-water mark");
		goto out;
	}
	rc = 0;
out:
	cbor_decref(&root);
	return rc;
}

/* ---- heartbeat -------------------------------------------------------------- */

int
wire_encode_heartbeat(const struct wire_heartbeat *h, uint8_t **out, size_t *outlen)
{
	struct builder b = { 0 };
	cbor_item_t *m = cbor_new_definite_map(8);

	if (m != NULL) {
		put_text(&b, m, "station", h->station);
		put_text(&b, m, "township", h->township);
		put_int(&b, m, "at", h->at_ms);
		put_int(&b, m, "backlog", h->backlog);
		put_int(&b, m, "oldest", h->oldest_ms);
		put_int(&b, m, "last_ack", h->last_ack);
		put_int(&b, m, "regv", h->registry_version);
		put_text(&b, m, "status", h->status);
	}
	return finish(&b, m, out, outlen);
}

int
wire_decode_heartbeat(const uint8_t *buf, size_t len, struct wire_heartbeat *h, char *err,
    size_t errlen)
{
	cbor_item_t *root;
	int rc = -1;

	memset(h, 0, sizeof(*h));
	if ((root = load(buf, len, err, errlen)) == NULL)
		return -1;
	if (get_text(root, "station", h->station, sizeof(h->station), 0, err, errlen) == -1 ||
	    get_text(root, "township", h->township, sizeof(h->township), 0, err, errlen) == -1 ||
	    get_int(root, "at", &h->at_ms, 1, err, errlen) == -1 ||
	    get_int(root, "backlog", &h->backlog, 0, err, errlen) == -1 ||
	    get_int(root, "oldest", &h->oldest_ms, 0, err, errlen) == -1 ||
	    get_int(root, "last_ack", &h->last_ack, 0, err, errlen) == -1 ||
	    get_int(root, "regv", &h->registry_version, 0, err, errlen) == -1 ||
	    get_text(root, "status", h->status, sizeof(h->status), 0, err, errlen) == -1)
		goto out;
	rc = 0;
out:
	cbor_decref(&root);
	return rc;
}

/* ---- registry deltas ---------------------------------------------------------- */

int
wire_encode_registry(const struct wire_registry *r, uint8_t **out, size_t *outlen)
{
	struct builder b = { 0 };
	cbor_item_t *m = cbor_new_definite_map(3), *rows, *row;
	size_t i;

	if (m == NULL)
		return -1;
	put_int(&b, m, "version", r->version);
	put(&b, m, "more", cbor_build_bool(r->more != 0));
	rows = cbor_new_definite_array(r->count);
	for (i = 0; rows != NULL && i < r->count; i++) {
		row = cbor_new_definite_map(6);
		if (row != NULL) {
			put_text(&b, row, "serial", r->rows[i].serial);
			put_text(&b, row, "status", r->rows[i].status);
			put_text(&b, row, "last", r->rows[i].last_inspection);
			put_text(&b, row, "next", r->rows[i].next_inspection);
			put_text(&b, row, "owner", r->rows[i].owner);
			put_int(&b, row, "v", r->rows[i].version);
		}
		push(&b, rows, row);
	}
	put(&b, m, "rows", rows);
	return finish(&b, m, out, outlen);
}

void
wire_registry_free(struct wire_registry *r)
{
	if (r == NULL)
		return;
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

static int
date_ok(const char *s)
{
	int32_t days;

	return s[0] == '\0' || (strlen(s) == 10 && date_parse(s, &days) == 0);
}

int
wire_decode_registry(const uint8_t *buf, size_t len, struct wire_registry *r, char *err,
    size_t errlen)
{
	cbor_item_t *root, **items;
	struct wire_registry_row *row;
	size_t i, n;
	int rc = -1;
	char sub[160];

	memset(r, 0, sizeof(*r));
	if ((root = load(buf, len, err, errlen)) == NULL)
		return -1;
	if (get_int(root, "version", &r->version, 1, err, errlen) == -1 ||
	    get_bool(root, "more", &r->more, err, errlen) == -1 ||
	    get_array(root, "rows", &items, &n, WIRE_MAX_ROWS, err, errlen) == -1)
		goto out;
	if (n > 0 && (r->rows = calloc(n, sizeof(*r->rows))) == NULL) {
		err_set(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		row = &r->rows[i];
		if (!cbor_isa_map(items[i])) {
			err_set(err, errlen, "row %zu is not a map", i);
			goto out;
		}
		if (get_text(items[i], "serial", row->serial, sizeof(row->serial), 1, sub,
		        sizeof(sub)) == -1 ||
		    get_text(items[i], "status", row->status, sizeof(row->status), 1, sub,
		        sizeof(sub)) == -1 ||
		    get_text(items[i], "last", row->last_inspection, sizeof(row->last_inspection),
		        0, sub, sizeof(sub)) == -1 ||
		    get_text(items[i], "next", row->next_inspection, sizeof(row->next_inspection),
		        0, sub, sizeof(sub)) == -1 ||
		    get_text(items[i], "owner", row->owner, sizeof(row->owner), 0, sub,
		        sizeof(sub)) == -1 ||
		    get_int(items[i], "v", &row->version, 0, sub, sizeof(sub)) == -1) {
			err_set(err, errlen, "row %zu: %s", i, sub);
			goto out;
		}
		if (strcmp(row->status, "active") != 0 && strcmp(row->status, "scrapped") != 0 &&
		    strcmp(row->status, "retired") != 0) {
			err_set(err, errlen, "row %zu: unknown status '%s'", i, row->status);
			goto out;
		}
		if (!date_ok(row->last_inspection) || !date_ok(row->next_inspection)) {
			err_set(err, errlen, "row %zu: inspection date is not YYYY-MM-DD", i);
			goto out;
		}
	}
	r->count = n;
	rc = 0;
out:
	if (rc == -1)
		wire_registry_free(r);
	cbor_decref(&root);
	return rc;
}

/* ---- alerts ------------------------------------------------------------------- */

int
wire_encode_alerts(const struct wire_alert_list *l, uint8_t **out, size_t *outlen)
{
	struct builder b = { 0 };
	cbor_item_t *m = cbor_new_definite_map(2), *list, *a;
	const struct wire_alert *al;
	size_t i;

	if (m == NULL)
		return -1;
	put_int(&b, m, "last", l->last);
	list = cbor_new_definite_array(l->count);
	for (i = 0; list != NULL && i < l->count; i++) {
		al = &l->alerts[i];
		a = cbor_new_definite_map(12);
		if (a != NULL) {
			put_int(&b, a, "id", al->id);
			put_text(&b, a, "rule", al->rule);
			put_text(&b, a, "sev", al->severity);
			put_text(&b, a, "town", al->township);
			put_text(&b, a, "station", al->station);
			put_text(&b, a, "cyl", al->cylinder);
			put_text(&b, a, "masked", al->buyer_masked);
			put_text(&b, a, "text", al->text);
			put_int(&b, a, "at", al->at_ms);
			put_text(&b, a, "disp", al->disposition);
			put_text(&b, a, "by", al->disposed_by);
			if (al->disposed_ms != 0)
				put_int(&b, a, "disp_at", al->disposed_ms);
		}
		push(&b, list, a);
	}
	put(&b, m, "alerts", list);
	return finish(&b, m, out, outlen);
}

void
wire_alerts_free(struct wire_alert_list *l)
{
	if (l == NULL)
		return;
	free(l->alerts);
	memset(l, 0, sizeof(*l));
}

int
wire_decode_alerts(const uint8_t *buf, size_t len, struct wire_alert_list *l, char *err,
    size_t errlen)
{
	cbor_item_t *root, **items, *m;
	struct wire_alert *a;
	size_t i, n;
	int rc = -1;
	char sub[160];

	memset(l, 0, sizeof(*l));
	if ((root = load(buf, len, err, errlen)) == NULL)
		return -1;
	if (get_int(root, "last", &l->last, 1, err, errlen) == -1 ||
	    get_array(root, "alerts", &items, &n, WIRE_MAX_ALERTS, err, errlen) == -1)
		goto out;
	if (n > 0 && (l->alerts = calloc(n, sizeof(*l->alerts))) == NULL) {
		err_set(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		a = &l->alerts[i];
		m = items[i];
		if (!cbor_isa_map(m)) {
			err_set(err, errlen, "alert %zu is not a map", i);
			goto out;
		}
		if (get_int(m, "id", &a->id, 1, sub, sizeof(sub)) == -1 ||
		    get_text(m, "rule", a->rule, sizeof(a->rule), 1, sub, sizeof(sub)) == -1 ||
		    get_text(m, "sev", a->severity, sizeof(a->severity), 0, sub, sizeof(sub)) ==
		        -1 ||
		    get_text(m, "town", a->township, sizeof(a->township), 0, sub, sizeof(sub)) ==
		        -1 ||
		    get_text(m, "station", a->station, sizeof(a->station), 0, sub, sizeof(sub)) ==
		        -1 ||
		    get_text(m, "cyl", a->cylinder, sizeof(a->cylinder), 0, sub, sizeof(sub)) ==
		        -1 ||
		    get_text(m, "masked", a->buyer_masked, sizeof(a->buyer_masked), 0, sub,
		        sizeof(sub)) == -1 ||
		    get_text(m, "text", a->text, sizeof(a->text), 0, sub, sizeof(sub)) == -1 ||
		    get_int(m, "at", &a->at_ms, 0, sub, sizeof(sub)) == -1 ||
		    get_text(m, "disp", a->disposition, sizeof(a->disposition), 0, sub,
		        sizeof(sub)) == -1 ||
		    get_text(m, "by", a->disposed_by, sizeof(a->disposed_by), 0, sub,
		        sizeof(sub)) == -1 ||
		    get_int(m, "disp_at", &a->disposed_ms, 0, sub, sizeof(sub)) == -1) {
			err_set(err, errlen, "alert %zu: %s", i, sub);
			goto out;
		}
	}
	l->count = n;
	rc = 0;
out:
	if (rc == -1)
		wire_alerts_free(l);
	cbor_decref(&root);
	return rc;
}

/* ---- dispositions ----------------------------------------------------------------- */

int
wire_encode_disposition(const struct wire_disposition *d, uint8_t **out, size_t *outlen)
{
	struct builder b = { 0 };
	cbor_item_t *m = cbor_new_definite_map(2);

	if (m != NULL) {
		put_int(&b, m, "id", d->id);
		put_text(&b, m, "note", d->note);
	}
	return finish(&b, m, out, outlen);
}

int
wire_decode_disposition(const uint8_t *buf, size_t len, struct wire_disposition *d, char *err,
    size_t errlen)
{
	cbor_item_t *root;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	if ((root = load(buf, len, err, errlen)) == NULL)
		return -1;
	if (get_int(root, "id", &d->id, 1, err, errlen) == -1 ||
	    get_text(root, "note", d->note, sizeof(d->note), 1, err, errlen) == -1)
		goto out;
	if (d->id < 1) {
		err_set(err, errlen, "alert id %lld is not positive", (long long)d->id);
		goto out;
	}
	rc = 0;
out:
	cbor_decref(&root);
	return rc;
}

/* ---- traces --------------------------------------------------------------------- */

int64_t
wire_record_time(const struct wire_record *r)
{
	return r->has_fill ? r->fill.started_ms : r->created_ms;
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

int
wire_encode_trace(const struct wire_trace *t, uint8_t **out, size_t *outlen)
{
	struct builder b = { 0 };
	cbor_item_t *m = cbor_new_definite_map(8);

	if (m != NULL) {
		put_text(&b, m, "query", t->query);
		put_text(&b, m, "key", t->key);
		put_int(&b, m, "from", t->from_ms);
		put_int(&b, m, "to", t->to_ms);
		put_text(&b, m, "after", t->after);
		put(&b, m, "more", cbor_build_bool(t->more != 0));
		if (t->more)
			put_text(&b, m, "next", t->next);
		put(&b, m, "records", build_records(&b, t->records, t->count));
	}
	return finish(&b, m, out, outlen);
}

void
wire_trace_free(struct wire_trace *t)
{
	if (t == NULL)
		return;
	free_records(t->records, t->count);
	memset(t, 0, sizeof(*t));
}

int
wire_decode_trace(const uint8_t *buf, size_t len, struct wire_trace *t, char *err, size_t errlen)
{
	struct wire_cursor cursor;
	cbor_item_t *root;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	if ((root = load(buf, len, err, errlen)) == NULL)
		return -1;
	if (get_text(root, "query", t->query, sizeof(t->query), 1, err, errlen) == -1 ||
	    get_text(root, "key", t->key, sizeof(t->key), 0, err, errlen) == -1 ||
	    get_int(root, "from", &t->from_ms, 0, err, errlen) == -1 ||
	    get_int(root, "to", &t->to_ms, 0, err, errlen) == -1 ||
	    get_text(root, "after", t->after, sizeof(t->after), 0, err, errlen) == -1 ||
	    get_bool(root, "more", &t->more, err, errlen) == -1 ||
	    get_text(root, "next", t->next, sizeof(t->next), 0, err, errlen) == -1 ||
	    read_records(root, "records", 0, &t->records, &t->count, err, errlen) == -1)
		goto out;
	/* an answer that says "more" must say where to go on from */
	if (t->more && wire_cursor_parse(t->next, &cursor) == -1) {
		err_set(err, errlen, "'more' without a cursor in 'next'");
		goto out;
	}
	if (t->after[0] != '\0' && wire_cursor_parse(t->after, &cursor) == -1) {
		err_set(err, errlen, "'after' is not a cursor");
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		wire_trace_free(t);
	cbor_decref(&root);
	return rc;
}

/* ---- station list ------------------------------------------------------------ */

int
wire_encode_stations(const struct wire_station_list *l, uint8_t **out, size_t *outlen)
{
	struct builder b = { 0 };
	cbor_item_t *m = cbor_new_definite_map(1), *list, *st;
	size_t i;

	if (m == NULL)
		return -1;
	list = cbor_new_definite_array(l->count);
	for (i = 0; list != NULL && i < l->count; i++) {
		st = cbor_new_definite_map(8);
		if (st != NULL) {
			put_text(&b, st, "id", l->stations[i].id);
			put_text(&b, st, "town", l->stations[i].township);
			put_int(&b, st, "hwm", l->stations[i].hwm);
			put_int(&b, st, "max", l->stations[i].max_seq);
			put_int(&b, st, "gap_since", l->stations[i].gap_since_ms);
			put_int(&b, st, "seen", l->stations[i].last_seen_ms);
			put_int(&b, st, "backlog", l->stations[i].backlog);
			put_text(&b, st, "status", l->stations[i].status);
		}
		push(&b, list, st);
	}
	put(&b, m, "stations", list);
	return finish(&b, m, out, outlen);
}

void
wire_stations_free(struct wire_station_list *l)
{
	if (l == NULL)
		return;
	free(l->stations);
	memset(l, 0, sizeof(*l));
}

int
wire_decode_stations(const uint8_t *buf, size_t len, struct wire_station_list *l, char *err,
    size_t errlen)
{
	cbor_item_t *root, **items;
	struct wire_station *st;
	size_t i, n;
	int rc = -1;
	char sub[160];

	memset(l, 0, sizeof(*l));
	if ((root = load(buf, len, err, errlen)) == NULL)
		return -1;
	if (get_array(root, "stations", &items, &n, WIRE_MAX_ROWS, err, errlen) == -1)
		goto out;
	if (items == NULL) {
		err_set(err, errlen, "missing 'stations'");
		goto out;
	}
	if (n > 0 && (l->stations = calloc(n, sizeof(*l->stations))) == NULL) {
		err_set(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		st = &l->stations[i];
		if (!cbor_isa_map(items[i]) ||
		    get_text(items[i], "id", st->id, sizeof(st->id), 1, sub, sizeof(sub)) == -1 ||
		    get_text(items[i], "town", st->township, sizeof(st->township), 0, sub,
		        sizeof(sub)) == -1 ||
		    get_int(items[i], "hwm", &st->hwm, 1, sub, sizeof(sub)) == -1 ||
		    get_int(items[i], "max", &st->max_seq, 0, sub, sizeof(sub)) == -1 ||
		    get_int(items[i], "gap_since", &st->gap_since_ms, 0, sub, sizeof(sub)) == -1 ||
		    get_int(items[i], "seen", &st->last_seen_ms, 0, sub, sizeof(sub)) == -1 ||
		    get_int(items[i], "backlog", &st->backlog, 0, sub, sizeof(sub)) == -1 ||
		    get_text(items[i], "status", st->status, sizeof(st->status), 0, sub,
		        sizeof(sub)) == -1) {
			err_set(err, errlen, "station %zu: %s", i,
			    cbor_isa_map(items[i]) ? sub : "not a map");
			goto out;
		}
	}
	l->count = n;
	rc = 0;
out:
	if (rc == -1)
		wire_stations_free(l);
	cbor_decref(&root);
	return rc;
}

/* ---- JSON ---------------------------------------------------------------------- */

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

int
wire_encode_curve(const struct wire_curve *c, uint8_t **out, size_t *outlen)
{
	struct builder b = { 0 };
	cbor_item_t *m = cbor_new_definite_map(5);

	if (m == NULL)
		return -1;
	put_text(&b, m, "fill", c->fill);
	put_text(&b, m, "station", c->station);
	put_text(&b, m, "cyl", c->cylinder);
	put_int(&b, m, "line", c->line);
	put_bytes(&b, m, "curve", c->curve, c->curve_len);
	return finish(&b, m, out, outlen);
}

int
wire_decode_curve(const uint8_t *buf, size_t len, struct wire_curve *c, char *err, size_t errlen)
{
	cbor_item_t *root;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if ((root = load(buf, len, err, errlen)) == NULL)
		return -1;
	if (get_text(root, "fill", c->fill, sizeof(c->fill), 1, err, errlen) == -1 ||
	    get_text(root, "station", c->station, sizeof(c->station), 1, err, errlen) == -1 ||
	    get_text(root, "cyl", c->cylinder, sizeof(c->cylinder), 0, err, errlen) == -1 ||
	    get_small(root, "line", &c->line, 0, err, errlen) == -1 ||
	    get_bytes(root, "curve", &c->curve, &c->curve_len, WIRE_MAX_CURVE, err, errlen) == -1)
		goto out;
	if (c->curve == NULL) {
		err_set(err, errlen, "missing 'curve'");
		goto out;
	}
	rc = 0;
out:
	if (rc == -1)
		wire_curve_free(c);
	cbor_decref(&root);
	return rc;
}

void
wire_curve_free(struct wire_curve *c)
{
	if (c == NULL)
		return;
	free(c->curve);
	c->curve = NULL;
	c->curve_len = 0;
}
