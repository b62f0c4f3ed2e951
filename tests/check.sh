#!/bin/sh
# make test: runs tests/run.sh once per build directory given (the normal
# build and the sanitized one), the runs side by side (the machine has two
# cores, and most of a run waits on servers, sleeps and timeouts). While
# they run, one line per test program as it ends ("[build-san]
# scripts/x.sh: 12 ok, 0 failed, 7 s"), so a slow or stuck test shows
# where it is; then each run's output in turn, the failures once more,
# and last the totals of all runs as "N passed, N failed, N skipped".
# The runs share one deadline, SLUICE_CHECK_LIMIT seconds (default 3600)
# from the start: a test still running then is stopped and the rest are
# counted as failures, not run, so a stuck test can never hold CI past
# its own limit. Exits non-zero when anything failed.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sluice-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'rm -rf "$tmp"; kill 0; exit 130' INT TERM
tp=0 tf=0 ts=0
status=0
started=$(date +%s)
SLUICE_TEST_DEADLINE=$((started + ${SLUICE_CHECK_LIMIT:-3600}))
export SLUICE_TEST_DEADLINE
i=0
for build in "$@"; do
	i=$((i + 1))
	("$ROOT/tests/run.sh" "$build" 3>&1 >"$tmp/out.$i" 2>&1
	    echo $? >"$tmp/rc.$i") &
done
wait
echo "all runs ended after $(($(date +%s) - started)) s"
i=0
for build in "$@"; do
	i=$((i + 1))
	echo "== tests on $build"
	cat "$tmp/out.$i"
done
i=0
for build in "$@"; do
	i=$((i + 1))
	last=$(tail -n 1 "$tmp/out.$i")
	rc=$(cat "$tmp/rc.$i" 2>/dev/null || echo 1)
	grep '^FAIL: ' "$tmp/out.$i" | sed "s|^|[$build] |"
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
