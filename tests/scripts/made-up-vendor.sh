#!/bin/sh
# Vendors added from data alone: tests/vendors/petition and callday (each a
# vendor.json, a sample and cases, for a petition platform and a call tool
# that do not exist), with not
# a word of code or test written for it. Its stage cases run with the
# others (tests/run.sh); here the cross-cutting tests run on it as they run
# on every folder of $SLUICE_VENDORS: the fast path against the jansson
# path, JSONTestSuite, the bad-input matrix, and end to end through
# pipelines/import.sh against the emulator (its cases/e2e/, its sample
# twice and under faults).
# once: the plain build
set -u
vendors=$TMPDIR/made-up-vendors
rm -rf "$vendors"
mkdir -p "$vendors"
cp -R "$ROOT/tests/vendors/petition" "$ROOT/tests/vendors/callday" "$vendors/"
export SLUICE_VENDORS=$vendors

# each NAME COMMAND...: a cross-cutting test on the made-up vendor alone,
# its lines named so; a test that breaks is a failure.
each() {
	name=$1
	shift
	"$@" --vendors-only >"$TMPDIR/made-up.out"
	rc=$?
	sed 's/^\(\(not \)\{0,1\}ok - \)/\1made-up vendor: /' "$TMPDIR/made-up.out"
	[ $rc = 0 ] || echo "not ok - made-up vendor: $name exited with $rc"
}
each fastpath.py python3 "$ROOT/tests/scripts/fastpath.py" "$BIN" "$ROOT" \
    "$SHARED" "$TMPDIR"
each ndjson-conformance.py python3 "$ROOT/tests/scripts/ndjson-conformance.py" \
    "$BIN" "$ROOT" "$SHARED" "$TMPDIR"
each bad-input.py python3 "$ROOT/tests/scripts/bad-input.py" "$BIN" "$TMPDIR"
python3 "$ROOT/tests/scripts/vendor-cases.py" "$BIN" "$ROOT" "$TMPDIR" \
    >"$TMPDIR/made-up.out"
rc=$?
sed 's/^\(\(not \)\{0,1\}ok - \)/\1made-up vendor: /' "$TMPDIR/made-up.out"
[ $rc = 0 ] || echo "not ok - made-up vendor: vendor-cases.py exited with $rc"
