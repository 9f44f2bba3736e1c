/* SPDX-License-Identifier: MIT */
/*
 * cli.c: the command line, compatible with dotnet-dsrouter: a verb or
 * preset, then options in long (--ipc-server), dotnet-dsrouter short
 * (-ipcs) or getopt short (-c) form, with the value after a space, '=' or ':'.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dsrouterd.h"

enum cli_opt {
	OPT_CONFIG = KEY_COUNT,
	OPT_TEST,
	OPT_VERBOSE,
	OPT_INFO,
	OPT_BLOCK_SIGNALS,
	OPT_PARENT,
	OPT_CONTROL_SOCKET,
	OPT_JSON,
	OPT_HELP,
	OPT_VERSION,
};

/* Signals --block-signals may name. */
static const struct cli_signal {
	const char *name;
	int sig;
} cli_signals[] = {
	{ "INT", SIGINT },
	{ "QUIT", SIGQUIT },
	{ "TERM", SIGTERM },
	{ "HUP", SIGHUP },
	{ "USR1", SIGUSR1 },
	{ "USR2", SIGUSR2 },
	{ "PIPE", SIGPIPE },
	{ "TSTP", SIGTSTP },
	{ "TTIN", SIGTTIN },
	{ "TTOU", SIGTTOU },
};

static const struct cli_option {
	const char *name;
	const char *alias;
	int id;
	int has_arg;
} cli_options[] = {
	{ "--ipc-server", "-ipcs", KEY_IPC_SERVER, 1 },
	{ "--ipc-client", "-ipcc", KEY_IPC_CLIENT, 1 },
	{ "--tcp-server", "-tcps", KEY_TCP_SERVER, 1 },
	{ "--tcp-client", "-tcpc", KEY_TCP_CLIENT, 1 },
	{ "--web-socket", "-ws", KEY_WEB_SOCKET, 1 },
	{ "--allow-origins", NULL, KEY_ALLOW_ORIGINS, 1 },
	{ "--runtime-timeout", "-rt", KEY_RUNTIME_TIMEOUT, 1 },
	{ "--pair-timeout", "-pt", KEY_PAIR_TIMEOUT, 1 },
	{ "--frame-timeout", "-ft", KEY_FRAME_TIMEOUT, 1 },
	{ "--allow-remote-tools", NULL, KEY_ALLOW_REMOTE_TOOLS, 0 },
	{ "--socket-mode", NULL, KEY_SOCKET_MODE, 1 },
	{ "--socket-group", NULL, KEY_SOCKET_GROUP, 1 },
	{ "--allow-users", NULL, KEY_ALLOW_USERS, 1 },
	{ "--allow-groups", NULL, KEY_ALLOW_GROUPS, 1 },
	{ "--runtimes", NULL, KEY_RUNTIMES, 1 },
	{ "--ipc-server-dir", NULL, KEY_IPC_SERVER_DIR, 1 },
	{ "--runtime-grace", NULL, KEY_RUNTIME_GRACE, 1 },
	{ "--config", "-c", OPT_CONFIG, 1 },
	{ "--test-config", "-t", OPT_TEST, 0 },
	{ "--verbose", "-v", OPT_VERBOSE, 1 },
	{ "--forward-port", "-fp", KEY_FORWARD_PORT, 1 },
	{ "--device", NULL, KEY_DEVICE, 1 },
	{ "--adb", NULL, KEY_ADB, 1 },
	{ "--info", "-i", OPT_INFO, 0 },
	{ "--block-signals", "-bsig", OPT_BLOCK_SIGNALS, 1 },
	{ "--parentprocess", NULL, OPT_PARENT, 1 },
	{ "--control-socket", NULL, OPT_CONTROL_SOCKET, 1 },
	{ "--json", NULL, OPT_JSON, 0 },
	{ "--help", "-h", OPT_HELP, 0 },
	{ "--version", "-V", OPT_VERSION, 0 },
};

/* Match an argument to an option; *value is set for "--opt=value" forms. */
static const struct cli_option *
cli_match(const char *arg, const char **value)
{
	const struct cli_option *o;
	size_t i, n;
	const char *names[2];
	int k;

	*value = NULL;
	for (i = 0; i < sizeof cli_options / sizeof cli_options[0]; i++) {
		o = &cli_options[i];
		names[0] = o->name;
		names[1] = o->alias;
		for (k = 0; k < 2; k++) {
			if (names[k] == NULL)
				continue;
			n = strlen(names[k]);
			if (strncmp(arg, names[k], n) != 0)
				continue;
			if (arg[n] == '\0')
				return o;
			if (o->has_arg && (arg[n] == '=' || arg[n] == ':')) {
				*value = arg + n + 1;
				return o;
			}
		}
	}
	if (strcmp(arg, "-?") != 0)
		return NULL;
	for (i = 0; cli_options[i].id != OPT_HELP; i++)
		;
	return &cli_options[i];
}

