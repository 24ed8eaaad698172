/*
 * conf: table-driven INI configuration on top of inih.
 *
 * inih (Debian's build) does not tell its handler the line number, so the
 * lines are fed to it through our own reader, which counts them and also
 * sees every section header (inih calls the handler only for keys, so an
 * empty [section] would otherwise go unnoticed).  The handler then knows
 * the current line and section instance exactly.  The reader also reports
 * every line that is not INI (inih would name only the first) and lets a
 * comment longer than inih's line buffer pass.
 */
#include "conf.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <strings.h>

#include "timetext.h"
#include "util.h"

#define CONF_MAX_KEYS 64
#define CONF_MAX_INSTANCES 128

/* One [section] or [section ID] seen in the file. */
struct conf_instance {
	const struct conf_section *section;
	void *base;                  /* the struct its keys fill */
	char label[96];              /* "[line 1]" for messages */
	int line;                    /* line of the header */
	int set_line[CONF_MAX_KEYS]; /* line where each key was set, 0 if not */
};

struct conf_parse {
	const char *name;
	const struct conf_section *sections;
	void *root;
	struct conf_report *report;
	FILE *file;       /* reading a file, or */
	const char *text; /* reading text */
	size_t text_len;
	size_t text_pos;
	int line;
	struct conf_instance instances[CONF_MAX_INSTANCES];
	size_t instance_count;
	struct conf_instance *current; /* NULL before the first header or after a bad one */
	int skip_section;              /* keys of a bad section were already reported */
	void (*check)(void *root, const struct conf_where *where, struct conf_report *report,
	    void *arg);
	void *check_arg;
};

struct conf_where {
	const struct conf_parse *parse;
};

static void conf_error(struct conf_parse *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* One "NAME:LINE: message" (LINE 0: "NAME: message") into r, while room. */
static void
conf_report_addv(struct conf_report *r, const char *name, int line, const char *fmt, va_list ap)
{
	char msg[200];
	int at;

	if (r->count >= CONF_MAX_ERRORS)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line > 0)
		at = snprintf(r->errors[r->count], sizeof(r->errors[0]), "%s:%d: ", name, line);
	else
		at = snprintf(r->errors[r->count], sizeof(r->errors[0]), "%s: ", name);
	if (at < 0 || (size_t)at >= sizeof(r->errors[0]))
		at = 0;
	str_copy(r->errors[r->count] + at, msg, sizeof(r->errors[0]) - (size_t)at);
	r->text_at[r->count] = (unsigned short)at;
	r->count++;
}

void
conf_report_add(struct conf_report *report, const char *name, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_report_addv(report, name, line, fmt, ap);
	va_end(ap);
}

void
conf_report_append(struct conf_report *report, const struct conf_report *from)
{
	for (size_t i = 0; i < from->count && report->count < CONF_MAX_ERRORS; i++) {
		memcpy(report->errors[report->count], from->errors[i], sizeof(report->errors[0]));
		report->text_at[report->count] = from->text_at[i];
		report->count++;
	}
}

static void
conf_error(struct conf_parse *p, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	conf_report_addv(p->report, p->name, line, fmt, ap);
	va_end(ap);
}

/* Edit distance, to suggest the key that was probably meant. */
static size_t
conf_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64], i, j;

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diagonal = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j], best = diagonal + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diagonal = up;
		}
	}
	return row[lb];
}

static const char *
conf_suggest_key(const struct conf_section *s, const char *name)
{
	const char *best = NULL;
	size_t best_distance = 3;

	for (const struct conf_key *k = s->keys; k->name != NULL; k++) {
		size_t d = conf_distance(name, k->name);
		if (d < best_distance) {
			best_distance = d;
			best = k->name;
		}
	}
	return best;
}

