/*
 * catalogue: the county's outcomes, penalty powers and villages, from CSV
 * (catalogue.h says the format).  The files come from the county's own
 * staff: every field is still measured before it is copied, and every
 * problem names FILE:LINE so that an edit can be fixed where it went wrong.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>

#include "catalogue.h"
#include "csv.h"
#include "util.h"

/* Copy field i of row into dst (size bytes): -1 if too long or holding NUL
 * or a control character. */
static int
field(const struct csv_row *row, int i, char *dst, size_t size)
{
	size_t n, k;

	if (i >= row->nfields) {
		dst[0] = '\0';
		return 0;
	}
	n = row->lengths[i];
	if (n >= size)
		return -1;
	for (k = 0; k < n; k++)
		if ((unsigned char)row->fields[i][k] < 0x20 || row->fields[i][k] == 0x7f)
			return -1;
	memcpy(dst, row->fields[i], n);
	dst[n] = '\0';
	return 0;
}

/* A code: 1..CATALOGUE_CODE-1 of [A-Za-z0-9_.-]. */
static int
code_ok(const char *s)
{
	if (s[0] == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		        (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return 0;
	return 1;
}

static int
comment_or_blank(const struct csv_row *row)
{
	return row->nfields == 0 || (row->lengths[0] > 0 && row->fields[0][0] == '#') ||
	       (row->nfields == 1 && row->lengths[0] == 0);
}

typedef int (*row_fn)(const char *name, const struct csv_row *row, struct catalogue *cat, char *err,
    size_t errlen);

/* Read every row of buf after the header (which must be exactly header). */
static int
read_rows(const char *name, const char *buf, size_t len, const char *header, row_fn fn,
    struct catalogue *cat, char *err, size_t errlen)
{
	struct csv_reader *reader;
	struct csv_row row;
	char reason[160], got[256];
	int rc = -1, seen_header = 0, n;
	FILE *fp;

	char *text;
	size_t at, kept = 0;
	int bol = 1, skip = 0;

	if (len == 0)
		return err_set(err, errlen, "%s: empty file (the header is %s)", name, header);
	/* comment lines emptied before the CSV reader sees them (their line
	 * breaks kept, so that line numbers stay true): a comment may hold
	 * anything, quotes included */
	if ((text = malloc(len)) == NULL)
		return err_set(err, errlen, "out of memory");
	for (at = 0; at < len; at++) {
		if (bol)
			skip = buf[at] == '#';
		bol = buf[at] == '\n';
		if (!skip || bol)
			text[kept++] = buf[at];
	}
	if (kept == 0 || (fp = fmemopen(text, kept, "r")) == NULL) {
		free(text);
		return err_set(err, errlen, "%s: no header (it is %s)", name, header);
	}
	if ((reader = csv_open(fp)) == NULL) {
		fclose(fp);
		free(text);
		return err_set(err, errlen, "out of memory");
	}
	while ((n = csv_next(reader, &row, reason, sizeof(reason))) != 0) {
		if (n < 0) {
			err_set(err, errlen, "%s:%lu: %s", name, row.line, reason);
			goto out;
		}
		if (comment_or_blank(&row))
			continue;
		if (!seen_header) {
			size_t used = 0;
			int i;

			got[0] = '\0';
			for (i = 0; i < row.nfields && used < sizeof(got); i++)
				used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%.*s",
				    i > 0 ? "," : "", (int)row.lengths[i], row.fields[i]);
			if (strcmp(got, header) != 0) {
				err_set(err, errlen, "%s:%lu: the header must be %s", name,
				    row.line, header);
				goto out;
			}
			seen_header = 1;
			continue;
		}
		if (fn(name, &row, cat, err, errlen) == -1)
			goto out;
	}
	if (!seen_header) {
		err_set(err, errlen, "%s: no header (it is %s)", name, header);
		goto out;
	}
	rc = 0;
out:
	csv_close(reader);
	fclose(fp);
	free(text);
	return rc;
}

static void *
grow(void *array, size_t count, size_t size)
{
	/* doubling at powers of two keeps the copies few */
	if (count != 0 && (count & (count - 1)) != 0)
		return array;
	return realloc(array, (count == 0 ? 8 : count * 2) * size);
}

static int
catalogue_row(const char *name, const struct csv_row *row, struct catalogue *cat, char *err,
    size_t errlen)
{
	char kind[16], applies[512], *save = NULL, *p;
	unsigned long line = row->line;

	if (row->nfields != 5)
		return err_set(err, errlen,
		    "%s:%lu: %d fields, expected 5 (kind,code,name,basis,applies)", name, line,
		    row->nfields);
	if (cat->noutcomes + cat->npowers >= CATALOGUE_MAX_ITEMS)
		return err_set(err, errlen, "%s:%lu: more than %d items", name, line,
		    CATALOGUE_MAX_ITEMS);
	if (field(row, 0, kind, sizeof(kind)) == -1 ||
	    field(row, 4, applies, sizeof(applies)) == -1)
		return err_set(err, errlen, "%s:%lu: kind or applies too long", name, line);
	if (strcmp(kind, "outcome") == 0) {
		struct catalogue_outcome *o, *grown;

		if (cat->noutcomes >= CATALOGUE_MAX_ITEMS / 2)
			return err_set(err, errlen, "%s:%lu: too many outcomes", name, line);
		if ((grown = grow(cat->outcomes, cat->noutcomes, sizeof(*o))) == NULL)
			return err_set(err, errlen, "out of memory");
		cat->outcomes = grown;
		o = &cat->outcomes[cat->noutcomes];
		memset(o, 0, sizeof(*o));
		if (field(row, 1, o->code, sizeof(o->code)) == -1 || !code_ok(o->code))
			return err_set(err, errlen,
			    "%s:%lu: code must be 1 to %d letters, digits, '_', '.' or '-'", name,
			    line, CATALOGUE_CODE - 1);
		if (field(row, 2, o->name, sizeof(o->name)) == -1 || o->name[0] == '\0')
			return err_set(err, errlen, "%s:%lu: name empty or longer than %d bytes",
			    name, line, CATALOGUE_NAME - 1);
		if (strcmp(applies, "amount") == 0)
			o->amount = 1;
		else if (applies[0] != '\0')
			return err_set(err, errlen,
			    "%s:%lu: an outcome's applies is \"amount\" (a fine) or empty", name,
			    line);
		if (catalogue_outcome(cat, o->code) != NULL)
			return err_set(err, errlen, "%s:%lu: outcome %s twice", name, line,
			    o->code);
		cat->noutcomes++;
		return 0;
	}
	if (strcmp(kind, "power") == 0) {
		struct catalogue_power *pw, *grown;

		if ((grown = grow(cat->powers, cat->npowers, sizeof(*pw))) == NULL)
			return err_set(err, errlen, "out of memory");
		cat->powers = grown;
		pw = &cat->powers[cat->npowers];
		memset(pw, 0, sizeof(*pw));
		if (field(row, 1, pw->code, sizeof(pw->code)) == -1 || !code_ok(pw->code))
			return err_set(err, errlen,
			    "%s:%lu: code must be 1 to %d letters, digits, '_', '.' or '-'", name,
			    line, CATALOGUE_CODE - 1);
		if (field(row, 2, pw->name, sizeof(pw->name)) == -1 || pw->name[0] == '\0')
			return err_set(err, errlen, "%s:%lu: name empty or longer than %d bytes",
			    name, line, CATALOGUE_NAME - 1);
		if (field(row, 3, pw->basis, sizeof(pw->basis)) == -1 || pw->basis[0] == '\0')
			return err_set(err, errlen,
			    "%s:%lu: a power needs its legal basis (at most %d bytes)", name, line,
			    CATALOGUE_BASIS - 1);
		if (catalogue_power(cat, pw->code) != NULL)
			return err_set(err, errlen, "%s:%lu: power %s twice", name, line, pw->code);
		for (p = strtok_r(applies, ";", &save); p != NULL; p = strtok_r(NULL, ";", &save)) {
			const struct catalogue_outcome *o = catalogue_outcome(cat, p);

			if (o == NULL)
				return err_set(err, errlen,
				    "%s:%lu: outcome '%s' is not defined above this line", name,
				    line, p);
			if (pw->noutcomes >= CATALOGUE_MAX_OUTCOMES)
				return err_set(err, errlen, "%s:%lu: more than %d outcomes", name,
				    line, CATALOGUE_MAX_OUTCOMES);
			pw->outcomes[pw->noutcomes++] = (int)(o - cat->outcomes);
			cat->outcomes[o - cat->outcomes].powered = 1;
		}
		if (pw->noutcomes == 0)
			return err_set(err, errlen, "%s:%lu: a power lists its outcomes (a;b;c)",
			    name, line);
		cat->npowers++;
		return 0;
	}
	return err_set(err, errlen, "%s:%lu: kind must be outcome or power, not '%s'", name, line,
	    kind);
}

static int
village_row(const char *name, const struct csv_row *row, struct catalogue *cat, char *err,
    size_t errlen)
{
	struct catalogue_village *v, *grown;

	if (row->nfields != 2)
		return err_set(err, errlen, "%s:%lu: %d fields, expected 2 (village,township)",
		    name, row->line, row->nfields);
	if (cat->nvillages >= 100000)
		return err_set(err, errlen, "%s:%lu: too many villages", name, row->line);
	if ((grown = grow(cat->villages, cat->nvillages, sizeof(*v))) == NULL)
		return err_set(err, errlen, "out of memory");
	cat->villages = grown;
	v = &cat->villages[cat->nvillages];
	memset(v, 0, sizeof(*v));
	if (field(row, 0, v->village, sizeof(v->village)) == -1 || v->village[0] == '\0')
		return err_set(err, errlen, "%s:%lu: village empty or longer than %d bytes", name,
		    row->line, CATALOGUE_NAME - 1);
	if (field(row, 1, v->township, sizeof(v->township)) == -1 || !code_ok(v->township))
		return err_set(err, errlen, "%s:%lu: township must be a code (letters, digits)",
		    name, row->line);
	if (catalogue_township_of(cat, v->village) != NULL)
		return err_set(err, errlen, "%s:%lu: village %s twice", name, row->line,
		    v->village);
	cat->nvillages++;
	return 0;
}

void
catalogue_free(struct catalogue *cat)
{
	if (cat == NULL)
		return;
	free(cat->outcomes);
	free(cat->powers);
	free(cat->villages);
	memset(cat, 0, sizeof(*cat));
}

int
catalogue_parse(const char *name, const char *buf, size_t len, struct catalogue *cat, char *err,
    size_t errlen)
{
	memset(cat, 0, sizeof(*cat));
	if (read_rows(name, buf, len, "kind,code,name,basis,applies", catalogue_row, cat, err,
	        errlen) == -1) {
		catalogue_free(cat);
		return -1;
	}
	return 0;
}

int
catalogue_parse_villages(const char *name, const char *buf, size_t len, struct catalogue *cat,
    char *err, size_t errlen)
{
	if (read_rows(name, buf, len, "village,township", village_row, cat, err, errlen) == -1) {
		catalogue_free(cat);
		return -1;
	}
	return 0;
}

/* The whole of a small file, malloc'd (1 MiB at most). */
static int
slurp(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	size_t cap = 1u << 20;

	*buf = NULL;
	if (fp == NULL)
		return err_set(err, errlen, "%s: %s", path, strerror(errno));
	if ((*buf = malloc(cap + 1)) == NULL) {
		fclose(fp);
		return err_set(err, errlen, "out of memory");
	}
	*len = fread(*buf, 1, cap + 1, fp);
	if (ferror(fp) || *len > cap) {
		fclose(fp);
		free(*buf);
		*buf = NULL;
		return err_set(err, errlen, "%s: %s", path,
		    *len > cap ? "larger than 1 MiB" : "read error");
	}
	fclose(fp);
	return 0;
}

int
catalogue_load(const char *catalogue_path, const char *villages_path, struct catalogue *cat,
    char *err, size_t errlen)
{
	char *buf;
	size_t len;
	int rc;

	memset(cat, 0, sizeof(*cat));
	if (catalogue_path != NULL && catalogue_path[0] != '\0') {
		if (slurp(catalogue_path, &buf, &len, err, errlen) == -1)
			return -1;
		rc = catalogue_parse(catalogue_path, buf, len, cat, err, errlen);
		free(buf);
		if (rc == -1)
			return -1;
	}
	if (villages_path != NULL && villages_path[0] != '\0') {
		if (slurp(villages_path, &buf, &len, err, errlen) == -1) {
			catalogue_free(cat);
			return -1;
		}
		rc = catalogue_parse_villages(villages_path, buf, len, cat, err, errlen);
		free(buf);
		if (rc == -1)
			return -1;
	}
	return 0;
}

const struct catalogue_outcome *
catalogue_outcome(const struct catalogue *cat, const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < cat->noutcomes; i++)
		if (strcmp(cat->outcomes[i].code, code) == 0)
			return &cat->outcomes[i];
	return NULL;
}

