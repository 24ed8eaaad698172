/*
 * Unit tests of the cylinder code (docs/code-format.md): the test vectors of
 * the spec both ways, and refusal of every single-character change, every
 * truncation and deletion of a valid code, of codes signed by another key and
 * of records the format does not allow.  Also the key files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "base45.h"
#include "code.h"
#include "fixture.h"

/* Test key of docs/code-format.md: seed bytes 00 01 02 .. 1f. */
static const char test_public_hex[] =
    "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";

static const struct vector {
	struct code_record rec;
	const char *code;
} vectors[] = {
	{ { 330825, "ZJ-000123", 4, 2023, 4, 15200, 14900 },
	    "GC1: 50+O1 M0R2GKFU*OQTIB3W5646*96WN669DBIK+RC-RR8:U1IP2HR94V.98XGH85GQ6BMKCDFK5EULME"
	    "/NLVU1O27UXHXLGEAEQTVJSOB%E$BNRMP7:GZY7SMNM:550" },
	{ { 330825, "LY2019A00457", 5, 2019, 11, 48500, 49500 },
	    "GC1: 50+O1MS0T*A6RUN*AFT9NF61A6%A8A46XW6.NAE 6I6KOC7T/P7ZNQD8LBOK0VECLI-V/ATTK2 UDOOBE"
	    "ILOE85.IAN2K4LA4LJ*1$B2EIOJHN3Z9EVVLX0JRI3TP 27.MB" },
	{ { 110105, "7", 1, 2006, 1, 4200, 2000 },
	    "GC1:W50J0MW50CBM:WK CPJ/6N4U$VDXOIY1O1GIZ2KCFC6%7Y4F05W55N-MJFHJ+R09SQCYO7:LU$MF 38DU "
	    "QJHAB-.O.5B: 5:NLUG4.RTKPE0WMHSQF0" },
	{ { 330825, "A123456789012345678901_x", 2, 1998, 12, 10010, 5000 },
	    "GC1: 50+O1IB0YMBOKTS%U*A8QF60R6J%6%47746QF60R6J%6%4774653CAXB-T78PQF*QL75+92YKR3RB4P3"
	    "8%1NON%-JOH4-LRRTS1*S5D4 /M7YITQNJ3CX7J0MGK:425038P5TSJZ7%S1S.3BFGKML" },
};
#define NVECTORS (sizeof(vectors) / sizeof(vectors[0]))

/* The same first record signed by the key of seed 42 42 .. 42. */
static const char other_key_code[] =
    "GC1: 50+O1 M0R2GKFU*OQTIB3W5646*96EL6P6LUKVG%G/:CO6KZYEZIEA$KNNV%TFEQHPX8BFHPFILMUW.C452"
    "VROL40GSJ93VPWF+ DO57P:V 9SV:214O%SO4$B35860";

static struct code_key *test_key, *test_public, *other_key;

static int
setup(void **state)
{
	uint8_t seed[CODE_SEED_LEN], pub[CODE_PUBLIC_LEN];
	int i;

	(void)state;
	for (i = 0; i < CODE_SEED_LEN; i++)
		seed[i] = (uint8_t)i;
	test_key = code_key_from_seed(seed, NULL, 0);
	for (i = 0; i < CODE_PUBLIC_LEN; i++)
		sscanf(test_public_hex + 2 * i, "%2hhx", &pub[i]);
	test_public = code_key_from_public(pub, NULL, 0);
	memset(seed, 0x42, sizeof(seed));
	other_key = code_key_from_seed(seed, NULL, 0);
	return test_key == NULL || test_public == NULL || other_key == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	code_key_free(test_key);
	code_key_free(test_public);
	code_key_free(other_key);
	return 0;
}

static void
assert_record_equal(const struct code_record *a, const struct code_record *b)
{
	assert_int_equal(a->county, b->county);
	assert_string_equal(a->serial, b->serial);
	assert_int_equal(a->model, b->model);
	assert_int_equal(a->year, b->year);
	assert_int_equal(a->month, b->month);
	assert_int_equal(a->tare_g, b->tare_g);
	assert_int_equal(a->fill_g, b->fill_g);
}

