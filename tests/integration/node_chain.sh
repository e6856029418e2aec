#!/usr/bin/env bash
# node_chain.sh -- the data plane end to end: eight regtest nodes agree on
# mined blocks and relay transactions; a late joiner syncs 300 blocks; two
# nodes that mined apart converge on the most-work chain; hostile peers
# (bad proof of work, bad merkle root, unconnecting headers, a claimed
# height of 2^31-1, oversized inventories) move nobody's height; a node
# killed with -9 during sync restarts on a valid tip and finishes; the
# block-notify command runs with each new tip's hash.
source "$(dirname "$0")/lib.bash"

COMMON=(--min-peers 3 --max-peers 20 --ping-interval 5)
PROBE=$TOOLS/p2pprobe

height() { rpc "$1" getblockchaininfo | json 'd["blocks"]'; }
tip() { rpc "$1" getblockchaininfo | json 'd["bestblockhash"]'; }
mempool_size() { rpc "$1" getmempoolinfo | json 'd["size"]'; }

start_node n1 1 --seed "${COMMON[@]}" --set "chain.block_notify=echo %s >> $T/notified"
for i in $(seq 2 8); do
	start_node "n$i" "$i" --seed-node "$(ip_of 1):$REGTEST_P2P" "${COMMON[@]}"
done
meshed() { for i in $(seq 2 8); do [ "$(outbound_count "n$i")" -ge 2 ] || return 1; done; }
wait_for 60 "the eight nodes mesh" meshed
log "8 nodes meshed"

# --- generate 5 on one node: every node on the same tip ----------------------
rpc n3 generate 5 >/dev/null
want=$(tip n3)
same_tip() { for i in $(seq 1 8); do [ "$(tip "n$i")" = "$want" ] || return 1; done; }
wait_for 30 "all 8 nodes at n3's tip" same_tip
[ "$(height n7)" = 5 ] || fail "n7 at height $(height n7), not 5"
log "generate 5: all on $want"
wait_for 10 "block-notify ran for the new tip" grep -q "$want" "$T/notified"

# --- sendrawtransaction on one node: in every mempool -------------------------
txid=$(rpc n5 sendrawtransaction "$(head -c 300 /dev/urandom | od -An -tx1 | tr -d ' \n')" | json 'd')
in_all() { for i in $(seq 1 8); do rpc "n$i" getrawmempool | grep -q "$txid" || return 1; done; }
wait_for 60 "the transaction in all 8 mempools" in_all
log "tx $txid in every mempool"
rpc n2 generate 1 >/dev/null
want=$(tip n2)
wait_for 30 "all at n2's tip" same_tip
emptied() { for i in $(seq 1 8); do [ "$(mempool_size "n$i")" = 0 ] || return 1; done; }
wait_for 20 "the confirmed transaction leaves every mempool" emptied

# --- hostile peers: ignored or banned, nobody's height moves ----------------
h0=$(height n1)
target="$(ip_of 1):$REGTEST_P2P"
"$PROBE" -t 10 -b 127.0.0.1 "$target" badpow >/dev/null || fail "bad-PoW peer not dropped"
"$PROBE" -t 10 -b 127.0.0.2 "$target" badmerkle >/dev/null || fail "bad-merkle peer not dropped"
"$PROBE" -t 15 -b 127.0.0.3 "$target" unconnecting >/dev/null ||
	fail "unconnecting-headers peer not dropped"
"$PROBE" -t 10 -b 127.0.0.4 "$target" oversizedinv >/dev/null ||
	fail "oversized-inv peer not dropped"
"$PROBE" -t 3 -b 127.0.0.5 "$target" maxinv >/dev/null ||
	fail "a legal 50,000-entry inv got the peer dropped"
"$PROBE" -t 3 -b 127.0.0.6 "$target" bigheight >/dev/null ||
	fail "the peer claiming height 2^31-1 was dropped"
[ "$(height n1)" = "$h0" ] || fail "n1's height moved from $h0 to $(height n1)"
rpc n1 getnetworkinfo | json 'd["height"]' | grep -qx "$h0" ||
	fail "n1 announces a height other than its own"
banned=$(rpc n1 listbanned | json 'len(d)')
[ "$banned" -ge 4 ] || fail "only $banned hostile peers banned"
rpc n1 clearbanned >/dev/null
log "hostile peers: banned $banned, height still $h0"

# --- a late joiner syncs 300 blocks -------------------------------------------
rpc n4 generate 300 >/dev/null
want=$(tip n4)
wait_for 60 "the 8 nodes follow 300 blocks" same_tip
start_node late 20 --seed-node "$(ip_of 4):$REGTEST_P2P" "${COMMON[@]}"
wait_for 60 "the late joiner syncs" bash -c "[ \"\$($BIN/agentnode rpc --network regtest \
    --datadir $T/late --rpc-connect 127.0.0.1:$((RPC_BASE + 20)) getblockchaininfo |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[\"bestblockhash\"])')\" = $want ]"
log "late joiner at $(height late)"

# --- kill -9 during sync: restart on a valid tip and finish ------------------
start_node crash 21 --seed-node "$(ip_of 4):$REGTEST_P2P" "${COMMON[@]}"
wait_for 30 "crash starts syncing" bash -c "[ \$($BIN/agentnode rpc --network regtest \
    --datadir $T/crash --rpc-connect 127.0.0.1:$((RPC_BASE + 21)) getblockchaininfo |
    python3 -c 'import json,sys; print(json.load(sys.stdin)[\"blocks\"])') -ge 1 ]"
kill9_node crash
start_node crash 21 --seed-node "$(ip_of 4):$REGTEST_P2P" "${COMMON[@]}"
wait_for 60 "crash restarts and finishes the sync" bash -c "[ \"\$($BIN/agentnode rpc \
    --network regtest --datadir $T/crash --rpc-connect 127.0.0.1:$((RPC_BASE + 21)) \
    getblockchaininfo | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"bestblockhash\"])')\" = $want ]"
log "crash recovered at $(height crash)"

# --- two nodes mine apart, then reconnect: both on the most-work chain -------
start_node a 30 "${COMMON[@]}" --no-dns-seeds
start_node b 31 "${COMMON[@]}" --no-dns-seeds
rpc a generate 3 >/dev/null
rpc b generate 7 >/dev/null
[ "$(tip a)" != "$(tip b)" ] || fail "a and b mined the same chain"
want=$(tip b)
rpc a addnode "$(ip_of 31):$REGTEST_P2P" onetry >/dev/null || true
converged() { [ "$(tip a)" = "$want" ] && [ "$(tip b)" = "$want" ]; }
wait_for 30 "a reorganises onto b's longer chain" converged
rpc a getchaintips | json 'sorted(t["status"] for t in d)' | grep -q "valid-fork" ||
	fail "a's old branch is not listed as a valid fork"
log "a reorganised from 3 to b's 7 blocks"

# --- invalidateblock / reconsiderblock -----------------------------------------
h7=$(rpc a getblockhash 7 | json 'd')
rpc a invalidateblock "$h7" >/dev/null
[ "$(height a)" -lt 7 ] || fail "invalidateblock did not move a off block 7"
rpc a reconsiderblock "$h7" >/dev/null
[ "$(tip a)" = "$want" ] || fail "reconsiderblock did not restore the tip"
echo "PASS node_chain"
