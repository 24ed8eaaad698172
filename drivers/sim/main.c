/*
 * gassim: the fill-line simulator.  A Modbus server playing N fill lines
 * over TCP and/or RTU, with a control socket for cylinders and faults and an
 * event log of what really happened.  See docs/simulator.md and gassim(1).
 *
 * This file is the process: the options (one table: parsing, bounds and the
 * --help text), setting up the station (sim.h), the start-up commands
 * (command.h), the servers (server.h) and the control socket (control.h),
 * and the one-thread select loop with a 10 ms physics tick.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include "command.h"
#include "control.h"
#include "log.h"
#include "server.h"
#include "sim.h"
#include "util.h"

#define TICK_MS 10
#define MAX_EXEC 32

enum exit_status { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_USAGE = 2 };

static struct sim_config cfg = { .lines = 1,
	.profile = "sim-scale",
	.valve_profile = "sim-valve",
	.flow = 0.30,
	.noise = 0.005,
	.close_delay_ms = 150,
	.watchdog_ms = 1000 };
static struct server_config bus = { .baud = 19200, .parity = 'E', .turnaround_ms = 5 };
static struct {
	const char *control, *events, *commands_file;
	const char *exec[MAX_EXEC];
	int nexec, check_only;
} opt;

/* ---- options --------------------------------------------------------------- */

enum option_kind {
	OPT_STRING, /* target: const char ** */
	OPT_INT,    /* target: int *, a whole number in [min, max] */
	OPT_DOUBLE, /* target: double *, in [min, max] */
	OPT_SEED,   /* target: uint64_t *, a whole number in [min, max] */
	OPT_FLAG,   /* target: int *, set to 1; no argument */
	OPT_OTHER,  /* parse(value) */
	OPT_HELP,
	OPT_IGNORED, /* accepted for the tools' common -f; no argument */
};

struct option_row {
	const char *name; /* long name, or NULL */
	char letter;      /* short name, or 0 */
	const char *arg;  /* what the value is called, NULL for none */
	enum option_kind kind;
	void *target;
	double min, max;
	int (*parse)(char *value, char *err, size_t errlen);
	const char *help; /* lines after the first indented by --help */
};

static int
parse_parity(char *value, char *err, size_t errlen)
{
	if (strlen(value) != 1 || strchr("NEO", value[0]) == NULL)
		return err_set(err, errlen, "'%s' is not N, E or O", value);
	bus.parity = value[0];
	return 0;
}

static int
parse_tcp(char *value, char *err, size_t errlen)
{
	char host[128];
	int port;

	if (server_parse_tcp(value, host, sizeof(host), &port, err, errlen) < 0)
		return -1;
	bus.tcp = value;
	return 0;
}

/* L=SCALE[,VALVE]: the strings stay in argv, cut at the comma. */
static int
parse_line_profile(char *value, char *err, size_t errlen)
{
	char *end, *comma;
	long line;

	errno = 0;
	line = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '=' || end[1] == '\0' || end[1] == ',')
		return err_set(err, errlen, "'%s' is not LINE=PROFILE[,VALVE]", value);
	if (line < 1 || line > SIM_MAX_LINES)
		return err_set(err, errlen, "'%s': line %ld is not 1 to %d", value, line,
		    SIM_MAX_LINES);
	cfg.line_profile[line - 1] = end + 1;
	if ((comma = strchr(end + 1, ',')) != NULL) {
		*comma = '\0';
		if (comma[1] == '\0')
			return err_set(err, errlen, "'%s': no valve profile after the comma",
			    value);
		cfg.line_valve_profile[line - 1] = comma + 1;
	}
	return 0;
}

static int
parse_exec(char *value, char *err, size_t errlen)
{
	if (opt.nexec == MAX_EXEC)
		return err_set(err, errlen, "at most %d commands", MAX_EXEC);
	opt.exec[opt.nexec++] = value;
	return 0;
}

