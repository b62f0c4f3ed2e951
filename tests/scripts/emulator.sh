#!/bin/sh
# The Rogue/Northstar emulator (tests/servers/emulator.py) keeps its
# contract: every endpoint, validation rule and fault, the request log and
# keep-alive (tests/servers/test_emulator.py); and tests/servers/lib.sh
# starts, finds and stops it, and never signals a pid the emulator left.
# once: the plain build
set -u
if ! command -v python3 >/dev/null 2>&1; then
	echo "skip - the emulator: python3 not installed"
	exit 0
fi
python3 "$ROOT/tests/servers/test_emulator.py"
status=$?

. "$ROOT/tests/servers/lib.sh"
trap 'emulator_stop' EXIT INT TERM
if emulator_start "$TMPDIR/emulator-lib" --seed 1 &&
    python3 -c '
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/_emulator/state") as r:
    sys.exit(0 if json.load(r)["users"] == [] else 1)' "$EMU_URL"; then
	echo "ok - emulator: lib.sh emulator_start sets EMU_URL ($EMU_URL)"
else
	echo "not ok - emulator: lib.sh emulator_start"
fi
pid=$EMU_PID
emulator_stop
if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && [ -z "$EMU_PID" ] &&
    [ -f "$EMU_LOG" ]; then
	echo "ok - emulator: lib.sh emulator_stop stops it"
else
	echo "not ok - emulator: lib.sh emulator_stop stops it"
fi
# An emulator that ended early, its pid since given to another process
# (here a sleep stands in, as pids wrap within a run): emulator_stop
# signals nobody.
if emulator_start "$TMPDIR/emulator-lib" --seed 1; then
	kill -9 "$EMU_PID"
	wait "$EMU_PID" 2>/dev/null
	# Not a child of this shell (emulator_stop's wait would wait for it).
	other=$(sleep 30 >/dev/null 2>&1 & echo $!)
	EMU_PID=$other
	emulator_stop
	# (Running, not a zombie: an orphan that ended is not reaped here.)
	if kill -0 "$other" 2>/dev/null &&
	    ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$other/stat" 2>/dev/null; then
		echo "ok - emulator: lib.sh emulator_stop signals no pid the emulator left"
	else
		echo "not ok - emulator: lib.sh emulator_stop signals no pid the emulator left"
	fi
	kill "$other" 2>/dev/null
else
	echo "not ok - emulator: lib.sh emulator_start, again"
fi
exit $status
