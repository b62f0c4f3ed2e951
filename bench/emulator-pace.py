#!/usr/bin/env python3
"""bench/emulator-pace.py: does the emulator keep its pace as its data grows?

For each size N (default 1000 10000 100000 300000) it starts
tests/servers/emulator.py on a fresh database file with --seed-users N
--seed-posts N (every record stored by the code a request takes), then one
client on one kept-alive connection, one request at a time, measures:

  user creates   POST /v2/users, a new email and mobile each
  post creates   POST /api/v3/posts, a new member each (so a new signup)
  user lookups   GET /v2/email/{email}, GET /v2/mobile/{mobile} and
                 GET /v2/users/{id} of seeded users, in turn
  post lookups   GET /api/v3/posts?filter[action_id]=954&filter[type]=
                 voter-reg&filter[northstar_id]=10 seeded members&limit=100
                 (post-rogue's batched lookup)

(the four in turn, --runs times, keeping the best of each, as the machine's
load comes and goes) and prints a table of requests/s, each against its rate
at the smallest size (the target: creates within 20% at 300,000), then the
emulator's CPU time a request the same way. Numbers, not a test: it never
fails on them. The report also goes to bench/out/emulator-pace.md.

usage: bench/emulator-pace.py [--sizes "1000 10000 100000 300000"]
                              [--requests 2000] [--runs 3] [--emulator PATH]
"""
import argparse
import http.client
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EMULATOR = DEFAULT_EMULATOR = os.path.join(ROOT, "tests", "servers",
                                           "emulator.py")
SECRET = "sluice-secret"


def start(db, n, errpath):
    err = open(errpath, "ab")
    proc = subprocess.Popen(
        [sys.executable, EMULATOR, "--port", "0", "--db", db,
         "--seed-users", str(n), "--seed-posts", str(n)],
        stdout=subprocess.PIPE, stderr=err)
    err.close()
    line = []
    reader = threading.Thread(
        target=lambda: line.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(1800)
    if not line or not line[0].strip().isdigit():
        stop(proc)
        raise RuntimeError("the emulator printed no port (see %s)" % errpath)
    return proc, int(line[0])


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout:
        proc.stdout.close()


class Conn:
    def __init__(self, port):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.token = None

    def call(self, method, path, body=None):
        hdrs = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body)
            hdrs["Content-Type"] = "application/json"
        if self.token:
            hdrs["Authorization"] = "Bearer " + self.token
        self.c.request(method, path, data, hdrs)
        resp = self.c.getresponse()
        return resp.status, json.loads(resp.read() or b"null")


