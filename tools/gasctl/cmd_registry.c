/*
 * gasctl registry import and reinstate, operators add/list, buyers add/list: the commands
 * that work on the station database directly (registry.h), not through
 * gasgw.  SQLite's WAL lets them run while gasgw is up; writes wait on
 * busy_timeout for gasgw's short transactions.
 */
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buyer.h"
#include "gasctl.h"
#include "i18n.h"
#include "opauth.h"
#include "progress.h"
#include "psk.h"
#include "records.h"
#include "registry.h"
#include "store.h"
#include "termtext.h"
#include "util.h"

enum { OPT_DB = 1000, OPT_BUYER_KEY };

/* --db and --buyer-key after the command, like before it. */
#define COMMON_OPTIONS                                                                             \
	{ "db", required_argument, NULL, OPT_DB },                                                 \
	    { "buyer-key", required_argument, NULL, OPT_BUYER_KEY },                               \
	{                                                                                          \
		"help", no_argument, NULL, 'h'                                                     \
	}

static int
common_option(struct gasctl *ctl, int ch)
{
	switch (ch) {
	case OPT_DB:
		str_copy(ctl->db_path, optarg, sizeof(ctl->db_path));
		return 1;
	case OPT_BUYER_KEY:
		str_copy(ctl->buyer_key_path, optarg, sizeof(ctl->buyer_key_path));
		return 1;
	default:
		return 0;
	}
}

/* ---- registry import ------------------------------------------------------------ */

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

/* Told only once the import is over: rows rejected or kept scrapped by an
 * import that committed; or, of one that failed, the rows found wrong before
 * it did, under a heading that says nothing was imported. */
static void
import_reject(void *arg, const char *file, unsigned long line, const char *reason, int committed)
{
	struct import_state *s = arg;

	char said[512]; /* a reason may quote the row's text */

	progress_end(&s->bar);
	if (!committed && !s->failed_said) {
		fprintf(stderr, "%s",
		    _("gasctl registry import: the import failed (the reason follows) and "
		      "nothing was imported; rows of the file found wrong before it failed, to "
		      "fix before trying again:\n"));
		s->failed_said = 1;
	}
	fprintf(stderr, "%s:%lu: %s\n", file, line, termtext_copy(said, reason, sizeof(said)));
}

int
cmd_registry_import(struct gasctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pub", required_argument, NULL, 'p' },
		{ "county", required_argument, NULL, 'C' },
		{ "cycle", required_argument, NULL, 'y' },
		{ "version", required_argument, NULL, 'v' },
		COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct registry_import_opts io = { 0 };
	struct registry_import_result res;
	struct import_state state;
	struct code_key *key = NULL;
	const char *pub = ctl->code_public_key[0] != '\0' ? ctl->code_public_key : NULL;
	char err[512], *end;
	sqlite3 *db = NULL;
	int64_t start;
	int ch, rc = GASCTL_ERROR;

	optind = 0;
	io.county = ctl->county;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (common_option(ctl, ch))
			continue;
		switch (ch) {
		case 'p':
			pub = optarg;
			break;
		case 'C':
			io.county = (uint32_t)strtoul(optarg, &end, 10);
			if (*end != '\0' || strlen(optarg) != 6)
				return gasctl_usage("registry import", "--county takes six digits");
			break;
		case 'y':
			io.cycle_years = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || io.cycle_years < 1 || io.cycle_years > 20)
				return gasctl_usage("registry import",
				    "--cycle takes 1 to 20 years");
			break;
		case 'v':
			io.registry_version = strtoll(optarg, &end, 10);
			if (*end != '\0' || io.registry_version < 0)
				return gasctl_usage("registry import",
				    "--version takes a number >= 0");
			break;
		case 'h':
			return gasctl_help("registry import");
		default:
			return gasctl_usage("registry import", _("unknown option"));
		}
	}
	if (optind + 1 != argc)
		return gasctl_usage("registry import", "one FILE.csv is required");
	if (pub != NULL && (key = code_key_load_public(pub, err, sizeof(err))) == NULL) {
		fprintf(stderr, "gasctl registry import: %s\n", err);
		return GASCTL_ERROR;
	}
	if (gasctl_open_db(ctl, &db) == -1)
		goto out;
	memset(&state, 0, sizeof(state));
	progress_init(&state.bar, stderr, "importing");
	io.key = key;
	io.progress = import_progress;
	io.reject = import_reject;
	io.arg = &state;
	start = time_mono_ms();
	if (registry_import(db, argv[optind], &io, &res, err, sizeof(err)) == -1) {
		progress_end(&state.bar);
		fprintf(stderr, "gasctl registry import: %s\n", err);
		fprintf(stderr, "%s", _("gasctl registry import: nothing imported\n"));
		goto out;
	}
	progress_end(&state.bar);
	if (res.kept_scrapped > 0)
		printf(_("%s: %lu rows: %lu added, %lu updated, %lu unchanged, %lu rejected, "
		         "%lu kept scrapped (%.2f s)%s\n"),
		    argv[optind], res.rows, res.inserted, res.updated, res.unchanged, res.rejected,
		    res.kept_scrapped, (double)(time_mono_ms() - start) / 1000.0,
		    key != NULL ? _(", codes verified") : "");
	else
		printf(_("%s: %lu rows: %lu added, %lu updated, %lu unchanged, %lu rejected "
		         "(%.2f s)%s\n"),
		    argv[optind], res.rows, res.inserted, res.updated, res.unchanged, res.rejected,
		    (double)(time_mono_ms() - start) / 1000.0,
		    key != NULL ? _(", codes verified") : "");
	if (res.kept_county > 0)
		printf(_("%s: %lu kept as the county's registry says (a file does not loosen "
		         "it)\n"),
		    argv[optind], res.kept_county);
	rc = res.rejected > 0 ? GASCTL_ERROR : GASCTL_OK;
