/*
 * figpages: the console's figures (figures.h computes them; this draws).
 *
 *   /figures?from=DAY&to=DAY          every figure: a chart drawn here as
 *                                     SVG, inline, and its table
 *   /figures/NAME.svg?from=&to=       one chart as an SVG file
 *   /figures/NAME.csv?from=&to=       one figure's table as CSV (the same
 *                                     columns as gastrace --csv figures NAME)
 *
 * The charts are drawn on the server, with no script and no library in the
 * browser: bars of fixed geometry in a viewBox that scales to the screen
 * (360 px phones included), colours as SVG attributes (a CSP without
 * inline style allows them), every text from the database through
 * page_text.  Two shapes serve every figure: columns per day (stacked by
 * station for fills, one series for the real-name share) and rows per
 * thing (violations per rule and township, cases per township, cylinders
 * per owner).
 */
#include <inttypes.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "log.h"
#include "util.h"
#include "web.h"

#define STACKED 6 /* stations drawn apart in the fills chart; the rest are "others" */
#define SERIES_MAX (STACKED + 1)

static const char *const colours[SERIES_MAX] = { "#0b4f8a", "#e49b0f", "#1e8e3e", "#c5221f",
	"#7b3fa0", "#00838f", "#8d99a6" };

/* The words of the figures, by key: a page speaks its request's language. */
static const struct {
	const char *key, *zh, *en;
} words_fig[] = {
	{ "title", "统计图表", "Figures" },
	{ "fills", "每日各站充装量", "Fills per day per station" },
	{ "realname", "实名制率（每日）", "Real-name rate per day" },
	{ "violations", "违规（按规则和乡镇）", "Violations by rule and township" },
	{ "cases", "案件（按乡镇）", "Cases per township" },
	{ "inspections", "逾期未检气瓶（按产权单位）",
	    "Cylinders overdue for inspection, by owner" },
	{ "table", "数据表", "Table" },
	{ "others", "其他", "others" },
	{ "period", "统计期间", "Period" },
	{ "show", "显示", "Show" },
	{ "none", "本期间无数据。", "Nothing in this period." },
	{ "bad", "日期无效：请使用 YYYY-MM-DD，最长 366 天。",
	    "Invalid dates: use YYYY-MM-DD, at most 366 days." },
	{ "day", "日期", "Day" },
	{ "station", "充装站", "Station" },
	{ "real_name", "实名", "Real-name" },
	{ "real_name_percent", "实名率 %", "Real-name %" },
	{ "rule", "规则", "Rule" },
	{ "township", "乡镇", "Township" },
	{ "count", "次数", "Count" },
	{ "opened", "新立", "Opened" },
	{ "closed", "办结", "Closed" },
	{ "dismissed", "撤销", "Dismissed" },
	{ "open", "未结", "Open" },
	{ "overdue", "逾期", "Overdue" },
	{ "escalated", "督办", "Escalated" },
	{ "median_accept_s", "受理中位时长 (秒)", "Median to accept (s)" },
	{ "median_close_s", "办结中位时长 (秒)", "Median to close (s)" },
	{ "owner", "产权单位", "Owner" },
	{ "active", "在用", "Active" },
	{ "due_30d", "30 天内到期", "Due within 30 days" },
	{ "fills_col", "充装", "Fills" },
	{ "hours", "小时", "h" },
};

static const char *
fw(const struct request *r, const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(words_fig) / sizeof(words_fig[0]); i++)
		if (strcmp(words_fig[i].key, key) == 0)
			return r->lang == LANG_EN ? words_fig[i].en : words_fig[i].zh;
	return key;
}

/* ---- the two chart shapes ----------------------------------------------------------- */

struct series {
	const char *name;
	const int64_t *values; /* one per category */
};

#define CHART_W 720.0
#define LEFT 56.0
#define RIGHT 12.0
#define TOP 34.0

