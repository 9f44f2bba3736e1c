/* SPDX-License-Identifier: MIT */
/* fuzz_common.c: checks and helpers the fuzz targets share, and the DNS tripwire. */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <netdb.h>

#ifdef DSR_FUZZING
#include <dlfcn.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsrouterd.h"
#include "ws.h"
#include "fuzz.h"

/* Report a failed invariant and crash, so the fuzzer saves the input. */
void
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
	abort();
}

/*
 * Copy an input into a string of exactly its length (up to a NUL), so that
 * AddressSanitizer sees a read past its end.
 */
char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s;

	s = xmalloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Whether a host can be resolved without asking DNS: a numeric address,
 * "localhost", or NULL (the "*" wildcard).
 */
int
fuzz_host_safe(const char *host)
{
	struct addrinfo hints, *res;

	if (host == NULL || strcmp(host, "localhost") == 0)
		return 1;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return 0;
	freeaddrinfo(res);
	return 1;
}

/*
 * Whether an address value, read as a runtime or a tool address or as a
 * WebSocket URL, names no host that only DNS could resolve. Inputs that
 * would are skipped.
 */
int
fuzz_addr_text_safe(const char *text)
{
	struct addr a;
	char *cause = NULL, *host_port, *path;
	int safe = 1;

	if (addr_parse_runtime(&a, text, &cause) == 0) {
		safe = a.kind != ADDR_TCP || fuzz_host_safe(a.host);
		addr_free(&a);
	}
	free(cause);
	cause = NULL;
	if (safe && addr_parse_tool(&a, text, &cause) == 0) {
		safe = a.kind != ADDR_TCP || fuzz_host_safe(a.host);
		addr_free(&a);
	}
	free(cause);
	cause = NULL;
	/* A WebSocket URL: its HOST:PORT is resolved as a runtime listener. */
	if (safe && ws_parse_url(text, &host_port, &path, &cause) == 0) {
		safe = fuzz_addr_text_safe(host_port);
		free(host_port);
		free(path);
	}
	free(cause);
	return safe;
}

/* Check one endpoint of a validated route: parsed, resolved, consistent. */
static void
fuzz_check_addr(const struct addr *a, int listens)
{
	const struct sockaddr_un *sun;

	FUZZ_CHECK(a->text != NULL);
	FUZZ_CHECK(a->sslen > 0 && a->sslen <= sizeof a->ss);
	if (a->kind == ADDR_UNIX) {
		sun = (const struct sockaddr_un *)&a->ss;
		FUZZ_CHECK(a->path != NULL && a->host == NULL);
		FUZZ_CHECK(*a->path != '\0');
		FUZZ_CHECK(strlen(a->path) < sizeof sun->sun_path);
		FUZZ_CHECK(sun->sun_family == AF_UNIX);
		FUZZ_CHECK(strcmp(sun->sun_path, a->path) == 0);
		return;
	}
	FUZZ_CHECK(a->kind == ADDR_TCP);
	FUZZ_CHECK(a->path == NULL);
	FUZZ_CHECK(a->ss.ss_family == AF_INET || a->ss.ss_family == AF_INET6);
	if (!listens)
		FUZZ_CHECK(a->host != NULL && a->port != 0);
}

/*
 * What every configuration that was accepted must satisfy: routes named
 * once each, a mode, both endpoints resolved, a frame time-out, a tool
 * listener off loopback only when asked for, and no two listeners on one
 * address (validating again must succeed).
 */
