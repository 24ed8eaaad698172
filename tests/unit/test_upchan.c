/*
 * upchan: the channel between gasgw and its uplink process.  Every message
 * type parses when well formed and only from its own side; a message that
 * is short, long, of an unknown type, with text that is not terminated or
 * holds control characters, or with a number out of range is refused with
 * a reason (a table of cases, each naming itself on failure).  Over a real
 * socket pair: a message arrives whole, a message longer than the limit is
 * refused, not cut, a closed peer and a timeout are told apart.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "upchan.h"
#include "util.h"

/* ---- well-formed bodies ------------------------------------------------------ */

static struct upchan_config
good_config(void)
{
	struct upchan_config c;

	memset(&c, 0, sizeof(c));
	c.version = UPCHAN_VERSION;
	c.log_level = 1;
	c.foreground = 1;
	c.switch_user = 1;
	c.uid = 65534;
	c.gid = 65534;
	str_copy(c.user, "nobody", sizeof(c.user));
	str_copy(c.host, "county.example", sizeof(c.host));
	c.port = 5684;
	str_copy(c.station_id, "S01", sizeof(c.station_id));
	str_copy(c.township, "330825101", sizeof(c.township));
	str_copy(c.identity, "station:S01", sizeof(c.identity));
	memset(c.key, 0x5a, 16);
	c.key_len = 16;
	c.rate = 5000;
	c.heartbeat_s = 60;
	c.registry_pull_s = 300;
	return c;
}

static struct upchan_status
good_status(void)
{
	struct upchan_status s;

	memset(&s, 0, sizeof(s));
	s.connected = 1;
	s.quiet_ms = 3500;
	s.sessions = 2;
	str_copy(s.last_error, "county answered 5.03", sizeof(s.last_error));
	return s;
}

static struct wire_registry_row
good_row(void)
{
	struct wire_registry_row r;

	memset(&r, 0, sizeof(r));
	str_copy(r.serial, "C-GOOD-1", sizeof(r.serial));
	str_copy(r.status, "scrapped", sizeof(r.status));
	str_copy(r.last_inspection, "2024-06-01", sizeof(r.last_inspection));
	str_copy(r.owner, "Longyou Gas", sizeof(r.owner));
	r.version = 7;
	return r;
}

static struct upchan_batch
good_batch(void)
{
	struct upchan_batch b;

	memset(&b, 0, sizeof(b));
	b.first_seq = 11;
	b.last_seq = 20;
	b.count = 10;
	b.total = 100;
	b.offset = 90;
	return b;
}

/* ---- the table ------------------------------------------------------------------ */

/* Each builder lays out one message in buf and returns its length. */
typedef size_t (*builder)(uint8_t *buf);

#define ENCODE(type, body)                                                                         \
	upchan_encode((type), &(body), sizeof(body), NULL, 0, buf, UPCHAN_MAX_MSG)

static size_t
config_ok(uint8_t *buf)
{
	struct upchan_config c = good_config();
	return ENCODE(UPCHAN_CONFIG, c);
}

static size_t
config_other_version(uint8_t *buf)
{
	struct upchan_config c = good_config();
	c.version = UPCHAN_VERSION + 1;
	return ENCODE(UPCHAN_CONFIG, c);
}

static size_t
config_key_too_long(uint8_t *buf)
{
	struct upchan_config c = good_config();
	c.key_len = PSK_MAX_KEY + 1;
	return ENCODE(UPCHAN_CONFIG, c);
}

static size_t
config_host_unterminated(uint8_t *buf)
{
	struct upchan_config c = good_config();
	memset(c.host, 'h', sizeof(c.host));
	return ENCODE(UPCHAN_CONFIG, c);
}

static size_t
kick_ok(uint8_t *buf)
{
	return upchan_encode(UPCHAN_KICK, NULL, 0, NULL, 0, buf, UPCHAN_MAX_MSG);
}

static size_t
kick_with_a_body(uint8_t *buf)
{
	uint32_t x = 1;
	return ENCODE(UPCHAN_KICK, x);
}

static size_t
state_negative_backlog(uint8_t *buf)
{
	struct upchan_state s;
	memset(&s, 0, sizeof(s));
	s.backlog = -1;
	return ENCODE(UPCHAN_STATE, s);
}

