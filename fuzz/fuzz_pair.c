/*
 * fuzz_pair.c: fuzz target for the server-server pairing table. The input
 * is a stream of two-byte operations (a runtime connection advertised with
 * cookie k, an idle connection gone, a session done, a tool added, a tool
 * removed, a match) applied to the table and to a model kept here; after
 * each one the table must agree with the model:
 * - a match pairs the oldest waiting tool with the oldest idle connection
 *   of the newest runtime that has a live connection, and only then;
 * - a new cookie hands back as stale exactly the idle connections of the
 *   older runtimes, a known cookie none of another runtime's, and either
 *   the oldest of its own beyond PAIR_MAX_IDLE;
 * - counts of idle connections, tools, runtimes and each runtime's
 *   connections agree;
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
	H_SESSION,               /* a runtime connection paired with a tool */
	H_CLOSED,                /* a runtime connection gone or handed back stale */
	H_WAITING,               /* a tool waiting */
	H_PAIRED,                /* a tool paired */
	H_LEFT,                  /* a tool removed */
};

/* A runtime instance of the model, in order of first appearance. */
struct mrt {
	uint8_t k;               /* its cookie's key */
	uint64_t pid;
	unsigned nconns;
	int known;               /* still in the table (not forgotten) */
	struct pair_runtime *ptr;
};

/* A runtime connection of the model: its handle and its runtime. */
struct mconn {
	size_t h;
	size_t rt;
};

/* The model. */
struct model {
	struct mrt rt[MAX_OPS + 1];
	size_t nrt;
	struct mconn idle[MAX_OPS + 1]; /* in the order added */
	size_t nidle;
	struct mconn sess[MAX_OPS + 1]; /* connections in session */
	size_t nsess;
	size_t tools[MAX_OPS + 1];      /* handles, oldest first */
	size_t ntools;
	size_t nknown;                  /* runtimes still in the table */
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


/* Remove entry i of an array of n handles. */
static void
del_handle(size_t *a, size_t *n, size_t i)
{
	memmove(a + i, a + i + 1, (*n - i - 1) * sizeof *a);
	(*n)--;
}

/* Remove entry i of an array of n connections. */
static void
del_conn(struct mconn *a, size_t *n, size_t i)
{
	memmove(a + i, a + i + 1, (*n - i - 1) * sizeof *a);
	(*n)--;
}

/* The table and the model agree on everything that can be seen. */
static void
check_agree(struct pair *p, const struct model *m)
{
	struct pair_runtime *r;
	long cur;
	size_t i, n;

	FUZZ_CHECK(pair_idle_count(p) == m->nidle);
	FUZZ_CHECK(pair_tool_count(p) == m->ntools);
	FUZZ_CHECK(p->nruntimes == m->nknown);
	cur = m_current(m);
	FUZZ_CHECK(pair_current(p) == (cur < 0 ? NULL : m->rt[cur].ptr));
	n = 0;
	if (cur >= 0) {
		for (i = 0; i < m->nidle; i++)
			n += m->idle[i].rt == (size_t)cur;
	}
	FUZZ_CHECK(pair_ready(p, NULL) == (m->ntools == 0 && n > 0));

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
		/* A new one: every idle connection there was is stale. */
		FUZZ_CHECK(ev == (m->nknown == 0 ? PAIR_FIRST : PAIR_REPLACED));
		FUZZ_CHECK(prev == (cur < 0 ? NULL : m->rt[cur].ptr));
		while (m->nidle > 0)
			m_evict(m, 0, exp, &nexp);
		r = m->nrt++;
		memset(&m->rt[r], 0, sizeof m->rt[r]);
		m->rt[r].k = k;
		m->rt[r].known = 1;
		m->nknown++;
		m->rt[r].ptr = TAILQ_FIRST(&p->runtimes);
		FUZZ_CHECK(m->rt[r].ptr != NULL);
		for (i = 0; i < r; i++)
			FUZZ_CHECK(!m->rt[i].known || m->rt[i].ptr != m->rt[r].ptr);
	}
	m->rt[r].pid = adv.pid;
	m->rt[r].nconns++;
	m->state[h] = H_IDLE;
	m->idle[m->nidle].h = h;
	m->idle[m->nidle++].rt = r;

