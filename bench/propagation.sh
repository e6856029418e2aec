#!/usr/bin/env bash
# bench/propagation.sh -- block, transaction and address propagation over
# an emulated WAN: NODES real agentnodes spread over the demo's six cities,
# 8 outbound connections each, every P2P byte through tests/tools/wanproxy
# (the one-way delays of tests/tools/wan-matrix.tsv).  Prints one
# "key value" line per figure (tests/tools/propagation.py says how each is
# measured):
#   block_1k_* / block_1m_*   from `generate 1` on a random node to each
#                             node's receipt of the block, p50 p90 p95 p99
#                             max (mean over BLOCKS blocks), for 1 kB and
#                             1 MB blocks
#   limit_block_*             the same percentiles of the shortest one-way
#                             path through the overlay that formed
#   tx_p50_ms tx_p90_ms       sendrawtransaction to each node's mempool
#   announce_bytes_per_tx_per_peer   inv bytes per transaction per connection
#   addr_p90_s                a new node's address known by 90% of nodes
#   cpu_*                     machine and benchmark CPU use per phase
#
# Environment: NODES (100), OUTBOUND (8), BLOCKS (20), TXS (200), TX_RATE (5 per second),
# SERIES (1k,1m,tx,addr), SEED (random), BIN (bin), TOOLS
# (build/tests/tools), KEEP=1 keeps the state directory, HOLD=SECONDS keeps
# the network up that long at the end (for a look at it).  Bounded: every
# wait has a deadline (a block 60 s, the transactions 120 s, the address
# 300 s); every process started is stopped on exit.
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}; TOOLS=${TOOLS:-build/tests/tools}
NODES=${NODES:-100}; OUTBOUND=${OUTBOUND:-8}; BLOCKS=${BLOCKS:-20}; TXS=${TXS:-200}; TX_RATE=${TX_RATE:-5}
SERIES=${SERIES:-1k,1m,tx,addr}
[ -x "$BIN/agentnode" ] && [ -x "$TOOLS/wanproxy" ] ||
	{ echo "build first: make all $TOOLS/wanproxy" >&2; exit 2; }
D=$(mktemp -d)
# Each process the driver starts is appended to pids as it starts, so an
# interrupted run stops them too.
cleanup() {
	local pid
	[ -f "$D/pids" ] && while read -r pid; do kill "$pid" 2>/dev/null; done < "$D/pids"
	[ -f "$D/pids" ] && while read -r pid; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done < "$D/pids"
	if [ "${KEEP:-0}" = 1 ]; then echo "state kept in $D" >&2; else rm -rf "$D"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "# propagation over the WAN matrix: $NODES nodes on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
python3 tests/tools/propagation.py --agentnode "$BIN/agentnode" --wanproxy "$TOOLS/wanproxy" \
	--geoip tests/tools/geoip-demo.tsv --matrix tests/tools/wan-matrix.tsv \
	--dir "$D" --pidfile "$D/pids" --nodes "$NODES" --outbound "$OUTBOUND" --blocks "$BLOCKS" --txs "$TXS" \
	--tx-rate "$TX_RATE" --series "$SERIES" ${SEED:+--seed "$SEED"} ${HOLD:+--hold "$HOLD"}
