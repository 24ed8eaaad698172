/*
 * dbpool: the console's database handles, one per server thread.
 *
 * Each handle is its own SQLite connection to gascounty's file, opened
 * through store_open (WAL, synchronous=FULL, busy_timeout), so pages read
 * in parallel: a WAL reader never waits for another reader nor for a
 * writer.  Writes stay what they were with one handle: every one is its own
 * transaction (BEGIN IMMEDIATE, or one autocommit INSERT for an audit row),
 * committed on the handle that made it before the page answers; two
 * handles that write at once queue on SQLite's write lock (busy_timeout),
 * as gascounty and gasweb always have.  A page that reads several
 * statements takes its handle with a snapshot (a deferred read transaction
 * held until the handle is given back), so it sees every step of a case or
 * none of it.
 *
 * The pool is sized to the server's threads: libmicrohttpd runs at most
 * that many handlers at once, so a take waits only if a handler forgot to
 * give one back (never, but then it waits rather than share a handle).
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "util.h"
#include "web.h"

int
web_pool_open(struct web *web, const char *path, size_t count, char *err, size_t errlen)
{
	struct web_pool *p = &web->pool;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->handles = calloc(count, sizeof(*p->handles));
	p->busy = calloc(count, sizeof(*p->busy));
	if (p->handles == NULL || p->busy == NULL) {
		free(p->handles);
		free(p->busy);
		return err_set(err, errlen, "out of memory");
	}
	for (i = 0; i < count; i++) {
		/* the first open checks the file (quick_check) and would migrate
		 * it; the others open what it has checked */
		if (store_open(path, schema_county, i == 0 ? 0 : STORE_NO_CHECK, &p->handles[i].db,
		        err, errlen) == -1) {
			p->count = i;
			web_pool_close(web);
			return -1;
		}
		p->handles[i].config = &web->county;
		p->count = i + 1;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->freed, NULL);
	p->ready = 1;
	return 0;
}

void
web_pool_close(struct web *web)
{
	struct web_pool *p = &web->pool;
	size_t i;

	for (i = 0; i < p->count; i++)
		store_close(p->handles[i].db);
	if (p->ready) {
		log_info("database: at most %zu of %zu handles in use at once", p->most, p->count);
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->freed);
	}
	free(p->handles);
	free(p->busy);
	memset(p, 0, sizeof(*p));
}

struct county_db *
web_db_take(struct web *web, int snapshot)
{
	struct web_pool *p = &web->pool;
	struct county_db *c = NULL;
	size_t i, in_use;
	char err[256];

	pthread_mutex_lock(&p->lock);
	while (p->in_use == p->count)
		pthread_cond_wait(&p->freed, &p->lock);
	for (i = 0; i < p->count && c == NULL; i++)
		if (!p->busy[i]) {
			p->busy[i] = 1;
			c = &p->handles[i];
		}
	in_use = ++p->in_use;
	if (in_use > p->most)
		p->most = in_use;
	pthread_mutex_unlock(&p->lock);
	log_debug("database: handle taken, %zu of %zu in use", in_use, p->count);
	/* a deferred BEGIN: the snapshot is the first read's, kept to the give */
	if (snapshot && store_exec(c->db, "BEGIN", err, sizeof(err)) == -1)
		log_warnx("database: no read snapshot (%s); the page reads without one", err);
	return c;
}

void
web_db_give(struct web *web, struct county_db *c)
{
	struct web_pool *p = &web->pool;
	size_t i = (size_t)(c - p->handles);

	/* never back with a transaction open: a snapshot ends here, and a
	 * writer's transaction is already committed or rolled back */
	if (!sqlite3_get_autocommit(c->db))
		store_rollback(c->db);
	pthread_mutex_lock(&p->lock);
	p->busy[i] = 0;
	p->in_use--;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}
