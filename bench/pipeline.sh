#!/bin/sh
# bench/pipeline.sh: the offline half of the TurboVote import,
#
#   csv2ndjson --source turbovote | tv-filter | status-map |
#       dedupe --key user.email,action_id,type --keep best --rank status
#
# on generated exports of several sizes (default 100k, 1M and 5M rows), to
# show how its time and memory grow: rows/s of the whole pipeline (wall
# time, the stages running at once on the machine's cores), and each
# stage's CPU time and peak RSS (GNU time). dedupe --keep best holds one
# record per key until the end, so its memory grows with the distinct
# keys, by design; the other stages' must not grow at all.
#
# The exports come from vendors/turbovote/make-export.py (deterministic, cached in
# bench/data/ as turbovote-ROWS.csv). The report goes to stdout and to
# bench/out/pipeline.md; it never fails on numbers.
#
# Usage, from the repository root after make:
#   bench/pipeline.sh [--sizes "100000 1000000 5000000"]
set -eu

sizes="100000 1000000 5000000"
while [ $# -gt 0 ]; do
	case $1 in
	--sizes) sizes=$2; shift 2 ;;
	-h | --help) sed -n '2,20p' "$0"; exit 0 ;;
	*) echo "usage: bench/pipeline.sh [--sizes \"N N ...\"]" >&2; exit 64 ;;
	esac
done

cd "$(dirname "$0")/.."
for b in csv2ndjson tv-filter status-map dedupe; do
	[ -x "build/bin/$b" ] || { echo "bench: run make first" >&2; exit 1; }
done
/usr/bin/time -f %M true 2>/dev/null ||
	{ echo "bench: GNU time (/usr/bin/time) is needed" >&2; exit 1; }
mkdir -p bench/data bench/out
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
map=pipelines/maps/turbovote.json
report=bench/out/pipeline.md

{
	echo "# The offline TurboVote pipeline at several sizes"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "- pipeline: csv2ndjson | tv-filter | status-map | dedupe --keep best, not pinned (the stages run at once)"
	echo
	echo "| rows | CSV MB | wall (s) | rows/s | csv2ndjson CPU s / MiB | tv-filter | status-map | dedupe | records out |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$report"

timed() { # name command...: runs it under GNU time, into $tmp/name.time
	_n=$1
	shift
	/usr/bin/time -f "%U %S %M" -o "$tmp/$_n.time" "$@"
}

for n in $sizes; do
	csv=bench/data/turbovote-$n.csv
	if [ ! -f "$csv" ]; then
		echo "bench: generating $csv" >&2
		python3 vendors/turbovote/make-export.py --rows "$n" --seed 1 >"$csv.tmp"
		mv "$csv.tmp" "$csv"
	fi
	echo "bench: pipeline on $n rows" >&2
	t0=$(date +%s.%N)
	timed csv2ndjson build/bin/csv2ndjson --source turbovote "$csv" \
	    2>/dev/null |
		timed tv-filter build/bin/tv-filter --map "$map" 2>/dev/null |
		timed status-map build/bin/status-map --map "$map" 2>/dev/null |
		timed dedupe build/bin/dedupe --key user.email,action_id,type \
		    --keep best --rank status --map "$map" 2>/dev/null |
		wc -l >"$tmp/out"
	t1=$(date +%s.%N)
	mb=$(($(wc -c <"$csv") / 1000000))
	cells=
	for s in csv2ndjson tv-filter status-map dedupe; do
		cells="$cells $(awk '{ printf "%.2f s / %.0f", $1 + $2, $3 / 1024 }' "$tmp/$s.time") |"
	done
	awk -v n="$n" -v mb="$mb" -v t0="$t0" -v t1="$t1" -v cells="$cells" \
	    -v out="$(cat "$tmp/out")" 'BEGIN {
		w = t1 - t0
		printf "| %d | %d | %.1f | %.0f |%s %d |\n", n, mb, w, n / w, cells, out
	}' >>"$report"
done
{
	echo
	echo "Each stage cell: CPU seconds (user + system) / peak RSS in MiB."
} >>"$report"
cat "$report"
