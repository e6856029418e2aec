/* rpc_chain.c -- agentnode's JSON-RPC methods for the chain: blocks, headers, tips, mempool, mining.
 *
 * Names and shapes follow Bitcoin Core's where they exist (getblockchaininfo,
 * getblock, getchaintips ...), so that tools written for Core read them.
 * Hashes travel as Core shows them: 64 hex digits, byte-reversed. */
#include "rpc_chain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "block.h"
#include "blockrelay.h"
#include "chain.h"
#include "clock.h"
#include "config.h"
#include "connman.h"
#include "mempool.h"
#include "netaddr.h"
#include "peer.h"
#include "miner.h"
#include "rpc_methods.h"
#include "txrelay.h"
#include "u256.h"
#include "xmalloc.h"

/* generate mines at most this many blocks per call. */
#define RPC_GENERATE_MAX	10000
/* waitforblockheight looks at the tip this often: cheap (one compare), and
 * the answer is at most this late. */
#define RPC_WAIT_POLL_MS	10
#define RPC_WAIT_MAX_MS		(24 * 3600 * 1000)

static json_t *
rpc_hash_json(const uint8_t hash[32])
{
	char hex[U256_HEX_LEN];

	u256_hash_to_hex(hash, hex);
	return json_string(hex);
}

static json_t *
rpc_hex_json(const uint8_t *data, size_t len)
{
	char *hex = xmalloc(len * 2 + 1);
	json_t *s;

	sodium_bin2hex(hex, len * 2 + 1, data, len);
	s = json_string(hex);
	free(hex);
	return s;
}

/* Hex parameter IDX into a new buffer of *LEN bytes (at most MAX). */
static uint8_t *
rpc_param_hex(json_t *params, size_t idx, size_t max, size_t *len, struct rpc_error *err)
{
	const char *hex;
	uint8_t *bin;
	size_t hexlen;

	if (rpc_param_str(params, idx, NULL, max * 2, &hex, err) == -1)
		return NULL;
	hexlen = strlen(hex);
	if (hexlen == 0 || hexlen % 2 != 0) {
		rpc_error_set(err, RPC_DESERIALIZATION_ERROR, "parameter %zu is not an even-length "
		    "hex string", idx + 1);
		return NULL;
	}
	bin = xmalloc(hexlen / 2);
	if (sodium_hex2bin(bin, hexlen / 2, hex, hexlen, NULL, len, NULL) != 0 ||
	    *len != hexlen / 2) {
		free(bin);
		rpc_error_set(err, RPC_DESERIALIZATION_ERROR, "parameter %zu is not hex", idx + 1);
		return NULL;
	}
	return bin;
}

static const struct chain_entry *
rpc_param_block(struct rpc_node *n, json_t *params, size_t idx, struct rpc_error *err)
{
	const char *hex;
	uint8_t hash[32];
	const struct chain_entry *e;

	if (rpc_param_str(params, idx, NULL, 64, &hex, err) == -1)
		return NULL;
	if (!u256_hash_from_hex(hex, hash)) {
		rpc_error_set(err, RPC_INVALID_PARAMETER, "not a block hash: %s", hex);
		return NULL;
	}
	if ((e = chain_find(n->chain, hash)) == NULL)
		rpc_error_set(err, RPC_INVALID_ADDRESS, "Block not found");
	return e;
}

static const char *
rpc_bits_hex(uint32_t bits, char *buf, size_t len)
{
	snprintf(buf, len, "%08x", bits);
	return buf;
}

static json_t *
rpc_header_json(struct rpc_node *n, const struct chain_entry *e)
{
	const struct chain_entry *tip = chain_tip(n->chain), *next;
	char work[U256_HEX_LEN], bits[16];
	json_t *o;

	u256_to_hex(&e->work, work);
	o = json_pack("{s:o, s:i, s:i, s:i, s:o, s:I, s:I, s:I, s:s, s:s, s:I}",
	    "hash", rpc_hash_json(e->hash),
	    "confirmations", chain_is_active(n->chain, e) ? tip->height - e->height + 1 : -1,
	    "height", e->height,
	    "version", e->header.version,
	    "merkleroot", rpc_hash_json(e->header.merkle_root),
	    "time", (json_int_t)e->header.time,
	    "mediantime", (json_int_t)chain_median_time(n->chain, e),
	    "nonce", (json_int_t)e->header.nonce,
	    "bits", rpc_bits_hex(e->header.bits, bits, sizeof(bits)),
	    "chainwork", work,
	    "firstseen_ms", (json_int_t)e->first_seen_ms);
	if (e->prev != NULL)
		json_object_set_new(o, "previousblockhash", rpc_hash_json(e->prev->hash));
	if (chain_is_active(n->chain, e) && (next = chain_at(n->chain, e->height + 1)) != NULL)
		json_object_set_new(o, "nextblockhash", rpc_hash_json(next->hash));
	json_object_set_new(o, "have_data", json_boolean(e->status & CHAIN_HAVE_DATA));
	return o;
}

