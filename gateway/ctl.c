/*
 * ctl: the control thread: the Unix control socket (JSON lines, see
 * docs/control-protocol.md) and the per-line barcode scanners, in one
 * poll() loop.  Requests are bounded (CTL_LINE_MAX); a client that sends a
 * longer line or stops reading is dropped.
 */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>

#include "daemon.h"
#include "i18n.h"
#include "log.h"
#include "uplink.h"
#include "util.h"

#define PROGRESS_MS 200
#define SCANNER_RETRY_MS 2000

struct client {
	int fd;
	char in[CTL_LINE_MAX];
	size_t in_len;
	/* waiting for the outcome of an attempt */
	struct line *wait_line;
	unsigned wait_attempt;
	int64_t last_progress;
};

struct scanner {
	struct line *line;
	const char *path;
	int fd;
	char in[512];
	size_t in_len;
	int64_t retry_at;
};

int
ctl_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return err_set(err, errlen, "control socket path too long: %s", path);
	str_copy(sa.sun_path, path, sizeof(sa.sun_path));
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return err_set(err, errlen, "%s exists and is not a socket", path);
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return err_set(err, errlen, "socket: %s", strerror(errno));
	/* Bind with a umask that leaves 0660, then make sure of it. */
	{
		mode_t old = umask(0117);
		int rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));

		umask(old);
		if (rc == -1) {
			err_set(err, errlen, "bind %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	if (chmod(path, 0660) == -1 || listen(fd, 16) == -1) {
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* --- replies --------------------------------------------------------------------- */

static int
send_json(struct client *c, json_t *obj)
{
	char *text = json_dumps(obj, JSON_COMPACT);
	size_t len, off = 0;
	ssize_t n;
	int rc = 0;

	json_decref(obj);
	if (text == NULL)
		return -1;
	len = strlen(text);
	text[len] = '\0';
	while (off < len) {
		n = send(c->fd, text + off, len - off, MSG_NOSIGNAL);
		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && errno == EAGAIN) {
				struct pollfd p = { .fd = c->fd, .events = POLLOUT };

				if (poll(&p, 1, 1000) == 1)
					continue;
			}
			rc = -1;
			break;
		}
		off += (size_t)n;
	}
	if (rc == 0 && send(c->fd, "\n", 1, MSG_NOSIGNAL) != 1)
		rc = -1;
	free(text);
	return rc;
}

static int
reply_error(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
reply_error(struct client *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return send_json(c, json_pack("{s:b, s:s}", "ok", 0, "error", msg));
}

/* A refusal as the client sees it: rule lines and the first rule code. */
static json_t *
violations_json(const char *text)
{
	json_t *arr = json_array();
	const char *p = text, *nl;
	char item[512];
	size_t n;

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n >= sizeof(item))
			n = sizeof(item) - 1;
		memcpy(item, p, n);
		item[n] = '\0';
		json_array_append_new(arr, json_string(item));
		p = nl ? nl + 1 : NULL;
	}
	return arr;
}

static json_t *
num_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(round(v * 1000.0) / 1000.0);
}

static json_t *
status_json(const struct line_status *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "line", json_integer(s->number));
	json_object_set_new(o, "state", json_string(line_state_name(s->state)));
	json_object_set_new(o, "link", json_boolean(s->link_ok));
	json_object_set_new(o, "gross", num_or_null(s->gross_kg));
	json_object_set_new(o, "net", num_or_null(s->net_kg));
	json_object_set_new(o, "target", num_or_null(s->target_kg));
	json_object_set_new(o, "preact", num_or_null(s->preact_kg));
	json_object_set_new(o, "operator", json_string(s->operator_cert));
	json_object_set_new(o, "cylinder", json_string(s->cylinder));
	json_object_set_new(o, "buyer", json_string(s->buyer_masked));
	json_object_set_new(o, "fill", json_string(s->fill_uuid));
	json_object_set_new(o, "last_result", json_string(s->result));
	json_object_set_new(o, "last_net", num_or_null(s->result_net_kg));
	json_object_set_new(o, "last_violations", violations_json(s->result_text));
	return o;
}

