/*
 * Fuzz target: the configuration parser (conf.c through the gateway's
 * tables).  Any bytes must yield either a configuration or a report of
 * FILE:LINE errors; never a crash, a hang or an out-of-bounds access.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "gwconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gw_config config;
	static struct conf_report report;
	char *text;

	if (size > 65536)
		return 0;
	text = malloc(size + 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	conf_load_string("fuzz.conf", text, gw_config_sections, &config, &report);
	free(text);
	return 0;
}
