/* SPDX-License-Identifier: MIT */
/* check_addr.c: unit tests for addr.c: parsing, resolving, comparing addresses. */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#ifdef HAVE_SYS_PRCTL_H
#include <sys/prctl.h>
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsrouterd.h"
#include "check_main.h"
#include "dsrtest.h"

#define SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/* Parse an address as a tool address, or else as a runtime one. */
static int
parse_as(struct addr *a, const char *s, int tool, char **cause)
{
	if (tool)
		return addr_parse_tool(a, s, cause);
	return addr_parse_runtime(a, s, cause);
}

/* Parse an address that must be valid. */
static void
parse_valid(struct addr *a, const char *s, int tool)
{
	char *cause = NULL;
	int rc;

	rc = parse_as(a, s, tool, &cause);
	ck_assert_msg(rc == 0, "'%s' refused as a %s address: %s", s,
	    tool ? "tool" : "runtime", cause != NULL ? cause : "(no cause)");
	ck_assert_ptr_null(cause);
	ck_assert_str_eq(a->text, s);
}

/* An address must be refused with a message quoting it and containing what. */
static void
parse_fails(int tool, const char *s, const char *what)
{
	struct addr a;
	char *cause = NULL;
	int rc;

	rc = parse_as(&a, s, tool, &cause);
	ck_assert_msg(rc == -1, "'%s' accepted as a %s address", s,
	    tool ? "tool" : "runtime");
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strstr(cause, s) != NULL, "cause '%s' does not quote '%s'",
	    cause, s);
	if (what != NULL)
		ck_assert_msg(strstr(cause, what) != NULL,
		    "cause for '%s' is '%s', expected it to contain '%s'", s,
		    cause, what);
	ck_assert_ptr_null(a.text);
	free(cause);
	addr_free(&a);
}

/* Parse and resolve an address for listening (passive) or connecting. */
static void
resolved(struct addr *a, const char *s, int tool, int passive)
{
	char *cause = NULL;

	parse_valid(a, s, tool);
	ck_assert_msg(addr_resolve(a, passive, &cause) == 0,
	    "'%s' does not resolve: %s", s, cause != NULL ? cause : "?");
}

/* This process's start time, read with the test library, not addr.c. */
static unsigned long long
self_start_time(void)
{
	unsigned long long start = 0;

	ck_assert_int_eq(dsrtest_proc_start_time(getpid(), &start), 0);
	return start;
}

/* The path the default tool socket must have in a directory. */
static char *
expected_default(const char *dir)
{
	char *s;

	ck_assert_int_ge(asprintf(&s, "%s/dotnet-diagnostic-%ld-%llu-socket",
	    dir, (long)getpid(), self_start_time()), 0);
	return s;
}

/* Addresses that parse, with what they must give. */
static const struct {
	int tool;                 /* a tool address, else a runtime one */
	const char *text;
	enum addr_kind kind;
	const char *host;         /* TCP: NULL for '*' */
	unsigned port;
	const char *path;         /* Unix */
} parse_good[] = {
	{ 0, "127.0.0.1:9000", ADDR_TCP, "127.0.0.1", 9000, NULL },
	{ 0, "localhost:65535", ADDR_TCP, "localhost", 65535, NULL },
	{ 0, "10.0.2.2:0", ADDR_TCP, "10.0.2.2", 0, NULL },
	/* The tcp: prefix is accepted on the runtime side too. */
	{ 0, "tcp:192.168.1.2:9001", ADDR_TCP, "192.168.1.2", 9001, NULL },
	{ 0, "[::1]:9000", ADDR_TCP, "::1", 9000, NULL },
	{ 0, "[fe80::1:2]:1", ADDR_TCP, "fe80::1:2", 1, NULL },
	{ 0, "*:9000", ADDR_TCP, NULL, 9000, NULL },
	{ 0, "unix:/run/app/diag.sock", ADDR_UNIX, NULL, 0,
	    "/run/app/diag.sock" },
	{ 1, "/tmp/dsr.sock", ADDR_UNIX, NULL, 0, "/tmp/dsr.sock" },
	{ 1, "relative/dsr.sock", ADDR_UNIX, NULL, 0, "relative/dsr.sock" },
	{ 1, "unix:/tmp/u.sock", ADDR_UNIX, NULL, 0, "/tmp/u.sock" },
	{ 1, "tcp:127.0.0.1:9100", ADDR_TCP, "127.0.0.1", 9100, NULL },
	{ 1, "tcp:[::1]:9101", ADDR_TCP, "::1", 9101, NULL },
	/* Without tcp:, a TCP-looking tool address is a socket path. */
	{ 1, "127.0.0.1:9000", ADDR_UNIX, NULL, 0, "127.0.0.1:9000" },
};

