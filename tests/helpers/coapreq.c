/*
 * coapreq: one CoAP request to gascounty over DTLS-PSK as any identity, for
 * the tenant matrix (tests/integration/t_tenants.sh).
 *
 *   coapreq -p PORT -u IDENTITY -k KEYFILE -m METHOD -P PATH [-q QUERY]
 *           [-b BODY [-T TEXT] [-W AT] | -f FILE] [-a ACCEPT] [-F FORMAT] [-j]
 *           [-t TIMEOUT_MS] [-n COUNT]
 *   coapreq -p PORT -u IDENTITY -k KEYFILE -o -P PATH [-t TIMEOUT_MS]
 *
 * BODY builds a valid protocol payload, so that a refusal can only come from
 * who is asking, never from a malformed body:
 *   batch:STATION:TOWNSHIP:SEQ   one "event" record at SEQ claiming STATION
 *   life:SOURCE:TOWNSHIP:SEQ     one "life" record (an empty returned) at SEQ, done
 *                                by IDENTITY (a device speaks only for itself)
 *   heartbeat:STATION:TOWNSHIP[:STATUS]  a heartbeat claiming STATION (status text)
 *   ack:ID                       a disposition of alert ID
 *   casestep:ID                  a comment on case ID (casemsg.h)
 *   report:VILLAGE               a grid worker's report from VILLAGE
 *   reassign:ID:TOWNSHIP         case ID to TOWNSHIP
 * -T TEXT puts TEXT (line breaks, C1 controls and all) where BODY carries a
 * free text: a batch's record then holds one R20 violation (an alert) whose
 * details are TEXT; a life record's village; a heartbeat's status; the note
 * of a disposition, case step or report (for what a terminal tool shows of
 * such a text: t_cases, t_trace).
 * -W AT gives a heartbeat's "at" (its station's clock, Unix ms: any int64,
 * 0 and the bounds included) instead of now (t_county_attacks, C14).
 * -f sends FILE's bytes as the CBOR body instead (tests/helpers/batchgen
 * writes hostile batches for tests/integration/t_county_attacks.sh).
 * ACCEPT is the Accept option's number (none by default: CBOR); FORMAT the
 * body's Content-Format number (CBOR by default).
 * Prints one line, "code C.DD" (the response code) or "code none" (no
 * session: handshake refused or no answer), then with -j the body as JSON.
 * Exits 0 when it printed a code line (whatever the code), 2 on bad usage.
 * -n COUNT sends the request COUNT times, one after the other over the one
 * DTLS session (a flood from one identity: t_county_attacks), a BODY made
 * anew for each (a heartbeat's "at" then each one's now); the code line is
 * the last answer's, followed by "same N": how many answers had that code.
 * With -o it registers an Observe on PATH, prints "observing" (flushed) and
 * then "notified" at the first notification, or "no notification" after
 * TIMEOUT_MS.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casemsg.h"
#include "coaplink.h"
#include "log.h"
#include "util.h"
#include "wire.h"

static int
make_body(const char *spec, const char *identity, const char *text, const int64_t *at,
    uint8_t **out, size_t *len)
{
	char copy[256], *f[4] = { 0 }, *save = NULL, *p;
	int n = 0;

	str_copy(copy, spec, sizeof(copy));
	for (p = strtok_r(copy, ":", &save); p != NULL && n < 4; p = strtok_r(NULL, ":", &save))
		f[n++] = p;
	if (n == 4 && (strcmp(f[0], "batch") == 0 || strcmp(f[0], "life") == 0)) {
		struct wire_violation v;
		struct wire_record rec;
		struct wire_batch b;
		int life = strcmp(f[0], "life") == 0;

		memset(&rec, 0, sizeof(rec));
		memset(&b, 0, sizeof(b));
		str_copy(rec.station, f[1], sizeof(rec.station));
		rec.seq = atoll(f[3]);
		snprintf(rec.uuid, sizeof(rec.uuid), "00000000-0000-4000-%s-%012lld",
		    life ? "9000" : "8000", (long long)rec.seq);
		str_copy(rec.kind, life ? "life" : "event", sizeof(rec.kind));
		rec.created_ms = time_wall_ms();
		if (life) {
			rec.has_life = 1;
			str_copy(rec.life.event, "returned", sizeof(rec.life.event));
			str_copy(rec.life.serial, "CYA5", sizeof(rec.life.serial));
			str_copy(rec.life.actor, identity, sizeof(rec.life.actor));
			rec.life.at_ms = rec.created_ms;
			if (text != NULL)
				str_copy(rec.life.village, text, sizeof(rec.life.village));
		} else if (text != NULL) {
			memset(&v, 0, sizeof(v));
			snprintf(v.uuid, sizeof(v.uuid), "00000000-0000-4000-a000-%012lld",
			    (long long)rec.seq);
			str_copy(v.rule, "R20", sizeof(v.rule));
			str_copy(v.severity, "alert", sizeof(v.severity));
			str_copy(v.township, f[2], sizeof(v.township));
			str_copy(v.details, text, sizeof(v.details));
			str_copy(v.cylinder, "CYA5", sizeof(v.cylinder));
			v.line = 1;
			v.at_ms = rec.created_ms;
			rec.violations = &v;
			rec.violation_count = 1;
		}
		str_copy(b.station, f[1], sizeof(b.station));
		str_copy(b.township, f[2], sizeof(b.township));
		b.count = 1;
		b.records = &rec;
		return wire_encode_batch(&b, out, len);
	}
	if ((n == 3 || n == 4) && strcmp(f[0], "heartbeat") == 0) {
		struct wire_heartbeat h;

		memset(&h, 0, sizeof(h));
		str_copy(h.station, f[1], sizeof(h.station));
		str_copy(h.township, f[2], sizeof(h.township));
		h.at_ms = at != NULL ? *at : time_wall_ms();
		str_copy(h.status,
		    text != NULL ? text
		    : n == 4     ? f[3]
		                 : "tenant test",
		    sizeof(h.status));
		return wire_encode_heartbeat(&h, out, len);
	}
	if (n == 2 && strcmp(f[0], "ack") == 0) {
		struct wire_disposition d;

		memset(&d, 0, sizeof(d));
		d.id = atoll(f[1]);
		str_copy(d.note, text != NULL ? text : "tenant test", sizeof(d.note));
		return wire_encode_disposition(&d, out, len);
	}
	if ((n == 2 && strcmp(f[0], "casestep") == 0) || (n == 2 && strcmp(f[0], "report") == 0) ||
	    (n == 3 && strcmp(f[0], "reassign") == 0)) {
		struct case_request r;

		memset(&r, 0, sizeof(r));
		str_copy(r.note, text != NULL ? text : "tenant test", sizeof(r.note));
		casemsg_set(&r, CASEMSG_NOTE_F);
		if (strcmp(f[0], "report") == 0) {
			str_copy(r.kind, "stacked", sizeof(r.kind));
			str_copy(r.village, f[1], sizeof(r.village));
			casemsg_set(&r, CASEMSG_KIND);
			casemsg_set(&r, CASEMSG_VILLAGE);
		} else {
			r.id = atoll(f[1]);
			casemsg_set(&r, CASEMSG_ID);
		}
		if (strcmp(f[0], "casestep") == 0) {
			str_copy(r.step, "comment", sizeof(r.step));
			casemsg_set(&r, CASEMSG_STEP);
		}
		if (n == 3) {
			str_copy(r.township, f[2], sizeof(r.township));
			casemsg_set(&r, CASEMSG_TOWNSHIP);
		}
		return casemsg_encode(&r, out, len);
	}
	return -1;
}

/* The whole of path into a malloc'd buffer (at most 8 MiB). */
static int
read_body(const char *path, uint8_t **out, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	long size;

	*out = NULL;
	*len = 0;
	if (fp == NULL)
		return -1;
	if (fseek(fp, 0, SEEK_END) == -1 || (size = ftell(fp)) < 0 || size > (8L << 20) ||
	    fseek(fp, 0, SEEK_SET) == -1 || (*out = malloc((size_t)size + 1)) == NULL ||
	    fread(*out, 1, (size_t)size, fp) != (size_t)size) {
		fclose(fp);
		free(*out);
		*out = NULL;
		return -1;
	}
	fclose(fp);
	*len = (size_t)size;
	return 0;
}

