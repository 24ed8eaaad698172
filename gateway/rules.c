/*
 * rules: R01..R11 before the valve opens, R20..R25 after it closes
 * (docs/rules.md).  Pure functions of a facts struct and the thresholds of
 * struct gw_rules; rules_table holds what each violation says (what an
 * operator reads on gasctl and a township officer in an alert) and how
 * grave it is.
 */
#include "rules.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "i18n.h"
#include "timetext.h"
#include "util.h"

#define S RULES_ROUTE_STATION
const struct rules_row rules_table[RULES_CASE_COUNT] = {
	[RULES_R01_NO_CODE] = { "R01", RULES_REFUSE, 1, S, N_("no cylinder code scanned") },
	[RULES_R01_CODE_REJECTED] = { "R01", RULES_ALERT, 1, S, N_("cylinder code rejected: %s") },
	[RULES_R01_SUPERSEDED] = { "R01", RULES_ALERT, 1, S,
	    N_("cylinder %s's label is superseded: the registry holds another code for it") },
	[RULES_R01_SUPERSEDED_DIFFERS] = { "R01", RULES_ALERT, 1, S,
	    N_("cylinder %s's label is superseded, the registry holds another code for it: %s") },
	[RULES_R01_NOT_REGISTRYS] = { "R01", RULES_ALERT, 1, S,
	    N_("cylinder %s's code is not the registry's: %s") },
	[RULES_R02_NOT_IN_REGISTRY] = { "R02", RULES_REFUSE, 1, S,
	    N_("cylinder %s is not in the registry") },
	[RULES_R03_OTHER_OWNER] = { "R03", RULES_ALERT, 1, S,
	    N_("cylinder %s belongs to \"%s\", not to this station's company") },
	[RULES_R04_NOT_ACTIVE] = { "R04", RULES_ALERT, 1, S, N_("cylinder %s is %s") },
	[RULES_R04_SCRAPPED_HERE] = { "R04", RULES_ALERT, 1, S,
	    N_("cylinder %s was scrapped at this station on %s") },
	[RULES_R04_FAILED_HERE] = { "R04", RULES_ALERT, 1, S,
	    N_("cylinder %s failed its inspection at this station on %s") },
	[RULES_R05_INSPECTION_OVERDUE] = { "R05", RULES_ALERT, 1, S,
	    N_("inspection overdue: last %s, due %s") },
	[RULES_R06_PAST_LIFE] = { "R06", RULES_ALERT, 1, S,
	    N_("past service life: made %s, end of life %s") },
	[RULES_R07_NO_OPERATOR] = { "R07", RULES_REFUSE, 1, S,
	    N_("no operator logged in on this line") },
	[RULES_R07_NOT_REGISTERED] = { "R07", RULES_REFUSE, 1, S,
	    N_("operator certificate %s is not registered at this station") },
	[RULES_R07_EXPIRED] = { "R07", RULES_REFUSE, 1, S,
	    N_("operator certificate %s expired on %s") },
	[RULES_R08_NO_BUYER] = { "R08", RULES_REFUSE, 1, S,
	    N_("no buyer identified (real-name sale)") },
	[RULES_R08_NUMBER_REJECTED] = { "R08", RULES_REFUSE, 1, S,
	    N_("buyer number rejected: %s") },
	[RULES_R09_NO_STABLE_EMPTY] = { "R09", RULES_REFUSE, 1, S,
	    N_("no stable empty weight on the scale") },
	[RULES_R09_TARE_BAND] = { "R09", RULES_REFUSE, 1, S,
	    N_("empty weight %.3f kg vs stamped tare %.3f kg (%+.3f kg, allowed +%.3f/-%.3f): "
	       "residue or swapped label?") },
	[RULES_R10_REFILL_SOON] = { "R10", RULES_ALERT, 0, S,
	    N_("cylinder %s filled again after %lld min (minimum %d): cloned label?") },
	[RULES_R11_HOARDING] = { "R11", RULES_ALERT, 0, RULES_ROUTE_BUYER,
	    N_("%s buyer %s takes cylinder %d within %d days (limit %d)") },
	[RULES_R20_OVERFILL] = { "R20", RULES_ALERT, 0, S,
	    N_("overfilled: net %.3f kg above the stamped %.3f kg: hold the cylinder until "
	       "decanted") },
	[RULES_R20_OVERFILL_ON_RESIDUE] = { "R20", RULES_ALERT, 0, S,
	    N_("overfilled: %.3f kg of gas (net %.3f kg onto %.3f kg left by an interrupted "
	       "fill) above the stamped %.3f kg: hold the cylinder until decanted") },
	[RULES_R21_SHORT] = { "R21", RULES_FLAG, 0, S,
	    N_("short weight: net %.3f kg, target %.3f kg (tolerance %.3f kg)") },
	[RULES_R21_SHORT_ON_RESIDUE] = { "R21", RULES_FLAG, 0, S,
	    N_("short weight: %.3f kg of gas (net %.3f kg onto %.3f kg left by an interrupted "
	       "fill), below the stamped %.3f kg (tolerance %.3f kg)") },
	[RULES_R22_TOO_LONG] = { "R22", RULES_FLAG, 0, S,
	    N_("fill reached the maximum time (%.0f s of %d s allowed): valve closed") },
	[RULES_R23_RISE_AFTER_CLOSE] = { "R23", RULES_CRITICAL, 1, S,
	    N_("weight rose %.3f kg after the valve was commanded closed: stuck valve or "
	       "bypass") },
	[RULES_R23_RISE_AFTER_FILL] = { "R23", RULES_CRITICAL, 1, S,
	    N_("weight rose %.3f kg with the valve commanded closed: stuck valve or bypass") },
	[RULES_R24_LINK_LOST] = { "R24", RULES_FLAG, 1, S,
	    N_("lost the scale or valve link for %d ms during the fill: valve commanded "
	       "closed, fill interrupted at %.3f kg net") },
	[RULES_R24_VALVE_SHUT] = { "R24", RULES_FLAG, 1, S,
	    N_("the valve closed by itself during the fill (its watchdog: the gateway's "
	       "heartbeat did not get through): fill interrupted at %.3f kg net") },
	[RULES_R24_UNIT_RESTARTED] = { "R24", RULES_FLAG, 1, S,
	    N_("the valve unit restarted during the fill (silent %d ms, back with its valve "
	       "closed as after a power cut; its watchdog timeout is checked again): fill "
	       "interrupted at %.3f kg net") },
	[RULES_R24_GATEWAY_STOPPED] = { "R24", RULES_FLAG, 1, S,
	    N_("gateway stopped during the fill; interrupted, %.3f kg net read at restart") },
	[RULES_R24_GATEWAY_STOPPED_NO_WEIGHT] = { "R24", RULES_FLAG, 1, S,
	    N_("gateway stopped during the fill; interrupted, weight unknown at restart") },
	[RULES_R25_UNSTABLE] = { "R25", RULES_FLAG, 0, S, N_("check-weigh never became stable") },
	[RULES_R25_DIFFERS] = { "R25", RULES_FLAG, 0, S,
	    N_("check-weigh %.3f kg differs from the fill reading %.3f kg by more than %.3f kg") },
};
#undef S

