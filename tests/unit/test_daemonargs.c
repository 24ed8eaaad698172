/*
 * daemonargs: the command line gasgw, gascounty and gasweb share.  Each case
 * parses a real argv with the real getopt_long and looks at what a user
 * would see: the options taken, where the first word is left, the exit
 * status, and what went to stdout or stderr (captured in temporary files).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "daemonargs.h"

struct example {
	int port;
};

static const struct conf_key example_keys[] = {
	{ "port", CONF_INT, offsetof(struct example, port), 0, 1, 65535, "5684", "the port", NULL,
	    0 },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
};

static const struct conf_section example_sections[] = {
	{ "server", 0, 1, 0, 0, 0, 0, 0, "the server", example_keys, 0 },
	{ NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, 0 },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: testd [-c FILE] [-n] [-f] [-v]\n");
}

static void
resources(FILE *f)
{
	fprintf(f, "| method | path |\n");
}

static const struct daemon_args_spec plain = {
	.title = "testd configuration",
	.sections = example_sections,
	.usage = usage,
};

static const struct daemon_args_spec with_print = {
	.title = "testd configuration",
	.sections = example_sections,
	.usage = usage,
	.print_name = "resources",
	.print = resources,
};

/* What one parse printed. */
struct seen {
	int rc;
	char out[4096];
	char err[4096];
};

static void
slurp(FILE *f, char *buf, size_t len)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Parse argv (NULL-terminated) with stdout and stderr caught. */
static void
parse(const struct daemon_args_spec *spec, struct daemon_args *args, struct seen *seen, char **argv)
{
	FILE *out = tmpfile(), *err = tmpfile();
	int argc = 0, keep_out, keep_err;

	assert_non_null(out);
	assert_non_null(err);
	while (argv[argc] != NULL)
		argc++;
	fflush(stdout);
	fflush(stderr);
	keep_out = dup(STDOUT_FILENO);
	keep_err = dup(STDERR_FILENO);
	dup2(fileno(out), STDOUT_FILENO);
	dup2(fileno(err), STDERR_FILENO);
	seen->rc = daemon_args_parse(argc, argv, spec, args);
	fflush(stdout);
	fflush(stderr);
	dup2(keep_out, STDOUT_FILENO);
	dup2(keep_err, STDERR_FILENO);
	close(keep_out);
	close(keep_err);
	slurp(out, seen->out, sizeof(seen->out));
	slurp(err, seen->err, sizeof(seen->err));
}

static void
options_are_taken(void **state)
{
	char *argv[] = { "testd", "-c", "x.conf", "-n", "-f", "-v", "-v", NULL };
	struct daemon_args args = { 0 };
	struct seen seen;

	(void)state;
	parse(&plain, &args, &seen, argv);
	assert_int_equal(seen.rc, -1);
	assert_string_equal(args.config_path, "x.conf");
	assert_int_equal(args.check_only, 1);
	assert_int_equal(args.foreground, 1);
	assert_int_equal(args.verbose, 2);
	assert_int_equal(optind, 7);
	assert_string_equal(seen.out, "");
	assert_string_equal(seen.err, "");
}

static void
what_is_not_given_keeps_the_callers_default(void **state)
{
	char *argv[] = { "testd", "-f", NULL };
	struct daemon_args args = { .config_path = "/etc/testd.conf" };
	struct seen seen;

	(void)state;
	parse(&plain, &args, &seen, argv);
	assert_int_equal(seen.rc, -1);
	assert_string_equal(args.config_path, "/etc/testd.conf");
	assert_int_equal(args.foreground, 1);
	assert_int_equal(args.check_only, 0);
	assert_int_equal(args.verbose, 0);
}

