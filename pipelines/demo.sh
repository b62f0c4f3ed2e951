#!/bin/sh
# make demo: the TurboVote import end to end, against local stand-ins.
#
# Starts, on free loopback ports, the Rogue/Northstar emulator
# (tests/servers/emulator.py) and a ClickHouse server as the Quasar
# warehouse (tests/servers/clickhouse.sh), runs pipelines/import.sh turbovote
# on vendors/turbovote/sample.csv (about 2,000 synthetic rows with
# the mess of a real export: staff and test rows, every referral-code
# shape, every status and some unknown ones, repeated rows, CRLF endings,
# UTF-8 names, a broken row), shows its summary and a query of the raw
# table, then runs it a second time to show that nothing is sent twice.
# The servers are stopped at the end, also when the demo is interrupted.
# The files of the runs stay in demo-data/ (raw/, runs/, state/).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOT
BIN=${BIN:-$ROOT/build/bin}
export BIN
SAMPLE=$ROOT/vendors/turbovote/sample.csv
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
emulator_start "$servers/emulator" --client-id "$NORTHSTAR_CLIENT_ID" \
    --client-secret "$NORTHSTAR_CLIENT_SECRET"
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
echo "== first run: pipelines/import.sh turbovote $SAMPLE"
echo
status=0
before=$(requests)
(cd "$SLUICE_DATA" && "$ROOT/pipelines/import.sh" turbovote "$SAMPLE") \
    2>/dev/null ||
	status=$?
first_writes=$(writes "$before")
first=$(($(requests) - before))

run=$(ls -d "$SLUICE_DATA"/runs/turbovote/* | head -n 1)
echo
echo "== what was set aside, and why (from $run):"
cat "$run"/*.rejects.ndjson | jq -r '"  rejected by \(.stage) at \(
    (.record | objects | ._meta | objects | "\(.file):\(.line)") //
    "\(.file):\(.line)"): \(.reason)"' | sed "s|$ROOT/||" | head -n 6
jq -r '"  dropped by shape (\(.rule)): \(.record.email)"' \
    "$run/shape.dropped.ndjson" | sort | uniq | head -n 4
jq -r '.record.user.email' "$run/dedupe.dropped.ndjson" | head -n 2 |
	sed 's/^/  dropped by dedupe (the same post again, at no higher status): /'

if [ -n "${QUASAR_URL:-}" ]; then
	echo
	echo "== the raw table in the warehouse (SELECT ... FROM raw_turbovote FINAL):"
	query "SELECT source, count() AS rows, min(line) AS first_line,
	    max(line) AS last_line FROM raw_turbovote FINAL GROUP BY source
	    FORMAT PrettyCompactNoEscapes"
	query "SELECT line, substring(record, 1, 100) AS record FROM
	    raw_turbovote FINAL ORDER BY line LIMIT 3
	    FORMAT PrettyCompactNoEscapes"
fi

echo
echo "== second run, on the same export:"
before=$(requests)
(cd "$SLUICE_DATA" && "$ROOT/pipelines/import.sh" turbovote "$SAMPLE") \
    >"$SLUICE_DATA/second-run.txt" 2>&1 || status2=$?
second_writes=$(writes "$before")
second=$(($(requests) - before))
grep -E '^  (dedupe|post-rogue):' "$SLUICE_DATA/second-run.txt" || true
echo
echo "first run:  $first requests, $first_writes of them writes" \
    "(POST, PUT, PATCH)"
echo "second run: $second requests (member lookups), $second_writes writes:" \
    "the ledger and dedupe --seen"
echo "            keep anything from being sent twice"
echo
echo "The files of both runs are in $SLUICE_DATA (raw/, runs/, state/)."
echo "The import's exit status: $status (1: finished, some records rejected;"
echo "each one is in a rejects file with the reason)."
[ "$second_writes" -eq 0 ] || exit 1
[ "$status" -le 1 ] && [ "${status2:-0}" -le 1 ]
