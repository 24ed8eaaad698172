/*
 * buyeraddr: the buyer's address at the county (docs/buyers.md, "The
 * address").  A station sends it only with a fill one of whose violations
 * is routed to the buyer's township; the county keeps it apart from the
 * fills (table buyer_addresses), shows it on the case opened for it only to
 * an officer of the township that case is assigned to now (the team that
 * visits the household: the buyer's, or the one the county reassigned the
 * case to), and logs every showing (buyer_address_views), which regulators
 * read on the case.  Nothing else reads these tables.
 *
 * An address is kept only as long as a case may need it (buyeraddr_expire):
 * then its text is erased and its row stays, empty, so that the case can
 * say it was erased and a record sent again does not bring it back.  The
 * log of showings is kept: it is the county's accountability.
 */
#ifndef COUNTY_BUYERADDR_H
#define COUNTY_BUYERADDR_H

#include <stddef.h>
#include <stdint.h>

#include "access.h"
#include "db.h"

/* Keep address for fill, routed to township (the buyer's, as the county
 * routed the fill's violation).  A record sent again keeps the first.
 * Returns 0, or -1 with err. */
int buyeraddr_store(struct county_db *c, const char *fill, const char *township,
    const char *address, int64_t now_ms, char *err, size_t errlen);

/* Where one case stands towards a fill's kept address: three township codes and a rule code
 * ("" for none). */
struct buyeraddr_case {
	const char *kept_for; /* the address's (buyer_addresses.township): the buyer's township,
	                         as the county routed the fill's violation */
	const char *alerted;  /* the one the case's alert behind that fill was routed to (the
	                         township the case was opened in, or joined in) */
	const char *assigned; /* the one the case is assigned to now (cases.township) */
	const char *rule;     /* that alert's rule (alerts.rule): "R11" on the case the address
	                         was kept for, "R05", "R10"... on the station's township's case
	                         about the same fill */
};

/*
 * 1 if who may see the address on that case: the case is the one the
 * address was kept for (its alert behind the fill is of a rule routed to
 * the buyer's township, R11, and alerted is kept_for: the buyer's
 * township's case, not the station's township's case about the same fill,
 * even when the buyer lives in the station's township) and who is an
 * officer (officer:NAME@TOWNSHIP) of the township the case is assigned to
 * now, the buyer's or the one the county reassigned it to; nobody else (not
 * the township's shared key, not a grid worker, not a regulator, not the
 * township the case was moved from).  The one place that decides.
 */
int buyeraddr_may_see(const struct access_identity *who, const struct buyeraddr_case *k);

/*
 * The address of fill for who on case case_id (fill: the fill the case
 * shows, casedetail.h's CASEDETAIL_FIRST_FILL), into out: "" (and 0) when
 * none is kept or who may not see it there (buyeraddr_may_see); else the
 * address, after one row (who, now, case) is written to the log: no row,
 * no address (-1 with err).  For an officer, the case's township is read
 * and the row written in one write transaction of its own (when the caller
 * has none open; else in the caller's, whose commit the row then awaits),
 * so a reassignment committed by another connection at any moment before
 * is obeyed: the address goes to the township the case is in when the row
 * is written.  *erased is 1 when the fill's address was kept and has been
 * erased after its keep time (buyeraddr_expire) and who is one who would
 * have seen it (buyeraddr_may_see) or a regulator (who reads the log of
 * showings) on the case the address was kept for; else 0.  Erased or not, out is then "" and
 * nothing is logged.
 */
int buyeraddr_show(struct county_db *c, const struct access_identity *who, int64_t case_id,
    const char *fill, int64_t now_ms, char *out, size_t size, int *erased, char *err,
    size_t errlen);

/*
 * Erase the address of every fill that no case needs any more, in one
 * transaction of its own; *erased gets how many (0 after a failure, when
 * nothing was changed: -1 with err).
 *
 * The cases that need a fill's address are those that show it: the cases
 * whose first alert with a fill behind it (the first by alert id of its
 * station alerts whose violation is of a stored fill, as casedetail finds
 * "the fill behind the first alert") is of that fill and is the alert the
 * address was kept for (a rule routed to the buyer, R11, to the address's
 * township: buyeraddr_may_see); a case of the station's township about the
 * same fill does not keep it.  An address is kept
 *   - while any of those cases is open (any state but closed and dismissed,
 *     so a case opened again counts as open),
 *   - while an alert of the fill that would open or join a case (severity
 *     alert or critical) and is one the address was kept for (as above) is
 *     not in a case yet (cases_from_alerts has not read it: the case it
 *     opens may need it),
 *   - until keep_days (1 or more) have passed since the later of its
 *     arrival and the last close (or dismissal) of those cases; so an
 *     address no case needs is erased keep_days after it came.
 * Then its text is overwritten in the database file (SQLite's secure_delete
 * for the statement) and the row keeps fill, township and arrival, with ""
 * as its address.  Fills, cases, alerts and the log of showings are not
 * touched.
 */
int buyeraddr_expire(struct county_db *c, int keep_days, int64_t now_ms, int *erased, char *err,
    size_t errlen);

#endif
