/*
 * gassim: the fill-line simulator.  A Modbus server (libmodbus) playing N
 * fill lines over TCP (several clients at once) and/or RTU on a serial
 * device or one end of a pty pair, with a control socket for cylinders and
 * faults and an event log of what really happened.  See docs/simulator.md.
 *
 * The wire: a pty moves bytes at once whatever its baud rate, so on RTU we
 * model the bus: a reply is written only when, on a real line at --baud, the
 * request (from its first byte) and the reply would have crossed it, at 11
 * bits a character, plus the slave's turnaround.  A master polling us then
 * sees the poll rate a real bus would give.  Requests that start less than
 * t3.5 after our last reply ended are counted as gap violations (status).
 *
 * One thread, one select loop: Modbus sockets, the RTU device, control
 * clients, and a 10 ms physics tick.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <modbus.h>

#include "log.h"
#include "sim.h"

#define MAX_TCP_CLIENTS 32
#define MAX_CONTROL_CLIENTS 8
#define TICK_MS 10
#define RTU_BUF 512

struct pending {
	int active;
	int64_t due_us;
	uint8_t req[MODBUS_RTU_MAX_ADU_LENGTH > MODBUS_TCP_MAX_ADU_LENGTH
	                ? MODBUS_RTU_MAX_ADU_LENGTH
	                : MODBUS_TCP_MAX_ADU_LENGTH];
	int len;
	struct sim_unit *unit;
};

struct tcp_client {
	int fd;
	struct pending pending;
};

struct control_client {
	int fd;
	char buf[512];
	size_t len;
};

static volatile sig_atomic_t quit;

static struct {
	const char *tcp;
	const char *rtu;
	int baud;
	char parity;
	int turnaround_ms;
	const char *control;
	const char *events;
	const char *commands_file;
	int check_only;
	int verbose;
} opt = { .baud = 19200, .parity = 'E', .turnaround_ms = 5 };

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: gassim [options]\n"
	    "Simulate N LPG fill lines (scale + valve controller each) as Modbus units.\n"
	    "  --lines N            fill lines (default 1); line L is units 2L-1 (scale) and 2L\n"
	    "                       (valve), or unit L alone with a filler profile\n"
	    "  --tcp HOST:PORT      serve Modbus TCP\n"
	    "  --rtu DEVICE         serve Modbus RTU on a serial device or pty\n"
	    "  --baud B             RTU baud rate for the simulated wire (default 19200)\n"
	    "  --parity N|E|O       RTU parity (default E)\n"
	    "  --turnaround-ms MS   slave turnaround on RTU (default 5)\n"
	    "  --profile NAME       scale-side profile (default sim-scale; a filler profile\n"
	    "                       makes each line one unit)\n"
	    "  --valve-profile NAME valve profile (default sim-valve)\n"
	    "  --profiles DIR       profile folder\n"
	    "  --line-profile L=P[,V]  line L uses profile P (and valve profile V); with any\n"
	    "                       of these, a filler line is unit 2L-1\n"
	    "  --flow KG_PER_S      nominal flow (default 0.30)\n"
	    "  --noise KG           scale noise +/- (default 0.005)\n"
	    "  --close-delay-ms MS  valve closing time (default 150)\n"
	    "  --watchdog-ms MS     initial valve watchdog timeout (default 1000)\n"
	    "  --seed N             noise seed\n"
	    "  --control PATH       control socket (line commands; see 'help')\n"
	    "  --events FILE        event log: WALL_MS LINE EVENT VALUE per line\n"
	    "  -e, --exec CMD       run a control command at start (repeatable)\n"
	    "  -c FILE              run the control commands in FILE at start\n"
	    "  -n                   check options, profiles and commands, then exit\n"
	    "  -f                   stay in the foreground (always the case)\n"
	    "  -v                   verbose (log every request)\n"
	    "  --help               this text\n"
	    "Exit: 0 ok, 1 error, 2 bad usage.\n");
}

/* ---- RTU framing ---------------------------------------------------------- */

/* Length of the request frame in buf, 0 if more bytes are needed, -1 if
 * the function code is unknown (then the frame ends at silence). */
static int
rtu_request_length(const uint8_t *buf, int len)
{
	if (len < 2)
		return 0;
	switch (buf[1]) {
	case 1:
	case 2:
	case 3:
	case 4:
	case 5:
	case 6:
		return 8;
	case 15:
	case 16:
		if (len < 7)
			return 0;
		return 9 + buf[6];
	default:
		return -1;
	}
}

