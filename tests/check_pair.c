/* SPDX-License-Identifier: MIT */
/* check_pair.c: unit tests for pair.c: the server-server pairing table. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dsrouterd.h"
#include "check_main.h"

/* Handles are opaque to the table: distinct addresses do. */
static int conns[64], tools[64];
#define C(i) ((void *)&conns[i])
#define T(i) ((void *)&tools[i])

static struct pair p;

static void
setup(void)
{
	pair_init(&p, 0);
}

static void
teardown(void)
{
	pair_clear(&p);
}

/* An advertise whose cookie is made of one byte value. */
static struct ipc_advertise
adv_of(uint8_t cookie, uint64_t pid)
{
	struct ipc_advertise adv;

	memset(adv.cookie, cookie, sizeof adv.cookie);
	adv.pid = pid;
	return adv;
}

/* Whether a runtime is (still) in the table. */
static int
known(struct pair_runtime *r)
{
	struct pair_runtime *it;

	TAILQ_FOREACH(it, &p.runtimes, entry) {
		if (it == r)
			return 1;
	}
	return 0;
}

/* Add an idle connection that must close nothing; returns the event. */
static enum pair_event
add_quiet(uint8_t cookie, void *conn)
{
	struct ipc_advertise adv = adv_of(cookie, 1000 + cookie);
	struct pair_runtime *prev = (struct pair_runtime *)1;
	void **stale = (void **)1;
	size_t nstale = 99;
	enum pair_event ev;

	ev = pair_runtime_add(&p, &adv, conn, &prev, &stale, &nstale);
	ck_assert_msg(nstale == 0, "cookie %02x: %zu stale handles", cookie,
	    nstale);
	ck_assert_ptr_null(stale);
	if (ev != PAIR_REPLACED)
		ck_assert_ptr_null(prev);
	return ev;
}

/* For add_conn: a result not to check. */
#define ANY (-1)

/*
 * Add connection C(conn) of the runtime with this cookie and pid. The
 * event must be event, and the stale handles handed back nstale of them,
 * C(first_stale) onwards in order; ANY checks neither. Returns the
 * runtime handed back as replaced.
 */
static struct pair_runtime *
add_conn(uint8_t cookie, uint64_t pid, int conn, int event, int nstale,
    int first_stale)
{
	struct ipc_advertise adv = adv_of(cookie, pid);
	struct pair_runtime *prev = NULL;
	void **stale = NULL;
	enum pair_event ev;
	size_t n = 0;
	int i;

	ev = pair_runtime_add(&p, &adv, C(conn), &prev, &stale, &n);
	if (event != ANY)
		ck_assert_int_eq(ev, event);
	if (nstale != ANY) {
		ck_assert_uint_eq(n, (size_t)nstale);
		if (nstale == 0)
			ck_assert_ptr_null(stale);
		for (i = 0; i < nstale; i++)
			ck_assert_ptr_eq(stale[i], C(first_stale + i));
	}
	free(stale);
	return prev;
}

/* Pair the next tool and connection, which must be these. */
static struct pair_runtime *
match_expect(void *tool, void *conn)
{
	void *t = NULL, *c = NULL;
	struct pair_runtime *rt = NULL;
	size_t ntools = pair_tool_count(&p), nidle = pair_idle_count(&p);

	/* pair_peek names the same pair and leaves the table as it was. */
	ck_assert_int_eq(pair_peek(&p, &t, &c), 1);
	ck_assert_ptr_eq(t, tool);
	ck_assert_ptr_eq(c, conn);
	ck_assert_uint_eq(pair_tool_count(&p), ntools);
	ck_assert_uint_eq(pair_idle_count(&p), nidle);
	t = c = NULL;
	ck_assert_msg(pair_match(&p, &t, &c, &rt) == 1, "no pair made");
	ck_assert_ptr_eq(t, tool);
	ck_assert_ptr_eq(c, conn);
	ck_assert_ptr_nonnull(rt);
	return rt;
}

