#!/usr/bin/env bash
# run-fuzz.sh -- run every built libFuzzer target for FUZZ_SECONDS on its seed
# corpus (tests/fuzz/corpus/<name minus fuzz_>/).  New inputs go to a scratch
# directory, never into the repository.  Crashes are kept in build/fuzz/.
set -u
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-60}
pass=0; fail=0
for f in build/fuzz/fuzz_*; do
	[ -x "$f" ] || continue
	n=$(basename "$f"); seeds="tests/fuzz/corpus/${n#fuzz_}"
	scratch=$(mktemp -d)
	echo "fuzz $n for ${secs}s (seeds: $seeds)"
	if timeout $((secs + 60)) "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix=build/fuzz/"$n"- -print_final_stats=1 "$scratch" \
	    $( [ -d "$seeds" ] && echo "$seeds" ) >build/fuzz/"$n".log 2>&1; then
		pass=$((pass + 1)); echo "PASS $n: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' build/fuzz/"$n".log)"
	else
		fail=$((fail + 1)); echo "FAIL $n"; tail -n 40 build/fuzz/"$n".log
	fi
	rm -rf "$scratch"
done
echo "$pass $fail" > build/fuzz/summary
echo "fuzz: $pass passed, $fail failed"
[ $fail -eq 0 ]
