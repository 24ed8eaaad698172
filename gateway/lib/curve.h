/*
 * curve: a fill's weight over time, kept with the fill record as evidence
 * for short-weight complaints and overfill disputes.
 *
 * A curve holds at most CURVE_MAX_SAMPLES samples (net grams at ms since the
 * fill started).  When it is full, every other sample is dropped and the
 * sampling interval doubles, so a curve stays bounded however long the
 * fill, with even resolution over its whole length.  It also carries the
 * target, the pre-act, the moment the close was commanded and the final
 * net, so a plot needs nothing else.
 *
 * The stored form (curve_encode) is a few hundred bytes: a header, then
 * zigzag-varint deltas of time and weight.  curve_decode takes (buf, len)
 * from outside and refuses anything malformed.
 */
#ifndef GAS_CURVE_H
#define GAS_CURVE_H

#include <stddef.h>
#include <stdint.h>

#define CURVE_MAX_SAMPLES 512
#define CURVE_MAX_ENCODED (16 + CURVE_MAX_SAMPLES * 10)
#define CURVE_NONE INT32_MIN

struct curve {
	int32_t target_g;    /* net target */
	int32_t preact_g;    /* pre-act used */
	int32_t cutoff_ms;   /* when the close was commanded, or CURVE_NONE */
	int32_t net_g;       /* check-weighed net, or CURVE_NONE */
	int32_t interval_ms; /* minimum spacing of kept samples (grows when full) */
	uint32_t count;
	int32_t t_ms[CURVE_MAX_SAMPLES];
	int32_t grams[CURVE_MAX_SAMPLES];
};

void curve_init(struct curve *c, int32_t target_g, int32_t preact_g);
/* Add a sample; samples closer than interval_ms to the last kept one are
 * skipped, except that the first and any after curve_mark_cutoff are kept. */
void curve_add(struct curve *c, int32_t t_ms, int32_t grams);
void curve_mark_cutoff(struct curve *c, int32_t t_ms);
void curve_set_net(struct curve *c, int32_t net_g);

/* Encode into buf (cap >= CURVE_MAX_ENCODED always suffices); *len set. */
int curve_encode(const struct curve *c, uint8_t *buf, size_t cap, size_t *len);
/* Decode; -1 with a reason for anything truncated, oversized or inconsistent. */
int curve_decode(const uint8_t *buf, size_t len, struct curve *c, char *err, size_t errlen);

#endif
