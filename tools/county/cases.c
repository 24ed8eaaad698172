/*
 * cases: the case model of the county (cases.h says what it promises).
 *
 * Every write is one BEGIN IMMEDIATE .. COMMIT holding the change and its
 * step row together; the steps a case may take are one table (steps[]
 * below), so the rule of which step follows which is written once.  The
 * answers are built from the SQL rows themselves: each column's name is
 * its key in the CBOR map, so the columns docs/county.md lists are the
 * answer's keys.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "buyer.h"
#include "cases.h"
#include "log.h"
#include "store.h"
#include "util.h"
#include "writequota.h"

#define TEXT(stmt, i) ((const char *)sqlite3_column_text((stmt), (i)))
#define META_SEEN "cases_alerts_seen"      /* the last alert id turned into a case or skipped */
#define META_DUE_FILLED "cases_due_filled" /* 1: cases from before 007 have deadlines */
#define ALERTS_PER_CALL 1000
#define REPORT_REPEAT_MS (10 * 60 * 1000)

static int
db_error(struct county_db *c, char *err, size_t errlen, const char *what)
{
	return err_set(err, errlen, "%s: %s", what, sqlite3_errmsg(c->db));
}

/*
 * Bind the arguments that types describes, one letter each: i int64,
 * t text (NULL binds ""), d double, n NULL, b blob (pointer, size_t).
 */
static void
bind_va(sqlite3_stmt *st, const char *types, va_list ap)
{
	int i;

	for (i = 0; types[i] != '\0'; i++) {
		switch (types[i]) {
		case 'i':
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
			break;
		case 't': {
			const char *s = va_arg(ap, const char *);

			sqlite3_bind_text(st, i + 1, s != NULL ? s : "", -1, SQLITE_TRANSIENT);
			break;
		}
		case 'd':
			sqlite3_bind_double(st, i + 1, va_arg(ap, double));
			break;
		case 'n':
			sqlite3_bind_null(st, i + 1);
			break;
		case 'b': {
			const void *p = va_arg(ap, const void *);
			size_t n = va_arg(ap, size_t);

			sqlite3_bind_blob64(st, i + 1, p, n, SQLITE_TRANSIENT);
			break;
		}
		}
	}
}

/* Run one statement that returns no rows. */
static int
run(struct county_db *c, char *err, size_t errlen, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int rc;

	if (store_prepare(c->db, sql, &st, err, errlen) == -1)
		return -1;
	va_start(ap, types);
	bind_va(st, types, ap);
	va_end(ap);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(c, err, errlen, "cases");
}

/* Prepare sql and bind; the caller steps and finalizes. */
static int
prepare(struct county_db *c, sqlite3_stmt **st, char *err, size_t errlen, const char *sql,
    const char *types, ...)
{
	va_list ap;

	if (store_prepare(c->db, sql, st, err, errlen) == -1)
		return -1;
	va_start(ap, types);
	bind_va(*st, types, ap);
	va_end(ap);
	return 0;
}

/* :now, for any statement that judges deadlines. */
static void
bind_now(sqlite3_stmt *st, int64_t now)
{
	int at;

	if ((at = sqlite3_bind_parameter_index(st, ":now")) > 0)
		sqlite3_bind_int64(st, at, now);
}

/* The deadline of a case's current stage (fixed when it opened, 007): a column computed from
 * the state since 011, 0 once closed or dismissed, so that the list's indexes hold it. */
#define DUE_SQL "stage_due_ms"
/* Every state but closed and dismissed (005's CHECK names them all), as a list so that the
 * (township, state) index finds the open cases of a township without reading its closed ones. */
#define OPEN_SQL "state IN ('new', 'accepted', 'onsite', 'decided')"
/*
 * The cases a sweep escalates: open, not escalated yet, past their stage's deadline.  The
 * terms are those of 013's partial index cases_escalation (is_open = 1 AND escalated_ms = 0:
 * a partial index serves only a query whose WHERE holds its own terms), so the sweep reads
 * the cases it escalates and no other (test_cases counts its work); OPEN_SQL would mean the
 * same (is_open is computed from it, 011) but would read the whole table.
 */
#define ESCALATE_SQL "is_open = 1 AND escalated_ms = 0 AND " DUE_SQL " < :now"
/* The escalate steps of the cases ESCALATE_SQL holds (and what follows it narrows), each
 * with the stage that is late, by how much, and the township it is late in (032). */
#define ESCALATE_STEP_SQL                                                                          \
	"INSERT INTO case_steps (case_id, at_ms, identity, action, facts, state, township)"        \
	" SELECT id, :now, 'county', 'escalate', json_object('stage', CASE state"                  \
	" WHEN 'new' THEN 'accept' WHEN 'accepted' THEN 'onsite' ELSE 'close' END,"                \
	" 'late_min', (:now - " DUE_SQL                                                            \
	") / 60000), state, township FROM cases WHERE " ESCALATE_SQL
/* The cases an alert may join: open and not yet decided.  A violation after
 * the decision is one the decision did not weigh: a case of its own. */
#define JOINABLE_SQL "state IN ('new', 'accepted', 'onsite')"
#define CASE_COLUMNS                                                                               \
	"id, township, severity, kind, state, title, station, cylinder, buyer_masked, officer,"    \
	" reporter, village, place, CASE WHEN lat IS NULL THEN NULL ELSE printf('%.6f', lat)"      \
	" END AS lat, CASE WHEN lon IS NULL THEN NULL ELSE printf('%.6f', lon) END AS lon,"        \
	" code, outcome, power, fine_yuan, alerts, opened_ms, accepted_ms, onsite_ms,"             \
	" decided_ms, closed_ms, escalated_ms, updated_ms, accept_due_ms, onsite_due_ms,"          \
	" close_due_ms, routed_by, code_check, " DUE_SQL " AS due_ms,"                             \
	" (is_open AND :now > " DUE_SQL ") AS overdue,"                                            \
	" CASE WHEN is_open AND :now > " DUE_SQL " THEN (:now - " DUE_SQL ") / 1000"               \
	" ELSE 0 END AS overdue_s"

/* ---- answers: SQL rows as CBOR maps ------------------------------------------------ */

static int
put(cbor_item_t *map, const char *key, cbor_item_t *value)
{
	if (value == NULL)
		return 0;
	return cbor_map_add(map, (struct cbor_pair){ .key = cbor_move(cbor_build_string(key)),
	                             .value = cbor_move(value) });
}

static cbor_item_t *
int_item(int64_t v)
{
	return v >= 0 ? cbor_build_uint64((uint64_t)v) : cbor_build_negint64((uint64_t)(-1 - v));
}

/* The current row of st as a map: column name -> value (NULL columns left out). */
static cbor_item_t *
row_map(sqlite3_stmt *st)
{
	int i, n = sqlite3_column_count(st), present = 0;
	cbor_item_t *m, *v;

	for (i = 0; i < n; i++)
		present += sqlite3_column_type(st, i) != SQLITE_NULL;
	if ((m = cbor_new_definite_map((size_t)present)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_NULL:
			continue;
		case SQLITE_INTEGER:
			v = int_item(sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			v = cbor_build_float8(sqlite3_column_double(st, i));
			break;
		case SQLITE_BLOB:
			v = cbor_build_bytestring(sqlite3_column_blob(st, i),
			    (size_t)sqlite3_column_bytes(st, i));
			break;
		default:
			v = cbor_build_stringn(TEXT(st, i), (size_t)sqlite3_column_bytes(st, i));
			break;
		}
		if (!put(m, sqlite3_column_name(st, i), v)) {
			cbor_decref(&m);
			return NULL;
		}
	}
	return m;
}

/* Every row of st (at most max) as a definite array; NULL on failure (err). */
static cbor_item_t *
rows_array(struct county_db *c, sqlite3_stmt *st, size_t max, char *err, size_t errlen)
{
	cbor_item_t **items = NULL, *array = NULL, **grown;
	size_t n = 0, cap = 0, i;
	int rc = SQLITE_DONE;

	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			if ((grown = realloc(items, cap * sizeof(*items))) == NULL)
				goto fail;
			items = grown;
		}
		if ((items[n] = row_map(st)) == NULL)
			goto fail;
		n++;
	}
	if (n < max && rc != SQLITE_DONE) {
		db_error(c, err, errlen, "cases");
		goto out;
	}
	if ((array = cbor_new_definite_array(n)) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		if (!cbor_array_push(array, items[i]))
			goto fail;
	}
	goto out;
fail:
	err_set(err, errlen, "out of memory");
	if (array != NULL)
		cbor_decref(&array);
out:
	for (i = 0; i < n; i++)
		cbor_decref(&items[i]); /* the array holds its own reference */
	free(items);
	return array;
}

static int
serialize(cbor_item_t *root, uint8_t **out, size_t *len, char *err, size_t errlen)
{
	size_t size = 0;

	*out = NULL;
	*len = cbor_serialize_alloc(root, out, &size);
	cbor_decref(&root);
	if (*out == NULL || *len == 0) {
		free(*out);
		*out = NULL;
		return err_set(err, errlen, "out of memory");
	}
	return 0;
}

/*
 * The list's answer written as its rows are read, byte for byte what rows_array and serialize
 * make of them (a map per row of its non-NULL columns, integers as 8-byte CBOR integers, as
 * cbor_build_uint64 gives them, floats as doubles, texts and blobs of definite length), but
 * with no libcbor item per value (a list of 500 cases made 35,000 of them, each malloc'd, and
 * freed) and no encoding again into a buffer twice as large each time the last one was too
 * small (cbor_serialize_alloc starts at 32 bytes): the CBOR list took 5-9 ms against 0.3-0.6
 * for the same rows without an answer (cases_list_brief).  test_cases holds the bytes equal
 * to cases_show's, which builds items.
 */
struct cbuf {
	uint8_t *data;
	size_t len, cap;
	int failed; /* out of memory: the rest is not written */
};

/* Room for n more bytes; 0 when there is none (b->failed set). */
static int
cbuf_room(struct cbuf *b, size_t n)
{
	size_t cap = b->cap == 0 ? 4096 : b->cap;
	uint8_t *grown;

	if (b->failed)
		return 0;
	if (b->cap - b->len >= n)
		return 1;
	while (cap - b->len < n) {
		if (cap > SIZE_MAX / 2) {
			b->failed = 1;
			return 0;
		}
		cap *= 2;
	}
	if ((grown = realloc(b->data, cap)) == NULL) {
		b->failed = 1;
		return 0;
	}
	b->data = grown;
	b->cap = cap;
	return 1;
}

/* A head (major type and length or value) is at most 9 bytes in CBOR. */
#define CBUF_HEAD 9

static void
cbuf_int(struct cbuf *b, int64_t v)
{
	if (!cbuf_room(b, CBUF_HEAD))
		return;
	b->len += v >= 0
	              ? cbor_encode_uint64((uint64_t)v, b->data + b->len, b->cap - b->len)
	              : cbor_encode_negint64((uint64_t)(-1 - v), b->data + b->len, b->cap - b->len);
}

/* text: a text string, else a byte string, of n bytes */
static void
cbuf_string(struct cbuf *b, int text, const void *data, size_t n)
{
	if (!cbuf_room(b, CBUF_HEAD + n))
		return;
	b->len += text ? cbor_encode_string_start(n, b->data + b->len, b->cap - b->len)
	               : cbor_encode_bytestring_start(n, b->data + b->len, b->cap - b->len);
	if (n > 0)
		memcpy(b->data + b->len, data, n);
	b->len += n;
}

/* map: a map head of n pairs, else an array head of n items */
static void
cbuf_head(struct cbuf *b, int map, size_t n)
{
	if (!cbuf_room(b, CBUF_HEAD))
		return;
	b->len += map ? cbor_encode_map_start(n, b->data + b->len, b->cap - b->len)
	              : cbor_encode_array_start(n, b->data + b->len, b->cap - b->len);
}

