/*
 * rules: R01..R11 before the valve opens, R20..R25 after it closes
 * (shared/DESIGN.md §7).  Pure functions of a facts struct and the
 * thresholds of struct gw_rules; the texts are what an operator reads on
 * gasctl and what a township officer reads in an alert.
 */
#include "rules.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "util.h"

void
rules_defaults(struct gw_rules *rules)
{
	memset(rules, 0, sizeof(*rules));
	rules->inspection_cycle_years = 4;
	rules->life_years = 8;
	rules->life_years_before_2006 = 15;
	rules->tare_over_kg = 0.5;
	rules->tare_under_kg = 0.3;
	rules->refill_min_minutes = 120;
	rules->household_max = 3;
	rules->business_max = 60;
	rules->hoard_window_days = 30;
	rules->short_kg = 0.4;
	rules->max_fill_s = 180;
	rules->leak_rise_kg = 0.2;
	rules->link_loss_ms = 1000;
	rules->checkweigh_pct = 0.1;
	rules->overfill_kg = 0.1;
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

void
rules_add(struct rules_verdict *verdict, const char *rule, enum rules_severity severity,
    int blocking, enum rules_route route, const char *fmt, ...)
{
	struct rules_violation *v;
	char body[RULES_TEXT - 5];
	va_list ap;

	if (verdict->count >= RULES_MAX)
		return;
	v = &verdict->items[verdict->count++];
	memset(v, 0, sizeof(*v));
	str_copy(v->rule, rule, sizeof(v->rule));
	v->severity = severity;
	v->blocking = blocking;
	v->route = route;
	va_start(ap, fmt);
	vsnprintf(body, sizeof(body), fmt, ap);
	va_end(ap);
	snprintf(v->text, sizeof(v->text), "%s %s", rule, body);
	if (blocking)
		verdict->blocked = 1;
	if (severity == RULES_ALERT || severity == RULES_CRITICAL)
		verdict->alert = 1;
	if (strcmp(rule, "R20") == 0)
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

/* day + years, with 29 February becoming 28 February in common years. */
static int32_t
add_years(int32_t day, int years)
{
	int y, m, d;

	date_from_days(day, &y, &m, &d);
	y += years;
	if (m == 2 && d == 29 && !date_valid(y, m, d))
		d = 28;
	return date_to_days(y, m, d);
}

int32_t
rules_inspection_due(const struct gw_rules *rules, int32_t last_inspection, int32_t next_inspection,
    int32_t manufactured)
{
	/* The registry's own due date wins: it knows about shortened cycles. */
	if (next_inspection != 0)
		return next_inspection;
	if (last_inspection != 0)
		return add_years(last_inspection, rules->inspection_cycle_years);
	if (manufactured != 0)
		return add_years(manufactured, rules->inspection_cycle_years);
	return 0;
}

int32_t
rules_end_of_life(const struct gw_rules *rules, int32_t manufactured)
{
	int y, m, d;

	date_from_days(manufactured, &y, &m, &d);
	return add_years(manufactured,
	    y >= 2006 ? rules->life_years : rules->life_years_before_2006);
}

static void
cylinder_rules(const struct gw_rules *rules, const struct rules_prefill_facts *f,
    struct rules_verdict *v)
{
	char a[11], b[11];
	int32_t due, eol;

	if (!f->code_present) {
		rules_add(v, "R01", RULES_REFUSE, 1, RULES_ROUTE_STATION,
		    _("no cylinder code scanned"));
		return;
	}
	if (!f->code_valid) {
		rules_add(v, "R01", RULES_ALERT, 1, RULES_ROUTE_STATION,
		    _("cylinder code rejected: %s"), f->code_reason ? f->code_reason : "invalid");
		return;
	}
	if (!f->in_registry) {
		rules_add(v, "R02", RULES_REFUSE, 1, RULES_ROUTE_STATION,
		    _("cylinder %s is not in the registry"), f->serial);
	} else {
		if (f->owner == NULL || f->station_company == NULL ||
		    strcmp(f->owner, f->station_company) != 0)
			rules_add(v, "R03", RULES_ALERT, 1, RULES_ROUTE_STATION,
			    _("cylinder %s belongs to \"%s\", not to this station's company"),
			    f->serial, f->owner ? f->owner : "?");
		if (f->status != NULL && strcmp(f->status, "active") != 0)
			rules_add(v, "R04", RULES_ALERT, 1, RULES_ROUTE_STATION,
			    _("cylinder %s is %s"), f->serial, f->status);
		due = rules_inspection_due(rules, f->last_inspection, f->next_inspection,
		    f->manufactured);
		if (due != 0 && f->today > due) {
			if (f->last_inspection != 0)
				date_format(f->last_inspection, a);
			else
				str_copy(a, "never", sizeof(a));
			date_format(due, b);
			rules_add(v, "R05", RULES_ALERT, 1, RULES_ROUTE_STATION,
			    _("inspection overdue: last %s, due %s"), a, b);
		}
		if (f->manufactured != 0) {
			eol = rules_end_of_life(rules, f->manufactured);
			if (f->today >= eol) {
				date_format(f->manufactured, a);
				date_format(eol, b);
				rules_add(v, "R06", RULES_ALERT, 1, RULES_ROUTE_STATION,
				    _("past service life: made %s, end of life %s"), a, b);
			}
		}
	}
}

static void
prefill_late_rules(const struct gw_rules *rules, const struct rules_prefill_facts *f,
    struct rules_verdict *v)
{
	double diff;
	int64_t since_min;
	int max;

	if (!f->code_present || !f->code_valid)
		return;
	if (!f->empty_known) {
		rules_add(v, "R09", RULES_REFUSE, 1, RULES_ROUTE_STATION,
		    _("no stable empty weight on the scale"));
	} else {
		diff = f->empty_kg - f->stamped_tare_kg;
		if (diff > rules->tare_over_kg + 1e-9 || diff < -rules->tare_under_kg - 1e-9)
			rules_add(v, "R09", RULES_REFUSE, 1, RULES_ROUTE_STATION,
			    _("empty weight %.2f kg vs stamped tare %.2f kg (%+.2f kg, allowed "
			      "+%.2f/-%.2f): residue or swapped label?"),
			    f->empty_kg, f->stamped_tare_kg, diff, rules->tare_over_kg,
			    rules->tare_under_kg);
	}
	if (f->last_fill_ms > 0 && f->now_ms >= f->last_fill_ms) {
		since_min = (f->now_ms - f->last_fill_ms) / 60000;
		if (f->now_ms - f->last_fill_ms < (int64_t)rules->refill_min_minutes * 60000)
			rules_add(v, "R10", RULES_ALERT, 0, RULES_ROUTE_STATION,
			    _("cylinder %s filled again after %lld min (minimum %d): cloned label?"),
			    f->serial, (long long)since_min, rules->refill_min_minutes);
	}
	if (f->buyer_present && f->buyer_valid) {
		max = f->buyer_business ? rules->business_max : rules->household_max;
		if (f->buyer_recent_fills + 1 > max)
			rules_add(v, "R11", RULES_ALERT, 0, RULES_ROUTE_BUYER,
			    _("%s buyer %s takes cylinder %d within %d days (limit %d)"),
			    f->buyer_business ? "business" : "household",
			    f->buyer_masked ? f->buyer_masked : "?", f->buyer_recent_fills + 1,
			    rules->hoard_window_days, max);
	}
}

void
rules_prefill(const struct gw_rules *rules, const struct rules_prefill_facts *f,
    struct rules_verdict *v)
{
	char a[11];

	rules_verdict_init(v);
	cylinder_rules(rules, f, v);
	if (!f->operator_present) {
		rules_add(v, "R07", RULES_REFUSE, 1, RULES_ROUTE_STATION,
		    _("no operator logged in on this line"));
	} else if (!f->operator_known || !f->operator_active) {
		rules_add(v, "R07", RULES_REFUSE, 1, RULES_ROUTE_STATION,
		    _("operator certificate %s is not registered at this station"),
		    f->operator_cert ? f->operator_cert : "?");
	} else if (f->today > f->operator_expires) {
		date_format(f->operator_expires, a);
		rules_add(v, "R07", RULES_REFUSE, 1, RULES_ROUTE_STATION,
		    _("operator certificate %s expired on %s"),
		    f->operator_cert ? f->operator_cert : "?", a);
	}
	if (!f->buyer_present)
		rules_add(v, "R08", RULES_REFUSE, 1, RULES_ROUTE_STATION,
		    _("no buyer identified (real-name sale)"));
	else if (!f->buyer_valid)
		rules_add(v, "R08", RULES_REFUSE, 1, RULES_ROUTE_STATION,
		    _("buyer number rejected: %s"), f->buyer_reason ? f->buyer_reason : "invalid");
	prefill_late_rules(rules, f, v);
}

void
rules_postfill(const struct gw_rules *rules, const struct rules_postfill_facts *f,
    struct rules_verdict *v)
{
	double tol, cap;

	if (f->emergency)
		rules_add(v, "R23", RULES_CRITICAL, 1, RULES_ROUTE_STATION,
		    _("weight rose %.2f kg after the valve was commanded closed: stuck valve or "
		      "bypass"),
		    f->rise_kg);
	if (f->link_lost && f->valve_shut) {
		rules_add(v, "R24", RULES_FLAG, 1, RULES_ROUTE_STATION,
		    _("the valve closed by itself during the fill (its watchdog: the gateway's "
		      "heartbeat did not get through): fill interrupted at %.2f kg net"),
		    f->fill_reading_net_kg);
		return;
	}
	if (f->link_lost) {
		rules_add(v, "R24", RULES_FLAG, 1, RULES_ROUTE_STATION,
		    _("lost the scale or valve link for %d ms during the fill: valve commanded "
		      "closed, fill interrupted at %.2f kg net"),
		    f->link_lost_ms, f->fill_reading_net_kg);
		return; /* no trustworthy check-weigh after a lost link */
	}
	if (f->timed_out)
		rules_add(v, "R22", RULES_FLAG, 0, RULES_ROUTE_STATION,
		    _("fill reached the maximum time (%.0f s of %d s allowed): valve closed"),
		    (double)f->fill_ms / 1000.0, rules->max_fill_s);
	if (f->net_kg > f->fill_kg + rules->overfill_kg + 1e-9)
		rules_add(v, "R20", RULES_ALERT, 0, RULES_ROUTE_STATION,
		    _("overfilled: net %.2f kg above the stamped %.2f kg: hold the cylinder "
		      "until decanted"),
		    f->net_kg, f->fill_kg);
	if (f->net_kg < f->target_kg - rules->short_kg - 1e-9)
		rules_add(v, "R21", RULES_FLAG, 0, RULES_ROUTE_STATION,
		    _("short weight: net %.2f kg, target %.2f kg (tolerance %.2f kg)"), f->net_kg,
		    f->target_kg, rules->short_kg);
	cap = f->scale_capacity_kg > 0 ? f->scale_capacity_kg : 60.0;
	tol = cap * rules->checkweigh_pct / 100.0;
	if (!f->checkweigh_stable)
		rules_add(v, "R25", RULES_FLAG, 0, RULES_ROUTE_STATION,
		    _("check-weigh never became stable"));
	else if (fabs(f->net_kg - f->fill_reading_net_kg) > tol + 1e-9)
		rules_add(v, "R25", RULES_FLAG, 0, RULES_ROUTE_STATION,
		    _("check-weigh %.3f kg differs from the fill reading %.3f kg by more than "
		      "%.3f kg"),
		    f->net_kg, f->fill_reading_net_kg, tol);
}
