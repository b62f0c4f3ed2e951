"""common/jschema against the JSON Schema test suite (draft 7).

Runs every file of the suite whose keyword belongs to jschema's subset, and
every file of our own cases (the same format, in tests/jschema/), through
the test tool jschema-check: each test case is one "ok"/"not ok" line. A
schema that uses anything outside the subset (a keyword, a format, items as
a list) must be refused at compile time, with the JSON Pointer of what is
outside: that is one line per schema instead. Each value is also checked on
the jdoc fast path where it can be (jschema_ok_jdoc), which must give the
same answer. usage: jschema-suite.py TOOL SUITE OURS TMPDIR
"""
import json
import os
import subprocess
import sys

FILES = ["type", "required", "properties", "additionalProperties", "enum",
         "const", "pattern", "minLength", "maxLength", "minimum", "maximum",
         "exclusiveMinimum", "exclusiveMaximum", "items", "minItems",
         "maxItems", "boolean_schema", "optional/format/date-time",
         "optional/format/date", "optional/format/email",
         "optional/format/uri", "optional/ecmascript-regex"]

SUBSET = {"type", "required", "properties", "additionalProperties", "enum",
          "const", "pattern", "minLength", "maxLength", "minimum", "maximum",
          "exclusiveMinimum", "exclusiveMaximum", "items", "minItems",
          "maxItems", "format", "description", "title", "examples",
          "default", "$comment"}
FORMATS = {"date-time", "date", "email", "uuid", "uri"}

# Cases skipped, each with its reason: (file, group, case) -> reason.
SKIPS = {}


def outside(schema, ptr=""):
    """The JSON Pointer of the first thing outside the subset, or None."""
    if isinstance(schema, bool):
        return None
    if not isinstance(schema, dict):
        return ptr
    for key, val in schema.items():
        here = ptr + "/" + key.replace("~", "~0").replace("/", "~1")
        if key not in SUBSET:
            return here
        if key == "format" and val not in FORMATS:
            return here
        if key == "items" and isinstance(val, list):
            return here
        if key in ("items", "additionalProperties"):
            sub = outside(val, here)
            if sub is not None:
                return sub
        if key == "properties":
            for name, sub in val.items():
                esc = name.replace("~", "~0").replace("/", "~1")
                got = outside(sub, here + "/" + esc)
                if got is not None:
                    return got
    return None


def run_tool(tool, schema, values, tmp):
    path = os.path.join(tmp, "schema.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(schema, f, ensure_ascii=False)
    lines = "".join(json.dumps(v, ensure_ascii=False) + "\n" for v in values)
    p = subprocess.run([tool, "--jdoc", path], input=lines.encode(),
                       capture_output=True, check=False)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def check_group(tool, name, group, tmp, tally):
    schema, tests = group["schema"], group["tests"]
    label = f"{name}: {group['description']}"
    rc, out, err = run_tool(tool, schema, [t["data"] for t in tests], tmp)
    if rc != 0:
        print(f"not ok - {label}: the tool exited {rc}: {err.strip()}")
        tally[1] += 1
        return
    lines = out.splitlines()
    # Our own files may name a refusal the keywords alone do not show
    # (a pattern outside the regular expression subset): "refused".
    want_refusal = group.get("refused", outside(schema))
    if want_refusal is not None:
        if lines and lines[0].startswith("refused: "):
            got = lines[0][len("refused: "):].split(": ", 1)[0]
            if got == want_refusal:
                print(f"ok - {label}: refused at {got} (outside the subset)")
                tally[0] += 1
                return
            print(f"not ok - {label}: refused at {got}, "
                  f"expected {want_refusal}")
        else:
            print(f"not ok - {label}: accepted, but {want_refusal} is "
                  "outside the subset")
        tally[1] += 1
        return
    if lines and lines[0].startswith("refused: "):
        print(f"not ok - {label}: refused: {lines[0]}")
        tally[1] += 1
        return
    for test, line in zip(tests, lines + [""] * (len(tests) - len(lines))):
        case = f"{label}: {test['description']}"
        reason = SKIPS.get((name, group["description"], test["description"]))
        if reason:
            print(f"skip - {case}: {reason}")
            tally[2] += 1
            continue
        want = "valid" if test["valid"] else "invalid"
        words = line.split()
        got = words[0] if words else "(nothing)"
        jdoc = words[1][len("jdoc="):] if len(words) > 1 else "-"
        if got != want:
            print(f"not ok - {case}: {got}, expected {want} "
                  f"(data {json.dumps(test['data'], ensure_ascii=False)})")
            tally[1] += 1
        elif jdoc not in ("-", want):
            print(f"not ok - {case}: the jdoc path says {jdoc}")
            tally[1] += 1
        else:
            print(f"ok - {case}")
            tally[0] += 1


def main():
    tool, suite, ours, tmp = sys.argv[1:5]
    files = [(f, os.path.join(suite, f + ".json")) for f in FILES]
    files += [("ours/" + f[:-5], os.path.join(ours, f))
              for f in sorted(os.listdir(ours)) if f.endswith(".json")]
    tally = [0, 0, 0]
    for name, path in files:
        if not os.path.exists(path):
            print(f"not ok - {name}: {path} is missing")
            tally[1] += 1
            continue
        with open(path, encoding="utf-8") as f:
            for group in json.load(f):
                check_group(tool, name, group, tmp, tally)
    print(f"# jschema-suite: {tally[0]} ok, {tally[1]} not ok, "
          f"{tally[2]} skipped", file=sys.stderr)
    return 1 if tally[1] else 0


if __name__ == "__main__":
    sys.exit(main())
