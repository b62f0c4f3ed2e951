#!/bin/sh
# bench/quasar.sh: how fast post-quasar puts NDJSON into a local ClickHouse,
# and what it costs in CPU next to gzip -1 on the same bytes: the ratio of
# their user + system CPU times, post-quasar's over gzip -1's (issue 20's
# target: at most 0.5; it was 1.17 with zlib's streaming deflate of
# JSONEachRow rows).
#
# The input is the synthetic TurboVote export (vendors/turbovote/
# make-export.py, bench/data/turbovote-ROWS.csv as bench/run.sh makes it)
# through csv2ndjson, cached in bench/data/ as quasar-ROWS.ndjson. A
# ClickHouse server (tests/servers/clickhouse.sh) is started for the run in
# a temporary directory, on loopback, and stopped at the end whatever
# happens.
#
# Before timing, one run checks that the table then holds every record.
# Then RUNS rounds, the commands taking turns, each timed with GNU time
# (wall, user + system CPU, peak RSS), its output thrown away:
#
#   post-quasar --table qN --create-table --sink FILE     (a file)
#   cat FILE | post-quasar --table qN --create-table --sink   (a pipe)
#   post-quasar --compress gzip ... --sink FILE   (gzipped batches)
#   gzip -1 < FILE
#
# post-quasar's rows are RowBinary in ClickHouse's LZ4 blocks by default.
#
# Each post-quasar run writes to a fresh table. Nothing is pinned: the
# server needs the other core; CPU time is what compares the tools, the
# wall time gives the NDJSON bytes per second into the server (its work
# included, on the same machine), beside cat's on the same file (the
# limit, lib.sh's limit_cells). The report, Markdown with the machine
# and the date, goes to stdout and bench/out/quasar.md. It reports
# numbers and never fails on them.
#
# Usage, from the repository root after make:
#   bench/quasar.sh [--rows N] [--runs N]    default 100000 rows, 5 runs
set -eu

rows=100000
runs=5
usage_text="usage: bench/quasar.sh [--rows N] [--runs N]
  --rows N   rows in the generated export (default 100000, at least 100)
  --runs N   timed runs of each command (default 5, at least 3)"

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_options "$@"
ROOT=$(pwd)
bin=build/bin
data=bench/data
out=bench/out
csv=$data/turbovote-$rows.csv
nd=$data/quasar-$rows.ndjson

for b in csv2ndjson post-quasar; do
	[ -x "$bin/$b" ] || die "no $bin/$b: run make first"
done
for c in python3 gzip curl; do
	command -v "$c" >/dev/null 2>&1 || die "$c is not installed"
done
# shellcheck source=tests/servers/clickhouse-lib.sh
. "$ROOT/tests/servers/clickhouse-lib.sh"
clickhouse_available || die "clickhouse-server is not installed"

tmp=$(mktemp -d)
trap 'clickhouse_stop; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$data" "$out"

# The input, made again when the export or csv2ndjson changed.
ensure_export "$csv" "$rows"
make_input "$nd" "from: $export_stamp; csv2ndjson $(cksum <"$bin/csv2ndjson")" \
    "$bin/csv2ndjson" --vendor turbovote "$csv"
bytes=$(wc -c <"$nd")
records=$(wc -l <"$nd")

clickhouse_start "$tmp/clickhouse" >/dev/null || die "ClickHouse did not start"
url=$CH_URL
table=0

count() { # table
	curl -sS --data-binary "SELECT count() FROM $1" "$url/"
}

