#!/bin/sh
# make test: runs tests/run.sh once per build directory given (the normal
# build and the sanitized one) and ends with the totals of all runs as
# "N passed, N failed, N skipped". Exits non-zero when anything failed.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
tp=0 tf=0 ts=0
status=0
for build in "$@"; do
	echo "== tests on $build"
	"$ROOT/tests/run.sh" "$build" >"${TMPDIR:-/tmp}/sluice-check.$$" 2>&1
	rc=$?
	cat "${TMPDIR:-/tmp}/sluice-check.$$"
	last=$(tail -n 1 "${TMPDIR:-/tmp}/sluice-check.$$")
	rm -f "${TMPDIR:-/tmp}/sluice-check.$$"
	set -- $last
	case "$last" in
	*" passed, "*" failed, "*" skipped")
		tp=$((tp + $1)) tf=$((tf + $3)) ts=$((ts + $5)) ;;
	*) tf=$((tf + 1)); echo "FAIL: the run on $build did not finish" ;;
	esac
	[ $rc -ne 0 ] && status=1
done
echo "$tp passed, $tf failed, $ts skipped"
exit $status
