/* SPDX-License-Identifier: MIT */
/*
 * fuzz_pair.c: fuzz target for the server-server pairing table. The first
 * input byte picks one runtime per route or many (runtimes = many); the
 * rest is a stream of two-byte operations, used the way server_server.c
 * and runtime.c use the table: a runtime connection advertised with cookie
 * k, an idle connection gone, one taken for the router's own command, a
 * session done, a tool added (for the current runtime, or in many mode for
 * one runtime), a tool removed, a match, a runtime gone (many mode). Each
 * is applied to the table and to a model kept here; after each one the
 * table must agree with the model:
 * - a match pairs the oldest tool that can be served with the oldest idle
 *   connection of the runtime it wants: the one it asked for, else the
 *   newest runtime that has a live connection; and only then;
 * - one runtime: a new cookie hands back as stale exactly the idle
 *   connections of the older runtimes; many: none; a known cookie none of
 *   another runtime's; and always the oldest of the runtime's own beyond
 *   PAIR_MAX_IDLE;
 * - a runtime gone hands back exactly the tools that waited for it;
 * - counts of idle connections, tools, runtimes and each runtime's
 *   connections agree, and which runtimes are forgotten;
 * - no handle is ever handed back twice, or in a state it is not in.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dsrouterd.h"
#include "fuzz.h"

#define MAX_OPS 1024
#define NCOOKIES 20              /* more than PAIR_MAX_RUNTIMES, to forget some */

/* What a handle is, for the model. */
enum hstate {
	H_UNUSED,
	H_IDLE,                  /* an idle runtime connection in the table */
	H_SESSION,               /* a runtime connection paired or taken */
	H_CLOSED,                /* a runtime connection gone or handed back stale */
	H_WAITING,               /* a tool waiting */
	H_PAIRED,                /* a tool paired */
	H_LEFT,                  /* a tool removed, or handed back */
};

/* A runtime instance of the model, in order of first appearance. */
struct mrt {
	uint8_t k;               /* its cookie's key */
	uint64_t pid;
	unsigned nconns;
	int known;               /* still in the table (not forgotten) */
	int user;                /* the caller's (many: it has a runtime object) */
	struct pair_runtime *ptr;
};

/* A runtime connection of the model, or a tool: its handle and its runtime. */
struct mconn {
	size_t h;
	long rt;                 /* tools: the runtime wanted, or -1 */
};

/* The model. */
struct model {
	int many;
	struct mrt rt[MAX_OPS + 1];
	size_t nrt;
	size_t nknown;                  /* runtimes still in the table */
	struct mconn idle[MAX_OPS + 1]; /* in the order added */
	size_t nidle;
	struct mconn sess[MAX_OPS + 1]; /* connections in session */
	size_t nsess;
	struct mconn tools[MAX_OPS + 1];/* oldest first */
	size_t ntools;
	enum hstate state[MAX_OPS + 2];
	size_t nhandles;                /* handles used: 1..nhandles */
};

/* Handles are addresses into this array; index 0 is never handed out. */
static char handles[MAX_OPS + 2];

/* The handle with this number, and back. */
static void *
H(size_t i)
{
	return &handles[i];
}

static size_t
HI(void *h)
{
	FUZZ_CHECK((char *)h >= handles && (char *)h < handles + sizeof handles);
	return (size_t)((char *)h - handles);
}

/* The cookie of key k. */
static struct ipc_advertise
adv_of(uint8_t k, uint64_t pid)
{
	struct ipc_advertise adv;

	memset(adv.cookie, 0xa5, sizeof adv.cookie);
	adv.cookie[15 - k % 16] = k;
	adv.pid = pid;
	return adv;
}

/* The model's current runtime: the newest known one with a connection, or -1. */
static long
m_current(const struct model *m)
{
	size_t i;

	for (i = m->nrt; i-- > 0;) {
		if (m->rt[i].known && m->rt[i].nconns > 0)
			return (long)i;
	}
	return -1;
}

