/*
 * gaswatch's case commands: list, show, accept, step, attach, decide,
 * close, report, reassign, overdue, figures, catalogue (docs/county.md,
 * "Cases"; the resources of docs/protocol.md).  show gives a case's three
 * deadlines, how a report was routed, and its decision and report kind by
 * the catalogue's names; catalogue the report kinds and the deadline rows.
 *
 * Requests are encoded by the county library's casemsg (one description
 * of each field for both sides); answers are asked for as JSON and read
 * with jansson, so --json prints exactly what the county sent; the text
 * forms print every string of the answer cleaned for the terminal
 * (termtext_json: a station's details, a grid worker's note or place keep
 * their line breaks at the county, and C1 controls are UTF-8).  Times are
 * shown in local time (TZ) with their offset.  A refusal by the county
 * (4.03) exits 3 with the county's reason; a step the county would not
 * take (4.00), or not now (4.29: too many reports this hour), or a request
 * key (rid) another request of the person's holds (4.09), exits 1 with
 * its reason, or with the case's state now when that is why, in the
 * person's language.  A typed field holding what looks like a person's
 * number is refused before anything is sent (exit 2), as the county would.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "access.h"
#include "casemsg.h"
#include "cases.h"
#include "catalogue.h"
#include "coaplink.h"
#include "gaswatch.h"
#include "i18n.h"
#include "rulenames.h"
#include "termtext.h"
#include "timetext.h"
#include "util.h"

#define CASE_TIMEOUT_MS 30000

/* A step the county would not take (4.00), or not now (4.29), kept for the caller to word. */
struct refusal {
	int taken; /* 1: the refusal below is the caller's to say */
	int code;  /* 400 or 429 */
	char reason[300];
};

/* The county's fixed reasons for a case or alert it will not show (gascounty/server.c), so
 * that they are said in the person's language like the words around them; any other reason
 * is the county's own text, said as it came. */
static const char *const county_reasons[] = {
	N_("no such case"),
	N_("case of another township"),
	N_("no such case or evidence"),
	N_("no such alert"),
	N_("alert of another township"),
	N_("no curve held for that fill"),
};

/*
 * A 4.03 the county's door gave before looking at the request: the roles
 * that may (access_refusal's "officers and regulators only", the one answer
 * for every action those roles share), said in the person's language with
 * the identity that asked: 1 when reason was one.
 */
static int
say_not_for_identity(const char *identity, const char *reason)
{
	static const char *const plurals[ACCESS_ROLE_COUNT] = {
		[ACCESS_ROLE_STATION] = N_("stations"),
		[ACCESS_ROLE_TOWNSHIP] = N_("township keys (--township)"),
		[ACCESS_ROLE_REGULATOR] = N_("regulators"),
		[ACCESS_ROLE_OFFICER] = N_("officers"),
		[ACCESS_ROLE_GRID] = N_("grid workers"),
		[ACCESS_ROLE_DELIVERY] = N_("delivery devices"),
	};
	const char *names[ACCESS_ROLE_COUNT];
	char text[80], who[256];
	size_t n = 0, i, used = 0;
	int a, r;

	for (a = 0; a < ACCESS_ACTION_COUNT; a++) {
		access_refusal((enum access_action)a, text, sizeof(text));
		if (strcmp(text, reason) == 0)
			break;
	}
	if (a == ACCESS_ACTION_COUNT)
		return 0;
	for (r = ACCESS_ROLE_NONE + 1; r < ACCESS_ROLE_COUNT; r++)
		if (access_reach_of((enum access_action)a, (enum access_role)r) !=
		        ACCESS_REACH_NO &&
		    plurals[r] != NULL)
			names[n++] = _(plurals[r]);
	who[0] = '\0';
	for (i = 0; i < n && used < sizeof(who); i++)
		used += (size_t)snprintf(who + used, sizeof(who) - used, "%s%s",
		    i == 0       ? ""
		    : i + 1 == n ? _(" and ")
		                 : _(", "),
		    names[i]);
	if (n == 0)
		fprintf(stderr,
		    _("gaswatch: refused by the county: no one may do this (you are %s)\n"),
		    identity);
	else
		fprintf(stderr,
		    _("gaswatch: refused by the county: only %s may do this (you are %s)\n"), who,
		    identity);
	return 1;
}

int
cases_say_refusal(const char *identity, int code, const char *reason)
{
	const char *why = reason[0] != '\0' ? reason : "-";
	size_t i;

	for (i = 0; i < sizeof(county_reasons) / sizeof(county_reasons[0]); i++)
		if (strcmp(why, county_reasons[i]) == 0)
			why = _(county_reasons[i]);

	switch (code) {
	case 403:
		if (say_not_for_identity(identity, reason))
			return 3;
		fprintf(stderr, _("gaswatch: refused by the county: %s\n"), why);
		return 3;
	case 404:
		fprintf(stderr, _("gaswatch: not found: %s\n"), why);
		return 1;
	case 400:
		fprintf(stderr, _("gaswatch: the county did not take it: %s\n"), why);
		return 1;
	case 429:
		fprintf(stderr, _("gaswatch: not now, too many: %s\n"), why);
		return 1;
	case 409: /* the request's key (rid) is another request's: nothing was stored */
		fprintf(stderr,
		    _("gaswatch: not stored: the county holds another request of yours under "
		      "this request's key (rid): %s\n"),
		    why);
		return 1;
	default:
		fprintf(stderr, _("gaswatch: county answered %d.%02d: %s\n"), code / 100,
		    code % 100, why);
		return 1;
	}
}

/* One exchange with the county: 0 with its response in *resp (the caller frees), or 1 after
 * saying why none came. */
static int
exchange(const struct options *o, const char *method, const char *path, const char *query,
    const uint8_t *payload, size_t len, int accept, struct coaplink_response *resp)
{
	struct coaplink *link = NULL;
	char err[256];
	int rc;

	memset(resp, 0, sizeof(*resp));
	if (coaplink_open_tool(o->host, o->port, o->identity, o->keyfile, &link, err,
	        sizeof(err)) == -1) {
		fprintf(stderr, _("gaswatch: %s\n"), err);
		return 1;
	}
	rc = coaplink_request(link, method, path, query,
	    payload != NULL ? COAPLINK_FORMAT_CBOR : COAPLINK_NONE, accept, payload, len,
	    CASE_TIMEOUT_MS, resp, err, sizeof(err));
	coaplink_free(link);
	if (rc == -1) {
		fprintf(stderr, "gaswatch: %s\n", err);
		return 1;
	}
	return 0;
}

/*
 * One request; with *answer != NULL the JSON body is parsed into it.
 * Returns 0 on 2.xx, else the exit status after saying why; with kept not
 * NULL a 4.00 is not said but kept there (kept->taken 1), exit status 1.
 */
