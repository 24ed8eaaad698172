/*
 * bus: the lines' hardware through the drivers' poller (drivers/mb.h), and
 * the interlock thread of each bus (gw.h explains the threads).
 *
 * The poller thread does the Modbus I/O and calls notify() after each read;
 * notify marks the line of that unit fresh and wakes the interlock thread,
 * which steps the fresh lines at once (the cut-off decision follows a new
 * weight within microseconds) and every line at least every 50 ms (timers:
 * heartbeat, R22, R24).  Valve commands go through mb_poller_write, which
 * runs them before the poller's next read request.
 */
#include "gw.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "util.h"

#define STEP_MAX_MS 50
#define IDLE_STEP_MAX_MS 250 /* every line of the bus idle: stepped at least this often */
#define WRITE_TIMEOUT_MS 500
/* a valve unit read by no request for this long may have restarted */
#define WATCHDOG_SILENT_MS 3000
/* a line not idle has its valve unit's watchdog read back this often */
#define WATCHDOG_CHECK_MS 1000
/* a valve opens only on a read-back that held, queued this recently: the
 * start's checks can last seconds, and a unit may restart meanwhile */
#define WATCHDOG_FRESH_MS 500
/* a unit that keeps another timeout than written: written again after this,
 * doubling up to WATCHDOG_ODD_MAX_MS */
#define WATCHDOG_ODD_FIRST_MS 60000
#define WATCHDOG_ODD_MAX_MS 3600000
#define IDLE_VALVE_MS 1000 /* an idle line's valve unit is read this often (poll_hz >= 1) */
#define IDLE_SCALE_MS 200  /* an idle line's scale is read this often, or at the bus's rate */

/* What hw_read uses of each unit; nothing else is read (mb_poller_set_signals). */
#define SCALE_SIGNALS                                                                              \
	((1u << MB_SIG_GROSS) | (1u << MB_SIG_STABLE) | (1u << MB_SIG_MOTION) |                    \
	    (1u << MB_SIG_ERROR))
#define FILLER_SIGNALS (SCALE_SIGNALS | (1u << MB_SIG_FILL_DONE) | (1u << MB_SIG_VALVE_FB))

struct line *
gw_line(struct gw *gw, int number)
{
	size_t i;

	for (i = 0; i < gw->line_count; i++)
		if (gw->lines[i].number == number)
			return &gw->lines[i];
	return NULL;
}

/* --- line_io over the poller ------------------------------------------------ */

static int
hw_snapshot(const struct gw_line_hw *hw, int unit, struct mb_snapshot *snap, int64_t now,
    int64_t stale_ms)
{
	if (mb_poller_snapshot(hw->bus->poller, unit, snap) == -1)
		return 0;
	return snap->link == MB_LINK_UP && snap->updated_ms > 0 &&
	       now - snap->updated_ms <= stale_ms;
}

/* A unit's reading while its pace may be slow (pace_units): one taken before
 * the full rate resumed may be as old as the slow pace allows; any later one,
 * only as old as usual. */
static int
paced_snapshot(const struct gw_line_hw *hw, int unit, const struct gw_pace *pace,
    struct mb_snapshot *snap, int64_t now)
{
	if (!hw_snapshot(hw, unit, snap, now, pace->slow_stale_ms))
		return 0;
	return snap->updated_ms < pace->fast_since || now - snap->updated_ms <= hw->stale_ms;
}

static int
has(const struct mb_snapshot *snap, enum mb_signal s)
{
	return (snap->present & (1u << s)) != 0;
}

static int
hw_read(void *ctx, struct line_reading *out)
{
	struct gw_line_hw *hw = ctx;
	struct mb_snapshot snap;
	int64_t now = time_mono_ms();

	memset(out, 0, sizeof(*out));
	out->scale_ok = paced_snapshot(hw, hw->scale, &hw->scale_pace, &snap, now);
	if (out->scale_ok) {
		out->gross_kg = snap.value[MB_SIG_GROSS];
		out->at_ms = snap.updated_ms;
		if (has(&snap, MB_SIG_STABLE))
			out->stable = snap.value[MB_SIG_STABLE] != 0;
		else if (has(&snap, MB_SIG_MOTION))
			out->stable = snap.value[MB_SIG_MOTION] == 0;
		if (has(&snap, MB_SIG_ERROR) && snap.value[MB_SIG_ERROR] != 0)
			out->scale_ok = 0; /* an instrument error is no reading */
		if (hw->filler) {
			out->ctl_done =
			    has(&snap, MB_SIG_FILL_DONE) && snap.value[MB_SIG_FILL_DONE] != 0;
			out->valve_ok = 1;
			out->valve_open = snap.value[MB_SIG_VALVE_FB] != 0;
		}
	}
	if (!hw->filler) {
		out->valve_ok = paced_snapshot(hw, hw->valve, &hw->valve_pace, &snap, now);
		if (out->valve_ok) {
			out->valve_fb = has(&snap, MB_SIG_VALVE_FB);
			out->valve_open = snap.value[MB_SIG_VALVE_FB] != 0;
		}
	} else if (!out->scale_ok) {
		out->valve_ok = 0;
	}
	return 0;
}

