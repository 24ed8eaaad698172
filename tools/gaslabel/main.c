/*
 * gaslabel: the county's tool for cylinder codes (docs/code-format.md).
 *
 *   gaslabel keygen --out DIR           county signing key pair (and buyer key)
 *   gaslabel mint --key KEY --county CODE --csv FILE --out DIR
 *                                       one signed code and label per registry row
 *   gaslabel show CODE                  the QR code on a UTF-8 terminal
 *   gaslabel verify --pub PUB CODE      the decoded record, or why it is refused
 *   gaslabel buyerkey --out FILE        a county buyer key (docs/buyers.md)
 *
 * Commands are rows of one table; each answers --help.  Exit status: 0 done,
 * 1 error or refused code, 2 bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buyer.h"
#include "cmdtable.h"
#include "code.h"
#include "csv.h"
#include "i18n.h"
#include "label.h"
#include "log.h"
#include "progress.h"
#include "registry.h"
#include "util.h"

#define EXIT_USAGE 2

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
	const char *help;
};

static const struct command *find_command(const char *name);

static int
usage_error(const char *name, const char *fmt, const char *arg)
{
	const struct command *c = find_command(name);

	fprintf(stderr, "gaslabel %s: ", name);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nusage: gaslabel %s\n", c != NULL ? c->usage : "");
	return EXIT_USAGE;
}

static int
print_help(const char *name)
{
	const struct command *c = find_command(name);

	printf("usage: gaslabel %s\n\n%s\n", c->usage, c->help);
	return 0;
}

/* mkdir that accepts an existing folder. */
static int
make_dir(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	fprintf(stderr, "gaslabel: %s: %s\n", path, strerror(errno));
	return -1;
}

/* ---- keygen ------------------------------------------------------------------ */

static int
cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "buyer-key", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	char priv[4096], pub[4096], buyer[4096], err[512], hex[2 * CODE_PUBLIC_LEN + 1];
	uint8_t raw[CODE_PUBLIC_LEN];
	struct code_key *key;
	int ch, with_buyer = 0, rc = 1;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "o:bh", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			out = optarg;
			break;
		case 'b':
			with_buyer = 1;
			break;
		case 'h':
			return print_help("keygen");
		default:
			return usage_error("keygen", "%s", "unknown option");
		}
	}
	if (out == NULL || optind != argc)
		return usage_error("keygen", "%s", "--out DIR is required, nothing else");
	if (make_dir(out, 0700) == -1)
		return 1;
	snprintf(priv, sizeof(priv), "%s/county.key", out);
	snprintf(pub, sizeof(pub), "%s/county.pub", out);
	snprintf(buyer, sizeof(buyer), "%s/buyer.key", out);
	if ((key = code_key_generate(err, sizeof(err))) == NULL) {
		fprintf(stderr, "gaslabel keygen: %s\n", err);
		return 1;
	}
	if (code_key_save_private(key, priv, err, sizeof(err)) == -1 ||
	    code_key_save_public(key, pub, err, sizeof(err)) == -1 ||
	    (with_buyer && buyer_key_generate(buyer, err, sizeof(err)) == -1)) {
		fprintf(stderr, "gaslabel keygen: %s\n", err);
		goto out;
	}
	code_key_public_raw(key, raw);
	hex_encode(raw, sizeof(raw), hex);
	printf("private key %s (mode 0600: keep it offline)\npublic key  %s\n", priv, pub);
	if (with_buyer)
		printf("buyer key   %s (mode 0600: give it only to the county's stations)\n",
		    buyer);
	printf("public key Ed25519 %s\n", hex);
	rc = 0;
out:
	code_key_free(key);
	return rc;
}

static int
cmd_buyerkey(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	char err[512];
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			return print_help("buyerkey");
		default:
			return usage_error("buyerkey", "%s", "unknown option");
		}
	}
	if (out == NULL || optind != argc)
		return usage_error("buyerkey", "%s", "--out FILE is required");
	if (buyer_key_generate(out, err, sizeof(err)) == -1) {
		fprintf(stderr, "gaslabel buyerkey: %s\n", err);
		return 1;
	}
	printf("buyer key %s (mode 0600)\n", out);
	return 0;
}

/* ---- mint -------------------------------------------------------------------- */

#define LABEL_HOTLINE_MAX 32

/* A hotline as printed: 3 to 32 of digits, '-', '+', ' ', '(' and ')',
 * with at least 3 digits (0570-1234567, 400 123 4567, 12345). */
