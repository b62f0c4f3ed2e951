#!/bin/sh
# fetch-rtv against the emulator's Rock the Vote report API on loopback:
# byte-exact reports, the window, failed reports retried once, a wrong key,
# the deadline, retries, a cut download, bounded memory, no key in argv or
# output. The cases are in fetch-rtv.py.
set -u
if ! command -v python3 >/dev/null 2>&1; then
	echo "skip - fetch-rtv against the emulator: python3 not installed"
	exit 0
fi
exec python3 "$ROOT/tests/scripts/fetch-rtv.py" "$BIN" "$ROOT" "$TMPDIR"
