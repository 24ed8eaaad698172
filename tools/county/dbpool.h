/*
 * dbpool: a fixed set of connections to the county database, one per
 * thread that serves requests (gasweb's pages), so that requests read in
 * parallel instead of queueing on one handle under one lock.
 *
 * Each handle is its own SQLite connection opened through store_open (WAL,
 * synchronous=FULL, busy_timeout): a WAL reader waits neither for another
 * reader nor for a writer.  Writes stay what they are with one handle: each
 * is one transaction of the county library (BEGIN IMMEDIATE, or one
 * autocommit INSERT for an audit row) committed on the handle that made it
 * before the caller answers; handles that write at once queue on SQLite's
 * write lock (busy_timeout), as separate processes always have.
 *
 * A caller that reads several statements takes its handle with a snapshot:
 * a deferred read transaction held until the handle is given back, so it
 * sees every write of another handle or process whole or not at all (a
 * case with all of a step, or none of it).  A caller that writes, even one
 * row of a log among its reads, takes its handle without one: a snapshot
 * handle is query_only, so a write through it fails at once (a write inside
 * a read snapshot could neither wait for the lock nor outlive the give).
 *
 * Thread-safe: take and give are under the pool's own lock; a handle is
 * one thread's from take to give.
 */
#ifndef COUNTY_DBPOOL_H
#define COUNTY_DBPOOL_H

#include <pthread.h>
#include <stddef.h>

#include "countyconf.h"
#include "db.h"

struct county_pool {
	struct county_db *handles;  /* count connections to one database */
	int *busy;                  /* handles[i] is a caller's */
	size_t count, in_use, most; /* most: the most in use at once since open */
	pthread_mutex_t lock;
	pthread_cond_t freed;
	int ready;
};

/* Open count (>= 1) handles on the county database at path, each with
 * config.  The first open is store_open's whole (quick_check, migrations);
 * the others open what it checked.  0, or -1 with err and nothing open. */
int county_pool_open(struct county_pool *p, const char *path, size_t count,
    const struct county_config *config, char *err, size_t errlen);
/* Close every handle (none may be taken). */
void county_pool_close(struct county_pool *p);
/* The most handles that were taken at once since open. */
size_t county_pool_most(struct county_pool *p);

/* A handle of the caller's own until county_pool_give (waits while all are
 * taken).  snapshot: every read through it until the give sees one state
 * of the database (only for callers that do not write). */
struct county_db *county_pool_take(struct county_pool *p, int snapshot);
/* Give a handle back; a transaction still open on it (the snapshot) ends. */
void county_pool_give(struct county_pool *p, struct county_db *c);

#endif
