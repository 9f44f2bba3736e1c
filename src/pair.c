/* SPDX-License-Identifier: MIT */
/*
 * pair.c: the server-server pairing table (pure logic, no I/O).
 *
 * Runtimes are known by their advertise cookie. The newest runtime instance
 * that still has a connection is the current one; tools are paired, oldest
 * first, with its idle advertised connections. A cookie never seen before
 * replaces the previous runtime at once: the caller closes the idle
 * connections of the older instances, which are stale after a restart. A
 * known cookie never causes a close of another runtime's connections, so
 * two live runtimes on one port cannot make each other reconnect in a loop.
 * A runtime keeps one idle connection per port; one cookie with more than
 * PAIR_MAX_IDLE idle connections (a peer posing as the runtime, or dead
 * connections left behind) has its oldest closed.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dsrouterd.h"

/*
 * Initialise an empty table. With many, every cookie is a runtime of its
 * own (none replaces another) and a tool may ask for a given one.
 */
void
pair_init(struct pair *p, int many)
{
	memset(p, 0, sizeof *p);
	p->many = many;
	TAILQ_INIT(&p->runtimes);
	TAILQ_INIT(&p->idle);
	TAILQ_INIT(&p->tools);
}

/* Free every entry; handles are the caller's. */
void
pair_clear(struct pair *p)
{
	struct pair_runtime *r;
	struct pair_item *it;

	while ((it = TAILQ_FIRST(&p->idle)) != NULL) {
		TAILQ_REMOVE(&p->idle, it, entry);
		free(it);
	}
	while ((it = TAILQ_FIRST(&p->tools)) != NULL) {
		TAILQ_REMOVE(&p->tools, it, entry);
		free(it);
	}
	while ((r = TAILQ_FIRST(&p->runtimes)) != NULL) {
		TAILQ_REMOVE(&p->runtimes, r, entry);
		free(r);
	}
	p->nruntimes = 0;
}

/* Find a runtime by cookie. */
struct pair_runtime *
pair_find(struct pair *p, const uint8_t *cookie)
{
	struct pair_runtime *r;

	TAILQ_FOREACH(r, &p->runtimes, entry) {
		if (memcmp(r->adv.cookie, cookie, IPC_COOKIE_SIZE) == 0)
			return r;
	}
	return NULL;
}

/*
 * Forget the oldest runtimes without connections beyond the history limit,
 * but never keep, which the caller is about to be given.
 */
static void
pair_trim(struct pair *p, const struct pair_runtime *keep)
{
	struct pair_runtime *r, *prev;

	r = TAILQ_LAST(&p->runtimes, pair_runtime_list);
	while (p->nruntimes > PAIR_MAX_RUNTIMES && r != NULL) {
		prev = TAILQ_PREV(r, pair_runtime_list, entry);
		if (r->nconns == 0 && r != keep && r->user == NULL) {
			TAILQ_REMOVE(&p->runtimes, r, entry);
			free(r);
			p->nruntimes--;
		}
		r = prev;
	}
}

/* The current runtime: the newest one with a live connection. */
struct pair_runtime *
pair_current(struct pair *p)
{
	struct pair_runtime *r;

	TAILQ_FOREACH(r, &p->runtimes, entry) {
		if (r->nconns > 0)
			return r;
	}
	return NULL;
}

/* Move an idle entry out of the table into a list of handles to close. */
static void
pair_evict(struct pair *p, struct pair_item *it, void ***stale, size_t *nstale)
{
	*stale = xreallocarray(*stale, *nstale + 1, sizeof **stale);
	(*stale)[(*nstale)++] = it->handle;
	it->runtime->nconns--;
	TAILQ_REMOVE(&p->idle, it, entry);
	free(it);
}

/* Evict a runtime's oldest idle connections beyond PAIR_MAX_IDLE. */
static void
pair_cap(struct pair *p, struct pair_runtime *r, void ***stale, size_t *nstale)
{
	struct pair_item *it, *next;
	unsigned n = 0;

	TAILQ_FOREACH(it, &p->idle, entry) {
		if (it->runtime == r)
			n++;
	}
	for (it = TAILQ_FIRST(&p->idle); it != NULL && n > PAIR_MAX_IDLE;
	    it = next) {
		next = TAILQ_NEXT(it, entry);
		if (it->runtime == r) {
			pair_evict(p, it, stale, nstale);
			n--;
		}
	}
}