/* The model runtime with cookie key k still in the table, or -1. */
static long
m_find(const struct model *m, uint8_t k)
{
	size_t i;

	for (i = 0; i < m->nrt; i++) {
		if (m->rt[i].known && m->rt[i].k == k)
			return (long)i;
	}
	return -1;
}

/* Index of the oldest idle connection of runtime r, or nidle. */
static size_t
m_idle_of(const struct model *m, long r)
{
	size_t i;

	for (i = 0; i < m->nidle && m->idle[i].rt != r; i++)
		;
	return i;
}

/* The runtime a tool waits for: the one it asked for, else the current one, cur. */
static long
m_want(const struct mconn *t, long cur)
{
	return t->rt >= 0 ? t->rt : cur;
}

/* Remove entry i of an array of n. */
static void
del_conn(struct mconn *a, size_t *n, size_t i)
{
	memmove(a + i, a + i + 1, (*n - i - 1) * sizeof *a);
	(*n)--;
}

/* Whether a tool wanting runtime r (or the current one, -1) would be paired at once. */
static int
m_ready(const struct model *m, long r)
{
	long cur = m_current(m);
	size_t i;

	if (r < 0 && (r = cur) < 0)
		return 0;
	for (i = 0; i < m->ntools; i++) {
		if (m_want(&m->tools[i], cur) == r)
			return 0;
	}
	return m_idle_of(m, r) < m->nidle;
}

/*
 * The table and the model agree on everything that can be seen (lookups
 * by cookie and readiness for one runtime, the sel-th, to keep it fast).
 */
static void
check_agree(struct pair *p, const struct model *m, size_t sel)
{
	struct pair_runtime *r;
	long cur;
	size_t i, pos = 0;

	FUZZ_CHECK(pair_idle_count(p) == m->nidle);
	FUZZ_CHECK(pair_tool_count(p) == m->ntools);
	FUZZ_CHECK(p->nruntimes == m->nknown);
	cur = m_current(m);
	FUZZ_CHECK(pair_current(p) == (cur < 0 ? NULL : m->rt[cur].ptr));
	FUZZ_CHECK(pair_ready(p, NULL) == m_ready(m, -1));

	/* Newest first, each with its connections and its latest pid. */
	i = m->nrt;
	TAILQ_FOREACH(r, &p->runtimes, entry) {
		while (i > 0 && !m->rt[i - 1].known)
			i--;
		FUZZ_CHECK(i > 0);
		i--;
		FUZZ_CHECK(r == m->rt[i].ptr);
		FUZZ_CHECK(r->nconns == m->rt[i].nconns);
		FUZZ_CHECK(r->adv.pid == m->rt[i].pid);
		FUZZ_CHECK((r->user != NULL) == m->rt[i].user);
		if (pos++ != sel % (m->nknown > 0 ? m->nknown : 1))
			continue;
		FUZZ_CHECK(pair_find(p, r->adv.cookie) == r);
		if (m->rt[i].user)
			FUZZ_CHECK(pair_ready(p, r) == m_ready(m, (long)i));
	}
	while (i > 0)
		FUZZ_CHECK(!m->rt[--i].known);
}

/* Model: hand back idle entry i as stale, into exp. */
static void
m_evict(struct model *m, size_t i, size_t *exp, size_t *nexp)
{
	exp[(*nexp)++] = m->idle[i].h;
	m->rt[m->idle[i].rt].nconns--;
	del_conn(m->idle, &m->nidle, i);
}

