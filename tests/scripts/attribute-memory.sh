#!/bin/sh
# attribute's memory is bounded by the persons with an open window.
set -u
exec python3 "$ROOT/tests/scripts/attribute-memory.py" "$BIN" "$TMPDIR"
