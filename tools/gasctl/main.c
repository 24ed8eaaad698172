/*
 * gasctl: the station CLI for operators and station admins.
 *
 *   gasctl [-c FILE] [-s SOCKET] [--db PATH] [--buyer-key FILE] COMMAND [ARGS]
 *
 * Global options come before the command; --db and --buyer-key are also
 * accepted after it.  With -c, the database, the buyer key, the county code
 * and public key and the control socket are read from gasgw's [station]
 * section; explicit options win.  The commands are the rows of the table
 * below (see gasctl.h).
 */
#include <getopt.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdtable.h"
#include "gasctl.h"
#include "i18n.h"
#include "log.h"
#include "store.h"
#include "util.h"

/* How the life commands take the operator's PIN (cmd_life.c), said once for all five. */
static const char life_pin_help[] =
    N_("CERT proves who they are with their PIN, as at a login (5 wrong PINs, here\n"
       "or at a login, lock the operator out of both, for 15 minutes the first time\n"
       "and twice as long each time in a row after, up to a day): it is read\n"
       "first, from the terminal without echo, or else as the first line of standard\n"
       "input, and never from the command line.  With CODE -, the codes follow on\n"
       "standard input: typed or scanned after the PIN, or on the lines after the\n"
       "PIN's.  Nothing is recorded without the right PIN.");

/* How registry reinstate takes the operator's PIN (cmd_registry.c). */
static const char reinstate_pin_help[] =
    N_("CERT proves who they are with their PIN, as at a login and on the same\n"
       "count (5 wrong PINs, here, at a login or at a life event, lock the operator\n"
       "out of all of them, for 15 minutes the first time and twice as long each\n"
       "time in a row after, up to a day): read once CERT is known to be registered\n"
       "and current, from the terminal without echo or as one line of standard\n"
       "input, never from the command line.  Nothing is changed without the right\n"
       "PIN.");

