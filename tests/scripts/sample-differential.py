"""sample against the plain model (sample_model.py) on random populations:
a fresh seed each run, printed (SAMPLE_SEED repeats one). Each population
has designs by count and by shares of one to three fields (plain values,
age bands from a date of birth, numeric bands with labels of their own,
date bands), cells of no quota, members listed twice, string and integer
ids, and records rejected for every reason. For each: the sample is the
model's (records, cells, keys, order), its rejects and no-quota drops as
counted; the input shuffled, and the jansson path (SLUICE_FASTPATH=0),
give the same bytes; two shards' samples sampled again give the whole's;
and with --state, a first run over half the population and a second over
the rest give the model's joins, leaves and state, also with a quota
lowered in between, and with --sticky.

    python3 sample-differential.py BIN TMPDIR [POPULATIONS]
"""

import json
import os
import random
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sample_model as model  # noqa: E402

BIN, TMP = sys.argv[1], sys.argv[2]
POPS = int(sys.argv[3]) if len(sys.argv) > 3 else 20
SEED = int(os.environ.get("SAMPLE_SEED") or random.SystemRandom().randrange(
    1 << 30))
print("# seed %d (SAMPLE_SEED=%d repeats it)" % (SEED, SEED))
failures = 0

FIELDS = {
    "state": {"name": "state", "path": "user.addr_state"},
    "age": {"name": "age", "path": "user.birthdate", "age_on": "2026-11-03",
            "bands": [18, 30, 50]},
    "score": {"name": "score", "path": "score", "bands": [0, 10.5],
              "labels": ["low", "mid", "high"]},
    "joined": {"name": "joined", "path": "created_at",
               "bands": ["2024-01-01", "2025-02-28"]},
}
STATES = ["CA", "NY", "TX", "WA", 7, True]


def report(ok, what, detail=""):
    global failures
    print("%s - %s" % ("ok" if ok else "not ok", what))
    if not ok:
        failures += 1
        for line in detail.splitlines()[:30]:
            print("#   " + line)


