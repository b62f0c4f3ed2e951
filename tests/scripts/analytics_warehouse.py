"""What analytics-sql.py and rollup-loaders.py share (not a test itself):

- a ClickHouse client over HTTP (query, JSON rows, the project's .sql files
  loaded statement by statement) and a server started and stopped for the
  test;
- a seeded random event stream, the kind analytics/README.md describes
  (anonymous visits before a sign-up, several sign-ups per member, shared
  anonymous ids, ties in the same millisecond across two files, referrers
  of the page's own host, empty strings and nulls, times with offsets and
  fractions, a little disorder within attribute's tolerance);
- the answers extracted from attribute's records, in the form the SQL
  views' rows are compared in.
"""

import datetime
import gzip
import hashlib
import http.client
import json
import os
import random
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.environ.get("ROOT", ".")
CH_SH = os.path.join(ROOT, "tests", "servers", "clickhouse.sh")
LOOKBACK_S = 2592000
BUCKET_S = 86400
CONVERSIONS = ("signup",)
# The share of browsers two persons use (ANALYTICS_SHARED_BROWSERS; not
# SHARED, which the runner sets to the shared corpora's folder).
SHARED_BROWSERS = float(os.environ.get("ANALYTICS_SHARED_BROWSERS", "0.1"))

# --- the server ----------------------------------------------------------

servers = []


def ch_start(d):
    p = subprocess.run(["sh", CH_SH, "start", d], capture_output=True,
                       text=True, timeout=120)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        return None
    servers.append(d)
    return p.stdout.strip()


def ch_stop_all(*_):
    for d in servers:
        subprocess.run(["sh", CH_SH, "stop", d], capture_output=True,
                       timeout=120)
    servers.clear()


def query(url, sql, body=None, headers=None, settings=None):
    """POSTs sql (with body); returns (status, bytes)."""
    params = {"query": sql}
    params.update(settings or {})
    r = urllib.request.Request(
        url + "/?" + urllib.parse.urlencode(params),
        data=body if body is not None else b"", headers=headers or {},
        method="POST")
    try:
        with urllib.request.urlopen(r, timeout=300) as f:
            return f.status, f.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (TimeoutError, OSError) as e:
        # Which server and which query, for a failure that is rare.
        raise RuntimeError("%s at %s: %r" % (sql[:300], url, e)) from e


def must(url, sql, body=None, headers=None):
    st, out = query(url, sql, body, headers)
    if st != 200:
        raise RuntimeError("%s: HTTP %d: %s" % (sql[:200], st,
                                                out.decode()[:800]))
    return out


def select(url, sql):
    """The rows of a SELECT as dicts (64-bit integers as numbers). A read
    whose connection was dropped is asked once more (on a loaded machine
    the server has been seen to close one without an answer)."""
    for attempt in (1, 2):
        try:
            st, out = query(url, sql + " FORMAT JSONEachRow", settings={
                "output_format_json_quote_64bit_integers": 0})
            break
        except (ConnectionError, http.client.HTTPException):
            if attempt == 2:
                raise
    if st != 200:
        raise RuntimeError("%s: HTTP %d: %s" % (sql[:200], st,
                                                out.decode()[:800]))
    return [json.loads(line) for line in out.decode().splitlines() if line]


def statements(path):
    """The statements of a .sql file: each ends with ';' at a line's end."""
    text = open(path, encoding="utf-8").read()
    out = []
    for part in re.split(r";[ \t]*\n", text):
        code = "\n".join(line for line in part.splitlines()
                         if not line.strip().startswith("--")).strip()
        if code:
            out.append(part.strip().rstrip(";"))
    return out


def load_sql(url, *names):
    """Runs pipelines/sql/NAME for each name, statement by statement."""
    for name in names:
        for s in statements(os.path.join(ROOT, "pipelines", "sql", name)):
            must(url, s)


def insert_json(url, table, rows):
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    must(url, "INSERT INTO %s FORMAT JSONEachRow" % table,
         gzip.compress(body.encode("utf-8")), {"Content-Encoding": "gzip"})


# --- time ----------------------------------------------------------------

TIME_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)"
                     r"(?:\.(\d{1,3}))?([Zz]|[+-]\d\d:\d\d)$")


def time_ms(s):
    """An RFC 3339 time (at most three fraction digits) in UTC ms."""
    m = TIME_RE.match(s)
    y, mo, d, h, mi, se = (int(x) for x in m.groups()[:6])
    frac = int((m.group(7) or "0").ljust(3, "0"))
    t = datetime.datetime(y, mo, d, h, mi, se,
                          tzinfo=datetime.timezone.utc).timestamp()
    z = m.group(8)
    off = 0
    if z not in ("Z", "z"):
        off = (int(z[1:3]) * 60 + int(z[4:6])) * 60
        if z[0] == "+":
            off = -off
    return (int(t) + off) * 1000 + frac


