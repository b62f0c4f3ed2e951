#!/bin/sh
# SQL = C: the analytics_* views of pipelines/sql/analytics.sql, on a real
# ClickHouse 18.16, answer what attribute and rollup answer on the same
# random events (the seed printed; ANALYTICS_SQL_SEED repeats one). The
# cases are in analytics-sql.py; skipped when clickhouse-server or python3
# is missing.
# once: the plain build
set -u
. "$ROOT/tests/servers/clickhouse-lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	echo "skip - analytics-sql: no python3"
	exit 0
fi
if ! clickhouse_available; then
	echo "skip - analytics-sql: clickhouse-server not installed"
	exit 0
fi
exec python3 "$ROOT/tests/scripts/analytics-sql.py"
