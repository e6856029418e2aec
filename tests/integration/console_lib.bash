# console_lib.bash -- a private tmux server for the console's end-to-end
# tests (sourced after lib.bash): the pane's text, keys, mouse reports, and
# waits that poll the screen with a deadline.  The server is killed on exit.

command -v tmux >/dev/null || fail "tmux is missing (.ci/deps installs it)"
[ -x "$BIN/agentconsole" ] || fail "no $BIN/agentconsole"
TM=(tmux -L "agentconsole-test-$$" -f /dev/null)
tmux_cleanup() { "${TM[@]}" kill-server >/dev/null 2>&1; }
trap 'rc=$?; tmux_cleanup; (exit $rc); cleanup' EXIT
trap 'exit 1' INT TERM

screen() { "${TM[@]}" capture-pane -p -t "${1:-con}"; }
# wait_screen SECONDS DESCRIPTION REGEX [SESSION]: poll the pane.
wait_screen() {
	local secs=$1 what=$2 re=$3 s=${4:-con}
	local end=$(( $(date +%s) + secs ))
	while [ "$(date +%s)" -lt "$end" ]; do
		screen "$s" | grep -Eq -- "$re" && return 0
		sleep 0.1
	done
	echo "--- screen of $s:"; screen "$s"
	fail "timed out after ${secs}s waiting for the screen to show: $what"
}
keys() { "${TM[@]}" send-keys -t con "$@"; }
# mouse BUTTON X Y: an X10 mouse report (0-based cell) as a terminal
# sends it: 0 = a left click (press, then release), 64/65 = wheel up/down.
mouse() {
	local seq rel=
	printf -v seq '\e[M%b%b%b' "\\$(printf %03o $((32 + $1)))" \
	    "\\$(printf %03o $((33 + $2)))" "\\$(printf %03o $((33 + $3)))"
	[ "$1" = 0 ] && printf -v rel '\e[M#%b%b' "\\$(printf %03o $((33 + $2)))" \
	    "\\$(printf %03o $((33 + $3)))"
	keys -l "$seq$rel"
}
# at TEXT: "X Y" of the first place the screen shows TEXT.
at() {
	screen | python3 -c 'import sys
t = sys.argv[1]
for y, line in enumerate(sys.stdin.read().split("\n")):
    if t in line:
        print(line.index(t), y); break
else:
    sys.exit(1)' "$1"
}
# click TEXT: a left click on the first place the screen shows TEXT.
click() { local p; p=$(at "$1") || fail "nothing on screen reads '$1'"; mouse 0 ${p% *} ${p#* }; }
