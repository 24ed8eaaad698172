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

/*
 * The title, twice: in English for the PNG (raster.c's font has ASCII
 * only), and in the operator's language for the SVG, whose text the viewer
 * draws (NULL: the English one).  The axis labels and legend follow the
 * same rule by themselves (gettext, i18n.h), so the caller need only have
 * called i18n_init().
 */
struct plot_title {
	const char *english;
	const char *local;
};

/* Write an SVG document to f.  Returns 0, or -1 on a write error. */
int plot_curve_svg(const struct curve *c, const struct plot_title *title, FILE *f);
/* Write a PNG file (via a temporary file and rename). */
int plot_curve_png(const struct curve *c, const struct plot_title *title, const char *path,
    char *err, size_t errlen);
/* By the file name's ending: ".svg" or ".png"; anything else is refused. */
int plot_curve_file(const struct curve *c, const struct plot_title *title, const char *path,
    char *err, size_t errlen);

#endif