/* A runtime connection advertises cookie key k. */
static void
op_advertise(struct pair *p, struct model *m, uint8_t arg)
{
	static size_t exp[MAX_OPS + 1];
	struct ipc_advertise adv;
	struct pair_runtime *prev;
	enum pair_event ev;
	void **stale;
	size_t nstale, nexp = 0, i, j, h, r, n;
	long known, cur;
	uint8_t k = (uint8_t)(arg % NCOOKIES);

	adv = adv_of(k, 1000 + (uint64_t)arg);
	h = ++m->nhandles;
	known = m_find(m, k);
	cur = m_current(m);
	ev = pair_runtime_add(p, &adv, H(h), &prev, &stale, &nstale);

	if (known >= 0) {
		/* A known cookie closes nothing of another runtime's. */
		FUZZ_CHECK(ev == PAIR_KNOWN);
		FUZZ_CHECK(prev == NULL);
		r = (size_t)known;
	} else {
		if (m->nknown == 0)
			FUZZ_CHECK(ev == PAIR_FIRST);
		else
			FUZZ_CHECK(ev == (m->many ? PAIR_ANOTHER : PAIR_REPLACED));
		if (m->many) {
			/* One more runtime, beside the others. */
			FUZZ_CHECK(prev == NULL);
		} else {
			/* A new one: every idle connection there was is stale. */
			FUZZ_CHECK(prev == (cur < 0 ? NULL : m->rt[cur].ptr));
			while (m->nidle > 0)
				m_evict(m, 0, exp, &nexp);
		}
		r = m->nrt++;
		memset(&m->rt[r], 0, sizeof m->rt[r]);
		m->rt[r].k = k;
		m->rt[r].known = 1;
		m->nknown++;
		m->rt[r].ptr = TAILQ_FIRST(&p->runtimes);
		FUZZ_CHECK(m->rt[r].ptr != NULL);
		FUZZ_CHECK(m->rt[r].ptr->user == NULL);
		for (i = 0; i < r; i++)
			FUZZ_CHECK(!m->rt[i].known || m->rt[i].ptr != m->rt[r].ptr);
	}
	m->rt[r].pid = adv.pid;
	m->rt[r].nconns++;
	m->state[h] = H_IDLE;
	m->idle[m->nidle].h = h;
	m->idle[m->nidle++].rt = (long)r;

	/* Beyond PAIR_MAX_IDLE idle connections, this runtime's oldest are stale. */
	for (n = 0, i = 0; i < m->nidle; i++)
		n += m->idle[i].rt == (long)r;
	for (i = 0; n > PAIR_MAX_IDLE && i < m->nidle;) {
		if (m->idle[i].rt == (long)r) {
			m_evict(m, i, exp, &nexp);
			n--;
		} else
			i++;
	}

	/* Stale: exactly those, each an idle connection, none twice. */
	FUZZ_CHECK(nstale == nexp);
	for (i = 0; i < nstale; i++) {
		j = HI(stale[i]);
		FUZZ_CHECK(m->state[j] == H_IDLE);
		m->state[j] = H_CLOSED;
	}
	for (i = 0; i < nexp; i++)
		FUZZ_CHECK(m->state[exp[i]] == H_CLOSED);
	free(stale);

	/*
	 * Beyond PAIR_MAX_RUNTIMES, the oldest runtimes without connections
	 * are forgotten, but never the one just replaced, nor one the caller
	 * holds.
	 */
	for (i = 0; i < m->nrt && m->nknown > PAIR_MAX_RUNTIMES; i++) {
		if (m->rt[i].known && m->rt[i].nconns == 0 && !m->rt[i].user &&
		    (known >= 0 || m->many || cur < 0 || i != (size_t)cur)) {
			m->rt[i].known = 0;
			m->nknown--;
		}
	}

	/* Many: the router makes a runtime object for each new one. */
	if (m->many && known < 0) {
		m->rt[r].ptr->user = m->rt[r].ptr;
		m->rt[r].user = 1;
	}
}

