#!/bin/sh
# make demo-analytics: the event layer end to end, against local servers.
#
# Starts, on free loopback ports, hook-recv with the event routes
# (vendors/events: POST /event and /pageview, checked against the data
# dictionary) and a ClickHouse server (tests/servers/clickhouse.sh) as the
# warehouse; posts a week of generated traffic (analytics/traffic.py: ads
# with UTM parameters and their costs, mailings, search, partners, direct
# visits, sign-ups, trials, unsubscribes, a few bad events) through the
# receiver, a few connections at once; runs pipelines/analytics.sh on the
# receiver's journal (validate, the events table, attribute, rollup, the
# rollup_partials table, rollup --merge with the costs) and shows its
# table per source and per campaign, then the warehouse's answer to the
# same question from its views. The servers are stopped at the end, also
# on failure or when interrupted. The files stay in demo-data/analytics/.
#
# Environment: SLUICE_DATA (default demo-data/analytics, emptied first),
# TRAFFIC_SEED (1), TRAFFIC_SCALE (1), BIN.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOT
BIN=${BIN:-$ROOT/build/bin}
export BIN
SLUICE_DATA=${SLUICE_DATA:-$ROOT/demo-data/analytics}
export SLUICE_DATA
SEED=${TRAFFIC_SEED:-1}
SCALE=${TRAFFIC_SCALE:-1}
VENDOR=$ROOT/vendors/events/vendor.json
[ -f "$VENDOR" ] || {
	echo "demo-analytics.sh: no $VENDOR (the event routes)" >&2
	exit 69
}
for _s in hook-recv validate attribute rollup post-quasar; do
	[ -x "$BIN/$_s" ] || {
		echo "demo-analytics.sh: no $_s in $BIN: run make first" >&2
		exit 69
	}
done
rm -rf "$SLUICE_DATA"
mkdir -p "$SLUICE_DATA/servers"
started=$(date +%s)

# The routes' key header, its variable and the two paths, from the vendor
# file (wherever its receive section keeps them).
eval "$(jq -r '[.receive | .. | objects | select(has("auth")) | .auth][0] as $a
    | [.receive | .. | objects | select(has("path")) | .path] as $p
    | @sh "KEY_HEADER=\($a.headers[0] // "")",
      @sh "KEY_VAR=\($a.keys // "")",
      @sh "PAGEVIEW_PATH=\([$p[] | select(test("pageview"))][0] // "/pageview")",
      @sh "EVENT_PATH=\([$p[] | select(test("pageview") | not)][0] // "/event")"' \
    "$VENDOR")"

