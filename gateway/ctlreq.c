/*
 * ctlreq: parse, check and carry out one control request, and render the
 * replies (ctlreq.h).  Nothing here touches a socket: ctl.c sends what these
 * return, and the fuzzer reaches every branch with an in-memory gw.
 */
#include "ctlreq.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buyer.h"
#include "code.h"
#include "i18n.h"
#include "log.h"
#include "psk.h"
#include "opauth.h"
#include "registry.h"
#include "timetext.h"
#include "uplink.h"
#include "util.h"

/* --- parsing --------------------------------------------------------------------- */

static const struct {
	const char *name;
	enum ctl_command command;
	int needs_line;
} commands[] = {
	{ "status", CTL_STATUS, 0 },
	{ "fills", CTL_FILLS, 0 },
	{ "aside", CTL_ASIDE, 0 },
	{ "login", CTL_LOGIN, 1 },
	{ "logout", CTL_LOGOUT, 1 },
	{ "scan", CTL_SCAN, 1 },
	{ "buyer", CTL_BUYER, 1 },
	{ "start", CTL_START, 1 },
	{ "stop", CTL_STOP, 1 },
	{ "fill", CTL_FILL, 1 },
	{ "life", CTL_LIFE, 0 },
	{ NULL, 0, 0 },
};

/* A string member: 0 with *out (NULL when absent and optional), or -1. */
static int
string_member(json_t *obj, const char *cmd, const char *name, int required, const char **out,
    char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, name);

	*out = NULL;
	if (v == NULL && !required)
		return 0;
	if (!json_is_string(v))
		return err_set(err, errlen, "%s needs \"%s\": a string", cmd, name);
	*out = json_string_value(v);
	return 0;
}

static int
integer_member(json_t *obj, const char *name, json_int_t min, json_int_t max, json_int_t fallback,
    json_int_t *out, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, name);

	*out = fallback;
	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return err_set(err, errlen, "\"%s\" must be an integer from %lld to %lld", name,
		    (long long)min, (long long)max);
	*out = json_integer_value(v);
	return 0;
}

/* An operator's certificate: echoed in replies and logs, kept in 64 bytes;
 * so never something that looks like a person's ID number (typed into the
 * wrong field), which would then be stored, logged and echoed. */
static int
check_cert(const char *cert, const char *name, char *err, size_t errlen)
{
	size_t n = strlen(cert), i;

	if (n == 0 || n > CTL_CERT_MAX)
		return err_set(err, errlen, _("\"%s\" must be 1 to %d bytes"), name, CTL_CERT_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)cert[i] < 0x20 || cert[i] == 0x7f)
			return err_set(err, errlen, _("\"%s\" must not hold control characters"),
			    name);
	if (buyer_text_has_number(cert, n))
		return err_set(err, errlen,
		    _("\"%s\" looks like an ID number, not an operator certificate number; it "
		      "was not kept"),
		    name);
	return 0;
}

/* The station's own life events (gasctl dispatch, receive, inspection out,
 * inspection back, scrap) and what each needs beyond its codes; the
 * delivery device's (handed_over, returned) are not the station's to record. */
static const char *const life_events[] = { "dispatched", "received", "inspection_out",
	"inspection_back", "scrapped", NULL };

static int
is_event(const struct ctl_request *req, const char *event)
{
	return strcmp(req->event, event) == 0;
}

/* An inspection's next due date: a real date.  How it stands to today is
 * judged when the request is carried out (next_due_fits), once the
 * station's clock has been judged fit to say what today is. */
static int
check_next_due(const char *text, char *err, size_t errlen)
{
	int32_t due;

	if (strlen(text) != 10 || date_parse(text, &due) == -1)
		return err_set(err, errlen, _("\"next_due\" must be a date, YYYY-MM-DD"));
	return 0;
}

/* life: the event and the members it takes, each refused where it does not
 * belong (a reason on a dispatch is a mistake, not something to drop). */
static int
check_life(const struct ctl_request *req, char *err, size_t errlen)
{
	int i;

	for (i = 0; life_events[i] != NULL && !is_event(req, life_events[i]); i++)
		;
	if (life_events[i] == NULL)
		return err_set(err, errlen,
		    "\"event\" must be dispatched, received, inspection_out, inspection_back or "
		    "scrapped");
	if (req->worker != NULL) {
		if (!is_event(req, "dispatched") && !is_event(req, "received"))
			return err_set(err, errlen,
			    "\"worker\" is only for dispatched and received");
		if (check_cert(req->worker, "worker", err, errlen) == -1)
			return -1;
		/* the identity the worker's device sends its hand-overs and returns under, so that
		 * the county's trace joins the two ("out for delivery with ...") */
		if (psk_identity_role(req->worker, NULL, 0) != PSK_ROLE_DELIVERY)
			return err_set(err, errlen,
			    _("\"worker\" %s is not a delivery worker's identity: "
			      "delivery:NAME@TOWNSHIP, as the county's identities file names them"),
			    req->worker);
	}
	if (req->worker == NULL && is_event(req, "dispatched"))
		return err_set(err, errlen, "dispatched needs \"worker\": who takes the cylinders");
	if (is_event(req, "inspection_back")) {
		if (req->result == NULL ||
		    (strcmp(req->result, "pass") != 0 && strcmp(req->result, "fail") != 0))
			return err_set(err, errlen,
			    "inspection_back needs \"result\": pass or fail");
		/* a fail's date is the county's to ignore: gasgw gives one (life_reply) */
		if (req->next_due == NULL && strcmp(req->result, "pass") == 0)
			return err_set(err, errlen,
			    "inspection_back needs \"next_due\" after a pass: the next inspection, "
			    "YYYY-MM-DD");
		if (req->next_due != NULL && check_next_due(req->next_due, err, errlen) == -1)
			return -1;
	} else if (req->result != NULL || req->next_due != NULL) {
		return err_set(err, errlen,
		    "\"result\" and \"next_due\" are only for inspection_back");
	}
	if (is_event(req, "scrapped")) {
		if (req->reason == NULL)
			return err_set(err, errlen,
			    "scrapped needs \"reason\": why it was scrapped");
		if (registry_reason_check(req->reason, err, errlen) == -1)
			return -1;
	} else if (req->reason != NULL) {
		return err_set(err, errlen, "\"reason\" is only for scrapped");
	}
	return 0;
}

/* The operator's PIN (login, life): required, at most OPAUTH_PIN_MAX bytes;
 * never echoed.  0, or -1. */
