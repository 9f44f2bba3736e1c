# SPDX-License-Identifier: MIT
# bench/local.mk: the benchmark (make bench) and its smoke run (make check).
#
# make bench runs every measure at full size and prints the tables; pass
# options with BENCH_ARGS, e.g. make bench BENCH_ARGS="--runs 3". The smoke
# run is tiny, checks the bytes both ways and asserts no timing.
check_PROGRAMS += bench/dsr-bench
bench_dsr_bench_SOURCES = bench/dsr-bench.c
bench_dsr_bench_CPPFLAGS = $(DSRTEST_CPPFLAGS)
bench_dsr_bench_LDADD = $(DSRTEST_LIBS)
TESTS += bench/smoke.sh
EXTRA_DIST += bench/run.sh bench/smoke.sh docs/PERFORMANCE.md

BENCH_ARGS =

.PHONY: bench
bench: bench/dsr-bench src/dsrouterd
	$(SHELL) $(srcdir)/bench/run.sh ./bench/dsr-bench ./src/dsrouterd $(BENCH_ARGS)