START_TEST(test_parse_good)
{
	struct addr a;

	parse_valid(&a, parse_good[_i].text, parse_good[_i].tool);
	ck_assert_int_eq(a.kind, parse_good[_i].kind);
	if (parse_good[_i].host == NULL)
		ck_assert_ptr_null(a.host);
	else
		ck_assert_str_eq(a.host, parse_good[_i].host);
	if (parse_good[_i].kind == ADDR_TCP)
		ck_assert_uint_eq(a.port, parse_good[_i].port);
	if (parse_good[_i].path == NULL)
		ck_assert_ptr_null(a.path);
	else
		ck_assert_str_eq(a.path, parse_good[_i].path);
	addr_free(&a);
	/* addr_free leaves nothing behind. */
	ck_assert_ptr_null(a.path);
	ck_assert_ptr_null(a.host);
	ck_assert_ptr_null(a.text);
}
END_TEST

/* Addresses that are refused, with a word the message must hold (or NULL). */
static const struct {
	int tool;
	const char *text;
	const char *what;
} parse_bad[] = {
	{ 0, "127.0.0.1", "host:port" },
	{ 0, "127.0.0.1:", "port" },
	{ 0, "127.0.0.1:65536", "port" },
	{ 0, "127.0.0.1:99999999999999999999", "port" },
	{ 0, "127.0.0.1:-1", "port" },
	{ 0, "127.0.0.1:+80", "port" },
	{ 0, "127.0.0.1:80x", "port" },
	{ 0, "127.0.0.1: 80", "port" },
	{ 0, ":9000", "host" },
	{ 0, "::1:9000", "brackets" },
	{ 0, "fe80::1", "brackets" },
	{ 0, "[::1]", NULL },
	{ 0, "[::1]9000", NULL },
	{ 0, "[::1:9000", "]" },
	{ 0, "[]:9000", "host" },
	{ 0, "[::1]:70000", "port" },
	{ 0, "", NULL },
	{ 0, "tcp:", NULL },
	{ 0, "unix:", "empty" },
	{ 0, "/tmp/socket", NULL },
	{ 1, "", "empty" },
	{ 1, "unix:", "empty" },
	{ 1, "tcp:", NULL },
	{ 1, "tcp:127.0.0.1", "host:port" },
	{ 1, "tcp:127.0.0.1:65536", "port" },
	{ 1, "tcp:::1:9000", "brackets" },
};

START_TEST(test_parse_bad)
{
	parse_fails(parse_bad[_i].tool, parse_bad[_i].text, parse_bad[_i].what);
}
END_TEST

START_TEST(test_path_length)
{
	char longest[SUN_PATH_MAX + 1], toolong[SUN_PATH_MAX + 2], prefixed[SUN_PATH_MAX + 8];
	struct addr a;
	char *cause = NULL;

	memset(longest, 'a', sizeof longest - 1);
	longest[0] = '/';
	longest[sizeof longest - 1] = '\0';
	memset(toolong, 'b', sizeof toolong - 1);
	toolong[0] = '/';
	toolong[sizeof toolong - 1] = '\0';

	/* sun_path holds the path and its NUL: one byte less is the limit. */
	parse_valid(&a, longest, 1);
	ck_assert_uint_eq(strlen(a.path), SUN_PATH_MAX);
	ck_assert_int_eq(addr_resolve(&a, 1, &cause), 0);
	ck_assert_str_eq(((struct sockaddr_un *)&a.ss)->sun_path, longest);
	addr_free(&a);
	parse_fails(1, toolong, "longer");

	snprintf(prefixed, sizeof prefixed, "unix:%s", toolong);
	parse_fails(1, prefixed, "longer");
	parse_fails(0, prefixed, "longer");
	snprintf(prefixed, sizeof prefixed, "unix:%s", longest);
	parse_valid(&a, prefixed, 0);
	ck_assert_str_eq(a.path, longest);
	addr_free(&a);
}
END_TEST

