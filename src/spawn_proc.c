/* SPDX-License-Identifier: MIT */
/*
 * spawn_proc.c: child processes without the loop: fork and exec (only
 * async-signal-safe calls in the child: its own process group, death with
 * the daemon, default signals, standard streams, every other descriptor
 * closed), a brief wait for a killed child, and commands run together to
 * their end (the daemon's stop, when the loop no longer runs).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dsrouterd.h"
#include "device.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char **environ;

/* What a child needs, prepared before fork (nothing allocates after). */
struct spawn_proc_child {
	char *const *argv;
	int devnull, out, err, execfd;
	pid_t parent;
	long maxfd;
	struct sigaction dfl;
	sigset_t none;
};

/*
 * In the child, between fork and exec: only async-signal-safe calls. A
 * new process group, death with the parent, default signal handling
 * (ignored signals stay ignored across exec), standard streams, every
 * other descriptor closed on exec, then the program.
 */
static void DSR_NORETURN
spawn_proc_exec(const struct spawn_proc_child *c)
{
	int sig, fd, e;

	setpgid(0, 0);
#ifdef PR_SET_PDEATHSIG
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != c->parent)
		_exit(127);
#endif
	for (sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &c->dfl, NULL);
	}
	sigprocmask(SIG_SETMASK, &c->none, NULL);
	if (dup2(c->devnull, STDIN_FILENO) == -1 ||
	    dup2(c->out, STDOUT_FILENO) == -1 ||
	    dup2(c->err, STDERR_FILENO) == -1)
		goto fail;
	fd = -1;
#ifdef SYS_close_range
	fd = (int)syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
#endif
	if (fd != 0) {
		for (fd = 3; fd < c->maxfd; fd++) {
			if (fd != c->execfd)
				close(fd);
		}
	}
	execve(c->argv[0], c->argv, environ);
fail:
	e = errno;
	if (write(c->execfd, &e, sizeof e) == -1)
		_exit(127);
	_exit(127);
}

/*
 * Start argv[0] (a path, not looked up in PATH) with standard input from
 * /dev/null and standard output and error on out and err. Returns the
 * pid, or -1 with errno set. execfd gets the errno of a failed exec.
 */
pid_t
spawn_proc_fork(char *const *argv, int out, int err, int execfd)
{
	struct spawn_proc_child c;
	struct sigaction sa;
	int *fds[4], dups[4] = { -1, -1, -1, -1 }, devnull, i, e;
	pid_t pid = -1;

	memset(&c, 0, sizeof c);
	c.argv = argv;
	c.out = out;
	c.err = err;
	c.execfd = execfd;
	c.parent = getpid();
	c.maxfd = sysconf(_SC_OPEN_MAX);
	if (c.maxfd < 0 || c.maxfd > INT_MAX)
		c.maxfd = 65536;
	c.dfl.sa_handler = SIG_DFL;
	sigemptyset(&c.dfl.sa_mask);
	sigemptyset(&c.none);
	/* Statuses are needed: children must not be reaped by the kernel. */
	if (sigaction(SIGCHLD, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
		sigaction(SIGCHLD, &c.dfl, NULL);
	if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	c.devnull = devnull;
	/*
	 * A daemon started with standard streams closed may have been given
	 * 0, 1 or 2 for these: move them above, or the dup2s would clash.
	 */
	fds[0] = &c.devnull;
	fds[1] = &c.out;
	fds[2] = &c.err;
	fds[3] = &c.execfd;
	for (i = 0; i < 4; i++) {
		if (*fds[i] >= 0 && *fds[i] <= STDERR_FILENO) {
			if ((dups[i] = fcntl(*fds[i], F_DUPFD_CLOEXEC, 3)) == -1)
				goto out;
			*fds[i] = dups[i];
		}
	}
	pid = fork();
	if (pid == 0)
		spawn_proc_exec(&c);
out:
	e = errno;
	for (i = 0; i < 4; i++) {
		if (dups[i] != -1)
			close(dups[i]);
	}
	close(devnull);
	errno = e;
	return pid;
}

/* Wait for a killed child, briefly: 0 once reaped. */
int
spawn_proc_reap(pid_t pid, unsigned ms, int *status)
{
	struct timespec ts = { 0, 1000000 };
	uint64_t end = now_us() + (uint64_t)ms * 1000;
	pid_t rc;

	for (;;) {
		rc = waitpid(pid, status, WNOHANG);
		if (rc == pid || (rc == -1 && errno != EINTR))
			return 0;
		if (now_us() >= end)
			return -1;
		nanosleep(&ts, NULL);
	}
}

/*
 * Run n commands at once and wait for them all, timeout_ms at most in
 * all (then those left are killed): for the daemon's stop, when the loop
 * no longer runs. Output goes to /dev/null. status[i] is the wait status,
 * or -1 when the command could not be started or was killed. Returns how
 * many did not finish in time.
 */
unsigned
spawn_proc_sync(char *const *const *argvs, size_t n, unsigned timeout_ms,
    int *status)
{
	struct timespec ts = { 0, 2000000 };
	uint64_t end = now_us() + (uint64_t)timeout_ms * 1000;
	pid_t *pids;
	unsigned late = 0;
	size_t i, left = 0;
	int null, st;
	pid_t rc;

	pids = xcalloc(n == 0 ? 1 : n, sizeof *pids);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	for (i = 0; i < n; i++) {
		status[i] = -1;
		pids[i] = -1;
		if (null == -1)
			continue;
		/* A failed exec's errno goes to /dev/null too: it exits 127. */
		pids[i] = spawn_proc_fork(argvs[i], null, null, null);
		if (pids[i] > 0)
			left++;
	}
	if (null != -1)
		close(null);
	while (left > 0) {
		for (i = 0; i < n; i++) {
			if (pids[i] <= 0)
				continue;
			rc = waitpid(pids[i], &st, WNOHANG);
			if (rc == pids[i] || (rc == -1 && errno == ECHILD)) {
				status[i] = rc == pids[i] ? st : -1;
				pids[i] = -1;
				left--;
			}
		}
		if (left == 0 || now_us() >= end)
			break;
		nanosleep(&ts, NULL);
	}
	for (i = 0; i < n; i++) {
		if (pids[i] <= 0)
			continue;
		kill(pids[i], SIGKILL);
		spawn_proc_reap(pids[i], SPAWN_REAP_MS, &st);
		late++;
	}
	free(pids);
	return late;
}
