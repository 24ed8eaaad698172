/*
 * mb_poller: one thread per bus that keeps every unit's signals fresh.
 *
 * Each unit's polled fields are grouped, per table, into requests of
 * adjacent addresses.  The thread goes round the units (each at most every
 * poll_interval_ms); a unit that times out unit_failures times in a row is
 * then asked only after a back-off that doubles up to backoff_max_ms, so a
 * dead unit costs its neighbours one response timeout per back-off period
 * rather than one per cycle.  A unit that answers wrongly (CRC, exception)
 * costs no more than a good one and is asked at the normal rate; only a
 * good answer clears its count of time-outs.  A link error (or, on TCP, a run
 * of timeouts with no success in between) closes the bus; it is reopened with its own back-off.
 *
 * Writes from other threads go through a FIFO that the bus thread drains
 * before every read request, so a valve close waits at most for the one
 * exchange already on the wire.  A waiting caller's request lives on its
 * stack: it is unlinked on timeout if still queued, and waited for if the bus
 * thread is already running it.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "mb.h"
#include "util.h"

#define MERGE_GAP 4 /* read across holes of up to this many registers/bits */
#define TCP_TIMEOUT_RUN 3
#define CATCH_UP_MS 1000 /* at most this far behind schedule is caught up */
#define COALESCE_MS 20   /* units due this soon are read with the ones due now */

struct poll_request {
	enum mb_table table;
	uint16_t address;
	uint16_t count;
};

struct unit {
	int id;
	struct mb_profile profile;
	uint32_t wanted; /* signals the user reads (mb_poller_set_signals); planned */
	struct poll_request req[MB_SIG_COUNT];
	int nreq;
	int field_req[MB_SIG_COUNT]; /* request index of each polled field, -1 if none */
	/* bus thread only */
	int failures;
	int backoff_ms;
	int64_t due_ms;
	uint16_t heartbeat;
	int interval_ms; /* this unit's poll interval (0: the bus's), copied from
	                  * interval_set when the unit is scheduled */
	/* under poller->lock */
	int interval_set; /* mb_poller_set_interval */
	int resched;      /* interval_set changed: the bus thread schedules it again */
	struct mb_snapshot snap;
};

enum write_state { W_QUEUED, W_RUNNING, W_DONE };

struct write_request {
	struct write_request *next;
	int unit;
	int signal;   /* -1: heartbeat */
	double value; /* written; or, for a read, what was read */
	int read;     /* mb_poller_read_once: read the signal instead */
	int nowait;
	enum write_state state;
	int result; /* 0 or errno */
};

struct mb_poller {
	struct mb_bus_config config;
	mb_poller_notify notify;
	void *notify_arg;
	struct unit unit[MB_MAX_UNITS];
	int nunits;

	pthread_t thread;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* bus thread: writes queued or stop */
	pthread_cond_t done; /* callers: a write finished */
	int stop;
	int bus_down; /* under lock: the bus is closed and waiting to be reopened; writes
	               * fail at once.  0 while up or before the first open attempt. */
	struct write_request *head, *tail;
	int resched;         /* under lock: some unit's interval changed */
	clockid_t cpu_clock; /* under lock: the bus thread's CPU clock, */
	int cpu_clock_ok;    /* valid from start until the thread ends */
	struct mb_poller_stats stats;

	/* bus thread only */
	struct mb_link *link;
	int reopen_ms;
	int64_t reopen_at_ms;
	int timeout_run;
	int timeout_first_unit; /* the unit that opened the current run of timeouts */
	int timeout_many_units; /* 1 once a second unit timed out in the same run */
	int next_unit;
};

static int64_t
clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
deadline(struct timespec *ts, int64_t at_ms)
{
	ts->tv_sec = at_ms / 1000;
	ts->tv_nsec = (long)(at_ms % 1000) * 1000000;
}

/* ---- setup ----------------------------------------------------------------- */

int
mb_poller_new(const struct mb_bus_config *config, mb_poller_notify notify, void *notify_arg,
    struct mb_poller **out, char *err, size_t errlen)
{
	struct mb_poller *p;
	struct mb_bus_config d;
	pthread_condattr_t ca;

