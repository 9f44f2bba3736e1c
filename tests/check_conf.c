/* SPDX-License-Identifier: MIT */
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

/* A pair time-out not given is 0: the defaults (runtime there or not). */
#define PT 0
#define FT DSR_DEFAULT_FRAME_TIMEOUT_MS

/* What the routes of the valid configuration above must be, in file order. */
static const struct {
	const char *name;
	enum route_mode mode;
	const char *preset;       /* NULL: none */
	const char *tool;         /* NULL: the default tool socket */
	const char *host;
	unsigned port;
	unsigned line, tool_line, runtime_line;
	unsigned runtime_ms, pair_ms, frame_ms;
} valid_routes[] = {
	{ "emu", MODE_SERVER_SERVER, "android-emu", NULL, "127.0.0.1", 9000,
	    5, 5, 5, 0, PT, FT },
	{ "ss", MODE_SERVER_SERVER, NULL, "/tmp/dsr-t-ss.sock", "127.0.0.1",
	    9100, 8, 10, 11, 30000, 500, 1250 },
	{ "sc", MODE_SERVER_CLIENT, NULL, "/tmp/dsr-t-sc.sock", "127.0.0.1",
	    9101, 16, 18, 19, 0, PT, FT },
	{ "cs", MODE_CLIENT_SERVER, NULL, "/tmp/dsr-t-tool.sock", "::1", 9102,
	    21, 23, 24, 0, PT, FT },
	{ "cc", MODE_CLIENT_CLIENT, NULL, "/tmp/dsr-t-tool2.sock", "127.0.0.1",
	    9103, 25, 27, 28, 0, PT, FT },
	{ "sim", MODE_SERVER_CLIENT, "ios-sim", "/tmp/dsr-t-sim.sock",
	    "127.0.0.1", 9000, 30, 32, 30, 0, PT, FT },
};

