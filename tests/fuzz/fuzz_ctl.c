/*
 * fuzz_ctl: the control protocol (gateway/ctlreq.c) on arbitrary bytes.
 * The input is one or more request lines, as a client would send them on
 * the socket.  Each line is parsed on its own, with the limits of ctlreq.h
 * checked on what is accepted, then carried out on a gw that has two lines
 * and a real station database but no bus, and its reply rendered to text.
 * Lines are set up afresh for every input, so an input is a session.
 *
 * Aborts (besides crashes, leaks and UB) when: an accepted request breaks a
 * documented limit; a refused one has no error sentence; a reply is not an
 * object with "ok", or says "ok": false without a non-empty "error" (or a
 * refusal's violations).
 *
 * The identity keys are the test key of docs/code-format.md (seed 00 01 ..
 * 1f) and a fresh buyer key, so the corpus can hold codes that verify.
 * Corpus: tests/fuzz/corpus/ctl/ (one request of every kind of
 * docs/control-protocol.md, a session, and malformed ones; "lang" and
 * "lang_hostile" the operator's language, as a locale name and as what
 * must not be taken for one).
 *
 * With GAS_FUZZ_WORKDIR=DIR (tests/run.sh) the station database and keys
 * are made in a new folder in DIR and left there, for the privacy scan of
 * what the gateway wrote.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buyer.h"
#include "code.h"
#include "ctl.h"
#include "ctlreq.h"
#include "i18n.h"
#include "log.h"
#include "opauth.h"
#include "store.h"
#include "util.h"

#define FUZZ_LINES 2
#define FUZZ_REQUESTS 16 /* lines of one input carried out */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gw gw;
static struct gw_config config;
static struct gw_line line_config[FUZZ_LINES];
static char dir[256];
static int keep_dir; /* GAS_FUZZ_WORKDIR: leave the folder for the privacy scan */

/* The hardware is never called: nothing steps the lines. */
static int
no_read(void *ctx, struct line_reading *out)
{
	(void)ctx;
	memset(out, 0, sizeof(*out));
	return -1;
}

static int
no_valve(void *ctx, int open)
{
	(void)ctx;
	(void)open;
	return -1;
}

static int
no_heartbeat(void *ctx)
{
	(void)ctx;
	return -1;
}

static void
lines_init(void)
{
	struct line_io io = { .read = no_read, .valve = no_valve, .heartbeat = no_heartbeat };
	size_t i;

	for (i = 0; i < FUZZ_LINES; i++)
		line_init(&gw.lines[i], &config, &line_config[i], &gw.records, &io);
	gw.line_count = FUZZ_LINES;
}

/* Leave nothing behind in /dev/shm (or /tmp) when the run ends, unless the
 * harness asked to read what the gateway wrote. */
