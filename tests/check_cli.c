/* check_cli.c: unit tests for cli.c: the dotnet-dsrouter-compatible command line. */
#include "config.h"

#include <stdarg.h>
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
parse(const char *first, ...)
{
	char *argv[MAX_ARGS + 1];
	const char *arg;
	va_list ap;
	int argc = 0, rc, i;

	cli_free(&cli);
	free(cause);
	cause = NULL;
	argv[argc++] = strdup("dsrouterd");
	va_start(ap, first);
	for (arg = first; arg != NULL; arg = va_arg(ap, const char *)) {
		ck_assert_int_lt(argc, MAX_ARGS);
		argv[argc++] = strdup(arg);
	}
	va_end(ap);
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

/* The command line was refused with this code and a message containing what. */
static void
assert_refused(int rc, int code, const char *what)
{
	ck_assert_int_eq(rc, code);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, what) != NULL, "message '%s' does not "
	    "contain '%s'", cause, what);
	ck_assert_ptr_null(strchr(cause, '\n'));
}

START_TEST(test_default_android_emu)
{
	struct route_conf *rc;

	ck_assert_int_eq(parse(NULL), 0);
	ck_assert_int_eq(cli.action, CLI_RUN);
	ck_assert_int_eq(cli.log_level, LOG_LEVEL_INFO);
	ck_assert_int_eq(cli.log_level_set, 0);
	rc = only_route();
	ck_assert_str_eq(rc->name, "android-emu");
	ck_assert_int_eq(rc->mode, MODE_SERVER_SERVER);
	ck_assert_str_eq(rc->preset, "android-emu");
	ck_assert_int_eq(rc->runtime.kind, ADDR_TCP);
	ck_assert_str_eq(rc->runtime.host, "127.0.0.1");
	ck_assert_uint_eq(rc->runtime.port, 9000);
	assert_default_tool(rc);
	ck_assert_uint_eq(rc->runtime_timeout_ms, 0);
	/* Not given: 0, the defaults (as a runtime is connected or not). */
	ck_assert_uint_eq(rc->pair_timeout_ms, 0);
	ck_assert_uint_eq(rc->frame_timeout_ms, DSR_DEFAULT_FRAME_TIMEOUT_MS);

	/* The verb spelled out gives the same. */
	ck_assert_int_eq(parse("android-emu", NULL), 0);
	rc = only_route();
	ck_assert_str_eq(rc->preset, "android-emu");
	ck_assert_uint_eq(rc->runtime.port, 9000);
	assert_default_tool(rc);

	/* Options that are not a route keep the default. */
	ck_assert_int_eq(parse("-v", "debug", "-rt", "10", NULL), 0);
	rc = only_route();
	ck_assert_str_eq(rc->preset, "android-emu");
	ck_assert_uint_eq(rc->runtime_timeout_ms, 10000);
}
END_TEST

START_TEST(test_ios_sim)
{
	struct route_conf *rc;

	ck_assert_int_eq(parse("ios-sim", NULL), 0);
	rc = only_route();
	ck_assert_str_eq(rc->name, "ios-sim");
	ck_assert_int_eq(rc->mode, MODE_SERVER_CLIENT);
	ck_assert_str_eq(rc->preset, "ios-sim");
	ck_assert_int_eq(rc->runtime.kind, ADDR_TCP);
	ck_assert_str_eq(rc->runtime.host, "127.0.0.1");
	ck_assert_uint_eq(rc->runtime.port, 9000);
	assert_default_tool(rc);

	/* A preset's address can be overridden. */
	ck_assert_int_eq(parse("ios-sim", "-tcpc", "127.0.0.1:9005", NULL), 0);
	rc = only_route();
	ck_assert_uint_eq(rc->runtime.port, 9005);
	ck_assert_int_eq(parse("android-emu", "--tcp-server", "*:9006", NULL), 0);
	rc = only_route();
	ck_assert_ptr_null(rc->runtime.host);
	ck_assert_uint_eq(rc->runtime.port, 9006);
}
END_TEST

