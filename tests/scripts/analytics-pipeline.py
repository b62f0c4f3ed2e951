"""pipelines/analytics.sh without a warehouse: its totals are rollup
--merge of the stages run by hand; a file run twice counts once; --offline
keeps nothing; the journal's segments are read, then removed; a run cut
short is taken again with the same segments and batch id, nothing more;
a stage that fails keeps the partials out and the segments in place; the
lock; usage errors. Run by analytics-pipeline.sh; prints ok / not ok."""

import json
import os
import shutil
import subprocess
import sys

ROOT = os.environ["ROOT"]
BIN = os.environ["BIN"]
TMP = os.environ["TMPDIR"]
PIPE = os.path.join(ROOT, "pipelines", "analytics.sh")
failures = 0


def check(ok, what, detail=""):
    global failures
    print("%s - analytics.sh: %s" % ("ok" if ok else "not ok", what))
    if not ok:
        failures += 1
        if detail:
            sys.stderr.write(str(detail)[-3000:] + "\n")
    return ok


def run(data, *args, bin_dir=BIN, env_extra=None):
    env = dict(os.environ, SLUICE_DATA=data, BIN=bin_dir,
               SLUICE_PROGRESS="0")
    env.pop("QUASAR_URL", None)
    env.pop("SLUICE_JOURNAL", None)
    env.update(env_extra or {})
    r = subprocess.run(["sh", PIPE] + list(args), env=env,
                       capture_output=True, timeout=120)
    return r.returncode, r.stdout.decode(), r.stderr.decode()


def last_run(data):
    d = os.path.join(data, "runs", "analytics")
    return os.path.join(d, sorted(os.listdir(d))[-1])


def lines(path):
    try:
        return [json.loads(x) for x in open(path)]
    except OSError:
        return []


def counts(path):
    return sorted(json.dumps(x, sort_keys=True) for x in lines(path))


ev = os.path.join(TMP, "events.ndjson")
costs = os.path.join(TMP, "costs.csv")
subprocess.run([sys.executable, os.path.join(ROOT, "analytics", "traffic.py"),
                "--seed", "3", "--days", "3", "--scale", "0.5", "-o", ev,
                "--costs", costs], check=True, capture_output=True)
hand = os.path.join(TMP, "hand")
os.makedirs(hand)
subprocess.run(
    "'{b}/validate' '{e}' 2>/dev/null | '{b}/attribute' 2>/dev/null | "
    "'{b}/rollup' 2>/dev/null >'{h}/p.ndjson'; '{b}/rollup' --merge "
    "--costs '{c}' '{h}/p.ndjson' >'{h}/t.ndjson' 2>/dev/null".format(
        b=BIN, e=ev, h=hand, c=costs), shell=True)
subprocess.run("'{b}/rollup' --merge '{h}/p.ndjson' >'{h}/nocost.ndjson' "
               "2>/dev/null".format(b=BIN, h=hand), shell=True)
by_hand = counts(os.path.join(hand, "t.ndjson"))

# A file, without a warehouse.
data = os.path.join(TMP, "data")
st, out, err = run(data, "--costs", costs, ev)
r1 = last_run(data)
check(st == 1 and len(by_hand) > 20 and
      counts(os.path.join(r1, "totals.ndjson")) == by_hand,
      "on a file: exit 1 (the bad events rejected), the totals those of "
      "the stages by hand (%d rows)" % len(by_hand), out + err)
blocked = len(lines(os.path.join(r1, "validate.rejects.ndjson")))
check(blocked > 0 and "validate rejects %d in" % blocked in out and
      os.path.exists(os.path.join(r1, "summary.txt")) and
      open(os.path.join(r1, "summary.txt")).read() == out,
      "the summary names the rejects file, and is kept in summary.txt",
      out)
table = open(os.path.join(r1, "table.txt")).read() \
    if os.path.exists(os.path.join(r1, "table.txt")) else ""
check("per source (last click)" in table and
      "per campaign (last click)" in table and table in out,
      "the table per source and per campaign is printed, and kept", out)
partials = os.path.join(data, "state", "analytics.partials.ndjson")
n1 = len(lines(partials))

st, out, err = run(data, "--costs", costs, ev)
r2 = last_run(data)
check(r2 != r1 and len(lines(partials)) == 2 * n1 and
      counts(os.path.join(r2, "totals.ndjson")) == by_hand,
      "the same file again: its partials kept twice, counted once "
      "(the same batch id replaces itself)", out + err)

st, out, err = run(data, "--offline", "--model", "first", "--costs", costs,
                   ev)
r3 = last_run(data)
check(st == 1 and len(lines(partials)) == 2 * n1 and
      len(lines(os.path.join(r3, "events.ndjson"))) > 1000 and
      counts(os.path.join(r3, "totals.ndjson")) == by_hand and
      "per source (first click)" in out and "nothing was sent" in out,
      "--offline: the events to a file, nothing kept; --model first",
      out + err)

# The journal: two segments, read and removed; one a run left named in
# the ledger is taken again, alone, under its batch id.
events = open(ev).read().splitlines(True)
half = len(events) // 2
jdata = os.path.join(TMP, "jdata")
journal = os.path.join(jdata, "journal", "events")
os.makedirs(journal)
open(os.path.join(journal, "1.ndjson"), "w").writelines(events[:half])
open(os.path.join(journal, "2.ndjson"), "w").writelines(events[half:])
open(os.path.join(journal, "3.ndjson.open"), "w").write("")
st, out, err = run(jdata, "--costs", costs)
r = last_run(jdata)
ledger = os.path.join(jdata, "state", "analytics-journal.ledger")
check(st == 1 and sorted(os.listdir(journal)) == ["3.ndjson.open"] and
      os.path.getsize(ledger) == 0 and
      "the journal %s (2 segments)" % journal in out and
      counts(os.path.join(r, "totals.ndjson")) == by_hand,
      "the journal: the closed segments read, then removed (an open one "
      "left); the totals those of the file", out + err)

