/*
 * county db: everything the county stores and reads (ingest, county rules,
 * alerts, dispositions, traces and their audit, the station list, the
 * registry), in the county library (libcounty.a).
 *
 * It never touches the network, so that the storage rules (idempotent by
 * (station, seq) and uuid, answer only after commit) can be tested and
 * benchmarked without DTLS.
 */
#ifndef COUNTY_DB_H
#define COUNTY_DB_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "countyconf.h"
#include "wire.h"

struct county_db {
	sqlite3 *db;
	const struct county_config *config;
};

/*
 * Store a batch from station (the DTLS identity's name, never the payload's
 * claim) in one transaction: records by insert-or-ignore, their fills and
 * violations, alerts for alert/critical violations, county rules C01/C02 on
 * new fills.  On success *ack holds the station's highest contiguous seq
 * after the commit and *new_alerts how many alerts were raised.
 * On failure nothing is stored.
 */
int county_ingest(struct county_db *c, const char *station, const struct wire_batch *batch,
    struct wire_ack *ack, int *new_alerts, char *err, size_t errlen);

/* The station's current high-water mark (0 for a station never seen). */
int county_hwm(struct county_db *c, const char *station, int64_t *hwm, char *err, size_t errlen);

int county_heartbeat(struct county_db *c, const char *station, const struct wire_heartbeat *h,
    char *err, size_t errlen);

/* C03 (silent stations) and C04 (old sequence gaps); *new_alerts raised. */
int county_sweep(struct county_db *c, int64_t now_ms, int *new_alerts, char *err, size_t errlen);

/* Alerts of township with id > since (at most max); caller frees with wire_alerts_free. */
int county_alerts(struct county_db *c, const char *township, int64_t since, size_t max,
    struct wire_alert_list *out, char *err, size_t errlen);

/* Record a disposition.  Returns 0, -1 (error), 1 (no such alert),
 * 2 (alert belongs to another township). */
int county_dispose(struct county_db *c, const char *township, const char *identity,
    const struct wire_disposition *d, char *err, size_t errlen);

/* A trace (query "cylinder", "buyer" or "station"), written to the audit log
 * under identity.  Caller frees with wire_trace_free. */
int county_trace(struct county_db *c, const char *identity, const char *query, const char *key,
    int64_t from_ms, int64_t to_ms, struct wire_trace *out, char *err, size_t errlen);

/* One fill's weight curve, written to the audit log under identity (query
 * "curve").  Returns 0, 1 when the county holds no curve for that fill, or
 * -1 with err.  Caller frees with wire_curve_free. */
int county_curve(struct county_db *c, const char *identity, const char *fill,
    struct wire_curve *out, char *err, size_t errlen);

/* Every station with its high-water mark, gap and last contact; caller
 * frees with wire_stations_free. */
int county_stations(struct county_db *c, struct wire_station_list *out, char *err, size_t errlen);

/* Registry rows changed after since (at most max). */
int county_registry_since(struct county_db *c, int64_t since, size_t max, struct wire_registry *out,
    char *err, size_t errlen);
/* Insert or change one registry row; fields that are NULL stay as they are.
 * The row gets the next registry version. */
int county_registry_set(struct county_db *c, const char *serial, const char *status,
    const char *last_inspection, const char *next_inspection, const char *owner, char *err,
    size_t errlen);

struct county_import_result {
	unsigned long rows, rejected, changed;
};

/* Import a registry CSV (registry.h format) into the county registry. */
int county_registry_import(struct county_db *c, const char *path, int cycle_years,
    struct county_import_result *res, char *err, size_t errlen);

#endif