void
rules_defaults(struct gw_rules *rules)
{
	static const struct conf_section only_rules[] = {
		{ "rules", 0, 1, 0, 0, 0, 0, 0, "", gw_rules_keys, 0 },
		{ NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, 0 },
	};
	struct conf_report report;

	/* Every [rules] key has a default: an empty file is all defaults. */
	memset(rules, 0, sizeof(*rules));
	conf_load_string("(defaults)", "", only_rules, rules, &report);
}

void
rules_verdict_init(struct rules_verdict *verdict)
{
	memset(verdict, 0, sizeof(*verdict));
}

const char *
rules_severity_name(enum rules_severity severity)
{
	switch (severity) {
	case RULES_FLAG:
		return "flag";
	case RULES_REFUSE:
		return "refuse";
	case RULES_ALERT:
		return "alert";
	case RULES_CRITICAL:
		return "critical";
	}
	return "flag";
}

/* Append the violation of case c, its sentence formatted from the row's
 * text (in the operator's language) and the arguments. */
static void
add(struct rules_verdict *verdict, enum rules_case c, ...)
{
	const struct rules_row *row = &rules_table[c];
	struct rules_violation *v;
	char body[RULES_TEXT - 5];
	va_list ap;

	if (verdict->count >= RULES_MAX)
		return;
	v = &verdict->items[verdict->count++];
	memset(v, 0, sizeof(*v));
	str_copy(v->rule, row->rule, sizeof(v->rule));
	v->severity = row->severity;
	v->blocking = row->blocking;
	v->route = row->route;
	va_start(ap, c);
	vsnprintf(body, sizeof(body), _(row->text), ap);
	va_end(ap);
	snprintf(v->text, sizeof(v->text), "%s %s", row->rule, body);
	if (row->blocking)
		verdict->blocked = 1;
	if (row->severity == RULES_ALERT || row->severity == RULES_CRITICAL)
		verdict->alert = 1;
	if (c == RULES_R20_OVERFILL || c == RULES_R20_OVERFILL_ON_RESIDUE)
		verdict->held = 1;
}

