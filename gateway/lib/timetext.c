/*
 * timetext: local time as text and back (timetext.h).
 *
 * The C library does the zone work: localtime_r for the fields and the
 * offset (tm_gmtoff) of an instant, mktime for the instant of local fields.
 * mktime alone cannot say that a local time does not exist or happens
 * twice, so local_instant tries it as standard and as summer time and keeps
 * only the answers whose fields come back unchanged.
 */
#include "timetext.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"
#include "util.h"

#define DEFAULT_TZDIR "/usr/share/zoneinfo"

struct fields {
	int year, month, day, hour, minute, second;
};

static const char *
zone_name(void)
{
	const char *tz = getenv("TZ");

	return tz != NULL && tz[0] != '\0' ? tz : _("the local time zone");
}

int
timetext_zone_check(const char *name, char *err, size_t errlen)
{
	const char *dir = getenv("TZDIR");
	char path[512], magic[4];
	FILE *f;
	size_t n;

	if (name[0] == '\0')
		return 0;
	if (name[0] == '/' || name[0] == ':' || strstr(name, "..") != NULL)
		return err_set(err, errlen,
		    "time zone '%s' is not a name of the tz database (e.g. Asia/Shanghai)", name);
	for (const char *c = name; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && strchr("/_+-", *c) == NULL)
			return err_set(err, errlen,
			    "time zone '%s' is not a name of the tz database (e.g. Asia/Shanghai)",
			    name);
	if (dir == NULL || dir[0] == '\0')
		dir = DEFAULT_TZDIR;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return err_set(err, errlen, "time zone '%s' is too long", name);
	/* glibc falls back to UTC for a zone it cannot read, without a word:
	 * say so here instead, and refuse what is not a zone file */
	if ((f = fopen(path, "rb")) == NULL)
		return err_set(err, errlen,
		    "time zone '%s' is unknown (no %s: is tzdata installed?)", name, path);
	n = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	if (n != sizeof(magic) || memcmp(magic, "TZif", 4) != 0)
		return err_set(err, errlen, "time zone '%s': %s is not a tz database file", name,
		    path);
	return 0;
}

int
timetext_set_zone(const char *name, char *err, size_t errlen)
{
	if (timetext_zone_check(name, err, errlen) == -1)
		return -1;
	if (name[0] != '\0' && setenv("TZ", name, 1) == -1)
		return err_set(err, errlen, "time zone '%s': %s", name, strerror(errno));
	tzset();
	return 0;
}

/* Floor division of ms into whole seconds and the milliseconds left. */
static time_t
split_ms(int64_t wall_ms, int *ms)
{
	int64_t secs = wall_ms >= 0 ? wall_ms / 1000 : -((-wall_ms + 999) / 1000);

	*ms = (int)(wall_ms - secs * 1000);
	return (time_t)secs;
}

/* "+08:00", "-03:30", "+00:00" (and seconds, for the rare historical offset). */
static void
offset_text(long gmtoff, char *out, size_t size)
{
	char sign = gmtoff < 0 ? '-' : '+';
	int a = (int)((gmtoff < 0 ? -gmtoff : gmtoff) % 86400); /* zones are within a day */

	if (a % 60 != 0)
		snprintf(out, size, "%c%02d:%02d:%02d", sign, a / 3600, a / 60 % 60, a % 60);
	else
		snprintf(out, size, "%c%02d:%02d", sign, a / 3600, a / 60 % 60);
}

