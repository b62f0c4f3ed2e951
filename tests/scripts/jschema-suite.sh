#!/bin/sh
# Runs common/jschema against the official JSON Schema test suite (draft 7,
# Debian's json-schema-test-suite) and our own cases in tests/jschema/.
set -u
TOOL=$(dirname "$BIN")/tests/tools/jschema-check
if [ ! -x "$TOOL" ]; then
	echo "not ok - jschema-suite: $TOOL is missing (make units builds it)"
	exit 1
fi
SUITE=${JSCHEMA_SUITE:-/usr/share/json-schema-test-suite/tests/draft7}
if [ ! -d "$SUITE" ]; then
	echo "skip - jschema-suite: $SUITE is missing (install json-schema-test-suite)"
	exit 0
fi
mkdir -p "$TMPDIR/jschema-suite"
exec python3 "$ROOT/tests/scripts/jschema-suite.py" \
    "$TOOL" "$SUITE" "$ROOT/tests/jschema" \
    "$TMPDIR/jschema-suite"
