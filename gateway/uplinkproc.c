/*
 * uplinkproc: the unprivileged uplink process (see uplinkproc.h).
 *
 * One thread, one loop: heartbeat when due, registry pull when due, then
 * one batch; between them it waits on the channel, where a KICK (a record
 * was committed) wakes it early.  Before every wait and every network
 * request it tells the gateway how long it may be silent, so the gateway
 * can tell a busy uplink from a hung one.  The records it sends are bytes
 * the gateway encoded; all it hands back is the county's mark, the text of
 * a refusal (4.00) and the rows of registry deltas, all checked again on
 * the other side.
 */
#include "uplinkproc.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "coaplink.h"
#include "log.h"
#include "stationstatus.h"
#include "upchan.h"
#include "util.h"
#include "wire.h"

#define REQUEST_TIMEOUT_MS 120000 /* one county request, whole */
#define IDLE_WAIT_MS 500          /* nothing to send: look again this often */
#define GATEWAY_ANSWER_MS 10000   /* the gateway answers a request within this */
#define QUIET_SLACK_MS 3000       /* added to each announced silence */
#define RETRY_MS 5000             /* a failed heartbeat or pull is retried after this */
#define BUSY_WAIT_MS                                                                               \
	60000 /* a batch answered 5.03 (the county's records_day_max                               \
	       * reached) is sent again after this, not every second */

struct proc {
	struct upchan_config config;
	int fd;
	struct coaplink *link;
	int kicked;
	struct upchan_state state;
	char last_error[UPCHAN_TEXT];
	int64_t next_heartbeat_ms, next_registry_ms;
	int64_t busy_until_ms; /* the county answered 5.03: no batch before this */
	uint8_t buf[UPCHAN_MAX_MSG];
	uint8_t *batch; /* the batch being received */
	int64_t batch_last_seq;
};

/* Set from the signal handler; coaplink polls it during requests. */
static int stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&stop_requested, 1, __ATOMIC_RELAXED);
}

static int
stopping(void)
{
	return __atomic_load_n(&stop_requested, __ATOMIC_RELAXED);
}

/* The channel failed or the gateway sent what it never sends: nothing
 * to do but go; the gateway starts a new uplink if it is still there. */
static _Noreturn void
leave(const char *what, const char *why)
{
	if (strcmp(why, "closed") == 0) {
		log_info("the gateway closed the channel: stopping");
		exit(0);
	}
	log_warnx("%s: %s", what, why);
	exit(1);
}

static void
set_error(struct proc *p, const char *text)
{
	str_copy(p->last_error, text, sizeof(p->last_error));
}

