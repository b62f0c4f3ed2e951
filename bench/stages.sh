#!/bin/sh
# bench/stages.sh: how fast the NDJSON stages run next to the tool a user
# would otherwise pick, on one CPU core, in one run:
#
#   shape --vendor turbovote        vs  jq (vendors/turbovote/shape.jq)
#   shape --vendor rock-the-vote    vs  jq (vendors/rock-the-vote/shape.jq)
#   status-map --vendor turbovote   vs  jq (vendors/turbovote/status-map.jq)
#   dedupe --key k      vs  mlr --ijsonl --ojsonl head -n 1 -g k
#                       and awk '!seen[$0]++' on the keys alone
#
# and shape's records/s on Rock the Vote's rows next to TurboVote's.
#
# The inputs are made once and cached in bench/data/: turbovote.ndjson
# (csv2ndjson --vendor turbovote of turbovote-ROWS.csv, the export
# bench/run.sh generates), canonical.ndjson (that, through shape),
# rock-the-vote.ndjson (csv2ndjson --vendor rock-the-vote of a report of
# about as many rows, from vendors/rock-the-vote/make-sample.py --rows N),
# and dedupe.ndjson, a file of {"k":KEY,"v":N} records in which three keys
# in five are distinct, with dedupe-keys.txt, its keys one a line, for awk.
#
# Before timing, it runs each pair once and checks that they write the same
# records (byte for byte, else after jq -cS . on both); the report says
# whether they did. Then RUNS rounds of each comparison, the tools taking
# turns, each command pinned to CPU 0 with taskset when there is one, its
# output thrown away. For each command: median wall time (and the fastest
# and slowest run), records/s, median CPU time (user + system), peak RSS
# (GNU time %M), and its MB/s beside cat's on the same file (the limit,
# lib.sh's cat_rate); the ratio of the stage's records/s to the other tool's, by
# wall and by CPU time, next to the targets (shape >= 20x jq on TurboVote,
# and on Rock the Vote at a like rate, issue 13; status-map >= 7x jq,
# dedupe >= 5x Miller at <= 32 bytes of peak RSS per distinct key). It
# reports numbers and never fails on them.
#
# The report, Markdown with the machine and the date, goes to stdout and to
# bench/out/stages.md. bench/run.sh runs it at its end.
#
# Usage, from the repository root after make:
#   bench/stages.sh [--rows N] [--runs N]    default 1000000 rows, 5 runs
set -eu

rows=1000000
runs=5
seed=1
usage_text="usage: bench/stages.sh [--rows N] [--runs N]
  --rows N   rows in the generated export and report, and records in the
             dedupe input (default 1000000, at least 100)
  --runs N   timed runs of each command (default 5, at least 3)"

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_options "$@"
data=bench/data
out=bench/out
tvv=vendors/turbovote
rtvv=vendors/rock-the-vote
csv=$data/turbovote-$rows.csv
tv=$data/turbovote.ndjson
canon=$data/canonical.ndjson
rtvcsv=$data/rock-the-vote.csv
rtv=$data/rock-the-vote.ndjson
dd=$data/dedupe.ndjson
ddkeys=$data/dedupe-keys.txt
stages="csv2ndjson shape status-map dedupe"

for b in $stages; do
	[ -x "build/bin/$b" ] || die "no build/bin/$b: run make first"
done
for c in jq mlr awk python3; do
	command -v "$c" >/dev/null 2>&1 || die "$c is not installed"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
pin_cpu0

# The NDJSON inputs are made again when what they are made from changes:
# the export or report, the program (the copy in $bin), the vendor file.
# csv2ndjson must convert every row.
ensure_ndjson() {
	ensure_export "$csv" "$rows"
	s="from: $export_stamp; csv2ndjson $(cksum <"$bin/csv2ndjson"); vendor $(cksum <$tvv/vendor.json)"
	make_input "$tv" "$s" "$bin/csv2ndjson" --vendor turbovote "$csv"
	[ $made = no ] || grep -q "in=$rows out=$rows " "$tmp/make.err" ||
		die "csv2ndjson did not convert every row: $(cat "$tmp/make.err")"
	s="from: $s; shape $(cksum <"$bin/shape")"
	make_input "$canon" "$s" "$bin/shape" --vendor turbovote "$tv"

	s="rows=$rows gen=$(cksum <$rtvv/make-sample.py)"
	make_input "$rtvcsv" "$s" python3 $rtvv/make-sample.py --rows "$rows"
	s="from: $s; csv2ndjson $(cksum <"$bin/csv2ndjson"); vendor $(cksum <$rtvv/vendor.json)"
	make_input "$rtv" "$s" "$bin/csv2ndjson" --vendor rock-the-vote "$rtvcsv"
	[ $made = no ] ||
	    sed -n 's/.* in=\([0-9]*\) out=\1 .*/ok/p' "$tmp/make.err" | grep -q ok ||
		die "csv2ndjson did not convert every row: $(cat "$tmp/make.err")"
}

