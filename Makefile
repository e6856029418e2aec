# Makefile -- builds the common protocol library, the four programs, the
# tests and the fuzz targets.
#
# Layout of the build: every directory with sources (common/, node/,
# crawler/, dnsseeder/, tui/) becomes a static archive of its modules
# (everything but main.c); a program is its main.o plus its archive plus
# libagentcommon.a.  Unit tests link against the same archives, so they test
# exactly the code the programs run.
#
#   make              build bin/agentnode, agentcrawl, agentseeder, agentconsole
#   make check        install missing packages, build, run every test
#   make check-asan   the same suite under AddressSanitizer + UBSan
#   make fuzz         build libFuzzer targets (clang) into build/fuzz/
#   make fuzz-run     run each fuzz target for FUZZ_SECONDS (default 60)
#   make coverage     line coverage of the unit tests, per directory and file
#   make install      PREFIX=/usr/local SYSCONFDIR=/etc DESTDIR=

PREFIX  ?= /usr/local
SYSCONFDIR ?= /etc
DESTDIR ?=
CC      ?= cc
BUILD   ?= build
BIN     ?= bin
OPT     ?= -O2 -g
SAN     ?=
FUZZ_SECONDS ?= 60

# _DEFAULT_SOURCE exposes POSIX/BSD interfaces (strdup, getopt_long,
# struct ip_mreq ...) that strict -std=c11 hides.
CSTD := -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE
WARN := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
        -Wmissing-prototypes -Wformat=2
PKGS := libevent libcares libmaxminddb miniupnpc ldns sqlite3 yaml-0.1 \
        jansson libsodium ncursesw

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

# -pthread: UPnP, the seeder's database reload and the console's crawl-DB
# scan each run one worker thread.
ALL_CFLAGS = $(CSTD) $(WARN) $(OPT) $(SAN) -pthread -Icommon $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)
LIBS = $(PKG_LIBS) -lm -pthread

PROGRAMS := agentnode agentcrawl agentseeder agentconsole
DIRS     := common node crawler dnsseeder tui

# dir -> program name
prog_node      := agentnode
prog_crawler   := agentcrawl
prog_dnsseeder := agentseeder
prog_tui       := agentconsole

