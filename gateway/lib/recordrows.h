/*
 * recordrows: reading a record's violations out of SQLite into a
 * struct wire_record, the same way at both ends of the county link (the
 * station's uplink reads its violations table, the county its own copy).
 */
#ifndef GAS_RECORDROWS_H
#define GAS_RECORDROWS_H

#include <stddef.h>
#include <sqlite3.h>

#include "wire.h"

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
