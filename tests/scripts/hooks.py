"""hook-recv against clients on loopback: every answer it gives, the
journal it keeps, and the import that reads it. Run by hooks.sh; prints
"ok - ..." and "not ok - ..." lines. Environment: ROOT, BIN, TMPDIR.

The receiver serves copies of vendors/callpower and vendors/softedge and a
made-up signed vendor ("signer", Standard Webhooks), from a vendors folder
of the test's own; every server is started on a free port and stopped at
exit, also on failure.
"""
import base64
import hashlib
import hmac
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.environ["ROOT"]
BIN = os.environ["BIN"]
TMP = os.environ["TMPDIR"]
HR = os.path.join(BIN, "hook-recv")
SANITIZED = os.path.basename(os.path.dirname(BIN)) == "build-san"
VENDORS = os.path.join(TMP, "vendors")
CP = "/api/v1/callpower/call"
SE = "/api/v1/softedge/email"
SG = "/hooks/signer"
SECRET_A = "whsec_" + base64.b64encode(b"secret number one, 32 bytes long").decode()
SECRET_B = "whsec_" + base64.b64encode(b"the second secret, for rotation!").decode()

procs = []
failures = 0


def check(ok, name, detail=""):
    global failures
    print(("ok - " if ok else "not ok - ") + "hook-recv: " + name)
    if not ok:
        failures += 1
        if detail != "":
            sys.stderr.write("    " + str(detail)[:1500] + "\n")
    sys.stdout.flush()
    return ok


def stop_all(*_):
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    procs.clear()


def on_signal(sig, _frame):
    stop_all()
    sys.exit(128 + sig)


def vendors():
    os.makedirs(VENDORS, exist_ok=True)
    for v in ("callpower", "softedge"):
        shutil.copytree(os.path.join(ROOT, "vendors", v),
                        os.path.join(VENDORS, v), dirs_exist_ok=True)
    os.makedirs(os.path.join(VENDORS, "signer"), exist_ok=True)
    signer = {
        "export": {"source": "signer", "receive": True},
        "pipeline": ["shape", "status-map"],
        "receive": {"path": SG, "content_types": ["json"],
                    "signature": {"secrets": "SIGNER_SECRETS"},
                    "fields": {"n": "integer"}},
        "shape": {"typed": True, "columns": ["n"],
                  "record": {"n": {"column": "n"}, "status": {"const": "ok"}}},
        "rank": ["ok"], "default": "keep",
    }
    with open(os.path.join(VENDORS, "signer", "vendor.json"), "w") as f:
        json.dump(signer, f)


KEYS_FILE = os.path.join(TMP, "softedge.keys")


def env():
    e = dict(os.environ)
    e["SLUICE_VENDORS"] = VENDORS
    e["CALLPOWER_API_KEYS"] = "old-key, new-key"
    e["SOFTEDGE_API_KEYS_FILE"] = KEYS_FILE
    e["SIGNER_SECRETS"] = SECRET_A + " " + SECRET_B
    return e


class Server:
    def __init__(self, journal, *args):
        self.journal = journal
        self.err = open(os.path.join(TMP, "hook-recv-%d.err" % len(procs)), "w+")
        self.p = subprocess.Popen(
            [HR, "--listen", "127.0.0.1:0", "--journal", journal] + list(args),
            env=env(), stdout=subprocess.DEVNULL, stderr=self.err)
        procs.append(self.p)
        self.port = None
        deadline = time.time() + 20
        while time.time() < deadline and self.p.poll() is None:
            self.err.seek(0)
            for line in self.err.read().splitlines():
                if "listening on" in line:
                    self.port = int(line.split("port ")[1].split(",")[0])
            if self.port:
                break
            time.sleep(0.02)

    def stop(self, sig=signal.SIGTERM):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            return self.p.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return self.p.wait()

    def stderr(self):
        self.err.seek(0)
        return self.err.read()