START_TEST(test_verbs)
{
	struct route_conf *rc;

	ck_assert_int_eq(parse("server-server", "--ipc-server", "/tmp/c-ss.sock",
	    "--tcp-server", "127.0.0.1:9010", NULL), 0);
	rc = only_route();
	ck_assert_str_eq(rc->name, "server-server");
	ck_assert_int_eq(rc->mode, MODE_SERVER_SERVER);
	ck_assert_ptr_null(rc->preset);
	ck_assert_int_eq(rc->tool_default, 0);
	ck_assert_str_eq(rc->tool.path, "/tmp/c-ss.sock");
	ck_assert_uint_eq(rc->runtime.port, 9010);

	ck_assert_int_eq(parse("server-client", "--ipc-server", "/tmp/c-sc.sock",
	    "--tcp-client", "127.0.0.1:9011", NULL), 0);
	rc = only_route();
	ck_assert_int_eq(rc->mode, MODE_SERVER_CLIENT);
	ck_assert_str_eq(rc->tool.path, "/tmp/c-sc.sock");
	ck_assert_uint_eq(rc->runtime.port, 9011);

	ck_assert_int_eq(parse("client-server", "--ipc-client", "/tmp/c-tool.sock",
	    "--tcp-server", "127.0.0.1:9012", NULL), 0);
	rc = only_route();
	ck_assert_int_eq(rc->mode, MODE_CLIENT_SERVER);
	ck_assert_str_eq(rc->tool.path, "/tmp/c-tool.sock");
	ck_assert_uint_eq(rc->runtime.port, 9012);

	ck_assert_int_eq(parse("client-client", "--ipc-client", "/tmp/c-tool.sock",
	    "--tcp-client", "[::1]:9013", NULL), 0);
	rc = only_route();
	ck_assert_int_eq(rc->mode, MODE_CLIENT_CLIENT);
	ck_assert_str_eq(rc->runtime.host, "::1");
	ck_assert_uint_eq(rc->runtime.port, 9013);

	/* server-server with only a TCP side uses the default tool socket. */
	ck_assert_int_eq(parse("server-server", "--tcp-server", "127.0.0.1:9014",
	    NULL), 0);
	assert_default_tool(only_route());
}
END_TEST

START_TEST(test_short_aliases)
{
	struct route_conf *rc;

	ck_assert_int_eq(parse("server-server", "-ipcs", "/tmp/c-a.sock", "-tcps",
	    "127.0.0.1:9020", "-rt", "30", "-v", "trace", NULL), 0);
	rc = only_route();
	ck_assert_int_eq(rc->mode, MODE_SERVER_SERVER);
	ck_assert_str_eq(rc->tool.path, "/tmp/c-a.sock");
	ck_assert_uint_eq(rc->runtime.port, 9020);
	ck_assert_uint_eq(rc->runtime_timeout_ms, 30000);
	ck_assert_int_eq(cli.log_level, LOG_LEVEL_TRACE);
	ck_assert_int_eq(cli.log_level_set, 1);
	ck_assert_int_eq(cli.conf->log_level, LOG_LEVEL_TRACE);

	ck_assert_int_eq(parse("client-client", "-ipcc", "/tmp/c-b.sock", "-tcpc",
	    "127.0.0.1:9021", "-pt", "0.25", "-ft", "3", NULL), 0);
	rc = only_route();
	ck_assert_int_eq(rc->mode, MODE_CLIENT_CLIENT);
	ck_assert_str_eq(rc->tool.path, "/tmp/c-b.sock");
	ck_assert_uint_eq(rc->runtime.port, 9021);
	ck_assert_uint_eq(rc->pair_timeout_ms, 250);
	ck_assert_uint_eq(rc->frame_timeout_ms, 3000);

	/* Options may come before the verb. */
	ck_assert_int_eq(parse("-tcps", "127.0.0.1:9022", "server-server", NULL), 0);
	ck_assert_uint_eq(only_route()->runtime.port, 9022);
}
END_TEST

