/* SPDX-License-Identifier: MIT */
/*
 * daemon.c: the process: event base, signals, the set of live routes,
 * reload, and shutdown.
 */
#include "config.h"

#include <sys/resource.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "dsrouterd.h"

#define DAEMON_NSIGNALS 4

struct daemon_route {
	struct route *route;
	int expired;              /* --runtime-timeout: to be freed */
	int drained;              /* retired and its last session ended */
	TAILQ_ENTRY(daemon_route) entry;
};
TAILQ_HEAD(daemon_route_list, daemon_route);

struct daemon {
	struct event_base *base;
	struct conf *conf;            /* the configuration in force */
	struct conf *initial;         /* the caller's, not ours to free */
	const char *config_path;      /* for reload; NULL from the command line */
	int log_fixed;                /* -v given: reload keeps its level */
	struct daemon_route_list routes;
	struct daemon_route_list draining; /* retired, sessions still running */
	struct event *signals[DAEMON_NSIGNALS]; /* SIGINT, SIGTERM, SIGHUP, SIGUSR1 */
	struct control *control;      /* 'dsrouterd status' */
	uint64_t start_us;
	struct event *reap;
	struct lifeline *lifeline;    /* stdin 'q', --parentprocess */
	int exit_code;
	unsigned nexpired;
};

/* Start one route; returns -1 with *cause on failure. */
static int
daemon_add_route(struct daemon *d, const struct route_conf *rc, char **cause)
{
	struct daemon_route *dr;
	struct route *r;

	if ((r = route_new(d, d->base, rc, cause)) == NULL)
		return -1;
	dr = xcalloc(1, sizeof *dr);
	dr->route = r;
	TAILQ_INSERT_TAIL(&d->routes, dr, entry);
	return 0;
}

/* Stop one route. */
static void
daemon_remove_route(struct daemon *d, struct daemon_route *dr)
{
	TAILQ_REMOVE(&d->routes, dr, entry);
	route_free(dr->route);
	free(dr);
}

/* Stop every route, the draining ones too. */
static void
daemon_stop_routes(struct daemon *d)
{
	struct daemon_route *dr;

	while ((dr = TAILQ_FIRST(&d->routes)) != NULL)
		daemon_remove_route(d, dr);
	while ((dr = TAILQ_FIRST(&d->draining)) != NULL) {
		TAILQ_REMOVE(&d->draining, dr, entry);
		route_free(dr->route);
		free(dr);
	}
}

/* A route's --runtime-timeout expired: free it outside its own callback. */
void
daemon_route_expired(struct daemon *d, struct route *r)
{
	struct daemon_route *dr;

	TAILQ_FOREACH(dr, &d->routes, entry) {
		if (dr->route == r)
			dr->expired = 1;
	}
	event_active(d->reap, EV_TIMEOUT, 0);
}

/* A retired route's last session ended: free it outside its callback. */
void
daemon_route_drained(struct daemon *d, struct route *r)
{
	struct daemon_route *dr;

	TAILQ_FOREACH(dr, &d->draining, entry) {
		if (dr->route == r)
			dr->drained = 1;
	}
	event_active(d->reap, EV_TIMEOUT, 0);
}

/* Free expired routes and drained ones; stop when none is left. */
static void
daemon_reap(evutil_socket_t fd, short events, void *arg)
{
	struct daemon *d = arg;
	struct daemon_route *dr, *next;

	(void)fd;
	(void)events;
	for (dr = TAILQ_FIRST(&d->draining); dr != NULL; dr = next) {
		next = TAILQ_NEXT(dr, entry);
		if (dr->drained) {
			TAILQ_REMOVE(&d->draining, dr, entry);
			route_free(dr->route);
			free(dr);
		}
	}
	for (dr = TAILQ_FIRST(&d->routes); dr != NULL; dr = next) {
		next = TAILQ_NEXT(dr, entry);
		if (dr->expired) {
			daemon_remove_route(d, dr);
			d->nexpired++;
		}
	}
	if (TAILQ_EMPTY(&d->routes)) {
		log_err("daemon", "no route left running; exiting");
		d->exit_code = EX_UNAVAILABLE;
		event_base_loopbreak(d->base);
	}
}

