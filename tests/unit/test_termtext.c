/*
 * termtext: a text another party wrote prints on one line with no control
 * byte a terminal would obey, whatever it holds; UTF-8 text (Chinese) is
 * kept byte for byte.  Tables of {input, expected} ending in a sentinel,
 * each failure naming its row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "casemsg.h"
#include "termtext.h"

struct row {
	const char *name;
	const char *in;
	const char *want;
};

static const struct row rows[] = {
	{ "plain text is kept", "backlog 0, all sent", "backlog 0, all sent" },
	{ "a line break and a forged row stay on the line",
	    "note\n  2026-12-06 12:00 +08:00  officer:wang@TA  closed",
	    "note   2026-12-06 12:00 +08:00  officer:wang@TA  closed" },
	{ "a carriage return", "ok\rforged", "ok forged" },
	{ "a tab", "a\tb", "a b" },
	{ "ESC starts no sequence", "x\x1b[2J\x1b]0;title\x07", "x [2J ]0;title " },
	{ "DEL", "a\x7f", "a " },
	{ "C1 CSI (U+009B) is one space",
	    "x\xc2\x9b"
	    "31mred",
	    "x 31mred" },
	{ "C1 NEL (U+0085) and U+0080", "a\xc2\x85z\xc2\x80", "a z " },
	{ "U+00A0, just past C1, is kept", "a\xc2\xa0z", "a\xc2\xa0z" },
	{ "Chinese is kept", "检验过期，已整改", "检验过期，已整改" },
	{ "a right-to-left override and its pop (U+202E, U+202C)",
	    "fine \xe2\x80\xae"
	    "005\xe2\x80\xac yuan",
	    "fine  005  yuan" },
	{ "the other embeddings and overrides (U+202A, U+202B, U+202D)",
	    "\xe2\x80\xaa"
	    "a\xe2\x80\xab"
	    "b\xe2\x80\xad"
	    "c",
	    " a b c" },
	{ "the isolates (U+2066..U+2069)", "\xe2\x81\xa6x\xe2\x81\xa7y\xe2\x81\xa8z\xe2\x81\xa9",
	    " x y z " },
	{ "line and paragraph separators (U+2028, U+2029)",
	    "a\xe2\x80\xa8"
	    "b\xe2\x80\xa9"
	    "c",
	    "a b c" },
	{ "their neighbours are kept: U+2027, U+202F, U+206A",
	    "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xaa", "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xaa" },
	{ "the marks LRM, RLM and ALM (U+200E, U+200F, U+061C): an RLM swaps two numbers",
	    "500\xe2\x80\x8f 100 a\xe2\x80\x8e"
	    "b\xd8\x9c"
	    "c",
	    "500  100 a b c" },
	{ "the marks' neighbours are kept: U+200D, U+2010, U+061B, U+061D",
	    "\xe2\x80\x8d\xe2\x80\x90\xd8\x9b\xd8\x9d",
	    "\xe2\x80\x8d\xe2\x80\x90\xd8\x9b\xd8\x9d" },
	{ "Chinese around a line break", "到达现场\n气瓶已扣留", "到达现场 气瓶已扣留" },
	{ "four-byte UTF-8 is kept", "ok \xf0\x9f\x94\xa5", "ok \xf0\x9f\x94\xa5" },
	{ "a byte 0xff",
	    "a\xff"
	    "b",
	    "a?b" },
	{ "a stray continuation byte", "\x80x", "?x" },
	{ "an overlong ESC (C0 9B) is two marks, no CSI",
	    "\xc0\x9b"
	    "31m",
	    "??31m" },
	{ "an overlong three-byte form", "\xe0\x80\x8a", "???" },
	{ "a surrogate", "\xed\xa0\x80", "???" },
	{ "beyond U+10FFFF", "\xf4\x90\x80\x80", "????" },
	{ "a lead byte F5", "\xf5\x80", "??" },
	{ "a character cut short at the end", "检\xe9\xaa", "检??" },
	{ "a character cut short by ASCII", "\xe6\xa3x", "??x" },
	{ NULL, NULL, NULL },
};

static void
each_row_is_cleaned_as_the_table_says(void **state)
{
	char out[256];
	const struct row *r;

	(void)state;
	for (r = rows; r->name != NULL; r++) {
		termtext_copy(out, r->in, sizeof(out));
		if (strcmp(out, r->want) != 0)
			fail_msg("row \"%s\": got \"%s\"", r->name, out);
		/* in place, and through the length form, the same */
		char again[256];

		snprintf(again, sizeof(again), "%s", r->in);
		termtext_copy(again, again, sizeof(again));
		if (strcmp(again, r->want) != 0)
			fail_msg("row \"%s\" in place: got \"%s\"", r->name, again);
		termtext_copy_n(again, sizeof(again), r->in, strlen(r->in));
		if (strcmp(again, r->want) != 0)
			fail_msg("row \"%s\" by length: got \"%s\"", r->name, again);
	}
}

