/*
 * gasweb: the county's web console (command line and configuration).
 *
 *   gasweb [-c FILE] [-n] [-f] [-v]            serve HTTPS
 *   gasweb [-c FILE] passwd IDENTITY           set a person's password
 *   gasweb --example-config | --help
 *
 * The configuration is one table (web_keys below: name, type, bounds,
 * default, help); -n checks it and every file it names.  docs/console.md
 * says how the console is arranged and why it is a process of its own.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "buyer.h"
#include "daemonargs.h"
#include "i18n.h"
#include "log.h"
#include "people.h"
#include "store.h"
#include "timetext.h"
#include "util.h"
#include "web.h"

#define STR(field) offsetof(struct web_config, field), sizeof(((struct web_config *)0)->field)
#define NUM(field) offsetof(struct web_config, field), 0

static const char *const log_levels[] = { "warn", "info", "debug", NULL };

static const struct conf_key web_keys[] = {
	{ "listen", CONF_STRING, STR(listen), 1, 0, "127.0.0.1", "address to listen on (TCP)", NULL,
	    0 },
	{ "port", CONF_INT, NUM(port), 1, 65535, "8443", "TCP port (HTTPS)", NULL, 0 },
	{ "certificate", CONF_STRING, STR(certificate), 1, 0, "/etc/gasweb/cert.pem",
	    "TLS certificate chain (PEM)", NULL, 0 },
	{ "key", CONF_STRING, STR(key), 1, 0, "/etc/gasweb/key.pem",
	    "TLS private key (PEM, mode 0600)", NULL, 0 },
	{ "database", CONF_STRING, STR(database), 1, 0, "/var/lib/gascounty/county.db",
	    "the county database gascounty writes (read here; traces add audit rows)", NULL, 0 },
	{ "passwords", CONF_STRING, STR(passwords), 1, 0, "/etc/gasweb/passwords",
	    "people's argon2id password hashes (mode 0600; gasweb passwd sets them)", NULL, 0 },
	{ "map", CONF_STRING, STR(map), 1, 0, "/etc/gasweb/county-map.geojson",
	    "the county's townships (and station points) as GeoJSON", NULL, 0 },
	{ "code_key", CONF_STRING, STR(code_key), 1, 0, "/etc/gascounty/code-public.pem",
	    "the county's public code key (PEM): the check page verifies codes with it, and a "
	    "grid report's code is read to its cylinder with it, as gascounty's code_key",
	    NULL, 0 },
	{ "buyer_key", CONF_STRING, STR(buyer_key), 0, 0, "",
	    "the county buyer key, to hash a buyer's number for a trace (\"\": no buyer "
	    "traces by number)",
	    NULL, 0 },
	{ "hotline", CONF_STRING, STR(hotline), 0, 0, "12345",
	    "the county's hotline, shown on every page", NULL, 0 },
	{ "county_name", CONF_STRING, STR(county_name), 0, 0, "",
	    "the name in the page header (\"\": the console's own title)", NULL, 0 },
	{ "timezone", CONF_ZONE, STR(timezone), 0, 0, "Asia/Shanghai",
	    "the zone of every time shown and of dates typed into a trace", NULL, 0 },
	{ "threads", CONF_INT, NUM(threads), 1, 64, "8",
	    "threads answering requests (each with its own database handle)", NULL, 0 },
	{ "max_connections", CONF_INT, NUM(max_connections), 1, 10000, "200", "connections at once",
	    NULL, 0 },
	{ "per_ip", CONF_INT, NUM(per_ip), 1, 10000, "32", "connections at once from one address",
	    NULL, 0 },
	{ "timeout_s", CONF_INT, NUM(timeout_s), 1, 3600, "30",
	    "an idle connection is closed after this (s)", NULL, 0 },
	{ "session_idle_s", CONF_INT, NUM(session_idle_s), 60, 86400, "1800",
	    "a session unused this long ends (s)", NULL, 0 },
	{ "session_max_s", CONF_INT, NUM(session_max_s), 60, 604800, "43200",
	    "a session ends this long after sign-in, used or not (s)", NULL, 0 },
	{ "lockout_failures", CONF_INT, NUM(lockout_failures), 1, 100, "5",
	    "wrong passwords in a row that lock an account", NULL, 0 },
	{ "lockout_s", CONF_INT, NUM(lockout_s), 1, 86400, "900", "how long the lock holds (s)",
	    NULL, 0 },
	{ "max_sessions", CONF_INT, NUM(max_sessions), 10, 100000, "2000",
	    "sessions held at once (visitors of the sign-in page give way first)", NULL, 0 },
	{ "silent_s", CONF_INT, NUM(silent_s), 10, 604800, "900",
	    "a station not heard from for this long is drawn as silent (s)", NULL, 0 },
	{ "page_rows", CONF_INT, NUM(page_rows), 1, WIRE_MAX_RECORDS, "50",
	    "records on one page of a trace", NULL, 0 },
	{ "csv_max", CONF_INT, NUM(csv_max), 1, 10000000, "100000",
	    "records in one CSV export at most", NULL, 0 },
	{ "county_config", CONF_STRING, STR(county_config), 0, 0, "",
	    "gascounty's configuration file: the case settings (catalogue, villages, deadlines, "
	    "calendar, the case_*_min, evidence_max_kb, report_max_per_hour, person_writes_day_max, "
	    "person_evidence_day_mb, code_key) are read "
	    "from its [county] section, so that a report through the console is handled as one "
	    "through gascounty; a key below that this file sets too must say the same (\"\": "
	    "this file's own)",
	    NULL, 0 },
	{ "catalogue", CONF_STRING, STR(catalogue), 0, 0, "",
	    "the county's catalogue of outcomes and penalty powers, as gascounty's (\"\": "
	    "none, no decisions from the console)",
	    NULL, 0 },
	{ "villages", CONF_STRING, STR(villages), 0, 0, "",
	    "village,township list routing grid reports, as gascounty's (\"\": none)", NULL, 0 },
	{ "deadlines", CONF_STRING, STR(deadlines), 0, 0, "",
	    "deadlines per kind and severity, as gascounty's (\"\": the minutes below)", NULL, 0 },
	{ "calendar", CONF_STRING, STR(calendar), 0, 0, "",
	    "holidays and make-up working days, as gascounty's (\"\": Monday to Friday)", NULL, 0 },
	{ "case_alert_accept_min", CONF_INT, NUM(case_deadline_min[0]), 1, 525600, "1440",
	    "deadlines of a case, as in gascounty's configuration: alert accepted within (min)",
	    NULL, 0 },
	{ "case_alert_onsite_min", CONF_INT, NUM(case_deadline_min[1]), 1, 525600, "4320",
	    "an alert case on site within (min)", NULL, 0 },
	{ "case_alert_close_min", CONF_INT, NUM(case_deadline_min[2]), 1, 525600, "21600",
	    "an alert case closed within (min)", NULL, 0 },
	{ "case_critical_accept_min", CONF_INT, NUM(case_deadline_min[3]), 1, 525600, "30",
	    "a critical case accepted within (min)", NULL, 0 },
	{ "case_critical_onsite_min", CONF_INT, NUM(case_deadline_min[4]), 1, 525600, "120",
	    "a critical case on site within (min)", NULL, 0 },
	{ "case_critical_close_min", CONF_INT, NUM(case_deadline_min[5]), 1, 525600, "4320",
	    "a critical case closed within (min)", NULL, 0 },
	{ "evidence_max_kb", CONF_INT, NUM(evidence_max_kb), 1, 4000, "2048",
	    "one photo or document attached to a case at most (KiB)", NULL, 0 },
	{ "report_max_per_hour", CONF_INT, NUM(report_max_per_hour), 0, 10000, "30",
	    "reports one grid worker may file in any hour, here and through gascounty together "
	    "(0: no limit)",
	    NULL, 0 },
	{ "person_writes_day_max", CONF_INT, NUM(person_writes_day_max), 0, 1000000, "500",
	    "case steps and dispositions one person may write in 24 hours, here and through "
	    "gascounty together (0: no bound)",
	    NULL, 0 },
	{ "person_evidence_day_mb", CONF_INT, NUM(person_evidence_day_mb), 0, 1000000, "200",
	    "evidence one person may attach in 24 hours, here and through gascounty together "
	    "(MB; 0: no bound)",
	    NULL, 0 },
	{ "poll_s", CONF_INT, NUM(poll_s), 1, 3600, "5",
	    "the case list asks for new cases this often (s)", NULL, 0 },
	{ "user", CONF_STRING, STR(user), 0, 0, "",
	    "started as root: run as this user once the files are open (\"\": stay)", NULL, 0 },
	{ "log_level", CONF_CHOICE, STR(log_level), 0, 0, "info", "logging detail", log_levels, 0 },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
};

/* The keys gascounty's [county] section has too: with county_config, the county's file is
 * the one in force for them (county_settings). */