int
rules_has(const struct rules_verdict *verdict, const char *rule)
{
	size_t i;

	for (i = 0; i < verdict->count; i++)
		if (strcmp(verdict->items[i].rule, rule) == 0)
			return 1;
	return 0;
}

int32_t
rules_inspection_due(const struct gw_rules *rules, int32_t last_inspection, int32_t next_inspection,
    int32_t manufactured)
{
	/* The registry's own due date wins: it knows about shortened cycles. */
	if (next_inspection != 0)
		return next_inspection;
	if (last_inspection != 0)
		return date_add_years(last_inspection, rules->inspection_cycle_years);
	if (manufactured != 0)
		return date_add_years(manufactured, rules->inspection_cycle_years);
	return 0;
}

int32_t
rules_end_of_life(const struct gw_rules *rules, int32_t manufactured)
{
	int y, m, d;

	date_from_days(manufactured, &y, &m, &d);
	return date_add_years(manufactured,
	    y >= 2006 ? rules->life_years : rules->life_years_before_2006);
}

/* R01, wherever the code is judged (the counter, the checks before a fill):
 * 1 when it fired. */
static int
judge_code(int present, int valid, const char *reason, struct rules_verdict *v)
{
	if (!present) {
		add(v, RULES_R01_NO_CODE);
		return 1;
	}
	if (!valid) {
		add(v, RULES_R01_CODE_REJECTED, reason != NULL ? reason : "invalid");
		return 1;
	}
	return 0;
}

/* R08, wherever the buyer is judged. */
static void
judge_buyer(int present, int valid, const char *reason, struct rules_verdict *v)
{
	if (!present)
		add(v, RULES_R08_NO_BUYER);
	else if (!valid)
		add(v, RULES_R08_NUMBER_REJECTED, reason != NULL ? reason : "invalid");
}

void
rules_label_of(struct rules_label *out, const char *code, const char *model, int32_t manufactured,
    double tare_kg, double fill_kg)
{
	memset(out, 0, sizeof(*out));
	out->code = code;
	out->model = model;
	out->manufactured = manufactured;
	out->tare_g = (int)lround(tare_kg * 1000);
	out->fill_g = (int)lround(fill_kg * 1000);
}

/* s, or "" for NULL. */
static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

/* Append one difference ("fill 14.90 kg (registry 12.00 kg)") to the list
 * in buf, when the whole of it fits in len (a violation's sentence has
 * RULES_TEXT bytes: the first, most telling, differences are said). */