static json_t *
rpc_getblockchaininfo(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	const struct chain_entry *tip = chain_tip(n->chain), *best = chain_best_header(n->chain);
	char work[U256_HEX_LEN];

	(void)params;
	(void)err;
	u256_to_hex(&tip->work, work);
	return json_pack("{s:s, s:i, s:i, s:o, s:s, s:f, s:b, s:I, s:I}",
	    "chain", n->cfg->params->name,
	    "blocks", tip->height,
	    "headers", best->height,
	    "bestblockhash", rpc_hash_json(tip->hash),
	    "chainwork", work,
	    "verificationprogress", best->height > 0 ? (double)tip->height / best->height : 1.0,
	    "initialblockdownload", chain_is_ibd(n->chain, clock_wall()),
	    "mediantime", (json_int_t)chain_median_time(n->chain, tip),
	    "time", (json_int_t)tip->header.time);
}

static json_t *
rpc_getblockhash(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	const struct chain_entry *e;
	int64_t h;

	if (rpc_param_int(params, 0, RPC_PARAM_REQUIRED, 0, INT32_MAX, &h, err) == -1)
		return NULL;
	if ((e = chain_at(n->chain, (int32_t)h)) == NULL) {
		rpc_error_set(err, RPC_INVALID_PARAMETER, "Block height out of range");
		return NULL;
	}
	return rpc_hash_json(e->hash);
}

static json_t *
rpc_getblockcount(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;

	(void)params;
	(void)err;
	return json_integer(chain_tip(n->chain)->height);
}

struct tip_wait {
	struct rpc_node	*n;
	int32_t		 height;
	int64_t		 deadline_ms;	/* 0: none */
};

static json_t *
rpc_wait_tip_json(const struct chain_entry *tip)
{
	return json_pack("{s:o, s:i}", "hash", rpc_hash_json(tip->hash), "height", tip->height);
}

static void
rpc_tip_wait_poll(void *arg, struct rpc_deferred *d)
{
	struct tip_wait *w = arg;
	const struct chain_entry *tip = chain_tip(w->n->chain);

	if (tip->height >= w->height ||
	    (w->deadline_ms != 0 && clock_mono_ms() >= w->deadline_ms)) {
		rpc_deferred_reply(d, rpc_wait_tip_json(tip));
		free(w);
	}
}

static void
rpc_tip_wait_cancel(void *arg)
{
	free(arg);
}

/* As Bitcoin Core's: the tip once it reaches HEIGHT, or at TIMEOUT ms
 * whatever it is then; scripts wait on it instead of polling. */
static int
rpc_waitforblockheight(void *ctx, json_t *params, struct rpc_deferred *d, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	struct tip_wait *w;
	int64_t h, timeout;

	if (rpc_param_int(params, 0, RPC_PARAM_REQUIRED, 0, INT32_MAX, &h, err) == -1 ||
	    rpc_param_int(params, 1, 0, 0, RPC_WAIT_MAX_MS, &timeout, err) == -1)
		return -1;
	w = xcalloc(1, sizeof(*w));
	w->n = n;
	w->height = (int32_t)h;
	w->deadline_ms = timeout > 0 ? clock_mono_ms() + timeout : 0;
	rpc_deferred_on_cancel(d, rpc_tip_wait_cancel, w);
	rpc_deferred_every(d, RPC_WAIT_POLL_MS, rpc_tip_wait_poll, w);
	rpc_tip_wait_poll(w, d);
	return 0;
}

static json_t *
rpc_getblockheader(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	const struct chain_entry *e = rpc_param_block(n, params, 0, err);
	uint8_t raw[BLOCK_HEADER_SIZE];
	bool verbose;

	if (e == NULL || rpc_param_bool(params, 1, 1, &verbose, err) == -1)
		return NULL;
	if (verbose)
		return rpc_header_json(n, e);
	block_header_encode(&e->header, raw);
	return rpc_hex_json(raw, sizeof(raw));
}