static int
ask_keep(const struct options *o, const char *method, const char *path, const char *query,
    const uint8_t *payload, size_t len, json_t **answer, char **raw, struct refusal *kept)
{
	struct coaplink_response resp;
	char reason[300];

	if (answer != NULL)
		*answer = NULL;
	if (raw != NULL)
		*raw = NULL;
	if (exchange(o, method, path, query, payload, len,
	        answer != NULL ? COAPLINK_FORMAT_JSON : COAPLINK_NONE, &resp) != 0)
		return 1;
	coaplink_reason(&resp, reason, sizeof(reason));
	if (resp.code / 100 == 2) {
		if (answer != NULL) {
			json_error_t jerr;

			*answer = json_loadb((const char *)resp.data, resp.len, 0, &jerr);
			if (*answer == NULL) {
				fprintf(stderr,
				    _("gaswatch: the county's answer is not JSON: %s\n"),
				    jerr.text);
				coaplink_response_free(&resp);
				return 1;
			}
		}
		if (raw != NULL && (*raw = malloc(resp.len + 1)) != NULL) {
			if (resp.len > 0) /* an empty answer has no data at all */
				memcpy(*raw, resp.data, resp.len);
			(*raw)[resp.len] = '\0';
		}
		coaplink_response_free(&resp);
		return 0;
	}
	coaplink_response_free(&resp);
	if (kept != NULL && (resp.code == 400 || resp.code == 429)) {
		kept->taken = 1;
		kept->code = resp.code;
		str_copy(kept->reason, reason, sizeof(kept->reason));
		return 1;
	}
	return cases_say_refusal(o->identity, resp.code, reason);
}

static int
ask(const struct options *o, const char *method, const char *path, const char *query,
    const uint8_t *payload, size_t len, json_t **answer, char **raw)
{
	return ask_keep(o, method, path, query, payload, len, answer, raw, NULL);
}

static const char *
str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s != NULL && s[0] != '\0' ? s : "-";
}

static long long
num(json_t *obj, const char *key)
{
	return (long long)json_integer_value(json_object_get(obj, key));
}

static void
when(long long ms, char out[TIMETEXT_MAX])
{
	if (ms <= 0)
		str_copy(out, "-", TIMETEXT_MAX);
	else
		timetext_format(ms, TIMETEXT_MINUTE, out);
}

/* A word of the county's, and how a person reads it (translated). */
struct shown_word {
	const char *word, *shown;
};

/* w as table's n rows show it; w itself when no row has it. */
static const char *
shown(const struct shown_word *table, size_t n, const char *w)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(table[i].word, w) == 0)
			return _(table[i].shown);
	return w;
}

/* Words the county sends, as a person reads them. */
static const char *
word(const char *w)
{
	static const struct shown_word words[] = {
		{ "new", N_("new") },
		{ "accepted", N_("accepted") },
		{ "onsite", N_("on site") },
		{ "decided", N_("decided") },
		{ "closed", N_("closed") },
		{ "dismissed", N_("dismissed") },
		{ "alert", N_("alert") },
		{ "critical", N_("critical") },
		{ "open", N_("opened") },
		{ "join", N_("alert joined") },
		{ "accept", N_("accepted") },
		{ "decide", N_("decided") },
		{ "close", N_("closed") },
		{ "dismiss", N_("dismissed") },
		{ "comment", N_("comment") },
		{ "attach", N_("evidence") },
		{ "report", N_("reported") },
		{ "reassign", N_("reassigned") },
		{ "route", N_("routed") },
		{ "code", N_("code checked") },
		{ "signed", N_("signed by the county, checked") },
		{ "invalid", N_("NOT a code the county signed (forged, altered or damaged)") },
		{ "unchecked", N_("not checked: the county holds no code key") },
		{ "serial", N_("a serial typed from the steel, not checked") },
		{ "unread", N_("neither a cylinder code nor a serial") },
		{ "map", N_("by its coordinates (township map)") },
		{ "village", N_("by its village") },
		{ "escalate", N_("escalated to the county") },
	};

	return shown(words, sizeof(words) / sizeof(words[0]), w);
}

const char *
cases_word(const char *w)
{
	return word(w);
}

/* The county's catalogue as it answers it now (GET cases/catalogue, catalogue_decode) into
 * *cat, which the caller frees: 0, or -1 (nothing said) when it cannot be read. */
static int
county_catalogue(const struct options *o, struct catalogue *cat)
{
	struct coaplink_response resp;
	char err[256];
	int rc;

	if (exchange(o, "GET", "cases/catalogue", NULL, NULL, 0, COAPLINK_FORMAT_CBOR, &resp) != 0)
		return -1;
	rc = resp.code == 205 ? catalogue_decode(resp.data, resp.len, cat, err, sizeof(err)) : -1;
	coaplink_response_free(&resp);
	return rc;
}

/* An item of the catalogue as the officer knows it: its name and its code. */
#define ITEM_SHOWN_MAX (CATALOGUE_NAME + CATALOGUE_CODE + 4)

static const char *
item_shown(const char *name, const char *code, char *out, size_t size)
{
	if (name == NULL)
		return code;
	snprintf(out, size, "%s (%s)", name, code);
	return termtext_copy(out, out, size); /* a name of the county's files */
}

/* The catalogue's parts a case names by a code. */
enum catalogue_part { PART_OUTCOME, PART_POWER, PART_KIND };

/*
 * A code of a case as item_shown says it, by the name cat (NULL: the catalogue could not be
 * read) gives it now; code itself when cat has no such code (the county changed its files
 * since the case was written), so that a show never fails for want of a name.
 */
static const char *
code_shown(const struct catalogue *cat, enum catalogue_part part, const char *code, char *out,
    size_t size)
{
	const struct catalogue_outcome *oc;
	const struct catalogue_power *pw;
	const struct catalogue_kind *k;
	const char *name = NULL;

	if (cat == NULL || strcmp(code, "-") == 0)
		return code;
	switch (part) {
	case PART_OUTCOME:
		if ((oc = catalogue_outcome(cat, code)) != NULL)
			name = oc->name;
		break;
	case PART_POWER:
		if ((pw = catalogue_power(cat, code)) != NULL)
			name = pw->name;
		break;
	case PART_KIND: /* found by code or name: a kind is named only by its code */
		if ((k = catalogue_kind(cat, code)) != NULL && strcmp(k->code, code) == 0)
			name = k->name;
		break;
	}
	return item_shown(name, code, out, size);
}

/*
 * What a step says: its note, or for a step the county wrote itself its facts
 * (cases.h: cases_show) in the reader's language, a decision it set aside by the
 * names of cat (NULL: by its codes).  A step from before the county kept facts
 * (017) has none; its note is printed as the county wrote it.
 */
