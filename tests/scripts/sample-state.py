"""sample --state, run after run (docs/stages.md, "sample"): a first run
from no state (every member a join); the same input again (no change, the
state the same bytes); a newcomer whose key beats a full cell's largest
(one join, exactly one leave: the member of the largest key, its record as
the state held it); a newcomer that does not (nothing); a member of the
state seen again (a duplicate); --sticky (nobody leaves, newcomers fill
vacancies only, a quota raised filled by the smallest newcomers); a quota
lowered (the largest keys leave); the summary's made, joins and leaves;
and the state left as it was when the run fails: a state of another seed
or not a state (65), an input file missing (66), stdout full (74),
a state that cannot be written (74, before reading).

    python3 sample-state.py BIN TMPDIR
"""

import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sample_model as model  # noqa: E402

BIN, TMP = sys.argv[1], sys.argv[2]
failures = 0
SEED = "state-test"
KEY = model.study_key(SEED)


def report(ok, what, detail=""):
    global failures
    print("%s - %s" % ("ok" if ok else "not ok", what))
    if not ok:
        failures += 1
        for line in str(detail).splitlines()[:20]:
            print("#   " + line)


def dumps(v):
    return json.dumps(v, separators=(",", ":"))


def quotas(path, counts):
    with open(path, "w") as f:
        json.dump({"seed": SEED, "fields": [{"name": "state",
                                             "path": "state"}],
                   "cells": [{"cell": {"state": s}, "count": n}
                             for s, n in counts.items()]}, f)


def write(path, recs):
    with open(path, "w") as f:
        f.write("".join(dumps(r) + "\n" for r in recs))


def run(args, stdout=subprocess.PIPE):
    p = subprocess.run([os.path.join(BIN, "sample")] + args,
                       stdout=stdout, stderr=subprocess.PIPE)
    return p.returncode, (p.stdout or b"").decode(), p.stderr.decode()


def changes(out):
    return [(json.loads(x)["change"], json.loads(x)["id"])
            for x in out.splitlines()]


