#!/bin/sh
# bench/run.sh: how fast csv2ndjson turns a TurboVote export into NDJSON, next
# to Miller (and csvkit's csvjson when it is installed), on one CPU core.
#
# On a synthetic export made by vendors/turbovote/make-export.py (1M rows by
# default, cached in bench/data/), it measures, with runs alternating between
# the tools and every command pinned to CPU 0 with taskset when there is one:
#
#   csv2ndjson --vendor turbovote FILE > /dev/null
#   mlr --icsv --ojsonl cat FILE > /dev/null
#
# and reports the median wall time, rows/s, the ratio of the two rows/s (the
# project aims for csv2ndjson >= 10x Miller), the median CPU time (user +
# system, steadier than wall time when something else loads the machine)
# and the peak RSS of each (GNU time %M). It runs both again on a 100k-row
# cut of the same data (a tenth of the rows when the file has no more than
# 100k), to check that csv2ndjson's peak RSS stays flat as the input grows,
# and to compare csv2ndjson with `csvjson --stream` there (optional: skipped
# without csvkit; run with -I and -y 0, without which csvjson loads the
# whole table to guess types).
#
# The report, a Markdown table with the machine and the date, goes to stdout
# and to bench/out/csv2ndjson.md. It reports numbers and never fails on them.
#
# At its end it runs bench/stages.sh with the same --rows and --runs (the
# NDJSON stages, shape, status-map and dedupe, against jq, Miller and awk),
# bench/pipeline.sh, bench/rogue.sh, bench/quasar.sh, the event layer's
# (bench/validate.sh, validate against ajv, and bench/attribution.sh,
# attribute and rollup against cat, on --rows events with --runs runs;
# bench/sample.sh, sample against mlr sample -k -g;
# bench/analytics-sql.sh, the SQL views on ClickHouse beside the stages, on
# about as many events), and gathers their reports into bench/RESULTS.md
# with bench/results.sh.
#
# Usage, from the repository root (make bench runs it with the defaults):
#   bench/run.sh [--rows N] [--runs N]    default 1000000 rows, 5 runs
set -eu

rows=1000000
runs=5
cut_max=100000
usage_text="usage: bench/run.sh [--rows N] [--runs N]
  --rows N   rows in the generated export (default 1000000, at least 100)
  --runs N   timed runs of each command (default 5, at least 3)"

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_options "$@"
data=bench/data
out=bench/out
if [ "$rows" -gt "$cut_max" ]; then cut_rows=$cut_max; else cut_rows=$((rows / 10)); fi
full=$data/turbovote-$rows.csv
cut=$data/turbovote-$cut_rows.csv

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
pin_cpu0

# measure TOOL.INPUT: one timed run of TOOL on the full file or the cut.
measure() {
	case ${1#*.} in full) m_file=$full ;; *) m_file=$cut ;; esac
	case ${1%%.*} in
	csv2ndjson) timed "$1" build/bin/csv2ndjson --vendor turbovote "$m_file" ;;
	mlr) timed "$1" mlr --icsv --ojsonl cat "$m_file" ;;
	csvjson) timed "$1" csvjson --stream --no-inference --snifflimit 0 "$m_file" ;;
	esac
}

# row TOOL TAG ROWS LABEL: one line of the Markdown table.
row() {
	stats "$1.$2" | awk -v tool="$1" -v input="$4" -v n="$3" -v runs="$runs" '{
		printf "| %s | %s | %d | %.3f | %.3f-%.3f | %.0f | %.2f | %.1f |\n",
		    input, tool, runs, $1, $2, $3, n / $1, $4, $5 }'
}

# A rebuild while the benchmark runs would mix two programs in one median.
bin_sum=$(cksum <build/bin/csv2ndjson)

mkdir -p "$data" "$out"
ensure_export "$full" "$rows"
ensure_export "$cut" "$cut_rows"

# The output must be whole before its speed means anything: every row out,
# none rejected, one record a row from each tool.
count() {
	"$@" "$cut" >"$tmp/check.out" 2>"$tmp/check.err" ||
		die "$1 failed on $cut: $(cat "$tmp/check.err")"
	n=$(wc -l <"$tmp/check.out")
	rm -f "$tmp/check.out"
	[ "$n" -eq "$cut_rows" ] || die "$1 wrote $n records for $cut_rows rows"
}
count build/bin/csv2ndjson --vendor turbovote
count mlr --icsv --ojsonl cat

cat "$full" "$cut" >/dev/null # into the page cache, for every tool alike
rounds full csv2ndjson.full mlr.full
grep -q "in=$rows out=$rows " "$tmp/csv2ndjson.full.err" ||
	die "csv2ndjson did not convert every row of $full: $(cat "$tmp/csv2ndjson.full.err")"
# shellcheck disable=SC2046 # the tools' names are words
rounds cut $(for t in $tools_cut; do echo "$t.cut"; done)

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
	echo "- machine: $(machine)"
	echo "- runs: $runs of each command, alternating, $pin_note; median wall time"
	echo "- input: synthetic TurboVote export, $rows rows, $full_mb MB (vendors/turbovote/make-export.py --seed 1); cut: $cut_rows rows"
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
	echo "- **csv2ndjson / Miller, rows/s, $rows rows, one core: $(ratio csv2ndjson.full mlr.full)** (project target: >= 10x); on the cut: $(ratio csv2ndjson.cut mlr.cut)"
	echo "- the same by CPU time (user + system), which another load on the machine disturbs less: $(ratio csv2ndjson.full mlr.full cpu); on the cut: $(ratio csv2ndjson.cut mlr.cut cpu)"
	echo "- csv2ndjson peak RSS flat in input size: $flat ($(awk -v k="$c_cut" 'BEGIN { printf "%.1f", k / 1024 }') MiB on $cut_rows rows, $(awk -v k="$c_full" 'BEGIN { printf "%.1f", k / 1024 }') MiB on $rows)"
	if [ "$(cksum <build/bin/csv2ndjson)" != "$bin_sum" ]; then
		echo "- **warning: build/bin/csv2ndjson was rebuilt during the run; its numbers mix two builds**"
	fi
	if command -v csvjson >/dev/null 2>&1; then
		echo "- csv2ndjson / csvjson --stream (optional), rows/s, on the cut: $(ratio csv2ndjson.cut csvjson.cut)"
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
echo
bench/validate.sh --rows "$rows" --runs "$runs"
echo
bench/attribution.sh --rows "$rows" --runs "$runs"
echo
bench/sample.sh --rows "$rows" --runs "$runs"
echo
bench/analytics-sql.sh $((rows / 20)) # persons, about 20 events each
bench/results.sh