static void
print_step_words(json_t *v, const struct catalogue *cat)
{
	const char *action = str(v, "action"), *note = str(v, "note"), *stage;
	char outcome[ITEM_SHOWN_MAX], power[ITEM_SHOWN_MAX];

	if (strcmp(note, "-") == 0)
		note = "";
	if (strcmp(action, "route") == 0 && json_object_get(v, "to_township") != NULL)
		printf(_("routed to %s by its coordinates %.6f, %.6f; the village named, %s, is "
		         "listed under %s"),
		    str(v, "to_township"), json_number_value(json_object_get(v, "lat")),
		    json_number_value(json_object_get(v, "lon")), str(v, "village"),
		    str(v, "listed_under"));
	else if (strcmp(action, "code") == 0 && json_object_get(v, "why") != NULL)
		printf(_("the cylinder code reported is not one the county signed: %s"),
		    str(v, "why"));
	else if (strcmp(action, "escalate") == 0 && json_object_get(v, "stage") != NULL) {
		stage = str(v, "stage");
		printf(strcmp(stage, "accept") == 0   ? _("acceptance overdue by %lld min")
		       : strcmp(stage, "onsite") == 0 ? _("arrival on site overdue by %lld min")
		                                      : _("closing overdue by %lld min"),
		    num(v, "late_min"));
	} else if (strcmp(action, "reassign") == 0 && json_object_get(v, "from_township") != NULL) {
		printf("%s -> %s: %s", str(v, "from_township"), str(v, "to_township"), note);
		if (json_object_get(v, "set_aside_outcome") != NULL)
			printf(
			    _(" (the decision of %s set aside: outcome %s, penalty power %s, fine "
			      "%lld yuan)"),
			    str(v, "from_township"),
			    code_shown(cat, PART_OUTCOME, str(v, "set_aside_outcome"), outcome,
			        sizeof(outcome)),
			    strcmp(str(v, "set_aside_power"), "-") != 0
			        ? code_shown(cat, PART_POWER, str(v, "set_aside_power"), power,
			              sizeof(power))
			        : _("none"),
			    num(v, "set_aside_fine_yuan"));
	} else
		printf("%s", note);
	printf("\n");
}

/* "3h 05m" of seconds. */
static void
span(long long s, char *out, size_t size)
{
	if (s >= 86400)
		snprintf(out, size, _("%lldd %02lldh"), s / 86400, s % 86400 / 3600);
	else
		snprintf(out, size, _("%lldh %02lldm"), s / 3600, s % 3600 / 60);
}

static void
print_list(json_t *answer)
{
	json_t *list = json_object_get(answer, "cases"), *c;
	char due[TIMETEXT_MAX], late[32];
	size_t i;

	if (json_array_size(list) == 0) {
		printf("%s", _("no cases\n"));
		return;
	}
	termtext_json(answer); /* a title is a station's text: one case, one row */
	/* columns by what the terminal draws: a translated word is wider than its bytes say */
	i18n_pad(stdout, _("ID"), 7);
	i18n_pad(stdout, _("SEVERITY"), 9);
	i18n_pad(stdout, _("STATE"), 11);
	i18n_pad(stdout, _("TOWNSHIP"), 10);
	i18n_pad(stdout, _("OFFICER"), 25);
	i18n_pad(stdout, _("DUE"), 31);
	printf("%s\n", _("WHAT"));
	json_array_foreach(list, i, c)
	{
		char id[24];

		when(num(c, "due_ms"), due);
		late[0] = '\0';
		if (num(c, "overdue"))
			span(num(c, "overdue_s"), late, sizeof(late));
		snprintf(id, sizeof(id), "%lld", num(c, "id"));
		i18n_pad(stdout, id, 7);
		i18n_pad(stdout, word(str(c, "severity")), 9);
		i18n_pad(stdout, word(str(c, "state")), 11);
		i18n_pad(stdout, str(c, "township"), 10);
		i18n_pad(stdout, str(c, "officer"), 25);
		printf("%s%s%s%s%s %s\n", due, late[0] ? " (" : "", late[0] ? _("overdue ") : "",
		    late, late[0] ? ")" : "", str(c, "title"));
	}
}

static int
parse_id(const char *text, int64_t *id)
{
	char *end;

	errno = 0;
	*id = strtoll(text, &end, 10);
	if (errno != 0 || *end != '\0' || *id <= 0) {
		fprintf(stderr, _("gaswatch: '%s' is not a case id\n"), text);
		return -1;
	}
	return 0;
}

static int
list(const struct options *o, const char *path, const char *view)
{
	char query[32], *raw = NULL;
	json_t *answer;
	int rc;

	if (view != NULL)
		snprintf(query, sizeof(query), "view=%s", view);
	rc = ask(o, "GET", path, view != NULL ? query : NULL, NULL, 0, &answer, &raw);
	if (rc != 0)
		return rc;
	if (o->json)
		printf("%s\n", raw);
	else
		print_list(answer);
	free(raw);
	json_decref(answer);
	return 0;
}

int
cases_run_list(const struct options *o, int argc, char **argv)
{
	enum { N = 4 };
	static const char *const views[N] = { "open", "mine", "all", "overdue" };
	int i;

	if (argc > 1) {
		fprintf(stderr, _("gaswatch: unexpected '%s'\n"), argv[1]);
		return 2;
	}
	for (i = 0; o->view != NULL && i < N; i++)
		if (strcmp(o->view, views[i]) == 0)
			break;
	if (i == N) {
		fprintf(stderr, "%s", _("gaswatch: --view is open, mine, all or overdue\n"));
		return 2;
	}
	return list(o, "cases", o->view != NULL ? o->view : "open");
}

int
cases_run_overdue(const struct options *o, int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, _("gaswatch: unexpected '%s'\n"), argv[1]);
		return 2;
	}
	return list(o, "cases/overdue", NULL);
}

/* 1 when a show's answer holds a code the catalogue names: the case's outcome, a report's
 * kind, a decision a reassignment set aside. */
static int
show_needs_names(json_t *answer)
{
	json_t *c = json_object_get(answer, "case"), *v;
	size_t i;

	if (strcmp(str(c, "outcome"), "-") != 0 || strcmp(str(c, "reporter"), "-") != 0)
		return 1;
	json_array_foreach(json_object_get(answer, "steps"), i, v)
	{
		if (json_object_get(v, "set_aside_outcome") != NULL)
			return 1;
	}
	return 0;
}

