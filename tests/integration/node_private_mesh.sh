#!/usr/bin/env bash
# node_private_mesh.sh -- issue 15 item 19 (lan_network_meshes): on mainnet a
# LAN or loopback network joined with --seed-node never meshed, because
# non-routable addresses were dropped silently.  Private and loopback
# addresses now travel between peers on the same private network: three
# mainnet nodes on loopback, two of them told only of the first, find each
# other.
source "$(dirname "$0")/lib.bash"

NODE_NETWORK=mainnet
NODE_P2P=9001
COMMON=(--no-dns-seeds --set network.seeds= --min-peers 2 --ping-interval 2)
peers_of() { rpc "$1" getpeerinfo | json "' '.join(p['addr'].split(':')[0] for p in d if p['handshake_complete'])"; }

A="$(ip_of 1):$NODE_P2P"
start_node a 1 "${COMMON[@]}" --seed
start_node b 2 "${COMMON[@]}" --seed-node "$A"
start_node c 3 "${COMMON[@]}" --seed-node "$A"
meshed() { peers_of b | grep -qw "$(ip_of 3)" || peers_of c | grep -qw "$(ip_of 2)"; }
if ! (wait_for 40 "b and c find each other through a" meshed); then
	log "b: $(peers_of b) / c: $(peers_of c)"
	fail "the loopback network did not mesh"
fi
log "meshed: b has [$(peers_of b)], c has [$(peers_of c)]"
# None of it leaked into a routable world: the addresses stay loopback.
rpc c getnodeaddresses 0 | json "all(e['address'].startswith('127.') for e in d)" |
	grep -q True || fail "non-loopback addresses appeared"
echo "PASS node_private_mesh"
