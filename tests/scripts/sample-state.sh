#!/bin/sh
# sample --state and --sticky, run after run: the changes and the state file.
set -u
mkdir -p "$TMPDIR/sample-state"
exec python3 "$ROOT/tests/scripts/sample-state.py" "$BIN" "$TMPDIR/sample-state"
