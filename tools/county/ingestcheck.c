/*
 * ingestcheck: the county's table of station rules and the bounds of what
 * a station's record can hold (ingestcheck.h).
 *
 * The table is the county's word on each rule (docs/rules.md, the station
 * rules' "action" column): a station names the rule that fired,
 * the county decides how grave it is and where its alert goes.  The
 * station's own table (gateway/rules.c) may split a rule into cases of
 * different gravity (R01 "no code scanned" refuses, R01 "code rejected"
 * alerts); the county takes the graver one, as docs/rules.md does.
 */
#include <ctype.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ingestcheck.h"
#include "buyer.h"
#include "life.h"
#include "liferows.h"
#include "termtext.h"
#include "util.h"

#define S INGEST_ROUTE_STATION

const struct ingest_rule ingest_station_rules[] = {
	{ "R01", "alert", S },                  /* code unreadable or forged */
	{ "R02", "refuse", S },                 /* not in the registry */
	{ "R03", "alert", S },                  /* another company's cylinder */
	{ "R04", "alert", S },                  /* scrapped or retired */
	{ "R05", "alert", S },                  /* inspection overdue */
	{ "R06", "alert", S },                  /* past service life */
	{ "R07", "refuse", S },                 /* operator */
	{ "R08", "refuse", S },                 /* buyer */
	{ "R09", "refuse", S },                 /* empty weight vs tare */
	{ "R10", "alert", S },                  /* filled again too soon */
	{ "R11", "alert", INGEST_ROUTE_BUYER }, /* hoarding: the buyer's township */
	{ "R20", "alert", S },                  /* overfill */
	{ "R21", "flag", S },                   /* short weight */
	{ "R22", "flag", S },                   /* too long */
	{ "R23", "critical", S },               /* weight rising with the valve closed */
	{ "R24", "flag", S },                   /* link lost during a fill */
	{ "R25", "flag", S },                   /* check-weigh */
	{ NULL, NULL, S },
};

#undef S

const struct ingest_rule *
ingest_rule_find(const char *rule)
{
	const struct ingest_rule *row;

	for (row = ingest_station_rules; row->rule != NULL; row++)
		if (strcmp(row->rule, rule) == 0)
			return row;
	return NULL;
}

int
ingest_county_rule(const char *rule)
{
	return rule[0] == 'C' && isdigit((unsigned char)rule[1]) &&
	       isdigit((unsigned char)rule[2]) && rule[3] == '\0' &&
	       (rule[1] - '0') * 10 + (rule[2] - '0') >= 1 &&
	       (rule[1] - '0') * 10 + (rule[2] - '0') <= INGEST_COUNTY_RULES;
}

int
ingest_severity_alerts(const char *severity)
{
	return strcmp(severity, "alert") == 0 || strcmp(severity, "critical") == 0;
}

int
ingest_uuid_valid(const char *text)
{
	size_t i;

	if (strlen(text) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (text[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)text[i])) {
			return 0;
		}
	}
	return 1;
}

static int
one_of(const char *text, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcmp(text, *words) == 0)
			return 1;
	return 0;
}

static const char *const kinds[] = { "fill", "refusal", "event", "life", NULL };
/* a recorded fill's outcome (the station's fills.result, 'filling' excepted:
 * a fill still running is never sent) */
static const char *const results[] = { "ok", "flagged", "held", "interrupted", "emergency", NULL };
/* delivery: a delivery company buying at the counter for the households it
 * serves (exempt from C02: its hand-overs are counted instead, life.h) */
static const char *const buyer_kinds[] = { "", "household", "business", "delivery", NULL };

/* An instant a record can hold: after 2000, at most a day ahead of now. */
static int
instant_ok(int64_t ms, int64_t now_ms)
{
	return ms >= INGEST_EARLIEST_MS && ms <= now_ms + INGEST_AHEAD_MS;
}

int
ingest_time_ok(const struct wire_record *r, int64_t ms, int64_t now_ms)
{
	if (r->has_life && strcmp(r->life.event, "scrapped") == 0)
		return ms >= 0 && ms <= INGEST_SCRAP_LATEST_MS;
	return instant_ok(ms, now_ms);
}

static int
weight_ok(double kg, double min, double max)
{
	return isfinite(kg) && kg >= min && kg <= max;
}

