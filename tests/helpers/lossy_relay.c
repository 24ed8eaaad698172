/*
 * lossy_relay: a seeded UDP relay that damages traffic on purpose, because
 * the test machine has no tc netem (docs/design.md §7).  It sits between a client
 * and a server on loopback and, for each datagram in either direction,
 * may drop it, send it twice, hold it back so later ones overtake it,
 * delay it, or flip a byte.  The same seed gives the same decisions.
 *
 *   lossy_relay -l LISTEN_PORT -u UPSTREAM_PORT [-H UPSTREAM_HOST] [-s SEED]
 *               [-d DROP%] [-D DUP%] [-r REORDER%] [-y MAX_DELAY_MS] [-c CORRUPT%]
 *
 * Every client address gets its own upstream socket, so a client that
 * reconnects from a new port looks like a new peer to the server, as it
 * would without the relay.  Counts go to stderr on SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 64
#define MAX_PENDING 4096
#define MAX_DGRAM 65536

struct client {
	struct sockaddr_in addr;
	int upstream; /* socket connected to the server */
};

struct pending {
	int64_t due_ms;
	int fd;                /* socket to send on */
	struct sockaddr_in to; /* for the listening socket */
	int use_to;
	size_t len;
	uint8_t *data;
};

static struct client clients[MAX_CLIENTS];
static size_t nclients;
static struct pending pending[MAX_PENDING];
static size_t npending;
static uint64_t rng;
static int drop_pct, dup_pct, reorder_pct, corrupt_pct, max_delay_ms;
static unsigned long n_in, n_out, n_drop, n_dup, n_reorder, n_corrupt;
static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* xorshift64*: small, seeded, reproducible */
static uint32_t
next_random(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 32);
}

static int
chance(int pct)
{
	return pct > 0 && (int)(next_random() % 100) < pct;
}

static void
queue(int fd, const struct sockaddr_in *to, const uint8_t *data, size_t len, int64_t delay)
{
	struct pending *p;

	if (npending == MAX_PENDING) {
		n_drop++;
		return;
	}
	p = &pending[npending];
	if ((p->data = malloc(len)) == NULL) {
		n_drop++;
		return;
	}
	memcpy(p->data, data, len);
	p->len = len;
	p->fd = fd;
	p->use_to = to != NULL;
	if (to != NULL)
		p->to = *to;
	p->due_ms = now_ms() + delay;
	npending++;
}

static void
damage(int fd, const struct sockaddr_in *to, uint8_t *data, size_t len)
{
	int64_t delay;
	int copies = 1, i;

	n_in++;
	if (chance(drop_pct)) {
		n_drop++;
		return;
	}
	if (chance(dup_pct)) {
		copies = 2;
		n_dup++;
	}
	if (len > 0 && chance(corrupt_pct)) {
		data[next_random() % len] ^= (uint8_t)(1 + next_random() % 255);
		n_corrupt++;
	}
	for (i = 0; i < copies; i++) {
		delay = max_delay_ms > 0 ? next_random() % (unsigned)(max_delay_ms + 1) : 0;
		if (chance(reorder_pct)) {
			delay += 5 + next_random() % 30; /* later datagrams overtake this one */
			n_reorder++;
		}
		queue(fd, to, data, len, delay);
	}
}

static void
flush_due(void)
{
	int64_t now = now_ms();
	size_t i = 0;

	while (i < npending) {
		struct pending *p = &pending[i];

		if (p->due_ms > now) {
			i++;
			continue;
		}
		if (p->use_to)
			sendto(p->fd, p->data, p->len, 0, (struct sockaddr *)&p->to, sizeof(p->to));
		else
			send(p->fd, p->data, p->len, 0);
		n_out++;
		free(p->data);
		pending[i] = pending[--npending];
	}
}

static int
next_due_ms(void)
{
	int64_t now = now_ms(), best = -1;
	size_t i;

	for (i = 0; i < npending; i++)
		if (best == -1 || pending[i].due_ms < best)
			best = pending[i].due_ms;
	if (best == -1)
		return 200;
	return best <= now ? 0 : (int)(best - now);
}