void
fuzz_check_conf(struct conf *conf)
{
	struct route_conf *rc, *other;
	char *cause = NULL;
	unsigned n = 0;

	FUZZ_CHECK(conf->log_level >= LOG_LEVEL_NONE &&
	    conf->log_level <= LOG_LEVEL_TRACE);
	TAILQ_FOREACH(rc, &conf->routes, entry) {
		n++;
		FUZZ_CHECK(rc->name != NULL && *rc->name != '\0');
		TAILQ_FOREACH(other, &conf->routes, entry) {
			if (other == rc)
				break;
			FUZZ_CHECK(strcmp(other->name, rc->name) != 0);
		}
		FUZZ_CHECK(rc->mode == MODE_SERVER_SERVER ||
		    rc->mode == MODE_SERVER_CLIENT ||
		    rc->mode == MODE_CLIENT_SERVER ||
		    rc->mode == MODE_CLIENT_CLIENT);
		fuzz_check_addr(&rc->tool, MODE_TOOL_SERVER(rc->mode));
		fuzz_check_addr(&rc->runtime, MODE_RUNTIME_SERVER(rc->mode));
		if (rc->tool_default) {
			FUZZ_CHECK(MODE_TOOL_SERVER(rc->mode));
			FUZZ_CHECK(rc->tool.kind == ADDR_UNIX);
		}
		if (rc->preset != NULL) {
			enum route_mode want;

			if (strcmp(rc->preset, "ios-sim") == 0 ||
			    strcmp(rc->preset, "ios") == 0)
				want = MODE_SERVER_CLIENT;
			else if (strcmp(rc->preset, "client-websocket") == 0)
				want = MODE_CLIENT_SERVER;
			else {
				FUZZ_CHECK(strcmp(rc->preset, "android-emu") == 0 ||
				    strcmp(rc->preset, "android") == 0 ||
				    strcmp(rc->preset, "server-websocket") == 0);
				want = MODE_SERVER_SERVER;
			}
			FUZZ_CHECK(rc->mode == want);
			if (strstr(rc->preset, "websocket") != NULL)
				FUZZ_CHECK(rc->ws_url != NULL);
		}
		FUZZ_CHECK(rc->frame_timeout_ms > 0);
		if (MODE_TOOL_SERVER(rc->mode) && !addr_is_local(&rc->tool))
			FUZZ_CHECK(rc->allow_remote_tools);
		if (conf->file != NULL) {
			FUZZ_CHECK(rc->line >= 1);
			FUZZ_CHECK(rc->tool_line >= rc->line);
			FUZZ_CHECK(rc->runtime_line >= rc->line);
		} else
			FUZZ_CHECK(rc->line == 0);
	}
	FUZZ_CHECK(n == conf->nroutes && n > 0);
	FUZZ_CHECK(conf_validate(conf, &cause) == 0);
	FUZZ_CHECK(cause == NULL);
}

#ifdef DSR_FUZZING
/*
 * The DNS tripwire: every getaddrinfo of the process comes here first. A
 * host that is not numeric would be a DNS query, which a fuzz target must
 * never make (the targets skip such inputs): crash. "localhost" is answered
 * as 127.0.0.1 so that no resolver configuration can turn it into a query.
 */
int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	static int (*real)(const char *, const char *, const struct addrinfo *,
	    struct addrinfo **);
	struct addrinfo h;
	void *sym;
	int rc;

	if (real == NULL) {
		if ((sym = dlsym(RTLD_NEXT, "getaddrinfo")) == NULL)
			fuzz_fail(__FILE__, __LINE__, "dlsym getaddrinfo");
		memcpy(&real, &sym, sizeof real);
	}
	if (node == NULL)
		return real(node, service, hints, res);
	if (hints != NULL)
		h = *hints;
	else {
		memset(&h, 0, sizeof h);
		h.ai_family = AF_UNSPEC;
	}
	h.ai_flags |= AI_NUMERICHOST;
	if (strcmp(node, "localhost") == 0)
		node = "127.0.0.1";
	rc = real(node, service, &h, res);
	if (rc == EAI_NONAME && (hints == NULL ||
	    (hints->ai_flags & AI_NUMERICHOST) == 0)) {
		fprintf(stderr, "fuzz: getaddrinfo('%s') would ask DNS\n", node);
		fuzz_fail(__FILE__, __LINE__, "no DNS lookups");
	}
	return rc;
}
#endif
