# Sourced by test scripts (POSIX sh) that need a throw-away ClickHouse
# server; wraps tests/servers/clickhouse.sh:
#
#   . "$ROOT/tests/servers/clickhouse-lib.sh"
#   trap clickhouse_stop EXIT INT TERM
#   clickhouse_start "$TMPDIR/clickhouse" || exit 1
#   curl -sS "$CH_URL/?query=SELECT%201"
#
# clickhouse_start DIR   starts a server with its config and data in DIR,
#                        sets CH_URL (http://127.0.0.1:PORT) and CH_DIR;
#                        returns non-zero (the server's log on stderr) if
#                        it does not come up.
# clickhouse_stop        stops it and waits for it to end; safe to call
#                        more than once and when nothing was started.
# clickhouse_available   true when the server binary is installed.
#
# The script is found as $CLICKHOUSE_SH, else $ROOT/tests/servers/.
# A trap on INT or TERM should also exit: trap 'clickhouse_stop;
# exit 130' INT, or the script goes on after the signal.

CH_URL=
CH_DIR=

clickhouse_sh() {
	sh "${CLICKHOUSE_SH:-${ROOT:-.}/tests/servers/clickhouse.sh}" "$@"
}

clickhouse_available() {
	clickhouse_sh available
}

clickhouse_start() { # dir
	CH_DIR=$1
	CH_URL=$(clickhouse_sh start "$1") || {
		CH_URL=
		return 1
	}
	export CH_URL CH_DIR
}

clickhouse_stop() {
	if [ -n "${CH_DIR:-}" ]; then
		clickhouse_sh stop "$CH_DIR"
	fi
	CH_DIR=
	CH_URL=
}

# The cluster (clickhouse.sh cluster-start, 2 shards):
#
#   trap 'clickhouse_cluster_stop' EXIT
#   clickhouse_cluster_start "$TMPDIR/cluster" || exit 1
#   "$CH_URL1" and "$CH_URL2": each shard's server (any is an entry point)
#
# clickhouse_cluster_start DIR   sets CH_CLUSTER_DIR, CH_URL1, CH_URL2.
# clickhouse_cluster_stop        stops every shard; safe to call again.
CH_CLUSTER_DIR=
CH_URL1=
CH_URL2=

clickhouse_cluster_start() { # dir
	CH_CLUSTER_DIR=$1
	clickhouse_sh cluster-start "$1" 2 >/dev/null || return 1
	CH_URL1=$(sed -n 1p "$1/urls")
	CH_URL2=$(sed -n 2p "$1/urls")
	export CH_CLUSTER_DIR CH_URL1 CH_URL2
}

clickhouse_cluster_stop() {
	if [ -n "${CH_CLUSTER_DIR:-}" ]; then
		clickhouse_sh cluster-stop "$CH_CLUSTER_DIR"
	fi
	CH_CLUSTER_DIR=
	CH_URL1=
	CH_URL2=
}
