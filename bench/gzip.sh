#!/bin/sh
# bench/gzip.sh: zlib against libdeflate, on the bytes sluice gzips and
# gunzips, in CPU time (tests/tools/gzspeed, the fastest of RUNS runs of
# each; see its top comment):
#
#   write  post-quasar's batches: the NDJSON of quasar.sh (a TurboVote
#          export through csv2ndjson) cut into 8 MiB batches, each gzipped
#          by zlib level 1 streaming (how post-quasar did it before
#          common/gzbuf), by libdeflate at levels 1 to 6 and as ClickHouse's
#          LZ4 blocks (--compress lz4): MB/s and the
#          size against gzip -1's of the whole file; beside them gzip -1,
#          gzip -6 (import.sh's raw copies before gzchunks) and gzchunks
#          on the whole file, the programs' median CPU time of RUNS runs;
#   read   a gzipped export (the same export, gzip -6 as a vendor would
#          send it): read through common/input as every stage reads
#          gzip (zlib's inflate as data comes) against read whole and
#          inflated whole by libdeflate; and csv2ndjson's own CPU time on
#          the export and on its gzip, which says what gunzipping costs a
#          stage.
#
# Writes bench/out/gzip.md; never fails on the numbers.
#
#   bench/gzip.sh [--rows N] [--runs N]    default 100000 rows, 5 runs
set -eu

rows=100000
runs=5
usage_text="usage: bench/gzip.sh [--rows N] [--runs N]
  --rows N   rows in the generated export (default 100000, at least 100)
  --runs N   runs of each measure (default 5, at least 3)"

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_options "$@"
bin=build/bin
tool=build/tests/tools/gzspeed
data=bench/data
out=bench/out
csv=$data/turbovote-$rows.csv
gz=$data/turbovote-$rows.csv.gz
nd=$data/quasar-$rows.ndjson

[ -x "$bin/csv2ndjson" ] || die "no $bin/csv2ndjson: run make first"
[ -x "$tool" ] || die "no $tool: run make units first"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$data" "$out"
pin_cpu0

ensure_export "$csv" "$rows"
make_input "$gz" "from: $export_stamp; $(gzip --version | head -n 1) -6" \
    gzip -6 -c "$csv"
# The same file and stamp as quasar.sh's.
make_input "$nd" "from: $export_stamp; csv2ndjson $(cksum <"$bin/csv2ndjson")" \
    "$bin/csv2ndjson" --vendor turbovote "$csv"

# shellcheck disable=SC2086 # $pin is empty or "taskset -c 0"
$pin "$tool" -n "$runs" write "$nd" >"$tmp/write" ||
	die "gzspeed write failed"
# shellcheck disable=SC2086
$pin "$tool" -n "$runs" read "$gz" >"$tmp/read" || die "gzspeed read failed"
gzip_1=$(gzip -1 -c "$nd" | wc -c)
gzip_6=$(gzip -6 -c "$nd" | wc -c)
chunks_6=$("$bin/gzchunks" "$nd" | wc -c)
nd_bytes=$(wc -c <"$nd")

measure() {
	case $1 in
	csv) timed csv "$bin/csv2ndjson" --vendor turbovote "$csv" ;;
	gz) timed gz "$bin/csv2ndjson" --vendor turbovote "$gz" ;;
	gzip-1) timed gzip-1 gzip -1 -c "$nd" ;;
	gzip-6) timed gzip-6 gzip -6 -c "$nd" ;;
	gzchunks) timed gzchunks "$bin/gzchunks" "$nd" ;;
	esac
}
cat "$csv" "$gz" "$nd" >/dev/null
rounds csv2ndjson csv gz
rounds gzip gzip-1 gzip-6 gzchunks

# tool_row TAG BYTES-OUT: a row of the batches' table for a whole program
# (median CPU time of the rounds, not the fastest).
tool_row() {
	awk -v c="$(median "$tmp/$1.cpu")" -v n="$nd_bytes" -v o="$2" \
	    -v g="$gzip_1" -v tool="$3" 'BEGIN {
		printf "| %s | %.3f | %.0f | %d | %.3f | %.2f |\n", tool, c,
		    (c > 0 ? n / c / 1e6 : 0), o, o / n, o / g }'
}

{
	echo "# zlib against libdeflate"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(machine)"
	echo "- runs: the fastest of $runs by CPU time (tests/tools/gzspeed), $pin_note"
	echo "- versions: zlib $(dpkg-query -W -f '${Version}' zlib1g 2>/dev/null || echo '?'), libdeflate $(dpkg-query -W -f '${Version}' libdeflate0 2>/dev/null || echo '?'), $(gzip --version | head -n 1)"
	echo
	echo "## Batches compressed (post-quasar: gzip, or --compress lz4)"
	echo
	echo "\`$nd\`, $nd_bytes bytes of NDJSON cut into 8 MiB batches; \`gzip -1\` of the whole file: $gzip_1 bytes."
	echo
	echo "| how | CPU (s) | MB/s | bytes out | ratio | against gzip -1's size |"
	echo "|---|---:|---:|---:|---:|---:|"
	awk -v n="$nd_bytes" -v g="$gzip_1" '{
		printf "| %s | %.3f | %.0f | %d | %.3f | %.2f |\n",
		    $1, $2, $3, $4, $4 / n, $4 / g }' "$tmp/write"
	tool_row gzip-1 "$gzip_1" "gzip -1 < FILE (the program, median)"
	tool_row gzip-6 "$gzip_6" "gzip -6 < FILE (import.sh's raw copies before)"
	tool_row gzchunks "$chunks_6" "gzchunks FILE (level 6, 4 MiB members: now)"
	echo
	echo "## A gzipped export read"
	echo
	echo "\`$gz\` ($(wc -c <"$gz") bytes, $(wc -c <"$csv") inflated)."
	echo
	echo "| how | CPU (s) | MB/s (inflated) |"
	echo "|---|---:|---:|"
	awk '!/^#/ { printf "| %s | %.3f | %.0f |\n", $1, $2, $3 }' "$tmp/read"
	echo
	echo "- $(sed -n 's/^# //p' "$tmp/read")"
	echo "- csv2ndjson --vendor turbovote, median CPU time (user + system) of $runs runs: $(median "$tmp/csv.cpu") s on the export, $(median "$tmp/gz.cpu") s on its gzip (peak RSS $(peak csv) and $(peak gz) KiB)"
} >"$tmp/report.md"
cp "$tmp/report.md" "$out/gzip.md"
cat "$tmp/report.md"
echo "bench: report written to $out/gzip.md" >&2
