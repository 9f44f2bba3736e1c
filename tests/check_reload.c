/* SPDX-License-Identifier: MIT */
/* check_reload.c: unit tests for reload.c: what a reload does to each route. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsrouterd.h"
#include "check_main.h"

#define MAX_ROUTES 8

/* Route sections, one per line of the tables below. */
#define A "[route a]\nipc-server = /tmp/dsr-rl-a.sock\n" \
	"tcp-server = 127.0.0.1:9301\n"
#define B "[route b]\nipc-server = /tmp/dsr-rl-b.sock\n" \
	"tcp-server = 127.0.0.1:9302\n"
#define C "[route c]\nipc-server = /tmp/dsr-rl-c.sock\n" \
	"tcp-client = 127.0.0.1:9303\n"
#define W "[route w]\nipc-server = /tmp/dsr-rl-w.sock\n" \
	"web-socket = ws://127.0.0.1:9305/diagnostics\n"
#define D "[route d]\nipc-client = /tmp/dsr-rl-d.sock\n" \
	"tcp-server = 127.0.0.1:9304\n"

/* Load configuration text that must be valid. */
static struct conf *
load(const char *text)
{
	struct conf *conf = NULL;
	char *cause = NULL;

	ck_assert_msg(conffile_load_string(&conf, text, "reload.conf",
	    &cause) == 0, "refused: %s\n---\n%s---", cause != NULL ? cause :
	    "(no cause)", text);
	return conf;
}

/* The routes of a configuration, in order, as the daemon hands them over. */
static size_t
running(const struct conf *conf, const struct route_conf **out)
{
	const struct route_conf *rc;
	size_t n = 0;

	TAILQ_FOREACH(rc, &conf->routes, entry) {
		ck_assert_uint_lt(n, MAX_ROUTES);
		out[n++] = rc;
	}
	return n;
}

/* One step of a plan, as the tables write it. */
struct want {
	enum reload_action action;
	const char *name;
};
#define END { 0, NULL }

