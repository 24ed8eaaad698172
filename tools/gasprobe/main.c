/*
 * gasprobe: try a device profile against the real device before a fill line
 * depends on it.
 *
 *   gasprobe (--tcp HOST[:PORT] | --rtu DEVICE [serial options]) [--unit ID]
 *            [--profiles DIR] [--as ROLE] PROFILE
 *
 * Reads every polled signal of the profile once from one unit, through the
 * same codec gasgw uses (drivers/mb.h: byte order, scale, polarity), and
 * prints each decoded, with its unit, next to the raw registers and where
 * they are; then checks the profile for the role a line would give it
 * (mb_profile_check: kind, required signals, what a line loses without an
 * optional one), as `gasgw -n` does.  Nothing is written to the device.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "conf.h"
#include "i18n.h"
#include "mb.h"
#include "util.h"

#define DEFAULT_TIMEOUT_MS 500

static void
usage(FILE *f)
{
	fprintf(f, "%s",
	    _("usage: gasprobe --tcp HOST[:PORT] [options] PROFILE\n"
	      "       gasprobe --rtu DEVICE [--baud N] [--parity none|even|odd]\n"
	      "                [--data-bits 7|8] [--stop-bits 1|2] [options] PROFILE\n"
	      "\n"
	      "Reads every signal of a device profile once from one unit, decoded, with\n"
	      "its unit and the raw registers, and checks the profile for the role a fill\n"
	      "line would give it (as gasgw -n does).  Nothing is written to the device.\n"
	      "PROFILE is a name (NAME.ini in the profile folder) or a file's path.\n"
	      "\n"
	      "  --tcp HOST[:PORT]    Modbus TCP (default port 502)\n"
	      "  --rtu DEVICE         Modbus RTU on a serial port, e.g. /dev/ttyUSB0\n"
	      "  --baud N             RTU: baud rate (default 19200)\n"
	      "  --parity P           RTU: none, even or odd (default even)\n"
	      "  --data-bits N        RTU: 7 or 8 (default 8)\n"
	      "  --stop-bits N        RTU: 1 or 2 (default 1)\n"
	      "  -u, --unit ID        Modbus unit id (default 1)\n"
	      "  --timeout MS         time to wait for each reply (default 500)\n"
	      "  -P, --profiles DIR   profile folder (default: $GAS_PROFILES,\n"
	      "                       ./drivers/profiles, /usr/local/share/gasgw/profiles)\n"
	      "  --as ROLE            check the profile as a scale, valve or filler\n"
	      "                       (default: what its kind is for)\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "On an RS-485 bus, stop gasgw first: two masters on one bus garble each\n"
	      "other's frames.\n"
	      "\n"
	      "Exit status: 0 every signal read and the profile fits its role, 1 a read\n"
	      "failed or the profile does not fit, 2 bad usage or a profile that does\n"
	      "not load.\n"));
}

/* What 0 and 1 of a bit signal mean, in words (its polarity applied). */
static const struct {
	enum mb_signal signal;
	const char *off, *on;
} bit_words[] = {
	{ MB_SIG_MOTION, N_("still"), N_("moving") },
	{ MB_SIG_STABLE, N_("not stable"), N_("stable") },
	{ MB_SIG_OVERLOAD, N_("in range"), N_("over range") },
	{ MB_SIG_ERROR, N_("no error"), N_("instrument error") },
	{ MB_SIG_VALVE_CMD, N_("close"), N_("open") },
	{ MB_SIG_VALVE_FB, N_("closed"), N_("not closed") },
	{ MB_SIG_START, N_("idle"), N_("start") },
	{ MB_SIG_ABORT, N_("idle"), N_("abort") },
	{ MB_SIG_FILLING, N_("not filling"), N_("filling") },
	{ MB_SIG_FILL_DONE, N_("not done"), N_("done") },
	{ MB_SIG_FILL_ALARM, N_("no alarm"), N_("alarm") },
};

/* The roles, in words (mb_role_name gives the untranslated names). */
static const char *const role_words[] = { N_("scale"), N_("valve"), N_("filler") };

/* Print text left-aligned in a column of width display columns (a Chinese
 * character takes two). */
static void
print_column(const char *text, int width)
{
	wchar_t wide[128];
	size_t n = mbstowcs(wide, text, sizeof(wide) / sizeof(wide[0]) - 1);
	int shown = n == (size_t)-1 ? (int)strlen(text) : wcswidth(wide, n);

	if (shown < 0)
		shown = (int)strlen(text);
	printf("%s%*s", text, width > shown ? width - shown : 0, "");
}

static const char *const table_words[] = { "coil", "discrete", "input", "holding" };
static const char *const type_words[] = { "u16", "i16", "u32", "i32", "f32" };
static const char *const order_words[] = { "ABCD", "CDAB", "BADC", "DCBA" };

