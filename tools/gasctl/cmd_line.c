/*
 * cmd_line: gasctl's fill-line commands (cmd_line.h).  One request per
 * connection, one JSON object per line each way; a waiting command (start,
 * fill) reads progress events, redrawing one status line on a terminal,
 * until the result.  A buyer number given as "-" is read from standard
 * input so that it does not show in the process list; it is never printed.
 */
#include "gasctl.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include "i18n.h"
#include "opauth.h"
#include "termtext.h"
#include "timetext.h"
#include "util.h"
#include "weight.h"

/* A reply is read into a buffer grown as it comes, up to REPLY_MAX: the
 * answer to fills (limit 100000, about 230 bytes a fill) is tens of MB at a
 * busy station, where 64 KiB held about 280 fills and gasctl fills failed
 * with "reply from gasgw too long". */
#define REPLY_FIRST 65536
#define REPLY_MAX (64 * 1024 * 1024)

struct conn {
	int fd;
	char *buf;
	size_t len, cap;
};

/* The socket path: the -s / $GASCTL_SOCKET / -c choice main.c made. */
static const char *socket_path;

static int
conn_open(struct conn *c)
{
	struct sockaddr_un sa;
	const char *path = socket_path;

	memset(c, 0, sizeof(*c));
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, _("gasctl: socket path too long: %s\n"), path);
		return -1;
	}
	str_copy(sa.sun_path, path, sizeof(sa.sun_path));
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd == -1 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		fprintf(stderr, _("gasctl: cannot reach gasgw at %s: %s\n"), path, strerror(errno));
		if (c->fd != -1)
			close(c->fd);
		return -1;
	}
	return 0;
}

static void
conn_close(struct conn *c)
{
	if (c->buf != NULL)
		explicit_bzero(c->buf, c->cap); /* it may have held a buyer's masked form */
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
	close(c->fd);
}

/* jansson frees without wiping: a PIN or a buyer number in a request goes first
 * (the buffer is jansson's own copy). */
static void
wipe_secrets(json_t *req)
{
	static const char *const members[] = { "pin", "number", "buyer" };
	size_t i;

	for (i = 0; json_is_object(req) && i < sizeof(members) / sizeof(members[0]); i++) {
		json_t *v = json_object_get(req, members[i]);

		if (json_is_string(v))
			explicit_bzero((char *)json_string_value(v), json_string_length(v));
	}
}

/* Send one request (consumed), in the operator's language ("lang": gasgw
 * words its reply in it, docs/control-protocol.md). */
static int
conn_send(struct conn *c, json_t *req)
{
	char lang[I18N_LANGUAGE_MAX + 1], *text;
	size_t len, off = 0;
	ssize_t n;
	int rc = 0;

	i18n_language(lang);
	if (req != NULL && lang[0] != '\0')
		json_object_set_new(req, "lang", json_string(lang));
	text = json_dumps(req, JSON_COMPACT);
	wipe_secrets(req);
	json_decref(req);
	if (text == NULL)
		return -1;
	len = strlen(text);
	while (off < len && rc == 0) {
		n = send(c->fd, text + off, len - off, MSG_NOSIGNAL);
		if (n <= 0)
			rc = -1;
		else
			off += (size_t)n;
	}
	if (rc == 0 && send(c->fd, "\n", 1, MSG_NOSIGNAL) != 1)
		rc = -1;
	explicit_bzero(text, len); /* it may carry a buyer number */
	free(text);
	if (rc == -1)
		fprintf(stderr, _("gasctl: sending to gasgw: %s\n"), strerror(errno));
	return rc;
}

