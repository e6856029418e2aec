#!/usr/bin/env bash
# node_geo.sh -- with a GeoIP database, outbound peers are chosen to spread
# countries and ASNs (design: SelectDiversePeers), and peers carry their
# country and ASN in getpeerinfo / getnetworkstats.
source "$(dirname "$0")/lib.bash"

# Six candidates in Germany (one ASN), one in the US, one in Japan.
{
	for i in 10 11 12 13 14 15; do
		printf '%s/32\tDE\tGermany\tFrankfurt\t50.11\t8.68\t24940\tHetzner Online GmbH\n' "$(ip_of $i)"
	done
	printf '%s/32\tUS\tUnited States\tNew York\t40.71\t-74.01\t14061\tDigitalOcean, LLC\n' "$(ip_of 20)"
	printf '%s/32\tJP\tJapan\tTokyo\t35.69\t139.69\t2516\tKDDI Corporation\n' "$(ip_of 30)"
} > "$T/geo.tsv"
perl "$ROOT/tests/tools/mkgeoip.pl" "$T/geo.mmdb" < "$T/geo.tsv" || fail "cannot build the GeoIP database"

start_node seed 1 --seed --min-peers 0
for i in 10 11 12 13 14 15 20 30; do
	start_node "n$i" "$i" --seed-node "$(ip_of 1):$REGTEST_P2P" --min-peers 0
done
seed_knows_all() {
	local known; known=$(rpc seed getnodeaddresses 0)
	for i in 10 11 12 13 14 15 20 30; do
		echo "$known" | grep -q "\"$(ip_of $i):$REGTEST_P2P\"" || return 1
	done
}
wait_for 30 "the seed knows all eight candidates" seed_knows_all

start_node x 50 --seed-node "$(ip_of 1):$REGTEST_P2P" --min-peers 3 --geoip-db "$T/geo.mmdb"
three_out() {
	[ "$(rpc x getpeerinfo | json "sum(1 for p in d if p['connection_type']=='full' and p['direction']=='outbound' and p['handshake_complete'])")" -ge 3 ]
}
wait_for 30 "x has three outbound peers" three_out
countries=$(rpc x getpeerinfo | json "' '.join(sorted(p['country'] or '-' for p in d if p['connection_type']=='full' and p['direction']=='outbound'))")
log "x's outbound peers are in: $countries"
if [ "$countries" != "DE JP US" ]; then
	echo "x knows:"; rpc x getnodeaddresses 0
	grep -E "dialling|handshake done|bootstrap" "$T/x/node.log"
	fail "outbound peers not spread across countries: $countries"
fi
rpc x getpeerinfo | json "[p['asn'] for p in d if p['country']=='JP'][0]" | grep -q 2516 ||
	fail "ASN missing from getpeerinfo"
rpc x getnetworkstats | json 'd["GeographicSpread"]' | grep -q "'US': 1" ||
	fail "GeographicSpread does not count the US peer"
echo "PASS node_geo"
