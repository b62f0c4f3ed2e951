#!/bin/sh
# pipelines/panel.sh [--offline] [OPTIONS] MAILING [FILE]: the panel flow as
# a canned pipeline, with the run-folder conventions of pipelines/import.sh.
#
#   members (FILE, else the warehouse: --query SQL against QUASAR_URL)
#   | sample --quotas Q --state state/MAILING.sample    joins and leaves
#   > runs/panel-MAILING/STAMP/sample.ndjson            ... phase one
#   the joins appended to state/MAILING.joins.ndjson (every run's)
#   post-mail --mailing MAILING --ledger state/MAILING.mail < the joins
#   > runs/panel-MAILING/STAMP/results.ndjson
#
# Every member who joined the panel, in this run or an earlier one, is
# given to post-mail, whose mail ledger sends each the mailing once (a
# member mailed before is skipped with no request): a run whose mail-out
# was cut short sends the rest the next time. Every run, also one cut
# short, ends by writing its report.html and the data folder's index.html
# (build/bin/report), as an import does. --help says more.
set -eu

ME=panel.sh
SYNOPSIS='[--offline] [OPTIONS] MAILING [FILE]'
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
# shellcheck source=pipelines/lib.sh
. "$ROOT/pipelines/lib.sh"

usage() {
	cat <<EOF
usage: pipelines/panel.sh [--offline] [--quotas FILE] [--seed S] [--sticky]
                          [--query SQL] [--resend-in-doubt]
                          [--credentials-file FILE] MAILING [FILE]
Sample the members (a file of NDJSON records, else the warehouse's answer to
--query) into the panel's cells, and send the mailing to each member who
joined the panel, once.

  --offline          sample and keep the sample, send nothing
  --quotas FILE      sample's quotas (default mailings/MAILING/quotas.json)
  --seed S           the study's seed (default: the quotas file's)
  --sticky           nobody leaves the panel (sample --sticky)
  --query SQL        without FILE: the members are the rows of SQL
                     (ClickHouse at QUASAR_URL, as JSONEachRow)
  --resend-in-doubt  post-mail --resend-in-doubt: send again to the members
                     whose send went out unanswered
  --credentials-file FILE   post-mail's AWS keys (else the environment)
  -h, --help         show this help

MAILING is a folder of mailings/ (or of \$SLUICE_MAILINGS) holding
mailing.json (post-mail's mailing file) and quotas.json. Files under
\$SLUICE_DATA (default .): runs/panel-MAILING/STAMP/ (summary.txt,
stages.log, sample.ndjson, leaves.ndjson, results.ndjson, STAGE.rejects.ndjson,
STAGE.dropped.ndjson, report.html), index.html (every run's report),
state/ (MAILING.sample, sample's state; MAILING.joins.ndjson, every join so
far; MAILING.mail, the mail ledger; panel-MAILING.lock).
Environment: SES_URL, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
(post-mail --help), QUASAR_URL (with --query), SLUICE_DATA, SLUICE_MAILINGS.
Exit status: the worst of the stages' (0 ok, 1 some records rejected: they
are in the rejects files with the reason, 65 input unusable, 69 the e-mail
service stayed unavailable, 74 I/O error, 77 credentials refused); 64 usage,
66 a file missing, 75 another run of the mailing is in progress. With
--query, 65 when the warehouse refuses the query (its message in the log),
69 when it does not answer.

Examples:
  pipelines/panel.sh --offline sample members.ndjson
  SES_URL=https://email.us-east-1.amazonaws.com AWS_REGION=us-east-1 \\
      pipelines/panel.sh sample members.ndjson
EOF
}