/* Bytes of the reply to an RTU request (fc at req[1]): the normal reply, or
 * 5 for the exception libmodbus will send for an address out of the map. */
static int
rtu_reply_length(const uint8_t *req, const struct sim_unit *u)
{
	int addr = req[2] << 8 | req[3];
	int n = req[4] << 8 | req[5];
	int size;

	switch (req[1]) {
	case 1:
	case 5:
	case 15:
		size = u ? u->map->nb_bits : 65536;
		break;
	case 2:
		size = u ? u->map->nb_input_bits : 65536;
		break;
	case 4:
		size = u ? u->map->nb_input_registers : 65536;
		break;
	case 3:
	case 6:
	case 16:
		size = u ? u->map->nb_registers : 65536;
		break;
	default:
		return 5; /* illegal function */
	}
	if (req[1] == 5 || req[1] == 6)
		n = 1;
	if (addr + n > size)
		return 5;
	switch (req[1]) {
	case 1:
	case 2:
		return 5 + (n + 7) / 8;
	case 3:
	case 4:
		return 5 + 2 * n;
	default:
		return 8;
	}
}

static int64_t
wire_us(int bytes, int baud)
{
	return (int64_t)bytes * 11 * 1000000 / baud;
}

static int
gap_us(int baud)
{
	return baud > 19200 ? 1750 : (int)(3.5 * 11 * 1000000.0 / baud);
}

/* Send a corrupted reply: the right shape with a wrong CRC, or noise. */
static void
rtu_send_bad(int fd, struct sim *sim, const struct pending *pd, int garbage)
{
	uint8_t out[260];
	int n = rtu_reply_length(pd->req, pd->unit);
	uint16_t crc;

	if (n > (int)sizeof(out))
		n = (int)sizeof(out);
	for (int i = 0; i < n; i++)
		out[i] = (uint8_t)(rand() & 0xff);
	if (!garbage) {
		out[0] = pd->req[0];
		out[1] = pd->req[1];
		if (pd->req[1] <= 4)
			out[2] = (uint8_t)(n - 5);
		crc = mb_rtu_crc(out, (size_t)(n - 2));
		crc ^= 0x5a5a; /* wrong on purpose */
		out[n - 2] = (uint8_t)(crc & 0xff);
		out[n - 1] = (uint8_t)(crc >> 8);
	}
	(void)sim;
	if (write(fd, out, (size_t)n) < 0)
		log_warn("rtu write");
}

/* ---- serving one request ---------------------------------------------------- */

static void
reply_now(modbus_t *ctx, struct sim *sim, struct pending *pd, int rtu_fd)
{
	struct sim_unit *u = pd->unit;
	int64_t now = sim_now_ms();

	pd->active = 0;
	sim_tick(sim, now);
	if (rtu_fd >= 0 && (u->crc || u->garbage)) {
		rtu_send_bad(rtu_fd, sim, pd, u->garbage);
		return;
	}
	if (rtu_fd >= 0)
		modbus_set_slave(ctx, u->id);
	if (u->exception) {
		modbus_reply_exception(ctx, pd->req, (unsigned)u->exception);
		return;
	}
	if (modbus_reply(ctx, pd->req, pd->len, u->map) < 0)
		log_debug("reply to unit %d: %s", u->id, modbus_strerror(errno));
	sim_after_request(sim, u, now);
}

/* A request is in; decide if and when to answer.  Returns 1 if a reply is
 * pending, 0 if none will be sent. */
static int
take_request(struct sim *sim, struct pending *pd, const uint8_t *req, int len, int header,
    int64_t start_us, int rtu)
{
	int unit_id = req[header - 1];
	struct sim_unit *u = sim_unit_by_id(sim, unit_id);

	if (opt.verbose)
		log_info("request unit %d fc %d len %d", unit_id, req[header], len);
	if (u == NULL || u->dead)
		return 0;
	u->requests++;
	memcpy(pd->req, req, (size_t)len);
	pd->len = len;
	pd->unit = u;
	pd->due_us = start_us + (int64_t)u->slow_ms * 1000;
	if (rtu)
		pd->due_us += wire_us(len, opt.baud) + (int64_t)opt.turnaround_ms * 1000 +
		              wire_us(u->exception ? 5 : rtu_reply_length(req, u), opt.baud);
	pd->active = 1;
	return 1;
}

