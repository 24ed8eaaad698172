/*
 * Benchmark: import a county's whole stock (50,000 cylinders) into a fresh
 * station database, the aim being under 5 seconds (issue 4).  Two runs: the
 * registry CSV as counties hand it out, and the same rows with signed codes
 * verified on import (--pub), which adds one Ed25519 verification per row.
 * Prints seconds, rows/s and the ratio to the aim (below 1.00 meets it).
 * Usage: bench_registry [ROWS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "code.h"
#include "registry.h"
#include "store.h"
#include "util.h"

#define AIM_SECONDS 5.0

static int
write_registry(const char *path, long rows, const struct code_key *key)
{
	static const char *const models[] = { "YSP35.5", "YSP118", "YSP12", "YSP26.2", "YSP4.7" };
	static const int tares[] = { 15200, 48500, 6100, 13600, 4200 };
	FILE *fp = fopen(path, "w");
	char code[CODE_MAX_LEN + 1], err[256];
	long i;

	if (fp == NULL)
		return -1;
	fprintf(fp, "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status%s\n",
	    key != NULL ? ",code" : "");
	for (i = 0; i < rows; i++) {
		int m = (int)(i % 5), year = 2008 + (int)(i % 17), month = 1 + (int)(i % 12);
		const struct code_model *model = code_model_by_name(models[m]);

		fprintf(fp, "LY%08ld,%s,%04d-%02d,%.2f,%.1f,Longyou Gas Co.,%s,%s", i, models[m],
		    year, month, tares[m] / 1000.0, model->fill_g / 1000.0,
		    i % 3 == 0 ? "" : "2025-06-15", i % 50 == 0 ? "scrapped" : "active");
		if (key != NULL) {
			struct code_record rec = { .county = 330825,
				.model = model->id,
				.year = year,
				.month = month,
				.tare_g = tares[m],
				.fill_g = model->fill_g };

			snprintf(rec.serial, sizeof(rec.serial), "LY%08ld", i);
			if (code_encode(&rec, key, code, sizeof(code), err, sizeof(err)) == -1) {
				fprintf(stderr, "bench_registry: %s\n", err);
				fclose(fp);
				return -1;
			}
			fprintf(fp, ",%s", code);
		}
		fputc('\n', fp);
	}
	return fclose(fp) == 0 ? 0 : -1;
}

static int
run(const char *dir, const char *name, long rows, const struct code_key *key)
{
	char csv[256], db_path[256], err[512];
	struct registry_import_opts opts = { .key = key, .county = 330825 };
	struct registry_import_result res;
	sqlite3 *db;
	int64_t start;
	double seconds;

	snprintf(csv, sizeof(csv), "%s/%s.csv", dir, name);
	snprintf(db_path, sizeof(db_path), "%s/%s.db", dir, name);
	if (write_registry(csv, rows, key) == -1) {
		fprintf(stderr, "bench_registry: cannot write %s\n", csv);
		return -1;
	}
	if (store_open(db_path, schema_station, 0, &db, err, sizeof(err)) == -1) {
		fprintf(stderr, "bench_registry: %s\n", err);
		return -1;
	}
	start = time_mono_ms();
	if (registry_import(db, csv, &opts, &res, err, sizeof(err)) == -1) {
		fprintf(stderr, "bench_registry: %s\n", err);
		store_close(db);
		return -1;
	}
	seconds = (double)(time_mono_ms() - start) / 1000.0;
	store_close(db);
	if (res.inserted != (unsigned long)rows || res.rejected != 0) {
		fprintf(stderr, "bench_registry: %s: %lu of %ld rows imported\n", name,
		    res.inserted, rows);
		return -1;
	}
	printf("registry import (%s): %ld rows in %.2f s, %.0f rows/s, write lock held %.2f s; "
	       "aim < %.0f s for 50000: ratio %.2f\n",
	    name, rows, seconds, rows / (seconds > 0 ? seconds : 1e-3),
	    (double)res.locked_ms / 1000.0, AIM_SECONDS,
	    seconds / AIM_SECONDS * 50000.0 / (double)rows);
	unlink(csv);
	unlink(db_path);
	return 0;
}

int
main(int argc, char **argv)
{
	long rows = argc > 1 ? strtol(argv[1], NULL, 10) : 50000;
	char dir[] = "/tmp/bench_registry.XXXXXX", cmd[128];
	struct code_key *key;
	uint8_t seed[CODE_SEED_LEN];
	int i, rc = 0;

	if (rows <= 0 || mkdtemp(dir) == NULL)
		return 2;
	for (i = 0; i < CODE_SEED_LEN; i++)
		seed[i] = (uint8_t)i;
	key = code_key_from_seed(seed, NULL, 0);
	if (run(dir, "plain", rows, NULL) == -1 || run(dir, "codes-verified", rows, key) == -1)
		rc = 1;
	code_key_free(key);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
