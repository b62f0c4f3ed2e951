#!/bin/sh
# Every NDJSON stage against JSONTestSuite; see ndjson-conformance.py.
set -u
exec python3 "$ROOT/tests/scripts/ndjson-conformance.py" "$BIN" "$ROOT" \
    "$SHARED" "$TMPDIR"
