/*
 * registry: the county's cylinder registry in the station database, plus the
 * station's operators and buyers (tables cylinders, operators, buyers of
 * schema/station/001_init.sql, and registry_waiting of 011).  This module
 * owns the SQL of those tables: every read and write of them anywhere goes
 * through here
 * (docs/schema.md lists each table's owner).
 *
 * A registry file is UTF-8 CSV with a header row naming the columns
 *   serial,model,manufactured,tare_kg,fill_kg,owner,last_inspection,status[,code]
 * in any order (unknown columns are ignored; all but code are required).
 * Dates are YYYY-MM-DD or YYYY-MM (day 1); status is active, scrapped or retired.
 *
 * Import policy (decided here, documented in docs/registry.md): the whole file
 * is imported in one transaction.  A row that fails validation is reported as
 * "FILE:LINE: reason" and skipped; every valid row is upserted by serial,
 * except that a cylinder the copy holds scrapped stays scrapped (the rest of
 * its row is taken, the line named the same way and counted), and a file
 * never makes a status looser than the county's word: a cylinder the
 * county's last pull said scrapped or retired (pulled_status) is not made
 * active, nor its pulled inspection dates moved back by an earlier last
 * inspection in the file, and a serial new to the station that a pull already spoke of
 * (registry_waiting, migration 011) takes the stricter status of the two,
 * the county's inspection dates unless the file's last inspection is
 * later, and the county's owner.  If
 * the transaction itself fails (disk full, a constraint, a read error of the
 * file) it is rolled back and nothing of the file is in the database.  The
 * import is idempotent: importing the same file again changes no row (rows
 * whose values are unchanged keep their updated_ms).
 *
 * All functions take an open station database (store_open with
 * schema_station), return 0 or -1, and write errors into (err, errlen).
 */
#ifndef GAS_REGISTRY_H
#define GAS_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "code.h"
#include "csv.h"
#include "store.h"

#define REGISTRY_OWNER_MAX 128
/* Bytes of an operator's certificate number: the one limit, from which the
 * fill line's copy (line.h LINE_CERT_SIZE) and the control protocol's
 * (ctlreq.h CTL_CERT_MAX) are derived. */
#define REGISTRY_CERT_MAX 63
#define REGISTRY_CYCLE_YEARS 4 /* periodic inspection cycle of LPG cylinders */

/* Where each column is in the file (-1: absent). */
struct registry_columns {
	int serial, model, manufactured, tare_kg, fill_kg, owner, last_inspection, status, code;
};

/* One validated row. */
struct registry_row {
	char serial[CODE_SERIAL_MAX + 1];
	char model[16];       /* canonical name, e.g. "YSP35.5" */
	int32_t manufactured; /* day number (util.h date_*) */
	int tare_g, fill_g;   /* grams, multiples of 10 */
	char owner[REGISTRY_OWNER_MAX + 1];
	int32_t last_inspection;     /* day number, or -1 when empty */
	char status[12];             /* active / scrapped / retired */
	char code[CODE_MAX_LEN + 1]; /* "" when absent */
};

/* Map the header row; refuses a missing required column or a duplicate one. */
int registry_columns_parse(const struct csv_row *header, struct registry_columns *cols, char *err,
    size_t errlen);

/*
 * Validate one data row (the reason goes into err without FILE:LINE; the
 * caller adds them).  With key non-NULL a code, when present, must verify
 * and carry the same serial, model, manufacture month, tare and fill mass as
 * the row, and (when county is not 0) that county.
 */
int registry_parse_row(const struct registry_columns *cols, const struct csv_row *row,
    const struct code_key *key, uint32_t county, struct registry_row *out, char *err,
    size_t errlen);

/*
 * The rules registry_parse_row holds a row to, for one cylinder's fields set
 * by hand (the county's registry set; NULL: not given, left as it is): the
 * serial, the status, the owner, a last inspection not in the future and a
 * next one after the last (given, or stored_last when the row has one).
 * 0, or -1 with the field named in err.
 */
int registry_check_set(const char *serial, const char *status, const char *last, const char *next,
    const char *stored_last, const char *owner, char *err, size_t errlen);

/* next_inspection: last inspection (or, never inspected, manufacture) plus
 * cycle_years, on the same day of the month (28 Feb for 29 Feb). */
int32_t registry_next_inspection(const struct registry_row *row, int cycle_years);

/*
 * A set of serials with the line each was first seen on, to refuse a serial
 * that appears twice in one file (import, and gaslabel mint).  NULL from new
 * only when out of memory.
 */
struct registry_serials;
struct registry_serials *registry_serials_new(void);
enum registry_serial_add {
	REGISTRY_SERIAL_NO_MEMORY = -1, /* nothing added */
	REGISTRY_SERIAL_SEEN = 0,       /* already present: *first_line says where */
	REGISTRY_SERIAL_ADDED = 1,
};
enum registry_serial_add registry_serials_add(struct registry_serials *set, const char *serial,
    unsigned long line, unsigned long *first_line);