/* Read the next reply object; NULL when the connection ends. */
static json_t *
conn_recv(struct conn *c)
{
	json_error_t jerr;
	json_t *obj;
	char *nl;
	size_t used;
	ssize_t n;

	for (;;) {
		nl = c->len > 0 ? memchr(c->buf, '\n', c->len) : NULL;
		if (nl != NULL) {
			used = (size_t)(nl - c->buf) + 1;
			obj = json_loadb(c->buf, used - 1, 0, &jerr);
			memmove(c->buf, c->buf + used, c->len - used);
			c->len -= used;
			if (obj == NULL)
				fprintf(stderr, _("gasctl: bad reply from gasgw: %s\n"), jerr.text);
			return obj;
		}
		if (c->len == c->cap) {
			size_t cap = c->cap == 0 ? REPLY_FIRST : c->cap * 2;
			char *grown;

			if (c->cap >= REPLY_MAX) {
				fprintf(stderr, "%s", _("gasctl: reply from gasgw too long\n"));
				return NULL;
			}
			/* not realloc: what the old buffer held is wiped, not left
			 * behind in the heap */
			if ((grown = malloc(cap)) == NULL) {
				fprintf(stderr, "%s", _("gasctl: out of memory\n"));
				return NULL;
			}
			if (c->len > 0)
				memcpy(grown, c->buf, c->len);
			if (c->buf != NULL)
				explicit_bzero(c->buf, c->cap);
			free(c->buf);
			c->buf = grown;
			c->cap = cap;
		}
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "%s", _("gasctl: gasgw closed the connection\n"));
			return NULL;
		}
		c->len += (size_t)n;
	}
}

static int
parse_line(const char *text, int *line)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end != '\0' || v < 1 || v > 999) {
		fprintf(stderr, _("gasctl: LINE must be a line number, not \"%s\"\n"), text);
		return -1;
	}
	*line = (int)v;
	return 0;
}

const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

double
jnum(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void
print_violations(json_t *o, FILE *f)
{
	json_t *arr = json_object_get(o, "violations"), *v;
	size_t i;

	json_array_foreach(arr, i, v) if (json_is_string(v))
	    fprintf(f, "%s\n", json_string_value(v));
}

/* A reply to a simple request: ok, an error, or a refusal, printed as text (its strings
 * cleaned for the terminal: a rule's text quotes the registry's owner, an operator's
 * name, termtext.h). */
static int
simple_outcome(json_t *reply, const char *ok_text)
{
	if (reply == NULL)
		return 1;
	termtext_json(reply);
	if (json_is_true(json_object_get(reply, "refused"))) {
		print_violations(reply, stdout);
		return 3;
	}
	if (!json_is_true(json_object_get(reply, "ok"))) {
		fprintf(stderr, "gasctl: %s\n", jstr(reply, "error"));
		return 1;
	}
	if (ok_text != NULL)
		printf("%s\n", ok_text);
	return 0;
}

/* Read progress until the result; print it; return the exit status. */
static int
wait_result(struct conn *c)
{
	json_t *o;
	int tty = isatty(STDOUT_FILENO), drawn = 0, rc = 1;
	const char *result;

	while ((o = conn_recv(c)) != NULL) {
		const char *event;

		termtext_json(o); /* printed as text, as simple_outcome's */
		event = jstr(o, "event");

		if (strcmp(event, "progress") == 0) {
			if (tty) {
				double net = jnum(o, "net"), target = jnum(o, "target");

				printf("\r");
				printf(_("line %lld  %-13s %8.3f / %.3f kg "),
				    (long long)json_integer_value(json_object_get(o, "line")),
				    gasctl_word(jstr(o, "state")), isnan(net) ? 0.0 : net,
				    isnan(target) ? 0.0 : target);
				printf("\033[K"); /* what a longer state left */
				fflush(stdout);
				drawn = 1;
			}
			json_decref(o);
			continue;
		}
		if (drawn)
			printf("\n");
		if (strcmp(event, "result") != 0) {
			rc = simple_outcome(o, NULL);
			if (rc == 0)
				rc = 1;
			json_decref(o);
			return rc;
		}
		result = jstr(o, "result");
		if (json_is_true(json_object_get(o, "refused"))) {
			printf("%s\n", gasctl_word("refused"));
			print_violations(o, stdout);
			rc = 3;
		} else {
			double net = jnum(o, "net");

			printf("%s", gasctl_word(result));
			if (!isnan(net))
				printf(_(": net %.3f kg (target %.3f kg)"), net, jnum(o, "target"));
			if (jstr(o, "fill")[0])
				printf(_(" fill %s"), jstr(o, "fill"));
			printf("\n");
			print_violations(o, stdout);
			if (strcmp(result, "ok") == 0 || strcmp(result, "flagged") == 0)
				rc = 0;
			else if (strcmp(result, "held") == 0)
				rc = 3;
			else
				rc = 1;
		}
		json_decref(o);
		return rc;
	}
	return 1;
}

static int
request_simple(json_t *req, const char *ok_text)
{
	struct conn c;
	json_t *reply;
	int rc;

	if (conn_open(&c) == -1) {
		json_decref(req);
		return 1;
	}
	if (conn_send(&c, req) == -1) {
		conn_close(&c);
		return 1;
	}
	reply = conn_recv(&c);
	rc = simple_outcome(reply, ok_text);
	json_decref(reply);
	conn_close(&c);
	return rc;
}

static int
usage_error(const char *name)
{
	return gasctl_usage(name, _("bad arguments"));
}

static int
wants_help(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			gasctl_help(name);
			return 1;
		}
	return 0;
}

