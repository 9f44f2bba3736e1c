/* SPDX-License-Identifier: MIT */
/*
 * access.c: who may use a route's Unix tool socket: the socket file's mode
 * and group, and the users and groups whose tools it takes. Names are
 * looked up once, when the configuration is read.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "dsrouterd.h"

/* Parse an octal socket mode: owner read and write, nothing executable. */
int
access_parse_mode(const char *s, mode_t *mode)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 8);
	if (*s < '0' || *s > '7' || *end != '\0' || errno != 0 || v > 0777)
		return -1;
	if ((v & 0600) != 0600 || (v & 0111) != 0)
		return -1;
	*mode = (mode_t)v;
	return 0;
}

/* A decimal id, or -1. */
static long
access_number(const char *s)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || v > 0x7fffffff)
		return -1;
	return (long)v;
}

/* A group by name or number. */
int
access_parse_group(const char *s, gid_t *gid)
{
	struct group *gr;
	long n;

	if ((n = access_number(s)) >= 0) {
		*gid = (gid_t)n;
		return 0;
	}
	if ((gr = getgrnam(s)) == NULL)
		return -1;
	*gid = gr->gr_gid;
	return 0;
}

/* A user by name or number. */
static int
access_parse_user(const char *s, uid_t *uid)
{
	struct passwd *pw;
	long n;

	if ((n = access_number(s)) >= 0) {
		*uid = (uid_t)n;
		return 0;
	}
	if ((pw = getpwnam(s)) == NULL)
		return -1;
	*uid = pw->pw_uid;
	return 0;
}

/*
 * Parse a list of ids (names or numbers, separated by commas or spaces)
 * with one of the parsers above; what names them in messages.
 */
static int
access_parse_list(const char *list, const char *what,
    int (*parse)(const char *, void *), void **out, size_t size, size_t *n,
    char **cause)
{
	char *copy, *word, *save = NULL;
	uint32_t id;

	*out = NULL;
	*n = 0;
	copy = xstrdup(list);
	for (word = strtok_r(copy, ", \t", &save); word != NULL;
	    word = strtok_r(NULL, ", \t", &save)) {
		if (parse(word, &id) != 0) {
			xasprintf(cause, "no %s '%s' on this system", what, word);
			free(copy);
			free(*out);
			*out = NULL;
			*n = 0;
			return -1;
		}
		*out = xreallocarray(*out, *n + 1, size);
		memcpy((char *)*out + *n * size, &id, size);
		(*n)++;
	}
	free(copy);
	if (*n == 0) {
		xasprintf(cause, "an empty list of %ss", what);
		return -1;
	}
	return 0;
}

/* Adapters: uid_t and gid_t are 32 bits here. */
static int
access_user_cb(const char *s, void *out)
{
	return access_parse_user(s, out);
}

static int
access_group_cb(const char *s, void *out)
{
	return access_parse_group(s, out);
}

/* Parse allow-users. */
int
access_parse_users(const char *list, uid_t **uids, size_t *n, char **cause)
{
	return access_parse_list(list, "user", access_user_cb, (void **)uids,
	    sizeof **uids, n, cause);
}

/* Parse allow-groups. */
int
access_parse_groups(const char *list, gid_t **gids, size_t *n, char **cause)
{
	return access_parse_list(list, "group", access_group_cb, (void **)gids,
	    sizeof **gids, n, cause);
}

/*
 * Whether a peer (uid, primary gid, supplementary groups) may use the
 * socket: always when no list is set; else when its user is in
 * allow-users or one of its groups in allow-groups.
 */
int
access_allowed(const struct access *ac, uid_t uid, gid_t gid,
    const gid_t *groups, size_t ngroups)
{
	size_t i, j;

	if (ac->nuids == 0 && ac->ngids == 0)
		return 1;
	for (i = 0; i < ac->nuids; i++) {
		if (ac->uids[i] == uid)
			return 1;
	}
	for (i = 0; i < ac->ngids; i++) {
		if (ac->gids[i] == gid)
			return 1;
		for (j = 0; j < ngroups; j++) {
			if (ac->gids[i] == groups[j])
				return 1;
		}
	}
	return 0;
}

/* Whether two access settings are the same. */
int
access_equal(const struct access *a, const struct access *b)
{
	return a->mode == b->mode && a->group_set == b->group_set &&
	    a->group == b->group && a->nuids == b->nuids &&
	    a->ngids == b->ngids &&
	    (a->nuids == 0 || memcmp(a->uids, b->uids, a->nuids * sizeof *a->uids) == 0) &&
	    (a->ngids == 0 || memcmp(a->gids, b->gids, a->ngids * sizeof *a->gids) == 0);
}

/* Deep-copy access settings. */
void
access_copy(struct access *dst, const struct access *src)
{
	*dst = *src;
	dst->uids = NULL;
	dst->gids = NULL;
	if (src->nuids > 0) {
		dst->uids = xreallocarray(NULL, src->nuids, sizeof *dst->uids);
		memcpy(dst->uids, src->uids, src->nuids * sizeof *dst->uids);
	}
	if (src->ngids > 0) {
		dst->gids = xreallocarray(NULL, src->ngids, sizeof *dst->gids);
		memcpy(dst->gids, src->gids, src->ngids * sizeof *dst->gids);
	}
}

/* Free the lists. */
void
access_free(struct access *ac)
{
	free(ac->uids);
	free(ac->gids);
	ac->uids = NULL;
	ac->gids = NULL;
	ac->nuids = ac->ngids = 0;
}
