#!/bin/sh
# pipelines/import.sh [--tee-all] [--offline] [--cacert FILE] NAME [FILE]:
# one vendor's import, end to end, as its vendor file describes it.
#
# The stages and their order come from the "pipeline" list of
# vendors/NAME/vendor.json; every stage is given --vendor with that file and
# the run's own files, and takes its per-vendor options from it. For the two
# vendors of today the list is
#
#   csv2ndjson FILE                     CSV rows, provenance in _meta; the
#                                       raw rows are kept, gzipped, in raw/
#     (post-quasar)                     a side branch: the warehouse gets the
#                                       raw rows from that copy
#   | shape | status-map | post-northstar > RUN/post-northstar.ndjson
#   then, only if all of those ended with 0 or 1:
#   dedupe --seen LEDGER | post-rogue --ledger LEDGER > RUN/results.ndjson
#
# The import holds the vendor's lock (state/NAME.lock) from before its
# first stage to the end, so one import of a vendor runs at a time. Files go
# under $SLUICE_DATA (default: the current directory). The exit status is
# the worst of the stages'; 75 when another import of the vendor runs.
# Every run, also one that failed or was cut short, ends with the run's
# report.html and the data folder's index.html (build/bin/report).
# --help says more; the import's documentation (docs-pending/import.md, for
# the README) says everything.
set -eu

ME=import.sh
SYNOPSIS='[--tee-all] [--offline] [--cacert FILE] [--set NAME=VALUE]... [--shard K/N] NAME [FILE]'

# The secrets the environment hands over: the script starts again without
# them, and has them on descriptor 8 instead. A variable stays in
# /proc/PID/environ of the process it was given to, and of every process
# forked from it, for that process's whole life, however early it is
# unset; exec gives the new program only what is still exported. So
# nothing is forked before the exec (the here-document is written into a
# pipe by the shell itself), and after it the secrets are in no process's
# environment: the stages read the Northstar secret from a file, and only
# fetch-rtv, which has no other way, gets the Rock the Vote key in its
# environment.
if [ "${SLUICE_IMPORT_SECRETS:-}" != 8 ] &&
    [ -n "${NORTHSTAR_CLIENT_SECRET:-}${RTV_PARTNER_API_KEY:-}" ]; then
	_ns=${NORTHSTAR_CLIENT_SECRET:-}
	_rtv=${RTV_PARTNER_API_KEY:-}
	unset NORTHSTAR_CLIENT_SECRET RTV_PARTNER_API_KEY
	SLUICE_IMPORT_SECRETS=8
	export SLUICE_IMPORT_SECRETS
	exec /bin/sh "$0" "$@" 8<<EOF
$_ns
$_rtv
EOF
fi
_ns=
_rtv=
if [ "${SLUICE_IMPORT_SECRETS:-}" = 8 ]; then
	IFS= read -r _ns <&8 || :
	IFS= read -r _rtv <&8 || :
	exec 8<&-
fi
unset SLUICE_IMPORT_SECRETS

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
VENDORS=${SLUICE_VENDORS:-$ROOT/vendors}
# shellcheck source=pipelines/lib.sh
. "$ROOT/pipelines/lib.sh"

# The private directory (mode 0700): the secrets' files (0600), the named
# pipes and the stages' exit statuses; removed at exit, also on an error or
# a signal (pipelines/lib.sh's tmpd and cleanup).
tmpd import
RUN=
REPORTED=1
# A run cut short (a signal, an error) still gets its report, which says
# that it did not finish.
cut_short() {
	[ "$REPORTED" = 1 ] || report_pages "$(import_command)" 2>/dev/null || :
}
AT_EXIT=cut_short
(
	umask 077
	[ -z "$_ns" ] || printf '%s\n' "$_ns" >"$TMPD/client-secret"
	[ -z "$_rtv" ] || printf '%s\n' "$_rtv" >"$TMPD/rtv-key"
) || exit 74
_ns=
_rtv=

usage() {
	cat <<EOF
usage: pipelines/import.sh [--tee-all] [--offline] [--cacert FILE]
                           [--set NAME=VALUE]... [--shard K/N] VENDOR [FILE]
Import the export FILE of the vendor NAME (vendors/NAME/vendor.json) into
Northstar, Rogue and the warehouse, with the stages its vendor file lists.

  --tee-all        also keep every stage's output, gzipped, under raw/
  --offline        run only the stages that need no service (csv2ndjson to
                   status-map): records to stdout, rejects and dropped
                   records to the run's folder; nothing is sent
  --cacert FILE    trust the CA certificates in FILE too (every stage that
                   talks to a service); default \$SLUICE_CACERT
  --set NAME=VALUE a per-file option the vendor file declares (export.options:
                   e-mail subscriptions take --set topic=news
                   --set source_detail=breakdown_opt_in), given to shape
  --shard K/N      be worker K of N: only the records of shard K, split by
                   member after shape (build/bin/shard), with ledgers of
                   its own (state/shard-K-of-N/); every worker needs the
                   same FILE. The README, "When one machine is not enough"
  -h, --help       show this help

Without FILE, a vendor whose export names a "fetch" stage (Rock the Vote:
fetch-rtv) has its last report fetched first, and a vendor whose export is
received by hook-recv ("receive": true) has the closed segments of its
journal (\$SLUICE_JOURNAL/NAME, default \$SLUICE_DATA/journal/NAME) read,
then removed once every record was delivered or rejected.
Every run ends by writing its report.html (in its run folder) and the
index.html of every import (in \$SLUICE_DATA), to open in a browser.
Environment: NORTHSTAR_URL, ROGUE_URL, NORTHSTAR_CLIENT_ID,
NORTHSTAR_CLIENT_SECRET or NORTHSTAR_CLIENT_SECRET_FILE; QUASAR_URL (optional:
without it the raw rows are only kept under raw/); for fetch-rtv RTV_URL,
RTV_PARTNER_ID, RTV_PARTNER_API_KEY; SLUICE_DATA (where the files go, default
.), SLUICE_CACERT, SLUICE_CONCURRENCY (16), SLUICE_QUASAR_RETRY_MAX_TIME (10).
Exit status: the worst of the stages' (0 ok, 1 some records rejected, 65 input
unusable, 69 a service stayed unavailable, 74 I/O error, 77 credentials
refused, 128+N a stage killed by signal N); 64 usage or configuration, 66 FILE
missing, 75 another import of NAME is running.

