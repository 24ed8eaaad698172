/*
 * Fuzz target: the stored fill curve (curve_decode), which gastrace reads
 * from the county: any bytes are decoded or refused, never a crash.
 */
#include <stddef.h>
#include <stdint.h>

#include "curve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct curve c;
	char err[128];
	uint8_t again[CURVE_MAX_ENCODED];
	size_t len;

	if (curve_decode(data, size, &c, err, sizeof(err)) == 0) {
		/* Whatever decodes must encode again. */
		if (curve_encode(&c, again, sizeof(again), &len) != 0)
			__builtin_trap();
	}
	return 0;
}
