/*
 * casemsg: the requests about cases (a step, a grid worker's report, a
 * reassignment), as one CBOR map of text keys, or on request one JSON
 * object with the same keys (evidence bytes as base64 text), described
 * once in a table (casemsg.c: key, type, where in struct case_request,
 * bounds) from which every direction is driven: gaswatch encodes, gascounty
 * decodes either.  Answers
 * about cases are built by cases.h; both go to JSON by the county's generic
 * rendering.
 *
 * Decoding takes outside bytes: the size is checked before libcbor
 * allocates, every key must be in the table, every value of its type and
 * inside its bounds, text must be UTF-8 without control characters (a
 * note may hold line breaks), a rid only of its charset and length, and
 * an error never shows a rid's text.  What a request must hold for its purpose is
 * checked by cases.h, which names the missing field.
 */
#ifndef COUNTY_CASEMSG_H
#define COUNTY_CASEMSG_H

#include <stddef.h>
#include <stdint.h>

#include "code.h"

#define CASEMSG_MAX_PAYLOAD (4u << 20) /* a request with its evidence */
#define CASEMSG_MAX_EVIDENCE (4000u * 1024u)
#define CASEMSG_MAX_JSON (6u << 20) /* the same as JSON: base64 is 4/3 of the bytes */
#define CASEMSG_NOTE 4096 /* bytes of UTF-8, including the NUL: ~1,300 Chinese characters */
#define CASEMSG_WORD 24
#define CASEMSG_NAME 128
#define CASEMSG_PLACE 256
/* a cylinder code as scanned: the bare code, or the label's URL that holds it */
#define CASEMSG_CODE_TEXT (CODE_URL_MAX + 1)
/* a request's key (rid): 16..64 characters of [A-Za-z0-9_-], chosen by the client */
#define CASEMSG_RID_MIN 16
#define CASEMSG_RID_SIZE 65
#define CASEMSG_RID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

/* The fields a request may carry; present says which it does. */
enum casemsg_field {
	CASEMSG_ID,       /* "id": the case */
	CASEMSG_STEP,     /* "step": accept, onsite, decide, close, dismiss, comment, attach */
	CASEMSG_NOTE_F,   /* "note": what was done, why (UTF-8) */
	CASEMSG_OUTCOME,  /* "outcome": an outcome code of the catalogue */
	CASEMSG_POWER,    /* "power": a penalty power code of the catalogue */
	CASEMSG_FINE,     /* "fine": yuan */
	CASEMSG_TOWNSHIP, /* "township": where a reassigned case goes */
	CASEMSG_KIND,     /* "kind": what a grid worker found */
	CASEMSG_VILLAGE,  /* "village" */
	CASEMSG_PLACE_F,  /* "place": address or description of the place */
	CASEMSG_LAT,      /* "lat", "lon": WGS-84 degrees */
	CASEMSG_LON,
	CASEMSG_CODE, /* "code": a scanned cylinder code, bare or its label's URL, or a serial */
	CASEMSG_FILE, /* "file": evidence file name */
	CASEMSG_TYPE, /* "type": its media type (image/jpeg) */
	CASEMSG_DATA, /* "data": its bytes */
	CASEMSG_RID,  /* "rid": the request's key, the same on each resend (cases.h) */
	CASEMSG_FIELD_COUNT
};

struct case_request {
	unsigned present; /* 1u << enum casemsg_field for each field given */
	int64_t id;
	char step[CASEMSG_WORD];
	char note[CASEMSG_NOTE];
	char outcome[CASEMSG_WORD];
	char power[CASEMSG_WORD];
	int64_t fine;
	char township[CASEMSG_WORD];
	char kind[CASEMSG_NAME];
	char village[CASEMSG_NAME];
	char place[CASEMSG_PLACE];
	double lat, lon;
	char code[CASEMSG_CODE_TEXT];
	char file[CASEMSG_NAME];
	char type[CASEMSG_WORD * 3];
	uint8_t *data; /* malloc'd; casemsg_free */
	size_t data_len;
	char rid[CASEMSG_RID_SIZE];
};

/* 1 if r carries field f. */
#define CASEMSG_HAS(r, f) (((r)->present >> (f)) & 1u)

/*
 * Decode len bytes of a request.  Returns 0 with *r filled (free with
 * casemsg_free), or -1 with err naming the key and what is wrong and *r
 * zeroed with nothing to free.
 */
int casemsg_decode(const uint8_t *buf, size_t len, struct case_request *r, char *err,
    size_t errlen);

/*
 * The same from a JSON object: the keys and bounds of the table, integers
 * for integers, numbers for lat and lon, strings for text, and the
 * evidence ("data") as base64 text (RFC 4648).  A duplicate key, an
 * unknown key or a value of another type is refused, naming the key.
 */
int casemsg_decode_json(const uint8_t *buf, size_t len, struct case_request *r, char *err,
    size_t errlen);

/* Encode the fields r marks present; *out malloc'd, caller frees.
 * -1 (nothing allocated) when out of memory or a field is out of bounds. */
int casemsg_encode(const struct case_request *r, uint8_t **out, size_t *len);

/* Mark field f present (after filling it). */
void casemsg_set(struct case_request *r, enum casemsg_field f);

/* Release r's evidence bytes; r stays usable.  NULL is fine. */
void casemsg_free(struct case_request *r);

/*
 * What request r says, as the SHA-256 of one canonical encoding (not of the
 * bytes a client sent, whose keys CBOR or JSON may give in any order, or
 * with a number written another way): the action (the path's: "report",
 * "reassign", or the step), then each field of the table in its order but
 * the rid, each as its index, whether r carries it, and when it does its
 * value (an integer or a real as 8 bytes big-endian, -0 as 0; text and
 * evidence with their length first).  64 hex digits and a NUL into hex.
 * Two requests with the same action that differ in any field they carry
 * (a note, a decision, a township, a file's name or bytes...) differ.
 * -1 when SHA-256 failed.
 */
#define CASEMSG_DIGEST_HEX 65
int casemsg_digest(const struct case_request *r, const char *action, char hex[CASEMSG_DIGEST_HEX]);

/* 1 if s (n bytes) is UTF-8 with no control character but, when lines is
 * 1, line breaks and tabs: termtext_text_ok, the rule every door shares. */
int casemsg_text_ok(const char *s, size_t n, int lines);

/* 1 if s (n bytes) is a request key: CASEMSG_RID_MIN..CASEMSG_RID_SIZE - 1
 * characters of CASEMSG_RID_CHARS. */
int casemsg_rid_ok(const char *s, size_t n);

/* A fresh request key into r->rid (32 hex digits of 16 random bytes), marked
 * present: a client's, the same on each of its resends of the one request.
 * -1 (r unchanged) when no random bytes could be had. */
int casemsg_new_rid(struct case_request *r);

#endif
