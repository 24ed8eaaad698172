/*
 * gastrace: the county regulator's history queries.
 *
 *   gastrace [options] cylinder SERIAL
 *   gastrace [options] buyer NUMBER --buyer-key FILE   (hashed here; the number never leaves)
 *   gastrace [options] buyer --id HEXID
 *   gastrace [options] station ID
 *   gastrace [options] stations
 *   gastrace [options] curve FILL --out FILE.svg|FILE.png
 *   gastrace [options] figures [NAME] [--from DAY] [--to DAY]
 *
 * The commands are the rows of one table (commands[] below: name, usage,
 * help, resource); each answers --help.  Every query is recorded by the
 * county in its audit log under this regulator's identity.  Output: a table
 * (default), --json (the county's JSON rendering, as it sent it) or --csv.
 *
 * A trace comes in pages of at most the county's max_trace records, in time
 * order (then station, then seq).  When more records match than one answer
 * holds, every output form says so and the exit status is GASTRACE_MORE;
 * --after CURSOR asks for the next page, --all follows the pages to the end.
 *
 * Times are shown in local time (TZ) with their offset; CSV carries ISO 8601
 * with the offset; --from and --to are read in local time.  Weights are
 * written to the gram.  The curve picture (plot.h: the SVG's words through
 * gettext, the PNG's in English), the station list and what the county
 * answered (an unknown station, a refusal, a key file that cannot be used)
 * speak the regulator's language; trace tables, CSV, JSON and the other
 * messages are English.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buyer.h"
#include "cmdtable.h"
#include "coaplink.h"
#include "curve.h"
#include "figures.h"
#include "i18n.h"
#include "liferows.h"
#include "log.h"
#include "plot.h"
#include "progress.h"
#include "stationstatus.h"
#include "termtext.h"
#include "timeline.h"
#include "timetext.h"
#include "util.h"
#include "weight.h"
#include "wire.h"

#define REQUEST_TIMEOUT_MS 60000

/* Exit status (every tool's 0-3, docs/design.md §2, and one of gastrace's own). */
enum gastrace_exit {
	GASTRACE_OK = 0,
	GASTRACE_ERROR = 1,
	GASTRACE_USAGE = 2,
	GASTRACE_REFUSED = 3,
	GASTRACE_MORE = 4, /* the output is complete so far, but more records match */
};

/* Everything the command line said. */
struct options {
	const char *identity, *keyfile, *host, *buyer_key, *hexid, *picture, *after;
	const char *from_text, *to_text; /* as typed: figures take whole days */
	int64_t from_ms, to_ms;
	int port, json, csv, all;
};

enum answer {
	ANSWER_TRACE,    /* wire_trace, in pages */
	ANSWER_STATIONS, /* wire_station_list */
	ANSWER_CURVE,    /* wire_curve, drawn */
	ANSWER_FIGURES,  /* figures.h, as tables */
};

struct command {
	const char *name;
	const char *usage; /* the arguments after the name */
	const char *help;  /* a paragraph */
	const char *path;  /* the county's resource */
	const char *param; /* the query parameter that names the key; NULL: none */
	enum answer answer;
	/* The key from the words after the name (argv[0] is the name), checked;
	 * GASTRACE_OK or GASTRACE_USAGE (said why on stderr). */
	int (*key)(const struct options *o, int argc, char **argv, char *key, size_t size);
};

static int key_word(const struct options *o, int argc, char **argv, char *key, size_t size);
static int key_buyer(const struct options *o, int argc, char **argv, char *key, size_t size);
static int key_none(const struct options *o, int argc, char **argv, char *key, size_t size);
static int key_fill(const struct options *o, int argc, char **argv, char *key, size_t size);
static int key_figure(const struct options *o, int argc, char **argv, char *key, size_t size);

#define TRACE_HELP_TAIL                                                                            \
	"\nRecords come in time order (then station, then record number), at most the\n"           \
	"county's max_trace in one answer.  When more match, the table's last line,\n"             \
	"the JSON's \"more\" and \"next\" and a note on standard error say so, and the\n"          \
	"exit status is 4; --after CURSOR (the cursor the note names) gives the next\n"            \
	"part, --all fetches every part.  --from and --to are local time; a bare\n"                \
	"--to date takes that whole day."

