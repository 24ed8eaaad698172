/*
 * gw: the station daemon's shared state, as main.c assembles it: the
 * configuration, the records, the identity keys, the lines and the buses.
 *
 * Threads (docs/fill-line.md):
 *  - per bus, the drivers' poller thread (mb_poller) does the Modbus I/O;
 *  - per bus, one interlock thread (bus.c) steps the state machine of every
 *    line on that bus each time the poller brings a new scale reading (and
 *    at least every 50 ms), and is the only thread that commands its valves
 *    and feeds their watchdogs;
 *  - the control thread (ctl.c, the main thread) serves the control socket
 *    and the barcode scanners and talks to lines only through their mailbox;
 *  - the uplink thread (uplink.c) serves the uplink process, which alone
 *    talks to the county (docs/fill-line.md, "Processes").
 */
#ifndef GAS_GW_H
#define GAS_GW_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>

#include "gwconf.h"
#include "gwident.h"
#include "line.h"
#include "mb.h"
#include "records.h"

struct gw_unit_ref {
	int index; /* mb_poller unit index */
	int present;
};

/* A unit read less often while its line is idle (bus.c, pace_units). */
struct gw_pace {
	int slow_ms;           /* its interval while idle; 0: never slowed (the bus is as slow) */
	int64_t slow_stale_ms; /* a reading taken at the slow pace is good this long */
	int64_t fast_since;    /* full rate since (INT64_MAX: slow); a reading from before may
	                        * be slow_stale_ms old, a later one only stale_ms */
};

struct gw_line_hw {
	struct gw_busrt *bus;
	int scale;                 /* poller unit index of the scale */
	int valve;                 /* poller unit index of the valve unit */
	int filler;                /* the line is one filling controller */
	uint64_t last_seq;         /* scale snapshot seq already stepped */
	int64_t stale_ms;          /* a snapshot older than this is not a reading */
	int idle_paced;            /* the line is idle: its units are on their slow pace */
	struct gw_pace scale_pace; /* the scale's (slow_ms 0 for a filling controller) */
	struct gw_pace valve_pace; /* the valve unit's */
	int watchdog_set;          /* the watchdog timeout has been written */
	int64_t watchdog_retry_ms;
	int watchdog_readable;     /* its profile lets it be read back (not poll = no) */
	double watchdog_tol;       /* a read-back this near watchdog_ms holds it (register step) */
	int64_t watchdog_asked_ms; /* a read-back queued then (0: none pending) */
	int watchdog_wrote;        /* ... right after a write of the timeout */
	uint64_t watchdog_wfail;   /* the unit's failed writes when that write was queued */
	uint64_t
	    watchdog_once_before;  /* the unit's read-onces done when it was queued (once_seq) */
	int64_t watchdog_check_ms; /* the next periodic read-back is due then */
	int64_t watchdog_good_ms;  /* the last read-back that held it was queued then */
	int64_t watchdog_fill_ms;  /* a start asked for a read-back then (watchdog_ask) */
	int watchdog_fill_queued;  /* one was queued since */
	int watchdog_odd;          /* it keeps another value than the one written */
	int64_t watchdog_odd_wait; /* ... so it is written again only after this (ms, doubling) */
};

struct gw_busrt {
	const struct gw_bus *config;
	struct gw *gw;
	struct mb_poller *poller;
	pthread_t thread;
	int running;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int fresh;                   /* the poller has new data */
	uint32_t fresh_lines;        /* bit i: bus->lines[i] has a new reading */
	uint32_t urgent_lines;       /* bit i: its every new weight is stepped at once (not idle) */
	int unit_line[MB_MAX_UNITS]; /* poller unit index -> index in lines[] */
	int unit_is_scale[MB_MAX_UNITS];
	int64_t last_all_ms;      /* last time every line was stepped */
	volatile int64_t loop_ms; /* last pass of the interlock thread (monotonic) */
	struct line *lines[GW_MAX_LINES];
	size_t line_count;
};

struct uplink;

/* The shift of the operator logged in on a line: the control thread's
 * alone (ctlreq.c), indexed like lines[].  A line's operator_cert is set
 * only from here, after the operator's PIN matched. */
struct gw_shift {
	int64_t id;       /* shifts row; 0: nobody logged in */
	int64_t until_ms; /* wall ms: the shift ends by itself */
	char cert[LINE_CERT_SIZE];
};

struct gw {
	struct gw_config *config;
	const char *config_path; /* for a reload (SIGHUP) */
	struct uplink *uplink;   /* NULL: no county configured */
	struct records records;
	struct gwident *ident;
	struct line lines[GW_MAX_LINES];
	struct gw_line_hw hw[GW_MAX_LINES];
	size_t line_count;
	struct gw_shift shifts[GW_MAX_LINES];
	struct gw_busrt buses[GW_MAX_BUSES];
	size_t bus_count;
	volatile sig_atomic_t stop;
	int64_t started_mono_ms;
	/* the control thread's alone (ctl.c, ctlreq.c): the rule thresholds
	 * last put in force, config->rules until a reload makes them
	 * rules_reloaded (each line takes them when next idle); and the
	 * station's clock as last logged (ctl_clock_watch) */
	struct gw_rules rules_reloaded;
	int rules_were_reloaded;
	enum rules_clock clock_logged; /* RULES_CLOCK_OK at start: nothing said */
	int64_t clock_next_ms;         /* monotonic: judge it again from then; 0: at once */
};

/* The line with this number, or NULL. */
struct line *gw_line(struct gw *gw, int number);

/*
 * Buses (bus.c).  gw_buses_open: a poller per bus with every unit of its
 * lines (the profiles gw_config_load loaded and checked), the lines initialised with
 * their io tables; nothing runs yet.  gw_buses_start: start the pollers,
 * command every valve closed, write the watchdog timeouts, then start the
 * interlock threads.  gw_buses_stop: stop the interlock threads, command
 * every valve closed, stop the pollers.
 */
int gw_buses_open(struct gw *gw, char *err, size_t errlen);
int gw_buses_start(struct gw *gw, char *err, size_t errlen);
void gw_buses_stop(struct gw *gw);
/* 1 if every interlock thread has made a pass recently (systemd watchdog). */
int gw_healthy(struct gw *gw, int64_t now);
/* Gross weight of a line's scale now (recovery at start-up); 0 or -1. */
int gw_line_gross(int number, void *gw, double *gross);

#endif
