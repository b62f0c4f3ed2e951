"""make demo-analytics's script (pipelines/demo-analytics.sh) end to end:
the traffic received (the bad events refused with 422, the rest 2xx),
every event in the warehouse once, every stage balanced, the table the
same as rollup --merge of the same events run through the stages by hand,
the warehouse's views the same rows, the journal consumed, the servers
stopped, under a minute. Run by demo-analytics.sh; prints ok / not ok."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

ROOT = os.environ["ROOT"]
BIN = os.environ["BIN"]
TMP = os.environ["TMPDIR"]
DATA = os.path.join(TMP, "demo-analytics")
failures = 0


def check(ok, what, detail=""):
    global failures
    print("%s - make demo-analytics: %s" % ("ok" if ok else "not ok", what))
    if not ok:
        failures += 1
        if detail:
            sys.stderr.write(str(detail)[-3000:] + "\n")
    return ok


env = dict(os.environ, SLUICE_DATA=DATA, SLUICE_PROGRESS="0")
t0 = time.time()
# In a process group of its own: past the time limit the demo is sent
# SIGTERM (its trap stops its servers), then SIGKILL.
p = subprocess.Popen(["sh", os.path.join(ROOT, "pipelines",
                                         "demo-analytics.sh")],
                     env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                     start_new_session=True)
try:
    o, e = p.communicate(timeout=240)
except subprocess.TimeoutExpired:
    os.killpg(p.pid, signal.SIGTERM)
    try:
        o, e = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        o, e = p.communicate()
took = time.time() - t0
out, err = o.decode(), e.decode()
warehouse = "ClickHouse (the warehouse) listens on" in out
check(p.returncode == 0, "the demo ends with 0 (exit %d)" % p.returncode,
      out + err)
check(took < 60, "it takes under a minute (%.0f s)" % took)

# The traffic: each event answered, the bad ones 422.
m = re.search(r"events=(\d+) .* bad=\d+ \(enum=(\d+) long-referrer=(\d+) "
              r"required=(\d+)\) posted: 202=(\d+) 422=(\d+)$", out, re.M)
n, enum, longref, req, ok202, bad422 = (int(x) for x in m.groups()) if m \
    else (0,) * 6
check(m and ok202 + bad422 == n and bad422 == enum + req and bad422 > 0,
      "the receiver takes every event, refusing the blocked ones with 422 "
      "(%d of %d)" % (bad422, n), out)

runs = os.path.join(DATA, "runs", "analytics")
run = os.path.join(runs, sorted(os.listdir(runs))[0]) if os.path.isdir(runs) \
    else DATA
log = open(os.path.join(run, "stages.log")).read() \
    if os.path.exists(os.path.join(run, "stages.log")) else ""
# in = out + dropped + rejected; rollup's rows are made, not read: in +
# made = out + dropped + rejected.
lines = re.findall(r"^([a-z -]+): in=(\d+) (?:made=(\d+) )?out=(\d+) "
                   r"dropped=(\d+)(?: \([^)]*\))? rejected=(\d+)", log, re.M)
check(len(lines) >= 6 and all(int(i) + int(m or 0) == int(o) + int(d) +
                              int(j) for _, i, m, o, d, j in lines),
      "every stage's summary balances (%d stages)" % len(lines), log)
stage_in = {s: int(i) for s, i, _, _, _, _ in lines}
check(stage_in.get("validate") == ok202 and
      stage_in.get("attribute") == ok202 and
      stage_in.get("post-quasar-events") == (ok202 if warehouse else None),
      "the pipeline reads every event the receiver took, once (%s)"
      % stage_in)
journal = os.path.join(DATA, "journal", "events")
left = [f for f in os.listdir(journal) if not f.endswith(".open")] \
    if os.path.isdir(journal) else []
ledger = os.path.join(DATA, "state", "analytics-journal.ledger")
check(not left and os.path.exists(ledger) and os.path.getsize(ledger) == 0,
      "the journal's segments are consumed: removed, the ledger empty",
      left)

# The same events through the stages by hand: the table is theirs.
mine = os.path.join(TMP, "by-hand")
os.makedirs(mine, exist_ok=True)
ev = os.path.join(mine, "events.ndjson")
subprocess.run([sys.executable, os.path.join(ROOT, "analytics", "traffic.py"),
                "--seed", "1", "-o", ev], check=True, capture_output=True)
sh = ("'{b}/validate' '{e}' 2>/dev/null | '{b}/attribute' 2>/dev/null | "
      "'{b}/rollup' 2>/dev/null >'{m}/partials.ndjson' && "
      "'{b}/rollup' --merge --costs '{c}' '{m}/partials.ndjson' "
      "2>/dev/null >'{m}/totals.ndjson'").format(
          b=BIN, e=ev, m=mine, c=os.path.join(DATA, "costs.csv"))
subprocess.run(sh, shell=True)


def rows(path, cost=True):
    """The rows' counts (and cost), sorted, the zero rows left out."""
    keys = ["model", "bucket", "source", "campaign", "views", "signups",
            "conversions", "ttc_count", "ttc_sum_ms", "ttc_min_ms",
            "ttc_max_ms", "pages_before", "pages_after"]
    got = []
    try:
        for line in open(path):
            x = json.loads(line)
            if not any(x[k] for k in keys[4:]):
                continue
            v = [x[k] for k in keys]
            if cost:
                v.append(round(x.get("cost") or 0, 2))
            got.append(v)
    except (OSError, ValueError, KeyError) as e:
        return [str(e)]
    return sorted(got)


