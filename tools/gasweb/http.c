/*
 * http: the console's HTTPS server (libmicrohttpd) and its one route table.
 *
 * Each request is matched to a route: its path and method, who may call it
 * (anyone, or a signed-in person), the access action (access.h) that
 * decides whether this person may and how far, and whether it changes
 * state (then its form must carry the session's CSRF token and its Origin,
 * when sent, must be this console).  Handlers never check a role
 * themselves: they get the scope access_decide gave.
 *
 * Every answer carries the same security headers: a Content-Security-Policy
 * that allows only this console's own files and no inline script, no
 * framing, no sniffing, no referrer, no caching of pages.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "web.h"

#define COOKIE "__Host-gasweb"
#define FORM_MAX 16384 /* bytes of a form at most (without a file) */

enum caller { PUBLIC, SIGNED };

static const struct route {
	const char *method;
	const char *path;
	int prefix; /* 1: path is a prefix (/c/CODE, /static/NAME) */
	enum caller caller;
	int action;  /* an enum access_action, or -1 for none */
	int changes; /* a state change: CSRF token and Origin checked */
	void (*run)(struct request *, struct reply *);
} routes[] = {
	{ "GET", "/", 0, PUBLIC, -1, 0, page_home },
	{ "GET", "/signin", 0, PUBLIC, -1, 0, page_signin_form },
	{ "POST", "/signin", 0, PUBLIC, -1, 1, page_signin_post },
	{ "POST", "/signout", 0, SIGNED, -1, 1, page_signout },
	{ "GET", "/map", 0, SIGNED, ACCESS_MAP_READ, 0, page_map },
	{ "GET", "/trace", 0, SIGNED, ACCESS_TRACE_READ, 0, page_trace },
	{ "GET", "/trace.csv", 0, SIGNED, ACCESS_TRACE_READ, 0, page_trace_csv },
	{ "POST", "/trace/buyer", 0, SIGNED, ACCESS_TRACE_READ, 1, page_trace_buyer },
	{ "GET", "/figures", 0, SIGNED, ACCESS_FIGURES_READ, 0, page_figures },
	{ "GET", "/figures/", 1, SIGNED, ACCESS_FIGURES_READ, 0, page_figure_file },
	{ "GET", "/cases", 0, SIGNED, ACCESS_CASES_READ, 0, page_cases },
	{ "GET", "/cases/", 1, SIGNED, ACCESS_CASES_READ, 0, page_case },
	/* before the prefix below, which would take it for a case's step */
	{ "POST", "/cases/reassign", 0, SIGNED, ACCESS_CASES_REASSIGN, 1, page_case_reassign },
	{ "POST", "/cases/", 1, SIGNED, ACCESS_CASES_ACT, 1, page_case_step },
	{ "GET", "/report", 0, SIGNED, ACCESS_CASES_REPORT, 0, page_report_form },
	{ "POST", "/report", 0, SIGNED, ACCESS_CASES_REPORT, 1, page_report_post },
	{ "GET", "/c/", 1, PUBLIC, -1, 0, page_check },
	/* a label's QR writes its URL in upper case (QR's alphanumeric mode) */
	{ "GET", "/C/", 1, PUBLIC, -1, 0, page_check },
	{ "GET", "/static/", 1, PUBLIC, -1, 0, page_asset },
};

#define CSP                                                                                        \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "                \
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/* What a connection carries between libmicrohttpd's calls. */
struct connection_state {
	struct request request;
	struct MHD_PostProcessor *post;
	size_t uploaded, limit;
};

const char *
request_arg(const struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->connection, MHD_GET_ARGUMENT_KIND, name);
}

const char *
request_field(const struct request *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->field_count; i++)
		if (strcmp(r->fields[i].name, name) == 0)
			return r->fields[i].value;
	return NULL;
}

void
format_time(int64_t ms, char *out, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || localtime_r(&t, &tm) == NULL) {
		str_copy(out, "-", size);
		return;
	}
	strftime(out, size, "%Y-%m-%d %H:%M %Z", &tm);
}

