#!/usr/bin/env python3
"""Rewrites NDJSON files in place in the compact form jansson writes (no
spaces, keys in their order, UTF-8 as it is, control characters as \\u00XX
in upper case), so that a stage case's input takes the stages' fast path
(common/jdoc.h). A line that is not a JSON object, holds a key twice or a
real number is left as it is: such lines are in a case to take the slow
path on purpose.

Usage: tests/tools/compact.py FILE...
"""
import json
import re
import sys


def pairs(items):
    keys = [k for k, _ in items]
    if len(keys) != len(set(keys)):
        raise ValueError("a key twice")
    return dict(items)


def no_real(s):
    raise ValueError("a real")


def compact(line):
    body = line.rstrip("\n")
    try:
        v = json.loads(body, object_pairs_hook=pairs, parse_float=no_real,
                       parse_constant=no_real)
    except ValueError:
        return line
    if not isinstance(v, dict):
        return line
    out = json.dumps(v, separators=(",", ":"), ensure_ascii=False)
    out = re.sub(r"\\u00([0-9a-f]{2})",
                 lambda m: "\\u00" + m.group(1).upper(), out)
    return out + "\n" if line.endswith("\n") else out


for path in sys.argv[1:]:
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().splitlines(keepends=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.writelines(compact(x) for x in lines)
