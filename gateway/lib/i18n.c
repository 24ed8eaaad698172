/*
 * i18n: locale set-up for every binary that speaks to people.
 */
#include "i18n.h"

#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef GAS_LOCALEDIR
#define GAS_LOCALEDIR "/usr/local/share/locale"
#endif

/* The folder i18n_init bound the text domain to. */
static char localedir[4096];

void
i18n_init(void)
{
	const char *dir = getenv("GAS_LOCALEDIR");

	snprintf(localedir, sizeof(localedir), "%s",
	    dir != NULL && dir[0] != '\0' ? dir : GAS_LOCALEDIR);
	setlocale(LC_ALL, "");
	/* Numbers stay in the C form ("14.90"): logs, CSV and JSON are read
	 * by programs as well as people. */
	setlocale(LC_NUMERIC, "C");
	bindtextdomain("gasgw", localedir);
	bind_textdomain_codeset("gasgw", "UTF-8");
	textdomain("gasgw");
}

int
i18n_language_ok(const char *name, size_t len)
{
	size_t i;

	if (name == NULL || len == 0 || len > I18N_LANGUAGE_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		        c == '_' || c == '.' || c == '@' || c == '-'))
			return 0;
	}
	return 1;
}

/* 1 if the messages locale is C (or POSIX, its other name): gettext then
 * translates nothing and ignores LANGUAGE. */
static int
messages_are_c(void)
{
	const char *messages = setlocale(LC_MESSAGES, NULL);

	return messages == NULL || strcmp(messages, "C") == 0 || strcmp(messages, "POSIX") == 0;
}

/* A locale that is the process's own but for LC_MESSAGES, which is the
 * installed locale name's; (locale_t)0 when there is none. */
static locale_t
with_messages_of(const char *name)
{
	locale_t base, made;

	if ((base = duplocale(LC_GLOBAL_LOCALE)) == (locale_t)0)
		return (locale_t)0;
	/* newlocale takes base over when it succeeds, leaves it when not */
	if ((made = newlocale(LC_MESSAGES_MASK, name, base)) == (locale_t)0)
		freelocale(base);
	return made;
}

/*
 * with_messages_of(name), where a name without a codeset is tried again with
 * ".UTF-8" before any "@modifier".  The name that served is written to used
 * ("" when none did).
 */
static locale_t
messages_locale(const char *name, char used[I18N_LANGUAGE_MAX + 8])
{
	const char *at;
	locale_t made;
	int tries, t;
	size_t n;

	tries = strchr(name, '.') == NULL ? 2 : 1;
	for (t = 0; t < tries; t++) {
		if (t == 0) {
			snprintf(used, I18N_LANGUAGE_MAX + 8, "%s", name);
		} else {
			at = strchr(name, '@');
			n = at != NULL ? (size_t)(at - name) : strlen(name);
			snprintf(used, I18N_LANGUAGE_MAX + 8, "%.*s.UTF-8%s", (int)n, name,
			    at != NULL ? at : "");
		}
		if ((made = with_messages_of(used)) != (locale_t)0)
			return made;
	}
	used[0] = '\0';
	return (locale_t)0;
}

/*
 * The catalogues clients are spoken to from, each put to glibc once, with
 * the installed locale that served it ("" for none).  glibc keeps an entry
 * for every locale name newlocale is given, found or not, for the life of
 * the process, and walks them all at each new one: gasgw, sent 20,000
 * control requests each naming another language, grew by 15 MB and took
 * 10 ms for each new name by then, without end.  So a client's name is
 * first resolved to a catalogue installed in the locale folder (a set the
 * administrator made, not the client), and only that catalogue's name is
 * ever put to glibc.  I18N_CATALOGUES_MAX bounds the table should the
 * folder hold more.
 */
#define I18N_CATALOGUES_MAX 32

static struct {
	char name[I18N_LANGUAGE_MAX + 1];
	char used[I18N_LANGUAGE_MAX + 8];
} catalogues[I18N_CATALOGUES_MAX];
static size_t catalogues_count;
static pthread_mutex_t catalogues_lock = PTHREAD_MUTEX_INITIALIZER;

