#!/usr/bin/env bash
# console_chain.sh -- issue 11 (console part) and issue 12 item 6 against
# real regtest agentnodes in a real terminal (tmux): the Chain view shows
# the tip, the mempool and each new block with when each watched node
# first saw it (the first of them, and the others' delay after it) and the
# peer it came from; the Peers view shows each peer's synced height beside
# the height it claimed; addnode shows the node's outcome ("connected",
# "failed" with the reason, "added" after the node's 10 s wait, a refusal)
# and the console keeps polling and drawing while it waits.  Every wait
# polls the screen or the RPC with a deadline.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/console_lib.bash"

tip() { rpc "$1" getblockchaininfo | json 'd["bestblockhash"]'; }
COMMON=(--min-peers 2 --max-peers 20 --ping-interval 2 --no-dns-seeds)
start_node n1 1 --seed "${COMMON[@]}"
start_node n2 2 --seed-node "$(ip_of 1):$REGTEST_P2P" "${COMMON[@]}"
start_node n3 3 --seed-node "$(ip_of 1):$REGTEST_P2P" "${COMMON[@]}"
# n4 is left alone, for the console's addnode.
start_node n4 4 --min-peers 0 --no-dns-seeds
meshed() { [ "$(peer_count n2)" -ge 1 ] && [ "$(peer_count n3)" -ge 1 ]; }
wait_for 30 "n2 and n3 connect to n1" meshed
rpc n1 generate 2 >/dev/null
want=$(tip n1)
same_tip() { for n in n1 n2 n3; do [ "$(tip "$n")" = "$want" ] || return 1; done; }
wait_for 30 "n1, n2 and n3 at height 2" same_tip
log "three nodes at height 2"

cat > "$T/console.yaml" <<EOF
console:
  nodes:
    - name=alpha rpc=127.0.0.1:$(cat "$T/n1/rpcport") cookie=$T/n1/.cookie
    - name=bravo rpc=127.0.0.1:$(cat "$T/n2/rpcport") cookie=$T/n2/.cookie
    - name=charlie rpc=127.0.0.1:$(cat "$T/n3/rpcport") cookie=$T/n3/.cookie
  interval: 0.5
  view: chain
EOF
"${TM[@]}" new-session -d -s con -x 160 -y 45 \
	"env LC_ALL=C.UTF-8 $BIN/agentconsole --config $T/console.yaml --stats-file $T/stats; echo \"exit=\$?\" > $T/con.exit; sleep 600"

# 1. The Chain view opens (console.view: chain) with alpha's tip.
wait_screen 15 "the Chain view of alpha" "Chain of alpha"
wait_screen 10 "alpha's tip" "height 2  headers 2: in step"
wait_screen 5 "alpha's tip hash" "tip +${want:0:40}"
wait_screen 5 "the node columns" "FIRST SEEN .* alpha +bravo +charlie"
log "Chain view: alpha at height 2 with a column per node"

# 2. A block mined on bravo: alpha shows it first seen at bravo, and
# later at alpha and charlie, from bravo's address.
rpc n2 generate 1 >/dev/null
b3=$(tip n2)
wait_screen 20 "block 3 in the table" "^│ +3 ${b3:0:8}"
row3() { screen | grep -E "^│ +3 ${b3:0:8}"; }
# The node columns end the row: one "first", two delays after it.
cells3() { row3 | grep -oE "(first|\+[0-9.]+m?s|synced|-) +(first|\+[0-9.]+m?s|synced|-) +(first|\+[0-9.]+m?s|synced|-)│$"; }
seen_at_all() { [ "$(cells3 | grep -o first | wc -l)" = 1 ] && [ "$(cells3 | grep -oE '\+[0-9.]+m?s' | wc -l)" = 2 ]; }
wait_for 20 "block 3 seen by the three nodes" seen_at_all
row3 | grep -q "$(ip_of 2):" || fail "block 3 not from bravo's address: $(row3)"
# bravo mined it: bravo's column (the middle one) saw it first.
cells3 | grep -Eq "^\+[0-9.]+m?s +first +\+" || fail "bravo did not see block 3 first: $(row3)"
wait_screen 5 "the propagation histogram" "Propagation .* 3/3 nodes"
wait_screen 5 "one block propagated" "│[0-9]+ blocks? +p50 "
# On bravo itself the block was mined there.
keys n
wait_screen 10 "bravo's Chain view" "Chain of bravo"
wait_screen 10 "mined at bravo" "^│ +3 ${b3:0:8}.* mined here "
keys N
wait_screen 10 "back to alpha" "Chain of alpha"
log "block 3: mined at bravo, first seen there, the others' delays after it"

