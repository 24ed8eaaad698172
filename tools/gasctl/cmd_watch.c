/*
 * cmd_watch: `gasctl watch`, the operator's live view of every fill line.
 *
 * Four times a second (--interval) it asks gasgw for {"cmd":"status"} over
 * one kept control-socket connection and redraws the whole screen: per line
 * the state, the net weight against the target as a bar, the operator, the
 * cylinder, the buyer's masked number and the last result with every rule
 * that fired (refusal reasons start with their rule code).  Plain ANSI
 * escapes only (alternate screen, cursor home, erase to end of line), so it
 * works over SSH in any terminal without terminfo or ncurses.
 *
 * It never changes a line: it only reads status.  q (or Ctrl-C, SIGTERM,
 * SIGHUP) leaves, and every way out restores the terminal: the saved
 * termios, the cursor and the main screen.  When gasgw cannot be reached
 * the view says so and keeps trying, so a console started before the
 * daemon (or across a restart of it) recovers by itself.
 *
 * While gasgw does not trust its clock, the header says so in the words of
 * gasctl status ("CLOCK NOT TRUSTED: ..."), wrapped to the screen's width,
 * until a status reply comes without it.
 *
 * Not on a terminal (output piped to a file), each refresh is printed as a
 * plain-text frame without escapes; --once prints one frame and exits.
 */
#include "gasctl.h"

#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include <jansson.h>

#include "i18n.h"
#include "termtext.h"
#include "util.h"
#include "weight.h"

#define WATCH_REPLY_MAX 65536 /* a status reply; gasgw's are a few KiB */
#define WATCH_FRAME_MAX (256 * 1024)
#define WATCH_REPLY_TIMEOUT_MS 2000
#define WATCH_VIOLATIONS_SHOWN 3 /* rule lines shown per line (the rest counted) */
#define WATCH_WHO_COLUMNS 52     /* operator, cylinder, buyer: the result column after it */

/* SGR colours; empty strings when the output is not a terminal. */
#define SGR_RESET "\033[0m"
#define SGR_BOLD "\033[1m"
#define SGR_DIM "\033[2m"
#define SGR_RED "\033[1;31m"
#define SGR_GREEN "\033[32m"
#define SGR_YELLOW "\033[33m"
#define SGR_CYAN "\033[36m"
#define SGR_REVERSE "\033[7m"

static volatile sig_atomic_t watch_stop;
static volatile sig_atomic_t watch_resized;
static volatile sig_atomic_t watch_suspend;

/* Output of one refresh, written with one write() so the screen never shows
 * half a frame.  Bounded: text past WATCH_FRAME_MAX is dropped. */
struct frame {
	char *buf;
	size_t len;
};

struct watch {
	const char *socket_path;
	int fd; /* connection to gasgw, -1 when not connected */
	char in[WATCH_REPLY_MAX];
	size_t in_len;
	char error[256]; /* why the last refresh failed ("" if it did not) */

	int interactive; /* stdout is a terminal: escapes, colours, redraw */
	int utf8;        /* the locale's codeset is UTF-8: block bar glyphs */
	int cols, rows;
	int in_tty;  /* stdin is a terminal (raw while we run) */
	int in_open; /* keys may still arrive on stdin */
	struct termios saved;
	int saved_ok;
};

static void
on_stop(int sig)
{
	(void)sig;
	watch_stop = 1;
}

static void
on_winch(int sig)
{
	(void)sig;
	watch_resized = 1;
}

static void
on_tstp(int sig)
{
	(void)sig;
	watch_suspend = 1;
}

/* --- output ---------------------------------------------------------------------- */

static void
frame_add(struct frame *f, const char *text, size_t n)
{
	if (f->len >= WATCH_FRAME_MAX)
		return;
	if (n > WATCH_FRAME_MAX - f->len)
		n = WATCH_FRAME_MAX - f->len;
	memcpy(f->buf + f->len, text, n);
	f->len += n;
}

static void
frame_puts(struct frame *f, const char *text)
{
	frame_add(f, text, strlen(text));
}

static void frame_printf(struct frame *f, const char *fmt, ...) UTIL_PRINTF(2, 3);

