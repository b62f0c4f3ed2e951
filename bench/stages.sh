#!/bin/sh
# bench/stages.sh: how fast the NDJSON stages run next to the tool a user
# would otherwise pick, on one CPU core, in one run:
#
#   status-map --map pipelines/maps/turbovote.json   vs  jq (bench/jq/status-map.jq)
#   tv-filter --map pipelines/maps/turbovote.json    vs  jq (bench/jq/tv-filter.jq)
#   dedupe --key k      vs  mlr --ijsonl --ojsonl head -n 1 -g k
#                       and awk '!seen[$0]++' on the keys alone
#
# The inputs are made once and cached in bench/data/: turbovote.ndjson
# (csv2ndjson --source turbovote of the export bench/run.sh generates),
# canonical.ndjson (that, through tv-filter), and dedupe.ndjson, a file of
# {"k":KEY,"v":N} records in which three keys in five are distinct, with
# dedupe-keys.txt, its keys one a line, for awk.
#
# Before timing, it runs each pair once and checks that they write the same
# records (byte for byte, else after jq -cS . on both); the report says
# whether they did. Then RUNS rounds of each comparison, the tools taking
# turns, each command pinned to CPU 0 with taskset when there is one, its
# output thrown away. For each command: median wall time (and the fastest
# and slowest run), records/s, median CPU time (user + system), peak RSS
# (GNU time %M); the ratio of the stage's records/s to the other tool's, by
# wall and by CPU time, next to the project's targets (status-map and
# tv-filter >= 7x jq, dedupe >= 5x Miller at <= 32 bytes of peak RSS per
# distinct key). It reports numbers and never fails on them.
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

# usage STATUS: the synopsis, on stdout for --help, on stderr otherwise.
usage() {
	if [ "$1" -eq 0 ]; then exec 3>&1; else exec 3>&2; fi
	cat >&3 <<EOF
usage: bench/stages.sh [--rows N] [--runs N]
  --rows N   rows in the generated export, and records in the dedupe
             input (default 1000000, at least 100)
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
map=pipelines/maps/turbovote.json
csv=$data/turbovote.csv
tv=$data/turbovote.ndjson
canon=$data/canonical.ndjson
dd=$data/dedupe.ndjson
ddkeys=$data/dedupe-keys.txt

for b in csv2ndjson tv-filter status-map dedupe; do
	[ -x "build/bin/$b" ] || die "no build/bin/$b: run make first"
done
for c in jq mlr awk python3; do
	command -v "$c" >/dev/null 2>&1 || die "$c is not installed"
done
[ -f "$map" ] || die "no $map"

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

# fresh FILE STAMP: whether FILE is there, made from what STAMP describes.
# The stamp is written last (stamp FILE STAMP), so an interrupted run makes
# the file again.
fresh() {
	[ -f "$1" ] && [ -f "$1.stamp" ] && [ "$(cat "$1.stamp")" = "$2" ]
}

stamp() {
	echo "$2" >"$1.stamp"
}

# The export, exactly as bench/run.sh makes it (the same stamp), so that
# the two scripts share it.
csv_stamp="rows=$rows seed=$seed gen=$(cksum <vendors/turbovote/make-export.py)"
ensure_csv() {
	fresh "$csv" "$csv_stamp" && return 0
	echo "bench: generating $csv ($rows rows)" >&2
	rm -f "$csv.stamp"
	python3 vendors/turbovote/make-export.py --rows "$rows" --seed "$seed" >"$csv.tmp"
	mv "$csv.tmp" "$csv"
	stamp "$csv" "$csv_stamp"
}

# The NDJSON inputs are made again when what they are made from changes:
# the export, the program (the copy in $bin), the map.
ensure_ndjson() {
	s="from: $csv_stamp; csv2ndjson $(cksum <"$bin/csv2ndjson")"
	if ! fresh "$tv" "$s"; then
		echo "bench: making $tv" >&2
		rm -f "$tv.stamp"
		"$bin/csv2ndjson" --source turbovote "$csv" >"$tv.tmp" \
		    2>"$tmp/make.err" ||
			die "csv2ndjson failed on $csv: $(cat "$tmp/make.err")"
		grep -q "in=$rows out=$rows " "$tmp/make.err" ||
			die "csv2ndjson did not convert every row: $(cat "$tmp/make.err")"
		mv "$tv.tmp" "$tv"
		stamp "$tv" "$s"
	fi
	s="from: $s; tv-filter $(cksum <"$bin/tv-filter"); map $(cksum <"$map")"
	if ! fresh "$canon" "$s"; then
		echo "bench: making $canon" >&2
		rm -f "$canon.stamp"
		"$bin/tv-filter" --map "$map" "$tv" >"$canon.tmp" \
		    2>"$tmp/make.err" ||
			die "tv-filter failed on $tv: $(tail -n 3 "$tmp/make.err")"
		mv "$canon.tmp" "$canon"
		stamp "$canon" "$s"
	fi
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

# run_tool TOOL [PREFIX...]: runs TOOL on its input, behind PREFIX (the
# pinning and GNU time), output on stdout.
# shellcheck disable=SC2016 # awk's $0 is awk's
run_tool() {
	r_tool=$1
	shift
	case $r_tool in
	status-map) set -- "$@" "$bin/status-map" --map "$map" "$canon" ;;
	jq-status-map) set -- "$@" jq -c -f bench/jq/status-map.jq "$canon" ;;
	tv-filter) set -- "$@" "$bin/tv-filter" --map "$map" "$tv" ;;
	jq-tv-filter) set -- "$@" jq -c --slurpfile map "$map" \
	    -f bench/jq/tv-filter.jq "$tv" ;;
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
	status-map) echo "status-map --map $map" ;;
	jq-status-map) echo "jq -c -f bench/jq/status-map.jq" ;;
	tv-filter) echo "tv-filter --map $map" ;;
	jq-tv-filter) echo "jq -c --slurpfile map $map -f bench/jq/tv-filter.jq" ;;
	dedupe) echo "dedupe --key k" ;;
	mlr) echo "mlr --ijsonl --ojsonl head -n 1 -g k" ;;
	awk) echo "awk '!seen[\$0]++' (the keys alone, one a line)" ;;
	esac
}