# The dedupe input: ROWS records {"k":KEY,"v":LINE}, KEY 24 hex digits,
# 3/5 of ROWS distinct keys: each once, plus the rest drawn again at random,
# all shuffled. Deterministic for a seed. Its keys, one a line, for awk.
gen_dedupe='
import random, sys
rows, seed = int(sys.argv[1]), int(sys.argv[2])
distinct = rows * 3 // 5
rng = random.Random("dedupe:%d" % seed)
keys = ["%024x" % rng.getrandbits(96) for _ in range(distinct)]
order = list(range(distinct)) + [rng.randrange(distinct)
                                 for _ in range(rows - distinct)]
rng.shuffle(order)
with open(sys.argv[3], "w") as recs, open(sys.argv[4], "w") as ks:
    for start in range(0, rows, 100000):
        part = [keys[i] for i in order[start:start + 100000]]
        recs.write("".join("{\"k\":\"%s\",\"v\":%d}\n" % (k, start + j + 1)
                           for j, k in enumerate(part)))
        ks.write("".join(k + "\n" for k in part))
'
ensure_dedupe() {
	s="rows=$rows seed=$seed gen=$(echo "$gen_dedupe" | cksum)"
	fresh "$dd" "$s" && [ -f "$ddkeys" ] && return 0
	echo "bench: generating $dd ($rows records)" >&2
	rm -f "$dd.stamp"
	python3 -c "$gen_dedupe" "$rows" "$seed" "$dd.tmp" "$ddkeys.tmp"
	mv "$ddkeys.tmp" "$ddkeys"
	mv "$dd.tmp" "$dd"
	stamp "$dd" "$s"
}

# The jq peer of shape for a vendor folder.
jq_shape() {
	echo "jq -c -L bench/jq --slurpfile vendor $1/vendor.json -f $1/shape.jq"
}

# run_tool TOOL [PREFIX...]: runs TOOL on its input, behind PREFIX (timed
# TAG), output on stdout.
run_tool() {
	r_tool=$1
	shift
	# awk's $0 is awk's; jq_shape's words are meant to split.
	# shellcheck disable=SC2016,SC2046
	case $r_tool in
	shape-tv) set -- "$@" "$bin/shape" --vendor turbovote "$tv" ;;
	jq-shape-tv) set -- "$@" $(jq_shape $tvv) "$tv" ;;
	shape-rtv) set -- "$@" "$bin/shape" --vendor rock-the-vote "$rtv" ;;
	jq-shape-rtv) set -- "$@" $(jq_shape $rtvv) "$rtv" ;;
	status-map) set -- "$@" "$bin/status-map" --vendor turbovote "$canon" ;;
	jq-status-map) set -- "$@" jq -c -f $tvv/status-map.jq "$canon" ;;
	dedupe) set -- "$@" "$bin/dedupe" --key k "$dd" ;;
	mlr) set -- "$@" mlr --ijsonl --ojsonl head -n 1 -g k "$dd" ;;
	awk) set -- "$@" awk '!seen[$0]++' "$ddkeys" ;;
	*) die "no tool $r_tool" ;;
	esac
	"$@"
}

# The command line of TOOL, for the report.
label() {
	case $1 in
	shape-tv) echo "shape --vendor turbovote" ;;
	jq-shape-tv) jq_shape $tvv ;;
	shape-rtv) echo "shape --vendor rock-the-vote" ;;
	jq-shape-rtv) jq_shape $rtvv ;;
	status-map) echo "status-map --vendor turbovote" ;;
	jq-status-map) echo "jq -c -f $tvv/status-map.jq" ;;
	dedupe) echo "dedupe --key k" ;;
	mlr) echo "mlr --ijsonl --ojsonl head -n 1 -g k" ;;
	awk) echo "awk '!seen[\$0]++' (the keys alone, one a line)" ;;
	esac
}

# measure TOOL: one timed run of TOOL (lib.sh's timed).
measure() {
	run_tool "$1" timed "$1"
}