static void
differs(char *buf, size_t len, const char *fmt, ...)
{
	char one[RULES_TEXT];
	size_t used = strlen(buf), sep = 0;
	/* TRANSLATORS: between two differences of a code and the registry */
	const char *between = _("; ");
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(one, sizeof(one), fmt, ap);
	va_end(ap);
	if (used > 0)
		sep = strlen(between);
	if (used + sep + strlen(one) >= len)
		return;
	snprintf(buf + used, len - used, "%s%s", used > 0 ? between : "", one);
}

/*
 * R01's second half: a code that verifies but is not the registry's for the
 * cylinder (a label the county superseded by minting another, after a wrong
 * fill mass or a re-stamped tare, or a copy of such a label).  When the row
 * holds a code, the scanned one must be it; when it holds none (or the
 * scanned code is not known), the code's fill mass, tare, month of
 * manufacture and model must be the row's.  The differences are named, the
 * fill mass first.  1 when it fired.
 */
static int
judge_label(const char *serial, const struct rules_label *code, const struct rules_label *reg,
    struct rules_verdict *v)
{
	char diff[RULES_TEXT], a[16], b[16];
	int superseded, ya, ma, yb, mb, d, n;
	enum rules_case c;

	superseded = or_empty(reg->code)[0] != '\0' && or_empty(code->code)[0] != '\0' &&
	             strcmp(reg->code, code->code) != 0;
	/* the facts are compared even when the row's own code is scanned: a
	 * row an import without that code changed since (its fill mass, say)
	 * is what the cylinder takes now (rev98: the old label filled to its
	 * old mass) */
	c = superseded ? RULES_R01_SUPERSEDED_DIFFERS : RULES_R01_NOT_REGISTRYS;
	/* room left in the sentence beside the serial and the words around */
	n = snprintf(NULL, 0, _(rules_table[c].text), or_empty(serial), "");
	n = n < 0 || n >= RULES_TEXT - 5 ? 1 : RULES_TEXT - 5 - n;
	diff[0] = '\0';
	if (code->fill_g != reg->fill_g)
		differs(diff, (size_t)n, _("fill %.2f kg (registry %.2f kg)"),
		    code->fill_g / 1000.0, reg->fill_g / 1000.0);
	if (code->tare_g != reg->tare_g)
		differs(diff, (size_t)n, _("tare %.2f kg (registry %.2f kg)"),
		    code->tare_g / 1000.0, reg->tare_g / 1000.0);
	date_from_days(code->manufactured, &ya, &ma, &d);
	date_from_days(reg->manufactured, &yb, &mb, &d);
	if (ya != yb || ma != mb) {
		snprintf(a, sizeof(a), "%04d-%02d", ya % 10000, ma % 100);
		snprintf(b, sizeof(b), "%04d-%02d", yb % 10000, mb % 100);
		differs(diff, (size_t)n, _("made %s (registry %s)"), a, b);
	}
	if (strcasecmp(or_empty(code->model), or_empty(reg->model)) != 0)
		differs(diff, (size_t)n, _("model %s (registry %s)"), or_empty(code->model),
		    or_empty(reg->model));
	if (superseded && diff[0] == '\0')
		add(v, RULES_R01_SUPERSEDED, or_empty(serial));
	else if (superseded || diff[0] != '\0')
		add(v, c, or_empty(serial), diff);
	else
		return 0;
	return 1;
}

void
rules_counter_code(int valid, const char *reason, const char *serial,
    const struct rules_label *label, const struct rules_label *registry,
    struct rules_verdict *verdict)
{
	rules_verdict_init(verdict);
	if (judge_code(1, valid, reason, verdict))
		return;
	if (label != NULL && registry != NULL)
		judge_label(serial, label, registry, verdict);
}

void
rules_counter_buyer(int valid, const char *reason, struct rules_verdict *verdict)
{
	rules_verdict_init(verdict);
	judge_buyer(1, valid, reason, verdict);
}

