/* map.h -- a hash map from byte-string keys to pointers, keyed against collision flooding.
 *
 * Keys often come from peers (addresses, user agents), so the hash is
 * SipHash under a random per-map key: nobody outside the process can aim
 * their input at one bucket.  Open addressing with linear probing and
 * backward-shift deletion; the table doubles at half full.  Keys are
 * copied in; values are borrowed and never freed by the map. */
#ifndef AGENTCHAIN_MAP_H
#define AGENTCHAIN_MAP_H

#include <stdbool.h>
#include <stddef.h>

struct map;

struct map *map_new(void);
/* Frees the map and its keys, not the values. */
void map_free(struct map *m);
/* Remove every entry (values untouched). */
void map_clear(struct map *m);
size_t map_count(const struct map *m);

/* The value stored under KEY (LEN bytes), or NULL. */
void *map_get(const struct map *m, const void *key, size_t len);
/* Store VALUE (not NULL) under KEY, replacing and returning any previous
 * value (NULL when KEY is new). */
void *map_put(struct map *m, const void *key, size_t len, void *value);
/* Remove KEY; returns its value, or NULL when absent. */
void *map_remove(struct map *m, const void *key, size_t len);

/* Walk every entry: start with *POS = 0; each call fills KEY, LEN and
 * VALUE (any may be NULL) and returns true, or false at the end.  The map
 * must not change during a walk. */
bool map_next(const struct map *m, size_t *pos, const void **key, size_t *len, void **value);

#endif