/* The current row of st as row_map's map, names[i] the name of column i. */
static void
cbuf_row(struct cbuf *b, sqlite3_stmt *st, int n, const char *const *names)
{
	int i, present = 0;

	for (i = 0; i < n; i++)
		present += sqlite3_column_type(st, i) != SQLITE_NULL;
	cbuf_head(b, 1, (size_t)present);
	for (i = 0; i < n; i++) {
		int type = sqlite3_column_type(st, i);
		const void *data;

		if (type == SQLITE_NULL)
			continue;
		cbuf_string(b, 1, names[i], strlen(names[i]));
		switch (type) {
		case SQLITE_INTEGER:
			cbuf_int(b, sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			if (cbuf_room(b, CBUF_HEAD))
				b->len += cbor_encode_double(sqlite3_column_double(st, i),
				    b->data + b->len, b->cap - b->len);
			break;
		default: /* the value first, then its size (SQLite's rule) */
			data = type == SQLITE_BLOB ? sqlite3_column_blob(st, i)
			                           : (const void *)sqlite3_column_text(st, i);
			cbuf_string(b, type != SQLITE_BLOB, data,
			    (size_t)sqlite3_column_bytes(st, i));
			break;
		}
	}
}

/*
 * {"now": now, "cases": [rows of st, at most max]} into *out (malloc'd) as rows_array and
 * serialize would write it.  The array's length is known once the rows are read, so they are
 * written after room for the longest head the answer can have and the head is put before
 * them at the end.
 */
static int
cbuf_list(struct county_db *c, sqlite3_stmt *st, int64_t now, size_t max, uint8_t **out,
    size_t *len, char *err, size_t errlen)
{
	/* map(2) "now" int64 "cases" array(n): 1 + 4 + 9 + 6 + 9 bytes at most */
	enum { ROOM = 1 + 4 + CBUF_HEAD + 6 + CBUF_HEAD };
	struct cbuf b = { NULL, 0, 0, 0 }, head = { NULL, 0, 0, 0 };
	const char *names[64];
	int i, ncol = sqlite3_column_count(st), rc = SQLITE_DONE;
	size_t n = 0;

	*out = NULL;
	*len = 0;
	if (ncol > (int)(sizeof(names) / sizeof(names[0])))
		return err_set(err, errlen, "cases: %d columns", ncol);
	for (i = 0; i < ncol; i++)
		if ((names[i] = sqlite3_column_name(st, i)) == NULL)
			return err_set(err, errlen, "out of memory");
	if (cbuf_room(&b, ROOM))
		b.len = ROOM;
	while (!b.failed && n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		cbuf_row(&b, st, ncol, names);
		n++;
	}
	if (!b.failed && n < max && rc != SQLITE_DONE) {
		free(b.data);
		return db_error(c, err, errlen, "cases");
	}
	cbuf_head(&head, 1, 2);
	cbuf_string(&head, 1, "now", 3);
	cbuf_int(&head, now);
	cbuf_string(&head, 1, "cases", 5);
	cbuf_head(&head, 0, n);
	if (b.failed || head.failed || head.len > ROOM) {
		free(b.data);
		free(head.data);
		return err_set(err, errlen, "out of memory");
	}
	memcpy(b.data + ROOM - head.len, head.data, head.len);
	memmove(b.data, b.data + ROOM - head.len, b.len - (ROOM - head.len));
	*len = b.len - (ROOM - head.len);
	*out = b.data;
	free(head.data);
	return 0;
}

/* ---- steps ------------------------------------------------------------------------ */

#define S_NEW 0x01u
#define S_ACCEPTED 0x02u
#define S_ONSITE 0x04u
#define S_DECIDED 0x08u
#define S_CLOSED 0x10u
#define S_DISMISSED 0x20u
#define S_OPEN (S_NEW | S_ACCEPTED | S_ONSITE | S_DECIDED)

static const struct state_row {
	const char *name;
	unsigned bit;
} states[] = {
	{ "new", S_NEW },
	{ "accepted", S_ACCEPTED },
	{ "onsite", S_ONSITE },
	{ "decided", S_DECIDED },
	{ "closed", S_CLOSED },
	{ "dismissed", S_DISMISSED },
	{ NULL, 0 },
};

/*
 * Which step may follow which: the states it may be taken from, the state
 * it leads to (NULL: the state stays), the column of cases that records
 * when, and what it needs.
 */
static const struct step_row {
	const char *name;
	unsigned from;
	const char *to;
	const char *stamp; /* the cases column set to now */
	int note, file;    /* 1: required */
} steps[] = {
	{ "accept", S_NEW, "accepted", "accepted_ms", 0, 0 },
	{ "onsite", S_ACCEPTED, "onsite", "onsite_ms", 0, 0 },
	{ "decide", S_ACCEPTED | S_ONSITE, "decided", "decided_ms", 0, 0 },
	{ "close", S_DECIDED, "closed", "closed_ms", 0, 0 },
	{ "dismiss", S_NEW | S_ACCEPTED | S_ONSITE, "dismissed", "closed_ms", 1, 0 },
	{ "comment", S_OPEN | S_CLOSED | S_DISMISSED, NULL, NULL, 1, 0 },
	{ "attach", S_OPEN, NULL, NULL, 0, 1 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

static unsigned
state_bit(const char *name)
{
	const struct state_row *s;

	for (s = states; s->name != NULL; s++)
		if (strcmp(s->name, name) == 0)
			return s->bit;
	return 0;
}

static void
states_text(unsigned bits, char *buf, size_t size)
{
	const struct state_row *s;
	size_t used = 0;

	buf[0] = '\0';
	for (s = states; s->name != NULL && used < size; s++)
		if (bits & s->bit)
			used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
			    s->name);
}

/*
 * A step of case_id.  facts (017), for a step the county writes itself: a
 * JSON object of what it found, worded by each reader's tool in the
 * reader's language; NULL for a person's step (note holds their words).
 * The reference to facts is taken.  The step keeps the case's township as it
 * is after the step (032), as it keeps its state: the figures count a
 * township's escalations by it after the case was moved on.
 */
static int
step_row(struct county_db *c, int64_t case_id, int64_t now, const char *identity,
    const char *action, const char *note, json_t *facts, const char *state, int64_t *step_id,
    char *err, size_t errlen)
{
	char *text = NULL;
	int rc;

	if (facts != NULL) {
		text = json_dumps(facts, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(facts);
		if (text == NULL) {
			err_set(err, errlen, "out of memory");
			return -1;
		}
	}
	rc = run(c, err, errlen,
	    "INSERT INTO case_steps (case_id, at_ms, identity, action, note, facts, state,"
	    " township) VALUES (?,?,?,?,?,NULLIF(?, ''),?,(SELECT township FROM cases WHERE id = ?))",
	    "iittttti", case_id, now, identity, action, note, text, state, case_id);
	free(text);
	if (rc == -1)
		return -1;
	if (step_id != NULL)
		*step_id = sqlite3_last_insert_rowid(c->db);
	return 0;
}

/* A step the county writes itself on a new case: its facts alone (NULL: json_pack
 * could not make them). */
static int
county_step(struct county_db *c, int64_t case_id, int64_t now, const char *action, json_t *facts,
    char *err, size_t errlen)
{
	if (facts == NULL)
		return err_set(err, errlen, "%s: the step's facts could not be made", action);
	return step_row(c, case_id, now, "county", action, "", facts, "new", NULL, err, errlen);
}

/* The SHA-256 of rq's evidence as hex; -1 if it cannot be taken. */
static int
evidence_hash(const struct case_request *rq, char hash[65])
{
	unsigned char digest[32];
	unsigned int dlen = 0;

	if (EVP_Digest(rq->data, rq->data_len, digest, &dlen, EVP_sha256(), NULL) != 1 ||
	    dlen != sizeof(digest))
		return -1;
	hex_encode(digest, sizeof(digest), hash);
	return 0;
}

/*
 * The name an evidence file is kept and shown under: the name it was sent
 * with, unless that holds what looks like a resident ID or credit code
 * (buyer_text_has_number): a phone or a folder names a photo of an ID card
 * by its number, and the name is shown to everyone who reads the case.
 * Such a name is replaced by "evidence" and its extension (".jpg": after
 * the last dot, 1 to 8 ASCII letters and digits), not refused: the person
 * did not choose it, and the photo is still wanted.  Likewise a type that
 * holds one is kept as "application/octet-stream".
 */
static void
evidence_name(const struct case_request *rq, char *name, size_t name_size, char *type,
    size_t type_size)
{
	const char *dot = strrchr(rq->file, '.');
	size_t ext = dot != NULL ? strlen(dot + 1) : 0, i;

	str_copy(name, rq->file, name_size);
	str_copy(type, rq->type, type_size);
	if (buyer_text_has_number(rq->type, strlen(rq->type)))
		str_copy(type, "application/octet-stream", type_size);
	if (!buyer_text_has_number(rq->file, strlen(rq->file)))
		return;
	for (i = 0; i < ext && ext <= 8; i++)
		if (!((dot[1 + i] >= 'a' && dot[1 + i] <= 'z') ||
		        (dot[1 + i] >= 'A' && dot[1 + i] <= 'Z') ||
		        (dot[1 + i] >= '0' && dot[1 + i] <= '9')))
			break;
	if (ext >= 1 && ext <= 8 && i == ext)
		snprintf(name, name_size, "evidence%s", dot);
	else
		str_copy(name, "evidence", name_size);
}

/* Store rq's evidence file (if any) for case_id at step, under evidence_name's name and type;
 * *stored: the bytes it added to the county (0 for a file the county holds already). */
static enum cases_result
store_evidence(struct county_db *c, const struct case_request *rq, int64_t case_id, int64_t step,
    int64_t *stored, char *err, size_t errlen)
{
	char hash[65], name[sizeof(rq->file)], type[sizeof(rq->type)];
	size_t max = (size_t)c->config->evidence_max_kb * 1024;

	*stored = 0;
	if (!CASEMSG_HAS(rq, CASEMSG_DATA))
		return CASES_DONE;
	if (!CASEMSG_HAS(rq, CASEMSG_FILE) || rq->file[0] == '\0' ||
	    !CASEMSG_HAS(rq, CASEMSG_TYPE) || strchr(rq->type, '/') == NULL) {
		err_set(err, errlen, "evidence needs file (its name) and type (image/jpeg...)");
		return CASES_REFUSED;
	}
	if (rq->data_len > max) {
		err_set(err, errlen, "%s", cases_refusal_reason(CASES_REFUSAL_EVIDENCE_TOO_LARGE));
		return CASES_REFUSED;
	}
	if (evidence_hash(rq, hash) == -1) {
		err_set(err, errlen, "SHA-256 failed");
		return CASES_ERROR;
	}
	if (run(c, err, errlen, "INSERT OR IGNORE INTO evidence (hash, size, data) VALUES (?,?,?)",
	        "tib", hash, (int64_t)rq->data_len, (const void *)rq->data, rq->data_len) == -1)
		return CASES_ERROR;
	if (sqlite3_changes(c->db) > 0)
		*stored = (int64_t)rq->data_len;
	evidence_name(rq, name, sizeof(name), type, sizeof(type));
	if (run(c, err, errlen,
	        "INSERT OR IGNORE INTO case_evidence (case_id, step, hash, name, type)"
	        " VALUES (?,?,?,?,?)",
	        "iittt", case_id, step, hash, name, type) == -1)
		return CASES_ERROR;
	return CASES_DONE;
}

/*
 * The texts a person types into a case (a note, a report's place and
 * village) are stored and shown as they are, on every page of the case and
 * in every backup: none may hold what looks like a resident ID or credit
 * code (buyer.h), so that a buyer's number typed into a comment or a report
 * goes nowhere; a buyer is named by the masked form.  The words the county
 * looks up (a report's kind, a decision's outcome and power, a
 * reassignment's township) are typed too (gaswatch takes them as free
 * text): asked here, before the refusal of an unknown one, which names it
 * and is logged (review rev97).  The refusal names the field, never the
 * text.
 */
enum cases_field
cases_field_with_number(const struct case_request *rq)
{
	const char *code = rq->code + strspn(rq->code, " \t"); /* as read_code reads it */
	const char *typed[CASES_FIELD_COUNT] = {
		[CASES_FIELD_NOTE] = CASEMSG_HAS(rq, CASEMSG_NOTE_F) ? rq->note : "",
		[CASES_FIELD_PLACE] = CASEMSG_HAS(rq, CASEMSG_PLACE_F) ? rq->place : "",
		[CASES_FIELD_VILLAGE] = CASEMSG_HAS(rq, CASEMSG_VILLAGE) ? rq->village : "",
		/* a code is not asked: its base45 text may hold such a word by chance */
		[CASES_FIELD_CODE] =
		    CASEMSG_HAS(rq, CASEMSG_CODE) && !code_text_is_code(code, strlen(code)) ? code
		                                                                            : "",
		[CASES_FIELD_KIND] = CASEMSG_HAS(rq, CASEMSG_KIND) ? rq->kind : "",
		[CASES_FIELD_OUTCOME] = CASEMSG_HAS(rq, CASEMSG_OUTCOME) ? rq->outcome : "",
		[CASES_FIELD_POWER] = CASEMSG_HAS(rq, CASEMSG_POWER) ? rq->power : "",
		[CASES_FIELD_TOWNSHIP] = CASEMSG_HAS(rq, CASEMSG_TOWNSHIP) ? rq->township : "",
	};
	int i;

	for (i = 0; i < CASES_FIELD_COUNT; i++)
		if (buyer_text_has_number(typed[i], strlen(typed[i])))
			return (enum cases_field)i;
	return CASES_FIELD_NONE;
}

const char *
cases_field_key(enum cases_field field)
{
	static const char *const keys[CASES_FIELD_COUNT] = { "note", "place", "village", "code",
		"kind", "outcome", "power", "township" };

	return field > CASES_FIELD_NONE && field < CASES_FIELD_COUNT ? keys[field] : "";
}

static enum cases_result
typed_texts_ok(const struct case_request *rq, char *err, size_t errlen)
{
	enum cases_field field = cases_field_with_number(rq);

	if (field == CASES_FIELD_NONE)
		return CASES_DONE;
	err_set(err, errlen,
	    "%s holds what looks like a resident ID or credit code: name a buyer by the masked "
	    "form, never the number",
	    cases_field_key(field));
	return CASES_REFUSED;
}

int
cases_step_known(const char *step)
{
	const struct step_row *s;

	for (s = steps; s->name != NULL; s++)
		if (strcmp(s->name, step) == 0)
			return 1;
	return 0;
}

int
cases_note_blank(const char *note)
{
	return note[strspn(note, " \t\r\n")] == '\0';
}

unsigned
cases_step_needs(const char *step)
{
	const struct step_row *s;

	/* cases_reassign's rule (say why) and cases_report's (what was found) */
	if (strcmp(step, "reassign") == 0 || strcmp(step, "report") == 0)
		return CASES_NEEDS_NOTE;
	for (s = steps; s->name != NULL; s++)
		if (strcmp(s->name, step) == 0)
			return (s->note ? CASES_NEEDS_NOTE : 0u) |
			       (s->file ? CASES_NEEDS_FILE : 0u);
	return 0;
}

int
cases_step_fits(const char *state, const char *step)
{
	const struct step_row *s;

	if (strcmp(step, "reassign") == 0) /* cases_reassign's rule */
		return (state_bit(state) & S_OPEN) != 0;
	for (s = steps; s->name != NULL; s++)
		if (strcmp(s->name, step) == 0)
			return (state_bit(state) & s->from) != 0;
	return 0;
}

/* The case's township, reporter and state; CASES_NOT_FOUND or _OUT_OF_SCOPE. */
static enum cases_result
case_find(struct county_db *c, const struct access_scope *scope, int64_t id, char *state,
    size_t statelen, char *township, size_t townshiplen, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	enum cases_result res;
	int rc;

	if (prepare(c, &st, err, errlen, "SELECT township, reporter, state FROM cases WHERE id = ?",
	        "i", id) == -1)
		return CASES_ERROR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		res = access_scope_covers_case(scope, TEXT(st, 0), TEXT(st, 1))
		          ? CASES_DONE
		          : CASES_OUT_OF_SCOPE;
		if (state != NULL)
			str_copy(state, TEXT(st, 2), statelen);
		if (township != NULL)
			str_copy(township, TEXT(st, 0), townshiplen);
	} else if (rc == SQLITE_DONE) {
		res = CASES_NOT_FOUND;
	} else {
		db_error(c, err, errlen, "case");
		res = CASES_ERROR;
	}
	sqlite3_finalize(st);
	return res;
}

/* 1 if case id was escalated to the county (and not reassigned since). */
static int
case_escalated(struct county_db *c, int64_t id)
{
	sqlite3_stmt *st = NULL;
	int yes = 0;

	if (prepare(c, &st, NULL, 0, "SELECT escalated_ms > 0 FROM cases WHERE id = ?", "i", id) ==
	        0 &&
	    sqlite3_step(st) == SQLITE_ROW)
		yes = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return yes;
}

enum cases_result
cases_state(struct county_db *c, const struct access_scope *scope, int64_t id, char *state,
    size_t statelen, char *err, size_t errlen)
{
	return case_find(c, scope, id, state, statelen, NULL, 0, err, errlen);
}

enum cases_result
cases_township(struct county_db *c, const struct access_scope *scope, int64_t id, char *township,
    size_t townshiplen, char *err, size_t errlen)
{
	return case_find(c, scope, id, NULL, 0, township, townshiplen, err, errlen);
}

/* 1 if case id already holds rq's evidence file. */
static int
holds_evidence(struct county_db *c, int64_t id, const struct case_request *rq)
{
	sqlite3_stmt *st = NULL;
	char hash[65];
	int held = 0;

	if (evidence_hash(rq, hash) == -1 ||
	    prepare(c, &st, NULL, 0, "SELECT 1 FROM case_evidence WHERE case_id = ? AND hash = ?",
	        "it", id, hash) == -1)
		return 0;
	held = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return held;
}

/* 1 if the case's newest step is action by identity with note (a resend). */
static int
repeated(struct county_db *c, int64_t id, const char *identity, const char *action,
    const char *note, int64_t now)
{
	sqlite3_stmt *st = NULL;
	int same = 0;

	if (prepare(c, &st, NULL, 0,
	        "SELECT identity = ? AND action = ? AND note = ? AND at_ms > ? FROM case_steps"
	        " WHERE case_id = ? ORDER BY id DESC LIMIT 1",
	        "tttii", identity, action, note, now - REPORT_REPEAT_MS, id) == -1)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		same = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return same;
}

/* 1 if case id holds the decision of rq (outcome, power and fine): a decide
 * sent again, not a corrected one. */
static int
decision_held(struct county_db *c, int64_t id, const struct case_request *rq, int64_t fine)
{
	sqlite3_stmt *st = NULL;
	int same = 0;

	if (prepare(c, &st, NULL, 0,
	        "SELECT outcome = ? AND power = ? AND fine_yuan = ? FROM cases WHERE id = ?",
	        "ttii", rq->outcome, rq->power, fine, id) == -1)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		same = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return same;
}

/* CASES_TOO_MANY when identity added CASES_NOTES_PER_HOUR comments and attachments to case id
 * in the last hour (cases.h), CASES_DONE when one more may come. */
static enum cases_result
notes_within_limit(struct county_db *c, int64_t id, const char *identity, int64_t now, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t n = 0;

	if (prepare(c, &st, err, errlen,
	        "SELECT count(*) FROM case_steps WHERE case_id = ? AND identity = ?"
	        " AND action IN (" CASES_FOLDED_SQL ") AND at_ms > ?",
	        "iti", id, identity, now - 3600000) == -1)
		return CASES_ERROR;
	if (sqlite3_step(st) != SQLITE_ROW) {
		db_error(c, err, errlen, "case steps");
		sqlite3_finalize(st);
		return CASES_ERROR;
	}
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (n < CASES_NOTES_PER_HOUR)
		return CASES_DONE;
	err_set(err, errlen,
	    "case %lld: %lld comments and attachments of yours in the last hour, as many as one "
	    "person may add to one case in an hour (%d); send it again later",
	    (long long)id, (long long)n, CASES_NOTES_PER_HOUR);
	return CASES_TOO_MANY;
}

/*
 * What a person's step (writes of them, bytes of new evidence) takes of
 * identity's bound of 24 hours (writequota.h), inside the step's
 * transaction: CASES_DAY_BOUND when it would pass it (the caller rolls
 * back: nothing stored).
 */
static enum cases_result
day_bound(struct county_db *c, const char *identity, int64_t writes, int64_t bytes, int64_t now,
    char *err, size_t errlen)
{
	const struct writequota_use use = { writes, bytes };

	switch (writequota_take(c, identity, &use, now, NULL, err, errlen)) {
	case COUNTY_DONE:
		return CASES_DONE;
	case COUNTY_BUSY:
		return CASES_DAY_BOUND;
	default:
		return CASES_ERROR;
	}
}

/* After a step refused by day_bound was rolled back: C18 once a window
 * (writequota_refused); a failure to raise it is logged, the refusal stands. */
static void
day_bound_said(struct county_db *c, const char *identity, int64_t now)
{
	char why[256];

	if (writequota_refused(c, identity, now, why, sizeof(why)) == -1)
		log_warnx("%s: C18 not raised: %s", identity, why);
}

/*
 * What identity's earlier request with rq's rid did (030, 031): *held 1
 * when it was this one, with *made its case.  "This one" is a request of
 * the same content (digest: casemsg_digest of rq as action); a row kept
 * before 031 has no digest, and is this one when it was action on case
 * (0 for a report: any case).  *held 0 when rq has no rid or none is held
 * younger than CASES_RID_KEEP_MS.  CASES_RID_REUSED when the rid was
 * another request's (err says so, without the rid's text); CASES_ERROR
 * when the database failed.
 */
static enum cases_result
rid_held(struct county_db *c, const char *identity, const struct case_request *rq,
    const char *action, int64_t case_id, const char *digest, int64_t now, int *held, int64_t *made,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	enum cases_result res = CASES_DONE;
	int rc, same;

	*held = 0;
	if (!CASEMSG_HAS(rq, CASEMSG_RID))
		return CASES_DONE;
	if (prepare(c, &st, err, errlen,
	        "SELECT action, case_id, digest FROM case_requests WHERE identity = ? AND rid = ?"
	        " AND at_ms > ?",
	        "tti", identity, rq->rid, now - CASES_RID_KEEP_MS) == -1)
		return CASES_ERROR;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			same = strcmp(TEXT(st, 2), digest) == 0;
		else
			same = strcmp(TEXT(st, 0), action) == 0 &&
			       (case_id == 0 || sqlite3_column_int64(st, 1) == case_id);
		if (same) {
			*held = 1;
			if (made != NULL)
				*made = sqlite3_column_int64(st, 1);
		} else {
			/* the rid's text is the client's: never in the answer */
			err_set(err, errlen,
			    "rid: already the key of another request of yours (%s of case %lld%s); "
			    "nothing was stored: a new request needs a new rid",
			    TEXT(st, 0), (long long)sqlite3_column_int64(st, 1),
			    strcmp(TEXT(st, 0), action) == 0 &&
			            (case_id == 0 || sqlite3_column_int64(st, 1) == case_id)
			        ? ", which said something else"
			        : "");
			res = CASES_RID_REUSED;
		}
	} else if (rc != SQLITE_DONE) {
		db_error(c, err, errlen, "case requests");
		res = CASES_ERROR;
	}
	sqlite3_finalize(st);
	return res;
}

/* rq's content as action (casemsg_digest) into digest when it has a rid
 * ("" when not): -1, err said, when SHA-256 failed. */
static int
rid_digest(const struct case_request *rq, const char *action, char digest[CASEMSG_DIGEST_HEX],
    char *err, size_t errlen)
{
	digest[0] = '\0';
	if (!CASEMSG_HAS(rq, CASEMSG_RID))
		return 0;
	if (casemsg_digest(rq, action, digest) == -1) {
		err_set(err, errlen, "SHA-256 failed");
		return -1;
	}
	return 0;
}

/* Remember rq's rid (if it has one) as identity's action on case_id that
 * added step_id, with what it said (digest), in the caller's transaction,
 * and forget a few rows older than CASES_RID_KEEP_MS. */
static int
rid_keep(struct county_db *c, const char *identity, const struct case_request *rq,
    const char *action, int64_t case_id, int64_t step_id, const char *digest, int64_t now,
    char *err, size_t errlen)
{
	if (!CASEMSG_HAS(rq, CASEMSG_RID))
		return 0;
	if (run(c, err, errlen,
	        "DELETE FROM case_requests WHERE (identity, rid) IN (SELECT identity, rid FROM"
	        " case_requests WHERE at_ms <= ? ORDER BY at_ms LIMIT 64)",
	        "i", now - CASES_RID_KEEP_MS) == -1)
		return -1;
	return run(c, err, errlen,
	    "INSERT OR REPLACE INTO case_requests (identity, rid, action, case_id, step_id, at_ms,"
	    " digest) VALUES (?,?,?,?,?,?,?)",
	    "tttiiit", identity, rq->rid, action, case_id, step_id, now, digest);
}

/*
 * The end of a request the content checks found done already (a resend
 * without its rid, or sent again under a new one): its rid, when it has
 * one, is kept as that request's, with no step of its own, so that its own
 * resends are known by it too whatever comes between; then commits (or
 * rolls back: nothing else was written).
 */
static enum cases_result
resent_done(struct county_db *c, const char *identity, const struct case_request *rq,
    const char *action, int64_t case_id, const char *digest, int64_t now, char *err, size_t errlen)
{
	if (!CASEMSG_HAS(rq, CASEMSG_RID)) {
		store_rollback(c->db);
		return CASES_DONE;
	}
	/* keeping the key is a write like any other: past the person's bound of
	 * 24 hours it is not kept, and the request is answered as done all the
	 * same (it was: review rev101) */
	if (rid_keep(c, identity, rq, action, case_id, 0, digest, now, err, errlen) == -1) {
		store_rollback(c->db);
		return CASES_ERROR;
	}
	if (day_bound(c, identity, 1, 0, now, err, errlen) != CASES_DONE) {
		store_rollback(c->db);
		return CASES_DONE;
	}
	return store_commit(c->db, err, errlen) == -1 ? CASES_ERROR : CASES_DONE;
}

enum cases_result
cases_step(struct county_db *c, const struct catalogue *cat, const struct access_scope *scope,
    const char *identity, const struct case_request *rq, int64_t now, char *err, size_t errlen)
{
	const struct step_row *s;
	enum cases_result res;
	char state[16], allowed[80], sql[256];
	const char *note = CASEMSG_HAS(rq, CASEMSG_NOTE_F) ? rq->note : "";
	int64_t step_id = 0, fine = CASEMSG_HAS(rq, CASEMSG_FINE) ? rq->fine : 0, bytes = 0;
	char digest[CASEMSG_DIGEST_HEX];
	int held = 0;

	if (!CASEMSG_HAS(rq, CASEMSG_ID) || !CASEMSG_HAS(rq, CASEMSG_STEP)) {
		err_set(err, errlen, "a step needs id and step");
		return CASES_REFUSED;
	}
	for (s = steps; s->name != NULL; s++)
		if (strcmp(s->name, rq->step) == 0)
			break;
	if (s->name == NULL) {
		err_set(err, errlen,
		    "step must be accept, onsite, decide, close, dismiss, comment or attach");
		return CASES_REFUSED;
	}
	if (s->note && cases_note_blank(note)) {
		err_set(err, errlen, "%s needs a note (%s)", s->name,
		    strcmp(s->name, "dismiss") == 0 ? "the reason" : "what to say");
		return CASES_REFUSED;
	}
	if (s->file && !CASEMSG_HAS(rq, CASEMSG_DATA)) {
		err_set(err, errlen, "attach needs a file");
		return CASES_REFUSED;
	}
	if ((res = typed_texts_ok(rq, err, errlen)) != CASES_DONE)
		return res;
	if (strcmp(s->name, "decide") == 0 && catalogue_check_decision(cat, rq->outcome, rq->power,
	                                          fine, err, errlen) != CATALOGUE_DECISION_OK)
		return CASES_REFUSED;
	if (rid_digest(rq, s->name, digest, err, errlen) == -1)
		return CASES_ERROR;
	if (store_begin(c->db, err, errlen) == -1)
		return CASES_ERROR;
	/* the same request again (its rid): done already, whatever the case is now */
	if ((res = rid_held(c, identity, rq, s->name, rq->id, digest, now, &held, NULL, err,
	         errlen)) != CASES_DONE ||
	    held)
		goto rollback;
	res = case_find(c, scope, rq->id, state, sizeof(state), NULL, 0, err, errlen);
	if (res != CASES_DONE)
		goto rollback;
	/* a case the county took up as overdue (escalated) is the county's to
	 * let go: a township dismissing its own overdue case would take it off
	 * the county's lists, and a dismissed case is not reassigned back */
	if (strcmp(s->name, "dismiss") == 0 && scope->reach != ACCESS_REACH_ALL &&
	    (state_bit(state) & s->from) && case_escalated(c, rq->id)) {
		err_set(err, errlen, "%s", cases_refusal_reason(CASES_REFUSAL_ESCALATED_DISMISS));
		res = CASES_REFUSED;
		goto rollback;
	}
	if (!(state_bit(state) & s->from)) {
		/* a resend of the step just done changes nothing; a decision
		 * with another outcome, power or fine is no resend: refused, so
		 * that the officer learns the correction was not recorded (a
		 * decided case is corrected by the county's reassignment) */
		if (s->to != NULL && strcmp(state, s->to) == 0 &&
		    repeated(c, rq->id, identity, s->name, note, now) &&
		    (strcmp(s->name, "decide") != 0 || decision_held(c, rq->id, rq, fine)))
			return resent_done(c, identity, rq, s->name, rq->id, digest, now, err,
			    errlen);
		states_text(s->from, allowed, sizeof(allowed));
		err_set(err, errlen, "case %lld is %s: %s is for a case that is %s",
		    (long long)rq->id, state, s->name, allowed);
		res = CASES_REFUSED;
		goto rollback;
	}
	/* a resend (the same person's same step and note, just taken; for an attach
	 * a file the case holds) is done already, and so is a file the case holds
	 * sent again without a note; with a note it is a step of its own, so that
	 * the note is kept (the file once) */
	if (s->to == NULL && (s->file ? holds_evidence(c, rq->id, rq) &&
	                                    (cases_note_blank(note) ||
	                                        repeated(c, rq->id, identity, s->name, note, now))
	                              : repeated(c, rq->id, identity, s->name, note, now)))
		return resent_done(c, identity, rq, s->name, rq->id, digest, now, err, errlen);
	if (s->to == NULL &&
	    (res = notes_within_limit(c, rq->id, identity, now, err, errlen)) != CASES_DONE)
		goto rollback;
	res = CASES_ERROR;
	if (step_row(c, rq->id, now, identity, s->name, note, NULL, s->to != NULL ? s->to : state,
	        &step_id, err, errlen) == -1)
		goto rollback;
	if (s->to != NULL) {
		snprintf(sql, sizeof(sql),
		    "UPDATE cases SET state = ?, %s = ?, updated_ms = ?"
		    " WHERE id = ?",
		    s->stamp);
		if (run(c, err, errlen, sql, "tiii", s->to, now, now, rq->id) == -1)
			goto rollback;
	} else if (run(c, err, errlen, "UPDATE cases SET updated_ms = ? WHERE id = ?", "ii", now,
	               rq->id) == -1) {
		goto rollback;
	}
	if (strcmp(s->name, "accept") == 0 &&
	    run(c, err, errlen, "UPDATE cases SET officer = ? WHERE id = ?", "ti", identity,
	        rq->id) == -1)
		goto rollback;
	if (strcmp(s->name, "decide") == 0 &&
	    run(c, err, errlen,
	        "UPDATE cases SET outcome = ?, power = ?, fine_yuan = ? WHERE id = ?", "ttii",
	        rq->outcome, rq->power, fine, rq->id) == -1)
		goto rollback;
	if ((res = store_evidence(c, rq, rq->id, step_id, &bytes, err, errlen)) != CASES_DONE ||
	    (res = day_bound(c, identity, 1, bytes, now, err, errlen)) != CASES_DONE)
		goto rollback;
	res = CASES_ERROR;
	if (rid_keep(c, identity, rq, s->name, rq->id, step_id, digest, now, err, errlen) == -1)
		goto rollback;
	if (store_commit(c->db, err, errlen) == -1)
		return CASES_ERROR;
	return CASES_DONE;
rollback:
	store_rollback(c->db);
	if (res == CASES_DAY_BOUND)
		day_bound_said(c, identity, now);
	return res;
}

enum cases_route
cases_route(const struct catalogue *cat, const struct case_request *rq, const char **township,
    const char **by, const char **listed, char *err, size_t errlen)
{
	const struct geo_township *t;
	int coords = CASEMSG_HAS(rq, CASEMSG_LAT), village = rq->village[0] != '\0';

	*listed = NULL;
	if (coords && cat->map.township_count > 0) {
		if ((t = geo_township_at(&cat->map, rq->lat, rq->lon)) == NULL) {
			err_set(err, errlen, "%s", cases_route_reason(CASES_ROUTE_OUTSIDE_MAP));
			return CASES_ROUTE_OUTSIDE_MAP;
		}
		*township = t->code;
		*by = "map";
		*listed = village ? catalogue_township_of(cat, rq->village) : NULL;
		if (*listed != NULL && strcmp(*listed, t->code) == 0)
			*listed = NULL;
		return CASES_ROUTED;
	}
	if (!village) {
		err_set(err, errlen, "%s", cases_route_reason(CASES_ROUTE_NO_VILLAGE));
		return CASES_ROUTE_NO_VILLAGE;
	}
	if ((*township = catalogue_township_of(cat, rq->village)) == NULL) {
		err_set(err, errlen, "%s", cases_route_reason(CASES_ROUTE_UNKNOWN_VILLAGE));
		return CASES_ROUTE_UNKNOWN_VILLAGE;
	}
	*by = "village";
	return CASES_ROUTED;
}

const char *
cases_route_reason(enum cases_route route)
{
	switch (route) {
	case CASES_ROUTE_OUTSIDE_MAP:
		return "the place lies in no township of the county's map: check the device's "
		       "position, or report without coordinates by village";
	case CASES_ROUTE_NO_VILLAGE:
		return "a report needs its village (without a township map the county cannot "
		       "place coordinates)";
	case CASES_ROUTE_UNKNOWN_VILLAGE:
		return "the village is not in the county's village list";
	case CASES_ROUTED:
	default:
		return "";
	}
}

const char *
cases_refusal_reason(enum cases_refusal refusal)
{
	switch (refusal) {
	case CASES_REFUSAL_UNKNOWN_TOWNSHIP:
		return "the township is not a township of this county";
	case CASES_REFUSAL_SAME_TOWNSHIP:
		return "the case is in that township already";
	case CASES_REFUSAL_EVIDENCE_TOO_LARGE:
		return "the evidence is larger than the county takes (evidence_max_kb)";
	case CASES_REFUSAL_ESCALATED_DISMISS:
		return "the case was escalated to the county: the county dismisses it";
	default:
		return "";
	}
}

/* What a report's "code" says of its cylinder (016's code_check). */
struct reported_code {
	char code[CASEMSG_CODE_TEXT]; /* kept: the bare code when one was read, else the text */
	char cylinder[CODE_SERIAL_MAX + 1]; /* "": none the county can stand behind */
	const char *check; /* "" (no code), signed, invalid, unchecked, serial, unread */
	char why[256];     /* for the timeline (invalid): why the code is not the county's */
};

/*
 * Read the cylinder code a grid worker sent: a label's URL or a bare code
 * is checked with the county's key and names its cylinder only when the
 * signature holds, so that a forged label or a typo never puts another
 * cylinder's fills on the case; a serial typed from the steel names its
 * cylinder as before.  (A text that is no code was refused already when it
 * holds a person's number: cases_field_with_number.)
 */
static void
read_code(const struct catalogue *cat, const struct case_request *rq, struct reported_code *rc)
{
	const char *text = CASEMSG_HAS(rq, CASEMSG_CODE) ? rq->code : "";
	char bare[CODE_MAX_LEN + 1], why[256];
	struct code_record rec;
	size_t len, n;

	memset(rc, 0, sizeof(*rc));
	rc->check = "";
	text += strspn(text, " \t");
	len = strlen(text);
	while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
		len--;
	if (len == 0)
		return;
	snprintf(rc->code, sizeof(rc->code), "%.*s", (int)len, text);
	if (!code_text_is_code(rc->code, len)) {
		if (code_serial_valid(rc->code)) {
			rc->check = "serial";
			str_copy(rc->cylinder, rc->code, sizeof(rc->cylinder));
		} else {
			rc->check = "unread";
		}
		return;
	}
	if (cat->code_key == NULL) {
		rc->check = "unchecked";
		return;
	}
	if (code_from_text(rc->code, len, bare, sizeof(bare), &n, why, sizeof(why)) == 0 &&
	    code_decode(bare, n, cat->code_key, &rec, why, sizeof(why)) == 0) {
		rc->check = "signed";
		str_copy(rc->code, bare, sizeof(rc->code));
		str_copy(rc->cylinder, rec.serial, sizeof(rc->cylinder));
		return;
	}
	rc->check = "invalid";
	str_copy(rc->why, why, sizeof(rc->why));
}

enum cases_result
cases_report(struct county_db *c, const struct catalogue *cat, const char *identity,
    const struct case_request *rq, int64_t now, int64_t *case_id, char *err, size_t errlen)
{
	const char *township = NULL, *by = NULL, *listed = NULL;
	const struct catalogue_kind *kind;
	enum cases_result res = CASES_ERROR;
	sqlite3_stmt *st = NULL;
	char title[CASEMSG_NAME * 2 + 8], photo[65];
	int64_t step_id = 0, bytes = 0, due[CATALOGUE_STAGES];
	struct reported_code code;
	char digest[CASEMSG_DIGEST_HEX];
	int held = 0;

	*case_id = 0;
	if (!CASEMSG_HAS(rq, CASEMSG_KIND) || rq->kind[0] == '\0' ||
	    !CASEMSG_HAS(rq, CASEMSG_NOTE_F) || cases_note_blank(rq->note)) {
		err_set(err, errlen, "a report needs kind, note (what was found) and its village");
		return CASES_REFUSED;
	}
	if (CASEMSG_HAS(rq, CASEMSG_LAT) != CASEMSG_HAS(rq, CASEMSG_LON)) {
		err_set(err, errlen, "coordinates need both lat and lon");
		return CASES_REFUSED;
	}
	if ((res = typed_texts_ok(rq, err, errlen)) != CASES_DONE)
		return res;
	if ((kind = catalogue_kind(cat, rq->kind)) == NULL) {
		if (cat->nkinds == 0)
			err_set(err, errlen,
			    "the county's catalogue lists no report kinds: reports are refused");
		else
			err_set(err, errlen,
			    "kind '%s' is not a report kind of the county's catalogue (gaswatch "
			    "catalogue lists them)",
			    rq->kind);
		return CASES_REFUSED;
	}
	if (cases_route(cat, rq, &township, &by, &listed, err, errlen) != CASES_ROUTED)
		return CASES_REFUSED;
	read_code(cat, rq, &code);
	res = CASES_ERROR;
	if (rq->village[0] != '\0')
		snprintf(title, sizeof(title), "%s @ %s", kind->name, rq->village);
	else
		snprintf(title, sizeof(title), "%s @ %.5f, %.5f", kind->name, rq->lat, rq->lon);
	catalogue_due(cat, c->config, kind->code, "alert", now, due);
	if (rid_digest(rq, "report", digest, err, errlen) == -1)
		return CASES_ERROR;
	if (store_begin(c->db, err, errlen) == -1)
		return CASES_ERROR;
	/* the same request again (its rid): the case it made */
	if ((res = rid_held(c, identity, rq, "report", 0, digest, now, &held, case_id, err,
	         errlen)) != CASES_DONE) {
		store_rollback(c->db);
		*case_id = 0;
		return res;
	}
	if (held) {
		store_rollback(c->db);
		return CASES_DONE;
	}
	res = CASES_ERROR;
	/* the same report resent (libcoap, or a worker pressing twice) is one case: the
	 * same in every field it stores (the township it went to, place, coordinates, code
	 * as typed and photo too), so that a second site reported with the same short note
	 * is a case of its own, not dropped as the first one's resend; the order is 015's
	 * index's own (reporter, opened_ms, then id), so that the person's reports of the
	 * window are all it reads whatever the statistics say (ordered by id alone, a
	 * planner that thinks reporters few walks the whole table backwards) */
	if (!CASEMSG_HAS(rq, CASEMSG_DATA))
		photo[0] = '\0';
	else if (evidence_hash(rq, photo) == -1) {
		err_set(err, errlen, "SHA-256 failed");
		goto rollback;
	}
	if (prepare(c, &st, err, errlen,
	        "SELECT c.id FROM cases c JOIN case_steps s ON s.case_id = c.id AND s.action = 'report'"
	        " WHERE c.reporter = ? AND c.kind = ? AND c.village = ? AND s.note = ?"
	        " AND c.opened_ms > ? AND c.township = ? AND c.place = ? AND c.code = ?"
	        " AND (CASE WHEN ? THEN c.lat = ? AND c.lon = ? ELSE c.lat IS NULL END)"
	        " AND coalesce((SELECT e.hash FROM case_evidence e WHERE e.case_id = c.id"
	        " AND e.step = s.id), '') = ?"
	        " ORDER BY c.opened_ms DESC, c.id DESC LIMIT 1",
	        "ttttitttiddt", identity, kind->code, rq->village, rq->note, now - REPORT_REPEAT_MS,
	        township, rq->place, code.code, (int64_t)(CASEMSG_HAS(rq, CASEMSG_LAT) ? 1 : 0),
	        CASEMSG_HAS(rq, CASEMSG_LAT) ? rq->lat : 0.0,
	        CASEMSG_HAS(rq, CASEMSG_LON) ? rq->lon : 0.0, photo) == -1)
		goto rollback;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*case_id = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if ((res = resent_done(c, identity, rq, "report", *case_id, digest, now, err,
		         errlen)) != CASES_DONE)
			*case_id = 0;
		return res;
	}
	sqlite3_finalize(st);
	/* a person files reports, not a flood of them (each one a case a
	 * township must accept in time): past the hour's limit nothing is
	 * stored, and the refusal says why */
	if (c->config->report_max_per_hour > 0) {
		int64_t n = -1;

		if (prepare(c, &st, err, errlen,
		        "SELECT count(*) FROM cases WHERE reporter = ? AND opened_ms > ?", "ti",
		        identity, now - 3600000) == -1)
			goto rollback;
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (n < 0) {
			err_set(err, errlen, "counting reports: %s", sqlite3_errmsg(c->db));
			goto rollback;
		}
		if (n >= c->config->report_max_per_hour) {
			err_set(err, errlen,
			    "too many reports: %lld in the last hour, at most %d from one person "
			    "(report_max_per_hour); send it again later",
			    (long long)n, c->config->report_max_per_hour);
			res = CASES_TOO_MANY;
			goto rollback;
		}
	}
	if (run(c, err, errlen,
	        "INSERT INTO cases (township, severity, kind, title, reporter, village, place,"
	        " code, cylinder, opened_ms, last_alert_ms, updated_ms, accept_due_ms,"
	        " onsite_due_ms, close_due_ms, routed_by, code_check)"
	        " VALUES (?, 'alert', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	        "ttttttttiiiiiitt", township, kind->code, title, identity, rq->village, rq->place,
	        code.code, code.cylinder, now, now, now, due[CATALOGUE_ACCEPT],
	        due[CATALOGUE_ONSITE], due[CATALOGUE_CLOSE], by, code.check) == -1)
		goto rollback;
	*case_id = sqlite3_last_insert_rowid(c->db);
	if (CASEMSG_HAS(rq, CASEMSG_LAT) &&
	    run(c, err, errlen, "UPDATE cases SET lat = ?, lon = ? WHERE id = ?", "ddi", rq->lat,
	        rq->lon, *case_id) == -1)
		goto rollback;
	if (step_row(c, *case_id, now, identity, "report", rq->note, NULL, "new", &step_id, err,
	        errlen) == -1)
		goto rollback;
	/* the county's own findings, as facts its readers word (017) */
	if (listed != NULL &&
	    county_step(c, *case_id, now, "route",
	        json_pack("{s:s, s:f, s:f, s:s, s:s}", "to", township, "lat", rq->lat, "lon",
	            rq->lon, "village", rq->village, "listed", listed),
	        err, errlen) == -1)
		goto rollback;
	if (code.why[0] != '\0' && county_step(c, *case_id, now, "code",
	                               json_pack("{s:s}", "why", code.why), err, errlen) == -1)
		goto rollback;
	if ((res = store_evidence(c, rq, *case_id, step_id, &bytes, err, errlen)) != CASES_DONE ||
	    (res = day_bound(c, identity, 1, bytes, now, err, errlen)) != CASES_DONE)
		goto rollback;
	res = CASES_ERROR;
	if (rid_keep(c, identity, rq, "report", *case_id, step_id, digest, now, err, errlen) == -1)
		goto rollback;
	if (store_commit(c->db, err, errlen) == -1)
		goto fail;
	return CASES_DONE;
rollback:
	store_rollback(c->db);
	if (res == CASES_DAY_BOUND)
		day_bound_said(c, identity, now);
fail:
	*case_id = 0;
	return res == CASES_DONE ? CASES_ERROR : res;
}