static void
svg_open(struct page *p, double height, const char *title)
{
	page_rawf(p,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 %.0f %.0f\" "
	    "role=\"img\" font-family=\"sans-serif\" font-size=\"13\"><title>",
	    CHART_W, height);
	page_text(p, title);
	page_rawf(p, "</title><rect width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>", CHART_W,
	    height);
}

static void
legend(struct page *p, const struct series *s, size_t ns)
{
	double x = LEFT;
	size_t i;

	for (i = 0; i < ns; i++) {
		page_rawf(p, "<rect x=\"%.0f\" y=\"8\" width=\"12\" height=\"12\" fill=\"%s\"/>", x,
		    colours[i % SERIES_MAX]);
		page_rawf(p, "<text x=\"%.0f\" y=\"19\">", x + 16);
		page_text(p, s[i].name);
		page_raw(p, "</text>");
		x += 28 + 8.0 * (double)strlen(s[i].name);
	}
}

/* A round top for an axis: 1, 2 or 5 times a power of ten, at least max. */
static int64_t
round_top(int64_t max)
{
	int64_t step = 1;

	if (max <= 0)
		return 1;
	for (;;) {
		if (max <= step)
			return step;
		if (max <= 2 * step)
			return 2 * step;
		if (max <= 5 * step)
			return 5 * step;
		step *= 10;
	}
}

/* Columns per category (days), the series stacked; top fixed (>0) or found. */
static void
chart_columns(struct page *p, const char *title, char (*labels)[FIGURES_DAY], size_t n,
    const struct series *s, size_t ns, int64_t top, const char *unit)
{
	const double height = 300, bottom = 40, plot_h = height - TOP - bottom;
	const double plot_w = CHART_W - LEFT - RIGHT;
	double slot = n > 0 ? plot_w / (double)n : plot_w, bar = slot * 0.8, y;
	size_t i, j, every = n > 12 ? (n + 11) / 12 : 1;
	int64_t max = 0, sum;

	for (i = 0; i < n; i++) {
		for (sum = 0, j = 0; j < ns; j++)
			sum += s[j].values[i] > 0 ? s[j].values[i] : 0;
		if (sum > max)
			max = sum;
	}
	if (top <= 0)
		top = round_top(max);
	svg_open(p, height, title);
	legend(p, s, ns);
	for (j = 0; j <= 2; j++) { /* the axis at 0, half and the top */
		y = TOP + plot_h - plot_h * (double)j / 2;
		page_rawf(p,
		    "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#d5dae0\"/>"
		    "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%" PRId64 "%s</text>",
		    LEFT, CHART_W - RIGHT, y, y, LEFT - 6, y + 4, top * (int64_t)j / 2, unit);
	}
	for (i = 0; i < n; i++) {
		double x = LEFT + slot * (double)i + (slot - bar) / 2, base = TOP + plot_h;

		for (j = 0; j < ns; j++) {
			double h =
			    s[j].values[i] > 0 ? plot_h * (double)s[j].values[i] / (double)top : 0;

			if (h <= 0)
				continue;
			base -= h;
			page_rawf(p,
			    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
			    "<title>",
			    x, base, bar, h, colours[j % SERIES_MAX]);
			page_text(p, labels[i]);
			page_raw(p, " ");
			page_text(p, s[j].name);
			page_rawf(p, ": %" PRId64 "%s</title></rect>", s[j].values[i], unit);
		}
		if (i % every == 0) {
			page_rawf(p, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">",
			    x + bar / 2, height - bottom + 18);
			page_text(p, labels[i] + 5); /* MM-DD */
			page_raw(p, "</text>");
		}
	}
	page_raw(p, "</svg>");
}

/* Rows per category (a rule and township, a township, an owner), the series
 * side by side. */
