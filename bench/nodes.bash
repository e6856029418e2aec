# bench/nodes.bash -- regtest nodes for a benchmark (sourced, not run).
#
# Set NET (a loopback /16 such as 127.78) and RPC_BASE before sourcing;
# BIN must name the binaries.  D is a scratch directory removed on exit
# with every node started here.
D=$(mktemp -d); PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$D"' EXIT

# node NAME N [ARGS...]: a regtest node on $NET.0.N, RPC 127.0.0.1:RPC_BASE+N.
node() {
	local name=$1 n=$2; shift 2
	"$BIN/agentnode" start --network regtest --datadir "$D/$name" --listen "$NET.0.$n:29001" \
	    --rpc-listen "127.0.0.1:$((RPC_BASE + n))" --no-dns-seeds --min-peers 0 \
	    --log-level warn --log-file "$D/$name.log" "$@" &
	PIDS+=($!)
	echo $! > "$D/$name.pid"
	echo $((RPC_BASE + n)) > "$D/$name.port"
	for _ in $(seq 100); do rpc "$name" getnetworkinfo >/dev/null 2>&1 && return; sleep 0.1; done
	echo "node $name did not start" >&2; exit 1
}
rpc() { "$BIN/agentnode" rpc --network regtest --datadir "$D/$1" \
	--rpc-connect "127.0.0.1:$(cat "$D/$1.port")" --rpc-timeout 600 "${@:2}"; }
height() { rpc "$1" getblockcount; }
# wait_height NAME H: until NAME's tip reaches H (the node answers then; at
# most 590 s, within the client's timeout).
wait_height() {
	rpc "$1" waitforblockheight "$2" 590000 >/dev/null
	[ "$(height "$1")" -ge "$2" ] || { echo "$1: not at height $2 after 590 s" >&2; exit 1; }
}
stop() { kill "$(cat "$D/$1.pid")"; wait "$(cat "$D/$1.pid")" 2>/dev/null; }
now() { date +%s.%N; }
# generate NAME BLOCKS SIZE: mine BLOCKS blocks padded to SIZE bytes on NAME.
generate() {
	local left=$2 n
	while [ "$left" -gt 0 ]; do
		n=$(( left > 1000 ? 1000 : left ))
		rpc "$1" generate "$n" "$3" >/dev/null || { echo "generate failed" >&2; exit 1; }
		left=$((left - n))
	done
}