#define WEB(f) offsetof(struct web_config, f)
#define CTY(f) offsetof(struct county_config, f)
static const struct {
	const char *key;
	size_t web, county; /* offsets of the value in each struct */
	int is_int;         /* int, else char[256] */
} county_owned[] = {
	{ "catalogue", WEB(catalogue), CTY(catalogue), 0 },
	{ "villages", WEB(villages), CTY(villages), 0 },
	{ "deadlines", WEB(deadlines), CTY(deadlines), 0 },
	{ "calendar", WEB(calendar), CTY(calendar), 0 },
	{ "case_alert_accept_min", WEB(case_deadline_min[0]), CTY(case_alert_accept_min), 1 },
	{ "case_alert_onsite_min", WEB(case_deadline_min[1]), CTY(case_alert_onsite_min), 1 },
	{ "case_alert_close_min", WEB(case_deadline_min[2]), CTY(case_alert_close_min), 1 },
	{ "case_critical_accept_min", WEB(case_deadline_min[3]), CTY(case_critical_accept_min), 1 },
	{ "case_critical_onsite_min", WEB(case_deadline_min[4]), CTY(case_critical_onsite_min), 1 },
	{ "case_critical_close_min", WEB(case_deadline_min[5]), CTY(case_critical_close_min), 1 },
	{ "evidence_max_kb", WEB(evidence_max_kb), CTY(evidence_max_kb), 1 },
	{ "report_max_per_hour", WEB(report_max_per_hour), CTY(report_max_per_hour), 1 },
	{ "person_writes_day_max", WEB(person_writes_day_max), CTY(person_writes_day_max), 1 },
	{ "person_evidence_day_mb", WEB(person_evidence_day_mb), CTY(person_evidence_day_mb), 1 },
};
#define N_OWNED (sizeof(county_owned) / sizeof(county_owned[0]))
/* Where this file sets the keys county_config's file owns. */
struct owned_lines {
	char name[256];    /* this file's name in messages */
	int line[N_OWNED]; /* the line that sets each (0: none) */
};

