/*
 * cmdtable: finding a command's row in a tool's table (cmdtable.h).
 */
#include "cmdtable.h"

#include <string.h>

const void *
cmdtable_find(const void *rows, size_t count, size_t size, const char *name)
{
	const char *row = rows;

	for (size_t i = 0; i < count; i++, row += size) {
		/* every row struct begins with its name (cmdtable.h) */
		const char *const *row_name = (const char *const *)(const void *)row;

		if (*row_name != NULL && strcmp(*row_name, name) == 0)
			return row;
	}
	return NULL;
}
