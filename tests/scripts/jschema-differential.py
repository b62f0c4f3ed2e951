"""Differential test: common/jschema against python3-jsonschema.

Generates random schemas of jschema's subset (every keyword, nested
through properties, additionalProperties and items; random patterns of the
regular expression subset) and, for each, random values near it (built to
pass, then mutated). Each value is checked by jschema-check (on the jansson
path, and on the jdoc path where the value is canonical) and by
jsonschema's Draft7Validator; the answers must agree. A fresh seed each run,
printed; give it back as the fourth argument (JSCHEMA_SEED) to repeat one.

Where the two do not define a question alike, the case is left out, never
decided for one side:
- formats: Python's checker for "email" only asks for an "@", it has no
  "date-time" checker without a package Debian lacks (this script asks
  Python's datetime instead, on strings of RFC 3339's shape, leaving out
  second 60, year 0, fractions past microseconds and an offset's minute
  past 59, which datetime takes and RFC 3339 does not), its "date" takes
  ISO 8601 forms RFC 3339 does not (2026-W01-1), its "uuid" takes braces
  and URNs, and its "uri" (rfc3987) checks an authority's structure more
  closely than jschema does. So a case is compared only where the format
  questions it asks are ones both define: a date of the form NNNN-NN-NN, a
  date-time as above, a uuid of 36 characters, a uri with no authority
  ("//"); a case whose
  answer depends on any other format question is counted as left out.
- patterns are generated over characters where ECMAScript and Python's
  re agree (ASCII digits only, no \\w, no line terminators in values).
- enum: jsonschema 4.10 compares nested booleans with == (so [true] would
  equal [1]); enum lists hold no 0, 1 or booleans inside arrays/objects.
usage: jschema-differential.py TOOL TMPDIR [SCHEMAS] [SEED]
"""
import json
import os
import random
import re
import subprocess
import sys

import jsonschema

CHARS = ["a", "b", "c", "x", "z", "A", "Z", "0", "1", "5", "9", "_", "-",
         " ", "\t", ".", "@", ":", "/", "é", "ü", "漢", "😀", "\u00a0", "+"]
SPECIAL = set(".^$|?*+()[]{}\\/-")


class Undefined(Exception):
    """A format question the two checkers do not define alike."""


def undefined(s):
    if not isinstance(s, str):
        return True
    raise Undefined()


def py_date(s):
    if not isinstance(s, str):
        return True
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", s):
        raise Undefined()
    import datetime
    try:
        datetime.date.fromisoformat(s)
        return True
    except ValueError:
        return False


RFC3339 = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:"
                     r"[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})")


