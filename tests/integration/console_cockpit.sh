#!/usr/bin/env bash
# console_cockpit.sh -- issue 16 against tests/tools/fakerpc in a real
# terminal (tmux): the console polls getpeerchanges and falls back to
# getpeerinfo on "Method not found"; the Bans view bans a subnet and lifts
# it (checked over RPC) with the confirmations; an action the node refuses
# is shown as a failure with the node's message, never "done"; alerts
# (connectivity low and falling, a violation, a node down) reach the
# header, the Overview and the log whatever view is open; the log filters
# by kind and searches; clicks on tabs, rows and column headers and the
# wheel do what they say.  Every wait polls the screen with a deadline.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/console_lib.bash"
[ -x "$TOOLS/fakerpc" ] || fail "no $TOOLS/fakerpc (make build/tests/tools/fakerpc)"

# frpc ADDR METHOD [JSON...]: call fakerpc directly.
frpc() {
	python3 - "$@" <<'PY'
import json, sys, urllib.request
addr, method, params = sys.argv[1], sys.argv[2], [json.loads(a) for a in sys.argv[3:]]
body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
req = urllib.request.Request("http://%s/" % addr, data=body,
    headers={"Content-Type": "application/json"})
print(json.dumps(json.load(urllib.request.urlopen(req, timeout=5))))
PY
}
PORT=$((RPC_BASE + 50))
FAKE=127.0.0.1:$PORT
LEGACY=127.0.0.1:$((PORT + 1))
"$TOOLS/fakerpc" "$FAKE" 40 --change-every 2 --chain > "$T/fake.out" 2>&1 &
PIDS+=($!)
"$TOOLS/fakerpc" "$LEGACY" 40 --legacy > "$T/legacy.out" 2>&1 &
PIDS+=($!)
wait_for 10 "fakerpc up" grep -q listening "$T/fake.out"
wait_for 10 "legacy fakerpc up" grep -q listening "$T/legacy.out"

"${TM[@]}" new-session -d -s con -x 160 -y 45 \
	"env LC_ALL=C.UTF-8 $BIN/agentconsole --rpc $FAKE --rpc $LEGACY --interval 0.5 --set console.alert_down=1 --stats-file $T/stats; echo \"exit=\$?\" > $T/con.exit; sleep 600"

# 1. The Overview lists both nodes, the one with getblockchaininfo with
# its height in the header.
wait_screen 15 "both nodes live" "$LEGACY +live "
wait_screen 5 "first node live" "$FAKE +live "
wait_screen 5 "height from getblockchaininfo" "height 1000 "
wait_screen 5 "no alerts" " no alerts *$"
log "Overview: both nodes, height from getblockchaininfo"

# 2. Mouse: a click on a tab opens it; on a column header sorts by it, a
# second click reverses; on a row selects that peer; the wheel moves on.
click "2 Peers"
wait_screen 5 "peers view by click" "40/40 peers  sort id"
click "PING"
wait_screen 5 "sorted by ping by click" "sort ping"
click "PING"
wait_screen 5 "reversed by a second click" "sort ping desc"
# Rows move with new data: pause, so the row clicked is the row seen.
# Under the sanitizers this part is left out: there, about one run in two
# lost a click on a row, or the key sent after it, inside ncurses' X10
# mouse decoding (tmux feeds a report and the next key back to back to a
# console slowed down by ASan; clicks were retried and still lost).  The
# plain build runs it every time.
if [ -z "${ASAN_OPTIONS:-}" ]; then
	keys p
	wait_screen 5 "paused" "PAUSED"
	click "10.0.0.9:9001"
	# The footer names the selected peer: the key goes once the click
	# was taken.
	wait_screen 5 "the clicked row selected" "selected #10\\b"
	keys p
	wait_screen 5 "resumed" "live  \\[1/2\\]"
	click "4 Latency"
	wait_screen 5 "the clicked peer's latency" "Peer #10 10.0.0.9:9001"
	mouse 65 30 10
	other() { screen | grep -Eq "Peer #[0-9]+ 10" && ! screen | grep -q "Peer #10 10.0.0.9:9001"; }
	wait_for 5 "the wheel moves the selection to another peer" other
else
	log "under ASan: the row click, pause/resume and wheel steps left out (see above)"
fi
click "1 Overview"
wait_screen 5 "the Overview by click" "$LEGACY  live"
click "$LEGACY  live"
wait_screen 5 "the second node selected by click" "\\[2/2\\] $LEGACY"
click "$LEGACY  live"
wait_screen 5 "a second click opens its peers" "Peers of $LEGACY"
keys n
log "mouse: tabs, column headers, rows, wheel, nodes"

