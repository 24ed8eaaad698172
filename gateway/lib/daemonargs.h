/*
 * daemonargs: the command line every daemon of ours shares (gasgw,
 * gascounty, gasweb).
 *
 *   -c FILE            the configuration file
 *   -n                 check the configuration and exit
 *   -f                 stay in the foreground, log to stderr
 *   -v                 more log (repeatable)
 *   -h, --help         the daemon's usage on stdout, exit 0
 *   --example-config   a commented example of every key, exit 0
 *
 * plus at most one more long option of the daemon's own that prints
 * something and exits 0 (gascounty's --resources).  Options end at the
 * first word that is not one, so a subcommand's own options stay its own;
 * that word and what follows are left at argv[optind] for the caller.
 */
#ifndef GAS_DAEMONARGS_H
#define GAS_DAEMONARGS_H

#include <stdio.h>

struct conf_section;

struct daemon_args {
	const char *config_path; /* -c's argument, else what the caller put here before */
	int check_only;          /* -n */
	int foreground;          /* -f */
	int verbose;             /* one per -v */
};

struct daemon_args_spec {
	const char *title;                   /* the example configuration's first line */
	const struct conf_section *sections; /* what --example-config writes */
	void (*usage)(FILE *f);              /* the daemon's usage text */
	const char *print_name;              /* NULL, or one more long option ... */
	void (*print)(FILE *f);              /* ... that writes this to stdout, exit 0 */
};

/*
 * Read the options of argv (getopt_long from argv[1]; the fields of args
 * not given keep what the caller set).  Returns -1 when the daemon should go
 * on (optind at the first word left), or the status to exit with: 0 after
 * --help, --example-config or the spec's print option (written to stdout),
 * 2 after an unknown option or a missing argument (the usage on stderr).
 */
int daemon_args_parse(int argc, char **argv, const struct daemon_args_spec *spec,
    struct daemon_args *args);

#endif
