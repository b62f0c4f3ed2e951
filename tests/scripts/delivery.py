#!/usr/bin/env python3
"""End-to-end tests of post-northstar and post-rogue against the emulator.

Each test starts tests/servers/emulator.py on a free loopback port (and
stops it, also on failure), runs the real stages on records made here, and
checks what the emulator then holds and what its request log says:

  - a TurboVote export through shape | status-map | post-northstar |
    post-rogue: the users and posts the business rules give (computed here
    from vendors/turbovote/README.md's status table and hierarchies,
    independently of the stages);
  - with 20% 500/503s, 429s, dropped connections and writes whose answers
    are lost: every record delivered exactly once;
  - the pipeline killed with SIGKILL at random moments and run again, several
    times: one post per key with the highest status, nothing missing;
  - the same export run twice: no write request the second time, and with
    dedupe --seen in front of post-rogue no Rogue request at all;
  - tokens that expire during the run; credentials refused (77); a service
    that stays down (69, every record in the rejects file); --dry-run;
  - the progress line on a pseudo-terminal;
  - a token endpoint that echoes the request (401, 400) or refuses with 403
    and an API that echoes the bearer token: no secret and no token in any
    output, 77 for every refusal;
  - bad URLs and --cacert files found at start-up (64, nothing sent), and a
    certificate nobody vouches for (64) in every stage that connects;
  - creates whose answers are lost, for members all new: counted created;
  - stdout closed in the middle of deliveries: 74, and the ledger holds
    every post Rogue holds.

Usage: delivery.py BIN ROOT TMPDIR [TEST...] (test names without "test_";
SLUICE_FAULT_SEED sets the fault dice). Prints ok/not ok lines.
"""

import json
import os
import random
import re
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BIN, ROOT, TMP = sys.argv[1:4]
VENDOR = "turbovote"
SECRET = "s3cr3t-" + "%08x" % random.Random(os.getpid()).getrandbits(32)
RANK = ["uncertain", "ineligible", "confirmed", "register-OVR",
        "register-form"]
USER_RANK = ["uncertain", "ineligible", "unregistered", "confirmed",
             "registration_complete"]
failures = 0


def report(ok, what, detail=""):
    global failures
    print(("ok - " if ok else "not ok - ") + what)
    if not ok:
        failures += 1
        if detail:
            sys.stderr.write(detail + "\n")
    sys.stdout.flush()


class Emulator:
    """The emulator in the background, with its own database and log."""

    def __init__(self, name, *args, tls=None):
        self.dir = os.path.join(TMP, "emu-" + name)
        os.makedirs(self.dir, exist_ok=True)
        self.log = os.path.join(self.dir, "requests.ndjson")
        self.args = list(args)
        self.scheme = "http"
        if tls:
            self.args += ["--tls-cert", tls[0], "--tls-key", tls[1]]
            self.scheme = "https"
        self.proc = None
        self.start()

    def start(self):
        portfile = os.path.join(self.dir, "port")
        if os.path.exists(portfile):
            os.remove(portfile)
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "tests/servers/emulator.py"),
             "--port", "0", "--port-file", portfile,
             "--db", os.path.join(self.dir, "db.sqlite"), "--log", self.log]
            + self.args, stdout=subprocess.DEVNULL, stderr=open(
                os.path.join(self.dir, "err"), "ab"),
            # The secret in the environment, so that no argv holds it.
            env=dict(os.environ, NORTHSTAR_CLIENT_SECRET=SECRET,
                     NORTHSTAR_CLIENT_ID="sluice-test"))
        for _ in range(200):
            if os.path.exists(portfile) and open(portfile).read().strip():
                break
            if self.proc.poll() is not None:
                raise RuntimeError("the emulator exited")
            time.sleep(0.05)
        self.port = int(open(portfile).read())
        self.url = "%s://127.0.0.1:%d" % (self.scheme, self.port)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def control(self, path, body=None):
        req = urllib.request.Request(
            self.url + path, data=None if body is None else
            json.dumps(body).encode(), method="GET" if body is None
            else "POST", headers={"Content-Type": "application/json"})
        # The test's own look at the state trusts the emulator's
        # certificate; the stages under test do not.
        ctx = ssl._create_unverified_context() if self.scheme == "https" \
            else None
        with urllib.request.urlopen(req, timeout=10, context=ctx) as r:
            return json.load(r)

    def state(self):
        return self.control("/_emulator/state")

    def faults(self, **kw):
        return self.control("/_emulator/faults", kw)

    def requests(self):
        if not os.path.exists(self.log):
            return []
        return [json.loads(line) for line in open(self.log)
                if line.endswith("\n")]

    def env(self, secret=SECRET):
        e = dict(os.environ)
        e.update(NORTHSTAR_URL=self.url, ROGUE_URL=self.url,
                 NORTHSTAR_CLIENT_ID="sluice-test",
                 NORTHSTAR_CLIENT_SECRET=secret, SLUICE_PROGRESS="0")
        return e


