/*
 * log: the one way every binary reports what it does.
 *
 * In the foreground (or for tools) messages go to stderr; a daemon sends them
 * to syslog (which the journal collects).  log_warn appends strerror(errno);
 * the *x forms do not.  fatal/fatalx log and exit(1).
 *
 * Never pass a raw resident ID number, credit code or key to these functions:
 * log the buyer's HMAC id or masked form instead (see buyer.h).
 */
#ifndef GAS_LOG_H
#define GAS_LOG_H

#include <stdarg.h>
#include <stdnoreturn.h>

enum log_level { LOG_LEVEL_WARN = 0, LOG_LEVEL_INFO = 1, LOG_LEVEL_DEBUG = 2 };

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* progname is kept by pointer and must outlive logging. */
void log_init(const char *progname, int foreground, enum log_level level);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

void log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void log_debug(const char *fmt, ...) LOG_PRINTF(1, 2);
noreturn void fatal(const char *fmt, ...) LOG_PRINTF(1, 2);
noreturn void fatalx(const char *fmt, ...) LOG_PRINTF(1, 2);

#endif
