/*
 * timeline: registry changes for gastrace cylinder (timeline.h).
 */
#include "timeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct timeline {
	json_t *changes; /* the kept changes, oldest first */
	size_t next;     /* the first not yet taken */
	int more;
};

static const char *
text_of(json_t *change, const char *key)
{
	const char *s = json_string_value(json_object_get(change, key));

	return s != NULL ? s : "";
}

static int64_t
at_of(json_t *change)
{
	return (int64_t)json_integer_value(json_object_get(change, "at_ms"));
}

struct timeline *
timeline_parse(const char *json, size_t len, int64_t from_ms, int64_t to_ms, char *err,
    size_t errlen)
{
	struct timeline *tl;
	json_error_t jerr;
	json_t *doc = json_loadb(json, len, 0, &jerr), *all, *change;
	size_t i;

	all = json_object_get(doc, "changes");
	if (doc == NULL || !json_is_array(all)) {
		snprintf(err, errlen, "bad registry history: %s",
		    doc == NULL ? jerr.text : "no changes");
		json_decref(doc);
		return NULL;
	}
	if ((tl = calloc(1, sizeof(*tl))) == NULL || (tl->changes = json_array()) == NULL) {
		free(tl);
		json_decref(doc);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	tl->more = json_is_true(json_object_get(doc, "more"));
	json_array_foreach(all, i, change)
	{
		if (!json_is_object(change) || !json_is_integer(json_object_get(change, "at_ms")))
			continue;
		if (at_of(change) >= from_ms && at_of(change) <= to_ms)
			json_array_append(tl->changes, change);
	}
	json_decref(doc);
	return tl;
}

void
timeline_free(struct timeline *tl)
{
	if (tl == NULL)
		return;
	json_decref(tl->changes);
	free(tl);
}

void
timeline_skip_before(struct timeline *tl, int64_t at_ms)
{
	while (tl->next < json_array_size(tl->changes) &&
	       at_of(json_array_get(tl->changes, tl->next)) < at_ms)
		tl->next++;
}

/* What change i changed against change i - 1 (the whole state for the
 * first), and who made it. */
static void
describe(const struct timeline *tl, size_t i, struct timeline_row *row)
{
	json_t *cur = json_array_get(tl->changes, i),
	       *prev = i > 0 ? json_array_get(tl->changes, i - 1) : NULL;
	static const struct {
		const char *key, *label;
	} facts[] = {
		{ "status", "status" },
		{ "last_inspection", "inspected" },
		{ "next_inspection", "next inspection" },
		{ "owner", "owner" },
	};
	size_t used = 0, f;
	const char *detail = text_of(cur, "detail"), *actor = text_of(cur, "actor");

	row->text[0] = '\0';
	for (f = 0; f < sizeof(facts) / sizeof(facts[0]); f++) {
		const char *now = text_of(cur, facts[f].key);

		if (prev != NULL && strcmp(now, text_of(prev, facts[f].key)) == 0)
			continue;
		used += (size_t)snprintf(row->text + used,
		    used < sizeof(row->text) ? sizeof(row->text) - used : 0, "%s%s %s",
		    used > 0 ? ", " : "", facts[f].label, now[0] != '\0' ? now : "none");
		if (used >= sizeof(row->text))
			break;
	}
	if (used == 0 && used < sizeof(row->text))
		used += (size_t)snprintf(row->text, sizeof(row->text), "no change of facts");
	if (used < sizeof(row->text))
		snprintf(row->text + used, sizeof(row->text) - used, " (%s%s%s%s%s)",
		    text_of(cur, "source"), actor[0] != '\0' ? " by " : "", actor,
		    detail[0] != '\0' ? ", " : "", detail);
	row->at_ms = at_of(cur);
	row->status = text_of(cur, "status");
	row->next_inspection = text_of(cur, "next_inspection");
}

int
timeline_next(struct timeline *tl, int64_t until_ms, struct timeline_row *row)
{
	json_t *change;

	if (tl == NULL || tl->next >= json_array_size(tl->changes))
		return 0;
	change = json_array_get(tl->changes, tl->next);
	if (at_of(change) > until_ms)
		return 0;
	describe(tl, tl->next, row);
	tl->next++;
	return 1;
}

int
timeline_last(const struct timeline *tl, struct timeline_row *row)
{
	size_t n = tl != NULL ? json_array_size(tl->changes) : 0;

	if (n == 0)
		return 0;
	describe(tl, n - 1, row);
	return 1;
}

json_t *
timeline_changes(const struct timeline *tl)
{
	return tl->changes;
}

int
timeline_more(const struct timeline *tl)
{
	return tl->more;
}
