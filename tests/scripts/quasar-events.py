"""post-quasar --layout events and --layout rows against a real ClickHouse
(tests/servers/clickhouse.sh), through a proxy that counts requests and can
lose an answer (the batch stored, 503 said) or play dead. Run by
quasar-events.sh; prints "ok - ..." and "not ok - ..." lines. Environment:
ROOT, BIN, TMPDIR (tests/run.sh).
"""
import json
import os
import re
import signal
import subprocess
import sys
import threading
import http.server
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.environ["ROOT"]
BIN = os.environ["BIN"]
TMP = os.environ["TMPDIR"]
PQ = os.path.join(BIN, "post-quasar")
CH_SH = os.path.join(ROOT, "tests", "servers", "clickhouse.sh")
ROLLUP_SQL = os.path.join(ROOT, "pipelines", "sql", "rollup.sql")
servers = []


def check(ok, name, detail=""):
    print(("ok - " if ok else "not ok - ") + "post-quasar layouts: " + name)
    if not ok and detail != "":
        sys.stderr.write("    " + str(detail)[:2000] + "\n")
    sys.stdout.flush()
    return ok


def stop_all(*_):
    for d in servers:
        subprocess.run(["sh", CH_SH, "stop", d], capture_output=True,
                       timeout=120)
    servers.clear()


def on_signal(sig, _frame):
    stop_all()
    sys.exit(128 + sig)


def query(url, sql):
    r = urllib.request.Request(url + "/?" + urllib.parse.urlencode(
        {"query": sql}), data=b"", method="POST")
    try:
        with urllib.request.urlopen(r, timeout=60) as f:
            return f.read().decode()
    except (OSError, urllib.error.HTTPError) as e:
        return str(e)


def rows(url, sql):
    return [json.loads(x) for x in
            query(url, sql + " FORMAT JSONEachRow").splitlines() if x]


class Proxy(http.server.BaseHTTPRequestHandler):
    """Forwards every request to ClickHouse, counting them. lose > 0: the
    next inserts are stored but answered 503 (the answer lost); down: 503
    without forwarding."""
    target, count, lose, down = "", 0, 0, False
    lock = threading.Lock()

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        with Proxy.lock:
            Proxy.count += 1
            lost = Proxy.lose > 0 and "INSERT" in urllib.parse.unquote(
                self.path)
            if lost:
                Proxy.lose -= 1
        status, data = 503, b"Code: 999. down for the test"
        if not Proxy.down:
            req = urllib.request.Request(
                Proxy.target + self.path, data=body, method="POST",
                headers={k: v for k, v in self.headers.items()
                         if k.lower() in ("content-type",
                                          "content-encoding")})
            try:
                with urllib.request.urlopen(req, timeout=60) as f:
                    status, data = f.status, f.read()
            except urllib.error.HTTPError as e:
                status, data = e.code, e.read()
            if lost:
                status, data = 503, b"Code: 999. the answer lost"
        try:
            self.send_response(status)
            if status == 503:
                self.send_header("Retry-After", "0")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass

    do_GET = do_POST

    def log_message(self, *args):
        pass


def line(o):
    return json.dumps(o, ensure_ascii=False,
                      separators=(",", ":")).encode() + b"\n"


def run(args, data=b""):
    e = dict(os.environ, SLUICE_PROGRESS="0")
    e.pop("QUASAR_URL", None)
    p = subprocess.run([PQ] + args, input=data, capture_output=True, env=e,
                       timeout=300)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def said(err, name):
    m = re.search(r"rows sent=(\d+) spooled=(\d+) batches sent=(\d+) "
                  r"spooled=(\d+) retries=(\d+) skipped=(\d+) "
                  r"requests=(\d+)", err)
    names = ["rows sent", "rows spooled", "batches sent", "batches spooled",
             "retries", "skipped", "requests"]
    return int(m.group(names.index(name) + 1)) if m else -1


