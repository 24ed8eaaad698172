/*
 * registry: the county cylinder registry imported into the station database,
 * and the station's operators and buyers.  The import policy (valid rows in
 * one transaction, rejected rows reported and skipped, nothing at all when the
 * transaction fails) is stated in registry.h and docs/registry.md.
 *
 * Speed: a county's 50,000 cylinders must import in well under 5 seconds, so
 * the whole file is one transaction with one prepared upsert; duplicates
 * within the file are found with an in-memory hash of serials rather than a
 * query per row.
 */
#include "registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buyer.h"
#include "store.h"
#include "util.h"
#include "wire.h"

#define REGISTRY_TARE_MAX_G 200000
#define REGISTRY_ADDRESS_MAX 256
#define REGISTRY_NAME_MAX 128

static const struct {
	const char *name;
	size_t offset;
	int required;
} registry_column_names[] = {
	{ "serial", offsetof(struct registry_columns, serial), 1 },
	{ "model", offsetof(struct registry_columns, model), 1 },
	{ "manufactured", offsetof(struct registry_columns, manufactured), 1 },
	{ "tare_kg", offsetof(struct registry_columns, tare_kg), 1 },
	{ "fill_kg", offsetof(struct registry_columns, fill_kg), 1 },
	{ "owner", offsetof(struct registry_columns, owner), 1 },
	{ "last_inspection", offsetof(struct registry_columns, last_inspection), 1 },
	{ "status", offsetof(struct registry_columns, status), 1 },
	{ "code", offsetof(struct registry_columns, code), 0 },
};
#define REGISTRY_NCOLUMNS (sizeof(registry_column_names) / sizeof(registry_column_names[0]))

static int *
registry_column_slot(struct registry_columns *cols, size_t i)
{
	return (int *)(void *)((char *)cols + registry_column_names[i].offset);
}

int
registry_columns_parse(const struct csv_row *header, struct registry_columns *cols, char *err,
    size_t errlen)
{
	size_t i;
	int f;

	for (i = 0; i < REGISTRY_NCOLUMNS; i++)
		*registry_column_slot(cols, i) = -1;
	for (f = 0; f < header->nfields; f++) {
		for (i = 0; i < REGISTRY_NCOLUMNS; i++) {
			if (strcasecmp(header->fields[f], registry_column_names[i].name) != 0)
				continue;
			if (*registry_column_slot(cols, i) != -1)
				return err_set(err, errlen, "column %s appears twice in the header",
				    registry_column_names[i].name);
			*registry_column_slot(cols, i) = f;
		}
	}
	for (i = 0; i < REGISTRY_NCOLUMNS; i++)
		if (registry_column_names[i].required && *registry_column_slot(cols, i) == -1)
			return err_set(err, errlen,
			    "header lacks the column %s (expected "
			    "serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,"
			    "status and optionally code)",
			    registry_column_names[i].name);
	return 0;
}

/* Field text of a column, "" when the row is shorter. */
static const char *
registry_field(const struct csv_row *row, int column, size_t *len)
{
	if (column < 0 || column >= row->nfields) {
		*len = 0;
		return "";
	}
	*len = row->lengths[column];
	return row->fields[column];
}

/* YYYY-MM-DD or YYYY-MM, digits where digits belong. */
static int
registry_parse_date(const char *text, size_t len, int32_t *days)
{
	size_t i;

	if (len != 7 && len != 10)
		return -1;
	for (i = 0; i < len; i++) {
		int dash = (i == 4 || i == 7);

		if (dash ? text[i] != '-' : (text[i] < '0' || text[i] > '9'))
			return -1;
	}
	return date_parse(text, days);
}

/* A mass in kg with at most two decimals (10 g steps) into grams. */
static int
registry_parse_kg(const char *text, size_t len, int *grams)
{
	long whole = 0;
	int frac = 0, digits = 0;
	size_t i = 0;

	if (len == 0 || len > 10)
		return -1;
	for (; i < len && text[i] >= '0' && text[i] <= '9'; i++)
		whole = whole * 10 + (text[i] - '0');
	if (i == 0)
		return -1;
	if (i < len) {
		if (text[i++] != '.' || i == len)
			return -1;
		for (; i < len; i++, digits++) {
			if (text[i] < '0' || text[i] > '9')
				return -1;
			if (digits >= 2) {
				if (text[i] != '0')
					return -1;
				continue;
			}
			frac = frac * 10 + (text[i] - '0');
		}
		if (digits == 1)
			frac *= 10;
	}
	if (whole > 1000)
		return -1;
	*grams = (int)(whole * 1000 + frac * 10);
	return 0;
}

static int
registry_text_ok(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f)
			return 0;
	return 1;
}

/* The row's code verifies under key and carries the row's identity. */
static int
registry_check_code(const struct registry_row *row, const struct code_key *key, uint32_t county,
    char *err, size_t errlen)
{
	const struct code_model *model = code_model_by_name(row->model);
	struct code_record rec;
	char why[160];
	int y, m, d;

	if (code_decode(row->code, strlen(row->code), key, &rec, why, sizeof(why)) == -1)
		return err_set(err, errlen, "code refused: %s", why);
	date_from_days(row->manufactured, &y, &m, &d);
	if (strcmp(rec.serial, row->serial) != 0)
		return err_set(err, errlen, "code is for serial %s, not this row's", rec.serial);
	if (model == NULL || rec.model != model->id || rec.year != y || rec.month != m ||
	    rec.tare_g != row->tare_g || rec.fill_g != row->fill_g)
		return err_set(err, errlen,
		    "code's model, manufacture month, tare or fill mass "
		    "differ from this row's");
	if (county != 0 && rec.county != county)
		return err_set(err, errlen, "code is of county %06u, not %06u", rec.county, county);
	return 0;
}