const struct catalogue_power *
catalogue_power(const struct catalogue *cat, const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < cat->npowers; i++)
		if (strcmp(cat->powers[i].code, code) == 0)
			return &cat->powers[i];
	return NULL;
}

const char *
catalogue_township_of(const struct catalogue *cat, const char *village)
{
	size_t i;

	for (i = 0; village != NULL && i < cat->nvillages; i++)
		if (strcmp(cat->villages[i].village, village) == 0)
			return cat->villages[i].township;
	return NULL;
}

int
catalogue_check_decision(const struct catalogue *cat, const char *outcome, const char *power,
    long long fine, char *err, size_t errlen)
{
	const struct catalogue_outcome *o = catalogue_outcome(cat, outcome);
	const struct catalogue_power *p;
	size_t i;

	if (cat->noutcomes == 0)
		return err_set(err, errlen, "the county has no catalogue of outcomes loaded");
	if (o == NULL)
		return err_set(err, errlen, "outcome '%s' is not in the catalogue",
		    outcome != NULL ? outcome : "");
	if (o->amount && fine <= 0)
		return err_set(err, errlen, "outcome %s needs a fine amount (yuan)", o->code);
	if (!o->amount && fine != 0)
		return err_set(err, errlen, "outcome %s takes no fine amount", o->code);
	if (power == NULL || power[0] == '\0') {
		if (o->powered)
			return err_set(err, errlen,
			    "outcome %s needs the penalty power it is based on", o->code);
		return 0;
	}
	if ((p = catalogue_power(cat, power)) == NULL)
		return err_set(err, errlen, "penalty power '%s' is not in the catalogue", power);
	for (i = 0; i < p->noutcomes; i++)
		if (&cat->outcomes[p->outcomes[i]] == o)
			return 0;
	return err_set(err, errlen, "penalty power %s does not end in outcome %s", p->code,
	    o->code);
}