EVENTS = [
    {"event": "pageview", "event_id": "pv-1",
     "time": "2026-11-30T12:00:00.250Z", "member_id": None,
     "anonymous_id": "fp-1", "session_id": "s-1",
     "url": "https://www.example.org/vote?utm_source=fb",
     "referrer": "https://m.facebook.com/", "utm_source": "facebook",
     "utm_medium": "cpc", "utm_campaign": "fall-vote",
     "properties": {"path": "/vote"}},
    {"event": "signup", "event_id": "su-1",
     "time": "2026-11-30T07:00:01.5-05:00", "member_id": "m-1",
     "anonymous_id": "fp-1", "session_id": "s-1",
     "experiment_group": "b", "properties": {"method": "web", "n": [1, 2]},
     "_meta": {"file": "journal.ndjson", "line": 7,
               "violations": [{"field": "properties.x", "rule": "type",
                               "action": "flag"}]}},
    {"event": "trial", "event_id": "tr-1",
     "time": "2026-12-01T00:30:00+01:00", "member_id": "m-2",
     "session_id": "s-2", "properties": {"plan": "Zoë \"quoted\""}},
    {"event": "unsubscribe", "event_id": "un-1",
     "time": "2026-12-01T10:00:00.007Z", "member_id": "m-1",
     "session_id": "s-3"},
]


def expected(ev, file, ln):
    """The row events.sql holds for an event read at file:ln."""
    import datetime
    t = ev["time"]
    dt = datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))
    ms = int(round(dt.timestamp() * 1000))
    meta = ev.get("_meta", {})
    row = {"event_id": ev["event_id"], "event": ev["event"],
           "time": datetime.datetime.fromtimestamp(
               ms // 1000, datetime.timezone.utc).strftime(
               "%Y-%m-%d %H:%M:%S"),
           "time_ms": ms % 1000}
    for k in ["member_id", "anonymous_id", "session_id", "experiment_group",
              "url", "referrer", "utm_source", "utm_medium",
              "utm_campaign"]:
        row[k] = ev.get(k) or ""
    row["properties"] = json.dumps(ev.get("properties", {}),
                                   ensure_ascii=False, separators=(",", ":"))
    row["violations"] = json.dumps(meta.get("violations", []),
                                   ensure_ascii=False, separators=(",", ":"))
    row["file"] = meta.get("file", file)
    row["line"] = str(meta.get("line", ln))  # UInt64: quoted by 18.16
    return row


COLS = ("event_id, event, toString(time) AS time, time_ms, member_id, "
        "anonymous_id, session_id, experiment_group, url, referrer, "
        "utm_source, utm_medium, utm_campaign, properties, violations, "
        "file, line")