/* The running routes' configurations, for planning a reload. */
static const struct route_conf **
daemon_running(struct daemon *d, size_t *n)
{
	const struct route_conf **list = NULL;
	struct daemon_route *dr;

	*n = 0;
	TAILQ_FOREACH(dr, &d->routes, entry) {
		list = xreallocarray(list, *n + 1, sizeof *list);
		list[(*n)++] = route_get_conf(dr->route);
	}
	return list;
}

/* The entry of a running route by its configuration. */
static struct daemon_route *
daemon_find(struct daemon *d, const struct route_conf *rc)
{
	struct daemon_route *dr;

	TAILQ_FOREACH(dr, &d->routes, entry) {
		if (route_get_conf(dr->route) == rc)
			return dr;
	}
	return NULL;
}

/* Take a route out of the running set; its sessions drain if it has any. */
static void
daemon_retire_route(struct daemon *d, struct daemon_route *dr)
{
	TAILQ_REMOVE(&d->routes, dr, entry);
	if (route_retire(dr->route)) {
		TAILQ_INSERT_TAIL(&d->draining, dr, entry);
		return;
	}
	route_free(dr->route);
	free(dr);
}

/*
 * Replace a running route by a new configuration of it. The new one is
 * started first; only if it needs an address the old one holds does the
 * old stop listening first, and it listens again if the new one fails.
 * Returns 0 when replaced, -1 when the old route goes on as it was.
 */
static int
daemon_replace_route(struct daemon *d, struct daemon_route *dr,
    const struct route_conf *rc)
{
	struct route *old = dr->route;
	struct route *r;
	char *cause = NULL, *again = NULL;

	if ((r = route_new(d, d->base, rc, &cause)) == NULL &&
	    route_listens_on(old, rc)) {
		free(cause);
		cause = NULL;
		route_unlisten(old);
		if ((r = route_new(d, d->base, rc, &cause)) == NULL &&
		    route_listen(old, &again) != 0) {
			log_err("daemon", "route %s: cannot listen again either: "
			    "%s", rc->name, again);
			free(again);
		}
	}
	if (r == NULL) {
		log_err("daemon", "route %s not changed: %s; it goes on as it "
		    "was", rc->name, cause);
		free(cause);
		return -1;
	}
	route_adopt(r, old);
	daemon_retire_route(d, dr);
	dr = xcalloc(1, sizeof *dr);
	dr->route = r;
	TAILQ_INSERT_TAIL(&d->routes, dr, entry);
	return 0;
}

/* What a reload did, for its log line. */
struct daemon_reload_counts {
	unsigned kept, updated, started, stopped, failed;
};

/* Carry out one step of a reload plan. */
static void
daemon_reload_step(struct daemon *d, const struct reload_step *st,
    struct daemon_reload_counts *n)
{
	struct daemon_route *dr = st->old != NULL ? daemon_find(d, st->old) : NULL;
	char *cause = NULL;

	switch (st->action) {
	case RELOAD_REMOVE:
		daemon_retire_route(d, dr);
		n->stopped++;
		break;
	case RELOAD_KEEP:
		n->kept++;
		break;
	case RELOAD_UPDATE:
		route_update(dr->route, st->new);
		n->updated++;
		break;
	case RELOAD_REPLACE:
		if (daemon_replace_route(d, dr, st->new) != 0) {
			n->failed++;
			break;
		}
		n->started++;
		n->stopped++;
		break;
	case RELOAD_ADD:
		if (daemon_add_route(d, st->new, &cause) != 0) {
			log_err("daemon", "route %s not started: %s",
			    st->new->name, cause);
			free(cause);
			n->failed++;
			break;
		}
		n->started++;
		break;
	}
}

/*
 * Reload the configuration file: validate it whole first and keep the old
 * one if it fails; then apply it route by route (reload.c says how), never
 * cutting a live session and never losing a running route to a new
 * configuration of it that cannot start.
 */
