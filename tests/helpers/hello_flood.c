/*
 * hello_flood: send a bounded flood of DTLS 1.2 ClientHello datagrams to a
 * loopback port, for tests/integration/t_dtls.sh.  Hellos rotate over a pool
 * of sockets (each a distinct client port); when the server answers one with
 * a HelloVerifyRequest, that socket's next hello echoes the cookie, so the
 * server has to create a handshake session for it (the costly kind), which
 * the flooder then abandons.  With -c the hellos offer only the cipher
 * suite CODE (e.g. 0xc02f, ECDHE-RSA-AES128-GCM-SHA256): a server that
 * refuses it fails each handshake at the cookie round (alert 40), as a
 * client with the wrong suites does.
 *
 *   hello_flood -p PORT [-n COUNT] [-s SOCKETS] [-t SECONDS] [-r PER_SECOND]
 *               [-a SOURCE]... [-c CODE]
 *
 * Sends to 127.0.0.1, from 127.0.0.1 or from the loopback SOURCE addresses
 * given (-a, up to 8; the sockets are spread over them in turn).  Stops
 * after COUNT hellos or SECONDS, whichever is first, and prints
 * "hello_flood: sent N hellos (C with a cookie), R datagrams back".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define MAX_SOCKETS 512
#define MAX_COOKIE 255
#define MAX_SOURCES 8

struct client {
	int fd;
	uint64_t record_seq;
	uint8_t cookie[MAX_COOKIE];
	size_t cookie_len;
};

static void
put24(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

/* the suites offered: the RFC 7925 PSK suite (and a few more), or -c's */
static uint8_t suites[] = { 0xc0, 0xa8, 0xc0, 0xa4, 0x00, 0xa8, 0x00, 0xae };
static size_t suites_len = sizeof(suites);

/* One ClientHello record offering suites. */
static size_t
make_hello(struct client *c, uint8_t *buf, size_t size)
{
	size_t body, n = 13 + 12, i;
	uint8_t *b;

	if (size < 13 + 12 + 2 + 32 + 1 + 1 + MAX_COOKIE + 2 + sizeof(suites) + 2)
		return 0;
	b = buf + n;
	*b++ = 0xfe, *b++ = 0xfd; /* client_version DTLS 1.2 */
	for (i = 0; i < 32; i++)
		*b++ = (uint8_t)rand(); /* random */
	*b++ = 0;                       /* session_id */
	*b++ = (uint8_t)c->cookie_len;
	memcpy(b, c->cookie, c->cookie_len);
	b += c->cookie_len;
	*b++ = 0, *b++ = (uint8_t)suites_len;
	memcpy(b, suites, suites_len);
	b += suites_len;
	*b++ = 1, *b++ = 0; /* compression: null */
	body = (size_t)(b - (buf + n));
	/* handshake header: client_hello, length, message_seq, offset, fragment */
	buf[13] = 1;
	put24(buf + 14, body);
	buf[17] = 0, buf[18] = c->cookie_len > 0 ? 1 : 0;
	put24(buf + 19, 0);
	put24(buf + 22, body);
	/* record header: handshake, DTLS 1.2, epoch 0, sequence, length */
	buf[0] = 22, buf[1] = 0xfe, buf[2] = 0xfd, buf[3] = 0, buf[4] = 0;
	for (i = 0; i < 6; i++)
		buf[5 + i] = (uint8_t)(c->record_seq >> (8 * (5 - i)));
	c->record_seq++;
	buf[11] = (uint8_t)((body + 12) >> 8);
	buf[12] = (uint8_t)(body + 12);
	return 13 + 12 + body;
}

/* Read what came back; keep the cookie of a HelloVerifyRequest. */
static long
drain(struct client *c)
{
	uint8_t buf[2048];
	ssize_t r;
	long got = 0;
	size_t clen;

	while ((r = recv(c->fd, buf, sizeof(buf), 0)) > 0) {
		got++;
		/* record(13) + handshake header(12) + server_version(2) + cookie */
		if (r >= 13 + 12 + 3 && buf[0] == 22 && buf[13] == 3) {
			clen = buf[13 + 12 + 2];
			if (clen <= MAX_COOKIE && (size_t)r >= 13 + 12 + 3 + clen) {
				memcpy(c->cookie, buf + 13 + 12 + 3, clen);
				c->cookie_len = clen;
			}
		}
	}
	return got;
}