def events_in(url, proxy):
    path = os.path.join(TMP, "events-in.ndjson")
    bad = [{"event": "signup", "time": "2026-11-30T12:00:00Z"},
           {"event": "signup", "event_id": "x-1",
            "time": "2026-11-30 12:00:00"},
           {"event": "signup", "event_id": "x-2",
            "time": "2026-11-30T12:00:00.1234Z"},
           {"event_id": "x-3", "time": "2026-11-30T12:00:00Z"}]
    data = b"".join(line(e) for e in EVENTS + bad)
    with open(path, "wb") as f:
        f.write(data)
    rej = os.path.join(TMP, "events-in.rejects")
    rc, out, err = run(["--url", proxy, "--table", "events",
                        "--create-table", "-r", rej, path])
    check(rc == 1 and out == b"".join(line(e) for e in EVENTS) and
          "in=8 out=4 dropped=0 rejected=4" in err and
          said(err, "rows sent") == 4,
          "--table events: the events shipped and passed on, the 4 "
          "records that are not events rejected (exit 1)", (rc, err))
    with open(rej) as f:
        reasons = [json.loads(x)["reason"] for x in f]
    check(len(reasons) == 4 and "no event_id" in reasons[0] and
          "is not RFC 3339" in reasons[1] and "is not RFC 3339" in reasons[2]
          and "no event name" in reasons[3],
          "each reject says why it is not an event", reasons)
    got = rows(url, "SELECT %s FROM events FINAL ORDER BY time, time_ms"
               % COLS)
    want = sorted([expected(e, path, i + 1) for i, e in enumerate(EVENTS)],
                  key=lambda r: (r["time"], r["time_ms"]))
    check(got == want, "SELECT ... FINAL: each event once, its metadata as "
          "columns ('' for null or absent), properties and violations as "
          "JSON text, file and line from _meta else the input's",
          json.dumps([got, want], ensure_ascii=False))
    got = rows(url, "SELECT event_id, toString(time) AS t, time_ms FROM "
               "events FINAL ORDER BY event_id")
    check(got == [{"event_id": "pv-1", "t": "2026-11-30 12:00:00",
                   "time_ms": 250},
                  {"event_id": "su-1", "t": "2026-11-30 12:00:01",
                   "time_ms": 500},
                  {"event_id": "tr-1", "t": "2026-11-30 23:30:00",
                   "time_ms": 0},
                  {"event_id": "un-1", "t": "2026-12-01 10:00:00",
                   "time_ms": 7}],
          "offsets are taken to UTC, fractions to milliseconds", got)
    ra = rows(url, "SELECT DISTINCT toString(received_at) AS r FROM events")
    check(len(ra) == 1 and re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$",
                                    ra[0]["r"]),
          "received_at is one time for the run", ra)
    # Sent again, changed: one row per event_id, the later run's.
    again = [dict(e, session_id="s-again") for e in EVENTS]
    rc, _, err = run(["--url", proxy, "--table", "events", "--sink"],
                     b"".join(line(e) for e in again))
    got = query(url, "SELECT count(), uniqExact(event_id), "
                "countIf(session_id = 's-again') FROM events FINAL "
                "FORMAT TSV").split()
    check(rc == 0 and got == ["4", "4", "4"],
          "the same events sent again: still one row per event_id under "
          "FINAL", (rc, got, err))


def retried(url, proxy):
    evs = [{"event": "pageview", "event_id": "rt-%d" % i,
            "time": "2026-11-30T12:00:%02d.%03dZ" % (i % 60, i),
            "session_id": "s", "anonymous_id": "fp"} for i in range(300)]
    Proxy.lose = 1
    try:
        rc, _, err = run(["--url", proxy, "--table", "ev_retry",
                          "--layout", "events", "--create-table", "--sink",
                          "--batch-records", "100"],
                         b"".join(line(e) for e in evs))
    finally:
        Proxy.lose = 0
    raw = query(url, "SELECT count() FROM ev_retry FORMAT TSV").strip()
    fin = query(url, "SELECT count(), uniqExact(event_id) FROM ev_retry "
                "FINAL FORMAT TSV").split()
    check(rc == 0 and said(err, "retries") >= 1 and
          said(err, "rows sent") == 300 and int(raw) >= 300 and
          fin == ["300", "300"],
          "a batch stored whose answer was lost is sent again, and FINAL "
          "still has each event once (ReplacingMergeTree by event_id)",
          (rc, raw, fin, err))


