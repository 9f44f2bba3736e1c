/* SPDX-License-Identifier: MIT */
/* check_main.h: what the unit suites share: the suites and the runner. */
#ifndef CHECK_MAIN_H
#define CHECK_MAIN_H

#include <check.h>

/* Seconds a single unit test may take before it counts as failed. */
#define UNIT_TIMEOUT 5

/*
 * The number of cases in a table, as tcase_add_loop_test counts: a table
 * of cases is run by one loop test, whose body reads case _i, so each
 * case passes or fails on its own.
 */
#define NITEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* unit_common.c */
TCase *unit_tcase(const char *);
int unit_run(Suite *);

/* One suite per pure module. */
Suite *access_suite(void);
Suite *addr_suite(void);
Suite *backoff_suite(void);
Suite *cli_suite(void);
Suite *conf_suite(void);
Suite *ipc_suite(void);
Suite *pair_suite(void);
Suite *ratelimit_suite(void);
Suite *reload_suite(void);

#endif /* CHECK_MAIN_H */
