#!/bin/sh
# bench/sample.sh: sample against Miller's per-group reservoir sampling on
# the same members, in one run.
#
# The members: ROWS of them (default 1,000,000; bench/sample-members.py,
# seed 1), cached in bench/data/. Miller draws K records per state (-g
# state), at random, without quotas or stability:
#
#   mlr --ijsonl --ojsonl sample -k K -g state FILE > /dev/null
#
# sample draws the same K per state from a quotas file of the 50 states
# (its bottom-K keyed hash a state: stable, mergeable), and again from a
# design of state x three age bands from the date of birth (150 cells):
#
#   build/bin/sample --quotas states.json FILE > /dev/null
#
# Before timing, both run once and must write as many records (K per
# state). Reports the median wall and CPU time of RUNS runs each (taking
# turns, pinned to CPU 0 when taskset can), records/s, and the ratio of
# sample's records/s to Miller's (the project's target: >= 5x). Writes
# bench/out/sample.md; never fails on the numbers.
#
#   bench/sample.sh [--rows N] [--runs N]
set -eu

rows=1000000
runs=3
k=200
usage_text="usage: bench/sample.sh [--rows N] [--runs N]
  --rows N   members generated (default 1000000, at least 100)
  --runs N   timed runs of each command (default 3, at least 3)"

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_options "$@"
data=bench/data
out=bench/out
bin=build/bin
gen=bench/sample-members.py
members=$data/members-$rows.ndjson

[ -x "$bin/sample" ] || die "no $bin/sample: run make first"
command -v mlr >/dev/null 2>&1 || die "Miller (mlr) is not installed"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$data" "$out"
pin_cpu0

make_input "$members" "rows=$rows seed=1 gen=$(cksum <"$gen")" \
    python3 "$gen" "$rows"
records=$(wc -l <"$members")
bytes=$(wc -c <"$members")

python3 - "$tmp" "$k" <<'EOS'
import json, sys
sys.path.insert(0, "bench")
from importlib import import_module
states = import_module("sample-members").STATES
tmp, k = sys.argv[1], int(sys.argv[2])
json.dump({"seed": "bench", "fields": [{"name": "state", "path": "state"}],
           "cells": [{"cell": {"state": s}, "count": k} for s in states]},
          open(tmp + "/states.json", "w"))
ages = ["<30", "30-50", "50+"]
json.dump({"seed": "bench", "fields": [
    {"name": "state", "path": "state"},
    {"name": "age", "path": "user.birthdate", "age_on": "2026-11-03",
     "bands": [30, 50]}],
    "cells": [{"cell": {"state": s, "age": a}, "count": k // 3}
              for s in states for a in ages]},
    open(tmp + "/ages.json", "w"))
EOS

# Correctness first: as many records from both.
"$bin/sample" --quotas "$tmp/states.json" "$members" >"$tmp/ours.out" \
    2>"$tmp/ours.err" || die "sample failed: $(tail -n 3 "$tmp/ours.err")"
mlr --ijsonl --ojsonl sample -k "$k" -g state "$members" >"$tmp/mlr.out" ||
	die "mlr failed"
ours_n=$(wc -l <"$tmp/ours.out")
mlr_n=$(wc -l <"$tmp/mlr.out")
[ "$ours_n" = "$mlr_n" ] || die "sample writes $ours_n records, mlr $mlr_n"

measure() {
	case $1 in
	sample) timed sample "$bin/sample" --quotas "$tmp/states.json" "$members" ;;
	ages) timed ages "$bin/sample" --quotas "$tmp/ages.json" "$members" ;;
	mlr) timed mlr mlr --ijsonl --ojsonl sample -k "$k" -g state "$members" ;;
	esac
}
rounds sample sample ages mlr

row() { # tag label
	stats "$1" | awk -v tool="$2" -v records="$records" '{
		percpu = $4 > 0 ? sprintf("%.0f", records / $4) : "n/a"
		printf "| %s | %.3f | %.3f-%.3f | %.0f | %.2f | %s | %.1f |\n",
		    tool, $1, $2, $3, records / $1, $4, percpu, $5 }'
}

{
	echo "# sample against mlr sample"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(machine)"
	echo "- runs: $runs of each command, taking turns, $pin_note; output to /dev/null"
	echo "- input: $members, $records members, $bytes bytes ($gen $rows)"
	echo "- draw: $k members per state, 50 states; both write $ours_n records"
	echo "- versions: $("$bin/sample" --version); $(mlr --version)"
	echo
	echo "| command | median wall (s) | min-max (s) | records/s | median CPU (s) | records/CPU s | peak RSS (MiB) |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	row sample "sample --quotas states.json (50 cells)"
	row ages "sample --quotas ages.json (state x age band, 150 cells)"
	row mlr "mlr --ijsonl --ojsonl sample -k $k -g state"
	echo
	echo "- **sample / mlr, records/s: $(ratio sample mlr)** (project target: >= 5x); with age bands: $(ratio ages mlr)"
	echo "- the same by CPU time (user + system), which another load on the machine disturbs less: $(ratio sample mlr cpu)"
} >"$tmp/report.md"
cp "$tmp/report.md" "$out/sample.md"
cat "$tmp/report.md"
