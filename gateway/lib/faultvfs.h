/*
 * faultvfs: a fault-injection seam for SQLite, for tests only.
 *
 * When the environment variable GAS_TEST_FAULT is set, store_open() installs
 * a VFS that wraps the default one and counts every write and sync of every
 * database file (main, WAL, journal) of the process.  At the N-th such
 * operation it does what the variable says:
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
 * It is never active unless GAS_TEST_FAULT is set; production runs do not
 * set it.  Used by tests/integration/t_store_faults.sh and t_fill_disk.sh.
 */
#ifndef GAS_FAULTVFS_H
#define GAS_FAULTVFS_H

/* Install the VFS as the default if GAS_TEST_FAULT is set (once per process).
 * Returns 0 (also when unset), -1 if the variable is malformed. */
int faultvfs_install_from_env(void);

#endif
