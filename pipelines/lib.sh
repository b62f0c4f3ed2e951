# pipelines/lib.sh: what the canned imports share. Sourced by
# pipelines/IMPORT.sh; POSIX sh (Debian's dash has no pipefail, so each
# stage keeps its own exit status in a file, and the worst one is the
# import's).
#
# Where the files go, under $SLUICE_DATA (default: the current directory):
#   raw/IMPORT/YYYY-MM-DD/   the raw records (csv2ndjson's output), gzipped,
#                            for analysts; with --tee-all every stage's
#   runs/IMPORT/STAMP/       this run: results.ndjson, STAGE.rejects.ndjson,
#                            STAGE.dropped.ndjson, stages.log, summary.txt
#   state/IMPORT.ledger      the delivery ledger (post-rogue, dedupe --seen)
#   state/IMPORT-spool/      warehouse batches that could not be sent yet

# import_init NAME "$@": options and file of the import, and its folders.
# Sets FILE, TEE_ALL, RUN, RAW, LEDGER, SPOOL, STAMP; exits 64 on a usage
# error, 66 when FILE is missing.
import_init() {
	IMPORT=$1
	shift
	TEE_ALL=0
	FILE=
	while [ $# -gt 0 ]; do
		case $1 in
		--tee-all) TEE_ALL=1 ;;
		-h | --help) import_usage 0 ;;
		--) shift; break ;;
		-*) echo "$IMPORT: unknown option '$1'" >&2; import_usage 64 ;;
		*) break ;;
		esac
		shift
	done
	[ $# -eq 1 ] || import_usage 64
	FILE=$1
	if [ ! -r "$FILE" ]; then
		echo "$IMPORT: $FILE: no such file, or not readable" >&2
		exit 66
	fi
	BIN=${BIN:-$ROOT/build/bin}
	MAP=$ROOT/pipelines/maps/$IMPORT.json
	DATA=${SLUICE_DATA:-.}
	STAMP=$(date -u +%Y%m%dT%H%M%SZ)
	RAW=$DATA/raw/$IMPORT/$(date -u +%Y-%m-%d)
	RUN=$DATA/runs/$IMPORT/$STAMP
	LEDGER=$DATA/state/$IMPORT.ledger
	SPOOL=$DATA/state/$IMPORT-spool
	mkdir -p "$RAW" "$RUN" "$DATA/state" || exit 74
	: >"$RUN/stages.log"
	# Every stage's stderr goes to the terminal and into the run's log,
	# through one named pipe. The delivery stages draw their progress
	# line when the import's stderr is a terminal.
	PROGRESS=0
	[ -t 2 ] && PROGRESS=1
	rm -f "$RUN/.stderr"
	mkfifo "$RUN/.stderr"
	tee -a "$RUN/stages.log" <"$RUN/.stderr" >&2 &
	exec 3>"$RUN/.stderr"
}

# import_env: the services, from the environment; names what is missing.
import_env() {
	missing=
	for v in NORTHSTAR_URL ROGUE_URL NORTHSTAR_CLIENT_ID; do
		eval "val=\${$v:-}"
		[ -n "$val" ] || missing="$missing $v"
	done
	if [ -z "${NORTHSTAR_CLIENT_SECRET:-}" ] &&
	    [ -z "${NORTHSTAR_CLIENT_SECRET_FILE:-}" ]; then
		missing="$missing NORTHSTAR_CLIENT_SECRET"
	fi
	if [ -n "$missing" ]; then
		echo "$IMPORT: set the services first; missing:$missing" >&2
		echo "$IMPORT: (QUASAR_URL is optional: without it the raw" \
		    "records are only written under raw/)" >&2
		exit 64
	fi
	SECRET_OPT=
	if [ -n "${NORTHSTAR_CLIENT_SECRET_FILE:-}" ]; then
		SECRET_OPT=--client-secret-file=$NORTHSTAR_CLIENT_SECRET_FILE
	fi
}

# stage NAME COMMAND...: runs a stage of the pipeline, its stderr to the
# terminal and the run's log, its exit status into RUN/NAME.status.
stage() {
	_name=$1
	shift
	_rc=0
	"$@" 2>&3 || _rc=$?
	echo "$_rc" >"$RUN/$_name.status"
}

