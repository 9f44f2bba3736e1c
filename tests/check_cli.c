/* check_cli.c: unit tests for cli.c: the dotnet-dsrouter-compatible command line. */
#include "config.h"

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
	/* Presets not supported yet. */
	{ { "android", NULL }, EX_UNAVAILABLE, "adb" },
	{ { "ios", NULL }, EX_UNAVAILABLE, "usbmux" },
	{ { "ios", "-v", "debug", NULL }, 69, "not yet supported" },
	{ { "server-server", "--forward-port", "Android", NULL },
	    EX_UNAVAILABLE, "--forward-port" },
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
	tcase_add_test(tc, test_usage_text);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return unit_run(cli_suite());
}
