#!/bin/sh
# bench/csv-quoted.sh: csv2ndjson on an export where every row quotes a
# field, next to Miller, DuckDB's CSV reader on one thread, and cat (the
# floor: the bytes read and written, nothing parsed), on one CPU core.
#
# The export: vendors/turbovote/make-export.py --rows ROWS --seed 1
# --quoted (every referral code holds commas, as in TurboVote's real
# exports), cached in bench/data/. Each command runs RUNS times, the tools
# taking turns, pinned to CPU 0 when taskset can, output thrown away:
#
#   csv2ndjson --vendor turbovote FILE > /dev/null
#   SLUICE_FASTPATH=0 csv2ndjson --vendor turbovote FILE > /dev/null
#   mlr --icsv --ojsonl cat FILE > /dev/null
#   node bench/duckdb/csv2json.js FILE /dev/stdout > /dev/null
#   cat FILE > /dev/null
#
# (csv2json.js: COPY (SELECT * FROM read_csv(FILE, all_varchar = true,
# ...)) TO /dev/stdout (FORMAT JSON) with SET threads = 1; see the file.)
# Before timing: every tool writes one record a row (csv2ndjson and DuckDB
# say how many on the full file, Miller is counted on a 100k-row cut), and
# on the cut DuckDB's bytes and csv2ndjson --no-meta's must be the same.
# Reports the median wall and CPU time, MB/s and records/s of each, and
# csv2ndjson's records/s over Miller's and DuckDB's (targets: >= 15x and
# >= 2x) and cat's over csv2ndjson's, by wall and by CPU time. Writes
# bench/out/csv-quoted.md; never fails on the numbers.
#
#   bench/csv-quoted.sh [--rows N] [--runs N]    default 1000000 rows, 5 runs
set -eu

rows=1000000
runs=5
cut_max=100000
usage_text="usage: bench/csv-quoted.sh [--rows N] [--runs N]
  --rows N   rows in the generated export (default 1000000, at least 100)
  --runs N   timed runs of each command (default 5, at least 3)"

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_options "$@"
data=bench/data
out=bench/out
if [ "$rows" -gt "$cut_max" ]; then cut_rows=$cut_max; else cut_rows=$((rows / 10)); fi
full=$data/turbovote-quoted-$rows.csv
cut=$data/turbovote-quoted-$cut_rows.csv
duck=bench/duckdb

[ -x build/bin/csv2ndjson ] || die "no build/bin/csv2ndjson: run make first"
command -v mlr >/dev/null 2>&1 || die "Miller (mlr) is not installed"
command -v node >/dev/null 2>&1 || die "node is not installed (nodejs)"
[ -f "$duck/node_modules/@duckdb/node-api/package.json" ] ||
	die "DuckDB is not installed: tests/setup.sh bench (npm install in $duck)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$data" "$out"
pin_cpu0
# The binary timed is a copy: a rebuild during the run changes nothing.
cp build/bin/csv2ndjson "$tmp/csv2ndjson"

quoted_export() { # FILE ROWS
	q_stamp="rows=$2 seed=1 quoted gen=$(cksum <"$tv_gen")"
	make_input "$1" "$q_stamp" python3 "$tv_gen" --rows "$2" --seed 1 --quoted
}
quoted_export "$full" "$rows"
quoted_export "$cut" "$cut_rows"
bytes=$(wc -c <"$full")

# Correctness first. On the cut: DuckDB's bytes are csv2ndjson's without
# _meta, and Miller writes a record a row.
"$tmp/csv2ndjson" --no-meta "$cut" >"$tmp/ours.cut" 2>"$tmp/check.err" ||
	die "csv2ndjson failed on $cut: $(cat "$tmp/check.err")"
node "$duck/csv2json.js" "$cut" "$tmp/duck.cut" 2>"$tmp/check.err" ||
	die "DuckDB failed on $cut: $(cat "$tmp/check.err")"
if cmp -s "$tmp/ours.cut" "$tmp/duck.cut"; then
	same="the same bytes ($(wc -l <"$tmp/ours.cut") records)"
else
	same="**different bytes** (compare csv2ndjson --no-meta and $duck/csv2json.js on $cut)"
