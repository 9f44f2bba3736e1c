/* SPDX-License-Identifier: MIT */
/* check_cli.c: unit tests for cli.c: the dotnet-dsrouter-compatible command line. */
#include "config.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "dsrouterd.h"
#include "check_main.h"

#define MAX_ARGS 32

static struct cli cli;
static char *cause;

/* Arguments parse_kept leaves in place until the test ends. */
static char *kept[MAX_ARGS + 1];

/* Free them. */
static void
kept_free(void)
{
	int i;

	for (i = 0; kept[i] != NULL; i++) {
		free(kept[i]);
		kept[i] = NULL;
	}
}

static void
setup(void)
{
	memset(&cli, 0, sizeof cli);
	cause = NULL;
}

static void
teardown(void)
{
	cli_free(&cli);
	free(cause);
	kept_free();
}

/*
 * Run cli_parse on "dsrouterd" and the arguments up to NULL, from copies
 * freed before returning, so nothing may keep pointers into argv.
 */
static int
parse(const char *const *args)
{
	char *argv[MAX_ARGS + 1];
	int argc = 0, rc, i;

	cli_free(&cli);
	free(cause);
	cause = NULL;
	argv[argc++] = strdup("dsrouterd");
	for (i = 0; args[i] != NULL; i++) {
		ck_assert_int_lt(argc, MAX_ARGS);
		argv[argc++] = strdup(args[i]);
	}
	argv[argc] = NULL;
	rc = cli_parse(&cli, argc, argv, &cause);
	for (i = 0; i < argc; i++) {
		memset(argv[i], 'Z', strlen(argv[i]));
		free(argv[i]);
	}
	return rc;
}

/*
 * Like parse, but the argument strings stay as they are until the next
 * call or the end of the test: cli.help_verb points into argv (as main's
 * argv, it lives as long as the process).
 */
static int
parse_kept(const char *const *args)
{
	int argc = 0, i;

	cli_free(&cli);
	free(cause);
	cause = NULL;
	kept_free();
	kept[argc++] = strdup("dsrouterd");
	for (i = 0; args[i] != NULL; i++) {
		ck_assert_int_lt(argc, MAX_ARGS);
		kept[argc++] = strdup(args[i]);
	}
	kept[argc] = NULL;
	return cli_parse(&cli, argc, kept, &cause);
}

/* The command line was accepted; return its single route. */
static struct route_conf *
only_route(void)
{
	struct route_conf *rc;

	ck_assert_ptr_null(cause);
	ck_assert_ptr_nonnull(cli.conf);
	ck_assert_ptr_null(cli.config);
	ck_assert_uint_eq(cli.conf->nroutes, 1);
	ck_assert_ptr_null(cli.conf->file);
	rc = TAILQ_FIRST(&cli.conf->routes);
	ck_assert_ptr_nonnull(rc);
	ck_assert_uint_eq(rc->line, 0);
	return rc;
}

/* The tool side is the default socket of this process. */
static void
assert_default_tool(const struct route_conf *rc)
{
	char *path, *why = NULL;

	path = addr_default_tool_path(getpid(), &why);
	ck_assert_ptr_nonnull(path);
	ck_assert_int_eq(rc->tool_default, 1);
	ck_assert_int_eq(rc->tool.kind, ADDR_UNIX);
	ck_assert_str_eq(rc->tool.path, path);
	free(path);
}

/* A pair time-out not given is 0: the defaults (runtime there or not). */
#define PT 0
#define FT DSR_DEFAULT_FRAME_TIMEOUT_MS

