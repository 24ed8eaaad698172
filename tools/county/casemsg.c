/*
 * casemsg: requests about cases, driven by one table (casemsg.h), read
 * from CBOR or from JSON through the same checks (store_*).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "casemsg.h"
#include "termtext.h"
#include "util.h"

enum kind { K_INT, K_TEXT, K_LINES, K_REAL, K_BYTES, K_RID };

/* One row per field: key, type, where, bounds (text: the buffer; bytes:
 * the most; numbers: min..max). */
static const struct field_row {
	const char *key;
	enum kind kind;
	size_t offset, size;
	double min, max;
} fields[CASEMSG_FIELD_COUNT] = {
#define AT(f) offsetof(struct case_request, f)
#define SZ(f) sizeof(((struct case_request *)0)->f)
	[CASEMSG_ID] = { "id", K_INT, AT(id), 0, 1, 9007199254740991.0 },
	[CASEMSG_STEP] = { "step", K_TEXT, AT(step), SZ(step), 0, 0 },
	[CASEMSG_NOTE_F] = { "note", K_LINES, AT(note), SZ(note), 0, 0 },
	[CASEMSG_OUTCOME] = { "outcome", K_TEXT, AT(outcome), SZ(outcome), 0, 0 },
	[CASEMSG_POWER] = { "power", K_TEXT, AT(power), SZ(power), 0, 0 },
	[CASEMSG_FINE] = { "fine", K_INT, AT(fine), 0, 0, 100000000 },
	[CASEMSG_TOWNSHIP] = { "township", K_TEXT, AT(township), SZ(township), 0, 0 },
	[CASEMSG_KIND] = { "kind", K_TEXT, AT(kind), SZ(kind), 0, 0 },
	[CASEMSG_VILLAGE] = { "village", K_TEXT, AT(village), SZ(village), 0, 0 },
	[CASEMSG_PLACE_F] = { "place", K_LINES, AT(place), SZ(place), 0, 0 },
	[CASEMSG_LAT] = { "lat", K_REAL, AT(lat), 0, -90, 90 },
	[CASEMSG_LON] = { "lon", K_REAL, AT(lon), 0, -180, 180 },
	[CASEMSG_CODE] = { "code", K_TEXT, AT(code), SZ(code), 0, 0 },
	[CASEMSG_FILE] = { "file", K_TEXT, AT(file), SZ(file), 0, 0 },
	[CASEMSG_TYPE] = { "type", K_TEXT, AT(type), SZ(type), 0, 0 },
	[CASEMSG_DATA] = { "data", K_BYTES, AT(data), 0, 0, CASEMSG_MAX_EVIDENCE },
	[CASEMSG_RID] = { "rid", K_RID, AT(rid), SZ(rid), CASEMSG_RID_MIN, CASEMSG_RID_SIZE - 1 },
#undef AT
#undef SZ
};

int
casemsg_text_ok(const char *s, size_t n, int lines)
{
	return termtext_text_ok(s, n, lines);
}

int
casemsg_rid_ok(const char *s, size_t n)
{
	size_t i;

	if (n < CASEMSG_RID_MIN || n >= CASEMSG_RID_SIZE)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(CASEMSG_RID_CHARS, s[i]) == NULL)
			return 0;
	return 1;
}

int
casemsg_new_rid(struct case_request *r)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char bytes[16];
	size_t i;

	if (RAND_bytes(bytes, (int)sizeof(bytes)) != 1)
		return -1;
	for (i = 0; i < sizeof(bytes); i++) {
		r->rid[2 * i] = hex[bytes[i] >> 4];
		r->rid[2 * i + 1] = hex[bytes[i] & 0xf];
	}
	r->rid[2 * sizeof(bytes)] = '\0';
	casemsg_set(r, CASEMSG_RID);
	return 0;
}

/* n as 8 bytes big-endian into b. */
static void
be64(uint64_t n, unsigned char b[8])
{
	int i;

	for (i = 7; i >= 0; i--, n >>= 8)
		b[i] = (unsigned char)(n & 0xff);
}

