# Shell functions for tests that need the Rogue/Northstar emulator.
# Source it from a test script (ROOT must be set, as tests/run.sh does):
#
#	. "$ROOT/tests/servers/lib.sh"
#	trap 'emulator_stop' EXIT INT TERM
#	emulator_start "$TMPDIR/emu" --fail-rate 0.2 --seed 1 || exit 1
#	... NORTHSTAR_URL=$EMU_URL ROGUE_URL=$EMU_URL some-stage ...
#	emulator_stop
#
# emulator_start DIR [OPTION...] starts tests/servers/emulator.py in the
# background on a free port, with its database (DIR/emulator.db), request
# log (DIR/requests.ndjson), stdout (DIR/emulator.out) and stderr
# (DIR/emulator.err) under DIR, waits up to 10 s until it is listening and
# sets EMU_PORT, EMU_URL (http://127.0.0.1:PORT), EMU_PID and EMU_LOG (the
# request log). The database is kept across starts on the same DIR, so a
# restarted emulator still knows its users and posts. Returns non-zero,
# with a message on stderr, when the emulator does not come up.
#
# emulator_stop stops the emulator started last (SIGTERM, then SIGKILL
# after 5 s) and waits for it; it does nothing when none is running, so it
# is safe in an EXIT trap. It signals EMU_PID only while that process is
# still the emulator on DIR's database (emulator_ours): an emulator that
# ended early was reaped by the shell, and its pid may be another's by
# the time the test stops (pids wrap at 32768 on the test machine, within
# one "make test"), such as a server of the other build's tests.

emulator_start() { # DIR [OPTION...]
	emulator_stop
	_emu_dir=$1
	shift
	mkdir -p "$_emu_dir" || return 1
	EMU_LOG=$_emu_dir/requests.ndjson
	EMU_DB=$_emu_dir/emulator.db
	rm -f "$_emu_dir/emulator.port"
	python3 "${ROOT:-.}/tests/servers/emulator.py" --port 0 \
	    --port-file "$_emu_dir/emulator.port" \
	    --db "$EMU_DB" --log "$EMU_LOG" "$@" \
	    >"$_emu_dir/emulator.out" 2>"$_emu_dir/emulator.err" </dev/null &
	EMU_PID=$!
	_emu_i=0
	# The port file is written whole (renamed into place) once the
	# emulator listens.
	while [ ! -s "$_emu_dir/emulator.port" ]; do
		if ! kill -0 "$EMU_PID" 2>/dev/null; then
			echo "emulator_start: the emulator exited:" >&2
			tail -n 5 "$_emu_dir/emulator.err" >&2
			wait "$EMU_PID" 2>/dev/null
			EMU_PID=
			return 1
		fi
		_emu_i=$((_emu_i + 1))
		if [ $_emu_i -gt 200 ]; then
			echo "emulator_start: no port after 10 s" >&2
			emulator_stop
			return 1
		fi
		sleep 0.05
	done
	EMU_PORT=$(cat "$_emu_dir/emulator.port")
	EMU_URL=http://127.0.0.1:$EMU_PORT
	export EMU_PORT EMU_URL EMU_PID EMU_LOG
	return 0
}

# True while EMU_PID is the emulator started on EMU_DB (its argv names the
# database); without /proc, while kill -0 reaches it.
emulator_ours() {
	if [ -d /proc/self ]; then
		tr '\0' '\n' 2>/dev/null <"/proc/$EMU_PID/cmdline" |
			grep -qxF -- "$EMU_DB"
	else
		kill -0 "$EMU_PID" 2>/dev/null
	fi
}

emulator_stop() {
	[ -n "${EMU_PID:-}" ] || return 0
	! emulator_ours || kill "$EMU_PID" 2>/dev/null
	_emu_i=0
	while emulator_ours; do
		_emu_i=$((_emu_i + 1))
		if [ $_emu_i -gt 100 ]; then
			! emulator_ours || kill -9 "$EMU_PID" 2>/dev/null
			break
		fi
		sleep 0.05
	done
	wait "$EMU_PID" 2>/dev/null
	EMU_PID=
	return 0
}
