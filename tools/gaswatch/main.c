/*
 * gaswatch: the township officer's view of the county's alerts.
 *
 *   gaswatch --township CODE -k KEYFILE [-H HOST] [-p PORT] [follow] [--since N] [--once] [--json]
 *   gaswatch --township CODE -k KEYFILE ack ID --note TEXT
 *   gaswatch --as officer:NAME@TOWNSHIP -k KEYFILE list|show|accept|step|attach|
 *            decide|close|overdue|figures|catalogue ...   (cases.c)
 *   gaswatch --as grid:NAME@TOWNSHIP -k KEYFILE report ...
 *
 * The commands are the rows of one table (commands[] below: name, usage,
 * help, run); each answers --help, and `follow` is the default.
 *
 * Following live: Observe on /alerts is only a "something new" signal
 * (libcoap 4.3.1 drops an observer after one lost notification, and a
 * notification carries only the latest state), so every signal, every
 * reconnect and every quiet half minute is followed by GET /alerts?since=N
 * with the last id already shown.  Nothing is missed and nothing is shown
 * twice.
 *
 * Times are shown in local time (TZ) with their offset; --json writes them
 * as ISO 8601 with the offset.
 */
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buyer.h"
#include "cmdtable.h"
#include "coaplink.h"
#include "gaswatch.h"
#include "i18n.h"
#include "log.h"
#include "termtext.h"
#include "timetext.h"
#include "util.h"
#include "wire.h"

#define REQUEST_TIMEOUT_MS 30000
#define POLL_MS 30000

static volatile sig_atomic_t quit;

struct command {
	const char *name;
	const char *usage; /* the arguments after the name */
	const char *help;  /* a paragraph, translated where printed */
	/* argv[0] is the command's name (absent for the default command) */
	int (*run)(const struct options *o, int argc, char **argv);
};

static int run_follow(const struct options *o, int argc, char **argv);
static int run_ack(const struct options *o, int argc, char **argv);