static const struct route *
route_find(const char *method, const char *path, int *path_known)
{
	size_t i;

	*path_known = 0;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *rt = &routes[i];
		int match = rt->prefix ? strncmp(path, rt->path, strlen(rt->path)) == 0
		                       : strcmp(path, rt->path) == 0;

		if (!match)
			continue;
		*path_known = 1;
		if (strcmp(method, rt->method) == 0)
			return rt;
	}
	return NULL;
}

static enum MHD_Result
form_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
    const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct request *r = cls;
	struct field *f = NULL;
	size_t i, len;

	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	if (filename != NULL) { /* a file: its bytes, bounded; its type is read from them */
		/* the form's CSRF token comes before its file (the console's forms put it
		 * first): a file without it is not kept, nor read in */
		if (r->uploads && r->upload_len == 0 && off == 0 &&
		    !signin_csrf_ok(&r->upload_session, request_field(r, "csrf")))
			r->uploads = 0;
		if (!r->uploads) { /* not to this route, or not from this caller: not kept */
			r->file_refused = 1;
			return MHD_YES;
		}
		if (r->upload_len != off || size > UPLOAD_MAX - r->upload_len ||
		    (r->upload_len > 0 && strcmp(key, "photo") != 0)) {
			r->form_too_big = 1;
			return MHD_YES;
		}
		if (size == 0) /* an empty file input: no file */
			return MHD_YES;
		if (r->upload_len + size > r->upload_cap) { /* grown as it comes, up to the bound */
			size_t cap = r->upload_cap == 0 ? 64 * 1024 : r->upload_cap;
			uint8_t *grown;

			while (cap < r->upload_len + size)
				cap *= 2;
			if (cap > UPLOAD_MAX)
				cap = UPLOAD_MAX;
			if ((grown = realloc(r->upload, cap)) == NULL) {
				r->form_too_big = 1;
				return MHD_YES;
			}
			r->upload = grown;
			r->upload_cap = cap;
		}
		if (r->upload_len == 0)
			str_copy(r->upload_name, filename, sizeof(r->upload_name));
		memcpy(r->upload + r->upload_len, data, size);
		r->upload_len += size;
		return MHD_YES;
	}
	for (i = 0; i < r->field_count; i++)
		if (strcmp(r->fields[i].name, key) == 0)
			f = &r->fields[i];
	if (f == NULL) {
		if (r->field_count == sizeof(r->fields) / sizeof(r->fields[0]) ||
		    strlen(key) >= sizeof(f->name)) {
			r->form_too_big = 1;
			return MHD_YES;
		}
		f = &r->fields[r->field_count++];
		str_copy(f->name, key, sizeof(f->name));
		f->value[0] = '\0';
	}
	len = strlen(f->value);
	if (off != len || len + size >= sizeof(f->value)) {
		r->form_too_big = 1;
		r->text_too_long = 1; /* a typed field, not the photo: said so */
		return MHD_YES;
	}
	memcpy(f->value + len, data, size);
	f->value[len + size] = '\0';
	return MHD_YES;
}

static void
add_headers(struct MHD_Response *resp, const struct reply *out)
{
	MHD_add_response_header(resp, "Content-Type", out->content_type);
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	/* same-origin, not no-referrer: with no-referrer a browser sends
	 * "Origin: null" on its own form posts, and origin_ok needs the origin */
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cache-Control",
	    strncmp(out->content_type, "text/css", 8) == 0 ||
	            strncmp(out->content_type, "text/javascript", 15) == 0
	        ? "max-age=3600"
	        : "no-store");
	if (out->cookie[0] != '\0')
		MHD_add_response_header(resp, "Set-Cookie", out->cookie);
	if (out->lang_cookie[0] != '\0')
		MHD_add_response_header(resp, "Set-Cookie", out->lang_cookie);
	if (out->device_cookie[0] != '\0')
		MHD_add_response_header(resp, "Set-Cookie", out->device_cookie);
	if (out->location[0] != '\0')
		MHD_add_response_header(resp, "Location", out->location);
	if (out->disposition[0] != '\0')
		MHD_add_response_header(resp, "Content-Disposition", out->disposition);
}

/* 1 when the request's Origin (if it sends one) is this console. */
static int
origin_ok(struct MHD_Connection *c)
{
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");

	if (origin == NULL)
		return 1; /* older browsers; the CSRF token still holds */
	if (host == NULL || strncmp(origin, "https://", 8) != 0)
		return 0;
	return strcmp(origin + 8, host) == 0;
}

