/*
 * bench_province: many stations uploading to one gascounty at once, each
 * over its own CoAP/DTLS-PSK session on loopback, all simulated in this one
 * process (one thread and one coaplink, the client gasgw's uplink uses, per
 * station).  Each station sends one fill record a batch every INTERVAL ms
 * (its seq gap-free from 1), as stations do at a busy hour, for SECONDS,
 * and waits for the county's acknowledgement before the next.  Prints the
 * records acknowledged, records/s, and p50/p99/max of the time from a
 * station's send to the county's acknowledgement (the first batch of each
 * station, which carries the DTLS handshake, counted apart).
 * tests/bench/bench_province.sh starts the county, runs this and checks
 * that the county holds every acknowledged record (nothing lost).
 *
 * Usage: bench_province -p PORT -k KEYFILE [-n STATIONS] [-s SECONDS]
 *        [-i INTERVAL_MS]
 * Station identities are station:P0001.. with the key in KEYFILE; their
 * township is TA.  A request left unanswered is sent again (same seq), as
 * stations do.  Exit 1 if nothing was acknowledged.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "coaplink.h"
#include "log.h"
#include "psk.h"
#include "store.h"
#include "util.h"
#include "wire.h"

#define MAX_SAMPLES 4096

struct station {
	pthread_t thread;
	int index;
	int64_t acked, failed, first_us;
	int64_t *lat_us; /* steady batches' send -> ack, microseconds */
	size_t nlat;
	char err[256];
};

static struct {
	int port, stations, seconds, interval_ms;
	uint8_t key[PSK_MAX_KEY];
	size_t key_len;
	int64_t start_ms, end_ms;
} B;

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t
now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* One fill record of station s, seq seq, as a batch of one. */
static int
encode_one(const char *station, int64_t seq, uint8_t **out, size_t *len)
{
	struct wire_record r;
	struct wire_batch b;

	memset(&b, 0, sizeof(b));
	memset(&r, 0, sizeof(r));
	str_copy(b.station, station, sizeof(b.station));
	str_copy(b.township, "TA", sizeof(b.township));
	b.count = 1;
	b.records = &r;
	r.seq = seq;
	store_uuid(r.uuid);
	str_copy(r.kind, "fill", sizeof(r.kind));
	r.created_ms = time_wall_ms();
	r.has_fill = 1;
	r.fill.line = 1 + (int)(seq % 8);
	snprintf(r.fill.cylinder, sizeof(r.fill.cylinder), "%s-C%lld", station,
	    (long long)(seq % 500));
	snprintf(r.fill.buyer, sizeof(r.fill.buyer), "%064lld", (long long)(seq % 3000));
	str_copy(r.fill.buyer_masked, "330***********1234", sizeof(r.fill.buyer_masked));
	str_copy(r.fill.buyer_township, "TA", sizeof(r.fill.buyer_township));
	str_copy(r.fill.buyer_kind, "household", sizeof(r.fill.buyer_kind));
	str_copy(r.fill.operator_cert, "OP1", sizeof(r.fill.operator_cert));
	r.fill.started_ms = r.created_ms - 90000;
	r.fill.ended_ms = r.created_ms;
	r.fill.tare_kg = 15.5;
	r.fill.target_kg = 14.9;
	r.fill.gross_kg = 30.4;
	r.fill.net_kg = 14.9;
	str_copy(r.fill.result, "ok", sizeof(r.fill.result));
	return wire_encode_batch(&b, out, len);
}