/*
 * Case id escalated now if it is late and not escalated yet, as the next sweep would have:
 * a case moved away between its deadline and gascounty's next sweep keeps its lateness in
 * the township it was late in.  Inside the caller's transaction.
 */
static int
escalate_case(struct county_db *c, int64_t id, int64_t now, char *err, size_t errlen)
{
	static const char *const sql[] = {
		ESCALATE_STEP_SQL " AND id = :id",
		"UPDATE cases SET escalated_ms = :now WHERE " ESCALATE_SQL " AND id = :id",
	};
	sqlite3_stmt *st = NULL;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		if (store_prepare(c->db, sql[i], &st, err, errlen) == -1)
			return -1;
		bind_now(st, now);
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":id"), id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return db_error(c, err, errlen, "escalate");
	}
	return 0;
}

/*
 * 1 if the case's newest step is identity's reassignment to township with
 * note within REPORT_REPEAT_MS: the same form sent twice (a double tap, a
 * retry), which moved the case once.
 */
static int
reassign_resent(struct county_db *c, int64_t id, const char *identity, const char *township,
    const char *note, int64_t now)
{
	sqlite3_stmt *st = NULL;
	int same = 0;

	if (prepare(c, &st, NULL, 0,
	        "SELECT 1 FROM case_steps WHERE case_id = ? AND identity = ? AND"
	        " action = 'reassign' AND at_ms > ? AND note = ? AND json_extract(facts, '$.to') = ?"
	        " AND id = (SELECT max(id) FROM case_steps WHERE case_id = ?)",
	        "ititti", id, identity, now - REPORT_REPEAT_MS, note, township, id) == -1)
		return 0;
	same = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return same;
}

