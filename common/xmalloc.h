/* xmalloc.h -- allocation wrappers that abort on failure (tmux xmalloc.c). */
#ifndef AGENTCHAIN_XMALLOC_H
#define AGENTCHAIN_XMALLOC_H

#include <stddef.h>

/* All of these abort the process when memory is exhausted or the size
 * overflows; a size of zero is a programming error and aborts too.  What
 * they return is owned by the caller and released with free(). */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t maxlen);
/* Returns a newly allocated formatted string; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
