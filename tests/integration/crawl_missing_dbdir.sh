#!/usr/bin/env bash
# crawl_missing_dbdir.sh -- issue 15 item 23: --db in a directory that does
# not exist.  Every command fails with status 1 and an error naming the
# directory, instead of "crawl.db.lock: No such file or directory", and
# creates nothing.
source "$(dirname "$0")/lib.bash"

DIR=$T/no/such/dir
DB=$DIR/crawl.db
want="$DB: database directory $DIR does not exist"

for cmd in "crawl --once --progress off --seed 127.0.0.1:1" "stats" "export --format csv"; do
	# shellcheck disable=SC2086
	"$BIN/agentcrawl" $cmd --network regtest --db "$DB" \
		> "$T/out.txt" 2> "$T/err.txt" < /dev/null && fail "$cmd succeeded"
	rc=$?
	[ "$rc" -eq 1 ] || fail "$cmd: exit $rc, want 1"
	grep -qF "$want" "$T/err.txt" || fail "$cmd: no clear error: $(cat "$T/err.txt")"
	grep -q "\.lock" "$T/err.txt" && fail "$cmd: still blames the lock file"
	log "$cmd: $(tail -1 "$T/err.txt")"
done
[ -e "$T/no" ] && fail "something was created"
echo "PASS crawl_missing_dbdir"