def key(i):
    return model.order(KEY, i)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def main():
    q = os.path.join(TMP, "q.json")
    st = os.path.join(TMP, "state")
    quotas(q, {"CA": 3, "NY": 2})
    ids = ["m%d" % i for i in range(40)]
    pop = [{"id": i, "state": "CA" if n % 2 else "NY", "v": 1}
           for n, i in enumerate(ids)]
    first, later = pop[:20], pop[20:]
    write(os.path.join(TMP, "first"), first)

    rc, out, err = run(["-q", q, "--state", st, os.path.join(TMP, "first")])
    ca = sorted([r["id"] for r in first if r["state"] == "CA"], key=key)[:3]
    ny = sorted([r["id"] for r in first if r["state"] == "NY"], key=key)[:2]
    report(rc == 0 and changes(out) == [("join", i) for i in ca + ny],
           "a first run from no state: every member a join, cell by cell, "
           "key first", out + err)
    report("joins=5 leaves=0" in err and "in=20 out=5 " in err,
           "the summary's joins, leaves, in and out", err)
    state1 = read(st)
    lines = state1.decode().splitlines()
    report(json.loads(lines[0]).get("sample_state") == 1 and
           [json.loads(x)["id"] for x in lines[1:]] == ca + ny,
           "the state: its header, then the members cell by cell")

    rc, out, err = run(["-q", q, "--state", st, os.path.join(TMP, "first")])
    report(rc == 0 and out == "" and read(st) == state1 and
           "duplicate=5" in err,
           "the same input again: no change, the state the same bytes, "
           "its members duplicates", err)

    # A newcomer that beats CA's largest key, and one that does not.
    largest = ca[-1]
    beat = next(r for r in later if r["state"] == "CA" and
                key(r["id"]) < key(largest))
    lose = next(r for r in later if r["state"] == "CA" and
                key(r["id"]) > key(largest))
    write(os.path.join(TMP, "two"), [lose, dict(beat, v=2)])
    shutil.copy(st, st + ".before-two")
    rc, out, err = run(["-q", q, "--state", st, os.path.join(TMP, "two")])
    got = changes(out)
    report(got == [("leave", largest), ("join", beat["id"])],
           "a newcomer beating a full cell's largest key: one leave (that "
           "member), one join", out)
    leave = json.loads(out.splitlines()[0]) if out else {}
    report(leave.get("v") == 1 and leave.get("_meta", {}).get("sample", {})
           .get("cell") == {"state": "CA"},
           "the leave is the member's record as the state held it, with "
           "_meta.sample", out)
    report("made=1" in err and "joins=1 leaves=1" in err and
           "in=2 made=1 out=2 dropped=1" in err,
           "a leave is a record made: in + made = out + dropped", err)

    # --sticky from the state before: nobody leaves, the vacancy only.
    sticky = st + ".sticky"
    shutil.copy(st + ".before-two", sticky)
    quotas(q + ".raised", {"CA": 4, "NY": 2})
    rc, out, err = run(["-q", q, "--state", sticky, "--sticky",
                        os.path.join(TMP, "two")])
    report(rc == 0 and out == "" and read(sticky) == read(
        st + ".before-two"),
           "--sticky: a newcomer beating a full cell's largest key changes "
           "nothing", out + err)
    rest = [r for r in later if r["state"] == "CA"]
    write(os.path.join(TMP, "rest"), rest)
    rc, out, err = run(["-q", q + ".raised", "--state", sticky, "--sticky",
                        os.path.join(TMP, "rest")])
    best = sorted([r["id"] for r in rest], key=key)[0]
    report(changes(out) == [("join", best)],
           "--sticky with a quota raised: the vacancy goes to the smallest "
           "newcomer, nobody leaves", out)

    # A quota lowered, without sticky: the largest keys leave.
    low = st + ".low"
    shutil.copy(st + ".before-two", low)
    quotas(q + ".low", {"CA": 1, "NY": 2})
    rc, out, err = run(["-q", q + ".low", "--state", low])
    report(changes(out) == [("leave", ca[2]), ("leave", ca[1])][::-1] and
           "in=0 made=2 out=2" in err,
           "a quota lowered: the largest keys leave, key order", out + err)

    # Failures leave the state as it was.
    before = read(st)
    with open(os.path.join(TMP, "q-other.json"), "w") as f:
        json.dump({"seed": "another", "fields": [{"path": "state"}],
                   "cells": [{"cell": {"state": "CA"}, "count": 1}]}, f)
    rc, out, err = run(["-q", os.path.join(TMP, "q-other.json"), "--state",
                        st, os.path.join(TMP, "two")])
    report(rc == 65 and "another seed" in err and read(st) == before,
           "a state of another seed: 65, the state unchanged", err)
    junk = os.path.join(TMP, "junk")
    with open(junk, "w") as f:
        f.write('{"some":"thing"}\n')
    rc, out, err = run(["-q", q, "--state", junk, os.path.join(TMP, "two")])
    report(rc == 65 and "junk:1: not a sample state" in err and
           read(junk) == b'{"some":"thing"}\n',
           "a file that is not a state: 65 at its line, left alone", err)
    write(os.path.join(TMP, "more"), later)
    rc, out, err = run(["-q", q, "--state", st, os.path.join(TMP, "more"),
                        os.path.join(TMP, "nofile")])
    report(rc == 66 and read(st) == before and out == "" and
           "unsaved=" in err and "in=20 out=0 " in err,
           "an input file missing: 66, no change written, the newcomers "
           "held dropped (unsaved), the state unchanged", err)
    write(os.path.join(TMP, "more"), later)
    with open("/dev/full", "w") as full:
        rc, out, err = run(["-q", q, "--state", st,
                            os.path.join(TMP, "more")], stdout=full)
    report(rc == 74 and read(st) == before,
           "stdout full: 74, the state unchanged (the changes were lost)",
           err)
    rc, out, err = run(["-q", q, "--state", os.path.join(TMP, "no", "dir"),
                        os.path.join(TMP, "more")])
    report(rc == 74 and "cannot write the state" in err and out == "" and
           " in=" not in err.replace("in=0", ""),
           "a state that cannot be written: 74 before reading anything",
           err)
    leftovers = [n for n in os.listdir(TMP) if ".tmp-" in n]
    report(not leftovers, "no temporary state file left behind", leftovers)
    print("# %d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
