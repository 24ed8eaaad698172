/*
 * weight: weights shown as the fixed decimals they are.
 *
 * Weights are kg in doubles (a scale's reading, a fill's net), meaningful to
 * the gram.  A double cannot hold 14.841 exactly, and written with all its
 * digits it reads 14.840999999999999.  Every weight a person or a program
 * reads goes through here: rounded to the gram, then written with three
 * decimals (tables, CSV: "14.841", "0.300") or as a JSON number with no more
 * digits than the gram needs (14.841, 0.3).
 */
#ifndef GAS_WEIGHT_H
#define GAS_WEIGHT_H

#include <jansson.h>

#define WEIGHT_TEXT 32

/*
 * json_dumps flags for a document holding weight_json values: every real
 * rounded to the gram (below 10^12 kg) has at most 15 significant digits,
 * which a double holds exactly, so it is written as that decimal.  Use it
 * (or'ed with the layout flags) wherever such a document is written.
 */
#define WEIGHT_JSON_PRECISION JSON_REAL_PRECISION(15)

/* kg rounded to the gram; -0 becomes 0; NaN and infinities stay as they are. */
double weight_grams(double kg);

/* kg to the gram with three decimals ("14.841"); "-" for NaN or infinity. */
void weight_format(double kg, char out[WEIGHT_TEXT]);

/* A JSON real of kg rounded to the gram (JSON null for NaN or infinity);
 * a new reference, NULL only when out of memory. */
json_t *weight_json(double kg);

#endif
