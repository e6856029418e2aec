#!/usr/bin/env bash
# node_network.sh -- twelve regtest nodes on 127.0.0.1..12 discover each other
# from one seed node, keep their connections when the seed goes away, and a
# thirteenth node joins knowing only one non-seed node.
source "$(dirname "$0")/lib.bash"

MIN=3
COMMON=(--min-peers $MIN --max-peers 20 --ping-interval 2)

start_node seed 1 --seed "${COMMON[@]}"
for i in $(seq 2 12); do
	start_node "n$i" "$i" --seed-node "$(ip_of 1):$REGTEST_P2P" "${COMMON[@]}"
done
log "12 nodes started"

all_connected() {
	for i in $(seq 2 12); do
		[ "$(outbound_count "n$i")" -ge $MIN ] || return 1
		[ "$(known_count "n$i")" -ge 8 ] || return 1
	done
}
if ! (wait_for 60 "every node has >= $MIN outbound peers and knows >= 8 addresses" all_connected); then
	for i in $(seq 2 12); do echo "n$i: outbound $(outbound_count n$i) known $(known_count n$i)"; done
	fail "network did not form"
fi
log "all nodes connected; addresses known:" $(for i in $(seq 2 12); do known_count "n$i"; done)

# Latency is measured on every peer (ping right after the handshake).
latency_measured() {
	rpc n5 getpeerinfo | json 'all(p["pingtime"] is not None for p in d if p["handshake_complete"])' |
	    grep -q True
}
wait_for 20 "latency measured" latency_measured

stop_node seed
log "seed stopped"
still_connected() {
	for i in $(seq 2 12); do
		[ "$(rpc "n$i" getpeerinfo | json "sum(1 for p in d if p['handshake_complete'] and p['addr'] != '$(ip_of 1):$REGTEST_P2P')")" -ge $MIN ] || return 1
	done
}
wait_for 30 "nodes stay connected without the seed" still_connected

start_node n13 13 --seed-node "$(ip_of 2):$REGTEST_P2P" "${COMMON[@]}"
n13_joined() { [ "$(outbound_count n13)" -ge $MIN ]; }
wait_for 60 "n13 joins through a non-seed node" n13_joined
log "n13 joined with $(outbound_count n13) outbound peers, knows $(known_count n13)"
echo "PASS node_network"
