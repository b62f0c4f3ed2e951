#!/usr/bin/env python3
"""post-rogue's posts per event and actions found by a filter, end to end.

Runs the real post-rogue with the made-up call tool's vendor file
(tests/vendors/callday: one phone-call post per call, a call being its
details.call_timestamp and details.campaign_target_name; the Rogue action
found by callpower_campaign_id) against the emulator on a free loopback
port, and checks what the emulator then holds and what its log says:

  - per-event posts exactly once: members' calls over two campaigns, each
    call in the input twice (once incomplete, once accepted), under 500s,
    dropped connections and creates whose answers are lost: one post per
    call at its best status; run again with the ledger: no request at all
    (requests=0); run again without it: every post found again by its
    call, none created;
  - the action filter: the records of one campaign cost one GET of
    /api/v3/actions; a campaign Rogue has no action for is asked once and
    its records rejected with the reason; quantity and created_at arrive
    in Rogue; requests=N in the summary is what the emulator logged;
  - an action lookup answered 503 (a server of this test): retried, then
    the stage stops with 69, every record rejected, no post asked for.

Usage: post-events.py BIN ROOT TMPDIR (SLUICE_FAULT_SEED sets the dice).
Prints ok/not ok lines; every server is stopped, also on failure.
"""

import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BIN, ROOT, TMP = sys.argv[1:4]
VENDOR = os.path.join(ROOT, "tests/vendors/callday/vendor.json")
SECRET = "s3cr3t-%08x" % random.Random(os.getpid()).getrandbits(32)
ACTIONS = ["--action", "1003:phone-call:9003:Call your senator:callpower=42",
           "--action", "1005:phone-call:9003:Call your governor:callpower=43",
           "--action", "1006:share-social:9003"]
ACTION_OF = {"42": 1003, "43": 1005}
failures = 0


def report(ok, what, detail=""):
    global failures
    print(("ok - " if ok else "not ok - ") + "post-events: " + what)
    if not ok:
        failures += 1
        if detail:
            sys.stderr.write(str(detail)[:3000] + "\n")
    sys.stdout.flush()


