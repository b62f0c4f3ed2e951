#!/usr/bin/env python3
"""traffic.py: realistic, seedable traffic for the event layer.

Writes the events a growth service would send (page views, sign-ups,
trials, unsubscribes) as NDJSON in time order, or posts each one to
hook-recv's event routes, and writes the ads' costs per day as the CSV
`rollup --merge --costs` reads. The same seed and options give the same
bytes. `traffic.py --help` lists the options; analytics/README.md the
event record.

What the traffic holds, and why:

- ads with UTM parameters, each with its own daily budget, price per
  thousand impressions, click-through rate and conversion rate, so that
  the rollup shows sources and campaigns that differ; their costs CSV is
  computed from the clicks generated, per day, source and campaign;
- mailings (utm_medium email) sent on given days to members and to
  leads (visitors who left an address before, not members yet);
- organic visits: search engines, partner sites and an unpaid social
  site as referrers (no UTM), and direct visits (no referrer);
- sessions: a visit is a session of a few pages, seconds to minutes
  apart, each later page with the one before as its referrer (the site's
  own pages); a visitor's next visit comes at least 45 minutes later, so
  it is a new session (the dictionary's 30 minutes);
- visitors come back through other channels before they convert, so the
  first and the last click differ; anonymous fingerprints become members
  at sign-up (member ids of 24 hex digits, the fingerprint on the
  sign-up too), and their later pages carry the member id;
- trials that convert days later (the sign-up's from_trial), returning
  members, and unsubscribes from mailings;
- a small share of bad events (--bad-share): a value outside its enum,
  a required property missing, a referrer longer than the dictionary
  allows, so that validate has something to say; --bad-kinds adds
  others (a time that is not one, a wrong type, an unknown property or
  event). They are counted on stderr, by kind.

Every other event is valid against analytics/dictionary.json.

For the benchmarks: --events N writes the first N events of the traffic
at the scale that makes them (about 2,150 a day at scale 1), and
--visitors N keeps the visitors to N fingerprints, so that a million
events come from a bounded crowd who come back often (most of them
members in the end) instead of ever new visitors.
"""

import argparse
import datetime
import http.client
import json
import os
import random
import sys
import threading
import time
import urllib.parse
import uuid

SITE = "https://www.example.org"

# The ads: (source, medium, campaign, daily budget, CPM, CTR, conversion
# rate per visit, trial rate per visit, landing path). The clicks of a day
# are its impressions (budget / CPM * 1000) times the click-through rate.
ADS = [
    ("facebook", "cpc", "fall-vote", 60.0, 6.0, 0.009, 0.035, 0.02, "/vote"),
    ("facebook", "cpc", "scholarships", 40.0, 6.5, 0.014, 0.07, 0.03,
     "/scholarships"),
    ("google", "cpc", "fall-vote", 50.0, 12.0, 0.03, 0.06, 0.02, "/vote"),
    ("instagram", "paid_social", "climate-week", 30.0, 5.0, 0.006, 0.02,
     0.04, "/climate"),
    ("tiktok", "paid_social", "scholarships", 25.0, 3.0, 0.008, 0.015, 0.05,
     "/scholarships"),
]

# The mailings: (source, medium, campaign, days after the start it is
# sent, share of members who click, share of leads who click, conversion
# rate of a lead's visit, landing path).
MAILINGS = [
    ("newsletter", "email", "nov-digest", (1, 5), 0.12, 0.10, 0.08,
     "/articles/the-week"),
    ("newsletter", "email", "scholarship-alert", (3,), 0.08, 0.15, 0.12,
     "/scholarships"),
]

# Organic visits a day (at scale 1), by referrer: (referrer, visits a day,
# conversion rate, landing paths).
ORGANIC = [
    ("https://www.google.com/", 55, 0.03, ("/", "/vote", "/scholarships")),
    ("https://www.bing.com/", 8, 0.03, ("/", "/vote")),
    ("https://duckduckgo.com/", 6, 0.04, ("/", "/climate")),
    ("https://www.civicpartners.example/voter-guide", 10, 0.09, ("/vote",)),
    ("https://news.example.com/2026/11/students-and-the-vote", 7, 0.05,
     ("/vote", "/scholarships")),
    ("https://m.facebook.com/", 14, 0.02, ("/climate", "/")),
]
DIRECT_PER_DAY = 30
DIRECT_CONVERSION = 0.03

