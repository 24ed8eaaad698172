/*
 * buyeraddr: the buyer's address at the county (docs/buyers.md, "The
 * address").  A station sends it only with a fill one of whose violations
 * is routed to the buyer's township; the county keeps it apart from the
 * fills (table buyer_addresses), shows it on a case only to an officer of
 * that township, and logs every showing (buyer_address_views), which
 * regulators read on the case.  Nothing else reads these tables.
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

/* 1 if who may see an address routed to township: an officer
 * (officer:NAME@TOWNSHIP) of that very township; nobody else (not the
 * township's shared key, not a grid worker, not a regulator). */
int buyeraddr_may_see(const struct access_identity *who, const char *township);

/*
 * The address of fill for who on case case_id, into out: "" (and 0) when
 * none is kept or who may not see it; else the address, after one row
 * (who, now, case) is written to the log: no row, no address (-1 with err).
 */
int buyeraddr_show(struct county_db *c, const struct access_identity *who, int64_t case_id,
    const char *fill, int64_t now_ms, char *out, size_t size, char *err, size_t errlen);

#endif
