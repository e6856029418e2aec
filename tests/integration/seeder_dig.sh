#!/usr/bin/env bash
# seeder_dig.sh -- agentseeder answers real resolvers' tools (dig, kdig) over
# UDP and TCP, IPv4 and IPv6 loopback: A, AAAA, SOA, NS, ANY, service
# filters, out-of-zone and unknown names, EDNS sizes, truncation and the
# TCP retry, letter case, and the statistics on SIGUSR1.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/seeder_lib.bash"

command -v dig >/dev/null || fail "dig missing (bind9-dnsutils)"
command -v kdig >/dev/null || fail "kdig missing (knot-dnsutils)"

DB=$T/crawl.db
# 60 IPv4 in distinct /16s, 30 IPv6, plus nodes with service bits:
# 1.2.3.4 NETWORK|SEED (5), 1.2.4.4 NETWORK|RELAY|SEED (7), 1.2.5.4 RELAY
# only (not good: no NODE_NETWORK), 9.9.9.9 never handshaked (not good).
"$SEEDDB" "$DB" mainnet --gen4 60 --gen6 30 1.2.3.4/5 1.2.4.4/7 1.2.5.4/2 -9.9.9.9 ||
	fail "seederdb"
start_seeder s1 "$DB" --max-answers 40 --max-answers6 16
log "agentseeder on port $SPORT"

# --- A over UDP without EDNS: 40 do not fit 512 bytes -> TC, and dig
# retries over TCP by itself and gets all 40.
out=$(dq +noedns +ignore "$ZONE" A)
f=$(echo "$out" | flags_of)
assert_has "$f" qr "A flags"; assert_has "$f" aa "A flags"; assert_has "$f" tc "A/512 flags"
assert_lacks "$f" ra "A flags"; assert_lacks "$f" ad "A flags"
n=$(echo "$out" | count_of ANSWER)
[ "$n" -ge 25 ] && [ "$n" -lt 40 ] || fail "truncated answer has $n records"
size=$(echo "$out" | sed -n 's/.*MSG SIZE  rcvd: \([0-9]*\)/\1/p')
[ "$size" -le 512 ] || fail "UDP reply of $size bytes without EDNS"
out=$(dq +noedns "$ZONE" A)
echo "$out" | grep -q "Truncated, retrying in TCP mode" || fail "dig did not retry over TCP"
assert_eq "$(echo "$out" | count_of ANSWER)" 40 "A after TCP retry"
log "A: TC at 512 bytes, TCP retry gets all 40"

# --- EDNS: 1232 fits 40 A records; 512 does not; the OPT says 1232.
out=$(dq +bufsize=1232 +ignore "$ZONE" A)
assert_eq "$(echo "$out" | count_of ANSWER)" 40 "A with EDNS 1232"
assert_lacks "$(echo "$out" | flags_of)" tc "A with EDNS 1232"
echo "$out" | grep -q "udp: 1232" || fail "OPT payload size not 1232"
out=$(dq +bufsize=4096 +ignore "$ZONE" A)
echo "$out" | grep -q "udp: 1232" || fail "EDNS 4096 not capped at 1232"
out=$(dq +bufsize=512 +ignore "$ZONE" A)
assert_has "$(echo "$out" | flags_of)" tc "A with EDNS 512"
# Every answer is a fresh random sample of good nodes only.
a1=$(dq +short "$ZONE" A | sort | tr '\n' ' ')
a2=$(dq +short "$ZONE" A | sort | tr '\n' ' ')
[ "$a1" != "$a2" ] || fail "two A answers were the same sample"
all=$(for i in $(seq 20); do dq +short "$ZONE" A; done | sort -u)
echo "$all" | grep -qx 9.9.9.9 && fail "a node that is not good was served"
echo "$all" | grep -qx 1.2.5.4 && fail "a node without NODE_NETWORK was served"
[ "$(echo "$all" | wc -l)" -ge 55 ] || fail "20 samples covered only $(echo "$all" | wc -l) nodes"
log "A: EDNS sizes honoured, fresh samples, only good nodes"

# --- AAAA over UDP and IPv6 transport.
assert_eq "$(dq +short "$ZONE" AAAA | grep -c :)" 16 "AAAA count"
if [ $HAVE_V6 = 1 ]; then
	n=$(dig @::1 -p "$SPORT" +time=2 +tries=1 +short "$ZONE" AAAA | grep -c :)
	assert_eq "$n" 16 "AAAA over IPv6"
	n=$(dig @::1 -p "$SPORT" +time=2 +tries=1 +tcp +short "$ZONE" A | grep -c '\.')
	assert_eq "$n" 40 "A over IPv6 TCP"
fi

# --- SOA, NS, ANY (RFC 8482: one HINFO, no amplification).
out=$(dq "$ZONE" SOA)
echo "$out" | grep -Eq "^$ZONE\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+SOA[[:space:]]+ns1\.example\.net\. hostmaster\.example\.net\. [0-9]+ 3600 600 86400 60" ||
	fail "SOA: $out"
