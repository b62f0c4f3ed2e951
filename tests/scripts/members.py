#!/usr/bin/env python3
"""The member ledger (post-northstar --members) against the emulator.

  - each vendor's sample through pipelines/import.sh twice: the second run
    sends Northstar no request at all (the emulator's request log), and
    post-northstar says requests=0;
  - a superset export (the old 8,000 rows, 1,500 new ones, 500 of the old
    ones with a higher status): exactly two requests a new row (a lookup,
    a create) and one a changed row (a PUT), nothing for the others, and
    requests=N says the same as the log;
  - --refresh: every member looked up again (one request a row);
  - post-northstar killed with SIGKILL at random moments and run again:
    every member exactly once in Northstar, every ledger line whole, and a
    last run sends nothing;
  - a vendor file with no lookup, no create and the mute-promotions action:
    one request a row, a member Northstar does not know rejected "no such
    member", _meta.northstar.muted set, and a re-run sends nothing.

Usage: members.py BIN ROOT TMPDIR. Prints ok/not ok lines.
"""

import json
import os
import random
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import delivery  # noqa: E402 (the emulator harness)

BIN, ROOT, TMP = sys.argv[1:4]
# The folder is shared with the other scripts: ours, and the emulators'
# names, apart.
TMP = os.path.join(TMP, "members")
os.makedirs(TMP, exist_ok=True)
report = delivery.report
NS = re.compile(r"^/v2/(users|email|mobile|resets)")


def ns_requests(emu, since=0):
    return [r for r in emu.requests()[since:] if NS.match(r["path"])]


def summary_requests(err_text):
    """The requests=N of post-northstar's last summary line, or None."""
    found = re.findall(r"post-northstar: .*requests=(\d+)", err_text)
    return int(found[-1]) if found else None


def run_import(emu, vendor, path, data):
    env = emu.env()
    env.update(SLUICE_DATA=data, BIN=BIN,
               SLUICE_VENDORS=os.path.join(ROOT, "vendors"))
    env.pop("QUASAR_URL", None)
    return subprocess.run([os.path.join(ROOT, "pipelines/import.sh"),
                           vendor, path], capture_output=True, env=env,
                          timeout=600)


def test_reruns_zero():
    for vendor in ("turbovote", "rock-the-vote"):
        emu = delivery.Emulator("members-rerun-" + vendor)
        try:
            data = os.path.join(TMP, "data-rerun-" + vendor)
            sample = os.path.join(ROOT, "vendors", vendor, "sample.csv")
            first = run_import(emu, vendor, sample, data)
            n1 = len(ns_requests(emu))
            before = len(emu.requests())
            second = run_import(emu, vendor, sample, data)
            again = ns_requests(emu, before)
            said = summary_requests(second.stderr.decode("utf-8", "replace"))
            ledger = os.path.join(data, "state", vendor + ".members")
            report(first.returncode in (0, 1) and second.returncode in (0, 1) and
                   n1 > 0 and again == [] and said == 0 and
                   os.path.getsize(ledger) > 0,
                   "%s: its sample imported again with the member ledger "
                   "makes zero Northstar requests (requests=0)" % vendor,
                   "status %d, %d; first run %d requests; second %r; "
                   "requests=%r\n%s" % (
                       first.returncode, second.returncode, n1, again[:5],
                       said, second.stderr.decode()[-2000:]))
        finally:
            emu.stop()


def records(n, seed, start=0, bump=()):
    """Canonical member records of n distinct e-mails; those in bump at a
    higher status."""
    rng = random.Random(seed)
    out = []
    for i in range(start, start + n):
        status = rng.choice(["uncertain", "ineligible"])
        if i in bump:
            status = "confirmed"
        out.append({"northstar_id": None, "status": "confirmed",
                    "user": {"email": "m%05d@example.org" % i,
                             "first_name": "M%d" % i,
                             "voter_registration_status": status},
                    "_meta": {"line": i + 1}})
    return out