/*
 * A text of a record: UTF-8 with no control character (but, in the free texts that lines
 * allows, line breaks and tabs), as the county's own case requests are: termtext_text_ok,
 * the rule every door shares (a life event's: liferows_check_texts, which a device runs too).
 * Bytes that are not UTF-8 would be stored, shown and rendered as JSON for gaswatch and
 * gastrace, where one of them fails the whole answer it is in (a township's case list); a
 * control character is an escape sequence for the terminal of whoever reads it.
 */
struct text_field {
	const char *key; /* as docs/protocol.md names it */
	const char *value;
	int lines;
};

static int
check_texts(const struct text_field *t, size_t n, const char *at, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!termtext_text_ok(t[i].value, strlen(t[i].value), t[i].lines))
			return err_set(err, errlen, "%s: %s: not UTF-8 text%s", at, t[i].key,
			    t[i].lines ? "" : " on one line");
	return 0;
}

#define TEXTS(t) (t), sizeof(t) / sizeof((t)[0])

/*
 * V7 at the door: a text a record's source writes as it likes (a device's village, a scrap's
 * reason, a buyer's township) must not hold a person's number (buyer_text_has_number), and a
 * masked form must have the mask's shape (buyer_masked_ok; "" when there is no buyer); a
 * life event's texts by liferows_check_texts, the check a device runs too.  Each is stored, traced
 * and named on cases as it came: until 8 Dec 2026 (review rev102) a device's full resident ID
 * number in any of them was taken (2.04).  The refusal names the field, never the value.
 */
static int
check_numbers(const struct text_field *t, size_t n, const char *at, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (buyer_text_has_number(t[i].value, strlen(t[i].value)))
			return err_set(err, errlen, "%s: %s: holds what looks like an ID number",
			    at, t[i].key);
	return 0;
}

static int
check_fill(const struct wire_fill *f, const char *at, int64_t now_ms, char *err, size_t errlen)
{
	static const struct {
		const char *key;
		size_t offset;
	} weights[] = {
		{ "tare", offsetof(struct wire_fill, tare_kg) },
		{ "target", offsetof(struct wire_fill, target_kg) },
		{ "preact", offsetof(struct wire_fill, preact_kg) },
		{ "cutoff", offsetof(struct wire_fill, cutoff_kg) },
		{ "gross", offsetof(struct wire_fill, gross_kg) },
	};
	size_t i;
	double kg;

	if (f->line < 1 || f->line > INGEST_MAX_LINE)
		return err_set(err, errlen, "%s: line %d is outside 1..%d", at, f->line,
		    INGEST_MAX_LINE);
	if (f->cylinder[0] == '\0')
		return err_set(err, errlen, "%s: cyl is empty", at);
	if (!instant_ok(f->started_ms, now_ms))
		return err_set(err, errlen,
		    "%s: start %lld is not a possible time (2000 .. a day "
		    "ahead of the county's clock)",
		    at, (long long)f->started_ms);
	if (f->ended_ms != 0 && !instant_ok(f->ended_ms, now_ms))
		return err_set(err, errlen, "%s: end %lld is not a possible time", at,
		    (long long)f->ended_ms);
	if (!weight_ok(f->net_kg, INGEST_NET_MIN_KG, INGEST_NET_MAX_KG))
		return err_set(err, errlen, "%s: net %.3f kg is outside %g..%g kg", at, f->net_kg,
		    INGEST_NET_MIN_KG, INGEST_NET_MAX_KG);
	for (i = 0; i < sizeof(weights) / sizeof(weights[0]); i++) {
		memcpy(&kg, (const char *)f + weights[i].offset, sizeof(kg));
		if (!weight_ok(kg, -INGEST_WEIGHT_MAX_KG, INGEST_WEIGHT_MAX_KG))
			return err_set(err, errlen, "%s: %s %.3f kg is not a possible weight", at,
			    weights[i].key, kg);
	}
	if (!one_of(f->result, results))
		return err_set(err, errlen,
		    "%s: result is not one of ok, flagged, held, interrupted, emergency", at);
	if (!one_of(f->buyer_kind, buyer_kinds))
		return err_set(err, errlen, "%s: bkind is not household, business or delivery", at);
	{
		const struct text_field texts[] = {
			{ "cyl", f->cylinder, 0 }, { "buyer", f->buyer, 0 },
			{ "masked", f->buyer_masked, 0 }, { "btown", f->buyer_township, 0 },
			{ "op", f->operator_cert, 0 },
			/* baddr: a bad address is dropped, the fill kept (db.c store_buyer_address)
			 */
		};
		const struct text_field free_texts[] = {
			{ "masked", f->buyer_masked, 0 },
			{ "btown", f->buyer_township, 0 },
		};

		if (check_texts(TEXTS(texts), at, err, errlen) == -1 ||
		    check_numbers(TEXTS(free_texts), at, err, errlen) == -1)
			return -1;
		if (!buyer_masked_ok(f->buyer_masked))
			return err_set(err, errlen,
			    "%s: masked: not a masked number (3 + 11 '*' + 4)", at);
		return 0;
	}
}

