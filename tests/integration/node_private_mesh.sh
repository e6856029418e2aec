#!/usr/bin/env bash
# node_private_mesh.sh -- issue 15 item 19 (lan_network_meshes): on mainnet a
# LAN or loopback network joined with --seed-node never meshed, because
# non-routable addresses were dropped silently.  Private and loopback
# addresses now travel between peers on the same private network: three
# mainnet nodes on loopback, two of them told only of the first, find each
# other.
source "$(dirname "$0")/lib.bash"

P2P=9001
mstart() {	# NAME N ARGS...: a mainnet node on $NET.0.N:9001
	local name=$1 ip; ip=$(ip_of "$2")
	local rpcport=$((RPC_BASE + $2)); shift 2
	mkdir -p "$T/$name"
	"$BIN/agentnode" start --network mainnet --datadir "$T/$name" \
		--listen "$ip:$P2P" --rpc-listen "127.0.0.1:$rpcport" --no-dns-seeds \
		--set network.seeds= --min-peers 2 --ping-interval 2 \
		--log-level debug --log-file "$T/$name/node.log" "$@" &
	PIDS+=("$!")
	echo "$!" > "$T/$name/pid"
	echo "$rpcport" > "$T/$name/rpcport"
	wait_for 10 "$name RPC up" mrpc "$name" getnetworkinfo
}
mrpc() {
	local name=$1; shift
	"$BIN/agentnode" rpc --network mainnet --datadir "$T/$name" \
		--rpc-connect "127.0.0.1:$(cat "$T/$name/rpcport")" --rpc-timeout 5 "$@"
}
peers_of() { mrpc "$1" getpeerinfo | json "' '.join(p['addr'].split(':')[0] for p in d if p['handshake_complete'])"; }

A="$(ip_of 1):$P2P"
mstart a 1 --seed
mstart b 2 --seed-node "$A"
mstart c 3 --seed-node "$A"
meshed() { peers_of b | grep -qw "$(ip_of 3)" || peers_of c | grep -qw "$(ip_of 2)"; }
if ! (wait_for 40 "b and c find each other through a" meshed); then
	log "b: $(peers_of b) / c: $(peers_of c)"
	fail "the loopback network did not mesh"
fi
log "meshed: b has [$(peers_of b)], c has [$(peers_of c)]"
# None of it leaked into a routable world: the addresses stay loopback.
mrpc c getnodeaddresses 0 | json "all(e['address'].startswith('127.') for e in d)" |
	grep -q True || fail "non-loopback addresses appeared"
echo "PASS node_private_mesh"
