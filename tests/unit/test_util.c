/*
 * util: calendar arithmetic (inspection due dates and service life depend
 * on it), ISO UTC text and hex, as tables of {input, expected}; and i18n:
 * the width of translated text, and the language a client sends and a
 * server speaks for one reply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <langinfo.h>
#include <locale.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "log.h"
#include "util.h"

static void
dates_round_trip_through_day_numbers(void **state)
{
	static const struct {
		const char *text;
		int32_t days;
	} rows[] = {
		{ "1970-01-01", 0 },
		{ "2000-02-29", 11016 },
		{ "2021-03-02", 18688 },
		{ "2025-03-02", 20149 },
		{ "1969-12-31", -1 },
		{ NULL, 0 },
	};

	(void)state;
	for (int i = 0; rows[i].text != NULL; i++) {
		int32_t d;
		char back[11];

		assert_int_equal(date_parse(rows[i].text, &d), 0);
		assert_int_equal(d, rows[i].days);
		date_format(d, back);
		assert_string_equal(back, rows[i].text);
	}
}

static void
refuses_dates_that_do_not_exist(void **state)
{
	static const char *bad[] = { "2023-02-29", "2021-13-01", "2021-04-31", "2021-4-1",
		"20210401", "2021-04-01x", "", "abcd-ef-gh", NULL };
	int32_t d;

	(void)state;
	for (int i = 0; bad[i] != NULL; i++)
		if (date_parse(bad[i], &d) != -1)
			fail_msg("accepted '%s'", bad[i]);
}

static void
month_only_dates_mean_the_first(void **state)
{
	int32_t a, b;

	(void)state;
	assert_int_equal(date_parse("2019-07", &a), 0);
	assert_int_equal(date_parse("2019-07-01", &b), 0);
	assert_int_equal(a, b);
}

static void
iso_utc_text_for_programs(void **state)
{
	char text[32];

	(void)state;
	/* 2026-11-26T13:43:17Z */
	time_format_iso(INT64_C(1795700597000) + 123, text);
	assert_string_equal(text, "2026-11-26T13:43:17.123Z");
	time_format_iso(INT64_C(1795651200000), text);
	assert_string_equal(text, "2026-11-26T00:00:00.000Z");
	time_format_iso(-1, text);
	assert_string_equal(text, "1969-12-31T23:59:59.999Z");
}

static void
hex_round_trips_and_refuses_bad_digits(void **state)
{
	const uint8_t in[] = { 0x00, 0x7f, 0xab, 0xff };
	uint8_t out[4];
	char text[9];

	(void)state;
	hex_encode(in, sizeof(in), text);
	assert_string_equal(text, "007fabff");
	assert_int_equal(hex_decode("007FABFF", out, sizeof(out)), 0);
	assert_memory_equal(in, out, sizeof(in));
	assert_int_equal(hex_decode("007fabf", out, sizeof(out)), -1);
	assert_int_equal(hex_decode("007fabffee", out, sizeof(out)), -1);
	assert_int_equal(hex_decode("007fabfg", out, sizeof(out)), -1);
}

static void
bounded_copy_always_terminates(void **state)
{
	char small[4];

	(void)state;
	assert_int_equal(str_copy(small, "abcdef", sizeof(small)), 6);
	assert_string_equal(small, "abc");
}

/*
 * A log message is one line whatever it quotes: a station's text with a line break or an
 * escape sequence, quoted in a refusal ("refused batch: ... result '...'"), cannot forge
 * another line of the log (journald splits a daemon's standard error at each line break)
 * or reach the terminal of whoever reads it; UTF-8 text is kept as it is.
 */
