/*
 * fuzz_modbus: what a hostile or broken unit can answer.  A real libmodbus
 * context (TCP or RTU, through mb_link_adopt) talks over a socketpair to a
 * "device" that has already sent the fuzz bytes and shut its side for
 * writing, so every exchange ends on the bytes at hand, never on a timeout.
 * The answer then goes through the gateway's own code: mb_link's reads and
 * writes (error mapping, bit unpacking), and the read requests the poller
 * plans for each profile with the poller's decoding of their answers.
 *
 * Input: 6 header bytes, then the reply bytes.
 *   h[0] bit 0: 0 TCP, 1 RTU
 *        bit 1: frame fix-up: TCP patches the transaction and protocol ids of
 *               the first reply to the request's; RTU appends the CRC
 *        bits 2-3: profile: sim-scale, sim-valve, wtx-filler, indicator-f32
 *        bits 4-5: 0 read a signal (mb_link_read_signal), 1 write a signal
 *               (mb_link_write_signal, value h[5]), 2 one of the poller's
 *               read requests for the profile, decoded, 3 a raw register or
 *               coil read or write (h[1] table, h[2..3] address, h[4] count)
 *   h[1] signal (ops 0, 1), request (op 2), table and direction (op 3)
 * Aborts when a read that succeeded yields a value the profile cannot
 * produce: not finite, a bit or coil not 0/1, a number outside its type's
 * range times the profile's scale.  Profiles come from $GAS_PROFILES or
 * ./drivers/profiles (run from the top of the tree).
 * Corpus: tests/fuzz/corpus/modbus/ (a valid answer to every request the
 * sim-scale and sim-valve profiles make, an exception, a short reply, a
 * wrong transaction id, a bad CRC).
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <modbus.h>

#include "log.h"
#include "mb.h"

#define HEADER 6
#define UNIT 1
#define PROFILES 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const profile_names[PROFILES] = {
	"sim-scale",
	"sim-valve",
	"wtx-filler",
	"indicator-f32",
};
static struct mb_profile profiles[PROFILES];
static struct mb_poller *planner; /* never started: only its read plans */
static int ready;

static void
setup(void)
{
	struct mb_bus_config config;
	char err[256];
	int i, index;

	log_set_level(LOG_LEVEL_WARN);
	mb_bus_config_defaults(&config);
	config.kind = MB_BUS_TCP;
	if (mb_poller_new(&config, NULL, NULL, &planner, err, sizeof(err)) == -1)
		goto fail;
	for (i = 0; i < PROFILES; i++)
		if (mb_profile_load(profile_names[i], NULL, &profiles[i], err, sizeof(err)) == -1 ||
		    /* distinct ids only keep the planner's units apart */
		    mb_poller_add_unit(planner, i + 1, &profiles[i], &index, err, sizeof(err)) ==
		        -1 ||
		    index != i)
			goto fail;
	ready = 1;
	return;
fail:
	fprintf(stderr, "fuzz_modbus: set-up: %s\n", err);
	abort();
}

/* The values a field's registers can give, scaled. */
static int
value_allowed(const struct mb_field *f, double v)
{
	double lo, hi, a, b;

	if (!isfinite(v))
		return 0;
	if (f->table == MB_COIL || f->table == MB_DISCRETE || f->bit >= 0)
		return v == 0.0 || v == 1.0;
	switch (f->type) {
	case MB_I16:
		lo = INT16_MIN, hi = INT16_MAX;
		break;
	case MB_U32:
		lo = 0, hi = UINT32_MAX;
		break;
	case MB_I32:
		lo = INT32_MIN, hi = INT32_MAX;
		break;
	case MB_F32:
		lo = -FLT_MAX, hi = FLT_MAX;
		break;
	case MB_U16:
	default:
		lo = 0, hi = UINT16_MAX;
		break;
	}
	a = lo * f->scale;
	b = hi * f->scale;
	return v >= fmin(a, b) && v <= fmax(a, b);
}

static void
check_field(const struct mb_field *f, double v)
{
	if (!value_allowed(f, v)) {
		fprintf(stderr, "fuzz_modbus: table %d address %u type %d: %g\n", (int)f->table,
		    f->address, (int)f->type, v);
		abort();
	}
}

