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
#include <stddef.h>
#include <stdio.h>

#define _(text) gettext(text)
/* Marks text for translation where it is used later (tables). */
#define N_(text) (text)

/* setlocale from the environment and bind the text domain.  Idempotent. */
void i18n_init(void);

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
