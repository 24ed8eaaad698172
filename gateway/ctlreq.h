/*
 * ctlreq: one request of the control protocol (docs/control-protocol.md),
 * apart from the socket: parse and check a request line, carry it out on a
 * gw, and render the reply.  ctl.c owns the connections and the scanners and
 * calls these; the fuzzer (tests/fuzz/fuzz_ctl.c) calls them on arbitrary
 * bytes, with a gw that has lines but no bus.
 *
 * Limits a parsed request is held to (refusals name the field):
 *   "cmd"      one of status fills aside login logout scan buyer start stop fill
 *              (an unknown one is not echoed back)
 *   "line"     an integer 1..GW_LINE_NUMBER_MAX (login logout scan buyer start
 *              stop fill; a number out of range is not echoed back)
 *   "cert"     login, and "operator" of fill (optional there): 1..CTL_CERT_MAX
 *              bytes, no control characters, nothing that looks like an ID
 *              number (buyer_text_has_number)
 *   "pin"      login and life (required): a string of at most OPAUTH_PIN_MAX
 *              bytes (wiped at free); checked as a login's (ctlreq.c
 *              operator_proven), on the same count and lock-out
 *   "code"     scan, and "cylinder" of fill: a string (the code's own checks
 *              are rule R01's, so a bad code is a recorded refusal, not an error)
 *   "number"   buyer, and "buyer" of fill: a string (checks are R08's)
 *   "wait"     start: true or false (default false)
 *   "since"    fills: an integer >= 0, ms since the epoch (default 0)
 *   "limit"    fills: an integer 1..CTL_FILLS_MAX (default CTL_FILLS_DEFAULT)
 *   "retry"    aside (optional): an outbox seq >= 1, or "all"
 *   "event"    life: dispatched, received, inspection_out, inspection_back or
 *              scrapped (carried out: all but scrapped only while the
 *              station's clock is trusted, ctl_clock_judge; a scrap under a
 *              clock that is not is recorded with "clock_warning" in the reply)
 *   "codes"    life: an array of 1..CTL_LIFE_MAX strings, each a scanned code
 *   "worker"   life: the delivery worker (required for dispatched; only on
 *              dispatched and received), checked as "cert" is; "operator"
 *              of life (required): as "cert"
 *   "result"   life, inspection_back only (required there): "pass" or "fail"
 *   "next_due" life, inspection_back only (required there): YYYY-MM-DD, a
 *              real date (carried out: for "pass" after today, local, and at
 *              most CTL_NEXT_DUE_YEARS years ahead, and only while the
 *              station's clock is trusted, ctl_clock_judge)
 *   "reason"   life, scrapped only (required there): 1..CTL_REASON_MAX bytes,
 *              no control characters, nothing that looks like an ID number
 *   "lang"     any command (optional): the operator's language, one locale name
 *              (i18n_language_ok: 1..I18N_LANGUAGE_MAX bytes of [A-Za-z0-9_.@-]);
 *              the refusals of the parse and the reply are worded in it.  Absent,
 *              not such a name, or no installed locale: gasgw's own language, and
 *              no error (docs/control-protocol.md, "Language").  Never in a
 *              record: the rule sentences of a refusal or a fill (R01, R08, the
 *              result's violations) are the record's words, in gasgw's language.
 * Other members are ignored (a newer client may send more).
 */
#ifndef GAS_CTLREQ_H
#define GAS_CTLREQ_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "gw.h"
#include "wire.h"

#define CTL_CERT_MAX (LINE_CERT_SIZE - 1) /* what a line keeps of an operator's certificate */
#define CTL_FILLS_MAX 100000
#define CTL_FILLS_DEFAULT 1000
#define CTL_ASIDE_MAX 100 /* set-aside records listed in one reply (all are counted) */
#define CTL_LIFE_MAX 200  /* codes in one life request (a truck's load) */
#define CTL_REASON_MAX (WIRE_LIFE_TEXT - 1)    /* a scrapped cylinder's reason */
#define CTL_NEXT_DUE_YEARS WIRE_NEXT_DUE_YEARS /* an inspection's next due, at most ahead */

enum ctl_command {
	CTL_STATUS = 0,
	CTL_FILLS,
	CTL_ASIDE,
	CTL_LOGIN,
	CTL_LOGOUT,
	CTL_SCAN,
	CTL_BUYER,
	CTL_START,
	CTL_STOP,
	CTL_FILL,
	CTL_LIFE,
};

/* A parsed request.  The strings point into json, which the request owns. */
struct ctl_request {
	enum ctl_command command;
	int line;             /* 0 for status and fills */
	int wait;             /* start: stream progress until the outcome; fill: 1 */
	const char *cert;     /* login; fill: NULL when no "operator"; life: "operator" */
	const char *pin;      /* login, life */
	const char *code;     /* scan; fill: "cylinder" */
	const char *number;   /* buyer; fill: "buyer"; the raw number */
	int64_t since_ms;     /* fills */
	int limit;            /* fills */
	int64_t retry;        /* aside: -1 list only, 0 retry all, else that seq */
	const char *event;    /* life: dispatched ... scrapped (see "event" above) */
	const char *worker;   /* life: NULL when none */
	const char *result;   /* life, inspection_back: pass or fail; else NULL */
	const char *next_due; /* life, inspection_back: YYYY-MM-DD; else NULL */
	const char *reason;   /* life, scrapped: why; else NULL */
	json_t *codes;        /* life: the array of codes (borrowed from json) */
	const char *lang;     /* the operator's language, i18n_language_ok; NULL: gasgw's */
	json_t *json;
};

