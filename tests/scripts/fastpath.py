#!/usr/bin/env python3
"""The NDJSON stages' fast path (common/jdoc.h) against their jansson path.

Each stage runs twice on the same input, once as it is and once with
SLUICE_FASTPATH=0, and everything it writes must be the same: stdout, the
rejects and dropped files, stderr and the exit status. The inputs:

  - every stage test case of status-map, tv-filter and dedupe, with its args;
  - a generated TurboVote export (bench/gen-turbovote.py) through
    csv2ndjson, and the canonical records tv-filter makes of it, with scrub
    rows, odd referral codes and unknown statuses mixed in;
  - the same records made non-canonical in ways that send a line the slow
    way (spaces, reordered or duplicated keys, reals, needless escapes,
    \\u0000 in values), interleaved with canonical ones;
  - every JSONTestSuite case as one line.

Prints "ok - ..." or "not ok - ..." lines for tests/run.sh.
Usage: fastpath.py BIN ROOT SHARED TMPDIR
"""

import json
import os
import random
import shlex
import subprocess
import sys

BIN, ROOT, SHARED, TMP = sys.argv[1:5]
MAP = os.path.join(ROOT, "pipelines/maps/turbovote.json")
STAGES = ["status-map", "tv-filter", "dedupe"]


def run(stage, args, stdin_path, cwd, fast):
    """Runs a stage; returns what it wrote, as a dict of bytes."""
    env = dict(os.environ)
    env.pop("SLUICE_FASTPATH", None)
    if not fast:
        env["SLUICE_FASTPATH"] = "0"
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
    got = {"status": str(p.returncode).encode(), "stdout": p.stdout,
           "stderr": p.stderr}
    for name, f in (("rejects", rej), ("dropped", drop)):
        got[name] = open(f, "rb").read() if os.path.exists(f) else b""
    return got


def compare(name, stage, args, stdin_path, cwd):
    fast = run(stage, args, stdin_path, cwd, True)
    slow = run(stage, args, stdin_path, cwd, False)
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


def stage_cases():
    ok = n = 0
    for stage in STAGES:
        base = os.path.join(ROOT, "tests/stages", stage)
        for case in sorted(os.listdir(base)):
            d = os.path.join(base, case)
            inp = os.path.join(d, "input")
            if not os.path.exists(inp):
                continue
            argf = os.path.join(d, "args")
            args = shlex.split(open(argf).read()) if os.path.exists(argf) \
                else []
            n += 1
            ok += compare("%s/%s" % (stage, case), stage, args, inp, d)
    if ok == n:
        print("ok - fast path = slow path on the %d stage cases" % n)


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
        for k in ("email", "phone", "created-at", "referral-code"):
            if k in rec:
                rec[k] = rec[k] + "\u0000tail"
        if "user" in rec:
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


def generated():
    rng = random.Random(7)
    csv = os.path.join(TMP, "fp-export.csv")
    with open(csv, "wb") as f:
        subprocess.run([sys.executable,
                        os.path.join(ROOT, "bench/gen-turbovote.py"),
                        "--rows", "3000", "--seed", "11", "--jobs", "1"],
                       stdout=f, check=True)
    tv = subprocess.run([os.path.join(BIN, "csv2ndjson"), "--source",
                         "turbovote", csv], capture_output=True,
                        check=True).stdout.decode().splitlines()
    # Rows that the scrub rules and the status map have something to say
    # about, and referral codes of every shape.
    codes = ["user:5552AA34469c64ec7d8b715b,campaignID:7059",
             "USER=5552aa34469c64ec7d8b715b,source=email",
             "user:null,campaign:abc", "", "campaignrunid:1,source_details:x",
             "user:\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
             "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9"
             "\u00e9\u00e9\u00e9\u00e9"]
    recs = []
    for i, line in enumerate(tv):
        rec = json.loads(line)
        r = rng.randrange(12)
        if r == 0:
            rec["email"] = "Jane.%d@DoSomething.ORG" % i
        elif r == 1:
            rec["hostname"] = "testing.turbovote.org"
        elif r == 2:
            rec["voter-registration-status"] = rng.choice(
                ["", "moved", "Registered", "pending"])
        elif r == 3:
            rec["referral-code"] = rng.choice(codes)
        elif r == 4:
            rec["last-name"] = "Baloney\t\"q\""
        recs.append(json.dumps(rec, separators=(",", ":"),
                               ensure_ascii=False))
    export = os.path.join(TMP, "fp-export.ndjson")
    write(export, mixed(recs, rng))
    canon = os.path.join(TMP, "fp-canonical.ndjson")
    with open(export, "rb") as inp, open(canon, "wb") as out:
        subprocess.run([os.path.join(BIN, "tv-filter"), "--map", MAP],
                       stdin=inp, stdout=out, stderr=subprocess.DEVNULL)
    lines = open(canon, encoding="utf-8").read().splitlines()
    # Duplicates, for dedupe, with statuses rising and falling.
    lines += [lines[rng.randrange(len(lines))] for _ in range(len(lines) // 2)]
    mapped = os.path.join(TMP, "fp-mapped.ndjson")
    write(mapped, mixed(lines, rng))
    ledger = os.path.join(TMP, "fp.ledger")
    with open(ledger, "w") as f:
        for line in lines[:200:3]:
            rec = json.loads(line)
            f.write(json.dumps({"fields": "northstar_id,action_id,type",
                                "key": [rec["northstar_id"], rec["action_id"],
                                        rec["type"]],
                                "status": "confirmed", "at": "x"}) + "\n")
    runs = [
        ("tv-filter", ["--map", MAP], export),
        ("status-map", ["--map", MAP], mapped),
        ("dedupe", ["--key", "user.email"], mapped),
        ("dedupe", ["--key", "northstar_id,action_id,type", "--keep", "best",
                    "--rank", "status", "--map", MAP], mapped),
        ("dedupe", ["--key", "northstar_id,action_id,type", "--rank",
                    "status", "--map", MAP, "--seen", ledger], mapped),
        ("dedupe", ["--key", "details.created-at,_meta.line"], mapped),
    ]
    ok = sum(compare("%s %s" % (s, " ".join(a)), s, a, i, TMP)
             for s, a, i in runs)
    if ok == len(runs):
        print("ok - fast path = slow path on a generated export, its "
              "canonical records and non-canonical variants (%d runs)"
              % len(runs))


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
    runs = [("status-map", ["--map", MAP]), ("tv-filter", ["--map", MAP]),
            ("dedupe", ["--key", "a"])]
    ok = sum(compare("JSONTestSuite through " + s, s, a, path, TMP)
             for s, a in runs)
    if ok == len(runs):
        print("ok - fast path = slow path on JSONTestSuite (%d lines)"
              % len(lines))


stage_cases()
generated()
conformance()
