/*
 * gasctl dispatch, receive, inspection out, inspection back, scrap: a
 * cylinder's life at the station (docs/protocol.md, "Life events").  Each
 * sends one "life" request to gasgw (docs/control-protocol.md), which
 * verifies every code and records the whole batch in one transaction, each
 * cylinder a record for the county.
 *
 * The operator named by --operator proves it with their PIN, which gasgw
 * checks as a login's, on the same count and lock-out.  It is read after
 * the arguments are checked and gasgw has answered, and before any code
 * from standard input: from the terminal without echo, or as the first line
 * of standard input; with CODE -, the codes are the lines after it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gasctl.h"
#include "i18n.h"
#include "opauth.h"
#include "termtext.h"
#include "util.h"

#define LIFE_CODE_LINE 1024 /* longest line read from standard input */

/* One command: its name, the event it records and the options it takes
 * beyond --operator and --json. */
struct life_cmd {
	const char *name;
	const char *event;
	int takes_worker;     /* dispatch: WORKER first (required); receive: --from */
	int takes_inspection; /* --result (required), --next-due (required after a pass) */
	int takes_reason;     /* --reason (required) */
};

static const struct life_cmd life_cmds[] = {
	{ "dispatch", "dispatched", 1, 0, 0 },
	{ "receive", "received", 1, 0, 0 },
	{ "inspection out", "inspection_out", 0, 0, 0 },
	{ "inspection back", "inspection_back", 0, 1, 0 },
	{ "scrap", "scrapped", 0, 0, 1 },
};

/* Append the codes of argv[first..] to arr ("-": one a line from stdin,
 * blank lines skipped; the PIN's line has been read already).  0, or -1
 * after saying why. */
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

/* What was recorded, one line, then each cylinder. */
static void
print_recorded(const struct life_cmd *lc, json_t *reply, const char *worker, const char *result,
    const char *next_due)
{
	long long n = (long long)json_integer_value(json_object_get(reply, "recorded"));
	json_t *c;
	size_t i;

	if (strcmp(lc->event, "dispatched") == 0)
		printf(_("%lld cylinders dispatched to %s\n"), n, worker);
	else if (strcmp(lc->event, "received") == 0)
		printf(_("%lld cylinders received\n"), n);
	else if (strcmp(lc->event, "inspection_out") == 0)
		printf(_("%lld cylinders sent to inspection\n"), n);
	else if (strcmp(lc->event, "inspection_back") == 0 && next_due != NULL)
		printf(_("%lld cylinders back from inspection: %s, next due %s\n"), n,
		    strcmp(result, "pass") == 0 ? _("pass") : _("fail"), next_due);
	else if (strcmp(lc->event, "inspection_back") == 0)
		printf(_("%lld cylinders back from inspection: fail, out of service\n"), n);
	else
		printf(_("%lld cylinders scrapped\n"), n);
	json_array_foreach(json_object_get(reply, "cylinders"), i, c)
	    printf("  %s  %s\n", jstr(c, "serial"), jstr(c, "uuid"));
}