def seed_mobile(n):
    # The emulator's seeded mobiles (tests/servers/emulator.py seed_mobile).
    return "%%2B1201%03d%04d" % (200 + n // 10000, n % 10000)


def cpu_seconds(pid):
    """User + system CPU time of a process so far (Linux /proc)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf(
            "SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def timed(pid, requests, fn):
    """(requests/s, emulator CPU ms a request) of fn(i), i < requests."""
    c0, t0 = cpu_seconds(pid), time.perf_counter()
    for i in range(requests):
        fn(i)
    wall = time.perf_counter() - t0
    return requests / wall, 1000.0 * (cpu_seconds(pid) - c0) / requests


def measure(pid, port, n, requests, runs):
    c = Conn(port)
    status, body = c.call("POST", "/v2/auth/token", {
        "grant_type": "client_credentials", "client_id": "sluice-test",
        "client_secret": SECRET})
    assert status == 200, body
    c.token = body["access_token"]
    rng = random.Random(n)
    picks = [rng.randrange(n) for _ in range(requests)]
    ids = {}

    def expect(want, got, what):
        if got[0] != want:
            raise RuntimeError("%s: %s %r" % (what, got[0], got[1]))
        return got[1]

    def user_create(i):
        expect(201, c.call("POST", "/v2/users", {
            "email": "pace-%d@example.org" % i,
            "mobile": "+1303%03d%04d" % (200 + i // 10000, i % 10000),
            "first_name": "Pace", "sms_status": "active"}), "user create")

    def post_create(i):
        expect(201, c.call("POST", "/api/v3/posts", {
            "action_id": 954, "type": "voter-reg",
            "northstar_id": "%024x" % (0xbe00000000 + i),
            "status": "register-form", "source": "pace",
            "details": '{"i":%d}' % i}), "post create")

    def user_lookup(i):
        k = picks[i]
        if i % 3 == 0:
            body = expect(200, c.call("GET", "/v2/email/seed-%d%%40example.org"
                                      % k), "lookup by email")
            ids[k] = body["data"]["id"]
        elif i % 3 == 1:
            expect(200, c.call("GET", "/v2/mobile/" + seed_mobile(k // 2)),
                   "lookup by mobile")
        else:
            k = picks[i - 2]
            expect(200, c.call("GET", "/v2/users/" + ids[k]), "lookup by id")

    members = list(ids.values())

    def post_lookup(i):
        batch = [members[(i * 10 + j) % len(members)] for j in range(10)]
        body = expect(200, c.call(
            "GET", "/api/v3/posts?filter[action_id]=954&filter[type]="
            "voter-reg&filter[northstar_id]=%s&limit=100" % ",".join(batch)),
            "post lookup")
        if len(body["data"]) < 10:
            raise RuntimeError("post lookup: %d posts" % len(body["data"]))

    rates = {}
    for run in range(runs):
        base = run * requests  # each run creates records of its own
        for kind, fn in (
                ("user creates", lambda i: user_create(base + i)),
                ("post creates", lambda i: post_create(base + i)),
                ("user lookups", user_lookup),
                ("post lookups", post_lookup)):
            if kind == "post lookups" and not members:
                members.extend(ids.values())
            rate, cpu = timed(pid, requests, fn)
            best = rates.get(kind, (0.0, float("inf")))
            rates[kind] = (max(best[0], rate), min(best[1], cpu))
    c.c.close()
    return rates


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000 10000 100000 300000")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--emulator", default=DEFAULT_EMULATOR,
                    help="another emulator.py to measure (one with the "
                         "seed options)")
    opts = ap.parse_args()
    global EMULATOR
    EMULATOR = os.path.abspath(opts.emulator)
    sizes = [int(s) for s in opts.sizes.split()]
    tmp = tempfile.mkdtemp(prefix="emulator-pace.")
    kinds = ("user creates", "post creates", "user lookups", "post lookups")
    rows = []
    try:
        for n in sizes:
            db = os.path.join(tmp, "emu-%d.db" % n)
            t0 = time.perf_counter()
            proc, port = start(db, n, os.path.join(tmp, "emulator.err"))
            seed_s = time.perf_counter() - t0
            try:
                rates = measure(proc.pid, port, n, opts.requests,
                                opts.runs)
            finally:
                stop(proc)
            rows.append((n, seed_s, rates))
            print("# %d records: seeded in %.1f s, %s" % (
                n, seed_s, ", ".join("%s %.0f/s %.3f ms" % (
                    (k,) + rates[k]) for k in kinds)),
                  file=sys.stderr, flush=True)
            os.unlink(db)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    base = rows[0][2]
    out = []
    out.append("# The emulator's pace as its data grows (%s)" %
               time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    out.append("")
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    out.append("`bench/emulator-pace.py --sizes \"%s\" --requests %d "
               "--runs %d%s`, %d "
               "CPUs, %s, Python %s; one client, one kept-alive "
               "connection, one request at a time; a fresh database file "
               "per size, seeded with N users and N posts (one signup "
               "each); each kind of request measured in turn, the best of "
               "the runs. Requests/s; in brackets, against the smallest "
               "size."
               % (opts.sizes, opts.requests, opts.runs,
                  "" if opts.emulator == DEFAULT_EMULATOR else
                  " --emulator " + opts.emulator, os.cpu_count(), cpu,
                  platform.python_version()))
    out.append("")
    out.append("| records | seed (s) | " + " | ".join(kinds) + " |")
    out.append("|---:|---:|" + "---:|" * len(kinds))
    for n, seed_s, rates in rows:
        out.append("| %d | %.1f | " % (n, seed_s) + " | ".join(
            "%.0f (%.0f%%)" % (rates[k][0], 100.0 * rates[k][0] / base[k][0])
            for k in kinds) + " |")
    out.append("")
    out.append("The emulator's CPU time (user + system, from /proc) a "
               "request, in ms: steadier than requests/s on a shared "
               "machine.")
    out.append("")
    out.append("| records | " + " | ".join(kinds) + " |")
    out.append("|---:|" + "---:|" * len(kinds))
    for n, seed_s, rates in rows:
        out.append("| %d | " % n + " | ".join(
            "%.3f (%.0f%%)" % (rates[k][1], 100.0 * rates[k][1] / base[k][1])
            for k in kinds) + " |")
    out.append("")
    text = "\n".join(out)
    print(text)
    os.makedirs(os.path.join(ROOT, "bench", "out"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "out", "emulator-pace.md"),
              "w") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
