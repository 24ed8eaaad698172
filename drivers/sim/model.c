/*
 * model: the simulated station behind gassim's Modbus servers.  Each fill
 * line is a scale unit and a valve unit (or one filling-controller unit)
 * whose register maps follow device profiles, so the simulator can play any
 * profile the drivers can read.  Physics: a cylinder placed on the scale, LPG
 * flowing while the valve is open (slower as the cylinder fills), a valve
 * that takes close_delay_ms to close, scale noise and a motion flag.  The
 * valve watchdog closes the valve when the heartbeat stops changing: the
 * fail-safe the gateway relies on, which must hold when the gateway is dead.
 * Faults and cylinders are switched by text commands (sim_command); every
 * thing that matters is written to the event log so tests can check the
 * gateway against the truth.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

#define SCALE_CAPACITY_KG 200.0
#define MOTION_HOLD_MS 300
#define WEIGHT_LOG_MS 100

int64_t
sim_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
sim_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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
	fprintf(sim->events, "%lld %d %s %s\n", (long long)sim_wall_ms(), line, event, value);
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

int
sim_init(struct sim *sim, const struct sim_config *config, char *err, size_t errlen)
{
	struct mb_profile scale, valve, line_scale, line_valve;
	int combined, line_combined, per_line = 0;
	int64_t now = sim_now_ms();

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
	if (u->profile.field[MB_SIG_WATCHDOG].present)
		l->watchdog_ms = (int)get(u, MB_SIG_WATCHDOG);
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

/* ---- control commands ---------------------------------------------------------- */

struct out_buf {
	char *p;
	size_t len, used;
};