static int
put(cbor_item_t *map, const char *key, cbor_item_t *value)
{
	int ok;

	if (value == NULL)
		return 0;
	ok = cbor_map_add(map, (struct cbor_pair){ .key = cbor_move(cbor_build_string(key)),
	                           .value = cbor_move(value) });
	return ok;
}

int
catalogue_encode(const struct catalogue *cat, unsigned char **out, size_t *len)
{
	cbor_item_t *root = cbor_new_definite_map(2), *outs, *pows, *m, *list;
	size_t i, j, size = 0;
	int ok = root != NULL;

	*out = NULL;
	outs = cbor_new_definite_array(cat->noutcomes);
	pows = cbor_new_definite_array(cat->npowers);
	ok = ok && outs != NULL && pows != NULL;
	for (i = 0; ok && i < cat->noutcomes; i++) {
		m = cbor_new_definite_map(3);
		ok = m != NULL && put(m, "code", cbor_build_string(cat->outcomes[i].code)) &&
		     put(m, "name", cbor_build_string(cat->outcomes[i].name)) &&
		     put(m, "amount", cbor_build_bool(cat->outcomes[i].amount)) &&
		     cbor_array_push(outs, cbor_move(m));
	}
	for (i = 0; ok && i < cat->npowers; i++) {
		m = cbor_new_definite_map(4);
		list = cbor_new_definite_array(cat->powers[i].noutcomes);
		ok = m != NULL && list != NULL;
		for (j = 0; ok && j < cat->powers[i].noutcomes; j++)
			ok = cbor_array_push(list,
			    cbor_move(
			        cbor_build_string(cat->outcomes[cat->powers[i].outcomes[j]].code)));
		ok = ok && put(m, "code", cbor_build_string(cat->powers[i].code)) &&
		     put(m, "name", cbor_build_string(cat->powers[i].name)) &&
		     put(m, "basis", cbor_build_string(cat->powers[i].basis)) &&
		     put(m, "outcomes", list) && cbor_array_push(pows, cbor_move(m));
	}
	ok = ok && put(root, "outcomes", outs) && put(root, "powers", pows);
	if (ok)
		*len = cbor_serialize_alloc(root, out, &size);
	if (root != NULL)
		cbor_decref(&root);
	if (!ok || *out == NULL || *len == 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}
