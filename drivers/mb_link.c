/*
 * mb_link: one open Modbus bus behind the driver table of mb.h: an RTU and a
 * TCP driver over libmodbus.  What libmodbus leaves to us is done here:
 *  - RTU: the t3.5 silent interval between frames (libmodbus does not keep
 *    it): every request starts at least gap_us after the end of the last
 *    exchange on the bus; RS-485 mode, set after connect (the only time
 *    libmodbus accepts it);
 *  - TCP: a reply that arrives after its request timed out must not be
 *    taken for a later answer: the connection is replaced after a timeout
 *    (see tcp_fresh);
 *  - both: errors mapped to our errno values (exception / CRC / bad reply /
 *    timeout / link), and the input flushed after a failed exchange so a
 *    late or corrupted reply is not taken for the next answer.
 * libmodbus's own error recovery stays off: it sleeps a whole response
 * timeout after each timeout, which would stall every unit on the bus.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <modbus.h>

#include "log.h"
#include "mb.h"
#include "util.h"

struct mb_link {
	const struct mb_driver *driver;
	modbus_t *ctx;
	struct mb_bus_config config;
	int gap_us;          /* 0 on TCP */
	int64_t bus_free_us; /* monotonic time the bus may carry the next frame */
	int stale;           /* TCP: the last exchange timed out; its reply may still come */
	int adopted;         /* made by mb_link_adopt: no address to connect again to */
};