static void
daemon_reload(struct daemon *d)
{
	struct daemon_reload_counts n;
	const struct route_conf **running;
	struct reload_plan plan;
	struct conf *nc;
	char *cause = NULL;
	size_t i, nrunning;

	if (d->config_path == NULL) {
		log_info("daemon", "SIGHUP: routes come from the command line; "
		    "nothing to reload");
		return;
	}
	if (conffile_load(&nc, d->config_path, &cause) != 0) {
		log_err("daemon", "reload refused, keeping the running "
		    "configuration: %s", cause);
		free(cause);
		return;
	}
	memset(&n, 0, sizeof n);
	running = daemon_running(d, &nrunning);
	reload_plan(&plan, running, nrunning, nc);
	for (i = 0; i < plan.nsteps; i++)
		daemon_reload_step(d, &plan.steps[i], &n);
	reload_plan_free(&plan);
	free(running);
	if (!d->log_fixed)
		log_set_level(nc->log_level);
	if (d->conf != d->initial)
		conf_free(d->conf);
	d->conf = nc;
	log_msg(n.failed > 0 ? LOG_LEVEL_ERR : LOG_LEVEL_INFO, "daemon",
	    "reloaded %s: %u route(s) kept, %u started, %u stopped, %u updated "
	    "in place, %u failed", d->config_path, n.kept, n.started, n.stopped,
	    n.updated, n.failed);
	if (TAILQ_EMPTY(&d->routes)) {
		log_err("daemon", "no route running after reload; exiting");
		d->exit_code = EX_UNAVAILABLE;
		event_base_loopbreak(d->base);
	}
}

/*
 * What the daemon is doing: its pid, version and uptime, then each route
 * (status.c); as text, or as JSON.
 */
static void
daemon_status(struct evbuffer *out, int json, void *arg)
{
	struct daemon *d = arg;
	struct daemon_route *dr;
	double up = (double)(now_us() - d->start_us) / 1e6;
	int first = 1;

	if (!json) {
		evbuffer_add_printf(out, "dsrouterd %s, pid %ld, up %.0f s, %s\n",
		    PACKAGE_VERSION, (long)getpid(), up, d->config_path != NULL ?
		    d->config_path : "routes from the command line");
		TAILQ_FOREACH(dr, &d->routes, entry)
			status_route(dr->route, out, 0, 0);
		TAILQ_FOREACH(dr, &d->draining, entry)
			status_route(dr->route, out, 0, 0);
		return;
	}
	evbuffer_add_printf(out, "{\"pid\":%ld,\"version\":\"%s\","
	    "\"uptime_s\":%.1f,\"config\":", (long)getpid(), PACKAGE_VERSION, up);
	status_json_str(out, d->config_path);
	status_add(out, ",\"routes\":[");
	TAILQ_FOREACH(dr, &d->routes, entry) {
		status_route(dr->route, out, 1, first);
		first = 0;
	}
	status_add(out, "],\"draining\":[");
	first = 1;
	TAILQ_FOREACH(dr, &d->draining, entry) {
		status_route(dr->route, out, 1, first);
		first = 0;
	}
	status_add(out, "]}\n");
}

/* SIGUSR1: the status, line by line, in the log. */
static void
daemon_log_status(struct daemon *d)
{
	struct evbuffer *out = evbuffer_new();
	char *line;
	size_t len;

	if (out == NULL)
		fatalx("out of memory");
	daemon_status(out, 0, d);
	while ((line = evbuffer_readln(out, &len, EVBUFFER_EOL_LF)) != NULL) {
		log_info("status", "%s", line);
		free(line);
	}
	evbuffer_free(out);
}

/* Open the control socket 'dsrouterd status' asks ("none": no socket). */
static int
daemon_control(struct daemon *d, const struct conf *conf, const char *path)
{
	char *def = NULL, *cause = NULL;

	if (path == NULL)
		path = conf->control_socket;
	if (path != NULL && strcmp(path, "none") == 0)
		return 0;
	if (path == NULL)
		path = def = control_default_path();
	if (*path != '/') {
		log_crit("daemon", "control socket '%s': give an absolute path "
		    "(or none)", path);
		return EX_USAGE;
	}
	d->control = control_new(d->base, path, &conf->access, daemon_status, d,
	    &cause);
	if (d->control == NULL) {
		log_crit("daemon", "%s", cause);
		free(cause);
		free(def);
		return EX_OSERR;
	}
	log_info("daemon", "status: dsrouterd status --control-socket %s",
	    control_path(d->control));
	free(def);
	return 0;
}

/* Stop the daemon cleanly (exit 0, sockets removed), saying why. */
static void
daemon_stop(const char *why, void *arg)
{
	struct daemon *d = arg;

	log_info("daemon", "%s: shutting down", why);
	notify_send("STOPPING=1");
	d->exit_code = 0;
	event_base_loopbreak(d->base);
}

