#!/bin/sh
# gzchunks, the raw copies' gzip: what it writes gzip -d, Python's gzip and
# csv2ndjson read back byte for byte (no input, a few bytes, many members,
# bytes that do not compress, a file and stdin); each chunk one member;
# level 6 smaller than level 1; usage errors (64), a missing file or a
# directory (66), a full disk (74); and import.sh's raw copies made by it
# (libdeflate's header, every row there).
set -u
G=$BIN/gzchunks
T=$TMPDIR/gzchunks
mkdir -p "$T"

ok() { # condition-status description
	if [ "$1" = 0 ]; then echo "ok - gzchunks: $2"; else echo "not ok - gzchunks: $2"; fi
}

# same NAME FILE [OPTIONS]: FILE through gzchunks and back through gzip -d
# and Python's gzip, byte for byte.
same() {
	_n=$1 _f=$2
	shift 2
	"$G" "$@" "$_f" >"$T/out.gz" 2>"$T/err" &&
		gzip -dc "$T/out.gz" >"$T/back" && cmp -s "$T/back" "$_f" &&
		python3 -c 'import gzip, sys
sys.exit(gzip.open(sys.argv[1]).read() != open(sys.argv[2], "rb").read())' \
		    "$T/out.gz" "$_f" && [ ! -s "$T/err" ]
	ok $? "$_n: gzip -d and Python's gzip read the same bytes back"
}

# members FILE.gz: how many gzip members the file holds.
members() {
	python3 -c 'import sys, zlib
data, n = open(sys.argv[1], "rb").read(), 0
while data:
    d = zlib.decompressobj(31)
    d.decompress(data)
    data, n = d.unused_data, n + 1
print(n)' "$1"
}

: >"$T/empty"
same "no input" "$T/empty"
[ "$(members "$T/out.gz")" = 1 ] && [ "$(wc -c <"$T/out.gz")" -ge 18 ]
ok $? "no input: one empty gzip member"
printf 'a\n' >"$T/small"
same "two bytes" "$T/small"
python3 -c 'import sys
for i in range(20000):
    sys.stdout.write("{\"id\":%d,\"name\":\"n\\u00e9 %d\",\"ok\":true}\n" % (i, i * 7919 % 1000))' \
    >"$T/rows"
same "ndjson, one member" "$T/rows"
[ "$(members "$T/out.gz")" = 1 ]
ok $? "ndjson under the chunk size: one member"
same "ndjson in 64 KiB chunks" "$T/rows" --chunk-size 64KiB
want=$(( ($(wc -c <"$T/rows") + 65535) / 65536 ))
[ "$(members "$T/out.gz")" = "$want" ]
ok $? "ndjson in 64 KiB chunks: one member a chunk ($want)"
head -c 300000 /dev/urandom >"$T/noise"
same "bytes that do not compress" "$T/noise" -c 64k
[ "$(wc -c <"$T/out.gz")" -lt 303000 ]
ok $? "bytes that do not compress: barely larger"
"$G" <"$T/rows" >"$T/stdin.gz" && gzip -dc "$T/stdin.gz" | cmp -s - "$T/rows" &&
	"$G" - <"$T/rows" >"$T/dash.gz" && cmp -s "$T/dash.gz" "$T/stdin.gz"
ok $? "stdin, and - for it, read the same"
"$G" -l 1 "$T/rows" >"$T/l1.gz" && "$G" -l 6 "$T/rows" >"$T/l6.gz" &&
	[ "$(wc -c <"$T/l6.gz")" -lt "$(wc -c <"$T/l1.gz")" ]
ok $? "level 6 (the default) smaller than level 1"

# A stage reads the members as one stream.
"$G" -c 64k "$ROOT/vendors/turbovote/sample.csv" >"$T/sample.csv.gz"
"$BIN/csv2ndjson" --vendor turbovote "$ROOT/vendors/turbovote/sample.csv" \
    2>/dev/null | sed 's/"file":"[^"]*"//' >"$T/plain.nd"
"$BIN/csv2ndjson" --vendor turbovote "$T/sample.csv.gz" 2>/dev/null |
	sed 's/"file":"[^"]*"//' >"$T/gz.nd"
[ "$(members "$T/sample.csv.gz")" -gt 1 ] && [ -s "$T/plain.nd" ] &&
	cmp -s "$T/plain.nd" "$T/gz.nd"
ok $? "csv2ndjson reads a CSV of several members as the CSV itself"

# Errors.
for a in "-l 0" "-l 13" "-c 1k" "-c 2GiB" "-x" "a b"; do
	# shellcheck disable=SC2086 # the options are meant to split
	"$G" $a </dev/null >/dev/null 2>"$T/err"
	st=$?
	[ "$st" = 64 ] && grep -q "try 'gzchunks --help'" "$T/err"
	ok $? "usage error ($a): 64 and the synopsis"
done
"$G" --help >"$T/help" && grep -q '^Example:' "$T/help" &&
	"$G" --version | grep -q '^gzchunks (sluice)'
ok $? "--help (with an example) and --version"
"$G" "$T/missing" >/dev/null 2>"$T/err"
[ $? = 66 ] && grep -q "^gzchunks: $T/missing: cannot open" "$T/err"
ok $? "a missing file: 66, named"
"$G" "$T" >/dev/null 2>"$T/err"
[ $? = 66 ] && grep -q "is a directory" "$T/err"
ok $? "a directory: 66"
"$G" "$T/rows" >/dev/full 2>"$T/err"
[ $? = 74 ] && grep -q 'cannot write: No space left on device' "$T/err"
ok $? "a full disk: 74, the error named"

# import.sh keeps its raw copies with gzchunks: libdeflate's header (its OS
# byte 255, where gzip(1) writes 3), every row of the export there.
SLUICE_DATA=$T/data "$ROOT/pipelines/import.sh" --offline --tee-all \
    turbovote "$ROOT/vendors/turbovote/sample.csv" >/dev/null 2>"$T/import.err"
raw=$(find "$T/data/raw" -name 'csv2ndjson-*.ndjson.gz' | head -n 1)
[ -n "$raw" ] && [ "$(od -An -tu1 -j9 -N1 "$raw" | tr -d ' ')" = 255 ] &&
	gzip -dc "$raw" | sed 's/"file":"[^"]*"//' | cmp -s - "$T/plain.nd"
ok $? "import.sh's raw copy of csv2ndjson made by gzchunks, its rows whole"
