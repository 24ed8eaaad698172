/*
 * label: QR symbols of cylinder codes as PNG, SVG and terminal text.
 *
 * The symbol uses error correction level Q (a quarter of the symbol may be
 * lost to scratches and grime).  A text all in the QR alphanumeric set (a
 * code is base45; a URL form with a base in capitals) is one alphanumeric
 * segment (version 8, 49 modules, for most bare codes where byte mode would
 * need version 10 or 11); other text goes to libqrencode's mode optimiser.
 * A PNG label (raster.h) is the symbol with its four-module quiet zone, then
 * the label's lines in Chinese drawn with FreeType in the CJK font the
 * caller opened, left-aligned under the symbol.
 */
#include "label.h"

#include <errno.h>
#include <qrencode.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#include "raster.h"
#include "util.h"

#define LABEL_MODULE_PX 8 /* pixels per module */
#define LABEL_QUIET 4     /* quiet zone in modules (ISO/IEC 18004) */
#define LABEL_TEXT_PX 30  /* pixel size of the words */
#define LABEL_LINE_PX 44  /* pixels from one line of words to the next */
#define LABEL_LINES 5

struct label_font {
	FT_Library lib;
	FT_Face face;
	int fontconfig; /* fontconfig was asked: FcFini at the end */
	char file[4096];
};

/* The label's lines: a word in Chinese and the value. */
static int
label_lines(const struct label_facts *f, const char *word[LABEL_LINES],
    const char *value[LABEL_LINES])
{
	int n = 0;

	word[n] = "钢瓶编号";
	value[n++] = f->serial;
	word[n] = "规格型号";
	value[n++] = f->model;
	word[n] = "产权单位";
	value[n++] = f->owner;
	if (f->hotline != NULL && f->hotline[0] != '\0') {
		word[n] = "服务电话";
		value[n++] = f->hotline;
	}
	if (f->next_inspection != NULL && f->next_inspection[0] != '\0') {
		word[n] = "下次检验";
		value[n++] = f->next_inspection;
	}
	return n;
}

