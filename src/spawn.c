/* SPDX-License-Identifier: MIT */
/*
 * spawn.c: run a helper program (adb) from the event loop without ever
 * waiting for it. fork and exec (spawn_proc.c); its standard output and
 * error come back
 * through pipes read by events; its exit is seen through a pidfd (or,
 * where the kernel has none, a 50 ms poll of waitpid for that one pid: no
 * SIGCHLD handler, so nothing competes with daemon.c's signal events or
 * reaps another module's children); a time-out kills it; one callback
 * gets the status and the output. The child runs in its own process
 * group (a Ctrl-C at the terminal is the daemon's to handle) and is
 * killed if the daemon dies (PR_SET_PDEATHSIG).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "dsrouterd.h"
#include "device.h"

#define SPAWN_POLL_MS 50           /* exit polled this often without pidfd */
#define SPAWN_READ_CHUNK 16384
#define SPAWN_NPIPES 3             /* standard output, standard error, exec's errno */

/* One output stream of a child. */
struct spawn_stream {
	int fd;                    /* our end of the pipe, or -1 */
	struct event *ev;
	char *data;                /* kept output, NUL-terminated */
	size_t len;
	int truncated;
};

/* A running child. */
struct spawn {
	struct event_base *base;
	pid_t pid;
	int pidfd;                 /* -1: exit polled */
	int execfd;                /* errno of a failed exec arrives here */
	struct event *ev_exit;     /* pidfd readable, or the poll timer */
	struct event *ev_timeout;
	struct spawn_stream out, err;
	spawn_output_cb output;    /* standard output streamed, or NULL: kept */
	spawn_done_cb done;
	void *arg;
	uint64_t start_us;
	unsigned timeout_ms;
	int timed_out;
	int in_output;             /* the output callback runs */
	int cancelled;             /* ... and cancelled this spawn */
};

