#!/bin/sh
# The inbox end to end through pipelines/import.sh against the emulator:
# uploads, copies, duplicates, failures, options, two workers, kill -9;
# see inbox.py.
set -u
exec python3 "$ROOT/tests/scripts/inbox.py" "$BIN" "$ROOT" "$TMPDIR"
