# SPDX-License-Identifier: MIT
# fuzz/local.mk: libFuzzer targets for the parsers and the pairing table.
#
# With configure --enable-fuzzing (clang), every fuzz/fuzz_* is a libFuzzer
# binary, the whole build has ASan, UBSan and coverage, 'make fuzz-smoke'
# runs each target FUZZ_SMOKE_SECONDS from its seed corpus (make check does
# too) and 'make fuzz FUZZ_SECONDS=N' runs each for N seconds and prints its
# executions and exec/s. Runs work on a scratch copy of fuzz/corpus/TARGET,
# never on the source tree. Without --enable-fuzzing the same targets are
# built with replay.c as main, and make check replays the seed corpora.
FUZZ_TARGETS = fuzz/fuzz_ipc fuzz/fuzz_addr fuzz/fuzz_pair fuzz/fuzz_conf \
	fuzz/fuzz_cli fuzz/fuzz_ws
FUZZ_COMMON = fuzz/fuzz.h fuzz/fuzz_common.c
FUZZ_CC_FLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(INIH_CFLAGS)
FUZZ_LINK_FLAGS = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
FUZZ_LINK_LIBS = src/libdsrouterd.a $(LIBEVENT_LIBS) $(INIH_LIBS) $(FUZZ_LIBS) \
	$(DEVICE_LIBS) $(WS_LIBS)

if FUZZING
noinst_PROGRAMS += $(FUZZ_TARGETS)
FUZZ_MAIN =
FUZZ_CPP_FLAGS = $(AM_CPPFLAGS) -DDSR_FUZZING
AM_TESTS_ENVIRONMENT += DSR_FUZZING=yes; export DSR_FUZZING;
if !SANITIZERS
# As for --enable-sanitizers: a small quarantine, leaks and UB are errors.
AM_TESTS_ENVIRONMENT += ASAN_OPTIONS=quarantine_size_mb=1:detect_leaks=1; \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1; \
	export ASAN_OPTIONS UBSAN_OPTIONS;
endif
else
check_PROGRAMS += $(FUZZ_TARGETS)
FUZZ_MAIN = fuzz/replay.c
FUZZ_CPP_FLAGS = $(AM_CPPFLAGS)
endif

fuzz_fuzz_ipc_SOURCES = fuzz/fuzz_ipc.c $(FUZZ_COMMON) $(FUZZ_MAIN)
fuzz_fuzz_ipc_CPPFLAGS = $(FUZZ_CPP_FLAGS)
fuzz_fuzz_ipc_CFLAGS = $(FUZZ_CC_FLAGS)
fuzz_fuzz_ipc_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_ipc_LDADD = $(FUZZ_LINK_LIBS)

fuzz_fuzz_addr_SOURCES = fuzz/fuzz_addr.c $(FUZZ_COMMON) $(FUZZ_MAIN)
fuzz_fuzz_addr_CPPFLAGS = $(FUZZ_CPP_FLAGS)
fuzz_fuzz_addr_CFLAGS = $(FUZZ_CC_FLAGS)
fuzz_fuzz_addr_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_addr_LDADD = $(FUZZ_LINK_LIBS)

fuzz_fuzz_pair_SOURCES = fuzz/fuzz_pair.c $(FUZZ_COMMON) $(FUZZ_MAIN)
fuzz_fuzz_pair_CPPFLAGS = $(FUZZ_CPP_FLAGS)
fuzz_fuzz_pair_CFLAGS = $(FUZZ_CC_FLAGS)
fuzz_fuzz_pair_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_pair_LDADD = $(FUZZ_LINK_LIBS)

fuzz_fuzz_conf_SOURCES = fuzz/fuzz_conf.c $(FUZZ_COMMON) $(FUZZ_MAIN)
fuzz_fuzz_conf_CPPFLAGS = $(FUZZ_CPP_FLAGS)
fuzz_fuzz_conf_CFLAGS = $(FUZZ_CC_FLAGS)
fuzz_fuzz_conf_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_conf_LDADD = $(FUZZ_LINK_LIBS)

fuzz_fuzz_cli_SOURCES = fuzz/fuzz_cli.c $(FUZZ_COMMON) $(FUZZ_MAIN)
fuzz_fuzz_cli_CPPFLAGS = $(FUZZ_CPP_FLAGS)
fuzz_fuzz_cli_CFLAGS = $(FUZZ_CC_FLAGS)
fuzz_fuzz_cli_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_cli_LDADD = $(FUZZ_LINK_LIBS)

# WebSocket runtimes (src/ws.mk): without wslay and nettle it checks nothing.
fuzz_fuzz_ws_SOURCES = fuzz/fuzz_ws.c $(FUZZ_COMMON) $(FUZZ_MAIN)
fuzz_fuzz_ws_CPPFLAGS = $(FUZZ_CPP_FLAGS)
fuzz_fuzz_ws_CFLAGS = $(FUZZ_CC_FLAGS)
fuzz_fuzz_ws_LDFLAGS = $(FUZZ_LINK_FLAGS)
fuzz_fuzz_ws_LDADD = $(FUZZ_LINK_LIBS) $(WS_LIBS)
EXTRA_DIST += fuzz/fuzz_ws.dict

# make check: the seeds replayed (every build), a short fuzzing run (fuzzing builds).
TESTS += fuzz/replay.sh fuzz/smoke.sh
AM_TESTS_ENVIRONMENT += FUZZ_SMOKE_SECONDS='$(FUZZ_SMOKE_SECONDS)'; \
	export FUZZ_SMOKE_SECONDS;

EXTRA_DIST += fuzz/README.md fuzz/run.sh fuzz/replay.sh fuzz/smoke.sh \
	fuzz/corpus fuzz/fuzz_ipc.dict fuzz/fuzz_addr.dict fuzz/fuzz_pair.dict \
	fuzz/fuzz_conf.dict fuzz/fuzz_cli.dict

FUZZ_SECONDS = 60
FUZZ_SMOKE_SECONDS = 5
# Which targets make fuzz and fuzz-smoke run, e.g. FUZZ_RUN_TARGETS=fuzz/fuzz_conf.
FUZZ_RUN_TARGETS = $(FUZZ_TARGETS)
FUZZ_RUN = top_srcdir='$(top_srcdir)' top_builddir='$(top_builddir)' \
	$(SHELL) $(srcdir)/fuzz/run.sh

.PHONY: fuzz fuzz-smoke
if FUZZING
fuzz-smoke: $(FUZZ_RUN_TARGETS)
	$(FUZZ_RUN) $(FUZZ_SMOKE_SECONDS) $(FUZZ_RUN_TARGETS)
fuzz: $(FUZZ_RUN_TARGETS)
	$(FUZZ_RUN) $(FUZZ_SECONDS) $(FUZZ_RUN_TARGETS)
else
fuzz-smoke fuzz:
	@echo "make $@: the fuzz targets need libFuzzer: configure --enable-fuzzing CC=clang" >&2
	@exit 1
endif
