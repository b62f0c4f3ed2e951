#!/bin/sh
# analytics/traffic.py, the event layer's traffic generator: seeded,
# in time order (and out of it by --jitter at most), valid against the
# dictionary except its deliberate bad events (validate blocks and omits
# exactly those), the traffic its top comment promises, and a costs CSV
# that matches the ads' clicks. The cases are in traffic.py.
set -u
if ! command -v python3 >/dev/null 2>&1; then
	echo "skip - traffic.py: no python3"
	exit 0
fi
exec python3 "$ROOT/tests/scripts/traffic.py"