/* Parse text into the field of key k inside base; message on failure. */
static int
conf_set_value(const struct conf_key *k, void *base, const char *value, char *msg, size_t msglen)
{
	char *field = (char *)base + k->offset;
	char *end;

	switch (k->type) {
	case CONF_STRING: {
		size_t len = strlen(value);

		if (len >= k->size)
			return err_set(msg, msglen, "'%s' is too long (at most %zu characters)",
			    k->name, k->size - 1);
		if (k->min > 0 && len < (size_t)k->min)
			return err_set(msg, msglen, "'%s' must have at least %.0f characters",
			    k->name, k->min);
		memcpy(field, value, len + 1);
		return 0;
	}
	case CONF_ZONE: {
		char why[200];

		if (strlen(value) >= k->size)
			return err_set(msg, msglen, "'%s' is too long (at most %zu characters)",
			    k->name, k->size - 1);
		if (timetext_zone_check(value, why, sizeof(why)) == -1)
			return err_set(msg, msglen, "'%s': %s", k->name, why);
		str_copy(field, value, k->size);
		return 0;
	}
	case CONF_CHOICE:
		for (const char *const *c = k->choices; *c != NULL; c++) {
			if (strcmp(*c, value) == 0) {
				str_copy(field, value, k->size);
				return 0;
			}
		}
		{
			char list[160] = "";
			for (const char *const *c = k->choices; *c != NULL; c++) {
				if (list[0] != '\0')
					strncat(list, ", ", sizeof(list) - strlen(list) - 1);
				strncat(list, *c, sizeof(list) - strlen(list) - 1);
			}
			return err_set(msg, msglen, "'%s' must be one of %s, not '%s'", k->name,
			    list, value);
		}
	case CONF_INT: {
		long v;

		errno = 0;
		v = strtol(value, &end, 10);
		if (value[0] == '\0' || *end != '\0' || errno == ERANGE)
			return err_set(msg, msglen, "'%s' must be a whole number, not '%s'",
			    k->name, value);
		if ((double)v < k->min || (double)v > k->max)
			return err_set(msg, msglen, "'%s' = %ld is out of range (%.0f to %.0f)",
			    k->name, v, k->min, k->max);
		*(int *)field = (int)v;
		return 0;
	}
	case CONF_DOUBLE: {
		double v;

		errno = 0;
		v = strtod(value, &end);
		if (value[0] == '\0' || *end != '\0' || errno == ERANGE || !isfinite(v))
			return err_set(msg, msglen, "'%s' must be a number, not '%s'", k->name,
			    value);
		if (v < k->min || v > k->max)
			return err_set(msg, msglen, "'%s' = %g is out of range (%g to %g)", k->name,
			    v, k->min, k->max);
		*(double *)field = v;
		return 0;
	}
	case CONF_BOOL:
		if (!strcasecmp(value, "yes") || !strcasecmp(value, "true") ||
		    !strcasecmp(value, "on") || !strcmp(value, "1")) {
			*(int *)field = 1;
			return 0;
		}
		if (!strcasecmp(value, "no") || !strcasecmp(value, "false") ||
		    !strcasecmp(value, "off") || !strcmp(value, "0")) {
			*(int *)field = 0;
			return 0;
		}
		return err_set(msg, msglen, "'%s' must be yes or no, not '%s'", k->name, value);
	}
	return err_set(msg, msglen, "'%s' has an unknown type", k->name);
}

static void
conf_apply_defaults(const struct conf_section *s, void *base)
{
	char msg[128];

	for (const struct conf_key *k = s->keys; k->name != NULL; k++)
		if (k->default_value != NULL)
			conf_set_value(k, base, k->default_value, msg, sizeof(msg));
}