START_TEST(test_value_forms)
{
	struct route_conf *rc;

	ck_assert_int_eq(parse("server-server", "--ipc-server=/tmp/c-eq.sock",
	    "--tcp-server=127.0.0.1:9030", "--runtime-timeout=-1", NULL), 0);
	rc = only_route();
	ck_assert_str_eq(rc->tool.path, "/tmp/c-eq.sock");
	ck_assert_str_eq(rc->runtime.host, "127.0.0.1");
	ck_assert_uint_eq(rc->runtime.port, 9030);
	ck_assert_uint_eq(rc->runtime_timeout_ms, 0);

	/* ':' splits at the first colon: the address keeps its own. */
	ck_assert_int_eq(parse("server-server", "--ipc-server:/tmp/c-colon.sock",
	    "--tcp-server:127.0.0.1:9031", "--runtime-timeout:1.5",
	    "--verbose:debug", NULL), 0);
	rc = only_route();
	ck_assert_str_eq(rc->tool.path, "/tmp/c-colon.sock");
	ck_assert_str_eq(rc->runtime.host, "127.0.0.1");
	ck_assert_uint_eq(rc->runtime.port, 9031);
	ck_assert_uint_eq(rc->runtime_timeout_ms, 1500);
	ck_assert_int_eq(cli.log_level, LOG_LEVEL_DEBUG);

	ck_assert_int_eq(parse("client-server", "-ipcc=/tmp/c-t.sock",
	    "-tcps:[::1]:9032", "-v=warning", NULL), 0);
	rc = only_route();
	ck_assert_str_eq(rc->tool.path, "/tmp/c-t.sock");
	ck_assert_str_eq(rc->runtime.host, "::1");
	ck_assert_uint_eq(rc->runtime.port, 9032);
	ck_assert_int_eq(cli.log_level, LOG_LEVEL_WARN);

	/* A value may start with '-'. */
	ck_assert_int_eq(parse("android-emu", "-rt", "-1", NULL), 0);
	ck_assert_uint_eq(only_route()->runtime_timeout_ms, 0);
}
END_TEST

START_TEST(test_implied_mode)
{
	struct route_conf *rc;

	/* No verb, only endpoints: the mode follows from them. */
	ck_assert_int_eq(parse("-ipcs", "/tmp/c-i.sock", "-tcpc", "127.0.0.1:9040",
	    NULL), 0);
	rc = only_route();
	ck_assert_int_eq(rc->mode, MODE_SERVER_CLIENT);
	ck_assert_ptr_null(rc->preset);
	ck_assert_str_eq(rc->tool.path, "/tmp/c-i.sock");
	ck_assert_int_eq(parse("-ipcc", "/tmp/c-i.sock", "-tcps", "127.0.0.1:9041",
	    NULL), 0);
	ck_assert_int_eq(only_route()->mode, MODE_CLIENT_SERVER);
}
END_TEST

START_TEST(test_unsupported_presets)
{
	assert_refused(parse("android", NULL), EX_UNAVAILABLE, "adb");
	ck_assert_ptr_null(cli.conf);
	assert_refused(parse("ios", NULL), EX_UNAVAILABLE, "usbmux");
	ck_assert_ptr_null(cli.conf);
	assert_refused(parse("ios", "-v", "debug", NULL), 69, "not yet supported");
	assert_refused(parse("server-server", "--forward-port", "Android", NULL),
	    EX_UNAVAILABLE, "--forward-port");
}
END_TEST

START_TEST(test_usage_errors)
{
	assert_refused(parse("server-servr", NULL), EX_USAGE,
	    "unknown verb 'server-servr'");
	assert_refused(parse("-", NULL), EX_USAGE, "unknown verb '-'");
	assert_refused(parse("server-server", "client-client", NULL), EX_USAGE,
	    "unexpected argument 'client-client'");
	assert_refused(parse("--bogus", NULL), EX_USAGE,
	    "unknown option '--bogus'");
	assert_refused(parse("server-server", "-x", NULL), EX_USAGE,
	    "unknown option '-x'");
	/* An option name only matches whole. */
	assert_refused(parse("--ipc-serverx", "/tmp/a", NULL), EX_USAGE,
	    "unknown option '--ipc-serverx'");
	assert_refused(parse("-ipc", "/tmp/a", NULL), EX_USAGE,
	    "unknown option '-ipc'");
	assert_refused(parse("-ipcsx", NULL), EX_USAGE, "unknown option");
	/* Options without a value take none in any form. */
	assert_refused(parse("--test-config=yes", NULL), EX_USAGE,
	    "unknown option");
	assert_refused(parse("server-server", "-ipcs", "/tmp/a", "-ipcs", "/tmp/b",
	    NULL), EX_USAGE, "given twice");
}
END_TEST