static void
a_log_message_is_one_line(void **state)
{
	char buf[512];
	FILE *f = tmpfile();
	int saved = dup(2), lines = 0;
	size_t n, i;

	(void)state;
	assert_non_null(f);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(f), 2) >= 0);
	log_init("test_util", 1, LOG_LEVEL_INFO);
	log_warnx("refused batch: result '%s'",
	    "ok\n06:00:00 gascounty: reload: in force\x1b[2K\r\tx\x7f\xc2\x9b"
	    "2J\xc2\x85.");
	log_info("fine: %s", "检验过期");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	for (i = 0; i < n; i++) {
		lines += buf[i] == '\n';
		assert_false(buf[i] != '\n' && ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f));
		/* nor C1 (U+009B is CSI on xterm and VTE) */
		assert_false((unsigned char)buf[i] == 0xc2 && i + 1 < n &&
		             (unsigned char)buf[i + 1] >= 0x80 &&
		             (unsigned char)buf[i + 1] <= 0x9f);
	}
	assert_int_equal(lines, 2);
	assert_non_null(
	    strstr(buf, "result 'ok?06:00:00 gascounty: reload: in force?[2K??x???2J??.'"));
	assert_non_null(strstr(buf, "fine: 检验过期\n"));
}

/* A table's columns by what a terminal draws: a Chinese word two columns a character. */
static void
text_width_counts_wide_characters_twice(void **state)
{
	char buf[64];
	FILE *f;
	size_t n;

	(void)state;
	assert_int_equal(i18n_width(""), 0);
	assert_int_equal(i18n_width("ID"), 2);
	assert_int_equal(i18n_width("待受理"), 6);
	assert_int_equal(i18n_width("告警 R05"), 8);
	assert_int_equal(i18n_width("（全角）"), 8);   /* fullwidth brackets */
	assert_int_equal(i18n_width("café"), 4);       /* two bytes, one column */
	assert_int_equal(i18n_width("\xff\xfeok"), 4); /* no UTF-8: a column a byte */
	assert_int_equal(i18n_width("\xe5\xbe"), 2);   /* cut short */
	f = tmpfile();
	assert_non_null(f);
	i18n_pad(f, "状态", 6);
	fputc('|', f);
	i18n_pad(f, "longer than it", 4);
	fputc('|', f);
	i18n_pad_left(f, "开", 4);
	fputc('|', f);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_string_equal(buf, "状态  |longer than it|  开|");
}

static void
a_language_is_one_locale_name_and_nothing_else(void **state)
{
	static const struct {
		const char *name;
		size_t len; /* 0: strlen */
		int ok;
	} rows[] = {
		{ "zh_CN.UTF-8", 0, 1 },
		{ "zh_CN", 0, 1 },
		{ "C", 0, 1 },
		{ "sr_RS@latin", 0, 1 },
		{ "en-GB", 0, 1 },
		{ "", 0, 0 },
		{ "zh_CN:en", 0, 0 },    /* a LANGUAGE list, not a name */
		{ "../../tmp/x", 0, 0 }, /* a path */
		{ "zh CN", 0, 0 },       /* a space */
		{ "zh_CN\n", 0, 0 },     /* a line break */
		{ "zh\0CN", 5, 0 },      /* a NUL inside */
		{ "中文", 0, 0 },        /* only ASCII */
		{ "zh_CN.UTF-8", 5, 1 }, /* the first len bytes are what counts */
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0,
		    1 }, /* 63 */
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0,
		    0 }, /* 64 */
		{ NULL, 0, 0 },
	};

	(void)state;
	for (int i = 0; rows[i].name != NULL; i++) {
		size_t len = rows[i].len ? rows[i].len : strlen(rows[i].name);

		if (i18n_language_ok(rows[i].name, len) != rows[i].ok)
			fail_msg("row %d (%s): expected %d", i, rows[i].name, rows[i].ok);
	}
	assert_int_equal(i18n_language_ok(NULL, 2), 0);
}

