/* check_conf.c: unit tests for conf.c: the INI configuration and its checks. */
#include "config.h"

#include <netinet/in.h>
#include <arpa/inet.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsrouterd.h"
#include "check_main.h"

#define FILE_NAME "test.conf"

/* Load text that must be valid. */
static struct conf *
load_ok(const char *text)
{
	struct conf *conf = NULL;
	char *cause = NULL;

	ck_assert_msg(conffile_load_string(&conf, text, FILE_NAME, &cause) == 0,
	    "refused: %s\n---\n%s---", cause != NULL ? cause : "(no cause)",
	    text);
	ck_assert_ptr_null(cause);
	ck_assert_ptr_nonnull(conf);
	ck_assert_str_eq(conf->file, FILE_NAME);
	return conf;
}

/*
 * Load text that must be refused with exactly one message, starting with
 * "test.conf:LINE: " and containing what.
 */
static void
load_fails(const char *text, unsigned line, const char *what)
{
	struct conf *conf = NULL;
	char *cause = NULL, prefix[64];

	ck_assert_msg(conffile_load_string(&conf, text, FILE_NAME, &cause) == -1,
	    "accepted:\n---\n%s---", text);
	ck_assert_ptr_null(conf);
	ck_assert_ptr_nonnull(cause);
	snprintf(prefix, sizeof prefix, FILE_NAME ":%u: ", line);
	ck_assert_msg(strncmp(cause, prefix, strlen(prefix)) == 0,
	    "message '%s' does not start with '%s'\n---\n%s---", cause, prefix,
	    text);
	ck_assert_msg(strstr(cause + 1, FILE_NAME ":") == NULL,
	    "more than one message: '%s'", cause);
	ck_assert_msg(strchr(cause, '\n') == NULL, "message on several lines: "
	    "'%s'", cause);
	ck_assert_msg(strstr(cause, what) != NULL, "message '%s' does not "
	    "contain '%s'", cause, what);
	free(cause);
}

/* The route of a configuration with this name. */
static struct route_conf *
route(struct conf *conf, const char *name)
{
	struct route_conf *rc;

	TAILQ_FOREACH(rc, &conf->routes, entry) {
		if (strcmp(rc->name, name) == 0)
			return rc;
	}
	ck_abort_msg("no route '%s'", name);
	return NULL;
}

/* The default tool socket of this process. */
static char *
default_path(void)
{
	char *path, *cause = NULL;

	path = addr_default_tool_path(getpid(), &cause);
	ck_assert_ptr_nonnull(path);
	return path;
}

/* Check an address is TCP host:port. */
static void
assert_tcp(const struct addr *a, const char *host, unsigned port)
{
	ck_assert_int_eq(a->kind, ADDR_TCP);
	if (host == NULL)
		ck_assert_ptr_null(a->host);
	else
		ck_assert_str_eq(a->host, host);
	ck_assert_uint_eq(a->port, port);
}

/* Check an address is a Unix socket path. */
static void
assert_unix(const struct addr *a, const char *path)
{
	ck_assert_int_eq(a->kind, ADDR_UNIX);
	ck_assert_str_eq(a->path, path);
}

