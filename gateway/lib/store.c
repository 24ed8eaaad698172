/*
 * store: opening, checking and migrating SQLite databases, and the small
 * transaction helpers every writer uses.
 *
 * Why these settings (docs/design.md §6):
 *  - WAL + synchronous=FULL: a commit that returned survives power loss
 *    (NORMAL may lose the last commits).
 *  - BEGIN IMMEDIATE: a deferred transaction that later needs to write can
 *    fail with SQLITE_BUSY despite busy_timeout.
 *  - quick_check at open: a damaged file is refused loudly instead of being
 *    used (or, worse, replaced by an empty one).
 *  - journal_size_limit: long readers starve checkpoints; keep the WAL bounded.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "util.h"

#define STORE_BUSY_TIMEOUT_MS 5000

int
store_latest_version(const struct store_migration *migrations)
{
	int latest = 0;

	for (const struct store_migration *m = migrations; m->version != 0; m++)
		if (m->version > latest)
			latest = m->version;
	return latest;
}

int
store_outbox_renumber(sqlite3 *db, int64_t mark, size_t *n, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int64_t *seqs = NULL;
	size_t cap = 0, i;
	int rc = -1, step;

	*n = 0;
	/* the seqs, oldest first, read before the table changes */
	if (store_prepare(db, "SELECT seq FROM outbox ORDER BY seq", &st, err, errlen) == -1)
		return -1;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			int64_t *more;

			cap = cap == 0 ? 256 : cap * 2;
			if ((more = realloc(seqs, cap * sizeof(*seqs))) == NULL) {
				err_set(err, errlen, "out of memory");
				goto out;
			}
			seqs = more;
		}
		seqs[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (step != SQLITE_DONE) {
		err_set(err, errlen, "outbox: %s", sqlite3_errmsg(db));
		goto out;
	}
	/* out of the way first (seqs are 1 or more), then each to its new
	 * seq: no move meets a seq in use */
	if (store_exec(db, "UPDATE outbox SET seq = -seq", err, errlen) == -1 ||
	    store_prepare(db, "UPDATE outbox SET seq = ?2 WHERE seq = ?1", &st, err, errlen) == -1)
		goto out;
	for (i = 0; i < *n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, -seqs[i]);
		sqlite3_bind_int64(st, 2, mark + 1 + (int64_t)i);
		if (sqlite3_step(st) != SQLITE_DONE) {
			err_set(err, errlen, "outbox renumber: %s", sqlite3_errmsg(db));
			goto out;
		}
	}
	rc = 0;
out:
	free(seqs);
	sqlite3_finalize(st);
	if (rc == -1)
		*n = 0;
	return rc;
}

int64_t
store_query_int(sqlite3 *db, const char *sql, int64_t default_value)
{
	sqlite3_stmt *stmt = NULL;
	int64_t value = default_value;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return default_value;
	if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		value = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return value;
}

int
store_user_version(sqlite3 *db)
{
	return (int)store_query_int(db, "PRAGMA user_version", -1);
}

int
store_cache_kb(sqlite3 *db, int kb, char *err, size_t errlen)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", kb > 0 ? kb : 1);
	if (store_exec(db, sql, err, errlen) == -1)
		return -1;
	sqlite3_db_release_memory(db);
	return 0;
}

int
store_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(err, errlen, "%s", msg != NULL ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
store_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, char *err, size_t errlen)
{
	if (sqlite3_prepare_v2(db, sql, -1, stmt, NULL) != SQLITE_OK) {
		*stmt = NULL;
		return err_set(err, errlen, "prepare: %s", sqlite3_errmsg(db));
	}
	return 0;
}

/*
 * The statement caches (store_cached): one per connection that asked for
 * one, found by the connection's handle.  A county trace prepared its
 * statements anew for every request, a union of three planned queries, a
 * fixed cost paid again for every answer; kept, a statement is only reset
 * and bound.  SQLite 3.40 keeps no data of ours on a connection
 * (sqlite3_set_clientdata came in 3.44), so the caches are a list under a
 * lock.  A connection is used by one thread at a time (opened
 * SQLITE_OPEN_NOMUTEX), so its own cache's slots need no lock: only
 * finding, adding and removing a cache takes it.
 */
struct cached_statement {
	sqlite3_stmt *stmt; /* NULL: a free slot */
	char *sql;          /* the key, a copy of the text */
	uint32_t hash;
	int in_use;         /* handed out and not yet given back */
	uint64_t last_used; /* the cache's clock when it was last handed out */
};

