#!/usr/bin/env python3
"""gen-events.py: realistic events for the validate benchmark, seedable.

Writes N events (analytics/README.md, "The event record") as NDJSON in
jansson's compact form, in time order: visitors' sessions of page views
(landing from ads with UTM parameters, mailings, search and partner
referrers, or typed addresses), sign-ups (some after a trial), trials
and unsubscribes, anonymous fingerprints that become members at sign-up.
A share of the events (--bad-share, default 0.02) break one rule each: a
value outside its enum, a required property missing, an over-long
referrer, a bad date, an unknown property, an unknown event, so that
validate and ajv have something to refuse. The same seed and count give
the same bytes.

  bench/gen-events.py --events 1000000 --seed 1 > events.ndjson
"""

import argparse
import json
import random
import sys
import uuid

SITE = "https://www.example.org"
PATHS = ["/", "/vote", "/scholarships", "/climate", "/articles/the-week",
         "/articles/register-in-ten-minutes", "/about", "/join", "/prefs"]
TITLES = {"/": "DoSomething", "/vote": "Register to vote",
          "/scholarships": "Scholarships", "/climate": "Climate week"}
ADS = [("facebook", "cpc", "fall-vote"), ("google", "cpc", "fall-vote"),
       ("instagram", "paid_social", "climate-week"),
       ("tiktok", "paid_social", "scholarships"),
       ("newsletter", "email", "nov-digest")]
REFERRERS = ["https://www.google.com/", "https://duckduckgo.com/",
             "https://m.facebook.com/", "https://news.example.net/story"]
METHODS = ["email", "facebook", "google", "sms"]
TOPICS = ["news", "lifestyle", "action", "scholarships", "all"]
INTERESTS = ["voting", "climate", "mental-health", "education", "animals"]


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.t = 1764460800000  # 2025-11-30T00:00:00Z, in milliseconds
        self.n = 0

    def uid(self):
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def stamp(self):
        self.t += self.r.randint(5, 900)
        s, ms = divmod(self.t, 1000)
        import time
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + \
            ".%03dZ" % ms

    def meta(self, event, who, session):
        return {"event": event, "event_id": self.uid(), "time": self.stamp(),
                "member_id": who.get("member"),
                "anonymous_id": who["anon"], "session_id": session,
                "experiment_group": self.r.choice([None, None, "a", "b"])}

    def pageview(self, who, session, path, landing):
        e = self.meta("pageview", who, session)
        url = SITE + path
        ref = None
        src = med = camp = None
        if landing is not None:
            kind = landing
            if kind == "ad":
                src, med, camp = self.r.choice(ADS)
                url += "?utm_source=%s&utm_medium=%s&utm_campaign=%s" % (
                    src, med, camp)
                ref = "https://m.facebook.com/" if src == "facebook" else None
            elif kind == "ref":
                ref = self.r.choice(REFERRERS)
        else:
            ref = SITE + self.r.choice(PATHS)
        e.update({"url": url, "referrer": ref, "utm_source": src,
                  "utm_medium": med, "utm_campaign": camp})
        props = {"path": path, "title": TITLES.get(path),
                 "load_ms": self.r.randint(80, 4000)}
        e["properties"] = props
        return e

    def signup(self, who, session, from_trial):
        who["member"] = "%024x" % self.r.getrandbits(96)
        e = self.meta("signup", who, session)
        e.update({"url": SITE + "/join", "referrer": SITE + "/vote",
                  "utm_source": None, "utm_medium": None,
                  "utm_campaign": None})
        e["properties"] = {
            "method": self.r.choice(METHODS), "from_trial": from_trial,
            "email": "member%d@example.org" % self.r.randint(1, 10 ** 7),
            "interests": self.r.sample(INTERESTS, self.r.randint(0, 3))}
        return e

    def trial(self, who, session):
        e = self.meta("trial", who, session)
        e.update({"url": SITE + "/try", "referrer": None, "utm_source": None,
                  "utm_medium": None, "utm_campaign": None})
        e["properties"] = {"campaign_id": self.r.randint(1, 9000),
                           "ends_at": "2025-12-%02d" % self.r.randint(1, 28)}
        return e

    def unsubscribe(self, who, session):
        e = self.meta("unsubscribe", who, session)
        e.update({"url": SITE + "/prefs", "referrer": None,
                  "utm_source": "newsletter", "utm_medium": "email",
                  "utm_campaign": "nov-digest"})
        e["properties"] = {"topic": self.r.choice(TOPICS),
                           "reason": self.r.choice([None, "too many"])}
        return e

    def spoil(self, e):
        """One rule broken."""
        k = self.r.randrange(7)
        p = e["properties"]
        if k == 0 and e["event"] == "signup":
            p["method"] = "fax"
        elif k == 1:
            del e["session_id"]
        elif k == 2:
            e["referrer"] = SITE + "/" + "x" * 2100
        elif k == 3:
            e["time"] = e["time"][:10]
        elif k == 4:
            p["colour"] = "red"
        elif k == 5:
            e["event"] = "purchase"
        else:
            e["utm_source"] = 42
        return e

    def session(self):
        who = {"anon": "fp-%010x" % self.r.getrandbits(40)}
        if self.r.random() < 0.3:
            who["member"] = "%024x" % self.r.getrandbits(96)
        sid = "s-%d" % self.r.getrandbits(32)
        landing = self.r.choice(["ad", "ad", "ref", "direct"])
        out = []
        for i in range(self.r.randint(1, 6)):
            out.append(self.pageview(who, sid, self.r.choice(PATHS),
                                     landing if i == 0 else None))
        x = self.r.random()
        if x < 0.06 and "member" not in who:
            out.append(self.signup(who, sid, self.r.random() < 0.2))
        elif x < 0.09:
            out.append(self.trial(who, sid))
        elif x < 0.11 and "member" in who:
            out.append(self.unsubscribe(who, sid))
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=1000000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bad-share", type=float, default=0.02)
    a = ap.parse_args()
    g = Gen(a.seed)
    out = sys.stdout
    n = 0
    buf = []
    while n < a.events:
        for e in g.session():
            if n >= a.events:
                break
            if g.r.random() < a.bad_share:
                e = g.spoil(e)
            buf.append(compact(e))
            n += 1
        if len(buf) >= 10000:
            out.write("\n".join(buf) + "\n")
            buf = []
    if buf:
        out.write("\n".join(buf) + "\n")


if __name__ == "__main__":
    main()
