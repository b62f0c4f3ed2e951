#!/usr/bin/env python3
"""The inbox (build/bin/inbox) end to end, through pipelines/import.sh,
against the Rogue/Northstar emulator:

  - a partial upload: a .part file left alone past the settling time, then
    taken at once when renamed (in less than the settling time);
  - a forced vendor (incoming/VENDOR/) with the directory's options;
  - a file copied in and still growing: not taken until it stopped
    changing for the settling time, then imported whole;
  - a re-upload of the same bytes: a duplicate, moved to done/, nothing
    sent;
  - an unknown file, an empty file, a vendor's header with garbage rows;
  - a forced vendor the file is not: failed/, the exit status and the
    summary's last lines in its reason;
  - a required option missing, then given in FILE.options;
  - two workers on one inbox: every file imported exactly once;
  - kill -9 of the inbox and its import mid-import, then a run: the claim
    given back and imported, the emulator holding the members and posts
    of one clean run;
  - inbox which: every vendor's sample recognised as its own;
  - inbox status, --help, a usage error; SIGTERM ends watch with 143.

Usage: inbox.py BIN ROOT TMPDIR [cli|uploads|two|killed...]. Prints ok/not
ok lines.
"""

import csv
import glob
import io
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import delivery  # noqa: E402  (the Emulator, report)

BIN, ROOT, TMP = sys.argv[1:4]
VENDORS = os.path.join(ROOT, "vendors")
report = delivery.report
SETTLE = 5


def sample(vendor):
    with open(os.path.join(VENDORS, vendor, "sample.csv"), newline="") as f:
        return list(csv.reader(f))


def as_csv(rows):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


