#!/usr/bin/env python3
"""A TurboVote import split four ways by member (import.sh --shard K/4)
against the emulator, one worker killed, then run again: the members and
posts of a one-worker run of the same file, exactly.

The export is made here (--rows, about 3,000 by default): members the
emulator knows (seeded, each with an id, an e-mail and, for half of them, a
mobile) named in up to three rows each, once by the id of a referral code,
once by e-mail alone with the mobile, once by another e-mail with the same
mobile, so that only a split that joins records through every shared key
keeps a member's rows on one worker; new members with one to three rows;
rows repeated whole, as cumulative exports repeat them. Then

  - one worker (import.sh without --shard) on an emulator of its own: the
    members and posts to have;
  - four workers at once on a second emulator (the same seed), worker 2
    killed (SIGKILL, every process of it) while it delivers, then the
    four again under GNU parallel (parallel ... ::: 1 2 3 4): that
    emulator's members and posts equal the first's, no post twice;
  - the four workers' records: each record of the export on exactly one
    worker, each member on exactly one worker; the raw rows kept by
    worker 1 alone;
  - a run again sends nothing; a worker of another split (--shard 1/2)
    refused with 64, having sent nothing; a worker beside a running
    worker of another file refused with 75, and an import without
    --shard beside a worker too.

Usage: shard.py BIN ROOT TMPDIR [--rows N] [--seed S]. Prints ok/not ok.
"""

import csv
import glob
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import delivery  # noqa: E402  (the Emulator)

BIN, ROOT, TMP = sys.argv[1:4]
ARGS = sys.argv[4:]
ROWS = int(ARGS[ARGS.index("--rows") + 1]) if "--rows" in ARGS else 3000
SEED = int(ARGS[ARGS.index("--seed") + 1]) if "--seed" in ARGS else \
    random.SystemRandom().randrange(1 << 30)
IMPORT = os.path.join(ROOT, "pipelines/import.sh")
N = 4
report = delivery.report
HEADER = [
    "id", "first-name", "middle-name", "last-name", "phone", "email",
    "registered-address-street", "registered-address-street-2",
    "registered-address-city", "registered-address-state",
    "registered-address-zip", "mailing-address-street",
    "mailing-address-street-2", "mailing-address-city",
    "mailing-address-state", "mailing-address-zip", "dob",
    "language-preference", "hostname", "referral-code",
    "partner-comms-opt-in", "created-at", "updated-at",
    "voter-registration-status", "voter-registration-source",
    "voter-registration-method", "voting-method-preference",
    "email subscribed", "sms subscribed",
]
STATUSES = [("initiated", ""), ("registered", "online"),
            ("registered", "by-mail"), ("ineligible", ""),
            ("pending", ""), ("not-required", "")]
