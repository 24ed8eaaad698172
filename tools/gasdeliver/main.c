/*
 * gasdeliver: a delivery worker's device (docs/protocol.md, "Life events";
 * docs/man/gasdeliver.1).
 *
 *   gasdeliver [options] handover CODE --buyer-id NUMBER|- --village TEXT [--lat D --lon D]
 *   gasdeliver [options] return CODE [--from-buyer NUMBER|-] [--village TEXT] [--lat --lon]
 *   gasdeliver [options] sync
 *   gasdeliver [options] status
 *   gasdeliver [options] aside [--retry SEQ|all | --drop SEQ]
 *
 * A hand-over at the door and an empty taken back are checked here, offline
 * (the cylinder's signed code against the county's public key; the buyer's
 * number by its check character, then hashed with the county buyer key and
 * masked: the number itself is never stored or sent), committed to the
 * device's own database with an outbox row, and sent to the county as
 * records of kind "life" under the device's identity delivery:NAME@TOWNSHIP,
 * with the device's own gap-free seq.  The device works without the county
 * for as long as it must: each command tries to send what waits (unless
 * --offline), and `sync` sends it all when the link is back.
 *
 * Exit status: 0 done (for sync: nothing waits any more), 1 error or events
 * still waiting, 2 bad usage, 3 refused (a code or number that does not
 * verify: nothing recorded).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buyer.h"
#include "coaplink.h"
#include "code.h"
#include "i18n.h"
#include "liferows.h"
#include "outbox.h"
#include "psk.h"
#include "store.h"
#include "termtext.h"
#include "timetext.h"
#include "util.h"
#include "wire.h"

#define BATCH_MAX 200                 /* events in one POST /records */
#define REQUEST_TIMEOUT_MS 20000      /* one batch's answer */
#define NUMBER_LINE 128               /* a buyer number read from standard input */
#define SECOND_SCAN_MS (10 * 60000LL) /* the same step again within this: one step */
/* a county mark further than this above the device's last seq is not
 * believed (a station's bound, gateway/uplink.c AHEAD_MAX) */
#define AHEAD_MAX 100000000

enum { EXIT_OK = 0, EXIT_ERROR = 1, EXIT_USAGE = 2, EXIT_REFUSED = 3 };

struct options {
	const char *db, *identity, *keyfile, *host, *code_key, *buyer_key;
	int port, offline;
	char name[PSK_MAX_IDENTITY];  /* NAME@TOWNSHIP */
	char township[WIRE_TOWNSHIP]; /* after the '@' */
};

static const char usage_text[] =
    "usage: gasdeliver [options] COMMAND ...\n"
    "\n"
    "commands:\n"
    "  handover CODE --buyer-id NUMBER|- --village TEXT [--lat D --lon D] [--township T]\n"
    "        a full cylinder handed over at the door to a real-name household or\n"
    "        business (NUMBER: resident ID or credit code; '-' reads it from\n"
    "        standard input, so it is not in the shell's history)\n"
    "  return CODE [--from-buyer NUMBER|-] [--village TEXT] [--lat D --lon D]\n"
    "        an empty cylinder taken back (from that household)\n"
    "  sync  send every event that waits; exit 0 once none waits\n"
    "  status  events waiting, the oldest, the county's last mark, events set aside\n"
    "  aside [--retry SEQ|all | --drop SEQ]\n"
    "        the events the county refused (4.00), set aside so that the later ones\n"
    "        go on: listed with the county's reason; --retry sends one (or all)\n"
    "        again, --drop gives one up (it stays in this device's records)\n"
    "\n"
    "options:\n"
    "  -u, --identity delivery:NAME@TOWNSHIP   this device (required)\n"
    "  -d, --db FILE        the device's database (default gasdeliver.db); it belongs\n"
    "                       to the identity that first used it, and refuses another\n"
    "  -k, --key FILE       the identity's PSK file (to send)\n"
    "  -H, --host HOST      the county (default 127.0.0.1); -p, --port PORT (5684)\n"
    "      --code-key FILE  the county's public code key (to verify codes)\n"
    "      --buyer-key FILE the county buyer key (to hash buyer numbers)\n"
    "      --offline        record only; do not try to send\n"
    "  -h, --help\n";

static int
usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "gasdeliver: %s\n", why);
	fputs(_(usage_text), stderr);
	return EXIT_USAGE;
}