static void
test_key_has_the_documented_public_key(void **state)
{
	uint8_t pub[CODE_PUBLIC_LEN], want[CODE_PUBLIC_LEN];
	int i;

	(void)state;
	assert_int_equal(code_key_public_raw(test_key, pub), 0);
	for (i = 0; i < CODE_PUBLIC_LEN; i++)
		sscanf(test_public_hex + 2 * i, "%2hhx", &want[i]);
	assert_memory_equal(pub, want, CODE_PUBLIC_LEN);
	assert_true(code_key_is_private(test_key));
	assert_false(code_key_is_private(test_public));
}

static void
encodes_test_vectors_exactly(void **state)
{
	char code[CODE_MAX_LEN + 1], err[160];
	size_t i;

	(void)state;
	for (i = 0; i < NVECTORS; i++) {
		assert_int_equal(
		    code_encode(&vectors[i].rec, test_key, code, sizeof(code), err, sizeof(err)),
		    0);
		assert_string_equal(code, vectors[i].code);
	}
}

static void
decodes_test_vectors_with_public_key_only(void **state)
{
	struct code_record rec;
	char err[160];
	size_t i;

	(void)state;
	for (i = 0; i < NVECTORS; i++) {
		assert_int_equal(code_decode(vectors[i].code, strlen(vectors[i].code), test_public,
		                     &rec, err, sizeof(err)),
		    0);
		assert_record_equal(&rec, &vectors[i].rec);
	}
}

static void
refuses_every_single_character_change(void **state)
{
	char buf[CODE_MAX_LEN + 1], err[160];
	struct code_record rec;
	size_t i, pos, len;
	int c;

	(void)state;
	for (i = 0; i < NVECTORS; i++) {
		len = strlen(vectors[i].code);
		for (pos = 0; pos < len; pos++) {
			for (c = 0; c < 256; c++) {
				if (c == (unsigned char)vectors[i].code[pos])
					continue;
				memcpy(buf, vectors[i].code, len);
				buf[pos] = (char)c;
				if (code_decode(buf, len, test_public, &rec, err, sizeof(err)) == 0)
					fail_msg("vector %zu: changing position %zu to 0x%02x was "
					         "accepted",
					    i, pos, c);
				assert_int_equal(rec.county, 0);
			}
		}
	}
}

static void
refuses_every_truncation_and_deletion(void **state)
{
	char buf[CODE_MAX_LEN + 1], err[160];
	struct code_record rec;
	size_t i, n, len;

	(void)state;
	for (i = 0; i < NVECTORS; i++) {
		len = strlen(vectors[i].code);
		for (n = 0; n < len; n++) {
			if (code_decode(vectors[i].code, n, test_public, &rec, err, sizeof(err)) ==
			    0)
				fail_msg("vector %zu truncated to %zu accepted", i, n);
			/* also without the first n+1 characters, and with one deleted */
			if (code_decode(vectors[i].code + n + 1, len - n - 1, test_public, &rec,
			        err, sizeof(err)) == 0)
				fail_msg("vector %zu without its first %zu accepted", i, n + 1);
			memcpy(buf, vectors[i].code, n);
			memcpy(buf + n, vectors[i].code + n + 1, len - n - 1);
			if (code_decode(buf, len - 1, test_public, &rec, err, sizeof(err)) == 0)
				fail_msg("vector %zu with position %zu deleted accepted", i, n);
		}
		/* an extra character at the end */
		memcpy(buf, vectors[i].code, len);
		buf[len] = '0';
		assert_int_equal(code_decode(buf, len + 1, test_public, &rec, err, sizeof(err)),
		    -1);
	}
}

static void
refuses_code_signed_by_another_key(void **state)
{
	struct code_record rec;
	char err[160];

	(void)state;
	assert_int_equal(code_decode(other_key_code, strlen(other_key_code), test_public, &rec, err,
	                     sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "signature does not match"));
	/* and the good code is refused by the other key */
	assert_int_equal(code_decode(vectors[0].code, strlen(vectors[0].code), other_key, &rec, err,
	                     sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "signature"));
	/* yet the other key's own code is fine under its key */
	assert_int_equal(
	    code_decode(other_key_code, strlen(other_key_code), other_key, &rec, err, sizeof(err)),
	    0);
}