/* The parser's check: note those lines into arg (a struct owned_lines). */
static void
note_owned_lines(void *root, const struct conf_where *where, struct conf_report *report, void *arg)
{
	struct owned_lines *o = arg;
	size_t i;

	(void)report;
	str_copy(o->name, conf_where_name(where), sizeof(o->name));
	for (i = 0; i < N_OWNED; i++)
		o->line[i] = conf_where_line(where, root, county_owned[i].key);
}

const struct conf_section web_config_sections[] = {
	{ "web", 0, 0, 0, 0, 0, 0, 0, "the county web console", web_keys, 0 },
	{ NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: gasweb [-c FILE] [-n] [-f] [-v]\n"
	           "       gasweb [-c FILE] passwd IDENTITY\n"
	           "       gasweb [-c FILE] passwd --remove IDENTITY\n"
	           "       gasweb --example-config | --help\n"
	           "\n"
	           "The county's web console over HTTPS: sign-in per person, the map of\n"
	           "townships and stations, a regulator's traces, and the public cylinder\n"
	           "check page (/c/CODE), the cases (/cases) and the grid report (/report).\n"
	           "\n"
	           "  -c FILE           configuration (default: built-in defaults)\n"
	           "  -n                check the configuration and the files it names, then exit\n"
	           "  -f                stay in the foreground, log to stderr\n"
	           "  -v                more detail (twice: debug)\n"
	           "  --example-config  print a commented configuration covering every key\n"
	           "\n"
	           "  passwd IDENTITY   set the password of officer:NAME@TOWNSHIP,\n"
	           "                    grid:NAME@TOWNSHIP or regulator:NAME; the password is\n"
	           "                    read from the terminal (twice, without echo) or from\n"
	           "                    the first line of standard input\n"
	           "  passwd --remove IDENTITY\n"
	           "                    remove the password of IDENTITY: its sessions end at\n"
	           "                    their next request (who may sign in at all is the\n"
	           "                    county's identities file: docs/console.md)\n");
}