/*
 * Parse one request line (len bytes, no newline, no NUL needed).  Returns 0
 * with *req filled (free it with ctl_request_free), or -1 with a sentence in
 * err naming the field at fault and *req holding nothing to free.  A
 * sentence an operator can meet through gasctl (a certificate, a worker, a
 * date, a reason) is worded in the request's "lang" when it came before the
 * fault; the calling thread's locale is as before on return.
 */
int ctl_request_parse(const char *buf, size_t len, struct ctl_request *req, char *err,
    size_t errlen);

/* Wipe the raw buyer number in place (it crossed the socket once), then
 * free.  Safe on a request whose parse failed. */
void ctl_request_free(struct ctl_request *req);

/* A request that waits for the outcome of an attempt (start with wait, fill). */
struct ctl_wait {
	struct line *line; /* NULL: the request does not wait */
	unsigned attempt;
};

/*
 * Carry out req on gw (lines through their mailbox, records, identity), with
 * this thread speaking req->lang meanwhile (i18n_speak; gasgw's own language
 * when NULL or not installed) and as before on return: the reply's words are
 * the operator's, a record's words gasgw's.
 * Returns the reply for the client (the caller owns it), or NULL when the
 * request now waits (*wait says for what; the result comes from
 * ctl_result_json) or when memory ran out (wait->line is NULL then).
 * A problem is never an error return: it is a reply with "ok": false and
 * an "error" sentence, or a refusal result (R01, R08).
 */
json_t *ctl_request_execute(struct gw *gw, const struct ctl_request *req, struct ctl_wait *wait);

/* End the shift of every line whose shift_hours have run out (the control
 * loop calls it now and then): the line's operator is logged out as soon as
 * no fill is in progress, and the shifts row says "time". */
void ctl_shifts_expire(struct gw *gw, int64_t now_wall_ms);

/* The rule thresholds in force, as the control thread knows them:
 * gw->config's until a reload, then the reload's. */
const struct gw_rules *ctl_rules(const struct gw *gw);

/*
 * The station's clock as the next fill attempt will judge it
 * (rules_clock_check with ctl_rules and the start of the newest fill),
 * told ahead to whoever asks the control thread: gasctl status, an
 * inspection return, the log.
 */
struct ctl_clock {
	enum rules_clock verdict;
	int64_t now_ms;    /* what the wall clock read */
	int64_t newest_ms; /* start of the newest fill; 0: none, or not read */
};

/* 0 with *out; -1 with err when the newest fill could not be read, *out
 * then judged against RULES_CLOCK_EPOCH_MS alone. */
int ctl_clock_judge(struct gw *gw, struct ctl_clock *out, char *err, size_t errlen);

/*
 * The control loop's watch on the clock (now and then: every
 * CTL_CLOCK_WATCH_MS of monotonic time, at once after gw->clock_next_ms is
 * set to 0): one warning in the log (rules_clock_words, in English) when the
 * clock is first not trusted (at start too), one line when it is trusted
 * again; nothing while it stays as it was.  A newest fill that cannot be
 * read changes nothing (the next attempt says so itself).
 */
#define CTL_CLOCK_WATCH_MS 5000
void ctl_clock_watch(struct gw *gw, int64_t now_mono_ms);

/* Parse, execute and free: one line as ctl.c receives it.  Same return as
 * ctl_request_execute; a line that does not parse gets an error reply. */
json_t *ctl_handle_line(struct gw *gw, const char *buf, size_t len, struct ctl_wait *wait);

/* {"ok":false,"error":MESSAGE} */
json_t *ctl_error_json(const char *message);
/* {"event":"progress", ...LINE...} of a waiting request. */
json_t *ctl_progress_json(const struct line_status *status);
/* {"event":"result", ...} once the attempt has an outcome.  Sent after the
 * request's reply, so in no request's language: its words are the state and
 * result names (the client translates them) and the violations, which are
 * the record's, in gasgw's language (an "error" result's sentence too). */
json_t *ctl_result_json(const struct line_status *status);

/* What became of a code or number given to a line. */
enum ctl_take {
	CTL_TAKEN,     /* the line holds it for its next fill */
	CTL_REFUSED,   /* rule R01 / R08 refused it (recorded); the line holds no
	                * cylinder (buyer) any more, unless a fill is running */
	CTL_NOT_TAKEN, /* the line is busy */
};

/*
 * A cylinder code or buyer number for line l, from the socket or a scanner.
 * CTL_TAKEN: the serial (or the masked number) is written to out when not
 * NULL.  CTL_REFUSED: "R01 sentence" is written to refusal, in gasgw's own
 * language whatever the thread speaks (it is recorded as it is).
 * CTL_NOT_TAKEN: why says why, in the thread's language.  The raw number is
 * never logged.
 */
enum ctl_take ctl_take_cylinder(struct gw *gw, struct line *l, const char *code,
    char out[LINE_SERIAL_SIZE], char *refusal, size_t refusallen, char *why, size_t whylen);
enum ctl_take ctl_take_buyer(struct gw *gw, struct line *l, const char *number,
    char out[LINE_MASKED_SIZE], char *refusal, size_t refusallen, char *why, size_t whylen);

#endif