static size_t
batch_ok(uint8_t *buf)
{
	struct upchan_batch b = good_batch();
	return upchan_encode(UPCHAN_BATCH, &b, sizeof(b), "0123456789", 10, buf, UPCHAN_MAX_MSG);
}

static size_t
batch_empty_outbox(uint8_t *buf)
{
	struct upchan_batch b;
	memset(&b, 0, sizeof(b));
	return ENCODE(UPCHAN_BATCH, b);
}

static size_t
batch_part_past_the_end(uint8_t *buf)
{
	struct upchan_batch b = good_batch();
	return upchan_encode(UPCHAN_BATCH, &b, sizeof(b), "0123456789A", 11, buf, UPCHAN_MAX_MSG);
}

static size_t
batch_records_without_bytes(uint8_t *buf)
{
	struct upchan_batch b = good_batch();
	b.total = 0;
	b.offset = 0;
	return ENCODE(UPCHAN_BATCH, b);
}

static size_t
batch_too_large(uint8_t *buf)
{
	struct upchan_batch b = good_batch();
	b.total = UPCHAN_MAX_BATCH + 1;
	return upchan_encode(UPCHAN_BATCH, &b, sizeof(b), "0123456789", 10, buf, UPCHAN_MAX_MSG);
}

static size_t
batch_seq_backwards(uint8_t *buf)
{
	struct upchan_batch b = good_batch();
	b.last_seq = 3;
	return upchan_encode(UPCHAN_BATCH, &b, sizeof(b), "0123456789", 10, buf, UPCHAN_MAX_MSG);
}

static size_t
status_ok(uint8_t *buf)
{
	struct upchan_status s = good_status();
	return ENCODE(UPCHAN_STATUS, s);
}

static size_t
status_connected_two(uint8_t *buf)
{
	struct upchan_status s = good_status();
	s.connected = 2;
	return ENCODE(UPCHAN_STATUS, s);
}

static size_t
status_endless_silence(uint8_t *buf)
{
	struct upchan_status s = good_status();
	s.quiet_ms = UPCHAN_MAX_QUIET_MS + 1;
	return ENCODE(UPCHAN_STATUS, s);
}

static size_t
status_error_with_newline(uint8_t *buf)
{
	struct upchan_status s = good_status();
	str_copy(s.last_error, "fine\nFORGED LOG LINE", sizeof(s.last_error));
	return ENCODE(UPCHAN_STATUS, s);
}

static size_t
ack_ok(uint8_t *buf)
{
	struct upchan_ack a = { 20, 10, 0, 0 };
	return ENCODE(UPCHAN_ACK, a);
}

static size_t
ack_negative_mark(uint8_t *buf)
{
	struct upchan_ack a = { -1, 10, 0, 0 };
	return ENCODE(UPCHAN_ACK, a);
}

static size_t
ack_negative_held(uint8_t *buf)
{
	struct upchan_ack a = { 20, 10, 0, -1 };
	return ENCODE(UPCHAN_ACK, a);
}

static size_t
mark_negative_held(uint8_t *buf)
{
	struct upchan_mark k = { 20, -5 };
	return ENCODE(UPCHAN_MARK, k);
}

static size_t
mark_ok(uint8_t *buf)
{
	struct upchan_mark k = { 20, 0 };
	return ENCODE(UPCHAN_MARK, k);
}

static size_t
mark_negative(uint8_t *buf)
{
	struct upchan_mark k = { -1, 0 };
	return ENCODE(UPCHAN_MARK, k);
}

static size_t
ack_seven_bytes(uint8_t *buf)
{
	struct upchan_ack a = { 20, 10, 0, 0 };
	return upchan_encode(UPCHAN_ACK, &a, 7, NULL, 0, buf, UPCHAN_MAX_MSG);
}

static size_t
ack_header_lies(uint8_t *buf)
{
	struct upchan_ack a = { 20, 10, 0, 0 };
	size_t n = ENCODE(UPCHAN_ACK, a);
	struct upchan_header h;

	memcpy(&h, buf, sizeof(h));
	h.len += 8; /* claims more than came */
	memcpy(buf, &h, sizeof(h));
	return n;
}

static size_t
row_ok(uint8_t *buf)
{
	struct wire_registry_row r = good_row();
	return ENCODE(UPCHAN_REGISTRY_ROW, r);
}

