/* strutil.c -- small string helpers shared by every program. */
#include "strutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

bool
str_copy(char *dst, const char *src, size_t dstlen)
{
	size_t n = strlen(src);

	if (dstlen == 0)
		return false;
	if (n >= dstlen) {
		memcpy(dst, src, dstlen - 1);
		dst[dstlen - 1] = '\0';
		return false;
	}
	memcpy(dst, src, n + 1);
	return true;
}

char *
str_sanitize(const void *in, size_t inlen, char *out, size_t outlen)
{
	const unsigned char *p = in;
	size_t o = 0;

	if (outlen == 0)
		return out;
	for (size_t i = 0; i < inlen; i++) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			if (o + 1 >= outlen)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 4 >= outlen)
				break;
			snprintf(out + o, 5, "\\x%02x", c);
			o += 4;
		}
	}
	out[o] = '\0';
	return out;
}

int
str_to_ll(const char *s, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

void
str_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

char *
str_replace_all(const char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0, len;
	const char *p;
	char *out, *w;

	for (p = s; (p = strstr(p, from)) != NULL; p += fl)
		n++;
	len = strlen(s) + n * tl - n * fl;
	w = out = xmalloc(len + 1);
	while ((p = strstr(s, from)) != NULL) {
		memcpy(w, s, (size_t)(p - s));
		w += p - s;
		memcpy(w, to, tl);
		w += tl;
		s = p + fl;
	}
	strcpy(w, s);
	return out;
}