enum cases_result
cases_reassign(struct county_db *c, const struct catalogue *cat, const char *identity,
    const struct case_request *rq, int64_t now, char *err, size_t errlen)
{
	struct access_scope all = { .reach = ACCESS_REACH_ALL };
	enum cases_result res;
	char state[16], kind[64], severity[16];
	int64_t due[CATALOGUE_STAGES], step_id = 0;
	sqlite3_stmt *st = NULL;
	json_t *facts;
	char digest[CASEMSG_DIGEST_HEX];
	int held = 0;

	if (!CASEMSG_HAS(rq, CASEMSG_ID) || !CASEMSG_HAS(rq, CASEMSG_TOWNSHIP) ||
	    rq->township[0] == '\0' || !CASEMSG_HAS(rq, CASEMSG_NOTE_F) ||
	    cases_note_blank(rq->note)) {
		err_set(err, errlen, "a reassignment needs id, township and note (why)");
		return CASES_REFUSED;
	}
	if ((res = typed_texts_ok(rq, err, errlen)) != CASES_DONE)
		return res;
	if (rq->township[strspn(rq->township, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                                      "0123456789_-")] != '\0') {
		err_set(err, errlen, "township '%s' is not a township code", rq->township);
		return CASES_REFUSED;
	}
	/* a case sent to a township the county does not know is seen by no officer */
	if (!county_township_known(c, rq->township)) {
		err_set(err, errlen, "%s", cases_refusal_reason(CASES_REFUSAL_UNKNOWN_TOWNSHIP));
		return CASES_REFUSED;
	}
	if (rid_digest(rq, "reassign", digest, err, errlen) == -1)
		return CASES_ERROR;
	if (store_begin(c->db, err, errlen) == -1)
		return CASES_ERROR;
	if ((res = rid_held(c, identity, rq, "reassign", rq->id, digest, now, &held, NULL, err,
	         errlen)) != CASES_DONE ||
	    held)
		goto rollback;
	if ((res = case_find(c, &all, rq->id, state, sizeof(state), NULL, 0, err, errlen)) !=
	    CASES_DONE)
		goto rollback;
	if (!cases_step_fits(state, "reassign")) {
		err_set(err, errlen, "case %lld is %s: only an open case is reassigned",
		    (long long)rq->id, state);
		res = CASES_REFUSED;
		goto rollback;
	}
	res = CASES_ERROR;
	if (prepare(c, &st, err, errlen,
	        "SELECT township, kind, severity, outcome, power, fine_yuan FROM cases WHERE id = ?",
	        "i", rq->id) == -1 ||
	    sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		goto rollback;
	}
	/* a case already where it is sent: a form sent twice moved it once; any
	 * other would start its deadlines again and set its officer's work aside */
	if (strcmp(TEXT(st, 0), rq->township) == 0) {
		sqlite3_finalize(st);
		if (reassign_resent(c, rq->id, identity, rq->township, rq->note, now))
			return resent_done(c, identity, rq, "reassign", rq->id, digest, now, err,
			    errlen);
		err_set(err, errlen, "%s", cases_refusal_reason(CASES_REFUSAL_SAME_TOWNSHIP));
		res = CASES_REFUSED;
		goto rollback;
	}
	/* a decision is the township's, on its own powers: one taken where the
	 * case did not belong is set aside, and kept in the timeline as it was */
	if (strcmp(state, "decided") == 0)
		facts = json_pack("{s:s, s:s, s:s, s:s, s:I}", "from", TEXT(st, 0), "to",
		    rq->township, "set_aside_outcome", TEXT(st, 3), "set_aside_power", TEXT(st, 4),
		    "set_aside_fine_yuan", (json_int_t)sqlite3_column_int64(st, 5));
	else
		facts = json_pack("{s:s, s:s}", "from", TEXT(st, 0), "to", rq->township);
	str_copy(kind, TEXT(st, 1), sizeof(kind));
	str_copy(severity, TEXT(st, 2), sizeof(severity));
	sqlite3_finalize(st);
	/* the new township's deadlines run from now, as for a case it was
	 * given new; the overdue mark was the old township's */
	if (facts == NULL) {
		err_set(err, errlen, "reassign: the step's facts could not be made");
		goto rollback;
	}
	catalogue_due(cat, c->config, kind, severity, now, due);
	/* late where it is and not yet escalated: escalated there first, so that its
	 * township's figures keep it (the reassignment clears the case's mark) */
	if (escalate_case(c, rq->id, now, err, errlen) == -1) {
		json_decref(facts);
		goto rollback;
	}
	if (run(c, err, errlen,
	        "UPDATE cases SET township = ?, state = 'new', officer = '', accepted_ms = 0,"
	        " onsite_ms = 0, decided_ms = 0, outcome = '', power = '', fine_yuan = 0,"
	        " escalated_ms = 0, accept_due_ms = ?, onsite_due_ms = ?, close_due_ms = ?,"
	        " updated_ms = ? WHERE id = ?",
	        "tiiiii", rq->township, due[CATALOGUE_ACCEPT], due[CATALOGUE_ONSITE],
	        due[CATALOGUE_CLOSE], now, rq->id) == -1) {
		json_decref(facts);
		goto rollback;
	}
	if (step_row(c, rq->id, now, identity, "reassign", rq->note, facts, "new", &step_id, err,
	        errlen) == -1 ||
	    (res = day_bound(c, identity, 1, 0, now, err, errlen)) != CASES_DONE)
		goto rollback;
	res = CASES_ERROR;
	if (rid_keep(c, identity, rq, "reassign", rq->id, step_id, digest, now, err, errlen) == -1)
		goto rollback;
	if (store_commit(c->db, err, errlen) == -1)
		return CASES_ERROR;
	return CASES_DONE;
rollback:
	store_rollback(c->db);
	if (res == CASES_DAY_BOUND)
		day_bound_said(c, identity, now);
	return res;
}