/* ---- control socket ------------------------------------------------------------ */

static int
control_listen(const char *path)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		fatalx("--control: path too long");
	strcpy(sa.sun_path, path);
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		fatal("socket");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0)
		fatal("control socket %s", path);
	return fd;
}

static int
control_input(struct sim *sim, struct control_client *c)
{
	char answer[32768];
	ssize_t n;
	char *nl;

	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	if (n <= 0)
		return -1;
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	while ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
		*nl = '\0';
		sim_command(sim, c->buf, answer, sizeof(answer));
		if (write(c->fd, answer, strlen(answer)) < 0)
			return -1;
		c->len -= (size_t)(nl + 1 - c->buf);
		memmove(c->buf, nl + 1, c->len);
	}
	if (c->len >= sizeof(c->buf) - 1)
		return -1; /* a line longer than we take */
	return 0;
}

static int
run_commands_file(struct sim *sim, const char *path)
{
	char line[512], answer[32768];
	FILE *f = fopen(path, "r");
	int lineno = 0, rc = 0;

	if (f == NULL) {
		log_warn("%s", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (sim_command(sim, line, answer, sizeof(answer)) < 0) {
			answer[strcspn(answer, "\n")] = '\0';
			log_warnx("%s:%d: %s", path, lineno, answer);
			rc = -1;
		}
	}
	fclose(f);
	return rc;
}

/* ---- main ------------------------------------------------------------------------- */

int
main(int argc, char **argv)
{
	enum {
		O_LINES = 256,
		O_TCP,
		O_RTU,
		O_BAUD,
		O_PARITY,
		O_TURN,
		O_PROFILE,
		O_VPROFILE,
		O_PDIR,
		O_LPROFILE,
		O_FLOW,
		O_NOISE,
		O_CLOSE,
		O_WD,
		O_SEED,
		O_CONTROL,
		O_EVENTS,
		O_HELP
	};
	static const struct option longopts[] = {
		{ "lines", required_argument, NULL, O_LINES },
		{ "tcp", required_argument, NULL, O_TCP },
		{ "rtu", required_argument, NULL, O_RTU },
		{ "baud", required_argument, NULL, O_BAUD },
		{ "parity", required_argument, NULL, O_PARITY },
		{ "turnaround-ms", required_argument, NULL, O_TURN },
		{ "profile", required_argument, NULL, O_PROFILE },
		{ "valve-profile", required_argument, NULL, O_VPROFILE },
		{ "profiles", required_argument, NULL, O_PDIR },
		{ "line-profile", required_argument, NULL, O_LPROFILE },
		{ "flow", required_argument, NULL, O_FLOW },
		{ "noise", required_argument, NULL, O_NOISE },
		{ "close-delay-ms", required_argument, NULL, O_CLOSE },
		{ "watchdog-ms", required_argument, NULL, O_WD },
		{ "seed", required_argument, NULL, O_SEED },
		{ "control", required_argument, NULL, O_CONTROL },
		{ "events", required_argument, NULL, O_EVENTS },
		{ "exec", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct sim_config cfg = { .lines = 1,
		.profile = "sim-scale",
		.valve_profile = "sim-valve",
		.flow = 0.30,
		.noise = 0.005,
		.close_delay_ms = 150,
		.watchdog_ms = 1000 };
	static struct sim sim;
	const char *execs[32];
	int nexecs = 0, ch;
	char err[512], answer[32768];
	char *end;
	modbus_t *tcp_ctx = NULL, *rtu_ctx = NULL;
	int listen_fd = -1, control_fd = -1, rtu_fd = -1;
	static struct tcp_client tcp[MAX_TCP_CLIENTS];
	static struct control_client ctl[MAX_CONTROL_CLIENTS];
	uint8_t rbuf[RTU_BUF];
	int rlen = 0;
	int64_t rfirst_us = 0, rlast_us = 0, rtu_free_us = 0;
	struct pending rtu_pending = { 0 };
	struct sigaction sa;

	log_init("gassim", 1, LOG_LEVEL_INFO);
	for (int i = 0; i < MAX_TCP_CLIENTS; i++)
		tcp[i].fd = -1;
	for (int i = 0; i < MAX_CONTROL_CLIENTS; i++)
		ctl[i].fd = -1;
	cfg.seed = (uint64_t)time(NULL) * 2654435761u | 1;

#define NUM(var, lo, hi, conv)                                                                     \
	do {                                                                                       \
		errno = 0;                                                                         \
		double v_ = strtod(optarg, &end);                                                  \
		if (errno || end == optarg || *end || v_ < (lo) || v_ > (hi)) {                    \
			fprintf(stderr, "gassim: bad value '%s' for %s\n", optarg,                 \
			    argv[optind - 1]);                                                     \
			return 2;                                                                  \
		}                                                                                  \
		var = conv v_;                                                                     \
	} while (0)
	while ((ch = getopt_long(argc, argv, "e:c:nfv", longopts, NULL)) != -1) {
		switch (ch) {
		case O_LINES:
			NUM(cfg.lines, 1, SIM_MAX_LINES, (int));
			break;
		case O_TCP:
			opt.tcp = optarg;
			break;
		case O_RTU:
			opt.rtu = optarg;
			break;
		case O_BAUD:
			NUM(opt.baud, 300, 4000000, (int));
			break;
		case O_PARITY:
			if (strlen(optarg) != 1 || strchr("NEO", optarg[0]) == NULL) {
				fprintf(stderr, "gassim: --parity N, E or O\n");
				return 2;
			}
			opt.parity = optarg[0];
			break;
		case O_TURN:
			NUM(opt.turnaround_ms, 0, 10000, (int));
			break;
		case O_PROFILE:
			cfg.profile = optarg;
			break;
		case O_VPROFILE:
			cfg.valve_profile = optarg;
			break;
		case O_PDIR:
			cfg.profiles_dir = optarg;
			break;
		case O_LPROFILE: {
			/* L=SCALE[,VALVE]; the strings stay in argv */
			long line = strtol(optarg, &end, 10);
			char *comma;
			if (*end != '=' || line < 1 || line > SIM_MAX_LINES || end[1] == '\0') {
				fprintf(stderr, "gassim: --line-profile LINE=PROFILE[,VALVE]\n");
				return 2;
			}
			cfg.line_profile[line - 1] = end + 1;
			if ((comma = strchr(end + 1, ',')) != NULL) {
				*comma = '\0';
				cfg.line_valve_profile[line - 1] = comma + 1;
			}
			break;
		}
		case O_FLOW:
			NUM(cfg.flow, 0, 10, (double));
			break;
		case O_NOISE:
			NUM(cfg.noise, 0, 1, (double));
			break;
		case O_CLOSE:
			NUM(cfg.close_delay_ms, 0, 60000, (int));
			break;
		case O_WD:
			NUM(cfg.watchdog_ms, 0, 65535, (int));
			break;
		case O_SEED:
			NUM(cfg.seed, 1, 1e18, (uint64_t));
			break;
		case O_CONTROL:
			opt.control = optarg;
			break;
		case O_EVENTS:
			opt.events = optarg;
			break;
		case 'e':
			if (nexecs == 32) {
				fprintf(stderr, "gassim: at most 32 -e\n");
				return 2;
			}
			execs[nexecs++] = optarg;
			break;
		case 'c':
			opt.commands_file = optarg;
			break;
		case 'n':
			opt.check_only = 1;
			break;
		case 'f':
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case O_HELP:
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
#undef NUM
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (opt.tcp == NULL && opt.rtu == NULL && !opt.check_only) {
		fprintf(stderr, "gassim: give --tcp HOST:PORT and/or --rtu DEVICE\n");
		return 2;
	}
	if (sim_init(&sim, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "gassim: %s\n", err);
		return 1;
	}
	if (opt.events != NULL && !opt.check_only) {
		if ((sim.events = fopen(opt.events, "a")) == NULL)
			fatal("%s", opt.events);
	}
	for (int i = 0; i < nexecs; i++)
		if (sim_command(&sim, execs[i], answer, sizeof(answer)) < 0) {
			fprintf(stderr, "gassim: -e '%s': %s", execs[i], answer);
			return 2;
		}
	if (opt.commands_file && run_commands_file(&sim, opt.commands_file) < 0)
		return 1;
	if (opt.check_only) {
		printf("gassim: %d line(s), profile %s: ok\n", sim.nlines, cfg.profile);
		return 0;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (opt.tcp != NULL) {
		char host[128];
		const char *colon = strrchr(opt.tcp, ':');
		long port;
		if (colon == NULL || (size_t)(colon - opt.tcp) >= sizeof(host)) {
			fprintf(stderr, "gassim: --tcp HOST:PORT\n");
			return 2;
		}
		memcpy(host, opt.tcp, (size_t)(colon - opt.tcp));
		host[colon - opt.tcp] = '\0';
		port = strtol(colon + 1, &end, 10);
		if (*end || port < 1 || port > 65535) {
			fprintf(stderr, "gassim: --tcp: bad port\n");
			return 2;
		}
		tcp_ctx = modbus_new_tcp(host, (int)port);
		if (tcp_ctx == NULL || (listen_fd = modbus_tcp_listen(tcp_ctx, 16)) < 0)
			fatalx("tcp %s: %s", opt.tcp, modbus_strerror(errno));
		modbus_set_indication_timeout(tcp_ctx, 1, 0);
	}
	if (opt.rtu != NULL) {
		rtu_ctx = modbus_new_rtu(opt.rtu, opt.baud, opt.parity, 8, 1);
		if (rtu_ctx == NULL || modbus_connect(rtu_ctx) < 0)
			fatalx("rtu %s: %s", opt.rtu, modbus_strerror(errno));
		rtu_fd = modbus_get_socket(rtu_ctx);
		sim.rtu = 1;
	}
	if (opt.control != NULL)
		control_fd = control_listen(opt.control);
	log_info("ready: %d line(s)%s%s%s%s", sim.nlines, opt.tcp ? ", tcp " : "",
	    opt.tcp ? opt.tcp : "", opt.rtu ? ", rtu " : "", opt.rtu ? opt.rtu : "");

	while (!quit) {
		fd_set rd;
		int maxfd = -1;
		int64_t t = now_us(), next_us = t + TICK_MS * 1000;
		struct timeval tv;

		FD_ZERO(&rd);
#define WATCH(fd)                                                                                  \
	do {                                                                                       \
		FD_SET(fd, &rd);                                                                   \
		if ((fd) > maxfd)                                                                  \
			maxfd = (fd);                                                              \
	} while (0)
		if (listen_fd >= 0)
			WATCH(listen_fd);
		if (control_fd >= 0)
			WATCH(control_fd);
		if (rtu_fd >= 0)
			WATCH(rtu_fd);
		for (int i = 0; i < MAX_TCP_CLIENTS; i++) {
			if (tcp[i].fd < 0)
				continue;
			if (tcp[i].pending.active) {
				if (tcp[i].pending.due_us < next_us)
					next_us = tcp[i].pending.due_us;
			} else {
				WATCH(tcp[i].fd);
			}
		}
		for (int i = 0; i < MAX_CONTROL_CLIENTS; i++)
			if (ctl[i].fd >= 0)
				WATCH(ctl[i].fd);
#undef WATCH
		if (rtu_pending.active && rtu_pending.due_us < next_us)
			next_us = rtu_pending.due_us;
		if (rlen > 0 && rlast_us + 20000 < next_us)
			next_us = rlast_us + 20000;
		if (next_us < t)
			next_us = t;
		tv.tv_sec = (next_us - t) / 1000000;
		tv.tv_usec = (next_us - t) % 1000000;
		if (select(maxfd + 1, &rd, NULL, NULL, &tv) < 0) {
			if (errno == EINTR)
				continue;
			fatal("select");
		}
		t = now_us();

		/* RTU: gather bytes, frame, schedule the reply on the simulated wire */
		if (rtu_fd >= 0 && FD_ISSET(rtu_fd, &rd)) {
			ssize_t n = read(rtu_fd, rbuf + rlen, sizeof(rbuf) - (size_t)rlen);
			if (n > 0) {
				if (rlen == 0) {
					rfirst_us = t;
					if (rtu_free_us != 0 && t < rtu_free_us)
						sim.rtu_gap_violations++;
				}
				rlen += (int)n;
				rlast_us = t;
			}
		}
		while (rtu_fd >= 0 && rlen > 0 && !rtu_pending.active) {
			int need = rtu_request_length(rbuf, rlen);
			if (need == 0 && t - rlast_us < 20000)
				break;
			if (need < 0 || need == 0)
				need = (t - rlast_us >= 20000) ? rlen : 0;
			if (need == 0 || need > rlen) {
				if (t - rlast_us >= 20000) {
					sim.rtu_bad_frames++;
					rlen = 0; /* an incomplete frame followed by silence */
				}
				break;
			}
			if (need < 4 || mb_rtu_crc(rbuf, (size_t)(need - 2)) !=
			                    (uint16_t)(rbuf[need - 2] | rbuf[need - 1] << 8)) {
				sim.rtu_bad_frames++;
				rlen = 0; /* a slave ignores a bad frame; resync on silence */
				break;
			}
			sim.rtu_requests++;
			if (!take_request(&sim, &rtu_pending, rbuf, need, 1, rfirst_us, 1) &&
			    rbuf[0] != 0)
				rtu_free_us = t + wire_us(need, opt.baud) + gap_us(opt.baud);
			memmove(rbuf, rbuf + need, (size_t)(rlen - need));
			rlen -= need;
			rfirst_us = t;
		}
		if (rtu_pending.active && now_us() >= rtu_pending.due_us) {
			/* the master cannot see the reply before we start writing it:
			 * its next request is due t3.5 after that at the earliest */
			rtu_free_us = now_us() + gap_us(opt.baud);
			reply_now(rtu_ctx, &sim, &rtu_pending, rtu_fd);
		}

		/* TCP */
		if (listen_fd >= 0 && FD_ISSET(listen_fd, &rd)) {
			int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
			int slot = -1;
			for (int i = 0; i < MAX_TCP_CLIENTS && fd >= 0; i++)
				if (tcp[i].fd < 0) {
					slot = i;
					break;
				}
			if (fd >= 0 && slot < 0) {
				log_warnx("too many tcp clients");
				close(fd);
			} else if (fd >= 0) {
				tcp[slot].fd = fd;
				tcp[slot].pending.active = 0;
			}
		}
		for (int i = 0; i < MAX_TCP_CLIENTS; i++) {
			struct tcp_client *c = &tcp[i];
			uint8_t req[MODBUS_TCP_MAX_ADU_LENGTH];
			int rc;

			if (c->fd < 0)
				continue;
			if (c->pending.active) {
				if (now_us() >= c->pending.due_us) {
					modbus_set_socket(tcp_ctx, c->fd);
					reply_now(tcp_ctx, &sim, &c->pending, -1);
				}
				continue;
			}
			if (!FD_ISSET(c->fd, &rd))
				continue;
			modbus_set_socket(tcp_ctx, c->fd);
			rc = modbus_receive(tcp_ctx, req);
			if (rc < 0) {
				close(c->fd);
				c->fd = -1;
				continue;
			}
			if (rc == 0)
				continue;
			sim.tcp_requests++;
			if (take_request(&sim, &c->pending, req, rc,
			        modbus_get_header_length(tcp_ctx), now_us(), 0) &&
			    now_us() >= c->pending.due_us)
				reply_now(tcp_ctx, &sim, &c->pending, -1);
		}

		/* control */
		if (control_fd >= 0 && FD_ISSET(control_fd, &rd)) {
			int fd = accept4(control_fd, NULL, NULL, SOCK_CLOEXEC);
			int placed = 0;
			for (int i = 0; i < MAX_CONTROL_CLIENTS && fd >= 0; i++)
				if (ctl[i].fd < 0) {
					ctl[i].fd = fd;
					ctl[i].len = 0;
					placed = 1;
					break;
				}
			if (fd >= 0 && !placed)
				close(fd);
		}
		for (int i = 0; i < MAX_CONTROL_CLIENTS; i++)
			if (ctl[i].fd >= 0 && FD_ISSET(ctl[i].fd, &rd) &&
			    control_input(&sim, &ctl[i]) < 0) {
				close(ctl[i].fd);
				ctl[i].fd = -1;
			}

		sim_tick(&sim, sim_now_ms());
	}
	log_info("stopping");
	if (opt.control != NULL)
		unlink(opt.control);
	for (int i = 0; i < MAX_TCP_CLIENTS; i++)
		if (tcp[i].fd >= 0)
			close(tcp[i].fd);
	if (listen_fd >= 0)
		close(listen_fd);
	if (tcp_ctx != NULL)
		modbus_free(tcp_ctx);
	if (rtu_ctx != NULL) {
		modbus_close(rtu_ctx);
		modbus_free(rtu_ctx);
	}
	if (sim.events != NULL)
		fclose(sim.events);
	sim_free(&sim);
	return 0;
}
