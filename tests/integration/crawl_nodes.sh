#!/usr/bin/env bash
# crawl_nodes.sh -- agentcrawl against real agentnode processes: from one seed
# node, `crawl --once` finds every node, records versions and latencies, marks
# a stopped node as refused, and `export` writes the expected NODES.md.
source "$(dirname "$0")/lib.bash"

N=7
COMMON=(--min-peers 2 --max-peers 20)
start_node seed 1 --seed "${COMMON[@]}"
for i in $(seq 2 $N); do
	start_node "n$i" "$i" --seed-node "$(ip_of 1):$REGTEST_P2P" "${COMMON[@]}"
done
# A node that is known to the network but gone when the crawler comes.
start_node gone 8 --seed-node "$(ip_of 1):$REGTEST_P2P" "${COMMON[@]}"
seed_knows_all() { [ "$(known_count seed)" -ge $N ]; }
wait_for 40 "the seed knows all $N other nodes" seed_knows_all
stop_node gone
log "network of $N nodes up; seed knows $(known_count seed) addresses"

DB=$T/crawl.db
# The seed answers getaddr from a cache it refreshes every 5 s on regtest, so
# right after the network forms its answer may still miss late joiners:
# crawl afresh until one pass finds them all.
crawl_finds_all() {
	rm -f "$DB" "$DB"-wal "$DB"-shm
	"$BIN/agentcrawl" crawl --network regtest --db "$DB" \
		--seed "$(ip_of 1):$REGTEST_P2P" --once --progress off \
		--log-file "$T/crawl.log" > "$T/summary.txt" || return 1
	grep -q "known $((N + 1)), probed $((N + 1)), reachable $N, failed 1" "$T/summary.txt"
}
wait_for 40 "one crawl --once from the seed finds all $((N + 1)) addresses" crawl_finds_all
cat "$T/summary.txt"
grep -q "refused 1" "$T/summary.txt" || fail "the stopped node is not 'refused'"

# Every node's record: version, user agent, latencies.
"$BIN/agentcrawl" export --db "$DB" --format json --all -o "$T/nodes.json" ||
	fail "export json"
python3 - "$T/nodes.json" "$NET" "$N" <<'EOF' || fail "node records are wrong"
import json, sys
nodes = {n["address"]: n for n in json.load(open(sys.argv[1]))}
net, n = sys.argv[2], int(sys.argv[3])
for i in range(1, n + 1):
    a = f"{net}.0.{i}:29001"
    r = nodes[a]
    assert r["reachable"] and r["good"], a
    assert r["version"] == 70200 and r["user_agent"] == "/agentnode:0.1.0/", r
    assert r["height"] == 0 and r["claimed_height"] == 0 and r["best_chain"], r
    assert r["services"] & 1, r
    assert r["connect_ms"] is not None and r["connect_ms"] >= 0, r
    assert r["handshake_ms"] is not None and r["handshake_ms"] > 0, r
    assert r["attempts"] == 1 and r["successes"] == 1, r
    assert r["transport"] == "v2", r
    if i > 1:
        assert r["source"] is not None, r
gone = nodes[f"{net}.0.8:29001"]
assert gone["last_error"] == "refused" and not gone["good"], gone
assert len(nodes) == n + 1, sorted(nodes)
print("records ok")
EOF

# NODES.md: header, counts and one row per good node in address order.
NOW=1767225600
"$BIN/agentcrawl" export --db "$DB" --format nodes-md --now $NOW -o "$T/NODES.md" ||
	fail "export nodes-md"
{
	printf '# NODES.md\n\nRegistry of reachable Agent Chain nodes, exported by agentcrawl 0.1.0.\n'
	printf 'User agents are what each node says of itself: untrusted text, shown literally.\n\n'
	printf -- '- Network: regtest\n- Snapshot: 2026-01-01T00:00:00Z\n'
	printf -- '- Nodes: %d known, %d reachable, %d good\n\n' $((N + 1)) $N $N
	printf '## Active Nodes\n\n'
	printf '| Address | Location | User agent (untrusted) | Version | Height | Claimed height | Uptime (1d) | Last seen | Transport |\n'
	printf '| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n'
	for i in $(seq 1 $N); do
		printf '| %s:29001 | — | `/agentnode:0.1.0/` | 70200 | 0 | 0 | 100.0%% | v2 |\n' "$(ip_of "$i")"
	done
} > "$T/expected.md"
# The last-seen column is the crawl time; everything else is fixed.
sed -E 's/ \| [0-9T:-]+Z \|/ |/' "$T/NODES.md" > "$T/got.md"
diff -u "$T/expected.md" "$T/got.md" || fail "NODES.md differs"
grep -cE '\| [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z \| v2 \|$' "$T/NODES.md" | grep -qx $N ||
	fail "last-seen times missing"

"$BIN/agentcrawl" stats --db "$DB" > "$T/stats.txt" || fail "stats"
grep -qx "TotalNodes: $((N + 1))" "$T/stats.txt" || fail "stats TotalNodes"
grep -qx "ActiveNodes: $N" "$T/stats.txt" || fail "stats ActiveNodes"
grep -q "^NetworkHealth: [0-9]" "$T/stats.txt" || fail "stats NetworkHealth"

# A second pass starts from the database alone and counts a second try.
"$BIN/agentcrawl" crawl --network regtest --db "$DB" --once --progress off \
	--log-file "$T/crawl2.log" > "$T/summary2.txt" || fail "second pass"
grep -q "known $((N + 1)), probed $((N + 1)), reachable $N" "$T/summary2.txt" ||
	fail "second pass: $(cat "$T/summary2.txt")"
echo "PASS crawl_nodes"
