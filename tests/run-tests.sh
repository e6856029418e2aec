#!/usr/bin/env bash
# run-tests.sh -- run every unit test binary and every integration script,
# each under a time limit, and print one closing "N passed, N failed" line.
#
# Environment: BUILD (object dir, default build), BIN (binaries, default bin),
# TESTS (optional glob filter on test names).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BIN=${BIN:-bin}
export BUILD BIN
export AGENTCHAIN_BIN="$PWD/$BIN" AGENTCHAIN_TOOLS="$PWD/$BUILD/tests/tools"
UNIT_TIMEOUT=${UNIT_TIMEOUT:-120}
INTEG_TIMEOUT=${INTEG_TIMEOUT:-600}
filter=${TESTS:-*}
logdir="$BUILD/test-logs"
mkdir -p "$logdir"

pass=0; fail=0; failed=()
run_one() {
	local name=$1 limit=$2; shift 2
	local t0 t1 rc
	t0=$(date +%s.%N)
	timeout --kill-after=10 "$limit" "$@" >"$logdir/$name.log" 2>&1
	rc=$?
	t1=$(date +%s.%N)
	local dt; dt=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1)); printf 'PASS %-40s %6ss\n' "$name" "$dt"
	else
		fail=$((fail + 1)); failed+=("$name")
		printf 'FAIL %-40s %6ss (exit %d)\n' "$name" "$dt" "$rc"
		sed 's/^/    | /' "$logdir/$name.log" | tail -n 40
	fi
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	# shellcheck disable=SC2053
	[[ $n == $filter ]] || continue
	run_one "$n" "$UNIT_TIMEOUT" "$t"
done
for t in tests/integration/*.sh; do
	[ -e "$t" ] || continue
	n=$(basename "$t" .sh)
	[[ $n == $filter ]] || continue
	run_one "$n" "$INTEG_TIMEOUT" bash "$t"
done

echo
[ $fail -gt 0 ] && echo "failed: ${failed[*]}"
echo "$pass $fail" > "$BUILD/test-summary"
echo "tests: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
