/*
 * fuzz_wire: every decoder of the county link (and the JSON rendering) on
 * arbitrary bytes.  They must refuse or accept without reading out of
 * bounds, leaking, asserting inside libcbor or allocating what a header
 * merely claims.  Corpus: tests/fuzz/corpus/wire/ (one encoded message of
 * each kind, plus whatever the fuzzer found worth keeping).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_batch batch;
	struct wire_ack ack;
	struct wire_heartbeat hb;
	struct wire_registry reg;
	struct wire_alert_list alerts;
	struct wire_disposition d;
	struct wire_trace trace;
	struct wire_station_list stations;
	struct wire_curve curve;
	char err[256], *json = NULL;
	uint8_t *again = NULL;
	size_t len;

	if (wire_decode_batch(data, size, &batch, err, sizeof(err)) == 0) {
		/* what decodes must encode again */
		if (wire_encode_batch(&batch, &again, &len) != 0)
			abort();
		free(again);
		wire_batch_free(&batch);
	}
	(void)wire_decode_ack(data, size, &ack, err, sizeof(err));
	(void)wire_decode_heartbeat(data, size, &hb, err, sizeof(err));
	if (wire_decode_registry(data, size, &reg, err, sizeof(err)) == 0)
		wire_registry_free(&reg);
	if (wire_decode_alerts(data, size, &alerts, err, sizeof(err)) == 0)
		wire_alerts_free(&alerts);
	(void)wire_decode_disposition(data, size, &d, err, sizeof(err));
	if (wire_decode_trace(data, size, &trace, err, sizeof(err)) == 0)
		wire_trace_free(&trace);
	if (wire_decode_stations(data, size, &stations, err, sizeof(err)) == 0)
		wire_stations_free(&stations);
	if (wire_decode_curve(data, size, &curve, err, sizeof(err)) == 0)
		wire_curve_free(&curve);
	if (wire_cbor_to_json(data, size, &json, err, sizeof(err)) == 0)
		free(json);
	return 0;
}
