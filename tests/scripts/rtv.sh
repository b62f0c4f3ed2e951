#!/bin/sh
# The Rock the Vote import against the emulator: the reference's cases;
# see rtv.py.
set -u
exec python3 "$ROOT/tests/scripts/rtv.py" "$BIN" "$ROOT" "$TMPDIR"
