/* SPDX-License-Identifier: MIT */
/*
 * control.c: the control socket that 'dsrouterd status' asks. Read-only:
 * one request line ("status" or "status json"), one answer, then close.
 * A request too long, malformed or too slow gets an error line; a reader
 * too slow for the answer is dropped after a time-out; routing never waits
 * for any of it.
 */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "dsrouterd.h"

#define CONTROL_MAX_REQUEST 256
#define CONTROL_TIMEOUT_S 5

struct control_client;
TAILQ_HEAD(control_client_list, control_client);

struct control {
	struct event_base *base;
	struct listener *l;
	struct control_client_list clients;
	struct access access;
	void (*answer)(struct evbuffer *, int, void *);
	void *arg;
};

/* One client of the control socket, freed when its answer is out. */
struct control_client {
	struct control *ctl;
	struct bufferevent *bev;
	TAILQ_ENTRY(control_client) entry;
};

/* Close a client. */
static void
control_client_free(struct control_client *cc)
{
	TAILQ_REMOVE(&cc->ctl->clients, cc, entry);
	bufferevent_free(cc->bev);
	free(cc);
}

/* The answer is out: close. */
static void
control_written(struct bufferevent *bev, void *arg)
{
	(void)bev;
	control_client_free(arg);
}

/* Send a reply and close once it is out (or after the time-out). */
static void
control_reply(struct control_client *cc, struct evbuffer *reply)
{
	bufferevent_disable(cc->bev, EV_READ);
	bufferevent_setcb(cc->bev, NULL, control_written, NULL, cc);
	if (evbuffer_get_length(reply) == 0 ||
	    bufferevent_write_buffer(cc->bev, reply) != 0) {
		control_client_free(cc);
		return;
	}
	bufferevent_enable(cc->bev, EV_WRITE);
}

/* Send one error line and close. */
static void
control_error(struct control_client *cc, const char *msg)
{
	struct evbuffer *e = evbuffer_new();

	if (e == NULL)
		fatalx("out of memory");
	evbuffer_add_printf(e, "error: %s\n", msg);
	control_reply(cc, e);
	evbuffer_free(e);
}

/* A request line arrived (or part of one). */
static void
control_read(struct bufferevent *bev, void *arg)
{
	struct control_client *cc = arg;
	struct evbuffer *in = bufferevent_get_input(bev), *out;
	char *line;
	size_t len;
	int json;

	if ((line = evbuffer_readln(in, &len, EVBUFFER_EOL_LF)) == NULL) {
		if (evbuffer_get_length(in) > CONTROL_MAX_REQUEST)
			control_error(cc, "request too long");
		return;
	}
	if (len > 0 && line[len - 1] == '\r')
		line[--len] = '\0';
	if (strcmp(line, "status") == 0 || strcmp(line, "status json") == 0) {
		json = line[6] != '\0';
		if ((out = evbuffer_new()) == NULL)
			fatalx("out of memory");
		cc->ctl->answer(out, json, cc->ctl->arg);
		control_reply(cc, out);
		evbuffer_free(out);
	} else {
		control_error(cc, "unknown request (known: status, status json)");
	}
	free(line);
}

/* EOF, error or time-out before the answer was out. */
static void
control_event(struct bufferevent *bev, short what, void *arg)
{
	struct control_client *cc = arg;

	(void)bev;
	if ((what & BEV_EVENT_EOF) && evbuffer_get_length(bufferevent_get_input(bev)) > 0) {
		control_error(cc, "request without a newline");
		return;
	}
	control_client_free(cc);
}

/* A client connected. */
static void
control_accept(int fd, void *arg)
{
	struct control *ctl = arg;
	struct control_client *cc;
	struct timeval tv = { CONTROL_TIMEOUT_S, 0 };
	uid_t uid;
	pid_t pid;

	if (!sock_peer_allowed(fd, &ctl->access, &uid, &pid)) {
		static const char refused[] = "error: not allowed (allow-users, "
		    "allow-groups)\n";
		log_warn("control", "refused a client of uid %ld (pid %ld): not in "
		    "allow-users or allow-groups", (long)uid, (long)pid);
		(void)send(fd, refused, sizeof refused - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	cc = xcalloc(1, sizeof *cc);
	cc->ctl = ctl;
	TAILQ_INSERT_TAIL(&ctl->clients, cc, entry);
	cc->bev = bufferevent_socket_new(ctl->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (cc->bev == NULL)
		fatalx("out of memory for a control connection");
	bufferevent_setcb(cc->bev, control_read, NULL, control_event, cc);
	bufferevent_setwatermark(cc->bev, EV_READ, 0, CONTROL_MAX_REQUEST + 2);
	bufferevent_set_timeouts(cc->bev, &tv, &tv);
	bufferevent_enable(cc->bev, EV_READ);
}

/*
 * The control socket's path when the configuration names none: the
 * service's runtime directory, else this user's, else $TMPDIR; a new string.
 */
char *
control_default_path(void)
{
	const char *dir;
	char *path;

	if ((dir = getenv("RUNTIME_DIRECTORY")) != NULL && *dir == '/') {
		xasprintf(&path, "%.*s/control.sock", (int)strcspn(dir, ":"), dir);
		return path;
	}
	if ((dir = getenv("XDG_RUNTIME_DIR")) != NULL && *dir == '/') {
		xasprintf(&path, "%s/dsrouterd-%ld.ctl", dir, (long)getpid());
		return path;
	}
	if ((dir = getenv("TMPDIR")) == NULL || *dir != '/')
		dir = "/tmp";
	xasprintf(&path, "%s/dsrouterd-%ld-%ld.ctl", dir, (long)getuid(),
	    (long)getpid());
	return path;
}

/*
 * Listen on the control socket: mode and group, and who may ask, as for
 * tool sockets. answer writes the status (text, or JSON) into a buffer.
 */
struct control *
control_new(struct event_base *base, const char *path, const struct access *ac,
    void (*answer)(struct evbuffer *, int, void *), void *arg, char **cause)
{
	struct control *ctl;
	struct addr a;
	char *why = NULL;

	if (addr_parse_tool(&a, path, &why) != 0 || addr_resolve(&a, 1, &why) != 0) {
		xasprintf(cause, "control socket %s: %s", path, why);
		free(why);
		return NULL;
	}
	ctl = xcalloc(1, sizeof *ctl);
	ctl->base = base;
	TAILQ_INIT(&ctl->clients);
	ctl->answer = answer;
	ctl->arg = arg;
	access_copy(&ctl->access, ac);
	if ((ctl->l = listener_new(base, &a, ac, control_accept, NULL, ctl,
	    cause)) == NULL) {
		access_free(&ctl->access);
		free(ctl);
		ctl = NULL;
	}
	addr_free(&a);
	return ctl;
}

/* Stop listening; the socket file goes. */
void
control_free(struct control *ctl)
{
	if (ctl == NULL)
		return;
	while (!TAILQ_EMPTY(&ctl->clients))
		control_client_free(TAILQ_FIRST(&ctl->clients));
	listener_free(ctl->l);
	access_free(&ctl->access);
	free(ctl);
}

/* Where the control socket listens. */
const char *
control_path(struct control *ctl)
{
	return listener_name(ctl->l);
}