/* A buyer number from the command line, or one line of stdin for "-". */
static int
read_number(const char *arg, char *out, size_t outlen)
{
	if (strcmp(arg, "-") != 0) {
		str_copy(out, arg, outlen);
		return 0;
	}
	if (fgets(out, (int)outlen, stdin) == NULL) {
		fprintf(stderr, "gasdeliver: no buyer number on standard input\n");
		return -1;
	}
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

/* The buyer of number into l: HMAC id, masked form, kind.  0, or -1 said. */
static int
take_buyer(const struct options *o, const char *arg, struct wire_life *l)
{
	struct buyer_key key;
	struct buyer_number n;
	char number[NUMBER_LINE], err[256];
	int rc = -1;

	if (o->buyer_key == NULL) {
		fprintf(stderr, "gasdeliver: --buyer-key FILE is needed to identify a buyer\n");
		return -1;
	}
	if (buyer_key_load(o->buyer_key, &key, err, sizeof(err)) == -1) {
		fprintf(stderr, "gasdeliver: %s\n", err);
		return -1;
	}
	if (read_number(arg, number, sizeof(number)) == -1)
		goto out;
	if (buyer_parse(number, strlen(number), BUYER_ANY, &n, err, sizeof(err)) == -1) {
		fprintf(stderr, "gasdeliver: buyer number: %s; nothing recorded\n", err);
		goto out;
	}
	buyer_id(&key, &n, l->buyer);
	buyer_mask(&n, l->buyer_masked);
	str_copy(l->buyer_kind, buyer_kind_name(n.kind), sizeof(l->buyer_kind));
	buyer_number_clear(&n);
	rc = 0;
out:
	explicit_bzero(number, sizeof(number));
	explicit_bzero(&key, sizeof(key));
	return rc;
}

/* The cylinder of a scanned code into l (serial, the code itself). */
static int
take_code(const struct options *o, const char *text, struct wire_life *l)
{
	struct code_record rec;
	struct code_key *key;
	char err[256];
	size_t len;
	int rc;

	if (o->code_key == NULL) {
		fprintf(stderr, "gasdeliver: --code-key FILE is needed to verify a code\n");
		return -1;
	}
	if ((key = code_key_load_public(o->code_key, err, sizeof(err))) == NULL) {
		fprintf(stderr, "gasdeliver: %s\n", err);
		return -1;
	}
	rc = code_decode_text(text, strlen(text), key, &rec, err, sizeof(err));
	code_key_free(key);
	if (rc == -1 || code_from_text(text, strlen(text), l->code, sizeof(l->code), &len, err,
	                    sizeof(err)) == -1) {
		fprintf(stderr, "gasdeliver: the cylinder code: %s; nothing recorded\n", err);
		return -1;
	}
	str_copy(l->serial, rec.serial, sizeof(l->serial));
	return 0;
}

static int
parse_degrees(const char *text, double limit, double *out)
{
	char *end;
	double v = strtod(text, &end);

	if (end == text || *end != '\0' || !isfinite(v) || fabs(v) > limit)
		return -1;
	*out = v;
	return 0;
}

/* Open the device's database, bound to o->identity (outbox_bind).  0, or
 * -1 said on stderr with *db closed. */
static int
open_db(const struct options *o, sqlite3 **db)
{
	char err[1024];

	if (store_open(o->db, schema_delivery, 0, db, err, sizeof(err)) == -1) {
		fprintf(stderr, "gasdeliver: %s\n", err);
		return -1;
	}
	/* before anything is recorded or sent: another identity's database
	 * holds events the county would refuse from this one */
	if (outbox_bind(*db, o->identity, err, sizeof(err)) == -1) {
		fprintf(stderr, "gasdeliver: %s: %s; nothing recorded or sent\n", o->db, err);
		store_close(*db);
		*db = NULL;
		return -1;
	}
	return 0;
}

/* The county's 4.00 text names the one record of a batch of one, seq:
 * "record 0 (seq S): ..." (tools/county/ingestcheck.c; a hint: a wrong one
 * sets aside what the county would take, shown, and sent again by hand). */
static int
names_record(const char *reason, int64_t seq)
{
	const char *p = strstr(reason, "record ");
	unsigned long n;
	long long s;
	char close;

	return p != NULL && sscanf(p, "record %lu (seq %lld%c", &n, &s, &close) == 3 &&
	       close == ')' && n == 0 && s == seq;
}

/* Was seq moved (outbox_move) in this run? */
static int
moved_before(const int64_t *moved, size_t n, int64_t seq)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (moved[i] == seq)
			return 1;
	return 0;
}

