/*
 * plot: one layout, two renderers.  The scales are computed once
 * (plot_frame) and both the SVG and the PNG renderer draw from it, so the
 * two pictures always agree.
 */
#include "plot.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "raster.h"
#include "util.h"

#define PLOT_W 900
#define PLOT_H 520
#define PLOT_LEFT 80
#define PLOT_RIGHT 30
#define PLOT_TOP 60
#define PLOT_BOTTOM 60

#define COLOUR_CURVE 0x1f5fbf
#define COLOUR_TARGET 0x208020
#define COLOUR_CUTPOINT 0xd08000
#define COLOUR_CUTOFF 0xc02020
#define COLOUR_AXIS 0x202020
#define COLOUR_GRID 0xdddddd

struct plot_frame {
	double t_max_s;   /* x axis: 0 .. t_max_s */
	double kg_max;    /* y axis: 0 .. kg_max */
	double t_step_s;  /* tick spacing */
	double kg_step;
};

static double
nice_step(double range, int ticks)
{
	double raw = range / ticks, magnitude = pow(10, floor(log10(raw)));
	double n = raw / magnitude;

	return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * magnitude;
}

static void
plot_frame(const struct curve *c, struct plot_frame *f)
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
	f->t_step_s = nice_step(t_max, 8);
	f->kg_step = nice_step(kg_max * 1.1, 6);
	f->t_max_s = ceil(t_max / f->t_step_s) * f->t_step_s;
	f->kg_max = ceil(kg_max * 1.1 / f->kg_step) * f->kg_step;
}

static int
x_of(const struct plot_frame *f, double t_s)
{
	return PLOT_LEFT + (int)lround(t_s / f->t_max_s * (PLOT_W - PLOT_LEFT - PLOT_RIGHT));
}

static int
y_of(const struct plot_frame *f, double kg)
{
	return PLOT_H - PLOT_BOTTOM - (int)lround(kg / f->kg_max * (PLOT_H - PLOT_TOP - PLOT_BOTTOM));
}

/* The legend lines, shared by both renderers. */
static void
plot_legend(const struct curve *c, char lines[4][96])
{
	snprintf(lines[0], 96, "target %.2f kg", c->target_g / 1000.0);
	snprintf(lines[1], 96, "cut-off point %.2f kg (pre-act %.3f kg)",
	    (c->target_g - c->preact_g) / 1000.0, c->preact_g / 1000.0);
	if (c->cutoff_ms != CURVE_NONE)
		snprintf(lines[2], 96, "close commanded at %.1f s", c->cutoff_ms / 1000.0);
	else
		snprintf(lines[2], 96, "close not commanded by the gateway");
	if (c->net_g != CURVE_NONE)
		snprintf(lines[3], 96, "final net %.2f kg (%+.0f g)", c->net_g / 1000.0,
		    (double)(c->net_g - c->target_g));
	else
		snprintf(lines[3], 96, "no final net weight");
}

static void
svg_escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