# row TOOL RECORDS FILE: one line of a Markdown table, TOOL having read
# FILE: its records/s, then its MB/s beside cat's on FILE (lib.sh).
row() {
	stats "$1" | awk -v tool="$1" -v cmd="$(label "$1")" -v n="$2" \
	    -v runs="$runs" '{
		printf "| %s | `%s` | %d | %.3f | %.3f-%.3f | %.0f | %.2f | %.1f |",
		    tool, cmd, runs, $1, $2, $3, n / $1, $4, $5 }'
	limit_cells "$1" "$3"
	echo
}

table_head() {
	echo "| tool | command | runs | median wall (s) | min-max (s) | records/s | median CPU (s) | peak RSS (MiB) |$(limit_head)"
	echo "|---|---|---:|---:|---:|---:|---:|---:|$(limit_rule)"
}

# verdict TOOL1 TOOL2 TARGET: the ratio by wall time and by CPU time, and
# whether both reach the target.
verdict() {
	w=$(ratio "$1" "$2")
	c=$(ratio "$1" "$2" cpu)
	v=$(awk -v w="${w%x}" -v c="${c%x}" -v t="$3" 'BEGIN {
		if (w == "n/a" || c == "n/a") print "n/a"
		else if (w + 0 >= t && c + 0 >= t) print "met"
		else if (w + 0 < t && c + 0 < t) print "MISSED"
		else print "unclear (met by one measure only)" }')
	echo "$w by wall time, $c by CPU time (user + system); target >= ${3}x: $v"
}

# stream_sum TOOL [NORMALISE]: the checksum (cksum: CRC and bytes) of what
# TOOL writes, after jq -c NORMALISE when given. Stops the benchmark when
# TOOL fails; its stderr is left in $tmp/TOOL.check.
stream_sum() {
	{
		if run_tool "$1" 2>"$tmp/$1.check"; then
			echo 0 >"$tmp/status"
		else
			echo $? >"$tmp/status"
		fi
	} | if [ -n "${2:-}" ]; then jq -c "$2"; else cat; fi | cksum
	[ "$(cat "$tmp/status")" = 0 ] ||
		die "$1 failed: $(tail -n 3 "$tmp/$1.check")"
}

# The records a stage wrote, from the summary line of its last check run.
out_count() {
	sed -n 's/.* out=\([0-9]*\) .*/\1/p' "$tmp/$1.check" | tail -n 1
}

