/*
 * gasgw: the station daemon.  This file handles the command line, the
 * configuration and the database; the fill lines, the control socket and
 * the uplink are started from here.
 *
 *   gasgw -c FILE [-n] [-f] [-v]
 *   gasgw --uplink-process      (started by gasgw itself: uplinkproc.h)
 *
 * Processes (docs/fill-line.md): this one commands the valves and parses
 * nothing from the network; the county link runs in a process of its own,
 * started and watched by uplink.c.
 */
#include <errno.h>
#include <libgen.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buyer.h"
#include "code.h"
#include "conf.h"
#include "daemon.h"
#include "daemonargs.h"
#include "ctl.h"
#include "gw.h"
#include "gwconf.h"
#include "i18n.h"
#include "log.h"
#include "psk.h"
#include "store.h"
#include "timetext.h"
#include "uplink.h"
#include "uplinkproc.h"
#include "util.h"

/* glibc's own initial mmap threshold, kept fixed (run(): why) */
#define MMAP_THRESHOLD (128 * 1024)
#define TRIM_THRESHOLD (32 * 1024) /* a free heap top above this is given back (run()) */

static void
kick_uplink(void *arg)
{
	uplink_kick(arg);
}

/* Start the uplink to the county when one is configured.  A failure is
 * logged, not fatal: the lines keep filling and records wait in the
 * outbox (a station is never blocked by its network). */
static void
start_uplink(struct gw *gw, int foreground)
{
	const struct gw_config *c = gw->config;
	struct uplink_config uc;
	char err[512];

	if (c->county_host[0] == '\0') {
		log_info("no [county] host: records wait in the outbox");
		return;
	}
	memset(&uc, 0, sizeof(uc));
	str_copy(uc.host, c->county_host, sizeof(uc.host));
	uc.port = c->county_port;
	str_copy(uc.station_id, c->station_id, sizeof(uc.station_id));
	str_copy(uc.township, c->township, sizeof(uc.township));
	uc.batch = c->uplink_batch;
	uc.rate = c->uplink_rate;
	uc.heartbeat_s = c->heartbeat_s;
	uc.registry_pull_s = c->registry_pull_s;
	uc.acked_keep_days = c->acked_keep_days;
	str_copy(uc.db_path, c->database, sizeof(uc.db_path));
	str_copy(uc.user, c->uplink_user, sizeof(uc.user));
	uc.log_foreground = foreground;
	if (psk_load_key(c->psk_file, uc.psk_key, sizeof(uc.psk_key), &uc.psk_key_len, err,
	        sizeof(err)) == -1 ||
	    uplink_start(&uc, &gw->uplink, err, sizeof(err)) == -1) {
		log_warnx("uplink not started: %s; records wait in the outbox", err);
		gw->uplink = NULL;
	} else {
		gw->records.outbox_added = kick_uplink;
		gw->records.outbox_arg = gw->uplink;
		log_info("uplink to %s:%d as station:%s started (its own process)", c->county_host,
		    c->county_port, c->station_id);
	}
	explicit_bzero(&uc, sizeof(uc));
}

/*
 * Run the station: records, identity keys, buses (every valve closed first),
 * crash recovery, then the control loop until a signal.  Returns the exit
 * status.
 */