/* Command lines that give one route, and all that route must be. */
static const struct {
	const char *args[MAX_ARGS];
	enum cli_action action;
	enum log_level level;
	int level_set;
	const char *name;
	enum route_mode mode;
	const char *preset;       /* NULL: none */
	const char *tool;         /* NULL: the default tool socket */
	const char *host;         /* NULL: any address ('*') */
	unsigned port;
	unsigned runtime_ms, pair_ms, frame_ms;
} routes[] = {
	/* No verb: android-emu. */
	{ { NULL }, CLI_RUN, LOG_LEVEL_INFO, 0, "android-emu",
	    MODE_SERVER_SERVER, "android-emu", NULL, "127.0.0.1", 9000,
	    0, PT, FT },
	/* The verb spelled out gives the same. */
	{ { "android-emu", NULL }, CLI_RUN, LOG_LEVEL_INFO, 0, "android-emu",
	    MODE_SERVER_SERVER, "android-emu", NULL, "127.0.0.1", 9000,
	    0, PT, FT },
	/* Options that are not a route keep the default. */
	{ { "-v", "debug", "-rt", "10", NULL }, CLI_RUN, LOG_LEVEL_DEBUG, 1,
	    "android-emu", MODE_SERVER_SERVER, "android-emu", NULL, "127.0.0.1",
	    9000, 10000, PT, FT },
	{ { "ios-sim", NULL }, CLI_RUN, LOG_LEVEL_INFO, 0, "ios-sim",
	    MODE_SERVER_CLIENT, "ios-sim", NULL, "127.0.0.1", 9000, 0, PT, FT },
	/* A preset's address can be overridden. */
	{ { "ios-sim", "-tcpc", "127.0.0.1:9005", NULL }, CLI_RUN,
	    LOG_LEVEL_INFO, 0, "ios-sim", MODE_SERVER_CLIENT, "ios-sim", NULL,
	    "127.0.0.1", 9005, 0, PT, FT },
	{ { "android-emu", "--tcp-server", "*:9006", NULL }, CLI_RUN,
	    LOG_LEVEL_INFO, 0, "android-emu", MODE_SERVER_SERVER, "android-emu",
	    NULL, NULL, 9006, 0, PT, FT },
	/* The four verbs. */
	{ { "server-server", "--ipc-server", "/tmp/c-ss.sock", "--tcp-server",
	    "127.0.0.1:9010", NULL }, CLI_RUN, LOG_LEVEL_INFO, 0,
	    "server-server", MODE_SERVER_SERVER, NULL, "/tmp/c-ss.sock",
	    "127.0.0.1", 9010, 0, PT, FT },
	{ { "server-client", "--ipc-server", "/tmp/c-sc.sock", "--tcp-client",
	    "127.0.0.1:9011", NULL }, CLI_RUN, LOG_LEVEL_INFO, 0,
	    "server-client", MODE_SERVER_CLIENT, NULL, "/tmp/c-sc.sock",
	    "127.0.0.1", 9011, 0, PT, FT },
	{ { "client-server", "--ipc-client", "/tmp/c-tool.sock", "--tcp-server",
	    "127.0.0.1:9012", NULL }, CLI_RUN, LOG_LEVEL_INFO, 0,
	    "client-server", MODE_CLIENT_SERVER, NULL, "/tmp/c-tool.sock",
	    "127.0.0.1", 9012, 0, PT, FT },
	{ { "client-client", "--ipc-client", "/tmp/c-tool.sock", "--tcp-client",
	    "[::1]:9013", NULL }, CLI_RUN, LOG_LEVEL_INFO, 0, "client-client",
	    MODE_CLIENT_CLIENT, NULL, "/tmp/c-tool.sock", "::1", 9013,
	    0, PT, FT },
	/* server-server with only a TCP side uses the default tool socket. */
	{ { "server-server", "--tcp-server", "127.0.0.1:9014", NULL }, CLI_RUN,
	    LOG_LEVEL_INFO, 0, "server-server", MODE_SERVER_SERVER, NULL, NULL,
	    "127.0.0.1", 9014, 0, PT, FT },
	/* Short aliases. */
	{ { "server-server", "-ipcs", "/tmp/c-a.sock", "-tcps",
	    "127.0.0.1:9020", "-rt", "30", "-v", "trace", NULL }, CLI_RUN,
	    LOG_LEVEL_TRACE, 1, "server-server", MODE_SERVER_SERVER, NULL,
	    "/tmp/c-a.sock", "127.0.0.1", 9020, 30000, PT, FT },
	{ { "client-client", "-ipcc", "/tmp/c-b.sock", "-tcpc",
	    "127.0.0.1:9021", "-pt", "0.25", "-ft", "3", NULL }, CLI_RUN,
	    LOG_LEVEL_INFO, 0, "client-client", MODE_CLIENT_CLIENT, NULL,
	    "/tmp/c-b.sock", "127.0.0.1", 9021, 0, 250, 3000 },
	/* Options may come before the verb. */
	{ { "-tcps", "127.0.0.1:9022", "server-server", NULL }, CLI_RUN,
	    LOG_LEVEL_INFO, 0, "server-server", MODE_SERVER_SERVER, NULL, NULL,
	    "127.0.0.1", 9022, 0, PT, FT },
	/* Values after '='. */
	{ { "server-server", "--ipc-server=/tmp/c-eq.sock",
	    "--tcp-server=127.0.0.1:9030", "--runtime-timeout=-1", NULL },
	    CLI_RUN, LOG_LEVEL_INFO, 0, "server-server", MODE_SERVER_SERVER,
	    NULL, "/tmp/c-eq.sock", "127.0.0.1", 9030, 0, PT, FT },
	/* ':' splits at the first colon: the address keeps its own. */
	{ { "server-server", "--ipc-server:/tmp/c-colon.sock",
	    "--tcp-server:127.0.0.1:9031", "--runtime-timeout:1.5",
	    "--verbose:debug", NULL }, CLI_RUN, LOG_LEVEL_DEBUG, 1,
	    "server-server", MODE_SERVER_SERVER, NULL, "/tmp/c-colon.sock",
	    "127.0.0.1", 9031, 1500, PT, FT },
	{ { "client-server", "-ipcc=/tmp/c-t.sock", "-tcps:[::1]:9032",
	    "-v=warning", NULL }, CLI_RUN, LOG_LEVEL_WARN, 1, "client-server",
	    MODE_CLIENT_SERVER, NULL, "/tmp/c-t.sock", "::1", 9032, 0, PT, FT },
	/* A value may start with '-'. */
	{ { "android-emu", "-rt", "-1", NULL }, CLI_RUN, LOG_LEVEL_INFO, 0,
	    "android-emu", MODE_SERVER_SERVER, "android-emu", NULL, "127.0.0.1",
	    9000, 0, PT, FT },
	/* No verb, only endpoints: the mode follows from them. */
	{ { "-ipcs", "/tmp/c-i.sock", "-tcpc", "127.0.0.1:9040", NULL },
	    CLI_RUN, LOG_LEVEL_INFO, 0, "default", MODE_SERVER_CLIENT, NULL,
	    "/tmp/c-i.sock", "127.0.0.1", 9040, 0, PT, FT },
	{ { "-ipcc", "/tmp/c-i.sock", "-tcps", "127.0.0.1:9041", NULL },
	    CLI_RUN, LOG_LEVEL_INFO, 0, "default", MODE_CLIENT_SERVER, NULL,
	    "/tmp/c-i.sock", "127.0.0.1", 9041, 0, PT, FT },
	/* -t checks the route instead of running it. */
	{ { "-t", NULL }, CLI_TEST, LOG_LEVEL_INFO, 0, "android-emu",
	    MODE_SERVER_SERVER, "android-emu", NULL, "127.0.0.1", 9000,
	    0, PT, FT },
	{ { "server-server", "-tcps", "127.0.0.1:9050", "--test-config", NULL },
	    CLI_TEST, LOG_LEVEL_INFO, 0, "server-server", MODE_SERVER_SERVER,
	    NULL, NULL, "127.0.0.1", 9050, 0, PT, FT },
};

START_TEST(test_route)
{
	struct route_conf *rc;

	ck_assert_int_eq(parse(routes[_i].args), 0);
	rc = only_route();
	ck_assert_int_eq(cli.action, routes[_i].action);
	ck_assert_int_eq(cli.log_level, routes[_i].level);
	ck_assert_int_eq(cli.log_level_set, routes[_i].level_set);
	ck_assert_int_eq(cli.conf->log_level, routes[_i].level);
	ck_assert_str_eq(rc->name, routes[_i].name);
	ck_assert_int_eq(rc->mode, routes[_i].mode);
	if (routes[_i].preset == NULL)
		ck_assert_ptr_null(rc->preset);
	else
		ck_assert_str_eq(rc->preset, routes[_i].preset);
	if (routes[_i].tool == NULL)
		assert_default_tool(rc);
	else {
		ck_assert_int_eq(rc->tool_default, 0);
		ck_assert_int_eq(rc->tool.kind, ADDR_UNIX);
		ck_assert_str_eq(rc->tool.path, routes[_i].tool);
	}
	ck_assert_int_eq(rc->runtime.kind, ADDR_TCP);
	if (routes[_i].host == NULL)
		ck_assert_ptr_null(rc->runtime.host);
	else
		ck_assert_str_eq(rc->runtime.host, routes[_i].host);
	ck_assert_uint_eq(rc->runtime.port, routes[_i].port);
	ck_assert_uint_eq(rc->runtime_timeout_ms, routes[_i].runtime_ms);
	ck_assert_uint_eq(rc->pair_timeout_ms, routes[_i].pair_ms);
	ck_assert_uint_eq(rc->frame_timeout_ms, routes[_i].frame_ms);
}
END_TEST

