/* SPDX-License-Identifier: MIT */
/*
 * fuzz_addr.c: fuzz target for endpoint addresses. The input is an address
 * text, optionally followed by a NUL and a $TMPDIR value. The text is read
 * as a runtime and as a tool address and resolved, listening and not (only
 * when its host is numeric or "localhost": no DNS); then the default tool
 * socket path is made under that $TMPDIR, and a route that relies on it
 * must be refused cleanly when the path does not fit a socket address.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsrouterd.h"
#include "fuzz.h"

#define SUN_PATH_SIZE (sizeof(((struct sockaddr_un *)0)->sun_path))

/* Whether an address holds nothing (after a failed parse or a free). */
static int
addr_empty(const struct addr *a)
{
	return a->path == NULL && a->host == NULL && a->text == NULL;
}

/* The port of a resolved TCP address. */
static uint16_t
ss_port(const struct addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
}

/* Resolve a copy of a parsed address, listening or not, and check the result. */
static void
check_resolve(const struct addr *a, int passive)
{
	const struct sockaddr_un *sun;
	struct addr c;
	char *cause = NULL;
	int rc;

	addr_copy(&c, a);
	rc = addr_resolve(&c, passive, &cause);
	if (c.kind == ADDR_UNIX) {
		FUZZ_CHECK(rc == 0 && cause == NULL);
		sun = (const struct sockaddr_un *)&c.ss;
		FUZZ_CHECK(sun->sun_family == AF_UNIX);
		FUZZ_CHECK(c.sslen == sizeof *sun);
		FUZZ_CHECK(strcmp(sun->sun_path, c.path) == 0);
		FUZZ_CHECK(addr_is_local(&c) && !addr_is_any(&c));
		FUZZ_CHECK(addr_same(&c, a));
	} else if (!passive && (c.port == 0 || c.host == NULL)) {
		/* Only a listener may take port 0 or the wildcard. */
		FUZZ_CHECK(rc == -1 && cause != NULL);
	} else {
		/* A numeric host or localhost always resolves. */
		FUZZ_CHECK(rc == 0 && cause == NULL);
		FUZZ_CHECK(c.ss.ss_family == AF_INET ||
		    c.ss.ss_family == AF_INET6);
		FUZZ_CHECK(c.sslen > 0 && c.sslen <= sizeof c.ss);
		FUZZ_CHECK(ss_port(&c) == c.port);
		FUZZ_CHECK(addr_same(&c, &c) == (c.port != 0));
		if (c.host == NULL)
			FUZZ_CHECK(addr_is_any(&c) && !addr_is_local(&c));
	}
	free(cause);
	addr_free(&c);
	FUZZ_CHECK(addr_empty(&c));
}

/* Whether s ends with ":PORT" naming this port. */
static int
ends_with_port(const char *s, uint16_t port)
{
	const char *colon;
	char *end;

	if ((colon = strrchr(s, ':')) == NULL || !isdigit((unsigned char)colon[1]))
		return 0;
	return strtoul(colon + 1, &end, 10) == port && *end == '\0';
}

/* Parse the text as a runtime or a tool address and check what comes out. */
static void
check_parse(const char *text, int runtime)
{
	struct addr a, c;
	char *cause = NULL;
	int rc;

	if (runtime)
		rc = addr_parse_runtime(&a, text, &cause);
	else
		rc = addr_parse_tool(&a, text, &cause);
	if (rc != 0) {
		FUZZ_CHECK(rc == -1);
		FUZZ_CHECK(cause != NULL && *cause != '\0');
		FUZZ_CHECK(addr_empty(&a));
		free(cause);
		return;
	}
	FUZZ_CHECK(cause == NULL);
	FUZZ_CHECK(a.text != NULL && strcmp(a.text, text) == 0);
	FUZZ_CHECK(strcmp(addr_describe(&a), text) == 0);
	if (a.kind == ADDR_UNIX) {
		FUZZ_CHECK(a.path != NULL && a.host == NULL);
		FUZZ_CHECK(*a.path != '\0' && strlen(a.path) < SUN_PATH_SIZE);
		if (strncmp(text, "unix:", 5) == 0)
			FUZZ_CHECK(strcmp(a.path, text + 5) == 0);
		else
			FUZZ_CHECK(!runtime && strcmp(a.path, text) == 0);
	} else {
		FUZZ_CHECK(a.kind == ADDR_TCP);
		FUZZ_CHECK(a.path == NULL);
		FUZZ_CHECK(runtime || strncmp(text, "tcp:", 4) == 0);
		FUZZ_CHECK(ends_with_port(text, a.port));
		if (a.host != NULL)
			FUZZ_CHECK(*a.host != '\0' && strstr(text, a.host) != NULL);
	}

	addr_copy(&c, &a);
	FUZZ_CHECK(strcmp(c.text, a.text) == 0);
	FUZZ_CHECK(c.kind == a.kind && c.port == a.port);
	addr_free(&c);

	if (a.kind == ADDR_UNIX || fuzz_host_safe(a.host)) {
		check_resolve(&a, 0);
		check_resolve(&a, 1);
	}
	addr_free(&a);
	FUZZ_CHECK(addr_empty(&a));
}

