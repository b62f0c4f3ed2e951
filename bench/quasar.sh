#!/bin/sh
# bench/quasar.sh: how fast post-quasar puts NDJSON into a local ClickHouse,
# and what it costs in CPU next to gzip -1 on the same bytes (the target:
# post-quasar at most 1.5 times gzip -1's CPU time).
#
# The input is the synthetic TurboVote export (vendors/turbovote/make-export.py, as
# bench/run.sh makes it) through csv2ndjson, cached in bench/data/ as
# quasar-ROWS.ndjson. A ClickHouse server (tests/servers/clickhouse.sh)
# is started for the run in a temporary directory, on loopback, and
# stopped at the end whatever happens.
#
# Before timing, one run checks that the table then holds every record.
# Then RUNS rounds, the commands taking turns, each timed with GNU time
# (wall, user + system CPU, peak RSS), its output thrown away:
#
#   post-quasar --table qN --create-table --sink FILE     (a file)
#   cat FILE | post-quasar --table qN --create-table --sink   (a pipe)
#   gzip -1 < FILE
#
# Each post-quasar run writes to a fresh table. Nothing is pinned: the
# server needs the other core; CPU time is what compares the tools, the
# wall time gives the NDJSON bytes per second into the server (its work
# included, on the same machine). The report, Markdown with the machine
# and the date, goes to stdout and bench/out/quasar.md. It reports
# numbers and never fails on them.
#
# Usage, from the repository root after make:
#   bench/quasar.sh [--rows N] [--runs N]    default 100000 rows, 5 runs
set -eu

rows=100000
runs=5
seed=1

usage() {
	if [ "$1" -eq 0 ]; then exec 3>&1; else exec 3>&2; fi
	cat >&3 <<EOF
usage: bench/quasar.sh [--rows N] [--runs N]
  --rows N   rows in the generated export (default 100000, at least 100)
  --runs N   timed runs of each command (default 5, at least 3)
EOF
	exit "$1"
}

die() {
	echo "bench: $*" >&2
	exit 1
}

while [ $# -gt 0 ]; do
	case $1 in
	--rows) [ $# -ge 2 ] || usage 64; rows=$2; shift 2 ;;
	--rows=*) rows=${1#--rows=}; shift ;;
	--runs) [ $# -ge 2 ] || usage 64; runs=$2; shift 2 ;;
	--runs=*) runs=${1#--runs=}; shift ;;
	-h|--help) usage 0 ;;
	*) usage 64 ;;
	esac
done
case $rows$runs in *[!0-9]*|'') usage 64 ;; esac
[ "$rows" -ge 100 ] || usage 64
[ "$runs" -ge 3 ] || usage 64

cd "$(dirname "$0")/.."
ROOT=$(pwd)
bin=build/bin
data=bench/data
out=bench/out
nd=$data/quasar-$rows.ndjson

for b in csv2ndjson post-quasar; do
	[ -x "$bin/$b" ] || die "no $bin/$b: run make first"
done
for c in python3 gzip curl; do
	command -v "$c" >/dev/null 2>&1 || die "$c is not installed"
done
/usr/bin/time -f %M -o /dev/null true 2>/dev/null ||
	die "GNU time (/usr/bin/time with -f) is needed"
. "$ROOT/tests/servers/clickhouse-lib.sh"
clickhouse_available || die "clickhouse-server is not installed"

tmp=$(mktemp -d)
trap 'clickhouse_stop; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$data" "$out"

case $(date +%s%N) in
*[!0-9]*) now() { python3 -c 'import time; print(time.time_ns())'; } ;;
*) now() { date +%s%N; } ;;
esac

# The input, made again when the generator or csv2ndjson changed.
stamp="rows=$rows seed=$seed gen=$(cksum <vendors/turbovote/make-export.py)"
stamp="$stamp csv2ndjson=$(cksum <"$bin/csv2ndjson")"
if [ ! -f "$nd" ] || [ "$(cat "$nd.stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "bench: making $nd ($rows rows)" >&2
	rm -f "$nd.stamp"
	python3 vendors/turbovote/make-export.py --rows "$rows" --seed "$seed" \
	    >"$tmp/export.csv"
	"$bin/csv2ndjson" --source turbovote "$tmp/export.csv" >"$nd.tmp" \
	    2>"$tmp/make.err" || die "csv2ndjson: $(cat "$tmp/make.err")"
	mv "$nd.tmp" "$nd"
	echo "$stamp" >"$nd.stamp"
	rm -f "$tmp/export.csv"
fi
bytes=$(wc -c <"$nd")
records=$(wc -l <"$nd")

clickhouse_start "$tmp/clickhouse" >/dev/null || die "ClickHouse did not start"
url=$CH_URL
table=0

count() { # table
	curl -sS --data-binary "SELECT count() FROM $1" "$url/"
}

# measure TOOL: one timed run; appends wall (ns), CPU (s) and RSS (KiB) to
# $tmp/TOOL.{wall,cpu,rss}. A failed run stops the benchmark.
measure() {
	table=$((table + 1))
	t0=$(now)
	case $1 in
	file) /usr/bin/time -f "%M %U %S" -o "$tmp/t" "$bin/post-quasar" \
	    --url "$url" --table "q$table" --create-table --sink "$nd" \
	    2>"$tmp/err" ;;
	pipe) cat "$nd" | /usr/bin/time -f "%M %U %S" -o "$tmp/t" \
	    "$bin/post-quasar" --url "$url" --table "q$table" \
	    --create-table --sink 2>"$tmp/err" ;;
	gzip) /usr/bin/time -f "%M %U %S" -o "$tmp/t" gzip -1 <"$nd" \
	    >/dev/null 2>"$tmp/err" ;;
	esac || die "$1 failed: $(tail -n 3 "$tmp/err")"
	t1=$(now)
	echo $((t1 - t0)) >>"$tmp/$1.wall"
	tail -n 1 "$tmp/t" | awk -v rss="$tmp/$1.rss" -v cpu="$tmp/$1.cpu" \
	    '{ print $1 >>rss; print $2 + $3 >>cpu }'
	if [ "$1" != gzip ] && [ "$(count "q$table")" != "$records" ]; then
		die "$1: table q$table holds $(count "q$table") rows, not $records"
	fi
}

