#!/bin/sh
# pipelines/analytics.sh [--offline] [OPTIONS] [FILE...]: the event
# layer's canned pipeline (analytics/README.md), with the run-folder
# conventions of pipelines/import.sh.
#
#   events (FILEs, else the closed segments of hook-recv's journal)
#   | validate --dictionary D                    blocked events to rejects
#   | tee -> post-quasar --table events --layout events     the warehouse
#       `-> attribute | rollup                   this run's partial totals
#            | post-quasar --table rollup_partials --layout rows
#   then rollup --merge --costs over every run's partials: the table per
#   source and per campaign, and with a warehouse the same table from its
#   views.
#
# --offline sends nothing: the events and the partials go to files in
# the run's folder, and the table is still printed. Files go under
# $SLUICE_DATA (default: the current directory): runs/analytics/STAMP/ for
# the run, state/ for what lasts across runs. --help says more.
set -eu

ME=analytics.sh
SYNOPSIS='[--offline] [OPTIONS] [FILE...]'
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
# shellcheck source=pipelines/lib.sh
. "$ROOT/pipelines/lib.sh"

usage() {
	cat <<EOF
usage: pipelines/analytics.sh [--offline] [--dictionary FILE] [--costs FILE]
                              [--lookback S] [--tolerance S] [--bucket S]
                              [--model first|last] [--journal DIR]
                              [--cacert FILE] [FILE...]
Validate events against the data dictionary, store them in the warehouse,
attribute each sign-up to its first and last click, roll up the counts per
source and campaign, and print the table.

  --offline          send nothing: the validated events and the partial
                     totals are written to the run's folder instead
  --dictionary FILE  the data dictionary (default analytics/dictionary.json)
  --costs FILE       the costs CSV (bucket,source,campaign,cost): cost and
                     cost per sign-up in the table (and into the warehouse's
                     costs table)
  --lookback S       attribute's window, seconds (default 2592000, 30 days)
  --tolerance S      how far out of time order events may come (default 300)
  --bucket S         rollup's time bucket, seconds (default 86400, a day)
  --model M          the table's model: last (the default) or first click
  --journal DIR      the journal to read without FILE (default
                     \$SLUICE_JOURNAL/events, else \$SLUICE_DATA/journal/events)
  --cacert FILE      trust the CA certificates in FILE too (the warehouse)
  -h, --help         show this help

Without FILE, the closed segments of the journal are read, and removed once
the run has ended with 0, 1 or 69 (the warehouse's rows spooled); with
--offline they stay. The table sums the partial totals of every run so far
(state/analytics.partials.ndjson; a batch rolled up again replaces itself);
with QUASAR_URL, the summary says whether the warehouse's views (over the
rollup_partials table, and over the events table) give the same rows.
Files under \$SLUICE_DATA (default .): runs/analytics/STAMP/ (summary.txt,
stages.log, STAGE.rejects.ndjson, partials.ndjson, totals.ndjson, table.txt,
and with --offline events.ndjson), state/ (analytics.partials.ndjson, the
warehouse's ledgers and spools, analytics.lock).
Environment: QUASAR_URL (the warehouse; without it, as --offline for the
warehouse steps), SLUICE_DATA, SLUICE_JOURNAL, SLUICE_CACERT.
Exit status: the worst of the stages' (0 ok, 1 some events rejected: they
are in the rejects files with the reason, 65 input unusable, 69 the
warehouse stayed unavailable: batches spooled, 74 I/O error); 64 usage, 66 a
FILE missing, 75 another run is in progress.

Examples:
  pipelines/analytics.sh --offline --costs costs.csv events.ndjson
  QUASAR_URL=http://127.0.0.1:8123 pipelines/analytics.sh --costs costs.csv
EOF
}

