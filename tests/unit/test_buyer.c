/*
 * Unit tests of buyer identity: resident ID numbers and credit codes accepted
 * and refused with the right reason, normalisation, the keyed id, the mask,
 * and the buyer key file.
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

#include "buyer.h"
#include "fixture.h"

static const struct {
	const char *input;
	enum buyer_kind want_kind;
	const char *normalised;
} good[] = {
	{ "330825198001010010", BUYER_HOUSEHOLD, "330825198001010010" },
	{ "11010519491231002X", BUYER_HOUSEHOLD, "11010519491231002X" },
	{ "11010519491231002x", BUYER_HOUSEHOLD, "11010519491231002X" },
	{ " 330825 2000 0229 0026 ", BUYER_HOUSEHOLD, "330825200002290026" },
	{ "330825-19900307-1233", BUYER_HOUSEHOLD, "330825199003071233" },
	{ "91350100M000100Y43", BUYER_BUSINESS, "91350100M000100Y43" },
	{ "91330825ma2exampLx", BUYER_BUSINESS, "91330825MA2EXAMPLX" },
	{ "91330825123456789Y", BUYER_BUSINESS, "91330825123456789Y" },
	{ NULL, 0, NULL },
};

static void
accepts_valid_numbers_and_normalises_them(void **state)
{
	struct buyer_number n;
	char err[160];
	int i;

	(void)state;
	for (i = 0; good[i].input != NULL; i++) {
		if (buyer_parse(good[i].input, strlen(good[i].input), BUYER_ANY, &n, err,
		        sizeof(err)) != 0)
			fail_msg("case %d refused: %s", i, err);
		assert_int_equal(n.kind, good[i].want_kind);
		assert_string_equal(n.text, good[i].normalised);
		buyer_number_clear(&n);
		assert_string_equal(n.text, "");
	}
}

static void
refuses_bad_numbers_with_the_reason(void **state)
{
	static const struct {
		const char *input;
		enum buyer_kind kind;
		const char *reason;
	} bad[] = {
		{ "330825198001010011", BUYER_ANY, "check digit wrong" },
		{ "330825198001010019", BUYER_HOUSEHOLD, "check digit wrong" },
		{ "330825203102300010", BUYER_ANY, "birth date 2031-02-30 is not a real date" },
		{ "330825199002290010", BUYER_ANY, "birth date 1990-02-29 is not a real date" },
		{ "330825209901010010", BUYER_ANY, "in the future" },
		{ "330825187001010010", BUYER_ANY, "not plausible" },
		{ "990825198001010010", BUYER_ANY, "not a province code" },
		{ "33082519800101001", BUYER_ANY, "18 characters, not 17" },
		{ "330825800101001", BUYER_ANY, "15-digit" },
		{ "3308251980010100X0", BUYER_ANY, "not a digit" },
		{ "11010519491231002Y", BUYER_ANY, "last character must be a digit or X" },
		{ "", BUYER_ANY, "no number" },
		{ "91350100M000100Y44", BUYER_ANY, "check character wrong" },
		{ "91350100M000100Y43", BUYER_HOUSEHOLD, "not a digit" },
		{ "91350100I000100Y43", BUYER_ANY, "character 9 is not allowed" },
		{ "913501A0M000100Y43", BUYER_ANY, "characters 3 to 8" },
		{ "330825198001010010", BUYER_BUSINESS, "check character wrong" },
		{ "3308251980\x01"
		  "01010010",
		    BUYER_ANY, "not a letter or digit" },
		{ NULL, 0, NULL },
	};
	struct buyer_number n;
	char err[160];
	int i;

	(void)state;
	for (i = 0; bad[i].input != NULL; i++) {
		err[0] = '\0';
		if (buyer_parse(bad[i].input, strlen(bad[i].input), bad[i].kind, &n, err,
		        sizeof(err)) == 0)
			fail_msg("case %d accepted", i);
		if (strstr(err, bad[i].reason) == NULL)
			fail_msg("case %d: reason '%s' lacks '%s'", i, err, bad[i].reason);
		assert_string_equal(n.text, "");
	}
}

static void
refusal_reasons_never_contain_the_number(void **state)
{
	static const char *inputs[] = {
		"330825198001010011",
		"91350100M000100Y44",
		"33082519800101001",
		"990825198001010010",
		NULL,
	};
	struct buyer_number n;
	char err[256];
	int i;

	(void)state;
	for (i = 0; inputs[i] != NULL; i++) {
		assert_int_equal(
		    buyer_parse(inputs[i], strlen(inputs[i]), BUYER_ANY, &n, err, sizeof(err)), -1);
		assert_null(strstr(err, inputs[i]));
		assert_null(strstr(err, inputs[i] + 10)); /* nor its tail */
	}
}

