"""validate on generated traffic, both paths, enforcing and observing.

Events from analytics/traffic.py with a third of them breaking a rule, of
every kind it knows (SLUICE_TEST_SEED repeats a run; the seed is printed):

- SLUICE_FASTPATH=0 and the fast path write the same stdout, rejects and
  stderr, and the fast path takes the valid events (SLUICE_FASTPATH_STATS);
- enforcing: in = out + rejected; an event out without violations is its
  input line byte for byte; one with violations is its input less what an
  omit removed, with _meta.violations (flag or omit only); every blocked
  one has a block among its violations, and is in the rejects whole;
- --observe: every event out, each the input line byte for byte or the
  input with _meta.violations alone added; the summary's would-have counts
  are the enforcing run's;
- SLUICE_DICTIONARY names the dictionary when --dictionary does not, and
  --dictionary wins over it.
"""

import json
import os
import random
import re
import subprocess
import sys

BIN, ROOT, TMP = sys.argv[1:4]
VALIDATE = os.path.join(BIN, "validate")
seed = int(os.environ.get("SLUICE_TEST_SEED") or random.randrange(1 << 30))
failed = 0


def check(ok, what, detail=""):
    global failed
    print(("ok - " if ok else "not ok - ") + what)
    if not ok:
        failed += 1
        if detail:
            sys.stderr.write(detail + "\n")


def run(args, env=None, path=None):
    e = dict(os.environ, SLUICE_PROGRESS="0")
    e.update(env or {})
    rej = os.path.join(TMP, "v-rejects")
    with open(path or events, "rb") as inp:
        p = subprocess.run([VALIDATE] + args + ["--rejects", rej], stdin=inp,
                           capture_output=True, env=e)
    with open(rej, "rb") as f:
        return p.returncode, p.stdout, f.read(), p.stderr


events = os.path.join(TMP, "v-events.ndjson")
with open(events, "wb") as f:
    subprocess.run([sys.executable, os.path.join(ROOT, "analytics",
                                                 "traffic.py"),
                    "--events", "3000", "--seed", str(seed),
                    "--bad-share", "0.3", "--bad-kinds", "all"], stdout=f,
                   stderr=subprocess.DEVNULL, check=True)
print("# seed %d (SLUICE_TEST_SEED=%d repeats it)" % (seed, seed))
inputs = open(events, "rb").read().splitlines()

fast = run([], {"SLUICE_FASTPATH_STATS": "1"})
slow = run([], {"SLUICE_FASTPATH": "0"})
stats = re.search(rb"fast path: (\d+) of (\d+)", fast[3])
check(fast[:3] == slow[:3] and
      re.sub(rb"validate: fast path.*\n", b"", fast[3]) == slow[3],
      "the fast path and the jansson path write the same bytes")
out = fast[1].splitlines()
rejects = [json.loads(x) for x in fast[2].splitlines()]
clean = sum(1 for x in out if b'"violations":' not in x)
check(stats is not None and int(stats.group(1)) == clean > 0,
      "the fast path takes every valid event",
      stats.group(0).decode() if stats else "no stats")

# Enforcing: each event out, or blocked whole with a block among its own.
problems = []
m = re.search(rb"in=(\d+) out=(\d+) dropped=0 rejected=(\d+)", fast[3])
if not m or int(m.group(1)) != len(inputs) or \
        int(m.group(2)) != len(out) or int(m.group(3)) != len(rejects) or \
        len(out) + len(rejects) != len(inputs):
    problems.append("the summary does not balance: %r" % fast[3][-200:])
by_line = {}
for r in rejects:
    by_line[r["line"]] = r
i = 0
for n, line in enumerate(inputs, 1):
    if n in by_line:
        r = by_line[n]
        rec = dict(r["record"])
        viol = rec.pop("_meta")["violations"]
        if rec != json.loads(line) or \
                not any(v["action"] == "block" for v in viol) or \
                not r["reason"].startswith("blocked: block: "):
            problems.append("line %d: blocked, not whole or not why" % n)
        continue
    got = out[i]
    i += 1
    if b'"violations":' not in got:
        if got != line:
            problems.append("line %d: valid, not as read" % n)
        continue
    o = json.loads(got)
    viol = o.pop("_meta")["violations"]
    want = json.loads(line)
    for v in viol:
        if v["action"] == "block":
            problems.append("line %d: out with a block" % n)
        if v["action"] == "omit":
            path = v["field"].split(".")
            if path[0] == "properties":
                want["properties"].pop(path[1], None)
            else:
                want.pop(path[0], None)
    if o != want:
        problems.append("line %d: out, not the input less its omits" % n)
check(not problems, "enforcing: every event out as read, out with its "
      "violations less its omits, or blocked whole with why",
      "\n".join(problems[:10]))

# Observing: everything out, nothing changed but _meta.violations.
obs = run(["--observe"])
problems = []
oout = obs[1].splitlines()
if obs[0] != 0 or obs[2] != b"" or len(oout) != len(inputs):
    problems.append("exit %d, %d rejects, %d of %d out" % (
        obs[0], len(obs[2].splitlines()), len(oout), len(inputs)))
for n, (line, got) in enumerate(zip(inputs, oout), 1):
    if got == line:
        continue
    o = json.loads(got)
    meta = o.pop("_meta")
    if list(meta) != ["violations"] or o != json.loads(line):
        problems.append("line %d: observe changed more than _meta" % n)
enf = re.search(rb"blocked=(\d+) omitted=(\d+) flagged=(\d+)", fast[3])
would = re.search(rb"would have blocked (\d+), omitted properties of (\d+) "
                  rb"and flagged (\d+)", obs[3])
if not enf or not would or enf.groups() != would.groups():
    problems.append("observe's would-have counts differ from enforcing's")
if would and int(would.group(1)) != len(rejects):
    problems.append("observe would block %s, enforcing blocked %d"
                    % (would.group(1), len(rejects)))
check(not problems, "observe: every event out, only _meta.violations "
      "added, what enforcing would do counted", "\n".join(problems[:10]))

# Which dictionary: --dictionary, then SLUICE_DICTIONARY, then the default.
flagging = os.path.join(TMP, "v-flagging.json")
d = json.load(open(os.path.join(ROOT, "analytics", "dictionary.json")))
d["unknown_event"] = "flag"
with open(flagging, "w") as f:
    json.dump(d, f, indent=1)
unknown = os.path.join(TMP, "v-unknown.ndjson")
with open(unknown, "wb") as f:
    ev = json.loads(next(x for x in out if b'"violations":' not in x))
    ev.update({"event": "purchase", "properties": {}})
    f.write(json.dumps(ev, separators=(",", ":")).encode() + b"\n")
default = run([], path=unknown)
env = run([], {"SLUICE_DICTIONARY": flagging}, unknown)
wins = run(["--dictionary", os.path.join(ROOT, "analytics",
                                         "dictionary.json")],
           {"SLUICE_DICTIONARY": flagging}, unknown)
check(default[0] == 1 and env[0] == 0 and b"unknown_event" in env[1] and
      wins[0] == 1,
      "the dictionary: --dictionary, else SLUICE_DICTIONARY, else the "
      "checkout's", "exits %d %d %d" % (default[0], env[0], wins[0]))
sys.exit(0)