int
registry_parse_row(const struct registry_columns *cols, const struct csv_row *row,
    const struct code_key *key, uint32_t county, struct registry_row *out, char *err, size_t errlen)
{
	const struct code_model *model;
	const char *t;
	size_t len;
	int32_t today = date_today();
	char date[11];

	memset(out, 0, sizeof(*out));
	out->last_inspection = -1;
	if (row->nfields < 2 && row->lengths[0] == 0)
		return err_set(err, errlen, "empty row");

	t = registry_field(row, cols->serial, &len);
	if (len == 0)
		return err_set(err, errlen, "serial is empty");
	if (len != strlen(t) || !code_serial_valid(t))
		return err_set(err, errlen,
		    "serial must be 1 to %d characters of A-Z, a-z, "
		    "0-9, '-', '.', '_', starting with a letter or digit",
		    CODE_SERIAL_MAX);
	str_copy(out->serial, t, sizeof(out->serial));

	t = registry_field(row, cols->model, &len);
	if ((model = code_model_by_name(t)) == NULL || len != strlen(t))
		return err_set(err, errlen,
		    "model '%.16s' is not one of YSP4.7, YSP12, YSP26.2, "
		    "YSP35.5, YSP118",
		    t);
	str_copy(out->model, model->name, sizeof(out->model));

	t = registry_field(row, cols->manufactured, &len);
	if (registry_parse_date(t, len, &out->manufactured) == -1)
		return err_set(err, errlen,
		    "manufactured '%.16s' is not a date (YYYY-MM-DD or "
		    "YYYY-MM)",
		    t);
	if (out->manufactured > today)
		return err_set(err, errlen, "manufactured %.10s is in the future", t);

	t = registry_field(row, cols->tare_kg, &len);
	if (registry_parse_kg(t, len, &out->tare_g) == -1 || out->tare_g <= 0 ||
	    out->tare_g > REGISTRY_TARE_MAX_G)
		return err_set(err, errlen,
		    "tare_kg '%.16s' is not a mass in kg (0.01 to %d, "
		    "at most two decimals)",
		    t, REGISTRY_TARE_MAX_G / 1000);

	t = registry_field(row, cols->fill_kg, &len);
	if (len == 0) {
		out->fill_g = model->fill_g;
	} else if (registry_parse_kg(t, len, &out->fill_g) == -1 || out->fill_g <= 0) {
		return err_set(err, errlen,
		    "fill_kg '%.16s' is not a mass in kg (at most two "
		    "decimals)",
		    t);
	} else if (out->fill_g > model->fill_g) {
		return err_set(err, errlen, "fill_kg %.2f exceeds %.1f, the most a %s may hold",
		    out->fill_g / 1000.0, model->fill_g / 1000.0, model->name);
	}

	t = registry_field(row, cols->owner, &len);
	if (len == 0)
		return err_set(err, errlen, "owner is empty");
	if (len > REGISTRY_OWNER_MAX || !registry_text_ok(t, len))
		return err_set(err, errlen,
		    "owner is longer than %d bytes or holds control "
		    "characters",
		    REGISTRY_OWNER_MAX);
	memcpy(out->owner, t, len);
	out->owner[len] = '\0';

	t = registry_field(row, cols->last_inspection, &len);
	if (len > 0) {
		if (registry_parse_date(t, len, &out->last_inspection) == -1)
			return err_set(err, errlen,
			    "last_inspection '%.16s' is not a date "
			    "(YYYY-MM-DD or YYYY-MM)",
			    t);
		if (out->last_inspection > today)
			return err_set(err, errlen, "last_inspection %.10s is in the future", t);
		if (out->last_inspection < out->manufactured) {
			date_format(out->manufactured, date);
			return err_set(err, errlen,
			    "last_inspection %.10s is before the "
			    "manufacture date %s",
			    t, date);
		}
	}

	t = registry_field(row, cols->status, &len);
	if (len != strlen(t) ||
	    (strcmp(t, "active") != 0 && strcmp(t, "scrapped") != 0 && strcmp(t, "retired") != 0))
		return err_set(err, errlen, "status '%.16s' is not active, scrapped or retired", t);
	str_copy(out->status, t, sizeof(out->status));

	t = registry_field(row, cols->code, &len);
	if (len > 0) {
		if (len > CODE_MAX_LEN || len != strlen(t))
			return err_set(err, errlen, "code is too long to be a cylinder code");
		memcpy(out->code, t, len);
		out->code[len] = '\0';
		if (key != NULL)
			return registry_check_code(out, key, county, err, errlen);
	}
	return 0;
}

int32_t
registry_next_inspection(const struct registry_row *row, int cycle_years)
{
	int32_t base = row->last_inspection >= 0 ? row->last_inspection : row->manufactured;
	int y, m, d;

	if (cycle_years <= 0)
		cycle_years = REGISTRY_CYCLE_YEARS;
	date_from_days(base, &y, &m, &d);
	y += cycle_years;
	if (m == 2 && d == 29 && !date_valid(y, 2, 29))
		d = 28;
	return date_to_days(y, m, d);
}

/* ---- serials seen in one file (open addressing, grows by doubling) ----------- */

struct registry_seen_slot {
	char serial[CODE_SERIAL_MAX + 1];
	unsigned long line;
};

struct registry_serials {
	struct registry_seen_slot *slots;
	size_t cap, used;
};

