"""SQL = C: the analytics_* views (pipelines/sql/analytics.sql) give the
answers of attribute and rollup on the same events, row for row.

A random event stream (seeded: ANALYTICS_SQL_SEED repeats one; the seed is
printed) goes into a real ClickHouse 18.16's events table, part of it twice
(the views read events FINAL), and through `attribute | rollup | rollup
--merge`. Then: analytics_persons holds each anonymous id's claim,
analytics_touches each page view's source, campaign and medium,
analytics_conversions each conversion's first and last touch, pages_before
and time_to_convert_ms, analytics_pages_after each page view after a
conversion, analytics_rollup rollup's totals; the stream's partial rows
(three batches, one sent twice) loaded into rollup_partials give
analytics_rollup_totals equal to rollup --merge, and analytics_roi the cost
per sign-up of rollup --merge --costs. Again with the lookback changed in
analytics_params (the view's parameter) and --lookback.

While the stages are not built (branch attribution), the answers are the
plain model's in analytics_warehouse.py; while post-quasar has no
--layout events (branch events-in), the rows are inserted directly: the
test says which with a skip line.
"""

import json
import os
import random
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import analytics_warehouse as aw  # noqa: E402

BIN = os.environ["BIN"]
TMP = os.environ["TMPDIR"]
failures = 0


def check(ok, name, detail=""):
    global failures
    print(("ok - " if ok else "not ok - ") + "analytics-sql: " + name)
    if not ok:
        failures += 1
        if detail != "":
            sys.stderr.write("    " + str(detail)[:3000] + "\n")
    sys.stdout.flush()
    return ok


def first_difference(want, got):
    """The first key whose values differ, readably (or '')."""
    for k in sorted(set(want) | set(got), key=repr):
        if want.get(k, "(missing)") != got.get(k, "(missing)"):
            return "%r:\n      want %r\n      got  %r (%d vs %d keys)" % (
                k, want.get(k, "(missing)"), got.get(k, "(missing)"),
                len(want), len(got))
    return ""


def same(name, want, got):
    d = first_difference(want, got)
    return check(d == "" and len(want) > 0, name + " (%d rows)" % len(want),
                 d or "nothing to compare")


# --- who answers: the stages, or the model while they are not built ------

def have_stage(name, flag):
    path = os.path.join(BIN, name)
    if not os.path.exists(path):
        return False
    p = subprocess.run([path, "--help"], capture_output=True, text=True)
    return flag in p.stdout


STAGES = have_stage("attribute", "--lookback") and \
    have_stage("rollup", "--merge")
LAYOUT = have_stage("post-quasar", "--layout")


def run(args, data):
    p = subprocess.run(args, input=data, capture_output=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(args), p.returncode,
                                                p.stderr.decode()[-1500:]))
    return p.stdout.decode()


def attribute(stream_text, lookback_s):
    if STAGES:
        out = run([os.path.join(BIN, "attribute"), "--lookback",
                   str(lookback_s)], stream_text.encode())
        return [json.loads(line) for line in out.splitlines()]
    stream = [json.loads(line) for line in stream_text.splitlines()]
    return aw.model_attribute(stream, lookback_s)


def rollup(lines, batch_id):
    if STAGES:
        out = run([os.path.join(BIN, "rollup"), "--batch-id", batch_id],
                  "".join(lines).encode())
        return [json.loads(line) for line in out.splitlines()]
    return aw.model_rollup([json.loads(x) for x in lines], batch_id)


def merge(partials, costs=None):
    """rollup --merge's totals keyed by (model, bucket, source, campaign)."""
    if STAGES:
        args = [os.path.join(BIN, "rollup"), "--merge"]
        if costs:
            args += ["--costs", costs]
        out = run(args, "".join(json.dumps(r) + "\n" for r in partials)
                  .encode())
        tot = {}
        for line in out.splitlines():
            r = json.loads(line)
            tot[(r["model"], r["bucket"], r["source"], r["campaign"])] = r
        return tot
    tot = aw.model_merge(partials)
    if costs:
        cost = read_costs(costs)
        for k, r in tot.items():
            c = cost.get(k[1:], 0.0)
            r["cost"] = c
            r["cost_per_signup"] = c / r["signups"] if r["signups"] else None
    return tot


def read_costs(path):
    out = {}
    with open(path) as f:
        next(f)
        for line in f:
            b, s, c, v = line.rstrip("\n").split(",")
            if len(b) == 10:
                b += " 00:00:00"
            out[(b, s, c)] = out.get((b, s, c), 0.0) + float(v)
    return out