def post_northstar(emu, recs, name, *args, timeout=600):
    inp = os.path.join(TMP, name + ".in.ndjson")
    out = os.path.join(TMP, name + ".out.ndjson")
    err = os.path.join(TMP, name + ".err")
    delivery.write_lines(inp, recs)
    with open(inp, "rb") as i, open(out, "wb") as o, open(err, "wb") as e:
        p = subprocess.run(
            [os.path.join(BIN, "post-northstar"), "--vendor", "turbovote",
             "--concurrency", "8"] + list(args), stdin=i, stdout=o,
            stderr=e, env=emu.env(), timeout=timeout)
    return p.returncode, open(err).read(), [
        json.loads(x) for x in open(out)]


def test_superset():
    emu = delivery.Emulator("members-superset")
    ledger = os.path.join(TMP, "superset.members")
    try:
        old = records(8000, 1)
        rc1, err1, _ = post_northstar(emu, old, "superset-1",
                                      "--members", ledger)
        n1 = len(ns_requests(emu))
        report(rc1 == 0 and n1 == 16000 and summary_requests(err1) == 16000,
               "8,000 new members: a lookup and a create each (16,000 "
               "requests, requests=16000)",
               "status %d, %d requests, %s" % (rc1, n1, err1[-500:]))
        bump = set(random.Random(2).sample(range(8000), 500))
        new = records(8000, 1, bump=bump) + records(1500, 3, start=8000)
        random.Random(4).shuffle(new)
        before = len(emu.requests())
        rc2, err2, out2 = post_northstar(emu, new, "superset-2",
                                         "--members", ledger)
        got = ns_requests(emu, before)
        puts = [r for r in got if r["method"] == "PUT"]
        report(rc2 == 0 and len(got) == 3500 and len(puts) == 500 and
               summary_requests(err2) == 3500 and len(out2) == 9500,
               "the superset (8,000 old rows, 1,500 new, 500 changed): "
               "exactly 3,500 requests (2 a new row, 1 a changed one)",
               "status %d, %d requests (%d PUT), requests=%r\n%s" % (
                   rc2, len(got), len(puts), summary_requests(err2),
                   err2[-500:]))
        users = emu.state()["users"]
        byemail = {u["email"]: u for u in users}
        wrong = [i for i in bump if byemail["m%05d@example.org" % i][
            "voter_registration_status"] != "confirmed"]
        report(len(users) == 9500 and not wrong,
               "the superset: 9,500 members, the 500 changed ones confirmed",
               "%d users, %d not confirmed" % (len(users), len(wrong)))
        before = len(emu.requests())
        rc3, err3, out3 = post_northstar(emu, new, "superset-3",
                                         "--members", ledger, "--refresh")
        got = ns_requests(emu, before)
        report(rc3 == 0 and len(got) == 9500 and
               all(r["method"] == "GET" for r in got) and
               summary_requests(err3) == 9500,
               "--refresh: every member looked up again, nothing else "
               "(9,500 GETs)", "status %d, %d requests" % (rc3, len(got)))
        before = len(emu.requests())
        rc4, err4, out4 = post_northstar(emu, new, "superset-4",
                                         "--members", ledger)
        ids = {r["user"]["email"]: r["northstar_id"] for r in out4}
        report(rc4 == 0 and ns_requests(emu, before) == [] and
               all(ids[u["email"]] == u["id"] for u in users) and
               all(r["_meta"]["northstar"].get("ledger") for r in out4),
               "after --refresh: a re-run sends nothing, each record "
               "with its member's id from the ledger")
    finally:
        emu.stop()