static const struct command commands[] = {
	{ .name = "follow",
	    .usage = "[--since N] [--once] [--json]",
	    .help = N_("Show the alerts the county routed to your township, then follow new ones\n"
	               "as they arrive (the default when no command is given).  --since N shows\n"
	               "only alerts after id N; --once shows and exits; --json writes one JSON\n"
	               "object per alert per line.  An alert already dealt with shows its\n"
	               "disposition in [done TIME: NOTE]."),
	    .run = run_follow },
	{ .name = "ack",
	    .usage = "ID --note TEXT",
	    .help = N_("Record what you did about alert ID (only the township the alert was\n"
	               "routed to may).  The note is required and says what was done, for\n"
	               "example \"visited; cylinder decanted to 14.9 kg\": the county keeps it as\n"
	               "the alert's outcome, so an empty note is refused before anything is sent."),
	    .run = run_ack },
	{ .name = "list",
	    .usage = "[--view open|mine|all|overdue] [--json]",
	    .help =
	        N_("List the cases you may see, the most urgent first (critical, overdue, then\n"
	           "the nearest deadline): open ones by default; mine: those you accepted or\n"
	           "reported; all: closed ones too; overdue: past a deadline."),
	    .run = cases_run_list },
	{ .name = "show",
	    .usage = "ID [--json]",
	    .help = N_("Show case ID: what, where (and how a report was routed), who, its\n"
	               "deadlines to accept, be on site and close, its timeline step by step, and\n"
	               "its evidence files."),
	    .run = cases_run_show },
	{ .name = "accept",
	    .usage = "ID [--note TEXT]",
	    .help = N_("Accept case ID: you become its officer (a new case only)."),
	    .run = cases_run_accept },
	{ .name = "step",
	    .usage = "ID onsite|comment|dismiss [--note TEXT] [--photo FILE]",
	    .help = N_("Record a step of case ID: onsite (you are at the place; an accepted\n"
	               "case), comment (a note at any time; --note needed) or dismiss (no case\n"
	               "to answer; --note says why).  --photo adds a photo to the step."),
	    .run = cases_run_step },
	{ .name = "attach",
	    .usage = "ID FILE [--type MEDIA/TYPE] [--note TEXT]",
	    .help = N_("Attach an evidence file (a photo, a document) to open case ID; the county\n"
	               "keeps it once by its SHA-256.  The type is guessed from the file's\n"
	               "extension unless --type gives it."),
	    .run = cases_run_attach },
	{ .name = "decide",
	    .usage = "ID --outcome CODE [--power CODE] [--fine YUAN] [--note TEXT]",
	    .help = N_("Decide case ID with an outcome of the county's catalogue (gaswatch\n"
	               "catalogue): a penalty power when the outcome needs one, a fine in yuan\n"
	               "when the outcome is a fine."),
	    .run = cases_run_decide },
	{ .name = "close",
	    .usage = "ID [--note TEXT]",
	    .help = N_("Close decided case ID."),
	    .run = cases_run_close },
	{ .name = "report",
	    .usage = "--kind KIND --note TEXT (--village VILLAGE | --lat DEG --lon DEG)\n"
	             "            [--place TEXT] [--code CODE] [--photo FILE]",
	    .help =
	        N_("Report what you found (grid workers).  KIND is a report kind of the\n"
	           "county's catalogue, by code or name (gaswatch catalogue lists them).  With\n"
	           "--lat and --lon the county sends it to the township whose boundary holds\n"
	           "the place, whatever the village says; without them, to the township that\n"
	           "owns the village.  CODE is the cylinder's label as scanned (its URL or\n"
	           "code), which names the cylinder only when the county signed it, or its\n"
	           "serial as typed.  It opens a case you can follow with list --view mine.\n"
	           "Prints the new case's id."),
	    .run = cases_run_report },
	{ .name = "reassign",
	    .usage = "ID --to TOWNSHIP --note WHY",
	    .help = N_("Move open case ID to another township (the regulator); it starts again\n"
	               "as new there."),
	    .run = cases_run_reassign },
	{ .name = "overdue",
	    .usage = "[--json]",
	    .help = N_("The cases past a deadline, with their township and how late they are."),
	    .run = cases_run_overdue },
	{ .name = "figures",
	    .usage = "[--from TIME] [--to TIME] [--json]",
	    .help = N_("Figures per township of the cases opened in the period (the last 30 days\n"
	               "by default): opened, closed, dismissed, open, overdue, median times to\n"
	               "accept and to close, outcomes by kind."),
	    .run = cases_run_figures },
	{ .name = "catalogue",
	    .usage = "[--json]",
	    .help = N_("The county's outcomes and penalty powers with their legal basis, the\n"
	               "kinds of grid reports, and the deadlines per kind and severity (wd:\n"
	               "working days of the county's calendar)."),
	    .run = cases_run_catalogue },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void
usage(FILE *f)
{
	fprintf(f, "%s",
	    _("usage: gaswatch --township CODE -k KEYFILE [-H HOST] [-p PORT] [COMMAND]\n"
	      "       gaswatch --as IDENTITY -k KEYFILE [-H HOST] [-p PORT] COMMAND\n"
	      "\n"
	      "Shows the alerts the county routed to your township and follows new ones\n"
	      "as they arrive; `ack` records what you did about one.  With your own\n"
	      "identity (--as), handles cases: list, show, accept, step, attach, decide,\n"
	      "close; grid workers report what they find.\n"
	      "\n"
	      "commands:\n"));
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  gaswatch %s %s\n", commands[i].name, commands[i].usage);
	fprintf(f, "%s",
	    _("\n"
	      "  --township CODE   your township (PSK identity township:CODE)\n"
	      "  --as IDENTITY     your own identity: officer:NAME@TOWNSHIP, grid:NAME@TOWNSHIP\n"
	      "                    or regulator:NAME (cases need it)\n"
	      "  --json            machine-readable output\n"
	      "  -k, --key FILE    your pre-shared key (hex, mode 0600)\n"
	      "  -H, --host HOST   county server (default 127.0.0.1)\n"
	      "  -p, --port PORT   county server UDP port (default 5684)\n"
	      "  -h, --help        this help; `gaswatch COMMAND --help` says more\n"
	      "\n"
	      "Times are local (TZ) with their offset.\n"
	      "Exit status: 0 ok, 1 error or a request the county did not take (its\n"
	      "reason said), 2 bad usage, 3 not allowed to this identity by the county.\n"));
}

static int
command_help(const struct command *c)
{
	printf(_("usage: gaswatch --township CODE|--as IDENTITY -k KEYFILE %s %s\n\n%s\n"), c->name,
	    c->usage, _(c->help));
	return 0;
}

static void
print_alert(const struct wire_alert *a, int json)
{
	char when[TIMETEXT_MAX], disp[TIMETEXT_MAX];
	json_t *j;
	char *text;

	if (json) {
		timetext_format(a->at_ms, TIMETEXT_MACHINE, when);
		j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
		    (json_int_t)a->id, "rule", a->rule, "severity", a->severity, "township",
		    a->township, "station", a->station, "cylinder", a->cylinder, "buyer",
		    a->buyer_masked, "text", a->text, "at", when);
		if (j != NULL && a->disposition[0] != '\0') {
			timetext_format(a->disposed_ms, TIMETEXT_MACHINE, disp);
			json_object_set_new(j, "disposition", json_string(a->disposition));
			json_object_set_new(j, "disposed_by", json_string(a->disposed_by));
			json_object_set_new(j, "disposed_at", json_string(disp));
		}
		if (j != NULL && (text = json_dumps(j, JSON_COMPACT)) != NULL) {
			printf("%s\n", text);
			free(text);
		}
		json_decref(j);
	} else {
		/* a station's texts (its violation's details are the alert's text) and a
		 * disposition's note keep their line breaks at the county: one alert, one line,
		 * no escape for the officer's terminal (termtext.h) */
		char rule[sizeof(a->rule)], station[sizeof(a->station)],
		    cylinder[sizeof(a->cylinder)], said[sizeof(a->text)],
		    note[sizeof(a->disposition)], severity[64];

		timetext_format(a->at_ms, TIMETEXT_PERSON, when);
		printf("%-6lld %-25s %-4s ", (long long)a->id, when,
		    termtext_copy(rule, a->rule, sizeof(rule)));
		/* 告警 is four columns wide */
		i18n_pad(stdout, termtext_copy(severity, cases_word(a->severity), sizeof(severity)),
		    8);
		printf(" %-10s %-14s %s",
		    a->station[0] != '\0' ? termtext_copy(station, a->station, sizeof(station))
		                          : "-",
		    a->cylinder[0] != '\0' ? termtext_copy(cylinder, a->cylinder, sizeof(cylinder))
		                           : "-",
		    termtext_copy(said, a->text, sizeof(said)));
		/* the disposition on the alert's own line, bracket closed */
		if (a->disposition[0] != '\0') {
			timetext_format(a->disposed_ms, TIMETEXT_MINUTE, disp);
			printf(_("  [done %s: %s]"), disp,
			    termtext_copy(note, a->disposition, sizeof(note)));
		}
		putchar('\n');
	}
	fflush(stdout);
}