. "$ROOT/tests/servers/clickhouse-lib.sh"
HR_PID=
# hook_ours: true while HR_PID is still the hook-recv this started (its
# argv[0]), or where there is no /proc to ask. One that ended was reaped,
# and its pid may be another process's by now: it is not signalled.
hook_ours() {
	[ -d /proc/self ] || return 0
	tr '\0' '\n' 2>/dev/null <"/proc/$HR_PID/cmdline" | head -n 1 |
		grep -qxF -- "$BIN/hook-recv"
}
hook_stop() {
	[ -n "$HR_PID" ] || return 0
	! hook_ours || kill "$HR_PID" 2>/dev/null || :
	wait "$HR_PID" 2>/dev/null || :
	HR_PID=
}
cleanup() {
	hook_stop
	clickhouse_stop
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM HUP
trap 'cleanup; exit 141' PIPE

servers=$SLUICE_DATA/servers
if [ -n "$KEY_VAR" ]; then
	# shellcheck disable=SC2034 # exported by the eval below
	KEY=demo-$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
	eval "$KEY_VAR=\$KEY; export $KEY_VAR"
fi
: >"$servers/hook-recv.err"
"$BIN/hook-recv" --vendor "$VENDOR" --listen 127.0.0.1:0 \
    --journal "$SLUICE_DATA/journal" 2>"$servers/hook-recv.err" &
HR_PID=$!
port=
i=0
while [ -z "$port" ]; do
	port=$(sed -n 's/.*listening on .*port \([0-9]*\).*/\1/p' \
	    "$servers/hook-recv.err" | head -n 1)
	[ -n "$port" ] && break
	if ! kill -0 "$HR_PID" 2>/dev/null || [ $i -gt 200 ]; then
		echo "demo-analytics.sh: hook-recv did not start:" >&2
		cat "$servers/hook-recv.err" >&2
		exit 69
	fi
	i=$((i + 1))
	sleep 0.05
done
HOOK_URL=http://127.0.0.1:$port
echo "== hook-recv (the event routes $EVENT_PATH and $PAGEVIEW_PATH)" \
    "listens on $HOOK_URL"
if clickhouse_available && clickhouse_start "$servers/clickhouse" >/dev/null
then
	export QUASAR_URL=$CH_URL
	echo "== ClickHouse (the warehouse) listens on $CH_URL"
else
	unset QUASAR_URL
	echo "== no ClickHouse server: the warehouse steps write files"
fi

echo
echo "== analytics/traffic.py --seed $SEED --scale $SCALE --costs costs.csv" \
    "--post $HOOK_URL"
status=0
python3 "$ROOT/analytics/traffic.py" --seed "$SEED" --scale "$SCALE" \
    --costs "$SLUICE_DATA/costs.csv" --post "$HOOK_URL" --concurrency 8 \
    --key-header "$KEY_HEADER" --key-env "${KEY_VAR:-EVENTS_API_KEYS}" \
    --pageview-path "$PAGEVIEW_PATH" --event-path "$EVENT_PATH" \
    2>"$SLUICE_DATA/traffic.err" || status=$?
sed 's/^/  /' "$SLUICE_DATA/traffic.err"
[ $status = 0 ] || {
	echo "demo-analytics.sh: the traffic was not all received" >&2
	exit 1
}
echo "  (422: the receiver refused an event the dictionary blocks, with" \
    "the violations; it is in no journal)"

# The journal's open segments closed (SIGHUP), so the pipeline reads them.
hook_ours || {
	echo "demo-analytics.sh: hook-recv is gone:" >&2
	cat "$servers/hook-recv.err" >&2
	exit 69
}
kill -HUP "$HR_PID"
i=0
while ls "$SLUICE_DATA/journal/events/"*.open >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || break
	sleep 0.05
done

echo
echo "== pipelines/analytics.sh --costs costs.csv    (the journal of hook-recv)"
echo
pstatus=0
(cd "$SLUICE_DATA" && "$ROOT/pipelines/analytics.sh" --costs costs.csv) \
    2>"$SLUICE_DATA/analytics.err" || pstatus=$?

if [ -n "${QUASAR_URL:-}" ]; then
	echo
	echo "== the warehouse's view for a BI tool: analytics_roi, per source" \
	    "(last click)"
	curl -sS --get --data-urlencode "query=SELECT source, sum(views) AS views,
	    sum(signups) AS signups, round(sum(cost), 2) AS cost,
	    if(signups > 0 AND cost > 0, round(cost / signups, 2), NULL)
	    AS cost_per_signup FROM analytics_roi WHERE model = 'last'
	    GROUP BY source ORDER BY signups DESC, views DESC, source
	    FORMAT PrettyCompactNoEscapes" "$QUASAR_URL/" || :
	echo
	echo "== the warehouse: SELECT event, count() FROM events FINAL GROUP BY event"
	curl -sS --get --data-urlencode "query=SELECT event, count() AS events,
	    uniqExact(anonymous_id) AS visitors, countIf(violations != '[]')
	    AS with_violations FROM events FINAL GROUP BY event ORDER BY events DESC
	    FORMAT PrettyCompactNoEscapes" "$QUASAR_URL/"
fi
# The receiver's own count, said when it stops.
hook_stop
echo
echo "== the receiver, stopped:"
grep '^hook-recv: answered=' "$servers/hook-recv.err" | sed 's/^/  /' || :
echo
echo "The files are in $SLUICE_DATA (runs/analytics/, state/, costs.csv)."
echo "The pipeline's exit status: $pstatus (1: finished, some events" \
    "rejected, each one in a rejects file with the reason);" \
    "$(($(date +%s) - started)) s in all."
[ "$pstatus" -le 1 ]
