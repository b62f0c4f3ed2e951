#!/bin/sh
# bench/rogue.sh: post-rogue's throughput against the Rogue/Northstar
# emulator with 50 ms of latency on every answer, at several concurrency
# levels, on two workloads made here:
#
#   new      every record a new post (a POST each, plus batched lookups)
#   mixed    3 records for every 2 members, statuses at random: creates,
#            upgrades (PATCH) and records that change nothing
#
# For each: records/s by wall time, and post-rogue's CPU time (user + sys)
# per record, and the input's MB/s beside cat's on the same file (the
# limit, bench/lib.sh). The old importer managed about 6 records/s; the project's
# target is at least 400/s at --concurrency 32. It never fails on numbers.
# The report goes to stdout and to bench/out/rogue.md.
#
# Usage, from the repository root after make:
#   bench/rogue.sh [--records N] [--latency MS] [--levels "1 8 32 128"]
set -eu

records=3000
latency=50
levels="1 8 32 128"
while [ $# -gt 0 ]; do
	case $1 in
	--records) records=$2; shift 2 ;;
	--latency) latency=$2; shift 2 ;;
	--levels) levels=$2; shift 2 ;;
	-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
	*) echo "usage: bench/rogue.sh [--records N] [--latency MS] [--levels L]" >&2; exit 64 ;;
	esac
done

cd "$(dirname "$0")/.."
ROOT=$PWD
export ROOT
[ -x build/bin/post-rogue ] || { echo "bench: run make first" >&2; exit 1; }
. tests/servers/lib.sh
# shellcheck source=bench/lib.sh
. bench/lib.sh
tmp=$(mktemp -d)
trap 'emulator_stop; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p bench/out

python3 - "$records" "$tmp" <<'EOF'
import json, random, sys
n, tmp = int(sys.argv[1]), sys.argv[2]
st = ["uncertain", "ineligible", "confirmed", "register-OVR", "register-form"]
r = random.Random(5)
def rec(i, member, status):
    return json.dumps({"northstar_id": "%024x" % member, "action_id": 954,
                       "type": "voter-reg", "status": status,
                       "source": "turbovote", "details": {"i": str(i)}},
                      separators=(",", ":")) + "\n"
with open(tmp + "/new.ndjson", "w") as f:
    f.writelines(rec(i, i + 1, "confirmed") for i in range(n))
with open(tmp + "/mixed.ndjson", "w") as f:
    f.writelines(rec(i, r.randrange(n * 2 // 3) + 1, r.choice(st))
                 for i in range(n))
EOF

secret=bench-secret
report=bench/out/rogue.md
{
	echo "# post-rogue against the emulator"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "- emulator latency: $latency ms per answer; $records records a run"
	echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo
	echo "| workload | concurrency | wall (s) | records/s | CPU ms/record | requests | MB/s | cat MB/s |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
} >"$report"

for w in new mixed; do
	for c in $levels; do
		# A fresh emulator for each run: every run starts empty.
		emulator_start "$tmp/emu-$w-$c" --latency-ms "$latency" \
		    --client-secret "$secret" >/dev/null
		t0=$(date +%s.%N)
		ROGUE_URL=$EMU_URL NORTHSTAR_URL=$EMU_URL \
		    NORTHSTAR_CLIENT_ID=sluice-test NORTHSTAR_CLIENT_SECRET=$secret \
		    SLUICE_PROGRESS=0 /usr/bin/time -f '%U %S' -o "$tmp/cpu" \
		    build/bin/post-rogue --vendor turbovote \
		    --concurrency "$c" "$tmp/$w.ndjson" >/dev/null 2>"$tmp/err" ||
			{ echo "bench: post-rogue failed:" >&2; cat "$tmp/err" >&2; exit 1; }
		t1=$(date +%s.%N)
		nreq=$(wc -l <"$EMU_LOG")
		emulator_stop
		awk -v w="$w" -v c="$c" -v t0="$t0" -v t1="$t1" -v n="$records" \
		    -v req="$nreq" -v b="$(wc -c <"$tmp/$w.ndjson")" \
		    -v cat="$(cat_rate "$tmp/$w.ndjson")" '{ cpu = $1 + $2 }
		    END { wall = t1 - t0;
			printf "| %s | %d | %.2f | %.0f | %.3f | %d | %.2f | %s |\n",
			    w, c, wall, n / wall, cpu * 1000 / n, req,
			    b / 1e6 / wall, cat }' \
		    "$tmp/cpu" >>"$report"
		echo "bench: rogue $w concurrency $c done" >&2
	done
done
{
	echo
	echo "MB/s: of the input, by wall time, beside cat's on the same file" \
	    "(bench/lib.sh's cat_rate): post-rogue's limit is the service's" \
	    "latency, not the bytes."
} >>"$report"
cat "$report"
