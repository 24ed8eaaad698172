/*
 * Unit tests of gateway/rules.c: every station rule fires on the case it
 * is meant for and stays quiet on a good case, table by table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rules.h"
#include "util.h"

static int32_t
day(const char *text)
{
	int32_t d = 0;

	assert_int_equal(date_parse(text, &d), 0);
	return d;
}

/* A cylinder, operator and buyer with nothing wrong, on 2026-11-26. */
static void
good_facts(struct rules_prefill_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->today = day("2026-11-26");
	f->now_ms = (int64_t)f->today * 86400000 + 36000000;
	f->code_present = 1;
	f->code_valid = 1;
	f->serial = "ZJ330825-000123";
	f->manufactured = day("2022-05-01");
	f->stamped_tare_kg = 15.2;
	f->in_registry = 1;
	f->owner = "Longyou Gas Co.";
	f->station_company = "Longyou Gas Co.";
	f->status = "active";
	f->last_inspection = day("2024-06-01");
	f->next_inspection = day("2028-06-01");
	f->operator_present = 1;
	f->operator_known = 1;
	f->operator_active = 1;
	f->operator_expires = day("2027-01-01");
	f->operator_cert = "OP-7";
	f->buyer_present = 1;
	f->buyer_valid = 1;
	f->buyer_masked = "330***********1234";
	f->empty_known = 1;
	f->empty_kg = 15.3;
	f->last_fill_ms = 0;
	f->buyer_recent_fills = 0;
}

enum mutation {
	M_NONE,
	M_NO_CODE,
	M_FORGED,
	M_NOT_IN_REGISTRY,
	M_OTHER_OWNER,
	M_SCRAPPED,
	M_RETIRED,
	M_INSPECTION_OVERDUE,
	M_INSPECTION_DUE_TODAY,
	M_NO_NEXT_INSPECTION_OVERDUE,
	M_PAST_LIFE,
	M_OLD_BUT_BEFORE_2006_OK,
	M_OLD_BEFORE_2006_PAST,
	M_NO_OPERATOR,
	M_UNKNOWN_OPERATOR,
	M_EXPIRED_OPERATOR,
	M_NO_BUYER,
	M_BAD_BUYER,
	M_RESIDUE,
	M_SWAPPED_LABEL,
	M_TARE_AT_UPPER_EDGE,
	M_NO_STABLE_EMPTY,
	M_REFILL_SOON,
	M_REFILL_LATER,
	M_HOARDING,
	M_THIRD_CYLINDER_OK,
	M_BUSINESS_MANY_OK,
};

struct prefill_case {
	const char *name;
	enum mutation mutation;
	const char *rule; /* expected rule, NULL: none fires */
	int blocked;
	const char *text; /* expected text of the first violation, or NULL */
};