/* ---- from alerts --------------------------------------------------------------- */

static int64_t
meta_int(struct county_db *c, const char *key)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;

	if (prepare(c, &st, NULL, 0, "SELECT value FROM meta WHERE key = ?", "t", key) == 0 &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* One alert (the current row of a: id, rule, severity, township, station,
 * cylinder, buyer_masked, text, at_ms) into a case. */
static int
alert_to_case(struct county_db *c, const struct catalogue *cat, sqlite3_stmt *a, int64_t now,
    struct cases_news *news, char *err, size_t errlen)
{
	const char *rule = TEXT(a, 1), *severity = TEXT(a, 2), *township = TEXT(a, 3);
	const char *station = TEXT(a, 4), *cylinder = TEXT(a, 5), *masked = TEXT(a, 6);
	const char *text = TEXT(a, 7);
	int64_t alert = sqlite3_column_int64(a, 0), at = sqlite3_column_int64(a, 8), id = 0;
	int64_t window = (int64_t)c->config->case_join_min * 60000, opened = 0;
	int64_t due[CATALOGUE_STAGES];
	sqlite3_stmt *st = NULL;
	char key[WIRE_ID + 16];
	int critical = strcmp(severity, "critical") == 0, was_critical = 0;

	if (!critical && strcmp(severity, "alert") != 0)
		return 0; /* info: recorded and counted with the alerts, no case */
	if (cylinder[0] != '\0')
		snprintf(key, sizeof(key), "cylinder:%s", cylinder);
	else if (masked[0] != '\0')
		snprintf(key, sizeof(key), "buyer:%s", masked);
	else
		snprintf(key, sizeof(key), "station:%s", station);
	if (window > 0) {
		if (prepare(c, &st, err, errlen,
		        "SELECT id, max(opened_ms, coalesce((SELECT max(at_ms) FROM case_steps"
		        " WHERE case_id = cases.id AND action = 'reassign'), 0)),"
		        " severity = 'critical' FROM cases WHERE township = ?"
		        " AND kind = ? AND join_key = ? AND " JOINABLE_SQL
		        " AND last_alert_ms >= ? AND reporter = '' ORDER BY id DESC LIMIT 1",
		        "ttti", township, rule, key, at - window) == -1)
			return -1;
		if (sqlite3_step(st) == SQLITE_ROW) {
			id = sqlite3_column_int64(st, 0);
			opened = sqlite3_column_int64(st, 1);
			was_critical = sqlite3_column_int(st, 2);
		}
		sqlite3_finalize(st);
	}
	if (id != 0 && critical && !was_critical) {
		/* made critical: the critical deadlines, from its start in its
		 * township (its opening, or the reassignment that gave it there),
		 * and told at once as a new critical case is */
		catalogue_due(cat, c->config, rule, "critical", opened, due);
		if (run(c, err, errlen,
		        "UPDATE cases SET accept_due_ms = ?, onsite_due_ms = ?, close_due_ms = ?"
		        " WHERE id = ?",
		        "iiii", due[CATALOGUE_ACCEPT], due[CATALOGUE_ONSITE], due[CATALOGUE_CLOSE],
		        id) == -1)
			return -1;
		news->critical++;
		str_copy(news->critical_township, township, sizeof(news->critical_township));
	}
	if (id != 0) {
		if (run(c, err, errlen,
		        "UPDATE cases SET alerts = alerts + 1, last_alert_ms = max(last_alert_ms, ?),"
		        " severity = CASE WHEN ? THEN 'critical' ELSE severity END, updated_ms = ?"
		        " WHERE id = ?",
		        "iiii", at, (int64_t)critical, now, id) == -1 ||
		    run(c, err, errlen,
		        "INSERT INTO case_steps (case_id, at_ms, identity, action, note, state,"
		        " township) SELECT id, ?, 'county', 'join', ?, state, township FROM cases"
		        " WHERE id = ?",
		        "iti", now, text, id) == -1)
			return -1;
		news->joined++;
	} else {
		catalogue_due(cat, c->config, rule, severity, now, due);
		if (run(c, err, errlen,
		        "INSERT INTO cases (township, severity, kind, join_key, station, cylinder,"
		        " buyer_masked, title, alerts, opened_ms, last_alert_ms, updated_ms,"
		        " accept_due_ms, onsite_due_ms, close_due_ms)"
		        " VALUES (?,?,?,?,?,?,?,?,1,?,?,?,?,?,?)",
		        "ttttttttiiiiii", township, severity, rule, key, station, cylinder, masked,
		        text, now, at, now, due[CATALOGUE_ACCEPT], due[CATALOGUE_ONSITE],
		        due[CATALOGUE_CLOSE]) == -1)
			return -1;
		id = sqlite3_last_insert_rowid(c->db);
		if (step_row(c, id, now, "county", "open", text, NULL, "new", NULL, err, errlen) ==
		    -1)
			return -1;
		news->opened++;
		if (critical) {
			news->critical++;
			str_copy(news->critical_township, township,
			    sizeof(news->critical_township));
		}
	}
	return run(c, err, errlen, "INSERT INTO case_alerts (alert, case_id) VALUES (?,?)", "ii",
	    alert, id);
}

/*
 * Cases opened before their deadlines were stored (migration 007) get them
 * once, from the case_*_min settings as they stood then.
 */
static int
fill_old_deadlines(struct county_db *c, char *err, size_t errlen)
{
	const struct county_config *cf = c->config;

	if (meta_int(c, META_DUE_FILLED) != 0)
		return 0;
	if (store_begin(c->db, err, errlen) == -1)
		return -1;
	if (run(c, err, errlen,
	        "UPDATE cases SET"
	        " accept_due_ms = opened_ms + 60000 * CASE severity WHEN 'critical' THEN ? ELSE ? END,"
	        " onsite_due_ms = opened_ms + 60000 * CASE severity WHEN 'critical' THEN ? ELSE ? END,"
	        " close_due_ms = opened_ms + 60000 * CASE severity WHEN 'critical' THEN ? ELSE ? END"
	        " WHERE accept_due_ms = 0",
	        "iiiiii", (int64_t)cf->case_critical_accept_min, (int64_t)cf->case_alert_accept_min,
	        (int64_t)cf->case_critical_onsite_min, (int64_t)cf->case_alert_onsite_min,
	        (int64_t)cf->case_critical_close_min, (int64_t)cf->case_alert_close_min) == -1 ||
	    run(c, err, errlen, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, 1)", "t",
	        META_DUE_FILLED) == -1) {
		store_rollback(c->db);
		return -1;
	}
	return store_commit(c->db, err, errlen);
}