/*
 * The language switch: ?lang=zh|en on any URL chooses the language and keeps
 * it in a cookie "lang" (a year; not HttpOnly-bound to a session: it holds
 * nothing but the choice); the cookie then wins over Accept-Language.
 * Anything else in either is ignored.
 */
static void
choose_language(struct request *r, struct reply *out)
{
	const char *chosen = request_arg(r, "lang");
	const char *kept = MHD_lookup_connection_value(r->connection, MHD_COOKIE_KIND, "lang");

	if (kept != NULL && (strcmp(kept, "zh") == 0 || strcmp(kept, "en") == 0))
		r->lang = kept[0] == 'e' ? LANG_EN : LANG_ZH;
	if (chosen == NULL || (strcmp(chosen, "zh") != 0 && strcmp(chosen, "en") != 0))
		return;
	r->lang = chosen[0] == 'e' ? LANG_EN : LANG_ZH;
	snprintf(out->lang_cookie, sizeof(out->lang_cookie),
	    "lang=%s; Path=/; Max-Age=31536000; Secure; HttpOnly; SameSite=Strict", chosen);
}

/*
 * The passwords file as this console last read it.  A password is changed
 * (or a person removed) with `gasweb passwd` while the console runs, and
 * sign-ins read the file each time; the sessions signed in with the old
 * password must end too, or whoever held a leaked password keeps reading
 * for up to session_max_s.  So at every request the file is looked at (one
 * stat: signin_passwords_set writes a new file and renames it over the
 * old), and when it changed, every session of a person whose hash changed
 * or went is ended before the request's session is looked for.
 */
static struct {
	pthread_mutex_t lock;
	int seen;
	struct stat st;
	struct signin_passwords rows;
} passwords = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static void
passwords_watch(struct web *web)
{
	struct signin_passwords now;
	struct stat st;
	const char *hash;
	char err[512];
	size_t i;
	int ended;

	memset(&st, 0, sizeof(st));
	if (stat(web->config.passwords, &st) == -1 && errno != ENOENT)
		return; /* cannot look: the sign-in says why */
	pthread_mutex_lock(&passwords.lock);
	if (passwords.seen && same_file(&st, &passwords.st))
		goto out;
	if (signin_passwords_load(web->config.passwords, &now, err, sizeof(err)) == -1) {
		log_warnx("%s", err); /* a broken file signs nobody in; kept as last read */
		goto out;
	}
	for (i = 0; passwords.seen && i < passwords.rows.count; i++) {
		const struct signin_password *was = &passwords.rows.rows[i];

		hash = signin_passwords_find(&now, was->identity);
		if (hash != NULL && strcmp(hash, was->hash) == 0)
			continue;
		if ((ended = signin_end_identity(web->store, was->identity)) > 0)
			log_info("%s: password changed or removed: %d session%s ended",
			    was->identity, ended, ended == 1 ? "" : "s");
	}
	signin_passwords_free(&passwords.rows);
	passwords.rows = now;
	passwords.st = st;
	passwords.seen = 1;
out:
	pthread_mutex_unlock(&passwords.lock);
}

/*
 * Whether the signed-in session's identity is still one of the county's
 * people (people.h): 1 if it is; 0 if the county removed it from its
 * identities file, and then every session of it is ended, as a changed
 * password's are (until 7 Dec 2026 the console knew only its passwords
 * file, and a removed officer kept his session, his password and his
 * township's cases); -1 on a database error (logged; nothing ended).
 */
static int
session_person(struct web *web, const char *identity)
{
	int rc = web_person(web, identity), ended;

	if (rc == 0 && (ended = signin_end_identity(web->store, identity)) > 0)
		log_info("%s: removed from the county: %d session%s ended", identity, ended,
		    ended == 1 ? "" : "s");
	return rc;
}