static const struct prefill_case prefill_cases[] = {
	{ "good cylinder passes", M_NONE, NULL, 0, NULL },
	{ "no code refuses", M_NO_CODE, "R01", 1, NULL },
	{ "forged code refuses", M_FORGED, "R01", 1,
	    "R01 cylinder code rejected: signature does not verify" },
	{ "unregistered cylinder refuses", M_NOT_IN_REGISTRY, "R02", 1, NULL },
	{ "other company's cylinder refuses", M_OTHER_OWNER, "R03", 1, NULL },
	{ "scrapped cylinder refuses", M_SCRAPPED, "R04", 1,
	    "R04 cylinder ZJ330825-000123 is scrapped" },
	{ "retired code refuses", M_RETIRED, "R04", 1, NULL },
	{ "overdue inspection refuses", M_INSPECTION_OVERDUE, "R05", 1,
	    "R05 inspection overdue: last 2021-03-02, due 2025-03-02" },
	{ "inspection due today passes", M_INSPECTION_DUE_TODAY, NULL, 0, NULL },
	{ "overdue by cycle when registry has no due date", M_NO_NEXT_INSPECTION_OVERDUE, "R05", 1,
	    "R05 inspection overdue: last 2022-11-25, due 2026-11-25" },
	{ "cylinder past 8 years refuses", M_PAST_LIFE, "R06", 1,
	    "R06 past service life: made 2018-11-26, end of life 2026-11-26" },
	{ "pre-2006 cylinder within 15 years passes", M_OLD_BUT_BEFORE_2006_OK, NULL, 0, NULL },
	{ "pre-2006 cylinder past 15 years refuses", M_OLD_BEFORE_2006_PAST, "R06", 1, NULL },
	{ "no operator refuses", M_NO_OPERATOR, "R07", 1, NULL },
	{ "unknown operator refuses", M_UNKNOWN_OPERATOR, "R07", 1, NULL },
	{ "expired operator certificate refuses", M_EXPIRED_OPERATOR, "R07", 1,
	    "R07 operator certificate OP-7 expired on 2026-11-01" },
	{ "no buyer refuses", M_NO_BUYER, "R08", 1, NULL },
	{ "bad buyer check digit refuses", M_BAD_BUYER, "R08", 1,
	    "R08 buyer number rejected: check digit is wrong" },
	{ "residue in cylinder refuses", M_RESIDUE, "R09", 1, NULL },
	{ "light cylinder (swapped label) refuses", M_SWAPPED_LABEL, "R09", 1, NULL },
	{ "empty weight at the band edge passes", M_TARE_AT_UPPER_EDGE, NULL, 0, NULL },
	{ "no stable empty weight refuses", M_NO_STABLE_EMPTY, "R09", 1, NULL },
	{ "refill within 2 h alerts without blocking", M_REFILL_SOON, "R10", 0, NULL },
	{ "refill after 3 h passes", M_REFILL_LATER, NULL, 0, NULL },
	{ "fourth household cylinder in 30 days alerts", M_HOARDING, "R11", 0,
	    "R11 household buyer 330***********1234 takes cylinder 4 within 30 days (limit 3)" },
	{ "third household cylinder passes", M_THIRD_CYLINDER_OK, NULL, 0, NULL },
	{ "business may take more", M_BUSINESS_MANY_OK, NULL, 0, NULL },
	{ NULL, M_NONE, NULL, 0, NULL },
};

static void
mutate(struct rules_prefill_facts *f, enum mutation m)
{
	switch (m) {
	case M_NONE:
		break;
	case M_NO_CODE:
		f->code_present = 0;
		f->code_valid = 0;
		break;
	case M_FORGED:
		f->code_valid = 0;
		f->code_reason = "signature does not verify";
		break;
	case M_NOT_IN_REGISTRY:
		f->in_registry = 0;
		break;
	case M_OTHER_OWNER:
		f->owner = "Quzhou Other Gas";
		break;
	case M_SCRAPPED:
		f->status = "scrapped";
		break;
	case M_RETIRED:
		f->status = "retired";
		break;
	case M_INSPECTION_OVERDUE:
		f->last_inspection = day("2021-03-02");
		f->next_inspection = day("2025-03-02");
		break;
	case M_INSPECTION_DUE_TODAY:
		f->next_inspection = f->today;
		break;
	case M_NO_NEXT_INSPECTION_OVERDUE:
		f->last_inspection = day("2022-11-25");
		f->next_inspection = 0;
		break;
	case M_PAST_LIFE:
		f->manufactured = day("2018-11-26");
		break;
	case M_OLD_BUT_BEFORE_2006_OK:
		f->manufactured = day("2005-12-01");
		f->today = day("2020-11-30");
		break;
	case M_OLD_BEFORE_2006_PAST:
		f->manufactured = day("2005-12-01");
		break;
	case M_NO_OPERATOR:
		f->operator_present = 0;
		break;
	case M_UNKNOWN_OPERATOR:
		f->operator_known = 0;
		break;
	case M_EXPIRED_OPERATOR:
		f->operator_expires = day("2026-11-01");
		break;
	case M_NO_BUYER:
		f->buyer_present = 0;
		f->buyer_valid = 0;
		break;
	case M_BAD_BUYER:
		f->buyer_valid = 0;
		f->buyer_reason = "check digit is wrong";
		break;
	case M_RESIDUE:
		f->empty_kg = f->stamped_tare_kg + 0.8;
		break;
	case M_SWAPPED_LABEL:
		f->empty_kg = f->stamped_tare_kg - 0.5;
		break;
	case M_TARE_AT_UPPER_EDGE:
		f->empty_kg = f->stamped_tare_kg + 0.5;
		break;
	case M_NO_STABLE_EMPTY:
		f->empty_known = 0;
		break;
	case M_REFILL_SOON:
		f->last_fill_ms = f->now_ms - 30 * 60000;
		break;
	case M_REFILL_LATER:
		f->last_fill_ms = f->now_ms - 180 * 60000;
		break;
	case M_HOARDING:
		f->buyer_recent_fills = 3;
		break;
	case M_THIRD_CYLINDER_OK:
		f->buyer_recent_fills = 2;
		break;
	case M_BUSINESS_MANY_OK:
		f->buyer_business = 1;
		f->buyer_recent_fills = 20;
		break;
	}
}