static const struct command commands[] = {
	{ .name = "cylinder",
	    .usage = "SERIAL [--from T] [--to T] [--after CURSOR | --all]",
	    .help = "The cylinder's life on one timeline: every fill (station, time, weights,\n"
	            "masked buyer, rules), every refusal that named it and every change of its\n"
	            "county registry row (status, inspections, owner; kind \"registry\", who\n"
	            "made it in the last column), in time order, then where it is now: the\n"
	            "station that last saw it and its registry state.  --json adds the\n"
	            "changes as \"history\" and the present as \"now\".\n" TRACE_HELP_TAIL,
	    .path = "trace/cylinder",
	    .param = "serial",
	    .answer = ANSWER_TRACE,
	    .key = key_word },
	{ .name = "buyer",
	    .usage =
	        "NUMBER --buyer-key FILE | --id HEXID [--from T] [--to T] [--after CURSOR | --all]",
	    .help = "Every fill and refusal of a real-name buyer.  NUMBER (resident ID or\n"
	            "credit code) is hashed here with the county buyer key, as every station\n"
	            "hashes it, and never sent; --id takes the hashed id itself.\n" TRACE_HELP_TAIL,
	    .path = "trace/buyer",
	    .param = "id",
	    .answer = ANSWER_TRACE,
	    .key = key_buyer },
	{ .name = "station",
	    .usage = "ID [--from T] [--to T] [--after CURSOR | --all]",
	    .help =
	        "Every fill, refusal and event of a station: the export of a station's\n"
	        "month is `gastrace --csv --all --from 2026-12-01 --to 2026-12-31 station\n"
	        "ID`.  An ID the county knows nothing of (never registered, never in\n"
	        "contact, no record held) is said to be unknown, with exit status 1, not\n"
	        "answered \"0 records\" as a station that sent nothing would be.\n" TRACE_HELP_TAIL,
	    .path = "trace/station",
	    .param = "id",
	    .answer = ANSWER_TRACE,
	    .key = key_word },
	{ .name = "stations",
	    .usage = "",
	    .help = "What the county holds of each station: records held without a gap, the\n"
	            "highest held, since when a gap is open, last contact and the backlog the\n"
	            "station last reported, then what else its status says (records it set\n"
	            "aside; the CSV's status column as the station sent it), led by how far\n"
	            "its clock is off while the county holds it wrong (C14; the CSV's\n"
	            "clock_skew_s, > 0 ahead, and clock_wrong always).  The proof that\n"
	            "nothing was lost; audited.",
	    .path = "stations",
	    .param = NULL,
	    .answer = ANSWER_STATIONS,
	    .key = key_none },
	{ .name = "curve",
	    .usage = "FILL --out FILE.svg|FILE.png",
	    .help = "Draw one fill's weight curve as the station sent it: the climb, the\n"
	            "target, the cut-off point, the close command and the final net, with a\n"
	            "panel zoomed on the end of the fill.  FILL is the fill's uuid (a trace\n"
	            "--json lists them).  An SVG's words follow the locale; a PNG's are English.",
	    .path = "trace/curve",
	    .param = "fill",
	    .answer = ANSWER_CURVE,
	    .key = key_fill },
	{ .name = "figures",
	    .usage = "[fills|realname|violations|cases|inspections] [--from DAY] [--to DAY]",
	    .help = "The county's figures over whole local days (default: the last 30, today\n"
	            "included): fills per day per station and how many had a real-name buyer;\n"
	            "the real-name share per day; violations per rule and township; cases\n"
	            "opened, closed, dismissed, open, overdue and escalated per township with\n"
	            "the median seconds to accept and to close (-1: none); active cylinders\n"
	            "per owner past their inspection date or due within 30 days.  With a NAME,\n"
	            "that figure only; --csv needs one.  --from and --to are days YYYY-MM-DD\n"
	            "(at most 366).  Counts only: not audited.",
	    .path = "figures",
	    .param = NULL,
	    .answer = ANSWER_FIGURES,
	    .key = key_figure },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	fprintf(f, "usage: gastrace -u regulator:NAME -k KEYFILE [-H HOST] [-p PORT]\n"
	           "                [--json | --csv] COMMAND [ARGS]\n"
	           "\n"
	           "Shows every fill and refusal the county holds for a cylinder, a buyer or a\n"
	           "station, with weights, masked buyer and violations.  Each query is written\n"
	           "to the county's audit log under your identity.\n"
	           "\n"
	           "commands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  gastrace %s%s%s\n", commands[i].name, commands[i].usage[0] ? " " : "",
		    commands[i].usage);
	fprintf(f, "\n"
	           "  -u, --identity ID   your PSK identity (regulator:NAME)\n"
	           "  -k, --key FILE      your pre-shared key (hex, mode 0600)\n"
	           "  -H, --host HOST     county server (default 127.0.0.1)\n"
	           "  -p, --port PORT     county server UDP port (default 5684)\n"
	           "  --from T, --to T    time range, local time (TZ): YYYY-MM-DD or\n"
	           "                      YYYY-MM-DD HH:MM[:SS], or with Z or +HH:MM; a bare\n"
	           "                      --to date takes that whole day\n"
	           "  --after CURSOR      the part of a trace after CURSOR (named by the last)\n"
	           "  --all               every part of a trace, one after the other\n"
	           "  --buyer-key FILE    the county buyer key, to hash a buyer number\n"
	           "  --id HEXID          a buyer id already hashed\n"
	           "  --json, --csv       output format (default: a table)\n"
	           "  --out FILE          curve: the picture to write (.svg or .png)\n"
	           "  -h, --help          this help; `gastrace COMMAND --help` says more\n"
	           "\n"
	           "Times are shown in local time with their offset; CSV writes ISO 8601 with\n"
	           "the offset.  Weights are in kg to the gram.\n"
	           "\n"
	           "Exit status: 0 ok, 1 error (the county unreachable, a station it knows\n"
	           "nothing of, a fill with no curve), 2 bad usage, 3 refused by the county,\n"
	           "4 more records match than one answer holds (what was written is the first\n"
	           "part: go on with --after CURSOR, or use --all).\n"
	           "\n"
	           "A station list, what the county answered and a key file that cannot be\n"
	           "used are said in the language of the locale (LANG); trace tables, CSV and\n"
	           "JSON are English.\n");
}

static int
command_help(const struct command *c)
{
	printf("usage: gastrace [OPTIONS] %s%s%s\n\n%s\n", c->name, c->usage[0] ? " " : "",
	    c->usage, c->help);
	return GASTRACE_OK;
}

static int
command_usage(const struct command *c, const char *message)
{
	fprintf(stderr, "gastrace %s: %s\nusage: gastrace [OPTIONS] %s %s\n", c->name, message,
	    c->name, c->usage);
	return GASTRACE_USAGE;
}

/* ---- keys ------------------------------------------------------------------ */

/* Keys are serials, station ids and hex: nothing to escape, but refuse what
 * would break the query string. */
static int
key_copy(const struct command *c, const char *word, char *key, size_t size)
{
	if (str_copy(key, word, size) >= size)
		return command_usage(c, "that is too long");
	if (key[0] == '\0' || strpbrk(key, "&= ") != NULL)
		return command_usage(c, "'&', '=' and spaces are not allowed, nor an empty word");
	return GASTRACE_OK;
}

static int
key_word(const struct options *o, int argc, char **argv, char *key, size_t size)
{
	const struct command *c = CMDTABLE_FIND(commands, argv[0]);

	(void)o;
	if (argc != 2)
		return command_usage(c, "one word is needed");
	return key_copy(c, argv[1], key, size);
}

static int
key_none(const struct options *o, int argc, char **argv, char *key, size_t size)
{
	(void)o;
	(void)size;
	key[0] = '\0';
	if (argc != 1)
		return command_usage(CMDTABLE_FIND(commands, argv[0]), "takes no argument");
	return GASTRACE_OK;
}

static int
key_fill(const struct options *o, int argc, char **argv, char *key, size_t size)
{
	const struct command *c = CMDTABLE_FIND(commands, argv[0]);

	if (argc != 2 || (o->picture == NULL && !o->json))
		return command_usage(c, "one FILL and --out FILE.svg|FILE.png are needed");
	return key_copy(c, argv[1], key, size);
}