static json_t *
rpc_getblock(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	const struct chain_entry *e = rpc_param_block(n, params, 0, err);
	int64_t verbosity;
	struct block b;
	char why[256];
	json_t *o, *txs;

	if (e == NULL || rpc_param_int(params, 1, 1, 0, 2, &verbosity, err) == -1)
		return NULL;
	if (chain_read_block(n->chain, e, &b, why, sizeof(why)) == -1) {
		rpc_error_set(err, RPC_MISC_ERROR, "Block not available (%s)", why);
		return NULL;
	}
	if (verbosity == 0) {
		o = rpc_hex_json(b.data, b.len);
		block_free(&b);
		return o;
	}
	o = rpc_header_json(n, e);
	txs = json_array();
	for (size_t i = 0; i < b.tx_count; i++) {
		size_t len;
		const uint8_t *tx = block_tx_bytes(&b, i, &len);
		uint8_t txid[32];

		block_txid(tx, len, txid);
		if (verbosity == 1)
			json_array_append_new(txs, rpc_hash_json(txid));
		else
			json_array_append_new(txs, json_pack("{s:o, s:I, s:o}", "txid",
			    rpc_hash_json(txid), "size", (json_int_t)len, "hex", rpc_hex_json(tx, len)));
	}
	json_object_set_new(o, "size", json_integer((json_int_t)b.len));
	json_object_set_new(o, "nTx", json_integer((json_int_t)b.tx_count));
	json_object_set_new(o, "tx", txs);
	block_free(&b);
	return o;
}

struct rpc_tips {
	struct rpc_node	*n;
	json_t		*arr;
	bool		 active;	/* the active tip was listed */
};

static void
rpc_tip_json(void *arg, const struct chain_entry *tip)
{
	struct rpc_tips *t = arg;
	struct chain *ch = t->n->chain;
	const struct chain_entry *fork = tip;
	const char *status;

	while (fork != NULL && !chain_is_active(ch, fork))
		fork = fork->prev;
	if (chain_is_active(ch, tip)) {
		status = "active";
		t->active = true;
	} else if (tip->status & CHAIN_INVALID_ANY)
		status = "invalid";
	else if (tip->linked)
		status = "valid-fork";
	else if (tip->status & CHAIN_HAVE_DATA)
		status = "valid-headers";
	else
		status = "headers-only";
	json_array_append_new(t->arr, json_pack("{s:i, s:o, s:i, s:s}", "height", tip->height,
	    "hash", rpc_hash_json(tip->hash), "branchlen",
	    fork != NULL ? tip->height - fork->height : tip->height, "status", status));
}

static json_t *
rpc_getchaintips(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_tips t = { .n = ctx, .arr = json_array() };

	(void)params;
	(void)err;
	chain_tips(t.n->chain, rpc_tip_json, &t);
	/* Headers beyond it (downloading) leave the active tip with a child;
	 * Core lists it anyway, and so do we. */
	if (!t.active)
		rpc_tip_json(&t, chain_tip(t.n->chain));
	return t.arr;
}

/* The last COUNT blocks of the active chain with when this node first saw
 * each and who brought it: propagation, live. */
static json_t *
rpc_getrecentblocks(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	const struct chain_entry *e = chain_tip(n->chain);
	int64_t count;
	json_t *arr;

	if (rpc_param_int(params, 0, 20, 1, 1000, &count, err) == -1)
		return NULL;
	arr = json_array();
	for (; e != NULL && count-- > 0; e = e->prev) {
		struct peer *p = e->from_peer != 0 ? connman_peer_find(n->connman, e->from_peer) : NULL;
		char addr[NETADDR_STRLEN];
		json_t *o = json_pack("{s:i, s:o, s:I, s:I, s:I, s:I, s:I}",
		    "height", e->height, "hash", rpc_hash_json(e->hash),
		    "time", (json_int_t)e->header.time,
		    "size", (json_int_t)e->len,
		    "firstseen_ms", (json_int_t)e->first_seen_ms,
		    "delay_ms", (json_int_t)(e->first_seen_ms - (int64_t)e->header.time * 1000),
		    "from_peer", (json_int_t)e->from_peer);
		/* When the bytes came, which can be a round trip or more after
		 * the header announced them; 0 for blocks stored before a restart. */
		json_object_set_new(o, "received_ms", json_integer(e->received_ms));
		json_object_set_new(o, "from", p != NULL ?
		    json_string(netaddr_format(&p->addr, addr, sizeof(addr))) :
		    json_string(e->from_peer == 0 ? "local" : "gone"));
		json_array_append_new(arr, o);
	}
	return arr;
}

