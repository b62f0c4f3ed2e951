#!/usr/bin/env python3
"""The Rock the Vote import against the emulator: the old importer's test
cases 1 to 17, with its defects fixed as vendors/rock-the-vote/README.md
says.

Each case imports a few report rows made here through the real stages
(csv2ndjson | shape | status-map | post-northstar --activate | dedupe
--seen | post-rogue --match-detail "Started registration", the canned
import's chain), then checks the emulator's users, posts, activation
e-mails and request log.

Cases 14 and 15 (SMS subscriptions of members who exist, 3.6) run with
post-northstar --sms-topics voting --sms-ledger, as the canned import does;
their table is also unit-tested (tests/unit/test_subscribe.c).

Usage: rtv.py BIN ROOT TMPDIR. Prints ok/not ok lines for tests/run.sh.
"""

import csv
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import delivery  # noqa: E402  (the Emulator and the stage helpers)

BIN, ROOT, TMP = sys.argv[1:4]
VENDOR = "rock-the-vote"
COLUMNS = ["Status", "Tracking Source", "Tracking ID", "Email address",
           "First name", "Last name", "Home address", "Home unit",
           "Home city", "Home state", "Home zip code", "Phone",
           "Opt-in to Partner email?", "Opt-in to Partner SMS/robocall",
           "Pre-Registered", "Started registration", "Finish with State"]
report = delivery.report


def row(email, status="Step 2", **kw):
    r = {"Status": status, "Tracking Source": "", "Tracking ID": "T",
         "Email address": email, "First name": "Ana", "Last name": "García",
         "Home address": "1 Main St", "Home unit": "", "Home city": "Austin",
         "Home state": "TX", "Home zip code": "73301", "Phone": "",
         "Opt-in to Partner email?": "No",
         "Opt-in to Partner SMS/robocall": "No", "Pre-Registered": "No",
         "Started registration": "2020-03-08 00:56:02 -0400",
         "Finish with State": "No"}
    r.update({k.replace("_", " "): v for k, v in kw.items()})
    return r


class Import:
    """An emulator and a ledger: reports imported one after another."""

    def __init__(self, name):
        self.emu = delivery.Emulator("rtv-" + name)
        self.ledger = os.path.join(TMP, "rtv-%s.ledger" % name)
        self.sms_ledger = os.path.join(TMP, "rtv-%s-sms.ledger" % name)
        self.name = name
        self.n = 0

    def run(self, rows):
        self.n += 1
        path = os.path.join(TMP, "rtv-%s-%d.csv" % (self.name, self.n))
        with open(path, "w", newline="") as f:
            w = csv.DictWriter(f, COLUMNS, extrasaction="ignore")
            w.writeheader()
            w.writerows(rows)
        before = len(self.emu.requests())
        # The activation e-mail, the SMS topics and key, the ledger's key
        # and the detail a post is matched on: all from the vendor file.
        cmds = [delivery.stage("csv2ndjson", "--vendor", VENDOR),
                delivery.stage("shape", "--vendor", VENDOR, "--dropped",
                               path + ".dropped"),
                delivery.stage("status-map", "--vendor", VENDOR, "--rejects",
                               path + ".status-rejects"),
                delivery.stage("post-northstar", "--vendor", VENDOR,
                               "--sms-ledger", self.sms_ledger, "--rejects",
                               path + ".ns-rejects"),
                delivery.stage("dedupe", "--vendor", VENDOR, "--seen",
                               self.ledger),
                delivery.stage("post-rogue", "--vendor", VENDOR, "--ledger",
                               self.ledger)]
        codes, _ = delivery.run_pipeline(cmds, path, path + ".out",
                                         self.emu.env(), path + ".err")
        self.codes = codes
        self.err = open(path + ".err").read()
        self.new_requests = self.emu.requests()[before:]
        self.path = path
        return codes

    def api(self, method, path, body=None):
        """Northstar itself, as the website or another import would."""
        token = self.emu.control("/v2/auth/token", {
            "grant_type": "client_credentials", "client_id": "sluice-test",
            "client_secret": delivery.SECRET})["access_token"]
        req = delivery.urllib.request.Request(
            self.emu.url + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": "Bearer " + token,
                     "Content-Type": "application/json"})
        with delivery.urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)["data"]

    def user(self, email):
        for u in self.emu.state()["users"]:
            if u["email"] == email:
                return u
        return None

    def posts(self, email):
        u = self.user(email)
        return [p for p in self.emu.state()["posts"]
                if u and p["northstar_id"] == u["id"]]

    def lines(self, suffix):
        p = self.path + suffix
        return [json.loads(x) for x in open(p)] if os.path.exists(p) else []