static void
frame_printf(struct frame *f, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		frame_add(f, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* An SGR sequence, only on a terminal. */
static void
frame_sgr(struct frame *f, const struct watch *w, const char *sgr)
{
	if (w->interactive)
		frame_puts(f, sgr);
}

/* End a screen row: on a terminal, reset colours and erase what an older,
 * longer frame left on the rest of the row. */
static void
frame_eol(struct frame *f, const struct watch *w)
{
	if (w->interactive)
		frame_puts(f, SGR_RESET "\033[K");
	frame_puts(f, "\n");
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The next character of s (left bytes, left > 0): its length in bytes, and
 * in *cw the columns it takes on the terminal (a Chinese character two; a
 * byte that is not valid in the locale is one character of one column). */
static size_t
next_char(const char *s, size_t left, mbstate_t *st, int *cw)
{
	wchar_t wc;
	size_t n = mbrtowc(&wc, s, left, st);

	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		memset(st, 0, sizeof(*st));
		*cw = 1;
		return 1;
	}
	*cw = wcwidth(wc);
	if (*cw < 0)
		*cw = 1;
	return n;
}

/* Columns a text takes on the terminal (Chinese characters take two; bytes
 * that are not valid in the locale count one each). */
static int
text_width(const char *text)
{
	mbstate_t st;
	size_t left = strlen(text), n;
	int total = 0, cw;

	memset(&st, 0, sizeof(st));
	while (left > 0) {
		n = next_char(text, left, &st, &cw);
		total += cw;
		text += n;
		left -= n;
	}
	return total;
}

/*
 * Add text to the frame taking at most `width` terminal columns, padded
 * with spaces to exactly `width` when pad is set.  Text that does not fit
 * is cut and ends in "~".
 */
static void
frame_cell(struct frame *f, const char *text, int width, int pad)
{
	mbstate_t st;
	const char *p = text;
	size_t left = strlen(text), n;
	int used = 0, cw, cut = text_width(text) > width;

	memset(&st, 0, sizeof(st));
	while (left > 0) {
		n = next_char(p, left, &st, &cw);
		if (used + cw > width - cut)
			break;
		frame_add(f, p, n);
		used += cw;
		p += n;
		left -= n;
	}
	if (cut && used < width) {
		frame_puts(f, "~");
		used++;
	}
	while (pad && used < width) {
		frame_puts(f, " ");
		used++;
	}
}

/*
 * Text as rows of at most `width` terminal columns, each in sgr: broken
 * after the last space that fits, or where the row is full when none does
 * (a Chinese sentence has no spaces).  Not on a terminal, one row whatever
 * its length, so that a frame written to a file holds the sentence whole.
 */
static void
frame_wrap(struct frame *f, const struct watch *w, const char *sgr, const char *text, int width)
{
	mbstate_t st;
	const char *p = text, *q, *space;
	size_t left, n;
	int used, cw;

	if (width < 10)
		width = 10;
	while (*p != '\0') {
		memset(&st, 0, sizeof(st));
		q = p;
		space = NULL;
		used = 0;
		left = strlen(p);
		while (left > 0) {
			n = next_char(q, left, &st, &cw);
			if (w->interactive && used + cw > width)
				break;
			if (*q == ' ')
				space = q;
			used += cw;
			q += n;
			left -= n;
		}
		if (left > 0 && space != NULL && space > p)
			q = space; /* the row ends before that space */
		frame_sgr(f, w, sgr);
		frame_add(f, p, (size_t)(q - p));
		frame_eol(f, w);
		p = q;
		while (*p == ' ')
			p++;
	}
}

void
gasctl_pad(const char *text, int width, char *out, size_t outlen)
{
	int pad = width - text_width(text);
	size_t n;

	if (outlen == 0)
		return;
	n = str_copy(out, text, outlen);
	if (n >= outlen)
		n = outlen - 1;
	while (pad-- > 0 && n + 1 < outlen)
		out[n++] = ' ';
	if (n < outlen)
		out[n] = '\0';
}

/* --- terminal -------------------------------------------------------------------- */

static void
term_size(struct watch *w)
{
	struct winsize ws;

	w->cols = 100;
	w->rows = 40;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		w->cols = ws.ws_col;
		w->rows = ws.ws_row;
	}
	if (w->cols < 40)
		w->cols = 40;
}

static void
term_enter(struct watch *w)
{
	struct termios raw;

	if (w->in_tty && tcgetattr(STDIN_FILENO, &w->saved) == 0) {
		w->saved_ok = 1;
		raw = w->saved;
		/* Keys one at a time, not echoed; ISIG stays, so Ctrl-C still
		 * raises SIGINT and leaves through the same path as q. */
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	}
	if (w->interactive) {
		/* alternate screen, cursor hidden, cleared */
		static const char enter[] = "\033[?1049h\033[?25l\033[H\033[2J";

		write_all(STDOUT_FILENO, enter, sizeof(enter) - 1);
	}
}

static void
term_leave(struct watch *w)
{
	if (w->interactive) {
		static const char leave[] = "\033[0m\033[?25h\033[?1049l";

		write_all(STDOUT_FILENO, leave, sizeof(leave) - 1);
	}
	if (w->saved_ok)
		tcsetattr(STDIN_FILENO, TCSANOW, &w->saved);
}

/* Ctrl-Z: give the shell its terminal back (main screen, cursor, modes),
 * stop, and take the terminal again when continued. */
static void
suspend(struct watch *w)
{
	struct sigaction sa;

	watch_suspend = 0;
	term_leave(w);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGTSTP, &sa, NULL);
	raise(SIGTSTP);
	/* continued (SIGCONT) */
	sa.sa_handler = on_tstp;
	sigaction(SIGTSTP, &sa, NULL);
	term_enter(w);
	watch_resized = 1; /* redraw everything, at the size the terminal has now */
}

