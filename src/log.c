/* SPDX-License-Identifier: MIT */
/* log.c: levelled logging to standard error, journald-aware. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "dsrouterd.h"

/* How lines look, by where standard error goes. */
enum log_style {
	LOG_STYLE_TERMINAL,   /* time, pid, level word */
	LOG_STYLE_JOURNAL,    /* <N> priority prefix; journald adds the rest */
	LOG_STYLE_PIPE,       /* a .NET console prefix first ("info: "), which
				 the diagnostic tools colour when they relay a
				 router they started */
};

static enum log_level log_level = LOG_LEVEL_INFO;
static enum log_style log_style;

static const char *log_names[] = {
	"none", "critical", "error", "warning", "info", "debug", "trace",
};
/* The prefixes of .NET's console logger, by level. */
static const char *log_dotnet[] = {
	"none", "crit", "fail", "warn", "info", "dbug", "trce",
};
/* syslog priorities for journald, by level. */
static const int log_prio[] = { 7, 2, 3, 4, 6, 7, 7 };

/*
 * Whether standard error is the journal's stream: $JOURNAL_STREAM names
 * its device and inode (systemd.exec(5)); a child that inherited the
 * variable but not the stream is not.
 */
static int
log_is_journal(void)
{
	unsigned long long dev, ino;
	const char *v = getenv("JOURNAL_STREAM");
	struct stat sb;

	if (v == NULL || sscanf(v, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &sb) != 0)
		return 0;
	return (unsigned long long)sb.st_dev == dev &&
	    (unsigned long long)sb.st_ino == ino;
}

/* Set up logging at a level; see where standard error goes. */
void
log_open(enum log_level level)
{
	log_level = level;
	if (log_is_journal())
		log_style = LOG_STYLE_JOURNAL;
	else if (isatty(STDERR_FILENO))
		log_style = LOG_STYLE_TERMINAL;
	else
		log_style = LOG_STYLE_PIPE;
}

/* Change the level. */
void
log_set_level(enum log_level level)
{
	log_level = level;
}

/* Return the level in force. */
enum log_level
log_get_level(void)
{
	return log_level;
}

/* Parse a level name as dotnet-dsrouter spells them (and a few aliases). */
int
log_level_parse(const char *s, enum log_level *level)
{
	size_t i;

	for (i = 0; i < sizeof log_names / sizeof log_names[0]; i++) {
		if (strcasecmp(s, log_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	if (strcasecmp(s, "warn") == 0) {
		*level = LOG_LEVEL_WARN;
		return 0;
	}
	if (strcasecmp(s, "crit") == 0) {
		*level = LOG_LEVEL_CRIT;
		return 0;
	}
	return -1;
}

/* Write one log line: time, level, token and message. */
void
log_vmsg(enum log_level level, const char *token, const char *fmt, va_list ap)
{
	char msg[1024], stamp[32];
	struct timeval tv;
	struct tm tm;
	int saved = errno;

	if (level == LOG_LEVEL_NONE || level > log_level)
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (log_style == LOG_STYLE_JOURNAL) {
		fprintf(stderr, "<%d>%s: %s: %s\n", log_prio[level],
		    log_names[level], token, msg);
		errno = saved;
		return;
	}
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
	if (log_style == LOG_STYLE_PIPE) {
		fprintf(stderr, "%s: %s.%03ld dsrouterd[%ld]: %s: %s\n",
		    log_dotnet[level], stamp, (long)(tv.tv_usec / 1000),
		    (long)getpid(), token, msg);
	} else {
		fprintf(stderr, "%s.%03ld dsrouterd[%ld]: %s: %s: %s\n", stamp,
		    (long)(tv.tv_usec / 1000), (long)getpid(), log_names[level],
		    token, msg);
	}
	errno = saved;
}

/* Write one log line. */
void
log_msg(enum log_level level, const char *token, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, token, fmt, ap);
	va_end(ap);
}

/* One of libevent's own messages, logged under the token "libevent". */
static void
log_event_message(int severity, const char *msg)
{
	enum log_level level;

	switch (severity) {
	case EVENT_LOG_DEBUG:
		level = LOG_LEVEL_DEBUG;
		break;
	case EVENT_LOG_MSG:
		level = LOG_LEVEL_INFO;
		break;
	case EVENT_LOG_WARN:
		level = LOG_LEVEL_WARN;
		break;
	default:
		level = LOG_LEVEL_ERR;
		break;
	}
	log_msg(level, "libevent", "%s", msg);
}

/* libevent hit an internal error it cannot go on from. */
static void DSR_NORETURN
log_event_fatal(int err)
{
	fatalx("libevent: internal error %d", err);
}

/* Route libevent's own messages and fatal errors into this log. */
void
log_libevent(void)
{
	event_set_log_callback(log_event_message);
	event_set_fatal_callback(log_event_fatal);
}

/*
 * Say why the process cannot go on, in one line on standard error: with
 * the journal's priority prefix there, so that 'journalctl -p err' shows it.
 */
void
log_fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%sdsrouterd: %s\n", log_style == LOG_STYLE_JOURNAL ?
	    "<3>" : "", msg);
}

/* Log a fatal error with errno and exit. */
void
fatal(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%sdsrouterd: fatal: %s: %s\n", log_style ==
	    LOG_STYLE_JOURNAL ? "<2>" : "", msg, strerror(saved));
	exit(70);
}

/* Log a fatal error and exit. */
void
fatalx(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%sdsrouterd: fatal: %s\n", log_style ==
	    LOG_STYLE_JOURNAL ? "<2>" : "", msg);
	exit(70);
}
