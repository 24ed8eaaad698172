/*
 * timetext: instants as text for people and for programs, in local time,
 * and text typed by people back into instants.
 *
 * Instants are stored and sent as Unix milliseconds (UTC) everywhere; this
 * module is the one place that turns them into text and back.  "Local" is
 * the time zone of the process: for the tools, the TZ environment variable
 * (the system's zone, /etc/localtime, when TZ is unset); for the daemons,
 * the `timezone` key of their configuration, put in force once at start-up
 * with timetext_set_zone (before any thread starts: it changes TZ).
 *
 * Every form written carries the zone's offset, so no text is ambiguous
 * whoever reads it and wherever:
 *
 *   TIMETEXT_PERSON   2026-12-04 12:38:11+08:00       tables, messages, alert texts
 *   TIMETEXT_MINUTE   2026-12-04 12:38+08:00          titles, where seconds are noise
 *   TIMETEXT_CLOCK    12:38:11.123+08:00              the foreground log of a daemon
 *   TIMETEXT_MACHINE  2026-12-04T12:38:11.123+08:00   CSV and JSON: ISO 8601 with the
 *                                                      offset, to the millisecond
 *
 * A day is a local calendar day: "2026-12-04" typed by a person in
 * Asia/Shanghai is 2026-12-04 00:00+08:00, not midnight UTC.
 *
 * A span (how long, not when) is written in its two largest units, in the
 * process's language: "3 d 4 h", "2 h 5 min", "45 s".
 */
#ifndef GAS_TIMETEXT_H
#define GAS_TIMETEXT_H

#include <stddef.h>
#include <stdint.h>

#define TIMETEXT_MAX 40 /* room for every form, NUL included */

enum timetext_form {
	TIMETEXT_PERSON,
	TIMETEXT_MINUTE,
	TIMETEXT_CLOCK,
	TIMETEXT_MACHINE,
};

/*
 * Put the zone name ("Asia/Shanghai": a name of the tz database) in force
 * for this process, or keep the environment's (TZ, else the system's) when
 * name is "".  A name the tz database does not hold, an absolute path or
 * one that climbs out of it ("..") is refused with a reason in err and
 * changes nothing.  Not thread-safe (setenv, tzset): call it before threads.
 */
int timetext_set_zone(const char *name, char *err, size_t errlen);

/* 0 if timetext_set_zone would accept name, else -1 with a reason; changes
 * nothing (a configuration check: conf.h's key check has this signature). */
int timetext_zone_check(const char *name, char *err, size_t errlen);

/* wall_ms in the local zone in the given form, always NUL-terminated. */
void timetext_format(int64_t wall_ms, enum timetext_form form, char out[TIMETEXT_MAX]);

/* The length of the span span_ms, its sign dropped (the caller words the
 * direction: "ahead", "ago"), for people: to the nearest second, then its
 * two largest units of days, hours, minutes and seconds, the rest dropped,
 * a second unit of 0 left out ("2 h", "2 h 5 min", "0 s" under half a
 * second); any int64 value, INT64_MIN included; always NUL-terminated. */
void timetext_span(int64_t span_ms, char out[TIMETEXT_MAX]);

/* The words of a span's units, each a printf format of one or two long
 * longs: "%lld d %lld h", "%lld d", "%lld h %lld min", "%lld h",
 * "%lld min %lld s", "%lld min", "%lld s" (timetext_span's are these,
 * through gettext). */
struct timetext_units {
	const char *d_h, *d, *h_min, *h, *min_s, *min, *s;
};

/* timetext_span in the words u, for a program that keeps its own
 * languages (gasweb answers each browser in its own). */
void timetext_span_in(int64_t span_ms, const struct timetext_units *u, char out[TIMETEXT_MAX]);

/*
 * Read an instant a person typed:
 *
 *   YYYY-MM-DD                         the first instant of that local day
 *   YYYY-MM-DD HH:MM[:SS[.fff]]        local time ('T' in place of the space too)
 *   ... then Z, +HH:MM, +HHMM or +HH   that offset instead of the local zone
 *
 * A local time the clocks skip (the hour lost when summer time begins) is
 * refused; one they pass twice (the hour repeated when it ends) is the
 * earlier.  On success *wall_ms holds the instant and, when whole_day is
 * not NULL, *whole_day is 1 for a bare date (so that the end of a range can
 * take the whole day: timetext_next_day) and 0 otherwise.  On failure
 * returns -1 with a reason in err; *wall_ms is unchanged.
 */
int timetext_parse(const char *text, int64_t *wall_ms, int *whole_day, char *err, size_t errlen);

/* The first instant of the local day that holds wall_ms, and of the day
 * after it (a day is not always 24 hours: summer time). */
int64_t timetext_day_start(int64_t wall_ms);
int64_t timetext_next_day(int64_t wall_ms);

/* The local calendar date of wall_ms as a day number (util.h's numbering:
 * days since 1970-01-01). */
int32_t timetext_day_number(int64_t wall_ms);

#endif
