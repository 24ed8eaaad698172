/*
 * countyconf: the county's settings, one struct for the [county] section of
 * gascounty's configuration file.
 *
 * county_config_sections (countyconf.c) is the one table of its keys, with
 * bounds, defaults and help: gascounty reads its file with it, and gasweb
 * reads the same file with it when its county_config names it, so that the
 * console routes, limits and checks a report as gascounty does.  The county
 * library reads the rule thresholds and trace bounds from it (db.h) and
 * never writes it.
 */
#ifndef COUNTY_COUNTYCONF_H
#define COUNTY_COUNTYCONF_H

#include "conf.h"

/* The page cache of gascounty's database connection (MiB) when the file
 * does not say (cache_mb): SQLite's own 2 MiB.  A cache holding every
 * inner page a trace walks (64 MiB, about 4 MB per million fills) was
 * measured no faster while the file sits in the kernel's cache, and 10-15 %
 * dearer in CPU, because SQLite empties a connection's cache whenever
 * another one (gasweb) has written (docs/county.md, "The trace's figures").
 * A string: it is the configuration table's default. */
#define COUNTY_CACHE_MB_DEFAULT "2"

struct county_config {
	char listen[64];
	int port;
	char database[256];
	char identities[256];
	int max_handshakes;
	int handshakes_per_address; /* the door's share of max_handshakes (door.h) */
	int max_idle;
	int idle_timeout_s;
	int c01_minutes;       /* C01: same cylinder at two stations within this */
	int c02_household_max; /* C02: fills per buyer across stations in the window */
	int c02_business_max;
	int c02_days;
	int c03_silent_s;     /* C03: station silent longer than this */
	int c04_gap_s;        /* C04: a sequence gap older than this */
	int c14_clock_skew_s; /* C14: a heartbeat's time this far from the county's clock;
	                       * 0 (a config made in code, never a file's): not judged */
	int check_s;          /* period of the C03/C04 sweep */
	int max_seq_jump;     /* a record's seq at most this far beyond the station's mark */
	int records_day_max;  /* new records one source may have stored in 24 h (quota.h);
	                       * 0: no bound */
	int max_trace;        /* records in one trace answer */
	int cache_mb;         /* the database connection's page cache (MiB) */
	int inspection_cycle_years;
	/* a cylinder's life (life.h) */
	int c07_grace_min;      /* C07 judged this long after the county stored the event */
	int c08_days;           /* C08: dispatched and not handed over or returned within */
	int c09_household_hold; /* C09: cylinders a household may hold beyond those returned */
	int c09_business_hold;
	int life_max_delay_h; /* C17: a delivery device's event judged at most this long before
	                       * it arrived; 0 (a config made in code, never a file's): its
	                       * time is not bounded */
	int c15_scraps_day;   /* C15: scraps and failed returns of one station in 24 h the registry
	                       * follows; 0 (a config made in code, never a file's): no bound */
	char log_level[8];
	char timezone[64]; /* zone of the times people read ("": the system's) */
	/* cases (cases.h) */
	char catalogue[256];       /* penalty powers and outcomes ("": none, no decisions) */
	char villages[256];        /* village -> township for grid reports ("": none) */
	char township_map[256];    /* townships' boundaries, GeoJSON ("": route by village) */
	char deadlines[256];       /* deadlines per kind and severity ("": the minutes below) */
	char calendar[256];        /* holidays and make-up working days ("": Monday to Friday) */
	int case_join_min;         /* an alert joins an open case of the same key this recent */
	int case_alert_accept_min; /* deadlines of an alert case, from its opening */
	int case_alert_onsite_min;
	int case_alert_close_min;
	int case_critical_accept_min; /* the same for a critical case */
	int case_critical_onsite_min;
	int case_critical_close_min;
	int evidence_max_kb;        /* one evidence file at most */
	int report_max_per_hour;    /* reports one grid worker may file in any hour (0: no limit) */
	int person_writes_day_max;  /* case steps and dispositions one identity may write in
	                             * 24 h (writequota.h; 0: no bound) */
	int person_evidence_day_mb; /* evidence one identity may attach in 24 h (MB; 0: none) */
	char code_key[256]; /* the county's public code key ("": reported codes unchecked) */
	/* a buyer's address (buyeraddr.h) */
	int address_keep_days; /* kept this long after the last case that needs it closed */
	/* a station's heartbeats (db.h county_heartbeat, county_sweep) */
	int heartbeat_keep_days; /* kept this long; 0 (a config made in code, never a
	                          * file's): kept */
	int heartbeat_min_s;     /* a heartbeat this soon after the last written one: answered
	                          * without a write unless what matters changed (0: every one
	                          * written, as in a config made in code) */
};

/* The [county] section: its keys, their bounds, defaults and help. */
extern const struct conf_section county_config_sections[];

#endif
