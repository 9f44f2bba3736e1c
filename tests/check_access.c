/* SPDX-License-Identifier: MIT */
/* check_access.c: unit tests for access.c: who may use a tool socket. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsrouterd.h"
#include "check_main.h"

/* Names no system has, for the refusals. */
#define NO_USER "dsr-no-such-user"
#define NO_GROUP "dsr-no-such-group"

/* Socket modes as written, and the mode they give (0: refused). */
static const struct {
	const char *text;
	mode_t mode;
} modes[] = {
	{ "0600", 0600 },
	{ "0620", 0620 },
	{ "0640", 0640 },
	{ "0660", 0660 },
	{ "0602", 0602 },
	{ "0644", 0644 },
	{ "0664", 0664 },
	{ "0666", 0666 },
	/* Octal with or without its leading 0. */
	{ "660", 0660 },
	{ "00640", 0640 },
	/* The owner must read and write. */
	{ "0400", 0 },
	{ "0200", 0 },
	{ "0000", 0 },
	{ "0066", 0 },
	{ "0466", 0 },
	/* Nothing executable, for anyone. */
	{ "0700", 0 },
	{ "0610", 0 },
	{ "0601", 0 },
	{ "0670", 0 },
	{ "0667", 0 },
	{ "0777", 0 },
	{ "0755", 0 },
	/* No set-id or sticky bits. */
	{ "01600", 0 },
	{ "02660", 0 },
	{ "04600", 0 },
	/* Octal only: not hex, not decimal, not 0o, not symbolic. */
	{ "0x1b0", 0 },
	{ "0o660", 0 },
	{ "432", 0 },
	{ "0668", 0 },
	{ "0690", 0 },
	{ "rw-rw----", 0 },
	{ "u=rw,g=rw", 0 },
	/* One number, nothing around it. */
	{ "", 0 },
	{ " 0660", 0 },
	{ "0660 ", 0 },
	{ "+0660", 0 },
	{ "-0660", 0 },
	{ "0660a", 0 },
	{ "0660,0600", 0 },
	{ "99999999999999999999999", 0 },
};

START_TEST(test_parse_mode)
{
	mode_t mode = 01234;
	int rc;

	rc = access_parse_mode(modes[_i].text, &mode);
	if (modes[_i].mode == 0) {
		ck_assert_msg(rc == -1, "socket mode '%s' accepted as %04o",
		    modes[_i].text, (unsigned)mode);
		ck_assert_msg(mode == 01234, "refused '%s' but set the mode",
		    modes[_i].text);
	} else {
		ck_assert_msg(rc == 0, "socket mode '%s' refused",
		    modes[_i].text);
		ck_assert_uint_eq(mode, modes[_i].mode);
	}
}
END_TEST

/*
 * Every mode from 0000 to 07777 written as four octal digits: exactly the
 * sixteen with owner rw- and group and others each ---, -w-, r-- or rw-,
 * 0600 to 0666, are accepted.
 */
START_TEST(test_parse_mode_all)
{
	char text[8];
	unsigned v, group, other;
	mode_t mode;
	int want, n = 0;

	for (v = 0; v <= 07777; v++) {
		snprintf(text, sizeof text, "%04o", v);
		group = (v >> 3) & 7;
		other = v & 7;
		want = (v >> 6) == 6 && group % 2 == 0 && other % 2 == 0;
		mode = 0;
		ck_assert_msg((access_parse_mode(text, &mode) == 0) == want,
		    "socket mode %s %s", text, want ? "refused" : "accepted");
		if (want) {
			ck_assert_uint_eq(mode, v);
			ck_assert_uint_ge(mode, 0600);
			ck_assert_uint_le(mode, 0666);
			n++;
		}
	}
	ck_assert_int_eq(n, 16);
}
END_TEST

/* Groups by number or name. */
static const struct {
	const char *text;
	int rc;
	gid_t gid;
} groups[] = {
	{ "0", 0, 0 },
	{ "1234", 0, 1234 },
	{ "65534", 0, 65534 },
	{ "2147483647", 0, 2147483647u },
	/* A name every Linux has. */
	{ "root", 0, 0 },
	{ NO_GROUP, -1, 0 },
	{ "", -1, 0 },
	{ "-1", -1, 0 },
	{ "12abc", -1, 0 },
	{ "4294967295", -1, 0 },
	{ "99999999999999999999", -1, 0 },
};