Example:
  NORTHSTAR_URL=https://northstar.example.org ROGUE_URL=https://rogue.example.org \\
  NORTHSTAR_CLIENT_ID=sluice NORTHSTAR_CLIENT_SECRET_FILE=~/.sluice-secret \\
      pipelines/import.sh turbovote export.csv
  pipelines/import.sh --offline rock-the-vote report.csv | jq .status
  parallel pipelines/import.sh --shard {}/4 turbovote export.csv ::: 1 2 3 4
EOF
}

TEE_ALL=0
SHARD=
OFFLINE=0
SETS=
CACERT=${SLUICE_CACERT:-}
while [ $# -gt 0 ]; do
	case $1 in
	--tee-all) TEE_ALL=1 ;;
	--shard)
		[ $# -ge 2 ] || usage_error "option '--shard' needs K/N"
		SHARD=$2
		shift
		;;
	--shard=*) SHARD=${1#*=} ;;
	--offline) OFFLINE=1 ;;
	--cacert)
		[ $# -ge 2 ] || usage_error "option '--cacert' needs a FILE"
		CACERT=$2
		shift
		;;
	--cacert=*) CACERT=${1#*=} ;;
	--set)
		[ $# -ge 2 ] || usage_error "option '--set' needs NAME=VALUE"
		SETS="$SETS --set $(quote "$2")"
		shift
		;;
	--set=*) SETS="$SETS --set $(quote "${1#*=}")" ;;
	-h | --help)
		usage
		exit 0
		;;
	--)
		shift
		break
		;;
	-?*) usage_error "unknown option '$1'" ;;
	*) break ;;
	esac
	shift
done
# The vendors there are, for the messages that need one.
vendors() {
	_l=
	for _v in "$VENDORS"/*/vendor.json; do
		[ -f "$_v" ] || continue
		_v=${_v%/vendor.json}
		_l="$_l${_l:+, }${_v##*/}"
	done
	echo "${_l:-none, in $VENDORS}"
}

[ $# -ge 1 ] || usage_error "which vendor? (the vendors: $(vendors))"
[ $# -le 2 ] || usage_error "one vendor NAME and at most one FILE"
NAME=$1
FILE=${2:-}
# The name becomes part of paths (state/NAME.lock, runs/NAME/).
case $NAME in
'' | .* | *[!A-Za-z0-9._-]*)
	usage_error "'$NAME' is not a vendor's name (the vendors: $(vendors))"
	;;
esac
VENDOR=$VENDORS/$NAME/vendor.json
[ -f "$VENDOR" ] ||
	die 64 "no vendor '$NAME' (no $VENDOR); the vendors: $(vendors)"

needs jq "to read the vendor file (apt-get install jq)"
[ -x "$BIN/csv2ndjson" ] || die 69 "no stages in $BIN: run make first"
BIN=$(cd "$BIN" && pwd)

# What the script itself needs from the vendor file: the stages, the fetch
# stage, whether post-northstar keeps a once-ledger (an update set with
# "once"). The stages read the
# rest. jq's @sh quotes every value, so the eval assigns and runs nothing.
if ! _v=$(jq -r '@sh "PIPELINE=\(.pipeline | join(" "))",
    @sh "FETCH=\(.export.fetch // "")",
    @sh "FAILED_CSV=\(.export.rejects_csv // [] | join(","))",
    @sh "RECEIVE=\(.export.receive // false)",
    @sh "ONCE=\([.delivery.member.updates // [] | .[] | select(.once)] | length)"' "$VENDOR" 2>&1); then
	die 65 "$VENDOR: no usable \"pipeline\" list: $_v"
fi
eval "$_v"

# The per-file options (--set), checked before anything runs: shape says
# which is missing or wrong, and exits 64, on an empty input (65 for a
# vendor file it cannot use).
case " $PIPELINE " in
*" shape "*)
	_v=$(eval "\"\$BIN/shape\" --vendor \"\$VENDOR\" $SETS" \
	    </dev/null 2>&1 >/dev/null) || {
		_rc=$?
		printf '%s\n' "$_v" | grep -v '^shape: in=' >&2 || :
		exit $_rc
	}
	;;
*) [ -z "$SETS" ] || usage_error "--set: $NAME's pipeline has no shape" ;;
esac