int
gasctl_read_secret(const char *prompt, const char *what, char *out, size_t outlen)
{
	struct termios saved, quiet;
	int tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	char *got;
	size_t n;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		fflush(stderr);
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	got = fgets(out, (int)outlen, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
		fprintf(stderr, "\n");
	}
	if (got == NULL) {
		explicit_bzero(out, outlen);
		fprintf(stderr, _("gasctl: no %s on standard input\n"), what);
		return -1;
	}
	n = strcspn(out, "\r\n");
	/* a line longer than out: the rest is not the next line's (a life
	 * command's codes follow the PIN); what is kept is too long for gasgw */
	if (out[n] == '\0' && !feof(stdin)) {
		int ch;

		while ((ch = getchar()) != EOF && ch != '\n')
			;
	}
	out[n] = '\0';
	return 0;
}

/* Read a buyer number from stdin (one line) into out. */
static int
read_secret(char *out, size_t outlen)
{
	return gasctl_read_secret(_("buyer number: "), _("buyer number"), out, outlen);
}

static int exchange(json_t *req, json_t **reply);

/*
 * Before a buyer number or a PIN is asked for: gasgw must be there and have
 * the line, so that an operator who typed a wrong line number is told so
 * first, not after typing the number (which gasgw would then refuse for the
 * line all the same).  0, or 1 with the reason printed.  The line's state
 * is gasgw's to judge when the request comes: it may change meanwhile.
 */
static int
line_known(int line)
{
	json_t *reply, *l;
	size_t i;
	int found = 0;

	if (exchange(json_pack("{s:s}", "cmd", "status"), &reply) != 0) {
		json_decref(reply);
		return 1;
	}
	json_array_foreach(json_object_get(reply, "lines"), i, l)
	{
		if (json_integer_value(json_object_get(l, "line")) == line)
			found = 1;
	}
	json_decref(reply);
	if (found)
		return 0;
	/* gasgw's own words for it, from the same catalogue */
	fprintf(stderr, "gasctl: ");
	fprintf(stderr, _("no line %d"), line);
	fprintf(stderr, "\n");
	return 1;
}