/* Command lines that give no route: a file to read, help, version. */
static const struct {
	const char *args[MAX_ARGS];
	enum cli_action action;
	const char *config;
	enum log_level level;
	int level_set;
} actions[] = {
	{ { "-c", "/etc/dsrouterd.conf", NULL }, CLI_RUN, "/etc/dsrouterd.conf",
	    LOG_LEVEL_INFO, 0 },
	{ { "--config=/tmp/x.conf", "-t", NULL }, CLI_TEST, "/tmp/x.conf",
	    LOG_LEVEL_INFO, 0 },
	{ { "-t", "--config", "/tmp/y.conf", "-v", "error", NULL }, CLI_TEST,
	    "/tmp/y.conf", LOG_LEVEL_ERR, 1 },
	/* Time-outs alone are not a route, but still not both. */
	{ { "-c", "/tmp/x.conf", "-v", "info", NULL }, CLI_RUN, "/tmp/x.conf",
	    LOG_LEVEL_INFO, 1 },
	{ { "--help", NULL }, CLI_HELP, NULL, LOG_LEVEL_INFO, 0 },
	{ { "-h", NULL }, CLI_HELP, NULL, LOG_LEVEL_INFO, 0 },
	{ { "-?", NULL }, CLI_HELP, NULL, LOG_LEVEL_INFO, 0 },
	{ { "server-server", "--help", NULL }, CLI_HELP, NULL,
	    LOG_LEVEL_INFO, 0 },
	{ { "--version", NULL }, CLI_VERSION, NULL, LOG_LEVEL_INFO, 0 },
	{ { "-V", NULL }, CLI_VERSION, NULL, LOG_LEVEL_INFO, 0 },
};

START_TEST(test_action)
{
	ck_assert_int_eq(parse(actions[_i].args), 0);
	ck_assert_ptr_null(cause);
	ck_assert_int_eq(cli.action, actions[_i].action);
	if (actions[_i].config == NULL)
		ck_assert_ptr_null(cli.config);
	else {
		ck_assert_str_eq(cli.config, actions[_i].config);
		ck_assert_ptr_null(cli.conf);
	}
	ck_assert_int_eq(cli.log_level, actions[_i].level);
	ck_assert_int_eq(cli.log_level_set, actions[_i].level_set);
}
END_TEST

