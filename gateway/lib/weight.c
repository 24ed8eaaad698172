/*
 * weight: weights to the gram, as text and as JSON (weight.h).
 */
#include "weight.h"

#include <math.h>
#include <stdio.h>

double
weight_grams(double kg)
{
	if (!isfinite(kg))
		return kg;
	/* + 0.0 turns the -0 of a tiny negative reading into 0 */
	return round(kg * 1000.0) / 1000.0 + 0.0;
}

void
weight_format(double kg, char out[WEIGHT_TEXT])
{
	if (!isfinite(kg))
		snprintf(out, WEIGHT_TEXT, "-");
	else
		snprintf(out, WEIGHT_TEXT, "%.3f", weight_grams(kg));
}

json_t *
weight_json(double kg)
{
	return isfinite(kg) ? json_real(weight_grams(kg)) : json_null();
}
