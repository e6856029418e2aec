#!/usr/bin/env bash
# crawl_height.sh -- the crawler verifies heights itself: three regtest nodes
# mine 20 blocks; an isolated node holds only the first 15 of them (behind: it
# must prove its height with the header the crawler names), another mined 5
# blocks of its own (a fork with less work); fake peers claim heights they
# cannot serve (1000-1002, and
# 2147483647 for the liar) or serve a header with bad proof of work.  The
# crawler's own header chain is built from the nodes' headers and kept in the
# database across runs; every height shown (DB, JSON, NODES.md, stats) is the
# verified one; the good rule's minimum height uses it; with crawler.rewards
# on, storage challenges give 'ok' for the nodes and 'missing' for peers that
# claim a height but answer notfound; a node 2080 blocks ahead is followed in
# one visit.
source "$(dirname "$0")/lib.bash"

COMMON=(--min-peers 2 --max-peers 20)
start_node n1 1 --seed "${COMMON[@]}"
start_node n2 2 --seed-node "$(ip_of 1):$REGTEST_P2P" "${COMMON[@]}"
start_node n3 3 --seed-node "$(ip_of 1):$REGTEST_P2P" "${COMMON[@]}"
rpc n1 generate 20 >/dev/null
tip() { rpc "$1" getblockchaininfo | json 'd["bestblockhash"]'; }
want=$(tip n1)
same_tip() { for i in 1 2 3; do [ "$(tip "n$i")" = "$want" ] || return 1; done; }
wait_for 40 "the three nodes at height 20" same_tip
seed_knows_all() { [ "$(known_count n1)" -ge 2 ]; }
wait_for 40 "n1 knows the others" seed_knows_all
# n4 on a fork of its own, n5 behind on the same chain; neither dials anyone.
start_node n4 4 "${COMMON[@]}" --no-dns-seeds
start_node n5 5 "${COMMON[@]}" --no-dns-seeds
rpc n4 generate 5 >/dev/null
for h in $(seq 1 15); do
	rpc n5 submitblock "$(rpc n1 getblock "$(rpc n1 getblockhash "$h" | json 'd')" 0 | json 'd')" \
		>/dev/null || fail "submitblock $h to n5"
done
[ "$(rpc n5 getblockchaininfo | json 'd["blocks"]')" = 15 ] || fail "n5 is not at 15"

# Fake peers on a /16 of their own: honest ones claim 1000-1002 but store
# nothing, liars claim 2^31-1, badpow ones serve an invalid header.
FNET=$(( 222 + RANDOM % 30 ))
"$TOOLS/fakenet" --count 12 --net $FNET --seed 3 --book 4 --liar 30 --badpow 20 \
	--expect "$T/expect.txt" > "$T/fakenet.log" 2>&1 &
PIDS+=("$!")
wait_for 30 "fakenet ready" grep -q '^READY' "$T/fakenet.log"
FSEED=$(sed -n 's/^READY [0-9]* seed=//p' "$T/fakenet.log")
grep -q ' liar$' "$T/expect.txt" || fail "fakenet made no liar"
grep -q ' badpow$' "$T/expect.txt" || fail "fakenet made no badpow peer"

DB=$T/crawl.db
crawl() {
	"$BIN/agentcrawl" crawl --network regtest --db "$DB" --once --progress off \
		--log-file "$T/crawl.log" "$@" > "$T/summary.txt" ||
		fail "crawl failed: $(tail -5 "$T/crawl.log")"
}
# Pass 1: the real nodes only, rewards off: the chain is learned.
crawl --seed "$(ip_of 1):$REGTEST_P2P"
cat "$T/summary.txt"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM headers WHERE network = 'regtest'")" = 20 ] ||
	fail "the crawler's 20 headers are not in the database"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM storage_checks")" = 0 ] ||
	fail "storage checks with crawler.rewards off"

# Pass 2: everyone, rewards on, a minimum height of 10.  The chain comes
# from the database, not from the nodes again.
crawl --seed "$(ip_of 1):$REGTEST_P2P" --seed "$FSEED" --seed "$(ip_of 4):$REGTEST_P2P" \
	--seed "$(ip_of 5):$REGTEST_P2P" --min-height 10 --set crawler.rewards=true
cat "$T/summary.txt"
grep -q "header chain: 21 headers, best height 20" "$T/crawl.log" ||
	fail "the header chain was not loaded from the database"

