#!/usr/bin/env bash
# console_hangup.sh -- regression: a console whose terminal goes away
# without a SIGHUP reaching it (its tmux server killed under a
# non-interactive shell, which does not pass the signal on) used to stay
# alive reading a hung-up pty, at 40-60% of a core, for ever; failed
# console tests left such processes behind.  It must exit instead.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/console_lib.bash"
[ -x "$TOOLS/fakerpc" ] || fail "no $TOOLS/fakerpc (make build/tests/tools/fakerpc)"

FAKE=127.0.0.1:$((RPC_BASE + 60))
"$TOOLS/fakerpc" "$FAKE" 10 --chain > "$T/fake.out" 2>&1 &
PIDS+=($!)
wait_for 10 "fakerpc up" grep -q listening "$T/fake.out"
"${TM[@]}" new-session -d -s con -x 100 -y 30 \
	"env LC_ALL=C.UTF-8 $BIN/agentconsole --rpc $FAKE --view chain; sleep 600"
wait_screen 10 "the console" "Chain of $FAKE"
pid=$(pgrep -P "$("${TM[@]}" display -p -t con '#{pane_pid}')" agentconsole) ||
	fail "no console process"
PIDS+=("$pid")
tmux_cleanup
wait_for 10 "the console exits when its terminal is gone" bash -c "! kill -0 $pid 2>/dev/null"
echo "PASS console_hangup"
