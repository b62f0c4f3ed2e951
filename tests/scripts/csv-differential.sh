#!/bin/sh
# Runs the differential test of csv2ndjson against Python's csv module
# (which also holds its fast path to SLUICE_FASTPATH=0 on every file), then
# the two paths on a realistic export where every row quotes a field
# (vendors/turbovote/make-export.py --quoted): the same bytes out, rejects
# and stderr, and most records on the fast path.
set -u
mkdir -p "$TMPDIR/differential"
python3 "$ROOT/tests/scripts/csv-differential.py" "$BIN/csv2ndjson" \
    "$TMPDIR/differential" "${SLUICE_DIFF_COUNT:-300}"
rc=$?

d=$TMPDIR/differential
rows=20000
if ! python3 "$ROOT/vendors/turbovote/make-export.py" --rows $rows \
    --seed 3 --jobs 1 --quoted >"$d/quoted.csv"; then
	echo "not ok - make-export.py --quoted failed"
	exit 1
fi
for fp in 1 0; do
	SLUICE_FASTPATH=$fp SLUICE_FASTPATH_STATS=1 "$BIN/csv2ndjson" \
	    --source tv --rejects "$d/rejects.$fp" "$d/quoted.csv" \
	    >"$d/out.$fp" 2>"$d/err.$fp"
	echo $? >"$d/status.$fp"
	grep -v '^csv2ndjson: fast path: ' "$d/err.$fp" >"$d/summary.$fp"
done
fast=$(sed -n 's/^csv2ndjson: fast path: \([0-9]*\) of .*/\1/p' "$d/err.1")
if ! cmp -s "$d/out.1" "$d/out.0" || ! cmp -s "$d/rejects.1" "$d/rejects.0" ||
    ! cmp -s "$d/summary.1" "$d/summary.0" ||
    ! cmp -s "$d/status.1" "$d/status.0"; then
	echo "not ok - quoted export: the fast path and SLUICE_FASTPATH=0 differ"
	exit 1
fi
if ! grep -q "in=$rows out=$rows " "$d/err.1" || [ "${fast:-0}" -lt $((rows * 95 / 100)) ]; then
	echo "not ok - quoted export: $(tail -n 2 "$d/err.1" | tr '\n' ' ')(want every row out, 95% on the fast path)"
	exit 1
fi
echo "ok - quoted export of $rows rows: the fast path ($fast records) writes SLUICE_FASTPATH=0's bytes"
exit $rc