/*
 * Addresses resolved for listening (passive) or for connecting, and what
 * the socket address must hold. One only a listener may have is first
 * refused for connecting, with a message saying why.
 */
static const struct {
	const char *text;
	int tool, passive;
	const char *why;          /* NULL, or: only a listener may have it */
	int family;
	const char *where;        /* the address (inet_ntop's text), or path */
	unsigned port;
} resolve_cases[] = {
	{ "127.0.0.1:9000", 0, 0, NULL, AF_INET, "127.0.0.1", 9000 },
	{ "[::1]:9001", 0, 1, NULL, AF_INET6, "::1", 9001 },
	{ "/tmp/resolve.sock", 1, 0, NULL, AF_UNIX, "/tmp/resolve.sock", 0 },
	{ "127.0.0.1:0", 0, 1, "port 0", AF_INET, "127.0.0.1", 0 },
	{ "*:9000", 0, 1, "'*'", AF_INET, "0.0.0.0", 9000 },
};

START_TEST(test_resolve)
{
	struct addr a;
	struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a.ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)&a.ss;
	char where[SUN_PATH_MAX + 1], *cause = NULL;

	parse_valid(&a, resolve_cases[_i].text, resolve_cases[_i].tool);
	if (resolve_cases[_i].why != NULL) {
		ck_assert_int_eq(addr_resolve(&a, 0, &cause), -1);
		ck_assert_ptr_nonnull(cause);
		ck_assert_ptr_nonnull(strstr(cause, resolve_cases[_i].text));
		ck_assert_ptr_nonnull(strstr(cause, resolve_cases[_i].why));
		free(cause);
		cause = NULL;
	}
	ck_assert_msg(addr_resolve(&a, resolve_cases[_i].passive, &cause) == 0,
	    "'%s' does not resolve: %s", resolve_cases[_i].text,
	    cause != NULL ? cause : "?");
	ck_assert_ptr_null(cause);
	ck_assert_int_eq(a.ss.ss_family, resolve_cases[_i].family);
	switch (a.ss.ss_family) {
	case AF_INET:
		ck_assert_ptr_nonnull(inet_ntop(AF_INET, &sin->sin_addr, where,
		    sizeof where));
		ck_assert_uint_eq(ntohs(sin->sin_port), resolve_cases[_i].port);
		ck_assert_uint_eq(a.sslen, sizeof *sin);
		break;
	case AF_INET6:
		ck_assert_ptr_nonnull(inet_ntop(AF_INET6, &sin6->sin6_addr,
		    where, sizeof where));
		ck_assert_uint_eq(ntohs(sin6->sin6_port),
		    resolve_cases[_i].port);
		ck_assert_uint_eq(a.sslen, sizeof *sin6);
		break;
	default:
		snprintf(where, sizeof where, "%s", sun->sun_path);
		ck_assert_uint_ge(a.sslen, offsetof(struct sockaddr_un,
		    sun_path) + strlen(sun->sun_path) + 1);
		break;
	}
	ck_assert_str_eq(where, resolve_cases[_i].where);
	addr_free(&a);
}
END_TEST

/* Pairs of passive addresses, and whether they are the same listener. */
static const struct {
	const char *a;
	int a_tool;
	const char *b;
	int b_tool;
	int same;
} same_cases[] = {
	{ "/tmp/a.sock", 1, "/tmp/a.sock", 1, 1 },
	{ "/tmp/a.sock", 1, "unix:/tmp/a.sock", 1, 1 },
	{ "/tmp/a.sock", 1, "/tmp/b.sock", 1, 0 },
	{ "/tmp/a.sock", 1, "127.0.0.1:9000", 0, 0 },
	{ "127.0.0.1:9000", 0, "127.0.0.1:9000", 0, 1 },
	{ "127.0.0.1:9000", 0, "tcp:127.0.0.1:9000", 1, 1 },
	{ "127.0.0.1:9000", 0, "127.0.0.1:9001", 0, 0 },
	{ "127.0.0.1:9000", 0, "127.0.0.2:9000", 0, 0 },
	/* The any address takes the port on every address. */
	{ "*:9000", 0, "127.0.0.1:9000", 0, 1 },
	{ "0.0.0.0:9000", 0, "10.1.2.3:9000", 0, 1 },
	{ "*:9000", 0, "127.0.0.1:9001", 0, 0 },
	/* Port 0 asks for a fresh port each time: never a collision. */
	{ "127.0.0.1:0", 0, "127.0.0.1:0", 0, 0 },
	{ "[::1]:9000", 0, "[::1]:9000", 0, 1 },
	{ "[::1]:9000", 0, "[::1]:9001", 0, 0 },
	/* IPv6 sockets are v6-only: no clash with IPv4. */
	{ "[::1]:9000", 0, "127.0.0.1:9000", 0, 0 },
	{ "[::]:9000", 0, "[::1]:9000", 0, 1 },
	{ "[::]:9000", 0, "[::1]:9001", 0, 0 },
};