static const struct option_row options[] = {
	{ .name = "lines",
	    .arg = "N",
	    .kind = OPT_INT,
	    .target = &cfg.lines,
	    .min = 1,
	    .max = SIM_MAX_LINES,
	    .help = "fill lines (default 1); line L is units 2L-1 (scale) and 2L\n"
	            "(valve), or unit L alone with a filler profile" },
	{ .name = "tcp",
	    .arg = "HOST:PORT",
	    .kind = OPT_OTHER,
	    .parse = parse_tcp,
	    .help = "serve Modbus TCP" },
	{ .name = "rtu",
	    .arg = "DEVICE",
	    .kind = OPT_STRING,
	    .target = &bus.rtu,
	    .help = "serve Modbus RTU on a serial device or pty" },
	{ .name = "baud",
	    .arg = "B",
	    .kind = OPT_INT,
	    .target = &bus.baud,
	    .min = 300,
	    .max = 4000000,
	    .help = "RTU baud rate for the simulated wire (default 19200)" },
	{ .name = "parity",
	    .arg = "N|E|O",
	    .kind = OPT_OTHER,
	    .parse = parse_parity,
	    .help = "RTU parity (default E)" },
	{ .name = "turnaround-ms",
	    .arg = "MS",
	    .kind = OPT_INT,
	    .target = &bus.turnaround_ms,
	    .max = 10000,
	    .help = "slave turnaround on RTU (default 5)" },
	{ .name = "profile",
	    .arg = "NAME",
	    .kind = OPT_STRING,
	    .target = &cfg.profile,
	    .help = "scale-side profile (default sim-scale; a filler profile\n"
	            "makes each line one unit)" },
	{ .name = "valve-profile",
	    .arg = "NAME",
	    .kind = OPT_STRING,
	    .target = &cfg.valve_profile,
	    .help = "valve profile (default sim-valve)" },
	{ .name = "profiles",
	    .arg = "DIR",
	    .kind = OPT_STRING,
	    .target = &cfg.profiles_dir,
	    .help = "profile folder" },
	{ .name = "line-profile",
	    .arg = "L=P[,V]",
	    .kind = OPT_OTHER,
	    .parse = parse_line_profile,
	    .help = "line L uses profile P (and valve profile V); with any\n"
	            "of these, a filler line is unit 2L-1" },
	{ .name = "flow",
	    .arg = "KG_PER_S",
	    .kind = OPT_DOUBLE,
	    .target = &cfg.flow,
	    .max = 10,
	    .help = "nominal flow (default 0.30)" },
	{ .name = "noise",
	    .arg = "KG",
	    .kind = OPT_DOUBLE,
	    .target = &cfg.noise,
	    .max = 1,
	    .help = "scale noise +/- (default 0.005)" },
	{ .name = "close-delay-ms",
	    .arg = "MS",
	    .kind = OPT_INT,
	    .target = &cfg.close_delay_ms,
	    .max = 60000,
	    .help = "valve closing time (default 150)" },
	{ .name = "watchdog-ms",
	    .arg = "MS",
	    .kind = OPT_INT,
	    .target = &cfg.watchdog_ms,
	    .max = 65535,
	    .help = "initial valve watchdog timeout (default 1000; 0 = off)" },
	{ .name = "watchdog-max-ms",
	    .arg = "MS",
	    .kind = OPT_INT,
	    .target = &cfg.watchdog_max_ms,
	    .max = 65535,
	    .help = "valve units clamp a watchdog timeout written above MS to MS, as some\n"
	            "units do (default 0: they keep what is written)" },
	{ .name = "seed",
	    .arg = "N",
	    .kind = OPT_SEED,
	    .target = &cfg.seed,
	    .min = 1,
	    .max = 1e18,
	    .help = "noise seed (default: from the clock)" },
	{ .name = "control",
	    .arg = "PATH",
	    .kind = OPT_STRING,
	    .target = &opt.control,
	    .help = "control socket (the commands below, one a line)" },
	{ .name = "events",
	    .arg = "FILE",
	    .kind = OPT_STRING,
	    .target = &opt.events,
	    .help = "event log: WALL_MS LINE EVENT VALUE per line" },
	{ .name = "exec",
	    .letter = 'e',
	    .arg = "CMD",
	    .kind = OPT_OTHER,
	    .parse = parse_exec,
	    .help = "run a control command at start (repeatable)" },
	{ .letter = 'c',
	    .arg = "FILE",
	    .kind = OPT_STRING,
	    .target = &opt.commands_file,
	    .help = "run the control commands in FILE at start" },
	{ .letter = 'n',
	    .kind = OPT_FLAG,
	    .target = &opt.check_only,
	    .help = "check options, profiles and commands, then exit" },
	{ .letter = 'f', .kind = OPT_IGNORED, .help = "stay in the foreground (always the case)" },
	{ .letter = 'v',
	    .kind = OPT_FLAG,
	    .target = &bus.verbose,
	    .help = "verbose (log every request)" },
	{ .name = "help", .letter = 'h', .kind = OPT_HELP, .help = "this text" },
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static void
usage(FILE *f)
{
	char left[40];

	fprintf(f, "usage: gassim [options]\n"
	           "Simulate N LPG fill lines (scale + valve controller each) as Modbus units.\n");
	for (size_t i = 0; i < NOPTIONS; i++) {
		const struct option_row *o = &options[i];
		const char *help = o->help;
		size_t n;

		if (o->letter && o->name)
			snprintf(left, sizeof(left), "-%c, --%s", o->letter, o->name);
		else if (o->letter)
			snprintf(left, sizeof(left), "-%c", o->letter);
		else
			snprintf(left, sizeof(left), "--%s", o->name);
		if (o->arg)
			snprintf(left + strlen(left), sizeof(left) - strlen(left), " %s", o->arg);
		fprintf(f, "  %-20s ", left);
		while ((n = strcspn(help, "\n")) < strlen(help)) {
			fprintf(f, "%.*s\n%23s", (int)n, help, "");
			help += n + 1;
		}
		fprintf(f, "%s\n", help);
	}
	fprintf(f, "Control commands (--control, -e, -c; 'help COMMAND' says more):\n");
	command_list(f, 2);
	fprintf(f, "Exit: 0 ok, 1 error, 2 bad usage.\n");
}

/* The option's name as the user wrote it, for messages. */
static const char *
spelled(const struct option_row *o, char *buf, size_t size)
{
	if (o->name != NULL)
		snprintf(buf, size, "--%s", o->name);
	else
		snprintf(buf, size, "-%c", o->letter);
	return buf;
}

static int
set_number(const struct option_row *o, const char *value, char *err, size_t errlen)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(value, &end);
	if (errno != 0 || end == value || *end != '\0' || !isfinite(d) || d < o->min ||
	    d > o->max || (o->kind != OPT_DOUBLE && d != floor(d)))
		return err_set(err, errlen, "'%s' is not a %snumber from %.15g to %.15g", value,
		    o->kind == OPT_DOUBLE ? "" : "whole ", o->min, o->max);
	if (o->kind == OPT_INT)
		*(int *)o->target = (int)d;
	else if (o->kind == OPT_SEED)
		*(uint64_t *)o->target = (uint64_t)d;
	else
		*(double *)o->target = d;
	return 0;
}

