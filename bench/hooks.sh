#!/bin/sh
# bench/hooks.sh: how many durable acknowledgements a second hook-recv gives,
# and how long they take, at 64 concurrent clients: group commit (the
# default: one fdatasync for every request that came in during the last
# one) against one fdatasync a request (--fsync-each).
#
# hook-recv serves vendors/callpower on a free loopback port, its journal in
# bench/out/hooks-journal/ (a real disk: fsync on tmpfs costs nothing, and
# would measure nothing). wrk (Debian's wrk, installed by tests/setup.sh
# bench) posts a different call each request (bench/hooks/post.lua) for
# SECONDS (10) from 2 threads over 64 kept-alive connections. A 200 means
# the call is on disk; the report counts them (wrk's requests, less its
# non-2xx), checks that the journal holds at least as many records, and
# gives requests/s and the latency percentiles wrk measured.
#
# The report, a Markdown table with the machine and the date, goes to stdout
# and to bench/out/hooks.md. It reports numbers and never fails on them.
#
# Usage, from the repository root:
#   bench/hooks.sh [--seconds N] [--connections N]   default 10 s, 64
set -eu

secs=10
conns=64
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) secs=$2; shift 2 ;;
	--connections) conns=$2; shift 2 ;;
	-h | --help)
		echo "usage: bench/hooks.sh [--seconds N] [--connections N]"
		exit 0
		;;
	*)
		echo "usage: bench/hooks.sh [--seconds N] [--connections N]" >&2
		exit 64
		;;
	esac
done
command -v wrk >/dev/null 2>&1 || {
	echo "bench: needs wrk (apt-get install wrk, or tests/setup.sh bench)" >&2
	exit 1
}
BIN=${BIN:-build/bin}
[ -x "$BIN/hook-recv" ] || { echo "bench: run make first" >&2; exit 1; }
out=bench/out
mkdir -p "$out"
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -z "$pid" ] || kill "$pid" 2>/dev/null || :
	rm -rf "$tmp" "$out/hooks-journal"
}
trap cleanup EXIT INT TERM

# run MODE [OPTION]: one measurement; prints a table row.
run() {
	mode=$1
	shift
	rm -rf "$out/hooks-journal"
	CALLPOWER_API_KEYS=bench-key "$BIN/hook-recv" --vendor callpower \
	    --listen 127.0.0.1:0 --journal "$out/hooks-journal" "$@" \
	    2>"$tmp/err" &
	pid=$!
	port=
	for _ in $(seq 100); do
		port=$(sed -n 's/.*listening on .*, port \([0-9]*\),.*/\1/p' "$tmp/err")
		[ -n "$port" ] && break
		sleep 0.05
	done
	[ -n "$port" ] || { cat "$tmp/err" >&2; exit 1; }
	wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/hooks/post.lua \
	    "http://127.0.0.1:$port/" >"$tmp/wrk" 2>&1
	kill -TERM "$pid"
	wait "$pid" || :
	pid=
	total=$(sed -n 's/^ *\([0-9]*\) requests in .*/\1/p' "$tmp/wrk")
	bad=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$tmp/wrk")
	acked=$((total - ${bad:-0}))
	rps=$(awk -v n="$acked" -v s="$secs" 'BEGIN { printf "%d", n / s }')
	p50=$(sed -n 's/^ *50% *\([0-9.]*[mun]*s\).*/\1/p' "$tmp/wrk")
	p99=$(sed -n 's/^ *99% *\([0-9.]*[mun]*s\).*/\1/p' "$tmp/wrk")
	lines=$(cat "$out/hooks-journal/callpower/"*.ndjson 2>/dev/null | wc -l)
	flushes=$(sed -n 's/.*flushes=\([0-9]*\).*/\1/p' "$tmp/err")
	durable=no
	[ "$lines" -ge "$acked" ] && durable=yes
	echo "| $mode | $acked | $rps | $p50 | $p99 | $flushes | $lines | $durable |"
}

{
	echo "## hook-recv: durable acknowledgements at $conns connections ($(date -u +%Y-%m-%d))"
	echo
	echo "$(uname -sr), $(nproc) cores ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)),"
	echo "journal on $(df -T "$out" | awk 'NR == 2 { print $2 }'); wrk -t2 -c$conns -d${secs}s, a different call each request; the"
	echo "client runs on the same two cores as the server."
	echo
	echo "| mode | 200s | acks/s | p50 | p99 | fdatasyncs | journal lines | all 200s in the journal |"
	echo "|---|---:|---:|---:|---:|---:|---:|---|"
	run "group commit" 
	run "fsync per request" --fsync-each
} | tee "$out/hooks.md"