/* Command lines that are refused: the exit code and words of the message. */
static const struct {
	const char *args[MAX_ARGS];
	int code;
	const char *what;
} refused[] = {
	/* Device forwarding: where a route allows it, with a known port. */
	{ { "server-server", "-tcps", "unix:/tmp/x.sock", "--forward-port",
	    "Android", NULL }, EX_USAGE, "forward-port needs a TCP runtime "
	    "address" },
	{ { "server-server", "-tcps", "127.0.0.1:9000", "-fp", "iOS", NULL },
	    EX_USAGE, "forward-port iOS needs a route that connects to the "
	    "runtime" },
	{ { "server-client", "-tcpc", "127.0.0.1:9000", "-fp", "Windows", NULL },
	    EX_USAGE, "'Windows' is not Android, iOS or none" },
	{ { "server-server", "-tcps", "127.0.0.1:9000", "--device", "x", NULL },
	    EX_USAGE, "device and adb go with forward-port" },
	/* Usage errors. */
	{ { "server-servr", NULL }, EX_USAGE, "unknown verb 'server-servr'" },
	{ { "-", NULL }, EX_USAGE, "unknown verb '-'" },
	{ { "server-server", "client-client", NULL }, EX_USAGE,
	    "unexpected argument 'client-client'" },
	{ { "--bogus", NULL }, EX_USAGE, "unknown option '--bogus'" },
	{ { "server-server", "-x", NULL }, EX_USAGE, "unknown option '-x'" },
	/* An option name only matches whole. */
	{ { "--ipc-serverx", "/tmp/a", NULL }, EX_USAGE,
	    "unknown option '--ipc-serverx'" },
	{ { "-ipc", "/tmp/a", NULL }, EX_USAGE, "unknown option '-ipc'" },
	{ { "-ipcsx", NULL }, EX_USAGE, "unknown option" },
	/* Options without a value take none in any form. */
	{ { "--test-config=yes", NULL }, EX_USAGE, "unknown option" },
	{ { "server-server", "-ipcs", "/tmp/a", "-ipcs", "/tmp/b", NULL },
	    EX_USAGE, "given twice" },
	/* A value missing. */
	{ { "server-server", "-ipcs", NULL }, EX_USAGE,
	    "--ipc-server needs a value" },
	{ { "server-server", "--tcp-server", NULL }, EX_USAGE,
	    "--tcp-server needs a value" },
	{ { "-v", NULL }, EX_USAGE, "--verbose needs a value" },
	{ { "-c", NULL }, EX_USAGE, "--config needs a value" },
	{ { "android-emu", "-rt", NULL }, EX_USAGE,
	    "--runtime-timeout needs a value" },
	/* A route that cannot work is refused, named by its options. */
	{ { "server-server", "-tcpc", "127.0.0.1:9000", NULL }, EX_USAGE,
	    "--tcp-client does not go with mode server-server" },
	{ { "client-server", "-tcps", "127.0.0.1:9000", NULL }, EX_USAGE,
	    "needs --ipc-client" },
	{ { "server-client", NULL }, EX_USAGE, "--tcp-client" },
	{ { "server-server", "-tcps", "127.0.0.1:99999", NULL }, EX_USAGE,
	    "--tcp-server: '127.0.0.1:99999'" },
	{ { "android-emu", "-rt", "soon", NULL }, EX_USAGE,
	    "--runtime-timeout: 'soon'" },
	{ { "android-emu", "-pt", "0", NULL }, EX_USAGE,
	    "--pair-timeout: '0'" },
	/* Either a file or a route on the command line. */
	{ { "-c", "/tmp/x.conf", "server-server", NULL }, EX_USAGE,
	    "not both" },
	{ { "android-emu", "-c", "/tmp/x.conf", NULL }, EX_USAGE, "not both" },
	{ { "-c", "/tmp/x.conf", "-ipcs", "/tmp/a.sock", NULL }, EX_USAGE,
	    "not both" },
	{ { "-tcps", "127.0.0.1:9000", "-c", "/tmp/x.conf", NULL }, EX_USAGE,
	    "not both" },
	/* -V is the version, -v the level: case matters. */
	{ { "-v", "-V", NULL }, EX_USAGE, "'-V'" },
	/* Log levels. */
	{ { "-v", "loud", NULL }, EX_USAGE, "'loud'" },
	{ { "--verbose=", NULL }, EX_USAGE, "--verbose" },
	{ { "-v", "5", NULL }, EX_USAGE, "none, critical" },
	/* The launcher's options. */
	{ { "--block-signals", "SIGINT;SIGNOPE", NULL }, EX_USAGE,
	    "--block-signals: unknown signal 'SIGNOPE'" },
	{ { "-bsig", "KILL", NULL }, EX_USAGE, "unknown signal 'KILL'" },
	{ { "-bsig", NULL }, EX_USAGE, "--block-signals needs a value" },
	{ { "--parentprocess", "0", NULL }, EX_USAGE,
	    "--parentprocess: '0' is not PID or PID:NAME" },
	{ { "--parentprocess", "-5", NULL }, EX_USAGE,
	    "--parentprocess: '-5' is not PID or PID:NAME" },
	{ { "--parentprocess=-1:dotnet-trace", NULL }, EX_USAGE,
	    "'-1:dotnet-trace' is not PID or PID:NAME" },
	{ { "--parentprocess", "abc", NULL }, EX_USAGE,
	    "--parentprocess: 'abc' is not PID or PID:NAME" },
	{ { "--parentprocess", "12abc", NULL }, EX_USAGE,
	    "'12abc' is not PID" },
	{ { "--parentprocess", "0x10", NULL }, EX_USAGE, "'0x10' is not PID" },
	{ { "--parentprocess", "", NULL }, EX_USAGE,
	    "--parentprocess: '' is not PID or PID:NAME" },
	{ { "--parentprocess=", NULL }, EX_USAGE, "'' is not PID" },
	{ { "--parentprocess", ":dotnet-trace", NULL }, EX_USAGE,
	    "':dotnet-trace' is not PID" },
	{ { "--parentprocess", "0:dotnet-trace", NULL }, EX_USAGE,
	    "'0:dotnet-trace' is not PID" },
	{ { "--parentprocess", "99999999999999999999999", NULL }, EX_USAGE,
	    "is not PID" },
	{ { "--parentprocess", NULL }, EX_USAGE,
	    "--parentprocess needs a value" },
	/* Flags take no value. */
	{ { "--info=yes", NULL }, EX_USAGE, "unknown option '--info=yes'" },
	{ { "--allow-remote-tools=yes", NULL }, EX_USAGE,
	    "unknown option '--allow-remote-tools=yes'" },
	/* Who may use the tool socket: refused values, named. */
	{ { "server-server", "-ipcs", "/tmp/c-acc.sock", "-tcps",
	    "127.0.0.1:9060", "--socket-mode", "0777", NULL }, EX_USAGE,
	    "--socket-mode: '0777' is not a socket mode from 0600 to 0666 "
	    "(octal, e.g. 0660)" },
	{ { "--socket-mode", "660x", NULL }, EX_USAGE,
	    "--socket-mode: '660x' is not a socket mode" },
	{ { "--socket-group", "dsr-no-such-group", NULL }, EX_USAGE,
	    "--socket-group: no group 'dsr-no-such-group' on this system" },
	{ { "--allow-users", "root,dsr-no-such-user", NULL }, EX_USAGE,
	    "--allow-users: no user 'dsr-no-such-user' on this system" },
	{ { "--allow-groups", "dsr-no-such-group", NULL }, EX_USAGE,
	    "--allow-groups: no group 'dsr-no-such-group' on this system" },
	{ { "--allow-users", ",", NULL }, EX_USAGE,
	    "--allow-users: an empty list of users" },
	/* ... and only for a Unix socket the route makes. */
	{ { "client-server", "-ipcc", "/tmp/c-t.sock", "-tcps",
	    "127.0.0.1:9061", "--allow-users", "root", NULL }, EX_USAGE,
	    "--allow-users needs a tool socket the route creates (ipc-server "
	    "on a Unix path), not /tmp/c-t.sock" },
	{ { "server-server", "-ipcs", "tcp:127.0.0.1:9062", "-tcps",
	    "127.0.0.1:9063", "--socket-mode", "0660", NULL }, EX_USAGE,
	    "--socket-mode needs a tool socket the route creates (ipc-server "
	    "on a Unix path), not tcp:127.0.0.1:9062" },
	/* A tool listener off loopback only when asked for. */
	{ { "server-server", "-ipcs", "tcp:0.0.0.0:9064", "-tcps",
	    "127.0.0.1:9065", NULL }, EX_USAGE, "tools would connect to "
	    "tcp:0.0.0.0:9064 from the network, unauthenticated and "
	    "unencrypted" },
	{ { "server-server", "-ipcs", "tcp:0.0.0.0:9064", "-tcps",
	    "127.0.0.1:9065", NULL }, EX_USAGE, "or set --allow-remote-tools "
	    "if that is really wanted" },
	/* Help of a word that is no verb. */
	{ { "help", "nonsense", NULL }, EX_USAGE, "unknown verb 'nonsense'" },
	{ { "nonsense", "--help", NULL }, EX_USAGE, "unknown verb 'nonsense'" },
};

/* Refused with its code and one line of message. */
START_TEST(test_refused)
{
	ck_assert_int_eq(parse(refused[_i].args), refused[_i].code);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, refused[_i].what) != NULL, "message '%s' "
	    "does not contain '%s'", cause, refused[_i].what);
	ck_assert_ptr_null(strchr(cause, '\n'));
	/* No file:line in command-line messages. */
	ck_assert_ptr_null(strstr(cause, ":0:"));
	/* What is not supported builds no route (others may, for cli_free). */
	if (refused[_i].code == EX_UNAVAILABLE)
		ck_assert_ptr_null(cli.conf);
}
END_TEST

