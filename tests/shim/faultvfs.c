/*
 * faultvfs: a fault-injection seam for SQLite, for tests only.  It is not
 * part of any shipped program: it is built as build/tests/faultvfs.so and a
 * test loads it into a real program with LD_PRELOAD, beside GAS_TEST_FAULT:
 *
 *   LD_PRELOAD=$BUILD/tests/faultvfs.so GAS_TEST_FAULT=ioerr:12 $BUILD/gasgw ...
 *
 * At load (a constructor, before main) it registers, as the default, a VFS
 * that wraps SQLite's own and counts every write and sync of every database
 * file (main, WAL, journal) of the process.  At the N-th such operation it
 * does what the variable says:
 *
 *   count            nothing; at exit prints "faultvfs: N operations" to stderr
 *   trace            count, and print "faultvfs: operation N: write|sync" to
 *                    stderr as each happens: in a daemon's log, between its
 *                    own lines, it shows which N falls where in a transaction
 *   crash:N          _exit(86) before operation N (a process crash: what was
 *                    written stays in the page cache and reaches the disk)
 *   powerloss:N      undo every write not yet synced, then _exit(87) (a power
 *                    cut: only what was fsynced survives)
 *   full:N           operation N and every later write fail with SQLITE_FULL
 *   ioerr:N          operation N and every later write or sync fail with an
 *                    I/O error
 *
 * GAS_TEST_FAULT unset or empty: the shim does nothing.  Malformed: it says
 * so and the process exits 2 before main.  The program must use the shared
 * libsqlite3 (every gasgw binary does), so that the VFS is registered in
 * the same library the program opens its databases with.
 *
 * Power loss is modelled pessimistically: every byte written since the
 * file's last successful sync is lost.  To undo, each write first saves the
 * bytes it overwrites (and the file size) in an undo log; a sync empties the
 * file's log; a power cut replays all logs backwards and exits.
 *
 * Used by tests/integration/t_store_faults.sh and t_fill_disk.sh.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

enum fault_mode {
	FAULT_NONE,
	FAULT_COUNT,
	FAULT_TRACE,
	FAULT_CRASH,
	FAULT_POWERLOSS,
	FAULT_FULL,
	FAULT_IOERR
};

struct undo_entry {
	struct undo_entry *next;
	sqlite3_int64 offset;
	sqlite3_int64 size_before; /* file size before this write */
	int length;                /* bytes of old data saved (may be < write) */
	unsigned char data[];
};

struct fault_file {
	sqlite3_file base;  /* our methods */
	sqlite3_file *real; /* the wrapped file (allocated after us) */
	struct fault_file *next_open;
	struct undo_entry *undo; /* newest first */
};

static sqlite3_vfs fault_vfs;
static sqlite3_vfs *real_vfs;
static enum fault_mode mode;
static long fault_at;
static long operations;
static struct fault_file *open_files;
static pthread_mutex_t fault_lock = PTHREAD_MUTEX_INITIALIZER;

static void
undo_clear(struct fault_file *f)
{
	while (f->undo != NULL) {
		struct undo_entry *e = f->undo;
		f->undo = e->next;
		free(e);
	}
}

/* The power cut: restore every unsynced byte, newest first, then die. */
static void
power_cut(void)
{
	for (struct fault_file *f = open_files; f != NULL; f = f->next_open) {
		for (struct undo_entry *e = f->undo; e != NULL; e = e->next) {
			if (e->length > 0)
				f->real->pMethods->xWrite(f->real, e->data, e->length, e->offset);
			f->real->pMethods->xTruncate(f->real, e->size_before);
		}
	}
	_exit(87);
}

/* Count one operation; returns the SQLite error to fail it with, or 0. */
static int
fault_step(int is_sync)
{
	long n;

	pthread_mutex_lock(&fault_lock);
	n = ++operations;
	pthread_mutex_unlock(&fault_lock);
	if (mode == FAULT_TRACE)
		fprintf(stderr, "faultvfs: operation %ld: %s\n", n, is_sync ? "sync" : "write");
	if (mode == FAULT_COUNT || mode == FAULT_TRACE || n < fault_at)
		return 0;
	switch (mode) {
	case FAULT_CRASH:
		_exit(86);
	case FAULT_POWERLOSS:
		power_cut();
		break;
	case FAULT_FULL:
		return is_sync ? 0 : SQLITE_FULL;
	case FAULT_IOERR:
		return is_sync ? SQLITE_IOERR_FSYNC : SQLITE_IOERR_WRITE;
	default:
		break;
	}
	return 0;
}