static int
run(struct gw_config *config, const char *config_path, int foreground)
{
	struct gw *gw;
	char err[512];
	int listen_fd = -1, recovered = 0, status = 1;

	gw = calloc(1, sizeof(*gw));
	if (gw == NULL)
		fatalx("out of memory");
	gw->config = config;
	gw->config_path = config_path;
	gw->started_mono_ms = time_mono_ms();
	/*
	 * Large blocks always from mmap, given back when freed.  glibc raises
	 * its mmap threshold after freeing a large mapped block, so the next
	 * operator login's Argon2id check (OPAUTH_MEMORY_KIB, 19 MiB) came
	 * from the heap and stayed there: 20 MB private from the first PIN
	 * on.  Setting the threshold stops that dynamic raise.
	 */
	mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
	/*
	 * Free memory at the top of a heap goes back to the system: glibc
	 * keeps M_TOP_PAD (128 KiB) above a trimmed top, trims a thread's
	 * arena only once its free top passes M_TRIM_THRESHOLD (128 KiB), and
	 * malloc_trim leaves a thread arena's top alone; the interlock
	 * thread's arena, where the writing connection's cache pages come and
	 * go, kept about 120 kB it no longer used after a busy spell.  A
	 * heap then grows and shrinks a few pages at a time, a system call
	 * now and then at gasgw's pace of allocations.
	 */
	mallopt(M_TOP_PAD, 0);
	mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD);
	/*
	 * No bulk allocation for SQLite's page caches (Debian builds it with
	 * SQLITE_DEFAULT_PCACHE_INITSZ=20: twenty pages a connection,
	 * allocated at its first read and kept until it closes, whatever
	 * records_release_memory gives back): each page is allocated as the
	 * cache grows and freed when it is released.  Before the first
	 * connection opens: SQLite takes it only before it initialises.
	 */
	if (sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0) != SQLITE_OK)
		log_warnx("sqlite3_config: the page caches keep their bulk allocation");
	if (daemon_signals_install() == -1)
		fatal("signals");
	i18n_init();
	/* each gasctl request is answered in its operator's language; one
	 * LANGUAGE for the whole process would outvote them (i18n.h).  Before
	 * any thread: it changes the environment. */
	i18n_serve_languages(err, sizeof(err));
	if (err[0] != '\0')
		log_info("%s", err);

	if (records_open(&gw->records, config->database, config->station_id, config->township, err,
	        sizeof(err)) == -1) {
		log_warnx("%s", err);
		goto out;
	}
	log_info("station %s: database %s at schema version %d", config->station_id,
	    config->database, store_user_version(gw->records.db));
	gw->ident = gwident_open(config->code_public_key, config->buyer_key, err, sizeof(err));
	if (gw->ident == NULL) {
		log_warnx("%s", err);
		goto out;
	}
	if (gw_buses_open(gw, err, sizeof(err)) == -1 ||
	    gw_buses_start(gw, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		goto out;
	}
	/* Every valve has been commanded closed; now settle what a crash left
	 * open (docs/design.md, V3). */
	if (records_recover(&gw->records, gw_line_gross, gw, &recovered, err, sizeof(err)) == -1) {
		log_warnx("crash recovery: %s", err);
		goto out;
	}
	if (recovered > 0)
		log_warnx("crash recovery: %d fill(s) left open were recorded as interrupted",
		    recovered);
	/* Nobody is logged in after a start: a shift a crash left open ends
	 * here, and every operator logs in again with their PIN. */
	if (records_shift_close(&gw->records, 0, OPAUTH_STOP, time_wall_ms(), err, sizeof(err)) ==
	    -1)
		log_warnx("shifts left open: %s", err);
	start_uplink(gw, foreground);
	/* the start-up (configuration, profiles, checks) is over: give its
	 * freed heap back, so the private memory is what the running needs */
	malloc_trim(0);
	listen_fd = ctl_listen(config->control_socket, err, sizeof(err));
	if (listen_fd == -1) {
		log_warnx("%s", err);
		goto out;
	}
	log_info("station %s: %zu line(s) on %zu bus(es); control socket %s", config->station_id,
	    gw->line_count, gw->bus_count, config->control_socket);
	daemon_notify_ready();
	daemon_notify_status("%zu line(s) on %zu bus(es)", gw->line_count, gw->bus_count);
	ctl_run(gw, listen_fd);
	daemon_notify_stopping();
	if (records_shift_close(&gw->records, 0, OPAUTH_STOP, time_wall_ms(), err, sizeof(err)) ==
	    -1)
		log_warnx("end of shifts: %s", err);
	log_info("shutting down: closing every valve");
	status = 0;
out:
	gw_buses_stop(gw);
	if (gw->uplink != NULL) {
		gw->records.outbox_added = NULL;
		uplink_stop(gw->uplink);
	}
	if (listen_fd != -1) {
		close(listen_fd);
		unlink(config->control_socket);
	}
	gwident_close(gw->ident);
	records_close(&gw->records);
	free(gw);
	return status;
}

#define DEFAULT_CONFIG "/etc/gasgw/station.conf"

static void
usage(FILE *f)
{
	fprintf(f, "usage: gasgw [-c FILE] [-n] [-f] [-v]\n"
	           "       gasgw --example-config\n"
	           "\n"
	           "The station gateway: polls the fill lines over Modbus, runs the interlock\n"
	           "and the rules, records every fill in SQLite and reports to the county.\n"
	           "\n"
	           "  -c FILE            configuration (default " DEFAULT_CONFIG ")\n"
	           "  -n                 check the configuration and every device profile its\n"
	           "                     lines use, and exit\n"
	           "  -f                 stay in the foreground, log to stderr\n"
	           "  -v                 more detail in the log (twice: debug)\n"
	           "  --example-config   print a commented configuration with every key\n"
	           "  -h, --help         this help\n"
	           "\n"
	           "Exit status: 0 ok, 1 error, 2 bad usage.\n");
}

/*
 * What a start opens before it serves and -n did not read: the two keys and
 * the database's folder, each named by its key, so that "configuration OK"
 * means the station would start.  0, or -1 said on stderr.
 */
