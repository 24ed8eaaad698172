/*
 * histwire: the answer of GET /registry/history (docs/protocol.md), a
 * cylinder's registry history as CBOR, rendered as JSON by the server's
 * generic CBOR-to-JSON path like every other answer:
 *
 *   { "serial": text, "more": bool,
 *     "changes": [ { "version": uint, "at_ms": int, "status": text,
 *                    "last_inspection": text, "next_inspection": text,
 *                    "owner": text, "source": text, "actor": text,
 *                    "detail": text }, ... ] }
 *
 * changes oldest first; more when the county holds more than it sent.
 * Kept out of gateway/lib/wire.c: only the county writes it and only
 * gastrace reads it (as JSON).
 */
#ifndef COUNTY_HISTWIRE_H
#define COUNTY_HISTWIRE_H

#include <stddef.h>
#include <stdint.h>

#include "history.h"

/* The CBOR of the answer in *out (malloc'd, the caller frees); 0 or -1 when
 * out of memory. */
int histwire_encode(const char *serial, const struct history_row *rows, size_t n, int more,
    uint8_t **out, size_t *outlen);

#endif