static int
pin_member(struct ctl_request *req, const char *cmd, char *err, size_t errlen)
{
	if (string_member(req->json, cmd, "pin", 1, &req->pin, err, errlen) == -1)
		return -1;
	if (strlen(req->pin) > OPAUTH_PIN_MAX)
		return err_set(err, errlen, "\"pin\" must be at most %d bytes", OPAUTH_PIN_MAX);
	return 0;
}

int
ctl_request_parse(const char *buf, size_t len, struct ctl_request *req, char *err, size_t errlen)
{
	struct i18n_speech speech = { 0 };
	json_error_t jerr;
	json_t *wait, *lang;
	json_int_t n;
	const char *cmd;
	int i, rc = -1;

	memset(req, 0, sizeof(*req));
	req->json = json_loadb(buf, len, 0, &jerr);
	if (req->json == NULL) {
		/* jansson quotes the text "near" the fault, which may be a
		 * buyer number: the reply keeps only what and where */
		char *near = strstr(jerr.text, " near '");

		if (near != NULL)
			*near = '\0';
		err_set(err, errlen, "not a JSON object: %s (byte %d)", jerr.text, jerr.position);
		goto out;
	}
	if (!json_is_object(req->json)) {
		err_set(err, errlen, "not a JSON object");
		goto out;
	}
	/* the operator's language: what the refusals below are worded in; a
	 * name that is not one is not an error, only not spoken */
	lang = json_object_get(req->json, "lang");
	if (json_is_string(lang) &&
	    i18n_language_ok(json_string_value(lang), json_string_length(lang)))
		req->lang = json_string_value(lang);
	i18n_speak(req->lang, &speech);
	if (string_member(req->json, "a request", "cmd", 1, &cmd, err, errlen) == -1)
		goto out;
	for (i = 0; commands[i].name != NULL && strcmp(commands[i].name, cmd) != 0; i++)
		;
	if (commands[i].name == NULL) {
		/* not echoed: it may be anything, a buyer's number included */
		err_set(err, errlen,
		    "unknown command (one of status, fills, aside, login, logout, scan, buyer, "
		    "start, stop, fill, life)");
		goto out;
	}
	req->command = commands[i].command;
	if (commands[i].needs_line) {
		json_t *v = json_object_get(req->json, "line");

		if (!json_is_integer(v)) {
			err_set(err, errlen, "request needs \"line\": a line number");
			goto out;
		}
		if (json_integer_value(v) < 1 || json_integer_value(v) > GW_LINE_NUMBER_MAX) {
			/* the number is not echoed: it may be an ID number */
			err_set(err, errlen, "\"line\" must be a line number from 1 to %d",
			    GW_LINE_NUMBER_MAX);
			goto out;
		}
		req->line = (int)json_integer_value(v);
	}
	switch (req->command) {
	case CTL_FILLS:
		if (integer_member(req->json, "since", 0, INT64_MAX, 0, &n, err, errlen) == -1)
			goto out;
		req->since_ms = n;
		if (integer_member(req->json, "limit", 1, CTL_FILLS_MAX, CTL_FILLS_DEFAULT, &n, err,
		        errlen) == -1)
			goto out;
		req->limit = (int)n;
		break;
	case CTL_ASIDE: {
		json_t *v = json_object_get(req->json, "retry");

		req->retry = -1;
		if (v == NULL)
			break;
		if (json_is_string(v) && strcmp(json_string_value(v), "all") == 0) {
			req->retry = 0;
		} else if (json_is_integer(v) && json_integer_value(v) >= 1) {
			req->retry = json_integer_value(v);
		} else {
			err_set(err, errlen,
			    "\"retry\" must be a record's seq (1 or more) or \"all\"");
			goto out;
		}
		break;
	}
	case CTL_LOGIN:
		if (string_member(req->json, cmd, "cert", 1, &req->cert, err, errlen) == -1 ||
		    check_cert(req->cert, "cert", err, errlen) == -1 ||
		    pin_member(req, cmd, err, errlen) == -1)
			goto out;
		break;
	case CTL_SCAN:
		if (string_member(req->json, cmd, "code", 1, &req->code, err, errlen) == -1)
			goto out;
		break;
	case CTL_BUYER:
		if (string_member(req->json, cmd, "number", 1, &req->number, err, errlen) == -1)
			goto out;
		break;
	case CTL_START:
		wait = json_object_get(req->json, "wait");
		if (wait != NULL && !json_is_boolean(wait)) {
			err_set(err, errlen, "\"wait\" must be true or false");
			goto out;
		}
		req->wait = json_is_true(wait);
		break;
	case CTL_FILL:
		if (string_member(req->json, cmd, "cylinder", 1, &req->code, err, errlen) == -1 ||
		    string_member(req->json, cmd, "buyer", 1, &req->number, err, errlen) == -1 ||
		    string_member(req->json, cmd, "operator", 0, &req->cert, err, errlen) == -1)
			goto out;
		if (req->cert != NULL && check_cert(req->cert, "operator", err, errlen) == -1)
			goto out;
		req->wait = 1;
		break;
	case CTL_LIFE: {
		size_t k;

		if (string_member(req->json, cmd, "event", 1, &req->event, err, errlen) == -1 ||
		    string_member(req->json, cmd, "operator", 1, &req->cert, err, errlen) == -1 ||
		    check_cert(req->cert, "operator", err, errlen) == -1 ||
		    string_member(req->json, cmd, "worker", 0, &req->worker, err, errlen) == -1 ||
		    string_member(req->json, cmd, "result", 0, &req->result, err, errlen) == -1 ||
		    string_member(req->json, cmd, "next_due", 0, &req->next_due, err, errlen) ==
		        -1 ||
		    string_member(req->json, cmd, "reason", 0, &req->reason, err, errlen) == -1 ||
		    check_life(req, err, errlen) == -1 || pin_member(req, cmd, err, errlen) == -1)
			goto out;
		req->codes = json_object_get(req->json, "codes");
		if (!json_is_array(req->codes) || json_array_size(req->codes) == 0 ||
		    json_array_size(req->codes) > CTL_LIFE_MAX) {
			err_set(err, errlen, "\"codes\" must be an array of 1 to %d codes",
			    CTL_LIFE_MAX);
			goto out;
		}
		for (k = 0; k < json_array_size(req->codes); k++)
			if (!json_is_string(json_array_get(req->codes, k))) {
				err_set(err, errlen, "\"codes\"[%zu] must be a string", k);
				goto out;
			}
		break;
	}
	case CTL_STATUS:
	case CTL_STOP:
	case CTL_LOGOUT:
		break;
	}
	rc = 0;
out:
	i18n_speak_end(&speech);
	if (rc == -1)
		ctl_request_free(req);
	return rc;
}

