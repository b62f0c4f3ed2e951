#!/bin/sh
# Records what a stage does now as a case's expected output, for a new case
# or a deliberate change of behaviour. Review every file it writes (git
# diff) before committing: a blessed mistake is a test that cannot fail.
#
#   tests/bless.sh tests/stages/STAGE/CASE [--rejects] [--dropped]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
dir=$(cd "$1" && pwd)
shift
stage=$(basename "$(dirname "$dir")")
for flag in "$@"; do
	case $flag in
	--rejects) : >"$dir/expected.rejects" ;;
	--dropped) : >"$dir/expected.dropped" ;;
	esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
set --
[ -f "$dir/args" ] && eval "set -- $(cat "$dir/args")"
[ -f "$dir/expected.rejects" ] && set -- "$@" --rejects "$tmp/rejects"
[ -f "$dir/expected.dropped" ] && set -- "$@" --dropped "$tmp/dropped"
input=/dev/null
[ -f "$dir/input" ] && input=$dir/input
status=0
(cd "$dir" && SLUICE_PROGRESS=0 exec "$ROOT/build/bin/$stage" "$@" \
    <"$input" >"$dir/expected.out" 2>"$dir/expected.err") || status=$?
if [ "$status" = 0 ]; then rm -f "$dir/expected.status"
else echo "$status" >"$dir/expected.status"; fi
for f in rejects dropped; do
	if [ -f "$dir/expected.$f" ]; then
		if [ -f "$tmp/$f" ]; then cp "$tmp/$f" "$dir/expected.$f"
		else : >"$dir/expected.$f"; fi
	fi
done
echo "blessed $dir (exit $status)"
