"""A plain model of the sample stage (docs/stages.md, "sample"), for
sample-differential.py: every answer from its definition, by sorting the
whole population rather than keeping heaps, with SipHash-2-4 written out
from its paper (checked against its published test vector).
"""

import hashlib
import math

MASK = (1 << 64) - 1


def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & MASK


def siphash24(key, msg):
    """SipHash-2-4 of msg (bytes) under key (16 bytes), as a 64-bit int."""
    k0 = int.from_bytes(key[:8], "little")
    k1 = int.from_bytes(key[8:], "little")
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D,
         k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]

    def rnd():
        v[0] = (v[0] + v[1]) & MASK
        v[1] = _rotl(v[1], 13) ^ v[0]
        v[0] = _rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & MASK
        v[3] = _rotl(v[3], 16) ^ v[2]
        v[0] = (v[0] + v[3]) & MASK
        v[3] = _rotl(v[3], 21) ^ v[0]
        v[2] = (v[2] + v[1]) & MASK
        v[1] = _rotl(v[1], 17) ^ v[2]
        v[2] = _rotl(v[2], 32)

    n = len(msg)
    tail = msg[n - n % 8:] + bytes(7 - n % 8) + bytes([n & 0xFF])
    words = [msg[i:i + 8] for i in range(0, n - n % 8, 8)] + [tail]
    for w in words:
        m = int.from_bytes(w, "little")
        v[3] ^= m
        rnd()
        rnd()
        v[0] ^= m
    v[2] ^= 0xFF
    for _ in range(4):
        rnd()
    return v[0] ^ v[1] ^ v[2] ^ v[3]


# The paper's vector: key 00..0f, message 00..0e.
assert siphash24(bytes(range(16)), bytes(range(15))) == 0xA129CA6149BE45E5


def study_key(seed):
    return hashlib.sha256(seed.encode()).digest()[:16]


def member_key(key16, ident):
    """The stage's key: SipHash's 8 output bytes (little-endian), read as
    a big-endian number."""
    h = siphash24(key16, ident.encode())
    return int.from_bytes(h.to_bytes(8, "little"), "big")


def apportion(shares, total):
    n = len(shares)
    counts = [0] * n
    left = total
    while True:
        s = 0.0
        for i in range(n):
            if counts[i] == 0:
                s += shares[i]
        small = [i for i in range(n)
                 if counts[i] == 0 and left * shares[i] / s < 1]
        if not small:
            break
        for i in small:
            counts[i] = 1
        left -= len(small)
    s = 0.0
    for i in range(n):
        if counts[i] == 0:
            s += shares[i]
    rems = []
    given = 0
    for i in range(n):
        if counts[i] != 0:
            continue
        exact = left * shares[i] / s
        whole = math.floor(exact)
        counts[i] = whole
        given += whole
        rems.append((-(exact - whole), i))
    rems.sort()
    for _, i in rems[:left - given]:
        counts[i] += 1
    return counts


def _edge_text(e):
    if isinstance(e, str):
        return e
    if isinstance(e, int):
        return str(e)
    return "%.17g" % e


def labels(field):
    bands = field.get("bands")
    if bands is None:
        return None
    if "labels" in field:
        return field["labels"]
    t = [_edge_text(e) for e in bands]
    sep = "/" if isinstance(bands[0], str) else "-"
    return (["<" + t[0]] + [t[i - 1] + sep + t[i] for i in range(1, len(t))]
            + [t[-1] + "+"])


def _date(s):
    """(y, m, d) of a string starting with a real date, else None."""
    if not isinstance(s, str) or len(s) < 10 or (
            len(s) > 10 and s[10] not in "T "):
        return None
    import datetime
    try:
        if s[4] != "-" or s[7] != "-" or not (s[:4] + s[5:7] + s[8:10]).isdigit():
            return None
        datetime.date(int(s[:4]), int(s[5:7]), int(s[8:10]))
    except ValueError:
        return None
    return int(s[:4]), int(s[5:7]), int(s[8:10])


def _ordinal(ymd):
    import datetime
    return datetime.date(*ymd).toordinal()


