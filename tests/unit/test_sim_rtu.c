/*
 * Unit tests of gassim's RTU framing (drivers/sim/rtu.c): requests cut out
 * of the byte stream however the reads split them, garbage and bad CRCs
 * dropped until the line goes quiet, the t3.5 gap a master must leave, and
 * the reply lengths and wire times the simulated bus is timed by.
 * rtu.c is built into gassim only, so it is compiled in here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <modbus.h>

#include "../../drivers/sim/rtu.c"

#define T0 1000000 /* a time well after 0, in us */

/* A request of n bytes (CRC included) with the right CRC appended to the
 * n - 2 bytes given. */
static size_t
frame(uint8_t *out, size_t n, ...)
{
	va_list ap;
	uint16_t crc;

	va_start(ap, n);
	for (size_t i = 0; i < n - 2; i++)
		out[i] = (uint8_t)va_arg(ap, int);
	va_end(ap);
	crc = mb_rtu_crc(out, n - 2);
	out[n - 2] = (uint8_t)(crc & 0xff);
	out[n - 1] = (uint8_t)(crc >> 8);
	return n;
}

/* Read holding register 0, one register, from unit: 8 bytes. */
static size_t
read_holding(uint8_t *out, int unit)
{
	return frame(out, 8, unit, 3, 0, 0, 0, 1);
}

static enum rtu_frame_status
next(struct rtu_framer *f, int64_t now, size_t *len, int64_t *start)
{
	uint8_t got[MODBUS_RTU_MAX_ADU_LENGTH];

	return rtu_framer_next(f, now, got, sizeof(got), len, start);
}

static void
crc_matches_the_modbus_specification(void **state)
{
	/* the specification's example: unit 1 reads 1 holding register at 0 */
	const uint8_t spec[] = { 0x01, 0x03, 0x00, 0x00, 0x00, 0x01, 0x84, 0x0a };
	uint8_t mine[8];

	(void)state;
	read_holding(mine, 1);
	assert_memory_equal(mine, spec, sizeof(spec));
}

static void
takes_a_request_read_whole(void **state)
{
	struct rtu_framer f;
	uint8_t req[8], got[MODBUS_RTU_MAX_ADU_LENGTH];
	size_t len = 0;
	int64_t start = 0;

	(void)state;
	rtu_framer_init(&f, 19200);
	read_holding(req, 1);
	assert_int_equal(rtu_framer_feed(&f, req, sizeof(req), T0), 0);
	assert_int_equal(rtu_framer_next(&f, T0, got, sizeof(got), &len, &start), RTU_FRAME_OK);
	assert_int_equal(len, 8);
	assert_memory_equal(got, req, 8);
	assert_int_equal(start, T0);
	assert_int_equal(next(&f, T0, &len, &start), RTU_FRAME_NONE);
	assert_int_equal(rtu_framer_deadline(&f), INT64_MAX);
}

/* A frame cut at every possible place, the halves 1 ms apart: nothing
 * before the last byte, then the whole frame, timed from its first byte. */
static void
takes_a_request_split_across_reads(void **state)
{
	uint8_t req[16];
	size_t n = frame(req, 13, 5, 16, 0, 0, 0, 2, 4, 0x12, 0x34, 0x56, 0x78);

	(void)state;
	for (size_t cut = 1; cut < n; cut++) {
		struct rtu_framer f;
		size_t len = 0;
		int64_t start = 0;

		rtu_framer_init(&f, 19200);
		rtu_framer_feed(&f, req, cut, T0);
		assert_int_equal(next(&f, T0 + 1000, &len, &start), RTU_FRAME_NONE);
		assert_int_equal(rtu_framer_deadline(&f), T0 + RTU_SILENCE_US);
		rtu_framer_feed(&f, req + cut, n - cut, T0 + 1000);
		assert_int_equal(next(&f, T0 + 1000, &len, &start), RTU_FRAME_OK);
		assert_int_equal(len, n);
		assert_int_equal(start, T0);
	}
}