def seen_and_replay(url, proxy):
    ledger = os.path.join(TMP, "events.quasar")
    sp = os.path.join(TMP, "events-spool")
    base = ["--url", proxy, "--table", "ev_seen", "--layout", "events",
            "--create-table", "--seen", ledger, "--sink"]
    data = b"".join(line(e) for e in EVENTS)
    Proxy.down = True
    try:
        rc, _, err = run(base + ["--spool", sp, "--retries", "0"], data)
    finally:
        Proxy.down = False
    check(rc == 69 and said(err, "rows spooled") == 4,
          "ClickHouse down: the events are spooled (69)", (rc, err))
    with open(os.path.join(sp, [n for n in os.listdir(sp)
                                if n.endswith(".json")][0])) as f:
        side = json.load(f)
    check(side.get("layout") == "events" and
          side.get("ddl", "").startswith(
              "CREATE TABLE IF NOT EXISTS ev_seen (\n    event_id String"),
          "the sidecar keeps the layout and the table's statement", side)
    rc, _, err = run(["--replay", sp, "--create-table", "--seen", ledger,
                      "--url", proxy])
    got = query(url, "SELECT count() FROM ev_seen FINAL FORMAT TSV").strip()
    check(rc == 0 and "batches sent=1 rows=4 left=0" in err and got == "4",
          "--replay --create-table makes the events table from the sidecar "
          "and sends the batch", (rc, got, err))
    before = Proxy.count
    changed = [dict(e, url="https://changed.example/") for e in EVENTS]
    rc, _, err = run(base, b"".join(line(e) for e in changed))
    check(rc == 0 and Proxy.count == before and
          said(err, "skipped") == 4 and said(err, "requests") == 0,
          "--seen keys events by event_id: the replayed events, even "
          "changed, are not sent again (no request)", (rc, err))
    rc, _, err = run(base, data + line(dict(EVENTS[0], event_id="new-1")))
    check(rc == 0 and said(err, "rows sent") == 1 and
          said(err, "skipped") == 4,
          "and a new event_id is", (rc, err))


def partial(model, batch, views):
    return {"model": model, "bucket": "2026-11-30 00:00:00",
            "source": "facebook", "campaign": "fall-vote",
            "batch_id": batch, "views": views, "signups": 1,
            "conversions": 1, "ttc_count": 1, "ttc_sum_ms": 1000,
            "ttc_min_ms": 1000, "ttc_max_ms": 1000, "pages_before": 2,
            "pages_after": 0, "_meta": {"source": "rollup"}}


def rows_layout(url, proxy):
    rc, _, err = run(["--url", proxy, "--table", "rollup_partials",
                      "--layout", "rows", "--create-table", "--sink"],
                     b"")
    check(rc == 64 and "--ddl FILE" in err,
          "--layout rows --create-table without --ddl is refused (64)",
          (rc, err))
    base = ["--url", proxy, "--table", "rollup_partials", "--layout",
            "rows", "--create-table", "--ddl", ROLLUP_SQL, "--sink"]
    first = [partial("first", "b1", 3), partial("last", "b1", 3),
             partial("first", "b2", 5)]
    rc, _, err = run(base, b"".join(line(p) for p in first))
    got = query(url, "SELECT model, batch_id, views FROM rollup_partials "
                "FINAL ORDER BY model, batch_id FORMAT TSV")
    check(rc == 0 and got == "first\tb1\t3\nfirst\tb2\t5\nlast\tb1\t3\n",
          "rows layout: each record's members are the columns, _meta left "
          "out, the table made from --ddl", (rc, got, err))
    again = [partial("first", "b1", 4), partial("last", "b1", 4)]
    rc, _, err = run(base, b"".join(line(p) for p in again))
    got = query(url, "SELECT model, sum(views) FROM rollup_partials FINAL "
                "GROUP BY model ORDER BY model FORMAT TSV")
    check(rc == 0 and got == "first\t9\nlast\t4\n",
          "a batch sent again replaces its own rows: totals are sums of "
          "partials", (rc, got, err))


def main():
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    d = os.path.join(TMP, "events-clickhouse")
    srv = None
    try:
        p = subprocess.run(["sh", CH_SH, "start", d], capture_output=True,
                           text=True, timeout=120)
        servers.append(d)
        url = p.stdout.strip()
        if not check(p.returncode == 0, "a ClickHouse server to test with",
                     p.stderr):
            return
        Proxy.target = url
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        proxy = "http://127.0.0.1:%d" % srv.server_address[1]
        events_in(url, proxy)
        retried(url, proxy)
        seen_and_replay(url, proxy)
        rows_layout(url, proxy)
    finally:
        if srv:
            srv.shutdown()
        stop_all()


main()
