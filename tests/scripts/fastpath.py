#!/usr/bin/env python3
"""The NDJSON stages' fast path (common/jdoc.h) against their jansson path.

Each stage runs twice on the same input, once as it is and once with
SLUICE_FASTPATH=0, and everything it writes must be the same: stdout, the
rejects and dropped files, stderr and the exit status. The fast run must
also have taken the fast path (SLUICE_FASTPATH_STATS), or the test would
compare the slow path with itself. For every vendor folder (vendors/*/):

  - its sample export through csv2ndjson, with rows made odd (columns
    emptied, swapped between rows, removed, given other types), through
    shape, status-map and dedupe with the vendor's own options;
  - the same records made non-canonical in ways that send a line the slow
    way (spaces, reordered or duplicated keys, reals, needless escapes,
    \\u0000 in values), interleaved with canonical ones;
  - every JSONTestSuite case as one line.

(Every stage case runs both ways too: tests/run.sh.)
Prints "ok - ..." or "not ok - ..." lines for tests/run.sh.
Usage: fastpath.py BIN ROOT SHARED TMPDIR
"""

import json
import os
import random
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vendorfile  # noqa: E402

BIN, ROOT, SHARED, TMP = sys.argv[1:5]
# --vendors-only: the vendor folders alone (a vendor just added).
VENDORS_ONLY = "--vendors-only" in sys.argv[5:]
# Every vendor folder: $SLUICE_VENDORS (as the stages look names up), else
# this checkout's vendors/.
VENDOR_DIR = os.environ.get("SLUICE_VENDORS") or os.path.join(ROOT, "vendors")
VENDORS = vendorfile.shaped(VENDOR_DIR)


def run(stage, args, stdin_path, cwd, fast):
    """Runs a stage; returns what it wrote, as a dict of bytes."""
    env = dict(os.environ)
    env.pop("SLUICE_FASTPATH", None)
    env.pop("SLUICE_FASTPATH_STATS", None)
    if not fast:
        env["SLUICE_FASTPATH"] = "0"
    else:
        env["SLUICE_FASTPATH_STATS"] = "1"
    # The same names both ways: stderr may name them.
    rej = os.path.join(TMP, "fp-rejects")
    drop = os.path.join(TMP, "fp-dropped")
    for f in (rej, drop):
        if os.path.exists(f):
            os.remove(f)
    with open(stdin_path, "rb") as inp:
        p = subprocess.run([os.path.join(BIN, stage)] + args +
                           ["--rejects", rej, "--dropped", drop],
                           stdin=inp, capture_output=True, cwd=cwd, env=env,
                           timeout=120)
    stderr = p.stderr
    taken = 0
    if fast:
        m = re.search(rb"%s: fast path: (\d+) of (\d+) records\n" %
                      stage.encode(), stderr)
        if m:
            taken = int(m.group(1))
            stderr = stderr[:m.start()] + stderr[m.end():]
    got = {"status": str(p.returncode).encode(), "stdout": p.stdout,
           "stderr": stderr, "taken": taken}
    for name, f in (("rejects", rej), ("dropped", drop)):
        got[name] = open(f, "rb").read() if os.path.exists(f) else b""
    return got


def compare(name, stage, args, stdin_path, cwd, least=1):
    """Both ways the same, and at least `least` records the fast way
    (None: every record but the rejected ones, which the jansson path
    writes into the rejects file)."""
    fast = run(stage, args, stdin_path, cwd, True)
    slow = run(stage, args, stdin_path, cwd, False)
    taken = fast.pop("taken")
    slow.pop("taken")
    if least is None:
        m = re.search(rb"in=(\d+) .*rejected=(\d+)", fast["stderr"])
        least = int(m.group(1)) - int(m.group(2)) if m else 1
    if taken < least:
        print("not ok - the fast path is reached: %s (%d records, want %d "
              "or more)" % (name, taken, least))
        return False
    diff = [k for k in fast if fast[k] != slow[k]]
    if diff:
        print("not ok - fast path = slow path: %s (%s differ)" %
              (name, ", ".join(diff)))
        for k in diff:
            sys.stderr.write("--- %s, slow:\n%s\n--- fast:\n%s\n" % (
                k, slow[k][:600].decode("utf-8", "replace"),
                fast[k][:600].decode("utf-8", "replace")))
        return False
    return True


