#!/bin/sh
# The member ledger (post-northstar --members) end to end against the
# emulator; see members.py.
set -u
exec python3 "$ROOT/tests/scripts/members.py" "$BIN" "$ROOT" "$TMPDIR"