/*
 * Parse a ';'-separated list of signal names (SIGINT or INT, any case)
 * into a set. Returns -1 with *cause on a name it does not know.
 */
int
cli_parse_signals(const char *list, sigset_t *set, char **cause)
{
	char *copy, *word, *save = NULL;
	const char *name;
	size_t i, n = sizeof cli_signals / sizeof cli_signals[0];

	sigemptyset(set);
	copy = xstrdup(list);
	for (word = strtok_r(copy, ";, \t", &save); word != NULL;
	    word = strtok_r(NULL, ";, \t", &save)) {
		name = strncasecmp(word, "SIG", 3) == 0 ? word + 3 : word;
		for (i = 0; i < n; i++) {
			if (strcasecmp(name, cli_signals[i].name) == 0)
				break;
		}
		if (i == n) {
			xasprintf(cause, "--block-signals: unknown signal '%s' "
			    "(known: SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGUSR1, "
			    "SIGUSR2, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU)", word);
			free(copy);
			return -1;
		}
		sigaddset(set, cli_signals[i].sig);
	}
	free(copy);
	return 0;
}

/* Parse --parentprocess PID[:NAME]. */
static int
cli_parse_parent(struct cli *cli, const char *value, char **cause)
{
	const char *colon = strchr(value, ':');
	unsigned long pid;
	char *end;

	errno = 0;
	pid = strtoul(value, &end, 10);
	if (*value < '0' || *value > '9' || (*end != '\0' && end != colon) ||
	    errno != 0 ||
	    pid == 0 || pid > 0x3fffffff) {
		xasprintf(cause, "--parentprocess: '%s' is not PID or PID:NAME",
		    value);
		return -1;
	}
	cli->parent = (pid_t)pid;
	free(cli->parent_name);
	cli->parent_name = xstrdup(colon != NULL ? colon + 1 : "");
	return 0;
}

/* Free what cli_parse built. */
void
cli_free(struct cli *cli)
{
	conf_free(cli->conf);
	free(cli->config);
	free(cli->parent_name);
	free(cli->control_socket);
	memset(cli, 0, sizeof *cli);
}

/* What cli_parse has seen so far. */
struct cli_state {
	struct cli *cli;
	struct route_spec spec;
	const char *verb;
	int nroute;               /* route options given */
	int help;                 /* 'help' or --help: the verb is for help only */
	int status;               /* 'status': ask a running daemon */
	int stop;                 /* --version: look no further */
};

/* A word that is not an option: the verb or preset (or 'help'). */
static int
cli_verb(struct cli_state *cs, const char *arg, char **cause)
{

	if (cs->verb == NULL && !cs->help && !cs->status &&
	    strcmp(arg, "help") == 0) {
		cs->help = 1;
		return 0;
	}
	if (cs->verb == NULL && !cs->help && !cs->status &&
	    strcmp(arg, "status") == 0) {
		cs->status = 1;
		return 0;
	}
	if (cs->status) {
		xasprintf(cause, "unexpected argument '%s' after 'status' (it "
		    "takes --control-socket PATH and --json)", arg);
		return 64;
	}
	if (cs->help && cs->verb == NULL && strcmp(arg, "status") == 0) {
		cs->verb = "status";
		return 0;
	}
	if (cs->verb != NULL) {
		xasprintf(cause, "unexpected argument '%s' after verb '%s'",
		    arg, cs->verb);
		return 64;
	}
	if (!conf_mode_known(arg)) {
		xasprintf(cause, "unknown verb '%s' (see dsrouterd --help)", arg);
		return 64;
	}
	cs->verb = arg;
	return 0;
}

/* An option of a route (an address or a time-out). */
static int
cli_route_option(struct cli_state *cs, const struct cli_option *o,
    const char *value, char **cause)
{
	if (cs->spec.val[o->id] != NULL) {
		xasprintf(cause, "option %s given twice", o->name);
		return 64;
	}
	cs->spec.val[o->id] = o->has_arg ? value : "yes";
	if (conf_key_is_endpoint((enum conf_key)o->id))
		cs->nroute++;
	return 0;
}