static const char valid[] =
    "; dsrouterd test configuration\n"          /* 1 */
    "[dsrouterd]\n"                             /* 2 */
    "log-level = debug\n"                       /* 3 */
    "\n"                                        /* 4 */
    "[route emu]\n"                             /* 5 */
    "mode = android-emu\n"                      /* 6 */
    "\n"                                        /* 7 */
    "[route ss]\n"                              /* 8 */
    "mode = server-server\n"                    /* 9 */
    "ipc-server = /tmp/dsr-t-ss.sock\n"         /* 10 */
    "tcp-server = 127.0.0.1:9100\n"             /* 11 */
    "runtime-timeout = 30\n"                    /* 12 */
    "pair-timeout = 0.5\n"                      /* 13 */
    "frame-timeout = 1.25\n"                    /* 14 */
    "\n"                                        /* 15 */
    "[route sc]\n"                              /* 16 */
    "mode = server-client\n"                    /* 17 */
    "ipc-server = /tmp/dsr-t-sc.sock\n"         /* 18 */
    "tcp-client = 127.0.0.1:9101\n"             /* 19 */
    "# client sides\n"                          /* 20 */
    "[route cs]\n"                              /* 21 */
    "mode = client-server\n"                    /* 22 */
    "ipc-client = /tmp/dsr-t-tool.sock\n"       /* 23 */
    "tcp-server = [::1]:9102\n"                 /* 24 */
    "[route cc]\n"                              /* 25 */
    "mode = client-client\n"                    /* 26 */
    "ipc-client = /tmp/dsr-t-tool2.sock\n"      /* 27 */
    "tcp-client = 127.0.0.1:9103\n"             /* 28 */
    "runtime-timeout = -1\n"                    /* 29 */
    "[route sim]\n"                             /* 30 */
    "mode = ios-sim\n"                          /* 31 */
    "ipc-server = /tmp/dsr-t-sim.sock\n";       /* 32 */

/* Check what the valid configuration above must give. */
static void
check_valid(struct conf *conf)
{
	struct route_conf *rc;
	const char *names[] = { "emu", "ss", "sc", "cs", "cc", "sim" };
	char *def;
	size_t i;

	ck_assert_uint_eq(conf->nroutes, 6);
	ck_assert_int_eq(conf->log_level, LOG_LEVEL_DEBUG);
	/* In file order. */
	i = 0;
	TAILQ_FOREACH(rc, &conf->routes, entry)
		ck_assert_str_eq(rc->name, names[i++]);
	ck_assert_uint_eq(i, 6);

	def = default_path();
	rc = route(conf, "emu");
	ck_assert_int_eq(rc->mode, MODE_SERVER_SERVER);
	ck_assert_str_eq(rc->preset, "android-emu");
	ck_assert_int_eq(rc->tool_default, 1);
	assert_unix(&rc->tool, def);
	assert_tcp(&rc->runtime, "127.0.0.1", 9000);
	ck_assert_uint_eq(rc->line, 5);
	ck_assert_uint_eq(rc->runtime_timeout_ms, 0);
	/* Not given: 0, the defaults (as a runtime is connected or not). */
	ck_assert_uint_eq(rc->pair_timeout_ms, 0);
	ck_assert_uint_eq(rc->frame_timeout_ms, DSR_DEFAULT_FRAME_TIMEOUT_MS);
	free(def);

	rc = route(conf, "ss");
	ck_assert_int_eq(rc->mode, MODE_SERVER_SERVER);
	ck_assert_ptr_null(rc->preset);
	ck_assert_int_eq(rc->tool_default, 0);
	assert_unix(&rc->tool, "/tmp/dsr-t-ss.sock");
	assert_tcp(&rc->runtime, "127.0.0.1", 9100);
	ck_assert_uint_eq(rc->line, 8);
	ck_assert_uint_eq(rc->tool_line, 10);
	ck_assert_uint_eq(rc->runtime_line, 11);
	ck_assert_uint_eq(rc->runtime_timeout_ms, 30000);
	ck_assert_uint_eq(rc->pair_timeout_ms, 500);
	ck_assert_uint_eq(rc->frame_timeout_ms, 1250);

	rc = route(conf, "sc");
	ck_assert_int_eq(rc->mode, MODE_SERVER_CLIENT);
	assert_unix(&rc->tool, "/tmp/dsr-t-sc.sock");
	assert_tcp(&rc->runtime, "127.0.0.1", 9101);
	ck_assert_uint_eq(rc->runtime_line, 19);

	rc = route(conf, "cs");
	ck_assert_int_eq(rc->mode, MODE_CLIENT_SERVER);
	assert_unix(&rc->tool, "/tmp/dsr-t-tool.sock");
	assert_tcp(&rc->runtime, "::1", 9102);
	ck_assert_int_eq(rc->runtime.ss.ss_family, AF_INET6);

	rc = route(conf, "cc");
	ck_assert_int_eq(rc->mode, MODE_CLIENT_CLIENT);
	assert_unix(&rc->tool, "/tmp/dsr-t-tool2.sock");
	assert_tcp(&rc->runtime, "127.0.0.1", 9103);
	ck_assert_uint_eq(rc->runtime_timeout_ms, 0);

	rc = route(conf, "sim");
	ck_assert_int_eq(rc->mode, MODE_SERVER_CLIENT);
	ck_assert_str_eq(rc->preset, "ios-sim");
	assert_unix(&rc->tool, "/tmp/dsr-t-sim.sock");
	assert_tcp(&rc->runtime, "127.0.0.1", 9000);
	ck_assert_uint_eq(rc->line, 30);
	ck_assert_uint_eq(rc->runtime_line, 30);
}