/* len, then len bytes of p, into the digest. */
static int
digest_bytes(EVP_MD_CTX *md, const void *p, size_t len)
{
	unsigned char n[8];

	be64(len, n);
	return EVP_DigestUpdate(md, n, sizeof(n)) == 1 &&
	       (len == 0 || EVP_DigestUpdate(md, p, len) == 1);
}

int
casemsg_digest(const struct case_request *r, const char *action, char hex[CASEMSG_DIGEST_HEX])
{
	unsigned char sum[EVP_MAX_MD_SIZE], b[8];
	unsigned int sumlen = 0, i;
	EVP_MD_CTX *md;
	int ok;

	hex[0] = '\0';
	if ((md = EVP_MD_CTX_new()) == NULL)
		return -1;
	ok = EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1 &&
	     digest_bytes(md, action, strlen(action));
	for (i = 0; ok && i < CASEMSG_FIELD_COUNT; i++) {
		const struct field_row *f = &fields[i];
		const char *at = (const char *)r + f->offset;
		unsigned char head[2] = { (unsigned char)i, (unsigned char)CASEMSG_HAS(r, i) };
		int64_t n;
		double d;
		uint64_t bits;

		if (i == CASEMSG_RID)
			continue;
		ok = EVP_DigestUpdate(md, head, sizeof(head)) == 1;
		if (!ok || !head[1])
			continue;
		switch (f->kind) {
		case K_INT:
			memcpy(&n, at, sizeof(n));
			be64((uint64_t)n, b);
			ok = EVP_DigestUpdate(md, b, sizeof(b)) == 1;
			break;
		case K_REAL:
			memcpy(&d, at, sizeof(d));
			if (d == 0)
				d = 0; /* -0 */
			memcpy(&bits, &d, sizeof(bits));
			be64(bits, b);
			ok = EVP_DigestUpdate(md, b, sizeof(b)) == 1;
			break;
		case K_BYTES:
			ok = digest_bytes(md, r->data, r->data != NULL ? r->data_len : 0);
			break;
		default:
			ok = digest_bytes(md, at, strnlen(at, f->size));
			break;
		}
	}
	ok = ok && EVP_DigestFinal_ex(md, sum, &sumlen) == 1 && sumlen == 32;
	EVP_MD_CTX_free(md);
	if (!ok)
		return -1;
	hex_encode(sum, sumlen, hex);
	return 0;
}

void
casemsg_set(struct case_request *r, enum casemsg_field f)
{
	r->present |= 1u << f;
}

void
casemsg_free(struct case_request *r)
{
	if (r == NULL)
		return;
	free(r->data);
	r->data = NULL;
	r->data_len = 0;
}

static int
number_of(cbor_item_t *v, int real, double *out)
{
	if (cbor_isa_uint(v)) {
		*out = (double)cbor_get_int(v);
		return 0;
	}
	if (cbor_isa_negint(v)) {
		*out = -1.0 - (double)cbor_get_int(v);
		return 0;
	}
	if (real && cbor_isa_float_ctrl(v) && cbor_float_get_width(v) != CBOR_FLOAT_0) {
		*out = cbor_float_get_float(v);
		return isfinite(*out) ? 0 : -1;
	}
	return -1;
}

/* Store a number (an integer when the field is one: real is 0) into r. */
static int
store_number(const struct field_row *f, double d, struct case_request *r, char *err, size_t errlen)
{
	char *at = (char *)r + f->offset;

	if (f->kind == K_INT) {
		if (d < f->min || d > f->max)
			return err_set(err, errlen, "%s: %.0f is outside %.0f..%.0f", f->key, d,
			    f->min, f->max);
		*(int64_t *)(void *)at = (int64_t)d;
		return 0;
	}
	if (!isfinite(d) || d < f->min || d > f->max)
		return err_set(err, errlen, "%s: %g is outside %g..%g", f->key, d, f->min, f->max);
	*(double *)(void *)at = d;
	return 0;
}