static void
dispatch(struct request *r, const char *method, struct reply *out)
{
	const struct route *rt;
	const char *token;
	int known;
	int64_t now = time_wall_ms();

	r->lang =
	    lang_of(MHD_lookup_connection_value(r->connection, MHD_HEADER_KIND, "Accept-Language"));
	choose_language(r, out);
	rt = route_find(method, r->path, &known);
	if (rt == NULL) {
		if (known) {
			reply_error(r, out, MHD_HTTP_METHOD_NOT_ALLOWED, W_BAD_REQUEST,
			    W_BAD_REQUEST);
			return;
		}
		reply_error(r, out, MHD_HTTP_NOT_FOUND, W_NOT_FOUND, W_NOT_FOUND);
		return;
	}
	passwords_watch(r->web);
	token = MHD_lookup_connection_value(r->connection, MHD_COOKIE_KIND, COOKIE);
	/* the case list's rows are asked for by the page itself, every
	 * poll_s: not a person's use of the session (signin_session_peek) */
	if (token != NULL &&
	    (strcmp(r->path, "/cases/rows") == 0
	            ? signin_session_peek(r->web->store, token, now, &r->session)
	            : signin_session_find(r->web->store, token, now, &r->session)) == 1 &&
	    r->session.identity[0] != '\0' &&
	    access_identity_parse((const uint8_t *)r->session.identity, strlen(r->session.identity),
	        &r->who) == 0) {
		switch (session_person(r->web, r->session.identity)) {
		case 1:
			r->signed_in = 1;
			break;
		case 0: /* its session is over: served as a visitor without one */
			explicit_bzero(&r->session, sizeof(r->session));
			memset(&r->who, 0, sizeof(r->who));
			break;
		default:
			reply_error(r, out, MHD_HTTP_INTERNAL_SERVER_ERROR, W_SERVER_ERROR,
			    W_SERVER_ERROR);
			return;
		}
	}
	if (rt->caller == SIGNED && !r->signed_in) {
		if (rt->changes) {
			reply_error(r, out, MHD_HTTP_FORBIDDEN, W_FORBIDDEN, W_EXPIRED);
			return;
		}
		out->status = MHD_HTTP_SEE_OTHER;
		str_copy(out->location, "/signin", sizeof(out->location));
		out->content_type = "text/plain; charset=utf-8";
		page_raw(&out->body, "/signin\n");
		return;
	}
	/* before the form's size: a form of someone the route is not for was not read whole
	 * (may_upload), and is refused as not theirs, not as too large */
	if (rt->action >= 0 && !access_decide(&r->who, (enum access_action)rt->action, &r->scope)) {
		log_info("refused %s %s to %s (%s)", method, rt->path, r->who.identity,
		    access_action_name((enum access_action)rt->action));
		reply_error(r, out, MHD_HTTP_FORBIDDEN, W_FORBIDDEN, W_FORBIDDEN_TEXT);
		return;
	}
	if (rt->changes) {
		if (r->form_too_big) {
			reply_error(r, out, MHD_HTTP_CONTENT_TOO_LARGE, W_BAD_REQUEST,
			    r->text_too_long ? W_TEXT_TOO_LONG : W_TOO_LARGE);
			return;
		}
		if (r->session.token[0] == '\0' ||
		    !signin_csrf_ok(&r->session, request_field(r, "csrf")) ||
		    !origin_ok(r->connection)) {
			log_warnx("refused %s %s: no valid CSRF token or foreign Origin", method,
			    rt->path);
			reply_error(r, out, MHD_HTTP_FORBIDDEN, W_FORBIDDEN, W_EXPIRED);
			return;
		}
	}
	if (r->file_refused) { /* a file where none is taken, or ahead of the form's token:
		                * not saved without it, and not called too large */
		log_info("refused %s %s to %s: a file this form does not take, or sent before "
		         "its CSRF token",
		    method, rt->path, r->who.identity);
		reply_error(r, out, MHD_HTTP_BAD_REQUEST, W_BAD_REQUEST, W_FILE_REFUSED);
		return;
	}
	rt->run(r, out);
}

/*
 * Whether the request about to be read may carry a photo: a route that takes
 * one (a case's step, a grid report), from a signed-in person whose role may
 * call it.  Asked before its body is read, since a form's file is held in
 * memory until the request ends: before 6 Dec 2026 any POST to /cases/...
 * or /report, signed in or not, had up to UPLOAD_MAX held for it, so one
 * address's 32 connections made the console hold 128 MB, 200 of them 800 MB,
 * without a password.  Anyone else's form is read to FORM_MAX, its file
 * dropped, and the route refuses it as before (403: not signed in, or not
 * theirs).
 *
 * Every check of dispatch's that the headers can answer is made here, the
 * same way: the passwords file looked at first (a session signed in with a
 * password changed since is over: until 7 Dec 2026 it was looked at only
 * once the body was read, so such a session still had one upload per
 * connection held before its 403), the session, the role, the Origin, and
 * whether the session's identity is still one of the county's people
 * (session_person).  The CSRF token is a field of the form, before its
 * file: form_field keeps the file only when the token read before it is
 * this session's (session is kept for that, in the request).
 */
