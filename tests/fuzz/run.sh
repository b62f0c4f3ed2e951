#!/bin/sh
# Runs every fuzz target (build-fuzz/fuzz_*, made by make fuzz-build) for
# SECONDS seconds each, seeded from the stage tests, the vendors' samples,
# cases and vendor files, and the conformance corpora. Prints "ok - ..." or "not ok - ..." per
# target; a crash leaves its input in build-fuzz/crashes/ (make it a stage
# test). Usage: tests/fuzz/run.sh [SECONDS]   (default 60)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=${SHARED:-$(cd "$ROOT/.." && pwd)/shared}
secs=${1:-60}
out=$ROOT/build-fuzz
mkdir -p "$out/crashes"

# seeds NAME: the seed directory of a target, made afresh.
seeds() {
	d=$out/seeds-$1
	rm -rf "$d"
	mkdir -p "$d"
	case $1 in
	fuzz_csv)
		cp "$ROOT"/tests/stages/csv2ndjson/*/input "$d/" 2>/dev/null
		i=0
		for f in "$ROOT"/tests/stages/csv2ndjson/*/input \
		    "$SHARED"/conformance/csv-spectrum/csvs/*.csv; do
			[ -f "$f" ] && cp "$f" "$d/seed$i" && i=$((i + 1))
		done
		for f in "$ROOT"/vendors/*/sample.csv; do
			head -c 20000 "$f" >"$d/sample-$(basename "$(dirname "$f")")"
		done
		;;
	fuzz_ndjson)
		i=0
		for f in "$ROOT"/tests/stages/*/*/input \
		    "$ROOT"/vendors/*/cases/*/*/input; do
			case $f in */csv2ndjson/*) continue ;; esac
			split -l 1 -a 4 "$f" "$d/s$i-" 2>/dev/null
			i=$((i + 1))
		done
		for f in "$SHARED"/conformance/json-test-suite/*/y_object*.json; do
			[ -f "$f" ] && cp "$f" "$d/" && i=$((i + 1))
		done
		;;
	fuzz_referral)
		printf '%s' "user:5552aa34469c64ec7d8b715b,campaignID:8017,campaignRunID:8022,source:email,source_details:x" >"$d/a"
		printf '%s' " USER = 5552AA34469c64ec7d8b715b , Campaign=7059" >"$d/b"
		printf '%s' "user:not-an-id,campaignID:abc" >"$d/c"
		printf '%s' "user:aéééééééééééééééééééééééééé" >"$d/d"
		;;
	fuzz_map)
		i=0
		for f in "$ROOT"/vendors/*/vendor.json \
		    "$ROOT"/tests/stages/status-map/*/*.json; do
			[ -f "$f" ] && cp "$f" "$d/m$i" && i=$((i + 1))
		done
		;;
	fuzz_values)
		printf '%s' "2020-03-08 00:56:02 -0400" >"$d/a"
		printf '%s' "03/08/2020 10:00" >"$d/b"
		printf '%s' "(212) 254-2390" >"$d/c"
		printf '%s' "Yes " >"$d/d"
		printf '%s' "user:5552aa34469c64ec7d8b715b,referral=true,group_id=x" \
		    >"$d/e"
		;;
	fuzz_hookroute)
		# The received vendors' sample requests, one a seed; a form;
		# their receive sections.
		i=0
		for f in "$ROOT"/vendors/*/sample-requests.ndjson; do
			[ -f "$f" ] && split -l 1 -a 4 "$f" "$d/r$i-" && i=$((i + 1))
		done
		printf '%s' "mobile=%2B1555&id=12&at=2019-03-01+10%3A00&x" >"$d/form"
		for f in "$ROOT"/vendors/*/vendor.json; do
			jq -c '.receive // empty | if type == "array" then .[0] else . end' "$f" >"$d/route$i" 2>/dev/null
			i=$((i + 1))
		done
		;;
	fuzz_qlayout)
		# Events, times and the warehouse's statements.
		cp "$ROOT"/pipelines/sql/*.sql "$d/"
		printf '%s' "2026-11-30T07:00:00.25-05:00" >"$d/t"
		printf '%s' '{"event":"signup","event_id":"e-\"1","time":"2026-11-30T12:00:00.250Z","member_id":null,"url":5,"properties":{"a":[1]},"_meta":{"file":"j","line":3,"violations":[{}]}}' >"$d/e"
		;;
	fuzz_evtime)
		# Times as the event layer writes and meets them (UTC with
		# milliseconds, whole seconds, offsets, leap days, what is not
		# one), each with a source, a referrer and a URL; then the
		# attribute and rollup cases' events, those four of each.
		printf '%s\n' "2026-11-30T12:00:00.250Z" "facebook" \
		    "https://m.facebook.com/" \
		    "https://www.example.org/vote?utm_source=facebook" >"$d/a"
		printf '%s\n' "2026-11-30T07:00:00.25-05:00" "" \
		    "https://www.google.com/search?q=x" "https://www.example.org/" \
		    >"$d/b"
		printf '%s\n' "2026-11-02T08:31:43Z" "" "" "https://www.example.org/" \
		    >"$d/c"
		printf '%s\n' "2024-02-29t23:59:59.999+14:00" "" \
		    "HTTPS://User@Www.Example.ORG:8443/p" "https://www.example.org/p" \
		    >"$d/d"
		printf '%s\n' "0001-01-02T00:00:00-23:59" "x" "//no-scheme" "" >"$d/e"
		printf '%s\n' "2026-11-04" "" "https://search.example.net/?q=vote" \
		    "https://www.example.org/join" >"$d/f"
		printf '%s\n' "2026-13-01T25:61:61.1234Z" "" "" "" >"$d/g"
		i=0
		for f in "$ROOT"/tests/stages/attribute/*/input \
		    "$ROOT"/tests/stages/rollup/*/input; do
			[ -f "$f" ] || continue
			head -n 20 "$f" | jq -r '[.time, .utm_source, .referrer,
			    .url] | map(if type == "string" then . else "" end) |
			    join("\n")' 2>/dev/null | split -l 4 -a 4 - "$d/s$i-"
			i=$((i + 1))
		done
		;;
	fuzz_report)
		# A summary as import.sh writes one; reasons with values.
		printf '%s\n' "== shop import of /d/x.csv" "" \
		    "per stage (records in = out + dropped + rejected):" \
		    "  shape: in=5 out=3 dropped=1 (r=1) rejected=1" \
		    "delivery:" "  post-rogue: rows sent=3 spooled=0" \
		    "per final status (post status, member status, count):" \
		    "  confirmed  confirmed  3" "per post result:" "  created 3" \
		    "exit status per stage (-: not run): shape=1" \
		    "timing: started=2026-12-02T02:29:04Z seconds=2.91" \
		    "files:" "  shape rejects 1 in /d/r/shape.rejects.ndjson" \
		    "  log       /d/r/stages.log" \
		    "exit 1: finished" >"$d/summary"
		printf '%s' 'email: "jane@example.org" 385-555-0106 <b>' >"$d/a"
		printf '%s' 'no rule matches status="moved-away", x=""' >"$d/b"
		;;
	fuzz_dictionary)
		# The dictionary, a NUL byte, and the stage cases' events.
		i=0
		for f in "$ROOT"/tests/stages/validate/*/input; do
			{ cat "$ROOT/analytics/dictionary.json"; printf '\0'
			    head -n 20 "$f"; } >"$d/d$i"
			i=$((i + 1))
		done
		for f in "$ROOT"/tests/stages/validate/*/dictionary.json; do
			[ -f "$f" ] && cp "$f" "$d/d$i" && i=$((i + 1))
		done
		;;
	fuzz_quotas)
		# Each sample case's quotas file, a NUL byte, and its input.
		i=0
		for f in "$ROOT"/tests/stages/sample/*/quotas.json; do
			{ cat "$f"; printf '\0'
			    head -n 20 "$(dirname "$f")/input"; } >"$d/q$i"
			i=$((i + 1))
		done
		;;
	fuzz_mailing)
		# Each mailing's template, a NUL byte, and its mailing file.
		i=0
		for f in "$ROOT"/mailings/*/mailing.json; do
			t=$(dirname "$f")/template.json
			{ [ ! -f "$t" ] || jq -r '.Subject, .Text, .Html' "$t"
			    printf '\0'; cat "$f"; } >"$d/m$i"
			i=$((i + 1))
		done
		printf '%s' '{{#if a}}{{a}}{{/if}}{{{b}}}{{c.d}}{{ e }}{{' >"$d/t"
		;;
	fuzz_shaper)
		# A vendor file, a NUL byte, and rows of its shape cases.
		i=0
		for v in "$ROOT"/vendors/*/; do
			for f in "$v"cases/shape/*/input; do
				[ -f "$f" ] || continue
				{ cat "$v/vendor.json"; printf '\0'; head -n 20 "$f"; } \
				    >"$d/v$i"
				i=$((i + 1))
			done
		done
		;;
	fuzz_jschema)
		# Each schema of our suite files, a NUL, and its values.
		i=0
		for f in "$ROOT"/tests/jschema/*.json; do
			n=$(jq length "$f")
			k=0
			while [ "$k" -lt "$n" ]; do
				{ jq -c ".[$k].schema" "$f"; printf '\0'
				  jq -c ".[$k].tests[].data" "$f"; } >"$d/s$i"
				i=$((i + 1))
				k=$((k + 1))
			done
		done
		;;
	esac
	echo "$d"
}

status=0
for f in "$out"/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	corpus=$out/corpus-$name
	mkdir -p "$corpus"
	s=$(seeds "$name")
	if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix="$out/crashes/$name-" -print_final_stats=1 \
	    "$corpus" "$s" >"$out/$name.log" 2>&1; then
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
		    "$out/$name.log")
		echo "ok - $name: ${runs:-?} inputs in ${secs} s, no crash"
	else
		echo "not ok - $name: a crash; see $out/$name.log and $out/crashes/"
		tail -n 30 "$out/$name.log" >&2
		status=1
	fi
done
exit $status
