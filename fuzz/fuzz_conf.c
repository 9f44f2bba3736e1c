/* SPDX-License-Identifier: MIT */
/*
 * fuzz_conf.c: fuzz target for the INI configuration. The input is loaded
 * with conffile_load_string. A refusal must be one message naming
 * file:line; an accepted configuration must hold together (fuzz_check_conf)
 * and must say what inih itself reads in the same text: the [route NAME]
 * sections that have keys, in order, each with exactly the values inih put
 * in that section (or the defaults of [dsrouterd]), and the log level and
 * control socket of [dsrouterd]. This catches any
 * disagreement between conffile's own idea of where sections begin and
 * inih's (a form feed before a header once moved a route's keys into the
 * route above it). Inputs naming a host that only DNS could resolve are
 * skipped, and nothing is created: tool sockets are only parsed.
 */
#include "config.h"

#include <ctype.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>

#include "dsrouterd.h"
#include "fuzz.h"

#define FILE_NAME "fuzz.conf"

/* One key as inih reports it. */
struct entry {
	char *section;
	char *name;
	char *value;
};

/* What inih read: every key, in order. */
struct oracle {
	struct entry *e;
	size_t n;
};

/* inih callback: record the key and the section inih says it is in. */
static int
oracle_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct oracle *o = arg;

	if (name == NULL)
		return 1;
	o->e = xreallocarray(o->e, o->n + 1, sizeof *o->e);
	o->e[o->n].section = xstrdup(section);
	o->e[o->n].name = xstrdup(name);
	o->e[o->n].value = xstrdup(value);
	o->n++;
	return 1;
}

/* Free what the oracle recorded. */
static void
oracle_free(struct oracle *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->e[i].section);
		free(o->e[i].name);
		free(o->e[i].value);
	}
	free(o->e);
}

/*
 * The text as conffile hands it to inih: each line without its
 * indentation (after a UTF-8 BOM on the first line), so that inih never
 * takes an indented line for the continuation of a value.
 */
static char *
dedent(const char *text)
{
	char *out, *q;
	const char *p = text;
	int first = 1;

	out = q = xmalloc(strlen(text) + 1);
	while (*p != '\0') {
		if (first && strncmp(p, "\xef\xbb\xbf", 3) == 0) {
			memcpy(q, p, 3);
			q += 3;
			p += 3;
		}
		first = 0;
		while (*p != '\n' && *p != '\0' && isspace((unsigned char)*p))
			p++;
		while (*p != '\n' && *p != '\0')
			*q++ = *p++;
		if (*p == '\n')
			*q++ = *p++;
	}
	*q = '\0';
	return out;
}

/* A section name without surrounding white space (isspace, as inih trims). */
static char *
trim(const char *s)
{
	const char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	return xstrndup(s, (size_t)(end - s));
}

/* The route name of a [route NAME] section, or NULL if it is not one. */
static const char *
route_name(const char *trimmed)
{
	const char *name;

	if (strncmp(trimmed, "route", 5) != 0 ||
	    (trimmed[5] != ' ' && trimmed[5] != '\t'))
		return NULL;
	for (name = trimmed + 5; *name == ' ' || *name == '\t'; name++)
		;
	return name;
}

/* Whether v is one of the spellings of a yes/no value. */
static int
is_word(const char *v, const char *a, const char *b, const char *c)
{
	return strcmp(v, a) == 0 || strcmp(v, b) == 0 || strcmp(v, c) == 0;
}

/*
 * A time-out as inih read it is what the route has; without the key, its
 * default (or 0, where 0 stands for a default chosen later).
 */
static void
check_timeout(const char *val, unsigned got, unsigned dflt, int allow_none)
{
	unsigned ms;

	if (val == NULL) {
		FUZZ_CHECK(got == dflt || got == 0);
		return;
	}
	FUZZ_CHECK(conf_parse_seconds(val, &ms, allow_none) == 0);
	FUZZ_CHECK(got == ms);
}

/*
 * A route of the configuration holds exactly the values inih put in its
 * section, or else the defaults [dsrouterd] gives.
 */
