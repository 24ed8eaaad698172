/*
 * gaswatch: the township officer's view of the county's alerts.
 *
 *   gaswatch --township CODE -k KEYFILE [-H HOST] [-p PORT] [--since N] [--once] [--json]
 *   gaswatch --township CODE -k KEYFILE ack ID --note TEXT
 *
 * Following live: Observe on /alerts is only a "something new" signal
 * (libcoap 4.3.1 drops an observer after one lost notification, and a
 * notification carries only the latest state), so every signal, every
 * reconnect and every quiet half minute is followed by GET /alerts?since=N
 * with the last id already shown.  Nothing is missed and nothing is shown
 * twice.
 */
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coaplink.h"
#include "i18n.h"
#include "log.h"
#include "util.h"
#include "wire.h"

#define REQUEST_TIMEOUT_MS 30000
#define POLL_MS 30000

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static void
usage(FILE *f)
{
	fprintf(f, "%s",
	    _("usage: gaswatch --township CODE -k KEYFILE [-H HOST] [-p PORT] "
	      "[--since N]\n"
	      "                [--once] [--json]\n"
	      "       gaswatch --township CODE -k KEYFILE ack ID --note TEXT\n"
	      "\n"
	      "Shows the alerts the county routed to your township and follows new ones\n"
	      "as they arrive; `ack` records what you did about one.\n"
	      "\n"
	      "  --township CODE   your township (PSK identity township:CODE)\n"
	      "  -k, --key FILE    your pre-shared key (hex, mode 0600)\n"
	      "  -H, --host HOST   county server (default 127.0.0.1)\n"
	      "  -p, --port PORT   county server UDP port (default 5684)\n"
	      "  --since N         show alerts after id N (default 0: all)\n"
	      "  --once            show and exit; do not follow\n"
	      "  --json            one JSON object per alert per line\n"
	      "  -h, --help        this help\n"
	      "\n"
	      "Exit status: 0 ok, 1 error, 2 bad usage, 3 refused by the county.\n"));
}

static void
print_alert(const struct wire_alert *a, int json)
{
	char when[32], disp[32];
	json_t *j;
	char *text;

	time_format_iso(a->at_ms, when);
	if (json) {
		j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
		    (json_int_t)a->id, "rule", a->rule, "severity", a->severity, "township",
		    a->township, "station", a->station, "cylinder", a->cylinder, "buyer",
		    a->buyer_masked, "text", a->text, "at", when);
		if (j != NULL && a->disposition[0] != '\0') {
			time_format_iso(a->disposed_ms, disp);
			json_object_set_new(j, "disposition", json_string(a->disposition));
			json_object_set_new(j, "disposed_by", json_string(a->disposed_by));
			json_object_set_new(j, "disposed_at", json_string(disp));
		}
		if (j != NULL && (text = json_dumps(j, JSON_COMPACT)) != NULL) {
			printf("%s\n", text);
			free(text);
		}
		json_decref(j);
	} else {
		printf("%-6lld %-24s %-4s %-8s %-10s %-14s %s%s%s\n", (long long)a->id, when,
		    a->rule, a->severity, a->station[0] != '\0' ? a->station : "-",
		    a->cylinder[0] != '\0' ? a->cylinder : "-", a->text,
		    a->disposition[0] != '\0' ? _("  [done: ") : "",
		    a->disposition[0] != '\0' ? a->disposition : "");
		if (a->disposition[0] != '\0')
			printf("]\n");
	}
	fflush(stdout);
}

/* GET alerts since *last and print them; *last moves on.  Returns 0, -1, or 3 (4.03). */
static int
fetch(struct coaplink *link, int64_t *last, int json)
{
	struct coaplink_response resp;
	struct wire_alert_list list;
	char query[40], err[256];
	int64_t newest;
	size_t i;

	for (;;) {
		snprintf(query, sizeof(query), "since=%lld", (long long)*last);
		if (coaplink_request(link, "GET", "alerts", query, COAPLINK_NONE,
		        COAPLINK_FORMAT_CBOR, NULL, 0, REQUEST_TIMEOUT_MS, &resp, err,
		        sizeof(err)) == -1) {
			log_warnx("%s", err);
			return -1;
		}
		if (resp.code == 403) {
			log_warnx("refused by the county (4.03)");
			coaplink_response_free(&resp);
			return 3;
		}
		if (resp.code != 205 ||
		    wire_decode_alerts(resp.data, resp.len, &list, err, sizeof(err)) == -1) {
			log_warnx("bad answer %d: %s", resp.code, resp.code == 205 ? err : "");
			coaplink_response_free(&resp);
			return -1;
		}
		coaplink_response_free(&resp);
		for (i = 0; i < list.count; i++) {
			if (list.alerts[i].id <= *last)
				continue;
			print_alert(&list.alerts[i], json);
			*last = list.alerts[i].id;
		}
		i = list.count;
		newest = list.last;
		wire_alerts_free(&list);
		if (i == 0 || *last >= newest)
			return 0;
	}
}