def self_signed(d):
    """A certificate for 127.0.0.1 and its key, in d: (cert, key), or
    (None, None) when openssl cannot make one."""
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    gen = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
         "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"], capture_output=True)
    return (cert, key) if gen.returncode == 0 else (None, None)


def stage(name, *args):
    return [os.path.join(BIN, name)] + list(args)


def run_pipeline(cmds, inp, out, env, err_path, timeout=300):
    """Runs stages connected by pipes; returns their exit statuses."""
    procs = []
    src = open(inp, "rb")
    err = open(err_path, "ab")
    for i, cmd in enumerate(cmds):
        last = i == len(cmds) - 1
        p = subprocess.Popen(cmd, stdin=src,
                             stdout=open(out, "wb") if last else
                             subprocess.PIPE, stderr=err, env=env)
        if procs:
            procs[-1].stdout.close()
        src = p.stdout
        procs.append(p)
    return [p.wait(timeout) for p in procs], procs


def tv_export(path, n, seed, members):
    """A TurboVote export as csv2ndjson writes it, with known members."""
    rng = random.Random(seed)
    statuses = ["initiated", "registered", "registered", "unknown", "pending",
                "ineligible", "not-required"]
    methods = ["online", "by-mail", ""]
    rows = []
    for i in range(n):
        m = members[rng.randrange(len(members))]
        rows.append({
            "id": "%024x" % rng.getrandbits(96), "first-name": m["first"],
            "middle-name": "", "last-name": m["last"], "phone": m["phone"],
            "email": m["email"], "registered-address-street": "1 Main St",
            "registered-address-street-2": "",
            "registered-address-city": "Austin",
            "registered-address-state": "TX",
            "registered-address-zip": "73301",
            "mailing-address-street": "", "mailing-address-street-2": "",
            "mailing-address-city": "", "mailing-address-state": "",
            "mailing-address-zip": "", "dob": "2000-01-01",
            "language-preference": "en",
            "hostname": "dosomething.turbovote.org",
            "referral-code": rng.choice([
                "", "campaignID:8017,campaignRunID:8022,source:email",
                "user:%s,campaignID:8017" % ("%024x" % rng.getrandbits(96))]),
            "partner-comms-opt-in": "true",
            "created-at": "2018-08-17T15:17:37Z",
            "updated-at": "2018-08-17T15:20:01Z",
            "voter-registration-status": rng.choice(statuses),
            "voter-registration-source": "user",
            "voter-registration-method": rng.choice(methods),
            "voting-method-preference": "in-person",
            "email subscribed": "true", "sms subscribed": "false",
            "_meta": {"source": "turbovote", "file": "export.csv",
                      "line": i + 2}})
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r, separators=(",", ":"),
                               ensure_ascii=False) + "\n")
    return rows


def reference_status(row):
    """TurboVote's status table: (post status, member status)."""
    s, m = row["voter-registration-status"], row["voter-registration-method"]
    if s == "initiated":
        return "register-form", "registration_complete"
    if s == "registered":
        if m == "online":
            return "register-OVR", "registration_complete"
        return "confirmed", "confirmed"
    if s in ("unknown", "pending"):
        return "uncertain", "uncertain"
    return "ineligible", "ineligible"


def members_for(n, seed):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        phone = rng.choice(["", "212-254-%04d" % (1000 + i),
                            "000-000-0000"])
        out.append({"first": "M%d" % i, "last": "Test", "phone": phone,
                    "email": "Member%d@Example.org" % i})
    return out


def expected_from(rows):
    """Per member e-mail: the highest post and member status."""
    want = {}
    for r in rows:
        post, user = reference_status(r)
        e = r["email"].lower()
        p, u = want.get(e, (None, None))
        if p is None or RANK.index(post) > RANK.index(p):
            p = post
        if u is None or USER_RANK.index(user) > USER_RANK.index(u):
            u = user
        want[e] = (p, u)
    return want


def check_state(emu, want, what):
    st = emu.state()
    users = {u["email"]: u for u in st["users"]}
    by_id = {u["id"]: u["email"] for u in st["users"]}
    posts = {}
    dup = []
    for p in st["posts"]:
        e = by_id.get(p["northstar_id"])
        if (e, p["action_id"]) in posts:
            dup.append(e)
        posts[(e, p["action_id"])] = p["status"]
    problems = []
    if len(st["users"]) != len(want):
        problems.append("%d users, want %d" % (len(st["users"]), len(want)))
    if dup:
        problems.append("duplicate posts for %s" % dup[:3])
    for e, (p, u) in want.items():
        if e not in users:
            problems.append("no user %s" % e)
            continue
        if users[e]["voter_registration_status"] != u:
            problems.append("%s: member status %s, want %s" % (
                e, users[e]["voter_registration_status"], u))
        if posts.get((e, 954)) != p:
            problems.append("%s: post %s, want %s" % (
                e, posts.get((e, 954)), p))
    if len(st["posts"]) != len(want):
        problems.append("%d posts, want %d" % (len(st["posts"]), len(want)))
    report(not problems, what, "; ".join(problems[:8]))
    return not problems


