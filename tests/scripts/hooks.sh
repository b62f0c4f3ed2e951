#!/bin/sh
# hook-recv against clients on loopback (curl's job done by Python's
# http.client and raw sockets): every status it answers (401, 404, 405,
# 413, 415, 422, 503), duplicates by the vendor's key, Idempotency-Key and
# webhook-id, good, bad, expired and rotated signatures, a slow client, an
# idle one, 500 connections at once, SIGKILL under load from a client that
# retries (every 2xx in the journal exactly once, nothing refused), and
# the journal read by shape and pipelines/import.sh. The cases are in
# hooks.py; skipped without python3.
set -u
if ! command -v python3 >/dev/null 2>&1; then
	echo "skip - hook-recv: no python3"
	exit 0
fi
exec python3 "$ROOT/tests/scripts/hooks.py"
