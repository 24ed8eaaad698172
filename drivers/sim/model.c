/*
 * model: the simulated station behind gassim's Modbus servers.  Each fill
 * line is a scale unit and a valve unit (or one filling-controller unit)
 * whose register maps follow device profiles, so the simulator can play any
 * profile the drivers can read.  Physics: a cylinder placed on the scale, LPG
 * flowing while the valve is open (slower as the cylinder fills), a valve
 * that takes close_delay_ms to close, scale noise and a motion flag.  The
 * valve watchdog closes the valve when the heartbeat stops changing: the
 * fail-safe the gateway relies on, which must hold when the gateway is dead.
 * Faults and cylinders are switched by the control commands (command.c),
 * which set struct sim_line's and sim_unit's members; every thing that
 * matters is written to the event log so tests can check the gateway
 * against the truth.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "util.h"

#define SCALE_CAPACITY_KG 200.0
#define MOTION_HOLD_MS 300
#define WEIGHT_LOG_MS 100

void
sim_event(struct sim *sim, int line, const char *event, const char *fmt, ...)
{
	char value[64] = "-";
	va_list ap;

	if (sim->events == NULL)
		return;
	if (fmt != NULL) {
		va_start(ap, fmt);
		vsnprintf(value, sizeof(value), fmt, ap);
		va_end(ap);
	}
	fprintf(sim->events, "%lld %d %s %s\n", (long long)time_wall_ms(), line, event, value);
	fflush(sim->events);
}

static double
uniform(struct sim *sim)
{
	/* xorshift64*: reproducible with --seed */
	uint64_t x = sim->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	sim->rng = x;
	return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

/* ---- registers through the profile ------------------------------------------ */

static uint16_t *
reg_table(struct sim_unit *u, enum mb_table t)
{
	return t == MB_INPUT ? u->map->tab_input_registers : u->map->tab_registers;
}

static void
put(struct sim_unit *u, enum mb_signal s, double value)
{
	const struct mb_field *f = &u->profile.field[s];
	uint16_t regs[2];

	if (!f->present)
		return;
	if (f->table == MB_COIL || f->table == MB_DISCRETE) {
		regs[0] = 0;
		mb_field_encode(f, value, regs); /* the profile's polarity */
		if (f->table == MB_COIL)
			u->map->tab_bits[f->address] = (uint8_t)regs[0];
		else
			u->map->tab_input_bits[f->address] = (uint8_t)regs[0];
		return;
	}
	regs[0] = reg_table(u, f->table)[f->address];
	if (mb_field_encode(f, value, regs) < 0)
		return; /* out of range for the type: leave the register */
	reg_table(u, f->table)[f->address] = regs[0];
	if (mb_field_width(f) == 2)
		reg_table(u, f->table)[f->address + 1] = regs[1];
}

static double
get(struct sim_unit *u, enum mb_signal s)
{
	const struct mb_field *f = &u->profile.field[s];
	uint16_t regs[2] = { 0, 0 };

	if (!f->present)
		return 0;
	if (f->table == MB_COIL)
		regs[0] = u->map->tab_bits[f->address];
	else if (f->table == MB_DISCRETE)
		regs[0] = u->map->tab_input_bits[f->address];
	else {
		regs[0] = reg_table(u, f->table)[f->address];
		if (mb_field_width(f) == 2)
			regs[1] = reg_table(u, f->table)[f->address + 1];
	}
	return mb_field_decode(f, regs);
}

static struct sim_unit *
unit_new(struct sim *sim, int id, int line, enum sim_role role, const struct mb_profile *p)
{
	struct sim_unit *u = calloc(1, sizeof(*u));
	int size[4] = { 0, 0, 0, 0 };

	if (u == NULL)
		return NULL;
	u->id = id;
	u->line = line;
	u->role = role;
	u->profile = *p;
	for (int s = 0; s < MB_SIG_COUNT; s++) {
		const struct mb_field *f = &p->field[s];
		int end = f->address + mb_field_width(f);
		if (f->present && end > size[f->table])
			size[f->table] = end;
	}
	u->map = modbus_mapping_new_start_address(0, (unsigned)size[MB_COIL], 0,
	    (unsigned)size[MB_DISCRETE], 0, (unsigned)size[MB_HOLDING], 0,
	    (unsigned)size[MB_INPUT]);
	if (u->map == NULL) {
		free(u);
		return NULL;
	}
	sim->unit[sim->nunits++] = u;
	return u;
}

