/*
 * Unit tests of gateway/rules.c: every station rule fires on the case it
 * is meant for and stays quiet on a good case, table by table.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf.h"
#include "i18n.h"
#include "rules.h"
#include "timetext.h"
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
	M_SCRAPPED_HERE,
	M_FAILED_HERE,
	M_SCRAPPED_HERE_AND_IN_REGISTRY,
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
	M_DELIVERY_COMPANY_OK,
	M_BUSINESS_OVER,
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
	{ "scrapped at this station refuses, the registry not told yet", M_SCRAPPED_HERE, "R04", 1,
	    "R04 cylinder ZJ330825-000123 was scrapped at this station on 2026-11-20" },
	{ "failed its inspection at this station refuses", M_FAILED_HERE, "R04", 1,
	    "R04 cylinder ZJ330825-000123 failed its inspection at this station on 2026-11-20" },
	{ "scrapped here and in the registry: one R04, this station's",
	    M_SCRAPPED_HERE_AND_IN_REGISTRY, "R04", 1,
	    "R04 cylinder ZJ330825-000123 was scrapped at this station on 2026-11-20" },
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
	{ "a delivery company buying for a village is not counted", M_DELIVERY_COMPANY_OK, NULL, 0,
	    NULL },
	{ "a business that is not a delivery company is counted", M_BUSINESS_OVER, "R11", 0,
	    "R11 business buyer 330***********1234 takes cylinder 61 within 30 days (limit 60)" },
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
	case M_SCRAPPED_HERE:
		f->stopped_here = RULES_SCRAPPED_HERE;
		f->stopped_day = day("2026-11-20");
		break;
	case M_FAILED_HERE:
		f->stopped_here = RULES_FAILED_HERE;
		f->stopped_day = day("2026-11-20");
		break;
	case M_SCRAPPED_HERE_AND_IN_REGISTRY:
		f->status = "scrapped";
		f->stopped_here = RULES_SCRAPPED_HERE;
		f->stopped_day = day("2026-11-20");
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
	case M_DELIVERY_COMPANY_OK:
		/* 300 cylinders this month for the households of a village */
		f->buyer_business = 1;
		f->buyer_delivery = 1;
		f->buyer_recent_fills = 300;
		break;
	case M_BUSINESS_OVER:
		f->buyer_business = 1;
		f->buyer_recent_fills = 60;
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

#define NOT RULES_NOT_INTERRUPTED
#define STOP RULES_STOPPED
#define LINK RULES_LINK_LOST
#define SHUT RULES_VALVE_SHUT

struct postfill_case {
	const char *name;
	double net, reading;
	int stable, timed_out, emergency;
	enum rules_interruption interrupted;
	const char *rules; /* expected rule codes, in order, "" none */
	int held;
	const char *result; /* rules_fill_result */
	const char *text;   /* expected text of the last violation, or NULL */
};

