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
