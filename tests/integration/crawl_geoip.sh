#!/usr/bin/env bash
# crawl_geoip.sh -- agentcrawl with a GeoIP/ASN database generated here
# (tests/tools/mkgeoip.pl) that places the loopback test peers in real
# cities: the records, NODES.md and stats show those places.
source "$(dirname "$0")/lib.bash"

FNET=$(( 222 + RANDOM % 30 ))
# fakenet puts peer i at 127.FNET.0.(i+1).
cat > "$T/geo.tsv" <<TSV
127.$FNET.0.0/30	DE	Germany	Frankfurt	50.11	8.68	24940	Hetzner Online GmbH
127.$FNET.0.4/30	US	United States	New York	40.71	-74.01	14061	DigitalOcean, LLC
127.$FNET.0.8/30	JP	Japan	Tokyo	35.68	139.69	2516	KDDI Corporation
127.$FNET.0.12/31	BR	Brazil	São Paulo	-23.55	-46.63	28573	Claro NXT Telecomunicacoes Ltda
TSV
perl "$ROOT/tests/tools/mkgeoip.pl" "$T/geo.mmdb" < "$T/geo.tsv" || fail "mkgeoip.pl"

"$TOOLS/fakenet" --count 14 --net $FNET --seed 3 --book 4 > "$T/fakenet.log" 2>&1 &
PIDS+=("$!")
wait_for 30 "fakenet ready" grep -q '^READY' "$T/fakenet.log"
SEED=$(sed -n 's/^READY [0-9]* seed=//p' "$T/fakenet.log")

DB=$T/crawl.db
"$BIN/agentcrawl" crawl --network regtest --db "$DB" --seed "$SEED" --once \
	--geoip-db "$T/geo.mmdb" --asn-db "$T/geo.mmdb" --progress off \
	--log-file "$T/crawl.log" > "$T/summary.txt" || fail "crawl"
cat "$T/summary.txt"
grep -q "reachable 14" "$T/summary.txt" || fail "not every peer reached"

"$BIN/agentcrawl" export --db "$DB" --format nodes-md -o "$T/NODES.md" || fail "export"
cat "$T/NODES.md"
row() { grep -F "| 127.$FNET.0.$1:29001 | $2 |" "$T/NODES.md" >/dev/null || fail "row $1 lacks '$2'"; }
row 1 "DE, Frankfurt"
row 3 "DE, Frankfurt"
row 5 "US, New York"
row 9 "JP, Tokyo"
row 13 "BR, São Paulo"
row 14 "—"	# outside every network of the database

"$BIN/agentcrawl" export --db "$DB" --format json -o "$T/nodes.json" || fail "export json"
python3 - "$T/nodes.json" "$FNET" <<'PY' || fail "locations in the records"
import json, sys
nodes = {n["address"]: n for n in json.load(open(sys.argv[1]))}
net = sys.argv[2]
ny = nodes[f"127.{net}.0.6:29001"]
assert ny["country"] == "US" and ny["city"] == "New York", ny
assert abs(ny["latitude"] - 40.71) < 1e-6 and abs(ny["longitude"] + 74.01) < 1e-6, ny
assert ny["asn"] == 14061 and ny["as_org"] == "DigitalOcean, LLC", ny
sp = nodes[f"127.{net}.0.13:29001"]
assert sp["city"] == "São Paulo" and sp["asn"] == 28573, sp
none = nodes[f"127.{net}.0.14:29001"]
assert none["country"] == "" and none["latitude"] is None and none["asn"] == 0, none
print("locations ok")
PY
"$BIN/agentcrawl" export --db "$DB" --format csv -o "$T/nodes.csv" || fail "export csv"
grep -q '"BR","São Paulo",-23.5500,-46.6300,28573,' "$T/nodes.csv" || fail "csv location"

"$BIN/agentcrawl" stats --db "$DB" > "$T/stats.txt" || fail "stats"
cat "$T/stats.txt"
grep -qE '^  DE +3$' "$T/stats.txt" || fail "GeographicSpread DE"
grep -qE '^  BR +2$' "$T/stats.txt" || fail "GeographicSpread BR"
grep -qE '^  AS24940 Hetzner Online GmbH +3$' "$T/stats.txt" || fail "ASN spread"
echo "PASS crawl_geoip"
