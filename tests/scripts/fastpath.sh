#!/bin/sh
# The NDJSON stages' fast path against their jansson path; see fastpath.py.
set -u
exec python3 "$ROOT/tests/scripts/fastpath.py" "$BIN" "$ROOT" "$SHARED" \
    "$TMPDIR"
