#!/bin/sh
# bench/analytics-sql.sh: how long the analytics_* views take on a real
# ClickHouse 18.16, beside attribute | rollup | rollup --merge on the same
# events, and whether they agree (bench/analytics-sql.py). The report goes
# to stdout and bench/out/analytics-sql.md; numbers only, never a failure.
#
# Usage, from the repository root after make:
#   bench/analytics-sql.sh [PERSONS]     default 15000 (about 300,000 events)
set -eu
persons=${1:-15000}
cd "$(dirname "$0")/.."
ROOT=$PWD
export ROOT
mkdir -p bench/data bench/out
. tests/servers/clickhouse-lib.sh
dir=$(mktemp -d)
trap 'clickhouse_stop; rm -rf "$dir"' EXIT
trap 'clickhouse_stop; rm -rf "$dir"; exit 130' INT
trap 'clickhouse_stop; rm -rf "$dir"; exit 143' TERM
clickhouse_start "$dir/ch"
{
	python3 bench/analytics-sql.py "$CH_URL" "$persons" bench/data
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
	    "load $(cut -d' ' -f1-3 /proc/loadavg)," \
	    "clickhouse-client $(clickhouse-client --version 2>/dev/null |
	    sed 's/.* //')"
} | tee bench/out/analytics-sql.md