static int
hw_write(struct gw_line_hw *hw, enum mb_signal s, double value)
{
	char err[128];

	if (mb_poller_write(hw->bus->poller, hw->valve, s, value, 0, WRITE_TIMEOUT_MS, err,
	        sizeof(err)) == -1) {
		log_debug("bus %s unit %d: write %s: %s", hw->bus->config->name, hw->valve,
		    mb_signal_name(s), err);
		return -1;
	}
	return 0;
}

static int
hw_valve(void *ctx, int open)
{
	struct gw_line_hw *hw = ctx;

	if (hw->filler)
		return open ? -1 : hw_write(hw, MB_SIG_ABORT, 1);
	return hw_write(hw, MB_SIG_VALVE_CMD, open ? 1 : 0);
}

static int
hw_heartbeat(void *ctx)
{
	struct gw_line_hw *hw = ctx;
	char err[128];

	/* Queued, not waited for: a failed write shows as a valve link fault
	 * in the next snapshot, and the watchdog does the rest. */
	return mb_poller_heartbeat(hw->bus->poller, hw->valve, MB_WRITE_NOWAIT, err, sizeof(err));
}

static int
hw_ctl_start(void *ctx, double target_net_kg, double tare_kg)
{
	struct gw_line_hw *hw = ctx;

	(void)tare_kg; /* the controller tares itself at start */
	if (hw_write(hw, MB_SIG_TARGET, target_net_kg) == -1)
		return -1;
	return hw_write(hw, MB_SIG_START, 1);
}

static int
hw_ctl_abort(void *ctx)
{
	struct gw_line_hw *hw = ctx;

	return hw_write(hw, MB_SIG_ABORT, 1);
}

/* --- poller and interlock thread --------------------------------------------- */

static void
notify(void *arg, int unit_index)
{
	struct gw_busrt *bus = arg;

	/* Only a weight matters at once (the cut-off); valve units are looked
	 * at on the next pass, at most STEP_MAX_MS later.  This keeps the
	 * wake-ups to one per scale reading, and none for an idle line
	 * (pace_units), which the next pass steps: a wake-up costs this
	 * thread and the interlock thread a context switch each, most of
	 * gasgw's CPU per poll (docs/drivers.md). */
	if (unit_index < 0 || unit_index >= MB_MAX_UNITS || !bus->unit_is_scale[unit_index])
		return;
	pthread_mutex_lock(&bus->lock);
	if (!(bus->urgent_lines & (1u << bus->unit_line[unit_index]))) {
		pthread_mutex_unlock(&bus->lock);
		return;
	}
	bus->fresh = 1;
	bus->fresh_lines |= 1u << bus->unit_line[unit_index];
	pthread_cond_signal(&bus->wake);
	pthread_mutex_unlock(&bus->lock);
}

/* A mailbox request (io.kick, the control thread): step that line now. */
static void
hw_kick(void *ctx)
{
	struct gw_line_hw *hw = ctx;
	struct gw_busrt *bus = hw->bus;

	pthread_mutex_lock(&bus->lock);
	bus->fresh = 1;
	bus->fresh_lines |= 1u << bus->unit_line[hw->scale];
	pthread_cond_signal(&bus->wake);
	pthread_mutex_unlock(&bus->lock);
}

/* A line's emergency (its io.close_bus), in the interlock thread that
 * steps every line of the bus. */
static void
hw_close_bus(void *ctx)
{
	struct gw_line_hw *hw = ctx;
	struct gw_busrt *bus = hw->bus;
	size_t i;

	/* Invariant V4 (docs/design.md): close every valve on that bus. */
	for (i = 0; i < bus->line_count; i++)
		if (bus->lines[i]->io.ctx == hw)
			log_warnx("bus %s: emergency on line %d: closing every valve on the bus",
			    bus->config->name, bus->lines[i]->number);
	for (i = 0; i < bus->line_count; i++)
		if (bus->lines[i]->io.ctx != hw)
			line_force_close(bus->lines[i]);
	if (mb_poller_close_all(bus->poller, WRITE_TIMEOUT_MS) == -1)
		log_warnx("bus %s: not every valve answered the close: %s (a unit that does not "
		          "answer closes its valve by its own watchdog)",
		    bus->config->name, mb_strerror(errno));
}