OFFLINE=0
DICT=$ROOT/analytics/dictionary.json
COSTS=
LOOKBACK=
TOLERANCE=
BUCKET=
MODEL=last
JOURNAL_DIR=
CACERT=${SLUICE_CACERT:-}
while [ $# -gt 0 ]; do
	case $1 in
	--offline)
		OFFLINE=1
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
	--*=*)
		_o=${1%%=*}
		_v=${1#*=}
		;;
	--dictionary | --costs | --lookback | --tolerance | --bucket | --model | \
	    --journal | --cacert)
		[ $# -ge 2 ] || usage_error "option '$1' needs a value"
		_o=$1
		_v=$2
		shift
		;;
	-?*) usage_error "unknown option '$1'" ;;
	*) break ;;
	esac
	shift
	case $_o in
	--dictionary) DICT=$_v ;;
	--costs) COSTS=$_v ;;
	--lookback) LOOKBACK=$_v ;;
	--tolerance) TOLERANCE=$_v ;;
	--bucket) BUCKET=$_v ;;
	--model) MODEL=$_v ;;
	--journal) JOURNAL_DIR=$_v ;;
	--cacert) CACERT=$_v ;;
	*) usage_error "unknown option '$_o'" ;;
	esac
done
for _n in "$LOOKBACK" "$TOLERANCE" "$BUCKET"; do
	case $_n in
	'') ;;
	*[!0-9]*) usage_error "'$_n' is not a number of seconds" ;;
	esac
done
case $MODEL in
first | last) ;;
*) usage_error "--model $MODEL: first or last" ;;
esac
for _f in "$DICT" ${COSTS:+"$COSTS"} ${CACERT:+"$CACERT"} "$@"; do
	if [ ! -r "$_f" ] || [ -d "$_f" ]; then
		die 66 "$_f: no such file, or not readable"
	fi
done
for _s in validate attribute rollup post-quasar; do
	[ -x "$BIN/$_s" ] || die 69 "no $_s in $BIN: run make first"
done
needs jq for the table
BIN=$(cd "$BIN" && pwd)
DICT=$(abs "$DICT")
[ -z "$COSTS" ] || COSTS=$(abs "$COSTS")
[ -z "$CACERT" ] || CACERT=$(abs "$CACERT")

WAREHOUSE=0
[ $OFFLINE = 1 ] || [ -z "${QUASAR_URL:-}" ] || WAREHOUSE=1
if [ $WAREHOUSE = 1 ]; then
	needs curl "for the warehouse's costs and views" \
	    "(apt-get install curl), or --offline"
fi

data_folder
mkdir -p "$STATE" || die 74 "cannot create $STATE"
PARTIALS=$STATE/analytics.partials.ndjson

# One run at a time: two would append to the same partials and take the
# same journal segments. A preview sends nothing and takes no segment,
# but it reads the partials: it takes the lock too, waiting for none.
needs flock "to lock the state (util-linux)"
lock "$STATE/analytics.lock" "another run holds $STATE/analytics.lock;" \
    "this one stopped before reading anything"

# The run's folder, its own (as import.sh's), its TMPD, and every stage's
# stderr to the terminal and the run's log (pipelines/lib.sh).
run_folder "$DATA/runs/analytics"
tmpd analytics
log_open
SLUICE_PROGRESS=0
export SLUICE_PROGRESS

# quasar NAME TABLE LAYOUT [DDL]: post-quasar into TABLE (created when
# missing: the events layout knows its statement, the rows layout reads it
# from DDL), with a ledger and a spool of its own under state/, passing
# nothing on; its summary into the log once it ended (two of them run,
# and their lines must not mix).
quasar() {
	_name=$1
	_ddl=${4:-}
	set -- --table "$2" --layout "$3" --create-table \
	    --seen "$STATE/analytics-$2.quasar" \
	    --spool "$STATE/analytics-$2-spool" \
	    --retry-max-time "${SLUICE_QUASAR_RETRY_MAX_TIME:-10}" \
	    --rejects "$RUN/post-quasar-$2.rejects.ndjson" --sink
	[ -z "$_ddl" ] || set -- "$@" --ddl "$_ddl"
	[ -z "$CACERT" ] || set -- "$@" --cacert "$CACERT"
	_rc=0
	"$BIN/post-quasar" "$@" 2>"$TMPD/$_name.err" || _rc=$?
	sed "s/^post-quasar:/$_name:/" "$TMPD/$_name.err" >&3
	echo "$_rc" >"$TMPD/$_name.status"
}