static const struct postfill_case postfill_cases[] = {
	{ "exact fill is clean", 14.90, 14.90, 1, 0, 0, NOT, "", 0, "ok", NULL },
	{ "small overshoot within allowance is clean", 14.98, 14.98, 1, 0, 0, NOT, "", 0, "ok",
	    NULL },
	{ "overfill holds the cylinder", 15.10, 15.10, 1, 0, 0, NOT, "R20", 1, "held", NULL },
	{ "short weight is flagged", 14.40, 14.40, 1, 0, 0, NOT, "R21", 0, "flagged", NULL },
	{ "short within tolerance is clean", 14.55, 14.55, 1, 0, 0, NOT, "", 0, "ok", NULL },
	{ "timed-out fill is flagged and short", 10.0, 10.0, 1, 1, 0, NOT, "R22R21", 0, "flagged",
	    NULL },
	{ "weight rising after close is an emergency", 15.5, 15.5, 1, 0, 1, NOT, "R23R20", 1,
	    "emergency", NULL },
	{ "lost link interrupts without check-weigh rules", 8.0, 8.0, 0, 0, 0, LINK, "R24", 0,
	    "interrupted",
	    "R24 lost the scale or valve link for 1200 ms during the fill: valve commanded closed, "
	    "fill interrupted at 8.000 kg net" },
	{ "valve shut by its watchdog interrupts with its own cause", 6.0, 6.0, 1, 0, 0, SHUT,
	    "R24", 0, "interrupted",
	    "R24 the valve closed by itself during the fill (its watchdog: the gateway's heartbeat "
	    "did not get through): fill interrupted at 6.000 kg net" },
	{ "stopped fill gets no rule", 5.0, 5.0, 1, 0, 0, STOP, "", 0, "interrupted", NULL },
	{ "stopped fill still rising is an emergency, held", 15.5, 15.5, 1, 0, 1, STOP, "R23R20", 1,
	    "emergency", NULL },
	{ "emergency while the link was lost", 9.0, 9.0, 1, 0, 1, LINK, "R23R24", 0, "emergency",
	    NULL },
	{ "unstable check-weigh is flagged", 14.90, 14.90, 0, 0, 0, NOT, "R25", 0, "flagged",
	    NULL },
	{ "check-weigh disagreeing with the reading is flagged", 14.90, 14.80, 1, 0, 0, NOT, "R25",
	    0, "flagged", NULL },
	{ "check-weigh within 0.1% of 60 kg is clean", 14.90, 14.85, 1, 0, 0, NOT, "", 0, "ok",
	    NULL },
	{ NULL, 0, 0, 0, 0, 0, NOT, NULL, 0, NULL, NULL },
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
		f.net_kg = c->net;
		f.fill_reading_net_kg = c->reading;
		f.checkweigh_stable = c->stable;
		f.scale_capacity_kg = 60;
		f.fill_ms = c->timed_out ? 181000 : 50000;
		f.timed_out = c->timed_out;
		f.emergency = c->emergency;
		f.rise_kg = 0.4;
		f.interrupted = c->interrupted;
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
		if (strcmp(rules_fill_result(&v, c->interrupted), c->result) != 0)
			fail_msg("%s: result %s", c->name, rules_fill_result(&v, c->interrupted));
		if (c->text != NULL && strcmp(v.items[v.count - 1].text, c->text) != 0)
			fail_msg("%s: text \"%s\"", c->name, v.items[v.count - 1].text);
	}
}

/* rev99: the stamped fill mass is what the cylinder may hold after the
 * fill.  Gas an interrupted fill of this station left in it is counted, no
 * more than the empty weight's excess over the stamped tare; R20 judges the
 * net and that gas together against the stamped mass, R21 the net against
 * the target that left it out. */
static void
r20_counts_the_gas_an_interrupted_fill_left(void **state)
{
	struct rules_postfill_facts f;
	struct rules_verdict v;
	struct gw_rules r;

	(void)state;
	rules_defaults(&r);
	/* no interrupted fill: none, whatever the scale says */
	assert_true(rules_residue_kg(0, 0, 0, 15.6, 15.2) == 0);
	/* a stop at 0.31 kg, the cylinder 0.1 kg heavier than stamped */
	assert_true(fabs(rules_residue_kg(1, 0.31, 0, 15.61, 15.2) - 0.31) < 1e-9);
	/* decanted since: the scale says less than the record */
	assert_true(fabs(rules_residue_kg(1, 0.31, 0, 15.25, 15.2) - 0.05) < 1e-9);
	assert_true(rules_residue_kg(1, 0.31, 0, 15.1, 15.2) == 0);
	/* a crash with no reading: all the excess */
	assert_true(fabs(rules_residue_kg(1, 0, 1, 15.5, 15.2) - 0.3) < 1e-9);

	memset(&f, 0, sizeof(f));
	f.fill_kg = 14.9;
	f.residue_kg = 0.31;
	f.checkweigh_stable = 1;
	f.scale_capacity_kg = 60;
	f.fill_ms = 50000;
	/* filled to the target: 14.9 kg in it, clean */
	f.net_kg = f.fill_reading_net_kg = 14.6;
	rules_verdict_init(&v);
	rules_postfill(&r, &f, &v);
	assert_int_equal(v.count, 0);
	/* the whole fill mass on top: held, the sentence naming both */
	f.net_kg = f.fill_reading_net_kg = 14.9;
	rules_verdict_init(&v);
	rules_postfill(&r, &f, &v);
	assert_int_equal(v.count, 1);
	assert_true(v.held);
	assert_string_equal(rules_fill_result(&v, RULES_NOT_INTERRUPTED), "held");
	assert_string_equal(v.items[0].text,
	    "R20 overfilled: 15.210 kg of gas (net 14.900 kg onto 0.310 kg left by an interrupted "
	    "fill) above the stamped 14.900 kg: hold the cylinder until decanted");
}

/* R21 judges the same gas from below: the net and what an interrupted fill
 * left, against the stamped mass (it judged the net against the target that
 * left the residue out, and said the lowered target as if it were the mass). */