static int
may_upload(struct web *web, struct MHD_Connection *connection, const char *method, const char *url,
    struct signin_session *session)
{
	struct access_identity who;
	struct access_scope scope;
	const struct route *rt;
	const char *token;
	int known, ok;

	rt = route_find(method, url, &known);
	if (rt == NULL || (rt->run != page_case_step && rt->run != page_report_post))
		return 0;
	if (!origin_ok(connection))
		return 0;
	passwords_watch(web);
	token = MHD_lookup_connection_value(connection, MHD_COOKIE_KIND, COOKIE);
	if (token == NULL || signin_session_find(web->store, token, time_wall_ms(), session) != 1)
		return 0;
	ok = session->token[0] != '\0' && session->identity[0] != '\0' &&
	     access_identity_parse((const uint8_t *)session->identity, strlen(session->identity),
	         &who) == 0 &&
	     access_decide(&who, (enum access_action)rt->action, &scope) &&
	     session_person(web, session->identity) == 1;
	if (!ok)
		explicit_bzero(session, sizeof(*session));
	return ok;
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct web *web = cls;
	struct connection_state *cs = *con_cls;
	struct MHD_Response *resp;
	struct reply out;
	enum MHD_Result rc;

	(void)version;
	if (cs == NULL) {
		cs = calloc(1, sizeof(*cs));
		if (cs == NULL)
			return MHD_NO;
		cs->request.web = web;
		cs->request.connection = connection;
		cs->request.post = strcmp(method, "POST") == 0;
		/* a case step or a report may carry a photo, from who may send it; any
		 * other form is small */
		cs->request.uploads = cs->request.post && may_upload(web, connection, method, url,
		                                              &cs->request.upload_session);
		cs->limit = cs->request.uploads ? FORM_MAX + UPLOAD_MAX + 4096 : FORM_MAX;
		if (cs->request.post)
			cs->post =
			    MHD_create_post_processor(connection, 1024, form_field, &cs->request);
		*con_cls = cs;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		cs->uploaded += *upload_data_size;
		if (cs->uploaded > cs->limit || cs->post == NULL)
			cs->request.form_too_big = 1;
		else
			MHD_post_process(cs->post, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	memset(&out, 0, sizeof(out));
	page_init(&out.body);
	out.status = MHD_HTTP_OK;
	out.content_type = "text/html; charset=utf-8";
	cs->request.path = url;
	cs->request.set = web_settings_take(web);
	dispatch(&cs->request, method, &out);
	web_settings_give(web, cs->request.set);
	cs->request.set = NULL;
	if (out.body.failed) {
		page_free(&out.body);
		out.status = MHD_HTTP_INTERNAL_SERVER_ERROR;
		out.content_type = "text/plain; charset=utf-8";
		page_raw(&out.body, "answer too large\n");
	}
	resp =
	    MHD_create_response_from_buffer(out.body.len, out.body.buf != NULL ? out.body.buf : "",
	        out.body.buf != NULL ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		page_free(&out.body);
		return MHD_NO;
	}
	add_headers(resp, &out);
	rc = MHD_queue_response(connection, (unsigned)out.status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static void
completed(void *cls, struct MHD_Connection *connection, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct connection_state *cs = *con_cls;

	(void)cls;
	(void)connection;
	(void)toe;
	if (cs == NULL)
		return;
	if (cs->post != NULL)
		MHD_destroy_post_processor(cs->post);
	free(cs->request.upload);
	explicit_bzero(&cs->request, sizeof(cs->request)); /* a password may be in a field */
	free(cs);
	*con_cls = NULL;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("libmicrohttpd: %s", line);
}

/* The whole file at path as a NUL-terminated string (a PEM file, at most
 * 1 MiB); a key file must not be readable by group or others. */
static char *
read_pem(const char *path, int secret, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || st.st_size <= 0 || st.st_size > (1 << 20)) {
		err_set(err, errlen, "%s: empty or larger than 1 MiB", path);
		goto fail;
	}
	if (secret && (st.st_mode & 0077) != 0) {
		err_set(err, errlen, "%s: group or others may read it (chmod 600)", path);
		goto fail;
	}
	buf = calloc(1, (size_t)st.st_size + 1);
	if (buf == NULL || (n = read(fd, buf, (size_t)st.st_size)) != st.st_size) {
		err_set(err, errlen, "%s: cannot read it", path);
		goto fail;
	}
	close(fd);
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/*
 * The certificate and key as the TLS library will take them: a PEM
 * certificate, a PEM private key, and the key the certificate's.  Checked
 * here (and so by -n), since the HTTP daemon only says it could not start.
 */
static int
tls_pair_check(const struct web *web, char *err, size_t errlen)
{
	BIO *b;
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	int rc = -1;

	if ((b = BIO_new_mem_buf(web->tls_cert, -1)) != NULL)
		x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	if ((b = BIO_new_mem_buf(web->tls_key, -1)) != NULL)
		k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	if (x == NULL)
		err_set(err, errlen, "certificate %s: no PEM certificate in it",
		    web->config.certificate);
	else if (k == NULL)
		err_set(err, errlen, "key %s: no PEM private key in it (or one with a passphrase)",
		    web->config.key);
	else if (X509_check_private_key(x, k) != 1)
		err_set(err, errlen, "key %s is not the key of certificate %s", web->config.key,
		    web->config.certificate);
	else
		rc = 0;
	X509_free(x);
	EVP_PKEY_free(k);
	ERR_clear_error();
	return rc;
}

int
web_load_tls(struct web *web, char *err, size_t errlen)
{
	web->tls_cert = read_pem(web->config.certificate, 0, err, errlen);
	if (web->tls_cert == NULL)
		return -1;
	web->tls_key = read_pem(web->config.key, 1, err, errlen);
	if (web->tls_key == NULL || tls_pair_check(web, err, errlen) == -1) {
		free(web->tls_cert);
		web->tls_cert = NULL;
		if (web->tls_key != NULL)
			explicit_bzero(web->tls_key, strlen(web->tls_key));
		free(web->tls_key);
		web->tls_key = NULL;
		return -1;
	}
	return 0;
}

int
web_serve(struct web *web)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	struct MHD_Daemon *d;
	sigset_t set;
	int sig;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, web->config.listen, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)web->config.port);
	} else if (inet_pton(AF_INET6, web->config.listen, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)web->config.port);
	} else {
		log_warnx("listen: '%s' is not an IPv4 or IPv6 address", web->config.listen);
		return 1;
	}
	/* the signals are taken by sigwait below, not by the pool's threads */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS | MHD_USE_EPOLL |
	                         MHD_USE_ERROR_LOG,
	    0, NULL, NULL, answer, web, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_HTTPS_MEM_CERT, web->tls_cert, MHD_OPTION_HTTPS_MEM_KEY, web->tls_key,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)web->config.threads, MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)web->config.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned)web->config.per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned)web->config.timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
	    (size_t)(64 * 1024), MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_END);
	explicit_bzero(web->tls_key, strlen(web->tls_key));
	free(web->tls_key);
	free(web->tls_cert);
	web->tls_key = web->tls_cert = NULL;
	if (d == NULL) {
		log_warnx("cannot listen on %s port %d (HTTPS)", web->config.listen,
		    web->config.port);
		return 1;
	}
	log_info("listening on https://%s:%d/", web->config.listen, web->config.port);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			char err[512];

			/* passwords are read at every sign-in; the county's settings here */
			if (web_settings_reload(web, err, sizeof(err)) == -1)
				log_warnx("SIGHUP: %s: the county's settings in force stay", err);
			else
				log_info("SIGHUP: the county's settings read again%s%s",
				    web->config.county_config[0] != '\0' ? " from " : "",
				    web->config.county_config);
			continue;
		}
		break;
	}
	log_info("stopping");
	MHD_stop_daemon(d);
	signin_passwords_free(&passwords.rows);
	return 0;
}
