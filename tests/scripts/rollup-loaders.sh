#!/bin/sh
# Twenty loaders at once: a random attributed stream (the seed printed;
# ROLLUP_LOADERS_SEED repeats one) cut into 20 batches, each one `rollup |
# post-quasar --table rollup_partials --layout rows`, all at once, two of
# them twice: analytics_rollup_totals on a real ClickHouse 18.16 equals
# rollup --merge and the whole stream's rollup exactly. The cases are in
# rollup-loaders.py; skipped when clickhouse-server or python3 is missing.
# once: the plain build
set -u
. "$ROOT/tests/servers/clickhouse-lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	echo "skip - rollup-loaders: no python3"
	exit 0
fi
if ! clickhouse_available; then
	echo "skip - rollup-loaders: clickhouse-server not installed"
	exit 0
fi
exec python3 "$ROOT/tests/scripts/rollup-loaders.py"