/* Read the keys waiting on stdin; 1 when one of them asks to leave. */
static int
read_keys(struct watch *w)
{
	char keys[64];
	ssize_t n, i;

	n = read(STDIN_FILENO, keys, sizeof(keys));
	if (n == 0 || (n == -1 && errno != EINTR && errno != EAGAIN)) {
		w->in_open = 0; /* end of input: watch on until a signal */
		return 0;
	}
	for (i = 0; i < n; i++)
		if (keys[i] == 'q' || keys[i] == 'Q' || keys[i] == 3 /* ^C without ISIG */)
			return 1;
	return 0;
}

/* --- gasgw ----------------------------------------------------------------------- */

static void
watch_disconnect(struct watch *w)
{
	if (w->fd != -1)
		close(w->fd);
	w->fd = -1;
	w->in_len = 0;
}

static int
watch_connect(struct watch *w)
{
	struct sockaddr_un sa;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(w->socket_path) >= sizeof(sa.sun_path))
		return err_set(w->error, sizeof(w->error), _("control socket path too long: %s"),
		    w->socket_path);
	str_copy(sa.sun_path, w->socket_path, sizeof(sa.sun_path));
	w->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (w->fd == -1 || connect(w->fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		err_set(w->error, sizeof(w->error), _("cannot reach gasgw at %s: %s"),
		    w->socket_path, strerror(errno));
		watch_disconnect(w);
		return -1;
	}
	return 0;
}

/*
 * One status exchange on the kept connection (opened when needed).  A reply
 * must come within WATCH_REPLY_TIMEOUT_MS so that a stalled gasgw shows as
 * such instead of freezing the view.  Returns the reply (caller's), or NULL
 * with w->error set and the connection dropped.
 */
