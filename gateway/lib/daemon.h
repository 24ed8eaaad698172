/*
 * daemon: what a long-running process of ours owes its supervisor.
 *
 * systemd (Type=notify): READY=1 once serving, STATUS= lines, STOPPING=1,
 * and WATCHDOG=1 fed only while the caller's loops are healthy — the caller
 * decides that, this module only forwards it.  Without systemd (no
 * NOTIFY_SOCKET) every call is a cheap no-op.
 *
 * Signals: SIGTERM/SIGINT ask to stop, SIGHUP asks to reload; the flags are
 * set from the handler and read by the main loop (sig_atomic_t).  SIGPIPE is
 * ignored so that a vanished socket peer is an error return, not a death.
 */
#ifndef GAS_DAEMON_H
#define GAS_DAEMON_H

#include <signal.h>
#include <stdint.h>

extern volatile sig_atomic_t daemon_stop_requested;
extern volatile sig_atomic_t daemon_reload_requested;

/* Install the handlers above.  Returns 0 or -1 (errno set). */
int daemon_signals_install(void);

void daemon_notify_ready(void);
void daemon_notify_stopping(void);
void daemon_notify_reloading(void);
/* One STATUS= line, shown by systemctl status. */
void daemon_notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Feed the systemd watchdog: call only when every loop has made progress. */
void daemon_watchdog_feed(void);
/* The watchdog period systemd asked for in ms (WatchdogSec), or 0 if none;
 * feed at least twice per period. */
int64_t daemon_watchdog_period_ms(void);

#endif
