/* SPDX-License-Identifier: MIT */
/* fuzz.h: what the fuzz targets share: the entry point, checks and safe inputs. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "dsrouterd.h"

/* A failed invariant: say which and where, then crash so the fuzzer keeps the input. */
#define FUZZ_CHECK(e) do {						\
	if (!(e))							\
		fuzz_fail(__FILE__, __LINE__, #e);			\
} while (0)

/* The entry point libFuzzer (or replay.c) calls with each input. */
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* fuzz_common.c */
void fuzz_fail(const char *, int, const char *) DSR_NORETURN;
char *fuzz_strndup(const uint8_t *, size_t);
int fuzz_host_safe(const char *);
int fuzz_addr_text_safe(const char *);
void fuzz_check_conf(struct conf *);

#endif /* FUZZ_H */