# measure TOOL: one timed run of TOOL, output thrown away. Appends the wall
# time (ns) to $tmp/TOOL.wall, the peak RSS (KiB) to $tmp/TOOL.rss and the
# CPU time (user + system, s) to $tmp/TOOL.cpu; TOOL's stderr is kept in
# $tmp/TOOL.err. A tool that fails stops the benchmark: its numbers would
# mean nothing.
measure() {
	t0=$(now)
	# $pin is empty or "taskset -c 0": it is meant to split into words.
	# shellcheck disable=SC2086
	if ! run_tool "$1" $pin /usr/bin/time -f "%M %U %S" -o "$tmp/rss" \
	    >/dev/null 2>"$tmp/$1.err"; then
		echo "bench: $1 failed:" >&2
		tail -n 5 "$tmp/$1.err" >&2
		exit 1
	fi
	t1=$(now)
	echo $((t1 - t0)) >>"$tmp/$1.wall"
	tail -n 1 "$tmp/rss" | awk -v rss="$tmp/$1.rss" -v cpu="$tmp/$1.cpu" \
	    '{ print $1 >>rss; print $2 + $3 >>cpu }'
}

# bench_tools NAME TOOLS...: RUNS rounds, each running every tool once.
bench_tools() {
	b_name=$1
	shift
	i=1
	while [ "$i" -le "$runs" ]; do
		line="bench: $b_name run $i/$runs:"
		for b_tool in "$@"; do
			measure "$b_tool"
			line="$line $b_tool $(tail -n 1 "$tmp/$b_tool.wall" |
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

peak() {
	sort -n "$tmp/$1.rss" | tail -n 1
}

# row TOOL RECORDS: one line of a Markdown table.
row() {
	awk -v tool="$1" -v cmd="$(label "$1")" -v n="$2" -v runs="$runs" \
	    -v med="$(median "$tmp/$1.wall")" \
	    -v lo="$(sort -n "$tmp/$1.wall" | head -n 1)" \
	    -v hi="$(sort -n "$tmp/$1.wall" | tail -n 1)" \
	    -v cpu="$(median "$tmp/$1.cpu")" \
	    -v rss="$(peak "$1")" 'BEGIN {
		printf "| %s | `%s` | %d | %.3f | %.3f-%.3f | %.0f | %.2f | %.1f |\n",
		    tool, cmd, runs, med / 1e9, lo / 1e9, hi / 1e9,
		    n / (med / 1e9), cpu, rss / 1024 }'
}

table_head() {
	echo "| tool | command | runs | median wall (s) | min-max (s) | records/s | median CPU (s) | peak RSS (MiB) |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|"
}

