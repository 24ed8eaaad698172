/*
 * Fuzz target for the one cylinder-code decoder (code_decode, and base45
 * under it).  Besides "no crash, no sanitizer report", it checks a property:
 * a code the decoder accepts must be exactly the code the county key would
 * mint for the decoded record (Ed25519 signatures are deterministic), so no
 * second spelling of a valid code is ever accepted.  The key is the test key
 * of docs/code-format.md (seed 00 01 .. 1f); the corpus holds its vectors.
 * The same bytes also go through code_decode_text (a scanner's entry, which
 * takes a label URL too): what it accepts is the record code_decode gives
 * for the code code_from_text extracts, never another.  And a verifier (the
 * decoder an import's threads use) answers every input as code_decode does:
 * the same result, record and reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base45.h"
#include "buyer.h"
#include "code.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct code_key *key;
	static struct code_verifier *verifier;
	struct code_record rec, vrec;
	struct buyer_number number;
	char err[256], verr[256], again[CODE_MAX_LEN + 1];
	int rc, vrc;
	uint8_t raw[256];
	size_t n;

	if (key == NULL) {
		uint8_t seed[CODE_SEED_LEN];
		int i;

		for (i = 0; i < CODE_SEED_LEN; i++)
			seed[i] = (uint8_t)i;
		if ((key = code_key_from_seed(seed, NULL, 0)) == NULL ||
		    (verifier = code_verifier_new(key, NULL, 0)) == NULL)
			abort();
	}
	rc = code_decode((const char *)data, size, key, &rec, err, sizeof(err));
	vrc = code_verifier_decode(verifier, (const char *)data, size, &vrec, verr, sizeof(verr));
	if (vrc != rc || memcmp(&vrec, &rec, sizeof(rec)) != 0 ||
	    (rc != 0 && strcmp(verr, err) != 0))
		abort(); /* the verifier answered otherwise than the decoder */
	if (rc == 0) {
		if (code_encode(&rec, key, again, sizeof(again), err, sizeof(err)) != 0 ||
		    strlen(again) != size || memcmp(again, data, size) != 0)
			abort(); /* accepted a non-canonical code */
	} else if (err[0] == '\0') {
		abort(); /* refused without a reason */
	}
	if (code_decode_text((const char *)data, size, key, &rec, err, sizeof(err)) == 0) {
		char code[CODE_URL_MAX + 1];
		struct code_record direct;
		size_t len;

		if (code_from_text((const char *)data, size, code, sizeof(code), &len, err,
		        sizeof(err)) != 0 ||
		    code_decode(code, len, key, &direct, err, sizeof(err)) != 0 ||
		    memcmp(&direct, &rec, sizeof(rec)) != 0)
			abort(); /* the text entry accepted what the decoder would not */
	} else if (err[0] == '\0') {
		abort();
	}
	(void)base45_decode((const char *)data, size, raw, sizeof(raw), &n, NULL, 0);
	if (buyer_parse((const char *)data, size, BUYER_ANY, &number, NULL, 0) == 0 &&
	    strlen(number.text) != BUYER_NUMBER_LEN)
		abort();
	return 0;
}
