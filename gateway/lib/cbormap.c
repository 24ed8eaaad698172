/*
 * cbormap: structs described as tables of fields, to and from CBOR maps
 * (see cbormap.h).  Encoding builds a libcbor tree of the caller's own data
 * and serializes it; decoding pulls one item at a time with libcbor's
 * streaming decoder, so a payload never becomes a tree.
 */
#include <cbor.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cbormap.h"
#include "util.h"

#define SMALL_MAX 1000000 /* SMALL fields without bounds: line numbers and the like */
#define MAX_NEST 16       /* the callers' walk allows less; this only guards the stack */

static void *
at(void *obj, size_t offset)
{
	return (char *)obj + offset;
}

static const void *
cat(const void *obj, size_t offset)
{
	return (const char *)obj + offset;
}

/* ---- encoding ---------------------------------------------------------- */

/* Integers in their shortest form (libcbor's build_uint64 always takes 9 bytes). */
static cbor_item_t *
build_int(int64_t v)
{
	uint64_t u = v >= 0 ? (uint64_t)v : (uint64_t)(-1 - v);

	if (u <= UINT8_MAX)
		return v >= 0 ? cbor_build_uint8((uint8_t)u) : cbor_build_negint8((uint8_t)u);
	if (u <= UINT16_MAX)
		return v >= 0 ? cbor_build_uint16((uint16_t)u) : cbor_build_negint16((uint16_t)u);
	if (u <= UINT32_MAX)
		return v >= 0 ? cbor_build_uint32((uint32_t)u) : cbor_build_negint32((uint32_t)u);
	return v >= 0 ? cbor_build_uint64(u) : cbor_build_negint64(u);
}

static cbor_item_t *build_map(const struct cbormap_msg *msg, const void *obj, int *bad);

/* The value of one field, or NULL when it is left out (*bad set when
 * memory ran out). */
static cbor_item_t *
build_value(const struct cbormap_field *f, const void *obj, int *bad)
{
	const void *p = cat(obj, f->offset);
	cbor_item_t *item = NULL, *el;
	size_t i, n;
	int64_t v;

	switch (f->type) {
	case CBORMAP_TEXT:
		if (((const char *)p)[0] == '\0')
			return NULL;
		item = cbor_build_string((const char *)p);
		break;
	case CBORMAP_INT:
	case CBORMAP_SMALL:
		v = f->type == CBORMAP_INT ? *(const int64_t *)p : *(const int *)p;
		if (v == 0 && (f->flags & CBORMAP_OMIT_ZERO))
			return NULL;
		item = build_int(v);
		break;
	case CBORMAP_KG:
		item = cbor_build_float8(*(const double *)p);
		break;
	case CBORMAP_E6:
		item = build_int((int64_t)llround(*(const double *)p * 1e6));
		break;
	case CBORMAP_BOOL:
		if (*(const int *)p == 0 && (f->flags & CBORMAP_OMIT_ZERO))
			return NULL;
		item = cbor_build_bool(*(const int *)p != 0);
		break;
	case CBORMAP_BYTES:
		n = *(const size_t *)cat(obj, f->aux);
		if (*(uint8_t *const *)p == NULL || n == 0)
			return NULL;
		item = cbor_build_bytestring(*(uint8_t *const *)p, n);
		break;
	case CBORMAP_MAP:
		if (!*(const int *)cat(obj, f->aux))
			return NULL;
		item = build_map(f->sub, p, bad);
		break;
	case CBORMAP_ARRAY:
		n = *(const size_t *)cat(obj, f->aux);
		if (n == 0 && !(f->flags & CBORMAP_ALWAYS))
			return NULL;
		if ((item = cbor_new_definite_array(n)) == NULL)
			break;
		for (i = 0; i < n; i++) {
			el = build_map(f->sub, (const char *)*(void *const *)p + i * f->sub->size,
			    bad);
			if (el == NULL || !cbor_array_push(item, el))
				*bad = 1;
			if (el != NULL)
				cbor_decref(&el);
		}
		break;
	}
	if (item == NULL)
		*bad = 1;
	return item;
}

