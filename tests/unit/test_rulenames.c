/*
 * rulenames: every rule gasgw can raise and every rule the county takes
 * or raises has a name, no name stands for a rule nobody raises, and the
 * console's Chinese of each name is what gaswatch says in Chinese
 * (tools/po/zh_CN.po, compiled into $BUILD/locale).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "ingestcheck.h"
#include "rulenames.h"
#include "rules.h"

static void
every_rule_raised_has_a_name(void **state)
{
	const struct ingest_rule *in;
	char code[8];
	size_t i;

	(void)state;
	for (i = 0; i < RULES_CASE_COUNT; i++) /* gasgw's */
		if (rule_name_find(rules_table[i].rule) == NULL)
			fail_msg("gasgw's %s has no name", rules_table[i].rule);
	for (in = ingest_station_rules; in->rule != NULL; in++) /* what the county takes */
		if (rule_name_find(in->rule) == NULL)
			fail_msg("the county's %s has no name", in->rule);
	for (i = 1; i <= INGEST_COUNTY_RULES; i++) { /* what the county raises */
		snprintf(code, sizeof(code), "C%02zu", i);
		if (rule_name_find(code) == NULL)
			fail_msg("the county's %s has no name", code);
	}
	assert_null(rule_name_find("R12"));
	assert_null(rule_name_find("C19"));
	assert_null(rule_name_find("LEAK")); /* a grid report's kind */
	assert_null(rule_name_find(""));
	assert_null(rule_name_find(NULL));
	assert_string_equal(rule_name_find("R05")->en, "inspection overdue");
}

static void
no_name_for_a_rule_nobody_raises(void **state)
{
	const struct rule_name *row;

	(void)state;
	for (row = rule_names; row->code != NULL; row++) {
		if (ingest_county_rule(row->code))
			continue;
		if (ingest_rule_find(row->code) == NULL)
			fail_msg("%s is named but the county takes no such rule", row->code);
		assert_non_null(row->en);
		assert_non_null(row->zh);
		assert_true(row->en[0] != '\0' && row->zh[0] != '\0');
	}
}

/* The console's Chinese (the table's) and gettext's (the catalogue's) are one. */
static void
the_consoles_chinese_is_the_catalogues(void **state)
{
	const struct rule_name *row;
	struct i18n_speech speech;
	char dir[4096];
	const char *build = getenv("BUILD");

	(void)state;
	assert_non_null(build);
	snprintf(dir, sizeof(dir), "%s/locale", build);
	setenv("GAS_LOCALEDIR", dir, 1);
	unsetenv("LANGUAGE");
	i18n_init();
	assert_int_equal(i18n_speak("zh_CN.UTF-8", &speech), 0);
	for (row = rule_names; row->code != NULL; row++)
		if (strcmp(gettext(row->en), row->zh) != 0)
			fail_msg("%s: the console says \"%s\", zh_CN.po \"%s\"", row->code, row->zh,
			    gettext(row->en));
	i18n_speak_end(&speech);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_rule_raised_has_a_name),
		cmocka_unit_test(no_name_for_a_rule_nobody_raises),
		cmocka_unit_test(the_consoles_chinese_is_the_catalogues),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
