/*
 * geo: the county's townships (and stations) from a GeoJSON file, shared by
 * gascounty, which routes a grid worker's report by the township whose
 * boundary holds its coordinates (cases.h), and gasweb, which draws them
 * as the console's SVG map.
 *
 * The file is a FeatureCollection (RFC 7946): townships are Polygon or
 * MultiPolygon features with properties code (the township code, as in
 * identities township:CODE), name and name_en; stations are Point features
 * with property station.  It is the county's own configuration, but it is
 * still read with bounds (size, features, points) and every problem names
 * the file and the feature.
 *
 * geo_load keeps positions as degrees (x = longitude, y = latitude), which
 * is what geo_township_at needs.  geo_project turns them, once, into the
 * SVG map's coordinates (equirectangular, longitudes shrunk by the cosine
 * of the middle latitude: over a county, true to within a line's width);
 * after it the map is for drawing only and geo_township_at finds nothing.
 * A loaded map is read-only: any thread may read it.
 */
#ifndef COUNTY_GEO_H
#define COUNTY_GEO_H

#include <stddef.h>

#include "access.h"

struct geo_point {
	double x, y; /* degrees (lon, lat) after geo_load; the SVG's units after geo_project */
};

struct geo_ring {
	size_t count;
	struct geo_point *points;
};

struct geo_township {
	char code[ACCESS_MAX_IDENTITY];
	char name_zh[64], name_en[64];
	size_t ring_count;
	struct geo_ring *rings; /* every ring of every polygon, holes included */
	struct geo_point label; /* where its name is drawn (geo_project: centre of its box) */
};

struct geo_station {
	char id[ACCESS_MAX_IDENTITY];
	struct geo_point at;
};

struct geo_map {
	double width, height; /* the SVG's viewBox (geo_project) */
	int projected;        /* 1 after geo_project */
	size_t township_count, station_count;
	struct geo_township *townships;
	struct geo_station *stations;
};

/* Read a GeoJSON FeatureCollection (above) into *map, in degrees.  0, or
 * -1 with err naming the file and the feature; *map then holds nothing to
 * free.  On success the caller frees with geo_free. */
int geo_load(const char *path, struct geo_map *map, char *err, size_t errlen);
/* Project every point into an SVG box width wide, north up (see above). */
void geo_project(struct geo_map *map, double width);
void geo_free(struct geo_map *map);

/* Look-ups; NULL when there is none. */
const struct geo_township *geo_township(const struct geo_map *map, const char *code);
const struct geo_station *geo_station(const struct geo_map *map, const char *id);

/*
 * The township whose boundary holds (lat, lon) in degrees: a point lies in
 * a township when it is inside an odd number of its rings (so a hole is
 * outside, an island in a hole inside).  A point exactly on the border of
 * two townships goes to one of them (the first in the file that holds it
 * by the crossing rule), never both.  NULL when it lies in none, or the
 * map has been projected.
 */
const struct geo_township *geo_township_at(const struct geo_map *map, double lat, double lon);

#endif