/* jansson frees without wiping: the number (and a PIN) goes first.  The buffer is
 * jansson's own copy, so writing to it is safe. */
static void
wipe_numbers(json_t *obj)
{
	static const char *const members[] = { "number", "buyer", "pin" };
	size_t i;

	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		json_t *v = json_object_get(obj, members[i]);

		if (json_is_string(v))
			explicit_bzero((char *)json_string_value(v), json_string_length(v));
	}
}

void
ctl_request_free(struct ctl_request *req)
{
	if (req->json != NULL) {
		if (json_is_object(req->json))
			wipe_numbers(req->json);
		json_decref(req->json);
	}
	memset(req, 0, sizeof(*req));
}

/* --- replies --------------------------------------------------------------------- */

json_t *
ctl_error_json(const char *message)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", message);
}

static json_t *error_reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static json_t *
error_reply(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ctl_error_json(msg);
}

/* A refusal as the client sees it: rule lines and the first rule code. */
static json_t *
violations_json(const char *text)
{
	json_t *arr = json_array();
	const char *p = text, *nl;
	char item[512];
	size_t n;

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n >= sizeof(item))
			n = sizeof(item) - 1;
		memcpy(item, p, n);
		item[n] = '\0';
		json_array_append_new(arr, json_string(item));
		p = nl ? nl + 1 : NULL;
	}
	return arr;
}

static json_t *
num_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(round(v * 1000.0) / 1000.0);
}

static json_t *
status_json(const struct line_status *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "line", json_integer(s->number));
	json_object_set_new(o, "state", json_string(line_state_name(s->state)));
	json_object_set_new(o, "link", json_boolean(s->link_ok));
	json_object_set_new(o, "gross", num_or_null(s->gross_kg));
	json_object_set_new(o, "net", num_or_null(s->net_kg));
	json_object_set_new(o, "target", num_or_null(s->target_kg));
	json_object_set_new(o, "preact", num_or_null(s->preact_kg));
	json_object_set_new(o, "operator", json_string(s->operator_cert));
	json_object_set_new(o, "cylinder", json_string(s->cylinder));
	json_object_set_new(o, "buyer", json_string(s->buyer_masked));
	json_object_set_new(o, "fill", json_string(s->fill_uuid));
	json_object_set_new(o, "last_result", json_string(s->result));
	json_object_set_new(o, "last_net", num_or_null(s->result_net_kg));
	json_object_set_new(o, "last_violations", violations_json(s->result_text));
	json_object_set_new(o, "scan_refused", json_string(s->scan_refused));
	return o;
}

json_t *
ctl_result_json(const struct line_status *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "event", json_string("result"));
	json_object_set_new(o, "line", json_integer(s->number));
	json_object_set_new(o, "ok", json_boolean(!s->refused && strcmp(s->result, "error")));
	json_object_set_new(o, "refused",
	    json_boolean(s->refused && strcmp(s->result, "error") != 0));
	json_object_set_new(o, "result", json_string(s->result));
	json_object_set_new(o, "fill", json_string(s->refused ? "" : s->fill_uuid));
	json_object_set_new(o, "net", num_or_null(s->result_net_kg));
	json_object_set_new(o, "target", num_or_null(s->target_kg));
	json_object_set_new(o, "violations", violations_json(s->result_text));
	return o;
}

json_t *
ctl_progress_json(const struct line_status *s)
{
	json_t *o = status_json(s);

	json_object_set_new(o, "event", json_string("progress"));
	return o;
}

/* A refusal at the counter (R01, R08): the same shape as a fill's result. */
static json_t *
refused_json(int line, const char *refusal)
{
	json_t *arr = json_array();

	json_array_append_new(arr, json_string(refusal));
	return json_pack("{s:s, s:i, s:b, s:b, s:s, s:o}", "event", "result", "line", line, "ok", 0,
	    "refused", 1, "result", "refused", "violations", arr);
}

/* --- identity at the counter ----------------------------------------------------- */

/*
 * A code or number the rules refused at the counter (R01, R08: verdict
 * holds the refusal): logged, recorded at once, and its "RULE sentence"
 * written to refusal.  Returns CTL_REFUSED.
 */
static enum ctl_take
refuse_at_counter(struct gw *gw, struct line *l, const struct rules_verdict *v, char *refusal,
    size_t refusallen)
{
	struct records_party p;
	char err[256];

	log_info("line %d: %s", l->number, v->items[0].text);
	memset(&p, 0, sizeof(p));
	p.line = l->number;
	p.operator_cert = l->operator_cert[0] ? l->operator_cert : NULL;
	if (records_incident(&gw->records, "refusal", v, &p, NULL, err, sizeof(err)) == -1)
		log_warnx("line %d: refusal not recorded: %s", l->number, err);
	str_copy(refusal, v->items[0].text, refusallen);
	return CTL_REFUSED;
}

enum ctl_take
ctl_take_cylinder(struct gw *gw, struct line *l, const char *code, char out[LINE_SERIAL_SIZE],
    char *refusal, size_t refusallen, char *why, size_t whylen)
{
	struct line_cylinder cyl;
	struct records_cylinder reg;
	struct rules_label label, registry;
	struct rules_verdict v;
	struct i18n_speech own;
	enum store_found found = STORE_NOT_FOUND;
	char err[256];

	/* a refusal is a record's words (recorded, and sent to the county): in
	 * gasgw's own language whoever asks, as a fill's violations are */
	i18n_speak(NULL, &own);
	gwident_cylinder(gw->ident, code, strlen(code), &cyl);
	line_cylinder_label(&cyl, &label);
	/* a label the registry no longer holds is refused here too (R01); a
	 * cylinder not in it is R02's, at start, as is a database that cannot
	 * say (the checks before the fill read the row again) */
	if (cyl.valid) {
		found = records_cylinder_get(&gw->records, cyl.serial, &reg, err, sizeof(err));
		if (found == STORE_ERROR)
			log_warnx("line %d: cylinder %s not looked up at the counter: %s",
			    l->number, cyl.serial, err);
		else if (found == STORE_FOUND)
			records_cylinder_label(&reg, &registry);
	}
	rules_counter_code(cyl.valid, cyl.reason, cyl.serial, &label,
	    found == STORE_FOUND ? &registry : NULL, &v);
	i18n_speak_end(&own);
	if (v.count > 0) {
		/* the cylinder at the counter is not the one scanned before: the
		 * line lets go of that one (not of a fill running: busy) */
		(void)line_clear_cylinder(l, v.items[0].text, why, whylen);
		return refuse_at_counter(gw, l, &v, refusal, refusallen);
	}
	if (line_set_cylinder(l, &cyl, why, whylen) == -1)
		return CTL_NOT_TAKEN;
	if (out != NULL)
		str_copy(out, cyl.serial, LINE_SERIAL_SIZE);
	return CTL_TAKEN;
}

