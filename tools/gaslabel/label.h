/*
 * label: renders what a cylinder label carries (docs/code-format.md,
 * "The printed label"): the QR symbol (libqrencode, error correction level
 * Q for scuffed labels) of the code or of its URL form, and under it, in
 * Chinese, the serial, the model, the owner company, its hotline and the
 * next inspection date.  A PNG label draws the words itself in a CJK font
 * (FreeType; the font found through fontconfig or named by the caller); an
 * SVG label leaves them to whatever shows it.  A UTF-8 half-block picture
 * of the symbol for a terminal.  Used only by gaslabel.
 */
#ifndef GASLABEL_LABEL_H
#define GASLABEL_LABEL_H

#include <stddef.h>
#include <stdio.h>

/* The printed facts; hotline and next_inspection may be "" (line left out). */
struct label_facts {
	const char *serial, *model, *owner, *hotline, *next_inspection;
};

/* A font for the PNG words: the file at path, or with path NULL the font
 * fontconfig offers for Simplified Chinese, refused when it has no Chinese
 * characters.  NULL with err on failure; label_font_close frees it. */
struct label_font;
struct label_font *label_font_open(const char *path, char *err, size_t errlen);
void label_font_close(struct label_font *font);
/* The file the font was loaded from. */
const char *label_font_file(const struct label_font *font);

/* Write the label files; 0 or -1 with err (a character the font lacks is
 * an error naming it, never a blank box).  qr is the text the symbol
 * carries (the code or its URL).  Files are written to a temporary name and
 * renamed, so a label is either whole or absent. */
int label_write_png(const char *path, const char *qr, const struct label_facts *facts,
    struct label_font *font, char *err, size_t errlen);
int label_write_svg(const char *path, const char *qr, const struct label_facts *facts, char *err,
    size_t errlen);
/* Print the QR symbol with half blocks; invert for light-background terminals. */
int label_print_terminal(FILE *fp, const char *qr, int invert, char *err, size_t errlen);

#endif
