"""post-quasar --seen FILE against a real ClickHouse
(tests/servers/clickhouse.sh), through a proxy that counts every request
and can play dead (503). Run by quasar-seen.sh; prints "ok - ..." and
"not ok - ..." lines. Environment: ROOT, BIN, TMPDIR (tests/run.sh).
"""
import hashlib
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.environ["ROOT"]
BIN = os.environ["BIN"]
TMP = os.environ["TMPDIR"]
PQ = os.path.join(BIN, "post-quasar")
CH_SH = os.path.join(ROOT, "tests", "servers", "clickhouse.sh")
servers = []


def check(ok, name, detail=""):
    print(("ok - " if ok else "not ok - ") + "post-quasar --seen: " + name)
    if not ok and detail != "":
        sys.stderr.write("    " + str(detail)[:1500] + "\n")
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


def scalar(url, sql):
    r = urllib.request.Request(url + "/?" + urllib.parse.urlencode(
        {"query": sql}), data=b"", method="POST")
    try:
        with urllib.request.urlopen(r, timeout=60) as f:
            return f.read().decode().strip()
    except (OSError, urllib.error.HTTPError) as e:
        return str(e)


class Proxy(http.server.BaseHTTPRequestHandler):
    """Forwards every request to ClickHouse (target), counting them; with
    down set, answers 503 instead."""
    target, count, down = "", 0, False
    lock = threading.Lock()

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        with Proxy.lock:
            Proxy.count += 1
        if Proxy.down:
            status, data = 503, b"Code: 999. down for the test"
        else:
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
        try:
            self.send_response(status)
            if status == 503:
                self.send_header("Retry-After", "0")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the stage was killed (the kill -9 case)

    do_GET = do_POST

    def log_message(self, *args):
        pass


def export(n, seed=0):
    """n records as csv2ndjson writes them; records 0 to n-1 are the same
    whatever n, so a larger export is a superset."""
    return [json.dumps({"id": "%08d" % (i + seed), "name": "Zoë %d" % i,
                        "_meta": {"source": "seen", "file": "e.csv",
                                  "line": i + 2}},
                       ensure_ascii=False, separators=(",", ":")).encode()
            + b"\n" for i in range(n)]


