"""Differential test: csv2ndjson against Python's csv module.

Generates random CSV files, well-formed as Python's csv.writer writes them
(random delimiters, quoting styles, line endings, fields with quotes,
delimiters, CR/LF/CRLF, spaces and UTF-8) plus unquoted fields holding a
quote in the middle, which both must keep literally. Each file is read by
csv.DictReader-like logic (header row, blank lines skipped) and by
csv2ndjson; the records must be identical. Each file also goes through
csv2ndjson with SLUICE_FASTPATH=0 (every record through libcsv, written a
field at a time) and both runs must write the same bytes: stdout, the
rejects file, stderr and the exit status; the fast path must have taken
records at all (SLUICE_FASTPATH_STATS). Prints a TAP-like line for each
failing file, one "ok" line for all when none fails.
usage: csv-differential.py CSV2NDJSON TMPDIR [COUNT] [SEED]
"""
import csv
import io
import json
import os
import random
import re
import subprocess
import sys

ALPHABET = ["a", "b", "Z", "0", "7", " ", "\t", '"', ",", ";", "|", "\n",
            "\r", "\r\n", "é", "ß", "漢", "😀", "x y", "'", "\\", "{}"]


def rand_field(rng, delim):
    """A random field; now and then empty or long."""
    r = rng.random()
    if r < 0.1:
        return ""
    n = rng.randint(1, 12) if r < 0.95 else rng.randint(200, 3000)
    return "".join(rng.choice(ALPHABET) for _ in range(n))


def dirty_field(rng, delim):
    """Unquoted text with a quote inside (not first): kept literally."""
    base = [c for c in "abc xyz123" if c != delim]
    s = "".join(rng.choice(base) for _ in range(rng.randint(1, 6)))
    return s + '"' + "".join(rng.choice(base) for _ in range(3))


def make_case(rng):
    delim = rng.choice([",", ",", ";", "\t", "|"])
    quoting = rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL,
                          csv.QUOTE_NONNUMERIC])
    term = rng.choice(["\r\n", "\n"])
    ncols = rng.randint(1, 8)
    header = [f"col{i}" for i in range(ncols)]
    rows = []
    for _ in range(rng.randint(0, 40)):
        rows.append([rand_field(rng, delim) for _ in range(ncols)])
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, quoting=quoting, lineterminator=term)
    w.writerow(header)
    for row in rows:
        w.writerow(row)
        if rng.random() < 0.05:
            buf.write(term)  # a blank line, skipped by both readers
    text = buf.getvalue()
    if quoting == csv.QUOTE_MINIMAL and rng.random() < 0.3:
        # A hand-written row with mid-field quotes in unquoted fields.
        text += delim.join(dirty_field(rng, delim) for _ in range(ncols))
        text += term
    if rng.random() < 0.2:
        text = text.rstrip("\r\n")  # no final line ending
    return delim, text


def python_records(delim, text):
    """Python's records, and how many rows have the wrong width.

    A row whose width differs from the header's is one csv2ndjson rejects
    (Python's writer leaves a lone CR unquoted when its line terminator is
    LF, so such rows do occur)."""
    rows = [r for r in csv.reader(io.StringIO(text, newline=""),
                                  delimiter=delim) if r]
    if not rows:
        return [], 0
    header = rows[0]
    good = [dict(zip(header, r)) for r in rows[1:] if len(r) == len(header)]
    return good, len(rows) - 1 - len(good)


def run_both(exe, args, rejects):
    """The fast and the slow run's (status, stdout, stderr, rejects), and
    how many records the fast path took."""
    outs = []
    fast = 0
    for env in ({"SLUICE_FASTPATH_STATS": "1"}, {"SLUICE_FASTPATH": "0"}):
        p = subprocess.run([exe, "--rejects", rejects] + args,
                           capture_output=True, env=dict(os.environ, **env))
        err = p.stderr.decode()
        m = re.search(r"^csv2ndjson: fast path: (\d+) of", err, re.M)
        if m:
            fast = int(m.group(1))
            err = err[:m.start()] + err[m.end() + 1:].split("\n", 1)[-1]
        with open(rejects, "rb") as f:
            outs.append((p.returncode, p.stdout, err, f.read()))
    return outs[0], outs[1], fast


def main():
    exe, tmp = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 20261121
    rng = random.Random(seed)
    failures = 0
    fast_records = 0
    for i in range(count):
        delim, text = make_case(rng)
        path = f"{tmp}/diff-{i}.csv"
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        want, ragged = python_records(delim, text)
        arg = "tab" if delim == "\t" else delim
        p = subprocess.run([exe, "--no-meta", "-d", arg, path],
                           capture_output=True)
        got = [json.loads(line) for line in p.stdout.decode().splitlines()]
        same = [list(r.items()) for r in want] == [list(r.items())
                                                    for r in got]
        summary = p.stderr.decode().strip().splitlines()[-1:]
        fast, slow, nfast = run_both(exe, ["--no-meta", "-d", arg, path],
                                     f"{tmp}/diff-{i}.rejects")
        fast_records += nfast
        if fast != slow:
            failures += 1
            print(f"not ok - differential case {i} (seed {seed}): the fast "
                  f"path and SLUICE_FASTPATH=0 differ on {path}")
            continue
        if same and p.returncode == (1 if ragged else 0) and \
                summary and summary[0].endswith(f"rejected={ragged}"):
            continue
        failures += 1
        print(f"not ok - differential case {i} (seed {seed}, exit "
              f"{p.returncode}): {path}")
        print(p.stderr.decode(), file=sys.stderr)
        for w, g in zip(want, got):
            if w != g:
                print(f"  want {w!r}\n  got  {g!r}", file=sys.stderr)
                break
        else:
            print(f"  want {len(want)} records, got {len(got)}",
                  file=sys.stderr)
    if fast_records == 0:
        failures += 1
        print("not ok - no record took the fast path")
    if failures == 0:
        print(f"ok - csv2ndjson agrees with Python's csv on {count} random "
              f"files (seed {seed}), its fast path ({fast_records} "
              f"records) with SLUICE_FASTPATH=0")


main()