/* Resolve two passive addresses and compare them both ways. */
START_TEST(test_same)
{
	struct addr a, b;
	int ab, ba;

	resolved(&a, same_cases[_i].a, same_cases[_i].a_tool, 1);
	resolved(&b, same_cases[_i].b, same_cases[_i].b_tool, 1);
	ab = addr_same(&a, &b);
	ba = addr_same(&b, &a);
	ck_assert_msg(ab == ba, "addr_same('%s', '%s') is not symmetric",
	    same_cases[_i].a, same_cases[_i].b);
	ck_assert_msg(ab == same_cases[_i].same, "addr_same('%s', '%s') is %d",
	    same_cases[_i].a, same_cases[_i].b, ab);
	addr_free(&a);
	addr_free(&b);
}
END_TEST

START_TEST(test_copy_describe)
{
	struct addr a, b;

	parse_valid(&a, "[::1]:9000", 0);
	addr_copy(&b, &a);
	ck_assert_ptr_ne(b.host, a.host);
	ck_assert_ptr_ne(b.text, a.text);
	ck_assert_str_eq(b.host, "::1");
	ck_assert_str_eq(addr_describe(&b), "[::1]:9000");
	addr_free(&a);
	/* The copy outlives the original. */
	ck_assert_str_eq(b.host, "::1");
	ck_assert_uint_eq(b.port, 9000);
	addr_free(&b);
	ck_assert_str_eq(addr_describe(&b), "?");
}
END_TEST

START_TEST(test_proc_start_time)
{
	unsigned long long start = 0;

	ck_assert_int_eq(addr_proc_start_time(getpid(), &start), 0);
	ck_assert_uint_eq(start, self_start_time());
	ck_assert_uint_gt(start, 0);
#ifdef HAVE_SYS_PRCTL_H
	/* A command name with spaces and ')' must not shift the fields. */
	ck_assert_int_eq(prctl(PR_SET_NAME, "a) b (c) d", 0, 0, 0), 0);
	start = 0;
	ck_assert_int_eq(addr_proc_start_time(getpid(), &start), 0);
	ck_assert_uint_eq(start, self_start_time());
#endif
}
END_TEST

/* $TMPDIR values, and the directory the default tool socket goes in. */
static const struct {
	const char *tmpdir;       /* NULL: unset */
	const char *dir;
} default_dirs[] = {
	{ "/var/tmp/dsr-test", "/var/tmp/dsr-test" },
	/* A trailing slash does not double. */
	{ "/var/tmp/dsr-test/", "/var/tmp/dsr-test" },
	/* Unset or empty: /tmp, where the tools look by default. */
	{ NULL, "/tmp" },
	{ "", "/tmp" },
};

START_TEST(test_default_tool_path)
{
	char *path, *want, *cause = NULL;

	if (default_dirs[_i].tmpdir == NULL)
		ck_assert_int_eq(unsetenv("TMPDIR"), 0);
	else
		ck_assert_int_eq(setenv("TMPDIR", default_dirs[_i].tmpdir, 1),
		    0);
	path = addr_default_tool_path(getpid(), &cause);
	ck_assert_ptr_nonnull(path);
	ck_assert_ptr_null(cause);
	want = expected_default(default_dirs[_i].dir);
	ck_assert_str_eq(path, want);
	free(path);
	free(want);
}
END_TEST

START_TEST(test_default_tool_path_matches_tools)
{
	char *path, *cause = NULL, *base;
	long pid;
	unsigned long long key;
	char tail[16];

	/* The tools' pattern: ^dotnet-diagnostic-(\d+)-(\d+)-socket$ */
	ck_assert_int_eq(setenv("TMPDIR", "/tmp", 1), 0);
	path = addr_default_tool_path(getpid(), &cause);
	ck_assert_ptr_nonnull(path);
	base = strrchr(path, '/') + 1;
	ck_assert_int_eq(sscanf(base, "dotnet-diagnostic-%ld-%llu-%15s", &pid,
	    &key, tail), 3);
	ck_assert_int_eq(pid, (long)getpid());
	ck_assert_str_eq(tail, "socket");
	ck_assert_uint_le(strlen(path), SUN_PATH_MAX);
	free(path);
}
END_TEST

