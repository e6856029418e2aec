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

#define log_error(c, ...) log_write(LOGL_ERROR, (c), __VA_ARGS__)
#define log_warn(c, ...)  log_write(LOGL_WARN, (c), __VA_ARGS__)
#define log_info(c, ...)  log_write(LOGL_INFO, (c), __VA_ARGS__)
#define log_debug(c, ...) \
	do { if (log_enabled(LOGL_DEBUG)) log_write(LOGL_DEBUG, (c), __VA_ARGS__); } while (0)
#define log_trace(c, ...) \
	do { if (log_enabled(LOGL_TRACE)) log_write(LOGL_TRACE, (c), __VA_ARGS__); } while (0)

#endif