jp = os.path.join(jdata, "state", "analytics.partials.ndjson")
before = len(lines(jp))
open(os.path.join(journal, "4.ndjson"), "w").writelines(events[:half])
open(os.path.join(journal, "5.ndjson"), "w").writelines(events[half:])
with open(ledger, "w") as f:
    f.write("batch cut-short-run\n4.ndjson\n")
st, out, err = run(jdata, "--costs", costs)
new = lines(jp)[before:]
check(sorted(os.listdir(journal)) == ["3.ndjson.open", "5.ndjson"] and
      new and all(x["batch_id"] == "cut-short-run" for x in new) and
      os.path.getsize(ledger) == 0,
      "a run cut short (its ledger not empty): its segment taken again "
      "alone, under its batch id; the next one left for later", out + err)
st, out, err = run(jdata, "--costs", costs)
check(sorted(os.listdir(journal)) == ["3.ndjson.open"],
      "the next run takes the segment left", out + err)

# Cut short while removing its segments (the ledger ends with "done"):
# they are removed, not read again; the new one is read.
open(os.path.join(journal, "7.ndjson"), "w").writelines(events[:half])
open(os.path.join(journal, "8.ndjson"), "w").writelines(events[half:])
with open(ledger, "w") as f:
    f.write("batch removing\n7.ndjson\ndone\n")
before = len(lines(jp))
st, out, err = run(jdata, "--costs", costs)
new = lines(jp)[before:]
check(sorted(os.listdir(journal)) == ["3.ndjson.open"] and new and
      not any(x["batch_id"] == "removing" for x in new) and
      "(1 segments)" in out and os.path.getsize(ledger) == 0,
      "cut short while removing (its ledger ends with done): its segment "
      "removed, not read again; the new one read", out + err)

# A stage that fails: nothing kept, the segments stay.
fake = os.path.join(TMP, "bin")
os.makedirs(fake)
for s in os.listdir(BIN):
    os.symlink(os.path.join(BIN, s), os.path.join(fake, s))
os.remove(os.path.join(fake, "attribute"))
with open(os.path.join(fake, "attribute"), "w") as f:
    f.write("#!/bin/sh\ncat >/dev/null\necho 'attribute: broken' >&2\n"
            "exit 65\n")
os.chmod(os.path.join(fake, "attribute"), 0o755)
open(os.path.join(journal, "6.ndjson"), "w").writelines(events[:50])
before = len(lines(jp))
st, out, err = run(jdata, bin_dir=fake)
check(st == 65 and "6.ndjson" in os.listdir(journal) and
      len(lines(jp)) == before and "attribute ended with 65" in out,
      "attribute failing: exit 65, the partials not kept, the segment "
      "left for the next run", out + err)

# The warehouse down: the events and the partials spooled (69), the
# segments done with all the same, the table rollup's own.
ddata = os.path.join(TMP, "down")
djournal = os.path.join(ddata, "journal", "events")
os.makedirs(djournal)
open(os.path.join(djournal, "1.ndjson"), "w").writelines(events)
st, out, err = run(ddata, env_extra={"QUASAR_URL": "http://127.0.0.1:9",
                                     "SLUICE_QUASAR_RETRY_MAX_TIME": "1"})
state = os.path.join(ddata, "state")
spools = [d for d in ("analytics-events-spool",
                      "analytics-rollup_partials-spool")
          if any(f.startswith("batch-") for f in
                 os.listdir(os.path.join(state, d)))] \
    if os.path.isdir(state) else []
check(st == 69 and len(spools) == 2 and not os.listdir(djournal) and
      out.count("post-quasar --replay") == 2 and
      counts(os.path.join(last_run(ddata), "totals.ndjson")) ==
      counts(os.path.join(hand, "nocost.ndjson")),
      "the warehouse down: exit 69, the events and the partials spooled "
      "(their replay printed), the segment done with, the table "
      "rollup's own", out + err)

# The lock, and usage.
lock = os.path.join(data, "state", "analytics.lock")
holder = subprocess.Popen(["flock", lock, "sleep", "30"])
try:
    import time
    for _ in range(100):
        if subprocess.run(["flock", "-n", lock, "true"]).returncode:
            break
        time.sleep(0.05)
    st, out, err = run(data, ev)
finally:
    holder.kill()
    holder.wait()
check(st == 75 and "another run" in err,
      "another run in progress: 75, nothing read", err)
st, out, _ = run(data, "--help")
check(st == 0 and "Examples:" in out and "--offline" in out,
      "--help: the options, with examples")
for args, want in ((["--bogus"], 64), (["--model", "middle", ev], 64),
                   (["--lookback", "ten", ev], 64),
                   ([os.path.join(TMP, "none.ndjson")], 66)):
    st, _, err = run(data, *args)
    check(st == want, "%s: exit %d (%d)" % (" ".join(args[:2]), want, st),
          err)
shutil.rmtree(fake, ignore_errors=True)
sys.exit(1 if failures else 0)