int
plot_curve_svg(const struct curve *c, const char *title, FILE *f)
{
	struct plot_frame fr;
	char legend[4][96];
	static const unsigned colours[4] = { COLOUR_TARGET, COLOUR_CUTPOINT, COLOUR_CUTOFF,
		COLOUR_CURVE };

	plot_frame(c, &fr);
	plot_legend(c, legend);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"13\">\n",
	    PLOT_W, PLOT_H, PLOT_W, PLOT_H);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f, "<text x=\"%d\" y=\"28\" font-size=\"16\">", PLOT_LEFT);
	svg_escape(f, title);
	fprintf(f, "</text>\n");
	for (double t = 0; t <= fr.t_max_s + 1e-9; t += fr.t_step_s) {
		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#%06x\"/>\n",
		    x_of(&fr, t), PLOT_TOP, x_of(&fr, t), PLOT_H - PLOT_BOTTOM, COLOUR_GRID);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%g</text>\n",
		    x_of(&fr, t), PLOT_H - PLOT_BOTTOM + 18, t);
	}
	for (double kg = 0; kg <= fr.kg_max + 1e-9; kg += fr.kg_step) {
		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#%06x\"/>\n",
		    PLOT_LEFT, y_of(&fr, kg), PLOT_W - PLOT_RIGHT, y_of(&fr, kg), COLOUR_GRID);
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%g</text>\n",
		    PLOT_LEFT - 8, y_of(&fr, kg) + 4, kg);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time (s)</text>\n",
	    (PLOT_LEFT + PLOT_W - PLOT_RIGHT) / 2, PLOT_H - 18);
	fprintf(f, "<text x=\"20\" y=\"%d\" transform=\"rotate(-90 20 %d)\" "
	    "text-anchor=\"middle\">net (kg)</text>\n", (PLOT_TOP + PLOT_H - PLOT_BOTTOM) / 2,
	    (PLOT_TOP + PLOT_H - PLOT_BOTTOM) / 2);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#%06x\" "
	    "stroke-dasharray=\"8 5\" stroke-width=\"2\"/>\n", PLOT_LEFT, y_of(&fr, c->target_g / 1000.0),
	    PLOT_W - PLOT_RIGHT, y_of(&fr, c->target_g / 1000.0), COLOUR_TARGET);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#%06x\" "
	    "stroke-dasharray=\"4 4\" stroke-width=\"2\"/>\n", PLOT_LEFT,
	    y_of(&fr, (c->target_g - c->preact_g) / 1000.0), PLOT_W - PLOT_RIGHT,
	    y_of(&fr, (c->target_g - c->preact_g) / 1000.0), COLOUR_CUTPOINT);
	if (c->cutoff_ms != CURVE_NONE)
		fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#%06x\" "
		    "stroke-width=\"2\"/>\n", x_of(&fr, c->cutoff_ms / 1000.0), PLOT_TOP,
		    x_of(&fr, c->cutoff_ms / 1000.0), PLOT_H - PLOT_BOTTOM, COLOUR_CUTOFF);
	fprintf(f, "<polyline fill=\"none\" stroke=\"#%06x\" stroke-width=\"2\" points=\"",
	    COLOUR_CURVE);
	for (uint32_t i = 0; i < c->count; i++)
		fprintf(f, "%s%d,%d", i ? " " : "", x_of(&fr, c->t_ms[i] / 1000.0),
		    y_of(&fr, c->grams[i] / 1000.0));
	fprintf(f, "\"/>\n");
	for (int i = 0; i < 4; i++) {
		int y = PLOT_TOP + 20 + i * 18;
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"4\" fill=\"#%06x\"/>\n",
		    PLOT_LEFT + 16, y - 6, colours[i]);
		fprintf(f, "<text x=\"%d\" y=\"%d\">", PLOT_LEFT + 36, y);
		svg_escape(f, legend[i]);
		fprintf(f, "</text>\n");
	}
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
	    "stroke=\"#%06x\"/>\n</svg>\n", PLOT_LEFT, PLOT_TOP, PLOT_W - PLOT_LEFT - PLOT_RIGHT,
	    PLOT_H - PLOT_TOP - PLOT_BOTTOM, COLOUR_AXIS);
	return ferror(f) ? -1 : 0;
}

