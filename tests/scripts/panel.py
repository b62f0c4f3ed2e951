#!/usr/bin/env python3
"""pipelines/panel.sh end to end: members -> sample -> post-mail.

Against tests/servers/emu_ses.py, with the sample mailing
(mailings/sample: 100 members in four cells):

  - a first run: the panel's joins mailed once each, the unsubscribed
    dropped, summary.txt in the run's folder with both stages' lines,
    report.html beside it headed "panel-sample run" of the file, the data
    folder's index.html listing it;
  - a second run on a larger file: only the new joins mailed (the members
    mailed before skipped, no request for them); the leaves not mailed;
  - --offline: the sample kept in the run's folder, nothing sent;
  - a run killed (-9, the whole pipeline) during its mail-out, then run
    again: nobody mailed twice, every join mailed or listed in doubt;
  - usage: no FILE nor --query (64), a mailing that does not exist (66);
  - --query against a real ClickHouse (tests/servers/clickhouse.sh; skipped
    when it is not installed): the members of a table sampled as the same
    members from a file are, the report headed by the query; a query the
    server refuses, or that fails once rows are on their way: its message,
    the query and the server named, exit 65;
    a server that is not there, or a 200 whose answer is cut short: 69.

Usage: panel.py BIN ROOT TMPDIR.
"""

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time

BIN, ROOT, TMP = sys.argv[1:4]
PANEL = os.path.join(ROOT, "pipelines/panel.sh")
failures = 0
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ses_emu  # noqa: E402
import analytics_warehouse as aw  # noqa: E402
CH_SH = os.path.join(ROOT, "tests", "servers", "clickhouse.sh")


def Emu(name, *args):
    return ses_emu.Emu(TMP, name, *args)


def report(ok, what, detail=""):
    global failures
    print(("ok - " if ok else "not ok - ") + "panel: " + what)
    if not ok:
        failures += 1
        if detail:
            sys.stderr.write(str(detail)[:3000] + "\n")
    sys.stdout.flush()


def members(n, seed=3):
    r = random.Random(seed)
    out = []
    for i in range(1, n + 1):
        out.append({"northstar_id": "5f%022d" % i,
                    "email": "p%d@example.org" % i, "first_name": "P%d" % i,
                    "email_subscription_status": i % 13 != 0,
                    "survey": {"url": "https://s.example.org/%d" % i},
                    "addr_state": r.choice(["CA", "NY"]),
                    "voter_registration_status":
                        r.choice(["registered", "unregistered"])})
    return out


def write(name, rows):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    return path


def env(emu, data):
    return dict(os.environ, SES_URL=emu.url, AWS_ACCESS_KEY_ID="AKIDEMULATOR",
                AWS_SECRET_ACCESS_KEY="emulator-secret",
                AWS_REGION="us-east-1", SLUICE_DATA=data, BIN=BIN)


def panel(e, *args):
    p = subprocess.run([PANEL] + list(args), env=e, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    return p.returncode, p.stderr.decode()


def joins(data):
    path = os.path.join(data, "state/sample.joins.ndjson")
    with open(path) as f:
        return [json.loads(l) for l in f]


def runs(data):
    d = os.path.join(data, "runs/panel-sample")
    return sorted(os.path.join(d, x) for x in os.listdir(d))


def read(path):
    """The file's text, or "" when there is none (a check then fails)."""
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def picked(run):
    """The sample's changes of a run: {northstar_id: change}."""
    return {r["northstar_id"]: r["change"] for r in map(
        json.loads, open(os.path.join(run, "sample.ndjson")))}


def report_checks(data, run, f1):
    page = read(os.path.join(run, "report.html"))
    report("<h1>panel-sample run</h1>" in page and
           "<code id=file>%s</code>" % f1 in page and
           "(unknown)" not in page and "panel run of mailing" not in page,
           "report.html: headed \"panel-sample run\" of the file", page[:3000])
    index = read(os.path.join(data, "index.html"))
    report("runs/panel-sample/%s/report.html" % os.path.basename(run)
           in index, "index.html links the run's report", index[:3000])


def closed_port():
    """A socket bound to a port of 127.0.0.1 and not listening: a connection
    to it is refused, and while the socket is open no other server (of a
    test running beside this one) can take the port."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    return s


def cut_short_server():
    """A server on 127.0.0.1 that answers each request 200 with a
    Content-Length it never sends in full: an answer cut short. Returns
    (url, stop)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(0.2)
    done = threading.Event()

    def serve():
        while not done.is_set():
            try:
                c, _ = srv.accept()
            except socket.timeout:
                continue
            with c:
                c.settimeout(5)
                try:
                    c.recv(65536)
                    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000"
                              b"\r\n\r\n" + json.dumps(members(1)[0])
                              .encode() + b"\n")
                except OSError:
                    pass
        srv.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    return ("http://127.0.0.1:%d" % srv.getsockname()[1],
            lambda: (done.set(), t.join(5)))


