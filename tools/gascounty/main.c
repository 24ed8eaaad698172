/*
 * gascounty: the county supervision server (command line and configuration).
 *
 *   gascounty [-c FILE] [-n] [-f] [-v]              serve
 *   gascounty [-c FILE] COMMAND ...                 a command of commands[] below
 *   gascounty --example-config | --resources
 *
 * The subcommands are one table (commands[]: words, arguments, help, the
 * function that runs it); usage and every command's --help are printed
 * from it.
 */
#include <ctype.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "catalogue.h"
#include "county.h"
#include "daemonargs.h"
#include "history.h"
#include "i18n.h"
#include "ingestcheck.h"
#include "log.h"
#include "progress.h"
#include "stations.h"
#include "store.h"
#include "termtext.h"
#include "timetext.h"
#include "util.h"

enum log_level
county_log_level(const struct county_config *config, int verbose)
{
	if (verbose >= 2 || strcmp(config->log_level, "debug") == 0)
		return LOG_LEVEL_DEBUG;
	if (verbose == 1 || strcmp(config->log_level, "info") == 0)
		return LOG_LEVEL_INFO;
	return LOG_LEVEL_WARN;
}

size_t
county_townships_check(const struct catalogue *cat, const struct psk_table *keys,
    const char *identities)
{
	char id[PSK_MAX_IDENTITY], name[PSK_MAX_IDENTITY];
	const char *t, *at;
	size_t i, said = 0;
	int n;

	for (i = 0; (t = catalogue_township(cat, i)) != NULL; i++) {
		n = snprintf(id, sizeof(id), "township:%s", t);
		if (n > 0 && (size_t)n < sizeof(id) &&
		    psk_find(keys, (const uint8_t *)id, (size_t)n) != NULL)
			continue;
		log_warnx("township %s is on the map or in the village list but has no identity %s "
		          "in %s: reports are routed to it, yet gaswatch cannot send a case there "
		          "and no township key can read its cases",
		    t, id, identities);
		said++;
	}
	for (i = 0; i < keys->count; i++) {
		const char *identity = keys->entries[i].identity;
		enum psk_role role = psk_identity_role(identity, name, sizeof(name));

		if (role == PSK_ROLE_TOWNSHIP && catalogue_township(cat, 0) != NULL &&
		    !catalogue_township_listed(cat, name)) {
			log_warnx(
			    "%s in %s is neither on the map nor in the village list: no report "
			    "is routed to it and the console cannot send a case there",
			    identity, identities);
			said++;
		} else if ((role == PSK_ROLE_OFFICER || role == PSK_ROLE_GRID ||
		               role == PSK_ROLE_DELIVERY) &&
		           (at = strchr(name, '@')) != NULL &&
		           !catalogue_township_listed(cat, at + 1)) {
			n = snprintf(id, sizeof(id), "township:%s", at + 1);
			if (n > 0 && (size_t)n < sizeof(id) &&
			    psk_find(keys, (const uint8_t *)id, (size_t)n) != NULL)
				continue;
			log_warnx(
			    "%s in %s: township %s is neither an identity township:CODE nor on "
			    "the map or in the village list",
			    identity, identities, at + 1);
			said++;
		}
	}
	return said;
}

size_t
county_deadlines_check(const struct catalogue *cat, const char *deadlines)
{
	size_t i, j, said = 0;

	for (i = 0; i < cat->ndeadlines; i++) {
		const char *kind = cat->deadlines[i].kind;

		if (strcmp(kind, "*") == 0 || ingest_rule_find(kind) != NULL ||
		    ingest_county_rule(kind))
			continue;
		for (j = 0; j < cat->nkinds; j++)
			if (strcmp(cat->kinds[j].code, kind) == 0)
				break;
		if (j < cat->nkinds)
			continue;
		log_warnx("%s: kind %s is neither a rule (R01.., C01..C%02d) nor a report kind of "
		          "the catalogue: its row applies to no case",
		    deadlines, kind, INGEST_COUNTY_RULES);
		said++;
	}
	return said;
}

/* Open the county's database for a command, once its arguments were found
 * good (so that a mistyped command says what is wrong with it, not that the
 * configured database cannot be opened); -1 after saying why. */
static int
command_db(struct county_db *c)
{
	char err[512];

	if (c->db != NULL)
		return 0;
	if (store_open(c->config->database, schema_county, 0, &c->db, err, sizeof(err)) == -1 ||
	    store_cache_kb(c->db, c->config->cache_mb * 1024, err, sizeof(err)) == -1) {
		fprintf(stderr, "gascounty: %s\n", err);
		store_close(c->db);
		c->db = NULL;
		return -1;
	}
	return 0;
}