/* Store n bytes of text s into r, if they fit and are text of the kind. */
static int
store_text(const struct field_row *f, const char *s, size_t n, struct case_request *r, char *err,
    size_t errlen)
{
	char *at = (char *)r + f->offset;

	/* a key the client chose: its own charset and length, and never echoed */
	if (f->kind == K_RID) {
		if (!casemsg_rid_ok(s, n))
			return err_set(err, errlen,
			    "%s: not %.0f..%.0f characters of A-Z a-z 0-9 _ -", f->key, f->min,
			    f->max);
		memcpy(at, s, n);
		at[n] = '\0';
		return 0;
	}
	if (n >= f->size)
		return err_set(err, errlen, "%s: longer than %zu bytes", f->key, f->size - 1);
	if (!casemsg_text_ok(s, n, f->kind == K_LINES))
		return err_set(err, errlen, "%s: not UTF-8 text%s", f->key,
		    f->kind == K_LINES ? "" : " on one line");
	memcpy(at, s, n);
	at[n] = '\0';
	return 0;
}

/* Check n bytes against the field's bounds; r->data is then allocated for
 * them (the caller fills it). */
static int
store_bytes_size(const struct field_row *f, size_t n, struct case_request *r, char *err,
    size_t errlen)
{
	if (n == 0 || n > (size_t)f->max)
		return err_set(err, errlen, "%s: %zu bytes, expected 1..%.0f", f->key, n, f->max);
	if ((r->data = malloc(n)) == NULL)
		return err_set(err, errlen, "out of memory");
	r->data_len = n;
	return 0;
}

static int
decode_field(const struct field_row *f, cbor_item_t *v, struct case_request *r, char *err,
    size_t errlen)
{
	double d;
	size_t n;

	switch (f->kind) {
	case K_INT:
	case K_REAL:
		if (number_of(v, f->kind == K_REAL, &d) == -1)
			return err_set(err, errlen, "%s: not %s", f->key,
			    f->kind == K_INT ? "an integer" : "a number");
		return store_number(f, d, r, err, errlen);
	case K_TEXT:
	case K_LINES:
	case K_RID:
		if (!cbor_isa_string(v) || !cbor_string_is_definite(v))
			return err_set(err, errlen, "%s: not a text string", f->key);
		return store_text(f, (const char *)cbor_string_handle(v), cbor_string_length(v), r,
		    err, errlen);
	case K_BYTES:
		if (!cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v))
			return err_set(err, errlen, "%s: not a byte string", f->key);
		n = cbor_bytestring_length(v);
		if (store_bytes_size(f, n, r, err, errlen) == -1)
			return -1;
		memcpy(r->data, cbor_bytestring_handle(v), n);
		return 0;
	}
	return -1;
}

/* The field whose key is the n bytes at key; -1 if none. */
static int
field_of(const char *key, size_t n)
{
	int f;

	for (f = 0; f < CASEMSG_FIELD_COUNT; f++)
		if (strlen(fields[f].key) == n && memcmp(fields[f].key, key, n) == 0)
			return f;
	return -1;
}

/* "unknown key 'KEY'", the key shown only when it is short printable text. */
static int
unknown_key(const char *key, size_t n, char *err, size_t errlen)
{
	n = n < 32 ? n : 32;
	return err_set(err, errlen, "unknown key '%.*s'", (int)n,
	    casemsg_text_ok(key, n, 0) ? key : "?");
}

/* A base64 text (RFC 4648, padded) into the field's bytes. */
static int
decode_base64(const struct field_row *f, const char *text, size_t n, struct case_request *r,
    char *err, size_t errlen)
{
	EVP_ENCODE_CTX *ctx;
	int out = 0, tail = 0, ok;
	size_t most = n / 4 * 3;

	/* the size bound before anything is allocated; then the exact size */
	if (n == 0 || n % 4 != 0 || most > (size_t)f->max + 2 || n > INT32_MAX)
		return err_set(err, errlen, "%s: not base64 of 1..%.0f bytes", f->key, f->max);
	if ((r->data = malloc(most)) == NULL)
		return err_set(err, errlen, "out of memory");
	if ((ctx = EVP_ENCODE_CTX_new()) == NULL)
		return err_set(err, errlen, "out of memory");
	EVP_DecodeInit(ctx);
	ok = EVP_DecodeUpdate(ctx, r->data, &out, (const unsigned char *)text, (int)n) != -1 &&
	     EVP_DecodeFinal(ctx, r->data + out, &tail) == 1;
	EVP_ENCODE_CTX_free(ctx);
	r->data_len = (size_t)out + (size_t)tail;
	if (!ok || r->data_len == 0 || r->data_len > (size_t)f->max)
		return err_set(err, errlen, "%s: not base64 of 1..%.0f bytes", f->key, f->max);
	return 0;
}