by_hand = rows(os.path.join(mine, "totals.ndjson"))
demo = rows(os.path.join(run, "totals.ndjson"))
check(len(by_hand) > 50 and demo == by_hand,
      "its totals are rollup --merge of the same events through validate, "
      "attribute and rollup by hand (%d rows)" % len(by_hand),
      [x for x in demo if x not in by_hand][:3] +
      [x for x in by_hand if x not in demo][:3])
table = open(os.path.join(run, "table.txt")).read() \
    if os.path.exists(os.path.join(run, "table.txt")) else ""
# The table shown is the run's table.txt, and it says what the rows say.
last = [x for x in by_hand if x[0] == "last"]
signups = sum(x[5] for x in last)
views = sum(x[4] for x in last)
cost = sum(x[13] for x in last)
total = re.search(r"^  all +(\d+) +(\d+) +(\d+) .* ([0-9.]+) +([0-9.]+)$",
                  table, re.M)
check(table and table in out and total and
      int(total.group(1)) == views and int(total.group(2)) == signups and
      abs(float(total.group(4)) - cost) < 0.02 and
      abs(float(total.group(5)) - cost / signups) < 0.01,
      "the table shown adds up to the rows: %d views, %d sign-ups, cost %.2f"
      % (views, signups, cost), table)
fb = re.search(r"^  facebook +\d+ +(\d+) ", table, re.M)
check(fb and int(fb.group(1)) == sum(x[5] for x in last
                                      if x[2] == "facebook"),
      "a source's line: facebook's sign-ups under the last click", table)
costly = re.findall(r"^  (\S+) .* ([0-9.]+) +([0-9.]+)$", table, re.M)
per = {k: float(c) for k, _, c in costly if k != "all"}
check(len(per) >= 4 and max(per.values()) > 1.5 * min(per.values()),
      "the ads' costs per sign-up differ (%s)" % per)

if warehouse:
    agree = re.findall(r"^ +(analytics_rollup\w*): the same (\d+) rows as "
                       r"rollup --merge$", out, re.M)
    if os.path.exists(os.path.join(ROOT, "pipelines", "sql",
                                   "analytics.sql")):
        check(len(agree) == 2,
              "the warehouse's views (the partials' totals, and the SQL "
              "over the events table) give the same rows", out)
    else:
        print("skip - make demo-analytics: the warehouse's views: no "
              "pipelines/sql/analytics.sql")
    events_table = out[out.find("FROM events FINAL GROUP BY event"):]
    m = re.findall(r"^│ (\w+) +│ +(\d+) │", events_table, re.M)
    check(sum(int(c) for _, c in m) == ok202,
          "the events table holds every event the receiver took, once "
          "(FINAL: %d)" % sum(int(c) for _, c in m), out)
else:
    print("skip - make demo-analytics: the warehouse: no ClickHouse")

# The servers are stopped: nothing listens on their ports any more.
ports = re.findall(r"listens on http://127\.0\.0\.1:(\d+)", out)
alive = []
for p in ports:
    s = socket.socket()
    s.settimeout(1)
    try:
        s.connect(("127.0.0.1", int(p)))
        alive.append(p)
    except OSError:
        pass
    finally:
        s.close()
check(ports and not alive, "its servers are stopped at the end (%s)"
      % ", ".join(ports), alive)
sys.exit(1 if failures else 0)
