# seeder_lib.bash -- helpers for the agentseeder integration tests (sourced after lib.bash).
#
# start_seeder NAME DB [ARGS...] starts agentseeder for seed.example. on
# 127.0.0.1 (and [::1] when the host has IPv6 loopback) on a free high
# port, logging to $T/NAME.log; it sets SPORT and records the PID for
# cleanup.  dq runs dig against it with short timeouts.

SEEDDB="$TOOLS/seederdb"
ZONE=seed.example
HAVE_V6=0
if [ -r /proc/net/if_inet6 ] && grep -q '^0\{31\}1 ' /proc/net/if_inet6; then
	HAVE_V6=1
fi

# A port that no UDP or TCP socket uses (the seeder binds both).
free_port() {
	local p
	for _ in $(seq 50); do
		p=$(( 20000 + RANDOM % 30000 ))
		# Any state: a connection's ephemeral port blocks a TCP bind too.
		if ! ss -Hantu "sport = :$p" 2>/dev/null | grep -q .; then
			echo "$p"; return 0
		fi
	done
	fail "no free port"
}

start_seeder() {
	local name=$1 db=$2; shift 2
	local listen=()
	for attempt in 1 2 3; do
		SPORT=$(free_port)
		listen=(--listen "127.0.0.1:$SPORT")
		[ $HAVE_V6 = 1 ] && listen+=(--listen "[::1]:$SPORT")
		"$BIN/agentseeder" --db "$db" --host "$ZONE" --ns ns1.example.net \
			--mbox hostmaster@example.net "${listen[@]}" \
			--log-level debug --log-file "$T/$name.log" "$@" &
		SEEDER_PID=$!
		PIDS+=("$SEEDER_PID")
		if wait_for_quiet 10 seeder_up; then
			return 0
		fi
		kill -0 "$SEEDER_PID" 2>/dev/null && fail "seeder $name did not come up"
		grep -q "Address already in use" "$T/$name.log" || { tail "$T/$name.log"; fail "seeder $name exited"; }
	done
	fail "could not start seeder $name"
}

# wait_for without failing: 0 when COMMAND succeeded in time, 1 otherwise.
wait_for_quiet() {
	local secs=$1; shift
	local end=$(( $(date +%s) + secs ))
	while [ "$(date +%s)" -lt "$end" ]; do
		"$@" >/dev/null 2>&1 && return 0
		kill -0 "$SEEDER_PID" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

seeder_up() { dig @127.0.0.1 -p "$SPORT" +time=1 +tries=1 "$ZONE" SOA | grep -q 'status: NOERROR'; }

# dq ARGS...: dig against the seeder (UDP unless +tcp is given).
dq() { dig @127.0.0.1 -p "$SPORT" +time=2 +tries=1 "$@"; }
kq() { kdig @127.0.0.1 -p "$SPORT" +timeout=2 +retry=0 "$@"; }

# Extract bits of dig output.
flags_of() { sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p' | head -1; }
status_of() { sed -n 's/.*status: \([A-Z]*\),.*/\1/p' | head -1; }
count_of() { sed -n "s/.*$1: \([0-9]*\).*/\1/p" | head -1; }   # QUERY ANSWER AUTHORITY ADDITIONAL

assert_eq() { [ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"; }
assert_has() { case " $1 " in *" $2 "*) ;; *) fail "$3: '$1' lacks '$2'";; esac; }
assert_lacks() { case " $1 " in *" $2 "*) fail "$3: '$1' has '$2'";; esac; }
