/*
 * psk: key files are refused when others may read them or when they are not
 * hex of a sane length; identities files report FILE:LINE for every kind of
 * mistake; identities split into their roles; lookups find exact matches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "psk.h"
#include "util.h"

static char dir[64];

static int
setup(void **state)
{
	(void)state;
	return fixture_dir_make(dir, sizeof(dir), "test_psk");
}

static int
teardown(void **state)
{
	(void)state;
	return fixture_dir_remove(dir);
}

static const char *
write_file(const char *name, const char *text, mode_t mode)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static void
loads_an_owner_only_hex_key(void **state)
{
	uint8_t key[PSK_MAX_KEY];
	size_t len;
	char err[256];
	const char *path;

	(void)state;
	path = write_file("k1", "  00112233445566778899aabbccddeeff\n", 0600);
	assert_int_equal(psk_load_key(path, key, sizeof(key), &len, err, sizeof(err)), 0);
	assert_int_equal(len, 16);
	assert_int_equal(key[0], 0x00);
	assert_int_equal(key[15], 0xff);
}

static void
refuses_key_files_others_can_read(void **state)
{
	static const mode_t modes[] = { 0640, 0604, 0660, 0644, 0 };
	uint8_t key[PSK_MAX_KEY];
	size_t len;
	char err[256];
	const char *path;

	(void)state;
	for (int i = 0; modes[i] != 0; i++) {
		path = write_file("k2", "00112233445566778899aabbccddeeff\n", modes[i]);
		assert_int_equal(psk_load_key(path, key, sizeof(key), &len, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "chmod 600"));
		assert_int_equal(len, 0);
	}
}

static void
refuses_keys_that_are_not_hex_or_too_short(void **state)
{
	static const char *bad[] = {
		"0011223344556677\n",                       /* 8 bytes */
		"00112233445566778899aabbccddeefg\n",       /* not hex */
		"00112233445566778899aabbccddeeff0\n",      /* odd length */
		"00112233445566778899aabbccddeeff extra\n", /* two words */
		"",
		NULL,
	};
	uint8_t key[PSK_MAX_KEY];
	size_t len;
	char err[256];
	const char *path;

	(void)state;
	for (int i = 0; bad[i] != NULL; i++) {
		path = write_file("k3", bad[i], 0600);
		assert_int_equal(psk_load_key(path, key, sizeof(key), &len, err, sizeof(err)), -1);
		/* the key never appears in the message */
		assert_null(strstr(err, "00112233"));
	}
}

/* What is wrong with a key file, for a tool to say in the person's language:
 * the same checks as psk_load_key, one row each, ending in the sentinel. */
static void
says_what_is_wrong_with_a_key_file(void **state)
{
	static const struct {
		const char *name, *text; /* NULL text: a folder; "-": no file */
		mode_t mode;
		enum psk_key_problem problem;
		int error;
		unsigned shown_mode;
	} rows[] = {
		{ "ok", "00112233445566778899aabbccddeeff\n", 0600, PSK_KEY_USABLE, 0, 0 },
		{ "shared", "00112233445566778899aabbccddeeff\n", 0644, PSK_KEY_SHARED, 0, 0644 },
		{ "group", "00112233445566778899aabbccddeeff\n", 0640, PSK_KEY_SHARED, 0, 0640 },
		{ "short", "0011\n", 0600, PSK_KEY_NOT_A_KEY, 0, 0 },
		{ "words", "a key\n", 0600, PSK_KEY_NOT_A_KEY, 0, 0 },
		{ "folder", NULL, 0700, PSK_KEY_NOT_A_FILE, 0, 0 },
		{ "missing", "-", 0, PSK_KEY_UNREADABLE, ENOENT, 0 },
		{ NULL, NULL, 0, PSK_KEY_USABLE, 0, 0 },
	};
	struct psk_key_fault f;
	uint8_t key[PSK_MAX_KEY];
	size_t len;
	char path[128];

	(void)state;
	for (int i = 0; rows[i].name != NULL; i++) {
		snprintf(path, sizeof(path), "%s/check-%s", dir, rows[i].name);
		if (rows[i].text == NULL)
			assert_int_equal(mkdir(path, rows[i].mode), 0);
		else if (strcmp(rows[i].text, "-") != 0)
			str_copy(path, write_file(rows[i].name, rows[i].text, rows[i].mode),
			    sizeof(path));
		memset(&f, 0xff, sizeof(f));
		(void)psk_load_key_fault(path, key, sizeof(key), &len, &f, NULL, 0);
		if (f.problem != rows[i].problem || f.error != rows[i].error ||
		    f.mode != rows[i].shown_mode)
			fail_msg("row %d (%s): problem %d error %d mode %03o", i, rows[i].name,
			    (int)f.problem, f.error, f.mode);
		if (rows[i].text == NULL)
			rmdir(path);
	}
}

