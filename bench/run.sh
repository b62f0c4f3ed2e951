#!/bin/sh
# bench/run.sh: how fast csv2ndjson turns a TurboVote export into NDJSON, next
# to Miller (and csvkit's csvjson when it is installed), on one CPU core.
#
# On a synthetic export made by vendors/turbovote/make-export.py (1M rows by default,
# cached in bench/data/), it measures, with runs alternating between the
# tools and every command pinned to CPU 0 with taskset when there is one:
#
#   csv2ndjson --source turbovote FILE > /dev/null
#   mlr --icsv --ojsonl cat FILE > /dev/null
#
# and reports the median wall time, rows/s, the ratio of the two rows/s (the
# project aims for csv2ndjson >= 10x Miller), the median CPU time (user +
# system, steadier than wall time when something else loads the machine)
# and the peak RSS of each (GNU time %M). It runs both again on a 100k-row cut of the same data (a tenth of
# the rows when the file has no more than 100k), to check that csv2ndjson's
# peak RSS stays flat as the input grows, and to compare csv2ndjson with
# `csvjson --stream` there (optional: skipped without csvkit; run with -I and
# -y 0, without which csvjson loads the whole table to guess types).
#
# The report, a Markdown table with the machine and the date, goes to stdout
# and to bench/out/csv2ndjson.md. It reports numbers and never fails on them.
#
# At its end it runs bench/stages.sh with the same --rows and --runs: the
# NDJSON stages (status-map, tv-filter, dedupe) against jq, Miller and awk,
# reported in bench/out/stages.md.
#
# Usage, from the repository root (make bench runs it with the defaults):
#   bench/run.sh [--rows N] [--runs N]    default 1000000 rows, 5 runs
set -eu

rows=1000000
runs=5
seed=1
cut_max=100000

# usage STATUS: the synopsis, on stdout for --help, on stderr otherwise.
usage() {
	if [ "$1" -eq 0 ]; then exec 3>&1; else exec 3>&2; fi
	cat >&3 <<EOF
usage: bench/run.sh [--rows N] [--runs N]
  --rows N   rows in the generated export (default 1000000, at least 100)
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
data=bench/data
out=bench/out
full=$data/turbovote.csv
cut=$data/turbovote-cut.csv
if [ "$rows" -gt "$cut_max" ]; then cut_rows=$cut_max; else cut_rows=$((rows / 10)); fi

# What the benchmark needs; csvkit is optional.
[ -x build/bin/csv2ndjson ] || die "no build/bin/csv2ndjson: run make first"
command -v mlr >/dev/null 2>&1 || die "Miller (mlr) is not installed"
command -v python3 >/dev/null 2>&1 || die "python3 is not installed"
tools_cut="csv2ndjson mlr"
if command -v csvjson >/dev/null 2>&1; then
	tools_cut="$tools_cut csvjson"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

/usr/bin/time -f %M -o "$tmp/rss" true 2>/dev/null ||
	die "GNU time (/usr/bin/time with -f) is needed for peak RSS"
pin=""
pin_note="not pinned (no taskset)"
if taskset -c 0 true 2>/dev/null; then
	pin="taskset -c 0"
	pin_note="pinned to CPU 0 (taskset -c 0)"
fi

# Wall clock in nanoseconds. GNU date has %N; elsewhere fall back to Python,
# whose start-up then adds a few milliseconds to every run.
case $(date +%s%N) in
*[!0-9]*) now() { python3 -c 'import time; print(time.time_ns())'; } ;;
*) now() { date +%s%N; } ;;
esac

# ensure_data FILE ROWS: generate FILE unless it is there with the same rows,
# seed and generator. The stamp is written last, so an interrupted run
# regenerates.
ensure_data() {
	stamp="rows=$2 seed=$seed gen=$(cksum <vendors/turbovote/make-export.py)"
	if [ -f "$1" ] && [ -f "$1.stamp" ] && [ "$(cat "$1.stamp")" = "$stamp" ]; then
		return 0
	fi
	echo "bench: generating $1 ($2 rows)" >&2
	rm -f "$1.stamp"
	python3 vendors/turbovote/make-export.py --rows "$2" --seed "$seed" >"$1.tmp"
	mv "$1.tmp" "$1"
	echo "$stamp" >"$1.stamp"
}