static void
takes_two_requests_from_one_read(void **state)
{
	struct rtu_framer f;
	uint8_t both[16], got[MODBUS_RTU_MAX_ADU_LENGTH];
	size_t len;
	int64_t start;

	(void)state;
	rtu_framer_init(&f, 19200);
	read_holding(both, 1);
	read_holding(both + 8, 2);
	rtu_framer_feed(&f, both, sizeof(both), T0);
	assert_int_equal(rtu_framer_next(&f, T0 + 10, got, sizeof(got), &len, &start),
	    RTU_FRAME_OK);
	assert_int_equal(got[0], 1);
	assert_int_equal(rtu_framer_next(&f, T0 + 10, got, sizeof(got), &len, &start),
	    RTU_FRAME_OK);
	assert_int_equal(got[0], 2);
	assert_int_equal(len, 8);
	assert_int_equal(next(&f, T0 + 10, &len, &start), RTU_FRAME_NONE);
}

static void
drops_a_bad_crc_and_takes_the_next_request(void **state)
{
	struct rtu_framer f;
	uint8_t req[8];
	size_t len;
	int64_t start;

	(void)state;
	rtu_framer_init(&f, 19200);
	read_holding(req, 1);
	req[7] ^= 0x01;
	rtu_framer_feed(&f, req, sizeof(req), T0);
	assert_int_equal(next(&f, T0, &len, &start), RTU_FRAME_BAD);
	assert_int_equal(rtu_framer_deadline(&f), INT64_MAX);
	read_holding(req, 1);
	rtu_framer_feed(&f, req, sizeof(req), T0 + 30000);
	assert_int_equal(next(&f, T0 + 30000, &len, &start), RTU_FRAME_OK);
}

/* Noise (a function code no length can be read from) waits for silence,
 * is then dropped whole, with a good frame that came in the same burst:
 * a slave cannot find where a frame starts inside noise. */
static void
drops_garbage_at_silence_with_what_followed_it(void **state)
{
	struct rtu_framer f;
	uint8_t burst[3 + 8] = { 0x07, 0x99, 0x42 };
	size_t len;
	int64_t start;

	(void)state;
	rtu_framer_init(&f, 19200);
	read_holding(burst + 3, 1);
	rtu_framer_feed(&f, burst, sizeof(burst), T0);
	assert_int_equal(next(&f, T0 + RTU_SILENCE_US - 1, &len, &start), RTU_FRAME_NONE);
	assert_int_equal(rtu_framer_deadline(&f), T0 + RTU_SILENCE_US);
	assert_int_equal(next(&f, T0 + RTU_SILENCE_US, &len, &start), RTU_FRAME_BAD);
	assert_int_equal(next(&f, T0 + RTU_SILENCE_US, &len, &start), RTU_FRAME_NONE);
}

static void
drops_an_incomplete_request_at_silence(void **state)
{
	struct rtu_framer f;
	uint8_t req[8];
	size_t len;
	int64_t start;

	(void)state;
	rtu_framer_init(&f, 19200);
	read_holding(req, 1);
	rtu_framer_feed(&f, req, 5, T0);
	/* the silence counts from the last byte, not the first */
	rtu_framer_feed(&f, req + 5, 1, T0 + 15000);
	assert_int_equal(next(&f, T0 + RTU_SILENCE_US, &len, &start), RTU_FRAME_NONE);
	assert_int_equal(rtu_framer_deadline(&f), T0 + 15000 + RTU_SILENCE_US);
	assert_int_equal(next(&f, T0 + 15000 + RTU_SILENCE_US, &len, &start), RTU_FRAME_BAD);
	assert_int_equal(rtu_framer_deadline(&f), INT64_MAX);
}

/* Report slave id (17): no length in the request, so it ends at silence. */
static void
takes_an_unknown_length_request_at_silence(void **state)
{
	struct rtu_framer f;
	uint8_t req[4];
	size_t len;
	int64_t start;

	(void)state;
	rtu_framer_init(&f, 19200);
	frame(req, 4, 1, MODBUS_FC_REPORT_SLAVE_ID);
	rtu_framer_feed(&f, req, sizeof(req), T0);
	assert_int_equal(next(&f, T0 + 1000, &len, &start), RTU_FRAME_NONE);
	assert_int_equal(next(&f, T0 + RTU_SILENCE_US, &len, &start), RTU_FRAME_OK);
	assert_int_equal(len, 4);
}

