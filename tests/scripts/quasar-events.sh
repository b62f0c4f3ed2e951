#!/bin/sh
# post-quasar --layout events and --layout rows against a real ClickHouse
# server on loopback, through a proxy that counts requests and can lose an
# answer: events in with their columns (offsets, milliseconds, null and
# absent metadata, _meta's place and violations), records that are not
# events rejected with the reason, one row per event_id under FINAL (sent
# again, retried after a lost answer), spool and --replay --create-table
# from the sidecar's statement, --seen by event_id; rollup's partial rows
# into rollup_partials (--ddl), a batch sent again replacing itself. The
# cases are in quasar-events.py; skipped when clickhouse-server or python3
# is missing.
set -u
. "$ROOT/tests/servers/clickhouse-lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	echo "skip - post-quasar layouts against ClickHouse: no python3"
	exit 0
fi
if ! clickhouse_available; then
	echo "skip - post-quasar layouts against ClickHouse: clickhouse-server" \
	    "not installed"
	exit 0
fi
exec python3 "$ROOT/tests/scripts/quasar-events.py"