static const struct conf_section *
conf_find_section(const struct conf_section *sections, const char *name)
{
	for (const struct conf_section *s = sections; s->name != NULL; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

/* A header line "[name]" or "[name id]": start a section instance. */
static void
conf_begin_section(struct conf_parse *p, const char *header)
{
	char name[64] = "", id[64] = "";
	const struct conf_section *s;
	struct conf_instance *inst;
	int n = sscanf(header, "%63s %63s", name, id);
	void *base;

	p->current = NULL;
	p->skip_section = 1;
	if (n < 1) {
		conf_error(p, p->line, "empty section name");
		return;
	}
	s = conf_find_section(p->sections, name);
	if (s == NULL) {
		conf_error(p, p->line, "unknown section [%s]", header);
		return;
	}
	if (s->repeated && n != 2) {
		conf_error(p, p->line, "section [%s] needs a name: [%s NAME]", name, name);
		return;
	}
	if (!s->repeated && n != 1) {
		conf_error(p, p->line, "section [%s] takes no name", name);
		return;
	}
	/* Reject a section given twice. */
	for (size_t i = 0; i < p->instance_count; i++) {
		struct conf_instance *other = &p->instances[i];
		char label[96];

		snprintf(label, sizeof(label), s->repeated ? "[%s %s]" : "[%s]", name, id);
		if (other->section == s && strcmp(other->label, label) == 0) {
			conf_error(p, p->line, "section %s given twice (first at line %d)", label,
			    other->line);
			return;
		}
	}
	if (p->instance_count >= CONF_MAX_INSTANCES) {
		conf_error(p, p->line, "too many sections");
		return;
	}
	if (s->repeated) {
		size_t *count = (size_t *)((char *)p->root + s->count_offset);

		if (*count >= s->max_items) {
			conf_error(p, p->line, "too many [%s] sections (at most %zu)", name,
			    s->max_items);
			return;
		}
		if (strlen(id) >= s->id_size) {
			conf_error(p, p->line, "section name '%s' is too long", id);
			return;
		}
		base = (char *)p->root + s->offset + *count * s->item_size;
		memset(base, 0, s->item_size);
		conf_apply_defaults(s, base);
		memcpy((char *)base + s->id_offset, id, strlen(id) + 1);
		(*count)++;
	} else {
		base = (char *)p->root + s->offset;
	}
	inst = &p->instances[p->instance_count++];
	memset(inst, 0, sizeof(*inst));
	inst->section = s;
	inst->base = base;
	inst->line = p->line;
	snprintf(inst->label, sizeof(inst->label), s->repeated ? "[%s %s]" : "[%s]", name, id);
	p->current = inst;
	p->skip_section = 0;
}

/*
 * A line inih would refuse: not blank, not a comment, not a [section], and
 * with no '=' or ':' before an inline comment.  Lines that start with a
 * blank are left to inih (they may continue a value).
 */
static int
conf_not_ini(const char *line)
{
	const char *s = line;

	if (*s == ' ' || *s == '\t')
		return 0;
	while (*s == '\r' || *s == '\n')
		s++;
	if (*s == '\0' || *s == ';' || *s == '#' || *s == '[')
		return 0;
	/* "BOM" at the very start: inih skips it */
	if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb &&
	    (unsigned char)s[2] == 0xbf)
		return 0;
	for (; *s != '\0'; s++) {
		if (*s == '=' || *s == ':')
			return 0;
		if (*s == ';' && s > line && (s[-1] == ' ' || s[-1] == '\t'))
			break;
	}
	return 1;
}

/* The next line of the input (without limit), or NULL at the end. */
static char *
conf_next_line(struct conf_parse *p, size_t *len)
{
	char *line = NULL;
	size_t cap = 0;

	if (p->file != NULL) {
		ssize_t got = getline(&line, &cap, p->file);

		if (got < 0) {
			free(line);
			return NULL;
		}
		*len = (size_t)got;
	} else {
		const char *start = p->text + p->text_pos;
		size_t left = p->text_len - p->text_pos;
		const char *nl;

		if (left == 0)
			return NULL;
		nl = memchr(start, '\n', left);
		*len = nl != NULL ? (size_t)(nl - start) + 1 : left;
		line = malloc(*len + 1);
		if (line == NULL)
			return NULL;
		memcpy(line, start, *len);
		line[*len] = '\0';
		p->text_pos += *len;
	}
	/* a NUL would end the line early, silently */
	for (size_t i = 0; i < *len; i++)
		if (line[i] == '\0')
			line[i] = ' ';
	return line;
}

/* inih reader: one line per call, counted; section headers noticed here. */
static char *
conf_reader(char *str, int num, void *stream)
{
	struct conf_parse *p = stream;
	const char *s;
	size_t len;
	char *line = conf_next_line(p, &len);

	if (line == NULL)
		return NULL;
	p->line++;
	s = line;
	while (*s == ' ' || *s == '\t')
		s++;
	if (len >= (size_t)num) {
		/* a long comment is harmless: pass a blank line for it */
		if (*s != ';' && *s != '#')
			conf_error(p, p->line, "line too long (at most %d characters)", num - 2);
		str_copy(str, "\n", (size_t)num);
		free(line);
		return str;
	}
	if (conf_not_ini(line)) {
		conf_error(p, p->line, "not a 'key = value' line, section or comment");
		str_copy(str, "\n", (size_t)num);
		free(line);
		return str;
	}
	memcpy(str, line, len + 1);
	free(line);

	/* Notice "[section]" (after leading blanks); inih will parse it too. */
	s = str;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '[') {
		const char *close = strchr(s, ']');
		char header[128];

		if (close == NULL) {
			conf_error(p, p->line, "section header without ']'");
			p->current = NULL;
			p->skip_section = 1;
			str_copy(str, "\n", (size_t)num); /* said once, not again by inih */
		} else {
			size_t hl = (size_t)(close - s - 1);
			if (hl >= sizeof(header))
				hl = sizeof(header) - 1;
			memcpy(header, s + 1, hl);
			header[hl] = '\0';
			conf_begin_section(p, header);
		}
	}
	return str;
}

