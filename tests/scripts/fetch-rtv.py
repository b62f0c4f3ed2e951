#!/usr/bin/env python3
"""fetch-rtv against the emulator's Rock the Vote report API on loopback.

Each test starts tests/servers/emulator.py (stopped also on failure), runs
the real fetch-rtv and checks its output, exit status and messages against
what the emulator then holds (GET /_emulator/state, "rtv_reports") and its
request log:

  - a report fetched end to end is the served CSV byte for byte (CRLF,
    quoted line breaks, UTF-8, no final newline), on stdout and with -o;
  - the window sent: --since/--before in both accepted forms, and the
    default (now, minus 90 minutes);
  - fetch-rtv | csv2ndjson --source rock-the-vote on the built-in report;
  - a failed report is asked for once more and the second one used; two
    failures (or one, with --no-retry-failed) end with 69 and say so;
  - a wrong key ends with 77; a deadline passed ends with 69, after status
    questions further and further apart; 503s are retried, a service that
    stays down ends with 69;
  - a download cut short is sent again from its start (a small server of
    its own), a report of 80 MB goes through in bounded memory;
  - the API key is in no output, no log and not in fetch-rtv's argv, nor
    in a message quoting a server that echoes it;
  - a window in the future and an -o that cannot be renamed to are found
    before anything is asked of RTV (64);
  - the progress line on request (SLUICE_PROGRESS=1).

Usage: fetch-rtv.py BIN ROOT TMPDIR [TEST...] (test names without "test_").
Prints ok/not ok lines.
"""

import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BIN, ROOT, TMP = sys.argv[1:4]
FETCH = os.path.join(BIN, "fetch-rtv")
PARTNER = "partner-%04d" % random.Random().randrange(10000)
KEY = "rtv-k3y-" + "%012x" % random.Random().getrandbits(48)
failures = 0

# A report with what trips CSV handling up: CRLF and LF line ends, a quoted
# line break, doubled quotes, UTF-8, an empty field, no final line break.
TRICKY_CSV = (
    b"Status,Tracking Source,Email address,First name,Last name,"
    b"Started registration,Finish with State\r\n"
    b"Complete,\"user:5552aa34469c64ec7d8b715b,source:email\","
    b"a@example.org,Ren\xc3\xa9,\"O\"\"Brien\",2020-03-08 00:56:02 -0400,Yes\r\n"
    b"Step 1,,b@example.org,\"two\nlines\",,2020-03-08 01:00:00 -0400,No\n"
    b"Rejected,group_id:42,c@example.org,Zo\xc3\xab,X,"
    b"2020-03-08 02:00:00 -0400,No")


def report(ok, what, detail=""):
    global failures
    print(("ok - " if ok else "not ok - ") + "fetch-rtv: " + what)
    if not ok:
        failures += 1
        if detail:
            sys.stderr.write("# %s\n" % str(detail)[:3000])
    sys.stdout.flush()


class Emulator:
    """The emulator in the background, with its own directory and log."""

    def __init__(self, name, *args):
        self.dir = os.path.join(TMP, "emu-" + name)
        os.makedirs(self.dir, exist_ok=True)
        self.log = os.path.join(self.dir, "requests.ndjson")
        self.err = os.path.join(self.dir, "err")
        portfile = os.path.join(self.dir, "port")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "tests/servers/emulator.py"),
             "--port", "0", "--port-file", portfile, "--log", self.log]
            + list(args), stdout=subprocess.DEVNULL,
            stderr=open(self.err, "ab"),
            # The credentials in the environment, so that no argv holds
            # them.
            env=dict(os.environ, RTV_PARTNER_ID=PARTNER,
                     RTV_PARTNER_API_KEY=KEY))
        for _ in range(200):
            if os.path.exists(portfile) and open(portfile).read().strip():
                break
            if self.proc.poll() is not None:
                raise RuntimeError("the emulator exited")
            time.sleep(0.05)
        self.url = "http://127.0.0.1:%d" % int(open(portfile).read())
        self.api = self.url + "/api/v4"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def control(self, path, body=None):
        req = urllib.request.Request(
            self.url + path, data=None if body is None else
            json.dumps(body).encode(), method="GET" if body is None
            else "POST", headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)

    def reports(self):
        return self.control("/_emulator/state")["rtv_reports"]

    def faults(self, **kw):
        return self.control("/_emulator/faults", kw)

    def reset(self):
        self.control("/_emulator/reset", {})

    def requests(self):
        if not os.path.exists(self.log):
            return []
        return [json.loads(line) for line in open(self.log)
                if line.endswith("\n")]