START_TEST(test_parse_group)
{
	gid_t gid = 4242;

	ck_assert_int_eq(access_parse_group(groups[_i].text, &gid),
	    groups[_i].rc);
	ck_assert_uint_eq(gid, groups[_i].rc == 0 ? groups[_i].gid : 4242);
}
END_TEST

/* allow-users and allow-groups lists, and what they give. */
#define MAX_IDS 4
static const struct {
	int groups;               /* allow-groups, else allow-users */
	const char *text;
	size_t n;                 /* ids it gives; 0: refused */
	uint32_t ids[MAX_IDS];
	const char *cause;        /* the refusal */
} lists[] = {
	{ 0, "root", 1, { 0 }, NULL },
	{ 0, "1000", 1, { 1000 }, NULL },
	{ 0, "root,1000", 2, { 0, 1000 }, NULL },
	/* Commas, spaces and tabs separate; empty items are nothing. */
	{ 0, "0, 1000 2000\t3000", 4, { 0, 1000, 2000, 3000 }, NULL },
	{ 0, ",1,,2, ,", 2, { 1, 2 }, NULL },
	{ 0, "5,5", 2, { 5, 5 }, NULL },
	{ 1, "root", 1, { 0 }, NULL },
	{ 1, "0,100", 2, { 0, 100 }, NULL },
	{ 1, " 7 ", 1, { 7 }, NULL },
	/* Unknown names are refused, named. */
	{ 0, NO_USER, 0, { 0 }, "no user '" NO_USER "' on this system" },
	{ 0, "root," NO_USER ",0", 0, { 0 },
	    "no user '" NO_USER "' on this system" },
	{ 1, NO_GROUP, 0, { 0 }, "no group '" NO_GROUP "' on this system" },
	{ 1, "0 " NO_GROUP, 0, { 0 },
	    "no group '" NO_GROUP "' on this system" },
	/* A group is not a user, nor a user's name a number. */
	{ 0, "12abc", 0, { 0 }, "no user '12abc' on this system" },
	{ 1, "-5", 0, { 0 }, "no group '-5' on this system" },
	/* An empty list allows nobody in particular: refused. */
	{ 0, "", 0, { 0 }, "an empty list of users" },
	{ 0, " , ", 0, { 0 }, "an empty list of users" },
	{ 1, "\t", 0, { 0 }, "an empty list of groups" },
};

START_TEST(test_parse_list)
{
	uint32_t *ids = (uint32_t *)1;
	char *cause = NULL;
	size_t n = 99, i;
	int rc;

	if (lists[_i].groups)
		rc = access_parse_groups(lists[_i].text, (gid_t **)&ids, &n,
		    &cause);
	else
		rc = access_parse_users(lists[_i].text, (uid_t **)&ids, &n,
		    &cause);
	if (lists[_i].n == 0) {
		ck_assert_msg(rc == -1, "'%s' accepted", lists[_i].text);
		ck_assert_ptr_null(ids);
		ck_assert_uint_eq(n, 0);
		ck_assert_ptr_nonnull(cause);
		ck_assert_str_eq(cause, lists[_i].cause);
		free(cause);
		return;
	}
	ck_assert_msg(rc == 0, "'%s' refused: %s", lists[_i].text,
	    cause != NULL ? cause : "(no cause)");
	ck_assert_ptr_null(cause);
	ck_assert_uint_eq(n, lists[_i].n);
	for (i = 0; i < n; i++)
		ck_assert_uint_eq(ids[i], lists[_i].ids[i]);
	free(ids);
}
END_TEST

/* Lists for access_allowed. */
static uid_t uids_two[] = { 1000, 1001 };
static gid_t gids_one[] = { 50 };
static gid_t gids_two[] = { 50, 60 };
static gid_t supp_other[] = { 10, 20, 30 };
static gid_t supp_last[] = { 10, 20, 60 };
static gid_t supp_1000[] = { 1000 };

#define LIST(a) a, NITEMS(a)
#define NOLIST NULL, 0

