/* log.c -- levelled, timestamped, component-tagged logging.
 *
 * Every line carries a UTC timestamp with milliseconds, the level and a
 * component tag, so that logs of several daemons can be merged and grepped.
 * Lines are written with a single fwrite of a preformatted buffer so that
 * concurrent processes appending to one file do not interleave mid-line.
 *
 * A flood of one kind of line (a peer churning connections, an accept()
 * failing in a loop) must not fill the disk: lines are counted per kind
 * and, past a burst, suppressed with a count, as syslog does.  Kinds live
 * in a small table; a kind pushed out of it first reports its count. */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "clock.h"
#include "strutil.h"

#define LOG_LINE_MAX	2048
#define LOG_RL_SLOTS	64
/* Slots probed for a kind before the least recently used one is taken. */
#define LOG_RL_PROBE	4
#define LOG_RL_WHAT	72

/* One kind of line and its current window. */
struct log_kind {
	uint64_t	 key;		/* 0: free */
	enum log_level	 level;
	char		 component[16];
	char		 what[LOG_RL_WHAT];	/* the format, for the summary */
	int64_t		 window_ms;	/* monotonic start of the window */
	int64_t		 used_ms;	/* last line of this kind */
	unsigned	 lines;		/* in this window, written or not */
	unsigned long	 suppressed;	/* in this window */
};

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static struct log_kind log_kinds[LOG_RL_SLOTS];
static unsigned long long log_suppressed_sum;

static FILE *log_fp;
static enum log_level log_threshold = LOGL_INFO;

static const char *const log_names[] = {
	[LOGL_ERROR] = "error",
	[LOGL_WARN] = "warn",
	[LOGL_INFO] = "info",
	[LOGL_DEBUG] = "debug",
	[LOGL_TRACE] = "trace",
};

