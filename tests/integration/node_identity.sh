#!/usr/bin/env bash
# node_identity.sh -- node identity end to end: getnodeidentity's key is the
# one the crawler (crawler.rewards: true) records for the node; a node with
# node.identity: false has no key and no identity recorded; a host that
# relays the crawler's challenge for its own address to a real node gets no
# proof; visits rows for the addresses that proved an identity (ok 1, then
# ok 0 once the node is down); an unusable key file stops the node.
source "$(dirname "$0")/lib.bash"

TAP="$ROOT/tests/tools/tcptap.py"
P=$REGTEST_P2P
start_node a 1 --seed --set node.reward_address=agc1qrewardaddressfora
start_node b 2 --seed-node "$(ip_of 1):$P" --set node.identity=false
start_node c 3 --seed-node "$(ip_of 1):$P"

# getnodeidentity: a's and c's keys, b has none (and no key file).
PA=$(rpc a getnodeidentity | json 'd["pubkey"]')
PC=$(rpc c getnodeidentity | json 'd["pubkey"]')
rpc a getnodeidentity | json 'd["enabled"] and d["reward_address"] == "agc1qrewardaddressfora" and d["advertised"] and d["services_bit"] == 16' |
	grep -qx True || fail "a's getnodeidentity: $(rpc a getnodeidentity)"
rpc c getnodeidentity | json 'd["reward_address"] is None' | grep -qx True || fail "c's reward address"
rpc b getnodeidentity | json 'd["enabled"] is False and d["pubkey"] is None and not d["advertised"]' |
	grep -qx True || fail "b's getnodeidentity: $(rpc b getnodeidentity)"
[[ $PA =~ ^[0-9a-f]{64}$ && $PC =~ ^[0-9a-f]{64}$ && $PA != "$PC" ]] || fail "pubkeys $PA $PC"
[ "$(stat -c %a "$T/a/identity.key")" = 600 ] || fail "identity.key is not 0600"
[ ! -e "$T/b/identity.key" ] || fail "a node with identity off has a key file"
log "a $PA, c $PC, b without identity"

# The relaying host: whatever connects to $NET.0.9 is carried to c, so the
# crawler's challenge for $NET.0.9 arrives at c, which must not sign it.
python3 "$TAP" "$(ip_of 9):$P" "$(ip_of 3):$P" "$T/tap.bin" 120 > "$T/tap.log" 2>&1 &
PIDS+=($!)
wait_for 10 "the relay listens" grep -q ready "$T/tap.log"

DB=$T/crawl.db
crawl() {
	"$BIN/agentcrawl" crawl --network regtest --db "$DB" --once --progress off \
		--set crawler.rewards=true --log-level debug --log-file "$T/crawl.log" "$@" \
		> "$T/summary.txt" || fail "crawl: $(cat "$T/summary.txt")"
}
crawl --seed "$(ip_of 1):$P" --seed "$(ip_of 2):$P" --seed "$(ip_of 3):$P" --seed "$(ip_of 9):$P"
cat "$T/summary.txt"

query() { python3 - "$DB" "$NET" "$@"; }
query "$PA" "$PC" <<'EOF' || fail "identities recorded wrongly"
import sqlite3, sys
db, net, pa, pc = sys.argv[1:5]
c = sqlite3.connect(db)
nodes = {r[0]: r[1:] for r in c.execute(
    "SELECT addr, identity, reward_address, version, services FROM nodes")}
print(nodes)
assert nodes[f"{net}.0.1:29001"][:2] == (pa, "agc1qrewardaddressfora"), "a"
assert nodes[f"{net}.0.3:29001"][:2] == (pc, ""), "c"
assert nodes[f"{net}.0.2:29001"][:2] == ("", ""), "b has identity off"
# NODE_IDENTITY (16) is announced exactly when identity is on.
assert nodes[f"{net}.0.1:29001"][3] & 16 and not nodes[f"{net}.0.2:29001"][3] & 16
# The relay completed a handshake (c's version) but proved nothing.
relay = nodes[f"{net}.0.9:29001"]
assert relay[2] == 70200 and relay[0] == "", f"relay {relay}"
visits = list(c.execute("SELECT n.addr, v.ok, v.identity FROM visits v JOIN nodes n"
    " ON v.network = n.network AND v.ip = n.ip AND v.port = n.port ORDER BY n.addr"))