START_TEST(test_valid)
{
	struct conf *conf;

	conf = load_ok(valid);
	check_valid(conf);
	conf_free(conf);
}
END_TEST

START_TEST(test_valid_file)
{
	struct conf *conf = NULL;
	char path[] = "/tmp/dsrouterd-check-conf-XXXXXX", want[128];
	char *cause = NULL;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(valid, 1, sizeof valid - 1, f), sizeof valid - 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_msg(conffile_load(&conf, path, &cause) == 0, "refused: %s", cause);
	ck_assert_str_eq(conf->file, path);
	check_valid(conf);
	conf_free(conf);

	/* Errors name the file as given. */
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("[route a]\nmode = android-emu\nfoo = bar\n", f);
	ck_assert_int_eq(fclose(f), 0);
	conf = NULL;
	ck_assert_int_eq(conffile_load(&conf, path, &cause), -1);
	ck_assert_ptr_null(conf);
	snprintf(want, sizeof want, "%s:3: unknown key 'foo'", path);
	ck_assert_msg(strncmp(cause, want, strlen(want)) == 0, "got '%s'", cause);
	free(cause);
	cause = NULL;

	/* A missing file. */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(conffile_load(&conf, path, &cause), -1);
	ck_assert_ptr_null(conf);
	snprintf(want, sizeof want, "%s: ", path);
	ck_assert_msg(strncmp(cause, want, strlen(want)) == 0, "got '%s'", cause);
	ck_assert_ptr_nonnull(strstr(cause, "No such file"));
	free(cause);
}
END_TEST

START_TEST(test_implied_modes)
{
	struct conf *conf;
	char *def;

	conf = load_ok(
	    "[route a]\n"
	    "ipc-server = /tmp/dsr-t-a.sock\n"
	    "tcp-server = 127.0.0.1:9200\n"
	    "[route b]\n"
	    "tcp-client = 127.0.0.1:9201\n"
	    "[route c]\n"
	    "ipc-client = /tmp/dsr-t-c.sock\n"
	    "tcp-server = *:9202\n"
	    "[route d]\n"
	    "ipc-client = /tmp/dsr-t-d.sock\n"
	    "tcp-client = 127.0.0.1:9203\n");
	ck_assert_uint_eq(conf->nroutes, 4);
	ck_assert_int_eq(conf->log_level, LOG_LEVEL_INFO);
	ck_assert_int_eq(route(conf, "a")->mode, MODE_SERVER_SERVER);
	ck_assert_int_eq(route(conf, "b")->mode, MODE_SERVER_CLIENT);
	ck_assert_int_eq(route(conf, "c")->mode, MODE_CLIENT_SERVER);
	ck_assert_int_eq(route(conf, "d")->mode, MODE_CLIENT_CLIENT);
	ck_assert_ptr_null(route(conf, "a")->preset);
	/* No ipc-server: the tool socket is the default one. */
	def = default_path();
	ck_assert_int_eq(route(conf, "b")->tool_default, 1);
	assert_unix(&route(conf, "b")->tool, def);
	assert_tcp(&route(conf, "c")->runtime, NULL, 9202);
	free(def);
	conf_free(conf);

	/* Only a runtime address that listens: server-server, default tool side. */
	conf = load_ok("[route only]\ntcp-server = 127.0.0.1:9204\n");
	ck_assert_int_eq(route(conf, "only")->mode, MODE_SERVER_SERVER);
	ck_assert_int_eq(route(conf, "only")->tool_default, 1);
	conf_free(conf);
}
END_TEST