int
cases_from_alerts(struct county_db *c, const struct catalogue *cat, int64_t now,
    struct cases_news *news, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t seen, last;
	int rc, n;

	memset(news, 0, sizeof(*news));
	if (fill_old_deadlines(c, err, errlen) == -1)
		return -1;
	do {
		if (store_begin(c->db, err, errlen) == -1)
			return -1;
		seen = last = meta_int(c, META_SEEN);
		if (prepare(c, &st, err, errlen,
		        "SELECT id, rule, severity, township, station, cylinder, buyer_masked, text,"
		        " at_ms FROM alerts WHERE id > ? ORDER BY id LIMIT ?",
		        "ii", seen, (int64_t)ALERTS_PER_CALL) == -1)
			goto rollback;
		n = 0;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			if (alert_to_case(c, cat, st, now, news, err, errlen) == -1)
				goto rollback;
			last = sqlite3_column_int64(st, 0);
			n++;
		}
		if (rc != SQLITE_DONE) {
			db_error(c, err, errlen, "alerts");
			goto rollback;
		}
		sqlite3_finalize(st);
		st = NULL;
		if (last != seen && run(c, err, errlen,
		                        "INSERT INTO meta (key, value) VALUES (?, ?)"
		                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
		                        "ti", META_SEEN, last) == -1)
			goto rollback;
		if (store_commit(c->db, err, errlen) == -1)
			return -1;
	} while (n == ALERTS_PER_CALL);
	return 0;
rollback:
	sqlite3_finalize(st);
	store_rollback(c->db);
	return -1;
}

/* ---- deadlines ------------------------------------------------------------------- */