enum ctl_take
ctl_take_buyer(struct gw *gw, struct line *l, const char *number, char out[LINE_MASKED_SIZE],
    char *refusal, size_t refusallen, char *why, size_t whylen)
{
	struct line_buyer b;
	struct rules_verdict v;
	struct i18n_speech own;

	i18n_speak(NULL, &own); /* the record's words: as for a cylinder */
	gwident_buyer(gw->ident, number, strlen(number), &b);
	rules_counter_buyer(b.valid, b.reason, &v);
	i18n_speak_end(&own);
	if (v.count > 0) {
		(void)line_clear_buyer(l, v.items[0].text, why, whylen); /* as a cylinder */
		return refuse_at_counter(gw, l, &v, refusal, refusallen);
	}
	if (line_set_buyer(l, &b, why, whylen) == -1)
		return CTL_NOT_TAKEN;
	if (out != NULL)
		str_copy(out, b.masked, LINE_MASKED_SIZE);
	return CTL_TAKEN;
}

/* --- carrying out ---------------------------------------------------------------- */

static int
fills_cb(const struct records_fill_row *row, void *arg)
{
	json_t *arr = arg;
	char started[32], ended[32];
	json_t *o = json_object();

	time_format_iso(row->started_ms, started);
	if (row->ended_ms)
		time_format_iso(row->ended_ms, ended);
	else
		ended[0] = '\0';
	json_object_set_new(o, "uuid", json_string(row->uuid));
	json_object_set_new(o, "line", json_integer(row->line));
	json_object_set_new(o, "cylinder", json_string(row->cylinder));
	json_object_set_new(o, "buyer", json_string(row->buyer_masked));
	json_object_set_new(o, "operator", json_string(row->operator_cert));
	json_object_set_new(o, "started", json_string(started));
	json_object_set_new(o, "ended", json_string(ended));
	json_object_set_new(o, "target", num_or_null(row->target_kg));
	json_object_set_new(o, "net", num_or_null(row->net_kg));
	json_object_set_new(o, "result", json_string(row->result));
	json_object_set_new(o, "rules", json_string(row->rules));
	json_array_append_new(arr, o);
	return 0;
}

/* One set-aside record, while fewer than CTL_ASIDE_MAX are listed. */
static int
aside_cb(const struct records_aside *row, void *arg)
{
	json_t *arr = arg;
	char created[32], aside[32];

	if (json_array_size(arr) >= CTL_ASIDE_MAX)
		return -1;
	time_format_iso(row->created_ms, created);
	time_format_iso(row->aside_ms, aside);
	json_array_append_new(arr,
	    json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "seq", (json_int_t)row->seq,
	        "uuid", row->uuid, "kind", row->kind, "created", created, "set_aside", aside,
	        "reason", row->reason, "line", row->line, "cylinder", row->cylinder,
	        "buyer_township", row->buyer_township));
	return 0;
}

/* aside: retry (one or all) when asked, then the list as it is now. */
static json_t *
aside_reply(struct gw *gw, const struct ctl_request *req)
{
	json_t *arr = json_array();
	int64_t retried = 0;
	char why[256];

	if (req->retry >= 0) {
		if (records_aside_retry(&gw->records, req->retry, &retried, why, sizeof(why)) ==
		    -1) {
			json_decref(arr);
			return ctl_error_json(why);
		}
		if (req->retry > 0 && retried == 0) {
			json_decref(arr);
			return error_reply(_("no record with seq %lld is set aside"),
			    (long long)req->retry);
		}
		if (retried > 0)
			log_info("%lld set-aside record%s sent to the county again (gasctl aside)",
			    (long long)retried, retried == 1 ? "" : "s");
	}
	if (records_aside_list(&gw->records, aside_cb, arr, why, sizeof(why)) == -1) {
		json_decref(arr);
		return ctl_error_json(why);
	}
	return json_pack("{s:b, s:I, s:I, s:o}", "ok", 1, "retried", (json_int_t)retried, "total",
	    (json_int_t)records_aside_total(&gw->records), "aside", arr);
}

static json_t *
uplink_json(struct gw *gw)
{
	struct uplink_status us;

	if (gw->uplink == NULL)
		return json_pack("{s:b, s:I}", "configured", 0, "aside",
		    (json_int_t)records_aside_total(&gw->records));
	uplink_get_status(gw->uplink, &us);
	return json_pack(
	    "{s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:s, s:{s:b, s:i, s:I, s:s, s:I, s:s}}",
	    "configured", 1, "connected", us.connected, "backlog", (json_int_t)us.backlog, "aside",
	    (json_int_t)us.aside, "last_ack", (json_int_t)us.last_ack, "last_ack_ms",
	    (json_int_t)us.last_ack_ms, "sent", (json_int_t)us.sent, "last_error", us.last_error,
	    "process", "running", us.running, "pid", us.pid, "restarts", (json_int_t)us.restarts,
	    "user", us.user, "uid", (json_int_t)us.uid, "last_exit", us.last_exit);
}

/*
 * The status's clock: its verdict ("clock"), what it reads, the newest
 * fill's start (null: none, or not read) and the clock_back_hours in
 * force, and when the clock is not trusted, "clock_warning": what the
 * operator reads ahead of the refused fill (rules_clock_words, in the
 * request's language).
 */
static void
clock_status(struct gw *gw, json_t *reply)
{
	struct ctl_clock clock;
	char reads[32], newest[32], why[256], words[RULES_CLOCK_WORDS];

	(void)ctl_clock_judge(gw, &clock, why, sizeof(why)); /* unread: by 2026 alone */
	time_format_iso(clock.now_ms, reads);
	json_object_set_new(reply, "clock", json_string(rules_clock_name(clock.verdict)));
	json_object_set_new(reply, "clock_reads", json_string(reads));
	if (clock.newest_ms > 0) {
		time_format_iso(clock.newest_ms, newest);
		json_object_set_new(reply, "newest_fill", json_string(newest));
	} else {
		json_object_set_new(reply, "newest_fill", json_null());
	}
	json_object_set_new(reply, "clock_back_hours",
	    json_integer(ctl_rules(gw)->clock_back_hours));
	if (clock.verdict == RULES_CLOCK_OK)
		return;
	rules_clock_words(clock.verdict, ctl_rules(gw), clock.now_ms, clock.newest_ms, words,
	    sizeof(words));
	json_object_set_new(reply, "clock_warning", json_string(words));
}

