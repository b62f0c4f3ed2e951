#!/bin/sh
# post-rogue's posts per event and actions found by a filter, against the
# emulator on loopback (tests/vendors/callday); the cases are in
# post-events.py.
set -u
if ! command -v python3 >/dev/null 2>&1; then
	echo "skip - post-events against the emulator: python3 not installed"
	exit 0
fi
exec python3 "$ROOT/tests/scripts/post-events.py" "$BIN" "$ROOT" "$TMPDIR"