int
cases_run_show(const struct options *o, int argc, char **argv)
{
	char query[32], *raw = NULL, t[TIMETEXT_MAX], due[TIMETEXT_MAX];
	char kind[ITEM_SHOWN_MAX], outcome[ITEM_SHOWN_MAX], power[ITEM_SHOWN_MAX];
	struct catalogue cat, *names = NULL;
	const char *kind_shown;
	const struct rule_name *rule;
	json_t *answer, *c, *v;
	int64_t id;
	size_t i, joins = 0;
	int rc;

	if (argc != 2 || parse_id(argv[1], &id) == -1)
		return 2;
	snprintf(query, sizeof(query), "id=%lld", (long long)id);
	if ((rc = ask(o, "GET", "cases/show", query, NULL, 0, &answer, &raw)) != 0)
		return rc;
	if (o->json) {
		printf("%s\n", raw);
		goto out;
	}
	/* the title, the notes, a report's place: texts of stations and people that keep their
	 * line breaks at the county, cleaned so that none writes a step of its own into the
	 * timeline or sends the terminal an escape */
	termtext_json(answer);
	/* the catalogue's names, read once; a show goes on by the codes without them */
	if (show_needs_names(answer) && county_catalogue(o, &cat) == 0)
		names = &cat;
	c = json_object_get(answer, "case");
	when(num(c, "due_ms"), due);
	printf(_("case %lld  %s  %s  township %s\n"), num(c, "id"), word(str(c, "severity")),
	    word(str(c, "state")), str(c, "township"));
	/* a report's kind by its name on a line of its own (its title begins with the name the
	 * kind had when reported), a rule by its code and name (its title is in the words of
	 * whoever raised it, perhaps another language); a kind the catalogue does not name by
	 * its code (code_shown wrote a name into kind, or gave the code back) */
	kind_shown = code_shown(names, PART_KIND, str(c, "kind"), kind, sizeof(kind));
	if ((rule = rule_name_find(str(c, "kind"))) != NULL) {
		snprintf(kind, sizeof(kind), "%s %s", rule->code, _(rule->en));
		kind_shown = kind;
	}
	if (kind_shown == kind) {
		printf(_("  what:     %s\n"), str(c, "title"));
		printf(_("  kind:     %s\n"), kind_shown);
	} else
		printf(_("  what:     %s (%s)\n"), str(c, "title"), kind_shown);
	if (strcmp(str(c, "station"), "-") != 0 || strcmp(str(c, "cylinder"), "-") != 0)
		printf(_("  station:  %s   cylinder: %s   buyer: %s\n"), str(c, "station"),
		    str(c, "cylinder"), str(c, "buyer_masked"));
	v = json_object_get(answer, "station"); /* its entry in the county's register */
	if (json_is_object(v) && num(v, "registered") != 0)
		printf(_("  name:     %s   address: %s\n"), str(v, "name"), str(v, "address"));
	else if (json_is_object(v))
		printf("%s", _("  name:     (not in the county's register)\n"));
	/* only for an officer of the buyer's township; the county logs it */
	v = json_object_get(answer, "buyer");
	if (json_is_object(v) && json_is_string(json_object_get(v, "address")))
		printf(_("  buyer's address (this viewing is logged): %s\n"), str(v, "address"));
	else if (json_is_object(v) && json_is_true(json_object_get(v, "address_erased")))
		printf("%s", _("  buyer's address: erased after its keep time\n"));
	v = json_object_get(answer, "address_views"); /* a regulator's */
	for (i = 0; json_is_array(v) && i < json_array_size(v); i++) {
		when(num(json_array_get(v, i), "at_ms"), t);
		printf(_("  buyer's address seen by %s at %s\n"),
		    str(json_array_get(v, i), "identity"), t);
	}
	if (strcmp(str(c, "reporter"), "-") != 0) {
		printf(_("  reported: %s in %s, %s (%s, %s)\n"), str(c, "reporter"),
		    str(c, "village"), str(c, "place"), str(c, "lat"), str(c, "lon"));
		if (strcmp(str(c, "routed_by"), "-") != 0)
			printf(_("  routed:   to %s %s\n"), str(c, "township"),
			    word(str(c, "routed_by")));
		if (strcmp(str(c, "code_check"), "-") != 0)
			printf(_("  code:     %s\n            %s\n"), word(str(c, "code_check")),
			    str(c, "code"));
	}
	printf(_("  officer:  %s\n"), str(c, "officer"));
	when(num(c, "opened_ms"), t);
	printf(_("  opened:   %s   due: %s%s\n"), t, due, num(c, "overdue") ? _("  OVERDUE") : "");
	{
		char a[TIMETEXT_MAX], s[TIMETEXT_MAX], e[TIMETEXT_MAX];

		when(num(c, "accept_due_ms"), a);
		when(num(c, "onsite_due_ms"), s);
		when(num(c, "close_due_ms"), e);
		printf(_("  deadlines: accept by %s, on site by %s, closed by %s\n"), a, s, e);
	}
	if (strcmp(str(c, "outcome"), "-") != 0)
		printf(_("  outcome:  %s  power: %s  fine: %lld yuan\n"),
		    code_shown(names, PART_OUTCOME, str(c, "outcome"), outcome, sizeof(outcome)),
		    code_shown(names, PART_POWER, str(c, "power"), power, sizeof(power)),
		    num(c, "fine_yuan"));
	printf("%s", _("timeline:\n"));
	json_array_foreach(json_object_get(answer, "steps"), i, v)
	{
		/* the joins between the first and the newest the county lists (cases_show) */
		if (strcmp(str(v, "action"), "join") == 0 && ++joins == CASES_SHOWN_JOINS + 1 &&
		    num(answer, "joins_left_out") > 0)
			printf(_("  ... %lld more alerts joined this case in between, not listed "
			         "here\n"),
			    num(answer, "joins_left_out"));
		when(num(v, "at_ms"), t);
		/* the county's own steps by the county's name; columns by terminal width */
		printf("  %s  ", t);
		i18n_pad(stdout,
		    strcmp(str(v, "identity"), "county") == 0 ? _("the county")
		                                              : str(v, "identity"),
		    25);
		i18n_pad(stdout, word(str(v, "action")), 15);
		print_step_words(v, names);
		/* the comments and attachments between the first and the newest (cases_show) */
		if (num(answer, "steps_left_out") > 0 &&
		    num(v, "id") == num(answer, "steps_left_out_after"))
			printf(
			    _("  ... %lld more comments and attachments in between, not listed here "
			      "(every change of state is); the console lists them at "
			      "/cases/%lld/steps?after=%lld\n"),
			    num(answer, "steps_left_out"), num(c, "id"), num(v, "id"));
	}
	if (json_array_size(json_object_get(answer, "evidence")) > 0)
		printf("%s", _("evidence:\n"));
	json_array_foreach(json_object_get(answer, "evidence"), i, v)
	    printf(_("  %s  %s  %s  %lld bytes\n"), str(v, "hash"), str(v, "name"), str(v, "type"),
	        num(v, "size"));
out:
	if (names != NULL)
		catalogue_free(names);
	free(raw);
	json_decref(answer);
	return 0;
}

/*
 * A typed field of r that holds what looks like a person's number
 * (cases_field_with_number: the rule the county holds every case request
 * to) is refused here, before anything is sent, naming the field in the
 * person's language: 1 when it was.  The number never leaves this machine.
 */
static int
refuse_number(const struct case_request *r)
{
	static const char *const labels[CASES_FIELD_COUNT] = {
		[CASES_FIELD_NOTE] = N_("note (--note)"),
		[CASES_FIELD_PLACE] = N_("place (--place)"),
		[CASES_FIELD_VILLAGE] = N_("village (--village)"),
		[CASES_FIELD_CODE] = N_("cylinder code (--code)"),
		[CASES_FIELD_KIND] = N_("report kind (--kind)"),
		[CASES_FIELD_OUTCOME] = N_("outcome (--outcome)"),
		[CASES_FIELD_POWER] = N_("penalty power (--power)"),
		[CASES_FIELD_TOWNSHIP] = N_("township (--to)"),
	};
	enum cases_field field = cases_field_with_number(r);

	if (field == CASES_FIELD_NONE)
		return 0;
	fprintf(stderr,
	    _("gaswatch: the %s looks like it holds a person's ID number (a resident ID or "
	      "credit code); nothing was sent\n"),
	    _(labels[field]));
	return 1;
}