static void say(struct out_buf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
say(struct out_buf *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->used >= o->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->used += (size_t)n < o->len - o->used ? (size_t)n : o->len - o->used - 1;
}

static int
parse_line(struct sim *sim, const char *text, struct sim_line **l)
{
	char *end;
	long n = strtol(text, &end, 10);

	if (end == text || *end != '\0' || n < 1 || n > sim->nlines)
		return -1;
	*l = &sim->line[n - 1];
	return 0;
}

static int
parse_num(const char *text, double min, double max, double *out)
{
	char *end;
	double d;

	if (text == NULL)
		return -1;
	d = strtod(text, &end);
	if (end == text || *end != '\0' || !isfinite(d) || d < min || d > max)
		return -1;
	*out = d;
	return 0;
}

static int
parse_onoff(const char *text, int *out)
{
	if (text == NULL)
		return -1;
	if (strcmp(text, "on") == 0 || strcmp(text, "1") == 0)
		*out = 1;
	else if (strcmp(text, "off") == 0 || strcmp(text, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* "N", "N:scale", "N:valve": the units selected; returns how many (0 = bad). */
static int
parse_units(struct sim *sim, const char *text, struct sim_unit *out[2])
{
	char buf[32];
	char *colon;
	struct sim_line *l;

	snprintf(buf, sizeof(buf), "%s", text);
	colon = strchr(buf, ':');
	if (colon != NULL)
		*colon++ = '\0';
	if (parse_line(sim, buf, &l) < 0)
		return 0;
	if (colon == NULL || l->scale == l->valve) {
		if (colon != NULL && strcmp(colon, "scale") != 0 && strcmp(colon, "valve") != 0)
			return 0;
		out[0] = l->scale;
		out[1] = l->valve;
		return l->scale == l->valve ? 1 : 2;
	}
	if (strcmp(colon, "scale") == 0)
		out[0] = l->scale;
	else if (strcmp(colon, "valve") == 0)
		out[0] = l->valve;
	else
		return 0;
	return 1;
}

static const char *const command_help =
    "place LINE TARE_KG [LPG_KG [CAPACITY_KG]]   put a cylinder on the scale\n"
    "remove LINE                                  take it off\n"
    "dead UNITS on|off                            unit(s) stop answering\n"
    "slow UNITS MS                                delay every reply by MS\n"
    "exception UNITS CODE                         answer with exception CODE (0 = off)\n"
    "crc UNITS on|off                             RTU: replies with a bad CRC\n"
    "garbage UNITS on|off                         RTU: replies with random bytes\n"
    "stuck LINE on|off                            weight display frozen\n"
    "valve-stuck LINE on|off                      valve will not close\n"
    "leak LINE KG_PER_S                           weight rises whatever the valve (0 = off)\n"
    "flow LINE KG_PER_S                           nominal flow with the valve open\n"
    "noise LINE KG                                scale noise, uniform +/-\n"
    "close-delay LINE MS                          valve closing time\n"
    "status                                       the state of every line\n"
    "help                                         this list\n"
    "UNITS is LINE (its units), LINE:scale or LINE:valve.\n";

static void
status(struct sim *sim, struct out_buf *o)
{
	for (int i = 0; i < sim->nlines; i++) {
		struct sim_line *l = &sim->line[i];
		say(o,
		    "line %d units %d,%d present %d tare %.3f lpg %.3f gross %.3f shown %.3f "
		    "valve %s cmd %d flow %.3f motion %d watchdog_ms %d watchdog_trips %llu",
		    l->number, l->scale->id, l->valve->id, l->present, l->tare, l->lpg,
		    l->present ? l->tare + l->lpg : 0.0, l->shown,
		    l->valve_open ? (l->close_at_ms ? "closing" : "open") : "closed", l->valve_cmd,
		    l->rate, l->motion, l->watchdog_ms, (unsigned long long)l->watchdog_trips);
		if (l->valve->role == SIM_FILLER)
			say(o, " target %.3f filling %d done %d alarm %d", l->target, l->filling,
			    l->fill_done, l->fill_alarm);
		say(o, " faults");
		if (l->weight_stuck)
			say(o, " stuck");
		if (l->valve_stuck)
			say(o, " valve-stuck");
		if (l->leak > 0)
			say(o, " leak=%.3f", l->leak);
		for (int k = 0; k < 2; k++) {
			struct sim_unit *u = k == 0 ? l->scale : l->valve;
			if (k == 1 && u == l->scale)
				break;
			if (u->dead)
				say(o, " dead=%d", u->id);
			if (u->slow_ms)
				say(o, " slow=%d:%d", u->id, u->slow_ms);
			if (u->exception)
				say(o, " exception=%d:%d", u->id, u->exception);
			if (u->crc)
				say(o, " crc=%d", u->id);
			if (u->garbage)
				say(o, " garbage=%d", u->id);
		}
		say(o, "\n");
	}
	say(o,
	    "bus rtu_requests %llu rtu_gap_violations %llu rtu_bad_frames %llu "
	    "tcp_requests %llu\n",
	    (unsigned long long)sim->rtu_requests, (unsigned long long)sim->rtu_gap_violations,
	    (unsigned long long)sim->rtu_bad_frames, (unsigned long long)sim->tcp_requests);
}

int
sim_command(struct sim *sim, const char *text, char *out, size_t outlen)
{
	struct out_buf o = { out, outlen, 0 };
	char buf[256];
	char *argv[8];
	int argc = 0, on;
	struct sim_line *l = NULL;
	struct sim_unit *units[2];
	int nu;
	double d, d2, d3;
	char *save = NULL, *tok;
	int64_t now = sim_now_ms();

	out[0] = '\0';
	snprintf(buf, sizeof(buf), "%s", text);
	for (tok = strtok_r(buf, " \t\r\n", &save); tok != NULL && argc < 8;
	     tok = strtok_r(NULL, " \t\r\n", &save))
		argv[argc++] = tok;
	if (argc == 0 || argv[0][0] == '#') {
		say(&o, "ok\n");
		return 0;
	}
	sim_tick(sim, now);
#define NEED(n)                                                                                    \
	if (argc != (n))                                                                           \
	goto usage
	if (strcmp(argv[0], "help") == 0) {
		say(&o, "%sok\n", command_help);
		return 0;
	} else if (strcmp(argv[0], "status") == 0) {
		status(sim, &o);
	} else if (strcmp(argv[0], "place") == 0) {
		if (argc < 3 || argc > 5 || parse_line(sim, argv[1], &l) < 0 ||
		    parse_num(argv[2], 0, 150, &d) < 0)
			goto usage;
		d2 = 0;
		d3 = l->capacity;
		if (argc >= 4 && parse_num(argv[3], 0, 100, &d2) < 0)
			goto usage;
		if (argc == 5 && parse_num(argv[4], 0.1, 100, &d3) < 0)
			goto usage;
		l->present = 1;
		l->tare = d;
		l->lpg = d2;
		l->capacity = d3;
		sim_event(sim, l->number, "place", "%.3f", d + d2);
	} else if (strcmp(argv[0], "remove") == 0) {
		NEED(2);
		if (parse_line(sim, argv[1], &l) < 0)
			goto usage;
		sim_event(sim, l->number, "remove", "%.3f", l->tare + l->lpg);
		l->present = 0;
		l->tare = l->lpg = 0;
	} else if (strcmp(argv[0], "dead") == 0 || strcmp(argv[0], "crc") == 0 ||
	           strcmp(argv[0], "garbage") == 0) {
		NEED(3);
		if ((nu = parse_units(sim, argv[1], units)) == 0 || parse_onoff(argv[2], &on) < 0)
			goto usage;
		for (int k = 0; k < nu; k++) {
			if (argv[0][0] == 'd')
				units[k]->dead = on;
			else if (argv[0][0] == 'c')
				units[k]->crc = on;
			else
				units[k]->garbage = on;
			sim_event(sim, units[k]->line, argv[0], "%d:%d", units[k]->id, on);
		}
	} else if (strcmp(argv[0], "slow") == 0 || strcmp(argv[0], "exception") == 0) {
		NEED(3);
		if ((nu = parse_units(sim, argv[1], units)) == 0 ||
		    parse_num(argv[2], 0, argv[0][0] == 's' ? 60000 : 255, &d) < 0)
			goto usage;
		for (int k = 0; k < nu; k++) {
			if (argv[0][0] == 's')
				units[k]->slow_ms = (int)d;
			else
				units[k]->exception = (int)d;
			sim_event(sim, units[k]->line, argv[0], "%d:%d", units[k]->id, (int)d);
		}
	} else if (strcmp(argv[0], "stuck") == 0 || strcmp(argv[0], "valve-stuck") == 0) {
		NEED(3);
		if (parse_line(sim, argv[1], &l) < 0 || parse_onoff(argv[2], &on) < 0)
			goto usage;
		if (argv[0][0] == 's')
			l->weight_stuck = on;
		else
			l->valve_stuck = on;
		sim_event(sim, l->number, argv[0], "%d", on);
	} else if (strcmp(argv[0], "leak") == 0 || strcmp(argv[0], "flow") == 0 ||
	           strcmp(argv[0], "noise") == 0 || strcmp(argv[0], "close-delay") == 0) {
		NEED(3);
		if (parse_line(sim, argv[1], &l) < 0 ||
		    parse_num(argv[2], 0, argv[0][0] == 'c' ? 60000 : 10, &d) < 0)
			goto usage;
		if (argv[0][0] == 'l')
			l->leak = d;
		else if (argv[0][0] == 'f')
			l->flow = d;
		else if (argv[0][0] == 'n')
			l->noise = d;
		else
			l->close_delay_ms = (int)d;
		sim_event(sim, l->number, argv[0], "%g", d);
	} else {
		say(&o, "error: unknown command '%s' (try help)\n", argv[0]);
		return -1;
	}
#undef NEED
	sim_tick(sim, now);
	say(&o, "ok\n");
	return 0;
usage:
	say(&o, "error: bad arguments to %s (try help)\n", argv[0]);
	return -1;
}