median() {
	sort -n "$1" | awk '{ v[NR] = $1 }
	    END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Correctness first: one untimed run, every record in the table.
"$bin/post-quasar" --url "$url" --table check --create-table --sink "$nd" \
    2>"$tmp/check.err" || die "post-quasar failed: $(cat "$tmp/check.err")"
got=$(count check)
[ "$got" = "$records" ] || die "the table holds $got rows, not $records"
curl -sS --data-binary "DROP TABLE check" "$url/" >/dev/null

i=1
while [ "$i" -le "$runs" ]; do
	line="bench: run $i/$runs:"
	for tool in file pipe gzip; do
		measure "$tool"
		line="$line $tool $(tail -n 1 "$tmp/$tool.wall" |
		    awk '{ printf "%.2fs", $1 / 1e9 }')"
	done
	echo "$line" >&2
	# The server merges parts in the background: drop what was made.
	for t in $(seq $((table - 1)) "$table"); do
		curl -sS --data-binary "DROP TABLE IF EXISTS q$t" "$url/" \
		    >/dev/null
	done
	i=$((i + 1))
done

row() { # tool label
	awk -v tool="$2" -v bytes="$bytes" -v records="$records" \
	    -v med="$(median "$tmp/$1.wall")" \
	    -v lo="$(sort -n "$tmp/$1.wall" | head -n 1)" \
	    -v hi="$(sort -n "$tmp/$1.wall" | tail -n 1)" \
	    -v cpu="$(median "$tmp/$1.cpu")" \
	    -v rss="$(sort -n "$tmp/$1.rss" | tail -n 1)" 'BEGIN {
		printf "| %s | %.3f | %.3f-%.3f | %.1f | %.0f | %.3f | %.1f |\n",
		    tool, med / 1e9, lo / 1e9, hi / 1e9,
		    bytes / 1e6 / (med / 1e9), records / (med / 1e9), cpu,
		    rss / 1024 }'
}

cpu_ratio() { # tool
	awk -v a="$(median "$tmp/$1.cpu")" -v b="$(median "$tmp/gzip.cpu")" \
	    'BEGIN { r = a / b; printf "%.2fx gzip -1 (%s)", r,
	        r <= 1.5 ? "met" : "MISSED" }'
}

{
	echo "# post-quasar into ClickHouse"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -srm), $(nproc) CPUs:" \
	    "$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo 2>/dev/null |
	    head -n 1)"
	echo
	echo "Input: \`$nd\`, $records records, $bytes bytes of NDJSON" \
	    "(vendors/turbovote/make-export.py --rows $rows through csv2ndjson)." \
	    "ClickHouse $(clickhouse-client --version 2>/dev/null |
	    sed 's/.*version //' || echo 18.16) on 127.0.0.1, in the same" \
	    "machine. Median of $runs runs each, taking turns; not pinned."
	echo "Defaults: batches of 10000 rows / 8 MiB, gzip level 1, two in" \
	    "flight; --sink."
	echo
	echo "| command | median wall (s) | min-max (s) | NDJSON MB/s | records/s | median CPU user+sys (s) | peak RSS (MiB) |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	row file "post-quasar FILE"
	row pipe "cat FILE \\| post-quasar"
	row gzip "gzip -1 < FILE"
	echo
	echo "CPU time against gzip -1 on the same bytes (target <= 1.5x):"
	echo
	echo "- post-quasar reading the file: $(cpu_ratio file)"
	echo "- post-quasar reading a pipe: $(cpu_ratio pipe)"
	echo
	echo "Before timing, one run put all $records records in a table" \
	    "(SELECT count() = $records), and each timed run was checked" \
	    "the same way."
} >"$tmp/report.md"
cp "$tmp/report.md" "$out/quasar.md"
cat "$tmp/report.md"
