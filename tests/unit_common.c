/* SPDX-License-Identifier: MIT */
/* unit_common.c: the runner and test-case helper shared by the unit suites. */
#include "config.h"

#include <stdlib.h>

#include "check_main.h"

/* A test case with the unit time-out, so a hang fails instead of blocking. */
TCase *
unit_tcase(const char *name)
{
	TCase *tc;

	tc = tcase_create(name);
	tcase_set_timeout(tc, UNIT_TIMEOUT);
	return tc;
}

/* Run a suite (each test in its own process); 1 if anything failed. */
int
unit_run(Suite *s)
{
	SRunner *sr;
	int failed;

	sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
