#!/bin/sh
# attribute and rollup against the plain Python model on random streams
# (a new seed each run, printed; ATTRIB_SEED repeats one).
set -u
mkdir -p "$TMPDIR/attribution"
exec python3 "$ROOT/tests/scripts/attribution-differential.py" "$BIN" \
    "$TMPDIR/attribution" "${ATTRIB_STREAMS:-12}"