static json_t *
watch_fetch(struct watch *w)
{
	char req[64 + I18N_LANGUAGE_MAX], lang[I18N_LANGUAGE_MAX + 1];
	int64_t deadline;
	json_error_t jerr;
	json_t *reply;
	char *nl;
	ssize_t n;
	size_t used;

	if (w->fd == -1 && watch_connect(w) == -1)
		return NULL;
	/* in the operator's language, as every gasctl request (cmd_line.c): a
	 * name of [A-Za-z0-9_.@-] needs no JSON escape */
	i18n_language(lang);
	if (lang[0] != '\0')
		snprintf(req, sizeof(req), "{\"cmd\":\"status\",\"lang\":\"%s\"}\n", lang);
	else
		snprintf(req, sizeof(req), "{\"cmd\":\"status\"}\n");
	if (send(w->fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
		err_set(w->error, sizeof(w->error), _("gasgw closed the connection"));
		goto fail;
	}
	deadline = time_mono_ms() + WATCH_REPLY_TIMEOUT_MS;
	while ((nl = memchr(w->in, '\n', w->in_len)) == NULL) {
		struct pollfd p = { .fd = w->fd, .events = POLLIN };
		int64_t left = deadline - time_mono_ms();

		if (w->in_len == sizeof(w->in)) {
			err_set(w->error, sizeof(w->error), _("reply from gasgw too long"));
			goto fail;
		}
		if (left <= 0 || watch_stop) {
			err_set(w->error, sizeof(w->error), _("gasgw did not answer"));
			goto fail;
		}
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = recv(w->fd, w->in + w->in_len, sizeof(w->in) - w->in_len, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_set(w->error, sizeof(w->error), _("gasgw closed the connection"));
			goto fail;
		}
		w->in_len += (size_t)n;
	}
	used = (size_t)(nl - w->in) + 1;
	reply = json_loadb(w->in, used - 1, 0, &jerr);
	memmove(w->in, w->in + used, w->in_len - used);
	w->in_len -= used;
	if (reply == NULL || !json_is_object(reply)) {
		err_set(w->error, sizeof(w->error), _("bad reply from gasgw"));
		json_decref(reply);
		goto fail;
	}
	/* drawn as text: an operator's certificate, a rule's text quoting the registry's
	 * owner, gasgw's error, cleaned for the terminal (termtext.h) */
	termtext_json(reply);
	if (!json_is_true(json_object_get(reply, "ok"))) {
		json_t *e = json_object_get(reply, "error");

		err_set(w->error, sizeof(w->error), "gasgw: %s",
		    json_is_string(e) ? json_string_value(e) : "?");
		json_decref(reply);
		return NULL;
	}
	w->error[0] = '\0';
	return reply;
fail:
	watch_disconnect(w);
	return NULL;
}

/* --- drawing --------------------------------------------------------------------- */

/* Line states and results as an operator reads them (docs/control-protocol.md). */
static const struct {
	const char *name;
	const char *text;
	const char *sgr;
} words[] = {
	{ "idle", N_("idle"), SGR_DIM },
	{ "identified", N_("identified"), SGR_CYAN },
	{ "checked", N_("checked"), SGR_CYAN },
	{ "armed", N_("armed"), SGR_YELLOW },
	{ "filling", N_("filling"), SGR_GREEN SGR_BOLD },
	{ "cutoff", N_("cutoff"), SGR_YELLOW },
	{ "settling", N_("settling"), SGR_YELLOW },
	{ "check-weighed", N_("check-weighed"), SGR_CYAN },
	{ "recorded", N_("recorded"), SGR_GREEN },
	{ "refused", N_("refused"), SGR_RED },
	{ "interrupted", N_("interrupted"), SGR_RED },
	{ "emergency", N_("emergency"), SGR_RED SGR_REVERSE },
	{ "ok", N_("ok"), SGR_GREEN },
	{ "flagged", N_("flagged"), SGR_YELLOW },
	{ "held", N_("held"), SGR_RED },
	{ "cancelled", N_("cancelled"), SGR_DIM },
	{ "error", N_("error"), SGR_RED },
};

const char *
gasctl_word(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(words[i].name, name) == 0)
			return _(words[i].text);
	return name;
}

static const char *
word_sgr(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(words[i].name, name) == 0)
			return words[i].sgr;
	return "";
}

/* The weight bar: `width` cells filled by net / target, the cut-off point
 * (target - pre-act) marked; red when `alarm` (held, emergency). */
