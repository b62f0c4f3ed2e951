#!/bin/sh
# make test: runs tests/run.sh once per build directory given (the normal
# build and the sanitized one), the runs side by side (the machine has two
# cores, and most of a run waits on servers, sleeps and timeouts), then
# shows each run's output in turn and ends with the totals of all runs as
# "N passed, N failed, N skipped". Exits non-zero when anything failed.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sluice-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'rm -rf "$tmp"; kill 0; exit 130' INT TERM
tp=0 tf=0 ts=0
status=0
i=0
for build in "$@"; do
	i=$((i + 1))
	("$ROOT/tests/run.sh" "$build" >"$tmp/out.$i" 2>&1
	    echo $? >"$tmp/rc.$i") &
done
wait
i=0
for build in "$@"; do
	i=$((i + 1))
	echo "== tests on $build"
	cat "$tmp/out.$i"
	last=$(tail -n 1 "$tmp/out.$i")
	rc=$(cat "$tmp/rc.$i" 2>/dev/null || echo 1)
	set -- $last
	case "$last" in
	*" passed, "*" failed, "*" skipped")
		tp=$((tp + $1)) tf=$((tf + $3)) ts=$((ts + $5)) ;;
	*) tf=$((tf + 1)); echo "FAIL: the run on $build did not finish" ;;
	esac
	[ "$rc" -ne 0 ] && status=1
done
echo "$tp passed, $tf failed, $ts skipped"
exit $status
