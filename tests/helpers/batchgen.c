/*
 * batchgen: write one batch (POST /records) as CBOR, with any field a
 * station could put in it, for attacks on gascounty from a real station
 * identity (tests/integration/t_county_attacks.sh).  The CBOR is made by
 * the project's own encoder (wire.h), so what reaches the county is a
 * well-formed batch whose content alone is hostile.
 *
 *   batchgen [-s STATION] [-t TOWNSHIP] RECORD... >FILE
 *
 * RECORD is KEY=VALUE[,KEY=VALUE...]; every key has a default:
 *   seq (its place in the batch, from 1), uuid (made from the station,
 *   seq and salt), salt (0: changes the default uuid), kind (fill), at (now),
 *   fill keys: line (1), cyl (ATTACK<seq>), buyer (64 hex digits),
 *   masked, btown (TA), bkind (household), op (OP-1), start (now),
 *   end (now), net (14.9), tare, target, gross, result (ok);
 *   violations: viol (how many; 1 if rule is given, else 0), rule (R05),
 *   sev (alert), town, details (RULE from batchgen), vuuid (a printf
 *   format taking the violation's index, e.g. C04:S02:%d; default a UUID
 *   made from seq and index),
 *   vat (now); curve=1: a weight curve rising over 60 s to net kg, with
 *   the target and the close marked (the county keeps it with the fill).
 * Times are Unix ms, "now", "now+Nd" (N days ahead) or "min" (INT64_MIN).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "curve.h"
#include "util.h"
#include "wire.h"

/* A fill's curve: 60 s rising to f->net_kg, the close commanded at 55 s. */
static int
add_curve(struct wire_fill *f)
{
	static struct curve c;
	uint8_t buf[CURVE_MAX_ENCODED];
	size_t len = 0;
	int32_t t, net = (int32_t)(f->net_kg * 1000);

	curve_init(&c, (int32_t)(f->target_kg * 1000), 300);
	for (t = 0; t <= 60000; t += 500) {
		if (t == 55000)
			curve_mark_cutoff(&c, t);
		curve_add(&c, t, (int32_t)((int64_t)net * (t < 55000 ? t : 55000) / 55000));
	}
	curve_set_net(&c, net);
	if (curve_encode(&c, buf, sizeof(buf), &len) == -1 || (f->curve = malloc(len)) == NULL)
		return -1;
	memcpy(f->curve, buf, len);
	f->curve_len = len;
	return 0;
}

static int64_t
when(const char *v)
{
	if (strcmp(v, "now") == 0)
		return time_wall_ms();
	if (strncmp(v, "now+", 4) == 0)
		return time_wall_ms() + atoll(v + 4) * 86400000LL;
	if (strcmp(v, "min") == 0)
		return INT64_MIN;
	return strtoll(v, NULL, 10);
}

static int
record(char *spec, size_t index, unsigned long station_salt, struct wire_record *r)
{
	char *save = NULL, *kv, *eq, vfmt[64] = "", *k, *v;
	char rule[WIRE_WORD] = "R05", sev[WIRE_WORD] = "alert", town[WIRE_TOWNSHIP] = "";
	char details[WIRE_TEXT] = "";
	int64_t now = time_wall_ms(), vat = now;
	long nviol = -1, salt = 0, i;
	int want_curve = 0;
	struct wire_fill *f = &r->fill;

