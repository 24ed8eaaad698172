/*
 * stationstatus: the status text a station sends with its heartbeat, one
 * contract for who writes it and who reads it.  gasgw's uplink writes
 * "backlog N" and, with records the county refused set aside, "backlog N,
 * M set aside" (station_status_format); the county keeps it as sent.  The
 * backlog has its own field and column everywhere the status is shown
 * (gastrace stations, the console's station card), so a reader shows only
 * what the status says besides it (station_status_rest), in the person's
 * language: the set-aside count is known and worded by the reader; any
 * other text (another station program's) is shown as it came.
 */
#ifndef GAS_STATIONSTATUS_H
#define GAS_STATIONSTATUS_H

#include <stddef.h>

/* The status gasgw sends: "backlog N" or "backlog N, M set aside" (aside > 0). */
void station_status_format(char *out, size_t size, long long backlog, long long aside);

/* What a status says besides its backlog. */
enum station_status_rest {
	STATION_STATUS_NOTHING, /* only the backlog (or empty) */
	STATION_STATUS_ASIDE,   /* *aside records set aside */
	STATION_STATUS_OTHER,   /* *other: the rest, as sent */
};

/*
 * Read status, whose station reports backlog: the leading "backlog N" (N
 * the backlog; another N is not skipped) is skipped with the ", " after it;
 * what is left is nothing, "M set aside" (*aside = M) or other text
 * (*other points into status at it).
 */
enum station_status_rest station_status_rest(const char *status, long long backlog,
    long long *aside, const char **other);

#endif
