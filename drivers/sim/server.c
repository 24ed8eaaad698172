/*
 * server: gassim's Modbus TCP and RTU servers (see server.h).  One request
 * per connection is in flight at a time, as on a real bus: a request waits
 * as `pending` until its reply is due (slow replies on TCP; the simulated
 * wire and slow replies on RTU), and meanwhile that connection is not read.
 * Replies go out through libmodbus (modbus_reply, modbus_reply_exception),
 * except the corrupted ones of the crc and garbage faults, written here.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <modbus.h>

#include "log.h"
#include "mb.h"
#include "rtu.h"
#include "server.h"
#include "util.h"

#define MAX_TCP_CLIENTS 32
#define RTU_RETRY_US 1000000

struct pending {
	int active;
	int64_t due_us;
	uint8_t req[MODBUS_TCP_MAX_ADU_LENGTH]; /* >= MODBUS_RTU_MAX_ADU_LENGTH */
	size_t len;
	struct sim_unit *unit;
};

struct tcp_client {
	int fd;
	struct pending pending;
};

struct server {
	struct sim *sim;
	struct server_config config;
	modbus_t *tcp_ctx;
	int listen_fd;
	struct tcp_client tcp[MAX_TCP_CLIENTS];
	modbus_t *rtu_ctx;
	int rtu_fd;
	int rtu_failing;      /* a read failed: said once until one works again */
	int64_t rtu_retry_us; /* and the device is not read again before then */
	struct rtu_framer framer;
	struct pending rtu_pending;
};

int64_t
server_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int
server_parse_tcp(const char *spec, char *host, size_t hostlen, int *port, char *err, size_t errlen)
{
	const char *colon = strrchr(spec, ':');
	char *end;
	long n;

	if (colon == NULL || colon == spec)
		return err_set(err, errlen, "'%s' is not HOST:PORT", spec);
	if ((size_t)(colon - spec) >= hostlen)
		return err_set(err, errlen, "'%s': host name longer than %zu bytes", spec,
		    hostlen - 1);
	errno = 0;
	n = strtol(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || *end != '\0' || n < 1 || n > 65535)
		return err_set(err, errlen, "'%s': port '%s' is not 1 to 65535", spec, colon + 1);
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	*port = (int)n;
	return 0;
}

struct server *
server_open(struct sim *sim, const struct server_config *config, char *err, size_t errlen)
{
	struct server *s = calloc(1, sizeof(*s));
	char host[128];
	int port;

	if (s == NULL) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	s->sim = sim;
	s->config = *config;
	s->listen_fd = s->rtu_fd = -1;
	for (int i = 0; i < MAX_TCP_CLIENTS; i++)
		s->tcp[i].fd = -1;
	if (config->tcp != NULL) {
		if (server_parse_tcp(config->tcp, host, sizeof(host), &port, err, errlen) < 0)
			goto fail;
		if ((s->tcp_ctx = modbus_new_tcp(host, port)) == NULL ||
		    (s->listen_fd = modbus_tcp_listen(s->tcp_ctx, 16)) < 0) {
			err_set(err, errlen, "tcp %s: %s", config->tcp, modbus_strerror(errno));
			goto fail;
		}
		modbus_set_indication_timeout(s->tcp_ctx, 1, 0);
	}
	if (config->rtu != NULL) {
		s->rtu_ctx = modbus_new_rtu(config->rtu, config->baud, config->parity, 8, 1);
		if (s->rtu_ctx == NULL || modbus_connect(s->rtu_ctx) < 0) {
			err_set(err, errlen, "rtu %s: %s", config->rtu, modbus_strerror(errno));
			goto fail;
		}
		s->rtu_fd = modbus_get_socket(s->rtu_ctx);
		rtu_framer_init(&s->framer, config->baud);
	}
	return s;
fail:
	server_close(s);
	return NULL;
}

