/*
 * casedetail: what an officer needs to act on one case, in one answer
 * (docs/county.md, "What a case shows").  The one function behind both the
 * CoAP GET /cases/ID (gascounty) and the console's case page (gasweb), so
 * that the two can never show different things or decide access apart.
 *
 * The answer is cases_show's map ("case", "steps", "alerts", "evidence")
 * with, when the case has them:
 *
 *   "station":  {"id", "township", "last_seen_ms", "name", "address",
 *                "lat", "lon", "registered"}  the station of the case, with
 *               its name, address and place from the county's register
 *               (stations.h; "" and null when not registered, registered 0)
 *   "fill":     {"uuid", "started_ms", "net_kg", "target_kg", "result",
 *                "buyer_masked", "buyer_township",
 *                "curve": {"target_g", "preact_g", "cutoff_ms", "net_g",
 *                          "t_ms": [...], "grams": [...]}}
 *               the fill the case's first alert is about, with its weight
 *               curve when the station sent one (cutoff_ms and net_g are
 *               left out when the curve has none)
 *   "fills":    [{"uuid", "station", "started_ms", "net_kg", "result"}...]
 *               the cylinder's newest fills (CASEDETAIL_FILLS at most,
 *               newest first)
 *   "history":  [{"version", "changed_ms", "status", "last_inspection",
 *                 "next_inspection", "owner", "source", "actor"}...]
 *               the cylinder's newest registry changes (CASEDETAIL_HISTORY
 *               at most), oldest first, and "history_left_out": how many
 *               older ones are not listed; these three
 *               only for a scope by township or county-wide (those who act
 *               on cases), never for a reporter's (a grid worker's report
 *               names any cylinder it likes: its past is a trace)
 *   "buyer":    {"masked", "township", "address"}: the buyer, masked, and
 *               the township the buyer belongs to; "address" when the
 *               station sent it (a violation routed to the buyer:
 *               buyeraddr.h), on the case opened for it, only for an
 *               officer of the township that case is assigned to at the
 *               moment of the showing (the buyer's, or the one the county
 *               reassigned it to: buyeraddr_may_see), and each time it is
 *               given one row is written to the address log;
 *               "address_erased": true instead, for that officer and for a
 *               regulator, once the address was erased after its keep
 *               time (buyeraddr_expire)
 *   "address_views": [{"identity", "at_ms"}...]  for a regulator only:
 *               every showing of the case's buyer address, oldest first
 *               (CASEDETAIL_VIEWS at most)
 *
 * Every part up to the buyer is read in one snapshot (a read transaction,
 * unless the caller is already in one), so a step committed meanwhile is in
 * the answer whole or not at all; the snapshot ends before the address log
 * row is written.
 *
 * Who may see the case is access.h's, through cases_show's scope check:
 * nothing is read for a case outside scope.  The curve and the history are
 * read as part of the case (the action cases.read, which the access table
 * does not audit): no audit row is written, so a case read stays a read.
 */
#ifndef COUNTY_CASEDETAIL_H
#define COUNTY_CASEDETAIL_H

#include <stddef.h>
#include <stdint.h>

#include <cbor.h>

#include "cases.h"

#define CASEDETAIL_FILLS 20
#define CASEDETAIL_HISTORY 50
#define CASEDETAIL_VIEWS 200

/*
 * The fill a case shows, and so the buyer's address it shows: the fill
 * behind the case's first station alert (lowest alert id) that leads to a
 * stored fill.  Written after "SELECT f.<columns>", with case_sql the SQL
 * of the case's id ("CAST(? AS INTEGER)", or an outer query's "k.id");
 * aliases ca, a, v and f are its own.  buyeraddr.c's erasure uses the same
 * text, so that it never erases an address a case still shows.
 */
#define CASEDETAIL_FIRST_FILL(case_sql)                                                            \
	" FROM case_alerts ca JOIN alerts a ON a.id = ca.alert"                                    \
	" JOIN violations v ON v.uuid = substr(a.source, length('station:' || a.station || ':')"   \
	" + 1) JOIN fills f ON f.uuid = v.event WHERE ca.case_id = " case_sql                      \
	" AND a.source LIKE 'station:%' ORDER BY a.id LIMIT 1"

/* Case id inside scope, as above, for who (the caller scope was decided
 * for; NULL: nobody, so no address and no log): CBOR in *out (malloc'd,
 * caller frees).  CASES_NOT_FOUND / CASES_OUT_OF_SCOPE as cases_show. */
enum cases_result casedetail_get(struct county_db *c, const struct access_scope *scope,
    const struct access_identity *who, int64_t id, int64_t now_ms, uint8_t **out, size_t *len,
    char *err, size_t errlen);

#endif
