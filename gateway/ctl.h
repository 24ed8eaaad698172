/*
 * ctl: gasgw's control socket and barcode scanners (docs/control-protocol.md).
 *
 * The socket is a Unix stream socket (mode 0660) speaking JSON lines: one
 * request object per line, one or more reply objects per line.  A request
 * with "wait": true (start, fill) streams {"event":"progress",...} objects
 * until the attempt has an outcome, then one {"event":"result",...}.
 *
 * Scanners are serial devices (or ptys) configured per line; each line of
 * input is one scanned code: "GC1:..." is a cylinder code, anything else a
 * buyer number.
 *
 * No local client can lock the operator out: a connection that completes
 * no request for [station] control_idle_s is closed; one user holds at most
 * CTL_CLIENTS_PER_USER connections; a newcomer who finds no free slot takes
 * the one idle longest (never one waiting for a fill's result); one that
 * keeps the thread waiting for room for a reply for more than
 * CTL_SEND_WAIT_MS in all is closed; one request of each connection is
 * answered in a round of the loop.
 *
 * ctl_run() is the control thread's loop; it returns when *stop is set.
 * Buyer numbers that arrive here are turned into HMAC id and masked form at
 * once (gwident) and never logged.
 */
#ifndef GAS_CTL_H
#define GAS_CTL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "gw.h"

#define CTL_LINE_MAX 4096      /* longest request line */
#define CTL_CLIENTS 32         /* connections at once */
#define CTL_CLIENTS_PER_USER 8 /* of them, from one user (SO_PEERCRED uid) */
/* how long, in all, the control thread waits for a client to make room
 * for one reply before dropping it: a client that reads as it should
 * barely makes it wait (ctl.c send_json) */
#define CTL_SEND_WAIT_MS 1000

/* Create the listening socket at path (a stale socket file is replaced,
 * anything else refused).  Returns the fd, or -1 with err. */
int ctl_listen(const char *path, char *err, size_t errlen);

/* Serve until gw->stop. */
void ctl_run(struct gw *gw, int listen_fd);

/*
 * Memory given back at rest (issue 18, docs/fill-line.md "At rest only, and
 * under 2 MB"):
 * what the station database's page caches filled beyond their pinned pages
 * (records_release_memory, uplink_release_memory), then the heap's free
 * pages (malloc_trim).  The control loop asks ctl_release_memory at every
 * pass; it releases when every line is at rest and CTL_RELEASE_MS have
 * passed since the last release, or, on a station whose lines are never
 * all at rest, once CTL_RELEASE_MAX_MS have passed and no line is in the
 * timed part of a fill (ctl.c says why that part, and why that is enough).
 */
#define CTL_RELEASE_MS 60000      /* at rest: at most this often */
#define CTL_RELEASE_MAX_MS 600000 /* lines never all at rest: at least this often, if it can */

/* Where a line stands, for the release (from its line_status). */
enum ctl_line_activity {
	CTL_LINE_AT_REST, /* no fill in progress, none asked for, no emergency */
	CTL_LINE_BUSY,    /* a start asked for or being checked, an emergency */
	CTL_LINE_TIMED,   /* a fill's valve open or just closed (armed .. check-weighed) */
};

enum ctl_release {
	CTL_RELEASE_NOT_NOW,
	CTL_RELEASE_AT_REST, /* every line at rest */
	CTL_RELEASE_OVERDUE, /* lines busy past CTL_RELEASE_MAX_MS, none timed */
};

/* Pure: a line's activity from a copy of its status. */
enum ctl_line_activity ctl_line_activity(const struct line_status *status);

/* Pure: whether to release now, since_ms after the last release, with
 * `busy` lines not at rest, `timed` of them in the timed part of a fill. */
enum ctl_release ctl_release_due(int64_t since_ms, size_t busy, size_t timed);

/*
 * The control loop's release, at monotonic time now: each line's status
 * taken (line_status, under the line's lock), ctl_release_due asked, and
 * when it says so the caches released and the heap trimmed, *released_ms
 * set to now.  Returns what ctl_release_due answered.
 */
enum ctl_release ctl_release_memory(struct gw *gw, int64_t now, int64_t *released_ms);

#endif