out=$(dq "$ZONE" NS +short)
assert_eq "$out" "ns1.example.net." "NS"
out=$(dq "$ZONE" ANY)
assert_eq "$(echo "$out" | count_of ANSWER)" 1 "ANY answer count"
echo "$out" | grep -q 'HINFO.*"RFC8482" ""' || fail "ANY is not the RFC 8482 HINFO"
out=$(dq +tcp "$ZONE" ANY)
echo "$out" | grep -q 'HINFO.*"RFC8482"' || fail "ANY over TCP"
log "SOA, NS, ANY ok"

# --- Service filters: x4 = NODE_SEED -> only 1.2.3.4 and 1.2.4.4; x7 only
# 1.2.4.4; X5 in upper case works; x2 (RELAY) only good nodes with it.
assert_eq "$(dq +short "x4.$ZONE" A | sort | tr '\n' ' ')" "1.2.3.4 1.2.4.4 " "x4"
assert_eq "$(dq +short "x7.$ZONE" A | tr '\n' ' ')" "1.2.4.4 " "x7"
assert_eq "$(dq +short "X5.$ZONE" A | sort | tr '\n' ' ')" "1.2.3.4 1.2.4.4 " "X5"
assert_eq "$(dq +short "x2.$ZONE" A | tr '\n' ' ')" "1.2.4.4 " "x2"
# A filter nobody matches: NODATA with the apex SOA.
out=$(dq "x4.$ZONE" AAAA)
assert_eq "$(echo "$out" | status_of)" NOERROR "x4 AAAA status"
assert_eq "$(echo "$out" | count_of ANSWER)" 0 "x4 AAAA answers"
echo "$out" | grep -Eq "^$ZONE\.[[:space:]]+60[[:space:]]+IN[[:space:]]+SOA" || fail "NODATA SOA not the apex's"
log "filters ok"

# --- Unknown names inside the zone: NXDOMAIN + SOA; outside: REFUSED with
# QR set and the question echoed.
for name in "foo.$ZONE" "x8.$ZONE" "x05.$ZONE" "a.x1.$ZONE"; do
	out=$(dq "$name" A)
	assert_eq "$(echo "$out" | status_of)" NXDOMAIN "$name"
	assert_has "$(echo "$out" | flags_of)" aa "$name flags"
	echo "$out" | grep -Eq "^$ZONE\.[[:space:]]+60[[:space:]]+IN[[:space:]]+SOA" || fail "$name: no apex SOA"
done
for name in example.com example. org.; do
	out=$(dq "$name" A)
	assert_eq "$(echo "$out" | status_of)" REFUSED "$name"
	assert_has "$(echo "$out" | flags_of)" qr "$name flags"
	assert_eq "$(echo "$out" | count_of QUERY)" 1 "$name question echoed"
	echo "$out" | grep -q "WARNING: query response not set" && fail "$name: QR not set"
done
log "NXDOMAIN and REFUSED ok"

# --- 0x20: the answer carries the query's letter case.
out=$(dq "SeEd.ExAmPlE" A +noall +answer | head -1)
case "$out" in SeEd.ExAmPlE.*) ;; *) fail "case not preserved: $out";; esac

# --- kdig, UDP and TCP, with and without EDNS.
# kdig sends no EDNS by default: 40 A records get TC and kdig retries
# over TCP by itself.
out=$(kq "$ZONE" A 2>&1)
echo "$out" | grep -q "status: NOERROR" || fail "kdig A: $out"
echo "$out" | grep -q "retrying over TCP" || fail "kdig did not retry over TCP"
assert_eq "$(echo "$out" | grep -c "IN[[:space:]]*A[[:space:]]")" 40 "kdig A after TCP retry"
echo "$out" | grep -Eq "Flags: qr aa" || fail "kdig flags: $out"
n=$(kq +short +tcp "$ZONE" A | grep -c '\.')
assert_eq "$n" 40 "kdig TCP A"
n=$(kq +short +bufsize=1232 "$ZONE" AAAA | grep -c ':')
assert_eq "$n" 16 "kdig AAAA"
out=$(kq +ignore +noedns "$ZONE" A)
echo "$out" | grep -Eq "Flags: qr aa tc" || fail "kdig without EDNS: no TC: $out"
out=$(kq "$ZONE" ANY)
echo "$out" | grep -q "RFC8482" || fail "kdig ANY"
out=$(kq "example.org" A)
echo "$out" | grep -q "status: REFUSED" || fail "kdig REFUSED"
log "kdig ok"

# --- Issue 15 item 22, as NSD answers: an IXFR in RFC 1995 form (kdig
# sends the client's SOA in the authority section) is REFUSED, not FORMERR;
# NOTIMP to an EDNS query carries OPT; a TSIG-signed query gets NOTAUTH
# with an unsigned TSIG saying BADKEY.
for tr in +tcp +notcp; do
	out=$(kq "$tr" IXFR=1 "$ZONE" 2>&1)
	echo "$out" | grep -q "replied with error 'REFUSED'" || fail "IXFR in RFC 1995 form ($tr): $out"
