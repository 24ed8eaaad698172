/*
 * util: small helpers every module needs: errors into a caller's buffer,
 * clocks, calendar dates, bounded string copies and hex.
 */
#ifndef GAS_UTIL_H
#define GAS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define UTIL_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Format a message into err (may be NULL); always returns -1 so that
 * `return err_set(err, errlen, "...")` reads as a failure. */
int err_set(char *err, size_t errlen, const char *fmt, ...) UTIL_PRINTF(3, 4);

/* Milliseconds: monotonic (for intervals) and wall clock (for records). */
int64_t time_mono_ms(void);
int64_t time_wall_ms(void);
/* Sleep for ms milliseconds (restarting after signals). */
void time_sleep_ms(int64_t ms);

/* ISO 8601 UTC text "2026-11-26T13:43:17.123Z" of wall-clock ms, for
 * programs talking to each other (the control socket).  Times a person reads
 * or types go through timetext.h (local time, with the offset). */
void time_format_iso(int64_t wall_ms, char out[32]);

/* A calendar date as days since 1970-01-01 (proleptic Gregorian), and back. */
int32_t date_to_days(int year, int month, int day);
void date_from_days(int32_t days, int *year, int *month, int *day);
/* 1 if year-month-day is a real calendar date. */
int date_valid(int year, int month, int day);
/* The day years after day (before, if negative): the same month and day,
 * 29 February becoming 28 February in a common year.  The one rule for an
 * inspection cycle, wherever one is counted. */
int32_t date_add_years(int32_t day, int years);
/* 1 if due lies more than years after day, with a day to spare (the
 * station's local day may be ahead of the county's): C12's rule, which the
 * county alerts on and the station warns its operator of. */
int date_beyond_years(int32_t day, int years, int32_t due);
/* Parse "YYYY-MM-DD" or "YYYY-MM" (day 1) into a day number; 0 or -1. */
int date_parse(const char *text, int32_t *days);
/* "YYYY-MM-DD" of a day number. */
void date_format(int32_t days, char out[11]);
/* Today in the local time zone (TZ, or the daemon's configured zone) as a
 * day number. */
int32_t date_today(void);

/* strlcpy semantics: always NUL-terminates; returns strlen(src). */
size_t str_copy(char *dst, const char *src, size_t dstlen);

/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void hex_encode(const uint8_t *in, size_t len, char *out);
/* Parse exactly outlen bytes of hex; 0 or -1. */
int hex_decode(const char *in, uint8_t *out, size_t outlen);

#endif
