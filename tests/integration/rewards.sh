#!/usr/bin/env bash
# rewards.sh -- the rewards observer end to end on regtest: six meshed nodes
# with identities on a 20-block chain, and a crawler with crawler.rewards on.
# Five nodes share one ASN (a test ASN database, as crawl_geoip.sh makes) and
# a cap of 3 leaves two of them out; the sixth, in another ASN, takes no
# transactions from peers (node.blocks_only) and earns no relay; a seventh,
# alone on a 5-block fork of its own, claims a height the crawler cannot
# verify and earns no storage while the others do; the day's ledger
# verifies, against the crawler's key too, and fails after any one changed
# byte; NODES.md shows the leaderboard.
source "$(dirname "$0")/lib.bash"

P=$REGTEST_P2P
cat > "$T/geo.tsv" <<TSV
$NET.0.0/29	DE	Germany	Frankfurt	50.11	8.68	64500	Test Hosting One
$NET.0.8/29	US	United States	New York	40.71	-74.01	64501	Test Hosting Two
TSV
perl "$ROOT/tests/tools/mkgeoip.pl" "$T/geo.mmdb" < "$T/geo.tsv" || fail "mkgeoip.pl"

COMMON=(--min-peers 3 --max-peers 20 --ping-interval 2)
start_node n1 1 --seed --set node.reward_address=agc1qnodeone "${COMMON[@]}"
for i in 2 3 4 5; do
	start_node "n$i" "$i" --seed-node "$(ip_of 1):$P" "${COMMON[@]}"
done
start_node quiet 9 --seed-node "$(ip_of 1):$P" --set node.blocks_only=true "${COMMON[@]}"
meshed() {
	for n in n1 n2 n3 n4 n5 quiet; do
		[ "$(outbound_count "$n")" -ge 3 ] || return 1
	done
}
wait_for 60 "every node has 3 outbound peers" meshed
rpc n1 generate 20 >/dev/null
tip() { rpc "$1" getblockchaininfo | json 'd["bestblockhash"]'; }
want=$(tip n1)
same_tip() { for n in n1 n2 n3 n4 n5 quiet; do [ "$(tip "$n")" = "$want" ] || return 1; done; }
wait_for 60 "the six nodes at height 20" same_tip
# The fork: 5 blocks of its own, no peers; it says height 5, which the
# crawler's chain (20 blocks of more work) cannot confirm.
start_node fork 10 "${COMMON[@]}" --no-dns-seeds
rpc fork generate 5 >/dev/null
FORK=$(rpc fork getnodeidentity | json 'd["pubkey"]')
QUIET=$(rpc quiet getnodeidentity | json 'd["pubkey"]')
ONE=$(rpc n1 getnodeidentity | json 'd["pubkey"]')
log "mesh formed; the blocks-only node is $QUIET"

DB=$T/crawl.db
"$BIN/agentcrawl" crawl --network regtest --db "$DB" --seed "$(ip_of 1):$P" \
	--seed "$(ip_of 10):$P" \
	--asn-db "$T/geo.mmdb" --set crawler.rewards=true --progress off \
	--log-level debug --log-file "$T/crawl.log" &
CRAWLER=$!
PIDS+=("$CRAWLER")

# Each of the seven identities probed for relay at least once (the
# blocks-only node's and the fork's windows, 30 s each, over), and every
# node of the main chain challenged for storage.
probed() {
	python3 - "$DB" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
n = c.execute("SELECT COUNT(DISTINCT identity) FROM relay_probes").fetchone()[0]
s = c.execute("SELECT COUNT(DISTINCT ip) FROM storage_checks WHERE result = 'ok'").fetchone()[0]
sys.exit(0 if n >= 7 and s >= 6 else 1)
PY
}
wait_for 300 "relay probes of all seven identities, storage checks of six" probed
kill -TERM "$CRAWLER"
wait "$CRAWLER" 2>/dev/null
DAY=$(date -u +%Y-%m-%d)

RULES=(--max-per-asn 3 --max-per-net16 0 --probation 0 --min-checks 3)
"$BIN/agentcrawl" rewards --network regtest --db "$DB" --day "$DAY" --budget 1000000 \
	"${RULES[@]}" -o "$T/ledger.json" || fail "agentcrawl rewards"
