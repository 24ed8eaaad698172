/*
 * gwconf: the station gateway's configuration (gasgw -c FILE), described
 * as conf.h tables.  etc/station.conf.example is generated from the same
 * tables (`gasgw --example-config`), so it always covers every key.  Loading
 * a configuration also loads and checks every device profile its lines use
 * (drivers/mb.h), so `gasgw -n` vouches for what a start would use.  A key
 * the running gateway cannot take up is marked CONF_RESTART in the table;
 * a reload (gw_config_reload) takes the others and names those.
 */
#ifndef GAS_GWCONF_H
#define GAS_GWCONF_H

#include <stddef.h>

#include "conf.h"
#include "log.h"
#include "mb.h"

#define GW_MAX_BUSES 8
#define GW_MAX_LINES 32
#define GW_LINE_NUMBER_MAX 999 /* a line is named by its number, 1..this */
#define GW_NAME 32
#define GW_PATH 256

struct gw_bus {
	char name[GW_NAME];   /* [bus NAME] */
	char type[8];         /* "rtu" or "tcp" */
	char device[GW_PATH]; /* rtu: serial device */
	int baud;
	char parity[8]; /* "none", "even", "odd" */
	int data_bits;
	int stop_bits;
	int rs485;      /* set RS-485 mode after connect */
	char host[128]; /* tcp */
	int port;
	int response_timeout_ms;
	int byte_timeout_ms;
	int poll_hz; /* reads per second of each unit */
};

struct gw_line {
	char name[GW_NAME]; /* [line NAME]; the line number as text */
	int number;         /* set from name */
	char bus[GW_NAME];
	int scale_unit;
	char scale_profile[64];
	int valve_unit; /* may equal scale_unit (one filling controller) */
	char valve_profile[64];
	char cutoff[16];       /* "gateway" or "controller" */
	char scanner[GW_PATH]; /* serial barcode scanner device, "" for none */
	double preact_kg;      /* initial pre-act before any learning */
	int preact_given;      /* preact_kg set in the file: used as it is, not predicted */
	/* set by gw_config_load */
	int filler;              /* scale_unit = valve_unit: one filling controller */
	struct mb_profile scale; /* scale_profile, loaded and checked for its role */
	struct mb_profile valve; /* valve_profile (not loaded for a filler) */
};

struct gw_rules {
	int inspection_cycle_years; /* R05 */
	int life_years;             /* R06, made 2006 or later */
	int life_years_before_2006; /* R06, made earlier */
	double tare_over_kg;        /* R09 band above stamped tare */
	double tare_under_kg;       /* R09 band below stamped tare */
	int refill_min_minutes;     /* R10 */
	int household_max;          /* R11 cylinders per window */
	int business_max;           /* R11 for businesses */
	int hoard_window_days;      /* R11 */
	double short_kg;            /* R21 */
	int max_fill_s;             /* R22 */
	double leak_rise_kg;        /* R23 */
	int link_loss_ms;           /* R24 */
	double checkweigh_pct;      /* R25, % of capacity */
	double overfill_kg;         /* R20: allowance above the stamped fill mass */
	int clock_back_hours;       /* the clock may read this far before the newest fill */
};

struct gw_config {
	/* [station] */
	char station_id[GW_NAME];
	char company[128]; /* owner company of this station (R03) */
	char township[16]; /* township code of the station */
	char county[8];    /* six-digit county code */
	char database[GW_PATH];
	char control_socket[GW_PATH];
	char profiles_dir[GW_PATH];
	char code_public_key[GW_PATH];
	char buyer_key[GW_PATH];
	int heartbeat_ms;   /* valve watchdog feed period */
	int shift_hours;    /* a login ends by itself after this long */
	int control_idle_s; /* an idle control connection is closed after this long */
	int watchdog_ms;    /* watchdog timeout written to valve units */
	char log_level[8];
	char timezone[64]; /* zone of the times people read ("": the system's) */
	/* [county] */
	char county_host[128];
	int county_port;
	char psk_file[GW_PATH]; /* hex key; identity is station:ID */
	int uplink_batch;       /* records per request */
	int uplink_rate;        /* records per second while draining */
	int heartbeat_s;        /* station status to the county */
	int registry_pull_s;    /* registry delta poll period */
	int acked_keep_days;    /* acknowledged records kept this long */
	char uplink_user[64];   /* the uplink process's user (when gasgw may change users) */
	/* [rules] */
	struct gw_rules rules;
	/* [bus NAME], [line NAME] */
	struct gw_bus buses[GW_MAX_BUSES];
	size_t bus_count;
	struct gw_line lines[GW_MAX_LINES];
	size_t line_count;
	/* not a key: -v given on the command line this many times */
	int log_verbose;
};

/* The log level the configuration asks for, or more detail when -v was
 * given (log_verbose: the command line wins). */
enum log_level gw_log_level(const struct gw_config *config);

/* The configuration tables (for conf_load and conf_write_example). */
extern const struct conf_section gw_config_sections[];
/* The [rules] rows: the one place the thresholds' defaults are written. */
extern const struct conf_key gw_rules_keys[];

/*
 * Load and check a gateway configuration: the tables, then the checks that
 * span keys (every line's bus exists, unit ids valid, line numbers unique),
 * then each line's device profiles from the profiles folder, loaded and
 * checked for the role the line gives them (mb_profile_check).  Returns 0,
 * or -1 with every problem in report ("FILE:LINE: text", the
 * configuration's or a profile's).  notes (may be NULL) gets what the
 * lines lose for want of an optional signal, and other things worth a
 * warning that do not stop a start.
 *
 * check_only (gasgw -n) adds, named at their lines, what a start meets
 * only when it runs and then lives with: an uplink_user that is no user or
 * root (an error: at a start the uplink alone stays down, the lines fill
 * on) and a line's scanner that does not exist (a note: gasgw opens a
 * scanner when it appears, as it is plugged in).
 */
int gw_config_load(const char *path, int check_only, struct gw_config *config,
    struct conf_report *report, struct conf_report *notes);

/*
 * A reload (SIGHUP): load path as gw_config_load does (not check_only) into
 * fresh, then keep current's value of every CONF_RESTART key (every key but
 * [rules] and log_level) and of every line and bus, naming each that changed in notes
 * ("FILE:LINE: 'KEY' changes only on restart"; a profile file changed under
 * a line too).  Returns 0, or -1 with report filled (fresh unusable).
 */
int gw_config_reload(const char *path, const struct gw_config *current, struct gw_config *fresh,
    struct conf_report *notes, struct conf_report *report);

#endif