/* A subcommand's own options stay its own: "gascounty station list -n". */
static void
options_end_at_the_first_word(void **state)
{
	char *argv[] = { "testd", "-v", "station", "list", "-n", NULL };
	struct daemon_args args = { 0 };
	struct seen seen;

	(void)state;
	parse(&plain, &args, &seen, argv);
	assert_int_equal(seen.rc, -1);
	assert_int_equal(args.verbose, 1);
	assert_int_equal(args.check_only, 0);
	assert_int_equal(optind, 2);
	assert_string_equal(argv[optind], "station");
	assert_string_equal(argv[4], "-n"); /* not moved ahead of the words */
}

static void
help_goes_to_stdout_and_exits_0(void **state)
{
	char *argv1[] = { "testd", "--help", NULL };
	char *argv2[] = { "testd", "-v", "-h", "-n", NULL };
	struct daemon_args args = { 0 };
	struct seen seen;

	(void)state;
	parse(&plain, &args, &seen, argv1);
	assert_int_equal(seen.rc, 0);
	assert_string_equal(seen.out, "usage: testd [-c FILE] [-n] [-f] [-v]\n");
	assert_string_equal(seen.err, "");
	parse(&plain, &args, &seen, argv2);
	assert_int_equal(seen.rc, 0);
	assert_non_null(strstr(seen.out, "usage: testd"));
	assert_int_equal(args.check_only, 0); /* it stopped at -h */
}

static void
the_example_configuration_covers_the_sections(void **state)
{
	char *argv[] = { "testd", "--example-config", NULL };
	struct daemon_args args = { 0 };
	struct seen seen;

	(void)state;
	parse(&plain, &args, &seen, argv);
	assert_int_equal(seen.rc, 0);
	assert_non_null(strstr(seen.out, "testd configuration"));
	assert_non_null(strstr(seen.out, "[server]"));
	assert_non_null(strstr(seen.out, "port"));
	assert_string_equal(seen.err, "");
}

/* gascounty --resources: the daemon's own option; the others refuse it. */
static void
the_daemons_own_option_is_its_alone(void **state)
{
	char *argv[] = { "testd", "--resources", NULL };
	struct daemon_args args = { 0 };
	struct seen seen;

	(void)state;
	parse(&with_print, &args, &seen, argv);
	assert_int_equal(seen.rc, 0);
	assert_string_equal(seen.out, "| method | path |\n");
	parse(&plain, &args, &seen, argv);
	assert_int_equal(seen.rc, 2);
	assert_string_equal(seen.out, "");
	assert_non_null(strstr(seen.err, "resources"));    /* getopt names it */
	assert_non_null(strstr(seen.err, "usage: testd")); /* then the usage */
}

static void
bad_usage_exits_2_with_the_usage_on_stderr(void **state)
{
	char *unknown[] = { "testd", "-x", NULL };
	char *no_file[] = { "testd", "-c", NULL };
	char *long_unknown[] = { "testd", "--config", "x", NULL };
	struct daemon_args args = { 0 };
	struct seen seen;

	(void)state;
	parse(&plain, &args, &seen, unknown);
	assert_int_equal(seen.rc, 2);
	assert_string_equal(seen.out, "");
	assert_non_null(strstr(seen.err, "usage: testd"));
	parse(&plain, &args, &seen, no_file);
	assert_int_equal(seen.rc, 2);
	assert_non_null(strstr(seen.err, "requires an argument"));
	assert_null(args.config_path);
	parse(&plain, &args, &seen, long_unknown);
	assert_int_equal(seen.rc, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_are_taken),
		cmocka_unit_test(what_is_not_given_keeps_the_callers_default),
		cmocka_unit_test(options_end_at_the_first_word),
		cmocka_unit_test(help_goes_to_stdout_and_exits_0),
		cmocka_unit_test(the_example_configuration_covers_the_sections),
		cmocka_unit_test(the_daemons_own_option_is_its_alone),
		cmocka_unit_test(bad_usage_exits_2_with_the_usage_on_stderr),
	};
	return cmocka_run_group_tests_name("daemonargs", tests, NULL, NULL);
}
