/* main.c: dsrouterd's entry point: command line, configuration, run. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "dsrouterd.h"

/* Parse the command line, load and check the configuration, run it. */
int
main(int argc, char **argv)
{
	struct conf *conf = NULL, *loaded = NULL;
	struct cli cli;
	char *cause = NULL;
	int rc;

	log_open(LOG_LEVEL_INFO);
	log_libevent();
	if ((rc = cli_parse(&cli, argc, argv, &cause)) != 0) {
		fprintf(stderr, "dsrouterd: %s\n", cause);
		if (rc == EX_USAGE)
			fprintf(stderr, "Try 'dsrouterd --help'.\n");
		free(cause);
		cli_free(&cli);
		return rc;
	}
	switch (cli.action) {
	case CLI_HELP:
		cli_usage(stdout);
		cli_free(&cli);
		return 0;
	case CLI_VERSION:
		printf("dsrouterd %s\n", PACKAGE_VERSION);
		cli_free(&cli);
		return 0;
	case CLI_RUN:
	case CLI_TEST:
		break;
	}

	if (cli.config != NULL) {
		if (conffile_load(&loaded, cli.config, &cause) != 0) {
			fprintf(stderr, "dsrouterd: %s\n", cause);
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
		rc = daemon_run(conf, cli.config, cli.log_level_set);
	}
	conf_free(loaded);
	cli_free(&cli);
	return rc;
}
