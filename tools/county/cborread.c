/*
 * cborread: reading a CBOR answer's tree (cborread.h).
 */
#include <stdint.h>
#include <string.h>

#include "cborread.h"

const cbor_item_t *
cborread_find(const cbor_item_t *map, const char *key)
{
	struct cbor_pair *pairs;
	size_t i, n, klen = strlen(key);

	if (map == NULL || !cbor_isa_map(map))
		return NULL;
	pairs = cbor_map_handle(map);
	n = cbor_map_size(map);
	for (i = 0; i < n; i++)
		if (cbor_isa_string(pairs[i].key) && cbor_string_is_definite(pairs[i].key) &&
		    cbor_string_length(pairs[i].key) == klen &&
		    memcmp(cbor_string_handle(pairs[i].key), key, klen) == 0)
			return pairs[i].value;
	return NULL;
}

void
cborread_text(const cbor_item_t *map, const char *key, char *out, size_t size)
{
	const cbor_item_t *v = cborread_find(map, key);

	out[0] = '\0';
	if (v != NULL && cbor_isa_string(v) && cbor_string_is_definite(v) &&
	    cbor_string_length(v) < size) {
		memcpy(out, cbor_string_handle(v), cbor_string_length(v));
		out[cbor_string_length(v)] = '\0';
	}
}

int64_t
cborread_int(const cbor_item_t *map, const char *key, int64_t def)
{
	const cbor_item_t *v = cborread_find(map, key);

	if (v == NULL)
		return def;
	if (cbor_isa_uint(v))
		return (int64_t)cbor_get_int(v);
	if (cbor_isa_negint(v))
		return -1 - (int64_t)cbor_get_int(v);
	if (cbor_isa_float_ctrl(v) && cbor_float_get_width(v) != CBOR_FLOAT_0)
		return (int64_t)cbor_float_get_float(v);
	return def;
}

double
cborread_real(const cbor_item_t *map, const char *key, double def)
{
	const cbor_item_t *v = cborread_find(map, key);

	if (v != NULL && cbor_isa_float_ctrl(v) && cbor_float_get_width(v) != CBOR_FLOAT_0)
		return cbor_float_get_float(v);
	if (v != NULL && (cbor_isa_uint(v) || cbor_isa_negint(v)))
		return (double)cborread_int(map, key, 0);
	return def;
}

int
cborread_bool(const cbor_item_t *map, const char *key, int def)
{
	const cbor_item_t *v = cborread_find(map, key);

	if (v == NULL || !cbor_isa_float_ctrl(v) || cbor_float_get_width(v) != CBOR_FLOAT_0 ||
	    !cbor_is_bool(v))
		return def;
	return cbor_get_bool(v) ? 1 : 0;
}