# --- the input ------------------------------------------------------
#
# FILEs, else the closed segments of the journal. A run takes the segments
# there, names them in state/analytics-journal.ledger with the batch id of
# its partial totals, and removes them (then empties the ledger) once
# every event is in the warehouse or its spool and the partials are kept.
# A run that finds the ledger not empty (the one before was cut short)
# takes the same segments again, under the same batch id, and nothing
# else: its partials replace those the cut-short run may have kept, so no
# event is counted twice. The segments are removed only after "done" is
# added to the ledger: a ledger that ends with it was cut short while
# removing them, and its segments are removed, not read again (a part of
# a batch read again under its id would replace the whole batch's rows).
JOURNAL=
BATCH=
JLEDGER=$STATE/analytics-journal.ledger
if [ $# -eq 0 ]; then
	JOURNAL=${JOURNAL_DIR:-${SLUICE_JOURNAL:-$DATA/journal}/events}
	if [ -s "$JLEDGER" ] && [ "$(tail -n 1 "$JLEDGER")" = "done" ]; then
		if [ $OFFLINE = 0 ]; then
			sed '1d;$d' "$JLEDGER" | segments_remove "$JOURNAL"
			: >"$JLEDGER"
		fi
	elif [ -s "$JLEDGER" ]; then
		BATCH=$(sed -n '1s/^batch //p' "$JLEDGER")
		sed 1d "$JLEDGER" >"$TMPD/segments"
	fi
	if [ -z "$BATCH" ]; then
		segments "$JOURNAL"
		BATCH=$(date -u +%Y%m%dT%H%M%SZ)-$$-$(od -An -N4 -tx4 /dev/urandom |
		    tr -d ' ')
		if [ $OFFLINE = 0 ] && [ -s "$TMPD/segments" ]; then
			{
				echo "batch $BATCH"
				cat "$TMPD/segments"
			} >"$JLEDGER.tmp" && mv "$JLEDGER.tmp" "$JLEDGER" ||
				die 74 "cannot write $JLEDGER"
		fi
	fi
	: >"$TMPD/inputs"
	while IFS= read -r _seg; do
		[ ! -f "$JOURNAL/$_seg" ] || echo "$JOURNAL/$_seg" >>"$TMPD/inputs"
	done <"$TMPD/segments"
	[ -s "$TMPD/inputs" ] || echo /dev/null >"$TMPD/inputs"
	INPUT="the journal $JOURNAL ($(wc -l <"$TMPD/segments" | tr -d ' ') segments)"
else
	: >"$TMPD/inputs"
	for _f; do
		abs "$_f" >>"$TMPD/inputs"
	done
	INPUT="$*"
fi

# --- the stages -----------------------------------------------------
#
# validate's output goes to the warehouse (or RUN/events.ndjson) and,
# through a named pipe, to attribute and rollup, whose partial totals wait
# in RUN/partials.ndjson for the end of the run.
mkfifo "$TMPD/fifo-attr"
{
	set --
	[ -z "$LOOKBACK" ] || set -- "$@" --lookback "$LOOKBACK"
	[ -z "$TOLERANCE" ] || set -- "$@" --tolerance "$TOLERANCE"
	stage attribute "$BIN/attribute" --dictionary "$DICT" "$@" \
	    --rejects "$RUN/attribute.rejects.ndjson" <"$TMPD/fifo-attr" | {
		set --
		[ -z "$BUCKET" ] || set -- "$@" --bucket "$BUCKET"
		[ -z "$BATCH" ] || set -- "$@" --batch-id "$BATCH"
		stage rollup "$BIN/rollup" "$@"
	} >"$RUN/partials.ndjson"
} &
BG="$BG $!"
# validate: the stage on the files of the list, one a line (a name may
# hold a space).
validate() {
	set -f
	_ifs=$IFS
	IFS='
'
	# shellcheck disable=SC2046 # split on lines, on purpose
	set -- $(cat "$TMPD/inputs")
	IFS=$_ifs
	set +f
	stage validate "$BIN/validate" --dictionary "$DICT" \
	    --rejects "$RUN/validate.rejects.ndjson" -- "$@"
}
tee_attr() {
	_rc=0
	tee "$TMPD/fifo-attr" || _rc=$?
	echo "$_rc" >"$TMPD/tee.status"
}
if [ $WAREHOUSE = 1 ]; then
	validate | tee_attr | quasar post-quasar-events events events
else
	validate | tee_attr >"$RUN/events.ndjson"
fi
for _p in $BG; do
	wait "$_p" || :
done
BG=

# --- the partials and the warehouse ---------------------------------
#
# Kept (state/analytics.partials.ndjson) and sent (rollup_partials) only
# when validate, attribute and rollup ended with 0 or 1: a cut-off stream
# would roll up part of the input.
HELD=
for _s in validate tee attribute rollup; do
	case $(status $_s) in
	0 | 1) ;;
	*) HELD="$HELD${HELD:+,} $_s ended with $(status $_s)" ;;
	esac
