/*
 * rules: the station rules (docs/rules.md) as pure functions and one table.
 *
 * Every rule is judged here and only here.  The caller gathers the facts
 * (decoded code, registry row, operator, buyer, measured empty weight,
 * history counts, the fill's readings) into a facts struct; rules_prefill()
 * and rules_postfill() decide which rules fire, the counter functions judge
 * a code or number as soon as it is scanned or typed, and the predicates
 * (rules_fill_too_long, rules_link_lost, rules_leak, rules_overfill) answer
 * the questions the fill line must ask while the valve is open.  What a
 * violation says and how grave it is comes from rules_table: one row per
 * way a rule fires, with its code, severity, whether it blocks the valve,
 * where its alert goes and the sentence a person reads ("R05 inspection
 * overdue: last 2021-03-02, due 2025-03-02").
 *
 * No I/O, no clock: the caller passes today and now, so every rule is
 * tested table by table (tests/unit/test_rules.c).  The thresholds are a
 * struct gw_rules; their defaults are the [rules] rows of the configuration
 * table (gwconf.c), written nowhere else.
 */
#ifndef GAS_RULES_H
#define GAS_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "gwconf.h"

#define RULES_MAX 16
#define RULES_TEXT 192

enum rules_severity {
	RULES_FLAG,     /* recorded with the fill */
	RULES_REFUSE,   /* refuses the fill; no alert */
	RULES_ALERT,    /* alerts the township (and refuses when blocking) */
	RULES_CRITICAL, /* emergency */
};

/* Who the alert goes to: the station's township or the buyer's. */
enum rules_route { RULES_ROUTE_STATION, RULES_ROUTE_BUYER };

/* Every way a rule fires: an index into rules_table. */
enum rules_case {
	RULES_R01_NO_CODE,
	RULES_R01_CODE_REJECTED,
	RULES_R01_SUPERSEDED,
	RULES_R01_SUPERSEDED_DIFFERS,
	RULES_R01_NOT_REGISTRYS,
	RULES_R02_NOT_IN_REGISTRY,
	RULES_R03_OTHER_OWNER,
	RULES_R04_NOT_ACTIVE,
	RULES_R04_SCRAPPED_HERE,
	RULES_R04_FAILED_HERE,
	RULES_R05_INSPECTION_OVERDUE,
	RULES_R06_PAST_LIFE,
	RULES_R07_NO_OPERATOR,
	RULES_R07_NOT_REGISTERED,
	RULES_R07_EXPIRED,
	RULES_R08_NO_BUYER,
	RULES_R08_NUMBER_REJECTED,
	RULES_R09_NO_STABLE_EMPTY,
	RULES_R09_TARE_BAND,
	RULES_R10_REFILL_SOON,
	RULES_R11_HOARDING,
	RULES_R20_OVERFILL,
	RULES_R20_OVERFILL_ON_RESIDUE,
	RULES_R21_SHORT,
	RULES_R21_SHORT_ON_RESIDUE,
	RULES_R22_TOO_LONG,
	RULES_R23_RISE_AFTER_CLOSE,
	RULES_R23_RISE_AFTER_FILL,
	RULES_R24_LINK_LOST,
	RULES_R24_VALVE_SHUT,
	RULES_R24_UNIT_RESTARTED,
	RULES_R24_GATEWAY_STOPPED,
	RULES_R24_GATEWAY_STOPPED_NO_WEIGHT,
	RULES_R25_UNSTABLE,
	RULES_R25_DIFFERS,
	RULES_CASE_COUNT
};

/* One row of rules_table. */
struct rules_row {
	const char *rule; /* "R05" */
	enum rules_severity severity;
	int blocking; /* 1: the valve may not open */
	enum rules_route route;
	const char *text; /* printf format of the sentence, in English; translated when used */
};

/* Indexed by enum rules_case; every row is filled (test_rules walks it). */
extern const struct rules_row rules_table[RULES_CASE_COUNT];

struct rules_violation {
	char rule[4]; /* "R05" */
	enum rules_severity severity;
	int blocking; /* 1: the valve may not open */
	enum rules_route route;
	char text[RULES_TEXT]; /* "R05 inspection overdue: ..." */
};

struct rules_verdict {
	size_t count;
	struct rules_violation items[RULES_MAX];
	int blocked; /* any item blocking */
	int alert;   /* any item with severity alert or critical */
	int held;    /* R20: cylinder may not leave */
};

/* Why a fill ended before its check-weigh, if it did. */
enum rules_interruption {
	RULES_NOT_INTERRUPTED,
	RULES_STOPPED,       /* stopped at the line, by another line's emergency or a
	                      * shutdown: no rule of its own */
	RULES_LINK_LOST,     /* R24: the scale or the valve unit silent for link_loss_ms,
	                      * or the open command unanswered */
	RULES_VALVE_SHUT,    /* R24: the valve unit reports its valve closed while
	                      * commanded open (its watchdog, or someone at the line) */
	RULES_UNIT_RESTARTED /* R24: the same after the valve unit stopped
	                      * answering for less than its watchdog timeout while
	                      * the gateway fed it: the unit restarted */
};

