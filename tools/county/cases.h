/*
 * cases: what the county and its townships do about alerts and grid
 * workers' reports (docs/county.md, "Cases").
 *
 * A case is opened by an alert of severity alert or critical (an alert of
 * any other severity is recorded and counted, and opens nothing), or by a
 * grid worker's report.  An alert joins an open case of the same township,
 * rule and key (its cylinder, else its buyer, else its station) whose last
 * alert is at most case_join_min old, so that a stream of alerts about one
 * thing is one case.  A case's life:
 *
 *     new -> accepted (a named officer) -> onsite -> decided -> closed
 *     new | accepted | onsite -> dismissed (with a reason)
 *
 * and at any time a comment or an evidence file.  Every step is one row of
 * case_steps (who, when, what, note) written in the same transaction as the
 * change it records, so a crash leaves the case before or after a step,
 * never between.  Evidence is stored once per SHA-256 of its content, in
 * its own table, never inline in the alert table.
 *
 * Deadlines (catalogue.h: per kind and severity, in minutes or working
 * days of the county's calendar) are fixed when a case opens: accept, on
 * site, close.  A case past the deadline of its stage is overdue;
 * cases_escalate records the first time each one is (a step "escalate" by
 * "county"), and the overdue list shows township and time past the deadline.
 *
 * Who may call what is access.h's (the scope a caller was given is passed
 * in and every case named is checked against it); which step may follow
 * which, and what a decision needs from the catalogue, is decided here.
 * Answers are CBOR maps whose keys are the column names of docs/county.md
 * (times in Unix ms); the server renders them as JSON on request.
 *
 * Return conventions as db.h: 0 / -1 (err says why, nothing changed), and
 * for an action that names a case an enum cases_result.  Buffers returned
 * in *out are malloc'd and the caller frees them; after a failure there is
 * nothing to free.  Not thread-safe on one county_db (one connection).
 */
#ifndef COUNTY_CASES_H
#define COUNTY_CASES_H

#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "casemsg.h"
#include "catalogue.h"
#include "db.h"

enum cases_result {
	CASES_ERROR = -1,       /* the database failed: err says why; nothing changed */
	CASES_DONE = 0,         /* done and committed (or it already was: a repeated request) */
	CASES_NOT_FOUND = 1,    /* no such case: nothing changed */
	CASES_OUT_OF_SCOPE = 2, /* it exists outside the caller's scope: nothing changed */
	CASES_REFUSED = 3,      /* not allowed now or not valid: err says why; nothing changed */
	CASES_TOO_MANY = 4,     /* a person's limit is reached (report_max_per_hour,
	                         * CASES_NOTES_PER_HOUR): err says which; nothing changed; the
	                         * same request may be taken later */
	CASES_DAY_BOUND = 5,    /* the person's writes or evidence of 24 hours are at their
	                         * bound (writequota.h): err names the setting and until when;
	                         * nothing changed; the same request may be taken then */
	CASES_RID_REUSED = 6,   /* the request's rid is the key of another request of the same
	                         * person (another action or case, or the same one saying
	                         * something else: casemsg_digest) kept in the last 7 days:
	                         * err says so; nothing changed; a new request needs a new rid */
};

/* What cases_from_alerts did. */
struct cases_news {
	int opened, joined, critical; /* critical: cases new or made critical (notify at once) */
	char critical_township[32];   /* the township of the last of them */
};

/*
 * Turn every alert not yet seen into a case or a join (alerts are read in
 * id order from where the last call stopped, kept in the meta table), in
 * one transaction per call.  A new case's deadlines come from cat
 * (catalogue_due; NULL: the case_*_min settings).  Call after each ingest and each sweep: an
 * alert committed by a run that crashed before this is picked up by the
 * next call, never lost and never counted twice.
 */
int cases_from_alerts(struct county_db *c, const struct catalogue *cat, int64_t now_ms,
    struct cases_news *news, char *err, size_t errlen);