void registry_serials_free(struct registry_serials *set);

struct registry_import_opts {
	int cycle_years;            /* 0: REGISTRY_CYCLE_YEARS */
	const struct code_key *key; /* verify code column when non-NULL */
	uint32_t county;            /* with key: codes must be of this county (0: any) */
	int64_t registry_version;   /* stored in cylinders.registry_version */
	/* called now and then with bytes read, the file size (0 if unknown) and
	 * the data rows read so far */
	void (*progress)(void *arg, unsigned long long done, unsigned long long total,
	    unsigned long rows);
	/* "FILE:LINE: reason" is file, line, reason; called in file order once
	 * the import's outcome is known, never before (nor under the write
	 * lock).  When it committed (committed 1): once per rejected row, and
	 * once per row kept scrapped or kept as the county says (not counted
	 * as rejected).  When it failed
	 * (committed 0, before registry_import returns -1): once per row found
	 * rejected before it failed; no row was skipped or kept, since nothing
	 * was imported, and a caller must say so. */
	void (*reject)(void *arg, const char *file, unsigned long line, const char *reason,
	    int committed);
	void *arg;
};

struct registry_import_result {
	unsigned long rows;      /* data rows read */
	unsigned long rejected;  /* rows reported and skipped */
	unsigned long inserted;  /* new cylinders */
	unsigned long updated;   /* existing cylinders whose row changed */
	unsigned long unchanged; /* existing cylinders already up to date */
	/* rows that would bring a cylinder the copy holds scrapped back: it
	 * stays scrapped, the rest of the row is taken (in updated or unchanged) */
	unsigned long kept_scrapped;
	/* rows that would loosen the county's word (a status its pull gave
	 * scrapped or retired, of a cylinder held or one new here): the
	 * county's status is kept, the rest of the row taken */
	unsigned long kept_county;
	int64_t locked_ms; /* how long the write transaction was open */
};

/*
 * Import the file at path (see the policy above).  The file is read into
 * memory (at most 256 MB) and parsed once, before the write transaction
 * begins: every row is checked and, with opts->key, every code verified on
 * every core (a pool of threads started once for the file; reasons and
 * duplicates are found in file order, as by one thread).  The valid rows are
 * staged meanwhile in a table of db's temp schema (temp.registry_stage,
 * dropped when the import ends; the temp schema's cache_size and
 * journal_mode are set for the import and put back), which takes no lock on
 * the station database, so the write lock is held only to report the
 * rejected rows and copy the staged rows into cylinders.  db must not be in
 * a transaction.  Returns 0 when
 * the transaction committed (even if some rows were rejected: see result)
 * and -1 when nothing was imported (file unreadable, header wrong, out of
 * memory, database error); opts->reject is called for each rejected row
 * (and kept scrapped), in file order, only once the outcome is known (see
 * registry_import_opts).
 */
int registry_import(sqlite3 *db, const char *path, const struct registry_import_opts *opts,
    struct registry_import_result *result, char *err, size_t errlen);

/*
 * Add or update an operator (certificate number, name, expiry YYYY-MM-DD).
 * Refuses (-1, nothing written) a certificate number with blanks or control
 * characters, or one that reads as an identity of the county link
 * (psk_claimed_role: "delivery:wang@T", "Station:S01"), whose life records
 * the county would refuse one by one; err names the certificate number.
 */
int registry_operator_add(sqlite3 *db, const char *cert, const char *name, const char *expires,
    char *err, size_t errlen);

/*
 * Add a buyer from an already validated number: stores only the HMAC id, the
 * masked form and the kind, with the township code (9 or 12 digits), the
 * address and whether it is a delivery company (delivery 1: it buys at the
 * counter for the households it serves, and rule R11 does not count its
 * fills; docs/rules.md).  A buyer already present keeps its id; township,
 * address and delivery are updated.  The id is written to id_out (may be
 * NULL).
 */
struct buyer_number;
struct buyer_key;
int registry_buyer_add(sqlite3 *db, const struct buyer_key *key, const struct buyer_number *n,
    const char *township, const char *address, int delivery, char id_out[65], char *err,
    size_t errlen);

/*
 * Apply one registry delta from the county (GET /registry, wire.h) in one
 * transaction: each row updates the cylinder with its serial (status,
 * inspection dates, owner unless empty, registry_version), then meta
 * 'registry_version' becomes delta->version.  A row for a cylinder this
 * station does not hold cannot create it (it has no model or tare here):
 * it is kept in registry_waiting (the newest version of each serial), for
 * the import that adds the cylinder, and counted in *unknown.  Every row is checked before anything
 * is written (text fields terminated and free of control characters, a known status, dates
 * YYYY-MM-DD or empty): one bad row refuses the whole delta, naming it.  Returns 0 when committed,
 * -1 when nothing changed (err says why).
 */