START_TEST(test_syntax_variants)
{
	struct conf *conf;

	/* Indentation, inline comments, spacing, CRLF and a BOM. */
	conf = load_ok(
	    "\xef\xbb\xbf; with a BOM\r\n"
	    "[dsrouterd]\r\n"
	    "  log-level=TRACE ; inline comment\r\n"
	    "[ route   x ]\r\n"
	    "    mode = server-server\r\n"
	    "    ipc-server = /tmp/dsr-t-x.sock\r\n"
	    "\ttcp-server   =   127.0.0.1:9210\r\n"
	    "    pair-timeout = 2s\r\n");
	ck_assert_int_eq(conf->log_level, LOG_LEVEL_TRACE);
	ck_assert_int_eq(route(conf, "x")->mode, MODE_SERVER_SERVER);
	assert_unix(&route(conf, "x")->tool, "/tmp/dsr-t-x.sock");
	assert_tcp(&route(conf, "x")->runtime, "127.0.0.1", 9210);
	ck_assert_uint_eq(route(conf, "x")->pair_timeout_ms, 2000);
	ck_assert_uint_eq(route(conf, "x")->runtime_line, 7);
	conf_free(conf);

	/* Routes that connect to the same address do not collide. */
	conf = load_ok(
	    "[route a]\nipc-server = /tmp/dsr-t-1.sock\ntcp-client = 127.0.0.1:9220\n"
	    "[route b]\nipc-server = /tmp/dsr-t-2.sock\ntcp-client = 127.0.0.1:9220\n"
	    "[route c]\nipc-client = /tmp/t.sock\ntcp-client = 127.0.0.1:9220\n"
	    "[route d]\nipc-client = /tmp/t.sock\ntcp-server = 127.0.0.1:9221\n");
	ck_assert_uint_eq(conf->nroutes, 4);
	conf_free(conf);

	/* An empty [dsrouterd] section is fine. */
	conf = load_ok("[dsrouterd]\n[route e]\nmode = android-emu\n");
	ck_assert_uint_eq(conf->nroutes, 1);
	conf_free(conf);
}
END_TEST

START_TEST(test_error_unknown_key)
{
	load_fails("[route a]\nmode = android-emu\nbogus = 1\n", 3,
	    "unknown key 'bogus'");
	load_fails("[route a]\nmode = android-emu\nipc_server = /tmp/x\n", 3,
	    "unknown key 'ipc_server'");
	load_fails("[dsrouterd]\nlog-level = info\nmode = server-server\n", 3,
	    "unknown key 'mode' in [dsrouterd]");
	load_fails("[dsrouterd]\nlog-level = loud\n[route a]\nmode = android-emu\n",
	    2, "log-level: 'loud'");
}
END_TEST

START_TEST(test_error_unknown_section)
{
	load_fails("[route a]\nmode = android-emu\n[routes]\n", 3,
	    "unknown section [routes]");
	load_fails("\n[server]\nmode = android-emu\n", 2,
	    "unknown section [server]");
	load_fails("[route]\nmode = android-emu\n", 1, "unknown section [route]");
	load_fails("[route a b]\nmode = android-emu\n", 1, "one word");
}
END_TEST

START_TEST(test_error_key_outside)
{
	load_fails("mode = android-emu\n", 1, "outside any section");
	load_fails("; comment\n\n# comment\nmode = android-emu\n[route a]\n", 4,
	    "key 'mode' outside any section");
}
END_TEST