static int
conf_handler(void *user, const char *section, const char *name, const char *value)
{
	struct conf_parse *p = user;
	struct conf_instance *inst = p->current;
	const struct conf_key *k;
	char msg[200];
	size_t index = 0;

	(void)section;
	if (inst == NULL) {
		if (!p->skip_section)
			conf_error(p, p->line, "key '%s' outside any section", name);
		return 1;
	}
	for (k = inst->section->keys; k->name != NULL; k++, index++)
		if (strcmp(k->name, name) == 0)
			break;
	if (k->name == NULL) {
		const char *hint = conf_suggest_key(inst->section, name);

		if (hint != NULL)
			conf_error(p, p->line, "unknown key '%s' in %s (did you mean '%s'?)", name,
			    inst->label, hint);
		else
			conf_error(p, p->line, "unknown key '%s' in %s", name, inst->label);
		return 1;
	}
	if (index < CONF_MAX_KEYS && inst->set_line[index] != 0) {
		conf_error(p, p->line, "'%s' set twice in %s (first at line %d)", name, inst->label,
		    inst->set_line[index]);
		return 1;
	}
	if (conf_set_value(k, inst->base, value, msg, sizeof(msg)) == -1) {
		conf_error(p, p->line, "%s", msg);
		/* given, if wrong: not "missing" too */
		if (index < CONF_MAX_KEYS)
			inst->set_line[index] = p->line;
		return 1;
	}
	if (index < CONF_MAX_KEYS)
		inst->set_line[index] = p->line;
	return 1;
}

static int
conf_run(struct conf_parse *p)
{
	int rc;

	/* Defaults for single sections (repeated ones get theirs per item). */
	for (const struct conf_section *s = p->sections; s->name != NULL; s++) {
		if (s->repeated)
			*(size_t *)((char *)p->root + s->count_offset) = 0;
		else
			conf_apply_defaults(s, (char *)p->root + s->offset);
	}

	rc = ini_parse_stream(conf_reader, p, conf_handler, p);
	if (rc > 0) {
		/* inih reports its own syntax errors (a line that is neither a
		 * section, a key = value nor a comment) by line number. */
		conf_error(p, rc, "not a 'key = value' line, section or comment");
	} else if (rc < 0) {
		conf_error(p, 0, "cannot read (out of memory)");
	}

	/* Required keys: in every instance present, and sections never given. */
	for (size_t i = 0; i < p->instance_count; i++) {
		struct conf_instance *inst = &p->instances[i];
		size_t index = 0;

		for (const struct conf_key *k = inst->section->keys; k->name != NULL; k++, index++)
			if (k->default_value == NULL && index < CONF_MAX_KEYS &&
			    inst->set_line[index] == 0)
				conf_error(p, inst->line, "%s: missing required key '%s' (%s)",
				    inst->label, k->name, k->help);
	}
	for (const struct conf_section *s = p->sections; s->name != NULL; s++) {
		int present = 0;

		if (s->repeated || s->optional)
			continue;
		for (size_t i = 0; i < p->instance_count; i++)
			if (p->instances[i].section == s)
				present = 1;
		if (present)
			continue;
		for (const struct conf_key *k = s->keys; k->name != NULL; k++)
			if (k->default_value == NULL)
				conf_error(p, 0, "missing section [%s] (required key '%s': %s)",
				    s->name, k->name, k->help);
	}
	if (p->check != NULL) {
		struct conf_where where = { p };

		p->check(p->root, &where, p->report, p->check_arg);
	}
	return p->report->count == 0 ? 0 : -1;
}

