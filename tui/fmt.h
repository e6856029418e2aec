/* fmt.h -- compact human-readable numbers for table cells: bytes, rates, durations, latencies. */
#ifndef AGENTCHAIN_FMT_H
#define AGENTCHAIN_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every formatter writes a NUL-terminated string of at most LEN-1 bytes
 * into BUF and returns BUF.  FMT_LEN is always enough. */
#define FMT_LEN	24

/* 1024-based with one decimal below 10: "0B", "512B", "1.5K", "12K",
 * "1.2M", "3.0G", "1.1T", "2.0P". */
char *fmt_bytes(uint64_t n, char *buf, size_t len);
/* Bytes per second: fmt_bytes + "/s"; negative or NaN gives "-". */
char *fmt_rate(double bps, char *buf, size_t len);
/* Seconds as the two largest units: "0s", "59s", "5m12s", "3h07m",
 * "2d04h", "45d", "12y"; negative gives "-". */
char *fmt_duration(int64_t secs, char *buf, size_t len);
/* Milliseconds: "-" when < 0 (unknown), "0.12ms", "12.3ms", "123ms",
 * "1.23s", "12.3s". */
char *fmt_latency(double ms, char *buf, size_t len);
/* Counts: "999", "1234", "12.3k", "123k", "1.2M", "1.2G". */
char *fmt_count(uint64_t n, char *buf, size_t len);

/* Text from outside the process (RPC answers, the crawl database), made
 * safe to draw exactly once: printable ASCII, the backslash included, is
 * kept and every other byte becomes \xNN.  Text a node already sanitised
 * with str_sanitize (printable ASCII only, a control byte written as the
 * four characters \x1b) therefore passes unchanged instead of being
 * escaped a second time (\x5cx1b), while raw control bytes from any other
 * source are still escaped.  Writes at most OUTLEN-1 bytes plus NUL into
 * OUT, cutting only between whole escapes; returns OUT. */
char *fmt_untrusted(const char *in, size_t inlen, char *out, size_t outlen);

/* Does HAY contain NEEDLE, ignoring ASCII case ("" is in everything)?
 * The filters of the peer table and the log. */
bool fmt_icontains(const char *hay, const char *needle);

/* Parse a duration: a positive integer with an optional unit s, m, h, d,
 * w (seconds without one); several may follow each other ("1h30m").  The
 * result must be in 1..MAX seconds.  Returns 0, or -1 for anything else
 * (empty, junk, zero, overflow). */
int fmt_parse_duration(const char *s, int64_t max, int64_t *out);

#endif