/* R01..R06; 1 when R01 refused the code, whose facts then judge nothing
 * more. */
static int
cylinder_rules(const struct gw_rules *rules, const struct rules_prefill_facts *f,
    struct rules_verdict *v)
{
	char a[11], b[11];
	int32_t due, eol;

	if (judge_code(f->code_present, f->code_valid, f->code_reason, v))
		return 1;
	if (!f->in_registry) {
		add(v, RULES_R02_NOT_IN_REGISTRY, f->serial);
		return 0;
	}
	if (f->owner == NULL || f->station_company == NULL ||
	    strcmp(f->owner, f->station_company) != 0)
		add(v, RULES_R03_OTHER_OWNER, f->serial, f->owner ? f->owner : "?");
	/* the station's own word first: its copy of the registry learns of
	 * the event only from the county, at a poll after the county took it */
	if (f->stopped_here != RULES_NOT_STOPPED) {
		date_format(f->stopped_day, a);
		add(v,
		    f->stopped_here == RULES_FAILED_HERE ? RULES_R04_FAILED_HERE
		                                         : RULES_R04_SCRAPPED_HERE,
		    f->serial, a);
	} else if (f->status != NULL && strcmp(f->status, "active") != 0) {
		add(v, RULES_R04_NOT_ACTIVE, f->serial, f->status);
	}
	/* R05, R06, R09 and the fill's target read the code's facts: only
	 * those the registry holds for the cylinder */
	if (judge_label(f->serial, &f->label, &f->registry, v))
		return 1;
	due = rules_inspection_due(rules, f->last_inspection, f->next_inspection, f->manufactured);
	if (due != 0 && f->today > due) {
		if (f->last_inspection != 0)
			date_format(f->last_inspection, a);
		else
			str_copy(a, "never", sizeof(a));
		date_format(due, b);
		add(v, RULES_R05_INSPECTION_OVERDUE, a, b);
	}
	if (f->manufactured != 0) {
		eol = rules_end_of_life(rules, f->manufactured);
		if (f->today >= eol) {
			date_format(f->manufactured, a);
			date_format(eol, b);
			add(v, RULES_R06_PAST_LIFE, a, b);
		}
	}
	return 0;
}

static void
prefill_late_rules(const struct gw_rules *rules, const struct rules_prefill_facts *f,
    int code_refused, struct rules_verdict *v)
{
	double diff;
	int64_t since_min;
	int max;

	if (code_refused)
		return;
	if (!f->empty_known) {
		add(v, RULES_R09_NO_STABLE_EMPTY);
	} else {
		diff = f->empty_kg - f->stamped_tare_kg;
		if (diff > rules->tare_over_kg + 1e-9 || diff < -rules->tare_under_kg - 1e-9)
			add(v, RULES_R09_TARE_BAND, f->empty_kg, f->stamped_tare_kg, diff,
			    rules->tare_over_kg, rules->tare_under_kg);
	}
	if (f->last_fill_ms > 0 && f->now_ms >= f->last_fill_ms) {
		since_min = (f->now_ms - f->last_fill_ms) / 60000;
		if (f->now_ms - f->last_fill_ms < (int64_t)rules->refill_min_minutes * 60000)
			add(v, RULES_R10_REFILL_SOON, f->serial, (long long)since_min,
			    rules->refill_min_minutes);
	}
	/* a delivery company buys at the counter for a whole village: its
	 * households are counted at the door (the county's C09), not here */
	if (f->buyer_present && f->buyer_valid && !f->buyer_delivery) {
		max = f->buyer_business ? rules->business_max : rules->household_max;
		if (f->buyer_recent_fills + 1 > max)
			add(v, RULES_R11_HOARDING, f->buyer_business ? "business" : "household",
			    f->buyer_masked ? f->buyer_masked : "?", f->buyer_recent_fills + 1,
			    rules->hoard_window_days, max);
	}
}

void
rules_prefill(const struct gw_rules *rules, const struct rules_prefill_facts *f,
    struct rules_verdict *v)
{
	char a[11];
	int code_refused;

