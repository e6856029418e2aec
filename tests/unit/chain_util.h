/* chain_util.h -- blocks on demand for the data-plane unit tests: a second chain to mine on, headers and blocks as messages. */
#ifndef AGENTCHAIN_TEST_CHAIN_UTIL_H
#define AGENTCHAIN_TEST_CHAIN_UTIL_H

#include "fake_io.h"
#include "../../node/miner.h"
#include "block.h"
#include "pow.h"

/* Data-plane tests run the fake clock from here: after every genesis
 * (2026-01-01), so that mined block times are in range. */
#define DP_T0_MS	1798000000000LL

/* Another node's chain, in a directory of its own. */
struct remote {
	char		 dir[64];
	struct chain	*chain;
	struct mempool	*mp;
};

static FAKE_UNUSED void
remote_open(struct remote *r, const struct chainparams *p)
{
	char err[256];

	snprintf(r->dir, sizeof(r->dir), "/tmp/agentchain-test-remote.XXXXXX");
	if (mkdtemp(r->dir) == NULL)
		abort();
	if ((r->chain = chain_open(p, r->dir, err, sizeof(err))) == NULL) {
		fprintf(stderr, "remote_open: %s\n", err);
		abort();
	}
	r->mp = mempool_new(NULL);
}

static FAKE_UNUSED void
remote_close(struct remote *r)
{
	char cmd[96];

	chain_close(r->chain);
	mempool_free(r->mp);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", r->dir);
	(void)!system(cmd);
}

/* Mine N blocks on CH's tip (each a second apart on the fake clock). */
static FAKE_UNUSED void
mine(struct chain *ch, struct mempool *mp, int n)
{
	uint8_t (*h)[32] = calloc((size_t)n + 1, sizeof(*h));
	char err[256];

	for (int i = 0; i < n; i++) {
		if (miner_generate(ch, mp, 1, 0, clock_wall(), h + i, err, sizeof(err)) != 1) {
			fprintf(stderr, "mine: %s\n", err);
			abort();
		}
		clock_fake_advance(1000);
	}
	free(h);
}

/* A headers message with CH's active blocks FROM..TO (heights). */
static FAKE_UNUSED void
headers_msg(struct msg *m, const struct chain *ch, int from, int to)
{
	struct block_header *h = calloc((size_t)(to - from + 1), sizeof(*h));

	for (int i = from; i <= to; i++)
		h[i - from] = chain_at(ch, i)->header;
	msg_init(m, MSG_HEADERS);
	if (msg_headers_set(m, h, (size_t)(to - from + 1)) != 0)
		abort();
	free(h);
}

/* A block message with CH's active block at HEIGHT. */
static FAKE_UNUSED void
block_msg(struct msg *m, struct chain *ch, int height)
{
	struct block b;
	char err[256];

	if (chain_read_block(ch, chain_at(ch, height), &b, err, sizeof(err)) != 0) {
		fprintf(stderr, "block_msg: %s\n", err);
		abort();
	}
	msg_init(m, MSG_BLOCK);
	msg_block_take(m, &b);
}

/* Read what C was sent; count messages of TYPE and, for getdata, the
 * block entries into *INV (may be NULL). */
static FAKE_UNUSED int
sent_of(struct conn *c, int type, size_t *entries)
{
	struct msg m;
	int n = 0;

	if (entries != NULL)
		*entries = 0;
	while (fake_next_sent(c, &m)) {
		if ((int)m.type == type) {
			n++;
			if (entries != NULL && (type == MSG_GETDATA || type == MSG_INV ||
			    type == MSG_NOTFOUND))
				*entries += m.u.inv.count;
			if (entries != NULL && type == MSG_HEADERS)
				*entries += m.u.headers.count;
		}
		msg_free(&m);
	}
	return n;
}

#endif