static json_t *
status_reply(struct gw *gw)
{
	struct line_status st;
	json_t *lines = json_array(), *reply;
	size_t i;

	for (i = 0; i < gw->line_count; i++) {
		line_status(&gw->lines[i], &st);
		json_array_append_new(lines, status_json(&st));
	}
	reply = json_pack("{s:b, s:s, s:I, s:o, s:o}", "ok", 1, "station", gw->config->station_id,
	    "uptime_s", (json_int_t)((time_mono_ms() - gw->started_mono_ms) / 1000), "lines", lines,
	    "uplink", uplink_json(gw));
	if (reply != NULL)
		clock_status(gw, reply);
	return reply;
}

static json_t *
fills_reply(struct gw *gw, const struct ctl_request *req)
{
	json_t *arr = json_array();
	char why[256];

	if (records_fills_since(&gw->records, req->since_ms, req->limit, fills_cb, arr, why,
	        sizeof(why)) == -1) {
		json_decref(arr);
		return ctl_error_json(why);
	}
	return json_pack("{s:b, s:o}", "ok", 1, "fills", arr);
}

/* End line l's shift (the line already has nobody logged in). */
static void
shift_end(struct gw *gw, struct line *l, enum opauth_shift_end how, int64_t now)
{
	struct gw_shift *sh = &gw->shifts[l - gw->lines];
	char why[256];

	if (sh->id == 0)
		return;
	if (records_shift_close(&gw->records, sh->id, how, now, why, sizeof(why)) == -1)
		log_warnx("line %d: end of %s's shift not recorded: %s", l->number, sh->cert, why);
	log_info("line %d: operator %s's shift ended (%s)", l->number, sh->cert,
	    opauth_shift_end_name(how));
	memset(sh, 0, sizeof(*sh));
}

/*
 * Who an operator is, proven: a login and every life event (gasctl dispatch,
 * receive, inspection out, inspection back, scrap) go through here, so that
 * nothing is recorded under a name whose PIN was not given.  The
 * certificate must be registered, active and current; then the PIN is
 * opauth_prove's, on the operator's one credential row: wrong PINs at a
 * login and at a life event add up to one lock-out, which keeps the
 * operator from both.  where names the request in the log ("line 2",
 * "life event").  NULL with *op, or the refusal to send, naming why, never
 * the PIN.
 */
static json_t *
operator_proven(struct gw *gw, const char *cert, const char *pin, const char *where,
    struct records_operator *op)
{
	char why[256], when[32];
	int64_t now = time_wall_ms(), locked_until;
	enum store_found found;

	found = records_operator_get(&gw->records, cert, op, why, sizeof(why));
	if (found == STORE_ERROR)
		return ctl_error_json(why);
	if (found == STORE_NOT_FOUND || !op->active)
		return error_reply(_("operator certificate %s is not registered at this station"),
		    cert);
	if (date_today() > op->expires) {
		date_format(op->expires, when);
		return error_reply(_("operator certificate %s expired on %s"), cert, when);
	}
	switch (
	    records_operator_prove(&gw->records, cert, pin, now, &locked_until, why, sizeof(why))) {
	case OPAUTH_PROVEN:
		return NULL;
	case OPAUTH_WRONG:
		log_warnx("%s: wrong PIN for operator %s", where, cert);
		if (locked_until > now) {
			time_format_iso(locked_until, when);
			log_warnx("%s: operator %s locked out until %s", where, cert, when);
		}
		break;
	case OPAUTH_REFUSED:
	case OPAUTH_FAILED:
		break;
	}
	return ctl_error_json(why);
}

/*
 * A login: the operator proven (operator_proven); only then does the line
 * take the operator (and a fill is credited to them).
 */
static json_t *
login_reply(struct gw *gw, struct line *l, const char *cert, const char *pin)
{
	struct gw_shift *sh = &gw->shifts[l - gw->lines];
	struct records_operator op;
	char why[256], when[32], where[16];
	int64_t now;
	json_t *refusal;

	snprintf(where, sizeof(where), "line %d", l->number);
	if ((refusal = operator_proven(gw, cert, pin, where, &op)) != NULL)
		return refusal;
	now = time_wall_ms();
	if (line_login(l, cert, why, sizeof(why)) == -1)
		return ctl_error_json(why);
	shift_end(gw, l, OPAUTH_REPLACED, now);
	if (records_shift_open(&gw->records, l->number, cert, now, &sh->id, why, sizeof(why)) == -1)
		log_warnx("line %d: shift of %s not recorded: %s", l->number, cert, why);
	if (sh->id == 0)
		sh->id = -1; /* logged in all the same: the shift just has no row */
	sh->until_ms = now + (int64_t)gw->config->shift_hours * 3600 * 1000;
	str_copy(sh->cert, cert, sizeof(sh->cert));
	time_format_iso(sh->until_ms, when);
	log_info("line %d: operator %s logged in; the shift ends by %s", l->number, cert, when);
	return json_pack("{s:b, s:i, s:s, s:s, s:b, s:s}", "ok", 1, "line", l->number, "operator",
	    cert, "name", op.name, "registered", 1, "shift_until", when);
}

static json_t *
logout_reply(struct gw *gw, struct line *l)
{
	struct gw_shift *sh = &gw->shifts[l - gw->lines];
	char why[256], cert[LINE_CERT_SIZE];

	if (sh->id == 0)
		return error_reply(_("nobody is logged in on line %d"), l->number);
	if (line_login(l, "", why, sizeof(why)) == -1)
		return ctl_error_json(why);
	str_copy(cert, sh->cert, sizeof(cert));
	shift_end(gw, l, OPAUTH_LOGOUT, time_wall_ms());
	return json_pack("{s:b, s:i, s:s}", "ok", 1, "line", l->number, "operator", cert);
}

