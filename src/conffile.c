/* SPDX-License-Identifier: MIT */
/*
 * conffile.c: read an INI configuration file with inih into a struct conf:
 * sections, keys and the lines they are on. What the keys mean and whether
 * the whole holds together is conf.c's.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsrouterd.h"

/* inih keeps at most this many bytes of a section name (its MAX_SECTION, less the NUL). */
#define CONFFILE_SECTION_MAX 49

/* The keys of one section, as written. */
struct conffile_section {
	struct route_spec spec;
	char *vals[KEY_COUNT];
};

/* Loading state for the INI parser. */
struct conffile {
	struct conf *conf;
	FILE *f;
	unsigned line;            /* line being parsed */
	int line_done;            /* last read ended a line */
	char *cause;
	char raw[CONFFILE_SECTION_MAX + 1]; /* the section as inih names it */
	struct conffile_section *cur; /* the section being read, or NULL */
	struct conffile_section global; /* [dsrouterd]: defaults for the routes */
	int in_global;
	struct conffile_section *routes; /* [route NAME], in order */
	unsigned nroutes;
};

/* Free what a section holds. */
static void
conffile_section_free(struct conffile_section *sec)
{
	int i;

	free((char *)(uintptr_t)sec->spec.name);
	for (i = 0; i < KEY_COUNT; i++)
		free(sec->vals[i]);
}

/* Start a [route NAME] section; its name must be one word, and new. */
static int
conffile_route(struct conffile *cl, const char *section)
{
	struct conffile_section *sec;
	const char *name = section + 5;
	unsigned i;

	while (*name == ' ' || *name == '\t')
		name++;
	if (*name == '\0' || strpbrk(name, " \t\"'") != NULL) {
		conf_error(&cl->cause, cl->conf, cl->line, "route name '%s' "
		    "must be one word", name);
		return -1;
	}
	for (i = 0; i < cl->nroutes; i++) {
		if (strcmp(cl->routes[i].spec.name, name) == 0) {
			conf_error(&cl->cause, cl->conf, cl->line,
			    "duplicate route name '%s' (first at line %u)",
			    name, cl->routes[i].spec.line);
			return -1;
		}
	}
	cl->routes = xreallocarray(cl->routes, cl->nroutes + 1,
	    sizeof *cl->routes);
	sec = &cl->routes[cl->nroutes++];
	memset(sec, 0, sizeof *sec);
	sec->spec.name = xstrdup(name);
	sec->spec.line = cl->line;
	cl->cur = sec;
	return 0;
}

/* Start a new section. */
static int
conffile_section(struct conffile *cl, const char *section)
{
	cl->cur = NULL;
	cl->in_global = 0;
	if (strcmp(section, "dsrouterd") == 0) {
		cl->in_global = 1;
		cl->cur = &cl->global;
		return 0;
	}
	if (strncmp(section, "route", 5) != 0 ||
	    (section[5] != ' ' && section[5] != '\t')) {
		conf_error(&cl->cause, cl->conf, cl->line, "unknown section "
		    "[%s]; use [dsrouterd] or [route NAME]", section);
		return -1;
	}
	return conffile_route(cl, section);
}

/* A key of [dsrouterd]: log-level, or a default for every route. */
static int
conffile_global(struct conffile *cl, const char *name, const char *value,
    int key)
{
	enum log_level level;

	if (strcmp(name, "log-level") == 0) {
		if (log_level_parse(value, &level) != 0) {
			conf_error(&cl->cause, cl->conf, cl->line, "log-level: "
			    "'%s' is not one of none, critical, error, warning, "
			    "info, debug, trace", value);
			return -1;
		}
		cl->conf->log_level = level;
		return 0;
	}
	if (strcmp(name, "control-socket") == 0) {
		if (*value != '/' && strcmp(value, "none") != 0) {
			conf_error(&cl->cause, cl->conf, cl->line, "control-socket: "
			    "'%s' is not an absolute path (or none)", value);
			return -1;
		}
		free(cl->conf->control_socket);
		cl->conf->control_socket = xstrdup(value);
		return 0;
	}
	if (key < 0 || !conf_key_is_default((enum conf_key)key)) {
		conf_error(&cl->cause, cl->conf, cl->line, "unknown key '%s' in "
		    "[dsrouterd] (known: log-level, control-socket, and as "
		    "defaults for the routes: %s)", name, conf_key_list_defaults());
		return -1;
	}
	return 1;
}

