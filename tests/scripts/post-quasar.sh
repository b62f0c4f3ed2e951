#!/bin/sh
# post-quasar against a real ClickHouse server on loopback (and a small
# fake HTTP endpoint for what ClickHouse cannot be made to do): 100,000
# records arrive exactly, tricky strings come back byte for byte, a
# refused batch is spooled at once and replayed, ClickHouse stopped in the
# middle of a run (spool, 69, restart, replay, every record exactly once
# under FINAL), credentials refused (77, no secret written), --format
# ndjson, --compress lz4 (ClickHouse checks its blocks; spooled, damaged,
# replayed), retries of 503, the flush interval on a trickle, the progress
# line, and a SIGTERM that spools what is in hand. The cases are in
# post-quasar.py; skipped when clickhouse-server or python3 is missing.
set -u
. "$ROOT/tests/servers/clickhouse-lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	echo "skip - post-quasar against ClickHouse: no python3"
	exit 0
fi
if ! clickhouse_available; then
	echo "skip - post-quasar against ClickHouse: clickhouse-server not" \
	    "installed"
	exit 0
fi
exec python3 "$ROOT/tests/scripts/post-quasar.py"