	memset(r, 0, sizeof(*r));
	r->seq = (int64_t)index + 1;
	str_copy(r->kind, "fill", sizeof(r->kind));
	r->created_ms = now;
	f->line = 1;
	memset(f->buyer, 'a', 64);
	str_copy(f->buyer_masked, "330***********1234", sizeof(f->buyer_masked));
	str_copy(f->buyer_township, "TA", sizeof(f->buyer_township));
	str_copy(f->buyer_kind, "household", sizeof(f->buyer_kind));
	str_copy(f->operator_cert, "OP-1", sizeof(f->operator_cert));
	f->started_ms = f->ended_ms = now;
	f->tare_kg = 15.3;
	f->target_kg = 14.9;
	f->gross_kg = 30.2;
	f->net_kg = 14.9;
	str_copy(f->result, "ok", sizeof(f->result));
	for (kv = strtok_r(spec, ",", &save); kv != NULL; kv = strtok_r(NULL, ",", &save)) {
		if ((eq = strchr(kv, '=')) == NULL) {
			fprintf(stderr, "batchgen: '%s' is not KEY=VALUE\n", kv);
			return -1;
		}
		*eq = '\0';
		k = kv;
		v = eq + 1;
		if (strcmp(k, "seq") == 0)
			r->seq = strtoll(v, NULL, 10);
		else if (strcmp(k, "uuid") == 0)
			str_copy(r->uuid, v, sizeof(r->uuid));
		else if (strcmp(k, "salt") == 0)
			salt = atol(v);
		else if (strcmp(k, "kind") == 0)
			str_copy(r->kind, v, sizeof(r->kind));
		else if (strcmp(k, "at") == 0)
			r->created_ms = when(v);
		else if (strcmp(k, "line") == 0)
			f->line = atoi(v);
		else if (strcmp(k, "cyl") == 0)
			str_copy(f->cylinder, v, sizeof(f->cylinder));
		else if (strcmp(k, "buyer") == 0)
			str_copy(f->buyer, v, sizeof(f->buyer));
		else if (strcmp(k, "masked") == 0)
			str_copy(f->buyer_masked, v, sizeof(f->buyer_masked));
		else if (strcmp(k, "btown") == 0)
			str_copy(f->buyer_township, v, sizeof(f->buyer_township));
		else if (strcmp(k, "bkind") == 0)
			str_copy(f->buyer_kind, v, sizeof(f->buyer_kind));
		else if (strcmp(k, "op") == 0)
			str_copy(f->operator_cert, v, sizeof(f->operator_cert));
		else if (strcmp(k, "start") == 0)
			f->started_ms = when(v);
		else if (strcmp(k, "end") == 0)
			f->ended_ms = when(v);
		else if (strcmp(k, "net") == 0)
			f->net_kg = strtod(v, NULL);
		else if (strcmp(k, "tare") == 0)
			f->tare_kg = strtod(v, NULL);
		else if (strcmp(k, "target") == 0)
			f->target_kg = strtod(v, NULL);
		else if (strcmp(k, "gross") == 0)
			f->gross_kg = strtod(v, NULL);
		else if (strcmp(k, "result") == 0)
			str_copy(f->result, v, sizeof(f->result));
		else if (strcmp(k, "viol") == 0)
			nviol = atol(v);
		else if (strcmp(k, "rule") == 0)
			str_copy(rule, v, sizeof(rule)), nviol = nviol < 0 ? 1 : nviol;
		else if (strcmp(k, "sev") == 0)
			str_copy(sev, v, sizeof(sev));
		else if (strcmp(k, "town") == 0)
			str_copy(town, v, sizeof(town));
		else if (strcmp(k, "details") == 0)
			str_copy(details, v, sizeof(details));
		else if (strcmp(k, "vuuid") == 0)
			str_copy(vfmt, v, sizeof(vfmt));
		else if (strcmp(k, "vat") == 0)
			vat = when(v);
		else if (strcmp(k, "curve") == 0)
			want_curve = atoi(v);
		else {
			fprintf(stderr, "batchgen: unknown key '%s'\n", k);
			return -1;
		}
	}
	if (r->uuid[0] == '\0')
		snprintf(r->uuid, sizeof(r->uuid), "%08lx-%04lx-4000-8000-%012llx",
		    station_salt & 0xffffffffUL, (unsigned long)salt & 0xffff,
		    (unsigned long long)r->seq);
	r->has_fill = strcmp(r->kind, "fill") == 0;
	if (f->cylinder[0] == '\0')
		snprintf(f->cylinder, sizeof(f->cylinder), "ATTACK%lld", (long long)r->seq);
	if (want_curve && r->has_fill && add_curve(f) == -1)
		return -1;
	if (nviol <= 0)
		return 0;
	if (nviol > WIRE_MAX_VIOLATIONS)
		nviol = WIRE_MAX_VIOLATIONS;
	r->violations = calloc((size_t)nviol, sizeof(*r->violations));
	r->violation_count = (size_t)nviol;
	for (i = 0; i < nviol; i++) {
		struct wire_violation *w = &r->violations[i];

		if (vfmt[0] != '\0')
			snprintf(w->uuid, sizeof(w->uuid), vfmt, (int)i);
		else
			snprintf(w->uuid, sizeof(w->uuid), "%08lx-%04lx-4000-9%03lx-%012llx",
			    station_salt & 0xffffffffUL, (unsigned long)salt & 0xffff,
			    (unsigned long)i & 0xfff, (unsigned long long)r->seq);
		str_copy(w->rule, rule, sizeof(w->rule));
		str_copy(w->severity, sev, sizeof(w->severity));
		str_copy(w->township, town, sizeof(w->township));
		if (details[0] != '\0')
			str_copy(w->details, details, sizeof(w->details));
		else
			snprintf(w->details, sizeof(w->details), "%s from batchgen", rule);
		str_copy(w->cylinder, f->cylinder, sizeof(w->cylinder));
		w->at_ms = vat;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct wire_batch b;
	uint8_t *out = NULL;
	size_t len = 0;
	unsigned long station_salt = 5381;
	const char *p;
	int ch, i, rc = 1;

	memset(&b, 0, sizeof(b));
	str_copy(b.station, "S01", sizeof(b.station));
	str_copy(b.township, "TA", sizeof(b.township));
	while ((ch = getopt(argc, argv, "s:t:h")) != -1) {
		switch (ch) {
		case 's':
			str_copy(b.station, optarg, sizeof(b.station));
			break;
		case 't':
			str_copy(b.township, optarg, sizeof(b.township));
			break;
		case 'h':
			printf("usage: batchgen [-s STATION] [-t TOWNSHIP] RECORD... >FILE\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: batchgen [-s STATION] [-t TOWNSHIP] RECORD... >FILE\n");
		return 2;
	}
	b.count = (size_t)(argc - optind);
	if ((b.records = calloc(b.count, sizeof(*b.records))) == NULL)
		return 1;
	for (p = b.station; *p != '\0'; p++)
		station_salt = station_salt * 33 + (unsigned char)*p; /* uuids apart per station */
	for (i = optind; i < argc; i++)
		if (record(argv[i], (size_t)(i - optind), station_salt, &b.records[i - optind]) ==
		    -1)
			goto out;
	if (wire_encode_batch(&b, &out, &len) == -1) {
		fprintf(stderr, "batchgen: cannot encode\n");
		goto out;
	}
	rc = fwrite(out, 1, len, stdout) == len ? 0 : 1;
	free(out);
out:
	wire_batch_free(&b);
	return rc;
}