struct wire_registry;
int registry_apply_delta(sqlite3 *db, const struct wire_registry *delta, size_t *unknown, char *err,
    size_t errlen);

/* The registry version the station holds: meta 'registry_version', the
 * last delta applied (0 when none, or when the database cannot say). */
int64_t registry_version_held(sqlite3 *db);

/*
 * A scrap undone on purpose at a station with no county (gasctl registry
 * reinstate; the county's own registry decides at a station joined to one).
 * In one transaction: the operator must be registered and active here, the
 * cylinder in the registry; a copy saying scrapped says active again, and a
 * row of reinstatements keeps who (actor, login), when (now_ms), why
 * (reason: 1 to 127 bytes, no control characters, no ID number) and the
 * status before, with lifts_id: the row (life_events) of the newest of
 * this station's own scraps or failed inspections of it that stands
 * (records.h records_life_stopped_db; -1 when none), which it lifts with
 * every one recorded before it: by row, not by time, so that a scrap
 * recorded later stands whatever time a wrong clock gave it.  Returns 1 when recorded, 0 when there
 * was nothing to undo (not scrapped, no stop given: nothing written), -1 with err (a refusal named,
 * or a database error; nothing written).  was (may be NULL) gets the copy's
 * status before.
 */
struct registry_reinstatement {
	const char *serial;
	const char *actor; /* operator certificate */
	const char *login; /* the system user who ran the command */
	const char *reason;
	int64_t lifts_id;
	int64_t now_ms;
};
/* A reason typed by a person for a scrap or a reinstatement (kept, sent to
 * the county, shown on a trace): 1 to WIRE_LIFE_TEXT - 1 bytes, no control
 * characters, no ID number.  0, or -1 with err naming "reason". */
int registry_reason_check(const char *reason, char *err, size_t errlen);

int registry_reinstate(sqlite3 *db, const struct registry_reinstatement *r, char *was,
    size_t waslen, char *err, size_t errlen);

/* An operator who may act here: registered, active, the certificate not
 * past its date (the station's calendar).  0, or -1 with err naming why
 * (registry_reinstate's own words; gasctl registry reinstate asks it before
 * the PIN). */
int registry_operator_current(sqlite3 *db, const char *cert, char *err, size_t errlen);

/* 1 when this station's database has applied a registry delta from a county
 * (meta 'registry_version' is there: it is joined to one, or was), 0 when
 * not; 1 when the database cannot say. */
int registry_county_pulled(sqlite3 *db);

/* ---- look-ups for the fill line ---------------------------------------------- */

/* A cylinder as stored; text columns that are NULL read as "". */
struct registry_cylinder {
	char serial[CODE_SERIAL_MAX + 1];
	char code[CODE_MAX_LEN + 1];
	char model[16];
	char manufactured[11]; /* YYYY-MM-DD */
	double tare_kg, fill_kg;
	char owner[REGISTRY_OWNER_MAX + 1];
	char last_inspection[11]; /* "" if never */
	char next_inspection[11];
	char status[12];
	int64_t registry_version;
};

struct registry_operator {
	char cert[REGISTRY_CERT_MAX + 1];
	char name[129];
	char expires[11];
	int active;
};

struct registry_buyer {
	char id[65];
	char masked[19];
	char kind[12]; /* household / business */
	char township[13];
	char address[257];
	int delivery; /* a delivery company buying for the households it serves */
};

/* Each returns STORE_FOUND and fills *out, STORE_NOT_FOUND (*out zeroed), or
 * STORE_ERROR (err says why): store.h's convention for every look-up. */
enum store_found registry_cylinder_find(sqlite3 *db, const char *serial,
    struct registry_cylinder *out, char *err, size_t errlen);
enum store_found registry_operator_find(sqlite3 *db, const char *cert,
    struct registry_operator *out, char *err, size_t errlen);
enum store_found registry_buyer_find(sqlite3 *db, const char *id, struct registry_buyer *out,
    char *err, size_t errlen);

/*
 * Listings (gasctl operators list, buyers list): call fn for each operator
 * in certificate order, or each buyer oldest first; fn returning -1 stops
 * the walk.  0, or -1 with err (a database error; the rows before it were
 * given to fn).
 */
int registry_operators_list(sqlite3 *db, int (*fn)(const struct registry_operator *op, void *arg),
    void *arg, char *err, size_t errlen);
int registry_buyers_list(sqlite3 *db, int (*fn)(const struct registry_buyer *buyer, void *arg),
    void *arg, char *err, size_t errlen);

/*
 * A buyer first seen at the counter (the id, masked form, kind and township
 * of buyer; no address), inserted unless the id is there already (an
 * existing row is left as it is).  Runs inside the caller's transaction (the
 * fill's start row commits with it) and returns 0, or -1 with err, the
 * statement's SQLite error still on db (sqlite3_extended_errcode).
 */
int registry_buyer_ensure(sqlite3 *db, const struct registry_buyer *buyer, int64_t now_ms,
    char *err, size_t errlen);

#endif