int
log_open(const char *path, char *err, size_t errlen)
{
	int fd;
	FILE *fp;

	log_close();
	if (path == NULL)
		return 0;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1 || (fp = fdopen(fd, "a")) == NULL) {
		snprintf(err, errlen, "cannot open log file %s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	setvbuf(fp, NULL, _IOLBF, 0);
	log_fp = fp;
	return 0;
}

static void log_flush_locked(int64_t now, bool all);

void
log_close(void)
{
	pthread_mutex_lock(&log_mu);
	log_flush_locked(clock_mono_ms(), true);
	if (log_fp != NULL)
		fclose(log_fp);
	log_fp = NULL;
	pthread_mutex_unlock(&log_mu);
}

void
log_set_level(enum log_level level)
{
	log_threshold = level;
}

enum log_level
log_get_level(void)
{
	return log_threshold;
}

bool
log_enabled(enum log_level level)
{
	return level <= log_threshold;
}

int
log_level_parse(const char *name, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(log_names) / sizeof(log_names[0]); i++) {
		if (strcasecmp(name, log_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (strcasecmp(name, "warning") == 0) {
		*out = LOGL_WARN;
		return 0;
	}
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	if ((size_t)level >= sizeof(log_names) / sizeof(log_names[0]))
		return "?";
	return log_names[level];
}

/* Write one line: timestamp, level, component, TEXT.  Caller holds log_mu. */
static void
log_emit(enum log_level level, const char *component, const char *text)
{
	char line[LOG_LINE_MAX];
	struct timespec ts;
	struct tm tm;
	size_t n;
	int r;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	r = snprintf(line + n, sizeof(line) - n, ".%03ldZ %-5s [%s] %s",
	    ts.tv_nsec / 1000000, log_level_name(level), component, text);
	if (r > 0)
		n += (size_t)r < sizeof(line) - n ? (size_t)r : sizeof(line) - n - 1;
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	fwrite(line, 1, n, log_fp != NULL ? log_fp : stderr);
}

/* "N similar lines suppressed" for K, then start a fresh window. */
static void
log_summary(struct log_kind *k, int64_t now)
{
	char text[LOG_RL_WHAT + 96];

	if (k->suppressed > 0) {
		snprintf(text, sizeof(text), "%lu similar lines suppressed in the last %llds "
		    "(\"%s\")", k->suppressed, (long long)((now - k->window_ms + 999) / 1000),
		    k->what);
		log_emit(k->level, k->component, text);
	}
	k->suppressed = 0;
	k->lines = 0;
	k->window_ms = now;
}

/* Report the windows that ended (every one with ALL).  Holds log_mu. */
static void
log_flush_locked(int64_t now, bool all)
{
	for (size_t i = 0; i < LOG_RL_SLOTS; i++) {
		struct log_kind *k = &log_kinds[i];

		if (k->key != 0 && (all || now - k->window_ms >= LOG_RL_WINDOW_MS))
			log_summary(k, now);
	}
}

void
log_flush_suppressed(void)
{
	pthread_mutex_lock(&log_mu);
	log_flush_locked(clock_mono_ms(), false);
	pthread_mutex_unlock(&log_mu);
}

unsigned long long
log_suppressed_total(void)
{
	unsigned long long n;

	pthread_mutex_lock(&log_mu);
	n = log_suppressed_sum;
	pthread_mutex_unlock(&log_mu);
	return n;
}

static uint64_t
log_fnv(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/* The kind of a line: level, component, format, and for a format that
 * starts with a conversion ("%s") the first word of the message. */
static uint64_t
log_key(enum log_level level, const char *component, const char *fmt, const char *msg)
{
	char lv = (char)level;
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	h = log_fnv(h, &lv, 1);
	h = log_fnv(h, component, strlen(component) + 1);
	h = log_fnv(h, fmt, strlen(fmt) + 1);
	if (msg != NULL)
		h = log_fnv(h, msg, strcspn(msg, " "));
	return h != 0 ? h : 1;
}

/* The slot of KEY, claimed for it if new.  Holds log_mu. */
static struct log_kind *
log_kind_of(uint64_t key, enum log_level level, const char *component, const char *what,
    int64_t now)
{
	struct log_kind *k, *lru = NULL;

	for (size_t i = 0; i < LOG_RL_PROBE; i++) {
		k = &log_kinds[(key + i) % LOG_RL_SLOTS];
		if (k->key == key)
			return k;
		if (lru == NULL || k->key == 0 || (lru->key != 0 && k->used_ms < lru->used_ms))
			lru = k;
	}
	if (lru->key != 0)
		log_summary(lru, now);	/* its count must not be lost */
	memset(lru, 0, sizeof(*lru));
	lru->key = key;
	lru->level = level;
	str_copy(lru->component, component, sizeof(lru->component));
	str_copy(lru->what, what, sizeof(lru->what));
	lru->window_ms = now;
	return lru;
}

/* Count a line of KEY.  Returns true when it may be written.  Holds log_mu. */
static bool
log_admit(uint64_t key, enum log_level level, const char *component, const char *what,
    int64_t now)
{
	struct log_kind *k;

	log_flush_locked(now, false);
	k = log_kind_of(key, level, component, what, now);
	k->used_ms = now;
	if (++k->lines <= LOG_RL_BURST)
		return true;
	k->suppressed++;
	log_suppressed_sum++;
	return false;
}

void
log_write(enum log_level level, const char *component, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	bool by_word = fmt[0] == '%';
	int64_t now;
	va_list ap;

	if (!log_enabled(level))
		return;
	now = clock_mono_ms();
	pthread_mutex_lock(&log_mu);
	/* Most formats name their kind alone: decide before formatting, so
	 * that a flood costs little. */
	if (!by_word && !log_admit(log_key(level, component, fmt, NULL), level, component,
	    fmt, now)) {
		pthread_mutex_unlock(&log_mu);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (by_word && !log_admit(log_key(level, component, fmt, msg), level, component, msg,
	    now)) {
		pthread_mutex_unlock(&log_mu);
		return;
	}
	log_emit(level, component, msg);
	pthread_mutex_unlock(&log_mu);
}

/* libevent's severities onto ours; its debug output is off unless asked. */
static void
log_libevent_cb(int severity, const char *msg)
{
	char safe[512];
	enum log_level level = severity == EVENT_LOG_ERR ? LOGL_ERROR :
	    severity == EVENT_LOG_WARN ? LOGL_WARN :
	    severity == EVENT_LOG_MSG ? LOGL_INFO : LOGL_DEBUG;

	str_sanitize(msg, strlen(msg), safe, sizeof(safe));
	log_write(level, "libevent", "%s", safe);
}

void
log_route_libevent(void)
{
	event_set_log_callback(log_libevent_cb);
}