START_TEST(test_error_timeouts)
{
	load_fails("[route a]\nmode = android-emu\npair-timeout = fast\n", 3,
	    "pair-timeout: 'fast' is not a time-out");
	load_fails("[route a]\nmode = android-emu\npair-timeout = -1\n", 3,
	    "pair-timeout: '-1'");
	load_fails("[route a]\nmode = android-emu\nframe-timeout = 0\n", 3,
	    "frame-timeout: '0'");
	load_fails("[route a]\nmode = android-emu\n\nruntime-timeout = 1.5.2\n", 4,
	    "runtime-timeout: '1.5.2'");
	load_fails("[route a]\nmode = android-emu\nruntime-timeout =\n", 3,
	    "has no value");
}
END_TEST

START_TEST(test_error_addresses)
{
	load_fails("[route a]\nmode = server-server\ntcp-server = 127.0.0.1:99999\n",
	    3, "tcp-server: '127.0.0.1:99999'");
	load_fails("[route a]\ntcp-server = ::1:9000\n", 2,
	    "tcp-server: '::1:9000'");
	load_fails("[route a]\ntcp-server = 127.0.0.1:9000\nipc-server = unix:\n",
	    3, "ipc-server: 'unix:'");
	load_fails("[route a]\nipc-client = /tmp/t.sock\ntcp-client = *:9000\n", 3,
	    "tcp-client: '*:9000'");
	load_fails("[route a]\nipc-client = /tmp/t.sock\n\ntcp-client = 127.0.0.1:0\n",
	    4, "port 0");
	load_fails("[route a]\ntcp-server = 127.0.0.1:9000\nipc-server = /tmp/"
	    "0123456789012345678901234567890123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789.sock\n", 3, "ipc-server:");
}
END_TEST

START_TEST(test_error_duplicates)
{
	load_fails("[route a]\nmode = android-emu\n\n[route a]\n"
	    "tcp-server = 127.0.0.1:9001\n", 4, "duplicate route name 'a' "
	    "(first at line 1)");
	load_fails("[route a]\nmode = android-emu\n; again\nmode = ios-sim\n", 4,
	    "key 'mode' set twice in [route a] (first at line 2)");
	load_fails("[dsrouterd]\n[route a]\ntcp-server = 127.0.0.1:9000\n"
	    "ipc-server = /tmp/a\ntcp-server = 127.0.0.1:9001\n", 5,
	    "key 'tcp-server' set twice");
}
END_TEST

START_TEST(test_error_same_listen)
{
	/* The second route's key is the one to blame. */
	load_fails(
	    "[route a]\n"
	    "ipc-server = /tmp/dsr-t-1.sock\n"
	    "tcp-server = 127.0.0.1:9300\n"
	    "[route b]\n"
	    "ipc-server = /tmp/dsr-t-2.sock\n"
	    "tcp-server = 127.0.0.1:9300\n", 6,
	    "routes 'a' and 'b' both listen on 127.0.0.1:9300");
	load_fails(
	    "[route a]\n"
	    "ipc-server = /tmp/dsr-t-1.sock\n"
	    "tcp-server = *:9301\n"
	    "[route b]\n"
	    "tcp-server = 127.0.0.1:9301\n"
	    "ipc-server = /tmp/dsr-t-2.sock\n", 5, "both listen on");
	load_fails(
	    "[route a]\n"
	    "ipc-server = /tmp/dsr-t-1.sock\n"
	    "tcp-server = 127.0.0.1:9302\n"
	    "[route b]\n"
	    "ipc-server = /tmp/dsr-t-1.sock\n"
	    "tcp-client = 127.0.0.1:9303\n", 5,
	    "both listen on /tmp/dsr-t-1.sock");
	/* A tool side over TCP against another route's runtime side. */
	load_fails(
	    "[route a]\n"
	    "ipc-server = /tmp/dsr-t-1.sock\n"
	    "tcp-server = 127.0.0.1:9304\n"
	    "[route b]\n"
	    "ipc-server = tcp:127.0.0.1:9304\n"
	    "tcp-client = 127.0.0.1:9305\n", 5, "both listen on");
	/* Both on the default tool socket: the second route's header. */
	load_fails(
	    "[route a]\n"
	    "mode = android-emu\n"
	    "\n"
	    "[route b]\n"
	    "tcp-server = 127.0.0.1:9001\n", 4, "default tool socket");
	/* One route listening twice on one address. */
	load_fails(
	    "[route a]\n"
	    "ipc-server = tcp:127.0.0.1:9306\n"
	    "tcp-server = 127.0.0.1:9306\n", 3, "same address");
}
END_TEST

