/*
 * access: the county's rules of who may see or change what, as two tables
 * (access.h says how they are used).
 *
 * Deny by default: a role, an action or a reach that is not written in a
 * table below is refused, and so is a caller whose identity did not parse.
 * The identity is outside bytes (the PSK identity a client chose): it is
 * measured before it is copied and checked byte by byte.
 */
#include <stdio.h>
#include <string.h>

#include "access.h"
#include "util.h"

/* The roles: the identity's prefix and what the role's own tenant is. */
static const struct role_row {
	const char *prefix; /* identity = prefix + name */
	const char *name;   /* in the tenant matrix */
	const char *plural; /* in a refusal: "stations only" */
	enum access_tenant own;
	int person; /* NAME@TOWNSHIP: a named person bound to one township */
} roles[ACCESS_ROLE_COUNT] = {
	[ACCESS_ROLE_STATION] = { "station:", "station", "stations", ACCESS_TENANT_STATION },
	[ACCESS_ROLE_TOWNSHIP] = { "township:", "township", "townships", ACCESS_TENANT_TOWNSHIP },
	[ACCESS_ROLE_REGULATOR] = { "regulator:", "regulator", "regulators", ACCESS_TENANT_NONE },
	[ACCESS_ROLE_OFFICER] = { "officer:", "officer", "officers", ACCESS_TENANT_TOWNSHIP, 1 },
	[ACCESS_ROLE_GRID] = { "grid:", "grid", "grid workers", ACCESS_TENANT_PERSON, 1 },
	[ACCESS_ROLE_DELIVERY] = { "delivery:", "delivery", "delivery devices",
	    ACCESS_TENANT_PERSON, 1 },
};

/*
 * The actions: how far each role reaches (a role not named reaches
 * nothing) and whether each use is audited.  Reading every tenant's data
 * (traces, curves, the station list) is audited; a tenant's reads of its
 * own and reads of county-wide reference data (the registry) are not.
 */