class Emulator:
    """The emulator in the background, with its own database and log."""

    def __init__(self, name, *args):
        self.dir = os.path.join(TMP, "emu-" + name)
        os.makedirs(self.dir, exist_ok=True)
        self.log = os.path.join(self.dir, "requests.ndjson")
        portfile = os.path.join(self.dir, "port")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "tests/servers/emulator.py"),
             "--port", "0", "--port-file", portfile,
             "--db", os.path.join(self.dir, "db.sqlite"), "--log", self.log]
            + list(args), stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.dir, "err"), "ab"),
            env=dict(os.environ, NORTHSTAR_CLIENT_SECRET=SECRET,
                     NORTHSTAR_CLIENT_ID="sluice-test"))
        for _ in range(200):
            if os.path.exists(portfile) and open(portfile).read().strip():
                break
            if self.proc.poll() is not None:
                raise RuntimeError("the emulator exited")
            time.sleep(0.05)
        self.url = "http://127.0.0.1:%d" % int(open(portfile).read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def control(self, path, body=None):
        req = urllib.request.Request(
            self.url + path, data=None if body is None else
            json.dumps(body).encode(), method="GET" if body is None
            else "POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)

    def posts(self):
        return self.control("/_emulator/state")["posts"]

    def faults(self, **kw):
        return self.control("/_emulator/faults", kw)

    def requests(self):
        if not os.path.exists(self.log):
            return []
        return [json.loads(line) for line in open(self.log)
                if line.endswith("\n")]


def env_for(url):
    e = dict(os.environ)
    e.update(NORTHSTAR_URL=url, ROGUE_URL=url,
             NORTHSTAR_CLIENT_ID="sluice-test",
             NORTHSTAR_CLIENT_SECRET=SECRET, SLUICE_PROGRESS="0")
    return e


def post_rogue(url, inp, *args, timeout=300):
    """(exit status, output records, stderr text) of post-rogue."""
    p = subprocess.run(
        [os.path.join(BIN, "post-rogue"), "--vendor", VENDOR] + list(args)
        + [inp], capture_output=True, env=env_for(url), timeout=timeout)
    return (p.returncode, [json.loads(line) for line in p.stdout.splitlines()],
            p.stderr.decode("utf-8", "replace"))


def requests_told(err):
    m = re.search(r"^post-rogue: created=.* requests=([0-9]+)$", err, re.M)
    return int(m.group(1)) if m else None


def call(member, campaign, i, status, target="Sen. Ada Park"):
    ts = "2026-11-%02d %02d:%02d:00" % (1 + i % 28, i % 24, i % 60)
    return {"northstar_id": member, "callpower_campaign_id": campaign,
            "type": "phone-call", "status": status, "source": "callday",
            "source_details": "Callday", "quantity": 1, "created_at": ts,
            "details": {"call_timestamp": ts, "call_duration": str(i),
                        "campaign_target_name": target,
                        "campaign_target_title": "Senator"}}


def write_lines(path, recs):
    with open(path, "w") as f:
        for i, r in enumerate(recs):
            r = dict(r, _meta={"source": "callday", "line": i + 2})
            f.write(json.dumps(r, separators=(",", ":")) + "\n")


def member(n):
    return "5552aa34469c64ec7d8b%04x" % n


def identity(post):
    d = json.loads(post["details"])
    return (post["northstar_id"], d["call_timestamp"],
            d["campaign_target_name"])


def rogue_date(ts):
    return ts.replace(" ", "T") + "+00:00"


def test_exactly_once():
    seed = os.environ.get("SLUICE_FAULT_SEED") or str(
        random.SystemRandom().randrange(1 << 30))
    rng = random.Random(seed)
    recs, want = [], {}
    for m in range(3):
        for i in range(40):
            campaign = "42" if i % 3 else "43"
            target = "Sen. Ada Park" if i % 2 else "Rep. Bo Chan"
            # Every call twice: incomplete, then (most) accepted.
            best = "accepted" if i % 5 else "incomplete"
            for status in ("incomplete", best):
                recs.append(call(member(m), campaign, i, status, target))
            key = (member(m), recs[-1]["details"]["call_timestamp"], target)
            want[key] = (best, ACTION_OF[campaign], recs[-1]["created_at"])
    rng.shuffle(recs)
    inp = os.path.join(TMP, "events.ndjson")
    write_lines(inp, recs)
    ledger = os.path.join(TMP, "events.ledger")
    emu = Emulator("events", "--seed", seed, *ACTIONS)
    try:
        emu.faults(fail_rate=0.15, drop_rate=0.05,
                   drop_after_write_rate=0.2, fail_after_write_rate=0.1)
        rc, out, err = post_rogue(emu.url, inp, "--ledger", ledger,
                                  "--retries", "30", "--concurrency", "8")
        log = emu.requests()
        lost = sum(1 for r in log if r["method"] == "POST" and
                   r["path"] == "/api/v3/posts" and
                   r["fault"] in ("drop-after-write", "fail-after-write"))
        posts = emu.posts()
        got = {}
        for p in posts:
            got.setdefault(identity(p), []).append(
                (p["status"], p["action_id"], p["created_at"],
                 p["quantity"]))
        exact = all(len(v) == 1 for v in got.values())
        right = exact and set(got) == set(want) and all(
            got[k][0] == (s, a, rogue_date(t), 1)
            for k, (s, a, t) in want.items())
        report(rc == 0 and lost > 0 and right,
               "%d calls twice each under faults (%d creates' answers lost, "
               "seed %s): one post per call at its best status, its action "
               "found by campaign, quantity and created_at kept"
               % (len(want), lost, seed),
               "exit %d, %d posts for %d calls, exact %s: %s" % (
                   rc, len(posts), len(want), exact, err[-800:]))
        emu.faults(fail_rate=0, drop_rate=0, drop_after_write_rate=0,
                   fail_after_write_rate=0)
        before = len(emu.requests())
        rc, out, err = post_rogue(emu.url, inp, "--ledger", ledger)
        report(rc == 0 and len(emu.requests()) == before and
               requests_told(err) == 0 and
               all(r["_meta"]["rogue"]["result"] == "skipped" for r in out),
               "again with the ledger: no request at all, requests=0",
               "exit %d, %d requests: %s" % (
                   rc, len(emu.requests()) - before, err[-500:]))
        before = len(emu.requests())
        rc, out, err = post_rogue(emu.url, inp)
        new = emu.requests()[before:]
        creates = [r for r in new if r["method"] != "GET"
                   and r["path"] != "/v2/auth/token"]
        report(rc == 0 and not creates and len(emu.posts()) == len(want)
               and all(r["_meta"]["rogue"]["result"] == "unchanged"
                       for r in out) and
               requests_told(err) == len(new),
               "again without the ledger: every post found by its call, "
               "no write; requests=N is what Rogue logged",
               "exit %d, %d writes, %d posts, told %s of %d: %s" % (
                   rc, len(creates), len(emu.posts()), requests_told(err),
                   len(new), err[-500:]))
    finally:
        emu.stop()


def test_action_filter():
    recs = [call(member(10 + i), "42", i, "accepted") for i in range(30)]
    recs += [call(member(50 + i), "999", i, "accepted") for i in range(5)]
    recs += [call(member(60 + i), "43", i, "incomplete") for i in range(3)]
    inp = os.path.join(TMP, "filter.ndjson")
    write_lines(inp, recs)
    rejects = os.path.join(TMP, "filter.rejects")
    emu = Emulator("filter", *ACTIONS)
    try:
        rc, out, err = post_rogue(emu.url, inp, "--rejects", rejects,
                                  "--concurrency", "16")
        log = emu.requests()
        gets = sorted(r["query"] for r in log
                      if r["path"] == "/api/v3/actions")
        rej = [json.loads(line) for line in open(rejects)]
        reasons = {r["reason"] for r in rej}
        report(rc == 1 and gets == [
            "filter%5Bcallpower_campaign_id%5D=42",
            "filter%5Bcallpower_campaign_id%5D=43",
            "filter%5Bcallpower_campaign_id%5D=999"],
               "38 records of three campaigns: one action lookup each",
               "exit %d, lookups %s: %s" % (rc, gets, err[-500:]))
        report(len(rej) == 5 and reasons == {
            "no Rogue action with callpower_campaign_id 999"},
               "an unknown campaign: its records rejected with the reason, "
               "asked once", "%s" % reasons)
        posts = emu.posts()
        report(len(posts) == 33 and
               sorted({p["action_id"] for p in posts}) == [1003, 1005] and
               all(p["quantity"] == 1 and p["type"] == "phone-call" and
                   re.fullmatch(r"2026-11-\d\dT\d\d:\d\d:00\+00:00",
                                p["created_at"]) for p in posts) and
               all("action_id" in r for r in out),
               "quantity and created_at arrive in Rogue; the records go on "
               "with their action_id", json.dumps(posts[:2]))
        report(requests_told(err) == len(log),
               "requests=N counts every request (token, lookups, creates)",
               "told %s, logged %d" % (requests_told(err), len(log)))
    finally:
        emu.stop()


class Down(BaseHTTPRequestHandler):
    """A token endpoint that works and a Rogue whose actions are 503."""
    protocol_version = "HTTP/1.1"
    seen = []

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Down.seen.append(("POST", self.path.split("?")[0]))
        if self.path == "/v2/auth/token":
            self.answer(200, {"token_type": "Bearer", "expires_in": 3600,
                              "access_token": "t0ken"})
        else:
            self.answer(500, {"message": "not here"})

    def do_GET(self):
        Down.seen.append(("GET", self.path.split("?")[0]))
        self.answer(503, {"message": "Service Unavailable"})


def test_lookup_down():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Down)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        recs = [call(member(70 + i), "42", i, "accepted") for i in range(6)]
        inp = os.path.join(TMP, "down.ndjson")
        write_lines(inp, recs)
        rejects = os.path.join(TMP, "down.rejects")
        url = "http://127.0.0.1:%d" % srv.server_address[1]
        rc, out, err = post_rogue(url, inp, "--rejects", rejects,
                                  "--retries", "2", "--retry-max-time", "20")
        rej = [json.loads(line) for line in open(rejects)]
        gets = [s for s in Down.seen if s == ("GET", "/api/v3/actions")]
        others = [s for s in Down.seen if s[1] not in (
            "/api/v3/actions", "/v2/auth/token")]
        report(rc == 69 and len(gets) == 3 and not others and
               len(rej) == 6 and not out and requests_told(err) == 4,
               "an action lookup answered 503: retried twice, then exit 69, "
               "every record rejected, no post asked for",
               "exit %d, %d lookups, others %s, %d rejects: %s" % (
                   rc, len(gets), others, len(rej), err[-600:]))
    finally:
        srv.shutdown()
        srv.server_close()


def main():
    for test in (test_exactly_once, test_action_filter, test_lookup_down):
        try:
            test()
        except Exception as e:  # a test that throws is a failure
            report(False, test.__name__ + " ran to its end", repr(e))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