/* One line of password from the terminal without echo, or from stdin. */
static int
read_password(const char *prompt, char *out, size_t size)
{
	struct termios saved, quiet;
	int tty = isatty(STDIN_FILENO), rc = 0;
	size_t len;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		if (tcgetattr(STDIN_FILENO, &saved) == 0) {
			quiet = saved;
			quiet.c_lflag &= ~(tcflag_t)ECHO;
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
		} else {
			tty = 0;
		}
	}
	if (fgets(out, (int)size, stdin) == NULL)
		rc = -1;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
		fprintf(stderr, "\n");
	}
	if (rc == -1)
		return -1;
	len = strcspn(out, "\r\n");
	if (out[len] == '\0' && len + 1 == size)
		return -1; /* longer than the buffer */
	out[len] = '\0';
	return 0;
}

/*
 * The county's settings a report and a step are handled with (routing,
 * deadlines, limits, the code key): gascounty's own file when county_config
 * names it, read with the county's table, so the two cannot disagree; else
 * this file's keys of the same names.  The map, the zone and the trace's
 * page are the console's own either way.
 */
static int
county_settings(const struct web *web, const struct owned_lines *set, struct county_config *c,
    char *err, size_t errlen)
{
	const struct web_config *w = &web->config;
	struct conf_report report;
	size_t i, bad = 0;

	memset(c, 0, sizeof(*c));
	if (w->county_config[0] != '\0' &&
	    conf_load(w->county_config, county_config_sections, c, &report) == -1) {
		conf_report_print(&report, stderr);
		return err_set(err, errlen, "county_config %s does not load: %s", w->county_config,
		    report.count > 0 ? report.errors[0] : "?");
	}
	for (i = 0; i < N_OWNED; i++) {
		const char *wv = (const char *)w + county_owned[i].web;
		char *cv = (char *)c + county_owned[i].county;
		char here[256], there[256];

		if (w->county_config[0] == '\0') { /* this file's own keys */
			if (county_owned[i].is_int)
				memcpy(cv, wv, sizeof(int));
			else
				str_copy(cv, wv, 256);
			continue;
		}
		/* a key set here too must say what the county's file says, or whoever edits
		 * this one would think a value in force that is not */
		if (set->line[i] == 0)
			continue;
		if (county_owned[i].is_int) {
			snprintf(here, sizeof(here), "%d", *(const int *)(const void *)wv);
			snprintf(there, sizeof(there), "%d", *(const int *)(const void *)cv);
		} else {
			str_copy(here, wv, sizeof(here));
			str_copy(there, cv, sizeof(there));
		}
		if (strcmp(here, there) != 0 && bad++ == 0)
			err_set(err, errlen,
			    "%s:%d: %s = %s here, but %s in county_config %s, the one in force: "
			    "remove it here",
			    set->name, set->line[i], county_owned[i].key, here, there,
			    w->county_config);
	}
	if (bad > 0)
		return -1;
	/* the check page's key reads a reported code when the county names none */
	if (c->code_key[0] == '\0')
		str_copy(c->code_key, w->code_key, sizeof(c->code_key));
	str_copy(c->township_map, w->map, sizeof(c->township_map));
	str_copy(c->timezone, w->timezone, sizeof(c->timezone));
	c->max_trace = w->page_rows;
	return 0;
}