static void
check_route(const struct route_conf *rc, const struct oracle *o, size_t from,
    size_t to, const char *const *dflt)
{
	const char *val[KEY_COUNT];
	enum conf_key tk, rk, other_tk, other_rt;
	enum route_mode mode;
	size_t i;
	int key;

	memset(val, 0, sizeof val);
	for (i = from; i < to; i++) {
		key = conf_key_lookup(o->e[i].name);
		FUZZ_CHECK(key >= 0 && key < KEY_COUNT);   /* unknown keys are refused */
		FUZZ_CHECK(val[key] == NULL);              /* so are keys set twice */
		val[key] = o->e[i].value;
	}
	for (key = 0; key < KEY_COUNT; key++) {
		if (val[key] == NULL)
			val[key] = dflt[key];
	}

	tk = MODE_TOOL_SERVER(rc->mode) ? KEY_IPC_SERVER : KEY_IPC_CLIENT;
	other_tk = MODE_TOOL_SERVER(rc->mode) ? KEY_IPC_CLIENT : KEY_IPC_SERVER;
	rk = MODE_RUNTIME_SERVER(rc->mode) ? KEY_TCP_SERVER : KEY_TCP_CLIENT;
	other_rt = MODE_RUNTIME_SERVER(rc->mode) ? KEY_TCP_CLIENT : KEY_TCP_SERVER;
	FUZZ_CHECK(val[other_tk] == NULL && val[other_rt] == NULL);

	if (val[KEY_MODE] != NULL) {
		FUZZ_CHECK(strcmp(val[KEY_MODE], rc->preset != NULL ?
		    rc->preset : conf_mode_name(rc->mode)) == 0);
	} else {
		FUZZ_CHECK(rc->preset == NULL);
		if (val[KEY_IPC_CLIENT] != NULL)
			mode = val[KEY_TCP_CLIENT] != NULL ?
			    MODE_CLIENT_CLIENT : MODE_CLIENT_SERVER;
		else
			mode = val[KEY_TCP_CLIENT] != NULL ?
			    MODE_SERVER_CLIENT : MODE_SERVER_SERVER;
		FUZZ_CHECK(rc->mode == mode);
	}

	if (val[tk] != NULL)
		FUZZ_CHECK(!rc->tool_default && strcmp(rc->tool.text, val[tk]) == 0);
	else
		FUZZ_CHECK(rc->tool_default);
	if (rc->ws_url != NULL) {
		/* A browser app's WebSocket: the URL as written, or the verb's. */
		FUZZ_CHECK(MODE_RUNTIME_SERVER(rc->mode) &&
		    val[KEY_TCP_SERVER] == NULL);
		FUZZ_CHECK(rc->runtime.kind == ADDR_TCP && rc->ws_path != NULL &&
		    *rc->ws_path == '/');
		if (val[KEY_WEB_SOCKET] != NULL)
			FUZZ_CHECK(strcmp(rc->ws_url, val[KEY_WEB_SOCKET]) == 0);
		else
			FUZZ_CHECK(rc->preset != NULL &&
			    strstr(rc->preset, "websocket") != NULL);
	} else if (val[rk] != NULL)
		FUZZ_CHECK(strcmp(rc->runtime.text, val[rk]) == 0);
	else
		FUZZ_CHECK(rc->preset != NULL && rc->runtime.kind == ADDR_TCP &&
		    addr_is_local(&rc->runtime));       /* the preset's */

	check_timeout(val[KEY_RUNTIME_TIMEOUT], rc->runtime_timeout_ms, 0, 1);
	check_timeout(val[KEY_PAIR_TIMEOUT], rc->pair_timeout_ms,
	    DSR_DEFAULT_PAIR_TIMEOUT_MS, 0);
	check_timeout(val[KEY_FRAME_TIMEOUT], rc->frame_timeout_ms,
	    DSR_DEFAULT_FRAME_TIMEOUT_MS, 0);

	if (val[KEY_ALLOW_REMOTE_TOOLS] == NULL)
		FUZZ_CHECK(!rc->allow_remote_tools);
	else if (is_word(val[KEY_ALLOW_REMOTE_TOOLS], "yes", "true", "1"))
		FUZZ_CHECK(rc->allow_remote_tools);
	else if (is_word(val[KEY_ALLOW_REMOTE_TOOLS], "no", "false", "0"))
		FUZZ_CHECK(!rc->allow_remote_tools);
}

/*
 * The accepted configuration against inih's view: keys only in
 * [dsrouterd] (log-level, control-socket, route keys as defaults) and
 * [route NAME] sections; the routes are inih's route sections with keys,
 * same names, same order, same values.
 */