/* "holding 4 bit 2", "input 0 i32 CDAB x0.001", "discrete 0 inverted" */
static void
where_of(const struct mb_field *f, char *out, size_t len)
{
	int bits = f->table == MB_COIL || f->table == MB_DISCRETE;
	int n = snprintf(out, len, "%s %u", table_words[f->table], (unsigned)f->address);

	if (!bits && f->bit < 0)
		n += snprintf(out + n, len - (size_t)n, " %s", type_words[f->type]);
	if (!bits && mb_field_width(f) == 2 && f->order != MB_ABCD)
		n += snprintf(out + n, len - (size_t)n, " %s", order_words[f->order]);
	if (!bits && mb_field_width(f) == 1 && f->order == MB_BADC)
		n += snprintf(out + n, len - (size_t)n, " BA");
	if (!bits && f->bit < 0 && f->scale != 1.0)
		n += snprintf(out + n, len - (size_t)n, " x%g", f->scale);
	if (f->bit >= 0)
		n += snprintf(out + n, len - (size_t)n, " bit %d", f->bit);
	if (f->invert)
		snprintf(out + n, len - (size_t)n, " %s", _("inverted"));
}

/* The decoded value in words: "12.845 kg", "1000 ms", "1 (stable)". */
static void
value_of(enum mb_signal s, double v, char *out, size_t len)
{
	const char *unit = mb_signal_unit(s);

	if (mb_signal_is_bit(s)) {
		for (size_t i = 0; i < sizeof(bit_words) / sizeof(bit_words[0]); i++)
			if (bit_words[i].signal == s) {
				snprintf(out, len, "%d (%s)", v != 0.0,
				    _(v != 0.0 ? bit_words[i].on : bit_words[i].off));
				return;
			}
		snprintf(out, len, "%g", v);
	} else if (strcmp(unit, "kg") == 0) {
		snprintf(out, len, "%.3f kg", v);
	} else if (unit[0] != '\0') {
		snprintf(out, len, "%.0f %s", v, unit);
	} else {
		snprintf(out, len, "%.0f", v);
	}
}

/* Read one field; 0 with raw and value, or -1 with errno. */
static int
read_field(struct mb_link *link, int unit, const struct mb_field *f, uint16_t raw[2], double *value)
{
	raw[0] = raw[1] = 0;
	if (mb_link_read(link, unit, f->table, f->address, (uint16_t)mb_field_width(f), raw) < 0)
		return -1;
	*value = mb_field_decode(f, raw);
	if (*value != *value) { /* NaN: the registers hold no number */
		errno = MB_EBADREPLY;
		return -1;
	}
	return 0;
}

/* Print a report's messages, indented. */
static void
print_report(const struct conf_report *r)
{
	for (size_t i = 0; i < r->count; i++)
		printf("  %s\n", r->errors[i]);
}

