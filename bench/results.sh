#!/bin/sh
# bench/results.sh: gathers the reports under bench/out/ (written by
# bench/run.sh, stages.sh, pipeline.sh, rogue.sh, quasar.sh, validate.sh,
# attribution.sh, sample.sh, analytics-sql.sh and emulator-pace.py) into
# bench/RESULTS.md, with the machine and the date (and concurrency.sh's and
# shape-vs-filters.sh's, when they were run). make bench runs it last.
set -eu
cd "$(dirname "$0")/.."
{
	echo "# Benchmark results"
	echo
	echo "Gathered by bench/results.sh on $(date -u '+%Y-%m-%d %H:%M UTC'), on"
	echo "$(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)),"
	echo "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) of memory, at commit"
	echo "$(git rev-parse --short HEAD 2>/dev/null || echo unknown). Each section is one script's report; see"
	echo "bench/README.md for what each measures and how. Timings move with the machine and its"
	echo "load: compare runs made on the same machine."
	for r in csv2ndjson stages pipeline rogue emulator-pace quasar validate \
	    attribution sample analytics-sql concurrency shape-vs-filters; do
		[ -f "bench/out/$r.md" ] || continue
		echo
		sed 's/^# /## /' "bench/out/$r.md"
	done
} >bench/RESULTS.md
echo "bench: bench/RESULTS.md written" >&2