out:
	if (db != NULL)
		store_close(db);
	code_key_free(key);
	return rc;
}

/* ---- registry reinstate ---------------------------------------------------------- */

/* The system user running gasctl, for the record: the name, or the uid. */
static void
login_name(char *out, size_t outlen)
{
	struct passwd *pw = getpwuid(getuid());

	if (pw != NULL && pw->pw_name != NULL && pw->pw_name[0] != '\0')
		str_copy(out, pw->pw_name, outlen);
	else
		snprintf(out, outlen, "uid %ld", (long)getuid());
}

/* The county decides: say so, and who brings the cylinder back.  GASCTL_ERROR. */
static int
county_decides(const char *joined, const char *serial)
{
	char said[256];

	fprintf(stderr,
	    _("gasctl registry reinstate: this station is joined to a county (%s): the county's "
	      "registry decides whether %s is scrapped, and its next pull would overrule a "
	      "reinstatement here; nothing was changed. The county's administrator brings it "
	      "back: gascounty registry set %s --status active\n"),
	    termtext_copy(said, joined, sizeof(said)), serial, serial);
	return GASCTL_ERROR;
}

int
cmd_registry_reinstate(struct gasctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'R' },
		{ "operator", required_argument, NULL, 'o' },
		COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	struct registry_reinstatement r = { 0 };
	struct records_life_stop stop;
	char err[512], login[64], was[16], joined[256], serial[CODE_SERIAL_MAX + 1],
	    pin[OPAUTH_PIN_MAX + 2];
	enum opauth_proof proof;
	int64_t locked_until;
	sqlite3 *db = NULL;
	int ch, stopped, done, rc = GASCTL_ERROR;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (common_option(ctl, ch))
			continue;
		switch (ch) {
		case 'R':
			r.reason = optarg;
			break;
		case 'o':
			r.actor = optarg;
			break;
		case 'h':
			return gasctl_help("registry reinstate");
		default:
			return gasctl_usage("registry reinstate", _("unknown option"));
		}
	}
	if (optind + 1 != argc)
		return gasctl_usage("registry reinstate", _("one SERIAL is required"));
	if (r.reason == NULL)
		return gasctl_usage("registry reinstate",
		    _("--reason TEXT is required (why the scrap is undone)"));
	if (r.actor == NULL)
		return gasctl_usage("registry reinstate",
		    _("--operator CERT is required (who undoes the scrap)"));
	r.serial = argv[optind];
	/* the serial is echoed in every message: cleaned for the terminal */
	termtext_copy(serial, r.serial, sizeof(serial));
	if (ctl->county_host[0] != '\0') {
		snprintf(joined, sizeof(joined), _("[county] host %s in %s"), ctl->county_host,
		    ctl->config_path);
		return county_decides(joined, serial);
	}
	if (gasctl_open_db(ctl, &db) == -1)
		return GASCTL_ERROR;
	/* without -c, or with a configuration that lost its [county]: the
	 * database says whether a county's registry was ever pulled here */
	if (registry_county_pulled(db)) {
		snprintf(joined, sizeof(joined),
		    _("the station database holds the county's registry version %lld"),
		    (long long)registry_version_held(db));
		rc = county_decides(joined, serial);
		goto out;
	}
	/* the operator named proves it with their PIN, as at a login and on the
	 * same count (opauth_prove): asked once the operator may act here */
	if (registry_operator_current(db, r.actor, err, sizeof(err)) == -1) {
		fprintf(stderr, _("gasctl registry reinstate: %s; nothing was changed\n"),
		    termtext_copy(joined, err, sizeof(joined)));
		goto out;
	}
	if (gasctl_read_secret(_("PIN: "), _("PIN"), pin, sizeof(pin)) == -1)
		goto out;
	proof =
	    opauth_prove(db, NULL, r.actor, pin, time_wall_ms(), &locked_until, err, sizeof(err));
	explicit_bzero(pin, sizeof(pin));
	if (proof != OPAUTH_PROVEN) {
		fprintf(stderr, _("gasctl registry reinstate: %s; nothing was changed\n"),
		    termtext_copy(joined, err, sizeof(joined)));
		goto out;
	}
	if ((stopped = records_life_stopped_db(db, r.serial, &stop, err, sizeof(err))) == -1) {
		fprintf(stderr, "gasctl registry reinstate: %s\n", err);
		goto out;
	}
	login_name(login, sizeof(login));
	r.login = login;
	r.lifts_id = stopped ? stop.id : -1;
	r.now_ms = time_wall_ms();
	done = registry_reinstate(db, &r, was, sizeof(was), err, sizeof(err));
	if (done == -1) {
		fprintf(stderr, _("gasctl registry reinstate: %s; nothing was changed\n"),
		    termtext_copy(joined, err, sizeof(joined)));
		goto out;
	}
	if (done == 0) {
		fprintf(stderr,
		    _("gasctl registry reinstate: %s is not scrapped here (the station's registry "
		      "says %s, and no scrap or failed inspection of this station stands): nothing "
		      "to undo\n"),
		    serial, termtext_copy(joined, was, sizeof(joined)));
		goto out;
	}
	if (strcmp(was, "scrapped") == 0)
		printf(_("%s: the station's registry said scrapped and says active again\n"),
		    serial);
	if (stopped)
		printf(stop.failed ? _("%s: this station's failed inspection no longer keeps the "
		                       "valve shut\n")
		                   : _("%s: this station's scrap no longer keeps the valve shut\n"),
		    serial);
	printf(_("reinstated by %s (system user %s); the reason is kept\n"), r.actor, login);
	rc = GASCTL_OK;