static int
rpc_mempool_txid(void *arg, const uint8_t txid[32], const uint8_t *tx, size_t len, int64_t time_ms)
{
	(void)tx;
	(void)len;
	(void)time_ms;
	json_array_append_new(arg, rpc_hash_json(txid));
	return 0;
}

static int
rpc_mempool_entry(void *arg, const uint8_t txid[32], const uint8_t *tx, size_t len,
    int64_t time_ms)
{
	char hex[U256_HEX_LEN];

	(void)tx;
	u256_hash_to_hex(txid, hex);
	json_object_set_new(arg, hex, json_pack("{s:I, s:I, s:I}", "size", (json_int_t)len,
	    "time", (json_int_t)(time_ms / 1000), "received_ms", (json_int_t)time_ms));
	return 0;
}

static json_t *
rpc_getrawmempool(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	bool verbose;
	json_t *out;

	if (rpc_param_bool(params, 0, 0, &verbose, err) == -1)
		return NULL;
	out = verbose ? json_object() : json_array();
	mempool_foreach(n->mempool, verbose ? rpc_mempool_entry : rpc_mempool_txid, out);
	return out;
}

static json_t *
rpc_getmempoolinfo(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	struct mempool_info mi;

	(void)params;
	(void)err;
	mempool_info(n->mempool, &mi);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
	    "size", (json_int_t)mi.count, "bytes", (json_int_t)mi.bytes,
	    "maxmempool", (json_int_t)mi.max_bytes, "maxcount", (json_int_t)mi.max_count,
	    "evicted", (json_int_t)mi.evicted, "expired", (json_int_t)mi.expired);
}

static json_t *
rpc_sendrawtransaction(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	uint8_t *tx, txid[32];
	size_t len;
	char why[128];
	int rc;

	if ((tx = rpc_param_hex(params, 0, BLOCK_TX_MAX_SIZE, &len, err)) == NULL)
		return NULL;
	rc = txrelay_submit(n->txrelay, tx, len, txid, why, sizeof(why));
	free(tx);
	if (rc == -1) {
		rpc_error_set(err, RPC_VERIFY_REJECTED, "%s", why);
		return NULL;
	}
	return rpc_hash_json(txid);
}

static json_t *
rpc_submitblock(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	struct chain_entry *e;
	enum block_err why;
	enum chain_result r;
	struct block b;
	uint8_t *data;
	size_t len;

	if ((data = rpc_param_hex(params, 0, BLOCK_MAX_SIZE, &len, err)) == NULL)
		return NULL;
	why = block_parse_take(&b, data, len);
	if (why != BLOCK_OK) {
		free(data);
		rpc_error_set(err, RPC_DESERIALIZATION_ERROR, "Block decode failed: %s",
		    block_err_name(why));
		return NULL;
	}
	r = chain_accept_block(n->chain, &b, clock_wall(), 0, &e, &why);
	block_free(&b);
	switch (r) {
	case CHAIN_NEW: return json_null();
	case CHAIN_DUPLICATE: return json_string("duplicate");
	case CHAIN_ORPHAN: return json_string("inconclusive: unknown parent");
	case CHAIN_INVALID: return json_string(block_err_name(why));
	case CHAIN_BAD_PREV: return json_string("bad-prevblk");
	default: return json_string("rejected");
	}
}

static json_t *
rpc_generate(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	int64_t count, fill;
	uint8_t (*hashes)[32];
	char why[256];
	json_t *arr;
	int done;

	if (rpc_param_int(params, 0, 1, 1, RPC_GENERATE_MAX, &count, err) == -1 ||
	    rpc_param_int(params, 1, 0, 0, BLOCK_MAX_SIZE, &fill, err) == -1)
		return NULL;
	if (!n->cfg->params->allow_private) {
		rpc_error_set(err, RPC_MISC_ERROR, "generate is for regtest; blocks of %s come "
		    "from its miners through submitblock", n->cfg->params->name);
		return NULL;
	}
	hashes = xcalloc((size_t)count, sizeof(*hashes));
	done = miner_generate(n->chain, n->mempool, (int)count, (size_t)fill, clock_wall(),
	    hashes, why, sizeof(why));
	if (done < count && done == 0) {
		free(hashes);
		rpc_error_set(err, RPC_MISC_ERROR, "%s", why);
		return NULL;
	}
	arr = json_array();
	for (int i = 0; i < done; i++)
		json_array_append_new(arr, rpc_hash_json(hashes[i]));
	free(hashes);
	return arr;
}

