#!/bin/sh
# once: the plain build
# pipelines/panel.sh end to end against the SES-shaped emulator: the
# cases are in panel.py.
set -u
if ! command -v python3 >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1; then
	echo "skip - panel.sh: python3 or jq not installed"
	exit 0
fi
exec python3 "$ROOT/tests/scripts/panel.py" "$BIN" "$ROOT" "$TMPDIR"