# ratio TOOL1 TOOL2 [cpu]: records/s of TOOL1 over records/s of TOOL2 (the
# same records), by median wall time or, with cpu, by median CPU time (n/a
# when either took less than GNU time's 10 ms resolution).
ratio() {
	awk -v a="$(median "$tmp/$1.${3:-wall}")" \
	    -v b="$(median "$tmp/$2.${3:-wall}")" \
	    'BEGIN { if (a > 0 && b > 0) printf "%.1fx", b / a; else printf "n/a" }'
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
		echo "- $s_name: \`$s_a\` and \`$s_b\` wrote the same records in the same order once normalised with \`jq -cS .\`, not byte for byte (key order or number formatting differs) ($(wc -l <"$tmp/a.norm" | tr -d ' ') records)" >>"$tmp/checks.md"
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
for b in csv2ndjson tv-filter status-map dedupe; do
	cp -p "build/bin/$b" "$bin/$b"
done
bin_sum=$(cat "$bin/status-map" "$bin/tv-filter" "$bin/dedupe" | cksum)
build="build/bin of $(date -u '+%Y-%m-%d %H:%M UTC' -r "$bin/status-map" 2>/dev/null || echo '?')"
if git rev-parse --short HEAD >/dev/null 2>&1; then
	build="$build, commit $(git rev-parse --short HEAD)"
	if [ -n "$(git status --porcelain -- common stages Makefile 2>/dev/null)" ]; then
		build="$build with uncommitted changes to common/, stages/ or the Makefile"
	fi
fi

mkdir -p "$data" "$out"
: >"$tmp/checks.md"
ensure_csv
ensure_ndjson
ensure_dedupe

n_tv=$(wc -l <"$tv" | tr -d ' ')
n_canon=$(wc -l <"$canon" | tr -d ' ')
n_dd=$(wc -l <"$dd" | tr -d ' ')

same_records status-map status-map jq-status-map
same_records tv-filter tv-filter jq-tv-filter
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

for f in "$canon" "$tv" "$dd" "$ddkeys"; do
	cat "$f" >/dev/null # into the page cache, for every tool alike
done
bench_tools status-map status-map jq-status-map
bench_tools tv-filter tv-filter jq-tv-filter
bench_tools dedupe dedupe mlr awk

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

{
	echo "# NDJSON stages benchmark"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1), $(uname -sr)"
	echo "- runs: $runs of each command, alternating, $pin_note; output to /dev/null"
	echo "- stages: $build, copied at the start and timed from the copy"
	echo "- versions: $("$bin/status-map" --version 2>&1 | head -n 1); $(jq --version 2>&1); $(mlr --version 2>&1 | head -n 1); $awk_name"
	echo "- inputs (bench/data/, from vendors/turbovote/make-export.py --rows $rows --seed $seed):"
	echo "  - turbovote.ndjson: csv2ndjson --source turbovote of the export, $n_tv records, $(mb "$tv")"
	echo "  - canonical.ndjson: that through tv-filter, $n_canon records ($((n_tv - n_canon)) scrubbed), $(mb "$canon")"
	echo "  - dedupe.ndjson: $n_dd records {\"k\":KEY,\"v\":N}, $distinct distinct keys, $(mb "$dd"); dedupe-keys.txt: its keys, $(mb "$ddkeys")"
	echo
	echo "## Same output"
	echo
	cat "$tmp/checks.md"
	echo
	echo "## status-map against jq"
	echo
	echo "On canonical.ndjson, $n_canon records."
	echo
	table_head
	row status-map "$n_canon"
	row jq-status-map "$n_canon"
	echo
	echo "- **status-map / jq, records/s: $(verdict status-map jq-status-map 7)**"
	echo
	echo "## tv-filter against jq"
	echo
	echo "On turbovote.ndjson, $n_tv records."
	echo
	table_head
	row tv-filter "$n_tv"
	row jq-tv-filter "$n_tv"
	echo
	echo "- **tv-filter / jq, records/s: $(verdict tv-filter jq-tv-filter 7)**"
	echo
	echo "## dedupe against Miller and awk"
	echo
	echo "On dedupe.ndjson, $n_dd records, $distinct distinct keys (awk on dedupe-keys.txt, the same keys one a line)."
	echo
	table_head
	row dedupe "$n_dd"
	row mlr "$n_dd"
	row awk "$n_dd"
	echo
	echo "- **dedupe / Miller, records/s: $(verdict dedupe mlr 5)**"
	echo "- dedupe / awk on the keys alone, records/s: $(ratio dedupe awk) by wall time, $(ratio dedupe awk cpu) by CPU time"
	echo "- **dedupe peak RSS per distinct key: $per_key bytes** ($(awk -v k="$dd_peak" 'BEGIN { printf "%.1f", k / 1024 }') MiB for $distinct keys); net of the process on one record ($(awk -v k="$dd_base" 'BEGIN { printf "%.1f", k / 1024 }') MiB): $per_key_net bytes; target <= 32: $mem"
	if [ "$(cat build/bin/status-map build/bin/tv-filter build/bin/dedupe | cksum)" != "$bin_sum" ]; then
		echo "- note: build/bin was rebuilt during the run; the numbers are those of the copy taken at the start"
	fi
} >"$tmp/report.md"

cp "$tmp/report.md" "$out/stages.md"
cat "$tmp/report.md"
echo "bench: report written to $out/stages.md" >&2