	/* Beyond PAIR_MAX_IDLE idle connections, this runtime's oldest are stale. */
	for (n = 0, i = 0; i < m->nidle; i++)
		n += m->idle[i].rt == r;
	for (i = 0; n > PAIR_MAX_IDLE && i < m->nidle;) {
		if (m->idle[i].rt == r) {
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
	 * are forgotten, but never the one just replaced.
	 */
	for (i = 0; i < m->nrt && m->nknown > PAIR_MAX_RUNTIMES; i++) {
		if (m->rt[i].known && m->rt[i].nconns == 0 &&
		    (known >= 0 || cur < 0 || i != (size_t)cur)) {
			m->rt[i].known = 0;
			m->nknown--;
		}
	}
}

/* A handle (an idle one, or any other) closes while idle. */
static void
op_idle_gone(struct pair *p, struct model *m, uint8_t arg)
{
	size_t h, i;

	if ((arg & 1) && m->nidle > 0)
		h = m->idle[(arg >> 1) % m->nidle].h;
	else
		h = (size_t)(arg >> 1) % (m->nhandles + 1);
	pair_runtime_idle_gone(p, H(h));
	for (i = 0; i < m->nidle; i++) {
		if (m->idle[i].h == h) {
			m->rt[m->idle[i].rt].nconns--;
			m->state[h] = H_CLOSED;
			del_conn(m->idle, &m->nidle, i);
			break;
		}
	}
}

/* A session ends. */
static void
op_session_done(struct pair *p, struct model *m, uint8_t arg)
{
	size_t s, r;

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

/* A tool arrives with its first frame. */
static void
op_tool_add(struct pair *p, struct model *m)
{
	size_t h = ++m->nhandles;

	pair_tool_add(p, H(h), NULL);
	m->state[h] = H_WAITING;
	m->tools[m->ntools++] = h;
}

/* A tool (a waiting one, or any other handle) leaves; only a waiting one counts. */
static void
op_tool_remove(struct pair *p, struct model *m, uint8_t arg)
{
	size_t h, i;
	int was;

	if ((arg & 1) && m->ntools > 0)
		h = m->tools[(arg >> 1) % m->ntools];
	else
		h = (size_t)(arg >> 1) % (m->nhandles + 1);
	was = m->state[h] == H_WAITING;
	FUZZ_CHECK(pair_tool_remove(p, H(h)) == was);
	if (!was)
		return;
	m->state[h] = H_LEFT;
	for (i = 0; i < m->ntools && m->tools[i] != h; i++)
		;
	FUZZ_CHECK(i < m->ntools);
	del_handle(m->tools, &m->ntools, i);
}

/* Try to pair; returns whether a pair was made. */
static int
op_match(struct pair *p, struct model *m)
{
	struct pair_runtime *rt = NULL;
	void *tool = NULL, *conn = NULL;
	long cur;
	size_t i, t, c;
	int ok;

	cur = m_current(m);
	for (i = 0; cur >= 0 && i < m->nidle; i++) {
		if (m->idle[i].rt == (size_t)cur)
			break;
	}
	ok = m->ntools > 0 && cur >= 0 && i < m->nidle;
	FUZZ_CHECK(pair_match(p, &tool, &conn, &rt) == ok);
	if (!ok)
		return 0;
	t = HI(tool);
	c = HI(conn);
	FUZZ_CHECK(t == m->tools[0] && m->state[t] == H_WAITING);
	FUZZ_CHECK(c == m->idle[i].h && m->state[c] == H_IDLE);
	FUZZ_CHECK(rt == m->rt[cur].ptr);
	m->state[t] = H_PAIRED;
	m->state[c] = H_SESSION;
	del_handle(m->tools, &m->ntools, 0);
	del_conn(m->idle, &m->nidle, i);
	m->sess[m->nsess].h = c;
	m->sess[m->nsess++].rt = (size_t)cur;
	return 1;
}

/* libFuzzer entry point. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model model;
	struct model *m = &model;
	struct pair p;
	size_t i, nops;

	/* Static (it is large): reset what the last input used. */
	memset(m->state, 0, (m->nhandles + 1) * sizeof m->state[0]);
	m->nrt = m->nidle = m->nsess = m->ntools = m->nknown = 0;
	m->nhandles = 0;
	pair_init(&p, 0);
	nops = size / 2 < MAX_OPS ? size / 2 : MAX_OPS;
	for (i = 0; i < nops; i++) {
		switch (data[2 * i] % 7) {
		case 0:
			op_advertise(&p, m, data[2 * i + 1]);
			break;
		case 1:
			op_idle_gone(&p, m, data[2 * i + 1]);
			break;
		case 2:
			op_session_done(&p, m, data[2 * i + 1]);
			break;
		case 3:
			op_tool_add(&p, m);
			break;
		case 4:
			op_tool_remove(&p, m, data[2 * i + 1]);
			break;
		case 5:
			op_match(&p, m);
			break;
		default:
			/* What the router does after each event: pair all it can. */
			while (op_match(&p, m))
				;
			break;
		}
		check_agree(&p, m);
	}
	pair_clear(&p);
	FUZZ_CHECK(TAILQ_EMPTY(&p.runtimes) && TAILQ_EMPTY(&p.idle) &&
	    TAILQ_EMPTY(&p.tools));
	return 0;
}
