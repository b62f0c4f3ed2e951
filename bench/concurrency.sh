#!/bin/sh
# bench/concurrency.sh: --concurrency auto against fixed levels, on a
# service that takes at most CAP requests at once: the Rogue/Northstar
# emulator with --latency-ms 50 and --max-inflight CAP (a request over the
# cap is answered 429 with Retry-After: 1 at once). post-rogue (every
# record a new post: a POST each, and batched lookups) and post-northstar
# (every record a new member: a lookup by e-mail, then a create), each at
# every level and with auto.
#
# For each run: records/s by wall time; the share of requests answered 429
# over the whole run and once settled (the requests that arrived after the
# first SETTLE seconds); with auto, the limit it settled at (its summary
# line). Targets: auto within 10% of the best fixed level's records/s, and
# at most 1% of requests answered 429 once settled. One run each: numbers,
# never a test; it never fails on numbers. The report goes to stdout and to
# bench/out/concurrency.md.
#
# Usage, from the repository root after make:
#   bench/concurrency.sh [--records N] [--cap C] [--latency MS]
#       [--levels "4 8 16 24 32 64"] [--settle S] [--stages "post-rogue
#       post-northstar"]
set -eu

records=6000
cap=24
latency=50
levels="4 8 16 24 32 64"
settle=3
stages="post-rogue post-northstar"
while [ $# -gt 0 ]; do
	case $1 in
	--records) records=$2; shift 2 ;;
	--cap) cap=$2; shift 2 ;;
	--latency) latency=$2; shift 2 ;;
	--levels) levels=$2; shift 2 ;;
	--settle) settle=$2; shift 2 ;;
	--stages) stages=$2; shift 2 ;;
	-h|--help) sed -n '2,21p' "$0"; exit 0 ;;
	*) echo "usage: bench/concurrency.sh [--records N] [--cap C] [--latency MS] [--levels L] [--settle S] [--stages S]" >&2; exit 64 ;;
	esac
done

cd "$(dirname "$0")/.."
ROOT=$PWD
export ROOT
[ -x build/bin/post-rogue ] || { echo "bench: run make first" >&2; exit 1; }
. tests/servers/lib.sh
tmp=$(mktemp -d)
trap 'emulator_stop; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p bench/out

python3 - "$records" "$tmp" <<'EOF'
import json, sys
n, tmp = int(sys.argv[1]), sys.argv[2]
def line(o):
    return json.dumps(o, separators=(",", ":")) + "\n"
with open(tmp + "/post-rogue.ndjson", "w") as f:
    f.writelines(line({"northstar_id": "%024x" % (i + 1), "action_id": 954,
                       "type": "voter-reg", "status": "confirmed",
                       "source": "turbovote", "details": {"i": str(i)}})
                 for i in range(n))
with open(tmp + "/post-northstar.ndjson", "w") as f:
    f.writelines(line({"user": {"email": "bench%d@example.com" % i,
                                "first_name": "Bench",
                                "voter_registration_status":
                                    "registration_complete"},
                       "source": "turbovote"})
                 for i in range(n))
EOF

# share LOG T0 SETTLE: "all% settled%" of requests answered 429, from the
# emulator's request log (T0: when the stage started, epoch seconds).
share() {
	python3 - "$1" "$2" "$3" <<'EOF'
import json, sys
log, t0, settle = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
n = r = sn = sr = 0
with open(log) as f:
    for line in f:
        rec = json.loads(line)
        refused = rec.get("status") == 429
        n += 1
        r += refused
        if rec["t"] >= t0 + settle:
            sn += 1
            sr += refused
print("%.2f %.2f %d" % (100.0 * r / max(n, 1), 100.0 * sr / max(sn, 1), n))
EOF
}

secret=bench-secret
report=bench/out/concurrency.md
{
	echo "# --concurrency auto against fixed levels"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "- emulator: $latency ms per answer, at most $cap requests at once (--max-inflight; over it: 429, Retry-After: 1); $records records a run"
	echo "- settled: requests arriving after the first $settle s of a run"
	echo "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo
	echo "| stage | concurrency | wall (s) | records/s | vs best fixed | requests | 429s | 429s once settled | settled at |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
} >"$report"

for s in $stages; do
	: >"$tmp/rows"
	for c in $levels auto; do
		# A fresh emulator for each run: every run starts empty.
		emulator_start "$tmp/emu-$s-$c" --latency-ms "$latency" \
		    --max-inflight "$cap" --retry-after 1 \
		    --client-secret "$secret" >/dev/null
		t0=$(date +%s.%N)
		ROGUE_URL=$EMU_URL NORTHSTAR_URL=$EMU_URL \
		    NORTHSTAR_CLIENT_ID=sluice-test NORTHSTAR_CLIENT_SECRET=$secret \
		    SLUICE_PROGRESS=0 "build/bin/$s" --vendor turbovote \
		    --concurrency "$c" "$tmp/$s.ndjson" >/dev/null 2>"$tmp/err" ||
			{ echo "bench: $s failed:" >&2; cat "$tmp/err" >&2; exit 1; }
		t1=$(date +%s.%N)
		emulator_stop
		set -- $(share "$EMU_LOG" "$t0" "$settle")
		at=$(sed -n 's/.*concurrency auto: settled at \([0-9]*\) in flight (\([0-9.]*\) on average.*/\1 (mean \2)/p' "$tmp/err")
		echo "$s $c $t0 $t1 $1 $2 $3 ${at:--}" >>"$tmp/rows"
		echo "bench: $s concurrency $c done" >&2
	done
	awk -v n="$records" '
	{ st[NR] = $1; c[NR] = $2; wall[NR] = $4 - $3; a[NR] = $5; sa[NR] = $6
	  req[NR] = $7; at[NR] = $8; for (i = 9; i <= NF; i++) at[NR] = at[NR] " " $i
	  rate[NR] = n / wall[NR]
	  if ($2 != "auto" && rate[NR] > best) best = rate[NR] }
	END { for (i = 1; i <= NR; i++)
		printf "| %s | %s | %.2f | %.0f | %.2f | %d | %.2f%% | %.2f%% | %s |\n",
		    st[i], c[i], wall[i], rate[i], rate[i] / best, req[i],
		    a[i], sa[i], at[i] }' "$tmp/rows" >>"$report"
done
cat "$report"