static int
hw_number(const struct gw_line_hw *hw)
{
	const struct gw *gw = hw->bus->gw;

	return gw->lines[hw - gw->hw].number;
}

/* Does a watchdog timeout read back from the unit hold the configured one?
 * (the write rounds it to the register's step: watchdog_tol) */
static int
watchdog_holds(const struct gw_line_hw *hw, double v)
{
	return !isnan(v) && v > 0 && fabs(v - hw->bus->gw->config->watchdog_ms) <= hw->watchdog_tol;
}

/* The unit no longer holds its watchdog timeout: it restarted, however
 * briefly (a power blip shorter than WATCHDOG_SILENT_MS goes unseen by the
 * reads).  Said once; written again by the caller or the next pass. */
static void
watchdog_lost(struct gw_line_hw *hw, double v, const char *when)
{
	if (hw->watchdog_set)
		log_warnx("line %d: the valve unit holds a watchdog timeout of %g ms (%s), not %d: "
		          "it restarted and forgot it; it is written again, and no valve opens "
		          "until it holds it",
		    hw_number(hw), v, when, hw->bus->gw->config->watchdog_ms);
	hw->watchdog_set = 0;
	hw->watchdog_retry_ms = 0;
}

/*
 * Read right after our own write, the unit keeps another value than the
 * one written: it clamps it to a range of its own, or the register is a
 * countdown.  No restart explains it, so writing it again at every check
 * would only wear out a unit that keeps it in EEPROM.  Said once, loudly;
 * written again only after a minute, then two, four ... at most an hour
 * (someone may have changed the unit, or watchdog_ms); and no valve opens
 * on that line meanwhile: a timeout the gateway cannot confirm is not a
 * watchdog it can count on (docs/fill-line.md, fail-safe behaviour).
 */
static void
watchdog_odd(struct gw_line_hw *hw, double v, int64_t now)
{
	if (!hw->watchdog_odd)
		log_warnx("line %d: the valve unit does not keep the watchdog timeout written to "
		          "it: %d ms written, %g ms read back at once (it clamps the value, or its "
		          "register is a countdown): no valve opens on this line until it does; "
		          "set watchdog_ms to a value the unit keeps, or fix its profile's "
		          "[watchdog] (docs/drivers.md); it is written again in %lld s",
		    hw_number(hw), hw->bus->gw->config->watchdog_ms, v,
		    (long long)(WATCHDOG_ODD_FIRST_MS / 1000));
	else
		log_debug("line %d: the valve unit still keeps %g ms as its watchdog timeout, "
		          "not %d",
		    hw_number(hw), v, hw->bus->gw->config->watchdog_ms);
	hw->watchdog_odd_wait = !hw->watchdog_odd ? WATCHDOG_ODD_FIRST_MS
	                        : hw->watchdog_odd_wait * 2 > WATCHDOG_ODD_MAX_MS
	                            ? WATCHDOG_ODD_MAX_MS
	                            : hw->watchdog_odd_wait * 2;
	hw->watchdog_odd = 1;
	hw->watchdog_set = 0;
	hw->watchdog_retry_ms = now + hw->watchdog_odd_wait;
}

/* A unit whose profile says its timeout cannot be read back (poll = no):
 * written and waited for, as only the write's answer tells; rare (at
 * start-up, and after WATCHDOG_SILENT_MS of silence). */
static int
watchdog_write_blind(struct gw_line_hw *hw, int64_t now)
{
	char why[128];

	if (mb_poller_write(hw->bus->poller, hw->valve, MB_SIG_WATCHDOG,
	        hw->bus->gw->config->watchdog_ms, 0, WRITE_TIMEOUT_MS, why, sizeof(why)) == -1) {
		hw->watchdog_retry_ms = now + 2000;
		return -1;
	}
	hw->watchdog_set = 1;
	log_info("line %d: valve watchdog set to %d ms", hw_number(hw),
	    hw->bus->gw->config->watchdog_ms);
	return 0;
}

/* Queue a read-back of the timeout, after a write of it when write: no
 * waiting, the answer is looked at by watchdog_collect. */
static void
watchdog_queue(struct gw_line_hw *hw, int write, int64_t now)
{
	struct mb_snapshot snap;
	char why[128];

	if (mb_poller_snapshot(hw->bus->poller, hw->valve, &snap) == -1)
		return;
	if (write &&
	    mb_poller_write(hw->bus->poller, hw->valve, MB_SIG_WATCHDOG,
	        hw->bus->gw->config->watchdog_ms, MB_WRITE_NOWAIT, 0, why, sizeof(why)) == -1) {
		hw->watchdog_retry_ms = now + 2000;
		return;
	}
	hw->watchdog_check_ms = now + WATCHDOG_CHECK_MS;
	if (mb_poller_read_once(hw->bus->poller, hw->valve, MB_SIG_WATCHDOG, NULL, MB_WRITE_NOWAIT,
	        0, why, sizeof(why)) == -1) {
		if (write)
			hw->watchdog_retry_ms = now + 2000;
		return;
	}
	hw->watchdog_asked_ms = now;
	hw->watchdog_wrote = write;
	hw->watchdog_wfail = snap.writes_failed;
	hw->watchdog_once_before = snap.once_seq;
	if (hw->watchdog_fill_ms > 0)
		hw->watchdog_fill_queued = 1;
}

