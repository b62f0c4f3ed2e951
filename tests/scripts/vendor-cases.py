#!/usr/bin/env python3
"""Every vendor end to end, against the Rogue/Northstar emulator, through
pipelines/import.sh, from data alone: for each folder of $SLUICE_VENDORS
(else vendors/),

  - each of its cases/e2e/*.json, a story of steps (below), on an emulator
    of its own;
  - its sample.csv imported, then imported again: the second run sends no
    write and no Rogue request;
  - its sample.csv imported under faults (500s, 429s, dropped connections,
    answers lost after writes; a new seed each run, told in the line), then
    again without them: the members and posts are those of a clean run;
  - its sample.csv imported and the whole import killed (SIGKILL, every
    process of it) at a random moment, twice, then imported again: the
    members and posts of a clean run, each exactly once.

A case file:

  {"about": "what it shows",
   "emulator": ["--slow-rate", "0.1"],           more of emulator.py's
                                                  arguments (the vendor's
                                                  own, for all its cases, are
                                                  in cases/e2e/emulator.json)
   "row": {"Status": "Step 2", ...},              the columns of every row
   "import_args": ["--set", "topic=news"],        import.sh's options (else,
                                                  for the sample too, each
                                                  required option's
                                                  "example" in export.options)
   "steps": [
     {"members": [{"email": "a@x.org", ...}]},    made through Northstar's
                                                  API, as the website would
     {"update": {"email": "a@x.org", "set": {"sms_status": "stop"}}},
     {"import": [{"Email address": "a@x.org", "Status": "Complete"}, ...]},
     {"expect": {...}, "what": "the line's name"}
   ]}

An import step writes its rows (each the case's "row" with its own
columns) as a CSV and imports it; a value "@id:a@x.org" is that member's
Northstar id. An expect step checks what the emulator
and the last import hold, each key optional:

  "exit": [0, 1]                the import's exit status is one of these
  "members": {"a@x.org": {"voter_registration_status": "step-1"} | null}
                                each field as given (null: no such member;
                                "*": any value but null)
  "posts": {"a@x.org": [{"status": "register-OVR"}, ...]}
                                the member's posts, each with these fields
                                (in any order, as many as given)
  "resets": {"to": [...] | {"a@x.org": TYPE}, "not_to": [...]}
                                activation e-mails (of that type)
  "failed_csv": ["id", ...]     the last import's failed.csv, its values
                                in any order
  "rejected": {"STAGE": ["text in the reason", ...]}   the last import's
                                rejects file of STAGE: one line a text
  "dropped": {"STAGE": {"rule": N}}            the last import's drops
  "writes": N                   POST, PUT, PATCH of the last import (the
                                token aside)
  "requests": N                 every request of the last import, the
                                token's included
  "rogue_requests": N           requests to Rogue in the last import
  "in_order": [["GET", "/v2/users/ID"], ...]   requests of the last import,
                                in this order (others between them)

Usage: vendor-cases.py BIN ROOT TMPDIR. Prints ok/not ok lines.
"""

import csv
import glob
import json
import os
import random
import signal
import subprocess
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import delivery  # noqa: E402  (the Emulator)
import vendorfile  # noqa: E402

BIN, ROOT, TMP = sys.argv[1:4]
VENDOR_DIR = os.environ.get("SLUICE_VENDORS") or os.path.join(ROOT, "vendors")
report = delivery.report


def example_options(vendor):
    return vendorfile.options(VENDOR_DIR, vendor)


