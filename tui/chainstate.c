/* chainstate.c -- a watched node's chain as its RPC tells it: tip, sync, mempool, forks and the recent blocks with when and from whom it first saw each; their spread across nodes.
 *
 * Recent blocks are kept newest first with one entry per height (they are
 * the active chain), so a reorganisation simply replaces the heights it
 * covers and a block is found by a binary search on its height. */
#include "chainstate.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "jsonval.h"
#include "strutil.h"
#include "xmalloc.h"

/* Blocks asked for beyond the newest one held: a reorganisation replaces
 * the last few. */
#define CHAINSTATE_REORG_MARGIN	3

void
chainstate_reset(struct chainstate *c)
{
	memset(c, 0, sizeof(*c));
}

/* A block hash as the RPC shows it: exactly 64 hex digits. */
static bool
hash_ok(const char *s, size_t len)
{
	if (s == NULL || len != CHAINSTATE_HASHLEN - 1)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* Hash KEY of O into OUT (CHAINSTATE_HASHLEN), lower case; false when it
 * is not a hash (OUT is then ""). */
static bool
hash_get(json_t *o, const char *key, char *out)
{
	json_t *v = json_object_get(o, key);

	out[0] = '\0';
	if (!json_is_string(v) || !hash_ok(json_string_value(v), json_string_length(v)))
		return false;
	for (size_t i = 0; i < CHAINSTATE_HASHLEN - 1; i++)
		out[i] = (char)tolower((unsigned char)json_string_value(v)[i]);
	out[CHAINSTATE_HASHLEN - 1] = '\0';
	return true;
}

static bool
apply_info(struct chainstate *c, json_t *o)
{
	struct chainstate old = *c;

	if (!json_is_object(o))
		return false;
	c->has_info = true;
	jv_str(o, "chain", c->chain, sizeof(c->chain));
	c->blocks = jv_int(o, "blocks", 0);
	c->headers = jv_int(o, "headers", c->blocks);
	(void)hash_get(o, "bestblockhash", c->best);
	(void)hash_get(o, "chainwork", c->chainwork);
	c->progress = jv_num(o, "verificationprogress", -1);
	c->ibd = jv_bool(o, "initialblockdownload");
	c->time = jv_int(o, "time", 0);
	c->mediantime = jv_int(o, "mediantime", 0);
	return old.has_info != c->has_info || strcmp(old.chain, c->chain) != 0 ||
	    old.blocks != c->blocks || old.headers != c->headers ||
	    strcmp(old.best, c->best) != 0 || strcmp(old.chainwork, c->chainwork) != 0 ||
	    old.progress != c->progress || old.ibd != c->ibd || old.time != c->time ||
	    old.mediantime != c->mediantime;
}

static bool
apply_mempool(struct chainstate *c, json_t *o)
{
	int64_t was[5] = { c->mp_count, c->mp_bytes, c->mp_max_bytes, c->mp_evicted,
	    c->mp_expired };
	bool had = c->has_mempool;

	if (!json_is_object(o))
		return false;
	c->has_mempool = true;
	c->mp_count = jv_int(o, "size", 0);
	c->mp_bytes = jv_int(o, "bytes", 0);
	c->mp_max_bytes = jv_int(o, "maxmempool", 0);
	c->mp_evicted = jv_int(o, "evicted", 0);
	c->mp_expired = jv_int(o, "expired", 0);
	return !had || was[0] != c->mp_count || was[1] != c->mp_bytes ||
	    was[2] != c->mp_max_bytes || was[3] != c->mp_evicted || was[4] != c->mp_expired;
}

static bool
apply_tips(struct chainstate *c, json_t *a)
{
	int was[5] = { c->ntips, c->nforks, c->ninvalid, c->nheaders_only, c->longest_fork };
	bool had = c->has_tips;
	size_t n;

	if (!json_is_array(a))
		return false;
	c->has_tips = true;
	c->ntips = c->nforks = c->ninvalid = c->nheaders_only = c->longest_fork = 0;
	n = json_array_size(a);
	for (size_t i = 0; i < n; i++) {
		json_t *t = json_array_get(a, i);
		const char *st = json_string_value(json_object_get(t, "status"));
		int64_t len = jv_int(t, "branchlen", 0);

		if (!json_is_object(t) || st == NULL)
			continue;
		c->ntips++;
		if (strcmp(st, "active") == 0)
			continue;
		if (strcmp(st, "invalid") == 0) {
			c->ninvalid++;
		} else if (strcmp(st, "headers-only") == 0) {
			c->nheaders_only++;
		} else {
			c->nforks++;
			if (len > c->longest_fork)
				c->longest_fork = len > INT32_MAX ? INT32_MAX : (int)len;
		}
	}
	return !had || was[0] != c->ntips || was[1] != c->nforks || was[2] != c->ninvalid ||
	    was[3] != c->nheaders_only || was[4] != c->longest_fork;
}

/* One entry of getrecentblocks into B; false when it is not a block. */
static bool
parse_block(json_t *o, struct chain_block *b)
{
	int64_t h = jv_int(o, "height", -1), from = jv_int(o, "from_peer", 0);

	memset(b, 0, sizeof(*b));
	if (!json_is_object(o) || h < 0 || h > INT32_MAX || !hash_get(o, "hash", b->hash))
		return false;
	b->height = (int32_t)h;
	b->time = jv_int(o, "time", 0);
	b->size = jv_int(o, "size", -1);
	b->seen_ms = jv_int(o, "firstseen_ms", 0);
	b->delay_ms = jv_int(o, "delay_ms", b->seen_ms - b->time * 1000);
	b->from_peer = from > 0 ? (uint64_t)from : 0;
	jv_str(o, "from", b->from, sizeof(b->from));
	return true;
}

static int
cmp_height_desc(const void *x, const void *y)
{
	const struct chain_block *a = x, *b = y;

	return a->height > b->height ? -1 : a->height < b->height;
}

/* Merge the blocks of getrecentblocks A: the heights it covers are
 * replaced (the active chain may have changed there), anything above its
 * newest is gone, older blocks stay. */
static bool
apply_recent(struct chainstate *c, json_t *a)
{
	struct chain_block *nb;
	size_t n, k = 0, w = 0, keep;
	bool changed;

	if (!json_is_array(a))
		return false;
	n = json_array_size(a);
	if (n > CHAINSTATE_BLOCKS)
		n = CHAINSTATE_BLOCKS;
	nb = xcalloc(CHAINSTATE_BLOCKS, sizeof(*nb));
	for (size_t i = 0; i < n; i++)
		if (parse_block(json_array_get(a, i), &nb[k]))
			k++;
	qsort(nb, k, sizeof(*nb), cmp_height_desc);
	/* One entry per height (the node lists each once; a repeat is junk). */
	for (size_t i = 0; i < k; i++)
		if (w == 0 || nb[i].height != nb[w - 1].height)
			nb[w++] = nb[i];
	k = w;
	keep = k;
	for (size_t i = 0; i < c->nrecent && keep < CHAINSTATE_BLOCKS; i++)
		if (k == 0 || c->recent[i].height < nb[k - 1].height)
			nb[keep++] = c->recent[i];
	changed = !c->has_recent || keep != c->nrecent ||
	    memcmp(nb, c->recent, keep * sizeof(*nb)) != 0;
	c->has_recent = true;
	memcpy(c->recent, nb, keep * sizeof(*nb));
	c->nrecent = keep;
	free(nb);
	return changed;
}

bool
chainstate_apply(struct chainstate *c, json_t *info, json_t *mempool, json_t *recent,
    json_t *tips)
{
	bool changed = false;

	changed |= apply_info(c, info);
	changed |= apply_mempool(c, mempool);
	changed |= apply_recent(c, recent);
	changed |= apply_tips(c, tips);
	return changed;
}

int
chainstate_ask_blocks(const struct chainstate *c, json_t *info)
{
	char best[CHAINSTATE_HASHLEN];
	int64_t blocks = jv_int(info, "blocks", -1), want;

	if (!json_is_object(info) || blocks < 0)
		return 0;
	(void)hash_get(info, "bestblockhash", best);
	if (!c->has_recent || c->nrecent == 0)
		return CHAINSTATE_FIRST_ASK;
	if (c->has_info && blocks == c->blocks && jv_int(info, "headers", blocks) == c->headers &&
	    strcmp(best, c->best) == 0)
		return 0;
	want = blocks - c->recent[0].height + 1 + CHAINSTATE_REORG_MARGIN;
	if (want < 1 + CHAINSTATE_REORG_MARGIN)
		want = 1 + CHAINSTATE_REORG_MARGIN;
	return want > CHAINSTATE_BLOCKS ? CHAINSTATE_BLOCKS : (int)want;
}

const struct chain_block *
chainstate_find(const struct chainstate *c, int32_t height, const char *hash)
{
	size_t lo = 0, hi = c->nrecent;

	/* Newest first: heights fall as the index rises. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->recent[mid].height == height)
			return strcmp(c->recent[mid].hash, hash) == 0 ? &c->recent[mid] : NULL;
		if (c->recent[mid].height > height)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

bool
chainstate_live(const struct chain_block *b)
{
	return b->seen_ms > 0 && b->delay_ms <= CHAINSTATE_LIVE_MS;
}

int64_t
chainstate_sightings(const struct chainstate *const *cs, size_t n, int32_t height,
    const char *hash, int64_t *seen)
{
	int64_t first = CHAINSTATE_NONE;

	for (size_t i = 0; i < n; i++) {
		const struct chain_block *b = cs[i] != NULL ? chainstate_find(cs[i], height, hash) :
		    NULL;

		seen[i] = b != NULL && chainstate_live(b) ? b->seen_ms : CHAINSTATE_NONE;
		if (seen[i] != CHAINSTATE_NONE && (first == CHAINSTATE_NONE || seen[i] < first))
			first = seen[i];
	}
	return first;
}

size_t
chainstate_spreads(const struct chainstate *const *cs, size_t n, double *out, size_t max,
    size_t *nblocks)
{
	int64_t *seen = xcalloc(n > 0 ? n : 1, sizeof(*seen));
	size_t k = 0, blocks = 0;

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; cs[i] != NULL && j < cs[i]->nrecent; j++) {
			const struct chain_block *b = &cs[i]->recent[j];
			int64_t first = chainstate_sightings(cs, n, b->height, b->hash, seen);
			size_t got = 0, owner = n;
			bool skipped = false;

			for (size_t m = 0; m < n; m++) {
				if (seen[m] == CHAINSTATE_NONE)
					continue;
				if (owner == n)
					owner = m;
				got++;
			}
			/* Each block once: by the first node holding it live. */
			if (owner != i || got < 2)
				continue;
			blocks++;
			for (size_t m = 0; m < n; m++) {
				if (seen[m] == CHAINSTATE_NONE)
					continue;
				if (!skipped && seen[m] == first) {
					skipped = true;	/* the reference itself */
					continue;
				}
				if (k < max)
					out[k++] = (double)(seen[m] - first);
			}
		}
	}
	free(seen);
	if (nblocks != NULL)
		*nblocks = blocks;
	return k;
}

size_t
chainstate_delays(const struct chainstate *c, double *out, size_t max, size_t *synced)
{
	size_t k = 0, old = 0;

	for (size_t i = 0; i < c->nrecent; i++) {
		const struct chain_block *b = &c->recent[i];

		if (!chainstate_live(b)) {
			old++;
			continue;
		}
		if (k < max)
			out[k++] = b->delay_ms > 0 ? (double)b->delay_ms : 0;
	}
	if (synced != NULL)
		*synced = old;
	return k;
}
