/*
 * gwident: the gateway's use of the identity library (code.h, buyer.h):
 * turns a scanned code into a struct line_cylinder and a typed buyer number
 * into a struct line_buyer (HMAC id and masked form only).  This is the one
 * place in gasgw that touches a raw buyer number, and it wipes it before
 * returning.
 */
#ifndef GAS_GWIDENT_H
#define GAS_GWIDENT_H

#include <stddef.h>

#include "line.h"

struct gwident;

/* Load the county code public key and buyer key named in the config.
 * NULL with err on failure. */
struct gwident *gwident_open(const char *code_public_key, const char *buyer_key, char *err,
    size_t errlen);
void gwident_close(struct gwident *id);

/* Decode len bytes of a scanned code (trailing CR/LF ignored).  Always
 * fills out: out->valid says whether the code verified, out->reason why not. */
void gwident_cylinder(const struct gwident *id, const char *text, size_t len,
    struct line_cylinder *out);

/* Validate and hash a buyer number (len bytes; never logged).  Always fills
 * out: out->valid says whether the check digit passed. */
void gwident_buyer(const struct gwident *id, const char *number, size_t len,
    struct line_buyer *out);

#endif