static int
f_close(sqlite3_file *file)
{
	struct fault_file *f = (struct fault_file *)file;
	int rc = f->real->pMethods != NULL ? f->real->pMethods->xClose(f->real) : SQLITE_OK;

	pthread_mutex_lock(&fault_lock);
	for (struct fault_file **p = &open_files; *p != NULL; p = &(*p)->next_open) {
		if (*p == f) {
			*p = f->next_open;
			break;
		}
	}
	pthread_mutex_unlock(&fault_lock);
	/* Closing does not sync: unsynced writes of a closed file would be
	 * lost in a power cut too, but the file is gone from our list.  SQLite
	 * syncs before it closes a database it wrote, so this is rare. */
	undo_clear(f);
	return rc;
}

static int
f_read(sqlite3_file *file, void *buf, int amount, sqlite3_int64 offset)
{
	struct fault_file *f = (struct fault_file *)file;
	return f->real->pMethods->xRead(f->real, buf, amount, offset);
}

static int
f_write(sqlite3_file *file, const void *buf, int amount, sqlite3_int64 offset)
{
	struct fault_file *f = (struct fault_file *)file;
	int rc = fault_step(0);

	if (rc != 0)
		return rc;
	if (mode == FAULT_POWERLOSS) {
		struct undo_entry *e = malloc(sizeof(*e) + (size_t)amount);
		sqlite3_int64 size = 0;

		if (e == NULL)
			return SQLITE_NOMEM;
		f->real->pMethods->xFileSize(f->real, &size);
		e->offset = offset;
		e->size_before = size;
		e->length = 0;
		if (offset < size) {
			int old = (int)(size - offset < amount ? size - offset : amount);
			if (f->real->pMethods->xRead(f->real, e->data, old, offset) == SQLITE_OK)
				e->length = old;
		}
		e->next = f->undo;
		f->undo = e;
	}
	return f->real->pMethods->xWrite(f->real, buf, amount, offset);
}

static int
f_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct fault_file *f = (struct fault_file *)file;
	return f->real->pMethods->xTruncate(f->real, size);
}

static int
f_sync(sqlite3_file *file, int flags)
{
	struct fault_file *f = (struct fault_file *)file;
	int rc = fault_step(1);

	if (rc != 0)
		return rc;
	rc = f->real->pMethods->xSync(f->real, flags);
	if (rc == SQLITE_OK)
		undo_clear(f);
	return rc;
}

static int
f_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	struct fault_file *f = (struct fault_file *)file;
	return f->real->pMethods->xFileSize(f->real, size);
}

static int
f_lock(sqlite3_file *file, int level)
{
	struct fault_file *f = (struct fault_file *)file;
	return f->real->pMethods->xLock(f->real, level);
}

static int
f_unlock(sqlite3_file *file, int level)
{
	struct fault_file *f = (struct fault_file *)file;
	return f->real->pMethods->xUnlock(f->real, level);
}