def query_checks(first_run):
    """--query: the members are the rows of a table in a real ClickHouse."""
    if subprocess.run(["sh", CH_SH, "available"]).returncode != 0:
        print("skip - panel: --query: clickhouse-server not installed")
        return
    url = aw.ch_start(os.path.join(TMP, "ch-panel"))
    if url is None:
        report(False, "--query: a ClickHouse server starts")
        return
    aw.must(url, "CREATE TABLE members (northstar_id String, email String, "
            "first_name String, "
            "email_subscription_status UInt8, survey_url String, "
            "addr_state String, voter_registration_status String) "
            "ENGINE = Memory")
    rows = []
    for m in members(400):
        r = dict(m, survey_url=m["survey"]["url"],
                 email_subscription_status=int(
                     m["email_subscription_status"]))
        del r["survey"]
        rows.append(r)
    aw.insert_json(url, "members", rows)
    data = os.path.join(TMP, "data-query")
    e = dict(os.environ, SLUICE_DATA=data, BIN=BIN, QUASAR_URL=url)
    sql = ("SELECT northstar_id, email, email_subscription_status, "
           "addr_state, voter_registration_status FROM members")
    rc, err = panel(e, "--offline", "--query", sql, "sample")
    run = runs(data)[-1]
    got, want = picked(run), picked(first_run)
    report(rc == 0 and len(got) == 100 and got == want,
           "--query: the table's members sampled as the same members from "
           "a file (%d of %d)" % (len(got), len(want)), (rc, err))
    n = sum(1 for _ in open(os.path.join(run, "members.ndjson")))
    summ = read(os.path.join(run, "summary.txt"))
    report(n == 400 and summ.startswith(
        "== panel-sample run of the query " + sql + "\n") and
        "sample: in=400" in summ, "--query: the rows kept in members.ndjson, "
        "the summary headed by the query", summ)
    page = read(os.path.join(run, "report.html"))
    report("<h1>panel-sample run</h1><p class=sub>of the query <code "
           "id=query>%s</code>" % sql in page and "(unknown)" not in page,
           "--query: report.html headed by the query", page[:3000])
    host = url.split("//", 1)[1]
    bad = "SELECT northstar_id FROM no_such_table"
    rc, err = panel(e, "--offline", "--query", bad, "sample")
    report(rc == 65 and bad in err and host in err and
           "no_such_table doesn't exist" in err and
           "Traceback" not in err and "jq:" not in err,
           "--query refused by the server: exit 65, the query, the server "
           "and its message said", (rc, err))
    summ = read(os.path.join(runs(data)[-1], "summary.txt"))
    report("query=65" in summ and "sample=-" in summ and
           os.path.exists(os.path.join(runs(data)[-1], "report.html")),
           "--query refused: sample not run, the summary and report "
           "written", summ)
    # A query that fails once rows are on their way: ClickHouse would
    # answer 200 and the rows so far, then the exception's text.
    midway = ("SELECT toString(number) AS northstar_id, 'CA' AS addr_state, "
              "'registered' AS voter_registration_status, "
              "throwIf(number = 300000) AS x FROM system.numbers "
              "LIMIT 400000")
    rc, err = panel(e, "--offline", "--query", midway, "sample")
    summ = read(os.path.join(runs(data)[-1], "summary.txt"))
    report(rc == 65 and "sample=-" in summ and "throwIf" in err,
           "--query failing midway: exit 65 with the server's message, "
           "nothing sampled", (rc, err[-2000:], summ))
    closed = closed_port()
    gone = "http://127.0.0.1:%d" % closed.getsockname()[1]
    rc, err = panel(dict(e, QUASAR_URL=gone), "--offline", "--query", sql,
                    "sample")
    closed.close()
    report(rc == 69 and sql in err and gone[7:] in err,
           "--query with no server there: exit 69, the server named",
           (rc, err))
    url_cut, stop = cut_short_server()
    try:
        rc, err = panel(dict(e, QUASAR_URL=url_cut), "--offline", "--query",
                        sql, "sample")
    finally:
        stop()
    summ = read(os.path.join(runs(data)[-1], "summary.txt"))
    report(rc == 69 and "sample=-" in summ and url_cut[7:] in err,
           "--query answered 200 but cut short: exit 69, nothing sampled",
           (rc, err, summ))


