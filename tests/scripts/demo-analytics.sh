#!/bin/sh
# make demo-analytics's script: generated traffic through hook-recv's
# event routes, pipelines/analytics.sh on its journal into ClickHouse, the
# table per source and campaign; checked against rollup --merge of the
# same events run through the stages by hand, and against the warehouse's
# views. The cases are in demo-analytics.py.
# once: the plain build
set -u
if ! command -v python3 >/dev/null 2>&1 || ! command -v jq >/dev/null 2>&1
then
	echo "skip - make demo-analytics: python3 or jq not installed"
	exit 0
fi
exec python3 "$ROOT/tests/scripts/demo-analytics.py"