def request(port, path, body=b"", headers=None, method="POST", timeout=10):
    """Returns (status, headers dict, body bytes), or (0, {}, error)."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    except (OSError, http.client.HTTPException) as e:
        return 0, {}, str(e).encode()
    finally:
        c.close()


def call(i=0, **over):
    c = {"mobile": "+1555%07d" % i, "callpower_campaign_id": 12,
         "status": "completed", "call_timestamp": "2019-03-01 10:00:00",
         "call_duration": 35, "campaign_target_name": "Sen. X",
         "campaign_target_title": "Senator",
         "callpower_campaign_name": "Save the Bees",
         "number_dialed_into": "+15550001111"}
    c.update(over)
    return {k: v for k, v in c.items() if v is not None}


def post_call(port, c, key="new-key", header="X-DS-CallPower-API-Key",
              ctype="application/json", extra=None):
    h = {"Content-Type": ctype}
    if key is not None:
        h[header] = key
    h.update(extra or {})
    return request(port, CP, json.dumps(c).encode(), h)


def records(journal, vendor):
    """Every record of a vendor's journal, closed segments and open."""
    d = os.path.join(journal, vendor)
    out = []
    if not os.path.isdir(d):
        return out
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as f:
            for line in f:
                out.append(json.loads(line))
    return out


def signed(port, body, secret=SECRET_A, ts=None, wid="msg_1", sig=None):
    ts = str(int(time.time()) if ts is None else ts)
    key = base64.b64decode(secret[len("whsec_"):])
    mac = hmac.new(key, ("%s.%s." % (wid, ts)).encode() + body,
                   hashlib.sha256).digest()
    h = {"Content-Type": "application/json", "webhook-id": wid,
         "webhook-timestamp": ts,
         "webhook-signature": sig or "v1," + base64.b64encode(mac).decode()}
    return request(port, SG, body, h)


# --- the statuses -------------------------------------------------------