/* What a step does, as a person says they cannot do it. */
static const char *
step_verb(const char *step)
{
	static const struct shown_word verbs[] = {
		{ "accept", N_("accept it") },
		{ "onsite", N_("record a visit on it") },
		{ "decide", N_("decide it") },
		{ "close", N_("close it") },
		{ "dismiss", N_("dismiss it") },
		{ "comment", N_("comment on it") },
		{ "attach", N_("attach evidence to it") },
		{ "reassign", N_("reassign it") },
		{ "report", N_("file a report") },
	};

	return shown(verbs, sizeof(verbs) / sizeof(verbs[0]), step);
}

/* What a step's needed note says (cases_step_needs), untranslated: N_() words. */
static const char *
note_says(const char *step)
{
	static const struct shown_word says[] = {
		{ "dismiss", N_("why there is no case to answer") },
		{ "comment", N_("what you have to say") },
		{ "reassign", N_("why it moves") },
		{ "report", N_("what you found") },
	};
	size_t i;

	for (i = 0; i < sizeof(says) / sizeof(says[0]); i++)
		if (strcmp(says[i].word, step) == 0)
			return says[i].shown;
	return N_("what was done");
}

/*
 * A step the county would not take because of the case's state (it moved
 * on since the officer looked, or the step is not one for that state:
 * cases_step_fits, the rule cases_step holds a step to): said with the
 * case's state now, in the person's language: 1 when it was; 0 when the
 * case's state allows the step (the refusal was for something else) or
 * cannot be read.
 */
static int
say_stale_step(const struct options *o, const struct case_request *r, const char *step)
{
	struct refusal quiet = { 0 };
	char query[32];
	json_t *answer = NULL;
	const char *state;
	int said = 0;

	snprintf(query, sizeof(query), "id=%lld", (long long)r->id);
	if (ask_keep(o, "GET", "cases/show", query, NULL, 0, &answer, NULL, &quiet) != 0)
		return 0;
	state = json_string_value(json_object_get(json_object_get(answer, "case"), "state"));
	if (state != NULL && !cases_step_fits(state, step)) {
		fprintf(stderr, _("gaswatch: case %lld is %s now, so you cannot %s\n"),
		    (long long)r->id, word(state), step_verb(step));
		said = 1;
	}
	json_decref(answer);
	return said;
}

/*
 * A report the county would not take because its kind is not in the county's catalogue
 * (cases_report's first rule after the fields): said in the person's language, 1 when
 * it was; 0 when r is no report, its kind is one, or the catalogue cannot be read.
 */
static int
say_bad_kind(const struct options *o, const struct case_request *r)
{
	struct catalogue cat;
	int said = 0;

	if (!CASEMSG_HAS(r, CASEMSG_KIND) || CASEMSG_HAS(r, CASEMSG_STEP) ||
	    county_catalogue(o, &cat) == -1)
		return 0;
	if (cat.nkinds == 0) {
		fprintf(stderr, "%s",
		    _("gaswatch: the county's catalogue lists no report kinds, so it takes no "
		      "reports\n"));
		said = 1;
	} else if (catalogue_kind(&cat, r->kind) == NULL) {
		fprintf(stderr,
		    _("gaswatch: \"%s\" is not a report kind of the county's catalogue (gaswatch "
		      "catalogue lists them)\n"),
		    r->kind);
		said = 1;
	}
	catalogue_free(&cat);
	return said;
}

/*
 * A decision the county would not take because it does not fit the county's
 * catalogue (catalogue_check_decision: the rule cases_step holds every door
 * to, and checks before the case's state): said in the person's language
 * with the catalogue's own names, read from the county (GET
 * cases/catalogue): 1 when it was; 0 when r is no decision, the decision
 * fits (the refusal was for something else) or the catalogue cannot be read.
 */
static int
say_bad_decision(const struct options *o, const struct case_request *r)
{
	struct catalogue cat;
	const struct catalogue_outcome *oc;
	const struct catalogue_power *pw;
	enum catalogue_decision v;
	char err[256], outcome[ITEM_SHOWN_MAX], power[ITEM_SHOWN_MAX];
	const char *os, *ps;

	if (strcmp(r->step, "decide") != 0 || county_catalogue(o, &cat) == -1)
		return 0;
	v = catalogue_check_decision(&cat, r->outcome, r->power,
	    CASEMSG_HAS(r, CASEMSG_FINE) ? r->fine : 0, err, sizeof(err));
	oc = catalogue_outcome(&cat, r->outcome);
	pw = catalogue_power(&cat, r->power);
	os = item_shown(oc != NULL ? oc->name : NULL, r->outcome, outcome, sizeof(outcome));
	ps = item_shown(pw != NULL ? pw->name : NULL, r->power, power, sizeof(power));
	switch (v) {
	case CATALOGUE_DECISION_OK:
		break;
	case CATALOGUE_NO_OUTCOMES:
		fprintf(stderr, "%s",
		    _("gaswatch: the county has loaded no catalogue of outcomes, so no case can be "
		      "decided yet\n"));
		break;
	case CATALOGUE_UNKNOWN_OUTCOME:
		fprintf(stderr,
		    _("gaswatch: \"%s\" is not an outcome of the county's catalogue (gaswatch "
		      "catalogue lists them)\n"),
		    os);
		break;
	case CATALOGUE_NEEDS_FINE:
		fprintf(stderr, _("gaswatch: %s is a fine: give its amount in yuan (--fine)\n"),
		    os);
		break;
	case CATALOGUE_TAKES_NO_FINE:
		fprintf(stderr, _("gaswatch: %s is not a fine: leave out --fine\n"), os);
		break;
	case CATALOGUE_NEEDS_POWER:
		fprintf(stderr,
		    _("gaswatch: %s needs the penalty power it rests on (--power; gaswatch "
		      "catalogue lists them)\n"),
		    os);
		break;
	case CATALOGUE_UNKNOWN_POWER:
		fprintf(stderr,
		    _("gaswatch: \"%s\" is not a penalty power of the county's catalogue (gaswatch "
		      "catalogue lists them)\n"),
		    ps);
		break;
	case CATALOGUE_POWER_MISMATCH:
		fprintf(stderr,
		    _("gaswatch: the penalty power %s does not end in %s (gaswatch catalogue lists "
		      "what each ends in)\n"),
		    ps, os);
		break;
	}
	catalogue_free(&cat);
	return v != CATALOGUE_DECISION_OK;
}

/*
 * A report the county could not route (cases_route: the place in no
 * township of its map, no map for coordinates, a village not in its list),
 * known by the county's fixed reason (cases_route_reason) and said in the
 * person's language with the place or village r named: 1 when it was.
 * gaswatch has neither the map nor the village list; the county's answer
 * says which it was.
 */