/* A fresh non-blocking socket from source (port chosen by the kernel) to to. */
static int
open_socket(const struct sockaddr_in *source, const struct sockaddr_in *to)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	if (fd == -1 || bind(fd, (const struct sockaddr *)source, sizeof(*source)) == -1 ||
	    connect(fd, (const struct sockaddr *)to, sizeof(*to)) == -1) {
		perror("hello_flood: socket");
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

int
main(int argc, char **argv)
{
	static struct client clients[MAX_SOCKETS];
	struct sockaddr_in to, sources[MAX_SOURCES];
	uint8_t buf[1024];
	int nsources = 0;
	long count = 5000, seconds = 30, rate = 1000, sent = 0, with_cookie = 0, back = 0, i, code;
	char *end;
	int nsock = 200, port = 0, ch, s;
	int64_t start, now;
	size_t len;

	while ((ch = getopt(argc, argv, "p:n:s:t:r:a:c:h")) != -1) {
		switch (ch) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'n':
			count = atol(optarg);
			break;
		case 's':
			nsock = atoi(optarg);
			break;
		case 't':
			seconds = atol(optarg);
			break;
		case 'r':
			rate = atol(optarg);
			break;
		case 'a':
			if (nsources == MAX_SOURCES) {
				fprintf(stderr, "hello_flood: at most %d sources\n", MAX_SOURCES);
				return 2;
			}
			memset(&sources[nsources], 0, sizeof(sources[0]));
			sources[nsources].sin_family = AF_INET;
			if (inet_pton(AF_INET, optarg, &sources[nsources].sin_addr) != 1) {
				fprintf(stderr, "hello_flood: bad source %s\n", optarg);
				return 2;
			}
			nsources++;
			break;
		case 'c':
			code = strtol(optarg, &end, 0);
			if (*optarg == '\0' || *end != '\0' || code < 0 || code > 0xffff) {
				fprintf(stderr, "hello_flood: bad cipher suite %s\n", optarg);
				return 2;
			}
			suites[0] = (uint8_t)(code >> 8);
			suites[1] = (uint8_t)code;
			suites_len = 2;
			break;
		case 'h':
			printf("usage: hello_flood -p PORT [-n COUNT] [-s SOCKETS] [-t SECONDS] "
			       "[-r PER_SECOND] [-a SOURCE]... [-c CODE]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (port <= 0 || port > 65535 || count < 1 || count > 1000000 || nsock < 1 ||
	    nsock > MAX_SOCKETS || seconds < 1 || seconds > 600 || rate < 1) {
		fprintf(stderr, "hello_flood: bad arguments\n");
		return 2;
	}
	srand((unsigned)getpid());
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((uint16_t)port);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (nsources == 0) {
		memset(&sources[0], 0, sizeof(sources[0]));
		sources[0].sin_family = AF_INET;
		sources[0].sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		nsources = 1;
	}
	for (s = 0; s < nsock; s++)
		if ((clients[s].fd = open_socket(&sources[s % nsources], &to)) == -1)
			return 1;
	start = time_mono_ms();
	for (i = 0; i < count; i++) {
		now = time_mono_ms();
		if (now - start >= seconds * 1000)
			break;
		/* pace: hello i is due at i / rate seconds */
		while ((now = time_mono_ms()) - start < i * 1000 / rate) {
			struct timespec ts = { 0, 200000 };
			nanosleep(&ts, NULL);
		}
		s = (int)(i % nsock);
		back += drain(&clients[s]);
		if ((len = make_hello(&clients[s], buf, sizeof(buf))) == 0)
			return 1;
		if (clients[s].cookie_len > 0)
			with_cookie++;
		if (send(clients[s].fd, buf, len, 0) == (ssize_t)len)
			sent++;
		/* a fresh client port now and then, so sessions keep coming */
		if (clients[s].cookie_len > 0 && rand() % 4 == 0) {
			close(clients[s].fd);
			memset(&clients[s], 0, sizeof(clients[s]));
			if ((clients[s].fd = open_socket(&sources[s % nsources], &to)) == -1)
				return 1;
		}
	}
	for (s = 0; s < nsock; s++) {
		back += drain(&clients[s]);
		close(clients[s].fd);
	}
	printf("hello_flood: sent %ld hellos (%ld with a cookie), %ld datagrams back in %lld ms\n",
	    sent, with_cookie, back, (long long)(time_mono_ms() - start));
	return sent > 0 ? 0 : 1;
}
