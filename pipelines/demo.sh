#!/bin/sh
# make demo [NAME=VENDOR]: one vendor's import end to end (TurboVote's
# unless told), against local stand-ins.
#
# Starts, on free loopback ports, the Rogue/Northstar emulator
# (tests/servers/emulator.py, with the vendor's own emulator arguments from
# vendors/NAME/cases/e2e/emulator.json) and a ClickHouse server as the
# Quasar warehouse (tests/servers/clickhouse.sh), runs pipelines/import.sh
# NAME on vendors/NAME/sample.csv (TurboVote's: about 2,000 synthetic rows
# with the mess of a real export: staff and test rows, every referral-code
# shape, every status and some unknown ones, repeated rows, CRLF endings,
# UTF-8 names, a broken row), with the example of each option the vendor
# file requires, shows its summary and a query of the raw table, then runs
# it a second time to show that nothing is sent twice, and no request at
# all. The servers are stopped at the end, also when the demo is
# interrupted. The files of the runs stay in demo-data/ (raw/, runs/,
# state/); it ends by naming the first run's report.html and the index
# page, index.html.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOT
BIN=${BIN:-$ROOT/build/bin}
export BIN
NAME=${1:-turbovote}
VENDOR=$ROOT/vendors/$NAME/vendor.json
[ -f "$VENDOR" ] || {
	echo "demo.sh: no vendor '$NAME' (no $VENDOR)" >&2
	exit 64
}
SAMPLE=$ROOT/vendors/$NAME/sample.csv
TABLE=$(jq -r '.delivery.table // ""' "$VENDOR")
# The options the vendor requires, at their examples; the emulator's
# arguments the vendor's cases use (its actions).
SETS=$(jq -r '[.export.options // {} | to_entries[] | select(.value.required)
    | "--set", "\(.key)=\(.value.example)"] | @sh' "$VENDOR")
EMU_ARGS=
if [ -f "$ROOT/vendors/$NAME/cases/e2e/emulator.json" ]; then
	EMU_ARGS=$(jq -r '@sh' "$ROOT/vendors/$NAME/cases/e2e/emulator.json")
fi
SLUICE_DATA=${SLUICE_DATA:-$ROOT/demo-data}
export SLUICE_DATA
rm -rf "$SLUICE_DATA"
mkdir -p "$SLUICE_DATA"