/* What came back of the read-back queued, if it did. */
static void
watchdog_collect(struct gw_line_hw *hw, int64_t now)
{
	struct mb_snapshot snap;
	int64_t asked = hw->watchdog_asked_ms;
	int wrote = hw->watchdog_wrote;

	if (asked == 0 || mb_poller_snapshot(hw->bus->poller, hw->valve, &snap) == -1)
		return;
	/* counted, not timed: the one before ours may have finished in the
	 * very millisecond ours was queued, and ours in the same */
	if (snap.once_seq <= hw->watchdog_once_before || snap.once_signal != MB_SIG_WATCHDOG) {
		if (now - asked > WATCHDOG_CHECK_MS + WRITE_TIMEOUT_MS) {
			/* never performed (the bus went down): asked again */
			hw->watchdog_asked_ms = 0;
			if (wrote)
				hw->watchdog_retry_ms = now + 2000;
		}
		return;
	}
	hw->watchdog_asked_ms = 0;
	hw->watchdog_wrote = 0;
	if (snap.once_errno != 0) {
		/* a unit silent for a moment: asked again at the next check,
		 * written again in 2 s */
		if (wrote)
			hw->watchdog_retry_ms = now + 2000;
		return;
	}
	if (watchdog_holds(hw, snap.once_value)) {
		hw->watchdog_good_ms = asked;
		if (hw->watchdog_odd)
			log_warnx("line %d: the valve unit keeps its watchdog timeout of %d ms now",
			    hw_number(hw), hw->bus->gw->config->watchdog_ms);
		else if (wrote)
			log_info("line %d: valve watchdog set to %d ms", hw_number(hw),
			    hw->bus->gw->config->watchdog_ms);
		hw->watchdog_set = 1;
		hw->watchdog_odd = 0;
		hw->watchdog_odd_wait = 0;
		return;
	}
	if (!wrote) {
		watchdog_lost(hw, snap.once_value, "read back");
		return;
	}
	if (snap.writes_failed != hw->watchdog_wfail) {
		/* a write to the unit failed meanwhile, maybe ours: not the
		 * unit's own doing */
		hw->watchdog_retry_ms = now + 2000;
		return;
	}
	watchdog_odd(hw, snap.once_value, now);
}

/* One line's watchdog, in its bus thread: what came back, then what to
 * ask next. */
static void
watchdog_tend(struct gw_line_hw *hw, int64_t now)
{
	struct mb_snapshot snap;

	if (mb_poller_snapshot(hw->bus->poller, hw->valve, &snap) == -1)
		return;
	if (snap.updated_ms > 0 && now - snap.updated_ms >= WATCHDOG_SILENT_MS &&
	    snap.link != MB_LINK_UP) {
		if (hw->watchdog_set)
			log_warnx("line %d: the valve unit has not answered for %lld ms: its "
			          "watchdog is written again when it answers (a unit that "
			          "restarted forgets it); no fill starts until then",
			    hw_number(hw), (long long)(now - snap.updated_ms));
		/* written when it answers again, even one that kept another
		 * value: it may have been replaced (its back-off goes on
		 * doubling, and is not said again, if it still does) */
		hw->watchdog_set = 0;
		hw->watchdog_asked_ms = 0;
		hw->watchdog_wrote = 0;
		hw->watchdog_retry_ms = 0;
		return; /* a write now would only wait out its time-out */
	}
	if (!hw->watchdog_readable) {
		if (!hw->watchdog_set && now >= hw->watchdog_retry_ms)
			watchdog_write_blind(hw, now);
		return;
	}
	watchdog_collect(hw, now);
	/* one request at a time, and none to a unit whose last read failed:
	 * it would hold the bus a response time-out for nothing */
	if (hw->watchdog_asked_ms > 0 || snap.link != MB_LINK_UP)
		return;
	if (!hw->watchdog_set) {
		if (now >= hw->watchdog_retry_ms)
			watchdog_queue(hw, 1, now);
		return;
	}
	if ((hw->watchdog_fill_ms > 0 && !hw->watchdog_fill_queued) ||
	    (!hw->idle_paced && now >= hw->watchdog_check_ms))
		watchdog_queue(hw, 0, now);
}

