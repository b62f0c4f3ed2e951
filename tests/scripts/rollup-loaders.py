"""Twenty loaders at once: an attributed event stream (seeded:
ROLLUP_LOADERS_SEED repeats one; the seed is printed) cut into 20 batches,
each rolled up and loaded by its own pipeline, `rollup | post-quasar
--table rollup_partials --layout rows`, all twenty running together, and
two of them run a second time (a retried batch) while the others still
load. Then analytics_rollup_totals (the sums of rollup_partials FINAL) must
equal `rollup --merge` over all the partials and the rollup of the whole
stream: exact totals, nothing lost, nothing counted twice. Nothing reads a
count and writes it back, so no ordering of the loaders can lose an update.

While rollup and post-quasar's --layout rows are not built (branches
attribution and events-in), the partials are the model's
(analytics_warehouse.py) and each loader inserts its rows itself, in
several small inserts so that the loaders interleave: the test says so
with a skip line.
"""

import json
import os
import random
import signal
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import analytics_warehouse as aw  # noqa: E402

BIN = os.environ["BIN"]
TMP = os.environ["TMPDIR"]
LOADERS = 20


def check(ok, name, detail=""):
    print(("ok - " if ok else "not ok - ") + "rollup-loaders: " + name)
    if not ok and detail != "":
        sys.stderr.write("    " + str(detail)[:3000] + "\n")
    sys.stdout.flush()
    return ok


def help_has(name, flag):
    path = os.path.join(BIN, name)
    if not os.path.exists(path):
        return False
    p = subprocess.run([path, "--help"], capture_output=True, text=True)
    return flag in p.stdout


STAGES = help_has("attribute", "--lookback") and help_has("rollup", "--merge")
ROWS = help_has("post-quasar", "--layout")


def run(args, data):
    p = subprocess.run(args, input=data, capture_output=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(args), p.returncode,
                                                p.stderr.decode()[-1500:]))
    return p.stdout.decode()


def attributed(stream_text):
    if STAGES:
        return run([os.path.join(BIN, "attribute")],
                   stream_text.encode()).splitlines(keepends=True)
    recs = aw.model_attribute([json.loads(x)
                               for x in stream_text.splitlines()])
    return [json.dumps(r) + "\n" for r in recs]


def partials_of(lines):
    """rollup's partial rows of one batch (its batch id its digest)."""
    if STAGES:
        out = run([os.path.join(BIN, "rollup")], "".join(lines).encode())
        return [json.loads(x) for x in out.splitlines()]
    return aw.model_rollup([json.loads(x) for x in lines],
                           aw.batch_digest(lines))


def merged(partials):
    if STAGES:
        out = run([os.path.join(BIN, "rollup"), "--merge"],
                  "".join(json.dumps(r) + "\n" for r in partials).encode())
        tot = {}
        for x in out.splitlines():
            r = json.loads(x)
            tot[(r["model"], r["bucket"], r["source"], r["campaign"])] = \
                tuple(r[c] for c in aw.COUNTS)
        return tot
    return {k: tuple(r[c] for c in aw.COUNTS)
            for k, r in aw.model_merge(partials).items()}


