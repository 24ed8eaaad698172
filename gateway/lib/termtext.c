/*
 * termtext: text another party wrote, made safe to print on a person's
 * terminal (see termtext.h for the rule and why).
 */
#include "termtext.h"

#include <stdlib.h>
#include <string.h>

/*
 * The length of the well-formed UTF-8 character at p (left bytes, left >
 * 0), or 0 when the byte at p does not begin one.  The bounds of each lead
 * byte's second byte are RFC 3629's table: they leave out overlong forms,
 * surrogates (ED A0..BF) and code points beyond U+10FFFF.
 */
static size_t
utf8_char(const unsigned char *p, size_t left)
{
	unsigned char low = 0x80, high = 0xbf;
	size_t need, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 1;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 2;
		if (p[0] == 0xe0)
			low = 0xa0;
		else if (p[0] == 0xed)
			high = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 3;
		if (p[0] == 0xf0)
			low = 0x90;
		else if (p[0] == 0xf4)
			high = 0x8f;
	} else {
		return 0; /* a continuation byte, C0, C1 (overlong) or F5..FF */
	}
	if (left <= need || p[1] < low || p[1] > high)
		return 0;
	for (i = 2; i <= need; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return need + 1;
}

size_t
termtext_utf8_len(const char *p, size_t left)
{
	return utf8_char((const unsigned char *)p, left);
}

int
termtext_text_ok(const char *s, size_t n, int lines)
{
	size_t i = 0, k;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && !(lines && (c == '\n' || c == '\t' || c == '\r'))) || c == 0x7f)
			return 0;
		if ((k = termtext_utf8_len(s + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

size_t
termtext_bidi_len(const char *p, size_t left)
{
	const unsigned char *u = (const unsigned char *)p;

	if (left >= 2 && u[0] == 0xd8 && u[1] == 0x9c)
		return 2;
	if (left >= 3 && u[0] == 0xe2 &&
	    ((u[1] == 0x80 && ((u[2] >= 0xaa && u[2] <= 0xae) || u[2] == 0x8e || u[2] == 0x8f)) ||
	        (u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9)))
		return 3;
	return 0;
}

/* 1 if the character of n bytes at p lays text out rather than being text:
 * a bidi control (termtext_bidi_len) or a line or paragraph separator
 * (U+2028, U+2029). */
static int
layout_control(const unsigned char *p, size_t n)
{
	if (termtext_bidi_len((const char *)p, n) == n)
		return 1;
	return n == 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9);
}

char *
termtext_copy_n(char *dst, size_t dstlen, const char *src, size_t srclen)
{
	const unsigned char *p = (const unsigned char *)src;
	size_t in = 0, out = 0, n;
	char mark;

	if (dstlen == 0)
		return dst;
	/* out never passes in: with dst == src each byte is read before it is written over */
	while (in < srclen) {
		n = utf8_char(p + in, srclen - in);
		if (n == 0)
			mark = TERMTEXT_INVALID, n = 1;
		else if (n == 1 && (p[in] < 0x20 || p[in] == 0x7f))
			mark = TERMTEXT_CONTROL;
		else if (n == 2 && p[in] == 0xc2 && p[in + 1] <= 0x9f) /* U+0080..U+009F */
			mark = TERMTEXT_CONTROL;
		else if (layout_control(p + in, n))
			mark = TERMTEXT_CONTROL;
		else
			mark = '\0';
		if (mark != '\0') {
			if (out + 1 >= dstlen)
				break;
			dst[out++] = mark;
		} else {
			if (out + n >= dstlen) /* a character that does not fit whole */
				break;
			memmove(dst + out, p + in, n);
			out += n;
		}
		in += n;
	}
	dst[out] = '\0';
	return dst;
}

char *
termtext_copy(char *dst, const char *src, size_t dstlen)
{
	return termtext_copy_n(dst, dstlen, src, strlen(src));
}

/* Clean the JSON string s in place: 0, or -1 (s unchanged) when out of memory. */
static int
clean_string(json_t *s)
{
	const char *text = json_string_value(s);
	size_t len = json_string_length(s);
	char small[256], *clean = len < sizeof(small) ? small : malloc(len + 1);
	int rc = 0;

	if (clean == NULL)
		return -1;
	termtext_copy_n(clean, len + 1, text, len); /* never longer: all of it fits */
	if (strlen(clean) != len || memcmp(clean, text, len) != 0)
		rc = json_string_set(s, clean);
	if (clean != small)
		free(clean);
	return rc;
}

int
termtext_json(json_t *root)
{
	const char *key;
	json_t *child;
	size_t i;
	int rc = 0;

	if (json_is_string(root))
		return clean_string(root);
	/* a string that cannot be cleaned for want of memory becomes null; replacing a
	 * key's or an index's value moves nothing, so the walk goes on */
	if (json_is_object(root)) {
		json_object_foreach(root, key, child)
		{
			if (!json_is_string(child)) {
				if (termtext_json(child) == -1)
					rc = -1;
			} else if (clean_string(child) == -1) {
				json_object_set_new(root, key, json_null());
				rc = -1;
			}
		}
	} else if (json_is_array(root)) {
		json_array_foreach(root, i, child)
		{
			if (!json_is_string(child)) {
				if (termtext_json(child) == -1)
					rc = -1;
			} else if (clean_string(child) == -1) {
				json_array_set_new(root, i, json_null());
				rc = -1;
			}
		}
	}
	return rc;
}
