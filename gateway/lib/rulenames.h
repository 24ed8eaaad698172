/*
 * rulenames: the name of each rule a violation, an alert or a case is
 * raised under, one table for every reader: the station's rules R01-R11
 * and R20-R25 (docs/rules.md) and the county's C01-C17 (docs/county.md).
 * A record, an alert and a case keep the rule's code ("R05"); a person
 * reads it with its name ("R05 inspection overdue").
 *
 * Each name is English, marked N_() (a gettext tool prints _(name): gaswatch
 * in the officer's language), with its Chinese beside it for the web console,
 * which speaks each request's language from tables of both
 * (docs/translations.md).  tests/unit/test_rulenames.c holds the Chinese
 * equal to tools/po/zh_CN.po's translation of the English, and the table
 * whole against gasgw's rules (gateway/rules.c) and the county's.
 */
#ifndef GAS_RULENAMES_H
#define GAS_RULENAMES_H

struct rule_name {
	const char *code; /* "R05" */
	const char *en;   /* "inspection overdue", a gettext message id */
	const char *zh;   /* "超期未检" */
};

/* Every rule, in code order; the last row's code is NULL. */
extern const struct rule_name rule_names[];

/* The row of code ("R05"), NULL for a code no rule has (a grid report's kind). */
const struct rule_name *rule_name_find(const char *code);

#endif