START_TEST(test_missing_value)
{
	assert_refused(parse("server-server", "-ipcs", NULL), EX_USAGE,
	    "--ipc-server needs a value");
	assert_refused(parse("server-server", "--tcp-server", NULL), EX_USAGE,
	    "--tcp-server needs a value");
	assert_refused(parse("-v", NULL), EX_USAGE, "--verbose needs a value");
	assert_refused(parse("-c", NULL), EX_USAGE, "--config needs a value");
	assert_refused(parse("android-emu", "-rt", NULL), EX_USAGE,
	    "--runtime-timeout needs a value");
}
END_TEST

START_TEST(test_bad_route)
{
	/* A route that cannot work is refused, named by its options. */
	assert_refused(parse("server-server", "-tcpc", "127.0.0.1:9000", NULL),
	    EX_USAGE, "--tcp-client does not go with mode server-server");
	assert_refused(parse("client-server", "-tcps", "127.0.0.1:9000", NULL),
	    EX_USAGE, "needs --ipc-client");
	assert_refused(parse("server-client", NULL), EX_USAGE, "--tcp-client");
	assert_refused(parse("server-server", "-tcps", "127.0.0.1:99999", NULL),
	    EX_USAGE, "--tcp-server: '127.0.0.1:99999'");
	assert_refused(parse("android-emu", "-rt", "soon", NULL), EX_USAGE,
	    "--runtime-timeout: 'soon'");
	assert_refused(parse("android-emu", "-pt", "0", NULL), EX_USAGE,
	    "--pair-timeout: '0'");
	/* No file:line in command-line messages. */
	ck_assert_ptr_null(strstr(cause, ":0:"));
}
END_TEST

START_TEST(test_config)
{
	ck_assert_int_eq(parse("-c", "/etc/dsrouterd.conf", NULL), 0);
	ck_assert_int_eq(cli.action, CLI_RUN);
	ck_assert_str_eq(cli.config, "/etc/dsrouterd.conf");
	ck_assert_ptr_null(cli.conf);
	ck_assert_ptr_null(cause);

	ck_assert_int_eq(parse("--config=/tmp/x.conf", "-t", NULL), 0);
	ck_assert_int_eq(cli.action, CLI_TEST);
	ck_assert_str_eq(cli.config, "/tmp/x.conf");
	ck_assert_ptr_null(cli.conf);

	ck_assert_int_eq(parse("-t", "--config", "/tmp/y.conf", "-v", "error",
	    NULL), 0);
	ck_assert_int_eq(cli.action, CLI_TEST);
	ck_assert_str_eq(cli.config, "/tmp/y.conf");
	ck_assert_int_eq(cli.log_level, LOG_LEVEL_ERR);
	ck_assert_int_eq(cli.log_level_set, 1);

	/* Either a file or a route on the command line. */
	assert_refused(parse("-c", "/tmp/x.conf", "server-server", NULL),
	    EX_USAGE, "not both");
	assert_refused(parse("android-emu", "-c", "/tmp/x.conf", NULL),
	    EX_USAGE, "not both");
	assert_refused(parse("-c", "/tmp/x.conf", "-ipcs", "/tmp/a.sock", NULL),
	    EX_USAGE, "not both");
	assert_refused(parse("-tcps", "127.0.0.1:9000", "-c", "/tmp/x.conf", NULL),
	    EX_USAGE, "not both");
	/* Time-outs alone are not a route, but still not both. */
	ck_assert_int_eq(parse("-c", "/tmp/x.conf", "-v", "info", NULL), 0);
}
END_TEST