static int
check_files(const struct gw_config *c, const char *path)
{
	struct code_key *k;
	struct buyer_key bk;
	struct stat st;
	char err[512], folder[sizeof(c->database)];
	const char *d;

	if ((k = code_key_load_public(c->code_public_key, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s: code_public_key: %s\n", path, err);
		return -1;
	}
	code_key_free(k);
	if (buyer_key_load(c->buyer_key, &bk, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: buyer_key: %s\n", path, err);
		return -1;
	}
	explicit_bzero(&bk, sizeof(bk));
	str_copy(folder, c->database, sizeof(folder));
	d = dirname(folder);
	errno = 0;
	if (stat(d, &st) == -1 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: database %s: its folder %s: %s\n", path, c->database, d,
		    errno == 0 ? "not a folder" : strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * -n: the station's clock, as the first fill attempt would judge it
 * (rules_clock_check against the newest fill in the database, read-only).
 * A clock that is not trusted is no fault of the configuration: a warning
 * on stderr, and the check still passes.  A database that cannot be read
 * leaves the bound of 2026 alone, and says so.
 */
static void
check_clock(const struct gw_config *c, const char *path)
{
	char err[512], words[RULES_CLOCK_WORDS];
	int64_t now = time_wall_ms(), newest = 0;
	enum rules_clock verdict;

	if (records_newest_fill_at(c->database, &newest, err, sizeof(err)) == -1) {
		fprintf(stderr,
		    "%s: warning: database %s: the newest fill not read (%s): the clock was "
		    "checked against 2026 alone\n",
		    path, c->database, err);
		newest = 0;
	}
	verdict = rules_clock_check(&c->rules, now, newest);
	if (verdict == RULES_CLOCK_OK)
		return;
	rules_clock_words(verdict, &c->rules, now, newest, words, sizeof(words));
	fprintf(stderr, "%s: warning: %s\n", path, words);
}

int
main(int argc, char **argv)
{
	static const struct daemon_args_spec spec = {
		.title = "gasgw station configuration (gasgw -c FILE)",
		.sections = gw_config_sections,
		.usage = usage,
	};
	struct daemon_args args = { .config_path = DEFAULT_CONFIG };
	struct conf_report *report = NULL, *notes = NULL;
	struct gw_config *config = NULL;
	int status = 1, rc;

	/* the uplink process: before anything else reads the command line */
	if (argc > 1 && strcmp(argv[1], UPLINKPROC_FLAG) == 0)
		return uplinkproc_main();
	if ((rc = daemon_args_parse(argc, argv, &spec, &args)) != -1)
		return rc;
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	/* the reports on the heap, freed before the daemon runs: on main's
	 * stack their 33 kB, written once, stayed private memory for good */
	config = calloc(1, sizeof(*config));
	report = calloc(1, sizeof(*report));
	notes = calloc(1, sizeof(*notes));
	if (config == NULL || report == NULL || notes == NULL) {
		fprintf(stderr, "gasgw: out of memory\n");
		goto out;
	}
	/* The configuration and every profile its lines use: an error stops
	 * the start (or fails -n) here, before anything opens. */
	if (gw_config_load(args.config_path, args.check_only, config, report, notes) == -1) {
		conf_report_print_as(notes, "warning", stderr);
		conf_report_print_as(report, "error", stderr);
		fprintf(stderr, "gasgw: %s: %zu error(s)%s\n", args.config_path, report->count,
		    args.check_only ? "" : "; not started");
		goto out;
	}
	if (args.check_only && check_files(config, args.config_path) == -1)
		goto out;
	if (args.check_only) {
		conf_report_print_as(notes, "warning", stderr);
		/* the zone the clock's times are said in: the file's, checked as it was read */
		(void)timetext_set_zone(config->timezone, NULL, 0);
		check_clock(config, args.config_path);
		printf("configuration OK\n");
		status = 0;
		goto out;
	}
	/* before any thread: the zone of every time a person reads (checked
	 * when the file was read, so this cannot fail on a good file) */
	if (timetext_set_zone(config->timezone, NULL, 0) == -1) {
		fprintf(stderr, "gasgw: %s: timezone '%s' cannot be used\n", args.config_path,
		    config->timezone);
		goto out;
	}

	config->log_verbose = args.verbose;
	log_init("gasgw", args.foreground, gw_log_level(config));
	for (size_t i = 0; i < notes->count; i++)
		log_warnx("%s", notes->errors[i]);
	free(notes);
	free(report);
	notes = report = NULL;
	/* Keep the working directory: a relative -c path, and relative paths
	 * in the file, are read again on SIGHUP and must still resolve. */
	if (!args.foreground && daemon(1, 0) == -1)
		fatal("daemon");
	status = run(config, args.config_path, args.foreground);
out:
	free(notes);
	free(report);
	free(config);
	return status;
}
