#!/bin/sh
# bench/pipeline.sh: the offline half of the TurboVote import,
#
#   csv2ndjson --vendor turbovote | shape --vendor turbovote |
#       status-map --vendor turbovote |
#       dedupe --vendor turbovote --key user.email,action_id,type
#
# on generated exports of several sizes (default 100k, 1M and 5M rows), to
# show how its time and memory grow: rows/s of the whole pipeline (wall
# time, the stages running at once on the machine's cores), and each
# stage's CPU time and peak RSS (GNU time), and the export's MB/s beside
# cat's on the same file (the limit). dedupe keeps the best record of
# a key (--keep best --rank status, from the vendor file) and holds one
# record per key until the end, so its memory grows with the distinct
# keys, by design; the other stages' must not grow at all. Its key is the
# member's e-mail address instead of the vendor file's northstar_id, which
# only post-northstar, not run here, fills in for most records (dedupe
# rejects a record without its key).
#
# The exports come from vendors/turbovote/make-export.py (deterministic,
# cached in bench/data/ as turbovote-ROWS.csv, shared with the other
# scripts). The report goes to stdout and to bench/out/pipeline.md; it
# never fails on numbers.
#
# Usage, from the repository root after make:
#   bench/pipeline.sh [--sizes "100000 1000000 5000000"]
set -eu

sizes="100000 1000000 5000000"
while [ $# -gt 0 ]; do
	case $1 in
	--sizes) sizes=$2; shift 2 ;;
	-h | --help) sed -n '2,26p' "$0"; exit 0 ;;
	*) echo "usage: bench/pipeline.sh [--sizes \"N N ...\"]" >&2; exit 64 ;;
	esac
done

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
for b in csv2ndjson shape status-map dedupe; do
	[ -x "build/bin/$b" ] || die "no build/bin/$b: run make first"
done
mkdir -p bench/data bench/out
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
report=bench/out/pipeline.md

{
	echo "# The offline TurboVote pipeline at several sizes"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(machine)"
	echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "- pipeline: csv2ndjson | shape | status-map | dedupe --keep best --key user.email,action_id,type, each --vendor turbovote, not pinned (the stages run at once)"
	echo
	echo "| rows | CSV MB | wall (s) | rows/s | csv2ndjson CPU s / MiB | shape | status-map | dedupe | records out | CSV MB/s | cat MB/s |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$report"

stage() { # name command...: runs it under GNU time, into $tmp/name.time
	_n=$1
	shift
	/usr/bin/time -f "%U %S %M" -o "$tmp/$_n.time" "$@"
}

for n in $sizes; do
	csv=bench/data/turbovote-$n.csv
	ensure_export "$csv" "$n"
	echo "bench: pipeline on $n rows" >&2
	t0=$(now)
	stage csv2ndjson build/bin/csv2ndjson --vendor turbovote "$csv" \
	    2>/dev/null |
		stage shape build/bin/shape --vendor turbovote 2>/dev/null |
		stage status-map build/bin/status-map --vendor turbovote \
		    2>/dev/null |
		stage dedupe build/bin/dedupe --vendor turbovote \
		    --key user.email,action_id,type 2>/dev/null |
		wc -l >"$tmp/out"
	t1=$(now)
	mb=$(($(wc -c <"$csv") / 1000000))
	cells=
	for s in csv2ndjson shape status-map dedupe; do
		cells="$cells $(awk '{ printf "%.2f s / %.0f", $1 + $2, $3 / 1024 }' "$tmp/$s.time") |"
	done
	awk -v n="$n" -v mb="$mb" -v w="$((t1 - t0))" -v cells="$cells" \
	    -v out="$(cat "$tmp/out")" -v b="$(wc -c <"$csv")" \
	    -v cat="$(cat_rate "$csv")" 'BEGIN {
		w /= 1e9
		printf "| %d | %d | %.1f | %.0f |%s %d | %.1f | %s |\n", n, mb,
		    w, n / w, cells, out, b / 1e6 / w, cat
	}' >>"$report"
done
{
	echo
	echo "Each stage cell: CPU seconds (user + system) / peak RSS in MiB." \
	    "CSV MB/s: the export's through the whole pipeline, by wall time," \
	    "beside cat's on the same file (the limit, bench/lib.sh's cat_rate)."
} >>"$report"
cat "$report"
