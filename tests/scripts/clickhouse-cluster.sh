#!/bin/sh
# The warehouse as a cluster: two ClickHouse 18.16 servers as two shards,
# post-quasar writing to the Distributed tables of pipelines/sql/cluster.sql
# (every row on its shard at the 2xx, each event on one shard), and the
# analytics_* views giving the same rows as on one server. The cases are
# in clickhouse-cluster.py (the seed printed; CLICKHOUSE_CLUSTER_SEED
# repeats one); skipped when clickhouse-server or python3 is missing.
set -u
. "$ROOT/tests/servers/clickhouse-lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	echo "skip - clickhouse-cluster: no python3"
	exit 0
fi
if ! clickhouse_available; then
	echo "skip - clickhouse-cluster: clickhouse-server not installed"
	exit 0
fi
exec python3 "$ROOT/tests/scripts/clickhouse-cluster.py"