int
main(int argc, char **argv)
{
	struct coaplink_response resp;
	struct coaplink *link = NULL;
	const char *identity = NULL, *keyfile = NULL, *method = "GET", *path = NULL;
	const char *query = NULL, *bodyspec = NULL, *bodyfile = NULL, *text = NULL;
	uint8_t *body = NULL;
	size_t bodylen = 0;
	char err[256], *json = NULL;
	int ch, port = 0, show = 0, timeout_ms = 8000, accept = COAPLINK_NONE, observe = 0;
	int format = COAPLINK_FORMAT_CBOR, count = 1;
	int answers[700] = { 0 }; /* with -n: answers by code (0: none) */
	int64_t at = 0;
	const int64_t *at_given = NULL;
	char *at_end;

	while ((ch = getopt(argc, argv, "p:u:k:m:P:q:b:T:W:f:a:F:jt:n:oh")) != -1) {
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
		case 'm':
			method = optarg;
			break;
		case 'P':
			path = optarg;
			break;
		case 'q':
			query = optarg;
			break;
		case 'b':
			bodyspec = optarg;
			break;
		case 'T':
			text = optarg;
			break;
		case 'W':
			errno = 0;
			at = strtoll(optarg, &at_end, 10);
			if (errno != 0 || at_end == optarg || *at_end != '\0') {
				fprintf(stderr, "coapreq: -W takes Unix ms, not '%s'\n", optarg);
				return 2;
			}
			at_given = &at;
			break;
		case 'f':
			bodyfile = optarg;
			break;
		case 'a':
			accept = atoi(optarg);
			break;
		case 'F':
			format = atoi(optarg);
			break;
		case 'j':
			show = 1;
			break;
		case 't':
			timeout_ms = atoi(optarg);
			break;
		case 'o':
			observe = 1;
			break;
		case 'n':
			count = atoi(optarg);
			if (count < 1) {
				fprintf(stderr, "coapreq: -n takes a count of 1 or more\n");
				return 2;
			}
			break;
		case 'h':
			printf(
			    "usage: coapreq -p PORT -u IDENTITY -k KEYFILE -m METHOD -P PATH "
			    "[-q QUERY] [-b BODY [-T TEXT] [-W AT] | -f FILE] [-a ACCEPT] [-F FORMAT] [-j] "
			    "[-t MS] [-n COUNT]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (port <= 0 || identity == NULL || keyfile == NULL || path == NULL) {
		fprintf(stderr, "coapreq: -p, -u, -k and -P are required\n");
		return 2;
	}
	log_init("coapreq", 1, LOG_LEVEL_WARN);
	if (bodyspec != NULL &&
	    make_body(bodyspec, identity, text, at_given, &body, &bodylen) == -1) {
		fprintf(stderr, "coapreq: bad body '%s'\n", bodyspec);
		return 2;
	}
	if (bodyfile != NULL && read_body(bodyfile, &body, &bodylen) == -1) {
		fprintf(stderr, "coapreq: cannot read %s\n", bodyfile);
		return 2;
	}
	if (coaplink_open_tool("127.0.0.1", port, identity, keyfile, &link, err, sizeof(err)) ==
	    -1) {
		fprintf(stderr, "coapreq: %s\n", err);
		free(body);
		return 1;
	}
	memset(&resp, 0, sizeof(resp));
	if (observe) {
		int64_t end = time_mono_ms() + timeout_ms;
		int notified = 0;

		if (coaplink_observe(link, path, query, 8000, &resp, err, sizeof(err)) == -1) {
			printf("code none\n");
			fprintf(stderr, "coapreq: %s\n", err);
		} else {
			printf("observing %d.%02d\n", resp.code / 100, resp.code % 100);
			fflush(stdout);
			coaplink_response_free(&resp);
			while (!notified && time_mono_ms() < end)
				if (coaplink_wait(link, 200, &notified) == -1)
					break;
			printf("%s\n", notified ? "notified" : "no notification");
		}
		coaplink_free(link);
		free(body);
		return 0;
	}
	for (int i = 1; i < count; i++) {
		if (bodyspec != NULL) {
			free(body);
			body = NULL;
			if (make_body(bodyspec, identity, text, at_given, &body, &bodylen) == -1)
				break;
		}
		if (coaplink_request(link, method, path, query,
		        body != NULL ? format : COAPLINK_NONE, accept, body, bodylen, timeout_ms,
		        &resp, err, sizeof(err)) == -1) {
			fprintf(stderr, "coapreq: request %d: %s\n", i, err);
			answers[0]++;
			continue;
		}
		if (resp.code > 0 && resp.code < 700)
			answers[resp.code]++;
		coaplink_response_free(&resp);
	}
	if (bodyspec != NULL && count > 1) {
		free(body);
		body = NULL;
		if (make_body(bodyspec, identity, text, at_given, &body, &bodylen) == -1)
			bodylen = 0;
	}
	if (coaplink_request(link, method, path, query, body != NULL ? format : COAPLINK_NONE,
	        accept, body, bodylen, timeout_ms, &resp, err, sizeof(err)) == -1) {
		printf("code none\n");
		fprintf(stderr, "coapreq: %s\n", err);
		if (count > 1)
			printf("same %d\n", answers[0] + 1);
	} else {
		printf("code %d.%02d\n", resp.code / 100, resp.code % 100);
		if (count > 1)
			printf("same %d\n",
			    resp.code > 0 && resp.code < 700 ? answers[resp.code] + 1 : 1);
		if (show && resp.len > 0) {
			if (resp.format == COAPLINK_FORMAT_CBOR &&
			    wire_cbor_to_json(resp.data, resp.len, &json, err, sizeof(err)) == 0)
				printf("%s\n", json);
			else
				printf("%.*s\n", (int)resp.len, (const char *)resp.data);
			free(json);
		}
		coaplink_response_free(&resp);
	}
	coaplink_free(link);
	free(body);
	return 0;
}