static size_t
row_without_serial(uint8_t *buf)
{
	struct wire_registry_row r = good_row();
	r.serial[0] = '\0';
	return ENCODE(UPCHAN_REGISTRY_ROW, r);
}

static size_t
row_owner_unterminated(uint8_t *buf)
{
	struct wire_registry_row r = good_row();
	memset(r.owner, 'x', sizeof(r.owner));
	return ENCODE(UPCHAN_REGISTRY_ROW, r);
}

static size_t
end_ok(uint8_t *buf)
{
	struct upchan_registry_end e = { 8, 1, 0 };
	return ENCODE(UPCHAN_REGISTRY_END, e);
}

static size_t
end_too_many_rows(uint8_t *buf)
{
	struct upchan_registry_end e = { 8, WIRE_MAX_ROWS + 1, 0 };
	return ENCODE(UPCHAN_REGISTRY_END, e);
}

static struct upchan_refused
good_refusal(void)
{
	struct upchan_refused r;

	memset(&r, 0, sizeof(r));
	r.code = 400;
	str_copy(r.reason, "record 1 (seq 2): btown 'TZ' is not a township of this county",
	    sizeof(r.reason));
	return r;
}

static size_t
refused_ok(uint8_t *buf)
{
	struct upchan_refused r = good_refusal();
	return ENCODE(UPCHAN_REFUSED, r);
}

static size_t
refused_other_code(uint8_t *buf)
{
	struct upchan_refused r = good_refusal();
	r.code = 503;
	return ENCODE(UPCHAN_REFUSED, r);
}

static size_t
refused_reason_with_escape(uint8_t *buf)
{
	struct upchan_refused r = good_refusal();
	r.reason[3] = 0x1b;
	return ENCODE(UPCHAN_REFUSED, r);
}

static size_t
refused_reason_unterminated(uint8_t *buf)
{
	struct upchan_refused r = good_refusal();
	memset(r.reason, 'x', sizeof(r.reason));
	return ENCODE(UPCHAN_REFUSED, r);
}

static size_t
unknown_type(uint8_t *buf)
{
	return upchan_encode(99, NULL, 0, NULL, 0, buf, UPCHAN_MAX_MSG);
}

static size_t
half_a_header(uint8_t *buf)
{
	memset(buf, 0, 5);
	return 5;
}

static size_t
too_long(uint8_t *buf)
{
	struct upchan_header h = { UPCHAN_STATE_REQ, UPCHAN_MAX_MSG };

	memcpy(buf, &h, sizeof(h));
	memset(buf + sizeof(h), 0, UPCHAN_MAX_MSG - sizeof(h));
	return UPCHAN_MAX_MSG + 1; /* one byte more than the limit */
}