static void
chart_rows(struct page *p, const char *title, const char *const *labels, size_t n,
    const struct series *s, size_t ns)
{
	const double label_w = 200, row_h = 10 + 14 * (double)ns;
	const double plot_w = CHART_W - label_w - RIGHT - 40;
	double height = TOP + row_h * (double)(n > 0 ? n : 1) + 16;
	int64_t max = 0, top;
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < ns; j++)
			if (s[j].values[i] > max)
				max = s[j].values[i];
	top = round_top(max);
	svg_open(p, height, title);
	legend(p, s, ns);
	for (i = 0; i < n; i++) {
		double y = TOP + row_h * (double)i;

		page_rawf(p, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", label_w - 8,
		    y + row_h / 2 + 4);
		page_text(p, labels[i]);
		page_raw(p, "</text>");
		for (j = 0; j < ns; j++) {
			int64_t v = s[j].values[i] > 0 ? s[j].values[i] : 0;
			double w = plot_w * (double)v / (double)top;

			page_rawf(p,
			    "<rect x=\"%.0f\" y=\"%.1f\" width=\"%.1f\" height=\"12\" fill=\"%s\">"
			    "<title>",
			    label_w, y + 5 + 14 * (double)j, w, colours[j % SERIES_MAX]);
			page_text(p, s[j].name);
			page_rawf(p,
			    ": %" PRId64 "</title></rect><text x=\"%.1f\" y=\"%.1f\">%" PRId64
			    "</text>",
			    v, label_w + w + 4, y + 15 + 14 * (double)j, v);
		}
	}
	page_raw(p, "</svg>");
}

/* ---- each figure as a chart --------------------------------------------------------- */

/* A figure's categories and series, owned here; freed by chart_free. */
struct chart {
	size_t n, ns;
	char (*days)[FIGURES_DAY];
	char **labels;
	int64_t *values; /* ns * n */
	struct series series[SERIES_MAX];
	char names[SERIES_MAX][ACCESS_MAX_IDENTITY];
};

static void
chart_free(struct chart *c)
{
	size_t i;

	for (i = 0; c->labels != NULL && i < c->n; i++)
		free(c->labels[i]);
	free(c->labels);
	free(c->days);
	free(c->values);
	memset(c, 0, sizeof(*c));
}

static int
chart_alloc(struct chart *c, size_t n, size_t ns, int days)
{
	size_t j;

	memset(c, 0, sizeof(*c));
	c->n = n;
	c->ns = ns;
	c->values = calloc(n * ns + 1, sizeof(*c->values));
	if (days)
		c->days = calloc(n + 1, sizeof(*c->days));
	else
		c->labels = calloc(n + 1, sizeof(*c->labels));
	if (c->values == NULL || (days ? (void *)c->days : (void *)c->labels) == NULL)
		return -1;
	for (j = 0; j < ns; j++) {
		c->series[j].values = c->values + j * n;
		c->series[j].name = c->names[j];
	}
	return 0;
}

static int
label(struct chart *c, size_t i, const char *a, const char *b)
{
	static const char between[] = " · "; /* four bytes: the dot is two in UTF-8 */
	size_t len = strlen(a) + (b != NULL ? strlen(between) + strlen(b) : 0) + 1;

	if ((c->labels[i] = malloc(len)) == NULL)
		return -1;
	snprintf(c->labels[i], len, "%s%s%s", a, b != NULL ? between : "", b != NULL ? b : "");
	return 0;
}

/* The stations with the most fills in the period, the first STACKED. */
static void
top_stations(const struct figures *f, char (*names)[ACCESS_MAX_IDENTITY], size_t *count)
{
	int64_t best[STACKED] = { 0 }, total;
	size_t i, j, k, n = 0;

	for (i = 0; i < f->fill_count; i++) {
		int seen = 0;

		for (j = 0; j < i && !seen; j++)
			seen = strcmp(f->fills[j].station, f->fills[i].station) == 0;
		if (seen)
			continue;
		for (total = 0, j = i; j < f->fill_count; j++)
			if (strcmp(f->fills[j].station, f->fills[i].station) == 0)
				total += f->fills[j].fills;
		for (k = 0; k < n && best[k] >= total; k++)
			;
		if (k >= STACKED)
			continue;
		if (n < STACKED)
			n++;
		memmove(&best[k + 1], &best[k], (n - 1 - k) * sizeof(best[0]));
		memmove(&names[k + 1], &names[k], (n - 1 - k) * sizeof(names[0]));
		best[k] = total;
		str_copy(names[k], f->fills[i].station, sizeof(names[k]));
	}
	*count = n;
}

