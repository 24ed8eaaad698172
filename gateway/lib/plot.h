/*
 * plot: a fill curve as a picture (SVG or PNG): the weight climbing, the
 * target, the cut-off point (target - pre-act), the moment the close was
 * commanded and the final net weight, with a title the caller gives
 * (for example the fill's uuid, line and cylinder).
 */
#ifndef GAS_PLOT_H
#define GAS_PLOT_H

#include <stddef.h>
#include <stdio.h>

#include "curve.h"

/* Write an SVG document to f.  Returns 0, or -1 on a write error. */
int plot_curve_svg(const struct curve *c, const char *title, FILE *f);
/* Write a PNG file (via a temporary file and rename). */
int plot_curve_png(const struct curve *c, const char *title, const char *path, char *err,
    size_t errlen);
/* By the file name's ending: ".svg" or ".png"; anything else is refused. */
int plot_curve_file(const struct curve *c, const char *title, const char *path, char *err,
    size_t errlen);

#endif
