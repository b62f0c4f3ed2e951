#!/bin/sh
# make demo: what the importer can do so far, on the sample TurboVote export.
#
# Today that is the offline half of the TurboVote import:
#
#   csv2ndjson | tv-filter | status-map | dedupe
#
# on pipelines/samples/turbovote-sample.csv (CRLF line endings, UTF-8
# names, quoted commas and line breaks, staff and test rows, an unknown
# status, a referral code with a bad user id, a repeated row, a broken
# row). Every record ends up in the output, a dropped file or a rejects
# file, and each stage's summary line accounts for all of them. Delivery to
# the local stand-ins of Northstar, Rogue and Quasar is not built yet: see
# README.md, "Status".
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
MAP=$ROOT/pipelines/maps/turbovote.json
SAMPLE=$ROOT/pipelines/samples/turbovote-sample.csv
OUT=$(mktemp -d "${TMPDIR:-/tmp}/sluice-demo.XXXXXX")
trap 'rm -rf "$OUT"' EXIT INT TERM

# Debian's sh (dash) has no pipefail, so each stage of the pipeline keeps
# its own exit status in a file, and the worst one is the pipeline's.
stage() { # name command...
	name=$1
	shift
	rc=0
	"$@" || rc=$?
	echo "$rc" >"$OUT/$name.status"
}

echo "== the offline TurboVote import on $SAMPLE"
echo
stage csv2ndjson "$BIN/csv2ndjson" --source turbovote \
    --rejects "$OUT/csv.rejects" "$SAMPLE" |
	stage tv-filter "$BIN/tv-filter" --map "$MAP" \
	    --dropped "$OUT/scrubbed" --rejects "$OUT/tv.rejects" |
	stage status-map "$BIN/status-map" --map "$MAP" \
	    --rejects "$OUT/status.rejects" |
	stage dedupe "$BIN/dedupe" --key user.email,action_id,type \
	    --keep best --rank status --map "$MAP" \
	    --dropped "$OUT/duplicates" >"$OUT/activity.ndjson"
status=0
for f in "$OUT"/*.status; do
	[ "$(cat "$f")" -gt "$status" ] && status=$(cat "$f")
done

echo
echo "== $(wc -l <"$OUT/activity.ndjson") canonical records; the first:"
head -n 1 "$OUT/activity.ndjson" | jq .
echo
echo "== statuses delivered to the next stages:"
jq -r '"\(.status)\t\(.user.voter_registration_status)\t\(.user.email)"' \
    "$OUT/activity.ndjson"
echo
echo "== scrubbed (tv-filter --dropped):"
jq -c '{rule, line: .record._meta.line, email: .record.email}' "$OUT/scrubbed"
echo
echo "== duplicates (dedupe --dropped):"
jq -c '{rule, status: .record.status, email: .record.user.email}' \
    "$OUT/duplicates"
echo
echo "== rejects, by stage:"
cat "$OUT/csv.rejects" "$OUT/tv.rejects" "$OUT/status.rejects" |
	jq -c '{stage, reason, csv_line: ((.record | objects | ._meta.line) // .line)}'
echo
echo "The pipeline's worst exit status: $status (1 = finished, some records"
echo "rejected; each is in a rejects file with the reason)."
echo "Not built yet: post-northstar, post-rogue and post-quasar, and the"
echo "stand-ins they deliver to; see README.md, \"Status\"."