/* inih callback: one key of the section the reader has opened. */
static int
conffile_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct conffile *cl = arg;
	struct conffile_section *sec;
	int key;

	if (cl->cause != NULL)
		return 0;
	if (name == NULL)
		return 1;
	/* The reader and inih must agree on where sections begin. */
	if (cl->cur != NULL ? strcmp(section, cl->raw) != 0 : *section != '\0') {
		conf_error(&cl->cause, cl->conf, cl->line, "key '%s' is in a "
		    "section whose header was not understood; write it as "
		    "[route NAME] on a line of its own", name);
		return 0;
	}
	if ((sec = cl->cur) == NULL) {
		conf_error(&cl->cause, cl->conf, cl->line, "key '%s' outside any "
		    "section; put it under [dsrouterd] or [route NAME]", name);
		return 0;
	}
	key = conf_key_lookup(name);
	if (cl->in_global && conffile_global(cl, name, value, key) <= 0)
		return cl->cause == NULL;
	if (key < 0) {
		conf_error(&cl->cause, cl->conf, cl->line, "unknown key '%s' in "
		    "[%s] (known: %s)", name, section, conf_key_list());
		return 0;
	}
	if (sec->vals[key] != NULL) {
		conf_error(&cl->cause, cl->conf, cl->line, "key '%s' set twice "
		    "in [%s] (first at line %u)", name, section,
		    sec->spec.vline[key]);
		return 0;
	}
	if (*value == '\0') {
		conf_error(&cl->cause, cl->conf, cl->line, "key '%s' has no value",
		    name);
		return 0;
	}
	sec->vals[key] = xstrdup(value);
	sec->spec.val[key] = sec->vals[key];
	sec->spec.vline[key] = cl->line;
	return 1;
}

/*
 * Build the routes, once the whole file is read: each with the defaults
 * of [dsrouterd] for the keys it does not set (an error in one names the
 * line of [dsrouterd] it came from).
 */
static int
conffile_build(struct conffile *cl)
{
	struct route_spec spec;
	unsigned i;
	int k;

	if (confroute_global_access(cl->conf, &cl->global.spec, &cl->cause) != 0)
		return -1;
	for (i = 0; i < cl->nroutes; i++) {
		spec = cl->routes[i].spec;
		for (k = 0; k < KEY_COUNT; k++) {
			if (spec.val[k] == NULL && cl->global.spec.val[k] != NULL) {
				spec.val[k] = cl->global.spec.val[k];
				spec.vline[k] = cl->global.spec.vline[k];
				spec.inherited[k] = 1;
			}
		}
		if (confroute_add(cl->conf, &spec, &cl->cause) != 0)
			return -1;
	}
	return 0;
}

/* Where inih ends a section name: at ']' or at an inline "; comment". */
static char *
conffile_section_end(char *s)
{
	int was_space = 0;

	for (; *s != '\0' && *s != ']'; s++) {
		if (was_space && *s == ';')
			break;
		was_space = isspace((unsigned char)*s);
	}
	return s;
}

/*
 * Open the section whose header starts a line, by inih's own rules (its
 * whitespace is isspace(), form feeds included), so that the two never
 * disagree on which section a key is in.
 */
static void
conffile_header(struct conffile *cl, char *line)
{
	char *start, *end, *name;
	size_t len;

	if (*line != '[' || *(end = conffile_section_end(line + 1)) != ']')
		return;
	start = line + 1;
	if ((len = (size_t)(end - start)) > CONFFILE_SECTION_MAX) {
		conf_error(&cl->cause, cl->conf, cl->line, "section name longer "
		    "than %d characters", CONFFILE_SECTION_MAX);
		return;
	}
	memcpy(cl->raw, start, len);
	cl->raw[len] = '\0';
	while (start < end && isspace((unsigned char)*start))
		start++;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	name = xstrndup(start, (size_t)(end - start));
	conffile_section(cl, name);
	free(name);
}

