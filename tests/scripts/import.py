#!/usr/bin/env python3
"""pipelines/import.sh against real servers on loopback: one check per
promise the import script makes, each named after what it guards.

  - lock: a second import of a vendor started while the first runs exits
    at once with 75 and sends nothing;
  - run folders: runs started in the same second get a folder each;
  - exit status: a Rock the Vote file given to the TurboVote import exits
    65 (shape's), not 141 (a SIGPIPE upstream of it);
  - phases: post-northstar killed, or refused, leaves dedupe and post-rogue
    unrun and Rogue without a request;
  - encoding: a cp1252 export (its vendor file says so) imports every row;
  - cacert: SLUICE_CACERT reaches fetch-rtv, post-northstar, post-rogue
    and post-quasar (the services on HTTPS with a certificate of their own);
  - warehouse: ClickHouse down at the start holds no delivery back, and the
    replay command the summary prints works as printed once it is up;
  - secret: NORTHSTAR_CLIENT_SECRET in no process's environment or argv,
    no output and no file, its file removed also when the import is
    interrupted; NORTHSTAR_CLIENT_SECRET_FILE works;
  - offline: a preview with no service variable set, sending nothing;
  - usage: unknown vendor, missing file, missing services, unknown option,
    --help.

Usage: import.py BIN ROOT TMPDIR [TEST...] (test names without "test_").
Prints ok/not ok lines.
"""

import csv
import gzip
import http.server
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import delivery  # noqa: E402  (the Emulator and the export helpers)

BIN, ROOT, TMP = sys.argv[1:4]
IMPORT = os.path.join(ROOT, "pipelines/import.sh")
TV_SAMPLE = os.path.join(ROOT, "vendors/turbovote/sample.csv")
RTV_SAMPLE = os.path.join(ROOT, "vendors/rock-the-vote/sample.csv")
SERVICES = ("NORTHSTAR_URL", "ROGUE_URL", "QUASAR_URL", "NORTHSTAR_CLIENT_ID",
            "NORTHSTAR_CLIENT_SECRET", "NORTHSTAR_CLIENT_SECRET_FILE",
            "RTV_URL", "RTV_PARTNER_ID", "RTV_PARTNER_API_KEY",
            "SLUICE_CACERT")
report = delivery.report


