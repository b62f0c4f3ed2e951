#!/bin/sh
# The throw-away ClickHouse server of tests/servers/clickhouse.sh, as the
# post-quasar stage will use it: it starts on free ports, takes a gzipped
# JSONEachRow batch (Content-Encoding: gzip) into a ReplacingMergeTree
# table, gives tricky strings back byte for byte, collapses a repeated
# batch under FINAL, and is stopped again whatever happens; its ports stay
# noted for its directory once it is stopped, and a start waits while
# another start holds the ports' lock (clickhouse.sh, "Ports"). Skipped when
# clickhouse-server is not installed (apt-get install clickhouse-server).
# once: the plain build
set -u
. "$ROOT/tests/servers/clickhouse-lib.sh"

if ! clickhouse_available; then
	echo "skip - clickhouse server: clickhouse-server not installed"
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "skip - clickhouse server: no python3"
	exit 0
fi

# The ports' notes and lock of this test alone (the machine's are the
# default): what it checks of them is not disturbed by other tests.
CLICKHOUSE_PORTS_DIR=$TMPDIR/ports
export CLICKHOUSE_PORTS_DIR
stop_all() {
	clickhouse_stop
	clickhouse_sh stop "$TMPDIR/clickhouse2"
}
trap stop_all EXIT
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM

if clickhouse_start "$TMPDIR/clickhouse"; then
	echo "ok - clickhouse server starts and answers /ping"
else
	echo "not ok - clickhouse server starts and answers /ping"
	exit 0
fi

python3 - "$CH_URL" <<'EOF'
import gzip, hashlib, json, sys, urllib.error, urllib.parse, urllib.request

url = sys.argv[1]


def post(query, body=b"", headers=None):
    r = urllib.request.Request(
        url + "/?" + urllib.parse.urlencode({"query": query}),
        data=body, headers=headers or {}, method="POST")
    try:
        with urllib.request.urlopen(r, timeout=60) as f:
            return f.status, f.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def check(ok, name, detail=""):
    print(("ok - " if ok else "not ok - ") + name)
    if not ok and detail:
        print("    " + str(detail)[:500], file=sys.stderr)


def insert(rows):
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    return post("INSERT INTO t FORMAT JSONEachRow",
                gzip.compress(lines.encode("utf-8")),
                {"Content-Encoding": "gzip"})


def count(sql):
    st, out = post(sql)
    return out.strip().decode() if st == 200 else "HTTP %d" % st


create = ("CREATE TABLE IF NOT EXISTS t (source String, record_hash "
          "FixedString(64), file String, line UInt64, imported_at DateTime, "
          "record String) ENGINE = ReplacingMergeTree() "
          "ORDER BY (source, record_hash)")
a, b = post(create), post(create)
check(a[0] == 200 and b[0] == 200,
      "clickhouse CREATE TABLE IF NOT EXISTS ReplacingMergeTree, twice",
      (a, b))

tricky = [
    'plain',
    'quotes " \' and `backticks`',
    'back\\slash \\n \\u0001 \\\\',
    "".join(chr(c) for c in range(1, 32)) + "\x7f",
    "nul\x00byte",
    "line\nbreak\r\nand\ttab",
    "Zoë, naïve, 日本語",
    "emoji 😀 🇫🇷 👩‍👩‍👧 \u2028\u2029",
    '{"nested": "json", "n": [1, 2]}',
    "",
    "0123456789abcdef" * 65536,  # 1 MiB
]
rows = [{"source": "test", "file": "tricky.csv", "line": i + 1,
         "imported_at": "2026-11-22 10:00:00",
         "record_hash": hashlib.sha256(s.encode()).hexdigest(), "record": s}
        for i, s in enumerate(tricky)]
st, out = insert(rows)
check(st == 200, "clickhouse takes a gzipped JSONEachRow batch", (st, out))

# RowBinary: each String is a LEB128 length and the bytes, exactly.
st, out = post("SELECT record FROM t ORDER BY line FORMAT RowBinary")
got, i = [], 0
while st == 200 and i < len(out):
    n = shift = 0
    while True:
        c = out[i]
        i += 1
        n |= (c & 0x7f) << shift
        shift += 7
        if c < 0x80:
            break
    got.append(out[i:i + n])
    i += n
want = [s.encode("utf-8") for s in tricky]
bad = [k + 1 for k, (g, w) in enumerate(zip(got, want)) if g != w]
check(st == 200 and len(got) == len(want) and not bad,
      "clickhouse gives tricky strings back byte for byte (RowBinary)",
      (st, len(got), "differing lines", bad))

st, out = post("SELECT record FROM t ORDER BY line FORMAT JSONEachRow")
try:
    back = [json.loads(x)["record"] for x in out.decode().splitlines()]
except ValueError as e:
    back = [repr(e)]
check(st == 200 and back == tricky,
      "clickhouse gives tricky strings back through JSONEachRow",
      (st, out[:200]))