	*out = NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		err_set(err, errlen, "out of memory");
		return -1;
	}
	p->config = *config;
	mb_bus_config_defaults(&d);
	if (p->config.response_timeout_ms <= 0)
		p->config.response_timeout_ms = d.response_timeout_ms;
	if (p->config.backoff_min_ms <= 0)
		p->config.backoff_min_ms = d.backoff_min_ms;
	if (p->config.backoff_max_ms < p->config.backoff_min_ms)
		p->config.backoff_max_ms = p->config.backoff_min_ms > d.backoff_max_ms
		                               ? p->config.backoff_min_ms
		                               : d.backoff_max_ms;
	if (p->config.reopen_min_ms <= 0)
		p->config.reopen_min_ms = d.reopen_min_ms;
	if (p->config.reopen_max_ms < p->config.reopen_min_ms)
		p->config.reopen_max_ms = p->config.reopen_min_ms > d.reopen_max_ms
		                              ? p->config.reopen_min_ms
		                              : d.reopen_max_ms;
	if (p->config.unit_failures <= 0)
		p->config.unit_failures = d.unit_failures;
	p->notify = notify;
	p->notify_arg = notify_arg;
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->wake, &ca);
	pthread_cond_init(&p->done, &ca);
	pthread_condattr_destroy(&ca);
	p->reopen_ms = p->config.reopen_min_ms;
	*out = p;
	return 0;
}

/* Group the unit's polled fields into requests of adjacent addresses. */
static void
plan_requests(struct unit *u)
{
	const struct mb_profile *pr = &u->profile;

	u->nreq = 0;
	for (int s = 0; s < MB_SIG_COUNT; s++)
		u->field_req[s] = -1;
	for (int t = MB_COIL; t <= MB_HOLDING; t++) {
		int max = t <= MB_DISCRETE ? 2000 : 125;
		int done[MB_SIG_COUNT] = { 0 };

		for (;;) {
			/* lowest unplaced field of this table */
			int lo = -1;
			for (int s = 0; s < MB_SIG_COUNT; s++) {
				const struct mb_field *f = &pr->field[s];
				if (!f->present || !f->poll || !(u->wanted & (1u << s)) ||
				    (int)f->table != t || done[s])
					continue;
				if (lo < 0 || f->address < pr->field[lo].address)
					lo = s;
			}
			if (lo < 0)
				break;
			struct poll_request *r = &u->req[u->nreq];
			r->table = (enum mb_table)t;
			r->address = pr->field[lo].address;
			r->count = (uint16_t)mb_field_width(&pr->field[lo]);
			done[lo] = 1;
			u->field_req[lo] = u->nreq;
			/* grow while another field starts within the gap and fits */
			for (int grew = 1; grew;) {
				grew = 0;
				for (int s = 0; s < MB_SIG_COUNT; s++) {
					const struct mb_field *f = &pr->field[s];
					long end, fend;
					if (!f->present || !f->poll || !(u->wanted & (1u << s)) ||
					    (int)f->table != t || done[s])
						continue;
					end = (long)r->address + r->count;
					fend = (long)f->address + mb_field_width(f);
					if (f->address < r->address || f->address > end + MERGE_GAP)
						continue;
					if ((fend > end ? fend : end) - r->address > max)
						continue;
					if (fend > end)
						r->count = (uint16_t)(fend - r->address);
					done[s] = 1;
					u->field_req[s] = u->nreq;
					grew = 1;
				}
			}
			u->nreq++;
		}
	}
}

int
mb_poller_add_unit(struct mb_poller *p, int unit_id, const struct mb_profile *profile,
    int *unit_index, char *err, size_t errlen)
{
	struct unit *u;

	if (p->started) {
		err_set(err, errlen, "units must be added before the poller starts");
		errno = EBUSY;
		return -1;
	}
	if (p->nunits >= MB_MAX_UNITS) {
		err_set(err, errlen, "at most %d units per bus", MB_MAX_UNITS);
		errno = ENOSPC;
		return -1;
	}
	if (unit_id < 0 || unit_id > 255 ||
	    (p->config.kind == MB_BUS_RTU && (unit_id < 1 || unit_id > 247))) {
		err_set(err, errlen, "unit id %d out of range", unit_id);
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < p->nunits; i++)
		if (p->unit[i].id == unit_id) {
			err_set(err, errlen, "unit id %d added twice", unit_id);
			errno = EEXIST;
			return -1;
		}
	u = &p->unit[p->nunits];
	memset(u, 0, sizeof(*u));
	u->id = unit_id;
	u->profile = *profile;
	u->wanted = (1u << MB_SIG_COUNT) - 1;
	plan_requests(u);
	for (int s = 0; s < MB_SIG_COUNT; s++)
		if (u->field_req[s] >= 0)
			u->snap.present |= 1u << s;
	*unit_index = p->nunits++;
	return 0;
}

