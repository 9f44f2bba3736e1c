/* SPDX-License-Identifier: MIT */
/*
 * lifeline.c: what stops the daemon besides signals, for a router that a
 * diagnostic tool started: a 'q' or 'Q' on standard input, and the end of
 * the parent process (--parentprocess). EOF on standard input stops
 * nothing (a service, </dev/null, a shell's '&'). Both are watched from
 * the event loop; nothing here blocks.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "dsrouterd.h"

#define LIFELINE_POLL_MS 1000     /* the parent checked this often without pidfd */

struct lifeline {
	struct event_base *base;
	struct event *input;          /* standard input is readable */
	struct event *parent;         /* the parent's pidfd is readable, or a poll timer */
	int pidfd;
	pid_t ppid;
	char *pname;
	void (*stop)(const char *, void *);
	void *arg;
};

/* Standard input has something: a q stops the daemon, EOF stops watching. */
static void
lifeline_input(evutil_socket_t fd, short events, void *arg)
{
	struct lifeline *l = arg;
	char buf[256];
	ssize_t n, i;

	(void)events;
	n = read(fd, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		log_debug("lifeline", "standard input %s: 'q' can no longer stop "
		    "the router", n == 0 ? "closed" : strerror(errno));
		event_del(l->input);
		return;
	}
	for (i = 0; i < n; i++) {
		if (buf[i] == 'q' || buf[i] == 'Q') {
			l->stop("'q' on standard input", l->arg);
			return;
		}
	}
}

/* Whether the parent has gone. */
static int
lifeline_parent_gone(struct lifeline *l)
{
	return kill(l->ppid, 0) == -1 && errno == ESRCH;
}

/* The parent's pidfd became readable, or the poll timer fired. */
static void
lifeline_parent(evutil_socket_t fd, short events, void *arg)
{
	struct lifeline *l = arg;
	struct timeval tv = { LIFELINE_POLL_MS / 1000,
	    (LIFELINE_POLL_MS % 1000) * 1000 };

	(void)fd;
	if ((events & EV_READ) || lifeline_parent_gone(l)) {
		log_info("lifeline", "parent process %ld (%s) has exited",
		    (long)l->ppid, l->pname);
		l->stop("parent process exited", l->arg);
		return;
	}
	evtimer_add(l->parent, &tv);
}

/* Watch standard input if it is something that can be watched and read. */
static void
lifeline_watch_input(struct lifeline *l)
{
	struct stat sb;

	if (fstat(STDIN_FILENO, &sb) != 0)
		return;
	if (!S_ISFIFO(sb.st_mode) && !S_ISSOCK(sb.st_mode) &&
	    !(S_ISCHR(sb.st_mode) && isatty(STDIN_FILENO)))
		return;
	/* In the background a terminal read must fail, not stop us. */
	signal(SIGTTIN, SIG_IGN);
	l->input = event_new(l->base, STDIN_FILENO, EV_READ | EV_PERSIST,
	    lifeline_input, l);
	if (l->input == NULL)
		fatalx("out of memory watching standard input");
	if (event_add(l->input, NULL) != 0) {
		event_free(l->input);
		l->input = NULL;
	}
}

/* Watch the parent: its pidfd where the kernel has one, else a poll. */
static void
lifeline_watch_parent(struct lifeline *l)
{
	struct timeval now = { 0, 0 };

	l->pidfd = -1;
#ifdef SYS_pidfd_open
	l->pidfd = (int)syscall(SYS_pidfd_open, l->ppid, 0);
#endif
	if (l->pidfd != -1) {
		l->parent = event_new(l->base, l->pidfd, EV_READ, lifeline_parent, l);
		if (l->parent == NULL || event_add(l->parent, NULL) != 0)
			fatalx("cannot watch the parent process");
		log_debug("lifeline", "watching parent %ld (%s) with a pidfd",
		    (long)l->ppid, l->pname);
		return;
	}
	if ((l->parent = evtimer_new(l->base, lifeline_parent, l)) == NULL)
		fatalx("out of memory for a timer");
	/* First check at once: the parent may be gone already. */
	evtimer_add(l->parent, &now);
	log_debug("lifeline", "watching parent %ld (%s) every %d ms",
	    (long)l->ppid, l->pname, LIFELINE_POLL_MS);
}

/*
 * Watch standard input, and the parent when ppid is not 0; stop is called
 * with a reason when either says the daemon should stop.
 */
struct lifeline *
lifeline_new(struct event_base *base, pid_t ppid, const char *pname,
    void (*stop)(const char *, void *), void *arg)
{
	struct lifeline *l;

	l = xcalloc(1, sizeof *l);
	l->base = base;
	l->stop = stop;
	l->arg = arg;
	l->pidfd = -1;
	l->ppid = ppid;
	l->pname = xstrdup(pname != NULL && *pname != '\0' ? pname : "?");
	lifeline_watch_input(l);
	if (ppid > 0)
		lifeline_watch_parent(l);
	return l;
}

/* Stop watching. */
void
lifeline_free(struct lifeline *l)
{
	if (l == NULL)
		return;
	if (l->input != NULL)
		event_free(l->input);
	if (l->parent != NULL)
		event_free(l->parent);
	if (l->pidfd != -1)
		close(l->pidfd);
	free(l->pname);
	free(l);
}
