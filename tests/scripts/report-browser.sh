#!/bin/sh
# The import's report.html and index.html opened in a real browser
# (Debian's headless Chromium): the demo's import, its numbers in the DOM
# against summary.txt, a screenshot kept; a run with thousands of rejects
# whose report stays small and loads quickly. See report-browser.py.
# once: the plain build
set -u
exec python3 "$ROOT/tests/scripts/report-browser.py" "$BIN" "$ROOT" "$TMPDIR"