static int
say_unrouted(const struct case_request *r, const char *reason)
{
	if (strcmp(reason, cases_route_reason(CASES_ROUTE_OUTSIDE_MAP)) == 0)
		fprintf(stderr,
		    _("gaswatch: the place %.6f, %.6f lies in no township of the county's map: "
		      "check the position, or report by village without --lat and --lon\n"),
		    r->lat, r->lon);
	else if (strcmp(reason, cases_route_reason(CASES_ROUTE_NO_VILLAGE)) == 0)
		fprintf(stderr, "%s",
		    _("gaswatch: the county has no township map to place --lat and --lon: name the "
		      "village (--village)\n"));
	else if (strcmp(reason, cases_route_reason(CASES_ROUTE_UNKNOWN_VILLAGE)) == 0)
		fprintf(stderr,
		    _("gaswatch: \"%s\" is not in the county's village list: check the village's "
		      "name as the county writes it\n"),
		    r->village);
	else
		return 0;
	return 1;
}

/*
 * A refusal the county gives in fixed text (cases_refusal_reason: a
 * township it does not know, the township the case is in, evidence over
 * its evidence_max_kb, a township's dismissal of an escalated case), said in the person's language
 * with what r sent: 1 when it was.
 */
static int
say_fixed_refusal(const struct case_request *r, const char *reason)
{
	if (strcmp(reason, cases_refusal_reason(CASES_REFUSAL_UNKNOWN_TOWNSHIP)) == 0)
		fprintf(stderr,
		    _("gaswatch: %s is not a township of this county: nothing changed\n"),
		    r->township);
	else if (strcmp(reason, cases_refusal_reason(CASES_REFUSAL_SAME_TOWNSHIP)) == 0)
		fprintf(stderr,
		    _("gaswatch: case %lld is in township %s already: nothing changed\n"),
		    (long long)r->id, r->township);
	else if (strcmp(reason, cases_refusal_reason(CASES_REFUSAL_EVIDENCE_TOO_LARGE)) == 0)
		fprintf(stderr,
		    _("gaswatch: %s is %zu KiB, more than the county takes for evidence (its "
		      "evidence_max_kb): nothing was stored; send a smaller file\n"),
		    r->file, (r->data_len + 1023) / 1024);
	else if (strcmp(reason, cases_refusal_reason(CASES_REFUSAL_ESCALATED_DISMISS)) == 0)
		fprintf(stderr,
		    _("gaswatch: case %lld was escalated to the county, and only the county "
		      "dismisses it: nothing changed\n"),
		    (long long)r->id);
	else
		return 0;
	return 1;
}

/* A 4.00 for request r (the county's reason) said in the person's language where gaswatch
 * can tell why: a fixed reason by its words, else in the county's own order (a step's
 * decision's fit to the catalogue, then the case's state; a reassignment's state; a
 * report's kind, then where it goes): 1 when it was. */
static int
said_in_words(const struct options *o, const struct case_request *r, const char *reason)
{
	if (say_fixed_refusal(r, reason))
		return 1;
	if (CASEMSG_HAS(r, CASEMSG_STEP))
		return say_bad_decision(o, r) || say_stale_step(o, r, r->step);
	if (CASEMSG_HAS(r, CASEMSG_TOWNSHIP))
		return say_stale_step(o, r, "reassign");
	return say_bad_kind(o, r) || say_unrouted(r, reason);
}

/*
 * A note the step needs (cases_step_needs: dismiss, comment, reassign, a
 * report) missing or blank (cases_note_blank), refused here as the county
 * would, before anything is sent, saying what to write: 1 when it was.
 */
static int
refuse_blank_note(const struct case_request *r)
{
	const char *step = CASEMSG_HAS(r, CASEMSG_STEP)       ? r->step
	                   : CASEMSG_HAS(r, CASEMSG_TOWNSHIP) ? "reassign"
	                                                      : "report";

	if (!(cases_step_needs(step) & CASES_NEEDS_NOTE) ||
	    (CASEMSG_HAS(r, CASEMSG_NOTE_F) && !cases_note_blank(r->note)))
		return 0;
	fprintf(stderr, _("gaswatch: to %s, say %s with --note TEXT; nothing was sent\n"),
	    step_verb(step), _(note_says(step)));
	return 1;
}

/* Send one case request (what) to path, under a fresh rid; prints what was done. */
static int
send_request(const struct options *o, const char *path, const struct case_request *what,
    const char *done)
{
	struct refusal kept = { 0 };
	struct case_request keyed = *what, *r = &keyed; /* the evidence stays what's */
	uint8_t *payload;
	size_t len;
	char *raw = NULL;
	int rc;

	if (refuse_blank_note(r) || refuse_number(r))
		return 2;
	/* libcoap retransmits the message, with this key, when an answer is lost */
	if (!CASEMSG_HAS(r, CASEMSG_RID) && casemsg_new_rid(r) == -1) {
		fprintf(stderr, "%s", _("gaswatch: no random bytes for the request's key\n"));
		return 2;
	}
	if (casemsg_encode(r, &payload, &len) == -1) {
		fprintf(stderr, "%s", _("gaswatch: the request does not fit its bounds\n"));
		return 2;
	}
	rc = ask_keep(o, "POST", path, NULL, payload, len, NULL, &raw, &kept);
	free(payload);
	if (kept.taken) {
		free(raw);
		/* 4.29: a report past the person's hourly limit; the bound of 24
		 * hours (writequota.h) names its own setting in the county's reason */
		if (kept.code == 429 && !CASEMSG_HAS(r, CASEMSG_STEP) &&
		    !CASEMSG_HAS(r, CASEMSG_TOWNSHIP) &&
		    strstr(kept.reason, "report_max_per_hour") != NULL)
			fprintf(stderr, "%s",
			    _("gaswatch: the county takes no more reports from you this hour (its "
			      "report_max_per_hour): nothing was stored; send it again later\n"));
		else if (kept.code == 429 || !said_in_words(o, r, kept.reason))
			cases_say_refusal(o->identity, kept.code, kept.reason);
		return 1;
	}
	if (rc == 0) {
		if (o->json) {
			json_t *j =
			    json_pack("{s:b, s:s}", "done", 1, "answer", raw != NULL ? raw : "");
			char *text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;

			printf("%s\n", text != NULL ? text : "{\"done\":true}");
			free(text);
			json_decref(j);
		} else if (raw != NULL && raw[0] != '\0')
			printf("%s %s\n", done, termtext_copy(raw, raw, strlen(raw) + 1));
		else
			printf("%s\n", done);
	}
	free(raw);
	return rc;
}

static int
set_note(const struct options *o, struct case_request *r)
{
	if (o->note == NULL)
		return 0;
	if (strlen(o->note) >= sizeof(r->note) || !casemsg_text_ok(o->note, strlen(o->note), 1)) {
		fprintf(stderr, _("gaswatch: the note must be UTF-8 text of at most %zu bytes\n"),
		    sizeof(r->note) - 1);
		return -1;
	}
	str_copy(r->note, o->note, sizeof(r->note));
	casemsg_set(r, CASEMSG_NOTE_F);
	return 0;
}