/* A running configuration, the new one, and the plan between them. */
static const struct {
	const char *what;
	const char *old, *new;
	struct want steps[MAX_ROUTES + 1];
} plans[] = {
	{ "identical", A B, A B,
	    { { RELOAD_KEEP, "a" }, { RELOAD_KEEP, "b" }, END } },
	{ "comments and spacing change nothing", A,
	    "; edited\n[route a]\n  tcp-server=127.0.0.1:9301\n\n"
	    "ipc-server = /tmp/dsr-rl-a.sock ; here\n",
	    { { RELOAD_KEEP, "a" }, END } },
	/* In place: time-outs and who may connect. */
	{ "pair-timeout", A, A "pair-timeout = 2\n",
	    { { RELOAD_UPDATE, "a" }, END } },
	{ "frame-timeout", A "frame-timeout = 1\n", A "frame-timeout = 3\n",
	    { { RELOAD_UPDATE, "a" }, END } },
	{ "runtime-timeout", A, A "runtime-timeout = 30\n",
	    { { RELOAD_UPDATE, "a" }, END } },
	{ "runtime-timeout dropped", A "runtime-timeout = 30\n", A,
	    { { RELOAD_UPDATE, "a" }, END } },
	{ "allow-users", A, A "allow-users = root\n",
	    { { RELOAD_UPDATE, "a" }, END } },
	{ "allow-users changed", A "allow-users = 0\n",
	    A "allow-users = 0,1000\n", { { RELOAD_UPDATE, "a" }, END } },
	{ "allow-groups", A "allow-groups = 0\n", A,
	    { { RELOAD_UPDATE, "a" }, END } },
	{ "a default of [dsrouterd] changed", "[dsrouterd]\npair-timeout = 1\n"
	    A B, "[dsrouterd]\npair-timeout = 2\n" A B,
	    { { RELOAD_UPDATE, "a" }, { RELOAD_UPDATE, "b" }, END } },
	{ "the same value written another way", A "pair-timeout = 2\n",
	    A "pair-timeout = 2.000s\n", { { RELOAD_KEEP, "a" }, END } },
	/* A new route for the old: ends, mode, the socket file itself. */
	{ "the tool socket moved", A,
	    "[route a]\nipc-server = /tmp/dsr-rl-a2.sock\n"
	    "tcp-server = 127.0.0.1:9301\n", { { RELOAD_REPLACE, "a" }, END } },
	{ "the runtime port moved", A,
	    "[route a]\nipc-server = /tmp/dsr-rl-a.sock\n"
	    "tcp-server = 127.0.0.1:9399\n", { { RELOAD_REPLACE, "a" }, END } },
	{ "the runtime side over a Unix socket", A,
	    "[route a]\nipc-server = /tmp/dsr-rl-a.sock\n"
	    "tcp-server = unix:/tmp/dsr-rl-a.rt\n",
	    { { RELOAD_REPLACE, "a" }, END } },
	{ "the mode, same addresses", A,
	    "[route a]\nipc-server = /tmp/dsr-rl-a.sock\n"
	    "tcp-client = 127.0.0.1:9301\n", { { RELOAD_REPLACE, "a" }, END } },
	{ "the default tool socket for an explicit one", A,
	    "[route a]\ntcp-server = 127.0.0.1:9301\n",
	    { { RELOAD_REPLACE, "a" }, END } },
	{ "socket-mode", A, A "socket-mode = 0660\n",
	    { { RELOAD_REPLACE, "a" }, END } },
	{ "socket-mode changed", A "socket-mode = 0660\n",
	    A "socket-mode = 0640\n", { { RELOAD_REPLACE, "a" }, END } },
	{ "socket-group", A, A "socket-group = root\n",
	    { { RELOAD_REPLACE, "a" }, END } },
	{ "socket-group changed", A "socket-group = 0\n",
	    A "socket-group = 1\n", { { RELOAD_REPLACE, "a" }, END } },
	{ "the ends and a time-out: replaced, not updated", A,
	    "[route a]\nipc-server = /tmp/dsr-rl-a3.sock\n"
	    "tcp-server = 127.0.0.1:9301\npair-timeout = 9\n",
	    { { RELOAD_REPLACE, "a" }, END } },
	/* Added and removed. */
	{ "one added", A, A B,
	    { { RELOAD_KEEP, "a" }, { RELOAD_ADD, "b" }, END } },
	{ "one added first", A, B A,
	    { { RELOAD_ADD, "b" }, { RELOAD_KEEP, "a" }, END } },
	{ "one removed", A B, B,
	    { { RELOAD_REMOVE, "a" }, { RELOAD_KEEP, "b" }, END } },
	/* Removals first, whatever their place, then the new file's order. */
	{ "removed last, still first", A B C, A B,
	    { { RELOAD_REMOVE, "c" }, { RELOAD_KEEP, "a" },
	    { RELOAD_KEEP, "b" }, END } },
	{ "two removed, in the running order", A B C D, D B,
	    { { RELOAD_REMOVE, "a" }, { RELOAD_REMOVE, "c" },
	    { RELOAD_KEEP, "d" }, { RELOAD_KEEP, "b" }, END } },
	{ "everything at once", A B C,
	    D "[route c]\nipc-server = /tmp/dsr-rl-c.sock\n"
	    "tcp-client = 127.0.0.1:9303\npair-timeout = 1\n"
	    "[route a]\nipc-server = /tmp/dsr-rl-a9.sock\n"
	    "tcp-server = 127.0.0.1:9301\n",
	    { { RELOAD_REMOVE, "b" }, { RELOAD_ADD, "d" },
	    { RELOAD_UPDATE, "c" }, { RELOAD_REPLACE, "a" }, END } },
	/* Names match routes, not addresses: a rename is a new route. */
	{ "renamed", A,
	    "[route z]\nipc-server = /tmp/dsr-rl-a.sock\n"
	    "tcp-server = 127.0.0.1:9301\n",
	    { { RELOAD_REMOVE, "a" }, { RELOAD_ADD, "z" }, END } },
	{ "swapped names", A B,
	    "[route a]\nipc-server = /tmp/dsr-rl-b.sock\n"
	    "tcp-server = 127.0.0.1:9302\n"
	    "[route b]\nipc-server = /tmp/dsr-rl-a.sock\n"
	    "tcp-server = 127.0.0.1:9301\n",
	    { { RELOAD_REPLACE, "a" }, { RELOAD_REPLACE, "b" }, END } },
	{ "all new", A B, C D,
	    { { RELOAD_REMOVE, "a" }, { RELOAD_REMOVE, "b" },
	    { RELOAD_ADD, "c" }, { RELOAD_ADD, "d" }, END } },
#ifdef HAVE_WEBSOCKET
	/* A browser app's WebSocket: the URL is an end, the origins are not. */
	{ "websocket unchanged", A W, A W,
	    { { RELOAD_KEEP, "a" }, { RELOAD_KEEP, "w" }, END } },
	{ "websocket port", A W, A "[route w]\nipc-server = /tmp/dsr-rl-w.sock\n"
	    "web-socket = ws://127.0.0.1:9306/diagnostics\n",
	    { { RELOAD_KEEP, "a" }, { RELOAD_REPLACE, "w" }, END } },
	{ "websocket path", W, "[route w]\nipc-server = /tmp/dsr-rl-w.sock\n"
	    "web-socket = ws://127.0.0.1:9305/other\n",
	    { { RELOAD_REPLACE, "w" }, END } },
	{ "websocket for tcp-server, same port", W,
	    "[route w]\nipc-server = /tmp/dsr-rl-w.sock\n"
	    "tcp-server = 127.0.0.1:9305\n", { { RELOAD_REPLACE, "w" }, END } },
	{ "websocket origins", A W, A W "allow-origins = http://a.example\n",
	    { { RELOAD_KEEP, "a" }, { RELOAD_UPDATE, "w" }, END } },
	{ "websocket origins changed", W "allow-origins = http://a.example\n",
	    W "allow-origins = http://b.example, localhost\n",
	    { { RELOAD_UPDATE, "w" }, END } },
	{ "websocket origins from [dsrouterd]", A W,
	    "[dsrouterd]\nallow-origins = *\n" A W,
	    { { RELOAD_KEEP, "a" }, { RELOAD_UPDATE, "w" }, END } },
	{ "websocket URL written otherwise", W,
	    "[route w]\nipc-server = /tmp/dsr-rl-w.sock\n"
	    "web-socket = http://127.0.0.1:9305/diagnostics\n",
	    { { RELOAD_KEEP, "w" }, END } },
#endif
};

