/*
 * cborread: the values of a CBOR answer read as a tree (libcbor's
 * cbor_load), by key, for the county's clients of their own answers: the
 * console renders a case (casedetail), gaswatch reads the catalogue
 * (catalogue_decode).  Nothing here trusts the tree's shape: a key that is
 * missing or of another type gives the default.
 */
#ifndef COUNTY_CBORREAD_H
#define COUNTY_CBORREAD_H

#include <stddef.h>
#include <stdint.h>

#include <cbor.h>

/* The value of key in map (NULL when map is not a map or has no such key);
 * its text copied into out ("" when absent, not text or too long); its
 * integer (a real is truncated; def when absent); its real (an integer
 * converted; def when absent). */
const cbor_item_t *cborread_find(const cbor_item_t *map, const char *key);
void cborread_text(const cbor_item_t *map, const char *key, char *out, size_t size);
int64_t cborread_int(const cbor_item_t *map, const char *key, int64_t def);
double cborread_real(const cbor_item_t *map, const char *key, double def);
/* Its boolean: 1 for true, 0 for false, def for anything else or nothing.  (libcbor's
 * cbor_is_bool aborts on a float: this asks its width first.) */
int cborread_bool(const cbor_item_t *map, const char *key, int def);

#endif
