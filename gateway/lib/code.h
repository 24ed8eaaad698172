/*
 * code: the signed cylinder code of "one bottle, one code" (docs/code-format.md).
 *
 * A code is the text "GC1:" followed by the base45 form of a compact binary
 * record (county code, serial, model, manufacture year-month, stamped tare,
 * allowable fill mass) and an Ed25519 signature of it by the county key.
 * The county mints codes with the private key (gaslabel); every other binary
 * holds only the public key and calls code_decode(), the one decoder, which
 * refuses anything malformed, altered or signed by another key with a reason a
 * person can read (code_verifier_decode() is the same decoder for a caller that
 * verifies thousands of codes with one key).
 *
 * Keys are opaque (struct code_key); the functions that return one give it to
 * the caller, who frees it with code_key_free().  Errors go into (err, errlen);
 * functions return 0 on success and -1 on failure, after which their
 * out-parameters hold nothing useful.
 */
#ifndef GAS_CODE_H
#define GAS_CODE_H

#include <stddef.h>
#include <stdint.h>

#define CODE_PREFIX "GC1:"    /* version 1 of the format */
#define CODE_SERIAL_MAX 24    /* characters of a serial */
#define CODE_MAX_LEN 160      /* characters of the longest version-1 code */
#define CODE_SEED_LEN 32      /* bytes of an Ed25519 private key (seed) */
#define CODE_PUBLIC_LEN 32    /* bytes of an Ed25519 public key */
#define CODE_BASE_URL_MAX 200 /* characters of a label's base URL */
#define CODE_URL_MAX 512      /* characters of a label URL a decoder reads */

/* The cylinder models of GB 5842 this project knows, with their stamped
 * allowable fill mass (kg of LPG). */
struct code_model {
	int id;           /* value in the binary record, 1..5 */
	const char *name; /* "YSP35.5" */
	int fill_g;       /* default allowable fill mass in grams, e.g. 14900 */
};

/* The model with this name (exact, e.g. "YSP35.5"; case-insensitive), or NULL. */
const struct code_model *code_model_by_name(const char *name);
/* The model with this record id, or NULL. */
const struct code_model *code_model_by_id(int id);
/* The i-th known model (0-based), or NULL past the end: for listing. */
const struct code_model *code_model_at(int i);
/* Default allowable fill mass of a model in kg, or -1.0 for an unknown name. */
double code_model_fill_kg(const char *name);

/* The identity a code carries.  Masses are whole multiples of 10 g. */
struct code_record {
	uint32_t county;                  /* six-digit county code, e.g. 330825 */
	char serial[CODE_SERIAL_MAX + 1]; /* A-Z a-z 0-9 . - _, first alphanumeric */
	int model;                        /* code_model id */
	int year, month;                  /* of manufacture, 1970-01 .. 2200-12 */
	int tare_g;                       /* stamped tare, 10 .. 200000 g */
	int fill_g;                       /* stamped allowable fill mass, 10 g .. model default */
};

/*
 * Check a record against the rules of the format (the same ones code_decode
 * applies after the signature): 0, or -1 with the reason.
 */
int code_record_check(const struct code_record *rec, char *err, size_t errlen);
/* 1 if s is a valid serial (1..CODE_SERIAL_MAX characters, see struct code_record). */
int code_serial_valid(const char *s);

/* A text "county 330825 serial ZJ-000123 model YSP35.5 made 2023-04 tare 15.20 kg
 * fill 14.90 kg" of a record, for people.  Returns out. */
char *code_record_format(const struct code_record *rec, char *out, size_t outlen);

struct code_key;

/* A new random county key pair. NULL on failure (err says why). */
struct code_key *code_key_generate(char *err, size_t errlen);
/* The key pair of a 32-byte Ed25519 seed (test vectors). */
struct code_key *code_key_from_seed(const uint8_t seed[CODE_SEED_LEN], char *err, size_t errlen);
/* A public-only key from its 32 raw bytes. */
struct code_key *code_key_from_public(const uint8_t pub[CODE_PUBLIC_LEN], char *err, size_t errlen);
void code_key_free(struct code_key *key);
/* 1 if the key holds the private half. */
int code_key_is_private(const struct code_key *key);
/* The raw 32-byte public key. */
int code_key_public_raw(const struct code_key *key, uint8_t out[CODE_PUBLIC_LEN]);