static void
parses_identities_and_finds_them(void **state)
{
	static const char text[] = "# county identities\n"
	                           "\n"
	                           "station:S01   00112233445566778899aabbccddeeff\n"
	                           "  township:330825101 ffeeddccbbaa99887766554433221100  \n"
	                           "regulator:alice 000102030405060708090a0b0c0d0e0f1011\n";
	struct psk_table t;
	const struct psk_entry *e;
	char err[256];

	(void)state;
	assert_int_equal(psk_parse_identities("ids", text, strlen(text), &t, err, sizeof(err)), 0);
	assert_int_equal(t.count, 3);
	e = psk_find(&t, (const uint8_t *)"township:330825101", 18);
	assert_non_null(e);
	assert_int_equal(e->key_len, 16);
	assert_int_equal(e->key[0], 0xff);
	assert_null(psk_find(&t, (const uint8_t *)"township:33082510", 17));
	assert_null(psk_find(&t, (const uint8_t *)"station:S0", 10));
	assert_non_null(psk_find(&t, (const uint8_t *)"regulator:alice", 15));
	psk_table_free(&t);
}

static void
reports_identity_file_mistakes_with_line_numbers(void **state)
{
	static const struct {
		const char *text;
		const char *expect;
	} rows[] = {
		{ "station:S01\n", "ids:1: expected IDENTITY HEXKEY" },
		{ "# ok\nvisitor:bob 00112233445566778899aabbccddeeff\n",
		    "ids:2: identity must be" },
		{ "station: 00112233445566778899aabbccddeeff\n", "ids:1:" },
		{ "station:S01 0011\n", "ids:1: key of station:S01" },
		{ "station:S01 00112233445566778899aabbccddeeff x\n", "ids:1: expected" },
		{ "station:S01 00112233445566778899aabbccddeeff\n"
		  "# between\n"
		  "station:S01 ffeeddccbbaa99887766554433221100\n",
		    "ids:3: identity station:S01 appears twice (first at line 1)" },
		{ NULL, NULL },
	};
	struct psk_table t;
	char err[256];

	(void)state;
	for (int i = 0; rows[i].text != NULL; i++) {
		assert_int_equal(psk_parse_identities("ids", rows[i].text, strlen(rows[i].text), &t,
		                     err, sizeof(err)),
		    -1);
		if (strstr(err, rows[i].expect) == NULL)
			fail_msg("row %d: '%s' lacks '%s'", i, err, rows[i].expect);
		assert_int_equal(t.count, 0);
		assert_null(t.entries);
	}
}

