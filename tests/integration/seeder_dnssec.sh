#!/usr/bin/env bash
# seeder_dnssec.sh -- agentseeder's DNSSEC checked by independent validators
# on loopback: keys from `agentseeder keygen`, a validating unbound whose
# only trust anchor is the DS keygen printed (a stub zone to the seeder),
# answers A, AAAA, a filter, NODATA and NXDOMAIN with the AD flag; delv
# agrees; ldns-verify-zone checks a zone assembled from the seeder's
# answers (every signature, the whole NSEC chain); an unbound trusting
# another key gets SERVFAIL; and a pre-published ZSK rollover keeps
# unbound validating throughout.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/seeder_lib.bash"

for t in dig delv unbound ldns-verify-zone; do
	command -v $t >/dev/null || fail "$t missing (bind9-dnsutils, unbound, ldnsutils)"
done

DB=$T/crawl.db
# 40 IPv4 and 20 IPv6 good nodes; two seeds (x5); 9.9.9.9 not good.
"$SEEDDB" "$DB" mainnet --gen4 40 --gen6 20 1.2.3.4/5 1.2.4.4/5 -9.9.9.9 ||
	fail "seederdb"

# --- keygen: two keys, one DS on stdout, private keys 0600.
"$BIN/agentseeder" keygen --dir "$T/keys" --host "$ZONE" > "$T/ds" 2> "$T/keygen.log" ||
	fail "keygen: $(cat "$T/keygen.log")"
[ "$(grep -c . "$T/ds")" = 1 ] || fail "keygen printed $(grep -c . "$T/ds") lines"
grep -Eq "^$ZONE\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+DS[[:space:]]+[0-9]+ 13 2 [0-9a-f]{64}$" "$T/ds" ||
	fail "not a DS record: $(cat "$T/ds")"