/* A text in the QR alphanumeric set goes as one alphanumeric segment. */
static QRcode *
label_encode(const char *code, char *err, size_t errlen)
{
	QRinput *input = QRinput_new2(0, QR_ECLEVEL_Q);
	QRcode *qr = NULL;

	if (input != NULL &&
	    QRinput_check(QR_MODE_AN, (int)strlen(code), (const unsigned char *)code) == 0 &&
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

/* ---- the words ------------------------------------------------------------ */

struct label_font *
label_font_open(const char *path, char *err, size_t errlen)
{
	struct label_font *font = calloc(1, sizeof(*font));
	FcPattern *pat = NULL, *match = NULL;
	FcChar8 *file = NULL;
	FcCharSet *cs = NULL;
	FcResult res;
	int index = 0;

	if (font == NULL) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	if (path == NULL) {
		font->fontconfig = 1;
		if ((pat = FcNameParse((const FcChar8 *)"sans-serif:lang=zh-cn")) == NULL) {
			err_set(err, errlen, "fontconfig: out of memory");
			goto fail;
		}
		FcConfigSubstitute(NULL, pat, FcMatchPattern);
		FcDefaultSubstitute(pat);
		match = FcFontMatch(NULL, pat, &res);
		if (match == NULL ||
		    FcPatternGetString(match, FC_FILE, 0, &file) != FcResultMatch ||
		    FcPatternGetCharSet(match, FC_CHARSET, 0, &cs) != FcResultMatch ||
		    !FcCharSetHasChar(cs, 0x94A2) /* 钢 */) {
			err_set(err, errlen,
			    "no font with Chinese characters found through fontconfig: install "
			    "fonts-wqy-microhei, or name a font file with --font");
			goto fail;
		}
		(void)FcPatternGetInteger(match, FC_INDEX, 0, &index);
		str_copy(font->file, (const char *)file, sizeof(font->file));
	} else {
		str_copy(font->file, path, sizeof(font->file));
	}
	if (FT_Init_FreeType(&font->lib) != 0) {
		err_set(err, errlen, "cannot start FreeType");
		goto fail;
	}
	if (FT_New_Face(font->lib, font->file, index, &font->face) != 0) {
		err_set(err, errlen, "%s: not a font FreeType can read", font->file);
		goto fail;
	}
	if (FT_Set_Pixel_Sizes(font->face, 0, LABEL_TEXT_PX) != 0) {
		err_set(err, errlen, "%s: cannot be drawn at %d pixels", font->file, LABEL_TEXT_PX);
		goto fail;
	}
	if (match != NULL)
		FcPatternDestroy(match);
	if (pat != NULL)
		FcPatternDestroy(pat);
	return font;
fail:
	if (match != NULL)
		FcPatternDestroy(match);
	if (pat != NULL)
		FcPatternDestroy(pat);
	label_font_close(font);
	return NULL;
}

void
label_font_close(struct label_font *font)
{
	if (font == NULL)
		return;
	if (font->face != NULL)
		FT_Done_Face(font->face);
	if (font->lib != NULL)
		FT_Done_FreeType(font->lib);
	if (font->fontconfig)
		FcFini(); /* its configuration and caches, loaded on first use */
	free(font);
}

const char *
label_font_file(const struct label_font *font)
{
	return font->file;
}

/* The next code point of UTF-8 text at *s (advancing it); U+FFFD for a
 * malformed sequence. */
static uint32_t
label_utf8_next(const unsigned char **s)
{
	const unsigned char *p = *s;
	uint32_t cp;
	int more, i;

	if (p[0] < 0x80) {
		*s = p + 1;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0) {
		cp = p[0] & 0x1f;
		more = 1;
	} else if ((p[0] & 0xf0) == 0xe0) {
		cp = p[0] & 0x0f;
		more = 2;
	} else if ((p[0] & 0xf8) == 0xf0) {
		cp = p[0] & 0x07;
		more = 3;
	} else {
		*s = p + 1;
		return 0xfffd;
	}
	for (i = 1; i <= more; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*s = p + i;
			return 0xfffd;
		}
		cp = cp << 6 | (p[i] & 0x3f);
	}
	*s = p + more + 1;
	return cp;
}

/* Draw text with its top-left at (x, y) when canvas is not NULL; its width
 * in pixels, or -1 with err naming a character the font lacks. */
static int
label_words(struct raster *canvas, struct label_font *font, int x, int y, const char *text,
    char *err, size_t errlen)
{
	const unsigned char *p = (const unsigned char *)text;
	FT_Face face = font->face;
	int pen = 0, ascender = (int)(face->size->metrics.ascender >> 6);

	while (*p != '\0') {
		uint32_t cp = label_utf8_next(&p);
		FT_UInt glyph = FT_Get_Char_Index(face, cp);
		FT_Bitmap *bm;
		unsigned row, col;

		if (glyph == 0 && cp != ' ')
			return err_set(err, errlen, "the font %s has no glyph for U+%04X in '%s'",
			    font->file, (unsigned)cp, text);
		if (FT_Load_Glyph(face, glyph, FT_LOAD_RENDER) != 0)
			return err_set(err, errlen, "the font %s cannot draw U+%04X", font->file,
			    (unsigned)cp);
		bm = &face->glyph->bitmap;
		for (row = 0; canvas != NULL && row < bm->rows; row++)
			for (col = 0; col < bm->width; col++) {
				unsigned a = bm->buffer[row * (unsigned)bm->pitch + col];
				unsigned g = 255 - a;

				if (a > 0)
					raster_pixel(canvas,
					    x + pen + face->glyph->bitmap_left + (int)col,
					    y + ascender - face->glyph->bitmap_top + (int)row,
					    g << 16 | g << 8 | g);
			}
		pen += (int)(face->glyph->advance.x >> 6);
	}
	return pen;
}

int
label_write_png(const char *path, const char *code, const struct label_facts *facts,
    struct label_font *font, char *err, size_t errlen)
{
	const char *word[LABEL_LINES], *value[LABEL_LINES];
	char line[512];
	struct raster canvas;
	QRcode *qr;
	int qr_px, width, height, text_w = 0, margin, left, x, y, i, n, w, rc = -1;

	n = label_lines(facts, word, value);
	if ((qr = label_encode(code, err, errlen)) == NULL)
		return -1;
	margin = LABEL_QUIET * LABEL_MODULE_PX;
	qr_px = (qr->width + 2 * LABEL_QUIET) * LABEL_MODULE_PX;
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "%s  %s", word[i], value[i]);
		if ((w = label_words(NULL, font, 0, 0, line, err, errlen)) < 0)
			goto out_qr;
		if (w > text_w)
			text_w = w;
	}
	width = text_w + 2 * margin > qr_px ? text_w + 2 * margin : qr_px;
	height = qr_px + n * LABEL_LINE_PX + margin / 2;
	if (raster_init(&canvas, width, height, 0xffffff) == -1) {
		err_set(err, errlen, "out of memory for a %dx%d label", width, height);
		goto out_qr;
	}
	left = (width - qr_px) / 2 + margin;
	for (y = 0; y < qr->width; y++)
		for (x = 0; x < qr->width; x++)
			if (label_dark(qr, x, y))
				raster_fill_rect(&canvas, left + x * LABEL_MODULE_PX,
				    (LABEL_QUIET + y) * LABEL_MODULE_PX, LABEL_MODULE_PX,
				    LABEL_MODULE_PX, 0x000000);
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "%s  %s", word[i], value[i]);
		if (label_words(&canvas, font, margin, qr_px + i * LABEL_LINE_PX, line, err,
		        errlen) < 0)
			goto out_canvas;
	}
	rc = raster_write_png(&canvas, path, err, errlen);