/*
 * Add an idle advertised connection. *stale holds handles, already removed
 * from the table, for the caller to close: on PAIR_REPLACED the older
 * runtimes' idle connections (*prev is the runtime replaced), and in any
 * case this runtime's oldest idle connections beyond PAIR_MAX_IDLE.
 */
enum pair_event
pair_runtime_add(struct pair *p, const struct ipc_advertise *adv, void *handle,
    struct pair_runtime **prev, void ***stale, size_t *nstale)
{
	struct pair_runtime *r, *cur;
	struct pair_item *it, *next;
	enum pair_event ev;

	*stale = NULL;
	*nstale = 0;
	*prev = NULL;
	if ((r = pair_find(p, adv->cookie)) != NULL) {
		ev = PAIR_KNOWN;
	} else {
		cur = pair_current(p);
		ev = TAILQ_EMPTY(&p->runtimes) ? PAIR_FIRST : p->many ?
		    PAIR_ANOTHER : PAIR_REPLACED;
		*prev = p->many ? NULL : cur;
		r = xcalloc(1, sizeof *r);
		r->adv = *adv;
		r->seq = ++p->seq;
		TAILQ_INSERT_HEAD(&p->runtimes, r, entry);
		p->nruntimes++;
		for (it = TAILQ_FIRST(&p->idle); !p->many && it != NULL;
		    it = next) {
			next = TAILQ_NEXT(it, entry);
			pair_evict(p, it, stale, nstale);
		}
	}
	r->adv.pid = adv->pid;
	r->nconns++;
	it = xcalloc(1, sizeof *it);
	it->handle = handle;
	it->runtime = r;
	TAILQ_INSERT_TAIL(&p->idle, it, entry);
	pair_cap(p, r, stale, nstale);
	pair_trim(p, *prev);
	return ev;
}

/* An idle runtime connection closed; returns its runtime, or NULL. */
struct pair_runtime *
pair_runtime_idle_gone(struct pair *p, void *handle)
{
	struct pair_runtime *r;
	struct pair_item *it;

	TAILQ_FOREACH(it, &p->idle, entry) {
		if (it->handle == handle) {
			r = it->runtime;
			r->nconns--;
			TAILQ_REMOVE(&p->idle, it, entry);
			free(it);
			return r;
		}
	}
	return NULL;
}

/*
 * Forget a runtime that has gone (no connection left). Returns the tools
 * that waited for it, out of the table, for the caller to answer.
 */
void **
pair_runtime_forget(struct pair *p, struct pair_runtime *r, size_t *n)
{
	struct pair_item *it, *next;
	void **tools = NULL;

	*n = 0;
	for (it = TAILQ_FIRST(&p->tools); it != NULL; it = next) {
		next = TAILQ_NEXT(it, entry);
		if (it->runtime != r)
			continue;
		tools = xreallocarray(tools, *n + 1, sizeof *tools);
		tools[(*n)++] = it->handle;
		TAILQ_REMOVE(&p->tools, it, entry);
		free(it);
	}
	for (it = TAILQ_FIRST(&p->idle); it != NULL; it = next) {
		next = TAILQ_NEXT(it, entry);
		if (it->runtime == r) {
			TAILQ_REMOVE(&p->idle, it, entry);
			free(it);
		}
	}
	TAILQ_REMOVE(&p->runtimes, r, entry);
	p->nruntimes--;
	free(r);
	return tools;
}

/*
 * Take an idle connection out of the table for the caller's own command:
 * it still counts as the runtime's until pair_runtime_session_done.
 */
int
pair_take_idle(struct pair *p, void *handle)
{
	struct pair_item *it;

	TAILQ_FOREACH(it, &p->idle, entry) {
		if (it->handle == handle) {
			TAILQ_REMOVE(&p->idle, it, entry);
			free(it);
			return 1;
		}
	}
	return 0;
}