/* Peers and whether they may use the socket. */
static const struct {
	const char *what;
	uid_t *uids;
	size_t nuids;
	gid_t *gids;
	size_t ngids;
	uid_t uid;
	gid_t gid;
	gid_t *supp;
	size_t nsupp;
	int allowed;
} peers[] = {
	{ "no lists: everyone", NOLIST, NOLIST, 1234, 1234, NOLIST, 1 },
	{ "no lists: root", NOLIST, NOLIST, 0, 0, NOLIST, 1 },
	{ "by uid", LIST(uids_two), NOLIST, 1001, 5, NOLIST, 1 },
	{ "by uid, first", LIST(uids_two), NOLIST, 1000, 5, NOLIST, 1 },
	{ "uid not listed", LIST(uids_two), NOLIST, 1002, 5,
	    LIST(supp_other), 0 },
	/* Root is a user like any other here: the file mode stops no root. */
	{ "root not listed", LIST(uids_two), NOLIST, 0, 0, NOLIST, 0 },
	/* A gid is not matched against allow-users. */
	{ "gid equal to a listed uid", LIST(uids_two), NOLIST, 7, 1000,
	    LIST(supp_1000), 0 },
	{ "by primary gid", NOLIST, LIST(gids_one), 7, 50, NOLIST, 1 },
	{ "by supplementary group", NOLIST, LIST(gids_one), 7, 8,
	    LIST(gids_two), 1 },
	{ "by the last supplementary group", NOLIST, LIST(gids_two), 7, 8,
	    LIST(supp_last), 1 },
	{ "by the second listed group", NOLIST, LIST(gids_two), 7, 60,
	    NOLIST, 1 },
	{ "no group listed", NOLIST, LIST(gids_two), 7, 8,
	    LIST(supp_other), 0 },
	/* A uid is not matched against allow-groups. */
	{ "uid equal to a listed gid", NOLIST, LIST(gids_one), 50, 8,
	    NOLIST, 0 },
	{ "both lists: by uid", LIST(uids_two), LIST(gids_one), 1000, 8,
	    NOLIST, 1 },
	{ "both lists: by group", LIST(uids_two), LIST(gids_one), 9, 8,
	    LIST(gids_one), 1 },
	{ "both lists: neither", LIST(uids_two), LIST(gids_one), 9, 8,
	    LIST(supp_other), 0 },
};

START_TEST(test_allowed)
{
	struct access ac;

	memset(&ac, 0, sizeof ac);
	ac.mode = 0660;
	ac.uids = peers[_i].uids;
	ac.nuids = peers[_i].nuids;
	ac.gids = peers[_i].gids;
	ac.ngids = peers[_i].ngids;
	ck_assert_msg(access_allowed(&ac, peers[_i].uid, peers[_i].gid,
	    peers[_i].supp, peers[_i].nsupp) == peers[_i].allowed, "%s: %s",
	    peers[_i].what, peers[_i].allowed ? "refused" : "allowed");
}
END_TEST

/* Fill access settings with their own lists. */
static void
fill(struct access *ac, mode_t mode, int group_set, gid_t group,
    const char *users, const char *grouplist)
{
	char *cause = NULL;

	memset(ac, 0, sizeof *ac);
	ac->mode = mode;
	ac->group_set = group_set;
	ac->group = group;
	if (users != NULL)
		ck_assert_int_eq(access_parse_users(users, &ac->uids,
		    &ac->nuids, &cause), 0);
	if (grouplist != NULL)
		ck_assert_int_eq(access_parse_groups(grouplist, &ac->gids,
		    &ac->ngids, &cause), 0);
}

/* Settings compared with the first: whether each is the same. */
static const struct {
	mode_t mode;
	int group_set;
	gid_t group;
	const char *users, *groups;
	int equal;
} others[] = {
	{ 0660, 1, 100, "0,1000", "50", 1 },
	{ 0640, 1, 100, "0,1000", "50", 0 },
	{ 0660, 0, 100, "0,1000", "50", 0 },
	{ 0660, 1, 101, "0,1000", "50", 0 },
	{ 0660, 1, 100, "0", "50", 0 },
	{ 0660, 1, 100, "0,1000,1001", "50", 0 },
	{ 0660, 1, 100, "0,1001", "50", 0 },
	{ 0660, 1, 100, NULL, "50", 0 },
	{ 0660, 1, 100, "0,1000", "51", 0 },
	{ 0660, 1, 100, "0,1000", NULL, 0 },
	{ 0660, 1, 100, "0,1000", "50,50", 0 },
};