# 3. Bans: ban a subnet (asked, named, confirmed), see it, lift it.
keys 6
wait_screen 5 "bans view" "Bans of $FAKE"
keys b
wait_screen 5 "subnet prompt" "Ban which address or subnet on $FAKE"
keys 10.9.0.0/16 Enter
wait_screen 5 "duration prompt" "Ban 10.9.0.0/16 for how long"
keys C-u 2h Enter
wait_screen 5 "ban confirmation" "Ban 10.9.0.0/16 on $FAKE for 2h00m\\? \\(y/n\\)"
keys y
wait_screen 10 "ban reported" "10.9.0.0/16 banned for 2h00m"
wait_screen 10 "the ban listed" "10.9.0.0/16 +manual"
frpc "$FAKE" listbanned | grep -q '"10.9.0.0/16"' || fail "10.9.0.0/16 not in listbanned"
keys u
wait_screen 5 "unban confirmation" "Lift the ban on 10.9.0.0/16 \\(manual\\) on $FAKE\\? \\(y/n\\)"
keys y
wait_screen 10 "unban reported" "ban on 10.9.0.0/16 lifted"
wait_screen 10 "list empty again" "no bans \\(b bans"
frpc "$FAKE" listbanned | grep -q '"10.9.0.0/16"' && fail "10.9.0.0/16 still banned"
# Lifting a ban that is already gone: the node's error, as a failure.
frpc "$FAKE" setban '"10.7.0.0/16"' '"add"' 600 >/dev/null
wait_screen 10 "external ban listed" "10.7.0.0/16"
keys u
wait_screen 5 "unban confirmation" "Lift the ban on 10.7.0.0/16"
frpc "$FAKE" setban '"10.7.0.0/16"' '"remove"' >/dev/null
keys y
wait_screen 10 "the node's refusal" "lift the ban on 10.7.0.0/16 failed: 10.7.0.0/16 was not banned"
screen | grep -q "10.7.0.0/16.*done" && fail "a failed action said done"
log "bans: subnet banned and lifted (checked over RPC); a refusal is a failure"

# 4. addnode: the node's outcome, and its refusal.
keys a
wait_screen 5 "add-node prompt" "Add node \\(host:port\\) for $FAKE"
keys 127.0.0.1:1 Enter
wait_screen 10 "failed outcome" "add node 127.0.0.1:1 failed: connection refused"
keys a 127.0.0.1:7 Enter
wait_screen 10 "connected outcome" "add node 127.0.0.1:7: connected"
keys a 127.0.0.1:7 Enter
wait_screen 10 "refusal" "add node 127.0.0.1:7 failed: node 127.0.0.1:7 already added"
log "addnode: connected, failed and refused, each as the node said"

# 5. Alerts, whatever view is open: connectivity low and falling, a
# violation; the header counts them, the Overview lists them, the log has
# them.
# The bans made above are alerts too (one, with a count); c clears them.
keys 1
wait_screen 5 "ban alert" "ban +$FAKE +2x, last ban 10.7.0.0/16"
keys c
wait_screen 5 "ban alert cleared" " no alerts *$"
keys 5
frpc "$FAKE" fake_set '"health"' 20 >/dev/null
wait_screen 10 "alert count in the header" "! 2 alerts *$"
frpc "$FAKE" fake_set '"violation"' 3 >/dev/null
wait_screen 10 "violation alert" "! 3 alerts *$"
keys 1
wait_screen 5 "health alert listed" "health +$FAKE +connectivity 20, below 50"
wait_screen 5 "drop alert listed" "drop +$FAKE +connectivity fell from 80 to 20"
wait_screen 5 "violation listed" "violation +$FAKE +violation #3 10.0.0.2:9001: bad-"
keys c
wait_screen 5 "violation cleared" "! 2 alerts *$"
frpc "$FAKE" fake_set '"health"' 80 >/dev/null
wait_screen 10 "alerts clear by themselves" " no alerts *$"
# The node stops answering: down on the Overview and an alert.
frpc "$FAKE" fake_set '"down"' 4 >/dev/null
wait_screen 10 "down in the Overview" "$FAKE +down [0-9]+s: HTTP 503"
wait_screen 10 "down alert" "down +$FAKE +down [0-9]+s"
wait_screen 15 "back" "$FAKE +live "
log "alerts: raised across views, listed, cleared"

# 6. The log: only one kind, then a search.
keys 7
wait_screen 5 "log" "held, [0-9]+ in all"
keys f f f f f f f f
wait_screen 5 "alerts only" "Log: alert"
screen | grep -Eq "(conn|disc)  " && fail "kind filter let other kinds through"
keys / violation Enter
wait_screen 5 "search" "search \"violation\""
wait_screen 5 "the violation alert found" "$FAKE +alert +violation #3"
keys Escape
wait_screen 5 "everything again" "Log  "
log "log: kind filter and search"

# 7. getpeerchanges for the node that has it, getpeerinfo for the other.
keys q
wait_for 10 "console exits" test -s "$T/con.exit"
grep -q "exit=0" "$T/con.exit" || fail "exit: $(cat "$T/con.exit")"
grep -q "^delta getpeerchanges" "$T/stats" || fail "the first node was not polled with getpeerchanges"
"${TM[@]}" new-session -d -s leg -x 120 -y 30 \
	"env LC_ALL=C.UTF-8 $BIN/agentconsole --rpc $LEGACY --view peers --stats-file $T/stats.leg; sleep 600"
wait_screen 10 "peers of a node without getpeerchanges" "40/40 peers" leg
"${TM[@]}" send-keys -t leg q
wait_for 10 "stats written" test -s "$T/stats.leg"
grep -q "^delta getpeerinfo" "$T/stats.leg" || fail "no fallback to getpeerinfo"
log "getpeerchanges used, getpeerinfo the fallback"
echo "PASS console_cockpit"
