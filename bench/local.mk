# SPDX-License-Identifier: MIT
# bench/local.mk: the benchmark (make bench) and its smoke run (make check).
#
# make bench runs every measure at full size and prints the tables; pass
# options with BENCH_ARGS, e.g. make bench BENCH_ARGS="--runs 3", then the
# WebSocket row. The smoke run is tiny, checks the bytes both ways and
# asserts no timing.
check_PROGRAMS += bench/dsr-bench
bench_dsr_bench_SOURCES = bench/dsr-bench.c
bench_dsr_bench_CPPFLAGS = $(DSRTEST_CPPFLAGS)
bench_dsr_bench_LDADD = $(DSRTEST_LIBS)
TESTS += bench/smoke.sh
EXTRA_DIST += bench/run.sh bench/smoke.sh docs/PERFORMANCE.md

BENCH_ARGS =

# The WebSocket row (browser apps): a Node runtime's stream through
# server-websocket beside the same runtime over TCP (bench/dsr-bench-ws.c);
# options with BENCH_WS_ARGS, e.g. make bench BENCH_WS_ARGS="--mib 64".
BENCH_WS =
BENCH_WS_ARGS =
if HAVE_WEBSOCKET
BENCH_WS += bench/dsr-bench-ws
check_PROGRAMS += bench/dsr-bench-ws
bench_dsr_bench_ws_SOURCES = bench/dsr-bench-ws.c
bench_dsr_bench_ws_CPPFLAGS = $(DSRTEST_CPPFLAGS)
bench_dsr_bench_ws_LDADD = $(DSRTEST_LIBS)
endif

.PHONY: bench
bench: bench/dsr-bench src/dsrouterd $(BENCH_WS)
	$(SHELL) $(srcdir)/bench/run.sh ./bench/dsr-bench ./src/dsrouterd $(BENCH_ARGS)
	@if test -n '$(BENCH_WS)'; then \
		./bench/dsr-bench-ws --dsrouterd ./src/dsrouterd \
		    --script $(srcdir)/tests/ws-runtime.mjs $(BENCH_WS_ARGS); \
	else \
		echo; echo "### WebSocket runtimes (browser apps)"; echo; \
		echo "skipped: built without WebSocket support (apt-get install libwslay-dev nettle-dev)"; \
	fi
