#!/bin/sh
# A ledger that is not a ledger is refused, never cut: post-rogue --ledger
# (which opens it for appending) and dedupe --seen, given a CSV whose last
# line lacks its newline, exit 65 naming the file and its first line, and
# leave the file byte for byte as it was. A real ledger whose last append
# was cut short loses that fragment only.
set -u
REC='{"northstar_id":"5f0000000000000000000001","action_id":1,"type":"voter-reg","status":"confirmed"}'
# The services are named but never asked: no record gets that far.
export NORTHSTAR_URL=http://127.0.0.1:9 NORTHSTAR_CLIENT_ID=x \
    NORTHSTAR_CLIENT_SECRET=y
cd "$TMPDIR" || exit 1

# The repro: an export's first 2,000 bytes, cut in the middle of a line.
head -c 2000 "$ROOT/vendors/turbovote/sample.csv" >export.csv
cp export.csv export.orig
echo "$REC" >one.ndjson
for run in "post-rogue --vendor turbovote --url http://127.0.0.1:9 --ledger" \
    "dedupe --key northstar_id --seen"; do
	stage=${run%% *}
	# shellcheck disable=SC2086 # the words of $run are its arguments
	"$BIN"/$run export.csv <one.ndjson >ledger.out 2>ledger.err
	status=$?
	if [ "$status" = 65 ] && [ ! -s ledger.out ] &&
	    grep -q "^$stage: export.csv:1: not a ledger entry" ledger.err &&
	    cmp -s export.csv export.orig; then
		echo "ok - $stage refuses a CSV as its ledger (65), leaving it whole"
	else
		echo "not ok - $stage refuses a CSV as its ledger (65), leaving" \
		    "it whole"
		echo "status $status; $(wc -c <export.csv) of" \
		    "$(wc -c <export.orig) bytes left" >&2
		cat ledger.err >&2
		cp export.orig export.csv
	fi
done

E1='{"fields":"northstar_id","key":["a"],"status":"confirmed","at":""}'
E2='{"fields":"northstar_id","key":["b"],"status":"confirmed","at":""}'
printf '%s\n%s\n%s' "$E1" "$E2" '{"fields":"northstar_id","key":["c' \
    >torn.ledger
printf '%s\n%s\n' "$E1" "$E2" >torn.want
"$BIN/post-rogue" --vendor turbovote --url http://127.0.0.1:9 \
    --ledger torn.ledger </dev/null >/dev/null 2>ledger.err
status=$?
if [ "$status" = 0 ] && cmp -s torn.ledger torn.want; then
	echo "ok - post-rogue cuts only the torn last line of its ledger"
else
	echo "not ok - post-rogue cuts only the torn last line of its ledger"
	echo "status $status" >&2
	cat ledger.err >&2
fi
