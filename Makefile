# sluice: an importer made of Unix filters. One non-recursive GNU Makefile.
#
#   make            build build/bin/* (the stages) and build/libcommon.a
#   make test       install what is missing, build, run every test, then the
#                   whole suite again under AddressSanitizer and UBSan
#   make demo       install what is missing, build, run the TurboVote import
#                   (NAME=VENDOR: that vendor's sample)
#                   on the sample against local stand-ins, twice
#   make demo-analytics   install what is missing, build, post a week of
#                   generated events through hook-recv, run the event
#                   pipeline (pipelines/analytics.sh) into a local
#                   ClickHouse, show the table per source and campaign
#   make import NAME=turbovote FILE=export.csv   a vendor's import (the
#                   services from NORTHSTAR_URL, ROGUE_URL, ...; TEE_ALL=1,
#                   OFFLINE=1; see pipelines/import.sh --help)
#   make import-turbovote FILE=...   make import-rock-the-vote [FILE=...]
#                   the same for one vendor (Rock the Vote without FILE:
#                   the last report fetched)
#   make dictionary render analytics/dictionary.json as
#                   analytics/DICTIONARY.md
#   make bench      run the benchmarks in bench/ (see bench/README.md)
#   make fuzz       run every fuzz target FUZZ_TIME seconds (default 60)
#   make install    PREFIX=/usr/local DESTDIR=
#   make SANITIZE=address,undefined   a sanitized build (in build-san/)

VERSION   := 0.1.0
PREFIX    ?= /usr/local
DESTDIR   ?=
CC        ?= cc
CFLAGS    ?= -O2 -g
LDFLAGS   ?=
SANITIZE  ?=

ifeq ($(SANITIZE),)
BUILD     ?= build
else
BUILD     ?= build-san
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

# Our flags live in their own variables so that a user's CFLAGS never drops
# the include paths or the warnings.
WARN      := -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wpedantic \
             -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
             -Wvla -Werror
PKGS      := jansson libcurl zlib libdeflate liblz4 libcrypto libmicrohttpd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -ljansson -lcurl -lz -ldeflate -llz4 -lcrypto -lmicrohttpd)
# Debian's libcsv ships no .pc file.
CSV_LIBS   := $(shell pkg-config --libs csv 2>/dev/null || echo -lcsv)

# The vendor files a stage finds by name (--vendor NAME) when SLUICE_VENDORS
# is not set: this checkout's.
VENDORS_DIR ?= $(CURDIR)/vendors
# The data dictionary validate reads when neither --dictionary nor
# SLUICE_DICTIONARY names one: this checkout's.
DICTIONARY  ?= $(CURDIR)/analytics/dictionary.json
DEFS        := -DSLUICE_VERSION='"$(VERSION)"' \
               -DSLUICE_IMPORT_SH='"$(CURDIR)/pipelines/import.sh"' \
               -DSLUICE_VENDORS_DIR='"$(VENDORS_DIR)"' \
               -DSLUICE_DICTIONARY='"$(DICTIONARY)"'
