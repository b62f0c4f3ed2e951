#!/usr/bin/env python3
"""The bad-input matrix: every stage against input no vendor should send.

Each stage reads, in a fresh process: empty input, 20 MB of binary garbage,
a truncated gzip file, a 100 MB line, a record of a million fields, invalid
UTF-8, NUL bytes, JSON nested 100,000 deep, and two 60 MB lines that cost
gigabytes as trees: 30 million tiny array items, and 4 million keys. For
each it must end with an exit status the README lists (no crash, no
sanitizer report), say what was wrong on stderr when it rejected
something, keep in = out + dropped + rejected in its summary line, and
stay under 256 MB of peak memory.

Every NDJSON stage also reads records at the limit on values a record may
hold (100,000) and one past it, written canonically (the fast path) and
with spaces (the tree path): the ones at the limit are not rejected as too
complex, the ones past it are, with the limit in the reason.

The delivery stages run with no service behind them (post-rogue --dry-run;
post-northstar and post-quasar against a closed port): bad input must be
rejected before any request is needed, and the good records among it are
rejected (or spooled) as not delivered.

Every vendor folder's stages are in the matrix ($SLUICE_VENDORS, else
vendors/), with the vendor's own options.

Usage: bad-input.py BIN TMPDIR [--vendors-only]. Prints ok/not ok lines for
tests/run.sh.
"""

import gzip
import json
import os
import random
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vendorfile  # noqa: E402

BIN, TMP = sys.argv[1:3]
# --vendors-only: the vendor folders' stages alone (a vendor just added).
VENDORS_ONLY = "--vendors-only" in sys.argv[3:]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
# Every vendor folder: $SLUICE_VENDORS (as the stages look names up), else
# this checkout's vendors/.
VENDOR_DIR = os.environ.get("SLUICE_VENDORS") or os.path.join(ROOT, "vendors")
VENDORS = vendorfile.shaped(VENDOR_DIR)
LIMIT_MB = 256
STATUSES = {0, 1, 65, 66, 69, 74}
SANITIZED = "build-san" in BIN
MAX_VALUES = 100000
TOO_COMPLEX = "record too complex: more than %d values" % MAX_VALUES


