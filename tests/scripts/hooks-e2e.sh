#!/bin/sh
# The webhook imports end to end: hook-recv killed under retrying clients,
# its journal imported into the emulator; see hooks-e2e.py.
# once: the plain build
set -u
exec python3 "$ROOT/tests/scripts/hooks-e2e.py" "$BIN" "$ROOT" "$TMPDIR"