/* The check page verifies with the key that reads a report's code (the catalogue's): when
 * county_config names its own, it must be this file's code_key, or a label the page calls
 * genuine could be refused as a report's code, or the other way round. */
static int
same_code_key(const struct web *web, const struct web_settings *s, char *err, size_t errlen)
{
	uint8_t a[CODE_PUBLIC_LEN], b[CODE_PUBLIC_LEN];
	struct code_key *own;
	int same;

	if (strcmp(s->county.code_key, web->config.code_key) == 0)
		return 0;
	if ((own = code_key_load_public(web->config.code_key, err, errlen)) == NULL)
		return -1;
	same = code_key_public_raw(own, a) == 0 &&
	       code_key_public_raw(s->catalogue.code_key, b) == 0 && memcmp(a, b, sizeof(a)) == 0;
	code_key_free(own);
	if (!same)
		return err_set(err, errlen,
		    "code_key %s and county_config's code_key %s are different keys: give both the "
		    "county's public code key",
		    web->config.code_key, s->county.code_key);
	return 0;
}

static void
settings_free(struct web_settings *s)
{
	if (s == NULL)
		return;
	catalogue_free(&s->catalogue);
	free(s);
}

/* The county's settings as the files say now, checked as at start; NULL
 * with err when they do not load or disagree with this file. */
static struct web_settings *
settings_load(const struct web *web, const struct owned_lines *set, char *err, size_t errlen)
{
	struct web_settings *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	if (county_settings(web, set, &s->county, err, errlen) == -1) {
		free(s);
		return NULL;
	}
	if (catalogue_load_county(&s->county, &s->catalogue, err, errlen) == -1) {
		free(s);
		return NULL;
	}
	if (same_code_key(web, s, err, errlen) == -1) {
		settings_free(s);
		return NULL;
	}
	s->refs = 1; /* web's own */
	return s;
}

struct web_settings *
web_settings_take(struct web *web)
{
	struct web_settings *s;

	pthread_mutex_lock(&web->settings_lock);
	s = web->settings;
	s->refs++;
	pthread_mutex_unlock(&web->settings_lock);
	return s;
}

void
web_settings_give(struct web *web, struct web_settings *s)
{
	unsigned left;

	if (s == NULL)
		return;
	pthread_mutex_lock(&web->settings_lock);
	left = --s->refs;
	pthread_mutex_unlock(&web->settings_lock);
	if (left == 0)
		settings_free(s);
}

int
web_settings_reload(struct web *web, char *err, size_t errlen)
{
	struct web_settings *s = settings_load(web, web->owned, err, errlen), *old;

	if (s == NULL)
		return -1;
	pthread_mutex_lock(&web->settings_lock);
	old = web->settings;
	web->settings = s;
	pthread_mutex_unlock(&web->settings_lock);
	web_settings_give(web, old);
	return 0;
}

struct county_db *
web_db_take(struct request *r, int snapshot)
{
	struct county_db *db = county_pool_take(&r->web->pool, snapshot);

	db->config = &r->set->county;
	return db;
}

int
web_person(struct web *web, const char *identity)
{
	struct county_db *db = county_pool_take(&web->pool, 0);
	char err[256];
	int rc = people_present(db->db, identity, err, sizeof(err));

	county_pool_give(&web->pool, db);
	if (rc == -1)
		log_warnx("%s", err);
	return rc;
}

/*
 * The township of a person's identity when the console's files (its map and
 * the village list, catalogue_township) do not name it: an account that
 * shows no case and that no case can be sent to.  1 with township set; 0
 * when they name it or the identity has none (a regulator's, or no person's).
 */
