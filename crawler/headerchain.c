/* headerchain.c -- the crawler's own header chain: every header it checked itself, and the most-work chain among them.
 *
 * A tree of entries indexed by hash, plus the best chain as an array by
 * height.  The checks are common/'s (block_check_header, chaincheck,
 * pow_next_bits); this module only supplies their context.  Side
 * branches are walked by prev pointers: they are short (a reorganisation
 * or a stale node's branch), and the walk is bounded by their length. */
#include "headerchain.h"

#include <stdlib.h>
#include <string.h>

#include "chaincheck.h"
#include "locator.h"
#include "map.h"
#include "pow.h"
#include "xmalloc.h"

struct headerchain {
	const struct chainparams	 *p;
	struct map			 *index;	/* hash -> entry (owned) */
	const struct headerchain_entry	**best;		/* best chain by height */
	size_t				  nbest, capbest;
	const struct headerchain_entry	**fresh;	/* not yet drained */
	size_t				  nfresh, capfresh;
};

static void
best_set(struct headerchain *hc, int32_t height, const struct headerchain_entry *e)
{
	size_t	h = (size_t)height;

	if (h >= hc->capbest) {
		while (h >= hc->capbest)
			hc->capbest = hc->capbest ? hc->capbest * 2 : 1024;
		hc->best = xreallocarray(hc->best, hc->capbest, sizeof(*hc->best));
	}
	hc->best[h] = e;
	hc->nbest = h + 1;
}

static struct headerchain_entry *
entry_new(struct headerchain *hc, const struct block_header *h, const uint8_t hash[32],
    const struct headerchain_entry *prev)
{
	struct headerchain_entry	*e = xcalloc(1, sizeof(*e));
	struct u256			 w;

	memcpy(e->hash, hash, 32);
	e->header = *h;
	e->prev = prev;
	e->height = prev != NULL ? prev->height + 1 : 0;
	pow_work(h->bits, &w);
	if (prev != NULL)
		u256_add(&e->work, &prev->work, &w);
	else
		e->work = w;
	map_put(hc->index, e->hash, 32, e);
	return e;
}

struct headerchain *
headerchain_new(const struct chainparams *p)
{
	struct headerchain	*hc = xcalloc(1, sizeof(*hc));
	struct block		 g;
	uint8_t			 hash[32];

	hc->p = p;
	hc->index = map_new();
	block_genesis(&g, p);
	block_header_hash(&g.header, hash);
	best_set(hc, 0, entry_new(hc, &g.header, hash, NULL));
	block_free(&g);
	return hc;
}

void
headerchain_free(struct headerchain *hc)
{
	size_t		 pos = 0, len;
	const void	*key;
	void		*val;

	if (hc == NULL)
		return;
	while (map_next(hc->index, &pos, &key, &len, &val))
		free(val);
	map_free(hc->index);
	free(hc->best);
	free(hc->fresh);
	free(hc);
}

const struct headerchain_entry *
headerchain_tip(const struct headerchain *hc)
{
	return hc->best[hc->nbest - 1];
}

const struct headerchain_entry *
headerchain_at(const struct headerchain *hc, int32_t height)
{
	return height >= 0 && (size_t)height < hc->nbest ? hc->best[height] : NULL;
}

const struct headerchain_entry *
headerchain_find(const struct headerchain *hc, const uint8_t hash[32])
{
	return map_get(hc->index, hash, 32);
}

bool
headerchain_on_best(const struct headerchain *hc, const struct headerchain_entry *e)
{
	return headerchain_at(hc, e->height) == e;
}

const struct headerchain_entry *
headerchain_fork(const struct headerchain *hc, const struct headerchain_entry *e)
{
	while (!headerchain_on_best(hc, e))
		e = e->prev;	/* genesis is on the best chain: ends */
	return e;
}

size_t
headerchain_count(const struct headerchain *hc)
{
	return map_count(hc->index);
}

/* E's ancestor at HEIGHT (<= E's). */
static const struct headerchain_entry *
ancestor(const struct headerchain *hc, const struct headerchain_entry *e, int32_t height)
{
	while (e->height > height && !headerchain_on_best(hc, e))
		e = e->prev;
	return e->height == height ? e : headerchain_at(hc, height);
}

