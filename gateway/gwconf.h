/*
 * gwconf: the station gateway's configuration (gasgw -c FILE), described
 * as conf.h tables.  etc/station.conf.example is generated from the same
 * tables (`gasgw --example-config`), so it always covers every key.
 */
#ifndef GAS_GWCONF_H
#define GAS_GWCONF_H

#include <stddef.h>

#include "conf.h"

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
	int heartbeat_ms; /* valve watchdog feed period */
	int watchdog_ms;  /* watchdog timeout written to valve units */
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
	/* [rules] */
	struct gw_rules rules;
	/* [bus NAME], [line NAME] */
	struct gw_bus buses[GW_MAX_BUSES];
	size_t bus_count;
	struct gw_line lines[GW_MAX_LINES];
	size_t line_count;
};

/* The configuration tables (for conf_load and conf_write_example). */
extern const struct conf_section gw_config_sections[];

/*
 * Load and check a gateway configuration: the tables, then the checks that
 * span keys (every line's bus exists, unit ids valid, line numbers unique).
 * Returns 0, or -1 with every problem in report.
 */
int gw_config_load(const char *path, struct gw_config *config, struct conf_report *report);

#endif
