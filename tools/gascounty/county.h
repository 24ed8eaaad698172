/*
 * gascounty internals: the configuration table and the CoAP server.
 *
 * The county's shared logic lives in the county library (tools/county:
 * the database side in db.h, who may see or change what in access.h);
 * server.c never writes SQL and never decides a role itself.
 */
#ifndef GASCOUNTY_H
#define GASCOUNTY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sqlite3.h>

#include "conf.h"
#include "db.h"
#include "log.h"
#include "psk.h"
#include "wire.h"

/* The log level config asks for, or more detail when -v was given
 * verbose times (the command line wins). */
enum log_level county_log_level(const struct county_config *config, int verbose);

struct catalogue;

/*
 * Warn (log_warnx) where the county's two lists of townships disagree: a
 * township its files name (the map, the village list: catalogue_township)
 * with no identity township:CODE, an identity township:CODE they do not
 * name (when they name any), and a person (officer, grid, delivery) of a
 * township in neither.  Each is a place a case can go where one side
 * cannot follow: gaswatch's reassignment asks the identities, the
 * console's and a report's routing the files.  Returns how many were said
 * (at -n, at start and at each reload).
 */
size_t county_townships_check(const struct catalogue *cat, const struct psk_table *keys,
    const char *identities);

/* Warn (log_warnx) of each row of the deadlines file (named deadlines) whose kind is
 * neither "*", a rule code nor a report kind of the catalogue: a typo whose row never
 * applies.  Returns how many (at -n, at start and at each reload). */
size_t county_deadlines_check(const struct catalogue *cat, const char *deadlines);

/* ---- server.c ------------------------------------------------------------- */

/*
 * Run the CoAP/DTLS server until SIGTERM/SIGINT.  config is copied;
 * config_path (NULL: built-in defaults) is read again on SIGHUP together
 * with the identities file, and put in force whole or not at all (its
 * CONF_RESTART keys excepted, each named); verbose is -v's count.
 * Returns the exit status.
 */
int county_serve(const struct county_config *config, const char *config_path, int verbose,
    sqlite3 *db);

/* Print the resource table (each resource's query, body and answer, then
 * who may call it, how far, and whether it is audited) as Markdown, as
 * docs/protocol.md carries it. */
void county_resources_markdown(FILE *f);

#endif
