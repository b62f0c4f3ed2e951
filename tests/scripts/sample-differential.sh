#!/bin/sh
# sample against the plain Python model on random populations (a new seed
# each run, printed; SAMPLE_SEED repeats one).
set -u
mkdir -p "$TMPDIR/sample"
exec python3 "$ROOT/tests/scripts/sample-differential.py" "$BIN" \
    "$TMPDIR/sample" "${SAMPLE_POPULATIONS:-20}"