static void
draw_bar(struct frame *f, const struct watch *w, double net, double target, double preact,
    int width, int alarm)
{
	const char *full = w->utf8 && w->interactive ? "\xe2\x96\x88" : "#";  /* U+2588 */
	const char *empty = w->utf8 && w->interactive ? "\xe2\x96\x91" : "."; /* U+2591 */
	int filled = 0, mark = -1, i;

	if (!isnan(net) && !isnan(target) && target > 0) {
		double r = net / target;

		if (r < 0)
			r = 0;
		filled = (int)lround(r * width);
		if (filled > width)
			filled = width;
		if (!isnan(preact) && preact > 0 && preact < target)
			mark = (int)lround((target - preact) / target * width) - 1;
	}
	frame_puts(f, "[");
	frame_sgr(f, w, alarm ? SGR_RED : SGR_GREEN);
	for (i = 0; i < width; i++) {
		if (i == mark && i >= filled) {
			frame_sgr(f, w, SGR_RESET SGR_YELLOW);
			frame_puts(f, "|");
			frame_sgr(f, w, SGR_RESET);
		} else if (i < filled) {
			frame_puts(f, full);
		} else {
			if (i == filled)
				frame_sgr(f, w, SGR_RESET SGR_DIM);
			frame_puts(f, empty);
		}
	}
	frame_sgr(f, w, SGR_RESET);
	frame_puts(f, "]");
}

/* Two or more screen rows for one line. */
static void
draw_line(struct frame *f, const struct watch *w, json_t *l)
{
	const char *state = jstr(l, "state"), *last = jstr(l, "last_result");
	double net = jnum(l, "net"), target = jnum(l, "target"), gross = jnum(l, "gross");
	json_t *viol = json_object_get(l, "last_violations"), *v;
	char text[256], result[64], n[WEIGHT_TEXT], t[WEIGHT_TEXT], g[WEIGHT_TEXT];
	int bar, who, link = json_is_true(json_object_get(l, "link"));
	size_t i;

	/* row 1: number, state, bar, weights */
	frame_sgr(f, w, SGR_BOLD);
	frame_printf(f, "%-3lld ", (long long)json_integer_value(json_object_get(l, "line")));
	frame_sgr(f, w, SGR_RESET);
	frame_sgr(f, w, word_sgr(state));
	frame_cell(f, gasctl_word(state), 14, 1);
	frame_sgr(f, w, SGR_RESET);
	frame_puts(f, " ");
	/* 4 + 14 + 1 + brackets 2 + 1 + weights 24 + link 8 */
	bar = w->cols - 54;
	if (bar > 50)
		bar = 50;
	if (bar < 10)
		bar = 10;
	if (!(target > 0))
		target = NAN; /* no cylinder identified: nothing to fill to */
	draw_bar(f, w, net, target, jnum(l, "preact"), bar,
	    strcmp(state, "emergency") == 0 || strcmp(last, "held") == 0);
	weight_format(net, n);
	weight_format(target, t);
	if (!isnan(net) || !isnan(target)) {
		frame_printf(f, " %8s / %s kg", n, t);
	} else {
		weight_format(gross, g);
		snprintf(text, sizeof(text), _("scale %s kg"), g);
		frame_puts(f, " ");
		frame_cell(f, text, 23, 0);
	}
	if (!link) {
		frame_puts(f, "  ");
		frame_sgr(f, w, SGR_RED SGR_REVERSE);
		frame_puts(f, _("LINK DOWN"));
		frame_sgr(f, w, SGR_RESET);
	}
	frame_eol(f, w);

	/* row 2: who and what, then the last result: on the same row when both
	 * fit (the result column aligned across lines), else on a row of its own */
	snprintf(text, sizeof(text), "%s %s  %s %s  %s %s", _("operator"),
	    jstr(l, "operator")[0] ? jstr(l, "operator") : "-", _("cylinder"),
	    jstr(l, "cylinder")[0] ? jstr(l, "cylinder") : "-", _("buyer"),
	    jstr(l, "buyer")[0] ? jstr(l, "buyer") : "-");
	if (last[0] == '\0')
		snprintf(result, sizeof(result), "-");
	else if (!isnan(jnum(l, "last_net"))) {
		weight_format(jnum(l, "last_net"), g);
		snprintf(result, sizeof(result), "%s %s kg", gasctl_word(last), g);
	} else
		snprintf(result, sizeof(result), "%s", gasctl_word(last));
	who = text_width(text) > WATCH_WHO_COLUMNS ? text_width(text) : WATCH_WHO_COLUMNS;
	frame_puts(f, "    ");
	if (4 + who + 2 + text_width(_("last:")) + 1 + text_width(result) < w->cols) {
		frame_cell(f, text, who, 1);
		frame_puts(f, "  ");
	} else {
		frame_cell(f, text, w->cols - 5, 0);
		frame_eol(f, w);
		frame_puts(f, "    ");
	}
	frame_puts(f, _("last:"));
	frame_puts(f, " ");
	frame_sgr(f, w, word_sgr(last));
	frame_cell(f, result, w->cols - 5 - text_width(_("last:")) - 1, 0);
	frame_sgr(f, w, SGR_RESET);
	frame_eol(f, w);

	/* rows 3...: every rule that fired on the last attempt */
	json_array_foreach(viol, i, v)
	{
		if (!json_is_string(v))
			continue;
		frame_puts(f, "    ");
		if (i == WATCH_VIOLATIONS_SHOWN && json_array_size(viol) > i + 1) {
			snprintf(text, sizeof(text), _("(%zu more rules)"),
			    json_array_size(viol) - i);
			frame_cell(f, text, w->cols - 5, 0);
			frame_eol(f, w);
			break;
		}
		frame_sgr(f, w,
		    strcmp(last, "refused") == 0 || strcmp(last, "held") == 0 ||
		            strcmp(last, "emergency") == 0
		        ? SGR_RED
		        : SGR_YELLOW);
		frame_cell(f, json_string_value(v), w->cols - 5, 0);
		frame_eol(f, w);
	}
	/* a scan refused at the counter: the line let go of what it held */
	if (jstr(l, "scan_refused")[0] != '\0') {
		snprintf(text, sizeof(text), _("scan refused: %s"), jstr(l, "scan_refused"));
		frame_puts(f, "    ");
		frame_sgr(f, w, SGR_RED);
		frame_cell(f, text, w->cols - 5, 0);
		frame_sgr(f, w, SGR_RESET);
		frame_eol(f, w);
	}
}