/*
 * Send what waits, batch by batch, until none waits (0), the county is out
 * of reach or refuses the device (-1, said; everything stays for the next
 * try).
 *
 * What the county's answer says beyond "taken" (review rev102):
 *   - its mark above every seq this device numbered: a new phone (or its
 *     database lost or restored) numbered from 1 again, and the county
 *     holds the old phone's events at those seqs.  Nothing of the batch is
 *     taken; every row waiting is renumbered after the mark and sent again
 *     (once a run), as a station does (gateway/uplink.c county_ahead);
 *   - a conflict (another event held at a seq sent): nothing of the batch
 *     is taken; the rows go one by one to find which, and that one moves
 *     to a seq after the mark and every seq numbered here; one moved that
 *     conflicts again is set aside;
 *   - 4.00 naming the one record of a batch of one: that event is set
 *     aside with the county's reason (outbox_set_aside; gasdeliver aside)
 *     and the rest goes on; a batch of more is sent one by one to find it.
 */
static int
send_waiting(const struct options *o, sqlite3 *db, int quiet)
{
	struct coaplink *link = NULL;
	struct coaplink_response resp;
	struct wire_batch b;
	struct wire_ack ack;
	int64_t seqs[BATCH_MAX], moved[BATCH_MAX], removed, sent = 0, last, count, new_seq;
	uint8_t *payload;
	size_t len, i, nmoved = 0;
	char err[512], reason[301]; /* the county's text, which may quote what was sent */
	int rc = -1, limit = BATCH_MAX, renumbered = 0;

	if (o->keyfile == NULL) {
		fprintf(stderr, "gasdeliver: --key FILE is needed to send to the county\n");
		return -1;
	}
	for (;;) {
		if (outbox_read(db, o->identity, o->township, limit, &b, err, sizeof(err)) == -1) {
			fprintf(stderr, "gasdeliver: %s\n", err);
			goto out;
		}
		if (b.count == 0) {
			wire_batch_free(&b);
			break;
		}
		for (i = 0; i < b.count; i++)
			seqs[i] = b.records[i].seq;
		rc = wire_encode_batch(&b, &payload, &len);
		i = b.count;
		wire_batch_free(&b);
		if (rc == -1) {
			rc = -1;
			fprintf(stderr, "gasdeliver: out of memory\n");
			goto out;
		}
		rc = -1;
		if (link == NULL && coaplink_open_tool(o->host, o->port, o->identity, o->keyfile,
		                        &link, err, sizeof(err)) == -1) {
			free(payload);
			fprintf(stderr, "gasdeliver: %s\n", err);
			goto out;
		}
		if (coaplink_request(link, "POST", "records", NULL, COAPLINK_FORMAT_CBOR,
		        COAPLINK_FORMAT_CBOR, payload, len, REQUEST_TIMEOUT_MS, &resp, err,
		        sizeof(err)) == -1) {
			free(payload);
			fprintf(stderr, "gasdeliver: not sent: %s; %lld events kept\n", err,
			    (long long)outbox_waiting(db, NULL));
			goto out;
		}
		free(payload);
		if (resp.code != 204) {
			int code = resp.code;

			coaplink_reason(&resp, reason, sizeof(reason));
			coaplink_response_free(&resp);
			termtext_copy(reason, reason, sizeof(reason));
			if (code == 400 && i == 1 && names_record(reason, seqs[0])) {
				if (outbox_set_aside(db, seqs[0], reason, time_wall_ms(), err,
				        sizeof(err)) == -1) {
					fprintf(stderr, "gasdeliver: %s\n", err);
					goto out;
				}
				fprintf(stderr,
				    _("gasdeliver: the county refused the event of seq %lld (%s): "
				      "set aside, kept on this device; the events after it go on "
				      "(gasdeliver aside)\n"),
				    (long long)seqs[0], reason);
				continue;
			}
			if (code == 400 && i > 1) {
				limit = 1; /* which one: from the oldest, one by one */
				continue;
			}
			fprintf(stderr,
			    "gasdeliver: the county answered %d.%02d: %s; %lld events kept\n",
			    code / 100, code % 100, reason, (long long)outbox_waiting(db, NULL));
			goto out;
		}
		if (wire_decode_ack(resp.data, resp.len, &ack, err, sizeof(err)) == -1) {
			coaplink_response_free(&resp);
			fprintf(stderr, "gasdeliver: the county's answer: %s\n", err);
			goto out;
		}
		coaplink_response_free(&resp);
		last = outbox_last_seq(db);
		if (ack.hwm > last) {
			/* a mark beyond any the county's own bound on a device's jump
			 * allows is no county's: nothing taken, nothing renumbered */
			if (renumbered || ack.hwm - last > AHEAD_MAX) {
				fprintf(stderr,
				    "gasdeliver: the county says it holds this device's events up to "
				    "seq %lld, above the last it numbered (%lld); nothing taken as "
				    "delivered, %lld events kept\n",
				    (long long)ack.hwm, (long long)last,
				    (long long)outbox_waiting(db, NULL));
				goto out;
			}
			if (outbox_renumber(db, ack.hwm, &count, err, sizeof(err)) == -1) {
				fprintf(stderr, "gasdeliver: %s\n", err);
				goto out;
			}
			fprintf(stderr,
			    _("gasdeliver: the county holds this identity's events up to seq %lld, "
			      "but this device numbered only up to seq %lld (a new phone, or its "
			      "database lost or put back?): its %lld events not yet delivered "
			      "renumbered from seq %lld and sent again\n"),
			    (long long)ack.hwm, (long long)last, (long long)count,
			    (long long)ack.hwm + 1);
			renumbered = 1;
			continue;
		}
		if (ack.conflicts > 0 && i > 1) {
			limit = 1; /* which: from the oldest, one by one */
			continue;
		}
		if (ack.conflicts > 0) {
			if (moved_before(moved, nmoved, seqs[0]) || nmoved == BATCH_MAX) {
				if (outbox_set_aside(db, seqs[0],
				        "the county holds another event of this identity at each "
				        "seq this one took, or this one's uuid elsewhere (its C06)",
				        time_wall_ms(), err, sizeof(err)) == -1) {
					fprintf(stderr, "gasdeliver: %s\n", err);
					goto out;
				}
				fprintf(stderr,
				    _("gasdeliver: the county holds another event at seq %lld again: "
				      "set aside, kept on this device (gasdeliver aside)\n"),
				    (long long)seqs[0]);
				continue;
			}
			if (outbox_move(db, seqs[0], ack.hwm, &new_seq, err, sizeof(err)) == -1) {
				fprintf(stderr, "gasdeliver: %s\n", err);
				goto out;
			}
			moved[nmoved++] = new_seq;
			fprintf(stderr,
			    _("gasdeliver: the county holds another event of this identity at seq "
			      "%lld (an older phone's?): this one renumbered to seq %lld and sent "
			      "again\n"),
			    (long long)seqs[0], (long long)new_seq);
			continue;
		}
		if (outbox_acked(db, seqs, i, &ack, &removed, err, sizeof(err)) == -1) {
			fprintf(stderr, "gasdeliver: %s\n", err);
			goto out;
		}
		sent += removed;
		if (removed == 0) {
			fprintf(stderr,
			    "gasdeliver: the county holds this device's events only up to seq %lld; "
			    "%lld events kept\n",
			    (long long)ack.hwm, (long long)outbox_waiting(db, NULL));
			goto out;
		}
	}
	if (!quiet || sent > 0)
		printf(_("%lld events sent to the county; none waits\n"), (long long)sent);
	if ((count = outbox_aside_count(db)) > 0)
		printf(_("%lld events the county refused are set aside on this device "
		         "(gasdeliver aside)\n"),
		    (long long)count);
	rc = 0;
out:
	coaplink_free(link);
	return rc;
}