START_TEST(test_default_tool_path_no_process)
{
	char *path, *cause = NULL;
	long pid_max = 4194304;
	FILE *f;

	/* No process has a pid as high as pid_max. */
	if ((f = fopen("/proc/sys/kernel/pid_max", "r")) != NULL) {
		ck_assert_int_eq(fscanf(f, "%ld", &pid_max), 1);
		fclose(f);
	}
	path = addr_default_tool_path((pid_t)pid_max, &cause);
	ck_assert_ptr_null(path);
	ck_assert_ptr_nonnull(cause);
	ck_assert_ptr_nonnull(strstr(cause, "/proc/"));
	ck_assert_ptr_nonnull(strstr(cause, "ipc-server"));
	free(cause);
}
END_TEST

/* Listening addresses: reachable from this host only? on every address? */
static const struct {
	const char *text;
	int tool;
	int local, any;
} reach[] = {
	{ "/tmp/reach.sock", 1, 1, 0 },
	{ "unix:/tmp/reach.sock", 0, 1, 0 },
	{ "127.0.0.1:9000", 0, 1, 0 },
	{ "tcp:127.0.0.1:9000", 1, 1, 0 },
	/* All of 127/8 is loopback, and nothing around it. */
	{ "127.255.255.254:9000", 0, 1, 0 },
	{ "127.0.0.2:9000", 0, 1, 0 },
	{ "126.255.255.255:9000", 0, 0, 0 },
	{ "128.0.0.1:9000", 0, 0, 0 },
	{ "[::1]:9000", 0, 1, 0 },
	{ "[::ffff:127.0.0.1]:9000", 0, 1, 0 },
	{ "[::ffff:127.1.2.3]:9000", 0, 1, 0 },
	{ "[::ffff:10.0.0.1]:9000", 0, 0, 0 },
	{ "[::2]:9000", 0, 0, 0 },
	{ "localhost:9000", 0, 1, 0 },
	/* Wildcards reach the network. */
	{ "*:9000", 0, 0, 1 },
	{ "0.0.0.0:9000", 0, 0, 1 },
	{ "tcp:0.0.0.0:9000", 1, 0, 1 },
	{ "[::]:9000", 0, 0, 1 },
	{ "tcp:[::]:0", 1, 0, 1 },
	{ "10.0.2.2:9000", 0, 0, 0 },
	{ "192.0.2.1:9000", 0, 0, 0 },
	{ "[2001:db8::1]:9000", 0, 0, 0 },
	{ "[fe80::1]:9000", 0, 0, 0 },
};

START_TEST(test_reach)
{
	struct addr a;

	resolved(&a, reach[_i].text, reach[_i].tool, 1);
	ck_assert_msg(addr_is_local(&a) == reach[_i].local,
	    "addr_is_local('%s') is %d", reach[_i].text, addr_is_local(&a));
	ck_assert_msg(addr_is_any(&a) == reach[_i].any, "addr_is_any('%s') is "
	    "%d", reach[_i].text, addr_is_any(&a));
	addr_free(&a);
}
END_TEST

/* A TCP address not resolved yet is neither local nor any. */
START_TEST(test_reach_unresolved)
{
	struct addr a;

	parse_valid(&a, "127.0.0.1:9000", 0);
	ck_assert_int_eq(addr_is_local(&a), 0);
	ck_assert_int_eq(addr_is_any(&a), 0);
	addr_free(&a);
	parse_valid(&a, "*:9000", 0);
	ck_assert_int_eq(addr_is_any(&a), 0);
	addr_free(&a);
}
END_TEST

