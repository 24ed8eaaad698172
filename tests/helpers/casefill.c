/*
 * casefill: COUNT case steps on case ID over one DTLS session, as an officer
 * (or any identity), each an "attach" of SIZE fresh bytes (a new SHA-256
 * each time), or with -c a "comment" whose note alternates, so that no
 * step is a resend of the one before (review rev92: how much of the
 * county's disk one person's key can take).
 *
 *   casefill -p PORT -u IDENTITY -k KEYFILE -i ID -n COUNT [-s SIZE | -c]
 *
 * Prints "sent N 2.04 M" (how many steps, how many answered 2.04).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casemsg.h"
#include "coaplink.h"
#include "log.h"
#include "util.h"

int
main(int argc, char **argv)
{
	struct coaplink_response resp;
	struct coaplink *link = NULL;
	const char *identity = NULL, *keyfile = NULL;
	char err[256];
	int ch, port = 0, count = 1, comment = 0, changed = 0, i;
	long long id = 0;
	size_t size = 1024, k;

	while ((ch = getopt(argc, argv, "p:u:k:i:n:s:c")) != -1) {
		switch (ch) {
		case 'p':
			port = atoi(optarg);
			break;
		case 'u':
			identity = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'i':
			id = atoll(optarg);
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 's':
			size = (size_t)atol(optarg);
			break;
		case 'c':
			comment = 1;
			break;
		default:
			return 2;
		}
	}
	if (port <= 0 || identity == NULL || keyfile == NULL || id <= 0)
		return 2;
	log_init("casefill", 1, LOG_LEVEL_WARN);
	if (coaplink_open_tool("127.0.0.1", port, identity, keyfile, &link, err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "casefill: %s\n", err);
		return 1;
	}
	srand(12345);
	for (i = 0; i < count; i++) {
		struct case_request r;
		uint8_t *body = NULL;
		size_t len = 0;

		memset(&r, 0, sizeof(r));
		r.id = id;
		casemsg_set(&r, CASEMSG_ID);
		casemsg_set(&r, CASEMSG_STEP);
		if (comment) {
			str_copy(r.step, "comment", sizeof(r.step));
			memset(r.note, i % 2 ? 'a' : 'b', sizeof(r.note) - 1);
			casemsg_set(&r, CASEMSG_NOTE_F);
		} else {
			str_copy(r.step, "attach", sizeof(r.step));
			str_copy(r.file, "photo.jpg", sizeof(r.file));
			str_copy(r.type, "image/jpeg", sizeof(r.type));
			if ((r.data = malloc(size)) == NULL)
				return 1;
			for (k = 0; k < size; k++)
				r.data[k] = (uint8_t)rand();
			r.data_len = size;
			casemsg_set(&r, CASEMSG_FILE);
			casemsg_set(&r, CASEMSG_TYPE);
			casemsg_set(&r, CASEMSG_DATA);
		}
		if (casemsg_encode(&r, &body, &len) == -1) {
			casemsg_free(&r);
			return 1;
		}
		casemsg_free(&r);
		if (coaplink_request(link, "POST", "cases/step", NULL, COAPLINK_FORMAT_CBOR,
		        COAPLINK_NONE, body, len, 30000, &resp, err, sizeof(err)) == 0) {
			if (resp.code == 204)
				changed++;
			else if (i == 0)
				fprintf(stderr, "casefill: answer %d: %.*s\n", resp.code,
				    (int)resp.len, (const char *)resp.data);
			coaplink_response_free(&resp);
		}
		free(body);
	}
	printf("sent %d 2.04 %d\n", count, changed);
	coaplink_free(link);
	return 0;
}