class Story:
    """One emulator, one data folder: imports one after another."""

    def __init__(self, vendor, name, emulator_args, import_args=None):
        self.vendor = vendor
        self.import_args = (example_options(vendor) if import_args is None
                            else import_args)
        self.name = name
        self.emu = delivery.Emulator("%s-%s" % (vendor, name),
                                     *emulator_args)
        self.data = os.path.join(TMP, "data-%s-%s" % (vendor, name))
        self.n = 0
        self.run_dir = None
        self.status = None
        self.requests = []

    def env(self):
        e = self.emu.env()
        e.update(SLUICE_DATA=self.data, SLUICE_VENDORS=VENDOR_DIR,
                 BIN=BIN)
        e.pop("QUASAR_URL", None)
        return e

    def columns(self):
        spec = json.load(open(os.path.join(VENDOR_DIR, self.vendor,
                                           "vendor.json")))
        shape = spec.get("shape", {})
        return shape.get("columns", []) + shape.get("optional", [])

    def import_rows(self, rows, defaults):
        self.n += 1
        path = os.path.join(TMP, "%s-%s-%d.csv" % (self.vendor, self.name,
                                                   self.n))
        cols = list(defaults) or self.columns()
        for r in rows:
            cols += [k for k in r if k not in cols]
        with open(path, "w", newline="") as f:
            w = csv.DictWriter(f, cols)
            w.writeheader()
            for r in rows:
                w.writerow(dict(defaults, **r))
        return self.import_file(path)

    def killed_import(self, path, after):
        """The import started, and every process of it killed after
        `after` seconds (or when it ends first)."""
        p = subprocess.Popen([os.path.join(ROOT, "pipelines/import.sh")] +
                             self.import_args + [self.vendor, path],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=self.env(),
                             start_new_session=True)
        try:
            p.wait(timeout=after)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()

    def import_file(self, path):
        before = len(self.emu.requests())
        p = subprocess.run([os.path.join(ROOT, "pipelines/import.sh")] +
                           self.import_args + [self.vendor, path],
                           capture_output=True,
                           env=self.env(), timeout=600)
        self.status = p.returncode
        self.output = (p.stdout + p.stderr).decode("utf-8", "replace")
        self.requests = self.emu.requests()[before:]
        runs = glob.glob(os.path.join(self.data, "runs", self.vendor, "*"))
        self.run_dir = max(runs, key=os.path.getmtime) if runs else None
        return p.returncode

    def api(self, method, path, body=None):
        """Northstar itself, as the website or another import would."""
        token = self.emu.control("/v2/auth/token", {
            "grant_type": "client_credentials", "client_id": "sluice-test",
            "client_secret": delivery.SECRET})["access_token"]
        req = urllib.request.Request(
            self.emu.url + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": "Bearer " + token,
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)["data"]

    def user(self, email):
        for u in self.emu.state()["users"]:
            if u["email"] == email:
                return u
        return None

    def member_id(self, value):
        """A row's value, "@id:EMAIL" made the member's id."""
        if isinstance(value, str) and value.startswith("@id:"):
            u = self.user(value[4:])
            return u["id"] if u else "no member " + value[4:]
        return value

    def lines(self, name):
        p = os.path.join(self.run_dir or "", name)
        return [json.loads(x) for x in open(p)] if os.path.exists(p) else []


def writes(requests):
    return [r for r in requests if r["method"] != "GET" and
            r["path"] != "/v2/auth/token"]


def holds(have, want):
    return all(have.get(k) is not None if v == "*" else have.get(k) == v
               for k, v in want.items())


def check_members(s, want, problems):
    for email, fields in want.items():
        u = s.user(email)
        if fields is None:
            if u is not None:
                problems.append("member %s exists" % email)
        elif u is None:
            problems.append("no member %s" % email)
        elif not holds(u, fields):
            problems.append("member %s: %s, want %s" % (
                email, {k: u.get(k) for k in fields}, fields))


def check_posts(s, want, problems):
    st = s.emu.state()
    for email, posts in want.items():
        u = s.user(email)
        have = [p for p in st["posts"] if u and p["northstar_id"] == u["id"]]
        left = list(have)
        for w in posts:
            match = next((p for p in left if holds(p, w)), None)
            if match is None:
                problems.append("%s: no post %s among %s" % (
                    email, w, [{k: p.get(k) for k in w} for p in have]))
            else:
                left.remove(match)
        if len(have) != len(posts):
            problems.append("%s: %d posts, want %d" % (email, len(have),
                                                      len(posts)))


def check_resets(s, want, problems):
    resets = s.emu.state()["resets"]
    ids = [r["id"] for r in resets]
    to = want.get("to", [])
    for email in to:
        u = s.user(email)
        if u is None or u["id"] not in ids:
            problems.append("no activation e-mail to %s" % email)
        elif isinstance(to, dict) and not any(
                r["id"] == u["id"] and r["type"] == to[email]
                for r in resets):
            problems.append("no %s e-mail to %s" % (to[email], email))
    for email in want.get("not_to", []):
        u = s.user(email)
        if u is not None and u["id"] in ids:
            problems.append("an activation e-mail to %s" % email)