out:
	store_close(db);
	return rc;
}

/* ---- operators ------------------------------------------------------------------- */

int
cmd_operators_add(struct gasctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "expires", required_argument, NULL, 'e' },
		COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *name = NULL, *expires = NULL;
	char err[512];
	sqlite3 *db;
	int ch, rc = GASCTL_ERROR;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (common_option(ctl, ch))
			continue;
		switch (ch) {
		case 'n':
			name = optarg;
			break;
		case 'e':
			expires = optarg;
			break;
		case 'h':
			return gasctl_help("operators add");
		default:
			return gasctl_usage("operators add", _("unknown option"));
		}
	}
	if (optind + 1 != argc || name == NULL || expires == NULL)
		return gasctl_usage("operators add", _("CERT, --name and --expires are required"));
	if (gasctl_open_db(ctl, &db) == -1)
		return GASCTL_ERROR;
	if (registry_operator_add(db, argv[optind], name, expires, err, sizeof(err)) == -1) {
		fprintf(stderr, "gasctl operators add: %s\n", err);
	} else {
		int32_t until;

		printf(_("operator %s (%s), certificate valid until %s\n"), argv[optind], name,
		    expires);
		/* registered all the same (a record of who held it), but it opens no valve */
		if (date_parse(expires, &until) == 0 && until < date_today())
			fprintf(stderr,
			    _("gasctl operators add: warning: %s expired on %s: this operator "
			      "cannot start a fill until the certificate is renewed\n"),
			    argv[optind], expires);
		rc = GASCTL_OK;
	}
	store_close(db);
	return rc;
}

static int
no_arguments(struct gasctl *ctl, const char *name, int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (common_option(ctl, ch))
			continue;
		if (ch == 'h')
			return gasctl_help(name) == GASCTL_OK ? -2 : GASCTL_USAGE;
		return gasctl_usage(name, _("unknown option"));
	}
	if (optind != argc)
		return gasctl_usage(name, _("takes no arguments"));
	return -1;
}

struct operators_out {
	char today[11];
};

