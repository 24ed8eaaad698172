/*
 * access: who may see or change what on the county side.
 *
 * This is the one place that decides.  Every request to the county, over
 * CoAP (gascounty's resource table, tools/gascounty/server.c) or from any
 * later front, goes through it in three steps:
 *
 *   1. access_identity_parse: the caller's role, name and own tenant, from
 *      the identity the DTLS handshake proved (never from a payload);
 *   2. access_decide: may this caller perform this action at all, and over
 *      what (its own station or township, or the whole county);
 *   3. access_scope_covers: does a thing the request names (an alert of a
 *      township, a station's records) lie inside that scope.
 *
 * The rules are two tables in access.c: the roles (identity prefix, what the
 * role's own tenant is) and the actions (for each role: no, own or all;
 * audited or not).  Everything not in them is refused: an unknown role, an
 * action out of range, an identity that does not parse.  Nothing here
 * touches the network, the database or a lock; every function may be called
 * from any thread.
 *
 * Roles today: station:ID (a filling station; its own tenant is its
 * station), township:CODE (a township's shared key: alerts only, it cannot
 * act on cases), regulator:NAME (the county: every township's cases, the
 * overdue list, reassignment), officer:NAME@TOWNSHIP (one named person of a
 * township's enforcement team; own tenant: the township after '@') and
 * grid:NAME@TOWNSHIP (one grid worker; own tenant: the person, so that a
 * grid worker sees the cases of their own reports only).
 */
#ifndef COUNTY_ACCESS_H
#define COUNTY_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "psk.h"

#define ACCESS_MAX_IDENTITY PSK_MAX_IDENTITY /* including the NUL */

enum access_role {
	ACCESS_ROLE_NONE = 0, /* unknown or malformed: may do nothing */
	ACCESS_ROLE_STATION,
	ACCESS_ROLE_TOWNSHIP,
	ACCESS_ROLE_REGULATOR,
	ACCESS_ROLE_OFFICER,
	ACCESS_ROLE_GRID,
	ACCESS_ROLE_DELIVERY, /* delivery:NAME@TOWNSHIP: life events of its own seq space */
	ACCESS_ROLE_COUNT
};

/* What a caller's own records are. */
enum access_tenant {
	ACCESS_TENANT_NONE = 0,
	ACCESS_TENANT_STATION,
	ACCESS_TENANT_TOWNSHIP,
	ACCESS_TENANT_PERSON, /* the identity itself: a grid worker's own reports, a
	                       * delivery device's own life events */
};

/* How far one role reaches with one action. */
enum access_reach {
	ACCESS_REACH_NO = 0, /* refused (4.03) */
	ACCESS_REACH_OWN,    /* the caller's own tenant only */
	ACCESS_REACH_ALL,    /* every tenant of the county */
};

/* Everything a caller can ask the county to do. */
enum access_action {
	ACCESS_RECORDS_WRITE,   /* store a batch of its records */
	ACCESS_HEARTBEAT_WRITE, /* report its status */
	ACCESS_REGISTRY_READ,   /* registry deltas (county-wide cylinder facts) */
	ACCESS_ALERTS_READ,     /* alerts and their dispositions */
	ACCESS_ALERTS_DISPOSE,  /* record a disposition of an alert */
	ACCESS_TRACE_READ,      /* traces of cylinders, buyers, stations; fill curves */
	ACCESS_STATIONS_READ,   /* every station's marks, gaps and last contact */
	ACCESS_QUEUE_READ,      /* the county's own alerts (township "county": C06 conflicts) */
	ACCESS_CASES_READ,      /* cases, their timelines and evidence, the catalogue */
	ACCESS_CASES_ACT,       /* a step of a case: accept, on site, decide, close... */
	ACCESS_CASES_REPORT,    /* a grid worker's report (opens a case) */
	ACCESS_CASES_REASSIGN,  /* move a case to another township */
	ACCESS_CASES_OVERDUE,   /* the list of cases past a deadline */
	ACCESS_CASES_FIGURES,   /* figures per township and period */
	ACCESS_HISTORY_READ,    /* a cylinder's registry history (every change, who made it) */
	ACCESS_MAP_READ,        /* the console's map: townships, stations and their health */
	ACCESS_FIGURES_READ,    /* the county's figures (fills, real-name rate, violations...) */
	ACCESS_ACTION_COUNT
};

/* A caller, as access_identity_parse found it. */
struct access_identity {
	enum access_role role;
	char identity[ACCESS_MAX_IDENTITY];  /* whole, as proved: "township:TA" */
	char name[ACCESS_MAX_IDENTITY];      /* after the role's prefix: "TA" */
	enum access_tenant tenant;           /* what its own records are */
	char tenant_id[ACCESS_MAX_IDENTITY]; /* that station's id, township's code or the whole
	                                        identity of a person; "" for none */
	char township[ACCESS_MAX_IDENTITY];  /* a person's township (after '@'), else "" */
};

/*
 * What one permitted request may reach.  ACCESS_REACH_OWN: station,
 * township or person (one of them, by the caller's tenant) holds the tenant
 * it is limited to and the others are "".  ACCESS_REACH_ALL: all are "".
 */
struct access_scope {
	enum access_reach reach;
	char station[ACCESS_MAX_IDENTITY];
	char township[ACCESS_MAX_IDENTITY];
	char person[ACCESS_MAX_IDENTITY];
};

/*
 * Parse len bytes of a proved identity (not NUL-terminated; untrusted: any
 * bytes, any length).  Returns 0 with *who filled, or -1 with who->role
 * ACCESS_ROLE_NONE and every field empty when the bytes are not ROLE:NAME
 * for a known role, with NAME 1 or more printable characters without
 * spaces or ':' and the whole shorter than ACCESS_MAX_IDENTITY.  The role's
 * prefix is matched exactly (case and all).
 */
int access_identity_parse(const uint8_t *id, size_t len, struct access_identity *who);

/*
 * May who perform action?  Returns 1 with *scope filled when it may, 0 when
 * it may not (then *scope says ACCESS_REACH_NO).  A role reaching only its
 * own tenant without having one is refused.  who may be NULL (refused).
 */
int access_decide(const struct access_identity *who, enum access_action action,
    struct access_scope *scope);

/*
 * 1 if a thing that belongs to station and township (each may be NULL or ""
 * when the thing has none) lies inside scope, 0 if not.  A scope limited
 * to a station covers only that station's things, one limited to a
 * township only things routed to that township; names are compared whole.
 */
int access_scope_covers(const struct access_scope *scope, const char *station,
    const char *township);

/*
 * 1 if a case of township, reported by reporter (NULL or "" when no person
 * reported it), lies inside scope: a township scope covers its township's
 * cases, a person scope the cases that person reported, a station scope
 * none.
 */
int access_scope_covers_case(const struct access_scope *scope, const char *township,
    const char *reporter);

/* ---- the tables, for documentation and the resource table ------------------------ */

/* How far role reaches with action (ACCESS_REACH_NO for anything unknown). */
enum access_reach access_reach_of(enum access_action action, enum access_role role);

/* 1 if every permitted use of action is written to the county's audit log. */
int access_audited(enum access_action action);

/* The role's name ("station"), "" for ACCESS_ROLE_NONE or out of range. */
const char *access_role_name(enum access_role role);

/* The action's name ("trace.read"), "" out of range. */
const char *access_action_name(enum access_action action);

/*
 * The one-line answer to a refused caller: the roles that may perform
 * action ("stations and regulators only"), or "nobody" when none may.
 * Always NUL-terminated when size > 0.
 */
void access_refusal(enum access_action action, char *buf, size_t size);

#endif