def pipeline_cmds(ledger, extra=(), dedupe=False, concurrency="8"):
    cmds = [stage("shape", "--vendor", VENDOR),
            stage("status-map", "--vendor", VENDOR),
            stage("post-northstar", "--vendor", VENDOR, "--concurrency",
                  concurrency, "--rejects", os.path.join(TMP, "ns-rej"),
                  *extra)]
    if dedupe:
        cmds.append(stage("dedupe", "--vendor", VENDOR, "--keep", "first",
                          "--seen", ledger))
    cmds.append(stage("post-rogue", "--vendor", VENDOR, "--ledger", ledger,
                      "--concurrency", concurrency,
                      "--rejects", os.path.join(TMP, "rogue-rej"),
                      *extra))
    return cmds


def test_turbovote_flow():
    emu = Emulator("flow")
    try:
        rows = tv_export(os.path.join(TMP, "flow.ndjson"), 240, 1,
                         members_for(60, 1))
        want = expected_from(rows)
        ledger = os.path.join(TMP, "flow.ledger")
        out = os.path.join(TMP, "flow.out")
        err = os.path.join(TMP, "flow.err")
        codes, _ = run_pipeline(pipeline_cmds(ledger),
                                os.path.join(TMP, "flow.ndjson"), out,
                                emu.env(), err)
        report(codes == [0, 0, 0, 0],
               "TurboVote flow: every stage exits 0", "codes %s: %s" % (
                   codes, open(err).read()[-1500:]))
        check_state(emu, want,
                    "TurboVote flow: the emulator holds the users and posts "
                    "the reference rules give")
        results = [json.loads(l)["_meta"]["rogue"]["result"]
                   for l in open(out)]
        report(len(results) == 240 and set(results) <=
               {"created", "upgraded", "unchanged", "skipped"},
               "TurboVote flow: every record goes on with _meta.rogue")

        # The same export again: no write of any kind.
        n = len(emu.requests())
        codes, _ = run_pipeline(pipeline_cmds(ledger),
                                os.path.join(TMP, "flow.ndjson"), out,
                                emu.env(), err)
        again = emu.requests()[n:]
        writes = [r for r in again if r["method"] != "GET"
                  and r["path"] != "/v2/auth/token"]
        rogue = [r for r in again if r["path"].startswith("/api/v3")]
        report(codes == [0, 0, 0, 0] and not writes and not rogue,
               "the same export again: no POST, PUT or PATCH, and no Rogue "
               "request (the ledger)", "%d writes, %d Rogue requests" %
               (len(writes), len(rogue)))
        n = len(emu.requests())
        codes, _ = run_pipeline(pipeline_cmds(ledger, dedupe=True),
                                os.path.join(TMP, "flow.ndjson"), out,
                                emu.env(), err)
        again = emu.requests()[n:]
        rogue = [r for r in again if r["path"].startswith("/api/v3")]
        report(codes == [0] * 5 and not rogue and os.path.getsize(out) == 0,
               "with dedupe --seen in front: no Rogue request, nothing left "
               "to post", "codes %s, %d Rogue requests" % (codes, len(rogue)))
        check_state(emu, want, "after the re-runs: still the same users "
                    "and posts")
    finally:
        emu.stop()


def test_faults():
    # A new seed each run, told in the test's line, so a failure can be
    # repeated with SLUICE_FAULT_SEED.
    seed = os.environ.get("SLUICE_FAULT_SEED") or str(
        random.SystemRandom().randrange(1 << 30))
    emu = Emulator("faults", "--seed", seed)
    try:
        rows = tv_export(os.path.join(TMP, "faults.ndjson"), 200, 2,
                         members_for(50, 2))
        want = expected_from(rows)
        emu.faults(fail_rate=0.2, rate_limit_rate=0.03, retry_after=1,
                   drop_rate=0.05, fail_after_write_rate=0.05,
                   drop_after_write_rate=0.05)
        ledger = os.path.join(TMP, "faults.ledger")
        err = os.path.join(TMP, "faults.err")
        env = emu.env()
        codes, _ = run_pipeline(
            pipeline_cmds(ledger, ("--retries", "30"), concurrency="16"),
            os.path.join(TMP, "faults.ndjson"), os.path.join(TMP, "f.out"),
            env, err)
        log = emu.requests()
        faults = sum(1 for r in log if r["fault"])
        report(codes == [0, 0, 0, 0] and faults > 50,
               "with 20%% 500/503s, 429s, drops and lost answers (%d faults, "
               "seed %s): every stage exits 0" % (faults, seed),
               "codes %s: %s" % (codes, open(err).read()[-2000:]))
        emu.faults(fail_rate=0, rate_limit_rate=0, drop_rate=0,
                   fail_after_write_rate=0, drop_after_write_rate=0)
        check_state(emu, want, "with faults (seed %s): every record "
                    "delivered exactly once (one user per member, one post "
                    "per key)" % seed)
    finally:
        emu.stop()