static int
send_result(struct client *c, const struct line_status *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "event", json_string("result"));
	json_object_set_new(o, "line", json_integer(s->number));
	json_object_set_new(o, "ok", json_boolean(!s->refused && strcmp(s->result, "error")));
	json_object_set_new(o, "refused", json_boolean(s->refused &&
	    strcmp(s->result, "error") != 0));
	json_object_set_new(o, "result", json_string(s->result));
	json_object_set_new(o, "fill", json_string(s->refused ? "" : s->fill_uuid));
	json_object_set_new(o, "net", num_or_null(s->result_net_kg));
	json_object_set_new(o, "target", num_or_null(s->target_kg));
	json_object_set_new(o, "violations", violations_json(s->result_text));
	return send_json(c, o);
}

static int
send_progress(struct client *c, const struct line_status *s)
{
	json_t *o = status_json(s);

	json_object_set_new(o, "event", json_string("progress"));
	return send_json(c, o);
}

/* --- requests -------------------------------------------------------------------- */

static struct line *
line_arg(struct gw *gw, struct client *c, json_t *req)
{
	json_t *v = json_object_get(req, "line");
	struct line *l;

	if (!json_is_integer(v)) {
		reply_error(c, "request needs \"line\": a line number");
		return NULL;
	}
	l = gw_line(gw, (int)json_integer_value(v));
	if (l == NULL)
		reply_error(c, "no line %lld", (long long)json_integer_value(v));
	return l;
}