/* No pair can be made now. */
static void
match_none(void)
{
	void *t = NULL, *c = NULL;
	struct pair_runtime *rt = NULL;

	ck_assert_int_eq(pair_peek(&p, &t, &c), 0);
	ck_assert_int_eq(pair_match(&p, &t, &c, &rt), 0);
	ck_assert_ptr_null(t);
	ck_assert_ptr_null(c);
}

/*
 * The router peeks, finds the idle connection dead and closes it (idle
 * gone): the tool is then offered the runtime's next idle connection, or
 * waits when there is none.
 */
START_TEST(test_peek_dead_idle)
{
	void *t = NULL, *c = NULL;

	ck_assert_int_eq(add_quiet(0x33, C(0)), PAIR_FIRST);
	ck_assert_int_eq(add_quiet(0x33, C(1)), PAIR_KNOWN);
	pair_tool_add(&p, T(0), NULL);
	ck_assert_int_eq(pair_peek(&p, &t, &c), 1);
	ck_assert_ptr_eq(c, C(0));
	ck_assert_ptr_nonnull(pair_runtime_idle_gone(&p, C(0)));
	match_expect(T(0), C(1));
	pair_tool_add(&p, T(1), NULL);
	ck_assert_int_eq(pair_peek(&p, &t, &c), 0);
	ck_assert_uint_eq(pair_tool_count(&p), 1);
}
END_TEST

START_TEST(test_first_runtime)
{
	struct ipc_advertise adv = adv_of(0x11, 4242);
	struct pair_runtime *cur;

	ck_assert_ptr_null(pair_current(&p));
	ck_assert_ptr_null(add_conn(0x11, 4242, 0, PAIR_FIRST, 0, 0));
	ck_assert_uint_eq(pair_idle_count(&p), 1);
	ck_assert_uint_eq(pair_tool_count(&p), 0);
	cur = pair_current(&p);
	ck_assert_ptr_nonnull(cur);
	ck_assert_mem_eq(cur->adv.cookie, adv.cookie, IPC_COOKIE_SIZE);
	ck_assert_uint_eq(cur->adv.pid, 4242);
	ck_assert_uint_eq(cur->nconns, 1);
	/* No tool: nothing to pair, and the connection stays idle. */
	match_none();
	ck_assert_uint_eq(pair_idle_count(&p), 1);
	/* The same runtime's next connection is known. */
	ck_assert_int_eq(add_quiet(0x11, C(1)), PAIR_KNOWN);
	ck_assert_ptr_eq(pair_current(&p), cur);
	ck_assert_uint_eq(cur->nconns, 2);
	ck_assert_uint_eq(pair_idle_count(&p), 2);
}
END_TEST

START_TEST(test_tool_then_runtime)
{
	struct pair_runtime *rt;

	pair_tool_add(&p, T(0), NULL);
	ck_assert_uint_eq(pair_tool_count(&p), 1);
	match_none();
	ck_assert_uint_eq(pair_tool_count(&p), 1);

	ck_assert_int_eq(add_quiet(0x22, C(0)), PAIR_FIRST);
	rt = match_expect(T(0), C(0));
	ck_assert_ptr_eq(rt, pair_current(&p));
	ck_assert_uint_eq(rt->adv.pid, 1000 + 0x22);
	ck_assert_uint_eq(pair_tool_count(&p), 0);
	ck_assert_uint_eq(pair_idle_count(&p), 0);
	/* The connection is in session: it still counts. */
	ck_assert_uint_eq(rt->nconns, 1);
	match_none();
}
END_TEST

START_TEST(test_runtime_then_tool)
{
	ck_assert_int_eq(add_quiet(0x33, C(0)), PAIR_FIRST);
	match_none();
	pair_tool_add(&p, T(0), NULL);
	match_expect(T(0), C(0));
	ck_assert_uint_eq(pair_idle_count(&p), 0);
	ck_assert_uint_eq(pair_tool_count(&p), 0);
	/* The next tool waits for the runtime's next connection. */
	pair_tool_add(&p, T(1), NULL);
	match_none();
	ck_assert_int_eq(add_quiet(0x33, C(1)), PAIR_KNOWN);
	match_expect(T(1), C(1));
}
END_TEST

