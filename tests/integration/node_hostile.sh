#!/usr/bin/env bash
# node_hostile.sh -- hostile peers are disconnected or banned while the node
# keeps serving honest ones; self-connections and silent peers are dropped;
# bans survive a restart; kill -9 leaves a loadable address book.
source "$(dirname "$0")/lib.bash"

PROBE="$TOOLS/p2pprobe"
[ -x "$PROBE" ] || fail "missing $PROBE (make check builds it)"
A="$(ip_of 1):$REGTEST_P2P"

start_node a 1 --set node.handshake_timeout=3 --min-peers 1
start_node b 2 --seed-node "$A" --min-peers 1
b_connected() { rpc a getpeerinfo | json "any(p['handshake_complete'] for p in d)" | grep -q True; }
wait_for 20 "b connects to a" b_connected

banned() { rpc a listbanned | json "any(b['address'].startswith('$1/') for b in d)" | grep -q True; }

# mode, number of messages, must it end in a ban?
attack() {
	local n=$1 mode=$2 count=$3 ban=$4 ip; ip=$(ip_of "$n")
	"$PROBE" -b "$ip" -t 10 "$A" "$mode" "$count" >"$T/probe-$mode.log" 2>&1 ||
		fail "$mode: node did not disconnect ($(cat "$T/probe-$mode.log"))"
	if [ "$ban" = yes ]; then
		wait_for 5 "$mode source $ip banned" banned "$ip"
	else
		banned "$ip" && fail "$mode: $ip banned for a lesser offence"
	fi
	log "$mode from $ip: disconnected${ban:+, ban=$ban}"
}
attack 101 garbage 1 yes
attack 102 oversized 1 yes
attack 103 badchecksum 3 yes
attack 104 malformed 3 yes
attack 105 addrflood 20 yes
attack 106 prehandshake 1 no
attack 107 idle 1 no		# handshake timeout (3 s here)

# The honest peer was served throughout, and newcomers still are.
b_connected || fail "the honest peer lost its connection"
"$PROBE" -b "$(ip_of 108)" "$A" handshake >/dev/null || fail "a new peer cannot connect"
rpc a getnetworkinfo | json 'd["addr_rate_limited"]' | grep -qv '^0$' ||
	fail "addr flood not counted as rate-limited"
metrics_ok() {
	python3 - "$T/a/.cookie" "127.0.0.1:$((RPC_BASE + 1))" <<'PY'
import base64, sys, urllib.request
cookie = open(sys.argv[1]).read().strip()
req = urllib.request.Request("http://%s/metrics" % sys.argv[2])
req.add_header("Authorization", "Basic " + base64.b64encode(cookie.encode()).decode())
body = urllib.request.urlopen(req, timeout=5).read().decode()
assert 'agentnode_violations_total{kind="bad-magic"} 1' in body, body
assert 'agentnode_violations_total{kind="addr-flood"}' in body
PY
}
metrics_ok || fail "/metrics does not count the violations"

# A manual ban kicks the peer; listbanned shows it; clearbanned lifts all.
rpc a setban "$(ip_of 2)" add 600 >/dev/null
b_gone() { ! b_connected; }
wait_for 10 "manual ban disconnects b" b_gone
banned "$(ip_of 2)" || fail "manual ban missing"
rpc a setban "$(ip_of 2)" remove >/dev/null

# Self-connection: a node on a wildcard address is reached at any of the
# machine's addresses on its port; addnode of one is refused at once
# (issue 15 item 20).  (An automatic dial of ourselves is caught by the
# version nonce: test_peerman's test_self_connection_detected.)
SELF_PORT=$((RPC_BASE + 99))
start_node c 3 --listen "0.0.0.0:$SELF_PORT" --min-peers 0 --no-dns-seeds
out=$(rpc c addnode "$(ip_of 3):$SELF_PORT" onetry 2>&1) && fail "addnode of ourselves accepted"
echo "$out" | grep -q "own address" || fail "addnode of ourselves: $out"
no_self_peer() { [ "$(rpc c getpeerinfo | json 'len(d)')" = 0 ]; }
no_self_peer || fail "a peer appeared after addnode of ourselves"

# Bans persist across a clean restart.
stop_node a
start_node a 1 --min-peers 1
banned "$(ip_of 101)" || fail "ban lost across restart"
banned "$(ip_of 103)" || fail "ban lost across restart"

# kill -9 leaves a loadable address book (saved at the last clean stop).
known_b() { [ "$(known_count a)" -ge 1 ]; }
wait_for 20 "a knows b's address" known_b
stop_node a
start_node a 1 --min-peers 1
kill9_node a
before=$(grep -c "loaded [1-9][0-9]* addresses" "$T/a/node.log")
start_node a 1 --min-peers 1
[ "$(grep -c "loaded [1-9][0-9]* addresses" "$T/a/node.log")" -gt "$before" ] ||
	fail "address book not reloaded after kill -9"
# A truncated book is refused with a warning and the node starts empty.
stop_node a
truncate -s 20 "$T/a/peers.dat"
start_node a 1 --min-peers 1
grep -q "address book unusable" "$T/a/node.log" || fail "corrupt address book not reported"
echo "PASS node_hostile"