static int registry_set(struct county_db *c, int argc, char **argv);
static int registry_import(struct county_db *c, int argc, char **argv);
static int station_set(struct county_db *c, int argc, char **argv);
static int station_list(struct county_db *c, int argc, char **argv);

/*
 * The subcommands.  run gets argv from the command's last word on (so
 * argv[0] is "set" for "registry set") and the county's database not yet
 * open (command_db opens it once the arguments are good); it returns the
 * exit status (2 for bad usage).
 */
static const struct command {
	const char *name;    /* the words as typed */
	const char *args;    /* what follows them; '\n' continues the usage line */
	const char *summary; /* one line */
	const char *help;    /* what --help adds */
	int (*run)(struct county_db *c, int argc, char **argv);
} commands[] = {
	{ "registry set",
	    "SERIAL [--status active|scrapped|retired]\n"
	    "[--inspected YYYY-MM-DD] [--next YYYY-MM-DD] [--owner NAME]",
	    N_("insert or change one cylinder of the county registry"),
	    N_("Fields not given stay as they are; the cylinder gets the next registry\n"
	       "version, which stations pull with their next registry delta.  With\n"
	       "--inspected and no --next, the next inspection is the inspection date plus\n"
	       "inspection_cycle_years (configuration).  The change is also kept in the\n"
	       "registry history with your account name (gastrace cylinder shows it).\n"),
	    registry_set },
	{ "registry import", "FILE.csv",
	    N_("import a registry CSV (docs/registry.md) into the county registry"),
	    N_("One transaction; rows that fail validation are reported as FILE:LINE and\n"
	       "skipped; a cylinder whose facts did not change keeps its version, so\n"
	       "importing the same file twice sends stations nothing new.  Prints how many\n"
	       "rows were read, changed and rejected.  Each changed cylinder gets a row of\n"
	       "the registry history naming FILE:LINE and your account.\n"),
	    registry_import },
	{ "station set",
	    "ID --name NAME --address ADDRESS --township CODE\n"
	    "[--lat DEGREES --lon DEGREES]",
	    N_("register a station (or change its entry) in the county's register"),
	    N_("The station is the one whose identity is station:ID.  Its township must be\n"
	       "one of this county (an identity township:CODE in the identities file).\n"
	       "From then on the register decides the station's township: a batch or\n"
	       "heartbeat naming another is refused (4.00, both townships named), and\n"
	       "the station's alerts and cases go to the registered township.  A station\n"
	       "that is not registered keeps the township it named at its first contact,\n"
	       "with a warning in the log.  The name and address (UTF-8, no control\n"
	       "characters) are shown on its cases (gaswatch show, the console) and on\n"
	       "the console's map.  Every field is set as given: --lat and --lon go\n"
	       "together, and leaving both out clears the place.\n"),
	    station_set },
	{ "station list", "", N_("list the stations the county holds, registered or not"),
	    N_("One line a station, tab-separated: ID, township, registered (yes, or \"no\"\n"
	       "for a township taken from the station's first contact), name, address,\n"
	       "lat, lon (empty when not known), after a header line.\n"),
	    station_list },
	{ NULL, NULL, NULL, NULL, NULL },
};

/* How many columns text takes on a terminal (a Chinese character two), for
 * lining up what follows a translated word; its bytes if it is not text of
 * this locale. */
static int
columns(const char *text)
{
	wchar_t wide[64];
	size_t n = mbstowcs(wide, text, sizeof(wide) / sizeof(wide[0]));
	int width;

	if (n == (size_t)-1 || n == sizeof(wide) / sizeof(wide[0]))
		return (int)strlen(text);
	width = wcswidth(wide, n);
	return width < 0 ? (int)strlen(text) : width;
}

/* "usage: gascounty [-c FILE] WORDS ARGS"; lead is "usage:" in the reader's
 * language when first is set, else as many blanks. */
static void
command_usage(FILE *f, int first, const struct command *cmd)
{
	const char *lead = _("usage:");
	int width = columns(lead);
	const char *p;

	fprintf(f, "%*s gascounty [-c FILE] %s%s", first ? 0 : width, first ? lead : "", cmd->name,
	    cmd->args[0] != '\0' ? " " : "");
	for (p = cmd->args; *p != '\0'; p++) {
		if (*p == '\n')
			fprintf(f, "\n%*s", width + 11, "");
		else
			fputc(*p, f);
	}
	fputc('\n', f);
}