static int
hotline_valid(const char *s, size_t len)
{
	size_t i, digits = 0;

	if (len < 3 || len > LABEL_HOTLINE_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (strchr("-+ ()", s[i]) == NULL || s[i] == '\0')
			return 0;
	}
	return digits >= 3;
}

static void
csv_put_field(FILE *fp, const char *s, size_t len)
{
	size_t i;
	int quote = len > 0 && (s[0] == ' ' || s[len - 1] == ' ');

	for (i = 0; i < len && !quote; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			quote = 1;
	if (!quote) {
		fwrite(s, 1, len, fp);
		return;
	}
	fputc('"', fp);
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			fputc('"', fp);
		fputc(s[i], fp);
	}
	fputc('"', fp);
}

/* The row as read, without its code column, then the new code. */
static void
csv_put_row(FILE *fp, const struct csv_row *row, int code_column, const char *code)
{
	int i, first = 1;

	for (i = 0; i < row->nfields; i++) {
		if (i == code_column)
			continue;
		if (!first)
			fputc(',', fp);
		csv_put_field(fp, row->fields[i], row->lengths[i]);
		first = 0;
	}
	fputc(',', fp);
	fputs(code, fp);
	fputc('\n', fp);
}

static int
cmd_mint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "county", required_argument, NULL, 'c' },
		{ "csv", required_argument, NULL, 'f' },
		{ "out", required_argument, NULL, 'o' },
		{ "no-labels", no_argument, NULL, 'n' },
		{ "base-url", required_argument, NULL, 'u' },
		{ "hotline", required_argument, NULL, 'H' },
		{ "cycle", required_argument, NULL, 'y' },
		{ "font", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key_path = NULL, *county_text = NULL, *csv_path = NULL, *out = NULL;
	const char *base_url = NULL, *hotline = "", *font_path = NULL;
	char path[4096], tmp[4096], labels[4096], err[512], code[CODE_MAX_LEN + 1];
	char url[CODE_URL_MAX + 1], next[11], phone[LABEL_HOTLINE_MAX + 1];
	struct label_font *font = NULL;
	struct label_facts facts;
	int hotline_column = -1, cycle = 4;
	struct code_key *key = NULL;
	struct registry_columns cols;
	struct registry_row row;
	struct registry_serials *serials = NULL;
	unsigned long first_line;
	struct code_record rec;
	struct csv_reader *reader = NULL;
	struct csv_row csv;
	struct progress bar;
	struct stat st;
	unsigned long long total = 0;
	unsigned long minted = 0, rejected = 0, rows = 0;
	FILE *in = NULL, *codes = NULL;
	uint32_t county = 0;
	int ch, n, i, no_labels = 0, rc = 1;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "k:c:f:o:nu:H:y:F:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'u':
			base_url = optarg;
			break;
		case 'H':
			hotline = optarg;
			break;
		case 'y':
			cycle = atoi(optarg);
			if (cycle < 1 || cycle > 20 ||
			    strspn(optarg, "0123456789") != strlen(optarg))
				return usage_error("mint", "--cycle '%s' is not 1 to 20 years",
				    optarg);
			break;
		case 'F':
			font_path = optarg;
			break;
		case 'k':
			key_path = optarg;
			break;
		case 'c':
			county_text = optarg;
			break;
		case 'f':
			csv_path = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'n':
			no_labels = 1;
			break;
		case 'h':
			return print_help("mint");
		default:
			return usage_error("mint", "%s", "unknown option");
		}
	}
	if (key_path == NULL || county_text == NULL || csv_path == NULL || out == NULL ||
	    optind != argc)
		return usage_error("mint", "%s", "--key, --county, --csv and --out are required");
	if (strlen(county_text) != 6 || strspn(county_text, "0123456789") != 6 ||
	    county_text[0] == '0')
		return usage_error("mint", "county code '%s' is not six digits", county_text);
	county = (uint32_t)strtoul(county_text, NULL, 10);
	if (base_url != NULL && code_base_url_check(base_url, err, sizeof(err)) == -1)
		return usage_error("mint", "--base-url: %s", err);
	if (hotline[0] != '\0' && !hotline_valid(hotline, strlen(hotline)))
		return usage_error("mint", "--hotline '%s' is not a telephone number", hotline);
	if (!no_labels && (font = label_font_open(font_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "gaslabel mint: %s\n", err);
		return 1;
	}

	if ((key = code_key_load_private(key_path, err, sizeof(err))) == NULL) {
		fprintf(stderr, "gaslabel mint: %s\n", err);
		goto out;
	}
	if ((in = fopen(csv_path, "r")) == NULL) {
		fprintf(stderr, "gaslabel mint: %s: %s\n", csv_path, strerror(errno));
		goto out;
	}
	if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode))
		total = (unsigned long long)st.st_size;
	reader = csv_open(in);
	serials = registry_serials_new();
	if (reader == NULL || serials == NULL) {
		fprintf(stderr, "gaslabel mint: out of memory\n");
		goto out;
	}
	n = csv_next(reader, &csv, err, sizeof(err));
	if (n == 0) {
		fprintf(stderr, "gaslabel mint: %s: empty file (no header row)\n", csv_path);
		goto out;
	}
	if (n < 0 || registry_columns_parse(&csv, &cols, err, sizeof(err)) == -1) {
		fprintf(stderr, "gaslabel mint: %s:%lu: %s\n", csv_path, csv.line, err);
		goto out;
	}
	for (i = 0; i < csv.nfields; i++)
		if (csv.lengths[i] == 7 && strncasecmp(csv.fields[i], "hotline", 7) == 0)
			hotline_column = i;
	snprintf(labels, sizeof(labels), "%s/labels", out);
	if (make_dir(out, 0755) == -1 || (!no_labels && make_dir(labels, 0755) == -1))
		goto out;
	snprintf(path, sizeof(path), "%s/codes.csv", out);
	snprintf(tmp, sizeof(tmp), "%s/codes.csv.tmp", out);
	if ((codes = fopen(tmp, "w")) == NULL) {
		fprintf(stderr, "gaslabel mint: %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	for (i = 0; i < csv.nfields; i++) {
		if (i == cols.code)
			continue;
		csv_put_field(codes, csv.fields[i], csv.lengths[i]);
		fputc(',', codes);
	}
	fputs("code\n", codes);

	progress_init(&bar, stderr, "minting");
	while ((n = csv_next(reader, &csv, err, sizeof(err))) != 0) {
		int y, m, d;

		if (n == -2) {
			progress_end(&bar);
			fprintf(stderr, "gaslabel mint: %s: %s\n", csv_path, err);
			goto out;
		}
		rows++;
		if (n == -1 ||
		    registry_parse_row(&cols, &csv, NULL, 0, &row, err, sizeof(err)) == -1) {
			progress_end(&bar);
			fprintf(stderr, "%s:%lu: %s\n", csv_path, csv.line, err);
			rejected++;
			continue;
		}
		n = registry_serials_add(serials, row.serial, csv.line, &first_line);
		if (n == -1) {
			progress_end(&bar);
			fprintf(stderr, "gaslabel mint: out of memory\n");
			goto out;
		}
		if (n == 0) {
			progress_end(&bar);
			fprintf(stderr, "%s:%lu: serial %s appears again (first on line %lu)\n",
			    csv_path, csv.line, row.serial, first_line);
			rejected++;
			continue;
		}
		memset(&rec, 0, sizeof(rec));
		rec.county = county;
		str_copy(rec.serial, row.serial, sizeof(rec.serial));
		rec.model = code_model_by_name(row.model)->id;
		date_from_days(row.manufactured, &y, &m, &d);
		rec.year = y;
		rec.month = m;
		rec.tare_g = row.tare_g;
		rec.fill_g = row.fill_g;
		if (code_encode(&rec, key, code, sizeof(code), err, sizeof(err)) == -1) {
			progress_end(&bar);
			fprintf(stderr, "%s:%lu: %s\n", csv_path, csv.line, err);
			rejected++;
			continue;
		}
		str_copy(phone, hotline, sizeof(phone));
		if (hotline_column >= 0 && hotline_column < csv.nfields &&
		    csv.lengths[hotline_column] > 0) {
			if (!hotline_valid(csv.fields[hotline_column],
			        csv.lengths[hotline_column])) {
				progress_end(&bar);
				fprintf(stderr, "%s:%lu: hotline is not a telephone number\n",
				    csv_path, csv.line);
				rejected++;
				continue;
			}
			memcpy(phone, csv.fields[hotline_column], csv.lengths[hotline_column]);
			phone[csv.lengths[hotline_column]] = '\0';
		}
		csv_put_row(codes, &csv, cols.code, code);
		if (!no_labels) {
			const char *qr = code;

			if (base_url != NULL) {
				if (code_url(base_url, code, url, sizeof(url), err, sizeof(err)) ==
				    -1)
					goto label_failed;
				qr = url;
			}
			date_format(registry_next_inspection(&row, cycle), next);
			facts =
			    (struct label_facts){ row.serial, row.model, row.owner, phone, next };
			if (snprintf(path, sizeof(path), "%s/%.24s.png", labels, row.serial) >=
			    (int)sizeof(path)) {
				err_set(err, sizeof(err), "%s: path too long", labels);
				goto label_failed;
			}
			if (label_write_png(path, qr, &facts, font, err, sizeof(err)) == -1)
				goto label_failed;
			if (snprintf(path, sizeof(path), "%s/%.24s.svg", labels, row.serial) >=
			    (int)sizeof(path)) {
				err_set(err, sizeof(err), "%s: path too long", labels);
				goto label_failed;
			}
			if (label_write_svg(path, qr, &facts, err, sizeof(err)) == -1)
				goto label_failed;
		}
		minted++;
		progress_update(&bar, csv_offset(reader), total, minted);
	}
	progress_end(&bar);
	snprintf(path, sizeof(path), "%s/codes.csv", out);
	if (fflush(codes) != 0 || ferror(codes) || fsync(fileno(codes)) == -1) {
		fprintf(stderr, "gaslabel mint: %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	fclose(codes);
	codes = NULL;
	if (rename(tmp, path) == -1) {
		fprintf(stderr, "gaslabel mint: %s: %s\n", path, strerror(errno));
		goto out;
	}
	printf("%lu rows: %lu codes minted into %s, %lu rejected\n", rows, minted, path, rejected);
	rc = rejected > 0 ? 1 : 0;
	goto out;
label_failed:
	progress_end(&bar);
	fprintf(stderr, "gaslabel mint: %s\n", err);
out:
	if (codes != NULL) {
		fclose(codes);
		unlink(tmp);
	}
	csv_close(reader);
	registry_serials_free(serials);
	if (in != NULL)
		fclose(in);
	code_key_free(key);
	label_font_close(font);
	return rc;
}

/* ---- show / verify ----------------------------------------------------------- */

/* The code argument, or one line of standard input for "-". */
static int
code_argument(const char *arg, char *buf, size_t buflen, size_t *len)
{
	if (strcmp(arg, "-") != 0) {
		*len = strlen(arg);
		return *len < buflen ? (memcpy(buf, arg, *len + 1), 0) : -1;
	}
	if (fgets(buf, (int)buflen, stdin) == NULL)
		return -1;
	*len = strlen(buf);
	while (*len > 0 && (buf[*len - 1] == '\n' || buf[*len - 1] == '\r'))
		buf[--*len] = '\0';
	return 0;
}

static int
cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "invert", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char code[CODE_MAX_LEN + 2], err[256];
	size_t len;
	int ch, invert = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "ih", opts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			invert = 1;
			break;
		case 'h':
			return print_help("show");
		default:
			return usage_error("show", "%s", "unknown option");
		}
	}
	if (optind + 1 != argc)
		return usage_error("show", "%s", "one CODE is required (quote it: it has spaces)");
	if (code_argument(argv[optind], code, sizeof(code), &len) == -1 || len > CODE_MAX_LEN) {
		fprintf(stderr, "gaslabel show: not a cylinder code (too long or missing)\n");
		return 1;
	}
	if (label_print_terminal(stdout, code, invert, err, sizeof(err)) == -1) {
		fprintf(stderr, "gaslabel show: %s\n", err);
		return 1;
	}
	printf("%s\n", code);
	return 0;
}