static void
r21_counts_the_gas_an_interrupted_fill_left(void **state)
{
	struct rules_postfill_facts f;
	struct rules_verdict v;
	struct gw_rules r;

	(void)state;
	rules_defaults(&r);
	memset(&f, 0, sizeof(f));
	f.fill_kg = 14.9;
	f.residue_kg = 0.31;
	f.checkweigh_stable = 1;
	f.scale_capacity_kg = 60;
	f.fill_ms = 50000;
	/* 14.51 kg in it: within the 0.4 kg tolerance of 14.9 */
	f.net_kg = f.fill_reading_net_kg = 14.2;
	rules_verdict_init(&v);
	rules_postfill(&r, &f, &v);
	assert_int_equal(v.count, 0);
	/* 14.31 kg in it: short, the sentence naming the gas and the stamped mass */
	f.net_kg = f.fill_reading_net_kg = 14.0;
	rules_verdict_init(&v);
	rules_postfill(&r, &f, &v);
	assert_int_equal(v.count, 1);
	assert_string_equal(rules_fill_result(&v, RULES_NOT_INTERRUPTED), "flagged");
	assert_string_equal(v.items[0].text,
	    "R21 short weight: 14.310 kg of gas (net 14.000 kg onto 0.310 kg left by an "
	    "interrupted fill), below the stamped 14.900 kg (tolerance 0.400 kg)");
	/* no interrupted fill: the net against the stamped mass, as before */
	f.residue_kg = 0;
	rules_verdict_init(&v);
	rules_postfill(&r, &f, &v);
	assert_string_equal(v.items[0].text,
	    "R21 short weight: net 14.000 kg, target 14.900 kg (tolerance 0.400 kg)");
}

/* A valve unit that restarted mid-fill is said to have restarted, in the
 * operator's language; until 8 Dec 2026 R24 blamed the gateway's heartbeat. */