/* The router's name of the default tool socket, in each $TMPDIR. */
START_TEST(test_router_tool_path)
{
	char *path, *def, *want, *cause = NULL, *base, tail[16];
	unsigned long long key, def_key;
	long pid, def_pid;

	if (default_dirs[_i].tmpdir == NULL)
		ck_assert_int_eq(unsetenv("TMPDIR"), 0);
	else
		ck_assert_int_eq(setenv("TMPDIR", default_dirs[_i].tmpdir, 1),
		    0);
	path = addr_router_tool_path(getpid(), &cause);
	ck_assert_ptr_nonnull(path);
	ck_assert_ptr_null(cause);
	ck_assert_int_ge(asprintf(&want, "%s/dotnet-diagnostic-dsrouter-%ld-"
	    "%llu-socket", default_dirs[_i].dir, (long)getpid(),
	    self_start_time()), 0);
	ck_assert_str_eq(path, want);
	/*
	 * The tools' pattern for a router, dotnet-diagnostic-dsrouter-PID-
	 * KEY-socket, with the directory, pid and key of the default name.
	 */
	def = addr_default_tool_path(getpid(), &cause);
	ck_assert_ptr_nonnull(def);
	base = strrchr(path, '/') + 1;
	ck_assert_int_eq(sscanf(base,
	    "dotnet-diagnostic-dsrouter-%ld-%llu-%15s", &pid, &key, tail), 3);
	ck_assert_str_eq(tail, "socket");
	ck_assert_int_eq(sscanf(strrchr(def, '/') + 1,
	    "dotnet-diagnostic-%ld-%llu-%15s", &def_pid, &def_key, tail), 3);
	ck_assert_int_eq(pid, def_pid);
	ck_assert_uint_eq(key, def_key);
	ck_assert_int_eq(strrchr(path, '/') - path, strrchr(def, '/') - def);
	ck_assert_int_eq(strncmp(path, def, (size_t)(strrchr(def, '/') - def)),
	    0);
	free(path);
	free(def);
	free(want);
}
END_TEST

START_TEST(test_router_tool_path_long_tmpdir)
{
	char dir[200], *path, *cause = NULL;
	const char *base;

	/* Too long for a socket: the whole name, for the listener to refuse. */
	memset(dir, 'd', sizeof dir - 1);
	dir[0] = '/';
	dir[sizeof dir - 1] = '\0';
	ck_assert_int_eq(setenv("TMPDIR", dir, 1), 0);
	path = addr_router_tool_path(getpid(), &cause);
	ck_assert_ptr_nonnull(path);
	ck_assert_uint_gt(strlen(path), SUN_PATH_MAX);
	ck_assert_int_eq(strncmp(path, dir, strlen(dir)), 0);
	base = path + strlen(dir);
	ck_assert_int_eq(strncmp(base, "/dotnet-diagnostic-dsrouter-", 28), 0);
	ck_assert_str_eq(path + strlen(path) - 7, "-socket");
	free(path);
	/* No such process: an error naming /proc, not a made-up key. */
	ck_assert_int_eq(setenv("TMPDIR", "/tmp", 1), 0);
	path = addr_router_tool_path((pid_t)0x7ffffffe, &cause);
	ck_assert_ptr_null(path);
	ck_assert_ptr_nonnull(cause);
	ck_assert_ptr_nonnull(strstr(cause, "/proc/"));
	free(cause);
}
END_TEST

/* The addr.c suite. */
Suite *
addr_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("addr");

	tc = unit_tcase("parse");
	tcase_add_loop_test(tc, test_parse_good, 0, NITEMS(parse_good));
	tcase_add_loop_test(tc, test_parse_bad, 0, NITEMS(parse_bad));
	tcase_add_test(tc, test_path_length);
	suite_add_tcase(s, tc);

	tc = unit_tcase("resolve");
	tcase_add_loop_test(tc, test_resolve, 0, NITEMS(resolve_cases));
	tcase_add_loop_test(tc, test_same, 0, NITEMS(same_cases));
	tcase_add_test(tc, test_copy_describe);
	tcase_add_loop_test(tc, test_reach, 0, NITEMS(reach));
	tcase_add_test(tc, test_reach_unresolved);
	suite_add_tcase(s, tc);

	tc = unit_tcase("default_path");
	tcase_add_test(tc, test_proc_start_time);
	tcase_add_loop_test(tc, test_default_tool_path, 0,
	    NITEMS(default_dirs));
	tcase_add_test(tc, test_default_tool_path_matches_tools);
	tcase_add_test(tc, test_default_tool_path_no_process);
	tcase_add_loop_test(tc, test_router_tool_path, 0, NITEMS(default_dirs));
	tcase_add_test(tc, test_router_tool_path_long_tmpdir);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return unit_run(addr_suite());
}