START_TEST(test_error_missing_sides)
{
	load_fails("[route a]\nipc-server = /tmp/x.sock\n", 1, "no runtime side");
	load_fails("[route a]\nmode = server-server\nipc-server = /tmp/x.sock\n", 1,
	    "needs tcp-server");
	load_fails("[route a]\nmode = server-client\n", 1, "needs tcp-client");
	load_fails("\n[route a]\nmode = client-server\ntcp-server = 127.0.0.1:9500\n",
	    2, "mode client-server needs ipc-client");
	load_fails("[route a]\nmode = client-client\ntcp-client = 127.0.0.1:9500\n",
	    1, "mode client-client needs ipc-client");
	load_fails("[route a]\nmode = client-client\nipc-client = /tmp/t.sock\n", 1,
	    "needs tcp-client");
}
END_TEST

START_TEST(test_error_conflicting_keys)
{
	load_fails("[route a]\nmode = server-server\ntcp-client = 127.0.0.1:9000\n",
	    3, "tcp-client does not go with mode server-server");
	load_fails("[route a]\nmode = client-client\nipc-server = /tmp/x\n"
	    "tcp-client = 127.0.0.1:9000\n", 3,
	    "ipc-server does not go with mode client-client");
	load_fails("[route a]\nmode = android-emu\n\ntcp-client = 127.0.0.1:9000\n",
	    4, "tcp-client does not go with mode server-server");
	load_fails("[route a]\nmode = ios-sim\nipc-client = /tmp/x\n", 3,
	    "ipc-client does not go with mode server-client");
	/* Without a mode, both sides of one end. */
	load_fails("[route a]\nipc-client = /tmp/x\nipc-server = /tmp/y\n"
	    "tcp-server = 127.0.0.1:9000\n", 2, "both ipc-server and ipc-client");
	load_fails("[route a]\ntcp-server = 127.0.0.1:9000\n"
	    "tcp-client = 127.0.0.1:9001\n", 3, "both tcp-server and tcp-client");
}
END_TEST

START_TEST(test_error_modes)
{
	load_fails("[route a]\n\nmode = android\n", 3, "mode 'android' is not yet "
	    "supported");
	load_fails("[route a]\nmode = ios\n", 2, "mode 'ios' is not yet supported");
	load_fails("[route a]\nmode = server_server\n", 2,
	    "unknown mode 'server_server'");
}
END_TEST

START_TEST(test_error_no_routes)
{
	load_fails("", 1, "no [route NAME] section");
	load_fails("\n\n\n", 1, "no [route NAME] section");
	load_fails("; only a comment\n", 1, "no [route NAME] section");
	load_fails("[dsrouterd]\nlog-level = info\n", 1, "no [route NAME] section");
}
END_TEST

