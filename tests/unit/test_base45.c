/*
 * Unit tests of base45 (RFC 9285): the RFC's examples both ways, round trips
 * of every length, and refusal of every kind of malformed text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base45.h"

static const struct {
	const char *bytes;
	const char *text;
} rfc_examples[] = {
	{ "AB", "BB8" },
	{ "Hello!!", "%69 VD92EX0" },
	{ "base-45", "UJCLQE7W581" },
	{ "ietf!", "QED8WEX0" },
	{ "", "" },
	{ NULL, NULL },
};

static void
encodes_rfc_examples(void **state)
{
	char out[64];
	int i;

	(void)state;
	for (i = 0; rfc_examples[i].bytes != NULL; i++) {
		long n = base45_encode((const uint8_t *)rfc_examples[i].bytes,
		    strlen(rfc_examples[i].bytes), out, sizeof(out));

		assert_int_equal(n, (long)strlen(rfc_examples[i].text));
		assert_string_equal(out, rfc_examples[i].text);
	}
}

static void
decodes_rfc_examples(void **state)
{
	uint8_t out[64];
	size_t n;
	int i;

	(void)state;
	for (i = 0; rfc_examples[i].bytes != NULL; i++) {
		assert_int_equal(base45_decode(rfc_examples[i].text, strlen(rfc_examples[i].text),
		                     out, sizeof(out), &n, NULL, 0),
		    0);
		assert_int_equal(n, strlen(rfc_examples[i].bytes));
		assert_memory_equal(out, rfc_examples[i].bytes, n);
	}
}

static void
round_trips_every_length_and_extreme_bytes(void **state)
{
	uint8_t in[64], back[64];
	char text[128];
	size_t len, i, n;

	(void)state;
	for (len = 0; len < sizeof(in); len++) {
		for (i = 0; i < len; i++)
			in[i] = (uint8_t)(len % 3 == 0 ? 0xff : i * 37 + len);
		assert_true(base45_encode(in, len, text, sizeof(text)) >= 0);
		assert_int_equal(strlen(text), base45_encoded_len(len));
		assert_int_equal(base45_decode(text, strlen(text), back, sizeof(back), &n, NULL, 0),
		    0);
		assert_int_equal(n, len);
		assert_memory_equal(in, back, len);
	}
}

static void
refuses_malformed_text(void **state)
{
	static const struct {
		const char *text;
		const char *reason;
	} bad[] = {
		{ "GGW", "out of range" }, /* 65536 */
		{ ":::", "out of range" }, /* 44 + 44*45 + 44*2025 */
		{ "BB8:", "1 modulo 3" },
		{ "A", "1 modulo 3" },
		{ "BB8 :", "out of range" }, /* final pair 36 + 44*45 > 255 */
		{ "bb8", "not base45" },     /* lower case is not in the alphabet */
		{ "BB#", "not base45" },
		{ "BB\n", "not base45" },
		{ NULL, NULL },
	};
	uint8_t out[16];
	char err[128];
	size_t n;
	int i;

	(void)state;
	for (i = 0; bad[i].text != NULL; i++) {
		err[0] = '\0';
		assert_int_equal(base45_decode(bad[i].text, strlen(bad[i].text), out, sizeof(out),
		                     &n, err, sizeof(err)),
		    -1);
		assert_non_null(strstr(err, bad[i].reason));
	}
}

static void
refuses_output_that_does_not_fit(void **state)
{
	uint8_t out[2];
	char small[4];
	size_t n;

	(void)state;
	assert_int_equal(base45_decode("%69 VD92EX0", 11, out, sizeof(out), &n, NULL, 0), -1);
	assert_int_equal(base45_encode((const uint8_t *)"ietf!", 5, small, sizeof(small)), -1);
	assert_string_equal(small, "");
	/* exactly enough room (3 characters and the NUL) */
	assert_int_equal(base45_encode((const uint8_t *)"AB", 2, small, sizeof(small)), 3);
}

/* RFC 9285's table: the i-th character of the alphabet is worth i, and no
 * other byte is a base45 character. */
static void
knows_every_character_of_the_alphabet_and_no_other(void **state)
{
	static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
	char pair[2];
	uint8_t byte;
	size_t n;
	int c;

	(void)state;
	for (c = 0; c < 256; c++) {
		const char *at = c != 0 ? strchr(alphabet, c) : NULL;

		if (base45_valid_char(c) != (at != NULL))
			fail_msg("byte 0x%02x: valid %d", c, base45_valid_char(c));
		if (at == NULL)
			continue;
		/* a pair "c0" is the byte c is worth */
		pair[0] = (char)c;
		pair[1] = '0';
		assert_int_equal(base45_decode(pair, 2, &byte, 1, &n, NULL, 0), 0);
		assert_int_equal(n, 1);
		if (byte != at - alphabet)
			fail_msg("'%c' is worth %u, not %d", c, byte, (int)(at - alphabet));
	}
	assert_int_equal(base45_valid_char(-1), 0);
	assert_int_equal(base45_valid_char(256), 0);
}

static void
decodes_only_the_given_length(void **state)
{
	uint8_t out[8];
	size_t n;

	(void)state;
	/* "BB8" followed by garbage that must not be read */
	assert_int_equal(base45_decode("BB8###", 3, out, sizeof(out), &n, NULL, 0), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "AB", 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encodes_rfc_examples),
		cmocka_unit_test(decodes_rfc_examples),
		cmocka_unit_test(round_trips_every_length_and_extreme_bytes),
		cmocka_unit_test(refuses_malformed_text),
		cmocka_unit_test(refuses_output_that_does_not_fit),
		cmocka_unit_test(decodes_only_the_given_length),
		cmocka_unit_test(knows_every_character_of_the_alphabet_and_no_other),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
