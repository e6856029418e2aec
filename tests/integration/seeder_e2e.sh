#!/usr/bin/env bash
# seeder_e2e.sh -- the whole DNS-seed path on loopback: regtest nodes form a
# network, agentcrawl crawls it into a database (and keeps crawling),
# agentseeder serves the good nodes from that database while the crawler
# writes, and a fresh agentnode that knows nothing but the seed's name
# (--dns-seed, --dns-server pointing at the seeder) joins the network.
source "$(dirname "$0")/lib.bash"
source "$(dirname "$0")/seeder_lib.bash"

N=6
COMMON=(--min-peers 2 --max-peers 20)
start_node seed 1 --seed "${COMMON[@]}"
for i in $(seq 2 $N); do
	start_node "n$i" "$i" --seed-node "$(ip_of 1):$REGTEST_P2P" "${COMMON[@]}"
done
seed_knows_all() { [ "$(known_count seed)" -ge $((N - 1)) ]; }
wait_for 40 "the seed knows the other nodes" seed_knows_all
log "network of $N nodes up"

DB=$T/crawl.db
"$BIN/agentcrawl" crawl --network regtest --db "$DB" --seed "$(ip_of 1):$REGTEST_P2P" \
	--progress off --log-file "$T/crawl.log" &
PIDS+=($!)
good_count() {
	"$BIN/agentcrawl" stats --network regtest --db "$DB" --json 2>/dev/null |
	    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("GoodNodes", 0))' 2>/dev/null
}
crawled() { [ "$(good_count)" -ge $N ] 2>/dev/null; }
wait_for 60 "agentcrawl finds $N good nodes" crawled
log "crawler: $(good_count) good nodes"

start_seeder seeder "$DB" --network regtest --reload 1
served() { [ "$(dq +short "$ZONE" A | grep -c "^$NET\.0\.")" -ge $N ]; }
wait_for 20 "the seeder serves all $N nodes" served
log "seeder serves: $(dq +short "$ZONE" A | sort -t. -k4n | tr '\n' ' ')"

# A fresh node: no seed nodes, no peers file, only the DNS seed.
start_node fresh 20 --dns-seed "$ZONE" --dns-server "127.0.0.1:$SPORT" "${COMMON[@]}"
joined() { [ "$(outbound_count fresh)" -ge 2 ]; }
wait_for 60 "the fresh node connects through the DNS seed" joined
grep -q "asking seed $ZONE" "$T/fresh/node.log" || fail "fresh node never asked the seed"
grep -Eq "$ZONE: [0-9]+ addresses, [1-9][0-9]* new" "$T/fresh/node.log" ||
	fail "fresh node got no addresses from the seed"
log "fresh node: $(outbound_count fresh) outbound peers, knows $(known_count fresh) addresses"

# The seeder kept answering while the crawler wrote, and never served
# anything but the crawled nodes.
kill -USR1 "$SEEDER_PID"
wait_for 5 "stats" grep -q "\[stats\]" "$T/seeder.log"
grep -q "keeping the previous set" "$T/seeder.log" &&
	log "note: a reload met a busy database (kept the set): $(grep -c 'keeping the previous' "$T/seeder.log")x"
for a in $(dq +short "$ZONE" A); do
	case "$a" in "$NET".0.[1-9]) ;; *) fail "served an address that is not a node: $a";; esac
done
# The loop closes: the crawler, still running, learns of the newcomer
# through the network's addr gossip and reaches it.
crawler_sees_fresh() {
	"$BIN/agentcrawl" export --db "$DB" --format json --all 2>/dev/null |
	    python3 -c "import json,sys; d=json.load(sys.stdin); n=d['nodes'] if isinstance(d,dict) else d; sys.exit(0 if any(x['address'].startswith('$(ip_of 20):') and x.get('last_success',0) for x in n) else 1)"
}
wait_for 90 "the crawler reaches the node that joined through the seeder" crawler_sees_fresh
log "crawler reached the fresh node"
echo "seeder_e2e: all checks passed"