print(visits)
assert visits == [(f"{net}.0.1:29001", 1, pa), (f"{net}.0.3:29001", 1, pc)], visits
EOF
grep -q "getidentity from .* for $(ip_of 9):$P, not our address: ignored" "$T/c/node.log" ||
	fail "c did not log the relayed challenge as refused"
# c's /metrics: one challenge answered (the crawler's own), one not ours.
python3 - "$T/c/.cookie" "127.0.0.1:$(cat "$T/c/rpcport")" <<'PY' || fail "c's identity metrics"
import base64, sys, urllib.request
cookie = open(sys.argv[1]).read().strip()
req = urllib.request.Request("http://%s/metrics" % sys.argv[2])
req.add_header("Authorization", "Basic " + base64.b64encode(cookie.encode()).decode())
body = urllib.request.urlopen(req, timeout=5).read().decode()
assert 'agentnode_identity_challenges_total{result="answered"} 1' in body, body
assert 'agentnode_identity_challenges_total{result="not_ours"} 1' in body, body
PY

# Without crawler.rewards nothing is asked or recorded.
"$BIN/agentcrawl" crawl --network regtest --db "$T/plain.db" --once --progress off \
	--seed "$(ip_of 1):$P" --log-file "$T/plain.log" > /dev/null || fail "plain crawl"
python3 - "$T/plain.db" <<'EOF' || fail "crawler.rewards off recorded identities"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
assert c.execute("SELECT count(*) FROM nodes WHERE identity != ''").fetchone()[0] == 0
assert c.execute("SELECT count(*) FROM visits").fetchone()[0] == 0
EOF

# a goes down: its next visit is a failed one (ok 0); c's is ok again.
stop_node a
crawl
query "$PA" "$PC" <<'EOF' || fail "visits after a stopped"
import sqlite3, sys
db, net, pa, pc = sys.argv[1:5]
c = sqlite3.connect(db)
rows = list(c.execute("SELECT n.addr, v.ok, v.identity FROM visits v JOIN nodes n"
    " ON v.network = n.network AND v.ip = n.ip AND v.port = n.port ORDER BY v.rowid"))
print(rows)
a = [r[1:] for r in rows if r[0] == f"{net}.0.1:29001"]
cc = [r[1:] for r in rows if r[0] == f"{net}.0.3:29001"]
assert a == [(1, pa), (0, "")], a
assert cc == [(1, pc), (1, pc)], cc
assert all(r[0] in (f"{net}.0.1:29001", f"{net}.0.3:29001") for r in rows), rows
EOF

# The key survives a restart; an unusable key file stops the start and is
# left as it was.
start_node a 1 --seed
[ "$(rpc a getnodeidentity | json 'd["pubkey"]')" = "$PA" ] || fail "a's key changed on restart"
stop_node a
chmod 644 "$T/a/identity.key"
before=$(cat "$T/a/identity.key")
if timeout 10 "$BIN/agentnode" start --network regtest --datadir "$T/a" \
	--listen "$(ip_of 1):$P" --rpc-listen "127.0.0.1:$((RPC_BASE + 1))" \
	> "$T/refused.log" 2>&1; then
	fail "a started with a world-readable key"
fi
grep -q "identity.key: permissions 0644 are too open" "$T/refused.log" ||
	fail "no clear error: $(cat "$T/refused.log")"
[ "$(cat "$T/a/identity.key")" = "$before" ] || fail "the key file was changed"
echo "PASS node_identity"
