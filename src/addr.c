/* SPDX-License-Identifier: MIT */
/* addr.c: parse, resolve and describe endpoint addresses. */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsrouterd.h"

#define ADDR_UNIX_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

/* Parse a decimal port number. */
static int
addr_parse_port(const char *s, uint16_t *port)
{
	unsigned long v;
	char *end;

	if (*s == '\0' || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* Parse host:port, [v6]:port or *:port into a TCP address; orig for messages. */
static int
addr_parse_tcp(struct addr *a, const char *s, const char *orig, char **cause)
{
	const char *colon, *host_start, *host_end;

	if (*s == '[') {
		host_start = s + 1;
		if ((host_end = strchr(s, ']')) == NULL) {
			xasprintf(cause, "'%s': missing ']' after IPv6 address", orig);
			return -1;
		}
		if (host_end[1] != ':') {
			xasprintf(cause, "'%s': expected [address]:port", orig);
			return -1;
		}
		colon = host_end + 1;
	} else {
		if ((colon = strrchr(s, ':')) == NULL) {
			xasprintf(cause, "'%s': expected host:port (e.g. 127.0.0.1:9000)", orig);
			return -1;
		}
		if (memchr(s, ':', (size_t)(colon - s)) != NULL) {
			xasprintf(cause, "'%s': put an IPv6 address in brackets, [::1]:9000", orig);
			return -1;
		}
		host_start = s;
		host_end = colon;
	}
	if (host_end == host_start) {
		xasprintf(cause, "'%s': missing host (use *:PORT for every address)", orig);
		return -1;
	}
	if (addr_parse_port(colon + 1, &a->port) != 0) {
		xasprintf(cause, "'%s': port must be a number from 0 to 65535", orig);
		return -1;
	}
	a->kind = ADDR_TCP;
	if (host_end - host_start == 1 && *host_start == '*')
		a->host = NULL;
	else
		a->host = xstrndup(host_start, (size_t)(host_end - host_start));
	return 0;
}

/* Parse a Unix socket path. */
static int
addr_parse_unix(struct addr *a, const char *path, const char *orig, char **cause)
{
	if (*path == '\0') {
		xasprintf(cause, "'%s': empty socket path", orig);
		return -1;
	}
	if (strlen(path) > ADDR_UNIX_MAX) {
		xasprintf(cause, "'%s': socket path longer than %zu bytes", orig,
		    ADDR_UNIX_MAX);
		return -1;
	}
	a->kind = ADDR_UNIX;
	a->path = xstrdup(path);
	return 0;
}

/*
 * Parse an address: unix:PATH, tcp:HOST:PORT, or without a prefix a path
 * (tool side) or HOST:PORT, [V6]:PORT, *:PORT (runtime side).
 */
static int
addr_parse(struct addr *a, const char *s, int tool, char **cause)
{
	int rc;

	memset(a, 0, sizeof *a);
	if (strncmp(s, "unix:", 5) == 0)
		rc = addr_parse_unix(a, s + 5, s, cause);
	else if (strncmp(s, "tcp:", 4) == 0)
		rc = addr_parse_tcp(a, s + 4, s, cause);
	else if (tool)
		rc = addr_parse_unix(a, s, s, cause);
	else
		rc = addr_parse_tcp(a, s, s, cause);
	if (rc == 0)
		a->text = xstrdup(s);
	return rc;
}

/* Parse a runtime-side address: host:port, [v6]:port, *:port or unix:PATH. */
int
addr_parse_runtime(struct addr *a, const char *s, char **cause)
{
	return addr_parse(a, s, 0, cause);
}

/* A socket path as it is, whatever it starts with (a generated one). */
int
addr_parse_path(struct addr *a, const char *path, char **cause)
{
	int rc;

	memset(a, 0, sizeof *a);
	if ((rc = addr_parse_unix(a, path, path, cause)) == 0)
		a->text = xstrdup(path);
	return rc;
}

/* Parse a tool-side address: a socket path, unix:PATH or tcp:host:port. */
int
addr_parse_tool(struct addr *a, const char *s, char **cause)
{
	return addr_parse(a, s, 1, cause);
}

/* Fill the socket address; passive for addresses to listen on. */
int
addr_resolve(struct addr *a, int passive, char **cause)
{
	struct addrinfo hints, *res;
	struct sockaddr_un *sun;
	char port[8];
	int rc;

	memset(&a->ss, 0, sizeof a->ss);
	if (a->kind == ADDR_UNIX) {
		sun = (struct sockaddr_un *)&a->ss;
		sun->sun_family = AF_UNIX;
		memcpy(sun->sun_path, a->path, strlen(a->path) + 1);
		a->sslen = sizeof *sun;
		return 0;
	}
	if (!passive && a->port == 0) {
		xasprintf(cause, "'%s': port 0 can only be listened on", a->text);
		return -1;
	}
	if (!passive && a->host == NULL) {
		xasprintf(cause, "'%s': '*' can only be listened on", a->text);
		return -1;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	snprintf(port, sizeof port, "%u", a->port);
	if (a->host == NULL)
		hints.ai_family = AF_INET;
	rc = getaddrinfo(a->host, port, &hints, &res);
	if (rc != 0) {
		xasprintf(cause, "'%s': cannot resolve '%s': %s", a->text,
		    a->host, gai_strerror(rc));
		return -1;
	}
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	a->sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* Whether two resolved addresses would collide when listened on. */
int
addr_same(const struct addr *a, const struct addr *b)
{
	const struct sockaddr_in *a4, *b4;
	const struct sockaddr_in6 *a6, *b6;

	if (a->kind != b->kind)
		return 0;
	if (a->kind == ADDR_UNIX)
		return strcmp(a->path, b->path) == 0;
	if (a->port == 0 || b->port == 0 || a->port != b->port)
		return 0;
	if (a->ss.ss_family != b->ss.ss_family)
		return 0;
	if (a->ss.ss_family == AF_INET) {
		a4 = (const struct sockaddr_in *)&a->ss;
		b4 = (const struct sockaddr_in *)&b->ss;
		return a4->sin_addr.s_addr == b4->sin_addr.s_addr ||
		    a4->sin_addr.s_addr == htonl(INADDR_ANY) ||
		    b4->sin_addr.s_addr == htonl(INADDR_ANY);
	}
	if (a->ss.ss_family == AF_INET6) {
		a6 = (const struct sockaddr_in6 *)&a->ss;
		b6 = (const struct sockaddr_in6 *)&b->ss;
		return memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0 ||
		    IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr) ||
		    IN6_IS_ADDR_UNSPECIFIED(&b6->sin6_addr);
	}
	return 0;
}

/*
 * Whether only this host can reach an address: a Unix socket, or a TCP
 * address on loopback. A wildcard is reachable from the network.
 */
int
addr_is_local(const struct addr *a)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;

	if (a->kind == ADDR_UNIX)
		return 1;
	if (a->ss.ss_family == AF_INET)
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	if (a->ss.ss_family == AF_INET6) {
		if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			return 1;
		return IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) &&
		    s6->sin6_addr.s6_addr[12] == 127;
	}
	return 0;
}

/* Whether a TCP address is the wildcard (every address of the host). */
int
addr_is_any(const struct addr *a)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->ss;

	if (a->kind != ADDR_TCP)
		return 0;
	if (a->ss.ss_family == AF_INET)
		return s4->sin_addr.s_addr == htonl(INADDR_ANY);
	if (a->ss.ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
	return 0;
}

/* Deep-copy an address. */
void
addr_copy(struct addr *dst, const struct addr *src)
{
	*dst = *src;
	dst->path = src->path != NULL ? xstrdup(src->path) : NULL;
	dst->host = src->host != NULL ? xstrdup(src->host) : NULL;
	dst->text = src->text != NULL ? xstrdup(src->text) : NULL;
}

/* Free what an address holds. */
void
addr_free(struct addr *a)
{
	free(a->path);
	free(a->host);
	free(a->text);
	memset(a, 0, sizeof *a);
}

/* The address as the user wrote it. */
const char *
addr_describe(const struct addr *a)
{
	return a->text != NULL ? a->text : "?";
}

/* Read a process's start time in clock ticks, field 22 of /proc/PID/stat. */
int
addr_proc_start_time(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;
	int field;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name (field 2) may hold spaces: skip past its ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	p++;
	for (field = 3; field < 22; field++) {
		while (*p == ' ')
			p++;
		while (*p != ' ' && *p != '\0')
			p++;
	}
	if (*p == '\0')
		return -1;
	*start = strtoull(p, NULL, 10);
	return 0;
}

/* A socket path in $TMPDIR named like a runtime's, with a kind ("" or "dsrouter-"). */
static char *
addr_tmp_socket(pid_t pid, const char *kind, char **cause)
{
	unsigned long long start;
	const char *tmp;
	char *path;

	if (addr_proc_start_time(pid, &start) != 0) {
		xasprintf(cause, "cannot read /proc/%ld/stat for the default "
		    "tool socket name; set ipc-server", (long)pid);
		return NULL;
	}
	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	xasprintf(&path, "%s%sdotnet-diagnostic-%s%ld-%llu-socket", tmp,
	    tmp[strlen(tmp) - 1] == '/' ? "" : "/", kind, (long)pid, start);
	return path;
}

/*
 * The socket path a runtime with this pid would listen on in $TMPDIR,
 * dotnet-diagnostic-PID-KEY-socket: 'dotnet-trace ps' lists it.
 */
char *
addr_default_tool_path(pid_t pid, char **cause)
{
	return addr_tmp_socket(pid, "", cause);
}

/*
 * The name by which the tools' client library knows a router,
 * dotnet-diagnostic-dsrouter-PID-KEY-socket: with -p PID it prefers it
 * to the name above when it is as new, and dotnet-gcdump then takes the
 * heap of the process behind the router.
 */
char *
addr_router_tool_path(pid_t pid, char **cause)
{
	return addr_tmp_socket(pid, "dsrouter-", cause);
}