done
out=$(dq +opcode=update "$ZONE" SOA)
assert_eq "$(echo "$out" | status_of)" NOTIMP "UPDATE status"
echo "$out" | grep -q "EDNS: version: 0, flags:; udp: 1232" || fail "NOTIMP without OPT: $out"
out=$(kq -y hmac-sha256:k1.example:c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0 "$ZONE" A 2>&1)
echo "$out" | grep -q "status: BADKEY" || fail "TSIG query: $out"
echo "$out" | grep -Eq "^k1\.example\.[[:space:]]+0[[:space:]]+ANY[[:space:]]+TSIG[[:space:]]+hmac-sha256\. [0-9]+ 300 0 [0-9]+ BADKEY 0" ||
	fail "TSIG record of the BADKEY reply: $out"
out=$(dq -y hmac-sha256:k1.example:c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0 "$ZONE" A 2>&1)
assert_eq "$(echo "$out" | status_of)" NOTAUTH "dig TSIG status"
log "IXFR (RFC 1995) REFUSED, NOTIMP with OPT, TSIG NOTAUTH/BADKEY"

# --- Statistics on SIGUSR1.
kill -USR1 "$SEEDER_PID"
wait_for 5 "stats line" grep -q "\[stats\].*queries udp=.*good ipv4=62 ipv6=30" "$T/s1.log"
grep "\[stats\]" "$T/s1.log" | tail -1 | grep -Eq "refused=[1-9]" || fail "REFUSED not counted"
grep "\[stats\]" "$T/s1.log" | tail -1 | grep -Eq "notauth=[1-9]" || fail "NOTAUTH not counted"
log "stats: $(grep '\[stats\]' "$T/s1.log" | tail -1 | cut -c1-160)..."

# --- Exit codes: usage errors 1, start-up failures 2, --help 0.
"$BIN/agentseeder" --host "$ZONE" --ns a.example --mbox b.example >/dev/null 2>&1
assert_eq $? 1 "exit code without --db"
"$BIN/agentseeder" --db "$DB" --host "$ZONE" --ns a.example --mbox b.example --ttl 30 \
	>/dev/null 2>&1
assert_eq $? 1 "exit code with --ttl 30"
"$BIN/agentseeder" --db "$DB" --host "bad..name" --ns a.example --mbox b.example \
	--listen "127.0.0.1:$SPORT" --log-file "$T/bad.log"
assert_eq $? 1 "exit code with a bad --host"
"$BIN/agentseeder" --db "$DB" --host "$ZONE" --ns a.example --mbox b.example \
	--listen "127.0.0.1:$SPORT" --log-file "$T/busy.log"
assert_eq $? 2 "exit code when the port is taken"
grep -q "127.0.0.1:$SPORT/udp: bind: Address already in use" "$T/busy.log" ||
	fail "no bind error logged"
"$BIN/agentseeder" --help | grep -q -- "--max-answers6" || fail "--help"
# An emptied listen list is a mistake, not "the default addresses".
out=$("$BIN/agentseeder" --db "$DB" --host "$ZONE" --ns a.example --mbox b.example \
	--set 'seeder.listen=[]' 2>&1)
assert_eq $? 1 "exit code with seeder.listen: []"
echo "$out" | grep -q "seeder.listen is empty" || fail "no reason for an empty listen list: $out"
if [ "$(id -u)" = 0 ]; then
	p=$(free_port)
	"$BIN/agentseeder" --db "$DB" --host "$ZONE" --ns a.example --mbox b.example \
		--listen "127.0.0.1:$p" --user no-such-user-here --log-file "$T/nouser.log"
	assert_eq $? 2 "exit code with an unknown --user"
	grep -q "no user 'no-such-user-here'" "$T/nouser.log" || fail "no unknown-user log line"
fi
log "exit codes ok"

# --- --user: as root, bind then run as nobody, and still serve.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir "$T/pd"
	cp "$DB" "$T/pd/crawl.db"
	chown -R nobody "$T/pd"
	chmod 755 "$T"
	kill -TERM "$SEEDER_PID"
	wait_for 10 "first seeder exits" bash -c "! kill -0 $SEEDER_PID 2>/dev/null"
	start_seeder s2 "$T/pd/crawl.db" --user nobody
	uid=$(awk '/^Uid:/ {print $2 $3 $4 $5}' /proc/"$SEEDER_PID"/status)
	n=$(id -u nobody)
	assert_eq "$uid" "$n$n$n$n" "uids after --user nobody"
	grep -q "running as user nobody" "$T/s2.log" || fail "no privdrop log line"
	[ "$(dq +short "$ZONE" A | grep -c .)" -ge 25 ] || fail "no answer after --user"
	log "--user nobody: dropped root, still serving"
else
	log "skipping --user (needs root)"
fi
echo "seeder_dig: all checks passed"