static json_t *
rpc_invalidateblock(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	const struct chain_entry *e = rpc_param_block(n, params, 0, err);
	char why[128];

	if (e == NULL)
		return NULL;
	if (chain_invalidate(n->chain, e->hash, why, sizeof(why)) == -1) {
		rpc_error_set(err, RPC_MISC_ERROR, "%s", why);
		return NULL;
	}
	return json_null();
}

static json_t *
rpc_reconsiderblock(void *ctx, json_t *params, struct rpc_error *err)
{
	struct rpc_node *n = ctx;
	const struct chain_entry *e = rpc_param_block(n, params, 0, err);
	char why[128];

	if (e == NULL)
		return NULL;
	if (chain_reconsider(n->chain, e->hash, why, sizeof(why)) == -1) {
		rpc_error_set(err, RPC_MISC_ERROR, "%s", why);
		return NULL;
	}
	return json_null();
}

static const struct rpc_method rpc_chain_methods[] = {
	{ .name = "getblockchaininfo", .params = "", .fn = rpc_getblockchaininfo,
	  .help = "chain, blocks (validated height), headers, bestblockhash, chainwork, "
	  "verificationprogress, initialblockdownload, mediantime." },
	{ .name = "getblockcount", .params = "", .fn = rpc_getblockcount,
	  .help = "The height of the validated tip (getblockchaininfo's blocks)." },
	{ .name = "waitforblockheight", .params = "<height> [timeout]",
	  .defer = rpc_waitforblockheight,
	  .help = "Wait until the validated tip reaches HEIGHT, or TIMEOUT ms have passed "
	  "(0, the default: no limit); returns the tip then: hash, height." },
	{ .name = "getblockhash", .params = "<height>", .fn = rpc_getblockhash,
	  .help = "Hash of the active chain's block at HEIGHT." },
	{ .name = "getblock", .params = "<blockhash> [verbosity]", .fn = rpc_getblock,
	  .help = "VERBOSITY 0: the block in hex; 1 (default): its header fields, size and "
	  "txids; 2: transactions in hex too.  firstseen_ms: when this node first saw it." },
	{ .name = "getblockheader", .params = "<blockhash> [verbose]", .fn = rpc_getblockheader,
	  .help = "The header's fields (VERBOSE true, the default) or its 80 bytes in hex." },
	{ .name = "getchaintips", .params = "", .fn = rpc_getchaintips,
	  .help = "Every branch's tip: height, hash, branchlen, status (active, valid-fork, "
	  "valid-headers, headers-only, invalid)." },
	{ .name = "getrecentblocks", .params = "[count]", .fn = rpc_getrecentblocks,
	  .help = "The last COUNT (default 20) blocks of the active chain, newest first, with "
	  "firstseen_ms (header), received_ms (block), the delay from their timestamp and "
	  "the peer that brought them." },
	{ .name = "getrawmempool", .params = "[verbose]", .fn = rpc_getrawmempool,
	  .help = "The txids in the mempool, oldest first; VERBOSE true: an object by txid "
	  "with size, time and received_ms (when this node took it in)." },
	{ .name = "getmempoolinfo", .params = "", .fn = rpc_getmempoolinfo,
	  .help = "Mempool size, bytes, limits, evicted and expired counts." },
	{ .name = "sendrawtransaction", .params = "<hexstring>", .fn = rpc_sendrawtransaction,
	  .help = "Put a transaction (1 to 100,000 opaque bytes, in hex) into the mempool and "
	  "announce it; returns its txid." },
	{ .name = "submitblock", .params = "<hexdata>", .fn = rpc_submitblock,
	  .help = "Offer a block (hex); null when accepted, else the reason (duplicate, "
	  "inconclusive, high-hash, bad-txnmrklroot, ...)." },
	{ .name = "generate", .params = "[nblocks] [fill]", .fn = rpc_generate,
	  .help = "Regtest only: mine NBLOCKS (default 1, at most 10000) on the tip with "
	  "mempool transactions, padded with random transactions to about FILL bytes "
	  "(default 0: no padding); returns their hashes." },
	{ .name = "invalidateblock", .params = "<blockhash>", .fn = rpc_invalidateblock,
	  .help = "Treat the block and its descendants as invalid (the chain's verdict); "
	  "the node follows the best remaining chain." },
	{ .name = "reconsiderblock", .params = "<blockhash>", .fn = rpc_reconsiderblock,
	  .help = "Undo invalidateblock for the block, its ancestors and descendants." },
};