START_TEST(test_fifo)
{
	pair_tool_add(&p, T(0), NULL);
	pair_tool_add(&p, T(1), NULL);
	pair_tool_add(&p, T(2), NULL);
	ck_assert_uint_eq(pair_tool_count(&p), 3);
	ck_assert_int_eq(add_quiet(0x44, C(0)), PAIR_FIRST);
	ck_assert_int_eq(add_quiet(0x44, C(1)), PAIR_KNOWN);
	/* Oldest tool with oldest connection. */
	match_expect(T(0), C(0));
	match_expect(T(1), C(1));
	match_none();
	ck_assert_uint_eq(pair_tool_count(&p), 1);
	ck_assert_int_eq(add_quiet(0x44, C(2)), PAIR_KNOWN);
	ck_assert_int_eq(add_quiet(0x44, C(3)), PAIR_KNOWN);
	match_expect(T(2), C(2));
	ck_assert_uint_eq(pair_idle_count(&p), 1);
	pair_tool_add(&p, T(3), NULL);
	match_expect(T(3), C(3));
}
END_TEST

START_TEST(test_new_cookie_replaces)
{
	struct pair_runtime *old, *prev, *cur;

	ck_assert_int_eq(add_quiet(0x55, C(0)), PAIR_FIRST);
	ck_assert_int_eq(add_quiet(0x55, C(1)), PAIR_KNOWN);
	old = pair_current(&p);

	/* A restarted runtime: its old idle ones, C(0) and C(1), are stale. */
	prev = add_conn(0x66, 6, 2, PAIR_REPLACED, 2, 0);
	ck_assert_ptr_eq(prev, old);
	ck_assert_uint_eq(prev->adv.pid, 1000 + 0x55);
	ck_assert_uint_eq(old->nconns, 0);
	cur = pair_current(&p);
	ck_assert_ptr_ne(cur, old);
	ck_assert_uint_eq(cur->adv.pid, 6);
	ck_assert_uint_eq(pair_idle_count(&p), 1);

	/* The stale ones are no longer the table's: closing them changes nothing. */
	pair_runtime_idle_gone(&p, C(0));
	pair_runtime_idle_gone(&p, C(1));
	ck_assert_uint_eq(pair_idle_count(&p), 1);
	ck_assert_uint_eq(cur->nconns, 1);
	ck_assert_uint_eq(old->nconns, 0);

	/* Tools only get the new runtime. */
	pair_tool_add(&p, T(0), NULL);
	ck_assert_ptr_eq(match_expect(T(0), C(2)), cur);
	pair_tool_add(&p, T(1), NULL);
	match_none();
}
END_TEST

START_TEST(test_replace_without_idle)
{
	struct pair_runtime *old, *rt;

	/* The old runtime's only connection is in session: nothing to close. */
	ck_assert_int_eq(add_quiet(0x77, C(0)), PAIR_FIRST);
	pair_tool_add(&p, T(0), NULL);
	old = match_expect(T(0), C(0));
	ck_assert_ptr_eq(add_conn(0x78, 78, 1, PAIR_REPLACED, 0, 0), old);
	ck_assert_uint_eq(old->nconns, 1);
	rt = pair_current(&p);
	ck_assert_uint_eq(rt->adv.pid, 78);
	pair_runtime_session_done(&p, old);
	ck_assert_uint_eq(old->nconns, 0);
	ck_assert_ptr_eq(pair_current(&p), rt);

	/* A runtime replacing one with no connection left has no prev. */
	pair_runtime_idle_gone(&p, C(1));
	ck_assert_ptr_null(pair_current(&p));
	ck_assert_ptr_null(add_conn(0x79, 79, 2, PAIR_REPLACED, 0, 0));
}
END_TEST