START_TEST(test_plan)
{
	const struct route_conf *old[MAX_ROUTES] = { NULL };
	const struct route_conf *want_old, *want_new;
	const struct reload_step *st;
	struct conf *oc, *nc;
	struct reload_plan p;
	size_t n, i, nwant;

	oc = load(plans[_i].old);
	nc = load(plans[_i].new);
	n = running(oc, old);
	memset(&p, 0xaa, sizeof p);
	reload_plan(&p, old, n, nc);
	for (nwant = 0; plans[_i].steps[nwant].name != NULL; nwant++)
		;
	ck_assert_msg(p.nsteps == nwant, "%s: %zu steps, not %zu",
	    plans[_i].what, p.nsteps, nwant);
	for (i = 0; i < nwant; i++) {
		st = &p.steps[i];
		ck_assert_msg(st->action == plans[_i].steps[i].action,
		    "%s: step %zu (%s) is action %d, not %d", plans[_i].what, i,
		    plans[_i].steps[i].name, st->action,
		    plans[_i].steps[i].action);
		/* The routes by name: the running one, the new file's. */
		want_old = conf_find_route(oc, plans[_i].steps[i].name);
		want_new = conf_find_route(nc, plans[_i].steps[i].name);
		switch (st->action) {
		case RELOAD_REMOVE:
			want_new = NULL;
			break;
		case RELOAD_ADD:
			want_old = NULL;
			break;
		default:
			break;
		}
		ck_assert_msg(st->old == want_old && st->new == want_new,
		    "%s: step %zu is not about route %s", plans[_i].what, i,
		    plans[_i].steps[i].name);
		if (st->old != NULL)
			ck_assert_ptr_nonnull(want_old);
		if (st->new != NULL)
			ck_assert_ptr_nonnull(want_new);
	}
	reload_plan_free(&p);
	ck_assert_ptr_null(p.steps);
	ck_assert_uint_eq(p.nsteps, 0);
	conf_free(oc);
	conf_free(nc);
}
END_TEST