/* --photo/attach: the whole file as evidence. */
static int
set_file(struct case_request *r, const char *path, const char *type)
{
	static const struct {
		const char *ext, *type;
	} types[] = { { ".jpg", "image/jpeg" }, { ".jpeg", "image/jpeg" }, { ".png", "image/png" },
		{ ".pdf", "application/pdf" }, { ".txt", "text/plain" } };
	const char *base = strrchr(path, '/'), *dot;
	FILE *fp = fopen(path, "rb");
	struct stat st;
	size_t i;

	if (fp == NULL) {
		fprintf(stderr, "gaswatch: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(fp), &st) == 0 && !S_ISREG(st.st_mode)) {
		fprintf(stderr, _("gaswatch: %s: not a file (a folder?)\n"), path);
		fclose(fp);
		return -1;
	}
	/* the county's rule (a media type: image/jpeg), said before anything is sent */
	if (type != NULL && (strchr(type, '/') == NULL || type[0] == '/' ||
	                        strchr(type, '/')[1] == '\0' || strchr(type, ' ') != NULL)) {
		fprintf(stderr,
		    _("gaswatch: --type %s is not a media type (image/jpeg, image/png, "
		      "application/pdf)\n"),
		    type);
		fclose(fp);
		return -1;
	}
	if ((r->data = malloc(CASEMSG_MAX_EVIDENCE + 1)) == NULL) {
		fclose(fp);
		return -1;
	}
	r->data_len = fread(r->data, 1, CASEMSG_MAX_EVIDENCE + 1, fp);
	fclose(fp);
	if (r->data_len == 0 || r->data_len > CASEMSG_MAX_EVIDENCE) {
		fprintf(stderr, _("gaswatch: %s: empty or larger than %u bytes\n"), path,
		    CASEMSG_MAX_EVIDENCE);
		casemsg_free(r);
		return -1;
	}
	base = base != NULL ? base + 1 : path;
	str_copy(r->file, base, sizeof(r->file));
	if (type == NULL) {
		type = "application/octet-stream";
		dot = strrchr(base, '.');
		for (i = 0; dot != NULL && i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp(dot, types[i].ext) == 0)
				type = types[i].type;
	}
	str_copy(r->type, type, sizeof(r->type));
	casemsg_set(r, CASEMSG_DATA);
	casemsg_set(r, CASEMSG_FILE);
	casemsg_set(r, CASEMSG_TYPE);
	return 0;
}

/* A step of case argv[1]. */
static int
do_step(const struct options *o, const char *id_text, const char *what, const char *file)
{
	struct case_request r;
	char done[96];
	int64_t id;
	int rc;

	memset(&r, 0, sizeof(r));
	if (parse_id(id_text, &id) == -1)
		return 2;
	r.id = id;
	casemsg_set(&r, CASEMSG_ID);
	str_copy(r.step, what, sizeof(r.step));
	casemsg_set(&r, CASEMSG_STEP);
	if (set_note(o, &r) == -1)
		return 2;
	if (strcmp(what, "decide") == 0) {
		if (o->outcome == NULL) {
			fprintf(stderr, "%s",
			    _("gaswatch: decide needs --outcome CODE (gaswatch catalogue lists them)\n"));
			return 2;
		}
		str_copy(r.outcome, o->outcome, sizeof(r.outcome));
		casemsg_set(&r, CASEMSG_OUTCOME);
		if (o->power != NULL) {
			str_copy(r.power, o->power, sizeof(r.power));
			casemsg_set(&r, CASEMSG_POWER);
		}
		if (o->has_fine) {
			r.fine = o->fine;
			casemsg_set(&r, CASEMSG_FINE);
		}
	}
	if (file != NULL && set_file(&r, file, o->type) == -1)
		return 1;
	snprintf(done, sizeof(done), _("case %lld: %s"), (long long)id, word(what));
	rc = send_request(o, "cases/step", &r, done);
	casemsg_free(&r);
	return rc;
}

int
cases_run_accept(const struct options *o, int argc, char **argv)
{
	if (argc != 2)
		return 2;
	return do_step(o, argv[1], "accept", o->photo);
}

int
cases_run_step(const struct options *o, int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[2], "onsite") != 0 && strcmp(argv[2], "comment") != 0 &&
	                     strcmp(argv[2], "dismiss") != 0)) {
		fprintf(stderr, "%s",
		    _("gaswatch step: ID onsite|comment|dismiss [--note TEXT]\n"));
		return 2;
	}
	return do_step(o, argv[1], argv[2], o->photo);
}

int
cases_run_attach(const struct options *o, int argc, char **argv)
{
	if (argc != 3)
		return 2;
	return do_step(o, argv[1], "attach", argv[2]);
}

int
cases_run_decide(const struct options *o, int argc, char **argv)
{
	if (argc != 2)
		return 2;
	return do_step(o, argv[1], "decide", o->photo);
}

int
cases_run_close(const struct options *o, int argc, char **argv)
{
	if (argc != 2)
		return 2;
	return do_step(o, argv[1], "close", o->photo);
}

int
cases_run_report(const struct options *o, int argc, char **argv)
{
	struct case_request r;
	int rc;

	(void)argv;
	memset(&r, 0, sizeof(r));
	if (argc != 1 || o->kind == NULL || o->note == NULL ||
	    (o->village == NULL && !o->has_coords)) {
		fprintf(stderr, "%s",
		    _("gaswatch report: --kind, --note (what you found) and --village or --lat and "
		      "--lon are needed\n"));
		return 2;
	}
	if (strlen(o->kind) >= sizeof(r.kind) ||
	    (o->village != NULL && strlen(o->village) >= sizeof(r.village)) ||
	    (o->place != NULL && strlen(o->place) >= sizeof(r.place)) ||
	    (o->code != NULL && strlen(o->code) >= sizeof(r.code)) || set_note(o, &r) == -1) {
		fprintf(stderr, "%s", _("gaswatch report: a field is too long\n"));
		return 2;
	}
	str_copy(r.kind, o->kind, sizeof(r.kind));
	casemsg_set(&r, CASEMSG_KIND);
	if (o->village != NULL) {
		str_copy(r.village, o->village, sizeof(r.village));
		casemsg_set(&r, CASEMSG_VILLAGE);
	}
	if (o->place != NULL) {
		str_copy(r.place, o->place, sizeof(r.place));
		casemsg_set(&r, CASEMSG_PLACE_F);
	}
	if (o->code != NULL) {
		str_copy(r.code, o->code, sizeof(r.code));
		casemsg_set(&r, CASEMSG_CODE);
	}
	if (o->has_coords) {
		r.lat = o->lat;
		r.lon = o->lon;
		casemsg_set(&r, CASEMSG_LAT);
		casemsg_set(&r, CASEMSG_LON);
	}
	if (o->photo != NULL && set_file(&r, o->photo, o->type) == -1)
		return 1;
	rc = send_request(o, "cases/report", &r, _("reported: case"));
	casemsg_free(&r);
	return rc;
}

