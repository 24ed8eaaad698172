/*
 * pages: what the console shows.  Each handler gets a request that the
 * route table (http.c) has already let through, with the scope access.h
 * gave the person, and writes one answer; every value from the database, a
 * station, a form or the URL goes through page_text/page_csv/page_url.
 *
 *   /signin, /signout          sign-in per person, sign-out
 *   /map                       townships and stations with their health
 *   /trace, /trace.csv         a regulator's traces (cylinder, station, buyer)
 *   /c/CODE                    the public cylinder check (no sign-in)
 *   /static/app.css|app.js     the assets (assets.c)
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buyer.h"
#include "log.h"
#include "overview.h"
#include "stationstatus.h"
#include "stations.h"
#include "timetext.h"
#include "util.h"
#include "web.h"

#define COOKIE_ATTRS "Path=/; Secure; HttpOnly; SameSite=Strict"
/* the browser's device cookie (signin.h): a year, the most browsers keep */
#define DEVICE_COOKIE "__Host-gasweb-device"
#define DEVICE_MAX_AGE_S (365 * 86400)

/* ---- the frame --------------------------------------------------------------------- */

struct switch_link {
	struct page *p;
	int first;
};

static enum MHD_Result
keep_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct switch_link *l = cls;

	(void)kind;
	/* nor is a person's number typed into a field echoed back into the page */
	if (strcmp(key, "lang") == 0 ||
	    (value != NULL && buyer_text_has_number(value, strlen(value))))
		return MHD_YES;
	page_raw(l->p, l->first ? "?" : "&amp;");
	page_url(l->p, key);
	page_raw(l->p, "=");
	page_url(l->p, value);
	l->first = 0;
	return MHD_YES;
}

/* A path of this console escaped for an attribute, its '/' kept: one '/'
 * first, whatever the request's path began with, since "//host/..." (typed,
 * or "/%2F" decoded) is a link to another host in a browser. */
static void
page_url_path(struct page *p, const char *path)
{
	char one[2] = { 0, 0 };

	page_raw(p, "/");
	while (*path == '/')
		path++;
	for (; *path != '\0'; path++) {
		one[0] = *path;
		if (*path == '/')
			page_raw(p, "/");
		else
			page_url(p, one);
	}
}

/* The language switch: this page again (a GET's query kept) with
 * ?lang=zh or en, which http.c keeps in a cookie. */
static void
language_switch(struct request *r, struct page *p)
{
	static const char *const codes[] = { "zh", "en" };
	static const char *const names[] = { "中文", "English" };
	struct switch_link l;
	int i;

	page_raw(p, "<nav class=\"lang\" id=\"lang\">");
	for (i = 0; i < 2; i++) {
		if ((int)r->lang == i) {
			page_rawf(p, "<span aria-current=\"true\">%s</span>", names[i]);
			continue;
		}
		page_rawf(p, "<a id=\"lang-%s\" hreflang=\"%s\" href=\"", codes[i], codes[i]);
		l.p = p;
		l.first = 1;
		if (r->post) {
			page_raw(p, "/"); /* a form's answer: its page is not a GET */
		} else {
			page_url_path(p, r->path);
			MHD_get_connection_values(r->connection, MHD_GET_ARGUMENT_KIND, keep_arg,
			    &l);
		}
		page_rawf(p, "%slang=%s\">%s</a>", l.first ? "?" : "&amp;", codes[i], names[i]);
	}
	page_raw(p, "</nav>");
}

void
frame_open(struct request *r, struct reply *out, const char *title)
{
	struct page *p = &out->body;
	struct access_scope scope;

	page_rawf(p, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">",
	    r->lang == LANG_EN ? "en" : "zh-CN");
	page_raw(p, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	            "<link rel=\"stylesheet\" href=\"/static/app.css\">"
	            "<link rel=\"stylesheet\" href=\"/static/cases.css\">"
	            "<script src=\"/static/app.js\" defer></script>"
	            "<script src=\"/static/cases.js\" defer></script><title>");
	page_text(p, title);
	page_raw(p, " - ");
	page_text(p, word(r->lang, W_TITLE));
	page_raw(p, "</title></head><body><header class=\"bar\"><a class=\"brand\" href=\"/\">");
	page_text(p, r->web->config.county_name[0] != '\0' ? r->web->config.county_name
	                                                   : word(r->lang, W_TITLE));
	page_raw(p, "</a>");
	language_switch(r, p);
	if (r->signed_in) {
		page_raw(p, "<nav>");
		if (access_decide(&r->who, ACCESS_MAP_READ, &scope)) {
			page_raw(p, "<a href=\"/map\">");
			page_text(p, word(r->lang, W_MAP));
			page_raw(p, "</a>");
		}
		cases_nav(r, p);
		if (access_decide(&r->who, ACCESS_TRACE_READ, &scope)) {
			page_raw(p, "<a href=\"/trace\">");
			page_text(p, word(r->lang, W_TRACE));
			page_raw(p, "</a>");
		}
		if (access_decide(&r->who, ACCESS_FIGURES_READ, &scope)) {
			page_raw(p, "<a href=\"/figures\" id=\"nav-figures\">");
			page_text(p, r->lang == LANG_EN ? "Figures" : "统计图表");
			page_raw(p, "</a>");
		}
		page_raw(p, "<form method=\"post\" action=\"/signout\" class=\"inline\">"
		            "<input type=\"hidden\" name=\"csrf\" value=\"");
		page_text(p, r->session.csrf);
		page_raw(p, "\"><button id=\"signout\" type=\"submit\">");
		page_text(p, word(r->lang, W_SIGNOUT));
		page_raw(p, "</button></form></nav><div class=\"who\" id=\"who\">");
		page_text(p, word(r->lang, W_SIGNED_IN_AS));
		page_raw(p, ": ");
		page_text(p, r->who.identity);
		page_raw(p, "</div>");
	}
	page_raw(p, "</header><main>");
}

void
frame_close(struct request *r, struct reply *out)
{
	struct page *p = &out->body;

	page_raw(p, "</main><footer>");
	page_text(p, word(r->lang, W_TIMES_IN));
	page_raw(p, " ");
	page_text(p, r->web->config.timezone[0] != '\0' ? r->web->config.timezone : "UTC");
	if (r->web->config.hotline[0] != '\0') {
		page_raw(p, " · ");
		page_text(p, word(r->lang, W_HOTLINE));
		page_raw(p, " ");
		page_text(p, r->web->config.hotline);
	}
	page_raw(p, "</footer></body></html>\n");
}

