/*
 * station_fill: put fills (with their violations and outbox rows) into a
 * station database, as the fill line would, for uplink tests and benches.
 *
 *   station_fill DB [-n COUNT] [-s STATION] [-c CYLPREFIX] [-e EVERY]
 *                [-r RULE -t TOWNSHIP [-S SEVERITY]] [-b BUYERTOWNSHIP]
 *
 * Each fill gets cylinder CYLPREFIX<i>, one buyer, and (every EVERY-th
 * fill, EVERY > 0) a violation RULE routed to TOWNSHIP (both townships TA
 * unless given: a township of the test counties).  Rows are written
 * 1,000 to a transaction; each fill, its violation and its outbox row are
 * always in the same one, as in the gateway.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "util.h"

static int
run(sqlite3 *db, const char *sql)
{
	char err[256];

	if (store_exec(db, sql, err, sizeof(err)) == -1) {
		fprintf(stderr, "station_fill: %s\n", err);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *station = "S01", *prefix = "CYL", *rule = "R05", *township = "TA",
	           *severity = "alert", *buyer_township = "TA";
	long count = 10, every = 0, i;
	sqlite3 *db = NULL;
	sqlite3_stmt *cyl = NULL, *fill = NULL, *viol = NULL, *out = NULL;
	char err[256], uuid[37], vuuid[37], serial[64], details[128];
	int64_t now = time_wall_ms(), t;
	int ch;

	while ((ch = getopt(argc, argv, "n:s:c:e:r:t:S:b:h")) != -1) {
		switch (ch) {
		case 'n':
			count = atol(optarg);
			break;
		case 's':
			station = optarg;
			break;
		case 'c':
			prefix = optarg;
			break;
		case 'e':
			every = atol(optarg);
			break;
		case 'r':
			rule = optarg;
			break;
		case 't':
			township = optarg;
			break;
		case 'S':
			severity = optarg;
			break;
		case 'b':
			buyer_township = optarg;
			break;
		case 'h':
			printf("usage: station_fill DB [-n COUNT] [-s STATION] [-c CYLPREFIX] "
			       "[-e EVERY] [-r RULE] [-t TOWNSHIP] [-S SEVERITY] [-b "
			       "BUYERTOWNSHIP]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: station_fill DB [options]\n");
		return 2;
	}
	if (store_open(argv[optind], schema_station, 0, &db, err, sizeof(err)) == -1) {
		fprintf(stderr, "station_fill: %s\n", err);
		return 1;
	}
	if (run(db, "INSERT OR IGNORE INTO operators (cert, name, expires, created_ms)"
	            " VALUES ('OP1', 'Operator One', '2030-01-01', 0)") == -1)
		return 1;
	{
		char sql[512];

		snprintf(sql, sizeof(sql),
		    "INSERT OR IGNORE INTO buyers (id, masked, kind, township, created_ms) VALUES"
		    " ('%064d', '330***********1234', 'household', '%s', 0)",
		    7, buyer_township);
		if (run(db, sql) == -1)
			return 1;
	}
	if (store_prepare(db,
	        "INSERT OR IGNORE INTO cylinders (serial, model, manufactured, tare_kg, fill_kg, "
	        "owner,"
	        " updated_ms) VALUES (?, 'YSP35.5', '2020-01-01', 15.5, 14.9, 'GasCo', 0)",
	        &cyl, err, sizeof(err)) == -1 ||
	    store_prepare(db,
	        "INSERT INTO fills (uuid, station, line, cylinder, buyer, operator, started_ms,"
	        " ended_ms, tare_kg, target_kg, preact_kg, cutoff_kg, gross_kg, net_kg, result,"
	        " buyer_masked, buyer_township, buyer_kind) SELECT ?1, ?2, 1, ?3, ?4, 'OP1',"
	        " ?5, ?6, 15.5, 14.9, 0.2, 14.7, 30.4, 14.9, ?7, b.masked, b.township,"
	        " CASE WHEN b.delivery = 1 THEN 'delivery' ELSE b.kind END"
	        " FROM (SELECT 1) LEFT JOIN buyers b ON b.id = ?4",
	        &fill, err, sizeof(err)) == -1 ||
	    store_prepare(db,
	        "INSERT INTO violations (uuid, event, rule, severity, township, fill, line, "
	        "cylinder,"
	        " buyer, details, at_ms, buyer_masked) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8,"
	        " ?9, ?10, (SELECT masked FROM buyers WHERE id = ?8))",
	        &viol, err, sizeof(err)) == -1 ||
	    store_prepare(db, "INSERT INTO outbox (uuid, kind, created_ms) VALUES (?, 'fill', ?)",
	        &out, err, sizeof(err)) == -1) {
		fprintf(stderr, "station_fill: %s\n", err);
		return 1;
	}
	char buyer[65];
	snprintf(buyer, sizeof(buyer), "%064d", 7);
	for (i = 0; i < count; i++) {
		if (i % 1000 == 0 && (i > 0 ? store_commit(db, err, sizeof(err)) : 0) == -1)
			return 1;
		if (i % 1000 == 0 && store_begin(db, err, sizeof(err)) == -1)
			return 1;
		store_uuid(uuid);
		snprintf(serial, sizeof(serial), "%s%ld", prefix, i);
		t = now - (count - i) * 1000;
		sqlite3_reset(cyl);
		sqlite3_bind_text(cyl, 1, serial, -1, SQLITE_TRANSIENT);
		sqlite3_step(cyl);
		sqlite3_reset(fill);
		sqlite3_bind_text(fill, 1, uuid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(fill, 2, station, -1, SQLITE_STATIC);
		sqlite3_bind_text(fill, 3, serial, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(fill, 4, buyer, -1, SQLITE_STATIC);
		sqlite3_bind_int64(fill, 5, t);
		sqlite3_bind_int64(fill, 6, t + 90000);
		sqlite3_bind_text(fill, 7, every > 0 && i % every == 0 ? "flagged" : "ok", -1,
		    SQLITE_STATIC);
		if (sqlite3_step(fill) != SQLITE_DONE) {
			fprintf(stderr, "station_fill: fill: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		if (every > 0 && i % every == 0) {
			store_uuid(vuuid);
			snprintf(details, sizeof(details), "%s on cylinder %s (test)", rule,
			    serial);
			sqlite3_reset(viol);
			sqlite3_bind_text(viol, 1, vuuid, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(viol, 2, uuid, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(viol, 3, rule, -1, SQLITE_STATIC);
			sqlite3_bind_text(viol, 4, severity, -1, SQLITE_STATIC);
			sqlite3_bind_text(viol, 5, township, -1, SQLITE_STATIC);
			sqlite3_bind_text(viol, 6, uuid, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(viol, 7, serial, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(viol, 8, buyer, -1, SQLITE_STATIC);
			sqlite3_bind_text(viol, 9, details, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(viol, 10, t);
			if (sqlite3_step(viol) != SQLITE_DONE) {
				fprintf(stderr, "station_fill: violation: %s\n",
				    sqlite3_errmsg(db));
				return 1;
			}
		}
		sqlite3_reset(out);
		sqlite3_bind_text(out, 1, uuid, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(out, 2, t + 90000);
		if (sqlite3_step(out) != SQLITE_DONE) {
			fprintf(stderr, "station_fill: outbox: %s\n", sqlite3_errmsg(db));
			return 1;
		}
	}
	if (count > 0 && store_commit(db, err, sizeof(err)) == -1) {
		fprintf(stderr, "station_fill: %s\n", err);
		return 1;
	}
	sqlite3_finalize(cyl);
	sqlite3_finalize(fill);
	sqlite3_finalize(viol);
	sqlite3_finalize(out);
	store_close(db);
	return 0;
}