/*
 * Write the watchdog timeout into every valve unit that has not taken it
 * yet (the bus may have been down at start-up), every 2 s until it has,
 * and again after a unit was silent for WATCHDOG_SILENT_MS: a unit that
 * restarts (a power cut at the unit alone) comes back with its power-on
 * timeout, which may be none, and would then leave its valve open if the
 * gateway stopped mid-fill.  Until a unit holds it, its line opens no valve
 * (hw_watchdog_ready).  Written only then, not at intervals: some units
 * keep the setting in EEPROM, which a write every few seconds wears out
 * (and one that keeps another value than written, only after a back-off:
 * watchdog_odd).  Each write is read back.  A restart too short to be
 * silent that long is caught by reading the timeout back: when a start
 * begins its checks (hw_watchdog_ask), and every WATCHDOG_CHECK_MS while
 * the line is not idle (a restart mid-fill, of a unit that may bring its
 * valve back open).  Every request is queued with the writes, never waited
 * for: this thread cuts off every line of the bus, and one line's valve
 * unit that does not answer must not hold another's cut-off; the next
 * pass looks at the answer.  An idle line costs nothing.
 */
static void
watchdog_setup(struct gw_busrt *bus, int64_t now)
{
	struct gw *gw = bus->gw;
	size_t i;

	for (i = 0; i < gw->line_count; i++)
		if (gw->hw[i].bus == bus)
			watchdog_tend(&gw->hw[i], now);
}

/* line_io.watchdog_ask: a start begins its checks; the timeout is read
 * back now (queued), and the open waits for the answer (hw_watchdog_ready).
 * One that lost it gets it again at once and is read once more, so the
 * fill need not wait long. */
static void
hw_watchdog_ask(void *ctx)
{
	struct gw_line_hw *hw = ctx;
	int64_t now = time_mono_ms();

	hw->watchdog_fill_ms = now;
	hw->watchdog_fill_queued = 0;
	watchdog_tend(hw, now);
}

/* line_io.watchdog_ready, in the bus thread, before a fill opens the
 * valve: from the answers that came back since hw_watchdog_ask, never
 * waiting for one. */
static int
hw_watchdog_ready(void *ctx)
{
	struct gw_line_hw *hw = ctx;
	struct mb_snapshot snap;
	int64_t now = time_mono_ms();

	if (!hw->watchdog_readable) /* poll = no: only the 3 s of silence tell */
		return hw->watchdog_set ? LINE_WD_HELD : LINE_WD_NOT;
	watchdog_collect(hw, now);
	/* held only by a read-back queued within WATCHDOG_FRESH_MS of the
	 * open (rev104: one from the start of the checks let a valve open on
	 * a unit that had restarted since, holding no timeout) */
	if (hw->watchdog_set && hw->watchdog_good_ms > 0 &&
	    now - hw->watchdog_good_ms <= WATCHDOG_FRESH_MS)
		return LINE_WD_HELD;
	if (hw->watchdog_asked_ms > 0)
		return LINE_WD_WAIT;
	if (hw->watchdog_odd)
		return LINE_WD_OTHER;
	if (hw->watchdog_set && hw->watchdog_fill_ms > 0 && hw->watchdog_fill_queued) {
		/* the answer came and is old by now: asked again */
		hw->watchdog_fill_ms = now;
		hw->watchdog_fill_queued = 0;
	}
	/* asked at the end of this pass (watchdog_setup): read back, or
	 * written again after a read-back found it lost */
	if (((!hw->watchdog_set && now >= hw->watchdog_retry_ms) ||
	        (hw->watchdog_fill_ms > 0 && !hw->watchdog_fill_queued)) &&
	    mb_poller_snapshot(hw->bus->poller, hw->valve, &snap) == 0 && snap.link == MB_LINK_UP)
		return LINE_WD_WAIT;
	return LINE_WD_NOT;
}

/*
 * An idle line (valve commanded closed and acknowledged, no fill, no
 * emergency, no watch) needs its valve unit's feedback only to show the link
 * in gasctl status: R23 watches the weight, R24 counts only during a fill,
 * and the heartbeat, written at its own rate whatever the reads, still fails
 * at once on a dead link.  Its scale shows the weight (gasctl status, watch)
 * and nothing else: no rule reads an idle line's weight (R23's watch after a
 * fill is not idle), and a start waits for a stable weight read at the full
 * rate again.  So while the line is idle its valve unit is read once every
 * IDLE_VALVE_MS and its scale every IDLE_SCALE_MS (one read in twenty and
 * one in four at 20 Hz: each request costs the poller a sleep and a
 * wake-up, most of gasgw's CPU), and both at the full rate again, at once,
 * as soon as the line leaves idle (a cylinder identified, a start): long
 * before the valve can open.  Until a unit's first read at the full rate,
 * the slow staleness still holds for its reading from before, so the
 * switch shows no link fault.  A filling controller is one unit that also
 * reports its valve: it stays at the full rate.
 */
