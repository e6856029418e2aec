/* map.c -- a hash map from byte-string keys to pointers, keyed against collision flooding. */
#include "map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "rnd.h"
#include "xmalloc.h"

#define MAP_MIN_SLOTS	16
/* Keys up to this long live in the slot; longer ones are allocated. */
#define MAP_INLINE_KEY	32

struct map_slot {
	void		*value;		/* NULL: empty */
	uint64_t	 hash;
	size_t		 len;
	union {
		uint8_t	 inline_key[MAP_INLINE_KEY];
		uint8_t	*heap_key;
	} k;
};

struct map {
	struct map_slot	*slots;
	size_t		 nslots;	/* a power of two, or 0 */
	size_t		 count;
	uint8_t		 key[HASH_SIPHASH_KEYLEN];
};

static const uint8_t *
map_slot_key(const struct map_slot *s)
{
	return s->len <= MAP_INLINE_KEY ? s->k.inline_key : s->k.heap_key;
}

static void
map_slot_release(struct map_slot *s)
{
	if (s->value != NULL && s->len > MAP_INLINE_KEY)
		free(s->k.heap_key);
	s->value = NULL;
}

struct map *
map_new(void)
{
	struct map *m = xcalloc(1, sizeof(*m));

	rnd_bytes(m->key, sizeof(m->key));
	return m;
}

void
map_clear(struct map *m)
{
	for (size_t i = 0; i < m->nslots; i++)
		map_slot_release(&m->slots[i]);
	m->count = 0;
}

void
map_free(struct map *m)
{
	if (m == NULL)
		return;
	map_clear(m);
	free(m->slots);
	free(m);
}

size_t
map_count(const struct map *m)
{
	return m->count;
}

/* The slot holding KEY, or the empty slot where it would go. */
static size_t
map_probe(const struct map *m, uint64_t h, const void *key, size_t len)
{
	size_t mask = m->nslots - 1, i = (size_t)h & mask;

	for (;;) {
		const struct map_slot *s = &m->slots[i];
		if (s->value == NULL || (s->hash == h && s->len == len &&
		    memcmp(map_slot_key(s), key, len) == 0))
			return i;
		i = (i + 1) & mask;
	}
}

static void
map_grow(struct map *m)
{
	struct map_slot *old = m->slots;
	size_t oldn = m->nslots;

	m->nslots = oldn == 0 ? MAP_MIN_SLOTS : oldn * 2;
	m->slots = xcalloc(m->nslots, sizeof(*m->slots));
	for (size_t i = 0; i < oldn; i++) {
		if (old[i].value == NULL)
			continue;
		size_t j = map_probe(m, old[i].hash, map_slot_key(&old[i]), old[i].len);
		m->slots[j] = old[i];	/* a heap key moves with its slot */
	}
	free(old);
}

void *
map_get(const struct map *m, const void *key, size_t len)
{
	if (m->count == 0)
		return NULL;
	return m->slots[map_probe(m, hash_siphash(m->key, key, len), key, len)].value;
}

void *
map_put(struct map *m, const void *key, size_t len, void *value)
{
	uint64_t h = hash_siphash(m->key, key, len);
	struct map_slot *s;
	void *prev;

	if (2 * (m->count + 1) > m->nslots)
		map_grow(m);
	s = &m->slots[map_probe(m, h, key, len)];
	if ((prev = s->value) != NULL) {
		s->value = value;
		return prev;
	}
	s->value = value;
	s->hash = h;
	s->len = len;
	if (len <= MAP_INLINE_KEY) {
		memcpy(s->k.inline_key, key, len);
	} else {
		s->k.heap_key = xmalloc(len);
		memcpy(s->k.heap_key, key, len);
	}
	m->count++;
	return NULL;
}

void *
map_remove(struct map *m, const void *key, size_t len)
{
	size_t mask, i, j;
	void *value;

	if (m->count == 0)
		return NULL;
	mask = m->nslots - 1;
	i = map_probe(m, hash_siphash(m->key, key, len), key, len);
	if ((value = m->slots[i].value) == NULL)
		return NULL;
	map_slot_release(&m->slots[i]);
	m->count--;
	/* Pull later members of the probe chain back over the hole, so that
	 * no look-up stops early at it. */
	for (j = (i + 1) & mask; m->slots[j].value != NULL; j = (j + 1) & mask) {
		size_t home = (size_t)m->slots[j].hash & mask;
		/* J stays if its home lies cyclically in (I, J]. */
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		m->slots[i] = m->slots[j];
		m->slots[j].value = NULL;
		i = j;
	}
	return value;
}

bool
map_next(const struct map *m, size_t *pos, const void **key, size_t *len, void **value)
{
	for (; *pos < m->nslots; (*pos)++) {
		const struct map_slot *s = &m->slots[*pos];
		if (s->value == NULL)
			continue;
		if (key != NULL)
			*key = map_slot_key(s);
		if (len != NULL)
			*len = s->len;
		if (value != NULL)
			*value = s->value;
		(*pos)++;
		return true;
	}
	return false;
}
