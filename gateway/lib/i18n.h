/*
 * i18n: operator-facing text in the operator's language (gettext).
 *
 * Messages a person at the fill line or on patrol reads (refusal reasons,
 * gasctl and gaswatch output, the words of a fill curve SVG) are written in English inside _("...")
 * and translated through the "gasgw" text domain: Simplified Chinese when the locale is zh_CN,
 * English otherwise.  Log lines are not translated (the people who read logs share one language
 * with the code).
 *
 * Catalogues come from tools/po/LANG.po, compiled into build/locale and
 * installed under PREFIX/share/locale; GAS_LOCALEDIR overrides the folder
 * (tests and `make demo` run from the build tree).
 */
#ifndef GAS_I18N_H
#define GAS_I18N_H

#include <libintl.h>
#include <locale.h>
#include <stddef.h>
#include <stdio.h>

#define _(text) gettext(text)
/* Marks text for translation where it is used later (tables). */
#define N_(text) (text)

/* setlocale from the environment and bind the text domain.  Idempotent. */
void i18n_init(void);

/*
 * A client's language, for a server that words its replies in it (gasctl's
 * requests to gasgw, docs/control-protocol.md "lang").  One locale name,
 * never a list: letters, digits and _ . @ - only, so that it can be neither
 * a path nor a LANGUAGE list, at most I18N_LANGUAGE_MAX bytes.
 */
#define I18N_LANGUAGE_MAX 63

/*
 * The language this process's gettext speaks in, as that one name, in
 * gettext's order: "C" when the LC_MESSAGES locale is C or POSIX (gettext
 * ignores LANGUAGE then); else, when LANGUAGE is set, its first entry with
 * a catalogue in the locale folder ("fr_FR:zh_CN" is "zh_CN"), or "C" when
 * a C entry or the list's end comes first (gettext speaks the English the
 * words are written in); else the LC_MESSAGES locale ("zh_CN.UTF-8").  ""
 * when that is a name i18n_language_ok refuses (the server then speaks its
 * own).  Call after i18n_init.
 */
void i18n_language(char out[I18N_LANGUAGE_MAX + 1]);

/* Pure: 1 if the len bytes at name are a language a client may send
 * (1..I18N_LANGUAGE_MAX bytes of [A-Za-z0-9_.@-]), else 0.  For untrusted
 * input: a NUL inside len is refused. */
int i18n_language_ok(const char *name, size_t len);

/*
 * Speaking a client's language in one thread, for one reply: a locale that
 * is the process's own but for LC_MESSAGES (numbers, times and character
 * classes stay the process's), put in force with uselocale(3), so that
 * other threads, and the records they word, keep the process's language.
 * i18n_speak_end puts back what the thread spoke before and frees it.
 */
struct i18n_speech {
	locale_t locale; /* ours to free; (locale_t)0 when none was made */
	locale_t before; /* the thread's locale before; (locale_t)0 when unchanged */
};

/*
 * This thread speaks language name until i18n_speak_end(speech).  name NULL:
 * the process's own language (a part of a reply that is a record's words).
 * Otherwise name is resolved as gettext resolves it, to the catalogue of
 * its language_TERRITORY@modifier, language_TERRITORY, language@modifier or
 * language installed in the locale folder ("zh_CN", "zh_CN.UTF-8" and
 * "zh_CN.GB18030" all take zh_CN's), and spoken through that catalogue's
 * installed locale (tried with ".UTF-8", the form locales are installed
 * in).  A name with no catalogue ("fr_FR", "en_US", "C") is spoken in the
 * English the words are written in, as the client's own gettext speaks it.
 * Returns 0, or -1 when name is not i18n_language_ok, or its catalogue has
 * no installed locale: the thread speaks as before.  *speech is to be ended
 * in both cases.  Thread-safe.  Only catalogue names are ever put to glibc,
 * each once (glibc keeps every name it is asked, found or not: i18n.c), so
 * that a client naming a new language with each request cannot grow the
 * server.
 */
int i18n_speak(const char *name, struct i18n_speech *speech);
void i18n_speak_end(struct i18n_speech *speech);

/*
 * For a server that speaks each client's language (gasgw), after i18n_init
 * and before any thread starts (it changes the environment): glibc's
 * gettext reads the LANGUAGE variable before any thread's locale, so a
 * LANGUAGE set for the server would outvote every client.  What gettext
 * would have read from it becomes the process's LC_MESSAGES (when the
 * process's messages are not C): the installed locale of its first entry
 * with a catalogue, or C (English) when a C entry or the list's end comes
 * first.  The variable is removed.  What was done is written to note (""
 * when LANGUAGE was not set), for the log.
 */
void i18n_serve_languages(char *note, size_t notelen);

/*
 * The columns UTF-8 text s takes on a terminal: two for each wide character
 * (CJK ideographs, kana, hangul, fullwidth forms: "待受理" is 6), one for
 * any other, whatever the locale; a byte that is no UTF-8 counts one.
 * printf's "%-8s" counts bytes, so a translated table header or word ran
 * its columns out of line.
 */
size_t i18n_width(const char *s);
/* Print s to f, then spaces up to width columns (none when s is wider); i18n_pad_left
 * the spaces first, for a column of numbers. */
void i18n_pad(FILE *f, const char *s, size_t width);
void i18n_pad_left(FILE *f, const char *s, size_t width);

#endif
