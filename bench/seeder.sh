#!/usr/bin/env bash
# bench/seeder.sh -- agentseeder against NSD on loopback with dnsperf: the
# same A query for a name with 25 A records, the same dnsperf command, in
# one run.  agentseeder draws a fresh random 25 of 100 good nodes per query;
# NSD serves a static zone with 25 A records (rate limiting off, one server
# process).  Prints qps, latency and the ratio, UDP and TCP.
#
# DNSSEC: agentseeder runs with keys from `agentseeder keygen`, and the same
# query with the DO bit (dnsperf -D) is measured in turn with the plain
# one: signed answers (25 A and their RRSIG, one of 64 pre-signed sets) at
# >= 0.9x the unsigned queries per second is the target.  MODE=dnssec
# measures only that (no NSD); MODE=all (the default) both.
#
# Environment: BIN (default bin), TOOLS (default build/tests/tools),
# SECONDS_PER_RUN (15), CLIENTS (8), RUNS (1: alternating runs per server),
# MODE (all or dnssec).
set -u
cd "$(dirname "$0")/.."
BIN=${BIN:-bin}; TOOLS=${TOOLS:-build/tests/tools}
LEN=${SECONDS_PER_RUN:-15}; CLIENTS=${CLIENTS:-8}; RUNS=${RUNS:-1}; MODE=${MODE:-all}
case $MODE in all|dnssec) ;; *) echo "MODE is all or dnssec" >&2; exit 2;; esac
[ -x "$BIN/agentseeder" ] && [ -x "$TOOLS/seederdb" ] ||
	{ echo "build first: make all build/tests/tools/seederdb" >&2; exit 2; }