done
if [ -z "$HELD" ] && [ $OFFLINE = 0 ]; then
	[ $WAREHOUSE = 0 ] || [ ! -s "$RUN/partials.ndjson" ] ||
		quasar post-quasar-rollup rollup_partials rows \
		    "$ROOT/pipelines/sql/rollup.sql" <"$RUN/partials.ndjson"
	cat "$RUN/partials.ndjson" >>"$PARTIALS" && sync "$PARTIALS" ||
		die 74 "cannot write $PARTIALS"
fi

# ch FILE [QUERY]: ClickHouse's answer, on stdout, to the statement in
# FILE, or to QUERY with FILE as its data; on an error the server's
# message on stderr, and non-zero.
# The URL reaches curl on its standard input (a config file), never its
# argv, where a password in QUASAR_URL would be seen by ps.
# A QUASAR_URL with parameters of its own (a cluster's
# ?database=dist&insert_distributed_sync=1) gets the query after them.
ch() {
	_q=${2:+query=$(printf '%s' "$2" | sed 's/ /%20/g')}
	case $QUASAR_URL in
	*\?*) _url="$QUASAR_URL${_q:+&$_q}" ;;
	*) _url="$QUASAR_URL/${_q:+?$_q}" ;;
	esac
	set -- -sS --max-time 60 -o "$TMPD/ch.out" -w '%{http_code}' \
	    --data-binary "@$1" -K -
	[ -z "$CACERT" ] || set -- --cacert "$CACERT" "$@"
	_code=$(printf 'url = "%s"\n' "$(printf '%s' "$_url" |
	    sed 's/[\\"]/\\&/g')" | curl "$@") || _code=000
	if [ "$_code" != 200 ]; then
		echo "$ME: the warehouse answered $_code:" \
		    "$(head -c 300 "$TMPD/ch.out" 2>/dev/null)" >&2
		return 1
	fi
	cat "$TMPD/ch.out"
}

# ch_sql FILE: each statement of the SQL file FILE (";" ends a line), one
# request each, "--" comment lines left out.
ch_sql() {
	rm -f "$TMPD"/stmt-*
	awk -v d="$TMPD" '/^[ \t]*--/ { next }
	    { f = d "/stmt-" sprintf("%04d", n); print >f }
	    /;[ \t]*$/ { close(f); n++ }' "$1"
	for _q in "$TMPD"/stmt-*; do
		[ -f "$_q" ] || continue
		ch "$_q" >/dev/null || return 1
	done
}