void
reply_error(struct request *r, struct reply *out, int status, enum word title, enum word text)
{
	page_free(&out->body);
	out->status = status;
	out->content_type = "text/html; charset=utf-8";
	frame_open(r, out, word(r->lang, title));
	page_raw(&out->body, "<h1>");
	page_text(&out->body, word(r->lang, title));
	page_rawf(&out->body, " <small>(%d)</small></h1><p class=\"error\" id=\"error\">", status);
	page_text(&out->body, word(r->lang, text));
	page_raw(&out->body, "</p>");
	frame_close(r, out);
}

void
redirect(struct reply *out, const char *to)
{
	out->status = MHD_HTTP_SEE_OTHER;
	str_copy(out->location, to, sizeof(out->location));
	out->content_type = "text/plain; charset=utf-8";
	page_raw(&out->body, to);
	page_raw(&out->body, "\n");
}

static void
client_address(const struct request *r, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(r->connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

	str_copy(out, "?", size);
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
		    (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
		    (socklen_t)size);
}

/* ---- sign-in ------------------------------------------------------------------------ */

static void
signin_form(struct request *r, struct reply *out, enum word message)
{
	struct page *p = &out->body;

	frame_open(r, out, word(r->lang, W_SIGNIN));
	page_raw(p, "<section class=\"card narrow\"><h1>");
	page_text(p, word(r->lang, W_SIGNIN));
	page_raw(p, "</h1>");
	if (message != W_COUNT) {
		page_raw(p, "<p class=\"error\" id=\"error\">");
		page_text(p, word(r->lang, message));
		page_raw(p, "</p>");
	}
	page_raw(p, "<form method=\"post\" action=\"/signin\" id=\"signin\">"
	            "<input type=\"hidden\" name=\"csrf\" value=\"");
	page_text(p, r->session.csrf);
	page_raw(p, "\"><label>");
	page_text(p, word(r->lang, W_IDENTITY));
	page_raw(p, "<input name=\"identity\" id=\"identity\" autocomplete=\"username\" required "
	            "placeholder=\"officer:NAME@TOWNSHIP\" value=\"");
	page_text(p, request_field(r, "identity"));
	page_raw(p, "\"></label><label>");
	page_text(p, word(r->lang, W_PASSWORD));
	page_raw(p, "<input type=\"password\" name=\"password\" id=\"password\" "
	            "autocomplete=\"current-password\" required></label><button type=\"submit\" "
	            "id=\"go\">");
	page_text(p, word(r->lang, W_SIGNIN));
	page_raw(p, "</button></form></section>");
	frame_close(r, out);
}

/* A fresh anonymous session for the form, when the visitor has none. */
static int
ensure_session(struct request *r, struct reply *out)
{
	if (r->session.token[0] != '\0')
		return 0;
	if (signin_anonymous(r->web->store, time_wall_ms(), &r->session) == -1)
		return -1;
	snprintf(out->cookie, sizeof(out->cookie), "__Host-gasweb=%s; " COOKIE_ATTRS,
	    r->session.token);
	return 0;
}

void
page_signin_form(struct request *r, struct reply *out)
{
	if (r->signed_in) {
		redirect(out, "/");
		return;
	}
	if (ensure_session(r, out) == -1) {
		reply_error(r, out, MHD_HTTP_SERVICE_UNAVAILABLE, W_SIGNIN, W_FULL);
		return;
	}
	signin_form(r, out, W_COUNT);
}

void
page_signin_post(struct request *r, struct reply *out)
{
	const char *identity = request_field(r, "identity"),
	           *password = request_field(r, "password");
	struct signin_passwords passwords, nobody = { 0 };
	struct signin_session fresh;
	struct signin_device device = { 0 };
	struct access_identity who;
	enum signin_result res;
	char err[512], addr[64], until[48];
	int64_t locked_until = 0;
	int person;

	client_address(r, addr, sizeof(addr));
	if (identity == NULL || password == NULL ||
	    access_identity_parse((const uint8_t *)identity, strlen(identity), &who) == -1) {
		log_info("sign-in from %s refused: not an identity", addr);
		out->status = MHD_HTTP_UNAUTHORIZED;
		signin_form(r, out, W_BAD_PASSWORD);
		return;
	}
	/* read at every sign-in, so that gasweb passwd takes effect at once */
	if (signin_passwords_load(r->web->config.passwords, &passwords, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		reply_error(r, out, MHD_HTTP_INTERNAL_SERVER_ERROR, W_SERVER_ERROR, W_SERVER_ERROR);
		return;
	}
	/* a password line is worth nothing without the county's identity: one it
	 * removed (or never had) is signed in against no line, as an identity
	 * unknown to the file is (the same hash worked, the same count and
	 * answer as a wrong password), so that the answer tells nothing of who
	 * exists or was removed */
	if ((person = web_person(r->web, who.identity)) == -1) {
		signin_passwords_free(&passwords);
		reply_error(r, out, MHD_HTTP_INTERNAL_SERVER_ERROR, W_SERVER_ERROR, W_SERVER_ERROR);
		return;
	}
	device.cookie = MHD_lookup_connection_value(r->connection, MHD_COOKIE_KIND, DEVICE_COOKIE);
	res = signin_attempt_device(r->web->store, person ? &passwords : &nobody, who.identity,
	    addr, &device, password, strlen(password), time_wall_ms(), &fresh, &locked_until);
	signin_passwords_free(&passwords);
	switch (res) {
	case SIGNIN_OK:
		log_info("signed in: %s from %s%s", who.identity, addr,
		    device.trusted ? " (a known device)" : "");
		signin_session_end(r->web->store, r->session.token); /* the form's session */
		snprintf(out->cookie, sizeof(out->cookie), "__Host-gasweb=%s; " COOKIE_ATTRS,
		    fresh.token);
		explicit_bzero(&fresh, sizeof(fresh));
		if (device.fresh[0] != '\0')
			snprintf(out->device_cookie, sizeof(out->device_cookie),
			    DEVICE_COOKIE "=%s; Max-Age=%d; " COOKIE_ATTRS, device.fresh,
			    DEVICE_MAX_AGE_S);
		explicit_bzero(&device, sizeof(device));
		redirect(out, "/");
		return;
	case SIGNIN_LOCKED:
		format_time(locked_until, until, sizeof(until));
		log_warnx("sign-in of %s from %s refused: locked until %s%s", who.identity, addr,
		    until, device.cookie != NULL ? " (its device cookie not trusted)" : "");
		out->status = MHD_HTTP_TOO_MANY_REQUESTS;
		signin_form(r, out, W_LOCKED);
		return;
	case SIGNIN_FULL:
		reply_error(r, out, MHD_HTTP_SERVICE_UNAVAILABLE, W_SIGNIN, W_FULL);
		return;
	case SIGNIN_BAD:
	default:
		log_warnx("sign-in of %s from %s refused: %s%s%s", who.identity, addr,
		    person ? "wrong password" : "not one of the county's identities",
		    device.trusted ? " from a known device" : "",
		    locked_until != 0 ? " (now locked)" : "");
		out->status =
		    locked_until != 0 ? MHD_HTTP_TOO_MANY_REQUESTS : MHD_HTTP_UNAUTHORIZED;
		signin_form(r, out, locked_until != 0 ? W_LOCKED : W_BAD_PASSWORD);
		return;
	}
}

void
page_signout(struct request *r, struct reply *out)
{
	log_info("signed out: %s", r->who.identity);
	signin_session_end(r->web->store, r->session.token);
	snprintf(out->cookie, sizeof(out->cookie), "__Host-gasweb=; Max-Age=0; " COOKIE_ATTRS);
	redirect(out, "/signin");
}

void
page_home(struct request *r, struct reply *out)
{
	struct access_scope scope;

	if (!r->signed_in) {
		redirect(out, "/signin");
		return;
	}
	if (access_decide(&r->who, ACCESS_MAP_READ, &scope)) {
		redirect(out, "/map");
		return;
	}
	if (access_decide(&r->who, ACCESS_CASES_READ, &scope)) { /* a grid worker */
		redirect(out, "/cases");
		return;
	}
	frame_open(r, out, word(r->lang, W_TITLE));
	page_raw(&out->body, "<section class=\"card\"><h1>");
	page_text(&out->body, word(r->lang, W_TITLE));
	page_raw(&out->body, "</h1></section>");
	frame_close(r, out);
}

/* ---- the map --------------------------------------------------------------------------- */

#define MAP_ROWS 4096

enum health { HEALTH_OK, HEALTH_WARN, HEALTH_BAD };

static enum health
health_of(const struct request *r, const struct wire_station *s, int64_t now)
{
	if (s->last_seen_ms == 0 || now - s->last_seen_ms > (int64_t)r->web->config.silent_s * 1000)
		return HEALTH_BAD;
	if (s->backlog > 0 || s->max_seq > s->hwm || s->clock_wrong)
		return HEALTH_WARN;
	return HEALTH_OK;
}

static int64_t
count_of(const struct overview_count *rows, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(rows[i].name, name) == 0)
			return rows[i].count;
	return 0;
}

static const char *
shade(int64_t open)
{
	return open == 0 ? "t0" : open < 3 ? "t1" : open < 10 ? "t2" : "t3";
}

/* A station's name and address from the county's register ("" when it is
 * not registered), beside the map's list of stations. */
struct station_label {
	char name[STATIONS_NAME];
	char address[STATIONS_ADDRESS];
};

static void
map_svg(struct request *r, struct page *p, const struct wire_station_list *list,
    const struct station_label *labels, const struct overview_count *alerts, size_t nalerts,
    int64_t now)
{
	const struct geo_map *map = &r->web->map;
	size_t i, j, k, unplaced = 0;

	page_rawf(p,
	    "<svg class=\"map\" id=\"map\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
	    "preserveAspectRatio=\"xMidYMid meet\" xmlns=\"http://www.w3.org/2000/svg\">",
	    map->width, map->height);
	for (i = 0; i < map->township_count; i++) {
		const struct geo_township *t = &map->townships[i];
		int mine = access_scope_covers(&r->scope, NULL, t->code);
		int64_t open = mine ? count_of(alerts, nalerts, t->code) : 0;

		if (mine) { /* a click goes to its row below the map */
			page_raw(p, "<a href=\"#tw-");
			page_url(p, t->code);
			page_raw(p, "\">");
		}
		page_rawf(p, "<g class=\"township %s\" data-township=\"",
		    mine ? shade(open) : "tx");
		page_text(p, t->code);
		page_raw(p, "\"><title>");
		page_text(p, r->lang == LANG_EN ? t->name_en : t->name_zh);
		if (mine)
			page_rawf(p, " · %s %" PRId64, word(r->lang, W_OPEN_CASES), open);
		page_raw(p, "</title><path d=\"");
		for (j = 0; j < t->ring_count; j++) {
			for (k = 0; k < t->rings[j].count; k++)
				page_rawf(p, "%c%.1f %.1f", k == 0 ? 'M' : 'L',
				    t->rings[j].points[k].x, t->rings[j].points[k].y);
			page_raw(p, "Z");
		}
		page_rawf(p, "\"/><text x=\"%.1f\" y=\"%.1f\">", t->label.x, t->label.y - 24);
		page_text(p, r->lang == LANG_EN ? t->name_en : t->name_zh);
		page_raw(p, mine ? "</text></g></a>" : "</text></g>");
	}
	for (i = 0; i < list->count; i++) {
		const struct wire_station *s = &list->stations[i];
		const struct geo_station *g = geo_station(map, s->id);
		const struct geo_township *t = geo_township(map, s->township);
		static const char *const cls[] = { "ok", "warn", "bad" };
		double x, y;

		if (g != NULL) {
			x = g->at.x;
			y = g->at.y;
		} else if (t != NULL) { /* no point of its own: beside its township's name */
			x = t->label.x - 60 + (double)(unplaced % 5) * 30;
			y = t->label.y + 20 + (double)(unplaced / 5 % 4) * 30;
			unplaced++;
		} else {
			continue;
		}
		page_raw(p, "<a href=\"#st-");
		page_url(p, s->id);
		page_rawf(p, "\"><circle class=\"pin %s\" cx=\"%.1f\" cy=\"%.1f\" r=\"16\"><title>",
		    cls[health_of(r, s, now)], x, y);
		page_text(p, s->id);
		if (labels != NULL && labels[i].name[0] != '\0') {
			page_raw(p, " · ");
			page_text(p, labels[i].name);
		}
		page_raw(p, "</title></circle></a>");
	}
	page_raw(p, "</svg>");
}

static void
station_card(struct request *r, struct page *p, const struct wire_station *s,
    const struct station_label *label, int64_t fills, int64_t now)
{
	static const enum word hw[] = { W_HEALTH_OK, W_HEALTH_WARN, W_HEALTH_BAD };
	static const char *const cls[] = { "ok", "warn", "bad" };
	const struct geo_township *t = geo_township(&r->web->map, s->township);
	enum health h = health_of(r, s, now);
	enum station_status_rest rest;
	struct access_scope trace;
	const char *other;
	long long aside;
	char when[48], text[128];

	page_raw(p, "<article class=\"card station ");
	page_raw(p, cls[h]);
	page_raw(p, "\" id=\"st-");
	page_url(p, s->id);
	page_raw(p, "\"><h3><span class=\"dot ");
	page_raw(p, cls[h]);
	page_raw(p, "\"></span><span class=\"sid\">");
	page_text(p, s->id);
	page_raw(p, "</span> ");
	if (label != NULL && label->name[0] != '\0') {
		page_raw(p, "<span class=\"sname\">");
		page_text(p, label->name);
		page_raw(p, "</span> ");
	}
	page_raw(p, "<small>");
	page_text(p, word(r->lang, hw[h]));
	page_raw(p, "</small></h3>");
	if (label != NULL && label->address[0] != '\0') {
		page_raw(p, "<p class=\"saddr\">");
		page_text(p, label->address);
		page_raw(p, "</p>");
	}
	page_raw(p, "<dl><dt>");
	page_text(p, word(r->lang, W_TOWNSHIP));
	page_raw(p, "</dt><dd>");
	page_text(p, t != NULL ? (r->lang == LANG_EN ? t->name_en : t->name_zh) : s->township);
	page_raw(p, "</dd><dt>");
	page_text(p, word(r->lang, W_LAST_HEARTBEAT));
	page_raw(p, "</dt><dd>");
	if (s->last_seen_ms == 0) {
		page_text(p, word(r->lang, W_NEVER));
	} else {
		format_time(s->last_seen_ms, when, sizeof(when));
		page_text(p, when);
	}
	page_rawf(p, "</dd><dt>%s</dt><dd>%" PRId64 "</dd><dt>%s</dt><dd>",
	    word(r->lang, W_BACKLOG), s->backlog, word(r->lang, W_GAP));
	if (s->max_seq > s->hwm)
		page_rawf(p, "%" PRId64 "..%" PRId64, s->hwm + 1, s->max_seq);
	else
		page_text(p, word(r->lang, W_NONE));
	page_rawf(p, "</dd><dt>%s</dt><dd class=\"fills\">%" PRId64 "</dd>",
	    word(r->lang, W_FILLS_TODAY), fills);
	if (access_decide(&r->who, ACCESS_TRACE_READ, &trace)) {
		page_raw(p, "<dt>");
		page_text(p, word(r->lang, W_TRACE));
		page_raw(p, "</dt><dd><a class=\"tracelink\" href=\"/trace?kind=station&amp;key=");
		page_url(p, s->id);
		page_raw(p, "\">");
		page_text(p, s->id);
		page_raw(p, "</a></dd>");
	}
	if (s->clock_wrong) { /* C14: how far off, in the reader's language */
		const struct timetext_units u = { word(r->lang, W_SPAN_D_H),
			word(r->lang, W_SPAN_D), word(r->lang, W_SPAN_H_MIN),
			word(r->lang, W_SPAN_H), word(r->lang, W_SPAN_MIN_S),
			word(r->lang, W_SPAN_MIN), word(r->lang, W_SPAN_S) };
		char span[TIMETEXT_MAX];

		timetext_span_in(s->clock_skew_ms, &u, span);
		snprintf(text, sizeof(text),
		    word(r->lang, s->clock_skew_ms > 0 ? W_CLOCK_AHEAD : W_CLOCK_BEHIND), span);
		page_raw(p, "<dt>");
		page_text(p, word(r->lang, W_CLOCK));
		page_raw(p, "</dt><dd class=\"note clock\">");
		page_text(p, text);
		page_raw(p, "</dd>");
	}
	/* what the status says besides the backlog shown above (stationstatus.h) */
	rest = station_status_rest(s->status, (long long)s->backlog, &aside, &other);
	if (rest != STATION_STATUS_NOTHING) {
		page_raw(p, "<dt>");
		page_text(p, word(r->lang, W_STATUS));
		page_raw(p, "</dt><dd class=\"note\">");
		if (rest == STATION_STATUS_ASIDE) {
			snprintf(text, sizeof(text), word(r->lang, W_SET_ASIDE), aside);
			other = text;
		}
		page_text(p, other);
		page_raw(p, "</dd>");
	}
	page_raw(p, "</dl></article>");
}

void
page_map(struct request *r, struct reply *out)
{
	struct overview_count *alerts, *fills;
	struct wire_station_list list = { 0 };
	struct county_db *db;
	struct station_label *labels = NULL;
	struct page *p = &out->body;
	size_t nalerts = 0, nfills = 0, i, shown = 0;
	int64_t now = time_wall_ms();
	char err[512];
	int rc;

	/* the count arrays are large (half a MiB each): the request's own, so
	 * that maps are drawn in parallel */
	alerts = calloc(MAP_ROWS, sizeof(*alerts));
	fills = calloc(MAP_ROWS, sizeof(*fills));
	if (alerts == NULL || fills == NULL) {
		free(alerts);
		free(fills);
		reply_error(r, out, MHD_HTTP_INTERNAL_SERVER_ERROR, W_SERVER_ERROR, W_SERVER_ERROR);
		return;
	}
	/* the stations' list writes its audit row (committed before any answer);
	 * the counts are then read from one snapshot */
	db = web_db_take(r, 0);
	rc = county_stations(db, r->who.identity, &list, err, sizeof(err));
	county_pool_give(&r->web->pool, db);
	if (rc != -1) {
		db = web_db_take(r, 1);
		rc = overview_open_cases(db, alerts, MAP_ROWS, &nalerts, err, sizeof(err));
		if (rc != -1)
			rc = overview_fills_since(db, timetext_day_start(now), fills, MAP_ROWS,
			    &nfills, err, sizeof(err));
		county_pool_give(&r->web->pool, db);
	}
	if (rc == -1) {
		log_warnx("map: %s", err);
		wire_stations_free(&list);
		free(alerts);
		free(fills);
		reply_error(r, out, MHD_HTTP_INTERNAL_SERVER_ERROR, W_SERVER_ERROR, W_SERVER_ERROR);
		return;
	}
	/* keep the stations this person's scope covers, and only those */
	for (i = 0; i < list.count; i++)
		if (access_scope_covers(&r->scope, list.stations[i].id, list.stations[i].township))
			list.stations[shown++] = list.stations[i];
	list.count = shown;
	/* their names and addresses from the county's register (none: ids only) */
	labels = list.count > 0 ? calloc(list.count, sizeof(*labels)) : NULL;
	if (labels != NULL) {
		struct station_entry e;

		db = web_db_take(r, 1);
		for (i = 0; i < list.count; i++) {
			if ((rc = stations_get(db, list.stations[i].id, &e, err, sizeof(err))) ==
			    -1) {
				log_warnx("map: %s", err);
				break;
			}
			if (rc == 1 && e.registered_ms != 0) {
				str_copy(labels[i].name, e.name, sizeof(labels[i].name));
				str_copy(labels[i].address, e.address, sizeof(labels[i].address));
			}
		}
		county_pool_give(&r->web->pool, db);
	}

	frame_open(r, out, word(r->lang, W_MAP));
	page_raw(p, "<h1>");
	page_text(p, word(r->lang, W_MAP));
	page_raw(p, "</h1><div class=\"mapwrap\">");
	map_svg(r, p, &list, labels, alerts, nalerts, now);
	page_raw(p, "</div><section class=\"card\"><h2>");
	page_text(p, word(r->lang, W_OPEN_CASES));
	page_raw(p, "</h2><table class=\"towns\" id=\"towns\"><tbody>");
	for (i = 0; i < r->web->map.township_count; i++) {
		const struct geo_township *t = &r->web->map.townships[i];
		int64_t open;

		if (!access_scope_covers(&r->scope, NULL, t->code))
			continue;
		open = count_of(alerts, nalerts, t->code);
		page_rawf(p, "<tr class=\"%s\" id=\"tw-", shade(open));
		page_url(p, t->code);
		page_raw(p, "\"><th>");
		page_text(p, r->lang == LANG_EN ? t->name_en : t->name_zh);
		page_rawf(p, "</th><td>%" PRId64 "</td></tr>", open);
	}
	page_raw(p, "</tbody></table></section><h2>");
	page_text(p, word(r->lang, W_STATIONS));
	page_rawf(p, " (%zu)</h2><div class=\"cards\" id=\"stations\">", list.count);
	for (i = 0; i < list.count; i++)
		station_card(r, p, &list.stations[i], labels != NULL ? &labels[i] : NULL,
		    count_of(fills, nfills, list.stations[i].id), now);
	page_raw(p, "</div>");
	frame_close(r, out);
	free(alerts);
	free(fills);
	free(labels);
	wire_stations_free(&list);
}

/* ---- traces ------------------------------------------------------------------------- */

struct trace_query {
	const char *kind; /* cylinder, station, buyer */
	char key[WIRE_ID + 8];
	int64_t from_ms, to_ms;
	const char *from_text, *to_text;
	struct wire_cursor after;
	int has_after;
};

static int
bound(const char *text, int end, int64_t *out)
{
	char err[160];
	int whole = 0;

	if (text == NULL || text[0] == '\0')
		return 0;
	if (timetext_parse(text, out, &whole, err, sizeof(err)) == -1)
		return -1;
	if (end && whole)
		*out = timetext_next_day(*out) - 1;
	return 0;
}

/* What trace_query found wrong with the query in the URL; each a word. */
enum trace_query_bad {
	TQ_OK = 0,
	TQ_NONE,     /* no key: the page's first showing */
	TQ_BAD,      /* a kind or key the page never sends (W_BAD_REQUEST) */
	TQ_KEY,      /* a key with spaces or other than ASCII (W_TRACE_BAD_KEY) */
	TQ_NUMBER,   /* a key that looks like a person's number (W_TRACE_NUMBER) */
	TQ_FROM,     /* from is no date (W_TRACE_BAD_FROM) */
	TQ_TO,       /* to is no date (W_TRACE_BAD_TO) */
	TQ_REVERSED, /* the period ends before it begins (W_TRACE_REVERSED) */
};

/*
 * The query in the URL into *q.  Whatever it finds wrong it says (the page
 * shows the form again with what was typed, a person's number excepted);
 * only TQ_OK is asked of the county, so a refused query writes no audit row.
 */
static enum trace_query_bad
trace_query(const struct request *r, struct trace_query *q)
{
	const char *kind = request_arg(r, "kind"), *key = request_arg(r, "key");
	const char *after = request_arg(r, "after");
	size_t i;

	memset(q, 0, sizeof(*q));
	q->to_ms = INT64_MAX;
	q->from_text = request_arg(r, "from");
	q->to_text = request_arg(r, "to");
	if (kind == NULL || key == NULL || key[0] == '\0')
		return TQ_NONE;
	if (strcmp(kind, "cylinder") != 0 && strcmp(kind, "station") != 0 &&
	    strcmp(kind, "buyer") != 0)
		return TQ_BAD;
	q->kind = kind;
	/* a person's number is never echoed, searched or written to the audit log */
	if (strcmp(kind, "buyer") != 0 && buyer_text_has_number(key, strlen(key)))
		return TQ_NUMBER;
	str_copy(q->key, key, sizeof(q->key));
	if (strlen(key) >= sizeof(q->key))
		return TQ_KEY;
	for (i = 0; key[i] != '\0'; i++)
		if ((unsigned char)key[i] < 0x21 || (unsigned char)key[i] > 0x7e)
			return TQ_KEY;
	/* a buyer is asked for by the id the county holds, never by the number */
	if (strcmp(kind, "buyer") == 0 && strlen(key) != BUYER_ID_LEN)
		return TQ_BAD;
	if (bound(q->from_text, 0, &q->from_ms) == -1)
		return TQ_FROM;
	if (bound(q->to_text, 1, &q->to_ms) == -1)
		return TQ_TO;
	if (q->to_ms < q->from_ms)
		return TQ_REVERSED;
	if (after != NULL && after[0] != '\0') {
		if (wire_cursor_parse(after, &q->after) == -1)
			return TQ_BAD;
		q->has_after = 1;
	}
	return TQ_OK;
}

/* The word that says why a query was refused. */
static enum word
trace_query_word(enum trace_query_bad bad)
{
	switch (bad) {
	case TQ_KEY:
		return W_TRACE_BAD_KEY;
	case TQ_NUMBER:
		return W_TRACE_NUMBER;
	case TQ_FROM:
		return W_TRACE_BAD_FROM;
	case TQ_TO:
		return W_TRACE_BAD_TO;
	case TQ_REVERSED:
		return W_TRACE_REVERSED;
	default:
		return W_BAD_REQUEST;
	}
}

static void
query_link(struct page *p, const char *base, const struct trace_query *q, const char *after)
{
	page_raw(p, base);
	page_raw(p, "?kind=");
	page_url(p, q->kind);
	page_raw(p, "&amp;key=");
	page_url(p, q->key);
	if (q->from_text != NULL && q->from_text[0] != '\0') {
		page_raw(p, "&amp;from=");
		page_url(p, q->from_text);
	}
	if (q->to_text != NULL && q->to_text[0] != '\0') {
		page_raw(p, "&amp;to=");
		page_url(p, q->to_text);
	}
	if (after != NULL && after[0] != '\0') {
		page_raw(p, "&amp;after=");
		page_url(p, after);
	}
}

static void
trace_forms(struct request *r, struct page *p, const struct trace_query *q)
{
	page_raw(p,
	    "<section class=\"card\"><form method=\"get\" action=\"/trace\" id=\"traceform\">"
	    "<label>");
	page_text(p, word(r->lang, W_KIND));
	page_raw(p, "<select name=\"kind\" id=\"kind\"><option value=\"cylinder\">");
	page_text(p, word(r->lang, W_CYLINDER));
	page_raw(p, "</option><option value=\"station\"");
	if (q != NULL && q->kind != NULL && strcmp(q->kind, "station") == 0)
		page_raw(p, " selected");
	page_raw(p, ">");
	page_text(p, word(r->lang, W_STATION));
	page_raw(p, "</option></select></label><label>");
	page_text(p, word(r->lang, W_CYLINDER));
	page_raw(p, " / ");
	page_text(p, word(r->lang, W_STATION));
	page_raw(p, "<input name=\"key\" id=\"key\" required value=\"");
	if (q != NULL && q->kind != NULL && strcmp(q->kind, "buyer") != 0)
		page_text(p, q->key);
	/* the period asked stays in the form, for the next search */
	page_raw(p, "\"></label><label>");
	page_text(p, word(r->lang, W_FROM));
	page_raw(p, "<input type=\"date\" name=\"from\" id=\"from\" value=\"");
	if (q != NULL && q->from_text != NULL)
		page_text(p, q->from_text);
	page_raw(p, "\"></label><label>");
	page_text(p, word(r->lang, W_TO));
	page_raw(p, "<input type=\"date\" name=\"to\" id=\"to\" value=\"");
	if (q != NULL && q->to_text != NULL)
		page_text(p, q->to_text);
	page_raw(p, "\"></label><button type=\"submit\" id=\"search\">");
	page_text(p, word(r->lang, W_SEARCH));
	page_raw(p, "</button></form>");
	if (r->web->have_buyer_key) {
		page_raw(p, "<form method=\"post\" action=\"/trace/buyer\" id=\"buyerform\">"
		            "<input type=\"hidden\" name=\"csrf\" value=\"");
		page_text(p, r->session.csrf);
		page_raw(p, "\"><label>");
		page_text(p, word(r->lang, W_BUYER_NUMBER));
		page_raw(p, "<input name=\"number\" id=\"number\" autocomplete=\"off\" required>"
		            "</label><button type=\"submit\" id=\"buyersearch\">");
		page_text(p, word(r->lang, W_SEARCH));
		page_raw(p, "</button></form>");
	}
	page_raw(p, "<p class=\"hint\">");
	page_text(p, word(r->lang, W_TRACE_HINT));
	if (r->web->have_buyer_key) {
		page_raw(p, " ");
		page_text(p, word(r->lang, W_TRACE_BUYER_HINT));
	}
	page_raw(p, " ");
	page_text(p, word(r->lang, W_AUDITED));
	page_raw(p, "</p></section>");
}

static void
rules_of(const struct wire_record *rec, char *out, size_t size)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < rec->violation_count && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? " " : "",
		    rec->violations[i].rule);
}