static const struct gasctl_command commands[] = {
	{ .name = "registry import",
	    .run = cmd_registry_import,
	    .usage = "FILE.csv [--pub PUBKEY] [--county CODE] [--cycle YEARS] [--version N]",
	    .help =
	        N_("Import a county registry CSV (header serial,model,manufactured,tare_kg,\n"
	           "fill_kg,owner,last_inspection,status[,code]) into the station database in one\n"
	           "transaction.  Rejected rows are listed as FILE:LINE: reason and skipped; the\n"
	           "rest are added or updated by serial.  With --pub (or code_public_key of -c),\n"
	           "a code column must verify and match its row.  next_inspection is the last\n"
	           "inspection (or manufacture) plus --cycle years (default 4).  A cylinder the\n"
	           "station's registry holds scrapped stays scrapped whatever the file says (the\n"
	           "rest of its row is taken, its line named, the summary counts it).  Exit 1 if\n"
	           "any row was rejected or nothing could be imported.") },
	{ .name = "registry reinstate",
	    .run = cmd_registry_reinstate,
	    .usage = "SERIAL --reason TEXT --operator CERT",
	    .help =
	        N_("Undo a scrap made by mistake, at a station with no county: the station's\n"
	           "registry says active again where it said scrapped, and this station's own\n"
	           "scrap or failed inspection of the cylinder no longer keeps the valve shut\n"
	           "(R04).  CERT (a registered operator), the system user, the time and TEXT\n"
	           "(why, 1 to 127 bytes) are kept in the station database.  A registry import\n"
	           "never brings a scrapped cylinder back.  Refused at a station joined to a\n"
	           "county ([county] host in -c, or a registry pulled from one): there the\n"
	           "county's registry decides (gascounty registry set SERIAL --status active).\n"
	           "Exit 1 when refused or when there is nothing to undo."),
	    .help_more = reinstate_pin_help },
	{ .name = "operators add",
	    .run = cmd_operators_add,
	    .usage = "CERT --name NAME --expires YYYY-MM-DD",
	    .help = N_("Add (or renew) an operator by certificate number.") },
	{ .name = "operators pin",
	    .run = cmd_operators_pin,
	    .usage = "CERT",
	    .help =
	        N_("Set (or replace) a registered operator's PIN or password (4 to 64\n"
	           "characters), which they give at every login.  It is read from the terminal\n"
	           "without echo, twice, or as one line from standard input: never from the\n"
	           "command line.  Only a salted Argon2id hash is stored.  Setting a PIN lifts\n"
	           "a lock-out (5 wrong PINs lock an operator out for 15 minutes, each 5 more\n"
	           "in a row twice as long as the last, up to a day).") },
	{ .name = "operators list",
	    .run = cmd_operators_list,
	    .usage = "",
	    .help = N_("List operators with their certificate expiry.") },
	{ .name = "buyers add",
	    .run = cmd_buyers_add,
	    .usage = "NUMBER --township CODE [--address TEXT] [--business] [--delivery]",
	    .help =
	        N_("Register a real-name buyer from an 18-character resident ID number or\n"
	           "unified social credit code (--business for a credit code made only of\n"
	           "digits).  Only the keyed buyer id and the masked number are stored and\n"
	           "printed; the number itself never is.  NUMBER - reads it from standard input\n"
	           "(keeps it out of the shell history and the process list).  --delivery: a\n"
	           "delivery company buying at the counter for the households it serves; rule\n"
	           "R11 does not count its fills (its households are counted at the door).\n"
	           "Added again without --delivery, it is an ordinary buyer again.") },
	{ .name = "buyers list",
	    .run = cmd_buyers_list,
	    .usage = "",
	    .help = N_("List buyers: id, masked number, kind, township, address.") },
	/* line commands (cmd_line.c): through gasgw's control socket */
	{ .name = "login",
	    .run = cmd_login,
	    .usage = "LINE CERT",
	    .help = N_("Log an operator in on a line: the certificate must be registered and\n"
	               "current, and the PIN (read from the terminal without echo, or one line of\n"
	               "standard input) must match.  Fills are credited to this operator until\n"
	               "logout, another login, or the end of the shift (shift_hours).") },
	{ .name = "logout",
	    .run = cmd_logout,
	    .usage = "LINE",
	    .help = N_("End the shift of the operator logged in on a line: the line fills for\n"
	               "nobody until the next login.") },
	{ .name = "scan",
	    .run = cmd_scan,
	    .usage = "LINE CODE",
	    .help = N_("Give a line a cylinder code, as its scanner would.  A code that does not\n"
	               "verify is refused at once (R01, exit 3).") },
	{ .name = "buyer",
	    .run = cmd_buyer,
	    .usage = "LINE NUMBER|-",
	    .help = N_("Identify the buyer by resident ID number or credit code (- reads it from\n"
	               "standard input).  gasgw keeps only the keyed id and the masked form.") },
	{ .name = "start",
	    .run = cmd_start,
	    .usage = "LINE [--no-wait]",
	    .help =
	        N_("Run the pre-fill rules and, when they pass, fill; waits for the result,\n"
	           "showing the weight on a terminal.  Exit 3 on a refusal or a held cylinder.") },
	{ .name = "stop",
	    .run = cmd_stop,
	    .usage = "LINE",
	    .help = N_("Stop a fill (recorded as interrupted), clear the identified cylinder and\n"
	               "buyer, or acknowledge an emergency.") },
	{ .name = "fill",
	    .run = cmd_fill,
	    .usage = "LINE --cylinder CODE --buyer NUMBER|- [--operator CERT]",
	    .help =
	        N_("Scan, identify the buyer, start and wait (with --operator, only if CERT is\n"
	           "the operator logged in on the line): the weight climbs on a terminal, then\n"
	           "the result and any rule that fired.\n"
	           "Exit 0 ok or flagged, 3 refused or held, 1 interrupted, emergency or error.") },
	{ .name = "status",
	    .run = cmd_status,
	    .usage = "[--json]",
	    .help = N_("Every line's state, link, weight, target, operator, cylinder and last\n"
	               "result.") },
	{ .name = "fills",
	    .run = cmd_fills,
	    .usage = "[--since TIME] [--json]",
	    .help =
	        N_("Recorded fills since TIME, with their result and rules.  TIME is local time\n"
	           "(TZ): YYYY-MM-DD (from the start of that day) or YYYY-MM-DD HH:MM[:SS], or\n"
	           "either with Z or +HH:MM.  Times are shown in local time with their offset;\n"
	           "--json writes them as ISO 8601 with the offset, weights to the gram.") },
	{ .name = "aside",
	    .run = cmd_aside,
	    .usage = "[--retry SEQ|all] [--json]",
	    .help =
	        N_("Records the county refused (4.00) and the station set aside, so that the\n"
	           "records after them still reach the county: each with its seq, when it was\n"
	           "set aside and the county's reason.  They stay in the station database until\n"
	           "sent again: --retry SEQ sends one, --retry all every one (after the county's\n"
	           "configuration is fixed, e.g. a township added); one refused again is set\n"
	           "aside again with the new reason.  Exit 1 if SEQ is not set aside.") },
	/* cmd_life.c */
	{ .name = "dispatch",
	    .run = cmd_dispatch,
	    .usage = "WORKER CODE... --operator CERT [--json]",
	    .help = N_("Full cylinders leave the station with delivery worker WORKER: scan each\n"
	               "code as the truck is loaded (CODE - reads one code a line from standard\n"
	               "input, as a scanner types them).  Every code must verify, or nothing is\n"
	               "recorded; the whole load is one record per cylinder, sent to the county\n"
	               "with the station's records.  CERT is the dispatcher, registered here.\n"
	               "WORKER is the delivery worker's identity, delivery:NAME@TOWNSHIP."),
	    .help_more = life_pin_help },
	{ .name = "receive",
	    .run = cmd_receive,
	    .usage = "CODE... --operator CERT [--from WORKER] [--json]",
	    .help = N_("Empty cylinders come back to the station (from delivery worker WORKER,\n"
	               "when given): scan each code (CODE - reads them from standard input).\n"
	               "Every code must verify, or nothing is recorded."),
	    .help_more = life_pin_help },
	{ .name = "inspection out",
	    .run = cmd_inspection_out,
	    .usage = "CODE... --operator CERT [--json]",
	    .help = N_("Cylinders leave the station for the inspection station: scan each code\n"
	               "(CODE - reads them from standard input).  Every code must verify, or\n"
	               "nothing is recorded."),
	    .help_more = life_pin_help },
	{ .name = "inspection back",
	    .run = cmd_inspection_back,
	    .usage = "CODE... --result pass|fail [--next-due YYYY-MM-DD] --operator CERT [--json]",
	    .help = N_("Cylinders come back from the inspection station with its result and,\n"
	               "after a pass, the next inspection date (after today, at most 10 years\n"
	               "ahead).  The county's registry takes the new dates from it and sends them\n"
	               "back to every station; a cylinder that failed it marks scrapped, and this\n"
	               "station refuses to fill it from now on (R04).  Every code must verify, or\n"
	               "nothing is recorded."),
	    .help_more = life_pin_help },
	{ .name = "scrap",
	    .run = cmd_scrap,
	    .usage = "CODE... --reason TEXT --operator CERT [--json]",
	    .help = N_("Cylinders are scrapped (TEXT says why, at most 127 bytes): this station\n"
	               "refuses to fill them from now on (R04), and the county's registry marks\n"
	               "them scrapped, so that no station fills them again and a scrapped\n"
	               "cylinder seen anywhere is a case.  Every code must verify, or nothing is\n"
	               "recorded."),
	    .help_more = life_pin_help },
	/* cmd_watch.c, cmd_plot.c */
	{ .name = "watch",
	    .run = cmd_watch,
	    .usage = "[--interval MS] [--once]",
	    .help =
	        N_("A live view of every line: state, net weight against the target as a bar\n"
	           "(the cut-off point marked), operator, cylinder, buyer (masked), the last\n"
	           "result and every rule that fired.  Refreshed every --interval ms (default\n"
	           "250) over gasgw's control socket; plain ANSI escapes, so it works over SSH.\n"
	           "q or Ctrl-C leaves and restores the terminal.  When gasgw cannot be reached\n"
	           "the view says so and keeps trying.  Not on a terminal, each refresh is a\n"
	           "plain-text frame; --once prints one frame and exits (1 if gasgw is away).") },
	{ .name = "plot",
	    .run = cmd_plot,
	    .usage = "FILL --out FILE.svg|FILE.png",
	    .help =
	        N_("Draw a recorded fill's weight curve from the station database (-c or --db):\n"
	           "the climb, the target, the cut-off point (target - pre-act), the moment the\n"
	           "close was commanded and the final net.  FILL is the fill's uuid or a unique\n"
	           "prefix of it (at least 4 characters; gasctl fills --json lists them).  The\n"
	           "picture's type follows the file name (.svg or .png).") },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* How many argv words the command name takes, or 0 if it does not match. */
static int
command_matches(const struct gasctl_command *c, int argc, char **argv)
{
	const char *p = c->name;
	int words = 0;

	while (*p != '\0') {
		size_t n = strcspn(p, " ");

		if (words >= argc || strlen(argv[words]) != n || strncmp(argv[words], p, n) != 0)
			return 0;
		words++;
		p += n;
		p += strspn(p, " ");
	}
	return words;
}

static void
overview(FILE *fp)
{
	size_t i;

	fprintf(fp, "%s",
	    _("usage: gasctl [-c FILE] [-s SOCKET] [--db PATH] [--buyer-key FILE] "
	      "COMMAND [ARGS]\n\n"
	      "  -c FILE           gasgw configuration: [station] database, buyer_key, county,\n"
	      "                    code_public_key and control_socket are taken from it\n"
	      "  -s SOCKET         gasgw control socket (or $GASCTL_SOCKET; default\n"
	      "                    /run/gasgw/control.sock)\n"
	      "  --db PATH         station database (default /var/lib/gasgw/station.db)\n"
	      "  --buyer-key FILE  county buyer key (for buyers add)\n\ncommands:\n"));
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  gasctl %s%s%s\n", commands[i].name,
		    commands[i].usage[0] != '\0' ? " " : "", commands[i].usage);
	fprintf(fp, "%s", _("\n`gasctl COMMAND --help` says more.\n"));
}

