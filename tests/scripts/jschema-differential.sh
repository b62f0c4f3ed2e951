#!/bin/sh
# Differential test of common/jschema against python3-jsonschema's
# Draft7Validator on random schemas of the subset and values near them.
# JSCHEMA_SEED repeats a run; JSCHEMA_SCHEMAS sets how many schemas (300).
set -u
TOOL=$(dirname "$BIN")/tests/tools/jschema-check
if [ ! -x "$TOOL" ]; then
	echo "not ok - jschema-differential: $TOOL is missing (make units builds it)"
	exit 1
fi
py=""
for cand in /usr/bin/python3 python3; do
	if "$cand" -c 'import jsonschema' 2>/dev/null; then
		py=$cand
		break
	fi
done
if [ -z "$py" ]; then
	echo "skip - jschema-differential: no python3 with jsonschema (install python3-jsonschema)"
	exit 0
fi
mkdir -p "$TMPDIR/jschema-differential"
exec "$py" "$ROOT/tests/scripts/jschema-differential.py" \
    "$TOOL" "$TMPDIR/jschema-differential" \
    "${JSCHEMA_SCHEMAS:-300}" ${JSCHEMA_SEED:+"$JSCHEMA_SEED"}
