/*
 * gastrace: the county regulator's history queries.
 *
 *   gastrace [options] cylinder SERIAL
 *   gastrace [options] buyer NUMBER          (hashed here; the number never leaves)
 *   gastrace [options] buyer --id HEXID
 *   gastrace [options] station ID [--from T] [--to T]
 *   gastrace [options] curve FILL --out FILE.svg|FILE.png
 *
 * Every query is recorded by the county in its audit log under this
 * regulator's identity.  Output: a table (default), --json (the county's
 * JSON rendering, as it sent it) or --csv.
 *
 * Only the curve picture speaks the regulator's language (plot.h: the SVG's
 * words through gettext, the PNG's in English); the tables and messages
 * are English.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buyer.h"
#include "coaplink.h"
#include "curve.h"
#include "i18n.h"
#include "plot.h"
#include "log.h"
#include "util.h"
#include "wire.h"

#define REQUEST_TIMEOUT_MS 60000

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: gastrace -u regulator:NAME -k KEYFILE [-H HOST] [-p PORT]\n"
	    "                [--from T] [--to T] [--json | --csv] QUERY\n"
	    "  QUERY:  cylinder SERIAL\n"
	    "          buyer NUMBER --buyer-key FILE   (hashed before it is sent)\n"
	    "          buyer --id HEXID\n"
	    "          station ID\n"
	    "          stations                        what the county holds of each station\n"
	    "          curve FILL --out FILE.svg|.png  draw one fill's weight curve\n"
	    "\n"
	    "Shows every fill and refusal the county holds for a cylinder, a buyer or a\n"
	    "station, with weights, masked buyer and violations.  Each query is written\n"
	    "to the county's audit log under your identity.\n"
	    "\n"
	    "  -u, --identity ID   your PSK identity (regulator:NAME)\n"
	    "  -k, --key FILE      your pre-shared key (hex, mode 0600)\n"
	    "  -H, --host HOST     county server (default 127.0.0.1)\n"
	    "  -p, --port PORT     county server UDP port (default 5684)\n"
	    "  --from T, --to T    time range: YYYY-MM-DD[THH:MM[:SS]] (UTC)\n"
	    "  --buyer-key FILE    the county buyer key, to hash a buyer number\n"
	    "  --id HEXID          a buyer id already hashed\n"
	    "  --json, --csv       output format (default: a table)\n"
	    "  --out FILE          curve: the picture to write (.svg or .png)\n"
	    "  -h, --help          this help\n"
	    "\n"
	    "Exit status: 0 ok, 1 error, 2 bad usage, 3 refused by the county.\n");
}

/*
 * The buyer's id as every station computes it: HMAC-SHA256 under the county
 * buyer key of the normalised number (buyer.h).  The raw number is wiped
 * here and never sent, printed or logged.
 */
static int
buyer_hash(const char *number, const char *keyfile, char out[BUYER_ID_LEN + 1], char *err,
    size_t errlen)
{
	struct buyer_number n;
	struct buyer_key key;
	int rc;

	if (buyer_key_load(keyfile, &key, err, errlen) == -1)
		return -1;
	if (buyer_parse(number, strlen(number), BUYER_ANY, &n, err, errlen) == -1) {
		explicit_bzero(&key, sizeof(key));
		return -1;
	}
	rc = buyer_id(&key, &n, out);
	buyer_number_clear(&n);
	explicit_bzero(&key, sizeof(key));
	if (rc == -1)
		return err_set(err, errlen, "cannot hash the buyer number");
	return 0;
}

static void
csv_field(const char *s)
{
	const char *p;

	if (strpbrk(s, ",\"\n\r") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			putchar('"');
		putchar(*p);
	}
	putchar('"');
}

