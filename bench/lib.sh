# bench/lib.sh: what the benchmarks share, sourced from the repository root
# by bench/run.sh, stages.sh, quasar.sh, pipeline.sh, validate.sh and
# attribution.sh: options, the clock, one timed run and its medians, the
# machine, the cached exports and events, and cat's speed on a stage's
# input beside the stage's (the distance to the limit). POSIX sh.
#
# A script sets $tmp (a directory of its own) before it times anything, and
# for bench_options its defaults of rows and runs and its usage_text.
# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154 # variables set for the scripts, or by them

die() {
	echo "bench: $*" >&2
	exit 1
}

# usage STATUS: usage_text, on stdout for --help, on stderr otherwise.
usage() {
	if [ "$1" -eq 0 ]; then
		echo "$usage_text"
	else
		echo "$usage_text" >&2
	fi
	exit "$1"
}

# bench_options ARGS...: rows and runs from --rows N and --runs N (at least
# 100 rows and 3 runs); -h or --help is usage 0, anything else usage 64.
bench_options() {
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
}

/usr/bin/time -f %M -o /dev/null true 2>/dev/null ||
	die "GNU time (/usr/bin/time with -f) is needed"

# --vendor NAME is this checkout's vendors/NAME.
SLUICE_VENDORS=$PWD/vendors
export SLUICE_VENDORS

# pin_cpu0: timed runs pinned to CPU 0 from now on, when taskset can; says
# which in pin_note.
pin=""
pin_note="not pinned"
pin_cpu0() {
	if taskset -c 0 true 2>/dev/null; then
		pin="taskset -c 0"
		pin_note="pinned to CPU 0 (taskset -c 0)"
	else
		pin_note="not pinned (no taskset)"
	fi
}

# Wall clock in nanoseconds. GNU date has %N; elsewhere fall back to Python,
# whose start-up then adds a few milliseconds to every run.
case $(date +%s%N) in
*[!0-9]*) now() { python3 -c 'import time; print(time.time_ns())'; } ;;
*) now() { date +%s%N; } ;;
esac

# timed TAG COMMAND...: one run of COMMAND (behind $pin), its output thrown
# away, its stderr kept in $tmp/TAG.err. Appends the wall time (ns) to
# $tmp/TAG.wall, the peak RSS (KiB, GNU time %M) to $tmp/TAG.rss and the
# CPU time (user + system, s) to $tmp/TAG.cpu. A command that fails stops
# the benchmark: its numbers would mean nothing.
timed() {
	t_tag=$1
	shift
	t0=$(now)
	# $pin is empty or "taskset -c 0": it is meant to split into words.
	# shellcheck disable=SC2086
	if ! $pin /usr/bin/time -f "%M %U %S" -o "$tmp/time" "$@" \
	    >/dev/null 2>"$tmp/$t_tag.err"; then
		echo "bench: $t_tag failed:" >&2
		tail -n 5 "$tmp/$t_tag.err" >&2
		exit 1
	fi
	t1=$(now)
	echo $((t1 - t0)) >>"$tmp/$t_tag.wall"
	tail -n 1 "$tmp/time" | awk -v rss="$tmp/$t_tag.rss" \
	    -v cpu="$tmp/$t_tag.cpu" '{ print $1 >>rss; print $2 + $3 >>cpu }'
}

# rounds NAME TAG...: RUNS rounds, each a timed run of every TAG in turn
# (measure TAG, the script's), so that a slow moment of the machine does not
# land on one tool only; a line of progress a round on stderr.
rounds() {
	r_name=$1
	shift
	r_i=1
	while [ "$r_i" -le "$runs" ]; do
		r_line="bench: $r_name run $r_i/$runs:"
		for r_tag in "$@"; do
			measure "$r_tag"
			r_line="$r_line $r_tag $(tail -n 1 "$tmp/$r_tag.wall" |
			    awk '{ printf "%.2fs", $1 / 1e9 }')"
		done
		echo "$r_line" >&2
		r_i=$((r_i + 1))
	done
}

median() {
	sort -n "$1" | awk '{ v[NR] = $1 }
	    END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

peak() {
	sort -n "$tmp/$1.rss" | tail -n 1
}

# stats TAG: "MEDIAN MIN MAX" wall time (s), median CPU time (s) and peak
# RSS (MiB) of the runs of TAG, for a report's awk.
stats() {
	echo "$(median "$tmp/$1.wall") $(sort -n "$tmp/$1.wall" | head -n 1)" \
	    "$(sort -n "$tmp/$1.wall" | tail -n 1) $(median "$tmp/$1.cpu")" \
	    "$(peak "$1")" |
		awk '{ printf "%.6f %.6f %.6f %s %.3f\n", $1 / 1e9, $2 / 1e9,
		    $3 / 1e9, $4, $5 / 1024 }'
}