START_TEST(test_known_never_stale)
{
	struct pair_runtime *ra, *rb;
	uint8_t cookie;
	int i, k, over, nidle[2], next = 2;

	/* Two live runtimes share one port. A is first... */
	ck_assert_int_eq(add_quiet(0xaa, C(0)), PAIR_FIRST);
	ra = pair_current(&p);
	/* ...B starts: A's idle connection, C(0), is closed once. */
	ck_assert_ptr_eq(add_conn(0xbb, 2, 1, PAIR_REPLACED, 1, 0), ra);
	rb = pair_current(&p);
	ck_assert_ptr_ne(ra, rb);

	/*
	 * A reconnects at once, as runtimes do. From now on neither may make
	 * the router close the other's connections, or they would spin: a
	 * known cookie only ever gives back its own oldest idle connection,
	 * once it has more than PAIR_MAX_IDLE (the two alternate, so that one
	 * is 2 * PAIR_MAX_IDLE connections back).
	 */
	nidle[0] = 0;
	nidle[1] = 1;
	for (i = 0; i < 40; i++) {
		k = i % 2;
		over = ++nidle[k] > PAIR_MAX_IDLE;
		if (over)
			nidle[k]--;
		cookie = k == 0 ? 0xaa : 0xbb;
		add_conn(cookie, 1000u + cookie, next, PAIR_KNOWN, over,
		    next - 2 * PAIR_MAX_IDLE);
		next++;
		ck_assert_ptr_eq(pair_current(&p), rb);
	}
	ck_assert_uint_eq(pair_idle_count(&p), 2 * PAIR_MAX_IDLE);
	ck_assert_uint_eq(ra->nconns, PAIR_MAX_IDLE);
	ck_assert_uint_eq(rb->nconns, PAIR_MAX_IDLE);
	/* Tools go to the newest runtime, B, oldest connection kept first. */
	pair_tool_add(&p, T(0), NULL);
	next -= 2 * PAIR_MAX_IDLE;
	ck_assert_ptr_eq(match_expect(T(0), C(next + 1)), rb);
	pair_tool_add(&p, T(1), NULL);
	ck_assert_ptr_eq(match_expect(T(1), C(next + 3)), rb);
}
END_TEST

START_TEST(test_idle_cap_per_runtime)
{
	struct pair_runtime *ra, *rb;

	/* A, then B replacing it (A's idle connection, C(0), closed once). */
	ck_assert_int_eq(add_quiet(0xa1, C(0)), PAIR_FIRST);
	ra = pair_current(&p);
	ck_assert_ptr_eq(add_conn(0xb2, 2, 1, PAIR_REPLACED, 1, 0), ra);
	rb = pair_current(&p);
	/* A lives on and reconnects: two idle of each, B's the oldest. */
	ck_assert_int_eq(add_quiet(0xa1, C(2)), PAIR_KNOWN);
	ck_assert_int_eq(add_quiet(0xa1, C(3)), PAIR_KNOWN);
	ck_assert_int_eq(add_quiet(0xb2, C(4)), PAIR_KNOWN);
	ck_assert_uint_eq(PAIR_MAX_IDLE, 2);
	ck_assert_uint_eq(pair_idle_count(&p), 4);
	/*
	 * A's third idle connection gives back exactly A's oldest, C(2):
	 * not B's C(1), the oldest of all, and not the new one.
	 */
	add_conn(0xa1, 1000 + 0xa1, 5, PAIR_KNOWN, 1, 2);
	ck_assert_uint_eq(ra->nconns, 2);
	ck_assert_uint_eq(rb->nconns, 2);
	ck_assert_uint_eq(pair_idle_count(&p), 4);
	ck_assert_ptr_eq(pair_current(&p), rb);
	/* Closing the connection given back changes nothing in the table. */
	pair_runtime_idle_gone(&p, C(2));
	ck_assert_uint_eq(ra->nconns, 2);
	ck_assert_uint_eq(pair_idle_count(&p), 4);
	/* B's third gives back B's oldest, C(1). */
	add_conn(0xb2, 2, 6, PAIR_KNOWN, 1, 1);
	ck_assert_uint_eq(ra->nconns, 2);
	ck_assert_uint_eq(rb->nconns, 2);
	/* Tools get B's connections, oldest kept first: C(4), then C(6). */
	pair_tool_add(&p, T(0), NULL);
	ck_assert_ptr_eq(match_expect(T(0), C(4)), rb);
	pair_tool_add(&p, T(1), NULL);
	ck_assert_ptr_eq(match_expect(T(1), C(6)), rb);
	/* A's own, C(3) and C(5), are still there and idle. */
	ck_assert_uint_eq(pair_idle_count(&p), 2);
	pair_runtime_idle_gone(&p, C(3));
	pair_runtime_idle_gone(&p, C(5));
	ck_assert_uint_eq(ra->nconns, 0);
	ck_assert_uint_eq(pair_idle_count(&p), 0);
}
END_TEST

