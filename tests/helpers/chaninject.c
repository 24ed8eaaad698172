/*
 * chaninject: speak on an uplink process's channel as if it had been
 * taken over, to show what gasgw does with what it receives there.
 *
 *   chaninject PID KIND
 *
 * Takes a copy of descriptor 3 of process PID (pidfd_getfd: needs the
 * right to trace it, e.g. root) -- the uplink process's end of its channel
 * to gasgw -- and sends one message of KIND into it:
 *   short-ack       an ACK whose body is 7 bytes instead of 24
 *   wrong-side      a CONFIG, which only gasgw sends
 *   ack-for-nothing a well-formed ACK claiming the county holds everything
 *                   (seq 1,000,000,000) although no batch is out
 *   newline-status  a STATUS whose error text carries a forged log line
 *   oversized       20,000 bytes, longer than any message may be
 * Exits 0 when the message was sent, 1 when not, 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "upchan.h"
#include "util.h"

int
main(int argc, char **argv)
{
	static uint8_t buf[20000];
	struct upchan_ack ack = { 1000000000, 0, 0, 0 };
	struct upchan_status st;
	struct upchan_config c;
	size_t len = 0;
	int pidfd, fd;

	if (argc != 3) {
		fprintf(stderr, "usage: chaninject PID short-ack|wrong-side|ack-for-nothing|"
		                "newline-status|oversized\n");
		return 2;
	}
	if (strcmp(argv[2], "short-ack") == 0) {
		len = upchan_encode(UPCHAN_ACK, &ack, 7, NULL, 0, buf, sizeof(buf));
	} else if (strcmp(argv[2], "wrong-side") == 0) {
		memset(&c, 0, sizeof(c));
		c.version = UPCHAN_VERSION;
		len = upchan_encode(UPCHAN_CONFIG, &c, sizeof(c), NULL, 0, buf, sizeof(buf));
	} else if (strcmp(argv[2], "ack-for-nothing") == 0) {
		len = upchan_encode(UPCHAN_ACK, &ack, sizeof(ack), NULL, 0, buf, sizeof(buf));
	} else if (strcmp(argv[2], "newline-status") == 0) {
		memset(&st, 0, sizeof(st));
		st.quiet_ms = 5000;
		str_copy(st.last_error, "fine\ngasgw: FORGED LOG LINE", sizeof(st.last_error));
		len = upchan_encode(UPCHAN_STATUS, &st, sizeof(st), NULL, 0, buf, sizeof(buf));
	} else if (strcmp(argv[2], "oversized") == 0) {
		memset(buf, 0x41, sizeof(buf));
		len = sizeof(buf);
	} else {
		fprintf(stderr, "chaninject: unknown kind '%s'\n", argv[2]);
		return 2;
	}
	if ((pidfd = (int)syscall(SYS_pidfd_open, atoi(argv[1]), 0)) == -1 ||
	    (fd = (int)syscall(SYS_pidfd_getfd, pidfd, UPCHAN_FD, 0)) == -1) {
		perror("chaninject: pidfd");
		return 1;
	}
	if (send(fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len) {
		perror("chaninject: send");
		return 1;
	}
	close(fd);
	close(pidfd);
	return 0;
}