/* A life step the county keeps outside the cylinder's chain (a device's
 * word the cylinder's own steps do not bear out). */
static int
life_outside(const struct wire_record *rec)
{
	return rec->has_life && strcmp(rec->life.chain, "out") == 0;
}

/* What the county said of a life step beyond the step (review rev102): kept
 * outside the chain, and the device's own time when the county took the
 * step at another (C17); the row's time is the county's. */
static void
life_marks(struct request *r, struct page *p, const struct wire_record *rec)
{
	char when[TIMETEXT_MAX], text[TIMETEXT_MAX + 128];

	if (!rec->has_life)
		return;
	if (life_outside(rec)) {
		page_raw(p, " <span class=\"chain-out\">");
		page_text(p, word(r->lang, W_LIFE_OUTSIDE));
		page_raw(p, "</span>");
	}
	if (rec->life.taken_ms != 0 && rec->life.taken_ms != rec->life.at_ms) {
		format_time(rec->life.at_ms, when, sizeof(when));
		snprintf(text, sizeof(text), word(r->lang, W_LIFE_DEVICE_TIME), when);
		page_raw(p, " <span class=\"bounded\">");
		page_text(p, text);
		page_raw(p, "</span>");
	}
}

/* The trace page with its form only (what was asked kept in it), under why
 * nothing was traced (NULL: the page's first showing). */