fi
rm -f "$tmp/ours.cut" "$tmp/duck.cut"
mlr --icsv --ojsonl cat "$cut" >"$tmp/mlr.cut" 2>"$tmp/check.err" ||
	die "mlr failed on $cut: $(cat "$tmp/check.err")"
n=$(wc -l <"$tmp/mlr.cut")
rm -f "$tmp/mlr.cut"
[ "$n" -eq "$cut_rows" ] || die "mlr wrote $n records for $cut_rows rows"

# measure TAG: one timed run (lib.sh).
measure() {
	case $1 in
	csv2ndjson) timed "$1" "$tmp/csv2ndjson" --vendor turbovote "$full" ;;
	slow) timed "$1" env SLUICE_FASTPATH=0 "$tmp/csv2ndjson" --vendor turbovote "$full" ;;
	mlr) timed "$1" mlr --icsv --ojsonl cat "$full" ;;
	duckdb) timed "$1" node "$duck/csv2json.js" "$full" /dev/stdout ;;
	cat) timed "$1" cat "$full" ;;
	esac
}
cat "$full" >/dev/null # into the page cache, for every tool alike
rounds csv-quoted csv2ndjson slow mlr duckdb cat
grep -q "in=$rows out=$rows " "$tmp/csv2ndjson.err" ||
	die "csv2ndjson did not convert every row: $(cat "$tmp/csv2ndjson.err")"
grep -q "^duckdb: rows=$rows " "$tmp/duckdb.err" ||
	die "DuckDB did not convert every row: $(cat "$tmp/duckdb.err")"

row() { # TAG LABEL
	stats "$1" | awk -v tool="$2" -v n="$rows" -v b="$bytes" '{
		cpu = $4 > 0 ? sprintf("%.0f", b / 1e6 / $4) : "n/a"
		printf "| %s | %.3f | %.3f-%.3f | %.0f | %.0f | %.2f | %s | %.1f |\n",
		    tool, $1, $2, $3, b / 1e6 / $1, n / $1, $4, cpu, $5 }'
}

{
	echo "# csv2ndjson on a quoted export"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(machine)"
	echo "- runs: $runs of each command, taking turns, $pin_note; output to /dev/null"
	echo "- input: $full, $rows rows, $(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1e6 }') MB (vendors/turbovote/make-export.py --rows $rows --seed 1 --quoted: every row quotes its referral code)"
	echo "- versions: $("$tmp/csv2ndjson" --version 2>&1 | head -n 1); $(mlr --version 2>&1 | head -n 1); DuckDB $(sed -n 's/^duckdb: .*version=\([^ ]*\).*/\1/p' "$tmp/duckdb.err" | head -n 1) (@duckdb/node-api $(node -p "require('./$duck/node_modules/@duckdb/node-api/package.json').version"), threads=1), node $(node --version)"
	echo "- DuckDB and csv2ndjson --no-meta on the $cut_rows-row cut: $same"
	echo
	echo "| command | median wall (s) | min-max (s) | MB/s | records/s | median CPU (s) | MB/CPU s | peak RSS (MiB) |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	row csv2ndjson "csv2ndjson --vendor turbovote"
	row slow "SLUICE_FASTPATH=0 csv2ndjson --vendor turbovote (libcsv, a field at a time)"
	row mlr "mlr --icsv --ojsonl cat"
	row duckdb "DuckDB read_csv, COPY TO (FORMAT JSON), 1 thread"
	row cat "cat (the floor)"
	echo
	echo "- **csv2ndjson / Miller, records/s: $(ratio csv2ndjson mlr) by wall time, $(ratio csv2ndjson mlr cpu) by CPU time** (target: >= 15x)"
	echo "- **csv2ndjson / DuckDB (1 thread), records/s: $(ratio csv2ndjson duckdb) by wall time, $(ratio csv2ndjson duckdb cpu) by CPU time** (target: >= 2x)"
	echo "- csv2ndjson's fast path / SLUICE_FASTPATH=0: $(ratio csv2ndjson slow) by wall time, $(ratio csv2ndjson slow cpu) by CPU time"
	echo "- cat / csv2ndjson (how far from the floor): $(ratio cat csv2ndjson) by wall time, $(ratio cat csv2ndjson cpu) by CPU time"
} >"$tmp/report.md"
cp "$tmp/report.md" "$out/csv-quoted.md"
cat "$tmp/report.md"