static uint32_t
next_bits(const struct headerchain *hc, const struct headerchain_entry *prev)
{
	struct pow_parent pp = {
		.height = (uint32_t)prev->height, .bits = prev->header.bits,
		.time = prev->header.time,
	};
	int64_t first = pow_retarget_first_height(hc->p, (uint32_t)prev->height);

	if (first >= 0)
		pp.first_time = ancestor(hc, prev, (int32_t)first)->header.time;
	return pow_next_bits(hc->p, &pp);
}

/* Make E the best tip: rewrite the best chain from where E's branch
 * leaves it. */
static void
make_best(struct headerchain *hc, const struct headerchain_entry *e)
{
	const struct headerchain_entry	*fork = headerchain_fork(hc, e->prev), *x;

	for (x = e; x != fork; x = x->prev)
		best_set(hc, x->height, x);
	hc->nbest = (size_t)e->height + 1;
}

static void
fresh_push(struct headerchain *hc, const struct headerchain_entry *e)
{
	if (hc->nfresh == hc->capfresh) {
		hc->capfresh = hc->capfresh ? hc->capfresh * 2 : 256;
		hc->fresh = xreallocarray(hc->fresh, hc->capfresh, sizeof(*hc->fresh));
	}
	hc->fresh[hc->nfresh++] = e;
}

enum headerchain_result
headerchain_add(struct headerchain *hc, const struct block_header *h, int64_t now,
    const struct headerchain_entry **out, enum block_err *why)
{
	uint32_t			 times[CHAINPARAMS_MTP_SPAN];
	const struct headerchain_entry	*prev, *a, *tip = headerchain_tip(hc);
	struct headerchain_entry	*e;
	struct chaincheck_ctx		 ctx;
	enum block_err			 err;
	struct u256			 w, total;
	uint8_t				 hash[32];
	size_t				 n = 0;

	if (out != NULL)
		*out = NULL;
	if (why != NULL)
		*why = BLOCK_OK;
	block_header_hash(h, hash);
	if ((e = map_get(hc->index, hash, 32)) != NULL) {
		if (out != NULL)
			*out = e;
		return HEADERCHAIN_DUPLICATE;
	}
	if ((prev = map_get(hc->index, h->prev_hash, 32)) == NULL)
		return HEADERCHAIN_ORPHAN;
	if ((err = block_check_header(h, hc->p)) == BLOCK_OK) {
		for (a = prev; a != NULL && n < CHAINPARAMS_MTP_SPAN; a = a->prev)
			times[n++] = a->header.time;
		ctx = (struct chaincheck_ctx){ .prev_times = times, .n_prev_times = n,
		    .expected_bits = next_bits(hc, prev), .now = now };
		err = chaincheck_header(h, hc->p, &ctx);
	}
	if (err != BLOCK_OK) {
		if (why != NULL)
			*why = err;
		return HEADERCHAIN_INVALID;
	}
	pow_work(h->bits, &w);
	u256_add(&total, &prev->work, &w);
	if (map_count(hc->index) > hc->nbest + HEADERCHAIN_MAX_SIDE &&
	    u256_cmp(&total, &tip->work) <= 0)
		return HEADERCHAIN_FULL;
	e = entry_new(hc, h, hash, prev);
	fresh_push(hc, e);
	/* Ties keep the branch seen first, as every node does. */
	if (u256_cmp(&e->work, &tip->work) > 0 &&
	    u256_cmp(&e->work, &hc->p->min_chain_work) >= 0)
		make_best(hc, e);
	if (out != NULL)
		*out = e;
	return HEADERCHAIN_NEW;
}

struct locator_ctx {
	const struct headerchain		*hc;
	const struct headerchain_entry		*from;
};

static void
locator_hash(uint32_t height, uint8_t out[32], void *arg)
{
	struct locator_ctx *c = arg;

	memcpy(out, ancestor(c->hc, c->from, (int32_t)height)->hash, 32);
}

size_t
headerchain_locator(const struct headerchain *hc, const struct headerchain_entry *from,
    uint8_t (*out)[32], size_t max)
{
	struct locator_ctx c = { hc, from };

	return locator_build((uint32_t)from->height, locator_hash, &c, out, max);
}

int
headerchain_drain_new(struct headerchain *hc,
    int (*fn)(const struct headerchain_entry *e, void *arg), void *arg)
{
	size_t	i;

	for (i = 0; fn != NULL && i < hc->nfresh; i++)
		if (fn(hc->fresh[i], arg) != 0)
			return -1;
	hc->nfresh = 0;
	return 0;
}
