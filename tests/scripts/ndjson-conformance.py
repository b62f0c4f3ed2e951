"""The NDJSON stages against JSONTestSuite (shared/conformance).

Each case's content is fed as input lines. status-map (with a map that
keeps every record) is checked strictly: a y_ case whose value is an object
comes out unchanged in meaning; every n_ case and every non-object y_ case
is a reject of each of its lines, with the line number; i_ cases may go
either way. Every other NDJSON stage is checked for what holds whatever it
does with a record: no crash or hang, an exit status of 0, 1 or 65 (69 for
a delivery stage with no service behind it), and in = out + dropped +
rejected, over the whole suite given as one input. One TAP-like line per
stage.

usage: ndjson-conformance.py BIN ROOT SHARED TMPDIR
"""
import glob
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vendorfile  # noqa: E402

BIN, ROOT, SHARED, TMP = sys.argv[1:5]
# --vendors-only: the vendor folders' stages alone (a vendor just added).
VENDORS_ONLY = "--vendors-only" in sys.argv[5:]
SUITE = os.path.join(SHARED, "conformance", "json-test-suite")
KEEP_MAP = os.path.join(TMP, "keep-map.json")
# Valid JSON that jansson cannot hold: a \u0000 inside an object key. The
# stages reject it with jansson's reason (README, "Known limits").
REJECTED_VALID = {"y_object_escaped_null_in_key.json"}


# The delivery stages run with no service behind them: post-rogue dry,
# post-northstar and post-quasar against a closed port (no record of the
# suite names a member; post-quasar spools what it cannot send, exit 69).
ENV = dict(os.environ, ROGUE_URL="http://127.0.0.1:9",
           NORTHSTAR_URL="http://127.0.0.1:9", NORTHSTAR_CLIENT_ID="x",
           NORTHSTAR_CLIENT_SECRET="y", SLUICE_PROGRESS="0")


def run(argv, data):
    p = subprocess.run(argv + ["--rejects", os.path.join(TMP, "rej")],
                       input=data, capture_output=True, timeout=20, env=ENV)
    with open(os.path.join(TMP, "rej"), "rb") as f:
        rejects = [json.loads(line) for line in f]
    return p, rejects


def summary(p):
    """The tally line's in= count and whether in = out + dropped +
    rejected holds; (-1, False) without a tally line."""
    last = p.stderr.decode(errors="replace").strip().splitlines()[-1:]
    m = re.search(r"in=(\d+)(?: made=(\d+))? out=(\d+) dropped=(\d+).* "
                  r"rejected=(\d+)$", last[0] if last else "")
    if not m:
        return -1, False
    # made: rows a stage makes of its records (rollup).
    i, made, o, d, r = (int(x or 0) for x in m.groups())
    return i, i + made == o + d + r


def summary_ok(p):
    return summary(p)[1]


def lines_of(data):
    n = data.count(b"\n")
    return n + (0 if data.endswith(b"\n") else 1)


def strict(name, argv):
    bad = []
    for path in sorted(glob.glob(os.path.join(SUITE, "*.json"))):
        case = os.path.basename(path)
        with open(path, "rb") as f:
            data = f.read()
        p, rejects = run(argv, data if data.endswith(b"\n")
                         else data + b"\n")
        try:
            value = json.loads(data.decode("utf-8"))
            is_object = isinstance(value, dict)
        except (ValueError, RecursionError):
            is_object = None
        if p.returncode not in (0, 1) or not summary_ok(p):
            bad.append(f"{case}: exit {p.returncode}")
        elif case.startswith("y_") and is_object and \
                lines_of(data.rstrip(b"\n")) == 1 and \
                case not in REJECTED_VALID:
            if p.returncode != 0 or \
                    json.loads(p.stdout.decode()) != value:
                bad.append(f"{case}: object not passed through")
        elif case.startswith("n_") or case.startswith("y_"):
            lines = [r["line"] for r in rejects]
            if p.stdout or lines != list(range(1, lines_of(data) + 1)):
                bad.append(f"{case}: want every line rejected, "
                           f"got rejects at {lines}")
    report(name, bad)


def loose(name, argv, statuses=(0, 1, 65)):
    """The whole suite as one input (each case's lines in turn): one run
    of the stage instead of one per case, which under the sanitizers
    costs minutes. Only when that run fails are the cases run one by one,
    to name the ones at fault."""
    cases = []
    for path in sorted(glob.glob(os.path.join(SUITE, "*.json"))):
        with open(path, "rb") as f:
            data = f.read()
        cases.append((path, data if data.endswith(b"\n") else data + b"\n"))
    whole = b"".join(data for _, data in cases)
    lines = whole.count(b"\n")
    p, _ = run(argv, whole)
    read, balanced = summary(p)
    if p.returncode in statuses and balanced and read == lines:
        report(name, [])
        return
    bad = [f"the whole suite: exit {p.returncode}, "
           f"{read} of {lines} lines read"]
    for path, data in cases:
        p, _ = run(argv, data)
        if p.returncode not in statuses or not summary_ok(p):
            bad.append(f"{os.path.basename(path)}: exit {p.returncode}")
    report(name, bad)


def report(name, bad):
    if bad:
        print(f"not ok - JSONTestSuite through {name}")
        for b in bad[:20]:
            print("   ", b, file=sys.stderr)
    else:
        print(f"ok - JSONTestSuite through {name}")


if not os.path.isdir(SUITE):
    print(f"skip - JSONTestSuite: {SUITE} not found")
    sys.exit(0)
with open(KEEP_MAP, "w") as f:
    json.dump({"default": "keep"}, f)
if not VENDORS_ONLY:
    strict("status-map", [f"{BIN}/status-map", "--vendor", KEEP_MAP])
# Every vendor folder's stages, with its own options: $SLUICE_VENDORS (as
# the stages look names up), else this checkout's vendors/.
VENDOR_DIR = os.environ.get("SLUICE_VENDORS") or os.path.join(ROOT, "vendors")
VENDORS = vendorfile.shaped(VENDOR_DIR)
for v in VENDORS:
    loose(f"shape --vendor {v}",
          [f"{BIN}/shape"] + vendorfile.shape_args(VENDOR_DIR, v))
    loose(f"status-map --vendor {v}", [f"{BIN}/status-map", "--vendor", v])
    if vendorfile.load(VENDOR_DIR, v).get("delivery", {}).get("key"):
        loose(f"dedupe --vendor {v}", [f"{BIN}/dedupe", "--vendor", v])
if VENDORS_ONLY:
    sys.exit(0)
loose("dedupe", [f"{BIN}/dedupe", "--key", "a"])
loose("validate", [f"{BIN}/validate"])
loose("post-rogue --dry-run", [f"{BIN}/post-rogue", "--vendor", VENDORS[0],
                               "--dry-run"])
loose("post-northstar", [f"{BIN}/post-northstar", "--vendor", VENDORS[0],
                         "--retries", "0", "--retry-max-time", "1"],
      (0, 1, 65, 69))
loose("attribute", [f"{BIN}/attribute"])
loose("rollup", [f"{BIN}/rollup"])
loose("rollup --merge", [f"{BIN}/rollup", "--merge"])
loose("sample", [f"{BIN}/sample", "--seed", "s", "--quotas", os.path.join(
    ROOT, "tests/stages/sample/014-seed-option/quotas.json")])
loose("post-quasar", [f"{BIN}/post-quasar", "--table", "t", "--retries",
                      "0", "--retry-max-time", "1", "--url",
                      "http://127.0.0.1:9", "--spool",
                      os.path.join(TMP, "conformance-spool")], (0, 1, 65, 69))
