/* SPDX-License-Identifier: MIT */
/* main.c: dsrouterd's entry point: command line, configuration, run. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "dsrouterd.h"

/* Parse the command line, load and check the configuration, run it. */
int
main(int argc, char **argv)
{
	struct conf *conf = NULL, *loaded = NULL;
	struct run_opts opts;
	struct cli cli;
	char *cause = NULL;
	int rc;

	log_open(LOG_LEVEL_INFO);
	log_libevent();
	if ((rc = cli_parse(&cli, argc, argv, &cause)) != 0) {
		log_fail("%s", cause);
		if (rc == EX_USAGE)
			fprintf(stderr, "Try 'dsrouterd --help'.\n");
		free(cause);
		cli_free(&cli);
		return rc;
	}
	switch (cli.action) {
	case CLI_HELP:
		if (cli.help_verb == NULL)
			usage_print(stdout);
		else
			usage_verb(stdout, cli.help_verb);
		cli_free(&cli);
		return 0;
	case CLI_VERSION:
		printf("dsrouterd %s\n", PACKAGE_VERSION);
		cli_free(&cli);
		return 0;
	case CLI_STATUS:
		rc = statuscmd_run(cli.control_socket, cli.json);
		cli_free(&cli);
		return rc;
	case CLI_RUN:
	case CLI_TEST:
		break;
	}

	if (cli.config != NULL) {
		if (conffile_load(&loaded, cli.config, &cause) != 0) {
			log_fail("%s", cause);
			free(cause);
			cli_free(&cli);
			return EX_CONFIG;
		}
		conf = loaded;
	} else {
		conf = cli.conf;
	}
	if (cli.log_level_set)
		log_set_level(cli.log_level);
	else
		log_set_level(conf->log_level);

	if (cli.action == CLI_TEST) {
		printf("%s: configuration OK, %u route(s)\n",
		    cli.config != NULL ? cli.config : "command line",
		    conf->nroutes);
		rc = 0;
	} else {
		memset(&opts, 0, sizeof opts);
		opts.config_path = cli.config;
		opts.log_fixed = cli.log_level_set;
		opts.info = cli.info;
		opts.control_socket = cli.control_socket;
		opts.blocked = cli.blocked;
		opts.parent = cli.parent;
		opts.parent_name = cli.parent_name;
		rc = daemon_run(conf, &opts);
	}
	conf_free(loaded);
	cli_free(&cli);
	return rc;
}
