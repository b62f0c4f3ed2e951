"""Writes N event records for bench/attribution.sh: page views (three in
four with a UTM source or a referrer) and sign-ups (one in twenty) of
PERSONS persons over time, a tenth of a second apart on average, each
person's page views anonymous until they sign up.

    python3 bench/attribution-events.py N PERSONS > events.ndjson
"""
import json
import random
import sys

n, persons = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(1)
t = 1793491200000  # 2026-11-01
out = sys.stdout
for i in range(n):
    t += rng.randrange(200)
    p = rng.randrange(persons)
    secs, ms = divmod(t, 1000)
    days, rem = divmod(secs - 1793491200, 86400)
    stamp = "2026-11-%02dT%02d:%02d:%02d.%03dZ" % (
        1 + days % 30, rem // 3600, rem // 60 % 60, rem % 60, ms)
    if rng.random() < 0.05:
        ev = {"event": "signup", "event_id": "e%d" % i, "time": stamp,
              "member_id": "m%d" % p, "anonymous_id": "fp-%d" % p,
              "session_id": "s%d" % p, "properties": {"method": "web"}}
    else:
        ev = {"event": "pageview", "event_id": "e%d" % i, "time": stamp,
              "member_id": None, "anonymous_id": "fp-%d" % p,
              "session_id": "s%d" % p, "url": "https://www.example.org/p",
              "referrer": rng.choice(["https://google.com/", "",
                                      "https://www.example.org/"]),
              "utm_source": rng.choice(["facebook", None, None, "email"]),
              "utm_medium": "cpc", "utm_campaign": rng.choice(["fall", ""]),
              "properties": {"path": "/p"}}
    out.write(json.dumps(ev, separators=(",", ":")) + "\n")