/* R04 from this station's own life events (records_life_stopped): it
 * scrapped the cylinder, or recorded its return from inspection as failed,
 * and the county's registry has not said active since. */
enum rules_stopped { RULES_NOT_STOPPED, RULES_SCRAPPED_HERE, RULES_FAILED_HERE };

/*
 * What a cylinder's label says of it (R01): the signed code's facts, or the
 * same facts of the station's registry row for its serial.  Masses in grams,
 * as both the code and the registry hold them (multiples of 10 g), so that
 * they are compared exactly.
 */
struct rules_label {
	const char *code;     /* the bare code ("GC1:..."); NULL or "": none, or not known */
	const char *model;    /* e.g. "YSP35.5"; NULL: "" */
	int32_t manufactured; /* day number; only its year and month are compared */
	int tare_g;           /* stamped tare */
	int fill_g;           /* stamped allowable fill mass */
};

/* A label of these facts (code and model point at the caller's text);
 * the masses in kg, as decoded or stored (grams / 1000.0), back to grams
 * exactly. */
void rules_label_of(struct rules_label *out, const char *code, const char *model,
    int32_t manufactured, double tare_kg, double fill_kg);

/* Facts known before the valve opens.  Day numbers are date_to_days(). */
struct rules_prefill_facts {
	int32_t today;
	int64_t now_ms;
	/* R01: the scanned code */
	int code_present;
	int code_valid;          /* signature verified, fields well-formed */
	const char *code_reason; /* why not, when !code_valid */
	const char *serial;
	int32_t manufactured; /* from the signed code */
	double stamped_tare_kg;
	struct rules_label label; /* R01: the code's facts, to compare with registry */
	/* R02..R06: the registry row, when in_registry */
	int in_registry;
	struct rules_label registry; /* R01: the row's code and facts */
	const char *owner;
	const char *station_company;
	const char *status;              /* "active", "scrapped", "retired" */
	enum rules_stopped stopped_here; /* R04 too, before the registry's status */
	int32_t stopped_day;             /* the day this station recorded it */
	int32_t last_inspection;         /* 0: unknown */
	int32_t next_inspection;         /* 0: unknown; computed from the cycle */
	/* R07 */
	int operator_present; /* someone logged in on the line */
	int operator_known;   /* the certificate is in the operators table */
	int operator_active;
	int32_t operator_expires;
	const char *operator_cert;
	/* R08 */
	int buyer_present;
	int buyer_valid;
	const char *buyer_reason; /* why not, when !buyer_valid */
	int buyer_business;       /* credit code rather than resident ID */
	int buyer_delivery;       /* registered as a delivery company: R11 does not count it */
	const char *buyer_masked;
	/* R09 */
	int empty_known; /* a stable reading of the empty cylinder */
	double empty_kg;
	/* R10 */
	int64_t last_fill_ms; /* this cylinder's previous fill, 0: none */
	/* R11 */
	int buyer_recent_fills; /* this buyer's fills within the window */
};

/* Facts known after the valve has closed and the weight settled. */
struct rules_postfill_facts {
	double fill_kg;             /* stamped allowable fill mass */
	double residue_kg;          /* gas in it before the fill (rules_residue_kg) */
	double net_kg;              /* check-weighed net */
	double fill_reading_net_kg; /* net the fill loop saw last while settling */
	int checkweigh_stable;      /* the check-weigh reading was stable */
	double scale_capacity_kg;   /* R25 tolerance base */
	int64_t fill_ms;            /* valve open to close command */
	int timed_out;              /* R22 closed the valve */
	int emergency;              /* R23: weight rose with the valve closed */
	double rise_kg;
	enum rules_interruption interrupted;
	int link_lost_ms; /* R24 link lost, or the unit restarted: silent how long */
};

void rules_verdict_init(struct rules_verdict *verdict);

/*
 * Apply R01..R11.  verdict is reset first; on return it lists every rule
 * that fired, in rule order.  Rules that depend on a fact that an earlier
 * rule found missing (R03..R06 without a registry row) are not evaluated.
 */
void rules_prefill(const struct gw_rules *rules, const struct rules_prefill_facts *facts,
    struct rules_verdict *verdict);

/*
 * Apply R20..R25, appending to verdict (which may already hold R10/R11).
 * A fill cut short (facts->interrupted) gets no check-weigh rules: R24 for
 * a lost link or a valve that shut itself, nothing for a stop, but R23 and
 * what follows from it (R20) when the weight kept rising.
 */
void rules_postfill(const struct gw_rules *rules, const struct rules_postfill_facts *facts,
    struct rules_verdict *verdict);

/*
 * R01 and R08 at the counter: a code is judged as soon as it is scanned and
 * a buyer number as soon as it is typed, so that a forged (or superseded)
 * label leaves a trace even if nobody presses start.  verdict is reset; it
 * holds the refusal when the code (number) does not verify (reason says
 * why), or when the verified code of cylinder serial (label) is not the one
 * the station's registry row (registry; NULL: no row) holds, and nothing
 * otherwise.  The same judgement rules_prefill makes.
 */