/* Check what the valid configuration above must give. */
static void
check_valid(struct conf *conf)
{
	struct route_conf *rc;
	char *def;
	size_t i = 0;

	ck_assert_uint_eq(conf->nroutes, NITEMS(valid_routes));
	ck_assert_int_eq(conf->log_level, LOG_LEVEL_DEBUG);
	def = default_path();
	TAILQ_FOREACH(rc, &conf->routes, entry) {
		ck_assert_uint_lt(i, NITEMS(valid_routes));
		ck_assert_str_eq(rc->name, valid_routes[i].name);
		ck_assert_int_eq(rc->mode, valid_routes[i].mode);
		if (valid_routes[i].preset == NULL)
			ck_assert_ptr_null(rc->preset);
		else
			ck_assert_str_eq(rc->preset, valid_routes[i].preset);
		ck_assert_int_eq(rc->tool_default,
		    valid_routes[i].tool == NULL);
		assert_unix(&rc->tool, valid_routes[i].tool != NULL ?
		    valid_routes[i].tool : def);
		assert_tcp(&rc->runtime, valid_routes[i].host,
		    valid_routes[i].port);
		ck_assert_uint_eq(rc->line, valid_routes[i].line);
		ck_assert_uint_eq(rc->tool_line, valid_routes[i].tool_line);
		ck_assert_uint_eq(rc->runtime_line,
		    valid_routes[i].runtime_line);
		ck_assert_uint_eq(rc->runtime_timeout_ms,
		    valid_routes[i].runtime_ms);
		ck_assert_uint_eq(rc->pair_timeout_ms, valid_routes[i].pair_ms);
		ck_assert_uint_eq(rc->frame_timeout_ms,
		    valid_routes[i].frame_ms);
		i++;
	}
	ck_assert_uint_eq(i, NITEMS(valid_routes));
	ck_assert_int_eq(route(conf, "cs")->runtime.ss.ss_family, AF_INET6);
	free(def);
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

/*
 * Files that are refused: the line the one message must name, and words
 * it must hold.
 */
static const struct {
	const char *text;
	unsigned line;
	const char *what;
} load_bad[] = {
	/* Unknown keys. */
	{ "[route a]\nmode = android-emu\nbogus = 1\n", 3,
	    "unknown key 'bogus'" },
	{ "[route a]\nmode = android-emu\nipc_server = /tmp/x\n", 3,
	    "unknown key 'ipc_server'" },
	{ "[dsrouterd]\nlog-level = info\nmode = server-server\n", 3,
	    "unknown key 'mode' in [dsrouterd]" },
	{ "[dsrouterd]\nlog-level = loud\n[route a]\nmode = android-emu\n", 2,
	    "log-level: 'loud'" },

	/* Unknown sections. */
	{ "[route a]\nmode = android-emu\n[routes]\n", 3,
	    "unknown section [routes]" },
	{ "\n[server]\nmode = android-emu\n", 2, "unknown section [server]" },
	{ "[route]\nmode = android-emu\n", 1, "unknown section [route]" },
	{ "[route a b]\nmode = android-emu\n", 1, "one word" },

	/* A key outside any section. */
	{ "mode = android-emu\n", 1, "outside any section" },
	{ "; comment\n\n# comment\nmode = android-emu\n[route a]\n", 4,
	    "key 'mode' outside any section" },

	/* Time-outs. */
	{ "[route a]\nmode = android-emu\npair-timeout = fast\n", 3,
	    "pair-timeout: 'fast' is not a time-out" },
	{ "[route a]\nmode = android-emu\npair-timeout = -1\n", 3,
	    "pair-timeout: '-1'" },
	{ "[route a]\nmode = android-emu\nframe-timeout = 0\n", 3,
	    "frame-timeout: '0'" },
	{ "[route a]\nmode = android-emu\n\nruntime-timeout = 1.5.2\n", 4,
	    "runtime-timeout: '1.5.2'" },
	{ "[route a]\nmode = android-emu\nruntime-timeout =\n", 3,
	    "has no value" },

	/* Addresses. */
	{ "[route a]\nmode = server-server\ntcp-server = 127.0.0.1:99999\n", 3,
	    "tcp-server: '127.0.0.1:99999'" },
	{ "[route a]\ntcp-server = ::1:9000\n", 2, "tcp-server: '::1:9000'" },
	{ "[route a]\ntcp-server = 127.0.0.1:9000\nipc-server = unix:\n", 3,
	    "ipc-server: 'unix:'" },
	{ "[route a]\nipc-client = /tmp/t.sock\ntcp-client = *:9000\n", 3,
	    "tcp-client: '*:9000'" },
	{ "[route a]\nipc-client = /tmp/t.sock\n\n"
	    "tcp-client = 127.0.0.1:0\n", 4, "port 0" },
	{ "[route a]\ntcp-server = 127.0.0.1:9000\nipc-server = /tmp/"
	    "0123456789012345678901234567890123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789.sock\n", 3,
	    "ipc-server:" },

	/* Duplicates. */
	{ "[route a]\nmode = android-emu\n\n[route a]\n"
	    "tcp-server = 127.0.0.1:9001\n", 4,
	    "duplicate route name 'a' (first at line 1)" },
	{ "[route a]\nmode = android-emu\n; again\nmode = ios-sim\n", 4,
	    "key 'mode' set twice in [route a] (first at line 2)" },
	{ "[dsrouterd]\n[route a]\ntcp-server = 127.0.0.1:9000\n"
	    "ipc-server = /tmp/a\ntcp-server = 127.0.0.1:9001\n", 5,
	    "key 'tcp-server' set twice" },

	/* Two routes listening on one address: the second route's key is
	 * the one to blame. */
	{ "[route a]\n"
	    "ipc-server = /tmp/dsr-t-1.sock\n"
	    "tcp-server = 127.0.0.1:9300\n"
	    "[route b]\n"
	    "ipc-server = /tmp/dsr-t-2.sock\n"
	    "tcp-server = 127.0.0.1:9300\n", 6,
	    "routes 'a' and 'b' both listen on 127.0.0.1:9300" },
	{ "[route a]\n"
	    "ipc-server = /tmp/dsr-t-1.sock\n"
	    "tcp-server = *:9301\n"
	    "[route b]\n"
	    "tcp-server = 127.0.0.1:9301\n"
	    "ipc-server = /tmp/dsr-t-2.sock\n", 5, "both listen on" },
	{ "[route a]\n"
	    "ipc-server = /tmp/dsr-t-1.sock\n"
	    "tcp-server = 127.0.0.1:9302\n"
	    "[route b]\n"
	    "ipc-server = /tmp/dsr-t-1.sock\n"
	    "tcp-client = 127.0.0.1:9303\n", 5,
	    "both listen on /tmp/dsr-t-1.sock" },
	/* A tool side over TCP against another route's runtime side. */
	{ "[route a]\n"
	    "ipc-server = /tmp/dsr-t-1.sock\n"
	    "tcp-server = 127.0.0.1:9304\n"
	    "[route b]\n"
	    "ipc-server = tcp:127.0.0.1:9304\n"
	    "tcp-client = 127.0.0.1:9305\n", 5, "both listen on" },
	/* Both on the default tool socket: the second route's header. */
	{ "[route a]\n"
	    "mode = android-emu\n"
	    "\n"
	    "[route b]\n"
	    "tcp-server = 127.0.0.1:9001\n", 4, "default tool socket" },
	/* One route listening twice on one address. */
	{ "[route a]\n"
	    "ipc-server = tcp:127.0.0.1:9306\n"
	    "tcp-server = 127.0.0.1:9306\n", 3, "same address" },

	/* A side missing. */
	{ "[route a]\nipc-server = /tmp/x.sock\n", 1, "no runtime side" },
	{ "[route a]\nmode = server-server\nipc-server = /tmp/x.sock\n", 1,
	    "needs tcp-server" },
	{ "[route a]\nmode = server-client\n", 1, "needs tcp-client" },
	{ "\n[route a]\nmode = client-server\ntcp-server = 127.0.0.1:9500\n", 2,
	    "mode client-server needs ipc-client" },
	{ "[route a]\nmode = client-client\ntcp-client = 127.0.0.1:9500\n", 1,
	    "mode client-client needs ipc-client" },
	{ "[route a]\nmode = client-client\nipc-client = /tmp/t.sock\n", 1,
	    "needs tcp-client" },

	/* Keys that do not go together. */
	{ "[route a]\nmode = server-server\ntcp-client = 127.0.0.1:9000\n", 3,
	    "tcp-client does not go with mode server-server" },
	{ "[route a]\nmode = client-client\nipc-server = /tmp/x\n"
	    "tcp-client = 127.0.0.1:9000\n", 3,
	    "ipc-server does not go with mode client-client" },
	{ "[route a]\nmode = android-emu\n\ntcp-client = 127.0.0.1:9000\n", 4,
	    "tcp-client does not go with mode server-server" },
	{ "[route a]\nmode = ios-sim\nipc-client = /tmp/x\n", 3,
	    "ipc-client does not go with mode server-client" },
	/* Without a mode, both sides of one end. */
	{ "[route a]\nipc-client = /tmp/x\nipc-server = /tmp/y\n"
	    "tcp-server = 127.0.0.1:9000\n", 2,
	    "both ipc-server and ipc-client" },
	{ "[route a]\ntcp-server = 127.0.0.1:9000\n"
	    "tcp-client = 127.0.0.1:9001\n", 3,
	    "both tcp-server and tcp-client" },

	/* Modes. */
	{ "[route a]\n\nmode = android\nforward-port = sideways\n", 4,
	    "forward-port: 'sideways' is not Android, iOS or none" },
	{ "[route a]\nmode = ios\nadb = /usr/bin/adb\n", 3,
	    "adb goes with Android forwarding, not iOS" },
	{ "[route a]\nmode = server_server\n", 2,
	    "unknown mode 'server_server'" },

	/* No routes. */
	{ "", 1, "no [route NAME] section" },
	{ "\n\n\n", 1, "no [route NAME] section" },
	{ "; only a comment\n", 1, "no [route NAME] section" },
	{ "[dsrouterd]\nlog-level = info\n", 1, "no [route NAME] section" },

	/* Comments and blank lines count as lines. */
	{ "\n"                          /* 1 */
	    "\n"                        /* 2 */
	    "; comment\n"               /* 3 */
	    "# comment\n"               /* 4 */
	    "\n"                        /* 5 */
	    "[route a]\n"               /* 6 */
	    "\n"                        /* 7 */
	    "; x = y\n"                 /* 8 */
	    "mode = server-server\n"    /* 9 */
	    "   \n"                     /* 10 */
	    "\t\n"                      /* 11 */
	    "bogus = 1\n",              /* 12 */
	    12, "unknown key 'bogus'" },
	/* An error in a route found when the next section starts. */
	{ "[route a]\n"                 /* 1 */
	    "mode = client-server\n"    /* 2 */
	    "tcp-server = *:9400\n"     /* 3 */
	    "; [route b] follows\n"     /* 4 */
	    "[route b]\n"               /* 5 */
	    "mode = android-emu\n",     /* 6 */
	    1, "needs ipc-client" },
	/* A syntax error. */
	{ "[route a]\nmode = android-emu\nthis is not ini\n", 3,
	    "syntax error" },
	/* Who may use the tool socket. */
	{ "[route a]\nipc-server = /tmp/a.sock\ntcp-server = 127.0.0.1:9000\n"
	    "socket-mode = 0777\n", 4, "test.conf:4: socket-mode: '0777' is "
	    "not a socket mode from 0600 to 0666 (octal, e.g. 0660)" },
	{ "[route a]\nipc-server = /tmp/a.sock\ntcp-server = 127.0.0.1:9000\n"
	    "socket-mode = 660 ; octal\nsocket-mode = 0o660\n", 5,
	    "key 'socket-mode' set twice" },
	{ "[route a]\nipc-server = /tmp/a.sock\ntcp-server = 127.0.0.1:9000\n"
	    "\nsocket-mode = 0x1b0\n", 5,
	    "socket-mode: '0x1b0' is not a socket mode" },
	{ "[route a]\nipc-server = /tmp/a.sock\ntcp-server = 127.0.0.1:9000\n"
	    "socket-group = dsr-no-such-group\n", 4, "test.conf:4: "
	    "socket-group: no group 'dsr-no-such-group' on this system" },
	{ "[route a]\nipc-server = /tmp/a.sock\nallow-users = root, "
	    "dsr-no-such-user\ntcp-server = 127.0.0.1:9000\n", 3,
	    "test.conf:3: allow-users: no user 'dsr-no-such-user' on this "
	    "system" },
	{ "[route a]\nipc-server = /tmp/a.sock\ntcp-server = 127.0.0.1:9000\n"
	    "allow-groups = root dsr-no-such-group\n", 4, "test.conf:4: "
	    "allow-groups: no group 'dsr-no-such-group' on this system" },
	{ "[route a]\nipc-server = /tmp/a.sock\ntcp-server = 127.0.0.1:9000\n"
	    "allow-users = ,\n", 4,
	    "test.conf:4: allow-users: an empty list of users" },
	{ "[route a]\nipc-server = /tmp/a.sock\ntcp-server = 127.0.0.1:9000\n"
	    "allow-remote-tools = maybe\n", 4,
	    "test.conf:4: allow-remote-tools: 'maybe' is not yes or no" },
	{ "[route a]\nipc-server = /tmp/a.sock\ntcp-server = 127.0.0.1:9000\n"
	    "allow-remote-tools = Yes\n", 4, "'Yes' is not yes or no" },
	/* Access keys need a Unix socket the route makes: at the key's line. */
	{ "[route a]\nmode = client-server\nipc-client = /tmp/t.sock\n"
	    "tcp-server = 127.0.0.1:9000\nallow-users = root\n", 5,
	    "test.conf:5: allow-users needs a tool socket the route creates "
	    "(ipc-server on a Unix path), not /tmp/t.sock" },
	{ "[route a]\nipc-client = /tmp/t.sock\ntcp-client = 127.0.0.1:9000\n"
	    "socket-mode = 0660\n", 4, "not /tmp/t.sock" },
	{ "[route a]\nipc-server = tcp:127.0.0.1:9001\n"
	    "tcp-server = 127.0.0.1:9000\nsocket-group = root\n", 4,
	    "socket-group needs a tool socket the route creates (ipc-server on "
	    "a Unix path), not tcp:127.0.0.1:9001" },
	{ "[route a]\nipc-server = tcp:127.0.0.1:9001\n"
	    "tcp-server = 127.0.0.1:9000\nallow-groups = 0\n", 4,
	    "not tcp:127.0.0.1:9001" },
	/* ... also beside a default of [dsrouterd] for the same key. */
	{ "[dsrouterd]\nsocket-mode = 0660\n[route a]\nmode = client-server\n"
	    "ipc-client = /tmp/t.sock\ntcp-server = 127.0.0.1:9000\n"
	    "allow-users = root\n", 7, "needs a tool socket the route creates" },
	/* Tools off loopback only when asked for, at the ipc-server line. */
	{ "[route a]\ntcp-server = 127.0.0.1:9000\n"
	    "ipc-server = tcp:0.0.0.0:9001\n", 3, "test.conf:3: tools would "
	    "connect to tcp:0.0.0.0:9001 from the network, unauthenticated and "
	    "unencrypted, and could dump the runtime's memory or attach a "
	    "profiler; listen on 127.0.0.1 or a Unix socket, or set "
	    "allow-remote-tools = yes if that is really wanted" },
	{ "[route a]\ntcp-server = 127.0.0.1:9000\n"
	    "ipc-server = tcp:*:9001\n", 3,
	    "tools would connect to tcp:*:9001" },
	{ "[route a]\ntcp-client = 127.0.0.1:9000\n"
	    "ipc-server = tcp:[::]:9001\n", 3, "from the network" },
	{ "[route a]\ntcp-server = 127.0.0.1:9000\n"
	    "ipc-server = tcp:192.0.2.1:9001\n", 3, "from the network" },
	{ "[route a]\ntcp-server = 127.0.0.1:9000\n"
	    "ipc-server = tcp:0.0.0.0:9001\nallow-remote-tools = no\n", 3,
	    "from the network" },
	/* [dsrouterd]: an error in a default names its line there. */
	{ "[dsrouterd]\npair-timeout = fast\n[route a]\n"
	    "mode = android-emu\n", 2, "test.conf:2: pair-timeout: 'fast' is "
	    "not a time-out in seconds" },
	{ "[dsrouterd]\nlog-level = info\nsocket-mode = 0700\n[route a]\n"
	    "mode = android-emu\n", 3, "test.conf:3: socket-mode: '0700' is "
	    "not a socket mode from 0600 to 0666" },
	{ "[dsrouterd]\nallow-users = dsr-no-such-user\n\n[route a]\n"
	    "mode = android-emu\n", 2, "test.conf:2: allow-users: no user "
	    "'dsr-no-such-user' on this system" },
	{ "[dsrouterd]\nallow-remote-tools = perhaps\n[route a]\n"
	    "mode = android-emu\n", 2, "allow-remote-tools: 'perhaps'" },
	/* ... found with the route that takes it, not the first only. */
	{ "[dsrouterd]\nsocket-group = dsr-no-such-group\n"
	    "[route a]\nmode = client-server\nipc-client = /tmp/t.sock\n"
	    "tcp-server = 127.0.0.1:9000\n"
	    "[route b]\nmode = android-emu\n", 2,
	    "socket-group: no group 'dsr-no-such-group'" },
	/* A route's ends are its own: no defaults for them. */
	{ "[dsrouterd]\nipc-server = /tmp/a.sock\n[route a]\n"
	    "mode = android-emu\n", 2,
	    "unknown key 'ipc-server' in [dsrouterd]" },
	{ "[dsrouterd]\ntcp-client = 127.0.0.1:9000\n", 2,
	    "unknown key 'tcp-client' in [dsrouterd]" },
	{ "[dsrouterd]\nbogus = 1\n", 2, "unknown key 'bogus' in [dsrouterd] "
	    "(known: log-level" },

	/* A section with no keys, not the last one... */
	{ "[route a]\n\n[route b]\nmode = android-emu\n", 1,
	    "route 'a' has no runtime side" },
	/* ... and the last one. */
	{ "[route a]\nmode = android-emu\n\n\n[route empty]\n", 5,
	    "route 'empty' has no runtime side" },
};

START_TEST(test_load_bad)
{
	load_fails(load_bad[_i].text, load_bad[_i].line, load_bad[_i].what);
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

/* Time-outs in seconds, with or without "none" (-1, 0) allowed. */
static const struct {
	const char *text;
	int allow_none;
	int rc;
	unsigned ms;
} seconds[] = {
	{ "5", 0, 0, 5000 },
	{ "0.5", 0, 0, 500 },
	{ "1.25", 0, 0, 1250 },
	{ "0.001", 0, 0, 1 },
	{ "10s", 0, 0, 10000 },
	{ "3600", 1, 0, 3600000 },
	/* The largest that fits a millisecond count. */
	{ "4294967", 0, 0, 4294967000u },
	/* -1 and 0 mean "none", for runtime-timeout only. */
	{ "-1", 1, 0, 0 },
	{ "0", 1, 0, 0 },
	{ "-1", 0, -1, 0 },
	{ "0", 0, -1, 0 },
	{ "0.0", 0, -1, 0 },
	{ "0.0001", 0, -1, 0 },
};

START_TEST(test_parse_seconds)
{
	unsigned ms = 12345;

	ck_assert_int_eq(conf_parse_seconds(seconds[_i].text, &ms,
	    seconds[_i].allow_none), seconds[_i].rc);
	if (seconds[_i].rc == 0)
		ck_assert_uint_eq(ms, seconds[_i].ms);
}
END_TEST

/* What is not a time-out at all, "none" allowed or not. */
static const char *const garbage[] = {
	"", " ", "abc", "5x", "5 ", " 5", "+5", "-5", "1.", ".5", "1..2",
	"1.2.3", "1e3", "0x10", "5ms", "5ss", "1,5", "99999999999999999999",
	"31536001", "4294968",
};

START_TEST(test_parse_seconds_garbage)
{
	unsigned ms;
	int allow;

	for (allow = 0; allow < 2; allow++) {
		ms = 12345;
		ck_assert_msg(conf_parse_seconds(garbage[_i], &ms, allow) == -1,
		    "'%s' accepted as %u ms", garbage[_i], ms);
	}
}
END_TEST

START_TEST(test_keys_and_modes)
{
	static const struct {
		const char *name;
		int known;
	} modes[] = {
		{ "server-server", 1 },
		{ "android-emu", 1 },
		{ "android", 1 },
		{ "ios", 1 },
		{ "server-websocket", 1 },
		{ "client-websocket", 1 },
		{ "server-websockets", 0 },
		{ "server", 0 },
	};
	int i, k;

	for (k = 0; k < KEY_COUNT; k++)
		ck_assert_int_eq(conf_key_lookup(conf_key_name((enum conf_key)k)), k);
	ck_assert_int_eq(conf_key_lookup("ipc-server"), KEY_IPC_SERVER);
	ck_assert_int_eq(conf_key_lookup("bogus"), -1);
	for (i = 0; i < NITEMS(modes); i++)
		ck_assert_int_eq(conf_mode_known(modes[i].name), modes[i].known);
	ck_assert_str_eq(conf_mode_name(MODE_SERVER_SERVER), "server-server");
	ck_assert_str_eq(conf_mode_name(MODE_SERVER_CLIENT), "server-client");
	ck_assert_str_eq(conf_mode_name(MODE_CLIENT_SERVER), "client-server");
	ck_assert_str_eq(conf_mode_name(MODE_CLIENT_CLIENT), "client-client");
}
END_TEST

/* Who may use the tool socket, as a route sets it. */
START_TEST(test_access_keys)
{
	struct conf *conf;
	struct route_conf *rc;

	conf = load_ok(
	    "[route a]\n"
	    "ipc-server = /tmp/dsr-t-acc.sock\n"
	    "tcp-server = 127.0.0.1:9600\n"
	    "socket-mode = 0660\n"
	    "socket-group = root\n"
	    "allow-users = root, 1000\n"
	    "allow-groups = 0 4242\n"
	    "[route b]\n"
	    "ipc-server = /tmp/dsr-t-acc2.sock\n"
	    "tcp-server = 127.0.0.1:9601\n"
	    "socket-group = 1234\n"
	    "socket-mode = 640\n");
	rc = route(conf, "a");
	ck_assert_uint_eq(rc->access.mode, 0660);
	ck_assert_int_eq(rc->access.group_set, 1);
	ck_assert_uint_eq(rc->access.group, 0);
	ck_assert_uint_eq(rc->access.nuids, 2);
	ck_assert_uint_eq(rc->access.uids[0], 0);
	ck_assert_uint_eq(rc->access.uids[1], 1000);
	ck_assert_uint_eq(rc->access.ngids, 2);
	ck_assert_uint_eq(rc->access.gids[0], 0);
	ck_assert_uint_eq(rc->access.gids[1], 4242);
	rc = route(conf, "b");
	ck_assert_uint_eq(rc->access.mode, 0640);
	ck_assert_int_eq(rc->access.group_set, 1);
	ck_assert_uint_eq(rc->access.group, 1234);
	ck_assert_uint_eq(rc->access.nuids, 0);
	ck_assert_ptr_null(rc->access.uids);
	ck_assert_uint_eq(rc->access.ngids, 0);
	conf_free(conf);

	/* None given: 0600, the owner's group, nobody listed. */
	conf = load_ok("[route a]\nmode = android-emu\n"
	    "[route c]\nipc-client = /tmp/t.sock\ntcp-server = *:9602\n");
	rc = route(conf, "a");
	ck_assert_uint_eq(rc->access.mode, 0600);
	ck_assert_int_eq(rc->access.group_set, 0);
	ck_assert_uint_eq(rc->access.nuids, 0);
	ck_assert_uint_eq(rc->access.ngids, 0);
	ck_assert_int_eq(rc->allow_remote_tools, 0);
	/* A route with no socket of its own has the same defaults. */
	rc = route(conf, "c");
	ck_assert_uint_eq(rc->access.mode, 0600);
	ck_assert_int_eq(rc->access.group_set, 0);
	conf_free(conf);
}
END_TEST

/* allow-remote-tools: its values, and what it allows. */
static const struct {
	const char *value;        /* NULL: not set */
	const char *tool;         /* the tool side */
	int ok;
	int allow;
} remote[] = {
	{ "yes", "tcp:0.0.0.0:9610", 1, 1 },
	{ "true", "tcp:0.0.0.0:9610", 1, 1 },
	{ "1", "tcp:*:9610", 1, 1 },
	{ "no", "tcp:0.0.0.0:9610", 0, 0 },
	{ "false", "tcp:0.0.0.0:9610", 0, 0 },
	{ "0", "tcp:[::]:9610", 0, 0 },
	{ NULL, "tcp:0.0.0.0:9610", 0, 0 },
	/* Loopback and Unix sockets need no consent. */
	{ NULL, "tcp:127.0.0.1:9610", 1, 0 },
	{ NULL, "tcp:127.9.8.7:9610", 1, 0 },
	{ NULL, "tcp:[::1]:9610", 1, 0 },
	{ NULL, "tcp:localhost:9610", 1, 0 },
	{ NULL, "/tmp/dsr-t-remote.sock", 1, 0 },
	{ "no", "tcp:127.0.0.1:9610", 1, 0 },
	{ "yes", "/tmp/dsr-t-remote.sock", 1, 1 },
};

START_TEST(test_remote_tools)
{
	char text[512];
	struct conf *conf;

	/* Only a tool listener needs it: connecting out is always fine. */
	if (strchr(remote[_i].tool, '*') == NULL) {
		snprintf(text, sizeof text, "[route r]\nipc-client = %s\n"
		    "tcp-server = 127.0.0.1:9611\n", remote[_i].tool);
		conf = load_ok(text);
		conf_free(conf);
	}
	snprintf(text, sizeof text, "[route r]\nipc-server = %s\n"
	    "tcp-server = 127.0.0.1:9611\n%s%s%s", remote[_i].tool,
	    remote[_i].value != NULL ? "allow-remote-tools = " : "",
	    remote[_i].value != NULL ? remote[_i].value : "",
	    remote[_i].value != NULL ? "\n" : "");
	if (!remote[_i].ok) {
		load_fails(text, 2, "from the network");
		return;
	}
	conf = load_ok(text);
	ck_assert_int_eq(route(conf, "r")->allow_remote_tools,
	    remote[_i].allow);
	conf_free(conf);
}
END_TEST

/*
 * [dsrouterd] gives defaults to every route; a route's own value wins;
 * access defaults go only to routes that make their own Unix socket.
 */
START_TEST(test_defaults)
{
	struct conf *conf;
	struct route_conf *rc;

	conf = load_ok(
	    "[dsrouterd]\n"                            /* 1 */
	    "runtime-timeout = 10\n"                   /* 2 */
	    "pair-timeout = 0.5\n"                     /* 3 */
	    "frame-timeout = 1\n"                      /* 4 */
	    "socket-mode = 0660\n"                     /* 5 */
	    "socket-group = root\n"                    /* 6 */
	    "allow-users = root\n"                     /* 7 */
	    "allow-groups = 0\n"                       /* 8 */
	    "allow-remote-tools = yes\n"               /* 9 */
	    "[route a]\n"                              /* 10 */
	    "ipc-server = /tmp/dsr-t-def-a.sock\n"     /* 11 */
	    "tcp-server = 127.0.0.1:9620\n"            /* 12 */
	    "[route b]\n"                              /* 13 */
	    "ipc-server = tcp:0.0.0.0:9621\n"          /* 14 */
	    "tcp-server = 127.0.0.1:9622\n"            /* 15 */
	    "pair-timeout = 2\n"                       /* 16 */
	    "runtime-timeout = none\n"                 /* 17 */
	    "[route c]\n"                              /* 18 */
	    "ipc-client = /tmp/dsr-t-def-c.sock\n"     /* 19 */
	    "tcp-client = 127.0.0.1:9623\n"            /* 20 */
	    "[route d]\n"                              /* 21 */
	    "ipc-server = /tmp/dsr-t-def-d.sock\n"     /* 22 */
	    "tcp-server = 127.0.0.1:9624\n"            /* 23 */
	    "socket-mode = 0600\n"                     /* 24 */
	    "allow-users = 1000\n");                   /* 25 */
	rc = route(conf, "a");
	ck_assert_uint_eq(rc->runtime_timeout_ms, 10000);
	ck_assert_uint_eq(rc->pair_timeout_ms, 500);
	ck_assert_uint_eq(rc->frame_timeout_ms, 1000);
	ck_assert_uint_eq(rc->access.mode, 0660);
	ck_assert_int_eq(rc->access.group_set, 1);
	ck_assert_uint_eq(rc->access.group, 0);
	ck_assert_uint_eq(rc->access.nuids, 1);
	ck_assert_uint_eq(rc->access.uids[0], 0);
	ck_assert_uint_eq(rc->access.ngids, 1);
	ck_assert_int_eq(rc->allow_remote_tools, 1);
	/* Its own values win; the rest still come from [dsrouterd]. */
	rc = route(conf, "b");
	ck_assert_uint_eq(rc->pair_timeout_ms, 2000);
	ck_assert_uint_eq(rc->runtime_timeout_ms, 0);
	ck_assert_uint_eq(rc->frame_timeout_ms, 1000);
	ck_assert_int_eq(rc->allow_remote_tools, 1);
	/* A TCP tool listener: the access defaults are not for it. */
	ck_assert_uint_eq(rc->access.mode, 0600);
	ck_assert_int_eq(rc->access.group_set, 0);
	ck_assert_uint_eq(rc->access.nuids, 0);
	ck_assert_uint_eq(rc->access.ngids, 0);
	/* A route that connects to the tool: time-outs only. */
	rc = route(conf, "c");
	ck_assert_uint_eq(rc->runtime_timeout_ms, 10000);
	ck_assert_uint_eq(rc->pair_timeout_ms, 500);
	ck_assert_uint_eq(rc->access.mode, 0600);
	ck_assert_int_eq(rc->access.group_set, 0);
	ck_assert_uint_eq(rc->access.nuids, 0);
	ck_assert_uint_eq(rc->access.ngids, 0);
	/* Access keys of its own replace the defaults, one by one. */
	rc = route(conf, "d");
	ck_assert_uint_eq(rc->access.mode, 0600);
	ck_assert_int_eq(rc->access.group_set, 1);
	ck_assert_uint_eq(rc->access.nuids, 1);
	ck_assert_uint_eq(rc->access.uids[0], 1000);
	ck_assert_uint_eq(rc->access.ngids, 1);
	ck_assert_uint_eq(rc->access.gids[0], 0);
	conf_free(conf);

	/* No [dsrouterd] time-outs: a pair time-out not given is 0. */
	conf = load_ok("[dsrouterd]\nlog-level = info\n"
	    "[route a]\nmode = android-emu\n");
	rc = route(conf, "a");
	ck_assert_uint_eq(rc->pair_timeout_ms, 0);
	ck_assert_uint_eq(rc->runtime_timeout_ms, 0);
	ck_assert_uint_eq(rc->frame_timeout_ms, DSR_DEFAULT_FRAME_TIMEOUT_MS);
	conf_free(conf);

	/* [dsrouterd] may come after the routes, and still gives defaults. */
	conf = load_ok("[route a]\nmode = android-emu\n"
	    "[dsrouterd]\npair-timeout = 3\n");
	ck_assert_uint_eq(route(conf, "a")->pair_timeout_ms, 3000);
	conf_free(conf);
}
END_TEST

/* Pairs of routes: whether their ends are the same, and all of them. */
static const struct {
	const char *a, *b;
	int same_ends, equal;
} ends[] = {
	{ "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n",
	    "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n", 1, 1 },
	{ "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n",
	    "tcp-server = 127.0.0.1:9630\nipc-server = /tmp/e.sock\n", 1, 1 },
	/* What a running route changes in place. */
	{ "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n",
	    "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n"
	    "pair-timeout = 1\n", 1, 0 },
	{ "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n"
	    "frame-timeout = 1\n",
	    "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n"
	    "frame-timeout = 2\n", 1, 0 },
	{ "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n",
	    "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n"
	    "runtime-timeout = 5\n", 1, 0 },
	{ "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n",
	    "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n"
	    "allow-users = 0\n", 1, 0 },
	{ "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n"
	    "allow-groups = 0\n",
	    "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n"
	    "allow-groups = 0,1\n", 1, 0 },
	/* What takes a new route. */
	{ "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n",
	    "ipc-server = /tmp/f.sock\ntcp-server = 127.0.0.1:9630\n", 0, 0 },
	{ "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n",
	    "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9631\n", 0, 0 },
	{ "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n",
	    "ipc-server = /tmp/e.sock\ntcp-client = 127.0.0.1:9630\n", 0, 0 },
	{ "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n",
	    "ipc-client = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n", 0, 0 },
	{ "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n",
	    "tcp-server = 127.0.0.1:9630\n", 0, 0 },
	{ "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n",
	    "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n"
	    "socket-mode = 0660\n", 0, 0 },
	{ "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n"
	    "socket-mode = 0640\n",
	    "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n"
	    "socket-mode = 0660\n", 0, 0 },
	{ "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n",
	    "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n"
	    "socket-group = 0\n", 0, 0 },
	{ "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n"
	    "socket-group = 0\n",
	    "ipc-server = /tmp/e.sock\ntcp-server = 127.0.0.1:9630\n"
	    "socket-group = 1\n", 0, 0 },
};

START_TEST(test_same_ends)
{
	struct conf *a, *b;
	char text[512];
	const struct route_conf *ra, *rb;

	snprintf(text, sizeof text, "[route e]\n%s", ends[_i].a);
	a = load_ok(text);
	snprintf(text, sizeof text, "[route e]\n%s", ends[_i].b);
	b = load_ok(text);
	ra = TAILQ_FIRST(&a->routes);
	rb = TAILQ_FIRST(&b->routes);
	ck_assert_int_eq(conf_route_same_ends(ra, rb), ends[_i].same_ends);
	ck_assert_int_eq(conf_route_same_ends(rb, ra), ends[_i].same_ends);
	ck_assert_int_eq(conf_route_equal(ra, rb), ends[_i].equal);
	ck_assert_int_eq(conf_route_equal(rb, ra), ends[_i].equal);
	ck_assert_int_eq(conf_route_same_ends(ra, ra), 1);
	ck_assert_int_eq(conf_route_equal(rb, rb), 1);
	conf_free(a);
	conf_free(b);
	/* Another name is never the same route. */
	snprintf(text, sizeof text, "[route f]\n%s", ends[_i].a);
	b = load_ok(text);
	snprintf(text, sizeof text, "[route e]\n%s", ends[_i].a);
	a = load_ok(text);
	ck_assert_int_eq(conf_route_same_ends(TAILQ_FIRST(&a->routes),
	    TAILQ_FIRST(&b->routes)), 0);
	conf_free(a);
	conf_free(b);
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

/* ---- WebSocket runtime sides (browser apps) ------------------------------ */

#ifdef HAVE_WEBSOCKET
/* Routes whose runtime side is a WebSocket, every way of writing one. */
static const char ws_valid[] =
    "[dsrouterd]\n"                                        /* 1 */
    "allow-origins = http://app.example:8080\n"            /* 2 */
    "[route verb]\n"                                       /* 3 */
    "mode = server-websocket\n"                            /* 4 */
    "ipc-server = /tmp/dsr-t-ws1.sock\n"                   /* 5 */
    "[route key]\n"                                        /* 6 */
    "mode = server-server\n"                               /* 7 */
    "ipc-server = /tmp/dsr-t-ws2.sock\n"                   /* 8 */
    "web-socket = ws://127.0.0.1:9301/dbg/app1\n"          /* 9 */
    "allow-origins = localhost, https://Site.example/ ,*\n" /* 10 */
    "[route implied]\n"                                    /* 11 */
    "ipc-server = /tmp/dsr-t-ws3.sock\n"                   /* 12 */
    "web-socket = http://[::1]:9302\n"                     /* 13 */
    "[route client]\n"                                     /* 14 */
    "mode = client-websocket\n"                            /* 15 */
    "ipc-client = /tmp/dsr-t-ws4.sock\n"                   /* 16 */
    "web-socket = ws://127.0.0.1:9303/diagnostics\n"       /* 17 */
    "runtimes = many\n"                                    /* 18 */
    "[route tcp]\n"                                        /* 19 */
    "ipc-server = /tmp/dsr-t-ws5.sock\n"                   /* 20 */
    "tcp-server = 127.0.0.1:9304\n";                       /* 21 */

START_TEST(test_ws_valid)
{
	struct conf *conf;
	struct route_conf *rc;

	conf = load_ok(ws_valid);
	ck_assert_uint_eq(conf->nroutes, 5);

	rc = route(conf, "verb");
	ck_assert_int_eq(rc->mode, MODE_SERVER_SERVER);
	ck_assert_str_eq(conf_route_mode_name(rc), "server-websocket");
	ck_assert_str_eq(rc->ws_url, "ws://127.0.0.1:8088/diagnostics");
	ck_assert_str_eq(rc->ws_path, "/diagnostics");
	assert_tcp(&rc->runtime, "127.0.0.1", 8088);
	ck_assert_uint_eq(rc->runtime_line, 3);
	ck_assert_ptr_nonnull(rc->ws_origins);  /* [dsrouterd]'s default */
	ck_assert_str_eq(rc->ws_origins[0], "http://app.example:8080");
	ck_assert_ptr_null(rc->ws_origins[1]);

	rc = route(conf, "key");
	ck_assert_str_eq(conf_route_mode_name(rc), "server-websocket");
	ck_assert_str_eq(rc->ws_path, "/dbg/app1");
	assert_tcp(&rc->runtime, "127.0.0.1", 9301);
	ck_assert_uint_eq(rc->runtime_line, 9);
	ck_assert_str_eq(rc->ws_origins[0], "localhost");
	ck_assert_str_eq(rc->ws_origins[1], "https://Site.example/");
	ck_assert_str_eq(rc->ws_origins[2], "*");
	ck_assert_ptr_null(rc->ws_origins[3]);

	rc = route(conf, "implied");
	ck_assert_int_eq(rc->mode, MODE_SERVER_SERVER);
	ck_assert_str_eq(rc->ws_path, "/");
	assert_tcp(&rc->runtime, "::1", 9302);
	ck_assert_str_eq(rc->ws_url, "http://[::1]:9302");

	rc = route(conf, "client");
	ck_assert_int_eq(rc->mode, MODE_CLIENT_SERVER);
	ck_assert_str_eq(conf_route_mode_name(rc), "client-websocket");
	ck_assert_int_eq(rc->many, 1);
	assert_tcp(&rc->runtime, "127.0.0.1", 9303);

	/* A TCP route takes no origins, not even [dsrouterd]'s. */
	rc = route(conf, "tcp");
	ck_assert_ptr_null(rc->ws_url);
	ck_assert_ptr_null(rc->ws_path);
	ck_assert_ptr_null(rc->ws_origins);
	ck_assert_str_eq(conf_route_mode_name(rc), "server-server");
	conf_free(conf);

	/* Without allow-origins: NULL, the localhost rule. */
	conf = load_ok("[route a]\nmode = server-websocket\n");
	ck_assert_ptr_null(TAILQ_FIRST(&conf->routes)->ws_origins);
	conf_free(conf);
}
END_TEST

/* WebSocket routes refused: the line named, and what the message says. */
static const struct {
	const char *text;
	unsigned line;
	const char *what;
} ws_bad[] = {
	{ "[route a]\nmode = server-client\ntcp-client = 127.0.0.1:9000\n"
	    "web-socket = ws://127.0.0.1:8088/x\n", 4, "web-socket does not go "
	    "with mode server-client: a browser app connects to the router" },
	{ "[route a]\nmode = client-client\nipc-client = /tmp/t.sock\n"
	    "web-socket = ws://127.0.0.1:8088/x\n", 4,
	    "web-socket does not go with mode client-client" },
	{ "[route a]\nmode = ios-sim\nweb-socket = ws://127.0.0.1:8088/x\n", 3,
	    "web-socket does not go with mode server-client" },
	{ "[route a]\nmode = android-emu\n\nweb-socket = ws://127.0.0.1:8088/x\n",
	    4, "web-socket does not go with mode server-server" },
	/* Implied modes: both runtime sides. */
	{ "[route a]\nweb-socket = ws://127.0.0.1:8088/x\n"
	    "tcp-server = 127.0.0.1:9000\n", 3, "route 'a' has both tcp-server "
	    "and web-socket; keep one" },
	{ "[route a]\ntcp-client = 127.0.0.1:9000\n\n"
	    "web-socket = ws://127.0.0.1:8088/x\n", 4,
	    "route 'a' has both tcp-client and web-socket" },
	/* Given modes: tcp-server beside it, or in place of it. */
	{ "[route a]\nmode = server-server\nweb-socket = ws://127.0.0.1:8088/x\n"
	    "tcp-server = 127.0.0.1:9000\n", 4,
	    "tcp-server does not go with web-socket: keep one" },
	{ "[route a]\nmode = server-websocket\ntcp-server = 127.0.0.1:9000\n", 3,
	    "tcp-server does not go with mode server-websocket (it takes "
	    "ipc-server and web-socket)" },
	{ "[route a]\nmode = client-websocket\nipc-client = /tmp/t.sock\n"
	    "tcp-client = 127.0.0.1:9000\n", 4,
	    "tcp-client does not go with mode client-websocket" },
	{ "[route a]\nmode = client-websocket\n", 1, "route 'a': mode "
	    "client-websocket needs ipc-client" },
	{ "[route a]\nmode = server-server\nipc-server = /tmp/x.sock\n", 1,
	    "needs tcp-server or web-socket" },
	/* The URL. */
	{ "[route a]\nmode = server-websocket\n"
	    "web-socket = wss://127.0.0.1:8088/x\n", 3,
	    "web-socket: wss://127.0.0.1:8088/x: wss:// (TLS) is not supported" },
	{ "[route a]\nweb-socket = tcp://127.0.0.1:8088\n", 2,
	    "web-socket: tcp://127.0.0.1:8088: not a WebSocket URL" },
	{ "[route a]\nweb-socket = ws://127.0.0.1:99999/x\n", 2,
	    "web-socket: ws://127.0.0.1:99999/x: bad port" },
	{ "[route a]\nweb-socket = ws://127.0.0.1:8088/x?y=1\n", 2,
	    "a query or fragment is not supported" },
	{ "[route a]\nweb-socket = ws://no-such-host.invalid:8088/x\n", 2,
	    "web-socket: " },
	/* allow-origins. */
	{ "[route a]\nipc-server = /tmp/x.sock\ntcp-server = 127.0.0.1:9000\n"
	    "allow-origins = localhost\n", 4, "allow-origins goes with a "
	    "browser app's WebSocket" },
	{ "[route a]\nmode = server-websocket\n"
	    "allow-origins = localhost, ftp://x\n", 3,
	    "allow-origins: 'ftp://x' is not an origin" },
	{ "[route a]\nmode = server-websocket\n"
	    "allow-origins = http://a.example/page\n", 3,
	    "'http://a.example/page' is not an origin" },
	{ "[route a]\nmode = server-websocket\nallow-origins = http://\n", 3,
	    "'http://' is not an origin" },
	{ "[route a]\nmode = server-websocket\nallow-origins = , ,\n", 3,
	    "allow-origins: no origin given" },
	/* No forwarding to a device. */
	{ "[route a]\nmode = server-websocket\nforward-port = Android\n", 3,
	    "forward-port does not go with a browser app's WebSocket" },
	/* The same address as another route's listener. */
	{ "[route a]\nmode = server-websocket\nipc-server = /tmp/a.sock\n"
	    "[route b]\nipc-server = /tmp/b.sock\ntcp-server = 127.0.0.1:8088\n",
	    6, "routes 'a' and 'b' both listen on 127.0.0.1:8088" },
};

START_TEST(test_ws_bad)
{
	load_fails(ws_bad[_i].text, ws_bad[_i].line, ws_bad[_i].what);
}
END_TEST

/* What a reload does when a WebSocket route changes. */
static const struct {
	const char *a, *b;
	int same_ends, equal;
} ws_ends[] = {
	/* Another port, another path, TCP in its place: other ends. */
	{ "mode = server-websocket\n",
	    "mode = server-websocket\nweb-socket = ws://127.0.0.1:8089/diagnostics\n",
	    0, 0 },
	{ "mode = server-websocket\n",
	    "mode = server-websocket\nweb-socket = ws://127.0.0.1:8088/other\n",
	    0, 0 },
	{ "ipc-server = /tmp/w.sock\nweb-socket = ws://127.0.0.1:8088/d\n",
	    "ipc-server = /tmp/w.sock\ntcp-server = 127.0.0.1:8088\n", 0, 0 },
	{ "mode = server-websocket\n", "mode = client-websocket\n"
	    "ipc-client = /tmp/w.sock\n", 0, 0 },
	/* The same URL written otherwise: the same route. */
	{ "mode = server-websocket\n",
	    "mode = server-websocket\nweb-socket = http://127.0.0.1:8088/diagnostics\n",
	    1, 1 },
	/* Origins: applied in place. */
	{ "mode = server-websocket\n",
	    "mode = server-websocket\nallow-origins = http://a.example\n", 1, 0 },
	{ "mode = server-websocket\nallow-origins = http://a.example\n",
	    "mode = server-websocket\nallow-origins = http://b.example\n", 1, 0 },
	{ "mode = server-websocket\nallow-origins = http://a.example\n",
	    "mode = server-websocket\nallow-origins = http://a.example, *\n",
	    1, 0 },
	{ "mode = server-websocket\nallow-origins = *\n",
	    "mode = server-websocket\nallow-origins = *\n", 1, 1 },
};

START_TEST(test_ws_same_ends)
{
	struct conf *a, *b;
	char text[512];
	const struct route_conf *ra, *rb;

	snprintf(text, sizeof text, "[route w]\n%s", ws_ends[_i].a);
	a = load_ok(text);
	snprintf(text, sizeof text, "[route w]\n%s", ws_ends[_i].b);
	b = load_ok(text);
	ra = TAILQ_FIRST(&a->routes);
	rb = TAILQ_FIRST(&b->routes);
	ck_assert_int_eq(conf_route_same_ends(ra, rb), ws_ends[_i].same_ends);
	ck_assert_int_eq(conf_route_same_ends(rb, ra), ws_ends[_i].same_ends);
	ck_assert_int_eq(conf_route_equal(ra, rb), ws_ends[_i].equal);
	ck_assert_int_eq(conf_route_equal(rb, ra), ws_ends[_i].equal);
	conf_free(a);
	conf_free(b);
}
END_TEST
#else
/* A build without WebSocket support says so, naming the line. */
START_TEST(test_ws_unsupported)
{
	load_fails("[route a]\nmode = server-websocket\n", 1, "built without "
	    "WebSocket support");
	load_fails("[route a]\nipc-server = /tmp/x.sock\n"
	    "web-socket = ws://127.0.0.1:8088/x\n", 3, "built without "
	    "WebSocket support");
}
END_TEST
#endif

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
	tcase_add_test(tc, test_access_keys);
	tcase_add_loop_test(tc, test_remote_tools, 0, NITEMS(remote));
	tcase_add_test(tc, test_defaults);
	tcase_add_loop_test(tc, test_same_ends, 0, NITEMS(ends));
	suite_add_tcase(s, tc);

	tc = unit_tcase("errors");
	tcase_add_loop_test(tc, test_load_bad, 0, NITEMS(load_bad));
	tcase_add_test(tc, test_error_long_line);
	suite_add_tcase(s, tc);

	tc = unit_tcase("values");
	tcase_add_loop_test(tc, test_parse_seconds, 0, NITEMS(seconds));
	tcase_add_loop_test(tc, test_parse_seconds_garbage, 0, NITEMS(garbage));
	tcase_add_test(tc, test_keys_and_modes);
	suite_add_tcase(s, tc);

	tc = unit_tcase("websocket");
#ifdef HAVE_WEBSOCKET
	tcase_add_test(tc, test_ws_valid);
	tcase_add_loop_test(tc, test_ws_bad, 0, NITEMS(ws_bad));
	tcase_add_loop_test(tc, test_ws_same_ends, 0, NITEMS(ws_ends));
#else
	tcase_add_test(tc, test_ws_unsupported);
#endif
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return unit_run(conf_suite());
}
