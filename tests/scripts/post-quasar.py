"""post-quasar against a real ClickHouse (tests/servers/clickhouse.sh) and a
fake HTTP endpoint. Run by post-quasar.sh; prints "ok - ..." and
"not ok - ..." lines. Environment: ROOT, BIN, TMPDIR (tests/run.sh).
"""
import gzip
import hashlib
import http.server
import json
import os
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
SANITIZED = os.path.basename(os.path.dirname(BIN)) == "build-san"

servers = []  # the directories of servers started, to stop at exit


def check(ok, name, detail=""):
    print(("ok - " if ok else "not ok - ") + "post-quasar: " + name)
    if not ok and detail != "":
        sys.stderr.write("    " + str(detail)[:1500] + "\n")
    sys.stdout.flush()
    return ok


# --- the server --------------------------------------------------------

def ch_start(d):
    p = subprocess.run(["sh", CH_SH, "start", d], capture_output=True,
                       text=True, timeout=120)
    if p.returncode != 0:
        sys.stderr.write(p.stderr)
        return None
    if d not in servers:
        servers.append(d)
    return p.stdout.strip()


def ch_stop(d):
    subprocess.run(["sh", CH_SH, "stop", d], capture_output=True,
                   timeout=120)


def stop_all(*_):
    for d in servers:
        ch_stop(d)
    servers.clear()


def on_signal(sig, _frame):
    stop_all()
    sys.exit(128 + sig)


def query(url, sql, body=None, headers=None):
    """POSTs sql (with body); returns (status, bytes)."""
    r = urllib.request.Request(
        url + "/?" + urllib.parse.urlencode({"query": sql}),
        data=body if body is not None else b"", headers=headers or {},
        method="POST")
    try:
        with urllib.request.urlopen(r, timeout=60) as f:
            return f.status, f.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError as e:
        return 0, str(e).encode()


def scalar(url, sql):
    st, out = query(url, sql)
    return out.decode().strip() if st == 200 else "HTTP %d: %s" % (st, out)


def wait_for(url, sql, want, seconds=20):
    deadline = time.time() + seconds
    got = None
    while time.time() < deadline:
        got = scalar(url, sql)
        if got == want:
            return True
        time.sleep(0.1)
    sys.stderr.write("    waited for %s = %s, got %s\n" % (sql, want, got))
    return False


class RowBinary:
    """A reader of RowBinary columns from bytes: take(n) for n fixed bytes
    (FixedString), number(n) for an n-byte little-endian integer, string()
    for a String (a LEB128 length, then its bytes). IndexError when the
    bytes end before the column does."""

    def __init__(self, data):
        self.data, self.at = data, 0

    def more(self):
        return self.at < len(self.data)

    def take(self, n):
        if self.at + n > len(self.data):
            raise IndexError
        self.at += n
        return self.data[self.at - n:self.at]

    def number(self, n):
        return int.from_bytes(self.take(n), "little")

    def string(self):
        n = shift = 0
        while True:
            c = self.take(1)[0]
            n |= (c & 0x7f) << shift
            shift += 7
            if not c & 0x80:
                return self.take(n)


def rows(url, table, final=True):
    """(source, file, line, record bytes, record_hash) of every row, via
    RowBinary."""
    st, out = query(url, "SELECT source, file, line, record, record_hash "
                    "FROM %s%s FORMAT RowBinary"
                    % (table, " FINAL" if final else ""))
    if st != 200:
        raise RuntimeError("HTTP %d: %s" % (st, out[:300]))
    got, r = [], RowBinary(out)
    while r.more():
        source, file, line = r.string(), r.string(), r.number(8)
        record = r.string()
        got.append((source.decode(), file.decode(), line, record,
                    r.take(64).decode()))
    return got


