/*
 * daemon: signals and systemd notification (libsystemd's sd_notify).
 */
#include "daemon.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-daemon.h>

volatile sig_atomic_t daemon_stop_requested;
volatile sig_atomic_t daemon_reload_requested;

static void
on_signal(int signo)
{
	if (signo == SIGHUP)
		daemon_reload_requested = 1;
	else
		daemon_stop_requested = 1;
}

int
daemon_signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking poll() returns EINTR and the loop looks
	 * at the flags at once. */
	if (sigaction(SIGTERM, &sa, NULL) == -1 || sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

void
daemon_notify_ready(void)
{
	sd_notify(0, "READY=1");
}

void
daemon_notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void
daemon_notify_reloading(void)
{
	sd_notify(0, "RELOADING=1");
}

void
daemon_notify_status(const char *fmt, ...)
{
	char line[256] = "STATUS=";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line + 7, sizeof(line) - 7, fmt, ap);
	va_end(ap);
	sd_notify(0, line);
}

void
daemon_watchdog_feed(void)
{
	sd_notify(0, "WATCHDOG=1");
}

int64_t
daemon_watchdog_period_ms(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return 0;
	return (int64_t)(usec / 1000);
}
