#!/usr/bin/env bash
# node_v2.sh -- the encrypted v2 transport end to end: two nodes speak v2 and
# show the same session id; a tap between them sees no network magic and no
# user agent (and does see both when the same pair speaks v1); a v1-only
# peer (p2pprobe) still completes its handshake; a v2 node dialling a
# v1-only node falls back to v1 without anybody being blamed; v2-only
# refuses v1; the crawler records v2 for v2 nodes and v1 for the v1 node.
source "$(dirname "$0")/lib.bash"

PROBE="$TOOLS/p2pprobe"
TAP="$ROOT/tests/tools/tcptap.py"
[ -x "$PROBE" ] || fail "missing $PROBE (make check builds it)"
A="$(ip_of 1):$REGTEST_P2P"
C="$(ip_of 3):$REGTEST_P2P"
MAGIC=ac4e7cfa	# regtest

# start_tap N TARGET: a recording relay on $NET.0.N:29001 to TARGET.
start_tap() {
	python3 "$TAP" "$(ip_of "$1"):$REGTEST_P2P" "$2" "$T/tap$1.bin" 120 >"$T/tap$1.log" 2>&1 &
	PIDS+=("$!")
	wait_for 10 "tap $1 listening" grep -q ready "$T/tap$1.log"
}
# peer_field NODE ADDR-PREFIX FIELD: FIELD of NODE's handshaken peer at ADDR.
peer_field() {
	rpc "$1" getpeerinfo | json "[p['$3'] for p in d if p['handshake_complete'] and p['addr'].startswith('$2')][0]"
}
peer_up() { [ -n "$(peer_field "$1" "$2" transport 2>/dev/null)" ]; }
hex_of() { od -An -v -tx1 "$1" | tr -d ' \n'; }
tap_has() { hex_of "$1" | grep -q "$2"; }
UA_HEX=$(printf '/agentnode:' | od -An -tx1 | tr -d ' \n')

# --- two nodes in v2, through a tap ------------------------------------------
start_node a 1 --min-peers 1 --no-dns-seeds
start_tap 50 "$A"
start_node b 2 --min-peers 1 --no-dns-seeds --seed-node "$(ip_of 50):$REGTEST_P2P"
wait_for 20 "b reaches a through the tap" peer_up b "$(ip_of 50):"
[ "$(peer_field b "$(ip_of 50):" transport)" = v2 ] || fail "b speaks $(peer_field b "$(ip_of 50):" transport) to a"
sid_b=$(peer_field b "$(ip_of 50):" session_id)
sid_a=$(rpc a getpeerinfo | json "[p['session_id'] for p in d if p['direction']=='inbound' and p['handshake_complete']][0]")
[[ $sid_b =~ ^[0-9a-f]{64}$ ]] || fail "b's session id: $sid_b"
[ "$sid_a" = "$sid_b" ] || fail "session ids differ: a $sid_a, b $sid_b"
rpc a getpeerinfo | json "[p for p in d if p['direction']=='inbound'][0]['servicesnames']" | grep -q P2P_V2 ||
	fail "b does not announce NODE_P2P_V2"
# Let a ping and the address exchange cross the tap too.
pinged() { rpc b getpeerinfo | json "d[0]['pingtime'] is not None" | grep -q True; }
wait_for 20 "a ping through the tap" pinged
[ "$(stat -c %s "$T/tap50.bin")" -gt 300 ] || fail "the tap saw almost nothing"
tap_has "$T/tap50.bin" "$MAGIC" && fail "the network magic crossed the tap in v2"
tap_has "$T/tap50.bin" "$UA_HEX" && fail "a user agent crossed the tap in v2"
log "v2: session $sid_a on both sides; $(stat -c %s "$T/tap50.bin") bytes tapped, no magic, no user agent"