def check(what, cond, detail=""):
    report(bool(cond), what, detail)


def case_1_to_5():
    t = Import("a")
    t.run([row("c1@x.org", "Complete", Finish_with_State="Yes"),
           row("c1b@x.org", "Complete", Finish_with_State="No"),
           row("c1c@x.org", "Complete", Finish_with_State="Y"),
           row("c1d@x.org", "Complete", Finish_with_State="yes "),
           row("c1e@x.org", "Complete", Finish_with_State="y "),
           row("c2@x.org", "Step 1", **{"Opt-in to Partner email?": "Yes"}),
           row("c3a@x.org", "Under 18"), row("c3b@x.org", "Rejected"),
           row("c3c@x.org", "Step 3"), row("c3d@x.org", "Foo Bar"),
           row("c4a@x.org", Started_registration="555-555-5555"),
           row("c4b@x.org", Started_registration=""),
           row("c5a@x.org", Phone="000-000-0000",
               **{"Opt-in to Partner SMS/robocall": "Yes"}),
           row("c5b@x.org", Phone="787 249 13",
               **{"Opt-in to Partner SMS/robocall": "Yes"}),
           row("c5c@x.org", Phone="(212) 254-2390",
               **{"Opt-in to Partner SMS/robocall": "Yes"})])
    post = {e: [p["status"] for p in t.posts(e)] for e in
            ["c1@x.org", "c1b@x.org", "c1c@x.org", "c1d@x.org",
             "c1e@x.org"]}
    check("case 1: Complete with Finish with State Yes, Y, yes -> "
          "register-OVR; No, y -> register-form; the member "
          "registration_complete",
          post == {"c1@x.org": ["register-OVR"], "c1b@x.org":
                   ["register-form"], "c1c@x.org": ["register-OVR"],
                   "c1d@x.org": ["register-OVR"], "c1e@x.org":
                   ["register-form"]} and
          t.user("c1@x.org")["voter_registration_status"] ==
          "registration_complete", "%s" % post)
    u = t.user("c2@x.org")
    resets = [r["id"] for r in t.emu.state()["resets"]]
    check("case 2: Step 1 makes a minimal member (e-mail, zip, source, "
          "status step-1), no activation e-mail, a step-1 post",
          u and u["voter_registration_status"] == "step-1" and
          u["first_name"] is None and u["addr_street1"] is None and
          u["addr_zip"] == "73301" and u["source_detail"] ==
          "rock-the-vote" and u["id"] not in resets and
          [p["status"] for p in t.posts("c2@x.org")] == ["step-1"], "%s" % u)
    got = [[p["status"] for p in t.posts(e)] for e in
           ["c3a@x.org", "c3b@x.org", "c3c@x.org", "c3d@x.org"]]
    rej = t.lines(".status-rejects")
    check("case 3: Under 18, Rejected, Step 3 posted as under-18, rejected, "
          "step-3; Foo Bar rejected before any request (not sent to fail)",
          got == [["under-18"], ["rejected"], ["step-3"], []] and
          len(rej) == 1 and "foo-bar" in rej[0]["reason"] and
          t.user("c3d@x.org") is None, "%s %s" % (got, rej))
    dropped = t.lines(".dropped")
    check("case 4: Started registration 555-555-5555 or empty: dropped "
          "(invalid-date), no request",
          len(dropped) == 2 and all(d["rule"] == "invalid-date"
                                    for d in dropped) and
          t.user("c4a@x.org") is None and t.user("c4b@x.org") is None)
    a, b, c = (t.user(e) for e in ("c5a@x.org", "c5b@x.org", "c5c@x.org"))
    check("case 5: phones 000-000-0000 and 787 249 13 give no mobile and no "
          "SMS fields; (212) 254-2390 is taken (Northstar normalizes it)",
          a["mobile"] is None and a["sms_status"] is None and
          b["mobile"] is None and b["sms_status"] is None and
          c["mobile"] == "+12122542390" and c["sms_status"] == "active" and
          c["sms_subscription_topics"] == ["voting"], "%s %s %s" % (a, b, c))
    check("cases 1-5: every stage exits 0 or 1", all(x in (0, 1)
                                                     for x in t.codes),
          "%s %s" % (t.codes, t.err[-600:]))
    t.emu.stop()


