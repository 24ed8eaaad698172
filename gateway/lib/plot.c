/*
 * plot: one layout, two renderers.
 *
 * The picture has two panels drawn by the same code: the whole fill, and
 * below it a panel that zooms on its end (the last seconds around the close command,
 * a narrow band around the target), where an overfill or a short weight is
 * decided and a few grams must be visible.  The layout is computed once
 * (struct frame) and each renderer draws through a small table of drawing
 * functions, so the SVG and the PNG always agree.
 *
 * Words: the SVG's text is drawn by the viewer, with its fonts, so it is
 * in the operator's language (gettext, i18n.h); the PNG's is drawn here
 * with raster.c's 5x7 font, which has printable ASCII only, so it stays
 * in English.  say() picks the one or the other per renderer.
 */
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "raster.h"
#include "util.h"

#define PLOT_W 900
#define PLOT_H 780
#define PLOT_LEFT 80
#define PLOT_RIGHT 30
#define PLOT_TOP 60
#define MAIN_BOTTOM 440 /* the whole fill: PLOT_TOP .. MAIN_BOTTOM */
#define ZOOM_TOP 530    /* the end of the fill: ZOOM_TOP .. ZOOM_BOTTOM */
#define ZOOM_BOTTOM 730

#define COLOUR_CURVE 0x1f5fbf
#define COLOUR_TARGET 0x208020
#define COLOUR_CUTPOINT 0xd08000
#define COLOUR_CUTOFF 0xc02020
#define COLOUR_AXIS 0x202020
#define COLOUR_GRID 0xdddddd
#define COLOUR_WHITE 0xffffff

/* A panel: a pixel box and the data range it shows. */
struct frame {
	int x0, y0, x1, y1; /* pixels, y0 at the top */
	double t0, t1;      /* seconds */
	double kg0, kg1;
	double t_step, kg_step; /* grid spacing */
};

/* What a renderer can draw; the layout code calls only these. */
struct pen {
	void *ctx;
	void (
	    *line)(void *ctx, int x0, int y0, int x1, int y1, uint32_t colour, int width, int dash);
	void (*rect)(void *ctx, int x, int y, int w, int h, uint32_t colour, int filled);
	void (*text)(void *ctx, int x, int y, const char *text, int size, uint32_t colour,
	    int anchor); /* anchor: -1 left, 0 centre, 1 right; y is the baseline */
	int localised;   /* 1: the renderer draws any text (SVG), 0: ASCII only (PNG) */
};

/* A message (marked N_) in the words this renderer can draw. */
static const char *say(const struct pen *p, const char *msgid) __attribute__((format_arg(2)));

static const char *
say(const struct pen *p, const char *msgid)
{
	return p->localised ? _(msgid) : msgid;
}

static double
nice_step(double range, int ticks)
{
	double raw = range / ticks, magnitude, n;

	if (raw <= 0)
		return 1;
	magnitude = pow(10, floor(log10(raw)));
	n = raw / magnitude;
	return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * magnitude;
}

static int
x_of(const struct frame *f, double t)
{
	return f->x0 + (int)lround((t - f->t0) / (f->t1 - f->t0) * (f->x1 - f->x0));
}

static int
y_of(const struct frame *f, double kg)
{
	return f->y1 - (int)lround((kg - f->kg0) / (f->kg1 - f->kg0) * (f->y1 - f->y0));
}

static int
inside(const struct frame *f, double t, double kg)
{
	return t >= f->t0 && t <= f->t1 && kg >= f->kg0 && kg <= f->kg1;
}

static void
main_frame(const struct curve *c, struct frame *f)
{
	double t_max = 1, kg_max = c->target_g / 1000.0;

	for (uint32_t i = 0; i < c->count; i++) {
		if (c->t_ms[i] / 1000.0 > t_max)
			t_max = c->t_ms[i] / 1000.0;
		if (c->grams[i] / 1000.0 > kg_max)
			kg_max = c->grams[i] / 1000.0;
	}
	if (kg_max < 1)
		kg_max = 1;
	f->x0 = PLOT_LEFT;
	f->y0 = PLOT_TOP;
	f->x1 = PLOT_W - PLOT_RIGHT;
	f->y1 = MAIN_BOTTOM;
	f->t_step = nice_step(t_max, 8);
	f->kg_step = nice_step(kg_max * 1.1, 6);
	f->t0 = 0;
	f->t1 = ceil(t_max / f->t_step) * f->t_step;
	f->kg0 = 0;
	f->kg1 = ceil(kg_max * 1.1 / f->kg_step) * f->kg_step;
}

