/* SPDX-License-Identifier: MIT */
/*
 * reload.c: what a reload does to each route (pure logic). A route is
 * matched by name. Unchanged, it is kept; changed only in what applies in
 * place (time-outs), it is updated; changed in its ends or mode, it is
 * replaced; gone from the file, removed; new, added. Removals come first,
 * so that an address a removed route held is free for the others.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dsrouterd.h"

/* Append a step. */
static void
reload_add(struct reload_plan *p, enum reload_action action,
    const struct route_conf *old, const struct route_conf *new)
{
	p->steps = xreallocarray(p->steps, p->nsteps + 1, sizeof *p->steps);
	p->steps[p->nsteps].action = action;
	p->steps[p->nsteps].old = old;
	p->steps[p->nsteps].new = new;
	p->nsteps++;
}

/* The route of a list with this name, or NULL. */
static const struct route_conf *
reload_find(const struct route_conf *const *list, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(list[i]->name, name) == 0)
			return list[i];
	}
	return NULL;
}

/*
 * Plan the move from the running routes (old, n of them) to a validated
 * new configuration.
 */
void
reload_plan(struct reload_plan *p, const struct route_conf *const *old,
    size_t n, const struct conf *nc)
{
	const struct route_conf *rc, *o;
	size_t i;

	memset(p, 0, sizeof *p);
	for (i = 0; i < n; i++) {
		if (conf_find_route(nc, old[i]->name) == NULL)
			reload_add(p, RELOAD_REMOVE, old[i], NULL);
	}
	TAILQ_FOREACH(rc, &nc->routes, entry) {
		if ((o = reload_find(old, n, rc->name)) == NULL)
			reload_add(p, RELOAD_ADD, NULL, rc);
		else if (conf_route_equal(o, rc))
			reload_add(p, RELOAD_KEEP, o, rc);
		else if (conf_route_same_ends(o, rc))
			reload_add(p, RELOAD_UPDATE, o, rc);
		else
			reload_add(p, RELOAD_REPLACE, o, rc);
	}
}

/* Free a plan's steps (the routes are not its). */
void
reload_plan_free(struct reload_plan *p)
{
	free(p->steps);
	memset(p, 0, sizeof *p);
}
