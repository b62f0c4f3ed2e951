"""analytics/traffic.py keeps its promises: the same seed gives the same
bytes; the events are in time order (and out of it by at most --jitter);
validate blocks exactly the deliberate bad ones and omits the long
referrers, nothing else; the traffic holds what its top comment lists
(sessions cut at 30 minutes, fingerprints that become members, trials
converted later, returning members, unsubscribes, every kind of source);
the costs CSV has one row per day and ad, each ad's clicks that day. Run
by traffic.sh; prints ok / not ok lines."""

import collections
import datetime
import json
import os
import re
import subprocess
import sys

ROOT = os.environ["ROOT"]
BIN = os.environ["BIN"]
TMP = os.environ["TMPDIR"]
GEN = os.path.join(ROOT, "analytics", "traffic.py")
DICT = os.path.join(ROOT, "analytics", "dictionary.json")
failures = 0


def check(ok, what, detail=""):
    global failures
    print("%s - traffic.py: %s" % ("ok" if ok else "not ok", what))
    if not ok:
        failures += 1
        if detail:
            sys.stderr.write(str(detail)[:2000] + "\n")
    return ok


def gen(*args):
    r = subprocess.run([sys.executable, GEN] + list(args),
                       capture_output=True)
    return r.returncode, r.stdout, r.stderr.decode()


def ms(s):
    d = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return int(round(d.timestamp() * 1000))


def counts(err, word):
    """The NAME=N pairs of the stderr line's part after word=."""
    m = re.search(word + r"=\d+ \(([^)]*)\)", err)
    return dict((k, int(v)) for k, v in
                (kv.split("=") for kv in m.group(1).split())) if m else {}


costs_a = os.path.join(TMP, "costs-a.csv")
costs_b = os.path.join(TMP, "costs-b.csv")
st, a, err = gen("--seed", "5", "--days", "4", "--costs", costs_a)
st2, b, _ = gen("--seed", "5", "--days", "4", "--costs", costs_b)
_, c, _ = gen("--seed", "6", "--days", "4")
check(st == 0 and st2 == 0 and a == b and
      open(costs_a).read() == open(costs_b).read() and a != c,
      "the same seed gives the same events and costs, another seed others",
      err)
events = [json.loads(x) for x in a.decode().splitlines()]
check(len(events) > 3000, "four days make thousands of events (%d)"
      % len(events))

times = [ms(e["time"]) for e in events]
check(all(x <= y for x, y in zip(times, times[1:])),
      "the events are in time order")
_, j, _ = gen("--seed", "5", "--days", "4", "--jitter", "3")
jt = [ms(json.loads(x)["time"]) for x in j.decode().splitlines()]
late = max(max(jt[:i + 1]) - t for i, t in enumerate(jt)) if jt else 0
check(sorted(jt) == sorted(times) and jt != times and late <= 3000,
      "--jitter 3: the same events, some out of order, by 3 s at most "
      "(%d ms)" % late)
check(any("-05:00" in e["time"] for e in events) and
      any(re.search(r":\d\dZ$", e["time"]) for e in events),
      "some times have an offset, some no fraction")

# validate blocks the deliberate bad ones and nothing else.
bad = counts(err, "bad")
src = os.path.join(TMP, "traffic.ndjson")
with open(src, "wb") as f:
    f.write(a)
r = subprocess.run([os.path.join(BIN, "validate"), "--dictionary", DICT,
                    "--rejects", os.path.join(TMP, "blocked.ndjson"), src],
                   capture_output=True)
out = [json.loads(x) for x in r.stdout.decode().splitlines()]
verr = r.stderr.decode()
m = re.search(r"blocked=(\d+) omitted=(\d+) flagged=(\d+)", verr)
blocked, omitted, flagged = (int(x) for x in m.groups()) if m else (-1,) * 3
check(r.returncode == 1 and
      blocked == bad.get("enum", 0) + bad.get("required", 0) and
      omitted == bad.get("long-referrer", 0) and flagged == 0 and
      len(out) == len(events) - blocked and
      min(bad.get(k, 0) for k in ("enum", "required", "long-referrer")) > 0,
      "validate blocks the bad enums and missing properties, omits the "
      "long referrers, and finds nothing else (%s; %s)" % (bad, m and
                                                          m.group(0)), verr)
kinds = set(re.findall(r"violations: \S+ \S+ (\S+) ", verr))
check(kinds == {"enum", "required", "maxLength"},
      "the violations are of three rules: enum, required, maxLength", kinds)

# What the traffic holds.
by_kind = collections.Counter(e["event"] for e in events)
check(all(by_kind[k] > 0 for k in ("pageview", "signup", "trial",
                                   "unsubscribe")),
      "page views, sign-ups, trials and unsubscribes (%s)" % dict(by_kind))