static int
township_unlisted(const struct catalogue *cat, const char *identity, char *township, size_t size)
{
	struct access_identity who;

	if (access_identity_parse((const uint8_t *)identity, strlen(identity), &who) == -1 ||
	    who.township[0] == '\0' || catalogue_township_listed(cat, who.township))
		return 0;
	str_copy(township, who.township, size);
	return 1;
}

/* The console's townships as "A, B, C" (or "none"), for a message. */
static void
townships_text(const struct catalogue *cat, char *out, size_t size)
{
	const char *t;
	size_t i, n = 0;
	int w;

	str_copy(out, "none", size);
	for (i = 0; (t = catalogue_township(cat, i)) != NULL && n < size; i++) {
		if ((w = snprintf(out + n, size - n, "%s%s", i > 0 ? ", " : "", t)) < 0)
			break;
		n += (size_t)w;
	}
}

/* Say, for each password line, a township the console's files do not name. */
static void
warn_unlisted(const struct web *web, const struct signin_passwords *passwords)
{
	const struct catalogue *cat = &web->settings->catalogue;
	char township[ACCESS_MAX_IDENTITY], all[512];
	size_t i;

	townships_text(cat, all, sizeof(all));
	for (i = 0; i < passwords->count; i++)
		if (township_unlisted(cat, passwords->rows[i].identity, township, sizeof(township)))
			log_warnx("%s: %s: township %s is neither on the map nor in the village "
			          "list, so this person sees no case and none can be sent to them "
			          "(the console's townships: %s)",
			    web->config.passwords, passwords->rows[i].identity, township, all);
}

/* Everything the console needs at start but the socket: checked by -n too. */
static int
open_files(struct web *web, const struct owned_lines *set, int check_only, char *err, size_t errlen)
{
	struct signin_passwords passwords;
	struct signin_policy policy = {
		.idle_s = web->config.session_idle_s,
		.max_s = web->config.session_max_s,
		.failures = web->config.lockout_failures,
		.lockout_s = web->config.lockout_s,
		.max_sessions = web->config.max_sessions,
	};
	struct buyer_key bk;

	if (geo_load(web->config.map, &web->map, err, errlen) == -1)
		return -1;
	geo_project(&web->map, 1000.0); /* the map's SVG is 1000 units wide */
	web->owned = set;
	if ((web->settings = settings_load(web, set, err, errlen)) == NULL)
		return -1;
	if (signin_passwords_load(web->config.passwords, &passwords, err, errlen) == -1)
		return -1;
	if (passwords.count == 0)
		log_warnx("%s: no one has a password yet (gasweb passwd IDENTITY)",
		    web->config.passwords);
	warn_unlisted(web, &passwords);
	signin_passwords_free(&passwords);
	if (web->config.buyer_key[0] != '\0') {
		if (buyer_key_load(web->config.buyer_key, &bk, err, errlen) == -1)
			return -1;
		explicit_bzero(&bk, sizeof(bk));
		web->have_buyer_key = 1;
	}
	if (web_load_tls(web, err, errlen) == -1)
		return -1;
	/* the account it drops to, so that -n finds a typo before a start does */
	if (web->config.user[0] != '\0' && getpwnam(web->config.user) == NULL)
		return err_set(err, errlen, "user '%s': no such user", web->config.user);
	if (check_only)
		return 0;
	web->store = signin_store_new(&policy);
	if (web->store == NULL)
		return err_set(err, errlen, "out of memory");
	/* device cookies (signin.h) are made under a key derived from the TLS
	 * private key: they hold across a restart and end with that key */
	signin_store_device_key(web->store, web->tls_key, strlen(web->tls_key));
	/* gascounty owns the database: it must exist and be of this program's
	 * version (opening it would otherwise create or migrate it here) */
	if (access(web->config.database, R_OK | W_OK) == -1)
		return err_set(err, errlen, "%s: %s (start gascounty first)", web->config.database,
		    strerror(errno));
	/* one handle per thread answering requests: pages read in parallel */
	return county_pool_open(&web->pool, web->config.database, (size_t)web->config.threads,
	    &web->settings->county, err, errlen);
}

