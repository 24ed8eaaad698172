/*
 * label: QR symbols of cylinder codes as PNG, SVG and terminal text.
 *
 * The symbol uses error correction level Q (a quarter of the symbol may be
 * lost to scratches and grime) and libqrencode's mode optimiser, which puts a
 * code (all base45 characters, the QR alphanumeric set) in alphanumeric mode.
 * A PNG label is 8-bit grey: the symbol with its four-module quiet zone, then
 * the serial and the model in a 5x7 bitmap font scaled up, centred.
 */
#include "label.h"

#include <errno.h>
#include <png.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define LABEL_MODULE_PX 8    /* pixels per module */
#define LABEL_QUIET     4    /* quiet zone in modules (ISO/IEC 18004) */
#define LABEL_FONT_PX   3    /* pixels per font dot */
#define LABEL_LINE_GAP  12   /* pixels between text lines */

static QRcode *
label_encode(const char *code, char *err, size_t errlen)
{
	QRcode *qr = QRcode_encodeString(code, 0, QR_ECLEVEL_Q, QR_MODE_8, 1);

	if (qr == NULL)
		err_set(err, errlen, "cannot make a QR code: %s", strerror(errno));
	return qr;
}

static int
label_dark(const QRcode *qr, int x, int y)
{
	if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
		return 0;
	return qr->data[y * qr->width + x] & 1;
}

/* Paint text centred at row top of a grey image (0 = black). */
static void
label_text(unsigned char *img, int width, int top, const char *text)
{
	int len = (int)strlen(text), advance = 6 * LABEL_FONT_PX;
	int left = (width - len * advance + LABEL_FONT_PX) / 2, i, row, col, dy, dx;

	for (i = 0; i < len; i++) {
		const unsigned char *g = font_glyph((unsigned char)text[i]);

		for (row = 0; row < 7; row++)
			for (col = 0; col < 5; col++) {
				if (!(g[row] & (0x10 >> col)))
					continue;
				for (dy = 0; dy < LABEL_FONT_PX; dy++)
					for (dx = 0; dx < LABEL_FONT_PX; dx++) {
						int x = left + i * advance + col * LABEL_FONT_PX + dx;
						int y = top + row * LABEL_FONT_PX + dy;

						if (x >= 0 && x < width)
							img[(size_t)y * (size_t)width + (size_t)x] = 0;
					}
			}
	}
}

static int
label_commit(const char *tmp, const char *path, int ok, char *err, size_t errlen)
{
	if (!ok) {
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) == -1) {
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Write the rows of a grey image as PNG to fp; all libpng state (and its
 * longjmp error path) stays inside this function. */
static int
label_png_stream(FILE *fp, const unsigned char *img, int width, int height)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
	int y;

	if (png == NULL || info == NULL) {
		png_destroy_write_struct(&png, NULL);
		return -1;
	}
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		return -1;
	}
	png_init_io(png, fp);
	png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, 8, PNG_COLOR_TYPE_GRAY,
	    PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (y = 0; y < height; y++)
		png_write_row(png, img + (size_t)y * (size_t)width);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	return 0;
}