def check_files(s, want, problems):
    for stage, texts in want.get("rejected", {}).items():
        got = [r["reason"] for r in s.lines(stage + ".rejects.ndjson")]
        if len(got) != len(texts) or not all(
                any(t in g for g in got) for t in texts):
            problems.append("%s rejected %s, want %s" % (stage, got, texts))
    for stage, rules in want.get("dropped", {}).items():
        got = {}
        for r in s.lines(stage + ".dropped.ndjson"):
            got[r["rule"]] = got.get(r["rule"], 0) + 1
        if got != rules:
            problems.append("%s dropped %s, want %s" % (stage, got, rules))


def check_failed(s, want, problems):
    if "failed_csv" not in want:
        return
    p = os.path.join(s.run_dir or "", "failed.csv")
    got = []
    if os.path.exists(p):
        got = [r[0] for r in list(csv.reader(open(p)))[1:]]
    if sorted(got) != sorted(want["failed_csv"]):
        problems.append("failed.csv holds %s, want %s" % (
            got, want["failed_csv"]))


def check_requests(s, want, problems):
    if "writes" in want and len(writes(s.requests)) != want["writes"]:
        problems.append("%d writes, want %d" % (len(writes(s.requests)),
                                                 want["writes"]))
    if "requests" in want and len(s.requests) != want["requests"]:
        problems.append("%d requests, want %d: %s" % (
            len(s.requests), want["requests"],
            [[r["method"], r["path"]] for r in s.requests[:8]]))
    rogue = [r for r in s.requests if r["path"].startswith("/api/")]
    if "rogue_requests" in want and len(rogue) != want["rogue_requests"]:
        problems.append("%d Rogue requests, want %d" % (
            len(rogue), want["rogue_requests"]))
    seen = [[r["method"], r["path"]] for r in s.requests]
    at = 0
    for req in want.get("in_order", []):
        try:
            at = seen.index(req, at) + 1
        except ValueError:
            problems.append("no %s after the requests before it" % req)


def expect(s, want):
    problems = []
    if s.status not in want.get("exit", [0, 1]):
        problems.append("exit %s: %s" % (s.status, s.output[-800:]))
    check_members(s, want.get("members", {}), problems)
    check_posts(s, want.get("posts", {}), problems)
    check_resets(s, want.get("resets", {}), problems)
    check_files(s, want, problems)
    check_failed(s, want, problems)
    check_requests(s, want, problems)
    return problems


def run_case(vendor, path, emulator_args):
    case = json.load(open(path))
    name = os.path.splitext(os.path.basename(path))[0]
    s = Story(vendor, name, list(emulator_args) + case.get("emulator", []),
              case.get("import_args"))
    try:
        for i, step in enumerate(case["steps"]):
            if "members" in step:
                for m in step["members"]:
                    s.api("POST", "/v2/users", m)
            elif "update" in step:
                u = s.user(step["update"]["email"])
                s.api("PUT", "/v2/users/%s" % u["id"], step["update"]["set"])
            elif "import" in step:
                s.import_rows([{k: s.member_id(v) for k, v in r.items()}
                               for r in step["import"]], case.get("row", {}))
            elif "expect" in step:
                problems = expect(s, step["expect"])
                report(not problems, "%s: %s" % (
                    vendor, step.get("what", "%s step %d" % (name, i))),
                    "; ".join(problems[:6]))
    finally:
        s.emu.stop()


def state_of(emu):
    """Members and posts, without the ids the services gave them."""
    st = emu.state()
    email = {u["id"]: u["email"] or u["mobile"] for u in st["users"]}
    users = sorted(json.dumps(dict({k: v for k, v in u.items() if k not in (
        "id", "created_at", "updated_at", "promotions_muted_at")},
        muted=bool(u.get("promotions_muted_at"))), sort_keys=True)
        for u in st["users"])
    posts = sorted(json.dumps({
        "member": email.get(p["northstar_id"]), "action_id": p["action_id"],
        "type": p["type"], "status": p["status"], "details": p["details"]},
        sort_keys=True) for p in st["posts"])
    return users, posts