# The pipeline's stages fall into two phases at dedupe. dedupe --keep best
# holds every record until its input ends, so nothing is lost by waiting
# for the stages before it to end first, and it is the only way to know
# that its input is whole: when a stage of the first phase fails (a
# service down, a stage killed), dedupe would take the cut-off stream for
# the whole export, keep the best of what it got, and post-rogue would
# post statuses lower than the export holds. So the first phase writes its
# records to a file in the run's folder, and the second runs only when
# every stage of the first ended with 0 or 1. post-quasar is neither: it
# takes the records of the stage listed before it from their raw copy, on
# the side (see warehouse below). OFFLINE_STAGES are the first stages that
# need no service.
P1=
P2=
OFFLINE_STAGES=
WAREHOUSE_FROM=
_prev=
_online=0
for _s in $PIPELINE; do
	case $_s in
	csv2ndjson | shape | status-map | post-northstar | dedupe | post-rogue) ;;
	post-quasar)
		# First of a journal's pipeline (the event layer's events,
		# checked at the door): the stage itself, on the records.
		if [ -z "$_prev" ] && [ "$RECEIVE" = true ]; then
			:
		elif [ -n "$_prev" ]; then
			WAREHOUSE_FROM=$_prev
			continue
		else
			die 65 "$VENDOR: post-quasar needs a stage before it"
		fi
		;;
	*) die 65 "$VENDOR: the pipeline names '$_s', a stage the import does not know" ;;
	esac
	if [ -z "$_prev" ] && [ "$_s" != csv2ndjson ] && [ "$RECEIVE" != true ]
	then
		die 65 "$VENDOR: the pipeline must start with csv2ndjson"
	fi
	case $_s in post-*) _online=1 ;; esac
	[ $_online = 1 ] || OFFLINE_STAGES="$OFFLINE_STAGES $_s"
	if [ "$_s" = dedupe ] || [ -n "$P2" ]; then
		P2="$P2 $_s"
	else
		P1="$P1 $_s"
	fi
	_prev=$_s
done
[ -n "$P1" ] || die 65 "$VENDOR: no \"pipeline\" list"

# --shard K/N: the shard stage right after shape, which takes the records
# of this worker's members alone (shard --help). The groups are those of
# the whole input, so every worker reads the same file: a journal (whose
# segments the first worker to end would remove) or a fetched report
# (one each) cannot be shared.
SHARD_K=1
SHARD_N=1
if [ -n "$SHARD" ]; then
	case $SHARD in
	[1-9]*/[1-9]*) SHARD_K=${SHARD%%/*} SHARD_N=${SHARD#*/} ;;
	*) SHARD_K=x ;;
	esac
	case $SHARD_K$SHARD_N in
	*[!0-9]*) usage_error "--shard '$SHARD': give K/N, 1 <= K <= N <= 1024" ;;
	esac
	[ ${#SHARD_K} -le 4 ] && [ ${#SHARD_N} -le 4 ] &&
	    [ "$SHARD_K" -le "$SHARD_N" ] &&
	    [ "$SHARD_N" -le 1024 ] ||
		usage_error "--shard '$SHARD': give K/N, 1 <= K <= N <= 1024"
	[ "$RECEIVE" != true ] ||
		usage_error "--shard: $NAME's records come from a journal," \
		    "which one import reads"
	[ -n "$FILE" ] || usage_error "--shard needs the FILE every worker" \
	    "reads (fetch the report once, then start the workers)"
	case " $P1 " in
	*" shape "*) P1=$(echo "$P1" | sed 's/ shape / shape shard /; s/ shape$/ shape shard/') ;;
	*) usage_error "--shard: $NAME's pipeline has no shape to split after" ;;
	esac
	case " $OFFLINE_STAGES " in
	*" shape "*) OFFLINE_STAGES=$(echo "$OFFLINE_STAGES " |
		sed 's/ shape / shape shard /') ;;
	esac
fi

if [ "$RECEIVE" = true ] && [ -z "$FILE" ]; then
	: # the journal's segments (journal_take, below)
elif [ -n "$FILE" ]; then
	if [ ! -r "$FILE" ] || [ -d "$FILE" ]; then
		die 66 "$FILE: no such file, or not readable"
	fi
elif [ $OFFLINE = 1 ]; then
	usage_error "--offline needs a FILE (fetching a report sends requests)"
elif [ -z "$FETCH" ]; then
	usage_error "give the $NAME export FILE ($VENDOR names no fetch stage)"
fi

if [ -n "$CACERT" ]; then
	[ -r "$CACERT" ] && [ ! -d "$CACERT" ] ||
		die 64 "--cacert $CACERT: no such file, or not readable"
	CACERT=$(abs "$CACERT")
fi

# The services the stages to run need, all named at once.
MISSING=
need() {
	for _n; do
		eval "_val=\${$_n:-}"
		[ -n "$_val" ] && continue
		case " $MISSING " in *" $_n "*) ;; *) MISSING="$MISSING $_n" ;; esac
	done
}
SECRET_FILE=
if [ $OFFLINE = 0 ]; then
	for _s in $P1 $P2; do
		case $_s in
		post-northstar) need NORTHSTAR_URL NORTHSTAR_CLIENT_ID ;;
		post-rogue) need ROGUE_URL NORTHSTAR_URL NORTHSTAR_CLIENT_ID ;;
		*) continue ;;
		esac
		# The stages prefer --client-secret-file to the variable, and so
		# does the import.
		if [ -n "${NORTHSTAR_CLIENT_SECRET_FILE:-}" ]; then
			SECRET_FILE=$NORTHSTAR_CLIENT_SECRET_FILE
		elif [ -f "$TMPD/client-secret" ]; then
			SECRET_FILE=$TMPD/client-secret
		else
			need NORTHSTAR_CLIENT_SECRET
		fi
	done
	if [ -z "$FILE" ] && [ "$RECEIVE" != true ]; then
		case $FETCH in
		fetch-rtv)
			need RTV_URL RTV_PARTNER_ID
			[ -f "$TMPD/rtv-key" ] || need RTV_PARTNER_API_KEY
			;;
		*) die 65 "$VENDOR: export.fetch names '$FETCH', a stage the import does not know" ;;
		esac
	fi
	if [ -n "$MISSING" ]; then
		echo "$ME: set the services first; missing:$MISSING" >&2
		echo "$ME: (QUASAR_URL is optional: without it the raw rows are" \
		    "only kept under raw/)" >&2
		exit 64
	fi
	needs flock "to lock the vendor's state (util-linux)"
