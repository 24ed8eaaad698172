/*
 * line: one fill line's state machine (docs/fill-line.md):
 *
 *   idle → identified → checked → armed → filling → cutoff → settling →
 *   check-weighed → recorded → idle, with refused, interrupted, emergency.
 *
 * A line talks to its hardware only through struct line_io (a function
 * table: read the scale, command the valve, feed the watchdog, and for a
 * filling controller write target/start/abort), and to the database only
 * through records.h.  The gateway's bus thread calls line_step() at its
 * poll rate; the control thread calls line_login/line_set_cylinder/
 * line_set_buyer/line_start/line_stop and line_status, which only touch the
 * line's mailbox under its mutex: every decision about the valve is taken in
 * line_step(), in one thread.
 *
 * Safety contract:
 *  - The valve is commanded open only in line_step(), only after every
 *    blocking pre-fill rule passed and records_fill_start() returned 0.
 *  - Any failed valve command, lost link, database failure, stop or
 *    emergency leads to a close command, repeated each step until the valve
 *    unit acknowledges it.
 *  - The heartbeat (watchdog feed) is written only from line_step(), only
 *    while the line is healthy: not in emergency and with a working
 *    database; if the thread stops, the valve unit's watchdog closes it.
 *  - A fill whose record cannot be committed (disk full, I/O error) ends
 *    with its valve closed and the outcome "error", never a success; records
 *    holds the record back and writes it again once a second, off this
 *    thread, and at once before any new attempt, which waits for it; the
 *    line refuses new fills until it is written, or until its row is found
 *    closed already (a final answer: the line is free again).
 *  - What a line learns of its pre-act is stored with each fill's record:
 *    line_init starts from it, so a restart costs no accuracy.
 */
#ifndef GAS_LINE_H
#define GAS_LINE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "curve.h"
#include "gwconf.h"
#include "records.h"
#include "rules.h"

struct line_reading {
	int scale_ok; /* the scale answered this poll */
	double gross_kg;
	int64_t at_ms;  /* monotonic ms the scale was read; 0: now.  A
	                 * reading seen again has the same time */
	int stable;     /* the scale says the reading is stable */
	int valve_ok;   /* the valve unit answered this poll */
	int valve_fb;   /* it reports its valve's position: valve_open means it */
	int valve_open; /* valve feedback: open */
	int ctl_done;   /* controller cut-off mode: the controller finished */
};

/* Hardware of one line.  Every function returns 0, or -1 on a link error. */
struct line_io {
	void *ctx;
	int (*read)(void *ctx, struct line_reading *out);
	int (*valve)(void *ctx, int open);
	int (*heartbeat)(void *ctx);
	/* A filling controller (one unit cuts off by itself) has these two, and
	 * its line is in controller cut-off mode whatever the configuration
	 * says; NULL for a scale and a valve unit. */
	int (*ctl_start)(void *ctx, double target_net_kg, double tare_kg);
	int (*ctl_abort)(void *ctx);
	/* Emergency (R23): close every valve on the line's bus, the other
	 * lines' included (docs/design.md, V4).  May be NULL. */
	void (*close_bus)(void *ctx);
	/* Called by the mailbox functions (any thread, no lock of the line
	 * held) after a request was taken: the stepping thread should step
	 * the line soon, not at its next timer.  May be NULL. */
	void (*kick)(void *ctx);
	/* Whether the valve unit holds the watchdog timeout the gateway wrote
	 * (so that it shuts its valve by itself if the heartbeat stops): no
	 * watchdog, no fill.  Neither waits on the bus: watchdog_ask, when a
	 * start begins its checks, has the timeout read back; watchdog_ready,
	 * before the valve opens, answers from what came back since:
	 * LINE_WD_HELD, LINE_WD_WAIT (no answer yet: the checks wait for one
	 * until their deadline), LINE_WD_NOT (it has not taken it yet, may
	 * have forgotten it: a unit that restarts comes back with its
	 * power-on value; or is silent) or LINE_WD_OTHER.  Both in the
	 * stepping thread; either may be NULL (always held). */
	void (*watchdog_ask)(void *ctx);
	int (*watchdog_ready)(void *ctx);
};

/* LINE_WD_OTHER: not held because the unit keeps another value than the
 * one written (it clamps it, or counts down): no retry soon will help */
enum { LINE_WD_NOT = 0, LINE_WD_HELD = 1, LINE_WD_WAIT = 2, LINE_WD_OTHER = 3 };

enum line_state {
	LINE_IDLE,
	LINE_IDENTIFIED,
	LINE_CHECKED,
	LINE_ARMED,
	LINE_FILLING,
	LINE_CUTOFF,
	LINE_SETTLING,
	LINE_CHECKWEIGHED,
	LINE_RECORDED,
	LINE_REFUSED,
	LINE_INTERRUPTED,
	LINE_EMERGENCY,
};