/* The catalogues this build made (build/locale), bound as gasgw binds them. */
static void
bind_the_builds_catalogues(void)
{
	const char *build = getenv("BUILD");
	char dir[4096];

	assert_non_null(build);
	snprintf(dir, sizeof(dir), "%s/locale", build);
	setenv("GAS_LOCALEDIR", dir, 1);
	unsetenv("LANGUAGE");
	i18n_init();
}

/* What a client sends is what its own gettext speaks: LANGUAGE's first entry with a
 * catalogue unless the messages locale is C, where gettext ignores LANGUAGE; a C entry,
 * or no entry with a catalogue, is English. */
static void
the_language_sent_is_the_one_gettext_speaks(void **state)
{
	char lang[I18N_LANGUAGE_MAX + 1];
	char *saved = setlocale(LC_MESSAGES, NULL);
	char was[64];

	(void)state;
	snprintf(was, sizeof(was), "%s", saved != NULL ? saved : "C");
	bind_the_builds_catalogues();
	assert_non_null(setlocale(LC_MESSAGES, "C"));
	setenv("LANGUAGE", "zh_CN:en", 1);
	i18n_language(lang);
	assert_string_equal(lang, "C");
	assert_non_null(setlocale(LC_MESSAGES, "C.UTF-8"));
	i18n_language(lang);
	assert_string_equal(lang, "zh_CN");
	setenv("LANGUAGE", ":zh_CN", 1); /* an empty entry is skipped, as gettext does */
	i18n_language(lang);
	assert_string_equal(lang, "zh_CN");
	setenv("LANGUAGE", "../x:zh_CN", 1); /* no name, no catalogue: the next entry */
	i18n_language(lang);
	assert_string_equal(lang, "zh_CN");
	setenv("LANGUAGE", "fr_FR:zh_CN", 1); /* gettext reads the first it has */
	i18n_language(lang);
	assert_string_equal(lang, "zh_CN");
	setenv("LANGUAGE", "fr_FR:C:zh_CN", 1); /* a C entry ends the search */
	i18n_language(lang);
	assert_string_equal(lang, "C");
	setenv("LANGUAGE", "fr_FR:de", 1); /* none: English, and so is gasctl's own */
	i18n_language(lang);
	assert_string_equal(lang, "C");
	assert_string_equal(gettext("no line %d"), "no line %d");
	unsetenv("LANGUAGE");
	i18n_language(lang);
	assert_string_equal(lang, "C.UTF-8");
	setlocale(LC_MESSAGES, was);
}

/* A name that is no name changes nothing; one that is changes this thread's messages
 * only, until the speech ends. */
static void
speaking_a_language_is_for_this_thread_until_it_ends(void **state)
{
	struct i18n_speech speech, own;
	locale_t before = uselocale((locale_t)0);
	char codeset[64];

	(void)state;
	bind_the_builds_catalogues();
	snprintf(codeset, sizeof(codeset), "%s", nl_langinfo(CODESET));
	assert_int_equal(i18n_speak("../../etc/passwd", &speech), -1);
	i18n_speak_end(&speech);
	assert_true(uselocale((locale_t)0) == before);
	assert_int_equal(i18n_speak("zh_CN:en", &speech), -1); /* a list, not a name */
	i18n_speak_end(&speech);
	assert_true(uselocale((locale_t)0) == before);

	assert_int_equal(i18n_speak("zh_CN.UTF-8", &speech), 0);
	assert_true(uselocale((locale_t)0) != before);
	assert_string_equal(gettext("no line %d"), "没有充装线 %d");
	/* the messages only: the character set is still the process's */
	assert_string_equal(nl_langinfo_l(CODESET, speech.locale), codeset);
	/* the process's own, inside a client's (a record's words) */
	assert_int_equal(i18n_speak(NULL, &own), 0);
	assert_true(uselocale((locale_t)0) == LC_GLOBAL_LOCALE);
	i18n_speak_end(&own);
	assert_true(uselocale((locale_t)0) == speech.locale);
	i18n_speak_end(&speech);
	assert_true(uselocale((locale_t)0) == before);
	/* LANGUAGE's bare "C" form: "C" is always there */
	assert_int_equal(i18n_speak("C", &speech), 0);
	assert_string_equal(gettext("no line %d"), "no line %d");
	i18n_speak_end(&speech);
	assert_true(uselocale((locale_t)0) == before);
}