"$BIN/agentcrawl" export --db "$DB" --format json --all -o "$T/nodes.json" || fail "export json"
python3 - "$T/expect.txt" "$T/nodes.json" "$NET" <<'EOF' || fail "heights are wrong"
import json, sys
expect = dict(l.split() for l in open(sys.argv[1]))
nodes = {n["address"]: n for n in json.load(open(sys.argv[2]))}
net = sys.argv[3]
for i in (1, 2, 3):
    n = nodes[f"{net}.0.{i}:29001"]
    assert n["height"] == 20 and n["claimed_height"] == 20 and n["best_chain"], n
    assert n["good"], n
# Behind: proves exactly its 15.  On a fork: only genesis is shared.
n = nodes[f"{net}.0.5:29001"]
assert n["height"] == 15 and n["claimed_height"] == 15 and n["best_chain"] and n["good"], n
n = nodes[f"{net}.0.4:29001"]
assert n["height"] == 0 and n["claimed_height"] == 5 and not n["best_chain"], n
assert not n["good"], n              # verified 0 < min height 10
seen = set()
for a, kind in expect.items():
    n = nodes[a]
    seen.add(kind)
    assert n["height"] is None and not n["best_chain"], n
    assert not n["good"], n          # verified -1 < min height 10
    if kind == "liar":
        assert n["claimed_height"] == 2147483647, n
    elif kind == "badpow":
        assert n["last_error"] == "bad-headers" and n["misbehaviour"] == 1, n
    elif kind == "honest":
        assert n["claimed_height"] in (1000, 1001, 1002) and n["reachable"], n
assert {"honest", "liar", "badpow"} <= seen, seen
print("heights ok")
EOF

# NODES.md shows the verified height beside the claim; only real nodes are good.
"$BIN/agentcrawl" export --db "$DB" --format nodes-md -o "$T/NODES.md" || fail "export md"
[ "$(grep -c '| 20 | 20 |' "$T/NODES.md")" = 3 ] || fail "NODES.md: $(cat "$T/NODES.md")"
grep -q '| 15 | 15 |' "$T/NODES.md" || fail "NODES.md: n5 not at 15"
grep -q 2147483647 "$T/NODES.md" && fail "the liar's claim leaks into NODES.md"
"$BIN/agentcrawl" stats --db "$DB" --json > "$T/stats.json" || fail "stats"
python3 -c "
import json
s = json.load(open('$T/stats.json'))['Heights']
assert s['max'] == 20 and s['consensus'] == 20, s
" || fail "stats heights: $(cat "$T/stats.json")"

# Storage challenges: ok from the nodes, missing from peers that claim
# 1000 blocks and answer notfound; each at a deep height (1..14).
sqlite3 "$DB" "SELECT ip, height, result FROM storage_checks" > "$T/storage.txt"
cat "$T/storage.txt"
for i in 1 2 3; do
	grep -qE "^$(ip_of "$i")\|([1-9]|1[0-4])\|ok$" "$T/storage.txt" ||
		fail "no 'ok' storage check for n$i"
done
grep -qE "^$(ip_of 5)\|[1-9]\|ok$" "$T/storage.txt" || fail "no 'ok' storage check for n5 (1..9)"
grep -q "^$(ip_of 4)|" "$T/storage.txt" && fail "n4 (5 blocks) was challenged below depth 6"
while read -r a kind; do
	[ "$kind" = honest ] || continue
	grep -qE "^${a%:*}\|([1-9]|1[0-4])\|missing$" "$T/storage.txt" ||
		fail "no 'missing' storage check for $a"
done < "$T/expect.txt"
grep -q "|wrong$" "$T/storage.txt" && fail "a 'wrong' storage check"

# A node far ahead: 2080 new headers take two getheaders rounds of one visit
# (2000 + 80), each header checked, and the chain in the database follows.
# n2 and n3 are stopped first, so that n1 alone serves them.
stop_node n2
stop_node n3
# In slices: one generate call must finish within rpc's 5 s timeout, also
# under ASan (2080 at once took 4.4 s without it).
for _ in 1 2 3 4 5 6 7 8; do rpc n1 generate 260 >/dev/null; done
crawl --seed "$(ip_of 1):$REGTEST_P2P"
# 2100 on the best chain and n4's 5 on its fork.
[ "$(sqlite3 "$DB" "SELECT count(*), max(height) FROM headers WHERE network = 'regtest'")" = \
    "2105|2100" ] ||
	fail "the crawler's chain did not follow n1 to 2100"
[ "$(sqlite3 "$DB" "SELECT verified_height, claimed_height, best_chain FROM nodes
    WHERE addr = '$(ip_of 1):$REGTEST_P2P'")" = "2100|2100|1" ] || fail "n1 not verified at 2100"
[ "$(sqlite3 "$DB" "SELECT verified_height, best_chain FROM nodes
    WHERE addr = '$(ip_of 5):$REGTEST_P2P'")" = "15|1" ] || fail "n5 not verified at 15"
echo "PASS crawl_height"
