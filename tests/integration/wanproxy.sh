#!/usr/bin/env bash
# wanproxy.sh -- tests/tools/wanproxy on loopback, measured from outside by
# tests/tools/wanprobe.py: delays follow the city matrix (RTT and connect),
# the target sees the client's own address, no delay costs < 1 ms, jitter
# never reorders bytes, memory is bounded by back-pressure, the bandwidth
# cap holds, SOCKS5 names, authentication and refusals, and bad options
# and data files are refused.
source "$(dirname "$0")/lib.bash"

WP=$TOOLS/wanproxy
PROBE="python3 $ROOT/tests/tools/wanprobe.py"
[ -x "$WP" ] || fail "no $WP (make $TOOLS/wanproxy)"

# Our own loopback addresses in three of the demo's cities.
printf '%s/32\tDE\tGermany\tFrankfurt\t0\t0\t1\tA\n' "$(ip_of 1)" > "$T/geo.tsv"
printf '%s/32\tJP\tJapan\tTokyo\t0\t0\t2\tB\n' "$(ip_of 2)" >> "$T/geo.tsv"
printf '%s/32\tAU\tAustralia\tSydney\t0\t0\t3\tC\n' "$(ip_of 3)" >> "$T/geo.tsv"
MATRIX=$ROOT/tests/tools/wan-matrix.tsv

# start_wp NAME PORT ARGS...: a wanproxy on 127.0.0.1:PORT, up when it says so.
start_wp() {
	local name=$1 port=$2; shift 2
	"$WP" --listen "127.0.0.1:$port" -v "$@" >"$T/$name.log" 2>&1 &
	PIDS+=($!)
	echo $! >"$T/$name.pid"
	wait_for 10 "$name listening" grep -q "wanproxy listening" "$T/$name.log"
}
stop_wp() {
	local pid; pid=$(cat "$T/$1.pid")
	kill -TERM "$pid"
	wait "$pid" || fail "$1 exited with $?"
}
# check EXPR JSON: a Python expression over the JSON object d.
check() {
	echo "$2" | python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if ($1) else 1)" ||
		fail "want $1, got $2"
}
P0=$((RPC_BASE + 80))

log "city matrix: Frankfurt-Tokyo 230 ms, Tokyo-Sydney 110 ms, Frankfurt-Frankfurt 2 ms"
start_wp matrix $P0 --geoip "$T/geo.tsv" --matrix "$MATRIX" --default-city Frankfurt
out=$($PROBE rtt --proxy 127.0.0.1:$P0 --src "$(ip_of 1)" --dst "$(ip_of 2)" -n 10)
log "Frankfurt -> Tokyo: $out"
# Jitter is +-2 ms each way; the loop adds a little.  The floors prove the
# delay; the ceilings only that it is this pair's and not another's (a
# loaded, shared machine adds tens of ms to a median now and then).
check 'd["min"] >= 225 and d["p50"] <= 290' "$out"
# The CONNECT reply comes one round trip later, as a TCP connect would.
check '225 <= d["connect_ms"] <= 330' "$out"
out=$($PROBE rtt --proxy 127.0.0.1:$P0 --src "$(ip_of 3)" --dst "$(ip_of 2)" -n 10)
log "Sydney -> Tokyo: $out"
check 'd["min"] >= 106 and d["p50"] <= 170' "$out"
# An address the GeoIP data does not place is in the default city.
out=$($PROBE rtt --proxy 127.0.0.1:$P0 --src "$(ip_of 4)" --dst "$(ip_of 1)" -n 10)
log "unplaced (Frankfurt) -> Frankfurt: $out"
check 'd["min"] >= 1.5 and d["p50"] <= 60' "$out"
grep -q "$(ip_of 1):[0-9]* (Frankfurt) -> $(ip_of 2):[0-9]* (Tokyo): one way 115.0 ms, jitter 2.0 ms" \
	"$T/matrix.log" || fail "no link line for Frankfurt -> Tokyo"
out=$($PROBE source --proxy 127.0.0.1:$P0 --src "$(ip_of 2)" --dst "$(ip_of 1)")
check "d['source'] == '$(ip_of 2)'" "$out"
log "the target sees the client's address: $out"
stop_wp matrix

log "no delay: overhead against a direct connection"
start_wp zero $((P0 + 1)) --delay 0
direct=$($PROBE rtt --src "$(ip_of 1)" --dst "$(ip_of 2)" -n 300)
proxied=$($PROBE rtt --proxy 127.0.0.1:$((P0 + 1)) --src "$(ip_of 1)" --dst "$(ip_of 2)" -n 300)
log "direct: $direct"
log "proxied: $proxied"
python3 - "$direct" "$proxied" <<'PY' || fail "the proxy adds 1 ms or more"
import json, sys
d, p = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.exit(0 if p["p50"] - d["p50"] < 1.0 else 1)
PY
stop_wp zero