/* A short buffer cuts before a character that does not fit whole, never inside one. */
static void
a_short_buffer_cuts_between_characters(void **state)
{
	static const struct {
		const char *in;
		size_t size;
		const char *want;
	} cuts[] = {
		{ "检验", 7, "检验" },
		{ "检验", 6, "检" },
		{ "检验", 4, "检" },
		{ "检验", 3, "" },
		{ "a\nb", 3, "a " },
		{ "x\xc2\x9by", 3, "x " },
		{ "abc", 1, "" },
		{ NULL, 0, NULL },
	};
	char out[16];
	size_t i;

	(void)state;
	for (i = 0; cuts[i].in != NULL; i++) {
		memset(out, 'Z', sizeof(out));
		termtext_copy(out, cuts[i].in, cuts[i].size);
		if (strcmp(out, cuts[i].want) != 0)
			fail_msg("cut %zu: got \"%s\"", i, out);
	}
	out[0] = 'Z';
	termtext_copy(out, "abc", 0); /* no room: nothing written */
	assert_int_equal(out[0], 'Z');
	termtext_copy_n(out, sizeof(out), "a\0b", 3); /* a NUL inside is a control */
	assert_string_equal(out, "a b");
}

/* 1 when text is UTF-8 on one line with no control (the county's own test of text,
 * casemsg_text_ok, which lets C1 through) and no C1 control either. */
static int
shows_safely(const char *text)
{
	const char *p;

	if (!casemsg_text_ok(text, strlen(text), 0))
		return 0;
	for (p = text; (p = strchr(p, '\xc2')) != NULL; p++) /* in UTF-8, only a lead byte */
		if ((unsigned char)p[1] <= 0x9f)
			return 0;
	return 1;
}

/* No two bytes, and no three of the bytes that matter, come out as a control or as bytes
 * that are not UTF-8 text. */
static void
no_input_leaves_a_control_or_a_broken_character(void **state)
{
	static const unsigned char some[] = { 0x00, 0x09, 0x0a, 0x0d, 0x1b, 0x20, 0x41, 0x7f, 0x80,
		0x85, 0x8f, 0x90, 0x9b, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe6, 0xed,
		0xef, 0xf0, 0xf4, 0xf5, 0xff };
	const size_t n = sizeof(some);
	char in[3], out[8];
	size_t a, b, c;

	(void)state;
	for (a = 0; a < 256; a++)
		for (b = 0; b < 256; b++) {
			in[0] = (char)a;
			in[1] = (char)b;
			if (!shows_safely(termtext_copy_n(out, sizeof(out), in, 2)))
				fail_msg("%02zx %02zx: \"%s\"", a, b, out);
		}
	for (a = 0; a < n; a++)
		for (b = 0; b < n; b++)
			for (c = 0; c < n; c++) {
				in[0] = (char)some[a];
				in[1] = (char)some[b];
				in[2] = (char)some[c];
				if (!shows_safely(termtext_copy_n(out, sizeof(out), in, 3)))
					fail_msg("%02x %02x %02x: \"%s\"", some[a], some[b],
					    some[c], out);
			}
}

/* A JSON answer's every string, at any depth, is cleaned; keys, numbers and clean strings are
 * left alone. */
/* termtext_text_ok, the county's rule for a text it takes (and a device's
 * before it records one): UTF-8, no control; line breaks and tabs in a
 * free text only. */
static void
a_text_the_county_takes_is_utf8_without_controls(void **state)
{
	static const struct {
		const char *text;
		int lines, ok;
	} cases[] = {
		{ "下宅村 3号", 0, 1 }, { "", 0, 1 },
		{ "\xcf\xc2\xd5\xac\xb4\xe5", 1, 0 }, /* 下宅村 in GBK */
		{ "A\xe4\xb9\xa1\xe4\xb9\xa1\xe4\xb9\xa1\xe4\xb9\xa1\xe4\xb9", 0, 0 }, /* cut */
		{ "line\none", 0, 0 }, { "line\none\ttab", 1, 1 }, { "esc\x1b[2J", 1, 0 },
		{ "del\x7f", 1, 0 }, { "\xc0\xaf", 0, 0 }, /* overlong */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (termtext_text_ok(cases[i].text, strlen(cases[i].text), cases[i].lines) !=
		    cases[i].ok)
			fail_msg("case %zu: expected %d", i, cases[i].ok);
	}
}

static void
every_string_of_a_json_answer_is_cleaned(void **state)
{
	json_error_t err;
	json_t *doc = json_loads("{\"case\":{\"title\":\"R20\\nforged row\",\"id\":7,"
	                         "\"place\":\"\\u009b31m东村\"},"
	                         "\"steps\":[{\"note\":\"a\\tb\\u0000c\"},\"\\u001b[2J\",\"ok\"],"
	                         "\"key\\nline\":\"\\u007f\"}",
	    JSON_ALLOW_NUL, &err);

	(void)state;
	assert_non_null(doc);
	assert_int_equal(termtext_json(doc), 0);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "case"), "title")),
	    "R20 forged row");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "case"), "place")), " 31m东村");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "case"), "id")),
	    7);
	assert_string_equal(json_string_value(json_object_get(
	                        json_array_get(json_object_get(doc, "steps"), 0), "note")),
	    "a b c");
	assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "steps"), 1)),
	    " [2J");
	assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "steps"), 2)),
	    "ok");
	/* a key is the caller's to clean when it prints one */
	assert_string_equal(json_string_value(json_object_get(doc, "key\nline")), " ");
	assert_int_equal(termtext_json(NULL), 0);
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_row_is_cleaned_as_the_table_says),
		cmocka_unit_test(a_short_buffer_cuts_between_characters),
		cmocka_unit_test(no_input_leaves_a_control_or_a_broken_character),
		cmocka_unit_test(every_string_of_a_json_answer_is_cleaned),
		cmocka_unit_test(a_text_the_county_takes_is_utf8_without_controls),
	};
	return cmocka_run_group_tests_name("termtext", tests, NULL, NULL);
}
