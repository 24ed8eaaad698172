/*
 * uplink_run: run the gateway's uplink (uplink_start: the thread that serves
 * the station database, and the uplink process it starts, which is this
 * binary again with --uplink-process) against a county server without the
 * rest of gasgw, for integration tests and benches.
 *
 *   uplink_run -d DB -H HOST -p PORT -s STATION -k PSKFILE [-t TOWNSHIP]
 *              [-b BATCH] [-r RATE] [-a ACK_TIMEOUT_MS] [-m MAX_RETRANSMIT]
 *              [-B HEARTBEAT_S] [-g REGISTRY_S] [-w SECONDS] [-x]
 *
 * With -x it exits 0 as soon as the outbox is empty (1 if -w SECONDS pass
 * first) and prints "drained N records in S s (R records/s)"; without it,
 * it runs until SIGTERM or -w SECONDS.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "psk.h"
#include "uplink.h"
#include "uplinkproc.h"
#include "util.h"

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

int
main(int argc, char **argv)
{
	struct uplink_config c;
	struct uplink_status st;
	struct uplink *u = NULL;
	const char *keyfile = NULL;
	char err[256];
	int ch, until_empty = 0, rc = 0, verbose = 0;
	long wait_s = 0;
	int64_t start, initial, deadline;

	if (argc > 1 && strcmp(argv[1], UPLINKPROC_FLAG) == 0)
		return uplinkproc_main();
	memset(&c, 0, sizeof(c));
	str_copy(c.user, "nobody", sizeof(c.user));
	c.log_foreground = 1;
	str_copy(c.host, "127.0.0.1", sizeof(c.host));
	c.port = 5684;
	c.batch = 200;
	c.rate = 0;
	while ((ch = getopt(argc, argv, "d:H:p:s:k:t:b:r:a:m:B:g:w:xvh")) != -1) {
		switch (ch) {
		case 'd':
			str_copy(c.db_path, optarg, sizeof(c.db_path));
			break;
		case 'H':
			str_copy(c.host, optarg, sizeof(c.host));
			break;
		case 'p':
			c.port = atoi(optarg);
			break;
		case 's':
			str_copy(c.station_id, optarg, sizeof(c.station_id));
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 't':
			str_copy(c.township, optarg, sizeof(c.township));
			break;
		case 'b':
			c.batch = atoi(optarg);
			break;
		case 'r':
			c.rate = atoi(optarg);
			break;
		case 'a':
			c.ack_timeout_ms = atoi(optarg);
			break;
		case 'm':
			c.max_retransmit = atoi(optarg);
			break;
		case 'B':
			c.heartbeat_s = atoi(optarg);
			break;
		case 'g':
			c.registry_pull_s = atoi(optarg);
			break;
		case 'w':
			wait_s = atol(optarg);
			break;
		case 'x':
			until_empty = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			printf("usage: uplink_run -d DB -H HOST -p PORT -s STATION -k PSKFILE "
			       "[...]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (c.db_path[0] == '\0' || c.station_id[0] == '\0' || keyfile == NULL) {
		fprintf(stderr, "uplink_run: -d, -s and -k are required\n");
		return 2;
	}
	log_init("uplink_run", 1, verbose > 1 ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	if (psk_load_key(keyfile, c.psk_key, sizeof(c.psk_key), &c.psk_key_len, err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "uplink_run: %s\n", err);
		return 1;
	}
	c.backoff_max_ms = 2000;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	start = time_mono_ms();
	deadline = wait_s > 0 ? start + wait_s * 1000 : INT64_MAX;
	if (uplink_start(&c, &u, err, sizeof(err)) == -1) {
		fprintf(stderr, "uplink_run: %s\n", err);
		return 1;
	}
	uplink_get_status(u, &st);
	initial = st.backlog;
	for (;;) {
		time_sleep_ms(20);
		uplink_get_status(u, &st);
		if (until_empty && st.backlog == 0 && st.last_ack_ms != 0)
			break;
		if (quit)
			break;
		if (time_mono_ms() >= deadline) {
			rc = until_empty ? 1 : 0;
			break;
		}
	}
	{
		double secs = (double)(time_mono_ms() - start) / 1000.0;

		printf("drained %lld records in %.2f s (%.0f records/s), backlog %lld, "
		       "last ack %lld, sessions %llu\n",
		    (long long)(initial - st.backlog), secs,
		    secs > 0 ? (double)(initial - st.backlog) / secs : 0.0, (long long)st.backlog,
		    (long long)st.last_ack, (unsigned long long)st.sessions);
		if (st.last_error[0] != '\0')
			fprintf(stderr, "uplink_run: last error: %s\n", st.last_error);
	}
	uplink_stop(u);
	return rc;
}