static const struct {
	const char *name;
	builder build;
	enum upchan_from from;
	int ok;
	const char *reason; /* a part of err when refused */
} cases[] = {
	{ "config", config_ok, UPCHAN_FROM_GATEWAY, 1, NULL },
	{ "config from the uplink", config_ok, UPCHAN_FROM_UPLINK, 0, "not a message this side" },
	{ "config of another version", config_other_version, UPCHAN_FROM_GATEWAY, 0, "version" },
	{ "config with a key too long", config_key_too_long, UPCHAN_FROM_GATEWAY, 0, "key_len" },
	{ "config host unterminated", config_host_unterminated, UPCHAN_FROM_GATEWAY, 0,
	    "host is not text" },
	{ "kick", kick_ok, UPCHAN_FROM_GATEWAY, 1, NULL },
	{ "kick from the uplink", kick_ok, UPCHAN_FROM_UPLINK, 0, "not a message this side" },
	{ "kick with a body", kick_with_a_body, UPCHAN_FROM_GATEWAY, 0, "expected 0" },
	{ "state with a negative backlog", state_negative_backlog, UPCHAN_FROM_GATEWAY, 0,
	    "backlog" },
	{ "batch part", batch_ok, UPCHAN_FROM_GATEWAY, 1, NULL },
	{ "empty outbox", batch_empty_outbox, UPCHAN_FROM_GATEWAY, 1, NULL },
	{ "batch part past the end", batch_part_past_the_end, UPCHAN_FROM_GATEWAY, 0,
	    "pass the end" },
	{ "records without bytes", batch_records_without_bytes, UPCHAN_FROM_GATEWAY, 0,
	    "records in 0 bytes" },
	{ "batch too large", batch_too_large, UPCHAN_FROM_GATEWAY, 0, "total" },
	{ "batch seq backwards", batch_seq_backwards, UPCHAN_FROM_GATEWAY, 0, "seq 11..3" },
	{ "status", status_ok, UPCHAN_FROM_UPLINK, 1, NULL },
	{ "status from the gateway", status_ok, UPCHAN_FROM_GATEWAY, 0, "not a message this side" },
	{ "status connected 2", status_connected_two, UPCHAN_FROM_UPLINK, 0, "connected" },
	{ "status endless silence", status_endless_silence, UPCHAN_FROM_UPLINK, 0, "quiet_ms" },
	{ "status error with a newline", status_error_with_newline, UPCHAN_FROM_UPLINK, 0,
	    "last_error is not text" },
	{ "ack", ack_ok, UPCHAN_FROM_UPLINK, 1, NULL },
	{ "ack with a negative mark", ack_negative_mark, UPCHAN_FROM_UPLINK, 0, "hwm" },
	{ "a heartbeat's mark", mark_ok, UPCHAN_FROM_UPLINK, 1, NULL },
	{ "a negative heartbeat's mark", mark_negative, UPCHAN_FROM_UPLINK, 0, "hwm" },
	{ "ack with a negative count held", ack_negative_held, UPCHAN_FROM_UPLINK, 0, "held" },
	{ "a heartbeat's mark with a negative count held", mark_negative_held, UPCHAN_FROM_UPLINK,
	    0, "held" },
	{ "a heartbeat's mark from the gateway", mark_ok, UPCHAN_FROM_GATEWAY, 0,
	    "not a message this side" },
	{ "ack of seven bytes", ack_seven_bytes, UPCHAN_FROM_UPLINK, 0, "7 bytes, expected 32" },
	{ "ack whose header lies", ack_header_lies, UPCHAN_FROM_UPLINK, 0, "header says 40" },
	{ "registry row", row_ok, UPCHAN_FROM_UPLINK, 1, NULL },
	{ "registry row without serial", row_without_serial, UPCHAN_FROM_UPLINK, 0, "serial" },
	{ "registry row owner unterminated", row_owner_unterminated, UPCHAN_FROM_UPLINK, 0,
	    "owner is not text" },
	{ "registry end", end_ok, UPCHAN_FROM_UPLINK, 1, NULL },
	{ "registry end with too many rows", end_too_many_rows, UPCHAN_FROM_UPLINK, 0, "count" },
	{ "refused", refused_ok, UPCHAN_FROM_UPLINK, 1, NULL },
	{ "refused from the gateway", refused_ok, UPCHAN_FROM_GATEWAY, 0,
	    "not a message this side" },
	{ "refused with 5.03", refused_other_code, UPCHAN_FROM_UPLINK, 0, "code = 503" },
	{ "refusal with an escape", refused_reason_with_escape, UPCHAN_FROM_UPLINK, 0,
	    "reason is not text" },
	{ "refusal unterminated", refused_reason_unterminated, UPCHAN_FROM_UPLINK, 0,
	    "reason is not text" },
	{ "unknown type", unknown_type, UPCHAN_FROM_UPLINK, 0, "type 99 is unknown" },
	{ "half a header", half_a_header, UPCHAN_FROM_UPLINK, 0, "shorter than a header" },
	{ "longer than the limit", too_long, UPCHAN_FROM_UPLINK, 0, "longer than" },
	{ NULL, NULL, 0, 0, NULL },
};