def test_kills():
    emu = Emulator("kills", "--latency-ms", "5")
    rng = random.Random(3)
    try:
        rows = tv_export(os.path.join(TMP, "kills.ndjson"), 300, 3,
                         members_for(80, 3))
        want = expected_from(rows)
        ledger = os.path.join(TMP, "kills.ledger")
        err = os.path.join(TMP, "kills.err")
        killed = 0
        for _ in range(5):
            cmds = pipeline_cmds(ledger, concurrency="8")
            procs = []
            src = open(os.path.join(TMP, "kills.ndjson"), "rb")
            for i, cmd in enumerate(cmds):
                last = i == len(cmds) - 1
                p = subprocess.Popen(cmd, stdin=src, stdout=subprocess.DEVNULL
                                     if last else subprocess.PIPE,
                                     stderr=open(err, "ab"), env=emu.env())
                if procs:
                    procs[-1].stdout.close()
                src = p.stdout
                procs.append(p)
            time.sleep(rng.uniform(0.05, 0.6))
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGKILL)
                    killed += 1
            for p in procs:
                p.wait()
        codes, _ = run_pipeline(pipeline_cmds(ledger),
                                os.path.join(TMP, "kills.ndjson"),
                                os.path.join(TMP, "k.out"), emu.env(), err)
        report(codes == [0, 0, 0, 0] and killed > 0,
               "killed with SIGKILL %d times, then run to the end: exit 0"
               % killed, "codes %s" % codes)
        check_state(emu, want, "after the kills: one user per member, one "
                    "post per key with the highest status, nothing missing")
    finally:
        emu.stop()