static uint64_t
registry_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct registry_serials *
registry_serials_new(void)
{
	return calloc(1, sizeof(struct registry_serials));
}

void
registry_serials_free(struct registry_serials *set)
{
	if (set == NULL)
		return;
	free(set->slots);
	free(set);
}

enum registry_serial_add
registry_serials_add(struct registry_serials *seen, const char *serial, unsigned long line,
    unsigned long *first)
{
	size_t i;

	if ((seen->used + 1) * 2 > seen->cap) {
		size_t cap = seen->cap ? seen->cap * 2 : 1024, j;
		struct registry_seen_slot *slots = calloc(cap, sizeof(*slots));

		if (slots == NULL)
			return REGISTRY_SERIAL_NO_MEMORY;
		for (j = 0; j < seen->cap; j++) {
			if (seen->slots[j].serial[0] == '\0')
				continue;
			i = registry_hash(seen->slots[j].serial) & (cap - 1);
			while (slots[i].serial[0] != '\0')
				i = (i + 1) & (cap - 1);
			slots[i] = seen->slots[j];
		}
		free(seen->slots);
		seen->slots = slots;
		seen->cap = cap;
	}
	i = registry_hash(serial) & (seen->cap - 1);
	while (seen->slots[i].serial[0] != '\0') {
		if (strcmp(seen->slots[i].serial, serial) == 0) {
			*first = seen->slots[i].line;
			return REGISTRY_SERIAL_SEEN;
		}
		i = (i + 1) & (seen->cap - 1);
	}
	str_copy(seen->slots[i].serial, serial, sizeof(seen->slots[i].serial));
	seen->slots[i].line = line;
	seen->used++;
	return REGISTRY_SERIAL_ADDED;
}

/* ---- code verification in parallel ------------------------------------------ */

/*
 * One Ed25519 verification costs about 0.1 ms, so a county's 50,000 codes take
 * seconds on one core.  The import therefore reads rows in batches, verifies
 * the codes of a batch on every core, then applies the batch in file order
 * (reports and upserts stay sequential and deterministic).
 */
#define REGISTRY_BATCH 512
#define REGISTRY_FILE_MAX (256 << 20) /* bytes of a registry file */
#define REGISTRY_THREADS_MAX 8

struct registry_pending {
	struct registry_row row;
	size_t index; /* data row number, 0-based */
	unsigned long line;
	int ok;
	char why[256];
};

struct registry_verify_job {
	struct registry_pending *batch;
	size_t count, first, step;
	const struct code_key *key;
	uint32_t county;
};

static void *
registry_verify_worker(void *arg)
{
	struct registry_verify_job *job = arg;
	size_t i;

	for (i = job->first; i < job->count; i += job->step) {
		struct registry_pending *p = &job->batch[i];

		if (p->ok && p->row.code[0] != '\0' &&
		    registry_check_code(&p->row, job->key, job->county, p->why, sizeof(p->why)) ==
		        -1)
			p->ok = 0;
	}
	return NULL;
}

static void
registry_verify_batch(struct registry_pending *batch, size_t count, const struct code_key *key,
    uint32_t county, int threads)
{
	struct registry_verify_job jobs[REGISTRY_THREADS_MAX];
	pthread_t tids[REGISTRY_THREADS_MAX];
	int t, started = 0;

	for (t = 0; t < threads; t++)
		jobs[t] = (struct registry_verify_job){ batch, count, (size_t)t, (size_t)threads,
			key, county };
	/* Threads 1..n-1 in the background, thread 0's share here; a thread that
	 * cannot start leaves its share to the loop below. */
	for (t = 1; t < threads; t++) {
		if (pthread_create(&tids[t], NULL, registry_verify_worker, &jobs[t]) != 0)
			break;
		started = t;
	}
	registry_verify_worker(&jobs[0]);
	for (t = 1; t <= started; t++)
		pthread_join(tids[t], NULL);
	for (t = started + 1; t < threads; t++)
		registry_verify_worker(&jobs[t]);
}

static int
registry_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > REGISTRY_THREADS_MAX ? REGISTRY_THREADS_MAX : (int)n;
}

/* ---- import ---------------------------------------------------------------- */

static const char registry_upsert_sql[] =
    "INSERT INTO cylinders (serial, code, model, manufactured, tare_kg, fill_kg, owner,"
    " last_inspection, next_inspection, status, registry_version, updated_ms)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    " ON CONFLICT (serial) DO UPDATE SET"
    "  code = coalesce(excluded.code, cylinders.code), model = excluded.model,"
    "  manufactured = excluded.manufactured, tare_kg = excluded.tare_kg,"
    "  fill_kg = excluded.fill_kg, owner = excluded.owner,"
    "  last_inspection = excluded.last_inspection,"
    "  next_inspection = excluded.next_inspection, status = excluded.status,"
    "  registry_version = excluded.registry_version, updated_ms = excluded.updated_ms"
    " WHERE cylinders.code IS NOT coalesce(excluded.code, cylinders.code)"
    "  OR cylinders.model IS NOT excluded.model"
    "  OR cylinders.manufactured IS NOT excluded.manufactured"
    "  OR cylinders.tare_kg IS NOT excluded.tare_kg"
    "  OR cylinders.fill_kg IS NOT excluded.fill_kg"
    "  OR cylinders.owner IS NOT excluded.owner"
    "  OR cylinders.last_inspection IS NOT excluded.last_inspection"
    "  OR cylinders.next_inspection IS NOT excluded.next_inspection"
    "  OR cylinders.status IS NOT excluded.status"
    "  OR cylinders.registry_version IS NOT excluded.registry_version";