def py_date_time(s):
    """Python's datetime on RFC 3339's shape: the calendar and the clock.
    Second 60 (a leap second) and fractions past microseconds are left
    out: datetime has neither."""
    if not isinstance(s, str):
        return True
    m = RFC3339.fullmatch(s)
    if (not m or s[17:19] == "60" or s[:4] == "0000" or
            (m.group(1) and len(m.group(1)) > 7) or
            (len(m.group(2)) == 6 and int(m.group(2)[4:]) > 59)):
        raise Undefined()
    import datetime
    try:
        datetime.datetime.fromisoformat(s.upper().replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


def py_uuid(s):
    if not isinstance(s, str):
        return True
    if len(s) != 36:
        raise Undefined()
    import uuid
    try:
        uuid.UUID(s)
    except ValueError:
        return False
    return all(s[i] == "-" for i in (8, 13, 18, 23))


def py_uri(s):
    if not isinstance(s, str):
        return True
    m = re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", s)
    if m and s[m.end():].startswith("//"):
        raise Undefined()
    import rfc3987
    try:
        rfc3987.parse(s, rule="URI")
        return True
    except ValueError:
        return False


def format_checker():
    fc = jsonschema.FormatChecker(formats=())
    fc.checks("email")(undefined)
    fc.checks("date-time")(py_date_time)
    fc.checks("date")(py_date)
    fc.checks("uuid")(py_uuid)
    try:
        import rfc3987  # noqa: F401
        fc.checks("uri")(py_uri)
    except ImportError:
        fc.checks("uri")(undefined)
    return fc


# ---- patterns: an AST, written as ECMAScript, sampled into strings ----

def gen_pattern(rng, depth=0):
    """A sequence of atoms (each maybe quantified)."""
    seq = []
    for _ in range(rng.randint(1, 4)):
        atom = gen_atom(rng, depth)
        r = rng.random()
        if r < 0.15:
            atom = ("rep", atom, 0, None)
        elif r < 0.3:
            atom = ("rep", atom, 1, None)
        elif r < 0.4:
            atom = ("rep", atom, 0, 1)
        elif r < 0.5:
            lo = rng.randint(0, 3)
            hi = rng.choice([lo, lo + rng.randint(0, 2), None])
            atom = ("rep", atom, lo, hi, "brace")
        seq.append(atom)
    return seq


def gen_atom(rng, depth):
    r = rng.random()
    if r < 0.45:
        return ("lit", rng.choice(CHARS))
    if r < 0.55:
        return ("dot",)
    if r < 0.67:
        return ("esc", rng.choice("dDsS"))
    if r < 0.85 or depth >= 2:
        items = []
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.4:
                lo, hi = rng.choice([("a", "c"), ("0", "5"), ("A", "Z"),
                                     ("à", "ÿ"), ("x", "z"), (" ", "/")])
                items.append((lo, hi))
            elif rng.random() < 0.2:
                items.append(("\\d",))
            elif rng.random() < 0.15:
                items.append(("\\D",) if rng.random() < 0.5 else ("\\S",))
            else:
                items.append((rng.choice(CHARS),))
        # \D and \S inside a class only where it is not negated.
        neg = rng.random() < 0.3 and not any(
            it in (("\\D",), ("\\S",)) for it in items)
        return ("cls", neg, items)
    alts = [gen_pattern(rng, depth + 1) for _ in range(rng.randint(1, 3))]
    return ("grp", rng.random() < 0.5, alts)


def lit_es(c):
    if c == "\t":
        return "\\t"
    return "\\" + c if c in SPECIAL else c


def cls_es(c):
    if c == "\t":
        return "\\t"
    return "\\" + c if c in "\\]^-[" else c


def to_es(node):
    kind = node[0]
    if kind == "lit":
        return lit_es(node[1])
    if kind == "dot":
        return "."
    if kind == "esc":
        return "\\" + node[1]
    if kind == "cls":
        body = ""
        for it in node[2]:
            if it in (("\\d",), ("\\D",), ("\\S",)):
                body += it[0]
            elif len(it) == 2:
                body += cls_es(it[0]) + "-" + cls_es(it[1])
            else:
                body += cls_es(it[0])
        return "[" + ("^" if node[1] else "") + body + "]"
    if kind == "grp":
        inner = "|".join("".join(to_es(a) for a in alt) for alt in node[2])
        return ("(" if node[1] else "(?:") + inner + ")"
    sub = to_es(node[1])
    if len(node) == 5:
        q = "{%d}" % node[2] if node[3] == node[2] else (
            "{%d,}" % node[2] if node[3] is None else
            "{%d,%d}" % (node[2], node[3]))
    else:
        q = {(0, None): "*", (1, None): "+", (0, 1): "?"}[(node[2], node[3])]
    return sub + q


def in_cls(c, node):
    hit = False
    for it in node[2]:
        if it == ("\\d",):
            hit |= c.isascii() and c.isdigit()
        elif it == ("\\D",):
            hit |= not (c.isascii() and c.isdigit())
        elif it == ("\\S",):
            hit |= c not in " \t\u00a0"
        elif len(it) == 2:
            hit |= it[0] <= c <= it[1]
        else:
            hit |= c == it[0]
    return hit != node[1]


def sample(rng, node):
    """A string the node matches (None when it found none quickly)."""
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind in ("dot", "esc", "cls"):
        for _ in range(30):
            c = rng.choice(CHARS)
            if kind == "dot":
                return c
            if kind == "esc":
                d = c.isascii() and c.isdigit()
                s = c in " \t\u00a0"
                ok = {"d": d, "D": not d, "s": s, "S": not s}[node[1]]
            else:
                ok = in_cls(c, node)
            if ok:
                return c
        return None
    if kind == "grp":
        alt = rng.choice(node[2])
        parts = [sample(rng, a) for a in alt]
        return None if None in parts else "".join(parts)
    lo, hi = node[2], node[3]
    n = rng.randint(lo, lo + 2 if hi is None else hi)
    parts = [sample(rng, node[1]) for _ in range(n)]
    return None if None in parts else "".join(parts)


# ---- schemas and values ----

TYPES = ["null", "boolean", "integer", "number", "string", "array", "object"]
NAMES = ["a", "b", "method", "n", "x/y", "t~1", "é"]
DATES = ["2026-11-30", "2024-02-29", "2023-02-29", "2026-13-01", "2026-1-1",
         "20261130"]
UUIDS = ["0b6e6f2c-6c1f-4a51-9b4e-9a3c2f1d7e10",
         "0B6E6F2C-6C1F-4A51-9B4E-9A3C2F1D7E10",
         "0b6e6f2c-6c1f-4a51-9b4e-9a3c2f1d7e1g",
         "0b6e6f2c6c1f-4a51-9b4e-9a3c2f1d7e10-",
         "{0b6e6f2c-6c1f-4a51-9b4e-9a3c2f1d7e10}"]
URIS = ["mailto:joe@example.com", "urn:isbn:0451450523", "tel:+1-816-555",
        "http:x y", "abc", "a:b#c#d", "news:comp.lang%2", "x:%41%zz",
        "ldap:[x]", "a1+.-:/p?q#f", "1a:x", "http://example.org/"]
EMAILS = ["joe@example.com", "j.o@x", "2962", "a@@b", ".a@b", "a b@c"]
STAMPS = ["2026-11-30T12:00:00Z", "2026-11-30t12:00:00.5+01:00",
          "2026-02-30T00:00:00Z", "2026-11-30T12:00:00", "1998-12-31T23:59:60Z"]


def gen_stamp(rng):
    """A date-time of RFC 3339's shape, its fields now and then out of
    range."""
    y = rng.choice([1900, 2000, 2023, 2024, 2100, rng.randint(0, 9999)])
    mo, d = rng.randint(0, 13), rng.choice([1, 28, 29, 30, 31, 32, 0])
    h, mi, sec = rng.randint(0, 25), rng.randint(0, 60), rng.randint(0, 59)
    frac = rng.choice(["", ".5", ".250", ".123456"])
    off = rng.choice(["Z", "z", "+00:00", "-05:00", "+23:59", "+24:00",
                      "-01:60", "+14:30"])
    t = rng.choice("Tt")
    return f"{y:04d}-{mo:02d}-{d:02d}{t}{h:02d}:{mi:02d}:{sec:02d}{frac}{off}"
FORMAT_VALUES = {"date": DATES, "uuid": UUIDS, "uri": URIS,
                 "email": EMAILS, "date-time": STAMPS}


def gen_number(rng):
    return rng.choice([rng.randint(-5, 5), rng.randint(-5, 5) + 0.5,
                       float(rng.randint(-3, 3)), rng.randint(-100, 100)])


def gen_enum_item(rng):
    r = rng.random()
    if r < 0.4:
        return rng.choice(["web", "sms", "a", "", "é"])
    if r < 0.7:
        return rng.choice([0, 1, 2, 2.0, -1, 7.5, True, False, None])
    if r < 0.85:
        return [rng.choice(["a", "b", 2, 3.5]) for _ in range(rng.randint(0, 2))]
    return {rng.choice(NAMES): rng.choice(["a", 2, None])}


def gen_schema(rng, depth=0):
    if rng.random() < 0.05:
        return rng.random() < 0.7
    s = {}
    if rng.random() < 0.7:
        t = rng.sample(TYPES, rng.randint(1, 3))
        s["type"] = t[0] if len(t) == 1 and rng.random() < 0.5 else t
    kinds = set(s.get("type", TYPES) if isinstance(s.get("type", TYPES), list)
                else [s["type"]])
    if "string" in kinds or rng.random() < 0.1:
        if rng.random() < 0.3:
            s["minLength"] = rng.randint(0, 3)
        if rng.random() < 0.3:
            s["maxLength"] = rng.randint(0, 6)
        if rng.random() < 0.4:
            ast = gen_pattern(rng)
            s["pattern"] = ("^" if rng.random() < 0.4 else "") + "".join(
                to_es(a) for a in ast) + ("$" if rng.random() < 0.4 else "")
            s["_ast"] = ast
        if rng.random() < 0.25:
            s["format"] = rng.choice(list(FORMAT_VALUES))
    if kinds & {"integer", "number"} or rng.random() < 0.1:
        for k in ("minimum", "maximum", "exclusiveMinimum",
                  "exclusiveMaximum"):
            if rng.random() < 0.25:
                s[k] = gen_number(rng)
    if "array" in kinds or rng.random() < 0.1:
        if depth < 3 and rng.random() < 0.6:
            s["items"] = gen_schema(rng, depth + 1)
        if rng.random() < 0.3:
            s["minItems"] = rng.randint(0, 2)
        if rng.random() < 0.3:
            s["maxItems"] = rng.randint(0, 3)
    if "object" in kinds or rng.random() < 0.1:
        if depth < 3 and rng.random() < 0.7:
            names = rng.sample(NAMES, rng.randint(1, 4))
            s["properties"] = {n: gen_schema(rng, depth + 1) for n in names}
        if rng.random() < 0.4:
            s["required"] = rng.sample(NAMES, rng.randint(0, 2))
        r = rng.random()
        if r < 0.3:
            s["additionalProperties"] = False
        elif r < 0.4 and depth < 3:
            s["additionalProperties"] = gen_schema(rng, depth + 1)
    if rng.random() < 0.1:
        items = []
        for _ in range(rng.randint(1, 4)):
            v = gen_enum_item(rng)
            if v not in items or isinstance(v, (bool, type(None))):
                items.append(v)
        s["enum"] = items
    if rng.random() < 0.05:
        s["const"] = gen_enum_item(rng)
    if rng.random() < 0.1:
        s["description"] = "d"
    return s


def gen_string(rng, s):
    if s.get("format") == "date-time" and rng.random() < 0.6:
        return gen_stamp(rng)
    if "format" in s and rng.random() < 0.7:
        return rng.choice(FORMAT_VALUES[s["format"]])
    if "_ast" in s and rng.random() < 0.7:
        parts = [sample(rng, a) for a in s["_ast"]]
        if None not in parts:
            text = "".join(parts)
            if rng.random() < 0.3:
                text = rng.choice(CHARS) + text
            if rng.random() < 0.3:
                text += rng.choice(CHARS)
            return text
    n = rng.randint(0, 7)
    return "".join(rng.choice(CHARS) for _ in range(n))


def gen_value(rng, s, depth=0):
    """A value near schema s: built to pass, then now and then not."""
    if isinstance(s, bool) or depth > 4:
        return rng.choice([1, "a", None, [], {}])
    if "enum" in s and rng.random() < 0.6:
        return rng.choice(s["enum"])
    if "const" in s and rng.random() < 0.6:
        return s["const"]
    t = s.get("type", rng.choice(TYPES))
    if isinstance(t, list):
        t = rng.choice(t)
    if rng.random() < 0.1:
        t = rng.choice(TYPES)
    if t == "null":
        return None
    if t == "boolean":
        return rng.random() < 0.5
    if t == "integer":
        return rng.choice([rng.randint(-6, 6), float(rng.randint(-6, 6))])
    if t == "number":
        return gen_number(rng)
    if t == "string":
        return gen_string(rng, s)
    if t == "array":
        sub = s.get("items", {})
        return [gen_value(rng, sub, depth + 1)
                for _ in range(rng.randint(0, 4))]
    obj = {}
    props = s.get("properties", {})
    for name in props:
        if rng.random() < 0.7:
            obj[name] = gen_value(rng, props[name], depth + 1)
    for name in s.get("required", []):
        if name not in obj and rng.random() < 0.8:
            obj[name] = gen_value(rng, props.get(name, {}), depth + 1)
    if rng.random() < 0.3:
        extra = s.get("additionalProperties", {})
        obj[rng.choice(NAMES + ["zz"])] = gen_value(rng, extra, depth + 1)
    return obj


def strip(s):
    if isinstance(s, dict):
        return {k: strip(v) for k, v in s.items() if k != "_ast"}
    return s


def main():
    tool, tmp = sys.argv[1], sys.argv[2]
    nschemas = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else random.randrange(1 << 32)
    # Flushed: a run stopped for its time still tells its seed.
    print(f"# jschema-differential: seed {seed} (JSCHEMA_SEED={seed} repeats"
          " it)", flush=True)
    rng = random.Random(seed)
    fc = format_checker()
    compared = left_out = jdoc_compared = valid = 0
    first = None
    jdoc_first = None
    for _ in range(nschemas):
        schema = gen_schema(rng)
        values = [gen_value(rng, schema) for _ in range(15)]
        clean = strip(schema)
        path = os.path.join(tmp, "schema.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(clean, f, ensure_ascii=False)
        lines = "".join(json.dumps(v, ensure_ascii=False, separators=(",", ":"))
                        + "\n" for v in values)
        p = subprocess.run([tool, "--jdoc", path], input=lines.encode(),
                           capture_output=True, check=False)
        out = p.stdout.decode().splitlines()
        if p.returncode != 0 or (out and out[0].startswith("refused")):
            print(f"not ok - jschema-differential: the tool "
                  f"{'refused' if out else 'failed on'} a schema of the "
                  f"subset: {json.dumps(clean, ensure_ascii=False)}: "
                  f"{out[0] if out else p.stderr.decode()}")
            return 1
        validator = jsonschema.Draft7Validator(clean, format_checker=fc)
        for value, line in zip(values, out):
            try:
                want = "valid" if validator.is_valid(value) else "invalid"
            except Undefined:
                left_out += 1
                continue
            words = line.split()
            compared += 1
            valid += want == "valid"
            if words[0] != want and first is None:
                first = (clean, value, words[0], want)
            jd = words[1][len("jdoc="):] if len(words) > 1 else "-"
            if jd != "-":
                jdoc_compared += 1
                if jd != want and jdoc_first is None:
                    jdoc_first = (clean, value, jd, want)
    failed = 0
    for label, bad, count in (("jansson path", first, compared),
                              ("jdoc path", jdoc_first, jdoc_compared)):
        if bad:
            failed = 1
            print(f"not ok - jschema-differential ({label}, seed {seed}): "
                  f"jschema says {bad[2]}, jsonschema {bad[3]}\n"
                  f"#   schema: {json.dumps(bad[0], ensure_ascii=False)}\n"
                  f"#   value:  {json.dumps(bad[1], ensure_ascii=False)}")
        else:
            print(f"ok - jschema-differential ({label}): {count} cases of "
                  f"{nschemas} random schemas agree with jsonschema "
                  f"(seed {seed})")
    print(f"# {valid} of the {compared} cases valid; {left_out} left out (a "
          "format question only one side defines)")
    return failed


if __name__ == "__main__":
    sys.exit(main())
