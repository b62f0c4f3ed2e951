#!/bin/sh
# post-quasar --seen against a real ClickHouse server on loopback, every
# request counted by a small forwarding proxy in front of it: a re-run
# ships nothing and sends no request at all, a superset ships only the
# new rows, kill -9 mid-run and a re-run leave every row exactly once
# under FINAL, --replay with --seen records what it sends, and a file
# that is not a ledger is refused. The cases are in quasar-seen.py;
# skipped when clickhouse-server or python3 is missing.
set -u
. "$ROOT/tests/servers/clickhouse-lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	echo "skip - post-quasar --seen against ClickHouse: no python3"
	exit 0
fi
if ! clickhouse_available; then
	echo "skip - post-quasar --seen against ClickHouse: clickhouse-server" \
	    "not installed"
	exit 0
fi
exec python3 "$ROOT/tests/scripts/quasar-seen.py"
