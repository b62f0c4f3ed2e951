#!/bin/sh
# Runs every test against the binaries in one build directory and prints
# "N passed, N failed, N skipped" last.
#
#   tests/run.sh [BUILD]          BUILD defaults to build
#   tests/run.sh build stages/csv2ndjson/004-ragged   one stage case
#   tests/run.sh build vendors/turbovote/cases/shape/001-canonical-record
#   tests/run.sh build long       the long runs, tests/long/*.sh (make check-long)
#
# Three kinds of test, all counted the same way:
#   - unit tests: BUILD/tests/test_* print "ok - NAME" / "not ok - NAME";
#   - stage tests: tests/stages/STAGE/CASE/ and, for each vendor,
#     vendors/NAME/cases/STAGE/CASE/ (and tests/vendors/NAME/cases/..., the
#     made-up vendor's) hold args, input, expected.out and
#     optionally expected.rejects, expected.dropped, expected.err and
#     expected.status (default 0); the stage runs in the case directory
#     and its outputs must match exactly. A stage with a fast path
#     (FASTPATH below) runs each case twice, the second time with
#     SLUICE_FASTPATH=0, and both must match: the fast path and the jansson
#     path write the same bytes;
#   - script tests: tests/scripts/*.sh print "ok - ..." / "not ok - ..." /
#     "skip - ..." lines; they get BIN, ROOT, SHARED and TMPDIR.
# A test program that exits non-zero without a "not ok" line (a crash, a
# sanitizer report) counts as one failure. Every test program reads
# /dev/null, never the runner's standard input (CI has none), and runs
# under a time limit (SLUICE_TEST_LIMIT seconds, default 600, and never
# past SLUICE_TEST_DEADLINE, a time in seconds since 1970 that
# tests/check.sh sets for the whole run): a test that hangs fails by name
# instead of holding the whole run, and a run out of time says which
# tests it did not run. When file
# descriptor 3 is open, one line per test program (its name, counts and
# seconds) goes there as it ends: tests/check.sh shows them live. No test
# inherits it: a server a test leaves behind must not hold the caller's
# output open.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
ONLY=${2:-}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
BIN=$BUILD/bin
SHARED=$(cd "$ROOT/.." && pwd)/shared
TMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/sluice-test.XXXXXX")
trap 'rm -rf "$TMPDIR"' EXIT INT TERM
export BIN ROOT SHARED TMPDIR
# Progress lines would only clutter captured stderr; the services of the
# shell that runs the tests must not leak into them (a test that needs a
# service starts its own and says where it is).
export SLUICE_PROGRESS=0
unset NORTHSTAR_URL ROGUE_URL QUASAR_URL NORTHSTAR_CLIENT_ID \
    NORTHSTAR_CLIENT_SECRET NORTHSTAR_CLIENT_SECRET_FILE RTV_URL \
    RTV_PARTNER_ID RTV_PARTNER_API_KEY SLUICE_DATA SLUICE_FASTPATH \
    SLUICE_FASTPATH_STATS SLUICE_VENDORS

passed=0 failed=0 skipped=0
LIMIT=${SLUICE_TEST_LIMIT:-600}
DEADLINE=${SLUICE_TEST_DEADLINE:-0}
PROGRESS=0
{ true >&3; } 2>/dev/null && PROGRESS=1
SANITIZED=0
case $BUILD in *san*) SANITIZED=1 ;; esac

pass() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}

