/*
 * sim: the simulated station gassim serves (model.c): fill lines, their
 * units' register maps, physics, the valve watchdog, the fault switches and
 * the event log.  The rest of gassim around it: command.h (the control
 * commands that place cylinders and switch faults), server.h (the Modbus
 * TCP and RTU servers that call sim_tick and sim_after_request), rtu.h (RTU
 * framing and wire timing), control.h (the control socket), main.c
 * (options and the loop).  Single-threaded: every function here runs on the
 * main loop.
 */
#ifndef GAS_SIM_H
#define GAS_SIM_H

#include <stdint.h>
#include <stdio.h>

#include <modbus.h>

#include "mb.h"

#define SIM_MAX_LINES 32

enum sim_role { SIM_SCALE, SIM_VALVE, SIM_FILLER };

struct sim_unit {
	int id;
	int line; /* 1-based */
	enum sim_role role;
	struct mb_profile profile;
	modbus_mapping_t *map;
	/* faults */
	int dead;                 /* never answers */
	int slow_ms;              /* extra reply delay */
	int exception;            /* 0, or the exception code every request gets */
	int crc;                  /* RTU: replies with a wrong CRC */
	int garbage;              /* RTU: replies with random bytes */
	int64_t restart_until_ms; /* restarting (a power cut at the unit): silent until then */
	uint64_t requests;
	uint64_t reads; /* of those, reads (function codes 1-4) */
};

struct sim_line {
	int number;
	struct sim_unit *scale; /* the unit that weighs */
	struct sim_unit *valve; /* the unit that drives the valve (== scale for a filler) */
	/* cylinder */
	int present;
	double tare, lpg, capacity; /* kg */
	/* physics settings */
	double flow;  /* kg/s nominal with an empty cylinder */
	double noise; /* kg, uniform +/- */
	int close_delay_ms;
	double leak; /* kg/s into the cylinder whatever the valve */
	int weight_stuck;
	int valve_stuck;
	/* valve */
	int valve_cmd;       /* commanded: 1 open */
	int valve_open;      /* actual: 1 gas flows */
	int64_t close_at_ms; /* closing completes then; 0 if not closing */
	double rate;         /* kg/s flowing now */
	/* watchdog */
	double last_hb;
	int64_t hb_changed_ms;
	int watchdog_ms;
	uint64_t watchdog_trips;
	/* filler */
	double target;
	int filling, fill_done, fill_alarm;
	double fill_tare;
	/* display */
	double shown;     /* displayed gross, kg */
	double last_true; /* true gross at the last tick */
	int64_t moved_ms; /* last time the true weight changed */
	int motion;
	int64_t weight_log_ms;
	double weight_logged;
};

struct sim_config {
	int lines;
	const char *profile;       /* scale-side profile (filler: the whole line) */
	const char *valve_profile; /* valve-side profile for non-filler lines */
	const char *profiles_dir;
	const char *line_profile[SIM_MAX_LINES];       /* per-line override, or NULL */
	const char *line_valve_profile[SIM_MAX_LINES]; /* its valve profile, or NULL */
	double flow, noise;
	int close_delay_ms, watchdog_ms;
	int watchdog_max_ms; /* a valve unit keeps at most this timeout (0: any) */
	uint64_t seed;
};

struct sim {
	struct sim_config config;
	struct sim_line line[SIM_MAX_LINES];
	int nlines;
	struct sim_unit *unit[2 * SIM_MAX_LINES];
	int nunits;
	FILE *events;
	uint64_t rng;
	int64_t last_tick_ms;
	/* bus counters: kept by server.c, printed by the status command */
	uint64_t rtu_requests, rtu_gap_violations, rtu_bad_frames, tcp_requests;
};

/* Build the station: load the profiles, make every unit's register map.
 * Returns 0, or -1 with a message in err and nothing left allocated.
 * sim->events (NULL) is the caller's to open and close. */
int sim_init(struct sim *sim, const struct sim_config *config, char *err, size_t errlen);
/* Free the units; sim may then be built again. */
void sim_free(struct sim *sim);

/* The unit with Modbus id, or NULL. */
struct sim_unit *sim_unit_by_id(struct sim *sim, int id);

/* Advance physics to now_ms (time_mono_ms) and refresh every register. */
void sim_tick(struct sim *sim, int64_t now_ms);
/* A restart of unit u at now_ms, as a power cut at the unit alone: it
 * answers nothing for ms, its outputs drop (a valve it drives closes, a
 * filler's fill ends) and it comes back with its power-on settings (the
 * watchdog timeout gassim started with), forgetting what a master wrote. */
void sim_unit_restart(struct sim *sim, struct sim_unit *u, int ms, int64_t now_ms);
/* 1 while u answers nothing (dead, or restarting). */
int sim_unit_silent(const struct sim_unit *u, int64_t now_ms);
/* Take note of what a master wrote to a unit's registers (valve command,
 * heartbeat, watchdog, target, start, abort) at now_ms. */
void sim_after_request(struct sim *sim, struct sim_unit *unit, int64_t now_ms);

/* Append "WALL_MS LINE EVENT VALUE" to the event log (if any); fmt NULL
 * writes the value "-". */
void sim_event(struct sim *sim, int line, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
