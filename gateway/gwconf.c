/*
 * gwconf: the station gateway's configuration tables and the checks that
 * span several keys.  Defaults are those of shared/DESIGN.md §7.
 */
#include "gwconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STR(field, st) offsetof(st, field), sizeof(((st *)0)->field)
#define NUM(field, st) offsetof(st, field), 0

static const char *const bus_types[] = { "rtu", "tcp", NULL };
static const char *const parities[] = { "none", "even", "odd", NULL };
static const char *const cutoff_modes[] = { "gateway", "controller", NULL };
static const char *const log_levels[] = { "warn", "info", "debug", NULL };

#define S struct gw_config
static const struct conf_key station_keys[] = {
	{ "id", CONF_STRING, STR(station_id, S), 1, 0, NULL,
	    "station id, as registered with the county (PSK identity station:ID)", NULL },
	{ "company", CONF_STRING, STR(company, S), 1, 0, NULL,
	    "company that runs the station; cylinders of other owners are refused (R03)", NULL },
	{ "township", CONF_STRING, STR(township, S), 1, 0, NULL,
	    "township code of the station (alerts about the station go there)", NULL },
	{ "county", CONF_STRING, STR(county, S), 6, 0, NULL,
	    "six-digit county code (GB/T 2260), e.g. 330825", NULL },
	{ "database", CONF_STRING, STR(database, S), 1, 0, "/var/lib/gasgw/station.db",
	    "SQLite database of fills, registry and outbox", NULL },
	{ "control_socket", CONF_STRING, STR(control_socket, S), 1, 0, "/run/gasgw/control.sock",
	    "Unix socket for gasctl (mode 0660)", NULL },
	{ "profiles", CONF_STRING, STR(profiles_dir, S), 1, 0, "/usr/local/share/gasgw/profiles",
	    "folder of device profiles (NAME.ini)", NULL },
	{ "code_public_key", CONF_STRING, STR(code_public_key, S), 1, 0, NULL,
	    "county public key (PEM) that signs cylinder codes", NULL },
	{ "buyer_key", CONF_STRING, STR(buyer_key, S), 1, 0, NULL,
	    "county buyer key file (hex); buyer ids are HMAC-SHA256 under it", NULL },
	{ "heartbeat_ms", CONF_INT, NUM(heartbeat_ms, S), 50, 5000, "200",
	    "period of the heartbeat that feeds each valve controller's watchdog (ms)", NULL },
	{ "watchdog_ms", CONF_INT, NUM(watchdog_ms, S), 200, 60000, "1000",
	    "watchdog timeout written to valve controllers: no heartbeat for this long closes the valve (ms)",
	    NULL },
	{ "log_level", CONF_CHOICE, STR(log_level, S), 0, 0, "info", "logging detail", log_levels },
	{ "timezone", CONF_ZONE, STR(timezone, S), 0, 0, "Asia/Shanghai",
	    "time zone of the times people read (log, messages) and of \"today\" for the "
	    "inspection and service-life rules; a change needs a restart",
	    NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL },
};

static const struct conf_key county_keys[] = {
	{ "host", CONF_STRING, STR(county_host, S), 0, 0, "",
	    "county server host name or address; empty: no uplink (records wait in the outbox)",
	    NULL },
	{ "port", CONF_INT, NUM(county_port, S), 1, 65535, "5684",
	    "county server UDP port (CoAP over DTLS)", NULL },
	{ "psk_file", CONF_STRING, STR(psk_file, S), 0, 0, "",
	    "file holding this station's pre-shared key in hex (mode 0600)", NULL },
	{ "batch", CONF_INT, NUM(uplink_batch, S), 1, 1000, "200", "records per uplink request",
	    NULL },
	{ "rate", CONF_INT, NUM(uplink_rate, S), 1, 100000, "5000",
	    "records per second at most while draining a backlog", NULL },
	{ "heartbeat_s", CONF_INT, NUM(heartbeat_s, S), 5, 3600, "60",
	    "station status report period (s)", NULL },
	{ "registry_pull_s", CONF_INT, NUM(registry_pull_s, S), 5, 86400, "300",
	    "registry delta poll period (s)", NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL },
};
#undef S