START_TEST(test_error_line_numbers)
{
	/* Comments and blank lines count as lines. */
	load_fails(
	    "\n"                          /* 1 */
	    "\n"                          /* 2 */
	    "; comment\n"                 /* 3 */
	    "# comment\n"                 /* 4 */
	    "\n"                          /* 5 */
	    "[route a]\n"                 /* 6 */
	    "\n"                          /* 7 */
	    "; x = y\n"                   /* 8 */
	    "mode = server-server\n"      /* 9 */
	    "   \n"                       /* 10 */
	    "\t\n"                        /* 11 */
	    "bogus = 1\n",                /* 12 */
	    12, "unknown key 'bogus'");
	/* An error in a route found when the next section starts. */
	load_fails(
	    "[route a]\n"                 /* 1 */
	    "mode = client-server\n"      /* 2 */
	    "tcp-server = *:9400\n"       /* 3 */
	    "; [route b] follows\n"       /* 4 */
	    "[route b]\n"                 /* 5 */
	    "mode = android-emu\n",       /* 6 */
	    1, "needs ipc-client");
	/* A syntax error. */
	load_fails("[route a]\nmode = android-emu\nthis is not ini\n", 3,
	    "syntax error");
	/* A section with no keys, not the last one. */
	load_fails("[route a]\n\n[route b]\nmode = android-emu\n", 1,
	    "route 'a' has no runtime side");
	/* ... and the last one. */
	load_fails("[route a]\nmode = android-emu\n\n\n[route empty]\n", 5,
	    "route 'empty' has no runtime side");
}
END_TEST

START_TEST(test_error_long_line)
{
	char text[1024];
	char pad[400];

	memset(pad, 'x', sizeof pad - 1);
	pad[sizeof pad - 1] = '\0';
	/* A long comment: the error is at its line, not a later one. */
	snprintf(text, sizeof text, "[route a]\n;%s\nmode = android-emu\n", pad);
	load_fails(text, 2, "too long");
	/* A long value. */
	snprintf(text, sizeof text, "[route a]\nmode = android-emu\n\n"
	    "ipc-server = /tmp/%s\n", pad);
	load_fails(text, 4, "too long");
}
END_TEST

START_TEST(test_parse_seconds)
{
	unsigned ms;

	ms = 1;
	ck_assert_int_eq(conf_parse_seconds("5", &ms, 0), 0);
	ck_assert_uint_eq(ms, 5000);
	ck_assert_int_eq(conf_parse_seconds("0.5", &ms, 0), 0);
	ck_assert_uint_eq(ms, 500);
	ck_assert_int_eq(conf_parse_seconds("1.25", &ms, 0), 0);
	ck_assert_uint_eq(ms, 1250);
	ck_assert_int_eq(conf_parse_seconds("0.001", &ms, 0), 0);
	ck_assert_uint_eq(ms, 1);
	ck_assert_int_eq(conf_parse_seconds("10s", &ms, 0), 0);
	ck_assert_uint_eq(ms, 10000);
	ck_assert_int_eq(conf_parse_seconds("3600", &ms, 1), 0);
	ck_assert_uint_eq(ms, 3600000);
	/* The largest that fits a millisecond count. */
	ck_assert_int_eq(conf_parse_seconds("4294967", &ms, 0), 0);
	ck_assert_uint_eq(ms, 4294967000u);

	/* -1 and 0 mean "none", for runtime-timeout only. */
	ms = 1;
	ck_assert_int_eq(conf_parse_seconds("-1", &ms, 1), 0);
	ck_assert_uint_eq(ms, 0);
	ms = 1;
	ck_assert_int_eq(conf_parse_seconds("0", &ms, 1), 0);
	ck_assert_uint_eq(ms, 0);
	ck_assert_int_eq(conf_parse_seconds("-1", &ms, 0), -1);
	ck_assert_int_eq(conf_parse_seconds("0", &ms, 0), -1);
	ck_assert_int_eq(conf_parse_seconds("0.0", &ms, 0), -1);
	ck_assert_int_eq(conf_parse_seconds("0.0001", &ms, 0), -1);
}
END_TEST

START_TEST(test_parse_seconds_garbage)
{
	static const char *bad[] = {
		"", " ", "abc", "5x", "5 ", " 5", "+5", "-5", "1.", ".5", "1..2",
		"1.2.3", "1e3", "0x10", "5ms", "5ss", "1,5", "99999999999999999999",
		"31536001", "4294968",
	};
	unsigned ms;
	size_t i;
	int allow;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		for (allow = 0; allow < 2; allow++) {
			ms = 12345;
			ck_assert_msg(conf_parse_seconds(bad[i], &ms, allow) == -1,
			    "'%s' accepted as %u ms", bad[i], ms);
		}
	}
}
END_TEST

