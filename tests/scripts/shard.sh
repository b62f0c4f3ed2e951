#!/bin/sh
# A TurboVote import split four ways by member under GNU parallel against
# the emulator, one worker killed, then again: the members and posts of one
# worker's run; see shard.py.
# once: the plain build
set -u
exec python3 "$ROOT/tests/scripts/shard.py" "$BIN" "$ROOT" "$TMPDIR"