def statuses():
    j = os.path.join(TMP, "j-statuses")
    s = Server(j, "--max-body", "4096")
    if not check(s.port is not None, "starts and says its port", s.stderr()):
        return
    p = s.port
    st, _, body = post_call(p, call(1))
    check(st == 200 and body == b"", "a call: 200, an empty body", (st, body))
    st, _, _ = post_call(p, call(2), key="old-key",
                         header="X-DS-Importer-API-Key")
    check(st == 200, "the other key header, the other key (rotation)", st)
    form = "&".join("%s=%s" % (k, str(v).replace("+", "%2B").replace(" ", "+"))
                    for k, v in call(3).items())
    st, _, _ = request(p, CP, form.encode(), {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-DS-CallPower-API-Key": "new-key"})
    check(st == 200, "form-encoded: 200", st)
    n = len(records(j, "callpower"))
    check(n == 3, "three calls, three records", n)
    recs = records(j, "callpower")
    check(recs and recs[2]["callpower_campaign_id"] == 12 and
          recs[2]["call_duration"] == 35 and recs[2]["mobile"] == "+15550000003",
          "a form's integers stored as integers", recs[2:])
    m = recs[0]["_meta"] if recs else {}
    check(m.get("source") == "callpower" and m.get("route") == CP and
          m.get("remote") == "127.0.0.1" and m.get("request_id", "").startswith("key:")
          and m.get("received_at", "").endswith("Z"),
          "_meta: source, route, remote, request id, receipt time", m)

    st, _, _ = post_call(p, call(1))
    check(st == 200 and len(records(j, "callpower")) == 3,
          "a duplicate (the vendor's key): same 200, not written again", st)
    st, _, _ = post_call(p, call(4), extra={"Idempotency-Key": "abc-1"})
    st2, _, _ = post_call(p, call(5), extra={"Idempotency-Key": "abc-1"})
    check(st == 200 and st2 == 200 and len(records(j, "callpower")) == 4,
          "a duplicate Idempotency-Key: same 200, not written again")

    before = len(records(j, "callpower"))
    st, h, body = post_call(p, call(6), key="wrong")
    check(st == 401, "a wrong key: 401", st)
    st, _, _ = post_call(p, call(6), key=None)
    check(st == 401, "no key: 401", st)
    st, _, _ = post_call(p, call(6), key="new-key",
                         header="X-DS-SoftEdge-API-Key")
    check(st == 401, "a key in a header the route does not take: 401", st)
    st, _, _ = request(p, "/api/v1/nope", b"{}", {"Content-Type": "application/json"})
    check(st == 404, "an unknown path: 404", st)
    st, _, _ = request(p, CP, method="GET", headers={"X-DS-CallPower-API-Key": "new-key"})
    check(st == 405, "GET: 405", st)
    st, _, _ = post_call(p, call(6), ctype="text/plain")
    check(st == 415, "text/plain: 415", st)
    st, _, _ = post_call(p, call(6), ctype="application/json; charset=utf-8")
    check(st == 200, "application/json with a charset: 200", st)
    before += 1
    st, _, body = post_call(p, call(7, call_duration="long", mobile=None,
                                    call_timestamp="2019-02-30"))
    try:
        errs = json.loads(body)["errors"]
    except (ValueError, KeyError):
        errs = {}
    check(st == 422 and sorted(errs) == ["call_duration", "call_timestamp", "mobile"]
          and errs["mobile"] == ["is required"]
          and errs["call_duration"] == ["must be an integer"],
          "422 names each field and what is wrong", (st, body))
    st, _, body = post_call(p, call(8, campaign_target_district=None))
    check(st == 200, "the optional district absent: 200", (st, body))
    st, _, body = post_call(p, call(9, campaign_target_district="CA-12",
                                    status_details="busy"))
    check(st == 200, "the optional fields present: 200", (st, body))
    before += 2
    st, _, _ = request(p, CP, b"[1,2]", {"Content-Type": "application/json",
                                         "X-DS-CallPower-API-Key": "new-key"})
    check(st == 400, "a body that is not an object: 400", st)
    st, _, _ = request(p, CP, b'{"a":1,"a":2}', {"Content-Type": "application/json",
                                                 "X-DS-CallPower-API-Key": "new-key"})
    check(st == 400, "a key given twice: 400", st)
    st, _, _ = request(p, CP, b"x" * 5000, {"Content-Type": "application/json",
                                            "X-DS-CallPower-API-Key": "new-key"})
    check(st == 413, "a body over --max-body: 413", st)
    # A declared 10 MB body: answered before it is sent.
    sk = socket.create_connection(("127.0.0.1", p), timeout=5)
    sk.sendall(b"POST " + CP.encode() + b" HTTP/1.1\r\nHost: x\r\n"
               b"Content-Type: application/json\r\nX-DS-CallPower-API-Key: new-key\r\n"
               b"Content-Length: 10000000\r\n\r\n{")
    try:
        got = sk.recv(200)
    except OSError:
        got = b""
    sk.close()
    check(got.startswith(b"HTTP/1.1 413"), "413 without reading the body", got)
    # Chunked past the limit: cut off, nothing written.
    sk = socket.create_connection(("127.0.0.1", p), timeout=5)
    sk.sendall(b"POST " + CP.encode() + b" HTTP/1.1\r\nHost: x\r\n"
               b"Content-Type: application/json\r\nX-DS-CallPower-API-Key: new-key\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n")
    closed = False
    try:
        for _ in range(20):
            sk.sendall(b"400\r\n" + b" " * 1024 + b"\r\n")
        sk.settimeout(5)
        closed = sk.recv(200)[:12] in (b"", b"HTTP/1.1 413")
    except OSError:
        closed = True
    sk.close()
    check(closed, "a chunked body past the limit: cut off")
    check(len(records(j, "callpower")) == before,
          "nothing refused was written", (len(records(j, "callpower")), before))

    # The same through curl, as a partner's shell would send them.
    if shutil.which("curl"):
        url = "http://127.0.0.1:%d%s" % (p, CP)
        codes = []
        for hdr in (["-H", "X-DS-CallPower-API-Key: old-key"],
                    ["-H", "X-DS-CallPower-API-Key: nope"], []):
            out = subprocess.run(
                ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                 "-H", "Content-Type: application/json"] + hdr +
                ["--data-binary", json.dumps(call(60)), url],
                capture_output=True, text=True, timeout=30)
            codes.append(out.stdout)
        out = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
             "-H", "X-DS-CallPower-API-Key: old-key", "-F", "mobile=1", url],
            capture_output=True, text=True, timeout=30)
        codes.append(out.stdout)
        check(codes == ["200", "401", "401", "415"],
              "curl: 200, a wrong key 401, no key 401, multipart 415", codes)
        before += 1
    else:
        print("skip - hook-recv: curl: not installed")

    # SoftEdge: its key from a file, its answer.
    st, _, body = request(p, SE, json.dumps({
        "northstar_id": "5c1a2b3c4d5e6f7a8b9c0d1e", "action_id": "7",
        "email_timestamp": "2019-05-01T10:00:00Z",
        "campaign_target_name": "Rep. Y"}).encode(),
        {"Content-Type": "application/json", "X-DS-SoftEdge-API-Key": "se-key"})
    check(st == 200 and json.loads(body) == {"success": True},
          "SoftEdge: its key from a file, {\"success\": true}", (st, body))

    # Signatures.
    b = b'{"n":1}'
    st, _, _ = signed(p, b)
    check(st == 200, "a signed request: 200", st)
    st, _, _ = signed(p, b'{"n":2}', secret=SECRET_B, wid="msg_2")
    check(st == 200, "signed with the second secret (rotation): 200", st)
    st, _, _ = signed(p, b'{"n":3}', wid="msg_3", sig="v1," + base64.b64encode(b"x" * 32).decode())
    check(st == 401, "a bad signature: 401", st)
    st, _, _ = signed(p, b'{"n":4}', wid="msg_4", ts=int(time.time()) - 600)
    check(st == 401, "a signature ten minutes old: 401", st)
    st, _, _ = signed(p, b'{"n":5}', wid="msg_5", ts=int(time.time()) + 600)
    check(st == 401, "a signature ten minutes ahead: 401", st)
    st, _, _ = request(p, SG, b'{"n":6}', {"Content-Type": "application/json"})
    check(st == 401, "no signature: 401", st)
    st, _, _ = signed(p, b'{"n":1}', secret=SECRET_B)
    check(st == 200 and len(records(j, "signer")) == 2,
          "the same webhook-id again: 200, not written again",
          (st, len(records(j, "signer"))))

    # A slow client: one byte a second is cut off by --request-timeout.
    s.stop()
    s2 = Server(j, "--request-timeout", "2", "--timeout", "3")
    sk = socket.create_connection(("127.0.0.1", s2.port), timeout=10)
    sk.sendall(b"POST " + CP.encode() + b" HTTP/1.1\r\nHost: x\r\n"
               b"Content-Type: application/json\r\nX-DS-CallPower-API-Key: new-key\r\n"
               b"Content-Length: 100\r\n\r\n")
    t0 = time.time()
    cut = False
    try:
        for _ in range(15):
            sk.sendall(b" ")
            time.sleep(1)
    except OSError:
        cut = True
    if not cut:
        try:
            sk.settimeout(1)
            cut = sk.recv(100) == b""
        except OSError:
            cut = True
    sk.close()
    check(cut and time.time() - t0 < 8, "a client sending a byte a second: cut off",
          time.time() - t0)
    # An idle connection, no request: closed by --timeout.
    sk = socket.create_connection(("127.0.0.1", s2.port), timeout=10)
    t0 = time.time()
    try:
        gone = sk.recv(10) == b""
    except OSError:
        gone = True
    check(gone and time.time() - t0 < 6, "an idle connection closed by --timeout",
          time.time() - t0)
    sk.close()
    rc = s2.stop()
    check(rc == 0, "SIGTERM: exit 0", (rc, s2.stderr()))
    names = os.listdir(os.path.join(j, "callpower"))
    check(names and all(n.endswith(".ndjson") for n in names),
          "SIGTERM closes the open segment", names)
    check("new-key" not in s2.stderr() and "old-key" not in s.stderr(),
          "no key in the log")

    # After a restart, the ids are still known.
    s3 = Server(j)
    n = len(records(j, "callpower"))
    st, _, _ = post_call(s3.port, call(1))
    check(st == 200 and len(records(j, "callpower")) == n,
          "after a restart a duplicate is still one", (st, n))
    s3.stop()