/* GET alerts since *last and print them; *last moves on.  Returns 0, -1, or 3 (4.03,
 * said). */
static int
fetch(const struct options *o, struct coaplink *link, int64_t *last)
{
	struct coaplink_response resp;
	struct wire_alert_list list;
	char query[40], err[256];
	int64_t newest;
	size_t i;

	for (;;) {
		snprintf(query, sizeof(query), "since=%lld", (long long)*last);
		if (coaplink_request(link, "GET", "alerts", query, COAPLINK_NONE,
		        COAPLINK_FORMAT_CBOR, NULL, 0, REQUEST_TIMEOUT_MS, &resp, err,
		        sizeof(err)) == -1) {
			log_warnx("%s", err);
			return -1;
		}
		if (resp.code == 403) {
			char reason[160];

			coaplink_reason(&resp, reason, sizeof(reason));
			coaplink_response_free(&resp);
			return cases_say_refusal(o->identity, 403, reason);
		}
		if (resp.code != 205 ||
		    wire_decode_alerts(resp.data, resp.len, &list, err, sizeof(err)) == -1) {
			log_warnx("bad answer %d: %s", resp.code, resp.code == 205 ? err : "");
			coaplink_response_free(&resp);
			return -1;
		}
		coaplink_response_free(&resp);
		for (i = 0; i < list.count; i++) {
			if (list.alerts[i].id <= *last)
				continue;
			print_alert(&list.alerts[i], o->json);
			*last = list.alerts[i].id;
		}
		i = list.count;
		newest = list.last;
		wire_alerts_free(&list);
		if (i == 0 || *last >= newest)
			return 0;
	}
}

