"""attribute and rollup against the plain model (attribution_model.py) on
random event streams: a fresh seed each run, printed (ATTRIB_SEED repeats
one). Each stream has persons who visit anonymously before they sign up,
several sign-ups of one member, anonymous ids shared by two members, ties
in time (the same millisecond, also across the two input files), events
out of order within the tolerance and a few beyond it, direct-only and
empty windows, referrers of the page's own host, empty strings beside
nulls, provenance from _meta, and persons whose windows close (swept away
by the stage as it goes). attribute's output must be the model's, event
for event; rollup's partial rows and rollup --merge's totals (also of the
output split into batches, one sent twice, and with costs) the model's
sums.

    python3 attribution-differential.py BIN TMPDIR [STREAMS]
"""

import hashlib
import json
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import attribution_model as model  # noqa: E402

BIN, TMP = sys.argv[1], sys.argv[2]
STREAMS = int(sys.argv[3]) if len(sys.argv) > 3 else 12
SEED = int(os.environ.get("ATTRIB_SEED") or random.SystemRandom().randrange(
    1 << 30))
print("# seed %d (ATTRIB_SEED=%d repeats it)" % (SEED, SEED))
failures = 0

HOSTS = ["www.example.org", "Example.ORG", "m.facebook.com", "google.com",
         "t.co", "news.example.net"]
SOURCES = ["facebook", "google", "newsletter", "", None, "tiktok"]
CAMPAIGNS = ["fall-vote", "gotv", "", None, "spring"]
MEDIUMS = ["cpc", "email", "", None]


def report(ok, what, detail=""):
    global failures
    print("%s - %s" % ("ok" if ok else "not ok", what))
    if not ok:
        failures += 1
        for line in detail.splitlines()[:30]:
            print("#   " + line)