void
ctl_shifts_expire(struct gw *gw, int64_t now_wall_ms)
{
	char why[256];
	size_t i;

	for (i = 0; i < gw->line_count; i++) {
		struct gw_shift *sh = &gw->shifts[i];

		if (sh->id == 0 || now_wall_ms < sh->until_ms)
			continue;
		/* a fill in progress keeps its operator: the shift ends when
		 * the line is next free */
		if (line_login(&gw->lines[i], "", why, sizeof(why)) == -1)
			continue;
		shift_end(gw, &gw->lines[i], OPAUTH_TIME, now_wall_ms);
	}
}

const struct gw_rules *
ctl_rules(const struct gw *gw)
{
	return gw->rules_were_reloaded ? &gw->rules_reloaded : &gw->config->rules;
}

int
ctl_clock_judge(struct gw *gw, struct ctl_clock *out, char *err, size_t errlen)
{
	int rc;

	out->now_ms = time_wall_ms();
	rc = records_newest_fill_ms(&gw->records, &out->newest_ms, err, errlen);
	if (rc == -1)
		out->newest_ms = 0;
	out->verdict = rules_clock_check(ctl_rules(gw), out->now_ms, out->newest_ms);
	return rc;
}

void
ctl_clock_watch(struct gw *gw, int64_t now_mono_ms)
{
	struct i18n_speech speech;
	struct ctl_clock clock;
	char why[256], words[RULES_CLOCK_WORDS];

	if (now_mono_ms < gw->clock_next_ms)
		return;
	gw->clock_next_ms = now_mono_ms + CTL_CLOCK_WATCH_MS;
	if (ctl_clock_judge(gw, &clock, why, sizeof(why)) == -1 ||
	    clock.verdict == gw->clock_logged)
		return;
	/* a log line is in English whatever gasgw's language (i18n.h) */
	i18n_speak("C", &speech);
	rules_clock_words(clock.verdict, ctl_rules(gw), clock.now_ms, clock.newest_ms, words,
	    sizeof(words));
	i18n_speak_end(&speech);
	if (clock.verdict == RULES_CLOCK_OK)
		log_info("clock trusted again: %s; fills may start", words);
	else
		log_warnx("clock not trusted: %s", words);
	gw->clock_logged = clock.verdict;
}

/* start, and the end of fill: an attempt the client may wait for. */
static json_t *
start_reply(struct line *l, int wait_for_it, struct ctl_wait *wait)
{
	unsigned attempt = 0;
	char why[256];

	if (line_start(l, &attempt, why, sizeof(why)) == -1)
		return ctl_error_json(why);
	if (!wait_for_it)
		return json_pack("{s:b, s:i, s:i}", "ok", 1, "line", l->number, "attempt",
		    (int)attempt);
	wait->line = l;
	wait->attempt = attempt;
	return NULL;
}

/* A warning for the reply: joined to one already there with "; ". */
static void
add_warning(json_t *reply, const char *text)
{
	const char *held = json_string_value(json_object_get(reply, "warning"));
	char both[768];

	if (held == NULL) {
		json_object_set_new(reply, "warning", json_string(text));
		return;
	}
	snprintf(both, sizeof(both), "%s; %s", held, text);
	json_object_set_new(reply, "warning", json_string(both));
}

/* the serials a warning names; the rest are counted */
#define WARN_SERIALS 5

/*
 * The cylinders of an inspection_back that this station did not send out
 * (no inspection_out of its own since their last return): recorded as
 * given, since the inspection body's return is real whoever sent the
 * cylinder, but the county raises C13 for each, so the operator is told at
 * once which ones (the first WARN_SERIALS by name), as for C12.  A station
 * database that cannot say is no reason to refuse the batch: no warning
 * then.
 */
static void
not_sent_out_warning(const struct ctl_request *req, const struct wire_life *ev, const int *sent,
    size_t n, json_t *reply)
{
	char list[256] = "", text[512];
	size_t i, named = 0, more = 0, used = 0;
	int w;

	if (strcmp(req->event, "inspection_back") != 0)
		return;
	for (i = 0; i < n; i++) {
		if (sent[i] != 0)
			continue;
		if (named < WARN_SERIALS) {
			w = snprintf(list + used, sizeof(list) - used, "%s%s", named ? ", " : "",
			    ev[i].serial);
			if (w >= 0 && (size_t)w < sizeof(list) - used) {
				used += (size_t)w;
				named++;
				continue;
			}
			list[used] = '\0';
		}
		more++;
	}
	if (named == 0 && more == 0)
		return;
	if (more > 0)
		snprintf(text, sizeof(text),
		    _("%s and %zu more were not sent out for inspection from this station (gasctl "
		      "inspection out): recorded, and the county will raise C13 for each"),
		    list, more);
	else if (named > 1)
		snprintf(text, sizeof(text),
		    _("%s were not sent out for inspection from this station (gasctl inspection "
		      "out): recorded, and the county will raise C13 for each"),
		    list);
	else
		snprintf(text, sizeof(text),
		    _("%s not sent out for inspection from this station (gasctl inspection out): "
		      "recorded, and the county will raise C13 for it"),
		    list);
	add_warning(reply, text);
}

/*
 * An inspection's next due date further than this station's inspection
 * cycle (and a day, as the county counts) is recorded as given: the
 * inspection body may know better, and the bound that refuses is 10 years.
 * But the county alerts on it (C12), so the operator is told at once, in
 * the reply's "warning", while the certificate is still in hand.
 */
/*
 * A dispatch of a cylinder this station dispatched before and has not seen again
 * (no receipt, no fill since: records_life_out_with): recorded all the same (the
 * station may have missed a return), with a warning naming the first and whom it
 * went with, which the county's trace then shows twice.
 */
static void
still_out_warning(struct gw *gw, const struct ctl_request *req, const struct wire_life *ev,
    size_t n, char *text, size_t size)
{
	char worker[WIRE_ID], why[128];
	size_t i;

	text[0] = '\0';
	if (strcmp(req->event, "dispatched") != 0)
		return;
	for (i = 0; i < n; i++) {
		if (records_life_out_with(&gw->records, ev[i].serial, worker, sizeof(worker), why,
		        sizeof(why)) != 1)
			continue;
		snprintf(text, size,
		    _("%s went out with %s before and has not come back through this station "
		      "(no receipt, no fill since): recorded all the same"),
		    ev[i].serial, worker);
		return; /* one is enough to send the dispatcher to look */
	}
}