START_TEST(test_keys_and_modes)
{
	int k, unsupported;

	for (k = 0; k < KEY_COUNT; k++)
		ck_assert_int_eq(conf_key_lookup(conf_key_name((enum conf_key)k)), k);
	ck_assert_int_eq(conf_key_lookup("ipc-server"), KEY_IPC_SERVER);
	ck_assert_int_eq(conf_key_lookup("bogus"), -1);
	ck_assert_int_eq(conf_mode_known("server-server", &unsupported), 1);
	ck_assert_int_eq(unsupported, 0);
	ck_assert_int_eq(conf_mode_known("android-emu", &unsupported), 1);
	ck_assert_int_eq(unsupported, 0);
	ck_assert_int_eq(conf_mode_known("android", &unsupported), 1);
	ck_assert_int_eq(unsupported, 1);
	ck_assert_int_eq(conf_mode_known("ios", &unsupported), 1);
	ck_assert_int_eq(unsupported, 1);
	ck_assert_int_eq(conf_mode_known("server", &unsupported), 0);
	ck_assert_str_eq(conf_mode_name(MODE_SERVER_SERVER), "server-server");
	ck_assert_str_eq(conf_mode_name(MODE_SERVER_CLIENT), "server-client");
	ck_assert_str_eq(conf_mode_name(MODE_CLIENT_SERVER), "client-server");
	ck_assert_str_eq(conf_mode_name(MODE_CLIENT_CLIENT), "client-client");
}
END_TEST

START_TEST(test_route_equal)
{
	struct conf *a, *b, *c;

	a = load_ok(valid);
	b = load_ok(valid);
	c = load_ok("[route ss]\nmode = server-server\n"
	    "ipc-server = /tmp/dsr-t-ss.sock\ntcp-server = 127.0.0.1:9100\n"
	    "runtime-timeout = 30\npair-timeout = 0.5\nframe-timeout = 2\n");
	ck_assert_int_eq(conf_route_equal(route(a, "ss"), route(b, "ss")), 1);
	ck_assert_int_eq(conf_route_equal(route(a, "emu"), route(b, "emu")), 1);
	ck_assert_int_eq(conf_route_equal(route(a, "ss"), route(b, "sc")), 0);
	ck_assert_int_eq(conf_route_equal(route(a, "ss"), route(c, "ss")), 0);
	conf_free(a);
	conf_free(b);
	conf_free(c);
}
END_TEST

/* The conf.c suite. */
Suite *
conf_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("conf");

	tc = unit_tcase("valid");
	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_valid_file);
	tcase_add_test(tc, test_implied_modes);
	tcase_add_test(tc, test_syntax_variants);
	tcase_add_test(tc, test_route_equal);
	suite_add_tcase(s, tc);

	tc = unit_tcase("errors");
	tcase_add_test(tc, test_error_unknown_key);
	tcase_add_test(tc, test_error_unknown_section);
	tcase_add_test(tc, test_error_key_outside);
	tcase_add_test(tc, test_error_timeouts);
	tcase_add_test(tc, test_error_addresses);
	tcase_add_test(tc, test_error_duplicates);
	tcase_add_test(tc, test_error_same_listen);
	tcase_add_test(tc, test_error_missing_sides);
	tcase_add_test(tc, test_error_conflicting_keys);
	tcase_add_test(tc, test_error_modes);
	tcase_add_test(tc, test_error_no_routes);
	tcase_add_test(tc, test_error_line_numbers);
	tcase_add_test(tc, test_error_long_line);
	suite_add_tcase(s, tc);

	tc = unit_tcase("values");
	tcase_add_test(tc, test_parse_seconds);
	tcase_add_test(tc, test_parse_seconds_garbage);
	tcase_add_test(tc, test_keys_and_modes);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return unit_run(conf_suite());
}
