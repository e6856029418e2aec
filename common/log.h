/* log.h -- levelled, timestamped, component-tagged logging to stderr or a file. */
#ifndef AGENTCHAIN_LOG_H
#define AGENTCHAIN_LOG_H

#include <stdbool.h>
#include <stddef.h>

/* LOGL_ rather than LOG_: <syslog.h> already owns LOG_INFO and LOG_DEBUG. */
enum log_level {
	LOGL_ERROR = 0,
	LOGL_WARN,
	LOGL_INFO,
	LOGL_DEBUG,
	LOGL_TRACE,
};

/* Direct output to PATH (appended, created 0640), or stderr when PATH is
 * NULL.  Returns 0, or -1 with a reason in ERR. */
int log_open(const char *path, char *err, size_t errlen);
void log_close(void);

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
bool log_enabled(enum log_level level);

/* Parse "error", "warn", "info", "debug", "trace". Returns 0 or -1. */
int log_level_parse(const char *name, enum log_level *out);
const char *log_level_name(enum log_level level);

/* One line: "2026-11-24T00:12:02.123Z INFO  [net] message".  COMPONENT is a
 * short tag such as "net", "addrman", "rpc".  Strings from peers must be
 * passed through str_sanitize() first. */
void log_write(enum log_level level, const char *component, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Rate limit (syslog's "last message repeated N times"): lines of one kind
 * -- the same level, component and format (plus the first word of the
 * message when the format starts with a conversion such as "%s") -- are
 * written at most LOG_RL_BURST times per LOG_RL_WINDOW_MS; the rest are
 * counted, and one line "N similar lines suppressed" follows when the
 * window ends (at the next log line, log_flush_suppressed or log_close).
 * The first lines of every kind are always written.  Thread-safe.
 */
#define LOG_RL_BURST		20
#define LOG_RL_WINDOW_MS	10000

/* Write the summaries of windows that have ended (a periodic task calls
 * this, so that the count of a flood that stopped still shows). */
void log_flush_suppressed(void);
/* Lines suppressed since the start of the process (for tests, metrics). */
unsigned long long log_suppressed_total(void);

/* Route libevent's own messages (event_set_log_callback) into this log,
 * tagged "libevent" and rate-limited like every other line. */
void log_route_libevent(void);

#define log_error(c, ...) log_write(LOGL_ERROR, (c), __VA_ARGS__)
#define log_warn(c, ...)  log_write(LOGL_WARN, (c), __VA_ARGS__)
#define log_info(c, ...)  log_write(LOGL_INFO, (c), __VA_ARGS__)
#define log_debug(c, ...) \
	do { if (log_enabled(LOGL_DEBUG)) log_write(LOGL_DEBUG, (c), __VA_ARGS__); } while (0)
#define log_trace(c, ...) \
	do { if (log_enabled(LOGL_TRACE)) log_write(LOGL_TRACE, (c), __VA_ARGS__); } while (0)

#endif