void
server_close(struct server *s)
{
	if (s == NULL)
		return;
	for (int i = 0; i < MAX_TCP_CLIENTS; i++)
		if (s->tcp[i].fd >= 0)
			close(s->tcp[i].fd);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->tcp_ctx != NULL)
		modbus_free(s->tcp_ctx);
	if (s->rtu_ctx != NULL) {
		modbus_close(s->rtu_ctx);
		modbus_free(s->rtu_ctx);
	}
	free(s);
}

/* ---- one request ---------------------------------------------------------------- */

/* A request is in (its unit id just before the function code, at
 * header - 1); decide if and when to answer.  Returns 1 if a reply is now
 * pending, 0 if none will be sent (no such unit, or a dead one). */
static int
take_request(struct server *s, struct pending *pd, const uint8_t *req, size_t len, int header,
    int64_t start_us, int rtu)
{
	int unit_id = req[header - 1];
	struct sim_unit *u = sim_unit_by_id(s->sim, unit_id);

	if (s->config.verbose)
		log_info("request unit %d fc %d len %zu", unit_id, req[header], len);
	if (u == NULL || sim_unit_silent(u, time_mono_ms()))
		return 0;
	u->requests++;
	if (req[header] >= 1 && req[header] <= 4)
		u->reads++;
	memcpy(pd->req, req, len);
	pd->len = len;
	pd->unit = u;
	pd->due_us = start_us + (int64_t)u->slow_ms * 1000;
	if (rtu)
		pd->due_us += rtu_wire_us(len, s->config.baud) +
		              (int64_t)s->config.turnaround_ms * 1000 +
		              rtu_wire_us(u->exception ? 5 : rtu_reply_length(req, len, u->map),
		                  s->config.baud);
	pd->active = 1;
	return 1;
}

static void
reply(struct server *s, modbus_t *ctx, struct pending *pd, int rtu)
{
	struct sim_unit *u = pd->unit;
	int64_t now = time_mono_ms();
	uint8_t bad[MODBUS_RTU_MAX_ADU_LENGTH];
	size_t n;

	pd->active = 0;
	sim_tick(s->sim, now);
	if (rtu && (u->crc || u->garbage)) {
		n = rtu_bad_reply(pd->req, pd->len, u->map, u->garbage, bad, sizeof(bad));
		if (write(s->rtu_fd, bad, n) < 0)
			log_warn("rtu write");
		return;
	}
	if (rtu)
		modbus_set_slave(ctx, u->id);
	if (u->exception) {
		modbus_reply_exception(ctx, pd->req, (unsigned)u->exception);
		return;
	}
	if (modbus_reply(ctx, pd->req, (int)pd->len, u->map) < 0)
		log_debug("reply to unit %d: %s", u->id, modbus_strerror(errno));
	sim_after_request(s->sim, u, now);
}

/* ---- RTU ------------------------------------------------------------------------ */

static void
serve_rtu(struct server *s, const fd_set *rd)
{
	uint8_t bytes[MODBUS_RTU_MAX_ADU_LENGTH], frame[MODBUS_RTU_MAX_ADU_LENGTH];
	int64_t t = server_now_us(), start;
	size_t len;
	ssize_t n;

	if (FD_ISSET(s->rtu_fd, rd)) {
		n = read(s->rtu_fd, bytes, sizeof(bytes));
		if (n > 0) {
			s->rtu_failing = 0;
			if (rtu_framer_feed(&s->framer, bytes, (size_t)n, t))
				s->sim->rtu_gap_violations++;
		} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			/* the other end of a pty went away: try again in a while
			 * rather than spin on a descriptor that is always readable */
			if (!s->rtu_failing && n == 0)
				log_warnx("rtu %s: end of file", s->config.rtu);
			else if (!s->rtu_failing)
				log_warn("rtu %s", s->config.rtu);
			s->rtu_failing = 1;
			s->rtu_retry_us = t + RTU_RETRY_US;
		}
	}
	while (!s->rtu_pending.active) {
		enum rtu_frame_status st =
		    rtu_framer_next(&s->framer, t, frame, sizeof(frame), &len, &start);
		if (st == RTU_FRAME_NONE)
			break;
		if (st == RTU_FRAME_BAD) {
			s->sim->rtu_bad_frames++;
			break;
		}
		s->sim->rtu_requests++;
		/* a broadcast (unit 0) gets no reply and holds no one up */
		if (!take_request(s, &s->rtu_pending, frame, len, 1, start, 1) && frame[0] != 0)
			rtu_framer_unanswered(&s->framer, len, t);
	}
	if (s->rtu_pending.active && server_now_us() >= s->rtu_pending.due_us) {
		rtu_framer_replied(&s->framer, server_now_us());
		reply(s, s->rtu_ctx, &s->rtu_pending, 1);
	}
}

