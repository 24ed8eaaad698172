/*
 * mbprobe: a test-only Modbus master built on the drivers' poller, so that
 * integration tests (and the benchmark) drive the real mb_poller / mb_link
 * code against gassim.  Usage:
 *
 *   mbprobe BUS [options] --unit ID:PROFILE ... STEP...
 *   BUS:     --tcp HOST:PORT | --rtu DEVICE [--baud B] [--parity N|E|O]
 *   options: --timeout-ms MS (response timeout), --interval-ms MS (per-unit
 *            poll interval), --gap-us US (RTU silent interval), --rs485, --profiles DIR,
 * --no-backoff (keep asking a failing unit at the normal rate) STEP:    read wait (3 s max) for one
 * read of every unit, print "ID SIGNAL VALUE" per signal poll SECONDS               poll, then
 * print per unit "ID ok N failed M rate R kind K" write ID SIGNAL VALUE      a synchronous poller
 * write heartbeat ID COUNT MS      COUNT heartbeats, MS apart sleep MS stats "requests N failures N
 * cpu_ms X" Exit 0 if every step worked, 1 if one failed, 2 on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mb.h"

static const char *const kind_names[] = { "none", "timeout", "exception", "crc", "reply", "link",
	"other" };

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(int64_t ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int
usage(void)
{
	fprintf(stderr,
	    "usage: mbprobe --tcp HOST:PORT | --rtu DEV [--baud B] [--parity P] "
	    "[--timeout-ms MS] [--interval-ms MS] [--profiles DIR] --unit ID:PROFILE ... "
	    "STEP...\n");
	return 2;
}

static int
index_of(struct mb_poller *p, const int *ids, const char *text)
{
	int id = atoi(text);

	for (int i = 0; i < mb_poller_unit_count(p); i++)
		if (ids[i] == id)
			return i;
	fprintf(stderr, "mbprobe: no unit %s\n", text);
	exit(2);
}

int
main(int argc, char **argv)
{
	struct mb_bus_config bus;
	struct mb_poller *p = NULL;
	const char *profiles = NULL;
	int ids[MB_MAX_UNITS];
	struct mb_profile prof[MB_MAX_UNITS];
	int nunits = 0, i, rc = 0;
	char err[256];

	log_init("mbprobe", 1, getenv("MBPROBE_DEBUG") ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN);
	mb_bus_config_defaults(&bus);
	bus.kind = MB_BUS_TCP;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--tcp") == 0 && v) {
			const char *c = strrchr(v, ':');
			if (c == NULL)
				return usage();
			bus.kind = MB_BUS_TCP;
			snprintf(bus.host, sizeof(bus.host), "%.*s", (int)(c - v), v);
			bus.port = atoi(c + 1);
		} else if (strcmp(a, "--rtu") == 0 && v) {
			bus.kind = MB_BUS_RTU;
			snprintf(bus.device, sizeof(bus.device), "%s", v);
		} else if (strcmp(a, "--baud") == 0 && v) {
			bus.baud = atoi(v);
		} else if (strcmp(a, "--parity") == 0 && v) {
			bus.parity = v[0];
		} else if (strcmp(a, "--timeout-ms") == 0 && v) {
			bus.response_timeout_ms = atoi(v);
		} else if (strcmp(a, "--rs485") == 0) {
			bus.rs485 = 1;
			i--;
		} else if (strcmp(a, "--gap-us") == 0 && v) {
			bus.gap_us = atoi(v);
		} else if (strcmp(a, "--interval-ms") == 0 && v) {
			bus.poll_interval_ms = atoi(v);
		} else if (strcmp(a, "--no-backoff") == 0) {
			/* for tests that show what back-off buys: never skip a failing unit */
			bus.unit_failures = 1 << 30;
			i--;
		} else if (strcmp(a, "--profiles") == 0 && v) {
			profiles = v;
		} else if (strcmp(a, "--unit") == 0 && v) {
			const char *c = strchr(v, ':');
			if (c == NULL || nunits == MB_MAX_UNITS)
				return usage();
			ids[nunits] = atoi(v);
			if (mb_profile_load(c + 1, profiles, &prof[nunits], err, sizeof(err)) < 0) {
				fprintf(stderr, "mbprobe: %s\n", err);
				return 2;
			}
			nunits++;
		} else {
			break;
		}
		i++;
	}
	if (nunits == 0 || i >= argc)
		return usage();
	if (mb_poller_new(&bus, NULL, NULL, &p, err, sizeof(err)) < 0) {
		fprintf(stderr, "mbprobe: %s\n", err);
		return 1;
	}
	for (int u = 0; u < nunits; u++) {
		int index;
		if (mb_poller_add_unit(p, ids[u], &prof[u], &index, err, sizeof(err)) < 0) {
			fprintf(stderr, "mbprobe: %s\n", err);
			return 2;
		}
	}
	if (mb_poller_start(p, err, sizeof(err)) < 0) {
		fprintf(stderr, "mbprobe: %s\n", err);
		return 1;
	}

	for (; i < argc; i++) {
		const char *step = argv[i];
		if (strcmp(step, "read") == 0) {
			int64_t until = mono_ms() + 3000;
			struct mb_snapshot s;
			uint64_t seq0[MB_MAX_UNITS];
			for (int u = 0; u < nunits; u++) {
				mb_poller_snapshot(p, u, &s);
				seq0[u] = s.seq;
			}
			for (int u = 0; u < nunits; u++) {
				/* a fresh read, taken after this step began */
				while (mb_poller_snapshot(p, u, &s) == 0 && s.seq < seq0[u] + 2 &&
				       mono_ms() < until)
					sleep_ms(5);
				if (s.seq < seq0[u] + 2) {
					printf("%d error %s %s\n", ids[u],
					    kind_names[mb_error_kind(s.last_errno)],
					    mb_strerror(s.last_errno));
					rc = 1;
					continue;
				}
				for (int sig = 0; sig < MB_SIG_COUNT; sig++)
					if (s.present & (1u << sig))
						printf("%d %s %.6g\n", ids[u], mb_signal_name(sig),
						    s.value[sig]);
			}
		} else if (strcmp(step, "poll") == 0 && i + 1 < argc) {
			double secs = atof(argv[++i]);
			struct mb_snapshot a[MB_MAX_UNITS], b;
			for (int u = 0; u < nunits; u++)
				mb_poller_snapshot(p, u, &a[u]);
			int64_t t0 = mono_ms();
			sleep_ms((int64_t)(secs * 1000));
			double dt = (mono_ms() - t0) / 1000.0;
			for (int u = 0; u < nunits; u++) {
				mb_poller_snapshot(p, u, &b);
				printf("%d ok %llu failed %llu rate %.2f kind %s\n", ids[u],
				    (unsigned long long)(b.polls_ok - a[u].polls_ok),
				    (unsigned long long)(b.polls_failed - a[u].polls_failed),
				    (b.polls_ok - a[u].polls_ok) / dt,
				    kind_names[mb_error_kind(b.last_errno)]);
			}
		} else if (strcmp(step, "write") == 0 && i + 3 < argc) {
			int u = index_of(p, ids, argv[i + 1]);
			int sig = mb_signal_from_name(argv[i + 2]);
			double v = atof(argv[i + 3]);
			i += 3;
			if (sig < 0)
				return usage();
			if (mb_poller_write(p, u, sig, v, 0, 0, err, sizeof(err)) < 0) {
				printf("write error %s %s\n", kind_names[mb_error_kind(errno)],
				    err);
				rc = 1;
			} else {
				printf("write ok\n");
			}
		} else if (strcmp(step, "heartbeat") == 0 && i + 3 < argc) {
			int u = index_of(p, ids, argv[i + 1]);
			int count = atoi(argv[i + 2]), gap = atoi(argv[i + 3]);
			i += 3;
			for (int k = 0; k < count; k++) {
				if (mb_poller_heartbeat(p, u, 0, err, sizeof(err)) < 0) {
					printf("heartbeat error %s\n", err);
					rc = 1;
				}
				sleep_ms(gap);
			}
		} else if (strcmp(step, "sleep") == 0 && i + 1 < argc) {
			sleep_ms(atoi(argv[++i]));
		} else if (strcmp(step, "stats") == 0) {
			struct mb_poller_stats st;
			mb_poller_stats(p, &st);
			printf("requests %llu failures %llu reopens %llu cpu_ms %.3f\n",
			    (unsigned long long)st.requests, (unsigned long long)st.failures,
			    (unsigned long long)st.reopens, st.cpu_ms);
		} else {
			fprintf(stderr, "mbprobe: bad step '%s'\n", step);
			rc = 2;
			break;
		}
		fflush(stdout);
	}
	mb_poller_free(p);
	return rc;
}
