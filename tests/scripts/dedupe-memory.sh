#!/bin/sh
# dedupe --keep first remembers a 16-byte hash per key, not the key: ten
# million distinct keys, streamed from awk (never a file in memory), must
# all come out, with the dedupe process's peak RSS under 1 GiB. Skipped on
# the sanitized build, where it is slow and shadow memory distorts the RSS.
set -u
N=10000000
LIMIT_KIB=1048576
case $BIN in
*build-san*)
	echo "skip - dedupe memory: not under the sanitizers"
	exit 0
	;;
esac
if ! command -v awk >/dev/null 2>&1; then
	echo "skip - dedupe memory: no awk"
	exit 0
fi
# The peak RSS of the dedupe process alone, not of the generator.
if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null
then
	set -- /usr/bin/time -f %M -o "$TMPDIR/dm.rss"
elif command -v python3 >/dev/null 2>&1; then
	set -- python3 -c '
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as f:
    # ru_maxrss is in KiB on Linux: the largest of the waited-for children.
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=f)
sys.exit(rc)' "$TMPDIR/dm.rss"
else
	echo "skip - dedupe memory: neither /usr/bin/time nor python3"
	exit 0
fi

# The output is counted through a pipe, and dedupe's own status is kept
# beside it, so a crash cannot hide behind wc.
{
	awk -v n=$N 'BEGIN { for (i = 0; i < n; i++)
	    printf "{\"k\":%d}\n", i }' |
	    "$@" "$BIN/dedupe" --key k 2>"$TMPDIR/dm.err"
	echo $? >"$TMPDIR/dm.status"
} | wc -l >"$TMPDIR/dm.count"

status=$(cat "$TMPDIR/dm.status")
count=$(tr -d ' ' <"$TMPDIR/dm.count")
rss=$(tail -n 1 "$TMPDIR/dm.rss" 2>/dev/null)
if [ "$status" = 0 ] && [ "$count" = $N ] &&
    grep -q "in=$N out=$N dropped=0 rejected=0" "$TMPDIR/dm.err"; then
	echo "ok - dedupe passes $N distinct keys"
else
	echo "not ok - dedupe passes $N distinct keys (status $status," \
	    "$count lines)"
	tail -n 5 "$TMPDIR/dm.err" >&2
fi
case $rss in
'' | *[!0-9]*)
	echo "not ok - dedupe peak RSS measured (got '$rss')"
	;;
*)
	if [ "$rss" -lt $LIMIT_KIB ]; then
		echo "ok - dedupe peak RSS $((rss / 1024)) MiB for $N keys" \
		    "(limit 1024 MiB)"
	else
		echo "not ok - dedupe peak RSS $((rss / 1024)) MiB for $N" \
		    "keys (limit 1024 MiB)"
	fi
	;;
esac