static int
cmd_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pub", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pub = NULL;
	char code[CODE_URL_MAX + 2], err[512];
	struct code_key *key;
	struct code_record rec;
	size_t len;
	int ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			pub = optarg;
			break;
		case 'h':
			return print_help("verify");
		default:
			return usage_error("verify", "%s", "unknown option");
		}
	}
	if (pub == NULL || optind + 1 != argc)
		return usage_error("verify", "%s", "--pub PUB and one CODE are required");
	if ((key = code_key_load_public(pub, err, sizeof(err))) == NULL) {
		fprintf(stderr, "gaslabel verify: %s\n", err);
		return 1;
	}
	if (code_argument(argv[optind], code, sizeof(code), &len) == -1) {
		rc = -1;
		str_copy(err,
		    strcmp(argv[optind], "-") == 0 ? "no code on standard input"
		                                   : "too long for a cylinder code",
		    sizeof(err));
	} else {
		rc = code_decode_text(code, len, key, &rec, err, sizeof(err));
	}
	code_key_free(key);
	if (rc == -1) {
		printf(_("refused: %s\n"), err);
		return 1;
	}
	printf("valid\ncounty        %06u\nserial        %s\nmodel         %s\n"
	       "manufactured  %04d-%02d\ntare          %.2f kg\nfill          %.2f kg\n",
	    rec.county, rec.serial, code_model_by_id(rec.model)->name, rec.year, rec.month,
	    rec.tare_g / 1000.0, rec.fill_g / 1000.0);
	return 0;
}