/* 1 if word is the first word of a command of two words ("buyers" of
 * "buyers add"): a group whose own help lists its commands. */
static int
is_group(const char *word)
{
	size_t n = strlen(word);

	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strncmp(commands[i].name, word, n) == 0 && commands[i].name[n] == ' ')
			return 1;
	return 0;
}

/* The help of a group: each of its commands with its usage and help. */
static void
group_help(FILE *fp, const char *word)
{
	size_t n = strlen(word);

	fprintf(fp, _("usage: gasctl %s COMMAND [ARGS]\n"), word);
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strncmp(commands[i].name, word, n) == 0 && commands[i].name[n] == ' ')
			fprintf(fp, "\n  gasctl %s%s%s\n%s\n", commands[i].name,
			    commands[i].usage[0] != '\0' ? " " : "", commands[i].usage,
			    _(commands[i].help));
}

static int
wants_help_word(const char *word)
{
	return strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0 || strcmp(word, "help") == 0;
}

int
gasctl_usage(const char *name, const char *message)
{
	const struct gasctl_command *c = CMDTABLE_FIND(commands, name);

	fprintf(stderr, _("gasctl %s: %s\nusage: gasctl %s %s\n"), name, message, name,
	    c != NULL ? c->usage : "");
	return GASCTL_USAGE;
}