/* The level names -v takes, in any case. */
static const struct {
	const char *name;
	enum log_level level;
} levels[] = {
	{ "none", LOG_LEVEL_NONE },
	{ "critical", LOG_LEVEL_CRIT },
	{ "error", LOG_LEVEL_ERR },
	{ "warning", LOG_LEVEL_WARN },
	{ "info", LOG_LEVEL_INFO },
	{ "debug", LOG_LEVEL_DEBUG },
	{ "trace", LOG_LEVEL_TRACE },
	{ "Debug", LOG_LEVEL_DEBUG },
	{ "TRACE", LOG_LEVEL_TRACE },
	{ "Warning", LOG_LEVEL_WARN },
};

START_TEST(test_verbose_level)
{
	const char *short_form[] = { "-v", levels[_i].name, NULL };
	const char *long_form[] = { "--verbose", levels[_i].name, NULL };

	ck_assert_int_eq(parse(short_form), 0);
	ck_assert_int_eq(cli.log_level, levels[_i].level);
	ck_assert_int_eq(cli.log_level_set, 1);
	ck_assert_int_eq(cli.conf->log_level, levels[_i].level);
	ck_assert_int_eq(parse(long_form), 0);
	ck_assert_int_eq(cli.log_level, levels[_i].level);
}
END_TEST