static void
check_against_inih(const struct conf *conf, const struct oracle *o)
{
	const struct route_conf *rc;
	enum log_level level = LOG_LEVEL_INFO;
	const char *dflt[KEY_COUNT], *control = NULL, *name;
	char *t;
	size_t i, j;
	int key;

	/* [dsrouterd], wherever it is: the defaults apply to every route. */
	memset(dflt, 0, sizeof dflt);
	for (i = 0; i < o->n; i++) {
		t = trim(o->e[i].section);
		if (strcmp(t, "dsrouterd") == 0) {
			if (strcmp(o->e[i].name, "log-level") == 0)
				FUZZ_CHECK(log_level_parse(o->e[i].value, &level) == 0);
			else if (strcmp(o->e[i].name, "control-socket") == 0)
				control = o->e[i].value;
			else if ((key = conf_key_lookup(o->e[i].name)) >= 0) {
				FUZZ_CHECK(conf_key_is_default((enum conf_key)key));
				FUZZ_CHECK(dflt[key] == NULL);  /* set once */
				dflt[key] = o->e[i].value;
			}
		}
		free(t);
	}
	FUZZ_CHECK(conf->log_level == level);
	if (control != NULL)
		FUZZ_CHECK(conf->control_socket != NULL &&
		    strcmp(conf->control_socket, control) == 0);

	rc = TAILQ_FIRST(&conf->routes);
	for (i = 0; i < o->n; i = j) {
		/* A run of keys inih puts in one section. */
		for (j = i + 1; j < o->n &&
		    strcmp(o->e[j].section, o->e[i].section) == 0; j++)
			;
		FUZZ_CHECK(*o->e[i].section != '\0');   /* no key before a section */
		t = trim(o->e[i].section);
		if (strcmp(t, "dsrouterd") == 0) {
			free(t);
			continue;
		}
		name = route_name(t);
		FUZZ_CHECK(name != NULL);               /* no unknown section */
		FUZZ_CHECK(rc != NULL);                 /* no route missing */
		FUZZ_CHECK(strcmp(rc->name, name) == 0);
		FUZZ_CHECK(strpbrk(rc->name, " \t\"'") == NULL);
		check_route(rc, o, i, j, dflt);
		rc = TAILQ_NEXT(rc, entry);
		free(t);
	}
	FUZZ_CHECK(rc == NULL);                         /* no route more */
}

/* A refusal is one line, "fuzz.conf:LINE: ...", LINE within the text. */
static void
check_refusal(const char *text, const char *cause)
{
	const char *p;
	unsigned long line, nlines = 1;
	char *end;

	for (p = text; *p != '\0'; p++)
		nlines += *p == '\n';
	FUZZ_CHECK(cause != NULL);
	FUZZ_CHECK(strncmp(cause, FILE_NAME ":", strlen(FILE_NAME ":")) == 0);
	p = cause + strlen(FILE_NAME ":");
	FUZZ_CHECK(isdigit((unsigned char)*p));
	line = strtoul(p, &end, 10);
	FUZZ_CHECK(line >= 1 && line <= nlines);
	FUZZ_CHECK(strncmp(end, ": ", 2) == 0 && end[2] != '\0');
	FUZZ_CHECK(strchr(cause, '\n') == NULL);
}

/* libFuzzer entry point. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oracle o;
	struct conf *conf = NULL;
	char *text, *flat, *cause = NULL;
	size_t i;
	int key, rc;

	text = fuzz_strndup(data, size);
	memset(&o, 0, sizeof o);
	flat = dedent(text);
	ini_parse_string(flat, oracle_handler, &o);
	free(flat);

	/* Every address value, whatever section it is in: no DNS. */
	for (i = 0; i < o.n; i++) {
		key = conf_key_lookup(o.e[i].name);
		if (key >= 0 && conf_key_is_endpoint((enum conf_key)key) &&
		    !fuzz_addr_text_safe(o.e[i].value))
			goto out;
	}

	rc = conffile_load_string(&conf, text, FILE_NAME, &cause);
	if (rc != 0) {
		FUZZ_CHECK(rc == -1 && conf == NULL);
		check_refusal(text, cause);
		goto out;
	}
	FUZZ_CHECK(cause == NULL && conf != NULL);
	FUZZ_CHECK(conf->file != NULL && strcmp(conf->file, FILE_NAME) == 0);
	fuzz_check_conf(conf);
	check_against_inih(conf, &o);

out:
	conf_free(conf);
	free(cause);
	oracle_free(&o);
	free(text);
	return 0;
}