	rules_verdict_init(v);
	code_refused = cylinder_rules(rules, f, v);
	if (!f->operator_present) {
		add(v, RULES_R07_NO_OPERATOR);
	} else if (!f->operator_known || !f->operator_active) {
		add(v, RULES_R07_NOT_REGISTERED, f->operator_cert ? f->operator_cert : "?");
	} else if (f->today > f->operator_expires) {
		date_format(f->operator_expires, a);
		add(v, RULES_R07_EXPIRED, f->operator_cert ? f->operator_cert : "?", a);
	}
	judge_buyer(f->buyer_present, f->buyer_valid, f->buyer_reason, v);
	prefill_late_rules(rules, f, code_refused, v);
}

int
rules_fill_too_long(const struct gw_rules *rules, int64_t fill_ms)
{
	return fill_ms >= (int64_t)rules->max_fill_s * 1000;
}

int
rules_link_lost(const struct gw_rules *rules, int64_t silent_ms)
{
	return silent_ms >= rules->link_loss_ms;
}

int
rules_leak(const struct gw_rules *rules, double rise_kg)
{
	return rise_kg > rules->leak_rise_kg;
}

double
rules_residue_kg(int left_count, double left_kg, int left_unknown, double empty_kg,
    double stamped_tare_kg)
{
	double excess = fmax(empty_kg - stamped_tare_kg, 0);

	if (left_count <= 0)
		return 0;
	if (left_unknown)
		return excess;
	return fmin(fmax(left_kg, 0), excess);
}

int
rules_overfill(const struct gw_rules *rules, double fill_kg, double net_kg)
{
	return net_kg > fill_kg + rules->overfill_kg + 1e-9;
}

void
rules_postfill(const struct gw_rules *rules, const struct rules_postfill_facts *f,
    struct rules_verdict *v)
{
	double tol, cap;

	if (f->emergency)
		add(v, RULES_R23_RISE_AFTER_CLOSE, f->rise_kg);
	switch (f->interrupted) {
	case RULES_LINK_LOST:
		add(v, RULES_R24_LINK_LOST, f->link_lost_ms, f->fill_reading_net_kg);
		return; /* no trustworthy check-weigh after a lost link */
	case RULES_VALVE_SHUT:
		add(v, RULES_R24_VALVE_SHUT, f->fill_reading_net_kg);
		return;
	case RULES_UNIT_RESTARTED:
		add(v, RULES_R24_UNIT_RESTARTED, f->link_lost_ms, f->fill_reading_net_kg);
		return;
	case RULES_STOPPED:
		/* R21 would only say what "interrupted" says; a weight that kept
		 * rising still decides whether the cylinder is held (R20). */
		if (!f->emergency)
			return;
		break;
	case RULES_NOT_INTERRUPTED:
		break;
	}
	if (f->timed_out)
		add(v, RULES_R22_TOO_LONG, (double)f->fill_ms / 1000.0, rules->max_fill_s);
	/* the gas in the cylinder, what was in it before the fill included */
	if (rules_overfill(rules, f->fill_kg, f->net_kg + f->residue_kg)) {
		if (f->residue_kg > 0)
			add(v, RULES_R20_OVERFILL_ON_RESIDUE, f->net_kg + f->residue_kg, f->net_kg,
			    f->residue_kg, f->fill_kg);
		else
			add(v, RULES_R20_OVERFILL, f->net_kg, f->fill_kg);
	}
	/* R21 judges the same gas against the same stamped mass, from below */
	if (f->net_kg + f->residue_kg < f->fill_kg - rules->short_kg - 1e-9) {
		if (f->residue_kg > 0)
			add(v, RULES_R21_SHORT_ON_RESIDUE, f->net_kg + f->residue_kg, f->net_kg,
			    f->residue_kg, f->fill_kg, rules->short_kg);
		else
			add(v, RULES_R21_SHORT, f->net_kg, f->fill_kg, rules->short_kg);
	}
	cap = f->scale_capacity_kg > 0 ? f->scale_capacity_kg : 60.0;
	tol = cap * rules->checkweigh_pct / 100.0;
	if (!f->checkweigh_stable)
		add(v, RULES_R25_UNSTABLE);
	else if (fabs(f->net_kg - f->fill_reading_net_kg) > tol + 1e-9)
		add(v, RULES_R25_DIFFERS, f->net_kg, f->fill_reading_net_kg, tol);
}