out_canvas:
	raster_free(&canvas);
out_qr:
	QRcode_free(qr);
	return rc;
}

/* text with XML's five special characters escaped */
static void
label_xml(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", fp);
			break;
		case '<':
			fputs("&lt;", fp);
			break;
		case '>':
			fputs("&gt;", fp);
			break;
		case '"':
			fputs("&quot;", fp);
			break;
		case '\'':
			fputs("&apos;", fp);
			break;
		default:
			fputc(*s, fp);
		}
	}
}

int
label_write_svg(const char *path, const char *code, const struct label_facts *facts, char *err,
    size_t errlen)
{
	const char *word[LABEL_LINES], *value[LABEL_LINES];
	QRcode *qr;
	FILE *fp;
	char tmp[4096];
	int size, height, x, y, i, n, ok;

	n = label_lines(facts, word, value);
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
	/* One unit per module; the lines below in the same units, 4 apart. */
	size = qr->width + 2 * LABEL_QUIET;
	height = size + 4 * n + 2;
	fprintf(fp,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	    "width=\"%dmm\" height=\"%dmm\">\n"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"",
	    size, height, size, height, size, height);
	for (y = 0; y < qr->width; y++)
		for (x = 0; x < qr->width; x++)
			if (label_dark(qr, x, y))
				fprintf(fp, "M%d %dh1v1h-1z", x + LABEL_QUIET, y + LABEL_QUIET);
	fputs("\"/>\n<g font-family=\"WenQuanYi Micro Hei, Noto Sans CJK SC, Source Han Sans SC, "
	      "sans-serif\" font-size=\"2.6\">\n",
	    fp);
	for (i = 0; i < n; i++) {
		fprintf(fp, "<text x=\"%d\" y=\"%d\">%s <tspan>", LABEL_QUIET, size + 3 + 4 * i,
		    word[i]);
		label_xml(fp, value[i]);
		fputs("</tspan></text>\n", fp);
	}
	fputs("</g>\n</svg>\n", fp);
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
