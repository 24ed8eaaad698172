/*
 * histwire: a cylinder's registry history as CBOR (histwire.h), with libcbor.
 */
#include "histwire.h"

#include <stdlib.h>

#include <cbor.h>

static int
put(cbor_item_t *map, const char *key, cbor_item_t *value)
{
	cbor_item_t *k = cbor_build_string(key);
	int ok = k != NULL && value != NULL &&
	         cbor_map_add(map, (struct cbor_pair){ .key = k, .value = value });

	if (k != NULL)
		cbor_decref(&k);
	if (value != NULL)
		cbor_decref(&value);
	return ok ? 0 : -1;
}

static cbor_item_t *
int_item(int64_t v)
{
	cbor_item_t *item = cbor_build_uint64(v < 0 ? (uint64_t)(-(v + 1)) : (uint64_t)v);

	if (item != NULL && v < 0)
		cbor_mark_negint(item);
	return item;
}

static cbor_item_t *
change_item(const struct history_row *r)
{
	cbor_item_t *m = cbor_new_definite_map(9);

	if (m == NULL)
		return NULL;
	if (put(m, "version", int_item(r->version)) == -1 ||
	    put(m, "at_ms", int_item(r->changed_ms)) == -1 ||
	    put(m, "status", cbor_build_string(r->status)) == -1 ||
	    put(m, "last_inspection", cbor_build_string(r->last_inspection)) == -1 ||
	    put(m, "next_inspection", cbor_build_string(r->next_inspection)) == -1 ||
	    put(m, "owner", cbor_build_string(r->owner)) == -1 ||
	    put(m, "source", cbor_build_string(r->source)) == -1 ||
	    put(m, "actor", cbor_build_string(r->actor)) == -1 ||
	    put(m, "detail", cbor_build_string(r->detail)) == -1) {
		cbor_decref(&m);
		return NULL;
	}
	return m;
}

int
histwire_encode(const char *serial, const struct history_row *rows, size_t n, int more,
    uint8_t **out, size_t *outlen)
{
	cbor_item_t *root = cbor_new_definite_map(3), *changes = cbor_new_definite_array(n);
	size_t i, size = 0;
	int rc = -1;

	*out = NULL;
	*outlen = 0;
	if (root == NULL || changes == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		cbor_item_t *c = change_item(&rows[i]);
		int ok = c != NULL && cbor_array_push(changes, c);

		if (c != NULL)
			cbor_decref(&c);
		if (!ok)
			goto out;
	}
	if (put(root, "serial", cbor_build_string(serial)) == -1 ||
	    put(root, "more", cbor_build_bool(more != 0)) == -1)
		goto out;
	if (put(root, "changes", changes) == -1) {
		changes = NULL; /* put released it */
		goto out;
	}
	changes = NULL;
	*outlen = cbor_serialize_alloc(root, out, &size);
	rc = *outlen > 0 ? 0 : -1;
out:
	if (changes != NULL)
		cbor_decref(&changes);
	if (root != NULL)
		cbor_decref(&root);
	return rc;
}
