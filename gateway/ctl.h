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
 * the one idle longest (never one waiting for a fill's result).
 *
 * ctl_run() is the control thread's loop; it returns when *stop is set.
 * Buyer numbers that arrive here are turned into HMAC id and masked form at
 * once (gwident) and never logged.
 */
#ifndef GAS_CTL_H
#define GAS_CTL_H

#include <signal.h>
#include <stddef.h>

#include "gw.h"

#define CTL_LINE_MAX 4096      /* longest request line */
#define CTL_CLIENTS 32         /* connections at once */
#define CTL_CLIENTS_PER_USER 8 /* of them, from one user (SO_PEERCRED uid) */

/* Create the listening socket at path (a stale socket file is replaced,
 * anything else refused).  Returns the fd, or -1 with err. */
int ctl_listen(const char *path, char *err, size_t errlen);

/* Serve until gw->stop. */
void ctl_run(struct gw *gw, int listen_fd);

#endif