/* What a line keeps of a fill's parties, with the NUL; the control
 * protocol's limits (ctlreq.h) are derived from these. */
#define LINE_CERT_SIZE (REGISTRY_CERT_MAX + 1) /* an operator's certificate number (registry.h) */
#define LINE_SERIAL_SIZE 64                    /* a cylinder serial */
#define LINE_MASKED_SIZE 40                    /* a buyer's masked number */

/* A decoded cylinder code (filled by the identity layer, gwident.h). */
struct line_cylinder {
	int valid;        /* signature and fields verified */
	char reason[128]; /* why not, when !valid */
	char serial[LINE_SERIAL_SIZE];
	char model[16];
	int32_t manufactured;
	double tare_kg;              /* stamped */
	double fill_kg;              /* stamped allowable fill mass */
	char code[CODE_MAX_LEN + 1]; /* the bare code, as R01 compares it with the registry's */
};

/* What R01 compares of a decoded code with the registry (rules.h): points
 * into cyl. */
void line_cylinder_label(const struct line_cylinder *cyl, struct rules_label *out);

/* A buyer as the line knows it: never the raw number. */
struct line_buyer {
	int valid; /* check digit passed */
	char reason[128];
	char id[65]; /* HMAC id */
	char masked[LINE_MASKED_SIZE];
	int business;
	char township[16]; /* registered township, "" unknown */
};

/* What gasctl status and the fill watcher see. */
struct line_status {
	int number;
	enum line_state state;
	int link_ok;
	double gross_kg;
	double net_kg; /* during and after a fill */
	double target_kg;
	double preact_kg;
	char operator_cert[LINE_CERT_SIZE];
	char cylinder[LINE_SERIAL_SIZE];
	char buyer_masked[LINE_MASKED_SIZE];
	char fill_uuid[37];
	unsigned attempt;       /* start requests accepted so far */
	unsigned finished;      /* attempts that have an outcome */
	char result[16];        /* outcome of attempt `finished` */
	char result_text[512];  /* the violations, one per line */
	char scan_refused[300]; /* why the line let go of a scanned cylinder or buyer
	                         * (line_clear_*), until one is taken or a start */
	int refused;            /* last outcome was a refusal */
	double result_net_kg;
};

#define LINE_PREACT_HISTORY RECORDS_PREACT_SAMPLES

struct line {
	/* set by line_init, read-only afterwards */
	int number;
	int controller_mode; /* the configuration's cutoff, or a filling controller */
	const struct gw_config *config;
	struct records *records;
	struct line_io io;
	double scale_capacity_kg;
	int heartbeat_ms;

	/* mailbox and status: under lock */
	pthread_mutex_t lock;
	char operator_cert[LINE_CERT_SIZE];
	struct line_cylinder cylinder;
	int have_cylinder;
	struct line_buyer buyer;
	int have_buyer;
	int start_requested;
	int stop_requested;
	struct gw_rules pending_rules; /* new thresholds (SIGHUP), taken when idle */
	int rules_pending;
	struct gw_rules rules_own; /* thresholds in force after a reload */
	struct line_status status;

	/* owned by the stepping thread */
	const struct gw_rules *rules; /* config->rules, then rules_own after a reload */
	enum line_state state;
	int64_t state_ms; /* when the state was entered */
	struct line_reading last;
	int64_t scale_fail_since; /* 0: scale link fine */
	int64_t last_scale_ms;    /* time of the last scale reading */
	double rate_kg_s;         /* weight rate, smoothed */
	int64_t valve_fail_since;
	int64_t last_heartbeat_ms;
	int64_t last_close_ms;
	int valve_commanded_open;
	int valve_close_pending; /* close not yet acknowledged */
	int db_ok;
	int record_pending; /* the fill below ended; records holds its record back */
	int held_wait;      /* a start waits for the try it asked of the held record */
	unsigned held_wait_tries;
	int64_t held_wait_until;
	int force_close; /* another line's emergency */
	/* the fill in progress */
	struct records_fill fill;
	struct rules_verdict verdict; /* pre-fill alerts, then post-fill */
	struct line_cylinder fill_cyl;
	struct line_buyer fill_buyer;
	char fill_operator[LINE_CERT_SIZE];
	int64_t open_ms;
	int64_t close_ms;
	double close_net;       /* net when the close was commanded */
	double close_rate_kg_s; /* flow when the close was commanded */
	int timed_out;
	enum rules_interruption interrupted; /* why the fill ended early, if it did */
	int link_lost_ms;                    /* RULES_LINK_LOST: silent this long */
	int64_t valve_shut_since; /* filling: the valve unit says closed since then, 0 = not */
	int valve_silent_ms;      /* filling: the silence the valve unit answered again from, valve
	                             closed */
	int64_t feed_gap_ms;      /* filling: the longest the line went without a heartbeat */
	int ctl_running;          /* controller mode: fill_done seen clear since the start */
	int emergency;
	double rise_kg;
	double settle_net; /* first stable net after settling */
	double residue_kg; /* gas in the cylinder before this fill (rules_residue_kg) */
	int settle_samples;
	int checkweigh_stable;
	double checkweigh_sum;
	int checkweigh_n;
	double checkweigh_maxdev;
	/* post-fill watch for R23 with the cylinder still on the scale */
	int watch;
	double watch_base;       /* NAN: armed, to be taken from the first reading */
	int64_t watch_low_since; /* readings over 1 kg lighter since then, 0 = not */
	/* pre-act learning */
	int valve_close_ms; /* the valve profile's close_ms (0: not known, or the
	                     * configuration gives preact_kg: no prediction) */
	int poll_ms;        /* the bus's poll period */
	double preact_kg;
	double inflight[LINE_PREACT_HISTORY];
	int inflight_n;
	/* the fill's weight curve (curve.h), stored with the record */
	struct curve curve;
	uint8_t curve_buf[CURVE_MAX_ENCODED];
	/* waiting for a stable empty weight before the checks, read at or after
	 * check_from (the start): an idle line's scale is read less often, and a
	 * reading from before the start may predate the cylinder */
	int checking;
	int64_t check_from;
	int64_t check_deadline;
};