def rfc3339(ms, rng):
    """ms written the way clients do: Z or an offset, 0 to 3 digits."""
    off = rng.choice([0, 0, 0, -5 * 60, 2 * 60, 5 * 60 + 30])
    local = datetime.datetime.fromtimestamp(
        ms // 1000 + off * 60, datetime.timezone.utc)
    s = local.strftime("%Y-%m-%dT%H:%M:%S")
    frac = ms % 1000
    digits = rng.choice([0, 1, 2, 3]) if frac == 0 else 3
    if frac % 10 == 0 and frac % 100 != 0 and rng.random() < 0.5:
        s += ".%02d" % (frac // 10)
    elif frac % 100 == 0 and frac and rng.random() < 0.5:
        s += ".%d" % (frac // 100)
    elif digits or frac:
        s += ".%03d" % frac
    if off == 0:
        return s + "Z"
    sign = "+" if off > 0 else "-"
    return s + "%s%02d:%02d" % (sign, abs(off) // 60, abs(off) % 60)


# --- a random event stream -------------------------------------------------

SOURCES = ["facebook", "newsletter", "google", "Twitter", "", None, None,
           None, None]
CAMPAIGNS = ["fall-vote", "spring", "gotv", "", None, None, None, None]
MEDIUMS = ["cpc", "email", "social", "", None]
REFERRERS = [None, None, "", "https://m.facebook.com/", "https://WWW.Google.com/search?q=x",
             "https://www.example.org/other", "http://user@evil.example:8080/x",
             "android-app://com.google.android.gm/", "no-scheme-at-all",
             "https://t.co", "HTTPS://News.Example.NET#frag", "https:///empty-host",
             "https://www.example.org:8443/same-host-other-port"]
URLS = ["https://www.example.org/vote", "https://www.example.org/?utm_source=x",
        "https://WWW.EXAMPLE.ORG/Upper", "http://www.example.org:8080/port",
        "https://join.example.org/signup"]


def hexid(rng, n):
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def uuid(rng):
    h = hexid(rng, 32)
    return "%s-%s-4%s-a%s-%s" % (h[:8], h[8:12], h[13:16], h[17:20], h[20:])


def gen_stream(seed, persons=60, days=80):
    """A list of event records (with _meta.file and _meta.line), in the
    order of their place give or take a minute."""
    rng = random.Random(seed)
    start = time_ms("2026-09-01T00:00:00Z")
    span = days * 86400 * 1000
    raw = []  # (t_ms, record without time/_meta)
    anon_pool = ["fp-" + hexid(rng, 10) for _ in range(persons)]
    for _ in range(persons):
        member = hexid(rng, 24)
        anons = ["fp-" + hexid(rng, 10)]
        if rng.random() < 0.3:  # a second browser
            anons.append("fp-" + hexid(rng, 10))
        if rng.random() < SHARED_BROWSERS:  # a browser someone else uses too
            anons.append(rng.choice(anon_pool))
        n_signups = rng.choice([0, 1, 1, 1, 2, 2, 3])
        signups = sorted(start + rng.randrange(span) for _ in range(n_signups))
        visits = sorted(start + rng.randrange(span)
                        for _ in range(rng.randrange(1, 12)))
        for s in signups:  # visits shortly before each sign-up
            for _ in range(rng.randrange(0, 4)):
                visits.append(max(start, s - rng.randrange(1, 40 * 86400)
                                  * 1000 // rng.choice([1, 10, 1000])))
        sess = "s-" + hexid(rng, 6)
        for v in visits:
            signed = any(s <= v for s in signups)
            mid = member if signed and rng.random() < 0.7 else None
            anon = rng.choice(anons) if (mid is None or rng.random() < 0.5) \
                else None
            if mid is None and anon is None:
                anon = anons[0]
            for k in range(rng.randrange(1, 4)):
                t = v + k * rng.choice([0, 1, 1000, 60000])
                raw.append((t, pageview(rng, mid, anon, sess)))
        L = LOOKBACK_S * 1000
        for s in signups:  # on the lookback's edges, before and after
            if rng.random() < 0.3:
                for t in (s - L, s - L - 1, s + L, s + L + 1):
                    raw.append((t, pageview(rng, None, anons[0], sess)))
        for s in signups:
            anon = rng.choice(anons) if rng.random() < 0.8 else None
            raw.append((s, event(rng, "signup", member, anon, sess)))
            if rng.random() < 0.3:
                raw.append((s + rng.randrange(0, 5000),
                            event(rng, rng.choice(["trial", "unsubscribe"]),
                                  member, None, sess)))
        if rng.random() < 0.1:  # a sign-up without a member id
            raw.append((start + rng.randrange(span),
                        event(rng, "signup", None, anons[0], sess)))
    # a shared browser: two members sign up with one anonymous id in the
    # same millisecond (the claim goes by file, then line)
    for _ in range(8):
        anon, t = "fp-" + hexid(rng, 12), start + rng.randrange(span)
        for _ in range(2):
            raw.append((t, event(rng, "signup", hexid(rng, 24), anon, "s-x")))
        raw.append((t - 1000, pageview(rng, None, anon, "s-x")))
    stories(rng, raw, start)
    # ties: some events moved onto another one's millisecond
    for i in range(len(raw) // 15):
        a, b = rng.randrange(len(raw)), rng.randrange(len(raw))
        raw[a] = (raw[b][0], raw[a][1])
    raw.sort(key=lambda x: x[0])
    lines = {"a.ndjson": 0, "b.ndjson": 0}
    out = []
    for t, rec in raw:
        f = rng.choice(["a.ndjson", "b.ndjson"])
        lines[f] += 1
        rec["time"] = rfc3339(t, rng)
        rec["_meta"] = {"source": "events", "file": f, "line": lines[f]}
        out.append(rec)
    # a little disorder, well within attribute's default tolerance (300 s)
    for i in range(len(out) - 1):
        if rng.random() < 0.05 and \
                time_ms(out[i + 1]["time"]) - time_ms(out[i]["time"]) < 60000:
            out[i], out[i + 1] = out[i + 1], out[i]
    return out


def stories(rng, raw, start):
    """Claims that lapse: an id claimed three times, its holders idle for
    longer than the lookback in between; a member whose second browser's
    visits keep its first browser's claim alive."""
    day = 86400 * 1000
    anon = "fp-" + hexid(rng, 12)
    for k in range(3):
        t = start + k * 35 * day + rng.randrange(day)
        raw.append((t - 3600 * 1000, pageview(rng, None, anon, "s-c")))
        raw.append((t, event(rng, "signup", hexid(rng, 24), anon, "s-c")))
        raw.append((t + 20 * day, pageview(rng, None, anon, "s-c")))
    member = hexid(rng, 24)
    a, b = "fp-" + hexid(rng, 12), "fp-" + hexid(rng, 12)
    t = start + rng.randrange(5 * day)
    raw.append((t, event(rng, "signup", member, a, "s-b")))
    raw.append((t + day, event(rng, "signup", member, b, "s-b")))
    raw.append((t + 25 * day, pageview(rng, None, b, "s-b")))
    raw.append((t + 50 * day, pageview(rng, None, a, "s-b")))
    raw.append((t + 52 * day, event(rng, "signup", member, None, "s-b")))


def pageview(rng, member, anon, sess):
    rec = {"event": "pageview", "event_id": uuid(rng)}
    if member is not None or rng.random() < 0.5:
        rec["member_id"] = member
    if anon is not None or rng.random() < 0.5:
        rec["anonymous_id"] = anon
    rec["session_id"] = sess
    rec["url"] = rng.choice(URLS)
    for k, choices in (("referrer", REFERRERS), ("utm_source", SOURCES),
                       ("utm_medium", MEDIUMS), ("utm_campaign", CAMPAIGNS)):
        v = rng.choice(choices)
        if v is not None or rng.random() < 0.5:
            rec[k] = v
    rec["properties"] = {"path": "/vote"}
    return rec


def event(rng, name, member, anon, sess):
    rec = {"event": name, "event_id": uuid(rng), "member_id": member,
           "anonymous_id": anon, "session_id": sess,
           "url": "https://www.example.org/join", "properties": {}}
    return rec


# --- rollup's columns ------------------------------------------------------

def none(v):
    return v is None or v == ""


COUNTS = ("views", "signups", "conversions", "ttc_count", "ttc_sum_ms",
          "ttc_min_ms", "ttc_max_ms", "pages_before", "pages_after")


# --- answers in one form ------------------------------------------------

def touch_key(t):
    """A touch as compared: (event_id, utc ms, source, campaign, medium)."""
    if t is None:
        return None
    return (t["event_id"], time_ms(t["time"]), t["source"], t["campaign"],
            t["medium"])


def answers_of_records(records):
    """From attribute's records: conversions, page views' own touches, pages
    after, as dicts keyed by event id."""
    conv, touches, after = {}, {}, {}
    for e in records:
        a = e.get("attribution")
        if a is None:
            continue
        if "pages_before" in a:
            conv[e["event_id"]] = (touch_key(a["first"]),
                                   touch_key(a["last"]), a["pages_before"],
                                   a["time_to_convert_ms"])
        elif "after" in a:
            af = a["after"]
            after[e["event_id"]] = (af["event_id"],) + src_camp(af["first"]) \
                + src_camp(af["last"])
        if e["event"] == "pageview":
            t = a["touch"]
            touches[e["event_id"]] = (t["source"], t["campaign"],
                                      t["medium"])
    return conv, touches, after


def src_camp(t):
    """A touch as rollup counts it: (source, campaign), '(none)' for none."""
    return ("(none)", "") if t is None else (t["source"], t["campaign"])


def sql_touch(r, side):
    if r[side + "_event_id"] is None:
        return None
    return (r[side + "_event_id"],
            time_ms(r[side + "_time"].replace(" ", "T") + "Z")
            + r[side + "_time_ms"], r[side + "_source"],
            r[side + "_campaign"], r[side + "_medium"])


def batch_digest(lines):
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()