static int
print_operator(const struct registry_operator *op, void *arg)
{
	const struct operators_out *o = arg;
	/* the station's database holds what was typed or imported: cleaned for the
	 * terminal (termtext.h), as every text gasctl did not write */
	char cert[sizeof(op->cert)], expires[sizeof(op->expires)], name[sizeof(op->name)];

	printf("%-20s %-10s ", termtext_copy(cert, op->cert, sizeof(cert)),
	    termtext_copy(expires, op->expires, sizeof(expires)));
	i18n_pad(stdout,
	    op->active == 0                     ? _("inactive")
	    : strcmp(op->expires, o->today) < 0 ? _("expired")
	                                        : _("valid"),
	    8);
	printf(" %s\n", termtext_copy(name, op->name, sizeof(name)));
	/* registered before `operators add` refused such numbers (registry.c, the
	 * county's own rule): say so, or their set-aside records stay a mystery */
	if (psk_claimed_role(op->cert) != PSK_ROLE_NONE) {
		fprintf(stderr,
		    _("gasctl operators list: %s: the certificate number reads as an identity of "
		      "the county link: the county refuses every life record this operator makes "
		      "(dispatch, receipt, inspection, scrapping: set aside at the station); "
		      "register the operator under the certificate's own number\n"),
		    cert);
	}
	return 0;
}

int
cmd_operators_pin(struct gasctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	char pin[OPAUTH_PIN_MAX + 2], again[OPAUTH_PIN_MAX + 2], err[512];
	sqlite3 *db;
	int ch, rc = GASCTL_ERROR;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (common_option(ctl, ch))
			continue;
		if (ch == 'h')
			return gasctl_help("operators pin");
		return gasctl_usage("operators pin", _("unknown option"));
	}
	if (optind + 1 != argc)
		return gasctl_usage("operators pin", _("one CERT is required (the PIN is read)"));
	if (gasctl_read_secret(_("new PIN: "), _("PIN"), pin, sizeof(pin)) == -1)
		return GASCTL_ERROR;
	if (isatty(STDIN_FILENO)) {
		if (gasctl_read_secret(_("the same PIN again: "), _("PIN"), again, sizeof(again)) ==
		    -1)
			goto out;
		if (strcmp(pin, again) != 0) {
			fprintf(stderr, "%s",
			    _("gasctl operators pin: the two PINs differ; nothing "
			      "changed\n"));
			goto out;
		}
	}
	if (gasctl_open_db(ctl, &db) == -1)
		goto out;
	if (opauth_set_pin(db, argv[optind], pin, time_wall_ms(), err, sizeof(err)) == -1) {
		fprintf(stderr, "gasctl operators pin: %s\n", err);
	} else {
		printf(_("operator %s: PIN set\n"), argv[optind]);
		rc = GASCTL_OK;
	}
	store_close(db);
out:
	explicit_bzero(pin, sizeof(pin));
	explicit_bzero(again, sizeof(again));
	return rc;
}

int
cmd_operators_list(struct gasctl *ctl, int argc, char **argv)
{
	struct operators_out out;
	sqlite3 *db;
	char err[512];
	int rc;

	if ((rc = no_arguments(ctl, "operators list", argc, argv)) != -1)
		return rc == -2 ? GASCTL_OK : rc;
	if (gasctl_open_db(ctl, &db) == -1)
		return GASCTL_ERROR;
	date_format(date_today(), out.today);
	/* the headings in the person's language, padded by the columns a terminal draws */
	i18n_pad(stdout, _("CERT"), 20);
	putchar(' ');
	i18n_pad(stdout, _("EXPIRES"), 10);
	putchar(' ');
	i18n_pad(stdout, _("STATE"), 8);
	printf(" %s\n", _("NAME"));
	rc = registry_operators_list(db, print_operator, &out, err, sizeof(err));
	if (rc == -1)
		fprintf(stderr, "gasctl operators list: %s\n", err);
	store_close(db);
	return rc == -1 ? GASCTL_ERROR : GASCTL_OK;
}

/* ---- buyers ---------------------------------------------------------------------- */