static void
splits_identities_into_roles(void **state)
{
	static const struct {
		const char *identity;
		enum psk_role role;
		const char *name;
	} rows[] = {
		{ "station:S01", PSK_ROLE_STATION, "S01" },
		{ "township:330825101", PSK_ROLE_TOWNSHIP, "330825101" },
		{ "regulator:alice", PSK_ROLE_REGULATOR, "alice" },
		{ "station:", PSK_ROLE_NONE, "" },
		{ "station:a b", PSK_ROLE_NONE, "" },
		{ "station:a:b", PSK_ROLE_NONE, "" },
		{ "Station:S01", PSK_ROLE_NONE, "" },
		{ "admin:root", PSK_ROLE_NONE, "" },
		{ "officer:wang@TA", PSK_ROLE_OFFICER, "wang@TA" },
		{ "grid:dan@TB", PSK_ROLE_GRID, "dan@TB" },
		{ "officer:wang", PSK_ROLE_NONE, "" },
		{ "officer:@TA", PSK_ROLE_NONE, "" },
		{ "grid:dan@", PSK_ROLE_NONE, "" },
		{ "grid:a@b@TA", PSK_ROLE_NONE, "" },
		{ NULL, PSK_ROLE_NONE, NULL },
	};
	char name[64];

	(void)state;
	for (int i = 0; rows[i].identity != NULL; i++) {
		assert_int_equal(psk_identity_role(rows[i].identity, name, sizeof(name)),
		    rows[i].role);
		assert_string_equal(name, rows[i].name);
	}
}

/* What reads as an identity to a person: any case, blanks before, malformed rest. */
static void
tells_what_role_a_name_claims(void **state)
{
	static const struct {
		const char *text;
		enum psk_role role;
	} rows[] = {
		{ "delivery:wang@TA", PSK_ROLE_DELIVERY },
		{ "Delivery:wang@TA", PSK_ROLE_DELIVERY },
		{ "  DELIVERY:wang", PSK_ROLE_DELIVERY },
		{ "delivery:wang@TA ", PSK_ROLE_DELIVERY },
		{ "station:S02", PSK_ROLE_STATION },
		{ "township:330825101", PSK_ROLE_TOWNSHIP },
		{ "regulator:alice", PSK_ROLE_REGULATOR },
		{ "officer:li@TB", PSK_ROLE_OFFICER },
		{ "grid:dan@TB", PSK_ROLE_GRID },
		{ "OP-7", PSK_ROLE_NONE },
		{ "ZJ-OP-0188", PSK_ROLE_NONE },
		{ "wang@TA", PSK_ROLE_NONE },
		{ "delivery", PSK_ROLE_NONE },
		{ "x delivery:wang@TA", PSK_ROLE_NONE },
		{ "", PSK_ROLE_NONE },
		{ NULL, PSK_ROLE_NONE },
	};

	(void)state;
	for (int i = 0; rows[i].text != NULL; i++)
		if (psk_claimed_role(rows[i].text) != rows[i].role)
			fail_msg("row %d '%s': role %d, not %d", i, rows[i].text,
			    psk_claimed_role(rows[i].text), rows[i].role);
}

static void
refuses_identities_files_others_can_read(void **state)
{
	struct psk_table t;
	char err[256];
	const char *path;

	(void)state;
	path = write_file("ids", "station:S01 00112233445566778899aabbccddeeff\n", 0644);
	assert_int_equal(psk_load_identities(path, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "chmod 600"));
	chmod(path, 0600);
	assert_int_equal(psk_load_identities(path, &t, err, sizeof(err)), 0);
	assert_int_equal(t.count, 1);
	psk_table_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_an_owner_only_hex_key),
		cmocka_unit_test(refuses_key_files_others_can_read),
		cmocka_unit_test(refuses_keys_that_are_not_hex_or_too_short),
		cmocka_unit_test(says_what_is_wrong_with_a_key_file),
		cmocka_unit_test(parses_identities_and_finds_them),
		cmocka_unit_test(reports_identity_file_mistakes_with_line_numbers),
		cmocka_unit_test(splits_identities_into_roles),
		cmocka_unit_test(tells_what_role_a_name_claims),
		cmocka_unit_test(refuses_identities_files_others_can_read),
	};
	return cmocka_run_group_tests_name("psk", tests, setup, teardown);
}