/* A handle (an idle one, or any other) closes while idle; or is taken. */
static void
op_idle(struct pair *p, struct model *m, uint8_t arg, int take)
{
	struct pair_runtime *got;
	size_t h, i;
	long r;

	if ((arg & 1) && m->nidle > 0)
		h = m->idle[(arg >> 1) % m->nidle].h;
	else
		h = (size_t)(arg >> 1) % (m->nhandles + 1);
	for (i = 0; i < m->nidle && m->idle[i].h != h; i++)
		;
	r = i < m->nidle ? m->idle[i].rt : -1;
	if (take) {
		/* Out of the table, still the runtime's until its session is done. */
		FUZZ_CHECK(pair_take_idle(p, H(h)) == (r >= 0));
		if (r < 0)
			return;
		m->state[h] = H_SESSION;
		m->sess[m->nsess].h = h;
		m->sess[m->nsess++].rt = r;
	} else {
		got = pair_runtime_idle_gone(p, H(h));
		FUZZ_CHECK(got == (r < 0 ? NULL : m->rt[r].ptr));
		if (r < 0)
			return;
		m->rt[r].nconns--;
		m->state[h] = H_CLOSED;
	}
	del_conn(m->idle, &m->nidle, i);
}

/* A session ends. */
static void
op_session_done(struct pair *p, struct model *m, uint8_t arg)
{
	size_t s;
	long r;

	if (m->nsess == 0)
		return;
	s = arg % m->nsess;
	r = m->sess[s].rt;
	FUZZ_CHECK(m->rt[r].known && m->rt[r].nconns > 0);
	pair_runtime_session_done(p, m->rt[r].ptr);
	m->rt[r].nconns--;
	FUZZ_CHECK(m->state[m->sess[s].h] == H_SESSION);
	m->state[m->sess[s].h] = H_CLOSED;
	del_conn(m->sess, &m->nsess, s);
}

/*
 * A tool arrives with its first frame: for the current runtime, or (many,
 * on a runtime's own socket) for runtime k, which the router holds.
 */
static void
op_tool_add(struct pair *p, struct model *m, uint8_t arg, int for_one)
{
	size_t h;
	long want = -1;

	if (for_one) {
		want = m_find(m, (uint8_t)(arg % NCOOKIES));
		if (want < 0 || !m->rt[want].user)
			return;
	}
	h = ++m->nhandles;
	pair_tool_add(p, H(h), want < 0 ? NULL : m->rt[want].ptr);
	m->state[h] = H_WAITING;
	m->tools[m->ntools].h = h;
	m->tools[m->ntools++].rt = want;
}

/* A tool (a waiting one, or any other handle) leaves; only a waiting one counts. */
static void
op_tool_remove(struct pair *p, struct model *m, uint8_t arg)
{
	size_t h, i;
	int was;

	if ((arg & 1) && m->ntools > 0)
		h = m->tools[(arg >> 1) % m->ntools].h;
	else
		h = (size_t)(arg >> 1) % (m->nhandles + 1);
	was = m->state[h] == H_WAITING;
	FUZZ_CHECK(pair_tool_remove(p, H(h)) == was);
	if (!was)
		return;
	m->state[h] = H_LEFT;
	for (i = 0; i < m->ntools && m->tools[i].h != h; i++)
		;
	FUZZ_CHECK(i < m->ntools);
	del_conn(m->tools, &m->ntools, i);
}

/* Try to pair; returns whether a pair was made. */
static int
op_match(struct pair *p, struct model *m)
{
	struct pair_runtime *rt = NULL;
	void *tool = NULL, *conn = NULL, *peek_tool, *peek_conn;
	size_t i, c = 0, t, hc;
	long want = -1, cur = m_current(m);
	int ok;

	for (i = 0; i < m->ntools; i++) {
		want = m_want(&m->tools[i], cur);
		if (want >= 0 && (c = m_idle_of(m, want)) < m->nidle)
			break;
	}
	ok = i < m->ntools;
	/* pair_peek names the pair pair_match then makes. */
	FUZZ_CHECK(pair_peek(p, &tool, &conn) == ok);
	peek_tool = tool;
	peek_conn = conn;
	FUZZ_CHECK(pair_match(p, &tool, &conn, &rt) == ok);
	if (!ok)
		return 0;
	FUZZ_CHECK(tool == peek_tool && conn == peek_conn);
	t = HI(tool);
	hc = HI(conn);
	FUZZ_CHECK(t == m->tools[i].h && m->state[t] == H_WAITING);
	FUZZ_CHECK(hc == m->idle[c].h && m->state[hc] == H_IDLE);
	FUZZ_CHECK(rt == m->rt[want].ptr);
	m->state[t] = H_PAIRED;
	m->state[hc] = H_SESSION;
	del_conn(m->tools, &m->ntools, i);
	del_conn(m->idle, &m->nidle, c);
	m->sess[m->nsess].h = hc;
	m->sess[m->nsess++].rt = want;
	return 1;
}

