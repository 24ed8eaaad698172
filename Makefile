# Gas-cylinder traceability gateway: one Makefile for the whole tree.
#
# Layout (discovered, so adding a module needs no edit here):
#   gateway/lib/*.c, drivers/*.c  -> build/libgas.a (shared code, every binary links it)
#   gateway/*.c                   -> build/gasgw
#   drivers/sim/*.c               -> build/gassim
#   tools/gasNAME/*.c             -> build/gasNAME
#   tools/county/*.c              -> build/libcounty.a (the county's shared code)
#   tests/unit/test_*.c           -> build/tests/test_*   (cmocka)
#   tests/helpers/*.c, tests/shim/*.c -> build/tests/NAME, build/tests/NAME.so (test only)
#   tests/integration/t_*.sh      -> run by `make check`
#   tests/fuzz/fuzz_*.c           -> build/fuzz/fuzz_*    (`make fuzz`, clang libFuzzer)
#   tests/bench/bench_*.{c,sh}    -> run by `make bench`
#   schema/{station,county}/NNN_*.sql -> embedded migrations (build/gen/)
#
# `make check` builds with -Werror, runs unit and integration tests, then the
# unit tests again under ASan+UBSan (build/asan/).

PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
CC       ?= cc
WERROR   ?=
SAN      ?=

# The packages' flags (PKG_CFLAGS, PKG_LIBS) come from $(BUILD)/pkg.mk, which
# is made by running `make deps` and only then pkg-config (see "first
# contact" below): never from pkg-config when this file is read, which on a
# bare machine is before anything is installed.
PKG_CONFIG ?= pkg-config
PKGS      := sqlite3 libssl libcrypto libmodbus libcoap-3-openssl libcbor jansson inih libqrencode libpng libsystemd libargon2 libmicrohttpd
# gaslabel alone draws Chinese text on its labels (a CJK font through
# fontconfig and FreeType): no other binary links them.
LABEL_PKGS := freetype2 fontconfig

WARN     := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes $(WERROR)
CFLAGS   ?= -O2 -g
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SAN) -D_GNU_SOURCE -DGAS_LOCALEDIR='"$(PREFIX)/share/locale"' -Igateway/lib -Igateway -Idrivers -I$(BUILD)/gen $(PKG_CFLAGS) -MMD -MP
LDFLAGS  ?=
ALL_LDFLAGS = $(LDFLAGS) $(SAN)

