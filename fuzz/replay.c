/* SPDX-License-Identifier: MIT */
/*
 * replay.c: a main for the fuzz targets in builds without libFuzzer: runs
 * the target once on each file named on the command line, so the seed
 * corpora are regression tests in every build.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsrouterd.h"
#include "fuzz.h"

/* Read a whole file; NULL with errno set on failure. */
static uint8_t *
replay_read(const char *path, size_t *size)
{
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	for (;;) {
		if (len == cap) {
			cap = cap == 0 ? 4096 : cap * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		if ((n = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	*size = len;
	return buf;
}

/* Run the target on every file given. */
int
main(int argc, char **argv)
{
	uint8_t *data, *exact;
	size_t size;
	int i;

	for (i = 1; i < argc; i++) {
		if ((data = replay_read(argv[i], &size)) == NULL) {
			fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		/* An allocation of exactly the input's size, as libFuzzer gives. */
		exact = xmalloc(size);
		memcpy(exact, data, size);
		free(data);
		printf("Running: %s (%zu bytes)\n", argv[i], size);
		fflush(stdout);
		LLVMFuzzerTestOneInput(exact, size);
		free(exact);
	}
	printf("Executed %d inputs\n", argc - 1);
	return 0;
}
