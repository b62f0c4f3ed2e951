# shellcheck shell=sh
# pipelines/lib.sh: the shell the pipelines share (POSIX sh), sourced by
# pipelines/import.sh, pipelines/analytics.sh and pipelines/panel.sh
# after they set ROOT:
#
#   . "$ROOT/pipelines/lib.sh"
#
# It defines functions and runs nothing. What each one expects of the
# script that sources it:
#
#   ME        the script's name, in front of every message ("import.sh")
#   SYNOPSIS  its usage line without the name, for usage_error
#   TMPD      the private directory (tmpd makes it): named pipes, and a
#             file NAME.status per stage with the exit status NAME left
#   BG        the background jobs' process ids, killed by cleanup
#   AT_EXIT   optional: a command cleanup runs before it removes TMPD
#   DATA      the data folder, STATE its state/ (data_folder sets both)
#   RUN       the run's folder (run_folder makes it), with stages.log
#   LOG_PID   the log's tee (log_open starts it, log_close waits for it)
#   BIN       the programs (report_pages runs BIN/report)
#   REPORTED  report_pages sets it to 1: a script whose AT_EXIT writes the
#             report of a run cut short does so while it is 0
#
# Descriptor 3 is the log (log_open); descriptor 9 the lock (lock).

# die STATUS MESSAGE...: the message on stderr, after ME; exit STATUS.
die() {
	_st=$1
	shift
	echo "$ME: $*" >&2
	exit "$_st"
}

# usage_error MESSAGE...: the message and the usage line; exit 64.
usage_error() {
	echo "$ME: $*" >&2
	echo "usage: pipelines/$ME $SYNOPSIS; try 'pipelines/$ME --help'" >&2
	exit 64
}

# needs COMMAND WHY...: exit 69 ("needs COMMAND WHY...") when COMMAND is
# not on the PATH.
needs() {
	_c=$1
	shift
	command -v "$_c" >/dev/null 2>&1 || die 69 "needs $_c $*"
}

# quote WORD: WORD as the shell reads it back, quoted only when it must
# be (for the commands a summary or a report prints).
quote() {
	case $1 in
	'' | *[!A-Za-z0-9_./:=@%+,-]*)
		printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
		;;
	*) printf '%s' "$1" ;;
	esac
}

# abs PATH: PATH from the root, the current directory's when relative.
abs() { case $1 in /*) echo "$1" ;; *) echo "$(pwd)/$1" ;; esac; }

# tmpd NAME: TMPD, a new private directory ${TMPDIR:-/tmp}/sluice-NAME.*
# (mode 0700; exit 74 when it cannot be made), and the traps that remove
# it at exit, also on an error or a signal (cleanup; 130 on INT, 143 on
# TERM and HUP). BG starts empty.
tmpd() {
	TMPD=$(mktemp -d "${TMPDIR:-/tmp}/sluice-$1.XXXXXX") || exit 74
	BG=
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
}

# ours PID: true while PID is a child of this shell (its parent is $$);
# also where there is no /proc to ask.
ours() {
	[ -d /proc/self ] || return 0
	[ "$(sed 's/^.*) . \([0-9]*\) .*$/\1/' "/proc/$1/stat" 2>/dev/null)" = $$ ]
}

# cleanup: at exit, the jobs of BG killed (still running here, they are
# left over from a run cut short, e.g. a copy waiting on a pipe nobody
# opens, which would wait forever), AT_EXIT run, TMPD removed. A job is
# signalled only while it is still this shell's child: one that ended
# was reaped, and its pid may be another process's by now.
cleanup() {
	for _p in $BG; do
		! ours "$_p" || kill "$_p" 2>/dev/null || :
	done
	[ -z "${AT_EXIT:-}" ] || $AT_EXIT
	rm -rf "$TMPD"
}

# data_folder: DATA, $SLUICE_DATA (default: the current directory) made
# if missing, from the root; STATE, its state/ (not made). Exit 74 when
# the folder cannot be used.
data_folder() {
	mkdir -p "${SLUICE_DATA:-.}" && DATA=$(cd "${SLUICE_DATA:-.}" && pwd) ||
		die 74 "cannot use the data folder ${SLUICE_DATA:-.}"
	# shellcheck disable=SC2034 # the sourcing script's
	STATE=$DATA/state
}

# lock FILE MESSAGE...: holds the lock FILE on descriptor 9, never
# waiting: exit 75 with MESSAGE when another process holds it. Every
# process started afterwards inherits the descriptor, so the lock lasts
# until the last of them has ended, also when the script is killed.
lock() {
	_lf=$1
	shift
	exec 9>>"$_lf"
	flock -n 9 || die 75 "$@"
}

# run_folder DIR: RUN, a run folder of its own, DIR/STAMP (the UTC time,
# 20261202T031500Z), DIR made if missing. mkdir either creates it or
# fails, so two runs started in the same second get two folders, the
# second with a suffix (STAMP-02). Exit 74 when it cannot be made.
run_folder() {
	_now=$(date -u +%Y%m%dT%H%M%SZ)
	mkdir -p "$1" || die 74 "cannot create $1"
	RUN=$1/$_now
	_n=1
	while ! mkdir "$RUN" 2>/dev/null; do
		[ -e "$RUN" ] || die 74 "cannot create $RUN"
		_n=$((_n + 1))
		[ $_n -lt 100 ] || die 74 "cannot create a run folder in $1"
		RUN=$1/$_now-$(printf %02d $_n)
	done
}

# log_open: every stage's stderr (descriptor 3) to the terminal and into
# RUN/stages.log, through one named pipe in TMPD; LOG_PID is its tee.
log_open() {
	: >"$RUN/stages.log"
	mkfifo "$TMPD/fifo-log"
	tee -a "$RUN/stages.log" <"$TMPD/fifo-log" >&2 &
	LOG_PID=$!
	exec 3>"$TMPD/fifo-log"
}

# log_close: descriptor 3 closed, and the log's tee waited for: the log
# is whole.
log_close() {
	exec 3>&-
	wait "$LOG_PID" || :
}

# stage NAME COMMAND...: runs a stage, its stderr to the log (descriptor
# 3), its exit status into TMPD/NAME.status.
stage() {
	_name=$1
	shift
	_rc=0
	"$@" 2>&3 || _rc=$?
	echo "$_rc" >"$TMPD/$_name.status"
}

# status NAME: the exit status NAME left, or nothing when it did not run.
status() {
	[ -f "$TMPD/$1.status" ] && cat "$TMPD/$1.status"
	return 0
}

# worst [BUT]: the worst exit status of everything that ran (but BUT). A
# stage killed by SIGPIPE (141) was writing to a stage that had already
# stopped: the one that stopped says why, and outranks it; 141 counts only
# when nothing else failed.
worst() {
	_w=0
	_pipe=0
	for _f in "$TMPD"/*.status; do
		[ -f "$_f" ] && [ "${_f##*/}" != "${1:-}.status" ] || continue
		_st=$(cat "$_f")
		if [ "$_st" = 141 ]; then
			_pipe=1
		elif [ "$_st" -gt "$_w" ]; then
			_w=$_st
		fi
	done
	[ $_pipe = 0 ] || [ "$_w" -gt 1 ] || _w=141
	echo "$_w"
}

