/*
 * cbormap: a C struct described once, as a table of fields (key, type,
 * offset, bounds, required or not), and carried to and from a CBOR map
 * (RFC 8949, libcbor) by that table alone.  wire.c describes every
 * county-link message this way; nothing else writes a message's keys.
 *
 * Encoding writes the fields in table order, integers in their shortest
 * form, floats as 8-byte floats, and leaves out an empty text, a NULL byte
 * string, an absent nested map, an empty array unless the field says
 * CBORMAP_ALWAYS, and an integer of 0 or a false boolean when the field says
 * CBORMAP_OMIT_ZERO.
 *
 * Decoding reads the payload as a stream (libcbor's cbor_stream_decode):
 * no tree is built, so what a payload costs is the structs it fills and
 * the arrays they own, counted against a budget (cbormap_decode's max_alloc).
 * The caller has already checked the raw bytes' structure and bounds
 * (definite lengths that fit, no tags, shallow nesting: wire.c's walk);
 * the decoder checks them again and never reads outside (buf, len).
 * It refuses a missing required field, a field of the wrong type, a text
 * longer than its field or holding a NUL byte, an integer outside the
 * field's range, a key given twice, an array over its maximum, and names
 * the field by its path ("records[3].viol[0].rule: missing").  Keys the
 * table does not know are skipped (a newer peer may send more).
 */
#ifndef GAS_CBORMAP_H
#define GAS_CBORMAP_H

#include <stddef.h>
#include <stdint.h>

enum cbormap_type {
	CBORMAP_TEXT,  /* char[size] at offset; text without NUL bytes, < size bytes */
	CBORMAP_INT,   /* int64_t at offset, within min..max */
	CBORMAP_SMALL, /* int at offset, within min..max (which must fit an int) */
	CBORMAP_KG,    /* double at offset: a weight; an integer or a finite float */
	CBORMAP_E6,    /* double at offset, as an integer of millionths on the wire (a
	                * coordinate: exact, and JSON shows it whole), within min..max */
	CBORMAP_BOOL,  /* int at offset, 0 or 1; a CBOR boolean */
	CBORMAP_BYTES, /* uint8_t * at offset (malloc'd), its size_t length at aux, <= size */
	CBORMAP_MAP,   /* a struct at offset described by sub; an int "present" flag at aux */
	CBORMAP_ARRAY, /* sub structs: a pointer at offset (calloc'd), size_t count at aux, <= size
	                */
};

#define CBORMAP_REQUIRED 0x1u  /* decoding: refused when missing (text: when empty too) */
#define CBORMAP_OMIT_ZERO 0x2u /* encoding: an integer of 0 (a false boolean) is left out */
#define CBORMAP_ALWAYS 0x4u    /* encoding: an array is written even when empty */

struct cbormap_msg;

struct cbormap_field {
	const char *key;
	enum cbormap_type type;
	size_t offset;
	size_t size; /* TEXT: the char array's size; BYTES: most bytes; ARRAY: most elements */
	size_t aux;  /* BYTES: the length's offset; MAP: the flag's; ARRAY: the count's */
	const struct cbormap_msg *sub; /* MAP, ARRAY */
	unsigned flags;
	int64_t min, max;         /* INT, SMALL, E6 (both 0: any int64 / 0..1000000) */
	const char *const *oneof; /* TEXT: the values allowed, NULL-terminated; NULL: any */
};

struct cbormap_msg {
	const char *name; /* what one is called in errors without a key: "record" */
	size_t size;      /* sizeof the struct */
	const struct cbormap_field *fields;
	size_t count;
	/* Checks across fields once every field is read (NULL: none): 0, or -1
	 * with a reason in err. */
	int (*check)(const void *obj, char *err, size_t errlen);
};

/* A message's table in the form used above: { fields, count } of an array. */
#define CBORMAP_FIELDS(a) (a), (sizeof(a) / sizeof((a)[0]))

/*
 * Encode obj as a CBOR map: 0 and a malloc'd *out the caller frees, or -1
 * (nothing allocated) when memory ran out.
 */
int cbormap_encode(const struct cbormap_msg *msg, const void *obj, uint8_t **out, size_t *outlen);

/*
 * Decode the CBOR map in (buf, len) into obj (zeroed first).  max_alloc
 * bounds the bytes of every array and byte string the decode allocates.
 * On failure -1 with the field's path and the reason in err, and obj is
 * already released (cbormap_free) and zeroed.
 */
int cbormap_decode(const struct cbormap_msg *msg, const uint8_t *buf, size_t len, size_t max_alloc,
    void *obj, char *err, size_t errlen);

/* Release what obj owns (arrays, byte strings, nested ones too) and zero
 * those pointers and their counts; the other fields are kept.  Safe on a
 * zeroed or partly filled struct. */
void cbormap_free(const struct cbormap_msg *msg, void *obj);

#endif
