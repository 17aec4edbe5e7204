# SPDX-License-Identifier: MIT
# nsemu build. `make` builds, `make run` starts the emulator with the default
# topology, `make test` runs every test (plain, ASan+UBSan, TSan) and ends with
# their total, "total: N passed, M failed".
# Variants: `make SAN=asan` / `make SAN=tsan` build into build-asan/ build-tsan/.

CC ?= cc
SAN ?=
ifeq ($(SAN),)
O := build
SANFLAGS :=
OPT := -O2 -g
else ifeq ($(SAN),asan)
O := build-asan
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT := -O1 -g
else ifeq ($(SAN),tsan)
O := build-tsan
SANFLAGS := -fsanitize=thread -fno-omit-frame-pointer
OPT := -O1 -g
else ifeq ($(SAN),fuzz)
# `make fuzz`: clang, libFuzzer coverage + ASan + UBSan (tests/fuzz/).
O := build-fuzz
CC := clang
SANFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
OPT := -O1 -g
endif

NL_CFLAGS := $(shell pkg-config --cflags libnl-3.0 libnl-route-3.0 2>/dev/null || echo -I/usr/include/libnl3)
NL_LIBS := $(shell pkg-config --libs libnl-3.0 libnl-route-3.0 2>/dev/null || echo -lnl-route-3 -lnl-3)

CFLAGS := -std=c11 -D_GNU_SOURCE -I. $(OPT) -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wshadow -Wstrict-prototypes -Wmissing-prototypes -pthread $(NL_CFLAGS) $(SANFLAGS) -MMD -MP
# jemalloc is the allocator of the real binary; sanitizer builds use theirs.
ifeq ($(SAN),)
MALLOC_LIBS := -ljemalloc
endif
LDLIBS := $(NL_LIBS) -lev $(MALLOC_LIBS) -lpthread -lm
# libpcap (filter compiler, bpf_filter, savefile reader) is the CLI's only:
# libnsemu.a gets the BPF interpreter as a function pointer (netns/core/capture.h).
CLI_LIBS := -ledit -lpcap

