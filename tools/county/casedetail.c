/*
 * casedetail: one case with what an officer needs to act on it
 * (casedetail.h says what the answer holds).
 *
 * cases_show decides whether the case lies in scope and gives the case, its
 * timeline, alerts and evidence; this module adds the station, the fill
 * behind the first alert with its curve, the cylinder's newest fills and
 * its registry history, and the buyer (masked) with the buyer's township.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "casedetail.h"
#include "buyeraddr.h"
#include "cborread.h"
#include "curve.h"
#include "history.h"
#include "store.h"
#include "util.h"

#define TEXT(stmt, i) ((const char *)sqlite3_column_text((stmt), (i)))

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

/* Column i of st as CBOR (NULL columns as CBOR null). */
static cbor_item_t *
column_item(sqlite3_stmt *st, int i)
{
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		return int_item(sqlite3_column_int64(st, i));
	case SQLITE_FLOAT:
		return cbor_build_float8(sqlite3_column_double(st, i));
	case SQLITE_NULL:
		return cbor_new_null();
	default:
		return cbor_build_stringn(TEXT(st, i), (size_t)sqlite3_column_bytes(st, i));
	}
}

/* The current row of st as a map keyed by its column names. */
static cbor_item_t *
row_item(sqlite3_stmt *st)
{
	int i, n = sqlite3_column_count(st);
	cbor_item_t *m = cbor_new_definite_map((size_t)n);

	for (i = 0; m != NULL && i < n; i++)
		if (!put(m, sqlite3_column_name(st, i), column_item(st, i)))
			cbor_decref(&m);
	return m;
}

/* Up to max rows of sql (one text parameter) as an array; NULL on failure. */
static cbor_item_t *
rows_item(struct county_db *c, const char *sql, const char *param, size_t max, int single,
    char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	cbor_item_t *arr, *row;
	int rc;

	if (store_prepare(c->db, sql, &st, err, errlen) == -1)
		return NULL;
	sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
	if (single) {
		rc = sqlite3_step(st);
		row = rc == SQLITE_ROW ? row_item(st) : rc == SQLITE_DONE ? cbor_new_null() : NULL;
		if (row == NULL)
			err_set(err, errlen, "case detail: %s", sqlite3_errmsg(c->db));
		sqlite3_finalize(st);
		return row;
	}
	arr = cbor_new_indefinite_array();
	while (arr != NULL && max-- > 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		row = row_item(st);
		if (row == NULL || !cbor_array_push(arr, cbor_move(row)))
			cbor_decref(&arr);
	}
	if (arr == NULL)
		err_set(err, errlen, "case detail: %s", sqlite3_errmsg(c->db));
	sqlite3_finalize(st);
	return arr;
}

/* item with every map and array of definite length, as the wire wants
 * (wire.h refuses indefinite lengths); NULL when out of memory. */
static cbor_item_t *
definite(cbor_item_t *item)
{
	cbor_item_t *out, *v;
	size_t i, n;

	if (cbor_isa_array(item)) {
		n = cbor_array_size(item);
		if ((out = cbor_new_definite_array(n)) == NULL)
			return NULL;
		for (i = 0; i < n; i++)
			if ((v = definite(cbor_array_handle(item)[i])) == NULL ||
			    !cbor_array_push(out, cbor_move(v))) {
				cbor_decref(&out);
				return NULL;
			}
		return out;
	}
	if (cbor_isa_map(item)) {
		struct cbor_pair *pairs = cbor_map_handle(item);

		n = cbor_map_size(item);
		if ((out = cbor_new_definite_map(n)) == NULL)
			return NULL;
		for (i = 0; i < n; i++)
			if ((v = definite(pairs[i].value)) == NULL ||
			    !cbor_map_add(out,
			        (struct cbor_pair){ .key = pairs[i].key, .value = cbor_move(v) })) {
				cbor_decref(&out);
				return NULL;
			}
		return out;
	}
	return cbor_incref(item);
}