int
cmd_login(struct gasctl *ctl, int argc, char **argv)
{
	const char *u = "login";
	char pin[OPAUTH_PIN_MAX + 2];
	int line, rc;
	socket_path = ctl->control_socket;

	if (wants_help(argc, argv, u))
		return 0;
	if (argc != 3 || parse_line(argv[1], &line) == -1)
		return usage_error(u);
	if (line_known(line) != 0)
		return 1;
	if (gasctl_read_secret(_("PIN: "), _("PIN"), pin, sizeof(pin)) == -1)
		return 1;
	rc = request_simple(json_pack("{s:s, s:i, s:s, s:s}", "cmd", "login", "line", line, "cert",
	                        argv[2], "pin", pin),
	    _("logged in"));
	explicit_bzero(pin, sizeof(pin));
	return rc;
}

/* A command whose only argument is the line (stop, logout). */
static int
line_command(struct gasctl *ctl, int argc, char **argv, const char *cmd, const char *ok_text)
{
	int line;

	socket_path = ctl->control_socket;
	if (wants_help(argc, argv, cmd))
		return 0;
	if (argc != 2 || parse_line(argv[1], &line) == -1)
		return usage_error(cmd);
	return request_simple(json_pack("{s:s, s:i}", "cmd", cmd, "line", line), ok_text);
}

int
cmd_logout(struct gasctl *ctl, int argc, char **argv)
{
	return line_command(ctl, argc, argv, "logout", _("logged out: the shift has ended"));
}

int
cmd_scan(struct gasctl *ctl, int argc, char **argv)
{
	const char *u = "scan";
	int line;
	socket_path = ctl->control_socket;

	if (wants_help(argc, argv, u))
		return 0;
	if (argc != 3 || parse_line(argv[1], &line) == -1)
		return usage_error(u);
	return request_simple(
	    json_pack("{s:s, s:i, s:s}", "cmd", "scan", "line", line, "code", argv[2]),
	    _("cylinder accepted"));
}

int
cmd_buyer(struct gasctl *ctl, int argc, char **argv)
{
	const char *u = "buyer";
	char number[64];
	int line, rc;
	socket_path = ctl->control_socket;

	if (wants_help(argc, argv, u))
		return 0;
	if (argc != 3 || parse_line(argv[1], &line) == -1)
		return usage_error(u);
	if (strcmp(argv[2], "-") == 0) {
		if (line_known(line) != 0 || read_secret(number, sizeof(number)) == -1)
			return 1;
	} else {
		str_copy(number, argv[2], sizeof(number));
	}
	rc = request_simple(
	    json_pack("{s:s, s:i, s:s}", "cmd", "buyer", "line", line, "number", number),
	    _("buyer accepted"));
	explicit_bzero(number, sizeof(number));
	return rc;
}

int
cmd_start(struct gasctl *ctl, int argc, char **argv)
{
	const char *u = "start";
	struct conn c;
	int line, wait = 1, rc;
	json_t *reply;
	socket_path = ctl->control_socket;

	if (wants_help(argc, argv, u))
		return 0;
	if (argc == 3 && strcmp(argv[2], "--no-wait") == 0)
		wait = 0;
	else if (argc != 2)
		return usage_error(u);
	if (parse_line(argv[1], &line) == -1)
		return usage_error(u);
	if (conn_open(&c) == -1)
		return 1;
	if (conn_send(&c,
	        json_pack("{s:s, s:i, s:b}", "cmd", "start", "line", line, "wait", wait)) == -1) {
		conn_close(&c);
		return 1;
	}
	if (wait) {
		rc = wait_result(&c);
	} else {
		reply = conn_recv(&c);
		rc = simple_outcome(reply, _("started"));
		json_decref(reply);
	}
	conn_close(&c);
	return rc;
}

int
cmd_stop(struct gasctl *ctl, int argc, char **argv)
{
	return line_command(ctl, argc, argv, "stop", _("stopped"));
}

