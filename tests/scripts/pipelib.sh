#!/bin/sh
# pipelines/lib.sh, the shell import.sh, analytics.sh and panel.sh share,
# function by function: worst [BUT] (SIGPIPE ranking last), status, the
# summary's lines, usage_error and die, needs, quote, run_folder's
# suffixes, the lock (75), cleanup (the jobs killed, AT_EXIT run, TMPD
# removed, the exit status kept), the journal's segments. The pipelines'
# own tests (import.py, analytics-pipeline.py) check the same through the
# scripts.
# once: the plain build
set -u
LIB=$ROOT/pipelines/lib.sh
T=$TMPDIR/pipelib
rm -rf "$T"
mkdir -p "$T"

# check NAME EXPECTED ACTUAL: ok when they are the same text.
check() {
	if [ "$2" = "$3" ]; then
		echo "ok - $1"
	else
		echo "not ok - $1"
		printf 'expected: %s\ngot:      %s\n' "$2" "$3" >&2
	fi
}

# lib SCRIPT: SCRIPT run by sh with the library sourced, ME=test.sh; its
# stdout and stderr, then "rc=STATUS".
lib() {
	_rc=0
	_out=$(cd "$T" && ME=test.sh SYNOPSIS='[--x] NAME' \
	    sh -c ". '$LIB'; $1" 2>&1) || _rc=$?
	printf '%s\nrc=%s' "$_out" "$_rc"
}

# statuses S...: a TMPD whose stages left the statuses S (NAME=STATUS).
statuses() {
	rm -rf "$T/tmpd"
	mkdir -p "$T/tmpd"
	for _p; do
		echo "${_p#*=}" >"$T/tmpd/${_p%%=*}.status"
	done
}

statuses a=0 b=1 c=141
check "worst: 141 when nothing else failed" "141
rc=0" "$(lib "TMPD=$T/tmpd; worst")"
statuses a=0 b=65 c=141 d=1
check "worst: a failure outranks the SIGPIPE it caused" "65
rc=0" "$(lib "TMPD=$T/tmpd; worst")"
statuses a=0 b=1
check "worst: 1, some rejected" "1
rc=0" "$(lib "TMPD=$T/tmpd; worst")"
statuses a=0 post-quasar=69 b=1
check "worst BUT: all but BUT" "1 69
rc=0" "$(lib "TMPD=$T/tmpd; echo \$(worst post-quasar) \$(worst)")"
rm -rf "$T/tmpd"
mkdir -p "$T/tmpd"
check "worst: 0 when nothing ran" "0
rc=0" "$(lib "TMPD=$T/tmpd; worst")"

statuses a=0 b=65
check "summary_statuses: each stage's, - for one that did not run" \
    "exit status per stage (-: not run): a=0 c=- b=65
rc=0" "$(lib "TMPD=$T/tmpd; summary_statuses a c b")"

mkdir -p "$T/run"
printf 'a: in=3 out=2 dropped=0 rejected=1\na: note\n' >"$T/run/stages.log"
printf 'b: 50%%\033[Kb: in=2 out=2 dropped=0 rejected=0\r\n' \
    >>"$T/run/stages.log"
printf 'rollup --merge: in=1 out=1 dropped=0 rejected=0\n' \
    >>"$T/run/stages.log"
check "summary_counts: the counts lines in the order asked, no progress drawing" \
    "  b: in=2 out=2 dropped=0 rejected=0
  rollup --merge: in=1 out=1 dropped=0 rejected=0
  a: in=3 out=2 dropped=0 rejected=1
rc=0" "$(lib "RUN=$T/run; summary_counts b 'rollup --merge' a nosuch")"

printf '{}\n{}\n' >"$T/run/shape.rejects.ndjson"
: >"$T/run/dedupe.rejects.ndjson"
printf '{}\n' >"$T/run/shape.dropped.ndjson"
check "summary_files: the files not empty, with their counts" \
    "  shape rejects 2 in $T/run/shape.rejects.ndjson
  shape dropped 1 in $T/run/shape.dropped.ndjson
rc=0" "$(lib "RUN=$T/run; summary_files \"\$RUN\"/*.rejects.ndjson \
    \"\$RUN\"/*.dropped.ndjson \"\$RUN\"/*.none.ndjson")"

check "usage_error: the message, the usage line, 64" \
    "test.sh: no NAME
usage: pipelines/test.sh [--x] NAME; try 'pipelines/test.sh --help'
rc=64" "$(lib "usage_error no NAME; echo not reached")"
check "die: the message after ME, the status" "test.sh: gone away
rc=74" "$(lib "die 74 gone away; echo not reached")"
check "needs: 69 naming the command missing" \
    "test.sh: needs no-such-command-x for the test
rc=69" "$(lib "needs no-such-command-x for the test; echo not reached")"
check "needs: nothing when the command is there" "here
rc=0" "$(lib "needs sh for the test; echo here")"
check "quote: a word as it is, else quoted as the shell reads it back" \
    "a/b.csv 'it'\\''s here' ''
rc=0" "$(lib "echo \$(quote a/b.csv) \$(quote \"it's here\") \$(quote '')")"
check "abs: a relative path from the current directory" \
    "/x $T/y/z
