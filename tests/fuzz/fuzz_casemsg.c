/*
 * Fuzz target for the county's parsers of what officers, grid workers and
 * the county's staff send: a case request (casemsg_decode: outside bytes
 * from a DTLS session) and the catalogue and village CSV files
 * (catalogue_parse, catalogue_parse_villages).  Besides "no crash, no
 * sanitizer report", it checks properties: a decoded request's text fields
 * are NUL-terminated inside their buffers and UTF-8, evidence bytes are
 * within bounds, and a decoded request encodes and decodes again to the
 * same fields; a refused one leaves nothing to free.  casemsg.c and
 * catalogue.c are compiled in: they are the county library's
 * (tools/county), which the fuzz build does not archive.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/county/casemsg.c"
#include "../../tools/county/catalogue.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct case_request r, again;
	struct catalogue cat;
	uint8_t *buf;
	size_t len;
	char err[256];

	if (casemsg_decode(data, size, &r, err, sizeof(err)) == 0) {
		if (memchr(r.note, '\0', sizeof(r.note)) == NULL ||
		    !casemsg_text_ok(r.note, strlen(r.note), 1) ||
		    memchr(r.step, '\0', sizeof(r.step)) == NULL ||
		    !casemsg_text_ok(r.step, strlen(r.step), 0) ||
		    r.data_len > CASEMSG_MAX_EVIDENCE || (r.data == NULL) != (r.data_len == 0))
			abort();
		if (casemsg_encode(&r, &buf, &len) == 0) {
			if (casemsg_decode(buf, len, &again, err, sizeof(err)) == -1 ||
			    again.present != r.present || again.id != r.id ||
			    strcmp(again.note, r.note) != 0 || again.data_len != r.data_len ||
			    (r.data_len > 0 && memcmp(again.data, r.data, r.data_len) != 0))
				abort();
			casemsg_free(&again);
			free(buf);
		}
		casemsg_free(&r);
	} else if (r.present != 0 || r.data != NULL) {
		abort();
	}
	/* the same bytes as a catalogue, then as a village list */
	if (catalogue_parse("fuzz.csv", (const char *)data, size, &cat, err, sizeof(err)) == 0 &&
	    catalogue_parse_villages("fuzz.csv", (const char *)data, size, &cat, err,
	        sizeof(err)) == 0) {
		for (size_t i = 0; i < cat.npowers; i++)
			if (cat.powers[i].noutcomes == 0 ||
			    cat.powers[i].noutcomes > CATALOGUE_MAX_OUTCOMES)
				abort();
	}
	catalogue_free(&cat);
	return 0;
}
