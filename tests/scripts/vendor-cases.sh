#!/bin/sh
# Every vendor end to end through pipelines/import.sh against the
# emulator, from its cases/e2e/ and its sample; see vendor-cases.py.
# once: the plain build
set -u
exec python3 "$ROOT/tests/scripts/vendor-cases.py" "$BIN" "$ROOT" "$TMPDIR"