/* Write multiple registers with 250 data bytes: 259 bytes, a good CRC, but
 * longer than any RTU frame may be. */
static void
refuses_a_frame_longer_than_an_rtu_adu(void **state)
{
	struct rtu_framer f;
	uint8_t req[259], got[300]; /* room enough: the frame is refused for its length */
	size_t len;
	int64_t start;
	uint16_t crc;

	(void)state;
	memset(req, 0, sizeof(req));
	req[0] = 1, req[1] = 16, req[5] = 125, req[6] = 250;
	crc = mb_rtu_crc(req, sizeof(req) - 2);
	req[257] = (uint8_t)(crc & 0xff), req[258] = (uint8_t)(crc >> 8);
	rtu_framer_init(&f, 19200);
	rtu_framer_feed(&f, req, sizeof(req), T0);
	assert_int_equal(rtu_framer_next(&f, T0, got, sizeof(got), &len, &start), RTU_FRAME_BAD);
}

static void
drops_bytes_beyond_its_buffer(void **state)
{
	struct rtu_framer f;
	uint8_t noise[RTU_BUFFER + 100];
	size_t len;
	int64_t start;

	(void)state;
	memset(noise, 0x99, sizeof(noise));
	rtu_framer_init(&f, 19200);
	rtu_framer_feed(&f, noise, sizeof(noise), T0);
	assert_int_equal(f.len, RTU_BUFFER);
	assert_int_equal(next(&f, T0 + RTU_SILENCE_US, &len, &start), RTU_FRAME_BAD);
}

/* After our reply the master must wait t3.5 (4010 us at 9600 baud). */
static void
counts_a_request_that_breaks_the_gap(void **state)
{
	struct rtu_framer f;
	uint8_t req[8];
	size_t len;
	int64_t start;

	(void)state;
	rtu_framer_init(&f, 9600);
	read_holding(req, 1);
	assert_int_equal(rtu_framer_feed(&f, req, sizeof(req), T0), 0); /* the first one */
	assert_int_equal(next(&f, T0, &len, &start), RTU_FRAME_OK);
	rtu_framer_replied(&f, T0 + 20000);
	assert_int_equal(rtu_framer_feed(&f, req, sizeof(req), T0 + 20000 + 4009), 1);
	assert_int_equal(next(&f, T0 + 24009, &len, &start), RTU_FRAME_OK);
	rtu_framer_replied(&f, T0 + 40000);
	assert_int_equal(rtu_framer_feed(&f, req, sizeof(req), T0 + 40000 + 4010), 0);
	assert_int_equal(next(&f, T0 + 44010, &len, &start), RTU_FRAME_OK);
}

/* A request no one answers: the master may go on once it has crossed the
 * wire and t3.5 has passed (8 bytes at 9600: 9166 us, then 4010 us). */
static void
lets_the_master_go_on_after_an_unanswered_request(void **state)
{
	struct rtu_framer f;
	uint8_t req[8];

	(void)state;
	rtu_framer_init(&f, 9600);
	read_holding(req, 1);
	rtu_framer_unanswered(&f, 8, T0);
	assert_int_equal(rtu_framer_feed(&f, req, 8, T0 + 9166 + 4010 - 1), 1);
	f.len = 0;
	assert_int_equal(rtu_framer_feed(&f, req, 8, T0 + 9166 + 4010), 0);
}

static void
times_the_wire(void **state)
{
	(void)state;
	assert_int_equal(rtu_wire_us(8, 9600), 9166);  /* 88 bits */
	assert_int_equal(rtu_wire_us(8, 115200), 763); /* 88 bits */
	assert_int_equal(rtu_gap_us(9600), 4010);      /* 3.5 characters */
	assert_int_equal(rtu_gap_us(19200), 2005);     /* 3.5 characters */
	assert_int_equal(rtu_gap_us(38400), 1750);     /* fixed above 19200 */
	assert_int_equal(rtu_gap_us(115200), 1750);
}

