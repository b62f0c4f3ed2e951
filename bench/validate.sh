#!/bin/sh
# bench/validate.sh: validate against a Node.js script using ajv, on the
# same events and the same dictionary, in one run.
#
# The events: ROWS of them (default 1,000,000) of the event layer's traffic,
# analytics/traffic.py --events ROWS --seed 1 --bad-share 0.02 --bad-kinds
# all (page views in sessions from ads, mailings, search, partners and
# typed addresses, sign-ups, trials, unsubscribes; 2% break a rule, of
# seven kinds), cached in bench/data/.
# The dictionary: analytics/dictionary.json. ajv (bench/ajv/package.json's
# pinned versions, installed with npm into bench/ajv/node_modules when
# missing) checks the same schemas, composed as bench/ajv/validate.js says,
# and writes the valid lines; validate does what the dictionary says with
# each violation. Before timing, both run once and must agree on how many
# events are valid (ajv's valid lines, validate's events without a
# violation).
#
#   build/bin/validate FILE > /dev/null
#   node bench/ajv/validate.js analytics/dictionary.json FILE > /dev/null
#
# Reports the median wall and CPU time of RUNS runs each (taking turns,
# pinned to CPU 0 when taskset can), records/s, MB/s beside cat's on the
# same file (lib.sh's limit_cells), and the ratio of
# validate's records/s to ajv's (the project's target: >= 2x). Writes
# bench/out/validate.md; never fails on the numbers.
#
#   bench/validate.sh [--rows N] [--runs N]
set -eu

rows=1000000
runs=3
usage_text="usage: bench/validate.sh [--rows N] [--runs N]
  --rows N   events generated (default 1000000, at least 100)
  --runs N   timed runs of each command (default 3, at least 3)"

cd "$(dirname "$0")/.."
# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_options "$@"
data=bench/data
out=bench/out
bin=build/bin
dict=analytics/dictionary.json
events=$data/events-$rows.ndjson

[ -x "$bin/validate" ] || die "no $bin/validate: run make first"
command -v node >/dev/null 2>&1 || die "node is not installed (nodejs)"
command -v npm >/dev/null 2>&1 || die "npm is not installed"
if [ ! -f bench/ajv/node_modules/ajv/package.json ] ||
    [ ! -f bench/ajv/node_modules/ajv-formats/package.json ]; then
	echo "bench: installing ajv into bench/ajv/node_modules" >&2
	(cd bench/ajv && npm install --no-audit --no-fund --no-package-lock \
	    --silent) || die "npm install failed"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$data" "$out"
pin_cpu0

ensure_events "$events" "$rows" --bad-share 0.02 --bad-kinds all
records=$(wc -l <"$events")
bytes=$(wc -c <"$events")

# Correctness first: the same events valid on both sides.
"$bin/validate" --dictionary "$dict" "$events" >/dev/null 2>"$tmp/ours.err" ||
	[ $? -eq 1 ] || die "validate failed: $(tail -n 3 "$tmp/ours.err")"
node bench/ajv/validate.js "$dict" "$events" >/dev/null 2>"$tmp/ajv.err" ||
	die "ajv failed: $(tail -n 3 "$tmp/ajv.err")"
# validate's events with a violation: "blocked=N omitted=N flagged=N".
ours_bad=$(sed -n 's/^validate: blocked=\([0-9]*\) omitted=\([0-9]*\) flagged=\([0-9]*\) .*/\1 \2 \3/p' \
    "$tmp/ours.err" | awk '{ print $1 + $2 + $3 }')
ours_valid=$((records - ours_bad))
ajv_valid=$(sed -n 's/^ajv: in=[0-9]* valid=\([0-9]*\) .*/\1/p' "$tmp/ajv.err")
[ "$ours_valid" = "$ajv_valid" ] ||
	die "validate finds $ours_valid valid events, ajv $ajv_valid"

# measure TAG: one timed run (lib.sh). validate exits 1 when it blocked
# events, which is no failure here: a wrapper makes that 0.
cat >"$tmp/validate.sh" <<EOS
#!/bin/sh
"$PWD/$bin/validate" --dictionary "$PWD/$dict" "\$1" || [ \$? -eq 1 ]
EOS
chmod +x "$tmp/validate.sh"
measure() {
	case $1 in
	validate) timed validate "$tmp/validate.sh" "$events" ;;
	ajv) timed ajv node bench/ajv/validate.js "$dict" "$events" ;;
	esac
}
rounds validate validate ajv

row() { # tag label
	stats "$1" | awk -v tool="$2" -v records="$records" '{
		percpu = $4 > 0 ? sprintf("%.0f", records / $4) : "n/a"
		printf "| %s | %.3f | %.3f-%.3f | %.0f | %.2f | %s | %.1f |",
		    tool, $1, $2, $3, records / $1, $4, percpu, $5 }'
	limit_cells "$1" "$events"
	echo
}

{
	echo "# validate against ajv"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(machine)"
	echo "- runs: $runs of each command, taking turns, $pin_note; output to /dev/null"
	echo "- input: $events, $records events, $bytes bytes (analytics/traffic.py --events $rows --seed 1 --bad-share 0.02 --bad-kinds all: 2% break a rule)"
	echo "- dictionary: $dict"
	echo "- versions: $("$bin/validate" --version); node $(node --version);" \
	    "ajv $(node -p 'require("./bench/ajv/node_modules/ajv/package.json").version')," \
	    "ajv-formats $(node -p 'require("./bench/ajv/node_modules/ajv-formats/package.json").version')"
	echo "- both agree: $ours_valid valid events of $records"
	echo
	echo "| command | median wall (s) | min-max (s) | records/s | median CPU (s) | records/CPU s | peak RSS (MiB) |$(limit_head)"
	echo "|---|---:|---:|---:|---:|---:|---:|$(limit_rule)"
	row validate "validate FILE"
	row ajv "node bench/ajv/validate.js (ajv)"
	echo
	echo "- **validate / ajv, records/s: $(ratio validate ajv)** (project target: >= 2x)"
	echo "- the same by CPU time (user + system), which another load on the machine disturbs less: $(ratio validate ajv cpu)"
} >"$tmp/report.md"
cp "$tmp/report.md" "$out/validate.md"
cat "$tmp/report.md"