LIB_SRCS := $(wildcard core/*.c netns/*/*.c devices/*.c)
CLI_SRCS := $(wildcard cli/*.c ctl/*.c) $(filter-out bench/kudp.c bench/ktcp.c,$(wildcard bench/*.c))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
HARNESS_SRCS := $(wildcard tests/unit/harness/*.c)

LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(O)/%.o)
HARNESS_OBJS := $(HARNESS_SRCS:%.c=$(O)/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)
CLI_LIB_OBJS := $(filter-out $(O)/cli/main.o $(O)/ctl/nsemuctl.o,$(CLI_OBJS))

.PHONY: all deps run test test-unit test-integration test-asan test-tsan clean
.PHONY: test-deps test-interop test-ctl test-layout test-all test-summary
.DEFAULT_GOAL := all

all: deps $(O)/nsemu $(O)/nsemuctl

deps:
	@./scripts/deps.sh

$(O)/%.o: %.c | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(CFLAGS) -c $< -o $@

$(O)/libnsemu.a: $(LIB_OBJS)
	@rm -f $@
	@echo "  AR      $@"
	@ar rcs $@ $^

$(O)/libnsemucli.a: $(CLI_LIB_OBJS)
	@rm -f $@
	@echo "  AR      $@"
	@ar rcs $@ $^

$(O)/nsemu: $(O)/cli/main.o $(O)/libnsemucli.a $(O)/libnsemu.a
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(CLI_LIBS) $(LDLIBS)

# ---- control socket client and its tests (ctl/, tests/ctl/) ----
$(O)/nsemuctl: $(O)/ctl/nsemuctl.o $(O)/libnsemucli.a $(O)/libnsemu.a
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(CLI_LIBS) $(LDLIBS)

$(O)/tests/ctl_client: tests/ctl/ctl_client.c
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -o $@ $< -lpthread

test-ctl: deps $(O)/nsemu $(O)/nsemuctl $(O)/tests/ctl_client
	@./tests/ctl/run.sh $(O)

# Unit tests link the library, the CLI library (for CLI parser tests) and
# the harness; cmocka is the runner.
$(O)/tests/%: tests/unit/%.c $(HARNESS_OBJS) $(O)/libnsemucli.a $(O)/libnsemu.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(HARNESS_OBJS) $(O)/libnsemucli.a $(O)/libnsemu.a \
		-lcmocka $(CLI_LIBS) $(LDLIBS)

# The include rule of the layout (core <- netns <- devices): scripts/check-layout.sh.
test-layout:
	@./scripts/check-layout.sh

# scripts/test-summary.sh, which prints `make test`'s total, on made-up output.
test-summary:
	@./scripts/check-test-summary.sh

run: all
	$(O)/nsemu -f topo/default.nsemu

# ---- make install / make uninstall ----
# PREFIX (default /usr/local) and DESTDIR (a staging root for packages):
# nsemu and nsemuctl in PREFIX/bin, the preload shim in PREFIX/lib/nsemu/,
# where `nsemu exec` looks when the shim is not beside the binary, and
# their man pages (docs/man/) in PREFIX/share/man/man1.
PREFIX ?= /usr/local
BINDIR := $(PREFIX)/bin
SHIMDIR := $(PREFIX)/lib/nsemu
MAN1DIR := $(PREFIX)/share/man/man1
.PHONY: install uninstall test-install

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHIMDIR) $(DESTDIR)$(MAN1DIR)
	install -m 755 $(O)/nsemu $(O)/nsemuctl $(DESTDIR)$(BINDIR)/
	install -m 644 $(O)/libnsemu-shim.so $(DESTDIR)$(SHIMDIR)/
	install -m 644 docs/man/nsemu.1 docs/man/nsemuctl.1 $(DESTDIR)$(MAN1DIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nsemu $(DESTDIR)$(BINDIR)/nsemuctl \
		$(DESTDIR)$(SHIMDIR)/libnsemu-shim.so \
		$(DESTDIR)$(MAN1DIR)/nsemu.1 $(DESTDIR)$(MAN1DIR)/nsemuctl.1
	rmdir $(DESTDIR)$(SHIMDIR) 2>/dev/null || true

# Installs into a temporary DESTDIR and runs what it installed.
test-install: all
	@./scripts/test-install.sh $(O)

test-unit: deps $(UNIT_BINS)
	@./scripts/run-unit.sh $(O) $(UNIT_BINS)

test-integration: deps $(O)/nsemu test-ctl
	@./tests/integration/run.sh $(O)/nsemu
	@./tests/integration/capture/capture.sh $(O)/nsemu
	@./tests/integration/seed.sh $(O)/nsemu

# `make test`: everything, then the same under ASan+UBSan, then the threaded
# tests under TSan (test-all), ending with one line that adds up every
# suite's summary: "total: N passed, M failed" (scripts/test-summary.sh).
test:
	+@./scripts/test-summary.sh $(MAKE) --no-print-directory test-all

test-all: deps test-deps
	$(MAKE) test-layout test-unit test-integration test-interop test-fuzz test-install \
		test-summary
	$(MAKE) SAN=asan test-unit test-integration test-fuzz test-interop INTEROP_CASES="badinput ping tcp_sack"
	$(MAKE) SAN=tsan test-tsan

# Packages the tests drive (iputils, traceroute, arping, tshark, scapy,
# tcpdump): scripts/deps.sh TEST_PKGS, installed non-interactively.
test-deps:
	@./scripts/deps.sh test

# Interop with the real kernel and tools through a TAP (tests/interop/):
# needs root and /dev/net/tun, prints "skipped: <why>" otherwise.
# INTEROP_CASES="badinput ping tcp_sack" runs only those (the ASan pass:
# crafted frames and lossy TCP with SACK under the sanitizer, nsemu must
# exit 0 with no leak).
INTEROP_CASES ?=
test-interop: deps test-deps $(O)/nsemu
	@./tests/interop/run.sh $(O)/nsemu $(INTEROP_CASES)

test-tsan: deps $(UNIT_BINS) $(O)/nsemu $(O)/nsemuctl $(O)/tests/ctl_client
	@./scripts/run-unit.sh $(O) $(filter %_mt,$(UNIT_BINS))
	@CTL_LOAD=quick ./tests/ctl/run.sh $(O)
	@./tests/integration/run.sh $(O)/nsemu threads
	@./tests/integration/capture/capture.sh $(O)/nsemu

# ---- preload shim, `nsemu exec`, libnl example (shim/, tests/shim/) ----
# The shim is preloaded into programs that are not sanitized (the system's
# `ip`, `sysctl`): it is always built without sanitizers, links only libc,
# and lands beside the nsemu binary, where `nsemu exec` looks for it.
SHIM_SRCS := $(wildcard shim/*.c)
SHIM_CFLAGS := -std=c11 -D_GNU_SOURCE -I. -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wshadow -Wstrict-prototypes -fPIC -pthread
.PHONY: test-shim

$(O)/libnsemu-shim.so: $(SHIM_SRCS) shim/shim.h
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(SHIM_CFLAGS) -shared -o $@ $(SHIM_SRCS) -ldl

$(O)/examples/nl_client: docs/examples/nl_client.c
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -o $@ $< $(NL_LIBS)

all: $(O)/libnsemu-shim.so
test-integration: test-shim
test-shim: deps test-deps $(O)/nsemu $(O)/nsemuctl $(O)/libnsemu-shim.so $(O)/examples/nl_client
	@./tests/shim/run.sh $(O)

# ---- fuzzing (tests/fuzz/, STYLE §8) ----
# test-fuzz: each target's corpus replayed through tests/fuzz/replay.c (gcc,
# this build's sanitizers, LSan on under ASan). `make fuzz`: the libFuzzer
# builds in build-fuzz/, each run FUZZ_SECONDS on a copy of its corpus (new
# inputs stay in build-fuzz/corpus/; crashes are build-fuzz/crash-*).
# `make fuzz-corpus` regenerates the seed corpora from real requests, frames
# and CLI lines (tests/fuzz/gen_corpus.c).
FUZZ_TARGETS := rtnl frame cli tcp
FUZZ_SECONDS ?= 60
FUZZ_REPLAYS := $(FUZZ_TARGETS:%=$(O)/tests/fuzz/replay_%)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(O)/fuzz_%)
.PHONY: test-fuzz fuzz fuzz-run fuzz-corpus

$(O)/tests/fuzz/replay_%: tests/fuzz/replay.c tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h \
		$(O)/libnsemucli.a $(O)/libnsemu.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -o $@ tests/fuzz/replay.c tests/fuzz/fuzz_$*.c \
		$(O)/libnsemucli.a $(O)/libnsemu.a $(CLI_LIBS) $(LDLIBS)

test-fuzz: deps $(FUZZ_REPLAYS)
	@for t in $(FUZZ_TARGETS); do \
		ASAN_OPTIONS=detect_leaks=1:$${ASAN_OPTIONS:-} $(O)/tests/fuzz/replay_$$t \
			tests/fuzz/corpus/$$t || exit 1; \
	done

$(O)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(O)/libnsemucli.a $(O)/libnsemu.a
	@echo "  LD      $@"
	@$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -fsanitize=fuzzer -o $@ $< \
		$(O)/libnsemucli.a $(O)/libnsemu.a $(CLI_LIBS) $(LDLIBS)

fuzz: deps
	@command -v clang >/dev/null || { echo "make fuzz needs clang and libclang-rt-dev"; exit 1; }
	$(MAKE) SAN=fuzz fuzz-run

fuzz-run: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(O)/corpus/$$t; \
		echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
		$(O)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix=$(O)/crash-$$t- -print_final_stats=1 \
			$(O)/corpus/$$t tests/fuzz/corpus/$$t 2>$(O)/fuzz_$$t.log || \
			{ tail -40 $(O)/fuzz_$$t.log; exit 1; }; \
		grep -E '^(#[0-9]+ *DONE|stat::(number_of_executed_units|average_exec_per_sec))' \
			$(O)/fuzz_$$t.log; \
	done

$(O)/tests/fuzz/gen_corpus: tests/fuzz/gen_corpus.c tests/fuzz/fuzz.h $(O)/libnsemucli.a \
		$(O)/libnsemu.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -Wl,--wrap=rtnl_process -o $@ $< \
		$(O)/libnsemucli.a $(O)/libnsemu.a $(CLI_LIBS) $(LDLIBS)

fuzz-corpus: deps $(O)/tests/fuzz/gen_corpus
	$(O)/tests/fuzz/gen_corpus tests/fuzz/corpus tests/integration

# ---- benchmarks (issue 6): not part of `make test` ----
# `make bench` runs the standard set (scripts/bench.sh: nsemu, then the
# Linux kernel doing the same work) and writes docs/benchmarks.md and its
# plot; `make bench-instr` counts instructions per packet per hop under
# callgrind; `make soak` runs the 30-minute mixed-traffic soak on the ASan
# build (SOAK_SECONDS=120 for a short one). bench/ holds the kernel
# comparison's UDP sender/receiver (kudp) and TCP connection loops (ktcp).
.PHONY: bench bench-compare bench-instr soak
SOAK_O ?= build-asan
SOAK_SECONDS ?= 1800
BENCH_TOOLS := $(O)/bench/kudp $(O)/bench/ktcp

$(O)/bench/%: bench/%.c
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -o $@ $< -lpthread

bench: all $(BENCH_TOOLS)
	@./scripts/deps.sh bench
	@./scripts/bench.sh $(O)

# Two builds side by side: make bench-compare OLD=/path/to/old/build/nsemu
bench-compare: all
	@test -n "$(OLD)" || { echo "usage: make bench-compare OLD=/path/to/old/nsemu"; exit 2; }
	@./scripts/bench-compare.sh $(OLD) $(O)/nsemu

bench-instr: all
	@./scripts/deps.sh bench
	@./scripts/bench-instr.sh $(O)/nsemu

soak: deps
	$(MAKE) SAN=asan O=$(SOAK_O) all
	@./scripts/soak.sh $(SOAK_O)/nsemu $(SOAK_SECONDS)

clean:
	rm -rf build build-asan build-tsan build-fuzz

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(HARNESS_OBJS:.o=.d)
