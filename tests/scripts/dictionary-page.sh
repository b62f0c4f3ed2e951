#!/bin/sh
# analytics/DICTIONARY.md is what `make dictionary` renders now (validate
# --markdown of analytics/dictionary.json): a dictionary changed without
# its page fails here. And the page of a refused dictionary is no page:
# exit 65, the refusal at its line and column.
set -u
page=$ROOT/analytics/DICTIONARY.md
"$BIN/validate" --dictionary "$ROOT/analytics/dictionary.json" --markdown \
    >"$TMPDIR/page.md" 2>"$TMPDIR/page.err"
status=$?
if [ "$status" = 0 ] && cmp -s "$page" "$TMPDIR/page.md"; then
	echo "ok - analytics/DICTIONARY.md is what make dictionary renders"
else
	echo "not ok - analytics/DICTIONARY.md is what make dictionary renders" \
	    "(run make dictionary; exit $status)"
	diff -u "$page" "$TMPDIR/page.md" | head -n 20 >&2
	cat "$TMPDIR/page.err" >&2
fi

sed 's/"type": "string", "format": "uuid"/"type": "string", "format": "guid"/' \
    "$ROOT/analytics/dictionary.json" >"$TMPDIR/bad-dictionary.json"
line=$(grep -n '"guid"' "$TMPDIR/bad-dictionary.json" | cut -d: -f1)
col=$(grep '"guid"' "$TMPDIR/bad-dictionary.json" |
    awk '{ print index($0, "\"format\"") }')
"$BIN/validate" --dictionary "$TMPDIR/bad-dictionary.json" --markdown \
    >"$TMPDIR/bad.md" 2>"$TMPDIR/bad.err"
status=$?
want="validate: $TMPDIR/bad-dictionary.json:$line:$col: metadata.properties.event_id.schema.format:"
if [ "$status" = 65 ] && [ ! -s "$TMPDIR/bad.md" ] &&
    grep -qF "$want" "$TMPDIR/bad.err"; then
	echo "ok - a refused dictionary renders no page: 65, at $line:$col"
else
	echo "not ok - a refused dictionary renders no page: 65, at $line:$col" \
	    "(exit $status)"
	cat "$TMPDIR/bad.err" >&2
fi