static int
f_check_reserved(sqlite3_file *file, int *out)
{
	struct fault_file *f = (struct fault_file *)file;
	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int
f_file_control(sqlite3_file *file, int op, void *arg)
{
	struct fault_file *f = (struct fault_file *)file;
	return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int
f_sector_size(sqlite3_file *file)
{
	struct fault_file *f = (struct fault_file *)file;
	return f->real->pMethods->xSectorSize(f->real);
}

static int
f_device_characteristics(sqlite3_file *file)
{
	struct fault_file *f = (struct fault_file *)file;
	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int
f_shm_map(sqlite3_file *file, int page, int size, int extend, void volatile **out)
{
	struct fault_file *f = (struct fault_file *)file;
	return f->real->pMethods->xShmMap(f->real, page, size, extend, out);
}

static int
f_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	struct fault_file *f = (struct fault_file *)file;
	return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void
f_shm_barrier(sqlite3_file *file)
{
	struct fault_file *f = (struct fault_file *)file;
	f->real->pMethods->xShmBarrier(f->real);
}

static int
f_shm_unmap(sqlite3_file *file, int delete_flag)
{
	struct fault_file *f = (struct fault_file *)file;
	return f->real->pMethods->xShmUnmap(f->real, delete_flag);
}

/* Version 2 methods only: no memory-mapped I/O, so every write comes through us. */
static const sqlite3_io_methods fault_methods = {
	2,
	f_close,
	f_read,
	f_write,
	f_truncate,
	f_sync,
	f_file_size,
	f_lock,
	f_unlock,
	f_check_reserved,
	f_file_control,
	f_sector_size,
	f_device_characteristics,
	f_shm_map,
	f_shm_lock,
	f_shm_barrier,
	f_shm_unmap,
	NULL,
	NULL,
};

static int
v_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *out_flags)
{
	struct fault_file *f = (struct fault_file *)file;
	int rc;

	(void)vfs;
	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)(f + 1);
	rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK || f->real->pMethods == NULL) {
		f->base.pMethods = NULL;
		return rc;
	}
	f->base.pMethods = &fault_methods;
	pthread_mutex_lock(&fault_lock);
	f->next_open = open_files;
	open_files = f;
	pthread_mutex_unlock(&fault_lock);
	return SQLITE_OK;
}

static int
v_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int
v_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int
v_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static int
v_randomness(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int
v_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return real_vfs->xSleep(real_vfs, us);
}

static int
v_current_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return real_vfs->xCurrentTime(real_vfs, out);
}

static int
v_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static int
v_last_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xGetLastError(real_vfs, n, out);
}

static void
report_count(void)
{
	fprintf(stderr, "faultvfs: %ld operations\n", operations);
}

/* Before main: install the VFS if GAS_TEST_FAULT asks for one. */
__attribute__((constructor)) static void
faultvfs_load(void)
{
	const char *spec = getenv("GAS_TEST_FAULT");
	char word[16];
	long n = 0;

	if (spec == NULL || spec[0] == '\0')
		return;
	if (strcmp(spec, "count") == 0 || strcmp(spec, "trace") == 0) {
		mode = spec[0] == 'c' ? FAULT_COUNT : FAULT_TRACE;
		atexit(report_count);
	} else if (sscanf(spec, "%15[a-z]:%ld", word, &n) == 2 && n > 0) {
		if (strcmp(word, "crash") == 0)
			mode = FAULT_CRASH;
		else if (strcmp(word, "powerloss") == 0)
			mode = FAULT_POWERLOSS;
		else if (strcmp(word, "full") == 0)
			mode = FAULT_FULL;
		else if (strcmp(word, "ioerr") == 0)
			mode = FAULT_IOERR;
		fault_at = n;
	}
	if (mode == FAULT_NONE) {
		fprintf(stderr,
		    "faultvfs: GAS_TEST_FAULT=%s: expected count, trace, crash:N, powerloss:N, "
		    "full:N or ioerr:N (N >= 1)\n",
		    spec);
		_exit(2);
	}
	real_vfs = sqlite3_vfs_find(NULL);
	if (real_vfs == NULL) {
		fprintf(stderr, "faultvfs: SQLite has no default VFS to wrap\n");
		_exit(2);
	}
	fault_vfs.iVersion = 2;
	fault_vfs.szOsFile = (int)sizeof(struct fault_file) + real_vfs->szOsFile;
	fault_vfs.mxPathname = real_vfs->mxPathname;
	fault_vfs.zName = "gas-fault";
	fault_vfs.xOpen = v_open;
	fault_vfs.xDelete = v_delete;
	fault_vfs.xAccess = v_access;
	fault_vfs.xFullPathname = v_full_pathname;
	fault_vfs.xRandomness = v_randomness;
	fault_vfs.xSleep = v_sleep;
	fault_vfs.xCurrentTime = v_current_time;
	fault_vfs.xGetLastError = v_last_error;
	fault_vfs.xCurrentTimeInt64 = v_current_time_int64;
	if (sqlite3_vfs_register(&fault_vfs, 1) != SQLITE_OK) {
		fprintf(stderr, "faultvfs: SQLite refused the VFS\n");
		_exit(2);
	}
}