START_TEST(test_idle_cap_not_sessions)
{
	struct pair_runtime *r;

	/* A connection in session is not idle: it does not count. */
	ck_assert_int_eq(add_quiet(0x5e, C(0)), PAIR_FIRST);
	r = pair_current(&p);
	pair_tool_add(&p, T(0), NULL);
	match_expect(T(0), C(0));
	ck_assert_int_eq(add_quiet(0x5e, C(1)), PAIR_KNOWN);
	ck_assert_int_eq(add_quiet(0x5e, C(2)), PAIR_KNOWN);
	ck_assert_uint_eq(r->nconns, 3);
	/* The third idle one gives back the oldest idle, not the session. */
	add_conn(0x5e, 1000 + 0x5e, 3, PAIR_KNOWN, 1, 1);
	ck_assert_uint_eq(r->nconns, 3);
	ck_assert_uint_eq(pair_idle_count(&p), 2);
	pair_runtime_session_done(&p, r);
	ck_assert_uint_eq(r->nconns, 2);
}
END_TEST

START_TEST(test_current_falls_back)
{
	struct pair_runtime *ra, *rb;

	ck_assert_int_eq(add_quiet(0xaa, C(0)), PAIR_FIRST);
	ra = pair_current(&p);
	add_conn(0xbb, 2, 1, PAIR_REPLACED, ANY, 0);
	rb = pair_current(&p);
	ck_assert_int_eq(add_quiet(0xaa, C(2)), PAIR_KNOWN);
	ck_assert_ptr_eq(pair_current(&p), rb);

	/* B exits: its idle connection closes, A is current again. */
	pair_runtime_idle_gone(&p, C(1));
	ck_assert_uint_eq(rb->nconns, 0);
	ck_assert_ptr_eq(pair_current(&p), ra);
	pair_tool_add(&p, T(0), NULL);
	ck_assert_ptr_eq(match_expect(T(0), C(2)), ra);

	/* B's connection in session keeps it current until the session ends. */
	ck_assert_int_eq(add_quiet(0xbb, C(3)), PAIR_KNOWN);
	ck_assert_ptr_eq(pair_current(&p), rb);
	pair_tool_add(&p, T(1), NULL);
	ck_assert_ptr_eq(match_expect(T(1), C(3)), rb);
	ck_assert_int_eq(add_quiet(0xaa, C(4)), PAIR_KNOWN);
	ck_assert_ptr_eq(pair_current(&p), rb);
	pair_tool_add(&p, T(2), NULL);
	match_none();   /* B is current, with no idle connection yet. */
	pair_runtime_session_done(&p, rb);
	ck_assert_ptr_eq(pair_current(&p), ra);
	ck_assert_ptr_eq(match_expect(T(2), C(4)), ra);
}
END_TEST

START_TEST(test_session_done)
{
	struct pair_runtime *r, other;

	ck_assert_int_eq(add_quiet(0x12, C(0)), PAIR_FIRST);
	ck_assert_int_eq(add_quiet(0x12, C(1)), PAIR_KNOWN);
	r = pair_current(&p);
	pair_tool_add(&p, T(0), NULL);
	ck_assert_ptr_eq(match_expect(T(0), C(0)), r);
	/* One idle and one in session. */
	ck_assert_uint_eq(r->nconns, 2);
	pair_runtime_session_done(&p, r);
	ck_assert_uint_eq(r->nconns, 1);
	pair_runtime_idle_gone(&p, C(1));
	ck_assert_uint_eq(r->nconns, 0);
	ck_assert_uint_eq(pair_idle_count(&p), 0);
	ck_assert_ptr_null(pair_current(&p));
	/* Extra calls do not wrap the count round. */
	pair_runtime_session_done(&p, r);
	pair_runtime_idle_gone(&p, C(1));
	ck_assert_uint_eq(r->nconns, 0);
	ck_assert_ptr_null(pair_current(&p));
	/* A runtime the table does not know is left alone. */
	memset(&other, 0, sizeof other);
	other.nconns = 3;
	pair_runtime_session_done(&p, &other);
	ck_assert_uint_eq(other.nconns, 3);
	/* The runtime comes back with the same cookie: known, not first. */
	ck_assert_int_eq(add_quiet(0x12, C(2)), PAIR_KNOWN);
	ck_assert_ptr_eq(pair_current(&p), r);
}
END_TEST

