/*
 * Fuzz target for the county's one parser of who is asking
 * (access_identity_parse: the PSK identity a client chose, as the DTLS
 * handshake proved it) and the decisions taken on what it returns.
 * Besides "no crash, no sanitizer report", it checks properties: an
 * accepted identity is exactly the bytes given, ROLE:NAME with a name of
 * printable characters without ':' (a person's NAME@TOWNSHIP with one
 * '@'); a refused one leaves nothing behind; and no decision ever hands
 * out a scope naming a tenant other than the caller's own.  access.c is compiled in: it is the
 * county library's (tools/county), which the fuzz build does not archive.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/county/access.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct access_identity who;
	struct access_scope scope;
	size_t i, plen;
	int a;

	if (access_identity_parse(data, size, &who) == -1) {
		if (who.role != ACCESS_ROLE_NONE || who.identity[0] != '\0' ||
		    who.name[0] != '\0' || who.tenant_id[0] != '\0')
			abort();
		for (a = 0; a < ACCESS_ACTION_COUNT; a++)
			if (access_decide(&who, (enum access_action)a, &scope) != 0)
				abort();
		return 0;
	}
	if (who.role <= ACCESS_ROLE_NONE || who.role >= ACCESS_ROLE_COUNT)
		abort();
	if (strlen(who.identity) != size || memcmp(who.identity, data, size) != 0)
		abort();
	plen = size - strlen(who.name);
	if (plen == size || who.identity[plen - 1] != ':' ||
	    strcmp(who.identity + plen, who.name) != 0)
		abort();
	for (i = 0; who.name[i] != '\0'; i++)
		if (who.name[i] < 0x21 || who.name[i] > 0x7e || who.name[i] == ':')
			abort();
	/* a person's tenant: the township after its one '@', or the person */
	if (who.role == ACCESS_ROLE_OFFICER || who.role == ACCESS_ROLE_GRID) {
		const char *at = strchr(who.name, '@');

		if (at == NULL || at == who.name || strchr(at + 1, '@') != NULL ||
		    strcmp(who.township, at + 1) != 0 || who.township[0] == '\0')
			abort();
		if (strcmp(who.tenant_id,
		        who.role == ACCESS_ROLE_GRID ? who.identity : who.township) != 0)
			abort();
	} else if (who.tenant != ACCESS_TENANT_NONE && strcmp(who.tenant_id, who.name) != 0) {
		abort();
	}
	for (a = 0; a < ACCESS_ACTION_COUNT; a++) {
		if (access_decide(&who, (enum access_action)a, &scope) == 0)
			continue;
		if (scope.station[0] != '\0' && strcmp(scope.station, who.tenant_id) != 0)
			abort();
		if (scope.township[0] != '\0' && strcmp(scope.township, who.tenant_id) != 0)
			abort();
		if (scope.person[0] != '\0' && strcmp(scope.person, who.identity) != 0)
			abort();
		if (!access_scope_covers(&scope, who.tenant_id, who.tenant_id) &&
		    !access_scope_covers_case(&scope, who.tenant_id, who.identity))
			abort();
	}
	return 0;
}