SEEDED = max(10, ROWS * 28 // 100)
NEW = max(10, ROWS * 20 // 100)


def seeded_id(n):
    return "5a%022x" % n


def seeded_mobile(n):
    """What the emulator gives seeded user n (even n), as a row writes it:
    its seed_mobile(n // 2) is +1 201 then seven digits."""
    m = n // 2
    return "201-%03d-%04d" % (200 + m // 10000, m % 10000)


def export(path, rng):
    rows = []

    def row(email, phone="", code="", first="Ana", status=None):
        status, method = status or rng.choice(STATUSES)
        rows.append({
            "id": "%024x" % rng.getrandbits(96), "first-name": first,
            "last-name": "Shard", "phone": phone, "email": email,
            "registered-address-city": "Austin",
            "registered-address-state": "TX",
            "registered-address-zip": "73301", "dob": "2000-01-02",
            "language-preference": "en",
            "hostname": "dosomething.turbovote.org", "referral-code": code,
            "partner-comms-opt-in": "false",
            "created-at": "2018-08-20T15:17:37Z",
            "updated-at": "2018-09-20T15:20:01Z",
            "voter-registration-status": status,
            "voter-registration-source": "user",
            "voter-registration-method": method,
            "voting-method-preference": "by-mail",
            "email subscribed": "true", "sms subscribed": "false"})

    for n in range(SEEDED):
        email = "seed-%d@example.org" % n
        mobile = seeded_mobile(n) if n % 2 == 0 else ""
        # A member found by the other e-mail's mobile has one status in
        # all its rows: post-northstar holds records apart by the keys
        # they share, and the first and the third row share none (the
        # second joins them), so the two could change the member at once,
        # in any order, on one worker as on four.
        chained = mobile and n % 4 == 0 and n % 3 != 0
        same = rng.choice(STATUSES) if chained else None
        row(email, code="user:%s,campaignID:7059" % seeded_id(n),
            status=same)
        if n % 3 != 0:
            # By e-mail alone (in capitals, now and then), with the mobile.
            row(email.upper() if n % 5 == 0 else email, phone=mobile,
                status=same)
        if chained:
            # Another e-mail: Northstar finds the member by the mobile.
            row("other-%d@example.org" % n, phone=mobile, status=same)
    for m in range(NEW):
        for _ in range(1 + m % 3):
            row("new-%d@example.org" % m, first="Zoë")
    for r in rng.sample(rows, len(rows) // 12):
        rows.append(dict(r))
    rng.shuffle(rows)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, HEADER)
        w.writeheader()
        w.writerows(rows)
    return len(rows)


def state_of(emu):
    """Members and posts, without the ids and times the services gave;
    posts by their member's e-mail."""
    st = emu.state()
    email = {u["id"]: u["email"] or u["mobile"] for u in st["users"]}
    users = sorted(json.dumps({k: v for k, v in u.items() if k not in (
        "id", "created_at", "updated_at")}, sort_keys=True)
        for u in st["users"])
    posts = sorted(json.dumps({
        "member": email.get(p["northstar_id"]), "action_id": p["action_id"],
        "type": p["type"], "status": p["status"]}, sort_keys=True)
        for p in st["posts"])
    keys = [(p["northstar_id"], p["action_id"], p["type"])
            for p in st["posts"]]
    return users, posts, len(keys) - len(set(keys))


def env_of(emu, data):
    e = emu.env()
    e.update(SLUICE_DATA=data, BIN=BIN, SLUICE_CONCURRENCY="8")
    e.pop("QUASAR_URL", None)
    e.pop("SLUICE_VENDORS", None)
    return e


def run(cmd, env, timeout=900):
    p = subprocess.run(cmd, capture_output=True, env=env, timeout=timeout)
    return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")


def lines(path):
    return [json.loads(x) for x in open(path)] if os.path.exists(path) \
        else []


def logged(emu):
    """How many requests the emulator logged: a count, not their text
    (at 100,000 rows the log holds hundreds of thousands)."""
    if not os.path.exists(emu.log):
        return 0
    with open(emu.log, "rb") as f:
        return sum(1 for line in f if line.endswith(b"\n"))


def since(emu, n):
    """The requests logged after the first n."""
    with open(emu.log) as f:
        return [json.loads(line) for i, line in enumerate(f)
                if i >= n and line.endswith("\n")]


def last_runs(data, n):
    runs = sorted(glob.glob(os.path.join(data, "runs/turbovote/*")),
                  key=os.path.getmtime)
    return runs[-n:]


def killed_worker(p, ledger, members, deadline):
    """Waits until worker p delivers (its member ledger, or with an odd
    seed its post ledger, has lines), then kills every process of it.
    Returns where it was killed, or None when it ended first."""
    watch = ledger if SEED % 2 else members
    while time.time() < deadline and p.poll() is None:
        if os.path.exists(watch) and \
                sum(1 for _ in open(watch)) > max(20, ROWS // 40):
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            return "its %s ledger" % ("post" if SEED % 2 else "member")
        time.sleep(0.02)
    return None


def main():
    rng = random.Random(SEED)
    path = os.path.join(TMP, "shard-export.csv")
    nrows = export(path, rng)
    emu_args = ["--seed-users", str(SEEDED), "--seed-ids", "5a%022x",
                "--latency-ms", "2"]
    what = "%d rows, seed %d" % (nrows, SEED)

    one = delivery.Emulator("shard-one", *emu_args)
    try:
        data1 = os.path.join(TMP, "shard-one")
        t0 = time.time()
        rc, out = run([IMPORT, "turbovote", path], env_of(one, data1))
        t_one = time.time() - t0
        want = state_of(one)
        report(rc == 0 and want[2] == 0 and want[1],
               "shard: one worker imports the export (%s; %.1f s)" % (
                   what, t_one), out[-1500:])
        one_recs = lines(os.path.join(last_runs(data1, 1)[0],
                                      "post-northstar.ndjson"))
    finally:
        one.stop()

    four = delivery.Emulator("shard-four", *emu_args)
    try:
        data = os.path.join(TMP, "shard-four")
        env = env_of(four, data)
        t0 = time.time()
        procs = [subprocess.Popen(
            [IMPORT, "--shard", "%d/%d" % (k, N), "turbovote", path],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
            start_new_session=True) for k in range(1, N + 1)]
        st2 = os.path.join(data, "state/shard-2-of-4")
        where = killed_worker(procs[1], os.path.join(st2, "turbovote.ledger"),
                              os.path.join(st2, "turbovote.members"),
                              time.time() + 300)
        rcs = [p.wait(900) for p in procs]
        report(where is not None and rcs[1] == -signal.SIGKILL and
               all(rcs[k] == 0 for k in (0, 2, 3)),
               "shard: four workers at once, worker 2 killed while it "
               "delivers (at %s)" % where, "exit statuses %s" % rcs)

        if shutil.which("parallel"):
            cmd = ["parallel", "--will-cite", "-j", str(N), IMPORT,
                   "--shard", "{}/%d" % N, "turbovote", path, ":::"] + \
                [str(k) for k in range(1, N + 1)]
        else:
            report(True, "shard: (GNU parallel missing: the workers run "
                   "one after another)")
            cmd = ["sh", "-c", "for k in 1 2 3 4; do \"$0\" --shard $k/4 "
                   "turbovote \"$1\" || exit; done", IMPORT, path]
        rc, out = run(cmd, env)
        t_four = time.time() - t0
        got = state_of(four)
        report(rc == 0 and got[:2] == want[:2] and got[2] == 0,
               "shard: then the four again under GNU parallel: the "
               "members and posts of one worker, exactly, no post twice "
               "(%s; %.1f s)" % (what, t_four),
               "exit %s; %d/%d members, %d/%d posts, %d twice; only in "
               "one worker's: %s; only in four's: %s" % (
                   rc, len(got[0]), len(want[0]), len(got[1]),
                   len(want[1]), got[2],
                   sorted(set(want[0] + want[1]) - set(got[0] + got[1]))[:3],
                   sorted(set(got[0] + got[1]) - set(want[0] + want[1]))[:3]))

        runs = last_runs(data, N)
        recs = [lines(os.path.join(r, "post-northstar.ndjson"))
                for r in runs]
        seen_lines = [r["_meta"]["line"] for rs in recs for r in rs]
        owner = {}
        split = set()
        for k, rs in enumerate(recs):
            for r in rs:
                m = r.get("northstar_id")
                if owner.setdefault(m, k) != k:
                    split.add(m)
        report(sorted(seen_lines) ==
               sorted(r["_meta"]["line"] for r in one_recs) and
               len(seen_lines) == len(set(seen_lines)),
               "shard: every record of the export on exactly one worker",
               "%d records on the workers, %d distinct, %d in one run" % (
                   len(seen_lines), len(set(seen_lines)), len(one_recs)))
        report(not split and len(owner) > N,
               "shard: every member on exactly one worker (%d members: "
               "%s)" % (len(owner), "/".join(str(len(rs)) for rs in recs)),
               "%d members on two workers or more, e.g. %s" % (
                   len(split), sorted(split)[:3]))

        # The raw rows kept by worker 1 alone: one copy a run of it.
        raw = {os.path.basename(f)[len("csv2ndjson-"):-len(".ndjson.gz")]
               for f in glob.glob(os.path.join(
                   data, "raw/turbovote/*/csv2ndjson-*.ndjson.gz"))}
        ones = {os.path.basename(os.path.dirname(r)) for r in glob.glob(
            os.path.join(data, "runs/turbovote/*/summary.txt"))
            if "\nworker 1 of 4 " in open(r).read()}
        report(raw and raw == ones,
               "shard: the raw rows kept by worker 1 alone (%d runs)" %
               len(ones), "raw copies of %s, worker 1's runs %s" % (
                   sorted(raw), sorted(ones)))

        before = logged(four)
        rc, out = run(cmd, env)
        again = [r for r in since(four, before)
                 if r.get("method") != "POST" or "token" not in
                 r.get("path", "")]
        report(rc == 0 and not again,
               "shard: the four again send nothing",
               "exit %s, %d requests: %s" % (rc, len(again), out[-800:]))

        before = logged(four)
        rc, out = run([IMPORT, "--shard", "1/2", "turbovote", path], env)
        report(rc == 64 and "split 4 ways" in out and
               logged(four) == before,
               "shard: a worker of another split (1/2) refused (64), "
               "nothing sent", "exit %s: %s" % (rc, out[-600:]))

        # Worker 3 of another export running: its lock held, its file's
        # checksum another.
        st3 = os.path.join(data, "state/shard-3-of-4")
        with open(os.path.join(st3, "turbovote.file"), "w") as f:
            f.write("1 2\n")
        holder = subprocess.Popen(
            ["flock", os.path.join(st3, "turbovote.lock"), "sleep", "30"],
            start_new_session=True)
        try:
            time.sleep(0.3)
            before = logged(four)
            rc, out = run([IMPORT, "--shard", "1/4", "turbovote", path], env)
        finally:
            os.killpg(holder.pid, signal.SIGKILL)
            holder.wait()
        rc2, out2 = run([IMPORT, "--shard", "1/4", "turbovote", path], env)
        report(rc == 75 and "another file" in out and
               logged(four) == before and rc2 == 0,
               "shard: a worker beside a worker of another file refused "
               "(75), nothing sent; once that one ended, it runs",
               "exit %s then %s: %s" % (rc, rc2, out[-600:]))

        holder = subprocess.Popen(
            ["flock", "-s", os.path.join(data, "state/turbovote.lock"),
             "sleep", "30"], start_new_session=True)
        try:
            time.sleep(0.3)
            rc, out = run([IMPORT, "turbovote", path], env)
        finally:
            os.killpg(holder.pid, signal.SIGKILL)
            holder.wait()
        report(rc == 75, "shard: an import without --shard beside a "
               "worker refused (75)", "exit %s: %s" % (rc, out[-600:]))
    finally:
        four.stop()


try:
    main()
except Exception as e:  # a test that breaks counts as a failure
    report(False, "shard: ran to the end", repr(e))
sys.exit(1 if delivery.failures else 0)