LIB_SRC   := $(wildcard gateway/lib/*.c) $(wildcard drivers/*.c)
GEN_SRC   := $(BUILD)/gen/schema_station.c $(BUILD)/gen/schema_county.c $(BUILD)/gen/schema_delivery.c
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(GEN_SRC:$(BUILD)/gen/%.c=$(BUILD)/obj/gen/%.o)
LIBGAS    := $(BUILD)/libgas.a

TOOL_DIRS := $(patsubst %/,%,$(wildcard tools/gas*/))
TOOLS     := $(notdir $(TOOL_DIRS))
BINS      := $(BUILD)/gasgw $(if $(wildcard drivers/sim/*.c),$(BUILD)/gassim) $(TOOLS:%=$(BUILD)/%)

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRC := $(wildcard tests/bench/bench_*.c)
BENCH_BINS:= $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)


.PHONY: locales all check bench demo deps install clean fuzz unit asan-unit torture
# No built-in rules: they would try to "remake" the included .d files.
MAKEFLAGS += --no-builtin-rules
.SUFFIXES:
.DELETE_ON_ERROR:
.SECONDARY:

all: $(BINS) locales

# --- translations: tools/po/LANG.po -> build/locale/LANG/LC_MESSAGES/gasgw.mo --
PO_FILES  := $(wildcard tools/po/*.po)
MO_FILES  := $(PO_FILES:tools/po/%.po=$(BUILD)/locale/%/LC_MESSAGES/gasgw.mo)
locales: $(MO_FILES)
$(BUILD)/locale/%/LC_MESSAGES/gasgw.mo: tools/po/%.po
	@mkdir -p $(@D)
	msgfmt --check -o $@ $<

# --- generated: migrations embedded as C strings -------------------------
$(BUILD)/gen/schema_%.c: tools/embed-schema.sh $(wildcard schema/*/*.sql)
	@mkdir -p $(@D)
	sh tools/embed-schema.sh $* schema/$* > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# --- library ---------------------------------------------------------------
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBGAS): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# --- binaries --------------------------------------------------------------
objs_of = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard $(1)/*.c))

# The gateway's modules (all of gateway/*.c but main.c) form libgasgw.a so
# that unit tests can link them.
GW_OBJ    := $(filter-out $(BUILD)/obj/gateway/main.o,$(call objs_of,gateway))
LIBGASGW  := $(BUILD)/libgasgw.a
$(LIBGASGW): $(GW_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/gasgw: $(BUILD)/obj/gateway/main.o $(LIBGASGW) $(LIBGAS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBGASGW) $(LIBGAS) $(PKG_LIBS)

$(BUILD)/gassim: $(call objs_of,drivers/sim) $(LIBGAS)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(LIBGAS) $(PKG_LIBS)

# gasctl reads the station's fills through the gateway's records module,
# the one owner of that table (docs/schema.md).
TOOL_LIBS_gasctl := $(LIBGASGW)

# --- the county's library ---------------------------------------------------
# tools/county/*.c -> build/libcounty.a: the county's shared code (its
# database side, who may see or change what), apart from the station's
# libgas.a.  Linked by gascounty (TOOL_LIBS_gascounty below: a tool that
# needs it adds the same line), the unit tests and the benchmarks; its
# headers are on every compile's include path.
COUNTY_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard tools/county/*.c))
LIBCOUNTY  := $(BUILD)/libcounty.a
ALL_CFLAGS += -Itools/county
TOOL_LIBS_gascounty := $(LIBCOUNTY)
TOOL_LIBS_gaswatch := $(LIBCOUNTY)
TOOL_LIBS_gastrace := $(LIBCOUNTY)
TOOL_LIBS_gasweb := $(LIBCOUNTY)
$(LIBCOUNTY): $(COUNTY_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

define tool_rule
$(BUILD)/$(1): $(call objs_of,tools/$(1)) $(TOOL_LIBS_$(1)) $(LIBGAS)
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $$(filter %.o,$$^) $(TOOL_LIBS_$(1)) $(LIBGAS) $$(PKG_LIBS) $$(TOOL_LDLIBS_$(1))
endef
TOOL_LDLIBS_gaslabel = $(LABEL_LIBS)
$(BUILD)/obj/tools/gaslabel/%.o: ALL_CFLAGS += $(LABEL_CFLAGS)
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

# --- unit tests --------------------------------------------------------------
$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(LIBCOUNTY) $(LIBGASGW) $(LIBGAS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBCOUNTY) $(LIBGASGW) $(LIBGAS) $(PKG_LIBS) -lcmocka

# test helpers (relays, fault shims): tests/helpers/NAME.c -> build/tests/NAME
# (with the gateway's modules: uplink_run runs gasgw's uplink; and the county's:
# coapreq encodes case requests)
HELPER_SRC  := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(HELPER_SRC:tests/helpers/%.c=$(BUILD)/tests/%)
$(BUILD)/tests/%: $(BUILD)/obj/tests/helpers/%.o $(LIBCOUNTY) $(LIBGASGW) $(LIBGAS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBCOUNTY) $(LIBGASGW) $(LIBGAS) $(PKG_LIBS)

# test-only shims a test loads into a real program with LD_PRELOAD (the SQLite
# fault VFS): tests/shim/NAME.c -> build/tests/NAME.so, in no shipped binary
SHIM_SRC  := $(wildcard tests/shim/*.c)
SHIM_LIBS := $(SHIM_SRC:tests/shim/%.c=$(BUILD)/tests/%.so)
$(BUILD)/tests/%.so: tests/shim/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fPIC -shared $(ALL_LDFLAGS) -o $@ $< -lsqlite3

unit: $(UNIT_BINS) $(HELPER_BINS) $(SHIM_LIBS)

# --- benchmarks --------------------------------------------------------------
$(BUILD)/bench/bench_%: $(BUILD)/obj/tests/bench/bench_%.o $(LIBCOUNTY) $(LIBGAS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBCOUNTY) $(LIBGAS) $(PKG_LIBS)

bench: deps all $(BENCH_BINS)
	BUILD=$(abspath $(BUILD)) sh tests/bench/run.sh

# --- fuzzing (clang libFuzzer) ----------------------------------------------
# The libraries are rebuilt with clang and coverage instrumentation in
# build/fuzzlib; each tests/fuzz/fuzz_NAME.c links them into build/fuzz/fuzz_NAME.
# One sub-make builds both libraries (`&:`): under -j two would race in one folder.
FUZZLIB    := $(BUILD)/fuzzlib
FUZZ_BINS  := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

$(FUZZLIB)/libgas.a $(FUZZLIB)/libgasgw.a &: $(LIB_SRC) $(filter-out gateway/main.c,$(wildcard gateway/*.c)) $(wildcard gateway/lib/*.h gateway/*.h drivers/*.h)
	$(MAKE) BUILD=$(FUZZLIB) CC=clang SAN="-fsanitize=fuzzer-no-link,address,undefined" CFLAGS="-g -O1" $(FUZZLIB)/libgas.a $(FUZZLIB)/libgasgw.a

# -MMD: a fuzz target that #includes a county source (tools/county/*.c) is rebuilt when it
# changes, so the corpus is never replayed against the code before an edit.
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZLIB)/libgas.a $(FUZZLIB)/libgasgw.a
	@mkdir -p $(@D)
	clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Igateway/lib -Igateway -Idrivers $(PKG_CFLAGS) -MMD -MP -MF $@.d -o $@ $< $(FUZZLIB)/libgasgw.a $(FUZZLIB)/libgas.a $(PKG_LIBS)

fuzz: $(FUZZ_BINS)

# --- check -------------------------------------------------------------------
check: deps
	sh tools/format-check.sh
	$(MAKE) WERROR=-Werror all unit $(BENCH_BINS)
	$(MAKE) BUILD=$(BUILD)/asan WERROR=-Werror SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" CFLAGS="-O1 -g" all unit
	$(MAKE) fuzz
	BUILD=$(abspath $(BUILD)) sh tests/run.sh

torture: deps all fuzz
	BUILD=$(abspath $(BUILD)) TORTURE=1 sh tests/run.sh

demo: deps all $(HELPER_BINS)
	BUILD=$(abspath $(BUILD)) sh tools/demo.sh

deps:
	@sh tools/deps.sh

# --- first contact: the packages, then their flags ---------------------------
# Every goal but `clean` and `deps` reads $(BUILD)/pkg.mk.  When it is missing
# (a bare machine, a new build folder) or older than this file or the package
# list, make first runs `make deps` (which installs what is missing, as root)
# and then asks pkg-config, writes the file and starts again, reading it: so
# the first `make`, `make demo`, `make check`... on a fresh machine installs,
# then builds with the real flags.  tests/integration/t_firstrun.sh proves it.
ifneq ($(filter-out clean deps,$(or $(MAKECMDGOALS),all)),)
include $(BUILD)/pkg.mk
endif
$(BUILD)/pkg.mk: Makefile tools/deps.sh
	@mkdir -p $(@D)
	@sh tools/deps.sh
	@cflags=$$($(PKG_CONFIG) --cflags $(PKGS)) && libs=$$($(PKG_CONFIG) --libs $(PKGS)) && \
	    lcflags=$$($(PKG_CONFIG) --cflags $(LABEL_PKGS)) && llibs=$$($(PKG_CONFIG) --libs $(LABEL_PKGS)) || \
	    { echo "make: $(PKG_CONFIG) does not find every one of: $(PKGS) $(LABEL_PKGS); run make deps as root" >&2; exit 1; }; \
	printf '# made by make from $(PKG_CONFIG) after make deps\nPKG_CFLAGS := %s\nPKG_LIBS := %s -lm -lpthread\nLABEL_CFLAGS := %s\nLABEL_LIBS := %s\n' \
	    "$$cflags" "$$libs" "$$lcflags" "$$llibs" > $@.tmp && mv $@.tmp $@

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/gasgw/schema $(DESTDIR)$(PREFIX)/share/doc/gasgw/examples $(DESTDIR)$(PREFIX)/share/gasgw/profiles
	install -m 0755 $(BINS) $(DESTDIR)$(PREFIX)/bin/
	for m in $(MO_FILES); do l=$${m#$(BUILD)/locale/}; install -d $(DESTDIR)$(PREFIX)/share/locale/$$(dirname $$l); install -m 0644 $$m $(DESTDIR)$(PREFIX)/share/locale/$$l; done
	install -m 0644 etc/*.example $(DESTDIR)$(PREFIX)/share/doc/gasgw/examples/
	if ls drivers/profiles/*.ini >/dev/null 2>&1; then install -m 0644 drivers/profiles/*.ini $(DESTDIR)$(PREFIX)/share/gasgw/profiles/; fi
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	for u in etc/systemd/*.service; do sed 's|/usr/local|$(PREFIX)|g' $$u > $(DESTDIR)$(PREFIX)/lib/systemd/system/$$(basename $$u); done
	if [ -d docs/man ]; then for m in docs/man/*.[158]; do s=$${m##*.}; install -d $(DESTDIR)$(PREFIX)/share/man/man$$s; install -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man$$s/; done; fi

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
-include $(wildcard $(BUILD)/fuzz/*.d)