/*
 * A request's key (rq->rid, "rid": casemsg.h) makes cases_step,
 * cases_report and cases_reassign exact about resends: the first request
 * of identity with a rid is remembered with what it did (030), in the
 * same transaction, and the same request with that rid again (the same
 * action on the same case saying the same: every field but the rid,
 * casemsg_digest, 031) is CASES_DONE and stores nothing (a report:
 * *case_id is the case it opened), whatever the case is now; another
 * request with it (another case or step, or another note, decision,
 * file...) is CASES_RID_REUSED, err naming rid (never its text), nothing
 * stored.  A key kept before 031 has no digest: the action and the case
 * are compared, as before.  A keyed request the
 * content checks below find done already keeps its rid as that request's
 * (it stores nothing else).  Another person's rid never matches.  A key is forgotten
 * CASES_RID_KEEP_MS after its request, a few old ones at each new request.  Without a rid, the
 * resends below are recognised as before, by their content.
 */
#define CASES_RID_KEEP_MS (7LL * 86400000)

/*
 * One step of case rq->id (rq->step: accept, onsite, decide, close,
 * dismiss, comment, attach) by identity inside scope, with rq's note and,
 * when rq carries file/type/data, an evidence file.  decide needs an
 * outcome (and power and fine as catalogue_check_decision says); dismiss
 * and comment need a note; attach needs a file.  A request repeated after
 * it was done (libcoap resends what it did not see answered) is CASES_DONE
 * and adds nothing.  A comment or attach past CASES_NOTES_PER_HOUR of
 * identity's on the case in the last hour is CASES_TOO_MANY.
 */
enum cases_result cases_step(struct county_db *c, const struct catalogue *cat,
    const struct access_scope *scope, const char *identity, const struct case_request *rq,
    int64_t now_ms, char *err, size_t errlen);

/*
 * A grid worker's report: rq->kind (a report kind of cat, by code or
 * name) and rq->note (what was found) are needed, and where: with lat and
 * lon and a township map in cat, the report goes to the township whose
 * boundary holds them, even when its village is listed under another (the
 * timeline then says so in a step "route"), and a point in no township is
 * refused; otherwise rq->village is needed and goes to its township by
 * the village list.  place, code and one evidence file are optional.
 * code is what the worker scanned or typed: a label's URL or a bare code
 * names its cylinder (the case's cylinder, whose fills its officers see)
 * only when its signature holds under cat's code_key; a serial typed from
 * the steel names its cylinder as typed; the case's code_check says which
 * (016), and a code that is not the county's gets a step "code" saying why.
 * Opens a case reported by identity (routed_by "map" or "village") with
 * the deadlines of its kind; *case_id gets it.  A repeated report (same
 * reporter, kind, village and note within ten minutes) is the same case.
 * A new report past the config's report_max_per_hour of identity's in the
 * last hour is CASES_TOO_MANY (0: no limit).
 */
enum cases_result cases_report(struct county_db *c, const struct catalogue *cat,
    const char *identity, const struct case_request *rq, int64_t now_ms, int64_t *case_id,
    char *err, size_t errlen);

/* The state of case id (new, accepted, onsite, decided, closed, dismissed) into state,
 * when it lies in scope; CASES_NOT_FOUND or CASES_OUT_OF_SCOPE as cases_show. */
enum cases_result cases_state(struct county_db *c, const struct access_scope *scope, int64_t id,
    char *state, size_t statelen, char *err, size_t errlen);

/* The township case id is in now into township, when it lies in scope; as cases_state. */
enum cases_result cases_township(struct county_db *c, const struct access_scope *scope, int64_t id,
    char *township, size_t townshiplen, char *err, size_t errlen);

/* 1 if step (accept, onsite, decide, close, dismiss, comment, attach, or reassign) may be
 * taken on a case in state: the rule cases_step (cases_reassign) holds it to, for a caller
 * that says why one was refused (a page drawn before someone else moved the case on). */
int cases_step_fits(const char *state, const char *step);

/* 1 if step is one cases_step takes (accept, onsite, decide, close, dismiss, comment,
 * attach). */
int cases_step_known(const char *step);

/* What step (as above, reassign and a grid worker's "report" included) needs besides its
 * case: a note that is not blank (CASES_NEEDS_NOTE), a file (CASES_NEEDS_FILE); the rule
 * cases_step, cases_reassign and cases_report hold it to, for a form that marks its fields
 * required and a caller that says why one was refused.  0 for a step that needs neither or
 * is no step. */
