/*
 * gasweb internals: the county console, a web front beside gascounty.
 *
 * One process of its own (docs/console.md says why): libmicrohttpd parses
 * HTTP over TLS in a small thread pool; every request is matched against one
 * route table (http.c: path, method, who may call it, the access action that
 * decides it); pages are written into bounded buffers in which every value
 * goes through the HTML escaper (html.c); the county's data is read through
 * the county library (db.h, overview.h) on a database handle of the
 * handler's own (dbpool.h), and every decision of who may see what is
 * access.h's.
 *
 * Threads: the pool's threads run handlers; the shared state (struct web)
 * is read-only after start but for the session store (signin.h, its own
 * lock) and the pool of database handles (dbpool.h, its own lock).
 */
#ifndef GASWEB_H
#define GASWEB_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "catalogue.h"
#include "code.h"
#include "conf.h"
#include "countyconf.h"
#include "db.h"
#include "dbpool.h"
#include "geo.h"
#include "signin.h"

struct web_config {
	char listen[64];
	int port;
	char certificate[256];
	char key[256];
	char database[256];
	char passwords[256];
	char map[256];
	char code_key[256];
	char buyer_key[256];
	char hotline[64];
	char county_name[64];
	char timezone[64];
	int threads;
	int max_connections;
	int per_ip;
	int timeout_s;
	int session_idle_s;
	int session_max_s;
	int lockout_failures;
	int lockout_s;
	int max_sessions;
	int silent_s;
	int page_rows;
	int csv_max;
	/* cases (casepages.c): the same files and deadlines as gascounty's, from its own
	 * file when county_config names it (then the keys below stay unset) */
	char county_config[256];
	char catalogue[256];
	char villages[256];
	char deadlines[256];
	char calendar[256];
	int case_deadline_min[6]; /* alert accept, onsite, close; critical the same */
	int evidence_max_kb;
	int report_max_per_hour;
	int person_writes_day_max; /* writequota.h, as gascounty's */
	int person_evidence_day_mb;
	int poll_s;
	char user[64];
	char log_level[8];
};

extern const struct conf_section web_config_sections[];

/* ---- html.c: bounded pages, escaping, words -----------------------------------------------------
 */

#define PAGE_MAX (4u << 20) /* bytes of one answer at most */

struct page {
	char *buf;
	size_t len, cap;
	int failed; /* out of room: the answer is an error instead */
};

