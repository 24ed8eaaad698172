/*
 * termtext: text another party wrote, made safe to print on a person's
 * terminal.
 *
 * A station, a grid worker, a delivery device, an officer or a county file
 * writes free texts that the county (and gasgw) keep as sent: a violation's
 * details, a case step's note, a report's place, a life event's village or
 * reason, a heartbeat's status keep their line breaks and tabs, and no check
 * at any door refuses C1 controls (U+0080..U+009F are well-formed UTF-8).
 * Printed as stored in a table or a line a person reads, a line break
 * followed by text laid out as a row writes a row nobody made (an officer's
 * timeline, a regulator's trace), and ESC, or C1's CSI (U+009B, which xterm
 * and VTE take as ESC [ in UTF-8), starts a control sequence that moves the
 * cursor, erases or rewrites what the screen shows.
 *
 * So every human output of gaswatch, gastrace, gasdeliver and gasctl prints
 * text it did not write itself through this module.  Their JSON and CSV do
 * not: those keep the text as stored, escaped or quoted by their formats.
 * What is stored, and what the county accepts, is not changed here.
 *
 * The one rule, the same in every function:
 *   - each C0 control (tab, line feed and carriage return included), DEL,
 *     C1 control (U+0080..U+009F, in UTF-8 C2 80..C2 9F), line or paragraph
 *     separator (U+2028, U+2029) and bidi control (termtext_bidi_len: on a
 *     terminal that does bidi, an embedding, override or isolate reverses
 *     what follows it on the line, and an invisible mark between two numbers
 *     swaps them) becomes one space (TERMTEXT_CONTROL);
 *   - each byte that is not part of a well-formed UTF-8 character (a stray
 *     continuation byte, an overlong form, a surrogate, a code point beyond
 *     U+10FFFF, a character cut short, C0/C1/F5..FF) becomes '?'
 *     (TERMTEXT_INVALID);
 *   - everything else, Chinese included, is kept byte for byte.
 * A space, not a visible mark, for controls: the controls honest text holds
 * are a note's line breaks and tabs, which read on one line as a space does,
 * while a row forged after a line break stays in plain sight on the line of
 * the text that carried it.  A '?' for bytes that are not UTF-8: no honest
 * text holds them (the county refuses them), so a mark shows that something
 * was there, and each stands for one byte, as a terminal would draw it.
 *
 * The text never grows (each replacement is at most as long as what it
 * replaces), so strlen(src) + 1 bytes always hold all of it, and dst may be
 * src itself (cleaned in place).
 */
#ifndef GAS_TERMTEXT_H
#define GAS_TERMTEXT_H

#include <jansson.h>
#include <stddef.h>

#define TERMTEXT_CONTROL ' '
#define TERMTEXT_INVALID '?'

/*
 * src cleaned by the rule above into dst (dstlen bytes; NUL-terminated
 * when dstlen > 0).  A text longer than dst is cut before the first
 * character that does not fit whole (never inside a Chinese character).
 * dst may be src.  Returns dst, to print it in the same expression.
 */
char *termtext_copy(char *dst, const char *src, size_t dstlen);

/* The length of the well-formed UTF-8 character at p (left bytes, left >
 * 0), or 0 when the bytes at p do not begin one (RFC 3629: no overlong
 * form, surrogate or code point beyond U+10FFFF).  Controls are characters
 * here: what a caller allows is its own rule. */
size_t termtext_utf8_len(const char *p, size_t left);

/* The length in bytes of the bidi control at p (left bytes), or 0: an
 * embedding, override or isolate (U+202A..U+202E, U+2066..U+2069) or a mark
 * (LRM U+200E, RLM U+200F, ALM U+061C).  Nothing honest a person types in a
 * Chinese county's notes holds one; the terminal tools print each as a
 * space (above) and the console shows each as U+FFFD (tools/gasweb/html.c). */
size_t termtext_bidi_len(const char *p, size_t left);

/*
 * 1 if s (n bytes) is text the county takes as a field's value: well-formed
 * UTF-8 (termtext_utf8_len) with no C0 control or DEL, but, when lines is 1
 * (a free text: a note, a village, a reason), line breaks and tabs.  The
 * one rule of every door that takes such a text: the county's (its case
 * requests, tools/county/casemsg.c; a record's texts, ingestcheck.c) and a
 * device's before it records anything the county would refuse
 * (liferows_check_texts, gasdeliver).  C1 controls and bidi controls pass
 * (see above: they are cleaned where printed).
 */
int termtext_text_ok(const char *s, size_t n, int lines);

/* The same for the first srclen bytes of src, which need not end in a NUL
 * (a NUL among them is a C0 control: a space). */
char *termtext_copy_n(char *dst, size_t dstlen, const char *src, size_t srclen);

/*
 * Clean every string value of the JSON tree root (objects and arrays
 * walked to any depth) in place, for a tool that prints a county's or
 * gasgw's JSON answer as text.  Object keys are left as they are (a caller
 * that prints a key copies it through termtext_copy).  A string that cannot
 * be replaced for want of memory becomes null (no unsafe text is left; a
 * root that is itself a string is left as it was) and -1 is returned;
 * else 0.  root may be NULL.
 */
int termtext_json(json_t *root);

#endif
