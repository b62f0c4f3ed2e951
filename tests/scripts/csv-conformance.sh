#!/bin/sh
# csv2ndjson against the csv-spectrum acid tests in shared/conformance: each
# csvs/NAME.csv must give exactly the records of json/NAME.json (same keys
# in the same order, same string values), one object per line.
set -u
dir=$SHARED/conformance/csv-spectrum
if [ ! -d "$dir" ]; then
	echo "skip - csv-spectrum: $dir not found"
	exit 0
fi
for csv in "$dir"/csvs/*.csv; do
	name=$(basename "$csv" .csv)
	"$BIN/csv2ndjson" --no-meta "$csv" >"$TMPDIR/$name.ndjson" \
	    2>"$TMPDIR/$name.err"
	status=$?
	if python3 "$ROOT/tests/scripts/same-records.py" \
	    "$dir/json/$name.json" "$TMPDIR/$name.ndjson" \
	    >"$TMPDIR/$name.diff" 2>&1 && [ $status = 0 ]; then
		echo "ok - csv-spectrum $name"
	else
		echo "not ok - csv-spectrum $name (exit $status)"
		cat "$TMPDIR/$name.diff" "$TMPDIR/$name.err" >&2
	fi
done