OFFLINE=0
QUOTAS=
QUOTAS_GIVEN=0
SEED=
STICKY=
QUERY=
RESEND=
CREDS=
while [ $# -gt 0 ]; do
	case $1 in
	--offline | --sticky | --resend-in-doubt)
		case $1 in
		--offline) OFFLINE=1 ;;
		--sticky) STICKY=--sticky ;;
		*) RESEND=--resend-in-doubt ;;
		esac
		shift
		continue
		;;
	-h | --help)
		usage
		exit 0
		;;
	--)
		shift
		break
		;;
	--quotas | --seed | --query | --credentials-file)
		[ $# -ge 2 ] || usage_error "option '$1' needs a value"
		case $1 in
		--quotas) QUOTAS=$2 QUOTAS_GIVEN=1 ;;
		--seed) SEED=$2 ;;
		--query) QUERY=$2 ;;
		*) CREDS=$2 ;;
		esac
		shift 2
		continue
		;;
	-?*) usage_error "unknown option '$1'" ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] && [ $# -le 2 ] || usage_error "MAILING and at most one FILE"
MAILING=$1
FILE=${2:-}
case $MAILING in
'' | */* | .*) usage_error "'$MAILING' is not a mailing's name" ;;
esac
MDIR=${SLUICE_MAILINGS:-$ROOT/mailings}/$MAILING
[ -n "$QUOTAS" ] || QUOTAS=$MDIR/quotas.json
[ -n "$FILE" ] || [ -n "$QUERY" ] ||
	usage_error "a FILE of members, or --query SQL"
for _f in "$MDIR/mailing.json" "$QUOTAS" ${FILE:+"$FILE"} ${CREDS:+"$CREDS"}; do
	if [ ! -r "$_f" ] || [ -d "$_f" ]; then
		die 66 "$_f: no such file, or not readable"
	fi
done
for _s in sample post-mail; do
	[ -x "$BIN/$_s" ] || die 69 "no $_s in $BIN: run make first"
done
needs jq "to part the joins from the leaves"
[ -z "$QUERY" ] || [ -n "$FILE" ] || needs curl "for --query"
[ -z "$QUERY" ] || [ -n "$FILE" ] || [ -n "${QUASAR_URL:-}" ] ||
	die 64 "--query needs QUASAR_URL"
BIN=$(cd "$BIN" && pwd)
QUOTAS=$(abs "$QUOTAS")
[ -z "$FILE" ] || FILE=$(abs "$FILE")
[ -z "$CREDS" ] || CREDS=$(abs "$CREDS")

# panel_command: this run's command less its FILE (a query's is part of
# it), which the report prints to run it again once the cause of its
# rejects is fixed.
panel_command() {
	_cmd="SLUICE_DATA=$(quote "$DATA")"
	[ -z "${SLUICE_MAILINGS:-}" ] ||
		_cmd="$_cmd SLUICE_MAILINGS=$(quote "$SLUICE_MAILINGS")"
	_cmd="$_cmd $(quote "$ROOT/pipelines/panel.sh")"
	[ $OFFLINE = 0 ] || _cmd="$_cmd --offline"
	[ $QUOTAS_GIVEN = 0 ] || _cmd="$_cmd --quotas $(quote "$QUOTAS")"
	[ -z "$SEED" ] || _cmd="$_cmd --seed $(quote "$SEED")"
	[ -z "$STICKY" ] || _cmd="$_cmd $STICKY"
	[ -z "$RESEND" ] || _cmd="$_cmd $RESEND"
	[ -z "$CREDS" ] || _cmd="$_cmd --credentials-file $(quote "$CREDS")"
	[ -n "$FROM" ] || _cmd="$_cmd --query $(quote "$QUERY")"
	printf '%s\n' "$_cmd $MAILING"
}

# The heading names the panel and what its members came from: the file,
# or the query (on one line).
FROM=$FILE
if [ -n "$FILE" ]; then
	HEADING="== panel-$MAILING run of $FILE"
else
	HEADING="== panel-$MAILING run of the query $(printf '%s' "$QUERY" |
	    tr '\n\r\t' '   ')"
fi

data_folder
mkdir -p "$STATE" || die 74 "cannot create $STATE"
needs flock "to lock the state (util-linux)"
lock "$STATE/panel-$MAILING.lock" "another run of $MAILING holds" \
    "$STATE/panel-$MAILING.lock; this one stopped before reading anything"
run_folder "$DATA/runs/panel-$MAILING"
tmpd panel
# A run cut short (a signal, an error) still gets its report, which says
# that it did not finish (pipelines/lib.sh's report_pages).
REPORTED=0
cut_short() {
	[ "$REPORTED" = 1 ] || report_pages "$(panel_command)" 2>/dev/null || :
}
AT_EXIT=cut_short
log_open
SLUICE_PROGRESS=0
export SLUICE_PROGRESS

# --- phase one: the members and the sample ----------------------------
#
# The warehouse's rows reach a file first (the URL through curl's config
# on stdin, never argv, where a password would be seen by ps). A query
# the server refuses is said with the server's own message and ends the
# run with 65 (the query is the input); a server that cannot be reached,
# with 69, as does an answer cut short (curl fails after a 200). Either
# way nothing is sampled. wait_end_of_query=1: ClickHouse holds the answer
# until the query has ended, so that a query failing midway is a 500, not
# a 200 whose rows stop at an exception's text.
if [ -z "$FILE" ]; then
	case $QUASAR_URL in
	*\?*) _url="$QUASAR_URL&wait_end_of_query=1" ;;
	*) _url="$QUASAR_URL?wait_end_of_query=1" ;;
	esac
	FILE=$RUN/members.ndjson
	_rc=0
	_code=$(printf 'url = "%s"\n' "$(printf '%s' "$_url" |
	    sed 's/[\\"]/\\&/g')" |
		curl -sS --max-time 600 -o "$FILE" -w '%{http_code}' \
		    --data-binary "$QUERY FORMAT JSONEachRow" -K - 2>&3) || _rc=$?
	# The server named without its password (user:password@, ?password=).
	_where=$(printf '%s' "$QUASAR_URL" | sed 's|//[^/@]*@|//|; s|?.*||')
	case $_rc:$_code in
	0:200) echo 0 >"$TMPD/query.status" ;;
	*:200 | *: | *:000)
		echo 69 >"$TMPD/query.status"
		echo "$ME: the warehouse at $_where did not answer the" \
		    "query (curl exit $_rc): $QUERY" >&3
		;;
	*)
		echo 65 >"$TMPD/query.status"
		echo "$ME: the warehouse at $_where refused the query" \
		    "(HTTP $_code): $QUERY" >&3
		head -c 2000 "$FILE" | sed "s/^/$ME: the warehouse said: /" >&3
		mv "$FILE" "$RUN/query.error" 2>/dev/null || :
		;;
	esac
fi
HELD=
case $(status query) in
'' | 0) ;;
*) HELD="the warehouse's query failed" ;;
esac
if [ -z "$HELD" ]; then
	set -- --quotas "$QUOTAS" --state "$STATE/$MAILING.sample" $STICKY
	[ -z "$SEED" ] || set -- "$@" --seed "$SEED"
	stage sample "$BIN/sample" "$@" --rejects "$RUN/sample.rejects.ndjson" \
	    --dropped "$RUN/sample.dropped.ndjson" "$FILE" >"$RUN/sample.ndjson"
	jq -c 'select(.change == "leave")' "$RUN/sample.ndjson" \
	    >"$RUN/leaves.ndjson"
fi

# --- phase two: the mail-out ---------------------------------------------
#
# Only after sample ended with 0 or 1 (its state then holds the joins): the
# joins are kept with every earlier run's before anything is sent, so that
# a mail-out cut short is finished by the next run.
[ -n "$HELD" ] || case $(status sample) in
0 | 1) ;;
*) HELD="sample ended with $(status sample)" ;;
esac
if [ -z "$HELD" ] && [ $OFFLINE = 0 ]; then
	JOINS=$STATE/$MAILING.joins.ndjson
	jq -c 'select(.change == "join")' "$RUN/sample.ndjson" >>"$JOINS" &&
		sync "$JOINS" || die 74 "cannot write $JOINS"
	set -- --mailing "$MDIR/mailing.json" --ledger "$STATE/$MAILING.mail" \
	    --rejects "$RUN/post-mail.rejects.ndjson" \
	    --dropped "$RUN/post-mail.dropped.ndjson" $RESEND
	[ -z "$CREDS" ] || set -- "$@" --credentials-file "$CREDS"
	stage post-mail "$BIN/post-mail" "$@" "$JOINS" >"$RUN/results.ndjson"
fi
log_close
STATUS=$(worst)

# --- the summary ---------------------------------------------------------
{
	echo "$HEADING"
	echo
	echo "per stage (records in = out + dropped + rejected):"
	summary_counts sample post-mail
	echo
	# The stages' own counters (the report's "Delivered"): the cells,
	# this run's joins and leaves, what post-mail sent.
	echo "delivery:"
	summary_lines | grep -E '^(sample: (cells|joins)=|post-mail: sent=)' |
		sed 's/^/  /'
	echo
	summary_statuses query sample post-mail
	[ -z "$HELD" ] || echo "nothing was sent, because $HELD."
	[ $OFFLINE = 0 ] || echo "offline: nothing was sent."
	echo
	echo "files:"
	summary_files "$RUN"/*.rejects.ndjson "$RUN"/*.dropped.ndjson
	[ ! -f "$RUN/sample.ndjson" ] ||
		echo "  sample    $RUN/sample.ndjson (leaves: $RUN/leaves.ndjson)"
	[ ! -f "$RUN/query.error" ] ||
		echo "  query     the warehouse's answer in $RUN/query.error"
	[ ! -f "$RUN/results.ndjson" ] ||
		echo "  results   $RUN/results.ndjson"
	echo "  state     $STATE/$MAILING.sample, $STATE/$MAILING.joins.ndjson," \
	    "$STATE/$MAILING.mail"
	echo "  log       $RUN/stages.log"
	[ ! -x "$BIN/report" ] || echo "  report    $RUN/report.html" \
	    "(all the runs: $DATA/index.html)"
	case $STATUS in
	0) echo "exit 0: every member accounted for, none rejected" ;;
	1) echo "exit 1: finished; the rejected records are in the rejects" \
	    "files, with the reason (in doubt: post-mail --help)" ;;
	*) echo "exit $STATUS: see $RUN/stages.log" ;;
	esac
} | tee "$RUN/summary.txt" >&2
report_pages "$(panel_command)"
exit "$STATUS"
