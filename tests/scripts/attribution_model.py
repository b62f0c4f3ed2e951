"""A plain model of attribute and rollup, written from analytics/README.md.

No streaming here: every input is read, the rejects found, the events
sorted by place, and each answer computed from its definition by looking
at the events before it (quadratic, which is fine for test streams). The
C stages keep state per person and forget it as time passes; this model
keeps nothing and must give the same answers: that is the test.

    attribute(inputs, lookback_s, tolerance_s, conversions)
        inputs: [(name, [line, ...]), ...] in the order they are read;
        returns (events out, rejected records), each event an ordered dict
        as the stage writes it.
    rollup(events, bucket_s) -> {key: counts}, key (model, bucket_ms,
        source, campaign); totals_rows(...) writes them as rows.
"""

import json
import re

HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://([^/?#:@]*)", re.S)
TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))$")
COLUMNS = ["views", "signups", "conversions", "ttc_count", "ttc_sum_ms",
           "ttc_min_ms", "ttc_max_ms", "pages_before", "pages_after"]


def days_from_civil(y, m, d):
    # Days since 1970-01-01 in the proleptic Gregorian calendar, counted
    # plainly: whole years, then months.
    days = 0
    if y >= 1970:
        for yy in range(1970, y):
            days += 366 if leap(yy) else 365
    else:
        for yy in range(y, 1970):
            days -= 366 if leap(yy) else 365
    for mm in range(1, m):
        days += month_days(y, mm)
    return days + d - 1


def leap(y):
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def month_days(y, m):
    return [31, 29 if leap(y) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
            31][m - 1]


def parse_time(s):
    """UTC milliseconds of an RFC 3339 time, or None."""
    if not isinstance(s, str):
        return None
    m = TIME.match(s)
    if not m:
        return None
    y, mo, d, h, mi, se = (int(m.group(i)) for i in range(1, 7))
    if not (1 <= mo <= 12 and 1 <= d <= month_days(y, mo) and h <= 23
            and mi <= 59 and se <= 59):
        return None
    frac = int((m.group(7) or "0").ljust(3, "0"))
    off = 0
    if m.group(9):
        oh, om = int(m.group(10)), int(m.group(11))
        if oh > 23 or om > 59:
            return None
        off = (oh * 3600 + om * 60) * (-1 if m.group(9) == "-" else 1)
    secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se
    return (secs - off) * 1000 + frac


def civil(ms):
    secs = ms // 1000
    days, rem = divmod(secs, 86400)
    y = 1970
    while days < 0:
        y -= 1
        days += 366 if leap(y) else 365
    while days >= (366 if leap(y) else 365):
        days -= 366 if leap(y) else 365
        y += 1
    mo = 1
    while days >= month_days(y, mo):
        days -= month_days(y, mo)
        mo += 1
    return y, mo, days + 1, rem // 3600, rem // 60 % 60, rem % 60


def iso(ms):
    y, mo, d, h, mi, s = civil(ms)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (y, mo, d, h, mi, s,
                                                  ms % 1000)


def bucket_text(ms):
    y, mo, d, h, mi, s = civil(ms)
    return "%04d-%02d-%02d %02d:%02d:%02d" % (y, mo, d, h, mi, s)


def ascii_lower(s):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in s)


def host(u):
    if not isinstance(u, str):
        return None
    m = HOST.match(u)
    return ascii_lower(m.group(1)) if m else None


def text(v):
    """A metadata string value; None for absent, null or not a string."""
    return v if isinstance(v, str) else None


def nonempty(v):
    v = text(v)
    return v if v else None


def own_touch(ev):
    src = nonempty(ev.get("utm_source"))
    if src is None:
        ref = nonempty(ev.get("referrer"))
        rh = host(ref) if ref else None
        if rh:
            ph = host(text(ev.get("url")))
            if rh != (ph or ""):
                src = rh
    if src is None:
        src = "direct"
    return {"source": src, "campaign": text(ev.get("utm_campaign")) or "",
            "medium": text(ev.get("utm_medium")) or ""}


def is_touch(t):
    return t["source"] != "direct" or t["campaign"] != ""


def read(inputs):
    """The records in reading order with where they were read."""
    out = []
    for name, lines in inputs:
        for n, line in enumerate(lines, 1):
            out.append((name, n, json.loads(line, object_pairs_hook=dict)))
    return out


def place_of(name, n, ev):
    meta = ev.get("_meta")
    if isinstance(meta, dict):
        f, ln = meta.get("file"), meta.get("line")
        if isinstance(f, str) and isinstance(ln, int) and \
                not isinstance(ln, bool) and ln > 0:
            return f, ln
    return name, n