START_TEST(test_equal)
{
	struct access a, b;

	fill(&a, 0660, 1, 100, "0,1000", "50");
	fill(&b, others[_i].mode, others[_i].group_set, others[_i].group,
	    others[_i].users, others[_i].groups);
	ck_assert_int_eq(access_equal(&a, &b), others[_i].equal);
	ck_assert_int_eq(access_equal(&b, &a), others[_i].equal);
	ck_assert_int_eq(access_equal(&a, &a), 1);
	access_free(&a);
	access_free(&b);
}
END_TEST

START_TEST(test_equal_empty)
{
	struct access a, b;

	/* No lists (NULL pointers) on both sides: the same. */
	fill(&a, 0600, 0, 0, NULL, NULL);
	fill(&b, 0600, 0, 0, NULL, NULL);
	ck_assert_int_eq(access_equal(&a, &b), 1);
	b.mode = 0660;
	ck_assert_int_eq(access_equal(&a, &b), 0);
}
END_TEST

START_TEST(test_copy_free)
{
	struct access a, c;
	size_t i;

	fill(&a, 0640, 1, 42, "0,1000,2000", "50,60");
	memset(&c, 0xaa, sizeof c);
	access_copy(&c, &a);
	ck_assert_int_eq(access_equal(&a, &c), 1);
	/* A deep copy: lists of its own, that outlive the original's. */
	ck_assert_ptr_ne(c.uids, a.uids);
	ck_assert_ptr_ne(c.gids, a.gids);
	a.uids[0] = 7;
	ck_assert_uint_eq(c.uids[0], 0);
	access_free(&a);
	ck_assert_ptr_null(a.uids);
	ck_assert_ptr_null(a.gids);
	ck_assert_uint_eq(a.nuids, 0);
	ck_assert_uint_eq(a.ngids, 0);
	ck_assert_uint_eq(c.mode, 0640);
	ck_assert_int_eq(c.group_set, 1);
	ck_assert_uint_eq(c.group, 42);
	ck_assert_uint_eq(c.nuids, 3);
	ck_assert_uint_eq(c.ngids, 2);
	for (i = 0; i < c.nuids; i++)
		ck_assert_uint_eq(c.uids[i], (uid_t)(i * 1000));
	ck_assert_uint_eq(c.gids[0], 50);
	ck_assert_uint_eq(c.gids[1], 60);
	/* Freed twice: the second time does nothing. */
	access_free(&c);
	access_free(&c);
	ck_assert_ptr_null(c.uids);
	/* A copy of settings without lists has none. */
	fill(&a, 0600, 0, 0, NULL, NULL);
	memset(&c, 0xaa, sizeof c);
	access_copy(&c, &a);
	ck_assert_ptr_null(c.uids);
	ck_assert_ptr_null(c.gids);
	ck_assert_uint_eq(c.nuids, 0);
	ck_assert_int_eq(access_equal(&a, &c), 1);
	access_free(&c);
}
END_TEST

/* The access.c suite. */
Suite *
access_suite(void)
{
	Suite *s;
	TCase *tc;

	s = suite_create("access");

	tc = unit_tcase("parse");
	tcase_add_loop_test(tc, test_parse_mode, 0, NITEMS(modes));
	tcase_add_test(tc, test_parse_mode_all);
	tcase_add_loop_test(tc, test_parse_group, 0, NITEMS(groups));
	tcase_add_loop_test(tc, test_parse_list, 0, NITEMS(lists));
	suite_add_tcase(s, tc);

	tc = unit_tcase("check");
	tcase_add_loop_test(tc, test_allowed, 0, NITEMS(peers));
	tcase_add_loop_test(tc, test_equal, 0, NITEMS(others));
	tcase_add_test(tc, test_equal_empty);
	tcase_add_test(tc, test_copy_free);
	suite_add_tcase(s, tc);

	return s;
}

int
main(void)
{
	return unit_run(access_suite());
}