def get(rec, path):
    v = rec
    for step in path.split("."):
        if not isinstance(v, dict) or step not in v:
            return None
        v = v[step]
    return v


def _band(edges, x):
    i = 0
    while i < len(edges) and x >= edges[i]:
        i += 1
    return i


def label_of(field, v):
    """The label of the value v for field, or (None, reason)."""
    if v is None or v == "" or isinstance(v, (dict, list)):
        return None, "no cell field \"%s\"" % field["path"]
    bands = field.get("bands")
    if bands is None:
        if isinstance(v, bool):
            return ("true" if v else "false"), None
        if isinstance(v, float):
            return None, "cell field \"%s\": a string, an integer or a " \
                "boolean" % field["path"]
        return str(v), None
    labs = labels(field)
    if isinstance(bands[0], str):
        d = _date(v)
        if d is None:
            return None, "cell field \"%s\": not a date" % field["path"]
        return labs[_band([_ordinal(_date(e)) for e in bands],
                          _ordinal(d))], None
    if "age_on" in field:
        d = _date(v)
        if d is None:
            return None, "cell field \"%s\": not a date" % field["path"]
        on = _date(field["age_on"])
        age = on[0] - d[0] - (1 if (on[1], on[2]) < (d[1], d[2]) else 0)
        return labs[_band(bands, age)], None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None, "cell field \"%s\": not a number" % field["path"]
    return labs[_band(bands, v)], None


def counts(design):
    if "total" in design:
        return apportion([c["share"] for c in design["cells"]],
                         design["total"])
    return [c["count"] for c in design["cells"]]


def cell_tuple(design, cell):
    return tuple(cell[f.get("name", f["path"])] for f in design["fields"])


def classify(design, rec, idpath):
    """("reject", reason) or ("ok", id, cell tuple)."""
    if "_meta" in rec and not isinstance(rec["_meta"], dict):
        return ("reject", "\"_meta\" is not an object")
    ident = get(rec, idpath)
    if isinstance(ident, bool) or not isinstance(ident, (str, int)) or \
            ident == "":
        return ("reject", "no member id at \"%s\" (a string or an integer)"
                % idpath)
    labs = []
    for f in design["fields"]:
        lab, why = label_of(f, get(rec, f["path"]))
        if why:
            return ("reject", why)
        labs.append(lab)
    return ("ok", str(ident), tuple(labs))


def order(key16, ident):
    return (member_key(key16, ident), ident.encode())


def sample(design, records, seed, idpath="id", state=None, sticky=False):
    """The model's answer: (per cell index, the list of (id, record) in
    the sample, key order), rejects (reasons), no-quota count, and with a
    state the joins and leaves."""
    key16 = study_key(seed)
    cells = [cell_tuple(design, c["cell"]) for c in design["cells"]]
    index = {c: i for i, c in enumerate(cells)}
    quota = counts(design)
    rejects, noquota = [], 0
    first = {}  # id -> (cell, record), the first record of each id
    for rec in records:
        c = classify(design, rec, idpath)
        if c[0] == "reject":
            rejects.append(c[1])
            continue
        _, ident, cell = c
        if cell not in index:
            noquota += 1
            continue
        first.setdefault(ident, (index[cell], rec))
    old = state or {}  # id -> (cell index or None, cell dict, record)
    final = []
    for ci in range(len(cells)):
        pinned = [i for i, v in old.items() if v[0] == ci] if sticky else []
        cands = {}
        if not sticky:
            for i, v in old.items():
                if v[0] == ci:
                    cands[i] = v[2]
        for i, (cc, rec) in first.items():
            if cc == ci and i not in old and i not in cands:
                cands[i] = rec
        room = max(0, quota[ci] - len(pinned))
        chosen = sorted(cands, key=lambda i: order(key16, i))[:room]
        members = chosen + pinned
        members.sort(key=lambda i: order(key16, i))
        final.append([(i, old[i][2] if i in old else cands[i])
                      for i in members])
    return {"cells": cells, "quota": quota, "final": final,
            "rejects": rejects, "noquota": noquota, "key16": key16}


def hexkey(key16, ident):
    return "%016x" % member_key(key16, ident)