int
gasctl_help(const char *name)
{
	const struct gasctl_command *c = CMDTABLE_FIND(commands, name);

	if (c == NULL)
		return GASCTL_USAGE;
	printf(_("usage: gasctl %s %s\n\n%s\n"), c->name, c->usage, _(c->help));
	if (c->help_more != NULL)
		printf("\n%s\n", _(c->help_more));
	return GASCTL_OK;
}

int
gasctl_open_db(struct gasctl *ctl, sqlite3 **db)
{
	char err[512];

	if (store_open(ctl->db_path, schema_station, 0, db, err, sizeof(err)) == -1) {
		fprintf(stderr, "gasctl: %s\n", err);
		return -1;
	}
	return 0;
}

/* inih handler: the few [station] keys gasctl needs, and whether [county]
 * names a host (the station is joined to a county: registry reinstate);
 * everything else is gasgw's to check (gasgw -n). */
static int
config_key(void *arg, const char *section, const char *name, const char *value)
{
	struct gasctl *ctl = arg;

	if (strcmp(section, "county") == 0 && strcmp(name, "host") == 0)
		str_copy(ctl->county_host, value, sizeof(ctl->county_host));
	if (strcmp(section, "station") != 0)
		return 1;
	if (strcmp(name, "database") == 0)
		str_copy(ctl->db_path, value, sizeof(ctl->db_path));
	else if (strcmp(name, "buyer_key") == 0)
		str_copy(ctl->buyer_key_path, value, sizeof(ctl->buyer_key_path));
	else if (strcmp(name, "code_public_key") == 0)
		str_copy(ctl->code_public_key, value, sizeof(ctl->code_public_key));
	else if (strcmp(name, "control_socket") == 0)
		str_copy(ctl->control_socket, value, sizeof(ctl->control_socket));
	else if (strcmp(name, "county") == 0)
		ctl->county = (uint32_t)strtoul(value, NULL, 10);
	return 1;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "buyer-key", required_argument, NULL, 'k' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gasctl ctl;
	const char *db = NULL, *buyer_key = NULL, *sock = NULL;
	size_t i;
	int ch, words;

	log_init("gasctl", 1, LOG_LEVEL_WARN);
	i18n_init();
	memset(&ctl, 0, sizeof(ctl));
	str_copy(ctl.db_path, "/var/lib/gasgw/station.db", sizeof(ctl.db_path));
	str_copy(ctl.control_socket, "/run/gasgw/control.sock", sizeof(ctl.control_socket));

	/* "+": stop at the command name; its own options are the command's. */
	while ((ch = getopt_long(argc, argv, "+c:s:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			ctl.config_path = optarg;
			break;
		case 's':
			sock = optarg;
			break;
		case 'd':
			db = optarg;
			break;
		case 'k':
			buyer_key = optarg;
			break;
		case 'h':
			overview(stdout);
			return GASCTL_OK;
		default:
			overview(stderr);
			return GASCTL_USAGE;
		}
	}
	if (ctl.config_path != NULL) {
		int line = ini_parse(ctl.config_path, config_key, &ctl);

		if (line != 0) {
			if (line < 0)
				fprintf(stderr, "gasctl: %s: cannot read\n", ctl.config_path);
			else
				fprintf(stderr, "gasctl: %s:%d: not valid INI\n", ctl.config_path,
				    line);
			return GASCTL_ERROR;
		}
	}
	if (db != NULL)
		str_copy(ctl.db_path, db, sizeof(ctl.db_path));
	if (buyer_key != NULL)
		str_copy(ctl.buyer_key_path, buyer_key, sizeof(ctl.buyer_key_path));
	if (sock == NULL)
		sock = getenv("GASCTL_SOCKET");
	if (sock != NULL && sock[0] != '\0')
		str_copy(ctl.control_socket, sock, sizeof(ctl.control_socket));

	argc -= optind;
	argv += optind;
	if (argc == 0) {
		overview(stderr);
		return GASCTL_USAGE;
	}
	if (strcmp(argv[0], "help") == 0) {
		for (i = 0; i < NCOMMANDS && argc > 1; i++)
			if ((words = command_matches(&commands[i], argc - 1, argv + 1)) > 0)
				return gasctl_help(commands[i].name);
		if (argc > 1 && is_group(argv[1])) {
			group_help(stdout, argv[1]);
			return GASCTL_OK;
		}
		overview(stdout);
		return GASCTL_OK;
	}
	for (i = 0; i < NCOMMANDS; i++) {
		if ((words = command_matches(&commands[i], argc, argv)) == 0)
			continue;
		/* the command sees its last name word as argv[0] */
		return commands[i].run(&ctl, argc - words + 1, argv + words - 1);
	}
	/* "buyers --help", "buyers": the group's commands */
	if (is_group(argv[0])) {
		if (argc > 1 && wants_help_word(argv[1])) {
			group_help(stdout, argv[0]);
			return GASCTL_OK;
		}
		if (argc == 1)
			fprintf(stderr, _("gasctl %s: which command?\n"), argv[0]);
		else
			fprintf(stderr, _("gasctl: unknown command '%s %s'\n"), argv[0], argv[1]);
		group_help(stderr, argv[0]);
		return GASCTL_USAGE;
	}
	fprintf(stderr, _("gasctl: unknown command '%s%s%s'\n"), argv[0], argc > 1 ? " " : "",
	    argc > 1 ? argv[1] : "");
	overview(stderr);
	return GASCTL_USAGE;
}