/* Set a descriptor non-blocking. */
static int
spawn_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl == -1 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* A pipe whose both ends close on exec; ours (the read end) non-blocking. */
static int
spawn_pipe(int p[2])
{
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	if (spawn_nonblock(p[0]) != 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	return 0;
}

/* Close pipes (errno kept). */
static void
spawn_pipes_close(int p[][2], size_t n)
{
	size_t i;
	int e = errno;

	for (i = 0; i < n; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
	errno = e;
}

/* The child's pipes: standard output, standard error, exec's errno. */
static int
spawn_pipes(int p[SPAWN_NPIPES][2])
{
	size_t i;

	for (i = 0; i < SPAWN_NPIPES; i++) {
		if (spawn_pipe(p[i]) != 0) {
			spawn_pipes_close(p, i);
			return -1;
		}
	}
	return 0;
}

/* Close a stream of ours. */
static void
spawn_stream_close(struct spawn_stream *st)
{
	if (st->ev != NULL) {
		event_free(st->ev);
		st->ev = NULL;
	}
	if (st->fd != -1) {
		close(st->fd);
		st->fd = -1;
	}
}

/* Free a spawn whose child is reaped (or abandoned). */
static void
spawn_free(struct spawn *s)
{
	spawn_stream_close(&s->out);
	spawn_stream_close(&s->err);
	if (s->ev_exit != NULL)
		event_free(s->ev_exit);
	if (s->ev_timeout != NULL)
		event_free(s->ev_timeout);
	if (s->pidfd != -1)
		close(s->pidfd);
	if (s->execfd != -1)
		close(s->execfd);
	free(s->out.data);
	free(s->err.data);
	free(s);
}

/* Keep output, up to SPAWN_MAX_OUTPUT; the rest is counted as dropped. */
static void
spawn_keep(struct spawn_stream *st, const char *buf, size_t n)
{
	size_t room = SPAWN_MAX_OUTPUT - st->len;

	if (n > room) {
		st->truncated = 1;
		n = room;
	}
	if (n == 0)
		return;
	st->data = realloc(st->data, st->len + n + 1);
	if (st->data == NULL)
		fatalx("out of memory for a program's output");
	memcpy(st->data + st->len, buf, n);
	st->len += n;
	st->data[st->len] = '\0';
}

/*
 * Read what a stream has, once. Returns 1 after bytes, -1 when there are
 * none for now, 0 at EOF or on an error, 2 when the output callback
 * cancelled the spawn (it is then freed: touch nothing).
 */
static int
spawn_read(struct spawn *s, struct spawn_stream *st)
{
	char buf[SPAWN_READ_CHUNK];
	ssize_t n;

	n = read(st->fd, buf, sizeof buf);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return -1;
	if (n <= 0)
		return 0;
	if (st == &s->out && s->output != NULL) {
		s->in_output = 1;
		s->output(buf, (size_t)n, s->arg);
		s->in_output = 0;
		if (s->cancelled) {
			spawn_cancel(s);
			return 2;
		}
		return 1;
	}
	spawn_keep(st, buf, (size_t)n);
	return 1;
}

/* A stream is readable: take its bytes; at EOF stop watching it. */
static void
spawn_readable(evutil_socket_t fd, short events, void *arg)
{
	struct spawn *s = arg;
	struct spawn_stream *st = s->out.fd == fd ? &s->out : &s->err;

	(void)events;
	if (spawn_read(s, st) == 0)
		event_del(st->ev);
}

/*
 * Take what a finished child left in a stream, up to what is there now
 * (a grandchild may keep the pipe open). 0, or 2 if cancelled.
 */
static int
spawn_drain(struct spawn *s, struct spawn_stream *st)
{
	int rc;

	if (st->fd == -1)
		return 0;
	while ((rc = spawn_read(s, st)) == 1)
		;
	return rc == 2 ? 2 : 0;
}

/* The child was reaped with status: finish and call back. */
static void
spawn_finish(struct spawn *s, int status)
{
	struct spawn_result r;
	static const char empty[] = "";
	ssize_t n;
	int e = 0;

	if (spawn_drain(s, &s->out) == 2 || spawn_drain(s, &s->err) == 2)
		return;
	memset(&r, 0, sizeof r);
	n = read(s->execfd, &e, sizeof e);
	r.exec_errno = n == (ssize_t)sizeof e ? e : 0;
	r.status = status;
	r.timed_out = s->timed_out;
	r.timeout_ms = s->timeout_ms;
	r.out = s->out.data != NULL ? s->out.data : empty;
	r.outlen = s->out.len;
	r.err = s->err.data != NULL ? s->err.data : empty;
	r.errlen = s->err.len;
	r.truncated = s->out.truncated || s->err.truncated;
	r.elapsed_ms = (unsigned)((now_us() - s->start_us) / 1000);
	s->pid = -1;
	if (s->done != NULL)
		s->done(&r, s->arg);
	spawn_free(s);
}

/* The pidfd is readable, or the poll timer fired: reap if it has exited. */
static void
spawn_exit_check(evutil_socket_t fd, short events, void *arg)
{
	struct spawn *s = arg;
	struct timeval tv = { 0, SPAWN_POLL_MS * 1000 };
	pid_t rc;
	int status = 0;

	(void)fd;
	(void)events;
	do
		rc = waitpid(s->pid, &status, WNOHANG);
	while (rc == -1 && errno == EINTR);
	if (rc == s->pid) {
		spawn_finish(s, status);
		return;
	}
	if (rc == -1) {
		/* Reaped by someone else (SIGCHLD ignored meanwhile). */
		spawn_finish(s, 0xff00);
		return;
	}
	if (s->pidfd == -1)
		evtimer_add(s->ev_exit, &tv);
}

/* The time-out: kill the child; its exit is reaped as usual. */
static void
spawn_timeout(evutil_socket_t fd, short events, void *arg)
{
	struct spawn *s = arg;

	(void)fd;
	(void)events;
	s->timed_out = 1;
	kill(s->pid, SIGKILL);
}

/* Watch a stream of the child. */
static void
spawn_watch(struct spawn *s, struct spawn_stream *st)
{
	st->ev = event_new(s->base, st->fd, EV_READ | EV_PERSIST,
	    spawn_readable, s);
	if (st->ev == NULL || event_add(st->ev, NULL) != 0)
		fatalx("out of memory watching a program's output");
}

/* Watch for the child's exit: its pidfd, or where there is none a poll. */
static void
spawn_watch_exit(struct spawn *s)
{
	struct timeval tv = { 0, SPAWN_POLL_MS * 1000 };

#ifdef SYS_pidfd_open
	s->pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
#endif
	if (s->pidfd != -1) {
		s->ev_exit = event_new(s->base, s->pidfd, EV_READ | EV_PERSIST,
		    spawn_exit_check, s);
		if (s->ev_exit == NULL || event_add(s->ev_exit, NULL) != 0)
			fatalx("out of memory watching a program");
		return;
	}
	if ((s->ev_exit = evtimer_new(s->base, spawn_exit_check, s)) == NULL ||
	    evtimer_add(s->ev_exit, &tv) != 0)
		fatalx("out of memory for a timer");
}

/* Kill the child when its time-out passes (none: 0). */
static void
spawn_arm_timeout(struct spawn *s)
{
	struct timeval tv;

	if (s->timeout_ms == 0)
		return;
	tv.tv_sec = s->timeout_ms / 1000;
	tv.tv_usec = (suseconds_t)(s->timeout_ms % 1000) * 1000;
	if ((s->ev_timeout = evtimer_new(s->base, spawn_timeout, s)) == NULL ||
	    evtimer_add(s->ev_timeout, &tv) != 0)
		fatalx("out of memory for a timer");
}

/*
 * Run argv (argv[0] is the program's path) from the loop. timeout_ms: 0
 * for none. output: standard output is passed on as it comes (then it is
 * not kept); NULL: kept, up to SPAWN_MAX_OUTPUT. done is called once,
 * from the loop, with the result; the spawn is freed after it returns
 * (do not cancel it from there). Returns NULL with *cause when the
 * program cannot even be started (no pipes, no fork); a program that
 * does not exist is reported to done (exec_errno).
 */
struct spawn *
spawn_run(struct event_base *base, char *const *argv, unsigned timeout_ms,
    spawn_output_cb output, spawn_done_cb done, void *arg, char **cause)
{
	struct spawn *s;
	int p[SPAWN_NPIPES][2], i;

	if (spawn_pipes(p) != 0) {
		xasprintf(cause, "cannot run %s: %s", argv[0], strerror(errno));
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->base = base;
	s->output = output;
	s->done = done;
	s->arg = arg;
	s->pidfd = -1;
	s->timeout_ms = timeout_ms;
	s->start_us = now_us();
	s->pid = spawn_proc_fork(argv, p[0][1], p[1][1], p[2][1]);
	if (s->pid == -1) {
		xasprintf(cause, "cannot run %s: %s", argv[0], strerror(errno));
		spawn_pipes_close(p, SPAWN_NPIPES);
		free(s);
		return NULL;
	}
	for (i = 0; i < SPAWN_NPIPES; i++)
		close(p[i][1]);
	s->out.fd = p[0][0];
	s->err.fd = p[1][0];
	s->execfd = p[2][0];
	spawn_watch(s, &s->out);
	spawn_watch(s, &s->err);
	spawn_watch_exit(s);
	spawn_arm_timeout(s);
	return s;
}

/*
 * Stop a spawn: the child is killed and reaped (SIGKILL ends it at once;
 * waited for 1 s at most), and done is not called. Allowed from the
 * output callback; not from done.
 */
void
spawn_cancel(struct spawn *s)
{
	int status;

	if (s == NULL)
		return;
	if (s->in_output) {
		s->cancelled = 1;
		return;
	}
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		if (spawn_proc_reap(s->pid, SPAWN_REAP_MS, &status) != 0)
			log_warn("spawn", "process %ld did not end on SIGKILL",
			    (long)s->pid);
	}
	spawn_free(s);
}

/* The child's pid. */
pid_t
spawn_pid(const struct spawn *s)
{
	return s->pid;
}

/* Whether the program ran and exited with status 0. */
int
spawn_success(const struct spawn_result *r)
{
	return r->exec_errno == 0 && !r->timed_out && WIFEXITED(r->status) &&
	    WEXITSTATUS(r->status) == 0;
}

/* The first non-empty line of s, length-limited. */
static char *
spawn_first_line(const char *s)
{
	size_t len;

	while (*s == '\n' || *s == '\r' || *s == ' ')
		s++;
	len = strcspn(s, "\r\n");
	if (len > 200)
		len = 200;
	return xstrndup(s, len);
}

/*
 * What happened, in one line for a log: "exit status 1: error: device
 * 'X' not found", "timed out after 10000 ms", "killed by signal 9",
 * "cannot execute: No such file or directory". Free it.
 */
char *
spawn_describe(const struct spawn_result *r)
{
	char *what, *line, *s;

	if (r->exec_errno != 0)
		xasprintf(&what, "cannot execute: %s", strerror(r->exec_errno));
	else if (r->timed_out)
		xasprintf(&what, "timed out after %u ms: killed", r->timeout_ms);
	else if (WIFEXITED(r->status))
		xasprintf(&what, "exit status %d", WEXITSTATUS(r->status));
	else if (WIFSIGNALED(r->status))
		xasprintf(&what, "killed by signal %d", WTERMSIG(r->status));
	else
		what = xstrdup("ended");
	line = spawn_first_line(r->errlen > 0 ? r->err : r->out);
	if (*line == '\0') {
		free(line);
		return what;
	}
	xasprintf(&s, "%s: %s", what, line);
	free(what);
	free(line);
	return s;
}
