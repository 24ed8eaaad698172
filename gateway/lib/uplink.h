/*
 * uplink: the gateway's link to the county (shared/DESIGN.md §9).
 *
 * uplink_start runs a thread with its own SQLite connection to the station
 * database and its own coaplink.  The thread
 *   - drains the outbox oldest first, `batch` records per request (one CBOR
 *     payload, block-wise when large), at most `rate` records a second;
 *   - deletes outbox rows only up to the high-water mark the county answers
 *     after its commit (rows above it are sent again: the county stores by
 *     (station, seq) and uuid, so resending is harmless);
 *   - sends a heartbeat with the station's status every heartbeat_s;
 *   - pulls registry deltas by version (meta 'registry_version') every
 *     registry_pull_s and applies each delta in one transaction;
 *   - reconnects with exponential back-off and jitter after any failure.
 * It never holds a database transaction across network I/O: reads and
 * deletes are short transactions, so the fill line is never blocked.
 */
#ifndef GAS_UPLINK_H
#define GAS_UPLINK_H

#include <stddef.h>
#include <stdint.h>

#include "psk.h"

struct uplink_config {
	char host[128];                      /* gwconf county_host */
	int port;                            /* county_port (5684) */
	char station_id[48];                 /* station_id; identity is station:ID */
	char township[16];                   /* the station's township */
	char psk_identity[PSK_MAX_IDENTITY]; /* "" -> "station:" station_id */
	uint8_t psk_key[PSK_MAX_KEY];        /* from psk_load_key(psk_file) */
	size_t psk_key_len;
	int batch;           /* uplink_batch: records per request (1..5000) */
	int rate;            /* uplink_rate: records per second (0: unlimited) */
	int heartbeat_s;     /* heartbeat_s (0: none) */
	int registry_pull_s; /* registry_pull_s (0: none) */
	char db_path[256];   /* station database */
	int ack_timeout_ms;  /* CoAP ACK_TIMEOUT (0: 2000) */
	int max_retransmit;  /* CoAP MAX_RETRANSMIT (0: 4) */
	int backoff_max_ms;  /* reconnect back-off cap (0: 60000) */
};

struct uplink_status {
	int connected;       /* a DTLS session is up */
	int64_t backlog;     /* outbox rows waiting */
	int64_t last_ack;    /* highest seq the county confirmed */
	int64_t last_ack_ms; /* wall clock of that answer, 0 if none */
	int64_t sent;        /* records confirmed since start */
	int64_t registry_version;
	uint64_t sessions; /* sessions opened since start */
	char last_error[128];
};

struct uplink;

/*
 * Copy the config, open the database and start the thread.  On failure
 * nothing runs and *out is NULL.
 */
int uplink_start(const struct uplink_config *config, struct uplink **out, char *err, size_t errlen);
/* Stop the thread (within about a second), close everything, free u. */
void uplink_stop(struct uplink *u);
/* A consistent copy of the current status (thread-safe). */
void uplink_get_status(struct uplink *u, struct uplink_status *out);
/* Wake the thread now (a record was committed); never blocks. */
void uplink_kick(struct uplink *u);

#endif