static int
parse_int(const char *text, int min, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (text[0] == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

enum { O_TCP = 256, O_RTU, O_BAUD, O_PARITY, O_DATA, O_STOP, O_TIMEOUT, O_AS };

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "tcp", required_argument, NULL, O_TCP },
		{ "rtu", required_argument, NULL, O_RTU },
		{ "baud", required_argument, NULL, O_BAUD },
		{ "parity", required_argument, NULL, O_PARITY },
		{ "data-bits", required_argument, NULL, O_DATA },
		{ "stop-bits", required_argument, NULL, O_STOP },
		{ "unit", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "profiles", required_argument, NULL, 'P' },
		{ "as", required_argument, NULL, O_AS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mb_bus_config bus;
	struct mb_profile profile;
	struct conf_report *errors = calloc(1, sizeof(*errors));
	struct conf_report *notes = calloc(1, sizeof(*notes));
	struct mb_link *link = NULL;
	const char *profiles = NULL, *bus_name = NULL;
	enum mb_role role;
	int unit = 1, have_bus = 0, role_given = 0, failed = 0, ch, status = 2;
	char err[512], where[64], shown[64], rawtext[32];
	const char *why = NULL; /* what was wrong with the command line */

#define BAD(text)                                                                                  \
	do {                                                                                       \
		why = (text);                                                                      \
		goto bad_usage;                                                                    \
	} while (0)

	i18n_init();
	if (errors == NULL || notes == NULL) {
		fprintf(stderr, "gasprobe: out of memory\n");
		return 1;
	}
	mb_bus_config_defaults(&bus);
	bus.response_timeout_ms = DEFAULT_TIMEOUT_MS;
	role = MB_ROLE_SCALE;
	while ((ch = getopt_long(argc, argv, "u:P:h", options, NULL)) != -1) {
		switch (ch) {
		case O_TCP: {
			const char *colon = strrchr(optarg, ':');

			bus.kind = MB_BUS_TCP;
			if (colon != NULL) {
				if (parse_int(colon + 1, 1, 65535, &bus.port) == -1 ||
				    (size_t)(colon - optarg) >= sizeof(bus.host))
					BAD(_("--tcp is HOST[:PORT], the port 1 to 65535"));
				memcpy(bus.host, optarg, (size_t)(colon - optarg));
				bus.host[colon - optarg] = '\0';
			} else {
				str_copy(bus.host, optarg, sizeof(bus.host));
			}
			bus_name = optarg;
			have_bus++;
			break;
		}
		case O_RTU:
			bus.kind = MB_BUS_RTU;
			str_copy(bus.device, optarg, sizeof(bus.device));
			bus_name = optarg;
			have_bus++;
			break;
		case O_BAUD:
			if (parse_int(optarg, 1200, 921600, &bus.baud) == -1)
				BAD(_("--baud is 1200 to 921600"));
			break;
		case O_PARITY:
			if (strcmp(optarg, "none") == 0)
				bus.parity = 'N';
			else if (strcmp(optarg, "even") == 0)
				bus.parity = 'E';
			else if (strcmp(optarg, "odd") == 0)
				bus.parity = 'O';
			else
				BAD(_("--parity is none, even or odd"));
			break;
		case O_DATA:
			if (parse_int(optarg, 7, 8, &bus.data_bits) == -1)
				BAD(_("--data-bits is 7 or 8"));
			break;
		case O_STOP:
			if (parse_int(optarg, 1, 2, &bus.stop_bits) == -1)
				BAD(_("--stop-bits is 1 or 2"));
			break;
		case 'u':
			/* 0 is the broadcast address: nothing answers it */
			if (parse_int(optarg, 1, 247, &unit) == -1)
				BAD(_("--unit is a Modbus unit id, 1 to 247"));
			break;
		case O_TIMEOUT:
			if (parse_int(optarg, 10, 60000, &bus.response_timeout_ms) == -1)
				BAD(_("--timeout is 10 to 60000 ms"));
			break;
		case 'P':
			profiles = optarg;
			break;
		case O_AS:
			if (strcmp(optarg, "scale") == 0)
				role = MB_ROLE_SCALE;
			else if (strcmp(optarg, "valve") == 0)
				role = MB_ROLE_VALVE;
			else if (strcmp(optarg, "filler") == 0)
				role = MB_ROLE_FILLER;
			else
				BAD(_("--as is scale, valve or filler"));
			role_given = 1;
			break;
		case 'h':
			usage(stdout);
			status = 0;
			goto out;
		default:
			goto bad_usage;
		}
	}
	if (have_bus != 1)
		BAD(_("give one bus: --tcp HOST[:PORT] or --rtu DEVICE"));
	if (optind != argc - 1)
		BAD(_("give one PROFILE"));

	if (mb_profile_load_report(argv[optind], profiles, &profile, errors) == -1) {
		conf_report_print_as(errors, "error", stderr);
		goto out;
	}
	if (!role_given)
		role = mb_role_of_kind(profile.kind);
	printf(_("profile  %s (kind %s)%s%s\n"), profile.name, profile.kind,
	    profile.description[0] != '\0' ? ": " : "", profile.description);
	printf(_("file     %s\n"), profile.origin);
	if (profile.capacity_kg > 0)
		printf(_("capacity %.3f kg\n"), profile.capacity_kg);
	printf(_("unit     %d on %s %s\n"), unit, bus.kind == MB_BUS_TCP ? "tcp" : "rtu", bus_name);
	if (mb_link_open(&bus, &link, err, sizeof(err)) == -1) {
		fprintf(stderr, "gasprobe: %s\n", err);
		status = 1;
		goto out;
	}
	printf("\n%s\n", _("signal      value                 raw          register"));
	for (int s = 0; s < MB_SIG_COUNT; s++) {
		const struct mb_field *f = &profile.field[s];
		uint16_t raw[2];
		double value;

		if (!f->present)
			continue;
		where_of(f, where, sizeof(where));
		if (!f->poll) {
			printf("%-11s %-21s %-12s %s (%s)\n", mb_signal_name(s), "-", "-", where,
			    _("write-only: not read"));
			continue;
		}
		if (read_field(link, unit, f, raw, &value) == -1) {
			printf("%-11s %s: %s  [%s]\n", mb_signal_name(s), _("error"),
			    mb_strerror(errno), where);
			failed = 1;
			continue;
		}
		value_of(s, value, shown, sizeof(shown));
		if (f->table == MB_COIL || f->table == MB_DISCRETE)
			snprintf(rawtext, sizeof(rawtext), "%u", (unsigned)raw[0]);
		else if (mb_field_width(f) == 2)
			snprintf(rawtext, sizeof(rawtext), "%04x %04x", raw[0], raw[1]);
		else
			snprintf(rawtext, sizeof(rawtext), "%04x", raw[0]);
		printf("%-11s ", mb_signal_name(s));
		print_column(shown, 22);
		printf("%-12s %s\n", rawtext, where);
	}

	printf("\n");
	if (mb_profile_check(&profile, role, errors, notes) == -1) {
		printf(_("as a %s: does not fit\n"), _(role_words[role]));
		print_report(errors);
		failed = 1;
	} else {
		printf(_("as a %s: fits\n"), _(role_words[role]));
	}
	if (notes->count > 0) {
		printf("%s\n", _("what a line loses with it:"));
		print_report(notes);
	}
	status = failed ? 1 : 0;
	goto out;
bad_usage:
	if (why != NULL)
		fprintf(stderr, "gasprobe: %s\n", why);
	usage(stderr);
	status = 2;
#undef BAD
out:
	mb_link_close(link);
	free(errors);
	free(notes);
	return status;
}
