#!/bin/sh
# post-northstar and post-rogue end to end against the emulator; see
# delivery.py.
set -u
exec python3 "$ROOT/tests/scripts/delivery.py" "$BIN" "$ROOT" "$TMPDIR"
