/*
 * recordrows: reading a record's fill and violations out of SQLite into a
 * struct wire_record, the same way at both ends of the county link (the
 * station reads its fills and violations tables for the uplink, records.c;
 * the county its own copies for traces, tools/county/db.c).
 */
#ifndef GAS_RECORDROWS_H
#define GAS_RECORDROWS_H

#include <stddef.h>
#include <sqlite3.h>

#include "wire.h"

/* Columns a fill is read from by recordrows_fill, in this order. */
#define RECORDROWS_FILL_COLUMNS 16

/*
 * Read a fill from the current row of st, starting at column first: line,
 * cylinder, buyer, buyer_masked, buyer_township, buyer_kind, operator_cert,
 * started_ms, ended_ms, tare_kg, target_kg, preact_kg, cutoff_kg, gross_kg,
 * net_kg, result (RECORDROWS_FILL_COLUMNS of them; NULL text reads as "").
 * f's other members (the curve) are left as they are.
 */
void recordrows_fill(sqlite3_stmt *st, int first, struct wire_fill *f);

/*
 * Append to r the violations st yields.  st is a prepared statement taking
 * the record's uuid as parameter 1 and giving the columns uuid, rule,
 * severity, township, details, cylinder, buyer, buyer_masked, line, at_ms.
 * At most WIRE_MAX_VIOLATIONS are kept.  r->violations is grown with
 * realloc and owned by r (freed with the record).  Returns 0, or -1 with err
 * (r keeps what was read so far).  st is reset on return.
 */
int recordrows_violations(sqlite3_stmt *st, struct wire_record *r, char *err, size_t errlen);

#endif