def env_for(url, key=KEY, **extra):
    e = {k: v for k, v in os.environ.items() if not k.startswith("RTV_")}
    e.update(RTV_URL=url, RTV_PARTNER_ID=PARTNER, RTV_PARTNER_API_KEY=key,
             SLUICE_PROGRESS="0")
    e.update(extra)
    return e


def fetch(emu, *args, key=KEY, timeout=60, **extra):
    """Runs fetch-rtv; returns (status, stdout bytes, stderr text)."""
    p = subprocess.run([FETCH, "--poll-interval", "0.05"] + list(args),
                       env=env_for(emu.api if emu else "", key, **extra),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def summary_ok(err, records, size):
    return re.search(r"^fetch-rtv: report \w+ complete, %d records, %d bytes$"
                     % (records, size), err, re.M) is not None


# ------------------------------------------------------------------ tests

def test_end_to_end(tricky):
    csv_path, emu = tricky
    emu.reset()
    rc, out, err = fetch(emu, "--since", "2024-11-05 00:00:00",
                         "--before", "2024-11-05T01:30:00Z")
    reps = emu.reports()
    report(rc == 0 and out == TRICKY_CSV,
           "a report fetched end to end is the served CSV byte for byte",
           (rc, out[:200], err))
    report(summary_ok(err, 3, len(TRICKY_CSV)),
           "the summary line names the report, its records and bytes", err)
    report(len(reps) == 1 and reps[0]["since"] == "2024-11-05 00:00:00" and
           reps[0]["before"] == "2024-11-05 01:30:00" and
           reps[0]["status"] == "complete",
           "--since and --before (either form) go out as "
           "YYYY-MM-DD HH:MM:SS", reps)
    paths = [(r["method"], r["path"]) for r in emu.requests()
             if r["path"].startswith("/api/v4/")][-4:]
    rid = reps[0]["id"] if reps else "?"
    report(paths == [("POST", "/api/v4/registrant_reports"),
                     ("GET", "/api/v4/registrant_reports/" + rid),
                     ("GET", "/api/v4/registrant_reports/" + rid),
                     ("GET", "/api/v4/registrant_reports/%s/download" % rid)],
           "create, a status question until complete, the download", paths)

    out_file = os.path.join(TMP, "out dir", "report.csv")
    os.makedirs(os.path.dirname(out_file), exist_ok=True)
    with open(out_file, "w") as f:
        f.write("old")
    rc, out, err = fetch(emu, "-o", out_file)
    left = os.listdir(os.path.dirname(out_file))
    data = open(out_file, "rb").read()
    report(rc == 0 and out == b"" and data == TRICKY_CSV and
           left == ["report.csv"] and
           os.stat(out_file).st_mode & 0o777 == 0o600,
           "-o FILE: the report whole, by rename, mode 0600, nothing left "
           "behind", (rc, left, data[:80], oct(os.stat(out_file).st_mode),
                      err))


def test_default_window(tricky):
    _, emu = tricky
    emu.reset()
    t0 = datetime.now(timezone.utc).replace(microsecond=0)
    rc, out, err = fetch(emu)
    t1 = datetime.now(timezone.utc)
    reps = emu.reports()
    fmt = "%Y-%m-%d %H:%M:%S"
    try:
        since = datetime.strptime(reps[0]["since"], fmt).replace(
            tzinfo=timezone.utc)
        before = datetime.strptime(reps[0]["before"], fmt).replace(
            tzinfo=timezone.utc)
        ok = (t0 <= before <= t1 and
              before - since == timedelta(minutes=90))
    except (IndexError, TypeError, ValueError):
        ok = False
    report(rc == 0 and ok, "the default window is now minus 90 minutes to "
           "now, UTC", (rc, t0, t1, reps, err))
    emu.reset()
    rc, out, err = fetch(emu, "--before", "2024-01-01 00:30:00")
    reps = emu.reports()
    report(rc == 0 and [(r["since"], r["before"]) for r in reps] ==
           [("2023-12-31 23:00:00", "2024-01-01 00:30:00")],
           "--before alone: since is 90 minutes earlier", reps)


def test_builtin_csv(builtin):
    emu = builtin
    fetcher = subprocess.Popen(
        [FETCH, "--poll-interval", "0.05"], env=env_for(emu.api),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    conv = subprocess.Popen(
        [os.path.join(BIN, "csv2ndjson"), "--source", "rock-the-vote"],
        stdin=fetcher.stdout, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env_for(emu.api))
    fetcher.stdout.close()
    out, cerr = conv.communicate(timeout=60)
    ferr = fetcher.stderr.read().decode()
    fetcher.stderr.close()
    rc = fetcher.wait(10)
    recs = [json.loads(line) for line in out.decode().splitlines()]
    rid = emu.reports()[-1]["id"]
    with urllib.request.urlopen(
            emu.api + "/registrant_reports/%s/download?partner_API_key=%s"
            "&partner_id=%s" % (rid, KEY, PARTNER), timeout=10) as r:
        served = r.read()
    header = served.split(b"\n", 1)[0].decode()
    report(rc == 0 and conv.returncode == 0 and len(recs) == 6 and
           recs[0]["Status"] == "Complete" and
           recs[0]["_meta"]["source"] == "rock-the-vote" and
           "Started registration" in recs[0] and
           "Opt-in to Partner SMS/robocall" in recs[0] and
           recs[3]["First name"] == "Ren\u00e9",
           "fetch-rtv | csv2ndjson --source rock-the-vote on the built-in "
           "report", (rc, conv.returncode, recs[:1], ferr, cerr))
    report(header.startswith("Status,Tracking Source,Tracking ID,") and
           summary_ok(ferr, 6, len(served)),
           "the built-in report has RTV's header and 6 rows", (header, ferr))


def test_failed_retried(tricky):
    _, emu = tricky
    emu.reset()
    emu.faults(rtv_fail_reports=1)
    rc, out, err = fetch(emu, "--since", "2024-11-05 00:00:00",
                         "--before", "2024-11-05 01:30:00")
    reps = emu.reports()
    report(rc == 0 and out == TRICKY_CSV and
           [r["status"] for r in reps] == ["failed", "complete"] and
           len({(r["since"], r["before"]) for r in reps}) == 1 and
           "failed: asking for a new report for the same window" in err,
           "a failed report is asked for once more, for the same window, "
           "and that one is used", (rc, reps, err))

    emu.reset()
    emu.faults(rtv_fail_reports=2)
    rc, out, err = fetch(emu)
    reps = emu.reports()
    report(rc == 69 and out == b"" and
           [r["status"] for r in reps] == ["failed", "failed"] and
           re.search(r"report \w+ \(a new report for the window of report "
                     r"\w+, .* to .*\) failed too: giving up", err),
           "failed twice: 69, no output, and it says so", (rc, reps, err))

    emu.reset()
    emu.faults(rtv_fail_reports=1)
    rc, out, err = fetch(emu, "--no-retry-failed")
    reps = emu.reports()
    emu.faults(rtv_fail_reports=0)
    report(rc == 69 and out == b"" and len(reps) == 1 and
           re.search(r"report \w+ failed \(for ", err),
           "--no-retry-failed: one failed report is the end (69)",
           (rc, reps, err))


def test_wrong_key(tricky):
    _, emu = tricky
    emu.reset()
    wrong = "wrong-" + KEY[::-1]
    rc, out, err = fetch(emu, key=wrong)
    report(rc == 77 and out == b"" and "RTV_PARTNER_API_KEY" in err and
           "HTTP 401" in err and wrong not in err and emu.reports() == [],
           "a wrong key: 77, naming the variables, the key not printed",
           (rc, err))


def test_deadline(tricky):
    _, emu = tricky
    emu.reset()
    emu.faults(rtv_report_polls=1000)
    t0 = time.time()
    rc, out, err = fetch(emu, "--deadline", "2", "--poll-interval", "0.2")
    took = time.time() - t0
    emu.faults(rtv_report_polls=2)
    polls = [r["t"] for r in emu.requests()
             if r["t"] >= t0 and r["method"] == "GET" and
             re.fullmatch(r"/api/v4/registrant_reports/\w+", r["path"])]
    gaps = [b - a for a, b in zip(polls, polls[1:])]
    report(rc == 69 and out == b"" and 1.9 < took < 6 and
           re.search(r"report \w+ not complete after 2 s \(last status: "
                     r"building, \d+/3 records\): giving up", err),
           "a deadline passed: 69 with the report and its last status",
           (rc, took, err))
    report(4 <= len(polls) <= 8 and gaps[1] > gaps[0] * 1.2 and
           gaps[2] > gaps[1] * 1.2,
           "status questions come further and further apart (x1.5)",
           (polls, gaps))


def test_faults(tricky):
    _, emu = tricky
    emu.reset()
    emu.faults(fail_rate=0.3)
    rc, out, err = fetch(emu, "--retries", "20")
    emu.faults(fail_rate=0)
    faulted = [r for r in emu.requests() if r["fault"] == "fail"]
    report(rc == 0 and out == TRICKY_CSV and faulted,
           "500 and 503 answers are retried (%d of them)" % len(faulted),
           (rc, err))
    emu.faults(fail_rate=1)
    rc, out, err = fetch(emu, "--retries", "1")
    emu.faults(fail_rate=0)
    report(rc == 69 and out == b"" and
           "Rock the Vote unavailable while creating a report: HTTP 5" in err
           and "gave up after 2 tries" in err,
           "a service that stays down: 69, saying what it was doing",
           (rc, err))


def test_secrets(tricky):
    _, emu = tricky
    emu.reset()
    emu.faults(rtv_report_polls=6)
    p = subprocess.Popen([FETCH, "--poll-interval", "0.1"],
                         env=env_for(emu.api, SLUICE_PROGRESS="1"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = looked = 0
    while p.poll() is None:
        try:
            with open("/proc/%d/cmdline" % p.pid, "rb") as f:
                argv = f.read()
            looked += 1
            if KEY.encode() in argv or PARTNER.encode() in argv:
                seen += 1
        except OSError:
            pass
        time.sleep(0.01)
    out, err = p.communicate()
    emu.faults(rtv_report_polls=2)
    texts = {"stdout": out, "stderr": err,
             "the emulator's log": open(emu.log, "rb").read(),
             "the emulator's stderr": open(emu.err, "rb").read()}
    found = [k for k, v in texts.items() if KEY.encode() in v]
    report(p.returncode == 0 and looked > 3 and not seen and not found,
           "the API key is in no argv, output or log",
           (p.returncode, looked, seen, found))
    report(b"\r\033[K" in err and b"records of report" in err and
           b"(building)" in err,
           "the progress line on request: the report's status and records",
           err[-300:])


def test_signal_and_output(tricky):
    _, emu = tricky
    emu.reset()
    emu.faults(rtv_report_polls=1000)
    out_dir = os.path.join(TMP, "sigterm")
    os.makedirs(out_dir)
    p = subprocess.Popen([FETCH, "--poll-interval", "0.1", "-o",
                          os.path.join(out_dir, "report.csv")],
                         env=env_for(emu.api), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    time.sleep(0.6)
    p.terminate()
    out, err = p.communicate(timeout=10)
    emu.faults(rtv_report_polls=2)
    report(p.returncode == 143 and os.listdir(out_dir) == [] and
           b"interrupted: no report written" in err,
           "SIGTERM while waiting: 143, no file left behind",
           (p.returncode, os.listdir(out_dir), err))
    emu.reset()
    rc, out, err = fetch(emu, "-o", os.path.join(TMP, "no-such-dir", "r.csv"))
    report(rc == 74 and "no-such-dir/r.csv: cannot write: " in err and
           emu.reports() == [],
           "-o in a directory that does not exist: 74 before asking RTV",
           (rc, err))


def send_body(handler, status, ctype, data):
    """Answers a request of a test's own server with status and data."""
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


class CutServer(BaseHTTPRequestHandler):
    """A report API whose first download is cut off half way."""
    protocol_version = "HTTP/1.1"
    body = b"Status,Email address\n" + b"".join(
        b"Complete,user%06d@example.org\n" % i for i in range(20000))
    downloads = 0

    def log_message(self, *args):
        pass

    def answer(self, obj):
        send_body(self, 200, "application/json", json.dumps(obj).encode())

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.answer({"status": "queued",
                     "status_url": "http://x/api/v4/registrant_reports/77"})

    def do_GET(self):
        host = "http://%s" % self.headers["Host"]
        if "/download" not in self.path:
            self.answer({"status": "complete", "record_count": 20000,
                         "current_index": 20000,
                         "download_url": host +
                         "/api/v4/registrant_reports/77/download"})
            return
        CutServer.downloads += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        if CutServer.downloads == 1:
            self.wfile.write(self.body[:len(self.body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(self.body)


def test_cut_download(_):
    server = ThreadingHTTPServer(("127.0.0.1", 0), CutServer)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = "http://127.0.0.1:%d/api/v4" % server.server_address[1]
        p = subprocess.run([FETCH, "--poll-interval", "0.05"],
                           env=env_for(url), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        report(p.returncode == 0 and p.stdout == CutServer.body and
               CutServer.downloads == 2,
               "a download cut short is sent again from its start, the "
               "output whole and once", (p.returncode, len(p.stdout),
                                         CutServer.downloads, p.stderr))
    finally:
        server.shutdown()
        server.server_close()


def test_big_report(_):
    path = os.path.join(TMP, "big.csv")
    row = (b"Complete,source:email,rtv-000001,,English,01/02/2000,"
           b"someone@example.org,Yes,,First,,Last,,1 Main St,,Austin,,TX,"
           b"73301,No,,,,,,,,,212-254-2390,Mobile,Yes,Yes,Yes,Yes,,,,,,,,"
           b"No,2020-03-08 00:56:02 -0400,Yes,No,,,,\n")
    n = 80 * 1024 * 1024 // len(row)
    with open(path, "wb") as f:
        f.write(b"Status,Tracking Source\n")
        for _ in range(n // 1000):
            f.write(row * 1000)
    size = os.path.getsize(path)
    emu = Emulator("big", "--rtv-report-csv", path)
    try:
        out_path = os.path.join(TMP, "big.out")
        with open(out_path, "wb") as out:
            p = subprocess.Popen([FETCH, "--poll-interval", "0.05"],
                                 env=env_for(emu.api), stdout=out,
                                 stderr=subprocess.PIPE)
            err = p.stderr.read().decode()
            _, status, usage = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
        rss_mb = usage.ru_maxrss / 1024
        same = (os.path.getsize(out_path) == size and
                subprocess.run(["cmp", "-s", path, out_path]).returncode == 0)
        report(p.returncode == 0 and same and rss_mb < 60,
               "an 80 MB report goes through whole in %.0f MB of memory"
               % rss_mb, (p.returncode, same, rss_mb, err))
    finally:
        emu.stop()
        for f in (path, os.path.join(TMP, "big.out")):
            if os.path.exists(f):
                os.remove(f)


def test_usage(_):
    rc, out, err = fetch(None, "--url", "http://127.0.0.1:9",
                         RTV_PARTNER_ID="")
    report(rc == 64 and "no partner credentials: set RTV_PARTNER_ID\n" in err,
           "a missing partner id is named (64)", err)
    e = env_for("http://127.0.0.1:9")
    del e["RTV_PARTNER_API_KEY"]
    p = subprocess.run([FETCH], env=e, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    report(p.returncode == 64 and
           b"no partner credentials: set RTV_PARTNER_API_KEY\n" in p.stderr,
           "a missing key is named (64)", p.stderr)
    rc, out, err = fetch(None, "--since", "2024-01-01 02:00:00",
                         "--before", "2024-01-01 01:00:00")
    report(rc == 64 and "the window is empty" in err,
           "--since after --before: 64", err)


def test_future_window(tricky):
    _, emu = tricky
    emu.reset()
    later = (datetime.now(timezone.utc) + timedelta(hours=2)).strftime(
        "%Y-%m-%d %H:%M:%S")
    bad = []
    for args in (["--before", later], ["--since", later],
                 ["--since", "2024-01-01 00:00:00", "--before", later]):
        rc, out, err = fetch(emu, *args)
        if rc != 64 or "the time '%s' for" % later not in err or \
                "is in the future" not in err:
            bad.append((args, rc, err))
    report(not bad and emu.reports() == [],
           "a window that ends (or starts) in the future: 64, saying so, "
           "nothing asked of RTV", bad)


def test_output_checked_first(tricky):
    _, emu = tricky
    d = os.path.join(TMP, "out-checks")
    os.makedirs(d)
    fifo = os.path.join(d, "fifo")
    os.mkfifo(fifo)
    bad = []
    for path, want in ((d, "is a directory"), (d + "/", "is a directory"),
                       (os.path.join(d, "new") + "/", "is a directory"),
                       ("", "needs a file name"),
                       (fifo, "is not a regular file")):
        emu.reset()
        rc, out, err = fetch(emu, "-o", path)
        if rc != 64 or want not in err or emu.reports() != []:
            bad.append((path, rc, err, emu.reports()))
    report(not bad and sorted(os.listdir(d)) == ["fifo"],
           "-o naming a directory, nothing or a FIFO: 64 before any report "
           "is asked for, nothing left behind", (bad, os.listdir(d)))


class EchoServer(BaseHTTPRequestHandler):
    """A report API that refuses every request with a page of text quoting
    it as PHP's json_encode writes it ("/" as "\\/"): the key in a form
    neither raw nor percent-encoded, in a body that is not JSON."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        sent = json.dumps(json.loads(body)).replace("/", "\\/")
        send_body(self, 401, "text/plain",
                  ("Bad partner. The request was: %s" % sent).encode())


def test_key_echoed(_):
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoServer)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rng = random.Random()
    key = "%08x/%08x" % (rng.getrandbits(32), rng.getrandbits(32))
    try:
        url = "http://127.0.0.1:%d/api/v4" % server.server_address[1]
        p = subprocess.run([FETCH, "--poll-interval", "0.05"],
                           env=env_for(url, key), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=60)
        err = p.stderr.decode()
        forms = (key, key.replace("/", "%2F"), key.replace("/", "\\/"),
                 key.split("/")[1])
        report(p.returncode == 77 and "partner_API_key" in err and
               not [f for f in forms if f in err],
               "a server that echoes the key (JSON-escaped, \\/ for /, in "
               "text): the key in none of its forms in the messages",
               (p.returncode, err))
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    TESTS = (test_end_to_end, test_default_window, test_builtin_csv,
             test_failed_retried, test_wrong_key, test_deadline, test_faults,
             test_secrets, test_signal_and_output, test_cut_download, test_big_report, test_usage,
             test_future_window, test_output_checked_first, test_key_echoed)
    csv_path = os.path.join(TMP, "tricky.csv")
    with open(csv_path, "wb") as f:
        f.write(TRICKY_CSV)
    tricky = builtin = None
    try:
        tricky = (csv_path, Emulator("tricky", "--rtv-report-csv", csv_path,
                                     "--seed", "1"))
        builtin = Emulator("builtin")
        for t in TESTS:
            if sys.argv[4:] and t.__name__[5:] not in sys.argv[4:]:
                continue
            try:
                t(builtin if t is test_builtin_csv else tricky)
            except Exception as e:  # a test that breaks counts as a failure
                import traceback
                traceback.print_exc()
                report(False, "%s ran to the end" % t.__name__, e)
    finally:
        for emu in (tricky[1] if tricky else None, builtin):
            if emu:
                emu.stop()
    for emu_dir in ("emu-tricky", "emu-builtin"):
        err = os.path.join(TMP, emu_dir, "err")
        if os.path.exists(err) and b"Traceback" in open(err, "rb").read():
            report(False, "the emulator printed no traceback (%s)" % emu_dir,
                   open(err).read()[-2000:])
    sys.exit(1 if failures else 0)