def sample(vendor, emulator_args):
    """The sample twice; then under faults, and again: a clean run's."""
    path = os.path.join(VENDOR_DIR, vendor, "sample.csv")
    clean = Story(vendor, "sample", emulator_args)
    try:
        first = clean.import_file(path)
        clean.import_file(path)
        again = clean.requests
        report(first in (0, 1) and clean.status in (0, 1) and
               not writes(again) and not any(
                   r["path"].startswith("/api/") for r in again),
               "%s: its sample imported again sends no write and no Rogue "
               "request" % vendor, "exit %s then %s; %d writes: %s" % (
                   first, clean.status, len(writes(again)),
                   clean.output[-600:]))
        want = state_of(clean.emu)
    finally:
        clean.emu.stop()
    seed = os.environ.get("SLUICE_FAULT_SEED") or str(
        random.SystemRandom().randrange(1 << 30))
    faulty = Story(vendor, "faults", list(emulator_args) + ["--seed", seed])
    try:
        faulty.emu.faults(fail_rate=0.15, rate_limit_rate=0.03,
                          retry_after=1, drop_rate=0.05,
                          fail_after_write_rate=0.05,
                          drop_after_write_rate=0.05)
        faulty.import_file(path)
        faulty.emu.faults(fail_rate=0, rate_limit_rate=0, drop_rate=0,
                          fail_after_write_rate=0, drop_after_write_rate=0)
        faulty.import_file(path)
        got = state_of(faulty.emu)
        report(got == want and faulty.status in (0, 1),
               "%s: its sample under faults (seed %s), then again: the "
               "members and posts of a clean run" % (vendor, seed),
               "exit %s; %d/%d members, %d/%d posts: %s" % (
                   faulty.status, len(got[0]), len(want[0]), len(got[1]),
                   len(want[1]), faulty.output[-600:]))
    finally:
        faulty.emu.stop()
    rng = random.Random(int(seed))
    killed = Story(vendor, "killed", list(emulator_args) + ["--latency-ms",
                                                            "2"])
    try:
        moments = [rng.uniform(0.3, 2.5) for _ in range(2)]
        for t in moments:
            killed.killed_import(path, t)
        killed.import_file(path)
        got = state_of(killed.emu)
        report(got == want and killed.status in (0, 1),
               "%s: its sample killed at %s s (seed %s), then again: the "
               "members and posts of a clean run" % (
                   vendor, " and ".join("%.1f" % t for t in moments), seed),
               "exit %s; %d/%d members, %d/%d posts: %s" % (
                   killed.status, len(got[0]), len(want[0]), len(got[1]),
                   len(want[1]), killed.output[-600:]))
    finally:
        killed.emu.stop()


def main():
    for vdir in sorted(glob.glob(os.path.join(VENDOR_DIR, "*/vendor.json"))):
        vendor = os.path.basename(os.path.dirname(vdir))
        cases = os.path.join(os.path.dirname(vdir), "cases", "e2e")
        args = []
        conf = os.path.join(cases, "emulator.json")
        if os.path.exists(conf):
            args = json.load(open(conf))
        for path in sorted(glob.glob(os.path.join(cases, "*.json"))):
            if os.path.basename(path) == "emulator.json":
                continue
            try:
                run_case(vendor, path, args)
            except Exception as e:  # a case that breaks counts as a failure
                report(False, "%s: %s ran to the end" % (
                    vendor, os.path.basename(path)), repr(e))
        if json.load(open(vdir)).get("export", {}).get("receive") is True:
            # hook-recv's vendors: their journal import, to the emulator,
            # waits for the delivery stages' member and action rules
            # (vendors/NAME/README.md); tests/scripts/hooks.py runs what
            # exists of it.
            print("skip - %s: its import to the emulator (received by "
                  "hook-recv)" % vendor)
            continue
        try:
            sample(vendor, args)
        except Exception as e:
            report(False, "%s: its sample ran to the end" % vendor, repr(e))


main()