/* The inset: the end of the fill, target +/- a band wide enough for every
 * sample there.  Returns 0 when there is nothing to zoom on. */
static int
zoom_frame(const struct curve *c, const struct frame *whole, struct frame *f)
{
	double end = 0, start, lo, hi, target = c->target_g / 1000.0;

	if (c->count < 2)
		return 0;
	end = c->t_ms[c->count - 1] / 1000.0;
	start = end - 6.0;
	if (c->cutoff_ms != CURVE_NONE && c->cutoff_ms / 1000.0 - 3.0 < start)
		start = c->cutoff_ms / 1000.0 - 3.0;
	if (start < 0)
		start = 0;
	lo = target - 0.3;
	hi = target + 0.2;
	for (uint32_t i = 0; i < c->count; i++) {
		double t = c->t_ms[i] / 1000.0, kg = c->grams[i] / 1000.0;
		/* Widen for what happened near the target (overshoot, a short
		 * stop), not for the climb towards it. */
		if (t >= start && kg > target - 0.5) {
			if (kg < lo)
				lo = kg;
			if (kg > hi)
				hi = kg;
		}
	}
	f->x0 = whole->x0;
	f->x1 = whole->x1;
	f->y0 = ZOOM_TOP;
	f->y1 = ZOOM_BOTTOM;
	f->t0 = start;
	f->t1 = end > start ? end : start + 1;
	f->kg_step = nice_step(hi - lo, 4);
	f->kg0 = floor(lo / f->kg_step) * f->kg_step;
	f->kg1 = ceil(hi / f->kg_step) * f->kg_step;
	f->t_step = nice_step(f->t1 - f->t0, 4);
	return 1;
}

static void
legend_lines(const struct pen *p, const struct curve *c, char lines[4][128])
{
	snprintf(lines[0], 128, say(p, N_("target %.2f kg")), c->target_g / 1000.0);
	snprintf(lines[1], 128, say(p, N_("cut-off point %.2f kg (pre-act %.3f kg)")),
	    (c->target_g - c->preact_g) / 1000.0, c->preact_g / 1000.0);
	if (c->cutoff_ms != CURVE_NONE)
		snprintf(lines[2], 128, say(p, N_("close commanded at %.1f s")),
		    c->cutoff_ms / 1000.0);
	else
		snprintf(lines[2], 128, "%s", say(p, N_("close not commanded by the gateway")));
	if (c->net_g != CURVE_NONE)
		snprintf(lines[3], 128, say(p, N_("final net %.3f kg (%+.0f g)")),
		    c->net_g / 1000.0, (double)(c->net_g - c->target_g));
	else
		snprintf(lines[3], 128, "%s", say(p, N_("no final net weight")));
}

