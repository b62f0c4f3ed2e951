#!/bin/sh
# shape against the vendor filters it replaced (tv-filter, rtv-filter),
# byte for byte, and their speed, on the vendors' samples and on generated
# exports of ROWS rows (default 1,000,000).
#
# The old filters are built from the last commit that has them, in a
# temporary git worktree (so this needs the repository's history: a clone,
# not an archive); shape is this checkout's build/bin/shape. For each
# input, the records written, the rows dropped (their "stage" field aside)
# and the exit status must be the same; the times are the median of RUNS
# runs of each, one core.
#
#   bench/shape-vs-filters.sh [--rows N] [--runs N]
#
# Writes bench/out/shape-vs-filters.md; exits 1 when an output differs.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROWS=1000000
RUNS=3
while [ $# -gt 0 ]; do
	case $1 in
	--rows) ROWS=$2; shift ;;
	--runs) RUNS=$2; shift ;;
	*) echo "usage: bench/shape-vs-filters.sh [--rows N] [--runs N]" >&2
	   exit 64 ;;
	esac
	shift
done
OLD=$(git -C "$ROOT" log -n 1 --format=%H -- stages/tv-filter.c)
OLD=$(git -C "$ROOT" rev-parse "$OLD^")
OUT=$ROOT/bench/out
mkdir -p "$OUT"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/shape-vs-filters.XXXXXX")
cleanup() {
	git -C "$ROOT" worktree remove --force "$TMP/old" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

echo "building the old filters at $OLD" >&2
git -C "$ROOT" worktree add --detach "$TMP/old" "$OLD" >/dev/null 2>&1
make -C "$TMP/old" -s all >/dev/null
make -C "$ROOT" -s all >/dev/null
OLDBIN=$TMP/old/build/bin
BIN=$ROOT/build/bin

# The inputs: each vendor's sample, and a generated export of ROWS rows.
echo "generating $ROWS-row exports" >&2
python3 "$ROOT/vendors/turbovote/make-export.py" --rows "$ROWS" >"$TMP/tv.csv" \
    2>/dev/null
python3 "$ROOT/vendors/rock-the-vote/make-sample.py" --rows "$ROWS" \
    >"$TMP/rtv.csv"
for f in tv rtv; do
	case $f in tv) v=turbovote ;; rtv) v=rock-the-vote ;; esac
	"$BIN/csv2ndjson" --vendor $v "$TMP/$f.csv" >"$TMP/$f.ndjson" \
	    2>/dev/null || true
	"$BIN/csv2ndjson" --vendor $v "$ROOT/vendors/$v/sample.csv" \
	    >"$TMP/$f-sample.ndjson" 2>/dev/null || true
done

# median of the user+sys seconds of RUNS runs of a command
median() {
	i=0
	: >"$TMP/times"
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -f "%U %S" -o "$TMP/t" taskset -c 0 "$@" \
		    >/dev/null 2>&1 || true
		awk '{ print $1 + $2 }' "$TMP/t" >>"$TMP/times"
		i=$((i + 1))
	done
	sort -n "$TMP/times" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

status=0
report=$OUT/shape-vs-filters.md
{
	echo "# shape against tv-filter and rtv-filter ($(date -u +%Y-%m-%d))"
	echo
	echo "Old filters built from $OLD; $ROWS generated rows; CPU seconds,"
	echo "median of $RUNS runs on one core (the samples are checked, not timed)."
	echo
	echo "| input | records | same bytes | old filter | shape | shape records/s | speed |"
	echo "|---|---:|---|---:|---:|---:|---:|"
} >"$report"
for f in tv-sample rtv-sample tv rtv; do
	case $f in
	tv*) v=turbovote old=tv-filter map=turbovote ;;
	rtv*) v=rock-the-vote old=rtv-filter map=rock-the-vote ;;
	esac
	in=$TMP/$f.ndjson
	oldst=0 newst=0
	"$OLDBIN/$old" --map "$TMP/old/pipelines/maps/$map.json" \
	    --dropped "$TMP/old.dropped" <"$in" >"$TMP/old.out" 2>/dev/null ||
		oldst=$?
	"$BIN/shape" --vendor $v --dropped "$TMP/new.dropped" <"$in" \
	    >"$TMP/new.out" 2>/dev/null || newst=$?
	sed "s/^{\"stage\":\"$old\"/{\"stage\":\"shape\"/" "$TMP/old.dropped" \
	    >"$TMP/old.dropped.as-shape"
	same=yes
	if [ $oldst != $newst ] || ! cmp -s "$TMP/old.out" "$TMP/new.out" ||
	    ! cmp -s "$TMP/old.dropped.as-shape" "$TMP/new.dropped"; then
		same="NO (exit $oldst/$newst)"
		status=1
	fi
	n=$(wc -l <"$in")
	case $f in
	*-sample)
		echo "| $f | $n | $same | | | | |" >>"$report"
		continue
		;;
	esac
	t_old=$(median "$OLDBIN/$old" --map "$TMP/old/pipelines/maps/$map.json" "$in")
	t_new=$(median "$BIN/shape" --vendor $v "$in")
	echo "| $f | $n | $same | $t_old s | $t_new s |" \
	    "$(awk -v n="$n" -v t="$t_new" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }') |" \
	    "$(awk -v a="$t_old" -v b="$t_new" 'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }') |" \
	    >>"$report"
done
cat "$report"
exit $status