/* Parse argv into the option targets.  Returns -1 to go on, or the exit
 * status (after --help, or a usage error said on stderr). */
static int
parse_options(int argc, char **argv)
{
	struct option longopts[NOPTIONS + 1];
	char shortopts[2 * NOPTIONS + 2], name[32], err[256];
	size_t nlong = 0, nshort = 0;
	const struct option_row *o;
	int ch;

	shortopts[nshort++] = ':'; /* a missing value is reported as such */
	for (size_t i = 0; i < NOPTIONS; i++) {
		o = &options[i];
		if (o->letter) {
			shortopts[nshort++] = o->letter;
			if (o->arg)
				shortopts[nshort++] = ':';
		}
		if (o->name)
			longopts[nlong++] =
			    (struct option){ o->name, o->arg ? required_argument : no_argument,
				    NULL, o->letter ? o->letter : 256 + (int)i };
	}
	shortopts[nshort] = '\0';
	memset(&longopts[nlong], 0, sizeof(longopts[nlong]));
	opterr = 0;
	while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		if (ch == '?' || ch == ':') {
			/* a short option is in optopt; a long one is the word just read */
			if (optopt > 0 && optopt < 256)
				snprintf(name, sizeof(name), "-%c", optopt);
			else
				snprintf(name, sizeof(name), "%.30s", argv[optind - 1]);
			fprintf(stderr, "gassim: %s: %s\n", name,
			    ch == ':'       ? "needs a value"
			    : optopt >= 256 ? "takes no value"
			                    : "unknown option");
			fprintf(stderr, "usage: gassim [options] (gassim --help lists them)\n");
			return EXIT_USAGE;
		}
		o = NULL;
		for (size_t i = 0; i < NOPTIONS && o == NULL; i++)
			if (ch == 256 + (int)i || (ch < 256 && options[i].letter == ch))
				o = &options[i];
		switch (o->kind) {
		case OPT_STRING:
			*(const char **)o->target = optarg;
			continue;
		case OPT_FLAG:
			*(int *)o->target = 1;
			continue;
		case OPT_IGNORED:
			continue;
		case OPT_HELP:
			usage(stdout);
			return EXIT_OK;
		case OPT_INT:
		case OPT_DOUBLE:
		case OPT_SEED:
			if (set_number(o, optarg, err, sizeof(err)) == 0)
				continue;
			break;
		case OPT_OTHER:
			if (o->parse(optarg, err, sizeof(err)) == 0)
				continue;
			break;
		}
		fprintf(stderr, "gassim: %s: %s\n", spelled(o, name, sizeof(name)), err);
		return EXIT_USAGE;
	}
	if (optind != argc) {
		fprintf(stderr, "gassim: '%s': gassim takes no arguments, only options\n",
		    argv[optind]);
		return EXIT_USAGE;
	}
	if (bus.tcp == NULL && bus.rtu == NULL && !opt.check_only) {
		fprintf(stderr, "gassim: give --tcp HOST:PORT and/or --rtu DEVICE\n");
		return EXIT_USAGE;
	}
	return -1;
}

