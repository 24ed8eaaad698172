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

#define _(text) gettext(text)
/* Marks text for translation where it is used later (tables). */
#define N_(text) (text)

/* setlocale from the environment and bind the text domain.  Idempotent. */
void i18n_init(void);

#endif