def crowded():
    j = os.path.join(TMP, "j-crowded")
    s = Server(j, "--max-connections", "4")
    socks = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(6)]
    time.sleep(0.3)
    st, h, _ = post_call(s.port, call(1))
    check(st == 503 and h.get("Retry-After") == "1",
          "past --max-connections: 503 with Retry-After", (st, h))
    for k in socks:
        k.close()
    time.sleep(0.3)
    st, _, _ = post_call(s.port, call(1))
    check(st == 200, "and 200 again once they are closed", st)
    s.stop()
    s = Server(j, "--backlog", "10")
    st, h, _ = post_call(s.port, call(2))
    check(st == 503 and h.get("Retry-After") == "1",
          "past the journal's backlog: 503 with Retry-After", (st, h))
    s.stop()
    check(len(records(j, "callpower")) == 1, "refused, not written")


def concurrent():
    j = os.path.join(TMP, "j-concurrent")
    s = Server(j)
    n = 500
    socks = []
    for i in range(n):
        socks.append(socket.create_connection(("127.0.0.1", s.port), timeout=30))
    reqs = []
    for i, sk in enumerate(socks):
        b = json.dumps(call(i)).encode()
        reqs.append(b"POST " + CP.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/json\r\nX-DS-CallPower-API-Key: new-key\r\n"
                    b"Connection: close\r\nContent-Length: " + str(len(b)).encode() +
                    b"\r\n\r\n" + b)
    for sk, r in zip(socks, reqs):
        sk.sendall(r)
    ok = 0
    for sk in socks:
        try:
            if sk.recv(20).startswith(b"HTTP/1.1 200"):
                ok += 1
        except OSError:
            pass
        sk.close()
    check(ok == n, "500 connections at once: 500 answered 200", ok)
    st = s.stop()
    recs = records(j, "callpower")
    check(len(recs) == n and "flushes=" in s.stderr(),
          "500 records, fewer flushes than records (group commit)",
          s.stderr().splitlines()[-1:])
    try:
        fl = int(s.stderr().split("flushes=")[1].split()[0])
    except (IndexError, ValueError):
        fl = n
    check(fl < n, "group commit: %d flushes for %d records" % (fl, n), fl)