/* handover / return: record one event, then try to send. */
static int
cmd_event(const struct options *o, int handover, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "buyer-id", required_argument, NULL, 'b' },
		{ "from-buyer", required_argument, NULL, 'b' },
		{ "village", required_argument, NULL, 'v' },
		{ "township", required_argument, NULL, 't' },
		{ "lat", required_argument, NULL, 'y' },
		{ "lon", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *buyer = NULL, *village = NULL, *township = NULL, *lat = NULL, *lon = NULL;
	struct wire_life l;
	char uuid[WIRE_UUID], what[400], err[256], last[WIRE_WORD], last_buyer[WIRE_BUYER];
	int64_t last_ms;
	sqlite3 *db;
	int ch, rc;

	optind = 0; /* glibc: start again, permuting */
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			buyer = optarg;
			break;
		case 'v':
			village = optarg;
			break;
		case 't':
			township = optarg;
			break;
		case 'y':
			lat = optarg;
			break;
		case 'x':
			lon = optarg;
			break;
		case 'h':
			fputs(_(usage_text), stdout);
			return EXIT_OK;
		default:
			return usage(NULL);
		}
	}
	if (optind + 1 != argc)
		return usage(_("one cylinder code, please"));
	if (handover && (buyer == NULL || village == NULL))
		return usage(_("handover needs --buyer-id and --village (who, and where)"));
	if ((lat == NULL) != (lon == NULL))
		return usage(_("--lat and --lon go together"));
	memset(&l, 0, sizeof(l));
	str_copy(l.event, handover ? "handed_over" : "returned", sizeof(l.event));
	str_copy(l.actor, o->identity, sizeof(l.actor));
	str_copy(l.worker, o->identity, sizeof(l.worker));
	/* what the county would refuse is refused here, whole: recorded, it
	 * would head the outbox and every later event would wait behind it
	 * (review rev102); never cut either */
	if (village != NULL) {
		if (strlen(village) >= sizeof(l.village) ||
		    buyer_text_has_number(village, strlen(village)))
			return usage(_("--village: at most 127 bytes, and no ID number in it"));
		if (!termtext_text_ok(village, strlen(village), 1))
			return usage(_("--village: not UTF-8 text (a terminal in another "
			               "encoding?); nothing recorded"));
		str_copy(l.village, village, sizeof(l.village));
	}
	if (township != NULL) {
		if (strlen(township) >= sizeof(l.buyer_township))
			return usage(_("--township: at most 15 bytes; nothing recorded"));
		if (!termtext_text_ok(township, strlen(township), 0))
			return usage(_("--township: not UTF-8 text on one line; nothing recorded"));
	}
	if (lat != NULL) {
		if (parse_degrees(lat, 90, &l.lat) == -1 || parse_degrees(lon, 180, &l.lon) == -1)
			return usage(_("--lat is -90..90 and --lon -180..180 degrees"));
		l.has_position = 1;
	}
	if (take_code(o, argv[optind], &l) == -1)
		return EXIT_REFUSED;
	if (buyer != NULL) {
		rc = take_buyer(o, buyer, &l);
		/* the number given on the command line: wiped, so that /proc/PID/cmdline (ps) does
		 * not show it while the device records and sends, up to a minute on a bad link */
		if (strcmp(buyer, "-") != 0)
			explicit_bzero((char *)buyer, strlen(buyer));
		if (rc == -1)
			return EXIT_REFUSED;
		str_copy(l.buyer_township, township != NULL ? township : o->township,
		    sizeof(l.buyer_township));
	}
	l.at_ms = time_wall_ms();
	/* every text as the county's door checks it (the same function) */
	if (liferows_check_texts(&l, "gasdeliver", err, sizeof(err)) == -1) {
		fprintf(stderr, "%s; nothing recorded\n", err);
		return EXIT_USAGE;
	}
	if (open_db(o, &db) == -1)
		return EXIT_ERROR;
	/* the same step scanned twice (the same cylinder, event and household
	 * within SECOND_SCAN_MS) is one step: the county would take a second
	 * hand-over with no return between as the cylinder going round once
	 * more unseen (C07 against the household); later, or to another
	 * household, it is the county's to judge.  Within, either way: the
	 * phone's clock set back between the two scans (an NTP correction)
	 * dates the second before the first (review rev102) */
	if ((rc = outbox_last_step(db, l.serial, last, last_buyer, &last_ms, err, sizeof(err))) ==
	    -1) {
		fprintf(stderr, "gasdeliver: nothing recorded: %s\n", err);
		store_close(db);
		return EXIT_ERROR;
	}
	if (rc == 1 && strcmp(last, l.event) == 0 && strcmp(last_buyer, l.buyer) == 0 &&
	    llabs(l.at_ms - last_ms) < SECOND_SCAN_MS) {
		fprintf(stderr,
		    handover
		        ? _("gasdeliver: cylinder %s was handed over to this household a moment "
		            "ago (its last step on this device): a second scan, nothing "
		            "recorded\n")
		        : _("gasdeliver: cylinder %s was taken back from this household a moment "
		            "ago (its last step on this device): a second scan, nothing "
		            "recorded\n"),
		    l.serial);
		store_close(db);
		return EXIT_REFUSED;
	}
	if (outbox_add(db, &l, uuid, err, sizeof(err)) == -1) {
		fprintf(stderr, "gasdeliver: nothing recorded: %s\n", err);
		store_close(db);
		return EXIT_ERROR;
	}
	printf(_("recorded: %s %s (%s)\n"), l.serial, liferows_describe(&l, what, sizeof(what)),
	    uuid);
	rc = EXIT_OK;
	if (!o->offline && o->keyfile != NULL && send_waiting(o, db, 1) == -1)
		printf(_("kept on this device: %lld events wait for the county (gasdeliver "
		         "sync)\n"),
		    (long long)outbox_waiting(db, NULL));
	store_close(db);
	return rc;
}