static int
run_follow(const struct options *o, int argc, char **argv)
{
	struct coaplink_response resp;
	struct coaplink *link = NULL;
	char err[256];
	int rc, notified, observing = 0;
	int64_t last = o->since, next_poll;

	if (argc > 1) {
		fprintf(stderr, _("gaswatch: unexpected '%s'\n"), argv[1]);
		usage(stderr);
		return 2;
	}
	if (coaplink_open_tool(o->host, o->port, o->identity, o->keyfile, &link, err,
	        sizeof(err)) == -1) {
		fprintf(stderr, _("gaswatch: %s\n"), err);
		return 1;
	}
	rc = fetch(o, link, &last);
	if (o->once || rc != 0) {
		coaplink_free(link);
		return rc == -1 ? 1 : rc;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	next_poll = time_mono_ms() + POLL_MS;
	while (!quit) {
		if (!observing) {
			if (coaplink_observe(link, "alerts", NULL, REQUEST_TIMEOUT_MS, &resp, err,
			        sizeof(err)) == 0) {
				observing = resp.code == 205;
				coaplink_response_free(&resp);
				/* anything that arrived while we were not observing */
				if (fetch(o, link, &last) == 3)
					break;
			} else {
				time_sleep_ms(coaplink_backoff_left_ms(link) + 100);
				continue;
			}
		}
		if (coaplink_wait(link, 1000, &notified) == -1) {
			observing = 0;
			continue;
		}
		if (notified || time_mono_ms() >= next_poll) {
			next_poll = time_mono_ms() + POLL_MS;
			if (fetch(o, link, &last) == -1)
				observing = 0;
		}
	}
	coaplink_free(link);
	return 0;
}

/*
 * A note says what the township did; the county keeps it as the alert's
 * outcome.  An empty (or blank) one records nothing, so it is refused here,
 * before a session is opened, with what to write instead; so is a note that
 * would not fit or would break the alert's one-line display.
 */
static int
note_ok(const char *note)
{
	const char *p;

	if (note == NULL || note[strspn(note, " \t")] == '\0') {
		fprintf(stderr, "%s",
		    _("gaswatch: the note is empty: say what you did about the alert, for example\n"
		      "  --note \"visited; cylinder decanted to 14.9 kg\"\n"));
		return 0;
	}
	if (strlen(note) >= WIRE_TEXT) {
		fprintf(stderr, _("gaswatch: the note is longer than %zu bytes\n"),
		    (size_t)WIRE_TEXT - 1);
		return 0;
	}
	for (p = note; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f) {
			fprintf(stderr, "%s", _("gaswatch: the note must be one line of text\n"));
			return 0;
		}
	/* the county's rule for a disposition's note (county_dispose), said first */
	if (buyer_text_has_number(note, strlen(note))) {
		fprintf(stderr, "%s",
		    _("gaswatch: the note looks like it holds a person's ID number (a resident ID "
		      "or credit code): name a buyer by the masked form; nothing was sent\n"));
		return 0;
	}
	return 1;
}

static int
run_ack(const struct options *o, int argc, char **argv)
{
	struct coaplink_response resp;
	struct coaplink *link = NULL;
	struct wire_disposition d;
	uint8_t *payload;
	size_t len;
	char err[256], reason[160], *end;
	int64_t id;
	int rc, code;

	if (argc != 2) {
		fprintf(stderr, _("gaswatch ack: one alert ID is needed\nusage: gaswatch ack %s\n"),
		    CMDTABLE_FIND(commands, "ack")->usage);
		return 2;
	}
	id = strtoll(argv[1], &end, 10);
	if (*end != '\0' || id <= 0) {
		fprintf(stderr, "%s", _("gaswatch: alert id must be a positive number\n"));
		return 2;
	}
	if (!note_ok(o->note))
		return 2;
	memset(&d, 0, sizeof(d));
	d.id = id;
	str_copy(d.note, o->note, sizeof(d.note));
	if (coaplink_open_tool(o->host, o->port, o->identity, o->keyfile, &link, err,
	        sizeof(err)) == -1) {
		fprintf(stderr, _("gaswatch: %s\n"), err);
		return 1;
	}
	if (wire_encode_disposition(&d, &payload, &len) == -1) {
		coaplink_free(link);
		return 1;
	}
	rc = coaplink_request(link, "POST", "alerts/ack", NULL, COAPLINK_FORMAT_CBOR, COAPLINK_NONE,
	    payload, len, REQUEST_TIMEOUT_MS, &resp, err, sizeof(err));
	free(payload);
	coaplink_free(link);
	if (rc == -1) {
		fprintf(stderr, "gaswatch: %s\n", err);
		return 1;
	}
	code = resp.code;
	coaplink_reason(&resp, reason, sizeof(reason));
	coaplink_response_free(&resp);
	/* the handler's own answers for this alert; any other (the door's "townships
	 * only" to an officer's identity) as the county's refusal */
	if (code == 204) {
		printf(_("alert %lld: disposition recorded\n"), (long long)id);
		return 0;
	}
	if (code == 403 && strcmp(reason, "alert of another township") == 0) {
		fprintf(stderr, _("gaswatch: alert %lld belongs to another township\n"),
		    (long long)id);
		return 3;
	}
	if (code == 404) {
		fprintf(stderr, _("gaswatch: no alert %lld\n"), (long long)id);
		return 1;
	}
	return cases_say_refusal(o->identity, code, reason);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "township", required_argument, NULL, 't' },
		{ "key", required_argument, NULL, 'k' },
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "since", required_argument, NULL, 's' },
		{ "once", no_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "note", required_argument, NULL, 'n' },
		{ "as", required_argument, NULL, 'A' },
		{ "view", required_argument, NULL, 'V' },
		{ "outcome", required_argument, NULL, 'O' },
		{ "power", required_argument, NULL, 'P' },
		{ "fine", required_argument, NULL, 'F' },
		{ "type", required_argument, NULL, 'T' },
		{ "kind", required_argument, NULL, 'K' },
		{ "village", required_argument, NULL, 'G' },
		{ "place", required_argument, NULL, 'L' },
		{ "lat", required_argument, NULL, 'Y' },
		{ "lon", required_argument, NULL, 'X' },
		{ "code", required_argument, NULL, 'C' },
		{ "photo", required_argument, NULL, 'I' },
		{ "to", required_argument, NULL, 'U' },
		{ "from", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { .host = "127.0.0.1", .port = 5684 };
	const struct command *c;
	char *end;
	int ch, help = 0;

	i18n_init();
	while ((ch = getopt_long(argc, argv, "t:k:H:p:h", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			o.township = optarg;
			break;
		case 'k':
			o.keyfile = optarg;
			break;
		case 'H':
			o.host = optarg;
			break;
		case 'p':
			if (coaplink_parse_port(optarg, &o.port) == -1) {
				fprintf(stderr,
				    _("%s: -p %s: a port is a number from 1 to 65535\n"),
				    "gaswatch", optarg);
				return 2;
			}
			break;
		case 's':
			o.since = strtoll(optarg, &end, 10);
			if (*end != '\0' || o.since < 0) {
				fprintf(stderr, "%s",
				    _("gaswatch: --since takes an alert id (0: all)\n"));
				return 2;
			}
			break;
		case 'o':
			o.once = 1;
			break;
		case 'j':
			o.json = 1;
			break;
		case 'n':
			o.note = optarg;
			break;
		case 'A':
			o.as = optarg;
			break;
		case 'V':
			o.view = optarg;
			break;
		case 'O':
			o.outcome = optarg;
			break;
		case 'P':
			o.power = optarg;
			break;
		case 'F':
			o.fine = strtoll(optarg, &end, 10);
			if (*end != '\0' || o.fine <= 0) {
				fprintf(stderr, "%s",
				    _("gaswatch: --fine takes yuan (a whole number)\n"));
				return 2;
			}
			o.has_fine = 1;
			break;
		case 'T':
			o.type = optarg;
			break;
		case 'K':
			o.kind = optarg;
			break;
		case 'G':
			o.village = optarg;
			break;
		case 'L':
			o.place = optarg;
			break;
		case 'Y':
		case 'X':
			*(ch == 'Y' ? &o.lat : &o.lon) = strtod(optarg, &end);
			if (*end != '\0') {
				fprintf(stderr, "%s",
				    _("gaswatch: --lat and --lon take degrees\n"));
				return 2;
			}
			o.has_coords |= ch == 'Y' ? 1 : 2;
			break;
		case 'C':
			o.code = optarg;
			break;
		case 'I':
			o.photo = optarg;
			break;
		case 'U':
			o.to = optarg;
			o.until = optarg;
			break;
		case 'W':
			o.from = optarg;
			break;
		case 'h':
			help = 1;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	/* no command word: follow */
	c = optind < argc ? CMDTABLE_FIND(commands, argv[optind]) : &commands[0];
	if (c == NULL) {
		fprintf(stderr, _("gaswatch: unknown command '%s'\n"), argv[optind]);
		usage(stderr);
		return 2;
	}
	if (help) {
		if (optind < argc)
			return command_help(c);
		usage(stdout);
		return 0;
	}
	if ((o.township == NULL && o.as == NULL) || o.keyfile == NULL) {
		fprintf(stderr, "%s",
		    o.keyfile == NULL
		        ? _("gaswatch: -k KEYFILE is required (the identity's key)\n")
		        : _("gaswatch: --township CODE or --as IDENTITY is required\n"));
		usage(stderr);
		return 2;
	}
	/* two identities given: which one the key is for would be a guess */
	if (o.township != NULL && o.as != NULL) {
		fprintf(stderr, "%s", _("gaswatch: give --township or --as, not both\n"));
		return 2;
	}
	if (o.has_coords != 0 && o.has_coords != 3) {
		fprintf(stderr, "%s", _("gaswatch: coordinates need both --lat and --lon\n"));
		return 2;
	}
	o.has_coords = o.has_coords == 3;
	if (o.as != NULL) {
		if (strlen(o.as) >= sizeof(o.identity) ||
		    psk_identity_role(o.as, NULL, 0) == PSK_ROLE_NONE) {
			fprintf(stderr,
			    _("gaswatch: '%s' is not an identity (officer:NAME@TOWNSHIP, "
			      "grid:NAME@TOWNSHIP, regulator:NAME)\n"),
			    o.as);
			return 2;
		}
		str_copy(o.identity, o.as, sizeof(o.identity));
	} else {
		snprintf(o.identity, sizeof(o.identity), "township:%s", o.township);
		if (psk_identity_role(o.identity, NULL, 0) != PSK_ROLE_TOWNSHIP) {
			fprintf(stderr, _("gaswatch: '%s' is not a township code\n"), o.township);
			return 2;
		}
	}
	log_init("gaswatch", 1, LOG_LEVEL_WARN);
	if (optind < argc)
		return c->run(&o, argc - optind, argv + optind);
	return c->run(&o, 1, (char *[]){ (char *)c->name, NULL });
}
