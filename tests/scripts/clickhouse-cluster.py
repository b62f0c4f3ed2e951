"""The warehouse as a cluster (run by clickhouse-cluster.sh; prints ok / not
ok): two ClickHouse servers on loopback as the two shards of the cluster
"warehouse" (tests/servers/clickhouse.sh cluster-start), the Distributed
tables of pipelines/sql/cluster.sql over them, and one server alone beside
them. The same generated traffic (analytics/traffic.py) goes through
post-quasar into both, a tenth of it twice, and the same partials and
costs. Then:

- right after post-quasar's 0, every row sent is on its shard (the shards'
  own tables add up to all rows: insert_distributed_sync=1 in the URL),
  and each shard holds some;
- an event is on one shard only, so `dist.events FINAL` holds each event
  once, as many as the one server;
- every analytics_* view gives the same rows on the cluster (asked at
  either shard) as on the one server;
- a raw table (post-quasar's own) as a Distributed one: --create-table
  checks the shards' tables' key, and refuses tables keyed by line;
- with shard 2 stopped, post-quasar gets no 2xx (it retries, spools, 69),
  and the replay once the shard is back stores every row once; without
  insert_distributed_sync the same batch is answered 200 although shard 2
  is down (the reason for the setting).
"""

import json
import os
import random
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import analytics_warehouse as aw  # noqa: E402

ROOT = os.environ["ROOT"]
BIN = os.environ["BIN"]
TMP = os.environ["TMPDIR"]
CH_SH = os.path.join(ROOT, "tests", "servers", "clickhouse.sh")
SEED = int(os.environ.get("CLICKHOUSE_CLUSTER_SEED",
                          str(random.randrange(1, 1 << 30))))
DIST = {"database": "dist"}
SYNC = "?database=dist&insert_distributed_sync=1"
VIEWS = ("analytics_persons", "analytics_events", "analytics_touches",
         "analytics_conversions", "analytics_pages_after",
         "analytics_rollup", "analytics_rollup_totals", "analytics_roi")
failures = 0
clusters = []


def check(ok, what, detail=""):
    global failures
    print("%s - clickhouse-cluster: %s" % ("ok" if ok else "not ok", what))
    if not ok:
        failures += 1
        if detail:
            sys.stderr.write(str(detail)[-3000:] + "\n")
    return ok


def stop_all(*_):
    for d in clusters:
        subprocess.run(["sh", CH_SH, "cluster-stop", d], capture_output=True,
                       timeout=120)
    clusters.clear()
    aw.ch_stop_all()


def on_signal(sig, _):
    stop_all()
    sys.exit(128 + sig)


def sh(*args):
    p = subprocess.run(["sh", CH_SH] + list(args), capture_output=True,
                       text=True, timeout=180)
    if p.returncode != 0:
        raise RuntimeError("clickhouse.sh %s: %s" % (" ".join(args),
                                                     p.stderr))
    return p.stdout.split()


def must(url, sql, body=None, headers=None, settings=None):
    st, out = aw.query(url, sql, body, headers, settings)
    if st != 200:
        raise RuntimeError("%s: HTTP %d: %s" % (sql[:200], st,
                                                out.decode()[:800]))
    return out


def rows(url, sql, settings=None):
    s = {"output_format_json_quote_64bit_integers": 0}
    s.update(settings or {})
    out = must(url, sql + " FORMAT JSONEachRow", settings=s)
    return [json.loads(line) for line in out.decode().splitlines() if line]


def count(url, sql, settings=None):
    return int(must(url, sql, settings=settings).decode().strip() or 0)


def load(url, names, settings=None):
    for name in names:
        for s in aw.statements(os.path.join(ROOT, "pipelines", "sql", name)):
            must(url, s, settings=settings)


def post_quasar(url, path, *more):
    p = subprocess.run(
        [os.path.join(BIN, "post-quasar"), "--url", url, "--sink",
         "--create-table"] + list(more) + [path],
        capture_output=True, text=True, timeout=300, cwd=TMP,
        env=dict(os.environ, SLUICE_PROGRESS="0"))
    return p.returncode, p.stderr


def canon(rs):
    return sorted(json.dumps(r, sort_keys=True) for r in rs)


def write(path, lines):
    with open(path, "w") as f:
        f.write("".join(lines))
    return path