/*
 * A verifier gives code_decode's answer, record and reason, for every code:
 * each vector, and each vector with any one character changed to a base45
 * character (most of which reach the signature check) or to a byte outside
 * the alphabet.  Accepted and refused codes alternate, so a verifier whose
 * state a refusal or an acceptance spoiled would answer one of them wrongly.
 */
static void
verifier_answers_as_code_decode_for_every_single_character_change(void **state)
{
	static const char other[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:a\x01\xff";
	struct code_verifier *verifier = code_verifier_new(test_public, NULL, 0);
	char buf[CODE_MAX_LEN + 1], err[160], verr[160];
	struct code_record rec, vrec;
	size_t i, pos, len, c;
	int rc, vrc;

	(void)state;
	assert_non_null(verifier);
	for (i = 0; i < NVECTORS; i++) {
		len = strlen(vectors[i].code);
		for (pos = 0; pos < len; pos++) {
			for (c = 0; c < sizeof(other) - 1; c++) {
				memcpy(buf, vectors[i].code, len);
				buf[pos] = other[c]; /* unchanged once: then both accept */
				rc = code_decode(buf, len, test_public, &rec, err, sizeof(err));
				vrc = code_verifier_decode(verifier, buf, len, &vrec, verr,
				    sizeof(verr));
				if (rc != vrc || (rc == -1 && strcmp(err, verr) != 0))
					fail_msg("vector %zu, position %zu to 0x%02x: code_decode "
					         "%d (%s), the verifier %d (%s)",
					    i, pos, (unsigned char)other[c], rc, err, vrc, verr);
				assert_record_equal(&vrec, &rec);
				/* and the vector itself right after */
				assert_int_equal(code_verifier_decode(verifier, vectors[i].code,
				                     len, &vrec, verr, sizeof(verr)),
				    0);
				assert_record_equal(&vrec, &vectors[i].rec);
			}
		}
	}
	code_verifier_free(verifier);
}

static void
verifier_refuses_another_keys_code_and_outlives_its_key(void **state)
{
	uint8_t pub[CODE_PUBLIC_LEN];
	struct code_key *key;
	struct code_verifier *verifier, *other_verifier = code_verifier_new(other_key, NULL, 0);
	struct code_record rec;
	char err[160];
	int i;

	(void)state;
	assert_int_equal(code_key_public_raw(test_key, pub), 0);
	assert_non_null(key = code_key_from_public(pub, NULL, 0));
	assert_non_null(verifier = code_verifier_new(key, err, sizeof(err)));
	code_key_free(key); /* the verifier keeps its own reference */
	for (i = 0; i < 3; i++) {
		assert_int_equal(code_verifier_decode(verifier, other_key_code,
		                     strlen(other_key_code), &rec, err, sizeof(err)),
		    -1);
		assert_non_null(strstr(err, "signature does not match"));
		assert_int_equal(rec.county, 0);
		assert_int_equal(code_verifier_decode(verifier, vectors[1].code,
		                     strlen(vectors[1].code), &rec, err, sizeof(err)),
		    0);
		assert_record_equal(&rec, &vectors[1].rec);
		assert_int_equal(code_verifier_decode(other_verifier, other_key_code,
		                     strlen(other_key_code), &rec, err, sizeof(err)),
		    0);
		assert_int_equal(code_verifier_decode(other_verifier, vectors[1].code,
		                     strlen(vectors[1].code), &rec, err, sizeof(err)),
		    -1);
		assert_non_null(strstr(err, "signature does not match"));
	}
	code_verifier_free(verifier);
	code_verifier_free(other_verifier);
	code_verifier_free(NULL);
	/* no key, no verifier; no verifier, no code */
	assert_null(code_verifier_new(NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "no county public key"));
	assert_int_equal(code_verifier_decode(NULL, vectors[0].code, strlen(vectors[0].code), &rec,
	                     err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "no county public key"));
}

static void
refuses_malformed_codes_with_a_reason(void **state)
{
	static const struct {
		const char *code;
		const char *reason;
	} bad[] = {
		{ "", "empty" },
		{ "HC1:BB8", "not a cylinder code" },
		{ "GC2: 50+O1", "version 2 is not supported" },
		{ "gc1: 50+O1", "not a cylinder code" },
		{ "GC1:BB8", "too short" },
		{ "GC1:bb8", "character 'b' at position 5 is not allowed" },
		{ "GC1:BB\n", "byte 0x0a at position 7" },
		{ "GC1:GGW", "out of range" },
		{ NULL, NULL },
	};
	char longer[CODE_MAX_LEN + 10], err[160];
	struct code_record rec;
	int i;

	(void)state;
	for (i = 0; bad[i].code != NULL; i++) {
		assert_int_equal(code_decode(bad[i].code, strlen(bad[i].code), test_public, &rec,
		                     err, sizeof(err)),
		    -1);
		if (strstr(err, bad[i].reason) == NULL)
			fail_msg("'%s': reason '%s' lacks '%s'", bad[i].code, err, bad[i].reason);
	}
	memset(longer, '0', sizeof(longer));
	memcpy(longer, "GC1:", 4);
	assert_int_equal(code_decode(longer, sizeof(longer), test_public, &rec, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "too long"));
	assert_int_equal(
	    code_decode(vectors[0].code, strlen(vectors[0].code), NULL, &rec, err, sizeof(err)),
	    -1);
}

static void
refuses_to_sign_records_outside_the_format(void **state)
{
	static const struct {
		struct code_record rec;
		const char *reason;
	} bad[] = {
		{ { 33082, "A1", 4, 2023, 4, 15200, 14900 }, "six digits" },
		{ { 330825, "", 4, 2023, 4, 15200, 14900 }, "serial" },
		{ { 330825, "-A1", 4, 2023, 4, 15200, 14900 }, "serial" },
		{ { 330825, "A/1", 4, 2023, 4, 15200, 14900 }, "serial" },
		{ { 330825, "A1", 6, 2023, 4, 15200, 14900 }, "model 6 is unknown" },
		{ { 330825, "A1", 4, 1969, 12, 15200, 14900 }, "out of range" },
		{ { 330825, "A1", 4, 2023, 13, 15200, 14900 }, "out of range" },
		{ { 330825, "A1", 4, 2023, 4, 15205, 14900 }, "tare" },
		{ { 330825, "A1", 4, 2023, 4, 0, 14900 }, "tare" },
		{ { 330825, "A1", 4, 2023, 4, 15200, 15000 }, "exceeds 14.9 kg" },
		{ { 330825, "A1", 5, 2023, 4, 48000, 0 }, "fill" },
	};
	char code[CODE_MAX_LEN + 1], err[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
		    code_encode(&bad[i].rec, test_key, code, sizeof(code), err, sizeof(err)), -1);
		if (strstr(err, bad[i].reason) == NULL)
			fail_msg("case %zu: reason '%s' lacks '%s'", i, err, bad[i].reason);
		assert_string_equal(code, "");
	}
	/* a public key cannot sign */
	assert_int_equal(
	    code_encode(&vectors[0].rec, test_public, code, sizeof(code), err, sizeof(err)), -1);
	/* an output buffer too small is refused, not overrun */
	assert_int_equal(code_encode(&vectors[0].rec, test_key, code, 20, err, sizeof(err)), -1);
}