START_TEST(test_test_flag)
{
	ck_assert_int_eq(parse("-t", NULL), 0);
	ck_assert_int_eq(cli.action, CLI_TEST);
	ck_assert_str_eq(only_route()->preset, "android-emu");

	ck_assert_int_eq(parse("server-server", "-tcps", "127.0.0.1:9050",
	    "--test-config", NULL), 0);
	ck_assert_int_eq(cli.action, CLI_TEST);
	ck_assert_uint_eq(only_route()->runtime.port, 9050);
}
END_TEST

START_TEST(test_help_version)
{
	ck_assert_int_eq(parse("--help", NULL), 0);
	ck_assert_int_eq(cli.action, CLI_HELP);
	ck_assert_ptr_null(cause);
	ck_assert_int_eq(parse("-h", NULL), 0);
	ck_assert_int_eq(cli.action, CLI_HELP);
	ck_assert_int_eq(parse("-?", NULL), 0);
	ck_assert_int_eq(cli.action, CLI_HELP);
	ck_assert_int_eq(parse("server-server", "--help", NULL), 0);
	ck_assert_int_eq(cli.action, CLI_HELP);
	ck_assert_int_eq(parse("--version", NULL), 0);
	ck_assert_int_eq(cli.action, CLI_VERSION);
	ck_assert_int_eq(parse("-V", NULL), 0);
	ck_assert_int_eq(cli.action, CLI_VERSION);
	/* -V is the version, -v the level: case matters. */
	assert_refused(parse("-v", "-V", NULL), EX_USAGE, "'-V'");
}
END_TEST

START_TEST(test_verbose_levels)
{
	static const struct {
		const char *name;
		enum log_level level;
	} levels[] = {
		{ "none", LOG_LEVEL_NONE }, { "critical", LOG_LEVEL_CRIT }, { "error", LOG_LEVEL_ERR },
		{ "warning", LOG_LEVEL_WARN }, { "info", LOG_LEVEL_INFO }, { "debug", LOG_LEVEL_DEBUG },
		{ "trace", LOG_LEVEL_TRACE }, { "Debug", LOG_LEVEL_DEBUG },
		{ "TRACE", LOG_LEVEL_TRACE }, { "Warning", LOG_LEVEL_WARN },
	};
	size_t i;

	for (i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		ck_assert_int_eq(parse("-v", levels[i].name, NULL), 0);
		ck_assert_int_eq(cli.log_level, levels[i].level);
		ck_assert_int_eq(cli.log_level_set, 1);
		ck_assert_int_eq(cli.conf->log_level, levels[i].level);
		ck_assert_int_eq(parse("--verbose", levels[i].name, NULL), 0);
		ck_assert_int_eq(cli.log_level, levels[i].level);
	}
	assert_refused(parse("-v", "loud", NULL), EX_USAGE, "'loud'");
	assert_refused(parse("--verbose=", NULL), EX_USAGE, "--verbose");
	assert_refused(parse("-v", "5", NULL), EX_USAGE, "none, critical");
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
	tcase_add_test(tc, test_default_android_emu);
	tcase_add_test(tc, test_ios_sim);
	tcase_add_test(tc, test_verbs);
	tcase_add_test(tc, test_short_aliases);
	tcase_add_test(tc, test_value_forms);
	tcase_add_test(tc, test_implied_mode);
	suite_add_tcase(s, tc);

	tc = unit_tcase("errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_unsupported_presets);
	tcase_add_test(tc, test_usage_errors);
	tcase_add_test(tc, test_missing_value);
	tcase_add_test(tc, test_bad_route);
	suite_add_tcase(s, tc);

	tc = unit_tcase("actions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_config);
	tcase_add_test(tc, test_test_flag);
	tcase_add_test(tc, test_help_version);
	tcase_add_test(tc, test_verbose_levels);
	tcase_add_test(tc, test_usage_text);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return unit_run(cli_suite());
}
