/*
 * geo: the county's townships and stations from a GeoJSON file (geo.h says
 * what it promises): read with jansson within bounds, kept in degrees for
 * routing, projected on request for the console's SVG map.
 *
 * The projection is equirectangular with longitudes shrunk by the cosine of
 * the middle latitude: over a county (tens of km) that is true to within
 * a line's width, and needs no map library or tile service.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "geo.h"
#include "util.h"

#define GEO_FILE_MAX (8u << 20)
#define GEO_FEATURES_MAX 2000
#define GEO_POINTS_MAX 200000

struct lonlat {
	double lon, lat;
};

void
geo_free(struct geo_map *map)
{
	size_t i, j;

	for (i = 0; i < map->township_count; i++) {
		for (j = 0; j < map->townships[i].ring_count; j++)
			free(map->townships[i].rings[j].points);
		free(map->townships[i].rings);
	}
	free(map->townships);
	free(map->stations);
	memset(map, 0, sizeof(*map));
}

/* A [lon, lat] position (RFC 7946 order). */
static int
position(json_t *p, struct lonlat *out)
{
	if (!json_is_array(p) || json_array_size(p) < 2 || !json_is_number(json_array_get(p, 0)) ||
	    !json_is_number(json_array_get(p, 1)))
		return -1;
	out->lon = json_number_value(json_array_get(p, 0));
	out->lat = json_number_value(json_array_get(p, 1));
	if (!(out->lon >= -180 && out->lon <= 180 && out->lat >= -90 && out->lat <= 90))
		return -1;
	return 0;
}