static const char *
str_arg(json_t *req, const char *name)
{
	json_t *v = json_object_get(req, name);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Record a refusal found at the counter (bad code, bad number) at once. */
static void
record_counter_refusal(struct gw *gw, struct line *l, const char *rule, int alert,
    const char *text, const char *cylinder)
{
	struct rules_verdict v;
	struct records_party p;
	char err[256];

	rules_verdict_init(&v);
	rules_add(&v, rule, alert ? RULES_ALERT : RULES_REFUSE, 1, RULES_ROUTE_STATION, "%s",
	    text);
	memset(&p, 0, sizeof(p));
	p.line = l->number;
	p.cylinder = cylinder;
	p.operator_cert = l->operator_cert[0] ? l->operator_cert : NULL;
	if (records_incident(&gw->records, "refusal", &v, &p, NULL, err, sizeof(err)) == -1)
		log_warnx("line %d: refusal not recorded: %s", l->number, err);
}

static int
refused_reply(struct client *c, int line, const char *rule, const char *text)
{
	char full[512];
	json_t *arr = json_array();

	snprintf(full, sizeof(full), "%s %s", rule, text);
	json_array_append_new(arr, json_string(full));
	return send_json(c, json_pack("{s:s, s:i, s:b, s:b, s:s, s:o}", "event", "result", "line",
	    line, "ok", 0, "refused", 1, "result", "refused", "violations", arr));
}

static int
do_login(struct gw *gw, struct line *l, const char *cert, char *why, size_t whylen)
{
	(void)gw;
	return line_login(l, cert, why, whylen);
}

/* Scan: 0 accepted, 1 refused (reply sent), -1 error in why. */
static int
do_scan(struct gw *gw, struct client *c, struct line *l, const char *code, char *serial,
    char *why, size_t whylen)
{
	struct line_cylinder cyl;
	char text[256];

	gwident_cylinder(gw->ident, code, strlen(code), &cyl);
	if (!cyl.valid) {
		snprintf(text, sizeof(text), _("cylinder code rejected: %s"),
		    cyl.reason);
		log_info("line %d: R01 %s", l->number, text);
		record_counter_refusal(gw, l, "R01", 1, text, NULL);
		if (c != NULL)
			refused_reply(c, l->number, "R01", text);
		return 1;
	}
	if (line_set_cylinder(l, &cyl, why, whylen) == -1)
		return -1;
	if (serial != NULL)
		str_copy(serial, cyl.serial, 64);
	return 0;
}

static int
do_buyer(struct gw *gw, struct client *c, struct line *l, const char *number, char *masked,
    char *why, size_t whylen)
{
	struct line_buyer b;
	char text[256];

	gwident_buyer(gw->ident, number, strlen(number), &b);
	if (!b.valid) {
		snprintf(text, sizeof(text), _("buyer number rejected: %s"), b.reason);
		log_info("line %d: R08 %s", l->number, text);
		record_counter_refusal(gw, l, "R08", 0, text, NULL);
		if (c != NULL)
			refused_reply(c, l->number, "R08", text);
		return 1;
	}
	if (line_set_buyer(l, &b, why, whylen) == -1)
		return -1;
	if (masked != NULL)
		str_copy(masked, b.masked, 40);
	return 0;
}

static int
begin_wait(struct client *c, struct line *l, unsigned attempt, int wait)
{
	if (!wait)
		return send_json(c, json_pack("{s:b, s:i, s:i}", "ok", 1, "line", l->number,
		    "attempt", (int)attempt));
	c->wait_line = l;
	c->wait_attempt = attempt;
	c->last_progress = 0;
	return 0;
}

static int
fills_cb(const struct records_fill_row *row, void *arg)
{
	json_t *arr = arg;
	char started[32], ended[32];
	json_t *o = json_object();

	time_format_iso(row->started_ms, started);
	if (row->ended_ms)
		time_format_iso(row->ended_ms, ended);
	else
		ended[0] = '\0';
	json_object_set_new(o, "uuid", json_string(row->uuid));
	json_object_set_new(o, "line", json_integer(row->line));
	json_object_set_new(o, "cylinder", json_string(row->cylinder));
	json_object_set_new(o, "buyer", json_string(row->buyer_masked));
	json_object_set_new(o, "operator", json_string(row->operator_cert));
	json_object_set_new(o, "started", json_string(started));
	json_object_set_new(o, "ended", json_string(ended));
	json_object_set_new(o, "target", num_or_null(row->target_kg));
	json_object_set_new(o, "net", num_or_null(row->net_kg));
	json_object_set_new(o, "result", json_string(row->result));
	json_object_set_new(o, "rules", json_string(row->rules));
	json_array_append_new(arr, o);
	return 0;
}

static json_t *
uplink_json(struct gw *gw)
{
	struct uplink_status us;

	if (gw->uplink == NULL)
		return json_pack("{s:b}", "configured", 0);
	uplink_get_status(gw->uplink, &us);
	return json_pack("{s:b, s:b, s:I, s:I, s:I, s:I, s:s}", "configured", 1, "connected",
	    us.connected, "backlog", (json_int_t)us.backlog, "last_ack", (json_int_t)us.last_ack,
	    "last_ack_ms", (json_int_t)us.last_ack_ms, "sent", (json_int_t)us.sent, "last_error",
	    us.last_error);
}

static void
handle_request(struct gw *gw, struct client *c, const char *buf, size_t len)
{
	json_error_t jerr;
	json_t *req = json_loadb(buf, len, 0, &jerr);
	const char *cmd, *s;
	struct line *l;
	struct line_status st;
	char why[256], serial[64], masked[40];
	unsigned attempt = 0;
	int wait, rc;

	if (req == NULL || !json_is_object(req)) {
		reply_error(c, "not a JSON object: %s", req ? "" : jerr.text);
		goto out;
	}
	cmd = str_arg(req, "cmd");
	wait = json_is_true(json_object_get(req, "wait"));
	if (cmd == NULL) {
		reply_error(c, "request needs \"cmd\"");
		goto out;
	}
	if (strcmp(cmd, "status") == 0) {
		json_t *lines = json_array();
		size_t i;

		for (i = 0; i < gw->line_count; i++) {
			line_status(&gw->lines[i], &st);
			json_array_append_new(lines, status_json(&st));
		}
		send_json(c, json_pack("{s:b, s:s, s:I, s:o, s:o}", "ok", 1, "station",
		    gw->config->station_id, "uptime_s",
		    (json_int_t)((time_mono_ms() - gw->started_mono_ms) / 1000), "lines", lines,
		    "uplink", uplink_json(gw)));
		goto out;
	}
	if (strcmp(cmd, "fills") == 0) {
		json_t *arr = json_array();
		json_t *since = json_object_get(req, "since");
		json_t *limit = json_object_get(req, "limit");

		if (records_fills_since(&gw->records, json_is_integer(since) ?
		    json_integer_value(since) : 0, json_is_integer(limit) ?
		    (int)json_integer_value(limit) : 1000, fills_cb, arr, why,
		    sizeof(why)) == -1) {
			json_decref(arr);
			reply_error(c, "%s", why);
		} else {
			send_json(c, json_pack("{s:b, s:o}", "ok", 1, "fills", arr));
		}
		goto out;
	}
	if ((l = line_arg(gw, c, req)) == NULL)
		goto out;
	if (strcmp(cmd, "login") == 0) {
		struct records_operator op;
		int found = 0;

		if ((s = str_arg(req, "cert")) == NULL) {
			reply_error(c, "login needs \"cert\"");
			goto out;
		}
		if (do_login(gw, l, s, why, sizeof(why)) == -1) {
			reply_error(c, "%s", why);
			goto out;
		}
		if (records_operator_get(&gw->records, s, &op, &found, why, sizeof(why)) == -1)
			found = 0;
		send_json(c, json_pack("{s:b, s:i, s:s, s:s, s:b}", "ok", 1, "line", l->number,
		    "operator", s, "name", found ? op.name : "", "registered", found));
	} else if (strcmp(cmd, "scan") == 0) {
		if ((s = str_arg(req, "code")) == NULL) {
			reply_error(c, "scan needs \"code\"");
			goto out;
		}
		rc = do_scan(gw, c, l, s, serial, why, sizeof(why));
		if (rc == -1)
			reply_error(c, "%s", why);
		else if (rc == 0)
			send_json(c, json_pack("{s:b, s:i, s:s}", "ok", 1, "line", l->number,
			    "cylinder", serial));
	} else if (strcmp(cmd, "buyer") == 0) {
		if ((s = str_arg(req, "number")) == NULL) {
			reply_error(c, "buyer needs \"number\"");
			goto out;
		}
		rc = do_buyer(gw, c, l, s, masked, why, sizeof(why));
		if (rc == -1)
			reply_error(c, "%s", why);
		else if (rc == 0)
			send_json(c, json_pack("{s:b, s:i, s:s}", "ok", 1, "line", l->number,
			    "buyer", masked));
	} else if (strcmp(cmd, "start") == 0) {
		if (line_start(l, &attempt, why, sizeof(why)) == -1)
			reply_error(c, "%s", why);
		else
			begin_wait(c, l, attempt, wait);
	} else if (strcmp(cmd, "stop") == 0) {
		line_stop(l);
		send_json(c, json_pack("{s:b, s:i}", "ok", 1, "line", l->number));
	} else if (strcmp(cmd, "fill") == 0) {
		const char *op = str_arg(req, "operator");
		const char *code = str_arg(req, "cylinder");
		const char *number = str_arg(req, "buyer");

		if (code == NULL || number == NULL) {
			reply_error(c, "fill needs \"cylinder\" and \"buyer\"");
			goto out;
		}
		if (op != NULL && do_login(gw, l, op, why, sizeof(why)) == -1) {
			reply_error(c, "%s", why);
			goto out;
		}
		rc = do_scan(gw, c, l, code, serial, why, sizeof(why));
		if (rc == 0)
			rc = do_buyer(gw, c, l, number, masked, why, sizeof(why));
		if (rc == -1)
			reply_error(c, "%s", why);
		if (rc != 0)
			goto out;
		if (line_start(l, &attempt, why, sizeof(why)) == -1)
			reply_error(c, "%s", why);
		else
			begin_wait(c, l, attempt, 1);
	} else {
		reply_error(c, "unknown command \"%s\"", cmd);
	}
out:
	json_decref(req);
}

/* --- scanners -------------------------------------------------------------------- */

static void
scanner_open(struct scanner *s, int64_t now)
{
	struct termios t;

	s->fd = open(s->path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (s->fd == -1) {
		if (s->retry_at == 0)
			log_warn("line %d: scanner %s", s->line->number, s->path);
		s->retry_at = now + SCANNER_RETRY_MS;
		return;
	}
	/* Raw bytes: we split lines ourselves (CR or LF, whichever the
	 * scanner sends). */
	if (tcgetattr(s->fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(s->fd, TCSANOW, &t);
	}
	s->in_len = 0;
	s->retry_at = 0;
	log_info("line %d: scanner %s open", s->line->number, s->path);
}

static void
scanner_line(struct gw *gw, struct scanner *s, char *text)
{
	char why[256];

	if (text[0] == '\0')
		return;
	if (strncmp(text, "GC1:", 4) == 0) {
		if (do_scan(gw, NULL, s->line, text, NULL, why, sizeof(why)) == -1)
			log_warnx("line %d: scanned code ignored: %s", s->line->number, why);
		else
			log_info("line %d: scanned a cylinder code", s->line->number);
	} else {
		if (do_buyer(gw, NULL, s->line, text, NULL, why, sizeof(why)) == -1)
			log_warnx("line %d: scanned buyer ignored: %s", s->line->number, why);
		else
			log_info("line %d: scanned a buyer", s->line->number);
	}
	explicit_bzero(text, strlen(text));
}

static void
scanner_read(struct gw *gw, struct scanner *s, int64_t now)
{
	ssize_t n;
	size_t i, start;

	n = read(s->fd, s->in + s->in_len, sizeof(s->in) - s->in_len);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		log_warnx("line %d: scanner %s closed; reopening", s->line->number, s->path);
		close(s->fd);
		s->fd = -1;
		s->retry_at = now + SCANNER_RETRY_MS;
		return;
	}
	if (n <= 0)
		return;
	s->in_len += (size_t)n;
	start = 0;
	for (i = 0; i < s->in_len; i++) {
		if (s->in[i] == '\n' || s->in[i] == '\r') {
			s->in[i] = '\0';
			scanner_line(gw, s, s->in + start);
			start = i + 1;
		}
	}
	memmove(s->in, s->in + start, s->in_len - start);
	s->in_len -= start;
	if (s->in_len == sizeof(s->in)) {
		log_warnx("line %d: scanner sent %zu bytes without a newline; dropped",
		    s->line->number, s->in_len);
		explicit_bzero(s->in, sizeof(s->in));
		s->in_len = 0;
	}
}

/* --- loop ------------------------------------------------------------------------ */

static void
client_close(struct client *c)
{
	close(c->fd);
	explicit_bzero(c->in, sizeof(c->in)); /* may have held a buyer number */
	c->fd = -1;
	c->wait_line = NULL;
	c->in_len = 0;
}

static void
client_read(struct gw *gw, struct client *c)
{
	ssize_t n;
	char *nl;
	size_t used;

	n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		client_close(c);
		return;
	}
	if (n < 0)
		return;
	c->in_len += (size_t)n;
	while (c->fd != -1 && c->wait_line == NULL &&
	    (nl = memchr(c->in, '\n', c->in_len)) != NULL) {
		used = (size_t)(nl - c->in) + 1;
		handle_request(gw, c, c->in, used - 1);
		explicit_bzero(c->in, used);
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
	}
	if (c->fd != -1 && c->in_len == sizeof(c->in)) {
		reply_error(c, "request longer than %d bytes", CTL_LINE_MAX);
		client_close(c);
	}
}

static void
client_progress(struct client *c, int64_t now)
{
	struct line_status s;

	if (c->wait_line == NULL)
		return;
	line_status(c->wait_line, &s);
	if (s.finished >= c->wait_attempt) {
		c->wait_line = NULL;
		if (send_result(c, &s) == -1)
			client_close(c);
		return;
	}
	if (now - c->last_progress >= PROGRESS_MS) {
		c->last_progress = now;
		if (send_progress(c, &s) == -1)
			client_close(c);
	}
}

/*
 * SIGHUP: read the configuration again and put its rule thresholds and log
 * level in force (each line takes the thresholds when it is next idle).
 * Anything else (buses, lines, paths, keys) needs a restart; a file that
 * does not load changes nothing.
 */
static void
reload(struct gw *gw)
{
	struct gw_config *fresh = calloc(1, sizeof(*fresh));
	struct conf_report report;
	size_t i;

	report.count = 0;
	if (fresh == NULL)
		return;
	if (gw->config_path == NULL ||
	    gw_config_load(gw->config_path, fresh, &report) == -1) {
		log_warnx("reload: %s does not load; nothing changed (%s)",
		    gw->config_path ? gw->config_path : "?",
		    report.count ? report.errors[0] : "");
		free(fresh);
		return;
	}
	for (i = 0; i < gw->line_count; i++)
		line_set_rules(&gw->lines[i], &fresh->rules);
	log_set_level(!strcmp(fresh->log_level, "debug") ? LOG_LEVEL_DEBUG :
	    !strcmp(fresh->log_level, "info") ? LOG_LEVEL_INFO : LOG_LEVEL_WARN);
	log_warnx("reload: rule thresholds and log level from %s", gw->config_path);
	free(fresh);
}

void
ctl_run(struct gw *gw, int listen_fd)
{
	struct client clients[CTL_CLIENTS];
	struct scanner scanners[GW_MAX_LINES];
	struct pollfd pfd[1 + CTL_CLIENTS + GW_MAX_LINES];
	int map[1 + CTL_CLIENTS + GW_MAX_LINES];
	size_t nscan = 0, i, n;
	int64_t now;
	int fd, waiting;

	for (i = 0; i < CTL_CLIENTS; i++)
		clients[i].fd = -1;
	for (i = 0; i < gw->line_count; i++) {
		const char *path = gw->config->lines[i].scanner;

		if (path[0] == '\0')
			continue;
		memset(&scanners[nscan], 0, sizeof(scanners[nscan]));
		scanners[nscan].line = &gw->lines[i];
		scanners[nscan].path = path;
		scanners[nscan].fd = -1;
		nscan++;
	}
	while (!gw->stop) {
		if (daemon_stop_requested) {
			gw->stop = 1;
			break;
		}
		if (daemon_reload_requested) {
			daemon_reload_requested = 0;
			reload(gw);
		}
		now = time_mono_ms();
		if (gw_healthy(gw, now))
			daemon_watchdog_feed();
		n = 0;
		pfd[n].fd = listen_fd;
		pfd[n].events = POLLIN;
		map[n++] = -1;
		waiting = 0;
		for (i = 0; i < CTL_CLIENTS; i++) {
			if (clients[i].fd == -1)
				continue;
			if (clients[i].wait_line)
				waiting = 1;
			pfd[n].fd = clients[i].fd;
			pfd[n].events = POLLIN;
			map[n++] = (int)i;
		}
		for (i = 0; i < nscan; i++) {
			if (scanners[i].fd == -1 && now >= scanners[i].retry_at)
				scanner_open(&scanners[i], now);
			if (scanners[i].fd == -1)
				continue;
			pfd[n].fd = scanners[i].fd;
			pfd[n].events = POLLIN;
			map[n++] = 1000 + (int)i;
		}
		if (poll(pfd, n, waiting ? 50 : 250) == -1 && errno != EINTR) {
			log_warn("poll");
			time_sleep_ms(100);
			continue;
		}
		now = time_mono_ms();
		for (i = 0; i < n; i++) {
			if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (map[i] == -1) {
				size_t k;

				fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
				if (fd == -1)
					continue;
				for (k = 0; k < CTL_CLIENTS && clients[k].fd != -1; k++)
					;
				if (k == CTL_CLIENTS) {
					close(fd);
					continue;
				}
				memset(&clients[k], 0, sizeof(clients[k]));
				clients[k].fd = fd;
			} else if (map[i] >= 1000) {
				scanner_read(gw, &scanners[map[i] - 1000], now);
			} else {
				client_read(gw, &clients[map[i]]);
			}
		}
		for (i = 0; i < CTL_CLIENTS; i++)
			if (clients[i].fd != -1)
				client_progress(&clients[i], now);
		/* a pipelined request after a wait */
		for (i = 0; i < CTL_CLIENTS; i++)
			if (clients[i].fd != -1 && clients[i].wait_line == NULL &&
			    memchr(clients[i].in, '\n', clients[i].in_len) != NULL)
				client_read(gw, &clients[i]);
	}
	for (i = 0; i < CTL_CLIENTS; i++)
		if (clients[i].fd != -1)
			client_close(&clients[i]);
	for (i = 0; i < nscan; i++)
		if (scanners[i].fd != -1)
			close(scanners[i].fd);
}
