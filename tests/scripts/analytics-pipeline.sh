#!/bin/sh
# pipelines/analytics.sh without a warehouse: the totals those of the
# stages by hand, a file run twice counted once, --offline, the journal's
# segments (read, removed; a run cut short taken again under its batch
# id), a failing stage, the lock, usage. The cases are in
# analytics-pipeline.py (the warehouse's side: demo-analytics.sh).
# once: the plain build
set -u
if ! command -v python3 >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1
then
	echo "skip - analytics.sh: python3 or jq not installed"
	exit 0
fi
exec python3 "$ROOT/tests/scripts/analytics-pipeline.py"