START_TEST(test_history_trim)
{
	struct pair_runtime *prev, *busy[3];
	int i;

	/* Three runtimes with a session each, which must never be forgotten. */
	for (i = 0; i < 3; i++) {
		add_conn((uint8_t)(i + 1), (uint64_t)i + 1, i, ANY, 0, 0);
		pair_tool_add(&p, T(i), NULL);
		busy[i] = match_expect(T(i), C(i));
	}
	/* Many restarts, each with one idle connection. */
	for (i = 3; i < 3 + 3 * PAIR_MAX_RUNTIMES; i++) {
		/* The previous restart's idle connection is stale. */
		prev = add_conn((uint8_t)(i + 1), (uint64_t)i + 1, i,
		    PAIR_REPLACED, i > 3 ? 1 : 0, i - 1);
		ck_assert_ptr_nonnull(prev);
		ck_assert_msg(known(prev), "restart %d: prev is not in the table", i);
		ck_assert_uint_le(p.nruntimes, PAIR_MAX_RUNTIMES);
	}
	ck_assert_uint_eq(p.nruntimes, PAIR_MAX_RUNTIMES);
	for (i = 0; i < 3; i++) {
		ck_assert_msg(known(busy[i]), "runtime %d in session was dropped", i);
		ck_assert_uint_eq(busy[i]->nconns, 1);
		pair_runtime_session_done(&p, busy[i]);
		ck_assert_uint_eq(busy[i]->nconns, 0);
	}
	/* The oldest idle-less runtimes were forgotten: cookie 4 is new again. */
	add_conn(4, 4, 63, PAIR_REPLACED, ANY, 0);
	ck_assert_uint_eq(pair_current(&p)->seq, p.seq);
	ck_assert_uint_le(p.nruntimes, PAIR_MAX_RUNTIMES);
}
END_TEST

START_TEST(test_trim_keeps_prev)
{
	struct pair_runtime *prev, *last;
	int i;

	/*
	 * PAIR_MAX_RUNTIMES - 1 runtimes in session, then one with only an
	 * idle connection: when a new one replaces it, the one replaced has
	 * no connection left, yet the caller is given it as *prev.
	 */
	for (i = 0; i < PAIR_MAX_RUNTIMES - 1; i++) {
		add_conn((uint8_t)(i + 1), (uint64_t)i + 1, i, ANY, ANY, 0);
		pair_tool_add(&p, T(i), NULL);
		match_expect(T(i), C(i));
	}
	add_conn(0xe0, 0xe0, 40, ANY, ANY, 0);
	last = pair_current(&p);
	ck_assert_uint_eq(p.nruntimes, PAIR_MAX_RUNTIMES);
	prev = add_conn(0xe1, 0xe1, 41, PAIR_REPLACED, 1, 40);
	ck_assert_ptr_eq(prev, last);
	ck_assert_msg(known(prev), "the runtime given as prev was freed");
	ck_assert_uint_eq(prev->adv.pid, 0xe0);
	/*
	 * It goes at the next change instead; the history then holds one
	 * more than the limit only because every other runtime is busy.
	 */
	prev = add_conn(0xe2, 0xe2, 42, ANY, ANY, 0);
	ck_assert_msg(!known(last), "a runtime with no connection was kept");
	ck_assert_msg(known(prev), "the runtime given as prev was freed");
	ck_assert_uint_le(p.nruntimes, PAIR_MAX_RUNTIMES + 1);
}
END_TEST