# measure TOOL FILE TAG: one timed run of TOOL on FILE, output thrown away.
# Appends the wall time (ns) to $tmp/TAG.wall, the peak RSS (KiB) to
# $tmp/TAG.rss and the CPU time (user + system, s) to $tmp/TAG.cpu; TOOL's
# stderr is kept in $tmp/TAG.err. A tool that fails
# stops the benchmark: its numbers would mean nothing.
measure() {
	m_tool=$1 m_file=$2 m_tag=$3
	# $pin is empty or "taskset -c 0": it is meant to split into words.
	# shellcheck disable=SC2086
	set -- $pin /usr/bin/time -f "%M %U %S" -o "$tmp/rss"
	case $m_tool in
	csv2ndjson) set -- "$@" build/bin/csv2ndjson --source turbovote "$m_file" ;;
	mlr) set -- "$@" mlr --icsv --ojsonl cat "$m_file" ;;
	csvjson) set -- "$@" csvjson --stream --no-inference --snifflimit 0 "$m_file" ;;
	esac
	t0=$(now)
	if ! "$@" >/dev/null 2>"$tmp/$m_tag.err"; then
		echo "bench: $m_tool failed on $m_file:" >&2
		cat "$tmp/$m_tag.err" >&2
		exit 1
	fi
	t1=$(now)
	echo $((t1 - t0)) >>"$tmp/$m_tag.wall"
	tail -n 1 "$tmp/rss" | awk -v rss="$tmp/$m_tag.rss" -v cpu="$tmp/$m_tag.cpu" \
	    '{ print $1 >>rss; print $2 + $3 >>cpu }'
}

# bench_file FILE TAG TOOLS...: RUNS rounds, each running every tool once.
bench_file() {
	b_file=$1 b_tag=$2
	shift 2
	cat "$b_file" >/dev/null # into the page cache, for every tool alike
	i=1
	while [ "$i" -le "$runs" ]; do
		line="bench: $b_tag run $i/$runs:"
		for b_tool in "$@"; do
			measure "$b_tool" "$b_file" "$b_tool.$b_tag"
			line="$line $b_tool $(tail -n 1 "$tmp/$b_tool.$b_tag.wall" |
			    awk '{ printf "%.2fs", $1 / 1e9 }')"
		done
		echo "$line" >&2
		i=$((i + 1))
	done
}

median() {
	sort -n "$1" | awk '{ v[NR] = $1 }
	    END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# row TOOL TAG ROWS LABEL: one line of the Markdown table.
row() {
	awk -v tool="$1" -v input="$4" -v n="$3" -v runs="$runs" \
	    -v med="$(median "$tmp/$1.$2.wall")" \
	    -v lo="$(sort -n "$tmp/$1.$2.wall" | head -n 1)" \
	    -v hi="$(sort -n "$tmp/$1.$2.wall" | tail -n 1)" \
	    -v cpu="$(median "$tmp/$1.$2.cpu")" \
	    -v rss="$(sort -n "$tmp/$1.$2.rss" | tail -n 1)" 'BEGIN {
		printf "| %s | %s | %d | %.3f | %.3f-%.3f | %.0f | %.2f | %.1f |\n",
		    input, tool, runs, med / 1e9, lo / 1e9, hi / 1e9,
		    n / (med / 1e9), cpu, rss / 1024 }'
}

# ratio TOOL1 TOOL2 TAG [cpu]: rows/s of TOOL1 over rows/s of TOOL2 on one
# input, by median wall time or, with cpu, by median CPU time (n/a when
# TOOL1 took less than GNU time's 10 ms resolution).
ratio() {
	awk -v a="$(median "$tmp/$1.$3.${4:-wall}")" \
	    -v b="$(median "$tmp/$2.$3.${4:-wall}")" \
	    'BEGIN { if (a > 0) printf "%.1fx", b / a; else printf "n/a" }'
}

peak() {
	sort -n "$tmp/$1.rss" | tail -n 1
}

# A rebuild while the benchmark runs would mix two programs in one median.
bin_sum=$(cksum <build/bin/csv2ndjson)

mkdir -p "$data" "$out"
ensure_data "$full" "$rows"
ensure_data "$cut" "$cut_rows"

