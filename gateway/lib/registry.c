/*
 * registry: the county cylinder registry imported into the station database,
 * and the station's operators and buyers.  The import policy (valid rows in
 * one transaction, rejected rows reported and skipped, nothing at all when the
 * transaction fails) is stated in registry.h and docs/registry.md.
 *
 * Speed: a county's 50,000 cylinders must import in well under 5 seconds, so
 * the whole file is one transaction with one upsert statement; duplicates
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
#include "i18n.h"
#include "psk.h"
#include "store.h"
#include "termtext.h"
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

/* UTF-8 (the file's and the wire's encoding: a GBK owner would never
 * equal a station's company, and breaks CBOR text and JSON) without a
 * control character. */
static int
registry_text_ok(const char *text, size_t len)
{
	size_t i = 0, k;

	while (i < len) {
		if ((unsigned char)text[i] < 0x20 || text[i] == 0x7f ||
		    (k = termtext_utf8_len(text + i, len - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* The row's code verifies (with verifier when there is one, else under key)
 * and carries the row's identity. */
static int
registry_check_code(const struct registry_row *row, const struct code_key *key,
    struct code_verifier *verifier, uint32_t county, char *err, size_t errlen)
{
	const struct code_model *model = code_model_by_name(row->model);
	struct code_record rec;
	size_t len = strlen(row->code);
	char why[160];
	int y, m, d, rc;

	if (verifier != NULL)
		rc = code_verifier_decode(verifier, row->code, len, &rec, why, sizeof(why));
	else
		rc = code_decode(row->code, len, key, &rec, why, sizeof(why));
	if (rc == -1)
		return err_set(err, errlen, _("code refused: %s"), why);
	date_from_days(row->manufactured, &y, &m, &d);
	if (strcmp(rec.serial, row->serial) != 0)
		return err_set(err, errlen, _("code is for serial %s, not this row's"), rec.serial);
	if (model == NULL || rec.model != model->id || rec.year != y || rec.month != m ||
	    rec.tare_g != row->tare_g || rec.fill_g != row->fill_g)
		return err_set(err, errlen,
		    _("code's model, manufacture month, tare or fill mass "
		      "differ from this row's"));
	if (county != 0 && rec.county != county)
		return err_set(err, errlen, _("code is of county %06u, not %06u"), rec.county,
		    county);
	return 0;
}

/* The rules of a serial, an owner and a status: registry_parse_row's and registry_check_set's. */
static int
serial_check(const char *t, size_t len, char *err, size_t errlen)
{
	if (len == 0)
		return err_set(err, errlen, _("serial is empty"));
	if (len != strlen(t) || !code_serial_valid(t))
		return err_set(err, errlen,
		    _("serial must be 1 to %d characters of A-Z, a-z, "
		      "0-9, '-', '.', '_', starting with a letter or digit"),
		    CODE_SERIAL_MAX);
	return 0;
}

static int
owner_check(const char *t, size_t len, char *err, size_t errlen)
{
	if (len == 0)
		return err_set(err, errlen, _("owner is empty"));
	if (len > REGISTRY_OWNER_MAX || !registry_text_ok(t, len))
		return err_set(err, errlen,
		    _("owner is longer than %d bytes, or is not UTF-8 text without "
		      "control characters"),
		    REGISTRY_OWNER_MAX);
	return 0;
}

static int
status_check(const char *t, size_t len, char *err, size_t errlen)
{
	if (len != strlen(t) ||
	    (strcmp(t, "active") != 0 && strcmp(t, "scrapped") != 0 && strcmp(t, "retired") != 0))
		return err_set(err, errlen, _("status '%.16s' is not active, scrapped or retired"),
		    t);
	return 0;
}

int
registry_check_set(const char *serial, const char *status, const char *last, const char *next,
    const char *stored_last, const char *owner, char *err, size_t errlen)
{
	int32_t l = -1, n, today = date_today();

	if (serial_check(serial, strlen(serial), err, errlen) == -1 ||
	    (status != NULL && status_check(status, strlen(status), err, errlen) == -1) ||
	    (owner != NULL && owner_check(owner, strlen(owner), err, errlen) == -1))
		return -1;
	if (last != NULL) {
		if (date_parse(last, &l) == -1)
			return err_set(err, errlen,
			    _("last inspection '%.16s' is not a date (YYYY-MM-DD)"), last);
		if (l > today)
			return err_set(err, errlen, _("last inspection %.10s is in the future"),
			    last);
	} else if (stored_last != NULL && stored_last[0] != '\0' &&
	           date_parse(stored_last, &l) == -1) {
		l = -1;
	}
	if (next != NULL) {
		if (date_parse(next, &n) == -1)
			return err_set(err, errlen,
			    _("next inspection '%.16s' is not a date (YYYY-MM-DD)"), next);
		if (l >= 0 && n <= l)
			return err_set(err, errlen,
			    _("next inspection %.10s is not after the last inspection %.10s"), next,
			    last != NULL ? last : stored_last);
	}
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
	char date[11], why[160];

	memset(out, 0, sizeof(*out));
	out->last_inspection = -1;
	if (row->nfields < 2 && row->lengths[0] == 0)
		return err_set(err, errlen, _("empty row"));

	t = registry_field(row, cols->serial, &len);
	if (serial_check(t, len, err, errlen) == -1)
		return -1;
	str_copy(out->serial, t, sizeof(out->serial));

	t = registry_field(row, cols->model, &len);
	if ((model = code_model_by_name(t)) == NULL || len != strlen(t))
		return err_set(err, errlen,
		    _("model '%.16s' is not one of YSP4.7, YSP12, YSP26.2, "
		      "YSP35.5, YSP118"),
		    t);
	str_copy(out->model, model->name, sizeof(out->model));

	t = registry_field(row, cols->manufactured, &len);
	if (registry_parse_date(t, len, &out->manufactured) == -1)
		return err_set(err, errlen,
		    _("manufactured '%.16s' is not a date (YYYY-MM-DD or "
		      "YYYY-MM)"),
		    t);
	if (out->manufactured > today)
		return err_set(err, errlen, _("manufactured %.10s is in the future"), t);

	t = registry_field(row, cols->tare_kg, &len);
	if (registry_parse_kg(t, len, &out->tare_g) == -1 || out->tare_g <= 0 ||
	    out->tare_g > REGISTRY_TARE_MAX_G)
		return err_set(err, errlen,
		    _("tare_kg '%.16s' is not a mass in kg (0.01 to %d, "
		      "at most two decimals)"),
		    t, REGISTRY_TARE_MAX_G / 1000);

	t = registry_field(row, cols->fill_kg, &len);
	if (len == 0) {
		out->fill_g = model->fill_g;
	} else if (registry_parse_kg(t, len, &out->fill_g) == -1 || out->fill_g <= 0) {
		return err_set(err, errlen,
		    _("fill_kg '%.16s' is not a mass in kg (at most two "
		      "decimals)"),
		    t);
	} else if (out->fill_g > model->fill_g) {
		return err_set(err, errlen, _("fill_kg %.2f exceeds %.1f, the most a %s may hold"),
		    out->fill_g / 1000.0, model->fill_g / 1000.0, model->name);
	}

	t = registry_field(row, cols->owner, &len);
	if (owner_check(t, len, err, errlen) == -1)
		return -1;
	memcpy(out->owner, t, len);
	out->owner[len] = '\0';

	t = registry_field(row, cols->last_inspection, &len);
	if (len > 0) {
		if (registry_parse_date(t, len, &out->last_inspection) == -1)
			return err_set(err, errlen,
			    _("last_inspection '%.16s' is not a date "
			      "(YYYY-MM-DD or YYYY-MM)"),
			    t);
		if (out->last_inspection > today)
			return err_set(err, errlen, _("last_inspection %.10s is in the future"), t);
		if (out->last_inspection < out->manufactured) {
			date_format(out->manufactured, date);
			return err_set(err, errlen,
			    _("last_inspection %.10s is before the "
			      "manufacture date %s"),
			    t, date);
		}
	}

	t = registry_field(row, cols->status, &len);
	if (status_check(t, len, err, errlen) == -1)
		return -1;
	str_copy(out->status, t, sizeof(out->status));

	t = registry_field(row, cols->code, &len);
	if (len > 0) {
		/* kept bare, as a scanner reads it (a label URL's code, R01
		 * compares the two), and a code in shape even with no key to
		 * verify it (rev98: a URL kept as written refused the
		 * cylinder's own label as superseded) */
		if (len != strlen(t) || !code_text_is_code(t, len) ||
		    code_from_text(t, len, out->code, sizeof(out->code), &len, why, sizeof(why)) ==
		        -1 ||
		    strncmp(out->code, CODE_PREFIX, strlen(CODE_PREFIX)) != 0) {
			out->code[0] = '\0';
			return err_set(err, errlen,
			    _("code is not a cylinder code (GC1:... or a label URL)"));
		}
		if (key != NULL)
			return registry_check_code(out, key, NULL, county, err, errlen);
	}
	return 0;
}

int32_t
registry_next_inspection(const struct registry_row *row, int cycle_years)
{
	int32_t base = row->last_inspection >= 0 ? row->last_inspection : row->manufactured;

	if (cycle_years <= 0)
		cycle_years = REGISTRY_CYCLE_YEARS;
	return date_add_years(base, cycle_years);
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
		/*
		 * Every slot marked empty by a write, not calloc (nor a
		 * memset of all of it, which the compiler turns into calloc):
		 * calloc's fresh pages are first read here (probing), which
		 * maps the shared zero page, and the write that follows then
		 * faults again and flushes every core's TLB, interrupting the
		 * import's verifiers (2 % of a verified import's CPU, perf,
		 * 50,000 rows).  Written first, each page faults once.
		 */
		struct registry_seen_slot *slots = malloc(cap * sizeof(*slots));

		if (slots == NULL)
			return REGISTRY_SERIAL_NO_MEMORY;
		for (j = 0; j < cap; j++)
			slots[j].serial[0] = '\0';
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

/* ---- import: parse and verify outside the lock, upsert inside it ----------- */

/*
 * One Ed25519 verification costs about 80 us, so a county's 50,000 codes take
 * seconds on one core, against a fraction of a second for everything else the
 * import does.  The file is read once, and the import is two passes:
 *
 * Pass 1, outside any transaction, parses every row once.  The calling
 * thread (the reader) parses batches of rows, checked without their
 * signatures, into a small ring and hands each batch to a pool of verifying
 * threads started once for the whole file (one per core, the reader counting
 * as one).  While they verify, the reader parses the next batch; when the
 * ring is full it verifies beside them.  It takes finished batches back in
 * file order, so duplicate serials and every reason come out exactly as one
 * thread reading the file from the top would find them, stages each
 * accepted row (its dates already formatted) in a table of the connection's
 * temp schema, which takes no lock on the station database, and keeps each
 * rejection in memory.
 * Each verifying thread, the reader too, has its own code_verifier: the
 * key's verifying context is set up once per thread, not once per code.
 *
 * Pass 2, inside the write transaction, only reports the rejections and
 * upserts the staged rows with one INSERT ... SELECT (the per-row upserts
 * it replaces took about twice as long under the lock): no parsing, no
 * verifying and no statement per row under the lock, so
 * gasgw's fill records never wait long behind an import (store.c's busy
 * timeout is 5 s).
 */
#define REGISTRY_BATCH 256            /* rows in one batch */
#define REGISTRY_RING 4               /* batches in flight between the reader and the verifiers */
#define REGISTRY_CHUNK 16             /* rows a verifier takes at a time */
#define REGISTRY_FILE_MAX (256 << 20) /* bytes of a registry file (its rows are staged) */
#define REGISTRY_THREADS_MAX 8

struct registry_pending {
	struct registry_row row;
	unsigned long line;
	int ok; /* 0: rejected, why says why */
	char why[256];
};

struct registry_batch {
	struct registry_pending rows[REGISTRY_BATCH];
	/* under the pool's lock once the batch is handed out */
	size_t count;    /* rows read into it */
	size_t claimed;  /* rows a verifier has taken */
	size_t verified; /* rows whose verification is over */
};

/* The reader and its verifiers.  ring[seq % REGISTRY_RING] for seq in
 * head..tail-1 are the batches handed out, oldest first; only the reader
 * moves head and tail (under lock). */
struct registry_pool {
	pthread_mutex_t lock;
	pthread_cond_t work; /* verifiers wait here for rows, or stop */
	pthread_cond_t done; /* the reader waits here for a batch to finish */
	struct registry_batch *ring;
	unsigned long head, tail;
	int stop;
	const struct code_key *key; /* NULL: nothing to verify, no threads */
	uint32_t county;
	pthread_t threads[REGISTRY_THREADS_MAX];
	int nthreads;
};

/* Take up to REGISTRY_CHUNK unclaimed rows, oldest batch first (lock held). */
static struct registry_batch *
registry_pool_claim(struct registry_pool *pool, size_t *first, size_t *n)
{
	unsigned long seq;

	for (seq = pool->head; seq < pool->tail; seq++) {
		struct registry_batch *b = &pool->ring[seq % REGISTRY_RING];

		if (b->claimed < b->count) {
			*first = b->claimed;
			*n = b->count - b->claimed < REGISTRY_CHUNK ? b->count - b->claimed
			                                            : REGISTRY_CHUNK;
			b->claimed += *n;
			return b;
		}
	}
	return NULL;
}

/* Verify the codes of rows first..first+n-1 of b (lock not held) with the
 * calling thread's verifier (NULL: with the key, as code_decode does); a row
 * that already failed, or has no code, is left as it is. */
static void
registry_pool_verify(const struct registry_pool *pool, struct code_verifier *verifier,
    struct registry_batch *b, size_t first, size_t n)
{
	size_t i;

	for (i = first; i < first + n; i++) {
		struct registry_pending *p = &b->rows[i];

		if (pool->key != NULL && p->ok && p->row.code[0] != '\0' &&
		    registry_check_code(&p->row, pool->key, verifier, pool->county, p->why,
		        sizeof(p->why)) == -1)
			p->ok = 0;
	}
}

/* Count n rows of b as verified (lock held); wake the reader when b is done. */
static void
registry_pool_count(struct registry_pool *pool, struct registry_batch *b, size_t n)
{
	b->verified += n;
	if (b->verified == b->count)
		pthread_cond_signal(&pool->done);
}

static void *
registry_pool_worker(void *arg)
{
	struct registry_pool *pool = arg;
	/* this thread's own; without one (out of memory) the key does it */
	struct code_verifier *verifier = code_verifier_new(pool->key, NULL, 0);
	struct registry_batch *b;
	size_t first, n;

	pthread_mutex_lock(&pool->lock);
	/* stop first: after a failed read the rows left are not wanted */
	while (!pool->stop) {
		if ((b = registry_pool_claim(pool, &first, &n)) == NULL) {
			pthread_cond_wait(&pool->work, &pool->lock);
			continue;
		}
		pthread_mutex_unlock(&pool->lock);
		registry_pool_verify(pool, verifier, b, first, n);
		pthread_mutex_lock(&pool->lock);
		registry_pool_count(pool, b, n);
	}
	pthread_mutex_unlock(&pool->lock);
	code_verifier_free(verifier);
	return NULL;
}

static int
registry_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > REGISTRY_THREADS_MAX ? REGISTRY_THREADS_MAX : (int)n;
}

/*
 * Set up the ring and, with key, start one verifier per core but one (the
 * reader is the last).  A thread that cannot start leaves its share to the
 * others and the reader.  -1 only when out of memory (nothing to stop).
 */
static int
registry_pool_start(struct registry_pool *pool, const struct code_key *key, uint32_t county)
{
	int t, want = key != NULL ? registry_threads() - 1 : 0;

	memset(pool, 0, sizeof(*pool));
	if ((pool->ring = calloc(REGISTRY_RING, sizeof(*pool->ring))) == NULL)
		return -1;
	pool->key = key;
	pool->county = county;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->work, NULL);
	pthread_cond_init(&pool->done, NULL);
	for (t = 0; t < want; t++) {
		if (pthread_create(&pool->threads[t], NULL, registry_pool_worker, pool) != 0)
			break;
		pool->nthreads++;
	}
	return 0;
}

/* Stop and join the verifiers (they finish the rows they hold) and free. */
static void
registry_pool_stop(struct registry_pool *pool)
{
	int t;

	pthread_mutex_lock(&pool->lock);
	pool->stop = 1;
	pthread_cond_broadcast(&pool->work);
	pthread_mutex_unlock(&pool->lock);
	for (t = 0; t < pool->nthreads; t++)
		pthread_join(pool->threads[t], NULL);
	pthread_cond_destroy(&pool->done);
	pthread_cond_destroy(&pool->work);
	pthread_mutex_destroy(&pool->lock);
	free(pool->ring);
}

/*
 * Pass 1's results, in file order.  The rows to upsert go into a staging
 * table in the connection's temp schema (temp.registry_stage): the temp
 * schema is this connection's own, so writing it takes no lock on the
 * station database, and pass 2 copies the staged rows into cylinders with
 * one statement.  The rows to report keep their reasons in one growing
 * buffer.
 */
struct registry_rejected {
	size_t why; /* offset of the reason in text */
	unsigned long line;
};

struct registry_parsed {
	sqlite3 *db;
	sqlite3_stmt *stage;   /* the staging insert, while pass 1 runs */
	int staging;           /* the temp schema's staging transaction is open */
	long long temp_cache;  /* the temp schema's cache_size before the import */
	char temp_journal[16]; /* and its journal_mode */
	int temp_set;          /* the import changed both (restored when it ends) */
	unsigned long nkept;   /* rows staged */
	char *text;
	size_t text_len, text_cap;
	struct registry_rejected *rejected;
	size_t nrejected, rejected_cap;
	/* rows kept scrapped, found under the write lock, told once it committed */
	struct registry_rejected *scrapped;
	size_t nscrapped, scrapped_cap;
};

/* Columns without a type: a staged value is stored as it was bound, and
 * cylinders' own column types apply when it is copied there, as when the
 * row was bound straight into the upsert. */
static const char registry_stage_sql[] =
    "DROP TABLE IF EXISTS temp.registry_stage;"
    "CREATE TEMP TABLE registry_stage (serial, code, model, manufactured, tare_kg, fill_kg,"
    " owner, last_inspection, next_inspection, status, line);"
    "BEGIN";

/* The temp schema's page cache while rows are staged: about the staged
 * rows' size (twice the file's, for the b-tree's slack), so they stay in
 * memory; beyond the cap, SQLite spills them to its temporary file. */
#define REGISTRY_STAGE_CACHE_MAX_KB (32 << 10)

/* The temp schema's journal mode, lower case, into mode ("" if it cannot
 * be read or is not a word). */
static void
registry_temp_journal(sqlite3 *db, char *mode, size_t size)
{
	sqlite3_stmt *stmt = NULL;
	const unsigned char *text;
	size_t i;

	mode[0] = '\0';
	if (sqlite3_prepare_v2(db, "PRAGMA temp.journal_mode", -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW && (text = sqlite3_column_text(stmt, 0)) != NULL &&
	    strlen((const char *)text) < size) {
		for (i = 0; text[i] >= 'a' && text[i] <= 'z'; i++)
			mode[i] = (char)text[i];
		mode[text[i] == '\0' ? i : 0] = '\0';
	}
	sqlite3_finalize(stmt);
}

/*
 * Make an empty staging table and open the temp schema's transaction that
 * pass 1 stages into (a deferred BEGIN: the statements that follow touch
 * the temp schema only, so the station database is neither read nor
 * locked), for a file of size bytes (0: unknown).  The temp schema keeps
 * its journal in memory meanwhile: the staged rows are not written to a
 * temporary file on the station's storage.  0, or -1 with err;
 * registry_stage_drop cleans up either way.
 */
static int
registry_stage_begin(struct registry_parsed *out, unsigned long long size, char *err, size_t errlen)
{
	sqlite3 *db = out->db;
	unsigned long long kb = size / 512 + 2048;
	char why[256], sql[96];

	out->temp_cache = store_query_int(db, "PRAGMA temp.cache_size", -2000);
	registry_temp_journal(db, out->temp_journal, sizeof(out->temp_journal));
	snprintf(sql, sizeof(sql),
	    "PRAGMA temp.cache_size = -%llu; PRAGMA temp.journal_mode = MEMORY",
	    kb < REGISTRY_STAGE_CACHE_MAX_KB ? kb : REGISTRY_STAGE_CACHE_MAX_KB);
	out->temp_set = 1;
	if (store_exec(db, sql, why, sizeof(why)) == -1)
		return err_set(err, errlen, "staging table: %s", why);
	if (store_exec(db, registry_stage_sql, why, sizeof(why)) == -1)
		return err_set(err, errlen, "staging table: %s", why);
	out->staging = 1;
	if (store_prepare(db,
	        "INSERT INTO temp.registry_stage VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
	        " ?11)",
	        &out->stage, why, sizeof(why)) == -1)
		return err_set(err, errlen, "staging table: %s", why);
	return 0;
}

/* A database that would not begin or commit an import: said with its file,
 * which the caller may not have named (gasctl opens the station's from its
 * configuration).  Always -1. */
static int
registry_db_failed(sqlite3 *db, const char *why, char *err, size_t errlen)
{
	const char *file = sqlite3_db_filename(db, "main");

	return err_set(err, errlen, "database %s: %s",
	    file != NULL && file[0] ? file : ":memory:", why);
}

/* End pass 1: commit the staged rows (in the temp schema only).  0 or -1. */
static int
registry_stage_commit(struct registry_parsed *out, char *err, size_t errlen)
{
	char why[256];

	sqlite3_finalize(out->stage);
	out->stage = NULL;
	if (store_commit(out->db, why, sizeof(why)) == -1)
		return err_set(err, errlen, "staging table: %s", why);
	out->staging = 0;
	return 0;
}

/* Drop the staging table (and its transaction, if still open), whatever
 * became of the import.  Touches the temp schema only. */
static void
registry_stage_drop(struct registry_parsed *out)
{
	char why[256];

	if (out->db == NULL)
		return;
	sqlite3_finalize(out->stage);
	out->stage = NULL;
	if (out->staging)
		store_rollback(out->db);
	out->staging = 0;
	(void)store_exec(out->db, "DROP TABLE IF EXISTS temp.registry_stage", why, sizeof(why));
	if (out->temp_set) {
		/* back as they were; the smaller cache lets the staged pages go */
		char sql[96];

		snprintf(sql, sizeof(sql), "PRAGMA temp.cache_size = %lld", out->temp_cache);
		(void)store_exec(out->db, sql, why, sizeof(why));
		if (out->temp_journal[0] != '\0') {
			snprintf(sql, sizeof(sql), "PRAGMA temp.journal_mode = %s",
			    out->temp_journal);
			(void)store_exec(out->db, sql, why, sizeof(why));
		}
		out->temp_set = 0;
	}
}

static void
registry_parsed_free(struct registry_parsed *out)
{
	registry_stage_drop(out);
	free(out->text);
	free(out->rejected);
	free(out->scrapped);
}

/* Make room for one more element of size in *array (doubling).  0 or -1. */
static int
registry_room(void **array, size_t *cap, size_t used, size_t more, size_t size)
{
	size_t want = *cap ? *cap : 1024;
	void *grown;

	if (used + more <= *cap)
		return 0;
	while (want < used + more)
		want *= 2;
	if ((grown = realloc(*array, want * size)) == NULL)
		return -1;
	*array = grown;
	*cap = want;
	return 0;
}

/* Append s (len bytes) and a NUL to the text.  0 or -1 (out of memory). */
static int
registry_text_add(struct registry_parsed *out, const char *s, size_t len)
{
	if (registry_room((void **)&out->text, &out->text_cap, out->text_len, len + 1, 1) == -1)
		return -1;
	memcpy(out->text + out->text_len, s, len);
	out->text[out->text_len + len] = '\0';
	out->text_len += len + 1;
	return 0;
}

/* Stage one accepted row, its dates formatted as cylinders keeps them.  0,
 * or -1 with err (a database error of the temp schema). */
static int
registry_keep(struct registry_parsed *out, const struct registry_row *row, unsigned long line,
    int cycle_years, char *err, size_t errlen)
{
	sqlite3_stmt *st = out->stage;
	char manufactured[11], last[11], next[11];
	int rc;

	date_format(row->manufactured, manufactured);
	date_format(registry_next_inspection(row, cycle_years), next);
	sqlite3_bind_text(st, 1, row->serial, -1, SQLITE_STATIC);
	/* no code, never inspected: NULL, as the schema has it */
	if (row->code[0] != '\0')
		sqlite3_bind_text(st, 2, row->code, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	sqlite3_bind_text(st, 3, row->model, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, manufactured, 10, SQLITE_STATIC);
	sqlite3_bind_double(st, 5, row->tare_g / 1000.0);
	sqlite3_bind_double(st, 6, row->fill_g / 1000.0);
	sqlite3_bind_text(st, 7, row->owner, -1, SQLITE_STATIC);
	if (row->last_inspection >= 0) {
		date_format(row->last_inspection, last);
		sqlite3_bind_text(st, 8, last, 10, SQLITE_STATIC);
	} else {
		sqlite3_bind_null(st, 8);
	}
	sqlite3_bind_text(st, 9, next, 10, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, row->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, (sqlite3_int64)line);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return err_set(err, errlen, "staging table: %s", sqlite3_errmsg(out->db));
	out->nkept++;
	return 0;
}

/* Add line and why to the rows *list (of *n, room for *cap).  0, or -1 (out of memory). */
static int
registry_note(struct registry_parsed *out, struct registry_rejected **list, size_t *n, size_t *cap,
    unsigned long line, const char *why)
{
	struct registry_rejected *r;
	size_t at = out->text_len;

	if (registry_room((void **)list, cap, *n, 1, sizeof(*r)) == -1 ||
	    registry_text_add(out, why, strlen(why)) == -1)
		return -1;
	r = &(*list)[(*n)++];
	r->why = at;
	r->line = line;
	return 0;
}

static int
registry_reject(struct registry_parsed *out, unsigned long line, const char *why)
{
	return registry_note(out, &out->rejected, &out->nrejected, &out->rejected_cap, line, why);
}

/*
 * Take a verified batch in file order: a serial seen on an earlier accepted
 * row is refused here, after its own checks, as it always was.  0, or -1
 * with err (out of memory, or the staging table refused a row).
 */
static int
registry_take(struct registry_parsed *out, struct registry_serials *seen,
    const struct registry_batch *b, int cycle_years, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < b->count; i++) {
		const struct registry_pending *p = &b->rows[i];
		const char *why = p->why;
		char again[192];
		unsigned long first;
		int ok = p->ok;

		if (ok) {
			enum registry_serial_add added =
			    registry_serials_add(seen, p->row.serial, p->line, &first);

			if (added == REGISTRY_SERIAL_NO_MEMORY)
				return err_set(err, errlen, "out of memory");
			if (added == REGISTRY_SERIAL_SEEN) {
				snprintf(again, sizeof(again),
				    _("serial %s appears again (first on line %lu)"), p->row.serial,
				    first);
				why = again;
				ok = 0;
			}
		}
		if (ok) {
			if (registry_keep(out, &p->row, p->line, cycle_years, err, errlen) == -1)
				return -1;
		} else if (registry_reject(out, p->line, why) == -1) {
			return err_set(err, errlen, "out of memory");
		}
	}
	return 0;
}

/* Whether the county's inspection dates stand against a file's: the county
 * gave a last inspection, and the file's is not later.  Both the upsert
 * (the county's word noted on the cylinder) and registry_waiting_take (the
 * county's word waiting for a serial new to the station) judge by it. */
#define REGISTRY_COUNTY_DATES_STAND(county_last, file_last)                                        \
	"(" county_last " IS NOT NULL AND (" file_last " IS NULL OR " file_last " <= " county_last \
	"))"

/*
 * The upsert of staged rows into cylinders, in file order (rowid): a new
 * serial is inserted; a present one is updated only when a value differs,
 * and a row without a code keeps the code stored.  A cylinder the copy
 * holds scrapped stays scrapped whatever the row says (the rest of the row
 * is taken): a file may be older than the scrap, and only the county's
 * pull or gasctl registry reinstate brings one back.  Nor does a file make
 * active a cylinder the county's last pull said scrapped or retired
 * (pulled_status): a file may make a status stricter than the county's,
 * never looser.  And the county's inspection dates (pulled_*_inspection)
 * stay unless the file's last inspection is later: a file older than the
 * county's word does not move them back.  ?1 is the registry version, ?2
 * the time; the bulk form takes every staged row, the row form the one
 * whose rowid is ?3 (to name the row the database refuses).
 */
#define REGISTRY_UPSERT_PULLED_DATES                                                               \
	REGISTRY_COUNTY_DATES_STAND("cylinders.pulled_last_inspection", "excluded.last_inspection")
#define REGISTRY_UPSERT_LAST                                                                       \
	"CASE WHEN " REGISTRY_UPSERT_PULLED_DATES " THEN cylinders.pulled_last_inspection"         \
	" ELSE excluded.last_inspection END"
#define REGISTRY_UPSERT_NEXT                                                                       \
	"CASE WHEN " REGISTRY_UPSERT_PULLED_DATES                                                  \
	" THEN coalesce(cylinders.pulled_next_inspection, excluded.next_inspection)"               \
	" ELSE excluded.next_inspection END"
#define REGISTRY_UPSERT_STATUS                                                                     \
	"CASE WHEN cylinders.status = 'scrapped' THEN 'scrapped'"                                  \
	" WHEN excluded.status = 'active' AND cylinders.pulled_status IN ('scrapped', 'retired')"  \
	" THEN cylinders.pulled_status ELSE excluded.status END"
/* A row with a code takes it; a row without one keeps the code stored,
 * unless it changes the facts the code carries (model, month, tare, fill
 * mass): that code no longer says what the cylinder is, and R01 would
 * otherwise refuse the corrected label the county mints next. */
#define REGISTRY_UPSERT_CODE                                                                       \
	"CASE WHEN excluded.code IS NOT NULL THEN excluded.code"                                   \
	" WHEN cylinders.model IS NOT excluded.model"                                              \
	"  OR cylinders.manufactured IS NOT excluded.manufactured"                                 \
	"  OR cylinders.tare_kg IS NOT excluded.tare_kg"                                           \
	"  OR cylinders.fill_kg IS NOT excluded.fill_kg THEN NULL ELSE cylinders.code END"
#define REGISTRY_UPSERT_HEAD                                                                       \
	"INSERT INTO cylinders (serial, code, model, manufactured, tare_kg, fill_kg, owner,"       \
	" last_inspection, next_inspection, status, registry_version, updated_ms)"                 \
	" SELECT serial, code, model, manufactured, tare_kg, fill_kg, owner, last_inspection,"     \
	" next_inspection, status, ?1, ?2 FROM temp.registry_stage WHERE "
#define REGISTRY_UPSERT_TAIL                                                                       \
	" ON CONFLICT (serial) DO UPDATE SET"                                                      \
	"  code = " REGISTRY_UPSERT_CODE ", model = excluded.model,"                               \
	"  manufactured = excluded.manufactured, tare_kg = excluded.tare_kg,"                      \
	"  fill_kg = excluded.fill_kg, owner = excluded.owner,"                                    \
	"  last_inspection = " REGISTRY_UPSERT_LAST ","                                            \
	"  next_inspection = " REGISTRY_UPSERT_NEXT ","                                            \
	"  status = " REGISTRY_UPSERT_STATUS ","                                                   \
	"  registry_version = excluded.registry_version, updated_ms = excluded.updated_ms"         \
	" WHERE cylinders.code IS NOT " REGISTRY_UPSERT_CODE                                       \
	"  OR cylinders.model IS NOT excluded.model"                                               \
	"  OR cylinders.manufactured IS NOT excluded.manufactured"                                 \
	"  OR cylinders.tare_kg IS NOT excluded.tare_kg"                                           \
	"  OR cylinders.fill_kg IS NOT excluded.fill_kg"                                           \
	"  OR cylinders.owner IS NOT excluded.owner"                                               \
	"  OR cylinders.last_inspection IS NOT " REGISTRY_UPSERT_LAST                              \
	"  OR cylinders.next_inspection IS NOT " REGISTRY_UPSERT_NEXT                              \
	"  OR cylinders.status IS NOT " REGISTRY_UPSERT_STATUS                                     \
	"  OR cylinders.registry_version IS NOT excluded.registry_version"

static const char registry_upsert_all_sql[] =
    REGISTRY_UPSERT_HEAD "true ORDER BY rowid" REGISTRY_UPSERT_TAIL;
static const char registry_upsert_one_sql[] =
    REGISTRY_UPSERT_HEAD "rowid = ?3" REGISTRY_UPSERT_TAIL;

/* Prepare one of the upserts with the version and time bound.  0 or -1. */
static int
registry_upsert_prepare(sqlite3 *db, const char *sql, int64_t version, int64_t now_ms,
    sqlite3_stmt **stmt, char *err, size_t errlen)
{
	if (store_prepare(db, sql, stmt, err, errlen) == -1)
		return -1;
	sqlite3_bind_int64(*stmt, 1, version);
	sqlite3_bind_int64(*stmt, 2, now_ms);
	return 0;
}

/*
 * The bulk upsert was refused (failed, its message): name the row.  The
 * transaction is begun afresh and the staged rows upserted one by one
 * until the database refuses one, which is reported at its line, as the
 * import always reported it.  Returns -1 with err in every case (a refusal
 * that does not come back row by row is reported without a line); the
 * caller rolls back.
 */
static int
registry_upsert_refused(sqlite3 *db, const char *path, int64_t version, int64_t now_ms,
    const char *failed, char *err, size_t errlen)
{
	sqlite3_stmt *rows = NULL, *one = NULL;
	char why[256];
	int rc;

	store_rollback(db);
	if (store_begin(db, why, sizeof(why)) == -1 ||
	    store_prepare(db, "SELECT rowid, line FROM temp.registry_stage ORDER BY rowid", &rows,
	        why, sizeof(why)) == -1 ||
	    registry_upsert_prepare(db, registry_upsert_one_sql, version, now_ms, &one, why,
	        sizeof(why)) == -1) {
		err_set(err, errlen, "%s: database refused the rows: %s", path, failed);
		goto out;
	}
	err_set(err, errlen, "%s: database refused the rows: %s", path, failed);
	while ((rc = sqlite3_step(rows)) == SQLITE_ROW) {
		sqlite3_reset(one);
		sqlite3_bind_int64(one, 3, sqlite3_column_int64(rows, 0));
		if (sqlite3_step(one) != SQLITE_DONE) {
			err_set(err, errlen, "%s:%lld: database refused the row: %s", path,
			    (long long)sqlite3_column_int64(rows, 1), sqlite3_errmsg(db));
			break;
		}
	}
out:
	sqlite3_finalize(one);
	sqlite3_finalize(rows);
	return -1;
}

/* Run sql on the import's database; a refusal is named by the file's path.
 * 0, or -1 with err. */
static int
registry_exec_named(sqlite3 *db, const char *path, const char *sql, char *err, size_t errlen)
{
	char why[256];

	if (store_exec(db, sql, why, sizeof(why)) == -1)
		return err_set(err, errlen, "%s: %s", path, why);
	return 0;
}

/*
 * Inside the write transaction, before the upsert: a staged row of a serial
 * new to the station that the county's pull spoke of already
 * (registry_waiting, migration 011) takes the county's word, which is newer
 * than the file: the stricter status of the two (scrapped, then retired,
 * then active), the county's inspection dates unless the file's last
 * inspection is later, and the county's owner when it gave one.  0, or -1
 * with err.
 */
#define REGISTRY_WAITING_DATES REGISTRY_COUNTY_DATES_STAND("w.last_inspection", "s.last_inspection")
static int
registry_waiting_take(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	return registry_exec_named(db, path,
	    "UPDATE temp.registry_stage AS s SET"
	    " status = CASE WHEN 'scrapped' IN (s.status, w.status) THEN 'scrapped'"
	    "  WHEN 'retired' IN (s.status, w.status) THEN 'retired' ELSE s.status END,"
	    " last_inspection = CASE WHEN " REGISTRY_WAITING_DATES
	    "  THEN w.last_inspection ELSE s.last_inspection END,"
	    " next_inspection = CASE WHEN " REGISTRY_WAITING_DATES
	    "  THEN coalesce(w.next_inspection, s.next_inspection) ELSE s.next_inspection END,"
	    " owner = coalesce(w.owner, s.owner)"
	    " FROM registry_waiting AS w WHERE w.serial = s.serial"
	    " AND NOT EXISTS (SELECT 1 FROM cylinders c WHERE c.serial = s.serial)",
	    err, errlen);
}

/*
 * After the upsert: the cylinders the county's waiting word went into are
 * noted as pulled (what the county said and when, as registry_apply_delta
 * notes it: migration 008), and their waiting rows removed (a row waits
 * only while its serial is not in cylinders).  0, or -1 with err.
 */
static int
registry_waiting_done(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	return registry_exec_named(db, path,
	    "UPDATE cylinders SET pulled_status = w.status, pulled_ms = w.pulled_ms,"
	    " pulled_last_inspection = w.last_inspection,"
	    " pulled_next_inspection = w.next_inspection, registry_version = w.registry_version"
	    " FROM registry_waiting AS w WHERE w.serial = cylinders.serial;"
	    "DELETE FROM registry_waiting"
	    " WHERE serial IN (SELECT serial FROM cylinders)",
	    err, errlen);
}

/*
 * Find, inside the write transaction and before the upsert (and before
 * registry_waiting_take), each staged row whose status the station keeps:
 * one that would bring a cylinder the copy holds scrapped back (kept
 * scrapped), and one that would loosen the county's word, the status of
 * its last pull (pulled_status) or the waiting row of a serial new here
 * (kept as the county says).  The rest of such a row is taken by the
 * upsert.  Their reasons go to parsed->scrapped, in file order, to be told
 * only once the import committed, and are counted in *kept_scrapped and
 * *kept_county.  0, or -1 with err (a database error, out of memory).
 */
static int
registry_find_scrapped(sqlite3 *db, const char *path, struct registry_parsed *parsed,
    unsigned long *kept_scrapped, unsigned long *kept_county, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	char why[512], serial[CODE_SERIAL_MAX + 1], status[16], held[16], county[16];
	int rc = SQLITE_DONE;

	*kept_scrapped = *kept_county = 0;
	if (parsed->nkept == 0)
		return 0;
	/* held: the copy's status (NULL: a serial new here); county: the
	 * county's status the row may not loosen */
	if (store_prepare(db,
	        "SELECT line, serial, status, held, county FROM (SELECT s.rowid AS at, s.line,"
	        "  s.serial,"
	        "  s.status, c.status AS held,"
	        "  CASE WHEN c.serial IS NULL THEN w.status ELSE c.pulled_status END AS county"
	        "  FROM temp.registry_stage s LEFT JOIN cylinders c ON c.serial = s.serial"
	        "  LEFT JOIN registry_waiting w ON w.serial = s.serial)"
	        " WHERE (held = 'scrapped' AND status IS NOT 'scrapped')"
	        "  OR (held IS NULL AND county = 'scrapped' AND status IS NOT 'scrapped')"
	        "  OR (held IS NOT 'scrapped' AND county IN ('scrapped', 'retired')"
	        "   AND status = 'active')"
	        " ORDER BY at",
	        &st, err, errlen) == -1)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		store_column_copy(st, 1, serial, sizeof(serial));
		store_column_copy(st, 2, status, sizeof(status));
		store_column_copy(st, 3, held, sizeof(held));
		store_column_copy(st, 4, county, sizeof(county));
		if (strcmp(held, "scrapped") == 0) {
			snprintf(why, sizeof(why),
			    _("%s is scrapped in the station's registry and stays so (the file says "
			      "%s); the rest of the row is taken: only the county's registry, or "
			      "gasctl registry reinstate at a station with no county, brings it back"),
			    serial, status);
			(*kept_scrapped)++;
		} else {
			snprintf(why, sizeof(why),
			    _("%s is %s in the county's registry and stays so (the file says %s); "
			      "the rest of the row is taken: a file does not loosen the county's "
			      "word"),
			    serial, county, status);
			(*kept_county)++;
		}
		if (registry_note(parsed, &parsed->scrapped, &parsed->nscrapped,
		        &parsed->scrapped_cap, (unsigned long)sqlite3_column_int64(st, 0),
		        why) == -1) {
			sqlite3_finalize(st);
			return err_set(err, errlen, "out of memory");
		}
	}
	if (rc != SQLITE_DONE) {
		err_set(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/*
 * Tell opts->reject, in file order, once the import's outcome is known and
 * the write lock is let go: when it committed, each rejected row and each
 * row kept scrapped; when it failed, only the rows found rejected before it
 * did (committed 0: a reason to fix in the file, not a row skipped).
 */
static void
registry_tell(const char *path, const struct registry_import_opts *opts,
    const struct registry_parsed *parsed, int committed)
{
	size_t i = 0, j = 0, nscrapped = committed ? parsed->nscrapped : 0;
	const struct registry_rejected *r;

	if (opts->reject == NULL)
		return;
	while (i < parsed->nrejected || j < nscrapped) {
		if (j == nscrapped ||
		    (i < parsed->nrejected && parsed->rejected[i].line < parsed->scrapped[j].line))
			r = &parsed->rejected[i++];
		else
			r = &parsed->scrapped[j++];
		opts->reject(opts->arg, path, r->line, parsed->text + r->why, committed);
	}
}

struct registry_import_ctx {
	const char *path;
	const struct registry_import_opts *opts;
	unsigned long long size;        /* of the file, 0 when unknown (not a regular file) */
	unsigned long long read;        /* bytes pass 1 has read */
	unsigned long long pass1_share; /* percent of the progress that pass 1 counts for */
};

/* Tell opts->progress how far the import is: pass 1 counts for pass1_share
 * percent of the file's size, pass 2 (upserted of kept rows) for the rest;
 * a file of unknown size reports the bytes read. */
static void
registry_progress(const struct registry_import_ctx *ctx, size_t upserted, size_t kept,
    unsigned long rows)
{
	unsigned long long done = ctx->read;

	if (ctx->opts->progress == NULL)
		return;
	if (ctx->size > 0) {
		done = (ctx->read < ctx->size ? ctx->read : ctx->size) * ctx->pass1_share / 100;
		if (kept > 0)
			done += ctx->size * (100 - ctx->pass1_share) / 100 * upserted / kept;
	}
	ctx->opts->progress(ctx->opts->arg, done, ctx->size, rows);
}

/*
 * Read one batch of data rows (checked without their signatures) from r into
 * b.  Returns the row count (0 only at the end, *eof set); -1 on a read
 * error.
 */
static long
registry_read_batch(const struct registry_import_ctx *ctx, struct csv_reader *r,
    const struct registry_columns *cols, struct registry_batch *b, unsigned long *rows, int *eof,
    char *err, size_t errlen)
{
	struct csv_row csv;
	long count = 0;
	int n;

	while (count < REGISTRY_BATCH) {
		struct registry_pending *p = &b->rows[count];

		n = csv_next(r, &csv, p->why, sizeof(p->why));
		if (n == 0) {
			*eof = 1;
			break;
		}
		if (n == -2)
			return err_set(err, errlen, "%s: %s", ctx->path, p->why);
		if (csv_offset(r) > REGISTRY_FILE_MAX)
			return err_set(err, errlen, "%s: larger than %d MB", ctx->path,
			    REGISTRY_FILE_MAX >> 20);
		(*rows)++;
		p->line = csv.line;
		p->ok = n == 1 && registry_parse_row(cols, &csv, NULL, 0, &p->row, p->why,
		                      sizeof(p->why)) == 0;
		count++;
	}
	return count;
}

/*
 * Open the file and read its header.  The file is read once, through a
 * large stdio buffer; its size (0 when it is not a regular file) goes to
 * ctx->size for the progress.  The reader, or NULL with err.
 */
static struct csv_reader *
registry_open_file(struct registry_import_ctx *ctx, FILE **fp, struct registry_columns *cols,
    char *err, size_t errlen)
{
	struct csv_reader *r;
	struct csv_row csv;
	struct stat st;
	char why[256];
	int n;

	if ((*fp = fopen(ctx->path, "r")) == NULL) {
		err_set(err, errlen, "%s: %s", ctx->path, strerror(errno));
		return NULL;
	}
	setvbuf(*fp, NULL, _IOFBF, 1 << 16);
	if (fstat(fileno(*fp), &st) == 0 && S_ISREG(st.st_mode)) {
		if (st.st_size > REGISTRY_FILE_MAX) {
			err_set(err, errlen, "%s: larger than %d MB", ctx->path,
			    REGISTRY_FILE_MAX >> 20);
			goto fail;
		}
		ctx->size = (unsigned long long)st.st_size;
	}
	if ((r = csv_open(*fp)) == NULL) {
		err_set(err, errlen, "out of memory");
		goto fail;
	}
	n = csv_next(r, &csv, why, sizeof(why));
	if (n == 0)
		err_set(err, errlen, "%s: empty file (no header row)", ctx->path);
	else if (n == -2)
		err_set(err, errlen, "%s: %s", ctx->path, why);
	else if (n < 0 || registry_columns_parse(&csv, cols, why, sizeof(why)) == -1)
		err_set(err, errlen, "%s:%lu: %s", ctx->path, csv.line, why);
	else
		return r;
	csv_close(r);
fail:
	fclose(*fp);
	*fp = NULL;
	return NULL;
}

/*
 * Pass 1 (see above): every row parsed once, every code verified on every
 * core, the results in *out in file order: the accepted rows staged in the
 * temp schema (its transaction still open), nothing written to the station
 * database.  0, or -1 with err (header, read error, out of memory, the temp
 * schema's error).
 */
static int
registry_read_pass(struct registry_import_ctx *ctx, struct registry_parsed *out,
    unsigned long *rows, char *err, size_t errlen)
{
	const struct registry_import_opts *opts = ctx->opts;
	struct registry_columns cols;
	struct registry_serials *seen;
	struct registry_pool pool;
	struct registry_batch *b;
	struct code_verifier *verifier = NULL; /* the reader's, when it verifies */
	struct csv_reader *r;
	size_t first, n;
	FILE *fp;
	long count;
	int eof = 0, rc = -1;

	if ((r = registry_open_file(ctx, &fp, &cols, err, errlen)) == NULL)
		return -1;
	if (registry_stage_begin(out, ctx->size, err, errlen) == -1) {
		csv_close(r);
		fclose(fp);
		return -1;
	}
	if ((seen = registry_serials_new()) == NULL ||
	    registry_pool_start(&pool, opts->key, opts->county) == -1) {
		registry_serials_free(seen);
		csv_close(r);
		fclose(fp);
		return err_set(err, errlen, "out of memory");
	}
	if (opts->key != NULL)
		verifier = code_verifier_new(opts->key, NULL, 0); /* NULL: the key does it */
	for (;;) {
		/* Keep the ring full: parsing is cheap next to verifying. */
		if (!eof && pool.tail - pool.head < REGISTRY_RING) {
			b = &pool.ring[pool.tail % REGISTRY_RING];
			if ((count = registry_read_batch(ctx, r, &cols, b, rows, &eof, err,
			         errlen)) < 0)
				goto out;
			if (count > 0) {
				pthread_mutex_lock(&pool.lock);
				b->count = (size_t)count;
				b->claimed = b->verified = 0;
				pool.tail++;
				pthread_cond_broadcast(&pool.work);
				pthread_mutex_unlock(&pool.lock);
			}
			continue;
		}
		if (pool.head == pool.tail)
			break;
		pthread_mutex_lock(&pool.lock);
		b = &pool.ring[pool.head % REGISTRY_RING];
		if (b->verified == b->count) {
			pthread_mutex_unlock(&pool.lock);
			if (registry_take(out, seen, b, opts->cycle_years, err, errlen) == -1)
				goto out;
			pthread_mutex_lock(&pool.lock);
			pool.head++;
			pthread_mutex_unlock(&pool.lock);
			ctx->read = csv_offset(r);
			registry_progress(ctx, 0, 0, *rows);
			continue;
		}
		/* Nothing to parse: verify beside the pool, or wait for it. */
		if ((b = registry_pool_claim(&pool, &first, &n)) != NULL) {
			pthread_mutex_unlock(&pool.lock);
			registry_pool_verify(&pool, verifier, b, first, n);
			pthread_mutex_lock(&pool.lock);
			registry_pool_count(&pool, b, n);
		} else {
			pthread_cond_wait(&pool.done, &pool.lock);
		}
		pthread_mutex_unlock(&pool.lock);
	}
	rc = 0;
out:
	registry_pool_stop(&pool);
	code_verifier_free(verifier);
	registry_serials_free(seen);
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
	struct registry_parsed parsed;
	struct registry_import_result res;
	sqlite3_stmt *stmt = NULL;
	unsigned long changed = 0;
	int64_t before, locked_from, now_ms = time_wall_ms();
	char why[256];
	int rc = -1, in_tx = 0;

	memset(&res, 0, sizeof(res));
	memset(&ctx, 0, sizeof(ctx));
	memset(&parsed, 0, sizeof(parsed));
	parsed.db = db;
	if (result != NULL)
		memset(result, 0, sizeof(*result));
	if (opts == NULL)
		opts = &no_opts;
	ctx.path = path;
	ctx.opts = opts;
	/* verifying is nearly all of an import with a key; parsing and staging most of
	 * one without (pass 2 is one statement and the commit) */
	ctx.pass1_share = opts->key != NULL ? 90 : 60;
	if (registry_read_pass(&ctx, &parsed, &res.rows, err, errlen) == -1)
		goto out;

	if (registry_stage_commit(&parsed, err, errlen) == -1)
		goto out;

	if (store_begin(db, why, sizeof(why)) == -1) {
		registry_db_failed(db, why, err, errlen);
		goto out;
	}
	in_tx = 1;
	locked_from = time_mono_ms();
	before = store_query_int(db, "SELECT count(*) FROM cylinders", 0);
	res.rejected = parsed.nrejected;
	if (registry_find_scrapped(db, path, &parsed, &res.kept_scrapped, &res.kept_county, err,
	        errlen) == -1)
		goto out;
	if (parsed.nkept > 0 && registry_waiting_take(db, path, err, errlen) == -1)
		goto out;
	if (parsed.nkept > 0) {
		if (registry_upsert_prepare(db, registry_upsert_all_sql, opts->registry_version,
		        now_ms, &stmt, why, sizeof(why)) == -1) {
			err_set(err, errlen, "%s", why);
			goto out;
		}
		if (sqlite3_step(stmt) != SQLITE_DONE) {
			/* copied: the message goes with the statement */
			str_copy(why, sqlite3_errmsg(db), sizeof(why));
			sqlite3_finalize(stmt);
			stmt = NULL;
			registry_upsert_refused(db, path, opts->registry_version, now_ms, why, err,
			    errlen);
			goto out;
		}
		changed = (unsigned long)sqlite3_changes(db);
		sqlite3_finalize(stmt);
		stmt = NULL;
		if (registry_waiting_done(db, path, err, errlen) == -1)
			goto out;
	}
	res.inserted =
	    (unsigned long)(store_query_int(db, "SELECT count(*) FROM cylinders", 0) - before);
	res.updated = changed - res.inserted;
	res.unchanged = parsed.nkept - changed;
	if (store_commit(db, why, sizeof(why)) == -1) {
		registry_db_failed(db, why, err, errlen);
		goto out;
	}
	in_tx = 0;
	res.locked_ms = time_mono_ms() - locked_from;
	registry_progress(&ctx, 1, 1, res.rows); /* all of it, even with no row kept */
	if (result != NULL)
		*result = res;
	rc = 0;
out:
	sqlite3_finalize(stmt);
	if (in_tx)
		store_rollback(db);
	registry_stage_drop(&parsed); /* no transaction left open while the caller is told */
	registry_tell(path, opts, &parsed, rc == 0);
	registry_parsed_free(&parsed);
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
		return err_set(err, errlen, _("certificate number must be 1 to %d characters"),
		    REGISTRY_CERT_MAX);
	for (i = 0; i < len; i++)
		if ((unsigned char)cert[i] <= 0x20 || cert[i] == 0x7f)
			return err_set(err, errlen,
			    _("certificate number holds spaces or control characters"));
	/* the county refuses every life record whose actor reads as an
	 * identity of its link (life.c life_source_check, the same rule): such
	 * an operator's dispatches and receipts would all be set aside */
	if (psk_claimed_role(cert) != PSK_ROLE_NONE)
		return err_set(err, errlen,
		    _("certificate number '%s' reads as an identity of the county link "
		      "(delivery:, station: and the other roles' prefixes), not an operator's "
		      "certificate: the county would refuse every life record this operator "
		      "makes"),
		    cert);
	if (name[0] == '\0' || strlen(name) > REGISTRY_NAME_MAX ||
	    !registry_text_ok(name, strlen(name)))
		return err_set(err, errlen,
		    _("name must be 1 to %d bytes of UTF-8 text without control characters"),
		    REGISTRY_NAME_MAX);
	if (strlen(expires) != 10 || registry_parse_date(expires, 10, &days) == -1)
		return err_set(err, errlen, _("expiry '%.16s' is not a date YYYY-MM-DD"), expires);
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
		return err_set(err, errlen, _("township code must be 9 or 12 digits"));
	for (i = 0; i < len; i++)
		if (township[i] < '0' || township[i] > '9')
			return err_set(err, errlen, _("township code must be 9 or 12 digits"));
	if (strlen(address) > REGISTRY_ADDRESS_MAX || !registry_text_ok(address, strlen(address)))
		return err_set(err, errlen,
		    _("address must be at most %d bytes of UTF-8 text without control "
		      "characters"),
		    REGISTRY_ADDRESS_MAX);
	/* the county shows an address to an officer as it is (docs/buyers.md):
	 * a number typed into it would go where the number never may */
	if (buyer_text_has_number(address, strlen(address)))
		return err_set(err, errlen,
		    _("the address holds what looks like an ID number or credit code; "
		      "an address is shown to officers as it is, so it may hold none"));
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
	sqlite3_stmt *stmt = NULL, *meta = NULL, *wait = NULL;
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
	        " registry_version = ?6, updated_ms = ?7, pulled_status = ?2, pulled_ms = ?7,"
	        " pulled_last_inspection = nullif(?3, ''), pulled_next_inspection = nullif(?4, '')"
	        " WHERE serial = ?1",
	        &stmt, why, sizeof(why)) == -1 ||
	    store_prepare(db,
	        "INSERT INTO meta (key, value) VALUES ('registry_version', ?1)"
	        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
	        &meta, why, sizeof(why)) == -1 ||
	    store_prepare(db,
	        "INSERT INTO registry_waiting (serial, status, last_inspection, next_inspection,"
	        " owner, registry_version, pulled_ms)"
	        " VALUES (?1, ?2, nullif(?3, ''), nullif(?4, ''), nullif(?5, ''), ?6, ?7)"
	        " ON CONFLICT (serial) DO UPDATE SET status = excluded.status,"
	        "  last_inspection = excluded.last_inspection,"
	        "  next_inspection = excluded.next_inspection,"
	        "  owner = coalesce(excluded.owner, registry_waiting.owner),"
	        "  registry_version = excluded.registry_version, pulled_ms = excluded.pulled_ms"
	        " WHERE excluded.registry_version >= registry_waiting.registry_version",
	        &wait, why, sizeof(why)) == -1) {
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
		if (sqlite3_changes(db) > 0)
			continue;
		/* a cylinder this station does not hold has no model or tare
		 * here: the delta cannot create it.  Its row is kept for the
		 * import that adds it (migration 011): the version moves past
		 * it, and the county will not serve it again. */
		held_back++;
		sqlite3_reset(wait);
		sqlite3_bind_text(wait, 1, row->serial, -1, SQLITE_STATIC);
		sqlite3_bind_text(wait, 2, row->status, -1, SQLITE_STATIC);
		sqlite3_bind_text(wait, 3, row->last_inspection, -1, SQLITE_STATIC);
		sqlite3_bind_text(wait, 4, row->next_inspection, -1, SQLITE_STATIC);
		sqlite3_bind_text(wait, 5, row->owner, -1, SQLITE_STATIC);
		sqlite3_bind_int64(wait, 6, row->version);
		sqlite3_bind_int64(wait, 7, now);
		if (sqlite3_step(wait) != SQLITE_DONE) {
			err_set(err, errlen, "registry delta row %s kept: %s", row->serial,
			    sqlite3_errmsg(db));
			goto fail;
		}
	}
	snprintf(version, sizeof(version), "%lld", (long long)delta->version);
	sqlite3_bind_text(meta, 1, version, -1, SQLITE_STATIC);
	if (sqlite3_step(meta) != SQLITE_DONE) {
		err_set(err, errlen, "registry version: %s", sqlite3_errmsg(db));
		goto fail;
	}
	sqlite3_finalize(stmt);
	sqlite3_finalize(meta);
	sqlite3_finalize(wait);
	if (store_commit(db, why, sizeof(why)) == -1) {
		store_rollback(db);
		return err_set(err, errlen, "%s", why);
	}
	*unknown = held_back;
	return 0;
fail:
	sqlite3_finalize(stmt);
	sqlite3_finalize(meta);
	sqlite3_finalize(wait);
	store_rollback(db);
	return -1;
}

/* ---- a scrap undone on purpose -------------------------------------------------- */

int
registry_reason_check(const char *reason, char *err, size_t errlen)
{
	size_t n = strlen(reason), i;

	if (n == 0 || n > WIRE_LIFE_TEXT - 1)
		return err_set(err, errlen, _("\"%s\" must be 1 to %d bytes"), "reason",
		    WIRE_LIFE_TEXT - 1);
	for (i = 0; i < n; i++)
		if ((unsigned char)reason[i] < 0x20 || reason[i] == 0x7f)
			return err_set(err, errlen, _("\"%s\" must not hold control characters"),
			    "reason");
	if (buyer_text_has_number(reason, n))
		return err_set(err, errlen,
		    _("\"reason\" looks like it holds an ID number; it was not kept"));
	return 0;
}

int
registry_operator_current(sqlite3 *db, const char *cert, char *err, size_t errlen)
{
	struct registry_operator op;
	char why[256];
	int32_t until;

	switch (registry_operator_find(db, cert, &op, why, sizeof(why))) {
	case STORE_ERROR:
		return err_set(err, errlen, "%s", why);
	case STORE_NOT_FOUND:
		op.active = 0;
		break;
	case STORE_FOUND:
		break;
	}
	if (!op.active)
		return err_set(err, errlen,
		    _("operator certificate %s is not registered at this station"), cert);
	/* a certificate past its date may not bring a cylinder back, as it may
	 * not fill (R07) */
	if (date_parse(op.expires, &until) == -1 || date_today() > until)
		return err_set(err, errlen, _("operator certificate %s expired on %s"), cert,
		    op.expires);
	return 0;
}

int
registry_reinstate(sqlite3 *db, const struct registry_reinstatement *r, char *was, size_t waslen,
    char *err, size_t errlen)
{
	struct registry_cylinder cyl;
	sqlite3_stmt *st = NULL;
	char why[256];
	int rc = -1;

	if (was != NULL && waslen > 0)
		was[0] = '\0';
	/* the reason is kept and read as a sentence typed by a person, as a
	 * scrap's */
	if (registry_reason_check(r->reason, err, errlen) == -1)
		return -1;
	if (store_begin(db, why, sizeof(why)) == -1)
		return err_set(err, errlen, "%s", why);
	if (registry_operator_current(db, r->actor, err, errlen) == -1)
		goto out;
	switch (registry_cylinder_find(db, r->serial, &cyl, why, sizeof(why))) {
	case STORE_ERROR:
		err_set(err, errlen, "%s", why);
		goto out;
	case STORE_NOT_FOUND:
		err_set(err, errlen, _("cylinder %s is not in this station's registry"), r->serial);
		goto out;
	case STORE_FOUND:
		break;
	}
	if (was != NULL)
		str_copy(was, cyl.status, waslen);
	if (strcmp(cyl.status, "scrapped") != 0 && r->lifts_id < 0) {
		rc = 0; /* nothing to undo: not scrapped, no stop of this station's */
		goto out;
	}
	if (store_prepare(db,
	        "UPDATE cylinders SET status = 'active', updated_ms = ?2"
	        " WHERE serial = ?1 AND status = 'scrapped'",
	        &st, why, sizeof(why)) == -1) {
		err_set(err, errlen, "%s", why);
		goto out;
	}
	sqlite3_bind_text(st, 1, r->serial, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->now_ms);
	if (sqlite3_step(st) != SQLITE_DONE) {
		err_set(err, errlen, "reinstate %s: %s", r->serial, sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (store_prepare(db,
	        "INSERT INTO reinstatements (serial, actor, login, reason, was_status, lifts_id,"
	        " at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	        &st, why, sizeof(why)) == -1) {
		err_set(err, errlen, "%s", why);
		goto out;
	}
	sqlite3_bind_text(st, 1, r->serial, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, r->login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, cyl.status, -1, SQLITE_STATIC);
	if (r->lifts_id >= 0)
		sqlite3_bind_int64(st, 6, r->lifts_id);
	else
		sqlite3_bind_null(st, 6);
	sqlite3_bind_int64(st, 7, r->now_ms);
	if (sqlite3_step(st) != SQLITE_DONE) {
		err_set(err, errlen, "reinstate %s: %s", r->serial, sqlite3_errmsg(db));
		goto out;
	}
	if (store_commit(db, why, sizeof(why)) == -1) {
		err_set(err, errlen, "%s", why);
		goto out;
	}
	sqlite3_finalize(st);
	return 1;
out:
	sqlite3_finalize(st);
	store_rollback(db);
	return rc;
}

int
registry_county_pulled(sqlite3 *db)
{
	return (int)store_query_int(db,
	    "SELECT count(*) > 0 FROM meta WHERE key = 'registry_version'", 1);
}