# The costs into the warehouse's costs table (loaded again, a file
# replaces its own rows), and the views, when they are missing
# (pipelines/sql/analytics.sql drops and makes them again: loading it by
# hand is how a change of its parameters takes effect).
WH_NOTE=
if [ $WAREHOUSE = 1 ] && [ -z "$HELD" ]; then
	{
		ch_sql "$ROOT/pipelines/sql/costs.sql" &&
			if [ -n "$COSTS" ]; then
				ch "$COSTS" "INSERT INTO costs FORMAT CSVWithNames"
			fi &&
			echo "EXISTS TABLE analytics_rollup" >"$TMPD/q" &&
			_views=$(ch "$TMPD/q") &&
			if [ "$_views" != 1 ]; then
				ch_sql "$ROOT/pipelines/sql/analytics.sql"
			fi
	} 2>&3 || WH_NOTE="the warehouse's costs or views could not be loaded: see $RUN/stages.log"
fi

# The totals of every run's partials (this one's too, with --offline),
# with the costs.
set -- --merge
[ -z "$COSTS" ] || set -- "$@" --costs "$COSTS"
[ ! -f "$PARTIALS" ] || set -- "$@" "$PARTIALS"
if [ $OFFLINE = 1 ] && [ -z "$HELD" ]; then
	set -- "$@" "$RUN/partials.ndjson"
fi
case $* in *.ndjson) ;; *) set -- "$@" /dev/null ;; esac
_rc=0
"$BIN/rollup" "$@" >"$RUN/totals.ndjson" 2>"$TMPD/merge.err" || _rc=$?
sed 's/^rollup:/rollup --merge:/' "$TMPD/merge.err" >&3
echo "$_rc" >"$TMPD/merge.status"