static cbor_item_t *
build_map(const struct cbormap_msg *msg, const void *obj, int *bad)
{
	cbor_item_t *map = cbor_new_definite_map(msg->count), *key, *value;
	size_t i;

	if (map == NULL) {
		*bad = 1;
		return NULL;
	}
	for (i = 0; i < msg->count; i++) {
		if ((value = build_value(&msg->fields[i], obj, bad)) == NULL)
			continue;
		key = cbor_build_string(msg->fields[i].key);
		if (key == NULL ||
		    !cbor_map_add(map, (struct cbor_pair){ .key = key, .value = value }))
			*bad = 1;
		if (key != NULL)
			cbor_decref(&key);
		cbor_decref(&value);
	}
	return map;
}

int
cbormap_encode(const struct cbormap_msg *msg, const void *obj, uint8_t **out, size_t *outlen)
{
	unsigned char *buf = NULL;
	cbor_item_t *root;
	size_t size = 0, n = 0;
	int bad = 0;

	*out = NULL;
	*outlen = 0;
	root = build_map(msg, obj, &bad);
	if (root != NULL && !bad)
		n = cbor_serialize_alloc(root, &buf, &size);
	if (root != NULL)
		cbor_decref(&root);
	if (n == 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = n;
	return 0;
}

/* ---- releasing ----------------------------------------------------------- */

void
cbormap_free(const struct cbormap_msg *msg, void *obj)
{
	const struct cbormap_field *f;
	size_t i, j, *count;
	void **p;

	if (obj == NULL)
		return;
	for (i = 0; i < msg->count; i++) {
		f = &msg->fields[i];
		p = at(obj, f->offset);
		switch (f->type) {
		case CBORMAP_BYTES:
			free(*p);
			*p = NULL;
			*(size_t *)at(obj, f->aux) = 0;
			break;
		case CBORMAP_MAP:
			cbormap_free(f->sub, p);
			break;
		case CBORMAP_ARRAY:
			count = at(obj, f->aux);
			for (j = 0; *p != NULL && j < *count; j++)
				cbormap_free(f->sub, (char *)*p + j * f->sub->size);
			free(*p);
			*p = NULL;
			*count = 0;
			break;
		default:
			break;
		}
	}
}

/* ---- decoding: a pull reader over libcbor's streaming decoder ------------ */

enum event {
	EV_NONE,
	EV_UINT,
	EV_NEGINT,
	EV_BYTES,
	EV_TEXT,
	EV_ARRAY,
	EV_MAP,
	EV_FLOAT,
	EV_BOOL,
	EV_NULL,
	EV_OTHER, /* indefinite lengths, tags, undefined: not part of any message */
};

struct reader {
	const uint8_t *buf;
	size_t len, pos;
	size_t alloc, max_alloc; /* bytes allocated so far, and the most allowed */
	/* the item just read */
	enum event ev;
	uint64_t u;
	double d;
	const uint8_t *data;
	size_t n; /* string length, array or map size */
	/* the path of the field being read, for errors */
	char path[160];
	char *err;
	size_t errlen;
};

#define R(ctx) ((struct reader *)(ctx))
static void
on_uint8(void *c, uint8_t v)
{
	R(c)->ev = EV_UINT, R(c)->u = v;
}
static void
on_uint16(void *c, uint16_t v)
{
	R(c)->ev = EV_UINT, R(c)->u = v;
}
static void
on_uint32(void *c, uint32_t v)
{
	R(c)->ev = EV_UINT, R(c)->u = v;
}
static void
on_uint64(void *c, uint64_t v)
{
	R(c)->ev = EV_UINT, R(c)->u = v;
}
static void
on_negint8(void *c, uint8_t v)
{
	R(c)->ev = EV_NEGINT, R(c)->u = v;
}
static void
on_negint16(void *c, uint16_t v)
{
	R(c)->ev = EV_NEGINT, R(c)->u = v;
}
static void
on_negint32(void *c, uint32_t v)
{
	R(c)->ev = EV_NEGINT, R(c)->u = v;
}
static void
on_negint64(void *c, uint64_t v)
{
	R(c)->ev = EV_NEGINT, R(c)->u = v;
}
static void
on_bytes(void *c, cbor_data d, size_t n)
{
	R(c)->ev = EV_BYTES, R(c)->data = d, R(c)->n = n;
}
static void
on_text(void *c, cbor_data d, size_t n)
{
	R(c)->ev = EV_TEXT, R(c)->data = d, R(c)->n = n;
}
static void
on_array(void *c, size_t n)
{
	R(c)->ev = EV_ARRAY, R(c)->n = n;
}
static void
on_map(void *c, size_t n)
{
	R(c)->ev = EV_MAP, R(c)->n = n;
}
static void
on_float(void *c, float v)
{
	R(c)->ev = EV_FLOAT, R(c)->d = v;
}
static void
on_double(void *c, double v)
{
	R(c)->ev = EV_FLOAT, R(c)->d = v;
}
static void
on_bool(void *c, bool v)
{
	R(c)->ev = EV_BOOL, R(c)->u = v;
}
static void
on_null(void *c)
{
	R(c)->ev = EV_NULL;
}
static void
on_other(void *c)
{
	R(c)->ev = EV_OTHER;
}
static void
on_tag(void *c, uint64_t v)
{
	(void)v, R(c)->ev = EV_OTHER;
}
#undef R

static const struct cbor_callbacks callbacks = {
	.uint8 = on_uint8,
	.uint16 = on_uint16,
	.uint32 = on_uint32,
	.uint64 = on_uint64,
	.negint8 = on_negint8,
	.negint16 = on_negint16,
	.negint32 = on_negint32,
	.negint64 = on_negint64,
	.byte_string = on_bytes,
	.byte_string_start = on_other,
	.string = on_text,
	.string_start = on_other,
	.array_start = on_array,
	.indef_array_start = on_other,
	.map_start = on_map,
	.indef_map_start = on_other,
	.tag = on_tag,
	.float2 = on_float,
	.float4 = on_float,
	.float8 = on_double,
	.undefined = on_other,
	.null = on_null,
	.boolean = on_bool,
	.indef_break = on_other,
};

/* An error at the current path: "PATH: reason", or the reason alone. */
static int
fail(struct reader *r, const char *fmt, ...)
{
	char reason[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (r->path[0] != '\0')
		err_set(r->err, r->errlen, "%s: %s", r->path, reason);
	else
		err_set(r->err, r->errlen, "%s", reason);
	return -1;
}

static int
next(struct reader *r)
{
	struct cbor_decoder_result res;

	r->ev = EV_NONE;
	if (r->pos >= r->len)
		return fail(r, "the message ends early");
	res = cbor_stream_decode(r->buf + r->pos, r->len - r->pos, &callbacks, r);
	if (res.status != CBOR_DECODER_FINISHED || res.read == 0 || res.read > r->len - r->pos)
		return fail(r, "malformed CBOR at byte %zu", r->pos);
	r->pos += res.read;
	if (r->ev == EV_NONE || r->ev == EV_OTHER)
		return fail(r,
		    "an item of no message (tag, indefinite length, undefined) at byte %zu",
		    r->pos - res.read);
	return 0;
}

/* Skip the value just read (its nested items, if any). */
static int
skip(struct reader *r, int depth)
{
	size_t i, n;

	if (depth > MAX_NEST)
		return fail(r, "nesting too deep");
	if (r->ev != EV_ARRAY && r->ev != EV_MAP)
		return 0;
	/* every element takes a byte at least: a header cannot claim more */
	if (r->n > r->len - r->pos || (r->ev == EV_MAP && r->n > (r->len - r->pos) / 2))
		return fail(r, "malformed CBOR");
	n = r->ev == EV_MAP ? 2 * r->n : r->n;
	for (i = 0; i < n; i++)
		if (next(r) == -1 || skip(r, depth + 1) == -1)
			return -1;
	return 0;
}

static void *
budget_alloc(struct reader *r, size_t count, size_t size)
{
	void *p;

	if (count != 0 && size > (r->max_alloc - r->alloc) / count) {
		fail(r, "the message would take more than %zu bytes decoded", r->max_alloc);
		return NULL;
	}
	if ((p = calloc(count, size)) == NULL) {
		fail(r, "out of memory");
		return NULL;
	}
	r->alloc += count * size;
	return p;
}

static int
read_int(struct reader *r, int64_t *out)
{
	if ((r->ev != EV_UINT && r->ev != EV_NEGINT) || r->u > INT64_MAX)
		return fail(r, "not an integer in range");
	*out = r->ev == EV_UINT ? (int64_t)r->u : -1 - (int64_t)r->u;
	return 0;
}

static int read_map(struct reader *r, const struct cbormap_msg *msg, void *obj, int depth);

/* Append ".key" or "[i]" to the path; returns the old length to restore. */
static size_t
path_push(struct reader *r, const char *fmt, ...)
{
	size_t old = strlen(r->path);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->path + old, sizeof(r->path) - old, fmt, ap);
	va_end(ap);
	return old;
}

static int
read_value(struct reader *r, const struct cbormap_field *f, void *obj, int depth)
{
	void *p = at(obj, f->offset);
	int64_t v = 0, lo, hi;
	size_t i, old;
	uint8_t *bytes;
	char *el;

	switch (f->type) {
	case CBORMAP_TEXT:
		if (r->ev != EV_TEXT)
			return fail(r, "not text");
		if (r->n >= f->size)
			return fail(r, "longer than %zu bytes", f->size - 1);
		if (r->n > 0 && memchr(r->data, '\0', r->n) != NULL)
			return fail(r, "holds a NUL byte");
		if ((f->flags & CBORMAP_REQUIRED) && r->n == 0)
			return fail(r, "empty");
		memcpy(p, r->data, r->n);
		((char *)p)[r->n] = '\0';
		if (f->oneof != NULL) {
			char words[160] = "";

			for (i = 0; f->oneof[i] != NULL; i++)
				if (strcmp(f->oneof[i], p) == 0)
					return 0;
			/* the value is not quoted: the sender wrote it, and the message is
			 * answered and logged (a resident ID number in a device's bkind went
			 * into both until review rev102, V7); the words it may be are */
			for (i = 0; f->oneof[i] != NULL; i++)
				if (f->oneof[i][0] != '\0')
					snprintf(words + strlen(words),
					    sizeof(words) - strlen(words), "%s%s",
					    words[0] != '\0' ? ", " : "", f->oneof[i]);
			return fail(r, "not one of its values (%s)", words);
		}
		return 0;
	case CBORMAP_INT:
	case CBORMAP_SMALL:
	case CBORMAP_E6:
		if (read_int(r, &v) == -1)
			return -1;
		lo = f->min;
		hi = f->max;
		if (lo == 0 && hi == 0) {
			lo = f->type == CBORMAP_INT ? INT64_MIN : 0;
			hi = f->type == CBORMAP_INT ? INT64_MAX : SMALL_MAX;
		}
		if (v < lo || v > hi)
			return fail(r, "%lld is out of range (%lld..%lld)", (long long)v,
			    (long long)lo, (long long)hi);
		if (f->type == CBORMAP_INT)
			*(int64_t *)p = v;
		else if (f->type == CBORMAP_E6)
			*(double *)p = (double)v / 1e6;
		else
			*(int *)p = (int)v;
		return 0;
	case CBORMAP_KG:
		if (r->ev == EV_UINT || r->ev == EV_NEGINT) {
			if (read_int(r, &v) == -1)
				return -1;
			*(double *)p = (double)v;
			return 0;
		}
		if (r->ev != EV_FLOAT)
			return fail(r, "not a number");
		if (!isfinite(r->d))
			return fail(r, "not finite");
		*(double *)p = r->d;
		return 0;
	case CBORMAP_BOOL:
		if (r->ev != EV_BOOL)
			return fail(r, "not a boolean");
		*(int *)p = r->u != 0;
		return 0;
	case CBORMAP_BYTES:
		if (r->ev != EV_BYTES)
			return fail(r, "not bytes");
		if (r->n > f->size)
			return fail(r, "longer than %zu bytes", f->size);
		if (r->n == 0)
			return 0;
		if ((bytes = budget_alloc(r, 1, r->n)) == NULL)
			return -1;
		memcpy(bytes, r->data, r->n);
		*(uint8_t **)p = bytes;
		*(size_t *)at(obj, f->aux) = r->n;
		return 0;
	case CBORMAP_MAP:
		if (read_map(r, f->sub, p, depth + 1) == -1)
			return -1;
		*(int *)at(obj, f->aux) = 1;
		return 0;
	case CBORMAP_ARRAY:
		if (r->ev != EV_ARRAY)
			return fail(r, "not an array");
		if (r->n > f->size)
			return fail(r, "%zu items, over %zu", r->n, f->size);
		if (r->n == 0)
			return 0;
		/* each element takes a byte at least: a header cannot claim more */
		if (r->n > r->len - r->pos)
			return fail(r, "malformed CBOR");
		if ((el = budget_alloc(r, r->n, f->sub->size)) == NULL)
			return -1;
		*(void **)p = el;
		*(size_t *)at(obj, f->aux) = r->n; /* now, so that a failure frees them all */
		for (i = 0; i < *(size_t *)at(obj, f->aux); i++) {
			old = path_push(r, "[%zu]", i);
			if (next(r) == -1 ||
			    read_map(r, f->sub, el + i * f->sub->size, depth + 1) == -1)
				return -1;
			r->path[old] = '\0';
		}
		return 0;
	}
	return fail(r, "field of no known type");
}

/* The map just read (r->ev), into obj as msg describes it. */
static int
read_map(struct reader *r, const struct cbormap_msg *msg, void *obj, int depth)
{
	uint64_t seen = 0;
	size_t i, j, n, old, keylen;
	const struct cbormap_field *f;

	_Static_assert(sizeof(seen) * 8 >= 64, "a message has at most 64 fields");
	if (msg->count > 64)
		return fail(r, "%s has too many fields to decode", msg->name);
	if (depth > MAX_NEST)
		return fail(r, "nesting too deep");
	if (r->ev != EV_MAP && r->path[0] != '\0')
		return fail(r, "not a map");
	if (r->ev != EV_MAP)
		return fail(r, "%s is not a map", msg->name);
	n = r->n;
	if (n > (r->len - r->pos) / 2)
		return fail(r, "malformed CBOR");
	for (i = 0; i < n; i++) {
		if (next(r) == -1)
			return -1;
		f = NULL;
		if (r->ev == EV_TEXT) {
			keylen = r->n;
			for (j = 0; j < msg->count; j++)
				if (strlen(msg->fields[j].key) == keylen &&
				    memcmp(msg->fields[j].key, r->data, keylen) == 0) {
					f = &msg->fields[j];
					break;
				}
		} else if (skip(r, depth + 1) == -1) { /* a key that is an array or map */
			return -1;
		}
		if (next(r) == -1)
			return -1;
		if (f == NULL) { /* a key of no field: skipped */
			if (skip(r, depth + 1) == -1)
				return -1;
			continue;
		}
		old = path_push(r, "%s%s", r->path[0] != '\0' ? "." : "", f->key);
		if (seen & ((uint64_t)1 << j))
			return fail(r, "given twice");
		seen |= (uint64_t)1 << j;
		if (read_value(r, f, obj, depth) == -1)
			return -1;
		r->path[old] = '\0';
	}
	for (j = 0; j < msg->count; j++)
		if ((msg->fields[j].flags & CBORMAP_REQUIRED) && !(seen & ((uint64_t)1 << j))) {
			old =
			    path_push(r, "%s%s", r->path[0] != '\0' ? "." : "", msg->fields[j].key);
			return fail(r, "missing");
		}
	if (msg->check != NULL) {
		char why[200];

		if (msg->check(obj, why, sizeof(why)) == -1)
			return fail(r, "%s", why);
	}
	return 0;
}

int
cbormap_decode(const struct cbormap_msg *msg, const uint8_t *buf, size_t len, size_t max_alloc,
    void *obj, char *err, size_t errlen)
{
	struct reader r;

	memset(obj, 0, msg->size);
	memset(&r, 0, sizeof(r));
	r.buf = buf;
	r.len = len;
	r.max_alloc = max_alloc;
	r.err = err;
	r.errlen = errlen;
	if (next(&r) == -1 || read_map(&r, msg, obj, 0) == -1)
		goto fail;
	if (r.pos != len) {
		fail(&r, "%zu bytes after the message", len - r.pos);
		goto fail;
	}
	return 0;
fail:
	cbormap_free(msg, obj);
	memset(obj, 0, msg->size);
	return -1;
}