COMMON_SRC := $(wildcard common/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
COMMON_LIB := $(BUILD)/libagentcommon.a

mods_of = $(filter-out $(1)/main.c,$(wildcard $(1)/*.c))
lib_of  = $(BUILD)/lib$(1).a

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Test helpers that are not tests themselves (fake peers, load generators).
TOOL_SRC  := $(wildcard tests/tools/*.c)
TOOL_BIN  := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/tools/%)
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)

APP_LIBS := $(foreach d,node crawler dnsseeder tui,$(if $(call mods_of,$(d)),$(call lib_of,$(d))))

.SECONDARY:

.PHONY: all deps check check-asan test-run fuzz fuzz-run install clean demo man \
        demo-headless bench coverage
all: $(PROGRAMS:%=$(BIN)/%)

deps:
	@bash .ci/deps

# --- objects and archives -------------------------------------------------
$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(COMMON_LIB): $(COMMON_OBJ)
	@rm -f $@
	ar rcs $@ $^

define app_rules
$(call lib_of,$(1)): $(patsubst %.c,$(BUILD)/%.o,$(call mods_of,$(1)))
	@rm -f $$@
	ar rcs $$@ $$^

$(BIN)/$(prog_$(1)): $(BUILD)/$(1)/main.o $(if $(call mods_of,$(1)),$(call lib_of,$(1))) $(COMMON_LIB)
	@mkdir -p $(BIN)
	$(CC) $(ALL_LDFLAGS) -o $$@ $$^ $(LIBS)
endef
$(foreach d,node crawler dnsseeder tui,$(eval $(call app_rules,$(d))))

# --- tests ------------------------------------------------------------------
$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(APP_LIBS) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(CMOCKA_LIBS)

$(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o $(APP_LIBS) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# test-run assumes everything is built; check builds first.
test-run:
	@BUILD=$(BUILD) BIN=$(BIN) bash tests/run-tests.sh

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(TOOL_BIN)
	@$(MAKE) --no-print-directory test-run

# The ASan build lives apart so it never mixes objects with the normal one.
ASAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
check-asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/bin \
	    OPT="-O1 -g" SAN="$(ASAN_FLAGS)" all \
	    $(UNIT_SRC:tests/unit/%.c=build/asan/tests/%) \
	    $(TOOL_SRC:tests/tools/%.c=build/asan/tests/tools/%)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    $(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan/bin test-run

# --- coverage (gcov + gcovr) -------------------------------------------------------
# The unit tests alone, at -O0 so that lines map to code.  main.c files are
# left out: they are not in the archives the unit tests link.  COV_MIN adds
# targets (tests/lint/coverage-table.py --min-dir/--min-file).
COV_MIN ?= --min-dir=node=85 --min-file=node=70
coverage: deps
	@$(MAKE) --no-print-directory BUILD=build/cov BIN=build/cov/bin OPT="-O0 -g" \
	    SAN="--coverage" $(UNIT_SRC:tests/unit/%.c=build/cov/tests/%)
	@find build/cov -name '*.gcda' -delete
	@BUILD=build/cov BIN=build/cov/bin TESTS='test_*' bash tests/run-tests.sh >/dev/null || \
	    { echo "coverage: unit tests failed (see build/cov/test-logs)"; exit 1; }
	@gcovr -r . --object-directory build/cov --exclude '.*/main\.c' --exclude 'tests/.*' \
	    --json-summary build/cov/summary.json >/dev/null
	@python3 tests/lint/coverage-table.py build/cov/summary.json $(COV_MIN)

# --- fuzzing (clang + libFuzzer) ---------------------------------------------
FUZZ_CC    ?= clang
FUZZ_FLAGS := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -O1 -g
fuzz: deps
	@$(MAKE) --no-print-directory CC=$(FUZZ_CC) BUILD=build/fuzzobj BIN=build/fuzzobj/bin \
	    OPT="-O1 -g" SAN="-fsanitize=fuzzer-no-link,address,undefined" \
	    build/fuzzobj/libagentcommon.a build/fuzzobj/libnode.a build/fuzzobj/libdnsseeder.a \
	    build/fuzzobj/libcrawler.a
	@mkdir -p build/fuzz
	@for f in $(FUZZ_SRC); do \
	    n=$$(basename $$f .c); \
	    echo "  FUZZ  build/fuzz/$$n"; \
	    $(FUZZ_CC) $(CSTD) $(WARN) $(FUZZ_FLAGS) -Icommon $(PKG_CFLAGS) -o build/fuzz/$$n $$f \
	        build/fuzzobj/libnode.a build/fuzzobj/libdnsseeder.a build/fuzzobj/libcrawler.a \
	        build/fuzzobj/libagentcommon.a \
	        $(LIBS) || exit 1; \
	done

fuzz-run: fuzz
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run-fuzz.sh

# --- the demo -------------------------------------------------------------------
DEMO_SECONDS ?= 60
demo: deps
	@$(MAKE) --no-print-directory all
	@bash tests/demo/demo.sh

demo-headless: deps
	@$(MAKE) --no-print-directory all
	@bash tests/demo/demo.sh --headless $(DEMO_SECONDS)

# --- generated manual ------------------------------------------------------------
# agentchain.yaml(5) lists the config keys from the key table itself;
# tests/integration/manpages.sh fails when the committed page is stale.
man: $(BIN)/agentnode
	python3 man/gen-agentchain-yaml.py $(BIN)/agentnode > man/agentchain.yaml.5
	@# docs/CONFIG.md: the prose up to the marker, then the key reference.
	@sed '/^<!-- Generated by config_print_keys()/q' docs/CONFIG.md > docs/CONFIG.md.new
	@echo >> docs/CONFIG.md.new
	@$(BIN)/agentnode --help-config >> docs/CONFIG.md.new
	@mv docs/CONFIG.md.new docs/CONFIG.md

# --- install ------------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8 \
	    $(DESTDIR)$(PREFIX)/share/agentchain/configs
	install -m 0755 $(PROGRAMS:%=$(BIN)/%) $(DESTDIR)$(PREFIX)/bin/
	for m in man/*.[158]; do \
	    [ -e "$$m" ] || continue; \
	    s=$${m##*.}; install -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man$$s/; \
	done
	install -m 0644 configs/*.yaml $(DESTDIR)$(PREFIX)/share/agentchain/configs/
	@# The systemd units, pointed at this PREFIX and SYSCONFDIR; the node's
	@# reads SYSCONFDIR/agentchain/mainnet.yaml, installed once (an edited
	@# one is never overwritten).
	install -d $(DESTDIR)$(PREFIX)/share/agentchain/systemd $(DESTDIR)$(SYSCONFDIR)/agentchain
	for u in configs/systemd/*.service; do \
	    sed -e 's|/usr/local/bin/|$(PREFIX)/bin/|g' -e 's|/etc/agentchain/|$(SYSCONFDIR)/agentchain/|g' \
	        $$u > $(DESTDIR)$(PREFIX)/share/agentchain/systemd/$${u##*/} || exit 1; \
	done
	[ -e $(DESTDIR)$(SYSCONFDIR)/agentchain/mainnet.yaml ] || \
	    install -m 0644 configs/mainnet.yaml $(DESTDIR)$(SYSCONFDIR)/agentchain/mainnet.yaml

clean:
	rm -rf build bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
