/*
 * gasgw: the station daemon.  This file handles the command line, the
 * configuration and the database; the fill lines, the control socket and
 * the uplink are started from here.
 *
 *   gasgw -c FILE [-n] [-f] [-v]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "gwconf.h"
#include "log.h"
#include "store.h"

#define DEFAULT_CONFIG "/etc/gasgw/station.conf"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: gasgw [-c FILE] [-n] [-f] [-v]\n"
	    "       gasgw --example-config\n"
	    "\n"
	    "The station gateway: polls the fill lines over Modbus, runs the interlock\n"
	    "and the rules, records every fill in SQLite and reports to the county.\n"
	    "\n"
	    "  -c FILE            configuration (default " DEFAULT_CONFIG ")\n"
	    "  -n                 check the configuration and exit\n"
	    "  -f                 stay in the foreground, log to stderr\n"
	    "  -v                 more detail in the log (twice: debug)\n"
	    "  --example-config   print a commented configuration with every key\n"
	    "  -h, --help         this help\n"
	    "\n"
	    "Exit status: 0 ok, 1 error, 2 bad usage.\n");
}

int
main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "example-config", no_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = DEFAULT_CONFIG;
	int check_only = 0, foreground = 0, verbose = 0, ch;
	struct conf_report report;
	struct gw_config *config;
	char err[512];
	sqlite3 *db = NULL;

	while ((ch = getopt_long(argc, argv, "c:nfvh", long_options, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 'n':
			check_only = 1;
			break;
		case 'f':
			foreground = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'E':
			conf_write_example(stdout, "gasgw station configuration (gasgw -c FILE)",
			    gw_config_sections);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	config = calloc(1, sizeof(*config));
	if (config == NULL) {
		fprintf(stderr, "gasgw: out of memory\n");
		return 1;
	}
	if (gw_config_load(config_path, config, &report) == -1) {
		conf_report_print(&report, stderr);
		free(config);
		return 1;
	}
	if (check_only) {
		printf("configuration OK\n");
		free(config);
		return 0;
	}

	log_init("gasgw", foreground || check_only,
	    verbose >= 2 || !strcmp(config->log_level, "debug") ? LOG_LEVEL_DEBUG
	    : verbose == 1 || !strcmp(config->log_level, "info") ? LOG_LEVEL_INFO
								 : LOG_LEVEL_WARN);
	if (store_open(config->database, schema_station, 0, &db, err, sizeof(err)) == -1)
		fatalx("%s", err);
	log_info("station %s: database %s at schema version %d", config->station_id,
	    config->database, store_user_version(db));
	store_close(db);
	free(config);
	fatalx("the fill-line service is not part of this build");
}