def killed():
    """kill -9 under load; a client retries what was not answered 2xx."""
    j = os.path.join(TMP, "j-killed")
    state = {"server": Server(j, "--segment-age", "1"), "stop": False}
    acked = set()
    refused = set()
    lock = threading.Lock()

    def client(t):
        i = 0
        while not state["stop"]:
            i += 1
            c = call(t * 100000 + i)
            bad = i % 10 == 0  # every tenth: refused, never to be written
            if bad:
                c.pop("mobile")
            while not state["stop"]:
                port = state["server"].port
                st, _, _ = post_call(port, c) if port else (0, 0, 0)
                if st == 200:
                    with lock:
                        acked.add(c["mobile"])
                    break
                if st == 422:
                    with lock:
                        refused.add(t * 100000 + i)
                    break
                time.sleep(0.01)  # not answered: keep the copy, retry

    threads = [threading.Thread(target=client, args=(t,)) for t in range(16)]
    for t in threads:
        t.start()
    rng = random.Random(int(os.environ.get("SLUICE_FAULT_SEED", "0")) or None)
    for _ in range(5):
        time.sleep(rng.uniform(0.3, 1.2))
        state["server"].stop(signal.SIGKILL)
        state["server"] = Server(j, "--segment-age", "1")
    time.sleep(0.5)
    state["stop"] = True
    for t in threads:
        t.join()
    rc = state["server"].stop()
    recs = records(j, "callpower")
    mobiles = [r.get("mobile") for r in recs]
    missing = [m for m in acked if m not in set(mobiles)]
    dup = len(mobiles) - len(set(mobiles))
    check(len(acked) > 100 and not missing,
          "SIGKILL five times: every request answered 200 is in the journal "
          "(%d)" % len(acked), missing[:5])
    check(dup == 0, "each exactly once", dup)
    check(all(m is not None for m in mobiles),
          "nothing refused is (%d refused)" % len(refused))
    check(rc == 0, "the last one stops with 0", rc)
    return j