static size_t
day_index(const struct figures *f, const char *day)
{
	size_t i;

	for (i = 0; i < f->day_count; i++)
		if (strcmp(f->days[i].day, day) == 0)
			return i;
	return f->day_count;
}

/* Draw figure name of f into p; -1 when out of memory. */
static int
draw(const struct request *r, struct page *p, const struct figures *f, const char *name)
{
	struct chart c;
	size_t i, j, d, n = 0;
	int rc = 0;

	if (strcmp(name, "fills") == 0) {
		char top[STACKED][ACCESS_MAX_IDENTITY];
		int others = 0;

		top_stations(f, top, &n);
		if (chart_alloc(&c, f->day_count, n + 1, 1) == -1)
			goto oom;
		for (j = 0; j < n; j++)
			str_copy(c.names[j], top[j], sizeof(c.names[j]));
		str_copy(c.names[n], fw(r, "others"), sizeof(c.names[n]));
		for (i = 0; i < f->day_count; i++)
			str_copy(c.days[i], f->days[i].day, FIGURES_DAY);
		for (i = 0; i < f->fill_count; i++) {
			if ((d = day_index(f, f->fills[i].day)) == f->day_count)
				continue;
			for (j = 0; j < n && strcmp(top[j], f->fills[i].station) != 0; j++)
				;
			c.values[j * c.n + d] += f->fills[i].fills;
			if (j == n)
				others = 1;
		}
		chart_columns(p, fw(r, name), c.days, c.n, c.series, others ? n + 1 : n, 0, "");
	} else if (strcmp(name, "realname") == 0) {
		if (chart_alloc(&c, f->day_count, 1, 1) == -1)
			goto oom;
		str_copy(c.names[0], fw(r, "real_name_percent"), sizeof(c.names[0]));
		for (i = 0; i < f->day_count; i++) {
			str_copy(c.days[i], f->days[i].day, FIGURES_DAY);
			c.values[i] = f->days[i].permille >= 0 ? f->days[i].permille / 10 : 0;
		}
		chart_columns(p, fw(r, name), c.days, c.n, c.series, 1, 100, "%");
	} else if (strcmp(name, "violations") == 0) {
		if (chart_alloc(&c, f->violation_count, 1, 0) == -1)
			goto oom;
		str_copy(c.names[0], fw(r, "count"), sizeof(c.names[0]));
		for (i = 0; i < c.n; i++) {
			const struct geo_township *t =
			    geo_township(&r->web->map, f->violations[i].township);
			const char *rule = rule_word(r->lang, f->violations[i].rule);
			char named[128];

			/* "R20 超量充装 · 甲镇": the rule by its name, the township by its */
			snprintf(named, sizeof(named), "%s%s%s", f->violations[i].rule,
			    rule != NULL ? " " : "", rule != NULL ? rule : "");
			if (label(&c, i, named,
			        t != NULL ? (r->lang == LANG_EN ? t->name_en : t->name_zh)
			                  : f->violations[i].township) == -1)
				goto oom_c;
			c.values[i] = f->violations[i].count;
		}
		chart_rows(p, fw(r, name), (const char *const *)c.labels, c.n, c.series, 1);
	} else if (strcmp(name, "cases") == 0) {
		static const char *const keys[] = { "opened", "closed", "overdue" };

		if (chart_alloc(&c, f->case_count, 3, 0) == -1)
			goto oom;
		for (j = 0; j < 3; j++)
			str_copy(c.names[j], fw(r, keys[j]), sizeof(c.names[j]));
		for (i = 0; i < c.n; i++) {
			const struct geo_township *t =
			    geo_township(&r->web->map, f->cases[i].township);

			if (label(&c, i,
			        t != NULL ? (r->lang == LANG_EN ? t->name_en : t->name_zh)
			                  : f->cases[i].township,
			        NULL) == -1)
				goto oom_c;
			c.values[i] = f->cases[i].opened;
			c.values[c.n + i] = f->cases[i].closed;
			c.values[2 * c.n + i] = f->cases[i].overdue;
		}
		chart_rows(p, fw(r, name), (const char *const *)c.labels, c.n, c.series, 3);
	} else {
		if (chart_alloc(&c, f->inspection_count, 2, 0) == -1)
			goto oom;
		str_copy(c.names[0], fw(r, "overdue"), sizeof(c.names[0]));
		str_copy(c.names[1], fw(r, "due_30d"), sizeof(c.names[1]));
		for (i = 0; i < c.n; i++) {
			if (label(&c, i, f->inspections[i].owner, NULL) == -1)
				goto oom_c;
			c.values[i] = f->inspections[i].overdue;
			c.values[c.n + i] = f->inspections[i].due_soon;
		}
		chart_rows(p, fw(r, name), (const char *const *)c.labels, c.n, c.series, 2);
	}
	chart_free(&c);
	return rc;
oom_c:
	chart_free(&c);
oom:
	p->failed = 1;
	return -1;
}