static void
prefill_rules_fire_only_where_meant(void **state)
{
	const struct prefill_case *c;
	struct rules_prefill_facts f;
	struct rules_verdict v;
	struct gw_rules r;

	(void)state;
	rules_defaults(&r);
	for (c = prefill_cases; c->name != NULL; c++) {
		good_facts(&f);
		mutate(&f, c->mutation);
		rules_prefill(&r, &f, &v);
		if (c->rule == NULL) {
			if (v.count != 0)
				fail_msg("%s: unexpected %s", c->name, v.items[0].text);
			continue;
		}
		if (v.count != 1)
			fail_msg("%s: %zu violations, first %s", c->name, v.count,
			    v.count ? v.items[0].text : "-");
		if (strcmp(v.items[0].rule, c->rule) != 0)
			fail_msg("%s: fired %s, expected %s", c->name, v.items[0].rule, c->rule);
		if (v.blocked != c->blocked)
			fail_msg("%s: blocked=%d", c->name, v.blocked);
		if (c->text != NULL && strcmp(v.items[0].text, c->text) != 0)
			fail_msg("%s: text \"%s\"", c->name, v.items[0].text);
	}
}

static void
forged_code_skips_cylinder_rules(void **state)
{
	struct rules_prefill_facts f;
	struct rules_verdict v;
	struct gw_rules r;

	(void)state;
	rules_defaults(&r);
	good_facts(&f);
	f.code_valid = 0;
	f.in_registry = 0;
	f.empty_kg = 40;
	f.operator_present = 0;
	rules_prefill(&r, &f, &v);
	/* R01 and R07 only: R02/R09 cannot be judged without a valid code. */
	assert_int_equal(v.count, 2);
	assert_string_equal(v.items[0].rule, "R01");
	assert_string_equal(v.items[1].rule, "R07");
	assert_int_equal(v.alert, 1);
}

static void
refusal_without_alert_rules_do_not_alert(void **state)
{
	struct rules_prefill_facts f;
	struct rules_verdict v;
	struct gw_rules r;

	(void)state;
	rules_defaults(&r);
	good_facts(&f);
	f.in_registry = 0;
	f.buyer_present = 0;
	rules_prefill(&r, &f, &v);
	assert_true(v.blocked);
	assert_false(v.alert);
}

static void
hoarding_alert_goes_to_buyer_township(void **state)
{
	struct rules_prefill_facts f;
	struct rules_verdict v;
	struct gw_rules r;

	(void)state;
	rules_defaults(&r);
	good_facts(&f);
	f.buyer_recent_fills = 5;
	rules_prefill(&r, &f, &v);
	assert_int_equal(v.count, 1);
	assert_int_equal(v.items[0].route, RULES_ROUTE_BUYER);
	assert_int_equal(v.items[0].severity, RULES_ALERT);
}

struct postfill_case {
	const char *name;
	double net, reading;
	int stable, timed_out, emergency, link_lost;
	const char *rules; /* expected rule codes, in order, "" none */
	int held;
};

