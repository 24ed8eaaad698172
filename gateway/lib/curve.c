/*
 * curve: bounded sampling and the compact stored form (see curve.h).
 *
 * Stored form, version 1:
 *   'F' 'C' 1                      magic and version
 *   varint target_g, varint preact_g (zigzag)
 *   varint cutoff_ms + 1 (0: none), zigzag net_g + 1 flag (see below)
 *   varint interval_ms, varint count
 *   count x (zigzag dt, zigzag dgrams)   deltas from the previous sample
 */
#include "curve.h"

#include <string.h>

#include "util.h"

void
curve_init(struct curve *c, int32_t target_g, int32_t preact_g)
{
	memset(c, 0, sizeof(*c));
	c->target_g = target_g;
	c->preact_g = preact_g;
	c->cutoff_ms = CURVE_NONE;
	c->net_g = CURVE_NONE;
	c->interval_ms = 100;
}

/* Halve the samples, keeping the first and the last. */
static void
curve_thin(struct curve *c)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; i < c->count; i++) {
		if (i % 2 == 0 || i == c->count - 1) {
			c->t_ms[kept] = c->t_ms[i];
			c->grams[kept] = c->grams[i];
			kept++;
		}
	}
	c->count = kept;
	c->interval_ms *= 2;
}

void
curve_add(struct curve *c, int32_t t_ms, int32_t grams)
{
	if (c->count > 0) {
		int32_t last = c->t_ms[c->count - 1];
		int after_cutoff = c->cutoff_ms != CURVE_NONE && last < c->cutoff_ms + 3000;

		if (t_ms < last)
			return;
		if (!after_cutoff && t_ms - last < c->interval_ms)
			return;
	}
	if (c->count == CURVE_MAX_SAMPLES)
		curve_thin(c);
	c->t_ms[c->count] = t_ms;
	c->grams[c->count] = grams;
	c->count++;
}

void
curve_mark_cutoff(struct curve *c, int32_t t_ms)
{
	c->cutoff_ms = t_ms;
}

void
curve_set_net(struct curve *c, int32_t net_g)
{
	c->net_g = net_g;
}

static int
put_varint(uint8_t *buf, size_t cap, size_t *pos, uint64_t v)
{
	do {
		if (*pos >= cap)
			return -1;
		buf[(*pos)++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v != 0);
	return 0;
}

static uint64_t
zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static int64_t
unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static int
get_varint(const uint8_t *buf, size_t len, size_t *pos, uint64_t *out)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64; shift += 7) {
		if (*pos >= len)
			return -1;
		uint8_t b = buf[(*pos)++];
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

int
curve_encode(const struct curve *c, uint8_t *buf, size_t cap, size_t *len)
{
	size_t pos = 0;
	int64_t t = 0, g = 0;

	if (cap < 3)
		return -1;
	buf[pos++] = 'F';
	buf[pos++] = 'C';
	buf[pos++] = 1;
	if (put_varint(buf, cap, &pos, zigzag(c->target_g)) == -1 ||
	    put_varint(buf, cap, &pos, zigzag(c->preact_g)) == -1 ||
	    put_varint(buf, cap, &pos,
	        c->cutoff_ms == CURVE_NONE ? 0 : (uint64_t)zigzag(c->cutoff_ms) + 1) == -1 ||
	    put_varint(buf, cap, &pos, c->net_g == CURVE_NONE ? 0 : zigzag(c->net_g) + 1) == -1 ||
	    put_varint(buf, cap, &pos, (uint64_t)c->interval_ms) == -1 ||
	    put_varint(buf, cap, &pos, c->count) == -1)
		return -1;
	for (uint32_t i = 0; i < c->count; i++) {
		if (put_varint(buf, cap, &pos, zigzag(c->t_ms[i] - t)) == -1 ||
		    put_varint(buf, cap, &pos, zigzag(c->grams[i] - g)) == -1)
			return -1;
		t = c->t_ms[i];
		g = c->grams[i];
	}
	*len = pos;
	return 0;
}

static int
fits_int32(int64_t v)
{
	return v > INT32_MIN && v <= INT32_MAX;
}

int
curve_decode(const uint8_t *buf, size_t len, struct curve *c, char *err, size_t errlen)
{
	uint64_t target, preact, cutoff, net, interval, count, v;
	size_t pos = 3;
	int64_t t = 0, g = 0;

	memset(c, 0, sizeof(*c));
	if (len < 3 || buf[0] != 'F' || buf[1] != 'C')
		return err_set(err, errlen, "not a fill curve");
	if (buf[2] != 1)
		return err_set(err, errlen, "fill curve version %d is not known", buf[2]);
	if (get_varint(buf, len, &pos, &target) == -1 ||
	    get_varint(buf, len, &pos, &preact) == -1 ||
	    get_varint(buf, len, &pos, &cutoff) == -1 || get_varint(buf, len, &pos, &net) == -1 ||
	    get_varint(buf, len, &pos, &interval) == -1 || get_varint(buf, len, &pos, &count) == -1)
		return err_set(err, errlen, "fill curve header truncated");
	if (count > CURVE_MAX_SAMPLES)
		return err_set(err, errlen, "fill curve has %llu samples (at most %d)",
		    (unsigned long long)count, CURVE_MAX_SAMPLES);
	if (!fits_int32(unzigzag(target)) || !fits_int32(unzigzag(preact)) ||
	    interval > INT32_MAX || (cutoff != 0 && !fits_int32(unzigzag(cutoff - 1))) ||
	    (net != 0 && !fits_int32(unzigzag(net - 1))))
		return err_set(err, errlen, "fill curve header out of range");
	c->target_g = (int32_t)unzigzag(target);
	c->preact_g = (int32_t)unzigzag(preact);
	c->cutoff_ms = cutoff == 0 ? CURVE_NONE : (int32_t)unzigzag(cutoff - 1);
	c->net_g = net == 0 ? CURVE_NONE : (int32_t)unzigzag(net - 1);
	c->interval_ms = (int32_t)interval;
	for (uint64_t i = 0; i < count; i++) {
		if (get_varint(buf, len, &pos, &v) == -1)
			return err_set(err, errlen, "fill curve truncated at sample %llu",
			    (unsigned long long)i);
		t += unzigzag(v);
		if (get_varint(buf, len, &pos, &v) == -1)
			return err_set(err, errlen, "fill curve truncated at sample %llu",
			    (unsigned long long)i);
		g += unzigzag(v);
		if (!fits_int32(t) || !fits_int32(g) || t < 0)
			return err_set(err, errlen, "fill curve sample %llu out of range",
			    (unsigned long long)i);
		c->t_ms[i] = (int32_t)t;
		c->grams[i] = (int32_t)g;
	}
	c->count = (uint32_t)count;
	if (pos != len)
		return err_set(err, errlen, "fill curve has %zu trailing bytes", len - pos);
	return 0;
}
