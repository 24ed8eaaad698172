/*
 * util: errors into a caller's buffer, clocks, calendar arithmetic, bounded
 * strings and hex.  Calendar dates are handled as day numbers so that
 * "inspection due" and "service life" rules are plain integer comparisons.
 */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int
err_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int64_t
time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
time_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
time_sleep_ms(int64_t ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

void
time_format_iso(int64_t wall_ms, char out[32])
{
	int64_t secs = wall_ms >= 0 ? wall_ms / 1000 : (wall_ms - 999) / 1000;
	int ms = (int)(wall_ms - secs * 1000);
	int32_t days = (int32_t)(secs >= 0 ? secs / 86400 : (secs - 86399) / 86400);
	int rem = (int)(secs - (int64_t)days * 86400);
	int y, m, d;

	char text[96];

	date_from_days(days, &y, &m, &d);
	snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, rem / 3600,
	    rem / 60 % 60, rem % 60, ms);
	str_copy(out, text, 32);
}

/* Days from civil, after Howard Hinnant's public-domain derivation. */
int32_t
date_to_days(int year, int month, int day)
{
	int y = year - (month <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (unsigned)((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1);
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int32_t)doe - 719468;
}

void
date_from_days(int32_t days, int *year, int *month, int *day)
{
	int32_t z = days + 719468;
	int32_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int y = (int)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;

	*year = y + (m <= 2);
	*month = (int)m;
	*day = (int)d;
}

int32_t
date_add_years(int32_t day, int years)
{
	int y, m, d;

	date_from_days(day, &y, &m, &d);
	y += years;
	if (m == 2 && d == 29 && !date_valid(y, 2, 29))
		d = 28;
	return date_to_days(y, m, d);
}

int
date_beyond_years(int32_t day, int years, int32_t due)
{
	return due > date_add_years(day, years) + 1;
}

int
date_valid(int year, int month, int day)
{
	static const int month_days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap, limit;

	if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1)
		return 0;
	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	limit = month_days[month - 1] + (month == 2 && leap);
	return day <= limit;
}

int
date_parse(const char *text, int32_t *days)
{
	int y, m, d = 1, n = 0;
	size_t len = strlen(text);

	if (len == 7) {
		if (sscanf(text, "%4d-%2d%n", &y, &m, &n) != 2 || n != 7)
			return -1;
	} else if (len == 10) {
		if (sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
			return -1;
	} else {
		return -1;
	}
	if (text[4] != '-' || (len == 10 && text[7] != '-'))
		return -1;
	if (!date_valid(y, m, d))
		return -1;
	*days = date_to_days(y, m, d);
	return 0;
}

void
date_format(int32_t days, char out[11])
{
	int y, m, d;

	char text[48];

	date_from_days(days, &y, &m, &d);
	snprintf(text, sizeof(text), "%04d-%02d-%02d", y, m, d);
	str_copy(out, text, 11);
}

int32_t
date_today(void)
{
	time_t now = time(NULL);
	struct tm tm;

	/* the local calendar date: an inspection due "today" in Beijing is
	 * due from 00:00 +08:00, not from 08:00 when UTC's date turns */
	if (localtime_r(&now, &tm) == NULL)
		return (int32_t)(time_wall_ms() / 86400000);
	return date_to_days(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

size_t
str_copy(char *dst, const char *src, size_t dstlen)
{
	size_t len = strlen(src);

	if (dstlen > 0) {
		size_t n = len < dstlen - 1 ? len : dstlen - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

void
hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hex_decode(const char *in, uint8_t *out, size_t outlen)
{
	for (size_t i = 0; i < outlen; i++) {
		int hi = hex_value(in[2 * i]), lo;

		if (hi < 0)
			return -1;
		lo = hex_value(in[2 * i + 1]);
		if (lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return in[2 * outlen] == '\0' ? 0 : -1;
}