# Counts the TAP-like lines of a test program's output.
count_output() { # name output-file exit-status
	p=$(grep -c '^ok - ' "$2")
	f=$(grep -c '^not ok - ' "$2")
	s=$(grep -c '^skip - ' "$2")
	passed=$((passed + p))
	skipped=$((skipped + s))
	if [ "$f" -gt 0 ]; then
		failed=$((failed + f))
		grep '^not ok - ' "$2" | sed "s|^not ok - |FAIL: $1: |"
	fi
	if [ "$3" -eq 124 ]; then
		fail "$1 still running after $limit s: stopped"
		# Its comment lines say how to run it again (a seed).
		grep '^# ' "$2" | tail -n 5 | sed 's/^/    /'
	elif [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
		fail "$1 exited with status $3"
	fi
	if [ "$3" -ne 0 ] || [ "$f" -gt 0 ]; then
		sed 's/^/    /' "$2.err" | tail -n 30
	fi
}

# The seconds a test may take now: LIMIT, or less when the deadline is
# nearer; 0 once it has passed.
limit_now() {
	limit=$LIMIT
	[ "$DEADLINE" -gt 0 ] || return 0
	left=$((DEADLINE - $(date +%s)))
	[ $left -lt 0 ] && left=0
	[ $left -lt $limit ] && limit=$left
	return 0
}

run_program() { # name command...
	name=$1
	shift
	started=$(date +%s)
	limit_now
	if [ "$limit" -eq 0 ]; then
		fail "$name: not run: the run's time is out"
		return
	fi
	timeout -k 10 "$limit" "$@" </dev/null >"$TMPDIR/out" \
	    2>"$TMPDIR/out.err" 3>&-
	rc=$?
	before=$failed
	count_output "$name" "$TMPDIR/out" $rc
	if [ $PROGRESS = 1 ]; then
		echo "[${BUILD##*/}] $name: $(grep -c '^ok - ' "$TMPDIR/out") ok," \
		    "$((failed - before)) failed, $(($(date +%s) - started)) s" >&3
	fi
}

# Compares one expected file with what the stage produced.
same() { # case expected actual
	if ! cmp -s "$2" "$3"; then
		fail "$1: $(basename "$2") differs"
		diff -u "$2" "$3" | head -n 20 | sed 's/^/    /'
		return 1
	fi
}

# The stages whose cases also run with SLUICE_FASTPATH=0.
FASTPATH="csv2ndjson shape status-map dedupe validate attribute rollup sample"

run_case() { # directory
	dir=$1
	case_name=${dir#"$ROOT/tests/"}
	case_name=${case_name#"$ROOT/"}
	stage=$(basename "$(dirname "$dir")")
	ok=1
	run_case_once "$dir" "$case_name" "$stage" ""
	case " $FASTPATH " in
	*" $stage "*) run_case_once "$dir" "$case_name (SLUICE_FASTPATH=0)" \
	    "$stage" 0 ;;
	esac
	[ $ok = 1 ] && pass
}

run_case_once() { # directory name stage fastpath
	dir=$1 case_name=$2 stage=$3 fastpath=$4
	out=$TMPDIR/case
	rm -rf "$out"
	mkdir -p "$out"
	set --
	[ -f "$dir/args" ] && eval "set -- $(cat "$dir/args")"
	[ -f "$dir/expected.rejects" ] && set -- "$@" --rejects "$out/rejects"
	[ -f "$dir/expected.dropped" ] && set -- "$@" --dropped "$out/dropped"
	input=/dev/null
	[ -f "$dir/input" ] && input=$dir/input
	limit_now
	[ "$limit" -gt 120 ] && limit=120
	if [ "$limit" -eq 0 ]; then
		fail "$case_name: not run: the run's time is out"
		ok=0
		return
	fi
	if [ -n "$fastpath" ]; then
		(cd "$dir" && SLUICE_FASTPATH=$fastpath exec timeout $limit \
		    "$BIN/$stage" "$@" <"$input" >"$out/out" 2>"$out/err" 3>&-)
	else
		(cd "$dir" && exec timeout $limit "$BIN/$stage" "$@" \
		    <"$input" >"$out/out" 2>"$out/err" 3>&-)
	fi
	status=$?
	want=0
	[ -f "$dir/expected.status" ] && want=$(cat "$dir/expected.status")
	if [ "$status" != "$want" ]; then
		fail "$case_name: exit status $status, expected $want"
		sed 's/^/    /' "$out/err" | tail -n 20
		ok=0
	fi
	same "$case_name" "$dir/expected.out" "$out/out" || ok=0
	for f in rejects dropped err; do
		if [ -f "$dir/expected.$f" ]; then
			[ -f "$out/$f" ] || : >"$out/$f"
			same "$case_name" "$dir/expected.$f" "$out/$f" || ok=0
		fi
	done
}

if [ ! -d "$BIN" ]; then
	echo "tests/run.sh: no binaries in $BIN: run make first" >&2
	exit 2
fi

if [ "$ONLY" = long ]; then
	# make check-long: the long runs (100,000 rows), tests/long/*.sh, as
	# the script tests run.
	for t in "$ROOT"/tests/long/*.sh; do
		[ -f "$t" ] && run_program "long/$(basename "$t")" sh "$t"
	done
elif [ -n "$ONLY" ]; then
	if [ -d "$ROOT/tests/$ONLY" ]; then
		run_case "$ROOT/tests/$ONLY"
	else
		run_case "$ROOT/$ONLY"
	fi
else
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] && run_program "unit/$(basename "$t")" "$t"
	done
	for dir in "$ROOT"/tests/stages/*/*/ "$ROOT"/vendors/*/cases/*/*/ \
	    "$ROOT"/tests/vendors/*/cases/*/*/; do
		[ -f "$dir/expected.out" ] && run_case "${dir%/}"
	done
	for t in "$ROOT"/tests/scripts/*.sh; do
		[ -f "$t" ] || continue
		# A script marked "# once: the plain build" runs on the plain
		# build only: it tests no C of its own (the emulator, the
		# formatting) or drives through import.sh the stages that the
		# scripts run under the sanitizers run directly.
		if [ "$SANITIZED" = 1 ] && grep -q '^# once: the plain build' "$t"
		then
			run_program "scripts/$(basename "$t")" echo \
			    "skip - $(basename "$t"): once, on the plain build"
			continue
		fi
		run_program "scripts/$(basename "$t")" sh "$t"
	done
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