static int
decode_json_field(const struct field_row *f, json_t *v, struct case_request *r, char *err,
    size_t errlen)
{
	switch (f->kind) {
	case K_INT:
		if (!json_is_integer(v))
			return err_set(err, errlen, "%s: not an integer", f->key);
		return store_number(f, (double)json_integer_value(v), r, err, errlen);
	case K_REAL:
		if (!json_is_number(v))
			return err_set(err, errlen, "%s: not a number", f->key);
		return store_number(f, json_number_value(v), r, err, errlen);
	case K_TEXT:
	case K_LINES:
	case K_RID:
		if (!json_is_string(v))
			return err_set(err, errlen, "%s: not a text string", f->key);
		return store_text(f, json_string_value(v), json_string_length(v), r, err, errlen);
	case K_BYTES:
		if (!json_is_string(v))
			return err_set(err, errlen, "%s: not a base64 text string", f->key);
		return decode_base64(f, json_string_value(v), json_string_length(v), r, err,
		    errlen);
	}
	return -1;
}

int
casemsg_decode_json(const uint8_t *buf, size_t len, struct case_request *r, char *err,
    size_t errlen)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *key;
	int f;

	memset(r, 0, sizeof(*r));
	if (len == 0 || len > CASEMSG_MAX_JSON)
		return err_set(err, errlen, "request of %zu bytes (1..%u)", len, CASEMSG_MAX_JSON);
	/* duplicate keys refused by jansson; a NUL inside a string too */
	root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return err_set(err, errlen, "request is not JSON: %s (byte %d)", jerr.text,
		    jerr.position);
	if (!json_is_object(root)) {
		json_decref(root);
		return err_set(err, errlen, "request is not a JSON object");
	}
	json_object_foreach(root, key, v)
	{
		if ((f = field_of(key, strlen(key))) == -1) {
			unknown_key(key, strlen(key), err, errlen);
			goto fail;
		}
		if (decode_json_field(&fields[f], v, r, err, errlen) == -1)
			goto fail;
		casemsg_set(r, (enum casemsg_field)f);
	}
	json_decref(root);
	return 0;
fail:
	json_decref(root);
	casemsg_free(r);
	memset(r, 0, sizeof(*r));
	return -1;
}

/*
 * A request is one flat map: text keys, and values that are numbers,
 * strings or simple values, never arrays, maps or tags.  Check that on the
 * raw bytes, every declared length inside the buffer and nothing after the
 * map, before libcbor allocates anything (it would otherwise trust an
 * array's declared size).  Returns the offset of the first bad byte, or
 * len when the bytes are such a map.
 */
static size_t
flat_map_check(const uint8_t *buf, size_t len)
{
	size_t pos = 1, items = (size_t)(buf[0] - 0xa0) * 2, i, n, k;
	uint64_t arg;
	int major, info;

	for (i = 0; i < items; i++) {
		if (pos >= len)
			return pos;
		major = buf[pos] >> 5;
		info = buf[pos] & 0x1f;
		if (major == 4 || major == 5 || major == 6 || info > 27 ||
		    (i % 2 == 0 && major != 3))
			return pos; /* nesting, tags, indefinite lengths, non-text keys */
		pos++;
		arg = (uint64_t)info;
		if (info >= 24) {
			n = (size_t)1 << (info - 24);
			if (len - pos < n)
				return pos;
			for (arg = 0, k = 0; k < n; k++)
				arg = (arg << 8) | buf[pos++];
		}
		if (major == 2 || major == 3) {
			if (arg > len - pos)
				return pos;
			pos += (size_t)arg;
		}
	}
	return pos == len ? len : pos;
}