/*
 * inih reader: fgets that counts lines, so errors can name them, and opens
 * sections itself, so a section's line is known even when it has no keys.
 * It also drops indentation: inih would take an indented key for the
 * continuation of the previous key's value.
 */
static char *
conffile_reader(char *str, int num, void *arg)
{
	struct conffile *cl = arg;
	char *start;
	size_t len, bom;
	int first;

	if (fgets(str, num, cl->f) == NULL)
		return NULL;
	first = cl->line_done;
	if (first)
		cl->line++;
	len = strlen(str);
	cl->line_done = len > 0 && str[len - 1] == '\n';
	if (!cl->line_done && !feof(cl->f) && cl->cause == NULL)
		conf_error(&cl->cause, cl->conf, cl->line, "line too long (at "
		    "most %d characters)", num - 2);
	if (!first || cl->cause != NULL)
		return str;
	bom = cl->line == 1 && strncmp(str, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	for (start = str + bom; *start != '\n' && isspace((unsigned char)*start);)
		start++;
	if (start != str + bom)
		memmove(str + bom, start, strlen(start) + 1);
	conffile_header(cl, str + bom);
	return str;
}

/* Free loading state. */
static void
conffile_done(struct conffile *cl)
{
	unsigned i;

	for (i = 0; i < cl->nroutes; i++)
		conffile_section_free(&cl->routes[i]);
	free(cl->routes);
	conffile_section_free(&cl->global);
}

/* Parse an open stream as configuration named file. */
static int
conffile_stream(struct conf **confp, FILE *f, const char *file, char **cause)
{
	struct conffile cl;
	int rc;

	memset(&cl, 0, sizeof cl);
	cl.conf = conf_new(file);
	cl.f = f;
	cl.line_done = 1;
	rc = ini_parse_stream(conffile_reader, &cl, conffile_handler, &cl);
	if (cl.cause == NULL && rc > 0)
		conf_error(&cl.cause, cl.conf, (unsigned)rc, "syntax error "
		    "(expected [section], key = value, or a ; comment)");
	if (cl.cause == NULL && rc < 0)
		conf_error(&cl.cause, cl.conf, cl.line, "cannot parse");
	if (cl.cause == NULL)
		conffile_build(&cl);
	if (cl.cause == NULL)
		conf_validate(cl.conf, &cl.cause);
	conffile_done(&cl);
	if (cl.cause != NULL) {
		*cause = cl.cause;
		conf_free(cl.conf);
		return -1;
	}
	*confp = cl.conf;
	return 0;
}

/*
 * Load and validate a configuration file. Only a regular file: a FIFO or
 * a device would block the event loop on a reload. Opened without
 * blocking, so that even opening a FIFO cannot wait for a writer.
 */
int
conffile_load(struct conf **confp, const char *file, char **cause)
{
	struct stat sb;
	FILE *f;
	int fd, rc;

	if ((fd = open(file, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", file, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		xasprintf(cause, "%s: not a regular file; give the path of the "
		    "configuration file itself", file);
		close(fd);
		return -1;
	}
	if ((f = fdopen(fd, "r")) == NULL)
		fatal("fdopen");
	rc = conffile_stream(confp, f, file, cause);
	fclose(f);
	return rc;
}

/* Load and validate configuration text (tests), named file in messages. */
int
conffile_load_string(struct conf **confp, const char *text, const char *file,
    char **cause)
{
	FILE *f;
	int rc;

	if (*text == '\0')
		text = "\n";
	if ((f = fmemopen((void *)(uintptr_t)text, strlen(text), "r")) == NULL)
		fatal("fmemopen");
	rc = conffile_stream(confp, f, file, cause);
	fclose(f);
	return rc;
}
