/*
 * control: gassim's control socket, a Unix stream socket taking one command
 * (command.h) per line from up to CONTROL_MAX_CLIENTS clients at once, each
 * answered in turn.  A line longer than COMMAND_MAX_LEN is answered with an
 * error and the connection closed.  Runs inside the caller's select loop.
 */
#ifndef GAS_SIM_CONTROL_H
#define GAS_SIM_CONTROL_H

#include <stddef.h>
#include <sys/select.h>

#include "sim.h"

#define CONTROL_MAX_CLIENTS 8

struct control;

/* Listen at path (a stale socket there is replaced), running commands
 * against sim, which must outlive it (path too).  Returns the control, or
 * NULL with a message naming path in err. */
struct control *control_open(struct sim *sim, const char *path, char *err, size_t errlen);

/* Add the descriptors to wait on to rd, raising *maxfd. */
void control_watch(const struct control *control, fd_set *rd, int *maxfd);

/* After select: accept clients, read and answer their commands. */
void control_serve(struct control *control, const fd_set *rd);

/* Close every client, remove the socket; control_close(NULL) does nothing. */
void control_close(struct control *control);

#endif