def fmt_time(ms, rng):
    """ms as RFC 3339, sometimes with an offset or fewer digits."""
    choice = rng.random()
    if choice < 0.15:
        off = rng.choice([-300, 60, 330])
        t = model.iso(ms + off * 60000)
        sign = "-" if off < 0 else "+"
        return t[:-1] + "%s%02d:%02d" % (sign, abs(off) // 60, abs(off) % 60)
    t = model.iso(ms)
    if choice < 0.3 and ms % 1000 == 0:
        return t[:19] + "Z"
    return t


def gen_stream(rng):
    day = 86400000
    lookback_s = rng.choice([86400, 3 * 86400, 7 * 86400])
    tolerance_s = rng.choice([60, 300])
    t0 = 1793491200000  # 2026-11-01
    span = rng.choice([5, 20, 40]) * day
    nmembers = rng.randint(5, 40)
    members = ["m%d" % i for i in range(nmembers)]
    anons = {m: ["fp-%s-%d" % (m, k) for k in range(rng.randint(1, 3))]
             for m in members}
    shared = ["fp-shared-%d" % i for i in range(3)]
    stray = ["fp-stray-%d" % i for i in range(6)]
    evs = []
    nevents = rng.randint(50, 400)
    times = [t0 + rng.randrange(span) for _ in range(nevents)]
    # A burst at the end, for the second file.
    end = max(times)
    times += [end - rng.randrange(tolerance_s * 500)
              for _ in range(rng.randint(4, 16))]
    times.sort()
    # Ties: some events take the time of the one before.
    for i in range(1, len(times)):
        if rng.random() < 0.1:
            times[i] = times[i - 1]
    conv_names = ["signup"] + (["trial"] if rng.random() < 0.3 else [])
    for i, t in enumerate(times):
        m = rng.choice(members)
        r = rng.random()
        ev = {"event": "pageview", "event_id": "e%d" % i,
              "time": None, "member_id": None, "anonymous_id": None,
              "session_id": "s%d" % rng.randrange(50)}
        if r < 0.12:
            ev["event"] = rng.choice(conv_names + ["signup"])
        elif r < 0.16:
            ev["event"] = "unsubscribe"
        # Identity.
        idr = rng.random()
        a = rng.choice(anons[m] + shared[:1] + [rng.choice(stray)])
        if ev["event"] != "pageview":
            if idr < 0.7:
                ev["member_id"], ev["anonymous_id"] = m, a
            elif idr < 0.9:
                ev["member_id"] = m
            elif idr < 0.95:
                ev["anonymous_id"] = a  # a conversion without a member
            else:
                ev["member_id"] = ""
                ev["anonymous_id"] = a
        else:
            if idr < 0.25:
                ev["member_id"] = m
            elif idr < 0.9:
                ev["anonymous_id"] = a
            elif idr < 0.95:
                ev["anonymous_id"] = ""
        if rng.random() < 0.2:
            for k in ("member_id", "anonymous_id"):
                if ev[k] is None:
                    del ev[k]
        if ev["event"] == "pageview":
            page = rng.choice(HOSTS[:2])
            ev["url"] = rng.choice(["https://%s/p%d" % (page, i),
                                    "https://%s/" % page, "not a url", ""])
            ref = rng.random()
            if ref < 0.3:
                ev["referrer"] = "https://%s/x?q=1" % rng.choice(HOSTS)
            elif ref < 0.4:
                ev["referrer"] = rng.choice(["", None, "android-app://x",
                                             "https://user@h.com/",
                                             "http://"])
            for k, vals in (("utm_source", SOURCES),
                            ("utm_campaign", CAMPAIGNS),
                            ("utm_medium", MEDIUMS)):
                if rng.random() < 0.35:
                    ev[k] = rng.choice(vals)
        ev["properties"] = {}
        if rng.random() < 0.15:
            ev["_meta"] = {"file": rng.choice(["journal-1", "journal-2"]),
                           "line": rng.randint(1, 5)}
        ev["_t"] = t
        evs.append(ev)
    # Out of order within the tolerance: nudge neighbours.
    order = list(range(len(evs)))
    tol = tolerance_s * 1000
    for i in range(len(order) - 1):
        a, b = evs[order[i]]["_t"], evs[order[i + 1]]["_t"]
        if rng.random() < 0.15 and b - a <= tol:
            order[i], order[i + 1] = order[i + 1], order[i]
    seq = [evs[i] for i in order]
    # A few far too late: moved well after their time.
    for _ in range(rng.randint(0, 3)):
        if len(seq) > 20:
            e = seq.pop(rng.randrange(len(seq) // 2))
            seq.insert(len(seq) - rng.randrange(5) - 1, e)
    # A few without a usable time.
    if rng.random() < 0.3:
        seq[rng.randrange(len(seq))]["_t"] = None
    lines = []
    for e in seq:
        t = e.pop("_t")
        e["time"] = fmt_time(t, rng) if t is not None else "yesterday"
        lines.append(json.dumps(e, separators=(",", ":"),
                                ensure_ascii=False))
    # The second file: some of the last events (within the tolerance of
    # the latest), one of them at the very millisecond of one in the first.
    latest = max(model.parse_time(json.loads(x)["time"]) or 0 for x in lines)
    tail = [i for i, x in enumerate(lines)
            if (model.parse_time(json.loads(x)["time"]) or 0) >=
            latest - tol // 2]
    second = set(rng.sample(tail, len(tail) // 2)) if len(tail) > 1 else set()
    if second:
        i = min(second)
        keep = [j for j in tail if j not in second]
        if keep:
            rec = json.loads(lines[i])
            rec["time"] = json.loads(lines[keep[0]])["time"]
            rec.pop("_meta", None)
            lines[i] = json.dumps(rec, separators=(",", ":"),
                                  ensure_ascii=False)
    f1 = [x for i, x in enumerate(lines) if i not in second]
    f2 = [x for i, x in enumerate(lines) if i in second]
    return lookback_s, tolerance_s, conv_names, f1, f2


ENV = {}


def run(args, stdin=None, env=None):
    p = subprocess.run(args, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env or ENV or None)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def money(rec):
    """Costs compared as numbers: 100 and 100.0 are one cost."""
    for k in ("cost", "cost_per_signup"):
        if isinstance(rec, dict) and rec.get(k) is not None:
            rec[k] = float(rec[k])
    return rec


def canon(line):
    return json.dumps(money(json.loads(line)), separators=(",", ":"),
                      ensure_ascii=False)


def first_difference(want, got, what):
    for i, (w, g) in enumerate(zip(want, got)):
        if w != g:
            return "%s %d differs:\n  model: %s\n  stage: %s" % (what, i + 1,
                                                                w, g)
    return "%s: the model has %d, the stage %d" % (what, len(want), len(got))


def rows_text(rows):
    return [json.dumps(money(r), separators=(",", ":"), ensure_ascii=False)
            for r in rows]


def check_stream(n, rng):
    lookback_s, tolerance_s, convs, f1, f2 = gen_stream(rng)
    d = os.path.join(TMP, "s%d" % n)
    os.makedirs(d, exist_ok=True)
    p1, p2 = os.path.join(d, "a.ndjson"), os.path.join(d, "b.ndjson")
    for p, lines in ((p1, f1), (p2, f2)):
        with open(p, "w") as f:
            f.write("".join(x + "\n" for x in lines))
    want, rejected = model.attribute([(p1, f1), (p2, f2)], lookback_s,
                                     tolerance_s, convs)
    env = dict(os.environ, SLUICE_ATTRIB_SWEEP_MIN=str(rng.choice([1, 4])))
    # Every other stream on the jansson path, the others on the fast path.
    env["SLUICE_FASTPATH"] = "0" if n % 2 else "1"
    ENV.clear()
    ENV.update(env)
    rej = os.path.join(d, "rejects")
    args = [BIN + "/attribute", "--lookback", str(lookback_s), "--tolerance",
            str(tolerance_s), "--conversions", ",".join(convs), "--rejects",
            rej, p1, p2]
    rc, out, err = run(args, env=env)
    what = "stream %d (%d events, lookback %d s, tolerance %d s%s)" % (
        n, len(f1) + len(f2), lookback_s, tolerance_s,
        ", SLUICE_FASTPATH=0" if n % 2 else "")
    got = [canon(x) for x in out.decode().splitlines()]
    wanted = [json.dumps(e, separators=(",", ":"), ensure_ascii=False)
              for e in want]
    with open(rej) as f:
        got_rej = [canon(json.dumps(json.loads(x)["record"])) for x in f]
    want_rej = [json.dumps(e, separators=(",", ":"), ensure_ascii=False)
                for e in rejected]
    report(rc == (1 if rejected else 0) and got == wanted and
           got_rej == want_rej, "attribute: " + what + " as the model",
           "exit %d\n" % rc + (first_difference(wanted, got, "event")
                               if got != wanted else
                               first_difference(want_rej, got_rej, "reject"))
           + "\n" + err[-400:])
    STATS["events"] += len(want)
    STATS["rejected"] += len(rejected)
    STATS["second file"] += len(f2)
    for e in want:
        at = e.get("attribution") or {}
        if "pages_before" in at:
            STATS["conversions"] += 1
            STATS["empty windows"] += at["first"] is None
            STATS["direct-only windows"] += bool(
                at["first"] and not model.is_touch(at["first"]))
        STATS["after marks"] += "after" in at
    if got != wanted:
        return
    # rollup of the whole output, then merged.
    bucket_s = rng.choice([3600, 86400])
    rows = model.rollup(want, bucket_s)
    rc, part, err = run([BIN + "/rollup", "--bucket", str(bucket_s),
                         "--batch-id", "b0"], stdin=out)
    got = [canon(x) for x in part.decode().splitlines()]
    wanted = rows_text(model.rows_out(rows, "b0"))
    report(rc == 0 and got == wanted, "rollup: " + what + " as the model",
           first_difference(wanted, got, "row") + "\n" + err[-300:])
    rc, dflt, err = run([BIN + "/rollup", "--bucket", str(bucket_s)],
                        stdin=out)
    ids = {json.loads(x)["batch_id"] for x in dflt.decode().splitlines()}
    report(ids == {hashlib.sha256(out).hexdigest()},
           "rollup: %s: the batch id is the input's SHA-256" % what,
           str(ids))
    # The output in batches, one rolled up and sent twice, then merged,
    # with costs.
    lines = out.decode().splitlines(True)
    cuts = sorted(rng.sample(range(1, len(lines)), min(3, len(lines) - 1)))
    parts, start = [], 0
    for i, c in enumerate(cuts + [len(lines)]):
        rc, p, err = run([BIN + "/rollup", "--bucket", str(bucket_s),
                          "--batch-id", "b%d" % i],
                         stdin="".join(lines[start:c]).encode())
        parts.append(p)
        start = c
    parts.append(parts[0])
    pf = os.path.join(d, "partials.ndjson")
    with open(pf, "wb") as f:
        f.write(b"".join(parts))
    costs = {}
    keys = sorted(rows, key=model.sort_key)
    for k in rng.sample(keys, min(3, len(keys))):
        costs[(k[1], k[2], k[3])] = rng.choice([12.5, 3, 0.1, 100])
    costs[(keys[0][1] - 86400000 * 3, "radio", "")] = 7.25
    cf = os.path.join(d, "costs.csv")
    with open(cf, "w") as f:
        f.write("bucket,source,campaign,cost\n")
        for (b, s, c), v in costs.items():
            text = model.bucket_text(b)
            if text.endswith("00:00:00") and rng.random() < 0.5:
                text = text[:10]
            f.write('%s,"%s","%s",%r\n' % (text, s.replace('"', '""'),
                                           c.replace('"', '""'), v))
    rc, tot, err = run([BIN + "/rollup", "--merge", pf])
    got = [canon(x) for x in tot.decode().splitlines()]
    wanted = rows_text(model.rows_out(rows))
    report(rc == 0 and got == wanted,
           "rollup --merge: %s in %d batches, one twice: the model's totals"
           % (what, len(cuts) + 1),
           first_difference(wanted, got, "row") + "\n" + err[-300:])
    rc, tot, err = run([BIN + "/rollup", "--merge", "--costs", cf, pf])
    got = [canon(x) for x in tot.decode().splitlines()]
    wanted = rows_text(model.rows_out(rows, costs=costs))
    report(rc == 0 and got == wanted,
           "rollup --merge --costs: %s: the model's costs" % what,
           first_difference(wanted, got, "row") + "\n" + err[-300:])


STATS = dict.fromkeys(["events", "rejected", "second file", "conversions",
                       "empty windows", "direct-only windows",
                       "after marks"], 0)
rng = random.Random(SEED)
for n in range(STREAMS):
    check_stream(n, rng)
print("# " + " ".join("%s=%d" % (k.replace(" ", "_"), v)
                      for k, v in STATS.items()))
sys.exit(1 if failures else 0)