static void
trace_form_page(struct request *r, struct reply *out, const struct trace_query *q, int status,
    const enum word *why)
{
	struct page *p = &out->body;

	out->status = status;
	frame_open(r, out, word(r->lang, W_TRACE));
	page_raw(p, "<h1>");
	page_text(p, word(r->lang, W_TRACE));
	page_raw(p, "</h1>");
	if (why != NULL) {
		page_raw(p, "<p class=\"error\" id=\"error\">");
		page_text(p, word(r->lang, *why));
		page_raw(p, "</p>");
	}
	trace_forms(r, p, q);
	frame_close(r, out);
}

void
page_trace(struct request *r, struct reply *out)
{
	struct page *p = &out->body;
	struct trace_query q;
	struct wire_trace t;
	struct county_db *db;
	enum trace_query_bad bad;
	enum word why;
	char err[512], when[48], rules[128], net[32];
	size_t i;
	int rc;

	if ((bad = trace_query(r, &q)) != TQ_OK) {
		why = trace_query_word(bad);
		trace_form_page(r, out, &q, bad != TQ_NONE ? MHD_HTTP_BAD_REQUEST : MHD_HTTP_OK,
		    bad != TQ_NONE ? &why : NULL);
		return;
	}
	/* its audit row is committed on this handle before the page answers */
	db = web_db_take(r, 0);
	rc = county_trace(db, r->who.identity, q.kind, q.key, q.from_ms, q.to_ms,
	    q.has_after ? &q.after : NULL, &t, err, sizeof(err));
	county_pool_give(&r->web->pool, db);
	if (rc == COUNTY_NOT_FOUND) {
		/* a station the county knows nothing of (a mistyped id): said so, not
		 * "no records" as if it had sent nothing */
		why = W_TRACE_NO_STATION;
		trace_form_page(r, out, &q, MHD_HTTP_NOT_FOUND, &why);
		return;
	}
	if (rc != COUNTY_DONE) {
		log_warnx("trace: %s", err);
		reply_error(r, out, MHD_HTTP_INTERNAL_SERVER_ERROR, W_SERVER_ERROR, W_SERVER_ERROR);
		return;
	}
	frame_open(r, out, word(r->lang, W_TRACE));
	page_raw(p, "<h1>");
	page_text(p, word(r->lang, W_TRACE));
	page_raw(p, "</h1>");
	trace_forms(r, p, &q);
	page_raw(p, "<section class=\"card\"><h2>");
	page_text(p, word(r->lang, strcmp(q.kind, "cylinder") == 0  ? W_CYLINDER
	                           : strcmp(q.kind, "station") == 0 ? W_STATION
	                                                            : W_BUYER));
	page_raw(p, " <span class=\"key\">");
	page_text(p, strcmp(q.kind, "buyer") == 0 ? "#" : q.key);
	page_raw(p, "</span></h2><p><a class=\"button\" id=\"csv\" href=\"");
	query_link(p, "/trace.csv", &q, NULL);
	page_raw(p, "\">");
	page_text(p, word(r->lang, W_CSV));
	page_raw(p, "</a></p>");
	if (t.count == 0) {
		page_raw(p, "<p id=\"empty\">");
		page_text(p, word(r->lang, W_NO_RECORDS));
		page_raw(p, "</p>");
	} else {
		page_rawf(p,
		    "<div class=\"scroll\"><table class=\"trace\" id=\"trace\"><thead><tr><th>%s</th>"
		    "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
		    "</tr></thead><tbody>",
		    word(r->lang, W_TIME), word(r->lang, W_STATION), word(r->lang, W_KIND),
		    word(r->lang, W_CYLINDER), word(r->lang, W_BUYER), word(r->lang, W_NET_KG),
		    word(r->lang, W_RESULT), word(r->lang, W_RULES));
		for (i = 0; i < t.count; i++) {
			const struct wire_record *rec = &t.records[i];

			format_time(wire_record_time(rec), when, sizeof(when));
			rules_of(rec, rules, sizeof(rules));
			snprintf(net, sizeof(net), "%.2f", rec->has_fill ? rec->fill.net_kg : 0.0);
			page_raw(p, life_outside(rec) ? "<tr class=\"outside\"><td>" : "<tr><td>");
			page_text(p, when);
			page_raw(p, "</td><td>");
			page_text(p, rec->station);
			page_raw(p, "</td><td>");
			page_text(p, rec->kind);
			page_raw(p, "</td><td>");
			page_text(p, rec->has_fill   ? rec->fill.cylinder
			             : rec->has_life ? rec->life.serial
			                             : "");
			page_raw(p, "</td><td>");
			page_text(p, rec->has_fill   ? rec->fill.buyer_masked
			             : rec->has_life ? rec->life.buyer_masked
			                             : "");
			page_raw(p, "</td><td>");
			page_text(p, rec->has_fill ? net : "");
			page_raw(p, "</td><td>");
			page_text(p, rec->has_fill   ? rec->fill.result
			             : rec->has_life ? rec->life.event
			                             : "");
			page_raw(p, "</td><td>");
			page_text(p, rules);
			life_marks(r, p, rec);
			page_raw(p, "</td></tr>");
		}
		page_raw(p, "</tbody></table></div>");
	}
	if (t.more) {
		page_raw(p, "<p><a class=\"button\" id=\"next\" href=\"");
		query_link(p, "/trace", &q, t.next);
		page_raw(p, "\">");
		page_text(p, word(r->lang, W_NEXT_PAGE));
		page_raw(p, "</a></p>");
	}
	page_raw(p, "</section>");
	frame_close(r, out);
	wire_trace_free(&t);
}