int
cmd_buyers_add(struct gasctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "township", required_argument, NULL, 't' },
		{ "address", required_argument, NULL, 'a' },
		{ "business", no_argument, NULL, 'b' },
		{ "delivery", no_argument, NULL, 'D' },
		COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	const char *township = NULL, *address = "";
	enum buyer_kind kind = BUYER_ANY;
	struct buyer_number number;
	struct buyer_key key;
	char err[512], line[128], id[BUYER_ID_LEN + 1], mask[BUYER_MASK_LEN + 1];
	sqlite3 *db = NULL;
	int ch, rc = GASCTL_ERROR, parsed, delivery = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (common_option(ctl, ch))
			continue;
		switch (ch) {
		case 't':
			township = optarg;
			break;
		case 'D':
			delivery = 1;
			break;
		case 'a':
			address = optarg;
			break;
		case 'b':
			kind = BUYER_BUSINESS;
			break;
		case 'h':
			return gasctl_help("buyers add");
		default:
			return gasctl_usage("buyers add", _("unknown option"));
		}
	}
	if (optind + 1 != argc || township == NULL)
		return gasctl_usage("buyers add", _("NUMBER and --township are required"));
	if (ctl->buyer_key_path[0] == '\0')
		return gasctl_usage("buyers add", _("no county buyer key: give --buyer-key FILE "
		                                    "(or -c with buyer_key)"));
	if (buyer_key_load(ctl->buyer_key_path, &key, err, sizeof(err)) == -1) {
		fprintf(stderr, "gasctl buyers add: %s\n", err);
		return GASCTL_ERROR;
	}
	if (strcmp(argv[optind], "-") == 0) {
		if (fgets(line, sizeof(line), stdin) == NULL)
			line[0] = '\0';
		parsed = buyer_parse(line, strlen(line), kind, &number, err, sizeof(err));
		explicit_bzero(line, sizeof(line));
	} else {
		parsed = buyer_parse(argv[optind], strlen(argv[optind]), kind, &number, err,
		    sizeof(err));
		/* Wipe the argument so /proc/PID/cmdline stops showing it. */
		explicit_bzero(argv[optind], strlen(argv[optind]));
	}
	if (parsed == -1) {
		fprintf(stderr, _("gasctl buyers add: refused (R08): %s\n"), err);
		rc = GASCTL_REFUSED;
		goto out;
	}
	if (gasctl_open_db(ctl, &db) == -1)
		goto out;
	buyer_mask(&number, mask);
	/* added again without --delivery, a buyer is no longer a delivery company */
	if (registry_buyer_add(db, &key, &number, township, address, delivery, id, err,
	        sizeof(err)) == -1) {
		fprintf(stderr, "gasctl buyers add: %s\n", err);
		goto out;
	}
	printf(_("buyer %s %s %s township %s\n"), id, mask,
	    delivery ? "delivery" : buyer_kind_name(number.kind), township);
	rc = GASCTL_OK;
out:
	buyer_number_clear(&number);
	explicit_bzero(&key, sizeof(key));
	if (db != NULL)
		store_close(db);
	return rc;
}

static int
print_buyer(const struct registry_buyer *b, void *arg)
{
	/* what was typed or came with the county's deltas, cleaned (termtext.h) */
	char id[sizeof(b->id)], masked[sizeof(b->masked)], kind[sizeof(b->kind)],
	    township[sizeof(b->township)], address[sizeof(b->address)];

	(void)arg;
	printf("%-64s %-18s %-9s %-12s %s\n", termtext_copy(id, b->id, sizeof(id)),
	    termtext_copy(masked, b->masked, sizeof(masked)),
	    b->delivery ? "delivery" : termtext_copy(kind, b->kind, sizeof(kind)),
	    termtext_copy(township, b->township, sizeof(township)),
	    termtext_copy(address, b->address, sizeof(address)));
	return 0;
}

int
cmd_buyers_list(struct gasctl *ctl, int argc, char **argv)
{
	sqlite3 *db;
	char err[512];
	int rc;

	if ((rc = no_arguments(ctl, "buyers list", argc, argv)) != -1)
		return rc == -2 ? GASCTL_OK : rc;
	if (gasctl_open_db(ctl, &db) == -1)
		return GASCTL_ERROR;
	/* the headings in the person's language, padded by the columns a terminal draws; the
	 * kinds below are the words buyers add takes */
	i18n_pad(stdout, _("ID"), 64);
	putchar(' ');
	i18n_pad(stdout, _("NUMBER"), 18);
	putchar(' ');
	i18n_pad(stdout, _("KIND"), 9);
	putchar(' ');
	i18n_pad(stdout, _("TOWNSHIP"), 12);
	printf(" %s\n", _("ADDRESS"));
	rc = registry_buyers_list(db, print_buyer, NULL, err, sizeof(err));
	if (rc == -1)
		fprintf(stderr, "gasctl buyers list: %s\n", err);
	store_close(db);
	return rc == -1 ? GASCTL_ERROR : GASCTL_OK;
}