/* The signals --block-signals names: each, with and without SIG, any case. */
static const struct {
	const char *name;
	int sig;
} signals[] = {
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

/* A set holds exactly these signals (0 ended). */
static void
assert_set(const sigset_t *set, const int *sigs, const char *what)
{
	int sig, i, in;

	for (sig = 1; sig < NSIG; sig++) {
		for (i = 0, in = 0; sigs[i] != 0; i++)
			in |= sigs[i] == sig;
		ck_assert_msg(sigismember(set, sig) == in, "'%s': signal %d "
		    "%s", what, sig, in ? "missing" : "added");
	}
}

START_TEST(test_signal_names)
{
	const char *prefixes[] = { "", "SIG", "sig", "Sig" };
	int want[2] = { signals[_i].sig, 0 };
	char text[32], lower[32];
	sigset_t set;
	size_t f, k;

	for (k = 0; signals[_i].name[k] != '\0'; k++)
		lower[k] = (char)tolower((unsigned char)signals[_i].name[k]);
	lower[k] = '\0';
	for (f = 0; f < sizeof prefixes / sizeof prefixes[0]; f++) {
		snprintf(text, sizeof text, "%s%s", prefixes[f],
		    signals[_i].name);
		ck_assert_int_eq(cli_parse_signals(text, &set, &cause), 0);
		ck_assert_ptr_null(cause);
		assert_set(&set, want, text);
		snprintf(text, sizeof text, "%s%s", prefixes[f], lower);
		ck_assert_int_eq(cli_parse_signals(text, &set, &cause), 0);
		assert_set(&set, want, text);
	}
}
END_TEST

/* Lists of signals and the sets they give (-1: refused, naming the word). */
#define MAX_SIGS 12
static const struct {
	const char *list;
	int rc;
	int sigs[MAX_SIGS];
	const char *bad;          /* rc -1: the word refused */
} sig_lists[] = {
	{ "SIGINT;SIGQUIT", 0, { SIGINT, SIGQUIT, 0 }, NULL },
	{ "SIGINT,SIGQUIT", 0, { SIGINT, SIGQUIT, 0 }, NULL },
	{ "int;Quit,sigterm", 0, { SIGINT, SIGQUIT, SIGTERM, 0 }, NULL },
	{ " SIGINT ; SIGTERM ", 0, { SIGINT, SIGTERM, 0 }, NULL },
	{ "\tSIGHUP\t,\tSIGUSR1", 0, { SIGHUP, SIGUSR1, 0 }, NULL },
	{ ";;SIGINT;;", 0, { SIGINT, 0 }, NULL },
	{ "SIGINT;SIGINT;INT", 0, { SIGINT, 0 }, NULL },
	{ "INT;QUIT;TERM;HUP;USR1;USR2;PIPE;TSTP;TTIN;TTOU", 0,
	    { SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGPIPE,
	    SIGTSTP, SIGTTIN, SIGTTOU, 0 }, NULL },
	/* Nothing named: nothing blocked. */
	{ "", 0, { 0 }, NULL },
	{ " ; , ", 0, { 0 }, NULL },
	/* Unknown names. */
	{ "SIGNOPE", -1, { 0 }, "SIGNOPE" },
	{ "SIGINT;BOGUS", -1, { 0 }, "BOGUS" },
	{ "SIGINT, sigfoo ;SIGTERM", -1, { 0 }, "sigfoo" },
	{ "SIGKILL", -1, { 0 }, "SIGKILL" },
	{ "STOP", -1, { 0 }, "STOP" },
	{ "SIG", -1, { 0 }, "SIG" },
	{ "SIGSIGINT", -1, { 0 }, "SIGSIGINT" },
	{ "2", -1, { 0 }, "2" },
	{ "SIGINT2", -1, { 0 }, "SIGINT2" },
	{ "SIGINT:SIGTERM", -1, { 0 }, "SIGINT:SIGTERM" },
};

START_TEST(test_signal_lists)
{
	char want[256];
	sigset_t set;
	int rc;

	rc = cli_parse_signals(sig_lists[_i].list, &set, &cause);
	ck_assert_msg(rc == sig_lists[_i].rc, "'%s': %d", sig_lists[_i].list,
	    rc);
	if (rc == 0) {
		ck_assert_ptr_null(cause);
		assert_set(&set, sig_lists[_i].sigs, sig_lists[_i].list);
		return;
	}
	ck_assert_ptr_nonnull(cause);
	snprintf(want, sizeof want, "--block-signals: unknown signal '%s' "
	    "(known: SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, "
	    "SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU)", sig_lists[_i].bad);
	ck_assert_str_eq(cause, want);
}
END_TEST

/* The launcher's options, as the diagnostic tools pass them. */
static const struct {
	const char *args[MAX_ARGS];
	int sigs[MAX_SIGS];       /* blocked */
	pid_t parent;
	const char *parent_name;  /* NULL: none given */
	int info;
} launches[] = {
	{ { "android-emu", NULL }, { 0 }, 0, NULL, 0 },
	{ { "server-server", "-tcps", "127.0.0.1:9070", "--block-signals",
	    "SIGINT;SIGQUIT", NULL }, { SIGINT, SIGQUIT, 0 }, 0, NULL, 0 },
	{ { "-bsig", "sigterm", "android-emu", NULL }, { SIGTERM, 0 }, 0, NULL,
	    0 },
	{ { "--block-signals=HUP,USR1", NULL }, { SIGHUP, SIGUSR1, 0 }, 0, NULL,
	    0 },
	/* Given twice, the last counts. */
	{ { "-bsig", "INT", "-bsig", "TERM", NULL }, { SIGTERM, 0 }, 0, NULL,
	    0 },
	{ { "--parentprocess", "1234", NULL }, { 0 }, 1234, "", 0 },
	{ { "--parentprocess", "4321:dotnet-trace", NULL }, { 0 }, 4321,
	    "dotnet-trace", 0 },
	{ { "--parentprocess=77:a b:c", NULL }, { 0 }, 77, "a b:c", 0 },
	{ { "--parentprocess", "5:", NULL }, { 0 }, 5, "", 0 },
	{ { "--parentprocess", "1:x", "--parentprocess", "2:y", NULL }, { 0 },
	    2, "y", 0 },
	/* The largest pid Linux hands out. */
	{ { "--parentprocess", "4194304", NULL }, { 0 }, 4194304, "", 0 },
	{ { "-i", NULL }, { 0 }, 0, NULL, 1 },
	{ { "android-emu", "--info", NULL }, { 0 }, 0, NULL, 1 },
	/* All at once, as dotnet-trace --dsrouter starts it. */
	{ { "server-server", "-tcps", "127.0.0.1:9071", "--parentprocess",
	    "999:dotnet-trace", "-bsig", "SIGINT", "-i", "-v", "info", NULL },
	    { SIGINT, 0 }, 999, "dotnet-trace", 1 },
};

START_TEST(test_launch)
{
	ck_assert_int_eq(parse(launches[_i].args), 0);
	only_route();
	ck_assert_int_eq(cli.action, CLI_RUN);
	assert_set(&cli.blocked, launches[_i].sigs, launches[_i].args[0] !=
	    NULL ? launches[_i].args[0] : "");
	ck_assert_int_eq(cli.parent, launches[_i].parent);
	if (launches[_i].parent_name == NULL)
		ck_assert_ptr_null(cli.parent_name);
	else
		ck_assert_str_eq(cli.parent_name, launches[_i].parent_name);
	ck_assert_int_eq(cli.info, launches[_i].info);
}
END_TEST

/* Help, of everything or of one verb, both ways round. */
static const struct {
	const char *args[MAX_ARGS];
	const char *verb;         /* NULL: all */
} helps[] = {
	{ { "help", NULL }, NULL },
	{ { "--help", NULL }, NULL },
	{ { "help", "server-client", NULL }, "server-client" },
	{ { "server-client", "--help", NULL }, "server-client" },
	{ { "client-client", "-h", NULL }, "client-client" },
	{ { "--help", "ios-sim", NULL }, "ios-sim" },
	{ { "android-emu", "-?", NULL }, "android-emu" },
	{ { "help", "server-server", "-ipcs", "/tmp/x.sock", NULL },
	    "server-server" },
	/* The presets not supported yet have help too. */
	{ { "help", "android", NULL }, "android" },
	{ { "help", "ios", NULL }, "ios" },
	/* Help wins over what would be refused when running. */
	{ { "server-client", "--help", "-c", "/tmp/x.conf", NULL },
	    "server-client" },
	{ { "help", "server-client", "-tcps", "127.0.0.1:9000", NULL },
	    "server-client" },
};

START_TEST(test_help)
{
	ck_assert_int_eq(parse_kept(helps[_i].args), 0);
	ck_assert_ptr_null(cause);
	ck_assert_int_eq(cli.action, CLI_HELP);
	if (helps[_i].verb == NULL)
		ck_assert_ptr_null(cli.help_verb);
	else
		ck_assert_str_eq(cli.help_verb, helps[_i].verb);
	/* Help builds no route. */
	ck_assert_ptr_null(cli.conf);
}
END_TEST

/* Who may use the tool socket, and the remote-tools consent, in the route. */
START_TEST(test_access_options)
{
	const char *args[] = { "server-server", "-ipcs", "/tmp/c-acc.sock",
	    "-tcps", "127.0.0.1:9072", "--socket-mode", "0660",
	    "--socket-group", "root", "--allow-users", "root,1000",
	    "--allow-groups=0 4242", NULL };
	const char *plain[] = { "server-server", "-ipcs", "/tmp/c-acc.sock",
	    "-tcps", "127.0.0.1:9072", NULL };
	const char *remote[] = { "server-server", "-ipcs", "tcp:0.0.0.0:9073",
	    "-tcps", "127.0.0.1:9074", "--allow-remote-tools", NULL };
	struct route_conf *rc;

	ck_assert_int_eq(parse(args), 0);
	rc = only_route();
	ck_assert_uint_eq(rc->access.mode, 0660);
	ck_assert_int_eq(rc->access.group_set, 1);
	ck_assert_uint_eq(rc->access.group, 0);
	ck_assert_uint_eq(rc->access.nuids, 2);
	ck_assert_uint_eq(rc->access.uids[0], 0);
	ck_assert_uint_eq(rc->access.uids[1], 1000);
	ck_assert_uint_eq(rc->access.ngids, 2);
	ck_assert_uint_eq(rc->access.gids[0], 0);
	ck_assert_uint_eq(rc->access.gids[1], 4242);
	ck_assert_int_eq(rc->allow_remote_tools, 0);

	/* Without them: 0600, its owner's group, no lists. */
	ck_assert_int_eq(parse(plain), 0);
	rc = only_route();
	ck_assert_uint_eq(rc->access.mode, DSR_DEFAULT_SOCKET_MODE);
	ck_assert_uint_eq(rc->access.mode, 0600);
	ck_assert_int_eq(rc->access.group_set, 0);
	ck_assert_uint_eq(rc->access.nuids, 0);
	ck_assert_uint_eq(rc->access.ngids, 0);

	ck_assert_int_eq(parse(remote), 0);
	rc = only_route();
	ck_assert_int_eq(rc->allow_remote_tools, 1);
	ck_assert_int_eq(rc->tool.kind, ADDR_TCP);
}
END_TEST

/* Every route option beside -c is refused, naming the key for the file. */
static const struct {
	const char *opt, *value;  /* value NULL: a flag */
	const char *key;
} route_opts[] = {
	{ "--ipc-server", "/tmp/a.sock", "ipc-server" },
	{ "-ipcs", "/tmp/a.sock", "ipc-server" },
	{ "--ipc-client", "/tmp/a.sock", "ipc-client" },
	{ "--tcp-server", "127.0.0.1:9000", "tcp-server" },
	{ "-tcpc", "127.0.0.1:9000", "tcp-client" },
	{ "--runtime-timeout", "5", "runtime-timeout" },
	{ "-pt", "5", "pair-timeout" },
	{ "--frame-timeout", "5", "frame-timeout" },
	{ "--allow-remote-tools", NULL, "allow-remote-tools" },
	{ "--socket-mode", "0660", "socket-mode" },
	{ "--socket-group", "root", "socket-group" },
	{ "--allow-users", "root", "allow-users" },
	{ "--allow-groups", "root", "allow-groups" },
};

START_TEST(test_config_and_route)
{
	const char *after[] = { "-c", "/tmp/x.conf", route_opts[_i].opt,
	    route_opts[_i].value, NULL };
	const char *before[] = { route_opts[_i].opt, route_opts[_i].value,
	    "--config", "/tmp/x.conf", NULL };
	char want[128];

	if (route_opts[_i].value == NULL) {
		before[1] = "-c";
		before[2] = "/tmp/x.conf";
		before[3] = NULL;
	}
	snprintf(want, sizeof want, "give either -c FILE or a route on the "
	    "command line, not both (%s belongs in the file)",
	    route_opts[_i].key);
	ck_assert_int_eq(parse(after), EX_USAGE);
	ck_assert_str_eq(cause, want);
	ck_assert_ptr_null(cli.conf);
	ck_assert_int_eq(parse(before), EX_USAGE);
	ck_assert_str_eq(cause, want);
}
END_TEST

START_TEST(test_usage_text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	usage_print(f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_nonnull(strstr(buf, "Usage: dsrouterd"));
	ck_assert_ptr_nonnull(strstr(buf, "-ipcs, --ipc-server"));
	ck_assert_ptr_nonnull(strstr(buf, "android-emu"));
	free(buf);
}
END_TEST

/* ---- WebSocket runtime sides: server-websocket, client-websocket, -ws ---- */

#ifdef HAVE_WEBSOCKET
/* Command lines with a browser app's WebSocket, and what the route must be. */
static const struct {
	const char *args[MAX_ARGS];
	const char *name;
	enum route_mode mode;
	const char *tool;         /* NULL: the default tool socket */
	const char *url, *path, *host;
	unsigned port;
	const char *origin0;      /* the first of allow-origins, or NULL */
	size_t norigins;
} ws_routes[] = {
	/* The verbs alone: dotnet-dsrouter's default URL. */
	{ { "server-websocket", NULL }, "server-websocket", MODE_SERVER_SERVER,
	    NULL, "ws://127.0.0.1:8088/diagnostics", "/diagnostics",
	    "127.0.0.1", 8088, NULL, 0 },
	{ { "client-websocket", "-ipcc", "/tmp/c-ws.sock", NULL },
	    "client-websocket", MODE_CLIENT_SERVER, "/tmp/c-ws.sock",
	    "ws://127.0.0.1:8088/diagnostics", "/diagnostics", "127.0.0.1",
	    8088, NULL, 0 },
	/* -ws and --web-socket, every way of giving a value. */
	{ { "server-websocket", "-ipcs", "/tmp/c-ws1.sock", "-ws",
	    "ws://127.0.0.1:9070/app", NULL }, "server-websocket",
	    MODE_SERVER_SERVER, "/tmp/c-ws1.sock", "ws://127.0.0.1:9070/app",
	    "/app", "127.0.0.1", 9070, NULL, 0 },
	{ { "server-websocket", "--web-socket=ws://localhost:9071", NULL },
	    "server-websocket", MODE_SERVER_SERVER, NULL,
	    "ws://localhost:9071", "/", NULL, 9071, NULL, 0 },
	{ { "client-websocket", "-ipcc:/tmp/c-ws2.sock",
	    "--web-socket:http://[::1]:9072/d", NULL }, "client-websocket",
	    MODE_CLIENT_SERVER, "/tmp/c-ws2.sock", "http://[::1]:9072/d", "/d",
	    "::1", 9072, NULL, 0 },
	/* The verbs of the four with -ws in place of -tcps, or no verb. */
	{ { "server-server", "-ipcs", "/tmp/c-ws3.sock", "-ws",
	    "ws://127.0.0.1:9073/x", NULL }, "server-server", MODE_SERVER_SERVER,
	    "/tmp/c-ws3.sock", "ws://127.0.0.1:9073/x", "/x", "127.0.0.1", 9073,
	    NULL, 0 },
	{ { "-ipcc", "/tmp/c-ws4.sock", "-ws", "ws://127.0.0.1:9074/x", NULL },
	    "default", MODE_CLIENT_SERVER, "/tmp/c-ws4.sock",
	    "ws://127.0.0.1:9074/x", "/x", "127.0.0.1", 9074, NULL, 0 },
	{ { "-ws", "ws://127.0.0.1:9075/x", NULL }, "default",
	    MODE_SERVER_SERVER, NULL, "ws://127.0.0.1:9075/x", "/x",
	    "127.0.0.1", 9075, NULL, 0 },
	/* Origins allowed. */
	{ { "server-websocket", "--allow-origins",
	    "http://127.0.0.1:5000, https://app.example", NULL },
	    "server-websocket", MODE_SERVER_SERVER, NULL,
	    "ws://127.0.0.1:8088/diagnostics", "/diagnostics", "127.0.0.1",
	    8088, "http://127.0.0.1:5000", 2 },
	{ { "server-websocket", "--allow-origins=*", "-rt", "5", NULL },
	    "server-websocket", MODE_SERVER_SERVER, NULL,
	    "ws://127.0.0.1:8088/diagnostics", "/diagnostics", "127.0.0.1",
	    8088, "*", 1 },
};

START_TEST(test_ws_route)
{
	struct route_conf *rc;
	size_t n = 0;

	ck_assert_msg(parse(ws_routes[_i].args) == 0, "refused: %s", cause);
	rc = only_route();
	ck_assert_str_eq(rc->name, ws_routes[_i].name);
	ck_assert_int_eq(rc->mode, ws_routes[_i].mode);
	if (ws_routes[_i].tool == NULL)
		assert_default_tool(rc);
	else
		ck_assert_str_eq(rc->tool.path, ws_routes[_i].tool);
	ck_assert_str_eq(rc->ws_url, ws_routes[_i].url);
	ck_assert_str_eq(rc->ws_path, ws_routes[_i].path);
	ck_assert_int_eq(rc->runtime.kind, ADDR_TCP);
	if (ws_routes[_i].host != NULL)
		ck_assert_str_eq(rc->runtime.host, ws_routes[_i].host);
	ck_assert_uint_eq(rc->runtime.port, ws_routes[_i].port);
	if (ws_routes[_i].origin0 == NULL) {
		ck_assert_ptr_null(rc->ws_origins);
	} else {
		ck_assert_str_eq(rc->ws_origins[0], ws_routes[_i].origin0);
		while (rc->ws_origins[n] != NULL)
			n++;
		ck_assert_uint_eq(n, ws_routes[_i].norigins);
	}
}
END_TEST

/* WebSocket command lines that are refused, with one line each. */
static const struct {
	const char *args[MAX_ARGS];
	const char *what;
} ws_refused[] = {
	{ { "server-websocket", "-ws", "wss://127.0.0.1:8088/x", NULL },
	    "--web-socket: wss://127.0.0.1:8088/x: wss:// (TLS) is not supported" },
	{ { "server-websocket", "-ws", "127.0.0.1:8088", NULL },
	    "not a WebSocket URL: write ws://HOST:PORT/PATH" },
	{ { "server-client", "-tcpc", "127.0.0.1:9000", "-ws",
	    "ws://127.0.0.1:8088/x", NULL }, "--web-socket does not go with "
	    "mode server-client: a browser app connects to the router" },
	{ { "client-client", "-ipcc", "/tmp/x.sock", "-ws",
	    "ws://127.0.0.1:8088/x", NULL },
	    "--web-socket does not go with mode client-client" },
	{ { "ios-sim", "-ws", "ws://127.0.0.1:8088/x", NULL },
	    "--web-socket does not go with mode server-client" },
	{ { "server-server", "-tcps", "127.0.0.1:9000", "-ws",
	    "ws://127.0.0.1:8088/x", NULL },
	    "--tcp-server does not go with --web-socket: keep one" },
	{ { "-tcps", "127.0.0.1:9000", "-ws", "ws://127.0.0.1:8088/x", NULL },
	    "has both tcp-server and web-socket; keep one" },
	{ { "server-websocket", "-tcps", "127.0.0.1:9000", NULL },
	    "--tcp-server does not go with mode server-websocket" },
	{ { "client-websocket", NULL }, "mode client-websocket needs "
	    "--ipc-client" },
	{ { "server-websocket", "-ws", "ws://127.0.0.1:8088/x", "-ws",
	    "ws://127.0.0.1:8089/x", NULL }, "option --web-socket given twice" },
	{ { "server-websocket", "--allow-origins", "evil.example", NULL },
	    "--allow-origins: 'evil.example' is not an origin" },
	{ { "server-server", "-tcps", "127.0.0.1:9000", "--allow-origins",
	    "*", NULL }, "--allow-origins goes with a browser app's WebSocket" },
	{ { "server-websocket", "-fp", "Android", NULL },
	    "forward-port does not go with a browser app's WebSocket" },
	{ { "server-websocket", "-ws", NULL }, "option --web-socket needs a value" },
};

START_TEST(test_ws_refused)
{
	ck_assert_int_eq(parse(ws_refused[_i].args), EX_USAGE);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, ws_refused[_i].what) != NULL, "message "
	    "'%s' does not contain '%s'", cause, ws_refused[_i].what);
	ck_assert_ptr_null(strchr(cause, '\n'));
}
END_TEST
#else
/* Built without WebSocket support: -t says so, in one line. */
START_TEST(test_ws_unsupported)
{
	static const char *const args[] = { "server-websocket", "-t", NULL };

	ck_assert_int_eq(parse(args), EX_USAGE);
	ck_assert_ptr_nonnull(strstr(cause, "built without WebSocket support"));
	ck_assert_ptr_nonnull(strstr(cause, "libwslay-dev nettle-dev"));
	ck_assert_ptr_null(strchr(cause, '\n'));
}
END_TEST
#endif