def main():
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print("# seed %d (CLICKHOUSE_CLUSTER_SEED=%d repeats it)" % (SEED, SEED))
    rng = random.Random(SEED)
    t0 = time.time()
    one = aw.ch_start(os.path.join(TMP, "one"))
    cdir = os.path.join(TMP, "cluster")
    clusters.append(cdir)
    shards = sh("cluster-start", cdir)
    if not check(one and len(shards) == 2,
                 "one server and a cluster of two start (%s)" % shards):
        return
    s1, s2 = shards
    load(one, ["events.sql", "rollup.sql", "costs.sql", "analytics.sql"])
    for u in shards:
        load(u, ["events.sql", "rollup.sql", "costs.sql", "cluster.sql"])
        load(u, ["analytics.sql"], DIST)
    check(rows(s1, "SELECT shard_num, port FROM system.clusters "
               "WHERE cluster = 'warehouse' ORDER BY shard_num") ==
          [{"shard_num": 1, "port": int(open(os.path.join(
              cdir, "shard1", "tcp_port")).read())},
           {"shard_num": 2, "port": int(open(os.path.join(
               cdir, "shard2", "tcp_port")).read())}],
          "the cluster 'warehouse' is the two servers, a shard each")

    # The traffic, a tenth of it again (a retried run).
    ev = os.path.join(TMP, "events.ndjson")
    costs = os.path.join(TMP, "costs.csv")
    subprocess.run([sys.executable, os.path.join(ROOT, "analytics",
                                                 "traffic.py"),
                    "--seed", str(SEED), "--days", "2", "--bad-share", "0",
                    "--costs", costs, "-o", ev], check=True,
                   capture_output=True, timeout=120)
    lines = open(ev).readlines()
    again = write(os.path.join(TMP, "again.ndjson"),
                  [x for x in lines if rng.random() < 0.1])
    n_again = len(open(again).readlines())
    ids = {json.loads(x)["event_id"] for x in lines}
    for path in (ev, again):
        rc1, e1 = post_quasar(one, path, "--table", "events")
        rc2, e2 = post_quasar(s1 + SYNC, path, "--table", "events")
        if not check(rc1 == 0 and rc2 == 0,
                     "post-quasar into the server and the cluster: 0 and 0 "
                     "(%d, %d)" % (rc1, rc2), e1 + e2):
            return
        if path == ev:
            # Right after the 0: the shards' own tables hold every row.
            local = [count(u, "SELECT count() FROM default.events")
                     for u in shards]
            check(sum(local) == len(lines) and min(local) > 0,
                  "at post-quasar's 0 every row is on its shard: %d + %d = "
                  "%d rows sent" % (local[0], local[1], len(lines)))
    local = [count(u, "SELECT count() FROM default.events") for u in shards]
    final = [count(u, "SELECT count() FROM default.events FINAL")
             for u in shards]
    check(sum(local) == len(lines) + n_again,
          "the shards hold every row sent, %d copies again included "
          "(%d + %d)" % (n_again, local[0], local[1]))
    per = [{r["event_id"] for r in rows(u, "SELECT DISTINCT event_id "
                                         "FROM default.events")}
           for u in shards]
    check(not (per[0] & per[1]) and per[0] | per[1] == ids,
          "each event is on one shard only (sharded by its event_id): "
          "%d and %d events" % (len(per[0]), len(per[1])))
    n_one = count(one, "SELECT count() FROM events FINAL")
    n_dist = count(s1, "SELECT count() FROM events FINAL", DIST)
    check(n_one == n_dist == sum(final) == len(ids),
          "FINAL: each event once, %d on the server, %d on the cluster "
          "(%d + %d), %d generated" % (n_one, n_dist, final[0], final[1],
                                       len(ids)))

    # The partials (sent twice) and the costs (loaded twice).
    att = subprocess.run([os.path.join(BIN, "attribute")], stdin=open(ev),
                         capture_output=True, timeout=300, check=True).stdout
    part = subprocess.run([os.path.join(BIN, "rollup"), "--batch-id", "b1"],
                          input=att, capture_output=True, timeout=300,
                          check=True).stdout
    pp = os.path.join(TMP, "partials.ndjson")
    open(pp, "wb").write(part)
    ddl = os.path.join(ROOT, "pipelines", "sql", "rollup.sql")
    for _ in (1, 2):
        for name, u in (("the server", one), ("the cluster", s1 + SYNC)):
            rc, e = post_quasar(u, pp, "--table", "rollup_partials",
                                "--layout", "rows", "--ddl", ddl)
            check(rc == 0, "the partials into %s: 0 (%d)" % (name, rc), e)
        body = open(costs, "rb").read()
        must(one, "INSERT INTO costs FORMAT CSVWithNames", body)
        must(s1, "INSERT INTO costs FORMAT CSVWithNames", body,
             settings={"database": "dist", "insert_distributed_sync": 1})
    part_local = [count(u, "SELECT count() FROM default.rollup_partials")
                  for u in shards]
    check(min(part_local) > 0, "each shard holds partials (%d, %d)"
          % tuple(part_local))

    # The views: the same rows on the cluster, asked at either shard.
    t1 = time.time()
    for v in VIEWS:
        want = canon(rows(one, "SELECT * FROM " + v))
        got = canon(rows(s1, "SELECT * FROM " + v, DIST))
        check(want == got and len(want) > 0,
              "%s: the same %d rows on the cluster as on one server"
              % (v, len(want)),
              "first difference: %s" % (next(
                  ((a, b) for a, b in zip(want, got) if a != b),
                  (len(want), len(got))),))
    took = time.time() - t1
    got2 = canon(rows(s2, "SELECT * FROM analytics_persons", DIST))
    check(got2 == canon(rows(one, "SELECT * FROM analytics_persons")),
          "analytics_persons asked at shard 2: the same rows")
    conv = count(s1, "SELECT sum(conversions) FROM analytics_rollup "
                 "WHERE model = 'first'", DIST)
    print("# %d events, %d conversions; the views on both in %.1f s, "
          "%.1f s from the start" % (len(ids), conv, took, time.time() - t0))

    spool = os.path.join(TMP, "spool")
    # The raw layout: post-quasar --create-table checks the shards' key.
    for u in shards:
        rc, e = post_quasar(u, "/dev/null", "--table", "raw_cl")
        check(rc == 0, "raw_cl made on a shard by post-quasar (%d)" % rc, e)
        must(u, "CREATE TABLE raw_old (source String, file String, line "
             "UInt64, imported_at DateTime, record String) ENGINE = "
             "ReplacingMergeTree() ORDER BY (source, file, line)")
        for t, key in (("raw_cl", "source, record_hash"),
                       ("raw_old", "source, file, line")):
            must(u, "CREATE TABLE dist.%s AS default.%s ENGINE = "
                 "Distributed(warehouse, default, %s, cityHash64(%s))"
                 % (t, t, t, key))
    rc, e = post_quasar(s1 + SYNC, ev, "--table", "raw_cl", "--source", "t")
    local = [count(u, "SELECT count() FROM default.raw_cl") for u in shards]
    check(rc == 0 and sum(local) == len(lines) and min(local) > 0,
          "raw rows into a Distributed table: 0 (%d), the shards' tables "
          "keyed by (source, record_hash), %d + %d rows" % (rc, local[0],
                                                           local[1]), e)
    rc, e = post_quasar(s1 + SYNC, again, "--table", "raw_old",
                        "--source", "t", "--spool", spool + "-old")
    check(rc == 69 and "Distributed over tables ReplacingMergeTree keyed by "
          "(source, file, line)" in e and
          count(s1, "SELECT count() FROM raw_old", DIST) == 0,
          "a Distributed table over tables keyed by line: refused, nothing "
          "stored (69, %d)" % rc, e)

    # Shard 2 down: without insert_distributed_sync a 200 all the same;
    # with it no 2xx (retried, spooled), and the replay once it is back
    # stores each row.
    more = os.path.join(TMP, "more.ndjson")
    subprocess.run([sys.executable, os.path.join(ROOT, "analytics",
                                                 "traffic.py"),
                    "--seed", str(SEED + 1), "--start", "2026-12-01",
                    "--days", "1", "--scale", "0.2", "--bad-share", "0",
                    "-o", more], check=True, capture_output=True,
                   timeout=120)
    more_ids = {json.loads(x)["event_id"] for x in open(more)}
    sh("stop", os.path.join(cdir, "shard2"))
    rc, e = post_quasar(s1 + "?database=dist", more, "--table", "events",
                        "--spool", spool + "-async", "--retry-max-time", "2")
    check(rc == 0, "without insert_distributed_sync a 2xx comes with "
          "shard 2 down (%d): the setting is what makes it mean stored" % rc,
          e)
    rc, e = post_quasar(s1 + SYNC, more, "--table", "events",
                        "--spool", spool, "--retry-max-time", "2")
    check(rc == 69 and os.path.isdir(spool) and os.listdir(spool),
          "with it, shard 2 stopped: no 2xx, the batch retried then spooled "
          "(69, got %d)" % rc, e)
    sh("resume", os.path.join(cdir, "shard2"))
    p = subprocess.run([os.path.join(BIN, "post-quasar"), "--replay", spool,
                        "--url", s1 + SYNC], capture_output=True, text=True,
                       timeout=300, cwd=TMP,
                       env=dict(os.environ, SLUICE_PROGRESS="0"))
    # (The rows the 200 queued on shard 1 may reach shard 2 at any time:
    # the same events, on the same shard, one row each under FINAL.)
    n_dist = count(s1, "SELECT count() FROM events FINAL", DIST)
    final = [count(u, "SELECT count() FROM default.events FINAL")
             for u in shards]
    check(p.returncode == 0 and n_dist == sum(final) ==
          len(ids | more_ids),
          "shard 2 back, the replay: 0 (%d), each event once on the "
          "cluster (%d of %d)" % (p.returncode, n_dist, len(ids | more_ids)),
          p.stderr)
    print("# %.1f s in all" % (time.time() - t0))


try:
    main()
except Exception as ex:  # a failure of the test itself is a not ok
    check(False, "the test ran to its end", "%r (seed %d)" % (ex, SEED))
finally:
    stop_all()
sys.exit(1 if failures else 0)