void rules_counter_code(int valid, const char *reason, const char *serial,
    const struct rules_label *label, const struct rules_label *registry,
    struct rules_verdict *verdict);
void rules_counter_buyer(int valid, const char *reason, struct rules_verdict *verdict);

/* R23 after the fill was recorded, the cylinder still on the scale:
 * verdict is reset and holds the emergency of a rise of rise_kg. */
void rules_after_fill_rise(double rise_kg, struct rules_verdict *verdict);

/* R24 for a fill found open at start-up (a crash): verdict is reset; the net
 * weight read at restart when weight_known. */
void rules_recovered(int weight_known, double net_kg, struct rules_verdict *verdict);

/* The gas a cylinder holds before its fill, which the fill's target leaves
 * out and R20 counts: none unless this station's fills put gas in it that
 * they did not complete (left_count of them, left_kg in all, left_unknown
 * when one has no net: records_fill_left); then what those fills left, but
 * no more than the stable empty weight's excess over the stamped tare (a
 * cylinder decanted since holds none), or all that excess when a fill's net
 * is unknown.  The fill's target is fill_kg minus it. */
double rules_residue_kg(int left_count, double left_kg, int left_unknown, double empty_kg,
    double stamped_tare_kg);

/* Questions the fill line asks while a fill runs (the thresholds of R22,
 * R24, R23 and R20); 1 when the rule fires. */
int rules_fill_too_long(const struct gw_rules *rules, int64_t fill_ms);
int rules_link_lost(const struct gw_rules *rules, int64_t silent_ms);
int rules_leak(const struct gw_rules *rules, double rise_kg);
int rules_overfill(const struct gw_rules *rules, double fill_kg, double net_kg);

/* The result word of a finished fill (the fills.result column): emergency
 * if R23, else interrupted, else held if R20, else flagged if any violation,
 * else ok. */
const char *rules_fill_result(const struct rules_verdict *verdict, enum rules_interruption why);

/* 1 if verdict holds rule. */
int rules_has(const struct rules_verdict *verdict, const char *rule);

/* "flag", "refuse", "alert", "critical" (the schema's words). */
const char *rules_severity_name(enum rules_severity severity);

/* Date due for the next periodic inspection (R05), 0 when nothing is known. */
int32_t rules_inspection_due(const struct gw_rules *rules, int32_t last_inspection,
    int32_t next_inspection, int32_t manufactured);

/* Last day of service life (R06). */
int32_t rules_end_of_life(const struct gw_rules *rules, int32_t manufactured);

/*
 * The station's clock, judged before any rule is: R05 (inspection), R06
 * (service life) and R07 (certificate expiry) compare dates with today, so
 * a clock set back (a real-time clock reset to 1970 or 2000 by a flat
 * battery, with no time server reachable) would pass every overdue
 * cylinder and expired certificate.  The clock is not trusted, and the
 * valve stays shut, while it reads earlier than RULES_CLOCK_EPOCH_MS (no
 * gasgw of this version ran before it) or more than clock_back_hours
 * before newest_ms, the start of the station's newest fill (0: none).  A
 * clock ahead is not caught here: it makes R05-R07 stricter, not blind.
 */
#define RULES_CLOCK_EPOCH_MS 1767225600000LL /* 2026-01-01 00:00 UTC */

enum rules_clock { RULES_CLOCK_OK, RULES_CLOCK_BEFORE_EPOCH, RULES_CLOCK_BEFORE_NEWEST };

enum rules_clock rules_clock_check(const struct gw_rules *rules, int64_t now_ms, int64_t newest_ms);

/* The verdict's name in the control protocol's status: "ok", "before_epoch",
 * "behind_records". */
const char *rules_clock_name(enum rules_clock verdict);

/* Room for rules_clock_words in any language (a line's result_text holds as much). */
#define RULES_CLOCK_WORDS 512

/*
 * What a person reads of a clock rules_clock_check did not trust: what the
 * clock reads, why that is not trusted (before RULES_CLOCK_EPOCH_MS; or how
 * many hours, rounded up, before the newest fill, and the clock_back_hours
 * it passed), that the valve stays shut, and what to do (set the time, mend
 * the time sync; raise clock_back_hours if the clock had been ahead).  In
 * the calling thread's language, times in timetext's zone, into buf (cut at
 * len, always terminated).  The one wording of it: the refused attempt
 * (line.c), gasctl status, a refused inspection return, gasgw's log and
 * gasgw -n all say this.  RULES_CLOCK_OK: that the clock reads now_ms.
 */
void rules_clock_words(enum rules_clock verdict, const struct gw_rules *rules, int64_t now_ms,
    int64_t newest_ms, char *buf, size_t len);

/* The default thresholds: the defaults of the [rules] rows of the
 * configuration table (gw_rules_keys). */
void rules_defaults(struct gw_rules *rules);

#endif