int
casemsg_decode(const uint8_t *buf, size_t len, struct case_request *r, char *err, size_t errlen)
{
	size_t bad;

	struct cbor_load_result res;
	struct cbor_pair *pairs;
	cbor_item_t *root;
	size_t i, n;
	int f;

	memset(r, 0, sizeof(*r));
	/* before libcbor allocates anything */
	if (len == 0 || len > CASEMSG_MAX_PAYLOAD)
		return err_set(err, errlen, "request of %zu bytes (1..%u)", len,
		    CASEMSG_MAX_PAYLOAD);
	if (buf[0] < 0xa0 || buf[0] > 0xb7)
		return err_set(err, errlen, "request is not a small CBOR map");
	if ((bad = flat_map_check(buf, len)) != len)
		return err_set(err, errlen,
		    "request is not one flat CBOR map of text keys (near byte %zu)", bad);
	root = cbor_load(buf, len, &res);
	if (root == NULL || res.error.code != CBOR_ERR_NONE || res.read != len) {
		if (root != NULL)
			cbor_decref(&root);
		return err_set(err, errlen, "request is not one well-formed CBOR item");
	}
	n = cbor_map_size(root);
	pairs = cbor_map_handle(root);
	for (i = 0; i < n; i++) {
		cbor_item_t *k = pairs[i].key;

		if (!cbor_isa_string(k) || !cbor_string_is_definite(k)) {
			err_set(err, errlen, "a key is not a text string");
			goto fail;
		}
		f = field_of((const char *)cbor_string_handle(k), cbor_string_length(k));
		if (f == -1) {
			unknown_key((const char *)cbor_string_handle(k), cbor_string_length(k), err,
			    errlen);
			goto fail;
		}
		if (CASEMSG_HAS(r, f)) {
			err_set(err, errlen, "%s: given twice", fields[f].key);
			goto fail;
		}
		if (decode_field(&fields[f], pairs[i].value, r, err, errlen) == -1)
			goto fail;
		casemsg_set(r, (enum casemsg_field)f);
	}
	cbor_decref(&root);
	return 0;
fail:
	cbor_decref(&root);
	casemsg_free(r);
	memset(r, 0, sizeof(*r));
	return -1;
}

int
casemsg_encode(const struct case_request *r, uint8_t **out, size_t *len)
{
	cbor_item_t *map, *v;
	size_t n = 0, size = 0;
	int f, ok = 1;

	*out = NULL;
	for (f = 0; f < CASEMSG_FIELD_COUNT; f++)
		n += CASEMSG_HAS(r, f);
	if ((map = cbor_new_definite_map(n)) == NULL)
		return -1;
	for (f = 0; ok && f < CASEMSG_FIELD_COUNT; f++) {
		const struct field_row *row = &fields[f];
		const char *at = (const char *)r + row->offset;

		if (!CASEMSG_HAS(r, f))
			continue;
		switch (row->kind) {
		case K_INT:
			v = *(const int64_t *)(const void *)at < 0
			        ? NULL
			        : cbor_build_uint64((uint64_t) * (const int64_t *)(const void *)at);
			break;
		case K_REAL:
			v = cbor_build_float8(*(const double *)(const void *)at);
			break;
		case K_TEXT:
		case K_LINES:
		case K_RID:
			v = cbor_build_string(at);
			break;
		case K_BYTES:
		default:
			v = r->data != NULL ? cbor_build_bytestring(r->data, r->data_len) : NULL;
			break;
		}
		if (v == NULL) {
			ok = 0;
			break;
		}
		ok = cbor_map_add(map,
		    (struct cbor_pair){ .key = cbor_move(cbor_build_string(row->key)),
		        .value = cbor_move(v) });
	}
	if (ok)
		*len = cbor_serialize_alloc(map, out, &size);
	cbor_decref(&map);
	if (!ok || *out == NULL || *len == 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}
