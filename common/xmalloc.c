/* xmalloc.c -- allocation wrappers that abort on failure.
 *
 * Out of memory in a network daemon is not something a peer's message
 * handler can recover from sensibly; dying loudly beats limping on with
 * half-initialised state.  Sizes that come from the network are bounded by
 * the parsers before they ever reach these functions. */
#include "xmalloc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
xmalloc_die(const char *what, size_t nmemb, size_t size)
{
	fprintf(stderr, "fatal: %s(%zu, %zu): out of memory\n", what, nmemb, size);
	abort();
}

void *
xmalloc(size_t size)
{
	void *p;

	if (size == 0)
		xmalloc_die("xmalloc zero size", 0, 0);
	if ((p = malloc(size)) == NULL)
		xmalloc_die("xmalloc", 1, size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		xmalloc_die("xcalloc zero size", nmemb, size);
	if ((p = calloc(nmemb, size)) == NULL)
		xmalloc_die("xcalloc", nmemb, size);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		xmalloc_die("xreallocarray zero size", nmemb, size);
	if (nmemb > SIZE_MAX / size)
		xmalloc_die("xreallocarray overflow", nmemb, size);
	if ((p = realloc(ptr, nmemb * size)) == NULL)
		xmalloc_die("xreallocarray", nmemb, size);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t maxlen)
{
	size_t n = strnlen(s, maxlen);
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap, ap2;
	int n;
	char *p;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		xmalloc_die("xasprintf format", 0, 0);
	p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap2);
	va_end(ap2);
	return p;
}
