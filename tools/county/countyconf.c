/*
 * countyconf: the table of the county's settings (countyconf.h), the one
 * reading of the [county] section of gascounty's configuration file.
 */
#include <stddef.h>

#include "countyconf.h"
#include "wire.h"

#define STR(field) offsetof(struct county_config, field), sizeof(((struct county_config *)0)->field)
#define NUM(field) offsetof(struct county_config, field), 0

static const char *const log_levels[] = { "warn", "info", "debug", NULL };

/* Every key takes effect on SIGHUP but those marked CONF_RESTART: the socket
 * the server listens on, the database, and the handshake limits its
 * per-address door was sized and opened with (door.h). */
static const struct conf_key county_keys[] = {
	{ "listen", CONF_STRING, STR(listen), 1, 0, "0.0.0.0", "address to listen on (UDP)", NULL,
	    CONF_RESTART },
	{ "port", CONF_INT, NUM(port), 1, 65535, "5684", "UDP port (CoAP over DTLS)", NULL,
	    CONF_RESTART },
	{ "database", CONF_STRING, STR(database), 1, 0, "/var/lib/gascounty/county.db",
	    "SQLite database", NULL, CONF_RESTART },
	{ "identities", CONF_STRING, STR(identities), 1, 0, "/etc/gascounty/identities",
	    "PSK identities, one 'IDENTITY HEXKEY' a line (mode 0600); re-read on SIGHUP", NULL,
	    0 },
	{ "max_handshakes", CONF_INT, NUM(max_handshakes), 1, 10000, "100",
	    "DTLS handshakes in progress at once", NULL, CONF_RESTART },
	{ "handshakes_per_address", CONF_INT, NUM(handshakes_per_address), 0, 1000, "10",
	    "DTLS handshakes one address (an IPv6 /64) may have in progress at once; keep it "
	    "well under max_handshakes (0: no such limit, libcoap's alone)",
	    NULL, CONF_RESTART },
	{ "max_idle", CONF_INT, NUM(max_idle), 1, 100000, "1000", "idle sessions kept at most",
	    NULL, 0 },
	{ "idle_timeout_s", CONF_INT, NUM(idle_timeout_s), 10, 86400, "300",
	    "an idle session is closed after this (s)", NULL, 0 },
	{ "c01_minutes", CONF_INT, NUM(c01_minutes), 0, 10080, "60",
	    "C01: same cylinder filled at two stations within this is a cloned code (0: off)", NULL,
	    0 },
	{ "c02_household_max", CONF_INT, NUM(c02_household_max), 0, 1000, "3",
	    "C02: fills per household buyer across stations in the window (0: off)", NULL, 0 },
	{ "c02_business_max", CONF_INT, NUM(c02_business_max), 0, 100000, "60",
	    "C02: fills per business buyer across stations in the window (0: off)", NULL, 0 },
	{ "c02_days", CONF_INT, NUM(c02_days), 1, 365, "30", "C02 window (days)", NULL, 0 },
	{ "c03_silent_s", CONF_INT, NUM(c03_silent_s), 10, 604800, "900",
	    "C03: a station silent longer than this raises an alert (s)", NULL, 0 },
	{ "c04_gap_s", CONF_INT, NUM(c04_gap_s), 1, 604800, "86400",
	    "C04: a gap in a station's records older than this raises an alert (s)", NULL, 0 },
	{ "c14_clock_skew_s", CONF_INT, NUM(c14_clock_skew_s), 300, 604800, "600",
	    "C14: a heartbeat whose time is further than this from the county's clock raises an "
	    "alert for its station, once until the clock is back within half of it (s; 300 at "
	    "least: a heartbeat may be 120 s on its way)",
	    NULL, 0 },
	{ "c07_grace_min", CONF_INT, NUM(c07_grace_min), 0, 10080, "120",
	    "C07: a hand-over with no licensed fill is judged this long after it arrived, so a "
	    "late station upload is not a black point (0: at once)",
	    NULL, 0 },
	{ "c08_days", CONF_INT, NUM(c08_days), 0, 365, "3",
	    "C08: a cylinder dispatched and neither handed over nor returned within this (0: off)",
	    NULL, 0 },
	{ "c09_household_hold", CONF_INT, NUM(c09_household_hold), 0, 1000, "2",
	    "C09: cylinders handed over at its door and not back a household may hold (0: off)",
	    NULL, 0 },
	{ "c09_business_hold", CONF_INT, NUM(c09_business_hold), 0, 100000, "20",
	    "C09: cylinders handed over at its door and not back a business may hold (0: off)",
	    NULL, 0 },
	{ "life_max_delay_h", CONF_INT, NUM(life_max_delay_h), 1, 720, "72",
	    "C17: a delivery device's event is judged by the rules (C07, C09, C10, C11) at a time no "
	    "earlier than its previous event (less 10 minutes) nor than this before the county "
	    "received it, and never after that; an event dated outside is stored as sent, judged "
	    "at the bounded time and raises C17 (at most once a device in 24 hours); keep it well "
	    "under c02_days (h)",
	    NULL, 0 },
	{ "c15_scraps_day", CONF_INT, NUM(c15_scraps_day), 1, 100000, "20",
	    "C15: cylinders one station may take out of service (scrapped, failed inspection) in "
	    "24 hours before the registry stops following it: each one more is kept and raises "
	    "C15, and the county confirms it (gascounty registry set)",
	    NULL, 0 },
	{ "check_s", CONF_INT, NUM(check_s), 1, 3600, "30",
	    "period of the sweep (C03, C04, C07 after its grace, C08, buyers' addresses and "
	    "heartbeats past their keep time, overdue cases)",
	    NULL, 0 },
	{ "heartbeat_keep_days", CONF_INT, NUM(heartbeat_keep_days), 1, 3650, "30",
	    "a station's heartbeats (at most one a minute) are kept this long, then dropped by the "
	    "sweep; the station's last contact, status and clock stay with the station (days)",
	    NULL, 0 },
	{ "heartbeat_min_s", CONF_INT, NUM(heartbeat_min_s), 0, 60, "10",
	    "a station's heartbeat this soon after the last one the county wrote for it is "
	    "answered (its mark) without a write, unless its status beyond its backlog, registry "
	    "version or clock's verdict changed or C14 is raised; the station's row is then this "
	    "stale at most (s; 0: every heartbeat written; never more than half of c03_silent_s)",
	    NULL, 0 },
	{ "max_seq_jump", CONF_INT, NUM(max_seq_jump), 1, 100000000, "100000",
	    "a record's seq at most this far beyond the station's mark (larger: refused)", NULL,
	    0 },
	{ "records_day_max", CONF_INT, NUM(records_day_max), 0, 100000000, "100000",
	    "new records one station or delivery device may have stored in 24 hours; beyond, its "
	    "batches are answered 5.03 (they wait in its outbox) until the 24 hours end, and C16 "
	    "is raised (0: no bound)",
	    NULL, 0 },
	{ "max_trace", CONF_INT, NUM(max_trace), 1, WIRE_MAX_RECORDS, "2000",
	    "records in one trace answer at most", NULL, 0 },
	{ "cache_mb", CONF_INT, NUM(cache_mb), 2, 65536, COUNTY_CACHE_MB_DEFAULT,
	    "page cache of the server's database connection (MiB); more pays only once the file "
	    "outgrows the machine's memory: then let the inner pages of the indexes a trace walks "
	    "fit, about 4 MB per million fills",
	    NULL, CONF_RESTART },
	{ "inspection_cycle_years", CONF_INT, NUM(inspection_cycle_years), 1, 10, "4",
	    "registry set --inspected and import: next inspection after this many years; C12: an inspection's next due date further than this (and a day) is an alert",
	    NULL, 0 },
	{ "log_level", CONF_CHOICE, STR(log_level), 0, 0, "info", "logging detail", log_levels, 0 },
	{ "timezone", CONF_ZONE, STR(timezone), 0, 0, "Asia/Shanghai",
	    "time zone of the times people read (log, alert texts) and of times in queries that "
	    "name no offset",
	    NULL, CONF_RESTART },
	{ "catalogue", CONF_STRING, STR(catalogue), 0, 0, "",
	    "penalty powers and outcomes, CSV (docs/county.md); \"\": cases cannot be decided",
	    NULL, 0 },
	{ "villages", CONF_STRING, STR(villages), 0, 0, "",
	    "village,township CSV routing grid workers' reports without coordinates; \"\": those "
	    "are refused",
	    NULL, 0 },
	{ "township_map", CONF_STRING, STR(township_map), 0, 0, "",
	    "townships' boundaries, GeoJSON (gasweb's map): a report with coordinates goes to the "
	    "township that holds them; \"\": routed by village",
	    NULL, 0 },
	{ "deadlines", CONF_STRING, STR(deadlines), 0, 0, "",
	    "deadlines per kind and severity, CSV, in minutes, hours or working days "
	    "(docs/county.md); \"\": the case_*_min below for every kind",
	    NULL, 0 },
	{ "calendar", CONF_STRING, STR(calendar), 0, 0, "",
	    "the county's holidays and make-up working days, CSV (etc/calendar.csv); \"\": Monday "
	    "to Friday",
	    NULL, 0 },
	{ "case_join_min", CONF_INT, NUM(case_join_min), 0, 525600, "1440",
	    "an alert joins an open case of the same rule and cylinder, buyer or station whose "
	    "last alert is this recent (min; 0: every alert its own case)",
	    NULL, 0 },
	{ "case_alert_accept_min", CONF_INT, NUM(case_alert_accept_min), 1, 525600, "1440",
	    "an alert case must be accepted within this of its opening (min)", NULL, 0 },
	{ "case_alert_onsite_min", CONF_INT, NUM(case_alert_onsite_min), 1, 525600, "4320",
	    "an alert case must be visited on site within this (min)", NULL, 0 },
	{ "case_alert_close_min", CONF_INT, NUM(case_alert_close_min), 1, 525600, "21600",
	    "an alert case must be closed within this (min)", NULL, 0 },
	{ "case_critical_accept_min", CONF_INT, NUM(case_critical_accept_min), 1, 525600, "30",
	    "a critical case must be accepted within this (min)", NULL, 0 },
	{ "case_critical_onsite_min", CONF_INT, NUM(case_critical_onsite_min), 1, 525600, "120",
	    "a critical case must be visited on site within this (min)", NULL, 0 },
	{ "case_critical_close_min", CONF_INT, NUM(case_critical_close_min), 1, 525600, "4320",
	    "a critical case must be closed within this (min)", NULL, 0 },
	{ "evidence_max_kb", CONF_INT, NUM(evidence_max_kb), 1, 4000, "2048",
	    "one evidence file (photo, document) at most (KiB)", NULL, 0 },
	{ "report_max_per_hour", CONF_INT, NUM(report_max_per_hour), 0, 10000, "30",
	    "reports one grid worker may file in any hour; more are refused until the hour has "
	    "passed (0: no limit)",
	    NULL, 0 },
	{ "person_writes_day_max", CONF_INT, NUM(person_writes_day_max), 0, 1000000, "500",
	    "case steps (reports, comments, attachments, every step) and alert dispositions one "
	    "person's or township's key may write in 24 hours; beyond, the next is refused "
	    "(4.29, 429 in the console) and stored nowhere until the 24 hours end (0: no bound)",
	    NULL, 0 },
	{ "person_evidence_day_mb", CONF_INT, NUM(person_evidence_day_mb), 0, 1000000, "200",
	    "evidence (photos, documents) one person's key may attach in 24 hours (MB); beyond, "
	    "the next file is refused (4.29, 429 in the console) and stored nowhere until the 24 "
	    "hours end (0: no bound)",
	    NULL, 0 },
	{ "code_key", CONF_STRING, STR(code_key), 0, 0, "",
	    "the county's public code key (PEM, gaslabel keygen's county.pub): a cylinder code in "
	    "a grid worker's report is checked and read to its serial, so the case shows that "
	    "cylinder's fills; \"\": kept as sent, unchecked",
	    NULL, 0 },
	{ "address_keep_days", CONF_INT, NUM(address_keep_days), 1, 3650, "30",
	    "a buyer's address is erased this long after the last case that needs it closed, "
	    "never while one is open (days; docs/buyers.md)",
	    NULL, 0 },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL, 0 },
};

const struct conf_section county_config_sections[] = {
	{ "county", 0, 0, 0, 0, 0, 0, 0, "the county supervision server", county_keys, 0 },
	{ NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL, 0 },
};