log "jitter keeps byte order; back-pressure bounds memory"
start_wp jitter $((P0 + 2)) --delay 5 --jitter 4 --buffer 131072
out=$($PROBE order --proxy 127.0.0.1:$((P0 + 2)) --src "$(ip_of 1)" --dst "$(ip_of 2)" --bytes 3000000)
log "order: $out"
check 'd["ok"]' "$out"
out=$($PROBE pressure --proxy 127.0.0.1:$((P0 + 2)) --src "$(ip_of 1)" --dst "$(ip_of 2)")
log "pressure: $out"
check 'd["ok"] and d["stalled"]' "$out"
stop_wp jitter
most=$(sed -n 's/.*most buffered \([0-9]*\),.*/\1/p' "$T/jitter.log")
[ -n "$most" ] && [ "$most" -le $((131072 + 65536)) ] ||
	fail "held $most bytes in one direction (cap 131072 + one 64 KiB read)"
grep -q "back-pressure [1-9]" "$T/jitter.log" || fail "back-pressure never engaged"
log "most bytes held in one direction: $most"

log "bandwidth cap: 500 kB/s per link and direction"
start_wp rate $((P0 + 3)) --delay 1 --bandwidth 500k
out=$($PROBE rate --proxy 127.0.0.1:$((P0 + 3)) --src "$(ip_of 1)" --dst "$(ip_of 2)" --bytes 600000)
log "rate: $out"
check '300000 <= d["bytes_per_s"] <= 560000' "$out"
stop_wp rate

log "SOCKS5: names, user/password, refusals"
printf 'self.test 127.0.0.1\n# comment\n\nseed.test %s\n' "$(ip_of 9)" > "$T/hosts"
start_wp auth $((P0 + 4)) --auth alice:s3cret --hosts "$T/hosts"
req() { $PROBE request --proxy 127.0.0.1:$((P0 + 4)) "$@"; }
check 'd["reply"] == 0' "$(req --name self.test --port $((P0 + 4)) --auth alice:s3cret)"
grep -q "(?) -> self.test = 127.0.0.1:$((P0 + 4)) (?)" "$T/auth.log" || fail "no link line for self.test"
check 'd["reply"] == "auth-refused"' "$(req --name self.test --port $((P0 + 4)) --auth alice:wrong)"
check 'd["reply"] == "no-method"' "$(req --name self.test --port $((P0 + 4)))"
check 'd["reply"] == 4' "$(req --name unknown.test --port 1 --auth alice:s3cret)"
# Nobody listens on $(ip_of 9):1.
check 'd["reply"] == 5' "$(req --ip "$(ip_of 9)" --port 1 --auth alice:s3cret)"
stop_wp auth
start_wp refuse $((P0 + 5)) --refuse 2
check 'd["reply"] == 2' "$($PROBE request --proxy 127.0.0.1:$((P0 + 5)) --ip 127.0.0.1 --port 1)"
stop_wp refuse

log "bad options and data files"
printf 'Frankfurt\tTokyo\n' > "$T/m1"
printf 'Frankfurt\tTokyo\t-5\n' > "$T/m2"
printf 'Frankfurt\tTokyo\t230\nTokyo\tFrankfurt\t230\n' > "$T/m3"
printf '127.0.0.1/40\tXX\tX\tX\n' > "$T/g1"
printf '127.0.0.1\tXX\tX\tX\n' > "$T/g2"
printf 'name-only\n' > "$T/h1"
head -c 2000 /dev/zero | tr '\0' a > "$T/long"
for bad in "--matrix $T/m1" "--matrix $T/m2" "--matrix $T/m3" "--geoip $T/g1" "--geoip $T/g2" \
    "--hosts $T/h1" "--matrix $T/long" "--matrix $T/nonexistent" "--delay -1" "--delay x" \
    "--jitter 70000" "--bandwidth 5G" "--buffer 100" "--auth nocolon" "--auth :p" \
    "--refuse 0" "--refuse 256" "--max-links 0" "--listen nonsense" "extra-arg"; do
	# shellcheck disable=SC2086
	timeout 5 "$WP" --listen 127.0.0.1:$((P0 + 6)) $bad >"$T/bad.log" 2>&1 </dev/null
	rc=$?
	[ $rc -eq 2 ] || fail "wanproxy $bad: exit $rc, want 2 ($(head -c 200 "$T/bad.log"))"
done
grep -q "m3:2: Tokyo - Frankfurt given twice" <(timeout 5 "$WP" --matrix "$T/m3" 2>&1) ||
	fail "no line number for a duplicate pair"

echo "PASS wanproxy"