/* Run one statement that judges deadlines (bind_now). */
static int
run_timed(struct county_db *c, const char *sql, int64_t now, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (store_prepare(c->db, sql, &st, err, errlen) == -1)
		return -1;
	bind_now(st, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_error(c, err, errlen, "escalate");
}

int
cases_escalate(struct county_db *c, int64_t now, int *escalated, char *err, size_t errlen)
{
	*escalated = 0;
	if (store_begin(c->db, err, errlen) == -1)
		return -1;
	/* the step first (it names the stage that is late), then the mark; the steps in the
	 * cases' order, as when the sweep read the table (the index gives deadline order) */
	if (run_timed(c, ESCALATE_STEP_SQL " ORDER BY id", now, err, errlen) == -1)
		goto rollback;
	*escalated = sqlite3_changes(c->db);
	if (run_timed(c, "UPDATE cases SET escalated_ms = :now WHERE " ESCALATE_SQL, now, err,
	        errlen) == -1 ||
	    store_commit(c->db, err, errlen) == -1)
		goto rollback;
	return 0;
rollback:
	store_rollback(c->db);
	*escalated = 0;
	return -1;
}

/* ---- reads -------------------------------------------------------------------------- */

int
cases_view_parse(const char *text, enum cases_view *view)
{
	static const char *const names[] = { "open", "mine", "all", "overdue" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(text, names[i]) == 0) {
			*view = (enum cases_view)i;
			return 0;
		}
	return -1;
}

/*
 * The scope as a term over cases (bound as :town and :person), one text per kind of scope: a
 * single term that ORs bound parameters (":all OR township = :town OR ...") keeps SQLite from
 * using any index, and every list read the whole table.
 */
static const char *
scope_sql(const struct access_scope *scope)
{
	int town, person;

	if (scope->reach == ACCESS_REACH_ALL)
		return "1";
	if (scope->reach != ACCESS_REACH_OWN)
		return "0";
	town = scope->township[0] != '\0';
	person = scope->person[0] != '\0';
	if (town && person)
		return "(township = :town OR reporter = :person)";
	return town ? "township = :town" : person ? "reporter = :person" : "0";
}

static void
bind_scope(sqlite3_stmt *st, const struct access_scope *scope, const char *identity)
{
	int at;

	if ((at = sqlite3_bind_parameter_index(st, ":all")) > 0)
		sqlite3_bind_int(st, at, scope->reach == ACCESS_REACH_ALL);
	if ((at = sqlite3_bind_parameter_index(st, ":town")) > 0)
		sqlite3_bind_text(st, at, scope->reach == ACCESS_REACH_OWN ? scope->township : "",
		    -1, SQLITE_TRANSIENT);
	if ((at = sqlite3_bind_parameter_index(st, ":person")) > 0)
		sqlite3_bind_text(st, at, scope->reach == ACCESS_REACH_OWN ? scope->person : "", -1,
		    SQLITE_TRANSIENT);
	if ((at = sqlite3_bind_parameter_index(st, ":me")) > 0)
		sqlite3_bind_text(st, at, identity != NULL ? identity : "", -1, SQLITE_TRANSIENT);
}

/*
 * The list's order, most urgent first: open before closed, critical before alert, overdue
 * first, then the nearest deadline, the newest first among equals.  Overdue is not a term of
 * its own: an open case is overdue when its stage's deadline is before now, so among the open
 * cases of one severity the overdue ones are exactly the first in deadline order, and a
 * closed case's deadline is 0 and never overdue.  Written this way the order is 011's
 * indexes read backwards (severity as text: 'critical' > 'alert', the only two values), and a
 * list reads the page it shows instead of sorting every case of its scope.
 */
#define LIST_ORDER "is_open DESC, severity DESC, " DUE_SQL ", id DESC"

static int
filter_set(const char *value)
{
	return value != NULL && value[0] != '\0';
}

static void
bind_filter(sqlite3_stmt *st, const char *name, const char *value)
{
	int at = sqlite3_bind_parameter_index(st, name);

	if (at > 0)
		sqlite3_bind_text(st, at, value, -1, SQLITE_TRANSIENT);
}

/*
 * The list's statement over columns, prepared and bound: the one query of cases_list and
 * cases_list_brief, so that both give the same cases in the same order.  A filter's terms
 * are written only for the fields it sets (scope_sql says why: an OR of bound parameters
 * would keep SQLite from the indexes).
 */
static int
list_query(struct county_db *c, const char *columns, const struct access_scope *scope,
    const char *identity, enum cases_view view, const struct cases_filter *filter, int64_t now,
    size_t max, sqlite3_stmt **st, char *err, size_t errlen)
{
	static const struct cases_filter none = { NULL, NULL, NULL };
	static const char *const filters[] = {
		[CASES_VIEW_OPEN] = "is_open = 1",
		[CASES_VIEW_MINE] = "(officer = :me OR reporter = :me)",
		[CASES_VIEW_ALL] = "1",
		[CASES_VIEW_OVERDUE] = "is_open = 1 AND :now > " DUE_SQL,
	};
	char sql[4096];

	*st = NULL;
	if (filter == NULL)
		filter = &none;
	if (snprintf(sql, sizeof(sql),
	        "SELECT %s FROM cases WHERE %s AND %s%s%s%s ORDER BY " LIST_ORDER " LIMIT :max",
	        columns, scope_sql(scope), filters[view],
	        filter_set(filter->severity) ? " AND severity = :fsev" : "",
	        filter_set(filter->township) ? " AND township = :ftown" : "",
	        filter_set(filter->kind) ? " AND kind = :fkind" : "") >= (int)sizeof(sql))
		return err_set(err, errlen, "cases: list query too long");
	if (store_prepare(c->db, sql, st, err, errlen) == -1)
		return -1;
	bind_now(*st, now);
	bind_scope(*st, scope, identity);
	bind_filter(*st, ":fsev", filter->severity);
	bind_filter(*st, ":ftown", filter->township);
	bind_filter(*st, ":fkind", filter->kind);
	sqlite3_bind_int64(*st, sqlite3_bind_parameter_index(*st, ":max"),
	    max > INT64_MAX ? INT64_MAX : (int64_t)max);
	return 0;
}

int
cases_list(struct county_db *c, const struct access_scope *scope, const char *identity,
    enum cases_view view, int64_t now, size_t max, uint8_t **out, size_t *len, char *err,
    size_t errlen)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*len = 0;
	if (list_query(c, CASE_COLUMNS, scope, identity, view, NULL, now, max, &st, err, errlen) ==
	    -1)
		return -1;
	rc = cbuf_list(c, st, now, max, out, len, err, errlen);
	sqlite3_finalize(st);
	return rc;
}

/* cases_list_brief's columns: the texts first, in the order of struct cases_brief's. */
#define BRIEF_TEXTS 5
#define BRIEF_COLUMNS                                                                              \
	"township, severity, kind, state, title, id, " DUE_SQL " AS due_ms,"                       \
	" (is_open AND :now > " DUE_SQL ") AS overdue,"                                            \
	" CASE WHEN is_open AND :now > " DUE_SQL " THEN (:now - " DUE_SQL ") / 1000"               \
	" ELSE 0 END AS overdue_s"

int
cases_list_brief(struct county_db *c, const struct access_scope *scope, const char *identity,
    enum cases_view view, const struct cases_filter *filter, int64_t now, size_t max,
    struct cases_brief **rows, size_t *n, char *err, size_t errlen)
{
	struct cases_brief *got = NULL, *grown, *block;
	size_t count = 0, cap = 0, used = 0, room = 0, i, k, *at = NULL, *at_grown;
	char *text = NULL, *text_grown;
	sqlite3_stmt *st;
	int rc = SQLITE_DONE;

	*rows = NULL;
	*n = 0;
	if (list_query(c, BRIEF_COLUMNS, scope, identity, view, filter, now, max, &st, err,
	        errlen) == -1)
		return -1;
	/* rows and their texts (as offsets, while the text grows) first, one block at the end */
	while (count < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((grown = realloc(got, cap * sizeof(*got))) == NULL)
				goto oom;
			got = grown;
			if ((at_grown = realloc(at, cap * BRIEF_TEXTS * sizeof(*at))) == NULL)
				goto oom;
			at = at_grown;
		}
		for (k = 0; k < BRIEF_TEXTS; k++) {
			const char *t = TEXT(st, (int)k); /* then its size, as SQLite asks */
			size_t size = (size_t)sqlite3_column_bytes(st, (int)k);

			if (used + size + 1 > room) {
				room = (used + size + 1) * 2;
				if ((text_grown = realloc(text, room)) == NULL)
					goto oom;
				text = text_grown;
			}
			if (t != NULL)
				memcpy(text + used, t, size);
			text[used + size] = '\0';
			at[count * BRIEF_TEXTS + k] = used;
			used += size + 1;
		}
		got[count].id = sqlite3_column_int64(st, BRIEF_TEXTS);
		got[count].due_ms = sqlite3_column_int64(st, BRIEF_TEXTS + 1);
		got[count].overdue = sqlite3_column_int(st, BRIEF_TEXTS + 2);
		got[count].overdue_s = sqlite3_column_int64(st, BRIEF_TEXTS + 3);
		count++;
	}
	if (count < max && rc != SQLITE_DONE) {
		db_error(c, err, errlen, "cases");
		goto out;
	}
	if ((block = malloc(count * sizeof(*block) + used + 1)) == NULL)
		goto oom;
	if (used > 0)
		memcpy((char *)(block + count), text, used);
	for (i = 0; i < count; i++) {
		const char *base = (const char *)(block + count);

		block[i].id = got[i].id;
		block[i].due_ms = got[i].due_ms;
		block[i].overdue_s = got[i].overdue_s;
		block[i].overdue = got[i].overdue;
		block[i].township = base + at[i * BRIEF_TEXTS];
		block[i].severity = base + at[i * BRIEF_TEXTS + 1];
		block[i].kind = base + at[i * BRIEF_TEXTS + 2];
		block[i].state = base + at[i * BRIEF_TEXTS + 3];
		block[i].title = base + at[i * BRIEF_TEXTS + 4];
	}
	*rows = block;
	*n = count;
	goto out;
oom:
	err_set(err, errlen, "out of memory");
out:
	sqlite3_finalize(st);
	free(got);
	free(at);
	free(text);
	return *rows != NULL ? 0 : -1;
}

/* A step's facts (017), each a field of its own in the answer (cases.h) */
#define STEP_FACTS_SQL                                                                             \
	"json_extract(facts, '$.from') AS from_township,"                                          \
	" json_extract(facts, '$.to') AS to_township, json_extract(facts, '$.lat') AS lat,"        \
	" json_extract(facts, '$.lon') AS lon, json_extract(facts, '$.village') AS village,"       \
	" json_extract(facts, '$.listed') AS listed_under,"                                        \
	" json_extract(facts, '$.why') AS why, json_extract(facts, '$.stage') AS stage,"           \
	" json_extract(facts, '$.late_min') AS late_min,"                                          \
	" json_extract(facts, '$.set_aside_outcome') AS set_aside_outcome,"                        \
	" json_extract(facts, '$.set_aside_power') AS set_aside_power,"                            \
	" json_extract(facts, '$.set_aside_fine_yuan') AS set_aside_fine_yuan"

enum cases_result
cases_show(struct county_db *c, const struct access_scope *scope, int64_t id, int64_t now,
    uint8_t **out, size_t *len, char *err, size_t errlen)
{
	static const char *const parts[][2] = {
		{ "case", "SELECT " CASE_COLUMNS " FROM cases WHERE id = :id" },
		/* every step that moves the case; of the joins, and of the comments and
		 * attachments, the first and the newest */
		{ "steps",
		    "SELECT id, at_ms, identity, action, note, state, " STEP_FACTS_SQL
		    " FROM case_steps WHERE case_id = :id AND (action NOT IN ('join', " CASES_FOLDED_SQL
		    ") OR id IN (SELECT id FROM case_steps WHERE case_id = :id AND action = 'join'"
		    " ORDER BY id LIMIT :shown)"
		    " OR id IN (SELECT id FROM case_steps WHERE case_id = :id AND action = 'join'"
		    " ORDER BY id DESC LIMIT :shown)"
		    " OR id IN (SELECT id FROM case_steps WHERE case_id = :id AND action IN (" CASES_FOLDED_SQL
		    ") ORDER BY id LIMIT :notes)"
		    " OR id IN (SELECT id FROM case_steps WHERE case_id = :id AND action IN (" CASES_FOLDED_SQL
		    ") ORDER BY id DESC LIMIT :notes)) ORDER BY id" },
		{ "alerts",
		    "SELECT a.id, a.rule, a.severity, a.station, a.cylinder, a.buyer_masked,"
		    " a.text, a.at_ms FROM case_alerts ca JOIN alerts a ON a.id = ca.alert"
		    " WHERE ca.case_id = :id"
		    " AND (ca.alert IN (SELECT alert FROM case_alerts WHERE case_id = :id"
		    " ORDER BY alert LIMIT :shown)"
		    " OR ca.alert IN (SELECT alert FROM case_alerts WHERE case_id = :id"
		    " ORDER BY alert DESC LIMIT :shown)) ORDER BY a.id" },
		/* the evidence of the steps listed */
		{ "evidence",
		    "SELECT e.hash, e.name, e.type, v.size, e.step FROM case_evidence e"
		    " JOIN evidence v ON v.hash = e.hash WHERE e.case_id = :id"
		    " AND (e.step IN (SELECT id FROM case_steps WHERE case_id = :id AND action NOT IN (" CASES_FOLDED_SQL
		    "))"
		    " OR e.step IN (SELECT id FROM case_steps WHERE case_id = :id AND action IN (" CASES_FOLDED_SQL
		    ") ORDER BY id LIMIT :notes)"
		    " OR e.step IN (SELECT id FROM case_steps WHERE case_id = :id AND action IN (" CASES_FOLDED_SQL
		    ") ORDER BY id DESC LIMIT :notes)) ORDER BY e.step" },
	};
	enum cases_result res;
	cbor_item_t *root, *part;
	sqlite3_stmt *st = NULL;
	int64_t left[3] = { 0, 0, 0 }, after = 0;
	size_t i;

	*out = NULL;
	if ((res = case_find(c, scope, id, NULL, 0, NULL, 0, err, errlen)) != CASES_DONE)
		return res;
	if (prepare(c, &st, err, errlen,
	        "SELECT (SELECT count(*) FROM case_steps WHERE case_id = ?1 AND action = 'join'),"
	        " (SELECT count(*) FROM case_alerts WHERE case_id = ?1),"
	        " (SELECT count(*) FROM case_steps WHERE case_id = ?1 AND action IN (" CASES_FOLDED_SQL
	        ")),"
	        " (SELECT id FROM case_steps WHERE case_id = ?1 AND action IN (" CASES_FOLDED_SQL
	        ") ORDER BY id LIMIT 1 OFFSET ?2)",
	        "ii", id, (int64_t)(CASES_SHOWN_NOTES - 1)) == -1)
		return CASES_ERROR;
	if (sqlite3_step(st) == SQLITE_ROW) {
		left[0] = sqlite3_column_int64(st, 0) - 2 * CASES_SHOWN_JOINS;
		left[1] = sqlite3_column_int64(st, 1) - 2 * CASES_SHOWN_JOINS;
		left[2] = sqlite3_column_int64(st, 2) - 2 * CASES_SHOWN_NOTES;
		after = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((root = cbor_new_definite_map(8)) == NULL) {
		err_set(err, errlen, "out of memory");
		return CASES_ERROR;
	}
	if (!put(root, "joins_left_out", int_item(left[0] > 0 ? left[0] : 0)) ||
	    !put(root, "alerts_left_out", int_item(left[1] > 0 ? left[1] : 0)) ||
	    !put(root, "steps_left_out", int_item(left[2] > 0 ? left[2] : 0)) ||
	    !put(root, "steps_left_out_after", int_item(left[2] > 0 ? after : 0))) {
		err_set(err, errlen, "out of memory");
		goto fail;
	}
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (store_prepare(c->db, parts[i][1], &st, err, errlen) == -1)
			goto fail;
		bind_now(st, now);
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":id"), id);
		sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":shown"), CASES_SHOWN_JOINS);
		sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":notes"), CASES_SHOWN_NOTES);
		if (i == 0) {
			part = sqlite3_step(st) == SQLITE_ROW ? row_map(st) : NULL;
			if (part == NULL)
				err_set(err, errlen, "case %lld: %s", (long long)id,
				    sqlite3_errmsg(c->db));
		} else {
			part = rows_array(c, st, 100000, err, errlen);
		}
		sqlite3_finalize(st);
		if (part == NULL || !put(root, parts[i][0], part))
			goto fail;
	}
	return serialize(root, out, len, err, errlen) == 0 ? CASES_DONE : CASES_ERROR;