[ "$(stat -c %a "$DB.ledger-key")" = 600 ] || fail "the signing key is not 0600"
python3 - "$T/ledger.json" "$QUIET" "$ONE" "$FORK" <<'PY' || fail "ledger content"
import json, sys
led = json.load(open(sys.argv[1]))
quiet, one, fork = sys.argv[2], sys.argv[3], sys.argv[4]
ids = {e["identity"]: e for e in led["identities"]}
print(json.dumps({k[:8]: (e["asn"], e["rewarded"], e["excluded"], e["scores"],
                          e["measurements"]["relay"]) for k, e in ids.items()}, indent=1))
assert len(ids) == 7, len(ids)
f = ids[fork]
st = f["measurements"]["storage"]
assert st["claimed_height"] == 5 and st["verified_height"] < 5 and st["height_unserved"], f
assert f["scores"]["storage"] == 0 and f["rewards"]["storage"] == 0, f
assert f["asn"] == 64501 and f["rewarded"], f
for k, e in ids.items():
    if k == fork:
        continue
    s = e["measurements"]["storage"]
    assert s["claimed_height"] == 20 and s["verified_height"] == 20, e
    assert s["answered"] >= 1 and s["wrong"] == 0 and e["scores"]["storage"] > 0, e
    assert not e["rewarded"] or e["rewards"]["storage"] > 0, e
q = ids[quiet]
assert q["asn"] == 64501 and q["rewarded"], q
assert q["measurements"]["relay"]["sent"] >= 1, q
assert q["measurements"]["relay"]["announced"] == 0, q
assert q["scores"]["relay"] == 0 and q["rewards"]["relay"] == 0, q
assert q["rewards"]["uptime"] > 0, q
same = [e for e in ids.values() if e["asn"] == 64500]
assert len(same) == 5, same
assert sum(e["rewarded"] for e in same) == 3, same
assert sorted(e["excluded"] for e in same if not e["rewarded"]) == ["ASN cap"] * 2
# The capped ones are the lowest totals of their ASN.
best = sorted(same, key=lambda e: -e["scores"]["total"])
assert all(e["rewarded"] for e in best[:3]) or \
    best[2]["scores"]["total"] == best[3]["scores"]["total"], best
relayers = [e for e in same if e["rewarded"]]
assert any(e["rewards"]["relay"] > 0 for e in relayers), relayers
assert ids[one]["reward_address"] == "agc1qnodeone", ids[one]
assert led["distributed"] <= led["budget"] == 1000000
assert sum(e["rewards"]["total"] for e in ids.values()) == led["distributed"]
print("ledger ok")
PY

SIGNER=$(json 'd["signer"]' < "$T/ledger.json")
"$BIN/agentcrawl" verify-ledger "$T/ledger.json" || fail "the ledger does not verify"
"$BIN/agentcrawl" verify-ledger "$T/ledger.json" --pubkey "$SIGNER" || fail "--pubkey"
if "$BIN/agentcrawl" verify-ledger "$T/ledger.json" --pubkey "${SIGNER//?/0}" 2>"$T/err"; then
	fail "verified against another key"
fi
# One changed byte anywhere: a digit of the budget, a letter of a key, the
# final newline.
for off in $(python3 -c "import sys; b=open(sys.argv[1],'rb').read(); print(b.index(b'\"budget\":')+9, b.index(b'\"identities\"')+3, len(b)-1)" "$T/ledger.json"); do
	cp "$T/ledger.json" "$T/bad.json"
	python3 - "$T/bad.json" "$off" <<'PY'
import sys
p, off = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, 'rb').read())
b[off] = ord('9') if b[off] != ord('9') else ord('8')
open(p, 'wb').write(b)
PY
	if "$BIN/agentcrawl" verify-ledger "$T/bad.json" 2>"$T/err"; then
		fail "a ledger with byte $off changed verifies"
	fi
	log "byte $off changed: $(cat "$T/err")"
done

# The leaderboard in NODES.md.
"$BIN/agentcrawl" export --network regtest --db "$DB" --format nodes-md "${RULES[@]}" \
	-o "$T/NODES.md" || fail "export"
grep -q "^## Leaderboard" "$T/NODES.md" || fail "no leaderboard in NODES.md"
[ "$(grep -c '^| [0-9] | `' "$T/NODES.md")" = 5 ] || fail "leaderboard rows: $(grep '^| [0-9] |' "$T/NODES.md")"
echo "PASS rewards"
