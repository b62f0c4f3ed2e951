#!/bin/sh
# A full disk on stdout (/dev/full): the stage exits 74, names the error it
# got (No space left on device, not an errno read later), and counts as out
# only what reached stdout, none here: every record it meant to write is
# counted as unwritten, so that in = out + dropped + rejected + unwritten.
# For csv2ndjson, an NDJSON stage (dedupe) and post-quasar (which goes
# on to the warehouse when stdout fails; here a closed port, so its batches
# go to a spool).
set -u
SAMPLE=$ROOT/vendors/turbovote/sample.csv
CLOSED=http://127.0.0.1:9

# check NAME EXPECTED-STATUS STAGE ARGS...: runs the stage twice, into a
# file and into /dev/full, and compares the two summaries.
check() {
	name=$1 want=$2
	shift 2
	"$@" >"$TMPDIR/full.out" 2>"$TMPDIR/full-file.err"
	"$@" >/dev/full 2>"$TMPDIR/full.err"
	status=$?
	# The counts when stdout takes everything: out=N is what goes unwritten.
	good=$(grep -o 'in=.*' "$TMPDIR/full-file.err")
	n=$(echo "$good" | sed -n 's/.* out=\([0-9]*\) .*/\1/p')
	expect=$(echo "$good" | sed "s/ out=$n / out=0 /")" unwritten=$n"
	got=$(grep -o 'in=.*' "$TMPDIR/full.err")
	told=$(grep -c 'write error on stdout: No space left on device' \
	    "$TMPDIR/full.err")
	if [ "$status" = "$want" ] && [ "$got" = "$expect" ] &&
	    [ "$told" = 1 ] && [ "$n" -gt 0 ] &&
	    ! grep -q 'Success\|No such file' "$TMPDIR/full.err"; then
		echo "ok - $name > /dev/full: exit $want, the error named once," \
		    "$n records unwritten, none out"
	else
		echo "not ok - $name > /dev/full: exit $want, the error named" \
		    "once, $n records unwritten, none out"
		echo "status $status; expected '$expect', got '$got'" >&2
		tail -n 5 "$TMPDIR/full.err" >&2
	fi
}

check csv2ndjson 74 "$BIN/csv2ndjson" --source turbovote "$SAMPLE"
"$BIN/csv2ndjson" --source turbovote "$SAMPLE" >"$TMPDIR/full.ndjson" \
    2>/dev/null
check dedupe 74 "$BIN/dedupe" --key id "$TMPDIR/full.ndjson"
check post-quasar 74 "$BIN/post-quasar" --table t --url "$CLOSED" \
    --retries 0 --spool "$TMPDIR/full-spool" "$TMPDIR/full.ndjson"