static void
cleanup(void)
{
	static const char *const files[] = {
		"station.db",
		"station.db-wal",
		"station.db-shm",
		"code.pub",
		"buyer.key",
	};
	char path[sizeof(dir) + 32];
	size_t i;

	records_close(&gw.records);
	gwident_close(gw.ident);
	if (keep_dir)
		return;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void
setup(void)
{
	uint8_t seed[CODE_SEED_LEN];
	struct code_key *key;
	const char *workdir = getenv("GAS_FUZZ_WORKDIR");
	char path[sizeof(dir) + 32], pub[sizeof(dir) + 32], err[256];
	size_t i;

	log_set_level(LOG_LEVEL_WARN);
	/* In the folder tests/run.sh names, kept for its privacy scan of the
	 * station database; else tmpfs if there is one (every refusal is a
	 * synchronous commit), removed at exit. */
	if (workdir != NULL && workdir[0] != '\0') {
		keep_dir = 1;
		if ((size_t)snprintf(dir, sizeof(dir), "%s/fuzz_ctl.XXXXXX", workdir) >=
		        sizeof(dir) ||
		    mkdtemp(dir) == NULL) {
			fprintf(stderr,
			    "fuzz_ctl: GAS_FUZZ_WORKDIR %s: cannot make a folder there\n", workdir);
			abort();
		}
	} else {
		snprintf(dir, sizeof(dir), "/dev/shm/fuzz_ctl.XXXXXX");
		if (mkdtemp(dir) == NULL) {
			snprintf(dir, sizeof(dir), "/tmp/fuzz_ctl.XXXXXX");
			if (mkdtemp(dir) == NULL)
				abort();
		}
	}
	for (i = 0; i < CODE_SEED_LEN; i++)
		seed[i] = (uint8_t)i;
	snprintf(pub, sizeof(pub), "%s/code.pub", dir);
	snprintf(path, sizeof(path), "%s/buyer.key", dir);
	if ((key = code_key_from_seed(seed, err, sizeof(err))) == NULL ||
	    code_key_save_public(key, pub, err, sizeof(err)) == -1 ||
	    buyer_key_generate(path, err, sizeof(err)) == -1 ||
	    (gw.ident = gwident_open(pub, path, err, sizeof(err))) == NULL)
		goto fail;
	code_key_free(key);
	rules_defaults(&config.rules);
	str_copy(config.station_id, "S1", sizeof(config.station_id));
	str_copy(config.company, "Longyou Gas", sizeof(config.company));
	str_copy(config.township, "330825101", sizeof(config.township));
	config.heartbeat_ms = 200;
	gw.config = &config;
	snprintf(path, sizeof(path), "%s/station.db", dir);
	if (records_open(&gw.records, path, "S1", "330825101", err, sizeof(err)) == -1 ||
	    store_exec(gw.records.db,
	        "INSERT INTO operators VALUES ('OP-7', 'Wang Wei',"
	        " '2099-01-01', 1, 0)",
	        err, sizeof(err)) == -1 ||
	    opauth_set_pin(gw.records.db, "OP-7", "2468", 0, err, sizeof(err)) == -1)
		goto fail;
	for (i = 0; i < FUZZ_LINES; i++) {
		line_config[i].number = (int)i + 1;
		str_copy(line_config[i].cutoff, "gateway", sizeof(line_config[i].cutoff));
		line_config[i].preact_kg = 0.1;
	}
	gw.started_mono_ms = time_mono_ms();
	atexit(cleanup);
	return;
fail:
	fprintf(stderr, "fuzz_ctl: set-up: %s\n", err);
	abort();
}

static int
cert_ok(const char *cert)
{
	size_t n, i;

	if (cert == NULL || (n = strlen(cert)) == 0 || n > CTL_CERT_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)cert[i] < 0x20 || cert[i] == 0x7f)
			return 0;
	return 1;
}

static int
is(const char *s, const char *want)
{
	return s != NULL && strcmp(s, want) == 0;
}

/* What ctlreq.h promises of an accepted life request: a known event, the
 * members it needs and none it does not take, 1..CTL_LIFE_MAX string codes. */
static int
life_ok(const struct ctl_request *r)
{
	const char *e = r->event;
	int carried = is(e, "dispatched") || is(e, "received");
	int back = is(e, "inspection_back");
	size_t k, n;

	if (!carried && !back && !is(e, "inspection_out") && !is(e, "scrapped"))
		return 0;
	if (!cert_ok(r->cert) || (r->worker != NULL && (!carried || !cert_ok(r->worker))) ||
	    (is(e, "dispatched") && r->worker == NULL))
		return 0;
	if (back != (r->result != NULL) || back != (r->next_due != NULL) ||
	    (back && !is(r->result, "pass") && !is(r->result, "fail")) ||
	    (back && strlen(r->next_due) != 10))
		return 0;
	if (is(e, "scrapped") != (r->reason != NULL) ||
	    (r->reason != NULL && (strlen(r->reason) == 0 || strlen(r->reason) > CTL_REASON_MAX)))
		return 0;
	if (r->pin == NULL || strlen(r->pin) > OPAUTH_PIN_MAX)
		return 0;
	if (!json_is_array(r->codes) || (n = json_array_size(r->codes)) == 0 || n > CTL_LIFE_MAX)
		return 0;
	for (k = 0; k < n; k++)
		if (!json_is_string(json_array_get(r->codes, k)))
			return 0;
	return 1;
}