/* A language with no catalogue is spoken as gettext would speak it, in the English the
 * words are written in, whatever the server's own language: what the client's own
 * gasctl prints beside the reply. */
static void
a_language_without_a_catalogue_reads_english(void **state)
{
	struct i18n_speech speech;
	char *saved = setlocale(LC_MESSAGES, NULL);
	char was[64];

	(void)state;
	snprintf(was, sizeof(was), "%s", saved != NULL ? saved : "C");
	bind_the_builds_catalogues();
	assert_non_null(setlocale(LC_MESSAGES, "zh_CN.UTF-8")); /* the server speaks Chinese */
	assert_string_equal(gettext("no line %d"), "没有充装线 %d");
	const char *english[] = { "fr_FR.UTF-8", "en_US", "zh_TW", "xx_NOWHERE", "zh", "C.UTF-8" };
	for (size_t i = 0; i < sizeof(english) / sizeof(english[0]); i++) {
		assert_int_equal(i18n_speak(english[i], &speech), 0);
		if (strcmp(gettext("no line %d"), "no line %d") != 0)
			fail_msg("%s was spoken as \"%s\"", english[i], gettext("no line %d"));
		i18n_speak_end(&speech);
	}
	/* the catalogue of zh_CN, however the name is written */
	const char *chinese[] = { "zh_CN", "zh_CN.UTF-8", "zh_CN.utf8", "zh_CN.GB18030" };
	for (size_t i = 0; i < sizeof(chinese) / sizeof(chinese[0]); i++) {
		assert_int_equal(i18n_speak(chinese[i], &speech), 0);
		if (strcmp(gettext("no line %d"), "没有充装线 %d") != 0)
			fail_msg("%s was spoken as \"%s\"", chinese[i], gettext("no line %d"));
		i18n_speak_end(&speech);
	}
	setlocale(LC_MESSAGES, was);
}

/* A server's LANGUAGE is folded into its messages locale and removed, so that no
 * variable outvotes the language each request asks for. */
static void
a_servers_language_variable_is_folded_and_removed(void **state)
{
	char note[256], was[64];
	char *saved = setlocale(LC_MESSAGES, NULL);

	(void)state;
	snprintf(was, sizeof(was), "%s", saved != NULL ? saved : "C");
	unsetenv("LANGUAGE");
	i18n_serve_languages(note, sizeof(note));
	assert_string_equal(note, "");

	/* gettext would read the first entry with a catalogue: so does the server */
	bind_the_builds_catalogues();
	assert_non_null(setlocale(LC_MESSAGES, "C.UTF-8"));
	setenv("LANGUAGE", "xx_NOWHERE:fr_FR:zh_CN", 1);
	i18n_serve_languages(note, sizeof(note));
	assert_null(getenv("LANGUAGE"));
	assert_string_equal(setlocale(LC_MESSAGES, NULL), "zh_CN.UTF-8");
	assert_non_null(strstr(note, "taken as the messages locale zh_CN.UTF-8"));
	assert_string_equal(gettext("no line %d"), "没有充装线 %d");

	/* no entry with a catalogue, or a C entry first: gettext would speak English */
	setenv("LANGUAGE", "xx_NOWHERE", 1);
	i18n_serve_languages(note, sizeof(note));
	assert_null(getenv("LANGUAGE"));
	assert_string_equal(setlocale(LC_MESSAGES, NULL), "C");
	assert_non_null(strstr(note, "English"));
	assert_non_null(setlocale(LC_MESSAGES, "zh_CN.UTF-8"));
	setenv("LANGUAGE", "C:zh_CN", 1);
	i18n_serve_languages(note, sizeof(note));
	assert_string_equal(setlocale(LC_MESSAGES, NULL), "C");
	assert_string_equal(gettext("no line %d"), "no line %d");

	assert_non_null(setlocale(LC_MESSAGES, "C"));
	setenv("LANGUAGE", "C.UTF-8", 1);
	i18n_serve_languages(note, sizeof(note));
	assert_null(getenv("LANGUAGE"));
	assert_string_equal(setlocale(LC_MESSAGES, NULL), "C"); /* gettext ignored it: still so */
	setlocale(LC_MESSAGES, was);
}

