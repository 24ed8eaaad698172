/*
 * server: gassim's Modbus side.  A libmodbus server over TCP (several
 * masters at once) and/or RTU on a serial device or one end of a pty pair,
 * answering for the units of a struct sim with their faults (dead, slow,
 * exception, and on RTU a wrong CRC or garbage).  On RTU it also plays the
 * wire a pty does not have (rtu.h): a reply is written only when, on a real
 * line at the configured baud, the request and the reply would have crossed
 * it, plus the slave's turnaround; requests that break the t3.5 gap and
 * frames that are no frames are counted in the sim's bus counters.
 *
 * It runs inside the caller's select loop: server_watch adds its
 * descriptors and its next deadline, server_serve does what is due.  Each
 * request is taken with sim_tick before and sim_after_request after it.
 */
#ifndef GAS_SIM_SERVER_H
#define GAS_SIM_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/select.h>

#include "sim.h"

struct server_config {
	const char *tcp;   /* "HOST:PORT" to listen on, or NULL */
	const char *rtu;   /* the serial device or pty to serve, or NULL */
	int baud;          /* RTU: line speed, for the simulated wire too */
	char parity;       /* RTU: 'N', 'E' or 'O' */
	int turnaround_ms; /* RTU: the slave's delay before it answers */
	int verbose;       /* log every request */
};

struct server;

/* Split "HOST:PORT" into host (hostlen bytes) and port 1-65535.  Returns 0,
 * or -1 with what is wrong in err. */
int server_parse_tcp(const char *spec, char *host, size_t hostlen, int *port, char *err,
    size_t errlen);

/*
 * Listen on config->tcp and open config->rtu, serving sim (which must
 * outlive the server; config's strings too).  Returns the server, or NULL
 * with a message naming the address or device in err and nothing left open.
 */
struct server *server_open(struct sim *sim, const struct server_config *config, char *err,
    size_t errlen);

/* Add the descriptors to wait on to rd (raising *maxfd), and lower *next_us
 * to the time something is due (a reply, the end of a frame). */
void server_watch(const struct server *server, fd_set *rd, int *maxfd, int64_t *next_us);

/* After select: accept, read, frame, and send the replies that are due. */
void server_serve(struct server *server, const fd_set *rd);

/* Close every connection and the devices; server_close(NULL) does nothing. */
void server_close(struct server *server);

/* The clock of next_us: CLOCK_MONOTONIC in microseconds. */
int64_t server_now_us(void);

#endif