/* Grid, reference lines and the curve of one panel. */
static void
draw_panel(const struct pen *p, const struct curve *c, const struct frame *f, int small)
{
	char label[32];
	double target = c->target_g / 1000.0, cut = (c->target_g - c->preact_g) / 1000.0;
	int size = 1;

	for (double t = ceil(f->t0 / f->t_step) * f->t_step; t <= f->t1 + 1e-9; t += f->t_step) {
		p->line(p->ctx, x_of(f, t), f->y0, x_of(f, t), f->y1, COLOUR_GRID, 1, 0);
		snprintf(label, sizeof(label), "%g", t);
		p->text(p->ctx, x_of(f, t), f->y1 + 16, label, size, COLOUR_AXIS, 0);
	}
	for (double kg = f->kg0; kg <= f->kg1 + 1e-9; kg += f->kg_step) {
		p->line(p->ctx, f->x0, y_of(f, kg), f->x1, y_of(f, kg), COLOUR_GRID, 1, 0);
		snprintf(label, sizeof(label), small ? "%.2f" : "%g", kg);
		p->text(p->ctx, f->x0 - 6, y_of(f, kg) + 4, label, size, COLOUR_AXIS, 1);
	}
	if (target >= f->kg0 && target <= f->kg1)
		p->line(p->ctx, f->x0, y_of(f, target), f->x1, y_of(f, target), COLOUR_TARGET, 2,
		    8);
	if (cut >= f->kg0 && cut <= f->kg1)
		p->line(p->ctx, f->x0, y_of(f, cut), f->x1, y_of(f, cut), COLOUR_CUTPOINT, 2, 4);
	if (c->cutoff_ms != CURVE_NONE && c->cutoff_ms / 1000.0 >= f->t0 &&
	    c->cutoff_ms / 1000.0 <= f->t1)
		p->line(p->ctx, x_of(f, c->cutoff_ms / 1000.0), f->y0,
		    x_of(f, c->cutoff_ms / 1000.0), f->y1, COLOUR_CUTOFF, 2, 0);
	for (uint32_t i = 1; i < c->count; i++) {
		double ta = c->t_ms[i - 1] / 1000.0, ka = c->grams[i - 1] / 1000.0;
		double tb = c->t_ms[i] / 1000.0, kb = c->grams[i] / 1000.0;

		if (inside(f, ta, ka) && inside(f, tb, kb))
			p->line(p->ctx, x_of(f, ta), y_of(f, ka), x_of(f, tb), y_of(f, kb),
			    COLOUR_CURVE, 2, 0);
	}
	p->rect(p->ctx, f->x0, f->y0, f->x1 - f->x0, f->y1 - f->y0, COLOUR_AXIS, 0);
	if (small)
		p->text(p->ctx, f->x0, f->y0 - 10,
		    say(p, N_("the end of the fill, zoomed (net kg)")), size, COLOUR_AXIS, -1);
}

static void
draw_plot(const struct pen *p, const struct curve *c, const struct plot_title *title)
{
	static const uint32_t colours[4] = { COLOUR_TARGET, COLOUR_CUTPOINT, COLOUR_CUTOFF,
		COLOUR_CURVE };
	struct frame whole, zoom;
	const char *time_axis = say(p, N_("time (s)"));
	char legend[4][128];

	main_frame(c, &whole);
	legend_lines(p, c, legend);
	p->text(p->ctx, PLOT_LEFT, 32,
	    p->localised && title->local != NULL ? title->local : title->english, 2, COLOUR_AXIS,
	    -1);
	draw_panel(p, c, &whole, 0);
	p->text(p->ctx, (whole.x0 + whole.x1) / 2, MAIN_BOTTOM + 36, time_axis, 1, COLOUR_AXIS, 0);
	p->text(p->ctx, (whole.x0 + whole.x1) / 2, ZOOM_BOTTOM + 36, time_axis, 1, COLOUR_AXIS, 0);
	p->text(p->ctx, 8, PLOT_TOP - 10, say(p, N_("net (kg)")), 1, COLOUR_AXIS, -1);
	for (int i = 0; i < 4; i++) {
		int y = PLOT_TOP + 22 + i * 17;
		p->rect(p->ctx, PLOT_LEFT + 16, y - 6, 14, 4, colours[i], 1);
		p->text(p->ctx, PLOT_LEFT + 36, y, legend[i], 1, COLOUR_AXIS, -1);
	}
	if (zoom_frame(c, &whole, &zoom))
		draw_panel(p, c, &zoom, 1);
}

/* --- SVG ------------------------------------------------------------------ */

static void
svg_escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static void
svg_line(void *ctx, int x0, int y0, int x1, int y1, uint32_t colour, int width, int dash)
{
	FILE *f = ctx;

	fprintf(f,
	    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#%06x\" "
	    "stroke-width=\"%d\"",
	    x0, y0, x1, y1, (unsigned)colour, width);
	if (dash > 0)
		fprintf(f, " stroke-dasharray=\"%d %d\"", dash, dash);
	fprintf(f, "/>\n");
}

