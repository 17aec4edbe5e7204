# SPDX-License-Identifier: MIT
# nsemu build. `make` builds, `make run` starts the emulator with the default
# topology, `make test` runs every test (plain, ASan+UBSan, TSan).
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
endif

NL_CFLAGS := $(shell pkg-config --cflags libnl-3.0 libnl-route-3.0 2>/dev/null || echo -I/usr/include/libnl3)
NL_LIBS := $(shell pkg-config --libs libnl-3.0 libnl-route-3.0 2>/dev/null || echo -lnl-route-3 -lnl-3)

CFLAGS := -std=c11 -D_GNU_SOURCE $(OPT) -Wall -Wextra -Werror -Wno-unused-parameter \
	-Wshadow -Wstrict-prototypes -Wmissing-prototypes -pthread $(NL_CFLAGS) $(SANFLAGS) -MMD -MP
# jemalloc is the allocator of the real binary; sanitizer builds use theirs.
ifeq ($(SAN),)
MALLOC_LIBS := -ljemalloc
endif
LDLIBS := $(NL_LIBS) -lev $(MALLOC_LIBS) -lpthread -lm
CLI_LIBS := -ledit

LIB_SRCS := $(wildcard core/*.c netns/*.c devices/*.c)
CLI_SRCS := $(wildcard cli/*.c)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
HARNESS_SRCS := $(wildcard tests/unit/harness/*.c)

LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(O)/%.o)
HARNESS_OBJS := $(HARNESS_SRCS:%.c=$(O)/%.o)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/%)
CLI_LIB_OBJS := $(filter-out $(O)/cli/main.o,$(CLI_OBJS))

.PHONY: all deps run test test-unit test-integration test-asan test-tsan clean
.DEFAULT_GOAL := all

all: deps $(O)/nsemu

deps:
	@./scripts/deps.sh

$(O)/%.o: %.c
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

# Unit tests link the library, the CLI library (for CLI parser tests) and
# the harness; cmocka is the runner.
$(O)/tests/%: tests/unit/%.c $(HARNESS_OBJS) $(O)/libnsemucli.a $(O)/libnsemu.a
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(HARNESS_OBJS) $(O)/libnsemucli.a $(O)/libnsemu.a \
		-lcmocka $(CLI_LIBS) $(LDLIBS)

run: all
	$(O)/nsemu -f topo/default.nsemu

test-unit: deps $(UNIT_BINS)
	@./scripts/run-unit.sh $(O) $(UNIT_BINS)

test-integration: deps $(O)/nsemu
	@./tests/integration/run.sh $(O)/nsemu

# `make test`: everything, then the same under ASan+UBSan, then the threaded
# tests under TSan.
test: deps
	@./scripts/deps.sh test
	$(MAKE) test-unit test-integration
	$(MAKE) SAN=asan test-unit test-integration
	$(MAKE) SAN=tsan test-tsan

test-tsan: deps $(UNIT_BINS) $(O)/nsemu
	@./scripts/run-unit.sh $(O) $(filter %_mt,$(UNIT_BINS))
	@./tests/integration/run.sh $(O)/nsemu threads

clean:
	rm -rf build build-asan build-tsan

-include $(LIB_OBJS:.o=.d) $(CLI_OBJS:.o=.d) $(HARNESS_OBJS:.o=.d)