static void
a_unit_restart_is_said_as_one_in_english_and_chinese(void **state)
{
	struct rules_postfill_facts f;
	struct rules_verdict v;
	struct i18n_speech speech;
	struct gw_rules r;
	const char *build = getenv("BUILD");
	char dir[4096];

	(void)state;
	rules_defaults(&r);
	memset(&f, 0, sizeof(f));
	f.fill_kg = 14.9;
	f.interrupted = RULES_UNIT_RESTARTED;
	f.link_lost_ms = 350;
	f.net_kg = f.fill_reading_net_kg = 0.95;
	rules_verdict_init(&v);
	rules_postfill(&r, &f, &v);
	assert_int_equal(v.count, 1);
	assert_string_equal(rules_fill_result(&v, RULES_UNIT_RESTARTED), "interrupted");
	assert_string_equal(v.items[0].text,
	    "R24 the valve unit restarted during the fill (silent 350 ms, back with its valve "
	    "closed as after a power cut; its watchdog timeout is checked again): fill "
	    "interrupted at 0.950 kg net");
	assert_non_null(build);
	snprintf(dir, sizeof(dir), "%s/locale", build);
	setenv("GAS_LOCALEDIR", dir, 1);
	unsetenv("LANGUAGE");
	i18n_init();
	assert_int_equal(i18n_speak("zh_CN.UTF-8", &speech), 0);
	rules_verdict_init(&v);
	rules_postfill(&r, &f, &v);
	i18n_speak_end(&speech);
	assert_string_equal(v.items[0].text,
	    "R24 充装中阀门单元重启（350 ms 无应答，恢复时阀门已关闭，如同断电后；看门狗超时重新"
	    "核查）：充装中断于净重 0.950 kg");
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

/* A code or number refused at the counter gets the same violation as the
 * checks before a fill give it: R01 and R08 are judged in one place. */
static void
counter_judges_codes_and_numbers_as_the_checks_do(void **state)
{
	static const struct {
		const char *name;
		int buyer; /* 0: a scanned code, 1: a typed number */
		int valid;
		const char *reason;
		const char *text; /* NULL: taken */
		enum rules_severity severity;
	} rows[] = {
		{ "forged code refused and alerted", 0, 0, "signature does not verify",
		    "R01 cylinder code rejected: signature does not verify", RULES_ALERT },
		{ "good code taken", 0, 1, NULL, NULL, RULES_FLAG },
		{ "bad check digit refused without alert", 1, 0, "check digit is wrong",
		    "R08 buyer number rejected: check digit is wrong", RULES_REFUSE },
		{ "good number taken", 1, 1, NULL, NULL, RULES_FLAG },
		{ NULL, 0, 0, NULL, NULL, RULES_FLAG },
	};
	struct rules_prefill_facts f;
	struct rules_verdict counter, checks;
	struct gw_rules r;

	(void)state;
	rules_defaults(&r);
	for (size_t i = 0; rows[i].name != NULL; i++) {
		if (rows[i].buyer)
			rules_counter_buyer(rows[i].valid, rows[i].reason, &counter);
		else
			rules_counter_code(rows[i].valid, rows[i].reason, "ZJ-1", NULL, NULL,
			    &counter);
		if (rows[i].text == NULL) {
			if (counter.count != 0)
				fail_msg("%s: %s", rows[i].name, counter.items[0].text);
			continue;
		}
		if (counter.count != 1 || strcmp(counter.items[0].text, rows[i].text) != 0)
			fail_msg("%s: %zu violations, \"%s\"", rows[i].name, counter.count,
			    counter.count ? counter.items[0].text : "");
		if (counter.items[0].severity != rows[i].severity || !counter.blocked)
			fail_msg("%s: severity %d, blocked %d", rows[i].name,
			    (int)counter.items[0].severity, counter.blocked);
		good_facts(&f);
		if (rows[i].buyer) {
			f.buyer_valid = 0;
			f.buyer_reason = rows[i].reason;
		} else {
			f.code_valid = 0;
			f.code_reason = rows[i].reason;
		}
		rules_prefill(&r, &f, &checks);
		if (checks.count != 1 || strcmp(checks.items[0].text, rows[i].text) != 0 ||
		    checks.items[0].severity != counter.items[0].severity)
			fail_msg("%s: the checks before a fill judge it otherwise", rows[i].name);
	}
}

/* What a label of good_facts's cylinder says, and its registry row alike:
 * YSP35.5 made 2022-05, tare 15.20 kg, fill 14.90 kg, no code. */
static void
label_facts(struct rules_label *l)
{
	memset(l, 0, sizeof(*l));
	l->model = "YSP35.5";
	l->manufactured = day("2022-05-01");
	l->tare_g = 15200;
	l->fill_g = 14900;
}

/* rev95: a code that verifies but is not the registry's for the cylinder
 * (a superseded label, or a copy of one) is refused by R01, naming what
 * differs, before anything is judged from its facts (R05, R06, R09, the
 * fill's target); the same at the counter. */
static void
a_code_that_is_not_the_registrys_is_refused(void **state)
{
	enum change {
		C_NONE,
		C_FILL,
		C_TARE,
		C_MONTH,
		C_DAY,
		C_MODEL,
		C_ALL,
		C_OTHER_CODE,
		C_OTHER_CODE_FILL,
		C_SAME_CODE_ROW_EDITED,
		C_ROW_CODE_SCANNED_UNKNOWN,
		C_ROW_CODE_SCANNED_UNKNOWN_FILL,
	};
	static const struct {
		const char *name;
		enum change change;
		const char *text; /* NULL: nothing fires */
	} rows[] = {
		{ "same facts, no code in the row", C_NONE, NULL },
		{ "old fill mass", C_FILL,
		    "R01 cylinder ZJ330825-000123's code is not the registry's: fill 14.90 kg "
		    "(registry 12.00 kg)" },
		{ "re-stamped tare, 10 g", C_TARE,
		    "R01 cylinder ZJ330825-000123's code is not the registry's: tare 15.20 kg "
		    "(registry 15.21 kg)" },
		{ "other month", C_MONTH,
		    "R01 cylinder ZJ330825-000123's code is not the registry's: made 2022-05 "
		    "(registry 2012-05)" },
		{ "the row's day within the code's month", C_DAY, NULL },
		{ "other model", C_MODEL,
		    "R01 cylinder ZJ330825-000123's code is not the registry's: model YSP35.5 "
		    "(registry YSP12)" },
		/* the sentence has room for the first three, the fill mass first */
		{ "everything", C_ALL,
		    "R01 cylinder ZJ330825-000123's code is not the registry's: fill 14.90 kg "
		    "(registry 12.00 kg); tare 15.20 kg (registry 15.21 kg); made 2022-05 (registry "
		    "2012-05)" },
		{ "the row holds another code", C_OTHER_CODE,
		    "R01 cylinder ZJ330825-000123's label is superseded: the registry holds another "
		    "code for it" },
		{ "the row holds another code, with another fill", C_OTHER_CODE_FILL,
		    "R01 cylinder ZJ330825-000123's label is superseded, the registry holds another "
		    "code for it: fill 14.90 kg (registry 12.00 kg)" },
		/* the row is what the cylinder takes now, whatever code it kept
		 * (rev98: an old label filled to its old mass) */
		{ "the row's own code, its columns changed since", C_SAME_CODE_ROW_EDITED,
		    "R01 cylinder ZJ330825-000123's code is not the registry's: fill 14.90 kg "
		    "(registry 12.00 kg)" },
		{ "a row with a code, the scanned one unknown, same facts",
		    C_ROW_CODE_SCANNED_UNKNOWN, NULL },
		{ "a row with a code, the scanned one unknown, old fill",
		    C_ROW_CODE_SCANNED_UNKNOWN_FILL,
		    "R01 cylinder ZJ330825-000123's code is not the registry's: fill 14.90 kg "
		    "(registry 12.00 kg)" },
		{ NULL, C_NONE, NULL },
	};
	struct rules_prefill_facts f;
	struct rules_verdict v, counter;
	struct gw_rules r;

	(void)state;
	rules_defaults(&r);
	for (size_t i = 0; rows[i].name != NULL; i++) {
		enum change c = rows[i].change;

		good_facts(&f);
		label_facts(&f.label);
		label_facts(&f.registry);
		if (c == C_FILL || c == C_ALL || c == C_OTHER_CODE_FILL ||
		    c == C_ROW_CODE_SCANNED_UNKNOWN_FILL)
			f.registry.fill_g = 12000;
		if (c == C_TARE || c == C_ALL)
			f.registry.tare_g = 15210;
		if (c == C_MONTH || c == C_ALL)
			f.registry.manufactured = day("2012-05-01");
		if (c == C_DAY)
			f.registry.manufactured = day("2022-05-17");
		if (c == C_MODEL || c == C_ALL)
			f.registry.model = "YSP12";
		if (c == C_OTHER_CODE || c == C_OTHER_CODE_FILL) {
			f.label.code = "GC1:OLD";
			f.registry.code = "GC1:NEW";
		}
		if (c == C_SAME_CODE_ROW_EDITED) {
			f.label.code = "GC1:SAME";
			f.registry.code = "GC1:SAME";
			f.registry.fill_g = 12000;
		}
		if (c == C_ROW_CODE_SCANNED_UNKNOWN || c == C_ROW_CODE_SCANNED_UNKNOWN_FILL)
			f.registry.code = "GC1:NEW";
		/* an old label's R06 and R09 are not judged: its facts are not the
		 * cylinder's */
		f.manufactured = day("2012-05-01");
		f.empty_kg = 16.0;
		rules_prefill(&r, &f, &v);
		rules_counter_code(1, NULL, f.serial, &f.label, &f.registry, &counter);
		if (rows[i].text == NULL) {
			if (rules_has(&v, "R01") || counter.count != 0)
				fail_msg("%s: \"%s\"", rows[i].name,
				    counter.count ? counter.items[0].text : v.items[0].text);
			if (!rules_has(&v, "R06") || !rules_has(&v, "R09"))
				fail_msg("%s: R06 and R09 not judged", rows[i].name);
			continue;
		}
		if (v.count != 1 || strcmp(v.items[0].text, rows[i].text) != 0)
			fail_msg("%s: %zu violations, \"%s\"", rows[i].name, v.count,
			    v.count ? v.items[0].text : "");
		if (v.items[0].severity != RULES_ALERT || !v.blocked || !v.alert)
			fail_msg("%s: not a blocking alert", rows[i].name);
		if (counter.count != 1 || strcmp(counter.items[0].text, rows[i].text) != 0 ||
		    counter.items[0].severity != RULES_ALERT || !counter.blocked)
			fail_msg("%s: the counter says \"%s\"", rows[i].name,
			    counter.count ? counter.items[0].text : "");
	}
	/* no row: R02 alone, at start; the counter has nothing to compare */
	good_facts(&f);
	label_facts(&f.label);
	f.in_registry = 0;
	rules_prefill(&r, &f, &v);
	assert_true(rules_has(&v, "R02"));
	assert_false(rules_has(&v, "R01"));
	rules_counter_code(1, NULL, f.serial, &f.label, NULL, &counter);
	assert_int_equal(counter.count, 0);
	/* this station's scrap is still said beside an old label */
	good_facts(&f);
	label_facts(&f.label);
	label_facts(&f.registry);
	f.registry.fill_g = 12000;
	f.stopped_here = RULES_SCRAPPED_HERE;
	f.stopped_day = day("2026-11-20");
	rules_prefill(&r, &f, &v);
	assert_true(rules_has(&v, "R04"));
	assert_true(rules_has(&v, "R01"));
}

/* Every way a rule fires has its row: a code, a sentence, a severity. */
static void
every_case_has_its_row(void **state)
{
	static const char *const codes[] = { "R01", "R02", "R03", "R04", "R05", "R06", "R07", "R08",
		"R09", "R10", "R11", "R20", "R21", "R22", "R23", "R24", "R25", NULL };
	int seen[sizeof(codes) / sizeof(codes[0])] = { 0 };

	(void)state;
	for (int c = 0; c < RULES_CASE_COUNT; c++) {
		const struct rules_row *row = &rules_table[c];
		int known = 0;

		if (row->rule == NULL || row->text == NULL || row->text[0] == '\0')
			fail_msg("case %d has no row", c);
		for (size_t k = 0; codes[k] != NULL; k++)
			if (strcmp(codes[k], row->rule) == 0)
				known = seen[k] = 1;
		if (!known)
			fail_msg("case %d: unknown rule %s", c, row->rule);
		if (row->severity == RULES_CRITICAL && !row->blocking)
			fail_msg("case %d (%s): critical but not blocking", c, row->rule);
	}
	for (size_t k = 0; codes[k] != NULL; k++)
		if (!seen[k])
			fail_msg("%s has no row", codes[k]);
}

/* The sentences of the violations written outside a fill's checks. */
static void
incident_sentences(void **state)
{
	struct rules_verdict v;

	(void)state;
	rules_recovered(1, 7.5, &v);
	assert_int_equal(v.count, 1);
	assert_string_equal(v.items[0].text,
	    "R24 gateway stopped during the fill; interrupted, 7.500 kg net read at restart");
	assert_int_equal(v.items[0].severity, RULES_FLAG);
	rules_recovered(0, 0, &v);
	assert_string_equal(v.items[0].text,
	    "R24 gateway stopped during the fill; interrupted, weight unknown at restart");
	rules_after_fill_rise(0.35, &v);
	assert_int_equal(v.count, 1);
	assert_string_equal(v.items[0].text,
	    "R23 weight rose 0.350 kg with the valve commanded closed: stuck valve or bypass");
	assert_int_equal(v.items[0].severity, RULES_CRITICAL);
	assert_true(v.alert);
}

/* What the fill line asks while the valve is open, at each threshold. */
static void
questions_during_a_fill_answer_at_the_thresholds(void **state)
{
	enum question { TOO_LONG, LINK_LOST, LEAK, OVERFILL };
	static const struct {
		const char *name;
		enum question q;
		double value;
		int fires;
	} rows[] = {
		{ "R22 just before 180 s", TOO_LONG, 179999, 0 },
		{ "R22 at 180 s", TOO_LONG, 180000, 1 },
		{ "R24 silent 999 ms", LINK_LOST, 999, 0 },
		{ "R24 silent 1000 ms", LINK_LOST, 1000, 1 },
		{ "R23 rise of 0.2 kg", LEAK, 0.2, 0 },
		{ "R23 rise of 0.21 kg", LEAK, 0.21, 1 },
		{ "R20 at the allowance", OVERFILL, 15.0, 0 },
		{ "R20 above the allowance", OVERFILL, 15.01, 1 },
		{ NULL, TOO_LONG, 0, 0 },
	};
	struct gw_rules r;
	int got = 0;

	(void)state;
	rules_defaults(&r);
	for (size_t i = 0; rows[i].name != NULL; i++) {
		switch (rows[i].q) {
		case TOO_LONG:
			got = rules_fill_too_long(&r, (int64_t)rows[i].value);
			break;
		case LINK_LOST:
			got = rules_link_lost(&r, (int64_t)rows[i].value);
			break;
		case LEAK:
			got = rules_leak(&r, rows[i].value);
			break;
		case OVERFILL:
			got = rules_overfill(&r, 14.9, rows[i].value);
			break;
		}
		if (got != rows[i].fires)
			fail_msg("%s: %d", rows[i].name, got);
	}
}

/* The clock is trusted with the date rules from 2026 on, and while it reads no more
 * than clock_back_hours before the newest fill (none: no bound but 2026). */
static void
a_clock_set_back_is_not_trusted(void **state)
{
	static const int64_t H = 3600000, epoch = RULES_CLOCK_EPOCH_MS;
	static const struct {
		int64_t now, newest;
		enum rules_clock want;
	} rows[] = {
		{ 0, 0, RULES_CLOCK_BEFORE_EPOCH },              /* reset to 1970 */
		{ 946684800000LL, 0, RULES_CLOCK_BEFORE_EPOCH }, /* 2000, no fill yet */
		{ epoch - 1, 0, RULES_CLOCK_BEFORE_EPOCH },      /* a ms before 2026 */
		{ epoch, 0, RULES_CLOCK_OK },                    /* 2026-01-01 00:00 */
		{ epoch + 1000 * H, 0, RULES_CLOCK_OK },         /* no fill: 2026 is the bound */
		{ epoch + 1000 * H, epoch + 1024 * H, RULES_CLOCK_OK }, /* 24 h back: allowed */
		{ epoch + 1000 * H - 1, epoch + 1024 * H,
		    RULES_CLOCK_BEFORE_NEWEST }, /* a ms more */
		{ epoch + 1000 * H, epoch + 1000 * H + 72 * H,
		    RULES_CLOCK_BEFORE_NEWEST },                       /* 3 d */
		{ epoch + 1000 * H, epoch + 900 * H, RULES_CLOCK_OK }, /* after the newest */
		{ 946684800000LL, epoch + 900 * H, RULES_CLOCK_BEFORE_EPOCH }, /* both: 2026 said */
	};
	struct gw_rules r;
	size_t i;

	(void)state;
	rules_defaults(&r);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rules_clock_check(&r, rows[i].now, rows[i].newest) != rows[i].want)
			fail_msg("row %zu: now %lld, newest %lld", i, (long long)rows[i].now,
			    (long long)rows[i].newest);
	r.clock_back_hours = 100; /* raised by the administrator: three days back is allowed */
	assert_int_equal(rules_clock_check(&r, epoch + 1000 * H, epoch + 1072 * H), RULES_CLOCK_OK);
	assert_int_equal(rules_clock_check(&r, epoch + 1000 * H, epoch + 1101 * H),
	    RULES_CLOCK_BEFORE_NEWEST);
}