struct statement_cache {
	sqlite3 *db;
	struct statement_cache *next;
	uint64_t clock;
	struct cached_statement slots[STORE_CACHE_STATEMENTS];
};

static pthread_mutex_t caches_lock = PTHREAD_MUTEX_INITIALIZER;
static struct statement_cache *caches;

/* The cache of db (made if create and there is none), or NULL. */
static struct statement_cache *
cache_of(sqlite3 *db, int create)
{
	struct statement_cache *cache;

	pthread_mutex_lock(&caches_lock);
	for (cache = caches; cache != NULL; cache = cache->next)
		if (cache->db == db)
			break;
	if (cache == NULL && create && (cache = calloc(1, sizeof(*cache))) != NULL) {
		cache->db = db;
		cache->next = caches;
		caches = cache;
	}
	pthread_mutex_unlock(&caches_lock);
	return cache;
}

/* FNV-1a: only to skip most string comparisons. */
static uint32_t
text_hash(const char *text)
{
	uint32_t hash = 2166136261u;

	for (; *text != '\0'; text++)
		hash = (hash ^ (uint8_t)*text) * 16777619u;
	return hash;
}

int
store_cached(sqlite3 *db, const char *sql, sqlite3_stmt **stmt, char *err, size_t errlen)
{
	struct statement_cache *cache;
	struct cached_statement *slot, *victim = NULL;
	uint32_t hash = text_hash(sql);
	sqlite3_stmt *fresh = NULL;
	char *key;
	size_t i;

	*stmt = NULL;
	if ((cache = cache_of(db, 1)) == NULL)
		return err_set(err, errlen, "prepare: out of memory");
	for (i = 0; i < STORE_CACHE_STATEMENTS; i++) {
		slot = &cache->slots[i];
		if (slot->stmt == NULL) {
			if (victim == NULL || victim->stmt != NULL)
				victim = slot;
			continue;
		}
		if (slot->hash == hash && strcmp(slot->sql, sql) == 0) {
			if (slot->in_use) /* a nested use: a statement of its own */
				return store_prepare(db, sql, stmt, err, errlen);
			slot->in_use = 1;
			slot->last_used = ++cache->clock;
			*stmt = slot->stmt;
			return 0;
		}
		/* the least recently used one that is not handed out */
		if (!slot->in_use && (victim == NULL || (victim->stmt != NULL &&
		                                            slot->last_used < victim->last_used)))
			victim = slot;
	}
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &fresh, NULL) != SQLITE_OK) {
		sqlite3_finalize(fresh);
		return err_set(err, errlen, "prepare: %s", sqlite3_errmsg(db));
	}
	/* every slot handed out, or no memory for the key: this use alone */
	if (victim == NULL || (key = strdup(sql)) == NULL) {
		*stmt = fresh;
		return 0;
	}
	if (victim->stmt != NULL) {
		sqlite3_finalize(victim->stmt);
		free(victim->sql);
	}
	*victim = (struct cached_statement){ fresh, key, hash, 1, ++cache->clock };
	*stmt = fresh;
	return 0;
}

void
store_release(sqlite3_stmt *stmt)
{
	struct statement_cache *cache;
	size_t i;

	if (stmt == NULL)
		return;
	if ((cache = cache_of(sqlite3_db_handle(stmt), 0)) != NULL)
		for (i = 0; i < STORE_CACHE_STATEMENTS; i++)
			if (cache->slots[i].stmt == stmt) {
				/* ends its read (or write) and drops the caller's pointers */
				sqlite3_reset(stmt);
				sqlite3_clear_bindings(stmt);
				cache->slots[i].in_use = 0;
				return;
			}
	sqlite3_finalize(stmt);
}

/* Take db's cache off the list and finalize what it holds. */
static void
cache_drop(sqlite3 *db)
{
	struct statement_cache **at, *cache = NULL;
	size_t i;

	pthread_mutex_lock(&caches_lock);
	for (at = &caches; *at != NULL; at = &(*at)->next)
		if ((*at)->db == db) {
			cache = *at;
			*at = cache->next;
			break;
		}
	pthread_mutex_unlock(&caches_lock);
	if (cache == NULL)
		return;
	for (i = 0; i < STORE_CACHE_STATEMENTS; i++) {
		sqlite3_finalize(cache->slots[i].stmt);
		free(cache->slots[i].sql);
	}
	free(cache);
}