/* Sign raw record bytes with the test key outside code_encode, which would
 * refuse to make such records, and return the code text. */
static void
sign_raw(const uint8_t *record, size_t len, char *out, size_t outlen)
{
	uint8_t seed[CODE_SEED_LEN], payload[200], msg[200];
	EVP_PKEY *pkey;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t siglen = 64;
	int i;

	for (i = 0; i < CODE_SEED_LEN; i++)
		seed[i] = (uint8_t)i;
	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, sizeof(seed));
	memcpy(msg, "GC1:", 4);
	memcpy(msg + 4, record, len);
	memcpy(payload, record, len);
	assert_int_equal(EVP_DigestSignInit(md, NULL, NULL, NULL, pkey), 1);
	assert_int_equal(EVP_DigestSign(md, payload + len, &siglen, msg, len + 4), 1);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	memcpy(out, "GC1:", 4);
	assert_true(base45_encode(payload, len + 64, out + 4, outlen - 4) > 0);
}

static void
refuses_validly_signed_records_outside_the_format(void **state)
{
	/* vector 1's record, then one field broken at a time */
	static const uint8_t good[] = { 0x01, 0x05, 0x0c, 0x49, 0x04, 0x02, 0x7f, 0x05, 0xf0, 0x05,
		0xd2, 0x09, 'Z', 'J', '-', '0', '0', '0', '1', '2', '3' };
	static const struct {
		int offset;
		uint8_t value;
		const char *reason;
	} bad[] = {
		{ -1, 0, NULL },                 /* unchanged: accepted */
		{ 10, 0xd3, "exceeds 14.9 kg" }, /* fill 14.91 kg on a YSP35.5 */
		{ 4, 9, "model 9 is unknown" },
		{ 12, '/', "invalid serial" },
		{ 12, '-', "invalid serial" }, /* serial may not start with '-' */
		{ 1, 0x00, "not six digits" }, /* county 003145 */
		{ 5, 0xff, "out of range" },   /* month far past 2200 */
		{ 8, 0x00, "tare" },           /* tare 0 g (see below) */
		{ 0, 0x02, "record version 2" },
	};
	char code[CODE_MAX_LEN + 8], err[160];
	struct code_record rec;
	uint8_t record[sizeof(good)];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(record, good, sizeof(good));
		if (bad[i].offset >= 0)
			record[bad[i].offset] = bad[i].value;
		if (bad[i].offset == 8) { /* tare 0 g */
			record[7] = 0;
			record[8] = 0;
		}
		sign_raw(record, sizeof(record), code, sizeof(code));
		if (bad[i].reason == NULL) {
			assert_int_equal(
			    code_decode(code, strlen(code), test_public, &rec, err, sizeof(err)),
			    0);
			assert_string_equal(code, vectors[0].code);
			continue;
		}
		assert_int_equal(
		    code_decode(code, strlen(code), test_public, &rec, err, sizeof(err)), -1);
		if (strstr(err, bad[i].reason) == NULL)
			fail_msg("case %zu: reason '%s' lacks '%s'", i, err, bad[i].reason);
	}
}

