/*
 * weight: weights written as the fixed decimals they are (to the gram), in
 * text and in JSON, as a table of {kg, text, JSON} ending in a sentinel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "weight.h"

static void
weights_are_written_to_the_gram(void **state)
{
	const struct {
		double kg;
		const char *text;
		const char *json;
	} rows[] = {
		{ 14.841, "14.841", "14.841" },
		{ 0.1 + 0.2, "0.300", "0.3" },
		{ 14.9, "14.900", "14.9" },
		{ 49.5, "49.500", "49.5" },
		{ 15.0, "15.000", "15.0" },
		{ 14.8406, "14.841", "14.841" },
		{ 30.4 - 15.5, "14.900", "14.9" },
		{ 0.001, "0.001", "0.001" },
		{ -0.0004, "0.000", "0.0" }, /* never "-0" */
		{ -0.25, "-0.250", "-0.25" },
		{ 999999.999, "999999.999", "999999.999" },
		{ NAN, "-", "null" },
		{ INFINITY, "-", "null" },
		{ 0, NULL, NULL },
	};
	char text[WEIGHT_TEXT], *json;
	json_t *j;

	(void)state;
	for (int i = 0; rows[i].text != NULL; i++) {
		weight_format(rows[i].kg, text);
		if (strcmp(text, rows[i].text) != 0)
			fail_msg("row %d: text '%s', expected '%s'", i, text, rows[i].text);
		j = weight_json(rows[i].kg);
		assert_non_null(j);
		json = json_dumps(j, JSON_ENCODE_ANY | WEIGHT_JSON_PRECISION);
		json_decref(j);
		assert_non_null(json);
		if (strcmp(json, rows[i].json) != 0)
			fail_msg("row %d: JSON '%s', expected '%s'", i, json, rows[i].json);
		free(json);
	}
}

/* Inside a document, beside other values, with the layout flags. */
static void
a_document_of_weights_has_no_float_noise(void **state)
{
	json_t *o = json_object();
	char *text;

	(void)state;
	json_object_set_new(o, "net", weight_json(14.841));
	json_object_set_new(o, "gross", weight_json(15.2 + 14.841));
	json_object_set_new(o, "line", json_integer(3));
	text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | WEIGHT_JSON_PRECISION);
	json_decref(o);
	assert_string_equal(text, "{\"gross\":30.041,\"line\":3,\"net\":14.841}");
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(weights_are_written_to_the_gram),
		cmocka_unit_test(a_document_of_weights_has_no_float_noise),
	};
	return cmocka_run_group_tests_name("weight", tests, NULL, NULL);
}
