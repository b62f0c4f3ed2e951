#!/bin/sh
# Runs the differential test of csv2ndjson against Python's csv module.
set -u
mkdir -p "$TMPDIR/differential"
exec python3 "$ROOT/tests/scripts/csv-differential.py" "$BIN/csv2ndjson" \
    "$TMPDIR/differential" "${SLUICE_DIFF_COUNT:-300}"
