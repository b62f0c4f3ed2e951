#!/bin/sh
# make demo: what the importer can do so far, on the sample TurboVote export.
#
# Today that is the first stage, csv2ndjson: the sample CSV (CRLF line
# endings, UTF-8 names, quoted commas and line breaks, a broken row) becomes
# NDJSON with provenance, the broken row goes to a rejects file, and the
# summary line accounts for every record. The full import (filtering,
# status mapping, delivery to the local stand-ins of Northstar, Rogue and
# Quasar) is not built yet: see README.md, "Status".
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$ROOT/build/bin
SAMPLE=$ROOT/pipelines/samples/turbovote-sample.csv
OUT=$(mktemp -d "${TMPDIR:-/tmp}/sluice-demo.XXXXXX")
trap 'rm -rf "$OUT"' EXIT INT TERM

echo "== csv2ndjson --source turbovote $SAMPLE"
status=0
"$BIN/csv2ndjson" --source turbovote --rejects "$OUT/rejects.ndjson" \
    "$SAMPLE" >"$OUT/rows.ndjson" || status=$?
echo
echo "== the first record (jq):"
jq . "$OUT/rows.ndjson" | head -n 40
echo "..."
echo
echo "== $(wc -l <"$OUT/rows.ndjson") records written; the rejects file says:"
cat "$OUT/rejects.ndjson"
echo
echo "csv2ndjson exited $status (1 = finished, some records rejected)."
echo "The rest of the TurboVote import (tv-filter, status-map, dedupe,"
echo "post-northstar, post-rogue, post-quasar) is not built yet."
