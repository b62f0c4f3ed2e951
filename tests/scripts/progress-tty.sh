#!/bin/sh
# The progress line: drawn on stderr when it is a terminal (here a pseudo-
# terminal made by script(1)), never when stderr is a file or a pipe.
set -u
unset SLUICE_PROGRESS
if ! command -v script >/dev/null 2>&1; then
	echo "skip - progress line: script(1) not installed"
	exit 0
fi
data=$TMPDIR/progress.csv
python3 -c '
import sys
w = sys.stdout.write
w("id,name,email\n")
for i in range(400000):
    w(f"{i},name {i},user{i}@example.com\n")' >"$data"

# The line appears a quarter of a second into a run (a quick run shows
# none), so the input pauses half-way for half a second.
head -n 200001 "$data" >"$TMPDIR/first.csv"
tail -n +200002 "$data" >"$TMPDIR/rest.csv"
script -qec "(cat $TMPDIR/first.csv; sleep 0.5; cat $TMPDIR/rest.csv) |
    $BIN/csv2ndjson >/dev/null" "$TMPDIR/typescript" >/dev/null 2>&1
if grep -q 'records.*/s' "$TMPDIR/typescript" &&
    grep -q "$(printf '\033\\[K')" "$TMPDIR/typescript"; then
	echo "ok - progress line drawn on a terminal"
else
	echo "not ok - progress line drawn on a terminal"
	od -c "$TMPDIR/typescript" | head -n 20 >&2
fi

"$BIN/csv2ndjson" "$data" >/dev/null 2>"$TMPDIR/progress.err"
if [ "$(cat "$TMPDIR/progress.err")" = \
    "csv2ndjson: in=400000 out=400000 dropped=0 rejected=0" ]; then
	echo "ok - no progress line when stderr is a file"
else
	echo "not ok - no progress line when stderr is a file"
	head -c 500 "$TMPDIR/progress.err" >&2
fi