#define CASES_NEEDS_NOTE 0x1u
#define CASES_NEEDS_FILE 0x2u
unsigned cases_step_needs(const char *step);
/* 1 if note is blank: empty, or only spaces, tabs and line ends (a needed note, and a
 * report's, may not be). */
int cases_note_blank(const char *note);

/* The typed fields of a case request, in the order they are asked. */
enum cases_field {
	CASES_FIELD_NONE = -1,
	CASES_FIELD_NOTE,
	CASES_FIELD_PLACE,
	CASES_FIELD_VILLAGE,
	CASES_FIELD_CODE, /* only when it is no code: a serial or a remark */
	/* words the county looks up (a report's kind, a decision's outcome and power, a
	 * reassignment's township): asked too, so that a number typed there is refused before the
	 * refusal that names an unknown word (and its log line) could echo it */
	CASES_FIELD_KIND,
	CASES_FIELD_OUTCOME,
	CASES_FIELD_POWER,
	CASES_FIELD_TOWNSHIP,
	CASES_FIELD_COUNT
};

/* The typed field of rq that holds what looks like a resident ID or credit
 * code (buyer.h), or CASES_FIELD_NONE.  cases_step, cases_report and
 * cases_reassign refuse such a request, naming the field, never the text;
 * the console and gaswatch ask first, to say so in the person's language
 * (each with its own labels, indexed by the field). */
enum cases_field cases_field_with_number(const struct case_request *rq);

/* The field's key as the request names it: "note", "place", "village", "code", "kind",
 * "outcome", "power", "township". */
const char *cases_field_key(enum cases_field field);

/* Where a report goes, or why it cannot go anywhere (cases_route). */
enum cases_route {
	CASES_ROUTED = 0,
	CASES_ROUTE_OUTSIDE_MAP,     /* its coordinates lie in no township of the county's map */
	CASES_ROUTE_NO_VILLAGE,      /* no village, and no coordinates a map can place */
	CASES_ROUTE_UNKNOWN_VILLAGE, /* its village is not in the county's village list */
};

/*
 * Where report rq goes: with coordinates and a township map, the township
 * whose boundary holds them, whatever village the report names (a phone's
 * position is measured, a village is typed); else the village's township
 * by the village list.  *township gets it and *by says which ("map" or
 * "village"); *listed, when the village named is listed under another
 * township, is that township (for the case's timeline), else NULL.
 * Otherwise why not, with the reason in err: cases_route_reason's, the
 * text of the CoAP door's 4.00.  cases_report routes by it; the console
 * asks first, to say why in the person's language.
 */
enum cases_route cases_route(const struct catalogue *cat, const struct case_request *rq,
    const char **township, const char **by, const char **listed, char *err, size_t errlen);

/* The county's reason for a report it cannot route, fixed (English, no
 * value of the report in it) so that a client recognises it and says it in
 * the person's language with the place and village it sent (gaswatch);
 * "" for CASES_ROUTED. */
const char *cases_route_reason(enum cases_route route);

/* Refusals a person meets whose request's values a client knows (it sent
 * them): the county says them in fixed text (cases_refusal_reason) and
 * the client words them with those values (gaswatch). */
enum cases_refusal {
	CASES_REFUSAL_UNKNOWN_TOWNSHIP, /* a reassignment to a township the county does not know */
	CASES_REFUSAL_SAME_TOWNSHIP,    /* a reassignment to the township the case is in */
	CASES_REFUSAL_EVIDENCE_TOO_LARGE, /* evidence over evidence_max_kb */
	CASES_REFUSAL_ESCALATED_DISMISS,  /* a township's dismissal of a case escalated to the
	                                   * county: only the county's reach dismisses it */
};

/* The county's reason for refusal, fixed (English, no value of the request
 * in it): the err of cases_reassign and cases_step, the text of the CoAP
 * door's 4.00. */
const char *cases_refusal_reason(enum cases_refusal refusal);

/* Move open case rq->id to township rq->township (the county's decision):
 * its state goes back to new with no officer, its deadlines run from
 * now_ms (cat's, for its kind and severity) and it is off the overdue list
 * until late again; a decision taken (outcome, power, fine) is set aside
 * and kept in the step's facts; rq->note says why.  A township the
 * county does not know (county_township_known: never "county"), or the
 * one the case is in (unless the same person sent the same note just
 * before: done, once), is CASES_REFUSED with cases_refusal_reason's text. */