def inputs():
    """(name, bytes, is_csv_only) of each bad input."""
    rng = random.Random(1)
    garbage = bytes(rng.getrandbits(8) for _ in range(1 << 16)) * 320
    good = b'{"a":"1","status":"registered"}\n'
    gz = gzip.compress(good * 10000)
    yield "empty input", b""
    yield "20 MB of binary garbage", garbage
    yield "a truncated gzip file", gz[:len(gz) // 2]
    yield "a 100 MB line", b'{"a":"' + b"x" * (100 << 20) + b'"}\n' + good
    fields = b",".join(b"f%d" % i for i in range(1000000))
    yield "a record of a million fields", (
        b"{" + b",".join(b'"k%d":"v"' % i for i in range(1000000)) +
        b"}\n" + good + fields + b"\n" + fields + b"\n")
    yield "invalid UTF-8", (b'{"a":"\xff\xfe\xc3"}\n' + good +
                           b"a,b\n\xff\xfe,\xc3\x28\n")
    yield "NUL bytes", (b'{"a":"x\x00y"}\n\x00\x00\x00\n' + good +
                        b"a,b\nx\x00y,z\n")
    yield "JSON nested 100,000 deep", (b'{"a":' + b"[" * 100000 +
                                       b"]" * 100000 + b"}\n" + good)
    yield "30 million tiny array items", (
        b'{"a":[' + b"0," * 29999999 + b"0]}\n" + good)
    yield "4 million keys", (
        b"{" + b",".join(b'"key%07d":0' % i for i in range(4000000)) +
        b"}\n" + good)


def at_the_limit():
    """Records of one value past MAX_VALUES and of MAX_VALUES: canonical,
    then spaced.

    The object, its members a, status and n, and n's items make the
    values; the spaced lines take the tree path of stages with a fast one.
    The first line is one too many, so that no stage judges its input by a
    first record that is not there to judge (shape does).
    """
    lines = []
    for spaced in (False, True):
        for n in (MAX_VALUES + 1, MAX_VALUES):
            items = (b", " if spaced else b",").join([b"0"] * (n - 4))
            rec = b'{"a":"1","status":"registered","n":[' + items + b"]}"
            lines.append(rec.replace(b'":', b'" : ') if spaced else rec)
    return b"".join(ln + b"\n" for ln in lines)


def limit_problems(stage, args, env, path):
    """What is wrong with the stage's rejects of at_the_limit()'s lines."""
    code, _, _ = run(stage, args, path, env)
    complex_lines = set()
    with open(os.path.join(TMP, "bad-rejects"), "rb") as f:
        for ln in f:
            r = json.loads(ln)
            if r["reason"].startswith("record too complex"):
                if r["reason"] != TOO_COMPLEX:
                    return ["the limit is not in the reason: " + r["reason"]]
                complex_lines.add(r["line"])
    if code not in STATUSES:
        return ["records at the limit: exit %d" % code]
    if complex_lines != {1, 3}:
        return ["lines rejected as too complex: %s, not [1, 3]"
                % sorted(complex_lines)]
    return []


def stages():
    env = dict(os.environ, SLUICE_PROGRESS="0",
               NORTHSTAR_URL="http://127.0.0.1:9",
               NORTHSTAR_CLIENT_ID="x", NORTHSTAR_CLIENT_SECRET="y",
               ROGUE_URL="http://127.0.0.1:9")
    if not VENDORS_ONLY:
        yield "csv2ndjson", [], env
    # Every vendor's stages with its own options, so a new vendor folder
    # is in the matrix without a word here.
    for v in VENDORS:
        vend = vendorfile.load(VENDOR_DIR, v)
        yield "csv2ndjson", ["--vendor", v], env
        yield "shape", vendorfile.shape_args(VENDOR_DIR, v), env
        yield "status-map", ["--vendor", v], env
        if vend.get("delivery", {}).get("key"):
            yield "dedupe", ["--vendor", v], env
    if VENDORS_ONLY:
        return
    v = VENDORS[0]
    yield "dedupe", ["--key", "a"], env
    yield "validate", [], env
    yield "post-rogue", ["--vendor", v, "--dry-run"], env
    yield "post-northstar", ["--vendor", v, "--retries", "0",
                             "--retry-max-time", "1"], env
    yield "attribute", [], env
    yield "rollup", [], env
    yield "rollup", ["--merge"], env
    yield "sample", ["--quotas", os.path.join(
        ROOT, "tests/stages/sample/014-seed-option/quotas.json"),
        "--seed", "s"], env
    yield "post-quasar", ["--table", "t", "--url", "http://127.0.0.1:9",
                          "--retries", "0", "--retry-max-time", "1",
                          "--spool", os.path.join(TMP, "bad-spool")], env


def run(stage, args, path, env):
    """Runs a stage on the file: exit status, peak RSS in MB, stderr.

    GNU time measures the stage: this process's own size would count in
    the peak of a child it forks."""
    rej = os.path.join(TMP, "bad-rejects")
    rss_file = os.path.join(TMP, "bad-rss")
    with open(path, "rb") as inp, open(os.devnull, "wb") as out, \
            open(os.path.join(TMP, "bad-err"), "wb") as err:
        code = subprocess.call(
            ["/usr/bin/time", "-f", "%M", "-o", rss_file,
             os.path.join(BIN, stage)] + args + ["--rejects", rej],
            stdin=inp, stdout=out, stderr=err, env=env)
    try:
        rss = int(open(rss_file).read().split()[-1]) / 1024
    except (OSError, ValueError, IndexError):
        rss = 0
    err = open(os.path.join(TMP, "bad-err"), "rb").read()
    # GNU time says "Command terminated by signal N" for a crash.
    if b"terminated by signal" in open(rss_file, "rb").read():
        code = -1
    return code, rss, err


def main():
    # The inputs go to files first, so that this process stays small: a
    # child's peak RSS counts what it held before it became the stage.
    cases = []
    for i, (name, data) in enumerate(inputs()):
        path = os.path.join(TMP, "bad-input-%d" % i)
        with open(path, "wb") as f:
            f.write(data)
        cases.append((name, path))
        del data
    limit = os.path.join(TMP, "bad-input-limit")
    with open(limit, "wb") as f:
        f.write(at_the_limit())
    for stage, args, env in stages():
        problems = []
        if stage != "csv2ndjson":
            problems += limit_problems(stage, args, env, limit)
        for name, path in cases:
            if stage == "csv2ndjson" and name.startswith("JSON"):
                continue
            code, rss, err = run(stage, args, path, env)
            text = err.decode("utf-8", "replace")
            m = re.search(r"in=(\d+)(?: made=(\d+))? out=(\d+) "
                          r"dropped=(\d+)(?: \([^)]*\))? rejected=(\d+)",
                          text)
            if code not in STATUSES:
                problems.append("%s: exit %d" % (name, code))
            if m is None and code != 65 and name != "empty input":
                problems.append("%s: no summary line" % name)
            elif m:
                # made: rows a stage makes of its records (rollup).
                i, made, o, d, r = (int(x or 0) for x in m.groups())
                if i + made != o + d + r:
                    problems.append("%s: in=%d but out+dropped+rejected=%d"
                                    % (name, i, o + d + r))
                if r and not re.search(r": .*:\d+: ", text):
                    problems.append("%s: rejects told without file:line"
                                    % name)
            if not SANITIZED and rss > LIMIT_MB:
                problems.append("%s: %.0f MB peak" % (name, rss))
            if "runtime error" in text or "Sanitizer" in text:
                problems.append("%s: sanitizer report" % name)
        print(("ok - " if not problems else "not ok - ") +
              "%s on bad input: sane exit, summary balanced, %s%s" % (
                  " ".join([stage] + args[:2]),
                  "memory not measured (sanitized build)"
                  if SANITIZED else "under %d MB" % LIMIT_MB,
                  "" if stage == "csv2ndjson" else
                  ", records past %d values rejected" % MAX_VALUES))
        if problems:
            sys.stderr.write("\n".join(problems) + "\n")
        sys.stdout.flush()


main()
