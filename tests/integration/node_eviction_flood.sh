#!/usr/bin/env bash
# node_eviction_flood.sh -- issue 15 item 6 (newcomer_survives_connection_flood):
# during a connection flood (300 sources reconnecting at 20/s) a newcomer was
# evicted 50 ms after its handshake (by the next connection of the flood: it
# was the youngest peer, and its first pong had not come back yet).  Now connections that never complete a
# handshake are evicted first: a peer that joins during the flood, and one
# that was there before it, both stay connected while the flood churns
# through the free slots.
source "$(dirname "$0")/lib.bash"

A="$(ip_of 1):$REGTEST_P2P"
# 18 inbound slots (max_peers - min_peers - 1).
start_node a 1 --min-peers 1 --max-peers 20 --no-dns-seeds
start_node b 2 --min-peers 1 --no-dns-seeds --seed-node "$A"
peer_id_of() {	# the id under which a sees the node at IP $1
	rpc a getpeerinfo | json "next((p['id'] for p in d if p['addr'].startswith('$1:') and p['handshake_complete']), '')"
}
has_b() { [ -n "$(peer_id_of "$(ip_of 2)")" ]; }
wait_for 20 "b's handshake with a" has_b
b_id=$(peer_id_of "$(ip_of 2)")
# Nine more established peers that answer pings: the eight fastest round
# trips are protected, so no unmeasured peer is protected by default.
for i in $(seq 11 19); do
	"$TOOLS/p2pprobe" -b "$(ip_of $i)" "$A" hold 1 1 > "$T/established$i.log" 2>&1 &
	PIDS+=("$!")
done
pinged() { [ "$(rpc a getpeerinfo | json 'sum(1 for p in d if p["minping"] is not None)')" -ge 10 ]; }
wait_for 20 "ten established peers with measured pings" pinged

# The flood: 300 loopback sources, one new silent connection every 50 ms,
# each source dropping its previous one; bounded to 14 s.
cat > "$T/flood.py" <<'PY'
import socket, sys, time
net, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
sources = ["%s.%d.%d" % (net, 1 + i // 250, 1 + i % 250) for i in range(300)]
held = {}
start = time.monotonic(); made = 0
while time.monotonic() - start < 14:
	src = sources[made % len(sources)]
	old = held.pop(src, None)
	if old is not None:
		old.close()
	s = socket.socket()
	s.settimeout(1)
	try:
		s.bind((src, 0)); s.connect((host, port)); held[src] = s
	except OSError:
		s.close()
	made += 1
	time.sleep(max(0, start + made * 0.05 - time.monotonic()))
print("connections", made, flush=True)
PY
python3 "$T/flood.py" "$NET" "$(ip_of 1)" "$REGTEST_P2P" > "$T/flood.log" 2>&1 &
FLOOD=$!
PIDS+=("$FLOOD")
evictions() { rpc a getnetworkinfo >/dev/null; python3 - "$T/a/.cookie" "127.0.0.1:$((RPC_BASE + 1))" <<'PY'
import base64, sys, urllib.request
cookie = open(sys.argv[1]).read().strip()
req = urllib.request.Request("http://%s/metrics" % sys.argv[2])
req.add_header("Authorization", "Basic " + base64.b64encode(cookie.encode()).decode())
for line in urllib.request.urlopen(req, timeout=5).read().decode().splitlines():
	if line.startswith("agentnode_evictions_total "):
		print(line.split()[1])
PY
}
flooding() { [ "$(evictions)" -ge 20 ]; }
wait_for 10 "the flood fills a's slots and forces evictions" flooding

# Newcomers join in the middle of the flood: peers on a slow link, whose
# first pong has not come back yet (so no ping protects them), each the
# youngest peer when the next connection of the flood arrives.
for i in 3 4 5; do
	"$TOOLS/p2pprobe" -P -b "$(ip_of $i)" "$A" hold 1 1 > "$T/newcomer$i.log" 2>&1 &
	PIDS+=("$!")
	has_new() { [ -n "$(peer_id_of "$(ip_of $i)")" ]; }
	wait_for 10 "newcomer $i's handshake with a during the flood" has_new
	id[$i]=$(peer_id_of "$(ip_of $i)")
done
log "flood running; b is peer $b_id, newcomers ${id[*]}; evictions so far $(evictions)"
still_there() {
	[ "$(peer_id_of "$(ip_of 2)")" = "$b_id" ] || fail "b was evicted by the flood"
	for i in 3 4 5; do
		[ "$(peer_id_of "$(ip_of $i)")" = "${id[$i]}" ] ||
			fail "newcomer $i was evicted by the flood"
	done
}
while kill -0 "$FLOOD" 2>/dev/null; do
	still_there
	sleep 0.5
done
still_there
n=$(evictions)
log "flood over: $(cat "$T/flood.log"), $n evictions"
[ "$n" -ge 100 ] || fail "the flood forced only $n evictions"
echo "PASS node_eviction_flood"