/*
 * gasweb passwd: 1 (said) when IDENTITY's township is not the console's.
 * Only the files that name townships are read (the map and the village
 * list, wherever the settings take them from), so that an account can be
 * set while another file of the settings is still being prepared.
 */
static int
passwd_township_refused(const struct web *web, const struct owned_lines *set, const char *identity)
{
	struct county_config names;
	struct catalogue cat;
	struct access_identity who;
	char township[ACCESS_MAX_IDENTITY], all[512], err[512];
	int refused;

	/* a regulator has no township, and a malformed identity is signin's to refuse:
	 * neither needs the files read */
	if (access_identity_parse((const uint8_t *)identity, strlen(identity), &who) == -1 ||
	    who.township[0] == '\0')
		return 0;
	if (county_settings(web, set, &names, err, sizeof(err)) == -1)
		goto unchecked;
	names.catalogue[0] = names.deadlines[0] = names.calendar[0] = names.code_key[0] = '\0';
	if (catalogue_load_county(&names, &cat, err, sizeof(err)) == -1)
		goto unchecked;
	refused = township_unlisted(&cat, identity, township, sizeof(township));
	if (refused) {
		townships_text(&cat, all, sizeof(all));
		fprintf(stderr,
		    _("gasweb: %s: township %s is neither on the console's map nor in its village "
		      "list, so this person would see no case (its townships: %s)\n"),
		    identity, township, all);
	}
	catalogue_free(&cat);
	return refused;
unchecked:
	fprintf(stderr, _("gasweb: cannot check the township of %s: %s\n"), identity, err);
	return 1;
}

/* gasweb passwd --remove IDENTITY: 0 removed, 1 not in the file or an error. */
static int
passwd_remove(const struct web_config *config, const char *identity)
{
	char err[512];

	switch (signin_passwords_remove(config->passwords, identity, err, sizeof(err))) {
	case 0:
		printf(_("password of %s removed from %s\n"), identity, config->passwords);
		return 0;
	case 1:
		fprintf(stderr, _("gasweb: %s has no password in %s: nothing removed\n"), identity,
		    config->passwords);
		return 1;
	default:
		fprintf(stderr, "gasweb: %s\n", err);
		return 1;
	}
}

static int
cmd_passwd(const struct web *web, const struct owned_lines *set, int argc, char **argv)
{
	const struct web_config *config = &web->config;
	char pw[SIGNIN_PASSWORD_MAX + 2], again[SIGNIN_PASSWORD_MAX + 2];
	char hash[SIGNIN_HASH_MAX], err[512];
	int rc = 1;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: gasweb [-c FILE] passwd IDENTITY\n"
		       "       gasweb [-c FILE] passwd --remove IDENTITY\n\n"
		       "Set the console password of IDENTITY (officer:NAME@TOWNSHIP,\n"
		       "grid:NAME@TOWNSHIP or regulator:NAME) in the passwords file of the\n"
		       "configuration, as an argon2id hash.  At least %d characters.  The\n"
		       "running console reads the file at every sign-in.  A password signs\n"
		       "in only an identity of the county's identities file (gascounty\n"
		       "writes their names to the database's table people).\n\n"
		       "--remove takes IDENTITY's line out of the file (written anew and\n"
		       "renamed over it): its sessions end at their next request.  Exit\n"
		       "status 1 when the file has no line of IDENTITY.\n",
		    SIGNIN_PASSWORD_MIN);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--remove") == 0)
		return passwd_remove(config, argv[2]);
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: gasweb [-c FILE] passwd IDENTITY\n"
		                "       gasweb [-c FILE] passwd --remove IDENTITY\n");
		return 2;
	}
	/* asked before the password is typed: an account no case can reach is a typo */
	if (passwd_township_refused(web, set, argv[1]))
		return 1;
	if (read_password(_("password: "), pw, sizeof(pw)) == -1) {
		fprintf(stderr, _("gasweb: no password read (at most %d bytes)\n"),
		    SIGNIN_PASSWORD_MAX);
		goto out;
	}
	if (isatty(STDIN_FILENO)) {
		if (read_password(_("again: "), again, sizeof(again)) == -1 ||
		    strcmp(pw, again) != 0) {
			fprintf(stderr, _("gasweb: the two passwords differ\n"));
			goto out;
		}
	}
	if (signin_hash(pw, strlen(pw), hash, err, sizeof(err)) == -1 ||
	    signin_passwords_set(config->passwords, argv[1], hash, err, sizeof(err)) == -1) {
		fprintf(stderr, "gasweb: %s\n", err);
		goto out;
	}
	printf(_("password of %s set in %s\n"), argv[1], config->passwords);
	rc = 0;