# The output must be whole before its speed means anything: every row out,
# none rejected, one record a row from each tool.
count() {
	"$@" "$cut" >"$tmp/check.out" 2>"$tmp/check.err" ||
		die "$1 failed on $cut: $(cat "$tmp/check.err")"
	n=$(wc -l <"$tmp/check.out")
	rm -f "$tmp/check.out"
	[ "$n" -eq "$cut_rows" ] || die "$1 wrote $n records for $cut_rows rows"
}
count build/bin/csv2ndjson --source turbovote
count mlr --icsv --ojsonl cat

bench_file "$full" full csv2ndjson mlr
grep -q "in=$rows out=$rows " "$tmp/csv2ndjson.full.err" ||
	die "csv2ndjson did not convert every row of $full: $(cat "$tmp/csv2ndjson.full.err")"
# shellcheck disable=SC2086
bench_file "$cut" cut $tools_cut

full_mb=$(awk -v b="$(wc -c <"$full")" 'BEGIN { printf "%.0f", b / 1e6 }')
c_full=$(peak csv2ndjson.full)
c_cut=$(peak csv2ndjson.cut)
# Flat: the full file, ten times the rows or more, may cost a little more
# (longer fields met, allocator noise) but nothing in proportion to its size.
flat=$(awk -v f="$c_full" -v c="$c_cut" \
    'BEGIN { print (f <= c * 1.25 + 1024) ? "yes" : "NO, it grows with the input" }')

{
	echo "# csv2ndjson benchmark"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1), $(uname -sr)"
	echo "- runs: $runs of each command, alternating, $pin_note; median wall time"
	echo "- input: synthetic TurboVote export, $rows rows, $full_mb MB (vendors/turbovote/make-export.py --seed $seed); cut: $cut_rows rows"
	echo "- versions: $(build/bin/csv2ndjson --version 2>&1 | head -n 1); $(mlr --version 2>&1 | head -n 1)$(
	    command -v csvjson >/dev/null 2>&1 && echo "; csvjson $(csvjson --version 2>&1 | awk '{ print $NF }')")"
	echo
	echo "| input | tool | runs | median wall (s) | min-max (s) | rows/s | median CPU (s) | peak RSS (MiB) |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|"
	row csv2ndjson full "$rows" "$rows rows"
	row mlr full "$rows" "$rows rows"
	for tool in $tools_cut; do
		row "$tool" cut "$cut_rows" "$cut_rows-row cut"
	done
	echo
	echo "- **csv2ndjson / Miller, rows/s, $rows rows, one core: $(ratio csv2ndjson mlr full)** (project target: >= 10x); on the cut: $(ratio csv2ndjson mlr cut)"
	echo "- the same by CPU time (user + system), which another load on the machine disturbs less: $(ratio csv2ndjson mlr full cpu); on the cut: $(ratio csv2ndjson mlr cut cpu)"
	echo "- csv2ndjson peak RSS flat in input size: $flat ($(awk -v k="$c_cut" 'BEGIN { printf "%.1f", k / 1024 }') MiB on $cut_rows rows, $(awk -v k="$c_full" 'BEGIN { printf "%.1f", k / 1024 }') MiB on $rows)"
	if [ "$(cksum <build/bin/csv2ndjson)" != "$bin_sum" ]; then
		echo "- **warning: build/bin/csv2ndjson was rebuilt during the run; its numbers mix two builds**"
	fi
	if command -v csvjson >/dev/null 2>&1; then
		echo "- csv2ndjson / csvjson --stream (optional), rows/s, on the cut: $(ratio csv2ndjson csvjson cut)"
	else
		echo "- csvjson --stream (optional): not measured, csvkit is not installed"
	fi
} >"$tmp/report.md"

cp "$tmp/report.md" "$out/csv2ndjson.md"
cat "$tmp/report.md"
echo "bench: report written to $out/csv2ndjson.md" >&2

# The NDJSON stages, on the same export and with as many runs; the offline
# pipeline at several sizes; the delivery stages; then the summary file.
echo
bench/stages.sh --rows "$rows" --runs "$runs"
echo
if [ "$rows" -ge 1000000 ]; then
	bench/pipeline.sh --sizes "100000 1000000 5000000"
else
	bench/pipeline.sh --sizes "$rows"
fi
echo
bench/rogue.sh
if [ -x bench/quasar.sh ]; then
	echo
	bench/quasar.sh
fi
bench/results.sh