class Inbox:
    def __init__(self, name, emu):
        self.dir = os.path.join(TMP, "inbox-" + name)
        self.emu = emu
        self.watchers = []
        for d in ("incoming", "state"):
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)

    def env(self):
        e = self.emu.env()
        e.update(BIN=BIN, SLUICE_IMPORT=os.path.join(
            ROOT, "pipelines/import.sh"))
        for k in ("SLUICE_DATA", "QUASAR_URL", "SLUICE_VENDORS"):
            e.pop(k, None)
        return e

    def cmd(self, *args):
        return [os.path.join(BIN, "inbox")] + list(args)

    def run(self, *args, timeout=120):
        return subprocess.run(self.cmd(*args), capture_output=True,
                              env=self.env(), timeout=timeout)

    def watch(self, *args):
        p = subprocess.Popen(self.cmd(*args, "watch", self.dir),
                             stdout=subprocess.DEVNULL,
                             stderr=open(os.path.join(self.dir, "watch.err"),
                                         "ab"),
                             env=self.env(), start_new_session=True)
        self.watchers.append(p)
        return p

    def stop(self):
        codes = []
        for p in self.watchers:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
            try:
                codes.append(p.wait(60))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                codes.append(p.wait())
        self.watchers = []
        return codes

    def path(self, rel):
        return os.path.join(self.dir, rel)

    def drop(self, rel, text, via_part=True):
        """An upload: written to NAME.part, then renamed."""
        dst = self.path("incoming/" + rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        tmp = dst + ".part" if via_part else dst
        with open(tmp, "w", newline="") as f:
            f.write(text)
        if via_part:
            os.rename(tmp, dst)

    def lines(self):
        p = self.path("state/imports.ndjson")
        if not os.path.exists(p):
            return []
        return [json.loads(x) for x in open(p) if x.endswith("\n")]

    def line(self, rel):
        got = [x for x in self.lines() if x["file"] == rel]
        return got[-1] if got else None

    def wait_lines(self, n, timeout=60):
        end = time.time() + timeout
        while time.time() < end and len(self.lines()) < n:
            time.sleep(0.1)
        return len(self.lines()) >= n

    def waiting(self, rel):
        return os.path.exists(self.path("incoming/" + rel))


def writes(emu, since):
    return [r for r in emu.requests()[since:] if r["method"] != "GET" and
            r["path"] != "/v2/auth/token"]


def state_of(emu):
    """Members and posts, without the ids and times the services gave."""
    st = emu.state()
    who = {u["id"]: u["email"] or u["mobile"] for u in st["users"]}
    users = sorted(json.dumps({k: v for k, v in u.items() if k not in (
        "id", "created_at", "updated_at", "promotions_muted_at")},
        sort_keys=True) for u in st["users"])
    posts = sorted(json.dumps({
        "member": who.get(p["northstar_id"]), "action_id": p["action_id"],
        "type": p["type"], "status": p["status"]}, sort_keys=True)
        for p in st["posts"])
    return users, posts


def test_uploads(emu):
    ib = Inbox("uploads", emu)
    ib.watch("--settle", str(SETTLE), "--rescan", "1")
    try:
        uploads(ib, emu)
    finally:
        codes = ib.stop()
    report(codes == [143], "watch: SIGTERM ends it with 143", str(codes))
    st = ib.run("status", ib.dir)
    out = st.stdout.decode()
    report(st.returncode == 0 and "email-subscription/list.csv" in out and
           "duplicate" in out and "failed/junk.csv" in out and
           "waiting in incoming/:\n  nothing" in out,
           "status: the last files and nothing waiting", out)


def uploads(ib, emu):
    es = sample("email-subscription")
    os.makedirs(ib.path("incoming/email-subscription"), exist_ok=True)
    with open(ib.path("incoming/email-subscription/.options"), "w") as f:
        f.write("# every list of this folder\ntopic=news\n"
                "source_detail=inbox-test\n")
    part = ib.path("incoming/email-subscription/list.csv.part")
    with open(part, "w", newline="") as f:
        f.write(as_csv(es))
    time.sleep(SETTLE + 1.5)
    report(os.path.exists(part) and not ib.lines(),
           "a .part upload is left alone past the settling time")
    t0 = time.time()
    os.rename(part, part[:-5])
    while ib.waiting("email-subscription/list.csv") and \
            time.time() - t0 < 10:
        time.sleep(0.05)
    took = time.time() - t0
    report(took < SETTLE - 1, "renamed, it is taken at once (%.1f s, the "
           "settling time %d s)" % (took, SETTLE))
    ib.wait_lines(1)
    x = ib.line("email-subscription/list.csv") or {}
    report(x.get("result") == "imported" and x.get("vendor") ==
           "email-subscription" and x.get("forced") is True and
           x.get("options") == {"topic": "news",
                                "source_detail": "inbox-test"} and
           x.get("rows") == len(es) - 1 and x.get("exit") in (0, 1) and
           x.get("members", {}).get("created", 0) > 0 and
           os.path.exists(ib.path(x.get("moved_to", "-"))) and
           os.path.isdir(x.get("run") or "-") and
           x.get("report") == (x.get("run") or "") + "/report.html" and
           open(os.path.join(x.get("run") or "-", "summary.txt")).readline()
           == "== email-subscription import of email-subscription/list.csv\n",
           "a forced vendor with the folder's options: imported as "
           "uploaded (its name), its line read from the run's summary",
           json.dumps(x))

    # A copy still growing: never taken while it grows.
    niche = sample("niche")
    dst = ib.path("incoming/leads.csv")
    early = False
    with open(dst, "w", newline="") as f:
        for i in range(0, len(niche), 20):
            f.write(as_csv(niche[i:i + 20]))
            f.flush()
            time.sleep(0.6)
            early = early or not os.path.exists(dst)
    report(not early, "a copy still growing is not taken")
    ib.wait_lines(2, timeout=SETTLE + 40)
    x = ib.line("leads.csv") or {}
    report(x.get("vendor") == "niche" and x.get("forced") is False and
           x.get("rows") == len(niche) - 1 and x.get("result") == "imported",
           "once settled it is recognised by its header and imported whole",
           json.dumps(x))

    # The same bytes again.
    before = len(emu.requests())
    ib.drop("email-subscription/list-again.csv", as_csv(es))
    ib.wait_lines(3)
    x = ib.line("email-subscription/list-again.csv") or {}
    report(x.get("result") == "duplicate" and
           (x.get("duplicate_of") or {}).get("file") ==
           "email-subscription/list.csv" and x.get("exit") is None and
           os.path.exists(ib.path(x.get("moved_to", "-"))) and
           x.get("moved_to", "").startswith("done/") and
           not writes(emu, before),
           "a re-upload of the same bytes: a duplicate, in done/, nothing "
           "sent", json.dumps(x))

    tv = sample("turbovote")
    ib.drop("junk.csv", "a,b\n1,2\n")
    ib.drop("empty.csv", "")
    ib.drop("garbage.csv", as_csv([tv[0]]) + "".join(
        "\x01\x02 garbage,%d,\"unclosed\n" % i if i % 3 else
        "%d,,,\n" % i for i in range(30)))
    ib.wait_lines(6)
    x = ib.line("junk.csv") or {}
    reason = ""
    if os.path.exists(ib.path("failed/junk.csv.reason")):
        reason = open(ib.path("failed/junk.csv.reason")).read()
    report(x.get("result") == "failed" and x.get("vendor") is None and
           x.get("moved_to") == "failed/junk.csv" and
           "columns seen (2): a, b" in reason and
           "lacks 1 of its 1 required columns: email" in reason,
           "an unknown file: failed/, the reason names the columns seen "
           "and the closest vendors", json.dumps(x) + reason)
    x = ib.line("empty.csv") or {}
    report(x.get("result") == "failed" and x.get("reason") == "empty file"
           and os.path.exists(ib.path("failed/empty.csv.reason")),
           "an empty file: failed/, with its reason", json.dumps(x))
    x = ib.line("garbage.csv") or {}
    report(x.get("vendor") == "turbovote" and x.get("exit") not in (None,
                                                                    0) and
           (x.get("imported") or 0) == 0 and (x.get("rejected") or 0) > 0,
           "a vendor's header with garbage rows: recognised, nothing "
           "imported, the rejects counted", json.dumps(x))

    # A forced vendor the file is not: the import fails, the reason says
    # how, with the summary's last lines.
    ib.drop("turbovote/leads.csv", as_csv(niche))
    ib.wait_lines(7)
    x = ib.line("turbovote/leads.csv") or {}
    reason = ""
    if os.path.exists(ib.path("failed/leads.csv.reason")):
        reason = open(ib.path("failed/leads.csv.reason")).read()
    report(x.get("result") == "failed" and x.get("exit") == 65 and
           x.get("forced") is True and os.path.isdir(x.get("run") or "-") and
           "the import ended with 65" in reason and
           "the summary's last lines:" in reason and "exit 65" in reason and
           "mv failed/leads.csv incoming/turbovote/" in reason,
           "a forced vendor the file is not: failed/, the reason gives the "
           "exit status and the summary's last lines", json.dumps(x) + reason)

    # Options: a required one missing, then given beside the file.
    ib.drop("subs-none.csv", as_csv(es[:40]))
    ib.wait_lines(8)
    x = ib.line("subs-none.csv") or {}
    report(x.get("result") == "failed" and
           x.get("reason") == "a required option missing" and
           "topic" in open(ib.path("failed/subs-none.csv.reason")).read(),
           "a required option missing: failed/, the reason names it",
           json.dumps(x))
    ib.drop("subs.csv.options", "topic=community\nsource_detail=fair\n")
    ib.drop("subs.csv", as_csv([es[0]] + es[40:90]))
    ib.wait_lines(9)
    x = ib.line("subs.csv") or {}
    report(x.get("result") == "imported" and x.get("vendor") ==
           "email-subscription" and x.get("options") ==
           {"topic": "community", "source_detail": "fair"} and
           os.path.exists(ib.path(x.get("moved_to", "-") + ".options")),
           "FILE.options: the import gets its options, kept beside the "
           "file", json.dumps(x))


def test_two_workers(emu):
    ib = Inbox("two", emu)
    files = {}
    for vendor in ("niche", "text-signups"):
        rows = sample(vendor)
        for k in range(3):
            part = rows[1 + k * 67:1 + (k + 1) * 67]
            files["%s-%d.csv" % (vendor, k)] = (vendor, len(part))
            ib.drop("%s-%d.csv" % (vendor, k), as_csv([rows[0]] + part))
    for _ in range(2):
        ib.watch("--settle", "0", "--rescan", "1")
    ok = ib.wait_lines(len(files), timeout=90)
    time.sleep(1)
    ib.stop()
    lines = ib.lines()
    per = {}
    for x in lines:
        per.setdefault(x["file"], []).append(x)
    done = glob.glob(ib.path("done/*/*.csv"))
    report(ok and sorted(per) == sorted(files) and
           all(len(v) == 1 and v[0]["result"] == "imported" and
               v[0]["vendor"] == files[k][0] and v[0]["rows"] == files[k][1]
               for k, v in per.items()) and len(done) == len(files) and
           not os.listdir(ib.path("incoming")) and
           not glob.glob(ib.path("work/*/*")),
           "two workers on one inbox: every file imported exactly once "
           "(workers %s)" % sorted({x["worker"] for x in lines}),
           json.dumps(lines)[:1500])


def test_killed(emu_args):
    tv = open(os.path.join(VENDORS, "turbovote", "sample.csv")).read()
    clean_emu = delivery.Emulator("inbox-clean", *emu_args)
    killed_emu = delivery.Emulator("inbox-killed", *emu_args)
    try:
        clean = Inbox("clean", clean_emu)
        clean.drop("export.csv", tv)
        r = clean.run("--settle", "0", "run", clean.dir)
        want = state_of(clean_emu)
        report(r.returncode == 0 and (clean.line("export.csv") or {}).get(
            "result") == "imported", "a clean run through the inbox",
            r.stderr.decode()[-800:])

        ib = Inbox("killed", killed_emu)
        ib.drop("export.csv", tv)
        p = subprocess.Popen(ib.cmd("--settle", "0", "run", ib.dir),
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=ib.env(),
                             start_new_session=True)
        t0 = time.time()
        while not glob.glob(ib.path("runs/turbovote/*/stages.log")) and \
                time.time() - t0 < 20:
            time.sleep(0.05)
        time.sleep(1.5)
        alive = p.poll() is None
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        claimed = glob.glob(ib.path("work/*/export.csv"))
        report(alive and claimed and not ib.lines(),
               "kill -9 mid-import: the file stays claimed in work/, no "
               "line", "alive=%s claimed=%s" % (alive, claimed))
        r = ib.run("--settle", "0", "run", ib.dir)
        x = ib.line("export.csv") or {}
        got = state_of(killed_emu)
        report(r.returncode == 0 and x.get("result") == "imported" and
               not glob.glob(ib.path("work/*/*")) and got == want,
               "the next run gives the claim back and imports it: the "
               "members and posts of one clean run",
               "exit %d; %d/%d members, %d/%d posts; %s" % (
                   r.returncode, len(got[0]), len(want[0]), len(got[1]),
                   len(want[1]), r.stderr.decode()[-800:]))
    finally:
        clean_emu.stop()
        killed_emu.stop()


def test_cli():
    inbox = os.path.join(BIN, "inbox")
    h = subprocess.run([inbox, "--help"], capture_output=True)
    report(h.returncode == 0 and b"Example:" in h.stdout and
           b"watch DIR" in h.stdout, "--help: usage with an example")
    # Every vendor's sample is recognised as its own (a vendor added later
    # whose columns make another's ambiguous shows here), the made-up
    # vendors' too.
    for folder in (VENDORS, os.path.join(ROOT, "tests/vendors")):
        samples = sorted(glob.glob(os.path.join(folder, "*/sample.csv")))
        samples = [p for p in samples if not json.load(open(os.path.join(
            os.path.dirname(p), "vendor.json"))).get("export", {}).get(
                "receive")]
        w = subprocess.run([inbox, "which"] + samples, capture_output=True,
                           env=dict(os.environ, SLUICE_VENDORS=folder))
        want = "".join("%s: %s\n" % (p, os.path.basename(os.path.dirname(p)))
                       for p in samples)
        report(w.returncode == 0 and w.stdout.decode() == want and samples,
               "which: each sample of %s is its own vendor's (%d)" % (
                   os.path.relpath(folder, ROOT), len(samples)),
               w.stdout.decode())
    junk = os.path.join(TMP, "junk.csv")
    with open(junk, "w") as f:
        f.write("a,b\n1,2\n")
    w = subprocess.run([inbox, "which", junk], capture_output=True)
    report(w.returncode == 65 and b"columns seen (2): a, b" in w.stdout,
           "which: a file no vendor fits, 65 and why", w.stdout.decode())
    u = subprocess.run([inbox, "sweep", TMP], capture_output=True)
    report(u.returncode == 64 and b"unknown command 'sweep'" in u.stderr,
           "an unknown command: 64", u.stderr.decode())


def main():
    only = sys.argv[4:]  # test names, to run some: cli uploads two killed

    def want(name):
        return not only or name in only
    if want("cli"):
        test_cli()
    emu = delivery.Emulator("inbox")
    try:
        if want("uploads"):
            test_uploads(emu)
        if want("two"):
            test_two_workers(emu)
    finally:
        emu.stop()
    if want("killed"):
        test_killed(["--latency-ms", "2"])
    sys.exit(1 if delivery.failures else 0)


main()