def canonical(n, seed):
    """Canonical records with Northstar ids, for post-rogue alone."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        out.append({"northstar_id": "%024x" % (rng.randrange(n // 2) + 1),
                    "action_id": 954, "type": "voter-reg",
                    "status": rng.choice(RANK), "source": "turbovote",
                    "details": {"i": str(i)}, "_meta": {"line": i + 1}})
    return out


def write_lines(path, recs):
    with open(path, "w") as f:
        for r in recs:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")


def test_tokens_and_failures():
    recs = canonical(60, 4)
    inp = os.path.join(TMP, "canon.ndjson")
    write_lines(inp, recs)
    # About 40 requests of 60 ms one at a time: 2.4 s, tokens of 1 s.
    emu = Emulator("tokens", "--token-ttl", "1", "--latency-ms", "60")
    try:
        p = subprocess.run(stage("post-rogue", "--vendor", VENDOR, "--concurrency",
                                 "1", inp), capture_output=True,
                           env=emu.env(), timeout=120)
        tokens = [r for r in emu.requests()
                  if r["path"] == "/v2/auth/token"]
        report(p.returncode == 0 and len(tokens) >= 2,
               "tokens that expire during the run are renewed (%d tokens)"
               % len(tokens), p.stderr.decode()[-800:])
        everything = p.stdout + p.stderr + open(emu.log, "rb").read()
        report(SECRET.encode() not in everything,
               "the client secret appears in no output and no request log")
    finally:
        emu.stop()

    emu = Emulator("refused")
    try:
        rej = os.path.join(TMP, "refused.rej")
        p = subprocess.run(stage("post-rogue", "--vendor", VENDOR, "--rejects", rej,
                                 inp), capture_output=True,
                           env=emu.env("wrong-secret"), timeout=60)
        n = sum(1 for _ in open(rej))
        report(p.returncode == 77 and n == 60 and b"credentials refused"
               in p.stderr, "wrong credentials: exit 77, every record in "
               "the rejects file", "exit %d, %d rejects: %s" % (
                   p.returncode, n, p.stderr.decode()[-500:]))
        st = emu.state()
        report(not st["posts"], "wrong credentials: nothing posted")
    finally:
        emu.stop()

    emu = Emulator("down")
    url = emu.url
    emu.stop()  # nothing listens there any more
    env = emu.env()
    env["ROGUE_URL"] = env["NORTHSTAR_URL"] = url
    rej = os.path.join(TMP, "down.rej")
    t0 = time.time()
    p = subprocess.run(stage("post-rogue", "--vendor", VENDOR, "--rejects", rej,
                             "--retries", "3", "--retry-max-time", "2", inp),
                       capture_output=True, env=env, timeout=60)
    n = sum(1 for _ in open(rej))
    report(p.returncode == 69 and n == 60 and b"in=60 out=0 dropped=0 "
           b"rejected=60" in p.stderr, "a service that stays down: exit 69 "
           "after the retries (%.1f s), every record in the rejects file"
           % (time.time() - t0), "exit %d, %d rejects: %s" % (
               p.returncode, n, p.stderr.decode()[-600:]))


def test_dry_run():
    recs = canonical(10, 5)
    inp = os.path.join(TMP, "dry.ndjson")
    write_lines(inp, recs)
    env = dict(os.environ, ROGUE_URL="http://127.0.0.1:9")
    env.pop("NORTHSTAR_CLIENT_SECRET", None)
    p = subprocess.run(stage("post-rogue", "--vendor", VENDOR, "--dry-run", inp),
                       capture_output=True, env=env, timeout=30)
    lines = [json.loads(l) for l in p.stdout.splitlines()]
    ok = p.returncode == 0 and len(lines) == 10 and all(
        [q["method"] for q in l["requests"]] == ["GET", "POST"]
        for l in lines)
    report(ok, "--dry-run writes the requests it would send and needs no "
           "credentials", p.stderr.decode()[-500:])


def test_progress():
    recs = canonical(200, 6)
    inp = os.path.join(TMP, "progress.ndjson")
    write_lines(inp, recs)
    emu = Emulator("progress", "--latency-ms", "20")
    try:
        env = emu.env()
        env["SLUICE_PROGRESS"] = ""
        del env["SLUICE_PROGRESS"]
        ts = os.path.join(TMP, "typescript")
        cmd = "%s --vendor %s --concurrency 2 %s >/dev/null" % (
            os.path.join(BIN, "post-rogue"), VENDOR, inp)
        subprocess.run(["script", "-qec", cmd, ts], env=env,
                       stdout=subprocess.DEVNULL, timeout=120)
        text = open(ts, "rb").read()
        report(b"records" in text and b"/s" in text and b"\x1b[K" in text,
               "the progress line is drawn on a terminal", repr(text[-300:]))
    finally:
        emu.stop()


def test_tls():
    cert, key = self_signed(TMP)
    if cert is None:
        print("skip - TLS: openssl cannot make a certificate")
        return
    recs = canonical(20, 7)
    inp = os.path.join(TMP, "tls.ndjson")
    write_lines(inp, recs)
    emu = Emulator("tls", tls=(cert, key))
    try:
        # Not trusted is a configuration error, in every stage that
        # connects: 64, saying what to do, not 69 ("run again later").
        env = dict(emu.env(), QUASAR_URL=emu.url + "/quasar",
                   RTV_URL=emu.url + "/api/v4", RTV_PARTNER_ID="p",
                   RTV_PARTNER_API_KEY="k")
        bad = []
        for cmd in (["post-rogue", "--vendor", VENDOR, inp],
                    ["post-northstar", "--vendor", VENDOR, inp],
                    ["post-quasar", "--format", "ndjson", "--spool",
                     os.path.join(TMP, "tls-spool"), inp],
                    ["fetch-rtv"]):
            p = subprocess.run(stage(*cmd), capture_output=True, env=env,
                               timeout=60)
            if p.returncode != 64 or b"the server's certificate is not " \
                    b"trusted: give its CA with --cacert" not in p.stderr:
                bad.append("%s: exit %d: %s" % (
                    cmd[0], p.returncode, p.stderr.decode()[-300:]))
        tries = [r for r in emu.requests() if r["path"] != "/v2/auth/token"]
        report(not bad and not emu.state()["posts"] and not tries,
               "HTTPS with a certificate nobody vouches for: exit 64, "
               "\"give its CA with --cacert\", in all four stages, nothing "
               "sent", "\n".join(bad))
        p = subprocess.run(stage("post-rogue", "--vendor", VENDOR, "--cacert", cert,
                                 inp), capture_output=True, env=emu.env(),
                           timeout=60)
        report(p.returncode == 0 and len(emu.state()["posts"]) > 0,
               "HTTPS with --cacert naming the certificate: delivered",
               "exit %d: %s" % (p.returncode, p.stderr.decode()[-400:]))
    finally:
        emu.stop()


def test_secrets():
    """The import with a known secret: not in any argv, output or file."""
    emu = Emulator("secrets", "--latency-ms", "15")
    data = os.path.join(TMP, "secrets-data")
    os.makedirs(data, exist_ok=True)
    try:
        rows = tv_export(os.path.join(TMP, "secrets.ndjson"), 60, 8,
                         members_for(20, 8))
        # The import reads CSV: write the rows back as CSV.
        import csv
        path = os.path.join(TMP, "secrets export.csv")
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            cols = [k for k in rows[0] if k != "_meta"]
            w.writerow(cols)
            for r in rows:
                w.writerow([r[c] for c in cols])
        env = emu.env()
        env["SLUICE_DATA"] = data
        p = subprocess.Popen([os.path.join(ROOT, "pipelines/import.sh"),
                              "--tee-all", "turbovote", path], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        seen_in_argv = False
        while p.poll() is None:
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    with open("/proc/%s/cmdline" % pid, "rb") as f:
                        if SECRET.encode() in f.read():
                            seen_in_argv = True
                except OSError:
                    pass
            time.sleep(0.02)
        out, err = p.communicate()
        found = [] if SECRET.encode() not in out + err else ["output"]
        for root, _, names in os.walk(data):
            for n in names:
                blob = open(os.path.join(root, n), "rb").read()
                if n.endswith(".gz"):
                    import gzip
                    blob = gzip.decompress(blob)
                if SECRET.encode() in blob:
                    found.append(n)
        if SECRET.encode() in open(emu.log, "rb").read():
            found.append("the emulator's request log")
        kept = sorted(n.split("-2")[0] for _, _, ns in
                      os.walk(os.path.join(data, "raw")) for n in ns)
        report(kept == ["csv2ndjson", "dedupe", "post-northstar", "shape",
                        "status-map"],
               "the import with --tee-all keeps every stage's output under "
               "raw/ (post-rogue's is results.ndjson)", "kept: %s" % kept)
        report(p.returncode in (0, 1) and not seen_in_argv and not found,
               "the import with a known secret: in no process's argv, "
               "output, log, result, reject or raw file",
               "exit %d, argv %s, found in %s: %s" % (
                   p.returncode, seen_in_argv, found, err.decode()[-500:]))
    finally:
        emu.stop()


class TinyServer:
    """A loopback server of the test's own: answer(method, path, headers,
    body) gives (status, JSON object) for every request; requests counts
    them."""

    def __init__(self, answer):
        outer = self
        self.requests = 0

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def serve(self):
                outer.requests += 1
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode("utf-8", "replace")
                status, obj = answer(self.command, self.path, self.headers,
                                     body)
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


ECHO_SECRET = "TOPSECRET123"
MEMBER = {"northstar_id": "5552aa34469c64ec7d8b715b", "action_id": 954,
          "type": "voter-reg", "status": "confirmed",
          "user": {"email": "echo@example.org"}}


def run_one(name, url, secret, *args):
    """One stage on one record against url; (status, everything it wrote,
    the rejects file's text)."""
    inp = os.path.join(TMP, "one.ndjson")
    write_lines(inp, [MEMBER])
    rej = os.path.join(TMP, "one.rej")
    if os.path.exists(rej):
        os.remove(rej)
    env = dict(os.environ, NORTHSTAR_URL=url, ROGUE_URL=url,
               NORTHSTAR_CLIENT_ID="sluice-test",
               NORTHSTAR_CLIENT_SECRET=secret, SLUICE_PROGRESS="0")
    p = subprocess.run(stage(name, "--vendor", VENDOR, "--rejects", rej,
                             "--retries", "0", *args, inp),
                       capture_output=True, env=env, timeout=60)
    rejects = open(rej).read() if os.path.exists(rej) else ""
    return p.returncode, p.stdout + p.stderr, rejects


def test_secret_echoed():
    """A token endpoint that quotes the request it refuses: the client
    secret in it never reaches stderr, the rejects or stdout."""
    for code in (401, 400, 403):
        srv = TinyServer(lambda m, path, h, body, code=code: (
            code, {"message": "bad request: " + body}))
        try:
            for name in ("post-northstar", "post-rogue"):
                rc, out, rej = run_one(name, srv.url, ECHO_SECRET)
                # The echo reached the messages (as the mark), and the
                # secret is nowhere.
                report(rc == 77 and len(rej.splitlines()) == 1 and
                       "client_secret" in rej and "[redacted]" in rej and
                       ECHO_SECRET not in rej and
                       ECHO_SECRET.encode() not in out,
                       "%s: a token endpoint that echoes the request with "
                       "%d: exit 77, the secret in no output or reject"
                       % (name, code), "exit %d: %s %s" % (
                           rc, out.decode()[-600:], rej[-600:]))
        finally:
            srv.stop()


def test_token_echoed():
    """An API that quotes the request's Authorization header in a 422:
    the access token is not in the reject's reason."""
    token = "tok-%08x" % random.getrandbits(32)

    def answer(method, path, headers, body):
        if path == "/v2/auth/token":
            return 200, {"access_token": token, "expires_in": 3600}
        if method == "GET" and path.startswith("/api/v3/posts"):
            return 200, {"data": [], "meta": {"pagination": {
                "total_pages": 1}}}
        if method == "GET":
            return 404, {"error": {"message": "not found"}}
        said = "refused: %s %s" % (headers.get("Authorization"), body)
        return 422, {"message": said, "error": {"message": said}}

    srv = TinyServer(answer)
    try:
        for name in ("post-northstar", "post-rogue"):
            rc, out, rej = run_one(name, srv.url, ECHO_SECRET)
            report(rc == 1 and "Bearer [redacted]" in rej and
                   token not in rej and token.encode() not in out,
                   "%s: an API that echoes the bearer token: the token in "
                   "no reject or output" % name, "exit %d: %s %s" % (
                       rc, out.decode()[-400:], rej[-400:]))
    finally:
        srv.stop()


def test_config_errors():
    """Configuration errors are found before any request: exit 64 and a
    message naming the problem, in every stage that talks to a service."""
    srv = TinyServer(lambda m, path, h, body: (500, {"message": "no"}))
    der = os.path.join(TMP, "ca.der")
    with open(der, "wb") as f:
        f.write(b"\x30\x82\x01\x0a" + os.urandom(64))
    inp = os.path.join(TMP, "one.ndjson")
    write_lines(inp, [MEMBER])
    stages = {
        "post-northstar": ["--vendor", VENDOR, inp],
        "post-rogue": ["--vendor", VENDOR, inp],
        "post-quasar": ["--table", "t", "--spool",
                        os.path.join(TMP, "cfg-spool"), inp],
        "fetch-rtv": [],
    }
    cases = [(["--url", "notaurl"], "bad URL in --url: not a URL"),
             (["--url", "ftp://x"], "bad URL in --url: ftp:// URLs are not "
              "supported"),
             (["--url", ""], "bad URL in --url: the URL is empty"),
             (["--url", "http://"], "bad URL in --url"),
             (["--cacert", os.path.join(TMP, "no-such.pem")],
              "bad --cacert: %s: No such file" % os.path.join(
                  TMP, "no-such.pem")),
             (["--cacert", der], "no PEM certificate in it"),
             (["--cacert", TMP], "not a file")]
    env = dict(os.environ, NORTHSTAR_URL=srv.url, ROGUE_URL=srv.url,
               QUASAR_URL=srv.url, RTV_URL=srv.url + "/api/v4",
               RTV_PARTNER_ID="p", RTV_PARTNER_API_KEY="k",
               NORTHSTAR_CLIENT_ID="sluice-test",
               NORTHSTAR_CLIENT_SECRET=SECRET, SLUICE_PROGRESS="0")
    try:
        bad = []
        for name, args in stages.items():
            for extra, want in cases:
                p = subprocess.run(stage(name, *extra, *args),
                                   capture_output=True, env=env, timeout=60)
                err = p.stderr.decode()
                if p.returncode != 64 or want not in err:
                    bad.append("%s %s: exit %d: %s" % (
                        name, extra, p.returncode, err[-300:]))
        # The token endpoint's URL, for the two stages that take a token.
        for name in ("post-northstar", "post-rogue"):
            e = dict(env, NORTHSTAR_URL="ftp://x")
            p = subprocess.run(stage(name, "--url", srv.url, "--vendor", VENDOR,
                                     inp), capture_output=True, env=e,
                               timeout=60)
            if p.returncode != 64 or b"bad URL in NORTHSTAR_URL" not in \
                    p.stderr:
                bad.append("%s NORTHSTAR_URL=ftp://x: exit %d" % (
                    name, p.returncode))
        report(not bad and srv.requests == 0,
               "bad URLs and --cacert files: exit 64 at start-up with the "
               "problem named, in all four stages, nothing sent",
               "%d requests; %s" % (srv.requests, "\n".join(bad[:8])))
    finally:
        srv.stop()


def test_created_after_lost_answer():
    """Creates committed whose answers are lost: the lookups after them
    find the members this run made, counted as created, not found."""
    seed = os.environ.get("SLUICE_FAULT_SEED") or str(
        random.SystemRandom().randrange(1 << 30))
    emu = Emulator("lost-creates", "--seed", seed)
    try:
        n = 120
        recs = [{"user": {"email": "new%d@example.org" % i,
                          "first_name": "N%d" % i},
                 "_meta": {"line": i + 1}} for i in range(n)]
        inp = os.path.join(TMP, "lost-creates.ndjson")
        write_lines(inp, recs)
        emu.faults(drop_after_write_rate=0.3, fail_after_write_rate=0.3)
        p = subprocess.run(stage("post-northstar", "--vendor", VENDOR,
                                 "--retries", "30", inp),
                           capture_output=True, env=emu.env(), timeout=300)
        lost = sum(1 for r in emu.requests() if r["path"] == "/v2/users"
                   and r["fault"] in ("drop-after-write",
                                      "fail-after-write"))
        results = [json.loads(l)["_meta"]["northstar"]["result"]
                   for l in p.stdout.splitlines()]
        users = emu.state()["users"]
        summary = ("found=0 created=%d " % n).encode()
        report(p.returncode == 0 and lost > 10 and summary in p.stderr and
               results == ["created"] * n and len(users) == n,
               "%d new members, %d creates' answers lost (seed %s): "
               "counted found=0 created=%d" % (n, lost, seed, n),
               "exit %d, %d users, results %s: %s" % (
                   p.returncode, len(users),
                   {x: results.count(x) for x in set(results)},
                   p.stderr.decode()[-400:]))
    finally:
        emu.stop()


def ledger_keys(path):
    """The ledger's latest status of each key."""
    out = {}
    for line in open(path):
        if line.endswith("\n"):
            e = json.loads(line)
            out[tuple(e["key"])] = e["status"]
    return out


def test_stdout_closed():
    """The reader of post-rogue's output goes away while requests are in
    flight: no death by SIGPIPE; the requests on the wire end, the ledger
    holds every post Rogue holds, the exit status is 74."""
    emu = Emulator("stdout-closed", "--latency-ms", "40")
    try:
        n = 400
        recs = [{"northstar_id": "%024x" % (i + 1), "action_id": 954,
                 "type": "voter-reg", "status": "register-form",
                 "details": {"i": str(i)}, "_meta": {"line": i + 1}}
                for i in range(n)]
        inp = os.path.join(TMP, "closed.ndjson")
        write_lines(inp, recs)
        ledger = os.path.join(TMP, "closed.ledger")
        rej = os.path.join(TMP, "closed.rej")
        p = subprocess.Popen(stage("post-rogue", "--vendor", VENDOR, "--ledger",
                                   ledger, "--rejects", rej,
                                   "--concurrency", "8", inp),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=emu.env())
        # The reader goes away once deliveries are under way (nothing read:
        # a closed pipe is a closed pipe, however much was read of it).
        t0 = time.time()
        while len(emu.state()["posts"]) < 30 and p.poll() is None and \
                time.time() - t0 < 60:
            time.sleep(0.02)
        p.stdout.close()
        at_close = len(emu.state()["posts"])
        err = p.stderr.read().decode()
        rc = p.wait(120)
        posts = {(q["northstar_id"], q["action_id"], q["type"]): q["status"]
                 for q in emu.state()["posts"]}
        held = ledger_keys(ledger)
        missing = [k for k, v in posts.items() if held.get(k) != v]
        rejects = [json.loads(l) for l in open(rej)]
        unwritten = sum(1 for r in rejects if r["reason"] ==
                        "delivered, but not written: stdout was closed")
        # Records handed to stdout in the write that failed are lost to
        # the reader: the summary counts them as unwritten, not out.
        m = re.search(r"in=(\d+) out=(\d+) dropped=0 rejected=(\d+)"
                      r"(?: unwritten=(\d+))?", err)
        lost = int(m.group(4) or 0) if m else -1
        told = "stdout closed: %d records delivered but not written" % (
            unwritten + lost)
        summary = "in=%d out=%d dropped=0 rejected=%d" % (
            n, n - len(rejects) - lost, len(rejects))
        # Once it is seen, no request starts: those on the wire (8 at most)
        # and those the same turn started are all that may still post.
        report(rc == 74 and 30 <= len(posts) <= at_close + 16 and
               not missing and told in err and summary in err,
               "stdout closed with %d posts made, %d after: exit 74, no "
               "request started after, every post Rogue holds is in the "
               "ledger, the rest rejected" % (at_close, len(posts) -
                                                at_close),
               "exit %d, %d posts (%d at the close), %d not in the ledger, "
               "%d rejects: %s" % (rc, len(posts), at_close, len(missing),
                                   len(rejects), err[-600:]))
        # The records whose posts Rogue holds, again: skipped by the
        # ledger, not one request to Rogue.
        again = os.path.join(TMP, "closed-again.ndjson")
        write_lines(again, [r for r in recs if (
            r["northstar_id"], 954, "voter-reg") in posts])
        before = len(emu.requests())
        q = subprocess.run(stage("post-rogue", "--vendor", VENDOR, "--ledger",
                                 ledger, again), capture_output=True,
                           env=emu.env(), timeout=120)
        rogue = [r for r in emu.requests()[before:]
                 if r["path"].startswith("/api/v3")]
        report(q.returncode == 0 and not rogue,
               "after it, the records delivered run again: no request to "
               "Rogue", "exit %d, %d Rogue requests" % (q.returncode,
                                                        len(rogue)))
        # post-northstar, its stdout read by head -c 1.
        users = [{"user": {"email": "closed%d@example.org" % i}}
                 for i in range(200)]
        write_lines(inp, users)
        r = subprocess.Popen(stage("post-northstar", "--vendor", VENDOR,
                                   "--concurrency", "8", inp),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=emu.env())
        r.stdout.read(1)
        r.stdout.close()
        err = r.stderr.read().decode()
        rc = r.wait(120)
        report(rc == 74 and "stdout closed: " in err and
               "records delivered but not written" in err,
               "post-northstar with its reader gone after one byte: exit "
               "74, told", "exit %d: %s" % (rc, err[-400:]))
    finally:
        emu.stop()


if __name__ == "__main__":
    TESTS = (test_turbovote_flow, test_faults, test_kills,
             test_tokens_and_failures, test_dry_run, test_progress, test_tls,
             test_secrets, test_secret_echoed, test_token_echoed,
             test_config_errors, test_created_after_lost_answer,
             test_stdout_closed)
    for t in TESTS:
        if sys.argv[4:] and t.__name__[5:] not in sys.argv[4:]:
            continue
        try:
            t()
        except Exception as e:  # a test that breaks counts as a failure
            report(False, "%s ran to the end" % t.__name__, repr(e))