/* ---- tables: HTML and CSV from figures_table ---------------------------------------- */

struct table_out {
	const struct request *r;
	struct page *p;
	size_t rows;
	int csv;
	int named; /* 1: the column rule_col holds rule codes, shown with their names */
	size_t rule_col;
};

static void
html_row(void *ctx, const char *const *cells, size_t n)
{
	struct table_out *t = ctx;
	size_t i;

	page_raw(t->p, "<tr>");
	for (i = 0; i < n; i++) {
		const char *name = t->rows > 0 && t->named && i == t->rule_col
		                       ? rule_word(t->r->lang, cells[i])
		                       : NULL;

		if (t->rows == 0 && strcmp(cells[i], "rule") == 0) {
			t->named = 1;
			t->rule_col = i;
		}
		page_raw(t->p, t->rows == 0 ? "<th>" : "<td>");
		page_text(t->p,
		    t->rows == 0 ? fw(t->r, strcmp(cells[i], "fills") == 0 ? "fills_col" : cells[i])
		                 : cells[i]);
		if (name != NULL) { /* the CSV keeps the code alone */
			page_raw(t->p, " ");
			page_text(t->p, name);
		}
		page_raw(t->p, t->rows == 0 ? "</th>" : "</td>");
	}
	page_raw(t->p, "</tr>");
	t->rows++;
}

static void
csv_row(void *ctx, const char *const *cells, size_t n)
{
	struct table_out *t = ctx;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			page_raw(t->p, ",");
		page_csv(t->p, cells[i]);
	}
	page_raw(t->p, "\r\n");
	t->rows++;
}

/* ---- the requests ------------------------------------------------------------------- */

/*
 * Figures are counts over whole days: computed once, they serve the same
 * period and scope for CACHE_MS (as CBOR, decoded per request), so that a
 * room of regulators opening the page does not count a month of fills
 * each, holding the database handle every other page waits for.
 */
#define CACHE_SLOTS 8
#define CACHE_MS 60000

static struct cached {
	int64_t from_ms, to_ms, made_ms;
	struct access_scope scope;
	uint8_t *cbor;
	size_t len;
} cache[CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static int
same_scope(const struct access_scope *a, const struct access_scope *b)
{
	return a->reach == b->reach && strcmp(a->station, b->station) == 0 &&
	       strcmp(a->township, b->township) == 0 && strcmp(a->person, b->person) == 0;
}

/* A copy of the cached answer for the period and scope, or NULL. */
static uint8_t *
cache_get(const struct access_scope *scope, int64_t from_ms, int64_t to_ms, int64_t now,
    size_t *len)
{
	uint8_t *copy = NULL;
	size_t i;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < CACHE_SLOTS; i++) {
		struct cached *c = &cache[i];

		if (c->cbor == NULL || c->from_ms != from_ms || c->to_ms != to_ms ||
		    now - c->made_ms >= CACHE_MS || now < c->made_ms ||
		    !same_scope(&c->scope, scope))
			continue;
		if ((copy = malloc(c->len)) != NULL) {
			memcpy(copy, c->cbor, c->len);
			*len = c->len;
		}
		break;
	}
	pthread_mutex_unlock(&cache_lock);
	return copy;
}