# delivering NAME COMMAND...: stage, with the progress line on a terminal.
delivering() {
	SLUICE_PROGRESS=$PROGRESS stage "$@"
}

# warehouse TABLE: the raw records into the warehouse's TABLE with
# post-quasar (spooled under SPOOL when it cannot take them), passed on as
# they are; without QUASAR_URL only passed on (they are kept under raw/).
warehouse() {
	if [ -n "${QUASAR_URL:-}" ]; then
		delivering post-quasar "$BIN/post-quasar" --table "$1" \
		    --create-table --spool "$SPOOL" \
		    --rejects "$RUN/post-quasar.rejects.ndjson"
	else
		cat
	fi
}

# keep NAME: passes records on, keeping a gzipped copy under RAW (a named
# pipe and a background gzip, so the stream is read once).
keep() {
	_fifo=$RUN/.keep-$1
	rm -f "$_fifo"
	mkfifo "$_fifo"
	gzip -c <"$_fifo" >"$RAW/$1-$STAMP.ndjson.gz" &
	tee "$_fifo"
	wait $!
	rm -f "$_fifo"
}

# keep_if_all NAME: keep, with --tee-all; else pass records on.
keep_if_all() {
	if [ "$TEE_ALL" = 1 ]; then keep "$1"; else cat; fi
}

# import_status: sets STATUS, the worst exit status of the stages, once
# the log is complete.
import_status() {
	exec 3>&-
	wait # the log's tee
	rm -f "$RUN/.stderr"
	STATUS=0
	for f in "$RUN"/*.status; do
		[ -f "$f" ] || continue
		s=$(cat "$f")
		[ "$s" -gt "$STATUS" ] && STATUS=$s
	done
	return 0
}

# The log's lines without the progress line's drawing.
summary_lines() {
	sed 's/.*\x1b\[K//; s/\r//g' "$RUN/stages.log"
}

# import_summary STATUS: the summary, on stdout and in RUN/summary.txt.
import_summary() {
	{
		echo "== $IMPORT import of $FILE"
		echo
		echo "per stage (records in = out + dropped + rejected):"
		summary_lines | grep -E '^[a-z0-9-]+: in=[0-9]+ ' | sed 's/^/  /'
		echo
		echo "delivery:"
		summary_lines | grep -E '^post-[a-z]+: [a-z ]+=[0-9]+' |
			grep -v ': in=' | sed 's/^/  /'
		if command -v jq >/dev/null 2>&1 && [ -s "$RUN/results.ndjson" ]
		then
			echo
			echo "per final status (post status, member status, count):"
			jq -r '"\(.status)\t\(.user.voter_registration_status // "-")"' \
			    "$RUN/results.ndjson" | sort | uniq -c |
				awk '{ printf "  %-15s %-22s %d\n", $2, $3, $1 }'
			echo
			echo "per post result:"
			jq -r '._meta.rogue.result' "$RUN/results.ndjson" |
				sort | uniq -c | awk '{ printf "  %-10s %d\n", $2, $1 }'
		fi
		echo
		echo "files:"
		echo "  results   $RUN/results.ndjson"
		for f in "$RUN"/*.rejects.ndjson "$RUN"/*.dropped.ndjson; do
			[ -s "$f" ] && echo "  $(basename "$f" .ndjson | sed 's/\./ /')" \
			    "$(wc -l <"$f") in $f"
		done
		echo "  raw       $RAW/"
		echo "  ledger    $LEDGER"
		echo "  log       $RUN/stages.log"
		echo
		case $1 in
		0) echo "exit 0: every record accounted for, none rejected" ;;
		1) echo "exit 1: finished; the rejected records are in the rejects" \
		    "files, with the reason" ;;
		69) echo "exit 69: a service stayed unavailable; the records not" \
		    "delivered are in the rejects files; run again later (the" \
		    "ledger sends nothing twice)" ;;
		77) echo "exit 77: the credentials were refused" ;;
		*) echo "exit $1: see $RUN/stages.log" ;;
		esac
	} | tee "$RUN/summary.txt"
}
