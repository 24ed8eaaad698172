/*
 * uplink: the gateway's side of its link to the county (docs/fill-line.md,
 * "Processes"; the protocol is docs/protocol.md).
 *
 * The county link parses bytes from the network (DTLS, CoAP, CBOR), so it
 * does not run in the gateway: uplink_start starts a thread that starts
 * the uplink process (uplinkproc.h, `gasgw --uplink-process`: unprivileged,
 * holding no database, bus or control socket) and serves it through one
 * typed channel (upchan.h).  The thread
 *   - answers its requests from the station database, with its own SQLite
 *     connection: the next batch of outbox records (read in one short read
 *     transaction, oldest first, `batch` at most, encoded for the county),
 *     the backlog and registry figures for heartbeats;
 *   - deletes outbox rows when the uplink reports the county's high-water
 *     mark, only up to that mark and never above the highest seq it has
 *     handed out (a lying uplink can only make records be sent again);
 *   - applies registry deltas through registry_apply_delta, which checks
 *     every row the uplink decoded;
 *   - passes on uplink_kick (a record was committed) so the uplink sends
 *     at once;
 *   - restarts the uplink process when it exits, crashes, sends a message
 *     that fails its checks, or stays silent longer than it announced, after
 *     a back-off (1 s doubling to 30 s; 1 s again once one ran 10 s).
 * It never holds a transaction while it waits on the channel, and no
 * transaction of the fill line ever waits on the network.
 *
 * A program that calls uplink_start must call uplinkproc_main() when its
 * first argument is UPLINKPROC_FLAG (the process is started from
 * /proc/self/exe, so it is always the same binary as the gateway).
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
	int acked_keep_days; /* acked_keep_days (0: acknowledged records are never deleted) */
	char db_path[256];   /* station database */
	int ack_timeout_ms;  /* CoAP ACK_TIMEOUT (0: 2000) */
	int max_retransmit;  /* CoAP MAX_RETRANSMIT (0: 4) */
	int backoff_max_ms;  /* reconnect back-off cap (0: 60000) */
	/* uplink_user: who the uplink process runs as when this process may
	 * change users (root, or CAP_SETUID and CAP_SETGID); otherwise it
	 * runs as this process's user and the log says so */
	char user[64];
	int log_foreground; /* the uplink process logs to stderr (1) or syslog (0) */
};

struct uplink_status {
	int connected;       /* a DTLS session is up */
	int64_t backlog;     /* outbox rows waiting */
	int64_t aside;       /* outbox rows set aside (the county refused them) */
	int64_t last_ack;    /* highest seq the county confirmed */
	int64_t last_ack_ms; /* wall clock of that answer, 0 if none */
	int64_t sent;        /* records confirmed since start */
	int64_t registry_version;
	uint64_t sessions; /* sessions opened by the current uplink process */
	char last_error[128];
	/* the uplink process */
	int running;        /* 1 while one is up */
	int pid;            /* its pid, 0 when none */
	uint64_t restarts;  /* started again after one ended */
	long uid;           /* the uid it runs as */
	char user[64];      /* that user's name */
	char last_exit[96]; /* how the last one ended ("killed by signal 9"), "" none */
};

struct uplink;

/*
 * Copy the config, open the database, check uplink_user and start the
 * thread (which starts the uplink process).  On failure nothing runs, *out
 * is NULL and err says why (an unknown user, a user that is root, the
 * database).
 */
int uplink_start(const struct uplink_config *config, struct uplink **out, char *err, size_t errlen);
/* Stop the uplink process (SIGTERM, SIGKILL after a second) and the thread,
 * close everything, free u.  NULL is fine. */
void uplink_stop(struct uplink *u);
/* A consistent copy of the current status (thread-safe). */
void uplink_get_status(struct uplink *u, struct uplink_status *out);
/* Wake the uplink now (a record was committed); never blocks. */
void uplink_kick(struct uplink *u);
/*
 * Give back what the thread's connection holds in its page cache beyond
 * its pinned pages (sqlite3_db_release_memory), as records_release_memory
 * does for the fill line's two: for a gateway at rest (ctl.h).  Never
 * waits: returns 1 when released, 0 when the thread was working with its
 * connection at that moment (its cache in use: nothing done).  Any thread.
 */
int uplink_release_memory(struct uplink *u);
/* 1 if the thread that serves and watches the uplink process has made a
 * pass recently (the systemd watchdog); now is time_mono_ms(). */
int uplink_healthy(struct uplink *u, int64_t now);

#endif