static int
set_pace(struct gw_busrt *bus, int unit, struct gw_pace *pace, int slow, int64_t now)
{
	if (pace->slow_ms > 0 &&
	    mb_poller_set_interval(bus->poller, unit, slow ? pace->slow_ms : 0) == -1)
		return -1;
	pace->fast_since = slow ? INT64_MAX : now;
	return 0;
}

static void
pace_units(struct gw_busrt *bus, struct gw_line_hw *hw, const struct line *line, int64_t now)
{
	int slow = line->state == LINE_IDLE && !line->valve_commanded_open &&
	           !line->valve_close_pending && !line->emergency && !line->force_close &&
	           !line->watch && !line->held_wait;
	uint32_t bit = 1u << bus->unit_line[hw->scale];

	if (slow == hw->idle_paced)
		return;
	/* an idle line's readings wait for the next pass (notify) */
	pthread_mutex_lock(&bus->lock);
	bus->urgent_lines = slow ? bus->urgent_lines & ~bit : bus->urgent_lines | bit;
	pthread_mutex_unlock(&bus->lock);
	if (!hw->filler && (set_pace(bus, hw->valve, &hw->valve_pace, slow, now) == -1 ||
	                       set_pace(bus, hw->scale, &hw->scale_pace, slow, now) == -1))
		return;
	hw->idle_paced = slow;
}

/* The pace of a unit read every slow_ms while idle on a bus polled every
 * base_ms: none when the bus is as slow already. */
static struct gw_pace
pace_of(int slow_ms, int base_ms, int response_timeout_ms)
{
	struct gw_pace pace = { .slow_ms = slow_ms > base_ms ? slow_ms : 0 };

	pace.slow_stale_ms =
	    3 * (int64_t)(pace.slow_ms > 0 ? pace.slow_ms : base_ms) + response_timeout_ms;
	return pace;
}

/*
 * When the interlock thread must next step its lines, having stepped them
 * at now: STEP_MAX_MS while any line is not idle (its timers: R22, R24,
 * the cut-off's watch), else when an idle line's own timers fall due (its
 * heartbeat, the re-assertion of its closed valve: line_idle_due), at most
 * IDLE_STEP_MAX_MS.  A bus of idle lines then wakes its interlock about
 * once per heartbeat period instead of 20 times a second; each wake-up is
 * a context switch, most of what gasgw costs (docs/drivers.md).  Anything
 * that makes a line leave idle wakes the thread at once: a mailbox request
 * (io.kick), a weight while the line is watched (notify).
 */
static int64_t
next_pass(struct gw_busrt *bus, int64_t now)
{
	int64_t next = now + IDLE_STEP_MAX_MS, due;
	uint32_t urgent;
	size_t i;

	pthread_mutex_lock(&bus->lock);
	urgent = bus->urgent_lines;
	pthread_mutex_unlock(&bus->lock);
	if (urgent != 0)
		return now + STEP_MAX_MS;
	for (i = 0; i < bus->line_count; i++) {
		due = line_idle_due(bus->lines[i]);
		/* a timer not reset by the last step (no heartbeat while
		 * the database fails): looked at again at the usual rate */
		if (due <= now)
			due = now + STEP_MAX_MS;
		if (due < next)
			next = due;
	}
	return next;
}

static void *
bus_thread(void *arg)
{
	struct gw_busrt *bus = arg;
	struct timespec until;
	uint32_t fresh;
	int64_t now, next = 0;
	size_t i;
	int all;

	while (!bus->gw->stop) {
		pthread_mutex_lock(&bus->lock);
		if (!bus->fresh && next > time_mono_ms()) {
			until.tv_sec = next / 1000;
			until.tv_nsec = (long)(next % 1000) * 1000000L;
			pthread_cond_timedwait(&bus->wake, &bus->lock, &until);
		}
		bus->fresh = 0;
		fresh = bus->fresh_lines;
		bus->fresh_lines = 0;
		pthread_mutex_unlock(&bus->lock);
		/* A line is stepped when one of its units brought news, when
		 * its idle timers fall due, and every line at least every
		 * STEP_MAX_MS while any is not idle (timers). */
		now = time_mono_ms();
		all = now - bus->last_all_ms >= STEP_MAX_MS;
		if (all)
			bus->last_all_ms = now;
		for (i = 0; i < bus->line_count; i++) {
			if (all || (fresh & (1u << i)) || line_idle_due(bus->lines[i]) <= now)
				line_step(bus->lines[i], now);
			pace_units(bus, bus->lines[i]->io.ctx, bus->lines[i], now);
		}
		watchdog_setup(bus, now);
		bus->loop_ms = now;
		next = next_pass(bus, now);
	}
	return NULL;
}