rc=0" "$(lib "echo \$(abs /x) \$(abs y/z)")"

check "data_folder: DATA from the root, STATE its state/" \
    "$T/data $T/data/state
rc=0" "$(lib "SLUICE_DATA=data; data_folder; echo \$DATA \$STATE")"

# Three folders in a row: three of their own, named by the time.
lib "for i in 1 2 3; do run_folder '$T/runs/v'; echo \"\${RUN##*/}\"; done" |
    sed '$d' >"$T/folders"
_names=$(sort -u "$T/folders" | grep -cE '^[0-9]{8}T[0-9]{6}Z(-0[23])?$')
_dirs=$(find "$T/runs/v" -mindepth 1 -maxdepth 1 -type d | wc -l | tr -d ' ')
check "run_folder: three runs, three folders of their own" "3 3" \
    "$_names $_dirs"
# A folder of this second (and the next two) taken: the run's has a suffix.
_t=$(date +%s)
for _d in 0 1 2; do
	mkdir -p "$T/runs/w/$(date -u -d "@$((_t + _d))" +%Y%m%dT%H%M%SZ)"
done
_run=$(lib "run_folder '$T/runs/w'; echo \"\$RUN\"" | sed '$d')
case $_run in
"$T"/runs/w/*Z-02) [ -d "$_run" ] && _run=suffixed ;;
esac
check "run_folder: a second run in the same second gets STAMP-02" suffixed \
    "$_run"

# The lock: held by one, refused (75) to another, taken again once free.
ME=holder sh -c ". '$LIB'; lock '$T/x.lock' held; : >'$T/held';
    exec sleep 30" &
_holder=$!
_i=0
while [ ! -f "$T/held" ] && [ $_i -lt 100 ]; do
	sleep 0.05
	_i=$((_i + 1))
done
check "lock: 75 and the message while another holds it" \
    "test.sh: another holds x.lock
rc=75" "$(lib "lock '$T/x.lock' another holds x.lock; echo not reached")"
kill "$_holder" 2>/dev/null
wait "$_holder" 2>/dev/null
check "lock: taken once the holder is gone" "mine
rc=0" "$(lib "lock '$T/x.lock' busy; echo mine")"

# cleanup, at exit: the background jobs killed, AT_EXIT run, TMPD gone,
# the script's own exit status kept.
check "cleanup: jobs killed, AT_EXIT run, TMPD removed, the status kept" \
    "at exit
rc=3" "$(lib "tmpd pipelib-test; sleep 30 & BG=\$!
    echo \"\$TMPD \$!\" >'$T/cleanup'; last() { echo at exit; }
    AT_EXIT=last; exit 3")"
read -r _tmpd _sleep <"$T/cleanup"
# killed, the job may take a moment to be gone
_i=0
while kill -0 "$_sleep" 2>/dev/null && [ $_i -lt 40 ]; do
	sleep 0.05
	_i=$((_i + 1))
done
if [ -n "$_tmpd" ] && [ ! -e "$_tmpd" ] && ! kill -0 "$_sleep" 2>/dev/null
then
	echo "ok - cleanup: $_tmpd removed, its job $_sleep ended"
else
	echo "not ok - cleanup: $_tmpd removed, its job $_sleep ended"
	kill "$_sleep" 2>/dev/null
fi
# A job of BG that ended, its pid since another process's (a sleep that
# is no child of the script stands in): cleanup leaves it alone.
_other=$(sleep 30 >/dev/null 2>&1 & echo $!)
check "cleanup: no signal to a pid that is no longer a job's" "
rc=0" "$(lib "tmpd pipelib-test; BG=$_other; exit 0")"
if kill -0 "$_other" 2>/dev/null &&
    ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$_other/stat" 2>/dev/null; then
	echo "ok - cleanup: the process that has the pid runs on"
else
	echo "not ok - cleanup: the process that has the pid runs on"
fi
kill "$_other" 2>/dev/null
check "tmpd: TERM exits 143 through cleanup" "
rc=143" \
    "$(lib "tmpd pipelib-test; echo \"\$TMPD\" >'$T/term'; kill -TERM \$\$;
    sleep 1; echo not reached")"
_tmpd=$(cat "$T/term")
check "tmpd: TERM removes TMPD" "gone" "$([ -e "$_tmpd" ] || echo gone)"

# The journal's closed segments, in order, and their removal by name.
mkdir -p "$T/journal"
for _s in 0002.ndjson 0001.ndjson 0003.ndjson.open x.ndjson; do
	: >"$T/journal/$_s"
done
check "segments: the closed segments, in order, by name" "0001.ndjson
0002.ndjson
rc=0" "$(lib "TMPD=$T; segments '$T/journal'; cat '$T/segments'")"
check "segments_remove: the segments named removed, the others kept" \
    "0002.ndjson 0003.ndjson.open x.ndjson
rc=0" "$(lib "echo 0001.ndjson | segments_remove '$T/journal';
    cd '$T/journal' && echo *")"
check "segments: none in an empty journal" "0
rc=0" "$(lib "TMPD=$T; segments '$T/nosuch'; wc -l <'$T/segments'")"
