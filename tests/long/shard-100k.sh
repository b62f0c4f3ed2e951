#!/bin/sh
# The run: a 100,000-row TurboVote import in four shards against
# the emulator, one worker killed, then again: one worker's members and
# posts exactly (tests/scripts/shard.py at 100,000 rows; about ten minutes
# on two cores). make check-long runs it.
set -u
exec python3 "$ROOT/tests/scripts/shard.py" "$BIN" "$ROOT" "$TMPDIR" \
    --rows 100000