int
gw_healthy(struct gw *gw, int64_t now)
{
	size_t b;

	for (b = 0; b < gw->bus_count; b++)
		if (!gw->buses[b].running || now - gw->buses[b].loop_ms > 1000)
			return 0;
	return 1;
}

static void
bus_config_of(const struct gw_bus *b, struct mb_bus_config *c)
{
	mb_bus_config_defaults(c);
	c->kind = strcmp(b->type, "tcp") == 0 ? MB_BUS_TCP : MB_BUS_RTU;
	str_copy(c->device, b->device, sizeof(c->device));
	c->baud = b->baud;
	c->parity = b->parity[0] == 'o' ? 'O' : b->parity[0] == 'n' ? 'N' : 'E';
	c->data_bits = b->data_bits;
	c->stop_bits = b->stop_bits;
	c->rs485 = b->rs485;
	str_copy(c->host, b->host, sizeof(c->host));
	c->port = b->port;
	c->response_timeout_ms = b->response_timeout_ms;
	c->byte_timeout_ms = b->byte_timeout_ms;
	c->poll_interval_ms = b->poll_hz > 0 ? 1000 / b->poll_hz : 50;
	/* A unit must be retried quickly while a fill runs: R24 waits only
	 * link_loss_ms, and a unit that answers again should be seen. */
	c->backoff_min_ms = 200;
	c->backoff_max_ms = 1000;
}

/* profile: as gw_config_load loaded and checked it for the unit's role */
static int
add_unit(struct gw_busrt *bus, int unit_id, const struct mb_profile *profile, int *index, char *err,
    size_t errlen)
{
	char why[256];

	if (mb_poller_add_unit(bus->poller, unit_id, profile, index, why, sizeof(why)) == -1)
		return err_set(err, errlen, "bus %s unit %d: %s", bus->config->name, unit_id, why);
	return 0;
}

int
gw_buses_open(struct gw *gw, char *err, size_t errlen)
{
	const struct gw_config *c = gw->config;
	struct mb_bus_config mbc;
	struct line_io io;
	char why[256];
	size_t b, i;
	int base_ms;

	gw->bus_count = c->bus_count;
	for (b = 0; b < c->bus_count; b++) {
		struct gw_busrt *bus = &gw->buses[b];

		bus->config = &c->buses[b];
		bus->gw = gw;
		pthread_condattr_t ca;

		pthread_mutex_init(&bus->lock, NULL);
		/* timed waits below count on the monotonic clock */
		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&bus->wake, &ca);
		pthread_condattr_destroy(&ca);
		bus_config_of(bus->config, &mbc);
		if (mb_poller_new(&mbc, notify, bus, &bus->poller, why, sizeof(why)) == -1)
			return err_set(err, errlen, "bus %s: %s", bus->config->name, why);
	}
	gw->line_count = c->line_count;
	for (i = 0; i < c->line_count; i++) {
		const struct gw_line *lc = &c->lines[i];
		struct gw_line_hw *hw = &gw->hw[i];
		struct gw_busrt *bus = NULL;

		for (b = 0; b < gw->bus_count; b++)
			if (strcmp(gw->buses[b].config->name, lc->bus) == 0)
				bus = &gw->buses[b];
		if (bus == NULL)
			return err_set(err, errlen, "line %d: no bus %s", lc->number, lc->bus);
		hw->bus = bus;
		/* a timeout read back within half the register's step holds it;
		 * one the profile says is not to be read (poll = no) is not */
		hw->watchdog_tol =
		    fabs((lc->filler ? &lc->scale : &lc->valve)->field[MB_SIG_WATCHDOG].scale) / 2 +
		    0.5;
		hw->watchdog_readable =
		    (lc->filler ? &lc->scale : &lc->valve)->field[MB_SIG_WATCHDOG].poll;
		if (bus->line_count >= 32)
			return err_set(err, errlen, "bus %s: more than 32 lines", lc->bus);
		base_ms = bus->config->poll_hz > 0 ? 1000 / bus->config->poll_hz : 50;
		hw->stale_ms = 3 * base_ms + bus->config->response_timeout_ms;
		hw->valve_pace = pace_of(IDLE_VALVE_MS, base_ms, bus->config->response_timeout_ms);
		hw->scale_pace = pace_of(lc->filler ? 0 : IDLE_SCALE_MS, base_ms,
		    bus->config->response_timeout_ms);
		if (add_unit(bus, lc->scale_unit, &lc->scale, &hw->scale, err, errlen) == -1)
			return -1;
		if (lc->filler) {
			hw->filler = 1;
			hw->valve = hw->scale;
			mb_poller_set_signals(bus->poller, hw->scale, FILLER_SIGNALS);
		} else if (add_unit(bus, lc->valve_unit, &lc->valve, &hw->valve, err, errlen) ==
		           -1) {
			return -1;
		} else {
			/* the feedback, or without one the command read back: a
			 * read the link state is known by */
			mb_poller_set_signals(bus->poller, hw->scale, SCALE_SIGNALS);
			mb_poller_set_signals(bus->poller, hw->valve,
			    lc->valve.field[MB_SIG_VALVE_FB].present &&
			            lc->valve.field[MB_SIG_VALVE_FB].poll
			        ? 1u << MB_SIG_VALVE_FB
			        : 1u << MB_SIG_VALVE_CMD);
		}
		bus->unit_line[hw->scale] = (int)bus->line_count;
		bus->unit_is_scale[hw->scale] = 1;
		bus->urgent_lines |= 1u << bus->line_count; /* until pace_units finds it idle */
		bus->unit_line[hw->valve] = (int)bus->line_count;
		memset(&io, 0, sizeof(io));
		io.ctx = hw;
		io.read = hw_read;
		io.valve = hw_valve;
		io.heartbeat = hw_heartbeat;
		io.close_bus = hw_close_bus;
		io.kick = hw_kick;
		io.watchdog_ask = hw_watchdog_ask;
		io.watchdog_ready = hw_watchdog_ready;
		if (hw->filler) {
			/* a filler has no valve to cut off: controller mode */
			io.ctl_start = hw_ctl_start;
			io.ctl_abort = hw_ctl_abort;
		}
		line_init(&gw->lines[i], c, lc, &gw->records, &io);
		bus->lines[bus->line_count++] = &gw->lines[i];
	}
	return 0;
}