# measure TOOL: one timed run (lib.sh's timed) into a fresh table, which
# must then hold every record; the table is dropped then, as the server
# merges parts in the background.
measure() {
	table=$((table + 1))
	# shellcheck disable=SC2002 # a pipe is what "pipe" reads
	case $1 in
	file) timed file "$bin/post-quasar" --url "$url" --table "q$table" \
	    --create-table --sink "$nd" ;;
	pipe) cat "$nd" | timed pipe "$bin/post-quasar" --url "$url" \
	    --table "q$table" --create-table --sink ;;
	gz) timed gz "$bin/post-quasar" --url "$url" --table "q$table" \
	    --create-table --compress gzip --sink "$nd" ;;
	gzip) timed gzip gzip -1 <"$nd"; return 0 ;;
	esac
	got=$(count "q$table")
	[ "$got" = "$records" ] ||
		die "$1: table q$table holds $got rows, not $records"
	curl -sS --data-binary "DROP TABLE q$table" "$url/" >/dev/null
}

# Correctness first: one untimed run, every record in the table.
"$bin/post-quasar" --url "$url" --table check --create-table --sink "$nd" \
    2>"$tmp/check.err" || die "post-quasar failed: $(cat "$tmp/check.err")"
got=$(count check)
[ "$got" = "$records" ] || die "the table holds $got rows, not $records"
curl -sS --data-binary "DROP TABLE check" "$url/" >/dev/null

rounds post-quasar file pipe gz gzip

row() { # tool label
	stats "$1" | awk -v tool="$2" -v records="$records" '{
		printf "| %s | %.3f | %.3f-%.3f | %.0f | %.3f | %.1f |",
		    tool, $1, $2, $3, records / $1, $4, $5 }'
	limit_cells "$1" "$nd"
	echo
}

# cpu_ratio TOOL: TOOL's median CPU time (user + system) over gzip -1's,
# against the target of 0.5.
cpu_ratio() {
	awk -v a="$(median "$tmp/$1.cpu")" -v b="$(median "$tmp/gzip.cpu")" \
	    'BEGIN { if (b <= 0) { printf "n/a"; exit }
	        r = a / b; printf "%.2f (%.3f s / %.3f s: %s)", r, a, b,
	        r <= 0.5 ? "met" : "MISSED" }'
}

{
	echo "# post-quasar into ClickHouse"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(machine)"
	echo
	echo "Input: \`$nd\`, $records records, $bytes bytes of NDJSON" \
	    "($tv_gen --rows $rows through csv2ndjson --vendor turbovote)." \
	    "ClickHouse $(clickhouse-client --version 2>/dev/null |
	    sed 's/.*version //' || echo 18.16) on 127.0.0.1, in the same" \
	    "machine. Median of $runs runs each, taking turns; not pinned."
	echo "Defaults: batches of 10000 rows / 8 MiB of RowBinary rows, each" \
	    "compressed whole as ClickHouse's LZ4 blocks (common/chblock);" \
	    "--compress gzip: by libdeflate at level 1 (common/gzbuf); two" \
	    "in flight; --sink." \
	    "gzip: $(gzip --version | head -n 1)."
	echo
	echo "| command | median wall (s) | min-max (s) | records/s | median CPU user+sys (s) | peak RSS (MiB) |$(limit_head)"
	echo "|---|---:|---:|---:|---:|---:|$(limit_rule)"
	row file "post-quasar FILE"
	row pipe "cat FILE \\| post-quasar"
	row gz "post-quasar --compress gzip FILE"
	row gzip "gzip -1 < FILE"
	echo
	echo "MB/s: of the NDJSON file, by wall time. CPU time of post-quasar" \
	    "over gzip -1's on the same bytes (issue 20's target: <= 0.5):"
	echo
	echo "- **post-quasar reading the file: $(cpu_ratio file)**"
	echo "- post-quasar reading a pipe: $(cpu_ratio pipe)"
	echo "- post-quasar --compress gzip (libdeflate), reading the file:" \
	    "$(cpu_ratio gz)"
	echo
	echo "Before timing, one run put all $records records in a table" \
	    "(SELECT count() = $records), and each timed run was checked" \
	    "the same way."
} >"$tmp/report.md"
cp "$tmp/report.md" "$out/quasar.md"
cat "$tmp/report.md"
