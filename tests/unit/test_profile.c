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
		const char *message; /* expected start of the error */
	} rows[] = {
		{ "[device]\nname = x\nkind = scale\n[gross]\ntable = holdings\n",
		    "t.ini:5: table: 'holdings'" },
		{ "[device]\nname = x\nkind = scale\n[weight]\ntable = input\n",
		    "t.ini:5: unknown section [weight]" },
		{ "[device]\nname = x\nkind = scale\n[gross]\ntable = input\naddress = 70000\n",
		    "t.ini:6: address" },
		{ "[device]\nname = x\nkind = scale\n\n\n[gross]\ntable = input\ntype = f64\n",
		    "t.ini:8: type" },
		{ "[device]\nname = x\nkind = scale\n[gross]\ntable = input\norder = ACBD\n",
		    "t.ini:6: order" },
		{ "[device]\nname = x\nkind = scale\n[motion]\ntable = input\nbit = 16\n",
		    "t.ini:6: bit" },
		{ "[device]\nname = x\nkind = scale\n[gross]\ntable = input\nscale = 0\n",
		    "t.ini:6: scale" },
		{ "[device]\nname = x\nkind = pump\n", "t.ini:3: kind" },
		{ "[device]\nkind = scale\n", "t.ini: [device] has no name" },
		{ "[device]\nname = x\nkind = scale\n[gross]\naddress = 1\n",
		    "t.ini: [gross] has no table" },
		{ "[device]\nname = x\nkind = scale\n[gross]\ntable = coil\ntype = i32\n",
		    "t.ini: [gross] is a coil" },
		{ "[device]\nname = x\nkind = valve\n[valve_cmd]\ntable = discrete\n",
		    "t.ini: [valve_cmd] is written" },
		{ "[device]\nname = x\nkind = scale\n[gross]\ntable = input\naddress = 65535\ntype = "
		  "u32\n",
		    "t.ini: [gross] runs past" },
		{ "[device]\nname = x\nkind = scale\nthis is not ini\n", "t.ini:4: syntax error" },
		{ "[device]\nname = x\nkind = scale\n; a comment longer than inih's line buffer "
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "\n"
		  "[gross]\ntable = nowhere\n",
		    "t.ini:6: table" },
		{ NULL, NULL },
	};
	struct mb_profile p;
	char err[256];

	(void)state;
	for (int i = 0; rows[i].text != NULL; i++) {
		err[0] = '\0';
		int rc = mb_profile_parse(rows[i].text, strlen(rows[i].text), "t.ini", &p, err,
		    sizeof(err));
		if (rc != -1 || strncmp(err, rows[i].message, strlen(rows[i].message)) != 0)
			fail_msg("row %d: rc %d, got '%s', want '%s...'", i, rc, err,
			    rows[i].message);
	}
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
