#include "daemonargs.h"

#include <getopt.h>

#include "conf.h"

#define OPT_EXAMPLE 'E'
#define OPT_PRINT 'P'

int
daemon_args_parse(int argc, char **argv, const struct daemon_args_spec *spec,
    struct daemon_args *args)
{
	struct option long_options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "example-config", no_argument, NULL, OPT_EXAMPLE },
		{ NULL, 0, NULL, 0 }, /* the spec's own, if it has one */
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	if (spec->print_name != NULL && spec->print != NULL)
		long_options[2] = (struct option){ spec->print_name, no_argument, NULL, OPT_PRINT };

	/* '+': stop at the first word; optind 0: a fresh scan of this argv */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "+c:nfvh", long_options, NULL)) != -1) {
		switch (ch) {
		case 'c':
			args->config_path = optarg;
			break;
		case 'n':
			args->check_only = 1;
			break;
		case 'f':
			args->foreground = 1;
			break;
		case 'v':
			args->verbose++;
			break;
		case 'h':
			spec->usage(stdout);
			return 0;
		case OPT_EXAMPLE:
			conf_write_example(stdout, spec->title, spec->sections);
			return 0;
		case OPT_PRINT:
			spec->print(stdout);
			return 0;
		default:
			spec->usage(stderr);
			return 2;
		}
	}
	return -1;
}
