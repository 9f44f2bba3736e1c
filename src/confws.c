/* SPDX-License-Identifier: MIT */
/*
 * confws.c: what configures a browser app's WebSocket besides its URL
 * (ws.c parses that): the allow-origins list, checked item by item.
 * Pure: no I/O.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dsrouterd.h"

/*
 * The split of a list at commas, blanks trimmed, empty items left out:
 * NULL-ended, in *list; the number of items.
 */
static size_t
confws_split(const char *value, char ***list)
{
	char *copy, *word, *save = NULL, *end;
	size_t n = 0;

	*list = xcalloc(1, sizeof **list);
	copy = xstrdup(value);
	for (word = strtok_r(copy, ",", &save); word != NULL;
	    word = strtok_r(NULL, ",", &save)) {
		while (*word == ' ' || *word == '\t')
			word++;
		end = word + strlen(word);
		while (end > word && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*word == '\0')
			continue;
		*list = xreallocarray(*list, n + 2, sizeof **list);
		(*list)[n++] = xstrdup(word);
		(*list)[n] = NULL;
	}
	free(copy);
	return n;
}

/*
 * Whether an allow-origins item is one: "*", "localhost", "null" (a page
 * from a file), or http(s)://HOST[:PORT] without a path.
 */
static int
confws_origin_valid(const char *o)
{
	const char *p;

	if (strcmp(o, "*") == 0 || strcasecmp(o, "localhost") == 0 ||
	    strcmp(o, "null") == 0)
		return 1;
	if (strncasecmp(o, "http://", 7) == 0)
		p = o + 7;
	else if (strncasecmp(o, "https://", 8) == 0)
		p = o + 8;
	else
		return 0;
	if (*p == '\0' || *p == ':' || *p == '/')
		return 0;
	for (; *p != '\0' && *p != '/'; p++) {
		if (*p <= ' ' || *p >= 0x7f || strchr("@?#\\\"", *p) != NULL)
			return 0;
	}
	return *p == '\0' || strcmp(p, "/") == 0;
}

/*
 * Parse allow-origins into a NULL-ended list. Returns -1 with *cause (the
 * item that is no origin, or an empty list); *list is then still the
 * caller's to free with the route.
 */
int
confws_origins(const char *value, char ***list, char **cause)
{
	size_t i, n;

	n = confws_split(value, list);
	for (i = 0; i < n; i++) {
		if (confws_origin_valid((*list)[i]))
			continue;
		xasprintf(cause, "'%s' is not an origin: write "
		    "http(s)://HOST[:PORT] (as the browser's address bar shows "
		    "the page), localhost, null or *", (*list)[i]);
		return -1;
	}
	if (n == 0) {
		xasprintf(cause, "no origin given");
		return -1;
	}
	return 0;
}