int
plot_curve_png(const struct curve *c, const char *title, const char *path, char *err,
    size_t errlen)
{
	struct plot_frame fr;
	struct raster r;
	char legend[4][96], label[32];
	static const uint32_t colours[4] = { COLOUR_TARGET, COLOUR_CUTPOINT, COLOUR_CUTOFF,
		COLOUR_CURVE };
	int rc;

	if (raster_init(&r, PLOT_W, PLOT_H, 0xffffff) == -1)
		return err_set(err, errlen, "%s: out of memory", path);
	plot_frame(c, &fr);
	plot_legend(c, legend);
	raster_text(&r, PLOT_LEFT, 18, title, 2, COLOUR_AXIS);
	for (double t = 0; t <= fr.t_max_s + 1e-9; t += fr.t_step_s) {
		raster_line(&r, x_of(&fr, t), PLOT_TOP, x_of(&fr, t), PLOT_H - PLOT_BOTTOM,
		    COLOUR_GRID, 1, 0);
		snprintf(label, sizeof(label), "%g", t);
		raster_text(&r, x_of(&fr, t) - raster_text_width(label, 1) / 2,
		    PLOT_H - PLOT_BOTTOM + 8, label, 1, COLOUR_AXIS);
	}
	for (double kg = 0; kg <= fr.kg_max + 1e-9; kg += fr.kg_step) {
		raster_line(&r, PLOT_LEFT, y_of(&fr, kg), PLOT_W - PLOT_RIGHT, y_of(&fr, kg),
		    COLOUR_GRID, 1, 0);
		snprintf(label, sizeof(label), "%g", kg);
		raster_text(&r, PLOT_LEFT - 8 - raster_text_width(label, 1), y_of(&fr, kg) - 3,
		    label, 1, COLOUR_AXIS);
	}
	raster_text(&r, (PLOT_LEFT + PLOT_W - PLOT_RIGHT) / 2 - 30, PLOT_H - 28, "time (s)", 1,
	    COLOUR_AXIS);
	raster_text(&r, 8, PLOT_TOP - 16, "net (kg)", 1, COLOUR_AXIS);
	raster_line(&r, PLOT_LEFT, y_of(&fr, c->target_g / 1000.0), PLOT_W - PLOT_RIGHT,
	    y_of(&fr, c->target_g / 1000.0), COLOUR_TARGET, 2, 8);
	raster_line(&r, PLOT_LEFT, y_of(&fr, (c->target_g - c->preact_g) / 1000.0),
	    PLOT_W - PLOT_RIGHT, y_of(&fr, (c->target_g - c->preact_g) / 1000.0), COLOUR_CUTPOINT,
	    2, 4);
	if (c->cutoff_ms != CURVE_NONE)
		raster_line(&r, x_of(&fr, c->cutoff_ms / 1000.0), PLOT_TOP,
		    x_of(&fr, c->cutoff_ms / 1000.0), PLOT_H - PLOT_BOTTOM, COLOUR_CUTOFF, 2, 0);
	for (uint32_t i = 1; i < c->count; i++)
		raster_line(&r, x_of(&fr, c->t_ms[i - 1] / 1000.0),
		    y_of(&fr, c->grams[i - 1] / 1000.0), x_of(&fr, c->t_ms[i] / 1000.0),
		    y_of(&fr, c->grams[i] / 1000.0), COLOUR_CURVE, 2, 0);
	for (int i = 0; i < 4; i++) {
		int y = PLOT_TOP + 14 + i * 16;
		raster_fill_rect(&r, PLOT_LEFT + 16, y + 2, 14, 4, colours[i]);
		raster_text(&r, PLOT_LEFT + 36, y, legend[i], 1, COLOUR_AXIS);
	}
	raster_line(&r, PLOT_LEFT, PLOT_TOP, PLOT_W - PLOT_RIGHT, PLOT_TOP, COLOUR_AXIS, 1, 0);
	raster_line(&r, PLOT_LEFT, PLOT_H - PLOT_BOTTOM, PLOT_W - PLOT_RIGHT, PLOT_H - PLOT_BOTTOM,
	    COLOUR_AXIS, 1, 0);
	raster_line(&r, PLOT_LEFT, PLOT_TOP, PLOT_LEFT, PLOT_H - PLOT_BOTTOM, COLOUR_AXIS, 1, 0);
	raster_line(&r, PLOT_W - PLOT_RIGHT, PLOT_TOP, PLOT_W - PLOT_RIGHT, PLOT_H - PLOT_BOTTOM,
	    COLOUR_AXIS, 1, 0);
	rc = raster_write_png(&r, path, err, errlen);
	raster_free(&r);
	return rc;
}

int
plot_curve_file(const struct curve *c, const char *title, const char *path, char *err,
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
	if (f == NULL)
		return err_set(err, errlen, "%s: %s", tmp, strerror(errno));
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
