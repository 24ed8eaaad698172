/*
 * people: who may sign in to the county console (gasweb), as the county's
 * identities file says.
 *
 * People are the identities officer:NAME@TOWNSHIP, grid:NAME@TOWNSHIP and
 * regulator:NAME (access.h) of the county's identities file.  gasweb may
 * not read that file (it holds keys), so gascounty, which does, keeps the
 * list of their names in the county database's table people (migration
 * 028): people_write at start and at every reload that takes a new
 * identities file.  gasweb asks people_present at every sign-in (a name
 * not there is refused as a wrong password) and every request of a
 * session (a session of a name not there is over).  So an identity the
 * county removes loses the console at the same time as CoAP.
 *
 * This module owns the table: nothing else writes it.  Return conventions
 * as db.h.
 */
#ifndef COUNTY_PEOPLE_H
#define COUNTY_PEOPLE_H

#include <stddef.h>
#include <stdint.h>
#include <sqlite3.h>

#include "psk.h"

/* 1 if identity (NUL-terminated, untrusted) is a person's: an identity
 * that may hold a console password (officer, grid worker, regulator). */
int people_is_person(const char *identity);

/*
 * Make the table people hold exactly the people of keys, in one
 * transaction (BEGIN IMMEDIATE .. COMMIT on db): an identity no longer in
 * keys goes, a new one comes with since_ms now_ms, one still there keeps
 * its since_ms.  Keys' other identities (stations, townships, devices) and
 * every key are never written.  *added and *removed (each may be NULL) say
 * how many rows came and went.  0, or -1 with err (the table unchanged).
 */
int people_write(sqlite3 *db, const struct psk_table *keys, int64_t now_ms, int *added,
    int *removed, char *err, size_t errlen);

/* 1 if identity is in the table people, 0 if not, -1 with err on a
 * database error.  One indexed look-up (a statement cached on db). */
int people_present(sqlite3 *db, const char *identity, char *err, size_t errlen);

#endif