static const struct action_row {
	const char *name;
	int audited;
	enum access_reach reach[ACCESS_ROLE_COUNT];
} actions[ACCESS_ACTION_COUNT] = {
	/* a delivery device writes records of kind life only (gascounty) */
	[ACCESS_RECORDS_WRITE] = { "records.write", 0,
	    { [ACCESS_ROLE_STATION] = ACCESS_REACH_OWN,
	        [ACCESS_ROLE_DELIVERY] = ACCESS_REACH_OWN } },
	[ACCESS_HEARTBEAT_WRITE] = { "heartbeat.write", 0,
	    { [ACCESS_ROLE_STATION] = ACCESS_REACH_OWN } },
	[ACCESS_REGISTRY_READ] = { "registry.read", 0,
	    { [ACCESS_ROLE_STATION] = ACCESS_REACH_ALL,
	        [ACCESS_ROLE_REGULATOR] = ACCESS_REACH_ALL } },
	[ACCESS_ALERTS_READ] = { "alerts.read", 0, { [ACCESS_ROLE_TOWNSHIP] = ACCESS_REACH_OWN } },
	[ACCESS_ALERTS_DISPOSE] = { "alerts.dispose", 0,
	    { [ACCESS_ROLE_TOWNSHIP] = ACCESS_REACH_OWN } },
	[ACCESS_TRACE_READ] = { "trace.read", 1, { [ACCESS_ROLE_REGULATOR] = ACCESS_REACH_ALL } },
	[ACCESS_STATIONS_READ] = { "stations.read", 1,
	    { [ACCESS_ROLE_REGULATOR] = ACCESS_REACH_ALL } },
	[ACCESS_QUEUE_READ] = { "queue.read", 1, { [ACCESS_ROLE_REGULATOR] = ACCESS_REACH_ALL } },
	/* cases: named people only; the township's shared key cannot act */
	[ACCESS_CASES_READ] = { "cases.read", 0,
	    { [ACCESS_ROLE_OFFICER] = ACCESS_REACH_OWN,
	        [ACCESS_ROLE_GRID] = ACCESS_REACH_OWN,
	        [ACCESS_ROLE_REGULATOR] = ACCESS_REACH_ALL } },
	[ACCESS_CASES_ACT] = { "cases.act", 0,
	    { [ACCESS_ROLE_OFFICER] = ACCESS_REACH_OWN,
	        [ACCESS_ROLE_REGULATOR] = ACCESS_REACH_ALL } },
	[ACCESS_CASES_REPORT] = { "cases.report", 0, { [ACCESS_ROLE_GRID] = ACCESS_REACH_OWN } },
	[ACCESS_CASES_REASSIGN] = { "cases.reassign", 0,
	    { [ACCESS_ROLE_REGULATOR] = ACCESS_REACH_ALL } },
	[ACCESS_CASES_OVERDUE] = { "cases.overdue", 0,
	    { [ACCESS_ROLE_OFFICER] = ACCESS_REACH_OWN,
	        [ACCESS_ROLE_REGULATOR] = ACCESS_REACH_ALL } },
	[ACCESS_CASES_FIGURES] = { "cases.figures", 0,
	    { [ACCESS_ROLE_OFFICER] = ACCESS_REACH_OWN,
	        [ACCESS_ROLE_REGULATOR] = ACCESS_REACH_ALL } },
	[ACCESS_HISTORY_READ] = { "history.read", 1,
	    { [ACCESS_ROLE_REGULATOR] = ACCESS_REACH_ALL } },
	/* the console's map (gasweb): an officer sees the own township's
	 * stations, a regulator every one; audited as the station list is */
	[ACCESS_MAP_READ] = { "map.read", 1,
	    { [ACCESS_ROLE_OFFICER] = ACCESS_REACH_OWN,
	        [ACCESS_ROLE_REGULATOR] = ACCESS_REACH_ALL } },
	/* the county's figures (figures.h): counts only, nothing of a person;
	 * the regulator's, county-wide (a township's own case figures are
	 * cases.figures) */
	[ACCESS_FIGURES_READ] = { "figures.read", 0,
	    { [ACCESS_ROLE_REGULATOR] = ACCESS_REACH_ALL } },
};

static int
role_known(enum access_role role)
{
	return role > ACCESS_ROLE_NONE && role < ACCESS_ROLE_COUNT && roles[role].prefix != NULL;
}

static int
action_known(enum access_action action)
{
	return (int)action >= 0 && action < ACCESS_ACTION_COUNT && actions[action].name != NULL;
}

int
access_identity_parse(const uint8_t *id, size_t len, struct access_identity *who)
{
	size_t plen = 0, i;
	int r;

	memset(who, 0, sizeof(*who));
	if (id == NULL || len == 0 || len >= sizeof(who->identity))
		return -1;
	for (r = ACCESS_ROLE_NONE + 1; r < ACCESS_ROLE_COUNT; r++) {
		if (!role_known((enum access_role)r))
			continue;
		plen = strlen(roles[r].prefix);
		if (len > plen && memcmp(id, roles[r].prefix, plen) == 0)
			break;
	}
	if (r == ACCESS_ROLE_COUNT)
		return -1;
	/* the name: printable, no space, no ':' (so no second role inside it) */
	for (i = plen; i < len; i++)
		if (id[i] < 0x21 || id[i] > 0x7e || id[i] == ':')
			return -1;
	memcpy(who->identity, id, len);
	who->identity[len] = '\0';
	memcpy(who->name, id + plen, len - plen);
	who->name[len - plen] = '\0';
	if (roles[r].person) {
		/* NAME@TOWNSHIP: one '@', neither part empty */
		char *at = strchr(who->name, '@');

		if (at == NULL || at == who->name || at[1] == '\0' || strchr(at + 1, '@') != NULL) {
			memset(who, 0, sizeof(*who));
			return -1;
		}
		str_copy(who->township, at + 1, sizeof(who->township));
	}
	who->role = (enum access_role)r;
	who->tenant = roles[r].own;
	if (who->tenant == ACCESS_TENANT_PERSON)
		str_copy(who->tenant_id, who->identity, sizeof(who->tenant_id));
	else if (who->tenant == ACCESS_TENANT_TOWNSHIP && roles[r].person)
		str_copy(who->tenant_id, who->township, sizeof(who->tenant_id));
	else if (who->tenant != ACCESS_TENANT_NONE)
		str_copy(who->tenant_id, who->name, sizeof(who->tenant_id));
	return 0;
}