fail:
	cbor_decref(&root);
	return CASES_ERROR;
}

enum cases_result
cases_steps(struct county_db *c, const struct access_scope *scope, int64_t id, int64_t after,
    uint8_t **out, size_t *len, char *err, size_t errlen)
{
	static const char *const parts[][2] = {
		/* one more than a page: whether more are left */
		{ "steps", "SELECT id, at_ms, identity, action, note, state, " STEP_FACTS_SQL
		           " FROM case_steps WHERE case_id = :id AND id > :after ORDER BY id"
		           " LIMIT :page + 1" },
		{ "evidence",
		    "SELECT e.hash, e.name, e.type, v.size, e.step FROM case_evidence e"
		    " JOIN evidence v ON v.hash = e.hash WHERE e.case_id = :id AND e.step IN"
		    " (SELECT id FROM case_steps WHERE case_id = :id AND id > :after ORDER BY id"
		    " LIMIT :page) ORDER BY e.step" },
	};
	enum cases_result res;
	cbor_item_t *root, *part;
	sqlite3_stmt *st = NULL;
	bool more = false;
	size_t i;

	*out = NULL;
	if ((res = case_find(c, scope, id, NULL, 0, NULL, 0, err, errlen)) != CASES_DONE)
		return res;
	if ((root = cbor_new_definite_map(3)) == NULL) {
		err_set(err, errlen, "out of memory");
		return CASES_ERROR;
	}
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (store_prepare(c->db, parts[i][1], &st, err, errlen) == -1)
			goto fail;
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":id"), id);
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":after"), after);
		sqlite3_bind_int(st, sqlite3_bind_parameter_index(st, ":page"), CASES_STEPS_PAGE);
		part = rows_array(c, st, i == 0 ? CASES_STEPS_PAGE : 100000, err, errlen);
		/* the one past the page, read but not listed, says that more are left */
		if (i == 0 && part != NULL)
			more = cbor_array_size(part) == CASES_STEPS_PAGE &&
			       sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		if (part == NULL || !put(root, parts[i][0], part))
			goto fail;
	}
	if (!put(root, "more", cbor_build_bool(more))) {
		err_set(err, errlen, "out of memory");
		goto fail;
	}
	return serialize(root, out, len, err, errlen) == 0 ? CASES_DONE : CASES_ERROR;
fail:
	cbor_decref(&root);
	return CASES_ERROR;
}

enum cases_result
cases_evidence(struct county_db *c, const struct access_scope *scope, int64_t id, const char *hash,
    uint8_t **out, size_t *len, char *type, size_t typelen, char *err, size_t errlen)
{
	enum cases_result res;
	sqlite3_stmt *st = NULL;
	int rc;

	*out = NULL;
	*len = 0;
	if ((res = case_find(c, scope, id, NULL, 0, NULL, 0, err, errlen)) != CASES_DONE)
		return res;
	if (prepare(c, &st, err, errlen,
	        "SELECT v.data, e.type FROM case_evidence e JOIN evidence v ON v.hash = e.hash"
	        " WHERE e.case_id = ? AND e.hash = ?",
	        "it", id, hash) == -1)
		return CASES_ERROR;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*len = (size_t)sqlite3_column_bytes(st, 0);
		if ((*out = malloc(*len > 0 ? *len : 1)) == NULL) {
			res = CASES_ERROR;
			err_set(err, errlen, "out of memory");
		} else {
			memcpy(*out, sqlite3_column_blob(st, 0), *len);
			str_copy(type, TEXT(st, 1), typelen);
		}
	} else if (rc == SQLITE_DONE) {
		res = CASES_NOT_FOUND;
	} else {
		res = CASES_ERROR;
		db_error(c, err, errlen, "evidence");
	}
	sqlite3_finalize(st);
	return res;
}

/* The median of what st selects (one integer column, in order); -1 if none. */
static int64_t
median(sqlite3_stmt *st)
{
	int64_t *v = NULL, *grown, m = -1;
	size_t n = 0, cap = 0;

	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			if ((grown = realloc(v, cap * sizeof(*v))) == NULL)
				break;
			v = grown;
		}
		v[n++] = sqlite3_column_int64(st, 0);
	}
	if (n > 0)
		m = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	free(v);
	return m;
}

int
cases_figures(struct county_db *c, const struct access_scope *scope, int64_t from, int64_t to,
    int64_t now, uint8_t **out, size_t *len, char *err, size_t errlen)
{
	sqlite3_stmt *towns = NULL, *st = NULL;
	cbor_item_t *root = NULL, *list = NULL, *t, *outcomes;
	size_t n = 0, i;
	int64_t v;
	char sql[384];
	static const struct {
		const char *key, *sql;
		int median;
	} figures[] = {
		{ "opened",
		    "SELECT count(*) FROM cases WHERE township = :t AND opened_ms BETWEEN :f AND :to",
		    0 },
		{ "closed",
		    "SELECT count(*) FROM cases WHERE township = :t AND state = 'closed'"
		    " AND closed_ms BETWEEN :f AND :to",
		    0 },
		{ "dismissed",
		    "SELECT count(*) FROM cases WHERE township = :t AND state = 'dismissed'"
		    " AND closed_ms BETWEEN :f AND :to",
		    0 },
		{ "open", "SELECT count(*) FROM cases WHERE township = :t AND " OPEN_SQL, 0 },
		{ "overdue",
		    "SELECT count(*) FROM cases WHERE township = :t AND " OPEN_SQL
		    " AND :now > " DUE_SQL,
		    0 },
		/* by the township the case was in when it was escalated (032): a
		 * reassignment clears the case's mark and moves it, but a
		 * township's escalations stay its own */
		{ "escalated",
		    "SELECT count(*) FROM case_steps WHERE township = :t AND action = 'escalate'"
		    " AND at_ms BETWEEN :f AND :to",
		    0 },
		{ "info_alerts",
		    "SELECT count(*) FROM alerts WHERE township = :t AND severity NOT IN"
		    " ('alert', 'critical') AND at_ms BETWEEN :f AND :to",
		    0 },
		{ "median_accept_s",
		    "SELECT (accepted_ms - opened_ms) / 1000 FROM cases WHERE"
		    " township = :t AND accepted_ms BETWEEN :f AND :to ORDER BY 1",
		    1 },
		{ "median_close_s",
		    "SELECT (closed_ms - opened_ms) / 1000 FROM cases WHERE"
		    " township = :t AND state = 'closed' AND closed_ms BETWEEN :f AND :to"
		    " ORDER BY 1",
		    1 },
	};
#define NFIG (sizeof(figures) / sizeof(figures[0]))

	*out = NULL;
	/* the townships of the scope's cases, and for the county's scope every township
	 * escalated in the period, whose cases may all have been reassigned since */
	if (snprintf(sql, sizeof(sql),
	        "SELECT DISTINCT township FROM cases WHERE %s UNION SELECT :town WHERE"
	        " :town <> '' %s ORDER BY 1",
	        scope_sql(scope),
	        scope->reach == ACCESS_REACH_ALL
	            ? "UNION SELECT township FROM case_steps WHERE action = 'escalate' AND"
	              " at_ms BETWEEN :f AND :to"
	            : "") >= (int)sizeof(sql))
		return err_set(err, errlen, "cases: figures query too long");
	if (store_prepare(c->db, sql, &towns, err, errlen) == -1)
		return -1;
	bind_scope(towns, scope, NULL);
	if (scope->reach == ACCESS_REACH_ALL) {
		sqlite3_bind_int64(towns, sqlite3_bind_parameter_index(towns, ":f"), from);
		sqlite3_bind_int64(towns, sqlite3_bind_parameter_index(towns, ":to"), to);
	}
	while (sqlite3_step(towns) == SQLITE_ROW)
		n++;
	sqlite3_reset(towns);
	/* definite arrays and maps only: every reader sizes them first */
	if ((list = cbor_new_definite_array(n)) == NULL)
		goto oom;
	while (sqlite3_step(towns) == SQLITE_ROW && cbor_array_size(list) < n) {
		const char *town = TEXT(towns, 0);
		size_t kinds;

		if ((t = cbor_new_definite_map(NFIG + 2)) == NULL)
			goto oom;
		if (!put(t, "township", cbor_build_string(town)))
			goto oom_t;
		for (i = 0; i < NFIG; i++) {
			if (store_prepare(c->db, figures[i].sql, &st, err, errlen) == -1) {
				cbor_decref(&t);
				goto fail;
			}
			bind_now(st, now);
			sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":t"), town, -1,
			    SQLITE_TRANSIENT);
			sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":f"), from);
			sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":to"), to);
			if (figures[i].median)
				v = median(st);
			else
				v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0)
				                                   : 0;
			sqlite3_finalize(st);
			if (!put(t, figures[i].key, int_item(v)))
				goto oom_t;
		}
		if (prepare(c, &st, err, errlen,
		        "SELECT outcome, count(*), count(*) OVER () FROM cases WHERE township = ?"
		        " AND outcome <> '' AND decided_ms BETWEEN ? AND ? GROUP BY outcome"
		        " ORDER BY outcome",
		        "tii", town, from, to) == -1) {
			cbor_decref(&t);
			goto fail;
		}
		outcomes = NULL;
		kinds = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (outcomes == NULL) {
				kinds = (size_t)sqlite3_column_int64(st, 2);
				outcomes = cbor_new_definite_map(kinds);
			}
			if (outcomes == NULL ||
			    !put(outcomes, TEXT(st, 0), int_item(sqlite3_column_int64(st, 1))))
				break;
		}
		sqlite3_finalize(st);
		if (outcomes == NULL && kinds == 0)
			outcomes = cbor_new_definite_map(0);
		if (!put(t, "outcomes", outcomes) || !cbor_array_push(list, t))
			goto oom_t;
		cbor_decref(&t); /* the list holds it */
	}
	sqlite3_finalize(towns);
	towns = NULL;
	if ((root = cbor_new_definite_map(3)) == NULL || !put(root, "from", int_item(from)) ||
	    !put(root, "to", int_item(to)) || !put(root, "townships", list)) {
		list = NULL;
		goto oom;
	}
	return serialize(root, out, len, err, errlen);
oom_t:
	cbor_decref(&t);
oom:
	err_set(err, errlen, "out of memory");
fail:
	sqlite3_finalize(towns);
	if (list != NULL)
		cbor_decref(&list);
	if (root != NULL)
		cbor_decref(&root);
	return -1;
#undef NFIG
}
