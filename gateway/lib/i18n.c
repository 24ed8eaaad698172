/*
 * i18n: locale set-up for every binary that speaks to people.
 */
#include "i18n.h"

#include <locale.h>
#include <stdlib.h>

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