static void
parses_good_messages_and_refuses_bad_ones_with_a_reason(void **state)
{
	static uint8_t buf[UPCHAN_MAX_MSG + 16];
	struct upchan_msg m;
	char err[256];
	size_t i, len;
	int rc, failed = 0;

	(void)state;
	for (i = 0; cases[i].name != NULL; i++) {
		memset(buf, 0, sizeof(buf));
		len = cases[i].build(buf);
		err[0] = '\0';
		rc = upchan_parse(buf, len, cases[i].from, &m, err, sizeof(err));
		if (cases[i].ok && rc != 0) {
			print_error("case %zu (%s): refused: %s\n", i, cases[i].name, err);
			failed++;
		} else if (!cases[i].ok && rc == 0) {
			print_error("case %zu (%s): accepted\n", i, cases[i].name);
			failed++;
		} else if (!cases[i].ok && strstr(err, cases[i].reason) == NULL) {
			print_error("case %zu (%s): reason '%s' lacks '%s'\n", i, cases[i].name,
			    err, cases[i].reason);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

static void
a_batch_part_points_at_its_bytes(void **state)
{
	uint8_t buf[UPCHAN_MAX_MSG];
	struct upchan_msg m;
	char err[128];
	size_t len = batch_ok(buf);

	(void)state;
	assert_int_equal(upchan_parse(buf, len, UPCHAN_FROM_GATEWAY, &m, err, sizeof(err)), 0);
	assert_int_equal(m.type, UPCHAN_BATCH);
	assert_int_equal(m.data_len, 10);
	assert_memory_equal(m.data, "0123456789", 10);
	assert_int_equal(m.body.batch.offset, 90);
}

static void
a_message_crosses_a_socket_pair_whole(void **state)
{
	uint8_t buf[UPCHAN_MAX_MSG];
	struct upchan_status s = good_status();
	struct upchan_msg m;
	char err[128];
	size_t len;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	assert_int_equal(
	    upchan_send(sv[0], UPCHAN_STATUS, &s, sizeof(s), NULL, 0, 1000, err, sizeof(err)), 0);
	assert_int_equal(upchan_recv(sv[1], buf, &len, 1000, err, sizeof(err)), 1);
	assert_int_equal(len, sizeof(struct upchan_header) + sizeof(s));
	assert_int_equal(upchan_parse(buf, len, UPCHAN_FROM_UPLINK, &m, err, sizeof(err)), 0);
	assert_string_equal(m.body.status.last_error, "county answered 5.03");
	assert_int_equal(m.body.status.quiet_ms, 3500);
	/* nothing more: a timeout is not an error */
	assert_int_equal(upchan_recv(sv[1], buf, &len, 20, err, sizeof(err)), 0);
	close(sv[0]);
	assert_int_equal(upchan_recv(sv[1], buf, &len, 1000, err, sizeof(err)), -1);
	assert_string_equal(err, "closed");
	close(sv[1]);
}

static void
refuses_a_message_longer_than_the_limit_rather_than_cut_it(void **state)
{
	static uint8_t big[UPCHAN_MAX_MSG + 100];
	uint8_t buf[UPCHAN_MAX_MSG];
	char err[128];
	size_t len;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	memset(big, 0, sizeof(big));
	assert_int_equal(send(sv[0], big, sizeof(big), 0), (ssize_t)sizeof(big));
	assert_int_equal(upchan_recv(sv[1], buf, &len, 1000, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));
	/* and the sender refuses to make one */
	assert_int_equal(
	    upchan_send(sv[0], UPCHAN_BATCH, big, 16, big, UPCHAN_MAX_MSG, 0, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "too long"));
	close(sv[0]);
	close(sv[1]);
}

static void
a_full_channel_is_reported_not_waited_for_forever(void **state)
{
	uint8_t body[UPCHAN_BATCH_PART];
	struct upchan_batch b = good_batch();
	char err[128];
	int sv[2], i, rc = 0;

	(void)state;
	memset(body, 0, sizeof(body));
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	/* nobody reads sv[1]: the queue fills, then a send gives up */
	for (i = 0; i < 10000 && rc == 0; i++)
		rc = upchan_send(sv[0], UPCHAN_BATCH, &b, sizeof(b), body, sizeof(body), 50, err,
		    sizeof(err));
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "reads nothing"));
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_good_messages_and_refuses_bad_ones_with_a_reason),
		cmocka_unit_test(a_batch_part_points_at_its_bytes),
		cmocka_unit_test(a_message_crosses_a_socket_pair_whole),
		cmocka_unit_test(refuses_a_message_longer_than_the_limit_rather_than_cut_it),
		cmocka_unit_test(a_full_channel_is_reported_not_waited_for_forever),
	};

	return cmocka_run_group_tests_name("upchan", tests, NULL, NULL);
}
