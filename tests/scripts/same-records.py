"""Compares a JSON array of objects with an NDJSON file, key order included.

usage: same-records.py EXPECTED.json ACTUAL.ndjson
Exits 0 when they hold the same records, else prints the first difference.
"""
import json
import sys


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        want = json.load(f)
    got = []
    with open(sys.argv[2], encoding="utf-8") as f:
        for line in f:
            got.append(json.loads(line))
    for i, (w, g) in enumerate(zip(want, got)):
        if list(w.items()) != list(g.items()):
            print(f"record {i + 1}: want {w!r}\n           got  {g!r}")
            return 1
    if len(want) != len(got):
        print(f"want {len(want)} records, got {len(got)}")
        return 1
    return 0


sys.exit(main())