enum access_reach
access_reach_of(enum access_action action, enum access_role role)
{
	if (!action_known(action) || !role_known(role))
		return ACCESS_REACH_NO;
	return actions[action].reach[role];
}

int
access_decide(const struct access_identity *who, enum access_action action,
    struct access_scope *scope)
{
	enum access_reach reach;

	memset(scope, 0, sizeof(*scope));
	if (who == NULL)
		return 0;
	reach = access_reach_of(action, who->role);
	/* a caller not as access_identity_parse leaves it is nobody */
	if (reach == ACCESS_REACH_NO || who->tenant != roles[who->role].own)
		return 0;
	if (reach == ACCESS_REACH_ALL) {
		scope->reach = reach;
		return 1;
	}
	if (reach != ACCESS_REACH_OWN || who->tenant_id[0] == '\0' ||
	    memchr(who->tenant_id, '\0', sizeof(who->tenant_id)) == NULL)
		return 0;
	switch (who->tenant) {
	case ACCESS_TENANT_STATION:
		str_copy(scope->station, who->tenant_id, sizeof(scope->station));
		break;
	case ACCESS_TENANT_TOWNSHIP:
		str_copy(scope->township, who->tenant_id, sizeof(scope->township));
		break;
	case ACCESS_TENANT_PERSON:
		str_copy(scope->person, who->tenant_id, sizeof(scope->person));
		break;
	default:
		return 0; /* "own" for a role that has no tenant: nothing */
	}
	scope->reach = reach;
	return 1;
}

/* Whether a thing of station, township and person (each NULL or "" when
 * it has none) lies inside scope: one rule for every kind of thing. */
static int
covers(const struct access_scope *scope, const char *station, const char *township,
    const char *person)
{
	if (scope == NULL)
		return 0;
	if (scope->reach == ACCESS_REACH_ALL)
		return 1;
	if (scope->reach != ACCESS_REACH_OWN)
		return 0;
	if (scope->station[0] != '\0')
		return station != NULL && strcmp(station, scope->station) == 0;
	if (scope->person[0] != '\0')
		return person != NULL && strcmp(person, scope->person) == 0;
	if (scope->township[0] != '\0')
		return township != NULL && strcmp(township, scope->township) == 0;
	return 0;
}

int
access_scope_covers(const struct access_scope *scope, const char *station, const char *township)
{
	return covers(scope, station, township, NULL);
}

int
access_scope_covers_case(const struct access_scope *scope, const char *township,
    const char *reporter)
{
	return covers(scope, NULL, township, reporter);
}

int
access_audited(enum access_action action)
{
	return action_known(action) && actions[action].audited;
}

const char *
access_role_name(enum access_role role)
{
	return role_known(role) ? roles[role].name : "";
}

const char *
access_action_name(enum access_action action)
{
	return action_known(action) ? actions[action].name : "";
}

void
access_refusal(enum access_action action, char *buf, size_t size)
{
	const char *names[ACCESS_ROLE_COUNT];
	size_t n = 0, i, used = 0;
	int r;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (r = ACCESS_ROLE_NONE + 1; r < ACCESS_ROLE_COUNT; r++)
		if (access_reach_of(action, (enum access_role)r) != ACCESS_REACH_NO)
			names[n++] = roles[r].plural;
	if (n == 0) {
		str_copy(buf, "nobody", size);
		return;
	}
	/* "a only", "a and b only", "a, b and c only" */
	for (i = 0; i < n && used < size; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " and " : ", ";

		used += (size_t)snprintf(buf + used, size - used, "%s%s", sep, names[i]);
	}
	if (used < size)
		snprintf(buf + used, size - used, " only");
}