int
cases_run_reassign(const struct options *o, int argc, char **argv)
{
	struct case_request r;
	char done[96];
	int64_t id;

	memset(&r, 0, sizeof(r));
	if (argc != 2 || o->to == NULL || o->note == NULL || parse_id(argv[1], &id) == -1) {
		fprintf(stderr, "%s", _("gaswatch reassign: ID --to TOWNSHIP --note WHY\n"));
		return 2;
	}
	r.id = id;
	casemsg_set(&r, CASEMSG_ID);
	str_copy(r.township, o->to, sizeof(r.township));
	casemsg_set(&r, CASEMSG_TOWNSHIP);
	if (set_note(o, &r) == -1)
		return 2;
	snprintf(done, sizeof(done), _("case %lld: reassigned to %s"), (long long)id, r.township);
	return send_request(o, "cases/reassign", &r, done);
}

int
cases_run_figures(const struct options *o, int argc, char **argv)
{
	char query[160], *raw = NULL, accept[32], close[32], from[TIMETEXT_MAX], to[TIMETEXT_MAX];
	char err[160];
	json_t *answer, *t, *v;
	const char *key;
	int64_t since = 0, until = 0;
	size_t i;
	int rc, whole = 0;

	(void)argv;
	if (argc != 1)
		return 2;
	/* read here, in the person's time zone (TZ), as every time gaswatch prints is;
	 * a date that is none, or a period the wrong way round, is said by its option */
	if (o->from != NULL && timetext_parse(o->from, &since, NULL, err, sizeof(err)) == -1) {
		fprintf(stderr, _("gaswatch: --from %s: %s\n"), o->from, err);
		return 2;
	}
	if (o->until != NULL) {
		if (timetext_parse(o->until, &until, &whole, err, sizeof(err)) == -1) {
			fprintf(stderr, _("gaswatch: --to %s: %s\n"), o->until, err);
			return 2;
		}
		if (whole)
			until = timetext_next_day(until) - 1;
	}
	if (o->from != NULL && o->until != NULL && until < since) {
		fprintf(stderr,
		    _("gaswatch: the period ends before it begins (--from %s, --to %s)\n"), o->from,
		    o->until);
		return 2;
	}
	query[0] = '\0';
	if (o->from != NULL)
		snprintf(query, sizeof(query), "from=%lld", (long long)since);
	if (o->until != NULL)
		snprintf(query + strlen(query), sizeof(query) - strlen(query), "%sto=%lld",
		    query[0] != '\0' ? "&" : "", (long long)until);
	if ((rc = ask(o, "GET", "cases/figures", query[0] != '\0' ? query : NULL, NULL, 0, &answer,
	         &raw)) != 0)
		return rc;
	if (o->json) {
		printf("%s\n", raw);
		goto out;
	}
	termtext_json(answer);
	when(num(answer, "from"), from);
	when(num(answer, "to"), to);
	printf(_("cases opened %s .. %s\n"), from, to);
	{
		/* the header over the columns the rows' printf draws, by terminal columns */
		static const struct {
			const char *word;
			size_t width;
		} head[] = { { N_("OPENED"), 6 }, { N_("CLOSED"), 6 }, { N_("DISMISSED"), 9 },
			{ N_("OPEN"), 6 }, { N_("OVERDUE"), 7 }, { N_("ACCEPT"), 10 },
			{ N_("CLOSE"), 10 } };

		i18n_pad(stdout, _("TOWNSHIP"), 9);
		for (i = 0; i < sizeof(head) / sizeof(head[0]); i++) {
			putchar(' ');
			i18n_pad_left(stdout, _(head[i].word), head[i].width);
		}
		printf("  %s\n", _("OUTCOMES"));
	}
	json_array_foreach(json_object_get(answer, "townships"), i, t)
	{
		if (num(t, "median_accept_s") < 0)
			str_copy(accept, "-", sizeof(accept));
		else
			span(num(t, "median_accept_s"), accept, sizeof(accept));
		if (num(t, "median_close_s") < 0)
			str_copy(close, "-", sizeof(close));
		else
			span(num(t, "median_close_s"), close, sizeof(close));
		printf("%-9s %6lld %6lld %9lld %6lld %7lld %10s %10s ", str(t, "township"),
		    num(t, "opened"), num(t, "closed"), num(t, "dismissed"), num(t, "open"),
		    num(t, "overdue"), accept, close);
		json_object_foreach(json_object_get(t, "outcomes"), key, v)
		{
			char code[64]; /* a key: termtext_json leaves keys alone */

			printf(" %s=%lld", termtext_copy(code, key, sizeof(code)),
			    (long long)json_integer_value(v));
		}
		putchar('\n');
	}
	printf("%s", _("ACCEPT and CLOSE are medians from opening.\n"));
out:
	free(raw);
	json_decref(answer);
	return 0;
}

int
cases_run_catalogue(const struct options *o, int argc, char **argv)
{
	char *raw = NULL;
	json_t *answer, *v, *w;
	size_t i, j;
	int rc;

	(void)argv;
	if (argc != 1)
		return 2;
	if ((rc = ask(o, "GET", "cases/catalogue", NULL, NULL, 0, &answer, &raw)) != 0)
		return rc;
	if (o->json) {
		printf("%s\n", raw);
		goto out;
	}
	termtext_json(answer); /* the county's files, as every text gaswatch prints */
	printf("%s", _("outcomes:\n"));
	json_array_foreach(json_object_get(answer, "outcomes"), i, v)
	    printf("  %-14s %s%s\n", str(v, "code"), str(v, "name"),
	        json_is_true(json_object_get(v, "amount")) ? _(" (with a fine in yuan)") : "");
	printf("%s", _("penalty powers:\n"));
	json_array_foreach(json_object_get(answer, "powers"), i, v)
	{
		printf("  %-6s %s  [%s]  ->", str(v, "code"), str(v, "name"), str(v, "basis"));
		json_array_foreach(json_object_get(v, "outcomes"), j, w)
		    printf(" %s", json_string_value(w));
		putchar('\n');
	}
	printf("%s", _("report kinds (gaswatch report --kind):\n"));
	if (json_array_size(json_object_get(answer, "kinds")) == 0)
		printf("%s", _("  none: the county takes no reports\n"));
	json_array_foreach(json_object_get(answer, "kinds"), i, v)
	    printf("  %-14s %s\n", str(v, "code"), str(v, "name"));
	printf("%s", _("deadlines from the opening (wd: working days):\n"));
	if (json_array_size(json_object_get(answer, "deadlines")) == 0)
		printf("%s", _("  per severity only (the county's case_*_min settings)\n"));
	else
		printf(_("  %-14s %-9s %-8s %-8s %s\n"), _("KIND"), _("SEVERITY"), _("ACCEPT"),
		    _("ON SITE"), _("CLOSE"));
	json_array_foreach(json_object_get(answer, "deadlines"), i, v)
	    printf("  %-14s %-9s %-8s %-8s %s\n", str(v, "kind"), str(v, "severity"),
	        str(v, "accept"), str(v, "onsite"), str(v, "close"));
out:
	free(raw);
	json_decref(answer);
	return 0;
}