static int
life_command(struct gasctl *ctl, const struct life_cmd *lc, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "operator", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, 'f' },
		{ "result", required_argument, NULL, 'r' },
		{ "next-due", required_argument, NULL, 'n' },
		{ "reason", required_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *op = NULL, *worker = NULL, *result = NULL, *next_due = NULL, *reason = NULL;
	json_t *req, *codes, *reply = NULL;
	char clock[1024], pin[OPAUTH_PIN_MAX + 2];
	int json = 0, ch, rc, dispatch = strcmp(lc->event, "dispatched") == 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "o:f:r:n:R:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			op = optarg;
			break;
		case 'f':
			if (!lc->takes_worker || dispatch)
				return gasctl_usage(lc->name, _("--from is for receive"));
			worker = optarg;
			break;
		case 'r':
		case 'n':
			if (!lc->takes_inspection)
				return gasctl_usage(lc->name,
				    _("--result and --next-due are for inspection back"));
			if (ch == 'r')
				result = optarg;
			else
				next_due = optarg;
			break;
		case 'R':
			if (!lc->takes_reason)
				return gasctl_usage(lc->name, _("--reason is for scrap"));
			reason = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			return gasctl_help(lc->name);
		default:
			return gasctl_usage(lc->name, _("bad arguments"));
		}
	}
	if (op == NULL)
		return gasctl_usage(lc->name,
		    _("--operator CERT is required (who scans the load)"));
	if (lc->takes_inspection && result == NULL)
		return gasctl_usage(lc->name, _("--result pass|fail is required"));
	if (lc->takes_inspection && strcmp(result, "pass") != 0 && strcmp(result, "fail") != 0)
		return gasctl_usage(lc->name, _("--result must be pass or fail"));
	/* a fail's date is not believed (the county scraps the cylinder): gasgw
	 * sends the day of the return when none is given */
	if (lc->takes_inspection && strcmp(result, "pass") == 0 && next_due == NULL)
		return gasctl_usage(lc->name, _("--next-due YYYY-MM-DD is required after a pass"));
	if (lc->takes_reason && reason == NULL)
		return gasctl_usage(lc->name, _("--reason TEXT is required (why it is scrapped)"));
	if (dispatch) {
		if (optind >= argc)
			return gasctl_usage(lc->name, _("WORKER is required"));
		worker = argv[optind++];
	}
	if (optind >= argc)
		return gasctl_usage(lc->name, _("no cylinder code given"));
	/* gasgw must be there before the PIN is asked for (as at a login) */
	if (gasctl_exchange(ctl, json_pack("{s:s}", "cmd", "status"), &reply) != 0) {
		json_decref(reply);
		return GASCTL_ERROR;
	}
	json_decref(reply);
	reply = NULL;
	/* first: with CODE -, the codes are the lines after the PIN's */
	if (gasctl_read_secret(_("PIN: "), _("PIN"), pin, sizeof(pin)) == -1)
		return GASCTL_ERROR;
	codes = json_array();
	if (gather_codes(lc->name, argc, argv, optind, codes) == -1) {
		explicit_bzero(pin, sizeof(pin));
		json_decref(codes);
		return GASCTL_USAGE;
	}
	req = json_pack("{s:s, s:s, s:s, s:s, s:o}", "cmd", "life", "event", lc->event, "operator",
	    op, "pin", pin, "codes", codes);
	explicit_bzero(pin, sizeof(pin));
	if (worker != NULL)
		json_object_set_new(req, "worker", json_string(worker));
	if (result != NULL)
		json_object_set_new(req, "result", json_string(result));
	if (next_due != NULL)
		json_object_set_new(req, "next_due", json_string(next_due));
	if (reason != NULL)
		json_object_set_new(req, "reason", json_string(reason));
	rc = gasctl_exchange(ctl, req, &reply);
	if (rc != 0) {
		json_decref(reply);
		return GASCTL_ERROR;
	}
	if (json) {
		json_dumpf(reply, stdout, JSON_INDENT(2));
		printf("\n");
	}
	/* from here on printed as text: the serials and a warning quote the registry's and
	 * gasgw's texts, cleaned for the terminal (termtext.h) */
	termtext_json(reply);
	if (!json)
		print_recorded(lc, reply, worker, result, next_due);
	/* a scrap under a clock gasgw does not trust is recorded all the same (its
	 * time is that clock's): said as gasctl status says it, beside the success */
	if (gasctl_clock_line(reply, clock, sizeof(clock)))
		fprintf(stderr, "gasctl: %s\n", clock);
	if (json_string_value(json_object_get(reply, "warning")) != NULL)
		fprintf(stderr, "gasctl: %s: %s\n", _("warning"),
		    json_string_value(json_object_get(reply, "warning")));
	json_decref(reply);
	return GASCTL_OK;
}

int
cmd_dispatch(struct gasctl *ctl, int argc, char **argv)
{
	return life_command(ctl, &life_cmds[0], argc, argv);
}

int
cmd_receive(struct gasctl *ctl, int argc, char **argv)
{
	return life_command(ctl, &life_cmds[1], argc, argv);
}

int
cmd_inspection_out(struct gasctl *ctl, int argc, char **argv)
{
	return life_command(ctl, &life_cmds[2], argc, argv);
}

int
cmd_inspection_back(struct gasctl *ctl, int argc, char **argv)
{
	return life_command(ctl, &life_cmds[3], argc, argv);
}

int
cmd_scrap(struct gasctl *ctl, int argc, char **argv)
{
	return life_command(ctl, &life_cmds[4], argc, argv);
}
