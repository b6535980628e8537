/* testlib.h - the main() every Check unit test shares. */
#ifndef SWN_TESTLIB_H
#define SWN_TESTLIB_H

#include <check.h>
#include <stdlib.h>

/* Run one suite; exit status 0 when every test passed. */
static inline int swn_test_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
