/*
 * upchan: typed, length-checked messages between gasgw and its uplink
 * process (see upchan.h).  Both ends run the same binary, so bodies are
 * plain C structs; what the receiver trusts is only what upchan_parse has
 * checked field by field.
 */
#include "upchan.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "util.h"

/* What each type may carry, and from whom. */
static const struct {
	uint32_t type;
	const char *name;
	enum upchan_from from;
	size_t body; /* exact body size (BATCH: at least, then data) */
} upchan_types[] = {
	{ UPCHAN_CONFIG, "CONFIG", UPCHAN_FROM_GATEWAY, sizeof(struct upchan_config) },
	{ UPCHAN_KICK, "KICK", UPCHAN_FROM_GATEWAY, 0 },
	{ UPCHAN_STATE, "STATE", UPCHAN_FROM_GATEWAY, sizeof(struct upchan_state) },
	{ UPCHAN_BATCH, "BATCH", UPCHAN_FROM_GATEWAY, sizeof(struct upchan_batch) },
	{ UPCHAN_REGISTRY_DONE, "REGISTRY_DONE", UPCHAN_FROM_GATEWAY,
	    sizeof(struct upchan_registry_done) },
	{ UPCHAN_STATUS, "STATUS", UPCHAN_FROM_UPLINK, sizeof(struct upchan_status) },
	{ UPCHAN_STATE_REQ, "STATE_REQ", UPCHAN_FROM_UPLINK, 0 },
	{ UPCHAN_BATCH_REQ, "BATCH_REQ", UPCHAN_FROM_UPLINK, 0 },
	{ UPCHAN_ACK, "ACK", UPCHAN_FROM_UPLINK, sizeof(struct upchan_ack) },
	{ UPCHAN_REGISTRY_ROW, "REGISTRY_ROW", UPCHAN_FROM_UPLINK,
	    sizeof(struct wire_registry_row) },
	{ UPCHAN_REGISTRY_END, "REGISTRY_END", UPCHAN_FROM_UPLINK,
	    sizeof(struct upchan_registry_end) },
	{ UPCHAN_REFUSED, "REFUSED", UPCHAN_FROM_UPLINK, sizeof(struct upchan_refused) },
	{ UPCHAN_MARK, "MARK", UPCHAN_FROM_UPLINK, sizeof(struct upchan_mark) },
};
#define UPCHAN_NTYPES (sizeof(upchan_types) / sizeof(upchan_types[0]))

const char *
upchan_type_name(uint32_t type)
{
	size_t i;

	for (i = 0; i < UPCHAN_NTYPES; i++)
		if (upchan_types[i].type == type)
			return upchan_types[i].name;
	return "?";
}

/* A text field: terminated inside its array, no control characters;
 * empty only when allowed. */