static int
cmd_sync(const struct options *o)
{
	sqlite3 *db;
	int rc;

	if (open_db(o, &db) == -1)
		return EXIT_ERROR;
	rc = send_waiting(o, db, 0) == 0 ? EXIT_OK : EXIT_ERROR;
	store_close(db);
	return rc;
}

static int
cmd_status(const struct options *o)
{
	char when[TIMETEXT_MAX];
	int64_t oldest, n;
	sqlite3 *db;

	if (open_db(o, &db) == -1)
		return EXIT_ERROR;
	n = outbox_waiting(db, &oldest);
	printf(_("%s: %lld events wait for the county"), o->identity, (long long)n);
	if (n > 0) {
		timetext_format(oldest, TIMETEXT_PERSON, when);
		printf(_(", the oldest from %s"), when);
	}
	printf(_("; the county's last mark: seq %lld\n"), (long long)outbox_last_ack(db));
	if ((n = outbox_aside_count(db)) > 0)
		printf(_("%lld events the county refused are set aside (gasdeliver aside)\n"),
		    (long long)n);
	store_close(db);
	return EXIT_OK;
}

static int
print_aside(const struct outbox_aside *row, void *arg)
{
	char when[TIMETEXT_MAX], what[400], reason[WIRE_TEXT], serial[WIRE_ID];

	(void)arg;
	timetext_format(row->aside_ms, TIMETEXT_PERSON, when);
	liferows_describe(&row->life, what, sizeof(what));
	termtext_copy(what, what, sizeof(what));
	termtext_copy(serial, row->life.serial, sizeof(serial));
	termtext_copy(reason, row->reason, sizeof(reason));
	return printf(_("seq %lld  %s %s  set aside %s: %s\n"), (long long)row->seq, serial, what,
	           when, reason) < 0
	           ? -1
	           : 0;
}