/* ---- table --------------------------------------------------------------- */

static const struct command commands[] = {
	{ .name = "keygen",
	    .run = cmd_keygen,
	    .usage = "keygen --out DIR [--buyer-key]",
	    .help =
	        "Make a county signing key pair: DIR/county.key (Ed25519 private key, PEM,\n"
	        "mode 0600, never overwritten) and DIR/county.pub (give it to every station).\n"
	        "--buyer-key also makes DIR/buyer.key, the county buyer key (docs/buyers.md)." },
	{ .name = "mint",
	    .run = cmd_mint,
	    .usage = "mint --key KEY --county CODE --csv FILE --out DIR [--no-labels]\n"
	             "         [--base-url URL] [--hotline PHONE] [--cycle YEARS] [--font FILE]",
	    .help = "Sign one code per row of a county registry CSV (header serial,model,\n"
	            "manufactured,tare_kg,fill_kg,owner,last_inspection,status[,code][,hotline]).\n"
	            "Writes DIR/codes.csv (the rows with a code column, for `gasctl registry\n"
	            "import`) and DIR/labels/SERIAL.png and .svg: the QR symbol and, in Chinese,\n"
	            "serial, model, owner, hotline and next inspection.  CODE is the six-digit\n"
	            "county code.  --base-url puts the county's check page URL with the code in\n"
	            "the QR symbol (e.g. HTTPS://CHECK.EXAMPLE.GOV.CN/C/; capitals keep the\n"
	            "symbol small) so a phone camera opens it; without it the symbol holds the\n"
	            "bare code.  --hotline is the owner's hotline for rows without a hotline\n"
	            "column; --cycle the inspection cycle for the next inspection (default 4\n"
	            "years); --font a font file with Chinese characters (default: fontconfig's).\n"
	            "Rejected rows are reported as FILE:LINE: reason; exit 1 if there were any." },
	{ .name = "show",
	    .run = cmd_show,
	    .usage = "show [--invert] CODE",
	    .help = "Print CODE as a QR code on a UTF-8 terminal (--invert for a light\n"
	            "background).  CODE - reads one line from standard input." },
	{ .name = "verify",
	    .run = cmd_verify,
	    .usage = "verify --pub PUB CODE",
	    .help = "Decode CODE and check its signature with the county public key PUB.\n"
	            "Prints the record (exit 0) or the reason it is refused (exit 1).  CODE\n"
	            "may be a bare code or a label URL holding one (docs/code-format.md).\n"
	            "CODE - reads one line from standard input." },
	{ .name = "buyerkey",
	    .run = cmd_buyerkey,
	    .usage = "buyerkey --out FILE",
	    .help = "Make a county buyer key: 32 random bytes as hex, mode 0600." },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *
find_command(const char *name)
{
	return CMDTABLE_FIND(commands, name);
}

static void
overview(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: gaslabel COMMAND [OPTIONS]\n\nSigned cylinder codes and their "
	            "QR labels (docs/code-format.md).\n\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  gaslabel %s\n", commands[i].usage);
	fprintf(fp, "\n`gaslabel COMMAND --help` says more.\n");
}

int
main(int argc, char **argv)
{
	const struct command *c;

	log_init("gaslabel", 1, LOG_LEVEL_WARN);
	i18n_init();
	if (argc < 2) {
		overview(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && (c = find_command(argv[2])) != NULL)
			return print_help(c->name);
		overview(stdout);
		return 0;
	}
	if ((c = find_command(argv[1])) == NULL) {
		fprintf(stderr, "gaslabel: unknown command '%s'\n", argv[1]);
		overview(stderr);
		return EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