def test_kills():
    emu = delivery.Emulator("members-kills")
    ledger = os.path.join(TMP, "kills.members")
    rng = random.Random(int(os.environ.get("SLUICE_FAULT_SEED", "7")))
    recs = records(3000, 5)
    inp = os.path.join(TMP, "kills.in.ndjson")
    delivery.write_lines(inp, recs)
    try:
        for k in range(5):
            with open(inp, "rb") as i:
                p = subprocess.Popen(
                    [os.path.join(BIN, "post-northstar"), "--vendor",
                     "turbovote", "--members", ledger, "--concurrency",
                     "16"], stdin=i, stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL, env=emu.env())
                time.sleep(rng.uniform(0.2, 2.0))
                p.send_signal(signal.SIGKILL)
                p.wait()
        rc, err, out = post_northstar(emu, recs, "kills-final",
                                      "--members", ledger)
        users = emu.state()["users"]
        emails = [u["email"] for u in users]
        text = open(ledger, "rb").read()
        lines = text.split(b"\n")
        whole = text.endswith(b"\n") and all(
            json.loads(x)["fields"] == "member" for x in lines if x)
        before = len(emu.requests())
        rc2, err2, _ = post_northstar(emu, recs, "kills-last",
                                      "--members", ledger)
        report(rc == 0 and len(emails) == 3000 and
               len(set(emails)) == 3000 and whole and rc2 == 0 and
               ns_requests(emu, before) == [] and
               len({r["northstar_id"] for r in out}) == 3000,
               "killed with SIGKILL five times, then run again: every "
               "member exactly once, every ledger line whole, a last run "
               "sends nothing",
               "status %d, %d users (%d distinct), whole %s, last %d "
               "requests\n%s" % (rc, len(emails), len(set(emails)), whole,
                                 len(ns_requests(emu, before)), err[-500:]))
    finally:
        emu.stop()


def test_mute_promotions():
    emu = delivery.Emulator("members-mute")
    vend = os.path.join(TMP, "mute.json")
    ledger = os.path.join(TMP, "mute.members")
    with open(vend, "w") as f:
        json.dump({"delivery": {"member": {
            "find": [], "create": False,
            "after": [{"do": "mute-promotions"}]}}}, f)
    try:
        # Members made through the stage itself (TurboVote's rules).
        rc0, _, made = post_northstar(emu, records(20, 9), "mute-made")
        ids = [r["northstar_id"] for r in made]
        recs = [{"northstar_id": i, "user": {}} for i in ids] + [
            {"northstar_id": "0" * 24, "user": {}}]
        before = len(emu.requests())
        env = emu.env()
        inp = os.path.join(TMP, "mute.in.ndjson")
        delivery.write_lines(inp, recs)
        rej = os.path.join(TMP, "mute.rejects.ndjson")

        def run():
            with open(inp, "rb") as i:
                return subprocess.run(
                    [os.path.join(BIN, "post-northstar"), "--vendor", vend,
                     "--members", ledger, "--rejects", rej], stdin=i,
                    capture_output=True, env=env, timeout=300)
        p = run()
        got = ns_requests(emu, before)
        out = [json.loads(x) for x in p.stdout.decode().splitlines()]
        rejects = [json.loads(x) for x in open(rej)] if os.path.exists(
            rej) else []
        users = {u["id"]: u for u in emu.state()["users"]}
        report(rc0 == 0 and len(got) == 21 and
               all(r["method"] == "POST" and r["path"].endswith(
                   "/promotions") for r in got) and len(out) == 20 and
               all(r["_meta"]["northstar"].get("muted") for r in out) and
               all(users[i].get("promotions_muted_at") for i in ids) and
               len(rejects) == 1 and "no such member" in json.dumps(
                   rejects[0]),
               "mute promotions, no lookup: one request a row, an unknown "
               "member rejected \"no such member\", muted in _meta",
               "%d requests, %d out, %d rejects\n%s" % (
                   len(got), len(out), len(rejects), p.stderr.decode()))
        before = len(emu.requests())
        p2 = run()
        again = ns_requests(emu, before)
        report(p2.returncode == p.returncode and len(again) == 1,
               "mute promotions again: only the unknown member is asked "
               "again (the others remembered muted)",
               "%d requests" % len(again))
    finally:
        emu.stop()


for name in sys.argv[4:] or ["reruns_zero", "superset", "kills",
                             "mute_promotions"]:
    try:
        globals()["test_" + name]()
    except Exception as e:  # a crash of the test is a failure, not a stop
        report(False, "%s ran to the end" % name, repr(e))
sys.exit(1 if delivery.failures else 0)