# 3. The mempool: a transaction sent to charlie reaches alpha's.
rpc n3 sendrawtransaction "$(head -c 200 /dev/urandom | od -An -tx1 | tr -d ' \n')" >/dev/null
wait_screen 20 "the transaction in alpha's mempool" "mempool +1 tx, "
log "mempool: 1 tx"

# 4. Peers view: what each peer proved beside what it claimed.
keys 2
wait_screen 10 "Peers view" "Peers of alpha"
wait_screen 5 "the two columns" "SYNCED +CLAIMED"
wait_screen 15 "bravo synced to 3 in alpha's table" "$(ip_of 2):[0-9]+ .* 3 +[0-9]+ "
keys Enter
wait_screen 5 "the peer's height, both kinds" "height +[0-9/]+ proven, [0-9]+ claimed \\(unverified\\)"
keys Enter
log "Peers view: SYNCED and CLAIMED"

# 5. addnode against a real node: connected, failed, added after its
# wait (meanwhile the console keeps going), refused.
keys 8
N4="$(ip_of 4):$REGTEST_P2P"
keys a
wait_screen 5 "add-node prompt" "Add node \\(host:port\\) for alpha"
keys "$N4" Enter
wait_screen 20 "connected" "add node $N4: connected"
rpc n1 getpeerinfo | json "any(p['addr'] == '$N4' for p in d)" | grep -q True ||
	fail "n1 has no peer $N4"
keys a 127.0.0.1:1 Enter
wait_screen 20 "failed with the node's reason" "add node 127.0.0.1:1 failed: connection refused"
# A listener that accepts and never speaks: the node answers "added"
# after its 10 s wait; the console counts it and keeps drawing.
SILENT="$(ip_of 9):$REGTEST_P2P"
python3 - "$(ip_of 9)" "$REGTEST_P2P" > "$T/silent.out" 2>&1 <<'PY' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(8)
print("listening", flush=True)
held = []
end = time.time() + 120
while time.time() < end:
    s.settimeout(1)
    try:
        held.append(s.accept())
    except OSError:
        pass
PY
PIDS+=($!)
wait_for 10 "the silent listener" grep -q listening "$T/silent.out"
keys a "$SILENT" Enter
wait_screen 5 "the wait is shown" "alpha: adding node $SILENT\\.\\.\\. [0-9]+s"
rpc n3 generate 1 >/dev/null
b4=$(tip n3)
wait_screen 15 "a new block drawn while addnode waits" "^│ +4 ${b4:0:8}"
screen | grep -q "adding node $SILENT" || fail "the answer came before the block was drawn"
wait_screen 20 "added after the node's wait" "add node $SILENT: added, not connected yet: still connecting"
keys a "$N4" Enter
wait_screen 10 "refused" "add node $N4 failed: .*already"
log "addnode: connected, failed, added after 10 s with the console live, refused"

# 6. q quits with status 0; every round got its answers.
keys q
wait_for 10 "console exits" test -s "$T/con.exit"
grep -q "exit=0" "$T/con.exit" || fail "exit: $(cat "$T/con.exit")"
grep -q "^polls_failed 0" "$T/stats" || fail "failed polls: $(grep polls "$T/stats")"
echo "PASS console_chain"