# ratio TAG1 TAG2 [cpu]: the rate of TAG1 over the rate of TAG2 (the same
# work), by median wall time or, with cpu, by median CPU time (n/a when
# either took less than GNU time's 10 ms resolution).
ratio() {
	awk -v a="$(median "$tmp/$1.${3:-wall}")" \
	    -v b="$(median "$tmp/$2.${3:-wall}")" \
	    'BEGIN { if (a > 0 && b > 0) printf "%.1fx", b / a; else printf "n/a" }'
}

# The distance to the limit: the fastest a stage could go is the speed at
# which the machine moves its input's bytes at all, which `cat FILE >
# /dev/null` measures (the page cache read, a write to nowhere). Every
# stage benchmark puts it beside the stage's own rate.
#
# cat_rate FILE: cat's MB/s on FILE, by the median wall time of RUNS timed
# runs (3 when the script has no --runs) behind $pin, FILE in the page
# cache first; measured once per file and script run (tag cat-CKSUM).
cat_rate() {
	c_tag=cat-$(printf '%s' "$1" | cksum | cut -d ' ' -f 1)
	if [ ! -s "$tmp/$c_tag.wall" ]; then
		cat "$1" >/dev/null
		c_i=0
		while [ "$c_i" -lt "${runs:-3}" ]; do
			timed "$c_tag" cat "$1"
			c_i=$((c_i + 1))
		done
	fi
	awk -v w="$(median "$tmp/$c_tag.wall")" -v b="$(wc -c <"$1")" \
	    'BEGIN { printf "%.0f", (w > 0 ? b * 1e3 / w : 0) }'
}

# limit_head: the header cells limit_cells fills, for the end of a
# table's two first lines (limit_rule).
limit_head() {
	printf ' MB/s | cat MB/s | cat / it |'
}
limit_rule() {
	printf -- '---:|---:|---:|'
}

# limit_cells TAG FILE: three cells closing TAG's table row: the MB/s of
# FILE's bytes TAG moved (its median wall time), cat's MB/s on FILE
# (cat_rate), and how many times TAG's speed cat's is.
limit_cells() {
	awk -v w="$(median "$tmp/$1.wall")" -v b="$(wc -c <"$2")" \
	    -v c="$(cat_rate "$2")" 'BEGIN {
		s = w > 0 ? b * 1e3 / w : 0
		if (s > 0) printf " %.1f | %.0f | %.1fx |", s, c, c / s
		else printf " n/a | %.0f | n/a |", c }'
}

# The machine, for a report: CPUs, model, kernel.
machine() {
	echo "$(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' \
	    /proc/cpuinfo 2>/dev/null | head -n 1), $(uname -sr)"
}

# fresh FILE STAMP: whether FILE is there, made from what STAMP describes.
# The stamp is written last (stamp FILE STAMP), so an interrupted run makes
# the file again.
fresh() {
	[ -f "$1" ] && [ -f "$1.stamp" ] && [ "$(cat "$1.stamp")" = "$2" ]
}

stamp() {
	echo "$2" >"$1.stamp"
}

# make_input FILE STAMP COMMAND...: FILE is COMMAND's output (its stderr in
# $tmp/make.err), made again unless FILE is there from what STAMP
# describes; made says whether it was. A command that fails stops the
# benchmark.
make_input() {
	m_file=$1 m_stamp=$2
	shift 2
	made=no
	fresh "$m_file" "$m_stamp" && return 0
	echo "bench: making $m_file" >&2
	rm -f "$m_file.stamp"
	"$@" >"$m_file.tmp" 2>"$tmp/make.err" ||
		die "making $m_file: $1 failed: $(tail -n 3 "$tmp/make.err")"
	mv "$m_file.tmp" "$m_file"
	stamp "$m_file" "$m_stamp"
	made=yes
}

# ensure_export FILE ROWS: FILE, a synthetic TurboVote export of ROWS rows
# (vendors/turbovote/make-export.py, seed 1), cached; export_stamp says
# what it is made from. The scripts name it bench/data/turbovote-ROWS.csv
# and share it.
tv_gen=vendors/turbovote/make-export.py
ensure_export() {
	export_stamp="rows=$2 seed=1 gen=$(cksum <"$tv_gen")"
	make_input "$1" "$export_stamp" python3 "$tv_gen" --rows "$2" --seed 1
}

# ensure_events FILE ROWS [OPTION...]: FILE, ROWS events of the event
# layer's traffic (analytics/traffic.py --events ROWS --seed 1 and the
# OPTIONs), cached; events_stamp says what it is made from. A million
# events take about half a minute and 1.5 GiB of memory to make (the traffic
# is built whole, then sorted). validate.sh names its file
# bench/data/events-ROWS.ndjson, attribution.sh bench/data/traffic-ROWS.ndjson.
traffic_gen=analytics/traffic.py
ensure_events() {
	e_file=$1 e_rows=$2
	shift 2
	events_stamp="events=$e_rows seed=1 $* gen=$(cksum <"$traffic_gen")"
	make_input "$e_file" "$events_stamp" python3 "$traffic_gen" \
	    --events "$e_rows" --seed 1 "$@"
}