# The site's pages: path and title.
PAGES = {
    "/": "Make the world suck less",
    "/vote": "Register to vote in two minutes",
    "/scholarships": "Scholarships for doing good",
    "/climate": "Climate week: act locally",
    "/about": "About us",
    "/join": "Join",
    "/welcome": "Welcome!",
    "/articles/the-week": "The week in action",
    "/articles/how-to-register": "How to register",
    "/articles/climate-myths": "Five climate myths",
    "/campaigns/fall-vote": "Fall vote",
    "/campaigns/teens-for-jeans": "Teens for jeans",
    "/account/unsubscribe": "Your messages",
}
BROWSE = ["/", "/about", "/articles/how-to-register",
          "/articles/climate-myths", "/campaigns/fall-vote",
          "/campaigns/teens-for-jeans", "/vote", "/scholarships"]
CAMPAIGN_IDS = {"/vote": 8017, "/scholarships": 8022, "/climate": 8031}
METHODS = [("email", 0.55), ("facebook", 0.2), ("google", 0.2),
           ("sms", 0.05)]
INTERESTS = ["voting", "climate", "education", "mental-health",
             "animals", "lgbtq-rights", "immigration"]
TOPICS = [("news", 0.4), ("lifestyle", 0.2), ("action", 0.15),
          ("scholarships", 0.1), ("all", 0.15)]
REASONS = [None, None, "too many e-mails", "not relevant to me",
           "I never signed up"]

SESSION_GAP_MIN = 45 * 60  # a new visit is a new session (30 min)

# The kinds of bad events (--bad-kinds), and what the dictionary does
# with each: the first three are the default.
BAD_KINDS = {
    "enum": "a sign-up's method or an unsubscribe's topic outside its "
            "enum (blocked)",
    "required": "an event's required property removed (blocked)",
    "long-referrer": "a referrer past its 2,048 characters (omitted, the "
                     "event kept)",
    "time": "a time cut to its date, not RFC 3339 (blocked)",
    "type": "a number for utm_source (flagged)",
    "unknown-property": "a property the event does not list (the "
                        "event's action)",
    "unknown-event": "an event name the dictionary does not know "
                     "(blocked)",
}
DEFAULT_BAD_KINDS = "enum,required,long-referrer"


def weighted(rng, pairs):
    """One value of [(value, weight)], by weight."""
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for v, w in pairs:
        x -= w
        if x < 0:
            return v
    return pairs[-1][0]


def poisson(rng, lam):
    """A Poisson count: Knuth's method for small means, else normal."""
    if lam <= 0:
        return 0
    if lam > 50:
        return max(0, int(round(rng.gauss(lam, lam ** 0.5))))
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


class Person:
    """A visitor: a fingerprint, and a member id once a member."""

    def __init__(self, rng, member=False, lead=False):
        self.anon = "fp-" + "%012x" % rng.getrandbits(48)
        self.member = "%024x" % rng.getrandbits(96) if member else None
        self.lead = lead
        self.trial_at = None  # when a trial started, not converted yet
        self.busy_until = 0.0  # the end of the last visit, seconds
        self.pooled = False  # in Traffic.pool