static int
key_figure(const struct options *o, int argc, char **argv, char *key, size_t size)
{
	const struct command *c = CMDTABLE_FIND(commands, argv[0]);

	if (argc > 2)
		return command_usage(c, "at most one figure's NAME");
	if (argc == 2 && !figures_known(argv[1]))
		return command_usage(c,
		    "NAME is fills, realname, violations, cases or inspections");
	if (argc == 1 && o->csv)
		return command_usage(c, "--csv writes one figure: name it");
	return key_copy(c, argc == 2 ? argv[1] : "all", key, size);
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

static int
key_buyer(const struct options *o, int argc, char **argv, char *key, size_t size)
{
	const struct command *c = CMDTABLE_FIND(commands, argv[0]);
	char err[256], id[BUYER_ID_LEN + 1];

	if (o->hexid != NULL && argc == 1) {
		if (strlen(o->hexid) != BUYER_ID_LEN) {
			fprintf(stderr, "gastrace: --id takes %d hex digits\n", BUYER_ID_LEN);
			return GASTRACE_USAGE;
		}
		return key_copy(c, o->hexid, key, size);
	}
	if (o->hexid == NULL && argc == 2 && o->buyer_key != NULL) {
		if (buyer_hash(argv[1], o->buyer_key, id, err, sizeof(err)) == -1) {
			fprintf(stderr, "gastrace: %s\n", err);
			return GASTRACE_USAGE;
		}
		return key_copy(c, id, key, size);
	}
	return command_usage(c, "NUMBER with --buyer-key, or --id HEXID");
}

/* ---- rendering ---------------------------------------------------------------- */

/*
 * One CSV cell.  A cell a spreadsheet would run as a formula (a text from a
 * station, such as a serial "=HYPERLINK(...)", starting with =, +, -, @, a
 * tab or a carriage return) is written quoted with a leading ', as the
 * console's CSV does (gasweb html.c page_csv); a number ("-0.300") is
 * written as it is.
 */
static void
csv_field(const char *s)
{
	const char *p;
	char *end;
	int formula = strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0';

	if (formula && s[0] == '-') {
		(void)strtod(s, &end);
		formula = end == s || *end != '\0';
	}
	if (!formula && strpbrk(s, ",\"\n\r") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	if (formula)
		putchar('\'');
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			putchar('"');
		putchar(*p);
	}
	putchar('"');
}

/* The rule codes of a record ("R05 R11"), or, with details, every rule
 * with its reason ("R05: inspection overdue ...; R11: ..."). */
static void
violations_text(const struct wire_record *r, int details, char *out, size_t size)
{
	size_t i, used = 0;
	int n;

	out[0] = '\0';
	for (i = 0; i < r->violation_count && used < size; i++) {
		const struct wire_violation *v = &r->violations[i];

		size_t rl = strlen(v->rule);

		/* a station's reason that begins with its rule ("R03 cylinder ...") as it
		 * is, rather than "R03: R03 cylinder ..." */
		if (details && strncmp(v->details, v->rule, rl) == 0 && v->details[rl] == ' ')
			n = snprintf(out + used, size - used, "%s%s", i > 0 ? "; " : "",
			    v->details);
		else if (details)
			n = snprintf(out + used, size - used, "%s%s%s%s", i > 0 ? "; " : "",
			    v->rule, v->details[0] != '\0' ? ": " : "", v->details);
		else
			n = snprintf(out + used, size - used, "%s%s", i > 0 ? " " : "", v->rule);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* "-" for an empty column of the table */
#define DASH(s) ((s)[0] != '\0' ? (s) : "-")

#define TABLE_ROW "%-25s %-8s %-6s %-7s %-4s %-14s %-18s %8s %-9s %s\n"
#define TABLE_COLUMNS 10
#define TABLE_CELL 1024 /* the widest: a life event's words, a registry change's */

/*
 * One row of the trace table.  Its texts are a station's, a delivery
 * device's or a county file's (a life event's village or reason, a serial,
 * a registry change's detail), and the county keeps the line breaks of a
 * free text: each column goes through termtext.h, so that no text writes a
 * row of its own under the regulator's header or sends the terminal an
 * escape.  The CSV keeps them as stored (quoted).
 */
static void
table_row(const char *const cols[TABLE_COLUMNS])
{
	char cell[TABLE_COLUMNS][TABLE_CELL];
	size_t i;

	for (i = 0; i < TABLE_COLUMNS; i++)
		termtext_copy(cell[i], cols[i], sizeof(cell[i]));
	printf(TABLE_ROW, cell[0], cell[1], cell[2], cell[3], cell[4], cell[5], cell[6], cell[7],
	    cell[8], cell[9]);
}

static void
print_header(int csv)
{
	if (csv)
		printf(
		    "time,station,seq,kind,line,cylinder,buyer,net_kg,result,violations,details\n");
	else
		printf(TABLE_ROW, "TIME", "STATION", "SEQ", "KIND", "LINE", "CYLINDER", "BUYER",
		    "NET KG", "RESULT", "VIOLATIONS");
}

/* A registry change as a row of the same table (station "county", kind
 * "registry", the facts after the change and who made it in the last column). */
static void
print_change(const struct timeline_row *row, const char *serial, int csv)
{
	char when[TIMETEXT_MAX];

	timetext_format(row->at_ms, csv ? TIMETEXT_MACHINE : TIMETEXT_PERSON, when);
	if (csv) {
		const char *cols[] = { when, "county", "", "registry", "", serial, "", "",
			row->status, "", row->text };

		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
			if (c > 0)
				putchar(',');
			csv_field(cols[c]);
		}
		putchar('\n');
	} else {
		const char *cols[TABLE_COLUMNS] = { when, "county", "-", "registry", "-", serial,
			"-", "-", row->status, row->text };

		table_row(cols);
	}
}

/* The changes up to until_ms, before the record of that time. */
static size_t
print_changes_until(struct timeline *tl, int64_t until_ms, const char *serial, int csv)
{
	struct timeline_row row;
	size_t n = 0;

	while (timeline_next(tl, until_ms, &row) == 1) {
		print_change(&row, serial, csv);
		n++;
	}
	return n;
}

/*
 * What the county said of a life step beyond the step itself (review
 * rev102): that it keeps the step outside the cylinder's chain (a device's
 * word the cylinder's own steps do not bear out: it counts for nothing),
 * and, when the county took it at another time than the device's own (a
 * clock ahead, a step dated back: C17), the device's time.  The row's time
 * is the county's.
 */
static void
life_marks(const struct wire_life *l, int csv, char *out, size_t outlen)
{
	char when[TIMETEXT_MAX];

	out[0] = '\0';
	if (strcmp(l->chain, "out") == 0)
		snprintf(out, outlen, "; OUTSIDE THE CHAIN: the county did not take it");
	if (l->taken_ms != 0 && l->taken_ms != l->at_ms) {
		size_t n = strlen(out);

		timetext_format(l->at_ms, csv ? TIMETEXT_MACHINE : TIMETEXT_PERSON, when);
		snprintf(out + n, outlen - n, "; device's time %s, bounded by the county", when);
	}
}

/* A life step the county keeps outside the cylinder's chain: it says
 * nothing of where the cylinder is. */
static int
life_outside(const struct wire_record *r)
{
	return r->has_life && strcmp(r->life.chain, "out") == 0;
}

static void
print_records(const struct wire_trace *t, int csv, struct timeline *tl, const char *serial,
    size_t *changes)
{
	/* every violation of a record with its reason: WIRE_MAX_VIOLATIONS of them */
	static char details[WIRE_MAX_VIOLATIONS * (WIRE_WORD + WIRE_TEXT + 4)];
	char when[TIMETEXT_MAX], viol[WIRE_MAX_VIOLATIONS * (WIRE_WORD + 1)], net[WEIGHT_TEXT],
	    life[512];
	size_t i;

	for (i = 0; i < t->count; i++) {
		const struct wire_record *r = &t->records[i];
		const char *cylinder = "", *buyer = "";
		char seq[24], line[12] = "";

		*changes += print_changes_until(tl, wire_record_time(r), serial, csv);
		timetext_format(wire_record_time(r), csv ? TIMETEXT_MACHINE : TIMETEXT_PERSON,
		    when);
		violations_text(r, 0, viol, sizeof(viol));
		snprintf(seq, sizeof(seq), "%lld", (long long)r->seq);
		net[0] = '\0';
		if (r->violation_count > 0) {
			cylinder = r->violations[0].cylinder;
			buyer = r->violations[0].buyer_masked;
		}
		if (r->has_fill) {
			snprintf(line, sizeof(line), "%d", r->fill.line);
			weight_format(r->fill.net_kg, net);
			cylinder = r->fill.cylinder;
			buyer = r->fill.buyer_masked;
		}
		/* a life event: its event as the result, what happened (to whom,
		 * where, by whom) in the last column */
		if (r->has_life) {
			cylinder = r->life.serial;
			buyer = r->life.buyer_masked;
			liferows_describe(&r->life, life, sizeof(life));
			snprintf(life + strlen(life), sizeof(life) - strlen(life), " (by %s)",
			    r->life.actor);
			life_marks(&r->life, csv, life + strlen(life), sizeof(life) - strlen(life));
			str_copy(viol, life, sizeof(viol));
		}
		if (csv) {
			const char *cols[] = { when, r->station, seq, r->kind, line, cylinder,
				buyer, net,
				r->has_fill   ? r->fill.result
				: r->has_life ? r->life.event
				              : "",
				viol, details };

			violations_text(r, 1, details, sizeof(details));
			for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
				if (c > 0)
					putchar(',');
				csv_field(cols[c]);
			}
			putchar('\n');
		} else {
			const char *cols[TABLE_COLUMNS] = { when, r->station, seq, r->kind,
				DASH(line), DASH(cylinder), DASH(buyer), DASH(net),
				r->has_fill   ? r->fill.result
				: r->has_life ? r->life.event
				              : "-",
				DASH(viol) };

			table_row(cols);
		}
	}
}

/*
 * What a station's status says besides the backlog the BACKLOG column shows
 * (stationstatus.h): records set aside said in the person's language, any
 * other status (another station program) as it came, "" when nothing is
 * left.  The station writes that text, and the county keeps the line breaks
 * and tabs of a free text: it is cleaned for the terminal (termtext.h), so
 * that a station's status stays on its own row and cannot write a row for
 * another station into the table the regulator reads.
 */
static void
status_rest(const struct wire_station *st, char *out, size_t size)
{
	const char *other;
	long long aside;

	if (station_status_rest(st->status, (long long)st->backlog, &aside, &other) ==
	    STATION_STATUS_ASIDE)
		snprintf(out, size, _("%lld set aside"), aside);
	else
		termtext_copy(out, other, size);
}

/* What the STATUS column shows: rest (status_rest), led by the station's
 * clock while the county holds it wrong (C14): "clock 3 d 2 h behind; 1 set
 * aside". */
static void
clock_rest(const struct wire_station *st, const char *rest, char *out, size_t size)
{
	char span[TIMETEXT_MAX], clock[TIMETEXT_MAX + 32];

	if (!st->clock_wrong) {
		str_copy(out, rest, size);
		return;
	}
	timetext_span(st->clock_skew_ms, span);
	snprintf(clock, sizeof(clock),
	    st->clock_skew_ms > 0 ? _("clock %s ahead") : _("clock %s behind"), span);
	if (rest[0] != '\0')
		snprintf(out, size, "%s; %s", clock, rest);
	else
		str_copy(out, clock, size);
}

static int
print_stations(const uint8_t *data, size_t len, int csv)
{
	/* the table's columns: the heading (translated, so measured by what the
	 * terminal draws: i18n_pad) and the width of each */
	static const struct {
		const char *heading;
		size_t width;
		int right; /* numbers, aligned on the right */
	} cols[] = { { N_("STATION"), 10, 0 }, { N_("TOWNSHIP"), 10, 0 }, { N_("HELD TO"), 8, 1 },
		{ N_("HIGHEST"), 8, 1 }, { N_("GAP SINCE"), 25, 0 }, { N_("LAST SEEN"), 25, 0 },
		{ N_("BACKLOG"), 7, 1 } };
	struct wire_station_list l;
	const struct wire_station *st;
	char err[256], seen[TIMETEXT_MAX], gap[TIMETEXT_MAX], rest[WIRE_TEXT + 64];
	char shown[WIRE_TEXT + 160];
	enum timetext_form form = csv ? TIMETEXT_MACHINE : TIMETEXT_PERSON;
	size_t i, k;

	if (wire_decode_stations(data, len, &l, err, sizeof(err)) == -1) {
		fprintf(stderr, "gastrace: bad answer: %s\n", err);
		return GASTRACE_ERROR;
	}
	if (csv)
		printf("station,township,held_to,highest,gap_since,last_seen,backlog,status,"
		       "clock_skew_s,clock_wrong\n");
	else {
		for (k = 0; k < sizeof(cols) / sizeof(cols[0]); k++) {
			(cols[k].right ? i18n_pad_left : i18n_pad)(stdout, _(cols[k].heading),
			    cols[k].width);
			putchar(' ');
		}
		printf("%s\n", _("STATUS"));
	}
	for (i = 0; i < l.count; i++) {
		st = &l.stations[i];
		/* a station registered but never in contact has no last contact, not 1970 */
		if (st->last_seen_ms != 0)
			timetext_format(st->last_seen_ms, form, seen);
		else
			str_copy(seen, csv ? "" : "-", sizeof(seen));
		if (st->gap_since_ms != 0)
			timetext_format(st->gap_since_ms, form, gap);
		else
			str_copy(gap, csv ? "" : "-", sizeof(gap));
		if (csv) {
			/* the status as the station sent it: the CSV is for machines */
			printf("%s,%s,%lld,%lld,%s,%s,%lld,", st->id, st->township,
			    (long long)st->hwm, (long long)st->max_seq, gap, seen,
			    (long long)st->backlog);
			csv_field(st->status);
			/* the skew whether or not it is wrong, to the second toward 0 */
			printf(",%lld,%s\n", (long long)(st->clock_skew_ms / 1000),
			    st->clock_wrong ? "yes" : "no");
		} else {
			char id[sizeof(st->id)], township[sizeof(st->township)];

			status_rest(st, rest, sizeof(rest));
			clock_rest(st, rest, shown, sizeof(shown));
			printf("%-10s %-10s %8lld %8lld %-25s %-25s %7lld %s\n",
			    termtext_copy(id, st->id, sizeof(id)),
			    termtext_copy(township, st->township, sizeof(township)),
			    (long long)st->hwm, (long long)st->max_seq, gap, seen,
			    (long long)st->backlog, DASH(shown));
		}
	}
	wire_stations_free(&l);
	return GASTRACE_OK;
}

/* One figure as an aligned table or CSV: figures_table calls this twice
 * per row, once to measure (printing 0), once to print. */
struct figure_print {
	int csv, printing;
	size_t widths[16];
};

static void
figure_row(void *ctx, const char *const *cells, size_t n)
{
	struct figure_print *fp = ctx;
	char cell[WIRE_TEXT];
	size_t i;

	for (i = 0; i < n && i < 16; i++) {
		if (fp->csv && fp->printing) {
			if (i > 0)
				putchar(',');
			csv_field(cells[i]);
			continue;
		}
		/* a station's id or a county file's name, cleaned for the terminal (termtext.h) */
		termtext_copy(cell, cells[i], sizeof(cell));
		if (!fp->printing) {
			if (strlen(cell) > fp->widths[i])
				fp->widths[i] = strlen(cell);
			continue;
		}
		printf(i == 0 ? "%-*s" : "  %*s", (int)fp->widths[i], cell);
	}
	if (fp->printing)
		putchar('\n');
}

static int
print_figures(const uint8_t *data, size_t len, const char *name, int csv)
{
	struct figure_print fp;
	struct figures f;
	char err[256];
	size_t i;

	if (figures_decode(data, len, &f, err, sizeof(err)) == -1) {
		fprintf(stderr, "gastrace: bad answer: %s\n", err);
		return GASTRACE_ERROR;
	}
	if (!csv)
		printf("figures %s .. %s (%s)\n", f.from_day, f.to_day,
		    f.timezone[0] != '\0' ? f.timezone : "local days");
	for (i = 0; figures_names[i] != NULL; i++) {
		if (strcmp(name, "all") != 0 && strcmp(name, figures_names[i]) != 0)
			continue;
		memset(&fp, 0, sizeof(fp));
		fp.csv = csv;
		if (!csv) {
			printf("\n== %s\n", figures_names[i]);
			figures_table(&f, figures_names[i], figure_row, &fp);
		}
		fp.printing = 1;
		figures_table(&f, figures_names[i], figure_row, &fp);
	}
	figures_free(&f);
	return GASTRACE_OK;
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
	int rc = GASTRACE_ERROR;

	if (wire_decode_curve(data, len, &wc, err, sizeof(err)) == -1) {
		fprintf(stderr, "gastrace: bad answer: %s\n", err);
		return GASTRACE_ERROR;
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
	rc = GASTRACE_OK;
out:
	free(c);
	wire_curve_free(&wc);
	return rc;
}

/* ---- asking the county ------------------------------------------------------------ */

/* One request; GASTRACE_OK with resp (2.05) to free, or an exit status
 * with the reason said. */
static int
ask(struct coaplink *link, const struct command *c, const char *query, int json, const char *key,
    struct coaplink_response *resp)
{
	char err[256];
	int code;

	if (coaplink_request(link, "GET", c->path, query[0] != '\0' ? query : NULL, COAPLINK_NONE,
	        json ? COAPLINK_FORMAT_JSON : COAPLINK_FORMAT_CBOR, NULL, 0, REQUEST_TIMEOUT_MS,
	        resp, err, sizeof(err)) == -1) {
		fprintf(stderr, "gastrace: %s\n", err);
		return GASTRACE_ERROR;
	}
	code = resp->code;
	if (code == 205)
		return GASTRACE_OK;
	/* the county's fixed answers in the person's language; any other with its text */
	if (code == 404 && c->answer == ANSWER_CURVE)
		fprintf(stderr, _("gastrace: the county holds no curve for fill %s\n"), key);
	else if (code == 404 && strcmp(c->path, "trace/station") == 0)
		fprintf(stderr,
		    _("gastrace: the county knows no station %s: never registered, never in "
		      "contact, nothing of it held (gastrace stations lists the stations it "
		      "knows)\n"),
		    key);
	else if (code == 403)
		fprintf(stderr, "%s",
		    _("gastrace: refused by the county (4.03): for regulators only\n"));
	else {
		char reason[201]; /* the county's text, which may quote what was sent */

		coaplink_reason(resp, reason, sizeof(reason));
		fprintf(stderr, _("gastrace: county answered %d.%02d %s\n"), resp->code / 100,
		    resp->code % 100, reason);
	}
	coaplink_response_free(resp);
	return code == 403 ? GASTRACE_REFUSED : GASTRACE_ERROR;
}

static void
trace_query(const struct command *c, const struct options *o, const char *key, const char *after,
    char *query, size_t size)
{
	snprintf(query, size, "%s=%s&from=%lld&to=%lld%s%s", c->param, key, (long long)o->from_ms,
	    (long long)o->to_ms, after[0] != '\0' ? "&after=" : "", after);
}

static void
say_more(size_t shown, const char *next)
{
	fprintf(stderr,
	    "gastrace: more records match than one answer holds: these %zu are the first part;"
	    " go on with --after %s, or use --all\n",
	    shown, next);
}

/* gastrace cylinder: the cylinder's registry history (GET /registry/history,
 * audited by the county like the trace), to merge into the trace.  *tl is
 * NULL for every other command. */
static int
history_fetch(struct coaplink *link, const struct command *c, const struct options *o,
    const char *key, struct timeline **tl)
{
	static const struct command history = { .name = "cylinder", .path = "registry/history" };
	struct coaplink_response resp;
	char query[128], err[256];
	int rc;

	*tl = NULL;
	if (strcmp(c->name, "cylinder") != 0)
		return GASTRACE_OK;
	snprintf(query, sizeof(query), "serial=%s", key);
	if ((rc = ask(link, &history, query, 1, key, &resp)) != GASTRACE_OK)
		return rc;
	*tl = timeline_parse((const char *)resp.data, resp.len, o->from_ms, o->to_ms, err,
	    sizeof(err));
	coaplink_response_free(&resp);
	if (*tl == NULL) {
		fprintf(stderr, "gastrace: %s\n", err);
		return GASTRACE_ERROR;
	}
	if (timeline_more(*tl))
		fprintf(stderr,
		    "gastrace: the county holds more registry changes of %s than it "
		    "sent: the oldest are shown\n",
		    key);
	return GASTRACE_OK;
}

/* Where the cylinder is now: the station of its last record (or, after a
 * life event, with whom: life names it), and its registry state; the
 * texts, a station's, a device's or the registry's, cleaned for the
 * terminal (termtext.h). */
static void
print_now(const struct timeline *tl, const char *station, const char *kind, int64_t at_ms,
    const char *life)
{
	struct timeline_row row;
	char when[TIMETEXT_MAX], where[WIRE_ID], what[WIRE_WORD], with[600], status[WIRE_ID],
	    next[WIRE_ID];

	termtext_copy(where, station, sizeof(where));
	termtext_copy(what, kind, sizeof(what));
	termtext_copy(with, life, sizeof(with));
	if (life[0] != '\0') {
		timetext_format(at_ms, TIMETEXT_PERSON, when);
		printf("now: %s, %s (%s)", with, when, where);
	} else if (station[0] != '\0') {
		timetext_format(at_ms, TIMETEXT_PERSON, when);
		printf("now: last seen at station %s, %s (%s)", where, when, what);
	} else
		printf("now: not seen at any station in this trace");
	if (timeline_last(tl, &row) == 1)
		printf("; registry: %s, next inspection %s",
		    termtext_copy(status, row.status, sizeof(status)),
		    row.next_inspection[0] != '\0'
		        ? termtext_copy(next, row.next_inspection, sizeof(next))
		        : "none");
	printf("\n");
}

/* Where a life event leaves the cylinder, and with whom. */
static void
now_with(const struct wire_life *l, char *out, size_t outlen)
{
	if (strcmp(l->event, "dispatched") == 0)
		snprintf(out, outlen, "out for delivery with %s", l->worker);
	else if (strcmp(l->event, "handed_over") == 0)
		snprintf(out, outlen, "at household %s (%s)%s%s", l->buyer_masked,
		    l->buyer_township, l->village[0] ? ", " : "", l->village);
	else if (strcmp(l->event, "returned") == 0)
		snprintf(out, outlen, "empty, with %s", l->worker[0] ? l->worker : l->actor);
	else if (strcmp(l->event, "inspection_out") == 0)
		snprintf(out, outlen, "at the inspection station");
	else if (strcmp(l->event, "scrapped") == 0)
		snprintf(out, outlen, "scrapped (%s)", l->reason);
	else
		snprintf(out, outlen, "back at the station (%s)", l->event);
}

/* A trace as a table or CSV: page after page while --all. */
static int
trace_text(struct coaplink *link, const struct command *c, const struct options *o, const char *key)
{
	struct coaplink_response resp;
	struct progress bar;
	struct wire_trace t;
	struct timeline *tl = NULL;
	char after[WIRE_CURSOR], query[512], err[256],
	    seen_at[WIRE_ID] = "", seen_kind[WIRE_WORD] = "", seen_life[600] = "";
	size_t total = 0, pages = 0, changes = 0;
	int64_t seen_ms = 0;
	int rc, more;

	if ((rc = history_fetch(link, c, o, key, &tl)) != GASTRACE_OK)
		return rc;
	str_copy(after, o->after != NULL ? o->after : "", sizeof(after));
	progress_init(&bar, stderr, "gastrace: records so far:");
	do {
		trace_query(c, o, key, after, query, sizeof(query));
		if ((rc = ask(link, c, query, 0, key, &resp)) != GASTRACE_OK)
			break;
		rc = wire_decode_trace(resp.data, resp.len, &t, err, sizeof(err));
		coaplink_response_free(&resp);
		if (rc == -1) {
			fprintf(stderr, "gastrace: bad answer: %s\n", err);
			rc = GASTRACE_ERROR;
			break;
		}
		progress_end(&bar); /* erased before rows that may share its terminal */
		if (pages == 0 && tl != NULL && o->after != NULL && t.count > 0)
			timeline_skip_before(tl, wire_record_time(&t.records[0]));
		if (pages++ == 0)
			print_header(o->csv); /* once an answer came: none on a refusal */
		print_records(&t, o->csv, tl, key, &changes);
		/* now: the latest record the county counts (by its time, the
		 * order it sent them in), a life step outside the chain passed by */
		for (size_t i = t.count; i > 0; i--) {
			const struct wire_record *last = &t.records[i - 1];

			if (life_outside(last))
				continue;
			str_copy(seen_at, last->station, sizeof(seen_at));
			str_copy(seen_kind, last->kind, sizeof(seen_kind));
			seen_ms = wire_record_time(last);
			seen_life[0] = '\0';
			if (last->has_life)
				now_with(&last->life, seen_life, sizeof(seen_life));
			break;
		}
		fflush(stdout);
		total += t.count;
		more = t.more;
		str_copy(after, t.next, sizeof(after));
		wire_trace_free(&t);
		if (o->all && more)
			progress_update(&bar, 0, 0, (unsigned long)total);
		rc = more ? GASTRACE_MORE : GASTRACE_OK;
	} while (o->all && rc == GASTRACE_MORE);
	progress_end(&bar);
	if (rc == GASTRACE_ERROR || rc == GASTRACE_REFUSED) {
		if (total > 0)
			fprintf(stderr,
			    "gastrace: stopped after %zu records: go on with --after %s\n", total,
			    after);
		timeline_free(tl);
		return rc;
	}
	if (rc == GASTRACE_OK) /* the changes after the last record: this is the last part */
		changes += print_changes_until(tl, INT64_MAX, key, o->csv);
	if (!o->csv) {
		printf("%zu record%s%s%s%s\n", total, total == 1 ? "" : "s",
		    rc == GASTRACE_MORE ? " shown; MORE MATCH: go on with --after " : "",
		    rc == GASTRACE_MORE ? after : "", rc == GASTRACE_MORE ? " (or --all)" : "");
		if (tl != NULL) {
			printf("%zu registry change%s\n", changes, changes == 1 ? "" : "s");
			if (rc == GASTRACE_OK)
				print_now(tl, seen_at, seen_kind, seen_ms, seen_life);
		}
	} else if (rc == GASTRACE_MORE)
		say_more(total, after);
	timeline_free(tl);
	return rc;
}

/* gastrace cylinder --json: the registry changes as the county sent them
 * ("history", in the time range) and, when the trace is whole, "now": the
 * station of the last record and the registry state. */
static void
json_add_history(json_t *doc, const struct timeline *tl, int whole)
{
	json_t *records = json_object_get(doc, "records"), *last, *now, *fill;
	struct timeline_row row;
	size_t n = json_array_size(records);

	json_object_set(doc, "history", timeline_changes(tl));
	if (!whole)
		return;
	now = json_object();
	/* the latest record the county counts: a life step outside the
	 * cylinder's chain passed by, a life step at the county's time */
	while (n > 0) {
		json_t *life;

		last = json_array_get(records, --n);
		life = json_object_get(last, "life");
		if (json_is_string(json_object_get(life, "chain")) &&
		    strcmp(json_string_value(json_object_get(life, "chain")), "out") == 0)
			continue;
		fill = json_object_get(last, "fill");
		json_object_set(now, "station", json_object_get(last, "st"));
		json_object_set(now, "kind", json_object_get(last, "kind"));
		json_object_set(now, "at",
		    fill != NULL                             ? json_object_get(fill, "start")
		    : json_object_get(life, "taken") != NULL ? json_object_get(life, "taken")
		                                             : json_object_get(last, "at"));
		break;
	}
	if (timeline_last(tl, &row) == 1) {
		json_object_set_new(now, "status", json_string(row.status));
		json_object_set_new(now, "next_inspection", json_string(row.next_inspection));
	}
	json_object_set_new(doc, "now", now);
}

/* A trace as the county's JSON: one answer as it came, or with --all every
 * part's records in one document (more: false). */
static int
trace_json(struct coaplink *link, const struct command *c, const struct options *o, const char *key)
{
	struct coaplink_response resp;
	struct progress bar;
	json_t *doc = NULL, *page, *records;
	json_error_t jerr;
	struct timeline *tl = NULL;
	char after[WIRE_CURSOR], query[512], *text;
	size_t total = 0;
	int rc, more = 0;

	if ((rc = history_fetch(link, c, o, key, &tl)) != GASTRACE_OK)
		return rc;
	str_copy(after, o->after != NULL ? o->after : "", sizeof(after));
	progress_init(&bar, stderr, "gastrace: records so far:");
	do {
		trace_query(c, o, key, after, query, sizeof(query));
		if ((rc = ask(link, c, query, 1, key, &resp)) != GASTRACE_OK)
			break;
		page = json_loadb((const char *)resp.data, resp.len, 0, &jerr);
		coaplink_response_free(&resp);
		records = json_object_get(page, "records");
		if (page == NULL || !json_is_array(records)) {
			fprintf(stderr, "gastrace: bad answer: %s\n",
			    page == NULL ? jerr.text : "no records");
			json_decref(page);
			rc = GASTRACE_ERROR;
			break;
		}
		total += json_array_size(records);
		more = json_is_true(json_object_get(page, "more"));
		str_copy(after,
		    json_string_value(json_object_get(page, "next")) != NULL
		        ? json_string_value(json_object_get(page, "next"))
		        : "",
		    sizeof(after));
		if (doc == NULL) {
			doc = page;
		} else {
			json_array_extend(json_object_get(doc, "records"), records);
			json_decref(page);
		}
		if (o->all && more)
			progress_update(&bar, 0, 0, (unsigned long)total);
		rc = more ? GASTRACE_MORE : GASTRACE_OK;
	} while (o->all && rc == GASTRACE_MORE);
	progress_end(&bar);
	if (doc != NULL && (rc == GASTRACE_OK || rc == GASTRACE_MORE)) {
		/* the parts joined: the document says what it holds */
		json_object_set_new(doc, "more", json_boolean(rc == GASTRACE_MORE));
		if (rc == GASTRACE_OK)
			json_object_del(doc, "next");
		else
			json_object_set_new(doc, "next", json_string(after));
		if (tl != NULL)
			json_add_history(doc, tl, rc == GASTRACE_OK);
		text = json_dumps(doc, JSON_COMPACT | WEIGHT_JSON_PRECISION);
		if (text != NULL)
			printf("%s\n", text);
		free(text);
		if (rc == GASTRACE_MORE)
			say_more(total, after);
	} else if (total > 0) {
		fprintf(stderr, "gastrace: stopped after %zu records: go on with --after %s\n",
		    total, after);
	}
	json_decref(doc);
	timeline_free(tl);
	return rc;
}

static int
run(const struct command *c, const struct options *o, const char *key)
{
	struct coaplink_response resp;
	struct coaplink *link = NULL;
	char err[256], query[256];
	int rc;

	log_init("gastrace", 1, LOG_LEVEL_WARN);
	if (coaplink_open_tool(o->host, o->port, o->identity, o->keyfile, &link, err,
	        sizeof(err)) == -1) {
		fprintf(stderr, _("gastrace: %s\n"), err);
		return GASTRACE_ERROR;
	}
	if (c->answer == ANSWER_TRACE) {
		rc = o->json ? trace_json(link, c, o, key) : trace_text(link, c, o, key);
		coaplink_free(link);
		return rc;
	}
	if (c->param != NULL)
		snprintf(query, sizeof(query), "%s=%s", c->param, key);
	else if (c->answer == ANSWER_FIGURES)
		snprintf(query, sizeof(query), "%s%s%s%s%s", o->from_text != NULL ? "from=" : "",
		    o->from_text != NULL ? o->from_text : "",
		    o->from_text != NULL && o->to_text != NULL ? "&" : "",
		    o->to_text != NULL ? "to=" : "", o->to_text != NULL ? o->to_text : "");
	else
		query[0] = '\0';
	if ((rc = ask(link, c, query, o->json, key, &resp)) == GASTRACE_OK) {
		if (o->json) {
			fwrite(resp.data, 1, resp.len, stdout);
			putchar('\n');
		} else if (c->answer == ANSWER_STATIONS)
			rc = print_stations(resp.data, resp.len, o->csv);
		else if (c->answer == ANSWER_FIGURES)
			rc = print_figures(resp.data, resp.len, key, o->csv);
		else
			rc = draw_curve(resp.data, resp.len, o->picture);
		coaplink_response_free(&resp);
	}
	coaplink_free(link);
	return rc;
}

/* --from/--to: local time; a bare date as the end takes the whole day. */
static int
range_bound(const char *text, int end, int64_t *out)
{
	char err[256];
	int whole_day;

	if (timetext_parse(text, out, &whole_day, err, sizeof(err)) == -1) {
		fprintf(stderr, "gastrace: --%s: %s\n", end ? "to" : "from", err);
		return -1;
	}
	if (end && whole_day)
		*out = timetext_next_day(*out) - 1;
	return 0;
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
		{ "after", required_argument, NULL, 'A' },
		{ "all", no_argument, NULL, 'a' },
		{ "buyer-key", required_argument, NULL, 'B' },
		{ "id", required_argument, NULL, 'I' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'c' },
		{ "out", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { .host = "127.0.0.1", .port = 5684, .to_ms = INT64_MAX };
	const struct command *c;
	const char *from = NULL, *to = NULL;
	struct wire_cursor cursor;
	char key[WIRE_ID + 8];
	int ch, help = 0, rc;

	i18n_init();
	while ((ch = getopt_long(argc, argv, "u:k:H:p:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'u':
			o.identity = optarg;
			break;
		case 'k':
			o.keyfile = optarg;
			break;
		case 'H':
			o.host = optarg;
			break;
		case 'p':
			if (coaplink_parse_port(optarg, &o.port) == -1) {
				fprintf(stderr, "%s: -p %s: a port is a number from 1 to 65535\n",
				    "gastrace", optarg);
				return GASTRACE_USAGE;
			}
			break;
		case 'F':
			from = optarg;
			break;
		case 'T':
			to = optarg;
			break;
		case 'A':
			o.after = optarg;
			break;
		case 'a':
			o.all = 1;
			break;
		case 'B':
			o.buyer_key = optarg;
			break;
		case 'I':
			o.hexid = optarg;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'c':
			o.csv = 1;
			break;
		case 'o':
			o.picture = optarg;
			break;
		case 'h':
			help = 1;
			break;
		default:
			usage(stderr);
			return GASTRACE_USAGE;
		}
	}
	c = optind < argc ? CMDTABLE_FIND(commands, argv[optind]) : NULL;
	if (help) {
		/* `gastrace COMMAND --help`: that command's; otherwise the whole */
		if (c != NULL)
			return command_help(c);
		usage(stdout);
		return GASTRACE_OK;
	}
	if (optind >= argc) {
		usage(stderr);
		return GASTRACE_USAGE;
	}
	if (c == NULL) {
		fprintf(stderr, "gastrace: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return GASTRACE_USAGE;
	}
	if (o.identity == NULL || o.keyfile == NULL)
		return command_usage(c, "-u regulator:NAME and -k KEYFILE are needed");
	if (o.json && o.csv)
		return command_usage(c, "--json or --csv, not both");
	if (c->answer == ANSWER_FIGURES) {
		int64_t first, end;
		char err[256];

		/* whole local days, checked here as the county checks them */
		if (o.after != NULL || o.all)
			return command_usage(c, "--after and --all are for traces");
		if (figures_period(from, to, time_wall_ms(), &first, &end, err, sizeof(err)) == -1)
			return command_usage(c, err);
		o.from_text = from;
		o.to_text = to;
		from = to = NULL;
	}
	if ((from != NULL && range_bound(from, 0, &o.from_ms) == -1) ||
	    (to != NULL && range_bound(to, 1, &o.to_ms) == -1))
		return GASTRACE_USAGE;
	if (o.to_ms < o.from_ms) /* answered "0 records" otherwise, as if nothing had happened */
		return command_usage(c, "the period ends before it begins (--from, --to)");
	if (c->answer != ANSWER_TRACE && c->answer != ANSWER_FIGURES &&
	    (o.after != NULL || o.all || from != NULL || to != NULL))
		return command_usage(c, "--from, --to, --after and --all are for traces");
	if (o.after != NULL && wire_cursor_parse(o.after, &cursor) == -1)
		return command_usage(c, "--after takes the cursor a trace named (MS.SEQ.HEX)");
	if ((rc = c->key(&o, argc - optind, argv + optind, key, sizeof(key))) != GASTRACE_OK)
		return rc;
	return run(c, &o, key);
}
