#!/bin/sh
# pipelines/turbovote.sh [--tee-all] FILE: the TurboVote import, end to end.
#
#   csv2ndjson --source turbovote FILE       CSV rows, provenance in _meta
#   | keep csv2ndjson                        raw rows, gzipped, under raw/
#   | post-quasar --table raw_turbovote      raw rows to the warehouse (with
#                                            QUASAR_URL; passed on as they are)
#   | tv-filter                              scrub, referral code, canonical
#   | status-map                             TurboVote status -> ours
#   | post-northstar                         find or create the member
#   | dedupe --keep best --seen LEDGER       one record per post, the highest
#                                            status, nothing delivered before
#   | post-rogue --ledger LEDGER             create or upgrade the post
#   > results.ndjson
#
# The services come from the environment: NORTHSTAR_URL, ROGUE_URL,
# NORTHSTAR_CLIENT_ID, NORTHSTAR_CLIENT_SECRET (or
# NORTHSTAR_CLIENT_SECRET_FILE), and optionally QUASAR_URL. Files go under
# $SLUICE_DATA (default: the current directory): raw/turbovote/DATE/,
# runs/turbovote/STAMP/ (results, rejects, dropped, log, summary),
# state/turbovote.ledger. --tee-all also keeps every stage's output under
# raw/. Running it again on the same file makes no write request; a newer
# cumulative export sends only what changed. The exit status is the worst
# of the stages' (README.md, "Exit status").
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/pipelines/lib.sh"

import_usage() {
	echo "usage: pipelines/turbovote.sh [--tee-all] FILE" >&2
	echo "  e.g. NORTHSTAR_URL=... ROGUE_URL=... NORTHSTAR_CLIENT_ID=..." \
	    "NORTHSTAR_CLIENT_SECRET=... pipelines/turbovote.sh export.csv" >&2
	exit "$1"
}

import_init turbovote "$@"
import_env
KEY=northstar_id,action_id,type

stage csv2ndjson "$BIN/csv2ndjson" --source turbovote \
    --rejects "$RUN/csv2ndjson.rejects.ndjson" "$FILE" |
	keep csv2ndjson |
	warehouse raw_turbovote |
	stage tv-filter "$BIN/tv-filter" --map "$MAP" \
	    --dropped "$RUN/tv-filter.dropped.ndjson" \
	    --rejects "$RUN/tv-filter.rejects.ndjson" |
	keep_if_all tv-filter |
	stage status-map "$BIN/status-map" --map "$MAP" \
	    --rejects "$RUN/status-map.rejects.ndjson" |
	keep_if_all status-map |
	delivering post-northstar "$BIN/post-northstar" --map "$MAP" \
	    --concurrency "${SLUICE_CONCURRENCY:-16}" ${SECRET_OPT:+"$SECRET_OPT"} \
	    --rejects "$RUN/post-northstar.rejects.ndjson" |
	keep_if_all post-northstar |
	stage dedupe "$BIN/dedupe" --key "$KEY" --keep best --rank status \
	    --map "$MAP" --seen "$LEDGER" \
	    --dropped "$RUN/dedupe.dropped.ndjson" \
	    --rejects "$RUN/dedupe.rejects.ndjson" |
	delivering post-rogue "$BIN/post-rogue" --map "$MAP" --key "$KEY" \
	    --ledger "$LEDGER" --concurrency "${SLUICE_CONCURRENCY:-16}" \
	    ${SECRET_OPT:+"$SECRET_OPT"} --rejects "$RUN/post-rogue.rejects.ndjson" \
	    >"$RUN/results.ndjson"

import_status
import_summary "$STATUS"
exit "$STATUS"
