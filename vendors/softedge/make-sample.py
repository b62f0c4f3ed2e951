#!/usr/bin/env python3
"""Writes SoftEdge's samples:

  sample-requests.ndjson  request bodies as SoftEdge posts them (one a
                          line; action ids sometimes strings, the target's
                          title and district sometimes absent)
  sample.ndjson           the same requests as hook-recv journals them:
                          what shape reads

Usage: vendors/softedge/make-sample.py   (writes beside itself, seeded)
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    rng = random.Random(44)
    reqs, recs = [], []
    for i in range(60):
        action = rng.choice([1021, 1021, 1187])
        body = {
            "northstar_id": "5c%022x" % rng.randrange(1 << 80),
            "action_id": str(action) if i % 5 == 0 else action,
            "email_timestamp": "2019-05-%02dT%02d:%02d:00Z" % (
                1 + i % 28, rng.randrange(24), rng.randrange(60)),
            "campaign_target_name": rng.choice(
                ["Sen. Ada Reyes", "Rep. Sam Okafor", "Mayor Jo Diaz"]),
        }
        if i % 3:
            body["campaign_target_title"] = rng.choice(
                ["Senator", "Representative", "Mayor"])
        if i % 4 == 1:
            body["campaign_target_district"] = "NY-%d" % rng.randrange(1, 27)
        reqs.append(body)
        rec = dict(body)
        rec["action_id"] = int(rec["action_id"])
        rec["_meta"] = {"source": "softedge", "route": "/api/v1/softedge/email",
                        "received_at": "2019-05-%02dT12:00:%02d.000Z" % (
                            1 + i % 28, i % 60),
                        "request_id": "sample-%03d" % i, "remote": "192.0.2.9"}
        recs.append(rec)
    for name, rows in (("sample-requests.ndjson", reqs), ("sample.ndjson", recs)):
        with open(os.path.join(HERE, name), "w") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")


main()
