/*
 * label: renders a cylinder code as a QR code (libqrencode, alphanumeric mode,
 * error correction level Q for scuffed labels): a PNG label and an SVG label
 * with the serial and model printed under the symbol, and a UTF-8 half-block
 * picture for a terminal.  Used only by gaslabel.
 */
#ifndef GASLABEL_LABEL_H
#define GASLABEL_LABEL_H

#include <stddef.h>
#include <stdio.h>

/* Write the label files; 0 or -1 with err.  Files are written to a temporary
 * name and renamed, so a label is either whole or absent. */
int label_write_png(const char *path, const char *code, const char *serial, const char *model,
    char *err, size_t errlen);
int label_write_svg(const char *path, const char *code, const char *serial, const char *model,
    char *err, size_t errlen);
/* Print the QR symbol with half blocks; invert for light-background terminals. */
int label_print_terminal(FILE *fp, const char *code, int invert, char *err, size_t errlen);

#endif