static void
beyond_cycle_warning(struct gw *gw, const struct ctl_request *req, json_t *reply)
{
	int years = ctl_rules(gw)->inspection_cycle_years; /* a SIGHUP's, as the fill line's */
	char bound[11], text[256];
	int32_t due, today = date_today();

	if (strcmp(req->event, "inspection_back") != 0 || req->result == NULL ||
	    strcmp(req->result, "pass") != 0 || req->next_due == NULL || years <= 0 ||
	    date_parse(req->next_due, &due) == -1 || !date_beyond_years(today, years, due))
		return; /* a fail's date is not taken: the county scraps the cylinder */
	date_format(date_add_years(today, years), bound);
	snprintf(text, sizeof(text),
	    _("next due %s is beyond the %d-year inspection cycle (%s): recorded, and the county "
	      "will raise C12 for it"),
	    req->next_due, years, bound);
	add_warning(reply, text);
}

/*
 * The station's clock for a life event (docs/rules.md, "The station's clock,
 * before any rule").  Each event is stamped with the time the clock reads, and
 * today's date judges an inspection return's next due date, so a clock the
 * fill line would not trust (rules_clock_check) records no dispatch,
 * receipt, inspection out or inspection back: a wrong time on those is
 * what the county's trace and rules go by.  A scrap is recorded all the
 * same: it shuts the valve for the cylinder at once (records_life_stopped)
 * and the county scraps it whatever the time it carries, so refusing it
 * would only keep an unsafe cylinder fillable; it is stamped with the time
 * the clock reads and the reply carries the clock's warning, in the words
 * gasctl status uses (rules_clock_words), in *warning ("" when the clock
 * is trusted).  A database that cannot say which fill was the newest
 * refuses the first four, and judges a scrap's clock by the date alone.
 * 0 with *clock, or -1 with the operator's sentence in err.
 */
static int
life_clock(struct gw *gw, const struct ctl_request *req, struct ctl_clock *clock, char *warning,
    size_t wlen, char *err, size_t errlen)
{
	char why[256], words[RULES_CLOCK_WORDS];
	int scrap = strcmp(req->event, "scrapped") == 0;

	warning[0] = '\0';
	if (ctl_clock_judge(gw, clock, why, sizeof(why)) == -1 && !scrap)
		return err_set(err, errlen, _("nothing was recorded: %s"), why);
	if (clock->verdict == RULES_CLOCK_OK)
		return 0;
	rules_clock_words(clock->verdict, ctl_rules(gw), clock->now_ms, clock->newest_ms, words,
	    sizeof(words));
	if (scrap) {
		str_copy(warning, words, wlen);
		return 0;
	}
	if (strcmp(req->event, "inspection_back") == 0)
		return err_set(err, errlen,
		    _("a next due date is not judged against this clock, nothing was recorded: "
		      "%s"),
		    words);
	return err_set(err, errlen,
	    _("nothing was recorded, as it would carry this clock's time: %s"), words);
}

/*
 * An inspection return's next due date against today (the clock judged
 * trusted by life_clock): after a pass, after today (local); after a pass
 * or a fail, at most CTL_NEXT_DUE_YEARS ahead (a typo such as 2062 would
 * hide the cylinder from rule R05 for decades after a pass; after a fail
 * the county would set the record aside as no date an inspection can give,
 * and never learn of the fail).  0, or -1 with the operator's sentence in
 * err.
 */
static int
next_due_fits(const struct ctl_clock *clock, const struct ctl_request *req, char *err,
    size_t errlen)
{
	int32_t due, today;

	if (strcmp(req->event, "inspection_back") != 0)
		return 0;
	/* a fail without a date is recorded with the day of the return */
	if (req->next_due == NULL || date_parse(req->next_due, &due) == -1)
		return 0;
	today = timetext_day_number(clock->now_ms);
	if (strcmp(req->result, "pass") == 0 && due <= today)
		return err_set(err, errlen,
		    _("\"next_due\" %s is not after today: a cylinder that passed is next due "
		      "later"),
		    req->next_due);
	if (due > today + CTL_NEXT_DUE_YEARS * 366)
		return err_set(err, errlen, _("\"next_due\" %s is more than %d years ahead"),
		    req->next_due, CTL_NEXT_DUE_YEARS);
	return 0;
}

/*
 * life (gasctl dispatch, receive, inspection out, inspection back, scrap):
 * the operator must be proven by their PIN (operator_proven), every code
 * must verify (the first that does not is named, and nothing is
 * recorded); then the
 * whole batch is recorded in one transaction, each as a record of kind life
 * for the county, with the batch's result, next due date or reason.
 */