/* aside: the events the county refused, kept here; --retry puts one (or
 * all) back to be sent, --drop deletes one from the outbox for good. */
static int
cmd_aside(const struct options *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "retry", required_argument, NULL, 'r' },
		{ "drop", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *retry = NULL, *drop = NULL;
	long long seq = 0;
	char err[512], *end;
	int64_t n;
	sqlite3 *db;
	int ch, rc = EXIT_OK;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			retry = optarg;
			break;
		case 'x':
			drop = optarg;
			break;
		case 'h':
			fputs(_(usage_text), stdout);
			return EXIT_OK;
		default:
			return usage(NULL);
		}
	}
	if (optind != argc || (retry != NULL && drop != NULL))
		return usage(_("aside takes --retry SEQ|all or --drop SEQ, or nothing"));
	if (retry != NULL && strcmp(retry, "all") != 0) {
		seq = strtoll(retry, &end, 10);
		if (end == retry || *end != '\0' || seq < 1)
			return usage(_("--retry takes an event's seq or \"all\""));
	}
	if (drop != NULL) {
		seq = strtoll(drop, &end, 10);
		if (end == drop || *end != '\0' || seq < 1)
			return usage(_("--drop takes an event's seq"));
	}
	if (open_db(o, &db) == -1)
		return EXIT_ERROR;
	if (retry != NULL) {
		if ((n = outbox_aside_retry(db, seq, err, sizeof(err))) == -1) {
			fprintf(stderr, "gasdeliver: %s\n", err);
			rc = EXIT_ERROR;
		} else if (n == 0 && seq > 0) {
			fprintf(stderr, _("gasdeliver: no event is set aside at seq %lld\n"), seq);
			rc = EXIT_ERROR;
		} else {
			printf(_("%lld events wait for the county again\n"), (long long)n);
			if (!o->offline && o->keyfile != NULL && send_waiting(o, db, 0) == -1)
				rc = EXIT_ERROR;
		}
	} else if (drop != NULL) {
		if ((ch = outbox_aside_drop(db, seq, err, sizeof(err))) == -1) {
			fprintf(stderr, "gasdeliver: %s\n", err);
			rc = EXIT_ERROR;
		} else if (ch == 0) {
			fprintf(stderr, _("gasdeliver: no event is set aside at seq %lld\n"), seq);
			rc = EXIT_ERROR;
		} else
			printf(
			    _("the event of seq %lld will not be sent: it stays in this device's "
			      "records only\n"),
			    seq);
	} else {
		printf(_("%lld events set aside\n"), (long long)outbox_aside_count(db));
		if (outbox_aside_list(db, print_aside, NULL, err, sizeof(err)) == -1) {
			fprintf(stderr, "gasdeliver: %s\n", err);
			rc = EXIT_ERROR;
		}
	}
	store_close(db);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "identity", required_argument, NULL, 'u' },
		{ "db", required_argument, NULL, 'd' },
		{ "key", required_argument, NULL, 'k' },
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "code-key", required_argument, NULL, 'C' },
		{ "buyer-key", required_argument, NULL, 'B' },
		{ "offline", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o;
	const char *at;
	int ch;

	i18n_init();
	memset(&o, 0, sizeof(o));
	o.db = "gasdeliver.db";
	o.host = "127.0.0.1";
	while ((ch = getopt_long(argc, argv, "+u:d:k:H:p:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'u':
			o.identity = optarg;
			break;
		case 'd':
			o.db = optarg;
			break;
		case 'k':
			o.keyfile = optarg;
			break;
		case 'H':
			o.host = optarg;
			break;
		case 'p':
			if (coaplink_parse_port(optarg, &o.port) == -1)
				return usage(_("--port takes a UDP port, 1 to 65535"));
			break;
		case 'C':
			o.code_key = optarg;
			break;
		case 'B':
			o.buyer_key = optarg;
			break;
		case 'o':
			o.offline = 1;
			break;
		case 'h':
			fputs(_(usage_text), stdout);
			return EXIT_OK;
		default:
			return usage(NULL);
		}
	}
	if (optind >= argc)
		return usage(_("which command?"));
	if (o.identity == NULL)
		return usage(_("--identity delivery:NAME@TOWNSHIP is required"));
	if (psk_identity_role(o.identity, o.name, sizeof(o.name)) != PSK_ROLE_DELIVERY)
		return usage(_("--identity must be delivery:NAME@TOWNSHIP"));
	at = strchr(o.name, '@');
	if (strlen(at + 1) >= sizeof(o.township))
		return usage(_("the identity's township is too long"));
	str_copy(o.township, at + 1, sizeof(o.township));
	argc -= optind;
	argv += optind;
	if (strcmp(argv[0], "handover") == 0)
		return cmd_event(&o, 1, argc, argv);
	if (strcmp(argv[0], "return") == 0)
		return cmd_event(&o, 0, argc, argv);
	if (strcmp(argv[0], "sync") == 0 && argc == 1)
		return cmd_sync(&o);
	if (strcmp(argv[0], "status") == 0 && argc == 1)
		return cmd_status(&o);
	if (strcmp(argv[0], "aside") == 0)
		return cmd_aside(&o, argc, argv);
	if (strcmp(argv[0], "sync") == 0 || strcmp(argv[0], "status") == 0) {
		fprintf(stderr, _("gasdeliver: %s takes no arguments\n"), argv[0]);
		return usage(NULL);
	}
	fprintf(stderr, _("gasdeliver: unknown command '%s'\n"), argv[0]);
	return usage(NULL);
}
