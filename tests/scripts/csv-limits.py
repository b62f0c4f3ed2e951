"""csv2ndjson on hostile input: bounded memory, clean exits, and the
accounting rule in = out + dropped + rejected.

usage: csv-limits.py CSV2NDJSON TMPDIR
Memory is checked only on an unsanitized build (the sanitizers' shadow
memory makes peak RSS meaningless there).
"""
import json
import os
import re
import resource
import subprocess
import sys

EXE, TMP = sys.argv[1], sys.argv[2]
SANITIZED = "build-san" in EXE
LIMIT_KB = 96 * 1024


def run(name, data, args=(), want_status=None, check=None):
    path = os.path.join(TMP, name)
    with open(path, "wb") as f:
        if callable(data):
            data(f)
        else:
            f.write(data)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = subprocess.run([EXE, *args, path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    problems = []
    if want_status is not None and p.returncode != want_status:
        problems.append(f"exit {p.returncode}, want {want_status}")
    summary = p.stderr.decode(errors="replace").strip().splitlines()[-1:]
    m = re.search(r"in=(\d+) out=(\d+) dropped=(\d+).* rejected=(\d+)$",
                  summary[0] if summary else "")
    if not m:
        problems.append(f"no summary line: {summary}")
    else:
        i, o, d, r = map(int, m.groups())
        if i != o + d + r:
            problems.append(f"in != out + dropped + rejected: {summary[0]}")
        if o != p.stdout.count(b"\n"):
            problems.append(f"out={o} but {p.stdout.count(chr(10).encode())}"
                            " lines written")
    if check:
        problems += check(p)
    # ru_maxrss of children is a running maximum: only a new peak counts.
    if not SANITIZED and peak > before and peak > LIMIT_KB:
        problems.append(f"peak RSS {peak} KiB over {LIMIT_KB} KiB")
    if problems:
        print(f"not ok - {name}: " + "; ".join(problems))
        sys.stderr.write(p.stderr.decode(errors="replace")[-2000:])
    else:
        print(f"ok - {name}")
    os.unlink(path)


def huge_field(f):
    f.write(b"a,b\n1,")
    chunk = b"x" * (1 << 20)
    for _ in range(100):
        f.write(chunk)
    f.write(b"\n2,after\n")


def huge_quoted_field(f):
    f.write(b'a,b\n1,"')
    chunk = b"y\n" * (1 << 19)
    for _ in range(50):
        f.write(chunk)
    f.write(b'"\n2,after\n')


# The generators write in small pieces: a child's peak RSS includes what
# it inherited from this process before exec, so this process stays small.
def million_fields(f):
    f.write(b"a,b\n")
    for _ in range(1000):
        f.write(b"z," * 1000)
    f.write(b"z\n3,ok\n")


def garbage(f):
    f.write(b"a,b\n")
    for _ in range(20):
        f.write(os.urandom(1 << 20))


def wide_header(ncols):
    """A header of ncols columns and one record."""
    def write(f):
        for row in range(2):
            for i in range(0, ncols, 1000):
                k = min(i + 1000, ncols)
                f.write(b",".join(b"c%d" % j if row == 0 else b"%d" % j
                                  for j in range(i, k)))
                f.write(b"," if k < ncols else b"\n")
    return write


def rejected_as(reason):
    def check(p):
        return [] if reason in p.stderr.decode() else [
            f"not rejected with {reason!r}"]
    return check


def marked_as_cut(total):
    """The rejected record's text is its first 64 KiB and a marker with
    its whole size (the 100 MB field's record: 1, the field, \n)."""
    def check(p):
        path = os.path.join(TMP, "limits-rejects")
        with open(path, "rb") as f:
            rec = json.loads(f.readline())["record"]
        os.unlink(path)
        want = "...[cut: %d bytes in all]" % total
        return [] if rec.endswith(want) and len(rec) == 65536 + len(
            want) else ["reject's text ends %r, not %r" % (rec[-40:], want)]
    return check


def both(*checks):
    return lambda p: [x for c in checks for x in c(p)]


def last_is(text):
    def check(p):
        lines = p.stdout.decode().splitlines()
        return [] if lines and text in lines[-1] else [
            f"last record lacks {text!r}"]
    return check


run("a 100 MB field", huge_field,
    ["--rejects", os.path.join(TMP, "limits-rejects")], want_status=1,
    check=both(last_is('"after"'), marked_as_cut(2 + 100 * (1 << 20) + 1)))
run("a 50 MB quoted field of 26M lines", huge_quoted_field, want_status=1,
    check=last_is('"line":26214403'))
run("a row of a million fields", million_fields, want_status=1,
    check=last_is('"ok"'))
run("20 MB of binary garbage", garbage, want_status=1)
# A record may hold 100,000 values, the object itself included (the limit
# of every NDJSON stage): 99,999 columns without _meta are a record,
# 100,000 are not, and neither are 200,000.
TOO_COMPLEX = "record too complex: more than 100000 values"
run("a header of 99,999 columns", wide_header(99999), ["--no-meta"],
    want_status=0)
run("a header of 100,000 columns", wide_header(100000), ["--no-meta"],
    want_status=1, check=rejected_as(TOO_COMPLEX))
run("a header of 200,000 columns", wide_header(200000), ["--no-meta"],
    want_status=1, check=rejected_as(TOO_COMPLEX))
run("99,995 columns, _meta and its source", wide_header(99995),
    ["--source", "s"], want_status=0)
run("99,996 columns, _meta and its source", wide_header(99996),
    ["--source", "s"], want_status=1, check=rejected_as(TOO_COMPLEX))
run("NUL bytes everywhere", b"a,b\n" + b"\0,\0\n" * 1000, want_status=1)