/* All signals arrive here through the event loop. */
static void
daemon_signal(evutil_socket_t sig, short events, void *arg)
{
	struct daemon *d = arg;

	(void)events;
	switch (sig) {
	case SIGINT:
	case SIGTERM:
		daemon_stop(sig == SIGINT ? "SIGINT" : "SIGTERM", d);
		break;
	case SIGHUP:
		notify_send("RELOADING=1");
		daemon_reload(d);
		notify_send("READY=1");
		break;
	case SIGUSR1:
		daemon_log_status(d);
		break;
	}
}

/*
 * Watch the signals the daemon handles, but those it was told to block
 * (--block-signals), which are ignored like SIGPIPE.
 */
static void
daemon_signals(struct daemon *d, const sigset_t *blocked)
{
	static const int handled[DAEMON_NSIGNALS] = { SIGINT, SIGTERM, SIGHUP,
	    SIGUSR1 };
	struct sigaction sa;
	int i, sig;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	for (sig = 1; sig < NSIG; sig++) {
		if (sigismember(blocked, sig) == 1)
			sigaction(sig, &sa, NULL);
	}
	for (i = 0; i < DAEMON_NSIGNALS; i++) {
		if (sigismember(blocked, handled[i]) == 1)
			continue;
		d->signals[i] = evsignal_new(d->base, handled[i], daemon_signal, d);
		if (d->signals[i] == NULL || evsignal_add(d->signals[i], NULL) != 0)
			fatalx("cannot watch signals");
	}
}

/*
 * Raise the descriptor limit to what is allowed: each session takes two
 * descriptors, four while splicing, and systemd's default soft limit is 1024.
 */
static void
daemon_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		log_debug("daemon", "descriptor limit raised to %llu",
		    (unsigned long long)rl.rlim_cur);
}

/* Start the configuration's routes; the exit code when one cannot start. */
static int
daemon_start_routes(struct daemon *d, const struct conf *conf, int info)
{
	struct daemon_route *dr;
	struct route_conf *rc;
	char *cause = NULL;

	TAILQ_FOREACH(rc, &conf->routes, entry) {
		if (forward_check(rc, &cause) != 0) {
			log_crit("daemon", "%s", cause);
			free(cause);
			return EX_UNAVAILABLE;
		}
	}
	TAILQ_FOREACH(rc, &conf->routes, entry) {
		if (daemon_add_route(d, rc, &cause) != 0) {
			log_crit("daemon", "route %s: %s", rc->name, cause);
			free(cause);
			return EX_OSERR;
		}
	}
	if (info) {
		TAILQ_FOREACH(dr, &d->routes, entry)
			explain_info(dr->route, stdout);
		fflush(stdout);
	}
	return 0;
}

/* Run the routes of a validated configuration until told to stop. */
int
daemon_run(struct conf *conf, const struct run_opts *opts)
{
	struct daemon d;
	int i;

	memset(&d, 0, sizeof d);
	TAILQ_INIT(&d.routes);
	TAILQ_INIT(&d.draining);
	d.conf = d.initial = conf;
	d.config_path = opts->config_path;
	d.log_fixed = opts->log_fixed;
	srandom((unsigned)(time(NULL) ^ getpid()));
	daemon_raise_nofile();

	if ((d.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	daemon_signals(&d, &opts->blocked);
	if ((d.reap = event_new(d.base, -1, 0, daemon_reap, &d)) == NULL)
		fatalx("out of memory setting up the event loop");
	d.start_us = now_us();
	if ((d.exit_code = daemon_start_routes(&d, conf, opts->info)) == 0 &&
	    (d.exit_code = daemon_control(&d, conf, opts->control_socket)) == 0) {
		d.lifeline = lifeline_new(d.base, opts->parent,
		    opts->parent_name, daemon_stop, &d);
		log_info("daemon", "dsrouterd %s running %u route(s), pid %ld",
		    PACKAGE_VERSION, conf->nroutes, (long)getpid());
		notify_send("READY=1");
		event_base_dispatch(d.base);
	}

	lifeline_free(d.lifeline);
	control_free(d.control);
	daemon_stop_routes(&d);
	/* libevent frees some bufferevents from the loop: let it. */
	event_base_loop(d.base, EVLOOP_NONBLOCK);
	for (i = 0; i < DAEMON_NSIGNALS; i++) {
		if (d.signals[i] != NULL)
			event_free(d.signals[i]);
	}
	event_free(d.reap);
	event_base_free(d.base);
	if (d.conf != conf)
		conf_free(d.conf);
	return d.exit_code;
}
