/*
 * Fuzz target: the device-profile parser (drivers/mb_profile.c) and the value
 * codec of whatever it accepts.  The bytes are handed over without a
 * terminating NUL, so reading past len is caught; any input must give a
 * profile or a FILE:LINE error, never a crash or a hang.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mb_profile profile;
	char err[256];

	if (mb_profile_parse((const char *)data, size, "fuzz.ini", &profile, err, sizeof(err)) != 0)
		return 0;
	for (int s = 0; s < MB_SIG_COUNT; s++) {
		const struct mb_field *f = &profile.field[s];
		uint16_t regs[2] = { 0, 0 };
		if (!f->present)
			continue;
		if (mb_field_encode(f, 12.5, regs) == 0)
			(void)mb_field_decode(f, regs);
	}
	return 0;
}
