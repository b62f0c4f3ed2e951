#!/bin/sh
# hook-recv's event routes (vendors/events: POST /event and /pageview,
# each request checked against the data dictionary): 202 and the record in
# the journal, a page view's name filled, flagged and omitted violations
# in _meta.violations, 422 with the violations (blocked, an unknown event,
# an event the route does not take) and nothing written, a duplicate
# event_id answered once and written once, 401 without a key, a bad
# dictionary or route refused at start; then pipelines/import.sh events
# sends the journal to ClickHouse's events table. The cases are in
# hook-events.py (on hooks.py's helpers); skipped without python3.
set -u
if ! command -v python3 >/dev/null 2>&1; then
	echo "skip - hook-recv: events: no python3"
	exit 0
fi
exec python3 "$ROOT/tests/scripts/hook-events.py"
