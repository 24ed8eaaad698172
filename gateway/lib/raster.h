/*
 * raster: a small RGB canvas for the pictures the project makes (QR labels,
 * fill curves): rectangles, lines, text in a built-in 5x7 font, and PNG
 * output through libpng.  No fonts or graphics stack on a station gateway.
 *
 * A canvas owns its pixels; raster_free() releases them.  Drawing outside
 * the canvas is clipped, never an error.
 */
#ifndef GAS_RASTER_H
#define GAS_RASTER_H

#include <stddef.h>
#include <stdint.h>

#define RASTER_MAX_SIDE 8192
#define RASTER_GLYPH_W 5
#define RASTER_GLYPH_H 7

struct raster {
	int width, height;
	uint8_t *rgb; /* width * height * 3 bytes */
};

/* Colours are 0xRRGGBB. */
int raster_init(struct raster *r, int width, int height, uint32_t background);
void raster_free(struct raster *r);

void raster_pixel(struct raster *r, int x, int y, uint32_t colour);
void raster_fill_rect(struct raster *r, int x, int y, int w, int h, uint32_t colour);
/* A line of the given thickness; dash > 0 draws dash pixels on, dash off. */
void raster_line(struct raster *r, int x0, int y0, int x1, int y1, uint32_t colour, int thickness,
    int dash);
/* Text in the 5x7 font, each font pixel scale x scale; characters outside
 * printable ASCII are drawn as '?'.  Returns the width drawn. */
int raster_text(struct raster *r, int x, int y, const char *text, int scale, uint32_t colour);
int raster_text_width(const char *text, int scale);

/* Write a PNG: to path.tmp, fsync, rename (a reader never sees half a file). */
int raster_write_png(const struct raster *r, const char *path, char *err, size_t errlen);

#endif