# segments DIR: the closed segments of the journal DIR (the files
# [0-9]*.ndjson, in order), by name, one a line, into TMPD/segments.
segments() {
	: >"$TMPD/segments"
	for _seg in "$1"/[0-9]*.ndjson; do
		[ -f "$_seg" ] && echo "${_seg##*/}" >>"$TMPD/segments"
	done
	return 0
}

# segments_remove DIR: the segments named on stdin, one a line, removed
# from DIR.
segments_remove() {
	while IFS= read -r _seg; do
		rm -f -- "$1/$_seg"
	done
}

# summary_lines: the lines of RUN/stages.log without the progress line's
# drawing.
summary_lines() {
	sed 's/.*\x1b\[K//; s/\r//g' "$RUN/stages.log"
}

# summary_counts STAGE...: the counts line ("STAGE: in=...") each STAGE
# wrote into the log, indented, in that order.
summary_counts() {
	for _s; do
		summary_lines | grep -E "^$_s: in=[0-9]+ " | sed 's/^/  /'
	done
	return 0
}

# summary_statuses STAGE...: the line of the stages' exit statuses, "-"
# for a stage that did not run.
summary_statuses() {
	printf 'exit status per stage (-: not run):'
	for _s; do
		_st=$(status "$_s")
		printf ' %s=%s' "$_s" "${_st:--}"
	done
	echo
}

# summary_files FILE...: a line for each FILE not empty (a rejects or
# dropped file): "  STAGE KIND COUNT in FILE".
summary_files() {
	for _f; do
		[ -s "$_f" ] && echo "  $(basename "$_f" .ndjson | sed 's/\./ /')" \
		    "$(wc -l <"$_f" | tr -d ' ') in $_f"
	done
	return 0
}

# report_pages COMMAND: RUN's report.html and DATA's index.html
# (BIN/report, which reads RUN/summary.txt), COMMAND being the run's own
# command less its FILE, which the report prints to send the rejects
# again. REPORTED becomes 1. A report that cannot be written is said, and
# changes nothing of the exit status; without BIN/report, nothing.
report_pages() {
	# shellcheck disable=SC2034 # the sourcing script's
	REPORTED=1
	[ -x "$BIN/report" ] || return 0
	"$BIN/report" --index "$DATA" --command "$1" "$RUN" ||
		echo "$ME: $RUN/report.html was not written" >&2
}