/*
 * PEM files.  code_key_save_private writes PKCS#8 PEM to a new file created
 * with mode 0600 and refuses to overwrite an existing file (a county key is
 * not something to lose by accident); the file is written to a temporary name,
 * fsynced and renamed.  code_key_save_public writes SubjectPublicKeyInfo PEM
 * (mode 0644).  Loading refuses a key that is not Ed25519;
 * code_key_load_private also refuses a file group or others may read.
 */
int code_key_save_private(const struct code_key *key, const char *path, char *err, size_t errlen);
int code_key_save_public(const struct code_key *key, const char *path, char *err, size_t errlen);
struct code_key *code_key_load_private(const char *path, char *err, size_t errlen);
struct code_key *code_key_load_public(const char *path, char *err, size_t errlen);

/*
 * Sign rec with a private key and write the code (NUL-terminated, at most
 * CODE_MAX_LEN characters) into out.  Refuses a record code_record_check refuses.
 */
int code_encode(const struct code_record *rec, const struct code_key *key, char *out, size_t outlen,
    char *err, size_t errlen);

/*
 * The one decoder.  Takes exactly len bytes of buf (no NUL needed, nothing
 * trimmed: a scanner's trailing newline is the caller's to strip), checks the
 * prefix, base45, the record's layout and values, and the signature with key
 * (public or private).  On success fills *rec; on any failure *rec is zeroed
 * and err says why (for example "signature does not match the county key").
 */
int code_decode(const char *buf, size_t len, const struct code_key *key, struct code_record *rec,
    char *err, size_t errlen);

/*
 * A verifier: the OpenSSL set-up of one key's verification (a verifying
 * context, initialised once) kept for many codes, for a caller that verifies
 * them by the thousand (a registry import's threads).  code_verifier_decode
 * is code_decode with the same checks, the same results and the same reasons,
 * but without setting up a fresh context for every code: each code's
 * verification starts from a copy of the one made here.
 *
 * A verifier is used by one thread at a time (it holds a working context
 * between calls): make one per thread.  It holds its own reference to the
 * key, so the key may be freed before it.  code_verifier_new gives the
 * caller a verifier to free with code_verifier_free (NULL is allowed), or
 * NULL with err (out of memory, a key OpenSSL cannot verify with).
 * code_verifier_decode's failures leave the verifier usable for the next
 * code.
 */
struct code_verifier;

struct code_verifier *code_verifier_new(const struct code_key *key, char *err, size_t errlen);
void code_verifier_free(struct code_verifier *verifier);
int code_verifier_decode(struct code_verifier *verifier, const char *buf, size_t len,
    struct code_record *rec, char *err, size_t errlen);

/*
 * The URL form of a label (docs/code-format.md, "URL form"): the county's
 * public check page followed by the code, with the two code characters a URL
 * may not hold as they are written %20 (space) and %25 ('%'), e.g.
 * "HTTPS://CHECK.EXAMPLE.GOV.CN/C/GC1:%2050+O1...".  The code, and so the
 * offline check, is all in the URL; the base is not trusted for anything.
 */

/* 0 if base may start a label URL: http:// or https:// (any case), a host,
 * at most CODE_BASE_URL_MAX printable characters without space, '%', '#' or
 * '&', ending in '/' or '=', and holding nothing that looks like a code. */
int code_base_url_check(const char *base, char *err, size_t errlen);
/* base (checked as above) followed by the escaped code, into out. */
int code_url(const char *base, const char *code, char *out, size_t outlen, char *err,
    size_t errlen);
/*
 * The code in a scanned text: a text that starts with http:// or https://
 * (any case) is the URL form, and the code is what follows the first "GCn:"
 * after the host, up to '?', '#', '&' or the end, with %XX unescaped; any
 * other text is taken as a bare code, unchanged.  Writes the code
 * (NUL-terminated) into code and its length into *codelen_out.  Refuses a URL
 * longer than CODE_URL_MAX, one without a code, a bad %-escape and an
 * unescaped code longer than CODE_MAX_LEN.
 */
int code_from_text(const char *buf, size_t len, char *code, size_t codelen, size_t *codelen_out,
    char *err, size_t errlen);
/* 1 if buf is meant as a code: a bare one ("GCn:...") or a label URL
 * (http:// or https://), what code_from_text reads as such; 0 for any
 * other text (a serial typed from the steel, a note). */
int code_text_is_code(const char *buf, size_t len);
/* code_from_text, then code_decode: what a scanner and `gaslabel verify` use,
 * so old bare-code labels and URL labels both read. */
int code_decode_text(const char *buf, size_t len, const struct code_key *key,
    struct code_record *rec, char *err, size_t errlen);

#endif