# --- the same in v1: the tap does see them (the check above can fail) ---------
start_node c 3 --min-peers 1 --no-dns-seeds --transport v1
start_tap 51 "$A"
rpc c addnode "$(ip_of 51):$REGTEST_P2P" add >/dev/null || fail "addnode on c"
wait_for 20 "c reaches a through the second tap" peer_up c "$(ip_of 51):"
[ "$(peer_field c "$(ip_of 51):" transport)" = v1 ] || fail "c is v1-only"
[ "$(peer_field c "$(ip_of 51):" session_id)" = None ] || fail "a v1 peer has a session id"
tap_has "$T/tap51.bin" "$MAGIC" || fail "the v1 tap did not see the magic"
tap_has "$T/tap51.bin" "$UA_HEX" || fail "the v1 tap did not see the user agent"
log "v1 control: the tap sees magic and user agent"

# --- a v1-only peer still completes its handshake ---------------------------------
"$PROBE" -b "$(ip_of 60)" -t 10 "$A" handshake >"$T/probe.log" 2>&1 ||
	fail "p2pprobe (v1) cannot complete a handshake with a v2 node: $(cat "$T/probe.log")"
log "p2pprobe (v1) handshake with a: $(cat "$T/probe.log")"

# --- a v2 node dials a v1-only node: falls back, nobody blamed ---------------------
start_node d 4 --min-peers 1 --no-dns-seeds --seed-node "$C"
# "$C" (address and listen port), not c's address alone: c may dial d
# too, and that inbound connection is not the one under test.
wait_for 20 "d reaches v1-only c" peer_up d "$C"
[ "$(peer_field d "$C" transport)" = v1 ] || fail "d to c: not v1"
grep -q "closed on our v2 handshake: dialling again in v1" "$T/d/node.log" ||
	fail "d's log does not tell of the fall-back"
[ "$(rpc c listbanned | json 'len(d)')" = 0 ] || fail "c banned the v2 node"
# Remembered: the next dial to c goes straight to v1.
rpc d disconnectnode "$C" >/dev/null || fail "disconnectnode"
c_gone() { ! peer_up d "$C"; }
wait_for 10 "d drops c" c_gone
wait_for 30 "d reaches c again" peer_up d "$C"
[ "$(grep -c "closed on our v2 handshake" "$T/d/node.log")" = 1 ] ||
	fail "d tried v2 again with a v1-only address"
log "d (v2) -> c (v1 only): fell back to v1, and dials it in v1 from then on"

# --- v2-only refuses a v1 peer ----------------------------------------------------------
start_node e 5 --min-peers 1 --no-dns-seeds --transport v2-only --seed-node "$A"
wait_for 20 "e (v2-only) reaches a" peer_up e "$(ip_of 1):"
if "$PROBE" -b "$(ip_of 61)" -t 5 "$(ip_of 5):$REGTEST_P2P" handshake >"$T/probe-e.log" 2>&1; then
	fail "a v2-only node completed a v1 handshake"
fi
log "v2-only e refuses v1, speaks $(peer_field e "$(ip_of 1):" transport) to a"

# --- the crawler records each node's transport ----------------------------------------
DB="$T/crawl.db"
"$BIN/agentcrawl" crawl --network regtest --db "$DB" --once --progress off \
	--seed "$A" --seed "$C" --log-file "$T/crawl.log" >"$T/crawl.txt" || fail "crawl"
"$BIN/agentcrawl" export --db "$DB" --format json -o "$T/nodes.json" || fail "export"
python3 - "$T/nodes.json" "$A" "$C" <<'EOF' || fail "crawler transports"
import json, sys
nodes = {n["address"]: n for n in json.load(open(sys.argv[1]))}
a, c = nodes[sys.argv[2]], nodes[sys.argv[3]]
assert a["transport"] == "v2", a
assert c["transport"] == "v1", c
print("crawler: a", a["transport"], "c", c["transport"])
EOF
"$BIN/agentcrawl" export --db "$DB" --format csv -o "$T/nodes.csv" || fail "csv"
grep -q '"v1"$' "$T/nodes.csv" && grep -q '"v2"$' "$T/nodes.csv" || fail "csv transports"
echo "PASS node_v2"
