/*
 * Fuzz target for the registry file parser: the CSV reader and the row
 * validation of registry.c, which read files that come from outside the
 * station.  Checks, besides sanitizer reports: the reader always makes
 * progress and ends, line numbers never go backwards, and an accepted row
 * holds a valid serial and a fill mass within its model's maximum.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code.h"
#include "csv.h"
#include "registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct registry_columns cols;
	struct registry_row row;
	struct csv_reader *r;
	struct csv_row csv;
	unsigned long last_line = 0, records = 0;
	char err[256];
	int n, have_cols = 0;
	FILE *fp;

	if (size == 0 || (fp = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	if ((r = csv_open(fp)) == NULL)
		abort();
	while ((n = csv_next(r, &csv, err, sizeof(err))) != 0) {
		if (n == -2 || csv.line < last_line || ++records > size + 1)
			abort();
		last_line = csv.line;
		if (n < 0)
			continue;
		if (!have_cols) {
			have_cols = registry_columns_parse(&csv, &cols, err, sizeof(err)) == 0;
			continue;
		}
		if (registry_parse_row(&cols, &csv, NULL, 0, &row, err, sizeof(err)) == 0) {
			const struct code_model *m = code_model_by_name(row.model);

			if (!code_serial_valid(row.serial) || m == NULL || row.fill_g > m->fill_g ||
			    row.fill_g <= 0 || row.tare_g <= 0)
				abort();
		}
	}
	csv_close(r);
	fclose(fp);
	return 0;
}
