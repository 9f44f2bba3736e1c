/* SPDX-License-Identifier: MIT */
/*
 * dynlib.c: a library loaded with dlopen when a route first needs it
 * (libusbmuxd for iOS devices, nettle for WebSocket runtimes), so that a
 * daemon without such a route never maps it: the first of its names that
 * dlopen finds, and its functions resolved into a caller's table.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "dsrouterd.h"

/*
 * Load the first of names (NULL-terminated) and fill table with the
 * functions syms name, each at its offset. Returns the handle (the caller
 * keeps or closes it), or NULL with a one-line *cause: "WHAT: cannot load
 * NAME (why): HINT" or "WHAT: NAME has no SYMBOL (NEED): HINT".
 */
void *
dynlib_open(const char *const *names, const struct dynlib_sym *syms,
    size_t nsyms, void *table, const struct dynlib_what *what, char **cause)
{
	const char *name = NULL, *e;
	char *first = NULL;
	void *h = NULL, *sym;
	size_t i;

	for (i = 0; names[i] != NULL && h == NULL; i++) {
		name = names[i];
		if ((h = dlopen(name, RTLD_NOW | RTLD_LOCAL)) == NULL &&
		    first == NULL && (e = dlerror()) != NULL)
			first = xstrdup(e);
	}
	if (h == NULL) {
		xasprintf(cause, "%s: cannot load %s (%s): %s", what->what,
		    names[0], first != NULL ? first : "not found", what->hint);
		free(first);
		return NULL;
	}
	free(first);
	for (i = 0; i < nsyms; i++) {
		if ((sym = dlsym(h, syms[i].name)) == NULL) {
			xasprintf(cause, "%s: %s has no %s (%s): %s", what->what,
			    name, syms[i].name, what->need, what->hint);
			dlclose(h);
			return NULL;
		}
		memcpy((char *)table + syms[i].offset, &sym, sizeof sym);
	}
	return h;
}
