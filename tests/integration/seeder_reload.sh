#!/usr/bin/env bash
# seeder_reload.sh -- agentseeder follows the crawl database: the served set
# changes after the database changes (timer and SIGHUP); a missing, corrupt
# or locked database keeps the previous set (with a log line) and never
# blocks queries; an empty good set gives NODATA, never a made-up address.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/seeder_lib.bash"

DB=$T/crawl.db
"$SEEDDB" "$DB" mainnet 11.0.0.1 11.1.0.1 11.2.0.1 || fail "seederdb"
start_seeder s1 "$DB" --reload 1
log "agentseeder on port $SPORT"

answers() { dq +short "$ZONE" A | sort | tr '\n' ' '; }
serial() { dq +short "$ZONE" SOA | awk '{print $3}'; }
assert_eq "$(answers)" "11.0.0.1 11.1.0.1 11.2.0.1 " "first set"
s0=$(serial)
# Reloads of an unchanged database keep the SOA serial.
wait_for 10 "a few reloads" bash -c "[ \$(grep -c 'reloaded, unchanged' '$T/s1.log') -ge 2 ]"
assert_eq "$(serial)" "$s0" "serial after reloads of the same set"

# The crawler's view changes: the seeder follows within a reload or two.
"$SEEDDB" "$DB" mainnet --clear 12.0.0.1 12.1.0.1 || fail "seederdb update"
wait_for 10 "new set served" bash -c "[ \"\$(dig @127.0.0.1 -p $SPORT +short $ZONE A | sort | tr '\n' ' ')\" = '12.0.0.1 12.1.0.1 ' ]"
s1=$(serial)
[ "$s1" -gt "$s0" ] || fail "SOA serial did not move forward ($s0 -> $s1)"
log "set replaced after a database change (serial $s0 -> $s1)"

# Missing database: keep the set, say so.
mv "$DB" "$DB.away"
wait_for 10 "missing-db log line" grep -q "No such file.*keeping the previous set (2 IPv4" "$T/s1.log"
assert_eq "$(answers)" "12.0.0.1 12.1.0.1 " "set after the database vanished"

# Corrupt database: the same.
head -c 8192 /dev/urandom > "$DB"
n=$(grep -c "keeping the previous set" "$T/s1.log")
wait_for 10 "corrupt-db log line" bash -c "[ \$(grep -c 'keeping the previous set' '$T/s1.log') -gt $n ]"
grep "keeping the previous set" "$T/s1.log" | tail -1 | grep -qi "$DB" || fail "log line does not name the file"
assert_eq "$(answers)" "12.0.0.1 12.1.0.1 " "set with a corrupt database"
log "missing and corrupt databases keep the previous set"

# Back again, then locked by a writer for longer than the read-only busy
# timeout: queries are answered at once all along, the set is kept.
rm -f "$DB" "$DB-wal" "$DB-shm"
mv "$DB.away" "$DB"
"$SEEDDB" "$DB" mainnet --clear 13.0.0.1 || fail "seederdb"
wait_for 10 "database readable again" grep -q "readable again" "$T/s1.log"
wait_for 10 "third set" bash -c "[ \"\$(dig @127.0.0.1 -p $SPORT +short $ZONE A)\" = 13.0.0.1 ]"
python3 - "$DB" 9 > "$T/lock.out" <<'EOF' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA locking_mode=EXCLUSIVE")
c.execute("BEGIN EXCLUSIVE")
c.execute("UPDATE nodes SET services = services")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
c.execute("ROLLBACK")
EOF
LOCKER=$!
PIDS+=("$LOCKER")
wait_for 5 "database locked" grep -q locked "$T/lock.out"
worst=0
end=$(( $(date +%s) + 7 ))
while [ "$(date +%s)" -lt "$end" ]; do
	t0=$(date +%s%N)
	a=$(dq +short "$ZONE" A)
	t1=$(date +%s%N)
	assert_eq "$a" 13.0.0.1 "answer while the database is locked"
	ms=$(( (t1 - t0) / 1000000 ))
	[ $ms -gt $worst ] && worst=$ms
	sleep 0.1
done
[ $worst -lt 500 ] || fail "a query took $worst ms while a reload waited on the lock"
wait_for 10 "locked-db log line" grep -q "locked.*keeping the previous set\|busy.*keeping the previous set" "$T/s1.log"
wait "$LOCKER" 2>/dev/null
log "locked database: set kept, slowest query ${worst} ms"

# An empty good set (only nodes that are not good): NODATA with the SOA.
"$SEEDDB" "$DB" mainnet --clear -14.0.0.1 || fail "seederdb"
wait_for 15 "empty set served" bash -c "dig @127.0.0.1 -p $SPORT $ZONE A | grep -q 'ANSWER: 0, AUTHORITY: 1'"
out=$(dq "$ZONE" A)
assert_eq "$(echo "$out" | status_of)" NOERROR "empty set status"
echo "$out" | grep -Eq "^$ZONE\.[[:space:]]+60[[:space:]]+IN[[:space:]]+SOA" || fail "empty set: no SOA"
log "empty good set: NODATA with SOA"

# SIGHUP reloads at once (the timer here is an hour).
kill -TERM "$SEEDER_PID"
wait_for 10 "first seeder exits" bash -c "! kill -0 $SEEDER_PID 2>/dev/null"
"$SEEDDB" "$DB" mainnet --clear 15.0.0.1 || fail "seederdb"
start_seeder s2 "$DB" --reload 3600
assert_eq "$(answers)" "15.0.0.1 " "s2 first set"
"$SEEDDB" "$DB" mainnet 15.1.0.1 || fail "seederdb"
sleep 0.5
assert_eq "$(answers)" "15.0.0.1 " "no reload before SIGHUP"
kill -HUP "$SEEDER_PID"
wait_for 10 "SIGHUP reload" bash -c "[ \"\$(dig @127.0.0.1 -p $SPORT +short $ZONE A | sort | tr '\n' ' ')\" = '15.0.0.1 15.1.0.1 ' ]"
grep -q "SIGHUP: reloading" "$T/s2.log" || fail "no SIGHUP log line"
log "SIGHUP reload ok"
echo "seeder_reload: all checks passed"
