#!/bin/sh
# pipelines/import.sh against the emulator and ClickHouse; see import.py.
# once: the plain build
set -u
exec python3 "$ROOT/tests/scripts/import.py" "$BIN" "$ROOT" "$TMPDIR"
