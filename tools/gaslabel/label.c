/*
 * label: QR symbols of cylinder codes as PNG, SVG and terminal text.
 *
 * The symbol uses error correction level Q (a quarter of the symbol may be
 * lost to scratches and grime) and one alphanumeric-mode segment: a code is
 * all base45, the QR alphanumeric set (version 8, 49 modules, for most codes
 * where byte mode would need version 10 or 11).
 * A PNG label (raster.h) is the symbol with its four-module quiet zone, then
 * the serial and the model in the built-in 5x7 font scaled up, centred.
 */
#include "label.h"

#include <errno.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "raster.h"
#include "util.h"

#define LABEL_MODULE_PX 8 /* pixels per module */
#define LABEL_QUIET 4     /* quiet zone in modules (ISO/IEC 18004) */
#define LABEL_FONT_PX 3   /* pixels per font dot */
#define LABEL_LINE_GAP 12 /* pixels between text lines */

/* A code is all base45, the QR alphanumeric set: encode it as one
 * alphanumeric segment.  Other text (gaslabel show of something else) falls
 * back to libqrencode's mode optimiser. */
static QRcode *
label_encode(const char *code, char *err, size_t errlen)
{
	QRinput *input = QRinput_new2(0, QR_ECLEVEL_Q);
	QRcode *qr = NULL;

	if (input != NULL &&
	    QRinput_append(input, QR_MODE_AN, (int)strlen(code), (const unsigned char *)code) == 0)
		qr = QRcode_encodeInput(input);
	QRinput_free(input);
	if (qr == NULL)
		qr = QRcode_encodeString(code, 0, QR_ECLEVEL_Q, QR_MODE_8, 1);
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

int
label_write_png(const char *path, const char *code, const char *serial, const char *model,
    char *err, size_t errlen)
{
	struct raster canvas;
	QRcode *qr;
	int qr_px, width, height, text_w, left, x, y, rc;

	if ((qr = label_encode(code, err, errlen)) == NULL)
		return -1;
	qr_px = (qr->width + 2 * LABEL_QUIET) * LABEL_MODULE_PX;
	text_w = raster_text_width(strlen(serial) > strlen(model) ? serial : model, LABEL_FONT_PX) +
	         2 * LABEL_QUIET * LABEL_MODULE_PX;
	width = text_w > qr_px ? text_w : qr_px;
	height = qr_px + 2 * (RASTER_GLYPH_H * LABEL_FONT_PX + LABEL_LINE_GAP) +
	         LABEL_QUIET * LABEL_MODULE_PX;
	if (raster_init(&canvas, width, height, 0xffffff) == -1) {
		QRcode_free(qr);
		return err_set(err, errlen, "out of memory for a %dx%d label", width, height);
	}
	left = (width - qr_px) / 2 + LABEL_QUIET * LABEL_MODULE_PX;
	for (y = 0; y < qr->width; y++)
		for (x = 0; x < qr->width; x++)
			if (label_dark(qr, x, y))
				raster_fill_rect(&canvas, left + x * LABEL_MODULE_PX,
				    (LABEL_QUIET + y) * LABEL_MODULE_PX, LABEL_MODULE_PX,
				    LABEL_MODULE_PX, 0x000000);
	raster_text(&canvas, (width - raster_text_width(serial, LABEL_FONT_PX)) / 2, qr_px, serial,
	    LABEL_FONT_PX, 0x000000);
	raster_text(&canvas, (width - raster_text_width(model, LABEL_FONT_PX)) / 2,
	    qr_px + RASTER_GLYPH_H * LABEL_FONT_PX + LABEL_LINE_GAP, model, LABEL_FONT_PX,
	    0x000000);
	rc = raster_write_png(&canvas, path, err, errlen);
	raster_free(&canvas);
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
	fprintf(fp,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	    "width=\"%dmm\" height=\"%dmm\">\n"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"",
	    size, size + 9, size, size + 9, size, size + 9);
	for (y = 0; y < qr->width; y++)
		for (x = 0; x < qr->width; x++)
			if (label_dark(qr, x, y))
				fprintf(fp, "M%d %dh1v1h-1z", x + LABEL_QUIET, y + LABEL_QUIET);
	fprintf(fp,
	    "\"/>\n"
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
				bottom = 0; /* past the last row: nothing drawn */
			fputs(cell[top | bottom << 1], fp);
		}
		fputc('\n', fp);
	}
	QRcode_free(qr);
	return 0;
}
