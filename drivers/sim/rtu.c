/*
 * rtu: framing and wire timing of gassim's Modbus RTU slave (see rtu.h).
 * The lengths follow the Modbus application protocol for the functions
 * libmodbus serves; the CRC is the drivers' own (mb_rtu_crc), so master and
 * slave check frames with one implementation.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mb.h"
#include "rtu.h"

void
rtu_framer_init(struct rtu_framer *framer, int baud)
{
	memset(framer, 0, sizeof(*framer));
	framer->baud = baud;
}

int
rtu_framer_feed(struct rtu_framer *framer, const uint8_t *bytes, size_t n, int64_t now_us)
{
	int early = 0;
	size_t room = sizeof(framer->buf) - framer->len;

	if (n == 0)
		return 0;
	if (framer->len == 0) {
		framer->first_us = now_us;
		early = framer->free_us != 0 && now_us < framer->free_us;
	}
	if (n > room)
		n = room;
	memcpy(framer->buf + framer->len, bytes, n);
	framer->len += n;
	framer->last_us = now_us;
	return early;
}

static void
drop_all(struct rtu_framer *framer)
{
	framer->len = 0;
}

enum rtu_frame_status
rtu_framer_next(struct rtu_framer *framer, int64_t now_us, uint8_t *frame, size_t cap, size_t *len,
    int64_t *start_us)
{
	int silent = now_us - framer->last_us >= RTU_SILENCE_US;
	int need;
	size_t n;

	if (framer->len == 0)
		return RTU_FRAME_NONE;
	need = rtu_request_length(framer->buf, framer->len);
	if (need <= 0) {
		/* length unknown (yet): the frame is what came before silence */
		if (!silent)
			return RTU_FRAME_NONE;
		n = framer->len;
	} else if ((size_t)need > framer->len) {
		if (!silent)
			return RTU_FRAME_NONE;
		drop_all(framer); /* an incomplete frame followed by silence */
		return RTU_FRAME_BAD;
	} else {
		n = (size_t)need;
	}
	if (n < 4 || n > MODBUS_RTU_MAX_ADU_LENGTH || n > cap ||
	    mb_rtu_crc(framer->buf, n - 2) !=
	        (uint16_t)(framer->buf[n - 2] | framer->buf[n - 1] << 8)) {
		drop_all(framer); /* a slave ignores a bad frame and resyncs on silence */
		return RTU_FRAME_BAD;
	}
	memcpy(frame, framer->buf, n);
	*len = n;
	*start_us = framer->first_us;
	framer->len -= n;
	memmove(framer->buf, framer->buf + n, framer->len);
	/* what follows arrived in the same read at the latest */
	framer->first_us = now_us;
	return RTU_FRAME_OK;
}

int64_t
rtu_framer_deadline(const struct rtu_framer *framer)
{
	return framer->len > 0 ? framer->last_us + RTU_SILENCE_US : INT64_MAX;
}

void
rtu_framer_replied(struct rtu_framer *framer, int64_t now_us)
{
	framer->free_us = now_us + rtu_gap_us(framer->baud);
}

void
rtu_framer_unanswered(struct rtu_framer *framer, size_t len, int64_t now_us)
{
	framer->free_us = now_us + rtu_wire_us(len, framer->baud) + rtu_gap_us(framer->baud);
}

int64_t
rtu_wire_us(size_t n, int baud)
{
	return (int64_t)n * 11 * 1000000 / baud;
}

int64_t
rtu_gap_us(int baud)
{
	return baud > 19200 ? 1750 : (int64_t)(3.5 * 11 * 1000000.0 / baud);
}

int
rtu_request_length(const uint8_t *buf, size_t len)
{
	if (len < 2)
		return 0;
	switch (buf[1]) {
	case MODBUS_FC_READ_COILS:
	case MODBUS_FC_READ_DISCRETE_INPUTS:
	case MODBUS_FC_READ_HOLDING_REGISTERS:
	case MODBUS_FC_READ_INPUT_REGISTERS:
	case MODBUS_FC_WRITE_SINGLE_COIL:
	case MODBUS_FC_WRITE_SINGLE_REGISTER:
		return 8; /* unit, function, address, quantity or value, CRC */
	case MODBUS_FC_WRITE_MULTIPLE_COILS:
	case MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
		if (len < 7)
			return 0;
		return 9 + buf[6]; /* ... quantity, byte count, the bytes, CRC */
	case MODBUS_FC_MASK_WRITE_REGISTER:
		return 10; /* unit, function, address, AND mask, OR mask, CRC */
	case MODBUS_FC_WRITE_AND_READ_REGISTERS:
		if (len < 11)
			return 0;
		return 13 + buf[10];
	default:
		return -1;
	}
}

/* The quantity a request asks for and the most libmodbus serves, and the
 * size of the table it addresses. */
