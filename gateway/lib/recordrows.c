/*
 * recordrows: see recordrows.h.
 */
#include "recordrows.h"

#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "util.h"

void
recordrows_fill(sqlite3_stmt *st, int first, struct wire_fill *f)
{
	f->line = sqlite3_column_int(st, first);
	store_column_copy(st, first + 1, f->cylinder, sizeof(f->cylinder));
	store_column_copy(st, first + 2, f->buyer, sizeof(f->buyer));
	store_column_copy(st, first + 3, f->buyer_masked, sizeof(f->buyer_masked));
	store_column_copy(st, first + 4, f->buyer_township, sizeof(f->buyer_township));
	store_column_copy(st, first + 5, f->buyer_kind, sizeof(f->buyer_kind));
	store_column_copy(st, first + 6, f->operator_cert, sizeof(f->operator_cert));
	f->started_ms = sqlite3_column_int64(st, first + 7);
	f->ended_ms = sqlite3_column_int64(st, first + 8);
	f->tare_kg = sqlite3_column_double(st, first + 9);
	f->target_kg = sqlite3_column_double(st, first + 10);
	f->preact_kg = sqlite3_column_double(st, first + 11);
	f->cutoff_kg = sqlite3_column_double(st, first + 12);
	f->gross_kg = sqlite3_column_double(st, first + 13);
	f->net_kg = sqlite3_column_double(st, first + 14);
	store_column_copy(st, first + 15, f->result, sizeof(f->result));
}

int
recordrows_violations(sqlite3_stmt *st, struct wire_record *r, char *err, size_t errlen)
{
	struct wire_violation *v, *grown;
	size_t cap = r->violation_count;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, r->uuid, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (r->violation_count == WIRE_MAX_VIOLATIONS)
			break;
		if (r->violation_count == cap) {
			cap = cap == 0 ? 4 : cap * 2;
			grown = realloc(r->violations, cap * sizeof(*grown));
			if (grown == NULL) {
				sqlite3_reset(st);
				return err_set(err, errlen, "out of memory");
			}
			r->violations = grown;
		}
		v = &r->violations[r->violation_count++];
		memset(v, 0, sizeof(*v));
		store_column_copy(st, 0, v->uuid, sizeof(v->uuid));
		store_column_copy(st, 1, v->rule, sizeof(v->rule));
		store_column_copy(st, 2, v->severity, sizeof(v->severity));
		store_column_copy(st, 3, v->township, sizeof(v->township));
		store_column_copy(st, 4, v->details, sizeof(v->details));
		store_column_copy(st, 5, v->cylinder, sizeof(v->cylinder));
		store_column_copy(st, 6, v->buyer, sizeof(v->buyer));
		store_column_copy(st, 7, v->buyer_masked, sizeof(v->buyer_masked));
		v->line = sqlite3_column_int(st, 8);
		v->at_ms = sqlite3_column_int64(st, 9);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return err_set(err, errlen, "violations: %s", sqlite3_errstr(rc));
	return 0;
}
