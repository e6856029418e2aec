# lib.sh -- shared helpers for the end-to-end tests (sourced, not run).
#
# Every process a test starts is recorded and killed by PID on exit; every
# wait is a poll with a deadline (no fixed sleeps as synchronisation).
# Tests use only loopback addresses.

set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${AGENTCHAIN_BIN:-$ROOT/bin}
TOOLS=${AGENTCHAIN_TOOLS:-$ROOT/build/tests/tools}
T=$(mktemp -d "${TMPDIR:-/tmp}/agentchain-test.XXXXXX")
PIDS=()

cleanup() {
	local rc=$?
	for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "${PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
	if [ $rc -ne 0 ]; then
		echo "--- logs of failed test ($T) ---"
		for f in "$T"/*/node.log "$T"/*.log; do
			[ -f "$f" ] || continue
			echo "=== $f"; tail -n 30 "$f"
		done
	fi
	[ "${KEEP_TEST_DIR:-0}" = 1 ] || rm -rf "$T"
	exit $rc
}
trap cleanup EXIT INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*"; }

# wait_for SECONDS DESCRIPTION COMMAND...: poll COMMAND every 0.2 s.
wait_for() {
	local secs=$1 what=$2; shift 2
	local end=$(( $(date +%s) + secs ))
	while [ "$(date +%s)" -lt "$end" ]; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.2
	done
	fail "timed out after ${secs}s waiting for: $what"
}

# Each run takes its own loopback /16 and RPC port range, so that tests run
# side by side (developers, parallel CI jobs) do not collide: nodes of
# this run listen on $NET.0.N and their RPC on 127.0.0.1:$((RPC_BASE+N)).
# A random draw alone collided now and then with several suites running at
# once: take a /16 and an RPC range nobody listens in (a few draws at most).
# lib_in_use NET RPC_BASE: is any TCP socket listening on NET.0.0/16, or on
# 127.0.0.1 in RPC_BASE..+99?  (/proc/net/tcp: IPv4 little-endian hex,
# 127.X.0.N is 0N00XX7F; state 0A is LISTEN.)
lib_in_use() {
	local want rest addr port
	want=$(printf '%02X7F' "${1#127.}")
	while read -r _ addr rest; do
		[ "${rest#* 0A }" != "$rest" ] || continue
		port=$((16#${addr#*:}))
		case $addr in
		????"$want":*) return 0 ;;
		0100007F:*) [ "$port" -ge "$2" ] && [ "$port" -le $(( $2 + 99 )) ] && return 0 ;;
		esac
	done < <(tail -n +2 /proc/net/tcp 2>/dev/null)
	return 1
}
for _ in 1 2 3 4 5 6 7 8; do
	NET=127.$(( (RANDOM % 200) + 20 ))
	# Below the kernel's ephemeral range (32768-60999), which outgoing
	# connections may already hold.
	RPC_BASE=$(( 10000 + (RANDOM % 190) * 100 ))
	lib_in_use "$NET" "$RPC_BASE" || break
done
REGTEST_P2P=29001
# A test may run its nodes on another network (NODE_NETWORK=mainnet,
# NODE_P2P=9001) before calling start_node and rpc.
NODE_NETWORK=regtest
NODE_P2P=$REGTEST_P2P
ip_of() { echo "$NET.0.$1"; }

# start_node NAME N [ARGS...]: a regtest node listening on $NET.0.N:29001
# with RPC on 127.0.0.1:$((RPC_BASE + N)).  ARGS go to `agentnode start`.
start_node() {
	local name=$1 ip; ip=$(ip_of "$2")
	local rpcport=$((RPC_BASE + $2)); shift 2
	local dir="$T/$name"
	mkdir -p "$dir"
	"$BIN/agentnode" start --network "$NODE_NETWORK" --datadir "$dir" \
		--listen "$ip:$NODE_P2P" --rpc-listen "127.0.0.1:$rpcport" \
		--log-level debug --log-file "$dir/node.log" "$@" &
	local pid=$!
	PIDS+=("$pid")
	echo "$pid" > "$dir/pid"
	echo "$rpcport" > "$dir/rpcport"
	wait_for 10 "$name RPC up" rpc "$name" getnetworkinfo
}

rpc() {
	local name=$1; shift
	"$BIN/agentnode" rpc --network "$NODE_NETWORK" --datadir "$T/$name" \
		--rpc-connect "127.0.0.1:$(cat "$T/$name/rpcport")" --rpc-timeout 5 "$@"
}

node_pid() { cat "$T/$1/pid"; }

stop_node() {
	local pid; pid=$(node_pid "$1")
	kill -TERM "$pid" 2>/dev/null
	wait_for 10 "$1 exits" bash -c "! kill -0 $pid 2>/dev/null"
}

kill9_node() {
	local pid; pid=$(node_pid "$1")
	kill -KILL "$pid" 2>/dev/null
	wait_for 10 "$1 dies" bash -c "! kill -0 $pid 2>/dev/null"
}

# jq-free JSON access through python3 (present on Debian as a dependency
# of many packages; .ci/deps installs it).
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

peer_count() { rpc "$1" getnetworkinfo | json 'd["connections"]'; }
outbound_count() { rpc "$1" getpeerinfo | json 'sum(1 for p in d if p["direction"]=="outbound" and p["handshake_complete"])'; }
known_count() { rpc "$1" getnetworkstats | json 'd["TotalNodes"]'; }