void
timetext_format(int64_t wall_ms, enum timetext_form form, char out[TIMETEXT_MAX])
{
	int ms;
	time_t t = split_ms(wall_ms, &ms);
	struct tm tm;
	char off[32], text[96];

	if (localtime_r(&t, &tm) == NULL) {
		str_copy(out, "(time out of range)", TIMETEXT_MAX);
		return;
	}
	offset_text(tm.tm_gmtoff, off, sizeof(off));
	switch (form) {
	case TIMETEXT_MINUTE:
		snprintf(text, sizeof(text), "%04d-%02d-%02d %02d:%02d%s", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, off);
		break;
	case TIMETEXT_CLOCK:
		snprintf(text, sizeof(text), "%02d:%02d:%02d.%03d%s", tm.tm_hour, tm.tm_min,
		    tm.tm_sec, ms, off);
		break;
	case TIMETEXT_MACHINE:
		snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03d%s",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		    ms, off);
		break;
	case TIMETEXT_PERSON:
	default:
		snprintf(text, sizeof(text), "%04d-%02d-%02d %02d:%02d:%02d%s", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, off);
		break;
	}
	str_copy(out, text, TIMETEXT_MAX);
}

void
timetext_span(int64_t span_ms, char out[TIMETEXT_MAX])
{
	const struct timetext_units u = { _("%lld d %lld h"), _("%lld d"), _("%lld h %lld min"),
		_("%lld h"), _("%lld min %lld s"), _("%lld min"), _("%lld s") };

	timetext_span_in(span_ms, &u, out);
}

void
timetext_span_in(int64_t span_ms, const struct timetext_units *u, char out[TIMETEXT_MAX])
{
	/* the magnitude, without negating INT64_MIN, to the nearest second
	 * (7,199.9 s is "2 h", not "1 h 59 min"), without overflowing at
	 * INT64_MAX */
	long long ms = span_ms == INT64_MIN ? INT64_MAX : span_ms < 0 ? -span_ms : span_ms;
	long long s = ms / 1000 + (ms % 1000 >= 500);
	long long d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;
	char text[96];

	s %= 60;
	if (d > 0 && h > 0)
		snprintf(text, sizeof(text), u->d_h, d, h);
	else if (d > 0)
		snprintf(text, sizeof(text), u->d, d);
	else if (h > 0 && m > 0)
		snprintf(text, sizeof(text), u->h_min, h, m);
	else if (h > 0)
		snprintf(text, sizeof(text), u->h, h);
	else if (m > 0 && s > 0)
		snprintf(text, sizeof(text), u->min_s, m, s);
	else if (m > 0)
		snprintf(text, sizeof(text), u->min, m);
	else
		snprintf(text, sizeof(text), u->s, s);
	str_copy(out, text, TIMETEXT_MAX);
}

static int
same_fields(const struct tm *tm, const struct fields *f)
{
	return tm->tm_year + 1900 == f->year && tm->tm_mon + 1 == f->month &&
	       tm->tm_mday == f->day && tm->tm_hour == f->hour && tm->tm_min == f->minute &&
	       tm->tm_sec == f->second;
}

/*
 * The instant of local fields f: tried as standard time and as summer time;
 * an answer counts only if the instant reads back as f.  None: the clocks
 * skip f (-1).  Two: f happens twice, the earlier is taken.
 */
static int
local_instant(const struct fields *f, time_t *out)
{
	struct tm tm, back;
	time_t t;
	int isdst, found = 0;

	for (isdst = 0; isdst <= 1; isdst++) {
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = f->year - 1900;
		tm.tm_mon = f->month - 1;
		tm.tm_mday = f->day;
		tm.tm_hour = f->hour;
		tm.tm_min = f->minute;
		tm.tm_sec = f->second;
		tm.tm_isdst = isdst;
		t = mktime(&tm);
		if (localtime_r(&t, &back) == NULL || !same_fields(&back, f))
			continue;
		if (!found || t < *out)
			*out = t;
		found = 1;
	}
	return found ? 0 : -1;
}

/* The first instant of a local calendar date (days: util.h's numbering). */
static int64_t
date_start(int32_t days)
{
	struct fields f = { 0 };
	struct tm tm;
	time_t t;

	date_from_days(days, &f.year, &f.month, &f.day);
	if (local_instant(&f, &t) == 0)
		return (int64_t)t * 1000;
	/* midnight itself is skipped (a zone that changes its clocks at
	 * 00:00): the day starts where mktime lands, just after the gap */
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = f.year - 1900;
	tm.tm_mon = f.month - 1;
	tm.tm_mday = f.day;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	return (int64_t)t * 1000;
}

