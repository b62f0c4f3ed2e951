#!/usr/bin/env python3
"""The webhook imports end to end: partners' requests to hook-recv, the
journal, then pipelines/import.sh callpower and softedge against the
Rogue/Northstar emulator.

  - CallPower: clients post calls (and retry what was not answered 2xx)
    while hook-recv is killed (SIGKILL) at random moments; then the import:
    every call answered 2xx is exactly one phone-call post (accepted when
    the call completed, incomplete otherwise, quantity 1, source_details
    CallPower, created_at the call's time, the call's fields as details),
    at the action of its CallPower campaign, for a member found by mobile
    or created with that mobile and SMS status stop; the anonymous Twilio
    numbers are dropped; a campaign with no action is rejected, not
    retried; nothing refused by the receiver is a post. The import again:
    no request at all; the segments are gone.
  - SoftEdge: one accepted email post per e-mail, quantity 1, source
    details SoftEdge; the same e-mail posted twice (the partner's retry) is
    one post.

Usage: hooks-e2e.py BIN ROOT TMPDIR. Prints ok/not ok lines.
"""

import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import delivery  # noqa: E402  (the Emulator, report)

BIN, ROOT, TMP = sys.argv[1:4]
report = delivery.report
HR = os.path.join(BIN, "hook-recv")
# The receiver serves every vendor with a receive section: vendors/events
# too, whose routes need their keys to start.
KEYS = {"CALLPOWER_API_KEYS": "cp-key", "SOFTEDGE_API_KEYS": "se-key",
        "EVENTS_API_KEYS": "ev-key"}
ANONYMOUS = "+266696687"  # one of Twilio's placeholders
CAMPAIGNS = {12: 1201, 31: 3101}  # CallPower campaign -> Rogue action


class Receiver:
    """hook-recv on a free loopback port, its journal in journal."""

    def __init__(self, journal):
        self.err = open(os.path.join(TMP, "e2e-hook-recv.err"), "a+")
        self.p = subprocess.Popen(
            [HR, "--listen", "127.0.0.1:0", "--journal", journal,
             "--segment-age", "1"], env=dict(os.environ, **KEYS),
            stdout=subprocess.DEVNULL, stderr=self.err)
        self.port = None
        start = self.err.tell()
        deadline = time.time() + 20
        while self.port is None and time.time() < deadline:
            self.err.seek(start)
            for line in self.err.read().splitlines():
                if "listening on" in line:
                    self.port = int(line.split("port ")[1].split(",")[0])
            time.sleep(0.02)

    def stop(self, sig=signal.SIGTERM):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            return self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return self.p.wait()


def post(port, path, body, key_header, key):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("POST", path, json.dumps(body).encode(),
                  {"Content-Type": "application/json", key_header: key})
        r = c.getresponse()
        r.read()
        return r.status
    except (OSError, http.client.HTTPException):
        return 0
    finally:
        c.close()


def call(i):
    """The i-th call: campaigns 12, 31 and 99 (no action), some anonymous,
    some not completed, one in five with no district."""
    c = {"mobile": ANONYMOUS if i % 17 == 0 else "+1212555%04d" % (i % 60),
         "callpower_campaign_id": 99 if i % 23 == 0 else (12, 31)[i % 2],
         "status": "completed" if i % 3 else "no-answer",
         "call_timestamp": "2019-03-%02d %02d:%02d:%02d" % (
             1 + i % 28, i % 24, i % 60, i % 59),
         "call_duration": 30 + i, "campaign_target_name": "Sen. %d" % i,
         "campaign_target_title": "Senator",
         "callpower_campaign_name": "Campaign", "number_dialed_into":
         "+12025550100"}
    if i % 5:
        c["campaign_target_district"] = "CA-%d" % (i % 9)
    return c


def import_(emu, data, journal, vendor):
    e = emu.env()
    e.update(SLUICE_DATA=data, SLUICE_JOURNAL=journal, BIN=BIN)
    e.pop("QUASAR_URL", None)
    return subprocess.run([os.path.join(ROOT, "pipelines/import.sh"), vendor],
                          env=e, capture_output=True, text=True, timeout=600)