/* "  registry set       insert or change ..." */
static void
command_line(FILE *f, const struct command *cmd)
{
	fprintf(f, "  %-18s %s\n", cmd->name, _(cmd->summary));
}

static void
usage(FILE *f)
{
	const struct command *cmd;

	fprintf(f, "%s gascounty [-c FILE] [-n] [-f] [-v]\n", _("usage:"));
	for (cmd = commands; cmd->name != NULL; cmd++)
		command_usage(f, 0, cmd);
	fprintf(f, "%*s gascounty --example-config\n%*s gascounty --resources\n",
	    columns(_("usage:")), "", columns(_("usage:")), "");
	fputs(_("\n"
	        "The county supervision server: receives station records over CoAP/DTLS-PSK,\n"
	        "runs the county rules C01-C18, routes alerts to townships, answers traces\n"
	        "and serves registry deltas to stations.\n"
	        "\n"
	        "  -c FILE            configuration (default: built-in defaults)\n"
	        "  -n                 check the configuration and the identities file, and exit\n"
	        "  -f                 stay in the foreground, log to stderr\n"
	        "  -v                 more detail in the log (twice: debug)\n"
	        "  --example-config   print a commented configuration with every key\n"
	        "  --resources        print the CoAP resources and who may call each (Markdown)\n"
	        "  -h, --help         this help\n"
	        "\n"
	        "Commands (each answers --help):\n"),
	    f);
	for (cmd = commands; cmd->name != NULL; cmd++)
		command_line(f, cmd);
	fputs(_("\nExit status: 0 ok, 1 error, 2 bad usage.\n"), f);
}

static void
command_help(FILE *f, const struct command *cmd)
{
	const char *summary = _(cmd->summary);

	command_usage(f, 1, cmd);
	/* the summary as a sentence: "Insert or change ... registry." */
	fputc('\n', f);
	if (islower((unsigned char)summary[0])) {
		fputc(toupper((unsigned char)summary[0]), f);
		summary++;
	}
	fprintf(f, _("%s.\n"), summary);
	fprintf(f, "%s\n", _(cmd->help));
	fputs(_("  -c FILE      configuration, given before the command (default: built-in "
	        "defaults)\n"
	        "  -h, --help   this help\n"
	        "\n"
	        "Exit status: 0 ok, 1 error, 2 bad usage.\n"),
	    f);
}

/*
 * The command argv names (its words, then its arguments), NULL if none.
 * *words is how many of argv its name took; *help is 1 when one of the
 * arguments asks for --help.  A first word that only begins commands
 * ("registry") is not one: the caller lists that group.
 */
static const struct command *
command_find(int argc, char **argv, int *words, int *help)
{
	const struct command *cmd;
	char name[64];
	int i, n;

	*help = 0;
	for (cmd = commands; cmd->name != NULL; cmd++) {
		name[0] = '\0';
		for (n = 0; n < argc; n++) {
			if (n > 0)
				strncat(name, " ", sizeof(name) - strlen(name) - 1);
			strncat(name, argv[n], sizeof(name) - strlen(name) - 1);
			if (strcmp(name, cmd->name) == 0)
				break;
		}
		if (n == argc)
			continue;
		*words = n + 1;
		for (i = *words; i < argc && strcmp(argv[i], "--") != 0; i++)
			if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
				*help = 1;
		return cmd;
	}
	return NULL;
}

/* Print the commands whose name begins with word (a group such as
 * "registry") to f, unless f is NULL; how many there are. */
static int
group_usage(FILE *f, const char *word)
{
	const struct command *cmd;
	size_t len = strlen(word);
	int n = 0;

	for (cmd = commands; cmd->name != NULL; cmd++) {
		if (strncmp(cmd->name, word, len) != 0 || cmd->name[len] != ' ')
			continue;
		if (f != NULL)
			command_usage(f, n == 0, cmd);
		n++;
	}
	if (n > 0 && f != NULL) {
		fprintf(f, "\n");
		for (cmd = commands; cmd->name != NULL; cmd++)
			if (strncmp(cmd->name, word, len) == 0 && cmd->name[len] == ' ')
				command_line(f, cmd);
	}
	return n;
}

struct import_state {
	struct progress bar;
	int failed_said; /* the heading of a failed import's rows is out */
};

static void
import_progress(void *arg, unsigned long long done, unsigned long long total, unsigned long rows)
{
	struct import_state *s = arg;

	progress_update(&s->bar, done, total, rows);
}