ALL_CFLAGS  := $(WARN) -pthread -Icommon -Irules -I$(BUILD)/gen $(PKG_CFLAGS) \
               $(DEFS) $(SAN_FLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS := $(SAN_FLAGS) $(LDFLAGS)
LIBS        := $(CSV_LIBS) $(PKG_LIBS) -lm -pthread

COMMON_SRC := $(wildcard common/*.c)
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
RULES_SRC  := $(wildcard rules/*.c)
RULES_OBJ  := $(RULES_SRC:%.c=$(BUILD)/%.o)
STAGE_SRC  := $(wildcard stages/*.c)
STAGES     := $(STAGE_SRC:stages/%.c=$(BUILD)/bin/%)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS    := $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_CC    ?= clang
FUZZ_TIME  ?= 60
UNITS      := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# Test tools in C (tests/tools/*.c), built with the unit tests.
TOOL_SRC   := $(wildcard tests/tools/*.c)
TOOLS      := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/tools/%)
LIBCOMMON  := $(BUILD)/libcommon.a
LIBRULES   := $(BUILD)/librules.a
LIBS_OURS  := $(LIBRULES) $(LIBCOMMON)

.PHONY: all test check check-long demo demo-analytics bench install uninstall clean format format-check \
        lint setup units import import-turbovote import-rock-the-vote \
        fuzz fuzz-build dictionary
.DEFAULT_GOAL := all

all: $(STAGES)

units: $(UNITS) $(TOOLS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBCOMMON): $(COMMON_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# rules/ (the named vendor functions) may use common/, never the reverse.
$(LIBRULES): $(RULES_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/stages/%.o $(LIBS_OURS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBS_OURS) $(LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBS_OURS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBS_OURS) $(LIBS)

# The events table's one DDL, pipelines/sql/events.sql, compiled into
# common/qlayout.c as a C string (its comment lines left out).
%/gen/events_sql.h: pipelines/sql/events.sql
	@mkdir -p $(@D)
	{ echo '/* Made by the Makefile from $<: do not edit. */'; \
	  echo 'static const char events_sql[] ='; \
	  sed -e '/^--/d' -e 's/\\/\\\\/g' -e 's/"/\\"/g' \
	      -e 's/^/"/' -e 's/$$/\\n"/' $<; echo ';'; } > $@.tmp && mv $@.tmp $@
$(BUILD)/common/qlayout.o: $(BUILD)/gen/events_sql.h
build-fuzz/common/qlayout.o: build-fuzz/gen/events_sql.h

$(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o $(LIBS_OURS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIBS_OURS) $(LIBS)

# The objects are kept: make would otherwise delete them as intermediate
# files, and the next make would build everything again.
.SECONDARY:

setup:
	@tests/setup.sh test

# The suite runs twice: once on the normal build, once on a build under
# AddressSanitizer and UndefinedBehaviorSanitizer. tests/check.sh sums both
# and ends with the "N passed, N failed" line.
test: setup
	@$(MAKE) --no-print-directory all units
	@$(MAKE) --no-print-directory SANITIZE=address,undefined all units
	@tests/check.sh build build-san

check: test

# The long runs (tests/long/*.sh: 100,000 rows), not part of make test.
check-long: setup
	@$(MAKE) --no-print-directory all units
	@tests/run.sh build long

demo:
	@tests/setup.sh demo
	@$(MAKE) --no-print-directory all
	@pipelines/demo.sh $(NAME)

demo-analytics:
	@tests/setup.sh demo
	@$(MAKE) --no-print-directory all
	@pipelines/demo-analytics.sh

import: all
	@[ -n "$(NAME)" ] || { echo "usage: make import NAME=vendor [FILE=export.csv] [TEE_ALL=1] [OFFLINE=1]" >&2; exit 64; }
	@pipelines/import.sh $(if $(TEE_ALL),--tee-all) $(if $(OFFLINE),--offline) \
	    "$(NAME)" $(if $(FILE),"$(FILE)")

# make import for one vendor, as the targets were named before it; FILE,
# TEE_ALL and OFFLINE, variables of the command line, pass through.
import-turbovote import-rock-the-vote: all
	@$(MAKE) --no-print-directory import NAME=$(@:import-%=%)

# The dictionary as a page people read; tests/scripts/dictionary-page.sh
# fails when the committed page is not what this renders.
dictionary: $(BUILD)/bin/validate
	$(BUILD)/bin/validate --dictionary analytics/dictionary.json \
	    --markdown >analytics/DICTIONARY.md.tmp
	mv analytics/DICTIONARY.md.tmp analytics/DICTIONARY.md

bench:
	@tests/setup.sh bench
	@$(MAKE) --no-print-directory all
	@bench/run.sh

# Fuzz targets: libFuzzer with clang, under AddressSanitizer and UBSan, the
# common sources instrumented with them. make fuzz runs each FUZZ_TIME
# seconds (tests/fuzz/run.sh); make test runs each a few seconds.
FUZZ_CFLAGS := $(WARN) -pthread -Icommon -Irules -Ibuild-fuzz/gen $(PKG_CFLAGS) $(DEFS) \
               -g -O1 -fno-sanitize-recover=all
FUZZ_OBJ   := $(COMMON_SRC:%.c=build-fuzz/%.o) $(RULES_SRC:%.c=build-fuzz/%.o)

$(FUZZ_OBJ): build-fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,address,undefined \
	    -MMD -MP -c -o $@ $<

build-fuzz/%: tests/fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined \
	    -o $@ $< $(FUZZ_OBJ) $(LIBS)

fuzz-build: $(FUZZERS)

fuzz: setup
	@$(MAKE) --no-print-directory fuzz-build
	@tests/fuzz/run.sh $(FUZZ_TIME)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(STAGES) $(DESTDIR)$(PREFIX)/bin/

uninstall:
	rm -f $(STAGES:$(BUILD)/bin/%=$(DESTDIR)$(PREFIX)/bin/%)

clean:
	rm -rf build build-san build-fuzz demo-data

FORMAT_FILES = $(wildcard common/*.[ch] rules/*.[ch] stages/*.c \
                 tests/unit/*.[ch] tests/fuzz/*.c tests/tools/*.c)
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --suppress=missingIncludeSystem -Icommon -Irules common rules stages

-include $(wildcard build-fuzz/common/*.d build-fuzz/rules/*.d)
-include $(COMMON_OBJ:.o=.d) $(RULES_OBJ:.o=.d) $(STAGE_SRC:%.c=$(BUILD)/%.d) \
         $(UNIT_SRC:%.c=$(BUILD)/%.d) $(TOOL_SRC:%.c=$(BUILD)/%.d)