/*
 * The instance whose struct is at base, of section s (NULL: any section;
 * single sections may share a struct, so then the first that has key, or
 * the first of all when key is NULL).
 */
static const struct conf_instance *
conf_instance_at(const struct conf_parse *p, const struct conf_section *s, const void *base,
    const char *key)
{
	const struct conf_instance *first = NULL;

	for (size_t i = 0; i < p->instance_count; i++) {
		const struct conf_instance *inst = &p->instances[i];

		if (inst->base != base || (s != NULL && inst->section != s))
			continue;
		if (s != NULL || key == NULL)
			return inst;
		if (first == NULL)
			first = inst;
		for (const struct conf_key *k = inst->section->keys; k->name != NULL; k++)
			if (strcmp(k->name, key) == 0)
				return inst;
	}
	return first;
}

/* The line that set key in an instance, 0 if none (key NULL: the header). */
static int
conf_instance_line(const struct conf_instance *inst, const char *key)
{
	size_t index = 0;

	if (inst == NULL)
		return 0;
	if (key == NULL)
		return inst->line;
	for (const struct conf_key *k = inst->section->keys; k->name != NULL; k++, index++)
		if (strcmp(k->name, key) == 0)
			return index < CONF_MAX_KEYS ? inst->set_line[index] : 0;
	return 0;
}

int
conf_where_line(const struct conf_where *where, const void *base, const char *key)
{
	return conf_instance_line(conf_instance_at(where->parse, NULL, base, key), key);
}

const char *
conf_where_name(const struct conf_where *where)
{
	return where->parse->name;
}

/* The bytes of the field a key fills. */
static size_t
conf_field_size(const struct conf_key *k)
{
	switch (k->type) {
	case CONF_STRING:
	case CONF_CHOICE:
	case CONF_ZONE:
		return k->size;
	case CONF_DOUBLE:
		return sizeof(double);
	case CONF_INT:
	case CONF_BOOL:
		break;
	}
	return sizeof(int);
}

/* 1 if key k holds the same value at a and b (two structs of its section). */
static int
conf_same_value(const struct conf_key *k, const void *a, const void *b)
{
	const char *x = (const char *)a + k->offset, *y = (const char *)b + k->offset;

	if (k->type == CONF_STRING || k->type == CONF_CHOICE || k->type == CONF_ZONE)
		return strncmp(x, y, k->size) == 0;
	return memcmp(x, y, conf_field_size(k)) == 0;
}

static int
conf_has_restart_keys(const struct conf_section *s)
{
	for (const struct conf_key *k = s->keys; k->name != NULL; k++)
		if (k->flags & CONF_RESTART)
			return 1;
	return 0;
}

/*
 * Compare one section struct of the new file (now, parsed as instance inst)
 * with the one in force (was): every CONF_RESTART key that changed gets
 * was's value back and a note; the other keys are copied from now into
 * keep when keep is not now (a repeated section's item).
 */
static void
conf_keep_keys(const struct conf_parse *p, const struct conf_section *s,
    const struct conf_instance *inst, const char *label, const void *was, const void *now,
    void *keep, struct conf_report *notes)
{
	for (const struct conf_key *k = s->keys; k->name != NULL; k++) {
		int line;

		if (!(k->flags & CONF_RESTART)) {
			if (keep != now)
				memcpy((char *)keep + k->offset, (const char *)now + k->offset,
				    conf_field_size(k));
			continue;
		}
		if (conf_same_value(k, was, now))
			continue;
		memcpy((char *)keep + k->offset, (const char *)was + k->offset, conf_field_size(k));
		line = conf_instance_line(inst, k->name);
		if (line == 0)
			line = conf_instance_line(inst, NULL);
		conf_report_add(notes, p->name, line, "%s%s'%s' changes only on restart", label,
		    label[0] != '\0' ? " " : "", k->name);
	}
}

