/*
 * ctl: the control thread: the Unix control socket (JSON lines, see
 * docs/control-protocol.md) and the per-line barcode scanners, in one
 * poll() loop.  Requests are bounded (CTL_LINE_MAX); a client that sends a
 * longer line or stops reading is dropped.
 *
 * No local client can take the socket from the operator (ctl.h): each
 * connection's user is read with SO_PEERCRED; a user holds at most
 * CTL_CLIENTS_PER_USER of the CTL_CLIENTS slots; a connection that has not
 * completed a request for control_idle_s is closed; and a newcomer who
 * finds no free slot (or their own user's share used up) takes the slot of
 * the connection idle longest, rather than being turned away.  A waiting
 * request (a fill in progress) is never the one dropped.  Replies are
 * written by this one thread, so no connection may hold it long: a reply
 * has CTL_SEND_WAIT_MS in all to leave (else the connection is closed),
 * and each round of the loop answers one request of each connection, so
 * that many requests sent at once wait behind the other connections'.
 */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include "ctlreq.h"
#include "daemon.h"
#include "i18n.h"
#include "log.h"
#include "uplink.h"
#include "util.h"
#include "weight.h"

#define PROGRESS_MS 200
#define SCANNER_RETRY_MS 2000

struct client {
	int fd;
	uid_t uid;       /* the peer's user (SO_PEERCRED) */
	int64_t last_ms; /* accepted, or the last complete request (monotonic) */
	/* CTL_LINE_MAX bytes, allocated for a connection and freed with it: the
	 * 32 idle slots would otherwise keep 128 kB of stack pages resident */
	char *in;
	size_t in_len;
	int eof; /* the peer sent all it will: closed once what it sent is answered */
	/* waiting for the outcome of an attempt */
	struct line *wait_line;
	unsigned wait_attempt;
	int64_t last_progress;
};

struct scanner {
	struct line *line;
	const char *path;
	int fd;
	char in[512];
	size_t in_len;
	int64_t retry_at;
};

int
ctl_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return err_set(err, errlen, "control socket path too long: %s", path);
	str_copy(sa.sun_path, path, sizeof(sa.sun_path));
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return err_set(err, errlen, "%s exists and is not a socket", path);
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return err_set(err, errlen, "socket: %s", strerror(errno));
	/* Bind with a umask that leaves 0660, then make sure of it. */
	{
		mode_t old = umask(0117);
		int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));

		umask(old);
		if (rc == -1) {
			err_set(err, errlen, "bind %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	if (chmod(path, 0660) == -1 || listen(fd, 16) == -1) {
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* --- replies --------------------------------------------------------------------- */

static int
send_json(struct client *c, json_t *obj)
{
	/* weights were rounded to the gram (ctlreq.c): write them as such */
	char *json = json_dumps(obj, JSON_COMPACT | WEIGHT_JSON_PRECISION), *text;
	size_t len, off = 0;
	int64_t waited_ms = 0;
	ssize_t n;
	int rc = 0;

	json_decref(obj);
	if (json == NULL)
		return -1;
	/* the line's end goes with it, through the same waits: sent alone
	 * after a large reply it could find the socket still full */
	len = strlen(json);
	text = realloc(json, len + 2);
	if (text == NULL) {
		free(json);
		return -1;
	}
	text[len++] = '\n';
	text[len] = '\0';
	while (off < len) {
		n = send(c->fd, text + off, len - off, MSG_NOSIGNAL);
		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && errno == EAGAIN && waited_ms < CTL_SEND_WAIT_MS) {
				/* the whole reply has CTL_SEND_WAIT_MS to leave, not
				 * each write: a client that takes a few kB at a time
				 * would otherwise hold the thread (stop, status, the
				 * scanners) for as long as the reply is */
				struct pollfd p = { .fd = c->fd, .events = POLLOUT };
				int64_t t0 = time_mono_ms();
				int ready = poll(&p, 1, (int)(CTL_SEND_WAIT_MS - waited_ms));

				waited_ms += time_mono_ms() - t0;
				if (ready == 1)
					continue;
			}
			rc = -1;
			break;
		}
		off += (size_t)n;
	}
	free(text);
	return rc;
}