static int64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
sleep_until_us(int64_t when_us)
{
	struct timespec ts;

	ts.tv_sec = when_us / 1000000;
	ts.tv_nsec = (long)(when_us % 1000000) * 1000;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

void
mb_bus_config_defaults(struct mb_bus_config *config)
{
	memset(config, 0, sizeof(*config));
	config->kind = MB_BUS_RTU;
	config->baud = 19200;
	config->parity = 'E';
	config->data_bits = 8;
	config->stop_bits = 1;
	config->port = 502;
	config->response_timeout_ms = 200;
	config->byte_timeout_ms = 50;
	config->backoff_min_ms = 1000;
	config->backoff_max_ms = 10000;
	config->reopen_min_ms = 200;
	config->reopen_max_ms = 5000;
	config->unit_failures = 2;
}

/* Zero fields take their defaults. */
static void
fill_defaults(struct mb_bus_config *c)
{
	struct mb_bus_config d;

	mb_bus_config_defaults(&d);
#define DEF(f)                                                                                     \
	if (c->f == 0)                                                                             \
	c->f = d.f
	DEF(baud);
	DEF(parity);
	DEF(data_bits);
	DEF(stop_bits);
	DEF(port);
	DEF(response_timeout_ms);
	DEF(byte_timeout_ms);
	DEF(backoff_min_ms);
	DEF(backoff_max_ms);
	DEF(reopen_min_ms);
	DEF(reopen_max_ms);
	DEF(unit_failures);
#undef DEF
}

/* t3.5 of the Modbus serial line spec: 3.5 characters of 11 bits, fixed at
 * 1750 us above 19200 baud. */
static int
gap_for_baud(int baud)
{
	if (baud > 19200)
		return 1750;
	return (int)((3.5 * 11 * 1000000.0) / baud + 0.5);
}

/* libmodbus errno -> ours. */
static int
map_errno(int e)
{
	if (e > MODBUS_ENOBASE && e <= MODBUS_ENOBASE + MODBUS_EXCEPTION_GATEWAY_TARGET)
		return MB_EEXCEPTION(e - MODBUS_ENOBASE);
	switch (e) {
	case EMBBADCRC:
		return MB_ECRC;
	case EMBBADDATA:
	case EMBBADEXC:
	case EMBUNKEXC:
	case EMBMDATA:
	case EMBBADSLAVE:
		return MB_EBADREPLY;
	default:
		return e;
	}
}

/* A link with the config's defaults filled in (no context yet). */
static struct mb_link *
link_new(const struct mb_bus_config *config, enum mb_bus_kind kind, char *err, size_t errlen)
{
	struct mb_link *link;

	if ((link = calloc(1, sizeof(*link))) == NULL) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	link->config = *config;
	link->config.kind = kind;
	fill_defaults(&link->config);
	link->driver = mb_driver_for(kind);
	return link;
}

/* Timeouts, and libmodbus's own recovery off. */
static void
link_setup(struct mb_link *link)
{
	const struct mb_bus_config *c = &link->config;

	modbus_set_error_recovery(link->ctx, MODBUS_ERROR_RECOVERY_NONE);
	modbus_set_response_timeout(link->ctx, (uint32_t)c->response_timeout_ms / 1000,
	    (uint32_t)(c->response_timeout_ms % 1000) * 1000);
	modbus_set_byte_timeout(link->ctx, (uint32_t)c->byte_timeout_ms / 1000,
	    (uint32_t)(c->byte_timeout_ms % 1000) * 1000);
}

/* Set up and connect.  On failure the link is freed. */
static int
link_connect(struct mb_link *link, const char *what, char *err, size_t errlen)
{
	int saved;

	if (link->ctx == NULL) {
		saved = errno;
		err_set(err, errlen, "%s: %s", what, modbus_strerror(saved));
		goto fail;
	}
	link_setup(link);
	if (modbus_connect(link->ctx) < 0) {
		saved = errno;
		err_set(err, errlen, "%s: %s", what, modbus_strerror(saved));
		goto fail;
	}
	link->bus_free_us = mono_us() + link->gap_us;
	return 0;
fail:
	if (link->ctx != NULL)
		modbus_free(link->ctx);
	free(link);
	errno = saved;
	return -1;
}

/* The RTU context (not connected) and the silent interval of the link. */
static void
rtu_context(struct mb_link *link)
{
	const struct mb_bus_config *c = &link->config;

	link->ctx = modbus_new_rtu(c->device[0] ? c->device : "-", c->baud, c->parity, c->data_bits,
	    c->stop_bits);
	link->gap_us = c->gap_us > 0 ? c->gap_us : gap_for_baud(c->baud);
}

/* The TCP context (not connected). */
static void
tcp_context(struct mb_link *link)
{
	char service[16];

	snprintf(service, sizeof(service), "%d", link->config.port);
	link->ctx =
	    modbus_new_tcp_pi(link->config.host[0] ? link->config.host : "127.0.0.1", service);
}

static int
rtu_open(const struct mb_bus_config *config, struct mb_link **out, char *err, size_t errlen)
{
	struct mb_link *link;
	char what[300];

	*out = NULL;
	if (config->device[0] == '\0') {
		err_set(err, errlen, "rtu bus: no device");
		errno = EINVAL;
		return -1;
	}
	if ((link = link_new(config, MB_BUS_RTU, err, errlen)) == NULL)
		return -1;
	rtu_context(link);
	config = &link->config;
	snprintf(what, sizeof(what), "rtu %s", config->device);
	if (link_connect(link, what, err, errlen) < 0)
		return -1;
	/* only after connect does libmodbus accept it */
	if (config->rs485 && modbus_rtu_set_serial_mode(link->ctx, MODBUS_RTU_RS485) < 0)
		log_warn("rtu %s: cannot set RS-485 mode (adapter may switch by itself)",
		    config->device);
	*out = link;
	return 0;
}

static int
tcp_open(const struct mb_bus_config *config, struct mb_link **out, char *err, size_t errlen)
{
	struct mb_link *link;
	char what[160];

	*out = NULL;
	if ((link = link_new(config, MB_BUS_TCP, err, errlen)) == NULL)
		return -1;
	tcp_context(link);
	snprintf(what, sizeof(what), "tcp %s:%d",
	    link->config.host[0] ? link->config.host : "127.0.0.1", link->config.port);
	if (link_connect(link, what, err, errlen) < 0)
		return -1;
	*out = link;
	return 0;
}

static void
link_close(struct mb_link *link)
{
	if (link == NULL)
		return;
	modbus_close(link->ctx);
	modbus_free(link->ctx);
	free(link);
}

static int
check_unit(struct mb_link *link, int unit)
{
	int max = link->config.kind == MB_BUS_TCP ? 255 : 247;
	int min = link->config.kind == MB_BUS_TCP ? 0 : 1;

	if (unit < min || unit > max) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* Before a request: keep the silent interval.  After: note when the bus
 * becomes free, and flush what a failed exchange may have left behind. */
static void
exchange_begin(struct mb_link *link, int unit)
{
	if (link->gap_us > 0) {
		int64_t now = mono_us();
		if (now < link->bus_free_us)
			sleep_until_us(link->bus_free_us);
	}
	modbus_set_slave(link->ctx, unit);
}

static int
exchange_end(struct mb_link *link, int rc)
{
	int e = errno;

	if (rc < 0) {
		e = map_errno(e);
		/* A timeout or a bad frame may leave bytes in flight: drop them. */
		if (mb_error_kind(e) != MB_ERR_LINK)
			modbus_flush(link->ctx);
	}
	link->bus_free_us = mono_us() + link->gap_us;
	if (rc < 0) {
		errno = e;
		return -1;
	}
	return 0;
}

/*
 * TCP: a reply that comes after its request timed out would be read as the
 * answer to a later request.  libmodbus refuses it by transaction id, but the
 * later request's own answer then arrives late in turn, and one slow unit
 * would keep failing its neighbours' exchanges.  So a connection on which an
 * exchange timed out is replaced before its next exchange: the late reply
 * dies with the old socket.  On a LAN this costs one TCP handshake per
 * timeout, and a unit that keeps timing out is backed off by the poller.
 */
static int
tcp_fresh(struct mb_link *link)
{
	int e;

	if (!link->stale)
		return 0;
	if (link->adopted) {
		errno = MB_ENOTCONN;
		return -1;
	}
	link->stale = 0;
	modbus_close(link->ctx);
	if (modbus_connect(link->ctx) < 0) {
		e = map_errno(errno);
		log_debug("tcp: reconnect after a timeout failed: %s", mb_strerror(e));
		errno = e;
		return -1;
	}
	return 0;
}

static void
tcp_note(struct mb_link *link, int rc)
{
	if (rc < 0 && errno == ETIMEDOUT)
		link->stale = 1;
}

static int
read_once(struct mb_link *link, int unit, enum mb_table table, uint16_t address, uint16_t count,
    uint16_t *out)
{
	uint8_t bits[MODBUS_MAX_READ_BITS];
	int rc;

	if (check_unit(link, unit) < 0)
		return -1;
	if (count == 0 ||
	    count > (table <= MB_DISCRETE ? MODBUS_MAX_READ_BITS : MODBUS_MAX_READ_REGISTERS)) {
		errno = EINVAL;
		return -1;
	}
	exchange_begin(link, unit);
	switch (table) {
	case MB_COIL:
		rc = modbus_read_bits(link->ctx, address, count, bits);
		break;
	case MB_DISCRETE:
		rc = modbus_read_input_bits(link->ctx, address, count, bits);
		break;
	case MB_INPUT:
		rc = modbus_read_input_registers(link->ctx, address, count, out);
		break;
	case MB_HOLDING:
	default:
		rc = modbus_read_registers(link->ctx, address, count, out);
		break;
	}
	if (rc >= 0 && rc != count) {
		errno = EMBBADDATA;
		rc = -1;
	}
	if (exchange_end(link, rc) < 0)
		return -1;
	if (table <= MB_DISCRETE)
		for (int i = 0; i < count; i++)
			out[i] = bits[i] ? 1 : 0;
	return 0;
}

static int
write_once(struct mb_link *link, int unit, enum mb_table table, uint16_t address, uint16_t count,
    const uint16_t *values)
{
	uint8_t bits[MODBUS_MAX_WRITE_BITS];
	int rc;

	if (check_unit(link, unit) < 0)
		return -1;
	if ((table != MB_COIL && table != MB_HOLDING) || count == 0 ||
	    count > (table == MB_COIL ? MODBUS_MAX_WRITE_BITS : MODBUS_MAX_WRITE_REGISTERS)) {
		errno = EINVAL;
		return -1;
	}
	exchange_begin(link, unit);
	if (table == MB_COIL) {
		if (count == 1) {
			rc = modbus_write_bit(link->ctx, address, values[0] ? 1 : 0);
		} else {
			for (int i = 0; i < count; i++)
				bits[i] = values[i] ? 1 : 0;
			rc = modbus_write_bits(link->ctx, address, count, bits);
		}
	} else if (count == 1) {
		rc = modbus_write_register(link->ctx, address, values[0]);
	} else {
		rc = modbus_write_registers(link->ctx, address, count, values);
	}
	if (rc >= 0 && count > 1 && rc != count) {
		errno = EMBBADDATA;
		rc = -1;
	}
	return exchange_end(link, rc < 0 ? -1 : 0);
}

static int
tcp_read(struct mb_link *link, int unit, enum mb_table table, uint16_t address, uint16_t count,
    uint16_t *out)
{
	int rc;

	if (tcp_fresh(link) < 0)
		return -1;
	rc = read_once(link, unit, table, address, count, out);
	tcp_note(link, rc);
	return rc;
}

static int
tcp_write(struct mb_link *link, int unit, enum mb_table table, uint16_t address, uint16_t count,
    const uint16_t *values)
{
	int rc;

	if (tcp_fresh(link) < 0)
		return -1;
	rc = write_once(link, unit, table, address, count, values);
	tcp_note(link, rc);
	return rc;
}

static const struct mb_driver rtu_driver = {
	.name = "rtu",
	.open = rtu_open,
	.read = read_once,
	.write = write_once,
	.close = link_close,
	.strerror = mb_strerror,
};

static const struct mb_driver tcp_driver = {
	.name = "tcp",
	.open = tcp_open,
	.read = tcp_read,
	.write = tcp_write,
	.close = link_close,
	.strerror = mb_strerror,
};

const struct mb_driver *
mb_driver_for(enum mb_bus_kind kind)
{
	return kind == MB_BUS_TCP ? &tcp_driver : &rtu_driver;
}

int
mb_link_open(const struct mb_bus_config *config, struct mb_link **link, char *err, size_t errlen)
{
	return mb_driver_for(config->kind)->open(config, link, err, errlen);
}

int
mb_link_adopt(const struct mb_bus_config *config, int fd, struct mb_link **out, char *err,
    size_t errlen)
{
	struct mb_link *link;
	int saved;

	*out = NULL;
	if ((link = link_new(config, config->kind, err, errlen)) == NULL) {
		close(fd);
		return -1;
	}
	if (link->config.kind == MB_BUS_TCP)
		tcp_context(link);
	else
		rtu_context(link);
	if (link->ctx == NULL) {
		saved = errno;
		err_set(err, errlen, "%s link on fd %d: %s", link->driver->name, fd,
		    modbus_strerror(saved));
		free(link);
		close(fd);
		errno = saved;
		return -1;
	}
	link_setup(link);
	modbus_set_socket(link->ctx, fd);
	link->adopted = 1;
	link->bus_free_us = mono_us() + link->gap_us;
	*out = link;
	return 0;
}

uint16_t
mb_rtu_crc(const uint8_t *frame, size_t len)
{
	uint16_t crc = 0xffff;

	for (size_t i = 0; i < len; i++) {
		crc ^= frame[i];
		for (int b = 0; b < 8; b++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xa001) : (uint16_t)(crc >> 1);
	}
	return crc;
}

int
mb_link_read(struct mb_link *link, int unit, enum mb_table table, uint16_t address, uint16_t count,
    uint16_t *out)
{
	return link->driver->read(link, unit, table, address, count, out);
}

int
mb_link_write(struct mb_link *link, int unit, enum mb_table table, uint16_t address, uint16_t count,
    const uint16_t *values)
{
	return link->driver->write(link, unit, table, address, count, values);
}

void
mb_link_close(struct mb_link *link)
{
	if (link != NULL)
		link->driver->close(link);
}

int
mb_link_read_signal(struct mb_link *link, int unit, const struct mb_profile *profile,
    enum mb_signal signal, double *value)
{
	const struct mb_field *f;
	uint16_t regs[2];

	if ((int)signal < 0 || signal >= MB_SIG_COUNT || !profile->field[signal].present) {
		errno = MB_ENOSIGNAL;
		return -1;
	}
	f = &profile->field[signal];
	if (mb_link_read(link, unit, f->table, f->address, (uint16_t)mb_field_width(f), regs) < 0)
		return -1;
	*value = mb_field_decode(f, regs);
	if (isnan(*value)) {
		errno = MB_EBADREPLY;
		return -1;
	}
	return 0;
}

int
mb_link_write_signal(struct mb_link *link, int unit, const struct mb_profile *profile,
    enum mb_signal signal, double value)
{
	const struct mb_field *f;
	uint16_t regs[2] = { 0, 0 };

	if ((int)signal < 0 || signal >= MB_SIG_COUNT || !profile->field[signal].present) {
		errno = MB_ENOSIGNAL;
		return -1;
	}
	f = &profile->field[signal];
	if (f->table != MB_COIL && f->table != MB_HOLDING) {
		errno = EINVAL;
		return -1;
	}
	/* A bit of a holding register: read, change the bit, write back. */
	if (f->table == MB_HOLDING && f->bit >= 0 &&
	    mb_link_read(link, unit, MB_HOLDING, f->address, 1, regs) < 0)
		return -1;
	if (mb_field_encode(f, value, regs) < 0)
		return -1;
	return mb_link_write(link, unit, f->table, f->address, (uint16_t)mb_field_width(f), regs);
}