def counts(tot):
    return {k: tuple(r[c] for c in aw.COUNTS) for k, r in tot.items()}


# --- loading ---------------------------------------------------------------

def load_events(url, stream, rng):
    rows = [aw.as_row(r) for r in stream]
    again = [dict(r, received_at="2026-12-01 00:00:01")
             for r in rows if rng.random() < 0.1]
    if LAYOUT:
        path = os.path.join(TMP, "stream.ndjson")
        run([os.path.join(BIN, "post-quasar"), "--table", "events",
             "--layout", "events", path], b"")
        aw.insert_json(url, "events", again)
    else:
        aw.insert_json(url, "events", rows)
        aw.insert_json(url, "events", again)
    return len(again)


def load_partials(url, partials):
    aw.insert_json(url, "rollup_partials", partials)


# --- the comparisons -------------------------------------------------------

def sql_answers(url):
    conv = {}
    for r in aw.select(url, "SELECT * FROM analytics_conversions"):
        conv[r["event_id"]] = (aw.sql_touch(r, "first"),
                               aw.sql_touch(r, "last"), r["pages_before"],
                               r["time_to_convert_ms"])
    touches = {r["event_id"]: (r["source"], r["campaign"], r["medium"])
               for r in aw.select(url, "SELECT event_id, source, campaign, "
                                  "medium FROM analytics_touches")}
    after = {r["event_id"]: (r["conversion_event_id"], r["first_source"],
                             r["first_campaign"], r["last_source"],
                             r["last_campaign"])
             for r in aw.select(url, "SELECT * FROM analytics_pages_after")}
    return conv, touches, after


def sql_rollup(url, view):
    return {(r["model"], r["bucket"], r["source"], r["campaign"]):
            tuple(r[c] for c in aw.COUNTS)
            for r in aw.select(url, "SELECT * FROM " + view)}


def claims_of(stream):
    firsts = {}
    for e in stream:
        if e["event"] in aw.CONVERSIONS and not aw.none(e.get("member_id")) \
                and not aw.none(e.get("anonymous_id")):
            place = (aw.time_ms(e["time"]), e["_meta"]["file"].encode(),
                     e["_meta"]["line"])
            a = e["anonymous_id"]
            if a not in firsts or place < firsts[a][0]:
                firsts[a] = (place, e["member_id"], e["event_id"])
    return {a: (v[1], v[2]) for a, v in firsts.items()}


def compare_attribution(url, stream, stream_text, lookback_s, tag):
    records = attribute(stream_text, lookback_s)
    want_conv, want_touch, want_after = aw.answers_of_records(records)
    conv, touches, after = sql_answers(url)
    same(tag + "analytics_conversions: first, last, pages_before, "
         "time_to_convert_ms", want_conv, conv)
    same(tag + "analytics_pages_after: the conversion and its touches",
         want_after, after)
    if tag:
        return records
    same("analytics_touches: each page view's source, campaign, medium",
         want_touch, touches)
    persons = {r["anonymous_id"]: (r["member_id"], r["claim_event_id"])
               for r in aw.select(url, "SELECT * FROM analytics_persons")}
    same("analytics_persons: each anonymous id's first claim",
         claims_of(stream), persons)
    return records


