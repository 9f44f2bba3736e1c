/* SPDX-License-Identifier: MIT */
/*
 * fuzz_cli.c: fuzz target for the command line. The input is split into
 * words at NULs and newlines, given to cli_parse as argv[1..], then freed
 * with cli_free: no crash, no leak, an exit code of 0, 64 or 69 and a
 * message exactly when it is not 0, and an accepted route that holds
 * together. Inputs with a word that names a host only DNS could resolve
 * are skipped; -c FILE is only recorded, never read.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dsrouterd.h"
#include "fuzz.h"

#define MAX_WORDS 64

/*
 * Whether no value cli_parse could take from this word (the word itself,
 * or what follows a '=' or ':' in it) names a host that needs DNS.
 */
static int
word_safe(const char *w)
{
	const char *p;

	if (!fuzz_addr_text_safe(w))
		return 0;
	for (p = w; *p != '\0'; p++) {
		if ((*p == '=' || *p == ':') && !fuzz_addr_text_safe(p + 1))
			return 0;
	}
	return 1;
}

/* libFuzzer entry point. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_WORDS + 2], *cause = NULL;
	struct cli cli;
	size_t start, i;
	int argc = 1, rc;

	/* Each word in its own allocation, so a read past one is seen. */
	argv[0] = xstrdup("dsrouterd");
	for (start = 0, i = 0; i <= size && argc <= MAX_WORDS; i++) {
		if (i < size && data[i] != '\0' && data[i] != '\n')
			continue;
		if (i == size && start == size)
			break;          /* no empty word after a last separator */
		argv[argc++] = fuzz_strndup(data + start, i - start);
		start = i + 1;
	}
	argv[argc] = NULL;
	for (i = 1; i < (size_t)argc; i++) {
		if (!word_safe(argv[i]))
			goto out;
	}

	rc = cli_parse(&cli, argc, argv, &cause);
	FUZZ_CHECK(rc == 0 || rc == 64 || rc == 69);
	if (rc != 0) {
		FUZZ_CHECK(cause != NULL && *cause != '\0');
		FUZZ_CHECK(strchr(cause, '\n') == NULL);
	} else {
		FUZZ_CHECK(cause == NULL);
		switch (cli.action) {
		case CLI_HELP:
		case CLI_VERSION:
			break;
		case CLI_STATUS:
			/* Asks a running daemon: no route of its own. */
			FUZZ_CHECK(cli.conf == NULL);
			break;
		case CLI_RUN:
		case CLI_TEST:
			if (cli.config != NULL) {
				/* The file is the configuration: nothing built. */
				FUZZ_CHECK(cli.conf == NULL);
				break;
			}
			FUZZ_CHECK(cli.conf != NULL);
			FUZZ_CHECK(cli.conf->file == NULL);
			FUZZ_CHECK(cli.conf->nroutes == 1);
			FUZZ_CHECK(cli.conf->log_level == cli.log_level);
			fuzz_check_conf(cli.conf);
			break;
		default:
			fuzz_fail(__FILE__, __LINE__, "an action cli_parse sets");
		}
	}
	cli_free(&cli);
	FUZZ_CHECK(cli.conf == NULL && cli.config == NULL);
	free(cause);

out:
	for (i = 0; i < (size_t)argc; i++)
		free(argv[i]);
	return 0;
}