int
mb_poller_set_signals(struct mb_poller *p, int index, uint32_t signals)
{
	struct unit *u;

	if (index < 0 || index >= p->nunits) {
		errno = EINVAL;
		return -1;
	}
	if (p->started) {
		errno = EBUSY;
		return -1;
	}
	u = &p->unit[index];
	u->wanted = signals;
	plan_requests(u);
	if (u->nreq == 0) {
		/* nothing it needs is polled: one signal is still read, or
		 * the unit's link state would never be known */
		for (int s = 0; s < MB_SIG_COUNT && u->nreq == 0; s++)
			if (u->profile.field[s].present && u->profile.field[s].poll) {
				u->wanted = 1u << s;
				plan_requests(u);
			}
	}
	u->snap.present = 0;
	for (int s = 0; s < MB_SIG_COUNT; s++)
		if (u->field_req[s] >= 0)
			u->snap.present |= 1u << s;
	return 0;
}

int
mb_poller_set_interval(struct mb_poller *p, int index, int interval_ms)
{
	if (index < 0 || index >= p->nunits || interval_ms < 0) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&p->lock);
	if (p->unit[index].interval_set != interval_ms) {
		p->unit[index].interval_set = interval_ms;
		p->unit[index].resched = 1;
		p->resched = 1;
		pthread_cond_broadcast(&p->wake);
	}
	pthread_mutex_unlock(&p->lock);
	return 0;
}

int
mb_poller_plan(const struct mb_poller *p, int index, struct mb_read_plan *plan, int max)
{
	const struct unit *u;

	if (index < 0 || index >= p->nunits) {
		errno = EINVAL;
		return -1;
	}
	u = &p->unit[index];
	for (int r = 0; r < u->nreq && r < max; r++) {
		plan[r].table = u->req[r].table;
		plan[r].address = u->req[r].address;
		plan[r].count = u->req[r].count;
	}
	return u->nreq;
}

int
mb_poller_unit_count(const struct mb_poller *p)
{
	return p->nunits;
}

/* ---- the bus thread -------------------------------------------------------- */

static void
set_all_links(struct mb_poller *p, enum mb_link_state state, int e)
{
	pthread_mutex_lock(&p->lock);
	for (int i = 0; i < p->nunits; i++) {
		p->unit[i].snap.link = state;
		if (e != 0)
			p->unit[i].snap.last_errno = e;
	}
	pthread_mutex_unlock(&p->lock);
}

static void
fail_queued_writes(struct mb_poller *p, int e)
{
	struct write_request *w, *next;

	/* under lock */
	for (w = p->head; w != NULL; w = next) {
		next = w->next;
		p->unit[w->unit].snap.writes_failed++;
		p->unit[w->unit].snap.last_write_errno = e;
		if (w->nowait) {
			free(w);
		} else {
			w->result = e;
			w->state = W_DONE;
		}
	}
	p->head = p->tail = NULL;
	pthread_cond_broadcast(&p->done);
}

static void
bus_close(struct mb_poller *p, int e)
{
	mb_link_close(p->link);
	p->link = NULL;
	p->timeout_run = 0;
	p->stats.reopens++;
	p->reopen_at_ms = clock_ms(CLOCK_MONOTONIC) + p->reopen_ms;
	pthread_mutex_lock(&p->lock);
	p->bus_down = 1;
	fail_queued_writes(p, MB_ENOTCONN);
	pthread_mutex_unlock(&p->lock);
	set_all_links(p, MB_LINK_BUS_DOWN, e);
	log_warnx("modbus %s bus: %s; reopening in %d ms", mb_driver_for(p->config.kind)->name,
	    mb_strerror(e), p->reopen_ms);
}