/* ---- TCP ------------------------------------------------------------------------ */

static void
accept_tcp(struct server *s)
{
	int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	for (int i = 0; i < MAX_TCP_CLIENTS; i++)
		if (s->tcp[i].fd < 0) {
			s->tcp[i].fd = fd;
			s->tcp[i].pending.active = 0;
			return;
		}
	log_warnx("more than %d tcp clients: one refused", MAX_TCP_CLIENTS);
	close(fd);
}

static void
serve_tcp_client(struct server *s, struct tcp_client *c, const fd_set *rd)
{
	uint8_t req[MODBUS_TCP_MAX_ADU_LENGTH];
	int rc;

	if (c->pending.active) {
		if (server_now_us() >= c->pending.due_us) {
			modbus_set_socket(s->tcp_ctx, c->fd);
			reply(s, s->tcp_ctx, &c->pending, 0);
		}
		return;
	}
	if (!FD_ISSET(c->fd, rd))
		return;
	modbus_set_socket(s->tcp_ctx, c->fd);
	rc = modbus_receive(s->tcp_ctx, req);
	if (rc < 0) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	if (rc == 0)
		return;
	s->sim->tcp_requests++;
	if (take_request(s, &c->pending, req, (size_t)rc, modbus_get_header_length(s->tcp_ctx),
	        server_now_us(), 0) &&
	    server_now_us() >= c->pending.due_us)
		reply(s, s->tcp_ctx, &c->pending, 0);
}

/* ---- the loop's side ------------------------------------------------------------ */

static void
watch(fd_set *rd, int *maxfd, int fd)
{
	FD_SET(fd, rd);
	if (fd > *maxfd)
		*maxfd = fd;
}

void
server_watch(const struct server *s, fd_set *rd, int *maxfd, int64_t *next_us)
{
	if (s->listen_fd >= 0)
		watch(rd, maxfd, s->listen_fd);
	for (int i = 0; i < MAX_TCP_CLIENTS; i++) {
		const struct tcp_client *c = &s->tcp[i];
		if (c->fd < 0)
			continue;
		if (!c->pending.active)
			watch(rd, maxfd, c->fd);
		else if (c->pending.due_us < *next_us)
			*next_us = c->pending.due_us;
	}
	if (s->rtu_fd >= 0) {
		if (s->rtu_failing && s->rtu_retry_us > server_now_us()) {
			if (s->rtu_retry_us < *next_us)
				*next_us = s->rtu_retry_us;
		} else {
			watch(rd, maxfd, s->rtu_fd);
		}
		if (s->rtu_pending.active && s->rtu_pending.due_us < *next_us)
			*next_us = s->rtu_pending.due_us;
		if (rtu_framer_deadline(&s->framer) < *next_us)
			*next_us = rtu_framer_deadline(&s->framer);
	}
}

void
server_serve(struct server *s, const fd_set *rd)
{
	if (s->rtu_fd >= 0)
		serve_rtu(s, rd);
	if (s->listen_fd >= 0 && FD_ISSET(s->listen_fd, rd))
		accept_tcp(s);
	for (int i = 0; i < MAX_TCP_CLIENTS; i++)
		if (s->tcp[i].fd >= 0)
			serve_tcp_client(s, &s->tcp[i], rd);
}
