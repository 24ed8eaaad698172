/*
 * wallclock: a station whose clock reads another time, for tests only.  It
 * is not part of any shipped program: it is built as build/tests/wallclock.so
 * and a test loads it into a real program with LD_PRELOAD, beside
 * GAS_TEST_CLOCK:
 *
 *   LD_PRELOAD=$BUILD/tests/wallclock.so GAS_TEST_CLOCK=-94608000 $BUILD/gasgw ...
 *   LD_PRELOAD=$BUILD/tests/wallclock.so GAS_TEST_CLOCK=@946684800 $BUILD/gasgw ...
 *
 * A number moves the wall clock (CLOCK_REALTIME and its coarse form,
 * gettimeofday, time) by that many seconds; @SECONDS sets it to that Unix
 * time at start, from which it runs on.  The monotonic clocks are left
 * alone, as a real clock that was set wrong leaves them.  GAS_TEST_CLOCK
 * unset or empty: the shim does nothing.  Malformed: it says so and the
 * process exits 2 before main.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int (*real_clock_gettime)(clockid_t, struct timespec *);
static long long shift_s; /* added to the real wall clock */

__attribute__((constructor)) static void
wallclock_init(void)
{
	const char *spec = getenv("GAS_TEST_CLOCK");
	struct timespec now;
	char *end;
	long long v;

	real_clock_gettime =
	    (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	if (spec == NULL || spec[0] == '\0' || real_clock_gettime == NULL)
		return;
	errno = 0;
	v = strtoll(spec[0] == '@' ? spec + 1 : spec, &end, 10);
	if (errno != 0 || *end != '\0' || end == spec + (spec[0] == '@')) {
		fprintf(stderr, "wallclock: GAS_TEST_CLOCK '%s' is neither SECONDS nor @SECONDS\n",
		    spec);
		_exit(2);
	}
	if (spec[0] == '@') {
		real_clock_gettime(CLOCK_REALTIME, &now);
		v -= (long long)now.tv_sec;
	}
	shift_s = v;
}

int
clock_gettime(clockid_t id, struct timespec *ts)
{
	int rc;

	if (real_clock_gettime == NULL)
		real_clock_gettime =
		    (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	rc = real_clock_gettime(id, ts);
	if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
		ts->tv_sec += (time_t)shift_s;
	return rc;
}

int
gettimeofday(struct timeval *tv, void *tz)
{
	struct timespec ts;

	(void)tz; /* glibc declares tv nonnull */
	clock_gettime(CLOCK_REALTIME, &ts);
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

time_t
time(time_t *out)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (out != NULL)
		*out = ts.tv_sec;
	return ts.tv_sec;
}
