#!/bin/sh
# The bad-input matrix of every stage; see bad-input.py.
set -u
exec python3 "$ROOT/tests/scripts/bad-input.py" "$BIN" "$TMPDIR"