fi

data_folder
# A worker's ledgers are its own: state/shard-K-of-N/ (see the lock below).
VSTATE=$STATE
[ -z "$SHARD" ] || STATE=$STATE/shard-$SHARD_K-of-$SHARD_N
LEDGER=$STATE/$NAME.ledger
SPOOL=$STATE/$NAME-spool
SEEN=$STATE/$NAME.quasar

# shard_lock: a worker holds the vendor's lock shared (an import without
# --shard, which holds it alone, cannot run beside the workers) and its
# shard's alone (one worker K of N at a time). state/NAME.shards keeps the
# N the first worker used: a worker of another N refuses (64), since two
# splits running at once could each have a member in flight. The workers
# running at once must read the same bytes, since the split is the
# input's: under state/NAME.split.lock, a worker takes its shard's lock,
# writes its FILE's checksum beside it, and compares it with those of the
# workers holding theirs (75 when one differs).
shard_lock() {
	mkdir -p "$STATE" || die 74 "cannot create $STATE"
	exec 9>>"$VSTATE/$NAME.lock"
	flock -n -s 9 || die 75 "an import of $NAME without --shard is" \
	    "running (it holds $VSTATE/$NAME.lock); this worker stopped" \
	    "before sending anything"
	_nf=$VSTATE/$NAME.shards
	echo "$SHARD_N" >"$_nf.$$" && { ln "$_nf.$$" "$_nf" 2>/dev/null || :; }
	rm -f "$_nf.$$"
	_had=$(cat "$_nf" 2>/dev/null) || die 74 "cannot write $_nf"
	[ "$_had" = "$SHARD_N" ] || die 64 "the ledgers of $NAME are split" \
	    "$_had ways ($_nf): run its workers with --shard K/$_had; to" \
	    "change the number, once none of the $_had runs, remove $_nf" \
	    "(the new shards' ledgers start empty: every member and post" \
	    "is looked up again once)"
	_sum=$(cksum <"$FILE") || die 66 "$FILE: cannot be read"
	exec 6>>"$VSTATE/$NAME.split.lock"
	flock -w 60 6 || die 75 "$VSTATE/$NAME.split.lock: held for a minute"
	exec 7>>"$STATE/$NAME.lock"
	flock -n 7 || die 75 "worker $SHARD_K of $SHARD_N of $NAME is" \
	    "running already (it holds $STATE/$NAME.lock)"
	echo "$_sum" >"$STATE/$NAME.file" || die 74 "cannot write $STATE"
	_k=1
	while [ $_k -le "$SHARD_N" ]; do
		_o=$VSTATE/shard-$_k-of-$SHARD_N
		if [ $_k != "$SHARD_K" ] && [ -f "$_o/$NAME.lock" ] &&
		    ! flock -n "$_o/$NAME.lock" true &&
		    [ "$(cat "$_o/$NAME.file" 2>/dev/null)" != "$_sum" ]; then
			die 75 "worker $_k of $SHARD_N of $NAME is importing" \
			    "another file (its checksum in $_o/$NAME.file);" \
			    "start this one once it has ended"
		fi
		_k=$((_k + 1))
	done
	exec 6>&-
}

# One import of a vendor at a time: two would race on the ledgers and
# deliver what the other is delivering. The lock is taken before any stage
# starts, fetch-rtv included, and never waited for. Every process of the
# import inherits the descriptor, so the lock lasts until the last of them
# has ended, also when the script itself is killed. A preview sends nothing
# and touches no state: it takes no lock.
if [ $OFFLINE = 0 ] && [ -n "$SHARD" ]; then
	shard_lock
elif [ $OFFLINE = 0 ]; then
	mkdir -p "$STATE" || die 74 "cannot create $STATE"
	lock "$STATE/$NAME.lock" "another $NAME import is running (it holds" \
	    "$STATE/$NAME.lock); this one stopped before sending" \
	    "anything: run it again once that one has ended"
fi

# now_ms: milliseconds since the epoch (seconds, when date has no %N).
now_ms() {
	_t=$(date +%s%N)
	case $_t in
	*[!0-9]*) echo $((${_t%%[!0-9]*} * 1000)) ;;
	*) echo $((_t / 1000000)) ;;
	esac
}

# seconds FROM TO: the milliseconds between as seconds, "2.91".
seconds() {
	_ms=$(($2 - $1))
	printf '%d.%02d' $((_ms / 1000)) $((_ms % 1000 / 10))
}

# import_command: the command that imports the run's rejected rows again
# once fixed: this import's, less its FILE (report_pages prints it).
import_command() {
	_cmd="SLUICE_DATA=$(quote "$DATA")"
	[ -z "${SLUICE_VENDORS:-}" ] ||
		_cmd="$_cmd SLUICE_VENDORS=$(quote "$SLUICE_VENDORS")"
	_cmd="$_cmd $(quote "$ROOT/pipelines/import.sh")"
	[ $OFFLINE = 0 ] || _cmd="$_cmd --offline"
	[ -z "$CACERT" ] || _cmd="$_cmd --cacert $(quote "$CACERT")"
	[ -z "$SHARD" ] || _cmd="$_cmd --shard $SHARD_K/$SHARD_N"
	printf '%s\n' "$_cmd$SETS $NAME"
}