def scratch(name):
    """A new, empty folder for one test."""
    d = os.path.join(TMP, "import-" + name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def emulator(name, *args, **kw):
    """A new emulator, its database and log those of no earlier run."""
    shutil.rmtree(os.path.join(TMP, "emu-import-" + name), ignore_errors=True)
    return delivery.Emulator("import-" + name, *args, **kw)


def tv_csv(path, n, seed, members=None, email=None):
    """A TurboVote export of n rows as CSV (the rows of delivery.py)."""
    rows = delivery.tv_export(path + ".ndjson", n, seed,
                              members or delivery.members_for(n // 3 + 1,
                                                              seed))
    cols = [k for k in rows[0] if k != "_meta"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for i, r in enumerate(rows):
            if email:
                r["email"] = email % i
            w.writerow([r[c] for c in cols])
    return rows


def clean_env(**kw):
    """The test's environment without any service, plus kw."""
    e = {k: v for k, v in os.environ.items() if k not in SERVICES}
    e["SLUICE_PROGRESS"] = "0"
    e.update(kw)
    return e


def run(args, env, timeout=120):
    t0 = time.time()
    p = subprocess.run([IMPORT] + args, env=env, capture_output=True,
                       timeout=timeout)
    p.took = time.time() - t0
    p.out = p.stdout.decode("utf-8", "replace")
    p.err = p.stderr.decode("utf-8", "replace")
    return p


def runs(data, name="turbovote"):
    d = os.path.join(data, "runs", name)
    return sorted(os.path.join(d, x) for x in os.listdir(d)) \
        if os.path.isdir(d) else []


def processes():
    """(pid, argv bytes, environ bytes) of every process we may read."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read()
            with open("/proc/%s/environ" % pid, "rb") as f:
                env = f.read()
        except OSError:
            continue
        yield int(pid), argv, env


def find_stage(name, marker):
    """The pid of BIN/name whose argv holds marker, or None."""
    exe = os.path.join(BIN, name).encode()
    for pid, argv, _ in processes():
        if argv.split(b"\0")[0] == exe and marker.encode() in argv:
            return pid
    return None


def rogue_requests(emu, since=0):
    return [r for r in emu.requests()[since:]
            if r["path"].startswith("/api/")]


def exit_codes(summary):
    """The summary's exit status per stage, as {stage: status}."""
    m = re.search(r"^exit status per stage \(-: not run\):(.*)$", summary,
                  re.M)
    return dict(x.split("=", 1) for x in m.group(1).split()) if m else {}


def wait_until(cond, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return False


# --- the checks ------------------------------------------------------


def test_lock():
    emu = emulator("lock", "--latency-ms", "20")
    d = scratch("lock")
    data = os.path.join(d, "data")
    first = os.path.join(d, "first.csv")
    second = os.path.join(d, "second.csv")
    tv_csv(first, 80, 11)
    tv_csv(second, 20, 12, email="lock-second-%d@example.org")
    env = dict(emu.env(), SLUICE_DATA=data, SLUICE_CONCURRENCY="2")
    try:
        p1 = subprocess.Popen([IMPORT, "turbovote", first], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        started = wait_until(lambda: len(emu.requests()) > 5, 30)
        p2 = run(["turbovote", second], env)
        still = p1.poll() is None
        p1.communicate(timeout=120)
        mine = [r for r in emu.requests() if "lock-second" in r["path"]]
        report(started and still and p2.returncode == 75 and p2.took < 3 and
               "another turbovote import is running" in p2.err and
               not mine and len(runs(data)) == 1,
               "lock: a second import of a vendor while one runs exits at "
               "once with 75, sends nothing and makes no run folder",
               "started %s, first still running %s, exit %d in %.1f s, "
               "%d requests of its own, %d run folders: %s" % (
                   started, still, p2.returncode, p2.took, len(mine),
                   len(runs(data)), p2.err[-400:]))
        p3 = run(["turbovote", second], env)
        mine = [r for r in emu.requests() if "lock-second" in r["path"]]
        report(p1.returncode in (0, 1) and p3.returncode in (0, 1) and mine,
               "lock: once the first import has ended, the next one runs",
               "exits %d, %d: %s" % (p1.returncode, p3.returncode,
                                     p3.err[-400:]))
    finally:
        emu.stop()


def test_run_folders():
    d = scratch("folders")
    path = os.path.join(d, "small.csv")
    tv_csv(path, 5, 13)
    for attempt in range(5):
        data = os.path.join(d, "data-%d" % attempt)
        env = clean_env(SLUICE_DATA=data)
        ps = [subprocess.Popen([IMPORT, "--offline", "turbovote", path],
                               env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL) for _ in range(3)]
        codes = [p.wait(60) for p in ps]
        folders = runs(data)
        seconds = [os.path.basename(f)[:16] for f in folders]
        if len(set(seconds)) < len(seconds) or len(folders) != 3:
            break
    whole = [f for f in folders
             if os.path.getsize(os.path.join(f, "stages.log")) > 0 and
             "== turbovote import" in open(os.path.join(f,
                                                         "summary.txt")).read()]
    report(codes == [0, 0, 0] and len(folders) == 3 and len(whole) == 3 and
           len(set(seconds)) < 3,
           "run folders: three runs started together, in the same second, "
           "get a folder each with its own log and summary",
           "exits %s, folders %s" % (codes, [os.path.basename(f)
                                              for f in folders]))


def test_exit_status():
    emu = emulator("status")
    d = scratch("status")
    try:
        p = run(["turbovote", RTV_SAMPLE],
                dict(emu.env(), SLUICE_DATA=os.path.join(d, "data")))
        report(p.returncode == 65 and
               "not a TurboVote export: no column 'id'" in p.err and
               "exit 65" in p.out and not rogue_requests(emu),
               "exit status: a Rock the Vote file given to the TurboVote "
               "import exits 65 (shape's), not 141 (csv2ndjson's SIGPIPE)",
               "exit %d: %s%s" % (p.returncode, p.out[-600:], p.err[-300:]))
    finally:
        emu.stop()


def test_phases():
    d = scratch("phases")
    path = os.path.join(d, "export.csv")
    tv_csv(path, 300, 14)
    emu = emulator("phases", "--latency-ms", "20")
    data = os.path.join(d, "data")
    try:
        env = dict(emu.env(), SLUICE_DATA=data, SLUICE_CONCURRENCY="2")
        p = subprocess.Popen([IMPORT, "turbovote", path], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        pid = None
        if wait_until(lambda: len(emu.requests()) > 20, 30):
            pid = find_stage("post-northstar", data)
        if pid:
            os.kill(pid, signal.SIGKILL)
        out, err = p.communicate(timeout=120)
        out = out.decode()
        run_dir = (runs(data) or [""])[-1]
        report(pid is not None and p.returncode == 128 + signal.SIGKILL and
               not rogue_requests(emu) and
               "not run: dedupe post-rogue, because post-northstar ended "
               "with 137" in out and
               not os.path.exists(os.path.join(run_dir, "results.ndjson")),
               "phases: post-northstar killed in the middle: exit 137, "
               "dedupe and post-rogue not run, no Rogue request",
               "killed %s, exit %d, %d Rogue requests: %s" % (
                   pid, p.returncode, len(rogue_requests(emu)), out[-800:]))
        n = len(emu.requests())
        p = run(["--tee-all", "turbovote", path],
                dict(env, NORTHSTAR_CLIENT_SECRET="no"))
        report(p.returncode == 77 and not rogue_requests(emu, n) and
               exit_codes(p.out).get("post-rogue") == "-",
               "phases: post-northstar refused (77): post-rogue not run, no "
               "Rogue request", "exit %d: %s" % (p.returncode, p.out[-600:]))
    finally:
        emu.stop()


def test_encoding():
    d = scratch("encoding")
    vendors = os.path.join(d, "vendors")
    os.makedirs(os.path.join(vendors, "turbovote"), exist_ok=True)
    with open(os.path.join(ROOT, "vendors/turbovote/vendor.json")) as f:
        spec = json.load(f)
    spec["export"]["encoding"] = "cp1252"
    with open(os.path.join(vendors, "turbovote/vendor.json"), "w") as f:
        json.dump(spec, f)
    names = ["García", "Zoë", "Ågren €", "“Doc” O’Brien"]
    rows = delivery.tv_export(os.path.join(d, "rows.ndjson"), 40, 15,
                              delivery.members_for(20, 15))
    cols = [k for k in rows[0] if k != "_meta"]
    path = os.path.join(d, "export-cp1252.csv")
    with open(path, "w", newline="", encoding="cp1252") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for i, r in enumerate(rows):
            r["first-name"] = names[i % len(names)]
            w.writerow([r[c] for c in cols])
    p = run(["--offline", "turbovote", path],
            clean_env(SLUICE_DATA=os.path.join(d, "data"),
                      SLUICE_VENDORS=vendors))
    got = [json.loads(x)["user"]["first_name"] for x in p.out.splitlines()]
    report(p.returncode == 0 and "csv2ndjson: in=40 out=40 dropped=0 "
           "rejected=0" in p.err and len(got) == 40 and
           got[:4] == names,
           "encoding: a cp1252 export whose vendor file says so imports "
           "every row, its names decoded", "exit %d, %d rows %s: %s" % (
               p.returncode, len(got), got[:4], p.err[-500:]))


class Warehouse(http.server.BaseHTTPRequestHandler):
    """A stand-in for ClickHouse's HTTP interface: 200 to every POST."""
    got = []

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        Warehouse.got.append((self.path, self.rfile.read(n)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def serve(handler, tls=None):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    scheme = "http"
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(*tls)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        scheme = "https"
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, "%s://127.0.0.1:%d" % (scheme, srv.server_address[1])


def rtv_report(path, n):
    """The first n rows of the Rock the Vote sample, as a report."""
    with open(RTV_SAMPLE, newline="") as f:
        rows = list(csv.reader(f))
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(rows[:n + 1])


def test_cacert():
    d = scratch("cacert")
    cert, key = delivery.self_signed(d)
    if cert is None:
        print("skip - cacert: openssl cannot make a certificate")
        return
    csv_path = os.path.join(d, "report.csv")
    rtv_report(csv_path, 30)
    emu = emulator("tls", "--rtv-report-csv", csv_path,
                            "--rtv-report-polls", "1", tls=(cert, key))
    srv, wh_url = serve(Warehouse, (cert, key))
    Warehouse.got = []
    try:
        env = dict(emu.env(), SLUICE_DATA=os.path.join(d, "data"),
                   RTV_URL=emu.url + "/api/v4",
                   RTV_PARTNER_ID="sluice-partner",
                   RTV_PARTNER_API_KEY="sluice-rtv-key", QUASAR_URL=wh_url,
                   SLUICE_CACERT=cert)
        p = run(["rock-the-vote"], env)
        st = emu.state()
        inserts = [x for x in Warehouse.got if b"INSERT" in
                   urllib.parse.unquote_to_bytes(x[0])]
        codes = exit_codes(p.out)
        report(p.returncode in (0, 1) and len(st["rtv_reports"]) == 1 and
               st["posts"] and inserts and
               codes.get("fetch-rtv") == codes.get("post-quasar") == "0" and
               codes.get("post-northstar") in ("0", "1") and
               codes.get("post-rogue") in ("0", "1"),
               "cacert: SLUICE_CACERT reaches fetch-rtv, post-northstar, "
               "post-rogue and post-quasar (every service on HTTPS with "
               "its own certificate)", "exit %d, %d posts, %d inserts: %s%s"
               % (p.returncode, len(st["posts"]), len(inserts),
                  p.out[-700:], p.err[-400:]))
    finally:
        emu.stop()
        srv.shutdown()


class Forwarder:
    """A loopback port that refuses connections until told where to send
    them: the warehouse's address, down and then up again."""

    def __init__(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()  # nothing listens there: connections are refused
        self.srv = None

    def open(self, target_port):
        self.srv = socket.socket()
        self.srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.srv.bind(("127.0.0.1", self.port))
        self.srv.listen(16)
        self.target = target_port
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            u = socket.create_connection(("127.0.0.1", self.target))
            for a, b in ((c, u), (u, c)):
                threading.Thread(target=self.pump, args=(a, b),
                                 daemon=True).start()

    @staticmethod
    def pump(a, b):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                b.sendall(data)
        except OSError:
            pass
        try:
            b.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self):
        if self.srv:
            self.srv.close()


def clickhouse(cmd, d):
    p = subprocess.run(["sh", os.path.join(ROOT, "tests/servers/clickhouse.sh"),
                        cmd, d], capture_output=True, text=True, timeout=120)
    return p.stdout.strip() if p.returncode == 0 else None


def ch_query(url, sql):
    r = urllib.request.Request(url + "/?" + urllib.parse.urlencode(
        {"query": sql}), data=b"", method="POST")
    try:
        with urllib.request.urlopen(r, timeout=30) as f:
            return f.read().decode().strip()
    except OSError as e:
        return str(e)


def test_warehouse():
    if clickhouse("available", "") is None:
        print("skip - warehouse: no ClickHouse server installed")
        return
    d = scratch("warehouse")
    path = os.path.join(d, "export.csv")
    tv_csv(path, 60, 16)
    ch_dir = os.path.join(d, "clickhouse")
    emu = emulator("warehouse")
    fwd = Forwarder()
    try:
        env = dict(emu.env(), SLUICE_DATA=os.path.join(d, "data"),
                   QUASAR_URL="http://127.0.0.1:%d" % fwd.port)
        p = run(["turbovote", path], env)
        log = open(os.path.join(runs(os.path.join(d, "data"))[-1],
                                "stages.log")).read()
        delivered = log.find("post-rogue: in=")
        report(p.returncode == 69 and p.took < 25 and len(emu.state()[
            "posts"]) > 0 and 0 <= delivered < log.find("post-quasar: in="),
               "warehouse: down at the start, it holds no delivery back "
               "(every post made before post-quasar gave up; %.1f s in all)"
               % p.took, "exit %d in %.1f s: %s" % (p.returncode, p.took,
                                                   log[-800:]))
        lines = p.out.splitlines()
        cmd = [lines[i + 1].strip() for i, x in enumerate(lines)
               if x.endswith("send them with")]
        url = clickhouse("start", ch_dir)
        if not url:
            report(False, "warehouse: ClickHouse starts")
            return
        fwd.open(int(url.rsplit(":", 1)[1]))
        r = subprocess.run(["sh", "-c", cmd[0] if cmd else "false"],
                           capture_output=True, text=True, timeout=120,
                           env=clean_env())
        count = ch_query(url, "SELECT count() FROM raw_turbovote FINAL")
        report(cmd and r.returncode == 0 and count == "60",
               "warehouse: the replay command the summary prints, run as "
               "printed once ClickHouse is up, creates the table and sends "
               "every row", "command %s: exit %d, %s rows: %s" % (
                   cmd, r.returncode, count, r.stderr[-500:]))
    finally:
        fwd.close()
        clickhouse("stop", ch_dir)
        emu.stop()


def test_secret():
    d = scratch("secret")
    path = os.path.join(d, "export.csv")
    tv_csv(path, 150, 17)
    tmp = os.path.join(d, "tmp")
    os.makedirs(tmp, exist_ok=True)
    data = os.path.join(d, "data")
    emu = emulator("secret", "--latency-ms", "10")
    secret = delivery.SECRET.encode()
    try:
        env = dict(emu.env(), SLUICE_DATA=data, TMPDIR=tmp,
                   SLUICE_CONCURRENCY="2")
        p = subprocess.Popen([IMPORT, "--tee-all", "turbovote", path],
                             env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        leaks, seen = set(), set()
        mine = (os.getpid(), emu.proc.pid)
        while p.poll() is None:
            for pid, argv, environ in processes():
                # The script itself was given the secret, and holds it
                # until it has started again without it.
                if pid in mine or (pid == p.pid and
                                   b"SLUICE_IMPORT_SECRETS=" not in environ):
                    continue
                exe = argv.split(b"\0")[0].decode("utf-8", "replace")
                if exe.startswith(BIN + "/"):
                    seen.add(os.path.basename(exe))
                    if b"NORTHSTAR_CLIENT_SECRET=" in environ:
                        leaks.add("%s's environment" % exe)
                if secret in argv:
                    leaks.add("the argv of %d %s" % (pid, exe))
                if secret in environ:
                    leaks.add("the environment of %d %s" % (pid, exe))
            time.sleep(0.01)
        out, err = p.communicate()
        if secret in out + err:
            leaks.add("the output")
        for root, _, names in os.walk(data):
            for n in names:
                with open(os.path.join(root, n), "rb") as f:
                    blob = f.read()
                if n.endswith(".gz"):
                    blob = gzip.decompress(blob)
                if secret in blob:
                    leaks.add(n)
        left = os.listdir(tmp)
        report(p.returncode in (0, 1) and
               {"post-northstar", "post-rogue"} <= seen and not leaks and
               not left,
               "secret: NORTHSTAR_CLIENT_SECRET in no process's environment "
               "or argv (the script's own included), no output, no file; "
               "its file removed at the end",
               "exit %d, stages seen %s, found in %s, left in TMPDIR %s: %s"
               % (p.returncode, sorted(seen), sorted(leaks), left,
                  err.decode()[-400:]))

        # Interrupted: the file goes too. The member ledger forgotten
        # first, so that the import asks Northstar again (a re-run with it
        # sends nothing, and would end before the signal).
        members = os.path.join(data, "state", "turbovote.members")
        os.remove(members)
        p = subprocess.Popen([IMPORT, "turbovote", path], env=env,
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        n = len(emu.requests())
        wait_until(lambda: len(emu.requests()) > n + 5, 30)
        p.send_signal(signal.SIGTERM)
        p.wait(120)
        left = os.listdir(tmp)
        report(p.returncode == 143 and not left,
               "secret: an import interrupted (SIGTERM) exits 143 and "
               "removes the secret's file", "exit %d, left %s" % (
                   p.returncode, left))

        sfile = os.path.join(d, "secret-file")
        with open(sfile, "w") as f:
            f.write(delivery.SECRET + "\n")
        if os.path.exists(members):
            os.remove(members)
        env2 = dict(env, NORTHSTAR_CLIENT_SECRET_FILE=sfile)
        del env2["NORTHSTAR_CLIENT_SECRET"]
        n = len(emu.requests())
        q = run(["turbovote", path], env2)
        tokens = [r for r in emu.requests()[n:]
                  if r["path"] == "/v2/auth/token" and r["status"] == 200]
        report(q.returncode in (0, 1) and tokens,
               "secret: NORTHSTAR_CLIENT_SECRET_FILE alone works",
               "exit %d: %s" % (q.returncode, q.err[-400:]))
    finally:
        emu.stop()


def test_offline():
    d = scratch("offline")
    data = os.path.join(d, "data")
    p = run(["--offline", "turbovote", TV_SAMPLE], clean_env(SLUICE_DATA=data))
    run_dir = (runs(data) or [""])[-1]
    files = sorted(os.listdir(run_dir)) if run_dir else []
    m = re.search(r"^status-map: in=\d+ out=(\d+)", p.err, re.M)
    report(p.returncode == 1 and m and
           len(p.out.splitlines()) == int(m.group(1)) > 1000 and
           {"csv2ndjson.rejects.ndjson", "shape.dropped.ndjson",
            "status-map.rejects.ndjson", "stages.log",
            "summary.txt"} <= set(files) and
           "results.ndjson" not in files and
           not os.path.exists(os.path.join(data, "state")),
           "offline: with no service variable set, the records of "
           "csv2ndjson to status-map on stdout, rejects and dropped in the "
           "run folder, no state", "exit %d, files %s: %s" % (
               p.returncode, files, p.err[-500:]))
    emu = emulator("offline")
    srv, wh_url = serve(Warehouse)
    Warehouse.got = []
    try:
        p = run(["--offline", "turbovote", TV_SAMPLE],
                dict(emu.env(), SLUICE_DATA=data, QUASAR_URL=wh_url))
        report(p.returncode == 1 and not emu.requests() and
               not Warehouse.got,
               "offline: with every service set, not one request",
               "exit %d, %d requests, %d warehouse requests" % (
                   p.returncode, len(emu.requests()), len(Warehouse.got)))
    finally:
        emu.stop()
        srv.shutdown()


def test_usage():
    d = scratch("usage")
    env = clean_env(SLUICE_DATA=os.path.join(d, "data"))
    svc = dict(env, NORTHSTAR_URL="http://127.0.0.1:9",
               ROGUE_URL="http://127.0.0.1:9", NORTHSTAR_CLIENT_ID="x",
               NORTHSTAR_CLIENT_SECRET="y")
    cases = [
        ("unknown vendor: 64, the vendors named", ["nosuch", TV_SAMPLE], env,
         64, "no vendor 'nosuch'", "rock-the-vote, "),
        ("missing file: 66", ["turbovote", os.path.join(d, "nofile.csv")],
         svc, 66, "nofile.csv: no such file", ""),
        ("missing services: 64, each one named", ["turbovote", TV_SAMPLE],
         env, 64, "missing: NORTHSTAR_URL NORTHSTAR_CLIENT_ID "
         "NORTHSTAR_CLIENT_SECRET ROGUE_URL", "QUASAR_URL is optional"),
        ("unknown option: 64", ["--fast", "turbovote", TV_SAMPLE], env, 64,
         "unknown option '--fast'", "try 'pipelines/import.sh --help'"),
        ("no FILE for a vendor without a fetch stage: 64", ["turbovote"],
         svc, 64, "give the turbovote export FILE", ""),
        ("a --cacert that is not there: 64",
         ["--cacert", os.path.join(d, "no.pem"), "turbovote", TV_SAMPLE],
         svc, 64, "no.pem: no such file", ""),
    ]
    for what, args, e, want, msg, msg2 in cases:
        p = run(args, e)
        report(p.returncode == want and msg in p.err and msg2 in p.err and
               not p.out and not runs(os.path.join(d, "data")),
               "usage: " + what, "exit %d: %s" % (p.returncode, p.err))
    p = run(["--help"], env)
    report(p.returncode == 0 and p.out.startswith("usage: ") and
           "Example:" in p.out and "75 another import" in p.out,
           "usage: --help prints the usage, the exit statuses and an "
           "example, exit 0", p.out[-300:])


def test_fetched():
    """A vendor whose export.fetch names a stage, given no file: its last
    report is fetched (Rock the Vote's, from the emulator's report API)
    and imported, one post per registration."""
    sample = os.path.join(ROOT, "vendors/rock-the-vote/sample.csv")
    emu = emulator("fetched", "--rtv-report-csv", sample,
                   "--rtv-report-polls", "1")
    data = scratch("fetched")
    try:
        env = emu.env()
        env.update(RTV_URL=emu.url + "/api/v4", RTV_PARTNER_ID="sluice-partner",
                   RTV_PARTNER_API_KEY="sluice-rtv-key", SLUICE_DATA=data)
        p = run(["rock-the-vote"], env, timeout=300)
        st = emu.state()
        fetched = [os.path.join(r, "export.csv") for r in
                   runs(data, "rock-the-vote")]
        report(p.returncode == 1 and len(st["rtv_reports"]) == 1 and
               len(st["posts"]) == 126 and "csv2ndjson: in=407" in p.out and
               fetched and os.path.exists(fetched[0]),
               "no file: the last 90 minutes' report fetched into the run's "
               "folder and imported (one post per registration)",
               "exit %d, %d posts: %s" % (p.returncode, len(st["posts"]),
                                          p.err[-600:]))
    finally:
        emu.stop()


if __name__ == "__main__":
    TESTS = (test_usage, test_lock, test_run_folders, test_exit_status,
             test_phases, test_encoding, test_cacert, test_warehouse,
             test_secret, test_offline, test_fetched)
    for t in TESTS:
        if sys.argv[4:] and t.__name__[5:] not in sys.argv[4:]:
            continue
        t0 = time.time()
        try:
            t()
        except Exception as e:  # a test that breaks counts as a failure
            report(False, "%s ran to the end" % t.__name__, repr(e))
        if os.environ.get("IMPORT_TIMES"):
            sys.stderr.write("%s: %.1f s\n" % (t.__name__, time.time() - t0))