/* The verbs' help, and the options in the whole usage. */
START_TEST(test_ws_help)
{
	static const char *const args[] = { "help", "server-websocket", NULL };
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	ck_assert_int_eq(parse_kept(args), 0);
	ck_assert_int_eq(cli.action, CLI_HELP);
	ck_assert_str_eq(cli.help_verb, "server-websocket");
	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(usage_verb(f, "server-websocket"), 0);
	ck_assert_int_eq(usage_verb(f, "client-websocket"), 0);
	usage_print(f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_ptr_nonnull(strstr(buf, "-ws, --web-socket URL"));
	ck_assert_ptr_nonnull(strstr(buf, "--allow-origins"));
	ck_assert_ptr_nonnull(strstr(buf, "ws://127.0.0.1:8088/diagnostics"));
	ck_assert_ptr_nonnull(strstr(buf, "Usage: dsrouterd client-websocket"));
	free(buf);
}
END_TEST

/* The cli.c suite. */
Suite *
cli_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("cli");

	tc = unit_tcase("routes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_route, 0, NITEMS(routes));
	suite_add_tcase(s, tc);

	tc = unit_tcase("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_refused, 0, NITEMS(refused));
	suite_add_tcase(s, tc);

	tc = unit_tcase("actions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_action, 0, NITEMS(actions));
	tcase_add_loop_test(tc, test_verbose_level, 0, NITEMS(levels));
	tcase_add_loop_test(tc, test_help, 0, NITEMS(helps));
	tcase_add_test(tc, test_usage_text);
	suite_add_tcase(s, tc);

	tc = unit_tcase("launcher");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_signal_names, 0, NITEMS(signals));
	tcase_add_loop_test(tc, test_signal_lists, 0, NITEMS(sig_lists));
	tcase_add_loop_test(tc, test_launch, 0, NITEMS(launches));
	suite_add_tcase(s, tc);

	tc = unit_tcase("access");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_access_options);
	tcase_add_loop_test(tc, test_config_and_route, 0, NITEMS(route_opts));
	suite_add_tcase(s, tc);

	tc = unit_tcase("websocket");
	tcase_add_checked_fixture(tc, setup, teardown);
#ifdef HAVE_WEBSOCKET
	tcase_add_loop_test(tc, test_ws_route, 0, NITEMS(ws_routes));
	tcase_add_loop_test(tc, test_ws_refused, 0, NITEMS(ws_refused));
#else
	tcase_add_test(tc, test_ws_unsupported);
#endif
	tcase_add_test(tc, test_ws_help);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return unit_run(cli_suite());
}