# same_records NAME TOOL1 TOOL2 [NORMALISE]: runs both once, untimed, and
# says whether they write the same records. NORMALISE (a jq filter) is
# applied to TOOL2's output first (for Miller, whose JSON has spaces).
# Compares checksums of the streams and, when they differ, the outputs
# again after jq -cS . on both, counting the records that differ. Appends
# the verdict to $tmp/checks.md.
same_records() {
	s_name=$1 s_a=$2 s_b=$3 s_norm=${4:-}
	echo "bench: $s_name: checking that $s_a and $s_b write the same records" >&2
	sum_a=$(stream_sum "$s_a")
	sum_b=$(stream_sum "$s_b" "$s_norm")
	how="byte for byte"
	[ -z "$s_norm" ] || how="byte for byte, $s_b's output after \`jq -c $s_norm\`"
	if [ "$sum_a" = "$sum_b" ]; then
		echo "- $s_name: \`$s_a\` and \`$s_b\` wrote the same records, $how ($(out_count "$s_a") records, ${sum_a#* } bytes)" >>"$tmp/checks.md"
		return 0
	fi
	echo "bench: $s_name: outputs differ byte for byte; comparing after jq -cS ." >&2
	run_tool "$s_a" 2>/dev/null | jq -cS . >"$tmp/a.norm"
	run_tool "$s_b" 2>/dev/null | jq -cS . >"$tmp/b.norm"
	if cmp -s "$tmp/a.norm" "$tmp/b.norm"; then
		echo "- $s_name: \`$s_a\` and \`$s_b\` wrote the same records in the same order once normalised with \`jq -cS .\`, not byte for byte (key order, string escapes or number formatting differ) ($(wc -l <"$tmp/a.norm" | tr -d ' ') records)" >>"$tmp/checks.md"
	else
		d=$(awk 'BEGIN { b = ARGV[2]; ARGV[2] = "" }
		    { if ((getline other <b) <= 0 || other != $0) { n++; if (!first) first = NR } }
		    END { while ((getline other <b) > 0) n++
			  printf "%d records differ, the first at line %d", n, first }' \
		    "$tmp/a.norm" "$tmp/b.norm")
		echo "- **$s_name: \`$s_a\` and \`$s_b\` DO NOT write the same records**: $(wc -l <"$tmp/a.norm" | tr -d ' ') against $(wc -l <"$tmp/b.norm" | tr -d ' ') records; after \`jq -cS .\` $d. The timings below compare different work." >>"$tmp/checks.md"
	fi
	rm -f "$tmp/a.norm" "$tmp/b.norm"
}

# The stages are run from a copy taken now, which also makes the inputs: a
# rebuild of build/bin while the benchmark runs (it takes a while) would
# otherwise mix two programs in the inputs, the checks and the medians.
bin=$tmp/bin
mkdir "$bin"
for b in $stages; do
	cp -p "build/bin/$b" "$bin/$b"
done
sums() {
	for b in $stages; do cat "$1/$b"; done | cksum
}
bin_sum=$(sums "$bin")
build="build/bin of $(date -u '+%Y-%m-%d %H:%M UTC' -r "$bin/shape" 2>/dev/null || echo '?')"
if git rev-parse --short HEAD >/dev/null 2>&1; then
	build="$build, commit $(git rev-parse --short HEAD)"
	if [ -n "$(git status --porcelain -- common rules stages vendors Makefile 2>/dev/null)" ]; then
		build="$build with uncommitted changes to common/, rules/, stages/, vendors/ or the Makefile"
	fi
fi

mkdir -p "$data" "$out"
: >"$tmp/checks.md"
ensure_ndjson
ensure_dedupe

n_tv=$(wc -l <"$tv" | tr -d ' ')
n_canon=$(wc -l <"$canon" | tr -d ' ')
n_rtv=$(wc -l <"$rtv" | tr -d ' ')
n_dd=$(wc -l <"$dd" | tr -d ' ')

same_records "shape, TurboVote" shape-tv jq-shape-tv
same_records "shape, Rock the Vote" shape-rtv jq-shape-rtv
n_rtv_out=$(out_count shape-rtv)
same_records status-map status-map jq-status-map
same_records dedupe dedupe mlr .
# awk writes keys, not records: compare with the keys of dedupe's output.
echo "bench: dedupe: checking that awk keeps the same keys" >&2
k_a=$(stream_sum dedupe .k)
k_b=$(run_tool awk | sed 's/^/"/; s/$/"/' | cksum)
distinct=$(run_tool awk | wc -l | tr -d ' ')
if [ "$k_a" = "$k_b" ]; then
	echo "- dedupe: awk kept the same keys, in the same order, as dedupe's records ($distinct distinct keys)" >>"$tmp/checks.md"
else
	echo "- **dedupe: awk DOES NOT keep the same keys as dedupe**" >>"$tmp/checks.md"
fi

# dedupe's memory with no keys to speak of: its peak RSS on one record.
echo '{"k":"x","v":1}' >"$tmp/one.ndjson"
/usr/bin/time -f %M -o "$tmp/rss" "$bin/dedupe" --key k "$tmp/one.ndjson" \
    >/dev/null 2>&1 || die "dedupe failed on one record"
dd_base=$(tail -n 1 "$tmp/rss")

for f in "$tv" "$rtv" "$canon" "$dd" "$ddkeys"; do
	cat "$f" >/dev/null # into the page cache, for every tool alike
done
rounds "shape, TurboVote" shape-tv jq-shape-tv
rounds "shape, Rock the Vote" shape-rtv jq-shape-rtv
rounds status-map status-map jq-status-map
rounds dedupe dedupe mlr awk

mb() {
	awk -v b="$(wc -c <"$1")" 'BEGIN { printf "%.0f MB", b / 1e6 }'
}
dd_peak=$(peak dedupe)
per_key=$(awk -v k="$dd_peak" -v n="$distinct" 'BEGIN { printf "%.1f", k * 1024 / n }')
per_key_net=$(awk -v k="$dd_peak" -v b="$dd_base" -v n="$distinct" \
    'BEGIN { printf "%.1f", (k - b) * 1024 / n }')
mem=$(awk -v g="$per_key" -v n="$per_key_net" 'BEGIN {
	if (g <= 32) print "met"
	else if (n <= 32) print "met only net of the empty process"
	else print "MISSED" }')
awk_name=$(awk -W version 2>/dev/null | head -n 1 | awk '{ print $1, $2 }')
[ -n "$awk_name" ] || awk_name="awk"
# like: shape's records/s on Rock the Vote over its records/s on TurboVote,
# by median wall and CPU time, and the input's MB/s of each.
like=$(awk -v r="$(median "$tmp/shape-rtv.wall")" -v t="$(median "$tmp/shape-tv.wall")" \
    -v rc="$(median "$tmp/shape-rtv.cpu")" -v tc="$(median "$tmp/shape-tv.cpu")" \
    -v nr="$n_rtv" -v nt="$n_tv" -v br="$(wc -c <"$rtv")" -v bt="$(wc -c <"$tv")" \
    'BEGIN {
	printf "%.2f by wall time, ", (nr / r) / (nt / t)
	if (rc > 0 && tc > 0) printf "%.2f by CPU time", (nr / rc) / (nt / tc)
	else printf "n/a by CPU time"
	printf " (input read at %.0f and %.0f MB/s by wall time)",
	    br / 1e6 / (r / 1e9), bt / 1e6 / (t / 1e9) }')

{
	echo "# NDJSON stages benchmark"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(machine)"
	echo "- runs: $runs of each command, alternating, $pin_note; output to /dev/null"
	echo "- stages: $build, copied at the start and timed from the copy"
	echo "- versions: $("$bin/shape" --version 2>&1 | head -n 1); $(jq --version 2>&1); $(mlr --version 2>&1 | head -n 1); $awk_name"
	echo "- inputs (bench/data/):"
	echo "  - turbovote.ndjson: csv2ndjson --vendor turbovote of $tv_gen --rows $rows --seed 1, $n_tv records, $(mb "$tv")"
	echo "  - canonical.ndjson: that through shape --vendor turbovote, $n_canon records ($((n_tv - n_canon)) dropped), $(mb "$canon")"
	echo "  - rock-the-vote.ndjson: csv2ndjson --vendor rock-the-vote of $rtvv/make-sample.py --rows $rows, $n_rtv records, $(mb "$rtv"); shape keeps $n_rtv_out"
	echo "  - dedupe.ndjson: $n_dd records {\"k\":KEY,\"v\":N}, $distinct distinct keys, $(mb "$dd"); dedupe-keys.txt: its keys, $(mb "$ddkeys")"
	echo
	echo "## Same output"
	echo
	cat "$tmp/checks.md"
	echo
	echo "## shape against jq, TurboVote"
	echo
	echo "On turbovote.ndjson, $n_tv records."
	echo
	table_head
	row shape-tv "$n_tv" "$tv"
	row jq-shape-tv "$n_tv" "$tv"
	echo
	echo "- **shape / jq, records/s: $(verdict shape-tv jq-shape-tv 20)**"
	echo "- tv-filter, which shape replaced, is gone: bench/shape-vs-filters.sh builds it from history and times the two (issue 13's target: shape within 10% of its records/s)"
	echo
	echo "## shape against jq, Rock the Vote"
	echo
	echo "On rock-the-vote.ndjson, $n_rtv records."
	echo
	table_head
	row shape-rtv "$n_rtv" "$rtv"
	row jq-shape-rtv "$n_rtv" "$rtv"
	echo
	echo "- shape / jq, records/s: $(ratio shape-rtv jq-shape-rtv) by wall time, $(ratio shape-rtv jq-shape-rtv cpu) by CPU time (no target of its own)"
	echo "- **shape's records/s on Rock the Vote over its records/s on TurboVote: $like** (issue 13: \"a like rate\"; rtv-filter was 5 to 10 times slower than tv-filter)"
	echo
	echo "## status-map against jq"
	echo
	echo "On canonical.ndjson, $n_canon records."
	echo
	table_head
	row status-map "$n_canon" "$canon"
	row jq-status-map "$n_canon" "$canon"
	echo
	echo "- **status-map / jq, records/s: $(verdict status-map jq-status-map 7)**"
	echo
	echo "## dedupe against Miller and awk"
	echo
	echo "On dedupe.ndjson, $n_dd records, $distinct distinct keys (awk on dedupe-keys.txt, the same keys one a line)."
	echo
	table_head
	row dedupe "$n_dd" "$dd"
	row mlr "$n_dd" "$dd"
	row awk "$n_dd" "$ddkeys"
	echo
	echo "- **dedupe / Miller, records/s: $(verdict dedupe mlr 5)**"
	echo "- dedupe / awk on the keys alone, records/s: $(ratio dedupe awk) by wall time, $(ratio dedupe awk cpu) by CPU time"
	echo "- **dedupe peak RSS per distinct key: $per_key bytes** ($(awk -v k="$dd_peak" 'BEGIN { printf "%.1f", k / 1024 }') MiB for $distinct keys); net of the process on one record ($(awk -v k="$dd_base" 'BEGIN { printf "%.1f", k / 1024 }') MiB): $per_key_net bytes; target <= 32: $mem"
	if [ "$(sums build/bin)" != "$bin_sum" ]; then
		echo "- note: build/bin was rebuilt during the run; the numbers are those of the copy taken at the start"
	fi
} >"$tmp/report.md"

cp "$tmp/report.md" "$out/stages.md"
cat "$tmp/report.md"
echo "bench: report written to $out/stages.md" >&2