static json_t *
life_reply(struct gw *gw, const struct ctl_request *req)
{
	struct records_operator op;
	struct line_cylinder cyl;
	struct wire_life *ev;
	struct ctl_clock clock;
	char why[256], again[512], (*uuids)[37], refusal[RULES_CLOCK_WORDS + 128],
	    clock_warning[RULES_CLOCK_WORDS];
	int *sent;
	size_t i, n = json_array_size(req->codes), codelen;
	int64_t now;
	json_t *arr, *reply = NULL;

	if (life_clock(gw, req, &clock, clock_warning, sizeof(clock_warning), refusal,
	        sizeof(refusal)) == -1 ||
	    next_due_fits(&clock, req, refusal, sizeof(refusal)) == -1)
		return ctl_error_json(refusal);
	now = clock.now_ms; /* the time judged is the time recorded */
	/* as at a login, and on the same count: nothing is recorded under a
	 * name whose PIN was not given (an expired certificate's least: a scrap
	 * stops the cylinder at every station), whoever is logged in on a line */
	if ((reply = operator_proven(gw, req->cert, req->pin, "life event", &op)) != NULL)
		return reply;
	ev = calloc(n, sizeof(*ev));
	uuids = calloc(n, sizeof(*uuids));
	sent = calloc(n, sizeof(*sent));
	if (ev == NULL || uuids == NULL || sent == NULL) {
		free(ev);
		free(uuids);
		free(sent);
		return ctl_error_json("out of memory");
	}
	for (i = 0; i < n; i++) {
		json_t *c = json_array_get(req->codes, i);
		const char *text = json_string_value(c);

		gwident_cylinder(gw->ident, text, json_string_length(c), &cyl);
		if (!cyl.valid) {
			reply = error_reply(_("code %zu of %zu: %s; nothing was recorded"), i + 1,
			    n, cyl.reason);
			goto out;
		}
		if (code_from_text(text, json_string_length(c), ev[i].code, sizeof(ev[i].code),
		        &codelen, why, sizeof(why)) == -1) {
			reply = error_reply(_("code %zu of %zu: %s; nothing was recorded"), i + 1,
			    n, why);
			goto out;
		}
		str_copy(ev[i].event, req->event, sizeof(ev[i].event));
		str_copy(ev[i].serial, cyl.serial, sizeof(ev[i].serial));
		str_copy(ev[i].actor, req->cert, sizeof(ev[i].actor));
		if (req->worker != NULL)
			str_copy(ev[i].worker, req->worker, sizeof(ev[i].worker));
		if (req->result != NULL)
			str_copy(ev[i].result, req->result, sizeof(ev[i].result));
		if (req->next_due != NULL)
			str_copy(ev[i].next_due, req->next_due, sizeof(ev[i].next_due));
		else if (req->result != NULL)
			/* a fail given no date: the county's wire asks one of every
			 * return (wire.c, every version so far), a county ignores it
			 * after a fail, and one older than that takes it: the day of
			 * the return, due at once, is the only true one */
			date_format(timetext_day_number(now), ev[i].next_due);
		if (req->reason != NULL)
			str_copy(ev[i].reason, req->reason, sizeof(ev[i].reason));
		ev[i].at_ms = now;
		sent[i] = strcmp(req->event, "inspection_back") != 0 ||
		          records_life_sent_out(&gw->records, ev[i].serial, why, sizeof(why)) != 0;
	}
	still_out_warning(gw, req, ev, n, again, sizeof(again)); /* before this one is added */
	if (records_life_add(&gw->records, ev, n, uuids, why, sizeof(why)) == -1) {
		reply = error_reply(_("nothing was recorded: %s"), why);
		goto out;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr,
		    json_pack("{s:s, s:s}", "serial", ev[i].serial, "uuid", uuids[i]));
	log_info("%zu cylinder%s %s%s%s by %s", n, n == 1 ? "" : "s", req->event,
	    req->worker ? (strcmp(req->event, "received") ? " to " : " from ") : "",
	    req->worker ? req->worker : "", req->cert);
	reply = json_pack("{s:b, s:s, s:I, s:o}", "ok", 1, "event", req->event, "recorded",
	    (json_int_t)n, "cylinders", arr);
	beyond_cycle_warning(gw, req, reply);
	if (clock_warning[0] != '\0') {
		/* as gasctl status says it ("clock_warning"), and what became of the scrap */
		json_object_set_new(reply, "clock_warning", json_string(clock_warning));
		add_warning(reply, _("recorded with the time this clock reads, which is not "
		                     "trusted: the valve stays shut for these cylinders at once, "
		                     "and the county scraps them whatever that time"));
	}
	if (again[0] != '\0')
		add_warning(reply, again);
	not_sent_out_warning(req, ev, sent, n, reply);
out:
	free(ev);
	free(uuids);
	free(sent);
	return reply;
}

static json_t *
execute(struct gw *gw, const struct ctl_request *req, struct ctl_wait *wait)
{
	struct line *l;
	char why[256], refusal[300], serial[LINE_SERIAL_SIZE], masked[LINE_MASKED_SIZE];
	enum ctl_take rc;

	wait->line = NULL;
	wait->attempt = 0;
	if (req->command == CTL_STATUS)
		return status_reply(gw);
	if (req->command == CTL_FILLS)
		return fills_reply(gw, req);
	if (req->command == CTL_ASIDE)
		return aside_reply(gw, req);
	if (req->command == CTL_LIFE)
		return life_reply(gw, req);
	if ((l = gw_line(gw, req->line)) == NULL)
		return error_reply(_("no line %d"), req->line);
	switch (req->command) {
	case CTL_LOGIN:
		return login_reply(gw, l, req->cert, req->pin);
	case CTL_LOGOUT:
		return logout_reply(gw, l);
	case CTL_SCAN:
		rc = ctl_take_cylinder(gw, l, req->code, serial, refusal, sizeof(refusal), why,
		    sizeof(why));
		if (rc == CTL_REFUSED)
			return refused_json(l->number, refusal);
		if (rc == CTL_NOT_TAKEN)
			return ctl_error_json(why);
		return json_pack("{s:b, s:i, s:s}", "ok", 1, "line", l->number, "cylinder", serial);
	case CTL_BUYER:
		rc = ctl_take_buyer(gw, l, req->number, masked, refusal, sizeof(refusal), why,
		    sizeof(why));
		if (rc == CTL_REFUSED)
			return refused_json(l->number, refusal);
		if (rc == CTL_NOT_TAKEN)
			return ctl_error_json(why);
		return json_pack("{s:b, s:i, s:s}", "ok", 1, "line", l->number, "buyer", masked);
	case CTL_START:
		return start_reply(l, req->wait, wait);
	case CTL_STOP:
		line_stop(l);
		return json_pack("{s:b, s:i}", "ok", 1, "line", l->number);
	case CTL_FILL:
		/* "operator" names who is at the line; only a login proves it */
		if (req->cert != NULL && strcmp(gw->shifts[l - gw->lines].cert, req->cert) != 0)
			return error_reply(
			    _("operator %s is not logged in on line %d (gasctl login "
			      "%d %s)"),
			    req->cert, l->number, l->number, req->cert);
		rc = ctl_take_cylinder(gw, l, req->code, NULL, refusal, sizeof(refusal), why,
		    sizeof(why));
		if (rc == CTL_TAKEN)
			rc = ctl_take_buyer(gw, l, req->number, NULL, refusal, sizeof(refusal), why,
			    sizeof(why));
		if (rc == CTL_REFUSED)
			return refused_json(l->number, refusal);
		if (rc == CTL_NOT_TAKEN)
			return ctl_error_json(why);
		return start_reply(l, 1, wait);
	case CTL_STATUS:
	case CTL_FILLS:
	case CTL_ASIDE:
	case CTL_LIFE:
		break;
	}
	return error_reply("command %d not handled", (int)req->command);
}

json_t *
ctl_request_execute(struct gw *gw, const struct ctl_request *req, struct ctl_wait *wait)
{
	struct i18n_speech speech;
	json_t *reply;

	/* this thread only: the interlock threads word the records in gasgw's language */
	i18n_speak(req->lang, &speech);
	reply = execute(gw, req, wait);
	i18n_speak_end(&speech);
	return reply;
}

json_t *
ctl_handle_line(struct gw *gw, const char *buf, size_t len, struct ctl_wait *wait)
{
	struct ctl_request req;
	char err[256];
	json_t *reply;

	wait->line = NULL;
	wait->attempt = 0;
	if (ctl_request_parse(buf, len, &req, err, sizeof(err)) == -1)
		return ctl_error_json(err);
	reply = ctl_request_execute(gw, &req, wait);
	ctl_request_free(&req);
	return reply;
}