def run(args, data=b"", timeout=300):
    e = dict(os.environ, SLUICE_PROGRESS="0")
    e.pop("QUASAR_URL", None)
    p = subprocess.run([PQ] + args, input=data, capture_output=True, env=e,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def said(err, name):
    """A count of the summary line: "rows sent", "rows spooled",
    "skipped", "requests"..."""
    m = re.search(r"rows sent=(\d+) spooled=(\d+) batches sent=(\d+) "
                  r"spooled=(\d+) retries=(\d+) skipped=(\d+) "
                  r"requests=(\d+)", err)
    names = ["rows sent", "rows spooled", "batches sent", "batches spooled",
             "retries", "skipped", "requests"]
    if name == "requests" and m is None:
        m = re.search(r"replay: .* requests=(\d+)", err)
        return int(m.group(1)) if m else -1
    return int(m.group(names.index(name) + 1)) if m else -1


def hashes(path):
    with open(path) as f:
        lines = f.read().split("\n")
    return lines[0], [x for x in lines[1:] if x]


def reruns(url, proxy):
    table, ledger = "seen_re", os.path.join(TMP, "seen-re.quasar")
    base = ["--url", proxy, "--table", table, "--create-table",
            "--seen", ledger, "--batch-records", "1000"]
    first = export(3000)
    before = Proxy.count
    rc, out, err = run(base, b"".join(first))
    sent = Proxy.count - before
    check(rc == 0 and out == b"".join(first) and
          said(err, "rows sent") == 3000 and said(err, "skipped") == 0 and
          said(err, "requests") == sent and sent == 6,
          "a first run ships every row: requests=6 (the table made, its "
          "key and its columns checked, 3 batches), as the proxy counted",
          (rc, sent, err))
    head, got = hashes(ledger)
    want = sorted(hashlib.sha256(
        ('"seen"\n' + json.dumps({k: v for k, v in json.loads(x).items()
                                  if k != "_meta"}, ensure_ascii=False,
                                 separators=(",", ":"))).encode())
        .hexdigest()[:32] for x in first)
    check(head == "#sluice-hashes post-quasar table=%s url=%s"
          % (table, proxy) and sorted(got) == want,
          "the ledger names its table and URL, and holds each row's "
          "record_hash (its first 32 digits)", (head, len(got)))
    before = Proxy.count
    rc, out, err = run(base, b"".join(first))
    check(rc == 0 and Proxy.count == before and out == b"".join(first) and
          "rows sent=0 " in err and said(err, "skipped") == 3000 and
          said(err, "requests") == 0 and
          "in=3000 out=3000 dropped=0 rejected=0" in err,
          "a re-run of the same export sends no request at all (not even "
          "the table's) and still passes every record on",
          (rc, Proxy.count - before, err))
    before = Proxy.count
    rc, _, err = run(base + ["--sink"], b"".join(export(4500)))
    sent = Proxy.count - before
    check(rc == 0 and said(err, "rows sent") == 1500 and
          said(err, "skipped") == 3000 and said(err, "requests") == sent and
          sent == 5 and len(hashes(ledger)[1]) == 4500,
          "a superset ships only its 1,500 new rows (2 batches, after the "
          "table's 3 requests)", (rc, sent, err))
    check(scalar(url, "SELECT count() FROM %s" % table) == "4500" and
          scalar(url, "SELECT count() FROM %s FINAL" % table) == "4500",
          "the table holds 4,500 rows, none twice, even without FINAL",
          scalar(url, "SELECT count() FROM %s" % table))
    twice = b"".join(export(10, 90000)) * 2
    rc, _, err = run(base + ["--sink"], twice)
    check(rc == 0 and said(err, "rows sent") == 10 and
          said(err, "skipped") == 10,
          "the same record twice in one run is shipped once", err)


def killed(url, proxy):
    table, ledger = "seen_kill", os.path.join(TMP, "seen-kill.quasar")
    path = os.path.join(TMP, "seen-kill.ndjson")
    n = 200000
    with open(path, "wb") as f:
        f.write(b"".join(export(n)))
    base = ["--url", proxy, "--table", table, "--create-table",
            "--seen", ledger, "--batch-records", "2000", "--sink", path]
    e = dict(os.environ, SLUICE_PROGRESS="0")
    p = subprocess.Popen([PQ] + base, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=e)
    deadline = time.time() + 60
    while time.time() < deadline and p.poll() is None:
        if os.path.exists(ledger) and os.path.getsize(ledger) > 33 * 20000:
            break
        time.sleep(0.005)
    p.kill()
    p.wait()
    _, known = hashes(ledger)
    rows = scalar(url, "SELECT count() FROM %s FINAL" % table)
    check(0 < len(known) < n and int(rows) >= len(known),
          "kill -9 mid-run: the ledger holds only rows the table has "
          "(%d recorded, %s in the table)" % (len(known), rows))
    rc, _, err = run(base)
    check(rc == 0 and said(err, "skipped") == len(known) and
          said(err, "rows sent") == n - len(known),
          "the re-run skips exactly what the ledger holds and ships the "
          "rest", (rc, len(known), err))
    check(scalar(url, "SELECT count() FROM %s FINAL" % table) == str(n) and
          scalar(url, "SELECT uniqExact(record) FROM %s" % table) == str(n),
          "every row is in the table exactly once under FINAL",
          scalar(url, "SELECT count() FROM %s FINAL" % table))
    rc, _, err = run(base)
    check(rc == 0 and said(err, "requests") == 0 and
          said(err, "skipped") == n, "and a third run sends nothing", err)


def replayed(url, proxy):
    table, ledger = "seen_replay", os.path.join(TMP, "seen-replay.quasar")
    sp = os.path.join(TMP, "seen-spool")
    base = ["--url", proxy, "--table", table, "--create-table",
            "--seen", ledger, "--sink", "--batch-records", "500"]
    rc, _, err = run(base, b"".join(export(1000)))
    Proxy.down = True
    try:
        rc, _, err = run(base + ["--spool", sp, "--retries", "1"],
                         b"".join(export(2500)))
    finally:
        Proxy.down = False
    check(rc == 69 and said(err, "rows spooled") == 1500 and
          said(err, "skipped") == 1000 and len(hashes(ledger)[1]) == 1000,
          "ClickHouse down: the 1,500 new rows are spooled, not recorded",
          (rc, err))
    rc, _, err = run(["--replay", sp, "--create-table", "--seen", ledger,
                      "--url", proxy])
    check(rc == 0 and "batches sent=3 rows=1500 left=0" in err and
          said(err, "requests") == 6 and len(hashes(ledger)[1]) == 2500,
          "--replay --seen sends the spool and records its rows (the "
          "table's 3 requests, 3 batches)",
          (rc, err))
    before = Proxy.count
    rc, _, err = run(base, b"".join(export(2500)))
    check(rc == 0 and Proxy.count == before and said(err, "skipped") == 2500
          and scalar(url, "SELECT count() FROM %s FINAL" % table) == "2500",
          "then a re-run sends nothing", (rc, err))


def refused(proxy):
    csv = os.path.join(TMP, "seen-not-a-ledger.csv")
    with open(csv, "w") as f:
        f.write("id,name\n1,Joe\n")
    before = Proxy.count
    rc, _, err = run(["--url", proxy, "--table", "seen_x", "--seen", csv,
                      "--sink"], b"".join(export(3)))
    with open(csv) as f:
        kept = f.read()
    check(rc == 65 and Proxy.count == before and
          "seen-not-a-ledger.csv:1: not a ledger of hashes" in err and
          kept == "id,name\n1,Joe\n",
          "a file that is not a ledger is refused (65), left as it was, "
          "and nothing is sent", (rc, err))
    other = os.path.join(TMP, "seen-re.quasar")
    rc, _, err = run(["--url", proxy, "--table", "seen_other", "--seen",
                      other, "--sink"], b"".join(export(3)))
    check(rc == 65 and "a ledger of post-quasar table=seen_re" in err,
          "so is the ledger of another table", (rc, err))
    rc, _, err = run(["--format", "ndjson", "--url", proxy, "--seen", other],
                     b"")
    check(rc == 64 and "--seen" in err, "--seen with --format ndjson is a "
          "usage error", (rc, err))


def main():
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    d = os.path.join(TMP, "seen-clickhouse")
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
        reruns(url, proxy)
        killed(url, proxy)
        replayed(url, proxy)
        refused(proxy)
    finally:
        if srv:
            srv.shutdown()
        stop_all()


main()
