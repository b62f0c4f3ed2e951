#!/bin/sh
# post-mail against the SES-shaped emulator on loopback; the cases are in
# post-mail.py.
set -u
if ! command -v python3 >/dev/null 2>&1; then
	echo "skip - post-mail against emu_ses: python3 not installed"
	exit 0
fi
exec python3 "$ROOT/tests/scripts/post-mail.py" "$BIN" "$ROOT" "$TMPDIR"
