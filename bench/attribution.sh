#!/bin/sh
# bench/attribution.sh: how fast attribute and rollup go through the event
# layer's traffic, on one core, next to cat of the same bytes (there is no
# standard tool that attributes sign-ups to first and last clicks: cat says
# how far the stages are from reading and writing the bytes alone).
#
# The events: ROWS of them (default 1,000,000), analytics/traffic.py
# --events ROWS --seed 1 --bad-share 0 (valid, as validate leaves them for
# attribute in the canned pipeline; with --persons N also --visitors N: a
# crowd of N who come back, most of them members in the end), cached in
# bench/data/. Before timing, attribute must pass every event on
# (rejecting none) and rollup must read every one of attribute's.
#
#   build/bin/attribute FILE > /dev/null
#   build/bin/rollup ATTRIBUTED > /dev/null          (and SLUICE_FASTPATH=0)
#   cat FILE > /dev/null ; cat ATTRIBUTED > /dev/null
#
# Reports the median wall and CPU time of RUNS runs each (taking turns,
# pinned to CPU 0 when taskset can), events/s and MB/s, peak RSS (GNU time
# %M), how many times cat's speed each stage is, and attribute's persons
# (held at the end, at the most). Writes bench/out/attribution.md; never
# fails on the numbers.
#
#   bench/attribution.sh [--rows N] [--runs N] [--persons N]
set -eu

rows=1000000
runs=3
persons=0
usage_text="usage: bench/attribution.sh [--rows N] [--runs N] [--persons N]
  --rows N      events generated (default 1000000, at least 100)
  --runs N      timed runs of each command (default 3, at least 3)
  --persons N   at most N visitors (traffic.py --visitors; default 0, none)"

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
# --persons is this script's; lib.sh's bench_options takes the rest.
n=$#
while [ "$n" -gt 0 ]; do
	case $1 in
	--persons) [ $# -ge 2 ] || usage 64; persons=$2; shift 2; n=$((n - 2)) ;;
	--persons=*) persons=${1#--persons=}; shift; n=$((n - 1)) ;;
	*) set -- "$@" "$1"; shift; n=$((n - 1)) ;;
	esac
done
bench_options "$@"
case $persons in *[!0-9]*|'') usage 64 ;; esac
data=bench/data
out=bench/out
bin=build/bin
if [ "$persons" -gt 0 ]; then
	events=$data/traffic-$rows-visitors-$persons.ndjson
	set -- --bad-share 0 --visitors "$persons"
else
	events=$data/traffic-$rows.ndjson
	set -- --bad-share 0
fi
made_by="analytics/traffic.py --events $rows --seed 1 $*"

for s in attribute rollup; do
	[ -x "$bin/$s" ] || die "no $bin/$s: run make first"
done
command -v python3 >/dev/null 2>&1 || die "python3 is not installed"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$data" "$out"
pin_cpu0
# A rebuild while the benchmark runs would mix two programs in one median.
cp "$bin/attribute" "$bin/rollup" "$tmp/"

ensure_events "$events" "$rows" "$@"
records=$(wc -l <"$events")
bytes=$(wc -c <"$events")

# Correctness first: every event through attribute, every one into rollup.
attributed=$tmp/attributed.ndjson
"$tmp/attribute" "$events" >"$attributed" 2>"$tmp/attribute.check" ||
	die "attribute failed: $(tail -n 3 "$tmp/attribute.check")"
grep -q "^attribute: in=$records out=$records dropped=0 rejected=0\$" \
    "$tmp/attribute.check" ||
	die "attribute did not pass every event on: $(tail -n 1 "$tmp/attribute.check")"
"$tmp/rollup" "$attributed" >"$tmp/rollup.out" 2>"$tmp/rollup.check" ||
	die "rollup failed: $(tail -n 3 "$tmp/rollup.check")"
grep -q "^rollup: in=$records .* rejected=0\$" "$tmp/rollup.check" ||
	die "rollup did not take every event: $(tail -n 1 "$tmp/rollup.check")"
abytes=$(wc -c <"$attributed")
rollup_rows=$(wc -l <"$tmp/rollup.out")
# "pageviews=N conversions=N persons=N peak_persons=N held_peak=N"
held=$(sed -n 's/^attribute: \(pageviews=.*\)/\1/p' "$tmp/attribute.check")

measure() {
	case $1 in
	attribute) timed attribute "$tmp/attribute" "$events" ;;
	rollup) timed rollup "$tmp/rollup" "$attributed" ;;
	rollup-jansson) timed rollup-jansson env SLUICE_FASTPATH=0 \
	    "$tmp/rollup" "$attributed" ;;
	cat-events) timed cat-events cat "$events" ;;
	cat-attributed) timed cat-attributed cat "$attributed" ;;
	esac
}
cat "$events" "$attributed" >/dev/null # into the page cache, for all alike
rounds attribution attribute cat-events rollup rollup-jansson cat-attributed

row() { # tag label input bytes
	stats "$1" | awk -v tool="$2" -v input="$3" -v n="$records" \
	    -v bytes="$4" '{
		percpu = $4 > 0 ? sprintf("%.0f", n / $4) : "n/a"
		printf "| %s | %s | %.3f | %.3f-%.3f | %.0f | %.1f | %.2f | %s | %.1f |\n",
		    tool, input, $1, $2, $3, n / $1, bytes / $1 / 1e6, $4,
		    percpu, $5 }'
}

{
	echo "# attribute and rollup against cat"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(machine)"
	echo "- runs: $runs of each command, taking turns, $pin_note; output to /dev/null"
	echo "- input: $events, $records events, $bytes bytes ($made_by); attributed: $abytes bytes"
	echo "- attribute: $held; rollup: $rollup_rows partial rows"
	echo "- versions: $("$tmp/attribute" --version); $("$tmp/rollup" --version); $(cat --version | head -n 1)"
	echo
	echo "| command | input | median wall (s) | min-max (s) | events/s | MB/s | median CPU (s) | events/CPU s | peak RSS (MiB) |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
	row attribute "attribute FILE" events "$bytes"
	row cat-events "cat FILE" events "$bytes"
	row rollup "rollup ATTRIBUTED" attributed "$abytes"
	row rollup-jansson "SLUICE_FASTPATH=0 rollup ATTRIBUTED" attributed "$abytes"
	row cat-attributed "cat ATTRIBUTED" attributed "$abytes"
	echo
	echo "- **attribute: cat moves the same bytes $(ratio cat-events attribute) as fast** (by wall time; by CPU time $(ratio cat-events attribute cpu))"
	echo "- rollup: cat moves the same bytes $(ratio cat-attributed rollup) as fast (by CPU time $(ratio cat-attributed rollup cpu)), $(ratio cat-attributed rollup-jansson) as fast as rollup's jansson path (by CPU time $(ratio cat-attributed rollup-jansson cpu))"
	echo "- no peer: no standard tool attributes sign-ups to first and last clicks; cat says how far each stage is from moving its bytes alone"
} >"$tmp/report.md"
cp "$tmp/report.md" "$out/attribution.md"
cat "$tmp/report.md"
echo "bench: report written to $out/attribution.md" >&2