int
cmd_fill(struct gasctl *ctl, int argc, char **argv)
{
	const char *u = "fill";
	static const struct option opts[] = {
		{ "cylinder", required_argument, NULL, 'c' },
		{ "buyer", required_argument, NULL, 'b' },
		{ "operator", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *code = NULL, *buyer = NULL, *op = NULL;
	char number[64];
	struct conn c;
	json_t *req;
	int line, ch, rc;
	socket_path = ctl->control_socket;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "c:b:o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			code = optarg;
			break;
		case 'b':
			buyer = optarg;
			break;
		case 'o':
			op = optarg;
			break;
		case 'h':
			return gasctl_help(u);
		default:
			return usage_error(u);
		}
	}
	if (optind != argc - 1 || code == NULL || buyer == NULL ||
	    parse_line(argv[optind], &line) == -1)
		return usage_error(u);
	if (strcmp(buyer, "-") == 0) {
		if (line_known(line) != 0 || read_secret(number, sizeof(number)) == -1)
			return 1;
	} else {
		str_copy(number, buyer, sizeof(number));
	}
	req = json_pack("{s:s, s:i, s:s, s:s, s:b}", "cmd", "fill", "line", line, "cylinder", code,
	    "buyer", number, "wait", 1);
	explicit_bzero(number, sizeof(number));
	if (op != NULL)
		json_object_set_new(req, "operator", json_string(op));
	if (conn_open(&c) == -1) {
		json_decref(req);
		return 1;
	}
	if (conn_send(&c, req) == -1) {
		conn_close(&c);
		return 1;
	}
	rc = wait_result(&c);
	conn_close(&c);
	return rc;
}

static int
exchange(json_t *req, json_t **reply)
{
	struct conn c;

	*reply = NULL;
	if (conn_open(&c) == -1) {
		json_decref(req);
		return 1;
	}
	if (conn_send(&c, req) == -1) {
		conn_close(&c);
		return 1;
	}
	*reply = conn_recv(&c);
	conn_close(&c);
	if (*reply == NULL)
		return 1;
	if (!json_is_true(json_object_get(*reply, "ok"))) {
		char error[512];

		fprintf(stderr, "gasctl: %s\n",
		    termtext_copy(error, jstr(*reply, "error"), sizeof(error)));
		return 1;
	}
	return 0;
}

int
gasctl_exchange(struct gasctl *ctl, json_t *req, json_t **reply)
{
	socket_path = ctl->control_socket;
	return exchange(req, reply);
}

int
gasctl_clock_line(json_t *reply, char *out, size_t outlen)
{
	const char *warning = jstr(reply, "clock_warning");

	if (outlen > 0)
		out[0] = '\0';
	if (warning[0] == '\0')
		return 0;
	snprintf(out, outlen, _("CLOCK NOT TRUSTED: %s"), warning);
	return 1;
}