/* STATUS: the link now, and how long the next silence may last. */
static void
tell(struct proc *p, int64_t quiet_ms)
{
	struct upchan_status s;
	char err[160];

	memset(&s, 0, sizeof(s));
	s.connected = coaplink_connected(p->link) ? 1 : 0;
	quiet_ms += QUIET_SLACK_MS;
	s.quiet_ms = (int32_t)(quiet_ms > UPCHAN_MAX_QUIET_MS ? UPCHAN_MAX_QUIET_MS : quiet_ms);
	s.sessions = coaplink_sessions_opened(p->link);
	str_copy(s.last_error, p->last_error, sizeof(s.last_error));
	/* the gateway reads it as text: no control characters */
	for (char *c = s.last_error; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
	if (upchan_send(p->fd, UPCHAN_STATUS, &s, sizeof(s), NULL, 0, GATEWAY_ANSWER_MS, err,
	        sizeof(err)) == -1)
		leave("channel", err);
}

static void
send_msg(struct proc *p, uint32_t type, const void *body, size_t len)
{
	char err[160];

	if (upchan_send(p->fd, type, body, len, NULL, 0, GATEWAY_ANSWER_MS, err, sizeof(err)) == -1)
		leave("channel", err);
}

/*
 * Take one message from the gateway within timeout_ms.  A KICK is noted
 * and returns 0 as well, as does a timeout; 1: *m holds another message.
 */
static int
receive(struct proc *p, int timeout_ms, struct upchan_msg *m)
{
	char err[160];
	size_t len;
	int rc;

	rc = upchan_recv(p->fd, p->buf, &len, timeout_ms, err, sizeof(err));
	if (rc == -1)
		leave("channel", err);
	if (rc == 0)
		return 0;
	if (upchan_parse(p->buf, len, UPCHAN_FROM_GATEWAY, m, err, sizeof(err)) == -1)
		leave("a message from the gateway", err);
	if (m->type == UPCHAN_KICK) {
		p->kicked = 1;
		return 0;
	}
	return 1;
}

/* The gateway's answer of this type (KICKs on the way are noted). */
static void
expect(struct proc *p, enum upchan_type type, struct upchan_msg *m)
{
	int64_t deadline = time_mono_ms() + GATEWAY_ANSWER_MS;
	char why[96];

	while (time_mono_ms() < deadline) {
		if (receive(p, (int)(deadline - time_mono_ms()), m) == 0)
			continue;
		if (m->type == type)
			return;
		snprintf(why, sizeof(why), "%s where %s was due", upchan_type_name(m->type),
		    upchan_type_name(type));
		leave("the gateway", why);
	}
	snprintf(why, sizeof(why), "no %s within %d ms", upchan_type_name(type), GATEWAY_ANSWER_MS);
	leave("the gateway", why);
}

/* Wait until deadline (monotonic ms), a KICK or a stop, telling the
 * gateway every second that we are alive: a long back-off does not hide
 * a hung uplink. */
static void
idle(struct proc *p, int64_t deadline)
{
	struct upchan_msg m;
	int64_t left, slice;

	p->kicked = 0;
	do {
		left = deadline - time_mono_ms();
		slice = left < 1000 ? (left > 0 ? left : 0) : 1000;
		tell(p, slice);
		if (slice > 0 && receive(p, (int)slice, &m) == 1)
			leave("the gateway", "a message nobody asked for");
	} while (!stopping() && !p->kicked && deadline - time_mono_ms() > 0);
}

/* The gateway's figures, and its log level (a reload may change it). */
static void
took_state(struct proc *p, const struct upchan_msg *m)
{
	p->state = m->body.state;
	log_set_level((enum log_level)p->state.log_level);
}

static void
get_state(struct proc *p)
{
	struct upchan_msg m;

	send_msg(p, UPCHAN_STATE_REQ, NULL, 0);
	expect(p, UPCHAN_STATE, &m);
	took_state(p, &m);
}

/* ---- records ---------------------------------------------------------------- */

/*
 * Ask for the next batch and take its parts.  Returns its length (0: the
 * outbox is empty), with the payload in p->batch; *count records.
 */
static size_t
take_batch(struct proc *p, uint32_t *count)
{
	struct upchan_msg m;
	struct upchan_batch first;
	size_t have = 0;

	send_msg(p, UPCHAN_BATCH_REQ, NULL, 0);
	expect(p, UPCHAN_BATCH, &m);
	first = m.body.batch;
	*count = first.count;
	if (first.count == 0)
		return 0;
	free(p->batch);
	if ((p->batch = malloc(first.total)) == NULL)
		leave("batch", "out of memory");
	for (;;) {
		/* every part belongs to the same batch and follows the last */
		if (m.body.batch.count != first.count || m.body.batch.total != first.total ||
		    m.body.batch.first_seq != first.first_seq ||
		    m.body.batch.last_seq != first.last_seq || m.body.batch.offset != have)
			leave("the gateway", "a batch part out of order");
		memcpy(p->batch + have, m.data, m.data_len);
		have += m.data_len;
		if (have == first.total)
			break;
		expect(p, UPCHAN_BATCH, &m);
	}
	p->batch_last_seq = first.last_seq;
	return have;
}

/* The county's words in resp into out (size bytes, always terminated), each
 * control character a space: they go into the station's log and status. */
static void
response_text(const struct coaplink_response *resp, char *out, size_t size)
{
	size_t n = resp->len < size - 1 ? resp->len : size - 1;

	memset(out, 0, size);
	if (resp->data != NULL && n > 0)
		memcpy(out, resp->data, n);
	for (char *c = out; c < out + n; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';
}

/* Send one batch; returns records sent (0: nothing to send), or -1. */
static int
drain_once(struct proc *p, char *err, size_t errlen)
{
	struct coaplink_response resp;
	struct upchan_msg m;
	struct upchan_ack ack;
	struct wire_ack wack;
	uint32_t count;
	size_t len;
	int64_t last_seq;

	if ((len = take_batch(p, &count)) == 0)
		return 0;
	last_seq = p->batch_last_seq;
	tell(p, REQUEST_TIMEOUT_MS);
	if (coaplink_request(p->link, "POST", "records", NULL, COAPLINK_FORMAT_CBOR,
	        COAPLINK_FORMAT_CBOR, p->batch, len, REQUEST_TIMEOUT_MS, &resp, err, errlen) == -1)
		return -1;
	if (resp.code == 400) {
		/* refused, nothing stored: the gateway finds the record (uplink.c) */
		struct upchan_refused refused;

		memset(&refused, 0, sizeof(refused));
		refused.code = 400;
		response_text(&resp, refused.reason, sizeof(refused.reason));
		coaplink_response_free(&resp);
		send_msg(p, UPCHAN_REFUSED, &refused, sizeof(refused));
		expect(p, UPCHAN_STATE, &m);
		took_state(p, &m);
		return err_set(err, errlen, "county refused a batch of %u records (4.00): %s",
		    (unsigned)count, refused.reason);
	}
	if (resp.code != 204) {
		/* the county's reason, shown by gasctl status (5.03: over its
		 * records_day_max until the time it names); the batch stays in
		 * the outbox and is sent again */
		char why[160];

		response_text(&resp, why, sizeof(why));
		if (resp.code == 503)
			p->busy_until_ms = time_mono_ms() + BUSY_WAIT_MS;
		err_set(err, errlen, "county answered %d.%02d to a batch%s%s", resp.code / 100,
		    resp.code % 100, why[0] != '\0' ? ": " : "", why);
		coaplink_response_free(&resp);
		return -1;
	}
	if (wire_decode_ack(resp.data, resp.len, &wack, err, errlen) == -1) {
		coaplink_response_free(&resp);
		return -1;
	}
	coaplink_response_free(&resp);
	memset(&ack, 0, sizeof(ack));
	ack.hwm = wack.hwm < 0 ? 0 : wack.hwm;
	ack.stored = wack.stored < 0 || wack.stored > WIRE_MAX_RECORDS ? 0 : wack.stored;
	ack.duplicates =
	    wack.duplicates < 0 || wack.duplicates > WIRE_MAX_RECORDS ? 0 : wack.duplicates;
	ack.held = wack.held < 0 ? 0 : wack.held;
	/* rows leave the outbox on the gateway's side, only below this mark */
	send_msg(p, UPCHAN_ACK, &ack, sizeof(ack));
	expect(p, UPCHAN_STATE, &m);
	took_state(p, &m);
	p->last_error[0] = '\0';
	/* a mark below the batch: a record set aside (or lost) before it; the
	 * gateway, which knows which, says so */
	if (ack.hwm < last_seq)
		log_debug("county holds up to seq %lld of %lld sent", (long long)ack.hwm,
		    (long long)last_seq);
	log_debug("%u records sent, county holds up to %lld, %lld waiting", (unsigned)count,
	    (long long)ack.hwm, (long long)p->state.backlog);
	return (int)count;
}

/* ---- heartbeat and registry ---------------------------------------------------- */

static int
heartbeat(struct proc *p, char *err, size_t errlen)
{
	struct coaplink_response resp;
	struct wire_heartbeat hb;
	struct upchan_mark mark;
	struct wire_ack wack;
	char why[160] = "";
	uint8_t *payload = NULL;
	size_t len;
	int rc = -1;

	get_state(p);
	memset(&hb, 0, sizeof(hb));
	str_copy(hb.station, p->config.station_id, sizeof(hb.station));
	str_copy(hb.township, p->config.township, sizeof(hb.township));
	hb.at_ms = time_wall_ms();
	hb.backlog = p->state.backlog;
	hb.oldest_ms = p->state.oldest_ms;
	hb.last_ack = p->state.last_ack;
	hb.registry_version = p->state.registry_version;
	station_status_format(hb.status, sizeof(hb.status), (long long)hb.backlog,
	    (long long)p->state.aside);
	if (wire_encode_heartbeat(&hb, &payload, &len) == -1)
		return err_set(err, errlen, "cannot encode a heartbeat");
	tell(p, REQUEST_TIMEOUT_MS);
	if (coaplink_request(p->link, "POST", "heartbeat", NULL, COAPLINK_FORMAT_CBOR,
	        COAPLINK_NONE, payload, len, REQUEST_TIMEOUT_MS, &resp, err, errlen) == -1)
		goto out;
	rc = resp.code == 204 ? 0 : err_set(err, errlen, "heartbeat answered %d", resp.code);
	/* the county's mark for this station (an ACK's encoding; a county of
	 * before answers nothing): the gateway learns from it that the county
	 * lost records it had acknowledged, even with nothing new to send */
	if (rc == 0 && resp.len > 0) {
		if (wire_decode_ack(resp.data, resp.len, &wack, why, sizeof(why)) == 0 &&
		    wack.hwm >= 0) {
			memset(&mark, 0, sizeof(mark));
			mark.hwm = wack.hwm;
			mark.held = wack.held < 0 ? 0 : wack.held;
			send_msg(p, UPCHAN_MARK, &mark, sizeof(mark));
		} else {
			log_debug("heartbeat answer not understood: %s", why);
		}
	}
	coaplink_response_free(&resp);
out:
	free(payload);
	return rc;
}

/* Hand one decoded delta to the gateway; returns the version it now holds
 * or -1 (err: why the gateway refused it). */
static int64_t
hand_over(struct proc *p, const struct wire_registry *reg, char *err, size_t errlen)
{
	struct upchan_registry_end end;
	struct wire_registry_row row;
	struct upchan_msg m;
	size_t i;

	for (i = 0; i < reg->count; i++) {
		/* whole struct copied: its padding is zero, not stack garbage */
		memset(&row, 0, sizeof(row));
		str_copy(row.serial, reg->rows[i].serial, sizeof(row.serial));
		str_copy(row.status, reg->rows[i].status, sizeof(row.status));
		str_copy(row.last_inspection, reg->rows[i].last_inspection,
		    sizeof(row.last_inspection));
		str_copy(row.next_inspection, reg->rows[i].next_inspection,
		    sizeof(row.next_inspection));
		str_copy(row.owner, reg->rows[i].owner, sizeof(row.owner));
		row.version = reg->rows[i].version;
		send_msg(p, UPCHAN_REGISTRY_ROW, &row, sizeof(row));
	}
	memset(&end, 0, sizeof(end));
	end.version = reg->version;
	end.count = (uint32_t)reg->count;
	end.more = reg->more ? 1 : 0;
	send_msg(p, UPCHAN_REGISTRY_END, &end, sizeof(end));
	expect(p, UPCHAN_REGISTRY_DONE, &m);
	if (!m.body.registry_done.ok)
		return err_set(err, errlen, "registry delta refused: %s",
		    m.body.registry_done.error);
	return m.body.registry_done.version;
}

static int
pull_registry(struct proc *p, char *err, size_t errlen)
{
	struct coaplink_response resp;
	struct wire_registry reg;
	char query[40];
	int64_t since;
	int more = 1, rounds = 0;

	get_state(p);
	since = p->state.registry_version;
	while (more && rounds++ < 100 && !stopping()) {
		snprintf(query, sizeof(query), "since=%lld", (long long)since);
		tell(p, REQUEST_TIMEOUT_MS);
		if (coaplink_request(p->link, "GET", "registry", query, COAPLINK_NONE,
		        COAPLINK_FORMAT_CBOR, NULL, 0, REQUEST_TIMEOUT_MS, &resp, err,
		        errlen) == -1)
			return -1;
		if (resp.code != 205) {
			coaplink_response_free(&resp);
			return err_set(err, errlen, "registry answered %d", resp.code);
		}
		if (wire_decode_registry(resp.data, resp.len, &reg, err, errlen) == -1) {
			coaplink_response_free(&resp);
			return -1;
		}
		coaplink_response_free(&resp);
		since = hand_over(p, &reg, err, errlen);
		more = reg.more;
		wire_registry_free(&reg);
		if (since == -1)
			return -1;
	}
	return 0;
}

/* ---- the loop ------------------------------------------------------------------ */

static void
run(struct proc *p)
{
	char err[256];
	int64_t now, window_start = time_mono_ms(), window_sent = 0, next, last_batch_ms = 0;
	int sent;

	while (!stopping()) {
		now = time_mono_ms();
		if (coaplink_backoff_left_ms(p->link) > 0) {
			idle(p, now + coaplink_backoff_left_ms(p->link));
			continue;
		}
		if (p->config.heartbeat_s > 0 && now >= p->next_heartbeat_ms) {
			/* after a failure, try again within seconds (the link's own
			 * back-off still applies) */
			if (heartbeat(p, err, sizeof(err)) == -1) {
				set_error(p, err);
				p->next_heartbeat_ms = now + RETRY_MS;
				continue;
			}
			p->next_heartbeat_ms = now + (int64_t)p->config.heartbeat_s * 1000;
		}
		if (p->config.registry_pull_s > 0 && now >= p->next_registry_ms) {
			if (pull_registry(p, err, sizeof(err)) == -1) {
				set_error(p, err);
				log_info("registry pull: %s", err);
				p->next_registry_ms = now + RETRY_MS;
				continue;
			}
			p->next_registry_ms = now + (int64_t)p->config.registry_pull_s * 1000;
		}
		if (now < p->busy_until_ms) { /* heartbeats and pulls go on meanwhile */
			next = p->busy_until_ms;
			if (p->config.heartbeat_s > 0 && p->next_heartbeat_ms < next)
				next = p->next_heartbeat_ms;
			if (p->config.registry_pull_s > 0 && p->next_registry_ms < next)
				next = p->next_registry_ms;
			idle(p, next);
			continue;
		}
		sent = drain_once(p, err, sizeof(err));
		if (sent == -1) {
			set_error(p, err);
			log_info("%s", err);
			/* a refused or failed batch is retried after the link's back-off,
			 * or after a short pause if the link itself is fine */
			if (coaplink_backoff_left_ms(p->link) == 0)
				idle(p, time_mono_ms() + 1000);
			continue;
		}
		if (sent == 0) {
			next = now + IDLE_WAIT_MS;
			if (p->config.heartbeat_s > 0 && p->next_heartbeat_ms < next)
				next = p->next_heartbeat_ms;
			idle(p, next);
			continue;
		}
		/* rate limit: at most `rate` records a second, measured over a
		 * window so that batches need not be tiny */
		if (p->config.rate > 0) {
			/* a pause in sending (idle, outage, back-off) earns no
			 * credit: after it the window restarts with this batch,
			 * so a backlog drains at `rate`, not in a burst */
			if (now - last_batch_ms > 1000) {
				window_start = now;
				window_sent = 0;
			}
			window_sent += sent;
			next = window_start + window_sent * 1000 / p->config.rate;
			while (!stopping() && time_mono_ms() < next)
				idle(p, next);
			if (time_mono_ms() - window_start > 10000) {
				window_start = time_mono_ms();
				window_sent = 0;
			}
			last_batch_ms = time_mono_ms();
		}
	}
}

/* ---- start ----------------------------------------------------------------------- */

/* Become the configured user, keep no capability, gain none later. */
static int
drop_privileges(const struct upchan_config *c, char *err, size_t errlen)
{
	struct __user_cap_header_struct head = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
	gid_t gid = (gid_t)c->gid;

	if (c->switch_user) {
		if (c->uid == 0)
			return err_set(err, errlen, "refusing to run as root (uplink_user %s)",
			    c->user);
		if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 ||
		    setresuid((uid_t)c->uid, (uid_t)c->uid, (uid_t)c->uid) == -1)
			return err_set(err, errlen, "cannot become %s (uid %u): %s", c->user,
			    (unsigned)c->uid, strerror(errno));
	}
	/* the uid change cleared them if we were root; a gateway that was
	 * given CAP_SETUID instead passes it on unless it is dropped here */
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	memset(caps, 0, sizeof(caps));
	if (syscall(SYS_capset, &head, caps) == -1)
		return err_set(err, errlen, "cannot drop capabilities: %s", strerror(errno));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return err_set(err, errlen, "no_new_privs: %s", strerror(errno));
	/* nobody of the same uid may trace it or read its memory (the PSK) */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (c->switch_user && (setuid(0) != -1 || getuid() != (uid_t)c->uid ||
	                          geteuid() != (uid_t)c->uid || getegid() != gid))
		return err_set(err, errlen, "privileges could be regained");
	return 0;
}

int
uplinkproc_main(void)
{
	struct coaplink_config lc;
	struct sigaction sa;
	struct upchan_msg m;
	struct proc *p;
	char err[256];
	size_t len;
	pid_t parent = getppid();
	int rc;

	(void)prctl(PR_SET_NAME, "gasgw-uplink", 0, 0, 0);
	log_init("gasgw-uplink", 1, LOG_LEVEL_WARN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return 1;
	p->fd = UPCHAN_FD;
	/* CONFIG comes first, from the gateway that started us */
	rc = upchan_recv(p->fd, p->buf, &len, GATEWAY_ANSWER_MS, err, sizeof(err));
	if (rc != 1) {
		fprintf(stderr,
		    "gasgw: %s is started by gasgw itself, with its channel on "
		    "descriptor %d (%s)\n",
		    UPLINKPROC_FLAG, UPCHAN_FD, rc == 0 ? "no configuration came" : err);
		free(p);
		return 2;
	}
	if (upchan_parse(p->buf, len, UPCHAN_FROM_GATEWAY, &m, err, sizeof(err)) == -1 ||
	    m.type != UPCHAN_CONFIG) {
		log_warnx("the first message is not a configuration: %s",
		    m.type == UPCHAN_CONFIG ? err : upchan_type_name(m.type));
		free(p);
		return 1;
	}
	p->config = m.body.config;
	OPENSSL_cleanse(&m, sizeof(m));
	OPENSSL_cleanse(p->buf, sizeof(p->buf));
	log_init("gasgw-uplink", p->config.foreground, (enum log_level)p->config.log_level);
	if (drop_privileges(&p->config, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		OPENSSL_cleanse(p, sizeof(*p));
		free(p);
		return 1;
	}
	/* a change of user cleared the parent-death signal: set it again, then
	 * make sure the gateway did not go in between */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		return 0;

	memset(&lc, 0, sizeof(lc));
	str_copy(lc.host, p->config.host, sizeof(lc.host));
	lc.port = p->config.port;
	str_copy(lc.identity, p->config.identity, sizeof(lc.identity));
	memcpy(lc.key, p->config.key, p->config.key_len);
	lc.key_len = p->config.key_len;
	lc.ack_timeout_ms = p->config.ack_timeout_ms;
	lc.max_retransmit = p->config.max_retransmit;
	lc.backoff_max_ms = p->config.backoff_max_ms;
	lc.cancel = &stop_requested;
	rc = coaplink_new(&lc, &p->link, err, sizeof(err));
	OPENSSL_cleanse(&lc, sizeof(lc));
	OPENSSL_cleanse(p->config.key, sizeof(p->config.key));
	if (rc == -1) {
		log_warnx("%s", err);
		free(p);
		return 1;
	}
	log_info("uplink process %d to %s:%d as %s, running as uid %u", (int)getpid(),
	    p->config.host, p->config.port, p->config.identity, (unsigned)getuid());
	run(p);
	coaplink_free(p->link);
	free(p->batch);
	free(p);
	return 0;
}