static void
reads_a_request_length_from_its_head(void **state)
{
	static const struct {
		uint8_t head[11];
		size_t len;
		int want;
	} rows[] = {
		{ { 1 }, 1, 0 },
		{ { 1, 3 }, 2, 8 },
		{ { 1, 1 }, 2, 8 },
		{ { 1, 5 }, 2, 8 },
		{ { 1, 6 }, 2, 8 },
		{ { 1, 16, 0, 0, 0, 2 }, 6, 0 },
		{ { 1, 16, 0, 0, 0, 2, 4 }, 7, 13 },
		{ { 1, 15, 0, 0, 0, 9, 2 }, 7, 11 },
		{ { 1, 22 }, 2, 10 },
		{ { 1, 23, 0, 0, 0, 1, 0, 0, 0, 1 }, 10, 0 },
		{ { 1, 23, 0, 0, 0, 1, 0, 0, 0, 1, 2 }, 11, 15 },
		{ { 1, 17 }, 2, -1 },
		{ { 1, 0x83 }, 2, -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int got = rtu_request_length(rows[i].head, rows[i].len);
		if (got != rows[i].want)
			fail_msg("row %zu: length %d, want %d", i, got, rows[i].want);
	}
}

/* What modbus_reply really writes for req: the oracle for rtu_reply_length. */
static size_t
libmodbus_reply_length(const uint8_t *req, size_t len, modbus_mapping_t *map)
{
	uint8_t out[MODBUS_RTU_MAX_ADU_LENGTH + 16];
	modbus_t *ctx = modbus_new_rtu("/dev/null", 19200, 'E', 8, 1);
	int sv[2], rc;
	ssize_t n = 0;

	assert_non_null(ctx);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	modbus_set_socket(ctx, sv[0]);
	modbus_set_slave(ctx, req[0]);
	rc = modbus_reply(ctx, req, (int)len, map);
	if (rc > 0)
		n = read(sv[1], out, sizeof(out));
	close(sv[0]);
	close(sv[1]);
	modbus_free(ctx);
	return n > 0 ? (size_t)n : 0;
}

/* A unit with 3 coils, 2 discrete inputs, 4 holding and 5 input registers;
 * each length as libmodbus itself answers. */
static void
knows_the_reply_length_libmodbus_will_send(void **state)
{
	static const struct {
		uint8_t req[16];
		size_t len, want;
	} rows[] = {
		{ { 1, 3, 0, 0, 0, 4 }, 8, 5 + 8 },     /* all holding registers */
		{ { 1, 3, 0, 1, 0, 4 }, 8, 5 },         /* one past the end */
		{ { 1, 3, 0, 0, 0, 0 }, 8, 5 },         /* nothing asked */
		{ { 1, 4, 0, 0, 0, 5 }, 8, 5 + 10 },    /* input registers */
		{ { 1, 1, 0, 0, 0, 3 }, 8, 5 + 1 },     /* coils, one byte */
		{ { 1, 2, 0, 0, 0, 2 }, 8, 5 + 1 },     /* discrete inputs */
		{ { 1, 2, 0, 0, 0, 3 }, 8, 5 },         /* past the discrete inputs */
		{ { 1, 5, 0, 2, 0xff, 0 }, 8, 8 },      /* write a coil: echoed */
		{ { 1, 5, 0, 2, 0x12, 0x34 }, 8, 5 },   /* not FF00 or 0000 */
		{ { 1, 5, 0, 3, 0xff, 0 }, 8, 5 },      /* no such coil */
		{ { 1, 6, 0, 3, 0x12, 0x34 }, 8, 8 },   /* write a register */
		{ { 1, 6, 0, 4, 0x12, 0x34 }, 8, 5 },   /* no such register */
		{ { 1, 16, 0, 0, 0, 2, 4 }, 13, 8 },    /* write registers */
		{ { 1, 16, 0, 0, 0, 2, 3 }, 12, 5 },    /* byte count wrong */
		{ { 1, 16, 0, 0, 0, 124, 248 }, 9, 5 }, /* more than libmodbus writes */
		{ { 1, 15, 0, 0, 0, 3, 1 }, 10, 8 },    /* write coils */
		{ { 1, 15, 0, 0, 0, 3, 0 }, 9, 5 },     /* no bytes for the bits */
		{ { 1, 22, 0, 1 }, 10, 10 },            /* mask write: echoed */
		{ { 1, 23, 0, 0, 0, 2, 0, 0, 0, 1, 2 }, 15, 5 + 4 }, /* write and read */
		{ { 1, 23, 0, 0, 0, 2, 0, 9, 0, 1, 2 }, 15, 5 },     /* writes past the end */
		{ { 1, 23, 0, 0, 0, 2, 0, 0, 0, 1, 0 }, 13, 5 },     /* write byte count wrong */
		{ { 1, 17 }, 4, 10 + sizeof(LIBMODBUS_VERSION_STRING) - 1 }, /* report id */
		{ { 1, 7 }, 4, 0 },                                          /* left unanswered */
		{ { 1, 0x41 }, 4, 5 },                                       /* unknown function */
	};
	modbus_mapping_t *map = modbus_mapping_new(3, 2, 4, 5);

	(void)state;
	assert_non_null(map);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		size_t got = rtu_reply_length(rows[i].req, rows[i].len, map);
		size_t real = libmodbus_reply_length(rows[i].req, rows[i].len, map);
		if (got != rows[i].want || real != rows[i].want)
			fail_msg("row %zu: reply %zu bytes, libmodbus %zu, want %zu", i, got, real,
			    rows[i].want);
	}
	assert_int_equal(rtu_reply_length((const uint8_t[]){ 1, 3, 0, 0 }, 4, map), 5);
	modbus_mapping_free(map);
}