START_TEST(test_tool_remove)
{
	pair_tool_add(&p, T(0), NULL);
	pair_tool_add(&p, T(1), NULL);
	pair_tool_add(&p, T(2), NULL);
	ck_assert_int_eq(pair_tool_remove(&p, T(1)), 1);
	ck_assert_int_eq(pair_tool_remove(&p, T(1)), 0);
	ck_assert_int_eq(pair_tool_remove(&p, T(9)), 0);
	ck_assert_uint_eq(pair_tool_count(&p), 2);
	ck_assert_int_eq(pair_tool_remove(&p, T(0)), 1);
	ck_assert_int_eq(add_quiet(0x99, C(0)), PAIR_FIRST);
	ck_assert_int_eq(add_quiet(0x99, C(1)), PAIR_KNOWN);
	match_expect(T(2), C(0));
	match_none();
	/* A paired tool is no longer waiting. */
	ck_assert_int_eq(pair_tool_remove(&p, T(2)), 0);
	ck_assert_uint_eq(pair_idle_count(&p), 1);
}
END_TEST

START_TEST(test_clear)
{
	ck_assert_int_eq(add_quiet(0x10, C(0)), PAIR_FIRST);
	pair_tool_add(&p, T(0), NULL);
	pair_tool_add(&p, T(1), NULL);
	pair_clear(&p);
	ck_assert_uint_eq(pair_idle_count(&p), 0);
	ck_assert_uint_eq(pair_tool_count(&p), 0);
	ck_assert_ptr_null(pair_current(&p));
	ck_assert_uint_eq(p.nruntimes, 0);
	ck_assert_int_eq(add_quiet(0x10, C(1)), PAIR_FIRST);
}
END_TEST

START_TEST(test_ready)
{
	/* Nothing to pair with. */
	ck_assert_int_eq(pair_ready(&p, NULL), 0);
	ck_assert_int_eq(add_quiet(0x44, C(0)), PAIR_FIRST);
	/* An idle connection of the current runtime, no tool queued. */
	ck_assert_int_eq(pair_ready(&p, NULL), 1);
	pair_tool_add(&p, T(0), NULL);
	match_expect(T(0), C(0));
	ck_assert_int_eq(pair_ready(&p, NULL), 0);
	/* A tool already waiting goes first: not ready for another. */
	pair_tool_add(&p, T(1), NULL);
	ck_assert_int_eq(pair_ready(&p, NULL), 0);
	ck_assert_int_eq(add_quiet(0x44, C(1)), PAIR_KNOWN);
	ck_assert_int_eq(pair_ready(&p, NULL), 0);
	match_expect(T(1), C(1));
	/* A new runtime replaces the old (whose idle one, C(2), is handed back
	 * to be closed); its own idle connection makes the table ready. */
	ck_assert_int_eq(add_quiet(0x44, C(2)), PAIR_KNOWN);
	add_conn(0x45, 2000, 3, PAIR_REPLACED, 1, 2);
	ck_assert_int_eq(pair_ready(&p, NULL), 1);
	pair_tool_add(&p, T(2), NULL);
	match_expect(T(2), C(3));
	ck_assert_int_eq(pair_ready(&p, NULL), 0);
}
END_TEST

/* The pair.c suite. */
Suite *
pair_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("pair");
	tc = unit_tcase("pair");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_first_runtime);
	tcase_add_test(tc, test_peek_dead_idle);
	tcase_add_test(tc, test_tool_then_runtime);
	tcase_add_test(tc, test_runtime_then_tool);
	tcase_add_test(tc, test_fifo);
	tcase_add_test(tc, test_new_cookie_replaces);
	tcase_add_test(tc, test_replace_without_idle);
	tcase_add_test(tc, test_known_never_stale);
	tcase_add_test(tc, test_idle_cap_per_runtime);
	tcase_add_test(tc, test_idle_cap_not_sessions);
	tcase_add_test(tc, test_current_falls_back);
	tcase_add_test(tc, test_session_done);
	tcase_add_test(tc, test_history_trim);
	tcase_add_test(tc, test_trim_keeps_prev);
	tcase_add_test(tc, test_tool_remove);
	tcase_add_test(tc, test_clear);
	tcase_add_test(tc, test_ready);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(pair_suite());
}