static void *
station_run(void *arg)
{
	struct station *s = arg;
	struct coaplink_config cfg;
	struct coaplink_response resp;
	struct coaplink *link = NULL;
	struct wire_ack ack;
	char name[32];
	int64_t seq = 1, t0, took, next_ms;
	uint8_t *buf;
	size_t len;

	memset(&cfg, 0, sizeof(cfg));
	str_copy(cfg.host, "127.0.0.1", sizeof(cfg.host));
	cfg.port = B.port;
	snprintf(name, sizeof(name), "P%04d", s->index + 1);
	snprintf(cfg.identity, sizeof(cfg.identity), "station:%s", name);
	memcpy(cfg.key, B.key, B.key_len);
	cfg.key_len = B.key_len;
	cfg.backoff_min_ms = 200;
	cfg.backoff_max_ms = 2000;
	if (coaplink_new(&cfg, &link, s->err, sizeof(s->err)) == -1) {
		s->failed++;
		return NULL;
	}
	/* spread the stations' sends over one interval, as real ones are */
	next_ms = B.start_ms + (int64_t)s->index * B.interval_ms / B.stations;
	while (next_ms < B.end_ms) {
		int64_t wait = next_ms - time_mono_ms();

		if (wait > 0)
			usleep((useconds_t)wait * 1000);
		next_ms += B.interval_ms;
		if (encode_one(name, seq, &buf, &len) == -1) {
			snprintf(s->err, sizeof(s->err), "cannot encode a batch");
			s->failed++;
			break;
		}
		t0 = now_us();
		if (coaplink_request(link, "POST", "records", NULL, COAPLINK_FORMAT_CBOR,
		        COAPLINK_FORMAT_CBOR, buf, len, 30000, &resp, s->err,
		        sizeof(s->err)) == -1) {
			free(buf);
			s->failed++;
			continue; /* the same seq again: nothing was acknowledged */
		}
		free(buf);
		took = now_us() - t0;
		if (resp.code != 204 ||
		    wire_decode_ack(resp.data, resp.len, &ack, s->err, sizeof(s->err)) == -1 ||
		    ack.hwm != seq) {
			if (resp.code != 204)
				snprintf(s->err, sizeof(s->err), "county answered %d", resp.code);
			coaplink_response_free(&resp);
			s->failed++;
			continue;
		}
		coaplink_response_free(&resp);
		if (seq == 1)
			s->first_us = took;
		else if (s->nlat < MAX_SAMPLES)
			s->lat_us[s->nlat++] = took;
		s->acked++;
		seq++;
	}
	coaplink_free(link);
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *keyfile = NULL;
	struct station *st;
	pthread_attr_t attr;
	int64_t acked = 0, failed = 0, *all, *first;
	size_t nall = 0;
	char err[256];
	int c, n;

	B.stations = 500;
	B.seconds = 60;
	B.interval_ms = 2000;
	while ((c = getopt(argc, argv, "p:k:n:s:i:h")) != -1) {
		switch (c) {
		case 'p':
			B.port = atoi(optarg);
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'n':
			B.stations = atoi(optarg);
			break;
		case 's':
			B.seconds = atoi(optarg);
			break;
		case 'i':
			B.interval_ms = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: bench_province -p PORT -k KEYFILE [-n STATIONS] "
			                "[-s SECONDS] [-i INTERVAL_MS]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (B.port <= 0 || keyfile == NULL || B.stations < 1 || B.seconds < 1 ||
	    B.interval_ms < 1) {
		fprintf(stderr, "bench_province: -p PORT and -k KEYFILE are needed\n");
		return 2;
	}
	log_init("bench_province", 1, LOG_LEVEL_WARN);
	if (psk_load_key(keyfile, B.key, sizeof(B.key), &B.key_len, err, sizeof(err)) == -1) {
		fprintf(stderr, "bench_province: %s\n", err);
		return 2;
	}
	st = calloc((size_t)B.stations, sizeof(*st));
	all = calloc((size_t)B.stations * MAX_SAMPLES, sizeof(*all));
	first = calloc((size_t)B.stations, sizeof(*first));
	if (st == NULL || all == NULL || first == NULL)
		return 1;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	B.start_ms = time_mono_ms() + 500;
	B.end_ms = B.start_ms + (int64_t)B.seconds * 1000;
	for (n = 0; n < B.stations; n++) {
		st[n].index = n;
		st[n].lat_us = all + (size_t)n * MAX_SAMPLES;
		if (pthread_create(&st[n].thread, &attr, station_run, &st[n]) != 0) {
			fprintf(stderr, "bench_province: cannot start station %d\n", n + 1);
			return 1;
		}
	}
	for (n = 0; n < B.stations; n++)
		pthread_join(st[n].thread, NULL);
	/* the samples, packed */
	for (n = 0; n < B.stations; n++) {
		memmove(all + nall, st[n].lat_us, st[n].nlat * sizeof(*all));
		nall += st[n].nlat;
		first[n] = st[n].first_us;
		acked += st[n].acked;
		failed += st[n].failed;
		if (st[n].failed > 0 && st[n].err[0] != '\0' && failed == st[n].failed)
			fprintf(stderr, "bench_province: station %d: %s\n", n + 1, st[n].err);
	}
	qsort(all, nall, sizeof(*all), cmp64);
	qsort(first, (size_t)B.stations, sizeof(*first), cmp64);
	printf(
	    "province: %d stations, one DTLS session each, one record a batch every %d ms, %d s: "
	    "%lld records acknowledged (%.1f records/s stored, synchronous=FULL), %lld requests "
	    "without an acknowledgement (resent)\n",
	    B.stations, B.interval_ms, B.seconds, (long long)acked,
	    (double)acked / (double)B.seconds, (long long)failed);
	if (nall > 0)
		printf("  send -> acknowledgement: p50 %.2f ms, p99 %.2f ms, max %.2f ms over %zu "
		       "batches; first batch (with the handshake): p50 %.1f ms, p99 %.1f ms\n",
		    all[nall / 2] / 1000.0, all[nall * 99 / 100] / 1000.0, all[nall - 1] / 1000.0,
		    nall, first[B.stations / 2] / 1000.0, first[B.stations * 99 / 100] / 1000.0);
	printf("acked %lld\n", (long long)acked);
	free(st);
	free(all);
	free(first);
	return acked > 0 ? 0 : 1;
}