/* Initialise a line; io is copied.  The valve is commanded closed at the
 * first line_step().  Returns 0. */
int line_init(struct line *line, const struct gw_config *config, const struct gw_line *lc,
    struct records *records, const struct line_io *io);
void line_free(struct line *line);

/* Mailbox (any thread).  Each returns 0, or -1 with a reason in err when
 * the line is busy (a fill in progress) or in emergency. */
int line_login(struct line *line, const char *cert, char *err, size_t errlen);
int line_set_cylinder(struct line *line, const struct line_cylinder *cyl, char *err, size_t errlen);
int line_set_buyer(struct line *line, const struct line_buyer *buyer, char *err, size_t errlen);
/* A refused or unreadable scan: the line holds no cylinder (buyer) any
 * more, and its status says why (the refusal); 0, or -1 with err when a
 * fill is in progress (left as it is). */
int line_clear_cylinder(struct line *line, const char *why, char *err, size_t errlen);
int line_clear_buyer(struct line *line, const char *why, char *err, size_t errlen);
/* Ask for a fill; *attempt receives the attempt number whose outcome the
 * caller can wait for in line_status().finished. */
int line_start(struct line *line, unsigned *attempt, char *err, size_t errlen);
/* Stop a fill in progress (valve closed, recorded as interrupted), or
 * acknowledge an emergency, or clear the identified cylinder and buyer. */
int line_stop(struct line *line);
void line_status(struct line *line, struct line_status *out);
/* New rule thresholds (a configuration reload): copied now, in force from
 * the next moment the line is idle, so a fill keeps the thresholds it
 * started with. */
void line_set_rules(struct line *line, const struct gw_rules *rules);

/* One control step at monotonic time now_ms (the bus thread). */
void line_step(struct line *line, int64_t now_ms);

/* For the stepping thread, between steps of an idle line (no fill, valve
 * closed and acknowledged, nothing watched): the time by which line_step
 * must run again for the line's own timers, the heartbeat and the
 * re-assertion of the closed valve.  A mailbox request calls io.kick. */
int64_t line_idle_due(const struct line *line);

/* The gateway is stopping (its stepping thread has stopped): close the
 * valve and record a fill in progress as interrupted, now. */
void line_shutdown(struct line *line, int64_t now);

/* Another line on the bus is in emergency: close the valve now. */
void line_force_close(struct line *line);

/* Command the valve closed (start-up, shutdown); returns the io result. */
int line_close_valve(struct line *line);

const char *line_state_name(enum line_state state);

/* The pre-act a line has learnt (for tests and the benchmark). */
double line_preact(const struct line *line);

#define LINE_EMPTY_WAIT_MS 5000 /* how long to wait for a stable empty weight */
#define LINE_SETTLE_MAX_MS 8000 /* give up waiting for a stable reading */
#define LINE_CHECKWEIGH_MS 600  /* check-weigh window after the first stable reading */
#define LINE_PREACT_MAX_KG 1.0
#define LINE_WATCH_LEFT_MS 1000 /* readings 1 kg lighter this long: the watched cylinder left */
#define LINE_WATCH_EMPTY_KG 1.0 /* a scale reading less holds no cylinder to watch */
#define LINE_VALVE_CLOSE_MS 500 /* valve feedback must say closed this soon after a close */
#define LINE_HELD_WAIT_MS 2000  /* a start waits this long for a held record's try */

#endif