static void
draw_frame(struct frame *f, const struct watch *w, json_t *reply)
{
	json_t *lines, *l, *up;
	char when[32], text[512], clock[1024];
	time_t now = time(NULL);
	struct tm tm;
	long long upt;
	size_t i;

	f->len = 0;
	if (w->interactive)
		frame_puts(f, "\033[H");
	strftime(when, sizeof(when), "%H:%M:%S", localtime_r(&now, &tm));
	frame_sgr(f, w, SGR_BOLD);
	if (reply != NULL) {
		upt = (long long)json_integer_value(json_object_get(reply, "uptime_s"));
		snprintf(text, sizeof(text), _("station %s  gasgw up %lldh%02lldm%02llds"),
		    jstr(reply, "station"), upt / 3600, upt / 60 % 60, upt % 60);
	} else {
		snprintf(text, sizeof(text), "%s", _("gasgw: no answer"));
	}
	frame_cell(f, text, w->cols - 10, 1);
	frame_printf(f, "  %s", when);
	frame_eol(f, w);

	if (reply != NULL) {
		up = json_object_get(reply, "uplink");
		if (json_is_object(up)) {
			if (!json_is_true(json_object_get(up, "configured")))
				snprintf(text, sizeof(text), "%s",
				    _("county uplink: not configured"));
			else
				snprintf(text, sizeof(text), _("county uplink: %s, backlog %lld"),
				    json_is_true(json_object_get(up, "connected"))
				        ? _("connected")
				        : _("not connected"),
				    (long long)json_integer_value(json_object_get(up, "backlog")));
			frame_cell(f, text, w->cols - 1, 0);
			frame_eol(f, w);
		}
		/* as gasctl status says it, whole: what the clock reads, why no fill
		 * starts, and what to do; gone with the reply that no longer has it */
		if (gasctl_clock_line(reply, clock, sizeof(clock)))
			frame_wrap(f, w, SGR_RED SGR_REVERSE, clock, w->cols - 1);
	}
	frame_eol(f, w);
	if (w->error[0] != '\0') {
		frame_sgr(f, w, SGR_RED);
		frame_cell(f, w->error, w->cols - 1, 0);
		frame_eol(f, w);
		frame_eol(f, w);
	}
	if (reply != NULL) {
		lines = json_object_get(reply, "lines");
		json_array_foreach(lines, i, l)
		{
			draw_line(f, w, l);
			frame_eol(f, w);
		}
		if (json_array_size(lines) == 0) {
			frame_puts(f, _("no fill lines configured"));
			frame_eol(f, w);
		}
	}
	frame_sgr(f, w, SGR_DIM);
	frame_puts(f, _("q or Ctrl-C: quit"));
	frame_eol(f, w);
	if (w->interactive)
		frame_puts(f, "\033[J"); /* whatever an older, longer frame left below */
	else
		frame_puts(f, "\n");
}