/* The fill's curve, decoded, as a map; CBOR null when it has none. */
static cbor_item_t *
curve_item(struct county_db *c, const char *fill, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	struct curve *cv;
	cbor_item_t *m, *t, *g;
	char why[128];
	uint32_t i;
	int rc, ok;

	if (store_prepare(c->db, "SELECT curve FROM fill_curves WHERE uuid = ?", &st, err,
	        errlen) == -1)
		return NULL;
	sqlite3_bind_text(st, 1, fill, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		err_set(err, errlen, "curve of %s: %s", fill, sqlite3_errmsg(c->db));
		sqlite3_finalize(st);
		return NULL;
	}
	cv = rc == SQLITE_ROW ? malloc(sizeof(*cv)) : NULL;
	ok = cv != NULL && curve_decode(sqlite3_column_blob(st, 0),
	                       (size_t)sqlite3_column_bytes(st, 0), cv, why, sizeof(why)) == 0;
	sqlite3_finalize(st);
	if (!ok) { /* none, or one the county cannot read: no curve */
		free(cv);
		return cbor_new_null();
	}
	m = cbor_new_definite_map(6);
	t = cbor_new_definite_array(cv->count);
	g = cbor_new_definite_array(cv->count);
	for (i = 0; t != NULL && g != NULL && i < cv->count; i++)
		if (!cbor_array_push(t, cbor_move(int_item(cv->t_ms[i]))) ||
		    !cbor_array_push(g, cbor_move(int_item(cv->grams[i]))))
			break;
	if (m == NULL || t == NULL || g == NULL || i < cv->count ||
	    !put(m, "target_g", int_item(cv->target_g)) ||
	    !put(m, "preact_g", int_item(cv->preact_g)) ||
	    (cv->cutoff_ms != CURVE_NONE && !put(m, "cutoff_ms", int_item(cv->cutoff_ms))) ||
	    (cv->net_g != CURVE_NONE && !put(m, "net_g", int_item(cv->net_g))) ||
	    !put(m, "t_ms", t) || !put(m, "grams", g)) {
		if (m != NULL)
			cbor_decref(&m);
		free(cv);
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	free(cv);
	return m;
}

/* The cylinder's newest registry changes as an array, oldest first; *older counts those
 * before them. */
static cbor_item_t *
history_item(struct county_db *c, const char *serial, int64_t *older, char *err, size_t errlen)
{
	struct history_row *rows = calloc(CASEDETAIL_HISTORY + 1, sizeof(*rows));
	cbor_item_t *arr = NULL, *m;
	size_t n = 0, i;

	if (rows == NULL) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	if (history_list_newest(c->db, serial, rows, CASEDETAIL_HISTORY, &n, older, err, errlen) ==
	    -1)
		goto out;
	arr = cbor_new_definite_array(n);
	for (i = 0; arr != NULL && i < n; i++) {
		m = cbor_new_definite_map(8);
		if (m == NULL || !put(m, "version", int_item(rows[i].version)) ||
		    !put(m, "changed_ms", int_item(rows[i].changed_ms)) ||
		    !put(m, "status", cbor_build_string(rows[i].status)) ||
		    !put(m, "last_inspection", cbor_build_string(rows[i].last_inspection)) ||
		    !put(m, "next_inspection", cbor_build_string(rows[i].next_inspection)) ||
		    !put(m, "owner", cbor_build_string(rows[i].owner)) ||
		    !put(m, "source", cbor_build_string(rows[i].source)) ||
		    !put(m, "actor", cbor_build_string(rows[i].actor)) ||
		    !cbor_array_push(arr, cbor_move(m))) {
			if (m != NULL)
				cbor_decref(&m);
			cbor_decref(&arr);
		}
	}
	if (arr == NULL)
		err_set(err, errlen, "out of memory");
out:
	free(rows);
	return arr;
}

/* End the read snapshot casedetail_get began, if it began one (it only reads: nothing to keep). */
static void
snapshot_end(struct county_db *c, int *snapshot)
{
	if (*snapshot)
		store_exec(c->db, "COMMIT", NULL, 0);
	*snapshot = 0;
}

enum cases_result
casedetail_get(struct county_db *c, const struct access_scope *scope,
    const struct access_identity *who, int64_t id, int64_t now, uint8_t **out, size_t *len,
    char *err, size_t errlen)
{
	char address[256] = "";
	enum cases_result res;
	struct cbor_load_result lr;
	cbor_item_t *shown, *root = NULL, *fill = NULL, *buyer;
	struct cbor_pair *pairs;
	char station[128], cylinder[128], masked[64], township[64], uuid[64] = "", idtext[24];
	uint8_t *bytes = NULL;
	size_t n, i, size = 0;
	int snapshot, erased = 0;
	int64_t older = 0;

	*out = NULL;
	/* one snapshot for every part read (a step committed between two of them must be seen
	 * whole or not at all); it ends before the address log is written */
	snapshot = sqlite3_get_autocommit(c->db);
	if (snapshot && store_exec(c->db, "BEGIN", err, errlen) == -1)
		return CASES_ERROR;
	res = cases_show(c, scope, id, now, &bytes, &n, err, errlen);
	if (res != CASES_DONE) {
		snapshot_end(c, &snapshot);
		return res;
	}
	shown = cbor_load(bytes, n, &lr);
	free(bytes);
	if (shown == NULL || !cbor_isa_map(shown) || cborread_find(shown, "case") == NULL) {
		if (shown != NULL)
			cbor_decref(&shown);
		snapshot_end(c, &snapshot);
		err_set(err, errlen, "case %lld: unreadable answer", (long long)id);
		return CASES_ERROR;
	}
	cborread_text(cborread_find(shown, "case"), "station", station, sizeof(station));
	cborread_text(cborread_find(shown, "case"), "cylinder", cylinder, sizeof(cylinder));
	cborread_text(cborread_find(shown, "case"), "buyer_masked", masked, sizeof(masked));
	township[0] = '\0';
	root = cbor_new_indefinite_map();
	if (root == NULL)
		goto oom;
	pairs = cbor_map_handle(shown);
	for (i = 0; i < cbor_map_size(shown); i++)
		if (!cbor_map_add(root,
		        (struct cbor_pair){ .key = pairs[i].key, .value = pairs[i].value }))
			goto oom;
	cbor_decref(&shown);
	if (station[0] != '\0' &&
	    !put(root, "station",
	        rows_item(c,
	            "SELECT id, township, last_seen_ms, name, address, lat, lon,"
	            " registered_ms IS NOT NULL AS registered FROM stations WHERE id = ?",
	            station, 1, 1, err, errlen)))
		goto fail;
	/* the fill behind the case's first alert (a station's violation) */
	snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
	fill = rows_item(c,
	    "SELECT f.uuid, f.started_ms, f.net_kg, f.target_kg, f.result, f.buyer_masked,"
	    " f.buyer_township" CASEDETAIL_FIRST_FILL("CAST(? AS INTEGER)"),
	    idtext, 1, 1, err, errlen);
	if (fill == NULL)
		goto fail;
	if (cbor_isa_map(fill)) {
		cbor_item_t *cv;

		cborread_text(fill, "uuid", uuid, sizeof(uuid));
		cborread_text(fill, "buyer_township", township, sizeof(township));
		if (masked[0] == '\0')
			cborread_text(fill, "buyer_masked", masked, sizeof(masked));
		/* a definite map built by row_item is full: rebuild it with the curve */
		if ((cv = curve_item(c, uuid, err, errlen)) == NULL)
			goto fail;
		{
			cbor_item_t *m = cbor_new_indefinite_map();
			struct cbor_pair *fp = cbor_map_handle(fill);

			if (m == NULL) {
				cbor_decref(&cv);
				goto oom;
			}
			for (i = 0; i < cbor_map_size(fill); i++)
				cbor_map_add(m,
				    (struct cbor_pair){ .key = fp[i].key, .value = fp[i].value });
			cbor_decref(&fill);
			fill = m;
			if (!put(fill, "curve", cv))
				goto oom;
		}
		if (!put(root, "fill", fill))
			goto oom;
	} else {
		cbor_decref(&fill);
	}
	fill = NULL;
	/* the cylinder's past (its fills, its registry history: a trace) for those who act on
	 * cases, by township or county-wide; never for a reporter (a grid worker), who would
	 * read any cylinder's by reporting its serial */
	if (cylinder[0] != '\0' &&
	    (scope->reach == ACCESS_REACH_ALL ||
	        (scope->reach == ACCESS_REACH_OWN && scope->township[0] != '\0'))) {
		if (!put(root, "fills",
		        rows_item(c,
		            "SELECT uuid, station, started_ms, net_kg, result FROM fills"
		            " WHERE cylinder = ? ORDER BY started_ms DESC LIMIT 20",
		            cylinder, CASEDETAIL_FILLS, 0, err, errlen)) ||
		    !put(root, "history", history_item(c, cylinder, &older, err, errlen)) ||
		    !put(root, "history_left_out", int_item(older)))
			goto fail;
	}
	snapshot_end(c, &snapshot);
	/* the address only to an officer of the township the case is in now, logged: buyeraddr
	 * reads that township again as it logs, not from this snapshot, which has ended */
	if (uuid[0] != '\0' && buyeraddr_show(c, who, id, uuid, now, address, sizeof(address),
	                           &erased, err, errlen) == -1)
		goto fail;
	if (who != NULL && who->role == ACCESS_ROLE_REGULATOR &&
	    !put(root, "address_views",
	        rows_item(c,
	            "SELECT identity, at_ms FROM buyer_address_views"
	            " WHERE case_id = CAST(? AS INTEGER) ORDER BY id",
	            idtext, CASEDETAIL_VIEWS, 0, err, errlen)))
		goto fail;
	if (masked[0] != '\0') {
		/* with the address, or saying it was erased after its keep time (buyeraddr.h) */
		buyer = cbor_new_definite_map(address[0] != '\0' || erased ? 3 : 2);
		if (buyer == NULL || !put(buyer, "masked", cbor_build_string(masked)) ||
		    !put(buyer, "township", cbor_build_string(township)) ||
		    (address[0] != '\0' && !put(buyer, "address", cbor_build_string(address))) ||
		    (erased && !put(buyer, "address_erased", cbor_build_bool(true))) ||
		    !put(root, "buyer", buyer)) {
			if (buyer != NULL)
				cbor_decref(&buyer);
			goto oom;
		}
	}
	fill = definite(root); /* reused as the answer's whole */
	cbor_decref(&root);
	if (fill == NULL) {
		err_set(err, errlen, "out of memory");
		return CASES_ERROR;
	}
	*len = cbor_serialize_alloc(fill, out, &size);
	cbor_decref(&fill);
	if (*out == NULL || *len == 0) {
		free(*out);
		*out = NULL;
		err_set(err, errlen, "out of memory");
		return CASES_ERROR;
	}
	return CASES_DONE;
oom:
	err_set(err, errlen, "out of memory");
fail:
	snapshot_end(c, &snapshot);
	if (fill != NULL)
		cbor_decref(&fill);
	if (shown != NULL)
		cbor_decref(&shown);
	if (root != NULL)
		cbor_decref(&root);
	return CASES_ERROR;
}
