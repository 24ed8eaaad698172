/*
 * base45: RFC 9285.  Two bytes become three characters (c + 45 d + 45^2 e of
 * the 16-bit value, least significant first); a final lone byte becomes two.
 * The decoder refuses every string that is not the encoding of some bytes, so
 * encoding is a bijection: no two strings decode to the same bytes.
 */
#include "base45.h"

#include <string.h>

#include "util.h"

static const char b45_alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/* The value of each character plus one, 0 for a byte outside the alphabet:
 * one load a character, for the decoder that reads an import's thousands of
 * codes. */
static const unsigned char b45_digit[256] = {
	['0'] = 1,
	['1'] = 2,
	['2'] = 3,
	['3'] = 4,
	['4'] = 5,
	['5'] = 6,
	['6'] = 7,
	['7'] = 8,
	['8'] = 9,
	['9'] = 10,
	['A'] = 11,
	['B'] = 12,
	['C'] = 13,
	['D'] = 14,
	['E'] = 15,
	['F'] = 16,
	['G'] = 17,
	['H'] = 18,
	['I'] = 19,
	['J'] = 20,
	['K'] = 21,
	['L'] = 22,
	['M'] = 23,
	['N'] = 24,
	['O'] = 25,
	['P'] = 26,
	['Q'] = 27,
	['R'] = 28,
	['S'] = 29,
	['T'] = 30,
	['U'] = 31,
	['V'] = 32,
	['W'] = 33,
	['X'] = 34,
	['Y'] = 35,
	['Z'] = 36,
	[' '] = 37,
	['$'] = 38,
	['%'] = 39,
	['*'] = 40,
	['+'] = 41,
	['-'] = 42,
	['.'] = 43,
	['/'] = 44,
	[':'] = 45,
};

static int
b45_value(unsigned char c)
{
	return (int)b45_digit[c] - 1;
}

int
base45_valid_char(int c)
{
	return c >= 0 && c <= 0xff && b45_value((unsigned char)c) >= 0;
}

size_t
base45_encoded_len(size_t len)
{
	return len / 2 * 3 + (len % 2) * 2;
}

size_t
base45_decoded_max(size_t len)
{
	return len / 3 * 2 + (len % 3 == 2 ? 1 : 0);
}

long
base45_encode(const uint8_t *in, size_t len, char *out, size_t outlen)
{
	size_t need = base45_encoded_len(len), i, o = 0;

	if (outlen == 0 || need >= outlen) {
		if (outlen > 0)
			out[0] = '\0';
		return -1;
	}
	for (i = 0; i + 1 < len; i += 2) {
		unsigned v = (unsigned)in[i] << 8 | in[i + 1];

		out[o++] = b45_alphabet[v % 45];
		out[o++] = b45_alphabet[v / 45 % 45];
		out[o++] = b45_alphabet[v / 2025];
	}
	if (i < len) {
		out[o++] = b45_alphabet[in[i] % 45];
		out[o++] = b45_alphabet[in[i] / 45];
	}
	out[o] = '\0';
	return (long)o;
}

int
base45_decode(const char *in, size_t len, uint8_t *out, size_t outlen, size_t *outn, char *err,
    size_t errlen)
{
	size_t i, o = 0;

	*outn = 0;
	if (len % 3 == 1)
		return err_set(err, errlen,
		    "base45 text of %zu characters cannot be complete "
		    "(a length of 1 modulo 3)",
		    len);
	if (base45_decoded_max(len) > outlen)
		return err_set(err, errlen, "base45 text too long (%zu characters)", len);
	for (i = 0; i < len; i++) {
		if (b45_value((unsigned char)in[i]) < 0) {
			unsigned char c = (unsigned char)in[i];

			if (c >= 0x21 && c < 0x7f)
				return err_set(err, errlen,
				    "character '%c' at position %zu is "
				    "not base45",
				    c, i + 1);
			return err_set(err, errlen, "byte 0x%02x at position %zu is not base45", c,
			    i + 1);
		}
	}
	for (i = 0; i + 2 < len; i += 3) {
		unsigned long v = (unsigned long)b45_value((unsigned char)in[i]) +
		                  45UL * (unsigned long)b45_value((unsigned char)in[i + 1]) +
		                  2025UL * (unsigned long)b45_value((unsigned char)in[i + 2]);

		if (v > 0xffff)
			return err_set(err, errlen,
			    "base45 group at position %zu is out of "
			    "range",
			    i + 1);
		out[o++] = (uint8_t)(v >> 8);
		out[o++] = (uint8_t)(v & 0xff);
	}
	if (i < len) {
		unsigned long v = (unsigned long)b45_value((unsigned char)in[i]) +
		                  45UL * (unsigned long)b45_value((unsigned char)in[i + 1]);

		if (v > 0xff)
			return err_set(err, errlen,
			    "final base45 pair at position %zu is out "
			    "of range",
			    i + 1);
		out[o++] = (uint8_t)v;
	}
	*outn = o;
	return 0;
}