/* Load a line's scale-side profile and, unless it is a filler, its valve
 * profile; *combined says which. */
static int
load_pair(const char *name, const char *valve_name, const char *dir, struct mb_profile *scale,
    struct mb_profile *valve, int *combined, char *err, size_t errlen)
{
	if (mb_profile_load(name, dir, scale, err, errlen) < 0)
		return -1;
	if (!scale->field[MB_SIG_GROSS].present && !scale->field[MB_SIG_NET].present) {
		snprintf(err, errlen, "profile %s has no weight", scale->name);
		return -1;
	}
	*combined = strcmp(scale->kind, "filler") == 0;
	if (*combined)
		return 0;
	if (mb_profile_load(valve_name, dir, valve, err, errlen) < 0)
		return -1;
	if (!valve->field[MB_SIG_VALVE_CMD].present) {
		snprintf(err, errlen, "profile %s has no valve_cmd", valve->name);
		return -1;
	}
	return 0;
}

static int
build(struct sim *sim, const struct sim_config *config, char *err, size_t errlen)
{
	struct mb_profile scale, valve, line_scale, line_valve;
	int combined, line_combined, per_line = 0;
	int64_t now = time_mono_ms();

	memset(sim, 0, sizeof(*sim));
	sim->config = *config;
	sim->rng = config->seed ? config->seed : 0x9e3779b97f4a7c15ULL;
	if (config->lines < 1 || config->lines > SIM_MAX_LINES) {
		snprintf(err, errlen, "--lines: 1 to %d", SIM_MAX_LINES);
		return -1;
	}
	if (load_pair(config->profile, config->valve_profile, config->profiles_dir, &scale, &valve,
	        &combined, err, errlen) < 0)
		return -1;
	for (int i = 0; i < SIM_MAX_LINES; i++) {
		if (config->line_profile[i] == NULL)
			continue;
		if (i >= config->lines) {
			snprintf(err, errlen, "--line-profile %d: only %d line(s)", i + 1,
			    config->lines);
			return -1;
		}
		per_line = 1;
	}
	for (int i = 0; i < config->lines; i++) {
		struct sim_line *l = &sim->line[i];
		struct mb_profile *ls = &scale, *lv = &valve;
		int c = combined;

		l->number = i + 1;
		if (config->line_profile[i] != NULL) {
			if (load_pair(config->line_profile[i],
			        config->line_valve_profile[i] ? config->line_valve_profile[i]
			                                      : config->valve_profile,
			        config->profiles_dir, &line_scale, &line_valve, &line_combined, err,
			        errlen) < 0)
				return -1;
			ls = &line_scale;
			lv = &line_valve;
			c = line_combined;
		}
		/* Units: 2L-1 and 2L; a filler is unit L when every line is one
		 * (--profile), unit 2L-1 when lines are mixed (--line-profile). */
		if (c) {
			int id = per_line ? 2 * i + 1 : i + 1;
			l->scale = l->valve = unit_new(sim, id, i + 1, SIM_FILLER, ls);
		} else {
			l->scale = unit_new(sim, 2 * i + 1, i + 1, SIM_SCALE, ls);
			l->valve = unit_new(sim, 2 * i + 2, i + 1, SIM_VALVE, lv);
		}
		if (l->scale == NULL || l->valve == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		l->capacity = 15.0;
		l->flow = config->flow;
		l->noise = config->noise;
		l->close_delay_ms = config->close_delay_ms;
		l->watchdog_ms = config->watchdog_ms;
		l->hb_changed_ms = now;
		put(l->valve, MB_SIG_WATCHDOG, config->watchdog_ms);
		l->last_hb = get(l->valve, MB_SIG_HEARTBEAT);
	}
	sim->nlines = config->lines;
	sim->last_tick_ms = now;
	sim_tick(sim, now);
	return 0;
}

int
sim_init(struct sim *sim, const struct sim_config *config, char *err, size_t errlen)
{
	if (build(sim, config, err, errlen) < 0) {
		sim_free(sim);
		return -1;
	}
	return 0;
}

void
sim_free(struct sim *sim)
{
	for (int i = 0; i < sim->nunits; i++) {
		modbus_mapping_free(sim->unit[i]->map);
		free(sim->unit[i]);
	}
	sim->nunits = 0;
}

struct sim_unit *
sim_unit_by_id(struct sim *sim, int id)
{
	for (int i = 0; i < sim->nunits; i++)
		if (sim->unit[i]->id == id)
			return sim->unit[i];
	return NULL;
}

/* ---- valve ------------------------------------------------------------------------ */

static void
valve_command(struct sim *sim, struct sim_line *l, int open, int64_t now, const char *why)
{
	if (open == l->valve_cmd)
		return;
	l->valve_cmd = open;
	put(l->valve, MB_SIG_VALVE_CMD, open);
	sim_event(sim, l->number, open ? "valve_cmd_open" : "valve_cmd_close", "%s", why);
	if (open) {
		/* the open command counts as a sign of life for the watchdog */
		l->hb_changed_ms = now;
		l->close_at_ms = 0;
		if (!l->valve_open) {
			l->valve_open = 1;
			sim_event(sim, l->number, "valve_opened", "%.3f", l->tare + l->lpg);
		}
	} else if (l->valve_open && l->close_at_ms == 0) {
		if (l->valve_stuck)
			sim_event(sim, l->number, "valve_stuck_open", NULL);
		else
			l->close_at_ms = now + l->close_delay_ms;
	}
}

static void
watchdog(struct sim *sim, struct sim_line *l, int64_t now)
{
	if (!l->valve_cmd || l->watchdog_ms <= 0 || now - l->hb_changed_ms <= l->watchdog_ms)
		return;
	l->watchdog_trips++;
	sim_event(sim, l->number, "watchdog_close", "%lld", (long long)(now - l->hb_changed_ms));
	if (l->filling) {
		l->filling = 0;
		l->fill_alarm = 1;
	}
	valve_command(sim, l, 0, now, "watchdog");
}

void
sim_unit_restart(struct sim *sim, struct sim_unit *u, int ms, int64_t now)
{
	struct sim_line *l = &sim->line[u->line - 1];

	u->restart_until_ms = now + ms;
	sim_event(sim, l->number, "restart", "%d:%d", u->id, ms);
	if (u != l->valve)
		return;
	if (l->filling) {
		l->filling = 0;
		l->fill_alarm = 1;
	}
	valve_command(sim, l, 0, now, "restart");
	l->watchdog_ms = sim->config.watchdog_ms;
	if (u->profile.field[MB_SIG_WATCHDOG].present)
		put(u, MB_SIG_WATCHDOG, sim->config.watchdog_ms);
}

int
sim_unit_silent(const struct sim_unit *u, int64_t now)
{
	return u->dead || now < u->restart_until_ms;
}

/* ---- commands written by the master -------------------------------------------- */

void
sim_after_request(struct sim *sim, struct sim_unit *u, int64_t now)
{
	struct sim_line *l = &sim->line[u->line - 1];
	double hb;

	if (u != l->valve)
		return;
	hb = get(u, MB_SIG_HEARTBEAT);
	if (hb != l->last_hb) {
		l->last_hb = hb;
		l->hb_changed_ms = now;
	}
	if (u->profile.field[MB_SIG_WATCHDOG].present) {
		int wd = (int)get(u, MB_SIG_WATCHDOG);

		if (wd != l->watchdog_ms)
			sim_event(sim, l->number, "watchdog_written", "%d", wd);
		/* --watchdog-max-ms: a unit that keeps at most this, whatever
		 * it was sent (it clamps the value) */
		if (sim->config.watchdog_max_ms > 0 && wd > sim->config.watchdog_max_ms) {
			wd = sim->config.watchdog_max_ms;
			put(u, MB_SIG_WATCHDOG, wd);
		}
		l->watchdog_ms = wd;
	}
	if (u->profile.field[MB_SIG_VALVE_CMD].present) {
		int cmd = get(u, MB_SIG_VALVE_CMD) != 0.0;
		if (cmd != l->valve_cmd) {
			/* valve_command writes the register back; restore the old value first */
			put(u, MB_SIG_VALVE_CMD, l->valve_cmd);
			valve_command(sim, l, cmd, now, "master");
		}
	}
	if (u->role != SIM_FILLER)
		return;
	l->target = get(u, MB_SIG_TARGET);
	if (get(u, MB_SIG_START) != 0.0) {
		put(u, MB_SIG_START, 0);
		if (!l->present || l->target <= 0 || l->filling) {
			l->fill_alarm = 1;
			sim_event(sim, l->number, "fill_refused", "%.3f", l->target);
		} else {
			l->fill_tare = l->tare + l->lpg;
			l->filling = 1;
			l->fill_done = 0;
			l->fill_alarm = 0;
			sim_event(sim, l->number, "fill_start", "%.3f", l->target);
			valve_command(sim, l, 1, now, "start");
		}
	}
	if (get(u, MB_SIG_ABORT) != 0.0) {
		put(u, MB_SIG_ABORT, 0);
		sim_event(sim, l->number, "fill_abort", "%.3f", l->tare + l->lpg - l->fill_tare);
		l->filling = 0;
		valve_command(sim, l, 0, now, "abort");
	}
}

/* ---- physics ------------------------------------------------------------------ */

static void
line_tick(struct sim *sim, struct sim_line *l, int64_t now, double dt)
{
	double gross, net;

	if (l->close_at_ms != 0 && now >= l->close_at_ms) {
		l->close_at_ms = 0;
		l->valve_open = 0;
		sim_event(sim, l->number, "valve_closed", "%.3f", l->tare + l->lpg);
	}
	watchdog(sim, l, now);
	l->rate = 0;
	if (l->present) {
		if (l->valve_open) {
			double frac = l->capacity > 0 ? l->lpg / l->capacity : 0;
			/* back-pressure: the rate falls as the cylinder fills */
			l->rate = l->flow * (1.0 - 0.6 * (frac > 1 ? 1 : frac));
		}
		l->rate += l->leak;
		l->lpg += l->rate * dt;
		if (l->lpg < 0)
			l->lpg = 0;
	}
	gross = l->present ? l->tare + l->lpg : 0;
	if (fabs(gross - l->last_true) > 1e-6)
		l->moved_ms = now;
	l->last_true = gross;
	l->motion = now - l->moved_ms < MOTION_HOLD_MS;

	/* filler cut-off: close early by what flows during the valve's closing */
	if (l->valve->role == SIM_FILLER && l->filling) {
		net = gross - l->fill_tare;
		if (l->valve_cmd && net >= l->target - l->rate * l->close_delay_ms / 1000.0) {
			sim_event(sim, l->number, "cutoff", "%.3f", net);
			valve_command(sim, l, 0, now, "cutoff");
		} else if (!l->valve_cmd && !l->valve_open && !l->motion) {
			l->filling = 0;
			l->fill_done = 1;
			sim_event(sim, l->number, "fill_done", "%.3f", net);
		}
	}

	/* what the master sees */
	if (!l->weight_stuck)
		l->shown = gross + (l->noise > 0 ? (uniform(sim) * 2 - 1) * l->noise : 0);
	net = l->shown - (l->valve->role == SIM_FILLER ? l->fill_tare : 0);
	put(l->scale, MB_SIG_GROSS, l->shown);
	put(l->scale, MB_SIG_NET, net);
	put(l->scale, MB_SIG_MOTION, l->weight_stuck ? 0 : l->motion);
	put(l->scale, MB_SIG_STABLE, l->weight_stuck ? 1 : !l->motion);
	put(l->scale, MB_SIG_OVERLOAD, gross > SCALE_CAPACITY_KG);
	put(l->scale, MB_SIG_ERROR, 0);
	put(l->valve, MB_SIG_VALVE_FB, l->valve_open);
	if (l->valve->role == SIM_FILLER) {
		put(l->valve, MB_SIG_FILLING, l->filling);
		put(l->valve, MB_SIG_FILL_DONE, l->fill_done);
		put(l->valve, MB_SIG_FILL_ALARM, l->fill_alarm);
	}

	/* the truth for tests: weight while it moves, and where it settles */
	if (l->motion && now - l->weight_log_ms >= WEIGHT_LOG_MS) {
		l->weight_log_ms = now;
		l->weight_logged = gross;
		sim_event(sim, l->number, "weight", "%.3f", gross);
	} else if (!l->motion && fabs(gross - l->weight_logged) > 1e-6) {
		l->weight_logged = gross;
		sim_event(sim, l->number, "weight", "%.3f", gross);
	}
}

void
sim_tick(struct sim *sim, int64_t now)
{
	double dt = (now - sim->last_tick_ms) / 1000.0;

	if (dt < 0)
		dt = 0;
	sim->last_tick_ms = now;
	for (int i = 0; i < sim->nlines; i++)
		line_tick(sim, &sim->line[i], now, dt);
}