#define R struct gw_rules
static const struct conf_key rules_keys[] = {
	{ "inspection_cycle_years", CONF_INT, NUM(inspection_cycle_years, R), 1, 10, "4",
	    "R05 periodic inspection cycle (years)", NULL },
	{ "life_years", CONF_INT, NUM(life_years, R), 1, 30, "8",
	    "R06 service life of cylinders made 2006 or later (years)", NULL },
	{ "life_years_before_2006", CONF_INT, NUM(life_years_before_2006, R), 1, 30, "15",
	    "R06 service life of cylinders made before 2006 (years)", NULL },
	{ "tare_over_kg", CONF_DOUBLE, NUM(tare_over_kg, R), 0, 5, "0.5",
	    "R09 empty weight may exceed the stamped tare by this much (kg)", NULL },
	{ "tare_under_kg", CONF_DOUBLE, NUM(tare_under_kg, R), 0, 5, "0.3",
	    "R09 empty weight may fall short of the stamped tare by this much (kg)", NULL },
	{ "refill_min_minutes", CONF_INT, NUM(refill_min_minutes, R), 0, 10080, "120",
	    "R10 the same cylinder filled again sooner than this is flagged (min)", NULL },
	{ "household_max", CONF_INT, NUM(household_max, R), 1, 1000, "3",
	    "R11 cylinders a household may take in the window", NULL },
	{ "business_max", CONF_INT, NUM(business_max, R), 1, 100000, "60",
	    "R11 cylinders a business may take in the window", NULL },
	{ "hoard_window_days", CONF_INT, NUM(hoard_window_days, R), 1, 365, "30",
	    "R11 window (days)", NULL },
	{ "short_kg", CONF_DOUBLE, NUM(short_kg, R), 0.01, 5, "0.4",
	    "R21 net below target by more than this is short weight (kg)", NULL },
	{ "max_fill_s", CONF_INT, NUM(max_fill_s, R), 10, 3600, "180",
	    "R22 longest a fill may take before the valve is closed (s)", NULL },
	{ "leak_rise_kg", CONF_DOUBLE, NUM(leak_rise_kg, R), 0.01, 5, "0.2",
	    "R23 weight rise with the valve commanded closed that is an emergency (kg)", NULL },
	{ "link_loss_ms", CONF_INT, NUM(link_loss_ms, R), 100, 60000, "1000",
	    "R24 scale or valve silent this long during a fill interrupts it (ms)", NULL },
	{ "checkweigh_pct", CONF_DOUBLE, NUM(checkweigh_pct, R), 0.001, 10, "0.1",
	    "R25 check-weigh may differ from the fill reading by this % of capacity", NULL },
	{ "overfill_kg", CONF_DOUBLE, NUM(overfill_kg, R), 0, 2, "0.1",
	    "R20 net above the stamped fill mass by more than this is an overfill (kg)", NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL },
};
#undef R

#define B struct gw_bus
static const struct conf_key bus_keys[] = {
	{ "type", CONF_CHOICE, STR(type, B), 0, 0, NULL, "bus kind", bus_types },
	{ "device", CONF_STRING, STR(device, B), 0, 0, "", "rtu: serial device, e.g. /dev/ttyUSB0",
	    NULL },
	{ "baud", CONF_INT, NUM(baud, B), 1200, 921600, "19200", "rtu: baud rate", NULL },
	{ "parity", CONF_CHOICE, STR(parity, B), 0, 0, "even", "rtu: parity", parities },
	{ "data_bits", CONF_INT, NUM(data_bits, B), 7, 8, "8", "rtu: data bits", NULL },
	{ "stop_bits", CONF_INT, NUM(stop_bits, B), 1, 2, "1", "rtu: stop bits", NULL },
	{ "rs485", CONF_BOOL, NUM(rs485, B), 0, 0, "no",
	    "rtu: switch the port to RS-485 mode after connecting", NULL },
	{ "host", CONF_STRING, STR(host, B), 0, 0, "", "tcp: host name or address", NULL },
	{ "port", CONF_INT, NUM(port, B), 1, 65535, "502", "tcp: port", NULL },
	{ "response_timeout_ms", CONF_INT, NUM(response_timeout_ms, B), 10, 10000, "300",
	    "time to wait for a reply (ms)", NULL },
	{ "byte_timeout_ms", CONF_INT, NUM(byte_timeout_ms, B), 1, 1000, "50",
	    "time allowed between bytes of one reply (ms)", NULL },
	{ "poll_hz", CONF_INT, NUM(poll_hz, B), 1, 100, "20", "reads per second of each unit",
	    NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL },
};
#undef B