static int
bus_open(struct mb_poller *p)
{
	char err[256];

	if (mb_link_open(&p->config, &p->link, err, sizeof(err)) < 0) {
		int e = errno;
		p->reopen_at_ms = clock_ms(CLOCK_MONOTONIC) + p->reopen_ms;
		log_debug("modbus: %s; retry in %d ms", err, p->reopen_ms);
		p->reopen_ms = p->reopen_ms * 2 > p->config.reopen_max_ms ? p->config.reopen_max_ms
		                                                          : p->reopen_ms * 2;
		pthread_mutex_lock(&p->lock);
		p->bus_down = 1;
		fail_queued_writes(p, MB_ENOTCONN);
		pthread_mutex_unlock(&p->lock);
		set_all_links(p, MB_LINK_BUS_DOWN, e);
		return -1;
	}
	p->reopen_ms = p->config.reopen_min_ms;
	pthread_mutex_lock(&p->lock);
	p->bus_down = 0;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

/*
 * After an exchange with unit: does this error mean the bus itself is
 * broken?  On TCP a run of timeouts with no success in between says the
 * connection (or the gateway behind it) is gone, but only if the run spans
 * more than one unit: one dead unit times out again and again on a healthy
 * connection, and reconnecting for it would stall every other unit.
 */
static int
bus_broken(struct mb_poller *p, int e, int unit)
{
	if (mb_error_kind(e) == MB_ERR_LINK)
		return 1;
	if (p->config.kind == MB_BUS_TCP && e == ETIMEDOUT) {
		if (p->timeout_run == 0) {
			p->timeout_first_unit = unit;
			p->timeout_many_units = 0;
		} else if (unit != p->timeout_first_unit) {
			p->timeout_many_units = 1;
		}
		return ++p->timeout_run >= TCP_TIMEOUT_RUN &&
		       (p->timeout_many_units || p->nunits == 1);
	}
	return 0;
}

/* Count a timed-out exchange against a unit; after unit_failures in a row
 * it is asked again only after a back-off, so a dead unit costs its
 * neighbours one response timeout per back-off period. */
static void
unit_failed(struct mb_poller *p, struct unit *u, int64_t now)
{
	if (++u->failures < p->config.unit_failures)
		return;
	u->backoff_ms = u->backoff_ms == 0 ? p->config.backoff_min_ms
	                                   : (u->backoff_ms * 2 > p->config.backoff_max_ms
	                                             ? p->config.backoff_max_ms
	                                             : u->backoff_ms * 2);
	u->due_ms = now + u->backoff_ms;
}

static int
perform_write(struct mb_poller *p, struct write_request *w)
{
	struct unit *u = &p->unit[w->unit];

	p->stats.requests++;
	if (w->read)
		return mb_link_read_signal(p->link, u->id, &u->profile, (enum mb_signal)w->signal,
		    &w->value);
	if (w->signal < 0) {
		u->heartbeat++;
		return mb_link_write_signal(p->link, u->id, &u->profile, MB_SIG_HEARTBEAT,
		    u->heartbeat);
	}
	return mb_link_write_signal(p->link, u->id, &u->profile, (enum mb_signal)w->signal,
	    w->value);
}

/* Run every queued write.  Returns -1 with errno if the bus broke. */
static int
run_writes(struct mb_poller *p)
{
	struct write_request *w;
	struct unit *u;
	int rc, e, unit;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		w = p->head;
		if (w == NULL) {
			pthread_mutex_unlock(&p->lock);
			return 0;
		}
		p->head = w->next;
		if (p->head == NULL)
			p->tail = NULL;
		w->state = W_RUNNING;
		unit = w->unit;
		pthread_mutex_unlock(&p->lock);

		u = &p->unit[unit];
		if (u->backoff_ms > 0 && clock_ms(CLOCK_MONOTONIC) < u->due_ms) {
			/* A unit that stopped answering is asked again only when
			 * its back-off is over, writes included: each try costs
			 * a response timeout that would starve the healthy units.
			 * Safe for a valve: a unit that gets no heartbeat closes
			 * its valve by its own watchdog, and a close command was
			 * sent before the back-off began (it takes failures in a
			 * row to begin). */
			rc = -1;
			e = MB_EBACKOFF;
		} else {
			rc = perform_write(p, w);
			e = rc < 0 ? errno : 0;
			if (rc < 0) {
				p->stats.failures++;
				if (mb_error_kind(e) == MB_ERR_TIMEOUT)
					unit_failed(p, u, clock_ms(CLOCK_MONOTONIC));
			} else {
				p->timeout_run = 0;
				u->failures = 0;
			}
		}

		/* w is gone once the lock is let go: a MB_WRITE_NOWAIT request
		 * is freed here, a waiting caller's is on its stack, which the
		 * caller leaves as soon as it sees W_DONE.  Only `unit` is
		 * used after. */
		pthread_mutex_lock(&p->lock);
		if (rc < 0) {
			p->unit[unit].snap.writes_failed++;
			p->unit[unit].snap.last_write_errno = e;
		} else {
			p->unit[unit].snap.writes_ok++;
		}
		if (w->read) {
			p->unit[unit].snap.once_signal = w->signal;
			p->unit[unit].snap.once_value = rc < 0 ? NAN : w->value;
			p->unit[unit].snap.once_errno = e;
			p->unit[unit].snap.once_ms = clock_ms(CLOCK_MONOTONIC);
			p->unit[unit].snap.once_seq++;
		}
		if (w->nowait) {
			free(w);
		} else {
			w->result = e;
			w->state = W_DONE;
			pthread_cond_broadcast(&p->done);
		}
		w = NULL;
		pthread_mutex_unlock(&p->lock);
		if (rc < 0 && e != MB_EBACKOFF && bus_broken(p, e, unit)) {
			errno = e;
			return -1;
		}
	}
}

/* The fields request r of unit u brought (regs: what the read returned),
 * into value[]; -1/MB_EBADREPLY when one of them is no number. */
