/*
 * bench_modbus: how fast the drivers' poller reads a bus, next to what the
 * bus could carry at best.  Run against gassim (tests/bench/run.sh starts
 * it): on RTU the simulator models the wire, so the best case is, for each
 * request of a poll cycle, request and reply bytes x 11 bits / baud, plus
 * the slave turnaround, plus the t3.5 gap the master leaves before the next
 * request.  Prints the cycle rate, the limit and their ratio, and the CPU
 * time the bus thread used per thousand unit polls.
 *
 *   bench_modbus (--tcp HOST:PORT | --rtu DEV --baud B --turnaround-ms T)
 *                [--seconds S] --unit ID:PROFILE...
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "mb.h"

static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* RTU bytes of a read request and its reply. */
static int
frame_bytes(const struct mb_read_plan *r)
{
	int reply = r->table <= MB_DISCRETE ? 5 + (r->count + 7) / 8 : 5 + 2 * r->count;
	return 8 + reply;
}

int
main(int argc, char **argv)
{
	struct mb_bus_config bus;
	struct mb_poller *p;
	struct mb_profile prof;
	struct mb_poller_stats st0, st1;
	struct mb_snapshot s;
	char err[256];
	double seconds = 5, turnaround_ms = 5;
	int nunits = 0, index, nreq = 0, bytes = 0;
	uint64_t polls0 = 0, polls1 = 0, failed = 0;

	log_init("bench_modbus", 1, LOG_LEVEL_WARN);
	mb_bus_config_defaults(&bus);
	bus.kind = MB_BUS_TCP;
	if (mb_poller_new(&bus, NULL, NULL, &p, err, sizeof(err)) < 0)
		fatalx("%s", err);
	mb_poller_free(p);
	p = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *a = argv[i], *v = argv[i + 1];
		if (strcmp(a, "--tcp") == 0) {
			const char *c = strrchr(v, ':');
			if (c == NULL)
				fatalx("--tcp HOST:PORT");
			snprintf(bus.host, sizeof(bus.host), "%.*s", (int)(c - v), v);
			bus.port = atoi(c + 1);
			bus.kind = MB_BUS_TCP;
		} else if (strcmp(a, "--rtu") == 0) {
			snprintf(bus.device, sizeof(bus.device), "%s", v);
			bus.kind = MB_BUS_RTU;
		} else if (strcmp(a, "--baud") == 0) {
			bus.baud = atoi(v);
		} else if (strcmp(a, "--turnaround-ms") == 0) {
			turnaround_ms = atof(v);
		} else if (strcmp(a, "--seconds") == 0) {
			seconds = atof(v);
		} else if (strcmp(a, "--unit") == 0) {
			const char *c = strchr(v, ':');
			if (c == NULL)
				fatalx("--unit ID:PROFILE");
			if (mb_profile_load(c + 1, NULL, &prof, err, sizeof(err)) < 0)
				fatalx("%s", err);
			if (p == NULL && mb_poller_new(&bus, NULL, NULL, &p, err, sizeof(err)) < 0)
				fatalx("%s", err);
			if (mb_poller_add_unit(p, atoi(v), &prof, &index, err, sizeof(err)) < 0)
				fatalx("%s", err);
			nunits++;
		} else {
			fprintf(stderr, "usage: bench_modbus (--tcp H:P | --rtu DEV --baud B "
			                "--turnaround-ms T) [--seconds S] --unit ID:PROFILE...\n");
			return 2;
		}
	}
	if (p == NULL)
		fatalx("no --unit");
	for (int u = 0; u < nunits; u++) {
		struct mb_read_plan plan[MB_SIG_COUNT];
		int n = mb_poller_plan(p, u, plan, MB_SIG_COUNT);
		for (int r = 0; r < n; r++)
			bytes += frame_bytes(&plan[r]);
		nreq += n;
	}
	if (mb_poller_start(p, err, sizeof(err)) < 0)
		fatalx("%s", err);
	/* warm up: every unit read once */
	for (int64_t until = mono_us() + 3000000; mono_us() < until;) {
		int all = 1;
		for (int u = 0; u < nunits; u++)
			if (mb_poller_snapshot(p, u, &s) == 0 && s.seq == 0)
				all = 0;
		if (all)
			break;
		struct timespec ts = { 0, 10000000 };
		nanosleep(&ts, NULL);
	}
	mb_poller_stats(p, &st0);
	for (int u = 0; u < nunits; u++) {
		mb_poller_snapshot(p, u, &s);
		polls0 += s.polls_ok;
	}
	int64_t t0 = mono_us();
	struct timespec ts = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
	double dt = (mono_us() - t0) / 1e6;
	mb_poller_stats(p, &st1);
	for (int u = 0; u < nunits; u++) {
		mb_poller_snapshot(p, u, &s);
		polls1 += s.polls_ok;
		failed += s.polls_failed;
	}
	mb_poller_free(p);

	double polls = (double)(polls1 - polls0);
	double cycles = polls / nunits / dt;
	double cpu_per_k = polls > 0 ? (st1.cpu_ms - st0.cpu_ms) / (polls / 1000.0) : 0;
	if (bus.kind == MB_BUS_RTU) {
		int gap = bus.baud > 19200 ? 1750 : (int)(3.5 * 11 * 1e6 / bus.baud);
		double cycle_us = bytes * 11 * 1e6 / bus.baud + nreq * (turnaround_ms * 1000 + gap);
		double limit = 1e6 / cycle_us;
		printf("bench_modbus rtu %6d baud: %d units, %d requests (%d bytes) per cycle: "
		       "%.2f cycles/s (%.1f unit polls/s), limit %.2f cycles/s, ratio %.3f; "
		       "CPU %.2f ms per 1000 polls; %llu failed\n",
		    bus.baud, nunits, nreq, bytes, cycles, polls / dt, limit, cycles / limit,
		    cpu_per_k, (unsigned long long)failed);
	} else {
		printf("bench_modbus tcp loopback: %d units, %d requests per cycle: %.1f cycles/s "
		       "(%.0f unit polls/s, %.0f requests/s), limit: none on loopback (no wire); "
		       "CPU %.2f ms per 1000 polls; %llu failed\n",
		    nunits, nreq, cycles, polls / dt, (st1.requests - st0.requests) / dt, cpu_per_k,
		    (unsigned long long)failed);
	}
	return 0;
}