int
store_begin(sqlite3 *db, char *err, size_t errlen)
{
	return store_exec(db, "BEGIN IMMEDIATE", err, errlen);
}

int
store_commit(sqlite3 *db, char *err, size_t errlen)
{
	return store_commit_code(db, NULL, err, errlen);
}

int
store_commit_code(sqlite3 *db, int *code, char *err, size_t errlen)
{
	if (store_exec(db, "COMMIT", err, errlen) == -1) {
		if (code != NULL)
			*code = sqlite3_extended_errcode(db);
		/* A failed COMMIT (disk full, I/O error) may leave the
		 * transaction open; roll it back so the next writer starts clean. */
		store_rollback(db);
		return -1;
	}
	return 0;
}

void
store_rollback(sqlite3 *db)
{
	if (!sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

void
store_close(sqlite3 *db)
{
	if (db == NULL)
		return;
	cache_drop(db);
	sqlite3_close_v2(db);
}

void
store_column_copy(sqlite3_stmt *stmt, int column, char *out, size_t outlen)
{
	const unsigned char *text = sqlite3_column_text(stmt, column);

	str_copy(out, text != NULL ? (const char *)text : "", outlen);
}

enum store_disk
store_disk_problem(int code)
{
	/* an extended code keeps its primary code in the low byte */
	switch (code & 0xff) {
	case SQLITE_FULL:
		return STORE_DISK_FULL;
	case SQLITE_IOERR:
		return STORE_DISK_IOERR;
	default:
		return STORE_DISK_OTHER;
	}
}

void
store_uuid(char out[37])
{
	uint8_t b[16];
	char hex[33];

	if (RAND_bytes(b, sizeof(b)) != 1) {
		/* /dev/urandom as a fallback; a uuid must never repeat. */
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (fd == -1 || read(fd, b, sizeof(b)) != (ssize_t)sizeof(b))
			memset(b, 0, sizeof(b));
		if (fd != -1)
			close(fd);
	}
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	hex_encode(b, sizeof(b), hex);
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

/*
 * The databases hold buyers' masked numbers and addresses: no other local
 * user may read them.  SQLite creates a database with 0644 less the umask
 * and gives its -wal, -shm and -journal files the database's own mode, so
 * the mode is settled on the database file before SQLite opens it: a new
 * one is created 0600 whatever the umask, and an existing one (or a stale
 * companion file) that others may read, or the group write, loses those
 * bits (at most 0640: an operator's group may be given read access).
 * Files another user owns are left alone (chmod would fail anyway).
 */
static int
store_restrict_mode(const char *path, char *err, size_t errlen)
{
	static const char *const companions[] = { "", "-wal", "-shm", "-journal" };
	char name[4096];
	struct stat st;
	size_t i;
	int fd;

	if (path[0] == '\0' || strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd != -1) {
		/* the umask may have taken bits we want: set them exactly */
		if (fchmod(fd, STORE_FILE_MODE) == -1) {
			err_set(err, errlen, "%s: chmod: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);
	} else if (errno != EEXIST) {
		return err_set(err, errlen, "%s: cannot create: %s", path, strerror(errno));
	}
	for (i = 0; i < sizeof(companions) / sizeof(companions[0]); i++) {
		if ((size_t)snprintf(name, sizeof(name), "%s%s", path, companions[i]) >=
		    sizeof(name))
			return err_set(err, errlen, "%s: path too long", path);
		if (stat(name, &st) == -1 || !S_ISREG(st.st_mode) || st.st_uid != geteuid())
			continue;
		if ((st.st_mode & 07777 & ~(mode_t)STORE_FILE_MODE_MAX) == 0)
			continue;
		if (chmod(name, st.st_mode & STORE_FILE_MODE_MAX) == -1)
			return err_set(err, errlen, "%s: chmod: %s", name, strerror(errno));
	}
	return 0;
}

/* quick_check answers "ok" or a list of problems; refuse anything else. */
static int
store_check(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *stmt = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return err_set(err, errlen, "%s: not a usable database (%s); refusing to use it",
		    path, sqlite3_errmsg(db));
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		err_set(err, errlen, "%s: database check failed (%s); refusing to use it", path,
		    sqlite3_errmsg(db));
		sqlite3_finalize(stmt);
		return -1;
	}
	if (strcmp((const char *)sqlite3_column_text(stmt, 0), "ok") != 0) {
		err_set(err, errlen,
		    "%s: database is corrupt (quick_check: %s); refusing to use it", path,
		    (const char *)sqlite3_column_text(stmt, 0));
		sqlite3_finalize(stmt);
		return -1;
	}
	sqlite3_finalize(stmt);
	return 0;
}

static int
store_migrate(sqlite3 *db, const char *path, const struct store_migration *migrations, char *err,
    size_t errlen)
{
	char msg[512];
	int current, latest = store_latest_version(migrations);

	if (store_begin(db, msg, sizeof(msg)) == -1)
		return err_set(err, errlen, "%s: %s", path, msg);
	/* Read the version inside the write transaction: two processes
	 * opening one new file must not both run the migrations. */
	current = store_user_version(db);
	if (current < 0) {
		store_rollback(db);
		return err_set(err, errlen, "%s: cannot read user_version: %s", path,
		    sqlite3_errmsg(db));
	}
	if (current > latest) {
		store_rollback(db);
		return err_set(err, errlen,
		    "%s: database schema version %d is newer than this program's %d; "
		    "refusing to use it (upgrade the program)",
		    path, current, latest);
	}
	for (const struct store_migration *m = migrations; m->version != 0; m++) {
		char pragma[64];

		if (m->version <= current)
			continue;
		if (store_exec(db, m->sql, msg, sizeof(msg)) == -1) {
			store_rollback(db);
			return err_set(err, errlen, "%s: migration %s failed: %s", path, m->name,
			    msg);
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", m->version);
		if (store_exec(db, pragma, msg, sizeof(msg)) == -1) {
			store_rollback(db);
			return err_set(err, errlen, "%s: %s", path, msg);
		}
	}
	if (store_commit(db, msg, sizeof(msg)) == -1)
		return err_set(err, errlen, "%s: migration commit failed: %s", path, msg);
	return 0;
}

int
store_open(const char *path, const struct store_migration *migrations, int flags, sqlite3 **out,
    char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	char msg[256];
	int open_flags, rc;
	struct stat st;

	*out = NULL;
	if (flags & STORE_READONLY)
		open_flags = SQLITE_OPEN_READONLY;
	else
		open_flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	open_flags |= SQLITE_OPEN_NOMUTEX;

	/* An existing empty file is a new database; a non-empty one must
	 * already be SQLite, which quick_check below establishes. */
	if (stat(path, &st) == -1 && (flags & STORE_READONLY))
		return err_set(err, errlen, "%s: %s", path, strerror(errno));

	if (!(flags & STORE_READONLY) && store_restrict_mode(path, err, errlen) == -1)
		return -1;
	rc = sqlite3_open_v2(path, &db, open_flags, NULL);
	if (rc != SQLITE_OK) {
		err_set(err, errlen, "%s: cannot open: %s", path,
		    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close_v2(db);
		return -1;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);

	if (!(flags & STORE_NO_CHECK) && store_check(db, path, err, errlen) == -1)
		goto fail;
	if (store_exec(db,
	        "PRAGMA foreign_keys = ON;"
	        "PRAGMA synchronous = FULL;"
	        "PRAGMA journal_size_limit = 67108864;",
	        msg, sizeof(msg)) == -1) {
		err_set(err, errlen, "%s: %s", path, msg);
		goto fail;
	}
	if (!(flags & STORE_READONLY)) {
		sqlite3_stmt *stmt = NULL;
		const char *mode = "";

		/* journal_mode answers the mode now in force: check it took. */
		if (store_prepare(db, "PRAGMA journal_mode = WAL", &stmt, msg, sizeof(msg)) == -1) {
			err_set(err, errlen, "%s: %s", path, msg);
			goto fail;
		}
		if (sqlite3_step(stmt) == SQLITE_ROW)
			mode = (const char *)sqlite3_column_text(stmt, 0);
		if (strcmp(mode, "wal") != 0) {
			err_set(err, errlen, "%s: cannot switch to WAL mode (%s)", path,
			    sqlite3_errmsg(db));
			sqlite3_finalize(stmt);
			goto fail;
		}
		sqlite3_finalize(stmt);
		if (migrations != NULL && store_migrate(db, path, migrations, err, errlen) == -1)
			goto fail;
	} else if (migrations != NULL) {
		int current = store_user_version(db), latest = store_latest_version(migrations);

		if (current != latest) {
			err_set(err, errlen,
			    "%s: database schema version %d, this program expects %d", path,
			    current, latest);
			goto fail;
		}
	}
	*out = db;
	return 0;
fail:
	sqlite3_close_v2(db);
	return -1;
}