/* What ctlreq.h promises of an accepted request. */
static int
request_ok(const struct ctl_request *r)
{
	int line_ok = r->line >= 1 && r->line <= GW_LINE_NUMBER_MAX;

	if (r->lang != NULL && !i18n_language_ok(r->lang, strlen(r->lang)))
		return 0;

	switch (r->command) {
	case CTL_STATUS:
		return r->line == 0;
	case CTL_FILLS:
		return r->line == 0 && r->since_ms >= 0 && r->limit >= 1 &&
		       r->limit <= CTL_FILLS_MAX;
	case CTL_ASIDE:
		return r->line == 0 && r->retry >= -1;
	case CTL_LOGIN:
		return line_ok && cert_ok(r->cert) && r->pin != NULL &&
		       strlen(r->pin) <= OPAUTH_PIN_MAX &&
		       !buyer_text_has_number(r->cert, strlen(r->cert));
	case CTL_LOGOUT:
		return line_ok;
	case CTL_SCAN:
		return line_ok && r->code != NULL;
	case CTL_BUYER:
		return line_ok && r->number != NULL;
	case CTL_START:
		return line_ok && (r->wait == 0 || r->wait == 1);
	case CTL_STOP:
		return line_ok;
	case CTL_FILL:
		return line_ok && r->code != NULL && r->number != NULL && r->wait == 1 &&
		       (r->cert == NULL || cert_ok(r->cert));
	case CTL_LIFE:
		return life_ok(r);
	}
	return 0;
}

static int
nonempty_string(json_t *v)
{
	return json_is_string(v) && json_string_length(v) > 0;
}

/* A reply the client can act on; rendered to text as ctl.c sends it. */
static void
check_reply(json_t *reply)
{
	json_t *ok = json_object_get(reply, "ok");
	json_t *refusal = json_object_get(reply, "violations");
	char *text;

	if (!json_is_object(reply) || !json_is_boolean(ok))
		abort();
	if (json_is_false(ok) && !nonempty_string(json_object_get(reply, "error")) &&
	    !(json_is_array(refusal) && nonempty_string(json_array_get(refusal, 0))))
		abort();
	if ((text = json_dumps(reply, JSON_COMPACT)) == NULL || strchr(text, '\n') != NULL)
		abort(); /* one reply, one line */
	free(text);
}

static void
one_request(const char *buf, size_t len)
{
	struct ctl_request req;
	struct ctl_wait wait;
	struct line_status st;
	char err[256];
	json_t *reply;

	err[0] = '\0';
	if (ctl_request_parse(buf, len, &req, err, sizeof(err)) == 0) {
		if (!request_ok(&req))
			abort();
		ctl_request_free(&req);
	} else if (err[0] == '\0' || req.json != NULL) {
		abort();
	}
	reply = ctl_handle_line(&gw, buf, len, &wait);
	if (reply != NULL) {
		if (wait.line != NULL)
			abort();
		check_reply(reply);
		json_decref(reply);
	} else if (wait.line != NULL) {
		/* a waiting request: what the client is streamed */
		line_status(wait.line, &st);
		if (wait.attempt == 0 || wait.attempt != st.attempt)
			abort();
		json_decref(ctl_progress_json(&st));
		reply = ctl_result_json(&st);
		check_reply(reply);
		json_decref(reply);
	} else {
		abort(); /* neither a reply nor a wait */
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	int n = 0;
	size_t i;

	if (gw.ident == NULL)
		setup();
	if (size > CTL_LINE_MAX * 4)
		return 0;
	lines_init();
	/* OP-7 (PIN 2468) never stays locked out from one input to the next,
	 * or a few wrong PINs would keep every later life request from its codes */
	store_exec(gw.records.db,
	    "UPDATE operator_credentials SET failures = 0, locked_until_ms = 0", NULL, 0);
	/* ctl.c hands over each line without its newline, and never one of
	 * CTL_LINE_MAX bytes or more */
	while (p < end && n++ < FUZZ_REQUESTS) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if ((size_t)(nl - p) < CTL_LINE_MAX)
			one_request(p, (size_t)(nl - p));
		p = nl + 1;
	}
	for (i = 0; i < FUZZ_LINES; i++)
		line_free(&gw.lines[i]);
	return 0;
}