/* The human table of a status reply. */
static void
print_status(json_t *reply)
{
	json_t *lines, *l, *up;
	size_t i;
	char g[WEIGHT_TEXT], n[WEIGHT_TEXT], t[WEIGHT_TEXT], st[64], clock[1024];

	printf(_("station %s, up %llds\n"), jstr(reply, "station"),
	    (long long)json_integer_value(json_object_get(reply, "uptime_s")));
	/* before everything else the station is doing: no fill starts while it stands */
	if (gasctl_clock_line(reply, clock, sizeof(clock)))
		printf("%s\n", clock);
	up = json_object_get(reply, "uplink");
	if (!json_is_true(json_object_get(up, "configured")))
		printf("%s", _("uplink: not configured (records wait in the outbox)\n"));
	else
		printf(_("uplink: %s, backlog %lld, county has up to seq %lld%s%s\n"),
		    json_is_true(json_object_get(up, "connected")) ? _("connected")
		                                                   : _("not connected"),
		    (long long)json_integer_value(json_object_get(up, "backlog")),
		    (long long)json_integer_value(json_object_get(up, "last_ack")),
		    jstr(up, "last_error")[0] ? _(", last error: ") : "", jstr(up, "last_error"));
	if (json_integer_value(json_object_get(up, "aside")) > 0)
		printf(_("set aside: %lld records the county refused (gasctl aside)\n"),
		    (long long)json_integer_value(json_object_get(up, "aside")));
	/* one translated line: a translator aligns the columns by hand */
	printf("%s", _("LINE STATE         LINK     GROSS       NET   TARGET OPERATOR   CYLINDER"
	               "             LAST\n"));
	lines = json_object_get(reply, "lines");
	json_array_foreach(lines, i, l)
	{
		weight_format(jnum(l, "gross"), g);
		weight_format(jnum(l, "net"), n);
		weight_format(jnum(l, "target"), t);
		gasctl_pad(gasctl_word(jstr(l, "state")), 13, st, sizeof(st));
		printf("%-4lld %s %-4s %9s %9s %8s %-10s %-20s %s\n",
		    (long long)json_integer_value(json_object_get(l, "line")), st,
		    json_is_true(json_object_get(l, "link")) ? "up" : "DOWN", g, n, t,
		    jstr(l, "operator")[0] ? jstr(l, "operator") : "-",
		    jstr(l, "cylinder")[0] ? jstr(l, "cylinder") : "-",
		    jstr(l, "last_result")[0] ? gasctl_word(jstr(l, "last_result")) : "-");
		/* the line let go of a scanned cylinder or buyer (a refusal) */
		if (jstr(l, "scan_refused")[0] != '\0')
			printf("     %s\n", jstr(l, "scan_refused"));
	}
}

int
cmd_status(struct gasctl *ctl, int argc, char **argv)
{
	const char *u = "status";
	json_t *reply;
	int json = 0, rc;

	socket_path = ctl->control_socket;
	if (wants_help(argc, argv, u))
		return 0;
	if (argc == 2 && strcmp(argv[1], "--json") == 0)
		json = 1;
	else if (argc != 1)
		return usage_error(u);
	rc = exchange(json_pack("{s:s}", "cmd", "status"), &reply);
	if (rc != 0) {
		json_decref(reply);
		return rc;
	}
	if (json) {
		json_dumpf(reply, stdout, JSON_INDENT(2) | WEIGHT_JSON_PRECISION);
		printf("\n");
	} else {
		/* an operator's certificate, a cylinder's serial, the county's last error:
		 * texts gasctl did not write (termtext.h) */
		termtext_json(reply);
		print_status(reply);
	}
	json_decref(reply);
	return 0;
}

/* Rewrite the ISO 8601 time o[key] (gasgw's UTC) in the local zone, in form;
 * an empty or unreadable one stays as it is. */
static void
local_time(json_t *o, const char *key, enum timetext_form form)
{
	char text[TIMETEXT_MAX];
	int64_t ms;

	if (jstr(o, key)[0] == '\0' || timetext_parse(jstr(o, key), &ms, NULL, NULL, 0) == -1)
		return;
	timetext_format(ms, form, text);
	json_object_set_new(o, key, json_string(text));
}