void
rules_after_fill_rise(double rise_kg, struct rules_verdict *verdict)
{
	rules_verdict_init(verdict);
	add(verdict, RULES_R23_RISE_AFTER_FILL, rise_kg);
}

void
rules_recovered(int weight_known, double net_kg, struct rules_verdict *verdict)
{
	rules_verdict_init(verdict);
	if (weight_known)
		add(verdict, RULES_R24_GATEWAY_STOPPED, net_kg);
	else
		add(verdict, RULES_R24_GATEWAY_STOPPED_NO_WEIGHT);
}

const char *
rules_fill_result(const struct rules_verdict *verdict, enum rules_interruption why)
{
	if (rules_has(verdict, "R23"))
		return "emergency";
	if (why != RULES_NOT_INTERRUPTED)
		return "interrupted";
	if (verdict->held)
		return "held";
	if (verdict->count > 0)
		return "flagged";
	return "ok";
}

enum rules_clock
rules_clock_check(const struct gw_rules *rules, int64_t now_ms, int64_t newest_ms)
{
	if (now_ms < RULES_CLOCK_EPOCH_MS)
		return RULES_CLOCK_BEFORE_EPOCH;
	if (newest_ms > 0 && now_ms < newest_ms - (int64_t)rules->clock_back_hours * 3600000)
		return RULES_CLOCK_BEFORE_NEWEST;
	return RULES_CLOCK_OK;
}

const char *
rules_clock_name(enum rules_clock verdict)
{
	switch (verdict) {
	case RULES_CLOCK_BEFORE_EPOCH:
		return "before_epoch";
	case RULES_CLOCK_BEFORE_NEWEST:
		return "behind_records";
	case RULES_CLOCK_OK:
		break;
	}
	return "ok";
}

void
rules_clock_words(enum rules_clock verdict, const struct gw_rules *rules, int64_t now_ms,
    int64_t newest_ms, char *buf, size_t len)
{
	char reads[TIMETEXT_MAX], newest[TIMETEXT_MAX], epoch[11];
	long long behind_h;

	timetext_format(now_ms, TIMETEXT_MINUTE, reads);
	switch (verdict) {
	case RULES_CLOCK_BEFORE_EPOCH:
		date_format((int32_t)(RULES_CLOCK_EPOCH_MS / 86400000), epoch);
		snprintf(buf, len,
		    _("the station's clock reads %1$s, before %2$s, when this gateway was made: the "
		      "valve stays shut until the clock is set right (set the date and time, or "
		      "mend the time sync that sets them)"),
		    reads, epoch);
		return;
	case RULES_CLOCK_BEFORE_NEWEST:
		timetext_format(newest_ms, TIMETEXT_MINUTE, newest);
		/* rounded up, so that "more than clock_back_hours" holds of the number said */
		behind_h = (long long)((newest_ms - now_ms + 3599999) / 3600000);
		snprintf(buf, len,
		    _("the station's clock reads %1$s, %2$lld h before its newest fill (%3$s), "
		      "more than clock_back_hours (%4$d) allows: the valve stays shut until the "
		      "clock is set right (set the date and time, or mend the time sync that sets "
		      "them; if the clock was ahead before and is right now, raise "
		      "clock_back_hours in [rules])"),
		    reads, behind_h, newest, rules->clock_back_hours);
		return;
	case RULES_CLOCK_OK:
		break;
	}
	snprintf(buf, len, _("the station's clock reads %s"), reads);
}