signups = [e for e in events if e["event"] == "signup"]
check(all(re.fullmatch(r"[0-9a-f]{24}", e["member_id"] or "") and
          e["anonymous_id"] for e in signups) and
      len({e["member_id"] for e in signups}) == len(signups),
      "each sign-up makes a new member id (24 hex) and carries its "
      "fingerprint")
trial_anon = {e["anonymous_id"]: ms(e["time"]) for e in events
              if e["event"] == "trial"}
converted = [e for e in signups if e["properties"].get("from_trial") is True]
check(converted and all(e["anonymous_id"] in trial_anon and
                        ms(e["time"]) - trial_anon[e["anonymous_id"]] >
                        3600000 for e in converted),
      "trials converted later: from_trial sign-ups follow a trial of the "
      "same fingerprint, hours or days after (%d)" % len(converted))
first_signup = {e["member_id"]: ms(e["time"]) for e in reversed(signups)}
returning = {e["member_id"] for e in events if e["member_id"] and
             e["member_id"] not in first_signup}
after = [e for e in events if e["event"] == "pageview" and e["member_id"]
         and e["member_id"] in first_signup and
         ms(e["time"]) > first_signup[e["member_id"]]]
check(len(returning) > 20 and after,
      "returning members (%d), and new members' pages after their sign-up "
      "(%d)" % (len(returning), len(after)))
check(all(e["member_id"] in returning for e in events
          if e["event"] == "unsubscribe"),
      "unsubscribes come from members")
# Sessions: a person's pages a session apart are 30 minutes apart or more.
last = {}
short_gap = same_long = 0
for e in events:
    who = e["anonymous_id"]
    if who in last:
        t, s = last[who]
        gap = ms(e["time"]) - t
        if s != e["session_id"] and gap < 30 * 60000:
            short_gap += 1
        if s == e["session_id"] and gap >= 30 * 60000:
            same_long += 1
    last[who] = (ms(e["time"]), e["session_id"])
sessions = collections.Counter(e["session_id"] for e in events)
check(short_gap == 0 and same_long == 0 and
      sum(1 for n in sessions.values() if n > 1) > 100,
      "sessions: a new one only after 30 minutes, none longer "
      "(%d new too soon, %d too long)" % (short_gap, same_long))
persons = collections.Counter(e["anonymous_id"] for e in events)
sess_per = collections.defaultdict(set)
for e in events:
    sess_per[e["anonymous_id"]].add(e["session_id"])
check(sum(1 for s in sess_per.values() if len(s) > 1) > 100,
      "visitors come back: more than 100 with several sessions")


def host(u):
    m = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://([^/?#:@]*)", u or "")
    return m.group(1).lower() if m else ""


pages = [e for e in events if e["event"] == "pageview"]
utm = {(e["utm_source"], e["utm_medium"]) for e in pages if e["utm_source"]}
refs = {host(e["referrer"]) for e in pages if not e["utm_source"] and
        e["referrer"] and host(e["referrer"]) != host(e["url"])}
direct = [e for e in pages if not e["utm_source"] and not e["referrer"]]
internal = [e for e in pages if host(e["referrer"]) == "www.example.org"]
check({m for _, m in utm} >= {"cpc", "paid_social", "email"} and
      len({s for s, _ in utm}) >= 5 and len(refs) >= 5 and direct and
      internal,
      "ads and mailings with UTM (%d sources), %d referring hosts, direct "
      "visits, the site's own pages as referrers" % (len(utm), len(refs)))
check(all(("utm_source=%s" % e["utm_source"]) in e["url"] for e in pages
          if e["utm_source"]),
      "a landing page's URL carries its UTM parameters")

# The costs: one row per day and ad; each ad's landing clicks that day.
rows = open(costs_a).read().splitlines()
header, rows = rows[0], [r.split(",") for r in rows[1:]]
clicks = collections.Counter(
    (e["time"][:10] if e["time"].endswith("Z") else
     datetime.datetime.fromtimestamp(ms(e["time"]) / 1000,
                                     datetime.timezone.utc)
     .strftime("%Y-%m-%d"), e["utm_source"], e["utm_campaign"])
    for e in pages if e["utm_medium"] in ("cpc", "paid_social"))
keys = {(d, s, c) for d, s, c, _ in rows}
check(header == "bucket,source,campaign,cost" and keys == set(clicks) and
      len(keys) == len(rows) and all(float(x[3]) > 0 for x in rows),
      "the costs CSV: one row per day and ad, exactly the ads that had "
      "clicks that day (%d rows)" % len(rows),
      sorted(keys ^ set(clicks))[:5])