/*
 * A client that names a new language with each request (gasctl's "lang" is
 * anyone's on the control socket) cannot grow the server: glibc keeps every
 * locale name newlocale is given, found or not, so only the names of the
 * catalogues installed are ever put to it.  Nor can it use up the names the
 * server looks up: a language nobody asked for before is spoken after the
 * flood.  Last in this file: it leaves the process's catalogue table filled.
 */
static void
a_client_naming_new_languages_cannot_grow_the_server(void **state)
{
	struct i18n_speech speech;
	struct mallinfo2 before, after;
	char name[I18N_LANGUAGE_MAX + 1];
	size_t grown;

	(void)state;
	bind_the_builds_catalogues();
	assert_int_equal(i18n_speak("C.UTF-8", &speech), 0); /* asked before the flood */
	i18n_speak_end(&speech);
	before = mallinfo2();
	for (int i = 0; i < 3000; i++) {
		/* names of every shape a locale has: xx_NNN..., ab_CD.UTF-8@mod */
		if (i % 2 == 0)
			snprintf(name, sizeof(name), "xx_%060d", i);
		else
			snprintf(name, sizeof(name), "%c%c_%c%c.UTF-8@m%d", 'a' + i % 26,
			    'a' + i / 26 % 26, 'A' + i % 23, 'A' + i / 23 % 26, i);
		assert_int_equal(i18n_speak(name, &speech), 0); /* no catalogue: English */
		i18n_speak_end(&speech);
	}
	after = mallinfo2();
	grown = after.uordblks > before.uordblks ? after.uordblks - before.uordblks : 0;
	/* 3000 names kept by glibc were 2.2 MB (760 bytes each) */
	if (grown > 64 * 1024)
		fail_msg("3000 language names grew the heap by %zu bytes", grown);
	/* a language asked for before, and one asked for the first time, are spoken */
	assert_int_equal(i18n_speak("C.UTF-8", &speech), 0);
	assert_true(uselocale((locale_t)0) == speech.locale);
	i18n_speak_end(&speech);
	assert_int_equal(i18n_speak("zh_CN", &speech), 0);
	assert_string_equal(gettext("no line %d"), "没有充装线 %d");
	i18n_speak_end(&speech);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dates_round_trip_through_day_numbers),
		cmocka_unit_test(refuses_dates_that_do_not_exist),
		cmocka_unit_test(month_only_dates_mean_the_first),
		cmocka_unit_test(iso_utc_text_for_programs),
		cmocka_unit_test(hex_round_trips_and_refuses_bad_digits),
		cmocka_unit_test(bounded_copy_always_terminates),
		cmocka_unit_test(a_log_message_is_one_line),
		cmocka_unit_test(text_width_counts_wide_characters_twice),
		cmocka_unit_test(a_language_is_one_locale_name_and_nothing_else),
		cmocka_unit_test(the_language_sent_is_the_one_gettext_speaks),
		cmocka_unit_test(speaking_a_language_is_for_this_thread_until_it_ends),
		cmocka_unit_test(a_language_without_a_catalogue_reads_english),
		cmocka_unit_test(a_servers_language_variable_is_folded_and_removed),
		cmocka_unit_test(a_client_naming_new_languages_cannot_grow_the_server),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
