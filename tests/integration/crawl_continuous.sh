#!/usr/bin/env bash
# crawl_continuous.sh -- agentcrawl running continuously on regtest (scaled
# windows): reachable peers are re-checked every ~2 s and stay good past the
# newcomer phase within a minute, dead ones back off, liveness re-checks far
# outnumber getaddr passes, readers work throughout, and SIGTERM commits and
# exits 0.
source "$(dirname "$0")/lib.bash"

FNET=$(( 222 + RANDOM % 30 ))
"$TOOLS/fakenet" --count 20 --net $FNET --seed 5 --book 4 --dead 15 \
	--expect "$T/expect.txt" > "$T/fakenet.log" 2>&1 &
FAKENET=$!
PIDS+=("$FAKENET")
wait_for 30 "fakenet ready" grep -q '^READY' "$T/fakenet.log"
SEED=$(sed -n 's/^READY [0-9]* seed=//p' "$T/fakenet.log")

DB=$T/crawl.db
"$BIN/agentcrawl" crawl --network regtest --db "$DB" --seed "$SEED" \
	--progress log --progress-interval 5 --log-file "$T/crawl.log" > "$T/summary.txt" &
CRAWL=$!
PIDS+=("$CRAWL")

# Good for good: at least 12 probes each (past the 3-probe newcomer rule
# and the ~10 probes the 2 h window needs at 2 s intervals) and good now.
settled() {
	"$BIN/agentcrawl" export --db "$DB" --format json --all |
	python3 -c "
import json, sys
expect = dict(l.split() for l in open('$T/expect.txt'))
nodes = {n['address']: n for n in json.load(sys.stdin)}
live = [a for a, k in expect.items() if k == 'honest']
ok = all(a in nodes and nodes[a]['attempts'] >= 12 and nodes[a]['good'] for a in live)
sys.exit(0 if ok else 1)"
}
start=$(date +%s)
wait_for 60 "reachable peers re-checked 12 times and good" settled
log "settled after $(( $(date +%s) - start )) s"

kill -TERM "$CRAWL"
wait_for 10 "crawler exits on SIGTERM" bash -c "! kill -0 $CRAWL 2>/dev/null"
wait "$CRAWL"; rc=$?
[ $rc -eq 0 ] || fail "SIGTERM exit code $rc"
cat "$T/summary.txt"
grep -q "^network regtest: known 20" "$T/summary.txt" || fail "no summary after SIGTERM"
grep -q "SIGTERM: stopping" "$T/crawl.log" || fail "no stop message"

kill -TERM "$FAKENET"
wait_for 10 "fakenet exits" bash -c "! kill -0 $FAKENET 2>/dev/null"
cat "$T/fakenet.log"
"$BIN/agentcrawl" export --db "$DB" --format json --all -o "$T/nodes.json" || fail "export"
python3 - "$T/expect.txt" "$T/nodes.json" "$T/fakenet.log" <<'PY' || fail "schedule is wrong"
import json, re, sys
expect = dict(l.split() for l in open(sys.argv[1]))
nodes = {n["address"]: n for n in json.load(open(sys.argv[2]))}
live = [a for a, k in expect.items() if k == "honest"]
dead = [a for a, k in expect.items() if k == "dead"]
assert dead, "the seed should give some dead peers"
lmin = min(nodes[a]["attempts"] for a in live)
dmax = max(nodes[a]["attempts"] for a in dead)
# Backoff 2, 4, 8, 16 ... s against re-checks every ~2 s.
assert dmax <= lmin // 2, (dmax, lmin)
for a in dead:
    n = nodes[a]
    assert n["last_error"] == "refused" and n["fail_streak"] == n["attempts"], n
for a in live:
    n = nodes[a]
    assert n["reliability"]["2h"] > 0.85 and n["weight"]["2h"] > 2, n
    assert n["last_getaddr"] > 0, n
log = open(sys.argv[3]).read()
versions = int(re.search(r"(\d+) versions", log).group(1))
getaddrs = int(re.search(r"(\d+) getaddrs", log).group(1))
# Liveness every ~2 s, discovery every 30 s per node.
assert getaddrs * 3 <= versions, (versions, getaddrs)
print(f"live probed >= {lmin} times, dead <= {dmax}; {versions} handshakes, {getaddrs} getaddrs")
PY
echo "PASS crawl_continuous"