def dumps(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def has_real(v):
    if isinstance(v, float):
        return True
    if isinstance(v, dict):
        return any(has_real(x) for x in v.values())
    if isinstance(v, list):
        return any(has_real(x) for x in v)
    return False


def person(rng, i):
    if rng.random() < 0.2:
        ident = 100000 + i
    elif rng.random() < 0.1:
        ident = "é-%d" % i
    else:
        ident = "m%d" % i
    y = rng.randint(1950, 2010)
    dob = "%04d-%02d-%02d" % (y, rng.randint(1, 12), rng.randint(1, 28))
    if rng.random() < 0.05:
        dob = "%04d-02-29" % rng.choice([1996, 2000, 2004, 2008])
    if rng.random() < 0.05:
        dob = "%04d-11-03" % rng.choice([1976, 1996, 2008])
    rec = {"id": ident, "user": {"addr_state": rng.choice(STATES),
                                 "birthdate": dob},
           "score": rng.choice([-3, 0, 4, 10, 11, 2.5, 10.5, 12.25]),
           "created_at": rng.choice(["2023-05-01", "2024-01-01T10:00:00Z",
                                     "2025-02-27 23:59:59", "2025-02-28",
                                     "2026-06-30T00:00:00-05:00"])}
    if rng.random() < 0.3:
        rec["_meta"] = {"file": "x.csv", "line": i + 2}
    return rec


def spoil(rng, rec):
    """A record rejected for one reason or another."""
    kind = rng.randrange(8)
    if kind == 0:
        del rec["id"]
    elif kind == 1:
        rec["id"] = rng.choice([True, 1.5, "", None, {"a": 1}])
    elif kind == 2:
        rec["user"]["addr_state"] = rng.choice([None, "", [1], 2.5])
    elif kind == 3:
        rec["user"]["birthdate"] = rng.choice(["1990-02-30", "x", 1990,
                                               "1990-01-01X"])
    elif kind == 4:
        rec["score"] = rng.choice(["10", None, True])
    elif kind == 5:
        rec["created_at"] = rng.choice(["2024-13-01", "", 20240101])
    elif kind == 6:
        rec["_meta"] = "not an object"
    else:
        del rec["user"]
    return rec


def population(rng, n):
    recs = []
    for i in range(n):
        rec = person(rng, i)
        if rng.random() < 0.04:
            rec = spoil(rng, rec)
        recs.append(rec)
    # Members listed twice: the same cell fields, another field changed.
    for _ in range(n // 20):
        twin = json.loads(dumps(rng.choice(recs)))
        twin["seen_again"] = True
        recs.insert(rng.randrange(len(recs) + 1), twin)
    return recs


def design_of(rng, by_share):
    names = rng.sample(sorted(FIELDS), rng.randint(1, 3))
    fields = [FIELDS[k] for k in names]
    combos = [[]]
    for f in fields:
        labs = model.labels(f) or ["CA", "NY", "TX", "WA", "7", "true"]
        combos = [c + [lab] for c in combos for lab in labs]
    rng.shuffle(combos)
    chosen = combos[:max(1, int(len(combos) * rng.uniform(0.5, 1)))]
    cells = []
    for c in chosen:
        cell = {"cell": dict(zip(names, c))}
        if by_share:
            cell["share"] = rng.choice([0.5, 1, 2, 3.25, 0.01, 10])
        else:
            cell["count"] = rng.choice([0, 1, 2, 5, 13, 40, 300])
        cells.append(cell)
    d = {"seed": "study-%d" % rng.randrange(1000), "fields": fields,
         "cells": cells}
    if by_share:
        d["total"] = rng.randint(len(cells), 6 * len(cells))
    return d


def run(args, inp, env=None):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([os.path.join(BIN, "sample")] + args, input=inp,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=e)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def text(recs):
    return "".join(dumps(r) + "\n" for r in recs).encode()


def with_sample(design, m, ci, ident, rec, change=None):
    rec = json.loads(dumps(rec))
    cell = dict(zip([f["name"] for f in design["fields"]], m["cells"][ci]))
    meta = rec.setdefault("_meta", {})
    meta["sample"] = {"cell": cell, "key": model.hexkey(m["key16"], ident)}
    if change:
        rec = dict([("change", change)] +
                   [(k, v) for k, v in rec.items() if k != "change"])
    return rec


def norm(out):
    return [dumps(json.loads(line)) for line in out.decode().splitlines()]


def tally(err):
    for line in err.splitlines():
        if " in=" in line:
            return line
    return ""


def check_plain(name, design, recs, m, out, err, rc):
    want = [dumps(with_sample(design, m, ci, i, rec))
            for ci, cell in enumerate(m["final"]) for i, rec in cell]
    got = norm(out)
    report(got == want, "%s: the model's sample (%d records)" % (name,
                                                                  len(want)),
           "got %d, want %d\n%s" % (len(got), len(want), "\n".join(
               a + "\n  want " + b for a, b in zip(got, want) if a != b)))
    t = tally(err)
    nrej = len(m["rejects"])
    ok = ("in=%d out=%d " % (len(recs), len(want)) in t and
          "rejected=%d" % nrej in t and
          (m["noquota"] == 0 or "no-quota=%d" % m["noquota"] in t) and
          rc == (1 if nrej else 0))
    report(ok, "%s: in, out, rejected, no-quota, exit %d" % (name, rc), t)
    short = sum(1 for ci, q in enumerate(m["quota"])
                if len(m["final"][ci]) < q)
    report(("short=%d " % short) in err and
           err.count("sample: short: ") == min(short, 100),
           "%s: %d cells short of quota named" % (name, short), err[-2000:])


def state_of(design, m):
    return {i: (ci, None, rec) for ci, cell in enumerate(m["final"])
            for i, rec in cell}


def changes(design, m, old):
    """The model's change records after a run from state old."""
    out = []
    final_ids = {i for cell in m["final"] for i, _ in cell}
    for ci, cell in enumerate(m["final"]):
        leaves = sorted((i for i, v in old.items()
                         if v[0] == ci and i not in final_ids),
                        key=lambda i: model.order(m["key16"], i))
        out += [dumps(with_sample(design, m, ci, i, old[i][2], "leave"))
                for i in leaves]
        out += [dumps(with_sample(design, m, ci, i, rec, "join"))
                for i, rec in cell if i not in old]
    return out


def state_file_ids(path):
    with open(path, encoding="utf-8") as f:
        lines = [json.loads(line) for line in f]
    return [(x["id"], dumps(x["record"])) for x in lines[1:]]


def check_states(name, design, recs, rng, wd):
    seed = design["seed"]
    half = len(recs) // 2
    a, b = recs[:half], recs[half:]
    qf = os.path.join(wd, "quotas.json")
    st = os.path.join(wd, "state")
    if os.path.exists(st):
        os.unlink(st)
    rc, out, err = run(["-q", qf, "--state", st], text(a))
    m1 = model.sample(design, a, seed)
    report(norm(out) == changes(design, m1, {}),
           "%s: a first --state run: every member a join" % name, err[-800:])
    old = state_of(design, m1)
    for sticky in (False, True):
        st2 = st + (".sticky" if sticky else ".plain")
        shutil.copy(st, st2)
        # A quota lowered in between (without sticky: leaves).
        d2 = json.loads(dumps(design))
        if "total" not in d2:
            for c in d2["cells"]:
                if c["count"] > 1 and rng.random() < 0.3:
                    c["count"] //= 2
        qf2 = os.path.join(wd, "quotas2.json")
        with open(qf2, "w") as f:
            f.write(dumps(d2))
        cells2 = {model.cell_tuple(d2, c["cell"]): i
                  for i, c in enumerate(d2["cells"])}
        old2 = {i: (cells2.get(m1["cells"][ci]), None, rec)
                for i, (ci, _, rec) in old.items()}
        args = ["-q", qf2, "--state", st2] + (["--sticky"] if sticky else [])
        rc, out, err = run(args, text(b))
        m2 = model.sample(d2, b, seed, state=old2, sticky=sticky)
        want = changes(d2, m2, old2)
        got = norm(out)
        what = "%s: a second run%s: the model's joins and leaves" % (
            name, " --sticky" if sticky else "")
        report(got == want, what, "got\n%s\nwant\n%s" % (
            "\n".join(got[:10]), "\n".join(want[:10])))
        kept = [(i if isinstance(i, str) else str(i), dumps(rec))
                for cell in m2["final"] for i, rec in cell]
        report(state_file_ids(st2) == [(i, r) for i, r in kept],
               "%s: the state%s holds the model's sample" % (
                   name, " (sticky)" if sticky else ""))
        if sticky:
            gone = [x for x in got if x.startswith('{"change":"leave"')]
            report(not gone, "%s: --sticky: nobody leaves" % name)


def main():
    rng = random.Random(SEED)
    for p in range(POPS):
        by_share = p % 2 == 1
        design = design_of(rng, by_share)
        recs = population(rng, rng.randint(50, 1500))
        wd = os.path.join(TMP, "pop%d" % p)
        os.makedirs(wd, exist_ok=True)
        qf = os.path.join(wd, "quotas.json")
        with open(qf, "w") as f:
            f.write(dumps(design))
        name = "population %d (%s, %d records, %d cells)" % (
            p, "shares" if by_share else "counts", len(recs),
            len(design["cells"]))
        m = model.sample(design, recs, design["seed"])
        rc, out, err = run(["-q", qf], text(recs))
        check_plain(name, design, recs, m, out, err, rc)
        # Without the twins (whose first record an order picks), the
        # input shuffled and two shards' samples give the same bytes.
        seen, single = set(), []
        for r in recs:
            k = dumps(r.get("id"))
            if k not in seen or "id" not in r:
                seen.add(k)
                single.append(r)
        _, whole, _ = run(["-q", qf], text(single))
        shuffled = list(single)
        rng.shuffle(shuffled)
        _, out2, _ = run(["-q", qf], text(shuffled))
        report(out2 == whole,
               "%s: the input shuffled, the same bytes" % name)
        _, out3, _ = run(["-q", qf], text(recs), {"SLUICE_FASTPATH": "0"})
        report(out3 == out, "%s: the jansson path, the same bytes" % name)
        _, _, err4 = run(["-q", qf], text(recs), {"SLUICE_FASTPATH_STATS": "1"})
        fast = [ln for ln in err4.splitlines() if "fast path:" in ln]
        taken = int(fast[0].split("fast path:")[1].split()[0]) if fast else 0
        # Every record written as jansson writes (no real number) whose id
        # and fields are usable: the others go to the jansson path.
        want = sum(1 for r in recs if not has_real(r) and
                   model.classify(design, r, "id")[0] == "ok")
        report(taken == want, "%s: the fast path takes every canonical "
               "record it can place (%d of %d)" % (name, taken, len(recs)),
               "%d, want %d" % (taken, want))
        cut = rng.randrange(len(shuffled) + 1)
        _, s1, _ = run(["-q", qf], text(shuffled[:cut]))
        _, s2, _ = run(["-q", qf], text(shuffled[cut:]))
        _, merged, _ = run(["-q", qf], s1 + s2)
        report(merged == whole,
               "%s: two shards' samples sampled again: the whole's bytes"
               % name)
        if not by_share:
            check_states(name, design, recs, rng, wd)
    print("# %d failed" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