def uglify(line, rng):
    """A record line made non-canonical in one of several ways."""
    rec = json.loads(line)
    how = rng.randrange(8)
    if how == 0:
        return json.dumps(rec, ensure_ascii=False)  # spaces
    if how == 1:
        return json.dumps(rec, ensure_ascii=True, separators=(",", ":"))
    if how == 2:
        body = json.dumps(rec, separators=(",", ":"), ensure_ascii=False)
        return body[:-1] + ',"status":"dup"}'  # a duplicate key
    if how == 3:
        rec["_meta"] = dict(rec.get("_meta", {}), score=1.5)  # a real
    elif how == 4:
        keys = list(rec)
        rng.shuffle(keys)
        rec = {k: rec[k] for k in keys}
        return json.dumps(rec, separators=(",", ":"), ensure_ascii=False)
    elif how == 5:
        for k in list(rec)[:6]:
            if isinstance(rec[k], str):
                rec[k] = rec[k] + "\u0000tail"
        if isinstance(rec.get("user"), dict):
            rec["user"]["email"] = "x\u0000y"
    elif how == 6:
        rec["_meta"] = {"vendor_id": "old", "warning": "w"}
    else:
        return json.dumps(rec, separators=(",", ":"),
                          ensure_ascii=False).replace("/", "\\/")
    return json.dumps(rec, separators=(",", ":"), ensure_ascii=False)


def mixed(lines, rng):
    out = []
    for line in lines:
        out.append(line)
        if rng.randrange(4) == 0:
            out.append(uglify(line, rng))
    return out


def write(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line + "\n")


def oddities(recs, rng):
    """The records with some columns made odd, vendor-blind."""
    cols = sorted({k for r in recs for k in r if k != "_meta"})
    values = {c: [r[c] for r in recs if c in r] for c in cols}
    out = []
    for r in recs:
        r = dict(r)
        how = rng.randrange(10)
        c = rng.choice(cols)
        if how == 0:
            r[c] = ""
        elif how == 1:
            r[c] = rng.choice(values[c])
        elif how == 2:
            r[c] = rng.choice(values[rng.choice(cols)])
        elif how == 3 and len(out) > 5:
            r.pop(c, None)  # a missing column: a reject
        elif how == 4 and len(out) > 5:
            r[c] = rng.choice([1, None, ["x"], {"a": "b"}])
        elif how == 5:
            r[c] = str(r.get(c, "")) + rng.choice(["\t\"q\"", "\u00e9",
                                                   " ", "\u001f", "\\"])
        out.append(canonical(r))
    return out


def canonical(rec):
    """A record as jansson writes it (control characters in upper case)."""
    text = json.dumps(rec, separators=(",", ":"), ensure_ascii=False)
    return re.sub(r"\\u00([0-9a-f]{2})",
                  lambda m: "\\u00" + m.group(1).upper(), text)


def received(vendor):
    """True for a vendor whose records come from hook-recv's journal."""
    with open(os.path.join(VENDOR_DIR, vendor, "vendor.json")) as f:
        return json.load(f).get("export", {}).get("receive") is True