/* The raw rings of a township (lon/lat kept in x/y until projection). */
static int
add_ring(struct geo_township *t, json_t *ring, size_t *points)
{
	struct geo_ring *grown, *r;
	size_t i, n = json_is_array(ring) ? json_array_size(ring) : 0;
	struct lonlat ll;

	if (n < 4)
		return -1;
	if (*points + n > GEO_POINTS_MAX)
		return -1;
	grown = realloc(t->rings, (t->ring_count + 1) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	t->rings = grown;
	r = &t->rings[t->ring_count];
	r->points = calloc(n, sizeof(*r->points));
	if (r->points == NULL)
		return -1;
	r->count = n;
	t->ring_count++;
	for (i = 0; i < n; i++) {
		if (position(json_array_get(ring, i), &ll) == -1)
			return -1;
		r->points[i].x = ll.lon;
		r->points[i].y = ll.lat;
	}
	*points += n;
	return 0;
}

static int
add_polygon(struct geo_township *t, json_t *polygon, size_t *points)
{
	size_t i;

	if (!json_is_array(polygon) || json_array_size(polygon) == 0)
		return -1;
	for (i = 0; i < json_array_size(polygon); i++)
		if (add_ring(t, json_array_get(polygon, i), points) == -1)
			return -1;
	return 0;
}

static const char *
text_property(json_t *props, const char *name)
{
	json_t *v = json_object_get(props, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int
feature(json_t *f, struct geo_map *map, size_t *points, char *why, size_t whylen)
{
	json_t *geometry = json_object_get(f, "geometry"),
	       *props = json_object_get(f, "properties");
	json_t *coords = json_object_get(geometry, "coordinates");
	const char *type = text_property(geometry, "type"), *code, *name, *name_en, *station;
	struct lonlat ll;
	size_t i;

	if (!json_is_object(props) || type == NULL || coords == NULL)
		return err_set(why, whylen, "needs properties and a geometry with coordinates");
	station = text_property(props, "station");
	if (station != NULL) {
		struct geo_station *grown;

		if (strcmp(type, "Point") != 0 || position(coords, &ll) == -1)
			return err_set(why, whylen, "a station is a Point [lon, lat]");
		if (station[0] == '\0' || strlen(station) >= ACCESS_MAX_IDENTITY)
			return err_set(why, whylen, "station id empty or too long");
		grown = realloc(map->stations, (map->station_count + 1) * sizeof(*grown));
		if (grown == NULL)
			return err_set(why, whylen, "out of memory");
		map->stations = grown;
		memset(&grown[map->station_count], 0, sizeof(*grown));
		str_copy(grown[map->station_count].id, station, ACCESS_MAX_IDENTITY);
		grown[map->station_count].at.x = ll.lon;
		grown[map->station_count].at.y = ll.lat;
		map->station_count++;
		return 0;
	}
	code = text_property(props, "code");
	name = text_property(props, "name");
	name_en = text_property(props, "name_en");
	if (code == NULL || code[0] == '\0' || strlen(code) >= ACCESS_MAX_IDENTITY)
		return err_set(why, whylen, "a township needs properties.code (its township code)");
	if (geo_township(map, code) != NULL)
		return err_set(why, whylen, "township %s appears twice", code);
	{
		struct geo_township *grown, *t;

		grown = realloc(map->townships, (map->township_count + 1) * sizeof(*grown));
		if (grown == NULL)
			return err_set(why, whylen, "out of memory");
		map->townships = grown;
		t = &grown[map->township_count++];
		memset(t, 0, sizeof(*t));
		str_copy(t->code, code, sizeof(t->code));
		str_copy(t->name_zh, name != NULL ? name : code, sizeof(t->name_zh));
		str_copy(t->name_en, name_en != NULL ? name_en : t->name_zh, sizeof(t->name_en));
		if (strcmp(type, "Polygon") == 0) {
			if (add_polygon(t, coords, points) == -1)
				return err_set(why, whylen,
				    "a Polygon is rings of at least 4 [lon, lat] positions");
		} else if (strcmp(type, "MultiPolygon") == 0 && json_is_array(coords)) {
			for (i = 0; i < json_array_size(coords); i++)
				if (add_polygon(t, json_array_get(coords, i), points) == -1)
					return err_set(why, whylen,
					    "a MultiPolygon is Polygons of rings of [lon, lat]");
		} else {
			return err_set(why, whylen, "a township is a Polygon or a MultiPolygon");
		}
	}
	return 0;
}

void
geo_project(struct geo_map *map, double width)
{
	double minlon = 180, maxlon = -180, minlat = 90, maxlat = -90, k, shrink;
	size_t i, j, p;

#define SEE(pt)                                                                                    \
	do {                                                                                       \
		if ((pt).x < minlon)                                                               \
			minlon = (pt).x;                                                           \
		if ((pt).x > maxlon)                                                               \
			maxlon = (pt).x;                                                           \
		if ((pt).y < minlat)                                                               \
			minlat = (pt).y;                                                           \
		if ((pt).y > maxlat)                                                               \
			maxlat = (pt).y;                                                           \
	} while (0)
	for (i = 0; i < map->township_count; i++)
		for (j = 0; j < map->townships[i].ring_count; j++)
			for (p = 0; p < map->townships[i].rings[j].count; p++)
				SEE(map->townships[i].rings[j].points[p]);
	for (i = 0; i < map->station_count; i++)
		SEE(map->stations[i].at);
#undef SEE
	shrink = cos((minlat + maxlat) / 2 * M_PI / 180);
	if (maxlon <= minlon || maxlat <= minlat) {
		maxlon = minlon + 0.01;
		maxlat = minlat + 0.01;
	}
	k = (width - 40) / ((maxlon - minlon) * shrink);
	map->width = width;
	map->height = (maxlat - minlat) * k + 40;
#define PROJECT(pt)                                                                                \
	do {                                                                                       \
		(pt).x = 20 + ((pt).x - minlon) * shrink * k;                                      \
		(pt).y = 20 + (maxlat - (pt).y) * k;                                               \
	} while (0)
	for (i = 0; i < map->township_count; i++) {
		struct geo_township *t = &map->townships[i];
		double x0 = 1e9, x1 = -1e9, y0 = 1e9, y1 = -1e9;

		for (j = 0; j < t->ring_count; j++)
			for (p = 0; p < t->rings[j].count; p++) {
				PROJECT(t->rings[j].points[p]);
				if (j == 0) {
					x0 = fmin(x0, t->rings[j].points[p].x);
					x1 = fmax(x1, t->rings[j].points[p].x);
					y0 = fmin(y0, t->rings[j].points[p].y);
					y1 = fmax(y1, t->rings[j].points[p].y);
				}
			}
		t->label.x = (x0 + x1) / 2;
		t->label.y = (y0 + y1) / 2;
	}
	for (i = 0; i < map->station_count; i++)
		PROJECT(map->stations[i].at);
#undef PROJECT
	map->projected = 1;
}

int
geo_load(const char *path, struct geo_map *map, char *err, size_t errlen)
{
	json_t *root = NULL, *features;
	json_error_t jerr;
	struct stat st;
	char why[160];
	size_t i, points = 0;
	int rc = -1;

	memset(map, 0, sizeof(*map));
	if (stat(path, &st) == -1)
		return err_set(err, errlen, "%s: cannot read it", path);
	if (st.st_size > (off_t)GEO_FILE_MAX)
		return err_set(err, errlen, "%s: larger than %u bytes", path, GEO_FILE_MAX);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return err_set(err, errlen, "%s:%d: %s", path, jerr.line, jerr.text);
	features = json_object_get(root, "features");
	if (!json_is_array(features) || !json_is_string(json_object_get(root, "type")) ||
	    strcmp(json_string_value(json_object_get(root, "type")), "FeatureCollection") != 0) {
		err_set(err, errlen, "%s: not a GeoJSON FeatureCollection", path);
		goto out;
	}
	if (json_array_size(features) > GEO_FEATURES_MAX) {
		err_set(err, errlen, "%s: more than %d features", path, GEO_FEATURES_MAX);
		goto out;
	}
	for (i = 0; i < json_array_size(features); i++) {
		if (feature(json_array_get(features, i), map, &points, why, sizeof(why)) == -1) {
			err_set(err, errlen, "%s: feature %zu: %s", path, i + 1, why);
			goto out;
		}
	}
	if (map->township_count == 0) {
		err_set(err, errlen, "%s: no township (a feature with properties.code)", path);
		goto out;
	}
	rc = 0;
out:
	json_decref(root);
	if (rc == -1)
		geo_free(map);
	return rc;
}

const struct geo_township *
geo_township(const struct geo_map *map, const char *code)
{
	size_t i;

	for (i = 0; i < map->township_count; i++)
		if (strcmp(map->townships[i].code, code) == 0)
			return &map->townships[i];
	return NULL;
}

const struct geo_station *
geo_station(const struct geo_map *map, const char *id)
{
	size_t i;

	for (i = 0; i < map->station_count; i++)
		if (strcmp(map->stations[i].id, id) == 0)
			return &map->stations[i];
	return NULL;
}

/* 1 if (x, y) is inside ring r by the crossing rule: an edge counts when
 * it spans y with its lower end included and its upper end excluded, so a
 * horizontal ray through a vertex is counted once. */
static int
ring_holds(const struct geo_ring *r, double x, double y)
{
	size_t i, j;
	int inside = 0;

	for (i = 0, j = r->count - 1; i < r->count; j = i++) {
		const struct geo_point *a = &r->points[i], *b = &r->points[j];

		if ((a->y > y) != (b->y > y) &&
		    x < (b->x - a->x) * (y - a->y) / (b->y - a->y) + a->x)
			inside = !inside;
	}
	return inside;
}

const struct geo_township *
geo_township_at(const struct geo_map *map, double lat, double lon)
{
	size_t i, j;
	int inside;

	if (map->projected)
		return NULL;
	for (i = 0; i < map->township_count; i++) {
		inside = 0;
		for (j = 0; j < map->townships[i].ring_count; j++)
			if (ring_holds(&map->townships[i].rings[j], lon, lat))
				inside = !inside;
		if (inside)
			return &map->townships[i];
	}
	return NULL;
}