void
page_trace_csv(struct request *r, struct reply *out)
{
	struct page *p = &out->body;
	struct trace_query q;
	struct wire_trace t;
	struct wire_cursor after;
	struct county_db *db;
	enum trace_query_bad bad;
	int has_after, rc = 0;
	long total = 0;
	char err[512], when[TIMETEXT_MAX], num[32];
	size_t i;

	if ((bad = trace_query(r, &q)) != TQ_OK) {
		reply_error(r, out, MHD_HTTP_BAD_REQUEST, W_BAD_REQUEST, trace_query_word(bad));
		return;
	}
	out->content_type = "text/csv; charset=utf-8";
	snprintf(out->disposition, sizeof(out->disposition),
	    "attachment; filename=\"trace-%s.csv\"", q.kind);
	page_raw(p, "time,station,seq,kind,cylinder,buyer_masked,net_kg,result,rules\r\n");
	after = q.after;
	has_after = q.has_after;
	/* every part of the trace, each one audited like any other, up to csv_max */
	do {
		db = web_db_take(r, 0);
		rc = county_trace(db, r->who.identity, q.kind, q.key, q.from_ms, q.to_ms,
		    has_after ? &after : NULL, &t, err, sizeof(err));
		county_pool_give(&r->web->pool, db);
		if (rc != COUNTY_DONE)
			break;
		for (i = 0; i < t.count && total < r->web->config.csv_max; i++, total++) {
			const struct wire_record *rec = &t.records[i];
			char rules[128];

			timetext_format(wire_record_time(rec), TIMETEXT_MACHINE, when);
			rules_of(rec, rules, sizeof(rules));
			page_csv(p, when);
			page_raw(p, ",");
			page_csv(p, rec->station);
			page_rawf(p, ",%" PRId64 ",", rec->seq);
			page_csv(p, rec->kind);
			page_raw(p, ",");
			page_csv(p, rec->has_fill   ? rec->fill.cylinder
			            : rec->has_life ? rec->life.serial
			                            : "");
			page_raw(p, ",");
			page_csv(p, rec->has_fill   ? rec->fill.buyer_masked
			            : rec->has_life ? rec->life.buyer_masked
			                            : "");
			snprintf(num, sizeof(num), "%.3f", rec->has_fill ? rec->fill.net_kg : 0.0);
			page_raw(p, ",");
			page_raw(p, rec->has_fill ? num : "");
			page_raw(p, ",");
			page_csv(p, rec->has_fill   ? rec->fill.result
			            : rec->has_life ? rec->life.event
			                            : "");
			page_raw(p, ",");
			page_csv(p, rules);
			page_raw(p, "\r\n");
		}
		has_after = t.more;
		if (t.more && wire_cursor_parse(t.next, &after) == -1)
			has_after = 0;
		wire_trace_free(&t);
	} while (has_after && total < r->web->config.csv_max && !p->failed);
	if (rc == COUNTY_NOT_FOUND) {
		out->disposition[0] = '\0';
		reply_error(r, out, MHD_HTTP_NOT_FOUND, W_NOT_FOUND, W_TRACE_NO_STATION);
	} else if (rc != COUNTY_DONE) {
		log_warnx("trace csv: %s", err);
		out->disposition[0] = '\0';
		reply_error(r, out, MHD_HTTP_INTERNAL_SERVER_ERROR, W_SERVER_ERROR, W_SERVER_ERROR);
	}
}