/* 1 if the len bytes at s are n_min..n_max characters of class ok. */
static int
span_of(const char *s, size_t len, size_t n_min, size_t n_max, int (*ok)(int))
{
	size_t i;

	if (len < n_min || len > n_max)
		return 0;
	for (i = 0; i < len; i++)
		if (!ok((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_upper_or_digit(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int
is_modifier(int c)
{
	return is_lower(c) || (c >= '0' && c <= '9');
}

/* 1 if the text domain has a catalogue for locale folder name dir. */
static int
catalogue_installed(const char *dir)
{
	char path[sizeof(localedir) + 2 * I18N_LANGUAGE_MAX + 32];

	if (localedir[0] == '\0')
		return 0;
	snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES/gasgw.mo", localedir, dir);
	return access(path, R_OK) == 0;
}

/*
 * The catalogue gettext would take for i18n_language_ok name, into dir: the
 * folder of language_TERRITORY@modifier, language_TERRITORY,
 * language@modifier or language, the first installed (the codeset plays no
 * part: every catalogue is written in UTF-8).  1, or 0 when none is (the
 * words are then the English they are written in), dir "".
 */
static int
catalogue_for(const char *name, char dir[I18N_LANGUAGE_MAX + 1])
{
	size_t lang = strcspn(name, "_.@"), terr = 0, mod = 0;
	const char *t = NULL, *m = strchr(name, '@');
	int tries;

	dir[0] = '\0';
	if (!span_of(name, lang, 2, 3, is_lower))
		return 0;
	if (name[lang] == '_') {
		t = name + lang + 1;
		terr = strcspn(t, ".@");
		if (!span_of(t, terr, 2, 3, is_upper_or_digit))
			t = NULL;
	}
	if (m != NULL) {
		mod = strlen(++m);
		if (!span_of(m, mod, 1, 16, is_modifier))
			m = NULL;
	}
	for (tries = 0; tries < 4; tries++) {
		int with_terr = tries < 2, with_mod = tries % 2 == 0;

		if ((with_terr && t == NULL) || (with_mod && m == NULL))
			continue;
		snprintf(dir, I18N_LANGUAGE_MAX + 1, "%.*s%s%.*s%s%.*s", (int)lang, name,
		    with_terr ? "_" : "", with_terr ? (int)terr : 0, with_terr ? t : "",
		    with_mod ? "@" : "", with_mod ? (int)mod : 0, with_mod ? m : "");
		if (catalogue_installed(dir))
			return 1;
	}
	dir[0] = '\0';
	return 0;
}

/* 1 if a LANGUAGE entry is C or POSIX: gettext stops there and speaks the
 * words as written (glibc intl/dcigettext.c). */
static int
entry_is_c(const char *entry)
{
	return strcmp(entry, "C") == 0 || strcmp(entry, "POSIX") == 0;
}

/*
 * The entry of the LANGUAGE list language that gettext speaks (glibc
 * intl/dcigettext.c): the first i18n_language_ok one with a catalogue, into
 * entry, and its catalogue folder into dir: 1.  0 when a C entry or the
 * list's end comes first (the words as written), entry "C", dir "".
 */
static int
gettext_entry(const char *language, char entry[I18N_LANGUAGE_MAX + 1],
    char dir[I18N_LANGUAGE_MAX + 1])
{
	const char *p;
	size_t n;

	for (p = language; *p != '\0'; p += n + (p[n] == ':')) {
		n = strcspn(p, ":");
		if (!i18n_language_ok(p, n))
			continue; /* an empty entry, or no name: no catalogue */
		memcpy(entry, p, n);
		entry[n] = '\0';
		if (entry_is_c(entry))
			break;
		if (catalogue_for(entry, dir))
			return 1;
	}
	snprintf(entry, I18N_LANGUAGE_MAX + 1, "C");
	dir[0] = '\0';
	return 0;
}

void
i18n_language(char out[I18N_LANGUAGE_MAX + 1])
{
	const char *name = setlocale(LC_MESSAGES, NULL), *language = getenv("LANGUAGE");
	char dir[I18N_LANGUAGE_MAX + 1];
	size_t n;

	out[0] = '\0';
	if (name == NULL)
		name = "C";
	/* gettext's own order (guess_category_value): LANGUAGE, when the
	 * messages locale is not C, else the messages locale */
	if (!messages_are_c() && language != NULL && language[strspn(language, ":")] != '\0') {
		(void)gettext_entry(language, out, dir);
		return;
	}
	n = strlen(name);
	if (i18n_language_ok(name, n))
		memcpy(out, name, n + 1);
}

/* The installed locale that serves catalogue folder dir, into used: 0, or
 * -1 when none does (or the table is full). */
static int
served_by(const char *dir, char used[I18N_LANGUAGE_MAX + 8])
{
	locale_t made;
	size_t i;
	int rc = -1;

	pthread_mutex_lock(&catalogues_lock);
	for (i = 0; i < catalogues_count && strcmp(catalogues[i].name, dir) != 0; i++)
		continue;
	if (i == catalogues_count && catalogues_count < I18N_CATALOGUES_MAX) {
		snprintf(catalogues[i].name, sizeof(catalogues[i].name), "%s", dir);
		if ((made = messages_locale(dir, catalogues[i].used)) != (locale_t)0)
			freelocale(made);
		catalogues_count++;
	}
	if (i < catalogues_count && catalogues[i].used[0] != '\0') {
		memcpy(used, catalogues[i].used, sizeof(catalogues[i].used));
		rc = 0;
	}
	pthread_mutex_unlock(&catalogues_lock);
	return rc;
}

int
i18n_speak(const char *name, struct i18n_speech *speech)
{
	char dir[I18N_LANGUAGE_MAX + 1], used[I18N_LANGUAGE_MAX + 8];
	locale_t made;

	speech->locale = (locale_t)0;
	speech->before = (locale_t)0;
	if (name == NULL) {
		speech->before = uselocale(LC_GLOBAL_LOCALE);
		return 0;
	}
	if (!i18n_language_ok(name, strlen(name)))
		return -1;
	if (catalogue_for(name, dir)) {
		if (served_by(dir, used) == -1)
			return -1;
	} else {
		snprintf(used, sizeof(used), "C"); /* no catalogue: the words as written */
	}
	if ((made = with_messages_of(used)) == (locale_t)0)
		return -1;
	speech->locale = made;
	speech->before = uselocale(made);
	return 0;
}

void
i18n_speak_end(struct i18n_speech *speech)
{
	if (speech->before != (locale_t)0)
		uselocale(speech->before);
	if (speech->locale != (locale_t)0)
		freelocale(speech->locale);
	speech->locale = (locale_t)0;
	speech->before = (locale_t)0;
}

void
i18n_serve_languages(char *note, size_t notelen)
{
	const char *env = getenv("LANGUAGE");
	char language[256], entry[I18N_LANGUAGE_MAX + 1], used[I18N_LANGUAGE_MAX + 8];
	char dir[I18N_LANGUAGE_MAX + 1];
	locale_t made;

	note[0] = '\0';
	if (env == NULL)
		return;
	snprintf(language, sizeof(language), "%s", env);
	unsetenv("LANGUAGE");
	if (language[0] == '\0')
		return;
	if (messages_are_c()) {
		snprintf(note, notelen,
		    "LANGUAGE=%s set aside: the messages locale is C, which gettext keeps "
		    "untranslated",
		    language);
		return;
	}
	/* what gettext would have read: a catalogue's locale, or C (English) */
	snprintf(used, sizeof(used), "C");
	if (gettext_entry(language, entry, dir)) {
		if ((made = messages_locale(dir, used)) == (locale_t)0) {
			snprintf(note, notelen,
			    "LANGUAGE=%s: the catalogue %s has no installed locale; messages "
			    "follow the locale %s",
			    language, dir, setlocale(LC_MESSAGES, NULL));
			return;
		}
		freelocale(made);
	}
	setlocale(LC_MESSAGES, used);
	snprintf(note, notelen, "LANGUAGE=%s taken as the messages locale %s%s", language, used,
	    strcmp(used, "C") == 0 ? " (no entry before it has a catalogue: English)" : "");
}

/* 1 if code point c is drawn two columns wide (East Asian Wide and Fullwidth, the ranges a
 * Chinese table meets). */
static int
wide(unsigned long c)
{
	return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) ||
	       (c >= 0x3041 && c <= 0x33ff) || (c >= 0x3400 && c <= 0x4dbf) ||
	       (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) ||
	       (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	       (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	       (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd);
}

size_t
i18n_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t cols = 0;

	while (*p != '\0') {
		unsigned long c;
		int n, i;

		if (*p < 0x80) {
			cols++;
			p++;
			continue;
		}
		n = (*p & 0xe0) == 0xc0   ? 1
		    : (*p & 0xf0) == 0xe0 ? 2
		    : (*p & 0xf8) == 0xf0 ? 3
		                          : -1;
		c = n == 1 ? (*p & 0x1fu) : n == 2 ? (*p & 0x0fu) : (*p & 0x07u);
		for (i = 1; n > 0 && i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80) {
				n = -1;
				break;
			}
			c = (c << 6) | (p[i] & 0x3fu);
		}
		if (n < 0) { /* no UTF-8 here: one column for the byte */
			cols++;
			p++;
			continue;
		}
		cols += wide(c) ? 2 : 1;
		p += n + 1;
	}
	return cols;
}

void
i18n_pad(FILE *f, const char *s, size_t width)
{
	size_t w = i18n_width(s);

	fputs(s, f);
	for (; w < width; w++)
		fputc(' ', f);
}

void
i18n_pad_left(FILE *f, const char *s, size_t width)
{
	size_t w = i18n_width(s);

	for (; w < width; w++)
		fputc(' ', f);
	fputs(s, f);
}