enum cases_result cases_reassign(struct county_db *c, const struct catalogue *cat,
    const char *identity, const struct case_request *rq, int64_t now_ms, char *err, size_t errlen);

/* Record "escalate" on every open case past the deadline of its stage that
 * has not been escalated yet; *escalated says how many.  Reads only those
 * cases (013's partial index), not the table.  On failure nothing is
 * changed and *escalated is 0. */
int cases_escalate(struct county_db *c, int64_t now_ms, int *escalated, char *err, size_t errlen);

enum cases_view {
	CASES_VIEW_OPEN,    /* not closed or dismissed */
	CASES_VIEW_MINE,    /* accepted by identity, or reported by identity */
	CASES_VIEW_ALL,     /* every state */
	CASES_VIEW_OVERDUE, /* open and past the deadline of its stage */
};

/* Parse "open", "mine", "all", "overdue"; -1 if none. */
int cases_view_parse(const char *text, enum cases_view *view);

/*
 * Cases inside scope in view, the most urgent first (critical before
 * alert, overdue first, then the nearest deadline), at most max: CBOR
 * {"now": ms, "cases": [{...}, ...]} in *out (malloc'd, *len bytes; the
 * caller frees it), each case the map cases_show gives as its "case", byte
 * for byte.  After a failure *out is NULL and err says why.
 */
int cases_list(struct county_db *c, const struct access_scope *scope, const char *identity,
    enum cases_view view, int64_t now_ms, size_t max, uint8_t **out, size_t *len, char *err,
    size_t errlen);

/* One case of a list, as cases_list_brief gives it: the columns of cases_list's answer that a
 * list shows, by the same names.  The texts lie in the list's own block. */
struct cases_brief {
	int64_t id;
	int64_t due_ms;    /* the deadline of its current stage; 0 once closed or dismissed */
	int64_t overdue_s; /* seconds past that deadline; 0 unless overdue */
	int overdue;       /* 1: open and past the deadline of its stage */
	const char *township, *severity, *kind, *state, *title;
};

/* What a list may be narrowed to inside its scope and view: each field NULL or "" for any,
 * else the case's value exactly. */
struct cases_filter {
	const char *severity; /* "alert" or "critical" */
	const char *township; /* a township's code */
	const char *kind;     /* a rule or report kind */
};

/*
 * The same list as cases_list (the same cases in the same order, by the same query, scope and
 * view) without an answer to encode: for a caller in this process that draws it (the
 * console), which would otherwise decode again every row of cases_list's CBOR.  With a filter
 * (NULL: none) only the cases it matches, chosen before the limit: the first max of those,
 * not those among the first max of the list.  *rows is one malloc'd block holding the *n
 * cases and their texts (free(*rows) frees it all, also when *n is 0); after a failure *rows
 * is NULL, *n is 0 and err says why.
 */
int cases_list_brief(struct county_db *c, const struct access_scope *scope, const char *identity,
    enum cases_view view, const struct cases_filter *filter, int64_t now, size_t max,
    struct cases_brief **rows, size_t *n, char *err, size_t errlen);

/*
 * One case with its timeline, its alerts and its evidence (without the
 * bytes): CBOR {"case": {...}, "steps": [...], "alerts": [...],
 * "evidence": [...], "joins_left_out": N, "alerts_left_out": M,
 * "steps_left_out": K, "steps_left_out_after": S}.  Every step that moves
 * the case (a report, its routing, accept, onsite, decide, close, dismiss,
 * reassign, an escalation) is listed, wherever it falls.  Of the alerts that
 * joined the case (a stream of them keeps joining for as long as it lasts),
 * the first and the newest CASES_SHOWN_JOINS are listed, as steps "join"
 * and as alerts, and those between are counted in joins_left_out and
 * alerts_left_out (the alerts table keeps every one), so that an answer
 * stays the same size however long the stream ran.  So are the steps that
 * only add words or a file (comment, attach: CASES_FOLDED_SQL): the first
 * and the newest CASES_SHOWN_NOTES, with their evidence; the K between are
 * counted in steps_left_out, the first of them right after step S (0 when
 * none is left out), and are read with cases_steps.  Until 7 Dec 2026 every
 * comment was listed whole: one officer's 200 comments of 4,000 quote marks
 * made the console's page of the case larger than PAGE_MAX, and no one else
 * could open it.
 *
 * A step is {"id", "at_ms", "identity", "action", "note", "state"} and, for
 * a step the county wrote itself (017), the facts its reader words in the
 * reader's language, each present only when the step has it:
 *   route     to_township, lat, lon, village, listed_under: sent by its
 *             coordinates, not by its village's listing under listed_under
 *   code      why: the cylinder code reported is not one the county signed
 *   escalate  stage ("accept", "onsite", "close"), late_min
 *   reassign  from_township, to_township (note: the regulator's why) and,
 *             when a decision was set aside, set_aside_outcome,
 *             set_aside_power ('' for none), set_aside_fine_yuan
 * A step written before 017 has none of them and its note says it in
 * English.
 */