void page_init(struct page *p);
void page_free(struct page *p);
/* Append raw text (templates written here, never data). */
void page_raw(struct page *p, const char *s);
void page_rawf(struct page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s escaped for HTML text and attribute values (& < > " '), each bidi
 * embedding, override or isolate (U+202A..U+202E, U+2066..U+2069) shown as
 * U+FFFD so that another party's text cannot reorder what the page shows. */
void page_text(struct page *p, const char *s);
/* Append s as one CSV field (quoted, quotes doubled; a leading = + - @ made
 * inert so a spreadsheet does not run it). */
void page_csv(struct page *p, const char *s);
/* Append s escaped for a URL query value. */
void page_url(struct page *p, const char *s);

enum lang { LANG_ZH = 0, LANG_EN = 1 };

/* The language of an Accept-Language header (NULL: Chinese). */
enum lang lang_of(const char *accept_language);

enum word {
	W_TITLE,
	W_SIGNIN,
	W_SIGNOUT,
	W_IDENTITY,
	W_PASSWORD,
	W_BAD_PASSWORD,
	W_LOCKED,
	W_FULL,
	W_MAP,
	W_TRACE,
	W_FORBIDDEN,
	W_FORBIDDEN_TEXT,
	W_NOT_FOUND,
	W_EXPIRED,
	W_STATIONS,
	W_STATION,
	W_TOWNSHIP,
	W_OPEN_CASES,
	W_LAST_HEARTBEAT,
	W_BACKLOG,
	W_GAP,
	W_FILLS_TODAY,
	W_NEVER,
	W_HEALTH_OK,
	W_HEALTH_WARN,
	W_HEALTH_BAD,
	W_NONE,
	W_CYLINDER,
	W_BUYER,
	W_BUYER_NUMBER,
	W_FROM,
	W_TO,
	W_SEARCH,
	W_NEXT_PAGE,
	W_CSV,
	W_TIME,
	W_KIND,
	W_NET_KG,
	W_RESULT,
	W_RULES,
	W_NO_RECORDS,
	W_LIFE_OUTSIDE,     /* a life step the county keeps outside the cylinder's chain */
	W_LIFE_DEVICE_TIME, /* %s: the device's own time of a step the county bounded */
	W_AUDITED,
	W_CHECK_TITLE,
	W_SIG_VALID,
	W_SIG_INVALID,
	W_STATUS,
	W_SET_ASIDE, /* %lld: records a station set aside */
	W_CLOCK,
	W_CLOCK_AHEAD,  /* %s: how far, a span */
	W_CLOCK_BEHIND, /* %s: how far, a span */
	W_SPAN_D_H,     /* a span's units (timetext_span_in): %lld d %lld h */
	W_SPAN_D,
	W_SPAN_H_MIN,
	W_SPAN_H,
	W_SPAN_MIN_S,
	W_SPAN_MIN,
	W_SPAN_S,
	W_OWNER,
	W_NEXT_INSPECTION,
	W_LAST_FILL,
	W_HOTLINE,
	W_NOT_REGISTERED,
	W_NO_FILL,
	W_TIMES_IN,
	W_SIGNED_IN_AS,
	W_BAD_REQUEST,
	W_TOO_LARGE,
	W_FILE_REFUSED,
	W_TEXT_TOO_LONG,
	W_TRACE_HINT,
	W_CODE_FACTS,
	W_TRACE_BUYER_HINT,
	W_TRACE_BAD_KEY,
	W_TRACE_NUMBER,
	W_TRACE_BAD_FROM,
	W_TRACE_BAD_TO,
	W_TRACE_REVERSED,
	W_TRACE_NO_STATION,
	W_SERVER_ERROR,
	W_ACTIVE,
	W_SCRAPPED,
	W_RETIRED,
	W_COUNT
};

const char *word(enum lang lang, enum word w);

/* The name of the rule coded code in lang (gateway/lib/rulenames.h: "超期未检" for
 * "R05"), NULL when code is no rule (a grid report's kind). */
const char *rule_word(enum lang lang, const char *code);

/* ---- the running console (http.c) ---------------------------------------------------- */

/*
 * The county's settings reports and steps are handled with (main.c: from
 * county_config, gascounty's own file, or the console's keys of the same
 * names), read at start and again on SIGHUP, as gascounty reads them.  A
 * request holds the ones in force when it began (web_settings_take) to its
 * end, so a reload never changes them under a page; the ones a reload
 * replaced are freed when the last request holding them gives them back.
 */
struct web_settings {
	struct county_config county; /* what the county library reads (max_trace...) */
	struct catalogue catalogue;  /* outcomes, powers, villages, deadlines, code key */
	unsigned refs;               /* web's own, and each request's holding them */
};

struct owned_lines; /* main.c: where the console's file sets keys the county's file owns */

struct web {
	struct web_config config;
	struct web_settings *settings; /* in force (under settings_lock) */
	pthread_mutex_t settings_lock;
	const struct owned_lines *owned; /* the lines of this file that set the county's keys */
	struct county_pool pool;         /* a database handle per server thread (dbpool.h) */
	struct signin_store *store;
	struct geo_map map;
	int have_buyer_key;
	char *tls_cert, *tls_key; /* PEM text, read before privileges are dropped */
};

/* What a handler knows of its request. */
struct request {
	struct web *web;
	struct web_settings *set; /* the county's settings in force when it began */
	struct MHD_Connection *connection;
	const char *path;
	int post;
	enum lang lang;
	int signed_in;                 /* session holds a signed-in person */
	struct signin_session session; /* the live session (signed in or anonymous) */
	struct access_identity who;    /* signed_in: the person */
	struct access_scope scope;     /* what the route's action reaches */
	/* a form's fields (POST) */
	size_t field_count;
	struct field {
		char name[32];
		char value[4096]; /* a case's note: ~1,300 Chinese characters */
	} fields[10];
	int form_too_big;
	int text_too_long; /* ... because a typed field was longer than a field holds */
	/* a file sent with a form (multipart/form-data; routes that take one, from a
	 * person who may call them: http.c's may_upload, decided before a byte is read) */
	int uploads; /* 1: a file is taken (up to UPLOAD_MAX) */
	/* uploads: the session may_upload found, whose CSRF token must come before the file */
	struct signin_session upload_session;
	int file_refused; /* a file was sent where none is taken: its bytes were dropped */
	uint8_t *upload;  /* malloc'd; freed with the request */
	size_t upload_len, upload_cap;
	char upload_name[128];
};

/* Bytes of a file a form may carry (a phone's photo); forms that may carry
 * one are the case steps and the grid report (http.c). */
#define UPLOAD_MAX (4000u * 1024u)

/* A handler's answer: status, content type, body; extra headers (a cookie,
 * a Location) in the request's reply. */
struct reply {
	int status;
	const char *content_type;
	struct page body;
	char cookie[256];
	char lang_cookie[96];    /* the language switch's (?lang=), a Set-Cookie of its own */
	char device_cookie[256]; /* a good sign-in's device cookie (signin.h), one more */
	char location[256];
	char disposition[128];
};

/* The value of a query parameter or a form field (NULL when absent). */
const char *request_arg(const struct request *r, const char *name);
const char *request_field(const struct request *r, const char *name);

/* The page frame: head, header with the person and sign-out, and its end. */
void frame_open(struct request *r, struct reply *out, const char *title);
void frame_close(struct request *r, struct reply *out);
/* A whole error page of status with a title word and a text word. */
void reply_error(struct request *r, struct reply *out, int status, enum word title, enum word text);
/* A 303 to the path to. */
void redirect(struct reply *out, const char *to);
/* A local time with the zone named ("2026-12-04 20:31 CST"). */
void format_time(int64_t ms, char *out, size_t size);

/* ---- pages.c ---------------------------------------------------------------------- */

void page_signin_form(struct request *r, struct reply *out);
void page_signin_post(struct request *r, struct reply *out);
void page_signout(struct request *r, struct reply *out);
void page_home(struct request *r, struct reply *out);
void page_map(struct request *r, struct reply *out);
void page_trace(struct request *r, struct reply *out);
void page_trace_csv(struct request *r, struct reply *out);
void page_trace_buyer(struct request *r, struct reply *out);
void page_check(struct request *r, struct reply *out);
void page_asset(struct request *r, struct reply *out);

/* ---- figpages.c: /figures, /figures/NAME.svg|.csv (figures.h's, drawn) ------------------ */

void page_figures(struct request *r, struct reply *out);
void page_figure_file(struct request *r, struct reply *out);
/* ---- casepages.c: cases --------------------------------------------------------- */

void page_cases(struct request *r, struct reply *out);         /* GET /cases */
void page_case(struct request *r, struct reply *out);          /* GET /cases/... */
void page_case_step(struct request *r, struct reply *out);     /* POST /cases/ID/step */
void page_case_reassign(struct request *r, struct reply *out); /* POST /cases/reassign */
void page_report_form(struct request *r, struct reply *out);   /* GET /report */
void page_report_post(struct request *r, struct reply *out);   /* POST /report */
void cases_nav(struct request *r, struct page *p);             /* the frame's links */
extern const char cases_script[];                              /* /static/cases.js */
extern const char cases_style[];                               /* /static/cases.css */

/* ---- main.c: the county's settings ------------------------------------------------ */

/* Read the county's settings again (SIGHUP): the new ones are in force for
 * every request that begins after; on any error the ones in force stay and
 * err says why (with the file and line).  0 or -1. */
int web_settings_reload(struct web *web, char *err, size_t errlen);

/* The settings in force, held until web_settings_give (http.c, per request). */
struct web_settings *web_settings_take(struct web *web);
void web_settings_give(struct web *web, struct web_settings *s);

/* A database handle of the pool for r (county_pool_take), reading r's
 * county settings (report limit, evidence size...). */
struct county_db *web_db_take(struct request *r, int snapshot);

/* 1 if identity is one of the county's people (people.h: the identities
 * gascounty last read from its identities file), 0 if not, -1 on a
 * database error (logged).  One indexed look-up on a handle of the pool,
 * taken and given back: the caller must hold none. */
int web_person(struct web *web, const char *identity);

/* ---- http.c -------------------------------------------------------------------- */

/* Read the TLS certificate and key files into web (a key file others may
 * read is refused).  0, or -1 with err. */
int web_load_tls(struct web *web, char *err, size_t errlen);

/* Serve until SIGTERM/SIGINT (the TLS key is wiped once libmicrohttpd has
 * it); the exit status. */
int web_serve(struct web *web);

#endif
