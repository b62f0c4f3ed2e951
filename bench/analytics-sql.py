"""bench/analytics-sql.sh's work: a random event stream of PERSONS persons
(tests/scripts/analytics_warehouse.py's, seed 7, 120 days) into a
ClickHouse server at URL through post-quasar, then the wall time of
`attribute | rollup | rollup --merge` and of a full read of each
analytics_* view, and whether analytics_rollup equals the stages' totals.
Prints a Markdown table; numbers only, never a failure."""

import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("ROOT", ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests", "scripts"))
import analytics_warehouse as aw  # noqa: E402

url, persons, data = sys.argv[1], int(sys.argv[2]), sys.argv[3]
BIN = os.path.join(ROOT, "build", "bin")
aw.load_sql(url, "events.sql", "rollup.sql", "costs.sql", "analytics.sql")
stream = aw.gen_stream(7, persons=persons, days=120)
path = os.path.join(data, "analytics-sql-%d.ndjson" % persons)
with open(path, "w") as f:
    f.write("".join(json.dumps(r) + "\n" for r in stream))
rows = []
t0 = time.time()
subprocess.run([os.path.join(BIN, "post-quasar"), "--table", "events",
                "--layout", "events", "--url", url, "--sink", path],
               check=True, stderr=subprocess.DEVNULL)
rows.append(("post-quasar --table events", len(stream), time.time() - t0))
t0 = time.time()
out = subprocess.run("'%s/attribute' '%s' | '%s/rollup' | '%s/rollup' --merge"
                     % (BIN, path, BIN, BIN), shell=True, check=True,
                     capture_output=True).stdout.decode()
rows.append(("attribute | rollup | rollup --merge", len(stream),
             time.time() - t0))
want = {}
for line in out.splitlines():
    r = json.loads(line)
    want[(r["model"], r["bucket"], r["source"], r["campaign"])] = \
        tuple(r[c] for c in aw.COUNTS)
for v in ("analytics_persons", "analytics_touches", "analytics_conversions",
          "analytics_pages_after", "analytics_rollup"):
    t0 = time.time()
    got = aw.select(url, "SELECT * FROM " + v)
    rows.append(("SELECT * FROM " + v, len(got), time.time() - t0))
got = {(r["model"], r["bucket"], r["source"], r["campaign"]):
       tuple(r[c] for c in aw.COUNTS) for r in got}
print("# analytics_* views on %d events (%d persons)\n" % (len(stream),
                                                           persons))
print("| what | rows | seconds |\n|---|---|---|")
for name, n, s in rows:
    print("| `%s` | %d | %.2f |" % (name.replace("|", "\\|"), n, s))
print("\nanalytics_rollup = the stages' totals: %s (%d rows)"
      % ("yes" if got == want else "NO", len(want)))
