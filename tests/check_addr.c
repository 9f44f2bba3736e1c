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

#define SUN_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/* Parse a runtime-side address that must be valid. */
static void
parse_runtime_ok(struct addr *a, const char *s)
{
	char *cause = NULL;

	ck_assert_msg(addr_parse_runtime(a, s, &cause) == 0,
	    "'%s' refused: %s", s, cause != NULL ? cause : "(no cause)");
	ck_assert_ptr_null(cause);
	ck_assert_str_eq(a->text, s);
}

/* Parse a tool-side address that must be valid. */
static void
parse_tool_ok(struct addr *a, const char *s)
{
	char *cause = NULL;

	ck_assert_msg(addr_parse_tool(a, s, &cause) == 0,
	    "'%s' refused: %s", s, cause != NULL ? cause : "(no cause)");
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

	if (tool)
		rc = addr_parse_tool(&a, s, &cause);
	else
		rc = addr_parse_runtime(&a, s, &cause);
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

	if (tool)
		parse_tool_ok(a, s);
	else
		parse_runtime_ok(a, s);
	ck_assert_msg(addr_resolve(a, passive, &cause) == 0,
	    "'%s' does not resolve: %s", s, cause != NULL ? cause : "?");
}

/* Field 22 of /proc/self/stat, read here without addr.c's help. */
static unsigned long long
self_start_time(void)
{
	char buf[2048], *p, *tok, *save = NULL;
	FILE *f;
	size_t n;
	int field;

	f = fopen("/proc/self/stat", "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	ck_assert_ptr_nonnull(p);
	field = 3;
	for (tok = strtok_r(p + 1, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save), field++) {
		if (field == 22)
			return strtoull(tok, NULL, 10);
	}
	ck_abort_msg("no field 22 in /proc/self/stat");
	return 0;
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

START_TEST(test_runtime_host_port)
{
	struct addr a;

	parse_runtime_ok(&a, "127.0.0.1:9000");
	ck_assert_int_eq(a.kind, ADDR_TCP);
	ck_assert_str_eq(a.host, "127.0.0.1");
	ck_assert_uint_eq(a.port, 9000);
	ck_assert_ptr_null(a.path);
	addr_free(&a);

	parse_runtime_ok(&a, "localhost:65535");
	ck_assert_str_eq(a.host, "localhost");
	ck_assert_uint_eq(a.port, 65535);
	addr_free(&a);

	parse_runtime_ok(&a, "10.0.2.2:0");
	ck_assert_str_eq(a.host, "10.0.2.2");
	ck_assert_uint_eq(a.port, 0);
	addr_free(&a);

	/* The tcp: prefix is accepted on the runtime side too. */
	parse_runtime_ok(&a, "tcp:192.168.1.2:9001");
	ck_assert_int_eq(a.kind, ADDR_TCP);
	ck_assert_str_eq(a.host, "192.168.1.2");
	ck_assert_uint_eq(a.port, 9001);
	addr_free(&a);
}
END_TEST

START_TEST(test_runtime_v6_and_any)
{
	struct addr a;

	parse_runtime_ok(&a, "[::1]:9000");
	ck_assert_int_eq(a.kind, ADDR_TCP);
	ck_assert_str_eq(a.host, "::1");
	ck_assert_uint_eq(a.port, 9000);
	addr_free(&a);

	parse_runtime_ok(&a, "[fe80::1:2]:1");
	ck_assert_str_eq(a.host, "fe80::1:2");
	ck_assert_uint_eq(a.port, 1);
	addr_free(&a);

	parse_runtime_ok(&a, "*:9000");
	ck_assert_int_eq(a.kind, ADDR_TCP);
	ck_assert_ptr_null(a.host);
	ck_assert_uint_eq(a.port, 9000);
	addr_free(&a);
}
END_TEST

START_TEST(test_runtime_unix)
{
	struct addr a;

	parse_runtime_ok(&a, "unix:/run/app/diag.sock");
	ck_assert_int_eq(a.kind, ADDR_UNIX);
	ck_assert_str_eq(a.path, "/run/app/diag.sock");
	ck_assert_ptr_null(a.host);
	addr_free(&a);
	/* addr_free leaves nothing behind. */
	ck_assert_ptr_null(a.path);
	ck_assert_ptr_null(a.text);
}
END_TEST

START_TEST(test_tool_forms)
{
	struct addr a;

	parse_tool_ok(&a, "/tmp/dsr.sock");
	ck_assert_int_eq(a.kind, ADDR_UNIX);
	ck_assert_str_eq(a.path, "/tmp/dsr.sock");
	addr_free(&a);

	parse_tool_ok(&a, "relative/dsr.sock");
	ck_assert_int_eq(a.kind, ADDR_UNIX);
	ck_assert_str_eq(a.path, "relative/dsr.sock");
	addr_free(&a);

	parse_tool_ok(&a, "unix:/tmp/u.sock");
	ck_assert_int_eq(a.kind, ADDR_UNIX);
	ck_assert_str_eq(a.path, "/tmp/u.sock");
	addr_free(&a);

	parse_tool_ok(&a, "tcp:127.0.0.1:9100");
	ck_assert_int_eq(a.kind, ADDR_TCP);
	ck_assert_str_eq(a.host, "127.0.0.1");
	ck_assert_uint_eq(a.port, 9100);
	addr_free(&a);

	parse_tool_ok(&a, "tcp:[::1]:9101");
	ck_assert_int_eq(a.kind, ADDR_TCP);
	ck_assert_str_eq(a.host, "::1");
	ck_assert_uint_eq(a.port, 9101);
	addr_free(&a);

	/* Without tcp:, a TCP-looking tool address is a socket path. */
	parse_tool_ok(&a, "127.0.0.1:9000");
	ck_assert_int_eq(a.kind, ADDR_UNIX);
	ck_assert_str_eq(a.path, "127.0.0.1:9000");
	addr_free(&a);
}
END_TEST

START_TEST(test_parse_errors)
{
	parse_fails(0, "127.0.0.1", "host:port");
	parse_fails(0, "127.0.0.1:", "port");
	parse_fails(0, "127.0.0.1:65536", "port");
	parse_fails(0, "127.0.0.1:99999999999999999999", "port");
	parse_fails(0, "127.0.0.1:-1", "port");
	parse_fails(0, "127.0.0.1:+80", "port");
	parse_fails(0, "127.0.0.1:80x", "port");
	parse_fails(0, "127.0.0.1: 80", "port");
	parse_fails(0, ":9000", "host");
	parse_fails(0, "::1:9000", "brackets");
	parse_fails(0, "fe80::1", "brackets");
	parse_fails(0, "[::1]", NULL);
	parse_fails(0, "[::1]9000", NULL);
	parse_fails(0, "[::1:9000", "]");
	parse_fails(0, "[]:9000", "host");
	parse_fails(0, "[::1]:70000", "port");
	parse_fails(0, "", NULL);
	parse_fails(0, "tcp:", NULL);
	parse_fails(0, "unix:", "empty");
	parse_fails(0, "/tmp/socket", NULL);
	parse_fails(1, "", "empty");
	parse_fails(1, "unix:", "empty");
	parse_fails(1, "tcp:", NULL);
	parse_fails(1, "tcp:127.0.0.1", "host:port");
	parse_fails(1, "tcp:127.0.0.1:65536", "port");
	parse_fails(1, "tcp:::1:9000", "brackets");
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
	parse_tool_ok(&a, longest);
	ck_assert_uint_eq(strlen(a.path), SUN_PATH_MAX);
	ck_assert_int_eq(addr_resolve(&a, 1, &cause), 0);
	ck_assert_str_eq(((struct sockaddr_un *)&a.ss)->sun_path, longest);
	addr_free(&a);
	parse_fails(1, toolong, "longer");

	snprintf(prefixed, sizeof prefixed, "unix:%s", toolong);
	parse_fails(1, prefixed, "longer");
	parse_fails(0, prefixed, "longer");
	snprintf(prefixed, sizeof prefixed, "unix:%s", longest);
	parse_runtime_ok(&a, prefixed);
	ck_assert_str_eq(a.path, longest);
	addr_free(&a);
}
END_TEST

START_TEST(test_resolve_v4)
{
	struct addr a;
	struct sockaddr_in *sin;

	resolved(&a, "127.0.0.1:9000", 0, 0);
	sin = (struct sockaddr_in *)&a.ss;
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(sin->sin_port), 9000);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK);
	ck_assert_uint_eq(a.sslen, sizeof *sin);
	addr_free(&a);
}
END_TEST

