/* strutil.h -- small string helpers: safe copy, sanitising peer strings. */
#ifndef AGENTCHAIN_STRUTIL_H
#define AGENTCHAIN_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Copy SRC into DST of size DSTLEN, always NUL-terminating.  Returns true
 * if it fitted, false if it was truncated. */
bool str_copy(char *dst, const char *src, size_t dstlen);

/* Make attacker-controlled bytes safe to log or draw: printable ASCII is
 * kept, everything else becomes \xNN (tmux stravis, Bitcoin Core
 * SanitizeString).  Writes at most OUTLEN-1 characters plus NUL into OUT;
 * returns OUT. */
char *str_sanitize(const void *in, size_t inlen, char *out, size_t outlen);

/* vsnprintf into an error buffer ERR of ERRLEN bytes; does nothing when
 * ERR is NULL or ERRLEN is 0, so callers may pass "no error wanted". */
void str_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parse a whole decimal integer in [MIN, MAX]; returns 0 or -1. */
int str_to_ll(const char *s, long long min, long long max, long long *out);

/* S with every occurrence of FROM (not empty) replaced by TO; a new
 * string, caller frees. */
char *str_replace_all(const char *s, const char *from, const char *to);

#endif