def main():
    emu = Emu("emu")
    data = os.path.join(TMP, "data")
    try:
        e = env(emu, data)
        f1 = write("m1.ndjson", members(400))
        rc, err = panel(e, "sample", f1)
        sent = emu.sent()
        j = joins(data)
        want = {r["email"] for r in j if r["email_subscription_status"]}
        report(rc == 0 and len(j) == 100 and set(sent) == want and
               max(sent.values()) == 1,
               "a first run: the %d subscribed joins mailed once" %
               len(want), (rc, err))
        summ = open(os.path.join(runs(data)[-1], "summary.txt")).read()
        report("sample: in=400" in summ and "post-mail: sent=%d" % len(want)
               in summ and "post-mail=0" in summ,
               "summary.txt with both stages", summ)
        report_checks(data, runs(data)[-1], f1)
        rc, err = panel(e, "--offline", "sample", write(
            "m3.ndjson", members(600, seed=3)))
        report(rc == 0 and emu.sent() == sent and "offline" in err,
               "--offline sends nothing", (rc, err))
        f2 = write("m2.ndjson", members(1000, seed=3)[400:])
        rc, err = panel(e, "sample", f2)
        sent2 = emu.sent()
        j2 = joins(data)
        leaves = [json.loads(l) for l in open(
            os.path.join(runs(data)[-1], "leaves.ndjson"))]
        want2 = {r["email"] for r in j2 if r["email_subscription_status"]}
        report(rc == 0 and set(sent2) == want2 and
               max(sent2.values()) == 1 and len(j2) > 100,
               "a second run: only the new joins mailed (%d more, %d "
               "leaves)" % (len(want2) - len(want), len(leaves)), (rc, err))
        report("skipped=%d" % len(want) in err,
               "the members mailed before: skipped", err)
        # Killed during a slow mail-out, then run again.
        emu.stop()
        emu = Emu("emu2", "--rate", "10", "--slow-ms", "200")
        data2 = os.path.join(TMP, "data2")
        e2 = env(emu, data2)
        p = subprocess.Popen([PANEL, "sample", f1], env=e2,
                             stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL,
                             start_new_session=True)
        time.sleep(2.5)
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        before = emu.sent()
        lock = os.path.join(data2, "state/panel-sample.lock")
        rc, err = panel(e2, "sample", f1)
        sent3 = emu.sent()
        rej = []
        rp = os.path.join(runs(data2)[-1], "post-mail.rejects.ndjson")
        if os.path.exists(rp):
            rej = [json.loads(l)["record"]["email"] for l in open(rp)]
        want3 = {r["email"] for r in joins(data2)
                 if r["email_subscription_status"]}
        report(before and max(sent3.values()) == 1 and
               set(sent3) | set(rej) == want3 and os.path.exists(lock),
               "killed mid-mail-out, run again: nobody twice, everybody "
               "mailed (%d before the kill) or in doubt (%d)" % (
                   len(before), len(rej)), (rc, err))
        rc, err = panel(e, "sample")
        report(rc == 64, "no FILE nor --query: 64", err)
        rc, err = panel(e, "no-such-mailing", f1)
        report(rc == 66, "a mailing that does not exist: 66", err)
        query_checks(runs(data)[0])
    finally:
        emu.stop()
        aw.ch_stop_all()
    return 1 if failures else 0


if __name__ == "__main__":
    # The runner's time limit ends a test with TERM: the servers go too.
    for _s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(_s, lambda sig, _f: (aw.ch_stop_all(),
                                           sys.exit(128 + sig)))
    sys.exit(main())