/* The item of a repeated section with this id in root's array, or NULL. */
static void *
conf_item_by_id(const struct conf_section *s, const void *root, const char *id)
{
	size_t count = *(const size_t *)((const char *)root + s->count_offset);

	for (size_t i = 0; i < count && i < s->max_items; i++) {
		const char *item = (const char *)root + s->offset + i * s->item_size;

		if (strncmp(item + s->id_offset, id, s->id_size) == 0)
			return (void *)(uintptr_t)item;
	}
	return NULL;
}

/*
 * A repeated section with CONF_RESTART keys: current's items stay (matched
 * to the file's by id), with the keys a running program can take from the
 * file; items added or dropped are named.
 */
static int
conf_keep_items(const struct conf_parse *p, const struct conf_section *s, const void *current,
    struct conf_report *notes)
{
	size_t count = *(const size_t *)((const char *)current + s->count_offset);
	size_t *fresh_count = (size_t *)((char *)p->root + s->count_offset);
	char *fresh_items = (char *)p->root + s->offset;
	char *keep = calloc(s->max_items, s->item_size);
	char label[96];

	if (keep == NULL)
		return -1;
	if (count > s->max_items)
		count = s->max_items;
	memcpy(keep, (const char *)current + s->offset, count * s->item_size);
	for (size_t i = 0; i < count; i++) {
		char *item = keep + i * s->item_size;
		const char *id = item + s->id_offset;
		const void *now = conf_item_by_id(s, p->root, id);

		snprintf(label, sizeof(label), "[%s %.*s]", s->name, (int)s->id_size, id);
		if (now == NULL) {
			conf_report_add(notes, p->name, 0,
			    "%s is no longer in the file: it stays until restart", label);
			continue;
		}
		conf_keep_keys(p, s, conf_instance_at(p, s, now, NULL), label, item, now, item,
		    notes);
	}
	for (size_t j = 0; j < *fresh_count && j < s->max_items; j++) {
		const char *item = fresh_items + j * s->item_size;
		const char *id = item + s->id_offset;

		if (conf_item_by_id(s, current, id) != NULL)
			continue;
		snprintf(label, sizeof(label), "[%s %.*s]", s->name, (int)s->id_size, id);
		conf_report_add(notes, p->name,
		    conf_instance_line(conf_instance_at(p, s, item, NULL), NULL),
		    "%s is new: it is added only on restart", label);
	}
	memcpy(fresh_items, keep, s->max_items * s->item_size);
	*fresh_count = count;
	free(keep);
	return 0;
}

/*
 * After a reload parsed cleanly: put current's value back into every
 * CONF_RESTART key that changed, and say so with the line of the new value.
 * Done here, while the parse still knows which line set which key.
 */
static int
conf_keep_restart_keys(const struct conf_parse *p, const void *current, struct conf_report *notes)
{
	for (const struct conf_section *s = p->sections; s->name != NULL; s++) {
		if (!conf_has_restart_keys(s))
			continue;
		if (s->repeated) {
			if (conf_keep_items(p, s, current, notes) == -1)
				return -1;
			continue;
		}
		char *now = (char *)p->root + s->offset;

		conf_keep_keys(p, s, conf_instance_at(p, s, now, NULL), "",
		    (const char *)current + s->offset, now, now, notes);
	}
	return 0;
}

/* conf_parse, and conf_reload when current is not NULL. */
static int
conf_parse_input(const struct conf_input *input, const struct conf_section *sections, void *root,
    struct conf_report *report, const void *current, struct conf_report *notes)
{
	struct conf_parse *p;
	const char *name = input->name != NULL ? input->name : input->path;
	int rc;