def attribute(inputs, lookback_s=2592000, tolerance_s=300,
              conversions=("signup",)):
    L = lookback_s * 1000
    tol = tolerance_s * 1000
    rejected, kept = [], []
    latest = None
    for seq, (name, n, ev) in enumerate(read(inputs)):
        t = parse_time(ev.get("time"))
        if t is None or (latest is not None and t < latest - tol):
            rejected.append(ev)
            continue
        latest = t if latest is None else max(latest, t)
        f, ln = place_of(name, n, ev)
        kept.append(((t, f.encode(), ln, seq), ev))
    kept.sort(key=lambda x: x[0])
    evs = [ev for _, ev in kept]
    T = [k[0] for k, _ in kept]
    N = len(evs)

    def member(i):
        return nonempty(evs[i].get("member_id"))

    def anon(i):
        return nonempty(evs[i].get("anonymous_id"))

    def is_pv(i):
        return evs[i].get("event") == "pageview"

    def is_conv(i):
        return evs[i].get("event") in conversions and member(i) is not None

    person = [None] * N
    claims = [False] * N  # conversion i claimed its anonymous id

    def activity(m, before):
        return [j for j in range(before) if person[j] == ("m", m)]

    def claim_holds(c, i):
        # The claim made at conversion c holds at i when the member's
        # events from c on, and i's time, leave no gap over the lookback.
        m = member(c)
        times = [T[j] for j in activity(m, i) if j >= c] + [T[i]]
        return all(b - a <= L for a, b in zip(times, times[1:]))

    def claimer(a, i):
        cs = [c for c in range(i) if claims[c] and anon(c) == a]
        if cs and claim_holds(cs[-1], i):
            return member(cs[-1])
        return None

    for i in range(N):
        if is_conv(i):
            person[i] = ("m", member(i))
            a = anon(i)
            claims[i] = a is not None and claimer(a, i) is None
        elif is_pv(i):
            if member(i):
                person[i] = ("m", member(i))
            elif anon(i):
                m = claimer(anon(i), i)
                person[i] = ("m", m) if m else ("a", anon(i))

    def touch_of(j):
        t = own_touch(evs[j])
        return dict([("event_id", evs[j].get("event_id")),
                     ("time", iso(T[j]))] + list(t.items()))

    def prev_conv(m, i):
        cs = [c for c in range(i) if is_conv(c) and member(c) == m]
        return cs[-1] if cs else None

    results = {}
    for i in range(N):
        if not is_conv(i):
            continue
        m, a = member(i), anon(i)
        pc = prev_conv(m, i)
        pclaims = [c for c in range(i) if claims[c] and anon(c) == a]
        prev_claim = pclaims[-1] if pclaims else -1
        window = []
        for j in range(i):
            if not is_pv(j) or T[i] - T[j] > L:
                continue
            if pc is not None and j < pc:
                continue
            if person[j] == ("m", m) or (claims[i] and
                                         person[j] == ("a", a) and
                                         j > prev_claim):
                window.append(j)
        touches = [j for j in window if is_touch(own_touch(evs[j]))]
        pick = touches or window
        first = touch_of(pick[0]) if pick else None
        last = touch_of(pick[-1]) if pick else None
        results[i] = dict([("first", first), ("last", last),
                           ("pages_before", len(window)),
                           ("time_to_convert_ms",
                            T[i] - T[pick[0]] if pick else None)])

    out = []
    for i in range(N):
        ev = dict(evs[i])
        if is_conv(i):
            ev["attribution"] = results[i]
        elif is_pv(i):
            at = {"touch": own_touch(evs[i])}
            p = person[i]
            if p and p[0] == "m":
                c = prev_conv(p[1], i)
                if c is not None and T[i] - T[c] <= L:
                    at["after"] = {"event_id": evs[c].get("event_id"),
                                   "first": results[c]["first"],
                                   "last": results[c]["last"]}
            ev["attribution"] = at
        out.append(ev)
    return out, rejected


def touch_key(t):
    if not t:
        return "(none)", ""
    return t["source"], t["campaign"]


def rollup(events, bucket_s=86400):
    rows = {}

    def add(model, b, key, **counts):
        r = rows.setdefault((model, b) + key, dict.fromkeys(COLUMNS, 0))
        for k, v in counts.items():
            r[k] += v

    step = bucket_s * 1000
    for ev in events:
        at = ev.get("attribution")
        if not isinstance(at, dict):
            continue
        b = parse_time(ev["time"]) // step * step
        for model in ("first", "last"):
            if "touch" in at:
                add(model, b, touch_key(at["touch"]), views=1)
                if "after" in at:
                    add(model, b, touch_key(at["after"][model]),
                        pages_after=1)
            else:
                ttc = at["time_to_convert_ms"]
                add(model, b, touch_key(at[model]), conversions=1,
                    signups=int(ev.get("event") == "signup"),
                    pages_before=at["pages_before"])
                if ttc is not None:
                    r = rows[(model, b) + touch_key(at[model])]
                    r["ttc_min_ms"] = ttc if r["ttc_count"] == 0 else \
                        min(r["ttc_min_ms"], ttc)
                    r["ttc_max_ms"] = max(r["ttc_max_ms"], ttc)
                    r["ttc_count"] += 1
                    r["ttc_sum_ms"] += ttc
    return rows


def sort_key(k):
    return (k[0], k[1], k[2].encode(), k[3].encode())


def rows_out(rows, batch_id=None, costs=None):
    """The rows as rollup writes them: sorted, each an ordered dict."""
    keys = set(rows)
    if costs is not None:
        for (b, s, c) in costs:
            keys.add(("first", b, s, c))
            keys.add(("last", b, s, c))
    out = []
    for k in sorted(keys, key=sort_key):
        r = rows.get(k, dict.fromkeys(COLUMNS, 0))
        row = {"model": k[0], "bucket": bucket_text(k[1]), "source": k[2],
               "campaign": k[3]}
        if batch_id is not None:
            row["batch_id"] = batch_id
        row.update(r)
        if costs is not None:
            cost = costs.get((k[1], k[2], k[3]), 0)
            row["cost"] = cost
            row["cost_per_signup"] = cost / r["signups"] \
                if r["signups"] else None
        out.append(row)
    return out