# A run folder of its own (run_folder): two runs started in the same
# second (a preview beside an import, or two runs one after the other) get
# two folders, the second with a suffix.
run_folder "$DATA/runs/$NAME"
STAMP=${RUN##*/}
DAY=$(echo "$STAMP" | sed 's/^\(....\)\(..\)\(..\).*/\1-\2-\3/')
RAW=$DATA/raw/$NAME/$DAY
REPORTED=0
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
T_START=$(now_ms)

# Every stage's stderr goes to the terminal and into the run's log
# (log_open). The delivery stage in front draws its progress line when the
# import's stderr is a terminal.
log_open
PROGRESS=0
[ -t 2 ] && PROGRESS=1
CONCURRENCY=${SLUICE_CONCURRENCY:-16}

# progress 0|1 NAME COMMAND...: stage, with the progress line on or off
# (in a subshell, so that the setting stays with this stage).
progress() (
	SLUICE_PROGRESS=$1
	export SLUICE_PROGRESS
	shift
	stage "$@"
)

# delivery NAME COMMAND...: a stage that talks to Northstar or Rogue, with
# the run's connection options and files.
delivery() {
	_name=$1
	shift
	[ -z "$CACERT" ] || set -- "$@" --cacert "$CACERT"
	[ -z "$SECRET_FILE" ] || set -- "$@" --client-secret-file "$SECRET_FILE"
	progress "$PROGRESS" "$_name" "$@" --concurrency "$CONCURRENCY" \
	    --rejects "$RUN/$_name.rejects.ndjson"
}

# run_stage NAME: the stage NAME with its options, stdin to stdout.
run_stage() {
	case $1 in
	csv2ndjson)
		stage csv2ndjson "$BIN/csv2ndjson" --vendor "$VENDOR" \
		    --rejects "$RUN/csv2ndjson.rejects.ndjson" -- "$FILE"
		;;
	shape)
		eval "set -- $SETS"
		stage shape "$BIN/shape" --vendor "$VENDOR" "$@" \
		    --rejects "$RUN/shape.rejects.ndjson" \
		    --dropped "$RUN/shape.dropped.ndjson"
		;;
	shard)
		stage shard "$BIN/shard" --shard "$SHARD_K/$SHARD_N" \
		    --rejects "$RUN/shard.rejects.ndjson"
		;;
	status-map)
		stage status-map "$BIN/status-map" --vendor "$VENDOR" \
		    --rejects "$RUN/status-map.rejects.ndjson"
		;;
	post-northstar)
		# The member ledger makes a re-run cost no request; the
		# once-ledger keeps its old name, so that what it remembers
		# stays remembered.
		set -- --members "$STATE/$NAME.members"
		if [ "$ONCE" -gt 0 ]; then
			set -- "$@" --once-ledger "$STATE/$NAME-sms.ledger"
		fi
		delivery post-northstar "$BIN/post-northstar" \
		    --vendor "$VENDOR" "$@"
		;;
	dedupe)
		stage dedupe "$BIN/dedupe" --vendor "$VENDOR" --seen "$LEDGER" \
		    --rejects "$RUN/dedupe.rejects.ndjson" \
		    --dropped "$RUN/dedupe.dropped.ndjson"
		;;
	post-rogue)
		delivery post-rogue "$BIN/post-rogue" --vendor "$VENDOR" \
		    --ledger "$LEDGER"
		;;
	post-quasar) # a journal's first stage (see the pipeline's phases)
		set -- --create-table --spool "$SPOOL" --seen "$SEEN" \
		    --rejects "$RUN/post-quasar.rejects.ndjson"
		[ -z "$CACERT" ] || set -- "$@" --cacert "$CACERT"
		# The segments by name (each row's file and line; none: stdin
		# is empty), or the FILE given.
		set -- "$@" --
		if [ -z "$JOURNAL" ]; then
			set -- "$@" "$FILE"
		else
			while IFS= read -r _seg; do
				set -- "$@" "$JOURNAL/$_seg"
			done <"$TMPD/segments"
		fi
		progress "$PROGRESS" post-quasar "$BIN/post-quasar" \
		    --vendor "$VENDOR" "$@"
		;;
	esac
}

# The stages whose output is kept, gzipped, under raw/: csv2ndjson's (the
# raw rows, for analysts), the warehouse's source, and with --tee-all every
# stage's but the last (whose output is results.ndjson, or stdout).
KEPT=
kept() {
	case " $KEPT " in *" $1 "*) return 0 ;; esac
	return 1
}

# keep NAME: passes records on, and into the pipe of NAME's raw copy.
keep() {
	_rc=0
	tee "$TMPD/fifo-$1" || _rc=$?
	echo "$_rc" >"$TMPD/tee-$1.status"
}