static int
decode_request(const struct unit *u, int r, const uint16_t *regs, double *value)
{
	const struct poll_request *rq = &u->req[r];
	int rc = 0;

	for (int s = 0; s < MB_SIG_COUNT; s++) {
		const struct mb_field *f = &u->profile.field[s];

		if (u->field_req[s] != r)
			continue;
		value[s] = mb_field_decode(f, regs + (f->address - rq->address));
		if (isnan(value[s]))
			rc = -1;
	}
	if (rc < 0)
		errno = MB_EBADREPLY;
	return rc;
}

int
mb_poller_decode(const struct mb_poller *p, int index, int request, const uint16_t *regs,
    double value[MB_SIG_COUNT])
{
	if (index < 0 || index >= p->nunits || request < 0 || request >= p->unit[index].nreq) {
		errno = EINVAL;
		return -1;
	}
	return decode_request(&p->unit[index], request, regs, value);
}

/* Read every request of a unit and publish.  Returns -1 with errno if the
 * bus broke. */
static int
poll_unit(struct mb_poller *p, int index)
{
	struct unit *u = &p->unit[index];
	uint16_t buf[MB_SIG_COUNT][125];
	static _Thread_local uint16_t bitbuf[2000];
	double value[MB_SIG_COUNT];
	int e = 0, broken = 0, interval;
	int64_t now;

	for (int r = 0; r < u->nreq; r++) {
		struct poll_request *rq = &u->req[r];
		uint16_t *dst = rq->table <= MB_DISCRETE ? bitbuf : buf[r];
		int pending;

		/* a write (a valve close) goes before the rest of this unit's reads */
		pthread_mutex_lock(&p->lock);
		pending = p->head != NULL;
		pthread_mutex_unlock(&p->lock);
		if (r > 0 && pending && run_writes(p) < 0) {
			e = errno;
			broken = 1;
			break;
		}
		p->stats.requests++;
		if (mb_link_read(p->link, u->id, rq->table, rq->address, rq->count, dst) < 0) {
			e = errno;
			p->stats.failures++;
			broken = bus_broken(p, e, index);
			break;
		}
		p->timeout_run = 0;
		/* not a number: the whole read is a bad reply, so the line
		 * sees no reading rather than a NaN weight */
		if (decode_request(u, r, dst, value) < 0) {
			e = errno;
			p->stats.failures++;
			break;
		}
	}
	pthread_mutex_lock(&p->lock);
	interval = u->interval_set > 0 ? u->interval_set : p->config.poll_interval_ms;
	pthread_mutex_unlock(&p->lock);
	now = clock_ms(CLOCK_MONOTONIC);
	if (interval > 0) {
		/*
		 * Fixed-rate schedule: the next read is due one interval after
		 * this one was due, not after it ran, so the reads a slow
		 * neighbour delayed are caught up in the bus's idle time and the
		 * unit keeps its rate.  Far behind (bus overloaded, or back from
		 * back-off), restart the schedule from now.
		 */
		if (u->due_ms <= 0 || u->backoff_ms > 0 || interval != u->interval_ms ||
		    u->due_ms + interval < now - CATCH_UP_MS)
			u->due_ms = now + interval;
		else
			u->due_ms += interval;
		u->interval_ms = interval;
	} else {
		u->due_ms = now;
	}
	/*
	 * Back off only a unit that times out: a corrupted frame, a bad reply
	 * or an exception costs the bus no more than a good reply, and asking
	 * again at the normal rate is what lets a fill ride through a short
	 * burst of them (backing off turned a 300 ms burst of CRC errors into
	 * 700 ms without readings and 1 s without heartbeats: the valve's
	 * watchdog closed it mid-fill).  But only a good reply clears the
	 * time-outs counted so far: a unit that times out and answers wrongly
	 * by turns would otherwise never back off, and cost its neighbours a
	 * response time-out every other try.
	 */
	if (e == 0) {
		u->failures = 0;
		u->backoff_ms = 0;
	} else if (mb_error_kind(e) == MB_ERR_TIMEOUT) {
		unit_failed(p, u, now);
	}

	pthread_mutex_lock(&p->lock);
	if (e == 0) {
		for (int s = 0; s < MB_SIG_COUNT; s++)
			if (u->field_req[s] >= 0)
				u->snap.value[s] = value[s];
		u->snap.link = MB_LINK_UP;
		u->snap.updated_ms = now;
		u->snap.updated_wall_ms = clock_ms(CLOCK_REALTIME);
		u->snap.seq++;
		u->snap.polls_ok++;
	} else {
		u->snap.link = u->backoff_ms > 0 ? MB_LINK_BACKOFF : MB_LINK_FAILING;
		u->snap.last_errno = e;
		u->snap.polls_failed++;
	}
	pthread_mutex_unlock(&p->lock);
	if (e != 0)
		log_debug("modbus unit %d: %s", u->id, mb_strerror(e));
	if (p->notify != NULL)
		p->notify(p->notify_arg, index);
	if (broken) {
		errno = e;
		return -1;
	}
	return 0;
}

