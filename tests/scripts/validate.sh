#!/bin/sh
# validate on generated traffic (analytics/traffic.py, a new seed each run):
# the fast path and the jansson path write the same bytes, every event is
# accounted for, observe changes nothing but _meta.violations and counts
# what enforcing does, and the dictionary is found by --dictionary, then
# SLUICE_DICTIONARY, then the checkout's. tests/scripts/validate.py.
set -u
exec python3 "$ROOT/tests/scripts/validate.py" "$BIN" "$ROOT" "$TMPDIR"
