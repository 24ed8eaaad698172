/*
 * stations: the county's register of stations (docs/county.md, "The
 * register of stations"): for each licensed station its name, address,
 * township and, when known, its place (WGS84).  The register is the
 * county's word on where a station belongs: a registered station that
 * names another township is refused (db.c's ingest asks stations_township
 * first); a station nobody registered keeps the township it named at its
 * first contact, with a warning in the log.
 *
 * The columns live on the stations table (county migration 009); this
 * module is the one that writes them.  Every function returns 0 (or what
 * it says), or -1 with err naming the field or the database error.
 */
#ifndef COUNTY_STATIONS_H
#define COUNTY_STATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

#define STATIONS_NAME 128    /* bytes of a station's name, NUL included */
#define STATIONS_ADDRESS 256 /* bytes of its address, NUL included */

/* One station as the register holds it. */
struct station_entry {
	char id[WIRE_ID];             /* the ID of identity station:ID */
	char township[WIRE_TOWNSHIP]; /* the county's (registered) or first named */
	char name[STATIONS_NAME];     /* "" when not registered */
	char address[STATIONS_ADDRESS];
	int has_place; /* lat and lon given */
	double lat, lon;
	int64_t registered_ms; /* 0: never registered (township from first contact) */
	int64_t last_seen_ms;  /* 0: never spoke */
};

/*
 * Register station e->id (or change its entry): name, address, township and
 * place are all set from e (has_place 0 clears the place).  Refused (-1,
 * err names the field) when station:ID is not a station identity
 * (access_identity_parse: printable, no space, no ':'), the name or address is empty, too long or
 * holds a control character, the township is not one of this county (county_township_known), or the
 * place is outside -90..90 / -180..180. A station that already spoke keeps its records and marks;
 * its township becomes the registered one for everything it sends from now on.
 */
int stations_set(struct county_db *c, const struct station_entry *e, int64_t now_ms, char *err,
    size_t errlen);

/* The entry of station id: 1 found (out filled), 0 no such station. */
int stations_get(struct county_db *c, const char *id, struct station_entry *out, char *err,
    size_t errlen);

/* Every station the county holds, registered or not, in id order: the
 * callback gets each (nonzero from it stops the walk and is returned). */
int stations_each(struct county_db *c, int (*fn)(const struct station_entry *, void *), void *arg,
    char *err, size_t errlen);

/*
 * The township station id must be stored under when it names claimed:
 * 0 with township_out set to the registered township (claimed "" or the
 * same), 1 when the station is not registered (the caller keeps its first
 * contact rule), or 2 when it is registered in another township (err says
 * which, for the station to read).  -1 on a database error.
 */
int stations_township(struct county_db *c, const char *id, const char *claimed, char *township_out,
    size_t township_size, char *err, size_t errlen);

#endif