static int
check_violation(const struct wire_violation *v, const char *at, size_t j, int64_t now_ms, char *err,
    size_t errlen)
{
	if (!ingest_uuid_valid(v->uuid))
		return err_set(err, errlen, "%s viol %zu: uuid is not a UUID", at, j);
	if (ingest_rule_find(v->rule) == NULL)
		return err_set(err, errlen,
		    "%s viol %zu: rule '%s' is not a station rule (R01..R25; C.. are the county's)",
		    at, j, v->rule);
	if (v->line < 0 || v->line > INGEST_MAX_LINE)
		return err_set(err, errlen, "%s viol %zu: line %d is outside 0..%d", at, j, v->line,
		    INGEST_MAX_LINE);
	if (!instant_ok(v->at_ms, now_ms))
		return err_set(err, errlen, "%s viol %zu: at %lld is not a possible time", at, j,
		    (long long)v->at_ms);
	{
		const struct text_field texts[] = {
			{ "details", v->details, 1 },
			{ "cyl", v->cylinder, 0 },
			{ "buyer", v->buyer, 0 },
			{ "masked", v->buyer_masked, 0 },
			{ "town", v->township, 0 },
			{ "sev", v->severity, 0 },
		};
		char where[96];

		snprintf(where, sizeof(where), "%s viol %zu", at, j);
		return check_texts(TEXTS(texts), where, err, errlen);
	}
}

int
ingest_check_record(const struct wire_record *r, size_t i, int64_t now_ms, char *err, size_t errlen)
{
	char at[64];
	size_t j;

	snprintf(at, sizeof(at), "record %zu (seq %lld)", i, (long long)r->seq);
	if (r->seq < 1)
		return err_set(err, errlen, "%s: seq must be 1 or more", at);
	if (!ingest_uuid_valid(r->uuid))
		return err_set(err, errlen, "%s: uuid is not a UUID", at);
	if (!one_of(r->kind, kinds))
		return err_set(err, errlen, "%s: kind '%s' is not fill, refusal, event or life", at,
		    r->kind);
	if (!ingest_time_ok(r, r->created_ms, now_ms))
		return err_set(err, errlen, "%s: at %lld is not a possible time", at,
		    (long long)r->created_ms);
	if (strcmp(r->kind, "fill") == 0 && !r->has_fill)
		return err_set(err, errlen, "%s: a record of kind fill without its fill", at);
	if (r->has_fill && check_fill(&r->fill, at, now_ms, err, errlen) == -1)
		return -1;
	if (strcmp(r->kind, "life") == 0 || r->has_life) {
		char why[200];

		if (life_check(r, why, sizeof(why)) == -1)
			return err_set(err, errlen, "%s: %s", at, why);
		if (!ingest_time_ok(r, r->life.at_ms, now_ms))
			return err_set(err, errlen, "%s: life.at %lld is not a possible time", at,
			    (long long)r->life.at_ms);
		/* the same check a device runs before it records (gasdeliver) */
		if (liferows_check_texts(&r->life, at, err, errlen) == -1)
			return -1;
	}
	for (j = 0; j < r->violation_count; j++)
		if (check_violation(&r->violations[j], at, j, now_ms, err, errlen) == -1)
			return -1;
	return 0;
}

int
ingest_check_heartbeat(const struct wire_heartbeat *h, char *err, size_t errlen)
{
	const struct text_field texts[] = {
		{ "township", h->township, 0 },
		{ "status", h->status, 1 },
	};

	return check_texts(TEXTS(texts), "heartbeat", err, errlen);
}

int
ingest_one_of(const char *text, const char *const *words)
{
	return one_of(text, words);
}
