/*
 * timeline: a cylinder's registry history (the county's GET
 * /registry/history answer, as JSON) merged into `gastrace cylinder`'s
 * trace, so that registry changes and fills read on one timeline in time
 * order.  The caller walks the trace's records in time order and, before
 * each, takes the changes up to its time (timeline_next); what is left after
 * the last record follows it.  Used only by gastrace.
 */
#ifndef GASTRACE_TIMELINE_H
#define GASTRACE_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* One registry change as a timeline row. */
struct timeline_row {
	int64_t at_ms;
	const char *status, *next_inspection; /* the facts after the change */
	char text[512];                       /* what changed, and who made it */
};

struct timeline;

/* Parse the county's JSON answer, keeping the changes made in [from, to];
 * NULL with err for a malformed answer. */
struct timeline *timeline_parse(const char *json, size_t len, int64_t from_ms, int64_t to_ms,
    char *err, size_t errlen);
void timeline_free(struct timeline *tl);

/* Drop the changes before at_ms (a part after the first: they belonged to
 * the earlier parts). */
void timeline_skip_before(struct timeline *tl, int64_t at_ms);
/* The next change made at or before until_ms: 1 and *row, or 0. */
int timeline_next(struct timeline *tl, int64_t until_ms, struct timeline_row *row);
/* The newest change kept (the cylinder's registry state now): 1 and *row, or
 * 0 if none. */
int timeline_last(const struct timeline *tl, struct timeline_row *row);
/* The changes kept, as the county sent them (borrowed). */
json_t *timeline_changes(const struct timeline *tl);
/* 1 if the county holds more changes than it sent. */
int timeline_more(const struct timeline *tl);

#endif