/* ---- set-up and the loop ------------------------------------------------------ */

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

/* The -e commands (a refused one is a usage error) and the -c file (an
 * error in the file). */
static int
run_start_commands(struct sim *sim)
{
	char answer[32768];

	for (int i = 0; i < opt.nexec; i++)
		if (command_run(sim, opt.exec[i], answer, sizeof(answer)) < 0) {
			const char *why = strstr(answer, "error: ");
			why = why != NULL ? why + strlen("error: ") : answer;
			fprintf(stderr, "gassim: -e '%s': %s", opt.exec[i], why);
			return EXIT_USAGE;
		}
	if (opt.commands_file != NULL && command_run_file(sim, opt.commands_file, stderr) < 0)
		return EXIT_ERROR;
	return EXIT_OK;
}

static void
loop(struct sim *sim, struct server *server, struct control *control)
{
	while (!quit) {
		fd_set rd;
		int maxfd = -1;
		int64_t now = server_now_us(), next = now + TICK_MS * 1000;
		struct timeval tv;

		FD_ZERO(&rd);
		server_watch(server, &rd, &maxfd, &next);
		if (control != NULL)
			control_watch(control, &rd, &maxfd);
		if (next < now)
			next = now;
		tv.tv_sec = (next - now) / 1000000;
		tv.tv_usec = (next - now) % 1000000;
		if (select(maxfd + 1, &rd, NULL, NULL, &tv) < 0) {
			if (errno == EINTR)
				continue;
			fatal("select");
		}
		server_serve(server, &rd);
		if (control != NULL)
			control_serve(control, &rd);
		sim_tick(sim, time_mono_ms());
	}
}

int
main(int argc, char **argv)
{
	static struct sim sim;
	struct server *server = NULL;
	struct control *control = NULL;
	struct sigaction sa;
	char err[512];
	int rc;

	log_init("gassim", 1, LOG_LEVEL_INFO);
	cfg.seed = (uint64_t)time(NULL) * 2654435761u | 1;
	if ((rc = parse_options(argc, argv)) >= 0)
		return rc;
	if (sim_init(&sim, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "gassim: %s\n", err);
		return EXIT_ERROR;
	}
	/* the log is open before the start-up commands, which it records */
	if (opt.events != NULL && !opt.check_only &&
	    (sim.events = fopen(opt.events, "a")) == NULL) {
		fprintf(stderr, "gassim: --events %s: %s\n", opt.events, strerror(errno));
		rc = EXIT_ERROR;
		goto out;
	}
	if ((rc = run_start_commands(&sim)) != EXIT_OK)
		goto out;
	if (opt.check_only) {
		printf("gassim: %d line(s), profile %s: ok\n", sim.nlines, cfg.profile);
		goto out;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((server = server_open(&sim, &bus, err, sizeof(err))) == NULL ||
	    (opt.control != NULL &&
	        (control = control_open(&sim, opt.control, err, sizeof(err))) == NULL)) {
		fprintf(stderr, "gassim: %s\n", err);
		rc = EXIT_ERROR;
		goto out;
	}
	log_info("ready: %d line(s)%s%s%s%s", sim.nlines, bus.tcp ? ", tcp " : "",
	    bus.tcp ? bus.tcp : "", bus.rtu ? ", rtu " : "", bus.rtu ? bus.rtu : "");
	loop(&sim, server, control);
	log_info("stopping");
out:
	control_close(control);
	server_close(server);
	if (sim.events != NULL)
		fclose(sim.events);
	sim_free(&sim);
	return rc;
}