/*
 * The next unit due, round robin; -1 and *wait_until if none is due yet.
 * A unit due within a quarter of the poll interval (at most COALESCE_MS) is
 * taken now: the units of a bus are then read in one burst per cycle and
 * the thread sleeps once per cycle, not once per unit.  Each wake-up is a
 * context switch, which costs more than the Modbus exchange itself, and far
 * more on a busy machine (docs/drivers.md).  The fixed-rate schedule keeps
 * the rate: a unit read early stays that much early.
 */
static int
next_due(struct mb_poller *p, int64_t now, int64_t *wait_until)
{
	int64_t soonest = INT64_MAX;
	int64_t slack = p->config.poll_interval_ms / 4 < COALESCE_MS
	                    ? p->config.poll_interval_ms / 4
	                    : COALESCE_MS;

	for (int k = 0; k < p->nunits; k++) {
		int i = (p->next_unit + k) % p->nunits;
		if (p->unit[i].due_ms <= now + (p->unit[i].backoff_ms > 0 ? 0 : slack)) {
			p->next_unit = (i + 1) % p->nunits;
			return i;
		}
		if (p->unit[i].due_ms < soonest)
			soonest = p->unit[i].due_ms;
	}
	*wait_until = soonest;
	return -1;
}

/* Sleep until at_ms, a queued write, or stop.  Returns 1 if stopping. */
static int
idle_until(struct mb_poller *p, int64_t at_ms)
{
	struct timespec ts;
	int stopping;

	deadline(&ts, at_ms);
	pthread_mutex_lock(&p->lock);
	while (!p->stop && p->head == NULL && !p->resched && clock_ms(CLOCK_MONOTONIC) < at_ms)
		if (pthread_cond_timedwait(&p->wake, &p->lock, &ts) == ETIMEDOUT)
			break;
	stopping = p->stop;
	pthread_mutex_unlock(&p->lock);
	return stopping;
}

/* CPU time of a thread's clock, ms.  The bus thread's is read when asked
 * (mb_poller_stats), not on every round: it is a system call, not vDSO. */