/* Told once the import is over: the rows rejected or kept scrapped by an
 * import that committed; of one that failed, the rows found wrong before it
 * did, under a heading that says nothing was imported. */
static void
import_reject(void *arg, const char *file, unsigned long line, const char *reason, int committed)
{
	struct import_state *s = arg;
	char said[512]; /* a reason may quote the row's text: no control byte of it printed */

	progress_end(&s->bar);
	if (!committed && !s->failed_said) {
		fputs(_("gascounty: the import failed (the reason follows) and nothing was "
		        "imported; rows of the file found wrong before it failed, to fix before "
		        "trying again:\n"),
		    stderr);
		s->failed_said = 1;
	}
	fprintf(stderr, "%s:%lu: %s\n", file, line, termtext_copy(said, reason, sizeof(said)));
}

/* The rows that were good are kept; a rejected one makes the exit status 1, as
 * gasctl registry import's, so that a script sees the file was not taken whole. */
static int
registry_import(struct county_db *c, int argc, char **argv)
{
	struct county_import_result res;
	struct import_state state = { 0 };
	const struct county_import_io io = { import_progress, import_reject, &state };
	char err[512], actor[HISTORY_ACTOR_MAX + 1];
	int64_t start = time_mono_ms();

	if (argc != 2 || argv[1][0] == '-') {
		fputs(_("gascounty: registry import needs one FILE.csv\n"), stderr);
		return 2;
	}
	if (command_db(c) == -1)
		return 1;
	progress_init(&state.bar, stderr, "importing");
	if (county_registry_import(c, argv[1], c->config->inspection_cycle_years,
	        history_actor(actor, sizeof(actor)), &io, &res, err, sizeof(err)) == -1) {
		progress_end(&state.bar);
		fprintf(stderr, "gascounty: %s\n", err);
		fputs(_("gascounty: nothing imported\n"), stderr);
		return 1;
	}
	progress_end(&state.bar);
	if (res.kept_scrapped > 0)
		printf(_("%s: %lu rows, %lu changed, %lu rejected, %lu kept scrapped (%.2f s)\n"),
		    argv[1], res.rows, res.changed, res.rejected, res.kept_scrapped,
		    (double)(time_mono_ms() - start) / 1000.0);
	else
		printf(_("%s: %lu rows, %lu changed, %lu rejected (%.2f s)\n"), argv[1], res.rows,
		    res.changed, res.rejected, (double)(time_mono_ms() - start) / 1000.0);
	return res.rejected > 0 ? 1 : 0;
}

static int
registry_set(struct county_db *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "status", required_argument, NULL, 's' },
		{ "inspected", required_argument, NULL, 'i' },
		{ "next", required_argument, NULL, 'x' },
		{ "owner", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *status = NULL, *inspected = NULL, *next = NULL, *owner = NULL;
	char next_buf[11], err[256], actor[HISTORY_ACTOR_MAX + 1];
	int32_t days;
	int ch;

	optind = 0; /* 0: GNU getopt starts afresh (the main parse used "+") */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			status = optarg;
			break;
		case 'i':
			inspected = optarg;
			break;
		case 'x':
			next = optarg;
			break;
		case 'o':
			owner = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fputs(_("gascounty: registry set needs one SERIAL\n"), stderr);
		return 2;
	}
	if (status != NULL && strcmp(status, "active") != 0 && strcmp(status, "scrapped") != 0 &&
	    strcmp(status, "retired") != 0) {
		fputs(_("gascounty: --status must be active, scrapped or retired\n"), stderr);
		return 2;
	}
	if ((inspected != NULL && date_parse(inspected, &days) == -1) ||
	    (next != NULL && date_parse(next, &days) == -1)) {
		fputs(_("gascounty: dates are YYYY-MM-DD\n"), stderr);
		return 2;
	}
	if (command_db(c) == -1)
		return 1;
	if (inspected != NULL && next == NULL) {
		date_parse(inspected, &days);
		date_format(date_add_years(days, c->config->inspection_cycle_years), next_buf);
		next = next_buf;
	}
	if (county_registry_set(c, argv[optind], status, inspected, next, owner,
	        history_actor(actor, sizeof(actor)), err, sizeof(err)) == -1) {
		fprintf(stderr, "gascounty: %s\n", err);
		return 1;
	}
	return 0;
}

/* A number of degrees within -limit..limit from text; -1 if not one. */
static int
degrees(const char *text, double limit, double *out)
{
	char *end;

	*out = strtod(text, &end);
	return end != text && *end == '\0' && *out >= -limit && *out <= limit ? 0 : -1;
}