int
cmd_fills(struct gasctl *ctl, int argc, char **argv)
{
	const char *u = "fills";
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *reply, *fills, *f;
	int64_t since = 0;
	int json = 0, ch, rc;
	size_t i;
	char n[WEIGHT_TEXT], res[64], why[256], started[TIMETEXT_MAX];
	socket_path = ctl->control_socket;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "s:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			/* local time (TZ); a bare date is the start of that local day */
			if (timetext_parse(optarg, &since, NULL, why, sizeof(why)) == -1) {
				fprintf(stderr, _("gasctl: --since: %s\n"), why);
				return 2;
			}
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			return gasctl_help(u);
		default:
			return usage_error(u);
		}
	}
	if (optind != argc)
		return usage_error(u);
	rc = exchange(json_pack("{s:s, s:I, s:i}", "cmd", "fills", "since", (json_int_t)since,
	                  "limit", 100000),
	    &reply);
	if (rc != 0) {
		json_decref(reply);
		return rc;
	}
	fills = json_object_get(reply, "fills");
	if (json) {
		/* gasgw says UTC; the reader gets ISO 8601 with the local offset */
		json_array_foreach(fills, i, f)
		{
			local_time(f, "started", TIMETEXT_MACHINE);
			local_time(f, "ended", TIMETEXT_MACHINE);
		}
		json_dumpf(fills, stdout, JSON_INDENT(2) | WEIGHT_JSON_PRECISION);
		printf("\n");
		json_decref(reply);
		return 0;
	}
	termtext_json(reply); /* as text from here on: one fill, one row (termtext.h) */
	printf("%s",
	    _("STARTED                   LINE CYLINDER             BUYER                    NET"
	      " RESULT      RULES\n"));
	json_array_foreach(fills, i, f)
	{
		local_time(f, "started", TIMETEXT_PERSON);
		str_copy(started, jstr(f, "started"), sizeof(started));
		weight_format(jnum(f, "net"), n);
		gasctl_pad(gasctl_word(jstr(f, "result")), 11, res, sizeof(res));
		printf("%-25s %-4lld %-20s %-18s %9s %s %s\n", started,
		    (long long)json_integer_value(json_object_get(f, "line")), jstr(f, "cylinder"),
		    jstr(f, "buyer"), n, res, jstr(f, "rules"));
	}
	json_decref(reply);
	return 0;
}

int
cmd_aside(struct gasctl *ctl, int argc, char **argv)
{
	const char *u = "aside";
	static const struct option opts[] = {
		{ "retry", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	json_t *req, *reply, *list, *r;
	long long seq = -1;
	int json = 0, ch, rc;
	size_t i;
	char *end;

	socket_path = ctl->control_socket;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "r:jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (strcmp(optarg, "all") == 0) {
				seq = 0;
				break;
			}
			seq = strtoll(optarg, &end, 10);
			if (end == optarg || *end != '\0' || seq < 1)
				return gasctl_usage(u,
				    _("--retry takes a record's seq or \"all\""));
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			return gasctl_help(u);
		default:
			return usage_error(u);
		}
	}
	if (optind != argc)
		return usage_error(u);
	req = json_pack("{s:s}", "cmd", "aside");
	if (seq == 0)
		json_object_set_new(req, "retry", json_string("all"));
	else if (seq > 0)
		json_object_set_new(req, "retry", json_integer(seq));
	rc = exchange(req, &reply);
	if (rc != 0) {
		json_decref(reply);
		return rc;
	}
	list = json_object_get(reply, "aside");
	if (json) {
		json_array_foreach(list, i, r)
		{
			local_time(r, "created", TIMETEXT_MACHINE);
			local_time(r, "set_aside", TIMETEXT_MACHINE);
		}
		json_dumpf(reply, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(reply);
		return 0;
	}
	termtext_json(reply); /* the county's reasons quote what was sent (termtext.h) */
	if (seq >= 0)
		printf(_("%lld sent to the county again\n"),
		    (long long)json_integer_value(json_object_get(reply, "retried")));
	printf(_("%lld records set aside\n"),
	    (long long)json_integer_value(json_object_get(reply, "total")));
	json_array_foreach(list, i, r)
	{
		local_time(r, "set_aside", TIMETEXT_PERSON);
		printf(_("seq %lld  %s %s  set aside %s"),
		    (long long)json_integer_value(json_object_get(r, "seq")),
		    gasctl_word(jstr(r, "kind")), jstr(r, "uuid"), jstr(r, "set_aside"));
		if (jstr(r, "cylinder")[0] != '\0')
			printf(_("  line %lld  cylinder %s"),
			    (long long)json_integer_value(json_object_get(r, "line")),
			    jstr(r, "cylinder"));
		printf(_("\n    county: %s\n"), jstr(r, "reason"));
	}
	json_decref(reply);
	return 0;
}