/*
 * The default tool socket under this $TMPDIR (NULL: unset): the path has
 * the runtime's name (and the router's alias the same with "dsrouter-"),
 * and a route that relies on it is accepted exactly when the path fits a
 * socket address, else refused with a message.
 */
static void
check_default_path(const char *tmpdir)
{
	struct route_spec spec;
	struct route_conf *rc;
	struct conf *conf;
	const char *dir, *p, *p0;
	char *path, *alias, *cause = NULL, pid[32];
	size_t n;

	if (tmpdir == NULL)
		unsetenv("TMPDIR");
	else
		setenv("TMPDIR", tmpdir, 1);
	path = addr_default_tool_path(getpid(), &cause);
	FUZZ_CHECK(path != NULL && cause == NULL);
	dir = tmpdir != NULL && *tmpdir != '\0' ? tmpdir : "/tmp";
	n = strlen(dir);
	FUZZ_CHECK(strncmp(path, dir, n) == 0);
	p = path + n;
	if (dir[n - 1] != '/')
		FUZZ_CHECK(*p++ == '/');
	FUZZ_CHECK(strncmp(p, "dotnet-diagnostic-", 18) == 0);
	p0 = p += 18;
	snprintf(pid, sizeof pid, "%ld-", (long)getpid());
	FUZZ_CHECK(strncmp(p, pid, strlen(pid)) == 0);
	p += strlen(pid);
	FUZZ_CHECK(isdigit((unsigned char)*p));
	while (isdigit((unsigned char)*p))
		p++;
	FUZZ_CHECK(strcmp(p, "-socket") == 0);

	/* The router's own name for it: the same, with "dsrouter-" before the pid. */
	alias = addr_router_tool_path(getpid(), &cause);
	FUZZ_CHECK(alias != NULL && cause == NULL);
	n = strlen(path) - strlen(p0);
	FUZZ_CHECK(strncmp(alias, path, n) == 0);
	FUZZ_CHECK(strncmp(alias + n, "dsrouter-", 9) == 0);
	FUZZ_CHECK(strcmp(alias + n + 9, p0) == 0);
	free(alias);

	memset(&spec, 0, sizeof spec);
	spec.name = "fuzz";
	spec.val[KEY_MODE] = "server-server";
	spec.val[KEY_TCP_SERVER] = "127.0.0.1:0";
	conf = conf_new(NULL);
	if (strlen(path) < SUN_PATH_SIZE) {
		FUZZ_CHECK(confroute_add(conf, &spec, &cause) == 0);
		FUZZ_CHECK(cause == NULL);
		rc = TAILQ_FIRST(&conf->routes);
		FUZZ_CHECK(rc != NULL && rc->tool_default);
		FUZZ_CHECK(strcmp(rc->tool.path, path) == 0);
		fuzz_check_conf(conf);
	} else {
		FUZZ_CHECK(confroute_add(conf, &spec, &cause) == -1);
		FUZZ_CHECK(cause != NULL && strstr(cause, "too long") != NULL);
		FUZZ_CHECK(conf->nroutes == 0 && TAILQ_EMPTY(&conf->routes));
	}
	conf_free(conf);
	free(cause);
	free(path);
}

/* libFuzzer entry point. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *saved;
	static int have_saved;
	const uint8_t *nul, *rest, *end;
	char *text, *tmpdir = NULL;
	const char *env;

	if (!have_saved) {
		have_saved = 1;
		if ((env = getenv("TMPDIR")) != NULL)
			saved = xstrdup(env);
	}
	nul = memchr(data, '\0', size);
	text = fuzz_strndup(data, nul != NULL ? (size_t)(nul - data) : size);
	if (nul != NULL) {
		rest = nul + 1;
		end = memchr(rest, '\0', size - (size_t)(rest - data));
		tmpdir = fuzz_strndup(rest, end != NULL ? (size_t)(end - rest) :
		    size - (size_t)(rest - data));
	}

	check_parse(text, 1);
	check_parse(text, 0);
	check_default_path(tmpdir);

	if (saved != NULL)
		setenv("TMPDIR", saved, 1);
	else
		unsetenv("TMPDIR");
	free(text);
	free(tmpdir);
	return 0;
}