	memset(report, 0, sizeof(*report));
	if (name == NULL)
		name = "(configuration)";
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		conf_report_add(report, name, 0, "out of memory");
		return -1;
	}
	p->name = name;
	p->sections = sections;
	p->root = root;
	p->report = report;
	p->check = input->check;
	p->check_arg = input->arg;
	if (input->path != NULL) {
		struct stat st;

		p->file = fopen(input->path, "r");
		if (p->file == NULL) {
			conf_report_add(report, name, 0, "%s", strerror(errno));
			free(p);
			return -1;
		}
		/* a folder opens, and reads as an empty file: every key its default */
		if (fstat(fileno(p->file), &st) == 0 && S_ISDIR(st.st_mode)) {
			conf_report_add(report, name, 0, "a folder, not a configuration file");
			fclose(p->file);
			free(p);
			return -1;
		}
	} else {
		p->text = input->text != NULL ? input->text : "";
		p->text_len = input->text != NULL ? input->len : 0;
	}
	rc = conf_run(p);
	if (p->file != NULL)
		fclose(p->file);
	if (rc == 0 && current != NULL && conf_keep_restart_keys(p, current, notes) == -1) {
		conf_report_add(report, name, 0, "out of memory");
		rc = -1;
	}
	free(p);
	return rc;
}

int
conf_parse(const struct conf_input *input, const struct conf_section *sections, void *root,
    struct conf_report *report)
{
	return conf_parse_input(input, sections, root, report, NULL, NULL);
}

int
conf_load(const char *path, const struct conf_section *sections, void *root,
    struct conf_report *report)
{
	struct conf_input input = { .path = path };

	return conf_parse_input(&input, sections, root, report, NULL, NULL);
}

int
conf_load_string(const char *name, const char *text, const struct conf_section *sections,
    void *root, struct conf_report *report)
{
	struct conf_input input = { .name = name, .text = text, .len = strlen(text) };

	return conf_parse_input(&input, sections, root, report, NULL, NULL);
}

int
conf_reload(const struct conf_input *input, const struct conf_section *sections,
    const void *current, void *fresh, struct conf_report *notes, struct conf_report *report)
{
	int rc;

	memset(notes, 0, sizeof(*notes));
	rc = conf_parse_input(input, sections, fresh, report, current, notes);
	if (rc == -1)
		memset(notes, 0, sizeof(*notes));
	return rc;
}

void
conf_report_print_as(const struct conf_report *report, const char *label, FILE *f)
{
	for (size_t i = 0; i < report->count; i++) {
		const char *msg = report->errors[i];
		size_t at = report->text_at[i];

		if (label == NULL || at == 0 || at > strlen(msg))
			fprintf(f, "%s\n", msg);
		else
			fprintf(f, "%.*s%s: %s\n", (int)at, msg, label, msg + at);
	}
	if (report->count == CONF_MAX_ERRORS)
		fprintf(f, "(further messages not shown)\n");
}

void
conf_report_print(const struct conf_report *report, FILE *f)
{
	conf_report_print_as(report, NULL, f);
}

static void
conf_write_key(FILE *f, const struct conf_key *k)
{
	fprintf(f, "# %s", k->help);
	if (k->flags & CONF_RESTART)
		fprintf(f, "; a change needs a restart");
	switch (k->type) {
	case CONF_INT:
		fprintf(f, " (%.0f to %.0f)", k->min, k->max);
		break;
	case CONF_DOUBLE:
		fprintf(f, " (%g to %g)", k->min, k->max);
		break;
	case CONF_BOOL:
		fprintf(f, " (yes or no)");
		break;
	case CONF_CHOICE:
		fprintf(f, " (");
		for (const char *const *c = k->choices; *c != NULL; c++)
			fprintf(f, "%s%s", c == k->choices ? "" : ", ", *c);
		fprintf(f, ")");
		break;
	case CONF_ZONE:
		fprintf(f, " (a name of the tz database; empty: the system's zone)");
		break;
	case CONF_STRING:
		break;
	}
	if (k->default_value == NULL)
		fprintf(f, "; required\n%s = \n", k->name);
	else
		fprintf(f, "\n%s = %s\n", k->name, k->default_value);
}

void
conf_write_example(FILE *f, const char *title, const struct conf_section *sections)
{
	fprintf(f, "# %s\n#\n# Every key, with its default; required keys have none.\n", title);
	for (const struct conf_section *s = sections; s->name != NULL; s++) {
		fprintf(f, "\n# %s\n", s->help);
		if (s->repeated)
			fprintf(f, "# (repeat as [%s NAME], up to %zu)\n[%s 1]\n", s->name,
			    s->max_items, s->name);
		else
			fprintf(f, "[%s]\n", s->name);
		for (const struct conf_key *k = s->keys; k->name != NULL; k++)
			conf_write_key(f, k);
	}
}