static int
station_set(struct county_db *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "address", required_argument, NULL, 'a' },
		{ "township", required_argument, NULL, 't' },
		{ "lat", required_argument, NULL, 'y' },
		{ "lon", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	struct station_entry e;
	struct psk_table keys;
	const char *name = NULL, *address = NULL, *township = NULL, *lat = NULL, *lon = NULL;
	char err[512], id[ACCESS_MAX_IDENTITY];
	int ch, rc, n;

	optind = 0; /* 0: GNU getopt starts afresh (the main parse used "+") */
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			name = optarg;
			break;
		case 'a':
			address = optarg;
			break;
		case 't':
			township = optarg;
			break;
		case 'y':
			lat = optarg;
			break;
		case 'x':
			lon = optarg;
			break;
		default:
			return 2;
		}
	}
	if (optind + 1 != argc) {
		fputs(_("gascounty: station set needs one station ID\n"), stderr);
		return 2;
	}
	if (name == NULL || address == NULL || township == NULL) {
		fputs(_("gascounty: station set needs --name, --address and --township\n"), stderr);
		return 2;
	}
	memset(&e, 0, sizeof(e));
	if (strlen(argv[optind]) >= sizeof(e.id) || strlen(township) >= sizeof(e.township) ||
	    strlen(name) >= sizeof(e.name) || strlen(address) >= sizeof(e.address)) {
		fprintf(stderr,
		    _("gascounty: station set: ID at most %zu bytes, --township %zu, "
		      "--name %zu, --address %zu\n"),
		    sizeof(e.id) - 1, sizeof(e.township) - 1, sizeof(e.name) - 1,
		    sizeof(e.address) - 1);
		return 2;
	}
	if ((lat == NULL) != (lon == NULL)) {
		fputs(_("gascounty: --lat and --lon go together\n"), stderr);
		return 2;
	}
	if (lat != NULL) {
		if (degrees(lat, 90, &e.lat) == -1 || degrees(lon, 180, &e.lon) == -1) {
			fputs(_("gascounty: --lat is -90..90 and --lon -180..180 (degrees)\n"),
			    stderr);
			return 2;
		}
		e.has_place = 1;
	}
	str_copy(e.id, argv[optind], sizeof(e.id));
	str_copy(e.name, name, sizeof(e.name));
	str_copy(e.address, address, sizeof(e.address));
	str_copy(e.township, township, sizeof(e.township));
	/* the county's townships are its identities township:CODE */
	if (psk_load_identities(c->config->identities, &keys, err, sizeof(err)) == -1) {
		fprintf(stderr, _("gascounty: cannot check township %s: %s\n"), township, err);
		return 1;
	}
	if (command_db(c) == -1) {
		psk_table_free(&keys);
		return 1;
	}
	c->identities = &keys;
	rc = stations_set(c, &e, time_wall_ms(), err, sizeof(err));
	n = snprintf(id, sizeof(id), "station:%s", e.id);
	if (rc == 0 && n > 0 && (size_t)n < sizeof(id) &&
	    psk_find(&keys, (const uint8_t *)id, (size_t)n) == NULL)
		fprintf(stderr,
		    _("gascounty: note: no identity %s in %s yet: the station cannot "
		      "connect until it has one\n"),
		    id, c->config->identities);
	c->identities = NULL;
	psk_table_free(&keys);
	if (rc == -1) {
		fprintf(stderr, _("gascounty: station set %s: %s\n"), e.id, err);
		return 1;
	}
	return 0;
}

static int
print_station(const struct station_entry *e, void *arg)
{
	(void)arg;
	printf("%s\t%s\t%s\t%s\t%s\t", e->id, e->township, e->registered_ms != 0 ? "yes" : "no",
	    e->name, e->address);
	if (e->has_place)
		printf("%.6f\t%.6f\n", e->lat, e->lon);
	else
		printf("\t\n");
	return 0;
}