static int
ack(struct coaplink *link, int64_t id, const char *note)
{
	struct coaplink_response resp;
	struct wire_disposition d;
	uint8_t *payload;
	size_t len;
	char err[256];
	int rc;

	memset(&d, 0, sizeof(d));
	d.id = id;
	if (str_copy(d.note, note, sizeof(d.note)) >= sizeof(d.note)) {
		fprintf(stderr, _("gaswatch: the note is longer than %zu bytes\n"),
		    sizeof(d.note) - 1);
		return 2;
	}
	if (wire_encode_disposition(&d, &payload, &len) == -1)
		return 1;
	rc = coaplink_request(link, "POST", "alerts/ack", NULL, COAPLINK_FORMAT_CBOR, COAPLINK_NONE,
	    payload, len, REQUEST_TIMEOUT_MS, &resp, err, sizeof(err));
	free(payload);
	if (rc == -1) {
		fprintf(stderr, "gaswatch: %s\n", err);
		return 1;
	}
	rc = resp.code;
	coaplink_response_free(&resp);
	switch (rc) {
	case 204:
		printf(_("alert %lld: disposition recorded\n"), (long long)id);
		return 0;
	case 403:
		fprintf(stderr, _("gaswatch: alert %lld belongs to another township\n"),
		    (long long)id);
		return 3;
	case 404:
		fprintf(stderr, _("gaswatch: no alert %lld\n"), (long long)id);
		return 1;
	default:
		fprintf(stderr, _("gaswatch: county answered %d.%02d\n"), rc / 100, rc % 100);
		return 1;
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "township", required_argument, NULL, 't' },
		{ "key", required_argument, NULL, 'k' },
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "since", required_argument, NULL, 's' },
		{ "once", no_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "note", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *township = NULL, *keyfile = NULL, *host = "127.0.0.1", *note = NULL;
	char identity[PSK_MAX_IDENTITY], err[256], *end;
	struct coaplink_response resp;
	struct coaplink *link = NULL;
	int port = 5684, once = 0, json = 0, ch, rc, notified, observing = 0;
	int64_t last = 0, id, next_poll;

	i18n_init();
	while ((ch = getopt_long(argc, argv, "t:k:H:p:h", opts, NULL)) != -1) {
		switch (ch) {
		case 't':
			township = optarg;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'H':
			host = optarg;
			break;
		case 'p':
			if (coaplink_parse_port(optarg, &port) == -1) {
				fprintf(stderr,
				    _("%s: -p %s: a port is a number from 1 to 65535\n"),
				    "gaswatch", optarg);
				return 2;
			}
			break;
		case 's':
			last = strtoll(optarg, NULL, 10);
			break;
		case 'o':
			once = 1;
			break;
		case 'j':
			json = 1;
			break;
		case 'n':
			note = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (township == NULL || keyfile == NULL || port <= 0 || port > 65535) {
		usage(stderr);
		return 2;
	}
	snprintf(identity, sizeof(identity), "township:%s", township);
	if (psk_identity_role(identity, NULL, 0) != PSK_ROLE_TOWNSHIP) {
		fprintf(stderr, _("gaswatch: '%s' is not a township code\n"), township);
		return 2;
	}
	log_init("gaswatch", 1, LOG_LEVEL_WARN);
	if (optind < argc) {
		if (strcmp(argv[optind], "ack") != 0 || optind + 2 != argc || note == NULL) {
			usage(stderr);
			return 2;
		}
		id = strtoll(argv[optind + 1], &end, 10);
		if (*end != '\0' || id <= 0) {
			fprintf(stderr, "%s", _("gaswatch: alert id must be a positive number\n"));
			return 2;
		}
		if (coaplink_open_tool(host, port, identity, keyfile, &link, err, sizeof(err)) ==
		    -1) {
			fprintf(stderr, "gaswatch: %s\n", err);
			return 1;
		}
		rc = ack(link, id, note);
		coaplink_free(link);
		return rc;
	}
	if (coaplink_open_tool(host, port, identity, keyfile, &link, err, sizeof(err)) == -1) {
		fprintf(stderr, "gaswatch: %s\n", err);
		return 1;
	}
	rc = fetch(link, &last, json);
	if (once || rc != 0) {
		coaplink_free(link);
		return rc == -1 ? 1 : rc;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	next_poll = time_mono_ms() + POLL_MS;
	while (!quit) {
		if (!observing) {
			if (coaplink_observe(link, "alerts", NULL, REQUEST_TIMEOUT_MS, &resp, err,
			        sizeof(err)) == 0) {
				observing = resp.code == 205;
				coaplink_response_free(&resp);
				/* anything that arrived while we were not observing */
				if (fetch(link, &last, json) == 3)
					break;
			} else {
				time_sleep_ms(coaplink_backoff_left_ms(link) + 100);
				continue;
			}
		}
		if (coaplink_wait(link, 1000, &notified) == -1) {
			observing = 0;
			continue;
		}
		if (notified || time_mono_ms() >= next_poll) {
			next_poll = time_mono_ms() + POLL_MS;
			if (fetch(link, &last, json) == -1)
				observing = 0;
		}
	}
	coaplink_free(link);
	return 0;
}