/* The device's answer, fixed up as the header asks (the buffer is ours). */
static void
fix_frame(int rtu, uint8_t *reply, size_t *len)
{
	uint16_t crc;

	if (rtu) {
		crc = mb_rtu_crc(reply, *len);
		reply[(*len)++] = (uint8_t)(crc & 0xff);
		reply[(*len)++] = (uint8_t)(crc >> 8);
	} else if (*len >= 4) {
		/* a fresh context numbers its first request 1 */
		reply[0] = 0, reply[1] = 1, reply[2] = 0, reply[3] = 0;
	}
}

/* One of the poller's read requests for the profile, and what the poller
 * makes of its answer. */
static void
planned_read(struct mb_link *link, int p, int which)
{
	struct mb_read_plan plan[MB_SIG_COUNT];
	uint16_t out[MODBUS_MAX_READ_BITS];
	double value[MB_SIG_COUNT] = { 0 }; /* 0 is a value every field allows */
	int n, s;

	n = mb_poller_plan(planner, p, plan, MB_SIG_COUNT);
	if (n <= 0 || n > MB_SIG_COUNT)
		abort();
	which %= n;
	if (mb_link_read(link, UNIT, plan[which].table, plan[which].address, plan[which].count,
	        out) == -1 ||
	    mb_poller_decode(planner, p, which, out, value) == -1)
		return;
	for (s = 0; s < MB_SIG_COUNT; s++)
		if (profiles[p].field[s].present)
			check_field(&profiles[p].field[s], value[s]);
}

static void
raw_exchange(struct mb_link *link, const uint8_t *h)
{
	static const enum mb_table tables[4] = { MB_HOLDING, MB_INPUT, MB_COIL, MB_DISCRETE };
	uint16_t regs[MODBUS_MAX_READ_BITS];
	enum mb_table table = tables[h[1] & 3];
	uint16_t address = (uint16_t)(h[2] << 8 | h[3]);
	uint16_t count = (uint16_t)(h[4] % 125 + 1);
	int i;

	if (h[1] & 4) {
		for (i = 0; i < count; i++)
			regs[i] = (uint16_t)(h[5] * 257 + i);
		(void)mb_link_write(link, UNIT, table, address, count, regs);
		return;
	}
	if (mb_link_read(link, UNIT, table, address, count, regs) == 0 && table <= MB_DISCRETE)
		for (i = 0; i < count; i++)
			if (regs[i] > 1)
				abort(); /* bits unpack to 0/1 */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mb_bus_config config;
	struct mb_link *link;
	uint8_t reply[1024 + 2];
	char err[256];
	size_t len;
	double v;
	int sv[2], rtu, p, op, s;
	const uint8_t *h = data;

	if (!ready)
		setup();
	if (size < HEADER || size - HEADER > 1024)
		return 0;
	rtu = h[0] & 1;
	p = (h[0] >> 2) & 3;
	op = (h[0] >> 4) & 3;
	s = h[1] % MB_SIG_COUNT;
	len = size - HEADER;
	memcpy(reply, data + HEADER, len);
	if (h[0] & 2)
		fix_frame(rtu, reply, &len);

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		abort();
	/* the device has said all it will say */
	if (len > 0 && write(sv[1], reply, len) != (ssize_t)len)
		abort();
	shutdown(sv[1], SHUT_WR);

	mb_bus_config_defaults(&config);
	config.kind = rtu ? MB_BUS_RTU : MB_BUS_TCP;
	config.gap_us = 1;
	config.response_timeout_ms = 50;
	config.byte_timeout_ms = 20;
	if (mb_link_adopt(&config, sv[0], &link, err, sizeof(err)) == -1) {
		fprintf(stderr, "fuzz_modbus: %s\n", err);
		abort();
	}
	switch (op) {
	case 0:
		if (mb_link_read_signal(link, UNIT, &profiles[p], s, &v) == 0)
			check_field(&profiles[p].field[s], v);
		break;
	case 1:
		(void)mb_link_write_signal(link, UNIT, &profiles[p], s, h[5] * 0.5);
		break;
	case 2:
		planned_read(link, p, h[1]);
		break;
	default:
		raw_exchange(link, h);
		break;
	}
	mb_link_close(link);
	close(sv[1]);
	return 0;
}
