/*
 * dbpool: a fixed set of connections to the county database (dbpool.h says
 * what holds).
 */
#include <stdlib.h>
#include <string.h>

#include "dbpool.h"
#include "log.h"
#include "store.h"
#include "util.h"

int
county_pool_open(struct county_pool *p, const char *path, size_t count,
    const struct county_config *config, char *err, size_t errlen)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	if (count == 0)
		return err_set(err, errlen, "a pool of no database handles");
	p->handles = calloc(count, sizeof(*p->handles));
	p->busy = calloc(count, sizeof(*p->busy));
	if (p->handles == NULL || p->busy == NULL) {
		county_pool_close(p);
		return err_set(err, errlen, "out of memory");
	}
	for (i = 0; i < count; i++) {
		/* the first open checks the file (quick_check) and would migrate
		 * it; the others open what it has checked */
		if (store_open(path, schema_county, i == 0 ? 0 : STORE_NO_CHECK, &p->handles[i].db,
		        err, errlen) == -1) {
			county_pool_close(p);
			return -1;
		}
		p->handles[i].config = config;
		p->count = i + 1;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->freed, NULL);
	p->ready = 1;
	return 0;
}

void
county_pool_close(struct county_pool *p)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		store_close(p->handles[i].db);
	if (p->ready) {
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->freed);
	}
	free(p->handles);
	free(p->busy);
	memset(p, 0, sizeof(*p));
}

size_t
county_pool_most(struct county_pool *p)
{
	size_t most;

	pthread_mutex_lock(&p->lock);
	most = p->most;
	pthread_mutex_unlock(&p->lock);
	return most;
}

struct county_db *
county_pool_take(struct county_pool *p, int snapshot)
{
	struct county_db *c = NULL;
	size_t i, in_use;
	char err[256];

	pthread_mutex_lock(&p->lock);
	while (p->in_use == p->count)
		pthread_cond_wait(&p->freed, &p->lock);
	for (i = 0; i < p->count && c == NULL; i++)
		if (!p->busy[i]) {
			p->busy[i] = snapshot ? 2 : 1;
			c = &p->handles[i];
		}
	in_use = ++p->in_use;
	if (in_use > p->most)
		p->most = in_use;
	pthread_mutex_unlock(&p->lock);
	log_debug("database: handle taken, %zu of %zu in use", in_use, p->count);
	/* a deferred BEGIN: the snapshot is the first read's, kept to the give;
	 * query_only: a write in it would be rolled back at the give, so it is
	 * refused at once instead (the caller fails, nothing is lost unseen) */
	if (snapshot && store_exec(c->db, "PRAGMA query_only = 1; BEGIN", err, sizeof(err)) == -1)
		log_warnx("database: no read snapshot (%s); the reads go without one", err);
	return c;
}

void
county_pool_give(struct county_pool *p, struct county_db *c)
{
	size_t i = (size_t)(c - p->handles);

	/* never back with a transaction open: a snapshot ends here, and a
	 * writer's transaction is already committed or rolled back */
	if (!sqlite3_get_autocommit(c->db))
		store_rollback(c->db);
	if (p->busy[i] == 2)
		store_exec(c->db, "PRAGMA query_only = 0", NULL, 0);
	pthread_mutex_lock(&p->lock);
	p->busy[i] = 0;
	p->in_use--;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}