int32_t
timetext_day_number(int64_t wall_ms)
{
	int ms;
	time_t t = split_ms(wall_ms, &ms);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return (int32_t)(wall_ms / 86400000);
	return date_to_days(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

int64_t
timetext_day_start(int64_t wall_ms)
{
	return date_start(timetext_day_number(wall_ms));
}

int64_t
timetext_next_day(int64_t wall_ms)
{
	return date_start(timetext_day_number(wall_ms) + 1);
}

/* n decimal digits at *p into *out; advances *p. */
static int
digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* The reason for a text that is not a time at all. */
static int
not_a_time(const char *text, char *err, size_t errlen)
{
	return err_set(err, errlen,
	    _("'%s' is not a time: write YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS], local time, or either with Z or +HH:MM"),
	    text);
}

int
timetext_parse(const char *text, int64_t *wall_ms, int *whole_day, char *err, size_t errlen)
{
	const char *p = text;
	struct fields f = { 0 };
	int ms = 0, has_offset = 0, offset_s = 0, oh, om = 0, scale;
	time_t t;

	if (digits(&p, 4, &f.year) == -1 || *p++ != '-' || digits(&p, 2, &f.month) == -1 ||
	    *p++ != '-' || digits(&p, 2, &f.day) == -1)
		return not_a_time(text, err, errlen);
	if (!date_valid(f.year, f.month, f.day))
		return err_set(err, errlen, _("'%.10s' is not a date of the calendar"), text);
	if (*p == '\0') {
		*wall_ms = date_start(date_to_days(f.year, f.month, f.day));
		if (whole_day != NULL)
			*whole_day = 1;
		return 0;
	}
	if (*p != 'T' && *p != ' ')
		return not_a_time(text, err, errlen);
	p++;
	if (digits(&p, 2, &f.hour) == -1 || *p++ != ':' || digits(&p, 2, &f.minute) == -1)
		return not_a_time(text, err, errlen);
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &f.second) == -1)
			return not_a_time(text, err, errlen);
		if (*p == '.' && isdigit((unsigned char)p[1])) {
			/* a fraction: milliseconds kept, finer digits dropped */
			for (p++, scale = 100; isdigit((unsigned char)*p); p++, scale /= 10)
				ms += (*p - '0') * scale;
		}
	}
	if (*p == 'Z' || *p == 'z') {
		has_offset = 1;
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1;

		if (digits(&p, 2, &oh) == -1)
			return err_set(err, errlen, _("'%s': the offset is +HH:MM or Z"), text);
		if (*p == ':')
			p++;
		if (isdigit((unsigned char)*p) && digits(&p, 2, &om) == -1)
			return err_set(err, errlen, _("'%s': the offset is +HH:MM or Z"), text);
		if (oh > 23 || om > 59)
			return err_set(err, errlen, _("'%s': the offset is out of range"), text);
		has_offset = 1;
		offset_s = sign * (oh * 3600 + om * 60);
	}
	if (*p != '\0')
		return not_a_time(text, err, errlen);
	if (f.hour > 23 || f.minute > 59 || f.second > 59)
		return err_set(err, errlen, _("'%s': the time of day is out of range"), text);
	if (whole_day != NULL)
		*whole_day = 0;
	if (has_offset) {
		*wall_ms = ((int64_t)date_to_days(f.year, f.month, f.day) * 86400 + f.hour * 3600 +
		               f.minute * 60 + f.second - offset_s) *
		               1000 +
		           ms;
		return 0;
	}
	if (local_instant(&f, &t) == -1)
		return err_set(err, errlen,
		    _("'%s' does not exist in %s (the clocks skip it when summer time begins)"),
		    text, zone_name());
	*wall_ms = (int64_t)t * 1000 + ms;
	return 0;
}
