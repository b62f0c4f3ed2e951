#!/bin/sh
# make demo's script runs on the sample and accounts for every row: 10 data
# rows in, 6 canonical records out, 2 scrubbed, 1 duplicate, 2 rejected.
set -u
if ! command -v jq >/dev/null 2>&1; then
	echo "skip - the demo: jq not installed"
	exit 0
fi
sh "$ROOT/pipelines/demo.sh" >"$TMPDIR/demo.out" 2>"$TMPDIR/demo.err"
status=$?
if [ $status = 0 ] &&
    grep -q '^== 6 canonical records' "$TMPDIR/demo.out" &&
    grep -q 'csv2ndjson: in=11 out=10 dropped=0 rejected=1' \
	"$TMPDIR/demo.err" &&
    grep -q 'tv-filter: in=10 out=8 dropped=2' "$TMPDIR/demo.err" &&
    grep -q 'status-map: in=8 out=7 dropped=0 rejected=1' \
	"$TMPDIR/demo.err" &&
    grep -q 'dedupe: in=7 out=6 dropped=1 (duplicate=1) rejected=0' \
	"$TMPDIR/demo.err"; then
	echo "ok - make demo's pipeline accounts for every sample row"
else
	echo "not ok - make demo's pipeline (exit $status)"
	cat "$TMPDIR/demo.err" >&2
fi