/* Nothing running yet: every route is added; nothing at all, no steps. */
START_TEST(test_from_nothing)
{
	const struct route_conf *old[MAX_ROUTES] = { NULL };
	struct conf *nc;
	struct reload_plan p;
	size_t i;

	nc = load(B A C);
	reload_plan(&p, old, 0, nc);
	ck_assert_uint_eq(p.nsteps, 3);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(p.steps[i].action, RELOAD_ADD);
		ck_assert_ptr_null(p.steps[i].old);
	}
	ck_assert_str_eq(p.steps[0].new->name, "b");
	ck_assert_str_eq(p.steps[1].new->name, "a");
	ck_assert_str_eq(p.steps[2].new->name, "c");
	reload_plan_free(&p);
	conf_free(nc);
}
END_TEST

/*
 * A running route's settings are matched against the new file's, not
 * against the file they came from: a route changed in place by an earlier
 * reload is kept when the file does not change again.
 */
START_TEST(test_after_update)
{
	const struct route_conf *old[MAX_ROUTES] = { NULL };
	struct conf *first, *second, *third;
	struct reload_plan p;
	size_t n;

	first = load(A);
	second = load(A "pair-timeout = 3\n");
	third = load(A "pair-timeout = 3\n");
	n = running(first, old);
	reload_plan(&p, old, n, second);
	ck_assert_uint_eq(p.nsteps, 1);
	ck_assert_int_eq(p.steps[0].action, RELOAD_UPDATE);
	reload_plan_free(&p);
	/* The daemon now runs second's route. */
	n = running(second, old);
	reload_plan(&p, old, n, third);
	ck_assert_uint_eq(p.nsteps, 1);
	ck_assert_int_eq(p.steps[0].action, RELOAD_KEEP);
	ck_assert_ptr_eq(p.steps[0].old, TAILQ_FIRST(&second->routes));
	ck_assert_ptr_eq(p.steps[0].new, TAILQ_FIRST(&third->routes));
	reload_plan_free(&p);
	conf_free(first);
	conf_free(second);
	conf_free(third);
}
END_TEST

/* conf_route_same_ends and conf_route_equal, which the plan rests on. */
START_TEST(test_same_ends)
{
	struct conf *a, *b;

	a = load(A "pair-timeout = 1\n");
	b = load(A "pair-timeout = 2\n");
	ck_assert_int_eq(conf_route_same_ends(TAILQ_FIRST(&a->routes),
	    TAILQ_FIRST(&b->routes)), 1);
	ck_assert_int_eq(conf_route_equal(TAILQ_FIRST(&a->routes),
	    TAILQ_FIRST(&b->routes)), 0);
	ck_assert_int_eq(conf_route_equal(TAILQ_FIRST(&a->routes),
	    TAILQ_FIRST(&a->routes)), 1);
	conf_free(b);
	/* Another name is another route, whatever its ends. */
	b = load("[route x]\nipc-server = /tmp/dsr-rl-a.sock\n"
	    "tcp-server = 127.0.0.1:9301\npair-timeout = 1\n");
	ck_assert_int_eq(conf_route_same_ends(TAILQ_FIRST(&a->routes),
	    TAILQ_FIRST(&b->routes)), 0);
	ck_assert_int_eq(conf_route_equal(TAILQ_FIRST(&a->routes),
	    TAILQ_FIRST(&b->routes)), 0);
	conf_free(b);
	/* allow-remote-tools applies in place too. */
	conf_free(a);
	a = load("[route t]\nipc-server = tcp:127.0.0.1:9305\n"
	    "tcp-server = 127.0.0.1:9306\n");
	b = load("[route t]\nipc-server = tcp:127.0.0.1:9305\n"
	    "tcp-server = 127.0.0.1:9306\nallow-remote-tools = yes\n");
	ck_assert_int_eq(conf_route_same_ends(TAILQ_FIRST(&a->routes),
	    TAILQ_FIRST(&b->routes)), 1);
	ck_assert_int_eq(conf_route_equal(TAILQ_FIRST(&a->routes),
	    TAILQ_FIRST(&b->routes)), 0);
	conf_free(a);
	conf_free(b);
}
END_TEST

/* The reload.c suite. */
Suite *
reload_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("reload");
	tc = unit_tcase("plan");
	tcase_add_loop_test(tc, test_plan, 0, NITEMS(plans));
	tcase_add_test(tc, test_from_nothing);
	tcase_add_test(tc, test_after_update);
	tcase_add_test(tc, test_same_ends);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(reload_suite());
}