static int
registry_bind_row(sqlite3_stmt *stmt, const struct registry_row *row, int cycle_years,
    int64_t version, int64_t now_ms)
{
	char manufactured[11], last[11], next[11];

	date_format(row->manufactured, manufactured);
	date_format(registry_next_inspection(row, cycle_years), next);
	sqlite3_reset(stmt);
	sqlite3_bind_text(stmt, 1, row->serial, -1, SQLITE_STATIC);
	if (row->code[0] != '\0')
		sqlite3_bind_text(stmt, 2, row->code, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(stmt, 2);
	sqlite3_bind_text(stmt, 3, row->model, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, manufactured, -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(stmt, 5, row->tare_g / 1000.0);
	sqlite3_bind_double(stmt, 6, row->fill_g / 1000.0);
	sqlite3_bind_text(stmt, 7, row->owner, -1, SQLITE_STATIC);
	if (row->last_inspection >= 0) {
		date_format(row->last_inspection, last);
		sqlite3_bind_text(stmt, 8, last, -1, SQLITE_TRANSIENT);
	} else {
		sqlite3_bind_null(stmt, 8);
	}
	sqlite3_bind_text(stmt, 9, next, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 10, row->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 11, version);
	sqlite3_bind_int64(stmt, 12, now_ms);
	return sqlite3_step(stmt);
}

/* Read the whole file (at most REGISTRY_FILE_MAX bytes) into memory, so that
 * both passes read the same bytes even if the file changes meanwhile. */
static int
registry_slurp(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	size_t cap = 0, n;
	char *data = NULL, *grown;

	*buf = NULL;
	*len = 0;
	if (fp == NULL)
		return err_set(err, errlen, "%s: %s", path, strerror(errno));
	for (;;) {
		if (*len == cap) {
			if (cap >= REGISTRY_FILE_MAX) {
				err_set(err, errlen, "%s: larger than %d MB", path,
				    REGISTRY_FILE_MAX >> 20);
				goto fail;
			}
			cap = cap == 0 ? 1 << 20 : cap * 2;
			if ((grown = realloc(data, cap)) == NULL) {
				err_set(err, errlen, "out of memory");
				goto fail;
			}
			data = grown;
		}
		n = fread(data + *len, 1, cap - *len, fp);
		*len += n;
		if (n == 0) {
			if (ferror(fp)) {
				err_set(err, errlen, "%s: %s", path, strerror(errno));
				goto fail;
			}
			break;
		}
	}
	fclose(fp);
	*buf = data;
	return 0;
fail:
	fclose(fp);
	free(data);
	*len = 0;
	return -1;
}

struct registry_import_ctx {
	const char *path;
	const struct registry_import_opts *opts;
	const char *buf;
	size_t len;
	struct registry_pending *batch;
	int threads;
	/* pass 1: one byte per data row, 1 when its code verified */
	uint8_t *verified;
	size_t nrows, cap;
};

/*
 * Read one batch of data rows (checked without their signatures) from r.
 * Returns the row count; *eof at the end; -1 on a read error.
 */
static long
registry_read_batch(struct registry_import_ctx *ctx, struct csv_reader *r,
    const struct registry_columns *cols, unsigned long *rows, int *eof, char *err, size_t errlen)
{
	struct csv_row csv;
	long count = 0;
	int n;

	while (count < REGISTRY_BATCH) {
		struct registry_pending *p = &ctx->batch[count];

		n = csv_next(r, &csv, p->why, sizeof(p->why));
		if (n == 0) {
			*eof = 1;
			break;
		}
		if (n == -2)
			return err_set(err, errlen, "%s: %s", ctx->path, p->why);
		p->index = (*rows)++;
		p->line = csv.line;
		p->ok = n == 1 && registry_parse_row(cols, &csv, NULL, 0, &p->row, p->why,
		                      sizeof(p->why)) == 0;
		count++;
	}
	return count;
}

static struct csv_reader *
registry_open_memory(struct registry_import_ctx *ctx, FILE **fp, struct registry_columns *cols,
    char *err, size_t errlen)
{
	struct csv_reader *r;
	struct csv_row csv;
	char why[256];
	int n;

	/* fmemopen refuses a zero-length buffer */
	*fp = NULL;
	if (ctx->len == 0 || (*fp = fmemopen((void *)ctx->buf, ctx->len, "r")) == NULL) {
		err_set(err, errlen, "%s: empty file (no header row)", ctx->path);
		return NULL;
	}
	if ((r = csv_open(*fp)) == NULL) {
		fclose(*fp);
		*fp = NULL;
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	n = csv_next(r, &csv, why, sizeof(why));
	if (n == 0)
		err_set(err, errlen, "%s: empty file (no header row)", ctx->path);
	else if (n < 0 || registry_columns_parse(&csv, cols, why, sizeof(why)) == -1)
		err_set(err, errlen, "%s:%lu: %s", ctx->path, csv.line, why);
	else
		return r;
	csv_close(r);
	fclose(*fp);
	*fp = NULL;
	return NULL;
}

/*
 * Pass 1, outside any transaction: verify every code on every core and note
 * the rows whose code verified.  The write lock of pass 2 is then held only
 * for parsing and upserting (a fraction of a second for a county), not for
 * seconds of Ed25519, so gasgw's fill records never wait long behind an
 * import.
 */
static int
registry_verify_pass(struct registry_import_ctx *ctx, char *err, size_t errlen)
{
	const struct registry_import_opts *opts = ctx->opts;
	struct registry_columns cols;
	struct csv_reader *r;
	unsigned long rows = 0;
	FILE *fp;
	long count, i;
	int eof = 0, rc = -1;

	if ((r = registry_open_memory(ctx, &fp, &cols, err, errlen)) == NULL)
		return -1;
	while (!eof) {
		if ((count = registry_read_batch(ctx, r, &cols, &rows, &eof, err, errlen)) < 0)
			goto out;
		registry_verify_batch(ctx->batch, (size_t)count, opts->key, opts->county,
		    ctx->threads);
		if (ctx->nrows + (size_t)count > ctx->cap) {
			size_t cap = ctx->cap ? ctx->cap * 2 : 4096;
			uint8_t *grown;

			while (cap < ctx->nrows + (size_t)count)
				cap *= 2;
			if ((grown = realloc(ctx->verified, cap)) == NULL) {
				err_set(err, errlen, "out of memory");
				goto out;
			}
			ctx->verified = grown;
			ctx->cap = cap;
		}
		for (i = 0; i < count; i++)
			ctx->verified[ctx->nrows++] = (uint8_t)ctx->batch[i].ok;
		if (opts->progress != NULL)
			opts->progress(opts->arg, csv_offset(r) / 2, ctx->len, rows);
	}
	rc = 0;
out:
	csv_close(r);
	fclose(fp);
	return rc;
}

int
registry_import(sqlite3 *db, const char *path, const struct registry_import_opts *opts,
    struct registry_import_result *result, char *err, size_t errlen)
{
	static const struct registry_import_opts no_opts;
	struct registry_import_ctx ctx;
	struct registry_columns cols;
	struct registry_serials *seen = NULL;
	struct registry_import_result res;
	struct csv_reader *reader = NULL;
	sqlite3_stmt *stmt = NULL;
	unsigned long first, changed = 0, valid = 0;
	int64_t before, locked_from, now_ms = time_wall_ms();
	char *buf = NULL, why[256];
	FILE *fp = NULL;
	int rc = -1, in_tx = 0, eof = 0;
	long count, i;

	memset(&res, 0, sizeof(res));
	memset(&ctx, 0, sizeof(ctx));
	if (result != NULL)
		memset(result, 0, sizeof(*result));
	if (opts == NULL)
		opts = &no_opts;
	if (registry_slurp(path, &buf, &ctx.len, err, errlen) == -1)
		return -1;
	ctx.path = path;
	ctx.opts = opts;
	ctx.buf = buf;
	ctx.threads = registry_threads();
	if ((seen = registry_serials_new()) == NULL ||
	    (ctx.batch = calloc(REGISTRY_BATCH, sizeof(*ctx.batch))) == NULL) {
		err_set(err, errlen, "out of memory");
		goto out;
	}
	if (opts->key != NULL && registry_verify_pass(&ctx, err, errlen) == -1)
		goto out;
	if ((reader = registry_open_memory(&ctx, &fp, &cols, err, errlen)) == NULL)
		goto out;

	if (store_begin(db, why, sizeof(why)) == -1) {
		err_set(err, errlen, "%s", why);
		goto out;
	}
	in_tx = 1;
	locked_from = time_mono_ms();
	before = store_query_int(db, "SELECT count(*) FROM cylinders", 0);
	if (store_prepare(db, registry_upsert_sql, &stmt, why, sizeof(why)) == -1) {
		err_set(err, errlen, "%s", why);
		goto out;
	}
	while (!eof) {
		if ((count = registry_read_batch(&ctx, reader, &cols, &res.rows, &eof, err,
		         errlen)) < 0)
			goto out;
		for (i = 0; i < count; i++) {
			struct registry_pending *p = &ctx.batch[i];

			/* a code pass 1 did not verify is checked again for its reason */
			if (p->ok && opts->key != NULL && p->row.code[0] != '\0' &&
			    (p->index >= ctx.nrows || !ctx.verified[p->index]) &&
			    registry_check_code(&p->row, opts->key, opts->county, p->why,
			        sizeof(p->why)) == -1)
				p->ok = 0;
			if (p->ok) {
				enum registry_serial_add added =
				    registry_serials_add(seen, p->row.serial, p->line, &first);

				if (added == REGISTRY_SERIAL_NO_MEMORY) {
					err_set(err, errlen, "out of memory");
					goto out;
				}
				if (added == REGISTRY_SERIAL_SEEN) {
					snprintf(p->why, sizeof(p->why),
					    "serial %s appears again "
					    "(first on line %lu)",
					    p->row.serial, first);
					p->ok = 0;
				}
			}
			if (!p->ok) {
				res.rejected++;
				if (opts->reject != NULL)
					opts->reject(opts->arg, path, p->line, p->why);
				continue;
			}
			if (registry_bind_row(stmt, &p->row, opts->cycle_years,
			        opts->registry_version, now_ms) != SQLITE_DONE) {
				err_set(err, errlen, "%s:%lu: database refused the row: %s", path,
				    p->line, sqlite3_errmsg(db));
				goto out;
			}
			changed += (unsigned long)sqlite3_changes(db);
			valid++;
		}
		if (opts->progress != NULL)
			opts->progress(opts->arg,
			    opts->key != NULL ? ctx.len / 2 + csv_offset(reader) / 2
			                      : csv_offset(reader),
			    ctx.len, res.rows);
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	res.inserted =
	    (unsigned long)(store_query_int(db, "SELECT count(*) FROM cylinders", 0) - before);
	res.updated = changed - res.inserted;
	res.unchanged = valid - changed;
	if (store_commit(db, why, sizeof(why)) == -1) {
		err_set(err, errlen, "%s", why);
		goto out;
	}
	in_tx = 0;
	res.locked_ms = time_mono_ms() - locked_from;
	if (result != NULL)
		*result = res;
	rc = 0;
out:
	sqlite3_finalize(stmt);
	if (in_tx)
		store_rollback(db);
	registry_serials_free(seen);
	csv_close(reader);
	if (fp != NULL)
		fclose(fp);
	free(ctx.batch);
	free(ctx.verified);
	free(buf);
	return rc;
}

/* ---- operators and buyers ---------------------------------------------------- */

static int
registry_exec_one(sqlite3 *db, sqlite3_stmt *stmt, char *err, size_t errlen)
{
	char why[256];

	if (store_begin(db, why, sizeof(why)) == -1)
		return err_set(err, errlen, "%s", why);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		err_set(err, errlen, "database refused: %s", sqlite3_errmsg(db));
		store_rollback(db);
		return -1;
	}
	if (store_commit(db, why, sizeof(why)) == -1)
		return err_set(err, errlen, "%s", why);
	return 0;
}

int
registry_operator_add(sqlite3 *db, const char *cert, const char *name, const char *expires,
    char *err, size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	int32_t days;
	size_t i, len = strlen(cert);
	char why[256], date[11];
	int rc;

	if (len == 0 || len > REGISTRY_CERT_MAX)
		return err_set(err, errlen, "certificate number must be 1 to %d characters",
		    REGISTRY_CERT_MAX);
	for (i = 0; i < len; i++)
		if ((unsigned char)cert[i] <= 0x20 || cert[i] == 0x7f)
			return err_set(err, errlen,
			    "certificate number holds spaces or control "
			    "characters");
	if (name[0] == '\0' || strlen(name) > REGISTRY_NAME_MAX ||
	    !registry_text_ok(name, strlen(name)))
		return err_set(err, errlen,
		    "name must be 1 to %d bytes without control "
		    "characters",
		    REGISTRY_NAME_MAX);
	if (strlen(expires) != 10 || registry_parse_date(expires, 10, &days) == -1)
		return err_set(err, errlen, "expiry '%.16s' is not a date YYYY-MM-DD", expires);
	date_format(days, date);
	if (store_prepare(db,
	        "INSERT INTO operators (cert, name, expires, active, created_ms)"
	        " VALUES (?1, ?2, ?3, 1, ?4) ON CONFLICT (cert) DO UPDATE SET name = excluded.name,"
	        " expires = excluded.expires, active = 1",
	        &stmt, why, sizeof(why)) == -1)
		return err_set(err, errlen, "%s", why);
	sqlite3_bind_text(stmt, 1, cert, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, date, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, time_wall_ms());
	rc = registry_exec_one(db, stmt, err, errlen);
	sqlite3_finalize(stmt);
	return rc;
}

int
registry_buyer_add(sqlite3 *db, const struct buyer_key *key, const struct buyer_number *n,
    const char *township, const char *address, int delivery, char id_out[65], char *err,
    size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	char id[BUYER_ID_LEN + 1], mask[BUYER_MASK_LEN + 1], why[256];
	size_t i, len = strlen(township);
	int rc;

	if (id_out != NULL)
		id_out[0] = '\0';
	if (len != 9 && len != 12)
		return err_set(err, errlen, "township code must be 9 or 12 digits");
	for (i = 0; i < len; i++)
		if (township[i] < '0' || township[i] > '9')
			return err_set(err, errlen, "township code must be 9 or 12 digits");
	if (strlen(address) > REGISTRY_ADDRESS_MAX || !registry_text_ok(address, strlen(address)))
		return err_set(err, errlen,
		    "address must be at most %d bytes without control "
		    "characters",
		    REGISTRY_ADDRESS_MAX);
	if (n->kind != BUYER_HOUSEHOLD && n->kind != BUYER_BUSINESS)
		return err_set(err, errlen, "buyer number has not been validated");
	if (buyer_id(key, n, id) == -1)
		return err_set(err, errlen, "cannot compute the buyer id");
	buyer_mask(n, mask);
	if (store_prepare(db,
	        "INSERT INTO buyers (id, masked, kind, township, address,"
	        " created_ms, delivery) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO"
	        " UPDATE SET township = excluded.township, address = excluded.address,"
	        " delivery = excluded.delivery",
	        &stmt, why, sizeof(why)) == -1)
		return err_set(err, errlen, "%s", why);
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, mask, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, buyer_kind_name(n->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, township, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, time_wall_ms());
	sqlite3_bind_int(stmt, 7, delivery != 0);
	rc = registry_exec_one(db, stmt, err, errlen);
	sqlite3_finalize(stmt);
	if (rc == 0 && id_out != NULL)
		memcpy(id_out, id, BUYER_ID_LEN + 1);
	return rc;
}

/* ---- look-ups ------------------------------------------------------------------ */

int64_t
registry_version_held(sqlite3 *db)
{
	return store_query_int(db,
	    "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'registry_version'", 0);
}

/* An operator's and a buyer's row, the same for a look-up and a listing. */
#define OPERATOR_COLUMNS "SELECT cert, name, expires, active"
#define BUYER_COLUMNS "SELECT id, masked, kind, township, address, delivery"

static void
operator_row(sqlite3_stmt *stmt, struct registry_operator *out)
{
	store_column_copy(stmt, 0, out->cert, sizeof(out->cert));
	store_column_copy(stmt, 1, out->name, sizeof(out->name));
	store_column_copy(stmt, 2, out->expires, sizeof(out->expires));
	out->active = sqlite3_column_int(stmt, 3);
}

static void
buyer_row(sqlite3_stmt *stmt, struct registry_buyer *out)
{
	store_column_copy(stmt, 0, out->id, sizeof(out->id));
	store_column_copy(stmt, 1, out->masked, sizeof(out->masked));
	store_column_copy(stmt, 2, out->kind, sizeof(out->kind));
	store_column_copy(stmt, 3, out->township, sizeof(out->township));
	store_column_copy(stmt, 4, out->address, sizeof(out->address));
	out->delivery = sqlite3_column_int(stmt, 5) != 0;
}

/* Prepare sql, bind key to ?1 and step once. */
static enum store_found
registry_find(sqlite3 *db, const char *sql, const char *key, sqlite3_stmt **stmt, char *err,
    size_t errlen)
{
	char why[256];
	int rc;

	if (store_prepare(db, sql, stmt, why, sizeof(why)) == -1) {
		err_set(err, errlen, "%s", why);
		return STORE_ERROR;
	}
	sqlite3_bind_text(*stmt, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(*stmt);
	if (rc == SQLITE_ROW)
		return STORE_FOUND;
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	err_set(err, errlen, "database: %s", sqlite3_errmsg(db));
	return STORE_ERROR;
}

enum store_found
registry_cylinder_find(sqlite3 *db, const char *serial, struct registry_cylinder *out, char *err,
    size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	enum store_found rc;

	memset(out, 0, sizeof(*out));
	rc = registry_find(db,
	    "SELECT serial, code, model, manufactured, tare_kg, fill_kg, owner,"
	    " last_inspection, next_inspection, status, registry_version FROM cylinders"
	    " WHERE serial = ?1",
	    serial, &stmt, err, errlen);
	if (rc == STORE_FOUND) {
		store_column_copy(stmt, 0, out->serial, sizeof(out->serial));
		store_column_copy(stmt, 1, out->code, sizeof(out->code));
		store_column_copy(stmt, 2, out->model, sizeof(out->model));
		store_column_copy(stmt, 3, out->manufactured, sizeof(out->manufactured));
		out->tare_kg = sqlite3_column_double(stmt, 4);
		out->fill_kg = sqlite3_column_double(stmt, 5);
		store_column_copy(stmt, 6, out->owner, sizeof(out->owner));
		store_column_copy(stmt, 7, out->last_inspection, sizeof(out->last_inspection));
		store_column_copy(stmt, 8, out->next_inspection, sizeof(out->next_inspection));
		store_column_copy(stmt, 9, out->status, sizeof(out->status));
		out->registry_version = sqlite3_column_int64(stmt, 10);
	}
	sqlite3_finalize(stmt);
	return rc;
}

enum store_found
registry_operator_find(sqlite3 *db, const char *cert, struct registry_operator *out, char *err,
    size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	enum store_found rc;

	memset(out, 0, sizeof(*out));
	rc = registry_find(db, OPERATOR_COLUMNS " FROM operators WHERE cert = ?1", cert, &stmt, err,
	    errlen);
	if (rc == STORE_FOUND)
		operator_row(stmt, out);
	sqlite3_finalize(stmt);
	return rc;
}

enum store_found
registry_buyer_find(sqlite3 *db, const char *id, struct registry_buyer *out, char *err,
    size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	enum store_found rc;

	memset(out, 0, sizeof(*out));
	rc = registry_find(db, BUYER_COLUMNS " FROM buyers WHERE id = ?1", id, &stmt, err, errlen);
	if (rc == STORE_FOUND)
		buyer_row(stmt, out);
	sqlite3_finalize(stmt);
	return rc;
}

/* ---- listings ------------------------------------------------------------------ */

/* Step sql, calling row for each row until it returns -1.  0, or -1 with err. */
static int
registry_walk(sqlite3 *db, const char *sql, int (*row)(sqlite3_stmt *stmt, void *ctx), void *ctx,
    char *err, size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	if (store_prepare(db, sql, &stmt, err, errlen) == -1)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		if (row(stmt, ctx) == -1)
			break;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err_set(err, errlen, "database: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

struct operators_walk {
	int (*fn)(const struct registry_operator *op, void *arg);
	void *arg;
};

static int
operators_walk_row(sqlite3_stmt *stmt, void *ctx)
{
	struct operators_walk *w = ctx;
	struct registry_operator op;

	memset(&op, 0, sizeof(op));
	operator_row(stmt, &op);
	return w->fn(&op, w->arg);
}

int
registry_operators_list(sqlite3 *db, int (*fn)(const struct registry_operator *op, void *arg),
    void *arg, char *err, size_t errlen)
{
	struct operators_walk w = { fn, arg };

	return registry_walk(db, OPERATOR_COLUMNS " FROM operators ORDER BY cert",
	    operators_walk_row, &w, err, errlen);
}

struct buyers_walk {
	int (*fn)(const struct registry_buyer *buyer, void *arg);
	void *arg;
};

static int
buyers_walk_row(sqlite3_stmt *stmt, void *ctx)
{
	struct buyers_walk *w = ctx;
	struct registry_buyer buyer;

	memset(&buyer, 0, sizeof(buyer));
	buyer_row(stmt, &buyer);
	return w->fn(&buyer, w->arg);
}

int
registry_buyers_list(sqlite3 *db, int (*fn)(const struct registry_buyer *buyer, void *arg),
    void *arg, char *err, size_t errlen)
{
	struct buyers_walk w = { fn, arg };

	return registry_walk(db, BUYER_COLUMNS " FROM buyers ORDER BY created_ms, id",
	    buyers_walk_row, &w, err, errlen);
}

int
registry_buyer_ensure(sqlite3 *db, const struct registry_buyer *b, int64_t now_ms, char *err,
    size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;

	if (store_prepare(db,
	        "INSERT OR IGNORE INTO buyers (id, masked, kind, township, created_ms)"
	        " VALUES (?1, ?2, ?3, ?4, ?5)",
	        &stmt, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(stmt, 1, b->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, b->masked, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, b->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, b->township, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, now_ms);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		err_set(err, errlen, "buyer insert: %s", sqlite3_errmsg(db));
	else
		rc = 0;
	/* finalize keeps the step's error code on db for the caller */
	sqlite3_finalize(stmt);
	return rc;
}

/* ---- registry deltas from the county ------------------------------------------ */

int
registry_apply_delta(sqlite3 *db, const struct wire_registry *delta, size_t *unknown, char *err,
    size_t errlen)
{
	static const char *const statuses[] = { "active", "scrapped", "retired" };
	sqlite3_stmt *stmt = NULL, *meta = NULL;
	char why[256], version[24];
	int32_t days;
	size_t i, k, held_back = 0;
	int64_t now = time_wall_ms();

	*unknown = 0;
	/* Every row is checked before anything is written: the rows arrive
	 * from the uplink process, which parses the network and is trusted
	 * with nothing (docs/fill-line.md, "Processes"). */
	if (delta->version < 0 || (delta->count > 0 && delta->rows == NULL))
		return err_set(err, errlen, "registry delta: version %lld is not valid",
		    (long long)delta->version);
	for (i = 0; i < delta->count; i++) {
		const struct wire_registry_row *row = &delta->rows[i];
		const char *dates[] = { row->last_inspection, row->next_inspection };

		if (memchr(row->serial, '\0', sizeof(row->serial)) == NULL ||
		    memchr(row->status, '\0', sizeof(row->status)) == NULL ||
		    memchr(row->last_inspection, '\0', sizeof(row->last_inspection)) == NULL ||
		    memchr(row->next_inspection, '\0', sizeof(row->next_inspection)) == NULL ||
		    memchr(row->owner, '\0', sizeof(row->owner)) == NULL)
			return err_set(err, errlen, "registry delta row %zu: a field is not text",
			    i);
		if (row->serial[0] == '\0' || !registry_text_ok(row->serial, strlen(row->serial)))
			return err_set(err, errlen,
			    "registry delta row %zu: serial is empty or holds control characters",
			    i);
		for (k = 0; k < sizeof(statuses) / sizeof(statuses[0]); k++)
			if (strcmp(row->status, statuses[k]) == 0)
				break;
		if (k == sizeof(statuses) / sizeof(statuses[0]))
			return err_set(err, errlen,
			    "registry delta row %zu (%s): unknown status '%s'", i, row->serial,
			    row->status);
		for (k = 0; k < 2; k++)
			if (dates[k][0] != '\0' &&
			    (strlen(dates[k]) != 10 ||
			        registry_parse_date(dates[k], 10, &days) == -1))
				return err_set(err, errlen,
				    "registry delta row %zu (%s): inspection date '%s' is not YYYY-MM-DD",
				    i, row->serial, dates[k]);
		if (!registry_text_ok(row->owner, strlen(row->owner)) || row->version < 0)
			return err_set(err, errlen,
			    "registry delta row %zu (%s): owner holds control characters or the "
			    "version is negative",
			    i, row->serial);
	}
	if (store_begin(db, why, sizeof(why)) == -1)
		return err_set(err, errlen, "%s", why);
	if (store_prepare(db,
	        "UPDATE cylinders SET status = ?2, last_inspection = nullif(?3, ''),"
	        " next_inspection = nullif(?4, ''),"
	        " owner = CASE WHEN ?5 = '' THEN owner ELSE ?5 END,"
	        " registry_version = ?6, updated_ms = ?7 WHERE serial = ?1",
	        &stmt, why, sizeof(why)) == -1 ||
	    store_prepare(db,
	        "INSERT INTO meta (key, value) VALUES ('registry_version', ?1)"
	        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	        &meta, why, sizeof(why)) == -1) {
		err_set(err, errlen, "%s", why);
		goto fail;
	}
	for (i = 0; i < delta->count; i++) {
		const struct wire_registry_row *row = &delta->rows[i];

		sqlite3_reset(stmt);
		sqlite3_bind_text(stmt, 1, row->serial, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, row->status, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, row->last_inspection, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 4, row->next_inspection, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 5, row->owner, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 6, row->version);
		sqlite3_bind_int64(stmt, 7, now);
		if (sqlite3_step(stmt) != SQLITE_DONE) {
			err_set(err, errlen, "registry delta row %s: %s", row->serial,
			    sqlite3_errmsg(db));
			goto fail;
		}
		/* a cylinder this station never registered has no model or tare
		 * here: the delta cannot create it, only update it */
		if (sqlite3_changes(db) == 0)
			held_back++;
	}
	snprintf(version, sizeof(version), "%lld", (long long)delta->version);
	sqlite3_bind_text(meta, 1, version, -1, SQLITE_STATIC);
	if (sqlite3_step(meta) != SQLITE_DONE) {
		err_set(err, errlen, "registry version: %s", sqlite3_errmsg(db));
		goto fail;
	}
	sqlite3_finalize(stmt);
	sqlite3_finalize(meta);
	if (store_commit(db, why, sizeof(why)) == -1) {
		store_rollback(db);
		return err_set(err, errlen, "%s", why);
	}
	*unknown = held_back;
	return 0;
fail:
	sqlite3_finalize(stmt);
	sqlite3_finalize(meta);
	store_rollback(db);
	return -1;
}