def imported(j):
    """The journal read by shape and by import.sh."""
    segs = sorted(os.listdir(os.path.join(j, "callpower")))
    out = subprocess.run([os.path.join(BIN, "shape"), "--vendor", "callpower"] +
                         [os.path.join(j, "callpower", x) for x in segs],
                         env=env(), capture_output=True, text=True)
    recs = [json.loads(x) for x in out.stdout.splitlines()]
    check(out.returncode == 0 and recs and all(
        r["type"] == "phone-call" and isinstance(r["callpower_campaign_id"], int)
        and r["source_details"] == "CallPower" for r in recs),
        "shape reads the journal's typed records", out.stderr[-500:])
    data = os.path.join(TMP, "data")
    e = env()
    e["SLUICE_DATA"] = data
    e["SLUICE_JOURNAL"] = j
    out = subprocess.run([os.path.join(ROOT, "pipelines", "import.sh"),
                          "--offline", "callpower"], env=e,
                         capture_output=True, text=True)
    recs = [json.loads(x) for x in out.stdout.splitlines()]
    check(out.returncode == 0 and recs and
          {r["status"] for r in recs} <= {"accepted", "incomplete"} and
          sorted(os.listdir(os.path.join(j, "callpower"))) == segs,
          "import.sh --offline callpower: the journal shaped and mapped, "
          "left in place", out.stderr[-800:])
    # The journal import of a vendor with no service in its pipeline (the
    # signer): segments read once, then removed, the ledger emptied.
    sj = os.path.join(TMP, "j-signer")
    s = Server(sj, "--vendor", "signer")
    for i in range(5):
        signed(s.port, json.dumps({"n": i}).encode(), wid="id-%d" % i)
    s.stop()
    e["SLUICE_JOURNAL"] = sj
    out = subprocess.run([os.path.join(ROOT, "pipelines", "import.sh"), "signer"],
                         env=e, capture_output=True, text=True)
    res = []
    for root, _, files in os.walk(os.path.join(data, "runs", "signer")):
        if "results.ndjson" in files:
            with open(os.path.join(root, "results.ndjson")) as f:
                res += [json.loads(x) for x in f]
    check(out.returncode == 0 and sorted(r["n"] for r in res) == list(range(5)) and
          os.listdir(os.path.join(sj, "signer")) == [],
          "import.sh signer: every record once, the segments removed",
          (out.returncode, out.stdout[-800:], out.stderr[-800:]))
    ledger = os.path.join(data, "state", "signer-journal.ledger")
    check(os.path.exists(ledger) and os.path.getsize(ledger) == 0,
          "the journal's ledger emptied once they are gone")
    # A crash after the ledger was written, before the removal: the next
    # run removes what it names, and imports nothing twice.
    s = Server(sj, "--vendor", "signer")
    signed(s.port, b'{"n":9}', wid="id-9")
    s.stop()
    seg = sorted(os.listdir(os.path.join(sj, "signer")))
    with open(ledger, "w") as f:
        f.write("\n".join(seg) + "\n")
    out = subprocess.run([os.path.join(ROOT, "pipelines", "import.sh"), "signer"],
                         env=e, capture_output=True, text=True)
    check(out.returncode == 0 and "shape: in=0 " in out.stdout and
          os.listdir(os.path.join(sj, "signer")) == [],
          "a segment the ledger names is removed, not imported again",
          out.stdout[-600:])


def main():
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    vendors()
    with open(KEYS_FILE, "w") as f:
        f.write("se-key\n")
    try:
        statuses()
        crowded()
        concurrent()
        j = killed()
        imported(j)
        out = subprocess.run([HR, "--vendor", "callpower"], env={
            "PATH": os.environ.get("PATH", ""), "SLUICE_VENDORS": VENDORS},
            capture_output=True, text=True, timeout=10)
        check(out.returncode == 64 and "CALLPOWER_API_KEYS" in out.stderr,
              "no keys: 64, naming the variable", out.stderr)
    finally:
        stop_all()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