static void
corrupts_a_reply_in_shape_or_in_full(void **state)
{
	modbus_mapping_t *map = modbus_mapping_new(0, 0, 4, 0);
	uint8_t req[8], out[MODBUS_RTU_MAX_ADU_LENGTH];
	size_t n;
	uint16_t crc;

	(void)state;
	frame(req, 8, 7, 3, 0, 0, 0, 2);
	n = rtu_bad_reply(req, 8, map, 0, out, sizeof(out));
	assert_int_equal(n, 9);
	assert_int_equal(out[0], 7);
	assert_int_equal(out[1], 3);
	assert_int_equal(out[2], 4);
	crc = mb_rtu_crc(out, n - 2);
	assert_true(out[n - 2] != (crc & 0xff) || out[n - 1] != (crc >> 8));
	n = rtu_bad_reply(req, 8, map, 1, out, sizeof(out));
	assert_int_equal(n, 9);
	modbus_mapping_free(map);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crc_matches_the_modbus_specification),
		cmocka_unit_test(takes_a_request_read_whole),
		cmocka_unit_test(takes_a_request_split_across_reads),
		cmocka_unit_test(takes_two_requests_from_one_read),
		cmocka_unit_test(drops_a_bad_crc_and_takes_the_next_request),
		cmocka_unit_test(drops_garbage_at_silence_with_what_followed_it),
		cmocka_unit_test(drops_an_incomplete_request_at_silence),
		cmocka_unit_test(takes_an_unknown_length_request_at_silence),
		cmocka_unit_test(refuses_a_frame_longer_than_an_rtu_adu),
		cmocka_unit_test(drops_bytes_beyond_its_buffer),
		cmocka_unit_test(counts_a_request_that_breaks_the_gap),
		cmocka_unit_test(lets_the_master_go_on_after_an_unanswered_request),
		cmocka_unit_test(times_the_wire),
		cmocka_unit_test(reads_a_request_length_from_its_head),
		cmocka_unit_test(knows_the_reply_length_libmodbus_will_send),
		cmocka_unit_test(corrupts_a_reply_in_shape_or_in_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