static void
svg_rect(void *ctx, int x, int y, int w, int h, uint32_t colour, int filled)
{
	FILE *f = ctx;

	if (filled)
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#%06x\"/>\n",
		    x, y, w, h, (unsigned)colour);
	else
		fprintf(f,
		    "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
		    "stroke=\"#%06x\"/>\n",
		    x, y, w, h, (unsigned)colour);
}

static void
svg_text(void *ctx, int x, int y, const char *text, int size, uint32_t colour, int anchor)
{
	FILE *f = ctx;

	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"%d\" fill=\"#%06x\" text-anchor=\"%s\">", x,
	    y, size > 1 ? 16 : 12, (unsigned)colour,
	    anchor < 0    ? "start"
	    : anchor == 0 ? "middle"
	                  : "end");
	svg_escape(f, text);
	fprintf(f, "</text>\n");
}

int
plot_curve_svg(const struct curve *c, const struct plot_title *title, FILE *f)
{
	struct pen p = { f, svg_line, svg_rect, svg_text, 1 };

	fprintf(f,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
	    PLOT_W, PLOT_H, PLOT_W, PLOT_H);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	draw_plot(&p, c, title);
	fprintf(f, "</svg>\n");
	return ferror(f) ? -1 : 0;
}

/* --- PNG ------------------------------------------------------------------ */

static void
png_line(void *ctx, int x0, int y0, int x1, int y1, uint32_t colour, int width, int dash)
{
	raster_line(ctx, x0, y0, x1, y1, colour, width, dash);
}

static void
png_rect(void *ctx, int x, int y, int w, int h, uint32_t colour, int filled)
{
	struct raster *r = ctx;

	if (filled) {
		raster_fill_rect(r, x, y, w, h, colour);
		return;
	}
	raster_line(r, x, y, x + w, y, colour, 1, 0);
	raster_line(r, x, y + h, x + w, y + h, colour, 1, 0);
	raster_line(r, x, y, x, y + h, colour, 1, 0);
	raster_line(r, x + w, y, x + w, y + h, colour, 1, 0);
}

static void
png_text(void *ctx, int x, int y, const char *text, int size, uint32_t colour, int anchor)
{
	int w = raster_text_width(text, size);

	if (anchor == 0)
		x -= w / 2;
	else if (anchor > 0)
		x -= w;
	/* y is the baseline, as in SVG; the font's cell is 7 rows high. */
	raster_text(ctx, x, y - RASTER_GLYPH_H * size, text, size, colour);
}

int
plot_curve_png(const struct curve *c, const struct plot_title *title, const char *path, char *err,
    size_t errlen)
{
	struct raster r;
	struct pen p = { &r, png_line, png_rect, png_text, 0 };
	int rc;

	if (raster_init(&r, PLOT_W, PLOT_H, COLOUR_WHITE) == -1)
		return err_set(err, errlen, "%s: out of memory", path);
	draw_plot(&p, c, title);
	rc = raster_write_png(&r, path, err, errlen);
	raster_free(&r);
	return rc;
}

int
plot_curve_file(const struct curve *c, const struct plot_title *title, const char *path, char *err,
    size_t errlen)
{
	size_t len = strlen(path);
	char tmp[4096];
	FILE *f;

	if (len > 4 && strcmp(path + len - 4, ".png") == 0)
		return plot_curve_png(c, title, path, err, errlen);
	if (!(len > 4 && strcmp(path + len - 4, ".svg") == 0))
		return err_set(err, errlen, "%s: the picture must end in .svg or .png", path);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return err_set(err, errlen, "%s: path too long", path);
	f = fopen(tmp, "w");
	if (f == NULL) /* the file asked for, not the temporary beside it */
		return err_set(err, errlen, "%s: %s", path, strerror(errno));
	if (plot_curve_svg(c, title, f) == -1 || fflush(f) != 0 || fsync(fileno(f)) == -1) {
		err_set(err, errlen, "%s: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	if (fclose(f) != 0 || rename(tmp, path) == -1) {
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}