/* A session on a connection of this runtime ended. */
void
pair_runtime_session_done(struct pair *p, struct pair_runtime *r)
{
	struct pair_runtime *it;

	TAILQ_FOREACH(it, &p->runtimes, entry) {
		if (it == r && r->nconns > 0) {
			r->nconns--;
			return;
		}
	}
}

/*
 * A tool with a complete first frame wants a connection of a runtime, or
 * of the current one (NULL).
 */
void
pair_tool_add(struct pair *p, void *handle, struct pair_runtime *want)
{
	struct pair_item *it;

	it = xcalloc(1, sizeof *it);
	it->handle = handle;
	it->runtime = want;
	TAILQ_INSERT_TAIL(&p->tools, it, entry);
}

/* The oldest idle connection of a runtime, or NULL. */
static struct pair_item *
pair_idle_of(struct pair *p, const struct pair_runtime *r)
{
	struct pair_item *it;

	TAILQ_FOREACH(it, &p->idle, entry) {
		if (it->runtime == r)
			return it;
	}
	return NULL;
}

/* A waiting tool left or timed out; returns whether it was waiting. */
int
pair_tool_remove(struct pair *p, void *handle)
{
	struct pair_item *it;

	TAILQ_FOREACH(it, &p->tools, entry) {
		if (it->handle == handle) {
			TAILQ_REMOVE(&p->tools, it, entry);
			free(it);
			return 1;
		}
	}
	return 0;
}

/* The next waiting tool and the idle connection it would get, or 0. */
static int
pair_next(struct pair *p, struct pair_item **tool, struct pair_item **conn)
{
	struct pair_runtime *cur = pair_current(p), *want;
	struct pair_item *t, *it = NULL;

	TAILQ_FOREACH(t, &p->tools, entry) {
		want = t->runtime != NULL ? t->runtime : cur;
		if (want != NULL && (it = pair_idle_of(p, want)) != NULL)
			break;
	}
	if (t == NULL)
		return 0;
	*tool = t;
	*conn = it;
	return 1;
}

/*
 * The pair pair_match would make next, left in the table: the caller may
 * find the connection dead and close it first.
 */
int
pair_peek(struct pair *p, void **tool, void **conn)
{
	struct pair_item *t, *it;

	if (!pair_next(p, &t, &it))
		return 0;
	*tool = t->handle;
	*conn = it->handle;
	return 1;
}

/*
 * Pair the oldest waiting tool that can be served with the oldest idle
 * connection of the runtime it wants (the current one, unless it asked for
 * another). Returns 1 and the three pieces when a pair is made; the
 * connection then counts as in session until pair_runtime_session_done.
 */
int
pair_match(struct pair *p, void **tool, void **conn, struct pair_runtime **rt)
{
	struct pair_item *t, *it;

	if (!pair_next(p, &t, &it))
		return 0;
	*tool = t->handle;
	*conn = it->handle;
	*rt = it->runtime;
	TAILQ_REMOVE(&p->tools, t, entry);
	TAILQ_REMOVE(&p->idle, it, entry);
	free(t);
	free(it);
	return 1;
}

/* Whether a tool added now for this runtime (or the current one) would be paired at once. */
int
pair_ready(struct pair *p, struct pair_runtime *want)
{
	struct pair_item *t;

	if (want == NULL)
		want = pair_current(p);
	if (want == NULL)
		return 0;
	TAILQ_FOREACH(t, &p->tools, entry) {
		if ((t->runtime != NULL ? t->runtime : pair_current(p)) == want)
			return 0;
	}
	return pair_idle_of(p, want) != NULL;
}

/* Number of idle runtime connections. */
size_t
pair_idle_count(struct pair *p)
{
	struct pair_item *it;
	size_t n = 0;

	TAILQ_FOREACH(it, &p->idle, entry)
		n++;
	return n;
}

/* Number of tools waiting. */
size_t
pair_tool_count(struct pair *p)
{
	struct pair_item *it;
	size_t n = 0;

	TAILQ_FOREACH(it, &p->tools, entry)
		n++;
	return n;
}