def callpower(emu, data, journal):
    state = {"r": Receiver(journal), "stop": False, "next": 0}
    acked, refused = {}, set()
    lock = threading.Lock()

    def client():
        while not state["stop"]:
            with lock:
                i = state["next"]
                state["next"] += 1
            if i >= 1200:
                return
            c = call(i)
            if i % 29 == 0:
                c.pop("call_duration")  # refused: 422, never a post
            while not state["stop"]:
                st = post(state["r"].port or 1, "/api/v1/callpower/call", c,
                          "X-DS-CallPower-API-Key", "cp-key")
                if st == 200:
                    with lock:
                        acked[i] = c
                    break
                if st == 422:
                    with lock:
                        refused.add(i)
                    break
                time.sleep(0.02)  # not answered: keep it, send it again

    threads = [threading.Thread(target=client) for _ in range(8)]
    for t in threads:
        t.start()
    rng = random.Random(int(os.environ.get("SLUICE_FAULT_SEED") or
                            random.SystemRandom().randrange(1 << 30)))
    kills = 0
    while any(t.is_alive() for t in threads) and kills < 5:
        time.sleep(rng.uniform(0.02, 0.15))
        state["r"].stop(signal.SIGKILL)
        kills += 1
        state["r"] = Receiver(journal)
    for t in threads:
        t.join(120)
    state["stop"] = True
    state["r"].stop()
    p = import_(emu, data, journal, "callpower")
    st = emu.state()
    users = {u["id"]: u for u in st["users"]}
    posts = [x for x in st["posts"] if x["type"] == "phone-call"]
    by_call = {}
    for x in posts:
        d = json.loads(x["details"]) if isinstance(x["details"], str) \
            else x["details"]
        mobile = users.get(x["northstar_id"], {}).get("mobile")
        by_call.setdefault((mobile, d.get("call_timestamp")), []).append(
            (x, d))
    want = {(c["mobile"], c["call_timestamp"]): c for i, c in acked.items()
            if c["mobile"] != ANONYMOUS and c["callpower_campaign_id"] != 99}
    problems = []
    for k, c in want.items():
        got = by_call.get(k, [])
        if len(got) != 1:
            problems.append("call %s: %d posts" % (k, len(got)))
            continue
        x, d = got[0]
        exp = {"action_id": CAMPAIGNS[c["callpower_campaign_id"]],
               "status": "accepted" if c["status"] == "completed"
               else "incomplete", "quantity": 1,
               "source_details": "CallPower"}
        bad = {f: x.get(f) for f, v in exp.items() if x.get(f) != v}
        if bad or d.get("call_duration") != c["call_duration"] or \
                d.get("campaign_target_district") != \
                c.get("campaign_target_district") or \
                not str(x.get("created_at", "")).startswith(
                    c["call_timestamp"][:10]):
            problems.append("call %s: %s %s" % (k, bad, d))
    extra = [k for k in by_call if k not in want]
    report(p.returncode in (0, 1) and len(want) > 100 and not problems and
           not extra,
           "callpower: hook-recv killed %d times under retrying clients, "
           "then the import: every call answered 2xx is one phone-call post "
           "at its campaign's action, accepted or incomplete, quantity 1, "
           "its fields as details (%d calls)" % (kills, len(want)),
           "exit %s; %s; extra %s; %s" % (p.returncode, problems[:4],
                                          extra[:4], p.stdout[-800:]))
    callers = {c["mobile"] for c in want.values()}
    made = [u for u in st["users"] if u["mobile"] in callers]
    report(len(made) == len(callers) and
           all(u["sms_status"] == "stop" for u in made),
           "callpower: each caller is one member, created with the mobile "
           "and SMS status stop",
           "%d members for %d callers" % (len(made), len(callers)))
    report(not any(u["mobile"] == ANONYMOUS for u in st["users"]) and
           not any(k[0] == ANONYMOUS for k in by_call),
           "callpower: calls from Twilio's anonymous numbers are dropped")
    run = max((os.path.join(data, "runs", "callpower", r) for r in
               os.listdir(os.path.join(data, "runs", "callpower"))),
              key=os.path.getmtime)
    rej = []
    if os.path.exists(os.path.join(run, "post-rogue.rejects.ndjson")):
        rej = [json.loads(x)["reason"] for x in
               open(os.path.join(run, "post-rogue.rejects.ndjson"))]
    n99 = len([c for c in acked.values() if c["callpower_campaign_id"] == 99
               and c["mobile"] != ANONYMOUS])
    report(n99 > 0 and len(rej) >= 1 and all(
        "no Rogue action with callpower_campaign_id 99" in r for r in rej),
        "callpower: a campaign with no Rogue action is rejected with the "
        "reason", rej[:3])
    before = len(emu.requests())
    p = import_(emu, data, journal, "callpower")
    left = os.listdir(os.path.join(journal, "callpower"))
    report(p.returncode == 0 and len(emu.requests()) == before and not left,
           "callpower: the import again sends no request; the segments "
           "imported are gone", (p.returncode, left, p.stdout[-600:]))


def softedge(emu, data, journal):
    r = Receiver(journal)
    sent = []
    for i in range(30):
        e = {"northstar_id": "5a%022x" % (i % 7), "action_id": 2001,
             "email_timestamp": "2019-05-%02d 10:00:00" % (1 + i),
             "campaign_target_name": "Rep. %d" % i}
        if i % 4 == 0:
            e["campaign_target_title"] = "Representative"
        for _ in range(2 if i % 5 == 0 else 1):  # a partner's retry
            st = post(r.port, "/api/v1/softedge/email", e,
                      "X-DS-SoftEdge-API-Key", "se-key")
        if st == 200:
            sent.append(e)
    r.stop()
    p = import_(emu, data, journal, "softedge")
    posts = [x for x in emu.state()["posts"] if x["type"] == "email"]
    ok = len(posts) == len(sent) == 30 and all(
        x["status"] == "accepted" and x["quantity"] == 1 and
        x["source_details"] == "SoftEdge" and x["action_id"] == 2001
        for x in posts)
    report(p.returncode == 0 and ok,
           "softedge: one accepted email post per e-mail, quantity 1, source "
           "details SoftEdge; an e-mail sent twice is one post",
           "exit %s; %d posts for %d e-mails; %s" % (
               p.returncode, len(posts), len(sent), p.stdout[-600:]))


def main():
    if not os.access(HR, os.X_OK):
        print("skip - the webhook imports: no hook-recv")
        return 0
    emu = delivery.Emulator(
        "hooks-e2e", "--action", "1201:phone-call:8201:call:callpower=12",
        "--action", "3101:phone-call:8301:call:callpower=31",
        "--action", "2001:email:8401:e-mail your representative")
    data = os.path.join(TMP, "hooks-e2e-data")
    journal = os.path.join(TMP, "hooks-e2e-journal")
    shutil.rmtree(data, ignore_errors=True)
    try:
        callpower(emu, data, journal)
        softedge(emu, data, journal)
    finally:
        emu.stop()
    return 0


sys.exit(main())