static void
knows_the_five_models_and_their_fill_mass(void **state)
{
	(void)state;
	assert_true(code_model_fill_kg("YSP35.5") == 14.9);
	assert_true(code_model_fill_kg("ysp118") == 49.5);
	assert_true(code_model_fill_kg("YSP12") == 5.0);
	assert_true(code_model_fill_kg("YSP26.2") == 11.0);
	assert_true(code_model_fill_kg("YSP4.7") == 2.0);
	assert_true(code_model_fill_kg("YSP50") < 0);
	assert_int_equal(code_model_by_name("YSP35.5")->id, 4);
	assert_string_equal(code_model_by_id(5)->name, "YSP118");
	assert_null(code_model_by_id(0));
	assert_non_null(code_model_at(4));
	assert_null(code_model_at(5));
}

/* A folder of the case's own for its key files (fixture_dir_setup). */
static int
key_folder_setup(void **state)
{
	return fixture_dir_setup(state, "test_code");
}

static void
key_files_round_trip_private_file_is_0600_and_never_overwritten(void **state)
{
	const char *dir = *state;
	char priv[96], pub[96], err[256];
	char code[CODE_MAX_LEN + 1];
	struct code_key *k, *loaded_priv, *loaded_pub;
	struct code_record rec;
	struct stat st;

	snprintf(priv, sizeof(priv), "%s/county.key", dir);
	snprintf(pub, sizeof(pub), "%s/county.pub", dir);
	k = code_key_generate(err, sizeof(err));
	assert_non_null(k);
	assert_int_equal(code_key_save_private(k, priv, err, sizeof(err)), 0);
	assert_int_equal(code_key_save_public(k, pub, err, sizeof(err)), 0);
	assert_int_equal(stat(priv, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* refuses to overwrite */
	assert_int_equal(code_key_save_private(k, priv, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exists"));

	loaded_priv = code_key_load_private(priv, err, sizeof(err));
	assert_non_null(loaded_priv);
	loaded_pub = code_key_load_public(pub, err, sizeof(err));
	assert_non_null(loaded_pub);
	assert_int_equal(
	    code_encode(&vectors[0].rec, loaded_priv, code, sizeof(code), err, sizeof(err)), 0);
	assert_int_equal(code_decode(code, strlen(code), loaded_pub, &rec, err, sizeof(err)), 0);
	assert_int_equal(code_decode(code, strlen(code), test_public, &rec, err, sizeof(err)), -1);

	/* a private key others can read is refused; a public file is not a private key */
	assert_int_equal(chmod(priv, 0640), 0);
	assert_null(code_key_load_private(priv, err, sizeof(err)));
	assert_non_null(strstr(err, "group or others"));
	assert_null(code_key_load_private(pub, err, sizeof(err)));
	assert_null(code_key_load_public("/nonexistent/county.pub", err, sizeof(err)));

	code_key_free(k);
	code_key_free(loaded_priv);
	code_key_free(loaded_pub);
}

/* ---- URL form (docs/code-format.md, "URL form") ---- */

static const char url_base[] = "HTTPS://CHECK.EXAMPLE.GOV.CN/C/";

/* Vector 1 in its URL form, as documented. */
static const char url_vector1[] =
    "HTTPS://CHECK.EXAMPLE.GOV.CN/C/GC1:%2050+O1%20M0R2GKFU*OQTIB3W5646*96WN669DBIK+RC-RR8:U1IP2"
    "HR94V.98XGH85GQ6BMKCDFK5EULME/NLVU1O27UXHXLGEAEQTVJSOB%25E$BNRMP7:GZY7SMNM:550";

static void
url_form_of_every_vector_decodes_to_its_record(void **state)
{
	char url[CODE_URL_MAX + 1], err[200];
	struct code_record rec;
	size_t i;

	(void)state;
	assert_int_equal(code_url(url_base, vectors[0].code, url, sizeof(url), err, sizeof(err)),
	    0);
	assert_string_equal(url, url_vector1);
	for (i = 0; i < NVECTORS; i++) {
		assert_int_equal(
		    code_url(url_base, vectors[i].code, url, sizeof(url), err, sizeof(err)), 0);
		/* a URL holds no space: a phone camera takes it whole */
		assert_null(strchr(url, ' '));
		assert_int_equal(
		    code_decode_text(url, strlen(url), test_public, &rec, err, sizeof(err)), 0);
		assert_record_equal(&rec, &vectors[i].rec);
		/* the old bare code still reads through the same entry */
		assert_int_equal(code_decode_text(vectors[i].code, strlen(vectors[i].code),
		                     test_public, &rec, err, sizeof(err)),
		    0);
		assert_record_equal(&rec, &vectors[i].rec);
	}
	/* lower-case base, a query-string base, an escaped colon and a phone's
	 * appended fragment all carry the same code */
	assert_int_equal(code_url("https://check.example.gov.cn/c/", vectors[1].code, url,
	                     sizeof(url), err, sizeof(err)),
	    0);
	assert_int_equal(code_decode_text(url, strlen(url), test_public, &rec, err, sizeof(err)),
	    0);
	assert_record_equal(&rec, &vectors[1].rec);
	assert_int_equal(code_url("http://10.0.0.1:8080/check?c=", vectors[2].code, url,
	                     sizeof(url), err, sizeof(err)),
	    0);
	strcat(url, "#top");
	assert_int_equal(code_decode_text(url, strlen(url), test_public, &rec, err, sizeof(err)),
	    0);
	assert_record_equal(&rec, &vectors[2].rec);
}

static void
no_change_to_a_url_yields_another_cylinder(void **state)
{
	char buf[sizeof(url_vector1)], err[200];
	struct code_record rec;
	size_t len = strlen(url_vector1), pos;
	int c, accepted = 0;

	(void)state;
	for (pos = 0; pos < len; pos++) {
		for (c = 0x20; c < 0x7f; c++) {
			if (c == url_vector1[pos])
				continue;
			memcpy(buf, url_vector1, len + 1);
			buf[pos] = (char)c;
			if (code_decode_text(buf, len, test_public, &rec, err, sizeof(err)) == 0) {
				/* only the untrusted base, a case change of a hex digit or a
				 * cut at '?', '#', '&' after the code may still read, and
				 * only as the same cylinder */
				assert_record_equal(&rec, &vectors[0].rec);
				accepted++;
			} else {
				assert_true(err[0] != '\0');
			}
		}
	}
	assert_true(accepted > 0); /* the base is not part of what is checked */
}

static void
refuses_malformed_urls_and_base_urls_with_a_reason(void **state)
{
	static const struct {
		const char *text, *reason;
	} bad[] = {
		{ "https://check.example.gov.cn/c/", "holds no cylinder code" },
		{ "HTTPS://CHECK.EXAMPLE.GOV.CN/C/GC1:%2G50",
		    "'%' at position 36 is not followed by two hex digits" },
		{ "HTTPS://CHECK.EXAMPLE.GOV.CN/C/GC1:%2", "not followed by two hex digits" },
		{ "https://GC1:host/x", "holds no cylinder code" },
		{ "HTTPS://X/C/GC2:ABC", "version 2 is not supported" },
		{ "HTTPS://X/C/GC1:%20", "base45" },
	};
	static const struct {
		const char *base, *reason;
	} bad_base[] = {
		{ "", "empty" },
		{ "ftp://x/", "does not start with" },
		{ "https://", "names no host" },
		{ "https://check.example.gov.cn", "no path" },
		{ "https://check.example.gov.cn/c", "must end in" },
		{ "https://check.example.gov.cn/a b/", "position 31" },
		{ "https://check.example.gov.cn/%41/", "'%'" },
		{ "https://check.example.gov.cn/GC1:/", "take for the code" },
	};
	char text[CODE_URL_MAX + 64], url[CODE_URL_MAX + 1], err[200];
	struct code_record rec;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(code_decode_text(bad[i].text, strlen(bad[i].text), test_public,
		                     &rec, err, sizeof(err)),
		    -1);
		if (strstr(err, bad[i].reason) == NULL)
			fail_msg("'%s': '%s' lacks '%s'", bad[i].text, err, bad[i].reason);
		assert_int_equal(rec.county, 0);
	}
	for (i = 0; i < sizeof(bad_base) / sizeof(bad_base[0]); i++) {
		assert_int_equal(
		    code_url(bad_base[i].base, vectors[0].code, url, sizeof(url), err, sizeof(err)),
		    -1);
		if (strstr(err, bad_base[i].reason) == NULL)
			fail_msg("'%s': '%s' lacks '%s'", bad_base[i].base, err,
			    bad_base[i].reason);
	}
	/* longer than a label URL may be */
	memset(text, 'A', sizeof(text) - 1);
	memcpy(text, "https://x/", 10);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(code_decode_text(text, strlen(text), test_public, &rec, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "too long for a label URL"));
	/* a URL whose code is the other key's is refused like the bare code */
	assert_int_equal(code_url(url_base, other_key_code, url, sizeof(url), err, sizeof(err)), 0);
	assert_int_equal(code_decode_text(url, strlen(url), test_public, &rec, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "signature does not match"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_has_the_documented_public_key),
		cmocka_unit_test(encodes_test_vectors_exactly),
		cmocka_unit_test(decodes_test_vectors_with_public_key_only),
		cmocka_unit_test(refuses_every_single_character_change),
		cmocka_unit_test(refuses_every_truncation_and_deletion),
		cmocka_unit_test(refuses_code_signed_by_another_key),
		cmocka_unit_test(verifier_answers_as_code_decode_for_every_single_character_change),
		cmocka_unit_test(verifier_refuses_another_keys_code_and_outlives_its_key),
		cmocka_unit_test(refuses_malformed_codes_with_a_reason),
		cmocka_unit_test(refuses_to_sign_records_outside_the_format),
		cmocka_unit_test(refuses_validly_signed_records_outside_the_format),
		cmocka_unit_test(knows_the_five_models_and_their_fill_mass),
		cmocka_unit_test_setup_teardown(
		    key_files_round_trip_private_file_is_0600_and_never_overwritten,
		    key_folder_setup, fixture_dir_teardown),
		cmocka_unit_test(url_form_of_every_vector_decodes_to_its_record),
		cmocka_unit_test(no_change_to_a_url_yields_another_cylinder),
		cmocka_unit_test(refuses_malformed_urls_and_base_urls_with_a_reason),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