void
page_trace_buyer(struct request *r, struct reply *out)
{
	const char *number = request_field(r, "number");
	struct buyer_number n;
	struct buyer_key key;
	char id[BUYER_ID_LEN + 1], err[256], to[128];
	int rc;

	if (!r->web->have_buyer_key || number == NULL) {
		reply_error(r, out, MHD_HTTP_BAD_REQUEST, W_BAD_REQUEST, W_BAD_REQUEST);
		return;
	}
	/* hashed here, as every station hashes it; the number is neither kept,
	 * logged nor sent on (the form's fields are wiped with the request) */
	if (buyer_key_load(r->web->config.buyer_key, &key, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		reply_error(r, out, MHD_HTTP_INTERNAL_SERVER_ERROR, W_SERVER_ERROR, W_SERVER_ERROR);
		return;
	}
	rc = buyer_parse(number, strlen(number), BUYER_ANY, &n, err, sizeof(err));
	if (rc == 0) {
		rc = buyer_id(&key, &n, id);
		buyer_number_clear(&n);
	}
	explicit_bzero(&key, sizeof(key));
	if (rc == -1) {
		reply_error(r, out, MHD_HTTP_BAD_REQUEST, W_BAD_REQUEST, W_BAD_REQUEST);
		return;
	}
	snprintf(to, sizeof(to), "/trace?kind=buyer&key=%s", id);
	redirect(out, to);
}

/* ---- the public cylinder check ------------------------------------------------------------ */

void
page_check(struct request *r, struct reply *out)
{
	const char *code = r->path + strlen("/c/"); /* or "/C/" */
	struct overview_cylinder cyl;
	struct code_record rec;
	struct page *p = &out->body;
	char err[256], line[160], when[48];
	int valid = 0, rc;

	if (r->set->catalogue.code_key != NULL && strlen(code) <= CODE_MAX_LEN &&
	    code_decode(code, strlen(code), r->set->catalogue.code_key, &rec, err, sizeof(err)) ==
	        0)
		valid = 1;
	memset(&cyl, 0, sizeof(cyl));
	if (valid) {
		struct county_db *db = web_db_take(r, 1);

		rc = overview_cylinder(db, rec.serial, &cyl, err, sizeof(err));
		county_pool_give(&r->web->pool, db);
		if (rc == -1) {
			log_warnx("check: %s", err);
			reply_error(r, out, MHD_HTTP_INTERNAL_SERVER_ERROR, W_SERVER_ERROR,
			    W_SERVER_ERROR);
			return;
		}
	}
	if (!valid)
		out->status = MHD_HTTP_NOT_FOUND;
	frame_open(r, out, word(r->lang, W_CHECK_TITLE));
	page_raw(p, "<section class=\"card check\"><h1>");
	page_text(p, word(r->lang, W_CHECK_TITLE));
	page_rawf(p, "</h1><p class=\"verdict %s\" id=\"verdict\">", valid ? "valid" : "invalid");
	page_text(p, word(r->lang, valid ? W_SIG_VALID : W_SIG_INVALID));
	page_raw(p, "</p>");
	if (valid) {
		const struct code_model *m = code_model_by_id(rec.model);

		/* what the label carries, signed, in the reader's language */
		snprintf(line, sizeof(line), word(r->lang, W_CODE_FACTS), rec.serial,
		    m != NULL ? m->name : "?", rec.year, rec.month, rec.tare_g / 1000.0,
		    rec.fill_g / 1000.0, rec.county);
		page_raw(p, "<p class=\"serial\" id=\"serial\">");
		page_text(p, line);
		page_raw(p, "</p><dl id=\"facts\"><dt>");
		page_text(p, word(r->lang, W_STATUS));
		page_raw(p, "</dt><dd id=\"status\">");
		if (!cyl.registered)
			page_text(p, word(r->lang, W_NOT_REGISTERED));
		else if (strcmp(cyl.status, "active") == 0)
			page_text(p, word(r->lang, W_ACTIVE));
		else if (strcmp(cyl.status, "scrapped") == 0)
			page_text(p, word(r->lang, W_SCRAPPED));
		else if (strcmp(cyl.status, "retired") == 0)
			page_text(p, word(r->lang, W_RETIRED));
		else
			page_text(p, cyl.status);
		page_raw(p, "</dd><dt>");
		page_text(p, word(r->lang, W_OWNER));
		page_raw(p, "</dt><dd id=\"owner\">");
		page_text(p, cyl.registered ? cyl.owner : "-");
		page_raw(p, "</dd><dt>");
		page_text(p, word(r->lang, W_NEXT_INSPECTION));
		page_raw(p, "</dt><dd id=\"next\">");
		page_text(p, cyl.registered && cyl.next_inspection[0] ? cyl.next_inspection : "-");
		page_raw(p, "</dd><dt>");
		page_text(p, word(r->lang, W_LAST_FILL));
		page_raw(p, "</dt><dd id=\"lastfill\">");
		if (cyl.has_fill) {
			/* the day and the station only: nothing of the buyer */
			timetext_format(cyl.last_fill_ms, TIMETEXT_PERSON, when);
			when[10] = '\0';
			page_text(p, when);
			page_raw(p, " · ");
			page_text(p, cyl.last_station);
		} else {
			page_text(p, word(r->lang, W_NO_FILL));
		}
		page_raw(p, "</dd></dl>");
	}
	if (r->web->config.hotline[0] != '\0') {
		page_raw(p, "<p class=\"hotline\">");
		page_text(p, word(r->lang, W_HOTLINE));
		page_raw(p, ": <a href=\"tel:");
		page_url(p, r->web->config.hotline);
		page_raw(p, "\">");
		page_text(p, r->web->config.hotline);
		page_raw(p, "</a></p>");
	}
	page_raw(p, "</section>");
	frame_close(r, out);
}