/* --- the command ----------------------------------------------------------------- */

int
cmd_watch(struct gasctl *ctl, int argc, char **argv)
{
	const char *u = "watch";
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "once", no_argument, NULL, '1' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa;
	struct watch *w;
	struct frame f = { NULL, 0 };
	json_t *reply;
	long interval = 250;
	int64_t next = 0, now;
	int ch, once = 0, rc = GASCTL_OK;
	char *end;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "i:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			errno = 0;
			interval = strtol(optarg, &end, 10);
			if (errno || *end != '\0' || interval < 100 || interval > 10000)
				return gasctl_usage(u, _("--interval takes 100 to 10000 (ms)"));
			break;
		case '1':
			once = 1;
			break;
		case 'h':
			return gasctl_help(u);
		default:
			return gasctl_usage(u, _("bad arguments"));
		}
	}
	if (optind != argc)
		return gasctl_usage(u, _("bad arguments"));

	w = calloc(1, sizeof(*w));
	f.buf = malloc(WATCH_FRAME_MAX);
	if (w == NULL || f.buf == NULL) {
		fprintf(stderr, "gasctl: %s\n", strerror(errno));
		free(w);
		free(f.buf);
		return GASCTL_ERROR;
	}
	w->socket_path = ctl->control_socket;
	w->fd = -1;
	w->interactive = !once && isatty(STDOUT_FILENO);
	w->in_tty = !once && isatty(STDIN_FILENO);
	w->in_open = !once;
	w->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	term_size(w);

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop; /* no SA_RESTART: poll() returns at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_winch;
	sigaction(SIGWINCH, &sa, NULL);
	if (w->interactive || w->in_tty) {
		sa.sa_handler = on_tstp;
		sigaction(SIGTSTP, &sa, NULL);
	}
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	term_enter(w);
	while (!watch_stop) {
		if (watch_suspend)
			suspend(w);
		now = time_mono_ms();
		if (watch_resized) {
			watch_resized = 0;
			term_size(w);
			if (w->interactive)
				write_all(STDOUT_FILENO, "\033[2J", 4);
			next = 0;
		}
		if (now >= next) {
			reply = watch_fetch(w);
			if (watch_stop) {
				json_decref(reply);
				break;
			}
			draw_frame(&f, w, reply);
			json_decref(reply);
			if (write_all(STDOUT_FILENO, f.buf, f.len) == -1)
				break; /* the terminal went away */
			if (once) {
				rc = w->error[0] != '\0' ? GASCTL_ERROR : GASCTL_OK;
				if (rc != GASCTL_OK)
					fprintf(stderr, "gasctl: %s\n", w->error);
				break;
			}
			next = now + interval;
			now = time_mono_ms();
		}
		{
			struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
			int wait_ms = next > now ? (int)(next - now) : 0;

			if (!w->in_open) {
				poll(NULL, 0, wait_ms);
			} else if (poll(&p, 1, wait_ms) > 0 && read_keys(w)) {
				break;
			}
		}
	}
	term_leave(w);
	watch_disconnect(w);
	free(f.buf);
	free(w);
	return rc;
}