def generated(vendor):
    rng = random.Random(7)
    sample = os.path.join(VENDOR_DIR, vendor, "sample.csv")
    # The samples hold rows csv2ndjson rejects (exit 1): those are not
    # for this test.
    rows = subprocess.run([os.path.join(BIN, "csv2ndjson"), "--vendor",
                           vendor, sample],
                          capture_output=True).stdout.decode().splitlines()
    if received(vendor):
        # A vendor hook-recv receives: its sample is journal records.
        with open(os.path.join(VENDOR_DIR, vendor, "sample.ndjson"),
                  encoding="utf-8") as f:
            rows = f.read().splitlines()
    recs = oddities([json.loads(x) for x in rows], rng)
    plain = os.path.join(TMP, "fp-%s-rows.ndjson" % vendor)
    write(plain, recs)
    export = os.path.join(TMP, "fp-%s-export.ndjson" % vendor)
    write(export, mixed(recs, rng))
    canon = os.path.join(TMP, "fp-%s-canonical.ndjson" % vendor)
    with open(plain, "rb") as inp, open(canon, "wb") as out:
        subprocess.run([os.path.join(BIN, "shape")] +
                       vendorfile.shape_args(VENDOR_DIR, vendor), stdin=inp, stdout=out, stderr=subprocess.DEVNULL)
    lines = []
    for i, line in enumerate(open(canon, encoding="utf-8")):
        # Members as post-northstar leaves them: every record has an id.
        rec = json.loads(line)
        rec["northstar_id"] = rec.get("northstar_id") or "%024x" % (i % 97)
        lines.append(canonical(rec))
    # Duplicates, for dedupe, with statuses rising and falling.
    lines += [lines[rng.randrange(len(lines))] for _ in range(len(lines) // 2)]
    mapped = os.path.join(TMP, "fp-%s-mapped.ndjson" % vendor)
    write(mapped, mixed(lines, rng))
    vend = json.load(open(os.path.join(VENDOR_DIR, vendor, "vendor.json")))
    key = vend.get("delivery", {}).get("key")
    ledger = os.path.join(TMP, "fp-%s.ledger" % vendor)
    with open(ledger, "w") as f:
        for line in lines[:200:3]:
            rec = json.loads(line)
            if key:
                f.write(json.dumps({"fields": ",".join(key), "key": [
                    lookup(rec, k) for k in key], "status": "confirmed",
                    "at": "x"}) + "\n")
    n = len(recs)
    shape = vendorfile.shape_args(VENDOR_DIR, vendor)
    runs = [("shape", shape, plain, None), ("shape", shape, export, n // 2)]
    if vend.get("rules") or "default" in vend:
        runs.append(("status-map", ["--vendor", vendor], mapped, n // 4))
    if key:
        runs += [("dedupe", ["--vendor", vendor, "--keep", "first"], mapped,
                  n // 4),
                 ("dedupe", ["--vendor", vendor], mapped, n // 4),
                 ("dedupe", ["--vendor", vendor, "--seen", ledger], mapped,
                  n // 4)]
    # A journal record's place is its request id; a CSV row's, its line.
    where = "_meta.request_id" if received(vendor) else "_meta.line"
    runs.append(("dedupe", ["--key", "details," + where], mapped, n // 4))
    ok = sum(compare("%s: %s %s" % (vendor, s, " ".join(a)), s, a, i, TMP,
                     least) for s, a, i, least in runs)
    if ok == len(runs):
        print("ok - %s: fast path = slow path, and taken, on its sample with "
              "odd rows, its canonical records and non-canonical variants "
              "(%d runs)" % (vendor, len(runs)))


def lookup(rec, path):
    for step in path.split("."):
        rec = rec.get(step) if isinstance(rec, dict) else None
    return rec


def conformance():
    suite = os.path.join(SHARED, "conformance/json-test-suite")
    files = []
    for root, _, names in os.walk(suite):
        files += [os.path.join(root, n) for n in names
                  if n.endswith(".json")]
    lines = []
    for f in sorted(files):
        data = open(f, "rb").read().replace(b"\n", b" ").replace(b"\r", b" ")
        lines.append(data)
    path = os.path.join(TMP, "fp-suite.ndjson")
    with open(path, "wb") as out:
        out.write(b"\n".join(lines) + b"\n")
    runs = [] if VENDORS_ONLY else [("dedupe", ["--key", "a"])]
    for v in VENDORS:
        runs += [("shape", ["--vendor", v]), ("status-map", ["--vendor", v])]
    ok = sum(compare("JSONTestSuite through %s %s" % (s, " ".join(a)), s, a,
                     path, TMP, 0) for s, a in runs)
    if ok == len(runs):
        print("ok - fast path = slow path on JSONTestSuite (%d lines)"
              % len(lines))


for v in VENDORS:
    generated(v)
conformance()
