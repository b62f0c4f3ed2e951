#!/usr/bin/env python3
"""Writes CallPower's samples, with the mess real traffic has:

  sample-requests.ndjson  request bodies as CallPower posts them (one a
                          line; integers sometimes as strings, the district
                          sometimes absent, calls from the anonymous
                          Twilio numbers, calls not completed)
  sample.ndjson           the same requests as hook-recv journals them
                          (integers made integers, _meta added): what
                          shape reads

Usage: vendors/callpower/make-sample.py   (writes beside itself; seeded,
so the files are the same every time)
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
ANONYMOUS = ["+2562533", "+266696687", "+464", "+7378742883",
             "+86282452253", "+8656696"]
STATUSES = ["completed"] * 6 + ["busy", "no-answer", "failed", "canceled"]
TARGETS = [("Sen. Ada Reyes", "Senator", None), ("Rep. Sam Okafor",
           "Representative", "NY-12"), ("Rep. Lee Park", "Representative",
           "CA-7"), ("Gov. Mia Stone", "Governor", None)]


def main():
    rng = random.Random(16)
    reqs, recs = [], []
    for i in range(120):
        mobile = (rng.choice(ANONYMOUS) if i % 15 == 7
                  else "+1%03d555%04d" % (rng.randrange(200, 999), i))
        name, title, district = rng.choice(TARGETS)
        camp = rng.choice([12, 12, 31, 47])
        body = {
            "mobile": mobile,
            "callpower_campaign_id": str(camp) if i % 4 == 0 else camp,
            "status": rng.choice(STATUSES),
            "call_timestamp": "2019-03-%02d %02d:%02d:%02d" % (
                1 + i % 28, rng.randrange(24), rng.randrange(60),
                rng.randrange(60)),
            "call_duration": rng.randrange(0, 900),
            "campaign_target_name": name,
            "campaign_target_title": title,
            "callpower_campaign_name": {12: "Save the Bees", 31: "Clean Air",
                                        47: "Fund Schools"}[camp],
            "number_dialed_into": "+1202555%04d" % camp,
        }
        if district:
            body["campaign_target_district"] = district
        if i % 9 == 0:
            body["status_details"] = "voicemail"
        reqs.append(body)
        rec = dict(body)
        rec["callpower_campaign_id"] = int(rec["callpower_campaign_id"])
        rec["_meta"] = {"source": "callpower", "route": "/api/v1/callpower/call",
                        "received_at": "2019-03-%02dT12:00:%02d.000Z" % (
                            1 + i % 28, i % 60),
                        "request_id": "sample-%03d" % i, "remote": "192.0.2.7"}
        recs.append(rec)
    for name, rows in (("sample-requests.ndjson", reqs), ("sample.ndjson", recs)):
        with open(os.path.join(HERE, name), "w") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")


main()
