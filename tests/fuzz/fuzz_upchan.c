/*
 * fuzz_upchan: the channel between gasgw and its uplink process
 * (gateway/upchan.c) on arbitrary bytes.  The first byte picks the side the
 * message claims to come from (even: the gateway, odd: the uplink); the rest
 * is one message as recv() would hand it over.
 *
 * Aborts (besides crashes and UB) when an accepted message: has a type the
 * other side sends; has a text field not terminated inside its array; has a
 * BATCH part whose bytes lie outside the input or past the batch's end; or
 * has a number outside the range upchan.h gives it.  A refused one must say
 * why.  Corpus: tests/fuzz/corpus/upchan/ (one well-formed message of each
 * type from its side).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "upchan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TERMINATED(field) (memchr((field), '\0', sizeof(field)) != NULL)

static int
from_gateway(enum upchan_type t)
{
	return t == UPCHAN_CONFIG || t == UPCHAN_KICK || t == UPCHAN_STATE || t == UPCHAN_BATCH ||
	       t == UPCHAN_REGISTRY_DONE;
}

static void
check(const struct upchan_msg *m, enum upchan_from from, const uint8_t *buf, size_t len)
{
	if (from_gateway(m->type) != (from == UPCHAN_FROM_GATEWAY))
		abort();
	switch (m->type) {
	case UPCHAN_CONFIG:
		if (!TERMINATED(m->body.config.host) || !TERMINATED(m->body.config.identity) ||
		    !TERMINATED(m->body.config.station_id) || !TERMINATED(m->body.config.user) ||
		    m->body.config.key_len < 1 || m->body.config.key_len > PSK_MAX_KEY)
			abort();
		break;
	case UPCHAN_BATCH:
		if (m->data < buf || m->data + m->data_len > buf + len ||
		    m->body.batch.total > UPCHAN_MAX_BATCH ||
		    m->body.batch.offset + m->data_len > m->body.batch.total)
			abort();
		break;
	case UPCHAN_STATUS:
		if (!TERMINATED(m->body.status.last_error) || m->body.status.quiet_ms < 0 ||
		    m->body.status.quiet_ms > UPCHAN_MAX_QUIET_MS)
			abort();
		break;
	case UPCHAN_REGISTRY_DONE:
		if (!TERMINATED(m->body.registry_done.error))
			abort();
		break;
	case UPCHAN_REGISTRY_ROW:
		if (!TERMINATED(m->body.registry_row.serial) ||
		    !TERMINATED(m->body.registry_row.status) ||
		    !TERMINATED(m->body.registry_row.last_inspection) ||
		    !TERMINATED(m->body.registry_row.next_inspection) ||
		    !TERMINATED(m->body.registry_row.owner))
			abort();
		break;
	case UPCHAN_REGISTRY_END:
		if (m->body.registry_end.count > WIRE_MAX_ROWS)
			abort();
		break;
	case UPCHAN_ACK:
		if (m->body.ack.hwm < 0)
			abort();
		break;
	case UPCHAN_REFUSED:
		if (!TERMINATED(m->body.refused.reason) || m->body.refused.code != 400)
			abort();
		break;
	default:
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct upchan_msg m;
	enum upchan_from from;
	char err[256];
	uint8_t *copy;

	if (size < 1)
		return 0;
	from = (data[0] & 1) ? UPCHAN_FROM_UPLINK : UPCHAN_FROM_GATEWAY;
	/* a buffer of exactly the message: any read past it is caught */
	if ((copy = malloc(size - 1 > 0 ? size - 1 : 1)) == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	err[0] = '\0';
	if (upchan_parse(copy, size - 1, from, &m, err, sizeof(err)) == 0)
		check(&m, from, copy, size - 1);
	else if (err[0] == '\0')
		abort();
	free(copy);
	return 0;
}
