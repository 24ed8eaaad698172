/*
 * log: stderr in the foreground, syslog as a daemon.  One line per message,
 * written with a single call so that lines from several threads do not mix;
 * a control character in a message (outside text it quotes), C0, DEL or
 * C1, is written '?' (a C1 character's two bytes '??').
 */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "timetext.h"
#include "util.h"

static const char *log_progname = "gas";
static int log_foreground = 1;
static enum log_level log_level = LOG_LEVEL_INFO;

void
log_init(const char *progname, int foreground, enum log_level level)
{
	log_progname = progname;
	log_foreground = foreground;
	log_level = level;
	if (!foreground)
		openlog(progname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

static void
log_emit(int priority, const char *tag, const char *fmt, va_list ap, int with_errno,
    int saved_errno)
{
	char msg[1024];
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);

	if (n < 0)
		snprintf(msg, sizeof(msg), "(unformattable message)");
	if (with_errno) {
		size_t len = strlen(msg);
		snprintf(msg + len, sizeof(msg) - len, ": %s", strerror(saved_errno));
	}
	/* one line, whatever outside text the message quotes (a station's field in a
	 * refusal): a control character would forge another line (journald splits stderr
	 * at line breaks) or be an escape sequence for the reader's terminal */
	for (unsigned char *p = (unsigned char *)msg; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			*p = '?';
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* a C1 control (U+0080..U+009F): U+009B is CSI on xterm and VTE */
			p[0] = p[1] = '?';
			p++;
		}
	}
	if (log_foreground) {
		char when[TIMETEXT_MAX];

		/* local time with its offset (the daemon's configured zone) */
		timetext_format(time_wall_ms(), TIMETEXT_CLOCK, when);
		fprintf(stderr, "%s %s: %s%s\n", when, log_progname, tag, msg);
	} else {
		syslog(priority, "%s%s", tag, msg);
	}
}

#define LOG_BODY(prio, tag, with_errno)                                                            \
	do {                                                                                       \
		int saved_errno = errno;                                                           \
		va_list ap;                                                                        \
		va_start(ap, fmt);                                                                 \
		log_emit(prio, tag, fmt, ap, with_errno, saved_errno);                             \
		va_end(ap);                                                                        \
		errno = saved_errno;                                                               \
	} while (0)

void
log_warn(const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, "warning: ", 1);
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_WARNING, "warning: ", 0);
}

void
log_info(const char *fmt, ...)
{
	if (log_level < LOG_LEVEL_INFO)
		return;
	LOG_BODY(LOG_INFO, "", 0);
}

void
log_debug(const char *fmt, ...)
{
	if (log_level < LOG_LEVEL_DEBUG)
		return;
	LOG_BODY(LOG_DEBUG, "debug: ", 0);
}

void
fatal(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, "fatal: ", 1);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, "fatal: ", 0);
	exit(1);
}