static const struct postfill_case postfill_cases[] = {
	{ "exact fill is clean", 14.90, 14.90, 1, 0, 0, 0, "", 0 },
	{ "small overshoot within allowance is clean", 14.98, 14.98, 1, 0, 0, 0, "", 0 },
	{ "overfill holds the cylinder", 15.10, 15.10, 1, 0, 0, 0, "R20", 1 },
	{ "short weight is flagged", 14.40, 14.40, 1, 0, 0, 0, "R21", 0 },
	{ "short within tolerance is clean", 14.55, 14.55, 1, 0, 0, 0, "", 0 },
	{ "timed-out fill is flagged and short", 10.0, 10.0, 1, 1, 0, 0, "R22R21", 0 },
	{ "weight rising after close is an emergency", 15.5, 15.5, 1, 0, 1, 0, "R23R20", 1 },
	{ "lost link interrupts without check-weigh rules", 8.0, 8.0, 0, 0, 0, 1, "R24", 0 },
	{ "unstable check-weigh is flagged", 14.90, 14.90, 0, 0, 0, 0, "R25", 0 },
	{ "check-weigh disagreeing with the reading is flagged", 14.90, 14.80, 1, 0, 0, 0, "R25",
	    0 },
	{ "check-weigh within 0.1% of 60 kg is clean", 14.90, 14.85, 1, 0, 0, 0, "", 0 },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL, 0 },
};

static void
postfill_rules_fire_only_where_meant(void **state)
{
	const struct postfill_case *c;
	struct rules_postfill_facts f;
	struct rules_verdict v;
	struct gw_rules r;
	char got[64];
	size_t i;

	(void)state;
	rules_defaults(&r);
	for (c = postfill_cases; c->name != NULL; c++) {
		memset(&f, 0, sizeof(f));
		f.fill_kg = 14.9;
		f.target_kg = 14.9;
		f.net_kg = c->net;
		f.fill_reading_net_kg = c->reading;
		f.checkweigh_stable = c->stable;
		f.scale_capacity_kg = 60;
		f.fill_ms = c->timed_out ? 181000 : 50000;
		f.timed_out = c->timed_out;
		f.emergency = c->emergency;
		f.rise_kg = 0.4;
		f.link_lost = c->link_lost;
		f.link_lost_ms = 1200;
		rules_verdict_init(&v);
		rules_postfill(&r, &f, &v);
		got[0] = '\0';
		for (i = 0; i < v.count; i++)
			strcat(got, v.items[i].rule);
		if (strcmp(got, c->rules) != 0)
			fail_msg("%s: got \"%s\" expected \"%s\"", c->name, got, c->rules);
		if (v.held != c->held)
			fail_msg("%s: held=%d", c->name, v.held);
	}
}

static void
inspection_due_follows_registry_then_cycle(void **state)
{
	struct gw_rules r;

	(void)state;
	rules_defaults(&r);
	assert_int_equal(rules_inspection_due(&r, day("2020-02-29"), 0, 0), day("2024-02-29"));
	assert_int_equal(rules_inspection_due(&r, day("2020-01-01"), day("2023-01-01"), 0),
	    day("2023-01-01"));
	assert_int_equal(rules_inspection_due(&r, 0, 0, day("2024-02-29")), day("2028-02-29"));
	r.inspection_cycle_years = 1;
	assert_int_equal(rules_inspection_due(&r, day("2024-02-29"), 0, 0), day("2025-02-28"));
	assert_int_equal(rules_inspection_due(&r, 0, 0, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prefill_rules_fire_only_where_meant),
		cmocka_unit_test(forged_code_skips_cylinder_rules),
		cmocka_unit_test(refusal_without_alert_rules_do_not_alert),
		cmocka_unit_test(hoarding_alert_goes_to_buyer_township),
		cmocka_unit_test(postfill_rules_fire_only_where_meant),
		cmocka_unit_test(inspection_due_follows_registry_then_cycle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
