#!/usr/bin/env bash
# manpages.sh -- every man page renders without warnings (mandoc and groff),
# and every flag a program's --help lists is documented in its page.
source "$(dirname "$0")/lib.bash"

n=0
for page in "$ROOT"/man/*.[158]; do
	[ -e "$page" ] || continue
	out=$(mandoc -T lint -W warning "$page" 2>&1) || fail "mandoc: $out"
	out=$(groff -mandoc -ww -z "$page" 2>&1)
	[ -z "$out" ] || fail "groff: $out"
	prog=$(basename "$page"); prog=${prog%.*}
	if [ -x "$BIN/$prog" ] && "$BIN/$prog" --help >"$T/help" 2>&1; then
		for flag in $(grep -o -- '--[a-z][a-z0-9-]*' "$T/help" | sort -u); do
			grep -q -- "Fl -${flag#--}\b\|\\\\-\\\\-${flag#--}\b" "$page" ||
				fail "$prog: $flag is in --help but not in $(basename "$page")"
		done
	fi
	n=$((n + 1))
done
[ $n -gt 0 ] || fail "no man pages found"
# Every RPC method agentnode --help lists has an entry in agentnode(1).
"$BIN/agentnode" --help | sed -n '/^RPC methods:/,/^$/p' |
	awk '/^  [a-z]/ { print $1 }' > "$T/methods"
[ -s "$T/methods" ] || fail "agentnode --help lists no RPC methods"
while read -r m; do
	grep -q "^\.It Cm $m\b" "$ROOT/man/agentnode.1" ||
		fail "RPC method $m is in agentnode --help but not in agentnode.1"
done < "$T/methods"
python3 "$ROOT/man/gen-agentchain-yaml.py" "$BIN/agentnode" > "$T/agentchain.yaml.5" ||
	fail "cannot generate agentchain.yaml.5"
diff -u "$ROOT/man/agentchain.yaml.5" "$T/agentchain.yaml.5" >"$T/man.diff" ||
	fail "man/agentchain.yaml.5 is stale: run 'make man' ($(head -c 600 "$T/man.diff"))"
echo "PASS manpages ($n pages)"
