#!/usr/bin/env bash
# crawl_kill9.sh -- kill -9 in the middle of a crawl: the database opens
# intact (readers and SQLite's integrity check), and `crawl --once` resumes
# the interrupted pass instead of starting over: every peer ends up probed
# exactly once across both runs.
source "$(dirname "$0")/lib.bash"

COUNT=2000
FNET=$(( 222 + RANDOM % 30 ))
"$TOOLS/fakenet" --count $COUNT --net $FNET --seed 11 --book 6 --dead 10 \
	--flood 2 --garbage 2 --expect "$T/expect.txt" > "$T/fakenet.log" 2>&1 &
PIDS+=("$!")
wait_for 30 "fakenet ready" grep -q '^READY' "$T/fakenet.log"
SEED=$(sed -n 's/^READY [0-9]* seed=//p' "$T/fakenet.log")

DB=$T/crawl.db
# Slow on purpose (16 at a time, a batch every 200 ms) so the kill lands
# mid-pass with many commits behind it.
"$BIN/agentcrawl" crawl --network regtest --db "$DB" --seed "$SEED" --once \
	--concurrency 16 --flush-interval 200 --progress off \
	--log-file "$T/crawl1.log" > "$T/summary1.txt" &
CRAWL=$!
PIDS+=("$CRAWL")
probed() { "$BIN/agentcrawl" stats --db "$DB" --json | json 'd["ProbedNodes"]'; }
# Readers work while the crawler writes.
wait_for 60 "300 peers probed" bash -c "[ \$($(declare -f json probed); BIN=$BIN DB=$DB probed) -ge 300 ]"
kill -KILL "$CRAWL"
wait_for 10 "crawler dies" bash -c "! kill -0 $CRAWL 2>/dev/null"
[ -s "$T/summary1.txt" ] && fail "the killed crawl printed a summary"
before=$(probed) || fail "database unreadable after kill -9"
log "killed after $before probes were committed"
if command -v sqlite3 >/dev/null; then
	[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity check"
fi

"$BIN/agentcrawl" crawl --network regtest --db "$DB" --once --concurrency 256 \
	--progress off --json --log-file "$T/crawl2.log" > "$T/summary2.json" ||
	fail "restart failed: $(tail -5 "$T/crawl2.log")"
cat "$T/summary2.json"
grep -q "resuming the interrupted pass" "$T/crawl2.log" || fail "did not resume"

"$BIN/agentcrawl" export --db "$DB" --format json --all -o "$T/nodes.json" || fail "export"
python3 - "$T/expect.txt" "$T/nodes.json" "$T/summary2.json" "$before" <<'PY' || fail "resume is wrong"
import json, sys
expect = dict(l.split() for l in open(sys.argv[1]))
nodes = {n["address"]: n for n in json.load(open(sys.argv[2]))}
s2 = json.load(open(sys.argv[3]))
before = int(sys.argv[4])
assert set(nodes) == set(expect), (len(nodes), len(expect))
once = [a for a, n in nodes.items() if n["attempts"] != 1]
assert not once, f"probed twice or never: {once[:5]}"
for a, k in expect.items():
    assert nodes[a]["good"] == (k == "honest"), (a, k, nodes[a])
# The second run only did what the first had not committed.
assert s2["probes"] <= len(expect) - before, (s2, before)
assert s2["probes"] > 0, s2
print(f"resumed: {before} probes survived the kill, {s2['probes']} more to finish")
PY
echo "PASS crawl_kill9"