/* Keep f's CBOR for the period and scope, in the oldest slot. */
static void
cache_put(const struct access_scope *scope, const struct figures *f, int64_t now)
{
	struct cached *oldest = &cache[0];
	uint8_t *cbor;
	size_t len, i;

	if (figures_encode(f, &cbor, &len) == -1)
		return;
	pthread_mutex_lock(&cache_lock);
	for (i = 1; i < CACHE_SLOTS; i++)
		if (cache[i].made_ms < oldest->made_ms)
			oldest = &cache[i];
	free(oldest->cbor);
	oldest->from_ms = f->from_ms;
	oldest->to_ms = f->to_ms;
	oldest->made_ms = now;
	oldest->scope = *scope;
	oldest->cbor = cbor;
	oldest->len = len;
	pthread_mutex_unlock(&cache_lock);
}

/* The period of the request's from= and to=, and the figures over it;
 * 0, 1 when the dates are bad (answered 400 by the caller), -1 on error. */
static int
load(struct request *r, struct figures *f, const char **from, const char **to)
{
	struct county_db *db;
	int64_t now = time_wall_ms(), from_ms, to_ms;
	char err[256];
	uint8_t *cbor;
	size_t len = 0;
	int rc;

	*from = request_arg(r, "from");
	*to = request_arg(r, "to");
	if ((*from != NULL && strlen(*from) > 10) || (*to != NULL && strlen(*to) > 10) ||
	    figures_period(*from, *to, now, &from_ms, &to_ms, err, sizeof(err)) == -1)
		return 1;
	if ((cbor = cache_get(&r->scope, from_ms, to_ms, now, &len)) != NULL) {
		rc = figures_decode(cbor, len, f, err, sizeof(err));
		free(cbor);
		if (rc == 0)
			return 0;
	}
	db = web_db_take(r, 1);
	rc = figures_compute(db, &r->scope, from_ms, to_ms, now, f, err, sizeof(err));
	county_pool_give(&r->web->pool, db);
	if (rc == -1) {
		log_warnx("figures: %s", err);
		return -1;
	}
	cache_put(&r->scope, f, now);
	return 0;
}

static void
period_link(struct page *p, const char *base, const char *name, const char *ext,
    const struct figures *f)
{
	page_raw(p, base);
	page_url(p, name);
	page_raw(p, ext);
	page_raw(p, "?from=");
	page_url(p, f->from_day);
	page_raw(p, "&amp;to=");
	page_url(p, f->to_day);
}