def main():
    seed = int(os.environ.get("ANALYTICS_SQL_SEED",
                              random.SystemRandom().randrange(1 << 30)))
    print("# analytics-sql: seed %d (ANALYTICS_SQL_SEED=%d repeats it)"
          % (seed, seed))
    if not STAGES:
        print("skip - analytics-sql: attribute and rollup not built: "
              "compared with the model in analytics_warehouse.py")
    if not LAYOUT:
        print("skip - analytics-sql: post-quasar has no --layout events: "
              "rows inserted directly")
    rng = random.Random(seed)
    url = aw.ch_start(os.path.join(TMP, "ch-analytics-sql"))
    if not check(url is not None, "clickhouse starts"):
        return
    aw.load_sql(url, "events.sql", "rollup.sql", "costs.sql", "analytics.sql")
    check(True, "events.sql, rollup.sql, costs.sql and analytics.sql load "
          "on ClickHouse 18.16")
    # no background merge: what is stored twice stays twice, and only FINAL
    # (in the views) may collapse it
    for t in ("events", "rollup_partials", "costs"):
        aw.must(url, "SYSTEM STOP MERGES " + t)
    stream = aw.gen_stream(seed)
    stream_text = "".join(json.dumps(r) + "\n" for r in stream)
    with open(os.path.join(TMP, "stream.ndjson"), "w") as f:
        f.write(stream_text)
    dups = load_events(url, stream, rng)
    n = aw.select(url, "SELECT count() AS n FROM analytics_events")[0]["n"]
    check(n == len(stream), "%d events (%d stored twice) read once" %
          (len(stream), dups), "%d rows" % n)

    records = compare_attribution(url, stream, stream_text, aw.LOOKBACK_S,
                                  "")
    lines = [json.dumps(r) + "\n" for r in records]
    whole = merge(rollup(lines, "whole"))
    same("analytics_rollup = rollup | rollup --merge", counts(whole),
         sql_rollup(url, "analytics_rollup"))

    # partials: three batches, the second sent twice
    cut = sorted(rng.sample(range(1, len(lines)), 2))
    batches = [lines[:cut[0]], lines[cut[0]:cut[1]], lines[cut[1]:]]
    partials = []
    for b in batches:
        p = rollup(b, aw.batch_digest(b))
        partials += p
        load_partials(url, p)
    load_partials(url, rollup(batches[1], aw.batch_digest(batches[1])))
    merged = merge(partials)
    same("analytics_rollup_totals = rollup --merge of 3 batches (one sent "
         "twice)", counts(merged), sql_rollup(url, "analytics_rollup_totals"))
    same("analytics_rollup_totals = analytics_rollup", counts(whole),
         sql_rollup(url, "analytics_rollup_totals"))
    averages(url, merged)
    roi(url, rng, partials)

    # the lookback is a parameter of the views: analytics_params
    short = 3 * 86400
    aw.must(url, "DROP TABLE analytics_params")
    aw.must(url, "CREATE VIEW analytics_params AS SELECT toUInt64(%d) AS "
            "lookback_s, toUInt64(86400) AS bucket_s, ['signup'] AS "
            "conversion_events" % short)
    compare_attribution(url, stream, stream_text, short,
                        "lookback 3 days: ")


def averages(url, merged):
    rows = aw.select(url, "SELECT model, bucket, source, campaign, "
                     "ttc_avg_ms, pages_before_avg, ttc_count, conversions "
                     "FROM analytics_rollup_totals")
    bad = [r for r in rows if
           (r["ttc_avg_ms"] is None) != (r["ttc_count"] == 0) or
           (r["ttc_count"] and abs(r["ttc_avg_ms"] - merged[
               (r["model"], r["bucket"], r["source"], r["campaign"])]
               ["ttc_sum_ms"] / r["ttc_count"]) > 1e-6)]
    check(not bad and rows, "analytics_rollup_totals: ttc_avg_ms exact "
          "(sum / count, NULL without a count)", bad[:3])


def roi(url, rng, partials):
    keys = sorted({(p["bucket"], p["source"], p["campaign"])
                   for p in partials})
    chosen = rng.sample(keys, min(12, len(keys)))
    path = os.path.join(TMP, "costs.csv")
    with open(path, "w") as f:
        f.write("bucket,source,campaign,cost\n")
        for b, s, c in chosen:
            if "," in s or "," in c or '"' in s + c:
                continue
            day = b[:10] if rng.random() < 0.5 else b
            f.write("%s,%s,%s,%.2f\n" % (day, s, c, rng.randrange(1, 99999)
                                        / 100))
    body = open(path, "rb").read()
    aw.must(url, "INSERT INTO costs FORMAT CSVWithNames", body)
    aw.must(url, "INSERT INTO costs FORMAT CSVWithNames", body)  # again
    want = merge(partials, path)
    got = {(r["model"], r["bucket"], r["source"], r["campaign"]):
           (r["signups"], round(r["cost"], 6),
            None if r["cost_per_signup"] is None
            else round(r["cost_per_signup"], 6))
           for r in aw.select(url, "SELECT * FROM analytics_roi")}
    exp = {k: (r["signups"], round(r.get("cost") or 0.0, 6),
               None if r.get("cost_per_signup") is None
               else round(r["cost_per_signup"], 6))
           for k, r in want.items()}
    same("analytics_roi = rollup --merge --costs (the costs loaded twice)",
         exp, got)


if __name__ == "__main__":
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, lambda sig, _f: (aw.ch_stop_all(),
                                          sys.exit(128 + sig)))
    try:
        main()
    except Exception as e:  # a crash is a failure, said as one
        check(False, "ran to the end", repr(e))
    finally:
        aw.ch_stop_all()
