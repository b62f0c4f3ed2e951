#!/bin/sh
# make demo's script: the TurboVote import on the sample against the
# emulator (and ClickHouse when installed) runs, accounts for every row in
# every stage, and its second run sends no request at all (the
# emulator's log and post-quasar's count).
# once: the plain build
set -u
if ! command -v jq >/dev/null 2>&1; then
	echo "skip - the demo: jq not installed"
	exit 0
fi
SLUICE_DATA=$TMPDIR/demo-data sh "$ROOT/pipelines/demo.sh" \
    >"$TMPDIR/demo.out" 2>"$TMPDIR/demo.err"
status=$?
run=$(ls -d "$TMPDIR"/demo-data/runs/turbovote/* 2>/dev/null | head -n 1)
if [ $status = 0 ] &&
    grep -q '^second run: 0 requests, 0 writes' "$TMPDIR/demo.out"; then
	echo "ok - make demo: two runs, no request at all the second time"
else
	echo "not ok - make demo (exit $status)"
	tail -n 30 "$TMPDIR/demo.out" "$TMPDIR/demo.err" >&2
fi
# Every stage's summary balances: in = out + dropped + rejected.
if [ -n "$run" ] && [ -f "$run/stages.log" ] &&
    sed 's/.*\x1b\[K//' "$run/stages.log" |
    awk '/^[a-z0-9-]+: in=[0-9]+ out=/ {
	    n++
	    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
	    if (v["in"] != v["out"] + v["dropped"] + v["rejected"]) bad++
	} END { exit !(n >= 6 && bad == 0) }'; then
	echo "ok - make demo: every stage of the import accounts for every record"
else
	echo "not ok - make demo: a stage's summary does not balance"
	cat "$run/stages.log" >&2
fi
if command -v clickhouse-server >/dev/null 2>&1 ||
    [ -x /usr/sbin/clickhouse-server ]; then
	# The raw table holds each record once (its key is the record's
	# content): the sample's distinct rows, its repeated ones once.
	"$BIN/csv2ndjson" --no-meta "$ROOT/vendors/turbovote/sample.csv" \
	    >"$TMPDIR/demo-rows.ndjson" 2>/dev/null
	sort -u "$TMPDIR/demo-rows.ndjson" >"$TMPDIR/demo-distinct.ndjson"
	n=$(wc -l <"$TMPDIR/demo-distinct.ndjson" | tr -d ' ')
	if [ "$n" -gt 0 ] && grep -q "│ turbovote │ $n │" "$TMPDIR/demo.out"
	then
		echo "ok - make demo: the raw rows are in the warehouse, each" \
		    "record once ($n)"
	else
		echo "not ok - make demo: the raw rows are not in the" \
		    "warehouse, each record once ($n)"
		grep '│ turbovote │' "$TMPDIR/demo.out" >&2
	fi
fi
