/*
 * control: gassim's control socket (see control.h).  Each client has a line
 * buffer; every complete line is run with command_run and its answer
 * written back before the next line is read.  Answers are small (status of
 * 32 lines is a few kilobytes), so a blocking write is fine for a test tool.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "command.h"
#include "control.h"
#include "log.h"
#include "util.h"

#define ANSWER_MAX 32768

struct client {
	int fd;
	char buf[COMMAND_MAX_LEN + 2]; /* a line, its newline and a NUL */
	size_t len;
};

struct control {
	struct sim *sim;
	const char *path;
	int fd;
	struct client client[CONTROL_MAX_CLIENTS];
};

struct control *
control_open(struct sim *sim, const char *path, char *err, size_t errlen)
{
	struct control *c;
	struct sockaddr_un sa;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		err_set(err, errlen, "control socket %s: path longer than %zu bytes", path,
		    sizeof(sa.sun_path) - 1);
		return NULL;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		err_set(err, errlen, "out of memory");
		return NULL;
	}
	c->sim = sim;
	c->path = path;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		c->client[i].fd = -1;
	unlink(path);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(c->fd, 8) < 0) {
		err_set(err, errlen, "control socket %s: %s", path, strerror(errno));
		if (c->fd >= 0)
			close(c->fd);
		free(c);
		return NULL;
	}
	return c;
}

void
control_close(struct control *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (c->client[i].fd >= 0)
			close(c->client[i].fd);
	close(c->fd);
	unlink(c->path);
	free(c);
}

static int
say(int fd, const char *text)
{
	size_t len = strlen(text);

	while (len > 0) {
		ssize_t n = write(fd, text, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read what the client sent and answer each complete line; -1 when the
 * client is gone or must go. */
static int
client_input(struct control *c, struct client *cl)
{
	static char answer[ANSWER_MAX];
	ssize_t n;
	char *nl;

	n = read(cl->fd, cl->buf + cl->len, sizeof(cl->buf) - 1 - cl->len);
	if (n <= 0)
		return -1;
	cl->len += (size_t)n;
	cl->buf[cl->len] = '\0';
	while ((nl = memchr(cl->buf, '\n', cl->len)) != NULL) {
		*nl = '\0';
		command_run(c->sim, cl->buf, answer, sizeof(answer));
		if (say(cl->fd, answer) < 0)
			return -1;
		cl->len -= (size_t)(nl + 1 - cl->buf);
		memmove(cl->buf, nl + 1, cl->len);
	}
	if (cl->len >= sizeof(cl->buf) - 1) {
		snprintf(answer, sizeof(answer), "error: command longer than %d bytes\n",
		    COMMAND_MAX_LEN);
		say(cl->fd, answer);
		return -1;
	}
	return 0;
}

void
control_watch(const struct control *c, fd_set *rd, int *maxfd)
{
	FD_SET(c->fd, rd);
	if (c->fd > *maxfd)
		*maxfd = c->fd;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		if (c->client[i].fd < 0)
			continue;
		FD_SET(c->client[i].fd, rd);
		if (c->client[i].fd > *maxfd)
			*maxfd = c->client[i].fd;
	}
}

void
control_serve(struct control *c, const fd_set *rd)
{
	if (FD_ISSET(c->fd, rd)) {
		int fd = accept4(c->fd, NULL, NULL, SOCK_CLOEXEC);
		int placed = 0;
		for (int i = 0; i < CONTROL_MAX_CLIENTS && fd >= 0 && !placed; i++)
			if (c->client[i].fd < 0) {
				c->client[i].fd = fd;
				c->client[i].len = 0;
				placed = 1;
			}
		if (fd >= 0 && !placed) {
			say(fd, "error: too many control clients\n");
			close(fd);
		}
	}
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct client *cl = &c->client[i];
		if (cl->fd >= 0 && FD_ISSET(cl->fd, rd) && client_input(c, cl) < 0) {
			close(cl->fd);
			cl->fd = -1;
		}
	}
}
