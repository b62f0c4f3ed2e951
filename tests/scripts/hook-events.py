"""hook-recv's event routes (vendors/events: POST /event and /pageview,
checked against analytics/dictionary.json) on loopback, then the journal
imported by pipelines/import.sh events into a real ClickHouse. Run by
hook-events.sh; prints "ok - ..." and "not ok - ..." lines. Environment:
ROOT, BIN, TMPDIR. The server helper and the client are hooks.py's.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hooks  # noqa: E402  (Server, request, records, check, stop_all)

ROOT, BIN, TMP = hooks.ROOT, hooks.BIN, hooks.TMP
KEY = "ev-key-1"
CH_SH = os.path.join(ROOT, "tests", "servers", "clickhouse.sh")
clickhouses = []
check = hooks.check


def uuid(n):
    return "0b6e6f2c-6c1f-4a51-9b4e-%012x" % n


def signup(n, **over):
    e = {"event": "signup", "event_id": uuid(n),
         "time": "2026-11-30T12:00:00.250Z",
         "member_id": "5f0c1a2b3c4d5e6f7a8b9c0d",
         "anonymous_id": "fp-3f9a1c2e", "session_id": "s-81",
         "url": "https://www.example.org/join",
         "properties": {"method": "email", "from_trial": False}}
    e.update(over)
    return e


def pageview(n, **over):
    e = {"event_id": uuid(n), "time": "2026-11-30T11:59:00-05:00",
         "anonymous_id": "fp-3f9a1c2e", "session_id": "s-81",
         "url": "https://www.example.org/vote?utm_source=facebook",
         "referrer": "https://m.facebook.com/", "utm_source": "facebook",
         "utm_medium": "cpc", "utm_campaign": "fall-vote",
         "properties": {"path": "/vote"}}
    e.update(over)
    return e


def post(port, path, ev, key=KEY):
    h = {"Content-Type": "application/json"}
    if key is not None:
        h["X-Events-API-Key"] = key
    st, _, body = hooks.request(port, path, json.dumps(ev).encode(), h)
    try:
        return st, json.loads(body) if body else None
    except ValueError:
        return st, body


def events_in(journal):
    return [r for r in hooks.records(journal, "events")]


def setup():
    hooks.vendors()
    shutil.copytree(os.path.join(ROOT, "vendors", "events"),
                    os.path.join(hooks.VENDORS, "events"), dirs_exist_ok=True)
    os.environ["EVENTS_API_KEYS"] = KEY + ", ev-key-2"


def answers(journal):
    s = hooks.Server(journal, "--vendor", "events")
    if not check(s.port is not None, "events: the receiver starts with "
                 "the event routes", s.stderr()):
        return s
    p = s.port
    st, body = post(p, "/event", signup(1))
    check(st == 202 and body is None and len(events_in(journal)) == 1,
          "events: POST /event of a good sign-up: 202, in the journal",
          (st, body))
    rec = events_in(journal)[0]
    meta = rec.get("_meta", {})
    check(rec.get("event_id") == uuid(1) and
          meta.get("route") == "/event" and meta.get("source") == "events"
          and "violations" not in meta,
          "events: the record as sent, with _meta (no violations)", rec)
    st, _ = post(p, "/pageview", pageview(2))
    rec = events_in(journal)[-1]
    check(st == 202 and rec.get("event") == "pageview",
          "events: POST /pageview without an event name: 202, its event "
          "filled as pageview", (st, rec))
    st, _ = post(p, "/pageview", pageview(3, properties={
        "path": "/x", "title": 5, "load_ms": -1}))
    rec = events_in(journal)[-1]
    viol = {(v["field"], v["action"]) for v in
            rec.get("_meta", {}).get("violations", [])}
    props = rec.get("properties", {})
    check(st == 202 and "title" not in props and
          props.get("load_ms") == -1 and
          viol == {("properties.title", "omit"),
                   ("properties.load_ms", "flag")},
          "events: flagged and omitted violations accepted, the omitted "
          "property removed, both in _meta.violations", (st, rec))
    n = len(events_in(journal))
    st, body = post(p, "/event", signup(4, properties={
        "method": "fax", "from_trial": False}, session_id=None))
    rules = sorted((v["field"], v["rule"], v["action"])
                   for v in (body.get("violations", [])
                             if isinstance(body, dict) else []))
    check(st == 422 and
          ("properties.method", "enum", "block") in rules and
          len(events_in(journal)) == n,
          "events: a blocking violation: 422 with every violation as JSON "
          "({\"violations\": [...]}), nothing written", (st, body))
    st, body = post(p, "/event", signup(5, event="purchase"))
    v = body.get("violations", [{}]) if isinstance(body, dict) else [{}]
    check(st == 422 and v[0].get("rule") == "events" and
          "purchase" in v[0].get("message", "") and
          len(events_in(journal)) == n,
          "events: an unknown event: 422, nothing written", (st, body))
    st, body = post(p, "/pageview", signup(6))
    check(st == 422 and isinstance(body, dict) and
          body["violations"][0]["field"] == "event",
          "events: a sign-up posted to /pageview: 422 (the route takes "
          "page views only)", (st, body))
    st, body = post(p, "/event", dict(signup(7), event="pageview"))
    check(st == 422, "events: a page view posted to /event: 422", st)
    st, _ = post(p, "/event", signup(1, session_id="s-other"))
    check(st == 202 and len(events_in(journal)) == n,
          "events: the same event_id again: the first answer (202), "
          "written once", st)
    for key, what in ((None, "no key"), ("wrong", "a wrong key")):
        st, _ = post(p, "/event", signup(8), key=key)
        check(st == 401 and len(events_in(journal)) == n,
              "events: %s: 401, nothing written" % what, st)
    st, _ = post(p, "/event", signup(9), key="ev-key-2")
    check(st == 202, "events: the second key of EVENTS_API_KEYS", st)
    st, _, _ = hooks.request(p, "/event", b"event=signup",
                             {"Content-Type":
                              "application/x-www-form-urlencoded",
                              "X-Events-API-Key": KEY})
    check(st == 415, "events: JSON only (a form: 415)", st)
    return s


def refused_at_start():
    bad = os.path.join(TMP, "bad-dictionary.json")
    with open(bad, "w") as f:
        f.write('{"version": 1,\n "violation": "sometimes"}\n')
    j = os.path.join(TMP, "journal-bad")
    e = dict(hooks.env(), EVENTS_API_KEYS=KEY)
    p = subprocess.run([hooks.HR, "--vendor", "events", "--journal", j,
                        "--listen", "127.0.0.1:0", "--dictionary", bad],
                       env=e, capture_output=True, text=True, timeout=30)
    check(p.returncode == 65 and "bad-dictionary.json:" in p.stderr and
          "route 0 of" in p.stderr,
          "events: a dictionary that does not load stops the receiver "
          "(65), naming the file", (p.returncode, p.stderr))
    d = os.path.join(TMP, "vendors-typo")
    os.makedirs(os.path.join(d, "events"), exist_ok=True)
    with open(os.path.join(ROOT, "vendors", "events", "vendor.json")) as f:
        v = json.load(f)
    v["receive"][1]["events"] = ["pageveiw"]
    with open(os.path.join(d, "events", "vendor.json"), "w") as f:
        json.dump(v, f)
    p = subprocess.run([hooks.HR, "--vendor", "events", "--journal", j,
                        "--listen", "127.0.0.1:0"],
                       env=dict(e, SLUICE_VENDORS=d), capture_output=True,
                       text=True, timeout=30)
    check(p.returncode == 65 and "receive.events: \"pageveiw\" is not an "
          "event of" in p.stderr and "route 1 of" in p.stderr,
          "events: a route taking an event the dictionary lacks is refused "
          "at start (65)", (p.returncode, p.stderr))
    e = {k: v for k, v in hooks.env().items() if k != "EVENTS_API_KEYS"}
    p = subprocess.run([hooks.HR, "--vendor", "events", "--journal", j,
                        "--listen", "127.0.0.1:0"], env=e,
                       capture_output=True, text=True, timeout=30)
    check(p.returncode == 64 and "EVENTS_API_KEYS" in p.stderr,
          "events: no EVENTS_API_KEYS: 64", (p.returncode, p.stderr))


def query(url, sql):
    r = urllib.request.Request(url + "/?" + urllib.parse.urlencode(
        {"query": sql}), data=b"", method="POST")
    with urllib.request.urlopen(r, timeout=60) as f:
        return f.read().decode()


def imported(journal):
    if subprocess.run(["sh", CH_SH, "available"]).returncode != 0:
        print("skip - hook-recv: events: the import into ClickHouse "
              "(clickhouse-server not installed)")
        return
    d = os.path.join(TMP, "events-ch")
    p = subprocess.run(["sh", CH_SH, "start", d], capture_output=True,
                       text=True, timeout=120)
    clickhouses.append(d)
    url = p.stdout.strip()
    if not check(p.returncode == 0, "events: a ClickHouse to import into",
                 p.stderr):
        return
    data = os.path.join(TMP, "events-data")
    e = dict(hooks.env(), SLUICE_DATA=data, SLUICE_JOURNAL=journal,
             QUASAR_URL=url, SLUICE_PROGRESS="0")
    imp = [os.path.join(ROOT, "pipelines", "import.sh"), "events"]
    p = subprocess.run(imp, env=e, capture_output=True, text=True,
                       timeout=300)
    got = query(url, "SELECT event_id, event, violations != '[]' FROM "
                "events FINAL ORDER BY event_id FORMAT TSV").split("\n")
    want = ["%s\t%s\t%d" % (uuid(n), ev, v) for n, ev, v in
            ((1, "signup", 0), (2, "pageview", 0), (3, "pageview", 1),
             (9, "signup", 0))] + [""]
    check(p.returncode == 0 and got == want and
          "post-quasar: in=4 out=4" in p.stdout + p.stderr,
          "events: import.sh events sends the journal to the events table "
          "(post-quasar --table events): each accepted event once, with "
          "its violations", (p.returncode, got, p.stdout, p.stderr))
    files = query(url, "SELECT DISTINCT file FROM events FINAL FORMAT "
                  "TSV").split()
    check(len(files) == 1 and files[0].startswith(
        os.path.join(journal, "events", "0")) and
        files[0].endswith(".ndjson") and
        query(url, "SELECT groupArray(line) FROM (SELECT line FROM events "
              "FINAL ORDER BY line) FORMAT TSV").strip() == "[1,2,3,4]",
          "events: file and line are the journal segment's and the line "
          "there", files)
    left = [n for n in os.listdir(os.path.join(journal, "events"))
            if n.endswith(".ndjson")]
    check(left == [], "events: the segments imported are removed", left)
    p = subprocess.run(imp, env=e, capture_output=True, text=True,
                       timeout=300)
    check(p.returncode == 0 and "post-quasar: in=0" in p.stdout + p.stderr,
          "events: the import again has nothing to send",
          (p.returncode, p.stdout, p.stderr))


def main():
    signal.signal(signal.SIGTERM, hooks.on_signal)
    signal.signal(signal.SIGINT, hooks.on_signal)
    try:
        setup()
        journal = os.path.join(TMP, "journal-events")
        s = answers(journal)
        check(s.stop() == 0, "events: SIGTERM: exit 0")
        refused_at_start()
        imported(journal)
    finally:
        hooks.stop_all()
        for d in clickhouses:
            subprocess.run(["sh", CH_SH, "stop", d], capture_output=True,
                           timeout=120)
    return 1 if hooks.failures else 0


if __name__ == "__main__":
    sys.exit(main())
