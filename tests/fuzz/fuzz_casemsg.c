/*
 * Fuzz target for the county's parsers of what officers, grid workers and
 * the county's staff send: a case request (casemsg_decode, and
 * casemsg_decode_json for a JSON body: outside bytes from a DTLS session)
 * and the catalogue, village, deadlines and calendar CSV files
 * (catalogue_parse, _villages, _deadlines, _calendar), and the county's
 * catalogue answer as gaswatch reads it (catalogue_decode).  Besides "no crash, no
 * sanitizer report", it checks properties: a decoded request's text fields
 * are NUL-terminated inside their buffers and UTF-8, evidence bytes are
 * within bounds, and a decoded request encodes and decodes again to the
 * same fields; a refused one leaves nothing to free; a JSON request
 * taken encodes to CBOR and decodes to the same fields.  casemsg.c,
 * catalogue.c, cborread.c and geo.c are compiled in: they are the county library's
 * (tools/county), which the fuzz build does not archive.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/county/casemsg.c"
#include "../../tools/county/catalogue.c"
#include "../../tools/county/cborread.c"
#include "../../tools/county/geo.c"

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
	/* the same bytes as a JSON request */
	if (casemsg_decode_json(data, size, &r, err, sizeof(err)) == 0) {
		if (memchr(r.note, '\0', sizeof(r.note)) == NULL ||
		    !casemsg_text_ok(r.note, strlen(r.note), 1) ||
		    r.data_len > CASEMSG_MAX_EVIDENCE || (r.data == NULL) != (r.data_len == 0))
			abort();
		if (casemsg_encode(&r, &buf, &len) == 0) {
			if (casemsg_decode(buf, len, &again, err, sizeof(err)) == -1 ||
			    again.present != r.present || strcmp(again.note, r.note) != 0 ||
			    again.data_len != r.data_len)
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
	/* and as deadlines, and as a calendar (sorted, no day twice) */
	memset(&cat, 0, sizeof(cat));
	catalogue_parse_deadlines("fuzz.csv", (const char *)data, size, &cat, err, sizeof(err));
	catalogue_free(&cat);
	if (catalogue_parse_calendar("fuzz.csv", (const char *)data, size, &cat, err,
	        sizeof(err)) == 0)
		for (size_t i = 1; i < cat.ndays; i++)
			if (cat.days[i - 1].day >= cat.days[i].day)
				abort();
	catalogue_free(&cat);
	/* and as the county's catalogue answer (catalogue_decode, gaswatch's): every power
	 * ends in an outcome it holds, and what it refuses leaves nothing */
	if (catalogue_decode(data, size, &cat, err, sizeof(err)) == 0) {
		for (size_t i = 0; i < cat.npowers; i++)
			for (size_t j = 0; j < cat.powers[i].noutcomes; j++)
				if (cat.powers[i].outcomes[j] < 0 ||
				    (size_t)cat.powers[i].outcomes[j] >= cat.noutcomes ||
				    !cat.outcomes[cat.powers[i].outcomes[j]].powered)
					abort();
		catalogue_free(&cat);
	} else if (cat.outcomes != NULL || cat.powers != NULL || cat.kinds != NULL ||
	           cat.noutcomes + cat.npowers + cat.nkinds != 0) {
		abort();
	}
	return 0;
}
