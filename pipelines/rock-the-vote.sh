#!/bin/sh
# pipelines/rock-the-vote.sh [--tee-all] [FILE]: the Rock the Vote import.
#
#   csv2ndjson --source rock-the-vote FILE   (no FILE: fetch-rtv pulls the
#                                            report of the last 90 minutes)
#   | keep csv2ndjson                        raw rows, gzipped, under raw/
#   | post-quasar --table raw_rock_the_vote  with QUASAR_URL
#   | rtv-filter                             date rule, status, tracking
#                                            source, member, details
#   | status-map                             known statuses; member status
#   | post-northstar --activate rock-the-vote-activate-account
#                    --sms-topics voting --sms-ledger state/...-sms.ledger
#   | dedupe --key northstar_id,action_id,type,details.Started registration
#            --keep best --seen LEDGER       one record per registration
#   | post-rogue --match-detail "Started registration" --ledger LEDGER
#   > results.ndjson
#
# One post per registration (the member's posts are matched on their
# details' "Started registration"), statuses only ever moved up, new
# members who opted in to e-mail get the activation e-mail, and the SMS
# opt-in of a row with a mobile is applied to a member who exists once per
# registration (chompy 3.6). Configuration
# as pipelines/turbovote.sh, plus for fetching RTV_URL, RTV_PARTNER_ID and
# RTV_PARTNER_API_KEY. Files under $SLUICE_DATA: raw/rock-the-vote/DATE/,
# runs/rock-the-vote/STAMP/, state/rock-the-vote.ledger.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/pipelines/lib.sh"

import_usage() {
	echo "usage: pipelines/rock-the-vote.sh [--tee-all] [FILE]" >&2
	echo "  without FILE, the report of the last 90 minutes is fetched" \
	    "(RTV_URL, RTV_PARTNER_ID, RTV_PARTNER_API_KEY)" >&2
	exit "$1"
}

# No file: fetch the last window's report first, into the run's folder.
fetched=
case ${*:-} in
"" | --tee-all)
	BIN=${BIN:-$ROOT/build/bin}
	fetched=$(mktemp "${TMPDIR:-/tmp}/rock-the-vote-report.XXXXXX")
	trap 'rm -f "$fetched"' EXIT
	"$BIN/fetch-rtv" -o "$fetched" || exit $?
	set -- "$@" "$fetched"
	;;
esac

import_init rock-the-vote "$@"
import_env
KEY="northstar_id,action_id,type,details.Started registration"
[ -n "$fetched" ] && cp "$fetched" "$RUN/report.csv"

stage csv2ndjson "$BIN/csv2ndjson" --source rock-the-vote \
    --rejects "$RUN/csv2ndjson.rejects.ndjson" "$FILE" |
	keep csv2ndjson |
	warehouse raw_rock_the_vote |
	stage rtv-filter "$BIN/rtv-filter" --map "$MAP" \
	    --dropped "$RUN/rtv-filter.dropped.ndjson" \
	    --rejects "$RUN/rtv-filter.rejects.ndjson" |
	keep_if_all rtv-filter |
	stage status-map "$BIN/status-map" --map "$MAP" \
	    --rejects "$RUN/status-map.rejects.ndjson" |
	keep_if_all status-map |
	delivering post-northstar "$BIN/post-northstar" --map "$MAP" \
	    --activate rock-the-vote-activate-account \
	    --sms-topics voting --sms-ledger "$DATA/state/rock-the-vote-sms.ledger" \
	    --concurrency "${SLUICE_CONCURRENCY:-16}" ${SECRET_OPT:+"$SECRET_OPT"} \
	    --rejects "$RUN/post-northstar.rejects.ndjson" |
	keep_if_all post-northstar |
	stage dedupe "$BIN/dedupe" --key "$KEY" --keep best --rank status \
	    --map "$MAP" --seen "$LEDGER" \
	    --dropped "$RUN/dedupe.dropped.ndjson" \
	    --rejects "$RUN/dedupe.rejects.ndjson" |
	delivering post-rogue "$BIN/post-rogue" --map "$MAP" --key "$KEY" \
	    --match-detail "Started registration" --ledger "$LEDGER" \
	    --concurrency "${SLUICE_CONCURRENCY:-16}" ${SECRET_OPT:+"$SECRET_OPT"} \
	    --rejects "$RUN/post-rogue.rejects.ndjson" >"$RUN/results.ndjson"

import_status
import_summary "$STATUS"
exit "$STATUS"
