/* spool.c - spool directories; see spool.h. */
#include "autoconfig.h"

#include <stdio.h>

#include "fsutil.h"
#include "spool.h"

int swn_spool_create(const char *dir, struct swn_err *err)
{
	static const char *const subdirs[] = { "out", "in", "failed" };
	char path[4096];
	size_t i;

	if (swn_mkdir(dir, 0750, err) < 0)
		return -1;
	for (i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++)
		if (swn_path_join(path, sizeof path, dir, subdirs[i], err) < 0 ||
		    swn_mkdir(path, 0750, err) < 0)
			return -1;
	return 0;
}