int
label_write_png(const char *path, const char *code, const char *serial, const char *model,
    char *err, size_t errlen)
{
	QRcode *qr;
	unsigned char *img = NULL;
	FILE *fp = NULL;
	char tmp[4096];
	int qr_px, width, height, text_w, x, y, ok = 0, rc = -1;

	if ((qr = label_encode(code, err, errlen)) == NULL)
		return -1;
	qr_px = (qr->width + 2 * LABEL_QUIET) * LABEL_MODULE_PX;
	text_w = (int)(strlen(serial) > strlen(model) ? strlen(serial) : strlen(model)) * 6 *
	    LABEL_FONT_PX + 2 * LABEL_QUIET * LABEL_MODULE_PX;
	width = text_w > qr_px ? text_w : qr_px;
	height = qr_px + 2 * (7 * LABEL_FONT_PX + LABEL_LINE_GAP) + LABEL_QUIET * LABEL_MODULE_PX;
	if ((img = malloc((size_t)width * (size_t)height)) == NULL) {
		err_set(err, errlen, "out of memory");
		goto out;
	}
	memset(img, 255, (size_t)width * (size_t)height);
	for (y = 0; y < qr_px; y++)
		for (x = 0; x < qr_px; x++)
			if (label_dark(qr, x / LABEL_MODULE_PX - LABEL_QUIET,
			    y / LABEL_MODULE_PX - LABEL_QUIET))
				img[(size_t)y * (size_t)width + (size_t)(x + (width - qr_px) / 2)] = 0;
	label_text(img, width, qr_px, serial);
	label_text(img, width, qr_px + 7 * LABEL_FONT_PX + LABEL_LINE_GAP, model);

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		err_set(err, errlen, "%s: path too long", path);
		goto out;
	}
	if ((fp = fopen(tmp, "wb")) == NULL) {
		err_set(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (label_png_stream(fp, img, width, height) == -1)
		err_set(err, errlen, "%s: PNG write failed", tmp);
	else if (fflush(fp) != 0 || fsync(fileno(fp)) == -1)
		err_set(err, errlen, "%s: %s", tmp, strerror(errno));
	else
		ok = 1;
	fclose(fp);
	rc = label_commit(tmp, path, ok, err, errlen);
out:
	free(img);
	QRcode_free(qr);
	return rc;
}

int
label_write_svg(const char *path, const char *code, const char *serial, const char *model,
    char *err, size_t errlen)
{
	QRcode *qr;
	FILE *fp;
	char tmp[4096];
	int size, x, y, ok;

	if ((qr = label_encode(code, err, errlen)) == NULL)
		return -1;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		QRcode_free(qr);
		return err_set(err, errlen, "%s: path too long", path);
	}
	if ((fp = fopen(tmp, "w")) == NULL) {
		QRcode_free(qr);
		return err_set(err, errlen, "%s: %s", tmp, strerror(errno));
	}
	/* One unit per module; text below in the same units.  Serial and model
	 * hold only [A-Za-z0-9._-], so they need no XML escaping. */
	size = qr->width + 2 * LABEL_QUIET;
	fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	    "width=\"%dmm\" height=\"%dmm\">\n"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"",
	    size, size + 9, size, size + 9, size, size + 9);
	for (y = 0; y < qr->width; y++)
		for (x = 0; x < qr->width; x++)
			if (label_dark(qr, x, y))
				fprintf(fp, "M%d %dh1v1h-1z", x + LABEL_QUIET, y + LABEL_QUIET);
	fprintf(fp, "\"/>\n"
	    "<text x=\"%d\" y=\"%d\" font-family=\"monospace\" font-size=\"3\" "
	    "text-anchor=\"middle\">%s</text>\n"
	    "<text x=\"%d\" y=\"%d\" font-family=\"monospace\" font-size=\"3\" "
	    "text-anchor=\"middle\">%s</text>\n</svg>\n",
	    size / 2, size + 2, serial, size / 2, size + 6, model);
	ok = fflush(fp) == 0 && !ferror(fp) && fsync(fileno(fp)) == 0;
	if (!ok)
		err_set(err, errlen, "%s: %s", tmp, strerror(errno));
	fclose(fp);
	QRcode_free(qr);
	return label_commit(tmp, path, ok, err, errlen);
}

int
label_print_terminal(FILE *fp, const char *code, int invert, char *err, size_t errlen)
{
	/* By default light modules are drawn (a dark terminal shows dark modules as
	 * its background); invert for a light terminal. */
	static const char *const cell[4] = { " ", "\u2580", "\u2584", "\u2588" };
	QRcode *qr;
	int x, y, margin = 2;

	if ((qr = label_encode(code, err, errlen)) == NULL)
		return -1;
	for (y = -margin; y < qr->width + margin; y += 2) {
		for (x = -margin; x < qr->width + margin; x++) {
			int top = label_dark(qr, x, y), bottom = label_dark(qr, x, y + 1);

			if (!invert) {
				top = !top;
				bottom = !bottom;
			}
			if (y + 1 >= qr->width + margin)
				bottom = 0;   /* past the last row: nothing drawn */
			fputs(cell[top | bottom << 1], fp);
		}
		fputc('\n', fp);
	}
	QRcode_free(qr);
	return 0;
}