static struct client *
client_for(const struct sockaddr_in *from, const struct sockaddr_in *upstream)
{
	struct client *c;
	size_t i;

	for (i = 0; i < nclients; i++)
		if (clients[i].addr.sin_port == from->sin_port &&
		    clients[i].addr.sin_addr.s_addr == from->sin_addr.s_addr)
			return &clients[i];
	if (nclients == MAX_CLIENTS) {
		/* forget the oldest peer */
		close(clients[0].upstream);
		memmove(&clients[0], &clients[1], (MAX_CLIENTS - 1) * sizeof(clients[0]));
		nclients--;
	}
	c = &clients[nclients];
	c->addr = *from;
	c->upstream = socket(AF_INET, SOCK_DGRAM, 0);
	if (c->upstream == -1 ||
	    connect(c->upstream, (const struct sockaddr *)upstream, sizeof(*upstream)) == -1) {
		perror("lossy_relay: upstream");
		if (c->upstream != -1)
			close(c->upstream);
		return NULL;
	}
	nclients++;
	return c;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in listen_addr, upstream, from;
	struct pollfd fds[MAX_CLIENTS + 1];
	static uint8_t buf[MAX_DGRAM];
	const char *host = "127.0.0.1";
	int listen_port = 0, upstream_port = 0, ch, lfd, n;
	socklen_t fromlen;
	ssize_t got;
	size_t i;

	rng = 0x9e3779b97f4a7c15ULL;
	while ((ch = getopt(argc, argv, "l:u:H:s:d:D:r:y:c:h")) != -1) {
		switch (ch) {
		case 'l':
			listen_port = atoi(optarg);
			break;
		case 'u':
			upstream_port = atoi(optarg);
			break;
		case 'H':
			host = optarg;
			break;
		case 's':
			rng = strtoull(optarg, NULL, 10) * 0x9e3779b97f4a7c15ULL + 1;
			break;
		case 'd':
			drop_pct = atoi(optarg);
			break;
		case 'D':
			dup_pct = atoi(optarg);
			break;
		case 'r':
			reorder_pct = atoi(optarg);
			break;
		case 'y':
			max_delay_ms = atoi(optarg);
			break;
		case 'c':
			corrupt_pct = atoi(optarg);
			break;
		case 'h':
			printf(
			    "usage: lossy_relay -l LISTEN_PORT -u UPSTREAM_PORT [-H HOST] [-s SEED]"
			    " [-d DROP%%] [-D DUP%%] [-r REORDER%%] [-y MAX_DELAY_MS] [-c "
			    "CORRUPT%%]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (listen_port <= 0 || upstream_port <= 0) {
		fprintf(stderr, "lossy_relay: -l and -u are required\n");
		return 2;
	}
	memset(&listen_addr, 0, sizeof(listen_addr));
	listen_addr.sin_family = AF_INET;
	listen_addr.sin_port = htons((uint16_t)listen_port);
	listen_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memset(&upstream, 0, sizeof(upstream));
	upstream.sin_family = AF_INET;
	upstream.sin_port = htons((uint16_t)upstream_port);
	if (inet_pton(AF_INET, host, &upstream.sin_addr) != 1) {
		fprintf(stderr, "lossy_relay: %s is not an IPv4 address\n", host);
		return 2;
	}
	if ((lfd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    bind(lfd, (struct sockaddr *)&listen_addr, sizeof(listen_addr)) == -1) {
		perror("lossy_relay: listen");
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!quit) {
		fds[0].fd = lfd;
		fds[0].events = POLLIN;
		for (i = 0; i < nclients; i++) {
			fds[i + 1].fd = clients[i].upstream;
			fds[i + 1].events = POLLIN;
		}
		n = poll(fds, nclients + 1, next_due_ms());
		if (n == -1 && errno != EINTR) {
			perror("lossy_relay: poll");
			return 1;
		}
		/* upstream first: a new client may reshuffle clients[] */
		for (i = 0; n > 0 && i < nclients; i++) {
			if (!(fds[i + 1].revents & POLLIN))
				continue;
			/* recv fails with ECONNREFUSED while the server is down: ignore */
			got = recv(clients[i].upstream, buf, sizeof(buf), 0);
			if (got >= 0)
				damage(lfd, &clients[i].addr, buf, (size_t)got);
		}
		if (n > 0 && (fds[0].revents & POLLIN)) {
			fromlen = sizeof(from);
			got =
			    recvfrom(lfd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
			if (got >= 0) {
				struct client *c = client_for(&from, &upstream);

				if (c != NULL)
					damage(c->upstream, NULL, buf, (size_t)got);
			}
		}
		flush_due();
	}
	fprintf(stderr,
	    "lossy_relay: %lu in, %lu out, %lu dropped, %lu duplicated, %lu reordered, "
	    "%lu corrupted\n",
	    n_in, n_out, n_drop, n_dup, n_reorder, n_corrupt);
	return 0;
}