static double
thread_cpu_ms(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		return -1;
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void *
bus_thread(void *arg)
{
	struct mb_poller *p = arg;
	double cpu;
	int64_t now, wait_until = 0;
	int i, stopping;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		stopping = p->stop;
		if (p->resched) {
			/* a unit asked to be read more often is read now, not
			 * when its old, longer interval ends */
			for (i = 0; i < p->nunits; i++) {
				struct unit *u = &p->unit[i];
				int want = u->interval_set > 0 ? u->interval_set
				                               : p->config.poll_interval_ms;
				if (u->resched && want < u->interval_ms && u->backoff_ms == 0)
					u->due_ms = 0;
				u->resched = 0;
			}
			p->resched = 0;
		}
		pthread_mutex_unlock(&p->lock);
		if (stopping)
			break;
		if (p->link == NULL) {
			now = clock_ms(CLOCK_MONOTONIC);
			if (now < p->reopen_at_ms) {
				/* writes cannot wait for the bus: fail them now */
				pthread_mutex_lock(&p->lock);
				fail_queued_writes(p, MB_ENOTCONN);
				pthread_mutex_unlock(&p->lock);
				idle_until(p, p->reopen_at_ms);
				continue;
			}
			if (bus_open(p) < 0)
				continue;
			for (i = 0; i < p->nunits; i++)
				p->unit[i].due_ms = 0;
		}
		if (run_writes(p) < 0) {
			bus_close(p, errno);
			continue;
		}
		now = clock_ms(CLOCK_MONOTONIC);
		i = next_due(p, now, &wait_until);
		if (i < 0) {
			idle_until(p, wait_until);
			continue;
		}
		if (poll_unit(p, i) < 0)
			bus_close(p, errno);
	}
	mb_link_close(p->link);
	p->link = NULL;
	pthread_mutex_lock(&p->lock);
	p->bus_down = 1;
	fail_queued_writes(p, MB_ESTOPPED);
	cpu = thread_cpu_ms(CLOCK_THREAD_CPUTIME_ID);
	if (cpu >= 0)
		p->stats.cpu_ms = cpu;
	p->cpu_clock_ok = 0;
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int
mb_poller_start(struct mb_poller *p, char *err, size_t errlen)
{
	int rc;

	if (p->started) {
		err_set(err, errlen, "poller already started");
		errno = EBUSY;
		return -1;
	}
	if (p->nunits == 0) {
		err_set(err, errlen, "poller has no units");
		errno = EINVAL;
		return -1;
	}
	p->stop = 0;
	p->bus_down = 0;
	if ((rc = pthread_create(&p->thread, NULL, bus_thread, p)) != 0) {
		err_set(err, errlen, "pthread_create: %s", strerror(rc));
		errno = rc;
		return -1;
	}
	pthread_mutex_lock(&p->lock);
	p->cpu_clock_ok = pthread_getcpuclockid(p->thread, &p->cpu_clock) == 0;
	pthread_mutex_unlock(&p->lock);
	p->started = 1;
	return 0;
}

void
mb_poller_stop(struct mb_poller *p)
{
	if (p == NULL || !p->started)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	p->started = 0;
}

void
mb_poller_free(struct mb_poller *p)
{
	if (p == NULL)
		return;
	mb_poller_stop(p);
	pthread_mutex_lock(&p->lock);
	fail_queued_writes(p, MB_ESTOPPED);
	pthread_mutex_unlock(&p->lock);
	pthread_cond_destroy(&p->wake);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int
mb_poller_snapshot(struct mb_poller *p, int index, struct mb_snapshot *out)
{
	if (index < 0 || index >= p->nunits) {
		errno = EINVAL;
		return -1;
	}
	pthread_mutex_lock(&p->lock);
	*out = p->unit[index].snap;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void
mb_poller_stats(struct mb_poller *p, struct mb_poller_stats *out)
{
	pthread_mutex_lock(&p->lock);
	/* while it runs; once stopped, the figure it left */
	if (p->cpu_clock_ok) {
		double cpu = thread_cpu_ms(p->cpu_clock);
		if (cpu >= 0)
			p->stats.cpu_ms = cpu;
	}
	*out = p->stats;
	pthread_mutex_unlock(&p->lock);
}

/* ---- writes ------------------------------------------------------------------ */

/* Under lock: wait until w is done.  Past the deadline a write that never
 * started is taken back out of the queue and fails with ETIMEDOUT; one that
 * is running is waited for (its exchange is bounded by the response timeout). */
static void
wait_done(struct mb_poller *p, struct write_request *w, const struct timespec *deadline_ts)
{
	int expired = 0;

	while (w->state != W_DONE) {
		if (expired) {
			pthread_cond_wait(&p->done, &p->lock);
			continue;
		}
		if (pthread_cond_timedwait(&p->done, &p->lock, deadline_ts) != ETIMEDOUT)
			continue;
		expired = 1;
		if (w->state == W_QUEUED) {
			struct write_request **pp = &p->head, *prev = NULL;
			while (*pp != NULL && *pp != w) {
				prev = *pp;
				pp = &(*pp)->next;
			}
			if (*pp == w) {
				*pp = w->next;
				if (p->tail == w)
					p->tail = prev;
			}
			w->result = ETIMEDOUT;
			w->state = W_DONE;
			p->unit[w->unit].snap.writes_failed++;
			p->unit[w->unit].snap.last_write_errno = ETIMEDOUT;
		}
	}
}

static int
queue_write(struct mb_poller *p, int index, int signal, double *value, int read, int flags,
    int timeout_ms, char *err, size_t errlen)
{
	struct write_request local, *w;
	struct timespec ts;
	int e;

	if (index < 0 || index >= p->nunits) {
		err_set(err, errlen, "no unit %d", index);
		errno = EINVAL;
		return -1;
	}
	{
		int s = signal < 0 ? MB_SIG_HEARTBEAT : signal;
		const struct mb_field *f = &p->unit[index].profile.field[s];
		if (s >= MB_SIG_COUNT || !f->present) {
			err_set(err, errlen, "unit %d (%s) has no %s", p->unit[index].id,
			    p->unit[index].profile.name, mb_signal_name((enum mb_signal)s));
			errno = MB_ENOSIGNAL;
			return -1;
		}
		if (!read && f->table != MB_COIL && f->table != MB_HOLDING) {
			err_set(err, errlen, "%s of unit %d is read-only", mb_signal_name(s),
			    p->unit[index].id);
			errno = EINVAL;
			return -1;
		}
	}
	if (flags & MB_WRITE_NOWAIT) {
		if ((w = calloc(1, sizeof(*w))) == NULL) {
			err_set(err, errlen, "out of memory");
			return -1;
		}
	} else {
		w = &local;
		memset(w, 0, sizeof(*w));
	}
	w->unit = index;
	w->signal = signal;
	w->value = read ? NAN : *value;
	w->read = read;
	w->nowait = (flags & MB_WRITE_NOWAIT) != 0;
	w->state = W_QUEUED;

	pthread_mutex_lock(&p->lock);
	if (!p->started || p->stop || p->bus_down) {
		e = !p->started || p->stop ? MB_ESTOPPED : MB_ENOTCONN;
		p->unit[index].snap.writes_failed++;
		p->unit[index].snap.last_write_errno = e;
		pthread_mutex_unlock(&p->lock);
		if (w->nowait)
			free(w);
		err_set(err, errlen, "unit %d: %s", p->unit[index].id, mb_strerror(e));
		errno = e;
		return -1;
	}
	if (p->tail != NULL)
		p->tail->next = w;
	else
		p->head = w;
	p->tail = w;
	pthread_cond_signal(&p->wake);
	if (w->nowait) {
		pthread_mutex_unlock(&p->lock);
		return 0;
	}
	if (timeout_ms <= 0)
		timeout_ms = p->config.response_timeout_ms + 1000;
	deadline(&ts, clock_ms(CLOCK_MONOTONIC) + timeout_ms);
	wait_done(p, w, &ts);
	e = w->result;
	if (read && e == 0)
		*value = w->value;
	pthread_mutex_unlock(&p->lock);
	if (e != 0) {
		err_set(err, errlen, "unit %d %s: %s", p->unit[index].id,
		    signal < 0 ? "heartbeat" : mb_signal_name(signal), mb_strerror(e));
		errno = e;
		return -1;
	}
	return 0;
}

int
mb_poller_write(struct mb_poller *p, int index, enum mb_signal signal, double value, int flags,
    int timeout_ms, char *err, size_t errlen)
{
	if ((int)signal < 0 || signal >= MB_SIG_COUNT) {
		err_set(err, errlen, "bad signal %d", (int)signal);
		errno = EINVAL;
		return -1;
	}
	return queue_write(p, index, (int)signal, &value, 0, flags, timeout_ms, err, errlen);
}

int
mb_poller_read_once(struct mb_poller *p, int index, enum mb_signal signal, double *value, int flags,
    int timeout_ms, char *err, size_t errlen)
{
	double unused;

	if ((int)signal < 0 || signal >= MB_SIG_COUNT) {
		err_set(err, errlen, "bad signal %d", (int)signal);
		errno = EINVAL;
		return -1;
	}
	return queue_write(p, index, (int)signal, value != NULL ? value : &unused, 1, flags,
	    timeout_ms, err, errlen);
}

int
mb_poller_heartbeat(struct mb_poller *p, int index, int flags, char *err, size_t errlen)
{
	double zero = 0;

	return queue_write(p, index, -1, &zero, 0, flags, 0, err, errlen);
}

int
mb_poller_close_all(struct mb_poller *p, int timeout_ms)
{
	struct write_request w[MB_MAX_UNITS];
	struct timespec ts;
	int n = 0, first = 0;

	/*
	 * Every close is queued at once, units that answer first: a dead unit's
	 * timeout then delays no live valve.  All are tried even in back-off.
	 */
	memset(w, 0, sizeof(w));
	pthread_mutex_lock(&p->lock);
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < p->nunits; i++) {
			const struct mb_profile *pr = &p->unit[i].profile;
			int up = p->unit[i].snap.link == MB_LINK_UP ||
			         p->unit[i].snap.link == MB_LINK_UNKNOWN;
			if (up != (pass == 0))
				continue;
			if (pr->field[MB_SIG_VALVE_CMD].present) {
				w[n].signal = MB_SIG_VALVE_CMD;
				w[n].value = 0;
			} else if (pr->field[MB_SIG_ABORT].present) {
				w[n].signal = MB_SIG_ABORT;
				w[n].value = 1;
			} else {
				continue;
			}
			w[n].unit = i;
			w[n].state = W_QUEUED;
			n++;
		}
	}
	if (!p->started || p->stop || p->bus_down) {
		first = !p->started || p->stop ? MB_ESTOPPED : MB_ENOTCONN;
		for (int k = 0; k < n; k++) {
			p->unit[w[k].unit].snap.writes_failed++;
			p->unit[w[k].unit].snap.last_write_errno = first;
		}
		pthread_mutex_unlock(&p->lock);
		errno = first;
		return n > 0 ? -1 : 0;
	}
	for (int k = 0; k < n; k++) {
		if (p->tail != NULL)
			p->tail->next = &w[k];
		else
			p->head = &w[k];
		p->tail = &w[k];
	}
	pthread_cond_signal(&p->wake);
	if (timeout_ms <= 0)
		timeout_ms = p->config.response_timeout_ms + 1000;
	deadline(&ts, clock_ms(CLOCK_MONOTONIC) + timeout_ms);
	for (int k = 0; k < n; k++) {
		wait_done(p, &w[k], &ts);
		if (w[k].result != 0 && first == 0)
			first = w[k].result;
	}
	pthread_mutex_unlock(&p->lock);
	if (first != 0) {
		errno = first;
		return -1;
	}
	return 0;
}
