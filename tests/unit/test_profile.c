/*
 * Unit tests of device profiles (drivers/mb_profile.c): the shipped profiles
 * load, bad files are refused with FILE:LINE, and the value codec gets every
 * type and word order right (checked against libmodbus's own float helpers).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <modbus.h>

#include "conf.h"
#include "fixture.h"
#include "mb.h"

/* drivers/profiles of the source tree, found from the binary's place
 * (build/tests/x or build/asan/tests/x) or the working folder. */
static const char *
profiles_dir(void)
{
	static char dir[PATH_MAX + 32];
	char exe[PATH_MAX];
	ssize_t n;

	if (access("drivers/profiles/sim-scale.ini", R_OK) == 0)
		return "drivers/profiles";
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return "drivers/profiles";
	exe[n] = '\0';
	for (int up = 0; up < 5; up++) {
		char *slash = strrchr(exe, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
		snprintf(dir, sizeof(dir), "%s/drivers/profiles", exe);
		if (access(dir, R_OK) == 0)
			return dir;
	}
	return "drivers/profiles";
}

static void
loads_every_shipped_profile(void **state)
{
	static const struct {
		const char *name, *kind;
		enum mb_signal must[4];
	} rows[] = {
		{ "sim-scale", "scale",
		    { MB_SIG_GROSS, MB_SIG_NET, MB_SIG_MOTION, MB_SIG_STABLE } },
		{ "sim-valve", "valve",
		    { MB_SIG_VALVE_CMD, MB_SIG_VALVE_FB, MB_SIG_WATCHDOG, MB_SIG_HEARTBEAT } },
		{ "wtx-filler", "filler",
		    { MB_SIG_TARGET, MB_SIG_START, MB_SIG_ABORT, MB_SIG_FILLING } },
		{ "indicator-f32", "indicator",
		    { MB_SIG_GROSS, MB_SIG_NET, MB_SIG_STABLE, MB_SIG_ERROR } },
		{ NULL, NULL, { 0 } },
	};
	struct conf_report errors, notes;
	struct mb_profile p;
	char err[256];

	(void)state;
	for (int i = 0; rows[i].name != NULL; i++) {
		err[0] = '\0';
		if (mb_profile_load(rows[i].name, profiles_dir(), &p, err, sizeof(err)) != 0)
			fail_msg("%s: %s", rows[i].name, err);
		assert_string_equal(p.name, rows[i].name);
		assert_string_equal(p.kind, rows[i].kind);
		for (int k = 0; k < 4; k++)
			assert_true(p.field[rows[i].must[k]].present);
		/* each serves as what its kind is for, with nothing missing */
		memset(&errors, 0, sizeof(errors));
		memset(&notes, 0, sizeof(notes));
		if (mb_profile_check(&p, mb_role_of_kind(p.kind), &errors, &notes) != 0 ||
		    notes.count != 0)
			fail_msg("%s: %s", rows[i].name,
			    errors.count  ? errors.errors[0]
			    : notes.count ? notes.errors[0]
			                  : "?");
	}
	/* the CDAB indicator really says CDAB float */
	assert_int_equal(mb_profile_load("indicator-f32", profiles_dir(), &p, err, sizeof(err)), 0);
	assert_int_equal(p.field[MB_SIG_GROSS].type, MB_F32);
	assert_int_equal(p.field[MB_SIG_GROSS].order, MB_CDAB);
}

static void
refuses_bad_profiles_naming_file_and_line(void **state)
{
	static const struct {
		const char *text;
		const char *message; /* expected in one of the errors */
	} rows[] = {
		{ "[device]\nname = x\nkind = scale\n[gross]\ntable = holdings\n",
		    "t.ini:5: 'table' must be one of coil, discrete, input, holding, not 'holdings'" },
		{ "[device]\nname = x\nkind = scale\n[weight]\ntable = input\n",
		    "t.ini:4: unknown section [weight]" },
		{ "[device]\nname = x\nkind = scale\n[gross]\ntable = input\naddress = 70000\n",
		    "t.ini:6: 'address' = 70000 is out of range (0 to 65535)" },
		{ "[device]\nname = x\nkind = scale\n\n\n[gross]\ntable = input\ntype = f64\n",
		    "t.ini:8: 'type' must be one of u16, i16, u32, i32, f32, not 'f64'" },
		{ "[device]\nname = x\nkind = scale\n[gross]\ntable = input\ntype = i32\norder = ACBD\n",
		    "t.ini:7: 'order' must be one of ABCD, CDAB, BADC, DCBA, AB, BA, not 'ACBD'" },
		{ "[device]\nname = x\nkind = scale\n[gross]\ntable = input\ntype = i32\norder = BA\n",
		    "t.ini:7: [gross] order: 'BA' is for a 16-bit register" },
		{ "[device]\nname = x\nkind = scale\n[gross]\ntable = input\norder = CDAB\n",
		    "t.ini:6: [gross] order: 'CDAB' is for a 32-bit value; a 16-bit register is AB or "
		    "BA" },
		{ "[device]\nname = x\nkind = scale\n[motion]\ntable = input\nbit = 16\n",
		    "t.ini:6: 'bit' = 16 is out of range (0 to 15)" },
		{ "[device]\nname = x\nkind = scale\n[gross]\ntable = input\nscale = 0\n",
		    "t.ini:6: [gross] scale: must not be 0" },
		{ "[device]\nname = x\nkind = pump\n",
		    "t.ini:3: 'kind' must be one of scale, valve, filler, indicator, not 'pump'" },
		{ "[device]\nkind = scale\n", "t.ini:1: [device]: missing required key 'name'" },
		{ "[device]\nname = x\nkind = scale\n[gross]\naddress = 1\n",
		    "t.ini:4: [gross]: missing required key 'table'" },
		{ "[device]\nname = x\nkind = scale\n[gross]\ntable = coil\ntype = i32\n",
		    "t.ini:6: [gross] is a coil: it has no type" },
		{ "[device]\nname = x\nkind = valve\n[valve_cmd]\ntable = discrete\n",
		    "t.ini:5: [valve_cmd] is written by the gateway: it must be a coil or holding "
		    "register, not discrete" },
		{ "[device]\nname = x\nkind = scale\n[gross]\ntable = input\naddress = 65535\ntype = "
		  "u32\n",
		    "t.ini:4: [gross] runs past address 65535" },
		{ "[device]\nname = x\nkind = scale\nthis is not ini\n",
		    "t.ini:4: not a 'key = value' line, section or comment" },
		{ "[device]\nname = x\nkind = scale\n[gross]\ntable = input\ntype = i32\ninvert = "
		  "yes\n",
		    "t.ini:7: [gross] invert: only a coil, a discrete input or a bit has a polarity" },
		{ "[device]\nname = x\nkind = scale\n[gross]\ntable = input\nbit = 2\ninvert = yes\n",
		    "t.ini:7: [gross] invert: gross is a value, not a bit: it has no polarity" },
		{ "[device]\nname = x\nkind = scale\ncapacity = -5\n",
		    "t.ini:4: 'capacity' = -5 is out of range" },
		{ "[device]\nname = x\nkind = valve\nclose_ms = 20000\n",
		    "t.ini:4: 'close_ms' = 20000 is out of range" },
		{ "[device]\nname = x\nkind = scale\n; a comment longer than inih's line buffer "
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "\n"
		  "[gross]\ntable = nowhere\n",
		    "t.ini:6: 'table' must be one of" },
		{ NULL, NULL },
	};
	struct mb_profile p;
	char err[1024];

	(void)state;
	for (int i = 0; rows[i].text != NULL; i++) {
		err[0] = '\0';
		int rc = mb_profile_parse(rows[i].text, strlen(rows[i].text), "t.ini", &p, err,
		    sizeof(err));
		if (rc != -1 || strstr(err, rows[i].message) == NULL)
			fail_msg("row %d: rc %d, got '%s', want '%s'", i, rc, err, rows[i].message);
	}
}

/* One parse says everything that is wrong with a profile, each with its line. */
static void
reports_every_problem_not_just_the_first(void **state)
{
	static const char text[] = "[device]\n"         /* 1 */
	                           "name = x\n"         /* 2 */
	                           "kind = valve\n"     /* 3 */
	                           "colour = red\n"     /* 4 */
	                           "[valve_cmd]\n"      /* 5 */
	                           "table = discrete\n" /* 6 */
	                           "[valve_fb]\n"       /* 7 */
	                           "table = discrete\n" /* 8 */
	                           "invert = maybe\n"   /* 9 */
	                           "[pressure]\n"       /* 10 */
	                           "table = input\n";   /* 11 */
	struct conf_report r;
	struct mb_profile p;

	(void)state;
	assert_int_equal(mb_profile_parse_report(text, strlen(text), "v.ini", &p, &r), -1);
	assert_int_equal(r.count, 4);
	assert_string_equal(r.errors[0], "v.ini:4: unknown key 'colour' in [device]");
	assert_string_equal(r.errors[1], "v.ini:9: 'invert' must be yes or no, not 'maybe'");
	assert_string_equal(r.errors[2], "v.ini:10: unknown section [pressure]");
	assert_string_equal(r.errors[3], "v.ini:6: [valve_cmd] is written by the gateway: it must "
	                                 "be a coil or holding register, not discrete");
}

/* A folder of the case's own for its profile (fixture_dir_setup). */
static int
profile_folder_setup(void **state)
{
	return fixture_dir_setup(state, "gastest-prof");
}

/* A loaded profile names its file by the path it was found at. */
static void
load_names_the_file_by_its_path(void **state)
{
	const char *dir = *state;
	char path[96], err[512];
	struct mb_profile p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/odd.ini", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[device]\nname = odd\nkind = valve\n[valve_cmd]\ntable = coil\ncolour = red\n", f);
	fclose(f);
	assert_int_equal(mb_profile_load("odd", dir, &p, err, sizeof(err)), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(strncmp(err, path, strlen(path)), 0);
	assert_non_null(strstr(err, ":6: unknown key 'colour' in [valve_cmd]"));
}

static void
reads_a_profile_only_within_its_length(void **state)
{
	/* the bytes after len would make it invalid; they must not be read */
	const char text[] = "[device]\nname = x\nkind = scale\n[gross]\ntable = input\nJUNK";
	struct mb_profile p;
	char err[256];

	(void)state;
	assert_int_equal(mb_profile_parse(text, strlen(text) - 4, "t.ini", &p, err, sizeof(err)),
	    0);
	assert_true(p.field[MB_SIG_GROSS].present);
	assert_int_equal(p.field[MB_SIG_GROSS].table, MB_INPUT);
	assert_int_equal(p.field[MB_SIG_GROSS].poll, 1);
}

static void
codec_gets_every_type_and_word_order_right(void **state)
{
	static const struct {
		enum mb_table table;
		enum mb_type type;
		enum mb_order order;
		double scale;
		int bit;
		double value;
		uint16_t regs[2];
	} rows[] = {
		{ MB_HOLDING, MB_U16, MB_ABCD, 1, -1, 1234, { 1234, 0 } },
		{ MB_HOLDING, MB_I16, MB_ABCD, 0.01, -1, -1.5, { 0xff6a, 0 } },
		{ MB_INPUT, MB_I32, MB_ABCD, 0.001, -1, 14.9, { 0x0000, 0x3a34 } },
		{ MB_INPUT, MB_I32, MB_ABCD, 0.001, -1, -0.005, { 0xffff, 0xfffb } },
		{ MB_INPUT, MB_U32, MB_ABCD, 1, -1, 0x12345678, { 0x1234, 0x5678 } },
		{ MB_INPUT, MB_U32, MB_CDAB, 1, -1, 0x12345678, { 0x5678, 0x1234 } },
		{ MB_INPUT, MB_U32, MB_BADC, 1, -1, 0x12345678, { 0x3412, 0x7856 } },
		{ MB_INPUT, MB_U32, MB_DCBA, 1, -1, 0x12345678, { 0x7856, 0x3412 } },
		{ MB_HOLDING, MB_F32, MB_ABCD, 1, -1, 14.5, { 0x4168, 0x0000 } },
		{ MB_HOLDING, MB_F32, MB_CDAB, 1, -1, 14.5, { 0x0000, 0x4168 } },
		{ MB_HOLDING, MB_F32, MB_BADC, 1, -1, 14.5, { 0x6841, 0x0000 } },
		{ MB_HOLDING, MB_F32, MB_DCBA, 1, -1, 14.5, { 0x0000, 0x6841 } },
		{ MB_INPUT, MB_U16, MB_ABCD, 1, 3, 1, { 0x0008, 0 } },
		{ MB_COIL, MB_U16, MB_ABCD, 1, -1, 1, { 1, 0 } },
		{ MB_HOLDING, MB_U16, MB_ABCD, 1, -1, -1, { 0, 0 } }, /* sentinel (table) */
	};
	(void)state;
	for (size_t i = 0; i + 1 < sizeof(rows) / sizeof(*rows); i++) {
		struct mb_field f = { .present = 1,
			.table = rows[i].table,
			.type = rows[i].type,
			.order = rows[i].order,
			.scale = rows[i].scale,
			.bit = rows[i].bit,
			.poll = 1 };
		uint16_t regs[2] = { 0, 0 };

		assert_int_equal(mb_field_encode(&f, rows[i].value, regs), 0);
		if (regs[0] != rows[i].regs[0] ||
		    (mb_field_width(&f) == 2 && regs[1] != rows[i].regs[1]))
			fail_msg("row %zu: encoded %04x %04x, want %04x %04x", i, regs[0], regs[1],
			    rows[i].regs[0], rows[i].regs[1]);
		assert_float_equal(mb_field_decode(&f, rows[i].regs), rows[i].value, 1e-9);
	}
}

/* NaN, infinity, or a float the scale takes past a double: no number. */
static void
float_that_is_no_number_decodes_as_nan(void **state)
{
	static const struct {
		enum mb_order order;
		double scale;
		uint16_t regs[2];
	} rows[] = {
		{ MB_ABCD, 1, { 0x7fc0, 0x0000 } },     /* quiet NaN */
		{ MB_ABCD, 1, { 0x7f80, 0x0000 } },     /* +infinity */
		{ MB_ABCD, 1, { 0xff80, 0x0000 } },     /* -infinity */
		{ MB_CDAB, 1, { 0x00fe, 0xffff } },     /* the fuzzer's: NaN in word order CDAB */
		{ MB_ABCD, 1e300, { 0x7f7f, 0xffff } }, /* FLT_MAX times 1e300 */
		{ MB_ABCD, 0, { 0, 0 } },               /* sentinel */
	};
	(void)state;
	for (size_t i = 0; rows[i].scale != 0; i++) {
		struct mb_field f = { .present = 1,
			.table = MB_HOLDING,
			.type = MB_F32,
			.order = rows[i].order,
			.scale = rows[i].scale,
			.bit = -1,
			.poll = 1 };

		if (!isnan(mb_field_decode(&f, rows[i].regs)))
			fail_msg("row %zu: %g is not NaN", i, mb_field_decode(&f, rows[i].regs));
	}
}

static void
float_orders_agree_with_libmodbus(void **state)
{
	static const struct {
		enum mb_order order;
		float (*get)(const uint16_t *);
	} rows[] = {
		{ MB_ABCD, modbus_get_float_abcd },
		{ MB_CDAB, modbus_get_float_cdab },
		{ MB_BADC, modbus_get_float_badc },
		{ MB_DCBA, modbus_get_float_dcba },
	};
	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct mb_field f = { .present = 1,
			.table = MB_HOLDING,
			.type = MB_F32,
			.order = rows[i].order,
			.scale = 1,
			.bit = -1 };
		uint16_t regs[2];
		assert_int_equal(mb_field_encode(&f, 49.875, regs), 0);
		assert_float_equal(rows[i].get(regs), 49.875, 1e-6);
	}
}