/* What the operator reads of a clock not trusted says what it reads, why (2026, or how
 * many hours before which fill, against which clock_back_hours) and what to do; its name
 * in the status is the protocol's. */
static void
an_untrusted_clock_is_explained_with_its_times_and_the_fix(void **state)
{
	static const int64_t H = 3600000, epoch = RULES_CLOCK_EPOCH_MS;
	static const struct {
		const char *name; /* the row, and the verdict's name in the status */
		enum rules_clock verdict;
		int64_t now, newest;
		int back_hours;
		const char *says[4]; /* each in the words, in this order */
		const char *never;   /* not in them (NULL: no such check) */
	} rows[] = {
		{ "before_epoch", RULES_CLOCK_BEFORE_EPOCH, 946684800000LL, 0, 24,
		    { "the station's clock reads 2000-01-01 08:00+08:00, before 2026-01-01",
		        "the valve stays shut until the clock is set right",
		        "set the date and time, or mend the time sync", NULL },
		    "clock_back_hours" },
		{ "behind_records", RULES_CLOCK_BEFORE_NEWEST, epoch + 1000 * H,
		    epoch + 1072 * H - 60000, 24,
		    { "the station's clock reads 2026-02-12 00:00+08:00, 72 h before its newest "
		      "fill (2026-02-14 23:59+08:00), more than clock_back_hours (24) allows",
		        "the valve stays shut until the clock is set right",
		        "set the date and time, or mend the time sync",
		        "if the clock was ahead before and is right now, raise clock_back_hours" },
		    NULL },
		/* rounded up: 24 h and a minute is 25 h, more than the 24 allowed */
		{ "behind_records", RULES_CLOCK_BEFORE_NEWEST, epoch + 1000 * H,
		    epoch + 1024 * H + 60000, 24,
		    { ", 25 h before its newest fill", "more than clock_back_hours (24) allows",
		        NULL, NULL },
		    NULL },
		{ "behind_records", RULES_CLOCK_BEFORE_NEWEST, epoch + 1000 * H, epoch + 1200 * H,
		    100, { "200 h before", "more than clock_back_hours (100) allows", NULL, NULL },
		    NULL },
		{ "ok", RULES_CLOCK_OK, epoch + 1000 * H, 0, 24,
		    { "the station's clock reads 2026-02-12 00:00+08:00", NULL, NULL, NULL },
		    "valve" },
	};
	char words[RULES_CLOCK_WORDS], err[128];
	struct gw_rules r;
	size_t i, k;

	(void)state;
	if (timetext_set_zone("Asia/Shanghai", err, sizeof(err)) == -1)
		fail_msg("zone: %s", err);
	rules_defaults(&r);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *at;

		if (strcmp(rules_clock_name(rows[i].verdict), rows[i].name) != 0)
			fail_msg("row %zu: named %s", i, rules_clock_name(rows[i].verdict));
		r.clock_back_hours = rows[i].back_hours;
		if (rows[i].verdict != RULES_CLOCK_OK &&
		    rules_clock_check(&r, rows[i].now, rows[i].newest) != rows[i].verdict)
			fail_msg("row %zu: not the verdict the check gives", i);
		rules_clock_words(rows[i].verdict, &r, rows[i].now, rows[i].newest, words,
		    sizeof(words));
		at = words;
		for (k = 0; k < 4 && rows[i].says[k] != NULL; k++) {
			if ((at = strstr(at, rows[i].says[k])) == NULL)
				fail_msg("row %zu: \"%s\" lacks \"%s\" (or in another order)", i,
				    words, rows[i].says[k]);
			at += strlen(rows[i].says[k]);
		}
		if (rows[i].never != NULL && strstr(words, rows[i].never) != NULL)
			fail_msg("row %zu: \"%s\" says \"%s\"", i, words, rows[i].never);
	}
	/* cut, never overrun, in a small buffer */
	rules_clock_words(RULES_CLOCK_BEFORE_NEWEST, &r, epoch, epoch + 100 * H, words, 16);
	assert_int_equal(strlen(words), 15);
}