def case_6_to_9():
    t = Import("b")
    ghost = "58007c1242a0646e3a8b46b8"
    referrer = "5552aa34469c64ec7d8b715b"
    t.run([row("c6@x.org", Tracking_Source="user:%s,campaignID:8017,"
               "source:email" % ghost),
           row("c7@x.org", Tracking_Source="user:%s,source_details:x,"
               "referral=true" % referrer),
           row("c8@x.org", Tracking_Source="referral=true,user:%s" %
               referrer),
           row("c9a@x.org", Tracking_Source="source:email,group_id=12"),
           row("c9b@x.org", Tracking_Source="group_id=abc"),
           row("c9c@x.org", Tracking_Source="user:%s,referral:true,"
               "group_id:5" % referrer)])
    paths = [r["path"] for r in t.new_requests]
    check("case 6: an id Northstar does not know (404) falls back to the "
          "e-mail",
          "/v2/users/%s" % ghost in paths and t.user("c6@x.org") and
          paths.index("/v2/users/%s" % ghost) <
          paths.index("/v2/email/c6%40x.org"))
    for case, email in (("7", "c7@x.org"), ("8 (referral first: the old "
                                            "importer crashed)", "c8@x.org")):
        u, p = t.user(email), t.posts(email)
        check("case %s: referral: the member's own id unknown, the referrer "
              "on the new member and on the post" % case,
              u and u["id"] != referrer and u["referrer_user_id"] == referrer
              and p and p[0]["referrer_user_id"] == referrer, "%s %s" % (u, p))
    g = [[p["group_id"] for p in t.posts(e)] for e in
         ("c9a@x.org", "c9b@x.org", "c9c@x.org")]
    check("case 9: group_id=12 -> 12; abc -> none (set aside, not 0); after "
          "a referral piece -> 5 (the old importer dropped it)",
          g == [[12], [None], [5]], "%s" % g)
    t.emu.stop()


def case_10_to_13_16_17():
    t = Import("c")
    first = [row("c10@x.org", "Step 2"),
             row("c11@x.org", "Step 2", Phone="312-555-0100"),
             row("c12@x.org", "Complete", Finish_with_State="No"),
             row("c13@x.org", "Complete", Finish_with_State="Yes")]
    t.run(first)
    t.run(first)
    writes = [r for r in t.new_requests if r["method"] != "GET" and
              r["path"] != "/v2/auth/token"]
    rogue = [r for r in t.new_requests if r["path"].startswith("/api/")]
    check("case 10: the same rows in an overlapping report: no write, no "
          "Rogue request", not writes and not rogue,
          "%d writes" % len(writes))
    t.run([row("c11@x.org", "Complete", Finish_with_State="Yes",
               Phone="312-555-0100"),
           row("c12@x.org", "Step 1"),
           row("c13@x.org", "Step 1",
               Started_registration="2020-05-01 10:00:00 -0400")])
    p11 = t.posts("c11@x.org")
    check("case 11: Step 2 then Complete for the same registration: the post "
          "patched to register-OVR, the member registration_complete",
          [p["status"] for p in p11] == ["register-OVR"] and
          t.user("c11@x.org")["voter_registration_status"] ==
          "registration_complete", "%s" % p11)
    check("case 12: a post at register-form and a Step 1 row for the same "
          "registration: nothing changes",
          [p["status"] for p in t.posts("c12@x.org")] == ["register-form"] and
          t.user("c12@x.org")["voter_registration_status"] ==
          "registration_complete")
    p13 = sorted(p["status"] for p in t.posts("c13@x.org"))
    check("case 13: a new registration at Step 1 for a member already "
          "registration_complete: a new step-1 post, the member untouched",
          p13 == ["register-OVR", "step-1"] and
          t.user("c13@x.org")["voter_registration_status"] ==
          "registration_complete", "%s" % p13)
    # Case 16: a member who is unregistered (set on the website) is moved
    # up by any step; one with no status at all too.
    t.api("POST", "/v2/users", {"email": "c16a@x.org",
                                "voter_registration_status": "unregistered"})
    t.api("POST", "/v2/users", {"email": "c16b@x.org"})
    t.run([row("c16a@x.org", "Step 2"), row("c16b@x.org", "Step 3"),
           row("", "Step 2", Phone="787 249 13")])
    check("case 16: unregistered + Step 2 -> step-2; no status + Step 3 -> "
          "step-3",
          t.user("c16a@x.org")["voter_registration_status"] == "step-2" and
          t.user("c16b@x.org")["voter_registration_status"] == "step-3")
    rej = t.lines(".ns-rejects")
    check("case 17: no e-mail and no valid phone: rejected before any "
          "request (the old importer's create failed with a 422)",
          len(rej) == 1 and "no northstar_id, e-mail or valid mobile" in
          rej[0]["reason"], "%s" % rej)
    t.emu.stop()


