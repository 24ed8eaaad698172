/*
 * i18n: locale set-up for every binary that speaks to people.
 */
#include "i18n.h"

#include <locale.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#ifndef GAS_LOCALEDIR
#define GAS_LOCALEDIR "/usr/local/share/locale"
#endif

void
i18n_init(void)
{
	const char *dir = getenv("GAS_LOCALEDIR");

	setlocale(LC_ALL, "");
	/* Numbers stay in the C form ("14.90"): logs, CSV and JSON are read
	 * by programs as well as people. */
	setlocale(LC_NUMERIC, "C");
	bindtextdomain("gasgw", dir != NULL && dir[0] != '\0' ? dir : GAS_LOCALEDIR);
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

void
i18n_language(char out[I18N_LANGUAGE_MAX + 1])
{
	const char *name = setlocale(LC_MESSAGES, NULL), *language = getenv("LANGUAGE");
	size_t n;

	out[0] = '\0';
	if (name == NULL)
		name = "C";
	/* gettext's own order (glibc intl/dcigettext.c guess_category_value) */
	if (!messages_are_c() && language != NULL) {
		language += strspn(language, ":"); /* an empty entry is skipped */
		if (language[0] != '\0')
			name = language;
	}
	n = strcspn(name, ":");
	if (i18n_language_ok(name, n)) {
		memcpy(out, name, n);
		out[n] = '\0';
	}
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
 * The names clients asked to be spoken to in, each put to glibc once, with
 * the installed locale that served it ("" for none).  glibc keeps an entry
 * for every locale name newlocale is given, found or not, for the life of
 * the process, and walks them all at each new one: gasgw, sent 20,000
 * control requests each naming another language, grew by 15 MB and took
 * 10 ms for each new name by then, without end.  So only the first
 * I18N_NAMES_MAX names are ever tried; a later one is not spoken (the
 * process's own language answers, as for a name no locale has).
 */
#define I18N_NAMES_MAX 32

static struct {
	char name[I18N_LANGUAGE_MAX + 1];
	char used[I18N_LANGUAGE_MAX + 8];
} names[I18N_NAMES_MAX];
static size_t names_count;
static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;

/* The installed locale that serves i18n_language_ok name, into used: 0, or -1
 * when none does or name came after the first I18N_NAMES_MAX. */
static int
served_by(const char *name, char used[I18N_LANGUAGE_MAX + 8])
{
	locale_t made;
	size_t i;
	int rc = -1;

	pthread_mutex_lock(&names_lock);
	for (i = 0; i < names_count && strcmp(names[i].name, name) != 0; i++)
		continue;
	if (i == names_count && names_count < I18N_NAMES_MAX) {
		snprintf(names[i].name, sizeof(names[i].name), "%s", name);
		if ((made = messages_locale(name, names[i].used)) != (locale_t)0)
			freelocale(made);
		names_count++;
	}
	if (i < names_count && names[i].used[0] != '\0') {
		memcpy(used, names[i].used, sizeof(names[i].used));
		rc = 0;
	}
	pthread_mutex_unlock(&names_lock);
	return rc;
}

int
i18n_speak(const char *name, struct i18n_speech *speech)
{
	char used[I18N_LANGUAGE_MAX + 8];
	locale_t made;

	speech->locale = (locale_t)0;
	speech->before = (locale_t)0;
	if (name == NULL) {
		speech->before = uselocale(LC_GLOBAL_LOCALE);
		return 0;
	}
	if (!i18n_language_ok(name, strlen(name)) || served_by(name, used) == -1 ||
	    (made = with_messages_of(used)) == (locale_t)0)
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
	const char *env = getenv("LANGUAGE"), *p;
	char language[256], entry[I18N_LANGUAGE_MAX + 1], used[I18N_LANGUAGE_MAX + 8];
	locale_t made = (locale_t)0;
	size_t n;

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
	for (p = language; *p != '\0' && made == (locale_t)0; p += n + (p[n] == ':')) {
		n = strcspn(p, ":");
		if (!i18n_language_ok(p, n))
			continue;
		memcpy(entry, p, n);
		entry[n] = '\0';
		made = messages_locale(entry, used);
	}
	if (made != (locale_t)0) {
		freelocale(made);
		setlocale(LC_MESSAGES, used);
		snprintf(note, notelen, "LANGUAGE=%s taken as the messages locale %s", language,
		    used);
	} else {
		snprintf(note, notelen,
		    "LANGUAGE=%s names no installed locale; messages follow the locale %s",
		    language, setlocale(LC_MESSAGES, NULL));
	}
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
