/*
 * buyer: real-name buyers (实名制) without keeping their numbers
 * (docs/buyers.md).
 *
 * A household buyer is known by an 18-character resident ID number (GB 11643:
 * 6-digit area, 8-digit birth date, 3-digit sequence, ISO 7064 MOD 11-2 check
 * character 0-9 or X); a business by an 18-character unified social credit
 * code (GB 32100, check character computed modulo 31).  The raw number lives
 * only in a struct buyer_number on the caller's stack, which the caller wipes
 * with buyer_number_clear(); what is stored, logged and sent is the buyer id,
 * the lower-case hex HMAC-SHA256 of the normalised number under the county
 * buyer key (the same person has the same id at every station of the county),
 * and the masked form "330***********1234".
 *
 * Errors are sentences for the person at the counter ("check digit wrong");
 * they never contain the number.  Functions return 0 or -1.
 */
#ifndef GAS_BUYER_H
#define GAS_BUYER_H

#include <stddef.h>
#include <stdint.h>

#define BUYER_NUMBER_LEN 18 /* characters of both kinds of number */
#define BUYER_ID_LEN 64     /* hex characters of a buyer id */
#define BUYER_MASK_LEN 18   /* characters of the masked form */
#define BUYER_KEY_LEN 32    /* bytes of the county buyer key */

enum buyer_kind {
	BUYER_ANY = 0,       /* for buyer_parse: decide from the number */
	BUYER_HOUSEHOLD = 1, /* resident ID number */
	BUYER_BUSINESS = 2,  /* unified social credit code */
};

/* A validated, normalised number: upper case, no spaces.  Sensitive. */
struct buyer_number {
	char text[BUYER_NUMBER_LEN + 1];
	enum buyer_kind kind;
};

struct buyer_key {
	uint8_t bytes[BUYER_KEY_LEN];
};

/* "household" / "business" (the buyers.kind column), or "?" */
const char *buyer_kind_name(enum buyer_kind kind);

/*
 * Normalise (drop spaces and hyphens, upper-case a final x) and validate
 * len bytes of buf as a number of the given kind; with BUYER_ANY, a number
 * made only of digits and X is taken as a resident ID, anything else as a
 * credit code (a credit code of only digits needs BUYER_BUSINESS).  On
 * success *out holds the number; on failure *out is wiped and err holds the
 * reason.
 */
int buyer_parse(const char *buf, size_t len, enum buyer_kind kind, struct buyer_number *out,
    char *err, size_t errlen);

/* Validation of an already normalised 18-character number (NUL-terminated). */
int buyer_check_resident_id(const char *number, char *err, size_t errlen);
int buyer_check_credit_code(const char *number, char *err, size_t errlen);

/* The ISO 7064 MOD 11-2 check character ('0'-'9' or 'X') of 17 digits. */
char buyer_resident_check_char(const char *first17);
/* The GB 32100 check character of the first 17 characters, or 0 if one is
 * outside the code's alphabet. */
char buyer_credit_check_char(const char *first17);

/*
 * 1 if len bytes of text hold something that looks like a person's number:
 * a run of 15 or more digits (an 18-digit resident ID, with or without its
 * check character, or an old 15-digit one), or an 18-character word that
 * passes the resident ID's or the credit code's check.  Fields that are
 * echoed, logged or stored as they are (an operator's certificate) refuse
 * such text, so that a number typed into the wrong field goes nowhere.
 */
int buyer_text_has_number(const char *text, size_t len);

/* Wipe a number (explicit_bzero). */
void buyer_number_clear(struct buyer_number *n);

/* Lower-case hex HMAC-SHA256(key, number) into out (65 bytes with NUL). */
int buyer_id(const struct buyer_key *key, const struct buyer_number *n, char out[BUYER_ID_LEN + 1]);

/* The masked form: first 3 and last 4 characters, 11 asterisks between
 * (the same shape for both kinds; the birth date is always hidden). */
void buyer_mask(const struct buyer_number *n, char out[BUYER_MASK_LEN + 1]);

/* 1 if m has the masked form's shape (3 digits or capitals, 11 '*', 4
 * digits or capitals) or is "" (no buyer), else 0: what a masked form
 * from outside must look like before it is stored or shown. */
int buyer_masked_ok(const char *m);

/*
 * Load the county buyer key: a file holding 64 hex digits (32 random bytes),
 * optionally followed by a newline.  Refuses a file group or others can read
 * or write, a file of another length, and non-hex text.
 */
int buyer_key_load(const char *path, struct buyer_key *key, char *err, size_t errlen);
/* Make a new random key file (mode 0600; refuses to overwrite). */
int buyer_key_generate(const char *path, char *err, size_t errlen);

#endif