/* The thresholds' defaults are the configuration table's (the example file
 * shows them); written once, there. */
static void
defaults_are_the_configuration_tables(void **state)
{
	static const char minimal[] = "[station]\nid = S1\ncompany = C\ntownship = 330825101\n"
	                              "county = 330825\ncode_public_key = k\nbuyer_key = b\n";
	struct gw_config *config = calloc(1, sizeof(*config));
	struct conf_report report;
	struct gw_rules r;

	(void)state;
	assert_non_null(config);
	rules_defaults(&r);
	if (conf_load_string("minimal", minimal, gw_config_sections, config, &report) != 0)
		fail_msg("%s", report.errors[0]);
	assert_memory_equal(&r, &config->rules, sizeof(r));
	/* and they are the documented ones (docs/rules.md) */
	assert_int_equal(r.inspection_cycle_years, 4);
	assert_int_equal(r.life_years, 8);
	assert_int_equal(r.life_years_before_2006, 15);
	assert_true(r.tare_over_kg == 0.5 && r.tare_under_kg == 0.3);
	assert_int_equal(r.refill_min_minutes, 120);
	assert_int_equal(r.clock_back_hours, 24);
	assert_int_equal(r.household_max, 3);
	assert_int_equal(r.business_max, 60);
	assert_int_equal(r.hoard_window_days, 30);
	assert_true(r.short_kg == 0.4 && r.leak_rise_kg == 0.2);
	assert_int_equal(r.max_fill_s, 180);
	assert_int_equal(r.link_loss_ms, 1000);
	assert_true(r.checkweigh_pct == 0.1 && r.overfill_kg == 0.1);
	free(config);
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
		cmocka_unit_test(r20_counts_the_gas_an_interrupted_fill_left),
		cmocka_unit_test(r21_counts_the_gas_an_interrupted_fill_left),
		cmocka_unit_test(a_unit_restart_is_said_as_one_in_english_and_chinese),
		cmocka_unit_test(inspection_due_follows_registry_then_cycle),
		cmocka_unit_test(counter_judges_codes_and_numbers_as_the_checks_do),
		cmocka_unit_test(a_code_that_is_not_the_registrys_is_refused),
		cmocka_unit_test(every_case_has_its_row),
		cmocka_unit_test(incident_sentences),
		cmocka_unit_test(questions_during_a_fill_answer_at_the_thresholds),
		cmocka_unit_test(a_clock_set_back_is_not_trusted),
		cmocka_unit_test(an_untrusted_clock_is_explained_with_its_times_and_the_fix),
		cmocka_unit_test(defaults_are_the_configuration_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