static void
refuses_values_that_do_not_fit(void **state)
{
	struct mb_field f = { .present = 1,
		.table = MB_HOLDING,
		.type = MB_U16,
		.scale = 0.001,
		.bit = -1 };
	uint16_t regs[2];

	(void)state;
	assert_int_equal(mb_field_encode(&f, 65.536, regs), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(mb_field_encode(&f, -0.001, regs), -1);
	f.type = MB_I32;
	assert_int_equal(mb_field_encode(&f, 3e6, regs), -1);
}

static void
holding_bit_write_keeps_other_bits(void **state)
{
	struct mb_field f = { .present = 1,
		.table = MB_HOLDING,
		.type = MB_U16,
		.scale = 1,
		.bit = 1 };
	uint16_t regs[2] = { 0x8005, 0 };

	(void)state;
	assert_int_equal(mb_field_encode(&f, 1, regs), 0);
	assert_int_equal(regs[0], 0x8007);
	assert_int_equal(mb_field_encode(&f, 0, regs), 0);
	assert_int_equal(regs[0], 0x8005);
}

/* Polarity: an inverted bit reads 1 when the device says 0, both ways,
 * for a coil, a discrete input and a bit of a register; and a 16-bit
 * register in byte order BA. */
static void
polarity_and_byte_order_apply_both_ways(void **state)
{
	static const struct {
		enum mb_table table;
		enum mb_type type;
		enum mb_order order;
		int bit, invert;
		double value;
		uint16_t before, after; /* the register (or bit) before and after encoding */
	} rows[] = {
		{ MB_DISCRETE, MB_U16, MB_ABCD, -1, 1, 1, 0, 0 }, /* 1 = closed on the wire */
		{ MB_DISCRETE, MB_U16, MB_ABCD, -1, 1, 0, 0, 1 },
		{ MB_COIL, MB_U16, MB_ABCD, -1, 1, 1, 1, 0 },
		{ MB_COIL, MB_U16, MB_ABCD, -1, 0, 1, 0, 1 },
		{ MB_HOLDING, MB_U16, MB_ABCD, 2, 1, 1, 0x00ff, 0x00fb },
		{ MB_HOLDING, MB_U16, MB_ABCD, 2, 1, 0, 0x00f0, 0x00f4 },
		{ MB_INPUT, MB_U16, MB_BADC, 0, 0, 1, 0x0000, 0x0100 }, /* bit 0 of BA: high byte */
		{ MB_HOLDING, MB_U16, MB_BADC, -1, 0, 0x1234, 0, 0x3412 },
		{ MB_HOLDING, MB_I16, MB_BADC, -1, 0, -2, 0, 0xfeff },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(*rows); i++) {
		struct mb_field f = { .present = 1,
			.table = rows[i].table,
			.type = rows[i].type,
			.order = rows[i].order,
			.scale = 1,
			.bit = rows[i].bit,
			.invert = rows[i].invert,
			.poll = 1 };
		uint16_t regs[2] = { rows[i].before, 0 };

		assert_int_equal(mb_field_encode(&f, rows[i].value, regs), 0);
		if (regs[0] != rows[i].after)
			fail_msg("row %zu: encoded %04x, want %04x", i, regs[0], rows[i].after);
		assert_float_equal(mb_field_decode(&f, regs), rows[i].value, 1e-9);
	}
}

/* The parser sets polarity and byte order from the file. */
static void
parses_polarity_capacity_and_byte_order(void **state)
{
	static const char text[] = "[device]\nname = io\nkind = valve\nclose_ms = 250\n"
	                           "[valve_cmd]\ntable = coil\naddress = 16\n"
	                           "[valve_fb]\ntable = discrete\ninvert = yes\n"
	                           "[watchdog]\ntable = holding\naddress = 40\nscale = 100\n"
	                           "[heartbeat]\ntable = holding\naddress = 41\norder = BA\n";
	static const char scale[] = "[device]\nname = s\nkind = indicator\ncapacity = 150\n"
	                            "[gross]\ntable = holding\ntype = f32\norder = CDAB\n";
	struct mb_profile p;
	char err[256];
	uint16_t regs[2] = { 0, 0 };

	(void)state;
	assert_int_equal(mb_profile_parse(text, strlen(text), "io.ini", &p, err, sizeof(err)), 0);
	assert_true(p.field[MB_SIG_VALVE_FB].invert);
	assert_false(p.field[MB_SIG_VALVE_CMD].invert);
	assert_int_equal(p.field[MB_SIG_HEARTBEAT].order, MB_BADC);
	assert_int_equal(p.field[MB_SIG_VALVE_FB].line, 8);
	assert_int_equal(p.close_ms, 250);
	/* a watchdog in tenths of a second: 1000 ms is 10 on the wire */
	assert_int_equal(mb_field_encode(&p.field[MB_SIG_WATCHDOG], 1000, regs), 0);
	assert_int_equal(regs[0], 10);
	assert_int_equal(mb_profile_parse(scale, strlen(scale), "s.ini", &p, err, sizeof(err)), 0);
	assert_float_equal(p.capacity_kg, 150, 1e-9);
	assert_int_equal(p.capacity_line, 4);
}

/* What each role needs: the kind, the signals, the capacity; what a line
 * loses for want of an optional signal is a note, not a refusal. */
static void
checks_a_profile_against_its_role(void **state)
{
	static const char *const head_valve = "[device]\nname = v\nkind = valve\n";
	static const char *const head_scale = "[device]\nname = s\nkind = scale\ncapacity = 60\n";
	static const struct {
		const char *name;
		const char *head, *body;
		enum mb_role role;
		const char *error; /* expected in an error, or NULL: it serves */
		const char *note;  /* expected in a note, or NULL: no note */
	} rows[] = {
		{ "full valve", NULL,
		    "[valve_cmd]\ntable = coil\n[valve_fb]\ntable = discrete\n"
		    "[watchdog]\ntable = holding\n[heartbeat]\ntable = holding\naddress = 1\n",
		    MB_ROLE_VALVE, NULL, NULL },
		{ "valve without feedback", NULL,
		    "[valve_cmd]\ntable = coil\n[watchdog]\ntable = holding\n"
		    "[heartbeat]\ntable = holding\naddress = 1\n",
		    MB_ROLE_VALVE, NULL,
		    "r.ini:3: no [valve_fb]: a valve the unit shuts by itself" },
		{ "valve whose feedback is not read", NULL,
		    "[valve_cmd]\ntable = coil\n[valve_fb]\ntable = discrete\npoll = no\n"
		    "[watchdog]\ntable = holding\n[heartbeat]\ntable = holding\naddress = 1\n",
		    MB_ROLE_VALVE, NULL, "r.ini:6: no [valve_fb] read (poll = no)" },
		{ "valve whose watchdog cannot be read back", NULL,
		    "[valve_cmd]\ntable = coil\n[valve_fb]\ntable = discrete\n"
		    "[watchdog]\ntable = holding\npoll = no\n[heartbeat]\ntable = holding\n"
		    "address = 1\n",
		    MB_ROLE_VALVE, NULL,
		    "r.ini:8: [watchdog] has poll = no: the gateway cannot read" },
		{ "valve without watchdog", NULL,
		    "[valve_cmd]\ntable = coil\n[valve_fb]\ntable = discrete\n"
		    "[heartbeat]\ntable = holding\naddress = 1\n",
		    MB_ROLE_VALVE,
		    "r.ini:3: a valve needs [watchdog]: the unit must close the valve", NULL },
		{ "valve without command", NULL,
		    "[watchdog]\ntable = holding\n[heartbeat]\ntable = holding\naddress = 1\n",
		    MB_ROLE_VALVE, "a valve needs [valve_cmd]", NULL },
		{ "a valve as a scale", NULL, "[valve_cmd]\ntable = coil\n", MB_ROLE_SCALE,
		    "r.ini:3: kind = valve cannot serve as a scale: a scale profile has kind = scale or "
		    "indicator",
		    NULL },
		{ "full scale", "",
		    "[gross]\ntable = input\n[motion]\ntable = input\naddress = 1\nbit = 0\n"
		    "[error]\ntable = input\naddress = 1\nbit = 1\n",
		    MB_ROLE_SCALE, NULL, NULL },
		{ "scale without error bit", "",
		    "[gross]\ntable = input\n[stable]\ntable = discrete\n", MB_ROLE_SCALE, NULL,
		    "no [error]: an instrument error is taken for a weight" },
		{ "scale that never settles", "",
		    "[gross]\ntable = input\n[error]\ntable = discrete\n", MB_ROLE_SCALE,
		    "a scale needs [stable] or [motion]: without them the weight is never seen to "
		    "settle",
		    NULL },
		{ "scale without capacity", "[device]\nname = s\nkind = indicator\n",
		    "[gross]\ntable = input\n[stable]\ntable = discrete\n[error]\ntable = discrete\n",
		    MB_ROLE_SCALE, "r.ini:3: a scale needs its capacity", NULL },
		{ "scale as a filler", "", "[gross]\ntable = input\n", MB_ROLE_FILLER,
		    "kind = scale cannot serve as a filler", NULL },
		{ NULL, NULL, NULL, 0, NULL, NULL },
	};
	struct conf_report errors, notes, parse;
	struct mb_profile p;
	char text[1024];

	(void)state;
	for (int i = 0; rows[i].name != NULL; i++) {
		const char *head = rows[i].head == NULL      ? head_valve
		                   : rows[i].head[0] == '\0' ? head_scale
		                                             : rows[i].head;
		int rc, found_error = 0, found_note = 0;

		snprintf(text, sizeof(text), "%s%s", head, rows[i].body);
		if (mb_profile_parse_report(text, strlen(text), "r.ini", &p, &parse) != 0)
			fail_msg("%s: does not parse: %s", rows[i].name, parse.errors[0]);
		memset(&errors, 0, sizeof(errors));
		memset(&notes, 0, sizeof(notes));
		rc = mb_profile_check(&p, rows[i].role, &errors, &notes);
		for (size_t e = 0; e < errors.count; e++)
			found_error |=
			    rows[i].error != NULL && strstr(errors.errors[e], rows[i].error);
		for (size_t e = 0; e < notes.count; e++)
			found_note |= rows[i].note != NULL && strstr(notes.errors[e], rows[i].note);
		if (rows[i].error == NULL ? rc != 0 || errors.count != 0 : rc != -1 || !found_error)
			fail_msg("%s: rc %d, %zu errors, first '%s'", rows[i].name, rc,
			    errors.count, errors.count ? errors.errors[0] : "");
		if (rows[i].note == NULL ? rows[i].error == NULL && notes.count != 0 : !found_note)
			fail_msg("%s: %zu notes, first '%s'", rows[i].name, notes.count,
			    notes.count ? notes.errors[0] : "");
	}
}

static void
errors_are_distinct_and_readable(void **state)
{
	(void)state;
	assert_int_equal(mb_error_kind(ETIMEDOUT), MB_ERR_TIMEOUT);
	assert_int_equal(mb_error_kind(MB_ECRC), MB_ERR_CRC);
	assert_int_equal(mb_error_kind(MB_EEXCEPTION(2)), MB_ERR_EXCEPTION);
	assert_int_equal(mb_error_kind(MB_EBADREPLY), MB_ERR_REPLY);
	assert_int_equal(mb_error_kind(ECONNRESET), MB_ERR_LINK);
	assert_non_null(strstr(mb_strerror(MB_EEXCEPTION(2)), "illegal data address"));
	assert_non_null(strstr(mb_strerror(MB_ECRC), "CRC"));
	assert_non_null(strstr(mb_strerror(ETIMEDOUT), "timeout"));
	assert_int_equal(mb_signal_from_name("valve_cmd"), MB_SIG_VALVE_CMD);
	assert_string_equal(mb_signal_name(MB_SIG_FILL_DONE), "fill_done");
	assert_int_equal(mb_signal_from_name("weight"), -1);
}

static void
load_refuses_odd_names(void **state)
{
	struct mb_profile p;
	char err[256];

	(void)state;
	assert_int_equal(mb_profile_load("a b", NULL, &p, err, sizeof(err)), -1);
	assert_int_equal(mb_profile_load("no-such-profile", profiles_dir(), &p, err, sizeof(err)),
	    -1);
	assert_int_equal(errno, ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(loads_every_shipped_profile),
		cmocka_unit_test(refuses_bad_profiles_naming_file_and_line),
		cmocka_unit_test(reports_every_problem_not_just_the_first),
		cmocka_unit_test_setup_teardown(load_names_the_file_by_its_path,
		    profile_folder_setup, fixture_dir_teardown),
		cmocka_unit_test(polarity_and_byte_order_apply_both_ways),
		cmocka_unit_test(parses_polarity_capacity_and_byte_order),
		cmocka_unit_test(checks_a_profile_against_its_role),
		cmocka_unit_test(reads_a_profile_only_within_its_length),
		cmocka_unit_test(codec_gets_every_type_and_word_order_right),
		cmocka_unit_test(float_orders_agree_with_libmodbus),
		cmocka_unit_test(float_that_is_no_number_decodes_as_nan),
		cmocka_unit_test(refuses_values_that_do_not_fit),
		cmocka_unit_test(holding_bit_write_keeps_other_bits),
		cmocka_unit_test(errors_are_distinct_and_readable),
		cmocka_unit_test(load_refuses_odd_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