static int
text_ok(const char *s, size_t size, int may_be_empty)
{
	const char *end = memchr(s, '\0', size);
	const char *p;

	if (end == NULL || (!may_be_empty && end == s))
		return 0;
	for (p = s; p < end; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* "c->host" -> "host": the field's own name, for the reason */
static const char *
field_name(const char *expression)
{
	const char *p, *name = expression;

	for (p = expression; *p != '\0'; p++)
		if (*p == '.' || *p == '>')
			name = p + 1;
	return name;
}

#define TEXT(field, empty)                                                                         \
	do {                                                                                       \
		if (!text_ok((field), sizeof(field), (empty)))                                     \
			return err_set(err, errlen, "%s: %s is not text", name,                    \
			    field_name(#field));                                                   \
	} while (0)
#define RANGE(value, lo, hi)                                                                       \
	do {                                                                                       \
		if ((long long)(value) < (long long)(lo) || (long long)(value) > (long long)(hi))  \
			return err_set(err, errlen, "%s: %s = %lld is out of range", name,         \
			    field_name(#value), (long long)(value));                               \
	} while (0)

/* The fields of one body, by type (the length is already right). */
static int
check_body(const struct upchan_msg *m, const char *name, char *err, size_t errlen)
{
	switch (m->type) {
	case UPCHAN_CONFIG: {
		const struct upchan_config *c = &m->body.config;

		if (c->version != UPCHAN_VERSION)
			return err_set(err, errlen, "%s: version %u, this is %u", name,
			    (unsigned)c->version, UPCHAN_VERSION);
		RANGE(c->log_level, 0, 2);
		RANGE(c->foreground, 0, 1);
		RANGE(c->switch_user, 0, 1);
		TEXT(c->user, 1);
		TEXT(c->host, 0);
		RANGE(c->port, 1, 65535);
		TEXT(c->station_id, 0);
		TEXT(c->township, 1);
		TEXT(c->identity, 0);
		RANGE(c->key_len, 1, PSK_MAX_KEY);
		RANGE(c->rate, 0, 1000000);
		RANGE(c->heartbeat_s, 0, 86400);
		RANGE(c->registry_pull_s, 0, 86400 * 7);
		RANGE(c->ack_timeout_ms, 0, 60000);
		RANGE(c->max_retransmit, 0, 20);
		RANGE(c->backoff_max_ms, 0, 3600000);
		return 0;
	}
	case UPCHAN_STATE: {
		const struct upchan_state *s = &m->body.state;

		RANGE(s->backlog, 0, INT64_MAX);
		RANGE(s->oldest_ms, 0, INT64_MAX);
		RANGE(s->last_ack, 0, INT64_MAX);
		RANGE(s->registry_version, 0, INT64_MAX);
		RANGE(s->log_level, 0, 2);
		RANGE(s->aside, 0, INT32_MAX);
		return 0;
	}
	case UPCHAN_BATCH: {
		const struct upchan_batch *b = &m->body.batch;

		RANGE(b->count, 0, WIRE_MAX_RECORDS);
		RANGE(b->total, 0, UPCHAN_MAX_BATCH);
		if ((b->count == 0) != (b->total == 0))
			return err_set(err, errlen, "%s: %u records in %u bytes", name,
			    (unsigned)b->count, (unsigned)b->total);
		if (b->count > 0 && (b->first_seq < 1 || b->last_seq < b->first_seq))
			return err_set(err, errlen, "%s: seq %lld..%lld", name,
			    (long long)b->first_seq, (long long)b->last_seq);
		if (b->offset > b->total || m->data_len > b->total - b->offset)
			return err_set(err, errlen, "%s: %zu bytes at %u pass the end (%u)", name,
			    m->data_len, (unsigned)b->offset, (unsigned)b->total);
		if (b->count > 0 && m->data_len == 0)
			return err_set(err, errlen, "%s: an empty part", name);
		return 0;
	}
	case UPCHAN_REGISTRY_DONE:
		RANGE(m->body.registry_done.version, 0, INT64_MAX);
		RANGE(m->body.registry_done.ok, 0, 1);
		TEXT(m->body.registry_done.error, 1);
		return 0;
	case UPCHAN_STATUS:
		RANGE(m->body.status.connected, 0, 1);
		RANGE(m->body.status.quiet_ms, 0, UPCHAN_MAX_QUIET_MS);
		TEXT(m->body.status.last_error, 1);
		return 0;
	case UPCHAN_ACK:
		RANGE(m->body.ack.hwm, 0, INT64_MAX);
		RANGE(m->body.ack.stored, 0, WIRE_MAX_RECORDS);
		RANGE(m->body.ack.duplicates, 0, WIRE_MAX_RECORDS);
		RANGE(m->body.ack.held, 0, INT64_MAX);
		return 0;
	case UPCHAN_MARK:
		RANGE(m->body.mark.hwm, 0, INT64_MAX);
		RANGE(m->body.mark.held, 0, INT64_MAX);
		return 0;
	case UPCHAN_REFUSED:
		RANGE(m->body.refused.code, 400, 400);
		RANGE(m->body.refused.reserved, 0, 0);
		TEXT(m->body.refused.reason, 1);
		return 0;
	case UPCHAN_REGISTRY_ROW: {
		const struct wire_registry_row *r = &m->body.registry_row;

		TEXT(r->serial, 0);
		TEXT(r->status, 0);
		TEXT(r->last_inspection, 1);
		TEXT(r->next_inspection, 1);
		TEXT(r->owner, 1);
		RANGE(r->version, 0, INT64_MAX);
		return 0;
	}
	case UPCHAN_REGISTRY_END:
		RANGE(m->body.registry_end.version, 0, INT64_MAX);
		RANGE(m->body.registry_end.count, 0, WIRE_MAX_ROWS);
		RANGE(m->body.registry_end.more, 0, 1);
		return 0;
	case UPCHAN_KICK:
	case UPCHAN_STATE_REQ:
	case UPCHAN_BATCH_REQ:
		return 0;
	}
	return err_set(err, errlen, "type %u is unknown", (unsigned)m->type);
}

#undef TEXT
#undef RANGE

int
upchan_parse(const uint8_t *buf, size_t len, enum upchan_from from, struct upchan_msg *msg,
    char *err, size_t errlen)
{
	struct upchan_header h;
	size_t i, body;

	memset(msg, 0, sizeof(*msg));
	if (len < sizeof(h))
		return err_set(err, errlen, "%zu bytes: shorter than a header", len);
	if (len > UPCHAN_MAX_MSG)
		return err_set(err, errlen, "%zu bytes: longer than %d", len, UPCHAN_MAX_MSG);
	memcpy(&h, buf, sizeof(h));
	for (i = 0; i < UPCHAN_NTYPES && upchan_types[i].type != h.type; i++)
		;
	if (i == UPCHAN_NTYPES)
		return err_set(err, errlen, "type %u is unknown", (unsigned)h.type);
	if (upchan_types[i].from != from)
		return err_set(err, errlen, "%s: not a message this side sends",
		    upchan_types[i].name);
	if (h.len != len - sizeof(h))
		return err_set(err, errlen, "%s: header says %u bytes, %zu came",
		    upchan_types[i].name, (unsigned)h.len, len - sizeof(h));
	body = upchan_types[i].body;
	if (h.type == UPCHAN_BATCH ? h.len < body : h.len != body)
		return err_set(err, errlen, "%s: %u bytes, expected %zu", upchan_types[i].name,
		    (unsigned)h.len, body);
	msg->type = (enum upchan_type)h.type;
	memcpy(&msg->body, buf + sizeof(h), body);
	if (h.type == UPCHAN_BATCH) {
		msg->data = buf + sizeof(h) + body;
		msg->data_len = h.len - body;
	}
	if (check_body(msg, upchan_types[i].name, err, errlen) == -1) {
		memset(msg, 0, sizeof(*msg));
		return -1;
	}
	return 0;
}

size_t
upchan_encode(uint32_t type, const void *body, size_t body_len, const void *data, size_t data_len,
    uint8_t *buf, size_t buflen)
{
	struct upchan_header h;
	size_t total = sizeof(h) + body_len + data_len;

	if (body_len > UPCHAN_MAX_MSG || data_len > UPCHAN_MAX_MSG || total > UPCHAN_MAX_MSG ||
	    total > buflen)
		return 0;
	h.type = type;
	h.len = (uint32_t)(body_len + data_len);
	memcpy(buf, &h, sizeof(h));
	if (body_len > 0)
		memcpy(buf + sizeof(h), body, body_len);
	if (data_len > 0)
		memcpy(buf + sizeof(h) + body_len, data, data_len);
	return total;
}

int
upchan_send(int fd, uint32_t type, const void *body, size_t body_len, const void *data,
    size_t data_len, int timeout_ms, char *err, size_t errlen)
{
	uint8_t buf[UPCHAN_MAX_MSG];
	int64_t deadline = time_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	struct pollfd pfd;
	size_t len;
	ssize_t n;

	if ((len = upchan_encode(type, body, body_len, data, data_len, buf, sizeof(buf))) == 0)
		return err_set(err, errlen, "%s: too long for the channel", upchan_type_name(type));
	for (;;) {
		n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n == (ssize_t)len)
			return 0;
		if (n >= 0)
			return err_set(err, errlen, "%s: sent in part", upchan_type_name(type));
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return err_set(err, errlen, "%s: %s", upchan_type_name(type),
			    errno == EPIPE || errno == ECONNRESET ? "closed" : strerror(errno));
		if (time_mono_ms() >= deadline)
			return err_set(err, errlen, "%s: the other end reads nothing",
			    upchan_type_name(type));
		pfd.fd = fd;
		pfd.events = POLLOUT;
		pfd.revents = 0;
		if (poll(&pfd, 1, (int)(deadline - time_mono_ms() + 1)) == -1 && errno != EINTR)
			return err_set(err, errlen, "poll: %s", strerror(errno));
	}
}

int
upchan_recv(int fd, uint8_t *buf, size_t *len, int timeout_ms, char *err, size_t errlen)
{
	struct pollfd pfd;
	struct iovec iov;
	struct msghdr mh;
	int64_t deadline = time_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	ssize_t n;
	int wait;

	*len = 0;
	for (;;) {
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = buf;
		iov.iov_len = UPCHAN_MAX_MSG;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n > 0) {
			if (mh.msg_flags & MSG_TRUNC)
				return err_set(err, errlen, "a message longer than %d bytes",
				    UPCHAN_MAX_MSG);
			*len = (size_t)n;
			return 1;
		}
		if (n == 0)
			return err_set(err, errlen, "closed");
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return err_set(err, errlen, "%s",
			    errno == ECONNRESET ? "closed" : strerror(errno));
		if (timeout_ms == 0)
			return 0;
		if (timeout_ms < 0) {
			wait = -1;
		} else {
			if (time_mono_ms() >= deadline)
				return 0;
			wait = (int)(deadline - time_mono_ms() + 1);
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, wait) == -1 && errno != EINTR)
			return err_set(err, errlen, "poll: %s", strerror(errno));
	}
}