def identity(line):
    """The record_hash of an NDJSON line (bytes), as post-quasar computes
    it: SHA-256 of the source as JSON, a newline, and the record without
    _meta as compact JSON. Python writes JSON as jansson does for the
    records here (no control characters but \\t and \\n, no reals)."""
    rec = json.loads(line)
    source = rec.pop("_meta", {}).get("source", "")
    text = json.dumps(source, ensure_ascii=False) + "\n" + json.dumps(
        rec, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def digest(records):
    h = hashlib.sha256()
    for r in sorted(records):
        h.update(len(r).to_bytes(8, "little") + r)
    return h.hexdigest()


def rowbinary(body):
    """The raw layout's RowBinary rows (source, record_hash, file, line,
    imported_at, record) read back, each a tuple of bytes and ints; None
    when the body is not whole rows of it."""
    out, r = [], RowBinary(body)
    try:
        while r.more():
            out.append((r.string(), r.take(64), r.string(), r.number(8),
                        r.number(4), r.string()))
    except IndexError:
        return None
    return out


def spooled(d):
    """The spool's files, in spooling order, each batch's sidecar
    (NAME.json) before its body (NAME.body)."""
    return sorted((f for f in os.listdir(d) if f.startswith("batch-")),
                  key=lambda f: (f.split(".")[0], not f.endswith(".json"))) \
        if os.path.isdir(d) else []


# --- running the stage -------------------------------------------------

def run(args, data=b"", env=None, timeout=300):
    e = dict(os.environ, SLUICE_PROGRESS="0")
    e.pop("QUASAR_URL", None)
    e.update(env or {})
    p = subprocess.Popen([PQ] + args, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=e)
    out, err = p.communicate(data, timeout=timeout)
    return p.returncode, out, err.decode("utf-8", "replace")


def start(args, env=None, stdout=subprocess.DEVNULL, seconds=120):
    """Starts the stage, killed after seconds (a hang fails, not waits)."""
    e = dict(os.environ, SLUICE_PROGRESS="0")
    e.pop("QUASAR_URL", None)
    e.update(env or {})
    p = subprocess.Popen([PQ] + args, stdin=subprocess.PIPE, stdout=stdout,
                         stderr=subprocess.PIPE, env=e)
    t = threading.Timer(seconds, p.kill)
    t.daemon = True
    t.start()
    return p


def export(n, source, seed=0):
    """n records as csv2ndjson writes them, with _meta."""
    out = []
    for i in range(n):
        k = i * 7919 + seed
        out.append(json.dumps({
            "id": "%024x" % (k * 2654435761 % (1 << 96)),
            "first-name": ["Joe", "Zoë", "José \"Pepe\"", "李"][k % 4],
            "email": "user%d@example.com" % k,
            "note": ["", "a\\b", "tab\there", "line\nbreak"][k % 4],
            "_meta": {"source": source, "file": "export-%d.csv" % seed,
                      "line": i + 2}},
            ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
    return out


# --- the cases ---------------------------------------------------------

def hundred_thousand(url):
    lines = export(100000, "turbovote")
    data = b"".join(lines)
    path = os.path.join(TMP, "pq-100k.ndjson")
    with open(path, "wb") as f:
        f.write(data)
    e = dict(os.environ, SLUICE_PROGRESS="0")
    e.pop("QUASAR_URL", None)
    # GNU time, when there is one, for the peak RSS of the stage alone.
    rss = os.path.join(TMP, "pq-100k.rss")
    timer = ["/usr/bin/time", "-f", "%M", "-o", rss] \
        if os.access("/usr/bin/time", os.X_OK) else []
    t0 = time.time()
    p = subprocess.run(timer + [PQ, "--url", url, "--table", "big",
                                "--create-table", path],
                       capture_output=True, env=e, timeout=300)
    out, err = p.stdout, p.stderr.decode()
    check(p.returncode == 0 and out == data,
          "100,000 records pass through unchanged (%.1f s)"
          % (time.time() - t0), (p.returncode, err))
    if timer and not SANITIZED:
        with open(rss) as f:
            kib = int(f.read().split()[-1])
        check(kib < 64 * 1024, "memory stays bounded: peak RSS %d KiB" % kib)
    check("rows sent=100000 spooled=0 batches sent=10 spooled=0 retries=0"
          in err and "in=100000 out=100000 dropped=0 rejected=0" in err,
          "the summary counts 100,000 rows in 10 batches", err)
    check(scalar(url, "SELECT count() FROM big") == "100000",
          "100,000 rows in the table, none twice",
          scalar(url, "SELECT count() FROM big"))
    got = rows(url, "big")
    check(len(got) == 100000 and
          digest([r[3] for r in got]) == digest([ln[:-1] for ln in lines]),
          "the records in the table are the input lines (sorted checksum)",
          len(got))
    meta = set()
    for ln in lines:
        m = json.loads(ln)["_meta"]
        meta.add((m["source"], m["file"], m["line"]))
    check({r[:3] for r in got} == meta,
          "source, file, line are the records' _meta")
    want = {ln[:-1]: identity(ln) for ln in lines}
    check(all(r[4] == want.get(r[3]) for r in got),
          "record_hash is the SHA-256 of the source and the record "
          "without _meta", [r for r in got if r[4] != want.get(r[3])][:2])
    st, out = query(url, "SELECT DISTINCT toString(imported_at) FROM big")
    stamps = out.decode().split()
    check(st == 200 and len(stamps) == 2 and
          abs(time.mktime(time.strptime(" ".join(stamps),
                                        "%Y-%m-%d %H:%M:%S"))
              - time.mktime(time.gmtime(t0))) < 60,
          "imported_at is the run's start, UTC", out)
    return lines


def sql_file(url):
    with open(os.path.join(ROOT, "pipelines", "sql", "quasar-raw.sql")) as f:
        ddl = f.read().replace("raw_turbovote", "fromsql")
    st, out = query(url, ddl)
    a = scalar(url, "SHOW CREATE TABLE big").replace("default.big", "T")
    b = scalar(url, "SHOW CREATE TABLE fromsql").replace("default.fromsql",
                                                          "T")
    check(st == 200 and a == b and "ReplacingMergeTree" in a,
          "pipelines/sql/quasar-raw.sql makes the table --create-table makes",
          (st, out, a, b))


def tricky(url):
    big = "0123456789abcdef" * 65536
    strings = ["plain", "quotes \" ' `", "back\\slash \\n \\\\",
               "".join(chr(c) for c in range(1, 32)) + "\x7f", "nul\x00",
               "Zoë naïve 日本語", "emoji 😀 🇫🇷 👩‍👩‍👧 \u2028\u2029", "", big,
               '{"nested": "json"}']
    lines = []
    for i, s in enumerate(strings):
        meta = {"source": "tricky", "file": "t.csv", "line": i + 1}
        # Canonical (the fast path) and ASCII-escaped (the tree path),
        # each its own record: the same content would be one row.
        lines.append(json.dumps({"v": s, "_meta": meta}, ensure_ascii=False,
                                separators=(",", ":")).encode())
        meta = dict(meta, line=i + 1001)
        lines.append(json.dumps({"v": s, "ascii": 1, "_meta": meta}).encode())
    # Without _meta: the stage's own provenance. Odd spacing, \/, a
    # duplicate key, a CRLF line end (the \r is not part of the record).
    plain = [b'{"a" : [1, 2.50, {"b": null}] , "c":"\\/"}',
             b'{"dup":1,"dup":2}', b'{"crlf":"x"}']
    bad = [b'{"lone":"\\ud800"}', b'{"utf8":"\xff"}', b"[]", b"{"]
    data = b"".join(ln + b"\n" for ln in lines) + plain[0] + b"\n" + \
        plain[1] + b"\n" + plain[2] + b"\r\n" + b"".join(
            b + b"\n" for b in bad)
    path = os.path.join(TMP, "pq-tricky.ndjson")
    with open(path, "wb") as f:
        f.write(data)
    rc, out, err = run(["--url", url, "--table", "tricky", "--create-table",
                        "--source", "mine", "--rejects",
                        os.path.join(TMP, "pq-rejects"), path])
    check(rc == 1 and "rejected=4" in err,
          "invalid lines are rejected (exit 1), the rest delivered",
          (rc, err))
    got = {r[2]: r for r in rows(url, "tricky")}
    want = {}
    for ln in lines:
        want[json.loads(ln)["_meta"]["line"]] = ("tricky", "t.csv", ln)
    n = len(lines)
    for k, ln in enumerate(plain):
        want[n + k + 1] = ("mine", path, ln)
    diff = [k for k in want if got.get(k, (None,) * 5)[1:4] !=
            (want[k][1], k, want[k][2]) or got[k][0] != want[k][0]]
    check(not diff and len(got) == len(want),
          "every kind of JSON string comes back byte for byte (RowBinary)",
          ("lines differing", diff[:10], len(got), len(want)))


def same_rows_under_new_names(url):
    """The warehouse's identity is the record, not the path: the same export
    through three spellings of its path, then a cumulative export under a
    new name (every earlier row again, at other lines, and new ones),
    leave one row per record under FINAL, with the provenance of the copy
    sent last."""
    day1 = export(300, "names", 5)
    day2 = export(400, "names", 5)  # day1's 300 rows, then 100 new ones

    def named(lines, name):
        out = []
        for k, ln in enumerate(lines):
            rec = json.loads(ln)
            rec["_meta"]["file"] = name
            rec["_meta"]["line"] = k + 2
            out.append(json.dumps(rec, ensure_ascii=False,
                                  separators=(",", ":")).encode() + b"\n")
        return out
    runs = [named(day1, "export.csv"), named(day1, "./export.csv"),
            named(day1, "/srv/in/../in/export.csv"),
            named(day2, "export-day2.csv")]
    codes = []
    for r in runs:
        rc, _, err = run(["--url", url, "--table", "names", "--create-table",
                          "--sink"], b"".join(r))
        codes.append(rc)
    got = rows(url, "names")
    files = {r[1] for r in got}
    check(codes == [0] * 4 and len(got) == 400 and
          len({r[4] for r in got}) == 400 and files == {"export-day2.csv"},
          "the same rows under other file names collapse to one row each "
          "under FINAL", (codes, len(got), files, err))


def other_types(url):
    """A table keyed right whose line is UInt32: RowBinary rows would be
    read by its types (the rest of line taken for imported_at, and so
    on), so --create-table checks them, stops and says which differs;
    nothing stored, the batch spooled."""
    sp = os.path.join(TMP, "pq-spool-types")
    st, _ = query(url, "CREATE TABLE types32 (source String, record_hash "
                  "FixedString(64), file String, line UInt32, imported_at "
                  "DateTime, record String) ENGINE = ReplacingMergeTree() "
                  "ORDER BY (source, record_hash)")
    rc, _, err = run(["--url", url, "--table", "types32", "--create-table",
                      "--spool", sp, "--sink"], b"".join(export(40, "t32")))
    check(st == 200 and rc == 69 and
          "the table types32 does not have the columns post-quasar writes: "
          "line is UInt32, not UInt64" in err and len(spooled(sp)) == 2 and
          scalar(url, "SELECT count() FROM types32") == "0",
          "--create-table on a table whose line is UInt32: nothing sent, "
          "the batch spooled, exit 69, and which column differs", (rc, err))
    t0 = time.time()
    rc, _, err = run(["--url", url, "--table", "types32", "--spool", sp,
                      "--sink"], b"".join(export(40, "t32")))
    check(rc == 69 and "Code: 33" in err and
          "the rows do not fit the table's columns" in err and
          time.time() - t0 < 10 and len(spooled(sp)) == 4 and
          scalar(url, "SELECT count() FROM types32") == "0",
          "without --create-table ClickHouse refuses the rows at once "
          "(code 33, not retried): nothing stored, spooled, and a hint",
          (rc, err))


def old_key_table(url):
    """A table an older post-quasar made, keyed by (source, file, line):
    --create-table stops delivery and says so; without it ClickHouse
    refuses the rows and post-quasar says why; the documented way on
    (rename, make anew, send the old records through post-quasar, replay)
    ends with every record once."""
    sp = os.path.join(TMP, "pq-spool-oldkey")
    st, _ = query(url, "CREATE TABLE oldkey (source String, file String, "
                  "line UInt64, imported_at DateTime, record String) ENGINE "
                  "= ReplacingMergeTree() ORDER BY (source, file, line)")
    old = export(30, "oldkey", 7)
    body = b"".join(json.dumps(
        {"source": "oldkey", "file": "export-7.csv", "line": k + 2,
         "imported_at": "2026-11-22 10:00:00", "record": ln[:-1].decode()},
        ensure_ascii=False).encode() + b"\n" for k, ln in enumerate(old))
    st2, _ = query(url, "INSERT INTO oldkey FORMAT JSONEachRow", body)
    new = export(20, "oldkey", 8)
    rc, _, err = run(["--url", url, "--table", "oldkey", "--create-table",
                      "--spool", sp, "--sink"], b"".join(new))
    check(st == 200 and st2 == 200 and rc == 69 and
          "is ReplacingMergeTree keyed by (source, file, line), not by "
          "(source, record_hash)" in err and len(spooled(sp)) == 2 and
          scalar(url, "SELECT count() FROM oldkey") == "30",
          "--create-table on an older table keyed by (source, file, line): "
          "nothing sent, batches spooled, exit 69, and why", (rc, err))
    rc, _, err = run(["--url", url, "--table", "oldkey", "--spool", sp,
                      "--sink"], b"".join(new[:5]))
    check(rc == 69 and "has no column record_hash" in err and
          len(spooled(sp)) == 4,
          "without --create-table the older table refuses the rows, and "
          "the message says why", (rc, err))
    st, _ = query(url, "RENAME TABLE oldkey TO oldkey_by_line")
    st2, recs = query(url, "SELECT record FROM oldkey_by_line FINAL "
                      "FORMAT TSVRaw")
    rc, _, err = run(["--url", url, "--table", "oldkey", "--create-table",
                      "--sink"], recs)
    rc2, _, err2 = run(["--replay", sp, "--url", url])
    got = rows(url, "oldkey")
    want = {ln[:-1] for ln in old + new}
    check(st == 200 and st2 == 200 and rc == 0 and rc2 == 0 and
          len(got) == 50 and {r[3] for r in got} == want,
          "rename, make anew, send the old records through, replay: "
          "every record once", (st, st2, rc, err, rc2, err2, len(got)))


def older_spool_replayed(url):
    """A batch spooled by a post-quasar older than record_hash (sidecar
    version 1, rows without it) gets each row's identity when replayed;
    sent as it was, every row would be the same record."""
    sp = os.path.join(TMP, "pq-spool-v1")
    os.makedirs(sp)
    recs = export(40, "v1", 9)
    body = b"".join(json.dumps(
        {"source": "v1", "file": "export-9.csv", "line": k + 2,
         "imported_at": "2026-11-22 10:00:00", "record": ln[:-1].decode()},
        ensure_ascii=False).encode() + b"\n" for k, ln in enumerate(recs))
    gz = gzip.compress(body)
    name = "batch-20261122T100000Z-1-000001"
    with open(os.path.join(sp, name + ".json"), "w") as f:
        json.dump({"version": 1, "format": "jsoneachrow", "url": url,
                   "table": "v1spool",
                   "query": "INSERT INTO v1spool FORMAT JSONEachRow",
                   "encoding": "gzip", "records": 40, "bytes": len(body),
                   "size": len(gz), "from": "<stdin>:1", "to": "<stdin>:40",
                   "spooled": "2026-11-22T10:00:00Z", "reason": "test"}, f)
    with open(os.path.join(sp, name + ".ndjson.gz"), "wb") as f:
        f.write(gz)
    rc, _, err = run(["--replay", sp, "--url", url, "--create-table"])
    got = rows(url, "v1spool")
    want = {ln[:-1]: identity(ln) for ln in recs}
    check(rc == 0 and spooled(sp) == [] and len(got) == 40 and
          all(r[4] == want.get(r[3]) for r in got),
          "an older post-quasar's spooled rows get their record_hash on "
          "replay", (rc, err, len(got)))


def refused(url):
    sp = os.path.join(TMP, "pq-spool-refused")
    data = b"".join(export(25, "refused"))
    t0 = time.time()
    rc, _, err = run(["--url", url, "--table", "nosuch", "--spool", sp,
                      "--compress", "gzip", "--sink"], data)
    took = time.time() - t0
    check(rc == 69 and "refused the batch (HTTP 404): Code: 60" in err and
          "post-quasar --replay " + sp in err and took < 10,
          "a batch refused for good (no table) is spooled at once, exit 69",
          (rc, took, err))
    names = spooled(sp)
    meta = {}
    if len(names) == 2:
        with open(os.path.join(sp, names[0])) as f:
            meta = json.load(f)
    check(names and names[0].endswith(".json") and
          names[1] == names[0][:-5] + ".body" and
          meta.get("format") == "rowbinary" and meta.get("url") == url and
          meta.get("table") == "nosuch" and meta.get("records") == 25 and
          meta.get("query") == "INSERT INTO nosuch (source, record_hash, "
          "file, line, imported_at, record) FORMAT RowBinary" and
          meta.get("from") == "<stdin>:1" and meta.get("to") == "<stdin>:25"
          and meta.get("size") == os.path.getsize(os.path.join(sp,
                                                                names[1])),
          "the spool holds the gzipped batch and its sidecar", (names, meta))
    if len(names) == 2:
        with open(os.path.join(sp, names[1]), "rb") as f:
            body = gzip.decompress(f.read())
        got = rowbinary(body) or []
        lines = export(25, "refused")
        check(len(body) == meta.get("bytes") and
              [r[5] + b"\n" for r in got] == lines and
              [(r[0], r[1].decode(), r[2], r[3]) for r in got] ==
              [(b"refused", identity(ln), b"export-0.csv", i + 2)
               for i, ln in enumerate(lines)] and
              all(abs(r[4] - t0) < 60 for r in got),
              "the spooled body is the batch's RowBinary rows: source, "
              "record_hash, file, line, imported_at, the record as read",
              got[:1])
    rc, _, err = run(["--replay", sp, "--url", url])
    check(rc == 69 and len(spooled(sp)) == 2,
          "a replay refused again leaves the batch in the spool", (rc, err))
    rc, _, err = run(["--replay", sp, "--url", url, "--create-table"])
    check(rc == 0 and spooled(sp) == [] and
          "replay: batches sent=1 rows=25 left=0" in err and
          scalar(url, "SELECT count() FROM nosuch") == "25",
          "--replay --create-table sends it and empties the spool",
          (rc, err, spooled(sp)))
    rc, _, err = run(["--replay", sp])
    check(rc == 0 and "batches sent=0 rows=0 left=0" in err,
          "replaying an empty spool sends nothing", (rc, err))


def lz4_blocks(body):
    """The (method, compressed size, size) of each ClickHouse block."""
    out, at = [], 0
    while at + 25 <= len(body):
        z = int.from_bytes(body[at + 17:at + 21], "little")
        out.append((body[at + 16], z, int.from_bytes(body[at + 21:at + 25],
                                                     "little")))
        at += 16 + z
    return out if at == len(body) else None


def lz4(url):
    lines = export(20000, "lz4")
    data = b"".join(lines)
    rc, out, err = run(["--url", url, "--table", "lz4t", "--create-table",
                        "--compress", "lz4", "--batch-records", "3000"],
                       data)
    got = rows(url, "lz4t")
    want = {ln[:-1]: identity(ln) for ln in lines}
    check(rc == 0 and out == data and "batches sent=7 spooled=0" in err and
          len(got) == 20000 and
          digest([r[3] for r in got]) == digest([ln[:-1] for ln in lines])
          and all(r[4] == want.get(r[3]) for r in got),
          "--compress lz4: ClickHouse takes the blocks (checksums checked), "
          "every record once, the same record_hash", (rc, err, len(got)))
    # Refused (no table): spooled as lz4, with --seen, then replayed.
    sp = os.path.join(TMP, "pq-spool-lz4")
    seen = os.path.join(TMP, "pq-lz4.seen")
    few = b"".join(export(300, "lz4-spool"))
    rc, _, err = run(["--url", url, "--table", "lz4s", "--compress", "lz4",
                      "--spool", sp, "--seen", seen, "--sink"], few)
    names = spooled(sp)
    meta, body = {}, b""
    if len(names) == 2:
        with open(os.path.join(sp, names[0])) as f:
            meta = json.load(f)
        with open(os.path.join(sp, names[1]), "rb") as f:
            body = f.read()
    blocks = lz4_blocks(body)
    check(rc == 69 and meta.get("encoding") == "lz4" and blocks and
          all(b[0] == 0x82 for b in blocks) and
          sum(b[2] for b in blocks) == meta.get("bytes"),
          "a refused lz4 batch is spooled as its blocks, encoding lz4",
          (rc, err, meta, blocks))
    # A byte of the spooled body changed: the server's check refuses it.
    if body:
        bad = bytearray(body)
        bad[len(bad) // 2] ^= 0x55
        with open(os.path.join(sp, names[1]), "wb") as f:
            f.write(bytes(bad))
        rc, _, err = run(["--replay", sp, "--url", url, "--create-table"])
        check(rc == 69 and len(spooled(sp)) == 2 and
              "Checksum doesn't match" in err and
              scalar(url, "SELECT count() FROM lz4s") == "0",
              "a damaged lz4 batch is refused by its checksum and stays "
              "spooled", (rc, err))
        with open(os.path.join(sp, names[1]), "wb") as f:
            f.write(body)
    rc, _, err = run(["--replay", sp, "--url", url, "--create-table",
                      "--seen", seen])
    check(rc == 0 and spooled(sp) == [] and
          "replay: batches sent=1 rows=300 left=0" in err and
          scalar(url, "SELECT count() FROM lz4s") == "300",
          "--replay sends the lz4 batch as it was spooled", (rc, err))
    rc, _, err = run(["--url", url, "--table", "lz4s", "--compress", "lz4",
                      "--seen", seen, "--sink"], few)
    check(rc == 0 and "rows sent=0" in err and "skipped=300" in err,
          "--seen learnt the replayed lz4 batch's rows from its blocks",
          (rc, err))
    # QUASAR_COMPRESS is --compress's default; --compress wins.
    got = {}
    for env, args in (("gzip", []), ("gzip", ["--compress", "lz4"]),
                      ("", [])):
        sp2 = os.path.join(TMP, "pq-spool-env-%d" % len(got))
        run(["--url", url, "--table", "nosuch_env", "--spool", sp2, "--sink"]
            + args, few, env={"QUASAR_COMPRESS": env})
        names = spooled(sp2)
        got[len(got)] = None
        if names:
            with open(os.path.join(sp2, names[0])) as f:
                got[len(got) - 1] = json.load(f).get("encoding")
    rc, _, err = run(["--url", url, "--table", "x"], b"",
                     env={"QUASAR_COMPRESS": "brotli"})
    check(got == {0: "gzip", 1: "lz4", 2: "lz4"} and rc == 64 and
          "QUASAR_COMPRESS takes gzip or lz4" in err,
          "QUASAR_COMPRESS=gzip is --compress's default, --compress wins, "
          "without either lz4, a codec it does not know is 64",
          (got, rc, err))
    for args, why in ((["--compress", "zstd", "--table", "x"], "zstd"),
                      (["--compress", "lz4", "--format", "ndjson"],
                       "--format ndjson")):
        rc, _, err = run(["--url", url] + args, b"")
        check(rc == 64 and "--compress" in err,
              "--compress refuses " + why + " (64)", (rc, err))
    # --format clickhouse is the default's name; jsoneachrow its older one.
    rcs = [run(["--url", url, "--format", f, "--table", "fmt_" + f,
                "--create-table", "--sink"], few)[0]
           for f in ("clickhouse", "jsoneachrow")]
    rc, _, err = run(["--url", url, "--format", "xml", "--table", "x"], b"")
    check(rcs == [0, 0] and
          scalar(url, "SELECT count() FROM fmt_clickhouse") == "300" and
          scalar(url, "SELECT count() FROM fmt_jsoneachrow") == "300" and
          rc == 64 and "--format takes clickhouse or ndjson" in err,
          "--format clickhouse (or jsoneachrow, its older name) fills the "
          "table; another format is 64", (rcs, rc, err))


def stopped_mid_run(d, url):
    sp = os.path.join(TMP, "pq-spool-stopped")
    first, second = export(3000, "stop", 1), export(3000, "stop", 2)
    p = start(["--url", url, "--table", "stopped", "--create-table",
               "--batch-records", "1000", "--retries", "2",
               "--retry-max-time", "3", "--spool", sp])
    p.stdin.write(b"".join(first))
    p.stdin.flush()
    arrived = wait_for(url, "SELECT count() FROM stopped", "3000")
    ch_stop(d)
    for k in range(0, 3000, 500):
        p.stdin.write(b"".join(second[k:k + 500]))
        p.stdin.flush()
        time.sleep(0.05)
    p.stdin.close()
    err = p.stderr.read().decode()
    rc = p.wait(timeout=120)
    check(arrived and rc == 69 and "ClickHouse unavailable" in err and
          "post-quasar --replay " + sp in err and spooled(sp),
          "ClickHouse stopped in the middle: the run spools and exits 69",
          (arrived, rc, err))
    url = ch_start(d)
    if not check(url is not None, "ClickHouse starts again on its data"):
        return None
    rc, _, err = run(["--replay", sp, "--url", url])
    check(rc == 0 and spooled(sp) == [],
          "after the restart --replay delivers and empties the spool",
          (rc, err))
    got = rows(url, "stopped")
    keys = [r[:3] for r in got]
    check(len(got) == 6000 and len(set(keys)) == 6000 and
          digest([r[3] for r in got]) ==
          digest([ln[:-1] for ln in first + second]),
          "every record is in the table exactly once (FINAL)",
          (len(got), len(set(keys))))
    return url


def denied(url):
    sp = os.path.join(TMP, "pq-spool-denied")
    rc, _, err = run(["--url", url + "/?user=nobody&password=hunter2",
                      "--table", "big", "--spool", sp, "--sink"],
                     b"".join(export(3, "denied")))
    names = spooled(sp)
    text = ""
    for n in names:
        with open(os.path.join(sp, n), "rb") as f:
            text += f.read().decode("latin-1")
    check(rc == 77 and "refused the credentials" in err and len(names) == 2,
          "credentials refused: spooled, exit 77", (rc, err, names))
    check("hunter2" not in text and "hunter2" not in err and
          "user=nobody" in text,
          "the password is in neither the spool nor the messages",
          text[:500])


def ndjson_format(url):
    st, _ = query(url, "CREATE TABLE nd (a String, n UInt64) ENGINE = Log")
    target = url + "/?" + urllib.parse.urlencode(
        {"query": "INSERT INTO nd FORMAT JSONEachRow"})
    data = b"".join(b'{"a":"x%d","n":%d}\n' % (i, i) for i in range(500))
    rc, out, err = run(["--format", "ndjson", "--url", target,
                        "--batch-records", "100"], data)
    check(st == 200 and rc == 0 and out == data and
          scalar(url, "SELECT count(), sum(n) FROM nd") == "500\t124750" and
          "batches sent=5" in err,
          "--format ndjson posts the lines themselves, gzipped, to a URL",
          (st, rc, err))


class Fake(http.server.BaseHTTPRequestHandler):
    """Answers POSTs from a script of (status, body); keeps what came."""
    script, got = [], []

    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        Fake.got.append((self.headers.get("Content-Encoding"),
                         self.rfile.read(n)))
        status, body = Fake.script.pop(0) if Fake.script else (200, b"")
        self.send_response(status)
        if status == 503:
            self.send_header("Retry-After", "0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def fake_endpoint():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Fake)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/ingest" % srv.server_address[1]
    data = b"".join(export(40, "fake"))
    Fake.script, Fake.got = [(503, b""), (503, b"")], []
    rc, _, err = run(["--format", "ndjson", "--url", url, "--sink"], data)
    bodies = [gzip.decompress(b) for _, b in Fake.got]
    check(rc == 0 and len(bodies) == 3 and set(bodies) == {data} and
          {e for e, _ in Fake.got} == {"gzip"} and "retries=2" in err,
          "503 is retried with backoff; the same gzipped body each time",
          (rc, len(bodies), err))
    sp = os.path.join(TMP, "pq-spool-fake")
    Fake.script, Fake.got = [(500, b"Code: 27, e.displayText() = "
                              b"DB::Exception: Cannot parse input")], []
    rc, _, err = run(["--format", "ndjson", "--url", url, "--sink",
                      "--spool", sp], data)
    check(rc == 69 and len(Fake.got) == 1 and len(spooled(sp)) == 2 and
          "(HTTP 500): Code: 27" in err,
          "a 500 with a data error code is not retried: spooled",
          (rc, len(Fake.got), err))
    Fake.script, Fake.got = [], []
    rc, _, err = run(["--replay", sp])
    check(rc == 0 and len(Fake.got) == 1 and
          gzip.decompress(Fake.got[0][1]) == data and spooled(sp) == [],
          "--replay of an ndjson batch posts it to its URL", (rc, err))
    srv.shutdown()


def trickle(url):
    p = start(["--url", url, "--table", "trickle", "--create-table",
               "--flush-interval", "0.3", "--line-buffered"],
              {"SLUICE_PROGRESS": "1"}, subprocess.PIPE, 30)
    rec = export(2, "trickle")
    p.stdin.write(rec[0])
    p.stdin.flush()
    echoed = p.stdout.readline()
    arrived = wait_for(url, "SELECT count() FROM trickle", "1", 10)
    time.sleep(0.4)
    p.stdin.write(rec[1])
    p.stdin.close()
    out = p.stdout.read()
    err = p.stderr.read().decode()
    rc = p.wait(timeout=60)
    check(echoed == rec[0] and arrived and rc == 0 and out == rec[1],
          "a slow trickle: each record passed on at once, its row sent "
          "after --flush-interval", (echoed, arrived, rc, err))
    check("\r\x1b[K" in err and "records (" in err and "batches sent)" in
          err, "the progress line: records, MB read, batches, rate", err)


def interrupted(url):
    sp = os.path.join(TMP, "pq-spool-term")
    recs = export(2500, "term")
    p = start(["--url", url, "--table", "term", "--create-table",
               "--batch-records", "1000", "--flush-interval", "600",
               "--spool", sp])
    p.stdin.write(b"".join(recs))
    p.stdin.flush()
    arrived = wait_for(url, "SELECT count() FROM term", "2000")
    time.sleep(0.5)  # the stage has the server's answers too
    p.send_signal(signal.SIGTERM)
    err = p.stderr.read().decode()
    rc = p.wait(timeout=60)
    check(arrived and rc == 128 + signal.SIGTERM and
          "interrupted" in err and len(spooled(sp)) == 2 and
          "rows sent=2000 spooled=500 batches sent=2 spooled=1" in err,
          "SIGTERM: the open batch is spooled", (arrived, rc, err))
    rc, _, err = run(["--replay", sp, "--url", url])
    check(rc == 0 and scalar(url, "SELECT count() FROM term FINAL") ==
          "2500", "and a replay completes the table", (rc, err))


def interrupted_while_writing(url):
    """SIGINT while the stage waits to write stdout (a slow reader): the
    write is taken up again once the reader reads, and the stage stops as
    interrupted, with no write error (EINTR is no error)."""
    path = os.path.join(TMP, "pq-intr.ndjson")
    with open(path, "wb") as f:
        f.write(b"".join(export(20000, "intr")))
    p = start(["--url", url, "--table", "intr", "--create-table",
               "--spool", os.path.join(TMP, "pq-spool-intr"), path],
              stdout=subprocess.PIPE, seconds=60)
    time.sleep(1.0)  # stdout's pipe is full: the stage waits in write
    p.send_signal(signal.SIGINT)
    time.sleep(0.3)
    p.stdout.read()
    err = p.stderr.read().decode()
    rc = p.wait(timeout=60)
    check(rc == 128 + signal.SIGINT and "interrupted" in err and
          "Interrupted system call" not in err and "write error" not in err,
          "SIGINT while stdout is full: interrupted (130), no write error",
          (rc, err))


def main():
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    d = os.path.join(TMP, "pq-clickhouse")
    try:
        url = ch_start(d)
        if not check(url is not None, "a ClickHouse server to test with"):
            return
        hundred_thousand(url)
        sql_file(url)
        tricky(url)
        same_rows_under_new_names(url)
        old_key_table(url)
        other_types(url)
        older_spool_replayed(url)
        refused(url)
        lz4(url)
        denied(url)
        ndjson_format(url)
        fake_endpoint()
        trickle(url)
        interrupted(url)
        interrupted_while_writing(url)
        stopped_mid_run(d, url)
    finally:
        stop_all()


main()