st, out = post("SELECT record FROM t WHERE line = 7 FORMAT TSVRaw")
check(st == 200 and out == tricky[6].encode() + b"\n",
      "clickhouse TSVRaw prints one UTF-8 value raw", (st, out[:200]))

st, out = post("SELECT toUnixTimestamp(imported_at) FROM t WHERE line = 1")
check(out.strip() == b"1795341600",
      "clickhouse reads DateTime 2026-11-22 10:00:00 as UTC", (st, out))

st, out = insert(rows)
check(st == 200 and count("SELECT count() FROM t") == str(2 * len(rows)) and
      count("SELECT count() FROM t FINAL") == str(len(rows)),
      "clickhouse FINAL collapses a repeated batch",
      (st, count("SELECT count() FROM t"),
       count("SELECT count() FROM t FINAL")))

st, out = post("OPTIMIZE TABLE t FINAL")
check(st == 200 and count("SELECT count() FROM t") == str(len(rows)),
      "clickhouse OPTIMIZE TABLE t FINAL merges the duplicates away",
      (st, out, count("SELECT count() FROM t")))

body = (b'{"source":"bad","file":"f","line":1,'
        b'"imported_at":"2026-11-22 10:00:00","record":"ok"}\n'
        b'{"source":"bad","file":"f","line":2,"record":"unclosed}\n')
st, out = post("INSERT INTO t FORMAT JSONEachRow", gzip.compress(body),
               {"Content-Encoding": "gzip"})
check(st in (400, 500) and out.startswith(b"Code: ") and
      count("SELECT count() FROM t WHERE source = 'bad'") == "0",
      "clickhouse refuses a malformed batch whole, with an error body",
      (st, out[:200]))
EOF

clickhouse_sh stop "$CH_DIR"
pid=$(cat "$TMPDIR/clickhouse/pid" 2>/dev/null)
if [ -z "$pid" ] && ! python3 -c '
import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2)' \
    "$(cat "$TMPDIR/clickhouse/http_port")" 2>/dev/null; then
	echo "ok - clickhouse server stops and its port is closed"
else
	echo "not ok - clickhouse server stops and its port is closed"
fi

# Its ports stay noted for its directory: it may be resumed on them, and
# no other start is given them meanwhile.
d=$(cd "$TMPDIR/clickhouse" && pwd)
noted=0
for f in http_port tcp_port interserver_port; do
	p=$(cat "$d/$f" 2>/dev/null)
	[ -n "$p" ] && [ "$(cat "$CLICKHOUSE_PORTS_DIR/$p" 2>/dev/null)" = "$d" ] &&
		noted=$((noted + 1))
done
if [ $noted = 3 ]; then
	echo "ok - clickhouse server stopped: its 3 ports still noted for its directory"
else
	echo "not ok - clickhouse server stopped: its 3 ports still noted for its directory ($noted)"
fi

# A start whose first choice of ports is those noted ports (python3, which
# chooses them, stands in for once) chooses again: they are the stopped
# server's, not free.
mkdir -p "$TMPDIR/fakebin"
cat >"$TMPDIR/fakebin/python3" <<'EOF'
#!/bin/sh
if [ "${1:-}" = -c ] && [ ! -e "$FAKE_DONE" ]; then
	: >"$FAKE_DONE"
	echo "$FAKE_PORTS"
	exit 0
fi
exec "$REAL_PYTHON3" "$@"
EOF
chmod +x "$TMPDIR/fakebin/python3"
taken="$(cat "$d/http_port") $(cat "$d/tcp_port") $(cat "$d/interserver_port")"
# (The interpreter itself, not a wrapper that would find python3 in PATH.)
real=$(python3 -c 'import sys; print(sys.executable)')
url3=$(PATH=$TMPDIR/fakebin:$PATH FAKE_DONE=$TMPDIR/fake.done \
    FAKE_PORTS=$taken REAL_PYTHON3=$real \
    timeout 120 sh "$ROOT/tests/servers/clickhouse.sh" start "$TMPDIR/clickhouse2")
if [ -e "$TMPDIR/fake.done" ] && [ -n "$url3" ] &&
    [ "${url3##*:}" != "$(cat "$d/http_port")" ]; then
	echo "ok - clickhouse server start given a stopped server's ports chooses others"
else
	echo "not ok - clickhouse server start given a stopped server's ports chooses others ($url3)"
fi
clickhouse_sh stop "$TMPDIR/clickhouse2"

# While another start holds the lock (from choosing its ports to its
# server listening), a start waits.
flock "$CLICKHOUSE_PORTS_DIR/lock" sleep 3 &
holder=$!
sleep 0.5
t0=$(date +%s)
url2=$(clickhouse_sh start "$TMPDIR/clickhouse2")
t1=$(date +%s)
wait "$holder"
if [ -n "$url2" ] && [ $((t1 - t0)) -ge 2 ]; then
	echo "ok - clickhouse server start waits for the ports' lock ($((t1 - t0)) s)"
else
	echo "not ok - clickhouse server start waits for the ports' lock ($((t1 - t0)) s, $url2)"
fi
clickhouse_sh stop "$TMPDIR/clickhouse2"