# dnsperf and nsd, from Debian, if missing; NSD must not start as a
# service (policy-rc.d), it runs here in the foreground only.
need=()
command -v dnsperf >/dev/null || need+=(dnsperf)
command -v nsd >/dev/null || need+=(nsd)
if [ ${#need[@]} -gt 0 ]; then
	echo "installing ${need[*]}" >&2
	prc=/usr/sbin/policy-rc.d own=0
	if [ ! -e $prc ]; then printf '#!/bin/sh\nexit 101\n' > $prc; chmod 755 $prc; own=1; fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    "${need[@]}" >/dev/null 2>&1 ||
	    { apt-get update -qq >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
	[ $own = 1 ] && rm -f $prc
fi
command -v dnsperf >/dev/null && command -v nsd >/dev/null ||
	{ echo "dnsperf/nsd unavailable" >&2; exit 2; }

D=$(mktemp -d); PIDS=()
stop_all() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	PIDS=()
}
trap 'stop_all; rm -rf "$D"' EXIT
ZONE=seed.agentchain.test
port() {
	local p
	for _ in $(seq 50); do
		p=$(( 20000 + RANDOM % 30000 ))
		ss -Hantu "sport = :$p" | grep -q . || { echo $p; return; }
	done
	exit 1
}
SP=$(port); NP=$(port)
while [ "$NP" = "$SP" ]; do NP=$(port); done

# agentseeder: 100 good nodes, each in its own /16; signed.
"$TOOLS/seederdb" "$D/crawl.db" mainnet --gen4 100 >/dev/null || exit 1
"$BIN/agentseeder" keygen --dir "$D/keys" --host $ZONE >/dev/null 2>&1 || exit 1
"$BIN/agentseeder" --db "$D/crawl.db" --host $ZONE --ns ns1.agentchain.test \
    --mbox hostmaster.agentchain.test --listen 127.0.0.1:$SP --stats-interval 0 \
    --dnssec-keys "$D/keys" --log-level warn --log-file "$D/seeder.log" &
SEEDER=$!; PIDS+=($SEEDER)

# NSD: the same name with 25 static A records; rrl-ratelimit 0 is off.
{
	echo "\$ORIGIN $ZONE."
	echo "@ 60 IN SOA ns1.agentchain.test. hostmaster.agentchain.test. 1 3600 600 86400 60"
	echo "@ 86400 IN NS ns1.agentchain.test."
	for i in $(seq 0 24); do echo "@ 60 IN A 44.$i.0.1"; done
} > "$D/zone"
cat > "$D/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1@$NP
	do-ip6: no
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "$D"
	database: ""
	zonelistfile: "$D/zone.list"
	xfrdfile: "$D/xfrd.state"
	xfrdir: "$D"
	pidfile: "$D/nsd.pid"
	logfile: "$D/nsd.log"
	verbosity: 0
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: $ZONE
	zonefile: "$D/zone"
EOF
nsd -d -c "$D/nsd.conf" 2>>"$D/nsd.log" &
NSD=$!; PIDS+=($NSD)

up() { dig @127.0.0.1 -p "$1" +time=1 +tries=1 +short $ZONE A | grep -c . ; }
for _ in $(seq 100); do
	[ "$(up $SP)" = 25 ] && [ "$(up $NP)" = 25 ] && break
	sleep 0.1
done
[ "$(up $SP)" = 25 ] || { echo "agentseeder not answering"; cat "$D/seeder.log"; exit 1; }
[ "$(up $NP)" = 25 ] || { echo "nsd not answering"; cat "$D/nsd.log"; exit 1; }
echo "$ZONE A" > "$D/queries"

# perf NAME PORT MODE [DNSPERF ARGS]: one dnsperf run; prints a result line.
perf() {
	local name=$1 p=$2 mode=$3 out; shift 3
	out=$(dnsperf -s 127.0.0.1 -p "$p" -m "$mode" -d "$D/queries" -l "$LEN" \
	    -c "$CLIENTS" -T 1 -Q 1000000 "$@" 2>&1)
	local qps lat sd lost resp
	qps=$(echo "$out" | awk '/Queries per second:/ {print $4}')
	lat=$(echo "$out" | awk '/Average Latency/ {print $4; exit}')
	sd=$(echo "$out" | awk '/Latency StdDev/ {print $4; exit}')
	lost=$(echo "$out" | awk '/Queries lost:/ {print $3}')
	resp=$(echo "$out" | awk '/Average packet size/ {print $7}')
	awk -v n="$name" -v m="$mode" -v q="$qps" -v l="$lat" -v s="$sd" -v lo="$lost" \
	    -v r="$resp" 'BEGIN { printf "%-14s %-4s %10.0f qps  latency %6.3f ms (sd %.3f)  lost %s  reply %s B\n",
	    n, m, q, l * 1000, s * 1000, lo, r }'
	echo "$name $mode $qps" >> "$D/results"
}

echo "dnsperf -l $LEN -c $CLIENTS -T 1 -Q 1000000, query '$ZONE A', $(nproc) cores"
signed=$(dig @127.0.0.1 -p $SP +dnssec +noall +answer $ZONE A | grep -c RRSIG)
[ "$signed" = 1 ] || { echo "agentseeder does not sign"; cat "$D/seeder.log"; exit 1; }
for r in $(seq "$RUNS"); do
	perf agentseeder $SP udp
	[ "$MODE" = all ] && perf nsd $NP udp
	perf agentseeder-DO $SP udp -D
done
perf agentseeder $SP tcp
[ "$MODE" = all ] && perf nsd $NP tcp
perf agentseeder-DO $SP tcp -D
kill -0 $SEEDER 2>/dev/null || { echo "agentseeder died"; exit 1; }
# ratio A B MODE: mean qps of A over mean qps of B in MODE runs.
ratio() {
	awk -v a="$1" -v b="$2" -v m="$3" '$2 == m && $1 == a {s += $3; ns++}
	    $2 == m && $1 == b {n += $3; nn++}
	    END {printf "%.2f", (s / ns) / (n / nn)}' "$D/results"
}
if [ "$MODE" = all ]; then
	echo "ratio agentseeder/nsd udp $(ratio agentseeder nsd udp) (target >= 1.0)"
	echo "ratio agentseeder/nsd tcp $(ratio agentseeder nsd tcp)"
fi
echo "ratio signed/unsigned udp $(ratio agentseeder-DO agentseeder udp) (target >= 0.9)"
echo "ratio signed/unsigned tcp $(ratio agentseeder-DO agentseeder tcp)"
