/*
 * gasctl dispatch, gasctl receive: a cylinder's life at the station
 * (docs/protocol.md, "Life events").  Both send one "life" request to gasgw
 * (docs/control-protocol.md), which verifies every code and records the
 * whole load in one transaction, each cylinder a record for the county.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gasctl.h"
#include "i18n.h"
#include "util.h"

#define LIFE_CODE_LINE 1024 /* longest line read from standard input */

/* Append the codes of argv[first..] to arr ("-": one a line from stdin,
 * blank lines skipped).  0, or -1 after saying why. */
static int
gather_codes(const char *name, int argc, char **argv, int first, json_t *arr)
{
	char line[LIFE_CODE_LINE];
	int i;

	for (i = first; i < argc; i++) {
		if (strcmp(argv[i], "-") != 0) {
			json_array_append_new(arr, json_string(argv[i]));
			continue;
		}
		while (fgets(line, sizeof(line), stdin) != NULL) {
			line[strcspn(line, "\r\n")] = '\0';
			if (line[0] != '\0')
				json_array_append_new(arr, json_string(line));
		}
	}
	if (json_array_size(arr) == 0) {
		gasctl_usage(name, _("no cylinder code given"));
		return -1;
	}
	return 0;
}

static int
life_command(struct gasctl *ctl, const char *name, const char *event, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "operator", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *op = NULL, *worker = NULL;
	json_t *req, *codes, *reply = NULL, *c;
	int json = 0, ch, rc, dispatch = strcmp(event, "dispatched") == 0;
	size_t i;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "o:f:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			op = optarg;
			break;
		case 'f':
			if (dispatch)
				return gasctl_usage(name, _("--from is for receive"));
			worker = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			return gasctl_help(name);
		default:
			return gasctl_usage(name, _("bad arguments"));
		}
	}
	if (op == NULL)
		return gasctl_usage(name, _("--operator CERT is required (who scans the load)"));
	if (dispatch) {
		if (optind >= argc)
			return gasctl_usage(name, _("WORKER is required"));
		worker = argv[optind++];
	}
	codes = json_array();
	if (gather_codes(name, argc, argv, optind, codes) == -1) {
		json_decref(codes);
		return GASCTL_USAGE;
	}
	req = json_pack("{s:s, s:s, s:s, s:o}", "cmd", "life", "event", event, "operator", op,
	    "codes", codes);
	if (worker != NULL)
		json_object_set_new(req, "worker", json_string(worker));
	rc = gasctl_exchange(ctl, req, &reply);
	if (rc != 0) {
		json_decref(reply);
		return GASCTL_ERROR;
	}
	if (json) {
		json_dumpf(reply, stdout, JSON_INDENT(2));
		printf("\n");
	} else {
		if (dispatch)
			printf(_("%lld cylinders dispatched to %s\n"),
			    (long long)json_integer_value(json_object_get(reply, "recorded")),
			    worker);
		else
			printf(_("%lld cylinders received\n"),
			    (long long)json_integer_value(json_object_get(reply, "recorded")));
		json_array_foreach(json_object_get(reply, "cylinders"), i, c)
		    printf("  %s  %s\n", jstr(c, "serial"), jstr(c, "uuid"));
	}
	json_decref(reply);
	return GASCTL_OK;
}

int
cmd_dispatch(struct gasctl *ctl, int argc, char **argv)
{
	return life_command(ctl, "dispatch", "dispatched", argc, argv);
}

int
cmd_receive(struct gasctl *ctl, int argc, char **argv)
{
	return life_command(ctl, "receive", "received", argc, argv);
}
