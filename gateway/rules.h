/*
 * rules: the station rules of shared/DESIGN.md §7 as pure functions.
 *
 * The caller gathers the facts (decoded code, registry row, operator, buyer,
 * measured empty weight, history counts, the fill's readings) into a facts
 * struct; rules_prefill() and rules_postfill() decide which rules fire and
 * write one violation per rule with its severity, whether it blocks the
 * valve, and a sentence a person understands ("R05 inspection overdue: last
 * 2021-03-02, due 2025-03-02").  No I/O, no clock: the caller passes today
 * and now, so every rule is tested table by table (tests/unit/test_rules.c).
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
	/* R02..R06: the registry row, when in_registry */
	int in_registry;
	const char *owner;
	const char *station_company;
	const char *status;      /* "active", "scrapped", "retired" */
	int32_t last_inspection; /* 0: unknown */
	int32_t next_inspection; /* 0: unknown; computed from the cycle */
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
	double target_kg;           /* net target */
	double net_kg;              /* check-weighed net */
	double fill_reading_net_kg; /* net the fill loop saw last while settling */
	int checkweigh_stable;      /* the check-weigh reading was stable */
	double scale_capacity_kg;   /* R25 tolerance base */
	int64_t fill_ms;            /* valve open to close command */
	int timed_out;              /* R22 closed the valve */
	int emergency;              /* R23: weight rose with the valve closed */
	double rise_kg;
	int link_lost; /* R24 */
	int link_lost_ms;
	int valve_shut; /* R24: the valve closed by itself (its watchdog) */
};

void rules_verdict_init(struct rules_verdict *verdict);

/*
 * Apply R01..R11.  verdict is reset first; on return it lists every rule
 * that fired, in rule order.  Rules that depend on a fact that an earlier
 * rule found missing (R03..R06 without a registry row) are not evaluated.
 */
void rules_prefill(const struct gw_rules *rules, const struct rules_prefill_facts *facts,
    struct rules_verdict *verdict);

/* Apply R20..R25, appending to verdict (which may already hold R10/R11). */
void rules_postfill(const struct gw_rules *rules, const struct rules_postfill_facts *facts,
    struct rules_verdict *verdict);

/* Append one violation (used by the line for R23/R24 incidents). */
void rules_add(struct rules_verdict *verdict, const char *rule, enum rules_severity severity,
    int blocking, enum rules_route route, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* 1 if verdict holds rule. */
int rules_has(const struct rules_verdict *verdict, const char *rule);

/* "flag", "refuse", "alert", "critical" (the schema's words). */
const char *rules_severity_name(enum rules_severity severity);

/* Date due for the next periodic inspection (R05), 0 when nothing is known. */
int32_t rules_inspection_due(const struct gw_rules *rules, int32_t last_inspection,
    int32_t next_inspection, int32_t manufactured);

/* Last day of service life (R06). */
int32_t rules_end_of_life(const struct gw_rules *rules, int32_t manufactured);

/* The defaults of shared/DESIGN.md §7 (for tests and tools). */
void rules_defaults(struct gw_rules *rules);

#endif
