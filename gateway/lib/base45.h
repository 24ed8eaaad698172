/*
 * base45: the encoding of RFC 9285, used for cylinder codes because its 45
 * characters are exactly the QR code alphanumeric set (0-9 A-Z space $ % * + - . / :),
 * so a QR code holding a code uses the dense alphanumeric mode.
 *
 * Both directions are bounded: the caller gives the input as (buf, len) and the
 * output buffer with its size; nothing is allocated.
 */
#ifndef GAS_BASE45_H
#define GAS_BASE45_H

#include <stddef.h>
#include <stdint.h>

/* 1 if c is one of the 45 characters. */
int base45_valid_char(int c);

/* Characters needed to encode len bytes (not counting a NUL). */
size_t base45_encoded_len(size_t len);
/* Upper bound of the bytes that len characters decode to. */
size_t base45_decoded_max(size_t len);

/*
 * Encode len bytes of in into out (outlen bytes, room for the NUL included).
 * Returns the number of characters written (without the NUL), or -1 when out
 * is too small (out is then an empty string when outlen > 0).
 */
long base45_encode(const uint8_t *in, size_t len, char *out, size_t outlen);

/*
 * Decode len characters of in into out (outlen bytes) and store the byte count
 * in *outn.  Refuses (returns -1 with a reason in err) a character outside the
 * alphabet, a length of 1 modulo 3, a group whose value is too large (over 65535
 * for three characters, over 255 for a final pair) and an output that does not
 * fit.  Every accepted string decodes to exactly one byte string and vice versa.
 * After a failure the contents of out are unspecified.
 */
int base45_decode(const char *in, size_t len, uint8_t *out, size_t outlen, size_t *outn, char *err,
    size_t errlen);

#endif