const struct rpc_method *
rpc_chain_table(void)
{
	return rpc_chain_methods;
}

size_t
rpc_chain_count(void)
{
	return sizeof(rpc_chain_methods) / sizeof(rpc_chain_methods[0]);
}

void
rpc_chain_metrics(void *ctx, struct evbuffer *out)
{
	struct rpc_node *n = ctx;
	struct blockrelay_stats bs;
	struct txrelay_stats ts;
	struct mempool_info mi;

	blockrelay_stats(n->blockrelay, &bs);
	txrelay_stats(n->txrelay, &ts);
	mempool_info(n->mempool, &mi);
	evbuffer_add_printf(out,
	    "# HELP agentnode_blocks Height of the best validated chain.\n"
	    "# TYPE agentnode_blocks gauge\nagentnode_blocks %d\n"
	    "# HELP agentnode_headers Height of the best known header.\n"
	    "# TYPE agentnode_headers gauge\nagentnode_headers %d\n"
	    "# TYPE agentnode_mempool_transactions gauge\nagentnode_mempool_transactions %zu\n"
	    "# TYPE agentnode_mempool_bytes gauge\nagentnode_mempool_bytes %zu\n"
	    "# TYPE agentnode_blocks_received_total counter\nagentnode_blocks_received_total %llu\n"
	    "# TYPE agentnode_blocks_served_total counter\nagentnode_blocks_served_total %llu\n"
	    "# HELP agentnode_blocks_pushed_total New blocks sent unasked to high-bandwidth peers.\n"
	    "# TYPE agentnode_blocks_pushed_total counter\nagentnode_blocks_pushed_total %llu\n"
	    "# HELP agentnode_block_duplicates_total Copies of blocks received when we had them.\n"
	    "# TYPE agentnode_block_duplicates_total counter\nagentnode_block_duplicates_total %llu\n"
	    "# TYPE agentnode_block_announcements_total counter\n"
	    "agentnode_block_announcements_total %llu\n"
	    "# TYPE agentnode_invalid_blocks_total counter\nagentnode_invalid_blocks_total %llu\n"
	    "# TYPE agentnode_transactions_received_total counter\n"
	    "agentnode_transactions_received_total %llu\n"
	    "# TYPE agentnode_transactions_announced_total counter\n"
	    "agentnode_transactions_announced_total %llu\n"
	    "# HELP agentnode_transaction_announce_bytes_total Bytes of transaction inv "
	    "messages sent, frame headers included.\n"
	    "# TYPE agentnode_transaction_announce_bytes_total counter\n"
	    "agentnode_transaction_announce_bytes_total %llu\n",
	    chain_tip(n->chain)->height, chain_best_header(n->chain)->height, mi.count, mi.bytes,
	    (unsigned long long)bs.blocks_received, (unsigned long long)bs.blocks_served,
	    (unsigned long long)bs.blocks_pushed, (unsigned long long)bs.blocks_duplicate,
	    (unsigned long long)bs.announcements, (unsigned long long)bs.invalid,
	    (unsigned long long)ts.received, (unsigned long long)ts.announced,
	    (unsigned long long)ts.announce_bytes);
	evbuffer_add_printf(out, "# HELP agentnode_block_first_seen_delay_seconds From a block's "
	    "timestamp to its first sighting here (whole-second timestamps: coarse).\n"
	    "# TYPE agentnode_block_first_seen_delay_seconds histogram\n");
	for (int i = 0; i < BLOCKRELAY_DELAY_BUCKETS - 1; i++)
		evbuffer_add_printf(out, "agentnode_block_first_seen_delay_seconds_bucket{le=\"%g\"} "
		    "%llu\n", blockrelay_delay_bounds[i], (unsigned long long)bs.delay_le[i]);
	evbuffer_add_printf(out, "agentnode_block_first_seen_delay_seconds_bucket{le=\"+Inf\"} "
	    "%llu\nagentnode_block_first_seen_delay_seconds_sum %.3f\n"
	    "agentnode_block_first_seen_delay_seconds_count %llu\n",
	    (unsigned long long)bs.delay_le[BLOCKRELAY_DELAY_BUCKETS - 1], bs.delay_sum,
	    (unsigned long long)bs.delay_count);
}