static int reply_error(struct client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
reply_error(struct client *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return send_json(c, ctl_error_json(msg));
}

/* --- scanners -------------------------------------------------------------------- */

static void
scanner_open(struct scanner *s, int64_t now)
{
	struct termios t;

	s->fd = open(s->path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (s->fd == -1) {
		if (s->retry_at == 0)
			log_warn("line %d: scanner %s", s->line->number, s->path);
		s->retry_at = now + SCANNER_RETRY_MS;
		return;
	}
	/* Raw bytes: we split lines ourselves (CR or LF, whichever the
	 * scanner sends). */
	if (tcgetattr(s->fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(s->fd, TCSANOW, &t);
	}
	s->in_len = 0;
	s->retry_at = 0;
	log_info("line %d: scanner %s open", s->line->number, s->path);
}

/*
 * A scan that cannot be read at all (no end in sight): whatever was at the
 * counter is not what the line holds, so the line lets go of the cylinder
 * (text beginning "GC1:") or the buyer (anything else), as for a refused
 * one (ctl_take_cylinder), unless a fill is running.
 */
static void
scanner_unreadable(struct scanner *s)
{
	struct i18n_speech own;
	char why[256], said[128];
	int rc;

	/* the status's words are gasgw's own, as a refusal's (ctl_take_*) */
	i18n_speak(NULL, &own);
	str_copy(said, _("the scan could not be read (no end in 512 bytes)"), sizeof(said));
	i18n_speak_end(&own);
	if (strncmp(s->in, "GC1:", 4) == 0)
		rc = line_clear_cylinder(s->line, said, why, sizeof(why));
	else
		rc = line_clear_buyer(s->line, said, why, sizeof(why));
	if (rc == 0)
		log_warnx("line %d: unreadable scan: the line holds no %s now", s->line->number,
		    strncmp(s->in, "GC1:", 4) == 0 ? "cylinder" : "buyer");
}

static void
scanner_line(struct gw *gw, struct scanner *s, char *text)
{
	struct i18n_speech log_words;
	char why[256], refusal[300];
	enum ctl_take rc;

	if (text[0] == '\0')
		return;
	/* A refusal (R01, R08) is recorded and logged by ctl_take_*.  Nobody
	 * reads why but the log, which is not translated (i18n.h). */
	i18n_speak("C", &log_words);
	if (strncmp(text, "GC1:", 4) == 0) {
		rc = ctl_take_cylinder(gw, s->line, text, NULL, refusal, sizeof(refusal), why,
		    sizeof(why));
		if (rc == CTL_NOT_TAKEN)
			log_warnx("line %d: scanned code ignored: %s", s->line->number, why);
		else if (rc == CTL_TAKEN)
			log_info("line %d: scanned a cylinder code", s->line->number);
	} else {
		rc = ctl_take_buyer(gw, s->line, text, NULL, refusal, sizeof(refusal), why,
		    sizeof(why));
		if (rc == CTL_NOT_TAKEN)
			log_warnx("line %d: scanned buyer ignored: %s", s->line->number, why);
		else if (rc == CTL_TAKEN)
			log_info("line %d: scanned a buyer", s->line->number);
	}
	i18n_speak_end(&log_words);
	explicit_bzero(text, strlen(text));
}

static void
scanner_read(struct gw *gw, struct scanner *s, int64_t now)
{
	ssize_t n;
	size_t i, start;

	n = read(s->fd, s->in + s->in_len, sizeof(s->in) - s->in_len);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		log_warnx("line %d: scanner %s closed; reopening", s->line->number, s->path);
		close(s->fd);
		s->fd = -1;
		s->retry_at = now + SCANNER_RETRY_MS;
		return;
	}
	if (n <= 0)
		return;
	s->in_len += (size_t)n;
	start = 0;
	for (i = 0; i < s->in_len; i++) {
		if (s->in[i] == '\n' || s->in[i] == '\r') {
			s->in[i] = '\0';
			scanner_line(gw, s, s->in + start);
			start = i + 1;
		}
	}
	memmove(s->in, s->in + start, s->in_len - start);
	s->in_len -= start;
	if (s->in_len == sizeof(s->in)) {
		log_warnx("line %d: scanner sent %zu bytes without a newline; dropped",
		    s->line->number, s->in_len);
		scanner_unreadable(s);
		explicit_bzero(s->in, sizeof(s->in));
		s->in_len = 0;
	}
}

/* --- memory given back at rest -------------------------------------------------- */

/*
 * What a busy spell filled in the SQLite caches and left free in the heap
 * is given back once the lines rest (records_release_memory,
 * uplink_release_memory, malloc_trim): after 96 fills gasgw held 2.65 MB
 * private dirty, 1.75 MB before them, and kept it without this
 * (docs/fill-line.md, "At rest only, and under 2 MB").  The caches are bounded
 * (RECORDS_CACHE_KB), so a release bounds nothing; it costs the next
 * look-ups a read of their pages from the file, so it waits until every
 * line is at rest (records.h: "for a gateway at rest"), and runs at most
 * once a CTL_RELEASE_MS.
 *
 * Lines that are never all at rest (eight lines filling in turn all day, a
 * line left in emergency) would keep it from ever running: after
 * CTL_RELEASE_MAX_MS it runs anyway, but only at a moment when no line is
 * in the timed part of a fill, from its arming to its check-weighing.  A
 * release can hold up a bus's interlock thread: records_release_memory
 * holds records' lock, which that thread takes for a line's checks and
 * start row (line.c check_and_arm) and its record (finish_fill), and
 * malloc_trim holds each malloc arena's lock in turn, which the thread
 * takes for every heartbeat it queues (mb_poller_heartbeat with
 * MB_WRITE_NOWAIT allocates the request).  The thread steps every line of
 * its bus in turn, so a wait for either lock delays the next step of a
 * filling line of that bus: its cut-off, taken on the newest weight
 * (line.c step_fill_states: what flows meanwhile is gas past the
 * pre-act), and its R23 and stuck-valve watch after the close.  A release
 * took 0.01-0.4 ms and malloc_trim 0.2-1.7 ms in bench_gateway's long
 * operation (5 Dec 2026), about one fsync, which a line's record already
 * makes the other lines of its bus wait for; but the cut-off is the one
 * decision whose timing is a quantity of gas, so no release is made while
 * a valve is open or just closed.  Lines busy otherwise (a start's checks
 * waiting for a stable weight, an emergency waiting for its
 * acknowledgement) have every valve commanded closed.  One of them may
 * arm and open while the release runs: its start row waits for records'
 * lock at most the release, and its first steps of the fill come later by
 * at most malloc_trim, seconds before its cut-off.  At rest no line can
 * start at all while the release runs: a start reaches a line only through
 * this thread (a request or a scanner), which is busy releasing.
 */
enum ctl_line_activity
ctl_line_activity(const struct line_status *s)
{
	switch (s->state) {
	case LINE_IDLE:
	case LINE_IDENTIFIED:
	case LINE_REFUSED:
	case LINE_RECORDED:
	case LINE_INTERRUPTED:
		/* a start taken but without its outcome yet: its checks wait
		 * for a stable weight, then open the valve */
		return s->finished < s->attempt ? CTL_LINE_BUSY : CTL_LINE_AT_REST;
	case LINE_EMERGENCY:
		return CTL_LINE_BUSY;
	case LINE_CHECKED:
	case LINE_ARMED:
	case LINE_FILLING:
	case LINE_CUTOFF:
	case LINE_SETTLING:
	case LINE_CHECKWEIGHED:
		break;
	}
	return CTL_LINE_TIMED;
}

enum ctl_release
ctl_release_due(int64_t since_ms, size_t busy, size_t timed)
{
	if (since_ms < CTL_RELEASE_MS)
		return CTL_RELEASE_NOT_NOW;
	if (busy == 0 && timed == 0)
		return CTL_RELEASE_AT_REST;
	if (since_ms >= CTL_RELEASE_MAX_MS && timed == 0)
		return CTL_RELEASE_OVERDUE;
	return CTL_RELEASE_NOT_NOW;
}

enum ctl_release
ctl_release_memory(struct gw *gw, int64_t now, int64_t *released_ms)
{
	struct line_status s;
	enum ctl_release due;
	size_t i, busy = 0, timed = 0;

	if (now - *released_ms < CTL_RELEASE_MS)
		return CTL_RELEASE_NOT_NOW;
	for (i = 0; i < gw->line_count; i++) {
		line_status(&gw->lines[i], &s);
		switch (ctl_line_activity(&s)) {
		case CTL_LINE_AT_REST:
			break;
		case CTL_LINE_BUSY:
			busy++;
			break;
		case CTL_LINE_TIMED:
			timed++;
			break;
		}
	}
	due = ctl_release_due(now - *released_ms, busy, timed);
	if (due == CTL_RELEASE_NOT_NOW)
		return due;
	*released_ms = now;
	records_release_memory(&gw->records);
	if (gw->uplink != NULL)
		uplink_release_memory(gw->uplink);
	malloc_trim(0);
	if (due == CTL_RELEASE_OVERDUE)
		log_debug("memory given back with %zu line(s) busy, none filling", busy);
	return due;
}

/* --- loop ------------------------------------------------------------------------ */

static void
client_close(struct client *c)
{
	close(c->fd);
	explicit_bzero(c->in, CTL_LINE_MAX); /* may have held a buyer number */
	free(c->in);
	c->in = NULL;
	c->fd = -1;
	c->wait_line = NULL;
	c->in_len = 0;
	c->eof = 0;
}

/* A complete request waits in c->in, and c may be answered now. */
static int
client_pending(const struct client *c)
{
	return c->fd != -1 && c->wait_line == NULL && c->in_len > 0 &&
	       memchr(c->in, '\n', c->in_len) != NULL;
}

/*
 * Answer the first complete line in c->in, if it may be answered now: one a
 * round of the loop, so that a connection holding many requests (as many
 * fills of 100,000 as a request line holds, each taking the thread a
 * fraction of a second to write) waits its turn behind the others, the
 * operator's status and stop among them, instead of being served to its end.
 */
static void
client_serve(struct gw *gw, struct client *c)
{
	struct ctl_wait wait;
	json_t *reply;
	char *nl;
	size_t used;

	if (client_pending(c)) {
		nl = memchr(c->in, '\n', c->in_len);
		used = (size_t)(nl - c->in) + 1;
		c->last_ms = time_mono_ms();
		reply = ctl_handle_line(gw, c->in, used - 1, &wait);
		explicit_bzero(c->in, used);
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
		if (reply != NULL && send_json(c, reply) == -1) {
			client_close(c);
			return;
		}
		c->wait_line = wait.line;
		c->wait_attempt = wait.attempt;
		c->last_progress = 0;
	}
	if (c->fd != -1 && c->in_len == CTL_LINE_MAX && memchr(c->in, '\n', c->in_len) == NULL) {
		reply_error(c, "request longer than %d bytes", CTL_LINE_MAX);
		client_close(c);
	}
}

static void
client_read(struct client *c)
{
	ssize_t n;

	/* a full buffer is read again once a request has been answered from it
	 * (the loop asks no POLLIN of it meanwhile): only a hang-up comes here */
	n = recv(c->fd, c->in + c->in_len, CTL_LINE_MAX - c->in_len, 0);
	if (n == 0 && (client_pending(c) || c->wait_line != NULL)) {
		/* the peer sent all it will (a half-close after pipelined
		 * requests, as `printf ... | socat` does): what it sent is still
		 * answered, one a round, then the connection closes */
		c->eof = 1;
		return;
	}
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		client_close(c);
		return;
	}
	if (n < 0)
		return;
	c->in_len += (size_t)n; /* answered in the loop's round, one request a connection */
}

static void
client_progress(struct client *c, int64_t now)
{
	struct line_status s;

	if (c->wait_line == NULL)
		return;
	line_status(c->wait_line, &s);
	if (s.finished >= c->wait_attempt) {
		c->wait_line = NULL;
		if (send_json(c, ctl_result_json(&s)) == -1)
			client_close(c);
		return;
	}
	if (now - c->last_progress >= PROGRESS_MS) {
		c->last_progress = now;
		if (send_json(c, ctl_progress_json(&s)) == -1)
			client_close(c);
	}
}

/* The user of a connected peer; (uid_t)-1 when the kernel does not say. */
static uid_t
peer_uid(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return (uid_t)-1;
	return cred.uid;
}

/* The connection idle longest (not waiting for a fill), of user uid only
 * unless any; -1 when every one is busy. */
static int
longest_idle(const struct client *clients, int any, uid_t uid)
{
	int k, best = -1;

	for (k = 0; k < CTL_CLIENTS; k++) {
		if (clients[k].fd == -1 || clients[k].wait_line != NULL)
			continue;
		if (!any && clients[k].uid != uid)
			continue;
		if (best == -1 || clients[k].last_ms < clients[best].last_ms)
			best = k;
	}
	return best;
}

/*
 * A new connection: the slot it gets, or -1 (fd closed) when every slot it
 * could take is busy with a waiting request.  Its user's share first: a
 * user at CTL_CLIENTS_PER_USER gives up their own idlest connection; then,
 * the table full, the idlest connection of anyone goes.
 */
static int
client_admit(struct client *clients, int fd, int64_t now)
{
	uid_t uid = peer_uid(fd);
	int k, mine = 0, victim = -1;
	char *in;

	if ((in = malloc(CTL_LINE_MAX)) == NULL) {
		log_warnx("control socket: out of memory; a connection refused");
		close(fd);
		return -1;
	}

	for (k = 0; k < CTL_CLIENTS; k++)
		if (clients[k].fd != -1 && clients[k].uid == uid)
			mine++;
	if (mine >= CTL_CLIENTS_PER_USER) {
		victim = longest_idle(clients, 0, uid);
		if (victim == -1) {
			log_warnx("control socket: uid %ld has %d requests waiting; one more "
			          "refused",
			    (long)uid, mine);
			free(in);
			close(fd);
			return -1;
		}
		log_debug("control socket: uid %ld at its share of %d; its idlest connection "
		          "dropped",
		    (long)uid, CTL_CLIENTS_PER_USER);
	} else {
		for (k = 0; k < CTL_CLIENTS && clients[k].fd != -1; k++)
			;
		if (k < CTL_CLIENTS) {
			victim = -2;
		} else if ((victim = longest_idle(clients, 1, 0)) == -1) {
			log_warnx("control socket: every connection waits for a fill; one more "
			          "refused");
			free(in);
			close(fd);
			return -1;
		}
	}
	if (victim >= 0) {
		client_close(&clients[victim]);
		k = victim;
	}
	memset(&clients[k], 0, sizeof(clients[k]));
	clients[k].in = in;
	clients[k].fd = fd;
	clients[k].uid = uid;
	clients[k].last_ms = now;
	return k;
}

/* Close the connections that have not completed a request for idle_ms. */
static void
clients_expire(struct client *clients, int64_t now, int64_t idle_ms)
{
	int k;

	for (k = 0; k < CTL_CLIENTS; k++)
		if (clients[k].fd != -1 && clients[k].wait_line == NULL &&
		    now - clients[k].last_ms >= idle_ms)
			client_close(&clients[k]);
}

/*
 * SIGHUP: read the configuration again (and the profiles its lines use) and
 * put what a running gateway can take in force: the rule thresholds (each
 * line takes them when it is next idle) and the log level.  Every other key
 * is marked CONF_RESTART in gwconf.c's tables; a changed one is named in
 * the log, with its line, and waits for a restart.  A file that does not
 * load changes nothing.  gw->config stays the configuration the gateway
 * started with, which is what the restart-only keys are compared with.
 */
static void
reload(struct gw *gw)
{
	struct gw_config *fresh = calloc(1, sizeof(*fresh));
	struct conf_report *notes = calloc(1, sizeof(*notes));
	struct conf_report *report = calloc(1, sizeof(*report));
	const char *path = gw->config_path != NULL ? gw->config_path : "?";
	size_t i;

	if (fresh == NULL || notes == NULL || report == NULL) {
		log_warnx("reload: out of memory; nothing changed");
		goto out;
	}
	if (gw->config_path == NULL ||
	    gw_config_reload(gw->config_path, gw->config, fresh, notes, report) == -1) {
		for (i = 0; i < report->count; i++)
			log_warnx("reload: %s", report->errors[i]);
		log_warnx("reload: %s does not load; nothing changed", path);
		goto out;
	}
	for (i = 0; i < gw->line_count; i++)
		line_set_rules(&gw->lines[i], &fresh->rules);
	gw->rules_reloaded = fresh->rules;
	gw->rules_were_reloaded = 1;
	gw->clock_next_ms = 0; /* clock_back_hours may have changed: judge the clock at once */
	fresh->log_verbose = gw->config->log_verbose;
	log_set_level(gw_log_level(fresh));
	for (i = 0; i < notes->count; i++)
		log_info("reload: %s", notes->errors[i]);
	log_info("reload: rule thresholds and log level from %s in force; %zu change(s) wait for "
	         "a restart",
	    path, notes->count);
out:
	free(fresh);
	free(notes);
	free(report);
}

void
ctl_run(struct gw *gw, int listen_fd)
{
	struct client clients[CTL_CLIENTS];
	struct scanner scanners[GW_MAX_LINES];
	struct pollfd pfd[1 + CTL_CLIENTS + GW_MAX_LINES];
	int map[1 + CTL_CLIENTS + GW_MAX_LINES];
	size_t nscan = 0, i, n;
	int64_t now, released_ms = time_mono_ms();
	int fd, waiting, pending;

	for (i = 0; i < CTL_CLIENTS; i++)
		clients[i].fd = -1;
	for (i = 0; i < gw->line_count; i++) {
		const char *path = gw->config->lines[i].scanner;

		if (path[0] == '\0')
			continue;
		memset(&scanners[nscan], 0, sizeof(scanners[nscan]));
		scanners[nscan].line = &gw->lines[i];
		scanners[nscan].path = path;
		scanners[nscan].fd = -1;
		nscan++;
	}
	while (!gw->stop) {
		if (daemon_stop_requested) {
			gw->stop = 1;
			break;
		}
		if (daemon_reload_requested) {
			daemon_reload_requested = 0;
			reload(gw);
		}
		now = time_mono_ms();
		ctl_shifts_expire(gw, time_wall_ms());
		ctl_clock_watch(gw, now);
		/* the uplink counts by the thread that watches its process: a
		 * crashed uplink is restarted by gasgw, not by systemd */
		if (gw_healthy(gw, now) && (gw->uplink == NULL || uplink_healthy(gw->uplink, now)))
			daemon_watchdog_feed();
		ctl_release_memory(gw, now, &released_ms);
		n = 0;
		pfd[n].fd = listen_fd;
		pfd[n].events = POLLIN;
		map[n++] = -1;
		waiting = 0;
		pending = 0;
		for (i = 0; i < CTL_CLIENTS; i++) {
			if (clients[i].fd == -1)
				continue;
			if (clients[i].wait_line)
				waiting = 1;
			if (client_pending(&clients[i]))
				pending = 1;
			if (clients[i].eof) /* nothing more to read; its hang-up would wake poll */
				continue;
			pfd[n].fd = clients[i].fd;
			pfd[n].events = clients[i].in_len < CTL_LINE_MAX ? POLLIN : 0;
			map[n++] = (int)i;
		}
		for (i = 0; i < nscan; i++) {
			if (scanners[i].fd == -1 && now >= scanners[i].retry_at)
				scanner_open(&scanners[i], now);
			if (scanners[i].fd == -1)
				continue;
			pfd[n].fd = scanners[i].fd;
			pfd[n].events = POLLIN;
			map[n++] = 1000 + (int)i;
		}
		/* requests already read and not yet answered: no sleep */
		if (poll(pfd, n, pending ? 0 : waiting ? 50 : 250) == -1 && errno != EINTR) {
			log_warn("poll");
			time_sleep_ms(100);
			continue;
		}
		now = time_mono_ms();
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (map[i] == -1) {
				fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
				if (fd != -1)
					client_admit(clients, fd, now);
			} else if (map[i] >= 1000) {
				scanner_read(gw, &scanners[map[i] - 1000], now);
			} else if (clients[map[i]].fd == pfd[i].fd) {
				/* (a slot given to a newcomer above holds another fd) */
				client_read(&clients[map[i]]);
			}
		}
		clients_expire(clients, now, (int64_t)gw->config->control_idle_s * 1000);
		for (i = 0; i < CTL_CLIENTS; i++)
			if (clients[i].fd != -1)
				client_progress(&clients[i], now);
		/* one request of each connection a round, from its buffer (a
		 * pipelined request after a wait is there too: a recv now would
		 * find nothing to read) */
		for (i = 0; i < CTL_CLIENTS; i++) {
			if (clients[i].fd != -1 && clients[i].wait_line == NULL)
				client_serve(gw, &clients[i]);
			if (clients[i].fd != -1 && clients[i].eof && clients[i].wait_line == NULL &&
			    !client_pending(&clients[i]))
				client_close(&clients[i]);
		}
	}
	for (i = 0; i < CTL_CLIENTS; i++)
		if (clients[i].fd != -1)
			client_close(&clients[i]);
	for (i = 0; i < nscan; i++)
		if (scanners[i].fd != -1)
			close(scanners[i].fd);
}