# chain STAGE...: the stages as one pipeline, stdin to stdout, each one
# kept that should be. A stage killed by SIGPIPE here is one whose reader
# failed first: see import_status.
chain() {
	_s=$1
	shift
	if [ $# -eq 0 ]; then
		if kept "$_s"; then
			run_stage "$_s" | keep "$_s"
		else
			run_stage "$_s"
		fi
	elif kept "$_s"; then
		run_stage "$_s" | keep "$_s" | chain "$@"
	else
		run_stage "$_s" | chain "$@"
	fi
}

# phase STAGE...: the stages as one pipeline (chain), the raw copies of
# those kept started first, each on a pipe the phase's tee will open.
phase() {
	for _s; do
		if kept "$_s"; then
			copy "$_s"
		fi
	done
	chain "$@"
}

# copy NAME: in the background, the raw copy of NAME's output: its pipe,
# gzipped into raw/ (by gzchunks: libdeflate, 4 MiB a member). For the
# warehouse's source it goes on to the warehouse, from the copy, once the
# copy is whole.
copy() {
	mkfifo "$TMPD/fifo-$1"
	{
		_rc=0
		_gz=$RAW/$1-$STAMP.ndjson.gz
		"$BIN/gzchunks" <"$TMPD/fifo-$1" >"$_gz" || _rc=74
		echo "$_rc" >"$TMPD/gzip-$1.status"
		if [ $_rc = 0 ] && [ "$1" = "$WAREHOUSE_FROM" ] && [ "$WAREHOUSE" = 1 ]
		then
			warehouse "$_gz"
		fi
	} >/dev/null 2>&3 &
	BG="$BG $!"
}

# warehouse FILE: FILE's records into the warehouse, spooled under SPOOL
# when it cannot take them. It runs on the side, from the raw copy, rather
# than in the middle of the pipeline: a warehouse that is down would hold
# every record back for as long as post-quasar retries (and as long as it
# retries creating its table, before it reads a record), and dedupe, which
# waits for the end of its input, everything after it. Nothing is lost by
# giving up sooner than a stage alone would (SLUICE_QUASAR_RETRY_MAX_TIME,
# 10 s): what is not delivered is spooled, and the summary says how to
# send it. Its exit status counts as any stage's; its progress line would
# fight with the one of the delivery stage in front: it draws none.
WAREHOUSE=0
warehouse() {
	[ -n "$(gzip -cd "$1" 2>/dev/null | head -c 1)" ] || return 0
	[ -z "$CACERT" ] || set -- "$@" --cacert "$CACERT"
	progress 0 post-quasar "$BIN/post-quasar" --vendor "$VENDOR" \
	    --create-table --spool "$SPOOL" --seen "$SEEN" --sink \
	    --retry-max-time "${SLUICE_QUASAR_RETRY_MAX_TIME:-10}" \
	    --rejects "$RUN/post-quasar.rejects.ndjson" "$@"
}

# fetch COMMAND...: the fetch stage, with the key in its environment alone
# (fetch-rtv takes it from nowhere else).
fetch() {
	_key=$(cat "$TMPD/rtv-key")
	RTV_PARTNER_API_KEY=$_key "$@"
	_rc=$?
	_key=
	return "$_rc"
}

# import_status: sets STATUS, the import's exit status, once every
# background job and the log are finished.
import_status() {
	for _p in $BG; do
		wait "$_p" || :
	done
	BG=
	log_close
	STATUS=$(worst)
}

# failed STAGE...: what of the stages and their raw copies' tee ended with
# neither 0 nor 1, as " NAME ended with STATUS, ..."; those SIGPIPE (141)
# killed only when nothing else failed.
failed() {
	_why=
	_pipe=
	for _s; do
		for _f in "$_s" "tee-$_s"; do
			_st=$(status "$_f")
			case $_st in
			'' | 0 | 1) ;;
			141) _pipe="$_pipe${_pipe:+,} $_f ended with 141" ;;
			*) _why="$_why${_why:+,} $_f ended with $_st" ;;
			esac
		done
	done
	echo "${_why:-$_pipe}"
}

# spooled: true when batches wait in the warehouse's spool.
spooled() {
	for _f in "$SPOOL"/batch-*; do
		[ ! -e "$_f" ] || return 0
	done
	return 1
}

# The command that sends what the warehouse could not take, as it can be
# run: the whole paths, the table created if it is missing, the URL (but a
# password stays in the environment).
replay_command() {
	printf '%s --replay %s --create-table --seen %s' \
	    "$(quote "$BIN/post-quasar")" "$(quote "$SPOOL")" "$(quote "$SEEN")"
	# shellcheck disable=SC2016 # the variable is for the reader's shell
	case $QUASAR_URL in
	*://*@* | *[?\&]password=*) printf ' --url "$QUASAR_URL"' ;;
	*) printf ' --url %s' "$(quote "$QUASAR_URL")" ;;
	esac
	[ -z "$CACERT" ] || printf ' --cacert %s' "$(quote "$CACERT")"
	echo
}