static void
check_characters_follow_the_standards(void **state)
{
	(void)state;
	assert_int_equal(buyer_resident_check_char("11010519491231002"), 'X');
	assert_int_equal(buyer_resident_check_char("33082519800101001"), '0');
	assert_int_equal(buyer_credit_check_char("91350100M000100Y4"), '3');
	assert_int_equal(buyer_credit_check_char("91350100I000100Y4"), 0);
}

static void
masks_show_first_three_and_last_four(void **state)
{
	struct buyer_number n;
	char mask[BUYER_MASK_LEN + 1];

	(void)state;
	assert_int_equal(buyer_parse("330825198001011234", 18, BUYER_ANY, &n, NULL, 0), -1);
	assert_int_equal(buyer_parse("330825198001010010", 18, BUYER_ANY, &n, NULL, 0), 0);
	buyer_mask(&n, mask);
	assert_string_equal(mask, "330***********0010");
	assert_null(strstr(mask, "19800101"));
	assert_int_equal(buyer_parse("91350100M000100Y43", 18, BUYER_ANY, &n, NULL, 0), 0);
	buyer_mask(&n, mask);
	assert_string_equal(mask, "913***********0Y43");
}

static void
buyer_id_is_keyed_and_stable(void **state)
{
	struct buyer_key k1, k2;
	struct buyer_number a, b;
	char id1[BUYER_ID_LEN + 1], id2[BUYER_ID_LEN + 1], id3[BUYER_ID_LEN + 1];

	(void)state;
	memset(k1.bytes, 0x11, sizeof(k1.bytes));
	memset(k2.bytes, 0x22, sizeof(k2.bytes));
	assert_int_equal(buyer_parse("11010519491231002X", 18, BUYER_ANY, &a, NULL, 0), 0);
	assert_int_equal(buyer_parse("110105 19491231 002x", 20, BUYER_ANY, &b, NULL, 0), 0);
	assert_int_equal(buyer_id(&k1, &a, id1), 0);
	assert_int_equal(buyer_id(&k1, &b, id2), 0);
	assert_int_equal(strlen(id1), BUYER_ID_LEN);
	assert_string_equal(id1, id2); /* the same person, however typed */
	assert_int_equal(buyer_id(&k2, &a, id3), 0);
	assert_string_not_equal(id1, id3); /* another county key, another id */
	/* HMAC-SHA256, key 0x11 x 32, message "11010519491231002X" (computed
	 * independently with Python hmac; docs/buyers.md) */
	assert_string_equal(id1,
	    "9dc6f8e7a9fd6247558c1106752ef926f8904ad15c497e0bf6ecec65d86a869c");
}

/* A folder of the case's own for its key files (fixture_dir_setup). */
static int
key_folder_setup(void **state)
{
	return fixture_dir_setup(state, "test_buyer");
}

static void
key_file_must_be_private_and_hex(void **state)
{
	const char *dir = *state;
	char path[96], bad[96], err[256];
	struct buyer_key k, k2;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/buyer.key", dir);
	snprintf(bad, sizeof(bad), "%s/bad.key", dir);
	assert_int_equal(buyer_key_generate(path, err, sizeof(err)), 0);
	assert_int_equal(buyer_key_generate(path, err, sizeof(err)), -1); /* no overwrite */
	assert_int_equal(buyer_key_load(path, &k, err, sizeof(err)), 0);
	assert_int_equal(buyer_key_load(path, &k2, err, sizeof(err)), 0);
	assert_memory_equal(k.bytes, k2.bytes, BUYER_KEY_LEN);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(buyer_key_load(path, &k, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "group or others"));

	fp = fopen(bad, "w");
	fputs("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeg0\n", fp);
	fclose(fp);
	chmod(bad, 0600);
	assert_int_equal(buyer_key_load(bad, &k, err, sizeof(err)), -1);
	fp = fopen(bad, "w");
	fputs("0011\n", fp);
	fclose(fp);
	assert_int_equal(buyer_key_load(bad, &k, err, sizeof(err)), -1);
	fp = fopen(bad, "w");
	fputs("00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff", fp);
	fclose(fp);
	assert_int_equal(buyer_key_load(bad, &k, err, sizeof(err)), 0);
	assert_int_equal(k.bytes[10], 0xaa);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepts_valid_numbers_and_normalises_them),
		cmocka_unit_test(refuses_bad_numbers_with_the_reason),
		cmocka_unit_test(refusal_reasons_never_contain_the_number),
		cmocka_unit_test(check_characters_follow_the_standards),
		cmocka_unit_test(masks_show_first_three_and_last_four),
		cmocka_unit_test(buyer_id_is_keyed_and_stable),
		cmocka_unit_test_setup_teardown(key_file_must_be_private_and_hex, key_folder_setup,
		    fixture_dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
