/*
 * gwident: scanned codes and buyer numbers into what a line needs
 * (gwident.h).  Verification is code_decode's; the buyer checks and the
 * HMAC are buyer.h's: nothing is reimplemented here.
 */
#include "gwident.h"

#include <stdlib.h>
#include <string.h>

#include "buyer.h"
#include "code.h"
#include "util.h"

struct gwident {
	struct code_key *code_key;
	struct buyer_key buyer_key;
};

struct gwident *
gwident_open(const char *code_public_key, const char *buyer_key, char *err, size_t errlen)
{
	struct gwident *id = calloc(1, sizeof(*id));

	if (id == NULL) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	id->code_key = code_key_load_public(code_public_key, err, errlen);
	if (id->code_key == NULL)
		goto fail;
	if (buyer_key_load(buyer_key, &id->buyer_key, err, errlen) == -1)
		goto fail;
	return id;
fail:
	gwident_close(id);
	return NULL;
}

void
gwident_close(struct gwident *id)
{
	if (id == NULL)
		return;
	code_key_free(id->code_key);
	explicit_bzero(&id->buyer_key, sizeof(id->buyer_key));
	free(id);
}

/* Drop a scanner's line ending: only CR and LF, since a space is a base45
 * character and may end a code. */
static size_t
trimmed(const char *text, size_t len)
{
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	return len;
}

void
gwident_cylinder(const struct gwident *id, const char *text, size_t len, struct line_cylinder *out)
{
	struct code_record rec;
	const struct code_model *model;
	char code[CODE_URL_MAX + 1];
	size_t n;

	memset(out, 0, sizeof(*out));
	len = trimmed(text, len);
	if (len == 0) {
		str_copy(out->reason, "empty code", sizeof(out->reason));
		return;
	}
	/* code_decode_text in two steps, to keep the code itself, bare (a URL
	 * label's too): what the registry holds, which R01 compares */
	if (code_from_text(text, len, code, sizeof(code), &n, out->reason, sizeof(out->reason)) ==
	        -1 ||
	    code_decode(code, n, id->code_key, &rec, out->reason, sizeof(out->reason)) == -1)
		return;
	out->valid = 1;
	str_copy(out->code, code, sizeof(out->code));
	str_copy(out->serial, rec.serial, sizeof(out->serial));
	model = code_model_by_id(rec.model);
	str_copy(out->model, model ? model->name : "?", sizeof(out->model));
	out->manufactured = date_to_days(rec.year, rec.month, 1);
	out->tare_kg = rec.tare_g / 1000.0;
	out->fill_kg = rec.fill_g / 1000.0;
}

void
gwident_buyer(const struct gwident *id, const char *number, size_t len, struct line_buyer *out)
{
	struct buyer_number n;

	memset(out, 0, sizeof(*out));
	len = trimmed(number, len);
	if (len == 0) {
		str_copy(out->reason, "no number given", sizeof(out->reason));
		return;
	}
	if (buyer_parse(number, len, BUYER_ANY, &n, out->reason, sizeof(out->reason)) == -1) {
		/* A non-empty reason marks "a buyer was given but refused". */
		if (out->reason[0] == '\0')
			str_copy(out->reason, "invalid number", sizeof(out->reason));
		return;
	}
	if (buyer_id(&id->buyer_key, &n, out->id) == -1) {
		str_copy(out->reason, "could not derive the buyer id", sizeof(out->reason));
		buyer_number_clear(&n);
		return;
	}
	buyer_mask(&n, out->masked);
	out->business = n.kind == BUYER_BUSINESS;
	out->valid = 1;
	buyer_number_clear(&n);
}