static int
request_extent(const uint8_t *req, const modbus_mapping_t *map, int *start, int *size, int *max)
{
	switch (req[1]) {
	case MODBUS_FC_READ_COILS:
		*start = map->start_bits, *size = map->nb_bits, *max = MODBUS_MAX_READ_BITS;
		return 0;
	case MODBUS_FC_WRITE_SINGLE_COIL:
		*start = map->start_bits, *size = map->nb_bits, *max = 1;
		return 0;
	case MODBUS_FC_WRITE_MULTIPLE_COILS:
		*start = map->start_bits, *size = map->nb_bits, *max = MODBUS_MAX_WRITE_BITS;
		return 0;
	case MODBUS_FC_READ_DISCRETE_INPUTS:
		*start = map->start_input_bits, *size = map->nb_input_bits;
		*max = MODBUS_MAX_READ_BITS;
		return 0;
	case MODBUS_FC_READ_INPUT_REGISTERS:
		*start = map->start_input_registers, *size = map->nb_input_registers;
		*max = MODBUS_MAX_READ_REGISTERS;
		return 0;
	case MODBUS_FC_READ_HOLDING_REGISTERS:
		*start = map->start_registers, *size = map->nb_registers;
		*max = MODBUS_MAX_READ_REGISTERS;
		return 0;
	case MODBUS_FC_WRITE_SINGLE_REGISTER:
	case MODBUS_FC_MASK_WRITE_REGISTER:
		*start = map->start_registers, *size = map->nb_registers, *max = 1;
		return 0;
	case MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
		*start = map->start_registers, *size = map->nb_registers;
		*max = MODBUS_MAX_WRITE_REGISTERS;
		return 0;
	case MODBUS_FC_WRITE_AND_READ_REGISTERS: /* the read half sets the reply */
		*start = map->start_registers, *size = map->nb_registers;
		*max = MODBUS_MAX_WR_READ_REGISTERS;
		return 0;
	default:
		return -1;
	}
}

size_t
rtu_reply_length(const uint8_t *req, size_t len, const modbus_mapping_t *map)
{
	int start, size, max, addr, n, wr_addr, wr_n;

	if (len >= 2 && req[1] == MODBUS_FC_READ_EXCEPTION_STATUS)
		return 0; /* libmodbus does not serve it and sends nothing */
	if (len >= 2 && req[1] == MODBUS_FC_REPORT_SLAVE_ID)
		/* byte count, our id, "running", "LMB" and libmodbus's version */
		return 5 + 2 + 3 + strlen(LIBMODBUS_VERSION_STRING);
	if (len < 6 || request_extent(req, map, &start, &size, &max) < 0)
		return 5; /* illegal function */
	addr = req[2] << 8 | req[3];
	n = max == 1 ? 1 : req[4] << 8 | req[5]; /* single writes carry a value there */
	if (n < 1 || n > max || addr < start || addr + n > start + size)
		return 5;
	switch (req[1]) {
	case MODBUS_FC_READ_COILS:
	case MODBUS_FC_READ_DISCRETE_INPUTS:
		return 5 + (size_t)(n + 7) / 8; /* unit, function, byte count, bits, CRC */
	case MODBUS_FC_READ_HOLDING_REGISTERS:
	case MODBUS_FC_READ_INPUT_REGISTERS:
		return 5 + 2 * (size_t)n;
	case MODBUS_FC_WRITE_SINGLE_COIL:
		if ((req[4] != 0xff && req[4] != 0) || req[5] != 0)
			return 5; /* a coil is written with FF00 or 0000 only */
		return 8;         /* echoed */
	case MODBUS_FC_WRITE_MULTIPLE_COILS:
		return len < 7 || req[6] * 8 < n ? 5 : 8;
	case MODBUS_FC_WRITE_MULTIPLE_REGISTERS:
		return len < 7 || req[6] != 2 * n ? 5 : 8;
	case MODBUS_FC_MASK_WRITE_REGISTER:
		return 10; /* the request, echoed */
	case MODBUS_FC_WRITE_AND_READ_REGISTERS:
		if (len < 11)
			return 5;
		wr_addr = req[6] << 8 | req[7];
		wr_n = req[8] << 8 | req[9];
		if (wr_n < 1 || wr_n > MODBUS_MAX_WR_WRITE_REGISTERS || req[10] != 2 * wr_n ||
		    wr_addr < start || wr_addr + wr_n > start + size)
			return 5;
		return 5 + 2 * (size_t)n;
	case MODBUS_FC_WRITE_SINGLE_REGISTER:
		return 8; /* echoed */
	default:
		return 5;
	}
}

size_t
rtu_bad_reply(const uint8_t *req, size_t len, const modbus_mapping_t *map, int garbage,
    uint8_t *out, size_t cap)
{
	size_t n = rtu_reply_length(req, len, map);
	uint16_t crc;

	if (n > cap)
		n = cap;
	if (n < 5)
		return 0; /* no reply to corrupt */
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(rand() & 0xff);
	if (garbage)
		return n;
	out[0] = req[0];
	out[1] = req[1];
	if (n == 5)
		out[1] |= 0x80; /* an exception's shape */
	else if (req[1] <= MODBUS_FC_READ_INPUT_REGISTERS ||
	         req[1] == MODBUS_FC_WRITE_AND_READ_REGISTERS)
		out[2] = (uint8_t)(n - 5);     /* the byte count of a read */
	crc = mb_rtu_crc(out, n - 2) ^ 0x5a5a; /* wrong on purpose */
	out[n - 2] = (uint8_t)(crc & 0xff);
	out[n - 1] = (uint8_t)(crc >> 8);
	return n;
}