def loader(url, lines, errors, i):
    """One loader: its batch rolled up and sent to rollup_partials."""
    try:
        if STAGES and ROWS:
            roll = subprocess.Popen([os.path.join(BIN, "rollup")],
                                    stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
            pq = subprocess.Popen(
                [os.path.join(BIN, "post-quasar"), "--table",
                 "rollup_partials", "--layout", "rows", "--url", url,
                 "--sink", "--spool", os.path.join(TMP, "spool-%d" % i)],
                stdin=roll.stdout, stderr=subprocess.PIPE)
            roll.stdout.close()
            roll.stdin.write("".join(lines).encode())
            roll.stdin.close()
            err = pq.stderr.read().decode() + roll.stderr.read().decode()
            if roll.wait() != 0 or pq.wait() != 0:
                errors.append("loader %d: %s" % (i, err[-800:]))
            return
        rows = partials_of(lines)
        step = max(1, len(rows) // 4)
        for k in range(0, len(rows), step):
            aw.insert_json(url, "rollup_partials", rows[k:k + step])
    except Exception as e:  # reported by the test, not lost in a thread
        errors.append("loader %d: %r" % (i, e))


def main():
    seed = int(os.environ.get("ROLLUP_LOADERS_SEED",
                              random.SystemRandom().randrange(1 << 30)))
    print("# rollup-loaders: seed %d (ROLLUP_LOADERS_SEED=%d repeats it)"
          % (seed, seed))
    if not (STAGES and ROWS):
        print("skip - rollup-loaders: rollup or post-quasar --layout rows "
              "not built: the model's partials, inserted by each loader")
    rng = random.Random(seed)
    url = aw.ch_start(os.path.join(TMP, "ch-rollup-loaders"))
    if not check(url is not None, "clickhouse starts"):
        return
    aw.load_sql(url, "rollup.sql", "events.sql", "costs.sql", "analytics.sql")
    # no background merge: a retried batch's rows stay beside the first
    # ones, and only FINAL (in the view) may collapse them
    aw.must(url, "SYSTEM STOP MERGES rollup_partials")
    stream = aw.gen_stream(seed, persons=200)
    lines = attributed("".join(json.dumps(r) + "\n" for r in stream))
    cut = sorted(rng.sample(range(1, len(lines)), LOADERS - 1))
    bounds = [0] + cut + [len(lines)]
    batches = [lines[bounds[i]:bounds[i + 1]] for i in range(LOADERS)]
    retried = rng.sample(range(LOADERS), 2)
    jobs = list(range(LOADERS)) + retried
    errors = []
    threads = [threading.Thread(target=loader,
                                args=(url, batches[i], errors, n))
               for n, i in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    check(not errors, "%d loaders at once (batches %d and %d twice) all "
          "finish" % (len(jobs), retried[0], retried[1]), "\n".join(errors))

    partials = []
    for b in batches:
        partials += partials_of(b)
    for i in retried:  # what the retries sent: the same rows again
        partials += partials_of(batches[i])
    want = merged(partials)
    whole = merged(partials_of(lines))
    got = {(r["model"], r["bucket"], r["source"], r["campaign"]):
           tuple(r[c] for c in aw.COUNTS)
           for r in aw.select(url, "SELECT * FROM analytics_rollup_totals")}
    check(want == whole, "rollup --merge of the 20 batches = the rollup of "
          "the whole stream (%d rows)" % len(whole), diff(whole, want))
    check(got == want and got, "analytics_rollup_totals = rollup --merge of "
          "every partial, retries included (%d rows)" % len(want),
          diff(want, got))
    n = aw.select(url, "SELECT count() AS n, uniqExact(batch_id) AS b FROM "
                  "rollup_partials FINAL")[0]
    distinct = len({(r["model"], r["bucket"], r["source"], r["campaign"],
                     r["batch_id"]) for r in partials})
    check(n["n"] == distinct and n["b"] == LOADERS,
          "rollup_partials FINAL: %d rows of %d batches, the retried ones "
          "once" % (distinct, LOADERS), n)
    tv = sum(r["views"] for r in aw.select(
        url, "SELECT views FROM analytics_rollup_totals WHERE model = "
        "'first'"))
    pv = sum(1 for r in stream if r["event"] == "pageview")
    check(tv == pv, "every page view counted once (%d)" % pv, tv)


def diff(want, got):
    for k in sorted(set(want) | set(got), key=repr):
        if want.get(k) != got.get(k):
            return "%r: want %r, got %r" % (k, want.get(k), got.get(k))
    return ""


if __name__ == "__main__":
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, lambda sig, _f: (aw.ch_stop_all(),
                                          sys.exit(128 + sig)))
    try:
        main()
    except Exception as e:
        check(False, "ran to the end", repr(e))
    finally:
        aw.ch_stop_all()