int
gw_buses_start(struct gw *gw, char *err, size_t errlen)
{
	char why[256];
	size_t b;
	int64_t deadline;

	for (b = 0; b < gw->bus_count; b++)
		if (mb_poller_start(gw->buses[b].poller, why, sizeof(why)) == -1)
			return err_set(err, errlen, "bus %s: %s", gw->buses[b].config->name, why);
	/* Close every valve first (docs/design.md, V2); a bus that is not up
	 * yet is retried by each line's first steps. */
	deadline = time_mono_ms() + 2000;
	for (b = 0; b < gw->bus_count; b++) {
		while (mb_poller_close_all(gw->buses[b].poller, WRITE_TIMEOUT_MS) == -1 &&
		       time_mono_ms() < deadline)
			time_sleep_ms(50);
	}
	for (b = 0; b < gw->bus_count; b++) {
		if (pthread_create(&gw->buses[b].thread, NULL, bus_thread, &gw->buses[b]) != 0)
			return err_set(err, errlen, "bus %s: thread", gw->buses[b].config->name);
		gw->buses[b].running = 1;
	}
	return 0;
}

void
gw_buses_stop(struct gw *gw)
{
	size_t b, i;

	gw->stop = 1;
	for (b = 0; b < gw->bus_count; b++) {
		struct gw_busrt *bus = &gw->buses[b];

		if (bus->running) {
			pthread_mutex_lock(&bus->lock);
			pthread_cond_signal(&bus->wake);
			pthread_mutex_unlock(&bus->lock);
			pthread_join(bus->thread, NULL);
			bus->running = 0;
		}
	}
	/* The interlock threads are gone: settle what they left open. */
	for (i = 0; i < gw->line_count; i++)
		if (gw->buses[0].poller != NULL)
			line_shutdown(&gw->lines[i], time_mono_ms());
	for (b = 0; b < gw->bus_count; b++) {
		if (gw->buses[b].poller == NULL)
			continue;
		if (mb_poller_close_all(gw->buses[b].poller, WRITE_TIMEOUT_MS) == -1)
			log_warn("bus %s: closing the valves at shutdown",
			    gw->buses[b].config->name);
		mb_poller_free(gw->buses[b].poller);
		gw->buses[b].poller = NULL;
	}
	for (i = 0; i < gw->line_count; i++)
		line_free(&gw->lines[i]);
}

int
gw_line_gross(int number, void *arg, double *gross)
{
	struct gw *gw = arg;
	struct line_reading r;
	int64_t deadline = time_mono_ms() + 2000;
	size_t i;

	for (i = 0; i < gw->line_count; i++) {
		if (gw->lines[i].number != number)
			continue;
		do {
			hw_read(&gw->hw[i], &r);
			if (r.scale_ok) {
				*gross = r.gross_kg;
				return 0;
			}
			time_sleep_ms(50);
		} while (time_mono_ms() < deadline);
	}
	return -1;
}