#define L struct gw_line
static const struct conf_key line_keys[] = {
	{ "bus", CONF_STRING, STR(bus, L), 1, 0, NULL, "name of the [bus] the units are on", NULL },
	{ "scale_unit", CONF_INT, NUM(scale_unit, L), 1, 247, NULL, "Modbus unit id of the scale",
	    NULL },
	{ "scale_profile", CONF_STRING, STR(scale_profile, L), 1, 0, "sim-scale",
	    "device profile of the scale", NULL },
	{ "valve_unit", CONF_INT, NUM(valve_unit, L), 1, 247, NULL,
	    "Modbus unit id of the valve controller (may equal scale_unit)", NULL },
	{ "valve_profile", CONF_STRING, STR(valve_profile, L), 1, 0, "sim-valve",
	    "device profile of the valve controller", NULL },
	{ "cutoff", CONF_CHOICE, STR(cutoff, L), 0, 0, "gateway",
	    "who closes the valve at target: the gateway, or a filling controller", cutoff_modes },
	{ "scanner", CONF_STRING, STR(scanner, L), 0, 0, "",
	    "serial barcode scanner device (one code per line); empty for none", NULL },
	{ "preact_kg", CONF_DOUBLE, NUM(preact_kg, L), 0, 5, "0.1",
	    "initial pre-act: close this far below target until overshoot is learned (kg)", NULL },
	{ NULL, 0, 0, 0, 0, 0, NULL, NULL, NULL },
};
#undef L

const struct conf_section gw_config_sections[] = {
	{ "station", 0, 1, 0, 0, 0, 0, 0, "This station", station_keys },
	{ "county", 0, 1, 0, 0, 0, 0, 0, "The county supervision server (uplink)", county_keys },
	{ "rules", 0, 1, offsetof(struct gw_config, rules), 0, 0, 0, 0,
	    "Rule thresholds (codes as in docs/rules.md)", rules_keys },
	{ "bus", 1, GW_MAX_BUSES, offsetof(struct gw_config, buses), sizeof(struct gw_bus),
	    offsetof(struct gw_config, bus_count), offsetof(struct gw_bus, name),
	    sizeof(((struct gw_bus *)0)->name), "A Modbus bus: RS-485 (rtu) or Modbus TCP",
	    bus_keys },
	{ "line", 1, GW_MAX_LINES, offsetof(struct gw_config, lines), sizeof(struct gw_line),
	    offsetof(struct gw_config, line_count), offsetof(struct gw_line, name),
	    sizeof(((struct gw_line *)0)->name),
	    "A fill line: one scale and one valve controller (or one filling controller)",
	    line_keys },
	{ NULL, 0, 0, 0, 0, 0, 0, 0, NULL, NULL },
};

static void
report_add(struct conf_report *report, const char *path, const char *fmt, const char *a,
    const char *b)
{
	if (report->count >= CONF_MAX_ERRORS)
		return;
	snprintf(report->errors[report->count], sizeof(report->errors[0]), "%s: ", path);
	size_t len = strlen(report->errors[report->count]);
	snprintf(report->errors[report->count] + len, sizeof(report->errors[0]) - len, fmt, a, b);
	report->count++;
}

int
gw_config_load(const char *path, struct gw_config *config, struct conf_report *report)
{
	memset(config, 0, sizeof(*config));
	if (conf_load(path, gw_config_sections, config, report) == -1)
		return -1;

	if (strspn(config->county, "0123456789") != 6 || config->county[6] != '\0')
		report_add(report, path, "[station] county '%s' is not a six-digit code%s",
		    config->county, "");
	for (size_t i = 0; i < config->bus_count; i++) {
		struct gw_bus *b = &config->buses[i];

		if (strcmp(b->type, "rtu") == 0 && b->device[0] == '\0')
			report_add(report, path, "[bus %s] is rtu but has no device%s", b->name,
			    "");
		if (strcmp(b->type, "tcp") == 0 && b->host[0] == '\0')
			report_add(report, path, "[bus %s] is tcp but has no host%s", b->name, "");
	}
	for (size_t i = 0; i < config->line_count; i++) {
		struct gw_line *l = &config->lines[i];
		char *end;
		long number = strtol(l->name, &end, 10);
		int found = 0;

		if (l->name[0] == '\0' || *end != '\0' || number < 1 || number > GW_LINE_NUMBER_MAX)
			report_add(report, path,
			    "[line %s]: a line's name is its number (1 to 999)%s", l->name, "");
		l->number = (int)number;
		for (size_t j = 0; j < config->bus_count; j++)
			if (strcmp(config->buses[j].name, l->bus) == 0)
				found = 1;
		if (!found)
			report_add(report, path, "[line %s]: no [bus %s] is configured", l->name,
			    l->bus);
		for (size_t j = 0; j < i; j++) {
			struct gw_line *o = &config->lines[j];
			if (strcmp(o->bus, l->bus) == 0 &&
			    (o->scale_unit == l->scale_unit || o->valve_unit == l->valve_unit))
				report_add(report, path,
				    "[line %s]: uses a unit id that [line %s] already uses on its bus",
				    l->name, o->name);
		}
	}
	if (config->line_count == 0)
		report_add(report, path, "no [line] is configured%s%s", "", "");
	if (config->county_host[0] != '\0' && config->psk_file[0] == '\0')
		report_add(report, path, "[county] host is set but psk_file is not%s%s", "", "");
	return report->count == 0 ? 0 : -1;
}