# failed_csv: with export.rejects_csv (columns), the records every stage
# rejected as a CSV of those columns, RUN/failed.csv, the list to hand back
# (mute promotions: the ids whose promotions were not muted). A value is
# the rejected record's field, else its user's, else empty.
failed_csv() {
	[ -n "$FAILED_CSV" ] || return 0
	set -- "$RUN"/*.rejects.ndjson
	[ -f "$1" ] || set --
	{
		printf '%s\n' "$FAILED_CSV"
		[ $# = 0 ] || jq -r --arg cols "$FAILED_CSV" \
		    '[($cols | split(","))[] as $c |
		      (.record[$c] // .record.user[$c] // "") | tostring] | @csv' "$@"
	} >"$RUN/failed.csv"
}

# import_summary: the summary, on stdout (stderr with --offline, where
# stdout holds the records) and in RUN/summary.txt.
import_summary() {
	{
		echo "== $NAME import of $FILE${FETCHED:+ (fetched by $FETCH)}"
		[ -z "$SHARD" ] || echo "worker $SHARD_K of $SHARD_N" \
		    "(--shard $SHARD_K/$SHARD_N): its members' records alone," \
		    "its ledgers in $STATE/"
		echo
		echo "per stage (records in = out + dropped + rejected):"
		# shellcheck disable=SC2086 # a list of names, split on purpose
		summary_counts $ORDER
		if [ $OFFLINE = 0 ]; then
			echo
			echo "delivery:"
			summary_lines | grep -E '^post-[a-z]+: [a-z ]+=[0-9]+' |
				grep -v ': in=' | sed 's/^/  /'
		fi
		if [ -s "$RUN/results.ndjson" ] &&
		    case " $ORDER " in *" post-rogue "*) ;; *) false ;; esac then
			echo
			echo "per final status (post status, member status, count):"
			jq -r '"\(.status)\t\(.user.voter_registration_status // "-")"' \
			    "$RUN/results.ndjson" | sort | uniq -c |
				awk '{ printf "  %-15s %-22s %d\n", $2, $3, $1 }'
			echo
			echo "per post result:"
			jq -r '._meta.rogue.result' "$RUN/results.ndjson" |
				sort | uniq -c | awk '{ printf "  %-10s %d\n", $2, $1 }'
		elif [ -s "$RUN/results.ndjson" ] &&
		    case " $ORDER " in *" post-northstar "*) ;; *) false ;; esac then
			echo
			echo "per member result:"
			jq -r '._meta.northstar.result // "-"' "$RUN/results.ndjson" |
				sort | uniq -c | awk '{ printf "  %-10s %d\n", $2, $1 }'
		fi
		echo
		# shellcheck disable=SC2086
		summary_statuses $ORDER
		printf 'timing: started=%s ended=%s seconds=%s' "$STARTED" \
		    "$ENDED" "$(seconds "$T_START" "$T_END")"
		[ -z "$T_FETCHED" ] ||
			printf ' fetch=%s' "$(seconds "$T_START" "$T_FETCHED")"
		[ -z "$T_P1" ] || printf ' phase1=%s' "$(seconds "$T_P1" "$T_P2")"
		[ -z "$T_P3" ] || printf ' phase2=%s' "$(seconds "$T_P2" "$T_P3")"
		echo
		for _s in $KEPT; do
			for _f in tee gzip; do
				_st=$(status "$_f-$_s")
				[ "${_st:-0}" = 0 ] || [ "$_st" = 141 ] ||
					echo "  the raw copy of $_s: $_f exited $_st"
			done
		done
		if [ -n "$HELD" ] && [ -n "$NOT_RUN" ]; then
			echo
			echo "not run:$NOT_RUN, because$HELD."
			[ ! -s "$P1OUT" ] || [ "$P1OUT" = "$RUN/results.ndjson" ] ||
				echo "What the stages before wrote is in $P1OUT."
			echo "Run the import again once the cause is fixed (the" \
			    "ledgers send nothing twice)."
		fi
		echo
		echo "files:"
		[ ! -f "$RUN/results.ndjson" ] ||
			echo "  results   $RUN/results.ndjson"
		summary_files "$RUN"/*.rejects.ndjson "$RUN"/*.dropped.ndjson
		[ ! -f "$RUN/failed.csv" ] ||
			echo "  failed    $(($(wc -l <"$RUN/failed.csv") - 1)) in $RUN/failed.csv"
		[ -z "$KEPT" ] || echo "  raw       $RAW/"
		[ $OFFLINE = 1 ] || echo "  ledger    $LEDGER"
		echo "  log       $RUN/stages.log"
		[ ! -x "$BIN/report" ] || echo "  report    $RUN/report.html" \
		    "(all the imports: $DATA/index.html)"
		echo
		if [ $OFFLINE = 1 ]; then
			echo "offline: nothing was sent."
		elif [ -z "${QUASAR_URL:-}" ]; then
			echo "warehouse: QUASAR_URL is not set; the raw rows are only" \
			    "in $RAW/"
		elif spooled; then
			echo "warehouse: rows wait in $SPOOL; once the warehouse" \
			    "takes them again, send them with"
			echo "  $(replay_command)"
		fi
		case $STATUS in
		0) echo "exit 0: every record accounted for, none rejected" ;;
		1) echo "exit 1: finished; the rejected records are in the rejects" \
		    "files, with the reason" ;;
		65) echo "exit 65: an input was unusable (is $FILE a $NAME" \
		    "export?); see $RUN/stages.log" ;;
		69) if [ "$(worst post-quasar)" -lt 69 ]; then
			echo "exit 69: the warehouse stayed unavailable; everything" \
			    "else was delivered"
		else
			echo "exit 69: a service stayed unavailable; the records not" \
		    "delivered are in the rejects files; run again later (the" \
			    "ledger sends nothing twice)"
		fi ;;
		77) echo "exit 77: the credentials were refused" ;;
		*) echo "exit $STATUS: see $RUN/stages.log" ;;
		esac
	} | if [ $OFFLINE = 1 ]; then
		tee "$RUN/summary.txt" >&2
	else
		tee "$RUN/summary.txt"
	fi
}

# --- the import ------------------------------------------------------

if [ $OFFLINE = 1 ]; then
	P1=$OFFLINE_STAGES
	P2=
	WAREHOUSE_FROM=
elif [ "$SHARD_K" -gt 1 ]; then
	WAREHOUSE_FROM= # worker 1 keeps the raw rows and ships them
elif [ -n "${QUASAR_URL:-}" ] && [ -n "$WAREHOUSE_FROM" ]; then
	WAREHOUSE=1
fi
# shellcheck disable=SC2086 # a list of names, split on purpose
set -- $P1 $P2
_last=
for _s; do _last=$_s; done
for _s; do
	if { [ "$_s" = csv2ndjson ] && [ $OFFLINE = 0 ] &&
	    [ "$SHARD_K" = 1 ]; } ||
	    { [ "$_s" = "$WAREHOUSE_FROM" ] && [ $WAREHOUSE = 1 ]; } ||
	    { [ $TEE_ALL = 1 ] && [ "$_s" != "$_last" ]; }; then
		KEPT="$KEPT $_s"
	fi
done
# ORDER: what runs, in the vendor file's order, for the summary (shard
# after shape).
ORDER=
for _s in $PIPELINE; do
	case " $P1 $P2 " in
	*" $_s "*)
		ORDER="$ORDER $_s"
		if [ "$_s" = shape ]; then
			case " $P1 " in *" shard "*) ORDER="$ORDER shard" ;; esac
		fi
		;;
	*) [ "$_s" != post-quasar ] || [ $WAREHOUSE = 0 ] || ORDER="$ORDER $_s" ;;
	esac
done
# What the first phase writes: the second phase's input, or the results.
for _s in $P1; do
	P1OUT=$RUN/$_s.ndjson
done
[ -n "$P2" ] || P1OUT=$RUN/results.ndjson
# HELD says why the stages of NOT_RUN did not run.
HELD=
NOT_RUN=$P2

# --- the journal, for a vendor whose requests hook-recv received ------
#
# hook-recv appends each request it accepted to the vendor's journal
# (SLUICE_JOURNAL, else DATA/journal, then NAME/), in segments it closes by
# size and age (and on SIGHUP). The import reads the closed ones, in order;
# once every record was delivered or rejected (the import ended with 0 or
# 1), it writes their names to state/NAME-journal.ledger, then removes
# them, then empties the ledger. A crash before the names are written
# imports them again (the delivery ledger posts nothing twice); after,
# the next run removes what the ledger names before it reads anything.
JOURNAL=
journal_take() {
	JOURNAL=${SLUICE_JOURNAL:-$DATA/journal}/$NAME
	_jl=$STATE/$NAME-journal.ledger
	if [ $OFFLINE = 0 ] && [ -s "$_jl" ]; then
		segments_remove "$JOURNAL" <"$_jl"
		: >"$_jl"
	fi
	segments "$JOURNAL"
	FILE="the journal $JOURNAL ($(wc -l <"$TMPD/segments") segments)"
}

# journal_cat: the segments taken, one after the other.
journal_cat() {
	while IFS= read -r _seg; do
		cat -- "$JOURNAL/$_seg" || return 74
	done <"$TMPD/segments"
}

# journal_done: the segments taken are imported: named, then removed.
journal_done() {
	[ -s "$TMPD/segments" ] || return 0
	cat "$TMPD/segments" >>"$_jl" && sync "$_jl" ||
		die 74 "cannot write $_jl"
	segments_remove "$JOURNAL" <"$TMPD/segments"
	: >"$_jl"
}

[ "$RECEIVE" != true ] || [ -n "$FILE" ] || journal_take

FETCHED=
T_FETCHED=
T_P1=
T_P2=
T_P3=
if [ -n "$JOURNAL" ]; then
	:
elif [ -z "$FILE" ]; then
	FETCHED=1
	ORDER="$FETCH $ORDER"
	FILE=$RUN/export.csv
	set --
	[ -z "$CACERT" ] || set -- --cacert "$CACERT"
	progress "$PROGRESS" "$FETCH" fetch "$BIN/$FETCH" -o "$FILE" "$@"
	T_FETCHED=$(now_ms)
	if [ "$(status "$FETCH")" != 0 ]; then
		HELD=" $FETCH ended with $(status "$FETCH")"
		NOT_RUN="$P1 $P2"
		P1=
	fi
fi

if [ -n "$P1" ]; then
	T_P1=$(now_ms)
	[ -z "$KEPT" ] || mkdir -p "$RAW" || die 74 "cannot create $RAW"
	# shellcheck disable=SC2086 # a list of names, split on purpose
	set -- $P1
	if [ -n "$JOURNAL" ] && [ "$1" = post-quasar ]; then
		phase "$@" </dev/null >"$P1OUT" # it reads the segments itself
	elif [ -n "$JOURNAL" ] && [ $OFFLINE = 1 ]; then
		journal_cat | phase "$@"
	elif [ -n "$JOURNAL" ]; then
		journal_cat | phase "$@" >"$P1OUT"
	elif [ $OFFLINE = 1 ]; then
		phase "$@" </dev/null
	else
		phase "$@" </dev/null >"$P1OUT"
	fi
	HELD=$(failed "$@")
	T_P2=$(now_ms)
fi
if [ -n "$P2" ] && [ -z "$HELD" ]; then
	# shellcheck disable=SC2086
	phase $P2 <"$P1OUT" >"$RUN/results.ndjson"
	T_P3=$(now_ms)
fi

import_status
ENDED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
T_END=$(now_ms)
if [ -n "$JOURNAL" ] && [ $OFFLINE = 0 ] && [ -z "$HELD" ] &&
    [ "$STATUS" -le 1 ]; then
	journal_done
fi
failed_csv
import_summary
report_pages "$(import_command)"
exit "$STATUS"
