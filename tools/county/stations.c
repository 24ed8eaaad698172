/*
 * stations: the county's register of stations (stations.h).  The register's
 * columns (name, address, lat, lon, registered_ms) are on db.c's stations
 * table; only this module writes them.
 */
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "stations.h"
#include "store.h"
#include "util.h"

#define COLUMNS                                                                                    \
	"SELECT id, township, name, address, lat, lon, coalesce(registered_ms, 0),"                \
	" last_seen_ms FROM stations"

static void
entry_from(sqlite3_stmt *st, struct station_entry *e)
{
	memset(e, 0, sizeof(*e));
	store_column_copy(st, 0, e->id, sizeof(e->id));
	store_column_copy(st, 1, e->township, sizeof(e->township));
	store_column_copy(st, 2, e->name, sizeof(e->name));
	store_column_copy(st, 3, e->address, sizeof(e->address));
	e->has_place =
	    sqlite3_column_type(st, 4) != SQLITE_NULL && sqlite3_column_type(st, 5) != SQLITE_NULL;
	if (e->has_place) {
		e->lat = sqlite3_column_double(st, 4);
		e->lon = sqlite3_column_double(st, 5);
	}
	e->registered_ms = sqlite3_column_int64(st, 6);
	e->last_seen_ms = sqlite3_column_int64(st, 7);
}

/* 0 if text is a name or address a person can read: not empty, shorter
 * than size, no control character; -1 with err naming what. */
static int
text_ok(const char *what, const char *text, size_t size, char *err, size_t errlen)
{
	const unsigned char *p;

	if (text[0] == '\0')
		return err_set(err, errlen, _("%s: must not be empty"), what);
	if (strlen(text) >= size)
		return err_set(err, errlen, _("%s: longer than %zu bytes"), what, size - 1);
	for (p = (const unsigned char *)text; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return err_set(err, errlen, _("%s: holds a control character"), what);
	return 0;
}

/* 0 if id is a station's as its identity station:ID names it (access.c's
 * rule: printable, no space, no ':'), else -1 with err. */
static int
id_ok(const char *id, char *err, size_t errlen)
{
	struct access_identity who;
	char whole[ACCESS_MAX_IDENTITY];
	int n = snprintf(whole, sizeof(whole), "station:%s", id);

	if (strlen(id) >= WIRE_ID || n < 0 || (size_t)n >= sizeof(whole) ||
	    access_identity_parse((const uint8_t *)whole, (size_t)n, &who) == -1 ||
	    who.role != ACCESS_ROLE_STATION)
		return err_set(err, errlen,
		    _("station id '%s': 1 to %d printable characters, no space and no ':'"), id,
		    WIRE_ID - 1);
	return 0;
}

int
stations_set(struct county_db *c, const struct station_entry *e, int64_t now_ms, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (id_ok(e->id, err, errlen) == -1 ||
	    text_ok("--name", e->name, sizeof(e->name), err, errlen) == -1 ||
	    text_ok("--address", e->address, sizeof(e->address), err, errlen) == -1)
		return -1;
	if (!county_township_known(c, e->township))
		return err_set(err, errlen,
		    _("--township '%s': not a township of this county (no identity township:%s)"),
		    e->township, e->township);
	if (e->has_place && !(e->lat >= -90 && e->lat <= 90 && e->lon >= -180 && e->lon <= 180))
		return err_set(err, errlen, "%s", _("--lat/--lon: outside -90..90 / -180..180"));
	if (store_prepare(c->db,
	        "INSERT INTO stations (id, township, name, address, lat, lon, registered_ms,"
	        " created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) ON CONFLICT (id) DO UPDATE SET"
	        " township = ?2, name = ?3, address = ?4, lat = ?5, lon = ?6, registered_ms = ?7",
	        &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, e->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, e->township, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->address, -1, SQLITE_STATIC);
	if (e->has_place) {
		sqlite3_bind_double(st, 5, e->lat);
		sqlite3_bind_double(st, 6, e->lon);
	}
	sqlite3_bind_int64(st, 7, now_ms);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return err_set(err, errlen, "station %s: %s", e->id, sqlite3_errmsg(c->db));
	return 0;
}

int
stations_get(struct county_db *c, const char *id, struct station_entry *out, char *err,
    size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (store_prepare(c->db, COLUMNS " WHERE id = ?", &st, err, errlen) == -1)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		entry_from(st, out);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return err_set(err, errlen, "station %s: %s", id, sqlite3_errmsg(c->db));
	return rc == SQLITE_ROW;
}

int
stations_each(struct county_db *c, int (*fn)(const struct station_entry *, void *), void *arg,
    char *err, size_t errlen)
{
	struct station_entry e;
	sqlite3_stmt *st = NULL;
	int rc, stop = 0;

	if (store_prepare(c->db, COLUMNS " ORDER BY id", &st, err, errlen) == -1)
		return -1;
	while (stop == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		entry_from(st, &e);
		stop = fn(&e, arg);
	}
	sqlite3_finalize(st);
	if (stop != 0)
		return stop;
	if (rc != SQLITE_DONE)
		return err_set(err, errlen, "stations: %s", sqlite3_errmsg(c->db));
	return 0;
}

int
stations_township(struct county_db *c, const char *id, const char *claimed, char *township_out,
    size_t township_size, char *err, size_t errlen)
{
	struct station_entry e;
	int rc;

	if ((rc = stations_get(c, id, &e, err, errlen)) <= 0)
		return rc == 0 ? 1 : -1;
	if (e.registered_ms == 0)
		return 1;
	if (claimed[0] != '\0' && strcmp(claimed, e.township) != 0) {
		err_set(err, errlen,
		    "station %s is registered in township %s by the county, not %s: correct the "
		    "station's township (or the county's register)",
		    id, e.township, claimed);
		return 2;
	}
	str_copy(township_out, e.township, township_size);
	return 0;
}