. "$ROOT/tests/servers/lib.sh"
. "$ROOT/tests/servers/clickhouse-lib.sh"
cleanup() {
	emulator_stop
	clickhouse_stop
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

# The stand-ins' own files live beside the demo's, out of the way.
servers=$SLUICE_DATA/servers
export NORTHSTAR_CLIENT_ID=sluice-demo
NORTHSTAR_CLIENT_SECRET=demo-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
export NORTHSTAR_CLIENT_SECRET
eval "emulator_start \"\$servers/emulator\" --client-id \"\$NORTHSTAR_CLIENT_ID\" \
    --client-secret \"\$NORTHSTAR_CLIENT_SECRET\" $EMU_ARGS"
export NORTHSTAR_URL=$EMU_URL ROGUE_URL=$EMU_URL
echo "== the Rogue/Northstar emulator listens on $EMU_URL"
if clickhouse_available && [ -x "$BIN/post-quasar" ] &&
    clickhouse_start "$servers/clickhouse" >/dev/null; then
	export QUASAR_URL=$CH_URL
	echo "== ClickHouse (the Quasar stand-in) listens on $CH_URL"
else
	unset QUASAR_URL
	echo "== no ClickHouse server or no post-quasar: the raw rows go to" \
	    "files only"
fi

# Requests the emulator has logged, and of them the writes.
requests() { wc -l <"$EMU_LOG"; }
writes() {
	tail -n +"$(($1 + 1))" "$EMU_LOG" |
		grep -c '"method":"\(POST\|PUT\|PATCH\)","path":"/\(v2/users\|api\)' ||
		true
}

# query SQL: ClickHouse's answer, over HTTP.
query() {
	python3 -c '
import sys, urllib.parse, urllib.request
url = sys.argv[1] + "/?" + urllib.parse.urlencode({"query": sys.argv[2]})
print(urllib.request.urlopen(url, timeout=30).read().decode(), end="")
' "$QUASAR_URL" "$1"
}

echo
import() {
	eval "set -- $SETS"
	(cd "$SLUICE_DATA" && "$ROOT/pipelines/import.sh" "$@" "$NAME" "$SAMPLE")
}
shown=
[ -z "$SETS" ] || shown="$(eval "printf '%s ' $SETS")"
echo "== first run: pipelines/import.sh $shown$NAME $SAMPLE"
echo
status=0
before=$(requests)
import 2>/dev/null || status=$?
first_writes=$(writes "$before")
first=$(($(requests) - before))

run=$(ls -d "$SLUICE_DATA/runs/$NAME"/* | head -n 1)
echo
echo "== what was set aside, and why (from $run):"
cat "$run"/*.rejects.ndjson 2>/dev/null | jq -r '"  rejected by \(.stage) at \(
    (.record | objects | ._meta | objects | "\(.file):\(.line)") //
    "\(.file):\(.line)"): \(.reason)"' | sed "s|$ROOT/||" | head -n 6
for f in "$run"/*.dropped.ndjson; do
	[ -s "$f" ] || continue
	jq -r '"  dropped by \(.stage) (\(.rule // "the same record again, at no higher status")): \(
	    .record._meta.file // "-" | sub(".*/"; "")):\(.record._meta.line // "-")"' \
	    "$f" | head -n 3
done

if [ -n "${QUASAR_URL:-}" ] && [ -n "$TABLE" ]; then
	echo
	echo "== the raw table in the warehouse (SELECT ... FROM $TABLE FINAL):"
	query "SELECT source, count() AS rows, min(line) AS first_line,
	    max(line) AS last_line FROM $TABLE FINAL GROUP BY source
	    FORMAT PrettyCompactNoEscapes"
	query "SELECT line, substring(record, 1, 100) AS record FROM
	    $TABLE FINAL ORDER BY line LIMIT 3
	    FORMAT PrettyCompactNoEscapes"
fi

echo
echo "== second run, on the same export:"
before=$(requests)
import >"$SLUICE_DATA/second-run.txt" 2>&1 || status2=$?
second_writes=$(writes "$before")
second=$(($(requests) - before))
# The warehouse's requests are in post-quasar's summary, not the log.
warehouse=$(sed -n 's/^ *post-quasar: rows sent=.* requests=\([0-9]*\).*/\1/p' \
    "$SLUICE_DATA/second-run.txt" | head -n 1)
second=$((second + ${warehouse:-0}))
grep -E '^  (dedupe|post-[a-z]+):' "$SLUICE_DATA/second-run.txt" || true
echo
echo "first run:  $first requests, $first_writes of them writes" \
    "(POST, PUT, PATCH)"
echo "second run: $second requests, $second_writes writes: the ledgers" \
    "(members, posts, the warehouse's)"
echo "            keep anything from being asked or sent twice"
[ "$second" -eq 0 ] || echo "            (not 0: see $SLUICE_DATA/second-run.txt)"
echo
echo "The files of both runs are in $SLUICE_DATA (raw/, runs/, state/)."
echo "The import's exit status: $status (1: finished, some records rejected;"
echo "each one is in a rejects file with the reason)."
echo
if [ -f "$run/report.html" ]; then
	echo "== the report of the first run, to open in a browser (offline):"
	echo "  file://$run/report.html"
	echo "   and every import, newest first: file://$SLUICE_DATA/index.html"
else
	echo "== no report.html in $run (is build/bin/report built?)"
fi
[ "$second_writes" -eq 0 ] || exit 1
[ "$status" -le 1 ] && [ "${status2:-0}" -le 1 ]