[ "$(ls "$T/keys" | grep -c '\.private$')" = 2 ] || fail "keygen did not make two keys"
for p in "$T"/keys/*.private; do
	[ "$(stat -c %a "$p")" = 600 ] || fail "$p is mode $(stat -c %a "$p")"
done
"$BIN/agentseeder" keygen --dir "$T/keys" --host "$ZONE" >/dev/null 2>&1 &&
	fail "a second keygen replaced the keys"
"$BIN/agentseeder" keygen --dir "$T/keys" --host "$ZONE" --ds > "$T/ds.again" ||
	fail "keygen --ds"
cmp -s "$T/ds" "$T/ds.again" || fail "keygen --ds printed another DS"
# Keys from ldns-keygen are read as well.
mkdir "$T/lk"
( cd "$T/lk" && ldns-keygen -a ECDSAP256SHA256 -k "$ZONE" >/dev/null &&
	ldns-keygen -a ECDSAP256SHA256 "$ZONE" >/dev/null ) || fail "ldns-keygen"
lk=$("$BIN/agentseeder" keygen --dir "$T/lk" --host "$ZONE" --ds) || fail "ldns-keygen keys"
lktag=$(basename "$(ls "$T"/lk/*.ds)" .ds); lktag=$((10#${lktag##*+}))
[ "$(echo "$lk" | awk '{print $5}')" = "$lktag" ] || fail "ldns-keygen KSK: $lk"
DS=$(cat "$T/ds")
KSK=$(awk '{print $5}' "$T/ds")
log "keygen: $(tr "\n" " " < "$T/keygen.log")"

start_seeder s1 "$DB" --dnssec-keys "$T/keys" --reload 1
grep -q "signing with ZSK" "$T/s1.log" || fail "the seeder does not say it signs"

# --- a validating unbound, trusting only the DS, sending seed.example to
# the seeder.  Its caches keep nothing past a second, so that the rollover
# below is seen at once.
start_unbound() {
	local name=$1 anchor=$2
	UPORT=$(free_port)
	cat > "$T/$name.conf" <<EOF
server:
	interface: 127.0.0.1
	port: $UPORT
	do-ip6: no
	num-threads: 1
	username: ""
	chroot: ""
	directory: "$T"
	pidfile: "$T/$name.pid"
	use-syslog: no
	logfile: ""
	verbosity: 1
	val-log-level: 2
	do-not-query-localhost: no
	qname-minimisation: no
	cache-max-ttl: 1
	cache-max-negative-ttl: 1
	trust-anchor: "$anchor"
stub-zone:
	name: "$ZONE"
	stub-addr: 127.0.0.1@$SPORT
remote-control:
	control-enable: no
EOF
	unbound -d -c "$T/$name.conf" > "$T/$name.log" 2>&1 &
	PIDS+=($!)
	UB_PID=$!
	ub_up() { dig @127.0.0.1 -p "$UPORT" +time=1 +tries=1 "$ZONE" SOA | grep -q 'status:'; }
	wait_for 30 "unbound $name answers" ub_up
}
start_unbound ub "$DS"
uq() { dig @127.0.0.1 -p "$UPORT" +time=3 +tries=1 +dnssec "$@"; }

# expect_ad NAME TYPE STATUS MIN_ANSWERS: validated (AD), that status.
expect_ad() {
	local out f
	out=$(uq "$1" "$2")
	f=$(echo "$out" | flags_of)
	assert_eq "$(echo "$out" | status_of)" "$3" "$1 $2 status via unbound"
	assert_has "$f" ad "$1 $2 via unbound: not validated"
	[ "$(echo "$out" | count_of ANSWER)" -ge "$4" ] ||
		fail "$1 $2: $(echo "$out" | count_of ANSWER) answers"
}
expect_ad "$ZONE" A NOERROR 26
expect_ad "$ZONE" AAAA NOERROR 17
expect_ad "x5.$ZONE" A NOERROR 3		# two seeds and the RRSIG
expect_ad "$ZONE" DNSKEY NOERROR 3
expect_ad "$ZONE" TXT NOERROR 0			# NODATA
expect_ad "x4.$ZONE" AAAA NOERROR 0		# a filter without IPv6 nodes
expect_ad "nope.$ZONE" A NXDOMAIN 0
expect_ad "a.x1.$ZONE" AAAA NXDOMAIN 0
uq "$ZONE" A | grep -q "9\.9\.9\.9" && fail "a node that is not good was served"
log "unbound validates A, AAAA, x5, DNSKEY, NODATA and NXDOMAIN (AD)"

# --- delv, validating by itself against the seeder, agrees.
read -r _ _ _ _ tag alg dt digest < "$T/ds"
printf 'trust-anchors {\n\t%s. static-ds %s %s %s "%s";\n};\n' "$ZONE" "$tag" "$alg" "$dt" \
	"$digest" > "$T/anchor.conf"
for q in "$ZONE A" "$ZONE AAAA" "x1.$ZONE A" "$ZONE TXT" "nope.$ZONE A"; do
	# shellcheck disable=SC2086
	out=$(delv -a "$T/anchor.conf" +root="$ZONE" @127.0.0.1 -p "$SPORT" $q 2>&1)
	echo "$out" | grep -q "fully validated" || fail "delv $q: $out"
done
log "delv: fully validated, positive and negative"

# --- ldns-verify-zone: a zone from the seeder's signed answers (one sample
# per pool), every RRSIG and the NSEC chain checked against the DS.
S=(dig @127.0.0.1 -p "$SPORT" +time=2 +tries=1 +dnssec +norec +noall +answer)
{
	for t in SOA NS DNSKEY; do "${S[@]}" "$ZONE" $t; done
	for n in "" x1. x2. x3. x4. x5. x6. x7.; do
		for t in A AAAA HINFO NSEC; do "${S[@]}" "$n$ZONE" $t; done
	done
} > "$T/zone"
[ "$(grep -c 'RRSIG' "$T/zone")" -ge 25 ] || fail "assembled zone has few signatures"
ldns-verify-zone -k "$T/ds" "$T/zone" > "$T/verify.log" 2>&1 ||
	fail "ldns-verify-zone: $(cat "$T/verify.log")"
grep -q "Zone is verified and complete" "$T/verify.log" || fail "$(cat "$T/verify.log")"
# ... and it is no rubber stamp: one changed address fails it.
awk '!done && $4 == "A" { $5 = "203.0.113.7"; done = 1 } { print }' "$T/zone" > "$T/zone.bad"
ldns-verify-zone -k "$T/ds" "$T/zone.bad" > "$T/verify.bad" 2>&1 &&
	fail "ldns-verify-zone accepted a forged address"
log "ldns-verify-zone: verified and complete; a forged record fails"

# --- an unbound that trusts another key: SERVFAIL, nothing validated.
"$BIN/agentseeder" keygen --dir "$T/other" --host "$ZONE" > "$T/ds.other" 2>/dev/null ||
	fail "keygen other"
UPORT_GOOD=$UPORT
start_unbound ub2 "$(cat "$T/ds.other")"
out=$(uq "$ZONE" A)
assert_eq "$(echo "$out" | status_of)" SERVFAIL "A via unbound with a wrong anchor"
UPORT=$UPORT_GOOD
log "wrong trust anchor: SERVFAIL"

# --- ZSK rollover, pre-publish: the new key is in the DNSKEY set before it
# signs, then signs, then the old one leaves; unbound validates all along.
rrsig_tag() { "${S[@]}" "$ZONE" "$1" | awk '$4 == "RRSIG" { print $11; exit }'; }
dnskeys() { "${S[@]}" "$ZONE" DNSKEY | awk '$4 == "DNSKEY"' | grep -c .; }
OLD=$(rrsig_tag A)
[ -n "$OLD" ] && [ "$OLD" != "$KSK" ] || fail "A not signed by a ZSK ($OLD)"
assert_eq "$(rrsig_tag DNSKEY)" "$KSK" "DNSKEY signed by the KSK"
"$BIN/agentseeder" keygen --dir "$T/keys" --host "$ZONE" --zsk-only --activate-in 4 \
	> "$T/ds.roll" 2> "$T/roll.log" || fail "keygen --zsk-only: $(cat "$T/roll.log")"
grep -q "leaves the DNSKEY set" "$T/roll.log" || fail "old ZSK not scheduled to leave"
cmp -s "$T/ds" "$T/ds.roll" || fail "a ZSK rollover changed the DS"
three() { [ "$(dnskeys)" = 3 ]; }
wait_for 10 "the new ZSK published" three
[ "$(rrsig_tag A)" = "$OLD" ] || fail "the new ZSK signed before its Activate time"
expect_ad "$ZONE" A NOERROR 26
switched() { t=$(rrsig_tag A); [ -n "$t" ] && [ "$t" != "$OLD" ]; }
wait_for 15 "the new ZSK signs" switched
NEW=$(rrsig_tag A)
assert_eq "$(dnskeys)" 3 "both ZSKs published after the switch"
expect_ad "$ZONE" A NOERROR 26
expect_ad "nope.$ZONE" A NXDOMAIN 0
# The old key's files go (its Delete time is a day away): it leaves the
# set at the next reload, and nothing needs it any more.
rm -f "$T"/keys/K"$ZONE".+013+"$(printf %05d "$OLD")".*
two() { [ "$(dnskeys)" = 2 ]; }
wait_for 10 "the old ZSK gone" two
expect_ad "$ZONE" A NOERROR 26
expect_ad "$ZONE" TXT NOERROR 0
assert_eq "$(rrsig_tag A)" "$NEW" "signing key after the rollover"
grep -q "signing with ZSK $NEW" "$T/s1.log" || fail "the seeder did not log the new ZSK"
log "ZSK rollover $OLD -> $NEW without a validation failure"

# --- a signed answer too big for the UDP size: TC with no records, and
# dig's retry over TCP gets the whole signed RRset.
out=$(dq +dnssec +bufsize=512 +ignore "$ZONE" A)
assert_has "$(echo "$out" | flags_of)" tc "signed A at 512 bytes"
assert_eq "$(echo "$out" | count_of ANSWER)" 0 "a truncated signed answer's records"
out=$(dq +dnssec +bufsize=512 "$ZONE" A)
echo "$out" | grep -q "Truncated, retrying in TCP mode" || fail "no TCP retry"
assert_eq "$(echo "$out" | count_of ANSWER)" 26 "signed A over TCP"
log "signed answer over 512 bytes: TC, then all of it over TCP"

# --- keys that cannot be read at a reload: a warning, the previous keys
# sign on; a database that cannot be read: the previous samples are
# signed again (the inception moves), still valid.
echo "garbage" > "$T/keys/Kseed.example.+013+00001.key"
wait_for 10 "a warning about the bad key file" grep -q "signing with the keys read before" \
	"$T/s1.log"
expect_ad "$ZONE" A NOERROR 26
rm -f "$T/keys/Kseed.example.+013+00001.key"
inception() { "${S[@]}" "$ZONE" SOA | awk '$4 == "RRSIG" { print $10; exit }'; }
mv "$DB" "$DB.away"
wait_for 10 "a failed read" grep -q "keeping the previous set" "$T/s1.log"
I1=$(inception)
moved() { [ "$(inception)" != "$I1" ]; }
wait_for 10 "signatures made again while the database is away" moved
expect_ad "$ZONE" A NOERROR 26
expect_ad "x5.$ZONE" A NOERROR 3
mv "$DB.away" "$DB"
log "unreadable keys and database: previous keys and samples signed again"

# --- keys that cannot be used at start-up stop the seeder (exit 2).
"$BIN/agentseeder" --db "$DB" --host "$ZONE" --ns ns1.example.net --mbox h@example.net \
	--listen "127.0.0.1:$(free_port)" --dnssec-keys "$T/nokeys" --log-file "$T/nokeys.log"
rc=$?
assert_eq "$rc" 2 "exit status with a missing key directory"
grep -q "nokeys" "$T/nokeys.log" || fail "the missing key directory is not named"

# --- the statistics count signed replies; the seeder survived it all.
kill -USR1 "$SEEDER_PID"
wait_for 5 "stats" grep -q "signed=[1-9]" "$T/s1.log"
kill -0 "$SEEDER_PID" || fail "the seeder died"
echo "seeder_dnssec: all checks passed"
