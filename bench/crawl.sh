#!/usr/bin/env bash
# bench/crawl.sh -- agentcrawl on a simulated network (tests/tools/fakenet) of
# NODES peers with a failure mix, one `crawl --once` per concurrency level:
# time to discover and classify every peer, probes per second, CPU time and
# the crawler's peak RSS (/usr/bin/time -v), plus a check that every
# reachable peer was found.
#
# Environment: BIN (default bin), TOOLS (default build/tests/tools),
# NODES (10000), CONCURRENCY ("256 2048"), MIX (fakenet failure options).
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}; TOOLS=${TOOLS:-build/tests/tools}
NODES=${NODES:-10000}
CONCURRENCY=${CONCURRENCY:-"256 2048"}
MIX=${MIX:-"--dead 10 --silent 1 --slow 3 --banning 1 --flood 1 --garbage 1"}
[ -x "$BIN/agentcrawl" ] && [ -x "$TOOLS/fakenet" ] ||
	{ echo "build first: make all build/tests/tools/fakenet" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian: time)" >&2; exit 2; }

D=$(mktemp -d); FPID=
stop_fakenet() {
	[ -n "$FPID" ] || return 0
	kill "$FPID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$FPID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$FPID" 2>/dev/null
	FPID=
}
trap 'stop_fakenet; rm -rf "$D"' EXIT
FNET=$(( 222 + RANDOM % 30 ))

echo "agentcrawl $("$BIN/agentcrawl" --version | cut -d' ' -f2), $NODES simulated peers ($MIX), $(nproc) CPUs"
printf '%-12s %10s %10s %10s %12s %10s %10s %s\n' concurrency elapsed_s probes/s \
	cpu_s peak_rss_MB reachable good check
for c in $CONCURRENCY; do
	# A fresh network and database per run, so both runs do the same work.
	# shellcheck disable=SC2086
	"$TOOLS/fakenet" --count "$NODES" --net $FNET --seed 1 --book 8 $MIX \
		--expect "$D/expect.txt" > "$D/fakenet.log" 2>&1 &
	FPID=$!
	for _ in $(seq 300); do grep -q '^READY' "$D/fakenet.log" && break; sleep 0.1; done
	grep -q '^READY' "$D/fakenet.log" || { echo "fakenet did not start" >&2; exit 1; }
	seed=$(sed -n 's/^READY [0-9]* seed=//p' "$D/fakenet.log")
	rm -f "$D"/crawl.db*
	/usr/bin/time -v -o "$D/time.txt" "$BIN/agentcrawl" crawl --network regtest \
		--db "$D/crawl.db" --seed "$seed" --once --concurrency "$c" --json \
		--progress off --log-level warn > "$D/summary.json" 2> "$D/crawl.err" ||
		{ echo "crawl failed:" >&2; cat "$D/crawl.err" >&2; exit 1; }
	stop_fakenet
	python3 - "$c" "$D/summary.json" "$D/time.txt" "$D/expect.txt" <<'PY'
import json, re, sys
c, s = sys.argv[1], json.load(open(sys.argv[2]))
t = open(sys.argv[3]).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
cpu = float(re.search(r"User time \(seconds\): ([\d.]+)", t).group(1)) + \
      float(re.search(r"System time \(seconds\): ([\d.]+)", t).group(1))
kinds = [l.split()[1] for l in open(sys.argv[4])]
reach = sum(k in ("honest", "slow") for k in kinds)
ok = s["known"] == len(kinds) and s["reachable"] == reach and s["max_inflight"] <= int(c)
print(f"{c:<12} {s['elapsed']:10.2f} {s['rate']:10.1f} {cpu:10.2f} {rss:12.1f} "
      f"{s['reachable']:10d} {s['good']:10d} {'ok' if ok else 'MISMATCH'} "
      f"(max in flight {s['max_inflight']})")
PY
done
