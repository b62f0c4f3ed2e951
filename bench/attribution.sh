#!/bin/sh
# bench/attribution.sh: attribute's and rollup's events a second on one
# core (median CPU time, user + system, of RUNS runs, each pinned to CPU 0
# with taskset when there is one) and peak RSS (GNU time %M), on EVENTS
# events of PERSONS persons made by bench/attribution-events.py (cached in
# bench/data/). The report goes to stdout and bench/out/attribution.md; it
# reports numbers and never fails on them.
#
# Usage, from the repository root after make:
#   bench/attribution.sh [EVENTS [PERSONS [RUNS]]]   default 1000000 50000 3
set -eu
events=${1:-1000000}
persons=${2:-50000}
runs=${3:-3}
cd "$(dirname "$0")/.."
mkdir -p bench/data bench/out
in=bench/data/attribution-$events-$persons.ndjson
[ -f "$in" ] || python3 bench/attribution-events.py "$events" "$persons" >"$in"
attributed=bench/data/attribution-$events-$persons.out
build/bin/attribute "$in" >"$attributed" 2>/dev/null
pin=
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"
measure() { # name command...
	name=$1
	shift
	i=0
	: >bench/data/attribution.times
	while [ $i -lt "$runs" ]; do
		/usr/bin/time -f "%U %S %M" -o bench/data/attribution.time \
		    $pin "$@" >/dev/null 2>&1
		cat bench/data/attribution.time >>bench/data/attribution.times
		i=$((i + 1))
	done
	sort -n bench/data/attribution.times | awk -v n="$events" \
	    -v name="$name" -v runs="$runs" '
	    { cpu[NR] = $1 + $2; rss[NR] = $3 }
	    END { c = cpu[int((runs + 1) / 2)];
	          printf "| %s | %.2f s | %.0f | %.0f MiB |\n", name, c,
	              (c > 0 ? n / c : 0), rss[int((runs + 1) / 2)] / 1024 }'
}
{
	echo "# attribute and rollup, $events events of $persons persons"
	echo
	echo "$(uname -m), $(nproc) cores, $(date -u +%Y-%m-%d); median of $runs runs"
	echo
	echo "| command | CPU time | events/s (CPU) | peak RSS |"
	echo "|---|---|---|---|"
	measure "attribute" build/bin/attribute "$in"
	measure "rollup" build/bin/rollup "$attributed"
	measure "rollup (jansson path)" env SLUICE_FASTPATH=0 \
	    build/bin/rollup "$attributed"
} | tee bench/out/attribution.md