static int
station_list(struct county_db *c, int argc, char **argv)
{
	char err[512];

	(void)argv;
	if (argc != 1) {
		fputs(_("gascounty: station list takes no arguments\n"), stderr);
		return 2;
	}
	if (command_db(c) == -1)
		return 1;
	printf("id\ttownship\tregistered\tname\taddress\tlat\tlon\n");
	if (stations_each(c, print_station, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "gascounty: %s\n", err);
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct daemon_args_spec spec = {
		.title = "gascounty configuration (gascounty -c FILE)",
		.sections = county_config_sections,
		.usage = usage,
		.print_name = "resources",
		.print = county_resources_markdown,
	};
	struct daemon_args args = { 0 };
	const struct command *cmd = NULL;
	struct county_config config;
	struct conf_report report;
	struct county_db cdb;
	int rc, words = 0, help;
	char err[512];
	sqlite3 *db = NULL;

	/* the county's own alert texts (C01..C16) are written once, in its
	 * locale, as a station's rule reasons are in gasgw's (docs/translations.md) */
	i18n_init();
	if ((rc = daemon_args_parse(argc, argv, &spec, &args)) != -1)
		return rc;
	if (optind < argc) {
		/* a command's --help needs no configuration: answer it first */
		cmd = command_find(argc - optind, argv + optind, &words, &help);
		if (cmd == NULL) {
			help = optind + 1 < argc && (strcmp(argv[optind + 1], "--help") == 0 ||
			                                strcmp(argv[optind + 1], "-h") == 0);
			if (group_usage(NULL, argv[optind]) == 0) {
				fprintf(stderr, _("gascounty: unknown command '%s'\n"),
				    argv[optind]);
				usage(stderr);
				return 2;
			}
			if (!help && optind + 1 < argc)
				fprintf(stderr, _("gascounty: unknown command '%s %s'\n"),
				    argv[optind], argv[optind + 1]);
			group_usage(help ? stdout : stderr, argv[optind]);
			return help ? 0 : 2;
		}
		if (help) {
			command_help(stdout, cmd);
			return 0;
		}
	}
	memset(&config, 0, sizeof(config));
	rc = args.config_path != NULL
	         ? conf_load(args.config_path, county_config_sections, &config, &report)
	         : conf_load_string("(defaults)", "", county_config_sections, &config, &report);
	if (rc == -1) {
		conf_report_print(&report, stderr);
		return 1;
	}
	if (args.check_only) {
		struct psk_table keys;
		struct catalogue cat;

		/* the identities file is part of the configuration: check it too */
		if (psk_load_identities(config.identities, &keys, err, sizeof(err)) == -1) {
			fprintf(stderr, "gascounty: %s\n", err);
			return 1;
		}
		/* and the catalogue, villages, map, deadlines and calendar it names */
		if (catalogue_load_county(&config, &cat, err, sizeof(err)) == -1) {
			fprintf(stderr, "gascounty: %s\n", err);
			psk_table_free(&keys);
			return 1;
		}
		log_init("gascounty", 1, LOG_LEVEL_WARN);
		if (keys.count == 0)
			log_warnx(
			    "%s holds no identity: no station, township or person can connect",
			    config.identities);
		county_townships_check(&cat, &keys, config.identities);
		county_deadlines_check(&cat, config.deadlines);
		printf(_("configuration OK (%zu identities, %zu outcomes, %zu penalty powers, %zu "
		         "report kinds, %zu villages, %zu townships mapped, %zu deadline rows, %zu "
		         "calendar days; reported codes %s)\n"),
		    keys.count, cat.noutcomes, cat.npowers, cat.nkinds, cat.nvillages,
		    cat.map.township_count, cat.ndeadlines, cat.ndays,
		    cat.code_key != NULL ? _("checked") : _("not checked"));
		catalogue_free(&cat);
		psk_table_free(&keys);
		return 0;
	}
	/* the zone of every time a person reads (checked when the file was read) */
	if (timetext_set_zone(config.timezone, err, sizeof(err)) == -1) {
		fprintf(stderr, "gascounty: %s\n", err);
		return 1;
	}
	log_init("gascounty", args.foreground || cmd != NULL,
	    county_log_level(&config, args.verbose));
	if (cmd != NULL) {
		memset(&cdb, 0, sizeof(cdb));
		cdb.config = &config;
		rc = cmd->run(&cdb, argc - optind - words + 1, argv + optind + words - 1);
		store_close(cdb.db);
		return rc;
	}
	if (store_open(config.database, schema_county, 0, &db, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (store_cache_kb(db, config.cache_mb * 1024, err, sizeof(err)) == -1)
		fatalx("%s: %s", config.database, err);
	/* Keep the working directory: a relative -c path, and relative paths
	 * in the file, are read again on SIGHUP and must still resolve. */
	if (!args.foreground && daemon(1, 0) == -1)
		fatal("daemon");
	rc = county_serve(&config, args.config_path, args.verbose, db);
	store_close(db);
	return rc;
}