cpc = collections.defaultdict(lambda: [0.0, 0])
for d, s, c, v in rows:
    cpc[(s, c)][0] += float(v)
    cpc[(s, c)][1] += clicks[(d, s, c)]
prices = sorted(round(v / n, 2) for v, n in cpc.values())
check(len(prices) >= 4 and prices[-1] > 2 * prices[0],
      "the ads cost different prices per click (%s)" % prices)

# --events N: exactly N, in time order, the same bytes again; not with
# --scale or --costs.
st, a, err = gen("--seed", "3", "--events", "1234")
_, b, _ = gen("--seed", "3", "--events", "1234")
lines = a.decode().splitlines()
t = [ms(json.loads(x)["time"]) for x in lines]
check(st == 0 and len(lines) == 1234 and a == b and
      all(x <= y for x, y in zip(t, t[1:])) and "scale=" in err,
      "--events 1234: 1234 events in time order, the same bytes again (%d)"
      % len(lines), err)
st, big, _ = gen("--seed", "3", "--events", "30000", "--days", "2")
check(st == 0 and len(big.splitlines()) == 30000,
      "--events 30000 --days 2: 30000 events, the scale raised to make them")
st1, _, err1 = gen("--events", "10", "--scale", "2")
st2, _, err2 = gen("--events", "10", "--costs", costs_b)
check(st1 == 64 and st2 == 64 and "--events" in err1 + err2,
      "--events with --scale or --costs: a usage error", err1 + err2)

# --bad-kinds all: every kind made, each the violation it promises.
st, a, err = gen("--seed", "4", "--events", "4000", "--bad-share", "0.05",
                 "--bad-kinds", "all")
bad = counts(err, "bad")
src = os.path.join(TMP, "kinds.ndjson")
rej = os.path.join(TMP, "kinds-rejects.ndjson")
with open(src, "wb") as f:
    f.write(a)
r = subprocess.run([os.path.join(BIN, "validate"), "--dictionary", DICT,
                    "--rejects", rej, src], capture_output=True)
rules = collections.Counter()
for x in r.stdout.decode().splitlines():
    for v in json.loads(x).get("_meta", {}).get("violations", []):
        rules[(v["rule"], v["action"])] += 1
for x in open(rej).read().splitlines():
    for v in json.loads(x)["record"]["_meta"]["violations"]:
        rules[(v["rule"], v["action"])] += 1
want = {"enum": ("enum", "block"), "required": ("required", "block"),
        "long-referrer": ("maxLength", "omit"), "time": ("format", "block"),
        "type": ("type", "flag"),
        "unknown-property": ("additionalProperties", "block"),
        "unknown-event": ("unknown_event", "block")}
check(st == 0 and set(bad) == set(want) and
      all(rules[want[k]] == n for k, n in bad.items()) and
      sum(rules.values()) == sum(bad.values()),
      "--bad-kinds all: seven kinds, each found by validate as its rule "
      "and action, nothing else (%s; %s)" % (bad, dict(rules)), err)
st, a, err = gen("--seed", "4", "--events", "2000", "--bad-share", "0.05",
                 "--bad-kinds", "time,type")
check(st == 0 and set(counts(err, "bad")) == {"time", "type"},
      "--bad-kinds time,type: those two kinds alone", err)
st, _, err = gen("--bad-kinds", "enum,nope")
check(st == 64 and "nope" in err, "--bad-kinds with an unknown kind: a "
      "usage error", err)

# --visitors N: at most N fingerprints besides the members' and leads'.
st, a, err = gen("--seed", "2", "--events", "20000", "--visitors", "500")
_, free, _ = gen("--seed", "2", "--events", "20000")
scale = float(re.search(r"scale=(\S+)", err).group(1))
lists = int(400 * scale) + int(300 * scale)
capped = [json.loads(x) for x in a.decode().splitlines()]
fps = {e["anonymous_id"] for e in capped}
free_fps = {json.loads(x)["anonymous_id"] for x in free.decode().splitlines()}
check(st == 0 and len(capped) == 20000 and len(fps) <= 500 + lists and
      len(free_fps) > 2 * (500 + lists) and
      any(e["event"] == "signup" for e in capped),
      "--visitors 500: %d fingerprints (%d members and leads), %d without "
      "the limit, sign-ups still" % (len(fps), lists, len(free_fps)), err)

st, _, err = gen("--days", "0")
check(st == 64 and "--days" in err, "a bad option: a usage error", err)
st, out, _ = gen("--help")
check(st == 0 and b"--post URL" in out and b"example" in out,
      "--help lists the options, with examples")
sys.exit(1 if failures else 0)