# --- the table ------------------------------------------------------
#
# table FILE BY: the rows of FILE (rollup's totals, or the warehouse's,
# the same fields) per BY (source or campaign) over every bucket, under
# the model MODEL, with the other model's sign-ups beside them.
table() {
	jq -rs --arg m "$MODEL" --arg by "$2" '
	    def n: . // 0;
	    def sum(f): map(f | n) | add // 0;
	    def key: if .[$by] == "" then "(none)" else .[$by] end;
	    (if $m == "last" then "first" else "last" end) as $other
	    | group_by(key) | map(
		(map(select(.model == $m))) as $r
		| {key: (.[0] | key),
		   views: ($r | sum(.views)), signups: ($r | sum(.signups)),
		   other: (map(select(.model == $other)) | sum(.signups)),
		   conversions: ($r | sum(.conversions)),
		   ttc_count: ($r | sum(.ttc_count)),
		   ttc_sum: ($r | sum(.ttc_sum_ms)),
		   before: ($r | sum(.pages_before)),
		   after: ($r | sum(.pages_after)),
		   cost: ($r | sum(.cost))})
	    | sort_by(-.signups, -.views, .key)[]
	    | [.key, .views, .signups, .other, .conversions, .ttc_count,
	       .ttc_sum, .before, .after, .cost] | @tsv' "$1" |
		awk -F '\t' -v by="$2" -v m="$MODEL" '
		function dur(ms) {
			if (ms < 3600000) return sprintf("%.0fm", ms / 60000)
			if (ms < 172800000) return sprintf("%.1fh", ms / 3600000)
			return sprintf("%.1fd", ms / 86400000)
		}
		function row(k, v, s, o, c, tc, ts, b, a, cost) {
			printf "  %-26s %7d %7d %7d %7s %8s %7s %7s %9s %10s\n", \
			    substr(k, 1, 26), v, s, o,
			    (v > 0 ? sprintf("%.1f%%", 100 * s / v) : "-"),
			    (tc > 0 ? dur(ts / tc) : "-"),
			    (c > 0 ? sprintf("%.1f", b / c) : "-"),
			    (c > 0 ? sprintf("%.1f", a / c) : "-"),
			    (cost > 0 ? sprintf("%.2f", cost) : "-"),
			    (cost > 0 && s > 0 ? sprintf("%.2f", cost / s) : "-")
		}
		BEGIN {
			o = m == "last" ? "first" : "last"
			printf "  %-26s %7s %7s %7s %7s %8s %7s %7s %9s %10s\n", \
			    "per " by " (" m " click)", "views", "signups",
			    "(" o ")", "conv", "to conv", "before", "after",
			    "cost", "per signup"
		}
		{
			row($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			for (i = 2; i <= 10; i++) t[i] += $i
		}
		END {
			row("all", t[2], t[3], t[4], t[5], t[6], t[7], t[8], t[9],
			    t[10])
		}'
}

# tables FILE: both tables of FILE.
tables() {
	table "$1" source
	echo
	table "$1" campaign
}

# The warehouse's own answers, for the same table: the sums of the
# partials it holds (analytics_rollup_totals) with the costs
# (analytics_roi), and attribute's and rollup's rules computed in SQL from
# the events table (analytics_rollup).
wh_rows() { # VIEW
	cat >"$TMPD/q" <<SQL
SELECT model, toString(bucket, 'UTC') AS bucket, source, campaign, views,
    signups, conversions, ttc_count, ttc_sum_ms, ttc_min_ms, ttc_max_ms,
    pages_before, pages_after
FROM $1 FORMAT JSONEachRow
SQL
	ch "$TMPD/q"
}
# counts FILE: the rows' counts, one line each, sorted, the zeros left out.
counts() {
	jq -r 'select([.views, .signups, .conversions, .pages_before,
	    .pages_after] | add > 0) | [.model, .bucket, .source, .campaign,
	    .views, .signups, .conversions, .ttc_count, .ttc_sum_ms,
	    .ttc_min_ms, .ttc_max_ms, .pages_before, .pages_after] | @tsv' \
	    "$1" | LC_ALL=C sort
}
AGREE=
if [ $WAREHOUSE = 1 ] && [ -z "$WH_NOTE" ] && [ -z "$HELD" ]; then
	counts "$RUN/totals.ndjson" >"$TMPD/c.tsv"
	for _v in analytics_rollup_totals analytics_rollup; do
		if ! wh_rows "$_v" >"$RUN/$_v.ndjson" 2>&3; then
			AGREE="$AGREE
    $_v: could not be read"
			continue
		fi
		counts "$RUN/$_v.ndjson" >"$TMPD/w.tsv"
		if cmp -s "$TMPD/c.tsv" "$TMPD/w.tsv"; then
			AGREE="$AGREE
    $_v: the same $(wc -l <"$TMPD/c.tsv" | tr -d ' ') rows as rollup --merge"
		else
			AGREE="$AGREE
    $_v: differs from rollup --merge in $(LC_ALL=C comm -3 "$TMPD/c.tsv" \
			    "$TMPD/w.tsv" | wc -l | tr -d ' ') rows ($RUN/$_v.ndjson)"
		fi
	done
fi

# --- the journal's segments, done -----------------------------------
log_close
STATUS=$(worst)
# Every event is in the warehouse or its spool (69), and the partials are
# kept: the segments are done with.
if [ -n "$JOURNAL" ] && [ $OFFLINE = 0 ] && [ -z "$HELD" ] &&
    [ -s "$TMPD/segments" ] &&
    { [ "$STATUS" -le 1 ] || [ "$STATUS" = 69 ]; }; then
	echo "done" >>"$JLEDGER" && sync "$JLEDGER" ||
		die 74 "cannot write $JLEDGER"
	segments_remove "$JOURNAL" <"$TMPD/segments"
	: >"$JLEDGER"