/*
 * Many: runtime k had no connection for its grace period; the router drops
 * its object and forgets it, and answers the tools that waited for it.
 */
static void
op_runtime_gone(struct pair *p, struct model *m, uint8_t arg)
{
	void **tools;
	size_t n, i, j, nexp = 0;
	long r;

	if ((r = m_find(m, (uint8_t)(arg % NCOOKIES))) < 0 || !m->rt[r].user ||
	    m->rt[r].nconns > 0)
		return;
	m->rt[r].ptr->user = NULL;
	m->rt[r].user = 0;
	tools = pair_runtime_forget(p, m->rt[r].ptr, &n);
	for (i = 0; i < m->ntools;) {
		if (m->tools[i].rt == r) {
			nexp++;
			m->state[m->tools[i].h] = H_LEFT;
			del_conn(m->tools, &m->ntools, i);
		} else
			i++;
	}
	FUZZ_CHECK(n == nexp);
	for (i = 0; i < n; i++) {
		j = HI(tools[i]);
		FUZZ_CHECK(m->state[j] == H_LEFT);
		m->state[j] = H_UNUSED;         /* so a second return would show */
	}
	for (i = 0; i < n; i++)
		m->state[HI(tools[i])] = H_LEFT;
	free(tools);
	m->rt[r].known = 0;
	m->nknown--;
}

/* libFuzzer entry point. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model model;
	struct model *m = &model;
	struct pair p;
	const uint8_t *op;
	size_t i, nops;

	if (size == 0)
		return 0;
	/* Static (it is large): reset what the last input used. */
	memset(m->state, 0, (m->nhandles + 1) * sizeof m->state[0]);
	m->nrt = m->nidle = m->nsess = m->ntools = m->nknown = 0;
	m->nhandles = 0;
	m->many = data[0] & 1;
	pair_init(&p, m->many);
	nops = (size - 1) / 2 < MAX_OPS ? (size - 1) / 2 : MAX_OPS;
	for (i = 0; i < nops; i++) {
		op = data + 1 + 2 * i;
		switch (op[0] % 11) {
		case 0:
			op_advertise(&p, m, op[1]);
			break;
		case 1:
			op_idle(&p, m, op[1], 0);
			break;
		case 2:
			op_session_done(&p, m, op[1]);
			break;
		case 3:
			op_tool_add(&p, m, op[1], 0);
			break;
		case 4:
			op_tool_remove(&p, m, op[1]);
			break;
		case 5:
			op_match(&p, m);
			break;
		case 6:
			/* What the router does after each event: pair all it can. */
			while (op_match(&p, m))
				;
			break;
		case 7:
			op_idle(&p, m, op[1], 1);
			break;
		case 8:
			if (m->many)
				op_tool_add(&p, m, op[1], 1);
			break;
		case 9:
			if (m->many)
				op_runtime_gone(&p, m, op[1]);
			break;
		default:
			/* Another advertise: they are what most events are. */
			op_advertise(&p, m, op[1]);
			break;
		}
		check_agree(&p, m, i);
	}
	pair_clear(&p);
	FUZZ_CHECK(TAILQ_EMPTY(&p.runtimes) && TAILQ_EMPTY(&p.idle) &&
	    TAILQ_EMPTY(&p.tools));
	return 0;
}
