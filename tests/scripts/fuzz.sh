#!/bin/sh
# Every fuzz target (tests/fuzz/) for a few seconds, once: on the plain
# build's run of the suite only, since the targets are their own sanitized
# build. make fuzz runs them longer.
set -u
case $BIN in
*build-san*)
	echo "skip - fuzz targets: run once, with the plain build's tests"
	exit 0
	;;
esac
if ! command -v clang >/dev/null 2>&1; then
	echo "skip - fuzz targets: clang is not installed"
	exit 0
fi
if ! make -C "$ROOT" --no-print-directory -s fuzz-build >"$TMPDIR/fuzz-build.log" 2>&1; then
	echo "not ok - fuzz targets build"
	tail -n 20 "$TMPDIR/fuzz-build.log" >&2
	exit 0
fi
sh "$ROOT/tests/fuzz/run.sh" "${SLUICE_FUZZ_TIME:-5}"
exit 0