static void
violations_text(const struct wire_record *r, char *out, size_t size)
{
	size_t i, used = 0;
	int n;

	out[0] = '\0';
	for (i = 0; i < r->violation_count && used < size; i++) {
		n = snprintf(out + used, size - used, "%s%s", i > 0 ? " " : "",
		    r->violations[i].rule);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* "-" for an empty column of the table */
#define DASH(s) ((s)[0] != '\0' ? (s) : "-")

static void
print_table(const struct wire_trace *t, int csv)
{
	const struct wire_record *r;
	char when[32], viol[128], net[32], details[WIRE_TEXT];
	size_t i;

	if (csv)
		printf(
		    "time,station,seq,kind,line,cylinder,buyer,net_kg,result,violations,details\n");
	else
		printf("%-24s %-8s %-6s %-7s %-4s %-14s %-18s %8s %-9s %s\n", "TIME", "STATION",
		    "SEQ", "KIND", "LINE", "CYLINDER", "BUYER", "NET KG", "RESULT", "VIOLATIONS");
	for (i = 0; i < t->count; i++) {
		const char *cylinder = "", *buyer = "";
		char seq[24], line[12] = "";

		r = &t->records[i];
		time_format_iso(r->has_fill ? r->fill.started_ms : r->created_ms, when);
		violations_text(r, viol, sizeof(viol));
		snprintf(seq, sizeof(seq), "%lld", (long long)r->seq);
		net[0] = '\0';
		details[0] = '\0';
		if (r->violation_count > 0) {
			str_copy(details, r->violations[0].details, sizeof(details));
			cylinder = r->violations[0].cylinder;
			buyer = r->violations[0].buyer_masked;
		}
		if (r->has_fill) {
			snprintf(line, sizeof(line), "%d", r->fill.line);
			snprintf(net, sizeof(net), "%.2f", r->fill.net_kg);
			cylinder = r->fill.cylinder;
			buyer = r->fill.buyer_masked;
		}
		if (csv) {
			const char *cols[] = { when, r->station, seq, r->kind, line, cylinder,
				buyer, net, r->has_fill ? r->fill.result : "", viol, details };

			for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
				if (c > 0)
					putchar(',');
				csv_field(cols[c]);
			}
			putchar('\n');
		} else
			printf("%-24s %-8s %-6s %-7s %-4s %-14s %-18s %8s %-9s %s\n", when,
			    r->station, seq, r->kind, DASH(line), DASH(cylinder), DASH(buyer),
			    DASH(net), r->has_fill ? r->fill.result : "-", DASH(viol));
	}
	if (!csv)
		printf("%zu record%s%s\n", t->count, t->count == 1 ? "" : "s",
		    t->truncated ? " (more matched: narrow the time range)" : "");
}

static int
print_stations(const uint8_t *data, size_t len, int csv)
{
	struct wire_station_list l;
	const struct wire_station *st;
	char err[256], seen[32], gap[32];
	size_t i;

	if (wire_decode_stations(data, len, &l, err, sizeof(err)) == -1) {
		fprintf(stderr, "gastrace: bad answer: %s\n", err);
		return 1;
	}
	if (csv)
		printf("station,township,held_to,highest,gap_since,last_seen,backlog,status\n");
	else
		printf("%-10s %-10s %8s %8s %-24s %-24s %7s %s\n", "STATION", "TOWNSHIP", "HELD TO",
		    "HIGHEST", "GAP SINCE", "LAST SEEN", "BACKLOG", "STATUS");
	for (i = 0; i < l.count; i++) {
		st = &l.stations[i];
		time_format_iso(st->last_seen_ms, seen);
		if (st->gap_since_ms != 0)
			time_format_iso(st->gap_since_ms, gap);
		else
			str_copy(gap, csv ? "" : "-", sizeof(gap));
		if (csv) {
			printf("%s,%s,%lld,%lld,%s,%s,%lld,", st->id, st->township,
			    (long long)st->hwm, (long long)st->max_seq, gap, seen,
			    (long long)st->backlog);
			csv_field(st->status);
			putchar('\n');
		} else
			printf("%-10s %-10s %8lld %8lld %-24s %-24s %7lld %s\n", st->id,
			    st->township, (long long)st->hwm, (long long)st->max_seq, gap, seen,
			    (long long)st->backlog, st->status);
	}
	wire_stations_free(&l);
	return 0;
}

/* The curve picture's title: as is in the PNG, translated in the SVG. */
#define CURVE_TITLE N_("fill %.8s, station %s line %d, cylinder %s")

/* Decode the county's curve message and draw it (plot.h), titled with the
 * fill, station, line and cylinder. */
static int
draw_curve(const uint8_t *data, size_t len, const char *picture)
{
	struct wire_curve wc;
	struct curve *c;
	char err[256], title[320], title_local[480];
	struct plot_title titles = { title, title_local };
	int rc = 1;

	if (wire_decode_curve(data, len, &wc, err, sizeof(err)) == -1) {
		fprintf(stderr, "gastrace: bad answer: %s\n", err);
		return 1;
	}
	if ((c = malloc(sizeof(*c))) == NULL) {
		fprintf(stderr, "gastrace: out of memory\n");
		goto out;
	}
	if (curve_decode(wc.curve, wc.curve_len, c, err, sizeof(err)) == -1) {
		fprintf(stderr, "gastrace: fill %s: the curve is damaged: %s\n", wc.fill, err);
		goto out;
	}
	snprintf(title, sizeof(title), CURVE_TITLE, wc.fill, wc.station, wc.line, wc.cylinder);
	snprintf(title_local, sizeof(title_local), _(CURVE_TITLE), wc.fill, wc.station, wc.line,
	    wc.cylinder);
	if (plot_curve_file(c, &titles, picture, err, sizeof(err)) == -1) {
		fprintf(stderr, "gastrace: %s\n", err);
		goto out;
	}
	printf("%s\n", picture);
	rc = 0;
out:
	free(c);
	wire_curve_free(&wc);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "identity", required_argument, NULL, 'u' },
		{ "key", required_argument, NULL, 'k' },
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "buyer-key", required_argument, NULL, 'B' },
		{ "id", required_argument, NULL, 'I' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *identity = NULL, *keyfile = NULL, *host = "127.0.0.1", *buyer_key = NULL,
	           *hexid = NULL, *from = NULL, *to = NULL, *what, *param, *picture = NULL;
	char key[WIRE_ID + 8], query[256], err[256], path[32];
	struct coaplink_response resp;
	struct coaplink *link = NULL;
	struct wire_trace t;
	int64_t from_ms = 0, to_ms = INT64_MAX;
	int port = 5684, json = 0, csv = 0, ch, rc = 1;

	i18n_init();
	while ((ch = getopt_long(argc, argv, "u:k:H:p:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'u':
			identity = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'H':
			host = optarg;
			break;
		case 'p':
			if (coaplink_parse_port(optarg, &port) == -1) {
				fprintf(stderr, "%s: -p %s: a port is a number from 1 to 65535\n",
				    "gastrace", optarg);
				return 2;
			}
			break;
		case 'F':
			from = optarg;
			break;
		case 'T':
			to = optarg;
			break;
		case 'B':
			buyer_key = optarg;
			break;
		case 'I':
			hexid = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'c':
			csv = 1;
			break;
		case 'o':
			picture = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (identity == NULL || keyfile == NULL || optind >= argc || (json && csv) || port <= 0 ||
	    port > 65535) {
		usage(stderr);
		return 2;
	}
	if ((from != NULL && time_parse_iso(from, &from_ms) == -1) ||
	    (to != NULL && time_parse_iso(to, &to_ms) == -1)) {
		fprintf(stderr, "gastrace: times are YYYY-MM-DD[THH:MM[:SS]]\n");
		return 2;
	}
	what = argv[optind];
	key[0] = '\0';
	param = NULL;
	if (strcmp(what, "stations") == 0) {
		if (optind + 1 != argc) {
			usage(stderr);
			return 2;
		}
	} else if (strcmp(what, "curve") == 0) {
		if (optind + 2 != argc || (picture == NULL && !json)) {
			fprintf(stderr, "gastrace: curve FILL --out FILE.svg|FILE.png\n");
			return 2;
		}
		param = "fill";
		if (str_copy(key, argv[optind + 1], sizeof(key)) >= sizeof(key)) {
			fprintf(stderr, "gastrace: a fill is named by its uuid\n");
			return 2;
		}
	} else if (strcmp(what, "cylinder") == 0 || strcmp(what, "station") == 0) {
		if (optind + 2 != argc) {
			usage(stderr);
			return 2;
		}
		param = strcmp(what, "cylinder") == 0 ? "serial" : "id";
		if (str_copy(key, argv[optind + 1], sizeof(key)) >= sizeof(key)) {
			fprintf(stderr, "gastrace: %s is too long\n", what);
			return 2;
		}
	} else if (strcmp(what, "buyer") == 0) {
		param = "id";
		if (hexid != NULL && optind + 1 == argc) {
			if (strlen(hexid) != BUYER_ID_LEN) {
				fprintf(stderr, "gastrace: --id takes %d hex digits\n",
				    BUYER_ID_LEN);
				return 2;
			}
			str_copy(key, hexid, sizeof(key));
		} else if (hexid == NULL && optind + 2 == argc && buyer_key != NULL) {
			if (buyer_hash(argv[optind + 1], buyer_key, key, err, sizeof(err)) == -1) {
				fprintf(stderr, "gastrace: %s\n", err);
				return 2;
			}
		} else {
			usage(stderr);
			return 2;
		}
	} else {
		usage(stderr);
		return 2;
	}
	/* keys are serials, station ids and hex: nothing to escape, but refuse
	 * what would break the query string */
	if (strpbrk(key, "&= ") != NULL) {
		fprintf(stderr, "gastrace: '&', '=' and spaces are not allowed in %s\n", what);
		return 2;
	}
	if (param != NULL && strcmp(what, "curve") == 0) {
		str_copy(path, "trace/curve", sizeof(path));
		snprintf(query, sizeof(query), "fill=%s", key);
	} else if (param != NULL) {
		snprintf(path, sizeof(path), "trace/%s", what);
		snprintf(query, sizeof(query), "%s=%s&from=%lld&to=%lld", param, key,
		    (long long)from_ms, (long long)to_ms);
	} else {
		str_copy(path, "stations", sizeof(path));
		query[0] = '\0';
	}
	log_init("gastrace", 1, LOG_LEVEL_WARN);
	if (coaplink_open_tool(host, port, identity, keyfile, &link, err, sizeof(err)) == -1) {
		fprintf(stderr, "gastrace: %s\n", err);
		return 1;
	}
	if (coaplink_request(link, "GET", path, query[0] != '\0' ? query : NULL, COAPLINK_NONE,
	        json ? COAPLINK_FORMAT_JSON : COAPLINK_FORMAT_CBOR, NULL, 0, REQUEST_TIMEOUT_MS,
	        &resp, err, sizeof(err)) == -1) {
		fprintf(stderr, "gastrace: %s\n", err);
		goto out;
	}
	if (resp.code == 404) {
		fprintf(stderr, "gastrace: the county holds no curve for fill %s\n", key);
		goto free_resp;
	}
	if (resp.code == 403) {
		fprintf(stderr, "gastrace: refused by the county (4.03): for regulators only\n");
		rc = 3;
		goto free_resp;
	}
	if (resp.code != 205) {
		fprintf(stderr, "gastrace: county answered %d.%02d %.*s\n", resp.code / 100,
		    resp.code % 100, (int)(resp.len < 200 ? resp.len : 200),
		    resp.data != NULL ? (const char *)resp.data : "");
		goto free_resp;
	}
	if (json) {
		fwrite(resp.data, 1, resp.len, stdout);
		putchar('\n');
		rc = 0;
		goto free_resp;
	}
	if (param == NULL) {
		rc = print_stations(resp.data, resp.len, csv);
		goto free_resp;
	}
	if (strcmp(what, "curve") == 0) {
		rc = draw_curve(resp.data, resp.len, picture);
		goto free_resp;
	}
	if (wire_decode_trace(resp.data, resp.len, &t, err, sizeof(err)) == -1) {
		fprintf(stderr, "gastrace: bad answer: %s\n", err);
		goto free_resp;
	}
	print_table(&t, csv);
	wire_trace_free(&t);
	rc = 0;
free_resp:
	coaplink_response_free(&resp);
out:
	coaplink_free(link);
	return rc;
}