out:
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(again, sizeof(again));
	return rc;
}

static int
drop_privileges(const char *user, char *err, size_t errlen)
{
	struct passwd *pw;

	if (getuid() != 0)
		return 0;
	if (user[0] == '\0') {
		log_warnx("running as root: set 'user' in [web] (docs/console.md)");
		return 0;
	}
	pw = getpwnam(user);
	if (pw == NULL)
		return err_set(err, errlen, "user '%s': no such user", user);
	if (setgroups(0, NULL) == -1 || setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1)
		return err_set(err, errlen, "cannot become %s: %s", user, strerror(errno));
	if (setuid(0) == 0)
		return err_set(err, errlen, "could become root again after dropping to %s", user);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct daemon_args_spec spec = {
		.title = "gasweb configuration (gasweb -c FILE)",
		.sections = web_config_sections,
		.usage = usage,
	};
	struct daemon_args args = { 0 };
	static struct web web = { .settings_lock = PTHREAD_MUTEX_INITIALIZER };
	struct owned_lines set = { .name = "" };
	struct conf_report report;
	int rc;
	char err[512];

	if ((rc = daemon_args_parse(argc, argv, &spec, &args)) != -1)
		return rc;
	if (optind < argc && strcmp(argv[optind], "passwd") != 0) {
		fprintf(stderr, "gasweb: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	{
		struct conf_input input = { .path = args.config_path,
			.name = args.config_path != NULL ? args.config_path : "(defaults)",
			.text = args.config_path != NULL ? NULL : "",
			.check = note_owned_lines,
			.arg = &set };

		rc = conf_parse(&input, web_config_sections, &web.config, &report);
	}
	if (rc == -1) {
		conf_report_print(&report, stderr);
		return 1;
	}
	log_init("gasweb", args.foreground || args.check_only || optind < argc,
	    args.verbose >= 2 || strcmp(web.config.log_level, "debug") == 0  ? LOG_LEVEL_DEBUG
	    : args.verbose == 1 || strcmp(web.config.log_level, "info") == 0 ? LOG_LEVEL_INFO
	                                                                     : LOG_LEVEL_WARN);
	if (optind < argc) {
		i18n_init();
		return cmd_passwd(&web, &set, argc - optind, argv + optind);
	}
	if (timetext_set_zone(web.config.timezone, err, sizeof(err)) == -1) {
		fprintf(stderr, "gasweb: %s\n", err);
		return 1;
	}
	if (open_files(&web, &set, args.check_only, err, sizeof(err)) == -1) {
		fprintf(stderr, "gasweb: %s\n", err);
		return 1;
	}
	if (args.check_only) {
		printf("configuration OK (%zu townships, %zu station points)\n",
		    web.map.township_count, web.map.station_count);
		if (web.config.county_config[0] != '\0')
			printf("case settings from %s\n", web.config.county_config);
		return 0;
	}
	if (drop_privileges(web.config.user, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (!args.foreground && daemon(1, 0) == -1)
		fatal("daemon");
	rc = web_serve(&web);
	log_info("database: at most %zu of %zu handles in use at once", county_pool_most(&web.pool),
	    web.pool.count);
	county_pool_close(&web.pool);
	signin_store_free(web.store);
	geo_free(&web.map);
	web_settings_give(&web, web.settings);
	return rc;
}
