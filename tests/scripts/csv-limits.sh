#!/bin/sh
# csv2ndjson on hostile input: memory bounds, exits and accounting.
set -u
exec python3 "$ROOT/tests/scripts/csv-limits.py" "$BIN/csv2ndjson" "$TMPDIR"