class Traffic:
    """Builds the events of the whole period, then sorts them."""

    def __init__(self, args):
        self.a = args
        self.rng = random.Random(args.seed)
        self.start = args.start.timestamp()
        self.end = self.start + args.days * 86400
        self.events = []  # (time, seq, record)
        self.seq = 0
        self.clicks = {}  # (day, source, campaign) -> clicks
        self.pool = []  # anonymous visitors who may come back
        self.members = [Person(self.rng, member=True)
                        for _ in range(int(args.members * args.scale))]
        self.leads = [Person(self.rng, lead=True)
                      for _ in range(int(args.leads * args.scale))]
        self.visitors = []  # with --visitors N, every visitor met
        self.bad = {}

    # -- records ------------------------------------------------------

    def uuid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def stamp(self, t):
        """RFC 3339: mostly UTC with milliseconds, some whole seconds,
        some with a -05:00 offset (the same instant)."""
        ms = int(round(t * 1000))
        r = self.rng.random()
        if r < self.a.offset_share:
            d = datetime.datetime.fromtimestamp(
                ms // 1000, datetime.timezone(datetime.timedelta(hours=-5)))
            return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d-05:00" % (
                ms % 1000)
        d = datetime.datetime.fromtimestamp(ms // 1000,
                                            datetime.timezone.utc)
        if r < self.a.offset_share + 0.05:
            return d.strftime("%Y-%m-%dT%H:%M:%SZ")
        return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)

    def emit(self, t, name, person, session, url, referrer, utm, props):
        if t >= self.end:
            return
        # Whole seconds lose their fraction in stamp(): keep the record's
        # time and the sort key the same instant.
        st = self.stamp(t)
        rec = {
            "event": name,
            "event_id": self.uuid(),
            "time": st,
            "member_id": person.member,
            "anonymous_id": person.anon,
            "session_id": session,
            "experiment_group": self.group(person, t),
            "url": url,
            "referrer": referrer,
            "utm_source": utm[0] if utm else None,
            "utm_medium": utm[1] if utm else None,
            "utm_campaign": utm[2] if utm else None,
            "properties": props,
        }
        self.seq += 1
        self.events.append((parse_time(st), self.seq, rec))

    def group(self, person, t):
        """An A/B test of the join page runs in the second half."""
        if t < self.start + (self.end - self.start) / 2:
            return None
        return "join-b" if int(person.anon[3:], 16) % 2 else "join-a"

    def page(self, t, person, session, path, referrer, utm=None):
        url = SITE + path
        if utm:
            url += "?" + urllib.parse.urlencode(
                {"utm_source": utm[0], "utm_medium": utm[1],
                 "utm_campaign": utm[2]})
        props = {"title": PAGES[path], "path": path,
                 "load_ms": int(self.rng.lognormvariate(6.2, 0.5))}
        if self.rng.random() < 0.1:
            del props["load_ms"]
        self.emit(t, "pageview", person, session, url, referrer, utm, props)
        return url

    # -- visits -------------------------------------------------------

    def visit(self, t, person, landing, referrer, utm, conv, trial,
              paid=False):
        """One session: the landing page, a few more, perhaps a sign-up
        (conv: its chance) or a trial, and the pages after. paid: the
        landing is an ad's click, counted for its costs."""
        t = max(t, person.busy_until + SESSION_GAP_MIN)
        if t >= self.end:
            return
        if paid:
            key = (int((t - self.start) // 86400), utm[0], utm[2])
            self.clicks[key] = self.clicks.get(key, 0) + 1
        rng = self.rng
        session = "s-" + "%016x" % rng.getrandbits(64)
        url = self.page(t, person, session, landing, referrer, utm)
        for _ in range(min(int(rng.expovariate(0.55)), 8)):
            t += rng.uniform(8, 240)
            path = rng.choice(BROWSE)
            url = self.page(t, person, session, path, url)
        if person.member is None:
            if person.trial_at is not None and rng.random() < 0.5:
                conv = max(conv, 0.5)  # back to finish the trial
            if rng.random() < conv:
                t = self.signup(t, person, session, url)
            elif (person.trial_at is None and landing in CAMPAIGN_IDS and
                  rng.random() < trial):
                t += rng.uniform(20, 120)
                self.trial(t, person, session, url, landing)
        person.busy_until = max(person.busy_until, t)
        if person.member is None and not person.pooled:
            person.pooled = True
            self.pool.append(person)

    def signup(self, t, person, session, url):
        rng = self.rng
        t += rng.uniform(15, 90)
        join = self.page(t, person, session, "/join", url)
        t += rng.uniform(20, 180)
        person.member = "%024x" % rng.getrandbits(96)
        props = {"method": weighted(rng, METHODS),
                 "from_trial": person.trial_at is not None}
        if props["method"] == "email" or rng.random() < 0.3:
            props["email"] = "m%s@example.net" % person.member[:10]
        if rng.random() < 0.7:
            props["interests"] = rng.sample(INTERESTS, rng.randint(1, 3))
        self.emit(t, "signup", person, session, SITE + "/join", join, None,
                  props)
        person.trial_at = None
        # The welcome page, and perhaps a few more, now as a member.
        url = self.page(t + rng.uniform(1, 5), person, session, "/welcome",
                        join)
        t += 5
        for _ in range(min(int(rng.expovariate(0.8)), 5)):
            t += rng.uniform(10, 200)
            url = self.page(t, person, session, rng.choice(BROWSE), url)
        return t

    def trial(self, t, person, session, url, landing):
        person.trial_at = t
        ends = datetime.datetime.fromtimestamp(
            t + 14 * 86400, datetime.timezone.utc).strftime("%Y-%m-%d")
        props = {"campaign_id": CAMPAIGN_IDS[landing]}
        if self.rng.random() < 0.8:
            props["ends_at"] = ends
        self.emit(t, "trial", person, session, url, None, None, props)
        # Trials bring them back: a direct visit in one to five days.
        back = t + self.rng.uniform(1, 5) * 86400
        self.visit(back, person, "/", None, None, 0.5, 0)

    def returns(self, person, t):
        """Later visits of an anonymous visitor, through other channels."""
        rng = self.rng
        while person.member is None and rng.random() < 0.45:
            t += rng.expovariate(1 / (1.5 * 86400)) + SESSION_GAP_MIN
            if t >= self.end:
                return
            kind = rng.random()
            if kind < 0.45:
                self.visit(t, person, "/", None, None, DIRECT_CONVERSION * 2,
                           0.02)
            elif kind < 0.7:
                ref, _, c, paths = rng.choice(ORGANIC)
                self.visit(t, person, rng.choice(paths), ref, None, c * 2,
                           0.02)
            else:
                self.ad_click(t, person, rng.choice(ADS), boost=2)

    def ad_click(self, t, person, ad, boost=1.0):
        source, medium, campaign, _, _, _, conv, trial, landing = ad
        self.visit(t, person, landing, self.ad_referrer(source),
                   (source, medium, campaign), conv * boost, trial, True)

    def ad_referrer(self, source):
        return {"facebook": "https://m.facebook.com/",
                "google": "https://www.google.com/",
                "instagram": "https://l.instagram.com/",
                "tiktok": None}.get(source)

    def someone(self, share_returning=0.25):
        """A new visitor, or one seen before and not a member yet (the
        pool's members are taken out as they are met). With --visitors
        N, once N visitors were met every visit is by one of them, at
        random, members too (who then do not sign up again)."""
        cap = self.a.visitors
        if cap and len(self.visitors) >= cap:
            return self.visitors[self.rng.randrange(cap)]
        if self.rng.random() < share_returning:
            while self.pool:
                i = self.rng.randrange(len(self.pool))
                p = self.pool[i]
                if p.member is None:
                    return p
                self.pool[i] = self.pool[-1]
                self.pool.pop()
                p.pooled = False
        p = Person(self.rng)
        if cap:
            self.visitors.append(p)
        return p

    def daytime(self, day):
        """A moment of the day, more in the afternoon and evening."""
        rng = self.rng
        hour = min(23.99, max(0.0, rng.gauss(15, 4.5)))
        return self.start + day * 86400 + hour * 3600 + rng.uniform(0, 60)

    def build(self):
        rng, a = self.rng, self.a
        for day in range(a.days):
            plan = []
            for ad in ADS:
                clicks = ad[3] / ad[4] * 1000 * ad[5] * a.scale
                for _ in range(poisson(rng, clicks)):
                    plan.append((self.daytime(day), "ad", ad))
            for org in ORGANIC:
                for _ in range(poisson(rng, org[1] * a.scale)):
                    plan.append((self.daytime(day), "organic", org))
            for _ in range(poisson(rng, DIRECT_PER_DAY * a.scale)):
                plan.append((self.daytime(day), "direct", None))
            for m in MAILINGS:
                if day in m[3]:
                    plan.append((self.start + day * 86400 + 10 * 3600,
                                 "mailing", m))
            for t, kind, what in sorted(plan, key=lambda p: p[0]):
                self.arrive(t, kind, what)
        self.events.sort(key=lambda e: (e[0], e[1]))

    def arrive(self, t, kind, what):
        rng = self.rng
        if kind == "mailing":
            self.mailing(t, what)
            return
        person = self.someone()
        if kind == "ad":
            self.ad_click(t, person, what)
        elif kind == "organic":
            ref, _, conv, paths = what
            self.visit(t, person, rng.choice(paths), ref, None, conv, 0.02)
        else:
            self.visit(t, person, "/", None, None, DIRECT_CONVERSION, 0.01)
        self.returns(person, max(t, person.busy_until))

    def mailing(self, sent, m):
        """A mailing's clicks: members (some unsubscribe) and leads (who
        may sign up), over the two days after it was sent."""
        rng = self.rng
        source, medium, campaign, _, members, leads, conv, landing = m
        utm = (source, medium, campaign)
        for p in self.members:
            if rng.random() >= members:
                continue
            t = sent + rng.expovariate(1 / 14400)
            self.visit(t, p, landing, None, utm, 0, 0)
            if rng.random() < 0.15:
                # The mailing's link to the messages page, a new visit.
                t = p.busy_until + SESSION_GAP_MIN + rng.uniform(0, 3600)
                session = "s-" + "%016x" % rng.getrandbits(64)
                url = self.page(t, p, session, "/account/unsubscribe", None,
                                utm)
                props = {"topic": weighted(rng, TOPICS)}
                reason = rng.choice(REASONS)
                if reason is not None or rng.random() < 0.5:
                    props["reason"] = reason
                self.emit(t + rng.uniform(5, 40), "unsubscribe", p, session,
                          url, None, None, props)
                p.busy_until = t + 60
        for p in self.leads:
            if p.member is not None or rng.random() >= leads:
                continue
            t = sent + rng.expovariate(1 / 14400)
            self.visit(t, p, landing, None, utm, conv, 0.02)
            self.returns(p, max(t, p.busy_until))
        # Members come back on their own too (direct and search).
        for p in self.members:
            if rng.random() < 0.1:
                t = sent + rng.uniform(0, 2 * 86400)
                ref = rng.choice([None, "https://www.google.com/"])
                self.visit(t, p, rng.choice(BROWSE), ref, None, 0, 0)

    # -- the bad share ------------------------------------------------

    def spoil(self):
        """Makes about --bad-share of the events invalid, in the kinds
        --bad-kinds names (BAD_KINDS says what each does); counted by
        kind. The enums are at most a third of them, and at most one
        sign-up or unsubscribe in twenty: more would leave the table
        little to show. The other kinds take turns, in BAD_KINDS' order."""
        rng = self.rng
        n = int(round(len(self.events) * self.a.bad_share))
        chosen = self.a.bad_kinds
        enums = [e for e in self.events
                 if e[2]["event"] in ("signup", "unsubscribe")]
        n_enum = min(n // 3, len(enums) // 20) if "enum" in chosen else 0
        others = [k for k in BAD_KINDS if k in chosen and k != "enum"]
        if not others:
            n = n_enum
        kinds = ["enum"] * n_enum + [others[i % len(others)]
                                     for i in range(n - n_enum)]
        spoilt = set()
        for kind in kinds:
            pool = enums if kind == "enum" else self.events
            for _ in range(20):
                e = rng.choice(pool) if pool else None
                if e is not None and e[1] not in spoilt:
                    break
            else:
                continue
            spoilt.add(e[1])
            rec = e[2]
            name, props = rec["event"], rec["properties"]
            if kind == "enum" and name == "signup":
                props["method"] = "fax"
            elif kind == "enum":
                props["topic"] = "everything"
            elif kind == "required":
                req = {"pageview": "path", "signup": "from_trial",
                       "trial": "campaign_id", "unsubscribe": "topic"}
                del props[req[name]]
            elif kind == "long-referrer":
                rec["referrer"] = ("https://search.example.net/?q=" +
                                   "vote+" * 420)
            elif kind == "time":
                rec["time"] = rec["time"][:10]
            elif kind == "type":
                rec["utm_source"] = 42
            elif kind == "unknown-property":
                props["colour"] = "red"
            else:
                rec["event"] = "purchase"
            self.bad[kind] = self.bad.get(kind, 0) + 1

    def costs(self):
        """The ads' cost per day, source and campaign: their clicks at
        the ad's price per click (CPM / 1000 / CTR), within 10%."""
        rows = []
        for (day, source, campaign), clicks in sorted(self.clicks.items()):
            ad = next(x for x in ADS if x[0] == source and x[2] == campaign)
            cpc = ad[4] / 1000 / ad[5]
            cost = clicks * cpc * self.rng.uniform(0.9, 1.1)
            date = datetime.datetime.fromtimestamp(
                self.start + day * 86400, datetime.timezone.utc)
            rows.append("%s,%s,%s,%.2f" % (date.strftime("%Y-%m-%d"), source,
                                           campaign, cost))
        return rows

    def ordered(self):
        """The records, in time order, or with --jitter each moved by up
        to that many seconds (sorted by time plus a random delay)."""
        if self.a.jitter <= 0:
            return [r for _, _, r in self.events]
        keyed = [(t + self.rng.uniform(0, self.a.jitter * 1000), s, r)
                 for t, s, r in self.events]
        keyed.sort(key=lambda e: (e[0], e[1]))
        return [r for _, _, r in keyed]


def parse_time(s):
    """RFC 3339 to UTC milliseconds since the epoch."""
    d = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return int(round(d.timestamp() * 1000))


def line(rec):
    return json.dumps(rec, separators=(",", ":"), ensure_ascii=False)


def post_all(records, args):
    """Posts each record to URL/pageview or URL/event, over --concurrency
    kept-alive connections, with the key header, in time order give or
    take --window; retries what was not answered (a dropped connection,
    503), with its event id as its Idempotency-Key, so a retry is never
    stored twice. Returns the count per answer status, and the
    failures."""
    base = urllib.parse.urlsplit(args.post)
    if base.scheme != "http" or not base.hostname:
        raise SystemExit("traffic.py: --post %s: an http://HOST:PORT URL"
                         % args.post)
    key = os.environ.get(args.key_env, "").split(",")[0].strip()
    if args.key_header and not key:
        raise SystemExit("traffic.py: --post needs a key in $%s"
                         % args.key_env)
    prefix = base.path.rstrip("/")
    # The sending order: an event is sent only once every event more than
    # --window seconds older than it was answered, so that the receiver
    # journals them out of time order by that much at most, as a live
    # service would (the replay of a week in seconds would otherwise mix
    # hours of a quiet night across the connections).
    times = [parse_time(r["time"]) for r in records]
    window = int(args.window * 1000)
    state = {"next": 0, "low": 0}
    done = [False] * len(records)
    counts, failures, refused = {}, [], []
    lock = threading.Condition()

    def take():
        with lock:
            while True:
                i = state["next"]
                if i >= len(records):
                    return None
                if state["low"] >= i or times[state["low"]] >= \
                        times[i] - window:
                    state["next"] = i + 1
                    return i
                lock.wait()

    def finish(i):
        with lock:
            done[i] = True
            while state["low"] < len(records) and done[state["low"]]:
                state["low"] += 1
            lock.notify_all()

    def worker():
        conn = None
        while True:
            i = take()
            if i is None:
                break
            rec = records[i]
            path = prefix + (args.pageview_path if rec["event"] == "pageview"
                             else args.event_path)
            body = line(rec).encode()
            headers = {"Content-Type": "application/json",
                       "Idempotency-Key": rec["event_id"]}
            if args.key_header:
                headers[args.key_header] = key
            status, text = None, ""
            for attempt in range(8):
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection(
                            base.hostname, base.port or 80, timeout=30)
                    conn.request("POST", path, body, headers)
                    resp = conn.getresponse()
                    text = resp.read().decode("utf-8", "replace")
                    status = resp.status
                    if resp.getheader("Connection", "") == "close":
                        conn.close()
                        conn = None
                    if status != 503:
                        break
                except (OSError, http.client.HTTPException):
                    if conn is not None:
                        conn.close()
                    conn = None
                    status = None
                time.sleep(min(2.0, 0.05 * 2 ** attempt))
            with lock:
                counts[status] = counts.get(status, 0) + 1
                if status is None or status >= 500 or status in (401, 404):
                    failures.append("%s %s: %s" % (status, path, text[:200]))
                elif status == 422 and len(refused) < 3 and not any(
                        text[:300] in r for r in refused):
                    refused.append("422 %s: %s" % (path, text[:300]))
            finish(i)
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker)
               for _ in range(max(1, args.concurrency))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for f in failures[:5] + refused:
        print("traffic.py: %s" % f, file=sys.stderr)
    return counts, failures


# Events a day at scale 1 (about 2,150 over a week of seed 1): the first
# guess of --events' scale.
EVENTS_PER_SCALE_DAY = 2100


def generate(args):
    """The traffic, built: at --scale (1 by default), or with --events N
    at the scale that makes N events or a few more (guessed, then raised
    until it does), cut to the first N in time order. The bad events are
    made afterwards, of what is kept."""
    if args.events is None:
        if args.scale is None:
            args.scale = 1.0
        tr = Traffic(args)
        tr.build()
        return tr
    args.scale = args.events * 1.1 / (EVENTS_PER_SCALE_DAY * args.days)
    while True:
        tr = Traffic(args)
        tr.build()
        if len(tr.events) >= args.events:
            del tr.events[args.events:]
            return tr
        args.scale *= 1.2 * args.events / max(1, len(tr.events))


def bad_kinds(s):
    """--bad-kinds: names of BAD_KINDS, comma-separated, or all."""
    if s == "all":
        return set(BAD_KINDS)
    kinds = set(k.strip() for k in s.split(",") if k.strip())
    unknown = sorted(kinds - set(BAD_KINDS))
    if unknown:
        raise argparse.ArgumentTypeError(
            "unknown kind %r: one of %s, or all" % (unknown[0],
                                                  ", ".join(BAD_KINDS)))
    return kinds


def when(s):
    try:
        d = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError("not a date: %r" % s)
    if d.tzinfo is None:
        d = d.replace(tzinfo=datetime.timezone.utc)
    return d


class Parser(argparse.ArgumentParser):
    """Usage errors exit 64, as every stage's."""

    def error(self, message):
        self.print_usage(sys.stderr)
        self.exit(64, "%s: %s; try 'traffic.py --help'\n"
                  % (self.prog, message))


def main():
    p = Parser(
        prog="traffic.py",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Realistic, seedable traffic for the event layer: page "
        "views from ads,\nmailings, search, partners and direct visits, "
        "sessions, sign-ups, trials,\nunsubscribes and a few bad events, as "
        "NDJSON in time order (or posted to\nhook-recv), and the ads' costs "
        "CSV.",
        epilog="""examples:
  analytics/traffic.py --seed 7 --days 3 --costs costs.csv >events.ndjson
  EVENTS_API_KEYS=k analytics/traffic.py --post http://127.0.0.1:8080 \\
      --concurrency 4
  analytics/traffic.py --jitter 3 | build/bin/validate \\
      --dictionary analytics/dictionary.json >valid.ndjson

The same seed and options give the same events. On stderr at the end:
events per kind, the bad ones per kind, and with --post the answers per
HTTP status. Exit status: 0, 1 when --post met answers other than 2xx and
422 (the receiver refusing a bad event), 64 on a usage error.""")
    p.add_argument("--seed", metavar="N", type=int, default=1,
                   help="the random seed (default 1)")
    p.add_argument("--start", metavar="DATE", type=when, default=when("2026-11-02"),
                   help="the first day, UTC (default 2026-11-02)")
    p.add_argument("--days", metavar="N", type=int, default=7,
                   help="how many days (default 7)")
    p.add_argument("--scale", metavar="F", type=float,
                   help="multiplies every volume: budgets, organic and "
                   "direct visits, members, leads (default 1)")
    p.add_argument("-n", "--events", metavar="N", type=int,
                   help="write the first N events, in time order, of the "
                   "traffic at the scale that makes N or a few more over "
                   "--days (instead of --scale; not with --costs)")
    p.add_argument("--visitors", metavar="N", type=int, default=0,
                   help="at most N visitors besides the members and leads: "
                   "once N were met, every visit is by one of them "
                   "(default 0: no limit)")
    p.add_argument("--members", metavar="N", type=int, default=400,
                   help="members before the period, at scale 1 (400)")
    p.add_argument("--leads", metavar="N", type=int, default=300,
                   help="leads on the mailing list, at scale 1 (300)")
    p.add_argument("--bad-share", metavar="F", type=float, default=0.01,
                   help="the share of events made invalid (default 0.01)")
    p.add_argument("--bad-kinds", metavar="LIST", type=bad_kinds,
                   default=bad_kinds(DEFAULT_BAD_KINDS),
                   help="the kinds of bad events, comma-separated, or all: "
                   + "; ".join("%s, %s" % kv for kv in BAD_KINDS.items()) +
                   " (default %s)" % DEFAULT_BAD_KINDS)
    p.add_argument("--offset-share", metavar="F", type=float, default=0.03,
                   help="the share of times written with a -05:00 offset "
                   "(default 0.03)")
    p.add_argument("--jitter", metavar="SECONDS", type=float, default=0.0,
                   help="write events up to SECONDS out of time order "
                   "(default 0: in order)")
    p.add_argument("-o", "--output", metavar="FILE", default="-",
                   help="the events' file (default: stdout)")
    p.add_argument("--costs", metavar="FILE",
                   help="also write the ads' costs: CSV bucket,source,"
                   "campaign,cost, one row per day and ad")
    p.add_argument("--post", metavar="URL",
                   help="post each event to URL + --pageview-path or "
                   "--event-path instead of writing it")
    p.add_argument("--pageview-path", metavar="PATH", default="/pageview",
                   help="the page views' route (default /pageview)")
    p.add_argument("--event-path", metavar="PATH", default="/event",
                   help="the other events' route (default /event)")
    p.add_argument("--key-header", metavar="NAME", default="X-Events-API-Key",
                   help="the header the key goes in (default "
                   "X-Events-API-Key, vendors/events'; '' for none)")
    p.add_argument("--key-env", metavar="VAR", default="EVENTS_API_KEYS",
                   help="the variable holding the key, its first if "
                   "several (default EVENTS_API_KEYS): never on argv")
    p.add_argument("-c", "--concurrency", metavar="N", type=int, default=4,
                   help="connections at once with --post (default 4)")
    p.add_argument("-w", "--window", metavar="SECONDS", type=float, default=120.0,
                   help="with --post, send an event only once those more "
                   "than SECONDS older were answered: the receiver gets "
                   "them out of time order by that much at most (default "
                   "120; keep it under attribute's --tolerance, 300)")
    args = p.parse_args()
    if args.days < 1 or (args.scale is not None and args.scale <= 0) or \
            not 0 <= args.bad_share <= 1:
        p.error("--days must be at least 1, --scale positive, --bad-share "
                "between 0 and 1")
    if args.events is not None and (args.events < 1 or
                                    args.scale is not None or args.costs):
        p.error("--events must be at least 1, and goes without --scale "
                "and --costs")
    if args.visitors < 0:
        p.error("--visitors must be 0 or more")

    tr = generate(args)
    tr.spoil()
    records = tr.ordered()
    kinds = {}
    for r in records:
        kinds[r["event"]] = kinds.get(r["event"], 0) + 1
    if args.costs:
        with open(args.costs, "w") as f:
            f.write("bucket,source,campaign,cost\n")
            for row in tr.costs():
                f.write(row + "\n")
    status = 0
    if args.post:
        counts, failures = post_all(records, args)
        answers = " ".join("%s=%d" % (k if k is not None else "none", v)
                           for k, v in sorted(counts.items(),
                                              key=lambda kv: str(kv[0])))
        if failures:
            status = 1
    else:
        out = (sys.stdout if args.output == "-"
               else open(args.output, "w", encoding="utf-8"))
        for r in records:
            out.write(line(r) + "\n")
        out.flush()
        if out is not sys.stdout:
            out.close()
    print("traffic.py: events=%d (%s) bad=%d (%s)%s%s" % (
        len(records),
        " ".join("%s=%d" % kv for kv in sorted(kinds.items())),
        sum(tr.bad.values()),
        " ".join("%s=%d" % kv for kv in sorted(tr.bad.items())),
        (" scale=%.6g" % args.scale) if args.events is not None else "",
        (" posted: " + answers) if args.post else ""), file=sys.stderr)
    return status


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        sys.exit(0)