def case_11_14_15_sms():
    t = Import("d")
    yes = {"Opt-in to Partner SMS/robocall": "Yes"}
    no = {"Opt-in to Partner SMS/robocall": "No"}
    # Case 14: the member has no mobile; the row's mobile is another
    # account's; the row opts out: that account gets stop (its status was
    # none) and loses voting; the member's mobile stays empty.
    t.api("POST", "/v2/users", {"email": "c14@x.org"})
    other = t.api("POST", "/v2/users", {
        "email": "c14-other@x.org", "mobile": "312-555-0140",
        "sms_subscription_topics": ["general", "voting"]})
    # Case 15: less with [general, voting], opting in: active only.
    t.api("POST", "/v2/users", {"email": "c15@x.org",
                                "mobile": "312-555-0150",
                                "sms_status": "less",
                                "sms_subscription_topics": ["general",
                                                            "voting"]})
    # Case 11: a registration's opt-in is applied once.
    t.api("POST", "/v2/users", {"email": "c11@x.org"})
    t.run([row("c14@x.org", Phone="312-555-0140", **no),
           row("c15@x.org", Phone="312-555-0150", **yes),
           row("c11@x.org", "Step 2", Phone="312-555-0111", **yes)])
    o = [u for u in t.emu.state()["users"] if u["id"] == other["id"]][0]
    m = t.user("c14@x.org")
    check("case 14: the row's mobile belongs to another member: that one "
          "gets stop and loses voting; the member's mobile stays empty",
          o["sms_status"] == "stop" and o["sms_subscription_topics"] ==
          ["general"] and m["mobile"] is None, "%s / %s" % (o, m))
    u = t.user("c15@x.org")
    check("case 15: less with [general, voting], opting in: active, topics "
          "as they were", u["sms_status"] == "active" and
          u["sms_subscription_topics"] == ["general", "voting"], "%s" % u)
    u = t.user("c11@x.org")
    first = (u["mobile"], u["sms_status"], u["sms_subscription_topics"])
    t.api("PUT", "/v2/users/%s" % u["id"], {"sms_status": "stop"})
    t.run([row("c11@x.org", "Complete", Finish_with_State="Yes",
               Phone="312-555-0111", **yes)])
    u = t.user("c11@x.org")
    check("case 11: the mobile and opt-in applied with the first row of a "
          "registration, not again with a later one (the member's STOP "
          "stays)", first == ("+13125550111", "active", ["voting"]) and
          u["sms_status"] == "stop" and u["voter_registration_status"] ==
          "registration_complete", "%s then %s" % (first, u))
    # A member made by a row with a mobile and an SMS opt-in, who then
    # texts STOP: the same registration in a later report does not
    # subscribe them again (the opt-in came with the create, and counts as
    # applied).
    t.run([row("c11n@x.org", "Step 2", Phone="312-555-0112", **yes)])
    u = t.user("c11n@x.org")
    made = (u["mobile"], u["sms_status"])
    t.api("PUT", "/v2/users/%s" % u["id"], {"sms_status": "stop"})
    t.run([row("c11n@x.org", "Step 3", Phone="312-555-0112", **yes)])
    u = t.user("c11n@x.org")
    check("a member created with a mobile and an SMS opt-in who texts STOP "
          "is not subscribed again by a later row of the same registration",
          made == ("+13125550112", "active") and u["sms_status"] == "stop"
          and u["voter_registration_status"] == "step-3",
          "%s then %s" % (made, u))
    t.emu.stop()


def fetched_import():
    """The import with no file: the last window's report fetched."""
    sample = os.path.join(ROOT, "vendors/rock-the-vote/sample.csv")
    emu = delivery.Emulator("rtv-fetch", "--rtv-report-csv", sample,
                            "--rtv-report-polls", "1")
    data = os.path.join(TMP, "rtv-fetch-data")
    try:
        env = emu.env()
        env.update(RTV_URL=emu.url + "/api/v4", RTV_PARTNER_ID="sluice-partner",
                   RTV_PARTNER_API_KEY="sluice-rtv-key", SLUICE_DATA=data)
        p = subprocess.run([os.path.join(ROOT, "pipelines/import.sh"),
                            "rock-the-vote"], capture_output=True, env=env,
                           timeout=300)
        st = emu.state()
        out = p.stdout.decode()
        check("the import with no file fetches the last 90 minutes' "
              "report and imports it (one post per registration)",
              p.returncode == 1 and len(st["rtv_reports"]) == 1 and
              len(st["posts"]) == 126 and "csv2ndjson: in=407" in out,
              "exit %d, %d posts: %s" % (p.returncode, len(st["posts"]),
                                         p.stderr.decode()[-600:]))
    finally:
        emu.stop()


for case in (case_1_to_5, case_6_to_9, case_10_to_13_16_17,
             case_11_14_15_sms, fetched_import):
    try:
        case()
    except Exception as e:  # a case that breaks counts as a failure
        report(False, "%s ran to the end" % case.__name__, repr(e))