/* Any other option. */
static int
cli_option(struct cli_state *cs, const struct cli_option *o,
    const char *value, char **cause)
{
	struct cli *cli = cs->cli;

	if (o->id < KEY_COUNT)
		return cli_route_option(cs, o, value, cause);
	switch (o->id) {
	case OPT_CONFIG:
		free(cli->config);
		cli->config = xstrdup(value);
		break;
	case OPT_TEST:
		cli->action = CLI_TEST;
		break;
	case OPT_VERBOSE:
		if (log_level_parse(value, &cli->log_level) != 0) {
			xasprintf(cause, "--verbose: '%s' is not one of none, "
			    "critical, error, warning, info, debug, trace", value);
			return 64;
		}
		cli->log_level_set = 1;
		break;
	case OPT_INFO:
		cli->info = 1;
		break;
	case OPT_BLOCK_SIGNALS:
		if (cli_parse_signals(value, &cli->blocked, cause) != 0)
			return 64;
		break;
	case OPT_PARENT:
		if (cli_parse_parent(cli, value, cause) != 0)
			return 64;
		break;
	case OPT_CONTROL_SOCKET:
		free(cli->control_socket);
		cli->control_socket = xstrdup(value);
		break;
	case OPT_JSON:
		cli->json = 1;
		break;
	case OPT_HELP:
		cs->help = 1;
		break;
	case OPT_VERSION:
		cli->action = CLI_VERSION;
		cs->stop = 1;
		break;
	}
	return 0;
}

/* All arguments read: build the route, unless -c names a file. */
static int
cli_finish(struct cli_state *cs, char **cause)
{
	struct cli *cli = cs->cli;
	int k;

	if (cli->config != NULL) {
		for (k = 0; k < KEY_COUNT && cs->spec.val[k] == NULL; k++)
			;
		if (cs->verb != NULL || k < KEY_COUNT) {
			xasprintf(cause, "give either -c FILE or a route on the "
			    "command line, not both (%s belongs in the file)",
			    cs->verb != NULL ? cs->verb :
			    conf_key_name((enum conf_key)k));
			return 64;
		}
		return 0;
	}
	if (cs->verb == NULL && cs->nroute == 0)
		cs->verb = "android-emu";
	cs->spec.val[KEY_MODE] = cs->verb;
	cs->spec.name = cs->verb != NULL ? cs->verb : "default";
	cli->conf = conf_new(NULL);
	cli->conf->log_level = cli->log_level;
	if (confroute_add(cli->conf, &cs->spec, cause) != 0 ||
	    conf_validate(cli->conf, cause) != 0)
		return 64;
	return 0;
}

/*
 * Parse the command line. Returns 0, or an exit code (64 for usage errors,
 * a bad route included, 69 for an unsupported preset) with *cause set.
 */
int
cli_parse(struct cli *cli, int argc, char **argv, char **cause)
{
	const struct cli_option *o;
	struct cli_state cs;
	const char *arg, *value;
	int i, rc;

	memset(cli, 0, sizeof *cli);
	memset(&cs, 0, sizeof cs);
	cs.cli = cli;
	cli->action = CLI_RUN;
	cli->log_level = LOG_LEVEL_INFO;
	sigemptyset(&cli->blocked);

	for (i = 1; i < argc && !cs.stop; i++) {
		arg = argv[i];
		if (arg[0] != '-' || arg[1] == '\0') {
			if ((rc = cli_verb(&cs, arg, cause)) != 0)
				return rc;
			continue;
		}
		if ((o = cli_match(arg, &value)) == NULL) {
			xasprintf(cause, "unknown option '%s' (see dsrouterd "
			    "--help)", arg);
			return 64;
		}
		if (o->has_arg && value == NULL) {
			if (i + 1 >= argc) {
				xasprintf(cause, "option %s needs a value", o->name);
				return 64;
			}
			value = argv[++i];
		}
		if ((rc = cli_option(&cs, o, value, cause)) != 0)
			return rc;
	}
	if (cs.stop)
		return 0;
	if (cs.help) {
		cli->action = CLI_HELP;
		cli->help_verb = cs.status ? "status" : cs.verb;
		return 0;
	}
	if (cs.status) {
		for (i = 0; i < KEY_COUNT && cs.spec.val[i] == NULL; i++)
			;
		if (i < KEY_COUNT || cli->config != NULL || cli->info ||
		    cli->action == CLI_TEST) {
			xasprintf(cause, "'status' takes only --control-socket PATH "
			    "and --json");
			return 64;
		}
		cli->action = CLI_STATUS;
		return 0;
	}
	if (cli->json) {
		xasprintf(cause, "--json goes with 'dsrouterd status'");
		return 64;
	}
	return cli_finish(&cs, cause);
}
