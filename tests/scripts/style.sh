#!/bin/sh
# The house style holds: the C sources are formatted by .clang-format
# (make format fixes them) and cppcheck finds nothing (make lint).
# once: the plain build
set -u
cd "$ROOT" || exit 1
if command -v clang-format >/dev/null 2>&1; then
	if make -s format-check >"$TMPDIR/format.out" 2>&1; then
		echo "ok - sources formatted (make format-check)"
	else
		echo "not ok - sources formatted: run make format"
		grep 'error:' "$TMPDIR/format.out" | head -n 10 >&2
	fi
else
	echo "skip - make format-check: clang-format not installed"
fi
if command -v cppcheck >/dev/null 2>&1; then
	if make -s lint >"$TMPDIR/lint.out" 2>&1; then
		echo "ok - cppcheck finds nothing (make lint)"
	else
		echo "not ok - cppcheck finds something (make lint)"
		head -n 20 "$TMPDIR/lint.out" >&2
	fi
else
	echo "skip - make lint: cppcheck not installed"
fi