#define CASES_SHOWN_JOINS 25
/*
 * The steps folded like joins: they add words or a file and move nothing.
 * 20 + 20 of them at their longest, a note of CASEMSG_NOTE - 1 = 4,095
 * bytes all quote marks (6 bytes each once escaped: 24,570) and a file name
 * of CASEMSG_NAME - 1 = 127 (762 escaped), with the step's markup and its
 * link (under 1,000), are at most 40 x 26,332 = 1,053,280 bytes of a page:
 * a quarter of PAGE_MAX (4 MiB), next to the 50 joins and 50 alerts (each
 * text under WIRE_TEXT = 256 bytes, 1,536 escaped: 154 kB and their
 * markup), the cylinder's 20 fills and 50 registry changes and the forms
 * (t_case_steps measures 972 kB for the whole page).  The steps that move
 * the case are listed all: a case moves new, accepted, onsite, decided,
 * closed once (a handful of steps, each note at most as long), and again
 * only after a regulator's reassignment.
 */
#define CASES_FOLDED_SQL "'comment', 'attach'"
#define CASES_SHOWN_NOTES 20
enum cases_result cases_show(struct county_db *c, const struct access_scope *scope, int64_t id,
    int64_t now_ms, uint8_t **out, size_t *len, char *err, size_t errlen);

/*
 * The steps of case id after step after (0: from its first), in order,
 * every kind, at most CASES_STEPS_PAGE of them, with their evidence: CBOR
 * {"steps": [...], "evidence": [...], "more": true|false}, each step as in
 * cases_show.  What cases_show left out (joins, comments, attachments) is
 * read here, page by page (more: steps are left after the last one), under
 * the same scope as cases_show: CASES_NOT_FOUND, CASES_OUT_OF_SCOPE.  40
 * steps at their longest are a page of about 1 MB (CASES_SHOWN_NOTES).
 */
#define CASES_STEPS_PAGE 40
enum cases_result cases_steps(struct county_db *c, const struct access_scope *scope, int64_t id,
    int64_t after, uint8_t **out, size_t *len, char *err, size_t errlen);

/*
 * Comments and attachments one person may add to one case in any hour
 * (cases_step): the next is CASES_TOO_MANY, so that no one fills a case's
 * timeline faster than anyone can read it.  The steps that move a case
 * have no such limit: each can be taken once a state.
 */
#define CASES_NOTES_PER_HOUR 60

/* The bytes of evidence hash (64 hex) of case id, if that case lies in
 * scope; *type gets its media type. */
enum cases_result cases_evidence(struct county_db *c, const struct access_scope *scope, int64_t id,
    const char *hash, uint8_t **out, size_t *len, char *type, size_t typelen, char *err,
    size_t errlen);

/*
 * Figures per township inside scope for cases opened in from_ms..to_ms:
 * CBOR {"from", "to", "townships": [{"township", "opened", "closed",
 * "dismissed", "open", "overdue", "escalated", "info_alerts",
 * "median_accept_s", "median_close_s", "outcomes": {code: n}}]}.  Medians
 * are -1 when there is nothing to take one of.  "escalated" counts the
 * escalations in the period under the township the case was in when it was
 * escalated, wherever it was reassigned since; the county's scope lists
 * such a township even when none of its cases is left in it.
 */
int cases_figures(struct county_db *c, const struct access_scope *scope, int64_t from_ms,
    int64_t to_ms, int64_t now_ms, uint8_t **out, size_t *len, char *err, size_t errlen);

#endif