fi

# --- the summary ----------------------------------------------------
ORDER="validate attribute rollup merge"
[ $WAREHOUSE = 0 ] || ORDER="validate post-quasar-events attribute rollup post-quasar-rollup merge"
{
	echo "== analytics run of $INPUT"
	echo
	echo "per stage (records in = out + dropped + rejected):"
	summary_counts validate post-quasar-events attribute rollup \
	    post-quasar-rollup "rollup --merge"
	if summary_lines | grep -Eq '^validate: (blocked=|violations:)'; then
		echo
		echo "validate, per event and field:"
		summary_lines | grep -E '^validate: (blocked=|violations:)' |
			sed 's/^validate: violations: /  /; s/^validate: /  /'
	fi
	if [ $WAREHOUSE = 1 ]; then
		echo
		echo "warehouse:"
		summary_lines | grep -E '^post-quasar-[a-z]+: [a-z ]+=[0-9]+' |
			grep -v ': in=' | sed 's/^/  /'
		[ -z "$WH_NOTE" ] || echo "  $WH_NOTE"
		[ -z "$AGREE" ] || echo "  the views against rollup --merge:$AGREE"
	fi
	echo
	# shellcheck disable=SC2086 # a list of names, split on purpose
	summary_statuses $ORDER
	if [ -n "$HELD" ]; then
		echo
		echo "the partial totals were neither kept nor sent, because$HELD;"
		echo "run again once the cause is fixed (the journal's segments" \
		    "are still there)."
	fi
	echo
	echo "files:"
	summary_files "$RUN"/*.rejects.ndjson
	[ ! -f "$RUN/events.ndjson" ] ||
		echo "  events    $(wc -l <"$RUN/events.ndjson" | tr -d ' ') in $RUN/events.ndjson"
	echo "  partials  $(wc -l <"$RUN/partials.ndjson" | tr -d ' ') in $RUN/partials.ndjson (every run's: $PARTIALS)"
	echo "  totals    $RUN/totals.ndjson (rollup --merge${COSTS:+ --costs $COSTS})"
	echo "  log       $RUN/stages.log"
	echo
	if [ $OFFLINE = 1 ]; then
		echo "offline: nothing was sent, nothing kept in $STATE."
	elif [ $WAREHOUSE = 0 ]; then
		echo "warehouse: QUASAR_URL is not set; the events are in $RUN/events.ndjson"
	else
		for _t in events rollup_partials; do
			for _b in "$STATE/analytics-$_t-spool"/batch-*; do
				[ -e "$_b" ] || continue
				echo "warehouse: $_t batches wait in" \
				    "$STATE/analytics-$_t-spool; send them with"
				echo "  $BIN/post-quasar --replay" \
				    "$STATE/analytics-$_t-spool --create-table" \
				    "--seen $STATE/analytics-$_t.quasar"
				break
			done
		done
	fi
	case $STATUS in
	0) echo "exit 0: every event accounted for, none rejected" ;;
	1) echo "exit 1: finished; the rejected events are in the rejects" \
	    "files, with the reason" ;;
	69) echo "exit 69: the warehouse stayed unavailable; the table is" \
	    "rollup's own" ;;
	*) echo "exit $STATUS: see $RUN/stages.log" ;;
	esac
	echo
	echo "== the table (rollup --merge of every run's partial totals)"
	echo
	tables "$RUN/totals.ndjson" | tee "$RUN/table.txt"
	echo
	echo "signups: under the $MODEL click (beside it, the other model's);" \
	    "conv: sign-ups per view;"
	echo "to conv: the average time from the first touch to the sign-up;" \
	    "before, after: pages"
	echo "per sign-up before it and after it; cost: the costs file's, per" \
	    "sign-up under $MODEL click."
} | tee "$RUN/summary.txt"
exit "$STATUS"