void
page_figures(struct request *r, struct reply *out)
{
	struct page *p = &out->body;
	struct figures f;
	struct table_out t;
	const char *from, *to;
	size_t i;
	int rc = load(r, &f, &from, &to);

	if (rc == -1) {
		reply_error(r, out, MHD_HTTP_INTERNAL_SERVER_ERROR, W_SERVER_ERROR, W_SERVER_ERROR);
		return;
	}
	if (rc == 1)
		out->status = MHD_HTTP_BAD_REQUEST;
	frame_open(r, out, fw(r, "title"));
	page_raw(p, "<h1>");
	page_text(p, fw(r, "title"));
	page_raw(p, "</h1><section class=\"card\"><form method=\"get\" action=\"/figures\" "
	            "id=\"figform\"><label>");
	page_text(p, word(r->lang, W_FROM));
	page_raw(p, "<input type=\"date\" name=\"from\" id=\"from\" value=\"");
	page_text(p, rc == 0 ? f.from_day : from);
	page_raw(p, "\"></label><label>");
	page_text(p, word(r->lang, W_TO));
	page_raw(p, "<input type=\"date\" name=\"to\" id=\"to\" value=\"");
	page_text(p, rc == 0 ? f.to_day : to);
	page_raw(p, "\"></label><button type=\"submit\" id=\"show\">");
	page_text(p, fw(r, "show"));
	page_raw(p, "</button></form>");
	if (rc == 1) {
		page_raw(p, "<p class=\"error\" id=\"error\">");
		page_text(p, fw(r, "bad"));
		page_raw(p, "</p></section>");
		frame_close(r, out);
		return;
	}
	page_raw(p, "<p class=\"hint\" id=\"period\">");
	page_text(p, fw(r, "period"));
	page_raw(p, ": ");
	page_text(p, f.from_day);
	page_raw(p, " – ");
	page_text(p, f.to_day);
	page_raw(p, "</p></section>");
	for (i = 0; figures_names[i] != NULL; i++) {
		const char *name = figures_names[i];

		/* the registry has no township: a scope without it shows nothing */
		if (strcmp(name, "inspections") == 0 && r->scope.reach != ACCESS_REACH_ALL)
			continue;
		page_raw(p, "<section class=\"card figure\" id=\"fig-");
		page_raw(p, name);
		page_raw(p, "\"><h2>");
		page_text(p, fw(r, name));
		page_raw(p, "</h2><div class=\"chartwrap\">");
		if (draw(r, p, &f, name) == -1)
			break;
		page_raw(p, "</div><p class=\"links\"><a class=\"button\" id=\"csv-");
		page_raw(p, name);
		page_raw(p, "\" href=\"");
		period_link(p, "/figures/", name, ".csv", &f);
		page_raw(p, "\">");
		page_text(p, word(r->lang, W_CSV));
		page_raw(p, "</a> <a class=\"button\" id=\"svg-");
		page_raw(p, name);
		page_raw(p, "\" href=\"");
		period_link(p, "/figures/", name, ".svg", &f);
		page_raw(p, "\">SVG</a></p><details><summary>");
		page_text(p, fw(r, "table"));
		page_raw(p,
		    "</summary><div class=\"scroll\"><table class=\"figtable\" id=\"table-");
		page_raw(p, name);
		page_raw(p, "\">");
		memset(&t, 0, sizeof(t));
		t.r = r;
		t.p = p;
		figures_table(&f, name, html_row, &t);
		page_raw(p, "</table></div></details></section>");
	}
	frame_close(r, out);
	figures_free(&f);
}

void
page_figure_file(struct request *r, struct reply *out)
{
	const char *file = r->path + strlen("/figures/"), *dot = strrchr(file, '.');
	char name[16];
	struct figures f;
	struct table_out t;
	const char *from, *to;
	size_t len = dot != NULL ? (size_t)(dot - file) : 0;
	int rc;

	if (dot == NULL || len >= sizeof(name) ||
	    (strcmp(dot, ".svg") != 0 && strcmp(dot, ".csv")) ||
	    (memcpy(name, file, len), name[len] = '\0', !figures_known(name))) {
		reply_error(r, out, MHD_HTTP_NOT_FOUND, W_NOT_FOUND, W_NOT_FOUND);
		return;
	}
	if ((rc = load(r, &f, &from, &to)) != 0) {
		if (rc == 1)
			reply_error(r, out, MHD_HTTP_BAD_REQUEST, W_BAD_REQUEST, W_BAD_REQUEST);
		else
			reply_error(r, out, MHD_HTTP_INTERNAL_SERVER_ERROR, W_SERVER_ERROR,
			    W_SERVER_ERROR);
		return;
	}
	if (strcmp(dot, ".svg") == 0) {
		out->content_type = "image/svg+xml; charset=utf-8";
		page_raw(&out->body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
		draw(r, &out->body, &f, name);
		page_raw(&out->body, "\n");
	} else {
		out->content_type = "text/csv; charset=utf-8";
		snprintf(out->disposition, sizeof(out->disposition),
		    "attachment; filename=\"%s-%s-%s.csv\"", name, f.from_day, f.to_day);
		memset(&t, 0, sizeof(t));
		t.r = r;
		t.p = &out->body;
		t.csv = 1;
		figures_table(&f, name, csv_row, &t);
	}
	figures_free(&f);
}