START_TEST(test_resolve_v6)
{
	struct addr a;
	struct sockaddr_in6 *sin6;

	resolved(&a, "[::1]:9001", 0, 1);
	sin6 = (struct sockaddr_in6 *)&a.ss;
	ck_assert_int_eq(sin6->sin6_family, AF_INET6);
	ck_assert_uint_eq(ntohs(sin6->sin6_port), 9001);
	ck_assert_mem_eq(&sin6->sin6_addr, &in6addr_loopback, 16);
	ck_assert_uint_eq(a.sslen, sizeof *sin6);
	addr_free(&a);
}
END_TEST

START_TEST(test_resolve_unix)
{
	struct addr a;
	struct sockaddr_un *sun;

	resolved(&a, "/tmp/resolve.sock", 1, 0);
	sun = (struct sockaddr_un *)&a.ss;
	ck_assert_int_eq(sun->sun_family, AF_UNIX);
	ck_assert_str_eq(sun->sun_path, "/tmp/resolve.sock");
	ck_assert_uint_ge(a.sslen, offsetof(struct sockaddr_un, sun_path) +
	    strlen("/tmp/resolve.sock") + 1);
	addr_free(&a);
}
END_TEST

START_TEST(test_resolve_port0_passive_only)
{
	struct addr a;
	struct sockaddr_in *sin;
	char *cause = NULL;

	parse_runtime_ok(&a, "127.0.0.1:0");
	ck_assert_int_eq(addr_resolve(&a, 0, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_ptr_nonnull(strstr(cause, "127.0.0.1:0"));
	ck_assert_ptr_nonnull(strstr(cause, "port 0"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(addr_resolve(&a, 1, &cause), 0);
	ck_assert_ptr_null(cause);
	sin = (struct sockaddr_in *)&a.ss;
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(sin->sin_port, 0);
	addr_free(&a);
}
END_TEST

START_TEST(test_resolve_any_passive_only)
{
	struct addr a;
	struct sockaddr_in *sin;
	char *cause = NULL;

	parse_runtime_ok(&a, "*:9000");
	ck_assert_int_eq(addr_resolve(&a, 0, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	ck_assert_ptr_nonnull(strstr(cause, "*:9000"));
	ck_assert_ptr_nonnull(strstr(cause, "'*'"));
	free(cause);
	cause = NULL;
	ck_assert_int_eq(addr_resolve(&a, 1, &cause), 0);
	sin = (struct sockaddr_in *)&a.ss;
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohs(sin->sin_port), 9000);
	ck_assert_uint_eq(sin->sin_addr.s_addr, htonl(INADDR_ANY));
	addr_free(&a);
}
END_TEST

/* Resolve two passive addresses and compare them both ways. */
static int
same(const char *s1, int tool1, const char *s2, int tool2)
{
	struct addr a, b;
	int ab, ba;

	resolved(&a, s1, tool1, 1);
	resolved(&b, s2, tool2, 1);
	ab = addr_same(&a, &b);
	ba = addr_same(&b, &a);
	ck_assert_msg(ab == ba, "addr_same('%s', '%s') is not symmetric", s1, s2);
	addr_free(&a);
	addr_free(&b);
	return ab;
}

START_TEST(test_same)
{
	ck_assert_int_eq(same("/tmp/a.sock", 1, "/tmp/a.sock", 1), 1);
	ck_assert_int_eq(same("/tmp/a.sock", 1, "unix:/tmp/a.sock", 1), 1);
	ck_assert_int_eq(same("/tmp/a.sock", 1, "/tmp/b.sock", 1), 0);
	ck_assert_int_eq(same("/tmp/a.sock", 1, "127.0.0.1:9000", 0), 0);
	ck_assert_int_eq(same("127.0.0.1:9000", 0, "127.0.0.1:9000", 0), 1);
	ck_assert_int_eq(same("127.0.0.1:9000", 0, "tcp:127.0.0.1:9000", 1), 1);
	ck_assert_int_eq(same("127.0.0.1:9000", 0, "127.0.0.1:9001", 0), 0);
	ck_assert_int_eq(same("127.0.0.1:9000", 0, "127.0.0.2:9000", 0), 0);
	/* The any address takes the port on every address. */
	ck_assert_int_eq(same("*:9000", 0, "127.0.0.1:9000", 0), 1);
	ck_assert_int_eq(same("0.0.0.0:9000", 0, "10.1.2.3:9000", 0), 1);
	ck_assert_int_eq(same("*:9000", 0, "127.0.0.1:9001", 0), 0);
	/* Port 0 asks for a fresh port each time: never a collision. */
	ck_assert_int_eq(same("127.0.0.1:0", 0, "127.0.0.1:0", 0), 0);
	ck_assert_int_eq(same("[::1]:9000", 0, "[::1]:9000", 0), 1);
	ck_assert_int_eq(same("[::1]:9000", 0, "[::1]:9001", 0), 0);
	/* IPv6 sockets are v6-only: no clash with IPv4. */
	ck_assert_int_eq(same("[::1]:9000", 0, "127.0.0.1:9000", 0), 0);
	ck_assert_int_eq(same("[::]:9000", 0, "[::1]:9000", 0), 1);
	ck_assert_int_eq(same("[::]:9000", 0, "[::1]:9001", 0), 0);
}
END_TEST

START_TEST(test_copy_describe)
{
	struct addr a, b;

	parse_runtime_ok(&a, "[::1]:9000");
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

START_TEST(test_default_tool_path)
{
	char *path, *want, *cause = NULL;

	ck_assert_int_eq(setenv("TMPDIR", "/var/tmp/dsr-test", 1), 0);
	path = addr_default_tool_path(getpid(), &cause);
	ck_assert_ptr_nonnull(path);
	ck_assert_ptr_null(cause);
	want = expected_default("/var/tmp/dsr-test");
	ck_assert_str_eq(path, want);
	free(path);

	/* A trailing slash does not double. */
	ck_assert_int_eq(setenv("TMPDIR", "/var/tmp/dsr-test/", 1), 0);
	path = addr_default_tool_path(getpid(), &cause);
	ck_assert_str_eq(path, want);
	free(path);
	free(want);

	/* Unset or empty: /tmp, where the tools look by default. */
	ck_assert_int_eq(unsetenv("TMPDIR"), 0);
	path = addr_default_tool_path(getpid(), &cause);
	want = expected_default("/tmp");
	ck_assert_str_eq(path, want);
	free(path);
	ck_assert_int_eq(setenv("TMPDIR", "", 1), 0);
	path = addr_default_tool_path(getpid(), &cause);
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

/* The addr.c suite. */
Suite *
addr_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("addr");

	tc = unit_tcase("parse");
	tcase_add_test(tc, test_runtime_host_port);
	tcase_add_test(tc, test_runtime_v6_and_any);
	tcase_add_test(tc, test_runtime_unix);
	tcase_add_test(tc, test_tool_forms);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_path_length);
	suite_add_tcase(s, tc);

	tc = unit_tcase("resolve");
	tcase_add_test(tc, test_resolve_v4);
	tcase_add_test(tc, test_resolve_v6);
	tcase_add_test(tc, test_resolve_unix);
	tcase_add_test(tc, test_resolve_port0_passive_only);
	tcase_add_test(tc, test_resolve_any_passive_only);
	tcase_add_test(tc, test_same);
	tcase_add_test(tc, test_copy_describe);
	suite_add_tcase(s, tc);

	tc = unit_tcase("default_path");
	tcase_add_test(tc, test_proc_start_time);
	tcase_add_test(tc, test_default_tool_path);
	tcase_add_test(tc, test_default_tool_path_matches_tools);
	tcase_add_test(tc, test_default_tool_path_no_process);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return unit_run(addr_suite());
}
